//! The configuration API: `/organization/{orgid}/…` lists (v2 envelope and v1 bare array),
//! create, read, full-replace update, delete and bulk, with the service's checks in the
//! service's order: credentials, rate limit, org, scope, then the body (Jackson, bean
//! validation), references, uniqueness, immutable fields and referential integrity.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::http::{
    api_error, api_error_with, empty, json_response, now_ms, spring_error, tracking_id,
};
use super::oauth::{Refusal, authenticate};
use super::rsql::Filter;
use super::rules::{KindRule, V1List, kind as rule_for};
use super::store::{Org, State};
use super::{LogEntry, Shared};

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

/// A refusal: status, reason and, for 412, the kinds that still point at the object.
struct Fail {
    status: StatusCode,
    reason: String,
    referenced: Option<Vec<String>>,
}

impl Fail {
    fn new(status: StatusCode, reason: impl Into<String>) -> Fail {
        Fail {
            status,
            reason: reason.into(),
            referenced: None,
        }
    }

    fn into_response(self, tracking: &str) -> Response {
        api_error_with(self.status, tracking, &self.reason, self.referenced)
    }
}

pub async fn handle(
    AxState(shared): AxState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    let tracking = tracking_id(&headers);
    let config_api = path.starts_with("/organization/");
    let write = !matches!(method, Method::GET | Method::HEAD);
    let delay = if config_api {
        shared.state().settings.response_delay_ms
    } else {
        0
    };
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let (response, applied) = if config_api {
        serve(&shared, &method, &path, &query, &headers, &body, &tracking)
    } else {
        (spring_error(StatusCode::NOT_FOUND, &path), false)
    };
    let logged_body = if write {
        serde_json::from_slice::<Value>(&body).ok()
    } else {
        None
    };
    let seq = shared.log().counters.total;
    shared.record(
        LogEntry {
            seq,
            method: method.to_string(),
            path,
            query,
            status: response.status().as_u16(),
            tracking_id: headers
                .get("TrackingId")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: logged_body,
        },
        config_api,
        write,
        applied,
    );
    response
}

/// Serves one configuration request; the flag says whether state changed.
fn serve(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
    tracking: &str,
) -> (Response, bool) {
    let mut state = shared.state();
    if take_revoke_fault(shared, method, path) {
        revoke_presented_token(headers, &mut state);
        shared.persist(&state);
    }
    let grant = match authenticate(headers, &state) {
        Ok(g) => g,
        Err(Refusal::Malformed(why)) => {
            return (api_error(StatusCode::BAD_REQUEST, tracking, why), false);
        }
        Err(Refusal::Unauthorized(why)) => {
            return (api_error(StatusCode::UNAUTHORIZED, tracking, why), false);
        }
    };
    if let Some(retry_after) = rate_limited(shared, &state, &grant.client_id) {
        let mut r = empty(StatusCode::TOO_MANY_REQUESTS, tracking);
        if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
            r.headers_mut().insert("Retry-After", v);
        }
        return (r, false);
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let Some(org_id) = segments.get(1).map(|s| s.to_string()) else {
        return (spring_error(StatusCode::NOT_FOUND, path), false);
    };
    if org_id != grant.org {
        return (
            api_error(
                StatusCode::FORBIDDEN,
                tracking,
                "Access denied - Client is forbidden access to the resource",
            ),
            false,
        );
    }
    let write = !matches!(*method, Method::GET | Method::HEAD);
    if (write && !grant.can_write()) || (!write && !grant.can_read()) {
        let scope = if write {
            "cjp:config_write"
        } else {
            "cjp:config_read"
        };
        return (
            api_error(
                StatusCode::FORBIDDEN,
                tracking,
                &format!("Access denied - the token lacks the {scope} scope"),
            ),
            false,
        );
    }
    let fault = take_fault(shared, method, path);
    if let Some(f) = &fault
        && !f.after_applying
    {
        return (fault_response(f.status, tracking), false);
    }
    let rest: Vec<&str> = segments[2..].to_vec();
    let query: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let settings_max = state.settings.max_page_size;
    let outcome = dispatch(
        shared,
        &mut state,
        method,
        path,
        &org_id,
        &rest,
        &query,
        body,
        tracking,
        settings_max,
    );
    let (response, applied) = match outcome {
        Ok((r, applied)) => (r, applied),
        Err(fail) => (fail.into_response(tracking), false),
    };
    if applied {
        shared.persist(&state);
    }
    match fault {
        Some(f) => (fault_response(f.status, tracking), applied),
        None => (response, applied),
    }
}

