//! `/fact …`: the moderators' commands on single facts (add and edit through a form, retire,
//! alias, show, list, history, undo), each a thin layer over [`crate::moderation::Moderation`].
//!
//! It exists so that a moderator can keep the facts current from Discord in minutes. The add and
//! edit forms (Discord modals, at most five inputs) are handled statelessly: what the form does
//! not ask for travels in its custom id (the dispute and source of an add; the id and the base
//! version of an edit, so an edit based on a stale version is refused, never applied over
//! someone else's change).

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::moderation::{
    self, custom_id, form_title, gate, ids, input, label, send, Access, AppContext, ChangeOp,
    FormValues, KeptEdit, Moderator, Outcome, Target,
};
use super::reply::{self, limits};
use super::retry::with_retry;
use super::{Data, Error};
use crate::moderation::{audit::diff_lines, Actor, Change, FactDraft, Moderation, ModerationError};

/// Facts per page of `/fact list`.
const PAGE: usize = 10;
/// History entries shown by `/fact history` (the most recent).
const HISTORY: usize = 6;

/// Moderators: add, edit, retire and inspect facts.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_MESSAGES",
    subcommands("add", "edit", "retire", "alias", "show", "list", "history", "undo"),
    subcommand_required
)]
pub async fn fact(_ctx: AppContext<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a fact: choose its dispute and source here, then fill in the form.
#[poise::command(slash_command, guild_only)]
pub async fn add(
    ctx: AppContext<'_>,
    #[description = "The dispute the fact is about"]
    #[autocomplete = "autocomplete_dispute"]
    #[max_length = 40]
    dispute: String,
    #[description = "Its source (add a new one first with /source add)"]
    #[autocomplete = "autocomplete_source"]
    #[max_length = 60]
    source: String,
) -> Result<(), Error> {
    if gate(ctx, Access::Change).await?.is_none() {
        return Ok(());
    }
    let (dispute, source) = (dispute.trim(), source.trim());
    let Some(id) = custom_id(ids::ADD_FORM, &[dispute, source]) else {
        return send(ctx, "The dispute and source ids are too long.", Vec::new()).await;
    };
    if dispute.contains(':') || source.contains(':') {
        return send(
            ctx,
            "Dispute and source ids cannot contain ':'.",
            Vec::new(),
        )
        .await;
    }
    let modal = fact_form(&id, "New fact", &FactDraft::default(), FormKind::Add);
    open_form(ctx, modal).await
}

/// Edit a fact: opens the form filled in with its current text.
#[poise::command(slash_command, guild_only)]
pub async fn edit(
    ctx: AppContext<'_>,
    #[description = "The fact's id"]
    #[autocomplete = "autocomplete_fact"]
    #[max_length = 80]
    id: String,
) -> Result<(), Error> {
    let Some((_, found)) = query_fact(ctx, Access::Change, id, |b, id| b.show(id)).await? else {
        return Ok(());
    };
    let view = match found {
        Ok(v) => v,
        Err(e) => return send(ctx, &e.to_string(), Vec::new()).await,
    };
    let Some(form_id) = custom_id(ids::EDIT_FORM, &[&view.id, &view.version]) else {
        return send(
            ctx,
            "This fact's id is too long to edit from Discord; use `strikefacts fact edit`.",
            Vec::new(),
        )
        .await;
    };
    let modal = fact_form(
        &form_id,
        &format!("Edit {}", view.id),
        &view.draft,
        FormKind::Edit,
    );
    open_form(ctx, modal).await
}

/// Stop serving a fact; it stays in its file and in history.
#[poise::command(slash_command, guild_only)]
pub async fn retire(
    ctx: AppContext<'_>,
    #[description = "The fact's id"]
    #[autocomplete = "autocomplete_fact"]
    #[max_length = 80]
    id: String,
    #[description = "Why it is no longer served"]
    #[max_length = 300]
    reason: String,
) -> Result<(), Error> {
    change_fact(ctx, id, move |b, actor, guild, id, confirm| {
        b.retire(actor, guild, id, &reason, None, confirm)
    })
    .await
}

/// Teach the bot another way to ask for a fact.
#[poise::command(slash_command, guild_only)]
pub async fn alias(
    ctx: AppContext<'_>,
    #[description = "The fact's id"]
    #[autocomplete = "autocomplete_fact"]
    #[max_length = 80]
    id: String,
    #[description = "The new phrasing, as people would ask it"]
    #[max_length = 300]
    phrasing: String,
) -> Result<(), Error> {
    change_fact(ctx, id, move |b, actor, guild, id, confirm| {
        b.alias(actor, guild, id, &phrasing, None, confirm)
    })
    .await
}

/// Restore a fact's previous version (undoing an add retires the fact).
#[poise::command(slash_command, guild_only)]
pub async fn undo(
    ctx: AppContext<'_>,
    #[description = "The fact's id"]
    #[autocomplete = "autocomplete_fact"]
    #[max_length = 80]
    id: String,
    #[description = "The version it undoes, as /fact show gives it (refused if the fact changed since)"]
    #[max_length = 64]
    version: String,
) -> Result<(), Error> {
    change_fact(ctx, id, move |b, actor, guild, id, confirm| {
        b.undo(actor, guild, id, &version, confirm)
    })
    .await
}

/// Show a fact's file, its version and whether it is served.
#[poise::command(slash_command, guild_only)]
pub async fn show(
    ctx: AppContext<'_>,
    #[description = "The fact's id"]
    #[autocomplete = "autocomplete_fact"]
    #[max_length = 80]
    id: String,
) -> Result<(), Error> {
    let Some((_, found)) = query_fact(ctx, Access::Read, id, |b, id| b.show(id)).await? else {
        return Ok(());
    };
    let text = match found {
        Ok(v) => {
            let head = format!(
                "`{}` · {} · version `{}` · {}\n",
                v.id,
                v.path,
                v.version,
                if v.served { "served" } else { "retired" }
            );
            // Room for the code fence around the file.
            let room = limits::CONTENT.saturating_sub(head.chars().count() + 12);
            format!(
                "{head}```toml\n{}\n```",
                reply::truncate(&v.text.replace("```", "'''"), room)
            )
        }
        Err(e) => e.to_string(),
    };
    send(ctx, &text, Vec::new()).await
}

/// List facts, optionally of one dispute or containing a text (10 a page).
#[poise::command(slash_command, guild_only)]
pub async fn list(
    ctx: AppContext<'_>,
    #[description = "Only this dispute"]
    #[autocomplete = "autocomplete_dispute"]
    #[max_length = 30]
    dispute: Option<String>,
    #[description = "Only facts whose id, answer or phrasings contain this"]
    #[max_length = 40]
    search: Option<String>,
    #[description = "Page (from 1)"]
    #[min = 1]
    page: Option<u32>,
) -> Result<(), Error> {
    let Some(m) = gate(ctx, Access::Read).await? else {
        return Ok(());
    };
    let dispute = dispute.unwrap_or_default().trim().replace(':', "");
    let search = search.unwrap_or_default().trim().replace(':', " ");
    let page = page.unwrap_or(1).saturating_sub(1) as usize;
    let outcome = list_page(&m, dispute, search, page).await?;
    send(ctx, &outcome.text, outcome.rows).await
}

/// Who changed a fact, when, and what (the most recent changes, compact diffs).
#[poise::command(slash_command, guild_only)]
pub async fn history(
    ctx: AppContext<'_>,
    #[description = "The fact's id"]
    #[autocomplete = "autocomplete_fact"]
    #[max_length = 80]
    id: String,
) -> Result<(), Error> {
    let Some((id, found)) = query_fact(ctx, Access::Read, id, |b, id| b.history(id)).await? else {
        return Ok(());
    };
    let text = match found {
        Ok(entries) if entries.is_empty() => {
            format!("No recorded change for `{id}` (it may only have been edited by hand).")
        }
        Ok(entries) => {
            let total = entries.len();
            let shown: Vec<_> = entries.iter().rev().take(HISTORY).collect();
            // Each entry gets an equal share of the message, so the newest are all visible.
            let share = (limits::CONTENT - 120) / shown.len();
            let mut out = format!("History of `{id}` ({total} changes, newest first):");
            for e in shown {
                let place = match e.guild {
                    Some(g) => format!("server {g}"),
                    None => "shell".to_string(),
                };
                let mut head = format!(
                    "\n**#{}** {} · {} ({place}) · {}",
                    e.seq, e.at, e.actor, e.action
                );
                if let Some(n) = &e.note {
                    head.push_str(&format!(" · {}", reply::truncate(n, 80)));
                }
                let diff = diff_lines(
                    e.before.as_deref().unwrap_or(""),
                    e.after.as_deref().unwrap_or(""),
                );
                let room = share.saturating_sub(head.chars().count() + 16);
                out.push_str(&head);
                if !diff.trim().is_empty() && room > 40 {
                    out.push_str(&format!(
                        "\n```diff\n{}\n```",
                        reply::truncate(diff.replace("```", "'''").trim_end(), room)
                    ));
                }
            }
            out
        }
        Err(e) => e.to_string(),
    };
    send(ctx, &text, Vec::new()).await
}

/// Gates, then runs `query` on the fact `id` (trimmed) off the async threads. `None` if the user
/// was refused; otherwise the trimmed id and what the query found.
async fn query_fact<T: Send + 'static>(
    ctx: AppContext<'_>,
    access: Access,
    id: String,
    query: impl FnOnce(&Moderation, &str) -> T + Send + 'static,
) -> Result<Option<(String, T)>, Error> {
    let Some(m) = gate(ctx, access).await? else {
        return Ok(None);
    };
    let id = id.trim().to_string();
    let wanted = id.clone();
    let found = m.call(move |b| query(b, &wanted)).await?;
    Ok(Some((id, found)))
}

