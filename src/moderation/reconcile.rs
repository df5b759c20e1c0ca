//! Start-up agreement between the fact files and the audit log.
//!
//! The log is written ahead of the files (see [`super::audit`]), so after a crash the two can
//! disagree in only one way: an intent with no mark. This settles each one by looking at its file
//! (the change is there: commit it; it is not: abandon it). It also compares every file the log
//! knows with the text the log last recorded for it: a difference (a hand edit, or a file that
//! holds neither text of an intent) is recorded as a `found` entry, so that it is reported and in
//! history rather than lost or silently taken for a moderator's text.
//!
//! Run with the writer lock held, before the first change of a process.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

use super::audit::{Action, AuditEntry, AuditError, AuditLog, NewEntry, Outcome};
use super::edit::source_ids;
use super::store::FactStore;

/// Who a `found` entry names as its author.
pub const FOUND_BY: &str = "strikefacts (found on disk)";

/// What reconciling found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A torn last line of the log was closed off.
    TornLine,
    /// An intent whose file holds its text (the crash came after the write): now committed.
    Completed { seq: u64, fact_id: String },
    /// An intent whose file never changed: now abandoned, the file as it was.
    Abandoned { seq: u64, fact_id: String },
    /// A file unlike the text the log last recorded for it: recorded as entry `seq`.
    Outside {
        seq: u64,
        fact_id: String,
        path: String,
    },
    /// A file the log knows that is no longer there.
    Missing { fact_id: String, path: String },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::TornLine => f.write_str("a torn last line of the audit log was closed off"),
            Finding::Completed { seq, fact_id } => write!(
                f,
                "change #{seq} of {fact_id} was written but not marked: now committed"
            ),
            Finding::Abandoned { seq, fact_id } => write!(
                f,
                "change #{seq} of {fact_id} never reached its file: abandoned"
            ),
            Finding::Outside { seq, fact_id, path } => write!(
                f,
                "{path} ({fact_id}) was changed outside the bot: recorded as #{seq}"
            ),
            Finding::Missing { fact_id, path } => {
                write!(f, "{path} ({fact_id}) is in the audit log but not on disk")
            }
        }
    }
}

/// Settles unmarked intents and records files changed outside the log. Returns what it did.
pub fn reconcile(store: &FactStore, audit: &AuditLog) -> Result<Vec<Finding>, AuditError> {
    let mut findings = Vec::new();
    if audit.repair()? {
        findings.push(Finding::TornLine);
    }
    for intent in audit.ledger()?.pending {
        findings.push(settle(store, audit, &intent)?);
    }
    findings.extend(record_outside_changes(store, audit)?);
    for f in &findings {
        tracing::warn!(path = %audit.path().display(), "reconciled: {f}");
    }
    Ok(findings)
}

/// Commits an intent whose file holds its text, abandons any other.
fn settle(store: &FactStore, audit: &AuditLog, intent: &AuditEntry) -> Result<Finding, AuditError> {
    let current = read_optional(&store.root().join(&intent.path));
    let applied = match intent.action {
        // A source addition appends a block: it happened if the id is in the file.
        Action::SourceAdd => current
            .as_deref()
            .is_some_and(|t| source_ids(t).contains(&intent.fact_id)),
        _ => current.is_some() && current == intent.after,
    };
    let (seq, fact_id) = (intent.seq, intent.fact_id.clone());
    if applied {
        let why = "completed at start-up: the file holds the change".to_string();
        audit.settle(seq, Outcome::Commit, Some(why))?;
        return Ok(Finding::Completed { seq, fact_id });
    }
    let why = if current == intent.before || intent.action == Action::SourceAdd {
        "abandoned at start-up: the file was never written"
    } else {
        "abandoned at start-up: the file holds neither text (recorded as found)"
    };
    audit.settle(seq, Outcome::Abandon, Some(why.to_string()))?;
    Ok(Finding::Abandoned { seq, fact_id })
}

/// A `found` entry for every fact file unlike the last text the log recorded for it.
fn record_outside_changes(store: &FactStore, audit: &AuditLog) -> Result<Vec<Finding>, AuditError> {
    // The newest committed text per fact (source additions record only a block).
    let mut last: BTreeMap<String, AuditEntry> = BTreeMap::new();
    for e in audit.entries()? {
        if e.action != Action::SourceAdd {
            last.insert(e.fact_id.clone(), e);
        }
    }
    let mut findings = Vec::new();
    for (fact_id, entry) in last {
        let Some(recorded) = entry.after else {
            continue;
        };
        let Some(current) = read_optional(&store.root().join(&entry.path)) else {
            findings.push(Finding::Missing {
                fact_id,
                path: entry.path,
            });
            continue;
        };
        if current == recorded {
            continue;
        }
        let found = audit.append(NewEntry {
            actor: FOUND_BY.to_string(),
            actor_id: None,
            guild: None,
            action: Action::Found,
            fact_id: fact_id.clone(),
            path: entry.path.clone(),
            before: Some(recorded),
            after: Some(current),
            note: Some("the file differs from the last change the log recorded".into()),
        })?;
        findings.push(Finding::Outside {
            seq: found.seq,
            fact_id,
            path: entry.path,
        });
    }
    Ok(findings)
}

/// A file's text, or none when it is missing or unreadable.
fn read_optional(path: &Path) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(path = %path.display(), "could not read while reconciling: {e}");
            None
        }
    }
}
