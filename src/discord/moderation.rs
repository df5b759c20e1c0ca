//! What the moderators' commands share: who may use them, running a back-end operation off the
//! async threads, the confirm step, and routing the buttons and modal forms they send.
//!
//! It exists so that [`super::fact`], [`super::source`], [`super::unanswered`] and
//! [`super::stats`] each hold only their own commands, while the rules that must hold for all of
//! them live in one place:
//! - permission is checked in code on every command, button click and form submit (Discord's
//!   `default_member_permissions` only hides commands), and a refusal is always ephemeral;
//! - every reply is ephemeral, pings nobody and stays within Discord's limits;
//! - the back end blocks (disk, matcher, question set), so it runs in `spawn_blocking`, after
//!   the interaction was deferred (Discord wants a first response within 3 seconds).
//!
//! State needed by a later click or form travels in the component's custom id (at most 100
//! characters, checked where ids are built); only a change waiting for "Confirm" is kept in
//! memory ([`Pending`]), because a whole form does not fit in a custom id.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;

use super::reply::{self, limits};
use super::retry::with_retry;
use super::{Data, Error};
use crate::moderation::permissions::{place_of, Place};
use crate::moderation::{may_moderate, Action, Actor, Change, Moderation, ModerationError};

/// The poise context of slash-only commands (modals need the interaction itself).
pub type AppContext<'a> = poise::ApplicationContext<'a, Data, Error>;

/// Told to everyone who may not moderate; nothing else happens.
pub const REFUSAL: &str = "Only moderators can change the bot's facts (Manage Messages or Manage \
     Server permission, or a moderator role). Nothing was changed.";
/// Told to everyone who may not moderate, for a command that only shows the facts.
pub const READ_REFUSAL: &str = "Only moderators can look at the bot's fact files, their history, \
     the unanswered questions and the usage figures (Manage Messages or Manage Server permission, \
     or a moderator role).";
const NOT_SET_UP: &str = "Moderation is not set up on this bot. Nothing was changed.";
/// Told in a server that does not own the facts (its admins included).
pub const NOT_HOME: &str = "This server does not own the bot's facts: they are shared by every \
     server the bot is in, and only moderators of its home servers can change them. Nothing was \
     changed.";
/// Told in a direct message.
pub const ONLY_IN_SERVERS: &str = "Moderation works only in the bot's home servers, not in direct \
     messages. Nothing was changed.";
/// Told when no home server is configured.
pub const NO_HOMES: &str = "Moderation from Discord is turned off on this bot (no home server is \
     set in STRIKEFACTS_MODERATOR_GUILDS). Nothing was changed.";
/// Told when a Confirm button's change is gone (run already, expired, or from before a restart).
const CONFIRM_GONE: &str = "That change is no longer waiting for a confirm (it was confirmed \
     already, or it expired, or the bot restarted). Nothing was changed now; make it again if \
     it is still needed.";
/// Told when a moderator clicks another moderator's Confirm button.
const CONFIRM_NOT_YOURS: &str = "This Confirm button belongs to the moderator who made the \
     change; only they can confirm it. Nothing was changed.";
/// Told when a kept edit is gone.
const KEPT_GONE: &str = "Your kept changes are gone (they expired, or the bot restarted). Run \
     /fact edit again.";
/// Told when a moderator clicks another moderator's "Reopen with my changes".
const KEPT_NOT_YOURS: &str = "These kept changes belong to another moderator. Run /fact edit \
     to edit the fact yourself.";
/// How long a change waits for its "Confirm" click.
const CONFIRM_TTL: Duration = Duration::from_secs(15 * 60);
/// At most this many changes wait for a confirm at once (older ones are dropped first).
const MAX_PENDING: usize = 200;