/// Gates, then defers, runs a change of the fact `id` (trimmed) by the moderator (with the
/// confirm step) and reports it. `op` gets the back end, the actor, the guild, the id and
/// whether the change is confirmed.
async fn change_fact(
    ctx: AppContext<'_>,
    id: String,
    op: impl Fn(&Moderation, &Actor, Option<u64>, &str, bool) -> Result<Change, ModerationError>
        + Send
        + Sync
        + 'static,
) -> Result<(), Error> {
    let Some(m) = gate(ctx, Access::Change).await? else {
        return Ok(());
    };
    let (actor, guild, id) = (m.actor.clone(), m.guild, id.trim().to_string());
    let op: ChangeOp = Arc::new(move |b, confirm| op(b, &actor, guild, &id, confirm));
    poise::Context::Application(ctx).defer_ephemeral().await?;
    let outcome = m.change(op).await;
    send(ctx, &outcome.text, outcome.rows).await
}

/// Opens a form as the command's first response.
async fn open_form(ctx: AppContext<'_>, modal: serenity::CreateModal) -> Result<(), Error> {
    let response = serenity::CreateInteractionResponse::Modal(modal);
    let http = &ctx.serenity_context().http;
    with_retry(ctx.data().retry, "opening a form", || {
        ctx.interaction.create_response(http, response.clone())
    })
    .await?;
    // poise must not answer this interaction again.
    ctx.has_sent_initial_response
        .store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Which fact form: its fifth field differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// `/fact add`: dispute and source are the command's options; optional keywords and id.
    Add,
    /// `/fact edit`: the id is fixed; keywords.
    Edit,
    /// A new fact from an unanswered group (a button has no options): dispute and source ids.
    FromUnanswered,
}

