//! A small Discord emulator on 127.0.0.1 for end-to-end tests of the bot: the REST API (records
//! every request) and the gateway websocket (HELLO, IDENTIFY → READY, heartbeats, RESUME →
//! RESUMED, dispatches with an increasing `s`). Facts it relies on are in
//! `../shared/notes/discord-emulator.md`.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub const APP_ID: &str = "900000000000000001";
pub const BOT_ID: &str = "900000000000000001";
pub const GUILD_ID: &str = "800000000000000001";
pub const OTHER_BOT_ID: &str = "900000000000000099";
/// Member permission bits of a moderator: Manage Messages only.
pub const MODERATOR_PERMISSIONS: &str = "8192";
/// Member permission bits of a member who may do anything (the default of interactions).
const ALL_PERMISSIONS: &str = "2147483647";
/// Member permission bits of an ordinary member: View Channel and Send Messages.
pub const MEMBER_PERMISSIONS: &str = "3072";
/// Member permission bits of a server admin: Administrator.
pub const ADMIN_PERMISSIONS: &str = "8";

/// One REST request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// The status the emulator answered with.
    pub status: u16,
    /// The JSON it answered with (Null for none): a sent message's id is in it.
    pub response: Value,
    pub at: Instant,
}

/// A programmed failure: the next `times` requests matching method and path fragment get
/// `status`.
#[derive(Debug, Clone)]
struct Failure {
    method: String,
    path_contains: String,
    status: u16,
    times: u32,
}

#[derive(Default)]
struct State {
    /// The guild later interactions come from, when not [`GUILD_ID`] (see [`Emulator::use_guild`]).
    guild: Mutex<Option<String>>,
    requests: Mutex<Vec<Recorded>>,
    failures: Mutex<Vec<Failure>>,
    reject_all: std::sync::atomic::AtomicBool,
    /// Frames the bot sent on the gateway (IDENTIFY, RESUME, heartbeats).
    frames: Mutex<Vec<Value>>,
    /// Dispatches sent, with when they were sent.
    dispatched: Mutex<Vec<(String, Instant)>>,
    changed: Notify,
    seq: AtomicU64,
    ids: AtomicU64,
    identifies: AtomicUsize,
    resumes: AtomicUsize,
    connections: AtomicUsize,
    /// The open gateway connection's outbox.
    outbox: Mutex<Option<mpsc::UnboundedSender<WsMessage>>>,
    ws_url: Mutex<String>,
    /// Sent in HELLO; the client heartbeats at this interval.
    heartbeat_ms: AtomicU64,
}

pub struct Emulator {
    state: Arc<State>,
    pub http_addr: SocketAddr,
    pub ws_addr: SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Emulator {
    pub async fn start() -> Emulator {
        Self::start_with_heartbeat(45_000).await
    }

    /// With a short heartbeat interval, to see heartbeats and ACKs within a test.
    pub async fn start_with_heartbeat(heartbeat_ms: u64) -> Emulator {
        let http = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
        let ws = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let http_addr = http.local_addr().expect("REST address");
        let ws_addr = ws.local_addr().expect("gateway address");
        let state = Arc::new(State::default());
        *lock(&state.ws_url) = format!("ws://{ws_addr}");
        state.ids.store(1_000_000, Ordering::SeqCst);
        state.heartbeat_ms.store(heartbeat_ms, Ordering::SeqCst);
        let rest = tokio::spawn(serve_rest(http, state.clone()));
        let gateway = tokio::spawn(serve_gateway(ws, state.clone()));
        Emulator {
            state,
            http_addr,
            ws_addr,
            tasks: vec![rest, gateway],
        }
    }

    pub fn proxy_url(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// Answers the next `times` requests `method` whose path contains `path_contains` with 429.
    pub fn fail_with_429(&self, method: &str, path_contains: &str, times: u32) {
        self.fail_with(method, path_contains, 429, times);
    }

    /// Answers the next `times` requests `method` whose path contains `path_contains` with
    /// `status` (a 429 or a server error, with the body Discord sends for it).
    pub fn fail_with(&self, method: &str, path_contains: &str, status: u16, times: u32) {
        lock(&self.state.failures).push(Failure {
            method: method.to_string(),
            path_contains: path_contains.to_string(),
            status,
            times,
        });
    }

    /// Answers every REST request with 401 (a rejected token).
    pub fn reject_all(&self) {
        self.state.reject_all.store(true, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state.requests).clone()
    }

    pub fn frames(&self) -> Vec<Value> {
        lock(&self.state.frames).clone()
    }

    pub fn identifies(&self) -> usize {
        self.state.identifies.load(Ordering::SeqCst)
    }

    pub fn resumes(&self) -> usize {
        self.state.resumes.load(Ordering::SeqCst)
    }

    /// Heartbeats (op 1) the bot sent.
    pub fn heartbeats(&self) -> usize {
        lock(&self.state.frames)
            .iter()
            .filter(|f| f["op"] == 1)
            .count()
    }

    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Waits (at most `timeout`) for a request matching `pred`.
    pub async fn wait_request(
        &self,
        timeout: Duration,
        pred: impl Fn(&Recorded) -> bool,
    ) -> Option<Recorded> {
        self.wait_until(timeout, || {
            lock(&self.state.requests).iter().find(|r| pred(r)).cloned()
        })
        .await
    }

    /// Waits (at most `timeout`) until `check` returns something.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        check: impl Fn() -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before checking, so a change in between still wakes us.
            let changed = self.state.changed.notified();
            if let Some(found) = check() {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return check();
            }
        }
    }

