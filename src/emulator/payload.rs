//! What a request carries: bytes (JSON for every kind but audio files) or the parts of a
//! `multipart/form-data` body (audio files, §3.4), read before the state is locked; how a
//! JSON endpoint parses it; and how the request log records it.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use serde_json::{Map, Value, json};

use super::http::Fail;

/// One part of a multipart body.
pub struct Part {
    pub name: String,
    pub content_type: Option<String>,
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

pub enum Payload {
    Bytes(Bytes),
    Multipart(Vec<Part>),
    /// A body that could not be read (too large, a broken multipart form).
    Unreadable(StatusCode, String),
}

impl Payload {
    /// Reads the whole body of `request`.
    pub async fn read(request: Request) -> Payload {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
        if !multipart {
            return match Bytes::from_request(request, &()).await {
                Ok(bytes) => Payload::Bytes(bytes),
                Err(e) => Payload::Unreadable(e.status(), e.body_text()),
            };
        }
        let mut form = match Multipart::from_request(request, &()).await {
            Ok(m) => m,
            Err(e) => return Payload::Unreadable(e.status(), e.body_text()),
        };
        let mut parts = Vec::new();
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_string();
                    let content_type = field.content_type().map(str::to_string);
                    let file_name = field.file_name().map(str::to_string);
                    match field.bytes().await {
                        Ok(bytes) => parts.push(Part {
                            name,
                            content_type,
                            file_name,
                            bytes,
                        }),
                        Err(e) => return Payload::Unreadable(e.status(), e.body_text()),
                    }
                }
                Ok(None) => return Payload::Multipart(parts),
                Err(e) => return Payload::Unreadable(e.status(), e.body_text()),
            }
        }
    }

    /// The body of a JSON endpoint. A multipart body is Spring's 415.
    pub fn json(&self) -> Result<Value, Fail> {
        match self {
            Payload::Bytes(bytes) => serde_json::from_slice::<Value>(bytes)
                .map_err(|e| Fail::bad_request(format!("Bad payload: JSON parse error: {e}"))),
            Payload::Multipart(_) => Err(Fail::bare(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
            Payload::Unreadable(status, text) => Err(Fail::new(*status, text.clone())),
        }
    }

    /// The body of a JSON endpoint that takes an object.
    pub fn json_object(&self) -> Result<Map<String, Value>, Fail> {
        match self.json()? {
            Value::Object(m) => Ok(m),
            _ => Err(Fail::bad_request(
                "Bad payload: Cannot deserialize value: expected a JSON object",
            )),
        }
    }

    /// The body as the request log records it: JSON as sent; multipart as
    /// `{"<part>": <JSON part>, "<file part>": "<N bytes>"}`.
    pub fn logged(&self) -> Option<Value> {
        match self {
            Payload::Bytes(bytes) => serde_json::from_slice::<Value>(bytes).ok(),
            Payload::Multipart(parts) => {
                let mut logged = Map::new();
                for part in parts {
                    let value = if part.file_name.is_some() || part.name == "audioFile" {
                        json!(format!("<{} bytes>", part.bytes.len()))
                    } else {
                        serde_json::from_slice::<Value>(&part.bytes).unwrap_or_else(|_| {
                            json!(String::from_utf8_lossy(&part.bytes).into_owned())
                        })
                    };
                    logged.insert(part.name.clone(), value);
                }
                Some(Value::Object(logged))
            }
            Payload::Unreadable(..) => None,
        }
    }
}
