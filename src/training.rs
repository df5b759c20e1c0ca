//! The confidence's training data, drawn from the fact base itself, and the fit of the
//! calibration and threshold on it, with cross-validated figures.
//!
//! A calibration fitted only on the project's question sets learns their wording, and those sets
//! are small. The fact base holds thousands of phrasings that say how people ask for each fact,
//! so it can teach both sides of the decision (issue 13):
//! - every phrasing asked with its fold of phrasings left out of the index must still find its
//!   fact: a right answer if it does, a wrong one if it does not;
//! - every fact left out in turn, with its phrasings asked, must be declined unless another fact
//!   says the same thing: the related fact that then comes first is exactly the false answer the
//!   bot must learn to refuse;
//! - the tuning questions of `tests/` add people's own wording.
//!
//! Figures are cross-validated: examples are split into folds by fact (or by the page a real
//! question came from), the calibration and threshold are fitted without a fold and scored on it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calibration::{Calibration, Features, FEATURES};
use crate::engine::Engine;
use crate::eval::{self, auc, is_correct, EvalQuestion, Tally};
use crate::knowledge::KnowledgeBase;
use crate::lexicon::month_number;
use crate::model::{Fact, Retirement};

/// `[fitting]` of `matcher.toml`: how the calibration is fitted (`strikefacts fit`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fitting {
    /// Folds, for leaving phrasings and facts out and for cross-validation.
    pub folds: usize,
    /// What one example drawn from the fact base weighs against one tuning question.
    pub fact_base_weight: f32,
    /// A false answer costs this many right ones when the threshold is chosen.
    pub false_answer_cost: f32,
    /// Another fact answers a left-out fact's phrasings acceptably when its answer holds at
    /// least this share of the left-out answer's words (the same statement, said again).
    pub same_answer: f32,
    /// The L2 penalty of the logistic fit.
    pub l2: f32,
}

impl Default for Fitting {
    fn default() -> Self {
        Fitting {
            folds: 10,
            fact_base_weight: 0.25,
            false_answer_cost: 3.0,
            same_answer: 0.6,
            l2: 1e-3,
        }
    }
}

/// Where a training example comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Kind {
    /// A phrasing asked with it left out of the index.
    Phrasing,
    /// A phrasing of a fact left out of the index.
    LeftOutFact,
    /// A tuning question of `tests/`.
    Question,
}

/// One question, the features of its best match, and what answering with it would be.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Features,
    /// Answering with the best match is right.
    pub right: bool,
    /// The right outcome is to decline (a must-decline question, or a left-out fact that no
    /// other fact states).
    pub must_decline: bool,
    /// Examples of one group share a fold: a fact's id, or a real question's page.
    pub group: String,
    pub weight: f32,
    pub kind: Kind,
}

/// The fact base's examples: phrasings with their fold left out, then left-out facts.
pub fn from_fact_base(kb: &KnowledgeBase, today: NaiveDate, fitting: &Fitting) -> Vec<Example> {
    let mut out = Vec::new();
    for fold in 0..fitting.folds {
        out.extend(phrasings_left_out(kb, today, fitting, fold));
        out.extend(facts_left_out(kb, today, fitting, fold));
    }
    out
}

/// The fact base without its calibration: the features are read from raw scores.
fn uncalibrated(kb: &KnowledgeBase) -> KnowledgeBase {
    let mut raw = kb.clone();
    raw.settings.calibration = None;
    raw
}

