//! Finding the facts a question asks for, with a confidence that says how sure the match is.
//!
//! A question's content tokens are weighted by rarity (idf) and compared with each fact's
//! vocabulary (phrasings and keywords count fully, the answer text partly). The confidence is
//! mostly *coverage*: how much of what the question says the fact accounts for. A question about
//! sourdough or the Louvre has words no fact covers, so its confidence stays low and the bot
//! declines; a misspelt word is corrected to the nearest word of the fact base (strsim) at a small
//! discount. A weighted overlap with the closest phrasing breaks ties between facts on one topic.
//!
//! Scoring goes through postings lists and only the best candidates get the phrasing comparison,
//! so the cost grows with the facts that share the question's words, not with the whole base.

use std::collections::HashMap;

use crate::cues::{answer_fits, Intent};
use crate::knowledge::KnowledgeBase;
use crate::lexicon::{Analyzed, Lexicon};

/// How strongly a fact is tied to a token.
const STRONG: f32 = 1.0;
const WEAK: f32 = 0.7;
/// A corrected typo counts a little less than the word itself.
const FUZZY: f32 = 0.85;
/// A word no fact uses counts as this share of the rarest word's weight.
const UNKNOWN_SHARE: f32 = 0.55;
/// Weight of coverage against phrasing similarity in the confidence.
const COVERAGE_WEIGHT: f32 = 0.7;
/// A fact that cannot give the kind of answer asked for ("how many" with no figure) is discounted.
const INTENT_PENALTY: f32 = 0.75;
/// Weight of each question marker ("why", "over") in the phrasing comparison.
const MARK_WEIGHT: f32 = 1.0;
/// Only this many best-covering candidates get the phrasing comparison.
const SHORTLIST: usize = 64;

/// One scored fact for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Position in `KnowledgeBase::facts`.
    pub fact: usize,
    pub confidence: f32,
    /// Share of the question's weight this fact accounts for.
    pub coverage: f32,
    /// Weighted overlap with the closest phrasing.
    pub similarity: f32,
    /// Position of the closest phrasing in the fact's `phrasings`.
    pub phrasing: usize,
}

/// A question's token after lookup.
#[derive(Debug, Clone)]
struct QueryToken {
    id: Option<u32>,
    weight: f32,
    /// 1.0 for an exact word, [`FUZZY`] for a corrected one.
    quality: f32,
}

#[derive(Debug, Clone)]
struct IndexedFact {
    fact: usize,
    dispute: u16,
    phrasings: Vec<Phrasing>,
    not_phrasings: Vec<Phrasing>,
    answer: String,
}

/// A phrasing as compared with questions: its token ids (sorted) and question markers.
#[derive(Debug, Clone)]
struct Phrasing {
    ids: Vec<u32>,
    marks: u32,
}

/// The search index over the served facts of a fact base.
#[derive(Debug, Clone)]
pub struct Matcher {
    lexicon: Lexicon,
    vocab: HashMap<String, u32>,
    idf: Vec<f32>,
    /// token -> (indexed fact, strength)
    postings: Vec<Vec<(u32, f32)>>,
    /// one-character deletions of each word -> words (for typo correction)
    deletes: HashMap<String, Vec<u32>>,
    words: Vec<String>,
    facts: Vec<IndexedFact>,
    dispute_ids: Vec<String>,
    unknown_weight: f32,
}

/// Filters applied before scoring.
#[derive(Debug, Clone, Default)]
pub struct Scope<'a> {
    /// Only facts of these disputes (empty: all).
    pub disputes: &'a [String],
    pub intent: Option<Intent>,
}

