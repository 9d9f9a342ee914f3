//! Executes a plan against the API in plan order. Changes of the same kind and step run
//! concurrently (the client bounds how many); the run stops after the first step with a
//! failure, and the report says exactly what was done, what failed and what was not
//! attempted. Ids of objects created earlier in the run feed the references of later ones.

use std::collections::HashMap;

use serde_json::{Map, Value};
use tokio::task::JoinSet;

use crate::api::{ApiError, Client, UploadBody};
use crate::catalogue::{DtoSchemas, Kind, UploadParts};
use crate::model::{KeyIndex, Live, content_digest, keys_to_ids, overlay};
use crate::plan::{Action, Change, Plan};

/// What happened to one change.
#[derive(Debug)]
pub enum Outcome {
    Done { id: String, note: Option<String> },
    Failed(Failure),
    NotAttempted,
}

/// Why a change failed.
#[derive(Debug)]
pub enum Failure {
    /// The API refused it or did not answer.
    Api(ApiError),
    /// It could not be sent: something it depends on did not happen.
    Blocked(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Api(e) => e.fmt(f),
            Failure::Blocked(why) => f.write_str(why),
        }
    }
}

/// The result of an apply, change by change in plan order.
#[derive(Debug)]
pub struct ApplyReport {
    pub outcomes: Vec<(Change, Outcome)>,
}

impl ApplyReport {
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }

    pub fn succeeded(&self) -> bool {
        self.outcomes
            .iter()
            .all(|(_, o)| matches!(o, Outcome::Done { .. }))
    }
}

/// Applies `plan`, calling `on_outcome` as each change finishes.
pub async fn apply(
    plan: &Plan,
    live: &Live,
    client: &Client,
    on_outcome: &mut dyn FnMut(&Change, &Outcome),
) -> ApplyReport {
    let mut index = KeyIndex::from_live(live);
    let mut objects: HashMap<(&'static str, String), Map<String, Value>> = HashMap::new();
    let mut outcomes: Vec<(Change, Outcome)> = Vec::new();
    let mut stopped = false;
    let mut i = 0;
    while i < plan.changes.len() {
        let first = &plan.changes[i];
        let step_end = plan.changes[i..]
            .iter()
            .position(|c| {
                c.kind.name != first.kind.name || c.action != first.action || c.pass != first.pass
            })
            .map(|n| i + n)
            .unwrap_or(plan.changes.len());
        let step = &plan.changes[i..step_end];
        i = step_end;
        if stopped {
            outcomes.extend(step.iter().map(|c| (c.clone(), Outcome::NotAttempted)));
            continue;
        }
        let mut tasks = JoinSet::new();
        for (n, change) in step.iter().enumerate() {
            let request = prepare(change, &index, &objects);
            let client = client.clone();
            let change = change.clone();
            tasks.spawn(async move { (n, execute(&client, &change, request).await) });
        }
        let mut results: Vec<Option<Result<Executed, Failure>>> =
            (0..step.len()).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((n, result)) => results[n] = Some(result),
                Err(e) => {
                    stopped = true;
                    tracing::error!("apply worker failed: {e}");
                }
            }
        }
        for (change, result) in step.iter().zip(results) {
            let outcome = match result {
                Some(Ok(done)) => {
                    if let Some(body) = done.body {
                        if change.action == Action::Delete {
                            objects.remove(&(change.kind.name, change.key.clone()));
                        } else {
                            index.set(change.kind.name, &change.key, &done.id);
                            index.record(change.kind, &change.key, &body);
                            objects.insert((change.kind.name, change.key.clone()), body);
                        }
                    }
                    Outcome::Done {
                        id: done.id,
                        note: done.note,
                    }
                }
                Some(Err(e)) => {
                    stopped = true;
                    Outcome::Failed(e)
                }
                None => {
                    stopped = true;
                    Outcome::NotAttempted
                }
            };
            on_outcome(change, &outcome);
            outcomes.push((change.clone(), outcome));
        }
    }
    ApplyReport { outcomes }
}

/// A request body ready to send, or the reason it cannot be built.
/// The upload parts of a kind, and a file's name and bytes.
type FilePart = (UploadParts, (String, Vec<u8>));

enum Request {
    Create(Value),
    Update {
        id: String,
        body: Value,
    },
    CreateUpload(UploadBody),
    UpdateUpload {
        id: String,
        body: UploadBody,
    },
    /// A partial update: only the changed fields (users).
    Patch {
        id: String,
        body: Value,
    },
    /// An update whose object was read from a list that leaves fields out: read it whole
    /// first, so the update does not drop what the list did not show.
    ReadThenUpdate {
        id: String,
        fields: Map<String, Value>,
        file: Option<FilePart>,
    },
    Delete {
        id: String,
    },
    Impossible(String),
}

struct Executed {
    id: String,
    body: Option<Map<String, Value>>,
    note: Option<String>,
}