/// Each served fact's phrasings of one fold, asked of an index built without them.
fn phrasings_left_out(
    kb: &KnowledgeBase,
    today: NaiveDate,
    fitting: &Fitting,
    fold: usize,
) -> Vec<Example> {
    let mut raw = uncalibrated(kb);
    let mut asked: Vec<(usize, String)> = Vec::new();
    for (pos, fact) in raw.facts.iter_mut().enumerate() {
        if !fact.is_served() || fact.phrasings.len() < 2 {
            continue;
        }
        let (out, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut fact.phrasings)
            .into_iter()
            .enumerate()
            .partition(|(i, _)| (pos + i) % fitting.folds == fold);
        fact.phrasings = keep.into_iter().map(|(_, p)| p).collect();
        asked.extend(out.into_iter().map(|(_, p)| (pos, p)));
    }
    let engine = Engine::new(raw);
    asked
        .into_iter()
        .filter_map(|(pos, p)| {
            let m = engine.top_match(&p, today)?;
            let right = m.fact == pos || same_answer(kb, pos, m.fact, fitting);
            Some(Example {
                features: m.features,
                right,
                must_decline: false,
                group: kb.facts[pos].id.clone(),
                weight: fitting.fact_base_weight,
                kind: Kind::Phrasing,
            })
        })
        .collect()
}

/// The served facts of one fold left out, their phrasings asked of the rest.
fn facts_left_out(
    kb: &KnowledgeBase,
    today: NaiveDate,
    fitting: &Fitting,
    fold: usize,
) -> Vec<Example> {
    let mut raw = uncalibrated(kb);
    let left: Vec<usize> = (0..raw.facts.len())
        .filter(|&pos| raw.facts[pos].is_served() && pos % fitting.folds == fold)
        .collect();
    for &pos in &left {
        raw.facts[pos].retired = Some(Retirement {
            reason: "left out for fitting".into(),
            at: String::new(),
            by: String::new(),
        });
    }
    let engine = Engine::new(raw);
    let mut out = Vec::new();
    for &pos in &left {
        for p in &kb.facts[pos].phrasings {
            let Some(m) = engine.top_match(p, today) else {
                continue;
            };
            let right = same_answer(kb, pos, m.fact, fitting);
            out.push(Example {
                features: m.features,
                right,
                must_decline: !right,
                group: kb.facts[pos].id.clone(),
                weight: fitting.fact_base_weight,
                kind: Kind::LeftOutFact,
            });
        }
    }
    out
}

/// Whether fact `other` states what fact `asked` does: the same dispute, and most of what
/// `asked`'s answer says in `other`'s. What it says is its figures and dates when it has any
/// (the "12 January 2016" a "when" asks for), else its words.
fn same_answer(kb: &KnowledgeBase, asked: usize, other: usize, fitting: &Fitting) -> bool {
    let (a, b): (&Fact, &Fact) = (&kb.facts[asked], &kb.facts[other]);
    if a.dispute != b.dispute {
        return false;
    }
    let words = |f: &Fact| {
        let mut t = kb.lexicon.analyze(&f.answer).tokens;
        t.sort();
        t.dedup();
        t
    };
    let (wa, wb) = (words(a), words(b));
    let figures: Vec<&String> = wa
        .iter()
        .filter(|t| t.bytes().any(|c| c.is_ascii_digit()) || month_number(t).is_some())
        .collect();
    let said: Vec<&String> = if figures.is_empty() {
        wa.iter().collect()
    } else {
        figures
    };
    if said.is_empty() {
        return false;
    }
    let shared = said.iter().filter(|t| wb.binary_search(t).is_ok()).count();
    shared as f32 >= fitting.same_answer * said.len() as f32
}

/// The tuning questions' examples: each single question's best match, right when the bot's
/// answer at no threshold is. Follow-ups are left out: their match depends on the turn before.
pub fn from_questions(
    kb: &KnowledgeBase,
    questions: &[EvalQuestion],
    today: NaiveDate,
) -> Vec<Example> {
    let engine = Engine::new(uncalibrated(kb)).with_threshold(0.0);
    questions
        .iter()
        .filter(|q| q.previous.is_empty())
        .filter_map(|q| {
            let m = engine.top_match(&q.q, today)?;
            let a = engine.ask(&q.q, today);
            let group = q
                .origin
                .as_ref()
                .map_or_else(|| q.id.clone(), |o| o.url.clone());
            Some(Example {
                features: m.features,
                right: !q.must_decline() && is_correct(q, a.answered, &a.text),
                must_decline: q.must_decline(),
                group,
                weight: 1.0,
                kind: Kind::Question,
            })
        })
        .collect()
}

