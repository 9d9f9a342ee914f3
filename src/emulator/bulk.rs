//! `POST <kind>/bulk`: always 207, one result per item; SAVE creates (or, where the kind
//! allows it, updates), DELETE deletes, references are checked per item (§1.8).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Shared;
use super::http::Fail;
use super::objects;
use super::rules::{Bulk, KindRule};
use super::store::Org;

pub fn run(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    rule: &KindRule,
    body: &Map<String, Value>,
) -> (Value, bool) {
    let mut results = Vec::new();
    let mut applied = false;
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for entry in items {
        let identifier = entry.get("itemIdentifier").cloned().unwrap_or(Value::Null);
        let action = entry
            .get("requestAction")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let outcome = match (action.as_str(), entry.get("item")) {
            (_, None | Some(Value::Null)) => {
                Err(Fail::bad_request("item should not be null or blank"))
            }
            ("SAVE", Some(Value::Object(item))) => save(shared, org, org_id, rule, item),
            ("DELETE", Some(Value::Object(item))) => {
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
        };
        match outcome {
            Ok((status, operation, id)) => {
                applied = true;
                let mut r = json!({"itemIdentifier": identifier, "status": status, "operationType": operation});
                if let Some(id) = id {
                    r["href"] = json!(format!("/api/organization/{org_id}/{}/{id}", rule.name));
                }
                results.push(r);
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
                results.push(json!({
                    "itemIdentifier": identifier,
                    "status": fail.status.as_u16(),
                    "apiError": {"trackingId": format!("ccconfig_{}", uuid::Uuid::new_v4()), "error": error},
                }));
            }
        }
    }
    (json!({ "items": results }), applied)
}

type Done = (u16, &'static str, Option<String>);

fn save(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    rule: &KindRule,
    item: &Map<String, Value>,
) -> Result<Done, Fail> {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    match id {
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
