//! Questions asked by mentioning the bot in a channel, or in a direct message.
//!
//! Discord sends the content of these two kinds of message without the privileged Message
//! Content intent, so the bot can answer them without it. Other bots (and the bot itself) are
//! ignored so that two bots can never talk to each other in a loop.

use poise::serenity_prelude as serenity;

use super::follow_ups;
use super::ratelimit::refusal;
use super::reply::Reply;
use super::retry::with_retry;
use super::{Data, Error};
use crate::answer::Answer;
use crate::conversation::Turn;

pub async fn on_message(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    bot_id: serenity::UserId,
    data: &Data,
) -> Result<(), Error> {
    if msg.author.bot || msg.author.id == bot_id || msg.webhook_id.is_some() {
        return Ok(());
    }
    if !matches!(
        msg.kind,
        serenity::MessageType::Regular | serenity::MessageType::InlineReply
    ) {
        return Ok(());
    }
    let in_dm = msg.guild_id.is_none();
    let mentioned = msg.mentions.iter().any(|u| u.id == bot_id);
    if !in_dm && !mentioned {
        return Ok(());
    }
    let question = clean_question(&msg.content);
    let user = msg.author.id.get();
    let reply = match data.limiter.check(user) {
        Err(wait) if data.limiter.tell_refusal(user) => {
            Reply::notice(&refusal(data.limiter.limit(), wait))
        }
        // Told once this window already: a reaction says "not now" without a post.
        Err(_) => return react_refused(ctx, msg, data).await,
        Ok(()) => Reply::from_answer(&answer_following(msg, &question, bot_id, data)),
    };
    let message = reply.to_message(msg);
    with_retry(data.retry, "message reply", || {
        msg.channel_id.send_message(&ctx.http, message.clone())
    })
    .await?;
    Ok(())
}

/// Answers a message as a follow-up of the bot's answer it replies to, or in a DM of the chat's
/// last answer when it comes soon after; remembers a DM answer for the next message.
fn answer_following(
    msg: &serenity::Message,
    question: &str,
    bot_id: serenity::UserId,
    data: &Data,
) -> Answer {
    let dm = msg.guild_id.is_none().then(|| msg.channel_id.get());
    let previous = follow_ups::turn_of_reply(&data.engine.load(), msg, bot_id, data.today())
        .or_else(|| dm.and_then(|channel| data.dm_turns.turn(channel)));
    let answer = data.answer(question, msg.guild_id.map(|g| g.get()), previous.as_ref());
    if let Some(channel) = dm {
        data.dm_turns.remember(channel, &Turn::from(&answer));
    }
    answer
}

/// Marks a refused message with a reaction. A failure (no Add Reactions permission) is only
/// logged: the user was told of the limit once already.
async fn react_refused(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    data: &Data,
) -> Result<(), Error> {
    let reaction = serenity::ReactionType::Unicode(REFUSED_REACTION.to_string());
    if let Err(e) = with_retry(data.retry, "refusal reaction", || {
        msg.react(&ctx.http, reaction.clone())
    })
    .await
    {
        tracing::warn!("could not react to a refused message: {e}");
    }
    Ok(())
}

/// The reaction on a message refused by the rate limit after the user was told once.
pub const REFUSED_REACTION: &str = "⏳";

/// The question without any mention: the bot's own, other users' (`<@id>`, `<@!id>`), roles'
/// (`<@&id>`), channels' (`<#id>`), `@everyone` and `@here`. They are not words of the question
/// ("<@444> says doctors are greedy, why are they striking?" asks why they are striking), and
/// what is removed can never be matched, recorded or shown.
pub fn clean_question(content: &str) -> String {
    crate::cues::strip_mentions(content)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_every_mention() {
        assert_eq!(
            clean_question("<@42> when is the next strike? <@!42>"),
            "when is the next strike?"
        );
        assert_eq!(
            clean_question("<@7> says <@&9> in <#5> @everyone are greedy, why strike?"),
            "says in are greedy, why strike?"
        );
        assert_eq!(clean_question("<@42>"), "");
    }
}
