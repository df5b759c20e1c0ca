//! Questions that name only what the bot is about ask for an overview.
//!
//! "What is the doctors' strike about?", "junior doctors strike explained": besides the words
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
}

impl Overview {
    /// The question's topic tokens once the words that ask for an overview are taken out, or
    /// `None` when it asks for none, or carries a marker that asks for something else.
    pub fn topic_tokens(&self, analyzed: &Analyzed, lexicon: &Lexicon) -> Option<Vec<String>> {
        let allowed = lexicon.analyze(&self.markers.join(" ")).marks;
        if analyzed.marks & !allowed != 0 {
            return None;
        }
        let mut tokens = analyzed.tokens.clone();
        let mut asked = false;
        for phrase in &self.asks {
            if has_run(&analyzed.words, &lexicon.words(phrase).join(" ")) {
                asked = true;
                for t in lexicon.analyze(phrase).tokens {
                    if let Some(i) = tokens.iter().position(|x| *x == t) {
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
