//! Reading the fact base from `knowledge/`: TOML files people review in git.
//!
//! Every problem found while reading is reported as `path:line: message`, so a reviewer can jump
//! to it; one broken file never hides the problems of another. Semantic rules that need the whole
//! fact base (duplicate ids, unknown source ids) are checked here too, because a fact base that
//! breaks them must never be served. Rules that need the matcher live in [`crate::check`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::calibration::Calibration;
use crate::conversation::Conversation;
use crate::cues::IntentWords;
use crate::lexicon::Lexicon;
use crate::model::{
    Dispute, Fact, PartialDate, Precision, Retirement, Source, StrikePeriod, StrikeStatus,
};
use crate::now::NowWords;
use crate::overview::Overview;
use crate::screen::Screener;
use crate::timeline::TimelineWords;

/// Longest answer: one Discord message with room for the source line.
pub const MAX_ANSWER_CHARS: usize = 600;
/// Longest excerpt: short enough to be a quotation, not a copy.
pub const MAX_EXCERPT_CHARS: usize = 300;
/// Largest file read from `knowledge/` (the biggest, `sources.toml`, is about 25 KB): a device or
/// a runaway file linked in must not be read until memory runs out.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Longest phrasing, keyword or not-phrasing, in characters: the matcher's indexes grow with the
/// square of a word's length, so a 40,000-character keyword must be refused, not indexed.
pub const MAX_PHRASE_CHARS: usize = 300;
/// Longest word in a phrasing or keyword (the longest real one is 18 characters).
pub const MAX_WORD_CHARS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One thing wrong with the fact base, at a place a person can open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Warning => "warning: ",
            Severity::Error => "",
        };
        write!(
            f,
            "{}:{}: {tag}{}",
            self.path.display(),
            self.line,
            self.message
        )
    }
}

/// The fact base could not be read; every problem is listed.
#[derive(Debug, thiserror::Error)]
#[error("the fact base in {dir} has {} problem(s):\n{}", problems.len(), list(problems))]
pub struct LoadError {
    pub dir: PathBuf,
    pub problems: Vec<Problem>,
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The matcher's tunables, in `knowledge/matcher.toml` so that a refit shows up in review.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatcherSettings {
    /// Below this confidence the bot declines.
    pub threshold: f32,
    /// Other disputes are answered too when their best match is within this share of the top.
    #[serde(default = "default_dispute_margin")]
    pub dispute_margin: f32,
    /// A word no fact uses weighs this share of the rarest word's weight: high enough that
    /// off-topic words sink a match, low enough that a stray slang word does not.
    #[serde(default = "default_unknown_share")]
    pub unknown_share: f32,
    /// A word found only in a fact's answer text counts this much (phrasings and keywords: 1).
    #[serde(default = "default_answer_weight")]
    pub answer_weight: f32,
    /// Share of the confidence that is coverage; the rest is similarity to the closest phrasing.
    #[serde(default = "default_coverage_weight")]
    pub coverage_weight: f32,
    /// The weights and discounts of the matcher's score (`[scoring]`).
    #[serde(default)]
    pub scoring: crate::matcher::Scoring,
    /// How the engine chooses among close matches (`[choosing]`).
    #[serde(default)]
    pub choosing: crate::engine::Choosing,
    /// The logistic weights, by feature, that turn a match's features into a probability of
    /// being right; fitted by `strikefacts fit` (`src/training.rs`). Absent: the raw
    /// score.
    #[serde(default)]
    pub calibration: Option<Calibration>,
    /// How `strikefacts fit` fits the calibration and threshold.
    #[serde(default)]
    pub fitting: crate::training::Fitting,
    /// How the threshold was obtained (for reviewers).
    #[serde(default)]
    pub fitted: String,
}

fn default_unknown_share() -> f32 {
    0.55
}

fn default_answer_weight() -> f32 {
    0.7
}

fn default_coverage_weight() -> f32 {
    0.7
}

fn default_dispute_margin() -> f32 {
    0.85
}

impl Default for MatcherSettings {
    fn default() -> Self {
        MatcherSettings {
            threshold: 0.6,
            dispute_margin: default_dispute_margin(),
            unknown_share: default_unknown_share(),
            answer_weight: default_answer_weight(),
            coverage_weight: default_coverage_weight(),
            scoring: crate::matcher::Scoring::default(),
            choosing: crate::engine::Choosing::default(),
            calibration: None,
            fitting: crate::training::Fitting::default(),
            fitted: String::new(),
        }
    }
}

