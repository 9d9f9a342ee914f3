//! One plan step's writes through the kind's bulk route (docs/api-notes.md §1.8), a chunk
//! a request: creates as SAVE items without an id, deletes as DELETE items carrying the
//! whole object, updates as the catalogue says the kind takes them (SAVE with the whole
//! object, or PATCH with the changed fields). Each item's result in the 207 answer maps
//! back to its change, a created object's id taken from its `href`. The rules of single
//! writes hold: updates are refused when the object changed since it was read and checked
//! by their new `version` afterwards, and an item whose answer is lost or ambiguous is
//! settled by reading before anything is sent again (then through the single-call path,
//! with its own safe retries).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::Failure;
use super::write::{
    Executed, Request, Seen, changed, conflict, execute, is_stale, landed, sends_file, shows,
};
use crate::api::{ApiError, Client, id_from_href, server_text};
use crate::catalogue::{BulkUpdate, DtoSchemas, KINDS, Kind};
use crate::model::overlay;
use crate::plan::{Action, Change};

/// The chunk size used unless the user sets one: small enough that a chunk is a modest
/// request and a refused chunk costs little, large enough that 5,000 rows are 50 writes.
pub const DEFAULT_CHUNK: u16 = 100;

/// A change of the step, with what it sends.
pub(crate) struct Item {
    /// Its index in the plan.
    pub n: usize,
    pub change: Change,
    pub request: Request,
}

/// The result of one change, by plan index.
pub(crate) type Settled = (usize, Result<Executed, Failure>);

/// Whether `change` goes through its kind's bulk route: the kind has one for this
/// operation, nothing is uploaded, and an update or delete has the whole live object to
/// build its item from (§1.8: a DELETE item carries the full object; a list row that
/// leaves fields out is not one, so such an object goes singly, as does one written
/// earlier in this run, updated from a fresh read).
pub(crate) fn eligible(change: &Change, written_before: bool) -> bool {
    let Some(bulk) = change.kind.bulk else {
        return false;
    };
    if sends_file(change) {
        return false;
    }
    let whole_live = change.live.is_some() && change.live_complete && !written_before;
    match change.action {
        Action::Create => bulk.create,
        Action::Delete => bulk.delete && whole_live,
        Action::Update => bulk.update != BulkUpdate::None && whole_live,
    }
}

/// The method and route a step of `action` on `kind` is sent through.
pub(crate) fn route(kind: &Kind, action: Action) -> Option<(Method, &'static str)> {
    let bulk = kind.bulk?;
    match (action, bulk.update) {
        (Action::Create | Action::Delete, _) | (Action::Update, BulkUpdate::Whole) => {
            Some((Method::POST, bulk.save))
        }
        (Action::Update, BulkUpdate::Partial(r) | BulkUpdate::PatchWhole(r)) => {
            Some((Method::PATCH, r))
        }
        (Action::Update, BulkUpdate::None) => None,
    }
}