    /// Waits until the bot is connected and has registered its commands (its setup ran).
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        self.wait_request(timeout, |r| {
            r.method == "PUT" && r.path.ends_with("/commands")
        })
        .await
        .is_some()
    }

    /// Sends a dispatch event on the open gateway connection; returns when it was sent.
    pub fn dispatch(&self, event: &str, d: Value) -> Instant {
        let seq = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "s": seq, "t": event, "d": d});
        let at = Instant::now();
        let outbox = lock(&self.state.outbox);
        let sender = outbox
            .as_ref()
            .expect("no gateway connection to dispatch on");
        sender
            .send(WsMessage::Text(frame.to_string()))
            .expect("gateway connection closed");
        lock(&self.state.dispatched).push((event.to_string(), at));
        at
    }

    /// Closes the gateway connection from the server side (code 4000, "unknown error", after
    /// which a client resumes).
    pub fn close_gateway(&self) {
        if let Some(sender) = lock(&self.state.outbox).take() {
            let _ = sender.send(WsMessage::Close(Some(CloseFrame {
                code: CloseCode::from(4000),
                reason: "emulator closed the connection".into(),
            })));
        }
    }

    pub fn next_id(&self) -> String {
        self.state.ids.fetch_add(1, Ordering::SeqCst).to_string()
    }

    // ---- event payloads ------------------------------------------------------------------

    fn member(user_id: &str) -> Value {
        json!({
            "user": {"id": user_id, "username": format!("user{user_id}"), "discriminator": "0",
                     "avatar": null, "global_name": null},
            "roles": [], "deaf": false, "mute": false, "flags": 0,
            "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "permissions": "2147483647"
        })
    }

    fn interaction_base(&self, id: &str, kind: u8, user_id: &str, data: Value) -> Value {
        self.interaction_as(id, kind, user_id, ALL_PERMISSIONS, &[], data)
    }

    /// An interaction by a member with these permission bits and roles.
    fn interaction_as(
        &self,
        id: &str,
        kind: u8,
        user_id: &str,
        permissions: &str,
        roles: &[&str],
        data: Value,
    ) -> Value {
        let mut member = Self::member(user_id);
        member["permissions"] = json!(permissions);
        member["roles"] = json!(roles);
        json!({
            "id": id,
            "application_id": APP_ID,
            "type": kind,
            "token": format!("token-{id}"),
            "version": 1,
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "entitlements": [],
            "attachment_size_limit": 8388608,
            "channel_id": "700000000000000001",
            "guild_id": lock(&self.state.guild).clone().unwrap_or_else(|| GUILD_ID.to_string()),
            "member": member,
            "app_permissions": "2147483647",
            "data": data,
        })
    }

    /// A slash command (type 2) in a direct message: `user` instead of `member` and no guild.
    pub fn dm_command(
        &self,
        user_id: &str,
        name: &str,
        sub: Option<&str>,
        options: &[(&str, Value)],
    ) -> String {
        let (id, mut d) = self.command_json(user_id, ALL_PERMISSIONS, &[], name, sub, options);
        if let Some(d) = d.as_object_mut() {
            let member = d.remove("member").unwrap_or_default();
            d.remove("guild_id");
            d.remove("guild_locale");
            d.insert("user".to_string(), member["user"].clone());
            d.insert("channel_id".to_string(), json!("720000000000000009"));
        }
        self.dispatch("INTERACTION_CREATE", d);
        id
    }

    /// Later interactions come from guild `guild` (another server the bot is in).
    pub fn use_guild(&self, guild: &str) {
        *lock(&self.state.guild) = Some(guild.to_string());
    }

    /// A guild slash command (type 2) by a member with `permissions` and `roles`: `/name` or,
    /// with `sub`, `/name sub`, with string/integer options. Returns the interaction id.
    pub fn command_as(
        &self,
        user_id: &str,
        permissions: &str,
        roles: &[&str],
        name: &str,
        sub: Option<&str>,
        options: &[(&str, Value)],
    ) -> (String, Instant) {
        let (id, d) = self.command_json(user_id, permissions, roles, name, sub, options);
        let at = self.dispatch("INTERACTION_CREATE", d);
        (id, at)
    }

    /// The payload of a guild slash command; see [`Emulator::command_as`].
    fn command_json(
        &self,
        user_id: &str,
        permissions: &str,
        roles: &[&str],
        name: &str,
        sub: Option<&str>,
        options: &[(&str, Value)],
    ) -> (String, Value) {
        let id = self.next_id();
        let opts: Vec<Value> = options
            .iter()
            .map(|(n, v)| {
                let kind = if v.is_number() { 4 } else { 3 };
                json!({"name": n, "type": kind, "value": v})
            })
            .collect();
        let opts = match sub {
            Some(s) => vec![json!({"name": s, "type": 1, "options": opts})],
            None => opts,
        };
        let d = self.interaction_as(
            &id,
            2,
            user_id,
            permissions,
            roles,
            json!({"id": "600000000000000003", "name": name, "type": 1, "options": opts}),
        );
        (id, d)
    }

    /// A modal submit (type 5) of the form `custom_id` with text inputs `(id, value)`.
    pub fn submit_form_as(
        &self,
        user_id: &str,
        permissions: &str,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> (String, Instant) {
        let id = self.next_id();
        let rows: Vec<Value> = fields
            .iter()
            .map(|(f, v)| {
                json!({"type": 1, "components": [
                    {"type": 4, "custom_id": f, "value": v}
                ]})
            })
            .collect();
        let d = self.interaction_as(
            &id,
            5,
            user_id,
            permissions,
            &[],
            json!({"custom_id": custom_id, "components": rows}),
        );
        let at = self.dispatch("INTERACTION_CREATE", d);
        (id, at)
    }

    /// A click (type 3) on button `custom_id` under an ephemeral bot message, by a member with
    /// `permissions`.
    pub fn click_as(&self, user_id: &str, permissions: &str, custom_id: &str) -> String {
        self.click_on(user_id, permissions, custom_id, true)
    }

    /// A click (type 3) on button `custom_id` under a bot message (ephemeral or not).
    fn click_on(
        &self,
        user_id: &str,
        permissions: &str,
        custom_id: &str,
        ephemeral: bool,
    ) -> String {
        let id = self.next_id();
        let mut d = self.interaction_as(
            &id,
            3,
            user_id,
            permissions,
            &[],
            json!({"custom_id": custom_id, "component_type": 2}),
        );
        let mut message = self.message_json("700000000000000001", BOT_ID, true, "", false, &[]);
        if ephemeral {
            message["flags"] = json!(64);
        }
        d["message"] = message;
        self.dispatch("INTERACTION_CREATE", d);
        id
    }

    /// A guild `/ask` (type 2); returns the interaction id.
    pub fn slash_ask(
        &self,
        user_id: &str,
        question: &str,
        private: Option<bool>,
    ) -> (String, Instant) {
        let id = self.next_id();
        let mut options = vec![json!({"name": "question", "type": 3, "value": question})];
        if let Some(p) = private {
            options.push(json!({"name": "private", "type": 5, "value": p}));
        }
        let d = self.interaction_base(
            &id,
            2,
            user_id,
            json!({"id": "600000000000000001", "name": "ask", "type": 1, "options": options}),
        );
        let at = self.dispatch("INTERACTION_CREATE", d);
        (id, at)
    }

    /// Autocomplete (type 4) of `/ask` with `partial` typed so far.
    pub fn autocomplete_ask(&self, user_id: &str, partial: &str) -> String {
        let id = self.next_id();
        let d = self.interaction_base(
            &id,
            4,
            user_id,
            json!({"id": "600000000000000001", "name": "ask", "type": 1, "options": [
                {"name": "question", "type": 3, "value": partial, "focused": true}
            ]}),
        );
        self.dispatch("INTERACTION_CREATE", d);
        id
    }

    /// Autocomplete (type 4) of option `option` of `/name sub` with `partial` typed so far, by a
    /// member with `permissions`.
    pub fn autocomplete_as(
        &self,
        user_id: &str,
        permissions: &str,
        name: &str,
        sub: &str,
        option: &str,
        partial: &str,
    ) -> String {
        let id = self.next_id();
        let focused = json!({"name": option, "type": 3, "value": partial, "focused": true});
        let d = self.interaction_as(
            &id,
            4,
            user_id,
            permissions,
            &[],
            json!({"id": "600000000000000003", "name": name, "type": 1, "options": [
                {"name": sub, "type": 1, "options": [focused]}
            ]}),
        );
        self.dispatch("INTERACTION_CREATE", d);
        id
    }

    /// A guild slash command without options (e.g. `/help`).
    pub fn slash(&self, user_id: &str, name: &str) -> String {
        let id = self.next_id();
        let d = self.interaction_base(
            &id,
            2,
            user_id,
            json!({"id": "600000000000000002", "name": name, "type": 1, "options": []}),
        );
        self.dispatch("INTERACTION_CREATE", d);
        id
    }

    /// A click (type 3) on a button with `custom_id`, under a bot message.
    pub fn click(&self, user_id: &str, custom_id: &str) -> String {
        self.click_on(user_id, ALL_PERMISSIONS, custom_id, false)
    }

    pub fn message_json(
        &self,
        channel_id: &str,
        author_id: &str,
        author_bot: bool,
        content: &str,
        in_guild: bool,
        mentions: &[&str],
    ) -> Value {
        let mentions: Vec<Value> = mentions
            .iter()
            .map(|m| {
                json!({"id": m, "username": format!("user{m}"), "discriminator": "0",
                       "avatar": null, "bot": *m == BOT_ID})
            })
            .collect();
        let mut m = json!({
            "id": self.next_id(),
            "channel_id": channel_id,
            "author": {"id": author_id, "username": format!("user{author_id}"),
                       "discriminator": "0", "avatar": null, "bot": author_bot},
            "content": content,
            "timestamp": "2026-11-21T12:00:00.000000+00:00",
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": content.contains("@everyone"),
            "mentions": mentions,
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": false,
            "type": 0,
        });
        if in_guild {
            m["guild_id"] = json!(GUILD_ID);
        }
        m
    }

    /// A MESSAGE_CREATE; returns the message id.
    pub fn message(
        &self,
        channel_id: &str,
        author_id: &str,
        author_bot: bool,
        content: &str,
        in_guild: bool,
        mentions: &[&str],
    ) -> String {
        let m = self.message_json(
            channel_id, author_id, author_bot, content, in_guild, mentions,
        );
        let id = m["id"].as_str().unwrap_or_default().to_string();
        self.dispatch("MESSAGE_CREATE", m);
        id
    }

    /// A MESSAGE_CREATE replying to `answered` (a message as the REST API returned it), as
    /// Discord sends one: type 19, `message_reference`, and the whole `referenced_message`.
    /// Mentions the bot when `ping` (a reply pings the replied-to author by default).
    pub fn reply_to(
        &self,
        answered: &Value,
        author_id: &str,
        content: &str,
        in_guild: bool,
        ping: bool,
    ) -> String {
        let channel = answered["channel_id"].as_str().unwrap_or_default();
        let mentions: &[&str] = if ping { &[BOT_ID] } else { &[] };
        let mut m = self.message_json(channel, author_id, false, content, in_guild, mentions);
        m["type"] = json!(19);
        m["message_reference"] = json!({
            "type": 0,
            "message_id": answered["id"],
            "channel_id": channel,
            "guild_id": if in_guild { json!(GUILD_ID) } else { Value::Null },
        });
        m["referenced_message"] = answered.clone();
        let id = m["id"].as_str().unwrap_or_default().to_string();
        self.dispatch("MESSAGE_CREATE", m);
        id
    }
}

