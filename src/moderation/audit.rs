//! The audit log: every change moderators make, who made it, when, where, and the full text
//! before and after.
//!
//! It exists because moderators must trust that nothing is ever lost or silently overwritten:
//! history and undo read it, and the "changed by X at T" refusal of a stale edit names the last
//! writer from it. It is JSON Lines, opened with `O_APPEND` and flushed after each entry, and
//! nothing ever rewrites it: earlier bytes stay as they were, so it can be shipped or diffed as is.
//!
//! It is also a write-ahead log. A change is recorded in three steps: an *intent* entry (before
//! and after in full), then the file, then a one-line *mark* that commits (or abandons) the
//! intent. A crash between any two steps leaves an intent without a mark, which
//! [`super::reconcile`] settles on the next start by looking at the file. Only committed entries
//! are history. A line torn by a crash mid-append is closed off with a newline before the next
//! append, so it cannot swallow the next entry, and its sequence number is never issued again.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Add,
    Edit,
    Retire,
    Alias,
    Undo,
    SourceAdd,
    /// A file found changed outside the bot (a hand edit, or a crash's leftover), recorded so
    /// that nothing on disk is missing from history.
    Found,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Add => "add",
            Action::Edit => "edit",
            Action::Retire => "retire",
            Action::Alias => "alias",
            Action::Undo => "undo",
            Action::SourceAdd => "source add",
            Action::Found => "found on disk",
        })
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3... in append order.
    pub seq: u64,
    /// RFC 3339, UTC.
    pub at: String,
    /// Who: a Discord display name or a shell user.
    pub actor: String,
    /// The Discord user id, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<u64>,
    /// The Discord server the change came from (none from the shell).
    pub guild: Option<u64>,
    pub action: Action,
    /// The fact changed (the source id for `source_add`).
    pub fact_id: String,
    /// The file written, relative to the `knowledge/` folder.
    #[serde(default)]
    pub path: String,
    /// The whole file before (none for an add).
    pub before: Option<String>,
    /// The whole file after.
    pub after: Option<String>,
    /// Why, when the action takes a reason (retire) or has a detail worth keeping (alias, undo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Written ahead of the file: history only once a commit [`Mark`] follows. Entries of logs
    /// older than the write-ahead log have none and are committed as they stand.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub intent: bool,
}

/// How an intent ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The file holds the intent's text: the change is history.
    Commit,
    /// The file was never changed (or could not be): the intent is not history.
    Abandon,
}

/// The line that settles an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The seq of the intent it settles.
    pub mark: u64,
    pub outcome: Outcome,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// One line of the log, as read back.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Line {
    Entry(Box<AuditEntry>),
    Mark(Mark),
}

/// The log read in full: history, and the intents no mark has settled yet.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Committed entries, oldest first.
    pub committed: Vec<AuditEntry>,
    /// Intents without a mark (a crash between the steps of a change), oldest first.
    pub pending: Vec<AuditEntry>,
    /// Lines that could not be read (torn by a crash), by line number.
    pub unreadable: Vec<usize>,
}

/// An entry before it is numbered and stamped.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: String,
    pub actor_id: Option<u64>,
    pub guild: Option<u64>,
    pub action: Action,
    pub fact_id: String,
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("could not {what} the audit log {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("could not encode an audit entry: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The append-only log of one fact base (`knowledge/.strikefacts/audit.jsonl`).
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    /// (next seq, file length when it was computed): appends in this process are serialized here;
    /// a length that moved means another process appended, so the tail is read again.
    state: Mutex<Option<(u64, u64)>>,
}

