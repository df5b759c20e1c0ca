//! Follow-ups: a question asked with the conversation before it.
//!
//! "When was he appointed?" after "who is the health secretary now?" is asked about that answer's
//! names; "did they accept it?" about what the previous question asked about; "what was the
//! turnout?" (naming too little of its own) about the previous question; "what happened next?"
//! gets the next fact in time. The same rules serve a short later part of one message. The
//! words are in `knowledge/conversation.toml`; this room holds how they are used.

use chrono::NaiveDate;

use super::{reason_text, Engine, PartAnswer};
use crate::answer::{Answer, Decline};
use crate::conversation::{Reference, Turn};
use crate::cues;
use crate::lexicon::{month_number, plain, Analyzed};
use crate::{sequel, timeline};

impl Engine {
    /// "What happened next?" after an answer: the first facts of its dispute dated after it
    /// (see [`sequel`]), or a decline when it is the last one known. `None` for any other
    /// question, or with no answer before it.
    pub(super) fn what_came_next(
        &self,
        question: &str,
        shown: &str,
        previous: Option<&Turn>,
        notices: &[String],
        today: NaiveDate,
    ) -> Option<Answer> {
        // Most questions come with no answer before them: nothing to read then.
        let given = previous?.facts.first()?;
        let references = &self.kb.conversation.references;
        if !references.asks_what_came_next(&plain(question)) {
            return None;
        }
        let after = self.kb.facts.iter().position(|f| &f.id == given)?;
        let next = sequel::next_facts(&self.kb.facts, after, today);
        if next.is_empty() {
            let reason = Decline::Unknown;
            let message = reason_text(reason);
            let shown = shown.to_string();
            return Some(self.decline(shown, reason, Vec::new(), message, notices.to_vec(), today));
        }
        let confidence = timeline::FULLY_EXPLAINED;
        let part = PartAnswer {
            facts: next
                .iter()
                .map(|&pos| self.fact_answer_at(pos, confidence, today))
                .collect(),
            confidence,
            declined: None,
            near: Vec::new(),
        };
        Some(self.compose(shown.to_string(), vec![part], notices.to_vec(), &[]))
    }

    /// A borrowed topic (a pronoun's, or that of a question naming too little of its own) names
    /// who or what a follow-up is about, not what it asks: the topic's words are the previous
    /// answer's, so they pull towards the fact already given ("what did he say about the
    /// contract?" after "who led the junior doctors?" would get the leader again). Among the
    /// matches that clear the threshold, the one that holds most of the follow-up's own words
    /// answers; the first match keeps its place on a tie. When it holds
    /// less than `own_words_share` of them, the follow-up asked what no fact of that topic says
    /// ("what job did he have before?", "what was its turnout?"), and it is declined.
    pub(super) fn prefer_own_words(
        &self,
        answered: &mut (PartAnswer, Vec<PartAnswer>, Vec<usize>),
        own: &str,
        today: NaiveDate,
    ) {
        let (whole, parts, _) = answered;
        let Some(first) = whole.facts.first() else {
            return;
        };
        // Typos corrected: a misspelt word of its own is still one the facts may hold; a word
        // no fact uses is one none holds ("any deaths?").
        let own_tokens = self
            .matcher
            .corrected_tokens(&self.matcher.lexicon().analyze(own));
        let share = |pos: usize| self.matcher.share_held(pos, &own_tokens);
        let Some(current) = self.kb.facts.iter().position(|f| f.id == first.id) else {
            return;
        };
        let given = share(current);
        let better = whole
            .near
            .iter()
            .filter(|m| m.confidence >= self.threshold && m.fact != current)
            .map(|m| (m, share(m.fact)))
            .filter(|(_, s)| *s > given)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((m, _)) = better {
            whole.facts = vec![self.fact_answer(m, today)];
            whole.confidence = m.confidence;
            *parts = vec![whole.clone()];
        } else if given < self.kb.conversation.references.own_words_share && !own_tokens.is_empty()
        {
            whole.facts.clear();
            whole.declined = Some(Decline::Unknown);
            parts.clear();
        }
    }

