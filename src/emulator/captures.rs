//! Captures (docs/data-notes.md §3): `POST /v1/captures/query` answers, per task asked
//! (at most 10), its recordings — one stitched file, or a segment per leg with
//! `includeSegments` — behind pre-signed URLs that expire after `urlExpiration` minutes
//! (1–60); unknown tasks come back with empty lists. The signed URLs are served under
//! `/_signed/` (standing in for the storage host): no bearer token, and an expired or
//! tampered URL is refused with the storage service's 403.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query as AxQuery, Request, State as AxState};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Shared;
use super::data_api::{DataFail, bad, serve};
use super::http::now_ms;
use super::store::Org;

/// §3: task ids per request, and the longest URL lifetime in minutes.
const MAX_TASK_IDS: usize = 10;
const MAX_EXPIRATION_MINUTES: i64 = 60;
/// The largest captures request read.
const MAX_BODY: usize = 64 * 1024;

pub async fn query(shared: AxState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
    let request = Request::from_parts(parts, axum::body::Body::empty());
    let logged = parsed.clone();
    let key = shared.signing_key.clone();
    let origin = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let handler = move |org: &Org, org_id: &str, _: &HashMap<String, String>, now: i64| {
        answer(org, org_id, parsed.as_ref(), now, &key, &origin)
    };
    serve(shared, request, logged, &handler)
}

fn answer(
    org: &Org,
    org_id: &str,
    body: Option<&Value>,
    now: i64,
    key: &str,
    origin: &str,
) -> Result<Value, DataFail> {
    let q = body
        .and_then(|b| b.get("query"))
        .and_then(Value::as_object)
        .ok_or_else(|| bad("query: must not be null"))?;
    let expiration = q
        .get("urlExpiration")
        .and_then(Value::as_i64)
        .unwrap_or(MAX_EXPIRATION_MINUTES);
    if expiration <= 0 {
        return Err(bad("urlExpiration should be greater than 0"));
    }
    if expiration > MAX_EXPIRATION_MINUTES {
        return Err(bad("urlExpiration should not be greater than 60"));
    }
    let ids: Vec<&str> = q
        .get("taskIds")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("taskIds: must not be null"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if ids.is_empty() || ids.len() > MAX_TASK_IDS {
        return Err(bad(format!(
            "taskIds: size must be between 1 and {MAX_TASK_IDS}"
        )));
    }
    let segments = q
        .get("includeSegments")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let expires = now + expiration * 60_000;
    let data: Vec<Value> = ids
        .iter()
        .map(|id| {
            let task = org
                .activity
                .iter()
                .find(|t| t.id == *id && t.capture_requested && t.last_updated_time() <= now);
            let recording: Vec<Value> = match task {
                None => Vec::new(),
                Some(t) => {
                    let legs: Vec<(String, i64, i64)> = if segments && t.hold_ms > 0 {
                        let split = t.answered_time() + t.connected_ms / 2;
                        vec![
                            ("recording-1.wav".into(), t.answered_time(), split),
                            ("recording-2.wav".into(), split + t.hold_ms, t.ended_time()),
                        ]
                    } else {
                        vec![("recording.wav".into(), t.answered_time(), t.ended_time())]
                    };
                    legs.into_iter()
                        .enumerate()
                        .map(|(n, (file, start, stop))| {
                            let path = format!("/_signed/recordings/{org_id}/{}/{file}", t.id);
                            let signature = sign(key, &path, expires);
                            json!({
                                "id": format!("{}-{n}", t.id),
                                "segment": segments,
                                "attributes": {
                                    "fileName": file,
                                    "filePath": format!("{origin}{path}?expires={expires}&signature={signature}"),
                                    "startTime": start,
                                    "stopTime": stop,
                                    "participants": [t.agent_id, mask(&t.origin)],
                                    "channel1": "Caller",
                                    "channel2": "Agent",
                                    "callType": "main",
                                },
                            })
                        })
                        .collect()
                }
            };
            json!({"taskId": id, "recording": recording, "transcription": []})
        })
        .collect();
    Ok(json!({"meta": {"orgId": org_id, "urlExpiration": expiration}, "data": data}))
}

/// `+13125552007` → `+131****2007`, as the service masks customer numbers.
fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 8 {
        return "****".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

fn sign(key: &str, path: &str, expires: i64) -> String {
    let digest = Sha256::digest(format!("{key}\n{path}\n{expires}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `GET /_signed/recordings/{org}/{task}/{file}?expires=&signature=`: the WAV, or the
/// storage service's 403 when the URL expired or was altered. An injected fault on this
/// path answers as an expired URL (a run that outlived its URLs).
pub async fn download(
    AxState(shared): AxState<Arc<Shared>>,
    Path((org, task, file)): Path<(String, String, String)>,
    AxQuery(params): AxQuery<HashMap<String, String>>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_string();
    let expires: i64 = params
        .get("expires")
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let valid = params
        .get("signature")
        .is_some_and(|s| *s == sign(&shared.signing_key, &path, expires));
    // A fault armed on the download path forces the expiry answer (tests of URL renewal).
    let forced_expiry = super::config_api::take_fault(
        &shared,
        false,
        request.method(),
        &path,
        &super::http::tracking_id(request.headers()),
        [0; 32],
    )
    .is_some();
    let response = if !valid {
        storage_error(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    } else if forced_expiry || expires <= now_ms() {
        storage_error("AccessDenied", "Request has expired")
    } else {
        let state = shared.state();
        let known = state
            .orgs
            .get(&org)
            .is_some_and(|o| o.activity.iter().any(|t| t.id == task));
        if known && file.ends_with(".wav") {
            let mut r = super::seed_defaults::tone_wav().into_response();
            r.headers_mut()
                .insert("Content-Type", HeaderValue::from_static("audio/wav"));
            r
        } else {
            storage_error("NoSuchKey", "The specified key does not exist.")
        }
    };
    shared.record_other("GET", &path, "", response.status().as_u16(), None, None);
    response
}

fn storage_error(code: &str, message: &str) -> Response {
    let status = if code == "NoSuchKey" {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::FORBIDDEN
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert("Content-Type", HeaderValue::from_static("application/xml"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_signs() {
        assert_eq!(mask("+13125552007"), "+131****2007");
        assert_ne!(sign("k", "/a", 1), sign("k", "/a", 2));
    }
}
