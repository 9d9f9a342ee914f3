//! Executes a plan against the API in plan order. Changes of the same kind and step run
//! concurrently (the client bounds how many); the run stops after the first step with a
//! failure, and the report says exactly what was done, what failed and what was not
//! attempted. Ids of objects created earlier in the run feed the references of later ones.

use std::collections::HashMap;

use serde_json::{Map, Value};
use tokio::task::JoinSet;

use crate::api::{ApiError, Client};
use crate::model::{KeyIndex, Live, keys_to_ids, overlay};
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
                c.kind.name != first.kind.name
                    || c.action != first.action
                    || c.second_pass != first.second_pass
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
enum Request {
    Create(Value),
    Update { id: String, body: Value },
    Delete { id: String },
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
            "{} `{}` does not exist (it was to be created earlier in this run)",
            m.target, m.key
        ));
    }
    let fields = fields.as_object().cloned().unwrap_or_default();
    match change.action {
        Action::Create => Request::Create(Value::Object(fields)),
        Action::Update => {
            let current = objects
                .get(&(kind.name, change.key.clone()))
                .or(change.live.as_ref());
            let Some(current) = current else {
                return Request::Impossible(format!(
                    "{} `{}` was not created, so it cannot be updated",
                    kind.name, change.key
                ));
            };
            let id = current
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| change.live_id.clone());
            let Some(id) = id else {
                return Request::Impossible(format!("{} `{}` has no id", kind.name, change.key));
            };
            let mut body = current.clone();
            overlay(kind, &mut body, &fields);
            Request::Update {
                id,
                body: Value::Object(body),
            }
        }
        Action::Delete => match &change.live_id {
            Some(id) => Request::Delete { id: id.clone() },
            None => Request::Impossible("no live id to delete".into()),
        },
    }
}

async fn execute(client: &Client, change: &Change, request: Request) -> Result<Executed, Failure> {
    let kind = change.kind;
    match request {
        Request::Impossible(message) => Err(Failure::Blocked(message)),
        Request::Create(body) => match client.create(kind, &body).await {
            Ok(created) => {
                let id = created
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                Ok(Executed {
                    id,
                    body: Some(created),
                    note: None,
                })
            }
            Err(e) if e.is_ambiguous() => {
                // The create may have landed before the connection broke: look before
                // reporting failure, so a re-run does not make a duplicate.
                match client.find_by_key(kind, &change.key).await {
                    Ok(found) if found.len() == 1 => {
                        let created = found.into_iter().next().unwrap_or_default();
                        let id = created
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        Ok(Executed {
                            id,
                            body: Some(created),
                            note: Some(format!(
                                "the API answered with an error ({e}), but the object exists"
                            )),
                        })
                    }
                    _ => Err(Failure::Api(e)),
                }
            }
            Err(e) => Err(Failure::Api(e)),
        },
        Request::Update { id, body } => {
            let updated = client
                .update(kind, &id, &body)
                .await
                .map_err(Failure::Api)?;
            Ok(Executed {
                id,
                body: Some(updated),
                note: None,
            })
        }
        Request::Delete { id } => {
            client.delete(kind, &id).await.map_err(Failure::Api)?;
            Ok(Executed {
                id,
                body: Some(Map::new()),
                note: None,
            })
        }
    }
}
