//! The agent desktop APIs (docs/desktop-notes.md §5): `POST /v1/notification/subscribe`,
//! the notification websocket at the URL it returns (the `Welcome` frame, keepalive frames
//! both ways, the drop after the silence limit when keepalive is on, `AGENT_MULTI_LOGIN`
//! when a forced subscribe displaces a connection), and the agent session calls (station
//! login, state, reload, logout) that answer 202 and report their outcome later on the
//! websocket as outer/inner event pairs. Sessions are kept in the state file, so a session
//! outlives one connection (and one `wxcc --emulator` process), as a real one does.
//!
//! Login checks the configuration the org really has: the team exists and is in the agent's
//! site, the dial number has a dialable form and is not logged in by another agent. Going
//! Idle needs an idle code of the org. Under `/_emulator/desktop/` tests find the sessions,
//! shorten the keepalive and silence limits, drop connections, and change an agent's state
//! as a supervisor would.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::Shared;
use super::http::{Fail, empty, json_response, now_ms, tracking_id};
use super::oauth::{Refusal, authenticate, issue};
use super::store::{Org, State};

/// What the state file keeps of the desktop: the limits and the agents' sessions.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesktopState {
    #[serde(default)]
    pub settings: DesktopSettings,
    /// org id → agent (user) id → session.
    #[serde(default)]
    pub sessions: BTreeMap<String, BTreeMap<String, AgentSession>>,
    /// Access token → the email of the user it was issued to (tokens minted for a user
    /// under `/_emulator/desktop/tokens`); other tokens belong to the consenting admin.
    #[serde(default)]
    pub token_users: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesktopSettings {
    /// How often the server sends `{"keepalive":"true"}` on each socket; 0 sends none.
    pub keepalive_interval_ms: u64,
    /// With `isKeepAliveEnabled`, a socket that hears nothing from its client for this
    /// long is dropped (the spec's 16 s).
    pub silence_limit_ms: u64,
    /// What becomes of a call's outcome event, for tests of a client's waits.
    #[serde(default)]
    pub outcomes: Delivery,
}

/// How the outcome of an accepted call travels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Delivery {
    /// On the agent's sockets, at once (the service's behaviour).
    #[default]
    Deliver,
    /// Never sent (a lost event).
    Withhold,
    /// The caller's sockets drop instead (the network fails mid-call).
    Drop,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        DesktopSettings {
            keepalive_interval_ms: 4_000,
            silence_limit_ms: 16_000,
            outcomes: Delivery::Deliver,
        }
    }
}

/// A logged-in agent.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentSession {
    pub agent_session_id: String,
    pub team_id: String,
    pub site_id: String,
    pub dial_number: String,
    pub is_extension: bool,
    pub device_type: String,
    pub device_id: String,
    pub roles: Vec<String>,
    /// `Available` or `Idle`.
    pub sub_status: String,
    pub aux_code_id: String,
    pub last_state_change_reason: String,
    pub last_state_change_timestamp: i64,
    pub last_idle_code_change_timestamp: i64,
}

/// The live sockets and the subscriptions not yet connected (memory only).
#[derive(Default)]
pub(crate) struct Hub {
    inner: Mutex<HubInner>,
}

#[derive(Default)]
struct HubInner {
    pending: HashMap<String, Subscription>,
    connections: Vec<Connection>,
    next: u64,
}

#[derive(Clone)]
struct Subscription {
    org: String,
    agent_id: String,
    client_type: String,
    keepalive: bool,
}

struct Connection {
    id: u64,
    org: String,
    agent_id: String,
    client_type: String,
    tx: mpsc::UnboundedSender<Outbound>,
}

enum Outbound {
    Frame(String),
    /// Close with a close frame (a displaced connection).
    Close,
    /// Drop the TCP connection without a closing handshake.
    Drop,
}

/// Most connections one user may hold per client type with `allowMultiLogin` (spec).
const MULTI_LOGIN_LIMIT: usize = 10;
const SUBSCRIBE: &str = "/v1/notification/subscribe";
/// The spec's `clientType` length limit.
const CLIENT_TYPE_MAX: usize = 20;

