//! Executes a plan against the API in plan order. Changes of the same kind and step run
//! concurrently (as many at once as the client sends). A change that fails does not stop
//! the run: the changes that need it (see `deps`) are skipped with the reason, and every
//! other change goes ahead. Each result is reported as it completes. When the run is told
//! to stop (a signal), no new change starts, the ones in flight finish, and the rest are
//! reported as not attempted. Ids of objects created earlier in the run feed the
//! references of later ones. Where the kind has a bulk route for the step's operation
//! (`bulk`), the step's changes go in chunks, a request each, as many chunks at once as
//! the client sends.

mod bulk;
mod deps;
pub mod journal;
mod requests;
pub mod undo;
mod write;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};
use tokio::task::JoinSet;

use crate::api::{ApiError, Client};
use crate::model::{KeyIndex, Live};
use crate::plan::order::Object;
use crate::plan::{Action, Change, Plan};
pub use requests::{PlannedRequest, requests};
pub use write::Seen;
use write::{Executed, Request, execute, prepare};

pub use bulk::DEFAULT_CHUNK as DEFAULT_BULK_CHUNK;

/// What happened to one change.
#[derive(Debug)]
pub enum Outcome {
    Done {
        id: String,
        note: Option<String>,
        /// The object's `version` and `lastUpdatedTime` after the write (none for a delete).
        after: Seen,
    },
    Failed(Failure),
    /// Not sent, because a change it needs failed or was skipped (the reason says which).
    Skipped(String),
    /// Not started: the run was interrupted first.
    NotAttempted,
}

/// Why a change failed.
#[derive(Debug)]
pub enum Failure {
    /// The API refused it or did not answer.
    Api(ApiError),
    /// It could not be sent, or could not be settled.
    Blocked(String),
    /// Someone else changed the object since it was read; it was not overwritten (or, if
    /// the other write slipped in between wxcc's read and its write, that is said).
    Conflict(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Api(e) => e.fmt(f),
            Failure::Blocked(why) | Failure::Conflict(why) => f.write_str(why),
        }
    }
}

