//! The requests an apply sends for a plan, listed before it runs: the one place that knows
//! what `write` and `bulk` send per change, so the plan's request budget (and anything else
//! that needs the count) follows when the way changes are written changes. Retries after
//! ambiguous failures, `Retry-After` pauses and extra list pages are not foreseeable and
//! are not listed.

use std::collections::HashSet;

use reqwest::Method;

use super::bulk::{eligible, has_referenced_entries, route};
use super::step_len;
use super::write::partial;
use crate::api::IDS_PER_FILTERED_READ;
use crate::plan::{Action, Change, Plan};

/// One request an apply will send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    pub method: Method,
    pub kind: &'static str,
    /// The object's key; for a bulk request, the first object of its chunk.
    pub key: String,
    /// Why it is sent.
    pub purpose: &'static str,
}

/// Every request applying `plan` with bulk chunks of `bulk_chunk` objects (0: single calls)
/// sends when each answers at the first attempt, step by step as `apply` runs them: a
/// step's bulk chunks, then its single calls.
pub fn requests(plan: &Plan, bulk_chunk: usize) -> Vec<PlannedRequest> {
    let mut out = Vec::new();
    // Objects written earlier in the run: their later updates go singly (`bulk::eligible`).
    let mut written: HashSet<(&'static str, &str)> = HashSet::new();
    let mut rest = plan.changes.as_slice();
    while !rest.is_empty() {
        let (step, after) = rest.split_at(step_len(rest));
        rest = after;
        let (bulk, single): (Vec<&Change>, Vec<&Change>) = step.iter().partition(|c| {
            bulk_chunk > 0 && eligible(c, written.contains(&(c.kind.name, c.key.as_str())))
        });
        for chunk in bulk.chunks(bulk_chunk.max(1)) {
            out.extend(for_chunk(chunk));
        }
        out.extend(single.into_iter().flat_map(for_change));
        for c in step.iter().filter(|c| c.action != Action::Delete) {
            written.insert((c.kind.name, c.key.as_str()));
        }
    }
    out
}

/// What `bulk::send_chunk` sends for one chunk: updates are guarded by a list read of
/// their ids before and checked by one after (a read per [`IDS_PER_FILTERED_READ`] ids);
/// a created object whose keyed-list entries others point at is read back.
fn for_chunk(chunk: &[&Change]) -> Vec<PlannedRequest> {
    let Some(first) = chunk.first() else {
        return Vec::new();
    };
    let Some((method, _)) = route(first.kind, first.action) else {
        return chunk.iter().flat_map(|c| for_change(c)).collect();
    };
    let one = |method: Method, key: &str, purpose: &'static str| PlannedRequest {
        method,
        kind: first.kind.name,
        key: key.to_string(),
        purpose,
    };
    let write = one(method, &first.key, "bulk write");
    match first.action {
        Action::Create => std::iter::once(write)
            .chain(
                chunk
                    .iter()
                    .filter(|c| has_referenced_entries(c.kind, &c.fields))
                    .map(|c| one(Method::GET, &c.key, "read back its entries' ids")),
            )
            .collect(),
        Action::Update => {
            // The guard and the check each read the chunk's ids, that many per read.
            let reads = chunk.len().div_ceil(IDS_PER_FILTERED_READ);
            let before = (0..reads).map(|_| one(Method::GET, &first.key, "list before writing"));
            let after =
                (0..reads).map(|_| one(Method::GET, &first.key, "list to check the new versions"));
            before.chain(std::iter::once(write)).chain(after).collect()
        }
        Action::Delete => vec![write],
    }
}

/// What `write::execute` sends for one change: a create is one POST (multipart for an
/// uploading kind); an update re-reads the object just before it writes (the guard
/// against concurrent writers) and then sends one PUT, or a PATCH when the kind or the
/// changed fields allow one; a delete is one DELETE.
fn for_change(change: &Change) -> Vec<PlannedRequest> {
    let one = |method: Method, purpose: &'static str| PlannedRequest {
        method,
        kind: change.kind.name,
        key: change.key.clone(),
        purpose,
    };
    match change.action {
        Action::Create => vec![one(Method::POST, "create")],
        Action::Update => {
            let write = if partial(change) {
                one(Method::PATCH, "update the changed fields")
            } else {
                one(Method::PUT, "update the whole object")
            };
            vec![one(Method::GET, "re-read before writing"), write]
        }
        Action::Delete => vec![one(Method::DELETE, "delete")],
    }
}
