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
//! The phrasing comparison in turn goes through each candidate's own index from word to
//! phrasings, so it costs the question's few words rather than every word of every phrasing.

mod build;
mod reach;
mod stored;

pub use reach::{Reach, PHRASING_REACH, QUESTION_REACH};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::calibration::{Calibration, Features};
use crate::cues::{as_year, Intent};
use crate::lexicon::{deletions, month_number, Analyzed, Lexicon};

/// How strongly a fact is tied to a token found in its phrasings or keywords (the answer text's
/// weight is a setting: `answer_weight`).
const STRONG: f32 = 1.0;
/// `[scoring]` of `matcher.toml`: the weights and discounts of the matcher's score, before the
/// calibration turns it into a confidence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scoring {
    /// A corrected typo counts this share of the word itself.
    pub fuzzy: f32,
    /// A question that names a month or year prefers facts of that month or year: others are
    /// discounted by this factor rather than excluded, since a fact may be dated differently.
    pub time_mismatch: f32,
    /// A fact that cannot give the kind of answer asked for ("how many" with no figure).
    pub intent_penalty: f32,
    /// Weight of each question marker ("why", "over") in the phrasing comparison.
    pub marker_weight: f32,
    /// Only this many best-covering candidates get the phrasing comparison.
    pub shortlist: usize,
    /// The shortlist's order: coverage plus these shares of precision and of shared markers.
    pub shortlist_precision: f32,
    pub shortlist_markers: f32,
    /// A fact is never the answer to a question this similar to one of its `not_phrasings`.
    pub not_phrasing_similarity: f32,
    /// Weight of a figure in a question that asks to confirm a claim (see [`resolve`]).
    pub claimed_figure: f32,
}

impl Default for Scoring {
    /// The values `knowledge/matcher.toml` gives, for a fact base whose file has no table.
    fn default() -> Scoring {
        Scoring {
            fuzzy: 0.85,
            time_mismatch: 0.85,
            intent_penalty: 0.75,
            marker_weight: 1.0,
            shortlist: 40,
            shortlist_precision: 0.3,
            shortlist_markers: 0.1,
            not_phrasing_similarity: 0.8,
            claimed_figure: 0.5,
        }
    }
}

/// One scored fact for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// Position in `KnowledgeBase::facts`.
    pub fact: usize,
    /// The probability that answering with this fact is right: the calibration (fitted on the
    /// project's question set, `matcher.toml`) applied to `features`.
    pub confidence: f32,
    /// What the calibration sees.
    pub features: Features,
    /// Position of the closest phrasing in the fact's `phrasings`.
    pub phrasing: usize,
}

impl Match {
    /// Share of the question's weight this fact accounts for.
    pub fn coverage(&self) -> f32 {
        self.features.coverage
    }

    /// Weighted overlap with the closest phrasing.
    pub fn similarity(&self) -> f32 {
        self.features.similarity
    }
}

/// A question's token after lookup.
#[derive(Debug, Clone)]
struct QueryToken {
    /// The unstemmed word, as written (after folding).
    surface: String,
    id: Option<u32>,
    weight: f32,
    /// 1.0 for an exact word, [`Scoring::fuzzy`] for a corrected one.
    quality: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexedFact {
    fact: usize,
    dispute: u16,
    /// Months (1-12) and years the fact is dated in or mentions.
    months: u16,
    years: Vec<i32>,
    phrasings: Phrasings,
    not_phrasings: Phrasings,
    /// Whether the answer can serve each [`Intent`] (computed once: it reads the whole answer).
    fits: [bool; 4],
    /// What a "how many ..." question can get from it: the words its phrasings count ("how many
    /// operations") and the words after its answer's figures ("5,000 operations"); sorted ids.
    counts: Vec<u32>,
    /// Total weight of the words in its phrasings and keywords, and the question markers its
    /// phrasings use: to rank candidates that tie on coverage.
    vocabulary: f32,
    marks: u32,
}

/// A fact's phrasings as compared with questions. The comparison scores every phrasing of each
/// shortlisted fact, but a question shares only a few words with them: so each fact keeps, per
/// word of its phrasings, which phrasings have it, and a comparison adds up the question's few
/// words there instead of looking up every word of every phrasing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Phrasings {
    /// Every phrasing's token ids (each phrasing's sorted), one phrasing after another, and where
    /// each phrasing's end.
    ids: Vec<u32>,
    ends: Vec<u32>,
    /// Per phrasing: its question markers, and the idf of its ids that are not years, summed
    /// once at build time (the similarity then subtracts what the question shares).
    marks: Vec<u32>,
    weights: Vec<f32>,
    /// The distinct token ids of all phrasings (sorted), where each one's holders end in
    /// `holders`, and the phrasings (positions) that have it.
    tokens: Vec<u32>,
    holder_ends: Vec<u32>,
    holders: Vec<u32>,
}