/// The result of an apply, change by change in plan order.
#[derive(Debug)]
pub struct ApplyReport {
    pub outcomes: Vec<(Change, Outcome)>,
    /// The run was told to stop before it finished.
    pub interrupted: bool,
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

/// Applies `plan`, calling `on_outcome` with its index in the plan as each change completes. Setting `stop` stops
/// the run from starting anything new. `bulk_chunk` is the most items one bulk request
/// carries; 0 sends every write as a single call.
pub async fn apply(
    plan: &Plan,
    live: &Live,
    client: &Client,
    bulk_chunk: usize,
    stop: Arc<AtomicBool>,
    on_outcome: &mut dyn FnMut(usize, &Change, &Outcome),
) -> ApplyReport {
    let needs = deps::needs(&plan.changes);
    let mut index = KeyIndex::from_live(live);
    let mut written: HashMap<(&'static str, String), Map<String, Value>> = HashMap::new();
    // Objects with a change that failed or was skipped, and how to name why.
    let mut broken: HashMap<Object, String> = HashMap::new();
    let mut outcomes: Vec<Option<Outcome>> = plan.changes.iter().map(|_| None).collect();
    let width = client.parallelism();
    let mut i = 0;
    while i < plan.changes.len() {
        let first = &plan.changes[i];
        let step_end = i + step_len(&plan.changes[i..]);
        let mut waiting: VecDeque<usize> = (i..step_end).collect();
        i = step_end;
        if bulk_chunk > 0 && first.kind.bulk.is_some() {
            let mut chunks: Vec<Vec<bulk::Item>> = Vec::new();
            let mut single = VecDeque::new();
            for n in waiting.drain(..) {
                let change = &plan.changes[n];
                if let Some(why) = blocked_by(&needs[n], &broken) {
                    let skipped = Outcome::Skipped(why);
                    outcomes[n] = Some(finish(n, change, skipped, &mut broken, on_outcome));
                    continue;
                }
                let before = written.contains_key(&(change.kind.name, change.key.clone()));
                let request = prepare(change, &index, &written);
                if matches!(request, Request::Impossible(_)) || !bulk::eligible(change, before) {
                    single.push_back(n);
                    continue;
                }
                if chunks.last().is_none_or(|c| c.len() >= bulk_chunk) {
                    chunks.push(Vec::new());
                }
                if let Some(chunk) = chunks.last_mut() {
                    chunk.push(bulk::Item {
                        n,
                        change: change.clone(),
                        request,
                    });
                }
            }
            waiting = single;
            let mut chunks = chunks.into_iter();
            let mut tasks = JoinSet::new();
            loop {
                while tasks.len() < width && !stop.load(Ordering::SeqCst) {
                    let Some(chunk) = chunks.next() else { break };
                    let client = client.clone();
                    let stop = stop.clone();
                    tasks.spawn(async move { bulk::send_chunk(&client, chunk, &stop).await });
                }
                let Some(joined) = tasks.join_next().await else {
                    break;
                };
                let settled = match joined {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::error!("apply worker failed: {e}");
                        continue;
                    }
                };
                for (n, result) in settled {
                    let change = &plan.changes[n];
                    let outcome = conclude(change, result, &mut index, &mut written);
                    outcomes[n] = Some(finish(n, change, outcome, &mut broken, on_outcome));
                }
            }
        }
        let mut tasks = JoinSet::new();
        loop {
            while tasks.len() < width && !stop.load(Ordering::SeqCst) {
                let Some(n) = waiting.pop_front() else { break };
                let change = &plan.changes[n];
                if let Some(why) = blocked_by(&needs[n], &broken) {
                    let skipped = Outcome::Skipped(why);
                    outcomes[n] = Some(finish(n, change, skipped, &mut broken, on_outcome));
                    continue;
                }
                let request = prepare(change, &index, &written);
                let client = client.clone();
                let change = change.clone();
                let stop = stop.clone();
                tasks.spawn(async move { (n, execute(&client, &change, request, &stop).await) });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let (n, result) = match joined {
                Ok(r) => r,
                Err(e) => {
                    // A worker that panicked or was cancelled: its change's fate is
                    // unknown, and the report cannot say which it was.
                    tracing::error!("apply worker failed: {e}");
                    continue;
                }
            };
            let change = &plan.changes[n];
            let outcome = conclude(change, result, &mut index, &mut written);
            outcomes[n] = Some(finish(n, change, outcome, &mut broken, on_outcome));
        }
    }
    let interrupted = stop.load(Ordering::SeqCst);
    let outcomes = plan
        .changes
        .iter()
        .zip(outcomes)
        .map(|(c, o)| {
            let outcome = o.unwrap_or_else(|| {
                if interrupted {
                    Outcome::NotAttempted
                } else {
                    Outcome::Failed(Failure::Blocked(
                        "its worker stopped without a result; run `wxcc plan` to see whether it happened"
                            .into(),
                    ))
                }
            });
            (c.clone(), outcome)
        })
        .collect();
    ApplyReport {
        outcomes,
        interrupted,
    }
}

/// Settles the outcome of change `n` of the plan and hands it to the caller.
fn finish(
    n: usize,
    change: &Change,
    outcome: Outcome,
    broken: &mut HashMap<Object, String>,
    on_outcome: &mut dyn FnMut(usize, &Change, &Outcome),
) -> Outcome {
    settle(change, &outcome, broken);
    on_outcome(n, change, &outcome);
    outcome
}

/// The outcome of a change that was sent, fed into what later changes build on.
fn conclude(
    change: &Change,
    result: Result<Executed, Failure>,
    index: &mut KeyIndex,
    written: &mut HashMap<(&'static str, String), Map<String, Value>>,
) -> Outcome {
    match result {
        Ok(done) => {
            record(change, &done, index, written);
            Outcome::Done {
                after: Seen::of(&done.body),
                id: done.id,
                note: done.note,
            }
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// How many changes from the start of `changes` make one step: the same kind, action and
/// pass (a step's writes go out together, in bulk chunks where the kind has them).
pub(crate) fn step_len(changes: &[Change]) -> usize {
    let Some(first) = changes.first() else {
        return 0;
    };
    changes
        .iter()
        .position(|c| {
            c.kind.name != first.kind.name || c.action != first.action || c.pass != first.pass
        })
        .unwrap_or(changes.len())
}

/// Why a change must be skipped: the first object it needs whose change failed.
fn blocked_by(needs: &[Object], broken: &HashMap<Object, String>) -> Option<String> {
    needs.iter().find_map(|o| {
        broken
            .get(o)
            .map(|why| format!("it needs {} `{}`, {why}", o.0, o.1))
    })
}

/// Marks the object of a change that did not go through, so what needs it is skipped.
fn settle(change: &Change, outcome: &Outcome, broken: &mut HashMap<Object, String>) {
    let why = match outcome {
        Outcome::Failed(_) => format!("whose {} failed", change.action.word()),
        Outcome::Skipped(_) => format!("whose {} was skipped", change.action.word()),
        Outcome::Done { .. } | Outcome::NotAttempted => return,
    };
    broken
        .entry((change.kind.name, change.key.clone()))
        .or_insert(why);
}

/// Feeds a completed change into what later changes build on: the id of a created
/// object, the entries of its keyed lists, and the object as last written.
fn record(
    change: &Change,
    done: &Executed,
    index: &mut KeyIndex,
    written: &mut HashMap<(&'static str, String), Map<String, Value>>,
) {
    let at = (change.kind.name, change.key.clone());
    if change.action == Action::Delete {
        written.remove(&at);
        return;
    }
    index.set(change.kind.name, &change.key, &done.id);
    index.record(change.kind, &change.key, &done.body);
    written.insert(at, done.body.clone());
}