impl Hub {
    fn lock(&self) -> MutexGuard<'_, HubInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends a frame to every live socket of these agents in `org`.
    fn push(&self, org: &str, agents: &[&str], frame: &Value) {
        let text = frame.to_string();
        let hub = self.lock();
        for c in hub
            .connections
            .iter()
            .filter(|c| c.org == org && agents.contains(&c.agent_id.as_str()))
        {
            let _ = c.tx.send(Outbound::Frame(text.clone()));
        }
    }

    /// Drops the matching sockets without a closing handshake; how many.
    fn drop_connections(&self, hit: impl Fn(&Connection) -> bool) -> usize {
        let mut hub = self.lock();
        let mut dropped = 0;
        hub.connections.retain(|c| {
            if hit(c) {
                let _ = c.tx.send(Outbound::Drop);
                dropped += 1;
                return false;
            }
            true
        });
        dropped
    }

    fn connected(&self, org: &str, agent: &str) -> bool {
        self.lock()
            .connections
            .iter()
            .any(|c| c.org == org && c.agent_id == agent)
    }
}

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(SUBSCRIBE, post(subscribe))
        .route("/v1/notification/subscription/{id}", get(socket))
        .route("/v1/agents/login", post(agent_call))
        .route("/v1/agents/session/state", put(agent_call))
        .route("/v1/agents/reload", post(agent_call))
        // The spec says PUT; every real client sends POST (docs/desktop-notes.md §5f).
        .route("/v1/agents/logout", put(agent_call).post(agent_call))
}

/// Who is calling: the org, the agent (user) id, the scopes' verdict.
struct Caller {
    org: String,
    agent_id: String,
}

/// The checks every desktop call makes, in the service's order: credentials, the
/// `cjp:user` scope, a Contact Center user behind the token.
fn caller(headers: &HeaderMap, state: &State) -> Result<Caller, Fail> {
    let grant = match authenticate(headers, state) {
        Ok(g) => g,
        Err(Refusal::Malformed(why)) => {
            return Err(Fail::new(StatusCode::BAD_REQUEST, why));
        }
        Err(Refusal::Unauthorized(why)) => {
            return Err(Fail::new(StatusCode::UNAUTHORIZED, why));
        }
    };
    if !grant.scopes.iter().any(|s| s == "cjp:user") {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            "Access denied - the token lacks the cjp:user scope",
        ));
    }
    let token = bearer(headers).unwrap_or_default();
    let email = state
        .desktop
        .token_users
        .get(&token)
        .cloned()
        .unwrap_or_else(|| state.settings.admin_email.clone());
    let agent_id = state
        .orgs
        .get(&grant.org)
        .and_then(|org| user_by_email(org, &email))
        .ok_or_else(|| {
            Fail::new(
                StatusCode::FORBIDDEN,
                "Access denied - the signed-in user is not a Contact Center user of this org",
            )
        })?;
    Ok(Caller {
        org: grant.org,
        agent_id,
    })
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(|t| t.trim().to_string())
}

fn user_by_email(org: &Org, email: &str) -> Option<String> {
    org.first_where("user", "email", email, |e| e.eq_ignore_ascii_case(email))
        .cloned()
}

/// Logs a desktop request.
fn record(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: Option<Value>,
    status: StatusCode,
) {
    shared.record_other(
        method.as_str(),
        path,
        "",
        status.as_u16(),
        Some(headers),
        body,
    );
}

/// A JSON object body, or a 400.
fn object_body(bytes: &Bytes, required: bool) -> Result<Map<String, Value>, Fail> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if required {
            return Err(Fail::new(
                StatusCode::BAD_REQUEST,
                "Required request body is missing",
            ));
        }
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "The request body is not a JSON object",
        )),
    }
}

/// A field's string value: absent is `None`, another type or too long is a 400.
fn text_field(body: &Map<String, Value>, field: &str, max: usize) -> Result<Option<String>, Fail> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(Fail::new(
            StatusCode::BAD_REQUEST,
            format!("{field}: maximum length is {max} characters"),
        )),
        Some(_) => Err(Fail::new(
            StatusCode::BAD_REQUEST,
            format!("{field} must be a string"),
        )),
    }
}

fn bool_field(body: &Map<String, Value>, field: &str) -> Result<bool, Fail> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(Fail::new(
            StatusCode::BAD_REQUEST,
            format!("{field} must be a boolean"),
        )),
    }
}

