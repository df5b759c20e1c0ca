//! The bounds that let a moderator's change be checked against only the phrasings and questions
//! its fact can reach (`src/matcher/reach.rs`): on the real fact base, every fact a question's
//! answer uses, and the fact a phrasing's answer leads with, covers at least that share of what
//! was asked. If the matcher changes so that a fact answers with less, the bounds must come
//! down, or edits would miss questions they change.

use std::path::Path;

use chrono::NaiveDate;
use strikefacts::eval::load_questions;
use strikefacts::matcher::{PHRASING_REACH, QUESTION_REACH};
use strikefacts::Engine;

fn engine() -> Engine {
    Engine::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")).expect("fact base")
}

/// The shares of `text` covered by the facts the answer uses, in the answer's order (timeline
/// answers aside, and facts marked `state`: they answer "is it over?" by rule, whatever the
/// words, and a change of one asks the whole question set again and checks the state facts the
/// rule then answers differently).
fn shares(engine: &Engine, previous: &[String], text: &str, today: NaiveDate) -> Vec<f32> {
    let answer = engine.ask_conversation(previous, text, today);
    let mut asked = previous.join(" ");
    asked.push(' ');
    asked.push_str(text);
    let analyzed = engine.matcher().lexicon().analyze(&asked);
    let kb = engine.knowledge();
    answer
        .facts
        .iter()
        .filter_map(|f| kb.facts.iter().position(|k| k.id == f.id))
        .filter(|&at| !kb.facts[at].state)
        .map(|at| {
            engine
                .matcher()
                .reach(Some(at), None)
                .share_after(&analyzed)
        })
        .collect()
}

#[test]
fn every_fact_an_answer_uses_covers_enough_of_the_question() {
    let engine = engine();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
    let mut least = (1.0f32, String::new());
    for file in ["tests/questions.jsonl", "tests/conversations.jsonl"] {
        for q in load_questions(&root.join(file)).expect("questions") {
            let share = shares(&engine, &q.previous, &q.q, today)
                .into_iter()
                .fold(1.0, f32::min);
            if share < least.0 {
                least = (share, q.q.clone());
            }
        }
    }
    println!("least share {:.3}: {:?}", least.0, least.1);
    assert!(least.0 >= QUESTION_REACH, "{least:?}");
}

#[test]
fn the_fact_a_phrasing_leads_to_covers_enough_of_it() {
    let engine = engine();
    let mut least = (1.0f32, String::new());
    for fact in engine.knowledge().served_facts() {
        for p in &fact.phrasings {
            let first = shares(&engine, &[], p, fact.as_of.latest())
                .first()
                .copied();
            let share = first.unwrap_or(1.0);
            if share < least.0 {
                least = (share, p.clone());
            }
        }
    }
    println!("least share {:.3}: {:?}", least.0, least.1);
    assert!(least.0 >= PHRASING_REACH, "{least:?}");
}

/// A rebuild after a change of one fact (the moderators' path) answers every question exactly
/// as a build of the changed fact base does.
#[test]
fn a_rebuild_answers_as_a_build_does() {
    let engine = engine();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("date");
    let mut kb = engine.knowledge().clone();
    let at = kb
        .facts
        .iter()
        .position(|f| f.is_served())
        .expect("a served fact");
    kb.facts[at]
        .answer
        .push_str(" Walkouts were rescheduled twice (rev 7).");
    kb.facts[at]
        .phrasings
        .push("which walkouts were rescheduled twice".to_string());
    let rebuilt = engine.with_facts(kb.clone());
    let built = Engine::new(kb);
    for q in load_questions(&root.join("tests/questions.jsonl")).expect("questions") {
        let (a, b) = (rebuilt.ask(&q.q, today), built.ask(&q.q, today));
        assert_eq!(
            (a.text, a.confidence.to_bits()),
            (b.text, b.confidence.to_bits()),
            "{}",
            q.q
        );
    }
}
