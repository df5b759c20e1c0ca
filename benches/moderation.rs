//! Figures for the moderation closing note, in a release build:
//! - `rebuild/real` and `rebuild/10000`: the matcher index rebuild (`Engine::new`) for the real
//!   fact base and for 10,000 facts (the real ones repeated with their own extra words);
//! - `edit_to_answer`: from a moderator's edit call (full validation: parse, check, question set)
//!   to the first answer that uses it;
//! - `unanswered/list_100000`: listing an unanswered log of 100,000 distinct questions.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use strikefacts::moderation::{Actor, Moderation, ModerationConfig, UnansweredLog};
use strikefacts::{Engine, KnowledgeBase};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create");
    for entry in fs::read_dir(from).expect("list") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copy");
        }
    }
}

/// The real facts repeated up to `n`, each copy with its own id and a word of its own, so the
/// index grows in facts, phrasings and vocabulary.
fn synthetic(kb: &KnowledgeBase, n: usize) -> KnowledgeBase {
    let mut out = kb.clone();
    let real: Vec<_> = kb.served_facts().cloned().collect();
    out.facts.clear();
    for i in 0..n {
        let mut f = real[i % real.len()].clone();
        f.id = format!("{}-s{i}", f.id);
        let tag = format!("synth{i}");
        for p in &mut f.phrasings {
            p.push(' ');
            p.push_str(&tag);
        }
        f.keywords.push(tag);
        out.facts.push(f);
    }
    out
}

fn rebuild(c: &mut Criterion) {
    let kb = KnowledgeBase::load(&Path::new(REPO).join("knowledge")).expect("fact base");
    let big = synthetic(&kb, 10_000);
    let mut g = c.benchmark_group("rebuild");
    g.sample_size(10);
    g.bench_function("real", |b| {
        b.iter_batched(|| kb.clone(), Engine::new, BatchSize::LargeInput)
    });
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("10000", |b| {
        b.iter_batched(|| big.clone(), Engine::new, BatchSize::LargeInput)
    });
    g.finish();
}

fn edit_to_answer(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &Path::new(REPO).join("knowledge"),
        &dir.path().join("knowledge"),
    );
    fs::create_dir_all(dir.path().join("tests")).expect("tests dir");
    fs::copy(
        Path::new(REPO).join("tests/questions.jsonl"),
        dir.path().join("tests/questions.jsonl"),
    )
    .expect("questions");
    let config = ModerationConfig::new(dir.path().join("knowledge"), dir.path().join("data"));
    let m = Moderation::open(config).expect("moderation");
    let engine = m.engine().load_full();
    let (id, question) = engine
        .knowledge()
        .served_facts()
        .find_map(|f| {
            let p = f.phrasings.first()?;
            let a = engine.ask(p, chrono::Local::now().date_naive());
            (a.facts.len() == 1 && a.facts[0].id == f.id).then(|| (f.id.clone(), p.clone()))
        })
        .expect("a fact its first phrasing finds");
    let original = m.show(&id).expect("show").draft.answer;
    let who = Actor::new("bench");
    let mut k = 0u64;
    let mut g = c.benchmark_group("moderation");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("edit_to_answer", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                k += 1;
                let view = m.show(&id).expect("show");
                let mut draft = view.draft;
                let marker = format!("(rev {k})");
                draft.answer = format!("{original} {marker}");
                let start = Instant::now();
                m.edit(&who, None, &id, &view.version, draft, true)
                    .expect("edit");
                let a = m.ask(&question, None);
                total += start.elapsed();
                assert!(a.text.contains(&marker));
            }
            total
        })
    });
    g.finish();
}

/// 100,000 distinct declined questions, as people word them: topic words mixed with a number.
fn unanswered_list(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = UnansweredLog::open(dir.path()).expect("log");
    let words = [
        "strike", "pay", "parking", "rota", "locum", "exam", "visa", "pension", "leave", "rent",
    ];
    let mut text = String::new();
    let at = strikefacts::moderation::audit::now_rfc3339();
    for i in 0..100_000usize {
        let q = format!(
            "what about {} and {} for doctor {i}",
            words[i % words.len()],
            words[(i / 10) % words.len()]
        );
        let line = serde_json::json!({"at": at, "guild": 7, "question": q});
        text.push_str(&line.to_string());
        text.push('\n');
    }
    fs::write(dir.path().join("unanswered.jsonl"), text).expect("write log");
    let kb = KnowledgeBase::load(&Path::new(REPO).join("knowledge")).expect("fact base");
    let lexicon = &kb.lexicon;
    let mut g = c.benchmark_group("unanswered");
    g.sample_size(10);
    g.bench_function("list_100000", |b| {
        b.iter(|| {
            let groups = log.list(lexicon, None).expect("list");
            assert!(groups.len() > 1_000);
        })
    });
    g.finish();
}

criterion_group!(benches, rebuild, edit_to_answer, unanswered_list);
criterion_main!(benches);
