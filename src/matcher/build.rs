//! Building the matcher's index, and rebuilding it after a moderator changed one fact.
//!
//! Analysing text (folding phrases and spellings, stemming) is most of a build's cost, so each
//! text of a fact is analysed once, and the index keeps each fact's words as it met them (their
//! surface ids, in order). A rebuild after an edit replays every unchanged fact's words from the
//! previous index and analyses only the facts that differ. Replaying interns the words in the
//! order a full build meets them, so a rebuild gives the same index, id for id, as a build.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use super::{IndexedFact, Matcher, Phrasings, STRONG};
use crate::cues::{answer_fits, as_year, Intent};
use crate::knowledge::KnowledgeBase;
use crate::lexicon::{deletions, month_number, Analyzed};
use crate::model::Fact;

/// A fact's words as the index met them, to replay them in a rebuild: per text (its phrasings,
/// its keywords, its answer, its not-phrasings, in that order) the surface ids in order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct FactWords {
    surfaces: Vec<u32>,
    /// Where each text's surface ids end.
    ends: Vec<u32>,
    /// Each text's question markers.
    marks: Vec<u32>,
    phrasings: usize,
    keywords: usize,
    /// The token ids a "how many" question can get from it, in the order they were met.
    counted: Vec<u32>,
}

impl FactWords {
    /// The surface ids of the texts the fact holds (its phrasings, keywords and answer; its
    /// not-phrasings, met last, are not held).
    pub(super) fn held(&self) -> &[u32] {
        let texts = self.phrasings + self.keywords + 1;
        let end = self.ends.get(texts - 1).copied().unwrap_or(0) as usize;
        &self.surfaces[..end]
    }
}

/// One word of a text: analysed now (surface and token), or as the previous index met it (its
/// surface id there).
#[derive(Clone, Copy)]
enum Item<'a> {
    Fresh(&'a str, &'a str),
    Old(u32),
}

/// One fact's analysed texts, fresh or borrowed from the previous index.
struct Words<'a> {
    /// The words of each text: phrasings, keywords, the answer, not-phrasings.
    texts: Vec<Vec<Item<'a>>>,
    marks: Vec<u32>,
    phrasings: usize,
    keywords: usize,
    /// What its figures count: tokens analysed now, or token ids of the previous index.
    counted: Vec<Item<'a>>,
    months: u16,
    years: Vec<i32>,
    fits: [bool; 4],
}

/// A fact's texts indexed (see [`Matcher::index_texts`]): the ids of its phrasings and keywords
/// (sorted, distinct) and of its answer, and its phrasings and not-phrasings.
#[derive(Default)]
struct TextIds {
    strong: Vec<u32>,
    answer: Vec<u32>,
    phrasings: Phrasings,
    not_phrasings: Phrasings,
}

/// A fact's texts analysed once each: the pairs of [`Words`] borrow from it.
struct Fresh {
    texts: Vec<Analyzed>,
    phrasings: usize,
    keywords: usize,
    counted: Vec<String>,
    months: u16,
    years: Vec<i32>,
    fits: [bool; 4],
}

impl Fresh {
    fn of(m: &Matcher, fact: &Fact) -> Fresh {
        let lexicon = &m.lexicon;
        let mut texts: Vec<Analyzed> = fact.phrasings.iter().map(|p| lexicon.analyze(p)).collect();
        texts.extend(fact.keywords.iter().map(|k| lexicon.analyze(k)));
        let answer = lexicon.analyze(&fact.answer);
        let (phrasings, keywords) = (fact.phrasings.len(), fact.keywords.len());
        // The answer's and the phrasings' words name the months and years the fact is about,
        // and what its figures count.
        let mut months = 0u16;
        let mut years = vec![fact.as_of.year];
        if let Some(month) = fact.as_of.month {
            months |= 1 << month;
        }
        let said =
            std::iter::once(&answer.words).chain(texts[..phrasings].iter().map(|a| &a.words));
        for w in said.flatten() {
            if let Some(m) = month_number(w) {
                months |= 1 << m;
            } else if let Some(y) = as_year(w) {
                if !years.contains(&y) {
                    years.push(y);
                }
            }
        }
        let counted = texts[..phrasings]
            .iter()
            .flat_map(|p| lexicon.counted(&p.words, 1))
            .chain(lexicon.amounts_of(&answer.words))
            .collect();
        texts.push(answer);
        texts.extend(fact.not_phrasings.iter().map(|p| lexicon.analyze(p)));
        Fresh {
            texts,
            phrasings,
            keywords,
            counted,
            months,
            years,
            fits: [Intent::When, Intent::Quantity, Intent::Quote, Intent::Other]
                .map(|i| answer_fits(i, &fact.answer)),
        }
    }

