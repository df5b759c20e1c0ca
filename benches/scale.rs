//! The fact base's costs as it grows, at the real fact base (155 served facts when this was
//! written) and at generated ones of 2,000 and 10,000 facts:
//! - `load/N`: reading and validating the files and building the index (`Engine::load`), what
//!   a start of the bot pays, and `strikefacts ask` the first time it meets these files;
//! - `load_kept_index/N`: the same with the index read back from the cache folder
//!   (`IndexCache::load`), what every later `strikefacts ask` on unchanged files pays;
//! - `index/N`: building the index alone (`Engine::new` on a loaded fact base);
//! - `edit_to_answer/N`: from a moderator's edit (validated: parse, check, question set) to the
//!   first answer that uses it; `edit_state_to_answer/N` the same for a fact marked `state`.
//!
//! Targets (issue 15): edit to answer at most 1 s and load at most 1 s at 10,000 facts (met by
//! the kept index), index at most 2 s at 10,000 facts. A generated fact is a real one with its own id and a word of its
//! own in every phrasing and keyword, so facts, phrasings and vocabulary all grow.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use strikefacts::moderation::{Actor, FactDraft, Moderation, ModerationConfig};
use strikefacts::{Engine, IndexCache, KnowledgeBase};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// The sizes measured: 0 is the real fact base.
const SIZES: [usize; 3] = [0, 2_000, 10_000];

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

/// A fact base folder (with the question set beside it, as moderation needs): the real one, or
/// `n` facts made from the real served ones.
fn fact_base(root: &Path, n: usize) -> PathBuf {
    let knowledge = root.join("knowledge");
    copy_dir(&Path::new(REPO).join("knowledge"), &knowledge);
    fs::create_dir_all(root.join("tests")).expect("tests dir");
    fs::copy(
        Path::new(REPO).join("tests/questions.jsonl"),
        root.join("tests/questions.jsonl"),
    )
    .expect("questions");
    if n == 0 {
        return knowledge;
    }
    let kb = KnowledgeBase::load(&knowledge).expect("fact base");
    let real: Vec<FactDraft> = kb
        .served_facts()
        .map(|f| FactDraft::from_toml(&fs::read_to_string(&f.path).expect("fact file")))
        .collect::<Result<_, _>>()
        .expect("fact drafts");
    fs::remove_dir_all(knowledge.join("facts")).expect("remove facts");
    for i in 0..n {
        let mut draft = real[i % real.len()].clone();
        draft.id = format!("{}-s{i}", draft.id);
        let tag = format!("synth{i}");
        for p in &mut draft.phrasings {
            p.push(' ');
            p.push_str(&tag);
        }
        draft.keywords.push(tag);
        let dir = knowledge.join("facts").join(&draft.dispute);
        fs::create_dir_all(&dir).expect("dispute dir");
        fs::write(dir.join(format!("{}.toml", draft.id)), draft.to_toml()).expect("write");
    }
    knowledge
}

fn label(n: usize) -> String {
    if n == 0 {
        "real".to_string()
    } else {
        n.to_string()
    }
}

fn load_and_index(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    for n in SIZES {
        let dir = tempfile::tempdir().expect("temp dir");
        let knowledge = fact_base(dir.path(), n);
        g.bench_function(BenchmarkId::new("load", label(n)), |b| {
            b.iter(|| Engine::load(&knowledge).expect("loads"))
        });
        let cache = IndexCache::new(dir.path().join("index"));
        cache.load(&knowledge).expect("loads and stores the index");
        g.bench_function(BenchmarkId::new("load_kept_index", label(n)), |b| {
            b.iter(|| cache.load(&knowledge).expect("loads"))
        });
        let kb = KnowledgeBase::load(&knowledge).expect("fact base");
        g.bench_function(BenchmarkId::new("index", label(n)), |b| {
            b.iter_batched(|| kb.clone(), Engine::new, BatchSize::LargeInput)
        });
    }
    g.finish();
}

fn edit_to_answer(c: &mut Criterion) {
    edits(c, "edit_to_answer", false);
    edits(c, "edit_state_to_answer", true);
}

/// A moderator's edit of a fact (one marked `state` when `state`, which asks the whole question
/// set again and checks every state fact) until the next answer uses it.
fn edits(c: &mut Criterion, name: &str, state: bool) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    for n in SIZES {
        let dir = tempfile::tempdir().expect("temp dir");
        let knowledge = fact_base(dir.path(), n);
        let config = ModerationConfig::new(&knowledge, dir.path().join("data"));
        let m = Moderation::open(config).expect("moderation");
        let engine = m.engine().load_full();
        let today = chrono::Local::now().date_naive();
        let (id, question) = engine
            .knowledge()
            .served_facts()
            .filter(|f| f.state == state)
            .find_map(|f| {
                let p = f.phrasings.first()?;
                let a = engine.ask(p, today);
                (a.facts.len() == 1 && a.facts[0].id == f.id).then(|| (f.id.clone(), p.clone()))
            })
            .expect("a fact its first phrasing finds");
        let original = m.show(&id).expect("show").draft.answer;
        let who = Actor::new("bench");
        let mut k = 0u64;
        g.bench_function(BenchmarkId::new(name, label(n)), |b| {
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
    }
    g.finish();
}

criterion_group!(benches, load_and_index, edit_to_answer);
criterion_main!(benches);