fn fault_response(status: u16, tracking: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::TOO_MANY_REQUESTS {
        let mut r = empty(status, tracking);
        r.headers_mut()
            .insert("Retry-After", HeaderValue::from_static("1"));
        return r;
    }
    api_error(
        status,
        tracking,
        "Internal error. Please contact Cisco Support Team",
    )
}

/// Whether a revoke-token fault matches this request (and is used up by it).
fn take_revoke_fault(shared: &Shared, method: &Method, path: &str) -> bool {
    let mut faults = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
    let Some(i) = faults.iter().position(|f| {
        f.revoke_token
            && f.times > 0
            && f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
            && path.contains(&f.path_contains)
    }) else {
        return false;
    };
    faults[i].times -= 1;
    if faults[i].times == 0 {
        faults.remove(i);
    }
    true
}

fn revoke_presented_token(headers: &HeaderMap, state: &mut State) {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(g) = token.and_then(|t| state.access_tokens.get_mut(t)) {
        g.revoked = true;
    }
}

fn take_fault(shared: &Shared, method: &Method, path: &str) -> Option<super::admin::Fault> {
    let mut faults = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
    let i = faults.iter().position(|f| {
        !f.revoke_token
            && f.times > 0
            && f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
            && path.contains(&f.path_contains)
    })?;
    faults[i].times -= 1;
    let fault = faults[i].clone();
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(fault)
}

/// Seconds to wait when this client has used up its window, else `None` (and the request
/// is counted). A client that comes back before its `Retry-After` has elapsed is refused
/// again (developer.webex.com rate limiting, config-api.md §1.7) and counted as an early
/// retry, unless the request arrived within a second of the 429: it was in flight.
fn rate_limited(shared: &Shared, state: &State, client: &str) -> Option<u64> {
    let limit = state.settings.rate_limit?;
    let window = std::time::Duration::from_secs(limit.window_seconds.max(1));
    let now = std::time::Instant::now();
    let mut retry_after = shared.retry_after.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((told_at, until)) = retry_after.get(client).copied()
        && now < until
    {
        if now.duration_since(told_at) > std::time::Duration::from_secs(1) {
            shared.log().counters.early_retries += 1;
        }
        retry_after.insert(client.to_string(), (now, until));
        return Some((until - now).as_secs_f64().ceil().max(1.0) as u64);
    }
    let mut windows = shared.windows.lock().unwrap_or_else(|p| p.into_inner());
    let sent = windows.entry(client.to_string()).or_default();
    while sent
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        sent.pop_front();
    }
    if sent.len() >= limit.requests as usize {
        let oldest = sent.front().copied().unwrap_or(now);
        let wait = window.saturating_sub(now.duration_since(oldest));
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        retry_after.insert(
            client.to_string(),
            (now, now + std::time::Duration::from_secs(seconds)),
        );
        return Some(seconds);
    }
    sent.push_back(now);
    None
}

