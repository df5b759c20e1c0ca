//! Turning what people type into comparable tokens.
//!
//! Discord questions arrive with typographic quotes, emoji, slang ("r", "govt", "docs"), UK and US
//! spellings, numbers as words or digits and many ways to say "strike". Both the questions and the
//! fact base go through this one pipeline, so whatever it folds together matches on both sides.
//! The domain's synonyms and slang are data (`knowledge/lexicon.toml`), reviewed like facts; the
//! generic parts of English (stop words, number words, spelling rules) are here.

use rustc_hash::{FxHashMap, FxHashSet};

use rust_stemmers::{Algorithm, Stemmer};
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

const UNITS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];
const TENS: &[(&str, u32)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];
const ORDINALS: &[(&str, &str)] = &[
    ("first", "1st"),
    ("second", "2nd"),
    ("third", "3rd"),
    ("fourth", "4th"),
    ("fifth", "5th"),
    ("sixth", "6th"),
    ("seventh", "7th"),
    ("eighth", "8th"),
    ("ninth", "9th"),
    ("tenth", "10th"),
    ("eleventh", "11th"),
    ("twelfth", "12th"),
    ("thirteenth", "13th"),
    ("fourteenth", "14th"),
    ("fifteenth", "15th"),
];

/// The domain vocabulary from `knowledge/lexicon.toml`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    /// canonical form -> the variants people write (words or phrases)
    #[serde(default)]
    synonyms: FxHashMap<String, Vec<String>>,
    /// fillers that carry no meaning ("lol", "yo", "fr")
    #[serde(default)]
    ignore: Vec<String>,
    /// names of the people in the facts ("streeting", "malawana")
    #[serde(default)]
    people: Vec<String>,
    /// function words that say nothing about which fact is meant ("the", "did")
    #[serde(default)]
    stopwords: Vec<String>,
    /// function words compared between a question and a phrasing ("why", "still")
    #[serde(default)]
    markers: Vec<String>,
    /// how a question that checks a claim opens ("did", "was")
    #[serde(default)]
    claim_openers: Vec<String>,
    /// how a question that checks a claim ends ("wasnt it", "right")
    #[serde(default)]
    claim_tags: Vec<String>,
    /// after "how many", words that count whoever the fact counts ("people")
    #[serde(default)]
    counts_anyone: Vec<String>,
    /// adverbs of frequency, kept as words ("hourly")
    #[serde(default)]
    frequency_adverbs: Vec<String>,
}

/// Most markers a lexicon may list: a text's markers are a bit set of this many bits.
const MAX_MARKERS: usize = 32;

/// The analysis pipeline: plain text, phrase and word folding, numbers, spelling, stemming.
#[derive(Clone)]
pub struct Lexicon {
    /// Multi-word variants, longest first, matched on word boundaries of the plain text.
    phrases: Vec<(String, String)>,
    /// The same phrases' words, for matching them with a typo.
    phrase_words: Vec<Vec<String>>,
    /// First word of a phrase -> the phrases (positions in `phrases`) starting with it.
    phrase_starts: FxHashMap<String, Vec<usize>>,
    /// Each first word and its one-character deletions -> the first words (keys of
    /// `phrase_starts`): the candidates one edit from a typo, found without comparing the typo
    /// with every first word.
    start_deletes: FxHashMap<String, Vec<String>>,
    /// Single-word variants.
    words: FxHashMap<String, String>,
    /// The stems of single-word variants, so that their other inflections fold too ("walkouts"
    /// -> "strike"), unless the stem is an English word the list does not give for the concept:
    /// "backs" and "backed" are support, but "back" (as in "pay back to 2008 levels") is not.
    stems: FxHashMap<String, String>,
    ignore: FxHashSet<String>,
    /// Stemmed tokens of people's names: a question naming someone wants a fact about them.
    people: Vec<String>,
    /// Words that say nothing about which fact is meant (asked of every word analysed).
    stopwords: FxHashSet<String>,
    /// Function words that still tell questions on one topic apart ("why" vs "when", "is it
    /// over"): too common to find a topic, but compared between a question and a phrasing. A
    /// text's markers are the bit set of their positions here.
    markers: Vec<String>,
    /// A question opening with one of these, or ending with one of the tags (runs of words),
    /// asks to confirm a claim ("did only 2,000 strike?", "it was 29%, wasn't it?").
    claim_openers: FxHashSet<String>,
    claim_tags: Vec<Vec<String>>,
    /// Stemmed: after "how many", these count whoever the fact counts (doctors, members, voters).
    counts_anyone: FxHashSet<String>,
    /// Adverbs that say how often ("hourly"): unlike other adverbs they are words to match.
    frequency_adverbs: FxHashSet<String>,
    stemmer: std::sync::Arc<Stemmer>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("phrases", &self.phrases.len())
            .field("words", &self.words.len())
            .finish()
    }
}

