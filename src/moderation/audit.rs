//! The audit log: every change moderators make, who made it, when, where, and the full text
//! before and after.
//!
//! It exists because moderators must trust that nothing is ever lost or silently overwritten:
//! history and undo read it, and the "changed by X at T" refusal of a stale edit names the last
//! writer from it. It is JSON Lines, opened with `O_APPEND` and flushed after each entry, and
//! nothing ever rewrites it: earlier bytes stay as they were, so it can be shipped or diffed as is.

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

    /// Numbers, stamps and appends an entry; returns it once it is on disk.
    pub fn append(&self, new: NewEntry) -> Result<AuditEntry, AuditError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(self.io("open"))?;
        let len = file.metadata().map_err(self.io("inspect"))?.len();
        let next = match *state {
            Some((next, known_len)) if known_len == len => next,
            _ => last_seq(&self.path).map_err(self.io("read"))? + 1,
        };
        let entry = AuditEntry {
            seq: next,
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
        };
        let mut line = serde_json::to_string(&entry)?;
        line.push('\n');
        // One write call with O_APPEND: the line lands whole at the end, after any other writer's.
        file.write_all(line.as_bytes())
            .map_err(self.io("append to"))?;
        file.sync_data().map_err(self.io("flush"))?;
        *state = Some((next + 1, len + line.len() as u64));
        Ok(entry)
    }

    /// Every entry, oldest first. A torn last line (a crash mid-append) is skipped with a warning.
    pub fn entries(&self) -> Result<Vec<AuditEntry>, AuditError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io("read")(e)),
        };
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<AuditEntry>(line) {
                Ok(e) => out.push(e),
                Err(e) => tracing::warn!(
                    path = %self.path.display(),
                    line = i + 1,
                    "skipping an unreadable audit entry: {e}"
                ),
            }
        }
        Ok(out)
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

/// The seq of the last readable entry (0 for an empty or missing log), reading only the tail.
fn last_seq(path: &Path) -> io::Result<u64> {
    #[derive(Deserialize)]
    struct SeqOnly {
        seq: u64,
    }
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
            if let Ok(e) = serde_json::from_str::<SeqOnly>(line) {
                return Ok(e.seq);
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
