//! The fact store: reading and writing the `knowledge/` TOML files that people also edit by hand.
//!
//! It exists so that a moderator's edit lands in the very files a reviewer sees in `git diff`, in
//! the same shape people write by hand, and so that no crash can ever leave a half-written file:
//! every write goes to a temporary file in the same folder, is flushed to disk, and only then
//! renamed over the target (an atomic step on POSIX file systems), after which the folder itself
//! is flushed so the rename survives a power cut. Versions (a content hash of a fact's file) let an
//! edit say which text it was based on, so a stale edit can be refused instead of overwriting.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::lexicon::Lexicon;
use crate::model::{PartialDate, Retirement};

/// How many hex digits of the SHA-256 make a version: enough that two texts never collide in
/// practice, short enough for a moderator to copy from `/fact show`.
const VERSION_HEX: usize = 16;

/// A stable content hash of a file's text: the version an edit names as its base.
pub fn version_of(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(VERSION_HEX);
    for b in digest.iter().take(VERSION_HEX / 2) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A fault-injection seam: called after the temporary file is written and flushed, right before
/// it is renamed over the target. Tests return an error here to simulate a crash at the one moment
/// that matters; production uses [`NoFault`].
pub trait WriteHook: Send + Sync {
    fn before_rename(&self, target: &Path) -> io::Result<()>;

    /// Called after each step of a change has reached the disk. Tests panic here to simulate a
    /// crash between two steps (nothing cleans up after a panic, as nothing would after a crash).
    fn after_step(&self, _step: Step) {}
}

/// The steps of one change, in the order they reach the disk (see [`super::audit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The intent is in the log; no file has changed.
    Intended,
    /// The file holds the new text; the log has no commit mark yet.
    Written,
    /// The commit mark is in the log; the serving engine is not yet swapped.
    Committed,
}

/// The production hook: does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoFault;

impl WriteHook for NoFault {
    fn before_rename(&self, _target: &Path) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("no fact with id {0:?}")]
    NotFound(String),
    #[error("{0:?} is not a valid fact id: use kebab-case (a-z, 0-9 and -)")]
    BadId(String),
}

fn io_err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// One fact file as it is on disk now.
#[derive(Debug, Clone)]
pub struct StoredFact {
    pub id: String,
    pub path: PathBuf,
    pub text: String,
    pub version: String,
}

/// Writes a file atomically: temp file in the same folder, fsync, rename, fsync the folder.
///
/// The temporary name starts with a dot and ends in `.tmp`, so neither the loader (which reads
/// `*.toml`) nor the watcher ever mistakes a leftover from a crash for a fact.
pub fn write_atomic(path: &Path, contents: &str, hook: &dyn WriteHook) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err("create the folder", dir))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err("create a temporary file in", dir))?;
    tmp.write_all(contents.as_bytes())
        .map_err(io_err("write a temporary file for", path))?;
    // A temporary file is private (0600); the fact base must stay readable as it was.
    if let Some(mode) = mode_for(path, dir) {
        fs::set_permissions(tmp.path(), mode)
            .map_err(io_err("set the mode of a temporary file for", path))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(io_err("flush a temporary file for", path))?;
    // A failure here (or a crash) drops the temporary file; the target is untouched.
    hook.before_rename(path)
        .map_err(io_err("replace (interrupted)", path))?;
    tmp.persist(path).map_err(|e| StoreError::Io {
        what: "replace",
        path: path.to_path_buf(),
        source: e.error,
    })?;
    // Without this the rename itself may be lost on power failure.
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("flush the folder", dir))?;
    Ok(())
}

/// The permissions a replaced file keeps: the old file's, or for a new file its folder's without
/// the execute bits (a 0755 folder gives 0644). `None` where neither can be read.
fn mode_for(path: &Path, dir: &Path) -> Option<fs::Permissions> {
    if let Ok(meta) = fs::metadata(path) {
        return Some(meta.permissions());
    }
    let mut folder = fs::metadata(dir).ok()?.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        folder = fs::Permissions::from_mode(folder.mode() & 0o666);
    }
    #[cfg(not(unix))]
    folder.set_readonly(false);
    Some(folder)
}

