//! The questions the bot declined: where the fact base is thin.
//!
//! It exists so moderators can see what people asked that had no answer, most frequent first,
//! with similar wordings grouped, and turn a group into a phrasing of an existing fact or the
//! start of a new one. Only the question text, the time and the server are stored, never who
//! asked. Both logs are append-only JSON Lines: dismissing a group appends a dismissal that hides
//! what it covered, so nothing is ever deleted.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::lexicon::{plain, Lexicon};

use super::audit::now_rfc3339;

/// Questions are kept at most this long (the engine reads no more than 500 characters either).
const MAX_CHARS: usize = 500;
/// Two questions whose content words overlap this much (Jaccard) ask the same thing.
const SAME_TOKENS: f64 = 0.6;
/// ...or whose analysed forms are this close in spelling.
const SAME_SPELLING: f64 = 0.8;
/// Two content words this close (Jaro-Winkler) count as one misspelt word.
const SAME_WORD: f64 = 0.85;

/// One declined question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declined {
    pub at: String,
    pub guild: Option<u64>,
    pub question: String,
}

/// A group taken off the list: dismissed, or turned into a phrasing or a new fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dismissal {
    pub at: String,
    pub actor: String,
    pub guild: Option<u64>,
    pub group: String,
    /// What became of it: "dismissed", "alias of <id>", "new fact".
    pub resolution: String,
    /// The questions it covers, in `lexicon::plain` form; later askings show up again.
    pub questions: Vec<String>,
}

/// Similar declined questions, as moderators see them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnansweredGroup {
    /// Stable id for buttons: a hash of the group's most asked wording.
    pub id: String,
    /// How often questions of this group were declined.
    pub count: usize,
    /// The most asked wording: the one to turn into a phrasing.
    pub question: String,
    /// Every distinct wording with its count, most asked first.
    pub questions: Vec<(String, usize)>,
    pub first_at: String,
    pub last_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum UnansweredError {
    #[error("could not {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("could not encode an entry: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("no unanswered group {0:?}: it may have been handled already; list them again")]
    NoGroup(String),
}

/// The declined-question log (`unanswered.jsonl`) and its dismissals
/// (`unanswered-dismissed.jsonl`) in the data folder.
#[derive(Debug)]
pub struct UnansweredLog {
    path: PathBuf,
    dismissed: PathBuf,
    /// Appends from this process one at a time, so lines never interleave.
    lock: Mutex<()>,
}

impl UnansweredLog {
    pub fn open(data_dir: &Path) -> Result<UnansweredLog, UnansweredError> {
        fs::create_dir_all(data_dir).map_err(|source| UnansweredError::Io {
            what: "create",
            path: data_dir.to_path_buf(),
            source,
        })?;
        Ok(UnansweredLog {
            path: data_dir.join("unanswered.jsonl"),
            dismissed: data_dir.join("unanswered-dismissed.jsonl"),
            lock: Mutex::new(()),
        })
    }

    /// Records a declined question: text, time and server only.
    pub fn record(&self, question: &str, guild: Option<u64>) -> Result<(), UnansweredError> {
        let question: String = question.trim().chars().take(MAX_CHARS).collect();
        if question.is_empty() {
            return Ok(());
        }
        let entry = Declined {
            at: now_rfc3339(),
            guild,
            question,
        };
        self.append(&self.path, &entry)
    }

    fn append<T: Serialize>(&self, path: &Path, value: &T) -> Result<(), UnansweredError> {
        let mut line = serde_json::to_string(value)?;
        line.push('\n');
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let io = |what| {
            move |source| UnansweredError::Io {
                what,
                path: path.to_path_buf(),
                source,
            }
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io("open"))?;
        file.write_all(line.as_bytes()).map_err(io("append to"))?;
        file.sync_data().map_err(io("flush"))?;
        Ok(())
    }

    fn read<T: DeserializeOwned>(&self, path: &Path) -> Result<Vec<T>, UnansweredError> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(UnansweredError::Io {
                    what: "read",
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| match serde_json::from_str(l) {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "skipping an unreadable line: {e}");
                    None
                }
            })
            .collect())
    }

    /// Every declined question still open (not covered by a dismissal), oldest first; with a
    /// guild, only that server's.
    pub fn open_entries(&self, guild: Option<u64>) -> Result<Vec<Declined>, UnansweredError> {
        let dismissals: Vec<Dismissal> = self.read(&self.dismissed)?;
        let entries: Vec<Declined> = self.read(&self.path)?;
        Ok(entries
            .into_iter()
            .filter(|e| guild.is_none() || e.guild == guild)
            .filter(|e| {
                let key = plain(&e.question);
                !dismissals.iter().any(|d| {
                    (d.guild.is_none() || d.guild == e.guild)
                        && e.at <= d.at
                        && d.questions.contains(&key)
                })
            })
            .collect())
    }

    /// The open questions grouped, most frequent first.
    pub fn list(
        &self,
        lexicon: &Lexicon,
        guild: Option<u64>,
    ) -> Result<Vec<UnansweredGroup>, UnansweredError> {
        Ok(group(lexicon, &self.open_entries(guild)?))
    }

    /// One group of the current list.
    pub fn find(
        &self,
        lexicon: &Lexicon,
        guild: Option<u64>,
        group_id: &str,
    ) -> Result<UnansweredGroup, UnansweredError> {
        self.list(lexicon, guild)?
            .into_iter()
            .find(|g| g.id == group_id)
            .ok_or_else(|| UnansweredError::NoGroup(group_id.to_string()))
    }

    /// Takes a group off the list (it stays in the log).
    pub fn dismiss(
        &self,
        lexicon: &Lexicon,
        actor: &str,
        guild: Option<u64>,
        group_id: &str,
        resolution: &str,
    ) -> Result<UnansweredGroup, UnansweredError> {
        let g = self.find(lexicon, guild, group_id)?;
        let d = Dismissal {
            at: now_rfc3339(),
            actor: actor.to_string(),
            guild,
            group: g.id.clone(),
            resolution: resolution.to_string(),
            questions: g.questions.iter().map(|(q, _)| plain(q)).collect(),
        };
        self.append(&self.dismissed, &d)?;
        Ok(g)
    }
}

