//! `/stats`: the usage figures for moderators (answers and declines per day and per dispute, the
//! most and never asked facts, facts past their review date, the decline rate over time).
//!
//! It exists so moderators can see from Discord what `strikefacts stats` shows, from the same
//! [`crate::moderation::stats`] figures: this module only lays them out in one ephemeral embed
//! within Discord's limits (the charts in code blocks in the description, the lists in fields),
//! grouping days when the window has more of them than fit. The counters it reads are in memory
//! (see [`crate::moderation::usage`]), so the figures include the latest answers.

use poise::serenity_prelude as serenity;

use super::moderation::{gate, send, Access, AppContext};
use super::reply::{self, limits};
use super::retry::with_retry;
use super::Error;
use crate::moderation::stats::{self as figures, Stats};

/// Rows of the per-day chart at most (days are grouped beyond).
const CHART_ROWS: usize = 31;
/// Rows of the decline-rate chart at most.
const TREND_ROWS: usize = 12;
/// Bar widths: a code block line must fit a phone's width.
const BAR: usize = 16;
const RATE_BAR: usize = 12;
/// The description's budget, and the fields': together within the embed's 6,000 characters
/// (3,000 + 1,024 + 3 × 600, with the names and the title).
const DESCRIPTION: usize = 3_000;
const TOP_FIELD: usize = 1_024;
const FIELD: usize = 600;
/// Display questions in the most asked list are cut to this many characters.
const QUESTION: usize = 36;
/// Where the full lists are.
const MORE: &str = "`strikefacts stats` lists them all";

/// Moderators: how the bot is used (counts only, all servers together).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_MESSAGES"
)]
pub async fn stats(
    ctx: AppContext<'_>,
    #[description = "Days to show, ending today (default 30, at most 366)"]
    #[min = 1]
    #[max = 366]
    days: Option<u32>,
) -> Result<(), Error> {
    let Some(m) = gate(ctx, Access::Read).await? else {
        return Ok(());
    };
    let days = days.unwrap_or(figures::DEFAULT_DAYS);
    let backend = m.backend();
    let counts = backend.usage_log().snapshot();
    let engine = backend.engine().load_full();
    let stats = match figures::compute(&counts, engine.knowledge(), ctx.data().today(), days) {
        Ok(s) => s,
        Err(e) => return send(ctx, &e.to_string(), Vec::new()).await,
    };
    let reply = poise::CreateReply::default()
        .ephemeral(true)
        .allowed_mentions(reply::no_pings())
        .embed(layout(&stats).to_embed());
    let ctx = poise::Context::Application(ctx);
    with_retry(ctx.data().retry, "/stats reply", || ctx.send(reply.clone())).await?;
    Ok(())
}

/// The embed's text, before it is built: checkable without Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub title: String,
    pub description: String,
    /// (name, value) of each field.
    pub fields: Vec<(String, String)>,
}

impl Layout {
    fn to_embed(&self) -> serenity::CreateEmbed {
        let mut embed = serenity::CreateEmbed::new()
            .title(&self.title)
            .description(&self.description)
            .colour(reply::ANSWERED_COLOUR);
        for (name, value) in &self.fields {
            embed = embed.field(name, value, false);
        }
        embed
    }

    /// Every character Discord counts against the embed's total.
    pub fn total_chars(&self) -> usize {
        let fields: usize = self
            .fields
            .iter()
            .map(|(n, v)| n.chars().count() + v.chars().count())
            .sum();
        self.title.chars().count() + self.description.chars().count() + fields
    }
}

/// The figures laid out for one embed.
pub fn layout(s: &Stats) -> Layout {
    let rows = figures::fit_rows(&s.per_day, CHART_ROWS);
    let grouped = if rows.len() < s.per_day.len() {
        " (days grouped)"
    } else {
        ""
    };
    let description = format!(
        "{}\n{}\n\n**Per day{grouped}**: answered / declined / other\n```\n{}\n{}```\n\
         **Decline rate over time**\n```\n{}```",
        figures::SCOPE,
        figures::totals_line(s),
        figures::LEGEND,
        figures::bar_chart(&rows, BAR),
        figures::rate_chart(&figures::fit_rows(&s.trend, TREND_ROWS), RATE_BAR),
    );
    let never: Vec<String> = s.never_asked.iter().map(|id| format!("`{id}`")).collect();
    let review: Vec<String> = s
        .past_review
        .iter()
        .map(|r| format!("`{}` ({})", r.id, r.review_by))
        .collect();
    let fields = vec![
        (
            "Answers per dispute (declines have none)".to_string(),
            reply::truncate(&figures::dispute_lines(s), FIELD),
        ),
        (
            "Most asked facts".to_string(),
            reply::truncate(&figures::fact_lines(s, QUESTION), TOP_FIELD),
        ),
        (
            format!("Never asked for ({})", s.never_asked.len()),
            within(&never, FIELD),
        ),
        (
            format!("Past review_by ({})", s.past_review.len()),
            within(&review, FIELD),
        ),
    ];
    Layout {
        title: format!("Usage, last {} day(s)", s.days),
        description: reply::truncate(&description, DESCRIPTION.min(limits::EMBED_DESCRIPTION)),
        fields,
    }
}

/// As many items as fit in `max` characters, then how many more there are.
fn within(items: &[String], max: usize) -> String {
    if items.is_empty() {
        return "none".to_string();
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let left = items.len() - i;
        let tail = format!(" …and {left} more ({MORE})");
        if out.chars().count() + item.chars().count() + 2 + tail.chars().count() > max {
            return out + &tail;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_ends_with_how_many_more() {
        let items: Vec<String> = (0..200).map(|i| format!("`fact-number-{i}`")).collect();
        let text = within(&items, FIELD);
        assert!(text.chars().count() <= FIELD, "{text}");
        assert!(text.contains("more"), "{text}");
        assert_eq!(
            within(&items[..2], FIELD),
            "`fact-number-0`, `fact-number-1`"
        );
    }
}
