//! The requests an apply sends for a plan, listed before it runs: the one place that knows
//! what `write` sends per change, so the plan's request budget (and anything else that
//! needs the count) follows when the way changes are written changes. Retries after
//! ambiguous failures and `Retry-After` pauses are not foreseeable and are not listed.

use reqwest::Method;

use super::write::partial;
use crate::plan::{Action, Change, Plan};

/// One request an apply will send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    pub method: Method,
    pub kind: &'static str,
    pub key: String,
    /// Why it is sent.
    pub purpose: &'static str,
}

/// Every request applying `plan` sends when each answers at the first attempt, in order.
pub fn requests(plan: &Plan) -> Vec<PlannedRequest> {
    plan.changes.iter().flat_map(for_change).collect()
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
