//! Questions about *when* strikes happen, answered from the structured strike periods.
//!
//! "When was the first strike?", "how many strikes were there in 2023?", "is there a strike this
//! week?" depend on today's date and on counting, so they are computed from
//! `knowledge/timeline.toml` rather than written as facts that would go stale.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::answer::{FactAnswer, SourceRef};
use crate::knowledge::KnowledgeBase;
use std::collections::BTreeMap;

use crate::lexicon::{has_run, month_number};
use crate::model::{Precision, StrikePeriod, StrikeStatus};

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
    /// "How many strikes have there been in total?": per dispute, up to today.
    CountAll,
    /// "When did the 5-day strike start?": the strikes of that length, in hours, optionally in
    /// one year.
    Length {
        hours: u32,
        year: Option<i32>,
        /// Whether the question counted in days ("5-day") rather than hours ("72-hour").
        in_days: bool,
    },
    /// Which strikes fall in a year, a month or a season ("is one planned for December 2026?").
    InPeriod {
        from: NaiveDate,
        to: NaiveDate,
    },
}

/// `timeline-words.toml`: the words a question about strike dates may use besides "strike",
/// the words that tell which kind of such question it is, and the seasons' months.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineWords {
    pub words: Vec<String>,
    pub kinds: Kinds,
    pub what_happened: WhatHappened,
    /// Each season's first and last month, within one year.
    pub seasons: BTreeMap<String, [u32; 2]>,
}

/// `[what_happened]` of `timeline-words.toml`: a question that asks only what happened on a day
/// it names ("what happened on 16 September 2024?") gets the facts of that day.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatHappened {
    /// Folded words, one of which asks what happened.
    asking: Vec<String>,
    /// The starts of the only topic tokens (stems) it may have besides the day.
    topic: Vec<String>,
}

impl TimelineWords {
    /// Whether a question asks only what happened on `day`, which it names: its words ask what
    /// happened, and its topic words, besides the day, say no more than "strike" or "doctors".
    pub fn asks_what_happened(&self, words: &[String], tokens: &[String], day: NaiveDate) -> bool {
        let w = &self.what_happened;
        let named = [
            day.day().to_string(),
            day.year().to_string(),
            crate::lexicon::MONTHS[day.month0() as usize].to_string(),
        ];
        words.iter().any(|word| w.asking.contains(word))
            && tokens
                .iter()
                .filter(|t| {
                    !named
                        .iter()
                        .any(|n| n.starts_with(t.as_str()) || t.starts_with(n))
                })
                .all(|t| w.topic.iter().any(|g| t.starts_with(g.as_str())))
    }
}

/// `[kinds]` of `timeline-words.toml`: runs of folded words that tell one kind of question.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kinds {
    /// After "how many", these count strikes ("how many times").
    counted: Vec<String>,
    /// Questions that ask for a figure or a length only a fact can give.
    figure: Vec<String>,
    /// The first strike.
    first: Vec<String>,
    /// With "when", the first strike ("when did they begin?").
    began: Vec<String>,
    next: Vec<String>,
    last: Vec<String>,
    /// With a year, the strikes of that year, month or season ("which strikes in 2023?").
    in_period: Vec<String>,
    /// Now, this week.
    this_week: Vec<String>,
    /// Now, by another name ("tomorrow").
    now: Vec<String>,
}

/// Whether any of `runs` is in the words.
fn has_any(words: &[String], runs: &[String]) -> bool {
    runs.iter().any(|r| has_run(words, r))
}

/// The dates a question's year with an optional month or season covers.
fn period(
    words: &[String],
    year: i32,
    seasons: &BTreeMap<String, [u32; 2]>,
) -> Option<(NaiveDate, NaiveDate)> {
    let month = words.iter().find_map(|w| month_number(w));
    let season = words.iter().find_map(|w| seasons.get(w));
    let [first, last] = match (month, season) {
        (Some(m), _) => [m, m],
        (None, Some(&months)) => months,
        (None, None) => [1, 12],
    };
    Some((
        NaiveDate::from_ymd_opt(year, first, 1)?,
        month_end(year, last)?,
    ))
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// Recognises a timeline question from its folded words and stemmed tokens, with a confidence in
/// [0, 1] that falls with every word the timeline cannot account for.
pub fn detect(
    words: &[String],
    tokens: &[String],
    years: &[i32],
    now: bool,
    vocabulary: &TimelineWords,
) -> Option<(TimelineQuery, f32)> {
    if !tokens.iter().any(|t| t == "strike") {
        return None;
    }
    let length = named_length(words);
    let query = kind_of(words, years, now, length.as_ref(), vocabulary)?;
    // Years, and the words naming a length ("5", "day"), are what the timeline reads.
    let length_words = length.map(|(_, w)| w).unwrap_or_default();
    let topic: Vec<&String> = tokens
        .iter()
        .filter(|t| !(t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())))
        .filter(|t| !length_words.iter().any(|w| w.starts_with(t.as_str())))
        .collect();
    let explained = topic
        .iter()
        .filter(|t| vocabulary.words.iter().any(|w| t.starts_with(w.as_str())))
        .count();
    // Every word the timeline cannot account for ("all-out", "joint") is a topic of its own that
    // a fact may answer better: the confidence falls steeply with them.
    let share = explained as f32 / topic.len().max(1) as f32;
    Some((query, FULLY_EXPLAINED * share * share))
}

