//! `strikefacts check`: every rule the fact base must keep, reported as `path:line: message`.
//!
//! Loading ([`crate::knowledge`]) already rejects malformed files, missing fields, unknown ids and
//! duplicates. This adds the rules that need more than one file: each phrasing must lead the
//! matcher back to its own fact, each display question must be clean and lead back to its own
//! fact too, facts past their review date are flagged, and (with a sources folder) each excerpt
//! must be found verbatim in the source texts.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::engine::Engine;
use crate::knowledge::{line_of, KnowledgeBase, Problem, Severity};

/// Checks a fact base folder; problems sorted by file and line. An empty list means it passes.
pub fn check(dir: &Path, sources: Option<&Path>, today: NaiveDate) -> Vec<Problem> {
    let kb = match KnowledgeBase::load(dir) {
        Ok(kb) => kb,
        Err(e) => return e.problems,
    };
    let mut problems = check_config(&kb);
    problems.extend(check_loaded(&kb, today));
    if let Some(src) = sources {
        problems.extend(check_excerpts(&kb, src));
    }
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
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

/// Each number of `matcher.toml` finite and within its range; the calibration's length right.
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
        let want = crate::matcher::FEATURES + 1;
        if c.len() != want {
            let msg = format!(
                "`calibration` has {} weights; it needs {want} (the bias, then one per feature)",
                c.len()
            );
            problems.push(config_problem(&path, &text, "calibration", msg));
        }
        if let Some(bad) = c.iter().find(|w| !w.is_finite() || w.abs() > 1000.0) {
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
        let line = |needle: &str| text.find(needle).map(|o| line_of(&text, o)).unwrap_or(1);
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
        if let Some(review) = fact.review_by {
            if review < today {
                problems.push(Problem {
                    path: fact.path.clone(),
                    line: line("review_by"),
                    severity: Severity::Warning,
                    message: format!(
                        "past its review date ({review}): answers warn it may be out of date"
                    ),
                });
            }
        }
    }
    problems
}

/// The longest display question: a button label's limit, so that no label is ever cut.
pub const MAX_DISPLAY_QUESTION: usize = 80;

/// A served fact's display question: present (else a warning), capitalised, a question, short
/// enough for a button, free of slang, and leading back to its own fact when asked (a click on
/// its button must answer this fact).
fn check_display_question(engine: &Engine, fact: &crate::model::Fact) -> Vec<Problem> {
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

/// Folds case, white space and typographic quotes so that an excerpt matches its source text.
pub fn fold_for_quote(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '‘' | '’' | '‚' | '′' | '`' => '\'',
            '“' | '”' | '„' | '″' => '"',
            '–' | '—' => '-',
            '…' => '.',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    let mut out = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    // "…" became "." above; three dots written out fold the same way.
    while out.contains("...") {
        out = out.replace("...", ".");
    }
    out
}

/// Every excerpt of every fact and strike period must appear in the source texts in `dir`.
pub fn check_excerpts(kb: &KnowledgeBase, dir: &Path) -> Vec<Problem> {
    let mut corpus = String::new();
    let mut problems = Vec::new();
    match source_files(dir) {
        Ok(files) if !files.is_empty() => {
            for f in files {
                if let Ok(t) = fs::read_to_string(&f) {
                    corpus.push_str(&fold_for_quote(&t));
                    corpus.push('\n');
                }
            }
        }
        _ => {
            problems.push(Problem {
                path: dir.to_path_buf(),
                line: 1,
                severity: Severity::Error,
                message: "no source texts found here".into(),
            });
            return problems;
        }
    }
    for fact in &kb.facts {
        missing_excerpts(&fact.path, &fact.excerpts, &corpus, dir, &mut problems);
    }
    let timeline = kb.root.join("timeline.toml");
    for p in &kb.timeline {
        missing_excerpts(&timeline, &p.excerpts, &corpus, dir, &mut problems);
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

/// The texts sources are quoted from: every .txt and .md file except the folder's README, which
/// describes the sources rather than quoting them.
fn source_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext_ok = path.extension().is_some_and(|e| e == "txt" || e == "md");
        if path.is_file() && ext_ok && !name.eq_ignore_ascii_case("README.md") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_fold_typography_and_space() {
        assert_eq!(
            fold_for_quote("the BMA’s  junior\n doctor “members”"),
            fold_for_quote("The BMA's junior doctor \"members\"")
        );
    }
}
