//! Moderators' operations on the facts: add, edit, retire, alias, undo, source add, and the reads
//! that go with them (show, list, history, unanswered, usage).
//!
//! It exists so that the Discord commands and the shell share one code path that never writes an
//! invalid fact base: every change is validated *before* anything is written, by the same rules
//! as `strikefacts check`, plus two rules about answers: a new phrasing that already leads to
//! another fact is refused, and a change that makes the project's own question set answer worse
//! needs an explicit confirm. When the files are what the serving engine was built from, the
//! change is applied to it in memory and checked where it can reach ([`reach`]); otherwise (a
//! hand edit not yet reloaded) the whole fact base is loaded with the change in a scratch copy
//! and checked. Validation runs without the writer lock; the lock is held to see that the fact
//! base is still the one validated and to write, so writers are serialized in and across
//! processes; every edit names the version it was based on, so a stale one is refused rather
//! than silently overwriting.
//!
//! Every operation takes the actor, the guild (none from the shell) and its input, and returns a
//! typed result or a [`ModerationError`] whose message is fit to show a moderator. They block
//! (disk, matcher): call them from `tokio::task::spawn_blocking` in async code.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::{check_engine, check_loaded};
use crate::engine::Engine;
use crate::eval::{self, EvalQuestion};
use crate::knowledge::{parse_fact, KnowledgeBase, LoadError, Problem, Severity};
use crate::lexicon::plain;
use crate::model::{PartialDate, Retirement};
use crate::provenance::{text_path, SourceTexts, MAX_SOURCE_TEXT_BYTES};

use super::audit::{
    now_rfc3339, Action, AuditEntry, AuditError, AuditLog, NewEntry, Outcome as Settled,
};
use super::git::GitWorkTree;
use super::limits;
use super::permissions::Actor;
use super::reconcile::{reconcile, Finding};
use super::store::{
    quote, valid_id, version_of, DraftError, FactDraft, FactStore, Step, StoreError, WriteHook,
};
use super::unanswered::{UnansweredError, UnansweredGroup, UnansweredLog, UnansweredPolicy};
use super::usage::{UsageError, UsageLog};

mod reach;

/// The environment variable naming the data folder (audit and unanswered logs).
pub const DATA_ENV: &str = "STRIKEFACTS_DATA";

/// The data folder: `STRIKEFACTS_DATA`, or `./data`.
pub fn data_dir_from_env() -> PathBuf {
    std::env::var_os(DATA_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// The folder inside `knowledge/` that holds the writer lock and the audit log. They belong to
/// the fact base, not to a process's data folder: two processes with different data folders
/// still take one lock and write one history. Hidden, so the loader and the watch skip it.
pub const LEDGER_DIR: &str = ".strikefacts";

/// Where things are.
#[derive(Debug, Clone)]
pub struct ModerationConfig {
    /// The `knowledge/` folder.
    pub knowledge: PathBuf,
    /// The data folder (unanswered questions).
    pub data: PathBuf,
    /// The question set an edit must not make worse; `None` skips that rule (tests about files
    /// and locks). The shell and `serve` refuse to change facts without it
    /// ([`ModerationConfig::require_question_set`]).
    pub questions: Option<PathBuf>,
    /// Answer and validate as of this date instead of the clock's (the CLI's `--today`).
    pub today: Option<NaiveDate>,
    /// What the unanswered log keeps, and for how long.
    pub unanswered: UnansweredPolicy,
}

impl ModerationConfig {
    /// With the question set at `<knowledge>/../tests/questions.jsonl` when it exists.
    pub fn new(knowledge: impl Into<PathBuf>, data: impl Into<PathBuf>) -> ModerationConfig {
        let knowledge = knowledge.into();
        let questions = question_set_path(&knowledge).filter(|p| p.is_file());
        ModerationConfig {
            knowledge,
            data: data.into(),
            questions,
            today: None,
            unanswered: UnansweredPolicy::default(),
        }
    }

    /// Refuses a configuration without the question set. The front ends (the shell's changes,
    /// `serve` with home servers) call it: without the set, a change that makes answers worse
    /// would be written unchecked and nobody would be told. Tests may still leave it out.
    pub fn require_question_set(&self) -> Result<(), ModerationError> {
        if self.questions.is_some() {
            return Ok(());
        }
        let expected = question_set_path(&self.knowledge)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "tests/questions.jsonl beside the fact base".to_string());
        Err(ModerationError::NoQuestionSet(expected))
    }
}

/// Where the question set is looked for: `tests/questions.jsonl` beside `knowledge/`, as in a
/// checkout; an install copies it to the same place (docs/discord.md).
fn question_set_path(knowledge: &Path) -> Option<PathBuf> {
    knowledge
        .parent()
        .map(|p| p.join("tests").join("questions.jsonl"))
}

/// Who changed a fact since the version an edit was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChangedBy {
    /// A moderator, through the bot or the shell (from the audit log).
    Moderator { actor: String, at: String },
    /// Someone edited the file by hand (or the audit log does not know the current text).
    Outside,
}

impl std::fmt::Display for ChangedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangedBy::Moderator { actor, at } => write!(f, "changed by {actor} at {at}"),
            ChangedBy::Outside => f.write_str("changed outside the bot"),
        }
    }
}

/// Why an operation was refused or failed. Each message is written for the moderator who asked.
#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    #[error("no fact with id {0:?}")]
    NotFound(String),
    #[error("a fact with id {id:?} already exists ({path}); pick another id or edit that fact")]
    Exists { id: String, path: String },
    #[error("fact {id:?} was {changed}, reopen it (its version is now {current_version})")]
    Stale {
        id: String,
        changed: ChangedBy,
        current_version: String,
    },
    #[error("refused, nothing was written:\n{}", .problems.join("\n"))]
    Invalid { problems: Vec<String> },
    #[error("refused, nothing was written: {0}")]
    Draft(#[from] DraftError),
    #[error("refused: the form's id {given:?} must stay {id:?} (to rename, add a new fact and retire this one)")]
    IdChanged { id: String, given: String },
    #[error("refused, nothing was written: {}\nIf that is intended, send it again with confirm.", .reasons.join("\n"))]
    NeedsConfirm { reasons: Vec<String> },
    #[error("nothing changed: the new text is the same as fact {0:?} has now")]
    Unchanged(String),
    #[error("fact {0:?} is retired; undo the retirement before changing it")]
    Retired(String),
    #[error("{0:?} is already a phrasing of fact {1:?}")]
    DuplicatePhrasing(String, String),
    #[error("the phrasing is empty")]
    EmptyPhrasing,
    #[error("a reason is needed to retire a fact")]
    NoReason,
    #[error("nothing to undo for fact {0:?}: it has no recorded change left")]
    NothingToUndo(String),
    #[error("refused, nothing was written: {0}")]
    BadSource(String),
    #[error(
        "the fact base on disk has problems, so no change can be checked; fix them first:\n{0}"
    )]
    BaseBroken(LoadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Unanswered(#[from] UnansweredError),
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(
        "no question set at {0}: every change to a fact is checked against it, so that none \
         makes answers worse unnoticed, and without it facts cannot be changed. Copy the \
         project's tests/questions.jsonl there (docs/discord.md, \"Run it as a service\"). \
         Nothing was changed."
    )]
    NoQuestionSet(String),
    #[error("could not read the question set: {0}")]
    Questions(#[from] eval::EvalError),
    #[error("could not prepare the check of the change: {0}")]
    Scratch(std::io::Error),
}

/// A change that was written.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: String,
    pub action: Action,
    /// The fact's version now (for the next edit).
    pub version: String,
    /// The file written, relative to `knowledge/`.
    pub path: String,
    /// The audit entry recording it.
    pub entry: AuditEntry,
    /// The engine now serving (already swapped in): the next question is answered from it.
    pub engine: Arc<Engine>,
    /// What the moderator confirmed, or should know (e.g. question-set changes).
    pub notes: Vec<String>,
}