/// The fact form: phrasings, answer, excerpts, as-of date, and a fifth field (id and keywords
/// for a new fact; keywords for an edit, whose id is fixed).
pub fn fact_form(
    custom_id: &str,
    title: &str,
    draft: &FactDraft,
    kind: FormKind,
) -> serenity::CreateModal {
    let (phrasings, answer, excerpts, as_of) = draft.form_fields();
    let (extra_label, extra_value, extra_hint, extra_required) = match kind {
        FormKind::Add => (
            "Keywords, and id=... (optional)",
            String::new(),
            "e.g. offer, pay rise, id=2026-03-new-offer (left empty: suggested)",
            false,
        ),
        FormKind::Edit => (
            "Keywords (comma-separated, optional)",
            draft.keywords.join(", "),
            "e.g. offer, pay rise",
            false,
        ),
        FormKind::FromUnanswered => (
            "Dispute id, source id (then keywords)",
            String::new(),
            "e.g. resident-2025 BBC-News-2026-03-01",
            true,
        ),
    };
    serenity::CreateModal::new(custom_id, form_title(title)).components(vec![
        input(
            "phrasings",
            "Phrasings (one question per line)",
            true,
            &phrasings,
            true,
            "How people would ask for this fact",
        ),
        input("answer", "Answer", true, &answer, true, "Short and factual"),
        input(
            "excerpts",
            "Excerpt(s) from the source, one per line",
            true,
            &excerpts,
            true,
            "Quoted verbatim from the source",
        ),
        input(
            "as_of",
            "As of (YYYY-MM-DD or YYYY-MM)",
            false,
            &as_of,
            true,
            "2026-03-01",
        ),
        input(
            "extra",
            extra_label,
            false,
            &extra_value,
            extra_required,
            extra_hint,
        ),
    ])
}

