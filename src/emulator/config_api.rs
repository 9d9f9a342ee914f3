//! The configuration API: `/organization/{orgid}/…`. Checks in the service's order —
//! credentials, rate limit, org, scope, injected faults — then routes by the kind's rules:
//! version-prefixed lists, unprefixed item and create paths (with the queue's extra v2
//! paths and user-profile's v3 ones), bulk, PATCH where it exists, the audio blob, and
//! Spring's 404/405 for everything else (§1.2, §1.6).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::derived::render;
use super::faults::{self, Fault};
use super::http::{Fail, api_error, empty, json_response, spring_error, tracking_id};
use super::oauth::{Refusal, authenticate};
use super::payload::Payload;
use super::rules::{Bulk, KindRule, Patch, V1List, kind as rule_for};
use super::store::{Org, StaleVersion, State};
use super::{LogEntry, Shared, audio, bulk, export, incoming, lists, objects};

pub async fn handle(AxState(shared): AxState<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let headers = request.headers().clone();
    let payload = Payload::read(request).await;
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
    let logged_body = if write { payload.logged() } else { None };
    let print = faults::fingerprint(
        method.as_str(),
        &path,
        &query,
        logged_body
            .as_ref()
            .map(|b| b.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    let fault = if config_api {
        take_fault(&shared, false, &method, &path, &tracking, print)
    } else {
        None
    };
    if let Some(f) = &fault {
        faults::wait(f).await;
    }
    let (response, applied) = if config_api {
        serve(
            &shared,
            &method,
            &path,
            &query,
            &headers,
            &payload,
            &tracking,
            print,
            fault.as_ref(),
        )
    } else {
        (spring_error(StatusCode::NOT_FOUND, &path), false)
    };
    let response = match &fault {
        Some(f) => faults::shape(f, response).await,
        None => response,
    };
    // A dropped connection answers nothing: logged as status 0.
    let logged_status = match &fault {
        Some(f) if f.drop => 0,
        _ => response.status().as_u16(),
    };
    let seq = shared.log().counters.total;
    shared.record(
        LogEntry {
            seq,
            method: method.to_string(),
            path,
            query,
            status: logged_status,
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

/// Serves one configuration request: the answer and whether state changed. A `fault`
/// that hit it (already waited for) answers instead of the request, before or after it is
/// carried out; a drop or damaged body is applied to the answer by the caller.
#[allow(clippy::too_many_arguments)]
fn serve(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    payload: &Payload,
    tracking: &str,
    print: [u8; 32],
    fault: Option<&Fault>,
) -> (Response, bool) {
    let mut state = shared.state();
    if take_fault(shared, true, method, path, tracking, print).is_some() {
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
    if let Some(f) = fault
        && !f.after_applying
        && (f.status != 0 || f.drop)
    {
        return (faults::status_response(f.status, tracking), false);
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
        payload,
        tracking,
        settings_max,
    );
    let (response, applied) = match outcome {
        Ok((r, applied)) => (r, applied),
        Err(fail) => (fail.into_response(tracking, path), false),
    };
    if applied {
        shared.persist_changes(&mut state);
    }
    match fault {
        Some(f) if f.after_applying && f.status != 0 => {
            (faults::status_response(f.status, tracking), applied)
        }
        _ => (response, applied),
    }
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

/// The fault of the revoking kind (or not) that hits this request, if any.
pub(super) fn take_fault(
    shared: &Shared,
    revoking: bool,
    method: &Method,
    path: &str,
    tracking: &str,
    print: [u8; 32],
) -> Option<Fault> {
    let mut armed = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
    faults::take(&mut armed, revoking, method.as_str(), path, tracking, print)
}

/// Seconds to wait when this client has used up its window, else `None` (and the request
/// is counted). A client that comes back before its `Retry-After` has elapsed is refused
/// again (developer.webex.com rate limiting, docs/api-notes.md §1.7) and counted as an early
/// retry, unless the request arrived within a second of the 429: it was in flight.
pub(super) fn rate_limited(shared: &Shared, state: &State, client: &str) -> Option<u64> {
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

/// Where a request goes.
enum Route<'a> {
    List(&'static KindRule, &'a str),
    BareList(&'static KindRule),
    Create(&'static KindRule),
    Bulk(&'static KindRule, bulk::Mode),
    /// `GET <kind>/bulk-export` (§1.9).
    BulkExport(&'static KindRule, export::ExportRule),
    Get(&'static KindRule, &'a str),
    Put(&'static KindRule, &'a str),
    Patch(&'static KindRule, &'a str),
    Delete(&'static KindRule, &'a str),
    /// `DELETE dial-number`: every mapping of the org (§3.20).
    DeleteAll(&'static KindRule),
    /// The unprefixed `user-profile/{id}`: the old schema on read (§3.17).
    LegacyGet(&'static KindRule, &'a str),
    /// Writes to the unprefixed user-profile paths (§3.17).
    Decommissioned,
    Blob(&'a str),
    /// `GET <kind>/{id}/incoming-references` (§1.10).
    Incoming(&'static KindRule, &'a str),
    NotAllowed,
    NotFound,
}

fn is_version(s: &str) -> bool {
    matches!(s, "v1" | "v2" | "v3")
}

/// The kind a bulk path saves, and how: `POST <kind>/bulk`, user-profile's
/// `v3/…/bulk` and the queue's `…/v2/bulk`; `PATCH <kind>/bulk` where it exists; the
/// unprefixed `user-profile/bulk`, which answers but refuses every item (§1.8).
fn bulk_target(method: &Method, rest: &[&str]) -> Option<(&'static KindRule, bulk::Mode)> {
    if *method == Method::PATCH {
        return match rest {
            [kind, "bulk"] => rule_for(kind)
                .filter(|r| r.bulk_patch)
                .map(|r| (r, bulk::Mode::Patch)),
            _ => None,
        };
    }
    if *method != Method::POST {
        return None;
    }
    let rule = match rest {
        [version, kind, "bulk"] if is_version(version) => {
            rule_for(kind).filter(|r| r.item_prefix == Some(*version))
        }
        [kind, "bulk"] => match rule_for(kind) {
            Some(r) if r.item_prefix.is_some() => return Some((r, bulk::Mode::Decommissioned)),
            found => found,
        },
        [kind, "v2", "bulk"] => rule_for(kind).filter(|r| r.v2_item),
        _ => None,
    };
    rule.filter(|r| r.bulk != Bulk::None)
        .map(|r| (r, bulk::Mode::Save))
}

fn route<'a>(method: &Method, rest: &[&'a str]) -> Route<'a> {
    if let Some((rule, mode)) = bulk_target(method, rest) {
        return Route::Bulk(rule, mode);
    }
    match rest {
        ["blob", blob] if *method == Method::GET => Route::Blob(blob),
        [version, kind] if is_version(version) => match rule_for(kind) {
            None => Route::NotFound,
            Some(rule) => {
                let listed =
                    rule.list_version == *version || rule.alt_list_version == Some(*version);
                let creates = rule.creatable
                    && (rule.item_prefix == Some(*version) || (*version == "v2" && rule.v2_item));
                match *method {
                    Method::GET if listed => Route::List(rule, version),
                    Method::POST if creates => Route::Create(rule),
                    _ => Route::NotAllowed,
                }
            }
        },
        [version, kind, id] if is_version(version) => match rule_for(kind) {
            Some(rule) if rule.item_prefix == Some(*version) => item(method, rule, id),
            Some(rule) if *version == "v2" && rule.v2_item => match *method {
                Method::GET => Route::Get(rule, id),
                Method::PUT => Route::Put(rule, id),
                _ => Route::NotAllowed,
            },
            _ => Route::NotFound,
        },
        [version, ..] if is_version(version) => Route::NotFound,
        [kind] => match rule_for(kind) {
            None => Route::NotFound,
            Some(rule) if rule.item_prefix.is_some() => match *method {
                Method::POST => Route::Decommissioned,
                _ => Route::NotFound,
            },
            Some(rule) => match *method {
                Method::GET if rule.v1_list != V1List::None => Route::BareList(rule),
                Method::POST if rule.creatable => Route::Create(rule),
                Method::DELETE if rule.name == "dial-number" => Route::DeleteAll(rule),
                _ => Route::NotAllowed,
            },
        },
        [kind, "bulk-export"] if *method == Method::GET => rule_for(kind)
            .and_then(|rule| rule.bulk_export.map(|e| Route::BulkExport(rule, e)))
            .unwrap_or(Route::NotFound),
        [kind, id] => match rule_for(kind) {
            None => Route::NotFound,
            Some(rule) if rule.item_prefix.is_some() => match *method {
                Method::GET => Route::LegacyGet(rule, id),
                Method::PUT | Method::DELETE => Route::Decommissioned,
                _ => Route::NotAllowed,
            },
            Some(rule) => item(method, rule, id),
        },
        [kind, id, "incoming-references"] if *method == Method::GET && incoming::served(kind) => {
            match rule_for(kind) {
                Some(rule) => Route::Incoming(rule, id),
                None => Route::NotFound,
            }
        }
        // A sub-path nobody serves on a known kind is Spring's 405 (§1.6).
        [kind, ..] if rule_for(kind).is_some() => Route::NotAllowed,
        _ => Route::NotFound,
    }
}

fn item<'a>(method: &Method, rule: &'static KindRule, id: &'a str) -> Route<'a> {
    match *method {
        Method::GET => Route::Get(rule, id),
        Method::PUT => Route::Put(rule, id),
        Method::DELETE if rule.deletable => Route::Delete(rule, id),
        Method::PATCH if rule.patch != Patch::None => Route::Patch(rule, id),
        _ => Route::NotAllowed,
    }
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
    payload: &Payload,
    tracking: &str,
    max_page_size: u64,
) -> Result<(Response, bool), Fail> {
    let stale_version = state.settings.stale_version;
    let bulk_max_items = state.settings.bulk_max_items;
    let Some(org) = state.orgs.get_mut(org_id) else {
        return Ok((spring_error(StatusCode::NOT_FOUND, path), false));
    };
    let ok = |body: Value| json_response(StatusCode::OK, tracking, body);
    match route(method, rest) {
        Route::List(rule, version) => Ok((
            ok(lists::envelope(
                org,
                org_id,
                rule,
                version,
                query,
                max_page_size,
            )?),
            false,
        )),
        Route::BareList(rule) => Ok((ok(lists::bare(org, rule, query, max_page_size)?), false)),
        Route::BulkExport(rule, e) => Ok((ok(export::page(org, rule, e, query)?), false)),
        Route::Create(rule) => {
            let created = if rule.multipart {
                audio::create(shared, org, org_id, rule, payload)?
            } else {
                objects::create(shared, org, org_id, rule, payload.json_object()?)?
            };
            Ok((
                json_response(StatusCode::CREATED, tracking, render(org, rule, &created)),
                true,
            ))
        }
        Route::Bulk(rule, mode) => {
            let request = bulk::Request {
                rule,
                mode,
                max_items: bulk_max_items,
            };
            let (result, applied) =
                bulk::run(shared, org, org_id, &request, &payload.json_object()?)?;
            Ok((
                json_response(StatusCode::MULTI_STATUS, tracking, result),
                applied,
            ))
        }
        Route::Get(rule, id) => {
            let object = objects::find(org, rule, id)?;
            let mut rendered = render(org, rule, &object);
            if let (Some((flag, add)), Value::Object(m)) = (rule.details, &mut rendered)
                && query.get(flag).is_some_and(|v| v == "true")
            {
                add(org, m);
            }
            Ok((ok(rendered), false))
        }
        Route::Put(rule, id) => {
            if stale_version == StaleVersion::Reject {
                objects::check_version(org, rule, id, sent_version(payload).as_ref())?;
            }
            let updated = if rule.multipart {
                audio::replace(shared, org, rule, id, payload)?
            } else {
                objects::update(shared, org, rule, id, payload.json_object()?)?
            };
            Ok((ok(render(org, rule, &updated)), true))
        }
        Route::Patch(rule, id) => {
            let updated = objects::patch(shared, org, rule, id, payload.json()?)?;
            Ok((ok(render(org, rule, &updated)), true))
        }
        Route::Delete(rule, id) => {
            objects::delete(org, rule, id)?;
            Ok((empty(StatusCode::NO_CONTENT, tracking), true))
        }
        Route::DeleteAll(rule) => {
            let applied = org.remove_kind(rule.name);
            Ok((empty(StatusCode::NO_CONTENT, tracking), applied))
        }
        Route::LegacyGet(rule, id) => {
            let object = objects::find(org, rule, id)?;
            Ok((ok(legacy_user_profile(org, rule, object)), false))
        }
        Route::Decommissioned => Err(Fail::bad_request(
            "v2 user profile is decommissioned for this organization. Use the v3 user profile APIs",
        )),
        Route::Blob(blob) => Ok((audio::blob(org, blob, tracking)?, false)),
        Route::Incoming(rule, id) => Ok((
            ok(incoming::answer(
                org,
                org_id,
                rule,
                id,
                query,
                max_page_size,
            )?),
            false,
        )),
        Route::NotAllowed => Ok((spring_error(StatusCode::METHOD_NOT_ALLOWED, path), false)),
        Route::NotFound => Ok((spring_error(StatusCode::NOT_FOUND, path), false)),
    }
}

/// The `version` a write carries: in the JSON body, or in a multipart body's JSON part.
fn sent_version(payload: &Payload) -> Option<Value> {
    let logged = payload.logged()?;
    if let Some(v) = logged.get("version") {
        return Some(v.clone());
    }
    logged
        .as_object()?
        .values()
        .find_map(|part| part.get("version").cloned())
}

/// The unprefixed `user-profile/{id}` still reads, in the old schema: without the v3
/// access fields (§3.17).
fn legacy_user_profile(org: &Org, rule: &KindRule, object: Value) -> Value {
    let mut out = render(org, rule, &object);
    if let Value::Object(m) = &mut out {
        for f in [
            "permissionAccessLevel",
            "resourceAccessLevel",
            "permissions",
            "resourceCollections",
            "defaultResourceCollectionId",
            "editableFolderIds",
            "viewableFolderIds",
            "nonViewableFolderIds",
        ] {
            m.remove(f);
        }
    }
    out
}