/// One fact as `/fact show` presents it.
#[derive(Debug, Clone, Serialize)]
pub struct FactView {
    pub id: String,
    pub path: String,
    pub version: String,
    pub text: String,
    pub draft: FactDraft,
    pub served: bool,
}

/// One line of `/fact list`.
#[derive(Debug, Clone, Serialize)]
pub struct FactSummary {
    pub id: String,
    pub dispute: String,
    pub as_of: String,
    pub served: bool,
    pub answer: String,
}

/// A source as moderators add it with `/source add`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, Serialize)]
pub struct SourceDraft {
    pub id: String,
    pub publisher: String,
    #[serde(default)]
    pub headline: Option<String>,
    pub date: String,
    #[serde(default)]
    pub date_note: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The article's text, or the passages facts will quote: kept as `sources/<id>.txt`, the
    /// text every excerpt citing this source must be found in.
    #[serde(default)]
    pub text: String,
}

/// A source for autocomplete.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub id: String,
    pub label: String,
}

/// How the question set scored: the two numbers an edit must not make worse.
#[derive(Debug, Clone, Default)]
struct Score {
    /// Per question id: how it fared, and the facts its reply used.
    outcomes: BTreeMap<String, (Outcome, Vec<String>)>,
}

/// How one question of the set fared, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Correct,
    Declined,
    Wrong,
}

impl Score {
    fn of(report: &eval::EvalReport) -> Score {
        Score {
            outcomes: report
                .results
                .iter()
                .map(|r| {
                    let outcome = match (r.correct, r.answered) {
                        (true, _) => Outcome::Correct,
                        (false, false) => Outcome::Declined,
                        (false, true) => Outcome::Wrong,
                    };
                    (r.id.clone(), (outcome, r.facts.clone()))
                })
                .collect(),
        }
    }

    fn count(&self, outcome: Outcome) -> usize {
        self.outcomes
            .values()
            .filter(|(o, _)| *o == outcome)
            .count()
    }

    /// The questions that fare worse in `after` with the fact `id` in their reply, before or
    /// after. Adding any fact shifts every word's weight a little, so a question at the edge of
    /// the threshold may flip either way; that is not the moderator's doing and is not held
    /// against the change.
    fn worse_with(&self, after: &Score, id: &str) -> Vec<String> {
        self.outcomes
            .iter()
            .filter_map(|(q, (was, used))| {
                let (now, uses) = after.outcomes.get(q)?;
                let involved = used.iter().chain(uses).any(|f| f == id);
                (now > was && involved).then(|| q.clone())
            })
            .collect()
    }
}

/// Every `.toml` file of a `knowledge/` folder, read at one moment: the base a change is checked
/// against, copied into a scratch folder with the change applied.
struct Snapshot {
    files: BTreeMap<PathBuf, String>,
    /// Each file's version (a hash of its text), computed once: a change's fingerprint then
    /// hashes one file again, not all of them.
    versions: BTreeMap<PathBuf, String>,
}

impl Snapshot {
    fn read(root: &Path) -> std::io::Result<Snapshot> {
        let mut files = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir)? {
                let path = entry?.path();
                let hidden = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'));
                if hidden {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                    files.insert(rel, fs::read_to_string(&path)?);
                }
            }
        }
        let versions = files
            .iter()
            .map(|(p, t)| (p.clone(), version_of(t)))
            .collect();
        Ok(Snapshot { files, versions })
    }

    /// The snapshot with one file's text (`rel`, relative to the root) set.
    fn set(&mut self, rel: PathBuf, text: &str) {
        self.versions.insert(rel.clone(), version_of(text));
        self.files.insert(rel, text.to_string());
    }

    /// A hash of every file's path and text: equal fingerprints, equal fact bases.
    fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for (p, v) in &self.versions {
            h.update(p.to_string_lossy().as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
        }
        h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn write_to(&self, dir: &Path) -> std::io::Result<()> {
        for (rel, text) in &self.files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, text)?;
        }
        Ok(())
    }
}

/// A change that passed every rule, ready to be written.
struct Validated {
    engine: Engine,
    /// The fingerprints of the fact base it was validated on, and of the one it makes.
    base: String,
    fingerprint: String,
    score: Option<Score>,
    /// Every `check` error of the new fact base (known ones it already had included), when
    /// the whole base was checked.
    problems: Option<HashSet<ProblemKey>>,
    notes: Vec<String>,
}

/// A change past its first checks, on its way to the costly ones (see [`Moderation::validate`]).
struct Checked<'a> {
    id: &'a str,
    draft: &'a FactDraft,
    /// The fingerprints of the fact base on disk, and of the one the change makes.
    base: String,
    fingerprint: String,
    /// What the moderator confirmed (or must), so far.
    to_confirm: Vec<String>,
    confirm: bool,
}

/// A `check` problem's identity across a scratch copy and the real folder, and across small
/// shifts in confidence: the file and the phrasing (or message) it is about.
type ProblemKey = (String, String);

/// The moderators' back end over one `knowledge/` folder and one data folder.
pub struct Moderation {
    store: FactStore,
    audit: AuditLog,
    unanswered: UnansweredLog,
    /// The usage counters (`usage.json` beside the unanswered log).
    usage: UsageLog,
    engine: Arc<ArcSwap<Engine>>,
    questions: Vec<EvalQuestion>,
    today: Option<NaiveDate>,
    /// Held to check that a change's base is still current and to write and swap it (and for
    /// reloads), so concurrent moderators are applied one after the other and none is lost.
    writer: Mutex<WriterState>,
    /// `.strikefacts/writer.lock` in the fact base: the same serialisation across processes (the bot and
    /// `strikefacts fact ...` run at once), taken with the mutex.
    lock_path: PathBuf,
    /// The git work tree the fact base is in, if any: each change is also a commit there.
    git: Option<GitWorkTree>,
}

/// The writer's hold: this process's mutex and, while the OS lock on `writer.lock` could be
/// taken, the exclusive lock that keeps another process's change from interleaving.
struct WriterGuard<'a> {
    state: MutexGuard<'a, WriterState>,
    _file: Option<std::fs::File>,
}

impl std::ops::Deref for WriterGuard<'_> {
    type Target = WriterState;
    fn deref(&self) -> &WriterState {
        &self.state
    }
}

impl std::ops::DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut WriterState {
        &mut self.state
    }
}