/// Everything in `knowledge/`, validated.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    pub root: PathBuf,
    pub disputes: Vec<Dispute>,
    pub sources: BTreeMap<String, Source>,
    pub facts: Vec<Fact>,
    pub timeline: Vec<StrikePeriod>,
    pub lexicon: Lexicon,
    pub settings: MatcherSettings,
    /// The emergency, crisis, instruction and place screens (`screens.toml`).
    pub screener: Screener,
    /// Follow-up references and the introduction (`conversation.toml`).
    pub conversation: Conversation,
    /// The words that make a question ask about now (`now.toml`).
    pub now: NowWords,
    /// The words that say what kind of answer a question asks for (`intents.toml`).
    pub intents: IntentWords,
    /// The words a question about strike dates may use (`timeline-words.toml`).
    pub timeline_words: TimelineWords,
    /// The facts that give an overview and the words that ask for one (`overview.toml`).
    pub overview: Overview,
    /// Words no display question may contain (`slang` of `questions.toml`); `check` applies it.
    pub slang: Vec<String>,
}

impl KnowledgeBase {
    /// Reads and validates the whole fact base.
    pub fn load(dir: &Path) -> Result<KnowledgeBase, LoadError> {
        Ok(KnowledgeBase::load_with(dir, Reader::default())?.0)
    }

    /// [`KnowledgeBase::load`], with a digest of every file it read (their paths under `dir`
    /// and their bytes): two loads with the same digest read the same fact base.
    pub fn load_digested(dir: &Path) -> Result<(KnowledgeBase, ContentDigest), LoadError> {
        let (kb, reader) = KnowledgeBase::load_with(dir, Reader::digesting())?;
        Ok((kb, reader.content_digest(dir)))
    }

    /// The fact base in `dir` read by `reader`, and the reader after (its digests).
    fn load_with(dir: &Path, mut reader: Reader) -> Result<(KnowledgeBase, Reader), LoadError> {
        let kb = reader.read_all(dir);
        if reader
            .problems
            .iter()
            .any(|p| p.severity == Severity::Error)
        {
            return Err(LoadError {
                dir: dir.to_path_buf(),
                problems: reader.problems,
            });
        }
        Ok((kb, reader))
    }

    /// The fact base with the fact file at `path` (under `root`) replaced by `text`, or added,
    /// checked as [`KnowledgeBase::load`] checks it: a moderator's change, without reading and
    /// parsing every other file again. The other files must be as this base read them.
    pub fn with_fact(&self, path: &Path, text: &str) -> Result<KnowledgeBase, LoadError> {
        let mut reader = Reader::default();
        let fact = reader.fact_from_text(path, text);
        let mut kb = self.clone();
        if let Some(mut fact) = fact {
            reader.check_references(path, text, &fact, &kb.disputes, &kb.sources);
            reader.check_unique(path, text, &fact, &kb.facts);
            match kb.facts.iter().find(|f| f.path == path) {
                Some(old) => fact.question.clone_from(&old.question),
                None => {
                    let questions = kb.root.join("questions.toml");
                    reader.read_questions(&questions, std::slice::from_mut(&mut fact));
                }
            }
            // In the order loading reads the files.
            match kb.facts.binary_search_by(|f| f.path.as_path().cmp(path)) {
                Ok(i) => kb.facts[i] = fact,
                Err(i) => kb.facts.insert(i, fact),
            }
        }
        if reader
            .problems
            .iter()
            .any(|p| p.severity == Severity::Error)
        {
            return Err(LoadError {
                dir: self.root.clone(),
                problems: reader.problems,
            });
        }
        Ok(kb)
    }