impl Default for Lexicon {
    fn default() -> Self {
        Lexicon::from_raw(RawLexicon::default())
    }
}

/// Month names as the lexicon folds them ("dec" becomes "december"): the one list that time
/// cues, the matcher's date preference and the timeline share.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// 1 for "january" ... 12 for "december".
pub fn month_number(word: &str) -> Option<u32> {
    MONTHS.iter().position(|m| *m == word).map(|i| i as u32 + 1)
}

/// A question or phrasing after analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analyzed {
    /// Every word after folding, before stop words are dropped (for cue detection).
    pub words: Vec<String>,
    /// Stemmed content tokens, in order.
    pub tokens: Vec<String>,
    /// The same content words before stemming (typos are corrected on these: "jermey" is one
    /// letter swap from "jeremy" but far from its stem "jeremi").
    pub surface: Vec<String>,
    /// The words before folding ("striking" is still "striking"): their endings tell the tense.
    pub plain: Vec<String>,
    /// The lexicon's markers present, as a bit set of their positions.
    pub marks: u32,
    /// Words written with a capital inside a sentence: names. An unknown name (the Louvre) is a
    /// strong sign that the question is about something else.
    pub names: Vec<String>,
}

impl Lexicon {
    /// Parses `lexicon.toml`; on error, the byte offset and message.
    pub fn from_toml(text: &str) -> Result<Lexicon, (usize, String)> {
        let raw: RawLexicon = toml::from_str(text).map_err(|e| {
            (
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().to_string(),
            )
        })?;
        if raw.markers.len() > MAX_MARKERS {
            let at = text.find("markers").unwrap_or(0);
            let n = raw.markers.len();
            return Err((
                at,
                format!("{n} markers; at most {MAX_MARKERS} can be told apart"),
            ));
        }
        // A variant under two forms would fold to whichever the map met last: refuse it.
        let mut seen: FxHashMap<String, &str> = FxHashMap::default();
        let mut forms: Vec<&String> = raw.synonyms.keys().collect();
        forms.sort();
        for form in forms {
            for v in &raw.synonyms[form] {
                if let Some(other) = seen.insert(plain(v), form.as_str()) {
                    if other != form {
                        let at = text.rfind(&format!("\"{v}\"")).unwrap_or(0);
                        return Err((
                            at,
                            format!("\"{v}\" is listed under both \"{other}\" and \"{form}\""),
                        ));
                    }
                }
            }
        }
        Ok(Lexicon::from_raw(raw))
    }

