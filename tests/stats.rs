//! The usage figures on a generated counter log: the library's figures (`moderation::stats`),
//! the `/stats` layout's limits, the counters' file, and `strikefacts stats` as people run it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use serde_json::Value;

use strikefacts::discord::reply::limits;
use strikefacts::discord::stats::layout;
use strikefacts::moderation::stats::{self, StatsError};
use strikefacts::moderation::usage::{self, DayCounts, UsageData, UsageLog};
use strikefacts::{Engine, KnowledgeBase};

const TODAY: &str = "2026-11-21";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn knowledge() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

fn kb() -> KnowledgeBase {
    Engine::load(&knowledge())
        .expect("the fact base loads")
        .knowledge()
        .clone()
}

/// Two served facts of the fact base, and their disputes.
fn two_facts(kb: &KnowledgeBase) -> [(String, String); 2] {
    let mut served = kb.served_facts();
    let mut next = || {
        let f = served.next().expect("a served fact");
        (f.id.clone(), f.dispute.clone())
    };
    [next(), next()]
}

/// Three days of counts: 21 Nov (5 answered, 1 declined, 1 other), 19 Nov (2 answered, 2
/// declined), and 1 Oct, outside a 7-day window (100 answered). Fact A is asked 5 times, B 2.
fn generated(kb: &KnowledgeBase) -> UsageData {
    let [(a, da), (b, db)] = two_facts(kb);
    let mut data = UsageData::default();
    let mut put = |d: &str, answered, declined, other, facts: &[(&str, &str, u64)]| {
        let mut c = DayCounts {
            answered,
            declined,
            other,
            ..DayCounts::default()
        };
        for (id, dispute, n) in facts {
            *c.facts.entry(id.to_string()).or_default() += n;
            *c.disputes.entry(dispute.to_string()).or_default() += n;
        }
        data.days.insert(day(d), c);
    };
    put("2026-11-21", 5, 1, 1, &[(a.as_str(), da.as_str(), 4)]);
    put(
        "2026-11-19",
        2,
        2,
        0,
        &[(a.as_str(), da.as_str(), 1), (b.as_str(), db.as_str(), 1)],
    );
    put("2026-10-01", 100, 0, 0, &[(b.as_str(), db.as_str(), 100)]);
    data
}

#[test]
fn the_figures_of_a_window_come_from_its_days_only() {
    let kb = kb();
    let [(a, da), (b, _)] = two_facts(&kb);
    let s = stats::compute(&generated(&kb), &kb, day(TODAY), 7).expect("figures");
    assert_eq!((s.from, s.to), (day("2026-11-15"), day(TODAY)));
    assert_eq!(s.per_day.len(), 7, "every day, empty ones included");
    assert_eq!(
        (s.totals.answered, s.totals.declined, s.totals.other),
        (7, 3, 1)
    );
    assert_eq!(s.totals.decline_rate, Some(0.3));
    let last = s.per_day.last().expect("today");
    assert_eq!(
        (last.answered, last.declined, last.decline_rate),
        (5, 1, Some(1.0 / 6.0))
    );
    assert_eq!(s.per_day[0].decline_rate, None, "nothing asked on 15 Nov");
    let top: Vec<(&str, u64)> = s
        .top_facts
        .iter()
        .map(|f| (f.id.as_str(), f.count))
        .collect();
    assert_eq!(top, [(a.as_str(), 5), (b.as_str(), 1)]);
    assert!(!s.never_asked.contains(&a) && !s.never_asked.contains(&b));
    assert_eq!(s.never_asked.len(), kb.served_facts().count() - 2);
    let dispute = s
        .per_dispute
        .iter()
        .find(|d| d.id == da)
        .expect("A's dispute");
    assert!(dispute.answered >= 5);
    assert_eq!(s.per_dispute.len(), kb.disputes.len());
    // The decline rate over time: one 7-day period, the whole window.
    assert_eq!(s.trend.len(), 1);
    assert_eq!(s.trend[0].decline_rate, Some(0.3));
    // The October day counts in a longer window.
    let long = stats::compute(&generated(&kb), &kb, day(TODAY), 60).expect("figures");
    assert_eq!(long.totals.answered, 107);
    assert_eq!(long.top_facts[0].id, b);
    assert_eq!(long.trend.len(), 9, "60 days in 7-day periods");
}