/// Which kind of strike-dates question the words ask, if any. `length` is the length of strike
/// they name, in hours, with the words that name it.
fn kind_of(
    words: &[String],
    years: &[i32],
    now: bool,
    length: Option<&(u32, Vec<String>)>,
    vocabulary: &TimelineWords,
) -> Option<TimelineQuery> {
    let k = &vocabulary.kinds;
    let has = |runs: &[String]| has_any(words, runs);
    let word = |w: &str| words.iter().any(|x| x == w);
    // "How many strikes / times / rounds" counts strikes; "how many doctors went on strike"
    // asks for a figure that only a fact can give.
    let counts_strikes = words
        .windows(3)
        .any(|w| w[0] == "how" && w[1] == "many" && k.counted.contains(&w[2]));
    let names_month = words.iter().any(|w| month_number(w).is_some());
    let month_or_season = names_month || words.iter().any(|w| vocabulary.seasons.contains_key(w));
    let in_period = |y: i32| period(words, y, &vocabulary.seasons);
    Some(if counts_strikes {
        match years.first() {
            Some(y) if month_or_season => {
                let (from, to) = in_period(*y)?;
                TimelineQuery::InPeriod { from, to }
            }
            Some(y) => TimelineQuery::CountInYear(*y),
            None => TimelineQuery::CountAll,
        }
    } else if has(&k.figure) {
        return None;
    } else if let Some((hours, named)) = length {
        TimelineQuery::Length {
            hours: *hours,
            year: years.first().copied(),
            in_days: named.iter().any(|w| w.contains("day")),
        }
    } else if has(&k.first) || (word("when") && has(&k.began) && !word("time") && !names_month) {
        TimelineQuery::First
    } else if has(&k.next) && !names_month {
        // "Which April days were the next walkouts due?" is about an April past, not
        // about what comes after today.
        TimelineQuery::Next
    } else if has(&k.last) {
        TimelineQuery::Last
    } else if let Some((from, to)) = years
        .first()
        .and_then(|y| in_period(*y))
        .filter(|_| has(&k.in_period))
    {
        TimelineQuery::InPeriod { from, to }
    } else if now || has(&k.this_week) || has(&k.now) {
        TimelineQuery::Now {
            week: has(&k.this_week),
        }
    } else {
        return None;
    })
}

/// The length of strike a question or a period's description names, in hours, with the words
/// that name it: "5 day", "five-day" (folded to "5 day"), "sixday", "72 hour", "48hr".
fn named_length(words: &[String]) -> Option<(u32, Vec<String>)> {
    const UNITS: &[(&str, u32)] = &[
        ("days", 24),
        ("day", 24),
        ("hours", 1),
        ("hour", 1),
        ("hrs", 1),
        ("hr", 1),
    ];
    let number = |w: &str| -> Option<u32> {
        w.parse::<u32>()
            .ok()
            .or_else(|| crate::lexicon::number_word(w))
    };
    let unit = |w: &str| UNITS.iter().find(|(u, _)| *u == w).map(|(_, h)| *h);
    for (i, w) in words.iter().enumerate() {
        if let (Some(n), Some(h)) = (number(w), words.get(i + 1).and_then(|u| unit(u))) {
            return (n > 0 && n <= 200).then(|| (n * h, vec![w.clone(), words[i + 1].clone()]));
        }
        // Written as one word: "5day", "sixday", "72hr".
        for (u, h) in UNITS {
            if let Some(n) = w.strip_suffix(u).and_then(number) {
                return (n > 0 && n <= 200).then(|| (n * h, vec![w.clone()]));
            }
        }
    }
    None
}

