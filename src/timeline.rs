//! Questions about *when* strikes happen, answered from the structured strike periods.
//!
//! "When was the first strike?", "how many strikes were there in 2023?", "is there a strike this
//! week?" depend on today's date and on counting, so they are computed from
//! `knowledge/timeline.toml` rather than written as facts that would go stale.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::answer::{FactAnswer, SourceRef};
use crate::knowledge::KnowledgeBase;
use crate::model::{StrikePeriod, StrikeStatus};

/// The confidence of a timeline question whose every word the timeline accounts for.
pub const FULLY_EXPLAINED: f32 = 0.95;

/// A question the timeline answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineQuery {
    First,
    Last,
    Next,
    /// Is a strike on today (or, with `week`, this week)?
    Now {
        week: bool,
    },
    CountInYear(i32),
}

/// Words a timeline question may use besides its key word; anything else in the question is a
/// topic the timeline cannot speak to, and lowers the confidence.
const TIMELINE_WORDS: &[&str] = &[
    "strike", "doctor", "junior", "date", "day", "week", "time", "start", "begin", "began",
    "happen", "held", "take", "place", "plan", "schedul", "announc", "1st", "last", "next",
    "upcom", "futur", "come", "previous", "recent", "earliest", "ever", "nhs", "england", "bma",
    "today", "tomorrow", "week", "go", "went", "there", "on", "call", "due", "expect",
];

/// Recognises a timeline question from its folded words and stemmed tokens, with a confidence in
/// [0, 1] that falls with every word the timeline cannot account for.
pub fn detect(
    words: &[String],
    tokens: &[String],
    years: &[i32],
    now: bool,
) -> Option<(TimelineQuery, f32)> {
    if !tokens.iter().any(|t| t == "strike") {
        return None;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined = format!(" {} ", words.join(" "));
    let query = if joined.contains(" how many ") {
        TimelineQuery::CountInYear(*years.first()?)
    } else if has("1st") || has("earliest") {
        TimelineQuery::First
    } else if has("next") || has("upcoming") {
        TimelineQuery::Next
    } else if has("last") || has("latest") || has("previous") || joined.contains(" most recent ") {
        TimelineQuery::Last
    } else if now || joined.contains(" this week ") || has("tomorrow") {
        TimelineQuery::Now {
            week: joined.contains(" this week "),
        }
    } else {
        return None;
    };
    let topic: Vec<&String> = tokens
        .iter()
        .filter(|t| !(t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())))
        .collect();
    let explained = topic
        .iter()
        .filter(|t| TIMELINE_WORDS.iter().any(|w| t.starts_with(w)))
        .count();
    // Every word the timeline cannot account for ("all-out", "joint") is a topic of its own that
    // a fact may answer better: the confidence falls steeply with them.
    let share = explained as f32 / topic.len().max(1) as f32;
    Some((query, FULLY_EXPLAINED * share * share))
}

