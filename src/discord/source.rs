//! `/source add`: a new source for facts to cite, added before the fact itself because a Discord
//! form holds at most five inputs and the fact form needs all of them.
//!
//! It exists as its own command so `/fact add` can offer every known source by autocomplete; the
//! back end validates the source (id, date, http(s) URL) with the same loader as everything else
//! and keeps its text, which every excerpt citing it must be found in.

use super::moderation::{gate, send, Access, AppContext};
use super::Error;
use crate::moderation::SourceDraft;

/// Moderators: add sources for facts to cite.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_MESSAGES",
    subcommands("add"),
    subcommand_required
)]
pub async fn source(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a source (publisher, headline, date, URL and its text) that facts can cite.
#[poise::command(slash_command, guild_only)]
pub async fn add(
    ctx: AppContext<'_>,
    #[description = "Who published it, e.g. BBC News"]
    #[max_length = 100]
    publisher: String,
    #[description = "Its headline or title"]
    #[max_length = 300]
    headline: String,
    #[description = "Its date: YYYY-MM-DD (or YYYY-MM, YYYY)"]
    #[max_length = 10]
    date: String,
    #[description = "Its address (https://...)"]
    #[max_length = 500]
    url: String,
    #[description = "The article's text, or the passages facts will quote: excerpts are checked against it"]
    #[max_length = 6000]
    text: String,
    #[description = "An id for it (default: publisher and date, e.g. BBC-News-2026-03-01)"]
    #[max_length = 60]
    id: Option<String>,
) -> Result<(), Error> {
    let Some(m) = gate(ctx, Access::Change).await? else {
        return Ok(());
    };
    let id = id
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| suggest_source_id(&publisher, &date));
    let draft = SourceDraft {
        id,
        publisher,
        headline: Some(headline),
        date,
        url: Some(url),
        text,
        ..SourceDraft::default()
    };
    poise::Context::Application(ctx).defer_ephemeral().await?;
    let (actor, guild) = (m.actor.clone(), m.guild);
    let text = match m.call(move |b| b.add_source(&actor, guild, draft)).await? {
        Ok(entry) => format!(
            "Added source `{}`. Cite it with `/fact add … source:{}`.",
            entry.fact_id, entry.fact_id
        ),
        Err(e) => e.to_string(),
    };
    send(ctx, &text, Vec::new()).await
}

/// "BBC News", "2026-03-01" → "BBC-News-2026-03-01": readable, and valid as a source id.
pub fn suggest_source_id(publisher: &str, date: &str) -> String {
    let clean = |s: &str| -> String {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let publisher: String = clean(publisher).chars().take(30).collect();
    let publisher = publisher.trim_end_matches('-');
    let date = clean(date);
    match (publisher.is_empty(), date.is_empty()) {
        (true, _) => format!("source-{date}"),
        (false, true) => publisher.to_string(),
        (false, false) => format!("{publisher}-{date}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids_are_readable_and_valid() {
        assert_eq!(
            suggest_source_id("BBC News", "2026-03-01"),
            "BBC-News-2026-03-01"
        );
        assert_eq!(suggest_source_id("  ", "2026"), "source-2026");
        assert_eq!(suggest_source_id("Le Monde!", ""), "Le-Monde");
    }
}
