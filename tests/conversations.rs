//! Conversations (issue 20): follow-up questions asked after the question before them, the
//! introduction the bot gives to a greeting, and declines for a pronoun with nothing before it.
//! `tests/conversations.jsonl` (written for this project: two- and three-turn exchanges, each
//! with `previous`; 120 of them added unseen in session 14, 30 of those changing the subject) is
//! scored through the same code as `strikefacts eval`; its floors are what the engine reaches
//! today (below the 85% target on the whole set): raise them as it improves.

use std::path::Path;

use chrono::NaiveDate;
use strikefacts::eval::{load_questions, run};
use strikefacts::{Decline, Engine};

const MIN_FOLLOW_UPS: f64 = 0.8;
const MIN_DECLINED: f64 = 0.71;
const MAX_FALSE_ANSWERS: usize = 14;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn engine() -> Engine {
    Engine::load(&root().join("knowledge")).expect("the fact base loads")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("a real day")
}

#[test]
fn the_conversation_set_meets_its_floors() {
    let questions =
        load_questions(&root().join("tests/conversations.jsonl")).expect("conversations load");
    assert!(questions.iter().filter(|q| !q.previous.is_empty()).count() >= 40);
    let report = run(&engine(), &questions, today());
    println!("{}", strikefacts::eval::summary(&report));
    assert!(
        report.answerable.rate() >= MIN_FOLLOW_UPS,
        "follow-ups right {:.3}",
        report.answerable.rate()
    );
    assert!(
        report.abstain.rate() >= MIN_DECLINED,
        "must-decline follow-ups declined {:.3}",
        report.abstain.rate()
    );
    assert!(report.false_answers <= MAX_FALSE_ANSWERS);
}

/// The first fact of the answer to `q` after `previous`, which must be answered.
fn first_fact(e: &Engine, previous: &[String], q: &str) -> String {
    let a = e.ask_conversation(previous, q, today());
    assert!(a.answered, "{q}: {}", a.text);
    a.facts[0].id.clone()
}

#[test]
fn a_follow_up_is_asked_about_the_previous_answer() {
    let previous = vec!["who is the health secretary now?".to_string()];
    let a = engine().ask_conversation(&previous, "when was he appointed?", today());
    assert!(a.answered, "{}", a.text);
    assert_eq!(a.facts[0].id, "2026-james-murray-health-secretary");
    assert!(a.text.contains("15 May 2026"), "{}", a.text);
}

#[test]
fn a_pronoun_names_who_the_follow_up_is_about_and_its_own_words_what_it_asks() {
    let e = engine();
    let previous = ["who was the BMA's junior doctor leader in 2016?".to_string()];
    let first = |q: &str| first_fact(&e, &previous, q);
    // The leader's own fact holds "he" but not what is asked about him.
    assert_eq!(
        first("what did he call the contract?"),
        "2016-malawana-unfair-contract"
    );
    assert_eq!(first("did he quit?"), "2016-malawana-resigns");
}

#[test]
fn they_are_the_people_of_the_dispute_not_the_thing_the_answer_was_about() {
    let e = engine();
    let previous = ["what did the government offer junior doctors in july 2024?".to_string()];
    let first = |q: &str| first_fact(&e, &previous, q);
    // The offer's own words ("offer", "3.71%") would bring the offer back.
    assert_eq!(
        first("how often did they walk out?"),
        "2024-pay-dispute-11-strike-rounds"
    );
    assert_eq!(
        first("when did they first strike?"),
        "2022-pay-dispute-began-october-2022"
    );
}

#[test]
fn it_is_what_the_previous_question_asked_about() {
    let e = engine();
    let previous = ["what did the government offer junior doctors in july 2024?".to_string()];
    // The offer's answer names the offer, not the later vote on it; the vote (in September,
    // a month the question's July only discounts) is in the answer.
    let a = e.ask_conversation(&previous, "did members vote for it?", today());
    assert!(
        a.facts
            .iter()
            .any(|f| f.id == "2024-pay-deal-accepted-66-percent"),
        "{}",
        a.text
    );
    // "That strike" is the one of the month the previous question named.
    let previous = ["when was the september 2016 strike meant to start?".to_string()];
    let a = e.ask_conversation(&previous, "why was that strike called off?", today());
    assert!(
        a.facts
            .iter()
            .any(|f| f.id == "2016-september-strike-suspended"),
        "{}",
        a.text
    );
}

#[test]
fn a_name_in_a_continuation_takes_the_place_of_the_previous_questions_name() {
    let previous =
        vec!["what did the yougov poll find about the december 2025 strike?".to_string()];
    let a = engine().ask_conversation(&previous, "what about ipsos?", today());
    assert!(a.answered, "{}", a.text);
    assert_eq!(a.facts[0].id, "2025-ipsos-49-percent-oppose");
}