impl Matcher {
    pub fn build(kb: &KnowledgeBase) -> Matcher {
        let lexicon = kb.lexicon.clone();
        let mut m = Matcher {
            lexicon,
            vocab: HashMap::new(),
            idf: Vec::new(),
            postings: Vec::new(),
            deletes: HashMap::new(),
            words: Vec::new(),
            facts: Vec::new(),
            dispute_ids: kb.disputes.iter().map(|d| d.id.clone()).collect(),
            unknown_weight: 1.0,
        };
        for (pos, fact) in kb.facts.iter().enumerate() {
            if !fact.is_served() {
                continue;
            }
            let fi = m.facts.len() as u32;
            let mut strength: HashMap<u32, f32> = HashMap::new();
            let mut phrasings = Vec::new();
            for p in &fact.phrasings {
                let phrasing = m.phrasing(p);
                for &id in &phrasing.ids {
                    strength.insert(id, STRONG);
                }
                phrasings.push(phrasing);
            }
            for k in &fact.keywords {
                for id in m.intern_all(&m.lexicon.analyze(k).tokens) {
                    strength.insert(id, STRONG);
                }
            }
            for id in m.intern_all(&m.lexicon.analyze(&fact.answer).tokens) {
                strength.entry(id).or_insert(WEAK);
            }
            let not_phrasings = fact.not_phrasings.iter().map(|p| m.phrasing(p)).collect();
            for (id, s) in strength {
                m.postings[id as usize].push((fi, s));
            }
            let dispute = m
                .dispute_ids
                .iter()
                .position(|d| *d == fact.dispute)
                .unwrap_or(usize::MAX) as u16;
            m.facts.push(IndexedFact {
                fact: pos,
                dispute,
                phrasings,
                not_phrasings,
                answer: fact.answer.clone(),
            });
        }
        let n = m.facts.len().max(1) as f32;
        m.idf = m
            .postings
            .iter()
            .map(|p| (1.0 + n / (p.len().max(1) as f32)).ln())
            .collect();
        let max_idf = (1.0 + n).ln();
        m.unknown_weight = UNKNOWN_SHARE * max_idf;
        for (i, w) in m.words.iter().enumerate() {
            if w.chars().count() >= 4 && !w.bytes().any(|b| b.is_ascii_digit()) {
                for d in deletions(w) {
                    m.deletes.entry(d).or_default().push(i as u32);
                }
            }
        }
        m
    }

    fn phrasing(&mut self, text: &str) -> Phrasing {
        let analyzed = self.lexicon.analyze(text);
        Phrasing {
            ids: self.intern_all(&analyzed.tokens),
            marks: analyzed.marks,
        }
    }

