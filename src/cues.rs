//! What a question says besides its topic: which dispute or time it names, whether it asks about
//! "now" and what kind of answer it wants. (Whether it needs NHS signposting or must be refused is
//! [`crate::screen`].)
//!
//! The matcher scores topics; these cues decide which facts may answer at all. They are read from
//! the folded words of [`crate::lexicon`], so "rn", "atm" and "right now" are one cue.

use aho_corasick::AhoCorasick;
use chrono::Datelike;
use chrono::NaiveDate;

use crate::lexicon::{has_run, month_number, plain, Analyzed, MONTHS};
use crate::model::Dispute;
use crate::now::NowWords;

/// The kind of answer a question asks for, from its question words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// "when", "what date", "what time"
    When,
    /// "how many", "how much", "what percentage"
    Quantity,
    /// "what did X say", "quote"
    Quote,
    Other,
}

/// Everything read from a question apart from its topic tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct Cues {
    /// Disputes the question names by year, person or name; empty when it names none.
    pub disputes: Vec<String>,
    /// Years named in the question that fall within the disputes' span.
    pub years: Vec<i32>,
    /// The years among them named alone, as the time of an event ("in December 2015"), not as a
    /// range naming a dispute ("the 2022–24 dispute"): facts of those years are preferred.
    pub event_years: Vec<i32>,
    /// "now", "currently", "latest", "still", "anymore" ...
    pub now: bool,
    pub intent: Intent,
    /// A year was named that no dispute covers (e.g. 2021): nothing can answer it.
    pub uncovered_year: bool,
}

impl Cues {
    /// Reads a question's cues from its analysis, the words that say "now", and the disputes.
    pub fn read(
        analyzed: &Analyzed,
        now_words: &NowWords,
        intent_words: &IntentWords,
        disputes: &[Dispute],
        today: NaiveDate,
    ) -> Cues {
        let words = &analyzed.words;
        let joined = format!(" {} ", words.join(" "));
        let min_year = disputes.iter().map(|d| d.start.year()).min().unwrap_or(0);
        let max_year = disputes
            .iter()
            .map(|d| d.end.year())
            .max()
            .unwrap_or(0)
            .max(today.year());
        let mut years = Vec::new();
        let mut uncovered_year = false;
        for w in words {
            if let Some(year) = as_year(w) {
                if (min_year..=max_year).contains(&year) {
                    years.push(year);
                } else if (2000..=2100).contains(&year) && is_time_year(&joined, w) {
                    uncovered_year = true;
                }
            }
        }
        let event_years = event_years(words, &analyzed.plain, &years);
        let mut named: Vec<String> = Vec::new();
        for year in &years {
            let matching: Vec<&Dispute> = disputes
                .iter()
                .filter(|d| (d.start.year()..=d.end.year()).contains(year))
                .collect();
            if matching.is_empty() {
                uncovered_year = true;
            }
            for d in matching {
                if !named.contains(&d.id) {
                    named.push(d.id.clone());
                }
            }
        }
        // A year is the most specific cue; names only narrow a question that gives none.
        for d in disputes.iter().filter(|_| years.is_empty()) {
            if d.cues.iter().any(|cue| has_run(words, cue)) && !named.contains(&d.id) {
                named.push(d.id.clone());
            }
        }
        let names_time = !years.is_empty()
            || uncovered_year
            || !named.is_empty()
            || words.iter().any(|w| month_number(w).is_some());
        let now = now_words.asks_now(words, &analyzed.plain, names_time);
        Cues {
            disputes: named,
            years,
            event_years,
            now,
            intent: intent(&joined, intent_words),
            uncovered_year,
        }
    }
}

