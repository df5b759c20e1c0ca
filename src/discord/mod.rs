//! The Discord bot: a thin layer that turns Discord events into calls of the answering core and
//! the core's [`Answer`]s into Discord replies.
//!
//! This module is the `serve` entry point: configuration from the environment, the REST client
//! (optionally through a proxy), the poise framework with its commands and event handler, and a
//! clean shutdown. Each job lives in its own module:
//! - [`reply`] is the pure reply model (embed, buttons, limits), testable without a network;
//! - [`ask`] is `/ask` with autocomplete, and the related-question buttons;
//! - [`help`] is `/help`;
//! - [`moderation`] is what the moderators' commands share (who may, confirm, routing of their
//!   buttons and forms); [`fact`] is `/fact …`, [`source`] is `/source add`, [`unanswered`] is
//!   `/unanswered`, [`stats`] is `/stats`;
//! - [`messages`] answers questions asked by mentioning the bot or in a DM;
//! - [`ratelimit`] limits questions per user per window;
//! - [`retry`] retries REST calls answered with 429.
//!
//! The bot asks for the GUILDS, GUILD_MESSAGES and DIRECT_MESSAGES intents only: Discord sends the
//! content of DMs and of messages that mention the bot without the privileged Message Content
//! intent.

pub mod ask;
pub mod fact;
pub mod follow_ups;
pub mod help;
pub mod messages;
pub mod moderation;
pub mod ratelimit;
pub mod reply;
pub mod retry;
pub mod source;
pub mod stats;
pub mod unanswered;

use std::future::Future;
use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::NaiveDate;
use poise::serenity_prelude as serenity;

use crate::answer::Answer;
use crate::conversation::Turn;
use crate::engine::Engine;
use crate::moderation::{
    permissions, unanswered::UnansweredPolicy, usage, watch, watch::KnowledgeWatcher, Moderation,
    ModerationConfig,
};
use moderation::Moderators;
use ratelimit::{RateLimit, RateLimitParseError, RateLimiter};
use retry::{http_status, with_retry, RetryPolicy};

/// The error type of commands and handlers; never shown to users (see [`on_error`]).
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Data, Error>;
/// Called with a declined question and its guild (None in DMs); moderation records these.
pub type DeclinedHook = Arc<dyn Fn(&str, Option<u64>) + Send + Sync>;
/// What "today" is when answering (the clock, or a fixed day in tests).
pub type TodayFn = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// State shared by every command and handler.
pub struct Data {
    /// Swapped whole when the fact base is reloaded; readers never wait.
    pub engine: Arc<ArcSwap<Engine>>,
    pub limiter: RateLimiter,
    pub today: TodayFn,
    pub on_declined: Option<DeclinedHook>,
    pub retry: RetryPolicy,
    /// The moderators' back end and who may use it; `None` leaves the moderator commands
    /// answering that moderation is not set up.
    pub moderators: Option<Moderators>,
    /// How often each fact was answered (autocomplete offers the most asked first).
    pub asked: ask::Asked,
    /// The last answer of each recent DM chat, which the chat's next message follows up.
    pub dm_turns: follow_ups::DmTurns,
}

impl Data {
    pub fn new(engine: Arc<ArcSwap<Engine>>, config: &Config) -> Data {
        let today: TodayFn = match config.today {
            Some(day) => Arc::new(move || day),
            None => Arc::new(|| chrono::Local::now().date_naive()),
        };
        Data {
            engine: engine.clone(),
            limiter: RateLimiter::new(config.rate_limit),
            today,
            on_declined: None,
            retry: config.retry,
            moderators: None,
            asked: ask::Asked::default(),
            dm_turns: follow_ups::DmTurns::new(
                engine
                    .load()
                    .knowledge()
                    .conversation
                    .follow_ups
                    .next_message_minutes,
            ),
        }
    }

    /// With the moderators' back end (which must share this `Data`'s engine, so that a change
    /// is served at once) and the extra moderator roles. Declined questions are then recorded
    /// for `/unanswered`.
    pub fn with_moderation(
        mut self,
        backend: Arc<Moderation>,
        roles: Vec<u64>,
        home_guilds: Vec<u64>,
    ) -> Data {
        self.moderators = Some(Moderators::new(backend, roles, home_guilds));
        self
    }