/// What the writer knows about the fact base it last wrote or loaded.
#[derive(Default, Clone)]
struct WriterState {
    /// Fingerprint of the fact base the serving engine was built from.
    serving: Option<String>,
    /// The question-set score of a fingerprint (as of a date), so each edit runs the set once.
    baseline: Option<(String, NaiveDate, Score)>,
    /// The `check` errors a fingerprint already has (as of a date): an edit is refused only for
    /// problems it adds.
    known_problems: Option<(String, NaiveDate, HashSet<ProblemKey>)>,
}

impl std::fmt::Debug for Moderation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moderation")
            .field("store", &self.store)
            .finish()
    }
}

impl Moderation {
    /// Loads the fact base and opens the logs.
    pub fn open(config: ModerationConfig) -> Result<Moderation, ModerationError> {
        let read = || {
            Snapshot::read(&config.knowledge)
                .ok()
                .map(|s| s.fingerprint())
        };
        let before = read();
        let engine = Engine::load(&config.knowledge).map_err(ModerationError::BaseBroken)?;
        let mut moderation =
            Moderation::with_engine(config.clone(), Arc::new(ArcSwap::from_pointee(engine)))?;
        // Unchanged while it loaded (and reconciled): the engine serves these files, so the
        // first change can be validated on it.
        if before.is_some() && read() == before {
            moderation
                .writer
                .get_mut()
                .unwrap_or_else(|p| p.into_inner())
                .serving = before;
        }
        Ok(moderation)
    }

    /// Shares an engine handle with the bot: every change swaps the engine in it.
    pub fn with_engine(
        config: ModerationConfig,
        engine: Arc<ArcSwap<Engine>>,
    ) -> Result<Moderation, ModerationError> {
        let questions = match &config.questions {
            Some(p) => eval::load_questions(p)?,
            None => Vec::new(),
        };
        let ledger = config.knowledge.join(LEDGER_DIR);
        let audit = AuditLog::open(&ledger)?;
        adopt_old_audit_log(&config.data, &audit);
        let moderation = Moderation {
            store: FactStore::new(&config.knowledge),
            audit,
            unanswered: UnansweredLog::with_policy(&config.data, config.unanswered.clone())?,
            usage: UsageLog::open(&config.data, config.unanswered.opted_out.clone())?,
            engine,
            questions,
            today: config.today,
            writer: Mutex::new(WriterState::default()),
            lock_path: ledger.join("writer.lock"),
            git: GitWorkTree::find(&config.knowledge),
        };
        moderation.reconcile()?;
        Ok(moderation)
    }

    /// Brings the audit log and the files into agreement after a crash or a hand edit (see
    /// [`super::reconcile`]); runs at every open. Returns what it found.
    pub fn reconcile(&self) -> Result<Vec<Finding>, ModerationError> {
        let _state = self.lock();
        Ok(reconcile(&self.store, &self.audit)?)
    }

    /// The same back end with a fault-injection hook in its writes (tests only).
    pub fn with_write_hook(mut self, hook: Arc<dyn WriteHook>) -> Moderation {
        self.store = self.store.with_hook(hook);
        self
    }

    /// The engine handle the bot answers from.
    pub fn engine(&self) -> Arc<ArcSwap<Engine>> {
        self.engine.clone()
    }

    pub fn store(&self) -> &FactStore {
        &self.store
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn unanswered_log(&self) -> &UnansweredLog {
        &self.unanswered
    }

    /// The usage counters every answer is counted in (see [`super::usage`]).
    pub fn usage_log(&self) -> &UsageLog {
        &self.usage
    }

    fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    fn lock(&self) -> WriterGuard<'_> {
        // A panic in another writer leaves no half-done state behind (files are replaced
        // atomically), so a poisoned lock is safe to take over.
        let state = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .and_then(|f| f.lock().map(|()| f));
        let file = match file {
            Ok(f) => Some(f),
            Err(e) => {
                // Still serialised within this process; say so rather than fail the edit.
                tracing::warn!(path = %self.lock_path.display(), error = %e,
                    "could not take the cross-process writer lock");
                None
            }
        };
        WriterGuard { state, _file: file }
    }

    // ----- reads -------------------------------------------------------------------------

    /// A fact's file with its version (what `/fact edit` fills the form with).
    pub fn show(&self, id: &str) -> Result<FactView, ModerationError> {
        let stored = self.read(id)?;
        let draft = FactDraft::from_toml(&stored.text)?;
        Ok(FactView {
            id: stored.id,
            path: self.store.relative(&stored.path).display().to_string(),
            version: stored.version,
            served: draft.retired.is_none(),
            text: stored.text,
            draft,
        })
    }

    /// Facts of the serving fact base, optionally of one dispute and/or containing a text.
    pub fn list(&self, dispute: Option<&str>, search: Option<&str>) -> Vec<FactSummary> {
        let engine = self.engine.load();
        let needle = search.map(plain).filter(|s| !s.is_empty());
        engine
            .knowledge()
            .facts
            .iter()
            .filter(|f| dispute.is_none_or(|d| f.dispute == d))
            .filter(|f| {
                needle.as_ref().is_none_or(|n| {
                    std::iter::once(&f.id)
                        .chain(std::iter::once(&f.answer))
                        .chain(f.phrasings.iter())
                        .chain(f.keywords.iter())
                        .any(|t| plain(t).contains(n.as_str()))
                })
            })
            .map(|f| FactSummary {
                id: f.id.clone(),
                dispute: f.dispute.clone(),
                as_of: f.as_of_text(),
                served: f.is_served(),
                answer: f.answer.clone(),
            })
            .collect()
    }

