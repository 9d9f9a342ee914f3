//! Test and benchmark controls under `/_emulator/`, a path the real API does not use: the
//! request log and counters, orgs, the things an org gets from outside the config API
//! (users made in Control Hub, numbers in its Calling inventory), OAuth clients
//! (integrations and service apps), tokens minted directly, revocation, settings (rate
//! limit, page-size clamp, token lifetimes, response delay, stale versions) and fault injection (including
//! revoking a token mid-run). `{org}` may be `default`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::directory;
use super::faults::{Armed, Fault};
use super::http::now_ms;
use super::oauth::issue;
use super::seed::{new_org, random_secret};
use super::store::{OAuthClient, RateLimit, StaleVersion};

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/requests", get(requests))
        .route("/counters", get(counters))
        .route("/reset", post(reset))
        .route("/orgs", get(orgs).post(create_org))
        .route("/orgs/{org}", get(org_objects))
        .route("/orgs/{org}/users", post(add_users))
        .route("/orgs/{org}/numbers", get(numbers).post(add_numbers))
        .route("/orgs/{org}/activity", post(seed_activity))
        .route("/clients", post(create_client))
        .route("/tokens", post(mint_token))
        .route("/revoke", post(revoke))
        .route("/settings", get(settings).put(put_settings))
        .route("/faults", post(add_fault).delete(clear_faults))
}

async fn requests(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let log = shared.log();
    axum::Json(json!(log.entries)).into_response()
}

async fn counters(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let log = shared.log();
    axum::Json(json!(log.counters)).into_response()
}

async fn reset(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let mut log = shared.log();
    log.entries.clear();
    log.counters = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

async fn orgs(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let state = shared.state();
    let list: Vec<Value> = state
        .orgs
        .iter()
        .map(|(id, o)| json!({"orgId": id, "name": o.name, "default": *id == state.default_org}))
        .collect();
    axum::Json(json!(list)).into_response()
}

#[derive(Deserialize)]
struct NewOrg {
    #[serde(default)]
    name: Option<String>,
}

async fn create_org(
    AxState(shared): AxState<Arc<Shared>>,
    body: Option<axum::Json<NewOrg>>,
) -> Response {
    let mut state = shared.state();
    let name = body
        .and_then(|b| b.0.name)
        .unwrap_or_else(|| "Emulated Contact Center".into());
    let org = new_org(&mut state, &name);
    shared.persist(&state);
    (
        StatusCode::CREATED,
        axum::Json(json!({"orgId": org, "name": name})),
    )
        .into_response()
}

/// 404 for an org named in the path; 400 for one named in a body.
fn no_such_org(status: StatusCode) -> Response {
    (status, axum::Json(json!({"message": "no such org"}))).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedActivity {
    days: u32,
    #[serde(default = "default_per_hour")]
    tasks_per_hour: u32,
    /// Epoch ms the activity ends by (default: now), so tests can leave a margin.
    #[serde(default)]
    end_time: Option<i64>,
}

fn default_per_hour() -> u32 {
    super::activity::DEFAULT_PER_HOUR
}

/// Replaces the org's synthetic activity with `days` days of tasks (`tasksPerHour` per
/// queue, about) ending at the last full hour (before `endTime` when given); answers with
/// the task count.
async fn seed_activity(
    AxState(shared): AxState<Arc<Shared>>,
    Path(org): Path<String>,
    axum::Json(body): axum::Json<SeedActivity>,
) -> Response {
    if body.days > super::activity::MAX_DAYS || body.tasks_per_hour > 1000 {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"message": "at most 400 days and 1000 tasks per hour"})),
        )
            .into_response();
    }
    let mut state = shared.state();
    let org_id = org_id(&state, org);
    let Some(org) = state.orgs.get_mut(&org_id) else {
        return no_such_org(StatusCode::NOT_FOUND);
    };
    let end = body.end_time.unwrap_or_else(now_ms).min(now_ms());
    let tasks = super::activity::generate(org, &org_id, body.days, body.tasks_per_hour, end);
    shared.persist(&state);
    axum::Json(json!({"tasks": tasks})).into_response()
}