#[test]
fn facts_past_review_by_are_listed_and_the_window_is_bounded() {
    let kb = kb();
    let due: BTreeSet<String> = kb
        .served_facts()
        .filter(|f| f.review_by.is_some_and(|r| r < day("2027-06-01")))
        .map(|f| f.id.clone())
        .collect();
    assert!(!due.is_empty(), "the fact base has review dates");
    let later = stats::compute(&UsageData::default(), &kb, day("2027-06-01"), 30).expect("ok");
    let listed: BTreeSet<String> = later.past_review.iter().map(|r| r.id.clone()).collect();
    assert_eq!(listed, due);
    let now = stats::compute(&UsageData::default(), &kb, day(TODAY), 30).expect("ok");
    assert!(now.past_review.iter().all(|r| r.review_by < day(TODAY)));
    assert_eq!(now.never_asked.len(), kb.served_facts().count());
    assert_eq!(
        stats::compute(&UsageData::default(), &kb, day(TODAY), 0),
        Err(StatsError::Days(0))
    );
    assert!(stats::compute(&UsageData::default(), &kb, day(TODAY), 367).is_err());
}

#[test]
fn the_charts_scale_bars_and_group_days_to_fit() {
    let kb = kb();
    let s = stats::compute(&generated(&kb), &kb, day(TODAY), 7).expect("figures");
    let chart = stats::bar_chart(&s.per_day, 20);
    let lines: Vec<&str> = chart.lines().collect();
    assert_eq!(lines.len(), 7);
    // 21 Nov is the busiest day (7 replies): its bar is the full width.
    let today = lines[6];
    assert!(today.starts_with("21 Nov"), "{today}");
    assert_eq!(
        today.chars().filter(|c| "█░▒".contains(*c)).count(),
        20,
        "{today}"
    );
    assert!(today.ends_with("5 / 1 / 1"), "{today}");
    assert_eq!(
        lines[0].chars().filter(|c| *c == '█').count(),
        0,
        "{}",
        lines[0]
    );
    let grouped = stats::fit_rows(&s.per_day, 3);
    assert_eq!(grouped.len(), 3);
    assert_eq!(grouped.iter().map(|p| p.answered).sum::<u64>(), 7);
    let text = stats::render_text(&s);
    assert!(text.contains(stats::SCOPE), "says the figures are global");
    assert!(text.contains("30%"), "{text}");
}

#[test]
fn the_stats_embed_fits_discord_on_a_full_year() {
    let kb = kb();
    let mut data = UsageData::default();
    let start = day("2025-11-21");
    for (i, d) in start.iter_days().take(366).enumerate() {
        let mut c = DayCounts {
            answered: 100_000 + i as u64,
            declined: 99_999,
            ..DayCounts::default()
        };
        for f in kb.served_facts().skip(i % 3) {
            c.facts.insert(f.id.clone(), 1_000);
        }
        data.days.insert(d, c);
    }
    let s = stats::compute(&data, &kb, day(TODAY), 366).expect("figures");
    let l = layout(&s);
    assert!(l.description.chars().count() <= limits::EMBED_DESCRIPTION);
    assert!(l.fields.iter().all(|(_, v)| v.chars().count() <= 1024));
    assert!(
        l.total_chars() <= limits::EMBED_TOTAL,
        "{}",
        l.total_chars()
    );
    assert!(l.description.contains("days grouped"), "{}", l.description);
    assert_eq!(
        l.description.matches("```").count(),
        4,
        "two whole code blocks"
    );
}