async fn subscribe(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let tracking = tracking_id(&headers);
    let body_logged = serde_json::from_slice::<Value>(&bytes).ok();
    let response = subscribe_inner(&shared, &headers, &bytes, &tracking);
    record(
        &shared,
        &Method::POST,
        "/v1/notification/subscribe",
        &headers,
        body_logged,
        response.status(),
    );
    response
}

fn subscribe_inner(
    shared: &Shared,
    headers: &HeaderMap,
    bytes: &Bytes,
    tracking: &str,
) -> Response {
    let state = shared.state();
    let caller = match caller(headers, &state) {
        Ok(c) => c,
        Err(fail) => return fail.into_response(tracking, SUBSCRIBE),
    };
    drop(state);
    let parsed = (|| {
        let body = object_body(bytes, false)?;
        let client_type = text_field(&body, "clientType", CLIENT_TYPE_MAX)?;
        let keepalive = bool_field(&body, "isKeepAliveEnabled")?;
        let multi = bool_field(&body, "allowMultiLogin")?;
        let force = bool_field(&body, "force")?;
        if multi && client_type.is_none() {
            return Err(Fail::new(
                StatusCode::BAD_REQUEST,
                "allowMultiLogin cannot be used without clientType",
            ));
        }
        Ok((
            client_type.unwrap_or_else(|| "DefaultClient".into()),
            keepalive,
            multi,
            force,
        ))
    })();
    let (client_type, keepalive, multi, force) = match parsed {
        Ok(p) => p,
        Err(fail) => return fail.into_response(tracking, SUBSCRIBE),
    };
    let mut hub = shared.desktop.lock();
    let mine: Vec<u64> = hub
        .connections
        .iter()
        .filter(|c| {
            c.org == caller.org && c.agent_id == caller.agent_id && c.client_type == client_type
        })
        .map(|c| c.id)
        .collect();
    let limit = if multi { MULTI_LOGIN_LIMIT } else { 1 };
    if mine.len() >= limit {
        if !force {
            return Fail::new(
                StatusCode::FORBIDDEN,
                format!(
                    "The user already has {} connection(s) of clientType {client_type}; subscribe with force to replace",
                    mine.len()
                ),
            )
            .into_response(tracking, SUBSCRIBE);
        }
        // Multi-login: one connection goes; otherwise all of this client type.
        let displaced: Vec<u64> = if multi { mine[..1].to_vec() } else { mine };
        let frame = json!({
            "type": "AGENT_MULTI_LOGIN",
            "orgId": caller.org,
            "trackingId": tracking,
            "data": {"type": "AGENT_MULTI_LOGIN", "agentId": caller.agent_id, "orgId": caller.org,
                     "reason": "Another login of this user replaced this connection"},
        })
        .to_string();
        for c in hub.connections.iter().filter(|c| displaced.contains(&c.id)) {
            let _ = c.tx.send(Outbound::Frame(frame.clone()));
            let _ = c.tx.send(Outbound::Close);
        }
        hub.connections.retain(|c| !displaced.contains(&c.id));
    }
    let id = format!("{client_type}-{}", uuid::Uuid::new_v4());
    hub.pending.insert(
        id.clone(),
        Subscription {
            org: caller.org,
            agent_id: caller.agent_id,
            client_type,
            keepalive,
        },
    );
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    json_response(
        StatusCode::OK,
        tracking,
        json!({
            "webSocketUrl": format!("ws://{host}/v1/notification/subscription/{id}"),
            "subscriptionId": id,
        }),
    )
}