/// Custom-id prefixes of the moderators' components and forms (the answer buttons use `sf:ask`).
pub mod ids {
    /// `/fact add` form: `sf:fa:<dispute>:<source>`.
    pub const ADD_FORM: &str = "sf:fa:";
    /// `/fact edit` form: `sf:fe:<id>:<base version>`.
    pub const EDIT_FORM: &str = "sf:fe:";
    /// New fact from an unanswered group: `sf:fn:<group>` (button and form).
    pub const NEW_FROM_UNANSWERED: &str = "sf:fn:";
    /// Phrasing of a fact from an unanswered group: `sf:ua:<group>:<fact id>` (button).
    pub const ALIAS_UNANSWERED: &str = "sf:ua:";
    /// Phrasing of a fact chosen in a form: `sf:uo:<group>` (button and form).
    pub const ALIAS_OTHER: &str = "sf:uo:";
    /// Dismiss an unanswered group: `sf:ud:<group>`.
    pub const DISMISS: &str = "sf:ud:";
    /// Confirm a pending change: `sf:mc:<key>`.
    pub const CONFIRM: &str = "sf:mc:";
    /// Reopen a stale edit with the moderator's text: `sf:fr:<key>`.
    pub const REOPEN: &str = "sf:fr:";
    /// A page of `/fact list`: `sf:fl:<page>:<dispute>:<search>`.
    pub const LIST_PAGE: &str = "sf:fl:";
}

/// The moderators' part of the bot's state.
pub struct Moderators {
    pub backend: Arc<Moderation>,
    /// Role ids that may moderate besides the permission holders (`STRIKEFACTS_MODERATOR_ROLES`).
    pub roles: Vec<u64>,
    /// The servers that own the facts (`STRIKEFACTS_MODERATOR_GUILDS`); moderation anywhere else
    /// is refused.
    pub home_guilds: Vec<u64>,
    pending: Mutex<HashMap<u64, Pending>>,
    /// Refused stale edits, by key: (moderator, when, what they typed).
    kept: Mutex<HashMap<u64, (u64, Instant, KeptEdit)>>,
    next_key: AtomicU64,
}

/// What a moderator typed in an edit form that was refused as stale: the fact, the version it
/// now has, and the five fields as they were submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptEdit {
    pub fact: String,
    pub version: String,
    pub phrasings: String,
    pub answer: String,
    pub excerpts: String,
    pub as_of: String,
    pub extra: String,
}

/// A change refused for want of a confirm, kept until its moderator clicks "Confirm".
struct Pending {
    user: u64,
    created: Instant,
    op: ChangeOp,
}

/// A change to run with `confirm` false, then again with true if the moderator confirms.
pub type ChangeOp = Arc<dyn Fn(&Moderation, bool) -> Result<Change, ModerationError> + Send + Sync>;