/// The years named alone, as the time of an event. A span of several years as written
/// ("2022–24", "2022 2024"; the lexicon keeps only its first year) names a dispute, as does a
/// year before "dispute" ("the 2016 dispute"); a one-year span ("2024/25") is a pay year, a time.
fn event_years(words: &[String], plain: &[String], years: &[i32]) -> Vec<i32> {
    let span_end = |start: i32, w: &String| -> Option<i32> {
        if !w.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match w.len() {
            2 => w
                .parse::<i32>()
                .ok()
                .map(|short| start - start % 100 + short),
            _ => as_year(w),
        }
    };
    let in_ranges: Vec<i32> = plain
        .windows(2)
        .filter_map(|w| {
            let start = as_year(&w[0])?;
            let end = span_end(start, &w[1])?;
            (end - start >= 2).then_some([start, end])
        })
        .flatten()
        .collect();
    let is = |k: usize, w: &str| words.get(k).is_some_and(|n| n == w);
    let names_dispute = |i: usize| {
        is(i + 1, "dispute")
            || ((is(i + 1, "pay") || is(i + 1, "contract")) && is(i + 2, "dispute"))
    };
    words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| as_year(w).map(|y| (i, y)))
        .filter(|(i, y)| years.contains(y) && !in_ranges.contains(y) && !names_dispute(*i))
        .map(|(_, y)| y)
        .collect()
}

/// A whole day the question names: "16 September 2024", "16th sept 2024", "September 16 2024".
pub fn named_day(words: &[String]) -> Option<NaiveDate> {
    let day = |w: &str| -> Option<u32> {
        let digits = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|s| w.strip_suffix(s))
            .unwrap_or(w);
        digits.parse().ok().filter(|d| (1..=31).contains(d))
    };
    let month = |w: &str| crate::lexicon::month_number(w);
    words.windows(3).find_map(|w| {
        let year = as_year(&w[2])?;
        let (d, m) = match (day(&w[0]), month(&w[1]), month(&w[0]), day(&w[1])) {
            (Some(d), Some(m), _, _) => (d, m),
            (_, _, Some(m), Some(d)) => (d, m),
            _ => return None,
        };
        NaiveDate::from_ymd_opt(year, m, d)
    })
}

/// A four-digit number as a year (whether any dispute covers it is the caller's question).
pub fn as_year(word: &str) -> Option<i32> {
    if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse().ok()
    } else {
        None
    }
}

/// A year outside every dispute counts as a time cue only when used as a time ("in 2021"), not as
/// a figure ("back to 2008 levels").
fn is_time_year(joined: &str, year: &str) -> bool {
    ["in", "during", "of"]
        .iter()
        .any(|p| joined.contains(&format!(" {p} {year} ")))
        && !joined.contains(&format!(" {year} level"))
}

/// `intents.toml`: the words that say what kind of answer a question asks for.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentWords {
    /// "how many", "what percent*": a number.
    quantity: Vec<String>,
    /// "when", "what date*": a time.
    when: Vec<String>,
    /// "say", "called": what someone said, when the question also asks what (`asks_what`).
    quote: Vec<String>,
    asks_what: Vec<String>,
    /// "who", "why", "which": a question that opens by asking these asks that.
    other: Vec<String>,
    /// The five lists as one automaton, made by [`IntentWords::prepared`].
    #[serde(skip)]
    needles: Option<Needles>,
}

impl IntentWords {
    /// The lists ready to scan: each entry a run of whole words, or, ending in `*`, a run whose
    /// last word may go on ("what percent*" is "what percentage" too).
    pub fn prepared(mut self) -> Result<IntentWords, String> {
        let padded = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|e| match e.strip_suffix('*') {
                    Some(start) => format!(" {}", plain(start)),
                    None => format!(" {} ", plain(e)),
                })
                .collect()
        };
        let groups = [
            padded(&self.quantity),
            padded(&self.when),
            padded(&self.quote),
            padded(&self.asks_what),
            padded(&self.other),
        ];
        let refs: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        self.needles = Some(Needles::new(&slices)?);
        Ok(self)
    }
}