async fn socket(
    AxState(shared): AxState<Arc<Shared>>,
    Path(id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(subscription) = shared.desktop.lock().pending.remove(&id) else {
        return (StatusCode::NOT_FOUND, "no such subscription").into_response();
    };
    let settings = shared.state().desktop.settings.clone();
    upgrade.on_upgrade(move |ws| serve_socket(shared, subscription, settings, ws))
}

async fn serve_socket(
    shared: Arc<Shared>,
    sub: Subscription,
    settings: DesktopSettings,
    mut ws: WebSocket,
) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = {
        let mut hub = shared.desktop.lock();
        hub.next += 1;
        let id = hub.next;
        hub.connections.push(Connection {
            id,
            org: sub.org.clone(),
            agent_id: sub.agent_id.clone(),
            client_type: sub.client_type.clone(),
            tx,
        });
        id
    };
    let welcome = json!({
        "type": "Welcome",
        "data": {"agentId": sub.agent_id, "orgId": sub.org, "subscriptionId": format!("{}", id)},
    });
    let keepalive_frame = json!({"keepalive": "true"}).to_string();
    let mut open = ws
        .send(Message::Text(welcome.to_string().into()))
        .await
        .is_ok();
    let interval = Duration::from_millis(settings.keepalive_interval_ms.max(1));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    let silence = Duration::from_millis(settings.silence_limit_ms);
    let mut deadline = tokio::time::Instant::now() + silence;
    while open {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outbound::Frame(text)) => open = ws.send(Message::Text(text.into())).await.is_ok(),
                Some(Outbound::Close) => {
                    let _ = ws.send(Message::Close(Some(CloseFrame { code: 4000, reason: "AGENT_MULTI_LOGIN".into() }))).await;
                    open = false;
                }
                Some(Outbound::Drop) | None => open = false,
            },
            incoming = ws.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => open = false,
                // Any frame from the client counts as hearing from it.
                Some(Ok(_)) => deadline = tokio::time::Instant::now() + silence,
            },
            _ = ticker.tick(), if settings.keepalive_interval_ms > 0 => {
                open = ws.send(Message::Text(keepalive_frame.clone().into())).await.is_ok();
            }
            _ = tokio::time::sleep_until(deadline), if sub.keepalive => {
                // The service drops the socket; no closing handshake.
                open = false;
            }
        }
    }
    shared.desktop.lock().connections.retain(|c| c.id != id);
}

#[derive(Clone, Copy)]
enum Call {
    Login,
    State,
    Reload,
    Logout,
}

/// A desktop call: checks, then 202 and the outcome on the websocket.
async fn agent_call(
    AxState(shared): AxState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let path = uri.path();
    let call = match path {
        "/v1/agents/login" => Call::Login,
        "/v1/agents/session/state" => Call::State,
        "/v1/agents/reload" => Call::Reload,
        _ => Call::Logout,
    };
    let tracking = tracking_id(&headers);
    let logged = serde_json::from_slice::<Value>(&bytes).ok();
    let response = match agent_call_inner(&shared, &headers, &bytes, call, &tracking) {
        Ok(()) => empty(StatusCode::ACCEPTED, &tracking),
        Err(fail) => fail.into_response(&tracking, path),
    };
    record(&shared, &method, path, &headers, logged, response.status());
    response
}

fn agent_call_inner(
    shared: &Shared,
    headers: &HeaderMap,
    bytes: &Bytes,
    call: Call,
    tracking: &str,
) -> Result<(), Fail> {
    let mut state = shared.state();
    let caller = caller(headers, &state)?;
    // The outcome travels on the websocket, so a call needs one (docs/desktop-notes.md §5).
    if !shared.desktop.connected(&caller.org, &caller.agent_id) {
        return Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "No notification subscription for this user: subscribe and open the websocket first",
        ));
    }
    let body = object_body(
        bytes,
        matches!(call, Call::Login | Call::State | Call::Logout),
    )?;
    let outcome = match call {
        Call::Login => login_outcome(&mut state, &caller, &body, tracking)?,
        Call::State => state_outcome(&mut state, &caller, &body, tracking, "self")?,
        Call::Reload => reload_outcome(&state, &caller, tracking),
        Call::Logout => logout_outcome(&mut state, &caller, &body, tracking)?,
    };
    let delivery = state.desktop.settings.outcomes;
    shared.persist(&state);
    drop(state);
    match delivery {
        Delivery::Deliver => {}
        Delivery::Withhold => return Ok(()),
        Delivery::Drop => {
            shared
                .desktop
                .drop_connections(|c| c.org == caller.org && c.agent_id == caller.agent_id);
            return Ok(());
        }
    }
    let agents: Vec<&str> = if outcome.agent == caller.agent_id {
        vec![caller.agent_id.as_str()]
    } else {
        vec![caller.agent_id.as_str(), outcome.agent.as_str()]
    };
    shared.desktop.push(&caller.org, &agents, &outcome.frame);
    Ok(())
}

/// What a call resolved to: the agent it concerned and the frame that says so.
struct Outcome {
    agent: String,
    frame: Value,
}

