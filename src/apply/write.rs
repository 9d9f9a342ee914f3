//! One change, sent: the request built from the plan (keys resolved to ids, files read and
//! checked), creates retried while a lookup by key shows they did not land, and updates
//! guarded against concurrent writers — re-read just before the write, refused if the
//! object changed since the plan (or this run) read it, sent once, and checked by its new
//! `version` afterwards.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::{Map, Value};

use super::Failure;
use crate::api::{ApiError, Client, Payload, UploadBody};
use crate::catalogue::{DtoSchemas, Kind, UploadParts};
use crate::model::{KeyIndex, content_digest, keys_to_ids, overlay, values_equal};
use crate::plan::{Action, Change};

/// How many times a create is sent while lookups show the earlier attempts did not land.
const CREATE_ATTEMPTS: u32 = 5;
/// How many times an update is sent while re-reads show the earlier attempts did not land.
const UPDATE_ATTEMPTS: u32 = 5;

/// Kinds whose PATCH takes some fields only (a plain partial object): an update that
/// changes nothing else is sent as a PATCH of those fields, the smallest write the API
/// allows. Audio files: `name` and `description` (docs/api-notes.md §3.4); a content
/// change still replaces the whole record with its file.
const PATCHABLE: &[(&str, &[&str])] = &[("audio-file", &["name", "description"])];

/// Whether an update of `change` is sent as a partial PATCH of its changed fields.
pub(super) fn partial(change: &Change) -> bool {
    let kind = change.kind;
    kind.partial_update
        || PATCHABLE.iter().any(|(name, fields)| {
            *name == kind.name && change.fields.keys().all(|f| fields.contains(&f.as_str()))
        })
}

/// The upload parts of a kind, and a file's name and bytes.
type FilePart = (UploadParts, (String, Vec<u8>));

/// What a change will send, or why it cannot be sent.
pub(crate) enum Request {
    Create {
        fields: Map<String, Value>,
        file: Option<FilePart>,
    },
    Update {
        id: String,
        fields: Map<String, Value>,
        file: Option<FilePart>,
        /// Sent as a PATCH of `fields` alone.
        partial: bool,
        /// The object's `version` and `lastUpdatedTime` as last seen (by the plan, or by
        /// an earlier write of this run).
        seen: Seen,
    },
    Delete {
        id: String,
    },
    Impossible(String),
}

/// The `version` and `lastUpdatedTime` an object had when it was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Seen {
    pub version: Option<i64>,
    pub last_updated: Option<i64>,
}

impl Seen {
    pub fn of(body: &Map<String, Value>) -> Seen {
        Seen {
            version: body.get("version").and_then(Value::as_i64),
            last_updated: body.get("lastUpdatedTime").and_then(Value::as_i64),
        }
    }

    fn describe(&self) -> String {
        match (self.version, self.last_updated) {
            (Some(v), _) => format!("version {v}"),
            (None, Some(t)) => format!("last updated {t}"),
            (None, None) => "no version".into(),
        }
    }
}

/// A change that went through.
pub(crate) struct Executed {
    pub id: String,
    /// The object as the API returned it (empty for a delete).
    pub body: Map<String, Value>,
    pub note: Option<String>,
}

