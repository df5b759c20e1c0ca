//! The usage figures moderators read (`strikefacts stats`, `/stats`), from the daily counters of
//! [`super::usage`] and the fact base.
//!
//! It exists so both front ends show the same figures: [`compute`] is a pure function of a
//! counter snapshot, the facts, today and a window of days, and the renderers here (a text
//! report with bar charts, JSON) are shared; the Discord command only lays the same pieces out
//! within Discord's limits. The figures are global: the fact base is shared by every server
//! the bot is in, and counts from all of them (and from DMs) are added up.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::usage::{DayCounts, UsageData, TIMELINE_KEY};
use crate::knowledge::KnowledgeBase;

/// The window `stats` shows without `--days`.
pub const DEFAULT_DAYS: u32 = 30;
/// The longest window: every day the counters keep.
pub const MAX_DAYS: u32 = super::usage::MAX_DAYS as u32;
/// How many of the most asked facts are listed.
pub const TOP_FACTS: usize = 10;
/// The days in each period of the decline rate over time.
pub const TREND_DAYS: usize = 7;
/// Said with every report: where the figures come from.
pub const SCOPE: &str = "All servers and direct messages together (the fact base is shared); \
     counts only, never who asked or what.";
/// The legend of the bar charts.
pub const LEGEND: &str = "█ answered  ░ declined  ▒ other (introductions, NHS signposting)";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatsError {
    #[error("{0} days is outside the window the figures keep: give 1 to {MAX_DAYS}")]
    Days(u32),
}

/// The counts of one day or of a run of days.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub answered: u64,
    pub declined: u64,
    pub other: u64,
    /// Declined over answered plus declined; none when nothing was asked.
    pub decline_rate: Option<f64>,
}

impl Period {
    fn of(from: NaiveDate, to: NaiveDate, days: &[&DayCounts]) -> Period {
        Period::sum(
            from,
            to,
            days.iter().map(|d| (d.answered, d.declined, d.other)),
        )
    }

    /// The period from `from` to `to` of these (answered, declined, other) counts.
    fn sum(
        from: NaiveDate,
        to: NaiveDate,
        counts: impl Iterator<Item = (u64, u64, u64)>,
    ) -> Period {
        let mut p = Period {
            from,
            to,
            ..Period::default()
        };
        for (answered, declined, other) in counts {
            p.answered += answered;
            p.declined += declined;
            p.other += other;
        }
        let asked = p.answered + p.declined;
        p.decline_rate = (asked > 0).then(|| p.declined as f64 / asked as f64);
        p
    }

    fn total(&self) -> u64 {
        self.answered + self.declined + self.other
    }

    /// "21 Nov", or "15 Nov–21 Nov" for a run of days.
    pub fn label(&self) -> String {
        if self.from == self.to {
            self.from.format("%d %b").to_string()
        } else {
            format!("{}–{}", self.from.format("%d %b"), self.to.format("%d %b"))
        }
    }
}

/// Answers from one dispute's facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeCount {
    pub id: String,
    pub label: String,
    pub answered: u64,
}

/// How often one fact was used in an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactCount {
    pub id: String,
    /// Its display question, when it has one.
    pub question: Option<String>,
    pub count: u64,
}

/// A served fact whose `review_by` date has passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PastReview {
    pub id: String,
    pub review_by: NaiveDate,
}

/// The figures of a window of days ending today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub scope: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: u32,
    pub totals: Period,
    /// Every day of the window, oldest first, days with nothing asked included.
    pub per_day: Vec<Period>,
    /// The decline rate over time: runs of [`TREND_DAYS`] days, the newest ending today.
    pub trend: Vec<Period>,
    pub per_dispute: Vec<DisputeCount>,
    /// The most asked facts, most asked first (at most [`TOP_FACTS`]).
    pub top_facts: Vec<FactCount>,
    /// Served facts no answer used in the window.
    pub never_asked: Vec<String>,
    pub past_review: Vec<PastReview>,
}