/// The kind of answer asked for. When a question has markers of several kinds, the first one
/// leads: "what did the BMA say about how many members ..." asks what was said, "how many
/// doctors did Pandit say ..." asks for a number. A quotation is asked for only by a question
/// that asks what ("did they call off ..." is not); "who was in charge when ...", "which party
/// ... when ..." ask who or which, whatever follows.
fn intent(joined: &str, words: &IntentWords) -> Intent {
    let Some(needles) = &words.needles else {
        return Intent::Other;
    };
    let [quantity, when, quote, asks_what, other] = needles.scan(joined)[..] else {
        return Intent::Other;
    };
    let quote = quote.first.filter(|_| asks_what.first.is_some());
    [
        (quantity.first, Intent::Quantity),
        (when.first, Intent::When),
        (quote, Intent::Quote),
        (other.first, Intent::Other),
    ]
    .into_iter()
    .filter_map(|(at, intent)| at.map(|at| (at, intent)))
    .min_by_key(|(at, _)| *at)
    .map_or(Intent::Other, |(_, intent)| intent)
}

/// Groups of fixed needles found in one pass over a text (Aho-Corasick) rather than one search
/// per needle.
#[derive(Debug, Clone)]
struct Needles {
    automaton: AhoCorasick,
    /// pattern -> the groups (bits) it belongs to; a needle may be in several
    groups_of: Vec<u32>,
    groups: usize,
}

/// What one group of needles found in a text.
#[derive(Debug, Clone, Copy, Default)]
struct Found {
    /// Where the earliest occurrence of any of its needles starts.
    first: Option<usize>,
}

impl Needles {
    fn new(groups: &[&[&str]]) -> Result<Needles, String> {
        let mut patterns: Vec<&str> = Vec::new();
        let mut groups_of: Vec<u32> = Vec::new();
        for (g, needles) in groups.iter().enumerate() {
            for n in *needles {
                match patterns.iter().position(|p| p == n) {
                    Some(i) => groups_of[i] |= 1 << g,
                    None => {
                        patterns.push(n);
                        groups_of.push(1 << g);
                    }
                }
            }
        }
        Ok(Needles {
            automaton: AhoCorasick::new(&patterns).map_err(|e| e.to_string())?,
            groups_of,
            groups: groups.len(),
        })
    }

    /// Per group, in the order given to [`Needles::new`].
    fn scan(&self, text: &str) -> Vec<Found> {
        let mut found = vec![Found::default(); self.groups];
        // Overlapping, so that every occurrence of every needle is seen, as a search per needle
        // would see it.
        for m in self.automaton.find_overlapping_iter(text) {
            let bits = self.groups_of[m.pattern().as_usize()];
            for (g, f) in found.iter_mut().enumerate() {
                if bits & (1 << g) != 0 {
                    f.first = Some(f.first.map_or(m.start(), |at| at.min(m.start())));
                }
            }
        }
        found
    }
}

/// Whether an answer text can satisfy an intent: a quantity needs a figure, a time needs a date,
/// a quotation needs quotation marks.
pub fn answer_fits(intent: Intent, answer: &str) -> bool {
    match intent {
        Intent::Other => true,
        Intent::Quantity => has_quantity(answer),
        Intent::Quote => {
            let lower = answer.to_lowercase();
            answer.contains(['"', '“', '”'])
                || [
                    " said",
                    " says",
                    " called",
                    " described",
                    " warned",
                    " argued",
                    " told",
                    " welcomed",
                    "'",
                ]
                .iter()
                .any(|w| lower.contains(w))
        }
        Intent::When => {
            let lower = answer.to_lowercase();
            lower.bytes().any(|b| b.is_ascii_digit())
                || MONTHS
                    .iter()
                    .chain(&[
                        "monday",
                        "tuesday",
                        "wednesday",
                        "thursday",
                        "friday",
                        "saturday",
                        "sunday",
                    ])
                    .any(|m| lower.contains(m))
        }
    }
}

const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "hundred",
    "thousand",
    "million",
    "billion",
    "half",
    "third",
    "quarter",
    "dozen",
    "dozens",
    "hundreds",
    "thousands",
    "majority",
    "most",
];

