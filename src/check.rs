//! `strikefacts check`: every rule the fact base must keep, reported as `path:line: message`.
//!
//! Loading ([`crate::knowledge`]) already rejects malformed files, missing fields, unknown ids and
//! duplicates. This adds the rules that need more than one file: each phrasing must lead the
//! matcher back to its own fact, facts past their review date are flagged, and (with a sources
//! folder) each excerpt must be found verbatim in the source texts and each figure or quoted
//! phrase of an answer in its cited sources' texts; a fact counting strikes or strike days must
//! give the timeline's count; each display question must be clean and lead back to its own fact.

use std::fs;
use std::path::Path;

use chrono::NaiveDate;

use crate::engine::Engine;
use crate::knowledge::{line_of, KnowledgeBase, Problem, Severity};
use crate::model::Fact;
use crate::provenance::{fold_for_quote, text_path, SourceTexts as StoredTexts, SOURCE_TEXTS_DIR};
use crate::source_text::SourceTexts;

/// Checks a fact base folder; problems sorted by file and line. An empty list means it passes.
pub fn check(dir: &Path, sources: Option<&Path>, today: NaiveDate) -> Vec<Problem> {
    let kb = match KnowledgeBase::load(dir) {
        Ok(kb) => kb,
        Err(e) => return e.problems,
    };
    let mut problems = check_config(&kb);
    problems.extend(check_loaded(&kb, today));
    problems.extend(check_provenance(&kb));
    problems.extend(check_counts(&kb));
    problems.extend(check_overview(&kb));
    if let Some(src) = sources {
        problems.extend(check_sources(&kb, src));
    }
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    problems
}

/// Every fact `overview.toml` names is a served fact of the dispute it is named for. A warning,
/// not an error: a moderator may retire the fact, and the overview is then not given.
fn check_overview(kb: &KnowledgeBase) -> Vec<Problem> {
    let path = kb.root.join("overview.toml");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let mut problems = Vec::new();
    for (id, dispute) in kb.overview.fact_ids() {
        let fact = kb.facts.iter().find(|f| f.id == id && f.is_served());
        let message = match (fact, dispute) {
            (None, _) => format!("{id:?} is no served fact's id"),
            (Some(f), Some(d)) if f.dispute != d => {
                format!("{id:?} is a fact of {:?}, not of {d:?}", f.dispute)
            }
            _ => continue,
        };
        problems.push(Problem {
            severity: Severity::Warning,
            ..config_problem(&path, &text, dispute.unwrap_or("all"), message)
        });
    }
    problems
}

/// The configuration, as strictly as the facts: `matcher.toml`'s numbers finite and in range, the
/// calibration one weight per feature plus the bias, and no lexicon variant that is itself a form
/// (its own or another's: `walkout = ["strike"]` would split strike from walkout).
pub fn check_config(kb: &KnowledgeBase) -> Vec<Problem> {
    let mut problems = check_settings(kb);
    problems.extend(check_lexicon_forms(&kb.root.join("lexicon.toml")));
    problems
}

fn config_problem(path: &Path, text: &str, needle: &str, message: String) -> Problem {
    Problem {
        path: path.to_path_buf(),
        // The line that sets the key, not a comment that mentions it.
        line: text
            .lines()
            .position(|l| {
                l.trim_start()
                    .strip_prefix(needle)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map_or(1, |i| i + 1),
        severity: Severity::Error,
        message,
    }
}

/// Each number of `matcher.toml` finite and within its range (a missing calibration weight is
/// already a parse error naming the line).
fn check_settings(kb: &KnowledgeBase) -> Vec<Problem> {
    let path = kb.root.join("matcher.toml");
    let text = crate::knowledge::read_regular(&path).unwrap_or_default();
    let s = &kb.settings;
    let mut problems = Vec::new();
    for (name, value) in [
        ("threshold", s.threshold),
        ("dispute_margin", s.dispute_margin),
        ("unknown_share", s.unknown_share),
        ("answer_weight", s.answer_weight),
        ("coverage_weight", s.coverage_weight),
    ] {
        if !(0.0..=1.0).contains(&value) {
            let msg = format!("`{name}` is {value}; it must be a number from 0 to 1");
            problems.push(config_problem(&path, &text, name, msg));
        }
    }
    if let Some(c) = &s.calibration {
        if let Some(bad) = c
            .all()
            .into_iter()
            .find(|w| !w.is_finite() || w.abs() > 1000.0)
        {
            let msg = format!("`calibration` has the weight {bad}; each must be finite and sane");
            problems.push(config_problem(&path, &text, "calibration", msg));
        }
    }
    problems
}

/// No lexicon variant may be a form (a key of `[synonyms]`), its own or another's.
fn check_lexicon_forms(path: &Path) -> Vec<Problem> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(default)]
        synonyms: std::collections::BTreeMap<String, Vec<toml::Spanned<String>>>,
    }
    let Ok(text) = crate::knowledge::read_regular(path) else {
        return Vec::new();
    };
    let Ok(raw) = toml::from_str::<Raw>(&text) else {
        return Vec::new();
    };
    let forms: Vec<String> = raw
        .synonyms
        .keys()
        .map(|k| crate::lexicon::plain(k))
        .collect();
    let mut problems = Vec::new();
    for (form, variants) in &raw.synonyms {
        for v in variants {
            let folded = crate::lexicon::plain(v.get_ref());
            if !forms.contains(&folded) {
                continue;
            }
            let whose = if folded == crate::lexicon::plain(form) {
                "its own form".to_string()
            } else {
                format!("itself a form with variants of its own, not a variant of {form:?}")
            };
            problems.push(Problem {
                path: path.to_path_buf(),
                line: line_of(&text, v.span().start),
                severity: Severity::Error,
                message: format!("lexicon variant {:?} is {whose}", v.get_ref()),
            });
        }
    }
    problems
}

