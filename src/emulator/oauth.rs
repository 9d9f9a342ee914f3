//! Webex's OAuth2 endpoints as the emulator serves them: `/v1/authorize` (the configured
//! administrator consents at once and is redirected back with `code` and `state`) and
//! `/v1/access_token` (authorization-code grant with PKCE, refresh grant that rotates the
//! refresh token), and a service app's `/v1/applications/{applicationId}/token`. Tokens have
//! the real shape `<opaque>_<cluster>_<orgId>`.
//!
//! Two controls shape the token endpoint, under `/_emulator/token-endpoint`: whether a
//! refresh token stays valid after it has been rotated (Webex does not document it,
//! data-desktop-api.md §6), and a fault that issues new tokens and then loses the answer, as
//! a gateway that times out after the work is done would.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Shared;
use super::http::now_ms;
use super::seed::random_secret;
use super::store::{AuthCode, State, TokenGrant};

/// How the token endpoint treats rotation, and the answers it is to lose.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenEndpoint {
    /// Whether a refresh token still works after a refresh grant has replaced it. Webex's
    /// documentation does not say; `false` (the stricter reading) is the default.
    #[serde(default)]
    pub keep_rotated_refresh_token: bool,
    /// How many of the next successful token answers to lose: the tokens are issued (and a
    /// presented refresh token rotated) but the client gets a 504 instead of them.
    #[serde(default)]
    pub lose_answers: u32,
}

/// `GET|PUT /_emulator/token-endpoint`: reads or changes [`TokenEndpoint`]; a PUT sets the
/// fields it carries.
pub fn controls() -> Router<Arc<Shared>> {
    Router::new().route(
        "/token-endpoint",
        get(token_endpoint).put(put_token_endpoint),
    )
}

async fn token_endpoint(AxState(shared): AxState<Arc<Shared>>) -> Response {
    axum::Json(json!(shared.state().token_endpoint)).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenEndpointPatch {
    keep_rotated_refresh_token: Option<bool>,
    lose_answers: Option<u32>,
}

async fn put_token_endpoint(
    AxState(shared): AxState<Arc<Shared>>,
    axum::Json(patch): axum::Json<TokenEndpointPatch>,
) -> Response {
    let mut state = shared.state();
    if let Some(keep) = patch.keep_rotated_refresh_token {
        state.token_endpoint.keep_rotated_refresh_token = keep;
    }
    if let Some(n) = patch.lose_answers {
        state.token_endpoint.lose_answers = n;
    }
    shared.persist(&state);
    axum::Json(json!(state.token_endpoint)).into_response()
}

/// The CI cluster part of emulated tokens.
const CLUSTER: &str = "P0A1";

/// Who a valid bearer token belongs to.
pub struct Grant {
    pub client_id: String,
    pub org: String,
    pub scopes: Vec<String>,
}

impl Grant {
    pub fn can_read(&self) -> bool {
        self.scopes.iter().any(|s| {
            matches!(
                s.as_str(),
                "cjp:config" | "cjp:config_read" | "cjp:config_write"
            )
        })
    }

    pub fn can_write(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| matches!(s.as_str(), "cjp:config" | "cjp:config_write"))
    }
}

/// Why a request's credentials were refused: 400 for a missing or ill-formed
/// `Authorization` header, 401 for an unknown, expired or revoked token (Webex common API
/// errors, docs/api-notes.md §5).
pub enum Refusal {
    Malformed(&'static str),
    Unauthorized(&'static str),
}

pub fn authenticate(headers: &HeaderMap, state: &State) -> Result<Grant, Refusal> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(Refusal::Malformed(
            "The request requires a valid Authorization header",
        ))?
        .to_str()
        .map_err(|_| Refusal::Malformed("The Authorization header is malformed"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Refusal::Malformed(
            "The Authorization header must be `Bearer <token>`",
        ))?;
    let grant = state.access_tokens.get(token).ok_or(Refusal::Unauthorized(
        "The request requires a valid access token set in the Authorization request header.",
    ))?;
    if grant.revoked {
        return Err(Refusal::Unauthorized("The access token has been revoked."));
    }
    if grant.expires_at <= now_ms() {
        return Err(Refusal::Unauthorized("The access token has expired."));
    }
    Ok(Grant {
        client_id: grant.client_id.clone(),
        org: grant.org.clone(),
        scopes: grant.scopes.clone(),
    })
}

/// Webex's error body: `{message, errors:[{description}], trackingId}`.
fn webex_error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "message": message,
        "errors": [{ "description": message }],
        "trackingId": format!("EMULATOR_{}", uuid::Uuid::new_v4()),
    });
    (status, axum::Json(body)).into_response()
}

