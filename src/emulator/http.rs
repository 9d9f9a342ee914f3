//! The service's response shapes: the config service's error body, Spring's default error
//! body for unknown routes and unhandled failures, JSON answers with a `TrackingId` header,
//! and `Fail`, the refusal every check returns.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The tracking id for this request: the caller's `TrackingId`, or a new `ccconfig_` one.
pub fn tracking_id(headers: &HeaderMap) -> String {
    headers
        .get("TrackingId")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("ccconfig_{}", uuid::Uuid::new_v4()))
}

pub fn json_response(status: StatusCode, tracking: &str, body: Value) -> Response {
    with_tracking((status, axum::Json(body)).into_response(), tracking)
}

pub fn empty(status: StatusCode, tracking: &str) -> Response {
    with_tracking(status.into_response(), tracking)
}

/// `{trackingId, error: {key, reason, message: [{description}]}}` (docs/api-notes.md §1.6).
pub fn api_error(status: StatusCode, tracking: &str, reason: &str) -> Response {
    api_error_with(status, tracking, reason, None)
}

/// The same, with `error.referencedEntities` (412 on a referenced object).
pub fn api_error_with(
    status: StatusCode,
    tracking: &str,
    reason: &str,
    referenced: Option<Vec<String>>,
) -> Response {
    let mut error = json!({
        "key": status.as_u16().to_string(),
        "reason": reason,
        "message": [{ "description": reason }],
    });
    if let Some(kinds) = referenced {
        error["referencedEntities"] = json!(kinds);
    }
    json_response(
        status,
        tracking,
        json!({ "trackingId": tracking, "error": error }),
    )
}

/// Spring's default body for an unknown route or wrong verb (`error` is a string).
pub fn spring_error(status: StatusCode, path: &str) -> Response {
    let body = json!({
        "timestamp": chrono_now_iso(),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "path": path,
    });
    (status, axum::Json(body)).into_response()
}

fn with_tracking(mut response: Response, tracking: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(tracking) {
        response.headers_mut().insert("TrackingId", v);
    }
    response
}

/// A refusal: status, reason and, for 412, the kinds that still point at the object.
#[derive(Debug)]
pub struct Fail {
    pub status: StatusCode,
    pub reason: String,
    pub referenced: Option<Vec<String>>,
    /// Answered with Spring's body and no reason: the service fails before its own error
    /// handling (§1.6 "500 (no message)", 415 on a part without its content type).
    pub bare: bool,
}

impl Fail {
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Fail {
        Fail {
            status,
            reason: reason.into(),
            referenced: None,
            bare: false,
        }
    }

    pub fn bad_request(reason: impl Into<String>) -> Fail {
        Fail::new(StatusCode::BAD_REQUEST, reason)
    }

    /// A status with Spring's default body.
    pub fn bare(status: StatusCode) -> Fail {
        Fail {
            status,
            reason: String::new(),
            referenced: None,
            bare: true,
        }
    }

    /// 412: the object is still referenced by objects of these kinds.
    pub fn referenced(reason: impl Into<String>, kinds: Vec<String>) -> Fail {
        Fail {
            status: StatusCode::PRECONDITION_FAILED,
            reason: reason.into(),
            referenced: Some(kinds),
            bare: false,
        }
    }

    pub fn into_response(self, tracking: &str, path: &str) -> Response {
        if self.bare {
            spring_error(self.status, path)
        } else {
            api_error_with(self.status, tracking, &self.reason, self.referenced)
        }
    }
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn chrono_now_iso() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}
