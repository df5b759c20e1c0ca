//! What the bot says back: the structured answer every front end renders.
//!
//! The CLI prints [`Answer::text`]; `--json` serialises the whole struct; the Discord layer builds
//! an embed from the parts. Keeping one type means every front end says the same thing.

use serde::Serialize;

use crate::model::Source;

/// A source as cited in an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    pub publisher: String,
    pub headline: Option<String>,
    /// Human form: "17 Dec 2025".
    pub date: String,
    pub url: Option<String>,
}

impl From<&Source> for SourceRef {
    fn from(s: &Source) -> Self {
        SourceRef {
            publisher: s.publisher.clone(),
            headline: s.headline.clone(),
            date: s.date.to_string(),
            url: s.url.clone(),
        }
    }
}

impl SourceRef {
    /// "Reuters, 17 Dec 2025 <https://...>"
    pub fn cite(&self) -> String {
        match &self.url {
            Some(url) => format!("{}, {} <{}>", self.publisher, self.date, url),
            None => format!("{}, {}", self.publisher, self.date),
        }
    }
}

/// One fact used in an answer (or a timeline statement, whose id starts with `timeline:`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactAnswer {
    pub id: String,
    /// The fact's display question, clean enough to show under the bot's name (none for a
    /// timeline statement or a fact that has none).
    pub question: Option<String>,
    pub dispute: String,
    /// "2025–26 resident doctors' dispute"
    pub dispute_label: String,
    pub answer: String,
    /// Human form of the date it is true as of: "17 Dec 2025", "about Jun 2026".
    pub as_of: String,
    pub confidence: f32,
    pub sources: Vec<SourceRef>,
    /// Set when the fact's review date has passed.
    pub stale: bool,
    /// A note on a contested figure.
    pub contested: Option<String>,
}

/// Why a question was declined (absent when it was answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decline {
    /// Nothing left to ask once mentions, emoji and punctuation are removed.
    Empty,
    /// The text tries to instruct the bot.
    Instruction,
    /// No fact matches well enough.
    Unknown,
    /// It names a time or dispute that has no such fact.
    OutsideTime,
    /// Longer than the bot reads.
    TooLong,
    /// About somewhere other than England, which the facts do not cover.
    OtherPlace,
    /// It leans on an earlier question ("when was he appointed?") and there is none.
    NeedsContext,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub question: String,
    pub answered: bool,
    /// The whole reply as text (Discord markdown); `None` when declined.
    pub answer: Option<String>,
    /// The reply text whether answered or not (declines explain themselves).
    #[serde(skip)]
    pub text: String,
    pub confidence: f32,
    pub facts: Vec<FactAnswer>,
    pub suggestions: Vec<String>,
    /// NHS signposting, staleness warnings: shown with the answer.
    pub notices: Vec<String>,
    pub declined: Option<Decline>,
    /// Set when the question sounded like someone needs help: the notices then carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Help>,
    /// The bot introducing itself (to "hi" or "who are you?"): no fact, example questions as
    /// its suggestions.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub introduction: bool,
}

impl Answer {
    /// The reply to someone who may need care now and whose question no fact answers: the NHS
    /// signposting is the answer.
    pub fn signposting(
        question: String,
        notices: Vec<String>,
        suggestions: Vec<String>,
        help: Option<Help>,
    ) -> Answer {
        let text = notices.join("\n\n");
        Answer {
            help,
            ..Answer::without_facts(question, text, notices, suggestions)
        }
    }

    /// A reply that answers with no fact (the signposting, the introduction).
    pub fn without_facts(
        question: String,
        text: String,
        notices: Vec<String>,
        suggestions: Vec<String>,
    ) -> Answer {
        Answer {
            question,
            answered: true,
            answer: Some(text.clone()),
            text,
            confidence: 1.0,
            facts: Vec::new(),
            suggestions,
            notices,
            declined: None,
            help: None,
            introduction: false,
        }
    }
}

/// The help a question was given besides (or instead of) an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Help {
    /// The NHS signposting: 999, A&E, 111.
    Emergency,
    /// The crisis lines beside the NHS signposting.
    Crisis,
}

impl Help {
    /// The help a screened question gets, if any.
    pub fn of(screen: crate::screen::Screen) -> Option<Help> {
        if screen.crisis {
            Some(Help::Crisis)
        } else if screen.signposting {
            Some(Help::Emergency)
        } else {
            None
        }
    }
}

/// Items as an English list: "a", "a and b", "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}
