//! Validating a change of one fact against the facts and questions it can reach, not the whole
//! fact base: what keeps an edit fast at 10,000 facts.
//!
//! When the files are those the serving engine was built from (the writer's fingerprint says
//! so), the change is applied to the serving fact base in memory, only the changed fact is
//! analysed again ([`Engine::with_facts`]), and `check`'s rules run on the changed fact and the
//! facts whose phrasings the change reaches ([`Reach`]), before and after: a problem is the
//! change's when it was not there before. The question set is asked again only where the
//! changed fact was in the reply or the change reaches the question; every other question keeps
//! the outcome it had. A change of a fact's date, dispute, state or whether it is served moves
//! answers that no word leads to (a question about a day, "is it over?"), so it asks the whole
//! set again; a change of a fact marked `state` also checks the state facts whose phrasings the
//! rule that answers "is it over?" with the newest state fact now answers differently.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{describe, key, Moderation, ModerationError, Outcome, Score};
use crate::check::check_fact;
use crate::engine::Engine;
use crate::eval::{self, EvalQuestion};
use crate::knowledge::{Problem, Severity};
use crate::matcher::Reach;
use crate::model::Fact;

/// The serving engine's fact base with one fact file changed, built and checked.
pub(super) struct Reached {
    pub engine: Engine,
    /// The question set's score after the change (the unreached questions as before), when
    /// there is a question set.
    pub score: Option<Score>,
    /// Why the moderator must confirm: questions that fare worse with the changed fact.
    pub to_confirm: Vec<String>,
}

impl Moderation {
    /// Steps 3 and 4 of [`Moderation::validate`] on the serving engine `serving`, whose fact
    /// base is what the files hold; `before` is the question set's score on it.
    pub(super) fn validate_reached(
        &self,
        serving: &Engine,
        id: &str,
        path: &Path,
        after: &str,
        before: Option<&Score>,
    ) -> Result<Reached, ModerationError> {
        let root = self.store.root();
        let today = self.today();
        let kb =
            serving
                .knowledge()
                .with_fact(path, after)
                .map_err(|e| ModerationError::Invalid {
                    problems: describe(&e.problems, root),
                })?;
        let unverified = super::unverified_excerpts(root, &super::FactDraft::from_toml(after)?)?;
        if !unverified.is_empty() {
            return Err(ModerationError::Invalid {
                problems: unverified,
            });
        }
        let engine = serving.with_facts(kb);
        let old = position(serving, path);
        let new = position(&engine, path);
        let new_problems = self.problems_added(serving, &engine, old, new, after, today);
        if !new_problems.is_empty() {
            return Err(ModerationError::Invalid {
                problems: describe(&new_problems, root),
            });
        }
        let Some(before) = before else {
            return Ok(Reached {
                engine,
                score: None,
                to_confirm: Vec::new(),
            });
        };
        let reach = engine
            .matcher()
            .reach(new, old.map(|o| (serving.matcher(), o)));
        let asked: Vec<EvalQuestion> = self
            .questions
            .iter()
            .filter(|q| reaches(serving, &engine, &reach, (old, new), q, before))
            .cloned()
            .collect();
        let mut score = before.clone();
        score
            .outcomes
            .extend(Score::of(&eval::run(&engine, &asked, today)).outcomes);
        let to_confirm = self.worse_reason(before, &score, id);
        Ok(Reached {
            engine,
            score: Some(score),
            to_confirm,
        })
    }

    /// The `check` errors the change adds: on the changed fact and the facts it can reach
    /// (before or after), those not there before. The costly "before" is run only when the
    /// "after" has errors, which is rare.
    fn problems_added(
        &self,
        serving: &Engine,
        engine: &Engine,
        old: Option<usize>,
        new: Option<usize>,
        after: &str,
        today: NaiveDate,
    ) -> Vec<Problem> {
        let (old_kb, kb) = (serving.knowledge(), engine.knowledge());
        let mut reached: Vec<usize> = new.into_iter().collect();
        reached.extend(
            engine
                .matcher()
                .reach(new, old.map(|o| (serving.matcher(), o)))
                .facts(),
        );
        let state_changed =
            new.is_some_and(|n| kb.facts[n].state) || old.is_some_and(|o| old_kb.facts[o].state);
        if state_changed {
            reached.extend(states_moved(serving, engine, old, new));
        }
        reached.sort_unstable();
        reached.dedup();
        let errors = |e: &Engine, f: &Fact, text: &str| -> Vec<Problem> {
            check_fact(e, f, text, today)
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .collect()
        };
        let changed = new.map(|n| &kb.facts[n].path);
        let root = self.store.root();
        // Each fact on its own: in parallel, in order.
        let added_by = |i: usize| -> Vec<Problem> {
            let fact = &kb.facts[i];
            if !fact.is_served() {
                return Vec::new();
            }
            let disk = || fs::read_to_string(&fact.path).unwrap_or_default();
            let text = if Some(&fact.path) == changed {
                after.to_string()
            } else {
                disk()
            };
            let now = errors(engine, fact, &text);
            if now.is_empty() {
                return now;
            }
            let had: HashSet<_> = match old_kb.facts.iter().find(|f| f.path == fact.path) {
                Some(was) if was.is_served() => errors(serving, was, &disk())
                    .iter()
                    .map(|p| key(p, root))
                    .collect(),
                _ => HashSet::new(),
            };
            now.into_iter()
                .filter(|p| !had.contains(&key(p, root)))
                .collect()
        };
        reached.into_par_iter().flat_map_iter(added_by).collect()
    }