/// Builds what `change` sends, from the ids known so far and what this run last wrote.
pub(crate) fn prepare(
    change: &Change,
    index: &KeyIndex,
    written: &HashMap<(&'static str, String), Map<String, Value>>,
) -> Request {
    let kind = change.kind;
    let mut fields = Value::Object(change.fields.clone());
    let missing = keys_to_ids(kind, &mut fields, index);
    if let Some(m) = missing.first() {
        return Request::Impossible(format!(
            "{} does not exist (it was to be created earlier in this run)",
            crate::model::describe_target(m.reference, &m.key)
        ));
    }
    let mut fields = fields.as_object().cloned().unwrap_or_default();
    // An uploading kind sends its file as a part of its own, not as a field.
    let partial = change.action == Action::Update && partial(change);
    let file = match kind.upload {
        Some(parts) if change.action != Action::Delete && !partial => {
            fields.remove(parts.file);
            match read_upload(change, parts.file) {
                Ok(file) => Some((parts, file)),
                Err(why) => return Request::Impossible(why),
            }
        }
        _ => None,
    };
    match change.action {
        Action::Create => Request::Create { fields, file },
        Action::Update => {
            let mine = written.get(&(kind.name, change.key.clone()));
            let id = mine
                .and_then(|b| b.get("id").and_then(Value::as_str).map(str::to_string))
                .or_else(|| change.live_id.clone());
            let seen = match mine {
                Some(body) => Seen::of(body),
                None => Seen {
                    version: change.live_version,
                    last_updated: change.live_last_updated,
                },
            };
            match id {
                Some(id) => Request::Update {
                    id,
                    fields,
                    file,
                    partial,
                    seen,
                },
                None => Request::Impossible(format!(
                    "{} `{}` was not created, so it cannot be updated",
                    kind.name, change.key
                )),
            }
        }
        Action::Delete => match &change.live_id {
            Some(id) => Request::Delete { id: id.clone() },
            None => Request::Impossible("no live id to delete".into()),
        },
    }
}

/// The file an uploading change sends: its name and bytes, checked against the digest the
/// plan was made with so a file edited in between is not sent unseen.
fn read_upload(change: &Change, field: &str) -> Result<(String, Vec<u8>), String> {
    let Some(upload) = change.uploads.iter().find(|u| u.field == field) else {
        return Err(format!(
            "{} `{}` names no file in `{field}`",
            change.kind.name, change.key
        ));
    };
    // The same checks as when the config was loaded: the path may have changed since.
    let cap = change.kind.upload.map(|u| u.max_bytes).unwrap_or(0);
    let bytes = crate::regular_file::read(&upload.path, cap)
        .map_err(|e| format!("cannot read {}: {e}", upload.path.display()))?;
    if content_digest(&bytes) != upload.digest {
        return Err(format!(
            "{} changed after the plan was made; run the plan again",
            upload.path.display()
        ));
    }
    let name = upload
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| change.key.clone());
    Ok((name, bytes))
}

fn upload(parts: UploadParts, info: Map<String, Value>, file: (String, Vec<u8>)) -> UploadBody {
    let (file_name, bytes) = file;
    UploadBody {
        info_part: parts.info,
        info: Value::Object(info),
        file_part: parts.file,
        file_name,
        mime: parts.mime,
        bytes,
    }
}

/// Sends one change. `stop` set means the run is being interrupted: no new attempt starts.
pub(crate) async fn execute(
    client: &Client,
    change: &Change,
    request: Request,
    stop: &Arc<AtomicBool>,
) -> Result<Executed, Failure> {
    match request {
        Request::Impossible(message) => Err(Failure::Blocked(message)),
        Request::Create { fields, file } => create(client, change, fields, file, stop).await,
        Request::Update {
            id,
            fields,
            file,
            partial,
            seen,
        } => {
            let write = Write {
                fields,
                file,
                partial,
            };
            update(client, change, id, write, seen, stop).await
        }
        Request::Delete { id } => match client.delete(change.kind, &id).await {
            Ok(()) => Ok(Executed {
                id,
                body: Map::new(),
                note: None,
            }),
            // Gone already: deleted by someone else since the plan, or by an attempt of
            // ours whose answer was lost before a retry. Either way the object is deleted.
            Err(e) if e.status() == Some(404) => Ok(Executed {
                id,
                body: Map::new(),
                note: Some("the object was already gone".into()),
            }),
            Err(e) => Err(Failure::Api(e)),
        },
    }
}

