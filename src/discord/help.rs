//! `/help`: what the bot knows, how to ask it, and where its facts come from, so that people can
//! judge its answers.

use std::collections::BTreeSet;

use super::reply::Reply;
use super::retry::with_retry;
use super::{Context, Error};
use crate::engine::Engine;

/// What this bot knows, how to ask it, and where its facts come from.
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let text = help_text(&ctx.data().engine.load());
    let reply = Reply::info("About strikefacts", &text).to_poise(true);
    with_retry(ctx.data().retry, "/help reply", || ctx.send(reply.clone())).await?;
    Ok(())
}

/// The help text for the fact base the engine holds now.
pub fn help_text(engine: &Engine) -> String {
    let kb = engine.knowledge();
    let mut out = String::from(
        "I answer questions about the doctors' strikes in England with short answers, each \
         with its sources and the date it is true as of. If my facts don't cover a question, \
         I say so rather than guess.\n\n**What I know about**\n",
    );
    for d in kb.disputes.iter().rev() {
        out.push_str(&format!("• {}\n", d.label));
    }
    out.push_str(&format!(
        "{} facts in all: dates of strikes, pay and demands, offers, ballots, what happens to \
         care during a strike.\n\n",
        kb.served_facts().count()
    ));
    out.push_str(
        "**How to ask**\n\
         • `/ask` and type your question: I suggest questions I can answer as you type. Add \
         `private: True` to get an answer only you see.\n\
         • Mention me with a question in a channel, or send me a direct message.\n\
         • Buttons under an answer ask related questions.\n\n",
    );
    let publishers: BTreeSet<&str> = kb
        .sources
        .values()
        .map(|s| s.publisher.trim())
        .filter(|p| !p.is_empty())
        .collect();
    let mut names: Vec<&str> = publishers.into_iter().collect();
    let more = names.len().saturating_sub(12);
    names.truncate(12);
    out.push_str(&format!(
        "**Where my facts come from**\n{} published sources, among them {}{}. Each answer links \
         its sources. What is checked: every fact carries short excerpts of its sources, and \
         each excerpt must be found word for word in the stored text of a source the fact cites \
         (for a moderator's change as for the curators' files). The answer itself is written \
         in plain words by people, who must keep it to what the excerpts say; it is reviewed, \
         not machine-checked.\n\n",
        kb.sources.len(),
        names.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ));
    out.push_str(
        "**Keeping the facts current**\n\
         Moderators of the servers that own the facts (Manage Messages or Manage Server, or a \
         role the bot is configured with, in those servers only) keep the facts up to date with `/fact add`, `/fact edit`, `/fact retire`, \
         `/fact alias`, `/fact history` and `/fact undo`, add sources with `/source add`, and \
         see what I couldn't answer with `/unanswered`. Every change is checked before it is \
         saved, a new source needs its text, and every change is kept in a history.\n\n",
    );
    out.push_str(
        "I'm not medical advice. In an emergency call 999 or go to A&E: emergency care \
         continues during strikes. For urgent help that is not an emergency, call NHS 111.",
    );
    out
}
