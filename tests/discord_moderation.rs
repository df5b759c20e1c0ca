//! End-to-end tests of the moderators' Discord commands: the real bot (serenity + poise) against
//! the Discord emulator on 127.0.0.1, over a temporary copy of `knowledge/` and a temporary data
//! folder (never the repository's files). Every wait is bounded.
//!
//! Each change is validated by the back end (the whole fact base and the question set), which
//! takes a few seconds in a debug build, so each test makes as few changes as it can, and the
//! sandbox keeps one dispute's facts and the questions about it.

#[path = "support/git.rs"]
mod git_support;
mod support;
use git_support::git;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde_json::{json, Value};

use strikefacts::discord::moderation::{ids, NOT_HOME, READ_REFUSAL, REFUSAL};
use strikefacts::discord::ratelimit::RateLimit;
use strikefacts::discord::Data;
use strikefacts::moderation::{usage, watch, Moderation, ModerationConfig};
use strikefacts::Engine;
use support::bot::{buttons, config, init_logs, pings_nobody, registered_commands, today, Bot};
use support::emulator::{
    Emulator, Recorded, ADMIN_PERMISSIONS, GUILD_ID, MEMBER_PERMISSIONS, MODERATOR_PERMISSIONS,
};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// Generous: a change is validated against the question set before it is written.
const WAIT: Duration = Duration::from_secs(30);
const ALICE: &str = "500000000000000001";
const BOB: &str = "500000000000000002";
const MALLORY: &str = "500000000000000003";
/// The dispute the sandbox keeps.
const DISPUTE: &str = "resident-2025";
const DECLINE_TITLE: &str = "I can't answer that from my sourced facts";

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a folder");
    for entry in fs::read_dir(from).expect("read a folder") {
        let path = entry.expect("a folder entry").path();
        let target = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).expect("copy a file");
        }
    }
}

/// Every file under `dir` with its bytes: to show that nothing was written.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read a folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), fs::read(&path).expect("read a file"));
            }
        }
    }
    out
}

/// A scratch project: one dispute's facts, the questions about that dispute, a data folder.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temp folder");
        let knowledge = dir.path().join("knowledge");
        copy_dir(&Path::new(REPO).join("knowledge"), &knowledge);
        for entry in fs::read_dir(knowledge.join("facts")).expect("facts/") {
            let path = entry.expect("an entry").path();
            if path.file_name().is_some_and(|n| n != DISPUTE) {
                fs::remove_dir_all(path).expect("remove a dispute");
            }
        }
        // The questions that expect an answer from this dispute, and the ones expecting a
        // decline: the rule "an edit must not make the question set worse" still runs.
        let questions = fs::read_to_string(Path::new(REPO).join("tests/questions.jsonl"))
            .expect("the question set");
        let kept: Vec<&str> = questions
            .lines()
            .filter(|l| {
                serde_json::from_str::<Value>(l).is_ok_and(|q| {
                    let expects = q["expect_any"].to_string() + &q["expect_all"].to_string();
                    q["kind"] != "answerable" || expects.contains("2025")
                })
            })
            .collect();
        fs::create_dir_all(dir.path().join("tests")).expect("tests/");
        fs::write(
            dir.path().join("tests/questions.jsonl"),
            kept.join("\n") + "\n",
        )
        .expect("write the question set");
        Sandbox { dir }
    }

    fn knowledge(&self) -> PathBuf {
        self.dir.path().join("knowledge")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The text of fact `id`'s file in the sandbox's dispute.
    fn fact_file(&self, id: &str) -> String {
        fs::read_to_string(
            self.knowledge()
                .join("facts")
                .join(DISPUTE)
                .join(format!("{id}.toml")),
        )
        .expect("the fact file")
    }
}

struct Harness {
    emu: Emulator,
    sandbox: Sandbox,
    engine: Arc<ArcSwap<Engine>>,
    bot: Bot,
    _watcher: watch::KnowledgeWatcher,
}

async fn start() -> Harness {
    start_with(|_| ()).await
}

