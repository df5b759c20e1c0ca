//! The conversation around a question: what came before it, and messages that are only a
//! greeting.
//!
//! People ask in threads of thought ("who is the health secretary now?", then "when was he
//! appointed?"). A [`Turn`] is what a question and its answer leave for the next question; the
//! engine asks a question that leans on it ([`Reference`]) about that turn's topic, with the same
//! rule it uses for a short later part of one message. The words involved, and the introduction
//! the bot gives to "hi" or "who are you?", are data in `knowledge/conversation.toml`.

use serde::Deserialize;

use crate::answer::{and_list, Answer};
use crate::cues::as_year;
use crate::lexicon::{month_number, plain};

/// What one question and its answer leave for the next question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Turn {
    pub question: String,
    /// The ids of the facts the answer gave, best first; empty when it declined.
    pub facts: Vec<String>,
    /// The month and year (or year) the first fact is true as of: "how many operations were
    /// cancelled?" after a question about the April 2016 strike asks about April 2016.
    pub when: Vec<String>,
}

impl From<&Answer> for Turn {
    fn from(a: &Answer) -> Turn {
        let when = a.facts.first().map_or_else(Vec::new, |f| {
            f.as_of
                .split_whitespace()
                .filter(|w| month_number(&w.to_lowercase()).is_some() || as_year(w).is_some())
                .map(str::to_string)
                .collect()
        });
        Turn {
            question: a.question.clone(),
            facts: a.facts.iter().map(|f| f.id.clone()).collect(),
            when,
        }
    }
}

impl Turn {
    /// The year of the answer's time, if it has one.
    pub fn year(&self) -> Option<&str> {
        self.when
            .iter()
            .map(String::as_str)
            .find(|w| as_year(w).is_some())
    }
}

/// How a question leans on what came before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// It names its own topic.
    None,
    /// "he", "her": a person named before; unknowable without a conversation.
    Person,
    /// "it", "that": the thing asked about before; unknowable without a conversation.
    Thing,
    /// "they", "their": without a conversation, the doctors on strike.
    Plural,
    /// "and in 2023?", "what about the BMA?": the previous question with a new detail.
    Continues,
    /// "what was the turnout?": no reference word, but too little of its own (no time, dispute
    /// or person, few words) to stand alone after another question. Decided by the engine,
    /// which reads those cues; [`References::of`] never gives it.
    Elliptical,
}

impl Reference {
    /// Whether the question's topic comes from the turn before it (a pronoun's referent, or
    /// the previous question for an elliptical one): its own words then say only what it asks.
    pub fn borrows_topic(self) -> bool {
        self.is_pronoun() || self == Reference::Elliptical
    }

    /// A pronoun that stands for something named before.
    pub fn is_pronoun(self) -> bool {
        matches!(
            self,
            Reference::Person | Reference::Thing | Reference::Plural
        )
    }
}

/// `conversation.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    pub references: References,
    pub follow_ups: FollowUps,
    pub introduction: Introduction,
}

/// `[follow_ups]` of `conversation.toml`: how long a conversation lasts where nothing links a
/// message to the answer before it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUps {
    /// A DM message this soon after the bot's answer follows it up.
    pub next_message_minutes: u64,
}

/// `[references]` of `conversation.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    person: Vec<String>,
    thing: Vec<String>,
    plural: Vec<String>,
    openers: Vec<String>,
    /// Questions that ask only what came after the previous answer ("what happened next?").
    sequels: Vec<String>,
    /// A question naming more topic words than this names its own topic.
    pub max_topic_words: usize,
    /// A pronoun follow-up's answer must hold at least this share of the weight of the
    /// follow-up's own words, or it is declined.
    pub own_words_share: f32,
}

impl References {
    /// How a question whose plain form is `plain_text`, naming `topic_words` words of its own,
    /// leans on what came before.
    /// An opener continues the previous question only with a detail ("and in 2023?"); one
    /// followed by a question word of `question_words` starts a question of its own ("and how
    /// many times did they strike?"), whose pronouns refer back as usual.
    pub fn of(&self, plain_text: &str, topic_words: usize, question_words: &[String]) -> Reference {
        if topic_words > self.max_topic_words {
            return Reference::None;
        }
        let words: Vec<&str> = plain_text.split_whitespace().collect();
        let padded = format!("{} ", words.join(" "));
        let continues = self.openers.iter().any(|o| {
            padded.strip_prefix(&format!("{o} ")).is_some_and(|rest| {
                rest.split_whitespace()
                    .next()
                    .is_none_or(|w| !question_words.iter().any(|q| q == w))
            })
        });
        if continues {
            Reference::Continues
        } else if has_word(plain_text, &self.person) {
            Reference::Person
        } else if has_word(plain_text, &self.thing) {
            Reference::Thing
        } else if has_word(plain_text, &self.plural) {
            Reference::Plural
        } else {
            Reference::None
        }
    }

    /// Whether a plain text uses a `plural` reference, which without a conversation stands for
    /// the doctors on strike.
    pub fn names_the_doctors(&self, plain_text: &str) -> bool {
        has_word(plain_text, &self.plural)
    }