#[test]
fn a_question_naming_too_little_of_its_own_is_about_the_previous_question() {
    let e = engine();
    let previous = ["did junior doctors vote for strikes in november 2015?".to_string()];
    // Alone, "what was the turnout?" could be any vote's.
    assert_eq!(
        first_fact(&e, &previous, "what was the turnout?"),
        "2016-ballot-turnout"
    );
    // A month it names takes the place of the previous question's.
    let previous = ["how many operations were cancelled in the april 2016 strike?".to_string()];
    assert_eq!(
        first_fact(&e, &previous, "what about in march?"),
        "2016-march-cancellations-total"
    );
}

#[test]
fn a_follow_up_no_fact_of_its_topic_answers_is_declined_not_given_the_topic_again() {
    let e = engine();
    let previous = ["who is the health secretary now?".to_string()];
    for q in [
        "what did he do before politics?",
        "what school did he go to?",
    ] {
        let a = e.ask_conversation(&previous, q, today());
        assert!(!a.answered, "{q}: {}", a.text);
        assert!(!a.suggestions.is_empty(), "{q}");
    }
}

#[test]
fn an_answer_holding_too_little_of_what_the_follow_up_asks_is_declined() {
    let e = engine();
    // The vote's result is the topic, not its turnout, which no source gives for 2024.
    let previous = ["did junior doctors vote to accept the 2024 offer?".to_string()];
    for q in [
        "what turnout did that vote get?",
        "what was the turnout for that vote?",
    ] {
        let a = e.ask_conversation(&previous, q, today());
        assert!(!a.answered, "{q}: {}", a.text);
    }
}

#[test]
fn a_time_beside_it_is_a_detail_of_what_it_stands_for() {
    let previous = ["when did junior doctors and consultants first strike together?".to_string()];
    assert_eq!(
        first_fact(&engine(), &previous, "was that in september 2023?"),
        "2023-september-joint-strike-with-consultants"
    );
}

#[test]
fn what_happened_next_is_the_next_fact_of_the_dispute_in_time() {
    let e = engine();
    let previous = ["what was the result of the july 2016 referendum?".to_string()];
    for q in ["what happened next?", "and then what?"] {
        assert_eq!(
            first_fact(&e, &previous, q),
            "2016-hunt-imposes-from-october",
            "{q}"
        );
    }
    // After the newest fact of a dispute nothing is known to have come next.
    let previous = ["is the resident doctors dispute over?".to_string()];
    let a = e.ask_conversation(&previous, "what happened next?", today());
    assert!(!a.answered, "{}", a.text);
}

#[test]
fn a_pronoun_with_nothing_before_it_is_declined_with_suggestions() {
    let e = engine();
    for q in ["how long did it last?", "when was he appointed?"] {
        let a = e.ask(q, today());
        assert_eq!(a.declined, Some(Decline::NeedsContext), "{q}: {}", a.text);
        assert!(!a.suggestions.is_empty(), "{q}");
    }
    // A pronoun beside a name refers to it; "they" alone means the doctors.
    assert_ne!(
        e.ask("so did hunt get his way in the end?", today())
            .declined,
        Some(Decline::NeedsContext)
    );
}

#[test]
fn with_nothing_before_it_it_about_now_is_the_strikes_and_they_are_the_doctors() {
    let e = engine();
    for q in [
        "is it going ahead?",
        "when is it happening?",
        "what do they want?",
    ] {
        let a = e.ask(q, today());
        assert!(a.answered, "{q}: {}", a.text);
    }
    // Today no strike is on: "it" gets the state of the strikes, not an old strike's figures.
    let a = e.ask("is it going ahead?", today());
    assert!(a.text.contains("No strike is on today"), "{}", a.text);
    // A past "it" could be anything.
    assert_eq!(
        e.ask("how long did it last?", today()).declined,
        Some(Decline::NeedsContext)
    );
}

#[test]
fn a_greeting_gets_the_introduction_with_current_examples() {
    let e = engine();
    for q in ["hi", "who are you?", "thanks!", "hey, what can you do?"] {
        let a = e.ask(q, today());
        assert!(a.introduction, "{q}: {}", a.text);
        assert!(
            a.text.contains("2015–16 junior doctors' contract dispute"),
            "{}",
            a.text
        );
        assert_eq!(a.suggestions.len(), 3, "{q}");
        for s in &a.suggestions {
            assert!(s.starts_with(char::is_uppercase), "{s}");
        }
    }
    // The examples are facts dated on or before today: at the end of 2015 none is from 2016.
    let early = e.ask("hello", NaiveDate::from_ymd_opt(2015, 12, 1).expect("date"));
    assert!(
        early.suggestions.iter().all(|s| !s.contains("2026")),
        "{:?}",
        early.suggestions
    );
    // A greeting with a question is the question.
    assert!(
        !e.ask("hi, when was the first strike?", today())
            .introduction
    );
}
