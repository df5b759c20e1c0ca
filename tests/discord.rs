//! End-to-end tests of the Discord bot: the real `serve` code path (serenity + poise) against a
//! Discord emulator on 127.0.0.1. Every assertion is on what the bot actually sent: its REST
//! requests and their JSON bodies. Every wait is bounded.

mod support;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use serde_json::Value;

use strikefacts::discord::ratelimit::RateLimit;
use strikefacts::discord::{run_until, Data, ServeError};
use strikefacts::Engine;
use support::bot::{
    buttons, callback_path, config, init_logs, pings_nobody, registered_commands, Bot,
};
use support::emulator::{Emulator, Recorded, APP_ID, BOT_ID, GUILD_ID, OTHER_BOT_ID};

const WAIT: Duration = Duration::from_secs(8);
/// How long to wait before concluding the bot did not answer.
const QUIET: Duration = Duration::from_millis(800);
const DECLINE_TITLE: &str = "I can't answer that from my sourced facts";
/// GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES, without MESSAGE_CONTENT (1 << 15).
const INTENTS: u64 = 1 | (1 << 9) | (1 << 12);

fn knowledge() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

type Declined = Arc<Mutex<Vec<(String, Option<u64>)>>>;

/// The emulator and the bot running against it.
struct Harness {
    emu: Emulator,
    bot: Bot,
    declined: Declined,
}

async fn start() -> Harness {
    init_logs();
    launch(Emulator::start().await).await
}

/// Starts the bot against `emu` and waits until it has registered its commands.
async fn launch(emu: Emulator) -> Harness {
    let config = config(&emu, RateLimit::default());
    let engine = Engine::load(&knowledge()).expect("the fact base loads");
    let declined: Declined = Arc::default();
    let seen = declined.clone();
    let data = Data::new(Arc::new(ArcSwap::from_pointee(engine)), &config).with_on_declined(
        Arc::new(move |q: &str, g: Option<u64>| {
            seen.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((q.to_string(), g))
        }),
    );
    let bot = Bot::launch(&emu, config, data).await;
    Harness { emu, bot, declined }
}

impl Harness {
    /// Stops the bot and checks that it shut down cleanly.
    async fn stop(self) {
        self.bot.stop().await
    }

    async fn callback(&self, interaction: &str) -> Recorded {
        support::bot::callback(&self.emu, interaction, WAIT).await
    }

    async fn channel_reply(&self, channel: &str) -> Recorded {
        let path = format!("/api/v10/channels/{channel}/messages");
        self.emu
            .wait_request(WAIT, |r| {
                r.method == "POST" && r.path == path && r.status < 300
            })
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no reply in channel {channel}; requests: {:#?}",
                    self.emu.requests()
                )
            })
    }
}

fn embed(body: &Value) -> &Value {
    let data = body.get("data").unwrap_or(body);
    &data["embeds"][0]
}