    pub fn with_on_declined(mut self, hook: DeclinedHook) -> Data {
        self.on_declined = Some(hook);
        self
    }

    pub fn today(&self) -> NaiveDate {
        (self.today)()
    }

    /// Asks the core, after the answer the question follows up if any; reports a declined
    /// question to [`Data::on_declined`]. With moderation set up, every reply is counted for
    /// `/stats` (in memory; written once a minute).
    pub fn answer(&self, question: &str, guild: Option<u64>, previous: Option<&Turn>) -> Answer {
        let answer = self
            .engine
            .load()
            .ask_after(question, self.today(), previous);
        self.asked
            .record(answer.facts.iter().map(|f| f.id.as_str()));
        if let Some(m) = &self.moderators {
            m.backend
                .record_reply(self.today(), question, guild, &answer);
        }
        if !answer.answered {
            tracing::info!(reason = ?answer.declined, "declined a question");
            if let Some(hook) = &self.on_declined {
                hook(question, guild);
            }
        }
        answer
    }
}

/// The bot's commands.
pub fn commands() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        help::help(),
        fact::fact(),
        source::source(),
        unanswered::unanswered(),
        stats::stats(),
    ]
}

/// How `serve` runs.
#[derive(Clone)]
pub struct Config {
    pub token: String,
    /// Register the commands in this guild (at once) instead of globally.
    pub guild_id: Option<u64>,
    /// Base URL that replaces `https://discord.com` in every REST call.
    pub proxy: Option<String>,
    /// Answer as of this day instead of the clock's.
    pub today: Option<NaiveDate>,
    pub rate_limit: RateLimit,
    pub retry: RetryPolicy,
}

// By hand so that the token can never reach a log through `{:?}`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("token", &"<redacted>")
            .field("guild_id", &self.guild_id)
            .field("proxy", &self.proxy)
            .field("today", &self.today)
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("DISCORD_TOKEN is not set: put the bot token in the environment or in a .env file (see docs/discord.md)")]
    MissingToken,
    #[error("DISCORD_GUILD_ID must be a numeric guild id, got {0:?}")]
    BadGuildId(String),
    #[error("STRIKEFACTS_RATE_LIMIT: {0}")]
    BadRateLimit(RateLimitParseError),
    #[error("the Discord proxy must be an http:// or https:// URL, got {0:?}")]
    BadProxy(String),
    #[error("could not read .env: {0}")]
    DotEnv(String),
    #[error("Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN")]
    TokenRejected,
    // The serenity error is shown in the message, so it is not also a `source` (which would
    // print it twice in a chain).
    #[error("Discord: {0}")]
    Discord(Box<serenity::Error>),
    #[error("{0}")]
    ModeratorIds(permissions::IdsError),
    #[error("moderation (data folder {}): {message}", .data.display())]
    Moderation {
        data: std::path::PathBuf,
        message: String,
    },
}

impl Config {
    /// Reads `DISCORD_TOKEN`, `DISCORD_GUILD_ID`, `STRIKEFACTS_DISCORD_PROXY` (unless `proxy` is
    /// given) and `STRIKEFACTS_RATE_LIMIT`, after loading `.env` if there is one.
    pub fn from_env(proxy: Option<String>, today: Option<NaiveDate>) -> Result<Config, ServeError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ServeError::DotEnv(e.to_string())),
        }
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let token = var("DISCORD_TOKEN").ok_or(ServeError::MissingToken)?;
        let guild_id = match var("DISCORD_GUILD_ID") {
            Some(g) => Some(g.parse().map_err(|_| ServeError::BadGuildId(g))?),
            None => None,
        };
        let proxy = proxy
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .or_else(|| var("STRIKEFACTS_DISCORD_PROXY"));
        let rate_limit = match var("STRIKEFACTS_RATE_LIMIT") {
            Some(r) => r.parse().map_err(ServeError::BadRateLimit)?,
            None => RateLimit::default(),
        };
        Ok(Config {
            token,
            guild_id,
            proxy,
            today,
            rate_limit,
            retry: RetryPolicy::default(),
        })
    }
}

