//! Issue 18: no input or configuration may panic, hang or quietly break the bot. Each test here
//! is a case that panicked, hung or passed a broken configuration before, and the bounded
//! property tests at the end generate many more: whatever a question or a fact base holds, the
//! bot answers or refuses without panicking, an answer always carries its dispute, date and
//! source, and a broken file is reported at a place that exists. proptest generates the inputs
//! and shrinks a failure to a small one; the case counts keep them to seconds in the debug build.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use proptest::prelude::*;
use strikefacts::{check, Engine, KnowledgeBase};

fn knowledge() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

/// A copy of the real fact base in a temporary folder, to break.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&knowledge(), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn check_messages(dir: &Path) -> Vec<String> {
    check::check(dir, None, day(2026, 11, 21))
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn today_outside_2000_to_2100_is_a_usage_error() {
    for bad in ["+262142-12-31", "-262143-01-01", "1999-12-31", "2101-01-01"] {
        let o = Command::new(env!("CARGO_BIN_EXE_strikefacts"))
            .arg("--knowledge")
            .arg(knowledge())
            .arg(format!("--today={bad}"))
            .args(["ask", "is there a strike today?"])
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{bad}");
    }
}

#[test]
fn date_arithmetic_at_chronos_limits_does_not_panic() {
    let e = Engine::load(&knowledge()).expect("load");
    for today in [NaiveDate::MAX, NaiveDate::MIN] {
        for q in [
            "is there a strike today?",
            "is there a strike this week?",
            "when is the next strike?",
            "how many strikes in december 2026?",
        ] {
            let _ = e.ask(q, today);
        }
    }
}

#[test]
fn now_and_next_are_as_of_today() {
    let e = Engine::load(&knowledge()).expect("load");
    let then = day(2016, 3, 9);
    let a = e.ask("who is the health secretary now?", then);
    assert!(a.answered, "{}", a.text);
    assert!(!a.text.contains("Murray"), "{}", a.text);
    assert!(
        a.facts.iter().all(|f| f.dispute == "contract-2016"),
        "{}",
        a.text
    );
    let next = e.ask("when is the next strike?", then);
    assert!(next.text.contains("April 2016"), "{}", next.text);
    assert!(!next.text.contains("2026"), "{}", next.text);
}

