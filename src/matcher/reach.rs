//! Which phrasings and questions a change of one fact can reach: what a moderator's change must
//! check again, rather than every phrasing of the fact base and the whole question set.
//!
//! A text's answer changes only if some fact scores it differently. A change of one fact moves
//! its own score on a text through the words whose hold on it changed (coverage, the words left
//! uncovered), the words of phrasings it gained or lost (similarity), and its dates, figures and
//! not-phrasings; every other fact's score moves only by the idf of those same words shifting a
//! little. And a fact enters an answer only if it covers a good part of the text's weight. So a
//! text is reached when the fact, before or after, covers at least a bound of its weight *and*
//! the text has a changed word (or the fact's dates or figures changed, or the text has a word
//! the index does not know exactly, which a changed vocabulary may correct differently).
//! `tests/reach.rs` holds the bounds against the real fact base and question sets: every fact a
//! question's answer uses, and every fact a phrasing's answer leads with, covers at least the
//! bound of it.

use super::{Matcher, STRONG};
use crate::cues::as_year;
use crate::lexicon::Analyzed;

/// Below this share of a phrasing's weight, a fact is not checked for taking it from its own
/// fact: the own fact covers all of its phrasing and is closest to it, and one that covers less
/// than half does not outscore it (a fact that low may be shown beside it, not instead of it).
pub const PHRASING_REACH: f32 = 0.5;
/// Below this share of a question's weight (its earlier turns included), a fact is not checked
/// for answering it.
pub const QUESTION_REACH: f32 = 0.1;

/// A change of one fact as the index after it sees it.
pub struct Reach<'a> {
    matcher: &'a Matcher,
    /// The changed fact among the indexed facts, when it is served after the change.
    fi: Option<usize>,
    /// Its token ids (of this index) and how strongly it holds them, after and before.
    after: Vec<(u32, f32)>,
    before: Vec<(u32, f32)>,
    /// The ids whose hold changed or that are in a phrasing it gained or lost; `None` when its
    /// dates, figures or not-phrasings changed, which reach every text it covers.
    changed: Option<Vec<u32>>,
}

impl Matcher {
    /// The position among the indexed facts of the fact base's fact `fact`, if it is served.
    pub(super) fn indexed(&self, fact: usize) -> Option<usize> {
        self.facts.binary_search_by_key(&fact, |f| f.fact).ok()
    }

    /// The token ids fact `fi` (indexed) holds and how strongly, ascending.
    fn held(&self, fi: usize) -> Vec<(u32, f32)> {
        let mut ids: Vec<u32> = self.fact_words[fi]
            .held()
            .iter()
            .map(|&sid| self.surfaces[sid as usize].1)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| Some((id, self.strength(fi, id)?)))
            .collect()
    }

    pub(super) fn strength(&self, fi: usize, id: u32) -> Option<f32> {
        let postings = &self.postings[id as usize];
        let k = postings.binary_search_by_key(&(fi as u32), |p| p.0).ok()?;
        Some(postings[k].1)
    }

    /// The change that made fact `fact` of this index out of fact `was` of `before` (either
    /// `None` for a fact added or no longer served).
    pub fn reach<'a>(
        &'a self,
        fact: Option<usize>,
        before: Option<(&Matcher, usize)>,
    ) -> Reach<'a> {
        let fi = fact.and_then(|f| self.indexed(f));
        let old = before.and_then(|(m, f)| Some((m, m.indexed(f)?)));
        let after = fi.map(|fi| self.held(fi)).unwrap_or_default();
        // The old index's ids as this one's (a word only the old version had is in no text
        // here, so it is left out).
        let translate = |m: &Matcher, id: u32| self.vocab.get(&m.words[id as usize]).copied();
        let mut before: Vec<(u32, f32)> = old
            .map(|(m, oi)| {
                m.held(oi)
                    .into_iter()
                    .filter_map(|(id, s)| Some((translate(m, id)?, s)))
                    .collect()
            })
            .unwrap_or_default();
        before.sort_unstable_by_key(|h| h.0);
        let changed = match (fi, old) {
            (Some(fi), Some((m, oi))) => self.changed_words(fi, m, oi, &after, &before),
            _ => None,
        };
        Reach {
            matcher: self,
            fi,
            after,
            before,
            changed,
        }
    }

    /// The words a change of indexed fact `fi` (indexed fact `oi` of `m` before) moved its score
    /// through; `None` when its dates, figures or not-phrasings changed.
    fn changed_words(
        &self,
        fi: usize,
        m: &Matcher,
        oi: usize,
        after: &[(u32, f32)],
        before: &[(u32, f32)],
    ) -> Option<Vec<u32>> {
        let (f, o) = (&self.facts[fi], &m.facts[oi]);
        let phrasing = |x: &Matcher, p: &super::Phrasings, i: usize| -> Vec<String> {
            p.ids_of(i)
                .iter()
                .map(|&id| x.words[id as usize].clone())
                .collect()
        };
        let phrasings = |x: &Matcher, p: &super::Phrasings| -> Vec<Vec<String>> {
            (0..p.len()).map(|i| phrasing(x, p, i)).collect()
        };
        let counts = |x: &Matcher, c: &[u32]| -> Vec<String> {
            c.iter().map(|&id| x.words[id as usize].clone()).collect()
        };
        let same_kind = f.months == o.months
            && f.years == o.years
            && f.fits == o.fits
            && counts(self, &f.counts) == counts(m, &o.counts)
            && phrasings(self, &f.not_phrasings) == phrasings(m, &o.not_phrasings);
        if !same_kind {
            return None;
        }
        let mut changed: Vec<u32> = after
            .iter()
            .filter(|h| !before.contains(h))
            .chain(before.iter().filter(|h| !after.contains(h)))
            .map(|h| h.0)
            .collect();
        let (now, was) = (phrasings(self, &f.phrasings), phrasings(m, &o.phrasings));
        let gained_or_lost = now
            .iter()
            .filter(|p| !was.contains(p))
            .chain(was.iter().filter(|p| !now.contains(p)));
        for p in gained_or_lost {
            changed.extend(p.iter().filter_map(|w| self.vocab.get(w).copied()));
        }
        changed.sort_unstable();
        changed.dedup();
        Some(changed)
    }
}