fn description(body: &Value) -> String {
    embed(body)["description"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn is_ephemeral(body: &Value) -> bool {
    body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// An answered reply: an embed with a linked source and an as-of date, within limits.
fn assert_answered(body: &Value) {
    let e = embed(body);
    let title = e["title"].as_str().unwrap_or_default();
    let d = description(body);
    assert_ne!(title, DECLINE_TITLE, "declined: {d}");
    assert!(d.contains("as of "), "no as-of date in: {d}");
    assert!(d.contains("](https://"), "no source link in: {d}");
    assert!(d.chars().count() <= 4096);
    for (label, id) in buttons(body) {
        assert!(!label.is_empty() && label.chars().count() <= 80);
        assert!(
            id.starts_with("sf:ask") && id.chars().count() <= 100,
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_is_answered_with_a_source_link_and_as_of_date() {
    let h = start().await;
    // The bot registered /ask (with autocomplete), /help and the moderators' commands in the guild, asking for intents
    // without Message Content.
    let put = registered_commands(&h.emu);
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    );
    let names: Vec<&str> = put
        .body
        .as_array()
        .expect("an array of commands")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    // This server is not a home server, so the moderators' commands are not registered in it.
    assert_eq!(names, ["ask", "help"]);
    assert_eq!(put.body[0]["options"][0]["autocomplete"], Value::Bool(true));
    let identify = h
        .emu
        .frames()
        .into_iter()
        .find(|f| f["op"] == 2)
        .expect("IDENTIFY");
    assert_eq!(identify["d"]["intents"].as_u64(), Some(INTENTS));

    let (id, _) = h
        .emu
        .slash_ask("100", "why are resident doctors striking?", None);
    let cb = h.callback(&id).await;
    assert_eq!(cb.method, "POST");
    assert_eq!(cb.body["type"], 4);
    assert_answered(&cb.body);
    assert!(!is_ephemeral(&cb.body));
    assert!(pings_nobody(&cb.body["data"]["allowed_mentions"]));
    let b = buttons(&cb.body);
    assert!(!b.is_empty() && b.len() <= 3, "related questions: {b:?}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_private_is_ephemeral() {
    let h = start().await;
    let (id, _) = h
        .emu
        .slash_ask("101", "when is the next strike?", Some(true));
    let cb = h.callback(&id).await;
    assert_answered(&cb.body);
    assert!(is_ephemeral(&cb.body));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_declined_offers_suggestion_buttons() {
    let h = start().await;
    let q = "how do I bake sourdough bread?";
    let (id, _) = h.emu.slash_ask("102", q, None);
    let cb = h.callback(&id).await;
    assert_eq!(embed(&cb.body)["title"], DECLINE_TITLE);
    assert!(description(&cb.body).contains("won't guess"));
    let b = buttons(&cb.body);
    assert!(!b.is_empty() && b.len() <= 3, "suggestions: {b:?}");
    // The moderation hook heard about it, with the guild.
    let declined = h.declined.lock().map(|d| d.clone()).unwrap_or_default();
    assert_eq!(declined, vec![(q.to_string(), GUILD_ID.parse().ok())]);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_suggests_for_a_partial_misspelt_question() {
    let h = start().await;
    let id = h.emu.autocomplete_ask("103", "wen is the nxt strik");
    let cb = h.callback(&id).await;
    assert_eq!(cb.body["type"], 8);
    let choices = cb.body["data"]["choices"].as_array().expect("choices");
    assert!(
        !choices.is_empty() && choices.len() <= 25,
        "choices: {choices:?}"
    );
    for c in choices {
        let name = c["name"].as_str().expect("a name");
        let value = c["value"].as_str().expect("a string value");
        assert!(!name.is_empty() && name.chars().count() <= 100);
        assert!(!value.is_empty() && value.chars().count() <= 100);
    }
    let all: Vec<String> = choices
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_lowercase))
        .collect();
    assert!(
        all.iter().any(|c| c.contains("strike")),
        "nothing about strikes in {all:?}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_related_question_button_is_answered() {
    let h = start().await;
    let (id, _) = h
        .emu
        .slash_ask("104", "why are resident doctors striking?", None);
    let cb = h.callback(&id).await;
    let b = buttons(&cb.body);
    let (label, custom_id) = b.first().expect("a related question").clone();
    let click = h.emu.click("104", &custom_id);
    let reply = h.callback(&click).await;
    assert_eq!(reply.body["type"], 4);
    assert_answered(&reply.body);
    let title = embed(&reply.body)["title"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        title.starts_with(&label.trim_end_matches('…').to_lowercase()),
        "the click on {label:?} answered {title:?}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_in_a_guild_channel_is_answered() {
    let h = start().await;
    let channel = "710000000000000001";
    let msg = h.emu.message(
        channel,
        "105",
        false,
        &format!("<@{BOT_ID}> why are resident doctors striking?"),
        true,
        &[BOT_ID],
    );
    let r = h.channel_reply(channel).await;
    assert_answered(&r.body);
    assert_eq!(
        r.body["message_reference"]["message_id"],
        Value::String(msg)
    );
    assert_eq!(
        r.body["message_reference"]["fail_if_not_exists"],
        Value::Bool(false)
    );
    assert!(pings_nobody(&r.body["allowed_mentions"]));
    // The mention itself is not part of the question.
    assert!(!embed(&r.body)["title"]
        .as_str()
        .unwrap_or_default()
        .contains("<@"));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_is_answered() {
    let h = start().await;
    let channel = "720000000000000001";
    h.emu.message(
        channel,
        "106",
        false,
        "when is the next strike?",
        false,
        &[],
    );
    let r = h.channel_reply(channel).await;
    assert_answered(&r.body);
    assert!(pings_nobody(&r.body["allowed_mentions"]));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_bots_and_unmentioned_messages_are_ignored() {
    let h = start().await;
    let from_bot = "730000000000000001";
    let unmentioned = "730000000000000002";
    let human = "730000000000000003";
    h.emu.message(
        from_bot,
        OTHER_BOT_ID,
        true,
        &format!("<@{BOT_ID}> when is the next strike?"),
        true,
        &[BOT_ID],
    );
    h.emu.message(
        from_bot,
        OTHER_BOT_ID,
        true,
        "when is the next strike?",
        false,
        &[],
    );
    h.emu.message(
        unmentioned,
        "107",
        false,
        "when is the next strike?",
        true,
        &[],
    );
    // Its own messages too.
    h.emu.message(
        from_bot,
        BOT_ID,
        true,
        &format!("<@{BOT_ID}> when is the next strike?"),
        true,
        &[BOT_ID],
    );
    // A human mention after them is answered, so the events above were all handled by then.
    h.emu.message(
        human,
        "107",
        false,
        &format!("<@{BOT_ID}> when is the next strike?"),
        true,
        &[BOT_ID],
    );
    h.channel_reply(human).await;
    tokio::time::sleep(QUIET).await;
    let posted: Vec<String> = h
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api/v10/channels/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(posted, [format!("/api/v10/channels/{human}/messages")]);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_in_a_question_never_pings() {
    let h = start().await;
    let (id, _) = h
        .emu
        .slash_ask("108", "@everyone <@&555> when is the next strike?", None);
    let cb = h.callback(&id).await;
    assert!(
        pings_nobody(&cb.body["data"]["allowed_mentions"]),
        "{}",
        cb.body
    );
    let channel = "740000000000000001";
    h.emu.message(
        channel,
        "108",
        false,
        &format!("<@{BOT_ID}> @everyone when is the next strike?"),
        true,
        &[BOT_ID],
    );
    let r = h.channel_reply(channel).await;
    assert!(pings_nobody(&r.body["allowed_mentions"]), "{}", r.body);
    assert_eq!(
        r.body["allowed_mentions"]["replied_user"],
        Value::Bool(false)
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixth_question_in_the_window_is_refused_ephemerally() {
    let h = start().await;
    for _ in 0..5 {
        let (id, _) = h.emu.slash_ask("109", "when is the next strike?", None);
        let cb = h.callback(&id).await;
        assert_answered(&cb.body);
        assert!(!is_ephemeral(&cb.body));
    }
    let (id, _) = h.emu.slash_ask("109", "when is the next strike?", None);
    let cb = h.callback(&id).await;
    assert!(is_ephemeral(&cb.body));
    let content = cb.body["data"]["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("at most 5 questions every 30 seconds"),
        "{content}"
    );
    assert!(cb.body["data"]["embeds"]
        .as_array()
        .is_none_or(|e| e.is_empty()));
    // Another user is still answered, and a mention from the limited user gets a short reply.
    let (other, _) = h.emu.slash_ask("110", "when is the next strike?", None);
    assert_answered(&h.callback(&other).await.body);
    let channel = "750000000000000001";
    h.emu.message(
        channel,
        "109",
        false,
        &format!("<@{BOT_ID}> when is the next strike?"),
        true,
        &[BOT_ID],
    );
    let r = h.channel_reply(channel).await;
    assert!(r.body["content"]
        .as_str()
        .unwrap_or_default()
        .contains("at most 5 questions"));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rest_429_is_waited_out_and_the_reply_arrives() {
    let h = start().await;
    h.emu.fail_with_429("POST", "/api/v10/interactions/", 1);
    h.emu.fail_with_429("POST", "/api/v10/channels/", 1);
    let (id, _) = h
        .emu
        .slash_ask("111", "why are resident doctors striking?", None);
    let cb = h.callback(&id).await;
    assert_answered(&cb.body);
    let tries: Vec<u16> = h
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path == cb.path)
        .map(|r| r.status)
        .collect();
    assert_eq!(tries, [429, 204]);

    let channel = "760000000000000001";
    h.emu.message(
        channel,
        "111",
        false,
        "when is the next strike?",
        false,
        &[],
    );
    let r = h.channel_reply(channel).await;
    assert_answered(&r.body);
    let tries: Vec<u16> = h
        .emu
        .requests()
        .into_iter()
        .filter(|x| x.path == r.path)
        .map(|x| x.status)
        .collect();
    assert_eq!(tries, [429, 200]);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_gateway_drops_the_bot_reconnects_and_answers() {
    init_logs();
    // Short heartbeats, so the conversation includes heartbeats and their ACKs.
    let h = launch(Emulator::start_with_heartbeat(150).await).await;
    let (first, _) = h.emu.slash_ask("112", "when is the next strike?", None);
    h.callback(&first).await;
    let beating = h
        .emu
        .wait_until(WAIT, || (h.emu.heartbeats() >= 2).then_some(()))
        .await;
    assert!(beating.is_some(), "no heartbeats: {:?}", h.emu.frames());
    // Every heartbeat was acknowledged, so the bot stayed on its first connection.
    assert_eq!((h.emu.connections(), h.emu.identifies()), (1, 1));
    h.emu.close_gateway();
    let reconnected = h
        .emu
        .wait_until(WAIT, || {
            (h.emu.resumes() >= 1 && h.emu.connections() >= 2).then_some(())
        })
        .await;
    assert!(
        reconnected.is_some(),
        "no reconnection: {} connections, {} identifies, {} resumes",
        h.emu.connections(),
        h.emu.identifies(),
        h.emu.resumes()
    );
    let (id, _) = h
        .emu
        .slash_ask("112", "why are resident doctors striking?", None);
    assert_answered(&h.callback(&id).await.body);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_explains_what_how_and_where_from() {
    let h = start().await;
    let id = h.emu.slash("113", "help");
    let cb = h.callback(&id).await;
    assert!(is_ephemeral(&cb.body));
    let d = description(&cb.body);
    for part in [
        "What I know about",
        "How to ask",
        "Where my facts come from",
        "/ask",
        "/fact add",
        "/unanswered",
    ] {
        assert!(d.contains(part), "{part} missing from: {d}");
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_is_a_clear_error() {
    init_logs();
    let emu = Emulator::start().await;
    emu.reject_all();
    // In process: run_until returns the error.
    let engine = Engine::load(&knowledge()).expect("the fact base loads");
    let config = config(&emu, RateLimit::default());
    let data = Data::new(Arc::new(ArcSwap::from_pointee(engine)), &config);
    let r = tokio::time::timeout(WAIT, run_until(config, data, std::future::pending()))
        .await
        .expect("run_until returned");
    assert!(matches!(r, Err(ServeError::TokenRejected)), "{r:?}");
    // The binary: one line, non-zero, no token in it.
    let out = tokio::time::timeout(
        WAIT * 2,
        tokio::process::Command::new(env!("CARGO_BIN_EXE_strikefacts"))
            .args(["--knowledge"])
            .arg(knowledge())
            .args(["serve", "--discord-proxy", &emu.proxy_url()])
            .env("DISCORD_TOKEN", "secret-token-value")
            .env_remove("DISCORD_GUILD_ID")
            .env_remove("STRIKEFACTS_DISCORD_PROXY")
            .env("RUST_LOG", "debug")
            .current_dir(std::env::temp_dir())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("serve exited in time")
    .expect("serve ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("rejected the token"), "stderr: {stderr}");
    assert!(
        !stderr.contains("secret-token-value"),
        "token leaked: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_and_stops_cleanly_on_sigterm() {
    init_logs();
    let emu = Emulator::start().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_strikefacts"))
        .arg("--knowledge")
        .arg(knowledge())
        .args([
            "--today",
            "2026-11-21",
            "serve",
            "--discord-proxy",
            &emu.proxy_url(),
        ])
        .env("DISCORD_TOKEN", "secret-token-value")
        .env("DISCORD_GUILD_ID", GUILD_ID)
        .env_remove("STRIKEFACTS_DISCORD_PROXY")
        .env_remove("STRIKEFACTS_RATE_LIMIT")
        .env("RUST_LOG", "info")
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    assert!(emu.wait_ready(WAIT * 2).await, "{:?}", emu.requests());
    let (id, _) = emu.slash_ask("114", "why are resident doctors striking?", None);
    let path = callback_path(&id);
    let cb = emu
        .wait_request(WAIT, |r| r.path == path)
        .await
        .expect("a callback");
    assert_answered(&cb.body);

    let pid = child.id().expect("a running child").to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(killed.success());
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("serve stopped in time")
        .expect("serve exit status");
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = err.read_to_string(&mut stderr).await;
    }
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(
        !stderr.contains("secret-token-value"),
        "token leaked: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_token_exits_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = tokio::time::timeout(
        WAIT * 2,
        tokio::process::Command::new(env!("CARGO_BIN_EXE_strikefacts"))
            .arg("serve")
            .env_remove("DISCORD_TOKEN")
            .current_dir(dir.path())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("serve exited in time")
    .expect("serve ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "stderr: {stderr}");
    assert!(
        stderr.contains("DISCORD_TOKEN is not set"),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

/// The closing note's figure: median time from the emulator sending INTERACTION_CREATE to the
/// bot's callback request, over 100 questions (each from its own user, so none is rate limited).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn median_interaction_to_callback_time() {
    let h = start().await;
    let questions = [
        "why are resident doctors striking?",
        "when is the next strike?",
        "how much pay rise did they ask for?",
        "what is the capital of france?",
    ];
    let mut times = Vec::new();
    for i in 0..100 {
        let user = format!("{}", 200 + i);
        let (id, sent) = h.emu.slash_ask(&user, questions[i % questions.len()], None);
        let cb = h.callback(&id).await;
        times.push(cb.at.duration_since(sent));
    }
    times.sort();
    let median = (times[49] + times[50]) / 2;
    println!(
        "INTERACTION_CREATE → callback over {} questions: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        times.len(),
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[99].as_secs_f64() * 1000.0
    );
    assert!(median < Duration::from_secs(1), "median {median:?}");
    h.stop().await;
}
