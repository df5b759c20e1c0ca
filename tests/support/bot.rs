//! What both end-to-end suites do around the bot: the day it answers as of, logs, its config
//! against the emulator, running it until stopped, and reading what it sent.

#![allow(dead_code)]

use std::time::Duration;

use chrono::NaiveDate;
use serde_json::Value;
use tokio::sync::oneshot;

use strikefacts::discord::ratelimit::RateLimit;
use strikefacts::discord::retry::RetryPolicy;
use strikefacts::discord::{run_until, Config, Data, ServeError};

use super::emulator::{Emulator, Recorded, GUILD_ID};

/// How long the bot may take to connect and register its commands, and to shut down.
const START_STOP: Duration = Duration::from_secs(8);

/// The day the bot answers as of.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).expect("a valid date")
}

pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// The bot's config against `emu`: in its guild, as of [`today`], with quick retries.
pub fn config(emu: &Emulator, rate_limit: RateLimit) -> Config {
    Config {
        token: "test-token".to_string(),
        guild_id: GUILD_ID.parse().ok(),
        proxy: Some(emu.proxy_url()),
        today: Some(today()),
        rate_limit,
        retry: RetryPolicy {
            retries: 3,
            step: Duration::from_millis(200),
            max_wait: Duration::from_secs(1),
        },
    }
}

/// The bot running in this process (the real `serve` code path) until [`Bot::stop`].
pub struct Bot {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ServeError>>,
}

impl Bot {
    /// Starts the bot against `emu` and waits until it has registered its commands.
    pub async fn launch(emu: &Emulator, config: Config, data: Data) -> Bot {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run_until(config, data, async move {
            let _ = stopped.await;
        }));
        assert!(
            emu.wait_ready(START_STOP).await,
            "the bot did not connect and register its commands; requests: {:?}",
            emu.requests()
        );
        Bot {
            stop: Some(stop),
            task,
        }
    }

    /// Stops the bot and checks that it shut down cleanly.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match tokio::time::timeout(START_STOP, &mut self.task).await {
            Ok(Ok(Ok(()))) => {}
            other => panic!("the bot did not shut down cleanly: {other:?}"),
        }
    }
}

/// The path of the first response to an interaction (its callback).
pub fn callback_path(interaction: &str) -> String {
    format!("/api/v10/interactions/{interaction}/token-{interaction}/callback")
}

/// The first response to an interaction, waited for at most `wait`.
pub async fn callback(emu: &Emulator, interaction: &str, wait: Duration) -> Recorded {
    let path = callback_path(interaction);
    emu.wait_request(wait, |r| r.path == path && r.status < 300)
        .await
        .unwrap_or_else(|| {
            panic!(
                "no callback for interaction {interaction}; requests: {:#?}",
                emu.requests()
            )
        })
}

/// The bot's registration of its commands (the PUT of the command list).
pub fn registered_commands(emu: &Emulator) -> Recorded {
    emu.requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("commands registered")
}

/// The buttons of a message or callback that the bot hears of: `(label, custom id)` (not the
/// link buttons, which have a URL instead).
pub fn buttons(body: &Value) -> Vec<(String, String)> {
    let data = body.get("data").unwrap_or(body);
    let mut out = Vec::new();
    for row in data["components"].as_array().into_iter().flatten() {
        for b in row["components"].as_array().into_iter().flatten() {
            if b["style"] == 5 {
                continue;
            }
            out.push((
                b["label"].as_str().unwrap_or_default().to_string(),
                b["custom_id"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

/// Whether an `allowed_mentions` object lets nothing ping: no parsed mentions, no users or
/// roles, no reply ping.
pub fn pings_nobody(allowed: &Value) -> bool {
    allowed["parse"].as_array().is_some_and(|p| p.is_empty())
        && allowed["users"].as_array().is_none_or(|u| u.is_empty())
        && allowed["roles"].as_array().is_none_or(|r| r.is_empty())
        && allowed["replied_user"].as_bool() != Some(true)
}
