//! The figures and quoted phrases of a text, so that `check` can report an answer's figure or
//! quotation that none of its cited sources contains.
//!
//! A figure is a number, a percentage, a money amount or a day of a month, read the same way in
//! an answer and in a source however each writes it ("58%" and "58 per cent", "£1.7bn" and
//! "£1.7 billion", "17 December" and "December 17", "26,766" and "26766").

use std::collections::BTreeSet;

/// One figure, normalised.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Figure {
    /// A number as written without thousands separators: "5000", "5.4", "2023/24".
    Number(String),
    Percent(String),
    /// The number with its scale: "£1.7b", "£200m", "£1250".
    Money(String),
    /// Day and month.
    Date(u32, u32),
}

impl Figure {
    /// Whether `source`'s figures contain this one. A bare number is found in any figure of the
    /// source that carries it ("8am on 9 March" has 8 and 9); the others need their own kind.
    pub fn found_in(&self, source: &BTreeSet<Figure>) -> bool {
        match self {
            Figure::Number(n) => {
                source.contains(self)
                    || source.iter().any(|f| match f {
                        Figure::Percent(m) | Figure::Money(m) => {
                            m.trim_start_matches('£') == n
                                || m.trim_start_matches('£').trim_end_matches(['b', 'm']) == n
                        }
                        Figure::Date(d, _) => n.parse::<u32>().ok() == Some(*d),
                        Figure::Number(_) => false,
                    })
            }
            // "14 to 18 November" against "November 14 to 18": the day as a number, beside
            // a day of the same month.
            Figure::Date(d, m) => {
                source.contains(self)
                    || (source.contains(&Figure::Number(d.to_string()))
                        && source
                            .iter()
                            .any(|f| matches!(f, Figure::Date(_, n) if n == m)))
            }
            _ => source.contains(self),
        }
    }
}

/// The three-letter forms of the months, as sources abbreviate them.
const SHORT_MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A month named by its word ("march", "mar", "sept"), 1 to 12: full names as the lexicon knows
/// them, or their abbreviations.
fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if let Some(n) = crate::lexicon::month_number(w) {
        return Some(n);
    }
    let short = if w == "sept" { "sep" } else { w };
    SHORT_MONTHS
        .iter()
        .position(|m| *m == short)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Lower case, thousands separators dropped, "per cent" written "%".
fn normalise(text: &str) -> String {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut out = String::with_capacity(chars.len());
    for (i, c) in chars.iter().enumerate() {
        let digit = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_ascii_digit())
        };
        if *c == ',' && digit(i.checked_sub(1)) && digit(Some(i + 1)) {
            continue;
        }
        out.push(*c);
    }
    out.replace(" per cent", "%")
        .replace("per cent", "%")
        .replace(" percent", "%")
        .replace(" %", "%")
}

/// The figures of a text, each with the words it was read from.
pub fn figures(text: &str) -> Vec<(Figure, String)> {
    let t = normalise(text);
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit()
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len()
            && (b[i].is_ascii_digit()
                || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
                || (b[i] == b'/' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
        }
        let number = t[start..i].to_string();
        // "2015–16", "2022-24": a span of years, the second written short.
        if let Some(short) = short_year(&number, &t[i..]) {
            let shown = text_near(&t, start, i);
            out.push((Figure::Number(number.clone()), shown.clone()));
            out.push((Figure::Number(format!("{}{short}", &number[..2])), shown));
            i += t[i..].chars().next().map_or(1, char::len_utf8) + 2;
            continue;
        }
        let money = t[..start].ends_with('£');
        let rest = &t[i..];
        let figure = if rest.starts_with('%') {
            Figure::Percent(number.clone())
        } else if money {
            let r = rest.trim_start();
            let scale = if r.starts_with("bn") || r.starts_with("billion") {
                "b"
            } else if r.starts_with("million")
                || (r.starts_with('m') && !r[1..].starts_with(|c: char| c.is_alphabetic()))
            {
                "m"
            } else {
                ""
            };
            Figure::Money(format!("£{number}{scale}"))
        } else if let Some(d) = day_of_month(&t[..start], rest, &number) {
            d
        } else {
            Figure::Number(number.trim_start_matches('0').to_string()).normalised()
        };
        let shown = text_near(&t, start, i);
        out.push((figure, shown));
    }
    out
}