    /// The parts of a question with what they refer back to filled in: a first part that leans
    /// on the previous turn ("when was he appointed?") gets that turn's topic. `None` when it
    /// leans on something only a conversation could name ("how long did it last?" on its own).
    /// The whole question to ask comes first, the parts second.
    pub(super) fn resolve_references(
        &self,
        question: &str,
        mut parts: Vec<String>,
        previous: Option<&Turn>,
        today: NaiveDate,
    ) -> Option<Resolved> {
        let unchanged = |parts| {
            Some(Resolved {
                asked: question.to_string(),
                parts,
                time_only: false,
                borrowed_topic: false,
            })
        };
        let Some(first) = parts.first() else {
            return unchanged(parts);
        };
        let references = &self.kb.conversation.references;
        let plain_first = plain(first);
        // Alone, only "he" or "it" changes anything: most questions stop here, unanalysed.
        if previous.is_none() && !references.needs_conversation(&plain_first) {
            return unchanged(parts);
        }
        let analyzed = self.matcher.lexicon().analyze(first);
        let question_words = self.kb.screener.question_words();
        let mut reference = references.of(&plain_first, analyzed.tokens.len(), question_words);
        // A pronoun beside a name or a year refers to it ("did Hunt get his way?"); but a time
        // is not what "it" or "that" stands for, only a detail of it ("was that in 2023?").
        let cues = self.read_cues(&analyzed, today);
        let named = !cues.disputes.is_empty() || !cues.years.is_empty();
        let person = self.names_person(&analyzed);
        let timed_thing = reference == Reference::Thing && !person;
        if named && reference.is_pronoun() && !timed_thing {
            reference = Reference::None;
        }
        let timed = named || cues.now;
        if reference == Reference::None && !timed && !person {
            let limit = references.max_topic_words;
            if analyzed.tokens.len() <= limit {
                reference = Reference::Elliptical;
            }
        }
        let Some(turn) = previous else {
            return self.resolve_alone(reference, cues.now, question, parts);
        };
        let topic = self.topic_for(reference, turn, &analyzed, timed);
        if topic.trim().is_empty() {
            return unchanged(parts);
        }
        parts[0] = follow_up(first, &topic);
        Some(Resolved {
            asked: follow_up(question, &topic),
            parts,
            time_only: matches!(reference, Reference::None | Reference::Elliptical),
            borrowed_topic: reference.borrows_topic(),
        })
    }

    /// A question with no conversation before it. "It" in a question about now is the strikes,
    /// as "they" are the doctors ("is it going ahead?"); a past "it" ("how long did it last?")
    /// and "he" could be anything: `None`.
    pub(super) fn resolve_alone(
        &self,
        reference: Reference,
        now: bool,
        question: &str,
        mut parts: Vec<String>,
    ) -> Option<Resolved> {
        let topic = match reference {
            Reference::Thing if now => self.kb.now.unnamed_topic.as_str(),
            Reference::Person | Reference::Thing => return None,
            _ => "",
        };
        let asked = if topic.is_empty() {
            question.to_string()
        } else {
            parts[0] = follow_up(&parts[0], topic);
            follow_up(question, topic)
        };
        Some(Resolved {
            asked,
            parts,
            time_only: false,
            borrowed_topic: false,
        })
    }

    /// What a follow-up of this `reference` is asked about, from the turn before it; empty when
    /// it stands alone. `timed` when it names a dispute, a year or now.
    pub(super) fn topic_for(
        &self,
        reference: Reference,
        turn: &Turn,
        analyzed: &Analyzed,
        timed: bool,
    ) -> String {
        match reference {
            // "and in 2023?" asks the previous question again, with its new detail.
            Reference::Continues => self.without_replaced_names(&turn.question, analyzed),
            // "he", "they": the previous answer's names, in its year (the names say who; a
            // month would tie "how many times did they strike?" to one strike).
            // "it" is what the previous question asked about, in its own words ("did they
            // accept it?" after "what did the government offer?"), unless it leant back too.
            // With its month: "the November strike" is that strike. What is asked of it may
            // come later (the vote on an offer), which the month only discounts.
            Reference::Thing if !self.leans_back(&turn.question) => format!(
                "{} {}",
                self.asked_about(&turn.question),
                turn.year().unwrap_or_default()
            ),
            Reference::Person | Reference::Thing | Reference::Plural => format!(
                "{} {}",
                self.topic_of(
                    &turn.question,
                    turn.facts.first().map(String::as_str),
                    reference == Reference::Plural
                ),
                turn.year().unwrap_or_default()
            ),
            // A question that names no time, dispute or person of its own and few words
            // ("what was the turnout?", "how many were cancelled?") is asked about what the
            // previous question asked about, at the previous answer's time; if nothing then
            // answers it, it stands alone (see `ask_after`).
            Reference::Elliptical => format!(
                "{} {}",
                self.asked_about(&turn.question),
                turn.when.join(" ")
            ),
            Reference::None if !timed => turn.when.join(" "),
            Reference::None => String::new(),
        }
    }