fn envelope(
    outer: &str,
    inner: &str,
    org: &str,
    agent: &str,
    tracking: &str,
    mut data: Map<String, Value>,
) -> Value {
    data.insert("type".into(), json!(inner));
    data.insert("eventType".into(), json!("AgentDesktopMessage"));
    data.insert("agentId".into(), json!(agent));
    data.insert("trackingId".into(), json!(tracking));
    data.insert("orgId".into(), json!(org));
    json!({"type": outer, "orgId": org, "trackingId": tracking, "data": data})
}

/// A `*Failed` event: `reasonCode`, `reason` (docs/desktop-notes.md §5b).
fn failed(
    outer: &str,
    inner: &str,
    org: &str,
    agent: &str,
    tracking: &str,
    reason: &str,
    code: u32,
) -> Outcome {
    let mut data = Map::new();
    data.insert("reasonCode".into(), json!(code));
    data.insert("reason".into(), json!(reason));
    Outcome {
        agent: agent.to_string(),
        frame: envelope(outer, inner, org, agent, tracking, data),
    }
}

fn session_fields(session: &AgentSession, status: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("agentSessionId".into(), json!(session.agent_session_id));
    m.insert("teamId".into(), json!(session.team_id));
    m.insert("siteId".into(), json!(session.site_id));
    m.insert("auxCodeId".into(), json!(session.aux_code_id));
    m.insert("status".into(), json!(status));
    m.insert("subStatus".into(), json!(session.sub_status));
    m.insert("dialNumber".into(), json!(session.dial_number));
    m.insert("dn".into(), json!(session.dial_number));
    m.insert("isExtension".into(), json!(session.is_extension));
    m.insert("deviceType".into(), json!(session.device_type));
    m.insert("deviceId".into(), json!(session.device_id));
    m.insert("roles".into(), json!(session.roles));
    m.insert("interactionIds".into(), json!([]));
    m.insert(
        "lastStateChangeReason".into(),
        json!(session.last_state_change_reason),
    );
    m.insert(
        "lastStateChangeTimestamp".into(),
        json!(session.last_state_change_timestamp),
    );
    m.insert(
        "lastIdleCodeChangeTimestamp".into(),
        json!(session.last_idle_code_change_timestamp),
    );
    m
}