/// Sends one chunk of a step (all its items of one kind and action) and settles every
/// item: done, failed with the API's reason for it, or — when its answer was lost — found
/// out by reading and, if it did not land, sent again singly.
pub(crate) async fn send_chunk(
    client: &Client,
    items: Vec<Item>,
    stop: &Arc<AtomicBool>,
) -> Vec<Settled> {
    let Some(first) = items.first() else {
        return Vec::new();
    };
    let kind = first.change.kind;
    let action = first.change.action;
    let mut settled = Vec::new();
    let Some((method, path)) = route(kind, action) else {
        // Not reached: `eligible` admits only operations with a route.
        for item in items {
            settled.push((
                item.n,
                execute(client, &item.change, item.request, stop).await,
            ));
        }
        return settled;
    };
    let items = if action == Action::Update {
        guard(client, kind, items, &mut settled).await
    } else {
        items
    };
    if items.is_empty() {
        return settled;
    }
    let bodies: Vec<Map<String, Value>> = items.iter().map(|i| item_body(client, i)).collect();
    let request_action = if action == Action::Delete {
        "DELETE"
    } else {
        "SAVE"
    };
    let payload = json!({
        "items": bodies.iter().enumerate().map(|(i, body)| json!({
            "itemIdentifier": i + 1,
            "requestAction": request_action,
            "item": body,
        })).collect::<Vec<_>>()
    });
    let answer = client.bulk(method.clone(), path, &payload).await;
    let org_path = format!("/organization/{}/{path}", client.org());
    let mut by_identifier: HashMap<u64, Map<String, Value>> = HashMap::new();
    let whole_error = match answer {
        Ok(results) => {
            for r in results {
                if let Some(i) = r.get("itemIdentifier").and_then(Value::as_u64) {
                    by_identifier.entry(i).or_insert(r);
                }
            }
            None
        }
        Err(e) => Some(e),
    };
    let mut updated = Vec::new();
    let mut lost = Vec::new();
    for (i, (item, body)) in items.into_iter().zip(bodies).enumerate() {
        if let Some(e) = &whole_error {
            if e.is_ambiguous() {
                lost.push((item, format!("the bulk request's answer was lost ({e})")));
            } else {
                settled.push((item.n, Err(refused_whole(e, payload_len(&payload)))));
            }
            continue;
        }
        let Some(result) = by_identifier.remove(&(i as u64 + 1)) else {
            lost.push((item, "the bulk answer said nothing of it".to_string()));
            continue;
        };
        let status = result.get("status").and_then(Value::as_u64).unwrap_or(0) as u16;
        let error = item_error(&method, &org_path, status, &result);
        match (status, action) {
            (200..=299, Action::Create) => {
                match result
                    .get("href")
                    .and_then(Value::as_str)
                    .and_then(id_from_href)
                {
                    Some(id) => settled.push((item.n, Ok(created(client, kind, id, body).await))),
                    None => lost.push((item, "the bulk answer carries no id for it".to_string())),
                }
            }
            (200..=299, Action::Update) => updated.push((item, body)),
            (200..=299, Action::Delete) => settled.push((item.n, Ok(deleted(&item, None)))),
            (404, Action::Delete) => settled.push((
                item.n,
                Ok(deleted(&item, Some("the object was already gone".into()))),
            )),
            _ if error.is_ambiguous() || status == 0 => lost.push((item, error.to_string())),
            (_, Action::Update) if is_stale(&error) => {
                let seen = seen_of(&item.request);
                settled.push((
                    item.n,
                    Err(conflict(
                        &item.change,
                        seen,
                        seen,
                        "the API refused the write",
                    )),
                ));
            }
            _ => settled.push((item.n, Err(Failure::Api(error)))),
        }
    }
    if !updated.is_empty() {
        check_updates(client, kind, updated, &mut settled).await;
    }
    let resolved = futures_util::future::join_all(
        lost.into_iter()
            .map(|(item, why)| resolve(client, item, why, stop)),
    )
    .await;
    settled.extend(resolved);
    settled
}

fn payload_len(payload: &Value) -> usize {
    payload["items"].as_array().map_or(0, Vec::len)
}

/// The failure of an item whose whole request was refused (nothing of it was carried out).
fn refused_whole(e: &ApiError, items: usize) -> Failure {
    let hint = if e.status() == Some(400) && items > 1 {
        format!(
            "; the API refused the whole bulk request of {items} items, so none of them was written: if it says the request is too large, run again with a smaller --bulk-chunk"
        )
    } else {
        "; the API refused the whole bulk request, so none of its items was written".into()
    };
    Failure::Blocked(format!("{e}{hint}"))
}