/// A strike period's length in hours, from its start and end (end exclusive). A strike on
/// separate days, or known only by its month, has no one length.
fn period_hours(p: &StrikePeriod) -> Option<u32> {
    match p.spans.as_slice() {
        [(s, e)] if p.precision != Precision::Month => {
            u32::try_from((*e - *s).num_hours()).ok().filter(|h| *h > 0)
        }
        _ => None,
    }
}

/// The days of strike in a period: each span counts its started days of 24 hours, so a 48-hour
/// strike is two days and 8am to 5pm is one. `None` when only the month is known.
pub fn strike_days(p: &StrikePeriod) -> Option<u32> {
    if p.precision == Precision::Month {
        return None;
    }
    let minutes: i64 = p
        .spans
        .iter()
        .map(|(s, e)| ((*e - *s).num_minutes() + 1439) / 1440)
        .sum();
    u32::try_from(minutes).ok()
}

/// The strikes of a dispute that began by the end of `until`, held or announced (a strike called
/// off is none), and their days: what a fact counting strikes or strike days must agree with.
pub fn tally(kb: &KnowledgeBase, dispute: &str, until: NaiveDate) -> (usize, u32) {
    let of: Vec<&StrikePeriod> = kb
        .timeline
        .iter()
        .filter(|p| p.dispute == dispute && p.status != StrikeStatus::Suspended)
        .filter(|p| p.start.date() <= until)
        .collect();
    (of.len(), days_of(&of))
}

fn days_of(periods: &[&StrikePeriod]) -> u32 {
    periods.iter().filter_map(|p| strike_days(p)).sum()
}

/// Whether a strike is on at some moment from `from` to `to` (exclusive).
fn on_during(p: &StrikePeriod, from: NaiveDateTime, to: NaiveDateTime) -> bool {
    p.spans.iter().any(|(s, e)| *s < to && *e > from)
}

/// "5-day" or "72-hour", in the unit the question used.
fn length_label(hours: u32, in_days: bool) -> String {
    if in_days && hours.is_multiple_of(24) {
        format!("{}-day", hours / 24)
    } else {
        format!("{hours}-hour")
    }
}

/// One or more statements answering a timeline question, newest dispute first.
pub fn answer(
    kb: &KnowledgeBase,
    query: TimelineQuery,
    disputes: &[String],
    today: NaiveDate,
) -> Vec<FactAnswer> {
    let records = Records::new(kb, disputes, today);
    match query {
        TimelineQuery::First => records.first(),
        TimelineQuery::Last => records.last(),
        TimelineQuery::Next => records.next(),
        TimelineQuery::Now { week } => records.now_on(week),
        TimelineQuery::InPeriod { from, to } => records.in_period(from, to),
        TimelineQuery::CountAll => records.count_all(),
        TimelineQuery::Length {
            hours,
            year,
            in_days,
        } => records.of_length(hours, year, in_days),
        TimelineQuery::CountInYear(year) => records.count_in_year(year),
    }
}

/// Whether a period belongs to one of `disputes` (all when it is empty).
fn in_disputes(disputes: &[String], p: &StrikePeriod) -> bool {
    disputes.is_empty() || disputes.contains(&p.dispute)
}

/// The strike periods a timeline question is answered from, as of a day.
struct Records<'a> {
    kb: &'a KnowledgeBase,
    /// The disputes in scope (empty: all).
    disputes: &'a [String],
    /// The periods in scope that were not suspended, in order.
    held: Vec<&'a StrikePeriod>,
    /// Those of them that had begun by `now`.
    past: Vec<&'a StrikePeriod>,
    /// Noon of `today`.
    now: NaiveDateTime,
    today: NaiveDate,
}