    /// Who changed a fact, when, with the before/after; oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<AuditEntry>, ModerationError> {
        Ok(self.audit.history(id)?)
    }

    /// Sources whose id, publisher or headline contains `partial` (for autocomplete).
    pub fn sources(&self, partial: &str, limit: usize) -> Vec<SourceSummary> {
        let engine = self.engine.load();
        let needle = partial.to_lowercase();
        engine
            .knowledge()
            .sources
            .values()
            .filter(|s| {
                needle.is_empty()
                    || s.id.to_lowercase().contains(&needle)
                    || s.publisher.to_lowercase().contains(&needle)
                    || s.headline
                        .as_deref()
                        .is_some_and(|h| h.to_lowercase().contains(&needle))
            })
            .take(limit)
            .map(|s| SourceSummary {
                id: s.id.clone(),
                label: match &s.headline {
                    Some(h) => format!("{}: {} ({}, {})", s.id, h, s.publisher, s.date),
                    None => format!("{} ({}, {})", s.id, s.publisher, s.date),
                },
            })
            .collect()
    }

    /// A served fact's file and draft, for a change based on `base_version`.
    fn served_draft(
        &self,
        id: &str,
        base_version: Option<&str>,
    ) -> Result<(super::store::StoredFact, FactDraft), ModerationError> {
        let stored = self.read(id)?;
        self.check_version(&stored, base_version)?;
        let draft = FactDraft::from_toml(&stored.text)?;
        if draft.retired.is_some() {
            return Err(ModerationError::Retired(id.to_string()));
        }
        Ok((stored, draft))
    }

    fn read(&self, id: &str) -> Result<super::store::StoredFact, ModerationError> {
        match self.store.read(id) {
            Err(StoreError::NotFound(id)) => Err(ModerationError::NotFound(id)),
            other => Ok(other?),
        }
    }

    // ----- changes -----------------------------------------------------------------------

    /// Adds a new fact (written to `facts/<dispute>/<id>.toml`). Missing id and keywords are
    /// suggested from the phrasings (see [`FactDraft::complete`]).
    pub fn add(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        mut draft: FactDraft,
        confirm: bool,
    ) -> Result<Change, ModerationError> {
        draft.complete(self.engine.load().matcher().lexicon());
        draft.retired = None;
        // Prepared again when another change of the file came first (see `commit`).
        loop {
            let state = self.lock();
            if let Some(path) = self.store.find(&draft.id)? {
                return Err(ModerationError::Exists {
                    id: draft.id,
                    path: self.store.relative(&path).display().to_string(),
                });
            }
            let path = self.store.new_fact_path(&draft.dispute, &draft.id)?;
            let text = draft.to_toml();
            drop(state);
            if let Some(change) = self.commit(
                actor,
                guild,
                Action::Add,
                &draft.id,
                &path,
                None,
                text,
                confirm,
                None,
            )? {
                return Ok(change);
            }
        }
    }

    /// Replaces a fact with a new text, if `base_version` is still its version.
    pub fn edit(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        id: &str,
        base_version: &str,
        mut draft: FactDraft,
        confirm: bool,
    ) -> Result<Change, ModerationError> {
        draft.complete(self.engine.load().matcher().lexicon());
        if draft.id.is_empty() {
            draft.id = id.to_string();
        }
        if draft.id != id {
            return Err(ModerationError::IdChanged {
                id: id.to_string(),
                given: draft.id,
            });
        }
        // Prepared again when another change of the file came first (see `commit`).
        loop {
            let state = self.lock();
            let stored = self.read(id)?;
            self.check_version(&stored, Some(base_version))?;
            // Retiring and un-retiring have their own operations, which record why; a retired fact
            // is not served, so an edit of it would go live unseen on its restore.
            let current = FactDraft::from_toml(&stored.text)?;
            if current.retired.is_some() {
                return Err(ModerationError::Retired(id.to_string()));
            }
            draft.retired = None;
            let text = draft.to_toml();
            if text == stored.text {
                return Err(ModerationError::Unchanged(id.to_string()));
            }
            drop(state);
            if let Some(change) = self.commit(
                actor,
                guild,
                Action::Edit,
                id,
                &stored.path,
                Some(stored.text),
                text,
                confirm,
                None,
            )? {
                return Ok(change);
            }
        }
    }

    /// Stops serving a fact; it stays in its file and in history.
    pub fn retire(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        id: &str,
        reason: &str,
        base_version: Option<&str>,
        confirm: bool,
    ) -> Result<Change, ModerationError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ModerationError::NoReason);
        }
        // Prepared again when another change of the file came first (see `commit`).
        loop {
            let state = self.lock();
            let (stored, mut draft) = self.served_draft(id, base_version)?;
            draft.retired = Some(Retirement {
                reason: reason.to_string(),
                at: now_rfc3339(),
                by: actor.name.clone(),
            });
            drop(state);
            if let Some(change) = self.commit(
                actor,
                guild,
                Action::Retire,
                id,
                &stored.path,
                Some(stored.text),
                draft.to_toml(),
                confirm,
                Some(reason.to_string()),
            )? {
                return Ok(change);
            }
        }
    }

    /// Teaches the bot another way to ask for a fact.
    pub fn alias(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        id: &str,
        phrasing: &str,
        base_version: Option<&str>,
        confirm: bool,
    ) -> Result<Change, ModerationError> {
        let phrasing = phrasing.split_whitespace().collect::<Vec<_>>().join(" ");
        if plain(&phrasing).trim().is_empty() {
            return Err(ModerationError::EmptyPhrasing);
        }
        // Prepared again when another change of the file came first (see `commit`).
        loop {
            let state = self.lock();
            let (stored, mut draft) = self.served_draft(id, base_version)?;
            let key = plain(&phrasing);
            if draft.phrasings.iter().any(|p| plain(p) == key) {
                return Err(ModerationError::DuplicatePhrasing(phrasing, id.to_string()));
            }
            draft.phrasings.push(phrasing.clone());
            drop(state);
            if let Some(change) = self.commit(
                actor,
                guild,
                Action::Alias,
                id,
                &stored.path,
                Some(stored.text),
                draft.to_toml(),
                confirm,
                Some(phrasing.clone()),
            )? {
                return Ok(change);
            }
        }
    }

    /// Restores the version before the last change not yet undone (so repeated undos walk back
    /// through history). Undoing an add retires the fact: nothing is ever deleted. Like an edit,
    /// it names the version it undoes: if someone changed the fact since, it is refused as stale
    /// rather than undoing their change instead.
    pub fn undo(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        id: &str,
        base_version: &str,
        confirm: bool,
    ) -> Result<Change, ModerationError> {
        // Prepared again when another change of the file came first (see `commit`).
        loop {
            let state = self.lock();
            let stored = self.read(id)?;
            self.check_version(&stored, Some(base_version))?;
            let history = self.audit.history(id)?;
            // The file must be what the log last wrote, or undo would discard someone's hand edit.
            let last = history.last().cloned();
            match &last {
                Some(e) if e.after.as_deref().map(version_of) == Some(stored.version.clone()) => {}
                Some(_) => {
                    return Err(ModerationError::Stale {
                        id: id.to_string(),
                        changed: ChangedBy::Outside,
                        current_version: stored.version,
                    })
                }
                None => return Err(ModerationError::NothingToUndo(id.to_string())),
            }
            let mut stack: Vec<AuditEntry> = Vec::new();
            for e in history {
                if e.action == Action::Undo {
                    stack.pop();
                } else {
                    stack.push(e);
                }
            }
            let target = stack
                .pop()
                .ok_or_else(|| ModerationError::NothingToUndo(id.to_string()))?;
            let (text, note) = match &target.before {
                Some(before) => (
                    before.clone(),
                    format!(
                        "undo of {} #{} by {}",
                        target.action, target.seq, target.actor
                    ),
                ),
                None => {
                    let mut draft = FactDraft::from_toml(&stored.text)?;
                    let reason = format!("undo of add #{} by {}", target.seq, target.actor);
                    draft.retired = Some(Retirement {
                        reason: reason.clone(),
                        at: now_rfc3339(),
                        by: actor.name.clone(),
                    });
                    (draft.to_toml(), reason)
                }
            };
            drop(state);
            if let Some(change) = self.commit(
                actor,
                guild,
                Action::Undo,
                id,
                &stored.path,
                Some(stored.text),
                text,
                confirm,
                Some(note),
            )? {
                return Ok(change);
            }
        }
    }

    /// Appends a source to `sources.toml` and keeps its text as `sources/<id>.txt`, validated:
    /// unique id, date format, http(s) URL, a text within limits.
    pub fn add_source(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        source: SourceDraft,
    ) -> Result<AuditEntry, ModerationError> {
        let source = clean_source(source)?;
        let _state = self.lock();
        let path = self.store.sources_path();
        let before = fs::read_to_string(&path).map_err(|source| StoreError::Io {
            what: "read",
            path: path.clone(),
            source,
        })?;
        if source_ids(&before).contains(&source.id) {
            return Err(ModerationError::BadSource(format!(
                "a source with id {:?} already exists",
                source.id
            )));
        }
        let mut after = before.clone();
        if !after.ends_with('\n') {
            after.push('\n');
        }
        after.push('\n');
        after.push_str(&render_source(&source));
        self.check_sources_file(&after)?;
        let text_file = text_path(self.store.root(), &source.id);
        self.write_ahead(
            NewEntry {
                actor: actor.name.clone(),
                actor_id: actor.id,
                guild,
                action: Action::SourceAdd,
                fact_id: source.id.clone(),
                path: "sources.toml".into(),
                before: None,
                after: Some(render_source(&source)),
                note: None,
            },
            // The text first: a crash before the block leaves only an unreferenced text file.
            || {
                self.store.write(&text_file, &source.text)?;
                self.store.write(&path, &after)
            },
            || self.store.write(&path, &before),
        )
        .inspect(|entry| {
            let text_rel = self.store.relative(&text_file);
            self.record_in_git(entry, &[Path::new("sources.toml"), &text_rel]);
        })
    }

    /// Commits a change's files to git when the fact base is in a work tree; returns what the
    /// moderator should know (a failed commit does not undo the change: the audit log has it).
    fn record_in_git(&self, entry: &AuditEntry, paths: &[&Path]) -> Option<String> {
        let git = self.git.as_ref()?;
        match git.commit(entry, paths) {
            Ok(hash) => {
                tracing::info!(seq = entry.seq, commit = %hash, "change committed to git");
                None
            }
            Err(e) => {
                tracing::warn!(seq = entry.seq, "the change is saved but not in git: {e}");
                Some(format!("saved, but not committed to git: {e}"))
            }
        }
    }

    /// The same loader as everything else must accept a new `sources.toml`.
    fn check_sources_file(&self, after: &str) -> Result<(), ModerationError> {
        let mut snapshot = Snapshot::read(self.store.root()).map_err(ModerationError::Scratch)?;
        snapshot
            .files
            .insert(PathBuf::from("sources.toml"), after.to_string());
        let scratch = tempfile::tempdir().map_err(ModerationError::Scratch)?;
        snapshot
            .write_to(scratch.path())
            .map_err(ModerationError::Scratch)?;
        match KnowledgeBase::load(scratch.path()) {
            Ok(_) => Ok(()),
            Err(e) => Err(ModerationError::Invalid {
                problems: describe(&e.problems, scratch.path()),
            }),
        }
    }

    /// Reloads the fact base from disk (after hand edits); on problems the serving engine stays
    /// and the problems are logged and returned.
    pub fn reload_from_disk(&self) -> Result<bool, LoadError> {
        let mut state = self.lock();
        let root = self.store.root().to_path_buf();
        let fingerprint = Snapshot::read(&root).ok().map(|s| s.fingerprint());
        if fingerprint.is_some() && fingerprint == state.serving {
            // Our own write, already serving.
            return Ok(false);
        }
        match Engine::load(&root) {
            Ok(engine) => {
                self.engine.store(Arc::new(engine));
                state.serving = fingerprint;
                tracing::info!(dir = %root.display(), "fact base reloaded");
                Ok(true)
            }
            Err(e) => {
                for p in &e.problems {
                    tracing::error!("{p}");
                }
                tracing::error!(
                    dir = %root.display(),
                    problems = e.problems.len(),
                    "hand edit rejected: still serving the last good fact base"
                );
                Err(e)
            }
        }
    }

    // ----- unanswered questions --------------------------------------------------------

    /// Answers from the serving engine, counts the reply in the usage figures, and records the
    /// question if it was declined for lack of a fact (not for being empty, too long or an
    /// instruction).
    pub fn ask(&self, question: &str, guild: Option<u64>) -> crate::Answer {
        let answer = self.engine.load().ask(question, self.today());
        self.record_reply(self.today(), question, guild, &answer);
        answer
    }

    /// Counts a reply given on `day` in the usage figures, and records its question if it was
    /// declined for want of a fact: only those are worth a moderator's time (not empty, too long
    /// or instruction-like ones). The append is small and synchronous so that `/unanswered` sees
    /// the question as soon as its decline was sent.
    pub fn record_reply(
        &self,
        day: NaiveDate,
        question: &str,
        guild: Option<u64>,
        answer: &crate::Answer,
    ) {
        self.usage.record(day, guild, answer);
        if matches!(
            answer.declined,
            Some(crate::Decline::Unknown | crate::Decline::OutsideTime)
        ) {
            if let Err(e) = self.unanswered.record(question, guild) {
                tracing::warn!("could not record an unanswered question: {e}");
            }
        }
    }

    /// The declined questions, grouped, most frequent first (one server's with a guild).
    pub fn unanswered(&self, guild: Option<u64>) -> Result<Vec<UnansweredGroup>, ModerationError> {
        let engine = self.engine.load();
        Ok(self.unanswered.list(&engine.knowledge().lexicon, guild)?)
    }

    /// Takes a group off the unanswered list.
    pub fn dismiss_unanswered(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        group_id: &str,
    ) -> Result<UnansweredGroup, ModerationError> {
        let engine = self.engine.load();
        Ok(self.unanswered.dismiss(
            &engine.knowledge().lexicon,
            &actor.name,
            guild,
            group_id,
            "dismissed",
        )?)
    }

    /// Adds a group's most asked wording as a phrasing of fact `id`, then takes the group off.
    pub fn unanswered_to_alias(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        group_id: &str,
        id: &str,
        confirm: bool,
    ) -> Result<Change, ModerationError> {
        let lexicon = self.engine.load().knowledge().lexicon.clone();
        let group = self.unanswered.find(&lexicon, guild, group_id)?;
        let change = self.alias(actor, guild, id, &group.question, None, confirm)?;
        let lexicon = &change.engine.knowledge().lexicon;
        if let Err(e) = self.unanswered.dismiss(
            lexicon,
            &actor.name,
            guild,
            group_id,
            &format!("alias of {id}"),
        ) {
            tracing::warn!("alias added but the group stays listed: {e}");
        }
        Ok(change)
    }

    /// The start of a new fact from a group: its wordings as phrasings. The group stays listed
    /// until the fact is added (then dismiss it, or it drops off once the questions are answered
    /// and dismissed).
    pub fn unanswered_to_draft(
        &self,
        guild: Option<u64>,
        group_id: &str,
    ) -> Result<FactDraft, ModerationError> {
        let engine = self.engine.load();
        let group = self
            .unanswered
            .find(&engine.knowledge().lexicon, guild, group_id)?;
        let mut seen = HashSet::new();
        let phrasings = group
            .questions
            .iter()
            .map(|(q, _)| q.trim().to_string())
            .filter(|q| seen.insert(plain(q)))
            .take(6)
            .collect();
        Ok(FactDraft {
            phrasings,
            ..FactDraft::default()
        })
    }

    // ----- the one write path ------------------------------------------------------------

    /// Refuses an edit based on another version than the file has now.
    fn check_version(
        &self,
        stored: &super::store::StoredFact,
        base: Option<&str>,
    ) -> Result<(), ModerationError> {
        let Some(base) = base.map(str::trim) else {
            return Ok(());
        };
        if stored.version == base {
            return Ok(());
        }
        let changed = match self.audit.last_for(&stored.id)? {
            Some(e)
                if e.action != Action::Found
                    && e.after.as_deref().map(version_of) == Some(stored.version.clone()) =>
            {
                ChangedBy::Moderator {
                    actor: e.actor,
                    at: e.at,
                }
            }
            _ => ChangedBy::Outside,
        };
        Err(ModerationError::Stale {
            id: stored.id.clone(),
            changed,
            current_version: stored.version.clone(),
        })
    }

    /// The three steps of every change (see [`super::audit`]): the intent in the log, the files,
    /// the commit mark. A failed write abandons the intent; a failed mark puts the files back
    /// (`revert`) and abandons it, so the log and the files agree whatever fails. A crash between
    /// steps leaves an unmarked intent for [`reconcile`] to settle.
    fn write_ahead(
        &self,
        new: NewEntry,
        write: impl FnOnce() -> Result<(), StoreError>,
        revert: impl FnOnce() -> Result<(), StoreError>,
    ) -> Result<AuditEntry, ModerationError> {
        let entry = self.audit.begin(new)?;
        self.store.reached(Step::Intended);
        if let Err(e) = write() {
            self.abandon(entry.seq, &e.to_string());
            return Err(e.into());
        }
        self.store.reached(Step::Written);
        if let Err(e) = self.audit.settle(entry.seq, Settled::Commit, None) {
            if let Err(r) = revert() {
                // The intent stays unmarked: the next start settles it by the file.
                tracing::error!(seq = entry.seq, "could not roll back a change: {r}");
                return Err(e.into());
            }
            self.abandon(entry.seq, &e.to_string());
            return Err(e.into());
        }
        self.store.reached(Step::Committed);
        Ok(entry)
    }

    /// Marks an intent abandoned; if even that fails, the next start settles it by the file.
    fn abandon(&self, seq: u64, why: &str) {
        if let Err(e) = self
            .audit
            .settle(seq, Settled::Abandon, Some(why.to_string()))
        {
            tracing::error!(seq, "could not mark a failed change abandoned: {e}");
        }
    }

    /// Validates, writes, records and swaps in the new engine. Called without the writer lock:
    /// the validation (the matcher, the question set) runs unlocked, on the fact base as it is
    /// now; the lock is held to see that nothing changed meanwhile and to write. If another
    /// change of the same file came first, `None`: the operation is prepared again from the
    /// file as it is now; one of another file is validated again, under the lock, on the base
    /// that change made.
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        actor: &Actor,
        guild: Option<u64>,
        action: Action,
        id: &str,
        path: &Path,
        before: Option<String>,
        after: String,
        confirm: bool,
        note: Option<String>,
    ) -> Result<Option<Change>, ModerationError> {
        let Some((mut state, mut validated)) =
            self.validate_to_write(id, path, before.as_deref(), &after, confirm)?
        else {
            return Ok(None);
        };
        let rel = self.store.relative(path).display().to_string();
        let new = NewEntry {
            actor: actor.name.clone(),
            actor_id: actor.id,
            guild,
            action,
            fact_id: id.to_string(),
            path: rel.clone(),
            before: before.clone(),
            after: Some(after.clone()),
            note,
        };
        let entry = self.write_fact(new, path, before.as_deref(), &after)?;
        let mut notes = std::mem::take(&mut validated.notes);
        notes.extend(self.record_in_git(&entry, &[Path::new(&rel)]));
        let engine = self.install(&mut state, validated);
        tracing::info!(
            actor = %actor.name, guild = ?guild, fact = id, %action, seq = entry.seq,
            "fact changed"
        );
        Ok(Some(Change {
            id: id.to_string(),
            action,
            version: version_of(&after),
            path: rel,
            entry,
            engine,
            notes,
        }))
    }

    /// The first half of [`Moderation::commit`]: the change validated unlocked, then the lock
    /// taken and the validation kept, or done again on the base as it is now. `None` when this
    /// fact's file changed meanwhile.
    fn validate_to_write(
        &self,
        id: &str,
        path: &Path,
        before: Option<&str>,
        after: &str,
        confirm: bool,
    ) -> Result<Option<(WriterGuard<'_>, Validated)>, ModerationError> {
        // The caches (fingerprint served, question-set score) as of now, updated unlocked.
        let mut cache = (*self.lock()).clone();
        let validated = self.validate(&mut cache, id, path, before, after, confirm);
        let mut state = self.lock();
        if fs::read_to_string(path).ok().as_deref() != before {
            // Another change of this fact came first: the operation is prepared again from
            // the file as it is now (an edit based on the old version is then stale).
            return Ok(None);
        }
        let validated = match validated {
            Ok(v) if state.serving.as_deref() == Some(v.base.as_str()) => v,
            // The base changed under the validation (or it failed on a base that is no longer
            // there): what counts is the base as it is now.
            _ if state.serving != cache.serving => {
                self.validate(&mut state, id, path, before, after, confirm)?
            }
            Ok(v) => v,
            Err(e) => return Err(e),
        };
        Ok(Some((state, validated)))
    }

    /// Writes a fact file by [`Moderation::write_ahead`]: `after` in its place, and if the commit
    /// mark fails, the file as it was (`before`), or none for a new fact.
    fn write_fact(
        &self,
        new: NewEntry,
        path: &Path,
        before: Option<&str>,
        after: &str,
    ) -> Result<AuditEntry, ModerationError> {
        self.write_ahead(
            new,
            || self.store.write(path, after),
            || match before {
                Some(text) => self.store.write(path, text),
                None => fs::remove_file(path).map_err(|source| StoreError::Io {
                    what: "remove",
                    path: path.to_path_buf(),
                    source,
                }),
            },
        )
    }

    /// Serves a written change's engine, and keeps what its validation learnt of the new base
    /// (its fingerprint, `check` errors and question-set score) for the next change to start
    /// from; returns the engine.
    fn install(&self, state: &mut WriterState, validated: Validated) -> Arc<Engine> {
        let engine = Arc::new(validated.engine);
        self.engine.store(engine.clone());
        state.serving = Some(validated.fingerprint.clone());
        let today = self.today();
        if let Some(problems) = validated.problems {
            state.known_problems = Some((validated.fingerprint.clone(), today, problems));
        }
        if let Some(score) = validated.score {
            state.baseline = Some((validated.fingerprint, today, score));
        }
        engine
    }

    /// Every rule, on the fact base as it would be after the change; writes nothing.
    fn validate(
        &self,
        state: &mut WriterState,
        id: &str,
        path: &Path,
        before: Option<&str>,
        after: &str,
        confirm: bool,
    ) -> Result<Validated, ModerationError> {
        let root = self.store.root();
        let today = self.today();
        // 0. Sizes and characters, before anything indexes the text.
        let draft = FactDraft::from_toml(after)?;
        let bounded = limits::problems(&draft);
        if !bounded.is_empty() {
            return Err(ModerationError::Invalid { problems: bounded });
        }
        // 1. The file on its own (fields, lengths, dates, id = file name).
        let fact = parse_fact(path, after).map_err(|problems| ModerationError::Invalid {
            problems: describe(&problems, root),
        })?;
        // 2. New phrasings must not already lead to another fact.
        let to_confirm = self.phrasings_elsewhere(id, &fact, before, today);
        // Refused before the costly checks; with confirm it goes on to them.
        if !to_confirm.is_empty() && !confirm {
            return Err(ModerationError::NeedsConfirm {
                reasons: to_confirm,
            });
        }
        let mut snapshot = Snapshot::read(root).map_err(ModerationError::Scratch)?;
        let base = snapshot.fingerprint();
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        snapshot.set(rel, after);
        let change = Checked {
            id,
            draft: &draft,
            base,
            fingerprint: snapshot.fingerprint(),
            to_confirm,
            confirm,
        };
        // 3 and 4 on what the change can reach, when the files are what the engine serves.
        let serving = self.engine.load_full();
        if state.serving.as_deref() == Some(change.base.as_str()) {
            let before = self.baseline(state, &change.base, &serving, today);
            let reached = self.validate_reached(&serving, id, path, after, before.as_ref())?;
            let mut to_confirm = change.to_confirm;
            to_confirm.extend(reached.to_confirm);
            return Ok(Validated {
                engine: reached.engine,
                base: change.base,
                fingerprint: change.fingerprint,
                score: reached.score,
                problems: None,
                notes: confirmed(to_confirm, confirm)?,
            });
        }
        self.validate_whole(state, &snapshot, change)
    }

    /// The moderator's confirmations that the draft's new phrasings call for: each one that the
    /// serving engine already answers with another fact.
    fn phrasings_elsewhere(
        &self,
        id: &str,
        fact: &crate::model::Fact,
        before: Option<&str>,
        today: NaiveDate,
    ) -> Vec<String> {
        if !fact.is_served() {
            return Vec::new();
        }
        let old: HashSet<String> = before
            .and_then(|b| FactDraft::from_toml(b).ok())
            // A retired fact's phrasings were its own: un-retiring it adds nothing new.
            .map(|d| d.phrasings.iter().map(|p| plain(p)).collect())
            .unwrap_or_default();
        let serving = self.engine.load();
        let mut to_confirm = Vec::new();
        for p in fact.phrasings.iter().filter(|p| !old.contains(&plain(p))) {
            let a = serving.ask(p, today);
            let elsewhere = a.answered
                && !a.facts.iter().any(|f| f.id == id)
                && !a.facts.iter().any(|f| f.id.starts_with("timeline:"));
            if let (true, Some(other)) = (elsewhere, a.facts.first()) {
                to_confirm.push(format!(
                    "the phrasing {p:?} already leads to fact {:?} (confidence {:.2})",
                    other.id, other.confidence
                ));
            }
        }
        to_confirm
    }

    /// Steps 3 and 4 on the whole fact base with the change (`snapshot`), loaded and checked
    /// in a scratch copy: when the files are not what the engine serves.
    fn validate_whole(
        &self,
        state: &mut WriterState,
        snapshot: &Snapshot,
        change: Checked,
    ) -> Result<Validated, ModerationError> {
        let (root, today) = (self.store.root(), self.today());
        let scratch = tempfile::tempdir().map_err(ModerationError::Scratch)?;
        snapshot
            .write_to(scratch.path())
            .map_err(ModerationError::Scratch)?;
        let kb = KnowledgeBase::load(scratch.path()).map_err(|e| ModerationError::Invalid {
            problems: describe(&e.problems, scratch.path()),
        })?;
        // Every excerpt in the text of a source the fact cites (the sources exist: loaded).
        let unverified = unverified_excerpts(root, change.draft)?;
        if !unverified.is_empty() {
            return Err(ModerationError::Invalid {
                problems: unverified,
            });
        }
        // Built once: checked here, then served from the real folder.
        let engine = Engine::new(kb);
        let problems = self.problems_of_change(state, &engine, scratch.path(), &change.base)?;
        // The served engine must point at the real files.
        let engine = engine.moved(scratch.path(), root);
        // 4. The project's question set must not get worse.
        let mut to_confirm = change.to_confirm;
        let score = if self.questions.is_empty() {
            None
        } else {
            let before_score = self.whole_baseline(state, &change.base, today)?;
            let after_score = Score::of(&eval::run(&engine, &self.questions, today));
            to_confirm.extend(self.worse_reason(&before_score, &after_score, change.id));
            Some(after_score)
        };
        Ok(Validated {
            engine,
            base: change.base,
            fingerprint: change.fingerprint,
            score,
            problems: Some(problems),
            notes: confirmed(to_confirm, change.confirm)?,
        })
    }

    /// Every `check` error of the changed fact base (built in `scratch`), or the errors it adds
    /// to the base (fingerprint `base`): only what this change breaks counts, since a base that
    /// already fails a rule (a hand edit, a tuning in progress) must not block every moderator.
    fn problems_of_change(
        &self,
        state: &mut WriterState,
        engine: &Engine,
        scratch: &Path,
        base: &str,
    ) -> Result<HashSet<ProblemKey>, ModerationError> {
        let (root, today) = (self.store.root(), self.today());
        let problems: Vec<Problem> = check_engine(engine, today)
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        let problem_keys: HashSet<ProblemKey> = problems.iter().map(|p| key(p, scratch)).collect();
        if problems.is_empty() {
            return Ok(problem_keys);
        }
        let known = match &state.known_problems {
            Some((f, d, k)) if f == base && *d == today => k.clone(),
            _ => {
                let kb = KnowledgeBase::load(root).map_err(ModerationError::BaseBroken)?;
                let k: HashSet<ProblemKey> = check_loaded(&kb, today)
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .map(|p| key(p, root))
                    .collect();
                state.known_problems = Some((base.to_string(), today, k.clone()));
                k
            }
        };
        let new: Vec<Problem> = problems
            .into_iter()
            .filter(|p| !known.contains(&key(p, scratch)))
            .collect();
        if !new.is_empty() {
            return Err(ModerationError::Invalid {
                problems: describe(&new, scratch),
            });
        }
        Ok(problem_keys)
    }

    /// The question set's score on the fact base on disk (fingerprint `base`), from the
    /// writer's cache or asked now on a fresh load.
    fn whole_baseline(
        &self,
        state: &mut WriterState,
        base: &str,
        today: NaiveDate,
    ) -> Result<Score, ModerationError> {
        if let Some((f, d, s)) = &state.baseline {
            if f == base && *d == today {
                return Ok(s.clone());
            }
        }
        let engine = Engine::load(self.store.root()).map_err(ModerationError::BaseBroken)?;
        let s = Score::of(&eval::run(&engine, &self.questions, today));
        state.baseline = Some((base.to_string(), today, s.clone()));
        Ok(s)
    }

    /// The question set's score on the serving engine (whose fact base has fingerprint `base`),
    /// from the writer's cache or asked now; `None` without a question set.
    fn baseline(
        &self,
        state: &mut WriterState,
        base: &str,
        serving: &Engine,
        today: NaiveDate,
    ) -> Option<Score> {
        if self.questions.is_empty() {
            return None;
        }
        match &state.baseline {
            Some((f, d, s)) if f == base && *d == today => Some(s.clone()),
            _ => {
                let s = Score::of(&eval::run(serving, &self.questions, today));
                state.baseline = Some((base.to_string(), today, s.clone()));
                Some(s)
            }
        }
    }
}