/// A fitted calibration and the threshold that serves its examples best.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub calibration: Calibration,
    pub threshold: f32,
}

/// Fits the calibration (weighted logistic regression) and then the threshold on `examples`.
pub fn fit(examples: &[Example], fitting: &Fitting) -> Fit {
    let calibration = logistic(examples, fitting.l2);
    let scored: Vec<(f32, &Example)> = examples
        .iter()
        .map(|e| (calibration.confidence(&e.features), e))
        .collect();
    Fit {
        calibration,
        threshold: best_threshold(&scored, fitting.false_answer_cost),
    }
}

/// The threshold, in hundredths from 0.20 to 0.90, at which the bot with `calibration` serves
/// the tuning questions best (as `strikefacts eval` scores them: the whole answer, not only the
/// best match); ties go to the lower.
pub fn engine_threshold(
    kb: &KnowledgeBase,
    calibration: Calibration,
    questions: &[EvalQuestion],
    today: NaiveDate,
    fitting: &Fitting,
) -> f32 {
    let mut kb = kb.clone();
    kb.settings.calibration = Some(calibration);
    let engine = Engine::new(kb);
    let mut best = (engine.threshold(), f32::MIN);
    for step in 20..=90 {
        let t = step as f32 / 100.0;
        let r = eval::run(&engine.clone().with_threshold(t), questions, today);
        let right = (r.answerable.correct + r.abstain.correct) as f32;
        let worth = right - fitting.false_answer_cost * r.false_answers as f32;
        if worth > best.1 {
            best = (t, worth);
        }
    }
    best.0
}

/// Plain gradient descent with a little L2: thousands of examples and a dozen features need
/// nothing heavier. Weights are rounded to three places, as `matcher.toml` shows them.
fn logistic(examples: &[Example], l2: f32) -> Calibration {
    let mut w = [0.0f32; FEATURES + 1];
    let total: f32 = examples.iter().map(|e| e.weight).sum();
    if total <= 0.0 {
        return weights(&w);
    }
    let data: Vec<([f32; FEATURES], f32, f32)> = examples
        .iter()
        .map(|e| (e.features.to_array(), e.right as u8 as f32, e.weight))
        .collect();
    let rate = 0.5f32;
    for _ in 0..4000 {
        let mut grad = [0.0f32; FEATURES + 1];
        let current = weights(&w);
        for (x, y, weight) in &data {
            let err = weight * (current.confidence(&Features::from_array(*x)) - y);
            grad[0] += err;
            for i in 0..FEATURES {
                grad[i + 1] += err * x[i];
            }
        }
        for i in 0..=FEATURES {
            let reg = if i == 0 { 0.0 } else { l2 * w[i] };
            w[i] -= rate * (grad[i] / total + reg);
        }
    }
    weights(&w.map(|v| (v * 1000.0).round() / 1000.0))
}

/// Bias-first weights as the named table.
fn weights(w: &[f32; FEATURES + 1]) -> Calibration {
    let mut features = [0.0; FEATURES];
    features.copy_from_slice(&w[1..]);
    Calibration {
        bias: w[0],
        weights: Features::from_array(features),
    }
}

/// What answering at a threshold is worth: right answers and right declines, less
/// `false_answer_cost` for each false answer, all weighted.
fn worth(scored: &[(f32, &Example)], threshold: f32, false_answer_cost: f32) -> f32 {
    scored
        .iter()
        .map(|(c, e)| {
            let value = match (*c >= threshold, e.right) {
                (true, true) => 1.0,
                (true, false) => -false_answer_cost,
                (false, _) if e.must_decline => 1.0,
                (false, _) => 0.0,
            };
            value * e.weight
        })
        .sum()
}

/// The threshold, in hundredths from 0.20 to 0.95, that is worth most; ties go to the lower.
fn best_threshold(scored: &[(f32, &Example)], false_answer_cost: f32) -> f32 {
    let mut best = (0.5, f32::MIN);
    for step in 20..=95 {
        let t = step as f32 / 100.0;
        let w = worth(scored, t, false_answer_cost);
        if w > best.1 {
            best = (t, w);
        }
    }
    best.0
}