#[allow(clippy::too_many_arguments)]
fn dispatch(
    shared: &Shared,
    state: &mut State,
    method: &Method,
    path: &str,
    org_id: &str,
    rest: &[&str],
    query: &HashMap<String, String>,
    body: &[u8],
    tracking: &str,
    max_page_size: u64,
) -> Result<(Response, bool), Fail> {
    let Some(org) = state.orgs.get_mut(org_id) else {
        return Ok((spring_error(StatusCode::NOT_FOUND, path), false));
    };
    let is_version = |s: &str| matches!(s, "v1" | "v2" | "v3");
    match (method.clone(), rest) {
        (Method::GET, [version, kind]) if is_version(version) => {
            match rule_for(kind).filter(|r| r.list_version == *version) {
                Some(rule) => Ok((
                    json_response(
                        StatusCode::OK,
                        tracking,
                        list_envelope(org, org_id, rule, query, max_page_size)?,
                    ),
                    false,
                )),
                None => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
            }
        }
        (_, [version, kind]) if is_version(version) && rule_for(kind).is_some() => {
            Ok((spring_error(StatusCode::METHOD_NOT_ALLOWED, path), false))
        }
        (_, [version, ..]) if is_version(version) => {
            Ok((spring_error(StatusCode::NOT_FOUND, path), false))
        }
        (Method::GET, [kind]) => match rule_for(kind) {
            Some(rule) if rule.v1_list != V1List::None => Ok((
                json_response(
                    StatusCode::OK,
                    tracking,
                    v1_list(org, rule, query, max_page_size)?,
                ),
                false,
            )),
            _ => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
        },
        (Method::POST, [kind]) => match rule_for(kind) {
            Some(rule) => {
                let body = parse_body(body)?;
                let created = create(shared, org, org_id, rule, body)?;
                Ok((
                    json_response(StatusCode::CREATED, tracking, render(org, rule, &created)),
                    true,
                ))
            }
            None => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
        },
        (Method::POST, [kind, "bulk"]) => match rule_for(kind) {
            Some(rule) => {
                let body = parse_body(body)?;
                let (result, applied) = bulk(shared, org, org_id, rule, &body);
                Ok((
                    json_response(StatusCode::MULTI_STATUS, tracking, result),
                    applied,
                ))
            }
            None => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
        },
        (Method::GET, [kind, id]) => match rule_for(kind) {
            Some(rule) => {
                let object = find(org, rule, id)?;
                Ok((
                    json_response(StatusCode::OK, tracking, render(org, rule, &object)),
                    false,
                ))
            }
            None => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
        },
        (Method::PUT, [kind, id]) => match rule_for(kind) {
            Some(rule) => {
                let body = parse_body(body)?;
                let updated = update(shared, org, rule, id, body)?;
                Ok((
                    json_response(StatusCode::OK, tracking, render(org, rule, &updated)),
                    true,
                ))
            }
            None => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
        },
        (Method::DELETE, [kind, id]) => match rule_for(kind) {
            Some(rule) => {
                delete(org, rule, id)?;
                Ok((empty(StatusCode::NO_CONTENT, tracking), true))
            }
            None => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
        },
        (_, [kind] | [kind, _]) if rule_for(kind).is_some() => {
            Ok((spring_error(StatusCode::METHOD_NOT_ALLOWED, path), false))
        }
        _ => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
    }
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, Fail> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "Bad payload: Cannot deserialize value: expected a JSON object",
        )),
        Err(e) => Err(Fail::new(
            StatusCode::BAD_REQUEST,
            format!("Bad payload: JSON parse error: {e}"),
        )),
    }
}

/// The stored object as the API returns it: with derived fields and `links`.
fn render(org: &Org, rule: &KindRule, stored: &Value) -> Value {
    let mut out = stored.clone();
    if let Value::Object(m) = &mut out {
        if rule.name == "team"
            && let Some(site) = m
                .get("siteId")
                .and_then(Value::as_str)
                .and_then(|id| object(org, "site", id))
            && let Some(name) = site.get("name")
        {
            m.insert("siteName".into(), name.clone());
        }
        m.insert("links".into(), json!([]));
    }
    out
}

fn object<'a>(org: &'a Org, kind: &str, id: &str) -> Option<&'a Value> {
    org.objects.get(kind)?.get(id)
}

fn find(org: &Org, rule: &KindRule, id: &str) -> Result<Value, Fail> {
    object(org, rule.name, id).cloned().ok_or_else(|| {
        Fail::new(
            StatusCode::NOT_FOUND,
            format!("{} with id {id} not found", rule.name),
        )
    })
}