/// Whether a text states an amount: a number that is not a year, a day of a month or a clock
/// time ("2 to 4 October 2023" states no amount; "4,000 operations" does).
fn has_quantity(text: &str) -> bool {
    let words: Vec<String> = plain(text).split(' ').map(str::to_string).collect();
    // "eight days", "four out of five": amounts written as words.
    if words.iter().any(|w| NUMBER_WORDS.contains(&w.as_str())) {
        return true;
    }
    let is_num = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    // Answer texts are not folded by the lexicon, so short forms ("17 Dec") count too.
    let is_month = |w: Option<&String>| {
        w.is_some_and(|w| {
            MONTHS
                .iter()
                .any(|m| m == w || (w.len() == 3 && m.starts_with(w.as_str())))
        })
    };
    for (i, w) in words.iter().enumerate() {
        if !is_num(w) {
            continue;
        }
        let year = w.len() == 4
            && w.bytes().all(|b| b.is_ascii_digit())
            && (w.starts_with("19") || w.starts_with("20"));
        let next = words.get(i + 1);
        let prev = i.checked_sub(1).and_then(|j| words.get(j));
        let day = is_month(next)
            || is_month(prev)
            || (next.is_some_and(|n| n == "to" || n == "and")
                && words.get(i + 2).is_some_and(|n| is_num(n))
                && is_month(words.get(i + 3)));
        let clock = next.is_some_and(|n| n == "am" || n == "pm");
        let clock = clock || w.ends_with("am") || w.ends_with("pm");
        if !(year || day || clock) {
            return true;
        }
    }
    // "7am", "8pm" and ordinals ("14th") are not amounts either; "58%" became "58 percent".
    words.iter().any(|w| {
        let starts_with_digit = w.bytes().next().is_some_and(|b| b.is_ascii_digit());
        let bare_number = w.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let clock_or_ordinal = ["am", "pm", "st", "nd", "rd", "th"]
            .iter()
            .any(|s| w.ends_with(s));
        starts_with_digit && !bare_number && !clock_or_ordinal
    })
}

/// Removes Discord mentions (`@everyone`, `@here`, `<@123>`, `<@&456>`, `<#789>`) so that they
/// neither count as words nor get echoed as live pings. Runs until nothing changes: removing one
/// mention must not join its neighbours into another (`@@everyoneeveryone`, `<@<@&1>&1>`). Each
/// pass that changes the text makes it shorter, so this ends.
pub fn strip_mentions(text: &str) -> String {
    let mut out = strip_mentions_once(text);
    loop {
        let next = strip_mentions_once(&out);
        if next.len() == out.len() {
            return out;
        }
        out = next;
    }
}

