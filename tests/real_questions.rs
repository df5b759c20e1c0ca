//! The corpus of real questions (`tests/real-questions.jsonl`): questions taken word for word
//! from public pages, each with the page it came from and a split decided per page.
//!
//! These tests keep the corpus honest rather than scoring the bot: every expected string must
//! be in the source texts (so an expectation never asks for something the sources do not
//! say), no corpus question may repeat a question of the shared evaluation sets, and a page's
//! questions must all sit in the same split so the held-out part stays unseen. Each split also
//! has floors, what the engine reaches today (below issue 19's 85%), to be raised as it
//! improves; the held-out figures are read, never its misses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use strikefacts::eval::{by_split, load_questions, run, split_line, EvalQuestion};
use strikefacts::Engine;

const CORPUS: &str = "tests/real-questions.jsonl";
const SPLITS: [&str; 2] = ["tune", "held_out"];

/// Per split: the least share handled right (answered right, or declined when it must be) and
/// the most false answers.
const FLOORS: [(&str, f64, usize); 2] = [("held_out", 0.70, 20), ("tune", 0.59, 33)];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<EvalQuestion> {
    load_questions(&root().join(CORPUS)).expect("corpus loads")
}

/// Lower case, every run of non-alphanumerics one space: how two questions are compared.
fn normalise(q: &str) -> String {
    q.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of every file in a folder, lower-cased; None when the folder is absent.
fn folder_text(dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut text = String::new();
    for entry in entries.flatten() {
        if let Ok(t) = std::fs::read_to_string(entry.path()) {
            text.push_str(&t.to_lowercase());
            text.push('\n');
        }
    }
    Some(text)
}

#[test]
fn every_question_has_origin_split_and_kind() {
    let questions = corpus();
    assert!(questions.len() >= 300, "{} questions", questions.len());
    let mut ids = BTreeSet::new();
    for q in &questions {
        assert!(ids.insert(q.id.clone()), "duplicate id {}", q.id);
        let origin = q
            .origin
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no origin", q.id));
        assert!(origin.url.starts_with("http"), "{}: origin url", q.id);
        assert!(!origin.title.trim().is_empty(), "{}: origin title", q.id);
        let split = q.split.as_deref().unwrap_or("");
        assert!(SPLITS.contains(&split), "{}: split {split:?}", q.id);
        assert!(
            q.must_decline() || !q.expect_any.is_empty() || !q.expect_all.is_empty(),
            "{}: an answerable question needs expectations",
            q.id
        );
    }
    let declines = questions.iter().filter(|q| q.must_decline()).count();
    let share = declines as f64 / questions.len() as f64;
    assert!((0.2..=0.35).contains(&share), "decline share {share:.2}");
}

#[test]
fn a_page_sits_in_one_split() {
    let mut split_of: BTreeMap<String, String> = BTreeMap::new();
    for q in corpus() {
        let (Some(origin), Some(split)) = (q.origin, q.split) else {
            continue;
        };
        let first = split_of.entry(origin.url.clone()).or_insert(split.clone());
        assert_eq!(*first, split, "{} is in two splits", origin.url);
    }
    let held_out = corpus()
        .iter()
        .filter(|q| q.split.as_deref() == Some("held_out"))
        .count();
    assert!(held_out >= 100, "{held_out} held-out questions");
}

#[test]
fn expected_strings_are_in_the_sources() {
    let Some(sources) = folder_text(&root().join("../shared/sources")) else {
        eprintln!("../shared/sources absent: expectation check skipped");
        return;
    };
    for q in corpus() {
        for e in q.expect_any.iter().chain(&q.expect_all) {
            assert!(
                sources.contains(&e.to_lowercase()),
                "{}: {e:?} is not in the sources",
                q.id
            );
        }
    }
}

#[test]
fn no_question_repeats_a_shared_eval_question() {
    let dir = root().join("../shared/eval");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("../shared/eval absent: overlap check skipped");
        return;
    };
    let mut shared = BTreeSet::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for q in load_questions(&path).expect("shared eval loads") {
                shared.insert(normalise(&q.q));
            }
        }
    }
    let mut own = BTreeSet::new();
    for q in corpus() {
        let n = normalise(&q.q);
        assert!(!shared.contains(&n), "{} repeats an eval question", q.id);
        assert!(own.insert(n), "{} repeats a corpus question", q.id);
    }
}

#[test]
fn each_split_meets_its_floors() {
    let engine = Engine::load(&root().join("knowledge")).expect("the fact base loads");
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("a real day");
    let splits = by_split(&corpus());
    for (name, least, most_false) in FLOORS {
        let report = run(&engine, &splits[name], today);
        println!("{}", split_line(name, &report));
        let handled = (report.answerable.correct + report.abstain.correct) as f64
            / report.total().max(1) as f64;
        assert!(handled >= least, "{name}: handled right {handled:.3}");
        assert!(report.false_answers <= most_false, "{name}: false answers");
    }
}
