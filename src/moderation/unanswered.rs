//! The questions the bot declined: where the fact base is thin.
//!
//! It exists so moderators can see what people asked that had no answer, most frequent first,
//! with similar wordings grouped, and turn a group into a phrasing of an existing fact or the
//! start of a new one. Only the question text, the time and the server are stored, never who
//! asked. Both logs are JSON Lines: dismissing a group appends a dismissal that hides what it
//! covered.
//!
//! People's questions are their own words, sometimes personal, so the log is bounded and private
//! by [`UnansweredPolicy`]: entries older than the retention period and beyond a cap are dropped
//! (the file is rewritten atomically), a question can be forgotten on request, a server can opt
//! out, and direct messages are recorded only if the owner opts in. Listing is linear in the
//! number of questions: exact wordings are counted in a map, and only the most asked are joined
//! by similarity.

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
/// Only this many of the most asked wordings are joined by similarity (the comparison is
/// pairwise); the rest are listed as they are. Far more than a moderator reads.
const MAX_FUZZY_GROUPS: usize = 300;
/// Only this many of the most asked distinct wordings are analysed into content words.
const MAX_ANALYSED: usize = 5_000;
/// Appends between two prunings of the log in one process.
const PRUNE_EVERY: usize = 1_000;
/// The environment variables [`UnansweredPolicy`] is read from by `serve` and the shell.
pub const DAYS_ENV: &str = "STRIKEFACTS_UNANSWERED_DAYS";
pub const OPT_OUT_ENV: &str = "STRIKEFACTS_UNANSWERED_OPT_OUT";
pub const DMS_ENV: &str = "STRIKEFACTS_UNANSWERED_DMS";

/// What is kept, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnansweredPolicy {
    /// Entries older than this many days are dropped (`STRIKEFACTS_UNANSWERED_DAYS`, default 90).
    pub retention_days: u32,
    /// At most this many entries are kept, the newest.
    pub max_entries: usize,
    /// Whether questions asked in direct messages are recorded (`STRIKEFACTS_UNANSWERED_DMS=1`).
    pub record_dms: bool,
    /// Servers whose questions are never recorded (`STRIKEFACTS_UNANSWERED_OPT_OUT`, guild ids).
    pub opted_out: BTreeSet<u64>,
}

impl Default for UnansweredPolicy {
    fn default() -> UnansweredPolicy {
        UnansweredPolicy {
            retention_days: 90,
            max_entries: 50_000,
            record_dms: false,
            opted_out: BTreeSet::new(),
        }
    }
}

impl UnansweredPolicy {
    /// The policy from the environment variables' values (`None` when unset).
    pub fn from_values(
        days: Option<&str>,
        opt_out: Option<&str>,
        dms: Option<&str>,
    ) -> Result<UnansweredPolicy, String> {
        let mut policy = UnansweredPolicy::default();
        if let Some(d) = days.map(str::trim).filter(|d| !d.is_empty()) {
            policy.retention_days = d
                .parse()
                .ok()
                .filter(|n| (1..=3650).contains(n))
                .ok_or_else(|| format!("{DAYS_ENV}={d:?}: expected a number of days, 1 to 3650"))?;
        }
        if let Some(list) = opt_out {
            policy.opted_out = super::permissions::parse_ids(OPT_OUT_ENV, list)
                .map_err(|e| e.to_string())?
                .into_iter()
                .collect();
        }
        policy.record_dms = match dms.map(str::trim) {
            None | Some("") | Some("0") | Some("false") | Some("no") => false,
            Some("1") | Some("true") | Some("yes") => true,
            Some(other) => return Err(format!("{DMS_ENV}={other:?}: expected 1 or 0")),
        };
        Ok(policy)
    }

    /// The policy from `STRIKEFACTS_UNANSWERED_*`.
    pub fn from_env() -> Result<UnansweredPolicy, String> {
        let var = |k: &str| std::env::var(k).ok();
        UnansweredPolicy::from_values(
            var(DAYS_ENV).as_deref(),
            var(OPT_OUT_ENV).as_deref(),
            var(DMS_ENV).as_deref(),
        )
    }