    fn from_raw(raw: RawLexicon) -> Lexicon {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut phrases = Vec::new();
        let mut words = FxHashMap::default();
        let mut stems = FxHashMap::default();
        for (canonical, variants) in raw.synonyms {
            let canonical = plain(&canonical);
            let listed: FxHashSet<String> = variants
                .iter()
                .map(|v| plain(v))
                .chain([canonical.clone()])
                .collect();
            for v in variants {
                let v = plain(&v);
                if v.contains(' ') {
                    phrases.push((format!(" {v} "), format!(" {canonical} ")));
                } else if !v.is_empty() {
                    let stem = stemmer.stem(&v).into_owned();
                    // A stem that is a word of its own means what that word means.
                    let own_word = is_english(&stem) && !listed.contains(&stem);
                    if !canonical.contains(' ') && !own_word {
                        stems.insert(stem, stemmer.stem(&canonical).into_owned());
                    }
                    words.insert(v, canonical.clone());
                }
            }
        }
        // Longest first so "industrial action" wins over "action".
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let phrase_words: Vec<Vec<String>> = phrases
            .iter()
            .map(|(from, _)| from.split_whitespace().map(str::to_string).collect())
            .collect();
        let mut phrase_starts: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, w) in phrase_words.iter().enumerate() {
            if let Some(first) = w.first() {
                phrase_starts.entry(first.clone()).or_default().push(i);
            }
        }
        let mut start_deletes: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for first in phrase_starts.keys() {
            for key in deletions(first).into_iter().chain([first.clone()]) {
                let firsts = start_deletes.entry(key).or_default();
                if !firsts.contains(first) {
                    firsts.push(first.clone());
                }
            }
        }
        let mut lexicon = Lexicon {
            phrases,
            phrase_words,
            phrase_starts,
            start_deletes,
            words,
            stems,
            ignore: plain_all(&raw.ignore),
            people: Vec::new(),
            stopwords: plain_all(&raw.stopwords),
            markers: plain_all(&raw.markers),
            claim_openers: plain_all(&raw.claim_openers),
            claim_tags: plain_runs(&raw.claim_tags),
            counts_anyone: FxHashSet::default(),
            frequency_adverbs: plain_all(&raw.frequency_adverbs),
            stemmer: std::sync::Arc::new(stemmer),
        };
        lexicon.counts_anyone = raw
            .counts_anyone
            .iter()
            .map(|w| lexicon.stem(&plain(w)))
            .collect();
        lexicon.people = raw
            .people
            .iter()
            .flat_map(|p| lexicon.analyze(p).tokens)
            .collect();
        lexicon
    }

    /// The words of `text` after folding synonyms, numbers and spellings (stop words kept).
    pub fn words(&self, text: &str) -> Vec<String> {
        self.words_of_plain(&plain(text))
    }

    /// [`Lexicon::words`] of a text already made [`plain`].
    fn words_of_plain(&self, plained: &str) -> Vec<String> {
        let mut spaced = format!(" {plained} ");
        // Only a phrase that starts with one of the text's words can fold: look those up
        // rather than search the text for every phrase. Applied longest first, as listed.
        let starting = |text: &str| -> Vec<usize> {
            text.split_whitespace()
                .filter_map(|w| self.phrase_starts.get(w))
                .flatten()
                .copied()
                .collect()
        };
        let mut candidates = starting(&spaced);
        candidates.sort_unstable();
        candidates.dedup();
        let mut k = 0;
        while let Some(&p) = candidates.get(k) {
            let (from, to) = &self.phrases[p];
            if spaced.contains(from.as_str()) {
                spaced = spaced.replace(from.as_str(), to.as_str());
                // The folded form may start a phrase further down the list.
                let more: Vec<usize> = starting(to)
                    .into_iter()
                    .filter(|q| *q > p && !candidates.contains(q))
                    .collect();
                if !more.is_empty() {
                    candidates.extend(more);
                    candidates[k + 1..].sort_unstable();
                }
            }
            k += 1;
        }
        let mut raw: Vec<&str> = spaced.split_whitespace().collect();
        let fuzzy = self.fuzzy_phrases(&raw);
        if let Some(folded) = &fuzzy {
            raw = folded.split_whitespace().collect();
        }
        let numbered = drop_span_ends(fold_numbers(&raw));
        let mut out = Vec::with_capacity(numbered.len());
        for w in numbered {
            let w = spelling(&w);
            let w = month_of_typo(&w).map_or(w, str::to_string);
            let w = self.words.get(&w).cloned().unwrap_or(w);
            // A synonym may expand to several words ("r" -> "are").
            out.extend(w.split_whitespace().map(str::to_string));
        }
        out
    }

    /// The words again with phrases folded that the exact pass missed, or None when none could
    /// be: one word of a phrase may be a single edit away if it is not itself an English word
    /// ("now calld" is "now called"; "stage" is not "stake"), and a year may sit inside a phrase
    /// ("take the 2024 deal" is "take the deal" in 2024; the year is kept as a cue).
    fn fuzzy_phrases(&self, words: &[&str]) -> Option<String> {
        let typos: Vec<bool> = words.iter().map(|w| may_be_typo(w)).collect();
        if !typos.iter().any(|t| *t) && !words.iter().any(|w| is_year(w)) {
            return None;
        }
        let fold_at = |i: usize| self.fold_at(words, &typos, i);
        // Most texts have nothing to fold: find that out before building anything.
        let first = (0..words.len()).find_map(|i| fold_at(i).map(|f| (i, f)))?;
        let mut out: Vec<&str> = words[..first.0].to_vec();
        let mut i = first.0;
        let mut next = Some(first.1);
        while i < words.len() {
            match next.take().or_else(|| fold_at(i)) {
                Some((p, used, skipped)) => {
                    out.extend(self.phrases[p].1.split_whitespace());
                    out.extend(skipped);
                    i += used;
                }
                None => {
                    out.push(words[i]);
                    i += 1;
                }
            }
        }
        Some(out.join(" "))
    }

    /// The first phrase (longest first, as in the exact pass) that folds at word `i`: one that
    /// starts with the word, or, for a possible typo (`typos[i]`), with a word one edit from
    /// it. Its position, how many words it takes and the year it skipped.
    fn fold_at<'a>(
        &self,
        words: &[&'a str],
        typos: &[bool],
        i: usize,
    ) -> Option<(usize, usize, Option<&'a str>)> {
        let near;
        let candidates = if typos[i] {
            near = self.phrases_near(words[i]);
            near.as_slice()
        } else {
            self.phrase_starts
                .get(words[i])
                .map(Vec::as_slice)
                .unwrap_or_default()
        };
        candidates.iter().find_map(|&p| {
            matches_at(&words[i..], &self.phrase_words[p]).map(|(used, y)| (p, used, y))
        })
    }

    /// The phrases (positions, in list order) that start with a possible typo or with a word
    /// one edit from it.
    fn phrases_near(&self, typo: &str) -> Vec<usize> {
        let mut starting: Vec<usize> = Vec::new();
        starting.extend(self.phrase_starts.get(typo).into_iter().flatten());
        // Two words one edit apart share a one-character deletion, or one is the other's.
        let deleted = deletions(typo);
        let mut firsts: Vec<&String> = deleted
            .iter()
            .map(String::as_str)
            .chain([typo])
            .filter_map(|d| self.start_deletes.get(d))
            .flatten()
            .filter(|first| first.as_str() != typo && same_word(typo, first))
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        for first in firsts {
            starting.extend(self.phrase_starts.get(first).into_iter().flatten());
        }
        starting.sort_unstable();
        starting
    }

    /// Full analysis: folded words and stemmed content tokens.
    pub fn analyze(&self, text: &str) -> Analyzed {
        // Made plain once: the folded words and the plain words both start from it.
        let plained = plain(text);
        let words = self.words_of_plain(&plained);
        // A word may fold to an ignored one only once stemmed ("current" -> "now").
        let (surface, tokens): (Vec<String>, Vec<String>) = words
            .iter()
            .filter(|w| !self.is_stopword(w) && !self.ignore.contains(*w))
            .map(|w| (w.clone(), self.stem(w)))
            .filter(|(_, t)| !self.ignore.contains(t))
            .unzip();
        let marks = words
            .iter()
            .filter_map(|w| self.markers.iter().position(|m| m == w))
            .fold(0u32, |acc, i| acc | (1 << i));
        Analyzed {
            words,
            tokens,
            surface,
            plain: plained.split_whitespace().map(String::from).collect(),
            marks,
            names: names(text),
        }
    }

    /// What a "how many ..." / "number of ..." question counts, stemmed: up to `n` content words
    /// after it. A question gives two, since its noun may come second ("how many yes votes",
    /// "how many people voted"); a fact's phrasing gives one. Empty when it counts nothing.
    pub fn counted(&self, words: &[String], n: usize) -> Vec<String> {
        let at = words
            .windows(2)
            .position(|w| (w[0] == "how" && w[1] == "many") || (w[0] == "number" && w[1] == "of"));
        let Some(at) = at else {
            return Vec::new();
        };
        let counted = self.content_after(words, at + 2, n);
        // "How many people ..." counts whoever the fact counts: doctors, members, voters.
        if counted
            .first()
            .is_some_and(|w| self.counts_anyone.contains(w))
        {
            return Vec::new();
        }
        counted
    }

    /// What an answer gives amounts of: up to two content words after each figure ("17,236
    /// resident doctors" -> "junior", "doctor"; "a three-day strike" -> "day", "strike").
    pub fn amounts_of(&self, words: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if w.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                out.extend(self.content_after(words, i + 1, 2));
            }
        }
        out
    }

    /// Up to `n` stemmed content words from `from`, within the next four words.
    fn content_after(&self, words: &[String], from: usize, n: usize) -> Vec<String> {
        words
            .iter()
            .skip(from)
            .take(4)
            .filter(|w| !self.is_stopword(w) && !self.ignore.contains(*w))
            .take(n)
            .map(|w| self.stem(w))
            .collect()
    }

    /// Whether the question asks to confirm a claim ("did only 2,000 strike?", "it was 29%,
    /// wasn't it?"): its figures are what is being checked, not what it is about.
    pub fn asks_to_confirm(&self, words: &[String]) -> bool {
        words
            .first()
            .is_some_and(|w| self.claim_openers.contains(w))
            || self.claim_tags.iter().any(|t| words.ends_with(t))
    }

    /// Whether a word says how often ("hourly", "weekly").
    pub fn is_frequency_adverb(&self, word: &str) -> bool {
        self.frequency_adverbs.contains(word)
    }

    /// Whether a word (folded, not stemmed) is a stop word: it says nothing of the topic.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// Whether a stemmed token is part of a person's name.
    pub fn is_person(&self, token: &str) -> bool {
        self.people.iter().any(|p| p == token)
    }

    pub fn stem(&self, word: &str) -> String {
        if word.bytes().any(|b| b.is_ascii_digit()) {
            return word.to_string();
        }
        let stem = self.stemmer.stem(word);
        match self.stems.get(stem.as_ref()) {
            Some(canonical) => canonical.clone(),
            None => stem.into_owned(),
        }
    }
}