// ---- REST ------------------------------------------------------------------------------------

async fn serve_rest(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| rest(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn reply(status: u16, body: Option<Value>) -> Response<Full<Bytes>> {
    let mut r = Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    let bytes = match body {
        Some(v) => {
            r = r.header("content-type", "application/json");
            Bytes::from(v.to_string())
        }
        None => Bytes::new(),
    };
    if status == 429 {
        r = r
            .header("retry-after", "1")
            .header("x-ratelimit-limit", "5")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset-after", "0.2")
            .header("x-ratelimit-bucket", "emulator");
    }
    r.body(Full::new(bytes))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "username": "strikefacts", "discriminator": "0", "avatar": null,
           "bot": true, "global_name": null})
}

/// The message Discord answers a sent message with: its embeds and components as sent, and, for
/// a reply, type 19 with the `message_reference`.
fn message_reply(state: &State, path: &str, body: &Value) -> Value {
    let channel = path
        .strip_prefix("/api/v10/channels/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("700000000000000001");
    let mut m = sent_message(state, channel, body);
    if let Some(reference) = body.get("message_reference").filter(|r| !r.is_null()) {
        m["type"] = json!(19);
        m["message_reference"] = reference.clone();
    }
    m
}

fn sent_message(state: &State, channel: &str, body: &Value) -> Value {
    json!({
        "id": state.ids.fetch_add(1, Ordering::SeqCst).to_string(),
        "channel_id": channel,
        "author": bot_user(),
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2026-11-21T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
        "components": body.get("components").cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": 0,
    })
}

async fn rest(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let bytes = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);

    let failure = {
        let mut failures = lock(&state.failures);
        let hit = failures
            .iter_mut()
            .find(|f| f.times > 0 && f.method == method && path.contains(f.path_contains.as_str()));
        hit.map(|f| {
            f.times -= 1;
            f.status
        })
    };
    let (status, out) = if state.reject_all.load(Ordering::SeqCst) {
        (
            401,
            Some(json!({"message": "401: Unauthorized", "code": 0})),
        )
    } else if let Some(429) = failure {
        // Discord's 429 body: no `code` field.
        (
            429,
            Some(
                json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false}),
            ),
        )
    } else if let Some(status) = failure {
        (
            status,
            Some(json!({"message": format!("{status}: Internal Server Error"), "code": 0})),
        )
    } else {
        route(&state, &method, &path, &body)
    };
    lock(&state.requests).push(Recorded {
        method,
        path,
        body,
        status,
        response: out.clone().unwrap_or(Value::Null),
        at: Instant::now(),
    });
    state.changed.notify_waiters();
    Ok(reply(status, out))
}