/// One or more statements answering a timeline question, newest dispute first.
pub fn answer(
    kb: &KnowledgeBase,
    query: TimelineQuery,
    disputes: &[String],
    today: NaiveDate,
) -> Vec<FactAnswer> {
    let in_scope = |p: &&StrikePeriod| disputes.is_empty() || disputes.contains(&p.dispute);
    let held: Vec<&StrikePeriod> = kb
        .timeline
        .iter()
        .filter(in_scope)
        .filter(|p| p.status != StrikeStatus::Suspended)
        .collect();
    let now = today.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    let past: Vec<&StrikePeriod> = held.iter().copied().filter(|p| p.start <= now).collect();
    match query {
        TimelineQuery::First => {
            let mut out = Vec::new();
            let mut ids: Vec<&str> = kb.disputes.iter().map(|d| d.id.as_str()).collect();
            ids.retain(|id| disputes.is_empty() || disputes.iter().any(|d| d == id));
            for id in ids.iter().rev() {
                if let Some(p) = past.iter().find(|p| p.dispute == *id) {
                    out.push(statement(
                        kb,
                        &[p],
                        format!(
                            "The first strike of the {} was {}: {}",
                            dispute_label(kb, id),
                            when(p),
                            p.summary
                        ),
                    ));
                }
            }
            out
        }
        TimelineQuery::Last => past
            .last()
            .map(|p| {
                vec![statement(
                    kb,
                    &[p],
                    format!(
                        "The most recent strike in my records was {} ({}): {}",
                        when(p),
                        dispute_label(kb, &p.dispute),
                        p.summary
                    ),
                )]
            })
            .unwrap_or_default(),
        TimelineQuery::Next => {
            let next = held
                .iter()
                .find(|p| p.start > now && p.status == StrikeStatus::Planned);
            match next {
                Some(p) => vec![statement(
                    kb,
                    &[p],
                    format!("The next announced strike is {}: {}", when(p), p.summary),
                )],
                None => {
                    let mut text = format!(
                        "No strike after {} is announced in my records (kept current by the \
                         server's moderators).",
                        fmt_day(today)
                    );
                    let cite: Vec<&StrikePeriod> = past.last().copied().into_iter().collect();
                    if let Some(p) = cite.first() {
                        text.push_str(&format!(" The most recent one was {}.", when(p)));
                    }
                    vec![statement(kb, &cite, text)]
                }
            }
        }
        TimelineQuery::Now { week } => {
            let (from, to, span) = if week {
                let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
                (
                    monday.and_time(NaiveTime::MIN),
                    (monday + Duration::days(7)).and_time(NaiveTime::MIN),
                    "this week",
                )
            } else {
                (
                    today.and_time(NaiveTime::MIN),
                    (today + Duration::days(1)).and_time(NaiveTime::MIN),
                    "today",
                )
            };
            let on: Vec<&StrikePeriod> = held
                .iter()
                .copied()
                .filter(|p| p.start < to && p.end > from)
                .collect();
            if let Some(p) = on.first() {
                return vec![statement(
                    kb,
                    &[p],
                    format!("Yes: a strike is on {span}, {}: {}", when(p), p.summary),
                )];
            }
            let newest = kb
                .served_facts()
                .filter(|f| disputes.is_empty() || disputes.contains(&f.dispute))
                .map(|f| f.as_of)
                .max();
            let mut text = format!(
                "No strike is on {span} ({}) as far as my records go",
                fmt_day(today)
            );
            if let Some(n) = newest {
                text.push_str(&format!(
                    "; my newest fact is dated {n}, and the server's moderators keep the facts \
                     current"
                ));
            }
            text.push('.');
            let last: Vec<&StrikePeriod> = past.last().copied().into_iter().collect();
            if let Some(p) = last.first() {
                text.push_str(&format!(
                    " The most recent strike was {} ({}).",
                    when(p),
                    dispute_label(kb, &p.dispute)
                ));
            }
            vec![statement(kb, &last, text)]
        }
        TimelineQuery::CountInYear(year) => {
            let in_year: Vec<&StrikePeriod> = past
                .iter()
                .copied()
                .filter(|p| p.start.year() == year)
                .collect();
            if in_year.is_empty() {
                return Vec::new();
            }
            let list: Vec<String> = in_year.iter().map(|p| when(p)).collect();
            vec![statement(
                kb,
                &in_year,
                format!(
                    "My records list {} strike period{} that began in {year}: {}.",
                    in_year.len(),
                    if in_year.len() == 1 { "" } else { "s" },
                    list.join("; ")
                ),
            )]
        }
    }
}

fn dispute_label(kb: &KnowledgeBase, id: &str) -> String {
    kb.dispute(id)
        .map(|d| d.label.clone())
        .unwrap_or_else(|| id.to_string())
}

/// Builds the answer line for a set of periods, citing their sources.
fn statement(kb: &KnowledgeBase, periods: &[&StrikePeriod], text: String) -> FactAnswer {
    let mut sources: Vec<SourceRef> = Vec::new();
    for p in periods {
        for id in &p.sources {
            if let Some(s) = kb.source(id) {
                let r = SourceRef::from(s);
                if !sources.contains(&r) {
                    sources.push(r);
                }
            }
        }
    }
    let dispute = periods
        .first()
        .map(|p| p.dispute.clone())
        .unwrap_or_default();
    let as_of = periods
        .iter()
        .map(|p| p.end.date())
        .max()
        .map(fmt_day)
        .unwrap_or_default();
    FactAnswer {
        id: format!(
            "timeline:{}",
            periods
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ),
        dispute_label: dispute_label(kb, &dispute),
        dispute,
        answer: text,
        as_of,
        confidence: 0.0,
        sources,
        stale: false,
        contested: None,
    }
}

fn fmt_day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn fmt_time(t: NaiveDateTime) -> String {
    let h = t.format("%-I%P").to_string();
    if t.format("%M").to_string() == "00" {
        h
    } else {
        t.format("%-I:%M%P").to_string()
    }
}

/// "8am 9 Mar 2016 to 8am 11 Mar 2016" or "13 Jul 2023 to 18 Jul 2023".
pub fn when(p: &StrikePeriod) -> String {
    let (s, e) = (p.start, p.end);
    if p.has_time {
        if s.date() == e.date() {
            format!("{}, {} to {}", fmt_day(s.date()), fmt_time(s), fmt_time(e))
        } else {
            format!(
                "{} {} to {} {}",
                fmt_time(s),
                fmt_day(s.date()),
                fmt_time(e),
                fmt_day(e.date())
            )
        }
    } else if s.date() == e.date() {
        fmt_day(s.date())
    } else {
        format!("{} to {}", fmt_day(s.date()), fmt_day(e.date()))
    }
}