/// All strings made by deleting one character (for finding words one edit apart).
pub(crate) fn deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect()
        })
        .collect()
}

/// Whether a word may be a typo to correct: four characters or more, no digit, not English.
fn may_be_typo(w: &str) -> bool {
    w.chars().count() >= 4 && !w.bytes().any(|b| b.is_ascii_digit()) && !is_english(w)
}

/// The month a word names one edit wrong ("novmber", "febuary"), if any: months are cues read
/// from the words before the matcher corrects typos, so they are corrected here. Only names of
/// five letters or more: a shorter one is too near other words ("jule", "mat").
fn month_of_typo(word: &str) -> Option<&'static str> {
    // Most words are English: one lookup rules them out before any comparison.
    if !may_be_typo(word) {
        return None;
    }
    MONTHS
        .iter()
        .copied()
        .filter(|m| m.len() >= 5)
        .find(|m| word != *m && same_word(word, m))
}

/// Whether a word is a year, which may sit inside a phrase ("take the 2024 deal").
fn is_year(w: &str) -> bool {
    w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a word of the text is a phrase's word as `expected`, or a possible typo of it one
/// edit away.
fn same_word(written: &str, expected: &str) -> bool {
    written == expected
        || (expected.len() >= 4
            && written.len().abs_diff(expected.len()) <= 1
            && may_be_typo(written)
            && strsim::damerau_levenshtein(written, expected) == 1)
}

/// How many words of `at` the phrase `expected` takes, and the year it skipped; None unless it
/// matches and differs from the exact phrase (which the exact pass already folded).
fn matches_at<'a>(at: &[&'a str], expected: &[String]) -> Option<(usize, Option<&'a str>)> {
    let (mut k, mut skipped, mut differs) = (0, None, false);
    for (j, e) in expected.iter().enumerate() {
        if j > 0 && skipped.is_none() && at.get(k).is_some_and(|w| is_year(w)) && e != at[k] {
            skipped = Some(at[k]);
            k += 1;
        }
        let w = at.get(k)?;
        if !same_word(w, e) {
            return None;
        }
        differs |= w != e;
        k += 1;
    }
    (differs || skipped.is_some()).then_some((k, skipped))
}