    fn intern_all(&mut self, tokens: &[String]) -> Vec<u32> {
        let mut ids: Vec<u32> = tokens.iter().map(|t| self.intern(t)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn intern(&mut self, token: &str) -> u32 {
        if let Some(&id) = self.vocab.get(token) {
            return id;
        }
        let id = self.words.len() as u32;
        self.vocab.insert(token.to_string(), id);
        self.words.push(token.to_string());
        self.postings.push(Vec::new());
        id
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Number of facts in the index.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The nearest known word within a small edit distance, for a word the index lacks.
    fn correct(&self, token: &str) -> Option<u32> {
        let len = token.chars().count();
        if len < 4 || token.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let max = if len >= 7 { 2 } else { 1 };
        let mut best: Option<(usize, usize, u32)> = None;
        let mut consider = |id: u32| {
            let word = &self.words[id as usize];
            let dist = strsim::damerau_levenshtein(token, word);
            if dist <= max {
                let df = self.postings[id as usize].len();
                let better = match best {
                    None => true,
                    Some((d, f, _)) => dist < d || (dist == d && df > f),
                };
                if better {
                    best = Some((dist, df, id));
                }
            }
        };
        if let Some(ids) = self.deletes.get(token) {
            ids.iter().for_each(|&id| consider(id));
        }
        for d in deletions(token) {
            if let Some(&id) = self.vocab.get(&d) {
                consider(id);
            }
            if let Some(ids) = self.deletes.get(&d) {
                ids.iter().for_each(|&id| consider(id));
            }
        }
        best.map(|(_, _, id)| id)
    }

    fn resolve(&self, analyzed: &Analyzed, skip: &[String]) -> Vec<QueryToken> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for t in &analyzed.tokens {
            if skip.contains(t) || seen.contains(t) {
                continue;
            }
            seen.push(t.clone());
            let token = match self.vocab.get(t) {
                Some(&id) => QueryToken {
                    id: Some(id),
                    weight: self.idf[id as usize],
                    quality: 1.0,
                },
                None => match self.correct(t) {
                    Some(id) => QueryToken {
                        id: Some(id),
                        weight: self.idf[id as usize],
                        quality: FUZZY,
                    },
                    None => QueryToken {
                        id: None,
                        weight: self.unknown_weight,
                        quality: 0.0,
                    },
                },
            };
            out.push(token);
        }
        out
    }

    /// Scores the facts for an analysed question; best first. `skip` are tokens that are cues
    /// (years) rather than topic words.
    pub fn search(&self, analyzed: &Analyzed, skip: &[String], scope: &Scope) -> Vec<Match> {
        let query = self.resolve(analyzed, skip);
        let total: f32 = query.iter().map(|t| t.weight).sum();
        if query.is_empty() || total <= 0.0 {
            return Vec::new();
        }
        let allowed: Vec<u16> = scope
            .disputes
            .iter()
            .filter_map(|d| self.dispute_ids.iter().position(|x| x == d))
            .map(|p| p as u16)
            .collect();
        let mut covered: HashMap<u32, f32> = HashMap::new();
        for t in &query {
            let Some(id) = t.id else { continue };
            for &(fi, strength) in &self.postings[id as usize] {
                *covered.entry(fi).or_insert(0.0) += t.weight * t.quality * strength;
            }
        }
        let mut candidates: Vec<(u32, f32)> = covered
            .into_iter()
            .filter(|(fi, _)| {
                allowed.is_empty() || allowed.contains(&self.facts[*fi as usize].dispute)
            })
            .map(|(fi, c)| (fi, c / total))
            .collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(SHORTLIST);
        let query_ids: Vec<(u32, f32)> = query
            .iter()
            .filter_map(|t| t.id.map(|id| (id, t.weight * t.quality)))
            .collect();
        let unknown: f32 = query
            .iter()
            .filter(|t| t.id.is_none())
            .map(|t| t.weight)
            .sum();
        // Cue words (years) were left out of the question's side; leave them out of phrasings'.
        let skipped: Vec<u32> = skip
            .iter()
            .filter_map(|t| self.vocab.get(t).copied())
            .collect();
        let q = QuerySide {
            ids: &query_ids,
            unknown,
            marks: analyzed.marks,
            skipped: &skipped,
        };
        let mut out: Vec<Match> = Vec::with_capacity(candidates.len());
        for (fi, coverage) in candidates {
            let f = &self.facts[fi as usize];
            let (phrasing, similarity) = f
                .phrasings
                .iter()
                .enumerate()
                .map(|(i, p)| (i, self.similarity(&q, p)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((0, 0.0));
            if f.not_phrasings
                .iter()
                .any(|p| self.similarity(&q, p) >= 0.8)
            {
                continue;
            }
            let mut confidence =
                COVERAGE_WEIGHT * coverage.min(1.0) + (1.0 - COVERAGE_WEIGHT) * similarity;
            if let Some(intent) = scope.intent {
                if !answer_fits(intent, &f.answer) {
                    confidence *= INTENT_PENALTY;
                }
            }
            out.push(Match {
                fact: f.fact,
                confidence: confidence.clamp(0.0, 1.0),
                coverage: coverage.min(1.0),
                similarity,
                phrasing,
            });
        }
        out.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.fact.cmp(&b.fact))
        });
        out
    }

    /// Weighted Jaccard between the question and one phrasing, markers included.
    fn similarity(&self, q: &QuerySide, phrasing: &Phrasing) -> f32 {
        let mut shared = MARK_WEIGHT * (q.marks & phrasing.marks).count_ones() as f32;
        let mut query_only =
            q.unknown + MARK_WEIGHT * (q.marks & !phrasing.marks).count_ones() as f32;
        for &(id, w) in q.ids {
            if phrasing.ids.binary_search(&id).is_ok() {
                shared += w;
            } else {
                query_only += w;
            }
        }
        let phrasing_only: f32 = MARK_WEIGHT * (phrasing.marks & !q.marks).count_ones() as f32
            + phrasing
                .ids
                .iter()
                .filter(|id| !q.ids.iter().any(|(x, _)| x == *id) && !q.skipped.contains(id))
                .map(|&id| self.idf[id as usize])
                .sum::<f32>();
        let union = shared + query_only + phrasing_only;
        if union <= 0.0 {
            0.0
        } else {
            shared / union
        }
    }

    /// Phrasings that complete or resemble a partly typed question (for autocomplete).
    /// Returns (fact position, phrasing position), best first, at most `limit`.
    pub fn complete(&self, partial: &str, limit: usize) -> Vec<(usize, usize)> {
        let analyzed = self.lexicon.analyze(partial);
        if analyzed.tokens.is_empty() {
            return Vec::new();
        }
        // The last word may be half typed: let it stand for any word it begins.
        let mut matches = self.search(&analyzed, &[], &Scope::default());
        if let Some(last) = analyzed.tokens.last() {
            if !self.vocab.contains_key(last) && last.len() >= 2 {
                let expanded: Vec<String> = self
                    .words
                    .iter()
                    .filter(|w| w.starts_with(last.as_str()))
                    .take(8)
                    .cloned()
                    .collect();
                for word in expanded {
                    let mut a = analyzed.clone();
                    if let Some(t) = a.tokens.last_mut() {
                        *t = word;
                    }
                    matches.extend(self.search(&a, &[], &Scope::default()));
                }
                matches.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
            }
        }
        let mut out: Vec<(usize, usize)> = Vec::new();
        for m in matches {
            if out.iter().any(|(f, _)| *f == m.fact) {
                continue;
            }
            out.push((m.fact, m.phrasing));
            if out.len() == limit {
                break;
            }
        }
        out
    }
}

/// The question's side of a phrasing comparison.
struct QuerySide<'a> {
    ids: &'a [(u32, f32)],
    unknown: f32,
    marks: u32,
    skipped: &'a [u32],
}

/// All strings made by deleting one character.
fn deletions(word: &str) -> Vec<String> {
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