impl Phrasings {
    fn push(&mut self, ids: &[u32], marks: u32) {
        self.ids.extend_from_slice(ids);
        self.ends.push(self.ids.len() as u32);
        self.marks.push(marks);
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The token ids of phrasing `i`.
    fn ids_of(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.ids[start..self.ends[i] as usize]
    }

    /// Once the idf is known: the phrasings' weights and the index from token to phrasings.
    fn finish(&mut self, idf: &[f32], years: &[bool]) {
        self.weights = (0..self.len())
            .map(|i| {
                self.ids_of(i)
                    .iter()
                    .filter(|&&id| !years[id as usize])
                    .map(|&id| idf[id as usize])
                    .sum()
            })
            .collect();
        let mut pairs: Vec<(u32, u32)> = (0..self.len())
            .flat_map(|i| self.ids_of(i).iter().map(move |&id| (id, i as u32)))
            .collect();
        pairs.sort_unstable();
        (self.tokens, self.holder_ends, self.holders) = (Vec::new(), Vec::new(), Vec::new());
        for (id, phrasing) in pairs {
            if self.tokens.last() != Some(&id) {
                if !self.tokens.is_empty() {
                    self.holder_ends.push(self.holders.len() as u32);
                }
                self.tokens.push(id);
            }
            self.holders.push(phrasing);
        }
        if !self.tokens.is_empty() {
            self.holder_ends.push(self.holders.len() as u32);
        }
    }

    /// Each phrasing's similarity to the question, in order, into `out`. `shared` is scratch
    /// space: per phrasing, the question's weight and discount on the words it has.
    fn similarities(&self, q: &QuerySide, shared: &mut Vec<[f32; 2]>, out: &mut Vec<f32>) {
        shared.clear();
        shared.resize(self.len(), [0.0; 2]);
        // In ascending token order, as a walk over each phrasing's sorted ids adds them.
        for &(id, [w, d]) in q.words {
            let Ok(k) = self.tokens.binary_search(&id) else {
                continue;
            };
            let start = if k == 0 {
                0
            } else {
                self.holder_ends[k - 1] as usize
            };
            for &p in &self.holders[start..self.holder_ends[k] as usize] {
                let s = &mut shared[p as usize];
                s[0] += w;
                s[1] += d;
            }
        }
        out.clear();
        out.extend(shared.iter().zip(&self.marks).zip(&self.weights).map(
            |((&[in_both, discounted], &marks), &weight)| {
                q.similarity(in_both, discounted, marks, weight)
            },
        ));
    }
}

/// The search index over the served facts of a fact base.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Matcher {
    /// The fact base's own (a stored index is read back with it: see [`stored`]).
    #[serde(skip)]
    lexicon: Lexicon,
    vocab: FxHashMap<String, u32>,
    idf: Vec<f32>,
    /// token -> whether it is part of a person's name
    people: Vec<bool>,
    /// token -> whether it is a year (a cue, never a word to match)
    years: Vec<bool>,
    /// token -> (indexed fact, strength)
    postings: Vec<Vec<(u32, f32)>>,
    /// one-character deletions of each surface word -> surface words (for typo correction)
    deletes: FxHashMap<String, Vec<u32>>,
    /// surface (unstemmed) words seen in the fact base, and the token each stems to
    surfaces: Vec<(String, u32)>,
    surface_ids: FxHashMap<String, u32>,
    words: Vec<String>,
    facts: Vec<IndexedFact>,
    /// Each indexed fact's words as the index met them, for a rebuild (see [`build`]).
    fact_words: Vec<build::FactWords>,
    dispute_ids: Vec<String>,
    unknown_weight: f32,
    coverage_weight: f32,
    scoring: Scoring,
    /// The fact base's settings' (flattened in them, which the stored form cannot hold).
    #[serde(skip)]
    calibration: Option<Calibration>,
}

