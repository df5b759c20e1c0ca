//! Figures for the moderation closing note, in a release build: `unanswered/list_100000`,
//! listing an unanswered log of 100,000 distinct questions. Edits, loading and the index as the
//! fact base grows are in `benches/scale.rs`.

use std::fs;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use strikefacts::moderation::UnansweredLog;
use strikefacts::KnowledgeBase;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

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

criterion_group!(benches, unanswered_list);
criterion_main!(benches);