impl Moderators {
    pub fn new(backend: Arc<Moderation>, roles: Vec<u64>, home_guilds: Vec<u64>) -> Moderators {
        Moderators {
            backend,
            roles,
            home_guilds,
            pending: Mutex::new(HashMap::new()),
            kept: Mutex::new(HashMap::new()),
            // Not 0, and different across restarts, so an old Confirm button finds nothing.
            next_key: AtomicU64::new(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() % 1_000_000 * 1000)
                    .unwrap_or(1),
            ),
        }
    }

    fn park(&self, user: u64, op: ChangeOp) -> u64 {
        let key = self.next_key.fetch_add(1, Ordering::SeqCst);
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.retain(|_, p| p.created.elapsed() < CONFIRM_TTL);
        if pending.len() >= MAX_PENDING {
            if let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, p)| p.created)
                .map(|(k, _)| *k)
            {
                pending.remove(&oldest);
            }
        }
        pending.insert(
            key,
            Pending {
                user,
                created: Instant::now(),
                op,
            },
        );
        key
    }

    /// The pending change `key` of `user` (taken: a second click finds nothing); why not, when
    /// it cannot be run.
    fn take(&self, key: u64, user: u64) -> Result<ChangeOp, &'static str> {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        match pending.get(&key) {
            Some(p) if p.created.elapsed() >= CONFIRM_TTL => Err(CONFIRM_GONE),
            Some(p) if p.user != user => Err(CONFIRM_NOT_YOURS),
            Some(_) => pending.remove(&key).map(|p| p.op).ok_or(CONFIRM_GONE),
            None => Err(CONFIRM_GONE),
        }
    }

    /// Keeps a moderator's refused edit so that "Reopen with my changes" can offer it again;
    /// returns its key.
    pub fn keep_edit(&self, user: u64, edit: KeptEdit) -> u64 {
        let key = self.next_key.fetch_add(1, Ordering::SeqCst);
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|_, (_, at, _)| at.elapsed() < CONFIRM_TTL);
        if kept.len() >= MAX_PENDING {
            if let Some(oldest) = kept
                .iter()
                .min_by_key(|(_, (_, at, _))| *at)
                .map(|(k, _)| *k)
            {
                kept.remove(&oldest);
            }
        }
        kept.insert(key, (user, Instant::now(), edit));
        key
    }

    /// The kept edit `key` of `user` (it stays, so the form can be opened again).
    pub fn kept_edit(&self, key: &str, user: u64) -> Result<KeptEdit, &'static str> {
        let key: u64 = key.parse().map_err(|_| KEPT_GONE)?;
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        match kept.get(&key) {
            Some((_, at, _)) if at.elapsed() >= CONFIRM_TTL => Err(KEPT_GONE),
            Some((owner, _, _)) if *owner != user => Err(KEPT_NOT_YOURS),
            Some((_, _, edit)) => Ok(edit.clone()),
            None => Err(KEPT_GONE),
        }
    }
}

/// Whether a guild member may moderate: Manage Messages, Manage Server (or Administrator), or a
/// moderator role. Outside a guild (no member) nobody may.
pub fn member_may_moderate(member: Option<&serenity::Member>, allowed_roles: &[u64]) -> bool {
    let Some(member) = member else {
        return false;
    };
    let bits = member.permissions.map(|p| p.bits()).unwrap_or(0);
    let roles: Vec<u64> = member.roles.iter().map(|r| r.get()).collect();
    may_moderate(bits, &roles, allowed_roles)
}

/// What a moderator command, click or form does: a refusal says what it was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It changes the facts (add, edit, retire, alias, undo, source add, the unanswered
    /// buttons).
    Change,
    /// It only shows them (`/fact show`, `list`, `history`, `/unanswered`, `/stats`).
    Read,
}

/// Why this member may not moderate here, or `None` when they may: the server must be a home
/// server, then the member needs the permission or a moderator role.
pub fn refusal(
    moderators: &Moderators,
    guild: Option<serenity::GuildId>,
    member: Option<&serenity::Member>,
    access: Access,
) -> Option<&'static str> {
    let why = match place_of(guild.map(|g| g.get()), &moderators.home_guilds) {
        Place::NoHomes => NO_HOMES,
        Place::Direct => ONLY_IN_SERVERS,
        Place::OtherServer => NOT_HOME,
        Place::Home if !member_may_moderate(member, &moderators.roles) => match access {
            Access::Change => REFUSAL,
            Access::Read => READ_REFUSAL,
        },
        Place::Home => return None,
    };
    // Nothing could have been changed by a command that only shows.
    Some(match access {
        Access::Change => why,
        Access::Read => why.trim_end_matches(" Nothing was changed."),
    })
}

/// Who a change is recorded as.
pub fn actor_of(user: &serenity::User) -> Actor {
    Actor::discord(user.id.get(), user.name.clone())
}

/// The moderator behind a command, click or form: the moderators' state, who they are, and
/// where.
pub struct Moderator<'d> {
    pub moderators: &'d Moderators,
    pub actor: Actor,
    pub guild: Option<u64>,
    /// The Discord user id (whose Confirm click may run a parked change).
    pub user: u64,
}