/// A dial number the service can ring: digits with an optional leading `+` (an extension:
/// digits only), 3 to 43 characters.
fn dialable(number: &str, extension: bool) -> bool {
    let digits = if extension {
        number
    } else {
        number.strip_prefix('+').unwrap_or(number)
    };
    (3..=43).contains(&number.len())
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

fn login_outcome(
    state: &mut State,
    caller: &Caller,
    body: &Map<String, Value>,
    tracking: &str,
) -> Result<Outcome, Fail> {
    let bad = |why: &str| Fail::new(StatusCode::BAD_REQUEST, why);
    let dial_number =
        text_field(body, "dialNumber", 43)?.ok_or_else(|| bad("dialNumber is required"))?;
    let team_id = text_field(body, "teamId", 36)?.unwrap_or_default();
    let is_extension = bool_field(body, "isExtension")?;
    let device_id = text_field(body, "deviceId", 43)?;
    let device_type = text_field(body, "deviceType", 64)?;
    let roles: Vec<String> = match body.get("roles") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|r| {
                r.as_str()
                    .map(str::to_lowercase)
                    .ok_or_else(|| bad("roles must be strings"))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(bad("roles is required: agent and/or supervisor")),
    };
    if let Some(r) = roles
        .iter()
        .find(|r| !matches!(r.as_str(), "agent" | "supervisor"))
    {
        return Err(bad(&format!(
            "unknown role {r}: roles are agent and supervisor"
        )));
    }
    let agent_role = roles.iter().any(|r| r == "agent");
    let device_type = match device_type.as_deref() {
        Some(t @ ("AGENT_DN" | "EXTENSION" | "BROWSER")) => t.to_string(),
        Some(other) => {
            return Err(bad(&format!(
                "deviceType {other} is not one of AGENT_DN, EXTENSION, BROWSER"
            )));
        }
        None if agent_role => return Err(bad("deviceType is required for the agent role")),
        None => String::new(),
    };
    if agent_role && team_id.is_empty() {
        return Err(bad("teamId is required for the agent role"));
    }
    let org_id = caller.org.clone();
    let agent = caller.agent_id.clone();
    let fail = |reason: &str, code: u32| {
        failed(
            "StationLogin",
            "AgentStationLoginFailed",
            &org_id,
            &agent,
            tracking,
            reason,
            code,
        )
    };
    let Some(org) = state.orgs.get(&org_id) else {
        return Ok(fail("AGENT_NOT_FOUND", 1400));
    };
    let user = org.get("user", &agent).cloned().unwrap_or(Value::Null);
    let user_site = user
        .get("siteId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(team) = org.get("team", &team_id).cloned() else {
        return Ok(fail("INVALID_TEAM", 1401));
    };
    let team_site = team
        .get("siteId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if team_site != user_site {
        return Ok(fail("AGENT_NOT_IN_TEAM_SITE", 1402));
    }
    let browser = device_type == "BROWSER";
    if !browser && !dialable(&dial_number, is_extension || device_type == "EXTENSION") {
        return Ok(fail("INVALID_DIAL_NUMBER", 1403));
    }
    let sessions = state.desktop.sessions.entry(org_id.clone()).or_default();
    if sessions.contains_key(&agent) {
        return Ok(fail("AGENT_ALREADY_LOGGED_IN", 1404));
    }
    if !browser && sessions.values().any(|s| s.dial_number == dial_number) {
        return Ok(fail("DUPLICATE_LOCATION", 1405));
    }
    let default_idle = org
        .all("auxiliary-code")
        .find(|(_, c)| {
            c.get("workTypeCode").and_then(Value::as_str) == Some("IDLE_CODE")
                && c.get("defaultCode").and_then(Value::as_bool) == Some(true)
        })
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| "0".into());
    let now = now_ms();
    let session = AgentSession {
        agent_session_id: uuid::Uuid::new_v4().to_string(),
        team_id,
        site_id: team_site,
        device_id: device_id.unwrap_or_else(|| {
            if browser {
                format!("webrtc-{agent}")
            } else {
                dial_number.clone()
            }
        }),
        dial_number,
        is_extension,
        device_type,
        roles,
        sub_status: "Idle".into(),
        aux_code_id: default_idle,
        last_state_change_reason: String::new(),
        last_state_change_timestamp: now,
        last_idle_code_change_timestamp: now,
    };
    let mut data = session_fields(&session, "LoggedIn");
    data.insert("profileType".into(), json!("BLENDED"));
    sessions.insert(agent.clone(), session);
    Ok(Outcome {
        agent: agent.clone(),
        frame: envelope(
            "StationLogin",
            "AgentStationLoginSuccess",
            &org_id,
            &agent,
            tracking,
            data,
        ),
    })
}