/// The figures of the `days` days ending `today`.
pub fn compute(
    data: &UsageData,
    kb: &KnowledgeBase,
    today: NaiveDate,
    days: u32,
) -> Result<Stats, StatsError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StatsError::Days(days));
    }
    let from = today
        .checked_sub_days(Days::new(u64::from(days - 1)))
        .unwrap_or(NaiveDate::MIN);
    let empty = DayCounts::default();
    let window: Vec<(NaiveDate, &DayCounts)> = from
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|d| (d, data.days.get(&d).unwrap_or(&empty)))
        .collect();
    let per_day: Vec<Period> = window
        .iter()
        .map(|(d, c)| Period::of(*d, *d, &[*c]))
        .collect();
    let all: Vec<&DayCounts> = window.iter().map(|(_, c)| *c).collect();
    let mut facts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut disputes: BTreeMap<&str, u64> = BTreeMap::new();
    for c in &all {
        for (id, n) in &c.facts {
            *facts.entry(id.as_str()).or_default() += n;
        }
        for (id, n) in &c.disputes {
            *disputes.entry(id.as_str()).or_default() += n;
        }
    }
    Ok(Stats {
        scope: SCOPE,
        from,
        to: today,
        days,
        totals: Period::of(from, today, &all),
        trend: buckets(&per_day, TREND_DAYS),
        per_day,
        per_dispute: per_dispute(kb, &disputes),
        top_facts: top_facts(kb, &facts),
        never_asked: kb
            .served_facts()
            .filter(|f| !facts.contains_key(f.id.as_str()))
            .map(|f| f.id.clone())
            .collect(),
        past_review: past_review(kb, today),
    })
}

/// The served facts whose `review_by` is before `today`.
fn past_review(kb: &KnowledgeBase, today: NaiveDate) -> Vec<PastReview> {
    kb.served_facts()
        .filter_map(|f| {
            let review_by = f.past_review(today)?;
            Some(PastReview {
                id: f.id.clone(),
                review_by,
            })
        })
        .collect()
}

/// Each dispute of the fact base in its order, then any other the counters name (a dispute
/// since removed).
fn per_dispute(kb: &KnowledgeBase, counts: &BTreeMap<&str, u64>) -> Vec<DisputeCount> {
    let mut out: Vec<DisputeCount> = kb
        .disputes
        .iter()
        .map(|d| DisputeCount {
            id: d.id.clone(),
            label: d.label.clone(),
            answered: counts.get(d.id.as_str()).copied().unwrap_or(0),
        })
        .collect();
    for (id, n) in counts {
        if !kb.disputes.iter().any(|d| d.id == *id) {
            out.push(DisputeCount {
                id: id.to_string(),
                label: id.to_string(),
                answered: *n,
            });
        }
    }
    out
}