/// `default` names the default org.
fn org_id(state: &super::State, org: String) -> String {
    if org == "default" {
        state.default_org.clone()
    } else {
        org
    }
}

/// Adds users as Control Hub would: a JSON object (`email` required, any UserDTO field
/// may override the defaults) or an array of them. Answers with what was stored.
async fn add_users(
    AxState(shared): AxState<Arc<Shared>>,
    Path(org): Path<String>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut state = shared.state();
    let org_id = org_id(&state, org);
    let Some(org) = state.orgs.get_mut(&org_id) else {
        return no_such_org(StatusCode::NOT_FOUND);
    };
    let (single, specs) = match body {
        Value::Array(items) => (false, items),
        other => (true, vec![other]),
    };
    let mut added = Vec::new();
    for spec in specs {
        let Value::Object(fields) = spec else {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"message": "a user is a JSON object"})),
            )
                .into_response();
        };
        match directory::add_user(org, &org_id, fields) {
            Ok(user) => added.push(user),
            Err(refused) => {
                shared.persist(&state);
                let status = match refused {
                    directory::Refused::NoEmail => StatusCode::BAD_REQUEST,
                    directory::Refused::Taken(_) => StatusCode::CONFLICT,
                };
                return (
                    status,
                    axum::Json(json!({"message": refused.to_string(), "added": added})),
                )
                    .into_response();
            }
        }
    }
    shared.persist(&state);
    let body = if single {
        added.pop().unwrap_or(Value::Null)
    } else {
        Value::Array(added)
    };
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

async fn numbers(AxState(shared): AxState<Arc<Shared>>, Path(org): Path<String>) -> Response {
    let state = shared.state();
    match state.orgs.get(&org_id(&state, org)) {
        Some(o) => axum::Json(json!({"numbers": o.calling_numbers})).into_response(),
        None => no_such_org(StatusCode::NOT_FOUND),
    }
}

#[derive(Deserialize)]
struct NewNumbers {
    numbers: Vec<String>,
}

/// Adds numbers to the org's Calling inventory; answers with the ones that were new.
async fn add_numbers(
    AxState(shared): AxState<Arc<Shared>>,
    Path(org): Path<String>,
    axum::Json(body): axum::Json<NewNumbers>,
) -> Response {
    let mut state = shared.state();
    let org_id = org_id(&state, org);
    let Some(org) = state.orgs.get_mut(&org_id) else {
        return no_such_org(StatusCode::NOT_FOUND);
    };
    let added = directory::add_numbers(org, &body.numbers);
    shared.persist(&state);
    (StatusCode::CREATED, axum::Json(json!({"added": added}))).into_response()
}