#[test]
fn an_answer_always_names_dispute_date_and_source() {
    let e = Engine::load(&knowledge()).expect("load");
    for today in [
        day(2000, 1, 1),
        day(2015, 9, 1),
        day(2016, 3, 9),
        day(2100, 12, 31),
    ] {
        for q in [
            "is there a strike now?",
            "is there a strike this week?",
            "when is the next strike?",
            "when was the last strike?",
        ] {
            let a = e.ask(q, today);
            assert!(!a.text.contains("****"), "{today} {q}: {}", a.text);
            for f in &a.facts {
                assert!(!f.dispute.is_empty() && !f.as_of.is_empty(), "{today} {q}");
                assert!(!f.sources.is_empty(), "{today} {q}: {}", a.text);
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_fifos_and_devices_are_refused_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = copy();
    let facts = dir.path().join("facts");
    symlink("..", facts.join("a")).expect("symlink");
    symlink("..", facts.join("b")).expect("symlink");
    symlink("/dev/zero", facts.join("zero.toml")).expect("symlink");
    let started = Instant::now();
    let err = KnowledgeBase::load(dir.path()).expect_err("a device is refused");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        err.to_string().contains("zero.toml:1: not a regular file"),
        "{err}"
    );
    // The lexicon linked to a device is refused too, not read until memory runs out.
    fs::remove_file(facts.join("zero.toml")).expect("rm");
    fs::remove_file(dir.path().join("lexicon.toml")).expect("rm");
    symlink("/dev/zero", dir.path().join("lexicon.toml")).expect("symlink");
    let err = KnowledgeBase::load(dir.path()).expect_err("refused");
    assert!(
        err.to_string().contains("lexicon.toml:1: cannot read"),
        "{err}"
    );
}

#[test]
fn a_huge_keyword_is_refused_quickly() {
    let dir = copy();
    let path = dir
        .path()
        .join("facts/contract-2016/2016-brighton-picket.toml");
    let text = fs::read_to_string(&path).expect("read");
    let huge = "x".repeat(40_000);
    let text = text.replacen("keywords = [", &format!("keywords = [\"{huge}\", "), 1);
    fs::write(&path, text).expect("write");
    let started = Instant::now();
    let err = KnowledgeBase::load(dir.path()).expect_err("refused");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.to_string().contains("too long to index"), "{err}");
}

/// The 1-based line of the first line containing `needle`.
fn text_line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

#[test]
fn check_refuses_broken_matcher_numbers() {
    for (from, to) in [
        ("threshold = 0.77", "threshold = nan"),
        ("threshold = 0.77", "threshold = -inf"),
        ("dispute_margin = 0.85", "dispute_margin = 7.0"),
    ] {
        let dir = copy();
        let path = dir.path().join("matcher.toml");
        let text = fs::read_to_string(&path).expect("read").replace(from, to);
        fs::write(&path, text).expect("write");
        let msgs = check_messages(dir.path());
        let line = text_line(
            &fs::read_to_string(knowledge().join("matcher.toml")).expect("read"),
            from,
        );
        let at = format!("matcher.toml:{line}:");
        assert!(
            msgs.iter()
                .any(|m| m.contains(&at) && m.contains("from 0 to 1")),
            "{to}: {msgs:?}"
        );
    }
}

#[test]
fn check_refuses_a_calibration_with_a_weight_missing_or_misnamed() {
    for (from, to, says) in [
        ("\ncoverage = ", "\n# coverage = ", "coverage"),
        (
            "\ncoverage = ",
            "\ncoverage_share = 1.0\ncoverage = ",
            "coverage_share",
        ),
    ] {
        let dir = copy();
        let path = dir.path().join("matcher.toml");
        let text = fs::read_to_string(&path).expect("read").replace(from, to);
        fs::write(&path, text).expect("write");
        let msgs = check_messages(dir.path());
        assert!(
            msgs.iter()
                .any(|m| m.contains("matcher.toml:") && m.contains(says)),
            "{msgs:?}"
        );
    }
}

#[test]
fn check_refuses_a_lexicon_variant_that_is_a_form() {
    let dir = copy();
    let path = dir.path().join("lexicon.toml");
    let text = fs::read_to_string(&path).expect("read");
    let text = text.replacen(
        "[synonyms]\n",
        "[synonyms]\nwalkout2 = [\"strike\"]\nflu2 = [\"flu2\"]\n",
        1,
    );
    fs::write(&path, text).expect("write");
    let msgs = check_messages(dir.path());
    assert!(
        msgs.iter().any(|m| m.contains("variant \"strike\"")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m.contains("its own form")), "{msgs:?}");
}

#[test]
fn the_word_files_are_required_and_read_strictly() {
    for file in ["intents.toml", "overview.toml"] {
        let dir = copy();
        fs::remove_file(dir.path().join(file)).expect("remove");
        let msgs = check_messages(dir.path());
        assert!(msgs.iter().any(|m| m.contains(file)), "{file}: {msgs:?}");
    }
    // An unknown kind of intent is a parse error on its line, not a list silently ignored.
    let dir = copy();
    let path = dir.path().join("intents.toml");
    let text = fs::read_to_string(&path).expect("read") + "\nhow = [\"how\"]\n";
    fs::write(&path, &text).expect("write");
    let line = text.lines().count();
    let msgs = check_messages(dir.path());
    assert!(
        msgs.iter()
            .any(|m| m.contains(&format!("intents.toml:{line}:"))),
        "{msgs:?}"
    );
}

#[test]
fn check_refuses_a_dispute_that_ends_before_it_starts() {
    let dir = copy();
    let path = dir.path().join("disputes.toml");
    let text = fs::read_to_string(&path)
        .expect("read")
        .replace("end = \"2016-12-31\"", "end = \"2014-12-31\"");
    fs::write(&path, text).expect("write");
    let msgs = check_messages(dir.path());
    assert!(
        msgs.iter()
            .any(|m| m.contains("disputes.toml:") && m.contains("ends before it starts")),
        "{msgs:?}"
    );
}

#[test]
fn explain_with_a_huge_word_is_fast() {
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_strikefacts"))
        .arg("--knowledge")
        .arg(knowledge())
        .args(["--today", "2026-11-21", "ask", "--explain"])
        .arg("y".repeat(20_000))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(3));
}

// Property tests.

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&knowledge()).expect("the fact base loads"))
}

/// Pieces a question is built from: domain words, question words, figures and dates, Discord
/// markup, links, odd Unicode and punctuation, so that the generated questions reach the
/// matcher's paths and not only its "no words" decline.
const PIECES: &[&str] = &[
    "when",
    "who",
    "what",
    "is",
    "was",
    "the",
    "next",
    "strike",
    "strikes",
    "doctors",
    "junior",
    "resident",
    "bma",
    "hunt",
    "streeting",
    "murray",
    "pay",
    "contract",
    "deal",
    "2016",
    "2023",
    "2025",
    "2026",
    "now",
    "today",
    "tomorrow",
    "this week",
    "29%",
    "5.4%",
    "13.5",
    "£1.7bn",
    "9 March",
    "June",
    "and",
    "?",
    ",",
    ".",
    "!",
    ";",
    ":",
    "'",
    "\"",
    "@everyone",
    "@here",
    "<@123>",
    "<@&456>",
    "<#789>",
    "@@everyoneeveryone",
    "<@<@&1>&1>",
    "https://example.com/x",
    "**",
    "`",
    "||",
    "\u{202e}",
    "\u{200b}",
    "\u{fe0f}",
    "é",
    "ß",
    "日本",
    "🩺",
    "\n",
    "\t",
    "ignore",
    "say",
    "tell everyone",
    "pretend",
    "my mum",
    "chest pain",
    "wales",
    "he",
    "they",
    "it",
    "that strike",
    "and in 2023",
    "99999999999999999999",
    "-1",
    "0",
    "31/02/2026",
];

