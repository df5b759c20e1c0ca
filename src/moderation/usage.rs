//! How much the bot is used: daily counts of answers, declines, disputes and facts.
//!
//! It exists so moderators can see which facts people ask for, which nobody does, and how often
//! the bot declines (`strikefacts stats`, `/stats`, computed by [`super::stats`]). Only counts
//! are kept, never who asked or what they typed, and the storage is bounded: one entry per day,
//! at most [`MAX_DAYS`] of them, each holding counters keyed by dispute and fact ids (which come
//! from the fact base, so they are few).
//!
//! Counting must not cost a disk write per answer: the counters live in memory behind a mutex
//! and are written to `usage.json` in the data folder (atomically: a temporary file renamed over
//! it) only by [`UsageLog::flush`]: the bot's timer runs it every [`FLUSH_EVERY`], off the
//! answering path, and at shutdown, and dropping the log runs it too; a write happens only when
//! there are new counts. A file that cannot be read is moved
//! aside to `usage.json.corrupt-<time>` with a warning, never overwritten.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::answer::Answer;

/// Days kept: a year, leap years included. Older days are dropped.
pub const MAX_DAYS: usize = 366;
/// How often the running bot writes the counters.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);
/// The file's name in the data folder.
pub const FILE_NAME: &str = "usage.json";
/// Distinct keys one day may hold per map: far more than the fact base has facts; a bound
/// against a fact base that keeps renaming its facts.
const MAX_KEYS: usize = 2_000;
/// The key every computed timeline answer is counted under (their ids name the strike periods).
pub const TIMELINE_KEY: &str = "timeline";

/// One day's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Questions answered from at least one fact (or a timeline computation).
    pub answered: u64,
    /// Questions declined, for any reason.
    pub declined: u64,
    /// Replies with no fact that were not declines: the introduction, the NHS signposting.
    #[serde(default)]
    pub other: u64,
    /// Answers per dispute (an answer spanning two disputes counts for each).
    #[serde(default)]
    pub disputes: BTreeMap<String, u64>,
    /// Answers using each fact.
    #[serde(default)]
    pub facts: BTreeMap<String, u64>,
}

/// Everything `usage.json` holds: the counts of each day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageData {
    pub days: BTreeMap<NaiveDate, DayCounts>,
}

impl UsageData {
    /// Counts one reply on `day`.
    pub fn count(&mut self, day: NaiveDate, answer: &Answer) {
        let counts = self.days.entry(day).or_default();
        if !answer.answered {
            counts.declined += 1;
        } else if answer.facts.is_empty() {
            counts.other += 1;
        } else {
            counts.answered += 1;
            let disputes: BTreeSet<&str> =
                answer.facts.iter().map(|f| f.dispute.as_str()).collect();
            for d in disputes {
                bump(&mut counts.disputes, d);
            }
            let facts: BTreeSet<&str> = answer.facts.iter().map(|f| fact_key(&f.id)).collect();
            for f in facts {
                bump(&mut counts.facts, f);
            }
        }
        self.prune(day);
    }

    /// Drops the days more than a year before `newest`, and the oldest beyond [`MAX_DAYS`].
    pub fn prune(&mut self, newest: NaiveDate) {
        if let Some(cutoff) = newest.checked_sub_days(chrono::Days::new(MAX_DAYS as u64 - 1)) {
            self.days = self.days.split_off(&cutoff);
        }
        while self.days.len() > MAX_DAYS {
            self.days.pop_first();
        }
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_KEYS {
        map.insert(key.to_string(), 1);
    }
}

/// The key a fact answer is counted under: its fact id, or [`TIMELINE_KEY`].
fn fact_key(id: &str) -> &str {
    if id.starts_with("timeline:") {
        TIMELINE_KEY
    } else {
        id
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("could not {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{} is not a usage file ({source}); the bot moves it aside at its next start", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("could not encode the usage counts: {0}")]
    Encode(serde_json::Error),
    #[error("could not write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
}

/// Reads the usage file of `data_dir` without changing anything (empty when there is none):
/// what `strikefacts stats` shows. The running bot writes it at most a minute late.
pub fn read(data_dir: &Path) -> Result<UsageData, UsageError> {
    let path = data_dir.join(FILE_NAME);
    match fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|source| UsageError::Corrupt { path, source })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(UsageData::default()),
        Err(source) => Err(UsageError::Io {
            what: "read",
            path,
            source,
        }),
    }
}

/// The counters in memory and what the file knows of them.
#[derive(Debug)]
struct State {
    data: UsageData,
    /// Counts not yet written.
    dirty: bool,
    /// False when an unreadable file could not be moved aside: counts stay in memory only, so
    /// that file is never overwritten.
    writable: bool,
}

/// The usage counters of one bot, kept in `usage.json` in the data folder.
#[derive(Debug)]
pub struct UsageLog {
    path: PathBuf,
    /// Servers that opted out of the unanswered log are not counted either.
    opted_out: BTreeSet<u64>,
    state: Mutex<State>,
}

impl UsageLog {
    /// The log of `data_dir` (created if missing), not counting the `opted_out` servers. An
    /// unreadable file is moved aside with a warning and counting starts empty.
    pub fn open(data_dir: &Path, opted_out: BTreeSet<u64>) -> Result<UsageLog, UsageError> {
        fs::create_dir_all(data_dir).map_err(|source| UsageError::Io {
            what: "create",
            path: data_dir.to_path_buf(),
            source,
        })?;
        let (data, writable) = match read(data_dir) {
            Ok(data) => (data, true),
            Err(e) => {
                tracing::warn!("usage counts start empty: {e}");
                (UsageData::default(), move_aside(&data_dir.join(FILE_NAME)))
            }
        };
        Ok(UsageLog {
            path: data_dir.join(FILE_NAME),
            opted_out,
            state: Mutex::new(State {
                data,
                dirty: false,
                writable,
            }),
        })
    }

