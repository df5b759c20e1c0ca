//! Moderators' changes as git commits, when the fact base is in a git work tree.
//!
//! The fact base is "reviewed in git": a change made from Discord or the shell must reach git, or
//! a redeploy from the repository would overwrite it and `git log knowledge/` would not show it.
//! So each change the audit log commits is also one git commit of exactly the files it wrote, with
//! the moderator (and server) as author and the action, fact and reason as message. It uses the
//! `git` command, which every machine that has a checkout has. A fact base outside git works as
//! before; a failed commit never undoes a change (the audit log has it) but is reported.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::audit::AuditEntry;

/// Who a commit names as committer: the bot, whatever git configuration the machine has.
const COMMITTER: (&str, &str) = ("strikefacts", "strikefacts@localhost");

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("could not run git: {0}")]
    Run(#[from] std::io::Error),
    #[error("git {step} failed: {message}")]
    Failed { step: &'static str, message: String },
}

/// The git work tree a fact base is in.
#[derive(Debug, Clone)]
pub struct GitWorkTree {
    /// The fact base folder; paths are given relative to it.
    knowledge: PathBuf,
}

impl GitWorkTree {
    /// The work tree holding `knowledge`, if it is in one (and git is installed).
    pub fn find(knowledge: &Path) -> Option<GitWorkTree> {
        let out = Command::new("git")
            .arg("-C")
            .arg(knowledge)
            .args(["rev-parse", "--is-inside-work-tree"])
            .output()
            .ok()?;
        let inside = out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "true";
        inside.then(|| GitWorkTree {
            knowledge: knowledge.to_path_buf(),
        })
    }

    /// Commits exactly `paths` (relative to the fact base) for one audit entry; returns the
    /// commit's hash.
    pub fn commit(&self, entry: &AuditEntry, paths: &[&Path]) -> Result<String, GitError> {
        self.git("add", &["add", "--"], paths)?;
        let author = author_of(entry);
        let message = message_of(entry);
        let mut args = vec![
            "-c".to_string(),
            format!("user.name={}", COMMITTER.0),
            "-c".to_string(),
            format!("user.email={}", COMMITTER.1),
            "commit".to_string(),
            "--no-verify".to_string(),
            "--quiet".to_string(),
            format!("--author={author}"),
            "-m".to_string(),
            message,
            "--".to_string(),
        ];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.git("commit", &arg_refs, &[])?;
        let hash = self.git("rev-parse", &["rev-parse", "HEAD"], &[])?;
        Ok(hash.trim().to_string())
    }

    fn git(&self, step: &'static str, args: &[&str], paths: &[&Path]) -> Result<String, GitError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.knowledge)
            .args(args)
            .args(paths)
            .output()?;
        if !out.status.success() {
            return Err(GitError::Failed {
                step,
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    }
}

/// `alice <discord-1001@server-42.invalid>`: the name people know, and an address that says
/// which Discord user and server (or the shell) it came from without being deliverable.
fn author_of(entry: &AuditEntry) -> String {
    let name: String = entry
        .actor
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r'))
        .collect();
    let name = if name.trim().is_empty() {
        "moderator"
    } else {
        name.trim()
    };
    let user = entry
        .actor_id
        .map_or_else(|| "shell".to_string(), |id| format!("discord-{id}"));
    let place = entry
        .guild
        .map_or_else(|| "shell".to_string(), |g| format!("server-{g}"));
    format!("{name} <{user}@{place}.invalid>")
}

/// "fact edit: 2026-pay-deal-terms" with the reason and the audit number in the body, so that
/// `git log` and `/fact history` can be read side by side.
fn message_of(entry: &AuditEntry) -> String {
    let what = match entry.action {
        super::Action::SourceAdd => format!("source add: {}", entry.fact_id),
        action => format!("fact {action}: {}", entry.fact_id),
    };
    let mut body = String::new();
    if let Some(note) = &entry.note {
        body.push_str(note);
        body.push_str("\n\n");
    }
    let place = entry.guild.map_or_else(
        || "from the shell".to_string(),
        |g| format!("in server {g}"),
    );
    body.push_str(&format!(
        "By {} {place}; audit #{} at {}.",
        entry.actor, entry.seq, entry.at
    ));
    format!("{what}\n\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moderation::Action;

    fn entry(guild: Option<u64>, actor_id: Option<u64>) -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: "2026-11-21T10:00:00Z".into(),
            actor: "ali<ce>".into(),
            actor_id,
            guild,
            action: Action::Retire,
            fact_id: "2026-x".into(),
            path: "facts/a/2026-x.toml".into(),
            before: None,
            after: None,
            note: Some("out of date".into()),
            intent: true,
        }
    }

    #[test]
    fn authors_say_who_and_where() {
        assert_eq!(
            author_of(&entry(Some(42), Some(1001))),
            "alice <discord-1001@server-42.invalid>"
        );
        assert_eq!(author_of(&entry(None, None)), "alice <shell@shell.invalid>");
        let m = message_of(&entry(Some(42), Some(1001)));
        assert!(
            m.starts_with("fact retire: 2026-x\n\nout of date\n\n"),
            "{m}"
        );
        assert!(m.contains("audit #7"), "{m}");
    }
}