/// Cross-validated figures of one kind of example.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Held {
    pub answered_right: Tally,
    pub declined_right: Tally,
    pub false_answers: usize,
    /// Right answers against must-declines, on held-out confidences.
    pub auc: Option<f64>,
}

/// Each example's confidence and decision from a fit that never saw its fold, summed per kind.
pub fn cross_validate(examples: &[Example], fitting: &Fitting) -> BTreeMap<Kind, Held> {
    let folds = fold_of_groups(examples, fitting.folds);
    let mut scored: Vec<(f32, bool)> = vec![(0.0, false); examples.len()];
    for fold in 0..fitting.folds {
        let train: Vec<Example> = examples
            .iter()
            .zip(&folds)
            .filter(|(_, &f)| f != fold)
            .map(|(e, _)| e.clone())
            .collect();
        let fitted = fit(&train, fitting);
        for (i, e) in examples.iter().enumerate() {
            if folds[i] == fold {
                let c = fitted.calibration.confidence(&e.features);
                scored[i] = (c, c >= fitted.threshold);
            }
        }
    }
    tally(examples, &scored)
}

/// The figures of a given calibration and threshold on the examples (the configured ones, to
/// compare with a new fit's cross-validated figures).
pub fn score(examples: &[Example], fit: &Fit) -> BTreeMap<Kind, Held> {
    let scored: Vec<(f32, bool)> = examples
        .iter()
        .map(|e| {
            let c = fit.calibration.confidence(&e.features);
            (c, c >= fit.threshold)
        })
        .collect();
    tally(examples, &scored)
}

/// The AUC of a calibration over all examples: right answers of every kind against every
/// example that must be declined (a found phrasing against a left-out fact's related match).
pub fn overall_auc(examples: &[Example], calibration: &Calibration) -> Option<f64> {
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for e in examples {
        let c = calibration.confidence(&e.features);
        if e.must_decline {
            neg.push(c);
        } else if e.right {
            pos.push(c);
        }
    }
    auc(&pos, &neg)
}

