//! "What happened next?": the facts that follow an answer in time.
//!
//! A follow-up that asks only for what came next names nothing a matcher could use: its answer
//! is not the fact most like its words but the first fact of the same dispute dated after the
//! one just given. The phrases that ask it are `sequels` in `knowledge/conversation.toml`.

use chrono::NaiveDate;

use crate::model::Fact;

/// How many facts of the same later date an answer shows.
const MAX_SAME_DAY: usize = 2;

/// The positions (in `facts`) of the served facts of `after`'s dispute that come first after
/// it: those dated earliest among the ones that begin after it ends (a fact dated only by its
/// month ends with the month: what else happened that month may have come before it) and by
/// `today`. Empty when it is the last one known.
pub fn next_facts(facts: &[Fact], after: usize, today: NaiveDate) -> Vec<usize> {
    let Some(given) = facts.get(after) else {
        return Vec::new();
    };
    let start = given.as_of.latest();
    let later: Vec<(usize, NaiveDate)> = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_served() && f.dispute == given.dispute)
        .map(|(i, f)| (i, f.as_of.earliest()))
        .filter(|&(_, d)| d > start && d <= today)
        .collect();
    let Some(first) = later.iter().map(|&(_, d)| d).min() else {
        return Vec::new();
    };
    later
        .into_iter()
        .filter(|&(_, d)| d == first)
        .map(|(i, _)| i)
        .take(MAX_SAME_DAY)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartialDate;

    fn fact(id: &str, dispute: &str, year: i32, month: u32, day: u32) -> Fact {
        Fact {
            id: id.to_string(),
            dispute: dispute.to_string(),
            question: None,
            as_of: PartialDate {
                year,
                month: Some(month),
                day: Some(day),
            },
            approximate: false,
            answer: String::new(),
            sources: Vec::new(),
            excerpts: Vec::new(),
            phrasings: Vec::new(),
            keywords: Vec::new(),
            not_phrasings: Vec::new(),
            contested: None,
            state: false,
            review_by: None,
            retired: None,
            path: Default::default(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
    }

    #[test]
    fn the_next_fact_is_the_first_later_one_of_the_same_dispute() {
        let facts = vec![
            fact("vote", "a", 2016, 7, 5),
            fact("later", "a", 2016, 9, 1),
            fact("next", "a", 2016, 7, 6),
            fact("other-dispute", "b", 2016, 7, 5),
            fact("earlier", "a", 2016, 5, 18),
            fact("future", "a", 2027, 1, 1),
        ];
        assert_eq!(next_facts(&facts, 0, day(2026, 11, 21)), vec![2]);
        assert_eq!(
            next_facts(&facts, 1, day(2026, 11, 21)),
            Vec::<usize>::new()
        );
        // Nothing is known yet that is dated after today.
        assert_eq!(next_facts(&facts, 1, day(2030, 1, 1)), vec![5]);
        // After a fact of July as a whole, only what began after July is known to follow it.
        let mut month = facts.clone();
        month[0].as_of.day = None;
        assert_eq!(next_facts(&month, 0, day(2026, 11, 21)), vec![1]);
        assert_eq!(
            next_facts(&facts, 99, day(2026, 11, 21)),
            Vec::<usize>::new()
        );
    }
}