#[test]
fn the_counter_file_survives_a_restart_and_a_corrupt_one_is_kept() {
    let dir = tempfile::tempdir().expect("a folder");
    let engine = Engine::load(&knowledge()).expect("loads");
    let answer = engine.ask("why are resident doctors striking?", day(TODAY));
    let declined = engine.ask("what is the capital of france", day(TODAY));
    assert!(answer.answered && !declined.answered);
    {
        let log = UsageLog::open(dir.path(), BTreeSet::new()).expect("opens");
        log.record(day(TODAY), Some(1), &answer);
        log.record(day(TODAY), None, &declined);
        log.flush().expect("writes");
    }
    let reopened = UsageLog::open(dir.path(), BTreeSet::new()).expect("opens");
    let c = &reopened.snapshot().days[&day(TODAY)];
    assert_eq!((c.answered, c.declined), (1, 1));
    assert_eq!(c.facts.len(), {
        let ids: BTreeSet<&str> = answer.facts.iter().map(|f| f.id.as_str()).collect();
        ids.len()
    });
    drop(reopened);
    // Broken: moved aside on open, and counting starts again.
    fs::write(dir.path().join(usage::FILE_NAME), "[1, 2").expect("write");
    let log = UsageLog::open(dir.path(), BTreeSet::new()).expect("opens");
    assert!(log.snapshot().days.is_empty());
    log.record(day(TODAY), None, &declined);
    log.flush().expect("writes");
    let kept: Vec<String> = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("usage.json.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        fs::read_to_string(dir.path().join(&kept[0])).expect("read"),
        "[1, 2"
    );
}

fn run_stats(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strikefacts"))
        .arg("--knowledge")
        .arg(knowledge())
        .arg("--today")
        .arg(TODAY)
        .arg("stats")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run strikefacts")
}

fn write_log(dir: &Path, data: &UsageData) {
    let text = serde_json::to_string(data).expect("encode");
    fs::write(dir.join(usage::FILE_NAME), text).expect("write the log");
}

#[test]
fn cli_stats_prints_the_figures_as_json_and_text() {
    let kb = kb();
    let [(a, _), _] = two_facts(&kb);
    let dir = tempfile::tempdir().expect("a folder");
    write_log(dir.path(), &generated(&kb));
    let o = run_stats(dir.path(), &["--days", "7", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["days"], 7);
    assert_eq!(v["totals"]["answered"], 7);
    assert_eq!(v["totals"]["declined"], 3);
    assert_eq!(v["per_day"].as_array().map(Vec::len), Some(7));
    assert_eq!(v["top_facts"][0]["id"], a.as_str());
    assert_eq!(v["top_facts"][0]["count"], 5);
    assert!(!v.to_string().contains("user"), "no user ids: {v}");

    let o = run_stats(dir.path(), &["--days", "7"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(stats::SCOPE), "{text}");
    assert!(
        text.contains("7 answered, 3 declined, 1 other; 30% declined"),
        "{text}"
    );
    assert!(text.contains('█') && text.contains('░'), "{text}");
    assert!(text.contains(&format!("1. ×5 `{a}`")), "{text}");
}

#[test]
fn cli_stats_refuses_a_bad_window_and_a_corrupt_log_without_touching_it() {
    let dir = tempfile::tempdir().expect("a folder");
    let empty = run_stats(dir.path(), &["--json"]);
    assert!(empty.status.success());
    let v: Value = serde_json::from_slice(&empty.stdout).expect("JSON");
    assert_eq!(v["days"], 30);
    assert_eq!(v["totals"]["answered"], 0);
    assert!(
        !dir.path().join(usage::FILE_NAME).exists(),
        "nothing written"
    );
    for days in ["0", "367"] {
        let o = run_stats(dir.path(), &["--days", days]);
        assert_eq!(o.status.code(), Some(2), "--days {days}");
    }
    let path = dir.path().join(usage::FILE_NAME);
    fs::write(&path, "{oops").expect("write");
    let o = run_stats(dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("usage.json"));
    assert_eq!(fs::read_to_string(&path).expect("read"), "{oops");
}