/// The notes of a change that needed confirming, or the refusal when it was not confirmed.
fn confirmed(to_confirm: Vec<String>, confirm: bool) -> Result<Vec<String>, ModerationError> {
    if to_confirm.is_empty() {
        return Ok(Vec::new());
    }
    if !confirm {
        return Err(ModerationError::NeedsConfirm {
            reasons: to_confirm,
        });
    }
    Ok(to_confirm
        .into_iter()
        .map(|r| format!("confirmed: {r}"))
        .collect())
}

/// Why a draft's excerpts are not verified: a cited source with no text in the fact base, or an
/// excerpt found in the text of none of its sources. Empty when every excerpt is verified.
fn unverified_excerpts(root: &Path, draft: &FactDraft) -> Result<Vec<String>, ModerationError> {
    let texts = SourceTexts::load(root).map_err(ModerationError::Scratch)?;
    let mut out: Vec<String> = draft
        .sources
        .iter()
        .filter(|s| !texts.has(s))
        .map(|s| {
            format!(
                "source {s:?} has no text in the fact base, so its excerpts cannot be checked: \
                 add the source again with its text (/source add)"
            )
        })
        .collect();
    if out.is_empty() {
        out.extend(
            texts
                .unsupported(&draft.sources, &draft.excerpts)
                .into_iter()
                .map(|e| {
                    format!(
                        "excerpt not found in the text of {}: {e:?} (copy it verbatim from the source)",
                        draft.sources.join(", ")
                    )
                }),
        );
    }
    Ok(out)
}