    /// Why the moderator must confirm a change after which questions fare worse with fact
    /// `id` in their reply; empty when none do.
    pub(super) fn worse_reason(&self, before: &Score, after: &Score, id: &str) -> Vec<String> {
        let worse = before.worse_with(after, id);
        if worse.is_empty() {
            return Vec::new();
        }
        let listed: Vec<String> = self
            .questions
            .iter()
            .filter(|q| worse.contains(&q.id))
            .take(5)
            .map(|q| format!("  [{}] {}", q.id, q.q))
            .collect();
        vec![format!(
            "the question set answers worse: correct {} -> {}, false answers {} -> {}; \
             now worse with this fact:\n{}",
            before.count(Outcome::Correct),
            after.count(Outcome::Correct),
            before.count(Outcome::Wrong),
            after.count(Outcome::Wrong),
            listed.join("\n")
        )]
    }
}

/// A fact marked `state` answers "is it over?" by rule, whatever the words: the newest state
/// fact of the question's disputes (or of all) as of its day. After a change of a state fact,
/// the state facts (positions in `engine`'s base) as of whose day that rule now gives another
/// fact, for all disputes, their own, or the changed fact's (before or after).
fn states_moved(
    serving: &Engine,
    engine: &Engine,
    old: Option<usize>,
    new: Option<usize>,
) -> Vec<usize> {
    let (old_kb, kb) = (serving.knowledge(), engine.knowledge());
    let mut changed_disputes: Vec<&str> = Vec::new();
    changed_disputes.extend(old.map(|o| old_kb.facts[o].dispute.as_str()));
    changed_disputes.extend(new.map(|n| kb.facts[n].dispute.as_str()));
    (0..kb.facts.len())
        .filter(|&i| kb.facts[i].state && kb.facts[i].is_served())
        .filter(|&i| {
            let fact = &kb.facts[i];
            let day = fact.as_of.latest();
            let mut scopes: Vec<Vec<String>> = vec![Vec::new(), vec![fact.dispute.clone()]];
            scopes.extend(changed_disputes.iter().map(|d| vec![d.to_string()]));
            scopes.iter().any(|scope| {
                serving.newest_state_id(scope, day) != engine.newest_state_id(scope, day)
            })
        })
        .collect()
}

/// The position of the fact read from `path` in an engine's fact base.
fn position(engine: &Engine, path: &Path) -> Option<usize> {
    engine.knowledge().facts.iter().position(|f| f.path == path)
}

/// Whether a question must be asked again after the fact at `old` (in `serving`) became the
/// one at `new` (in `engine`): it had the fact in its reply, or the change reaches it, or the
/// change moves answers that no word leads to.
fn reaches(
    serving: &Engine,
    engine: &Engine,
    reach: &Reach,
    (old, new): (Option<usize>, Option<usize>),
    q: &EvalQuestion,
    before: &Score,
) -> bool {
    let (Some(o), Some(n)) = (old, new) else {
        return true;
    };
    let (was, now) = (&serving.knowledge().facts[o], &engine.knowledge().facts[n]);
    let moved = was.as_of != now.as_of
        || was.dispute != now.dispute
        || was.state != now.state
        || was.state
        || was.is_served() != now.is_served();
    if moved {
        return true;
    }
    let used = before
        .outcomes
        .get(&q.id)
        .is_none_or(|(_, facts)| facts.contains(&was.id));
    if used {
        return true;
    }
    // Its earlier turns too: a follow-up is asked about them.
    let mut text = q.previous.join(" ");
    text.push(' ');
    text.push_str(&q.q);
    reach.question(&engine.matcher().lexicon().analyze(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled engine, and the same with one fact file's text changed by `change`.
    fn changed(id: &str, change: impl Fn(&str) -> String) -> (Engine, Engine, usize) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let serving = Engine::load(&dir).expect("the bundled fact base loads");
        let at = serving
            .knowledge()
            .facts
            .iter()
            .position(|f| f.id == id)
            .expect("the fact");
        let path = serving.knowledge().facts[at].path.clone();
        let text = fs::read_to_string(&path).expect("fact file");
        let kb = serving
            .knowledge()
            .with_fact(&path, &change(&text))
            .expect("the change is valid");
        let engine = serving.with_facts(kb);
        (serving, engine, at)
    }

    #[test]
    fn a_state_facts_new_date_moves_the_states_it_now_outdates() {
        let (older, newest) = (
            "2025-dispute-no-end-in-sight",
            "2026-deal-accepted-strikes-end",
        );
        // Its answer alone: the rule gives every state fact's day the same fact as before.
        let (serving, engine, at) = changed(older, |t| t.replace("increasingly bitter", "bitter"));
        assert!(states_moved(&serving, &engine, Some(at), Some(at)).is_empty());
        // Dated through 2026, it is the newest state as of the deal's day.
        let (serving, engine, at) = changed(older, |t| {
            t.replace("as_of = \"2025-12-17\"", "as_of = \"2026\"")
        });
        let moved: Vec<&str> = states_moved(&serving, &engine, Some(at), Some(at))
            .into_iter()
            .map(|i| engine.knowledge().facts[i].id.as_str())
            .collect();
        assert!(moved.contains(&newest), "{moved:?}");
    }
}