fn route(state: &State, method: &str, path: &str, body: &Value) -> (u16, Option<Value>) {
    let ws_url = lock(&state.ws_url).clone();
    match (method, path) {
        ("GET", "/api/v10/gateway") => (200, Some(json!({ "url": ws_url }))),
        ("GET", "/api/v10/gateway/bot") => (
            200,
            Some(json!({"url": ws_url, "shards": 1, "session_start_limit":
                {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})),
        ),
        ("GET", "/api/v10/oauth2/applications/@me") => (
            200,
            Some(json!({
                "id": APP_ID, "name": "strikefacts", "icon": null, "description": "",
                "bot_public": true, "bot_require_code_grant": false, "owner": bot_user(),
                "verify_key": "0", "team": null, "flags": 0
            })),
        ),
        ("GET", "/api/v10/users/@me") => (200, Some(bot_user())),
        ("PUT", p) if p.ends_with("/commands") => (200, Some(json!([]))),
        ("POST", p) if p.starts_with("/api/v10/interactions/") && p.ends_with("/callback") => {
            (204, None)
        }
        ("POST", p) if p.starts_with("/api/v10/webhooks/") => {
            (200, Some(message_reply(state, p, body)))
        }
        ("PATCH" | "GET", p) if p.starts_with("/api/v10/webhooks/") => {
            (200, Some(message_reply(state, p, body)))
        }
        ("PUT", p) if p.starts_with("/api/v10/channels/") && p.contains("/reactions/") => {
            (204, None)
        }
        ("POST", p) if p.starts_with("/api/v10/channels/") && p.ends_with("/messages") => {
            (200, Some(message_reply(state, p, body)))
        }
        _ => (404, Some(json!({"message": "404: Not Found", "code": 0}))),
    }
}

// ---- gateway ---------------------------------------------------------------------------------

async fn serve_gateway(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            if let Ok(ws) = tokio_tungstenite::accept_async(stream).await {
                gateway_connection(ws, state).await;
            }
        });
    }
}