impl Reach<'_> {
    /// The share of a text's weight (token ids and weights) the fact holds, by `held`.
    fn share(held: &[(u32, f32)], words: &[(u32, f32)]) -> f32 {
        let total: f32 = words.iter().map(|w| w.1).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let covered: f32 = words
            .iter()
            .filter_map(|&(id, w)| {
                let k = held.binary_search_by_key(&id, |h| h.0).ok()?;
                Some(w * held[k].1.min(STRONG))
            })
            .sum();
        covered / total
    }

    /// Whether a text with these words (ids and weights) is reached, at `bound`.
    fn touches(&self, words: &[(u32, f32)], bound: f32) -> bool {
        let covers =
            Reach::share(&self.after, words) >= bound || Reach::share(&self.before, words) >= bound;
        covers
            && self.changed.as_ref().is_none_or(|changed| {
                words
                    .iter()
                    .any(|(id, _)| changed.binary_search(id).is_ok())
            })
    }

    /// The fact base's positions of the served facts other than the changed one with a
    /// phrasing the change reaches: those whose phrasings it may send elsewhere.
    pub fn facts(&self) -> Vec<usize> {
        let m = self.matcher;
        let mut out = Vec::new();
        for (gi, g) in m.facts.iter().enumerate() {
            if Some(gi) == self.fi {
                continue;
            }
            let reached = (0..g.phrasings.len()).any(|i| {
                let words: Vec<(u32, f32)> = g
                    .phrasings
                    .ids_of(i)
                    .iter()
                    .filter(|&&id| !m.years[id as usize])
                    .map(|&id| (id, m.idf[id as usize]))
                    .collect();
                self.touches(&words, PHRASING_REACH)
            });
            if reached {
                out.push(g.fact);
            }
        }
        out
    }

    /// Whether the change reaches an analysed question: typos corrected as in a search, years
    /// left out (they are cues); a word not known exactly always may be.
    pub fn question(&self, analyzed: &Analyzed) -> bool {
        let m = self.matcher;
        let query = m.resolve(analyzed, &[]);
        if query.iter().any(|t| t.quality < 1.0) {
            return true;
        }
        let words: Vec<(u32, f32)> = query
            .iter()
            .filter(|t| as_year(&t.surface).is_none())
            .filter_map(|t| Some((t.id?, t.weight)))
            .collect();
        self.touches(&words, QUESTION_REACH)
    }

    /// The share of an analysed text's weight the changed fact covers after the change (a
    /// corrected typo at its discount, years left out): what `tests/reach.rs` bounds.
    pub fn share_after(&self, analyzed: &Analyzed) -> f32 {
        let query = self.matcher.resolve(analyzed, &[]);
        let words = query.iter().filter(|t| as_year(&t.surface).is_none());
        let total: f32 = words.clone().map(|t| t.weight).sum();
        let covered: f32 = words
            .filter_map(|t| {
                let k = self.after.binary_search_by_key(&t.id?, |h| h.0).ok()?;
                Some(t.weight * t.quality * self.after[k].1.min(STRONG))
            })
            .sum();
        if total <= 0.0 {
            0.0
        } else {
            covered / total
        }
    }
}