/// [`start`], with the sandbox prepared by `prepare` before the bot opens it.
async fn start_with(prepare: impl FnOnce(&Sandbox)) -> Harness {
    init_logs();
    let emu = Emulator::start().await;
    let sandbox = Sandbox::new();
    prepare(&sandbox);
    // Many questions per test from one user.
    let config = config(
        &emu,
        RateLimit {
            max: 1000,
            window: Duration::from_secs(1),
        },
    );
    let engine = Arc::new(ArcSwap::from_pointee(
        Engine::load(&sandbox.knowledge()).expect("the sandbox fact base loads"),
    ));
    // As `serve` sets it up (see `discord::attach_moderation`), with the sandbox's folders.
    let mut mc = ModerationConfig::new(sandbox.knowledge(), sandbox.data());
    assert!(mc.questions.is_some(), "the sandbox question set is found");
    mc.today = Some(today());
    let backend = Arc::new(Moderation::with_engine(mc, engine.clone()).expect("moderation opens"));
    let watcher = watch::watch(backend.clone(), watch::DEFAULT_DEBOUNCE).expect("the watch starts");
    let home = GUILD_ID.parse().expect("a guild id");
    let data = Data::new(engine.clone(), &config).with_moderation(backend, Vec::new(), vec![home]);
    let bot = Bot::launch(&emu, config, data).await;
    Harness {
        emu,
        sandbox,
        engine,
        bot,
        _watcher: watcher,
    }
}