/// Whether a string is a usable fact id (it becomes a file name).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The fact files of one `knowledge/` folder.
#[derive(Clone)]
pub struct FactStore {
    root: PathBuf,
    hook: Arc<dyn WriteHook>,
}

impl std::fmt::Debug for FactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactStore")
            .field("root", &self.root)
            .finish()
    }
}

impl FactStore {
    pub fn new(root: impl Into<PathBuf>) -> FactStore {
        FactStore {
            root: root.into(),
            hook: Arc::new(NoFault),
        }
    }

    /// The same store with a fault-injection hook (tests only).
    pub fn with_hook(mut self, hook: Arc<dyn WriteHook>) -> FactStore {
        self.hook = hook;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn sources_path(&self) -> PathBuf {
        self.root.join("sources.toml")
    }

    /// Where a new fact goes: `facts/<dispute>/<id>.toml`.
    pub fn new_fact_path(&self, dispute: &str, id: &str) -> Result<PathBuf, StoreError> {
        if !valid_id(id) {
            return Err(StoreError::BadId(id.to_string()));
        }
        // The dispute names a folder: refuse anything that could leave `facts/`.
        if !valid_id(dispute) {
            return Err(StoreError::BadId(dispute.to_string()));
        }
        Ok(self
            .root
            .join("facts")
            .join(dispute)
            .join(format!("{id}.toml")))
    }

    /// The file holding fact `id`, wherever under `facts/` it lives.
    pub fn find(&self, id: &str) -> Result<Option<PathBuf>, StoreError> {
        if !valid_id(id) {
            return Err(StoreError::BadId(id.to_string()));
        }
        let wanted = format!("{id}.toml");
        let mut stack = vec![self.root.join("facts")];
        while let Some(dir) = stack.pop() {
            let entries = fs::read_dir(&dir).map_err(io_err("list", &dir))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().and_then(|n| n.to_str()) == Some(wanted.as_str()) {
                    return Ok(Some(path));
                }
            }
        }
        Ok(None)
    }

    /// Reads fact `id` with its current version.
    pub fn read(&self, id: &str) -> Result<StoredFact, StoreError> {
        let path = self
            .find(id)?
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let text = fs::read_to_string(&path).map_err(io_err("read", &path))?;
        Ok(StoredFact {
            id: id.to_string(),
            version: version_of(&text),
            path,
            text,
        })
    }

    /// Tells the fault-injection hook that a step of a change is on disk.
    pub fn reached(&self, step: Step) {
        self.hook.after_step(step);
    }

    /// Writes one file under this store atomically (through the fault-injection hook).
    pub fn write(&self, path: &Path, text: &str) -> Result<(), StoreError> {
        write_atomic(path, text, self.hook.as_ref())
    }

    /// A path relative to the store's root, for messages and the audit log.
    pub fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }
}

/// A fact as moderators write it: the fields of a fact file, as text.
///
/// This is the input of `add` and `edit` (from a Discord modal, a CLI file or flags), and the
/// intermediate form for `retire` and `alias`, which read the file into a draft, change one field
/// and write it back. Dates stay strings so that "2016-03" is not widened to a day.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FactDraft {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub dispute: String,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub approximate: bool,
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub excerpts: Vec<String>,
    #[serde(default)]
    pub phrasings: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub not_phrasings: Vec<String>,
    #[serde(default)]
    pub contested: Option<String>,
    #[serde(default)]
    pub state: bool,
    #[serde(default)]
    pub review_by: Option<String>,
    #[serde(default)]
    pub retired: Option<Retirement>,
}

/// A fact file's text could not be read as a draft.
#[derive(Debug, thiserror::Error)]
#[error("not a valid fact file: {0}")]
pub struct DraftError(pub String);

impl FactDraft {
    /// Reads a fact file's text (the CLI's `--file`, or a file on disk for retire/alias).
    pub fn from_toml(text: &str) -> Result<FactDraft, DraftError> {
        toml::from_str(text).map_err(|e| DraftError(e.message().replace('\n', " ")))
    }

