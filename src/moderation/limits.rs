//! What a moderator's fact may hold: bounded sizes and clean text, checked before anything else.
//!
//! It exists because a moderator's text is published under the bot's name in every server and
//! indexed by the matcher: a megabyte phrasing made the typo index grow with the square of a
//! word's length, and control, bidi and zero-width characters or Discord mention syntax
//! (`@everyone`, `<@&123>`) would be shown, or ping, as written. Each limit has a name; a refusal
//! names the field and the reason, and nothing is written.

use super::store::FactDraft;
// The loader's own caps: a moderator's fact is held to exactly what a curator's file may hold.
pub use crate::knowledge::{
    MAX_EXCERPT_CHARS as MAX_EXCERPT, MAX_PHRASE_CHARS as MAX_PHRASING, MAX_WORD_CHARS as MAX_WORD,
};

/// Characters in the `contested` note.
pub const MAX_CONTESTED: usize = 600;
/// Entries in each list (phrasings, keywords, excerpts, sources, not-phrasings).
pub const MAX_ENTRIES: usize = 100;

/// Why a draft is refused, one line per problem; empty when it may go on to validation.
pub fn problems(draft: &FactDraft) -> Vec<String> {
    let mut out = Vec::new();
    let lists: [(&str, &[String], usize); 5] = [
        ("phrasings", &draft.phrasings, MAX_PHRASING),
        ("keywords", &draft.keywords, MAX_PHRASING),
        ("not_phrasings", &draft.not_phrasings, MAX_PHRASING),
        ("excerpts", &draft.excerpts, MAX_EXCERPT),
        ("sources", &draft.sources, MAX_PHRASING),
    ];
    for (field, items, max) in lists {
        if items.len() > MAX_ENTRIES {
            out.push(format!(
                "{field}: at most {MAX_ENTRIES} entries, not {}",
                items.len()
            ));
            continue;
        }
        for item in items {
            out.extend(text_problem(field, item, max));
            if field != "excerpts" {
                out.extend(word_problem(field, item));
            }
        }
    }
    out.extend(text_problem(
        "answer",
        &draft.answer,
        crate::knowledge::MAX_ANSWER_CHARS,
    ));
    if let Some(c) = &draft.contested {
        out.extend(text_problem("contested", c, MAX_CONTESTED));
    }
    out
}

/// A field's length and characters.
fn text_problem(field: &str, text: &str, max: usize) -> Option<String> {
    let short: String = text.chars().take(40).collect();
    let count = text.chars().count();
    if count > max {
        return Some(format!(
            "{field}: at most {max} characters, not {count} ({short:?}…)"
        ));
    }
    if let Some(c) = text.chars().find(|&c| hidden_or_control(c)) {
        return Some(format!(
            "{field}: the invisible or control character U+{:04X} is not allowed ({short:?})",
            c as u32
        ));
    }
    mention(text).map(|m| {
        format!("{field}: Discord mention syntax {m:?} is not allowed (it would ping or hide text)")
    })
}

/// A word longer than any a question holds.
fn word_problem(field: &str, text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|w| w.chars().count() > MAX_WORD)
        .map(|w| {
            let short: String = w.chars().take(20).collect();
            format!("{field}: a word of at most {MAX_WORD} characters, not {short:?}…")
        })
}

/// Control characters (newlines and tabs aside), bidi controls and zero-width characters.
fn hidden_or_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// The first Discord mention in a text: `@everyone`, `@here`, `<@…>`, `<@&…>`, `<#…>`.
fn mention(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    ["@everyone", "@here", "<@", "<#"]
        .into_iter()
        .find(|m| lower.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> FactDraft {
        FactDraft {
            answer: "On 2 March 2026 the BMA said so.".into(),
            phrasings: vec!["what did the bma say".into()],
            excerpts: vec!["the BMA said".into()],
            ..FactDraft::default()
        }
    }

    #[test]
    fn a_clean_draft_passes() {
        assert_eq!(problems(&draft()), Vec::<String>::new());
    }

    #[test]
    fn every_fact_of_the_bundled_base_is_within_the_limits() {
        let facts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/facts");
        for dispute in std::fs::read_dir(facts).expect("facts/") {
            for file in std::fs::read_dir(dispute.expect("a dispute").path()).expect("a folder") {
                let path = file.expect("a file").path();
                let text = std::fs::read_to_string(&path).expect("a fact file");
                let d = FactDraft::from_toml(&text).expect("a draft");
                assert_eq!(problems(&d), Vec::<String>::new(), "{}", path.display());
            }
        }
    }

    #[test]
    fn each_input_class_is_refused_with_its_reason() {
        type Change = Box<dyn Fn(&mut FactDraft)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "@everyone",
                Box::new(|d| d.answer = "@everyone the strike is off".into()),
            ),
            ("mention", Box::new(|d| d.answer = "ask <@&123> now".into())),
            (
                "U+202E",
                Box::new(|d| d.answer = "doctors \u{202E}sekirts".into()),
            ),
            (
                "U+200B",
                Box::new(|d| d.phrasings = vec!["why\u{200B}strike".into()]),
            ),
            ("U+0000", Box::new(|d| d.answer = "nul\0here".into())),
            ("U+001B", Box::new(|d| d.answer = "\u{1b}[31mred".into())),
            (
                "contested",
                Box::new(|d| d.contested = Some("x".repeat(1_000_000))),
            ),
            (
                "phrasings",
                Box::new(|d| d.phrasings = vec!["w".repeat(1_000_000)]),
            ),
            ("a word", Box::new(|d| d.keywords = vec!["k".repeat(500)])),
            ("entries", Box::new(|d| d.keywords = vec!["k".into(); 101])),
        ];
        for (reason, change) in cases {
            let mut d = draft();
            change(&mut d);
            let found = problems(&d);
            assert!(
                found.iter().any(|p| p.contains(reason)),
                "{reason}: {found:?}"
            );
        }
    }
}