/// The REST client; with a proxy, serenity's ratelimiter must be off or the proxy is ignored
/// (429s are then retried by [`retry`]).
fn build_http(config: &Config) -> Result<serenity::Http, ServeError> {
    let mut builder = serenity::HttpBuilder::new(&config.token);
    if let Some(proxy) = &config.proxy {
        if !(proxy.starts_with("http://") || proxy.starts_with("https://")) {
            return Err(ServeError::BadProxy(proxy.clone()));
        }
        builder = builder
            .proxy(proxy.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    Ok(builder.build())
}

/// Runs the bot until SIGINT or SIGTERM, with the moderators' back end (see
/// [`attach_moderation`]) unless `data` has one already.
pub async fn run(config: Config, data: Data) -> Result<(), ServeError> {
    let (data, _watcher) = if data.moderators.is_some() {
        (data, None)
    } else {
        let (data, watcher) = attach_moderation(data, &config)?;
        (data, Some(watcher))
    };
    run_until(config, data, shutdown_signal()).await
}

/// Sets up moderation the way `serve` runs: the back end over the serving fact base's folder and
/// the data folder (`STRIKEFACTS_DATA`, default `./data`), sharing the bot's engine; the home
/// servers from `STRIKEFACTS_MODERATOR_GUILDS` and the moderator roles from
/// `STRIKEFACTS_MODERATOR_ROLES`; and a watch of `knowledge/` so hand edits are served without a
/// restart. The watch stops when the returned watcher is dropped.
pub fn attach_moderation(
    data: Data,
    config: &Config,
) -> Result<(Data, KnowledgeWatcher), ServeError> {
    let roles =
        permissions::ids_from_env(permissions::ROLES_ENV).map_err(ServeError::ModeratorIds)?;
    let homes =
        permissions::ids_from_env(permissions::GUILDS_ENV).map_err(ServeError::ModeratorIds)?;
    let knowledge = data.engine.load().knowledge().root.clone();
    let data_dir = crate::moderation::data_dir_from_env();
    let mut mc = ModerationConfig::new(knowledge, &data_dir);
    mc.today = config.today;
    let failed = |message: String| ServeError::Moderation {
        data: data_dir.clone(),
        message,
    };
    mc.unanswered = UnansweredPolicy::from_env().map_err(failed)?;
    // Home servers mean moderators will change facts: refuse to start rather than let their
    // changes skip the check against the question set.
    if !homes.is_empty() {
        mc.require_question_set()
            .map_err(|e| failed(e.to_string()))?;
    }
    let backend = Arc::new(
        Moderation::with_engine(mc, data.engine.clone()).map_err(|e| failed(e.to_string()))?,
    );
    let watcher = watch::watch(backend.clone(), watch::DEFAULT_DEBOUNCE)
        .map_err(|e| failed(e.to_string()))?;
    if homes.is_empty() {
        tracing::warn!(
            "moderation from Discord is off: {} names no home server, so no server's \
             moderators may change the facts (/ask works everywhere)",
            permissions::GUILDS_ENV
        );
    } else {
        tracing::info!(
            data = %data_dir.display(),
            home_guilds = ?homes,
            moderator_roles = roles.len(),
            "moderation ready in the home servers; watching the fact base for hand edits"
        );
    }
    Ok((data.with_moderation(backend, roles, homes), watcher))
}

/// Runs the bot until `shutdown` completes (tests pass their own), then closes the gateway
/// connection cleanly.
pub async fn run_until(
    config: Config,
    data: Data,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let http = build_http(&config)?;
    // Check the token first: with a proxy, serenity would otherwise fall back to the real
    // gateway on a failed `GET /gateway` and the error would surface late and unclear.
    let app = match http.get_current_application_info().await {
        Ok(app) => app,
        Err(e) if http_status(&e) == Some(401) => return Err(ServeError::TokenRejected),
        Err(e) => return Err(ServeError::Discord(Box::new(e))),
    };
    tracing::info!(application = %app.id, name = %app.name, "token accepted");
    http.set_application_id(app.id);
    // Writes the usage counters once a minute, and once the bot has stopped.
    let backend = data.moderators.as_ref().map(|m| m.backend.clone());
    let flusher = backend.clone().map(flush_usage_every_interval);

    let guild_id = config.guild_id;
    let framework = poise::Framework::builder()
        .options(options())
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, id = %ready.user.id, "connected to Discord");
                let homes = data
                    .moderators
                    .as_ref()
                    .map(|m| m.home_guilds.clone())
                    .unwrap_or_default();
                register(ctx, &framework.options().commands, guild_id, &homes, data.retry).await;
                Ok(data)
            })
        })
        .build();

    let intents = serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGES
        | serenity::GatewayIntents::DIRECT_MESSAGES;
    // new_with_http keeps the proxy; calling `.token()` afterwards would build a fresh Http.
    let mut client = serenity::ClientBuilder::new_with_http(http, intents)
        .framework(framework)
        .await
        .map_err(|e| ServeError::Discord(Box::new(e)))?;

    let shard_manager = client.shard_manager.clone();
    let stopper = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        shard_manager.shutdown_all().await;
    });
    let result = client.start().await;
    stopper.abort();
    if let Some(f) = flusher {
        f.abort();
    }
    if let Some(b) = backend {
        flush_usage(&b);
    }
    result.map_err(|e| ServeError::Discord(Box::new(e)))
}