    /// Whether a question asked in `guild` (none: a DM) may be recorded.
    pub fn records(&self, guild: Option<u64>) -> bool {
        match guild {
            Some(g) => !self.opted_out.contains(&g),
            None => self.record_dms,
        }
    }

    /// The oldest time an entry may have, as RFC 3339 (compared as text, like the entries).
    fn cutoff(&self) -> String {
        let days = chrono::Duration::days(i64::from(self.retention_days));
        let at = chrono::Utc::now()
            .checked_sub_signed(days)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}
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
    #[error("{0:?} is too short to forget by: give at least three letters of the question")]
    ForgetTooShort(String),
}

/// The declined-question log (`unanswered.jsonl`) and its dismissals
/// (`unanswered-dismissed.jsonl`) in the data folder.
#[derive(Debug)]
pub struct UnansweredLog {
    path: PathBuf,
    dismissed: PathBuf,
    policy: UnansweredPolicy,
    /// Appends from this process one at a time, so lines never interleave; with the appends
    /// since the last pruning.
    lock: Mutex<usize>,
}

impl UnansweredLog {
    /// The log in `data_dir` under the default policy.
    pub fn open(data_dir: &Path) -> Result<UnansweredLog, UnansweredError> {
        UnansweredLog::with_policy(data_dir, UnansweredPolicy::default())
    }

    /// The log in `data_dir`, pruned to `policy` at once.
    pub fn with_policy(
        data_dir: &Path,
        policy: UnansweredPolicy,
    ) -> Result<UnansweredLog, UnansweredError> {
        fs::create_dir_all(data_dir).map_err(|source| UnansweredError::Io {
            what: "create",
            path: data_dir.to_path_buf(),
            source,
        })?;
        let log = UnansweredLog {
            path: data_dir.join("unanswered.jsonl"),
            dismissed: data_dir.join("unanswered-dismissed.jsonl"),
            policy,
            lock: Mutex::new(0),
        };
        log.prune()?;
        Ok(log)
    }

    pub fn policy(&self) -> &UnansweredPolicy {
        &self.policy
    }

    /// Records a declined question: text, time and server only; nothing from a server that
    /// opted out, or from a DM unless the owner opted in.
    pub fn record(&self, question: &str, guild: Option<u64>) -> Result<(), UnansweredError> {
        let question: String = question.trim().chars().take(MAX_CHARS).collect();
        if question.is_empty() || !self.policy.records(guild) {
            return Ok(());
        }
        let entry = Declined {
            at: now_rfc3339(),
            guild,
            question,
        };
        let appended = self.append(&self.path, &entry)?;
        if appended % PRUNE_EVERY == 0 {
            self.prune()?;
        }
        Ok(())
    }

    /// Drops entries past the retention period and beyond the cap (and dismissals past the
    /// retention period). Returns how many entries were dropped.
    pub fn prune(&self) -> Result<usize, UnansweredError> {
        let cutoff = self.policy.cutoff();
        let max = self.policy.max_entries;
        let dropped = self.rewrite(&self.path, |entries: Vec<Declined>| {
            let kept: Vec<Declined> = entries.into_iter().filter(|e| e.at >= cutoff).collect();
            let skip = kept.len().saturating_sub(max);
            kept.into_iter().skip(skip).collect()
        })?;
        self.rewrite(&self.dismissed, |ds: Vec<Dismissal>| {
            ds.into_iter().filter(|d| d.at >= cutoff).collect()
        })?;
        Ok(dropped)
    }

    /// Erases every recorded question that holds `text` (compared in plain form), from the log
    /// and from the dismissals. Returns how many were erased.
    pub fn forget(&self, text: &str) -> Result<usize, UnansweredError> {
        let needle = plain(text);
        if needle.trim().chars().count() < 3 {
            return Err(UnansweredError::ForgetTooShort(text.to_string()));
        }
        let erased = self.rewrite(&self.path, |entries: Vec<Declined>| {
            entries
                .into_iter()
                .filter(|e| !plain(&e.question).contains(&needle))
                .collect()
        })?;
        self.rewrite(&self.dismissed, |ds: Vec<Dismissal>| {
            ds.into_iter()
                .map(|mut d| {
                    d.questions.retain(|q| !q.contains(&needle));
                    d
                })
                .collect()
        })?;
        Ok(erased)
    }