impl<'d> Moderator<'d> {
    fn new(
        moderators: &'d Moderators,
        user: &serenity::User,
        guild: Option<serenity::GuildId>,
    ) -> Moderator<'d> {
        Moderator {
            moderators,
            actor: actor_of(user),
            guild: guild.map(|g| g.get()),
            user: user.id.get(),
        }
    }

    pub fn backend(&self) -> &Arc<Moderation> {
        &self.moderators.backend
    }

    /// Runs a blocking back-end call on the blocking pool.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Moderation) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let backend = self.backend().clone();
        Ok(tokio::task::spawn_blocking(move || f(&backend)).await?)
    }

    /// Runs `op` (without confirm); a change that needs a confirm is parked and offered a button
    /// that runs it again with confirm.
    pub async fn change(&self, op: ChangeOp) -> Outcome {
        let first = op.clone();
        let result = self.call(move |b| first(b, false)).await;
        self.settle(result, op)
    }

    /// What the moderator is told after a first run of `op` gave `result`: a change that needs
    /// a confirm is parked and offered the Confirm button.
    pub fn settle(
        &self,
        result: Result<Result<Change, ModerationError>, Error>,
        op: ChangeOp,
    ) -> Outcome {
        match result {
            Ok(Err(e @ ModerationError::NeedsConfirm { .. })) => {
                let key = self.moderators.park(self.user, op);
                let button = serenity::CreateButton::new(format!("{}{key}", ids::CONFIRM))
                    .label("Confirm")
                    .style(serenity::ButtonStyle::Danger);
                Outcome {
                    text: e.to_string(),
                    rows: vec![serenity::CreateActionRow::Buttons(vec![button])],
                }
            }
            result => Outcome::of(
                result,
                "Sorry, the change could not be made (internal error). Nothing was changed.",
            ),
        }
    }
}

/// Checks that the command's user may moderate; otherwise sends the ephemeral refusal and
/// returns `None` (and nothing else happens).
pub async fn gate(ctx: AppContext<'_>, access: Access) -> Result<Option<Moderator<'_>>, Error> {
    let data = ctx.data();
    let interaction = ctx.interaction;
    let guild = interaction.guild_id;
    let refused = match &data.moderators {
        None => NOT_SET_UP,
        Some(m) => match refusal(m, guild, interaction.member.as_deref(), access) {
            Some(why) => why,
            None => return Ok(Some(Moderator::new(m, &interaction.user, guild))),
        },
    };
    tracing::info!(user = %interaction.user.id, guild = ?guild, command = %ctx.command().name,
        "refused a moderator command");
    send(ctx, refused, Vec::new()).await?;
    Ok(None)
}

/// An ephemeral reply to a command (after a defer, a follow-up), text cut to Discord's limit.
pub async fn send(
    ctx: AppContext<'_>,
    text: &str,
    rows: Vec<serenity::CreateActionRow>,
) -> Result<(), Error> {
    let reply = poise::CreateReply::default()
        .ephemeral(true)
        .allowed_mentions(reply::no_pings())
        .content(reply::truncate(text, limits::CONTENT))
        .components(rows);
    let ctx = poise::Context::Application(ctx);
    with_retry(ctx.data().retry, "moderator reply", || {
        ctx.send(reply.clone())
    })
    .await?;
    Ok(())
}

/// A response message that pings nobody, its text cut to Discord's limit.
pub fn message(text: &str) -> serenity::CreateInteractionResponseMessage {
    serenity::CreateInteractionResponseMessage::new()
        .allowed_mentions(reply::no_pings())
        .content(reply::truncate(text, limits::CONTENT))
}

/// What a moderator is told after a change was attempted: the result, or the refusal with a
/// Confirm button if the back end needs one.
pub struct Outcome {
    pub text: String,
    pub rows: Vec<serenity::CreateActionRow>,
}

impl Outcome {
    pub fn text(text: impl Into<String>) -> Outcome {
        Outcome {
            text: text.into(),
            rows: Vec::new(),
        }
    }

    /// The change made, the back end's refusal, or `internal` if the task itself failed.
    fn of(result: Result<Result<Change, ModerationError>, Error>, internal: &str) -> Outcome {
        match result {
            Ok(Ok(change)) => Outcome::text(describe_change(&change)),
            Ok(Err(e)) => Outcome::text(e.to_string()),
            Err(e) => {
                tracing::error!("moderation task failed: {e}");
                Outcome::text(internal)
            }
        }
    }
}

/// "Added fact `x` …": what changed, where, its version, whether the fact is served now (as
/// the engine that serves from now on has it), and the back end's notes.
pub fn describe_change(c: &Change) -> String {
    let mut text = if c.action == Action::SourceAdd {
        format!(
            "Added source `{}` ({}). Facts can cite it from now on.",
            c.id, c.path
        )
    } else {
        let served = c
            .engine
            .knowledge()
            .fact(&c.id)
            .is_some_and(|f| f.is_served());
        format!(
            "{} fact `{}` ({}); version `{}`. {}",
            past_tense(c.action),
            c.id,
            c.path,
            c.version,
            if served {
                "It is served from now on."
            } else {
                "It is no longer served; it stays in its file and in the history."
            }
        )
    };
    for n in &c.notes {
        text.push_str("\n• ");
        text.push_str(n);
    }
    text
}

fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Add => "Added",
        Action::Edit => "Edited",
        Action::Retire => "Retired",
        Action::Alias => "Added a phrasing to",
        Action::Undo => "Undid the last change of",
        Action::SourceAdd => "Added source",
        Action::Found => "Recorded a change found on disk to",
    }
}