    /// A new fact from the Discord form: the dispute and source come from the command's
    /// options, the rest from the modal (phrasings and excerpts one per line).
    pub fn from_form(
        dispute: &str,
        source: &str,
        phrasings: &str,
        answer: &str,
        excerpts: &str,
        as_of: &str,
    ) -> FactDraft {
        let mut d = FactDraft {
            dispute: dispute.trim().to_string(),
            sources: vec![source.trim().to_string()],
            ..FactDraft::default()
        };
        d.apply_form(phrasings, answer, excerpts, as_of);
        d
    }

    /// Puts the modal's four text fields into a draft (for `/fact edit`, over the fact's current
    /// draft, so sources, keywords and notes the form does not show are kept).
    pub fn apply_form(&mut self, phrasings: &str, answer: &str, excerpts: &str, as_of: &str) {
        let lines = |t: &str| -> Vec<String> {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        self.phrasings = lines(phrasings);
        self.excerpts = lines(excerpts);
        self.answer = answer.trim().to_string();
        self.as_of = as_of.trim().to_string();
    }

    /// The modal's four fields filled from this draft: (phrasings, answer, excerpts, as_of).
    pub fn form_fields(&self) -> (String, String, String, String) {
        (
            self.phrasings.join("\n"),
            self.answer.clone(),
            self.excerpts.join("\n"),
            self.as_of.clone(),
        )
    }

    /// Fills what a short form leaves out, so that a Discord modal with five inputs can still
    /// produce a complete fact: an id from the date and the first phrasing, keywords from the
    /// words the phrasings share. Never overwrites what the moderator wrote; never needed for a
    /// draft that is already complete.
    pub fn complete(&mut self, lexicon: &Lexicon) {
        let trim_all = |v: &mut Vec<String>| {
            v.iter_mut().for_each(|s| *s = s.trim().to_string());
            v.retain(|s| !s.is_empty());
        };
        trim_all(&mut self.sources);
        trim_all(&mut self.excerpts);
        trim_all(&mut self.phrasings);
        trim_all(&mut self.keywords);
        trim_all(&mut self.not_phrasings);
        self.id = self.id.trim().to_string();
        self.dispute = self.dispute.trim().to_string();
        self.as_of = self.as_of.trim().to_string();
        self.answer = self.answer.trim().to_string();
        if self.id.is_empty() {
            if let Some(first) = self.phrasings.first() {
                self.id = suggest_id(&self.as_of, first);
            }
        }
        if self.keywords.is_empty() {
            self.keywords = suggest_keywords(&self.phrasings, lexicon);
        }
        if self
            .contested
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            self.contested = None;
        }
        if self
            .review_by
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            self.review_by = None;
        }
    }

    /// The file text, in the field order and layout people use by hand (arrays one item a line).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, key: &str, value: &str| {
            out.push_str(key);
            out.push_str(" = ");
            out.push_str(&quote(value));
            out.push('\n');
        };
        let array = |out: &mut String, key: &str, items: &[String]| {
            if items.is_empty() {
                out.push_str(&format!("{key} = []\n"));
                return;
            }
            out.push_str(&format!("{key} = [\n"));
            for item in items {
                out.push_str("  ");
                out.push_str(&quote(item));
                out.push_str(",\n");
            }
            out.push_str("]\n");
        };
        line(&mut out, "id", &self.id);
        line(&mut out, "dispute", &self.dispute);
        line(&mut out, "as_of", &self.as_of);
        if self.approximate {
            out.push_str("approximate = true\n");
        }
        line(&mut out, "answer", &self.answer);
        array(&mut out, "sources", &self.sources);
        array(&mut out, "excerpts", &self.excerpts);
        array(&mut out, "phrasings", &self.phrasings);
        array(&mut out, "keywords", &self.keywords);
        if !self.not_phrasings.is_empty() {
            array(&mut out, "not_phrasings", &self.not_phrasings);
        }
        if let Some(c) = &self.contested {
            line(&mut out, "contested", c);
        }
        if self.state {
            out.push_str("state = true\n");
        }
        if let Some(r) = &self.review_by {
            line(&mut out, "review_by", r);
        }
        if let Some(r) = &self.retired {
            out.push_str(&format!(
                "retired = {{ reason = {}, at = {}, by = {} }}\n",
                quote(&r.reason),
                quote(&r.at),
                quote(&r.by)
            ));
        }
        out
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped, everything else
/// (accents, dashes, curly quotes) kept as typed so the file stays readable.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// "2025-12" + "what did the government offer in december" ->
/// "2025-what-did-the-government-offer-in-december" (at most eight words).
pub fn suggest_id(as_of: &str, phrasing: &str) -> String {
    let year = PartialDate::parse(as_of).map(|d| d.year.to_string());
    let words: Vec<String> = crate::lexicon::plain(phrasing)
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    let mut parts: Vec<String> = Vec::new();
    if let Some(y) = year {
        if words.first() != Some(&y) {
            parts.push(y);
        }
    }
    parts.extend(words);
    parts.join("-")
}