    /// Replaces a log with `keep` of its entries, atomically, when that drops any; returns how
    /// many it dropped. Appends wait meanwhile.
    fn rewrite<T: Serialize + DeserializeOwned>(
        &self,
        path: &Path,
        keep: impl FnOnce(Vec<T>) -> Vec<T>,
    ) -> Result<usize, UnansweredError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let entries: Vec<T> = self.read(path)?;
        let before = entries.len();
        let kept = keep(entries);
        if kept.len() == before {
            return Ok(0);
        }
        let mut text = String::new();
        for e in &kept {
            text.push_str(&serde_json::to_string(e)?);
            text.push('\n');
        }
        super::store::write_atomic(path, &text, &super::store::NoFault).map_err(|e| {
            UnansweredError::Io {
                what: "rewrite",
                path: path.to_path_buf(),
                source: io::Error::other(e.to_string()),
            }
        })?;
        Ok(before - kept.len())
    }

    /// Appends one line; returns how many appends this process made since the last pruning.
    fn append<T: Serialize>(&self, path: &Path, value: &T) -> Result<usize, UnansweredError> {
        let mut line = serde_json::to_string(value)?;
        line.push('\n');
        let mut guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
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
        *guard += 1;
        Ok(*guard)
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
        // Each wording's dismissals (server, time), so each entry is checked in one lookup.
        let mut dismissed: HashMap<&str, Vec<(Option<u64>, &str)>> = HashMap::new();
        for d in &dismissals {
            for q in &d.questions {
                dismissed.entry(q).or_default().push((d.guild, &d.at));
            }
        }
        let cutoff = self.policy.cutoff();
        let entries: Vec<Declined> = self.read(&self.path)?;
        Ok(entries
            .into_iter()
            .filter(|e| guild.is_none() || e.guild == guild)
            .filter(|e| e.at >= cutoff)
            .filter(|e| {
                let key = plain(&e.question);
                !dismissed.get(key.as_str()).is_some_and(|ds| {
                    ds.iter()
                        .any(|(g, at)| (g.is_none() || *g == e.guild) && e.at.as_str() <= *at)
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
    let exact = exact_groups(lexicon, count_wordings(entries));
    let mut out: Vec<UnansweredGroup> = similar_groups(exact)
        .into_iter()
        .map(|(key, members)| to_group(&key, &members))
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    out
}

/// The wordings that fold to one key: how often each was asked, and when first and last.
struct Exact {
    key: Vec<String>,
    texts: HashMap<String, usize>,
    count: usize,
    first_at: String,
    last_at: String,
}

/// A distinct wording: how often it was asked, and when first and last.
type Wording<'a> = (&'a str, (usize, &'a str, &'a str));

/// Each distinct wording counted, one map lookup per entry; most asked first.
fn count_wordings(entries: &[Declined]) -> Vec<Wording<'_>> {
    let mut wordings: HashMap<&str, (usize, &str, &str)> = HashMap::new();
    for e in entries {
        let w = wordings
            .entry(e.question.as_str())
            .or_insert((0, e.at.as_str(), e.at.as_str()));
        w.0 += 1;
        w.1 = w.1.min(e.at.as_str());
        w.2 = w.2.max(e.at.as_str());
    }
    let mut wordings: Vec<Wording> = wordings.into_iter().collect();
    wordings.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    wordings
}

/// The wordings grouped by key (synonyms and stems folded); most asked first, so that each
/// group is named after its most asked form.
fn exact_groups(lexicon: &Lexicon, wordings: Vec<Wording>) -> Vec<Exact> {
    let mut exact: Vec<Exact> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for (rank, (text, (count, first_at, last_at))) in wordings.into_iter().enumerate() {
        // The most asked wordings are analysed (synonyms, stems); the long tail, mostly asked
        // once, is keyed by its plain text, so listing stays linear in the log's size.
        let key = if rank < MAX_ANALYSED {
            key_of(lexicon, text)
        } else {
            vec![plain(text)]
        };
        let i = *index.entry(key.clone()).or_insert_with(|| {
            exact.push(Exact {
                key,
                texts: HashMap::new(),
                count: 0,
                first_at: first_at.to_string(),
                last_at: last_at.to_string(),
            });
            exact.len() - 1
        });
        let x = &mut exact[i];
        x.count += count;
        x.texts.insert(text.to_string(), count);
        if first_at < x.first_at.as_str() {
            x.first_at = first_at.to_string();
        }
        if last_at > x.last_at.as_str() {
            x.last_at = last_at.to_string();
        }
    }
    exact.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    exact
}

/// Keys that are nearly the same joined under the first (most asked) one.
fn similar_groups(exact: Vec<Exact>) -> Vec<(Vec<String>, Vec<Exact>)> {
    let mut groups: Vec<(Vec<String>, Vec<Exact>)> = Vec::new();
    for (rank, x) in exact.into_iter().enumerate() {
        // Pairwise similarity only among the most asked wordings: listing stays linear.
        let joined = if rank < MAX_FUZZY_GROUPS {
            groups.iter_mut().find(|(k, _)| similar(k, &x.key))
        } else {
            None
        };
        match joined {
            Some((_, members)) => members.push(x),
            None => groups.push((x.key.clone(), vec![x])),
        }
    }
    groups
}

/// One group as listed: its wordings, most asked first, and its counts and dates.
fn to_group(key: &[String], members: &[Exact]) -> UnansweredGroup {
    let mut texts: HashMap<String, usize> = HashMap::new();
    for m in members {
        for (t, n) in &m.texts {
            *texts.entry(t.clone()).or_default() += n;
        }
    }
    let mut questions: Vec<(String, usize)> = texts.into_iter().collect();
    questions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    UnansweredGroup {
        id: group_id(key),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_questions_group_and_dismissals_hide_them() {
        let dir = tempfile::tempdir().unwrap();
        let log = UnansweredLog::open(dir.path()).unwrap();
        let lex = crate::lexicon::bundled();
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

    #[test]
    fn old_entries_and_those_beyond_the_cap_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unanswered.jsonl");
        let line = |at: &str, q: &str| {
            serde_json::to_string(&Declined {
                at: at.into(),
                guild: Some(7),
                question: q.into(),
            })
            .unwrap()
        };
        let text = [
            line("2001-01-01T00:00:00Z", "very old question"),
            line(&now_rfc3339(), "recent one"),
            line(&now_rfc3339(), "recent two"),
            line(&now_rfc3339(), "recent three"),
        ]
        .join("\n");
        fs::write(&path, text + "\n").unwrap();
        let policy = UnansweredPolicy {
            max_entries: 2,
            ..UnansweredPolicy::default()
        };
        let log = UnansweredLog::with_policy(dir.path(), policy).unwrap();
        let kept: Vec<String> = log
            .open_entries(None)
            .unwrap()
            .into_iter()
            .map(|e| e.question)
            .collect();
        assert_eq!(kept, ["recent two", "recent three"]);
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn a_question_can_be_forgotten_and_opted_out_places_are_not_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let policy = UnansweredPolicy::from_values(Some("30"), Some("9"), None).unwrap();
        assert_eq!(policy.retention_days, 30);
        let log = UnansweredLog::with_policy(dir.path(), policy).unwrap();
        let lex = crate::lexicon::bundled();
        log.record("my name is Jo Bloggs, when is the strike", Some(7))
            .unwrap();
        log.record("who is the health secretary", Some(7)).unwrap();
        log.record("asked in an opted-out server", Some(9)).unwrap();
        log.record("asked in a DM", None).unwrap();
        let listed = log.list(&lex, None).unwrap();
        assert_eq!(listed.len(), 2, "{listed:#?}");
        assert!(log.forget("jo").is_err(), "too short to forget by");
        assert_eq!(log.forget("Jo Bloggs").unwrap(), 1);
        let left = log.open_entries(None).unwrap();
        assert_eq!(left.len(), 1);
        assert!(!fs::read_to_string(&log.path).unwrap().contains("Bloggs"));
        assert!(UnansweredPolicy::from_values(Some("0"), None, None).is_err());
        assert!(UnansweredPolicy::from_values(None, None, Some("1"))
            .unwrap()
            .records(None));
    }
}
