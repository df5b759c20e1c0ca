//! Every served fact has a display question, and `check` finds nothing wrong with any of them:
//! capitalised, a question, short enough for a button, no slang, and leading back to its fact.

use std::path::PathBuf;

use chrono::NaiveDate;
use strikefacts::{check, KnowledgeBase};

fn knowledge() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

#[test]
fn every_served_fact_has_a_display_question() {
    let kb = KnowledgeBase::load(&knowledge()).expect("the fact base loads");
    let missing: Vec<&str> = kb
        .served_facts()
        .filter(|f| f.question.is_none())
        .map(|f| f.id.as_str())
        .collect();
    assert!(missing.is_empty(), "no display question: {missing:?}");
}

#[test]
fn check_passes_every_display_question() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("a valid date");
    let problems: Vec<String> = check::check(&knowledge(), None, today)
        .iter()
        .filter(|p| p.message.contains("display question"))
        .map(|p| p.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn check_refuses_a_slangy_lower_case_or_misleading_display_question() {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(&knowledge(), dir.path());
    let path = dir.path().join("questions.toml");
    let text = std::fs::read_to_string(&path).expect("questions.toml");
    let text = text
        .replace(
            "\"Why are resident doctors striking in 2025?\"",
            "\"why are resident docs striking fr\"",
        )
        .replace(
            "\"Who are the BMA?\"",
            "\"When is the December 2025 resident doctors' strike?\"",
        );
    std::fs::write(&path, text).expect("write");
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("a valid date");
    let problems: Vec<String> = check::check(dir.path(), None, today)
        .iter()
        .map(|p| p.message.clone())
        .collect();
    let about = |needle: &str| problems.iter().any(|m| m.contains(needle));
    assert!(
        about("does not start with a capital letter"),
        "{problems:#?}"
    );
    assert!(about("slang word"), "{problems:#?}");
    assert!(about("does not end with"), "{problems:#?}");
    assert!(about("not to this one"), "{problems:#?}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