/// One left-to-right pass of [`strip_mentions`].
fn strip_mentions_once(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '@']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail
            .strip_prefix("@everyone")
            .or_else(|| tail.strip_prefix("@here"))
        {
            rest = after;
            continue;
        }
        if tail.starts_with("<@") || tail.starts_with("<#") {
            if let Some(end) = tail.find('>') {
                let inner = &tail[1..end];
                let id = inner.trim_start_matches(['@', '#', '&', '!']);
                if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
                    rest = &tail[end + 1..];
                    continue;
                }
            }
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disputes() -> Vec<Dispute> {
        let d = |id: &str, s: (i32, u32), e: (i32, u32), cues: &[&str]| Dispute {
            id: id.into(),
            label: id.into(),
            start: NaiveDate::from_ymd_opt(s.0, s.1, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(e.0, e.1, 28).unwrap(),
            cues: cues.iter().map(|c| c.to_string()).collect(),
        };
        vec![
            d(
                "contract-2016",
                (2015, 9),
                (2016, 12),
                &["jeremy hunt", "hunt"],
            ),
            d("pay-2022", (2022, 10), (2024, 9), &["sunak"]),
            d("resident-2025", (2025, 4), (2026, 6), &["streeting"]),
        ]
    }

    fn read(q: &str) -> Cues {
        let now_words = toml::from_str(
            &std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/now.toml"),
            )
            .unwrap(),
        )
        .unwrap();
        let intents: IntentWords = toml::from_str(
            &std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/intents.toml"),
            )
            .unwrap(),
        )
        .unwrap();
        Cues::read(
            &crate::lexicon::bundled().analyze(q),
            &now_words,
            &intents.prepared().unwrap(),
            &disputes(),
            NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        )
    }

    #[test]
    fn years_and_people_name_disputes() {
        assert_eq!(read("strike dates in 2016").disputes, vec!["contract-2016"]);
        assert_eq!(read("what did hunt impose").disputes, vec!["contract-2016"]);
        assert_eq!(read("under Streeting?").disputes, vec!["resident-2025"]);
        assert_eq!(read("2023 rounds").disputes, vec!["pay-2022"]);
        assert!(read("why are doctors striking").disputes.is_empty());
        assert!(read("pay back to 2008 levels").disputes.is_empty());
        assert!(!read("pay back to 2008 levels").uncovered_year);
        assert!(read("how many strikes in 2021").uncovered_year);
        assert_eq!(
            read("rounds in the 2022–24 pay row").event_years,
            Vec::<i32>::new()
        );
        assert_eq!(
            read("rounds in the 2022–24 pay row").disputes,
            vec!["pay-2022"]
        );
        assert_eq!(read("the december 2015 strikes").event_years, vec![2015]);
        assert!(read("when the 2022 pay dispute began")
            .event_years
            .is_empty());
    }

    #[test]
    fn now_and_intent() {
        assert!(read("who is the health secretary now").now);
        assert!(!read("who was the health secretary in 2016").now);
        assert!(!read("why are junior doctors now called resident doctors").now);
        assert_eq!(read("how many ops were cancelled").intent, Intent::Quantity);
        assert_eq!(read("when did it start").intent, Intent::When);
        assert_eq!(read("what did malawana say").intent, Intent::Quote);
        assert_eq!(
            read("what did the bma say about how many members had voted").intent,
            Intent::Quote
        );
        assert_eq!(
            read("how many doctors did pandit say would be on duty").intent,
            Intent::Quantity
        );
        // A question that opens by asking who or which asks that, not when.
        assert_eq!(
            read("who was in charge when the strikes started").intent,
            Intent::Other
        );
        assert_eq!(read("which year did it start").intent, Intent::When);
        assert!(answer_fits(Intent::Quantity, "about 4,000"));
        assert!(!answer_fits(
            Intent::Quote,
            "He was appointed health secretary."
        ));
    }

    #[test]
    fn a_whole_day_is_read_in_either_order() {
        let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let day = NaiveDate::from_ymd_opt(2024, 9, 16);
        assert_eq!(
            named_day(&words("what happened on 16th september 2024")),
            day
        );
        assert_eq!(named_day(&words("what happened september 16 2024")), day);
        assert_eq!(named_day(&words("what happened in september 2024")), None);
        assert_eq!(named_day(&words("on 31 february 2024")), None);
    }

    #[test]
    fn mentions_are_removed() {
        assert_eq!(strip_mentions("@everyone why <@123> <@&45> x"), " why   x");
        assert_eq!(strip_mentions("a <b> @c"), "a <b> @c");
        // Removing one mention must not leave another behind.
        assert!(!strip_mentions("@@everyoneeveryone").contains("@everyone"));
        assert!(!strip_mentions("<@<@&123>&123>").contains("<@&123>"));
        assert!(!strip_mentions("@@@hereherehere x").contains("@here"));
    }

    #[test]
    fn needles_report_each_groups_first_occurrence() {
        let needles = Needles::new(&[&[" a ", " b "], &[" b "], &[" c "]]).unwrap();
        let found = needles.scan(" x b a b ");
        assert_eq!(
            found.iter().map(|f| f.first).collect::<Vec<_>>(),
            vec![Some(2), Some(2), None]
        );
    }

    #[test]
    fn a_cue_is_a_run_of_whole_words() {
        let words: Vec<String> = "did jeremy hunt win".split(' ').map(String::from).collect();
        assert!(has_run(&words, "jeremy hunt"));
        assert!(has_run(&words, "win"));
        assert!(!has_run(&words, "hunt win again"));
        assert!(!has_run(&words, "jeremy win"));
        assert!(!has_run(&words, "hun"));
    }
}