/// Writes the usage counters if any are unwritten (a failure is logged).
fn flush_usage(backend: &Moderation) {
    if let Err(e) = backend.usage_log().flush() {
        tracing::warn!("could not write the usage counts: {e}");
    }
}

/// Writes the usage counters every [`usage::FLUSH_EVERY`], off the answering path, so that a
/// bot that crashes loses at most that much.
fn flush_usage_every_interval(backend: Arc<Moderation>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(usage::FLUSH_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            let b = backend.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || flush_usage(&b)).await {
                tracing::warn!("the usage counts' write stopped: {e}");
            }
        }
    })
}

type Command = poise::Command<Data, Error>;

/// Whether a command is a moderator's (registered only in the home servers).
fn is_moderation_command(command: &Command) -> bool {
    ["fact", "source", "unanswered", "stats"].contains(&&*command.name)
}

/// Registers the commands: the members' ones in one guild or globally, the moderators' ones only
/// in the home servers, so other servers never see them. A failure is logged, not fatal:
/// commands registered earlier keep working, and mentions and DMs need no registration.
async fn register(
    ctx: &serenity::Context,
    commands: &[poise::Command<Data, Error>],
    guild_id: Option<u64>,
    home_guilds: &[u64],
    policy: RetryPolicy,
) {
    let (moderation, members): (Vec<&Command>, Vec<&Command>) =
        commands.iter().partition(|c| is_moderation_command(c));
    let mut places: Vec<(Option<u64>, Vec<&Command>)> = Vec::new();
    for &home in home_guilds {
        let mut set = moderation.clone();
        if guild_id == Some(home) {
            set.extend(members.iter().copied());
        }
        places.push((Some(home), set));
    }
    if !guild_id.is_some_and(|g| home_guilds.contains(&g)) {
        places.push((guild_id, members));
    }
    for (place, set) in places {
        register_in(ctx, &set, place, policy).await;
    }
}

/// Registers one set of commands in one guild, or globally.
async fn register_in(
    ctx: &serenity::Context,
    commands: &[&Command],
    guild_id: Option<u64>,
    policy: RetryPolicy,
) {
    let result = match guild_id {
        Some(g) => {
            with_retry(policy, "registering commands", || {
                poise::builtins::register_in_guild(
                    ctx,
                    commands.iter().copied(),
                    serenity::GuildId::new(g),
                )
            })
            .await
        }
        None => {
            with_retry(policy, "registering commands", || {
                poise::builtins::register_globally(ctx, commands.iter().copied())
            })
            .await
        }
    };
    let count = commands.len();
    match (result, guild_id) {
        (Ok(()), Some(g)) => tracing::info!(guild = g, count, "registered commands in the guild"),
        (Ok(()), None) => tracing::info!(count, "registered commands globally"),
        (Err(e), _) => tracing::error!("could not register the commands: {e}"),
    }
}