/// The reply target of a click or a form submit: both are answered the same way.
pub enum Target<'a> {
    Click(&'a serenity::ComponentInteraction),
    Form(&'a serenity::ModalInteraction),
}

impl Target<'_> {
    fn member(&self) -> Option<&serenity::Member> {
        match self {
            Target::Click(c) => c.member.as_ref(),
            Target::Form(f) => f.member.as_ref(),
        }
    }

    fn user(&self) -> &serenity::User {
        match self {
            Target::Click(c) => &c.user,
            Target::Form(f) => &f.user,
        }
    }

    fn guild(&self) -> Option<serenity::GuildId> {
        match self {
            Target::Click(c) => c.guild_id,
            Target::Form(f) => f.guild_id,
        }
    }

    pub async fn respond(
        &self,
        ctx: &serenity::Context,
        data: &Data,
        response: serenity::CreateInteractionResponse,
    ) -> Result<(), Error> {
        with_retry(data.retry, "interaction response", || async {
            match self {
                Target::Click(c) => c.create_response(&ctx.http, response.clone()).await,
                Target::Form(f) => f.create_response(&ctx.http, response.clone()).await,
            }
        })
        .await?;
        Ok(())
    }

    /// A short ephemeral answer as the first response.
    pub async fn say(&self, ctx: &serenity::Context, data: &Data, text: &str) -> Result<(), Error> {
        self.respond(
            ctx,
            data,
            serenity::CreateInteractionResponse::Message(message(text).ephemeral(true)),
        )
        .await
    }

    /// Opens a form as the first response.
    pub async fn open_form(
        &self,
        ctx: &serenity::Context,
        data: &Data,
        modal: serenity::CreateModal,
    ) -> Result<(), Error> {
        self.respond(ctx, data, serenity::CreateInteractionResponse::Modal(modal))
            .await
    }

    /// Defers (ephemerally) before slow work.
    pub async fn defer(&self, ctx: &serenity::Context, data: &Data) -> Result<(), Error> {
        let message = serenity::CreateInteractionResponseMessage::new().ephemeral(true);
        self.respond(
            ctx,
            data,
            serenity::CreateInteractionResponse::Defer(message),
        )
        .await
    }

    /// Fills in the deferred response. If Discord keeps refusing the edit, the outcome is sent
    /// as a follow-up instead: a moderator is never left on "thinking…" after a change was made.
    pub async fn finish(
        &self,
        ctx: &serenity::Context,
        data: &Data,
        outcome: Outcome,
    ) -> Result<(), Error> {
        let text = reply::truncate(&outcome.text, limits::CONTENT);
        let edit = serenity::EditInteractionResponse::new()
            .allowed_mentions(reply::no_pings())
            .content(text.clone())
            .components(outcome.rows.clone());
        let edited = with_retry(data.retry, "deferred response", || async {
            match self {
                Target::Click(c) => c.edit_response(&ctx.http, edit.clone()).await,
                Target::Form(f) => f.edit_response(&ctx.http, edit.clone()).await,
            }
        })
        .await;
        let Err(e) = edited else {
            return Ok(());
        };
        tracing::warn!("could not fill in the deferred response ({e}); sending a follow-up");
        let followup = serenity::CreateInteractionResponseFollowup::new()
            .ephemeral(true)
            .allowed_mentions(reply::no_pings())
            .content(text)
            .components(outcome.rows);
        with_retry(data.retry, "follow-up", || async {
            match self {
                Target::Click(c) => c.create_followup(&ctx.http, followup.clone()).await,
                Target::Form(f) => f.create_followup(&ctx.http, followup.clone()).await,
            }
        })
        .await?;
        Ok(())
    }

    /// Defers, runs a change (with the confirm step) and fills in the response with its outcome.
    pub async fn change(
        &self,
        ctx: &serenity::Context,
        data: &Data,
        moderator: &Moderator<'_>,
        op: ChangeOp,
    ) -> Result<(), Error> {
        self.defer(ctx, data).await?;
        let outcome = moderator.change(op).await;
        self.finish(ctx, data, outcome).await
    }

    /// The moderator if this user may moderate; otherwise the refusal was sent.
    pub async fn gate<'d>(
        &self,
        ctx: &serenity::Context,
        data: &'d Data,
        access: Access,
    ) -> Result<Option<Moderator<'d>>, Error> {
        let refused = match &data.moderators {
            None => NOT_SET_UP,
            Some(m) => match refusal(m, self.guild(), self.member(), access) {
                Some(why) => why,
                None => return Ok(Some(Moderator::new(m, self.user(), self.guild()))),
            },
        };
        tracing::info!(user = %self.user().id, guild = ?self.guild(), "refused a moderator click or form");
        self.say(ctx, data, refused).await?;
        Ok(None)
    }
}