/// The text a request carries (a callback's `data.content`, or a webhook's `content`).
fn content(r: &Recorded) -> Option<String> {
    let data = r.body.get("data").unwrap_or(&r.body);
    data.get("content")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

impl Harness {
    async fn stop(self) {
        self.bot.stop().await
    }

    fn token_of(interaction: &str) -> String {
        format!("/token-{interaction}")
    }

    /// The first response to an interaction (its callback).
    async fn callback(&self, interaction: &str) -> Recorded {
        support::bot::callback(&self.emu, interaction, WAIT).await
    }

    /// The form a command opened: its callback is a modal (type 9) whose custom id starts with
    /// `prefix` and fits Discord's 100 characters. Returns the callback's body and the custom id.
    async fn opened_form(&self, interaction: &str, prefix: &str) -> (Value, String) {
        let form = self.callback(interaction).await.body;
        assert_eq!(form["type"], 9, "not a form: {form}");
        let custom_id = form["data"]["custom_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(custom_id.starts_with(prefix) && custom_id.len() <= 100);
        (form, custom_id)
    }

    /// `/fact edit` opened by `user` on `fact`: the form's five values (phrasings, answer,
    /// excerpts, as of, extra) and its custom id, to submit with changes.
    async fn edit_form(&self, user: &str, fact: &str) -> ([String; 5], String) {
        let open = self.command(
            user,
            MODERATOR_PERMISSIONS,
            "fact",
            Some("edit"),
            &[("id", json!(fact))],
        );
        let (form, custom_id) = self.opened_form(&open, ids::EDIT_FORM).await;
        let values = std::array::from_fn(|i| {
            form["data"]["components"][i]["components"][0]["value"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        });
        (values, custom_id)
    }

    /// The text the moderator finally sees for an interaction (a direct reply, a follow-up
    /// after a defer, or the edited deferred response), checked to be ephemeral-or-edit and to
    /// ping nobody.
    async fn said(&self, interaction: &str) -> String {
        content(&self.said_full(interaction).await).unwrap_or_default()
    }

    /// [`Harness::said`], the whole request (for its buttons).
    async fn said_full(&self, interaction: &str) -> Recorded {
        let token = Self::token_of(interaction);
        let r = self
            .emu
            .wait_request(WAIT, |r| {
                r.path.contains(&token) && r.status < 300 && content(r).is_some()
            })
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no reply to {interaction}; requests: {:#?}",
                    self.emu.requests()
                )
            });
        let data = r.body.get("data").unwrap_or(&r.body);
        assert!(
            pings_nobody(&data["allowed_mentions"]),
            "a reply may ping: {}",
            r.body
        );
        if r.method == "POST" {
            // A first response or a follow-up: only the moderator sees it.
            assert_eq!(
                data["flags"].as_u64().unwrap_or(0) & 64,
                64,
                "not ephemeral: {}",
                r.body
            );
        }
        let text = content(&r).unwrap_or_default();
        assert!(text.chars().count() <= 2000);
        r
    }

    fn command(
        &self,
        user: &str,
        permissions: &str,
        name: &str,
        sub: Option<&str>,
        options: &[(&str, Value)],
    ) -> String {
        self.emu
            .command_as(user, permissions, &[], name, sub, options)
            .0
    }

    /// `/ask` and its reply: `(answered, description)`.
    async fn ask(&self, question: &str) -> (bool, String) {
        let (id, _) = self.emu.slash_ask(ALICE, question, None);
        let body = self.callback(&id).await.body;
        let embed = &body["data"]["embeds"][0];
        let title = embed["title"].as_str().unwrap_or_default();
        let description = embed["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (title != DECLINE_TITLE, description)
    }

    /// A served fact whose first phrasing is answered by it alone, and that phrasing.
    fn steady_fact(&self) -> (String, String, String) {
        let engine = self.engine.load_full();
        let found = engine
            .knowledge()
            .served_facts()
            .filter_map(|f| {
                let p = f.phrasings.first()?;
                let a = engine.ask(p, today());
                (a.answered && a.facts.len() == 1 && a.facts[0].id == f.id)
                    .then(|| (f.id.clone(), p.clone(), f.answer.clone()))
            })
            .nth(1);
        found.expect("a steady fact")
    }

    /// Opens `/fact add` as a moderator, submits the form; returns the submit's interaction id
    /// and when it was sent.
    async fn add_fact(&self, phrasings: &str, answer: &str, id: &str) -> (String, Instant) {
        let open = self.command(
            ALICE,
            MODERATOR_PERMISSIONS,
            "fact",
            Some("add"),
            &[("dispute", json!(DISPUTE)), ("source", json!("GU-2025-12"))],
        );
        let (form, custom_id) = self.opened_form(&open, ids::ADD_FORM).await;
        let rows = form["data"]["components"].as_array().map_or(0, Vec::len);
        assert_eq!(rows, 5, "five inputs: {form}");
        let extra = format!("id={id}, parking, charges");
        self.emu.submit_form_as(
            ALICE,
            MODERATOR_PERMISSIONS,
            &custom_id,
            &[
                ("phrasings", phrasings),
                ("answer", answer),
                (
                    "excerpts",
                    "Streeting has doubled from 2,000 to 4,000 the number of specialist training places",
                ),
                ("as_of", "2026-03-02"),
                ("extra", &extra),
            ],
        )
    }
}

const NEW_ANSWER: &str = "On 2 March 2026 the BMA said hospital parking charges for resident \
    doctors on night shifts were not part of the dispute.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_adds_a_fact_with_the_form_and_ask_answers_it_at_once() {
    let h = start().await;
    let question = "are resident doctors striking over hospital parking charges on night shifts";
    let (answered, _) = h.ask(question).await;
    assert!(
        !answered,
        "the question is not answerable before the fact is added"
    );

    let (submit, _) = h
        .add_fact(
            &format!("{question}\nwhat did the bma say about night shift parking charges"),
            NEW_ANSWER,
            "2026-03-parking-charges",
        )
        .await;
    let said = h.said(&submit).await;
    assert!(
        said.starts_with("Added fact `2026-03-parking-charges`"),
        "{said}"
    );

    let (answered, description) = h.ask(question).await;
    assert!(answered, "not answered after the add: {description}");
    assert!(
        description.contains("hospital parking charges"),
        "{description}"
    );
    let file = h
        .sandbox
        .knowledge()
        .join("facts")
        .join(DISPUTE)
        .join("2026-03-parking-charges.toml");
    assert!(file.is_file(), "the fact file is written");
    let audit = fs::read_to_string(h.sandbox.knowledge().join(".strikefacts/audit.jsonl"))
        .unwrap_or_default();
    assert!(audit.contains("user500000000000000001") && audit.contains("\"add\""));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_on_the_edit_after_an_add_still_end_in_the_outcome() {
    let h = start().await;
    // The deferred response cannot be filled in (a 500, and again on the retry): the outcome
    // arrives as a follow-up, so the moderator is not left on "thinking…".
    h.emu.fail_with("PATCH", "/messages/@original", 500, 2);
    let (submit, _) = h
        .add_fact(
            "are resident doctors striking over parking at night",
            NEW_ANSWER,
            "2026-03-parking-at-night",
        )
        .await;
    let said = h.said_full(&submit).await;
    assert_eq!(said.method, "POST", "{:?}", said.path);
    let text = content(&said).unwrap_or_default();
    assert!(
        text.starts_with("Added fact `2026-03-parking-at-night`"),
        "{text}"
    );
    let failed = h
        .emu
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.status == 500)
        .count();
    assert_eq!(failed, 2);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_moderator_is_refused_ephemerally_and_nothing_is_written() {
    let h = start().await;
    // The moderators' commands are hidden from members without Manage Messages (Discord's UI
    // only; the code checks again below).
    let put = registered_commands(&h.emu);
    for name in ["fact", "source", "unanswered", "stats"] {
        let command = put
            .body
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == name))
            .unwrap_or_else(|| panic!("/{name} is not registered: {}", put.body));
        assert_eq!(command["default_member_permissions"], "8192", "/{name}");
    }
    let knowledge_before = snapshot(&h.sandbox.knowledge());
    let data_before = snapshot(&h.sandbox.data());
    let (fact, _, _) = h.steady_fact();

    let add = h.command(
        MALLORY,
        MEMBER_PERMISSIONS,
        "fact",
        Some("add"),
        &[("dispute", json!(DISPUTE)), ("source", json!("GU-2025-12"))],
    );
    let cb = h.callback(&add).await;
    assert_eq!(cb.body["type"], 4, "a message, not a form: {}", cb.body);
    assert_eq!(h.said(&add).await, REFUSAL);

    let retire = h.command(
        MALLORY,
        MEMBER_PERMISSIONS,
        "fact",
        Some("retire"),
        &[("id", json!(fact)), ("reason", json!("vandalism"))],
    );
    assert_eq!(h.said(&retire).await, REFUSAL);
    // Commands that only show are refused as such: nothing could have been changed.
    let unanswered = h.command(MALLORY, MEMBER_PERMISSIONS, "unanswered", None, &[]);
    assert_eq!(h.said(&unanswered).await, READ_REFUSAL);
    let show = h.command(
        MALLORY,
        MEMBER_PERMISSIONS,
        "fact",
        Some("show"),
        &[("id", json!(fact))],
    );
    assert_eq!(h.said(&show).await, READ_REFUSAL);
    // The fact ids are the moderators' business: a member's autocomplete offers none.
    let choices = |body: &Value| body["data"]["choices"].as_array().map_or(0, Vec::len);
    let typed = h
        .emu
        .autocomplete_as(MALLORY, MEMBER_PERMISSIONS, "fact", "edit", "id", "2025");
    assert_eq!(choices(&h.callback(&typed).await.body), 0);
    let typed = h
        .emu
        .autocomplete_as(ALICE, MODERATOR_PERMISSIONS, "fact", "edit", "id", "2025");
    assert!(choices(&h.callback(&typed).await.body) > 0);

    // A crafted form submit and button click are refused too: the check is in code.
    let (form, _) = h.emu.submit_form_as(
        MALLORY,
        MEMBER_PERMISSIONS,
        &format!("{}{DISPUTE}:GU-2025-12", ids::ADD_FORM),
        &[
            ("phrasings", "who is mallory"),
            ("answer", "Mallory is in charge."),
            ("excerpts", "x"),
            ("as_of", "2026-03-02"),
            ("extra", ""),
        ],
    );
    assert_eq!(h.said(&form).await, REFUSAL);
    let dismiss = h.emu.click_as(
        MALLORY,
        MEMBER_PERMISSIONS,
        &format!("{}deadbeef", ids::DISMISS),
    );
    assert_eq!(h.said(&dismiss).await, REFUSAL);

    assert_eq!(
        snapshot(&h.sandbox.knowledge()),
        knowledge_before,
        "knowledge/ changed"
    );
    assert_eq!(
        snapshot(&h.sandbox.data()),
        data_before,
        "the data folder changed"
    );
    h.stop().await;
}