/// Filters applied before scoring.
#[derive(Debug, Clone, Default)]
pub struct Scope<'a> {
    /// Only facts of these disputes (empty: all).
    pub disputes: &'a [String],
    /// Years the question names: facts of other years are discounted.
    pub years: &'a [i32],
    pub intent: Option<Intent>,
}

impl Matcher {
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The share of the served facts that use a token anywhere (phrasings, keywords, answer):
    /// 0 for a token none uses.
    pub fn fact_share(&self, token: &str) -> f32 {
        let Some(&id) = self.vocab.get(token) else {
            return 0.0;
        };
        self.postings[id as usize].len() as f32 / self.facts.len().max(1) as f32
    }

    /// How much of the weight (idf) of `tokens` fact `fact` (a position in the fact base) holds,
    /// by how strongly it holds each: 1 when its phrasings or keywords have them all. Tokens no
    /// fact uses count for none; 0 when there is nothing to hold.
    pub fn share_held(&self, fact: usize, tokens: &[String]) -> f32 {
        let Some(fi) = self.indexed(fact) else {
            return 0.0;
        };
        let (mut held, mut all) = (0.0, 0.0);
        for id in tokens.iter().filter_map(|t| self.vocab.get(t.as_str())) {
            let weight = self.idf[*id as usize];
            all += weight;
            held += weight * self.strength(fi, *id).unwrap_or(0.0);
        }
        if all > 0.0 {
            held / all
        } else {
            0.0
        }
    }

    /// Whether an unknown word is an adverb made from an English word ("purely", "formally"): it
    /// says how, not what about, so it is left out rather than counted against every fact. Words
    /// of frequency ("hourly", "weekly") stay: "how much do doctors earn hourly?" asks what no
    /// fact says.
    fn is_adverb(&self, surface: &str) -> bool {
        surface.len() >= 6
            && crate::lexicon::is_english(surface)
            && surface
                .strip_suffix("ly")
                .is_some_and(crate::lexicon::is_english)
            && !self.lexicon.is_frequency_adverb(surface)
    }

    /// Number of facts in the index.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The token of the nearest known word within a small edit distance, for a word the index
    /// lacks. Compared on surface words, so a typo is measured against what people write.
    fn correct(&self, word: &str) -> Option<u32> {
        let len = word.chars().count();
        // A real word is not a typo: "stage" is not "stake", "hint" is not "hunt". Left unknown, it
        // counts against every fact, which is right when no fact uses it.
        if len < 4 || word.bytes().any(|b| b.is_ascii_digit()) || crate::lexicon::is_english(word) {
            return None;
        }
        let max = if len >= 7 { 2 } else { 1 };
        let mut best: Option<(usize, usize, u32)> = None;
        let mut consider = |sid: u32| {
            let (surface, id) = &self.surfaces[sid as usize];
            let id = *id;
            let dist = strsim::damerau_levenshtein(word, surface);
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
        if let Some(ids) = self.deletes.get(word) {
            ids.iter().for_each(|&id| consider(id));
        }
        for d in deletions(word) {
            if let Some(&id) = self.surface_ids.get(&d) {
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
        let claim = self.lexicon.asks_to_confirm(&analyzed.words);
        for (i, t) in analyzed.tokens.iter().enumerate() {
            if skip.contains(t) || seen.contains(t) {
                continue;
            }
            let surface = analyzed.surface.get(i).unwrap_or(t);
            seen.push(t.clone());
            let token = match self.vocab.get(t) {
                Some(&id) => QueryToken {
                    surface: surface.clone(),
                    id: Some(id),
                    weight: self.idf[id as usize],
                    quality: 1.0,
                },
                None => match self.correct(surface) {
                    Some(id) => QueryToken {
                        surface: surface.clone(),
                        id: Some(id),
                        weight: self.idf[id as usize],
                        quality: self.scoring.fuzzy,
                    },
                    None if self.is_adverb(surface) => continue,
                    None => QueryToken {
                        surface: surface.clone(),
                        id: None,
                        weight: self.unknown_weight,
                        quality: 0.0,
                    },
                },
            };
            // The figure of a claim to check may be wrong ("demanding 5.4%" when 5.4% was the
            // award): the topic words say which fact checks it.
            let token = if claim && is_figure(t) {
                QueryToken {
                    weight: token.weight * self.scoring.claimed_figure,
                    ..token
                }
            } else {
                token
            };
            out.push(token);
        }
        out
    }

    /// The question's tokens with misspelt ones corrected to the fact base's words ("stirke" ->
    /// "strike"), for readers other than the scoring (the timeline's question shapes).
    pub fn corrected_tokens(&self, analyzed: &Analyzed) -> Vec<String> {
        if analyzed.tokens.iter().all(|t| self.vocab.contains_key(t)) {
            return analyzed.tokens.clone();
        }
        self.resolve(analyzed, &[])
            .into_iter()
            .map(|t| match t.id {
                Some(id) => self.words[id as usize].clone(),
                None => t.surface,
            })
            .collect()
    }

    /// Scores the facts for an analysed question; best first. `skip` are tokens that are cues
    /// (years) rather than topic words.
    pub fn search(&self, analyzed: &Analyzed, skip: &[String], scope: &Scope) -> Vec<Match> {
        let query = self.resolve(analyzed, skip);
        let total: f32 = query.iter().map(|t| t.weight).sum();
        if query.is_empty() || total <= 0.0 {
            return Vec::new();
        }
        let cover = self.cover(&query);
        let candidates = self.shortlist(&cover, total, analyzed, scope);
        let words = self.query_words(&query, skip);
        let asked = self.asked(analyzed, &query, &words, total, scope);
        let mut out: Vec<Match> = Vec::with_capacity(candidates.len());
        let mut disputes: Vec<u16> = Vec::with_capacity(candidates.len());
        let (mut shared, mut sims) = (Vec::new(), Vec::new());
        for (fi, coverage, _) in candidates {
            let scratch = (&mut shared, &mut sims);
            if let Some(m) = self.score(fi, coverage, &asked, &cover, scope, scratch) {
                disputes.push(self.facts[fi as usize].dispute);
                out.push(m);
            }
        }
        self.set_margins(&mut out, &disputes);
        // Each fact is here once, so the order is total.
        out.sort_unstable_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.fact.cmp(&b.fact))
        });
        out
    }

