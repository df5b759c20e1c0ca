//! How a match's features become a confidence: a logistic model whose weights are a named table
//! in `knowledge/matcher.toml` (`[calibration]`), fitted by `strikefacts fit` (`src/training.rs`).
//!
//! Named fields rather than array positions, so that a reviewer reads `coverage = 0.955` and a
//! change to one feature cannot silently shift every weight after it.

use serde::{Deserialize, Serialize};

/// What the calibration sees of one match. Every value is in [0, 1].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// The uncalibrated score.
    pub raw: f32,
    /// Share of the question's weight this fact accounts for.
    pub coverage: f32,
    /// Weighted overlap with the closest phrasing.
    pub similarity: f32,
    /// Lead over the next fact of the same dispute.
    pub margin: f32,
    /// Share of the question's words that no fact uses.
    pub unknown: f32,
    /// Share of the question's words that were corrected typos.
    pub fuzzy: f32,
    /// 1 when the fact's answer fits the kind of question (a number for "how many").
    pub intent_fits: f32,
    /// 1 when the fact's month and year fit the question's.
    pub time_fits: f32,
    /// 1 / the number of the question's words: short questions say less.
    pub brevity: f32,
    /// The weight of the most important question word this fact leaves uncovered.
    pub uncovered: f32,
    /// 1 when the question names something (a capitalised word) no fact knows.
    pub unknown_name: f32,
    /// 1 when the question names a person (`people` in `lexicon.toml`) this fact never mentions.
    pub missing_person: f32,
}

/// How many features there are.
pub const FEATURES: usize = 12;

impl Features {
    /// The features in the order of [`Features::from_array`], for fitting.
    pub fn to_array(&self) -> [f32; FEATURES] {
        [
            self.raw,
            self.coverage,
            self.similarity,
            self.margin,
            self.unknown,
            self.fuzzy,
            self.intent_fits,
            self.time_fits,
            self.brevity,
            self.uncovered,
            self.unknown_name,
            self.missing_person,
        ]
    }

    pub fn from_array(a: [f32; FEATURES]) -> Features {
        let [raw, coverage, similarity, margin, unknown, fuzzy, intent_fits, time_fits, brevity, uncovered, unknown_name, missing_person] =
            a;
        Features {
            raw,
            coverage,
            similarity,
            margin,
            unknown,
            fuzzy,
            intent_fits,
            time_fits,
            brevity,
            uncovered,
            unknown_name,
            missing_person,
        }
    }
}

/// `[calibration]` of `matcher.toml`: the bias and one weight per feature, by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    pub bias: f32,
    #[serde(flatten)]
    pub weights: Features,
}

impl Calibration {
    /// The probability that answering with a match of these features is right.
    pub fn confidence(&self, f: &Features) -> f32 {
        let z = self.bias
            + self
                .weights
                .to_array()
                .iter()
                .zip(f.to_array())
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The weights as `[calibration]` lines of `matcher.toml`, in feature order.
    pub fn to_toml(&self) -> String {
        let names = [
            "raw",
            "coverage",
            "similarity",
            "margin",
            "unknown",
            "fuzzy",
            "intent_fits",
            "time_fits",
            "brevity",
            "uncovered",
            "unknown_name",
            "missing_person",
        ];
        let mut out = format!("[calibration]\nbias = {:.3}\n", self.bias);
        for (name, w) in names.iter().zip(self.weights.to_array()) {
            out.push_str(&format!("{name} = {w:.3}\n"));
        }
        out
    }

    /// Every weight, bias first (for checks that each is finite).
    pub fn all(&self) -> Vec<f32> {
        std::iter::once(self.bias)
            .chain(self.weights.to_array())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_round_trips_through_toml() {
        let c = Calibration {
            bias: -6.0,
            weights: Features::from_array([
                1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
            ]),
        };
        #[derive(Deserialize)]
        struct File {
            calibration: Calibration,
        }
        let read: File = toml::from_str(&c.to_toml()).expect("parses");
        assert_eq!(read.calibration, c);
        assert_eq!(read.calibration.weights.coverage, 2.0);
    }

    #[test]
    fn a_missing_or_unknown_weight_is_refused() {
        let whole = Calibration::default()
            .to_toml()
            .replace("[calibration]\n", "");
        assert!(toml::from_str::<Calibration>(&whole).is_ok());
        assert!(toml::from_str::<Calibration>("bias = 1.0\nraw = 1.0\n").is_err());
        let extra = format!("{whole}coverage_share = 1.0\n");
        assert!(toml::from_str::<Calibration>(&extra).is_err());
    }
}