    /// What a question asked about, in its own words: without its question words (how it
    /// asked is not what it was about).
    pub(super) fn asked_about(&self, question: &str) -> String {
        let question_words = self.kb.screener.question_words();
        question
            .split_whitespace()
            .filter(|w| !question_words.contains(&plain(w)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether a question names a person (`people` in `lexicon.toml`).
    pub(super) fn names_person(&self, analyzed: &Analyzed) -> bool {
        let lexicon = self.matcher.lexicon();
        analyzed.tokens.iter().any(|t| lexicon.is_person(t))
    }

    /// Whether a question uses a reference only a conversation resolves ("he", "it").
    pub(super) fn leans_back(&self, question: &str) -> bool {
        let references = &self.kb.conversation.references;
        references.needs_conversation(&plain(question))
    }

    /// The previous question for a continuation ("and the BMA?"): a name the continuation gives
    /// takes the place of the names the previous question gave, as its year takes the place of
    /// their year (see [`follow_up`]).
    pub(super) fn without_replaced_names(&self, previous: &str, continuation: &Analyzed) -> String {
        if !self.names_person(continuation) {
            return previous.to_string();
        }
        let lexicon = self.matcher.lexicon();
        previous
            .split_whitespace()
            .filter(|w| {
                let word = plain(w);
                word.is_empty() || !lexicon.is_person(&lexicon.stem(&word))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// What a short follow-up part ("did they win?") or question is about: the names (not
    /// times, see [`is_time`]) among the keywords of the fact that answered the previous part or question (`fact`), since "they"
    /// names its answer ("Justice for Health"), not its question ("who took Hunt to court"). Its
    /// other keywords ("£300,000") would only pull the part back to that fact. When none is a
    /// name: for a `plural` reference, the fact's dispute ("they" are its people, not the offer
    /// the fact was about); else all its keywords. The previous part's words when it went
    /// unanswered.
    pub(super) fn topic_of(&self, previous: &str, fact: Option<&str>, plural: bool) -> String {
        let keywords = fact
            .and_then(|id| self.kb.facts.iter().find(|k| k.id == id))
            .map(|f| {
                let names: Vec<&str> = f
                    .keywords
                    .iter()
                    .filter(|k| k.chars().any(char::is_uppercase) && !is_time(k))
                    .map(String::as_str)
                    .collect();
                if !names.is_empty() {
                    names.join(" ")
                } else if plural {
                    // "they" are the people of the dispute, not the thing the fact was about.
                    self.dispute_words(&f.dispute)
                } else {
                    f.keywords.join(" ")
                }
            })
            .filter(|k| !k.trim().is_empty());
        keywords.unwrap_or_else(|| previous.to_string())
    }

    /// A dispute's label without its years ("junior doctors' pay dispute"): the years would tie
    /// a follow-up to facts of every year the dispute ran.
    pub(super) fn dispute_words(&self, id: &str) -> String {
        self.kb
            .disputes
            .iter()
            .find(|d| d.id == id)
            .map(|d| {
                d.label
                    .split_whitespace()
                    .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    }
}

/// A question with what it refers back to filled in, and its parts likewise.
pub(super) struct Resolved {
    pub(super) asked: String,
    pub(super) parts: Vec<String>,
    /// Only the previous answer's time was added: the question may stand alone.
    pub(super) time_only: bool,
    /// What it is about came from the previous turn, by a pronoun ("what did he say?") or for
    /// naming too little of its own ("what was the turnout?"): its own words say what it asks.
    pub(super) borrowed_topic: bool,
}

/// Whether a keyword only names a time ("December 2025"): capitalised, but no name. A
/// follow-up's topic leaves it out, as the year is carried apart and a month would tie the
/// follow-up to one strike.
pub(super) fn is_time(keyword: &str) -> bool {
    keyword.split_whitespace().all(|w| {
        let w = plain(w);
        month_number(&w).is_some() || w.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A question that leans on an earlier one, with that one's topic added. When the question
/// names its own year ("and in 2023?") or month ("what about in december?"), the topic's years
/// or months give way to it.
pub(super) fn follow_up(question: &str, topic: &str) -> String {
    let is_year = |w: &str| cues::as_year(w).is_some();
    let is_month = |w: &str| month_number(&plain(w)).is_some();
    let own_year = question.split(|c: char| !c.is_ascii_digit()).any(is_year);
    let own_month = question.split_whitespace().any(is_month);
    let topic: Vec<&str> = topic
        .split_whitespace()
        .filter(|w| !own_year || !is_year(w.trim_matches(|c: char| !c.is_ascii_digit())))
        .filter(|w| !own_month || !is_month(w))
        .collect();
    let question =
        question.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
    format!("{question} {}", topic.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_ups_own_year_or_month_takes_the_place_of_its_topics() {
        assert_eq!(
            follow_up("and in 2023?", "strike ballot result 2016"),
            "and in 2023 strike ballot result"
        );
        assert_eq!(
            follow_up("what about in december?", "strikes in November 2025"),
            "what about in december strikes in 2025"
        );
        assert_eq!(
            follow_up("what was the turnout?", "ballot July 2025"),
            "what was the turnout ballot July 2025"
        );
    }
}