/// Lower-cased words capitalised in mid-sentence.
fn names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    for raw in text.split_whitespace() {
        let word: String = raw.chars().filter(|c| c.is_alphanumeric()).collect();
        let capital = word.chars().next().is_some_and(char::is_uppercase);
        let all_caps = word.chars().all(|c| !c.is_lowercase());
        if capital && !sentence_start && !all_caps {
            out.push(word.to_lowercase());
        }
        sentence_start = raw.ends_with(['.', '?', '!', ':']) || word.is_empty() && sentence_start;
    }
    out
}

/// Whether a lower-case word is an English word (`english.txt`), and so not a typo to correct.
pub fn is_english(word: &str) -> bool {
    static WORDS: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            include_str!("english.txt")
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect()
        })
        .contains(word)
}

/// The lexicon of the bundled fact base, for tests.
#[cfg(test)]
pub(crate) fn bundled() -> Lexicon {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge/lexicon.toml");
    let text = std::fs::read_to_string(path).expect("the bundled lexicon reads");
    Lexicon::from_toml(&text).expect("the bundled lexicon parses")
}

/// The bundled lexicon's word lists other than its synonyms, fillers and people (stop words,
/// markers, claims, ...) as TOML lines, for a test lexicon of its own.
#[cfg(test)]
pub(crate) fn bundled_word_lists() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge/lexicon.toml");
    let text = std::fs::read_to_string(path).expect("the bundled lexicon reads");
    let bundled: toml::Table = toml::from_str(&text).expect("the bundled lexicon parses");
    bundled
        .iter()
        .filter(|(key, value)| value.is_array() && !["ignore", "people"].contains(&key.as_str()))
        .map(|(key, value)| format!("{key} = {value}\n"))
        .collect()
}

/// Each entry of a word list made [`plain`], as the analysis meets words.
pub fn plain_all<C: FromIterator<String>>(list: &[String]) -> C {
    list.iter().map(|w| plain(w)).collect()
}

/// Each entry of a list of phrases as its run of plain words (empty entries dropped), to match
/// whole words of a text.
pub fn plain_runs(list: &[String]) -> Vec<Vec<String>> {
    list.iter()
        .map(|p| plain(p).split_whitespace().map(str::to_string).collect())
        .filter(|run: &Vec<String>| !run.is_empty())
        .collect()
}

