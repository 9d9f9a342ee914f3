//! The bulk routes (§1.8): `POST <kind>/bulk` (SAVE creates, or where the kind allows it
//! updates; DELETE deletes the object it is given whole), `PATCH <kind>/bulk` (SAVE items
//! carrying an id, merged into the stored object), and the unprefixed `user-profile/bulk`
//! that answers but refuses every item. Always 207 with one result per item, references
//! checked per item; empty `items` is a no-op; more items than the emulator's limit is
//! refused whole with 400. Item faults (`faults::Fault::item_contains`) fail single items.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Shared;
use super::faults;
use super::http::Fail;
use super::objects;
use super::rules::{Bulk, KindRule};
use super::store::Org;

/// Which bulk route a request came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `POST <kind>/bulk` (or its `v2`/`v3` variant).
    Save,
    /// `PATCH <kind>/bulk`.
    Patch,
    /// The unprefixed `user-profile/bulk`: every item 400s (§1.8).
    Decommissioned,
}

/// A bulk request as routed.
pub struct Request {
    pub rule: &'static KindRule,
    pub mode: Mode,
    /// The most items one request may carry.
    pub max_items: usize,
}

/// Carries out a bulk request: the 207 body and whether anything changed. Refused whole
/// (nothing carried out) when it holds more items than allowed.
pub fn run(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    request: &Request,
    body: &Map<String, Value>,
) -> Result<(Value, bool), Fail> {
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if items.len() > request.max_items {
        return Err(Fail::bad_request(format!(
            "Bulk request can have at most {} items, found {}",
            request.max_items,
            items.len()
        )));
    }
    let method = if request.mode == Mode::Patch {
        "PATCH"
    } else {
        "POST"
    };
    let path = format!("/organization/{org_id}/{}/bulk", request.rule.name);
    let mut results = Vec::new();
    let mut applied = false;
    for entry in items {
        let identifier = entry.get("itemIdentifier").cloned().unwrap_or(Value::Null);
        let item_text = entry.get("item").map(Value::to_string).unwrap_or_default();
        let fault = {
            let mut armed = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
            faults::take_item(&mut armed, method, &path, &item_text)
        };
        let outcome = match &fault {
            Some(f) if !f.after_applying => Err(injected(f)),
            _ => item(shared, org, org_id, request, &entry),
        };
        if outcome.is_ok() {
            applied = true;
        }
        let outcome = match &fault {
            Some(f) if f.after_applying => Err(injected(f)),
            _ => outcome,
        };
        results.push(result(org_id, request.rule, identifier, outcome));
    }
    Ok((json!({ "items": results }), applied))
}

/// An item fault's error.
fn injected(fault: &faults::Fault) -> Fail {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Fail::new(status, "Internal error. Please contact Cisco Support Team")
}

/// What one item did: its status, operation and the id it concerns.
type Done = (u16, &'static str, Option<String>);

fn item(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    request: &Request,
    entry: &Value,
) -> Result<Done, Fail> {
    let rule = request.rule;
    let action = entry
        .get("requestAction")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let item = match entry.get("item") {
        Some(Value::Object(item)) => item,
        _ => return Err(Fail::bad_request("item should not be null or blank")),
    };
    if request.mode == Mode::Decommissioned {
        return Err(Fail::bad_request(
            "v2 user profile is decommissioned for this organization. Use the v3 user profile APIs",
        ));
    }
    match (request.mode, action) {
        (Mode::Patch, "SAVE") => patch(shared, org, rule, item),
        (_, "SAVE") if rule.bulk == Bulk::Refused => {
            Err(Fail::bare(StatusCode::INTERNAL_SERVER_ERROR))
        }
        (_, "SAVE") => save(shared, org, org_id, rule, item),
        (Mode::Save, "DELETE") if rule.bulk == Bulk::Refused => Err(Fail::bad_request(
            "Delete is not supported through bulk for this entity",
        )),
        (Mode::Save, "DELETE") => {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if item.len() <= 1 {
                // Live quirk (§1.8): a DELETE item carrying only its id is refused.
                Err(Fail::bad_request(
                    "Cannot Update/Delete system generated Entities",
                ))
            } else {
                objects::delete(org, rule, &id).map(|_| (204, "DELETE", Some(id)))
            }
        }
        _ => Err(Fail::bad_request("requestAction must be SAVE or DELETE")),
    }
}

/// One item's entry in the 207 body: its status and `href`, or its `apiError`.
fn result(org_id: &str, rule: &KindRule, identifier: Value, outcome: Result<Done, Fail>) -> Value {
    match outcome {
        Ok((status, operation, id)) => {
            let mut r =
                json!({"itemIdentifier": identifier, "status": status, "operationType": operation});
            if let Some(id) = id {
                r["href"] = json!(format!("/api/organization/{org_id}/{}/{id}", rule.name));
            }
            r
        }
        Err(fail) => {
            let reason = if fail.bare {
                fail.status
                    .canonical_reason()
                    .unwrap_or_default()
                    .to_string()
            } else {
                fail.reason
            };
            let mut error = json!({"key": fail.status.as_u16().to_string(), "reason": reason, "message": [{"description": reason}]});
            if let Some(kinds) = fail.referenced {
                error["referencedEntities"] = json!(kinds);
            }
            json!({
                "itemIdentifier": identifier,
                "status": fail.status.as_u16(),
                "apiError": {"trackingId": format!("ccconfig_{}", uuid::Uuid::new_v4()), "error": error},
            })
        }
    }
}

fn item_id(item: &Map<String, Value>) -> Option<String> {
    item.get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn save(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    rule: &KindRule,
    item: &Map<String, Value>,
) -> Result<Done, Fail> {
    match item_id(item) {
        Some(_) if rule.bulk != Bulk::Full => {
            Err(Fail::bad_request("New configuration cannot have an id"))
        }
        Some(id) => {
            objects::update(shared, org, rule, &id, item.clone()).map(|_| (200, "UPDATE", Some(id)))
        }
        None if item.get("organizationId").and_then(Value::as_str) != Some(org_id) => {
            Err(Fail::new(
                StatusCode::BAD_REQUEST,
                "organizationId: must be the organization of the request",
            ))
        }
        None => objects::create(shared, org, org_id, rule, item.clone()).map(|o| {
            (
                201,
                "CREATE",
                o.get("id").and_then(Value::as_str).map(str::to_string),
            )
        }),
    }
}

/// A `PATCH <kind>/bulk` item: the fields it carries replace the stored ones (a partial
/// update; a whole object replaces everything it names).
fn patch(
    shared: &Shared,
    org: &mut Org,
    rule: &KindRule,
    item: &Map<String, Value>,
) -> Result<Done, Fail> {
    let Some(id) = item_id(item) else {
        return Err(Fail::bad_request("id should not be null or blank"));
    };
    let current = objects::find(org, rule, &id)?;
    let mut merged = current.as_object().cloned().unwrap_or_default();
    for (k, v) in item {
        if !v.is_null() {
            merged.insert(k.clone(), v.clone());
        }
    }
    objects::update(shared, org, rule, &id, merged).map(|_| (200, "UPDATE", Some(id)))
}
