//! Scoring a question set: how often the bot answers correctly and declines when it should.
//!
//! The format is JSON Lines, one question per line: `{"id", "q", "kind", "expect_any",
//! "expect_all", "note"}`. A reply is correct when it contains at least one `expect_any` string
//! (if any are given) and every `expect_all` string, ignoring case; a question of kind `abstain`
//! is correct when the bot declines. A *false answer* is an answered question whose reply is not
//! correct: the failure that matters most, because the bot spoke wrongly in someone's name.
//!
//! A question may carry `previous`, the questions asked before it in a conversation: each is
//! asked after the one before, and the question after the last (a follow-up set).
//!
//! A question may also carry `origin` (the public page it was taken from) and `split`
//! (`tune` or `held_out`, decided per origin page): a file with splits is scored per split too,
//! so the held-out figures can be read without looking at its misses.
//!
//! Accuracy at one threshold hides how well the confidence separates right answers from
//! questions to decline, so the report also gives the area under the ROC curve and the figures
//! at several thresholds ([`separation`]).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::Engine;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EvalQuestion {
    pub id: String,
    pub q: String,
    pub kind: String,
    #[serde(default)]
    pub expect_any: Vec<String>,
    #[serde(default)]
    pub expect_all: Vec<String>,
    #[serde(default)]
    pub note: String,
    /// The questions asked before this one in a conversation, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous: Vec<String>,
    /// The public page the question was taken from, word for word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// `tune` or `held_out`: which part of a real-question corpus the question belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
}

/// Where a real question was found: the page's address and title.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Origin {
    pub url: String,
    pub title: String,
}

/// The questions of each split, in split-name order; empty when no question has a split.
pub fn by_split(questions: &[EvalQuestion]) -> BTreeMap<String, Vec<EvalQuestion>> {
    let mut out: BTreeMap<String, Vec<EvalQuestion>> = BTreeMap::new();
    for q in questions {
        if let Some(split) = &q.split {
            out.entry(split.clone()).or_default().push(q.clone());
        }
    }
    out
}

/// The headline figures of one split on one line: answerable, declined, false answers.
pub fn split_line(name: &str, report: &EvalReport) -> String {
    let handled = report.answerable.correct + report.abstain.correct;
    let handled = Tally {
        correct: handled,
        total: report.total(),
    };
    format!(
        "split {name}: {} questions, handled right {}, answerable {}, must-decline {}, \
         false answers {}\n",
        report.total(),
        handled.figure(),
        report.answerable.figure(),
        report.abstain.figure(),
        report.false_answers
    )
}

impl EvalQuestion {
    pub fn must_decline(&self) -> bool {
        self.kind == "abstain"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
}

/// Reads a question file; blank lines are skipped.
pub fn load_questions(path: &Path) -> Result<Vec<EvalQuestion>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let q: EvalQuestion = serde_json::from_str(line).map_err(|e| EvalError::Parse {
            path: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        out.push(q);
    }
    Ok(out)
}

/// One question's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct EvalResult {
    pub id: String,
    pub kind: String,
    pub question: String,
    pub answered: bool,
    pub correct: bool,
    pub confidence: f32,
    pub reply: String,
    /// Ids of the facts the reply used (timeline statements included).
    pub facts: Vec<String>,
    /// The questions offered instead (with a decline) or beside the answer.
    pub suggestions: Vec<String>,
}

/// Correct / total.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    pub correct: usize,
    pub total: usize,
}

impl Tally {
    /// "correct/total (rate%)", as every figure line prints it.
    pub fn figure(&self) -> String {
        format!(
            "{}/{} ({:.1}%)",
            self.correct,
            self.total,
            100.0 * self.rate()
        )
    }

    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub per_kind: BTreeMap<String, Tally>,
    /// Questions that should be answered, and how many were answered correctly.
    pub answerable: Tally,
    /// Questions that must be declined, and how many were.
    pub abstain: Tally,
    /// Answered questions whose reply was wrong (including answered must-decline questions).
    pub false_answers: usize,
    pub answered: usize,
    pub declined: usize,
    pub results: Vec<EvalResult>,
}

impl EvalReport {
    pub fn total(&self) -> usize {
        self.results.len()
    }
}

/// Whether a reply satisfies a question's expectations.
pub fn is_correct(q: &EvalQuestion, answered: bool, reply: &str) -> bool {
    if q.must_decline() {
        return !answered;
    }
    if !answered {
        return false;
    }
    let reply = reply.to_lowercase();
    let any = q.expect_any.is_empty()
        || q.expect_any
            .iter()
            .any(|e| reply.contains(&e.to_lowercase()));
    let all = q
        .expect_all
        .iter()
        .all(|e| reply.contains(&e.to_lowercase()));
    any && all
}