async fn gateway_connection(
    ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    state: Arc<State>,
) {
    state.connections.fetch_add(1, Ordering::SeqCst);
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<WsMessage>();
    *lock(&state.outbox) = Some(tx.clone());
    let interval = state.heartbeat_ms.load(Ordering::SeqCst);
    let hello = json!({"op": 10, "d": {"heartbeat_interval": interval}});
    if sink.send(WsMessage::Text(hello.to_string())).await.is_err() {
        return;
    }
    state.changed.notify_waiters();
    loop {
        tokio::select! {
            out = rx.recv() => {
                let Some(out) = out else { break };
                let closing = matches!(out, WsMessage::Close(_));
                if sink.send(out).await.is_err() || closing {
                    break;
                }
            }
            incoming = stream.next() => {
                let Some(Ok(frame)) = incoming else { break };
                let WsMessage::Text(text) = frame else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                let op = v.get("op").and_then(Value::as_u64).unwrap_or(u64::MAX);
                lock(&state.frames).push(v.clone());
                match op {
                    // Heartbeat → ACK.
                    1 => { let _ = tx.send(WsMessage::Text(json!({"op": 11}).to_string())); }
                    // IDENTIFY → READY.
                    2 => {
                        state.identifies.fetch_add(1, Ordering::SeqCst);
                        let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let ws_url = lock(&state.ws_url).clone();
                        let ready = json!({"op": 0, "s": seq, "t": "READY", "d": {
                            "v": 10, "user": bot_user(), "guilds": [],
                            "session_id": "emulator-session", "resume_gateway_url": ws_url,
                            "application": {"id": APP_ID, "flags": 0}
                        }});
                        let _ = tx.send(WsMessage::Text(ready.to_string()));
                    }
                    // RESUME → RESUMED.
                    6 => {
                        state.resumes.fetch_add(1, Ordering::SeqCst);
                        let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let resumed = json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}});
                        let _ = tx.send(WsMessage::Text(resumed.to_string()));
                    }
                    _ => {}
                }
                state.changed.notify_waiters();
            }
        }
    }
    // Forget this connection's outbox unless a newer connection replaced it.
    let mut outbox = lock(&state.outbox);
    if outbox.as_ref().is_some_and(|o| o.same_channel(&tx)) {
        *outbox = None;
    }
    drop(outbox);
    state.changed.notify_waiters();
}
