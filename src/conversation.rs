//! The conversation around a question: what came before it, and messages that are only a
//! greeting.
//!
//! People ask in threads of thought ("who is the health secretary now?", then "when was he
//! appointed?"). A [`Turn`] is what a question and its answer leave for the next question; the
//! engine asks a question that leans on it ([`Reference`]) about that turn's topic, with the same
//! rule it uses for a short later part of one message. The words involved, and the introduction
//! the bot gives to "hi" or "who are you?", are data in `knowledge/conversation.toml`.

use serde::Deserialize;

use crate::answer::Answer;
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
                .filter(|w| month_number(&w.to_lowercase()).is_some() || is_year(w))
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

/// A word that is a four-digit year of the disputes' era.
pub fn is_year(word: &str) -> bool {
    word.len() == 4 && word.parse::<u32>().is_ok_and(|y| (1900..2200).contains(&y))
}

/// How a question leans on what came before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// It names its own topic.
    None,
    /// "he", "it", "that strike": unknowable without a conversation.
    Singular,
    /// "they", "their": without a conversation, the doctors on strike.
    Plural,
    /// "and in 2023?", "what about the BMA?": the previous question with a new detail.
    Continues,
}

/// `conversation.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    pub references: References,
    pub introduction: Introduction,
}

/// `[references]` of `conversation.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    singular: Vec<String>,
    plural: Vec<String>,
    openers: Vec<String>,
    /// A question naming more topic words than this names its own topic.
    pub max_topic_words: usize,
}

impl References {
    /// How a question whose plain form is `plain_text`, naming `topic_words` words of its own,
    /// leans on what came before.
    pub fn of(&self, plain_text: &str, topic_words: usize) -> Reference {
        if topic_words > self.max_topic_words {
            return Reference::None;
        }
        let words: Vec<&str> = plain_text.split_whitespace().collect();
        let has = |list: &[String]| words.iter().any(|w| list.iter().any(|l| l == w));
        let padded = format!("{} ", words.join(" "));
        if self
            .openers
            .iter()
            .any(|o| padded.starts_with(&format!("{o} ")))
        {
            Reference::Continues
        } else if has(&self.singular) {
            Reference::Singular
        } else if has(&self.plural) {
            Reference::Plural
        } else {
            Reference::None
        }
    }
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
}

impl Introduction {
    /// Whether `question` is only a greeting, thanks or "who are you?": once every such phrase
    /// and filler word is taken out, no word is left. An empty question is not one.
    pub fn is_greeting(&self, question: &str) -> bool {
        let mut rest = format!(" {} ", plain(question));
        if rest.trim().is_empty() {
            return false;
        }
        let mut phrases: Vec<String> = self
            .greetings
            .iter()
            .chain(&self.thanks)
            .chain(&self.about)
            .map(|p| plain(p))
            .filter(|p| !p.is_empty())
            .collect();
        // Longest first, so "thank you" goes before a "you" could be left behind.
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in &phrases {
            rest = rest.replace(&format!(" {p} "), " ");
        }
        rest.split_whitespace()
            .all(|w| self.filler.iter().any(|f| f == w))
    }

    /// The introduction's text with its placeholders filled in.
    pub fn render(&self, disputes: &[String], facts: usize, sources: usize) -> String {
        let disputes = match disputes.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        self.text
            .replace("{disputes}", &disputes)
            .replace("{facts}", &facts.to_string())
            .replace("{sources}", &sources.to_string())
    }
}

impl Conversation {
    /// Parses `conversation.toml`; `Err((byte offset, message))` when it is malformed.
    pub fn from_toml(text: &str) -> Result<Conversation, (usize, String)> {
        let c: Conversation = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            (at, e.message().replace('\n', " "))
        })?;
        if c.introduction.text.trim().is_empty() {
            return Err((0, "`[introduction]` needs a text".to_string()));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> Conversation {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/conversation.toml");
        let text = std::fs::read_to_string(path).expect("conversation.toml");
        Conversation::from_toml(&text).expect("conversation.toml is valid")
    }

    #[test]
    fn a_reference_counts_only_in_a_question_that_names_little_of_its_own() {
        let r = conversation().references;
        assert_eq!(r.of("when was he appointed", 1), Reference::Singular);
        assert_eq!(r.of("when are they striking", 1), Reference::Plural);
        assert_eq!(r.of("and in 2023", 1), Reference::Continues);
        assert_eq!(
            r.of("is it true the bma accepted the deal", 3),
            Reference::None
        );
        assert_eq!(r.of("when is the next strike", 2), Reference::None);
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
