//! audio-file, the one kind whose create and replace are `multipart/form-data`: a JSON
//! part `audioFileInfo` (it must say `Content-Type: application/json`, else 415) and a
//! file part `audioFile`; a JSON body is a bare 500 whatever the spec says; a replace must
//! carry the record's own `blobId` and overwrites the blob in place. The blob itself is
//! served raw at `GET /organization/{orgid}/blob/{blobId}` (not in the spec). §3.4, §1.11.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::Shared;
use super::http::Fail;
use super::objects;
use super::payload::Payload;
use super::rules::KindRule;
use super::store::Org;

pub fn create(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    rule: &KindRule,
    payload: &Payload,
) -> Result<Value, Fail> {
    let (mut info, file) = parts(payload)?;
    let blob_id = format!("audio-file_{}", uuid::Uuid::new_v4());
    info.insert("blobId".into(), json!(blob_id));
    let created = objects::create(shared, org, org_id, rule, info)?;
    org.put_blob(blob_id, STANDARD.encode(&file));
    Ok(created)
}

pub fn replace(
    shared: &Shared,
    org: &mut Org,
    rule: &KindRule,
    id: &str,
    payload: &Payload,
) -> Result<Value, Fail> {
    let (info, file) = parts(payload)?;
    let current = objects::find(org, rule, id)?;
    let blob_id = current
        .get("blobId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if info.get("blobId").and_then(Value::as_str) != Some(blob_id.as_str()) {
        return Err(Fail::bad_request("blobId: invalid value"));
    }
    let updated = objects::update(shared, org, rule, id, info)?;
    org.put_blob(blob_id, STANDARD.encode(&file));
    Ok(updated)
}

/// The `audioFileInfo` object and the `audioFile` bytes of a multipart body.
fn parts(payload: &Payload) -> Result<(Map<String, Value>, Bytes), Fail> {
    let parts = match payload {
        Payload::Multipart(parts) => parts,
        Payload::Unreadable(status, text) => return Err(Fail::new(*status, text.clone())),
        Payload::Bytes(_) => return Err(Fail::bare(StatusCode::INTERNAL_SERVER_ERROR)),
    };
    let info = parts
        .iter()
        .find(|p| p.name == "audioFileInfo")
        .ok_or_else(|| Fail::bad_request("Required part 'audioFileInfo' is not present."))?;
    let json_part = info
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    if !json_part {
        return Err(Fail::bare(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    let info = match serde_json::from_slice::<Value>(&info.bytes) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(Fail::bad_request(
                "Bad payload: Cannot deserialize value: expected a JSON object",
            ));
        }
        Err(e) => {
            return Err(Fail::bad_request(format!(
                "Bad payload: JSON parse error: {e}"
            )));
        }
    };
    let file = parts
        .iter()
        .find(|p| p.name == "audioFile")
        .ok_or_else(|| Fail::bad_request("Required part 'audioFile' is not present."))?;
    Ok((info, file.bytes.clone()))
}

/// The raw bytes of a blob, with no `Content-Type` (§1.11).
pub fn blob(org: &Org, blob_id: &str, tracking: &str) -> Result<Response, Fail> {
    let bytes = org
        .blobs
        .get(blob_id)
        .and_then(|b| STANDARD.decode(b).ok())
        .ok_or_else(|| {
            Fail::new(
                StatusCode::NOT_FOUND,
                format!("blob with id {blob_id} not found"),
            )
        })?;
    let mut response = Response::new(Body::from(bytes));
    if let Ok(v) = HeaderValue::from_str(tracking) {
        response.headers_mut().insert("TrackingId", v);
    }
    Ok(response)
}
