//! Fault injection for tests and benchmarks (`POST /_emulator/faults`): which requests a
//! fault hits (method, path, a count, or a percentage decided by a seed), and what it does
//! to them — an error status before or after the request is carried out, a dropped
//! connection before or after, a delay, a chosen `Retry-After`, a truncated or malformed
//! body. A percentage is decided per request content and repetition, not arrival order, so
//! a seeded run makes the same choices however its requests interleave.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::http::{api_error, empty};

/// A failure to inject into matching requests.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// Only requests with this method (any when absent).
    pub method: Option<String>,
    /// Only requests whose path contains this text.
    #[serde(default)]
    pub path_contains: String,
    /// Only requests whose `TrackingId` header starts with this text (`wxcc_` for the
    /// tool's own, so that a test's requests alongside it are left alone).
    pub tracking_id_prefix: Option<String>,
    /// The status to answer with; 0 keeps the real answer (for a delay, a drop or a
    /// damaged body on its own).
    #[serde(default)]
    pub status: u16,
    /// How many matching requests to hit: 1 when absent, unlimited with `percent`.
    pub times: Option<u32>,
    /// Hit this share (0–100) of matching requests instead of every one.
    pub percent: Option<f64>,
    /// The seed `percent` decides with.
    #[serde(default)]
    pub seed: u64,
    /// Carry the request out first, then fail (a lost answer).
    #[serde(default)]
    pub after_applying: bool,
    /// Close the connection without an answer (before or after acting, per
    /// `afterApplying`).
    #[serde(default)]
    pub drop: bool,
    /// Wait this long before answering.
    #[serde(default)]
    pub latency_ms: u64,
    /// The `Retry-After` header to send (seconds, an HTTP date, or anything at all).
    pub retry_after: Option<String>,
    /// Damage the body of the real answer: `truncated` (the connection breaks half-way
    /// through it) or `malformed` (half of it, sent as if whole).
    pub body: Option<BodyFault>,
    /// Instead of a status: revoke the access token the request carries, as an admin
    /// would mid-run, so the request (and any later one with that token) gets 401.
    #[serde(default)]
    pub revoke_token: bool,
    /// Instead of the whole request: fail each item of a bulk request whose `item` JSON
    /// contains this text, with `status` as that item's result (the other items are
    /// carried out). With `afterApplying`, the item is carried out first.
    pub item_contains: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum BodyFault {
    Truncated,
    Malformed,
}