    /// Whether a plain text asks only what came after the previous answer: one of `sequels`,
    /// perhaps after an opener ("and then what?").
    pub fn asks_what_came_next(&self, plain_text: &str) -> bool {
        let text = plain_text.split_whitespace().collect::<Vec<_>>().join(" ");
        let rest = self
            .openers
            .iter()
            .find_map(|o| text.strip_prefix(&format!("{o} ")))
            .unwrap_or(&text);
        self.sequels.iter().any(|s| s == rest || s == &text)
    }

    /// Whether a plain text uses a reference that only a conversation can resolve (a `person`
    /// or a `thing`).
    pub fn needs_conversation(&self, plain_text: &str) -> bool {
        has_word(plain_text, &self.person) || has_word(plain_text, &self.thing)
    }
}

fn has_word(plain_text: &str, list: &[String]) -> bool {
    plain_text
        .split_whitespace()
        .any(|w| list.iter().any(|l| l == w))
}

/// `[introduction]` of `conversation.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Introduction {
    greetings: Vec<String>,
    thanks: Vec<String>,
    about: Vec<String>,
    filler: Vec<String>,
    /// With `{disputes}`, `{facts}` and `{sources}` to fill in.
    pub text: String,
    /// How many example questions to offer.
    pub examples: usize,
    /// `greetings`, `thanks` and `about` in their plain form, longest first (so "thank you"
    /// goes before a "you" could be left behind); made once by [`Conversation::prepared`], as
    /// every question is checked against them.
    #[serde(skip)]
    phrases: Vec<String>,
}

impl Introduction {
    /// Whether `question` is only a greeting, thanks or "who are you?": once every such phrase
    /// and filler word is taken out, no word is left. An empty question is not one.
    pub fn is_greeting(&self, question: &str) -> bool {
        let mut rest = format!(" {} ", plain(question));
        if rest.trim().is_empty() {
            return false;
        }
        for p in &self.phrases {
            rest = rest.replace(&format!(" {p} "), " ");
        }
        rest.split_whitespace()
            .all(|w| self.filler.iter().any(|f| f == w))
    }

    /// The introduction's text with its placeholders filled in.
    pub fn render(&self, disputes: &[String], facts: usize, sources: usize) -> String {
        self.text
            .replace("{disputes}", &and_list(disputes))
            .replace("{facts}", &facts.to_string())
            .replace("{sources}", &sources.to_string())
    }
}

impl Conversation {
    /// The file as read, checked and made ready to use: `Err` names what is missing.
    pub fn prepared(mut self) -> Result<Conversation, String> {
        if self.introduction.text.trim().is_empty() {
            return Err("`[introduction]` needs a text".to_string());
        }
        let i = &mut self.introduction;
        let mut phrases: Vec<String> = i
            .greetings
            .iter()
            .chain(&i.thanks)
            .chain(&i.about)
            .map(|p| plain(p))
            .filter(|p| !p.is_empty())
            .collect();
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        i.phrases = phrases;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> Conversation {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/conversation.toml");
        let text = std::fs::read_to_string(path).expect("conversation.toml");
        let read: Conversation = toml::from_str(&text).expect("conversation.toml parses");
        read.prepared().expect("conversation.toml is valid")
    }

    #[test]
    fn a_reference_counts_only_in_a_question_that_names_little_of_its_own() {
        let r = conversation().references;
        let q: Vec<String> = ["what", "how", "when", "did"].map(String::from).to_vec();
        assert_eq!(r.of("when was he appointed", 1, &q), Reference::Person);
        assert_eq!(r.of("did he accept it", 1, &q), Reference::Person);
        assert_eq!(r.of("did they accept it", 1, &q), Reference::Thing);
        assert_eq!(r.of("when are they striking", 1, &q), Reference::Plural);
        assert_eq!(r.of("and in 2023", 1, &q), Reference::Continues);
        assert_eq!(
            r.of("and how many times did they strike", 2, &q),
            Reference::Plural
        );
        assert_eq!(
            r.of("is it true the bma accepted the deal", 3, &q),
            Reference::None
        );
        assert_eq!(r.of("when is the next strike", 2, &q), Reference::None);
    }

    #[test]
    fn only_a_question_for_what_came_next_asks_it() {
        let r = conversation().references;
        for q in [
            "what happened next",
            "and then what",
            "what happened after that",
        ] {
            assert!(r.asks_what_came_next(q), "{q}");
        }
        for q in [
            "what happens next week",
            "when is the next strike",
            "what next for the bma",
        ] {
            assert!(!r.asks_what_came_next(q), "{q}");
        }
    }

    #[test]
    fn only_a_greeting_is_a_greeting() {
        let i = conversation().introduction;
        for q in [
            "hi",
            "Hello there!",
            "thanks!",
            "who are you?",
            "hey bot, what can you do?",
        ] {
            assert!(i.is_greeting(q), "{q}");
        }
        for q in [
            "",
            "hi, when is the next strike?",
            "thanks, who is the BMA?",
            "hunt",
        ] {
            assert!(!i.is_greeting(q), "{q}");
        }
    }
}