    fn words(&self) -> Words<'_> {
        Words {
            texts: self
                .texts
                .iter()
                .map(|a| {
                    a.surface
                        .iter()
                        .zip(&a.tokens)
                        .map(|(s, t)| Item::Fresh(s, t))
                        .collect()
                })
                .collect(),
            marks: self.texts.iter().map(|a| a.marks).collect(),
            phrasings: self.phrasings,
            keywords: self.keywords,
            counted: self.counted.iter().map(|t| Item::Fresh(t, t)).collect(),
            months: self.months,
            years: self.years.clone(),
            fits: self.fits,
        }
    }
}

/// The words of indexed fact `i` of `m`, as `m` met them.
fn replayed(m: &Matcher, i: usize) -> Words<'_> {
    let (f, w) = (&m.facts[i], &m.fact_words[i]);
    let mut start = 0;
    let texts = w
        .ends
        .iter()
        .map(|&end| {
            let text = w.surfaces[start..end as usize]
                .iter()
                .map(|&sid| Item::Old(sid))
                .collect();
            start = end as usize;
            text
        })
        .collect();
    Words {
        texts,
        marks: w.marks.clone(),
        phrasings: w.phrasings,
        keywords: w.keywords,
        counted: w.counted.iter().map(|&id| Item::Old(id)).collect(),
        months: f.months,
        years: f.years.clone(),
        fits: f.fits,
    }
}

/// The previous index a rebuild replays words from, and what its token and surface ids became
/// (`u32::MAX` until met): each distinct word is looked up once, not at every use.
struct Replay<'a> {
    old: &'a Matcher,
    tokens: Vec<u32>,
    surfaces: Vec<u32>,
}

impl<'a> Replay<'a> {
    fn new(old: &'a Matcher) -> Replay<'a> {
        Replay {
            old,
            tokens: vec![u32::MAX; old.words.len()],
            surfaces: vec![u32::MAX; old.surfaces.len()],
        }
    }
}

/// How many facts are analysed (in parallel) before they are indexed (in order): enough to keep
/// every core busy, few enough that their analyses need little memory at once.
const ANALYSIS_BATCH: usize = 512;

/// Where a fact's words come from in a build.
enum Source<'a> {
    /// Fact `.1` of a previous index with the same texts.
    Previous(&'a Matcher, usize),
    Fresh(Fresh),
}

/// Whether two versions of a fact give the index the same words.
fn same_texts(a: &Fact, b: &Fact) -> bool {
    a.phrasings == b.phrasings
        && a.keywords == b.keywords
        && a.answer == b.answer
        && a.not_phrasings == b.not_phrasings
        && a.as_of == b.as_of
}

impl Matcher {
    pub fn build(kb: &KnowledgeBase) -> Matcher {
        Matcher::rebuild(kb, None)
    }

