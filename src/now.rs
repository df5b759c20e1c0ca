//! Whether a question asks about now.
//!
//! "Now" is judged against today's date, so it changes what may answer: the newest dispute's
//! state, and nothing dated after today. People rarely say "now": "when are they striking?", "is
//! the strike going ahead?" and "will they strike again?" ask about the present in their tense.
//! The words that say so are data in `knowledge/now.toml`, one list per way of saying it.

use serde::Deserialize;

use crate::lexicon::has_run;

/// `now.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NowWords {
    /// Words that name the present ("now", "currently", "still"), read after folding.
    words: Vec<String>,
    /// Runs of words that name it ("this week", "at the moment").
    phrases: Vec<String>,
    /// Words after "now" that make it part of a name ("now called"), not the present.
    naming: Vec<String>,
    /// Words of the future tense ("will", "gonna"), read before folding.
    future: Vec<String>,
    /// Runs of words of the future tense ("going to", "planning to").
    future_phrases: Vec<String>,
    /// Present forms of "to be" ("is", "are"), which, followed by an [`NowWords::ongoing`]
    /// word, put an event in the present: "are they striking?".
    present: Vec<String>,
    /// Words of an event going on ("striking", "happening", "going ahead").
    ongoing: Vec<String>,
    /// How many words after a present form an ongoing word may come ("are the resident doctors
    /// striking?" has three between).
    reach: usize,
    /// Question words that ask a reason or a person, not whether, when or how many.
    not_whether: Vec<String>,
    /// What a question about now that names nothing is about ("what's the latest?"): the
    /// words it is asked with. Without it, such a question is declined.
    #[serde(default)]
    pub unnamed_topic: String,
}

impl NowWords {
    /// Whether a question asks about now: it names the present, or, naming no time of its own
    /// and asking no reason, speaks of an event in the present or future tense. `folded` are the question's words
    /// after the lexicon's folding ("rn" is "now"); `plain` the same words before it, whose
    /// endings still tell "striking" from "strike".
    pub fn asks_now(&self, folded: &[String], plain: &[String], names_time: bool) -> bool {
        self.names_now(folded)
            || (!names_time && self.may_ask_whether_on(plain) && self.in_tense(plain))
    }

    /// Whether a question may ask whether, when or how many (what the strike timeline answers):
    /// "why are they still striking?" asks a reason instead.
    pub fn may_ask_whether_on(&self, plain: &[String]) -> bool {
        !plain.iter().any(|w| self.not_whether.contains(w))
    }

    fn names_now(&self, folded: &[String]) -> bool {
        let naming = folded
            .windows(2)
            .any(|w| w[0] == "now" && self.naming.contains(&w[1]));
        (folded.iter().any(|w| self.words.contains(w)) && !naming)
            || self.phrases.iter().any(|p| has_run(folded, p))
    }

    /// The present or future tense of an event: "will they strike again?", "are doctors going
    /// on strike?", "is it going ahead?".
    fn in_tense(&self, plain: &[String]) -> bool {
        if plain.iter().any(|w| self.future.contains(w))
            || self.future_phrases.iter().any(|p| has_run(plain, p))
        {
            return true;
        }
        plain.iter().enumerate().any(|(i, w)| {
            self.present.contains(w) && {
                let after = &plain[i + 1..plain.len().min(i + 2 + self.reach)];
                self.ongoing.iter().any(|o| has_run(after, o))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> NowWords {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/now.toml"),
        )
        .expect("knowledge/now.toml is readable");
        toml::from_str(&text).expect("knowledge/now.toml parses")
    }

    fn now(q: &str) -> bool {
        let plain: Vec<String> = crate::lexicon::plain(q)
            .split_whitespace()
            .map(String::from)
            .collect();
        words().asks_now(&plain, &plain, false)
    }

    #[test]
    fn the_present_and_future_tense_of_an_event_ask_about_now() {
        assert!(now("will the doctors walk out again"));
        assert!(now("are the resident doctors striking"));
        assert!(now("is the walkout going ahead"));
        assert!(now("are junior doctors going to strike"));
        assert!(now("what is the situation currently"));
    }

    #[test]
    fn the_past_tense_and_names_do_not() {
        assert!(!now("when were the doctors striking"));
        assert!(!now("why did they strike in the end"));
        assert!(!now("why are junior doctors now called resident doctors"));
        assert!(!now("what is a junior doctor"));
        assert!(!now("why are the doctors striking"));
    }

    #[test]
    fn a_named_time_outranks_the_tense() {
        let plain: Vec<String> = ["will", "they", "strike", "in", "2016"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert!(!words().asks_now(&plain, &plain, true));
    }
}