/// The rules that need the matcher, for an already loaded fact base.
pub fn check_loaded(kb: &KnowledgeBase, today: NaiveDate) -> Vec<Problem> {
    check_engine(&Engine::new(kb.clone()), today)
}

/// The same rules for a fact base whose index is already built (a moderator's edit builds it
/// once, checks it and then serves it).
pub fn check_engine(engine: &Engine, today: NaiveDate) -> Vec<Problem> {
    let kb = engine.knowledge();
    let mut problems = Vec::new();
    for fact in kb.served_facts() {
        let text = fs::read_to_string(&fact.path).unwrap_or_default();
        problems.extend(check_fact(engine, fact, &text, today));
    }
    problems
}

/// The rules of [`check_engine`] for one served fact whose file holds `text` (a moderator's
/// change checks the facts it can affect, with its own text not yet written).
pub fn check_fact(engine: &Engine, fact: &Fact, text: &str, today: NaiveDate) -> Vec<Problem> {
    let line = |needle: &str| text.find(needle).map(|o| line_of(text, o)).unwrap_or(1);
    let mut problems = Vec::new();
    for p in &fact.phrasings {
        let answer = engine.ask(p, fact.as_of.latest());
        let ids: Vec<&str> = answer.facts.iter().map(|f| f.id.as_str()).collect();
        let by_timeline = ids.iter().any(|id| id.starts_with("timeline:"));
        if ids.contains(&fact.id.as_str()) || by_timeline {
            continue;
        }
        let message = match answer.facts.first() {
            Some(other) => format!(
                "phrasing {p:?} leads to fact {:?} (confidence {:.2}), not to this one",
                other.id, other.confidence
            ),
            None => format!(
                "phrasing {p:?} is not answered: confidence {:.2} is below the threshold {:.2}",
                answer.confidence,
                engine.threshold()
            ),
        };
        problems.push(Problem {
            path: fact.path.clone(),
            line: line(p),
            severity: Severity::Error,
            message,
        });
    }
    problems.extend(check_display_question(engine, fact));
    if let Some(review) = fact.past_review(today) {
        problems.push(Problem {
            path: fact.path.clone(),
            line: line("review_by"),
            severity: Severity::Warning,
            message: format!("past its review date ({review}): answers warn it may be out of date"),
        });
    }
    problems
}

/// The longest display question: a button label's limit, so that no label is ever cut.
pub const MAX_DISPLAY_QUESTION: usize = 80;