impl AuditLog {
    /// The log in `data_dir` (created if missing).
    pub fn open(data_dir: &Path) -> Result<AuditLog, AuditError> {
        fs::create_dir_all(data_dir).map_err(|source| AuditError::Io {
            what: "create the folder of",
            path: data_dir.to_path_buf(),
            source,
        })?;
        Ok(AuditLog {
            path: data_dir.join("audit.jsonl"),
            state: Mutex::new(None),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, what: &'static str) -> impl FnOnce(io::Error) -> AuditError + '_ {
        move |source| AuditError::Io {
            what,
            path: self.path.clone(),
            source,
        }
    }

    /// Numbers, stamps and appends a committed entry (a one-step record such as [`Action::Found`]).
    pub fn append(&self, new: NewEntry) -> Result<AuditEntry, AuditError> {
        self.append_entry(new, false)
    }

    /// Numbers, stamps and appends the intent of a change, before its file is written.
    pub fn begin(&self, new: NewEntry) -> Result<AuditEntry, AuditError> {
        self.append_entry(new, true)
    }

    /// Settles an intent: committed once its file is written, abandoned when it never will be.
    pub fn settle(
        &self,
        seq: u64,
        outcome: Outcome,
        why: Option<String>,
    ) -> Result<(), AuditError> {
        let mark = Mark {
            mark: seq,
            outcome,
            at: now_rfc3339(),
            why,
        };
        let line = serde_json::to_string(&mark)?;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (mut file, len) = self.open_for_append()?;
        let next = self.next_seq(*state, len)?;
        let written = self.write_line(&mut file, &line)?;
        *state = Some((next, len + written));
        Ok(())
    }

    fn append_entry(&self, new: NewEntry, intent: bool) -> Result<AuditEntry, AuditError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (mut file, len) = self.open_for_append()?;
        let seq = self.next_seq(*state, len)?;
        let entry = AuditEntry {
            seq,
            at: now_rfc3339(),
            actor: new.actor,
            actor_id: new.actor_id,
            guild: new.guild,
            action: new.action,
            fact_id: new.fact_id,
            path: new.path,
            before: new.before,
            after: new.after,
            note: new.note,
            intent,
        };
        let line = serde_json::to_string(&entry)?;
        let written = self.write_line(&mut file, &line)?;
        *state = Some((seq + 1, len + written));
        Ok(entry)
    }

    /// The log opened for appending, with a torn last line closed off first; and its length.
    fn open_for_append(&self) -> Result<(File, u64), AuditError> {
        self.repair()?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(self.io("open"))?;
        let len = file.metadata().map_err(self.io("inspect"))?.len();
        Ok((file, len))
    }

    /// The seq the next entry gets: known in this process unless another one appended since.
    fn next_seq(&self, state: Option<(u64, u64)>, len: u64) -> Result<u64, AuditError> {
        Ok(match state {
            Some((next, known_len)) if known_len == len => next,
            _ => last_seq(&self.path).map_err(self.io("read"))? + 1,
        })
    }

    /// Appends one line and flushes it; returns the bytes written.
    fn write_line(&self, file: &mut File, line: &str) -> Result<u64, AuditError> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        // One write call with O_APPEND: the line lands whole at the end, after any other writer's.
        file.write_all(&bytes).map_err(self.io("append to"))?;
        file.sync_data().map_err(self.io("flush"))?;
        Ok(bytes.len() as u64)
    }

    /// Closes off a torn last line (a crash mid-append) with a newline, so that the next entry
    /// starts on a line of its own. The torn bytes stay, unread, where they were. Returns whether
    /// there was one. Called with the writer lock held, so no other append is in flight.
    pub fn repair(&self) -> Result<bool, AuditError> {
        let mut file = match OpenOptions::new().read(true).append(true).open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(self.io("open")(e)),
        };
        let len = file.metadata().map_err(self.io("inspect"))?.len();
        if len == 0 {
            return Ok(false);
        }
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(self.io("read"))?;
        if last[0] == b'\n' {
            return Ok(false);
        }
        tracing::warn!(path = %self.path.display(), "closing off a torn last line of the audit log");
        file.write_all(b"\n").map_err(self.io("repair"))?;
        file.sync_data().map_err(self.io("flush"))?;
        Ok(true)
    }