fn prepare(
    change: &Change,
    index: &KeyIndex,
    objects: &HashMap<(&'static str, String), Map<String, Value>>,
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
    let file = match kind.upload {
        Some(parts) => {
            fields.remove(parts.file);
            match read_upload(change, parts.file) {
                Ok(file) => Some((parts, file)),
                Err(why) => return Request::Impossible(why),
            }
        }
        None => None,
    };
    match change.action {
        Action::Create => match file {
            Some((parts, (file_name, bytes))) => Request::CreateUpload(UploadBody {
                info_part: parts.info,
                info: Value::Object(fields),
                file_part: parts.file,
                file_name,
                mime: parts.mime,
                bytes,
            }),
            None => Request::Create(Value::Object(fields)),
        },
        Action::Update if kind.partial_update => match &change.live_id {
            Some(id) => Request::Patch {
                id: id.clone(),
                body: Value::Object(fields),
            },
            None => Request::Impossible(format!("{} `{}` has no id", kind.name, change.key)),
        },
        Action::Update => {
            // The base to overlay on: the object as this run created or last wrote it, or
            // as read when planning if that read was whole; otherwise it is read first.
            let current = objects
                .get(&(kind.name, change.key.clone()))
                .or(change.live.as_ref().filter(|_| change.live_complete));
            match (current, &change.live_id) {
                (Some(current), _) => {
                    let id = current
                        .get("id")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| change.live_id.clone());
                    match id {
                        Some(id) => update_request(kind, id, current.clone(), &fields, file),
                        None => {
                            Request::Impossible(format!("{} `{}` has no id", kind.name, change.key))
                        }
                    }
                }
                (None, Some(id)) => Request::ReadThenUpdate {
                    id: id.clone(),
                    fields,
                    file,
                },
                (None, None) => Request::Impossible(format!(
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

/// An update: the declared fields overlaid on the whole object, sent as JSON or, for an
/// uploading kind, as a multipart replace with its file.
fn update_request(
    kind: &'static Kind,
    id: String,
    mut body: Map<String, Value>,
    fields: &Map<String, Value>,
    file: Option<FilePart>,
) -> Request {
    overlay(kind, &mut body, fields);
    DtoSchemas::get().retain_declared(kind.dto, &mut body);
    match file {
        Some((parts, (file_name, bytes))) => {
            // The replaced content keeps the record's own blobId (§3.4); it is in the live
            // object the body starts from.
            body.remove(parts.file);
            Request::UpdateUpload {
                id,
                body: UploadBody {
                    info_part: parts.info,
                    info: Value::Object(body),
                    file_part: parts.file,
                    file_name,
                    mime: parts.mime,
                    bytes,
                },
            }
        }
        None => Request::Update {
            id,
            body: Value::Object(body),
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

async fn execute(client: &Client, change: &Change, request: Request) -> Result<Executed, Failure> {
    let kind = change.kind;
    let request = match request {
        Request::ReadThenUpdate { id, fields, file } => {
            let whole = client.get(kind, &id).await.map_err(Failure::Api)?;
            update_request(kind, id, whole, &fields, file)
        }
        other => other,
    };
    let written = match request {
        Request::Impossible(message) => return Err(Failure::Blocked(message)),
        Request::Create(body) => {
            return created(client, change, client.create(kind, &body).await).await;
        }
        Request::CreateUpload(body) => {
            return created(client, change, client.create_upload(kind, &body).await).await;
        }
        Request::Update { id, body } => client.update(kind, &id, &body).await.map(|b| (id, b)),
        Request::UpdateUpload { id, body } => client
            .update_upload(kind, &id, &body)
            .await
            .map(|b| (id, b)),
        Request::Patch { id, body } => client.patch(kind, &id, &body).await.map(|b| (id, b)),
        Request::Delete { id } => match client.delete(kind, &id).await {
            Ok(()) => Ok((id, Map::new())),
            // Gone already: deleted by someone else since the plan, or by an attempt of
            // ours whose answer was lost before a retry. Either way the object is deleted.
            Err(e) if e.status() == Some(404) => {
                return Ok(Executed {
                    id,
                    body: Some(Map::new()),
                    note: Some("the object was already gone".into()),
                });
            }
            Err(e) => Err(e),
        },
        Request::ReadThenUpdate { .. } => {
            return Err(Failure::Blocked("the update could not be prepared".into()));
        }
    };
    let (id, body) = written.map_err(Failure::Api)?;
    Ok(Executed {
        id,
        body: Some(body),
        note: None,
    })
}

/// The outcome of a create. If it failed ambiguously (no answer, or 5xx), the create may
/// have landed before the connection broke: look before reporting failure, so a re-run
/// does not make a duplicate.
async fn created(
    client: &Client,
    change: &Change,
    result: Result<Map<String, Value>, ApiError>,
) -> Result<Executed, Failure> {
    let e = match result {
        Ok(body) => {
            let id = body
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            return Ok(Executed {
                id,
                body: Some(body),
                note: None,
            });
        }
        Err(e) if e.is_ambiguous() => e,
        Err(e) => return Err(Failure::Api(e)),
    };
    match client.find_by_key(change.kind, &change.key).await {
        Ok(found) if found.len() == 1 => {
            let row = found.into_iter().next().unwrap_or_default();
            let id = row
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            // A list row may lack fields (§1.5); later steps build on the whole object.
            let body = if change.kind.list_omits.is_empty() {
                row
            } else {
                client.get(change.kind, &id).await.unwrap_or(row)
            };
            Ok(Executed {
                id,
                body: Some(body),
                note: Some(format!(
                    "the API answered with an error ({e}), but the object exists"
                )),
            })
        }
        _ => Err(Failure::Api(e)),
    }
}