pub fn run(engine: &Engine, questions: &[EvalQuestion], today: NaiveDate) -> EvalReport {
    let mut report = EvalReport::default();
    // Asked in parallel (each question on its own), tallied in order.
    let answers: Vec<crate::Answer> = questions
        .par_iter()
        .map(|q| engine.ask_conversation(&q.previous, &q.q, today))
        .collect();
    for (q, a) in questions.iter().zip(answers) {
        let correct = is_correct(q, a.answered, &a.text);
        let tally = report.per_kind.entry(q.kind.clone()).or_default();
        tally.total += 1;
        tally.correct += correct as usize;
        let bucket = if q.must_decline() {
            &mut report.abstain
        } else {
            &mut report.answerable
        };
        bucket.total += 1;
        bucket.correct += correct as usize;
        if a.answered {
            report.answered += 1;
            if !correct {
                report.false_answers += 1;
            }
        } else {
            report.declined += 1;
        }
        report.results.push(EvalResult {
            id: q.id.clone(),
            kind: q.kind.clone(),
            question: q.q.clone(),
            answered: a.answered,
            correct,
            confidence: a.confidence,
            reply: a.text,
            facts: a.facts.into_iter().map(|f| f.id).collect(),
            suggestions: a.suggestions,
        });
    }
    report
}

/// Thresholds the separation table shows besides the configured one.
const TABLE_THRESHOLDS: [f32; 5] = [0.5, 0.6, 0.7, 0.8, 0.9];

/// How well the confidence tells right answers from questions that must be declined, whatever
/// the threshold: accuracy at one threshold hides how much a better threshold could do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Separation {
    /// Area under the ROC curve of the confidence: answerable questions whose best answer (no
    /// threshold) is right against must-decline questions. `None` when either side is empty.
    pub auc: Option<f64>,
    /// How many answerable questions are answered right with no threshold, and how many
    /// questions must be declined: the two sides of the AUC.
    pub positives: usize,
    pub negatives: usize,
    /// The outcome at several thresholds, ascending.
    pub table: Vec<ThresholdRow>,
    /// Answerable questions declined at the configured threshold, and how many of them get a
    /// right answer when their first suggestion is asked.
    pub suggestion_right: Tally,
}

/// Figures at one threshold.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ThresholdRow {
    pub threshold: f32,
    pub answered_right: Tally,
    pub declined_right: Tally,
    pub false_answers: usize,
}