/// A new fact from a submitted fact form whose dispute and source are known; `extra` is the
/// fifth field's keywords and optional `id=...` (see [`apply_extra`]).
pub fn new_draft(dispute: &str, source: &str, form: &FormValues, extra: &str) -> FactDraft {
    let mut draft = FactDraft::from_form(
        dispute,
        source,
        &form.get("phrasings"),
        &form.get("answer"),
        &form.get("excerpts"),
        &form.get("as_of"),
    );
    apply_extra(&mut draft, extra, true);
    draft
}

/// The fifth field: comma-separated keywords, and for a new fact an optional `id=...`.
pub fn apply_extra(draft: &mut FactDraft, extra: &str, allow_id: bool) {
    let mut keywords = Vec::new();
    for part in extra.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = part
            .strip_prefix("id=")
            .or_else(|| part.strip_prefix("id:"))
            .map(str::trim);
        match id {
            Some(id) if allow_id => draft.id = id.to_string(),
            Some(_) => {}
            None => keywords.push(part.to_string()),
        }
    }
    draft.keywords = keywords;
}

/// A submitted add or edit form (`id` is its custom id) of a moderator.
pub async fn on_form(
    ctx: &serenity::Context,
    target: &Target<'_>,
    data: &Data,
    m: &Moderator<'_>,
    id: &str,
    v: &FormValues,
) -> Result<(), Error> {
    let (actor, guild) = (m.actor.clone(), m.guild);
    let op: ChangeOp = if let Some(rest) = id.strip_prefix(ids::ADD_FORM) {
        let Some((dispute, source)) = rest.split_once(':') else {
            return target
                .say(ctx, data, "This form is malformed; run /fact add again.")
                .await;
        };
        let draft = new_draft(dispute, source, v, &v.get("extra"));
        Arc::new(move |b, confirm| b.add(&actor, guild, draft.clone(), confirm))
    } else if let Some(rest) = id.strip_prefix(ids::EDIT_FORM) {
        let Some((fact_id, version)) = rest.rsplit_once(':') else {
            return target
                .say(ctx, data, "This form is malformed; run /fact edit again.")
                .await;
        };
        let typed = KeptEdit {
            fact: fact_id.to_string(),
            version: version.to_string(),
            phrasings: v.get("phrasings"),
            answer: v.get("answer"),
            excerpts: v.get("excerpts"),
            as_of: v.get("as_of"),
            extra: v.get("extra"),
        };
        return edit_or_keep(ctx, target, data, m, typed).await;
    } else {
        return Ok(());
    };
    target.change(ctx, data, m, op).await
}