/// Checks a body the way the service does and returns the fields it keeps.
fn checked(
    shared: &Shared,
    org: &Org,
    rule: &KindRule,
    body: &Map<String, Value>,
    self_id: Option<&str>,
) -> Result<Map<String, Value>, Fail> {
    shared
        .schemas
        .check(rule.dto, &Value::Object(body.clone()))
        .map_err(|reason| Fail::new(StatusCode::BAD_REQUEST, reason))?;
    let known = shared.schemas.properties(rule.dto);
    let mut kept: Map<String, Value> = body
        .iter()
        .filter(|(k, _)| {
            known.contains(k)
                && !SERVER_FIELDS.contains(&k.as_str())
                && !(rule.name == "team" && *k == "userIds")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    kept.retain(|_, v| !v.is_null());
    for r in rule.refs {
        for (field, id) in values_at(&Value::Object(kept.clone()), r.path) {
            if object(org, r.target, &id).is_none() {
                return Err(Fail::new(
                    StatusCode::BAD_REQUEST,
                    format!("{field}: {} with id {id} not found", r.target),
                ));
            }
        }
    }
    let name = kept
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase();
    let scope = rule.unique_within.and_then(|f| kept.get(f)).cloned();
    let clash = org
        .objects
        .get(rule.name)
        .into_iter()
        .flat_map(|m| m.iter())
        .any(|(id, o)| {
            Some(id.as_str()) != self_id
                && o.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.to_lowercase() == name)
                && rule
                    .unique_within
                    .is_none_or(|f| o.get(f).cloned() == scope)
        });
    if clash && !name.is_empty() {
        return Err(Fail::new(
            StatusCode::CONFLICT,
            "Similar entity is already present",
        ));
    }
    Ok(kept)
}

fn create(
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
        return Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "New configuration cannot have an id",
        ));
    }
    if body.get("systemDefault") == Some(&Value::Bool(true)) {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            "User not Allowed to create system default entity",
        ));
    }
    let mut body = body;
    for (k, v) in (rule.defaults)() {
        body.entry(k).or_insert(v);
    }
    let kept = checked(shared, org, rule, &body, None)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut stored = Map::new();
    stored.insert("organizationId".into(), json!(org_id));
    stored.insert("id".into(), json!(id));
    stored.insert("version".into(), json!(0));
    stored.extend(kept);
    if shared
        .schemas
        .properties(rule.dto)
        .iter()
        .any(|p| p == "systemDefault")
    {
        stored.insert("systemDefault".into(), json!(false));
    }
    stored.insert("createdTime".into(), json!(now));
    stored.insert("lastUpdatedTime".into(), json!(now));
    let stored = Value::Object(stored);
    org.objects
        .entry(rule.name.to_string())
        .or_default()
        .insert(id, stored.clone());
    Ok(stored)
}

fn update(
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
        return Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "Invalid id: id in payload and URL should be same",
        ));
    }
    let kept = checked(shared, org, rule, &body, Some(id))?;
    for field in rule.immutable {
        if let (Some(old), Some(new)) = (current.get(*field), kept.get(*field))
            && old != new
        {
            let shown = old
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| old.to_string());
            return Err(Fail::new(
                StatusCode::BAD_REQUEST,
                format!("This configuration cannot be changed. Original value is {shown}"),
            ));
        }
    }
    let renamed = current.get("name") != kept.get("name");
    if renamed {
        let referencing = incoming(org, rule.name, id);
        if !referencing.is_empty() {
            return Err(Fail {
                status: StatusCode::PRECONDITION_FAILED,
                reason: "Resource referred in other entity(s), it cannot be renamed".into(),
                referenced: Some(referencing),
            });
        }
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
    org.objects
        .entry(rule.name.to_string())
        .or_default()
        .insert(id.to_string(), stored.clone());
    Ok(stored)
}

fn delete(org: &mut Org, rule: &KindRule, id: &str) -> Result<(), Fail> {
    let current = find(org, rule, id)?;
    if current.get("systemDefault") == Some(&Value::Bool(true)) {
        return Err(Fail::new(
            StatusCode::BAD_REQUEST,
            "Cannot Update/Delete system generated Entities",
        ));
    }
    let referencing = incoming(org, rule.name, id);
    if !referencing.is_empty() {
        return Err(Fail {
            status: StatusCode::PRECONDITION_FAILED,
            reason:
                "Resource referred in other entity(s). Remove the references before deleting it"
                    .into(),
            referenced: Some(referencing),
        });
    }
    if let Some(objects) = org.objects.get_mut(rule.name) {
        objects.shift_remove(id);
    }
    Ok(())
}