    /// How much of the question each fact covers, walking the question's postings.
    fn cover(&self, query: &[QueryToken]) -> Cover {
        // A dense accumulator: with common words most facts are touched, and a vector beats a
        // hash map by far at 10,000 facts.
        let mut cover = Cover {
            covered: vec![0.0f32; self.facts.len()],
            has: vec![0u64; self.facts.len()],
            touched: Vec::new(),
        };
        for (k, t) in query.iter().enumerate() {
            let Some(id) = t.id else { continue };
            let bit = if k < 64 { 1u64 << k } else { 0 };
            for &(fi, strength) in &self.postings[id as usize] {
                let slot = &mut cover.covered[fi as usize];
                if *slot == 0.0 {
                    cover.touched.push(fi);
                }
                *slot += t.weight * t.quality * strength;
                cover.has[fi as usize] |= bit;
            }
        }
        cover
    }

    /// Whether fact `fi` lacks the question's `k`-th token (`id`).
    fn lacks(&self, cover: &Cover, fi: u32, k: usize, id: u32) -> bool {
        if k < 64 {
            cover.has[fi as usize] & (1 << k) == 0
        } else {
            self.postings[id as usize]
                .binary_search_by_key(&fi, |p| p.0)
                .is_err()
        }
    }

    /// The facts in scope that get the phrasing comparison: (fact, coverage, rank), best first.
    fn shortlist(
        &self,
        cover: &Cover,
        total: f32,
        analyzed: &Analyzed,
        scope: &Scope,
    ) -> Vec<(u32, f32, f32)> {
        let allowed: Vec<u16> = scope
            .disputes
            .iter()
            .filter_map(|d| self.dispute_ids.iter().position(|x| x == d))
            .map(|p| p as u16)
            .collect();
        // Common words leave many facts tied on coverage; the shortlist prefers, among them, facts
        // whose vocabulary is about these words (precision) and whose phrasings ask the same way
        // ("why", "when"), so the right one is never cut before the phrasing comparison.
        let marks = analyzed.marks.count_ones().max(1) as f32;
        let covered = &cover.covered;
        let mut candidates: Vec<(u32, f32, f32)> = cover
            .touched
            .iter()
            .copied()
            .filter(|fi| allowed.is_empty() || allowed.contains(&self.facts[*fi as usize].dispute))
            .map(|fi| {
                let f = &self.facts[fi as usize];
                let coverage = covered[fi as usize] / total;
                let precision = covered[fi as usize] / f.vocabulary.max(covered[fi as usize]);
                let asked = (analyzed.marks & f.marks).count_ones() as f32 / marks;
                let s = &self.scoring;
                let order =
                    coverage + s.shortlist_precision * precision + s.shortlist_markers * asked;
                (fi, coverage, order)
            })
            .collect();
        let order =
            |a: &(u32, f32, f32), b: &(u32, f32, f32)| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0));
        let shortlist = self.scoring.shortlist.max(1);
        if candidates.len() > shortlist {
            candidates.select_nth_unstable_by(shortlist - 1, order);
            candidates.truncate(shortlist);
        }
        // Ties are broken by fact, so the order is total and an unstable sort gives the same.
        candidates.sort_unstable_by(order);
        candidates
    }

    /// Each word the question has, once, with the question's weight on it and the idf a
    /// phrasing that has it does not count as its own; ascending by id. Cue words (years) were
    /// left out of the question's side; they are left out of phrasings' too, with no weight
    /// (every year is: a phrasing's year is a cue, not a word to match).
    fn query_words(&self, query: &[QueryToken], skip: &[String]) -> Vec<(u32, [f32; 2])> {
        let asked = query
            .iter()
            .filter_map(|t| t.id.map(|id| (id, t.weight * t.quality)));
        let skipped = skip
            .iter()
            .filter_map(|t| self.vocab.get(t).map(|&id| (id, 0.0)));
        let mut words: Vec<(u32, [f32; 2])> = Vec::with_capacity(query.len() + skip.len());
        for (id, w) in asked.chain(skipped) {
            let discount = if self.years[id as usize] {
                0.0
            } else {
                self.idf[id as usize]
            };
            match words.iter_mut().find(|(known, _)| *known == id) {
                Some((_, side)) => side[0] += w,
                None => words.push((id, [w, discount])),
            }
        }
        // Ascending ids: the order in which a phrasing's sorted ids add them up.
        words.sort_unstable_by_key(|(id, _)| *id);
        words
    }

    /// What every candidate is scored against: the question's side of the comparison and the
    /// parts of its features that do not depend on the fact.
    fn asked<'a>(
        &self,
        analyzed: &Analyzed,
        query: &'a [QueryToken],
        words: &'a [(u32, [f32; 2])],
        total: f32,
        scope: &Scope,
    ) -> Asked<'a> {
        let unknown: f32 = query
            .iter()
            .filter(|t| t.id.is_none())
            .map(|t| t.weight)
            .sum();
        let fuzzy: f32 = query
            .iter()
            .filter(|t| t.id.is_some() && t.quality < 1.0)
            .map(|t| t.weight)
            .sum();
        // "How many consultants ...": a fact with figures of something else cannot answer it.
        let counted: Vec<u32> = if scope.intent != Some(Intent::Quantity) {
            Vec::new()
        } else {
            self.lexicon
                .counted(&analyzed.words, 2)
                .iter()
                .filter_map(|t| self.vocab.get(t).copied())
                .collect()
        };
        Asked {
            side: QuerySide {
                total: words.iter().map(|(_, [w, _])| w).sum(),
                words,
                unknown,
                marks: analyzed.marks,
                mark_weight: self.scoring.marker_weight,
            },
            query,
            total,
            unknown,
            fuzzy,
            months: month_bits(&analyzed.words),
            counted,
            unknown_name: query
                .iter()
                .any(|t| t.id.is_none() && analyzed.names.contains(&t.surface)),
            max_weight: (1.0 + self.facts.len().max(1) as f32).ln(),
        }
    }

    /// One candidate's match, or `None` when one of its `not_phrasings` is the question. Its
    /// margin is set once every candidate is scored ([`Matcher::set_margins`]).
    fn score(
        &self,
        fi: u32,
        coverage: f32,
        asked: &Asked,
        cover: &Cover,
        scope: &Scope,
        (shared, sims): (&mut Vec<[f32; 2]>, &mut Vec<f32>),
    ) -> Option<Match> {
        let f = &self.facts[fi as usize];
        f.phrasings.similarities(&asked.side, shared, sims);
        let (phrasing, similarity) = sims
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        if !f.not_phrasings.is_empty() {
            f.not_phrasings.similarities(&asked.side, shared, sims);
            if sims
                .iter()
                .any(|&s| s >= self.scoring.not_phrasing_similarity)
            {
                return None;
            }
        }
        let mut raw =
            self.coverage_weight * coverage.min(1.0) + (1.0 - self.coverage_weight) * similarity;
        let time_fits = !(asked.months != 0 && f.months & asked.months == 0)
            && scope.years.iter().all(|y| f.years.contains(y));
        if !time_fits {
            raw *= self.scoring.time_mismatch;
        }
        let intent_fits = scope.intent.is_none_or(|i| f.fits[intent_index(i)])
            && (asked.counted.is_empty()
                || asked
                    .counted
                    .iter()
                    .any(|c| f.counts.binary_search(c).is_ok()));
        if !intent_fits {
            raw *= self.scoring.intent_penalty;
        }
        let query = asked.query;
        let lacks = |k: usize, id: u32| self.lacks(cover, fi, k, id);
        let features = Features {
            raw: raw.clamp(0.0, 1.0),
            coverage: coverage.min(1.0),
            similarity,
            // Set once every fact of the dispute is scored.
            margin: 0.0,
            unknown: asked.unknown / asked.total,
            fuzzy: asked.fuzzy / asked.total,
            intent_fits: intent_fits as u8 as f32,
            time_fits: time_fits as u8 as f32,
            brevity: 1.0 / query.len() as f32,
            uncovered: query
                .iter()
                .enumerate()
                .filter(|(k, t)| t.id.is_none_or(|id| lacks(*k, id)))
                .map(|(_, t)| t.weight / asked.max_weight)
                .fold(0.0, f32::max),
            unknown_name: asked.unknown_name as u8 as f32,
            // A person the question names but the fact never mentions: "what did Fletcher
            // say about the 2023 strikes?" is not answered by a 2023 fact without him.
            missing_person: query.iter().enumerate().any(|(k, t)| {
                t.id.is_some_and(|id| self.people[id as usize] && lacks(k, id))
            }) as u8 as f32,
        };
        Some(Match {
            fact: f.fact,
            confidence: raw.clamp(0.0, 1.0),
            features,
            phrasing,
        })
    }

    /// The margin over the runner-up of the same dispute (a clear winner is more likely right
    /// than one of several near-equal facts), then the calibrated confidence.
    fn set_margins(&self, out: &mut [Match], disputes: &[u16]) {
        // Per dispute, the best score and the best of the others once it is set aside.
        let mut tops: Vec<(u16, f32, f32)> = Vec::new();
        for (m, &d) in out.iter().zip(disputes) {
            let score = m.features.raw;
            match tops.iter_mut().find(|t| t.0 == d) {
                Some(t) if score > t.1 => *t = (d, score, t.1),
                Some(t) => t.2 = t.2.max(score),
                None => tops.push((d, score, 0.0)),
            }
        }
        for (m, d) in out.iter_mut().zip(disputes) {
            let score = m.features.raw;
            let rival = tops
                .iter()
                .find(|t| t.0 == *d)
                .map_or(
                    0.0,
                    |&(_, best, second)| {
                        if score >= best {
                            second
                        } else {
                            best
                        }
                    },
                );
            m.features.margin = (score - rival).max(0.0);
            if let Some(c) = &self.calibration {
                m.confidence = c.confidence(&m.features);
            }
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

fn intent_index(intent: Intent) -> usize {
    match intent {
        Intent::When => 0,
        Intent::Quantity => 1,
        Intent::Quote => 2,
        Intent::Other => 3,
    }
}

/// An amount: a number that is neither a year nor an ordinal ("first" is "1st").
fn is_figure(token: &str) -> bool {
    token.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && as_year(token).is_none()
        && !["st", "nd", "rd", "th"].iter().any(|s| token.ends_with(s))
}

fn month_bits(words: &[String]) -> u16 {
    words
        .iter()
        .filter_map(|w| month_number(w))
        .fold(0, |acc, m| acc | (1 << m))
}

/// How much of the question each fact covers (indexed by fact in the index).
struct Cover {
    covered: Vec<f32>,
    /// Which of the question's first 64 tokens each fact has (bit k for `query[k]`), for the
    /// features of words a fact leaves out, without searching postings again per candidate.
    has: Vec<u64>,
    /// The facts with any of the question's words, in the order met.
    touched: Vec<u32>,
}

/// The question as every candidate is scored against it.
struct Asked<'a> {
    side: QuerySide<'a>,
    query: &'a [QueryToken],
    /// The question's weight; of its unknown words; of its corrected typos.
    total: f32,
    unknown: f32,
    fuzzy: f32,
    /// The months it names, as bits.
    months: u16,
    /// What a "how many" question counts (token ids).
    counted: Vec<u32>,
    /// It names something (a capitalised word) no fact knows.
    unknown_name: bool,
    /// The highest idf a word can have in this index.
    max_weight: f32,
}

/// The question as every phrasing is compared with it.
struct QuerySide<'a> {
    /// The question's words and the cue words it skips, ascending by id: the question's weight
    /// on each (0 for a skipped one), and the idf a phrasing that has it does not count as its
    /// own (0 for a year).
    words: &'a [(u32, [f32; 2])],
    /// sum of the weights
    total: f32,
    unknown: f32,
    marks: u32,
    /// [`Scoring::marker_weight`].
    mark_weight: f32,
}