/// One item's error as a single call's would read: the route, the item's status, its
/// tracking id and the API's reason, and the kinds that still reference it.
fn item_error(method: &Method, path: &str, status: u16, result: &Map<String, Value>) -> ApiError {
    let api = result.get("apiError");
    let error = api.and_then(|a| a.get("error"));
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(server_text)
            .unwrap_or_default()
    };
    let reason = error
        .and_then(|e| e.get("reason"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(server_text)
        .or_else(|| {
            error
                .and_then(|e| e.pointer("/message/0/description"))
                .and_then(Value::as_str)
                .map(server_text)
        })
        .unwrap_or_default();
    ApiError::Status {
        method: method.to_string(),
        path: format!("{path} (item)"),
        status,
        tracking_id: text(api.and_then(|a| a.get("trackingId"))),
        reason,
        referenced_by: error
            .and_then(|e| e.get("referencedEntities"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(server_text)
            .collect(),
    }
}

/// What an item carries: a create's fields with the org; a delete's whole live object; an
/// update's whole object (the live one with the declared fields overlaid, cut to the DTO)
/// or, for a partial route, its id and changed fields.
fn item_body(client: &Client, item: &Item) -> Map<String, Value> {
    let change = &item.change;
    let kind = change.kind;
    match &item.request {
        Request::Create { fields, .. } => {
            let mut body = fields.clone();
            body.insert("organizationId".into(), json!(client.org()));
            body
        }
        Request::Update { id, fields, .. } => {
            let mut whole = change.live.clone().unwrap_or_default();
            overlay(kind, &mut whole, fields);
            let partial = matches!(kind.bulk.map(|b| b.update), Some(BulkUpdate::Partial(_)));
            if partial {
                whole.retain(|k, _| fields.contains_key(k));
            } else {
                DtoSchemas::get().retain_declared(kind.dto, &mut whole);
            }
            whole.insert("id".into(), json!(id));
            whole
        }
        Request::Delete { id } => {
            let mut whole = change.live.clone().unwrap_or_default();
            whole.insert("id".into(), json!(id));
            whole
                .entry("organizationId")
                .or_insert_with(|| json!(client.org()));
            whole
        }
        Request::Impossible(_) => Map::new(),
    }
}

fn seen_of(request: &Request) -> Seen {
    match request {
        Request::Update { seen, .. } => *seen,
        _ => Seen::default(),
    }
}

fn deleted(item: &Item, note: Option<String>) -> Executed {
    let id = match &item.request {
        Request::Delete { id } => id.clone(),
        _ => String::new(),
    };
    Executed {
        id,
        body: Map::new(),
        note,
    }
}

/// Whether a created object carries keyed-list entries other kinds may point at (a
/// skill's enum values): their server ids are needed, so it is read back.
pub(crate) fn has_referenced_entries(kind: &Kind, body: &Map<String, Value>) -> bool {
    KINDS.iter().any(|k| {
        k.references.iter().any(|r| {
            r.target == kind.name
                && r.within
                    .and_then(|list| body.get(list))
                    .and_then(Value::as_array)
                    .is_some_and(|entries| !entries.is_empty())
        })
    })
}

/// A created object: its id from the answer, its body as sent (read back whole when
/// later changes need the ids of its entries).
async fn created(
    client: &Client,
    kind: &'static Kind,
    id: String,
    mut body: Map<String, Value>,
) -> Executed {
    body.insert("id".into(), json!(id));
    let mut note = None;
    if has_referenced_entries(kind, &body) {
        match client.get(kind, &id).await {
            Ok(full) => body = full,
            Err(e) => {
                note = Some(format!(
                    "created, but reading it back failed ({e}); changes that name its entries may fail: run `wxcc apply` again"
                ));
            }
        }
    }
    Executed { id, body, note }
}

/// Refuses the updates whose object changed since it was read (one list read filtered to
/// the chunk's ids, instead of one read per object or the whole list); the rest go on.
async fn guard(
    client: &Client,
    kind: &'static Kind,
    items: Vec<Item>,
    settled: &mut Vec<Settled>,
) -> Vec<Item> {
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|item| match &item.request {
            Request::Update { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let rows = match client.list_ids(kind, &ids).await {
        Ok(rows) => rows,
        Err(e) => {
            for item in items {
                settled.push((item.n, Err(Failure::Api(e.clone()))));
            }
            return Vec::new();
        }
    };
    let now: HashMap<String, Seen> = rows
        .iter()
        .filter_map(|r| Some((r.get("id")?.as_str()?.to_string(), Seen::of(r))))
        .collect();
    let mut go = Vec::new();
    for item in items {
        let Request::Update { id, seen, .. } = &item.request else {
            go.push(item);
            continue;
        };
        match now.get(id) {
            Some(now) if changed(*seen, *now) => {
                let failure = conflict(&item.change, *seen, *now, "nothing was written");
                settled.push((item.n, Err(failure)));
            }
            Some(_) => go.push(item),
            None => settled.push((
                item.n,
                Err(Failure::Conflict(format!(
                    "{} `{}` was deleted by someone else since wxcc read it; nothing was written. Run `wxcc plan` again",
                    kind.name, item.change.key
                ))),
            )),
        }
    }
    go
}

/// Checks the updates the API said it made by their new `version` (one list read filtered
/// to their ids), as a single update is: a version that skipped one means another write
/// landed in between.
async fn check_updates(
    client: &Client,
    kind: &'static Kind,
    updated: Vec<(Item, Map<String, Value>)>,
    settled: &mut Vec<Settled>,
) {
    let ids: Vec<&str> = updated
        .iter()
        .filter_map(|(_, body)| body.get("id").and_then(Value::as_str))
        .collect();
    let rows: HashMap<String, Map<String, Value>> = match client.list_ids(kind, &ids).await {
        Ok(rows) => rows
            .into_iter()
            .filter_map(|r| Some((r.get("id")?.as_str()?.to_string(), r)))
            .collect(),
        Err(e) => {
            let note = format!("the API said it was updated; reading it back failed ({e})");
            for (item, body) in updated {
                let id = body.get("id").and_then(Value::as_str).unwrap_or_default();
                settled.push((
                    item.n,
                    Ok(Executed {
                        id: id.to_string(),
                        body,
                        note: Some(note.clone()),
                    }),
                ));
            }
            return;
        }
    };
    for (item, mut body) in updated {
        let seen = seen_of(&item.request);
        let id = body
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(row) = rows.get(&id) {
            let after = Seen::of(row);
            if let (Some(before), Some(now)) = (seen.version, after.version)
                && now != before + 1
            {
                settled.push((
                    item.n,
                    Err(Failure::Conflict(format!(
                        "{} `{}` was written, but another write landed between wxcc's read (version {before}) and its write (now version {now}): that change may have been overwritten. Run `wxcc plan` again and check the object",
                        kind.name, item.change.key
                    ))),
                ));
                continue;
            }
            for (k, v) in row {
                body.insert(k.clone(), v.clone());
            }
        }
        settled.push((
            item.n,
            Ok(Executed {
                id,
                body,
                note: None,
            }),
        ));
    }
}

/// An item whose answer was lost: read first; sent again (singly) only when the read shows
/// it did not land.
async fn resolve(client: &Client, item: Item, why: String, stop: &Arc<AtomicBool>) -> Settled {
    let change = &item.change;
    let kind = change.kind;
    let n = item.n;
    match &item.request {
        Request::Create { .. } => match landed(client, kind, &change.key).await {
            Ok(Some(found)) => (
                n,
                Ok(Executed {
                    id: found
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    body: found,
                    note: Some(format!("{why}, but the object exists")),
                }),
            ),
            Ok(None) => (n, execute(client, change, item.request, stop).await),
            Err(lookup) => (
                n,
                Err(Failure::Blocked(format!(
                    "{why}, and the lookup that would tell whether it landed failed too ({lookup}); run `wxcc plan` to see whether it exists"
                ))),
            ),
        },
        // A delete sent again is safe: 404 means it is gone.
        Request::Delete { .. } => (n, execute(client, change, item.request, stop).await),
        Request::Update {
            id, seen, fields, ..
        } => {
            let seen = *seen;
            let again = match client.get(kind, id).await {
                Ok(again) => again,
                Err(e) => return (n, Err(Failure::Api(e))),
            };
            let after = Seen::of(&again);
            if !changed(seen, after) {
                return (n, execute(client, change, item.request, stop).await);
            }
            let next = seen.version.map(|v| v + 1);
            if after.version.is_some() && after.version == next && shows(&again, fields) {
                return (
                    n,
                    Ok(Executed {
                        id: id.clone(),
                        body: again,
                        note: Some(format!("{why}, but the update is in place")),
                    }),
                );
            }
            (
                n,
                Err(conflict(
                    change,
                    seen,
                    after,
                    &format!("{why} and the object does not show it"),
                )),
            )
        }
        Request::Impossible(m) => (n, Err(Failure::Blocked(m.clone()))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::seen_of;
    use crate::apply::write::{Request, Seen};

    /// A bulk update item the API refuses as stale is reported with the version it was sent
    /// with (`conflict(…, seen, seen, …)` in `send_chunk`); other items have none. The
    /// emulator's `staleVersion: reject` covers single PUTs only, so no test through the
    /// binary reaches that answer.
    #[test]
    fn a_bulk_update_item_keeps_the_version_it_was_sent_with() {
        let seen = Seen {
            version: Some(3),
            last_updated: Some(1_700_000_000_000),
        };
        let update = Request::Update {
            id: "a".into(),
            fields: Map::new(),
            file: None,
            partial: false,
            seen,
        };
        assert_eq!(seen_of(&update), seen);
        assert_eq!(
            seen_of(&Request::Delete { id: "a".into() }),
            Seen::default()
        );
    }
}