/// The kinds whose objects point at `kind`/`id`.
fn incoming(org: &Org, kind: &str, id: &str) -> Vec<String> {
    let mut kinds = Vec::new();
    for rule in super::rules::KINDS {
        for r in rule.refs.iter().filter(|r| r.target == kind) {
            let hit = org
                .objects
                .get(rule.name)
                .into_iter()
                .flat_map(|m| m.values())
                .any(|o| values_at(o, r.path).iter().any(|(_, v)| v == id));
            if hit && !kinds.contains(&rule.name.to_string()) {
                kinds.push(rule.name.to_string());
            }
        }
    }
    kinds
}

/// The string values at a dotted path with `[]` for each element, with their field names.
fn values_at(value: &Value, path: &str) -> Vec<(String, String)> {
    let mut current: Vec<(String, &Value)> = vec![(String::new(), value)];
    for part in path.split('.') {
        let (name, each) = match part.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for (label, v) in current {
            if let Some(child) = v.get(name) {
                let label = if label.is_empty() {
                    name.to_string()
                } else {
                    format!("{label}.{name}")
                };
                match (each, child) {
                    (true, Value::Array(items)) => next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, c)| (format!("{label}[{i}]"), c)),
                    ),
                    (false, c) => next.push((label, c)),
                    _ => {}
                }
            }
        }
        current = next;
    }
    current
        .into_iter()
        .filter_map(|(l, v)| v.as_str().map(|s| (l, s.to_string())))
        .collect()
}

fn filtered<'a>(
    org: &'a Org,
    rule: &KindRule,
    query: &HashMap<String, String>,
) -> Result<Vec<&'a Value>, Fail> {
    let filter = match query.get("filter").filter(|f| !f.is_empty()) {
        Some(f) => Some(Filter::parse(f).map_err(|e| Fail::new(StatusCode::BAD_REQUEST, e))?),
        None => None,
    };
    let search = query
        .get("search")
        .map(|s| s.to_lowercase())
        .filter(|s| !s.is_empty());
    Ok(org
        .objects
        .get(rule.name)
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|o| filter.as_ref().is_none_or(|f| f.matches(o)))
        .filter(|o| {
            search.as_ref().is_none_or(|s| {
                ["name", "description"].iter().any(|f| {
                    o.get(*f)
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.to_lowercase().contains(s))
                })
            })
        })
        .collect())
}

fn number(query: &HashMap<String, String>, name: &str, default: u64) -> Result<u64, Fail> {
    match query.get(name) {
        None => Ok(default),
        Some(v) => v.parse::<u64>().map_err(|_| {
            Fail::new(
                StatusCode::BAD_REQUEST,
                format!("{name}: must be a non-negative number"),
            )
        }),
    }
}

fn project(object: Value, attributes: Option<&Vec<String>>) -> Value {
    match (attributes, object) {
        (Some(attrs), Value::Object(m)) => {
            Value::Object(m.into_iter().filter(|(k, _)| attrs.contains(k)).collect())
        }
        (_, o) => o,
    }
}