/// Runs a submitted edit. Refused because someone changed the fact meanwhile, the moderator's
/// text is kept and offered again over the new version ("Reopen with my changes"), never lost.
async fn edit_or_keep(
    ctx: &serenity::Context,
    target: &Target<'_>,
    data: &Data,
    m: &Moderator<'_>,
    typed: KeptEdit,
) -> Result<(), Error> {
    let (actor, guild, t) = (m.actor.clone(), m.guild, typed.clone());
    let op: ChangeOp = Arc::new(move |b, confirm| {
        // The form's fields over the fact's current draft, so what the form does not show
        // (sources, notes) is kept; a changed file is refused by the version check.
        let mut draft = b.show(&t.fact)?.draft;
        draft.apply_form(&t.phrasings, &t.answer, &t.excerpts, &t.as_of);
        apply_extra(&mut draft, &t.extra, false);
        b.edit(&actor, guild, &t.fact, &t.version, draft, confirm)
    });
    target.defer(ctx, data).await?;
    let first = op.clone();
    let result = m.call(move |b| first(b, false)).await;
    let outcome = match result {
        Ok(Err(e)) if stale_version(&e).is_some() => {
            let kept = KeptEdit {
                version: stale_version(&e).unwrap_or_default(),
                ..typed
            };
            let key = m.moderators.keep_edit(m.user, kept);
            let button = serenity::CreateButton::new(format!("{}{key}", ids::REOPEN))
                .label(label("Reopen with my changes"))
                .style(serenity::ButtonStyle::Primary);
            Outcome {
                text: format!(
                    "Nothing was written: {e}. Your text is kept: \"Reopen with my changes\" opens \
                     the form again with what you typed, over the new version, so you can check \
                     it against the other change and send it."
                ),
                rows: vec![serenity::CreateActionRow::Buttons(vec![button])],
            }
        }
        other => m.settle(other, op),
    };
    target.finish(ctx, data, outcome).await
}

/// The version a fact has now, when an edit was refused for being based on an older one.
fn stale_version(e: &ModerationError) -> Option<String> {
    match e {
        ModerationError::Stale {
            current_version, ..
        } => Some(current_version.clone()),
        _ => None,
    }
}

/// A click on "Reopen with my changes": the edit form again, over the fact's new version,
/// filled in with what the moderator had typed.
pub async fn on_reopen(
    ctx: &serenity::Context,
    target: &Target<'_>,
    data: &Data,
    m: &Moderator<'_>,
    key: &str,
) -> Result<(), Error> {
    let kept = match m.moderators.kept_edit(key, m.user) {
        Ok(k) => k,
        Err(why) => return target.say(ctx, data, why).await,
    };
    let Some(form_id) = custom_id(ids::EDIT_FORM, &[&kept.fact, &kept.version]) else {
        return target
            .say(
                ctx,
                data,
                "This fact's id is too long to edit from Discord; use `strikefacts fact edit`.",
            )
            .await;
    };
    let mut draft = FactDraft::default();
    draft.apply_form(&kept.phrasings, &kept.answer, &kept.excerpts, &kept.as_of);
    apply_extra(&mut draft, &kept.extra, false);
    let modal = fact_form(
        &form_id,
        &format!("Edit {}", kept.fact),
        &draft,
        FormKind::Edit,
    );
    target.open_form(ctx, data, modal).await
}