/// The area under the ROC curve: the chance that a random positive scores above a random
/// negative, a tie counting one half (Mann–Whitney U from average ranks). `None` when either
/// side is empty, where no ordering can be measured.
pub fn auc(positives: &[f32], negatives: &[f32]) -> Option<f64> {
    if positives.is_empty() || negatives.is_empty() {
        return None;
    }
    let mut all: Vec<(f32, bool)> = positives
        .iter()
        .map(|&s| (s, true))
        .chain(negatives.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut positive_ranks = 0.0f64;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0.total_cmp(&all[i].0).is_eq() {
            j += 1;
        }
        // Ranks i+1 ..= j share their average.
        let rank = (i + 1 + j) as f64 / 2.0;
        positive_ranks += rank * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let (p, n) = (positives.len() as f64, negatives.len() as f64);
    Some((positive_ranks - p * (p + 1.0) / 2.0) / (p * n))
}

/// The separation figures of a question set; `report` is its run at the engine's threshold.
pub fn separation(
    engine: &Engine,
    questions: &[EvalQuestion],
    today: NaiveDate,
    report: &EvalReport,
) -> Separation {
    let open = run(&engine.clone().with_threshold(0.0), questions, today);
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for (q, r) in questions.iter().zip(&open.results) {
        if q.must_decline() {
            neg.push(r.confidence);
        } else if r.correct {
            pos.push(r.confidence);
        }
    }
    let mut thresholds: Vec<f32> = TABLE_THRESHOLDS.to_vec();
    thresholds.push(engine.threshold());
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    let table = thresholds
        .into_iter()
        .map(|t| {
            let r = if t == engine.threshold() {
                report.clone()
            } else {
                run(&engine.clone().with_threshold(t), questions, today)
            };
            ThresholdRow {
                threshold: t,
                answered_right: r.answerable,
                declined_right: r.abstain,
                false_answers: r.false_answers,
            }
        })
        .collect();
    Separation {
        auc: auc(&pos, &neg),
        positives: pos.len(),
        negatives: neg.len(),
        table,
        suggestion_right: suggestion_right(engine, questions, today, report),
    }
}

/// Of the answerable questions declined, how many are answered right by asking their first
/// suggestion: a near miss the person can recover from with one click.
fn suggestion_right(
    engine: &Engine,
    questions: &[EvalQuestion],
    today: NaiveDate,
    report: &EvalReport,
) -> Tally {
    let mut tally = Tally::default();
    for (q, r) in questions.iter().zip(&report.results) {
        if q.must_decline() || r.answered {
            continue;
        }
        tally.total += 1;
        if let Some(first) = r.suggestions.first() {
            let a = engine.ask(first, today);
            tally.correct += is_correct(q, a.answered, &a.text) as usize;
        }
    }
    tally
}

/// The separation figures as printed under the summary.
pub fn separation_table(s: &Separation) -> String {
    let auc = s.auc.map_or("n/a".to_string(), |a| format!("{a:.3}"));
    let mut out = format!(
        "\nAUC of the confidence (answered right, {} questions, vs must-decline, {}): {auc}\n\
         {:>9}  {:>18}  {:>18}  {:>5}\n",
        s.positives, s.negatives, "threshold", "answered right", "declined right", "false"
    );
    for row in &s.table {
        out.push_str(&format!(
            "{:>9.2}  {:>18}  {:>18}  {:>5}\n",
            row.threshold,
            row.answered_right.figure(),
            row.declined_right.figure(),
            row.false_answers
        ));
    }
    out.push_str(&format!(
        "declined answerable questions whose first suggestion answers them: {}\n",
        s.suggestion_right.figure()
    ));
    out
}

/// A human summary: per kind, answered %, declined %, false answers.
pub fn summary(report: &EvalReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("{:<16} {:>8} {:>8}\n", "kind", "correct", "rate"));
    for (kind, t) in &report.per_kind {
        out.push_str(&format!(
            "{:<16} {:>4}/{:<4} {:>6.1}%\n",
            kind,
            t.correct,
            t.total,
            100.0 * t.rate()
        ));
    }
    let n = report.total().max(1) as f64;
    out.push_str(&format!(
        "\nanswerable correct: {}\nmust-decline declined: {}\n\
         answered: {:.1}%   declined: {:.1}%   false answers: {}\n",
        report.answerable.figure(),
        report.abstain.figure(),
        100.0 * report.answered as f64 / n,
        100.0 * report.declined as f64 / n,
        report.false_answers
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::auc;

    #[test]
    fn auc_is_one_when_every_positive_scores_above_every_negative() {
        assert_eq!(auc(&[0.9, 0.8, 0.7], &[0.1, 0.2]), Some(1.0));
        assert_eq!(auc(&[0.1, 0.2], &[0.9, 0.8, 0.7]), Some(0.0));
    }

    #[test]
    fn auc_counts_a_tie_between_sides_as_one_half() {
        assert_eq!(auc(&[0.5], &[0.5]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.5, 0.5], &[0.5, 0.5]), Some(0.5));
        // Pairs: (0.9 > 0.5), (0.9 > 0.1), (0.5 = 0.5: one half), (0.5 > 0.1): 3.5 of 4.
        assert_eq!(auc(&[0.9, 0.5], &[0.5, 0.1]), Some(0.875));
        // Ties within one side do not count.
        assert_eq!(auc(&[0.7, 0.7], &[0.2, 0.2]), Some(1.0));
    }

    #[test]
    fn auc_matches_counting_pairs_on_mixed_scores() {
        let pos = [0.3, 0.8, 0.8, 0.55, 0.1, 0.9];
        let neg = [0.2, 0.8, 0.4, 0.55, 0.05];
        let mut wins = 0.0;
        for p in pos {
            for n in neg {
                wins += if p > n {
                    1.0
                } else if p == n {
                    0.5
                } else {
                    0.0
                };
            }
        }
        let expected = wins / (pos.len() * neg.len()) as f64;
        let got = auc(&pos, &neg).expect("both sides");
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }

    #[test]
    fn auc_is_undefined_without_both_sides() {
        assert_eq!(auc(&[], &[0.3]), None);
        assert_eq!(auc(&[0.3], &[]), None);
        assert_eq!(auc(&[], &[]), None);
    }
}
