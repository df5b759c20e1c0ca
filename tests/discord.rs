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
use strikefacts::discord::reply::{ANSWERED_COLOUR, CRISIS_COLOUR, EMERGENCY_COLOUR};
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

    /// The bot's `n`th reply in a channel (from 1).
    async fn nth_channel_reply(&self, channel: &str, n: usize) -> Recorded {
        let path = format!("/api/v10/channels/{channel}/messages");
        let nth = || {
            self.emu
                .requests()
                .into_iter()
                .filter(|r| r.method == "POST" && r.path == path && r.status < 300)
                .nth(n - 1)
        };
        self.emu
            .wait_until(WAIT, nth)
            .await
            .unwrap_or_else(|| panic!("no reply {n} in channel {channel}"))
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
async fn a_family_word_gets_no_emergency_message() {
    let h = start().await;
    let q = "my mum is a nurse, why are resident doctors striking?";
    let (id, _) = h.emu.slash_ask("120", q, None);
    let cb = h.callback(&id).await;
    let d = description(&cb.body);
    assert!(!d.contains("999") && !d.contains("111"), "{d}");
    let colour = embed(&cb.body)["color"].as_u64();
    assert!(
        colour != Some(u64::from(EMERGENCY_COLOUR)) && colour != Some(u64::from(CRISIS_COLOUR)),
        "{colour:?}"
    );
    // Answered with the facts: the statement before the question only sets it up.
    assert_eq!(colour, Some(u64::from(ANSWERED_COLOUR)), "{}", cb.body);
    assert_answered(&cb.body);
    assert!(d.contains("pay"), "{d}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crisis_gets_the_crisis_lines_in_their_own_colour_without_buttons_or_echo() {
    let h = start().await;
    let q = "I took too many pills";
    let (id, _) = h.emu.slash_ask("121", q, None);
    let cb = h.callback(&id).await;
    let e = embed(&cb.body);
    let d = description(&cb.body);
    assert!(d.contains("116 123"), "no crisis line in: {d}");
    assert!(d.contains("999") && d.contains("111"), "{d}");
    assert_eq!(e["color"], CRISIS_COLOUR);
    let title = e["title"].as_str().unwrap_or_default();
    assert!(
        !title.contains("pills"),
        "the question echoed as the title: {title}"
    );
    assert!(buttons(&cb.body).is_empty(), "{:?}", buttons(&cb.body));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_gets_the_signposting_in_its_own_colour_and_no_suggestions() {
    let h = start().await;
    let q = "my dad can't breathe, is the ambulance still coming during the strike?";
    let (id, _) = h.emu.slash_ask("122", q, None);
    let cb = h.callback(&id).await;
    let d = description(&cb.body);
    assert!(d.contains("999") && d.contains("111"), "{d}");
    assert!(!d.contains("116 123"), "{d}");
    assert_eq!(embed(&cb.body)["color"], EMERGENCY_COLOUR);
    let title = embed(&cb.body)["title"].as_str().unwrap_or_default();
    assert!(!title.contains("breathe"), "the question echoed: {title}");
    assert!(buttons(&cb.body).is_empty(), "{:?}", buttons(&cb.body));
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

/// Whether a label or choice is fit to show: capitalised, and no slang marker.
fn clean_shown(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    text.chars().next().is_some_and(char::is_uppercase)
        && !["fr", "lol", "ngl", "docs", "tho"]
            .iter()
            .any(|s| words.contains(s))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_offers_clean_display_questions_for_short_prefixes() {
    let h = start().await;
    // Some answers first, so that "most asked" has something to count.
    for q in [
        "why are resident doctors striking?",
        "why are resident doctors striking?",
    ] {
        let (id, _) = h.emu.slash_ask("125", q, None);
        assert_answered(&h.callback(&id).await.body);
    }
    for partial in [
        "",
        "w",
        "why",
        "why are",
        "when",
        "who is",
        "wen is the nxt strik",
    ] {
        let id = h.emu.autocomplete_ask("125", partial);
        let cb = h.callback(&id).await;
        let names: Vec<String> = cb.body["data"]["choices"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str().map(str::to_string))
            .collect();
        assert!(!names.is_empty(), "nothing offered for {partial:?}");
        assert!(names.len() <= 25);
        for n in &names {
            assert!(clean_shown(n), "{partial:?} offered {n:?}");
        }
        let typed = partial.to_lowercase();
        if ["w", "why", "why are", "when"].contains(&partial) {
            assert!(
                names[0].to_lowercase().starts_with(&typed),
                "{partial:?} first offered {:?}",
                names[0]
            );
        }
        if partial == "why are" {
            assert_eq!(
                names[0], "Why are resident doctors striking in 2025?",
                "most asked first"
            );
        }
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_show_clean_display_questions() {
    let h = start().await;
    let questions = [
        "why are resident doctors striking?",
        "who was the health sec in 2023",
        "how much do resident docs want",
        "how do I bake sourdough bread?",
        "when is the next strike?",
    ];
    let mut shown = 0;
    for q in questions {
        let (id, _) = h.emu.slash_ask("126", q, None);
        let cb = h.callback(&id).await;
        let labels: Vec<String> = buttons(&cb.body).into_iter().map(|(l, _)| l).collect();
        shown += labels.len();
        for l in labels {
            assert!(clean_shown(&l), "under {q:?}: {l:?}");
        }
        let title = embed(&cb.body)["title"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(title.is_empty() || clean_shown(&title), "{title:?}");
    }
    assert!(shown >= 5, "only {shown} buttons in all");
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
async fn mentions_inside_a_question_are_removed_and_nothing_typed_is_the_title() {
    let h = start().await;
    let channel = "711000000000000001";
    let typed = "<@444000000000000001> <@&555000000000000001> in <#666000000000000001> @everyone \
                 why are resident doctors striking?";
    h.emu.message(
        channel,
        "123",
        false,
        &format!("<@{BOT_ID}> {typed}"),
        true,
        &[BOT_ID, "444000000000000001"],
    );
    let r = h.channel_reply(channel).await;
    assert_answered(&r.body);
    let title = embed(&r.body)["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !title.contains('<') && !title.contains("@everyone"),
        "{title}"
    );
    assert!(
        !r.body.to_string().contains("444000000000000001"),
        "{}",
        r.body
    );
    // The same through /ask.
    let (id, _) = h.emu.slash_ask("123", typed, None);
    let cb = h.callback(&id).await;
    assert_answered(&cb.body);
    assert!(
        !cb.body.to_string().contains("555000000000000001"),
        "{}",
        cb.body
    );
    h.stop().await;
}

/// The link buttons (style 5) of a reply: `(label, url)`.
fn link_buttons(body: &Value) -> Vec<(String, String)> {
    let data = body.get("data").unwrap_or(body);
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter(|b| b["style"] == 5)
        .map(|b| {
            let text = |k: &str| b[k].as_str().unwrap_or_default().to_string();
            (text("label"), text("url"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_source_answer_has_a_source_link_button() {
    // A question answered from one fact with one source, and one answered from several sources.
    let engine = Engine::load(&knowledge()).expect("the fact base loads");
    let today = support::bot::today();
    // The distinct web addresses of an answer's sources (`None` for a source without one).
    let sources_of = |q: &str| {
        let a = engine.ask(q, today);
        let urls: std::collections::BTreeSet<Option<String>> = a
            .facts
            .iter()
            .flat_map(|f| f.sources.iter().map(|s| s.url.clone()))
            .collect();
        (a.answered && a.help.is_none(), urls)
    };
    let phrasings = || {
        engine
            .knowledge()
            .served_facts()
            .filter_map(|f| f.phrasings.first().cloned())
            .collect::<Vec<_>>()
    };
    let single = phrasings()
        .into_iter()
        .find(|q| matches!(sources_of(q), (true, u) if u.len() == 1 && !u.contains(&None)))
        .expect("a single-source answer");
    let several = phrasings()
        .into_iter()
        .find(|q| matches!(sources_of(q), (true, u) if u.len() > 1))
        .expect("a several-source answer");
    let h = start().await;
    let (id, _) = h.emu.slash_ask("124", &single, None);
    let links = link_buttons(&h.callback(&id).await.body);
    let url = sources_of(&single)
        .1
        .into_iter()
        .flatten()
        .next()
        .expect("a url");
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(links[0].0.starts_with("Source"), "{links:?}");
    assert_eq!(links[0].1, url);
    let (id, _) = h.emu.slash_ask("124", &several, None);
    assert!(link_buttons(&h.callback(&id).await.body).is_empty());
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

/// The appointment of the Health Secretary named in the answer before (issue 20's example).
const APPOINTED: &str = "15 May 2026";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_the_bots_answer_follows_it_up() {
    let h = start().await;
    let channel = "710000000000000002";
    let ask = |q: &str| format!("<@{BOT_ID}> {q}");
    h.emu.message(
        channel,
        "107",
        false,
        &ask("who is the health secretary now?"),
        true,
        &[BOT_ID],
    );
    let first = h.nth_channel_reply(channel, 1).await;
    assert_answered(&first.body);
    // Without the reply, "he" is nobody: declined, never answered from another fact.
    h.emu.message(
        channel,
        "107",
        false,
        &ask("when was he appointed?"),
        true,
        &[BOT_ID],
    );
    let alone = h.nth_channel_reply(channel, 2).await;
    assert!(
        !description(&alone.body).contains(APPOINTED),
        "{}",
        alone.body
    );
    // As a reply to the first answer (pinging the bot, as Discord does by default).
    let reply = h.emu.reply_to(
        &first.response,
        "107",
        &ask("when was he appointed?"),
        true,
        true,
    );
    let followed = h.nth_channel_reply(channel, 3).await;
    assert_answered(&followed.body);
    assert!(
        description(&followed.body).contains(APPOINTED),
        "{}",
        description(&followed.body)
    );
    assert_eq!(
        followed.body["message_reference"]["message_id"],
        Value::String(reply)
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_dm_message_follows_up_the_last_answer() {
    let h = start().await;
    let channel = "720000000000000002";
    let dm = |q: &str| {
        h.emu.message(channel, "108", false, q, false, &[]);
    };
    dm("who is the health secretary now?");
    assert_answered(&h.nth_channel_reply(channel, 1).await.body);
    dm("when was he appointed?");
    let followed = h.nth_channel_reply(channel, 2).await;
    assert_answered(&followed.body);
    assert!(
        description(&followed.body).contains(APPOINTED),
        "{}",
        description(&followed.body)
    );
    // Another user's DM chat has no conversation yet.
    h.emu.message(
        "720000000000000003",
        "109",
        false,
        "when was he appointed?",
        false,
        &[],
    );
    let other = h.nth_channel_reply("720000000000000003", 1).await;
    assert!(!description(&other.body).contains(APPOINTED));
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
async fn twenty_mentions_from_one_user_make_at_most_six_channel_posts() {
    let h = start().await;
    let channel = "751000000000000001";
    let posts_path = format!("/api/v10/channels/{channel}/messages");
    for _ in 0..20 {
        h.emu.message(
            channel,
            "119",
            false,
            &format!("<@{BOT_ID}> when is the next strike?"),
            true,
            &[BOT_ID],
        );
    }
    // Every mention is dealt with: a post, or a reaction on the message.
    let handled = |r: &Recorded| {
        r.status < 300
            && ((r.method == "POST" && r.path == posts_path)
                || (r.method == "PUT" && r.path.contains("/reactions/")))
    };
    let all = h
        .emu
        .wait_until(WAIT, || {
            let n = h.emu.requests().iter().filter(|r| handled(r)).count();
            (n >= 20).then_some(n)
        })
        .await;
    assert_eq!(all, Some(20), "requests: {:#?}", h.emu.requests());
    let posts: Vec<Recorded> = h
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == posts_path)
        .collect();
    assert!(posts.len() <= 6, "{} posts in the channel", posts.len());
    let answers = posts
        .iter()
        .filter(|p| !description(&p.body).is_empty())
        .count();
    let refusals = posts
        .iter()
        .filter(|p| {
            p.body["content"]
                .as_str()
                .is_some_and(|c| c.contains("at most 5 questions"))
        })
        .count();
    assert_eq!((answers, refusals), (5, 1));
    h.stop().await;
}

/// The text of an ephemeral first response.
fn ephemeral_text(cb: &Recorded) -> String {
    assert_eq!(cb.body["type"], 4, "{}", cb.body);
    assert!(is_ephemeral(&cb.body), "not ephemeral: {}", cb.body);
    cb.body["data"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_commands_buttons_and_forms_get_an_ephemeral_out_of_date_reply() {
    let h = start().await;
    let button = h.emu.click("130", "sf:retired-button:1");
    let form = h
        .emu
        .submit_form_as("130", "2147483647", "sf:old-form:1", &[("x", "y")])
        .0;
    let command = h.emu.slash("130", "strikes");
    let (subcommand, _) = h
        .emu
        .command_as("130", "2147483647", &[], "fact", Some("explode"), &[]);
    for id in [button, form, command, subcommand] {
        let text = ephemeral_text(&h.callback(&id).await);
        assert!(
            text.contains("out of date") && text.contains("/ask"),
            "{text}"
        );
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_command_in_a_dm_says_only_in_servers() {
    let h = start().await;
    let id = h
        .emu
        .dm_command("131", "fact", Some("show"), &[("id", Value::from("x"))]);
    let text = ephemeral_text(&h.callback(&id).await);
    assert_eq!(text, strikefacts::discord::moderation::ONLY_IN_SERVERS);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_on_the_callback_still_delivers_the_answer() {
    let h = start().await;
    h.emu.fail_with("POST", "/callback", 500, 1);
    let (id, _) = h
        .emu
        .slash_ask("132", "why are resident doctors striking?", None);
    let cb = h.callback(&id).await;
    assert_answered(&cb.body);
    let tries = h
        .emu
        .requests()
        .iter()
        .filter(|r| r.path == callback_path(&id))
        .count();
    assert_eq!(tries, 2, "one failed try and one retry");
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
