//! `/unanswered`: the questions the bot declined, most asked first (similar wordings grouped),
//! with buttons to turn each group into a phrasing of a fact, start a new fact from it, or
//! dismiss it.
//!
//! It exists because declined questions show where the fact base is thin. Only the question
//! text, time and server are stored (by the back end), never who asked. A group's id (8 hex
//! characters) travels in the buttons' custom ids; the back end finds the group again by it, so a
//! group handled meanwhile by another moderator is reported, not handled twice.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::fact::{fact_form, new_draft, FormKind};
use super::moderation::{
    custom_id, form_title, gate, ids, input, label, send, Access, AppContext, ChangeOp, FormValues,
    Moderator, Target,
};
use super::reply::{self, limits};
use super::{Data, Error};
use crate::moderation::{Moderation, UnansweredGroup};

/// Groups shown at once: one row of buttons each, and Discord allows five rows.
const SHOWN: usize = 5;

/// Moderators: the questions the bot could not answer, to turn into facts.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_MESSAGES"
)]
pub async fn unanswered(ctx: AppContext<'_>) -> Result<(), Error> {
    let Some(m) = gate(ctx, Access::Read).await? else {
        return Ok(());
    };
    let today = ctx.data().today();
    let guild = m.guild;
    let listed = m
        .call(move |b| {
            b.unanswered(guild).map(|groups| {
                groups
                    .into_iter()
                    .map(|g| {
                        let best = best_fact(b, &g.question, today);
                        let shown = best.as_deref().and_then(|id| display_question(b, id));
                        (g, best, shown)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .await?;
    let groups = match listed {
        Ok(g) => g,
        Err(e) => return send(ctx, &e.to_string(), Vec::new()).await,
    };
    if groups.is_empty() {
        return send(ctx, "No unanswered questions: nothing to do.", Vec::new()).await;
    }
    let (text, rows) = render(&groups);
    send(ctx, &text, rows).await
}

/// The served fact the matcher finds closest to a question (below the answering threshold,
/// since the question was declined): the likely target for a new phrasing.
fn best_fact(backend: &Moderation, question: &str, today: chrono::NaiveDate) -> Option<String> {
    let engine = backend.engine().load_full();
    let m = engine.top_match(question, today)?;
    engine
        .knowledge()
        .facts
        .get(m.fact)
        .filter(|f| f.is_served())
        .map(|f| f.id.clone())
}

/// The display question of fact `id`, as the buttons and autocomplete show it.
fn display_question(backend: &Moderation, id: &str) -> Option<String> {
    let engine = backend.engine().load_full();
    engine.knowledge().fact(id)?.question.clone()
}

/// A closest fact as the list shows it: its id, and its display question when it has one.
fn closest(id: &str, shown: Option<&str>) -> String {
    match shown {
        Some(q) => format!(" · closest fact `{id}` (“{q}”)"),
        None => format!(" · closest fact `{id}`"),
    }
}

/// The list and one row of buttons per shown group.
fn render(
    groups: &[(UnansweredGroup, Option<String>, Option<String>)],
) -> (String, Vec<serenity::CreateActionRow>) {
    let total: usize = groups.iter().map(|(g, _, _)| g.count).sum();
    let mut text = format!(
        "{} unanswered question(s) in {} group(s), most asked first:",
        total,
        groups.len()
    );
    let per_group = (limits::CONTENT - 200) / SHOWN;
    let mut rows = Vec::new();
    for (i, (g, best, shown)) in groups.iter().take(SHOWN).enumerate() {
        let n = i + 1;
        let mut line = format!("\n**{n}.** ×{} “{}”", g.count, one_line(&g.question));
        let others: Vec<String> = g
            .questions
            .iter()
            .skip(1)
            .take(3)
            .map(|(q, c)| format!("“{}” ×{c}", one_line(q)))
            .collect();
        if !others.is_empty() {
            line.push_str(&format!(" · also {}", others.join(", ")));
        }
        if let Some(b) = best {
            line.push_str(&closest(b, shown.as_deref()));
        }
        line.push_str(&format!(" · last {}", g.last_at));
        text.push_str(&reply::truncate(&line, per_group));
        let mut buttons = Vec::new();
        if let Some(b) = best {
            if let Some(id) = custom_id(ids::ALIAS_UNANSWERED, &[&g.id, b]) {
                buttons.push(
                    serenity::CreateButton::new(id)
                        .label(label(&format!("{n} · phrasing of {b}")))
                        .style(serenity::ButtonStyle::Primary),
                );
            }
        }
        let mut push = |prefix: &str, text: String, style| {
            if let Some(id) = custom_id(prefix, &[&g.id]) {
                buttons.push(
                    serenity::CreateButton::new(id)
                        .label(label(&text))
                        .style(style),
                );
            }
        };
        push(
            ids::ALIAS_OTHER,
            format!("{n} · phrasing of…"),
            serenity::ButtonStyle::Secondary,
        );
        push(
            ids::NEW_FROM_UNANSWERED,
            format!("{n} · new fact"),
            serenity::ButtonStyle::Success,
        );
        push(
            ids::DISMISS,
            format!("{n} · dismiss"),
            serenity::ButtonStyle::Danger,
        );
        rows.push(serenity::CreateActionRow::Buttons(buttons));
    }
    if groups.len() > SHOWN {
        text.push_str(&format!(
            "\n…and {} more group(s); handle these first.",
            groups.len() - SHOWN
        ));
    }
    (reply::truncate(&text, limits::CONTENT), rows)
}

/// Adds the group's question as a phrasing of `fact`; the group is handled then.
fn alias_op(m: &Moderator<'_>, group: &str, fact: &str) -> ChangeOp {
    let (actor, guild) = (m.actor.clone(), m.guild);
    let (group, fact) = (group.to_string(), fact.to_string());
    Arc::new(move |b, confirm| b.unanswered_to_alias(&actor, guild, &group, &fact, confirm))
}

fn one_line(s: &str) -> String {
    reply::truncate(&s.split_whitespace().collect::<Vec<_>>().join(" "), 150)
}

/// A moderator's click on one of the group buttons (`id` is its custom id).
pub async fn on_click(
    ctx: &serenity::Context,
    target: &Target<'_>,
    data: &Data,
    m: &Moderator<'_>,
    id: &str,
) -> Result<(), Error> {
    let guild = m.guild;
    if let Some(rest) = id.strip_prefix(ids::ALIAS_UNANSWERED) {
        let Some((group, fact)) = rest.split_once(':') else {
            return target
                .say(ctx, data, "This button is malformed; list again.")
                .await;
        };
        return target.change(ctx, data, m, alias_op(m, group, fact)).await;
    }
    if let Some(group) = id.strip_prefix(ids::ALIAS_OTHER) {
        let today = data.today();
        let g = group.to_string();
        let best = m
            .call(move |b| {
                let found = b
                    .unanswered(guild)
                    .ok()
                    .and_then(|gs| gs.into_iter().find(|x| x.id == g).map(|x| x.question));
                found.and_then(|q| best_fact(b, &q, today))
            })
            .await?;
        let modal =
            serenity::CreateModal::new(id, form_title("Add as a phrasing of…")).components(vec![
                input(
                    "fact",
                    "The fact's id",
                    false,
                    best.as_deref().unwrap_or(""),
                    true,
                    "see /fact list",
                ),
            ]);
        return target.open_form(ctx, data, modal).await;
    }
    if let Some(group) = id.strip_prefix(ids::NEW_FROM_UNANSWERED) {
        let g = group.to_string();
        let draft = match m.call(move |b| b.unanswered_to_draft(guild, &g)).await? {
            Ok(d) => d,
            Err(e) => return target.say(ctx, data, &e.to_string()).await,
        };
        let modal = fact_form(id, "New fact", &draft, FormKind::FromUnanswered);
        return target.open_form(ctx, data, modal).await;
    }
    if let Some(group) = id.strip_prefix(ids::DISMISS) {
        let (actor, g) = (m.actor.clone(), group.to_string());
        let text = match m
            .call(move |b| b.dismiss_unanswered(&actor, guild, &g))
            .await?
        {
            Ok(g) => format!("Dismissed “{}” (×{}).", one_line(&g.question), g.count),
            Err(e) => e.to_string(),
        };
        return target.say(ctx, data, &text).await;
    }
    Ok(())
}

/// A moderator's submitted "phrasing of…" or "new fact" form of a group (`id` is its custom id).
pub async fn on_form(
    ctx: &serenity::Context,
    target: &Target<'_>,
    data: &Data,
    m: &Moderator<'_>,
    id: &str,
    v: &FormValues,
) -> Result<(), Error> {
    let op: ChangeOp = if let Some(group) = id.strip_prefix(ids::ALIAS_OTHER) {
        alias_op(m, group, v.get("fact").trim())
    } else if let Some(group) = id.strip_prefix(ids::NEW_FROM_UNANSWERED) {
        let extra = v.get("extra");
        let mut words = extra.split_whitespace();
        let (Some(dispute), Some(source)) = (words.next(), words.next()) else {
            return target
                .say(
                    ctx,
                    data,
                    "Give the dispute and the source ids in the last field, e.g. `resident-2025 BBC-2026-03-01`. Nothing was changed.",
                )
                .await;
        };
        let draft = new_draft(dispute, source, v, &words.collect::<Vec<_>>().join(","));
        let (actor, guild, group) = (m.actor.clone(), m.guild, group.to_string());
        Arc::new(move |b, confirm| {
            let change = b.add(&actor, guild, draft.clone(), confirm)?;
            // The group is handled now; a failure here only leaves it listed.
            if let Err(e) = b.dismiss_unanswered(&actor, guild, &group) {
                tracing::warn!("fact added but the unanswered group stays listed: {e}");
            }
            Ok(change)
        })
    } else {
        return Ok(());
    };
    target.change(ctx, data, m, op).await
}