    /// Counts one reply given on `day` in `guild` (none: a DM), in memory only.
    pub fn record(&self, day: NaiveDate, guild: Option<u64>, answer: &Answer) {
        if guild.is_some_and(|g| self.opted_out.contains(&g)) {
            return;
        }
        let mut state = self.lock();
        state.data.count(day, answer);
        state.dirty = true;
    }

    /// Writes the counters now if any were added since the last write.
    pub fn flush(&self) -> Result<(), UsageError> {
        let mut state = self.lock();
        self.write(&mut state)
    }

    /// A copy of the counters, unwritten ones included: what `/stats` shows.
    pub fn snapshot(&self) -> UsageData {
        self.lock().data.clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Written under the lock, so two writes never race to the rename.
    fn write(&self, state: &mut State) -> Result<(), UsageError> {
        if !state.dirty || !state.writable {
            return Ok(());
        }
        let text = serde_json::to_string(&state.data).map_err(UsageError::Encode)?;
        super::store::write_atomic(&self.path, &text, &super::store::NoFault).map_err(|e| {
            UsageError::Write {
                path: self.path.clone(),
                message: e.to_string(),
            }
        })?;
        state.dirty = false;
        Ok(())
    }
}

impl Drop for UsageLog {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::warn!("could not write the usage counts at shutdown: {e}");
        }
    }
}

/// Moves an unreadable usage file to `<name>.corrupt-<time>`; whether the name is free now.
fn move_aside(path: &Path) -> bool {
    if !path.exists() {
        return true;
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let aside = path.with_file_name(format!("{FILE_NAME}.corrupt-{stamp}"));
    match fs::rename(path, &aside) {
        Ok(()) => {
            tracing::warn!(kept = %aside.display(), "moved the unreadable usage file aside");
            true
        }
        Err(e) => {
            tracing::warn!(
                path = %path.display(),
                "could not move the unreadable usage file aside ({e}); counts are kept in memory only"
            );
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::FactAnswer;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("a date")
    }

    fn fact(id: &str, dispute: &str) -> FactAnswer {
        FactAnswer {
            id: id.into(),
            question: None,
            dispute: dispute.into(),
            dispute_label: String::new(),
            answer: String::new(),
            as_of: String::new(),
            confidence: 0.9,
            sources: Vec::new(),
            stale: false,
            contested: None,
        }
    }

    fn answered(facts: Vec<FactAnswer>) -> Answer {
        Answer {
            facts,
            ..Answer::without_facts(String::new(), String::new(), Vec::new(), Vec::new())
        }
    }

    #[test]
    fn counts_are_kept_in_memory_until_flushed_and_opted_out_servers_are_not_counted() {
        let dir = tempfile::tempdir().expect("a folder");
        let log = UsageLog::open(dir.path(), BTreeSet::from([9])).expect("opens");
        let a = answered(vec![
            fact("a", "pay-2022"),
            fact("timeline:x,y", "pay-2022"),
        ]);
        log.record(day(20), Some(7), &a);
        log.record(day(20), None, &a);
        log.record(day(20), Some(9), &a);
        assert!(!log.path().exists(), "written before a flush");
        let counts = &log.snapshot().days[&day(20)];
        assert_eq!(counts.answered, 2);
        assert_eq!(counts.disputes["pay-2022"], 2);
        assert_eq!(counts.facts["a"], 2);
        assert_eq!(counts.facts[TIMELINE_KEY], 2);
        log.flush().expect("flushes");
        assert_eq!(read(dir.path()).expect("reads"), log.snapshot());
    }

    #[test]
    fn at_most_a_year_of_days_is_kept() {
        let mut data = UsageData::default();
        let start = day(1);
        for i in 0..400 {
            let d = start
                .checked_add_days(chrono::Days::new(i))
                .expect("a date");
            data.count(d, &answered(Vec::new()));
        }
        assert_eq!(data.days.len(), MAX_DAYS);
        let last = start
            .checked_add_days(chrono::Days::new(399))
            .expect("a date");
        assert_eq!(data.days.last_key_value().map(|(d, _)| *d), Some(last));
    }

    #[test]
    fn an_unreadable_file_is_moved_aside_not_overwritten() {
        let dir = tempfile::tempdir().expect("a folder");
        fs::write(dir.path().join(FILE_NAME), "{not json").expect("write");
        assert!(matches!(read(dir.path()), Err(UsageError::Corrupt { .. })));
        let log = UsageLog::open(dir.path(), BTreeSet::new()).expect("opens");
        assert!(log.snapshot().days.is_empty());
        log.record(day(21), None, &answered(Vec::new()));
        log.flush().expect("writes");
        let names: Vec<String> = fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        let aside = names
            .iter()
            .find(|n| n.starts_with("usage.json.corrupt-"))
            .expect("moved aside");
        let kept = fs::read_to_string(dir.path().join(aside)).expect("read");
        assert_eq!(kept, "{not json");
        assert_eq!(read(dir.path()).expect("reads").days[&day(21)].other, 1);
    }
}