/// Whether `phrase` (words joined by single spaces) occurs in `words` as a run of whole words.
pub fn has_run(words: &[String], phrase: &str) -> bool {
    let phrase: Vec<&str> = phrase.split(' ').collect();
    words
        .windows(phrase.len())
        .any(|w| w.iter().map(String::as_str).eq(phrase.iter().copied()))
}

/// Lower case, Unicode-normalised, punctuation turned to spaces, digits kept together:
/// "Doctors’ 13.5% pay-rise, £1,250!" -> "doctors 13.5 percent pay rise 1250".
pub fn plain(text: &str) -> String {
    // ASCII text is already in NFKC: skip the normaliser for the common case.
    let text: String = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.nfkc().collect::<String>().to_lowercase()
    };
    // Nearly every text is ASCII: read it byte by byte rather than collect its chars.
    let wide: Vec<char> = if text.is_ascii() {
        Vec::new()
    } else {
        text.chars().collect()
    };
    let at = |i: usize| -> Option<char> {
        if wide.is_empty() {
            text.as_bytes().get(i).map(|&b| b as char)
        } else {
            wide.get(i).copied()
        }
    };
    // Words are joined by one space, with none at either end: a space is only added after a
    // word and before the next.
    let mut out = String::with_capacity(text.len());
    let space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    let mut skip_s = false;
    let mut i = 0;
    while let Some(c) = at(i) {
        i += 1;
        if std::mem::take(&mut skip_s) {
            continue;
        }
        let (prev, next) = (i.checked_sub(2).and_then(at), at(i));
        let digit_around =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        match c {
            c if c.is_alphanumeric() => out.push(c),
            // "5,000" and "13.5" stay one number.
            ',' | '.' if digit_around => {
                if c == '.' {
                    out.push('.')
                }
            }
            // A possessive "'s" goes ("the BMA's" is "the BMA": "bmas" would be an unknown word);
            // otherwise the apostrophe goes and the word stays whole ("doctors'", "don't").
            '\'' | '’' | '‘' | '`' => {
                let after = at(i + 1);
                if matches!(next, Some('s')) && !after.is_some_and(char::is_alphanumeric) {
                    skip_s = true;
                }
            }
            '%' => {
                space(&mut out);
                out.push_str("percent ");
            }
            '&' => {
                space(&mut out);
                out.push_str("and ");
            }
            _ => space(&mut out),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// "2022–24", "2024/25" and "2025-26" name a span by its first year: the short second year is
/// not a topic word (and not a day of the month) and would only count against every fact.
fn drop_span_ends(words: Vec<String>) -> Vec<String> {
    let number = |w: &str| {
        w.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| w.parse::<u32>().ok())
    };
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        let year = out
            .last()
            .filter(|p| p.len() == 4)
            .and_then(|p| number(p).flatten())
            .filter(|y| (1900..2100).contains(y));
        let short = (w.len() == 2).then(|| number(&w).flatten()).flatten();
        if let (Some(y), Some(s)) = (year, short) {
            if (1..=3).contains(&((s + 100 - y % 100) % 100)) {
                continue;
            }
        }
        out.push(w);
    }
    out
}

/// The value of a number written as one word below twenty ("six" -> 6), as [`Lexicon::words`]
/// folds it; also for words it cannot split ("sixday").
pub fn number_word(word: &str) -> Option<u32> {
    UNITS.iter().find(|(n, _)| *n == word).map(|(_, v)| *v)
}

/// "twenty two" -> "22", "five thousand" -> "5000", "third" -> "3rd", "5k" -> "5000".
fn fold_numbers(words: &[&str]) -> Vec<String> {
    let unit = number_word;
    let ten = |w: &str| TENS.iter().find(|(n, _)| *n == w).map(|(_, v)| *v);
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let Some((_, o)) = ORDINALS.iter().find(|(n, _)| *n == w) {
            out.push((*o).to_string());
            i += 1;
            continue;
        }
        let mut value: Option<u32> = None;
        let mut j = i;
        if let Some(t) = ten(w) {
            value = Some(t);
            j += 1;
            if let Some(u) = words.get(j).and_then(|w| unit(w)).filter(|u| *u < 10) {
                value = Some(t + u);
                j += 1;
            }
        } else if let Some(u) = unit(w) {
            value = Some(u);
            j += 1;
        }
        if let Some(mut v) = value {
            match words.get(j).copied() {
                Some("hundred") => {
                    v *= 100;
                    j += 1;
                }
                Some("thousand") => {
                    v *= 1000;
                    j += 1;
                }
                _ => {}
            }
            out.push(v.to_string());
            i = j;
            continue;
        }
        if let Some(n) = w
            .strip_suffix('k')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push(format!("{n}000"));
        } else {
            out.push(w.to_string());
        }
        i += 1;
    }
    out
}