/// Earlier versions kept the audit log in the data folder: a fact base without a log of its own
/// takes that history over (copied; the old file stays), so history and undo keep working.
fn adopt_old_audit_log(data: &Path, audit: &AuditLog) {
    let old = data.join("audit.jsonl");
    if audit.path().exists() || !old.is_file() {
        return;
    }
    match fs::copy(&old, audit.path()) {
        Ok(_) => tracing::info!(from = %old.display(), to = %audit.path().display(),
            "moved the audit log beside the facts"),
        Err(e) => tracing::warn!(from = %old.display(), "could not adopt the old audit log: {e}"),
    }
}

/// A problem as a moderator reads it: the path relative to `knowledge/`.
fn describe(problems: &[Problem], root: &Path) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let rel = p.path.strip_prefix(root).unwrap_or(&p.path);
            let tag = if p.severity == Severity::Warning {
                "warning: "
            } else {
                ""
            };
            format!("{}:{}: {tag}{}", rel.display(), p.line, p.message)
        })
        .collect()
}

/// A problem's identity: its file relative to the root, and the first quoted text of its message
/// (for matcher problems, the phrasing), so "leads to X (confidence 0.76)" and the same phrasing
/// at 0.75 after an unrelated edit are one problem.
fn key(p: &Problem, root: &Path) -> ProblemKey {
    let rel = p.path.strip_prefix(root).unwrap_or(&p.path);
    let subject = p
        .message
        .split('"')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| p.message.clone());
    (rel.display().to_string(), subject)
}