impl Fault {
    /// Whether the fault is well formed; the reason when not.
    pub fn check(&self) -> Result<(), String> {
        if let Some(p) = self.percent
            && !(0.0..=100.0).contains(&p)
        {
            return Err(format!("percent must be between 0 and 100, not {p}"));
        }
        if self.status != 0 && StatusCode::from_u16(self.status).is_err() {
            return Err(format!("{} is not an HTTP status", self.status));
        }
        if self.status != 0 && (self.drop || self.body.is_some()) {
            return Err(
                "a fault answers with a status, drops the connection or damages the body: pick one"
                    .into(),
            );
        }
        if self.drop && self.body.is_some() {
            return Err("a dropped connection has no body to damage".into());
        }
        if self.body.is_some() && !self.after_applying {
            return Err("a damaged body is the real answer's: set afterApplying".into());
        }
        if self.item_contains.is_some() && self.tracking_id_prefix.is_some() {
            return Err("itemContains picks bulk items by their text, not by tracking id".into());
        }
        if self.item_contains.is_some()
            && (self.status == 0 || self.drop || self.body.is_some() || self.revoke_token)
        {
            return Err("itemContains fails bulk items with a status: set status alone".into());
        }
        if self.revoke_token
            && (self.status != 0 || self.drop || self.body.is_some() || self.percent.is_some())
        {
            return Err("revokeToken is a fault of its own".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str, tracking: &str) -> bool {
        self.item_contains.is_none()
            && self.matches_request(method, path)
            && self
                .tracking_id_prefix
                .as_deref()
                .is_none_or(|prefix| tracking.starts_with(prefix))
    }

    fn matches_request(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.contains(&self.path_contains)
    }
}

/// A fault as registered, with what it has used up.
pub struct Armed {
    fault: Fault,
    /// Hits left; `None` is unlimited.
    left: Option<u32>,
    /// How often each request content has been seen (for `percent`).
    seen: HashMap<[u8; 32], u32>,
}

impl Armed {
    pub fn new(fault: Fault) -> Armed {
        let left = match (fault.times, fault.percent) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(1),
        };
        Armed {
            fault,
            left,
            seen: HashMap::new(),
        }
    }

    /// Whether this fault hits the request (`fingerprint` names its method, path, query and
    /// body); a hit uses it up.
    fn hits(&mut self, fingerprint: [u8; 32]) -> bool {
        if self.left == Some(0) {
            return false;
        }
        if let Some(percent) = self.fault.percent {
            let seen = self.seen.entry(fingerprint).or_default();
            *seen += 1;
            let mut h = Sha256::new();
            h.update(self.fault.seed.to_le_bytes());
            h.update(fingerprint);
            h.update(seen.to_le_bytes());
            let digest = h.finalize();
            let mut roll = [0u8; 8];
            roll.copy_from_slice(&digest[..8]);
            let roll = u64::from_le_bytes(roll) as f64 / u64::MAX as f64 * 100.0;
            if roll >= percent {
                return false;
            }
        }
        if let Some(n) = &mut self.left {
            *n -= 1;
        }
        true
    }
}

/// What identifies a request for `percent`: its method, path, query and body.
pub fn fingerprint(method: &str, path: &str, query: &str, body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [method.as_bytes(), path.as_bytes(), query.as_bytes(), body] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// The first fault (of the revoking kind or not) that hits this request; faults that are
/// used up are dropped from the list.
pub fn take(
    faults: &mut Vec<Armed>,
    revoking: bool,
    method: &str,
    path: &str,
    tracking: &str,
    fingerprint: [u8; 32],
) -> Option<Fault> {
    let hit = faults.iter_mut().position(|a| {
        a.fault.revoke_token == revoking
            && a.fault.matches(method, path, tracking)
            && a.hits(fingerprint)
    })?;
    let fault = faults[hit].fault.clone();
    faults.retain(|a| a.left != Some(0));
    Some(fault)
}

/// The first item fault that hits this bulk item (`item` its JSON text); used-up faults are
/// dropped from the list.
pub fn take_item(faults: &mut Vec<Armed>, method: &str, path: &str, item: &str) -> Option<Fault> {
    let hit = faults.iter_mut().position(|a| {
        a.fault
            .item_contains
            .as_deref()
            .is_some_and(|text| item.contains(text))
            && a.fault.matches_request(method, path)
            && a.hits(fingerprint(method, path, "", item.as_bytes()))
    })?;
    let fault = faults[hit].fault.clone();
    faults.retain(|a| a.left != Some(0));
    Some(fault)
}

/// The error answer of a status fault: 429 with no body (§1.7), anything else with the
/// config service's generic error body (§1.6).
pub fn status_response(status: u16, tracking: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::TOO_MANY_REQUESTS {
        let mut r = empty(status, tracking);
        r.headers_mut()
            .insert("Retry-After", HeaderValue::from_static("1"));
        return r;
    }
    api_error(
        status,
        tracking,
        "Internal error. Please contact Cisco Support Team",
    )
}

/// The fault's delay, waited before the request is served (so a change made meanwhile is
/// what the request sees).
pub async fn wait(fault: &Fault) {
    if fault.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
}

/// Applies the parts of a fault that shape the answer: a dropped connection, a damaged
/// body, the `Retry-After` header.
pub async fn shape(fault: &Fault, response: Response) -> Response {
    if fault.drop {
        return broken(response, Bytes::new());
    }
    let mut response = match fault.body {
        None => response,
        Some(damage) => {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let whole = Response::from_parts(parts, Body::empty());
            match damage {
                BodyFault::Truncated => {
                    let mut r = broken(whole, half);
                    if let Ok(v) = HeaderValue::from_str(&bytes.len().to_string()) {
                        r.headers_mut().insert("content-length", v);
                    }
                    r
                }
                BodyFault::Malformed => {
                    let (mut parts, _) = whole.into_parts();
                    parts.headers.remove("content-length");
                    Response::from_parts(parts, Body::from(half))
                }
            }
        }
    };
    if let Some(v) = fault
        .retry_after
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert("Retry-After", v);
    }
    response
}

/// The answer's head with a body that sends `first` and then fails, which makes the
/// server abort the connection: before the head is out when `first` is empty (no answer
/// at all), part-way through the body otherwise.
fn broken(response: Response, first: Bytes) -> Response {
    let (parts, _) = response.into_parts();
    let mut chunks: Vec<Result<Bytes, std::io::Error>> = Vec::new();
    if !first.is_empty() {
        chunks.push(Ok(first));
    }
    chunks.push(Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "injected fault: connection dropped",
    )));
    Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
}