/// Folds British and American spellings to one form (applied to both sides, so only
/// consistency matters): labour/labor, organisation/organization, centre/center, paediatric.
fn spelling(word: &str) -> String {
    let mut w = word.to_string();
    if w.len() >= 6 && w.ends_with("our") {
        w.truncate(w.len() - 2);
        w.push('r');
    }
    for (uk, us) in [
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ises", "izes"),
    ] {
        if let Some(stem) = w.strip_suffix(uk) {
            w = format!("{stem}{us}");
            break;
        }
    }
    if w.len() >= 7 && w.ends_with("ise") {
        w.truncate(w.len() - 2);
        w.push_str("ze");
    }
    if w.len() >= 5 && w.ends_with("tre") {
        w.truncate(w.len() - 2);
        w.push_str("er");
    }
    for (uk, us) in [("aed", "ed"), ("aes", "es"), ("oes", "es")] {
        if w.len() > 6 && w.contains(uk) {
            w = w.replace(uk, us);
        }
    }
    w
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_month_written_one_edit_wrong_is_that_month() {
        for (typo, month) in [
            ("novmber", "november"),
            ("febuary", "february"),
            ("decmeber", "december"),
        ] {
            assert_eq!(month_of_typo(typo), Some(month), "{typo}");
        }
        for word in ["match", "march", "jule", "number", "remember", "octopus"] {
            assert_eq!(month_of_typo(word), None, "{word}");
        }
    }

    use super::*;

    fn lex() -> Lexicon {
        let rest = r#"
            ignore = ["lol", "yo"]
            [synonyms]
            strike = ["walkout", "walk out", "industrial action"]
            doctor = ["docs", "doc"]
            are = ["r"]
            "#;
        Lexicon::from_toml(&format!("{}{rest}", bundled_word_lists())).unwrap()
    }

    #[test]
    fn a_phrase_with_a_misspelt_word_or_a_year_inside_still_folds() {
        let l = lex();
        assert_eq!(l.words("industrial actoin today"), vec!["strike", "today"]);
        assert_eq!(l.words("the wakl out"), vec!["the", "strike"]);
        // A real word one letter away is not a typo ("auction" is not "action"), and a word of
        // the phrase must be long enough to be told apart from others ("walk it" stays).
        assert_eq!(l.words("industrial auction"), vec!["industrial", "auction"]);
        assert_eq!(l.words("walk it"), vec!["walk", "it"]);
        // A year inside a phrase stays, after it.
        assert_eq!(
            l.words("the 2023 industrial action"),
            vec!["the", "2023", "strike"]
        );
        assert_eq!(l.words("industrial 2023 action"), vec!["strike", "2023"]);
    }

    #[test]
    fn a_possessive_s_goes_and_other_apostrophes_leave_the_word_whole() {
        assert_eq!(plain("the BMA's offer"), "the bma offer");
        assert_eq!(
            plain("Hunt’s contract, doctors' pay"),
            "hunt contract doctors pay"
        );
        assert_eq!(plain("don't, it'd"), "dont itd");
        // Only a final "s": "'sup" keeps its letters.
        assert_eq!(plain("'sup"), "sup");
    }

    #[test]
    fn a_count_question_names_what_it_counts_and_an_answer_what_its_figures_count() {
        let l = lex();
        let words = |t: &str| l.words(t);
        assert_eq!(
            l.counted(&words("how many of the consultants joined the walkout"), 2),
            vec!["consult", "join"]
        );
        assert_eq!(l.counted(&words("number of ops cancelled"), 1), vec!["op"]);
        // Whoever is counted, people are: the fact decides who.
        assert!(l.counted(&words("how many people voted"), 2).is_empty());
        assert!(l.counted(&words("when did it start"), 2).is_empty());
        assert_eq!(
            l.amounts_of(&words("a three-day strike by 17,236 doctors")),
            vec!["day", "strike", "doctor"]
        );
    }

    #[test]
    fn a_variant_under_two_forms_is_refused() {
        let text = "[synonyms]\ndeal = [\"offer\"]\nproposal = [\"offer\"]\n";
        let (at, message) = Lexicon::from_toml(text).expect_err("ambiguous variant");
        assert!(
            message.contains("\"offer\" is listed under both"),
            "{message}"
        );
        assert_eq!(&text[at..at + 7], "\"offer\"");
    }

    #[test]
    fn a_synonym_of_an_ignored_word_is_dropped() {
        let text = format!(
            "{}ignore = [\"now\"]\n[synonyms]\nnow = [\"currently\", \"current\"]\n",
            bundled_word_lists()
        );
        let lexicon = Lexicon::from_toml(&text).expect("parses");
        let a = lexicon.analyze("the current deal, now");
        assert_eq!(a.tokens, ["deal"]);
        assert_eq!(a.surface, ["deal"]);
        assert!(a.words.contains(&"now".to_string()), "cues still see it");
    }

    #[test]
    fn a_claim_to_confirm_opens_or_ends_as_one() {
        let l = bundled();
        let confirms = |t: &str| l.asks_to_confirm(&l.words(t));
        assert!(confirms("did only 500 doctors strike"));
        assert!(confirms("the offer was 10% wasn't it?"));
        assert!(!confirms("how many doctors struck"));
        assert!(!confirms("wasnt"), "a tag is matched whole");
    }

    #[test]
    fn markers_are_a_bit_set_so_at_most_32_are_listed() {
        let many: Vec<String> = (0..33).map(|i| format!("\"m{i}\"")).collect();
        let text = format!("markers = [{}]\n", many.join(", "));
        let (at, message) = Lexicon::from_toml(&text).expect_err("too many markers");
        assert_eq!(at, 0);
        assert!(message.contains("33 markers"), "{message}");
        let l = bundled();
        let why = l.analyze("why did they strike").marks;
        assert_ne!(why, 0);
        assert_ne!(why, l.analyze("when did they strike").marks);
    }

    #[test]
    fn a_span_of_years_is_named_by_its_first_year() {
        let lexicon = Lexicon::default();
        assert_eq!(
            lexicon.words("the 2022–24 dispute"),
            ["the", "2022", "dispute"]
        );
        assert_eq!(lexicon.words("2024/25 pay"), ["2024", "pay"]);
        assert_eq!(lexicon.words("2099-00"), ["2099"]);
        assert_eq!(
            lexicon.words("in 2016 40 doctors"),
            ["in", "2016", "40", "doctors"]
        );
    }

    #[test]
    fn plain_folds_case_quotes_and_punctuation() {
        assert_eq!(
            plain("Doctors’ 13.5% PAY-rise, £1,250!"),
            "doctors 13.5 percent pay rise 1250"
        );
        assert_eq!(plain("A&E"), "a and e");
        assert_eq!(plain("😀😀"), "");
        assert_eq!(plain("\u{0}\u{7}abc\tdef"), "abc def");
    }

    #[test]
    fn numbers_in_words_become_digits() {
        let l = lex();
        assert_eq!(l.words("twenty two percent"), vec!["22", "percent"]);
        assert_eq!(l.words("five thousand ops"), vec!["5000", "ops"]);
        assert_eq!(l.words("the third strike"), vec!["the", "3rd", "strike"]);
        assert_eq!(l.words("5k cancelled"), vec!["5000", "cancelled"]);
    }

    #[test]
    fn uk_and_us_spellings_meet() {
        for (uk, us) in [
            ("organisation", "organization"),
            ("labour", "labor"),
            ("centre", "center"),
            ("orthopaedic", "orthopedic"),
            ("recognise", "recognize"),
        ] {
            assert_eq!(spelling(uk), spelling(us), "{uk}/{us}");
        }
    }

    #[test]
    fn synonyms_slang_and_fillers_fold() {
        let l = lex();
        let a = l.analyze("yo why r docs on walk out lol");
        let b = l.analyze("why are doctors on strike");
        assert_eq!(a.tokens, b.tokens);
        assert_eq!(
            l.analyze("industrial action").tokens,
            l.analyze("strikes").tokens
        );
    }

    #[test]
    fn an_inflection_folds_by_its_stem_unless_the_stem_is_a_word_of_its_own() {
        let text = "[synonyms]\nsupport = [\"backs\", \"backed\"]\nstrike = [\"walkout\"]\n";
        let l = Lexicon::from_toml(text).expect("parses");
        // "walkouts" is not listed, but its stem is the listed "walkout".
        assert_eq!(l.analyze("walkouts").tokens, l.analyze("strike").tokens);
        assert_eq!(l.analyze("backed").tokens, l.analyze("support").tokens);
        // "back" is a word of its own: "pay back to 2008 levels" asks no support.
        assert_ne!(l.analyze("back").tokens, l.analyze("support").tokens);
    }

    #[test]
    fn a_hesitation_and_the_state_of_things_fold_to_nothing_else() {
        let l = bundled();
        // "er" is a hesitation, not the emergency room; "the state of" is no government.
        assert_eq!(
            l.analyze("er when is the next strike").tokens,
            l.analyze("when is the next strike").tokens
        );
        let state = l.analyze("what is the state of the talks").tokens;
        assert!(!state.contains(&l.stem("government")), "{state:?}");
    }
}