fn clean_source(mut s: SourceDraft) -> Result<SourceDraft, ModerationError> {
    let opt = |o: Option<String>| o.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    s.id = s.id.trim().to_string();
    s.publisher = s.publisher.trim().to_string();
    s.date = s.date.trim().to_string();
    s.headline = opt(s.headline);
    s.date_note = opt(s.date_note);
    s.url = opt(s.url);
    s.note = opt(s.note);
    let bad = |m: String| Err(ModerationError::BadSource(m));
    if s.id.is_empty()
        || !s
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return bad(format!(
            "the source id {:?} must be letters, digits, - or _ (like BBC-2016-01)",
            s.id
        ));
    }
    if s.publisher.is_empty() {
        return bad("the publisher is empty".into());
    }
    s.text = s.text.trim().to_string();
    if s.text.is_empty() {
        return bad(
            "the source's text is empty: paste the article, or the passages facts will quote, \
             so that their excerpts can be checked against it"
                .into(),
        );
    }
    if s.text.len() > MAX_SOURCE_TEXT_BYTES {
        return bad(format!(
            "the text is {} bytes; the limit is {MAX_SOURCE_TEXT_BYTES}",
            s.text.len()
        ));
    }
    if let Some(c) = s
        .text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return bad(format!(
            "the text holds a control character (U+{:04X})",
            c as u32
        ));
    }
    if PartialDate::parse(&s.date).is_none() {
        return bad(format!(
            "bad date {:?}: expected YYYY-MM-DD, YYYY-MM or YYYY",
            s.date
        ));
    }
    if let Some(u) = &s.url {
        let scheme_ok = u.starts_with("https://") || u.starts_with("http://");
        let host_ok = u
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
        if !scheme_ok || !host_ok || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad(format!("bad url {u:?}: only http(s) addresses, no spaces"));
        }
    }
    Ok(s)
}