    /// The index of `kb`, reusing the analysis of every fact that `previous` (the index of
    /// `previous_kb`, a fact base with the same lexicon) has with the same texts.
    pub fn rebuild(kb: &KnowledgeBase, previous: Option<(&KnowledgeBase, &Matcher)>) -> Matcher {
        let mut m = Matcher::empty(kb);
        // Served fact id -> its position among the previous index's facts.
        let known: HashMap<&str, usize> = previous
            .map(|(old_kb, old)| {
                old.facts
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (old_kb.facts[f.fact].id.as_str(), i))
                    .collect()
            })
            .unwrap_or_default();
        let weak = kb.settings.answer_weight;
        let mut replay = previous.map(|(_, old)| Replay::new(old));
        let mut strong_ids: Vec<Vec<u32>> = Vec::new();
        // Each served fact: its position among the previous index's facts when its texts are
        // unchanged there, or its texts analysed now.
        let served: Vec<(usize, &Fact)> = kb
            .facts
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_served())
            .collect();
        for batch in served.chunks(ANALYSIS_BATCH) {
            let sources = m.sources_of(batch, previous, &known);
            for (&(pos, fact), source) in batch.iter().zip(&sources) {
                let words = match source {
                    Source::Previous(old, i) => replayed(old, *i),
                    Source::Fresh(fresh) => fresh.words(),
                };
                let strong = m.index_fact(pos, &fact.dispute, words, weak, replay.as_mut());
                strong_ids.push(strong);
            }
        }
        m.finish(kb, &strong_ids);
        m
    }

    /// Where each fact of `batch` gets its words: the previous index, or an analysis done now,
    /// in parallel (analysis is independent per fact and most of a build's cost); in order.
    fn sources_of<'a>(
        &self,
        batch: &[(usize, &Fact)],
        previous: Option<(&KnowledgeBase, &'a Matcher)>,
        known: &HashMap<&str, usize>,
    ) -> Vec<Source<'a>> {
        batch
            .par_iter()
            .map(|&(_, fact)| {
                let reuse = previous.and_then(|(old_kb, old)| {
                    let &i = known.get(fact.id.as_str())?;
                    same_texts(&old_kb.facts[old.facts[i].fact], fact).then_some((old, i))
                });
                match reuse {
                    Some((old, i)) => Source::Previous(old, i),
                    None => Source::Fresh(Fresh::of(self, fact)),
                }
            })
            .collect()
    }

    fn empty(kb: &KnowledgeBase) -> Matcher {
        Matcher {
            lexicon: kb.lexicon.clone(),
            vocab: FxHashMap::default(),
            idf: Vec::new(),
            people: Vec::new(),
            years: Vec::new(),
            postings: Vec::new(),
            deletes: FxHashMap::default(),
            surfaces: Vec::new(),
            surface_ids: FxHashMap::default(),
            words: Vec::new(),
            facts: Vec::new(),
            fact_words: Vec::new(),
            dispute_ids: kb.disputes.iter().map(|d| d.id.clone()).collect(),
            unknown_weight: 1.0,
            coverage_weight: kb.settings.coverage_weight,
            scoring: kb.settings.scoring,
            calibration: kb.settings.calibration,
        }
    }

    /// Indexes one served fact (position `pos` of the fact base) from its words; returns the
    /// ids it holds strongly (from its phrasings and keywords), ascending.
    fn index_fact(
        &mut self,
        pos: usize,
        dispute: &str,
        words: Words,
        weak: f32,
        mut replay: Option<&mut Replay>,
    ) -> Vec<u32> {
        let fi = self.facts.len() as u32;
        let mut record = FactWords {
            marks: words.marks.clone(),
            phrasings: words.phrasings,
            keywords: words.keywords,
            ..FactWords::default()
        };
        let texts = self.index_texts(&words, &mut record, replay.as_deref_mut());
        let strong_held = self.post(fi, &texts.strong, &texts.answer, weak);
        record.counted = self.counted_ids(&words.counted, replay);
        let mut counts = record.counted.clone();
        counts.sort_unstable();
        counts.dedup();
        let dispute = self
            .dispute_ids
            .iter()
            .position(|d| d == dispute)
            .unwrap_or(usize::MAX) as u16;
        let marks = texts.phrasings.marks.iter().fold(0, |acc, m| acc | m);
        self.facts.push(IndexedFact {
            fact: pos,
            dispute,
            months: words.months,
            years: words.years,
            phrasings: texts.phrasings,
            not_phrasings: texts.not_phrasings,
            fits: words.fits,
            vocabulary: 0.0,
            marks,
            counts,
        });
        self.fact_words.push(record);
        strong_held
    }

    /// Indexes each text of a fact (see [`Matcher::index_text`]) and files their ids by what the
    /// text is: phrasings, keywords, the answer or not-phrasings.
    fn index_texts(
        &mut self,
        words: &Words,
        record: &mut FactWords,
        mut replay: Option<&mut Replay>,
    ) -> TextIds {
        let mut out = TextIds::default();
        let answer_at = words.phrasings + words.keywords;
        for (k, text) in words.texts.iter().enumerate() {
            let ids = self.index_text(text, record, replay.as_deref_mut());
            if k < words.phrasings {
                out.phrasings.push(&ids, words.marks[k]);
            }
            if k < answer_at {
                out.strong.extend_from_slice(&ids);
            } else if k == answer_at {
                out.answer = ids;
            } else {
                out.not_phrasings.push(&ids, words.marks[k]);
            }
        }
        out.strong.sort_unstable();
        out.strong.dedup();
        out
    }

    /// Adds fact `fi` to the postings of the ids it holds; returns those it holds strongly,
    /// ascending.
    fn post(&mut self, fi: u32, strong: &[u32], answer: &[u32], weak: f32) -> Vec<u32> {
        // A word of the phrasings or keywords ties the fact strongly; one only in its answer,
        // by `answer_weight`.
        let mut held: Vec<(u32, f32)> = strong.iter().map(|&id| (id, STRONG)).collect();
        held.extend(
            answer
                .iter()
                .filter(|id| strong.binary_search(id).is_err())
                .map(|&id| (id, weak)),
        );
        for &(id, s) in &held {
            self.postings[id as usize].push((fi, s));
        }
        let mut strong_held: Vec<u32> = held
            .iter()
            .filter(|(_, s)| *s >= STRONG)
            .map(|(id, _)| *id)
            .collect();
        strong_held.sort_unstable();
        strong_held
    }

    /// The token ids of what a fact's figures count, in the order met (interned now, or
    /// replayed from the previous index).
    fn counted_ids(&mut self, counted: &[Item], mut replay: Option<&mut Replay>) -> Vec<u32> {
        let mut counts: Vec<u32> = Vec::with_capacity(counted.len());
        for &t in counted {
            match (t, replay.as_deref_mut()) {
                (Item::Fresh(_, token), _) => counts.push(self.intern(token)),
                (Item::Old(id), Some(r)) => counts.push(self.intern_old(id, r)),
                (Item::Old(_), None) => {}
            }
        }
        counts
    }

    /// Interns a text's tokens, remembers its surface words for typo correction and records
    /// them for a rebuild; its token ids, sorted and distinct.
    fn index_text(
        &mut self,
        text: &[Item],
        record: &mut FactWords,
        mut replay: Option<&mut Replay>,
    ) -> Vec<u32> {
        let mut ids = Vec::with_capacity(text.len());
        for &item in text {
            let (id, sid) = match item {
                Item::Fresh(surface, token) => {
                    let id = self.intern(token);
                    (id, self.surface(surface, id))
                }
                // Only a rebuild replays words, and it always has the previous index.
                Item::Old(old_sid) => match replay.as_deref_mut() {
                    Some(r) => self.surface_old(old_sid, r),
                    None => continue,
                },
            };
            ids.push(id);
            record.surfaces.push(sid);
        }
        record.ends.push(record.surfaces.len() as u32);
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The id of a surface word (stemming to token `id`), remembered the first time it is met.
    fn surface(&mut self, surface: &str, id: u32) -> u32 {
        if let Some(&sid) = self.surface_ids.get(surface) {
            return sid;
        }
        let sid = self.surfaces.len() as u32;
        self.surface_ids.insert(surface.to_string(), sid);
        self.surfaces.push((surface.to_string(), id));
        sid
    }

    /// A word of the previous index (its surface id there): its token id and surface id here.
    fn surface_old(&mut self, old_sid: u32, r: &mut Replay) -> (u32, u32) {
        let token = r.old.surfaces[old_sid as usize].1;
        let id = self.intern_old(token, r);
        let known = r.surfaces[old_sid as usize];
        if known != u32::MAX {
            return (id, known);
        }
        let sid = self.surface(&r.old.surfaces[old_sid as usize].0, id);
        r.surfaces[old_sid as usize] = sid;
        (id, sid)
    }

    /// A token id of the previous index as an id here, interned the first time it is met.
    fn intern_old(&mut self, old_id: u32, r: &mut Replay) -> u32 {
        let known = r.tokens[old_id as usize];
        if known != u32::MAX {
            return known;
        }
        let id = self.intern(&r.old.words[old_id as usize]);
        r.tokens[old_id as usize] = id;
        id
    }

    fn intern(&mut self, token: &str) -> u32 {
        if let Some(&id) = self.vocab.get(token) {
            return id;
        }
        let id = self.words.len() as u32;
        self.vocab.insert(token.to_string(), id);
        self.words.push(token.to_string());
        self.people.push(self.lexicon.is_person(token));
        self.years.push(as_year(token).is_some());
        self.postings.push(Vec::new());
        id
    }

    /// Once every fact is indexed: the idf, each fact's vocabulary weight and phrasing index,
    /// and the deletion index for typo correction.
    fn finish(&mut self, kb: &KnowledgeBase, strong_ids: &[Vec<u32>]) {
        let n = self.facts.len().max(1) as f32;
        self.idf = self
            .postings
            .iter()
            .map(|p| (1.0 + n / (p.len().max(1) as f32)).ln())
            .collect();
        let (idf, years) = (&self.idf, &self.years);
        for (f, ids) in self.facts.iter_mut().zip(strong_ids) {
            f.vocabulary = ids.iter().map(|&id| idf[id as usize]).sum();
            f.phrasings.finish(idf, years);
            f.not_phrasings.finish(idf, years);
        }
        let max_idf = (1.0 + n).ln();
        self.unknown_weight = kb.settings.unknown_share * max_idf;
        for (i, (w, _)) in self.surfaces.iter().enumerate() {
            if w.chars().count() >= 4 && !w.bytes().any(|b| b.is_ascii_digit()) {
                for d in deletions(w) {
                    self.deletes.entry(d).or_default().push(i as u32);
                }
            }
        }
    }
}