impl<'a> Records<'a> {
    fn new(kb: &'a KnowledgeBase, disputes: &'a [String], today: NaiveDate) -> Records<'a> {
        let held: Vec<&StrikePeriod> = kb
            .timeline
            .iter()
            .filter(|p| in_disputes(disputes, p))
            .filter(|p| p.status != StrikeStatus::Suspended)
            .collect();
        let now = today.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
        let past = held.iter().copied().filter(|p| p.start <= now).collect();
        Records {
            kb,
            disputes,
            held,
            past,
            now,
            today,
        }
    }

    fn in_scope(&self, p: &StrikePeriod) -> bool {
        in_disputes(self.disputes, p)
    }

    /// The first strike of each dispute in scope, newest dispute first.
    fn first(&self) -> Vec<FactAnswer> {
        let kb = self.kb;
        let disputes = self.disputes;
        let past = &self.past;
        let mut out = Vec::new();
        for id in newest_first(kb, disputes) {
            if let Some(p) = past.iter().find(|p| p.dispute == id) {
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

    /// The most recent strike in scope.
    fn last(&self) -> Vec<FactAnswer> {
        let kb = self.kb;
        let past = &self.past;
        past.last()
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
            .unwrap_or_default()
    }

    /// The next announced strike, or that none is announced after today.
    fn next(&self) -> Vec<FactAnswer> {
        let kb = self.kb;
        let held = &self.held;
        let past = &self.past;
        let now = self.now;
        let today = self.today;
        let next = held.iter().find(|p| p.start > now);
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

    /// Whether a strike is on today (or this week), and if not, the most recent one.
    fn now_on(&self, week: bool) -> Vec<FactAnswer> {
        let kb = self.kb;
        let disputes = self.disputes;
        let held = &self.held;
        let past = &self.past;
        let today = self.today;
        // Checked: a date at chrono's limits has no next day, and then nothing is on.
        let Some((from, to, span)) = day_span(today, week) else {
            return Vec::new();
        };
        let on: Vec<&StrikePeriod> = held
            .iter()
            .copied()
            .filter(|p| on_during(p, from, to))
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
            .max_by_key(|f| f.as_of.latest())
            .map(|f| f.as_of_text());
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

    /// The strikes of a year, month or season.
    fn in_period(&self, from: NaiveDate, to: NaiveDate) -> Vec<FactAnswer> {
        let kb = self.kb;
        let past = &self.past;
        let today = self.today;
        let label = if from.month() == to.month() {
            from.format("%B %Y").to_string()
        } else if from.month() == 1 && to.month() == 12 {
            from.year().to_string()
        } else {
            format!("{} to {}", from.format("%b %Y"), to.format("%b %Y"))
        };
        let start = from.and_time(NaiveTime::MIN);
        let end = to.succ_opt().unwrap_or(to).and_time(NaiveTime::MIN);
        let found: Vec<&StrikePeriod> = kb
            .timeline
            .iter()
            .filter(|p| self.in_scope(p))
            .filter(|p| on_during(p, start, end))
            .collect();
        if found.is_empty() {
            let mut text = format!("My records have no strike in {label}");
            if to >= today {
                text.push_str(&format!(
                    " (none announced as of {}; the server's moderators keep the facts \
                     current)",
                    fmt_day(today)
                ));
            }
            text.push('.');
            let last: Vec<&StrikePeriod> = past.last().copied().into_iter().collect();
            if let Some(p) = last.first() {
                text.push_str(&format!(" The most recent strike was {}.", when(p)));
            }
            return vec![statement(kb, &last, text)];
        }
        let list: Vec<String> = found.iter().map(|p| listed(p)).collect();
        vec![statement(
            kb,
            &found,
            format!(
                "My records list {} strike period{} in {label}: {}.",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                list.join("; ")
            ),
        )]
    }

    /// Per dispute, how many strikes there have been up to today.
    fn count_all(&self) -> Vec<FactAnswer> {
        let kb = self.kb;
        let disputes = self.disputes;
        let past = &self.past;
        newest_first(kb, disputes)
            .into_iter()
            .filter_map(|id| {
                let of: Vec<&StrikePeriod> =
                    past.iter().copied().filter(|p| p.dispute == id).collect();
                let (first, last) = (of.first()?, of.last()?);
                let days = days_label(days_of(&of));
                let text = if of.len() == 1 {
                    format!(
                        "My records list 1 strike period in the {} ({days}): {}.",
                        dispute_label(kb, id),
                        when(first)
                    )
                } else {
                    format!(
                        "My records list {} strike periods in the {} ({days}), the first {} \
                             and the last {}.",
                        of.len(),
                        dispute_label(kb, id),
                        when(first),
                        when(last)
                    )
                };
                Some(statement(kb, &of, text))
            })
            .collect()
    }

    /// The strikes of one length, per dispute, newest first.
    fn of_length(&self, hours: u32, year: Option<i32>, in_days: bool) -> Vec<FactAnswer> {
        let kb = self.kb;
        let disputes = self.disputes;
        newest_first(kb, disputes)
            .into_iter()
            .filter_map(|id| {
                // Newest first: the strike people mean is most often the latest of that length.
                let of: Vec<&StrikePeriod> = kb
                    .timeline
                    .iter()
                    .rev()
                    .filter(|p| p.dispute == id)
                    .filter(|p| year.is_none_or(|y| p.start.year() == y))
                    .filter(|p| period_hours(p) == Some(hours))
                    .collect();
                if of.is_empty() {
                    return None;
                }
                let list: Vec<String> = of.iter().map(|p| listed(p)).collect();
                let text = format!(
                    "The {} strike{} of the {} in my records: {}.",
                    length_label(hours, in_days),
                    if of.len() == 1 { "" } else { "s" },
                    dispute_label(kb, id),
                    list.join("; ")
                );
                Some(statement(kb, &of, text))
            })
            .collect()
    }

    /// The strikes that began in a year.
    fn count_in_year(&self, year: i32) -> Vec<FactAnswer> {
        let kb = self.kb;
        let past = &self.past;
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
                "My records list {} strike period{} that began in {year} ({}): {}.",
                in_year.len(),
                if in_year.len() == 1 { "" } else { "s" },
                days_label(days_of(&in_year)),
                list.join("; ")
            ),
        )]
    }
}

/// "8 days of strikes", the count [`strike_days`] gives.
fn days_label(days: u32) -> String {
    format!("{days} day{} of strikes", if days == 1 { "" } else { "s" })
}

/// Today, or this week (Monday to Monday), as a span of date-times; `None` at chrono's limits.
fn day_span(today: NaiveDate, week: bool) -> Option<(NaiveDateTime, NaiveDateTime, &'static str)> {
    if week {
        let back = Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let monday = today.checked_sub_signed(back)?;
        let next = monday.checked_add_signed(Duration::days(7))?;
        Some((
            monday.and_time(NaiveTime::MIN),
            next.and_time(NaiveTime::MIN),
            "this week",
        ))
    } else {
        let next = today.succ_opt()?;
        Some((
            today.and_time(NaiveTime::MIN),
            next.and_time(NaiveTime::MIN),
            "today",
        ))
    }
}

/// The ids of the disputes in scope (all when `disputes` is empty), newest first.
fn newest_first<'a>(kb: &'a KnowledgeBase, disputes: &[String]) -> Vec<&'a str> {
    kb.disputes
        .iter()
        .rev()
        .map(|d| d.id.as_str())
        .filter(|id| disputes.is_empty() || disputes.iter().any(|d| d == id))
        .collect()
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
        .map(|p| last_moment(p.end).date())
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
        question: None,
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

