//! The fact base's data model: disputes, sources, facts and strike periods.
//!
//! These are the validated, in-memory forms. The TOML shapes people edit live in
//! [`crate::knowledge`], which turns them into these types and reports `path:line` problems.

use std::fmt;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// A date known to the day, the month or only the year. Sources often give only a month
/// ("not shown (Nov 2015)"), and the fact base must not pretend to more precision than that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl PartialDate {
    /// A day known in full.
    pub fn of(day: NaiveDate) -> PartialDate {
        PartialDate {
            year: day.year(),
            month: Some(day.month()),
            day: Some(day.day()),
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `None` for anything else or an impossible date.
    pub fn parse(text: &str) -> Option<PartialDate> {
        let parts: Vec<&str> = text.trim().split('-').collect();
        let num = |s: &str, len: usize| -> Option<u32> {
            if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        let year = num(parts.first()?, 4)? as i32;
        let date = match parts.len() {
            1 => PartialDate {
                year,
                month: None,
                day: None,
            },
            2 => {
                let month = num(parts[1], 2)?;
                NaiveDate::from_ymd_opt(year, month, 1)?;
                PartialDate {
                    year,
                    month: Some(month),
                    day: None,
                }
            }
            3 => {
                let (month, day) = (num(parts[1], 2)?, num(parts[2], 2)?);
                NaiveDate::from_ymd_opt(year, month, day)?;
                PartialDate {
                    year,
                    month: Some(month),
                    day: Some(day),
                }
            }
            _ => return None,
        };
        Some(date)
    }

    pub fn from_date(date: NaiveDate) -> PartialDate {
        PartialDate {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    /// The first day this date could mean; used for ordering and "is it past?" checks.
    pub fn earliest(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The last day this date could mean.
    pub fn latest(&self) -> NaiveDate {
        let month = self.month.unwrap_or(12);
        match self.day {
            Some(day) => NaiveDate::from_ymd_opt(self.year, month, day),
            None => {
                let (y, m) = if month == 12 {
                    (self.year + 1, 1)
                } else {
                    (self.year, month + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt())
            }
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// The machine form it was written in (`2016-03`).
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{:02}-{:02}", self.year, m, d),
            (Some(m), None) => format!("{:04}-{:02}", self.year, m),
            _ => format!("{:04}", self.year),
        }
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Human form: "9 Mar 2016", "Nov 2015", "2023".
impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let month = self.month.and_then(|m| MONTHS.get(m as usize - 1)).copied();
        match (self.day, month) {
            (Some(d), Some(m)) => write!(f, "{d} {m} {}", self.year),
            (None, Some(m)) => write!(f, "{m} {}", self.year),
            _ => write!(f, "{}", self.year),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PartialDate::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "bad date {text:?}: expected YYYY-MM-DD, YYYY-MM or YYYY"
            ))
        })
    }
}

/// One of the disputes that share the name "the doctors' strike".
#[derive(Debug, Clone, Serialize)]
pub struct Dispute {
    pub id: String,
    /// "2015–16 junior doctors' contract dispute"
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Words or names that point a question at this dispute, folded by `lexicon::plain` on load.
    pub cues: Vec<String>,
}

/// Where a fact comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: String,
    pub publisher: String,
    pub headline: Option<String>,
    pub date: PartialDate,
    pub date_note: Option<String>,
    /// Only where confirmed.
    pub url: Option<String>,
    pub note: Option<String>,
}

/// Why and by whom a fact stopped being served. Retired facts stay in their file and history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Retirement {
    pub reason: String,
    pub at: String,
    pub by: String,
}

/// One curated, sourced fact.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub id: String,
    pub dispute: String,
    /// The one question shown for this fact (buttons, autocomplete, titles): clean and
    /// capitalised, where the phrasings are how people type. Set from `questions.toml`.
    pub question: Option<String>,
    pub as_of: PartialDate,
    /// True when the date is inferred: answers say "about".
    pub approximate: bool,
    pub answer: String,
    pub sources: Vec<String>,
    pub excerpts: Vec<String>,
    pub phrasings: Vec<String>,
    pub keywords: Vec<String>,
    pub not_phrasings: Vec<String>,
    pub contested: Option<String>,
    /// Says where its dispute stands (over, deal accepted, strikes continuing): "is it over?",
    /// "is there a strike now?" are answered from the newest such fact.
    pub state: bool,
    pub review_by: Option<NaiveDate>,
    pub retired: Option<Retirement>,
    /// The file it was read from (for `check` and for moderators' edits).
    #[serde(skip)]
    pub path: PathBuf,
}

impl Fact {
    pub fn is_served(&self) -> bool {
        self.retired.is_none()
    }

    /// Its `review_by` date, if that has passed by `today`: answers then warn it may be out of
    /// date, `check` says so, and `/stats` lists it.
    pub fn past_review(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.review_by.filter(|r| *r < today)
    }

    /// "as of 9 Mar 2016" or "as of about Jun 2026".
    pub fn as_of_text(&self) -> String {
        if self.approximate {
            format!("about {}", self.as_of)
        } else {
            self.as_of.to_string()
        }
    }
}

/// Whether a strike period went ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StrikeStatus {
    Held,
    /// Called off before it began.
    Suspended,
    /// Announced, not yet known to have happened.
    Planned,
}

/// How exactly the sources give a strike period's times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Only the month: a strike called off before its days were fixed.
    Month,
    /// The days, not the hour: each bound is 00:00 of its day.
    Day,
    /// The hour and minute.
    Minute,
}

/// One period of strike action, as structured data for timeline questions. `end` is exclusive
/// (the first moment not on strike), as `knowledge/README.md` sets out.
#[derive(Debug, Clone, Serialize)]
pub struct StrikePeriod {
    pub id: String,
    pub dispute: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// The stretches on strike, in order, each end exclusive: one from `start` to `end` unless
    /// the strike ran on separate days (8am to 5pm on 26 and again on 27 April 2016).
    pub spans: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub precision: Precision,
    pub action: String,
    pub status: StrikeStatus,
    pub summary: String,
    pub sources: Vec<String>,
    pub excerpts: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_parse_and_print() {
        let d = PartialDate::parse("2016-03-09").unwrap();
        assert_eq!(d.to_string(), "9 Mar 2016");
        assert_eq!(d.iso(), "2016-03-09");
        let m = PartialDate::parse("2015-11").unwrap();
        assert_eq!(m.to_string(), "Nov 2015");
        assert_eq!(m.latest(), NaiveDate::from_ymd_opt(2015, 11, 30).unwrap());
        assert_eq!(PartialDate::parse("2023").unwrap().to_string(), "2023");
        for bad in [
            "2016-13-01",
            "2016-02-30",
            "16-03-09",
            "",
            "2016-3-9",
            "yesterday",
        ] {
            assert!(PartialDate::parse(bad).is_none(), "{bad}");
        }
    }
}