/// The ids already in a `sources.toml` text (read loosely: the file may have other problems).
pub(super) fn source_ids(text: &str) -> HashSet<String> {
    #[derive(serde::Deserialize)]
    struct Ids {
        #[serde(default)]
        source: Vec<IdOnly>,
    }
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: String,
    }
    toml::from_str::<Ids>(text)
        .map(|i| i.source.into_iter().map(|s| s.id).collect())
        .unwrap_or_default()
}

/// A `[[source]]` block in the layout of `sources.toml`.
fn render_source(s: &SourceDraft) -> String {
    let mut out = String::from("[[source]]\n");
    let mut field = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push_str(&format!("{k} = {}\n", quote(v)));
        }
    };
    field("id", &Some(s.id.clone()));
    field("publisher", &Some(s.publisher.clone()));
    field("headline", &s.headline);
    field("date", &Some(s.date.clone()));
    field("date_note", &s.date_note);
    field("url", &s.url);
    field("note", &s.note);
    out
}

/// Whether a fact id is usable (for callers that validate input before opening a form).
pub fn is_valid_fact_id(id: &str) -> bool {
    valid_id(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(rows: &[(&str, Outcome, &[&str])]) -> Score {
        Score {
            outcomes: rows
                .iter()
                .map(|(q, o, facts)| {
                    let facts = facts.iter().map(|f| f.to_string()).collect();
                    (q.to_string(), (*o, facts))
                })
                .collect(),
        }
    }

    #[test]
    fn only_questions_the_changed_fact_touches_count_against_it() {
        let before = score(&[
            ("lost", Outcome::Correct, &["changed"]),
            ("stolen", Outcome::Correct, &["other"]),
            ("drift", Outcome::Correct, &["other"]),
            ("better", Outcome::Declined, &[]),
        ]);
        let after = score(&[
            ("lost", Outcome::Declined, &[]),
            ("stolen", Outcome::Wrong, &["changed"]),
            ("drift", Outcome::Declined, &[]),
            ("better", Outcome::Correct, &["changed"]),
        ]);
        assert_eq!(before.worse_with(&after, "changed"), ["lost", "stolen"]);
    }
}