fn top_facts(kb: &KnowledgeBase, counts: &BTreeMap<&str, u64>) -> Vec<FactCount> {
    let mut ranked: Vec<(&str, u64)> = counts.iter().map(|(id, n)| (*id, *n)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .into_iter()
        .take(TOP_FACTS)
        .map(|(id, count)| FactCount {
            id: id.to_string(),
            question: if id == TIMELINE_KEY {
                Some("(computed from the strike timeline)".to_string())
            } else {
                kb.fact(id).and_then(|f| f.question.clone())
            },
            count,
        })
        .collect()
}

/// The days grouped into runs of `size` (the newest run ends on the last day; the oldest may be
/// shorter).
pub fn buckets(per_day: &[Period], size: usize) -> Vec<Period> {
    let size = size.max(1);
    let mut out: Vec<Period> = per_day
        .rchunks(size)
        .filter_map(|run| {
            let (first, last) = (run.first()?, run.last()?);
            let counts = run.iter().map(|p| (p.answered, p.declined, p.other));
            Some(Period::sum(first.from, last.to, counts))
        })
        .collect();
    out.reverse();
    out
}

/// The days grouped so that at most `max_rows` rows remain.
pub fn fit_rows(per_day: &[Period], max_rows: usize) -> Vec<Period> {
    let size = per_day.len().div_ceil(max_rows.max(1));
    if size <= 1 {
        per_day.to_vec()
    } else {
        buckets(per_day, size)
    }
}

/// A bar of `width` characters at most for `n` of `max`: a count above zero shows at least one.
fn bar_len(n: u64, max: u64, width: usize) -> usize {
    if n == 0 || max == 0 {
        return 0;
    }
    ((n as f64 / max as f64 * width as f64).round() as usize).clamp(1, width)
}

/// The width of the longest period label, so that the bars line up.
fn label_width(rows: &[Period]) -> usize {
    rows.iter()
        .map(|r| r.label().chars().count())
        .max()
        .unwrap_or(0)
}

/// One line per period: answered, declined and other as stacked bars scaled to `width`, then
/// the counts (answered / declined / other).
pub fn bar_chart(rows: &[Period], width: usize) -> String {
    let max = rows.iter().map(Period::total).max().unwrap_or(0);
    let pad = label_width(rows);
    let mut out = String::new();
    for r in rows {
        let mut bar = "█".repeat(bar_len(r.answered, max, width));
        bar.push_str(&"░".repeat(bar_len(r.declined, max, width)));
        bar.push_str(&"▒".repeat(bar_len(r.other, max, width)));
        let shown: String = bar.chars().take(width).collect();
        let _ = writeln!(
            out,
            "{:<pad$} {:<width$} {} / {} / {}",
            r.label(),
            shown,
            r.answered,
            r.declined,
            r.other
        );
    }
    out
}

/// One line per period: the decline rate as a bar of `width` for 100%.
pub fn rate_chart(rows: &[Period], width: usize) -> String {
    let pad = label_width(rows);
    let mut out = String::new();
    for r in rows {
        let line = match r.decline_rate {
            Some(rate) => {
                let n = (rate * width as f64).round() as usize;
                format!("{} {:>3.0}%", "▇".repeat(n.min(width)), rate * 100.0)
            }
            None => "nothing asked".to_string(),
        };
        let _ = writeln!(out, "{:<pad$} {line}", r.label());
    }
    out
}

/// The totals as a sentence.
pub fn totals_line(s: &Stats) -> String {
    let rate = match s.totals.decline_rate {
        Some(r) => format!("{:.0}% declined", r * 100.0),
        None => "nothing asked".to_string(),
    };
    format!(
        "{} to {} ({} day(s)): {} answered, {} declined, {} other; {rate}.",
        s.from, s.to, s.days, s.totals.answered, s.totals.declined, s.totals.other
    )
}

/// Answers per dispute, one line each.
pub fn dispute_lines(s: &Stats) -> String {
    let mut out = String::new();
    for d in &s.per_dispute {
        let _ = writeln!(out, "{} ({}): {} answered", d.label, d.id, d.answered);
    }
    out
}

/// The most asked facts, one line each, their display questions cut to `max_question`
/// characters.
pub fn fact_lines(s: &Stats, max_question: usize) -> String {
    if s.top_facts.is_empty() {
        return "none in this window\n".to_string();
    }
    let mut out = String::new();
    for (i, f) in s.top_facts.iter().enumerate() {
        let q = match f.question.as_deref() {
            Some(q) if q.chars().count() > max_question => {
                let cut: String = q.chars().take(max_question.saturating_sub(1)).collect();
                format!(" “{}…”", cut.trim_end())
            }
            Some(q) => format!(" “{q}”"),
            None => String::new(),
        };
        let _ = writeln!(out, "{}. ×{} `{}`{q}", i + 1, f.count, f.id);
    }
    out
}

/// The facts past their review date, one line each.
pub fn review_lines(s: &Stats) -> String {
    if s.past_review.is_empty() {
        return "none\n".to_string();
    }
    let mut out = String::new();
    for r in &s.past_review {
        let _ = writeln!(out, "{} (review by {})", r.id, r.review_by);
    }
    out
}

/// The whole report as text (`strikefacts stats`): every day of the window charted.
pub fn render_text(s: &Stats) -> String {
    let mut out = format!("Usage figures\n{}\n{}\n\n", SCOPE, totals_line(s));
    let _ = write!(
        out,
        "Per day ({LEGEND}; answered / declined / other):\n{}\n",
        bar_chart(&s.per_day, 30)
    );
    let _ = write!(
        out,
        "Decline rate over time ({TREND_DAYS}-day periods):\n{}\n",
        rate_chart(&s.trend, 20)
    );
    let _ = write!(
        out,
        "Answers per dispute (declines have no dispute):\n{}\n",
        dispute_lines(s)
    );
    let _ = write!(out, "Most asked facts:\n{}\n", fact_lines(s, usize::MAX));
    let _ = write!(
        out,
        "Facts never asked for in this window ({}):\n{}\n\n",
        s.never_asked.len(),
        if s.never_asked.is_empty() {
            "none".to_string()
        } else {
            s.never_asked.join(", ")
        }
    );
    let _ = write!(
        out,
        "Facts past review_by ({}):\n{}",
        s.past_review.len(),
        review_lines(s)
    );
    out
}

/// The whole report as pretty JSON (`strikefacts stats --json`).
pub fn render_json(s: &Stats) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(s)
}