/// A served fact's display question: present (else a warning), capitalised, a question, short
/// enough for a button, free of slang, and leading back to its own fact when asked (a click on
/// its button must answer this fact).
fn check_display_question(engine: &Engine, fact: &Fact) -> Vec<Problem> {
    let kb = engine.knowledge();
    let path = kb.root.join("questions.toml");
    let Some(q) = &fact.question else {
        return vec![Problem {
            path: fact.path.clone(),
            line: 1,
            severity: Severity::Warning,
            message: format!(
                "no display question for {:?} in questions.toml: its buttons show a phrasing",
                fact.id
            ),
        }];
    };
    let plain = crate::lexicon::plain(q);
    let words: Vec<&str> = plain.split(' ').collect();
    let mut wrong = Vec::new();
    if !q.chars().next().is_some_and(char::is_uppercase) {
        wrong.push("does not start with a capital letter".to_string());
    }
    if !q.ends_with('?') {
        wrong.push("does not end with \"?\"".to_string());
    }
    let n = q.chars().count();
    if n > MAX_DISPLAY_QUESTION {
        wrong.push(format!(
            "is {n} characters (at most {MAX_DISPLAY_QUESTION})"
        ));
    }
    if let Some(s) = kb.slang.iter().find(|s| words.contains(&s.as_str())) {
        wrong.push(format!("contains the slang word {s:?}"));
    }
    let answer = engine.ask(q, fact.as_of.latest());
    let ids: Vec<&str> = answer.facts.iter().map(|f| f.id.as_str()).collect();
    if !ids.contains(&fact.id.as_str()) && !ids.iter().any(|id| id.starts_with("timeline:")) {
        wrong.push(match answer.facts.first() {
            Some(other) => format!("leads to fact {:?}, not to this one", other.id),
            None => "is not answered".to_string(),
        });
    }
    if wrong.is_empty() {
        return Vec::new();
    }
    let text = fs::read_to_string(&path).unwrap_or_default();
    let line = text
        .find(&format!("\"{}\"", fact.id))
        .map_or(1, |o| line_of(&text, o));
    vec![Problem {
        path,
        line,
        severity: Severity::Error,
        message: format!("the display question {q:?} {}", wrong.join(", ")),
    }]
}

/// Every excerpt of every fact and strike period must be in the text of a source it cites
/// (`knowledge/sources/<id>.txt`), the rule a moderator's change is held to; a cited source
/// without a text is a warning, as its excerpts cannot be checked there.
pub fn check_provenance(kb: &KnowledgeBase) -> Vec<Problem> {
    let texts = match StoredTexts::load(&kb.root) {
        Ok(t) => t,
        Err(e) => {
            return vec![Problem {
                path: kb.root.join(SOURCE_TEXTS_DIR),
                line: 1,
                severity: Severity::Error,
                message: format!("could not read the source texts: {e}"),
            }]
        }
    };
    let mut problems = Vec::new();
    let timeline = kb.root.join("timeline.toml");
    let items = kb
        .facts
        .iter()
        .map(|f| (&f.path, &f.sources, &f.excerpts))
        .chain(
            kb.timeline
                .iter()
                .map(|p| (&timeline, &p.sources, &p.excerpts)),
        );
    for (path, sources, excerpts) in items {
        let text = fs::read_to_string(path).unwrap_or_default();
        let line = |needle: &str| text.find(needle).map(|o| line_of(&text, o)).unwrap_or(1);
        for s in sources.iter().filter(|s| !texts.has(s)) {
            problems.push(Problem {
                path: path.clone(),
                line: line(&format!("\"{s}\"")),
                severity: Severity::Warning,
                message: format!(
                    "source {s:?} has no text at {}: its excerpts cannot be checked",
                    text_path(std::path::Path::new("knowledge"), s).display()
                ),
            });
        }
        for e in texts.unsupported(sources, excerpts) {
            problems.push(Problem {
                path: path.clone(),
                line: line(e),
                severity: Severity::Error,
                message: format!(
                    "excerpt found in the text of none of its sources {sources:?}: {e:?}"
                ),
            });
        }
    }
    problems
}

/// The rules that need the source texts in `dir`: excerpts verbatim, answers' figures sourced.
pub fn check_sources(kb: &KnowledgeBase, dir: &Path) -> Vec<Problem> {
    let Some(texts) = SourceTexts::load(dir, kb.sources.values()) else {
        return vec![Problem {
            path: dir.to_path_buf(),
            line: 1,
            severity: Severity::Error,
            message: "no source texts found here".into(),
        }];
    };
    let mut problems = check_excerpts(kb, &texts, dir);
    problems.extend(check_figures(kb, &texts));
    problems
}

/// Every excerpt of every fact and strike period must appear in the source texts.
pub fn check_excerpts(kb: &KnowledgeBase, texts: &SourceTexts, dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for fact in &kb.facts {
        missing_excerpts(
            &fact.path,
            &fact.excerpts,
            &texts.corpus,
            dir,
            &mut problems,
        );
    }
    let timeline = kb.root.join("timeline.toml");
    for p in &kb.timeline {
        missing_excerpts(&timeline, &p.excerpts, &texts.corpus, dir, &mut problems);
    }
    problems
}

