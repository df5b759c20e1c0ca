//! The texts the fact base quotes, read from the shared sources folder, so that `check` can prove
//! what a fact says against what its sources say.
//!
//! The folder holds the founding articles (`*.txt`), `extra-facts.md` (entries of verbatim
//! excerpts, each naming its source ids and URLs) and a README whose tables give each source's
//! headline as shown on the page. A source's own text is what names it: the founding article its
//! README row points to, its headline, and every `extra-facts.md` entry that cites its id or URL
//! (an entry's summary line counts as its source's word, as the project README says).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::model::Source;
use crate::provenance::fold_for_quote;

/// The folded texts of a sources folder: all of it, and the part that belongs to each source.
#[derive(Debug, Default)]
pub struct SourceTexts {
    /// Every quoted text (the articles, `extra-facts.md`, the README's headlines), folded.
    pub corpus: String,
    /// Per source id, the folded text that is that source's word.
    by_source: BTreeMap<String, String>,
}

impl SourceTexts {
    /// Reads `dir`; `None` when it holds no source texts.
    pub fn load<'a>(dir: &Path, sources: impl Iterator<Item = &'a Source>) -> Option<SourceTexts> {
        let files = source_files(dir).ok().filter(|f| !f.is_empty())?;
        let mut texts: BTreeMap<String, String> = BTreeMap::new();
        for f in &files {
            if let (Some(name), Ok(t)) = (
                f.file_name().and_then(|n| n.to_str()),
                fs::read_to_string(f),
            ) {
                texts.insert(name.to_string(), t);
            }
        }
        let readme = fs::read_to_string(dir.join("README.md")).unwrap_or_default();
        let rows = readme_rows(&readme);
        let entries: Vec<&str> = texts
            .iter()
            .filter(|(name, _)| name.ends_with(".md"))
            .flat_map(|(_, t)| entries(t))
            .collect();
        let mut corpus: String = texts.values().map(|t| fold_for_quote(t) + "\n").collect();
        for row in rows.values() {
            corpus.push_str(&fold_for_quote(&row.headline));
            corpus.push('\n');
        }
        let mut by_source = BTreeMap::new();
        for s in sources {
            let mut own = String::new();
            if let Some(row) = rows.get(&s.id) {
                // The whole row: its headline, and the date and URL that place the source.
                own.push_str(&row.cells);
                own.push('\n');
                for (name, t) in &texts {
                    if row.cells.contains(name.as_str()) {
                        own.push_str(t);
                        own.push('\n');
                    }
                }
            }
            for e in entries.iter().filter(|e| names_source(e, s)) {
                own.push_str(e);
                own.push('\n');
            }
            by_source.insert(s.id.clone(), fold_for_quote(&own));
        }
        Some(SourceTexts { corpus, by_source })
    }

    /// The folded text that is source `id`'s word (empty for a source the folder never names).
    pub fn of(&self, id: &str) -> &str {
        self.by_source.get(id).map_or("", String::as_str)
    }
}

/// A README table row: its headline cell, and all its cells joined (its date, URL, seed file).
struct Row {
    headline: String,
    cells: String,
}

/// The README's table rows by source id, with the cell under the table's "headline" column.
fn readme_rows(readme: &str) -> BTreeMap<String, Row> {
    let mut rows = BTreeMap::new();
    let mut headline_col: Option<usize> = None;
    for line in readme.lines() {
        let Some(inner) = line.trim().strip_prefix('|') else {
            headline_col = None;
            continue;
        };
        let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
        if cells.first() == Some(&"id") {
            headline_col = cells.iter().position(|c| *c == "headline");
            continue;
        }
        if let (Some(col), Some(id)) = (headline_col, cells.first()) {
            let headline = cells.get(col).copied().unwrap_or("").replace("**", "");
            if !id.is_empty() && !id.starts_with('-') {
                rows.insert(
                    id.to_string(),
                    Row {
                        headline,
                        cells: cells.join(" | "),
                    },
                );
            }
        }
    }
    rows
}

/// The entries of an `extra-facts.md`-style file: each runs from a line starting `**` to the
/// next such line or heading.
fn entries(text: &str) -> Vec<&str> {
    let mut starts: Vec<usize> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("**") || line.starts_with('#') || line.starts_with("---") {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(|w| &text[w[0]..w[1]])
        .filter(|e| e.starts_with("**"))
        .collect()
}

/// Whether an entry cites the source: its id as a whole word, or its URL.
fn names_source(entry: &str, s: &Source) -> bool {
    let by_url = s.url.as_deref().is_some_and(|u| entry.contains(u));
    by_url
        || entry.match_indices(s.id.as_str()).any(|(i, m)| {
            let before = entry[..i].chars().next_back();
            let after = entry[i + m.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
            !word(before) && !word(after)
        })
}

/// The texts sources are quoted from: every .txt and .md file except the folder's README, which
/// describes the sources (its headlines are read separately).
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
    fn readme_rows_give_the_headline_column() {
        let readme = "| id | publisher | headline | date |\n|---|---|---|---|\n\
                      | AB-1 | Pub | **A headline** | 2020 |\n\ntext\n";
        let rows = readme_rows(readme);
        assert_eq!(
            rows.get("AB-1").map(|r| r.headline.as_str()),
            Some("A headline")
        );
        assert!(!rows.contains_key("---"));
    }

    #[test]
    fn an_id_is_matched_as_a_whole_word() {
        let s = Source {
            id: "BMJ-2016-09".into(),
            publisher: "p".into(),
            headline: None,
            date: crate::model::PartialDate::parse("2016").expect("date"),
            date_note: None,
            url: None,
            note: None,
        };
        assert!(names_source("- Source: BMJ-2016-09 — x", &s));
        assert!(!names_source("- Source: BMJ-2016-09b — x", &s));
    }
}