async fn org_objects(AxState(shared): AxState<Arc<Shared>>, Path(org): Path<String>) -> Response {
    let state = shared.state();
    match state.orgs.get(&org_id(&state, org)) {
        Some(o) => axum::Json(json!(o.objects())).into_response(),
        None => no_such_org(StatusCode::NOT_FOUND),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewClient {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    org: Option<String>,
    /// Scopes registered on the integration (any, when absent).
    #[serde(default)]
    scopes: Vec<String>,
    /// Makes the client a service app with this application id.
    #[serde(default)]
    application_id: Option<String>,
    /// Orgs that authorized the service app (its own org, when absent).
    #[serde(default)]
    authorized_orgs: Option<Vec<String>>,
}

async fn create_client(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(body): axum::Json<NewClient>,
) -> Response {
    let mut state = shared.state();
    let org = body.org.unwrap_or_else(|| state.default_org.clone());
    if !state.orgs.contains_key(&org) {
        return no_such_org(StatusCode::BAD_REQUEST);
    }
    let id = body
        .client_id
        .unwrap_or_else(|| format!("C{}", random_secret()));
    let secret = random_secret();
    state.clients.insert(
        id.clone(),
        OAuthClient {
            secret: secret.clone(),
            redirect_uris: body.redirect_uris,
            org: org.clone(),
            scopes: body.scopes,
            application_id: body.application_id,
            authorized_orgs: body.authorized_orgs.unwrap_or_else(|| vec![org.clone()]),
        },
    );
    shared.persist(&state);
    (
        StatusCode::CREATED,
        axum::Json(json!({"clientId": id, "clientSecret": secret, "org": org})),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MintToken {
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    client_id: Option<String>,
}

async fn mint_token(
    AxState(shared): AxState<Arc<Shared>>,
    body: Option<axum::Json<MintToken>>,
) -> Response {
    let mut state = shared.state();
    let body = body.map(|b| b.0).unwrap_or(MintToken {
        org: None,
        scopes: None,
        client_id: None,
    });
    let org = body.org.unwrap_or_else(|| state.default_org.clone());
    if !state.orgs.contains_key(&org) {
        return no_such_org(StatusCode::BAD_REQUEST);
    }
    let scopes = body
        .scopes
        .unwrap_or_else(|| vec!["cjp:config_read".into(), "cjp:config_write".into()]);
    let client = body
        .client_id
        .unwrap_or_else(|| "emulator-test-client".into());
    let refresh_expires_at = now_ms() + state.settings.refresh_token_seconds as i64 * 1000;
    let token = issue(&mut state, &client, &org, &scopes, refresh_expires_at);
    shared.persist(&state);
    axum::Json(token).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Revoke {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
}

async fn revoke(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(body): axum::Json<Revoke>,
) -> Response {
    let mut state = shared.state();
    let mut found = false;
    if let Some(g) = body
        .access_token
        .as_ref()
        .and_then(|t| state.access_tokens.get_mut(t))
    {
        g.revoked = true;
        found = true;
    }
    if let Some(g) = body
        .refresh_token
        .as_ref()
        .and_then(|t| state.refresh_tokens.get_mut(t))
    {
        g.revoked = true;
        found = true;
    }
    shared.persist(&state);
    if found {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

async fn settings(AxState(shared): AxState<Arc<Shared>>) -> Response {
    let state = shared.state();
    axum::Json(json!(state.settings)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsPatch {
    #[serde(default, deserialize_with = "double_option")]
    rate_limit: Option<Option<RateLimit>>,
    max_page_size: Option<u64>,
    access_token_seconds: Option<u64>,
    refresh_token_seconds: Option<u64>,
    response_delay_ms: Option<u64>,
    stale_version: Option<StaleVersion>,
    bulk_max_items: Option<usize>,
}

/// Tells "field absent" (leave as is) from "field null" (switch off).
fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<RateLimit>>, D::Error> {
    Option::<RateLimit>::deserialize(d).map(Some)
}

async fn put_settings(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(patch): axum::Json<SettingsPatch>,
) -> Response {
    let mut state = shared.state();
    if let Some(limit) = patch.rate_limit {
        state.settings.rate_limit = limit;
        shared
            .windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        shared
            .retry_after
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
    if let Some(n) = patch.max_page_size {
        state.settings.max_page_size = n.max(1);
    }
    if let Some(n) = patch.access_token_seconds {
        state.settings.access_token_seconds = n;
    }
    if let Some(n) = patch.refresh_token_seconds {
        state.settings.refresh_token_seconds = n;
    }
    if let Some(n) = patch.response_delay_ms {
        state.settings.response_delay_ms = n;
    }
    if let Some(v) = patch.stale_version {
        state.settings.stale_version = v;
    }
    if let Some(n) = patch.bulk_max_items {
        state.settings.bulk_max_items = n.max(1);
    }
    shared.persist(&state);
    axum::Json(json!(state.settings)).into_response()
}

/// Arms a fault (see `faults::Fault`); 400 names what is wrong with one that cannot work.
async fn add_fault(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(fault): axum::Json<Fault>,
) -> Response {
    if let Err(why) = fault.check() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "message": why })),
        )
            .into_response();
    }
    shared
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Armed::new(fault));
    StatusCode::NO_CONTENT.into_response()
}

/// Disarms every fault.
async fn clear_faults(AxState(shared): AxState<Arc<Shared>>) -> Response {
    shared
        .faults
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    StatusCode::NO_CONTENT.into_response()
}