/// A problem at its line of `path` for each of `excerpts` that the folded `corpus` lacks.
fn missing_excerpts(
    path: &Path,
    excerpts: &[String],
    corpus: &str,
    dir: &Path,
    problems: &mut Vec<Problem>,
) {
    let mut text: Option<String> = None;
    for e in excerpts {
        if corpus.contains(&fold_for_quote(e)) {
            continue;
        }
        let text = text.get_or_insert_with(|| fs::read_to_string(path).unwrap_or_default());
        problems.push(Problem {
            path: path.to_path_buf(),
            line: text.find(e.as_str()).map(|o| line_of(text, o)).unwrap_or(1),
            severity: Severity::Error,
            message: format!("excerpt not found verbatim in {}: {e:?}", dir.display()),
        });
    }
}

/// A count an answer states: of strikes ("six strikes") or of strike days ("eight days of strike
/// action", "21 strike days").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatedCount {
    Strikes(u32),
    Days(u32),
}

/// The counts of strikes and strike days a text states, in digits or words.
pub fn stated_counts(text: &str) -> Vec<StatedCount> {
    let lower = text.to_lowercase().replace(',', "");
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(n) = w
            .parse::<u32>()
            .ok()
            .or_else(|| crate::lexicon::number_word(w))
            .filter(|n| *n < 1000)
        else {
            continue;
        };
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        let count = match (next(1), next(2), next(3)) {
            ("strikes" | "walkouts" | "rounds", _, _) => StatedCount::Strikes(n),
            ("strike", "days", _) => StatedCount::Days(n),
            ("days", "of", "strike" | "strikes" | "industrial" | "walkouts") => {
                StatedCount::Days(n)
            }
            _ => continue,
        };
        out.push(count);
    }
    out
}

/// A fact that counts strikes or strike days states the timeline's count for its dispute up to
/// its `as_of`, as well as any other figure it attributes to a source ("ITV News said six
/// strikes had taken place ... my sources date five strikes"): counts come from the timeline.
pub fn check_counts(kb: &KnowledgeBase) -> Vec<Problem> {
    let mut problems = Vec::new();
    for fact in kb.served_facts() {
        let counts = stated_counts(&fact.answer);
        let (strikes, days) = crate::timeline::tally(kb, &fact.dispute, fact.as_of.latest());
        let strikes = u32::try_from(strikes).unwrap_or(u32::MAX);
        let mut complain = |what: &str, stated: Vec<u32>, want: u32| {
            if stated.is_empty() || stated.contains(&want) {
                return;
            }
            let text = fs::read_to_string(&fact.path).unwrap_or_default();
            problems.push(Problem {
                path: fact.path.clone(),
                line: text.find("answer").map(|o| line_of(&text, o)).unwrap_or(1),
                severity: Severity::Error,
                message: format!(
                    "the answer counts {stated:?} {what} but the timeline has {want} for {} up \
                     to {}: state the timeline's count too, and whose the other figure is",
                    fact.dispute, fact.as_of
                ),
            });
        };
        let pick = |days: bool| -> Vec<u32> {
            counts
                .iter()
                .filter_map(|c| match (c, days) {
                    (StatedCount::Days(n), true) | (StatedCount::Strikes(n), false) => Some(*n),
                    _ => None,
                })
                .collect()
        };
        complain("strikes", pick(false), strikes);
        complain("strike days", pick(true), days);
    }
    problems
}

/// A figure or quoted phrase of an answer that none of its cited sources holds, reviewed and
/// allowed, with why (`knowledge/figure-exceptions.toml`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureException {
    fact: String,
    /// The figure or phrase as the answer writes it.
    figure: String,
    reason: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureExceptions {
    #[serde(default)]
    exception: Vec<toml::Spanned<FigureException>>,
}

/// The file of reviewed exceptions to [`check_figures`].
pub const FIGURE_EXCEPTIONS: &str = "figure-exceptions.toml";

