//! One object's lifecycle: read, create, full-replace update, partial update (PATCH) and
//! delete, with the service's checks in the service's order — Jackson and bean validation,
//! references, the kind's own rules, uniqueness, immutable fields, sub-entity ids, then
//! referential integrity (§1.6, §6).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Shared;
use super::hooks::Write;
use super::http::{Fail, now_ms};
use super::index::unique_key;
use super::refs::{self, Points};
use super::rules::{KindRule, Patch};
use super::schema::drop_nulls;
use super::store::Org;
use super::subentities;

/// Fields the service sets itself; whatever a body says about them is ignored.
const SERVER_FIELDS: &[&str] = &[
    "id",
    "organizationId",
    "version",
    "createdTime",
    "lastUpdatedTime",
    "links",
    "systemDefault",
];

pub fn find(org: &Org, rule: &KindRule, id: &str) -> Result<Value, Fail> {
    org.get(rule.name, id).cloned().ok_or_else(|| {
        Fail::new(
            StatusCode::NOT_FOUND,
            format!("{} with id {id} not found", rule.name),
        )
    })
}

pub fn create(
    shared: &Shared,
    org: &mut Org,
    org_id: &str,
    rule: &KindRule,
    body: Map<String, Value>,
) -> Result<Value, Fail> {
    if body
        .get("id")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
    {
        return Err(Fail::bad_request("New configuration cannot have an id"));
    }
    if body.get("systemDefault") == Some(&Value::Bool(true)) {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            "User not Allowed to create system default entity",
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let (kept, _) = prepare(shared, org, rule, body, None, &id)?;
    let now = now_ms();
    let mut stored = Map::new();
    stored.insert("organizationId".into(), json!(org_id));
    stored.insert("id".into(), json!(id));
    stored.insert("version".into(), json!(0));
    stored.extend(kept);
    if rule.system_default {
        stored.insert("systemDefault".into(), json!(false));
    }
    stored.insert("createdTime".into(), json!(now));
    stored.insert("lastUpdatedTime".into(), json!(now));
    let stored = Value::Object(stored);
    org.put(rule.name, &id, stored.clone());
    (rule.after_write)(org, &id);
    Ok(stored)
}

pub fn update(
    shared: &Shared,
    org: &mut Org,
    rule: &KindRule,
    id: &str,
    body: Map<String, Value>,
) -> Result<Value, Fail> {
    let current = find(org, rule, id)?;
    if let Some(body_id) = body.get("id").and_then(Value::as_str)
        && body_id != id
    {
        return Err(Fail::bad_request(
            "Invalid id: id in payload and URL should be same",
        ));
    }
    let mut body = body;
    for f in rule.retained {
        if body.get(*f).is_none_or(Value::is_null)
            && let Some(v) = current.get(*f)
        {
            body.insert((*f).into(), v.clone());
        }
    }
    for f in rule.ignored {
        match current.get(*f) {
            Some(v) => body.insert((*f).into(), v.clone()),
            None => body.remove(*f),
        };
    }
    let (mut kept, removed) = prepare(shared, org, rule, body, Some(&current), id)?;
    for f in rule.read_only {
        if let Some(v) = current.get(*f) {
            kept.insert((*f).into(), v.clone());
        }
    }
    if current.get(rule.key) != kept.get(rule.key) {
        let referencing = refs::incoming(org, rule.name, id);
        if !referencing.is_empty() {
            return Err(Fail::referenced(
                "Resource referred in other entity(s), it cannot be renamed",
                referencing,
            ));
        }
    }
    // Sub-entities a write drops must not be in use (an enum skill value a skill-profile
    // selects, docs/api-notes.md §3.3 [INFER]).
    let removed: Vec<&str> = removed.iter().map(String::as_str).collect();
    let referencing = refs::referencing(org, Points::EnumSkillValue, &removed);
    if !referencing.is_empty() {
        return Err(Fail::referenced(
            "Resource referred in other entity(s). Remove the references before deleting it",
            referencing,
        ));
    }
    let mut stored = Map::new();
    for f in ["organizationId", "id"] {
        if let Some(v) = current.get(f) {
            stored.insert(f.into(), v.clone());
        }
    }
    let version = current.get("version").and_then(Value::as_i64).unwrap_or(0);
    stored.insert("version".into(), json!(version + 1));
    stored.extend(kept);
    for f in ["systemDefault", "createdTime"] {
        if let Some(v) = current.get(f) {
            stored.insert(f.into(), v.clone());
        }
    }
    stored.insert("lastUpdatedTime".into(), json!(now_ms()));
    let stored = Value::Object(stored);
    org.put(rule.name, id, stored.clone());
    (rule.after_write)(org, id);
    Ok(stored)
}

/// With stale versions rejected: refuses a PUT whose `version` is not the stored one
/// (412, the conflict status the spec lists for an update, §1.6; the reason text is ours,
/// since no live stale-version answer has been seen, §1.4). A PUT without `version` is
/// accepted, as the live service accepts it (§1.4).
pub fn check_version(
    org: &Org,
    rule: &KindRule,
    id: &str,
    sent: Option<&Value>,
) -> Result<(), Fail> {
    let Some(sent) = sent.filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let current = find(org, rule, id)?;
    let stored = current.get("version").and_then(Value::as_i64).unwrap_or(0);
    if sent.as_i64() == Some(stored) {
        return Ok(());
    }
    Err(Fail::new(
        StatusCode::PRECONDITION_FAILED,
        format!(
            "Stale version: the entity was modified by another request (version {sent} sent, current version is {stored}). Read it again and retry"
        ),
    ))
}

/// `PATCH <kind>/{id}`: a partial object merged into the stored one, then checked as a
/// full replace. User takes any field (a JSON-Patch array is a bare 500, §3.24; null
/// clears); audio-file takes `name` and `description` (§3.4).
pub fn patch(
    shared: &Shared,
    org: &mut Org,
    rule: &KindRule,
    id: &str,
    body: Value,
) -> Result<Value, Fail> {
    let Value::Object(partial) = body else {
        return Err(Fail::bare(StatusCode::INTERNAL_SERVER_ERROR));
    };
    let current = find(org, rule, id)?;
    let mut merged = current.as_object().cloned().unwrap_or_default();
    for (k, v) in partial {
        if rule.patch == Patch::NameDescription && !matches!(k.as_str(), "name" | "description") {
            continue;
        }
        if v.is_null() {
            merged.remove(&k);
        } else {
            merged.insert(k, v);
        }
    }
    update(shared, org, rule, id, merged)
}

pub fn delete(org: &mut Org, rule: &KindRule, id: &str) -> Result<(), Fail> {
    let current = find(org, rule, id)?;
    if current.get("systemDefault") == Some(&Value::Bool(true)) {
        return Err(Fail::bad_request(
            "Cannot Update/Delete system generated Entities",
        ));
    }
    let referencing = refs::incoming(org, rule.name, id);
    if !referencing.is_empty() {
        return Err(Fail::referenced(
            "Resource referred in other entity(s). Remove the references before deleting it",
            referencing,
        ));
    }
    let blob = current
        .get("blobId")
        .and_then(Value::as_str)
        .map(str::to_string);
    org.remove(rule.name, id);
    // §3.4: the audio file's blob goes with it.
    if let Some(blob) = blob {
        org.remove_blob(&blob);
    }
    Ok(())
}

/// Checks a body the way the service does; returns the fields it keeps (sub-entity ids
/// assigned, server reorderings applied) and the ids of sub-entities the write removes.
fn prepare(
    shared: &Shared,
    org: &Org,
    rule: &KindRule,
    body: Map<String, Value>,
    current: Option<&Value>,
    id: &str,
) -> Result<(Map<String, Value>, Vec<String>), Fail> {
    let mut raw = Value::Object(body);
    drop_nulls(&mut raw);
    shared
        .schemas
        .check(rule.dto, &raw)
        .map_err(Fail::bad_request)?;
    let mut kept = raw.clone();
    shared.schemas.prune(rule.dto, &mut kept);
    let Value::Object(mut kept) = kept else {
        return Err(Fail::bad_request(
            "Bad payload: Cannot deserialize value: expected a JSON object",
        ));
    };
    kept.retain(|k, _| {
        !SERVER_FIELDS.contains(&k.as_str()) && !rule.read_only.contains(&k.as_str())
    });
    if current.is_none() {
        (rule.defaults)(&mut kept);
    }
    let raw = raw.as_object().cloned().unwrap_or_default();
    refs::check(org, rule, &Value::Object(kept.clone()))?;
    (rule.check)(&Write {
        org,
        raw: &raw,
        body: &kept,
        current,
    })?;
    unique(org, rule, &kept, id)?;
    if let Some(current) = current {
        immutable(rule, current, &kept)?;
    }
    let removed = subentities::assign(rule, id, &mut kept, current)?;
    (rule.normalise)(&mut kept, current);
    Ok((kept, removed))
}

/// 409 when another object of the kind has the same key (case-insensitive; per site for
/// teams; dial numbers compare by digits).
fn unique(org: &Org, rule: &KindRule, kept: &Map<String, Value>, id: &str) -> Result<(), Fail> {
    let key = unique_key(rule, kept.get(rule.key));
    if key.is_empty() {
        return Ok(());
    }
    let scope = rule.unique_within.and_then(|f| kept.get(f));
    let clash = org.index().holders(rule.name, &key).any(|other| {
        other != id
            && rule
                .unique_within
                .is_none_or(|f| org.get(rule.name, other).and_then(|o| o.get(f)) == scope)
    });
    if clash {
        return Err(Fail::new(
            StatusCode::CONFLICT,
            "Similar entity is already present",
        ));
    }
    Ok(())
}

/// 400 "This configuration cannot be changed. Original value is X" (§1.6).
fn immutable(rule: &KindRule, current: &Value, kept: &Map<String, Value>) -> Result<(), Fail> {
    for field in rule.immutable {
        if let (Some(old), Some(new)) = (current.get(*field), kept.get(*field))
            && old != new
        {
            let shown = old
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| old.to_string());
            return Err(Fail::bad_request(format!(
                "This configuration cannot be changed. Original value is {shown}"
            )));
        }
    }
    Ok(())
}