/// A click on one of the moderators' buttons, gated here; other buttons are left alone
/// (`false`).
pub async fn on_click(
    ctx: &serenity::Context,
    click: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<bool, Error> {
    let id = click.data.custom_id.as_str();
    let ours = [
        ids::CONFIRM,
        ids::REOPEN,
        ids::LIST_PAGE,
        ids::NEW_FROM_UNANSWERED,
        ids::ALIAS_UNANSWERED,
        ids::ALIAS_OTHER,
        ids::DISMISS,
    ];
    if !ours.iter().any(|prefix| id.starts_with(prefix)) {
        return Ok(false);
    }
    let target = Target::Click(click);
    let access = if id.starts_with(ids::LIST_PAGE) {
        Access::Read
    } else {
        Access::Change
    };
    let Some(m) = target.gate(ctx, data, access).await? else {
        return Ok(true);
    };
    if let Some(key) = id.strip_prefix(ids::CONFIRM) {
        let op = match key.parse() {
            Ok(k) => m.moderators.take(k, m.user),
            Err(_) => Err(CONFIRM_GONE),
        };
        let op = match op {
            Ok(op) => op,
            Err(why) => {
                target.say(ctx, data, why).await?;
                return Ok(true);
            }
        };
        target.defer(ctx, data).await?;
        let outcome = Outcome::of(
            m.call(move |b| op(b, true)).await,
            "Sorry, the change could not be made (internal error).",
        );
        target.finish(ctx, data, outcome).await?;
    } else if id.starts_with(ids::LIST_PAGE) {
        super::fact::on_list_page(ctx, &target, data, &m, id).await?;
    } else if let Some(key) = id.strip_prefix(ids::REOPEN) {
        super::fact::on_reopen(ctx, &target, data, &m, key).await?;
    } else {
        super::unanswered::on_click(ctx, &target, data, &m, id).await?;
    }
    Ok(true)
}

/// A submitted moderator form (add, edit, and the unanswered forms), gated here.
pub async fn on_form(
    ctx: &serenity::Context,
    form: &serenity::ModalInteraction,
    data: &Data,
) -> Result<(), Error> {
    let id = form.data.custom_id.as_str();
    let handler = if id.starts_with(ids::ADD_FORM) || id.starts_with(ids::EDIT_FORM) {
        Form::Fact
    } else if id.starts_with(ids::NEW_FROM_UNANSWERED) || id.starts_with(ids::ALIAS_OTHER) {
        Form::Unanswered
    } else {
        tracing::info!(custom_id = %id, "a form the bot does not know");
        return Target::Form(form).say(ctx, data, super::OUT_OF_DATE).await;
    };
    let target = Target::Form(form);
    let Some(m) = target.gate(ctx, data, Access::Change).await? else {
        return Ok(());
    };
    let values = FormValues::of(form);
    match handler {
        Form::Fact => super::fact::on_form(ctx, &target, data, &m, id, &values).await,
        Form::Unanswered => super::unanswered::on_form(ctx, &target, data, &m, id, &values).await,
    }
}

/// Which module handles a submitted form.
enum Form {
    Fact,
    Unanswered,
}

/// The text inputs of a submitted form, by custom id.
pub struct FormValues(HashMap<String, String>);

impl FormValues {
    pub fn of(form: &serenity::ModalInteraction) -> FormValues {
        let mut out = HashMap::new();
        for row in &form.data.components {
            for c in &row.components {
                if let serenity::ActionRowComponent::InputText(t) = c {
                    out.insert(t.custom_id.clone(), t.value.clone().unwrap_or_default());
                }
            }
        }
        FormValues(out)
    }

    /// The value of input `id` (empty if the form has none).
    pub fn get(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_default()
    }
}

/// A custom id, or `None` if it would exceed Discord's 100 characters.
pub fn custom_id(prefix: &str, parts: &[&str]) -> Option<String> {
    let id = format!("{prefix}{}", parts.join(":"));
    (id.chars().count() <= limits::CUSTOM_ID).then_some(id)
}

/// One text input of a form; `value` prefills it (cut to Discord's 4000 characters).
pub fn input(
    id: &str,
    label: &str,
    paragraph: bool,
    value: &str,
    required: bool,
    placeholder: &str,
) -> serenity::CreateActionRow {
    let style = if paragraph {
        serenity::InputTextStyle::Paragraph
    } else {
        serenity::InputTextStyle::Short
    };
    // Discord: label ≤ 45, placeholder ≤ 100, value ≤ 4000 characters.
    let mut t = serenity::CreateInputText::new(style, reply::truncate(label, 45), id)
        .required(required)
        .max_length(4000);
    if !placeholder.is_empty() {
        t = t.placeholder(reply::truncate(placeholder, 100));
    }
    if !value.is_empty() {
        t = t.value(reply::truncate(value, 4000));
    }
    serenity::CreateActionRow::InputText(t)
}

/// A form's title, within Discord's 45 characters.
pub fn form_title(title: &str) -> String {
    reply::truncate(title, 45)
}

/// A button label within Discord's 80 characters.
pub fn label(text: &str) -> String {
    reply::truncate(text, limits::BUTTON_LABEL)
}