/// One page of `/fact list`, with Previous/Next buttons when there are more.
async fn list_page(
    m: &Moderator<'_>,
    dispute: String,
    search: String,
    page: usize,
) -> Result<Outcome, Error> {
    let (d, s) = (dispute.clone(), search.clone());
    let facts = m
        .call(move |b| {
            b.list(
                Some(d.as_str()).filter(|d| !d.is_empty()),
                Some(s.as_str()).filter(|s| !s.is_empty()),
            )
        })
        .await?;
    if facts.is_empty() {
        return Ok(Outcome::text("No fact matches."));
    }
    let pages = facts.len().div_ceil(PAGE);
    let page = page.min(pages - 1);
    let mut text = format!("{} facts · page {}/{}", facts.len(), page + 1, pages);
    let per_line = (limits::CONTENT - 80) / PAGE;
    for f in facts.iter().skip(page * PAGE).take(PAGE) {
        let line = format!(
            "`{}` · {} · as of {}{} · {}",
            f.id,
            f.dispute,
            f.as_of,
            if f.served { "" } else { " · retired" },
            f.answer.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        text.push('\n');
        text.push_str(&reply::truncate(&line, per_line));
    }
    let mut buttons = Vec::new();
    let p = |n: usize| n.to_string();
    if page > 0 {
        if let Some(id) = custom_id(ids::LIST_PAGE, &[&p(page - 1), &dispute, &search]) {
            buttons.push(serenity::CreateButton::new(id).label(label("◀ Previous")));
        }
    }
    if page + 1 < pages {
        if let Some(id) = custom_id(ids::LIST_PAGE, &[&p(page + 1), &dispute, &search]) {
            buttons.push(serenity::CreateButton::new(id).label(label("Next ▶")));
        }
    }
    let rows = if buttons.is_empty() {
        Vec::new()
    } else {
        vec![serenity::CreateActionRow::Buttons(buttons)]
    };
    Ok(Outcome { text, rows })
}

/// A moderator's click on Previous/Next under `/fact list`: the message is replaced by that page.
pub async fn on_list_page(
    ctx: &serenity::Context,
    target: &Target<'_>,
    data: &Data,
    m: &Moderator<'_>,
    custom_id: &str,
) -> Result<(), Error> {
    let rest = custom_id.strip_prefix(ids::LIST_PAGE).unwrap_or_default();
    let mut parts = rest.splitn(3, ':');
    let page = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let dispute = parts.next().unwrap_or_default().to_string();
    let search = parts.next().unwrap_or_default().to_string();
    let outcome = list_page(m, dispute, search, page).await?;
    let message = moderation::message(&outcome.text).components(outcome.rows);
    target
        .respond(
            ctx,
            data,
            serenity::CreateInteractionResponse::UpdateMessage(message),
        )
        .await
}

/// The moderators' state if the user typing may moderate here; anyone else is offered no
/// choices (fact and source ids are the moderators' business).
fn moderator_typing<'a>(ctx: AppContext<'a>) -> Option<&'a moderation::Moderators> {
    let m = ctx.data().moderators.as_ref()?;
    let member = ctx.interaction.member.as_deref();
    moderation::refusal(m, ctx.interaction.guild_id, member, Access::Read)
        .is_none()
        .then_some(m)
}

/// Known disputes whose id or label contains what was typed.
async fn autocomplete_dispute(
    ctx: AppContext<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    if moderator_typing(ctx).is_none() {
        return serenity::CreateAutocompleteResponse::new();
    }
    let needle = partial.trim().to_lowercase();
    let engine = ctx.data().engine.load();
    let choices = engine
        .knowledge()
        .disputes
        .iter()
        .filter(|d| d.id.contains(&needle) || d.label.to_lowercase().contains(&needle))
        .take(limits::AUTOCOMPLETE_CHOICES)
        .map(|d| choice(&format!("{} · {}", d.id, d.label), &d.id))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Known sources whose id, publisher or headline contains what was typed.
async fn autocomplete_source(
    ctx: AppContext<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = match moderator_typing(ctx) {
        Some(m) => m
            .backend
            .sources(partial.trim(), limits::AUTOCOMPLETE_CHOICES)
            .into_iter()
            .filter(|s| s.id.chars().count() <= limits::AUTOCOMPLETE_TEXT)
            .map(|s| choice(&s.label, &s.id))
            .collect(),
        None => Vec::new(),
    };
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Fact ids (retired ones too) whose id, answer or phrasings contain what was typed.
async fn autocomplete_fact(
    ctx: AppContext<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = match moderator_typing(ctx) {
        Some(m) => m
            .backend
            .list(None, Some(partial.trim()).filter(|p| !p.is_empty()))
            .into_iter()
            .filter(|f| f.id.chars().count() <= limits::AUTOCOMPLETE_TEXT)
            .take(limits::AUTOCOMPLETE_CHOICES)
            .map(|f| choice(&f.id, &f.id))
            .collect(),
        None => Vec::new(),
    };
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// An autocomplete choice with its name cut to Discord's 100 characters.
fn choice(name: &str, value: &str) -> serenity::AutocompleteChoice {
    serenity::AutocompleteChoice::new(reply::truncate(name, limits::AUTOCOMPLETE_TEXT), value)
}
