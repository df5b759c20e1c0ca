//! Time per question on the real fact base and on a generated one of 10,000 facts (loading and
//! building the index as the fact base grows: `benches/scale.rs`).
//!
//! Targets (issue 2): median ≤ 100 µs per question on the real base, ≤ 2 ms at 10,000 facts.

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use strikefacts::{Engine, Fact, KnowledgeBase};

/// Questions of every kind: paraphrase, typo, slang, keyword, multi-part, timeline, off-topic.
const QUESTIONS: &[&str] = &[
    "why are doctors striking?",
    "who is the health secretary now?",
    "wen did the novmber strike happen",
    "yo why r docs on strike lol",
    "ipsos poll 2016",
    "What was the 2024 deal worth, and what share of junior doctors accepted it?",
    "is there a strike this week?",
    "what is the best way to repot a cactus",
    "how many operations were cancelled in march 2016?",
    "what did streeting call the strikes?",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("date")
}

fn real() -> KnowledgeBase {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    KnowledgeBase::load(&dir).expect("fact base loads")
}

/// 10,000 facts made from the real ones: each copy gets its own id and two words of its own, so
/// the vocabulary and the postings lists grow as a real, larger fact base's would.
fn generated(n: usize) -> KnowledgeBase {
    let mut kb = real();
    let base: Vec<Fact> = kb.facts.clone();
    kb.facts = (0..n)
        .map(|i| {
            let mut f = base[i % base.len()].clone();
            f.id = format!("gen-{i}");
            let own = format!("topic{} area{}", i % 997, i / 997);
            f.phrasings = f.phrasings.iter().map(|p| format!("{p} {own}")).collect();
            f.keywords.push(own);
            f
        })
        .collect();
    kb
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(real());
    let big = Engine::new(generated(10_000));
    let mut group = c.benchmark_group("ask");
    for (i, q) in QUESTIONS.iter().enumerate() {
        group.bench_with_input(BenchmarkId::new("real", i), q, |b, q| {
            b.iter(|| engine.ask(black_box(q), today()))
        });
        group.bench_with_input(BenchmarkId::new("10k", i), q, |b, q| {
            b.iter(|| big.ask(black_box(q), today()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