/// A question's comparable form: its sorted, distinct content tokens (or its plain text when it
/// has none, so "???" questions still group with themselves).
fn key_of(lexicon: &Lexicon, question: &str) -> Vec<String> {
    let tokens: BTreeSet<String> = lexicon.analyze(question).tokens.into_iter().collect();
    if tokens.is_empty() {
        vec![plain(question)]
    } else {
        tokens.into_iter().collect()
    }
}

fn similar(a: &[String], b: &[String]) -> bool {
    // Tokens match when equal, or (for words long enough to misspell) close in Jaro-Winkler:
    // "frnace" and "france" are one word to a moderator.
    let same = |x: &String, y: &String| {
        x == y || (x.len() >= 4 && y.len() >= 4 && strsim::jaro_winkler(x, y) >= SAME_WORD)
    };
    let shared = a.iter().filter(|x| b.iter().any(|y| same(x, y))).count() as f64;
    let union = (a.len() + b.len()) as f64 - shared;
    shared / union.max(1.0) >= SAME_TOKENS
        || strsim::normalized_levenshtein(&a.join(" "), &b.join(" ")) >= SAME_SPELLING
}

fn group_id(key: &[String]) -> String {
    let digest = Sha256::digest(key.join(" ").as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// Groups declined questions: identical analysed forms first, then similar forms joined to the
/// most asked group they resemble.
pub fn group(lexicon: &Lexicon, entries: &[Declined]) -> Vec<UnansweredGroup> {
    struct Exact {
        key: Vec<String>,
        texts: HashMap<String, usize>,
        count: usize,
        first_at: String,
        last_at: String,
    }
    let mut exact: Vec<Exact> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for e in entries {
        let key = key_of(lexicon, &e.question);
        let i = *index.entry(key.clone()).or_insert_with(|| {
            exact.push(Exact {
                key,
                texts: HashMap::new(),
                count: 0,
                first_at: e.at.clone(),
                last_at: e.at.clone(),
            });
            exact.len() - 1
        });
        let x = &mut exact[i];
        x.count += 1;
        *x.texts.entry(e.question.clone()).or_default() += 1;
        if e.at < x.first_at {
            x.first_at = e.at.clone();
        }
        if e.at > x.last_at {
            x.last_at = e.at.clone();
        }
    }
    // Most asked first so that each group is named after its most asked form.
    exact.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    let mut groups: Vec<(Vec<String>, Vec<Exact>)> = Vec::new();
    for x in exact {
        match groups.iter_mut().find(|(k, _)| similar(k, &x.key)) {
            Some((_, members)) => members.push(x),
            None => groups.push((x.key.clone(), vec![x])),
        }
    }
    let mut out: Vec<UnansweredGroup> = groups
        .into_iter()
        .map(|(key, members)| {
            let mut texts: HashMap<String, usize> = HashMap::new();
            for m in &members {
                for (t, n) in &m.texts {
                    *texts.entry(t.clone()).or_default() += n;
                }
            }
            let mut questions: Vec<(String, usize)> = texts.into_iter().collect();
            questions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            UnansweredGroup {
                id: group_id(&key),
                count: members.iter().map(|m| m.count).sum(),
                question: questions.first().map(|q| q.0.clone()).unwrap_or_default(),
                first_at: members
                    .iter()
                    .map(|m| m.first_at.clone())
                    .min()
                    .unwrap_or_default(),
                last_at: members
                    .iter()
                    .map(|m| m.last_at.clone())
                    .max()
                    .unwrap_or_default(),
                questions,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_questions_group_and_dismissals_hide_them() {
        let dir = tempfile::tempdir().unwrap();
        let log = UnansweredLog::open(dir.path()).unwrap();
        let lex = Lexicon::default();
        for q in [
            "what is the capital of france",
            "What is the capital of France?",
            "capital of frnace",
            "who won the 1966 world cup",
        ] {
            log.record(q, Some(7)).unwrap();
        }
        log.record("elsewhere", Some(8)).unwrap();
        let groups = log.list(&lex, Some(7)).unwrap();
        assert_eq!(groups.len(), 2, "{groups:#?}");
        assert_eq!(groups[0].count, 3);
        assert_eq!(groups[1].count, 1);
        let id = groups[0].id.clone();
        log.dismiss(&lex, "mod", Some(7), &id, "dismissed").unwrap();
        let groups = log.list(&lex, Some(7)).unwrap();
        assert_eq!(groups.len(), 1);
        assert!(log.find(&lex, Some(7), &id).is_err());
        // Nothing was deleted.
        assert_eq!(log.read::<Declined>(&log.path).unwrap().len(), 5);
    }
}
