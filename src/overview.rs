//! Questions that name only what the bot is about ask for an overview.
//!
//! "What is the doctors' strike about?", "the doctors' strikes, explained": besides the words
//! that ask for an overview, every word is one that most facts share, so no fact stands out and the
//! best match is whichever mentions "strike" most (a poll, a date). What such a question wants is
//! what the dispute is about. The words that ask for an overview and the facts that give it are
//! data in `knowledge/overview.toml`; which words say only the topic is measured on the fact base
//! (a word most facts use), so it needs no list.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::lexicon::{has_run, Analyzed, Lexicon};

/// `overview.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overview {
    /// The fact that gives every dispute in brief, for a question that names none.
    pub all: String,
    /// Per dispute id, the fact that says what that dispute is about.
    pub disputes: BTreeMap<String, String>,
    /// Words and phrases that ask for an overview ("explained", "what you need to know").
    asks: Vec<String>,
    /// Question markers an overview question may carry ("why": why they strike is what an
    /// overview says); any other ("when", "who", "how many") asks for one fact.
    markers: Vec<String>,
    /// A word found in at least this share of the served facts says only what the bot is about.
    pub topic_share: f32,
    /// The markers as a bit set and each ask as folded words with its tokens, made once by
    /// [`Overview::prepared`]: every question is checked against them.
    #[serde(skip)]
    allowed_marks: u32,
    #[serde(skip)]
    ask_runs: Vec<(String, Vec<String>)>,
}

impl Overview {
    /// The lists folded and analysed with the fact base's lexicon, as questions are.
    pub fn prepared(mut self, lexicon: &Lexicon) -> Overview {
        self.allowed_marks = lexicon.analyze(&self.markers.join(" ")).marks;
        self.ask_runs = self
            .asks
            .iter()
            .map(|a| (lexicon.words(a).join(" "), lexicon.analyze(a).tokens))
            .collect();
        self
    }

    /// The question's topic tokens once the words that ask for an overview are taken out, or
    /// `None` when it asks for none, or carries a marker that asks for something else.
    pub fn topic_tokens(&self, analyzed: &Analyzed) -> Option<Vec<String>> {
        if analyzed.marks & !self.allowed_marks != 0 {
            return None;
        }
        let mut tokens = analyzed.tokens.clone();
        let mut asked = false;
        for (run, ask_tokens) in &self.ask_runs {
            if has_run(&analyzed.words, run) {
                asked = true;
                for t in ask_tokens {
                    if let Some(i) = tokens.iter().position(|x| x == t) {
                        tokens.remove(i);
                    }
                }
            }
        }
        asked.then_some(tokens)
    }

    /// The fact ids it names, for the load check.
    pub fn fact_ids(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        std::iter::once((self.all.as_str(), None)).chain(
            self.disputes
                .iter()
                .map(|(d, f)| (f.as_str(), Some(d.as_str()))),
        )
    }
}