    /// The whole log: committed history, unsettled intents, unreadable lines.
    pub fn ledger(&self) -> Result<Ledger, AuditError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => return Err(self.io("read")(e)),
        };
        let mut entries = Vec::new();
        let mut marks = std::collections::HashMap::new();
        let mut unreadable = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Line>(line) {
                Ok(Line::Entry(e)) => entries.push(*e),
                Ok(Line::Mark(m)) => {
                    marks.insert(m.mark, m.outcome);
                }
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), line = i + 1,
                        "skipping an unreadable audit line: {e}");
                    unreadable.push(i + 1);
                }
            }
        }
        let mut ledger = Ledger {
            unreadable,
            ..Ledger::default()
        };
        for e in entries {
            match (e.intent, marks.get(&e.seq)) {
                (false, _) | (true, Some(Outcome::Commit)) => ledger.committed.push(e),
                (true, None) => ledger.pending.push(e),
                (true, Some(Outcome::Abandon)) => {}
            }
        }
        Ok(ledger)
    }

    /// Every committed entry, oldest first.
    pub fn entries(&self) -> Result<Vec<AuditEntry>, AuditError> {
        Ok(self.ledger()?.committed)
    }

    /// The changes of one fact, oldest first (source additions are not fact changes).
    pub fn history(&self, fact_id: &str) -> Result<Vec<AuditEntry>, AuditError> {
        Ok(self
            .entries()?
            .into_iter()
            .filter(|e| e.fact_id == fact_id && e.action != Action::SourceAdd)
            .collect())
    }

    /// The newest change of one fact.
    pub fn last_for(&self, fact_id: &str) -> Result<Option<AuditEntry>, AuditError> {
        Ok(self.history(fact_id)?.pop())
    }
}

/// A line diff of two fact texts (`-` removed, `+` added, unchanged lines left out), for showing
/// an entry's before/after in `/fact history` without the whole file twice.
pub fn diff_lines(before: &str, after: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // Longest common subsequence table; fact files are a few dozen lines.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            out.push_str("+ ");
            out.push_str(b[j]);
            out.push('\n');
            j += 1;
        } else {
            out.push_str("- ");
            out.push_str(a[i]);
            out.push('\n');
            i += 1;
        }
    }
    out
}

/// The current time as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The seq an entry line holds, read also from a line torn after its seq (entries are written
/// seq first), so that a torn entry's number is not issued again. Marks hold none.
fn seq_of(line: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct SeqOnly {
        seq: u64,
    }
    if let Ok(e) = serde_json::from_str::<SeqOnly>(line) {
        return Some(e.seq);
    }
    let digits = line.trim_start().strip_prefix("{\"seq\":")?;
    let end = digits.find(|c: char| !c.is_ascii_digit())?;
    digits[..end].parse().ok()
}

/// The seq of the last entry (0 for an empty or missing log), reading only the tail.
fn last_seq(path: &Path) -> io::Result<u64> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let mut window: u64 = 16 * 1024;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::new();
        Read::by_ref(&mut file)
            .take(len - start)
            .read_to_end(&mut buf)?;
        let text = String::from_utf8_lossy(&buf);
        let mut lines: Vec<&str> = text.lines().collect();
        if start > 0 && !lines.is_empty() {
            // The first line of a window that starts mid-file may be cut.
            lines.remove(0);
        }
        for line in lines.iter().rev() {
            if let Some(seq) = seq_of(line) {
                return Ok(seq);
            }
        }
        if start == 0 {
            return Ok(0);
        }
        window = window.saturating_mul(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> NewEntry {
        NewEntry {
            actor: "a".into(),
            actor_id: None,
            guild: Some(1),
            action: Action::Edit,
            fact_id: id.into(),
            path: String::new(),
            before: None,
            after: Some("x".repeat(20_000)),
            note: None,
        }
    }

    #[test]
    fn diffs_show_changed_lines() {
        let d = diff_lines("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(d, "- b\n+ B\n+ d\n");
    }

    #[test]
    fn seq_continues_across_reopen_and_big_entries() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        assert_eq!(log.append(entry("a")).unwrap().seq, 1);
        assert_eq!(log.append(entry("b")).unwrap().seq, 2);
        let again = AuditLog::open(dir.path()).unwrap();
        assert_eq!(again.append(entry("a")).unwrap().seq, 3);
        // The first log notices the other writer's append.
        assert_eq!(log.append(entry("a")).unwrap().seq, 4);
        assert_eq!(log.history("a").unwrap().len(), 3);
    }
}