/// A strike's day in full, as people say it: "Wednesday 17 December 2025".
fn fmt_strike_day(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// A period in a list, with its status when it did not simply go ahead.
fn listed(p: &StrikePeriod) -> String {
    match p.status {
        StrikeStatus::Suspended => format!("{} (called off)", when(p)),
        StrikeStatus::Planned => format!("{} (announced)", when(p)),
        StrikeStatus::Held => when(p),
    }
}

fn fmt_time(t: NaiveDateTime) -> String {
    let h = t.format("%-I%P").to_string();
    if t.format("%M").to_string() == "00" {
        h
    } else {
        t.format("%-I:%M%P").to_string()
    }
}

/// The last minute on strike before an exclusive end.
fn last_moment(end: NaiveDateTime) -> NaiveDateTime {
    end - Duration::minutes(1)
}

/// "8am Wednesday 9 March 2016 to 8am Friday 11 March 2016"; with only the days known, the days
/// on strike ("Thursday 27 June 2024 to Monday 1 July 2024", the end being exclusive); a strike
/// on separate days lists each.
pub fn when(p: &StrikePeriod) -> String {
    if p.precision == Precision::Month {
        return p.start.format("%B %Y").to_string();
    }
    let spans: Vec<String> = p
        .spans
        .iter()
        .map(|(s, e)| span_text(*s, *e, p.precision == Precision::Minute))
        .collect();
    spans.join(" and ")
}

fn span_text(s: NaiveDateTime, e: NaiveDateTime, timed: bool) -> String {
    if timed && s.date() == e.date() {
        format!(
            "{}, {} to {}",
            fmt_strike_day(s.date()),
            fmt_time(s),
            fmt_time(e)
        )
    } else if timed {
        format!(
            "{} {} to {} {}",
            fmt_time(s),
            fmt_strike_day(s.date()),
            fmt_time(e),
            fmt_strike_day(e.date())
        )
    } else if last_moment(e).date() == s.date() {
        fmt_strike_day(s.date())
    } else {
        format!(
            "{} to {}",
            fmt_strike_day(s.date()),
            fmt_strike_day(last_moment(e).date())
        )
    }
}