fn options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: commands(),
        on_error: |error| Box::pin(on_error(error)),
        event_handler: |framework, event| Box::pin(event_handler(framework, event)),
        // Nothing the bot sends pings anyone.
        allowed_mentions: Some(reply::no_pings()),
        prefix_options: poise::PrefixFrameworkOptions {
            prefix: None,
            // The event handler answers mentions; as a prefix every mention would first be
            // parsed as a command.
            mention_as_prefix: false,
            ..Default::default()
        },
        // Owners are not used; this saves a REST call at start.
        initialize_owners: false,
        ..Default::default()
    }
}

async fn event_handler(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &serenity::FullEvent,
) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match event {
        serenity::FullEvent::Message { new_message } => {
            messages::on_message(ctx, new_message, framework.bot_id(), data).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(click),
        } => {
            if moderation::on_click(ctx, click, data).await?
                || ask::on_button(ctx, click, data).await?
            {
                Ok(())
            } else {
                moderation::Target::Click(click)
                    .say(ctx, data, OUT_OF_DATE)
                    .await
            }
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(form),
        } => moderation::on_form(ctx, form, data).await,
        serenity::FullEvent::Resume { .. } => {
            tracing::info!("gateway session resumed");
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Told when an interaction names a command, subcommand, button or form the bot no longer has
/// (registered by an older version, or a message from before a restart).
pub const OUT_OF_DATE: &str =
    "This is out of date: the bot no longer has that command or button. Try /ask.";

/// Logs every error; users get a short apology, never the raw error text. An interaction the
/// bot does not know, a moderator command in a DM and a missing subcommand get their own
/// message, so no interaction is left without a reply.
async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    const SORRY: &str =
        "Sorry, something went wrong while answering. Please try again in a moment.";
    let told = match &error {
        poise::FrameworkError::UnknownInteraction {
            framework,
            interaction,
            ..
        } => {
            tracing::info!(command = %interaction.data.name, "an interaction the bot does not know");
            let data = framework.user_data;
            return answer_unknown(framework.serenity_context, interaction, data).await;
        }
        poise::FrameworkError::GuildOnly { .. } => moderation::ONLY_IN_SERVERS,
        poise::FrameworkError::SubcommandRequired { .. } => OUT_OF_DATE,
        _ => SORRY,
    };
    match &error {
        poise::FrameworkError::Setup { error, .. } => tracing::error!("setup failed: {error}"),
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(event = event.snake_case_name(), "handler failed: {error}")
        }
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(command = %ctx.command().name, "command failed: {error}")
        }
        other => tracing::warn!("{other}"),
    }
    if let Some(ctx) = error.ctx() {
        let notice = reply::Reply::notice(told).to_poise(true);
        if let Err(e) = with_retry(ctx.data().retry, "error notice", || {
            ctx.send(notice.clone())
        })
        .await
        {
            tracing::warn!("could not send the apology: {e}");
        }
    }
}

/// An unknown command or subcommand: no choices for an autocomplete, else the ephemeral
/// [`OUT_OF_DATE`].
async fn answer_unknown(
    ctx: &serenity::Context,
    interaction: &serenity::CommandInteraction,
    data: &Data,
) {
    let response = if interaction.data.autocomplete().is_some() {
        serenity::CreateInteractionResponse::Autocomplete(
            serenity::CreateAutocompleteResponse::new(),
        )
    } else {
        serenity::CreateInteractionResponse::Message(
            reply::Reply::notice(OUT_OF_DATE).to_interaction_message(true),
        )
    };
    if let Err(e) = with_retry(data.retry, "out-of-date notice", || {
        interaction.create_response(&ctx.http, response.clone())
    })
    .await
    {
        tracing::warn!("could not answer an unknown interaction: {e}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for SIGINT: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