/// Every figure (number, percentage, money amount, day of a month) and every quoted phrase of a
/// served answer must be in the text of one of the fact's cited sources, unless
/// `figure-exceptions.toml` lists it for that fact with a reason. An exception that no longer
/// matches is reported too, so the list stays reviewed.
pub fn check_figures(kb: &KnowledgeBase, texts: &SourceTexts) -> Vec<Problem> {
    let path = kb.root.join(FIGURE_EXCEPTIONS);
    let (exceptions, mut problems) = read_exceptions(&path);
    let mut used = vec![false; exceptions.len()];
    for fact in kb.served_facts() {
        let own: String = fact
            .sources
            .iter()
            .map(|s| texts.of(s))
            .collect::<Vec<_>>()
            .join("\n");
        let known = crate::figures::figure_set(&own);
        let mut missing: Vec<String> = Vec::new();
        for (figure, shown) in crate::figures::figures(&fact.answer) {
            if !figure.found_in(&known) {
                missing.push(shown);
            }
        }
        for q in crate::figures::quoted(&fact.answer) {
            // A quotation may end on the answer's own full stop or comma.
            let words = q.trim_end_matches(['.', ',', ';', ':', '!', '?']);
            if !own.contains(&fold_for_quote(words)) {
                missing.push(format!("\"{q}\""));
            }
        }
        let text = fs::read_to_string(&fact.path).unwrap_or_default();
        for m in missing {
            let allowed = exceptions.iter().position(|e| {
                let e = e.get_ref();
                e.fact == fact.id && fold_for_quote(&m).contains(&fold_for_quote(&e.figure))
            });
            if let Some(i) = allowed {
                used[i] = true;
                continue;
            }
            problems.push(Problem {
                path: fact.path.clone(),
                line: text.find("answer").map(|o| line_of(&text, o)).unwrap_or(1),
                severity: Severity::Error,
                message: format!(
                    "the answer's {m:?} is in none of its sources' texts ({}); fix it, cite the \
                     source that has it, or list it in {FIGURE_EXCEPTIONS} with a reason",
                    fact.sources.join(", ")
                ),
            });
        }
    }
    let file = fs::read_to_string(&path).unwrap_or_default();
    for (e, used) in exceptions.iter().zip(used) {
        if !used {
            problems.push(Problem {
                path: path.clone(),
                line: line_of(&file, e.span().start),
                severity: Severity::Error,
                message: format!(
                    "exception {:?} for fact {:?} matches nothing the check reports: remove it",
                    e.get_ref().figure,
                    e.get_ref().fact
                ),
            });
        }
    }
    problems
}

/// The reviewed exceptions; a missing file is none, a bad one is a problem.
fn read_exceptions(path: &Path) -> (Vec<toml::Spanned<FigureException>>, Vec<Problem>) {
    let Ok(text) = crate::knowledge::read_regular(path) else {
        return (Vec::new(), Vec::new());
    };
    match toml::from_str::<FigureExceptions>(&text) {
        Ok(f) => {
            let mut problems = Vec::new();
            for e in &f.exception {
                if e.get_ref().reason.trim().is_empty() || e.get_ref().figure.trim().is_empty() {
                    problems.push(Problem {
                        path: path.to_path_buf(),
                        line: line_of(&text, e.span().start),
                        severity: Severity::Error,
                        message: "an exception needs its figure and a reason".into(),
                    });
                }
            }
            (f.exception, problems)
        }
        Err(e) => (
            Vec::new(),
            vec![Problem {
                path: path.to_path_buf(),
                line: e.span().map_or(1, |s| line_of(&text, s.start)),
                severity: Severity::Error,
                message: format!("bad TOML: {}", e.message()),
            }],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real() -> KnowledgeBase {
        KnowledgeBase::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge"))
            .expect("fact base loads")
    }

    #[test]
    fn counts_are_read_in_digits_and_words() {
        assert_eq!(
            stated_counts("eight days of strike action, then 21 strike days and six strikes"),
            vec![
                StatedCount::Days(8),
                StatedCount::Days(21),
                StatedCount::Strikes(6)
            ]
        );
        // A year, a length and an ordinal are not counts of strikes.
        assert!(stated_counts("the 2016 strikes, a five-day strike, the 13th walkout").is_empty());
    }

    #[test]
    fn the_timeline_gives_the_counts_its_sources_state() {
        let kb = real();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        // PA-2024-09: 44 days of strike action, 11 times; GU-2016-05: eight days by 18 May 2016.
        assert_eq!(
            crate::timeline::tally(&kb, "pay-2022", day(2024, 9, 16)),
            (11, 44)
        );
        assert_eq!(
            crate::timeline::tally(&kb, "contract-2016", day(2016, 5, 18)),
            (5, 8)
        );
        assert!(check_counts(&kb).is_empty(), "{:?}", check_counts(&kb));
    }

    #[test]
    fn a_count_the_timeline_does_not_give_is_reported() {
        let mut kb = real();
        let fact = kb
            .facts
            .iter_mut()
            .find(|f| f.id == "2024-pay-dispute-44-strike-days")
            .expect("fact");
        fact.answer = fact.answer.replace("44 days", "45 days");
        let problems = check_counts(&kb);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("[45]"), "{problems:?}");
    }
}
