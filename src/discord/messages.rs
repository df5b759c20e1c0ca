//! Questions asked by mentioning the bot in a channel, or in a direct message.
//!
//! Discord sends the content of these two kinds of message without the privileged Message
//! Content intent, so the bot can answer them without it. Other bots (and the bot itself) are
//! ignored so that two bots can never talk to each other in a loop.

use poise::serenity_prelude as serenity;

use super::ratelimit::refusal;
use super::reply::Reply;
use super::retry::with_retry;
use super::{Data, Error};

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
    let question = strip_mention(&msg.content, bot_id.get());
    let reply = match data.limiter.check(msg.author.id.get()) {
        Err(wait) => Reply::notice(&refusal(data.limiter.limit(), wait)),
        Ok(()) => Reply::from_answer(&data.answer(&question, msg.guild_id.map(|g| g.get()))),
    };
    let message = reply.to_message(msg);
    with_retry(data.retry, "message reply", || {
        msg.channel_id.send_message(&ctx.http, message.clone())
    })
    .await?;
    Ok(())
}

/// The question without the bot's own mention (`<@id>` or `<@!id>`).
pub fn strip_mention(content: &str, bot_id: u64) -> String {
    content
        .replace(&format!("<@{bot_id}>"), " ")
        .replace(&format!("<@!{bot_id}>"), " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_the_bot() {
        assert_eq!(
            strip_mention("<@42> when is the next strike? <@!42>", 42),
            "when is the next strike?"
        );
        assert_eq!(strip_mention("<@7> hi <@42>", 42), "<@7> hi");
        assert_eq!(strip_mention("<@42>", 42), "");
    }
}
