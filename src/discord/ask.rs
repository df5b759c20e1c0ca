//! `/ask`: the main way to ask, with autocomplete from the questions the bot can answer, and the
//! related-question buttons under every answer (a click asks that question).
//!
//! Autocomplete shows display questions only. What has been typed is first completed from the
//! display questions that start with it, most asked first ([`Asked`]), so that "w", "why" or
//! "who is" offer whole questions; the matcher's nearest questions fill the rest of the list (a
//! misspelt or reordered question still finds its fact).

use std::collections::HashMap;
use std::sync::Mutex;

use poise::serenity_prelude as serenity;

use super::ratelimit::refusal;
use super::reply::{self, ButtonQuestion, Reply};
use super::retry::with_retry;
use super::{Context, Data, Error};
use crate::answer::Answer;
use crate::conversation::Turn;
use crate::engine::{Engine, MAX_QUESTION_CHARS};
use crate::lexicon::plain;

/// Ask a question about the doctors' strikes in England; get a short, sourced answer.
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, e.g. why are resident doctors striking?"]
    #[autocomplete = "autocomplete_question"]
    #[max_length = 500]
    question: String,
    #[description = "Answer so that only you can see it"] private: Option<bool>,
) -> Result<(), Error> {
    let data = ctx.data();
    let private = private.unwrap_or(false);
    let reply = match data.limiter.check(ctx.author().id.get()) {
        Err(wait) => {
            // Refusals are always ephemeral: nobody else needs to see them.
            let text = refusal(data.limiter.limit(), wait);
            return send(ctx, Reply::notice(&text).to_poise(true)).await;
        }
        Ok(()) => {
            let question = super::messages::clean_question(&question);
            // In a DM, /ask soon after an answer follows it up, as a typed message would.
            let dm = ctx.guild_id().is_none().then(|| ctx.channel_id().get());
            let previous = dm.and_then(|channel| data.dm_turns.turn(channel));
            let guild = ctx.guild_id().map(|g| g.get());
            let answer = data.answer(&question, guild, previous.as_ref());
            if let Some(channel) = dm {
                data.dm_turns.remember(channel, &Turn::from(&answer));
            }
            Reply::from_answer(&answer)
        }
    };
    send(ctx, reply.to_poise(private)).await
}

async fn send(ctx: Context<'_>, reply: poise::CreateReply) -> Result<(), Error> {
    // Retrying is safe: poise marks the interaction as answered only after a success.
    with_retry(ctx.data().retry, "/ask reply", || ctx.send(reply.clone())).await?;
    Ok(())
}

/// How often each fact has been answered since the bot started, so that autocomplete can offer
/// the most asked questions first.
#[derive(Debug, Default)]
pub struct Asked(Mutex<HashMap<String, u64>>);

impl Asked {
    /// Counts one answer using these facts.
    pub fn record<'a>(&self, facts: impl IntoIterator<Item = &'a str>) {
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for id in facts {
            *counts.entry(id.to_string()).or_default() += 1;
        }
    }

    pub fn count(&self, fact: &str) -> u64 {
        let counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(fact).copied().unwrap_or(0)
    }
}

/// The display questions that start with what was typed (ignoring case and punctuation), most
/// asked first, then newest fact first (people mostly ask about the latest dispute).
pub fn starting_with(engine: &Engine, asked: &Asked, partial: &str, limit: usize) -> Vec<String> {
    let typed = plain(partial);
    let mut found: Vec<(u64, crate::model::PartialDate, &str)> = engine
        .knowledge()
        .served_facts()
        .filter_map(|f| Some((f, f.question.as_deref()?)))
        .filter(|(_, q)| plain(q).starts_with(&typed))
        .map(|(f, q)| (asked.count(&f.id), f.as_of, q))
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    found
        .into_iter()
        .take(limit)
        .map(|(_, _, q)| q.to_string())
        .collect()
}

/// Questions the bot can answer for what has been typed so far: those starting with it, most
/// asked first, then the matcher's nearest.
async fn autocomplete_question(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    // Discord caps the option at 500 characters; a longer partial cannot become a valid question.
    let partial: String = partial.chars().take(MAX_QUESTION_CHARS).collect();
    let engine = ctx.data().engine.load();
    let limit = reply::limits::AUTOCOMPLETE_CHOICES;
    let mut suggestions = starting_with(&engine, &ctx.data().asked, &partial, limit);
    suggestions.extend(engine.complete(&partial, limit, ctx.data().today()));
    let choices = reply::autocomplete_choices(suggestions)
        .into_iter()
        .map(|q| serenity::AutocompleteChoice::new(q.clone(), q))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// A click asks a whole question of its own; in a DM the next message may follow it up.
fn answer_click(click: &serenity::ComponentInteraction, question: &str, data: &Data) -> Answer {
    let answer = data.answer(question, click.guild_id.map(|g| g.get()), None);
    if click.guild_id.is_none() {
        data.dm_turns
            .remember(click.channel_id.get(), &Turn::from(&answer));
    }
    answer
}

/// A click on a related-question button: answers that question the way `/ask` would. A click
/// on a button that is not a related question is left to the caller (`false`).
pub async fn on_button(
    ctx: &serenity::Context,
    click: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<bool, Error> {
    let Some(id) = reply::question_from_id(&click.data.custom_id) else {
        return Ok(false);
    };
    let question = match id {
        ButtonQuestion::Whole(q) => q,
        ButtonQuestion::Hashed { hash, head } => {
            let candidates = data.engine.load().complete(
                &head,
                reply::limits::AUTOCOMPLETE_CHOICES,
                data.today(),
            );
            reply::resolve_hashed(hash, &head, &candidates)
        }
    };
    // An answer under a private answer stays private.
    let ephemeral = click
        .message
        .flags
        .is_some_and(|f| f.contains(serenity::MessageFlags::EPHEMERAL));
    let (reply, ephemeral) = match data.limiter.check(click.user.id.get()) {
        Err(wait) => (Reply::notice(&refusal(data.limiter.limit(), wait)), true),
        Ok(()) => (
            Reply::from_answer(&answer_click(click, &question, data)),
            ephemeral,
        ),
    };
    let response =
        serenity::CreateInteractionResponse::Message(reply.to_interaction_message(ephemeral));
    with_retry(data.retry, "button reply", || {
        click.create_response(&ctx.http, response.clone())
    })
    .await?;
    Ok(true)
}