/// Up to five content words that recur across the phrasings (or the first ones, if none recur).
pub fn suggest_keywords(phrasings: &[String], lexicon: &Lexicon) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in phrasings {
        let mut seen = std::collections::HashSet::new();
        for w in crate::lexicon::plain(p).split_whitespace() {
            if w.len() < 3 || lexicon.is_stopword(w) || !seen.insert(w.to_string()) {
                continue;
            }
            match counts.iter_mut().find(|(k, _)| k == w) {
                Some((_, n)) => *n += 1,
                None => counts.push((w.to_string(), 1)),
            }
        }
    }
    // Stable: most frequent first, then first seen.
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts.into_iter().take(5).map(|(w, _)| w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn written_files_keep_the_fact_base_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("a temp folder");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let new = dir.path().join("new.toml");
        write_atomic(&new, "a = 1\n", &NoFault).expect("write a new file");
        let mode = |p: &Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&new), 0o644, "a new file is readable by others");
        fs::set_permissions(&new, fs::Permissions::from_mode(0o664)).expect("chmod");
        write_atomic(&new, "a = 2\n", &NoFault).expect("replace the file");
        assert_eq!(mode(&new), 0o664, "a replaced file keeps its mode");
    }

    #[test]
    fn versions_are_stable_hex() {
        let v = version_of("id = \"x\"\n");
        assert_eq!(v.len(), VERSION_HEX);
        assert_eq!(v, version_of("id = \"x\"\n"));
        assert_ne!(v, version_of("id = \"y\"\n"));
    }

    #[test]
    fn drafts_round_trip_through_toml() {
        let d = FactDraft {
            id: "2016-x".into(),
            dispute: "contract-2016".into(),
            as_of: "2016-03".into(),
            approximate: true,
            answer: "He said \"no\" \\ twice.\nThen left.".into(),
            sources: vec!["SEED-000".into()],
            excerpts: vec!["a “quote” – here".into()],
            phrasings: vec!["what did he say".into(), "did he say no".into()],
            keywords: vec!["no".into()],
            not_phrasings: vec![],
            contested: Some("a note".into()),
            state: true,
            review_by: Some("2027".into()),
            retired: Some(Retirement {
                reason: "wrong".into(),
                at: "2026-01-01T00:00:00Z".into(),
                by: "mod".into(),
            }),
        };
        let text = d.to_toml();
        assert_eq!(FactDraft::from_toml(&text).unwrap(), d);
    }

    #[test]
    fn ids_and_keywords_are_suggested() {
        assert_eq!(
            suggest_id("2025-12", "What did the Govt offer, in December?"),
            "2025-what-did-the-govt-offer-in-december"
        );
        let phrasings = ["strike dates june".into(), "june strike when".into()];
        let k = suggest_keywords(&phrasings, &crate::lexicon::bundled());
        assert_eq!(k[..2], ["strike".to_string(), "june".to_string()]);
    }
}