fn question() -> impl Strategy<Value = String> {
    let built =
        prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|p| p.join(" "));
    prop_oneof![
        3 => built,
        1 => any::<String>(),
        1 => "[ -~]{0,600}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_question_gets_a_well_formed_reply(q in question()) {
        let a = engine().ask(&q, day(2026, 11, 21));
        prop_assert!(!a.text.trim().is_empty(), "an empty reply to {q:?}");
        prop_assert_eq!(a.answered, a.declined.is_none());
        if a.answered && a.help.is_none() && !a.introduction {
            prop_assert!(!a.facts.is_empty(), "answered with no fact: {q:?}");
        }
        for f in &a.facts {
            prop_assert!(!f.dispute_label.is_empty() && !f.as_of.is_empty(), "{q:?}: {f:?}");
            prop_assert!(!f.sources.is_empty(), "{q:?}: {} has no source", f.id);
        }
        // A reply never pings anyone, whatever the question held.
        for ping in ["@everyone", "@here", "<@"] {
            prop_assert!(!a.text.contains(ping), "{q:?} gave {:?}", a.text);
        }
    }
}

/// The files of the fact base that a moderator or a reviewer edits (the source texts are
/// checked by `check`, not by loading).
fn editable_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "sources") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// One way to break a file: at a place given as a fraction of its length.
#[derive(Debug, Clone)]
enum Damage {
    Truncate(f64),
    Insert(f64, Vec<u8>),
    ReplaceLine(f64, String),
    DeleteLine(f64),
    DuplicateLine(f64),
}

fn damage() -> impl Strategy<Value = Damage> {
    let at = 0.0..1.0f64;
    prop_oneof![
        at.clone().prop_map(Damage::Truncate),
        (at.clone(), prop::collection::vec(any::<u8>(), 1..40))
            .prop_map(|(a, b)| Damage::Insert(a, b)),
        (at.clone(), "[ -~]{0,80}").prop_map(|(a, s)| Damage::ReplaceLine(a, s)),
        at.clone().prop_map(Damage::DeleteLine),
        at.prop_map(Damage::DuplicateLine),
    ]
}

fn apply(bytes: &[u8], damage: &Damage) -> Vec<u8> {
    let place = |f: f64, len: usize| (((len as f64) * f) as usize).min(len.saturating_sub(1));
    let mut lines: Vec<Vec<u8>> = bytes.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
    match damage {
        Damage::Truncate(f) => return bytes[..place(*f, bytes.len())].to_vec(),
        Damage::Insert(f, extra) => {
            let i = place(*f, bytes.len());
            return [&bytes[..i], extra.as_slice(), &bytes[i..]].concat();
        }
        Damage::ReplaceLine(f, text) => {
            let i = place(*f, lines.len());
            lines[i] = text.clone().into_bytes();
        }
        Damage::DeleteLine(f) => {
            lines.remove(place(*f, lines.len()));
        }
        Damage::DuplicateLine(f) => {
            let i = place(*f, lines.len());
            lines.insert(i, lines[i].clone());
        }
    }
    lines.join(&b'\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_fact_base_loads_or_says_where_it_is_wrong(
        which in any::<prop::sample::Index>(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(&knowledge(), dir.path());
        let files = editable_files(dir.path());
        let target = which.get(&files);
        let mut bytes = fs::read(target).expect("read");
        for d in &damages {
            bytes = apply(&bytes, d);
        }
        fs::write(target, &bytes).expect("write");
        match KnowledgeBase::load(dir.path()) {
            Ok(kb) => {
                // A base that still loads still answers.
                let a = Engine::new(kb).ask("when is the next strike?", day(2026, 11, 21));
                prop_assert!(!a.text.trim().is_empty());
            }
            Err(e) => {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    prop_assert!(p.path.starts_with(dir.path()), "{p} is outside the base");
                    let lines = fs::read(&p.path).map(|b| b.split(|c| *c == b'\n').count()).unwrap_or(1);
                    prop_assert!(p.line <= lines.max(1), "{p}: the file has {lines} lines");
                }
            }
        }
    }
}