    pub fn dispute(&self, id: &str) -> Option<&Dispute> {
        self.disputes.iter().find(|d| d.id == id)
    }

    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts.iter().find(|f| f.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    /// The facts that answers may use.
    pub fn served_facts(&self) -> impl Iterator<Item = &Fact> {
        self.facts.iter().filter(|f| f.is_served())
    }
}

/// Parses one fact file's text, as `check` and moderators' edits both need.
pub fn parse_fact(path: &Path, text: &str) -> Result<Fact, Vec<Problem>> {
    let mut reader = Reader::default();
    let fact = reader.fact_from_text(path, text);
    match fact {
        Some(f) if reader.problems.is_empty() => Ok(f),
        _ => Err(reader.problems),
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// One fact file as read and checked on its own (see [`Reader::read_facts`]).
struct FactFile {
    path: PathBuf,
    text: Option<String>,
    fact: Option<Fact>,
    /// Its phrasings made [`crate::lexicon::plain`], to find the same phrasing in two facts.
    plain_phrasings: Vec<String>,
    problems: Vec<Problem>,
    /// Problems with its dispute and sources: not reported for a second fact of the same id.
    reference_problems: Vec<Problem>,
    digests: Vec<(PathBuf, ContentDigest)>,
}

impl FactFile {
    fn read(
        path: PathBuf,
        disputes: &HashSet<String>,
        sources: &BTreeMap<String, Source>,
        digesting: bool,
    ) -> FactFile {
        let mut reader = if digesting {
            Reader::digesting()
        } else {
            Reader::default()
        };
        let mut references = Reader::default();
        let text = reader.read_file(&path);
        let fact = text.as_deref().and_then(|text| {
            let fact = reader.fact_from_text(&path, text)?;
            references.check_reference_sets(&path, text, &fact, disputes, sources);
            Some(fact)
        });
        let plain_phrasings = fact
            .iter()
            .flat_map(|f| &f.phrasings)
            .map(|p| crate::lexicon::plain(p))
            .collect();
        FactFile {
            path,
            text,
            fact,
            plain_phrasings,
            problems: reader.problems,
            reference_problems: references.problems,
            digests: reader.digests.unwrap_or_default(),
        }
    }
}

/// A SHA-256 digest of the files a load read (see [`KnowledgeBase::load_digested`]).
pub type ContentDigest = [u8; 32];

#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
    /// Each file read, with the digest of its bytes; None when not asked for (a plain load
    /// need not hash every byte it reads).
    digests: Option<Vec<(PathBuf, ContentDigest)>>,
}

impl Reader {
    /// A reader that keeps a digest of each file it reads.
    fn digesting() -> Reader {
        Reader {
            digests: Some(Vec::new()),
            ..Reader::default()
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisputes {
    dispute: Vec<Spanned<RawDispute>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDispute {
    id: String,
    label: String,
    start: Spanned<String>,
    end: Spanned<String>,
    #[serde(default)]
    cues: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSources {
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    publisher: Spanned<String>,
    headline: Option<String>,
    date: Spanned<String>,
    date_note: Option<String>,
    url: Option<Spanned<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    id: Spanned<String>,
    dispute: Spanned<String>,
    as_of: Spanned<String>,
    #[serde(default)]
    approximate: bool,
    answer: Spanned<String>,
    sources: Spanned<Vec<Spanned<String>>>,
    excerpts: Spanned<Vec<Spanned<String>>>,
    phrasings: Spanned<Vec<Spanned<String>>>,
    keywords: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    not_phrasings: Vec<Spanned<String>>,
    contested: Option<Spanned<String>>,
    #[serde(default)]
    state: bool,
    review_by: Option<Spanned<String>>,
    retired: Option<Retirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    #[serde(default)]
    slang: Vec<String>,
    #[serde(default)]
    questions: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeline {
    strike: Vec<Spanned<RawStrike>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrike {
    id: Spanned<String>,
    dispute: Spanned<String>,
    start: Spanned<String>,
    end: Spanned<String>,
    /// A strike on separate days: `[start, end]` pairs, in order, end exclusive.
    #[serde(default)]
    spans: Option<Spanned<Vec<(String, String)>>>,
    action: String,
    status: StrikeStatus,
    summary: Spanned<String>,
    sources: Spanned<Vec<Spanned<String>>>,
    excerpts: Spanned<Vec<Spanned<String>>>,
}

impl Reader {
    fn problem(&mut self, path: &Path, text: &str, offset: usize, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            severity: Severity::Error,
            message: message.into(),
        });
    }

    fn read_file(&mut self, path: &Path) -> Option<String> {
        match read_regular(path) {
            Ok(text) => {
                if let Some(digests) = &mut self.digests {
                    digests.push((path.to_path_buf(), Sha256::digest(&text).into()));
                }
                Some(text)
            }
            Err(e) => {
                self.problems.push(Problem {
                    path: path.to_path_buf(),
                    line: 1,
                    severity: Severity::Error,
                    message: format!("cannot read: {e}"),
                });
                None
            }
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self, path: &Path, text: &str) -> Option<T> {
        match toml::from_str::<T>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                let offset = e.span().map(|s| s.start).unwrap_or(0);
                let message = e.message().replace('\n', " ");
                self.problem(path, text, offset, message);
                None
            }
        }
    }

    /// One digest of the files read, in path order, each by its path under `root`.
    fn content_digest(&self, root: &Path) -> ContentDigest {
        let mut files: Vec<(&Path, &ContentDigest)> = self
            .digests
            .iter()
            .flatten()
            .map(|(p, d)| (p.strip_prefix(root).unwrap_or(p), d))
            .collect();
        files.sort();
        let mut all = Sha256::new();
        for (path, digest) in files {
            all.update(path.as_os_str().as_encoded_bytes());
            all.update([0]);
            all.update(digest);
        }
        all.finalize().into()
    }

    fn read_all(&mut self, dir: &Path) -> KnowledgeBase {
        let disputes = self.read_disputes(&dir.join("disputes.toml"));
        let sources = self.read_sources(&dir.join("sources.toml"));
        let lexicon = self.read_parsed(&dir.join("lexicon.toml"), Lexicon::from_toml);
        let settings = self.read_settings::<MatcherSettings>(&dir.join("matcher.toml"));
        let screener = self.read_parsed(&dir.join("screens.toml"), Screener::from_toml);
        let conversation =
            self.read_prepared(&dir.join("conversation.toml"), Conversation::prepared);
        let now = self.read_settings::<NowWords>(&dir.join("now.toml"));
        let intents = self.read_prepared(&dir.join("intents.toml"), IntentWords::prepared);
        let timeline_words = self.read_settings::<TimelineWords>(&dir.join("timeline-words.toml"));
        let overview = self
            .read_settings::<Overview>(&dir.join("overview.toml"))
            .prepared(&lexicon);
        let dispute_ids: HashSet<String> = disputes.iter().map(|d| d.id.clone()).collect();
        let mut facts = self.read_facts(&dir.join("facts"), &dispute_ids, &sources);
        let slang = self.read_questions(&dir.join("questions.toml"), &mut facts);
        let timeline = self.read_timeline(&dir.join("timeline.toml"), &dispute_ids, &sources);
        KnowledgeBase {
            root: dir.to_path_buf(),
            disputes,
            sources,
            facts,
            timeline,
            lexicon,
            settings,
            screener,
            conversation,
            now,
            intents,
            timeline_words,
            overview,
            slang,
        }
    }

    /// A settings file, or the defaults when it is missing or does not parse (a problem then):
    /// the load goes on, to report every other file's problems too.
    fn read_settings<T: serde::de::DeserializeOwned + Default>(&mut self, path: &Path) -> T {
        self.read_file(path)
            .and_then(|text| self.parse::<T>(path, &text))
            .unwrap_or_default()
    }

    /// [`Reader::read_settings`] for a file that is checked and made ready by `prepare` once
    /// parsed; what `prepare` refuses is a problem at the top of the file.
    fn read_prepared<T: serde::de::DeserializeOwned, U: Default>(
        &mut self,
        path: &Path,
        prepare: impl FnOnce(T) -> Result<U, String>,
    ) -> U {
        self.read_file(path)
            .and_then(|text| {
                let read = self.parse::<T>(path, &text)?;
                prepare(read)
                    .map_err(|msg| self.problem(path, &text, 0, msg))
                    .ok()
            })
            .unwrap_or_default()
    }

    /// [`Reader::read_settings`] for a file with a parser of its own, which says where a problem
    /// is.
    fn read_parsed<T: Default>(
        &mut self,
        path: &Path,
        from_toml: impl FnOnce(&str) -> Result<T, (usize, String)>,
    ) -> T {
        match self.read_file(path) {
            Some(text) => from_toml(&text).unwrap_or_else(|(offset, msg)| {
                self.problem(path, &text, offset, msg);
                T::default()
            }),
            None => T::default(),
        }
    }

    /// Sets each fact's display question from `questions.toml` and returns its slang list. A
    /// missing file leaves every fact without one (`check` warns); a question for an unknown
    /// fact id is a warning, an empty one an error.
    fn read_questions(&mut self, path: &Path, facts: &mut [Fact]) -> Vec<String> {
        if !path.exists() {
            return Vec::new();
        }
        let Some(text) = self.read_file(path) else {
            return Vec::new();
        };
        let Some(raw) = self.parse::<RawQuestions>(path, &text) else {
            return Vec::new();
        };
        for (id, question) in &raw.questions {
            let shown = question
                .get_ref()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            match facts.iter_mut().find(|f| &f.id == id) {
                Some(_) if shown.is_empty() => {
                    let msg = format!("the display question of {id:?} is empty");
                    self.problem(path, &text, question.span().start, msg);
                }
                Some(f) => f.question = Some(shown),
                // Only a warning: a fact removed by hand must not stop the base being served.
                None => self.problems.push(Problem {
                    path: path.to_path_buf(),
                    line: line_of(&text, question.span().start),
                    severity: Severity::Warning,
                    message: format!("a display question for {id:?}, which is no fact's id"),
                }),
            }
        }
        raw.slang.iter().map(|w| crate::lexicon::plain(w)).collect()
    }

    fn read_disputes(&mut self, path: &Path) -> Vec<Dispute> {
        let Some(text) = self.read_file(path) else {
            return Vec::new();
        };
        let Some(raw) = self.parse::<RawDisputes>(path, &text) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in raw.dispute {
            let at = d.span().start;
            let d = d.into_inner();
            let start = self.date(path, &text, &d.start);
            let end = self.date(path, &text, &d.end);
            if out.iter().any(|o: &Dispute| o.id == d.id) {
                self.problem(path, &text, at, format!("duplicate dispute id {:?}", d.id));
            }
            if let (Some(start), Some(end)) = (start, end) {
                if end.latest() < start.earliest() {
                    let msg = format!("dispute {:?} ends before it starts", d.id);
                    self.problem(path, &text, d.end.span().start, msg);
                }
                out.push(Dispute {
                    id: d.id,
                    label: d.label,
                    start: start.earliest(),
                    end: end.latest(),
                    cues: d.cues.iter().map(|c| crate::lexicon::plain(c)).collect(),
                });
            }
        }
        out
    }

    fn date(&mut self, path: &Path, text: &str, value: &Spanned<String>) -> Option<PartialDate> {
        let parsed = PartialDate::parse(value.get_ref());
        if parsed.is_none() {
            self.problem(
                path,
                text,
                value.span().start,
                format!(
                    "bad date {:?}: expected YYYY-MM-DD, YYYY-MM or YYYY",
                    value.get_ref()
                ),
            );
        }
        parsed
    }

    fn non_empty(&mut self, path: &Path, text: &str, field: &str, value: &Spanned<String>) {
        if value.get_ref().trim().is_empty() {
            self.problem(
                path,
                text,
                value.span().start,
                format!("`{field}` is empty"),
            );
        }
    }

    /// A problem when a phrasing or keyword is too long to index (see [`too_long`]).
    fn bounded(&mut self, path: &Path, text: &str, field: &str, value: &Spanned<String>) {
        if let Some(why) = too_long(value.get_ref()) {
            let msg = format!("a `{field}` entry is too long to index: {why}");
            self.problem(path, text, value.span().start, msg);
        }
    }

    fn read_sources(&mut self, path: &Path) -> BTreeMap<String, Source> {
        let mut out = BTreeMap::new();
        let Some(text) = self.read_file(path) else {
            return out;
        };
        let Some(raw) = self.parse::<RawSources>(path, &text) else {
            return out;
        };
        for s in raw.source {
            let s = s.into_inner();
            self.non_empty(path, &text, "id", &s.id);
            self.non_empty(path, &text, "publisher", &s.publisher);
            let date = self.date(path, &text, &s.date);
            if let Some(url) = &s.url {
                let u = url.get_ref();
                if !(u.starts_with("https://") || u.starts_with("http://")) || u.contains(' ') {
                    self.problem(path, &text, url.span().start, format!("bad url {u:?}"));
                }
            }
            let id = s.id.get_ref().clone();
            if out.contains_key(&id) {
                self.problem(
                    path,
                    &text,
                    s.id.span().start,
                    format!("duplicate source id {id:?}"),
                );
                continue;
            }
            if let Some(date) = date {
                out.insert(
                    id.clone(),
                    Source {
                        id,
                        publisher: s.publisher.into_inner(),
                        headline: s.headline.filter(|h| !h.trim().is_empty()),
                        date,
                        date_note: s.date_note,
                        url: s.url.map(|u| u.into_inner()),
                        note: s.note,
                    },
                );
            }
        }
        out
    }

    fn read_facts(
        &mut self,
        dir: &Path,
        disputes: &HashSet<String>,
        sources: &BTreeMap<String, Source>,
    ) -> Vec<Fact> {
        let mut files = Vec::new();
        collect_toml(dir, &mut files, &mut self.problems);
        files.sort();
        // Each file is read and checked on its own, in parallel (a large fact base spends most
        // of its load here); what spans files is checked after, in file order.
        let read: Vec<FactFile> = files
            .into_par_iter()
            .map(|path| FactFile::read(path, disputes, sources, self.digests.is_some()))
            .collect();
        let mut facts: Vec<Fact> = Vec::new();
        let mut ids: HashMap<String, PathBuf> = HashMap::new();
        let mut phrasings: HashMap<String, String> = HashMap::new();
        for file in read {
            self.problems.extend(file.problems);
            if let Some(digests) = &mut self.digests {
                digests.extend(file.digests);
            }
            let (Some(text), Some(fact)) = (file.text, file.fact) else {
                continue;
            };
            let path = file.path;
            let offset_of = |needle: &str| text.find(needle).unwrap_or(0);
            if let Some(first) = ids.get(&fact.id) {
                let msg = format!(
                    "duplicate fact id {:?} (also in {})",
                    fact.id,
                    first.display()
                );
                self.problem(&path, &text, offset_of("id"), msg);
                continue;
            }
            ids.insert(fact.id.clone(), path.clone());
            self.problems.extend(file.reference_problems);
            if fact.is_served() {
                for (p, key) in fact.phrasings.iter().zip(file.plain_phrasings) {
                    if let Some(other) = phrasings.get(&key) {
                        let msg = format!("phrasing {p:?} is also a phrasing of fact {other:?}");
                        self.problem(&path, &text, offset_of(p), msg);
                    } else {
                        phrasings.insert(key, fact.id.clone());
                    }
                }
            }
            facts.push(fact);
        }
        facts
    }

    /// A fact's dispute and sources must exist.
    fn check_reference_sets(
        &mut self,
        path: &Path,
        text: &str,
        fact: &Fact,
        disputes: &HashSet<String>,
        sources: &BTreeMap<String, Source>,
    ) {
        let offset_of = |needle: &str| text.find(needle).unwrap_or(0);
        if !disputes.contains(&fact.dispute) {
            let msg = format!("unknown dispute {:?} (see disputes.toml)", fact.dispute);
            self.problem(path, text, offset_of("dispute"), msg);
        }
        for s in &fact.sources {
            if !sources.contains_key(s) {
                let msg = format!("unknown source id {s:?} (see sources.toml)");
                self.problem(path, text, offset_of(s), msg);
            }
        }
    }

    fn check_references(
        &mut self,
        path: &Path,
        text: &str,
        fact: &Fact,
        disputes: &[Dispute],
        sources: &BTreeMap<String, Source>,
    ) {
        let ids: HashSet<String> = disputes.iter().map(|d| d.id.clone()).collect();
        self.check_reference_sets(path, text, fact, &ids, sources);
    }

    /// The rules of [`Reader::read_facts`] that compare a fact with the others, for one fact
    /// among already loaded `facts`: its id is no other file's, and no phrasing of it is a
    /// served fact's. Loading reports a duplicate phrasing on the later file, so this does.
    fn check_unique(&mut self, path: &Path, text: &str, fact: &Fact, facts: &[Fact]) {
        let others = facts.iter().filter(|f| f.path != path);
        let offset_of = |text: &str, needle: &str| text.find(needle).unwrap_or(0);
        if let Some(first) = others.clone().find(|f| f.id == fact.id) {
            let msg = format!(
                "duplicate fact id {:?} (also in {})",
                fact.id,
                first.path.display()
            );
            self.problem(path, text, offset_of(text, "id"), msg);
            return;
        }
        if !fact.is_served() {
            return;
        }
        let keys: Vec<String> = fact
            .phrasings
            .iter()
            .map(|p| crate::lexicon::plain(p))
            .collect();
        for (k, p) in fact.phrasings.iter().enumerate() {
            if keys[..k].contains(&keys[k]) {
                let msg = format!("phrasing {p:?} is also a phrasing of fact {:?}", fact.id);
                self.problem(path, text, offset_of(text, p), msg);
            }
        }
        for other in others.filter(|f| f.is_served()) {
            for q in &other.phrasings {
                let key = crate::lexicon::plain(q);
                let Some(k) = keys.iter().position(|k| *k == key) else {
                    continue;
                };
                if other.path.as_path() < path {
                    let p = &fact.phrasings[k];
                    let msg = format!("phrasing {p:?} is also a phrasing of fact {:?}", other.id);
                    self.problem(path, text, offset_of(text, p), msg);
                } else {
                    let other_text = fs::read_to_string(&other.path).unwrap_or_default();
                    let msg = format!("phrasing {q:?} is also a phrasing of fact {:?}", fact.id);
                    self.problem(&other.path, &other_text, offset_of(&other_text, q), msg);
                }
            }
        }
    }

    fn fact_from_text(&mut self, path: &Path, text: &str) -> Option<Fact> {
        let raw = self.parse::<RawFact>(path, text)?;
        let before = self.problems.len();
        for (field, value) in [
            ("id", &raw.id),
            ("dispute", &raw.dispute),
            ("answer", &raw.answer),
        ] {
            self.non_empty(path, text, field, value);
        }
        let id = raw.id.get_ref().trim().to_string();
        self.check_id(path, text, &id, raw.id.span().start);
        let answer_len = raw.answer.get_ref().chars().count();
        if answer_len > MAX_ANSWER_CHARS {
            self.problem(
                path,
                text,
                raw.answer.span().start,
                format!("answer is {answer_len} characters; the limit is {MAX_ANSWER_CHARS}"),
            );
        }
        let as_of = self.date(path, text, &raw.as_of);
        let review_by = raw.review_by.as_ref().and_then(|r| {
            let d = self.date(path, text, r)?;
            Some(d.latest())
        });
        let lists = self.check_lists(path, text, &raw);
        if self.problems.len() > before {
            return None;
        }
        let [sources, excerpts, phrasings, keywords] = lists;
        Some(Fact {
            id,
            dispute: raw.dispute.into_inner().trim().to_string(),
            // From `questions.toml` (see `Reader::read_questions`).
            question: None,
            as_of: as_of?,
            approximate: raw.approximate,
            answer: raw.answer.into_inner().trim().to_string(),
            sources,
            excerpts,
            phrasings,
            keywords,
            not_phrasings: strings(&raw.not_phrasings),
            contested: raw
                .contested
                .map(|c| c.into_inner())
                .filter(|c| !c.trim().is_empty()),
            state: raw.state,
            review_by,
            retired: raw.retired,
            path: path.to_path_buf(),
        })
    }

    /// A fact's id names its file and is kebab-case.
    fn check_id(&mut self, path: &Path, text: &str, id: &str, at: usize) {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !id.is_empty() && stem != id {
            let msg = format!("id {id:?} does not match the file name {stem:?}");
            self.problem(path, text, at, msg);
        }
        if !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.problem(path, text, at, "id must be kebab-case: a-z, 0-9 and -");
        }
    }

    /// A fact's lists (sources, excerpts, phrasings, keywords, in that order): each non-empty,
    /// of non-empty entries short enough to index; excerpts within their limit; no phrasing
    /// twice.
    fn check_lists(&mut self, path: &Path, text: &str, raw: &RawFact) -> [Vec<String>; 4] {
        let fields = [
            ("sources", &raw.sources),
            ("excerpts", &raw.excerpts),
            ("phrasings", &raw.phrasings),
            ("keywords", &raw.keywords),
        ];
        for (field, value) in fields {
            if value.get_ref().is_empty() {
                let msg = format!("`{field}` is empty");
                self.problem(path, text, value.span().start, msg);
            }
            for item in value.get_ref() {
                self.non_empty(path, text, field, item);
                if field != "sources" && field != "excerpts" {
                    self.bounded(path, text, field, item);
                }
            }
        }
        for e in raw.excerpts.get_ref() {
            let n = e.get_ref().chars().count();
            if n > MAX_EXCERPT_CHARS {
                let msg = format!("excerpt is {n} characters; the limit is {MAX_EXCERPT_CHARS}");
                self.problem(path, text, e.span().start, msg);
            }
        }
        for p in &raw.not_phrasings {
            self.bounded(path, text, "not_phrasings", p);
        }
        let mut seen = HashSet::new();
        for p in raw.phrasings.get_ref() {
            if !seen.insert(crate::lexicon::plain(p.get_ref())) {
                let msg = format!("phrasing {:?} is listed twice", p.get_ref());
                self.problem(path, text, p.span().start, msg);
            }
        }
        fields.map(|(_, value)| strings(value.get_ref()))
    }

    fn read_timeline(
        &mut self,
        path: &Path,
        disputes: &HashSet<String>,
        sources: &BTreeMap<String, Source>,
    ) -> Vec<StrikePeriod> {
        let Some(text) = self.read_file(path) else {
            return Vec::new();
        };
        let Some(raw) = self.parse::<RawTimeline>(path, &text) else {
            return Vec::new();
        };
        let mut out: Vec<StrikePeriod> = Vec::new();
        for s in raw.strike {
            let s = s.into_inner();
            let before = self.problems.len();
            if out.iter().any(|o| &o.id == s.id.get_ref()) {
                self.problem(
                    path,
                    &text,
                    s.id.span().start,
                    format!("duplicate strike id {:?}", s.id.get_ref()),
                );
            }
            if !disputes.contains(s.dispute.get_ref()) {
                self.problem(
                    path,
                    &text,
                    s.dispute.span().start,
                    format!("unknown dispute {:?}", s.dispute.get_ref()),
                );
            }
            for src in s.sources.get_ref() {
                if !sources.contains_key(src.get_ref()) {
                    self.problem(
                        path,
                        &text,
                        src.span().start,
                        format!("unknown source id {:?}", src.get_ref()),
                    );
                }
            }
            if s.sources.get_ref().is_empty() || s.excerpts.get_ref().is_empty() {
                self.problem(
                    path,
                    &text,
                    s.sources.span().start,
                    "a strike period needs sources and excerpts",
                );
            }
            self.non_empty(path, &text, "summary", &s.summary);
            let start = self.datetime(path, &text, &s.start, false);
            let end = self.datetime(path, &text, &s.end, true);
            if let (Some((start, precision)), Some((end, _))) = (start, end) {
                if end <= start {
                    self.problem(path, &text, s.end.span().start, "end is not after start");
                }
                let spans = self.spans(path, &text, s.spans.as_ref(), (start, end));
                if self.problems.len() == before {
                    out.push(StrikePeriod {
                        id: s.id.into_inner(),
                        dispute: s.dispute.into_inner(),
                        start,
                        end,
                        spans,
                        precision,
                        action: s.action,
                        status: s.status,
                        summary: s.summary.into_inner(),
                        sources: strings(s.sources.get_ref()),
                        excerpts: strings(s.excerpts.get_ref()),
                    });
                }
            }
        }
        out.sort_by_key(|s| s.start);
        out
    }

    /// A period's spans: as listed, each inside the period and after the one before, the first
    /// starting at `start` and the last ending at `end`; else the one span from start to end.
    fn spans(
        &mut self,
        path: &Path,
        text: &str,
        raw: Option<&Spanned<Vec<(String, String)>>>,
        (start, end): (NaiveDateTime, NaiveDateTime),
    ) -> Vec<(NaiveDateTime, NaiveDateTime)> {
        let Some(raw) = raw else {
            return vec![(start, end)];
        };
        let at = raw.span().start;
        let mut out: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::new();
        for (a, b) in raw.get_ref() {
            let (Some((a, _)), Some((b, _))) = (parse_instant(a, false), parse_instant(b, true))
            else {
                self.problem(path, text, at, format!("bad span [{a:?}, {b:?}]"));
                return Vec::new();
            };
            if b <= a || out.last().is_some_and(|(_, prev)| a < *prev) {
                self.problem(
                    path,
                    text,
                    at,
                    "spans must be in order, each ending after it starts",
                );
            }
            out.push((a, b));
        }
        if out.first().map(|s| s.0) != Some(start) || out.last().map(|s| s.1) != Some(end) {
            self.problem(path, text, at, "spans must run from `start` to `end`");
        }
        out
    }

    /// A bound of a strike period, as [`parse_instant`] reads it.
    fn datetime(
        &mut self,
        path: &Path,
        text: &str,
        value: &Spanned<String>,
        is_end: bool,
    ) -> Option<(NaiveDateTime, Precision)> {
        let v = value.get_ref().trim();
        if let Some(found) = parse_instant(v, is_end) {
            return Some(found);
        }
        self.problem(
            path,
            text,
            value.span().start,
            format!("bad date-time {v:?}: expected YYYY-MM-DDTHH:MM, YYYY-MM-DD or YYYY-MM"),
        );
        None
    }
}

/// A strike period's bound, end exclusive: `YYYY-MM-DDTHH:MM` exactly; `YYYY-MM-DD` at 00:00 of
/// that day; `YYYY-MM` alone (a strike called off before its days were fixed) the whole month,
/// so as an end the 1st of the next month.
pub fn parse_instant(v: &str, is_end: bool) -> Option<(NaiveDateTime, Precision)> {
    let v = v.trim();
    if let Ok(dt) = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M") {
        return Some((dt, Precision::Minute));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some((d.and_time(NaiveTime::MIN), Precision::Day));
    }
    let p = PartialDate::parse(v).filter(|p| p.month.is_some() && p.day.is_none())?;
    let d = if is_end {
        p.latest().succ_opt()?
    } else {
        p.earliest()
    };
    Some((d.and_time(NaiveTime::MIN), Precision::Month))
}

/// Reads a file of the fact base: a regular file (not a symbolic link, FIFO or device) of at most
/// [`MAX_FILE_BYTES`], as UTF-8.
pub fn read_regular(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let meta = fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (symbolic links, FIFOs and devices are not read)",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("{} bytes; the limit is {MAX_FILE_BYTES}", meta.len()),
        ));
    }
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("grew past the limit of {MAX_FILE_BYTES} bytes while read"),
        ));
    }
    Ok(text)
}

/// A phrasing or keyword too long to index: its length or its longest word over the limits.
fn too_long(item: &str) -> Option<String> {
    let n = item.chars().count();
    if n > MAX_PHRASE_CHARS {
        return Some(format!("{n} characters; the limit is {MAX_PHRASE_CHARS}"));
    }
    let longest = item.split_whitespace().map(|w| w.chars().count()).max()?;
    (longest > MAX_WORD_CHARS)
        .then(|| format!("has a word of {longest} characters; the limit is {MAX_WORD_CHARS}"))
}

fn strings(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().trim().to_string()).collect()
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem {
                path: dir.to_path_buf(),
                line: 1,
                severity: Severity::Error,
                message: format!("cannot read the facts folder: {e}"),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // The entry's own type, never the target's: a symbolic link is not followed, so no loop
        // (`a -> ..`) and no escape from `knowledge/`.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_toml(&path, out, problems);
        } else if path.extension().is_some_and(|e| e == "toml") {
            if kind.is_file() {
                out.push(path);
            } else {
                problems.push(Problem {
                    path,
                    line: 1,
                    severity: Severity::Error,
                    message: "not a regular file (symbolic links, FIFOs and devices are not \
                              read)"
                        .into(),
                });
            }
        }
    }
}