impl QuerySide<'_> {
    /// Weighted Jaccard between the question and one phrasing, markers included, from the
    /// question's weight and discount on the phrasing's words.
    fn similarity(&self, in_both: f32, discounted: f32, marks: u32, weight: f32) -> f32 {
        let shared = self.mark_weight * (self.marks & marks).count_ones() as f32 + in_both;
        let query_only = self.unknown
            + self.mark_weight * (self.marks & !marks).count_ones() as f32
            + (self.total - in_both).max(0.0);
        // The phrasing's own weight, less what it shares with the question or skips as a cue.
        let phrasing_only = self.mark_weight * (marks & !self.marks).count_ones() as f32
            + (weight - discounted).max(0.0);
        let union = shared + query_only + phrasing_only;
        if union <= 0.0 {
            0.0
        } else {
            shared / union
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{KnowledgeBase, MatcherSettings};
    use crate::lexicon::Lexicon;
    use crate::model::{Dispute, Fact, PartialDate};
    use chrono::NaiveDate;
    use std::collections::BTreeMap;

    fn fact(id: &str, dispute: &str, phrasings: &[&str], answer: &str) -> Fact {
        Fact {
            id: id.into(),
            dispute: dispute.into(),
            question: None,
            as_of: PartialDate::parse("2025-12-17").expect("date"),
            approximate: false,
            state: false,
            answer: answer.into(),
            sources: vec!["S".into()],
            excerpts: vec!["x".into()],
            phrasings: phrasings.iter().map(|p| p.to_string()).collect(),
            keywords: Vec::new(),
            not_phrasings: Vec::new(),
            contested: None,
            review_by: None,
            retired: None,
            path: Default::default(),
        }
    }

    fn kb() -> KnowledgeBase {
        let lexicon = Lexicon::from_toml(&format!(
            "{}people = [\"wes streeting\"]\n[synonyms]\nstrike = [\"walkout\", \"industrial action\"]\n\
             doctor = [\"docs\"]\n",
            crate::lexicon::bundled_word_lists()
        ))
        .expect("lexicon");
        KnowledgeBase {
            root: Default::default(),
            disputes: vec![Dispute {
                id: "d".into(),
                label: "d".into(),
                start: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
                end: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                cues: Vec::new(),
            }],
            sources: BTreeMap::new(),
            screener: Default::default(),
            conversation: Default::default(),
            now: Default::default(),
            intents: Default::default(),
            timeline_words: Default::default(),
            overview: Default::default(),
            slang: Vec::new(),
            facts: vec![
                fact(
                    "why",
                    "d",
                    &["why are doctors striking", "reason for the strike"],
                    "Over pay.",
                ),
                fact(
                    "streeting",
                    "d",
                    &["what did streeting call the strikes"],
                    "Wes Streeting called them \"self-indulgent\".",
                ),
                fact(
                    "flu",
                    "d",
                    &["how many flu patients were in hospital"],
                    "2,660 a day.",
                ),
            ],
            timeline: Vec::new(),
            lexicon,
            settings: MatcherSettings::default(),
        }
    }

    fn top(m: &Matcher, q: &str) -> Option<(String, f32)> {
        let kb = kb();
        let a = m.lexicon().analyze(q);
        m.search(&a, &[], &Scope::default())
            .first()
            .map(|x| (kb.facts[x.fact].id.clone(), x.confidence))
    }

    #[test]
    fn typos_are_corrected_to_known_words() {
        let m = Matcher::build(&kb());
        assert_eq!(
            top(&m, "why r docs stirking").map(|t| t.0),
            Some("why".into())
        );
        assert_eq!(
            top(&m, "what did Streting call the walkouts").map(|t| t.0),
            Some("streeting".into())
        );
        assert_eq!(
            top(&m, "flu pateints hospitl").map(|t| t.0),
            Some("flu".into())
        );
    }

    #[test]
    fn real_words_are_not_taken_for_typos() {
        let m = Matcher::build(&kb());
        // "hospice" is two edits from "hospital" but a word of its own: it stays unknown.
        assert!(m.correct("hospitl").is_some());
        assert!(m.correct("hospice").is_none());
        assert!(crate::lexicon::is_english("hospice") && !crate::lexicon::is_english("hospitl"));
    }

    #[test]
    fn a_named_person_the_fact_never_mentions_is_a_feature() {
        let kb = kb();
        let m = Matcher::build(&kb);
        let analyzed = m
            .lexicon()
            .analyze("what did streeting say about flu patients");
        let matches = m.search(&analyzed, &[], &Scope::default());
        let feature = |id: &str| {
            matches
                .iter()
                .find(|x| kb.facts[x.fact].id == id)
                .map(|x| x.features.missing_person)
        };
        assert_eq!(feature("streeting"), Some(0.0));
        assert_eq!(feature("flu"), Some(1.0));
    }

    #[test]
    fn unknown_words_lower_confidence() {
        let m = Matcher::build(&kb());
        let (_, on_topic) = top(&m, "why are doctors striking").expect("match");
        let (_, off_topic) = top(&m, "why is the louvre striking over sourdough").expect("match");
        assert!(on_topic > off_topic + 0.2, "{on_topic} vs {off_topic}");
        assert!(top(&m, "sourdough starter recipe").is_none());
    }

    #[test]
    fn an_unknown_adverb_says_how_not_what_about() {
        let m = Matcher::build(&kb());
        let (_, plain) = top(&m, "why are doctors striking").expect("match");
        let (_, adverb) = top(&m, "why are doctors purely striking").expect("match");
        assert!((plain - adverb).abs() < 1e-6, "{plain} vs {adverb}");
        // A word of frequency is a topic no fact covers: it still counts.
        let (_, hourly) = top(&m, "why are doctors hourly striking").expect("match");
        assert!(hourly < plain, "{hourly} vs {plain}");
    }

    #[test]
    fn intent_prefers_facts_that_can_answer_it() {
        let m = Matcher::build(&kb());
        let a = m.lexicon().analyze("how many streeting flu");
        let with = m.search(
            &a,
            &[],
            &Scope {
                intent: Some(Intent::Quantity),
                ..Scope::default()
            },
        );
        let kb = kb();
        assert_eq!(kb.facts[with[0].fact].id, "flu");
    }

    #[test]
    fn the_token_index_scores_phrasings_as_walking_their_words_does() {
        let idf = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0];
        let years = [false, false, false, false, true, false];
        let mut p = Phrasings::default();
        p.push(&[0, 1, 3], 0b01);
        p.push(&[2, 4, 5], 0b10);
        p.push(&[5], 0);
        p.push(&[], 0b11);
        p.finish(&idf, &years);
        // The question has words 1 and 5 and skips the year 4.
        let words = [(1, [0.9, 1.0]), (4, [0.0, 0.0]), (5, [2.55, 3.0])];
        let q = QuerySide {
            words: &words,
            total: 0.9 + 2.55,
            unknown: 0.7,
            marks: 0b01,
            mark_weight: Scoring::default().marker_weight,
        };
        let (mut shared, mut sims) = (Vec::new(), Vec::new());
        p.similarities(&q, &mut shared, &mut sims);
        let walked: Vec<f32> = (0..p.len())
            .map(|i| {
                let (mut in_both, mut discounted) = (0.0f32, 0.0f32);
                for id in p.ids_of(i) {
                    if let Some((_, [w, d])) = words.iter().find(|(x, _)| x == id) {
                        in_both += w;
                        discounted += d;
                    }
                }
                q.similarity(in_both, discounted, p.marks[i], p.weights[i])
            })
            .collect();
        assert_eq!(sims, walked);
        assert!(sims[0] > 0.0 && sims[2] > 0.0 && sims[0] != sims[1]);
        // A phrasing's weight leaves out its years: 1.5 + 3.0, not 2.5.
        assert_eq!(p.weights[1], 4.5);
    }
}