/// Another server the bot is in, whose admins do not own the facts.
const OTHER_GUILD: &str = "800000000000000777";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_of_another_server_is_refused_everywhere_and_nothing_is_written() {
    let h = start().await;
    // The moderators' commands are registered in the home server only.
    let puts: Vec<Recorded> = h
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
        .collect();
    for put in &puts {
        let names = put.body.to_string();
        if !put.path.contains(GUILD_ID) {
            assert!(
                !names.contains("\"unanswered\"") && !names.contains("\"stats\""),
                "registered elsewhere: {}",
                put.path
            );
        }
    }
    let knowledge_before = snapshot(&h.sandbox.knowledge());
    let data_before = snapshot(&h.sandbox.data());
    let (fact, _, _) = h.steady_fact();
    let version = strikefacts::moderation::version_of(&h.sandbox.fact_file(&fact));
    h.emu.use_guild(OTHER_GUILD);
    type Invocation<'a> = (&'a str, Option<&'a str>, Vec<(&'a str, Value)>);
    let commands: Vec<Invocation> = vec![
        (
            "fact",
            Some("add"),
            vec![("dispute", json!(DISPUTE)), ("source", json!("GU-2025-12"))],
        ),
        ("fact", Some("edit"), vec![("id", json!(fact))]),
        (
            "fact",
            Some("retire"),
            vec![("id", json!(fact)), ("reason", json!("hijack"))],
        ),
        (
            "fact",
            Some("undo"),
            vec![("id", json!(fact)), ("version", json!(version))],
        ),
        (
            "fact",
            Some("alias"),
            vec![("id", json!(fact)), ("phrasing", json!("who is boss"))],
        ),
        (
            "source",
            Some("add"),
            vec![
                ("publisher", json!("X News")),
                ("headline", json!("Hijack")),
                ("date", json!("2026-03-02")),
                ("url", json!("https://example.org/x")),
                ("text", json!("A hijacked source text.")),
            ],
        ),
        ("unanswered", None, vec![]),
    ];
    for (name, sub, options) in &commands {
        let id = h.command(ALICE, ADMIN_PERMISSIONS, name, *sub, options);
        // A command that only shows is told the same, without "Nothing was changed."
        let said = h.said(&id).await;
        assert!(
            said.contains("does not own the bot's facts") && NOT_HOME.starts_with(&said),
            "/{name} {sub:?}: {said}"
        );
    }
    let forms = [
        format!("{}{DISPUTE}:GU-2025-12", ids::ADD_FORM),
        format!("{}{fact}:{version}", ids::EDIT_FORM),
    ];
    for custom_id in &forms {
        let (form, _) = h.emu.submit_form_as(
            ALICE,
            ADMIN_PERMISSIONS,
            custom_id,
            &[
                ("phrasings", "who is the health secretary"),
                ("answer", "HIJACKED: the health secretary is Mickey Mouse."),
                ("excerpts", "x"),
                ("as_of", "2026-03-02"),
                ("extra", ""),
            ],
        );
        assert_eq!(h.said(&form).await, NOT_HOME, "{custom_id}");
    }
    for custom_id in [
        format!("{}1", ids::CONFIRM),
        format!("{}deadbeef", ids::DISMISS),
        format!("{}0::", ids::LIST_PAGE),
    ] {
        let click = h.emu.click_as(ALICE, ADMIN_PERMISSIONS, &custom_id);
        let said = h.said(&click).await;
        assert!(
            said.contains("does not own the bot's facts") && NOT_HOME.starts_with(&said),
            "{custom_id}: {said}"
        );
    }
    assert_eq!(
        snapshot(&h.sandbox.knowledge()),
        knowledge_before,
        "knowledge/ changed"
    );
    assert_eq!(
        snapshot(&h.sandbox.data()),
        data_before,
        "the data folder changed"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_based_on_a_stale_version_is_refused_with_changed_by() {
    let h = start().await;
    let (fact, phrasing, _) = h.steady_fact();
    // Alice opens the edit form (it carries the version she saw).
    let ([phrasings, answer, excerpts, as_of, extra], custom_id) = h.edit_form(ALICE, &fact).await;
    assert!(
        !phrasings.is_empty() && !answer.is_empty(),
        "the form is filled in"
    );

    // Meanwhile Bob changes the fact.
    let alias = h.command(
        BOB,
        MODERATOR_PERMISSIONS,
        "fact",
        Some("alias"),
        &[
            ("id", json!(fact)),
            (
                "phrasing",
                json!(format!("{} exactly", phrasing.trim_end_matches('?'))),
            ),
        ],
    );
    let said = h.said(&alias).await;
    assert!(said.starts_with("Added a phrasing to"), "{said}");
    let before = h.sandbox.fact_file(&fact);

    // Alice submits her form, based on the version before Bob's change.
    let (submit, _) = h.emu.submit_form_as(
        ALICE,
        MODERATOR_PERMISSIONS,
        &custom_id,
        &[
            ("phrasings", &phrasings),
            ("answer", &format!("{answer} (edited)")),
            ("excerpts", &excerpts),
            ("as_of", &as_of),
            ("extra", &extra),
        ],
    );
    let refused = h.said_full(&submit).await;
    let said = content(&refused).unwrap_or_default();
    assert!(
        said.contains("changed by user500000000000000002 at") && said.contains("reopen it"),
        "{said}"
    );
    let after = h.sandbox.fact_file(&fact);
    assert_eq!(before, after, "the stale edit wrote nothing");

    // What Alice typed is kept: "Reopen with my changes" opens the form over Bob's version,
    // filled in with her text.
    let (label, reopen) = buttons(&refused.body)
        .into_iter()
        .find(|(_, id)| id.starts_with(ids::REOPEN))
        .unwrap_or_else(|| panic!("no reopen button: {}", refused.body));
    assert_eq!(label, "Reopen with my changes");
    let bob_click = h.emu.click_as(BOB, MODERATOR_PERMISSIONS, &reopen);
    assert!(h.said(&bob_click).await.contains("another moderator"));
    let click = h.emu.click_as(ALICE, MODERATOR_PERMISSIONS, &reopen);
    let (form, custom_id) = h.opened_form(&click, ids::EDIT_FORM).await;
    let version = strikefacts::moderation::version_of(&after);
    assert_eq!(custom_id, format!("{}{fact}:{version}", ids::EDIT_FORM));
    let reopened = |i: usize| {
        form["data"]["components"][i]["components"][0]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(reopened(1), format!("{answer} (edited)"));
    assert_eq!(reopened(0), phrasings);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fact_edit_in_a_git_work_tree_is_one_commit_by_its_moderator() {
    let h = start_with(|sb| {
        let root = sb.dir.path();
        fs::write(root.join(".gitignore"), "/knowledge/.strikefacts/\n/data\n").expect("ignore");
        git(root, &["init", "-q"]);
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", "the fact base"]);
    })
    .await;
    let root = h.sandbox.dir.path().to_path_buf();
    let (fact, _, _) = h.steady_fact();
    let ([phrasings, answer, excerpts, as_of, extra], custom_id) = h.edit_form(ALICE, &fact).await;
    let (submit, _) = h.emu.submit_form_as(
        ALICE,
        MODERATOR_PERMISSIONS,
        &custom_id,
        &[
            ("phrasings", &phrasings),
            ("answer", &format!("{answer} (edited in git)")),
            ("excerpts", &excerpts),
            ("as_of", &as_of),
            ("extra", &extra),
        ],
    );
    let said = h.said(&submit).await;
    assert!(said.contains(&fact), "{said}");
    assert!(h.sandbox.fact_file(&fact).contains("(edited in git)"));
    let last = git(&root, &["log", "-1", "--format=%an <%ae>|%s"]);
    assert_eq!(
        last.trim(),
        format!("user{ALICE} <discord-{ALICE}@server-{GUILD_ID}.invalid>|fact edit: {fact}")
    );
    assert_eq!(git(&root, &["rev-list", "--count", "HEAD"]).trim(), "2");
    let changed = git(&root, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(
        changed.trim(),
        format!("knowledge/facts/{DISPUTE}/{fact}.toml")
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retire_stops_answering_and_undo_restores() {
    let h = start().await;
    let (fact, phrasing, answer) = h.steady_fact();
    let snippet: String = answer.chars().take(40).collect();
    let (answered, description) = h.ask(&phrasing).await;
    assert!(answered && description.contains(&snippet), "{description}");

    let retire = h.command(
        ALICE,
        MODERATOR_PERMISSIONS,
        "fact",
        Some("retire"),
        &[("id", json!(fact)), ("reason", json!("superseded"))],
    );
    // Retiring a fact the question set relies on needs a confirm: the reply says why and
    // offers the button, which retries the same change with confirm.
    let reply = h.said_full(&retire).await;
    let said = content(&reply).unwrap_or_default();
    let said = if said.contains("send it again with confirm") {
        let confirm = buttons(&reply.body)
            .into_iter()
            .find(|(_, id)| id.starts_with(ids::CONFIRM))
            .unwrap_or_else(|| panic!("no Confirm button: {}", reply.body));
        // Another moderator's click is told whose button it is, and changes nothing.
        let bob = h.emu.click_as(BOB, MODERATOR_PERMISSIONS, &confirm.1);
        let told = h.said(&bob).await;
        assert!(told.contains("belongs to the moderator"), "{told}");
        let click = h.emu.click_as(ALICE, MODERATOR_PERMISSIONS, &confirm.1);
        h.said(&click).await
    } else {
        said
    };
    assert!(
        said.starts_with(&format!("Retired fact `{fact}`")),
        "{said}"
    );
    assert!(said.contains("It is no longer served"), "{said}");
    assert!(!said.contains("served from now on"), "{said}");
    let (_, description) = h.ask(&phrasing).await;
    assert!(
        !description.contains(&snippet),
        "still served: {description}"
    );

    let undo = h.command(
        ALICE,
        MODERATOR_PERMISSIONS,
        "fact",
        Some("undo"),
        &[
            ("id", json!(fact)),
            (
                "version",
                json!(strikefacts::moderation::version_of(
                    &h.sandbox.fact_file(&fact)
                )),
            ),
        ],
    );
    let said = h.said(&undo).await;
    assert!(said.starts_with("Undid the last change of"), "{said}");
    let (answered, description) = h.ask(&phrasing).await;
    assert!(answered && description.contains(&snippet), "{description}");

    let history = h.command(
        ALICE,
        MODERATOR_PERMISSIONS,
        "fact",
        Some("history"),
        &[("id", json!(fact))],
    );
    let said = h.said(&history).await;
    assert!(said.contains("retire") && said.contains("undo"), "{said}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_lists_a_declined_question_and_a_phrasing_makes_ask_answer_it() {
    let h = start().await;
    let question = "will the resident doctors strike affect the canteen opening hours";
    let (answered, _) = h.ask(question).await;
    assert!(!answered, "the question must be declined for this test");

    let list = h.command(ALICE, MODERATOR_PERMISSIONS, "unanswered", None, &[]);
    let cb = h.callback(&list).await;
    let said = h.said(&list).await;
    assert!(said.contains(question), "{said}");
    let all = buttons(&cb.body);
    assert!(all
        .iter()
        .all(|(l, id)| l.chars().count() <= 80 && id.len() <= 100));
    let (_, alias) = all
        .iter()
        .find(|(_, id)| id.starts_with(ids::ALIAS_UNANSWERED))
        .cloned()
        .unwrap_or_else(|| panic!("no 'phrasing of' button: {all:?}"));
    let fact = alias.rsplit(':').next().unwrap_or_default().to_string();

    let click = h.emu.click_as(ALICE, MODERATOR_PERMISSIONS, &alias);
    let said = h.said(&click).await;
    assert!(
        said.starts_with(&format!("Added a phrasing to fact `{fact}`")),
        "{said}"
    );

    let (answered, description) = h.ask(question).await;
    assert!(
        answered,
        "not answered after the phrasing was added: {description}"
    );
    let engine = h.engine.load();
    let answer = engine.ask(question, today());
    assert!(answer.facts.iter().any(|f| f.id == fact));

    // The group is handled: the list no longer shows it.
    let again = h.command(ALICE, MODERATOR_PERMISSIONS, "unanswered", None, &[]);
    let said = h.said(&again).await;
    assert!(!said.contains(question), "{said}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn median_time_from_form_submit_to_the_first_answer_using_the_fact() {
    let h = start().await;
    // Distinct wordings, so that no new fact's phrasing leads to one added before it.
    let cases = [
        (
            "car parks",
            "are hospital car parks free for striking medics in march 2026",
        ),
        (
            "gymnasium",
            "can picketing registrars use the staff gymnasium",
        ),
        (
            "lockers",
            "are the lockers in the doctors mess kept unlocked",
        ),
        (
            "canteen",
            "is the canteen shut on the days of industrial action",
        ),
        ("helipad", "who staffs the helipad on picket days"),
    ];
    let mut times = Vec::new();
    for (i, (topic, question)) in cases.iter().enumerate() {
        let question = question.to_string();
        let answer = format!("In March 2026 the {topic} arrangements did not change.");
        let (submit, at) = h
            .add_fact(&question, &answer, &format!("2026-03-topic-{i}"))
            .await;
        let said = h.said(&submit).await;
        assert!(said.starts_with("Added fact"), "case {i}: {said}");
        let (answered, description) = h.ask(&question).await;
        assert!(answered && description.contains(topic), "{description}");
        times.push(at.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "form submit → first /ask answer using the new fact: median {:?} over {} runs (all: {:?})",
        median,
        times.len(),
        times
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_shows_the_counts_to_moderators_only_and_they_are_written_at_shutdown() {
    let h = start().await;
    let (fact, phrasing, _) = h.steady_fact();
    for _ in 0..2 {
        assert!(h.ask(&phrasing).await.0, "{phrasing:?} must be answered");
    }
    let declined = "will the resident doctors strike affect the canteen opening hours";
    assert!(!h.ask(declined).await.0, "must be declined for this test");
    // A direct message counts too.
    let dm = h
        .emu
        .dm_command(BOB, "ask", None, &[("question", json!(phrasing))]);
    h.callback(&dm).await;

    let refused = h.command(MALLORY, MEMBER_PERMISSIONS, "stats", None, &[]);
    assert_eq!(h.said(&refused).await, READ_REFUSAL);

    let shown = h.command(
        ALICE,
        MODERATOR_PERMISSIONS,
        "stats",
        None,
        &[("days", json!(7))],
    );
    let body = h.callback(&shown).await.body;
    let data = &body["data"];
    assert_eq!(
        data["flags"].as_u64().unwrap_or(0) & 64,
        64,
        "not ephemeral"
    );
    assert!(pings_nobody(&data["allowed_mentions"]), "{body}");
    let embed = &data["embeds"][0];
    let description = embed["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("3 answered, 1 declined, 0 other; 25% declined"),
        "{description}"
    );
    assert!(description.contains("All servers"), "{description}");
    assert!(
        description.contains("21 Nov") && description.contains('█'),
        "{description}"
    );
    let field = |name: &str| {
        embed["fields"]
            .as_array()
            .and_then(|fs| {
                fs.iter()
                    .find(|f| f["name"].as_str().is_some_and(|n| n.starts_with(name)))
            })
            .and_then(|f| f["value"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let top = field("Most asked facts");
    assert!(top.starts_with(&format!("1. ×3 `{fact}`")), "{top}");
    assert!(field("Answers per dispute").contains(&format!("({DISPUTE}): 3 answered")));
    assert!(!field("Never asked for").contains(&format!("`{fact}`")));
    assert!(description.chars().count() <= 4096);

    // The counts were in memory only; stopping the bot writes them.
    let Harness { bot, sandbox, .. } = h;
    let path = sandbox.data().join(usage::FILE_NAME);
    assert!(!path.exists(), "written before the flush interval");
    bot.stop().await;
    let saved = usage::read(&sandbox.data()).expect("the usage file");
    let day = &saved.days[&today()];
    assert_eq!((day.answered, day.declined), (3, 1));
    assert_eq!(day.facts.get(&fact), Some(&3));
}