/// A create. When it fails ambiguously (no answer, 5xx, an unreadable answer) it may have
/// landed before the connection broke: the object is looked up by key, and only when the
/// lookup shows it absent is the create sent again (a bounded number of times, with
/// backoff), so neither a duplicate nor a lost object comes of it.
async fn create(
    client: &Client,
    change: &Change,
    fields: Map<String, Value>,
    file: Option<FilePart>,
    stop: &Arc<AtomicBool>,
) -> Result<Executed, Failure> {
    let kind = change.kind;
    let body = Value::Object(fields.clone());
    let mut lost: Vec<String> = Vec::new();
    for attempt in 1..=CREATE_ATTEMPTS {
        let sent = match &file {
            Some((parts, f)) => {
                client
                    .create_upload(kind, &upload(*parts, fields.clone(), f.clone()))
                    .await
            }
            None => client.create(kind, &body).await,
        };
        let error = match sent {
            Ok(answer) => {
                return Ok(Executed {
                    id: id_of(&answer),
                    body: answer,
                    note: retried_note("created", "creating", &lost),
                });
            }
            Err(e) if e.is_ambiguous() => e,
            Err(e) => return Err(Failure::Api(e)),
        };
        match landed(client, kind, &change.key).await {
            Ok(Some(found)) => {
                return Ok(Executed {
                    id: id_of(&found),
                    body: found,
                    note: Some(format!(
                        "the API answered with an error ({error}), but the object exists"
                    )),
                });
            }
            Ok(None) => lost.push(error.to_string()),
            Err(lookup) => {
                return Err(Failure::Blocked(format!(
                    "the create failed ambiguously ({error}) and the lookup that would tell whether it landed failed too ({lookup}); run `wxcc plan` to see whether it exists"
                )));
            }
        }
        if attempt == CREATE_ATTEMPTS || stop.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(client.backoff(attempt)).await;
    }
    Err(gave_up("creating", &lost, stop))
}

/// The failure of a write every attempt of which failed without landing.
fn gave_up(doing: &str, lost: &[String], stop: &AtomicBool) -> Failure {
    let why = if stop.load(Ordering::SeqCst) {
        "interrupted before it was sent again"
    } else {
        "gave up"
    };
    Failure::Blocked(format!(
        "sent {} time(s), each failed without {doing} it ({}); {why}",
        lost.len(),
        lost.join("; ")
    ))
}

/// The note on a write that landed after earlier attempts did not.
fn retried_note(done: &str, doing: &str, lost: &[String]) -> Option<String> {
    (!lost.is_empty()).then(|| {
        format!(
            "{done} on attempt {}: earlier attempts failed without {doing} it ({})",
            lost.len() + 1,
            lost.join("; ")
        )
    })
}