/// `GET v2/<kind>`: `{meta, data}` with 0-based pages and a silent clamp on `pageSize`.
fn list_envelope(
    org: &Org,
    org_id: &str,
    rule: &KindRule,
    query: &HashMap<String, String>,
    max_page_size: u64,
) -> Result<Value, Fail> {
    let all = filtered(org, rule, query)?;
    let page = number(query, "page", 0)?;
    let page_size = number(query, "pageSize", 100)?.clamp(1, max_page_size);
    let total = all.len() as u64;
    let total_pages = total.div_ceil(page_size);
    let attributes: Option<Vec<String>> = query
        .get("attributes")
        .filter(|a| !a.is_empty())
        .map(|a| a.split(',').map(|s| s.trim().to_string()).collect());
    let data: Vec<Value> = all
        .into_iter()
        .skip((page * page_size) as usize)
        .take(page_size as usize)
        .map(|o| project(render(org, rule, o), attributes.as_ref()))
        .collect();
    let link = |p: u64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("page", &p.to_string())
            .append_pair("pageSize", &page_size.to_string());
        for extra in ["filter", "attributes", "search"] {
            if let Some(v) = query.get(extra) {
                q.append_pair(extra, v);
            }
        }
        format!(
            "/organization/{org_id}/{}/{}?{}",
            rule.list_version,
            rule.name,
            q.finish()
        )
    };
    let mut links = Map::new();
    links.insert("self".into(), json!(link(page)));
    links.insert("first".into(), json!(link(0)));
    links.insert("last".into(), json!(link(total_pages.saturating_sub(1))));
    if page + 1 < total_pages {
        links.insert("next".into(), json!(link(page + 1)));
    }
    if page > 0 {
        links.insert("prev".into(), json!(link(page - 1)));
    }
    Ok(json!({
        "meta": {
            "orgid": org_id,
            "page": page,
            "pageSize": page_size,
            "totalPages": total_pages,
            "totalRecords": total,
            "links": links,
        },
        "data": data,
    }))
}

/// `GET <kind>`: a bare JSON array; paging past the end gives `[]`.
fn v1_list(
    org: &Org,
    rule: &KindRule,
    query: &HashMap<String, String>,
    max_page_size: u64,
) -> Result<Value, Fail> {
    let all = filtered(org, rule, query)?;
    let rendered = all.into_iter().map(|o| render(org, rule, o));
    let items: Vec<Value> = if rule.v1_list == V1List::Paged {
        let page = number(query, "page", 0)?;
        let page_size = number(query, "pageSize", 100)?.clamp(1, max_page_size);
        rendered
            .skip((page * page_size) as usize)
            .take(page_size as usize)
            .collect()
    } else {
        rendered.collect()
    };
    Ok(Value::Array(items))
}

/// `POST <kind>/bulk`: always 207, one result per item.
fn bulk(
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
        let outcome: Result<(u16, &str, Option<String>), Fail> =
            match (action.as_str(), entry.get("item")) {
                (_, None | Some(Value::Null)) => Err(Fail::new(
                    StatusCode::BAD_REQUEST,
                    "item should not be null or blank",
                )),
                ("SAVE", Some(Value::Object(item))) => {
                    let has_id = item
                        .get("id")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty());
                    if has_id && !rule.bulk_update {
                        Err(Fail::new(
                            StatusCode::BAD_REQUEST,
                            "New configuration cannot have an id",
                        ))
                    } else if has_id {
                        let id = item
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        update(shared, org, rule, &id, item.clone())
                            .map(|_| (200, "UPDATE", Some(id)))
                    } else if item.get("organizationId").and_then(Value::as_str) != Some(org_id) {
                        Err(Fail::new(
                            StatusCode::BAD_REQUEST,
                            "organizationId: must be the organization of the request",
                        ))
                    } else {
                        create(shared, org, org_id, rule, item.clone()).map(|o| {
                            (
                                201,
                                "CREATE",
                                o.get("id").and_then(Value::as_str).map(str::to_string),
                            )
                        })
                    }
                }
                ("DELETE", Some(Value::Object(item))) => {
                    let id = item
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    if item.len() <= 1 {
                        // Live quirk (§1.8): a DELETE item carrying only its id is refused.
                        Err(Fail::new(
                            StatusCode::BAD_REQUEST,
                            "Cannot Update/Delete system generated Entities",
                        ))
                    } else {
                        delete(org, rule, &id).map(|_| (204, "DELETE", Some(id)))
                    }
                }
                _ => Err(Fail::new(
                    StatusCode::BAD_REQUEST,
                    "requestAction must be SAVE or DELETE",
                )),
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
                let mut error = json!({"key": fail.status.as_u16().to_string(), "reason": fail.reason, "message": [{"description": fail.reason}]});
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