/// The fold of each example: its group's place among the sorted groups, modulo `folds`.
fn fold_of_groups(examples: &[Example], folds: usize) -> Vec<usize> {
    let mut groups: Vec<&str> = examples.iter().map(|e| e.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    examples
        .iter()
        .map(|e| groups.binary_search(&e.group.as_str()).unwrap_or(0) % folds.max(1))
        .collect()
}

fn tally(examples: &[Example], scored: &[(f32, bool)]) -> BTreeMap<Kind, Held> {
    let mut out: BTreeMap<Kind, Held> = BTreeMap::new();
    let mut sides: BTreeMap<Kind, (Vec<f32>, Vec<f32>)> = BTreeMap::new();
    for (e, &(c, answered)) in examples.iter().zip(scored) {
        let h = out.entry(e.kind).or_default();
        let side = sides.entry(e.kind).or_default();
        if e.must_decline {
            h.declined_right.total += 1;
            h.declined_right.correct += !answered as usize;
            side.1.push(c);
        } else {
            h.answered_right.total += 1;
            h.answered_right.correct += (answered && e.right) as usize;
            if e.right {
                side.0.push(c);
            }
        }
        h.false_answers += (answered && !e.right) as usize;
    }
    for (kind, (pos, neg)) in sides {
        if let Some(h) = out.get_mut(&kind) {
            h.auc = auc(&pos, &neg);
        }
    }
    out
}

/// `strikefacts fit`: the examples' cross-validated figures per kind, the configured
/// calibration's on the same examples, and the fit on them all with its threshold (chosen on the
/// tuning questions as the bot answers them), as lines to paste into `matcher.toml`.
pub fn report(kb: &KnowledgeBase, tuning: &[EvalQuestion], today: NaiveDate) -> String {
    let fitting = kb.settings.fitting;
    let mut examples = from_fact_base(kb, today, &fitting);
    examples.extend(from_questions(kb, tuning, today));
    let mut out = format!(
        "{} examples; cross-validated over {} folds (by fact, or by a real question's page):\n",
        examples.len(),
        fitting.folds
    );
    out.push_str(&rows(&cross_validate(&examples, &fitting)));
    let fitted = fit(&examples, &fitting);
    let auc_text =
        |c: &Calibration| overall_auc(&examples, c).map_or("n/a".into(), |a| format!("{a:.3}"));
    if let Some(calibration) = kb.settings.calibration {
        let configured = Fit {
            calibration,
            threshold: kb.settings.threshold,
        };
        out.push_str(
            "\nthe configured calibration and threshold on the same examples (in sample):\n",
        );
        out.push_str(&rows(&score(&examples, &configured)));
        out.push_str(&format!(
            "AUC over all examples: configured {}, ",
            auc_text(&calibration)
        ));
    }
    out.push_str(&format!("fitted {}\n", auc_text(&fitted.calibration)));
    let threshold = engine_threshold(kb, fitted.calibration, tuning, today, &fitting);
    out.push_str(&format!(
        "\nfitted on all {} examples, the threshold on the {} tuning questions \
         (paste into knowledge/matcher.toml):\nthreshold = {threshold:.2}\n\n{}",
        examples.len(),
        tuning.len(),
        fitted.calibration.to_toml()
    ));
    out
}

/// The figures of each kind of example as a table.
fn rows(held: &BTreeMap<Kind, Held>) -> String {
    let mut out = format!(
        "{:<12} {:>18} {:>18} {:>6} {:>6}\n",
        "from", "answered right", "declined right", "false", "AUC"
    );
    for (kind, h) in held {
        out.push_str(&format!(
            "{:<12} {:>18} {:>18} {:>6} {:>6}\n",
            format!("{kind:?}"),
            h.answered_right.figure(),
            h.declined_right.figure(),
            h.false_answers,
            h.auc.map_or("n/a".into(), |a| format!("{a:.3}"))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(x: f32, right: bool, must_decline: bool, group: &str) -> Example {
        Example {
            features: Features {
                coverage: x,
                ..Features::default()
            },
            right,
            must_decline,
            group: group.into(),
            weight: 1.0,
            kind: Kind::Question,
        }
    }

    fn separable() -> Vec<Example> {
        (0..40)
            .map(|i| {
                let right = i % 2 == 0;
                let x = if right { 0.8 } else { 0.2 } + (i % 5) as f32 * 0.02;
                example(x, right, !right, &format!("g{}", i % 8))
            })
            .collect()
    }

    #[test]
    fn a_separable_set_is_fitted_with_a_threshold_between_its_sides() {
        let fitting = Fitting::default();
        let f = fit(&separable(), &fitting);
        assert!(f.calibration.weights.coverage > 0.0);
        for e in separable() {
            let c = f.calibration.confidence(&e.features);
            assert_eq!(c >= f.threshold, e.right, "{c} against {}", f.threshold);
        }
    }

    #[test]
    fn cross_validation_scores_every_example_once_by_group() {
        let fitting = Fitting {
            folds: 4,
            ..Fitting::default()
        };
        let held = cross_validate(&separable(), &fitting);
        let h = &held[&Kind::Question];
        assert_eq!(h.answered_right.total + h.declined_right.total, 40);
        assert_eq!(h.answered_right.correct, 20);
        assert_eq!(h.declined_right.correct, 20);
        assert_eq!(h.false_answers, 0);
        assert_eq!(h.auc, Some(1.0));
    }

    #[test]
    fn a_false_answer_costs_more_than_a_right_one_gains() {
        let e = [
            example(0.5, true, false, "a"),
            example(0.5, false, true, "b"),
        ];
        let scored: Vec<(f32, &Example)> = e.iter().map(|e| (0.6, e)).collect();
        // Answering both: one right, one false at cost 3; declining both: one right decline.
        assert_eq!(worth(&scored, 0.5, 3.0), -2.0);
        assert_eq!(worth(&scored, 0.7, 3.0), 1.0);
        assert!(best_threshold(&scored, 3.0) > 0.6);
    }
}
