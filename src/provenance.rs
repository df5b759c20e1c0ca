//! Source texts: the words each source printed, kept in the fact base as
//! `knowledge/sources/<id>.txt`, and the rule that every excerpt is found in one of them.
//!
//! It exists so that the bot, not only a curator with the research folder at hand, can refuse a
//! fact whose excerpt its cited source never printed: a moderator's invented quotation would
//! otherwise be shown under a real publisher's name. `check` applies the same rule to the whole
//! base, so the shell, Discord and review in git all mean the same thing by "verified".

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::knowledge::read_regular;

/// The folder of source texts inside `knowledge/`.
pub const SOURCE_TEXTS_DIR: &str = "sources";
/// Largest source text a moderator may add, in bytes: a whole article fits many times over.
pub const MAX_SOURCE_TEXT_BYTES: usize = 200_000;

/// Folds case, white space and typographic quotes so that an excerpt matches its source text
/// however either was typed.
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

/// Where source `id`'s text lives in the fact base at `knowledge`.
pub fn text_path(knowledge: &Path, id: &str) -> PathBuf {
    knowledge.join(SOURCE_TEXTS_DIR).join(format!("{id}.txt"))
}

/// The source texts of one fact base, folded for matching.
#[derive(Debug, Default, Clone)]
pub struct SourceTexts {
    folded: HashMap<String, String>,
}

impl SourceTexts {
    /// Every `sources/<id>.txt` of the fact base at `knowledge` (none if the folder is missing).
    /// Only regular files under the loader's size cap are read.
    pub fn load(knowledge: &Path) -> io::Result<SourceTexts> {
        let dir = knowledge.join(SOURCE_TEXTS_DIR);
        let mut texts = SourceTexts::default();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(texts),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            let id = match (path.file_stem(), path.extension()) {
                (Some(stem), Some(ext)) if ext == "txt" => stem.to_string_lossy().to_string(),
                _ => continue,
            };
            let text = read_regular(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            texts.insert(&id, &text);
        }
        Ok(texts)
    }

    /// Adds (or replaces) one source's text: a source being added is checked with its text.
    pub fn insert(&mut self, id: &str, text: &str) {
        self.folded.insert(id.to_string(), fold_for_quote(text));
    }

    /// Whether source `id` has a text.
    pub fn has(&self, id: &str) -> bool {
        self.folded.contains_key(id)
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_empty()
    }

    /// The excerpts found in the text of none of `sources`, in order.
    pub fn unsupported<'a>(&self, sources: &[String], excerpts: &'a [String]) -> Vec<&'a str> {
        excerpts
            .iter()
            .filter(|e| {
                let e = fold_for_quote(e);
                !sources
                    .iter()
                    .filter_map(|s| self.folded.get(s))
                    .any(|t| t.contains(&e))
            })
            .map(String::as_str)
            .collect()
    }
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

    #[test]
    fn an_excerpt_must_be_in_a_cited_source() {
        let mut t = SourceTexts::default();
        t.insert("A", "The strike will run for five days.");
        t.insert("B", "Talks broke down.");
        let ex = vec![
            "will run for five days".to_string(),
            "Talks broke".to_string(),
        ];
        assert!(t.unsupported(&["A".into(), "B".into()], &ex).is_empty());
        assert_eq!(t.unsupported(&["A".into()], &ex), vec!["Talks broke"]);
        assert_eq!(t.unsupported(&["C".into()], &ex).len(), 2);
    }
}