pub async fn authorize(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut state = shared.state();
    let Some(client_id) = q.get("client_id") else {
        return webex_error(StatusCode::BAD_REQUEST, "client_id is required");
    };
    let Some(client) = state.clients.get(client_id).cloned() else {
        return webex_error(
            StatusCode::BAD_REQUEST,
            "Invalid client_id: no such integration",
        );
    };
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !client.redirect_uris.contains(&redirect_uri) {
        return webex_error(
            StatusCode::BAD_REQUEST,
            "redirect_uri does not match the integration's registered redirect URIs",
        );
    }
    let mut target = match url::Url::parse(&redirect_uri) {
        Ok(u) => u,
        Err(_) => return webex_error(StatusCode::BAD_REQUEST, "redirect_uri is not a URL"),
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        target
            .query_pairs_mut()
            .append_pair("error", "unsupported_response_type");
        if let Some(s) = q.get("state") {
            target.query_pairs_mut().append_pair("state", s);
        }
        return redirect(target.as_str());
    }
    let scopes: Vec<String> = q
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    // Webex asks for the scopes registered on the integration; others are an error.
    if !client.scopes.is_empty() && scopes.iter().any(|s| !client.scopes.contains(s)) {
        target
            .query_pairs_mut()
            .append_pair("error", "invalid_scope")
            .append_pair(
                "error_description",
                "The requested scope is not registered on the integration",
            );
        if let Some(s) = q.get("state") {
            target.query_pairs_mut().append_pair("state", s);
        }
        return redirect(target.as_str());
    }
    let code = random_secret();
    state.codes.insert(
        code.clone(),
        AuthCode {
            client_id: client_id.clone(),
            redirect_uri,
            scopes,
            org: client.org.clone(),
            code_challenge: q.get("code_challenge").cloned(),
            code_challenge_method: q.get("code_challenge_method").cloned(),
            expires_at: now_ms() + 10 * 60 * 1000,
        },
    );
    shared.persist(&state);
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = q.get("state") {
        target.query_pairs_mut().append_pair("state", s);
    }
    redirect(target.as_str())
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

pub async fn access_token(
    AxState(shared): AxState<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.log().counters.token_requests += 1;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let form: HashMap<String, String> = if is_json {
        match serde_json::from_slice::<HashMap<String, Value>>(&body) {
            Ok(m) => m
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect(),
            Err(_) => {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "The request body is not valid JSON",
                );
            }
        }
    } else {
        url::form_urlencoded::parse(&body).into_owned().collect()
    };
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut state = shared.state();
    let client_id = field("client_id");
    let Some(client) = state.clients.get(&client_id).cloned() else {
        return webex_error(
            StatusCode::UNAUTHORIZED,
            "Invalid client_id or client_secret",
        );
    };
    if client.secret != field("client_secret") {
        return webex_error(
            StatusCode::UNAUTHORIZED,
            "Invalid client_id or client_secret",
        );
    }
    let grant_type = field("grant_type");
    let (org, scopes, refresh_expires_at) = match grant_type.as_str() {
        "authorization_code" => {
            let Some(code) = state.codes.remove(&field("code")) else {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "The authorization code is invalid, expired or already used",
                );
            };
            shared.persist(&state);
            if code.client_id != client_id || code.expires_at <= now_ms() {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "The authorization code is invalid, expired or already used",
                );
            }
            if code.redirect_uri != field("redirect_uri") {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "redirect_uri does not match the one used to authorize",
                );
            }
            if let Some(challenge) = &code.code_challenge {
                let verifier = field("code_verifier");
                let computed = match code.code_challenge_method.as_deref() {
                    Some("plain") => verifier.clone(),
                    _ => base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(Sha256::digest(verifier.as_bytes())),
                };
                if verifier.is_empty() || &computed != challenge {
                    return webex_error(
                        StatusCode::BAD_REQUEST,
                        "PKCE verification failed: code_verifier does not match code_challenge",
                    );
                }
            }
            let refresh_expires_at = now_ms() + state.settings.refresh_token_seconds as i64 * 1000;
            (code.org, code.scopes, refresh_expires_at)
        }
        "refresh_token" => {
            let presented = field("refresh_token");
            let Some(grant) = state.refresh_tokens.get(&presented).cloned() else {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "The refresh token provided is invalid",
                );
            };
            if grant.revoked || grant.client_id != client_id {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "The refresh token provided is revoked or invalid",
                );
            }
            if grant.expires_at <= now_ms() {
                return webex_error(
                    StatusCode::BAD_REQUEST,
                    "The refresh token provided is expired",
                );
            }
            // Rotation: the presented refresh token is spent (unless the emulator is set to
            // keep rotated tokens valid); its absolute expiry carries over.
            if !state.token_endpoint.keep_rotated_refresh_token
                && let Some(g) = state.refresh_tokens.get_mut(&presented)
            {
                g.revoked = true;
            }
            (grant.org, grant.scopes, grant.expires_at)
        }
        "" => return webex_error(StatusCode::BAD_REQUEST, "grant_type is required"),
        other => {
            return webex_error(
                StatusCode::BAD_REQUEST,
                &format!("Unsupported grant_type {other}"),
            );
        }
    };
    let body = issue(&mut state, &client_id, &org, &scopes, refresh_expires_at);
    let lose = state.token_endpoint.lose_answers > 0;
    if lose {
        state.token_endpoint.lose_answers -= 1;
    }
    shared.persist(&state);
    drop(state);
    if lose {
        return webex_error(
            StatusCode::GATEWAY_TIMEOUT,
            "The upstream service did not answer in time",
        );
    }
    let mut log = shared.log();
    if grant_type == "refresh_token" {
        log.counters.refresh_grants += 1;
    } else {
        log.counters.code_grants += 1;
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// A service app's tokens for an org that authorized it: `POST
/// /v1/applications/{applicationId}/token` with `{clientId, clientSecret, targetOrgId}`,
/// called with a token holding `spark:applications_token` (docs/api-notes.md §5). The target
/// org may be a UUID or Webex's base64 org id.
pub async fn service_app_token(
    AxState(shared): AxState<Arc<Shared>>,
    Path(application_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = shared.state();
    match authenticate(&headers, &state) {
        Ok(grant) if grant.scopes.iter().any(|s| s == "spark:applications_token") => {}
        Ok(_) => {
            return webex_error(
                StatusCode::FORBIDDEN,
                "The access token lacks the spark:applications_token scope",
            );
        }
        Err(Refusal::Malformed(why)) => return webex_error(StatusCode::BAD_REQUEST, why),
        Err(Refusal::Unauthorized(why)) => return webex_error(StatusCode::UNAUTHORIZED, why),
    }
    let Ok(fields) = serde_json::from_slice::<HashMap<String, Value>>(&body) else {
        return webex_error(
            StatusCode::BAD_REQUEST,
            "The request body is not valid JSON",
        );
    };
    let field = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or_default();
    let (client_id, secret, target) = (
        field("clientId"),
        field("clientSecret"),
        field("targetOrgId"),
    );
    if client_id.is_empty() || secret.is_empty() || target.is_empty() {
        return webex_error(
            StatusCode::BAD_REQUEST,
            "clientId, clientSecret and targetOrgId are required",
        );
    }
    let Some(client) = state
        .clients
        .get(client_id)
        .filter(|c| c.application_id.as_deref() == Some(application_id.as_str()))
        .cloned()
    else {
        return webex_error(
            StatusCode::NOT_FOUND,
            "No service app with this id and clientId",
        );
    };
    if client.secret != secret {
        return webex_error(StatusCode::UNAUTHORIZED, "Invalid clientId or clientSecret");
    }
    let org = plain_org_id(target);
    if !client.authorized_orgs.contains(&org) || !state.orgs.contains_key(&org) {
        return webex_error(
            StatusCode::FORBIDDEN,
            "The service app is not authorized by a full administrator of the target org",
        );
    }
    let scopes = if client.scopes.is_empty() {
        vec![
            "cjp:config_read".to_string(),
            "cjp:config_write".to_string(),
        ]
    } else {
        client.scopes.clone()
    };
    let refresh_expires_at = now_ms() + state.settings.refresh_token_seconds as i64 * 1000;
    let body = issue(&mut state, client_id, &org, &scopes, refresh_expires_at);
    shared.persist(&state);
    drop(state);
    shared.log().counters.service_app_tokens += 1;
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// The UUID inside a Webex org id (`base64("ciscospark://us/ORGANIZATION/<uuid>")`), or the
/// value itself.
fn plain_org_id(org: &str) -> String {
    let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(org.trim_end_matches('='))
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match decoded {
        Some(text) if text.starts_with("ciscospark://") => {
            text.rsplit('/').next().unwrap_or_default().to_string()
        }
        _ => org.to_string(),
    }
}

/// Issues an access token (and a refresh token expiring at `refresh_expires_at`) and
/// returns the token response body.
pub fn issue(
    state: &mut State,
    client_id: &str,
    org: &str,
    scopes: &[String],
    refresh_expires_at: i64,
) -> Value {
    let now = now_ms();
    // Forget tokens that expired more than a day ago, so the state file stays small.
    let horizon = now - 86_400_000;
    state.access_tokens.retain(|_, g| g.expires_at > horizon);
    state.refresh_tokens.retain(|_, g| g.expires_at > horizon);
    let access = format!("{}_{CLUSTER}_{org}", random_secret());
    let refresh = format!("{}_{CLUSTER}_{org}", random_secret());
    let access_seconds = state.settings.access_token_seconds as i64;
    let grant = |expires_at| TokenGrant {
        client_id: client_id.to_string(),
        org: org.to_string(),
        scopes: scopes.to_vec(),
        expires_at,
        revoked: false,
    };
    state
        .access_tokens
        .insert(access.clone(), grant(now + access_seconds * 1000));
    state
        .refresh_tokens
        .insert(refresh.clone(), grant(refresh_expires_at));
    json!({
        "access_token": access,
        "expires_in": access_seconds,
        "refresh_token": refresh,
        "refresh_token_expires_in": ((refresh_expires_at - now) / 1000).max(0),
        "token_type": "Bearer",
        "scope": scopes.join(" "),
    })
}