impl Figure {
    /// "0" stays "0" after leading zeros go.
    fn normalised(self) -> Figure {
        match self {
            Figure::Number(n) if n.is_empty() || n.starts_with('.') => {
                Figure::Number(format!("0{n}"))
            }
            f => f,
        }
    }
}

/// The two digits after a year and a dash, when they end the number ("–16" of "2015–16").
fn short_year(number: &str, rest: &str) -> Option<String> {
    if number.len() != 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let after = rest.strip_prefix('–').or_else(|| rest.strip_prefix('-'))?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 2).then_some(digits)
}

/// "17 December", "17th Dec", "December 17": a day of a month, the month before or after.
fn day_of_month(before: &str, rest: &str, number: &str) -> Option<Figure> {
    let day: u32 = number.parse().ok().filter(|d| (1..=31).contains(d))?;
    let after = rest
        .trim_start_matches(|c: char| c.is_ascii_alphabetic() && "stndrh".contains(c))
        .trim_start();
    let next_word = after
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    // "March 13" but not "11 March, 8am": the month just before, with one space between.
    let prev_word = before
        .strip_suffix(' ')
        .filter(|_| !rest.starts_with("am") && !rest.starts_with("pm"))
        .and_then(|b| b.rsplit(|c: char| !c.is_alphabetic()).next())
        .unwrap_or("");
    let m = month(next_word).or_else(|| month(prev_word))?;
    Some(Figure::Date(day, m))
}

fn text_near(t: &str, start: usize, end: usize) -> String {
    let from = t[..start].char_indices().rev().nth(1).map_or(0, |(i, _)| i);
    let to = t[end..]
        .char_indices()
        .nth(8)
        .map_or(t.len(), |(i, _)| end + i);
    t[from..to].trim().to_string()
}

/// The phrases a text puts in double quotation marks.
pub fn quoted(text: &str) -> Vec<String> {
    let mapped: String = text
        .chars()
        .map(|c| if c == '“' || c == '”' { '"' } else { c })
        .collect();
    mapped
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(String::from)
        .collect()
}

/// The set of a text's figures, for looking answers' figures up in.
pub fn figure_set(text: &str) -> BTreeSet<Figure> {
    figures(text).into_iter().map(|(f, _)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Figure> {
        figures(text).into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn figures_read_alike_however_written() {
        assert_eq!(kinds("58 per cent"), kinds("58%"));
        assert_eq!(kinds("£1.7 billion"), kinds("£1.7bn"));
        assert_eq!(kinds("26,766 votes"), vec![Figure::Number("26766".into())]);
        assert_eq!(kinds("on December 17"), vec![Figure::Date(17, 12)]);
        assert_eq!(
            kinds("Wednesday 17th December 2025"),
            vec![Figure::Date(17, 12), Figure::Number("2025".into())]
        );
        assert_eq!(
            kinds("the 2023/24 award"),
            vec![Figure::Number("2023/24".into())]
        );
        assert_eq!(
            kinds("£200m this year"),
            vec![Figure::Money("£200m".into())]
        );
    }

    #[test]
    fn a_span_of_years_gives_both_years() {
        assert_eq!(
            kinds("the 2015–16 dispute"),
            vec![Figure::Number("2015".into()), Figure::Number("2016".into())]
        );
    }

    #[test]
    fn a_bare_number_is_found_inside_other_figures() {
        let source = figure_set("from 8am on 9 March, a 5.4% rise");
        assert!(Figure::Number("9".into()).found_in(&source));
        assert!(Figure::Number("5.4".into()).found_in(&source));
        assert!(!Figure::Percent("9".into()).found_in(&source));
        assert!(!Figure::Number("21".into()).found_in(&source));
    }

    #[test]
    fn quoted_phrases_are_read_from_straight_and_curly_quotes() {
        assert_eq!(
            quoted("he said \"bound to fail\" and “misconceived”"),
            vec!["bound to fail", "misconceived"]
        );
    }
}