fn id_of(body: &Map<String, Value>) -> String {
    body.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The object with this key, read whole, when exactly one exists; `None` when none does.
async fn landed(
    client: &Client,
    kind: &'static Kind,
    key: &str,
) -> Result<Option<Map<String, Value>>, String> {
    let mut found = client
        .find_by_key(kind, key)
        .await
        .map_err(|e| e.to_string())?;
    match found.len() {
        0 => Ok(None),
        1 => {
            let row = found.pop().unwrap_or_default();
            // A list row may lack fields (§1.5); later changes build on the whole object.
            if kind.list_omits.is_empty() {
                return Ok(Some(row));
            }
            client
                .get(kind, &id_of(&row))
                .await
                .map(Some)
                .map_err(|e| e.to_string())
        }
        n => Err(format!("{n} objects named `{key}` exist")),
    }
}

/// An update, as small a read-modify-write as the API allows: the object is read just
/// before the write and the write is refused if it changed since it was last seen; the
/// body is the fresh object with the declared fields overlaid (or, for a kind with a
/// partial update, only the declared fields); it is sent once, and an ambiguous failure
/// is settled by reading the object again. A new `version` that skips one means another
/// write landed between the read and ours: reported, never silent.
async fn update(
    client: &Client,
    change: &Change,
    id: String,
    write: Write,
    mut seen: Seen,
    stop: &Arc<AtomicBool>,
) -> Result<Executed, Failure> {
    let kind = change.kind;
    let mut lost: Vec<String> = Vec::new();
    for attempt in 1..=UPDATE_ATTEMPTS {
        let current = client.get(kind, &id).await.map_err(Failure::Api)?;
        let now = Seen::of(&current);
        if changed(seen, now) {
            return Err(conflict(change, seen, now, "nothing was written"));
        }
        seen = now;
        let sent = send_update(client, kind, &id, current, &write).await;
        let error = match sent {
            Ok(answer) => {
                let after = Seen::of(&answer);
                if let (Some(before), Some(after)) = (now.version, after.version)
                    && after != before + 1
                {
                    return Err(Failure::Conflict(format!(
                        "{} `{}` was written, but another write landed between wxcc's read (version {before}) and its write (now version {after}): that change may have been overwritten. Run `wxcc plan` again and check the object",
                        kind.name, change.key
                    )));
                }
                return Ok(Executed {
                    id,
                    body: answer,
                    note: retried_note("updated", "updating", &lost),
                });
            }
            Err(e) if is_stale(&e) => {
                let after = client
                    .get(kind, &id)
                    .await
                    .map(|b| Seen::of(&b))
                    .unwrap_or_default();
                return Err(conflict(change, now, after, "the API refused the write"));
            }
            Err(e) if e.is_ambiguous() => e,
            Err(e) => return Err(Failure::Api(e)),
        };
        // Did it land? Read again: an unchanged version means it did not.
        let again = client.get(kind, &id).await.map_err(Failure::Api)?;
        let after = Seen::of(&again);
        if !changed(now, after) {
            lost.push(error.to_string());
            if attempt == UPDATE_ATTEMPTS || stop.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(client.backoff(attempt)).await;
            continue;
        }
        let next = now.version.map(|v| v + 1);
        if after.version.is_some() && after.version == next && shows(&again, &write.fields) {
            return Ok(Executed {
                id,
                body: again,
                note: Some(format!(
                    "the API answered with an error ({error}), but the update is in place"
                )),
            });
        }
        return Err(conflict(
            change,
            now,
            after,
            &format!("the write's answer was lost ({error}) and the object does not show it"),
        ));
    }
    Err(gave_up("updating", &lost, stop))
}

/// Whether an object read as `now` differs from what was seen before (by `version`, and
/// by `lastUpdatedTime`, when the object has them).
fn changed(seen: Seen, now: Seen) -> bool {
    let differs = |a: Option<i64>, b: Option<i64>| matches!((a, b), (Some(a), Some(b)) if a != b);
    differs(seen.version, now.version) || differs(seen.last_updated, now.last_updated)
}

/// Whether no declared top-level scalar field contradicts `object` (lists and nested
/// objects are merged with live content and reordered by the server, so they are not
/// compared).
fn shows(object: &Map<String, Value>, fields: &Map<String, Value>) -> bool {
    fields
        .iter()
        .filter(|(_, v)| !v.is_object() && !v.is_array())
        .all(|(k, v)| object.get(k).is_some_and(|o| values_equal(o, v)))
}

/// 412 on a write without referencing kinds: the API refused a stale `version`.
fn is_stale(e: &ApiError) -> bool {
    matches!(e, ApiError::Status { status: 412, referenced_by, .. } if referenced_by.is_empty())
}

fn conflict(change: &Change, seen: Seen, now: Seen, what: &str) -> Failure {
    Failure::Conflict(format!(
        "{} `{}` was changed by someone else since wxcc read it ({} → {}); {what}, so that change is not overwritten. Run `wxcc plan` again to see it, then apply",
        change.kind.name,
        change.key,
        seen.describe(),
        now.describe()
    ))
}

/// What an update writes.
struct Write {
    /// The changed fields, ids resolved.
    fields: Map<String, Value>,
    /// The file an uploading kind sends again.
    file: Option<FilePart>,
    partial: bool,
}

/// One write of an update: PATCH with only the changed fields when the kind takes it,
/// else PUT of the fresh object with the changed fields overlaid, cut to the fields the
/// request DTO declares (as multipart with its file for an uploading kind, which keeps
/// the record's own blobId, §3.4).
async fn send_update(
    client: &Client,
    kind: &'static Kind,
    id: &str,
    mut body: Map<String, Value>,
    write: &Write,
) -> Result<Map<String, Value>, ApiError> {
    if write.partial {
        let partial = Value::Object(write.fields.clone());
        return client
            .write_once(Method::PATCH, kind, id, Payload::Json(&partial))
            .await;
    }
    overlay(kind, &mut body, &write.fields);
    DtoSchemas::get().retain_declared(kind.dto, &mut body);
    match &write.file {
        Some((parts, f)) => {
            body.remove(parts.file);
            let form = upload(*parts, body, f.clone());
            client
                .write_once(Method::PUT, kind, id, Payload::Upload(&form))
                .await
        }
        None => {
            let body = Value::Object(body);
            client
                .write_once(Method::PUT, kind, id, Payload::Json(&body))
                .await
        }
    }
}