/// Applies a state change to `target`'s session; `changed_by` is `self` or `supervisor`.
fn state_outcome(
    state: &mut State,
    caller: &Caller,
    body: &Map<String, Value>,
    tracking: &str,
    changed_by: &str,
) -> Result<Outcome, Fail> {
    let bad = |why: &str| Fail::new(StatusCode::BAD_REQUEST, why);
    let wanted = text_field(body, "state", 64)?.ok_or_else(|| bad("state is required"))?;
    let aux = text_field(body, "auxCodeId", 36)?.ok_or_else(|| bad("auxCodeId is required"))?;
    let reason = text_field(body, "lastStateChangeReason", 128)?.unwrap_or_default();
    let target = text_field(body, "agentId", 36)?.unwrap_or_else(|| caller.agent_id.clone());
    if !matches!(wanted.as_str(), "Available" | "Idle") {
        return Err(bad(&format!("state {wanted} is not Available or Idle")));
    }
    let org_id = caller.org.clone();
    let fail = |reason: &str, code: u32| {
        failed(
            "AgentStateChange",
            "AgentStateChangeFailed",
            &org_id,
            &target,
            tracking,
            reason,
            code,
        )
    };
    let Some(org) = state.orgs.get(&org_id) else {
        return Ok(fail("AGENT_NOT_FOUND", 1400));
    };
    if wanted == "Idle" {
        let idle = org.get("auxiliary-code", &aux).is_some_and(|c| {
            c.get("workTypeCode").and_then(Value::as_str) == Some("IDLE_CODE")
                && c.get("active").and_then(Value::as_bool) != Some(false)
        });
        if !idle {
            return Ok(fail("INVALID_AUX_CODE", 1410));
        }
    }
    let changed_by_name = org
        .get("user", &caller.agent_id)
        .map(|u| {
            format!(
                "{} {}",
                u.get("firstName")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                u.get("lastName")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let Some(session) = state
        .desktop
        .sessions
        .get_mut(&org_id)
        .and_then(|s| s.get_mut(&target))
    else {
        return Ok(fail("AGENT_NOT_FOUND", 1400));
    };
    let now = now_ms();
    session.sub_status = wanted.clone();
    session.aux_code_id = if wanted == "Available" {
        "0".into()
    } else {
        aux
    };
    session.last_state_change_reason = reason;
    session.last_state_change_timestamp = now;
    if wanted == "Idle" {
        session.last_idle_code_change_timestamp = now;
    }
    let mut data = session_fields(session, "LoggedIn");
    data.insert("changedBy".into(), json!(changed_by));
    data.insert("changedById".into(), json!(caller.agent_id));
    data.insert("changedByName".into(), json!(changed_by_name));
    Ok(Outcome {
        agent: target.clone(),
        frame: envelope(
            "AgentStateChange",
            "AgentStateChangeSuccess",
            &org_id,
            &target,
            tracking,
            data,
        ),
    })
}

fn reload_outcome(state: &State, caller: &Caller, tracking: &str) -> Outcome {
    let agent = &caller.agent_id;
    match state
        .desktop
        .sessions
        .get(&caller.org)
        .and_then(|s| s.get(agent))
    {
        Some(session) => Outcome {
            agent: agent.clone(),
            frame: envelope(
                "AgentReloginSuccess",
                "AgentReloginSuccess",
                &caller.org,
                agent,
                tracking,
                session_fields(session, "LoggedIn"),
            ),
        },
        None => failed(
            "AgentReloginFailed",
            "AgentReloginFailed",
            &caller.org,
            agent,
            tracking,
            "AGENT_NOT_FOUND",
            1400,
        ),
    }
}

fn logout_outcome(
    state: &mut State,
    caller: &Caller,
    body: &Map<String, Value>,
    tracking: &str,
) -> Result<Outcome, Fail> {
    let reason = text_field(body, "logoutReason", 128)?
        .ok_or_else(|| Fail::new(StatusCode::BAD_REQUEST, "logoutReason is required"))?;
    let target = text_field(body, "agentId", 36)?.unwrap_or_else(|| caller.agent_id.clone());
    let removed = state
        .desktop
        .sessions
        .get_mut(&caller.org)
        .and_then(|s| s.remove(&target));
    let Some(session) = removed else {
        return Ok(failed(
            "Logout",
            "AgentLogoutFailed",
            &caller.org,
            &target,
            tracking,
            "AGENT_NOT_FOUND",
            1400,
        ));
    };
    let mut data = Map::new();
    data.insert("agentSessionId".into(), json!(session.agent_session_id));
    data.insert("status".into(), json!("LoggedOut"));
    data.insert("subStatus".into(), json!(session.sub_status));
    data.insert("roles".into(), json!(session.roles));
    data.insert(
        "loggedOutBy".into(),
        json!(if target == caller.agent_id {
            "self"
        } else {
            "supervisor"
        }),
    );
    data.insert("logoutReason".into(), json!(reason));
    Ok(Outcome {
        agent: target.clone(),
        frame: envelope(
            "Logout",
            "AgentLogoutSuccess",
            &caller.org,
            &target,
            tracking,
            data,
        ),
    })
}

/// `/_emulator/desktop/…`: sessions, settings, tokens for a named user, dropping sockets,
/// and a supervisor's state change.
pub fn admin_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/desktop", get(admin_view))
        .route("/desktop/settings", put(admin_settings))
        .route("/desktop/tokens", post(admin_token))
        .route("/desktop/drop", post(admin_drop))
        .route("/desktop/state", post(admin_state))
}

async fn admin_view(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let state = shared.state();
    let hub = shared.desktop.lock();
    let connections: Vec<Value> = hub
        .connections
        .iter()
        .map(|c| json!({"org": c.org, "agentId": c.agent_id, "clientType": c.client_type}))
        .collect();
    axum::Json(json!({
        "settings": state.desktop.settings,
        "sessions": state.desktop.sessions,
        "connections": connections,
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsPatch {
    keepalive_interval_ms: Option<u64>,
    silence_limit_ms: Option<u64>,
    outcomes: Option<Delivery>,
}

async fn admin_settings(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(patch): axum::Json<SettingsPatch>,
) -> Response {
    let mut state = shared.state();
    if let Some(n) = patch.keepalive_interval_ms {
        state.desktop.settings.keepalive_interval_ms = n;
    }
    if let Some(n) = patch.silence_limit_ms {
        state.desktop.settings.silence_limit_ms = n;
    }
    if let Some(d) = patch.outcomes {
        state.desktop.settings.outcomes = d;
    }
    shared.persist(&state);
    axum::Json(json!(state.desktop.settings)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserToken {
    email: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// A token for one user of the default org (an agent signing in for themselves).
async fn admin_token(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(body): axum::Json<UserToken>,
) -> Response {
    let mut state = shared.state();
    let org = state.default_org.clone();
    let scopes = body
        .scopes
        .unwrap_or_else(|| vec!["cjp:user".into(), "cjp:config_read".into()]);
    let expires = now_ms() + state.settings.refresh_token_seconds as i64 * 1000;
    let token = issue(&mut state, "emulator-test-client", &org, &scopes, expires);
    if let Some(access) = token.get("access_token").and_then(Value::as_str) {
        state
            .desktop
            .token_users
            .insert(access.to_string(), body.email);
    }
    shared.persist(&state);
    axum::Json(token).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DropRequest {
    /// Only this user's sockets (all when absent).
    #[serde(default)]
    email: Option<String>,
}

/// Drops sockets without a closing handshake, as a network failure would.
async fn admin_drop(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(body): axum::Json<DropRequest>,
) -> Response {
    let agent = {
        let state = shared.state();
        body.email.as_ref().and_then(|e| {
            state
                .orgs
                .get(&state.default_org)
                .and_then(|o| user_by_email(o, e))
        })
    };
    if body.email.is_some() && agent.is_none() {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "no such user"})),
        )
            .into_response();
    }
    let dropped = shared
        .desktop
        .drop_connections(|c| agent.as_ref().is_none_or(|a| *a == c.agent_id));
    axum::Json(json!({"dropped": dropped})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoteState {
    /// The agent whose state changes.
    email: String,
    /// The supervisor making the change (default: the org's administrator).
    #[serde(default)]
    by: Option<String>,
    state: String,
    #[serde(default)]
    aux_code_id: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// A supervisor changes an agent's state: the agent's sockets get `AgentStateChange`.
async fn admin_state(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(body): axum::Json<RemoteState>,
) -> Response {
    let tracking = format!("emulator_{}", uuid::Uuid::new_v4());
    let mut state = shared.state();
    let org_id = state.default_org.clone();
    let by = body
        .by
        .clone()
        .unwrap_or_else(|| state.settings.admin_email.clone());
    let ids = state
        .orgs
        .get(&org_id)
        .map(|o| (user_by_email(o, &body.email), user_by_email(o, &by)));
    let Some((Some(agent), Some(supervisor))) = ids else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "no such user"})),
        )
            .into_response();
    };
    let mut request = Map::new();
    request.insert("state".into(), json!(body.state));
    request.insert(
        "auxCodeId".into(),
        json!(body.aux_code_id.unwrap_or_else(|| "0".into())),
    );
    request.insert(
        "lastStateChangeReason".into(),
        json!(body.reason.unwrap_or_default()),
    );
    request.insert("agentId".into(), json!(agent));
    let caller = Caller {
        org: org_id.clone(),
        agent_id: supervisor,
    };
    let outcome = match state_outcome(&mut state, &caller, &request, &tracking, "supervisor") {
        Ok(o) => o,
        Err(fail) => return fail.into_response(&tracking, "/v1/agents/session/state"),
    };
    shared.persist(&state);
    drop(state);
    shared
        .desktop
        .push(&org_id, &[outcome.agent.as_str()], &outcome.frame);
    axum::Json(outcome.frame).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialable_numbers() {
        assert!(dialable("+13125550100", false));
        assert!(dialable("5550100", false));
        assert!(dialable("1001", true));
        assert!(!dialable("+1001", true));
        assert!(!dialable("12", false));
        assert!(!dialable("555-0100", false));
        assert!(!dialable("+", false));
        assert!(!dialable(&"1".repeat(44), false));
    }
}
