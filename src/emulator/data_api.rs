//! The reporting APIs on the regional host: `GET /v1/tasks`, `/v1/queues/statistics`,
//! `/v1/agents/statistics` and `/v1/agents/activities` (docs/data-notes.md §1–2), served
//! from the org's synthetic activity (`activity.rs`). Parameters are checked as the
//! service checks them (required times, the 24-hour span, page sizes, id-list lengths,
//! channel enums), statistics times are rounded down to 15 minutes, and errors use the
//! data APIs' `ApiErrorResponse` body (§7).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::activity::SyntheticTask;
use super::config_api::rate_limited;
use super::graphql;
use super::http::{empty, json_response, now_ms, tracking_id};
use super::oauth::{Refusal, authenticate};
use super::store::Org;

/// §2: `to - from` must stay under a day on statistics and activities.
const MAX_SPAN_MS: i64 = 86_400_000;
/// §2: statistics times are rounded down to this.
const ROUND_MS: i64 = 900_000;
/// §1, §2: the most ids one list parameter takes.
const MAX_IDS: usize = 100;
/// §2b: the most records one activities window returns, whatever the paging.
const MAX_ACTIVITY_RECORDS: i64 = 10_000;
const CHANNELS: &[&str] = &["email", "chat", "telephony", "social"];

type Query = HashMap<String, String>;
/// Serves one request: the org, its id, the query parameters and the time now.
pub(super) type Handler<'a> = &'a dyn Fn(&Org, &str, &Query, i64) -> Result<Value, DataFail>;

/// A refusal: the status and the description the body carries.
pub struct DataFail(StatusCode, String);

pub(super) fn bad(text: impl Into<String>) -> DataFail {
    DataFail(StatusCode::BAD_REQUEST, text.into())
}

/// The data APIs' error body: `{trackingId, error: {key, message: [{description}]}}` (§7).
fn data_error(status: StatusCode, tracking: &str, description: &str) -> Response {
    json_response(
        status,
        tracking,
        json!({
            "trackingId": tracking,
            "error": {"key": status.as_u16().to_string(), "message": [{"description": description}]},
        }),
    )
}

pub async fn tasks(shared: AxState<Arc<Shared>>, request: Request) -> Response {
    serve(shared, request, None, &enveloped(tasks_body))
}

pub async fn queue_statistics(shared: AxState<Arc<Shared>>, request: Request) -> Response {
    serve(shared, request, None, &enveloped(queue_statistics_body))
}

pub async fn agent_statistics(shared: AxState<Arc<Shared>>, request: Request) -> Response {
    serve(shared, request, None, &enveloped(agent_statistics_body))
}

pub async fn agent_activities(shared: AxState<Arc<Shared>>, request: Request) -> Response {
    serve(shared, request, None, &enveloped(activities_body))
}

/// The largest search request read.
const MAX_SEARCH_BODY: usize = 1024 * 1024;

/// `POST /search` (§4): `{query, variables?}`; GraphQL errors come back with status 200
/// and an `errors` array, as GraphQL servers answer them.
pub async fn search(shared: AxState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_SEARCH_BODY)
        .await
        .unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
    let request = Request::from_parts(parts, axum::body::Body::empty());
    let logged = parsed.clone();
    let handler = move |org: &Org, _: &str, _: &Query, now: i64| -> Result<Value, DataFail> {
        let body = parsed
            .as_ref()
            .ok_or_else(|| bad("the body must be a JSON SearchRequest {query, variables}"))?;
        let query = body
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("query: must not be null"))?;
        let variables = match body.get("variables") {
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(bad("variables: must be an object")),
        };
        Ok(
            match graphql::execute(query, &variables, &org.activity, now) {
                Ok(v) => v,
                Err(e) => e.body(),
            },
        )
    };
    serve(shared, request, logged, &handler)
}

/// A handler whose `data` goes into the `{meta: {orgId}, data}` envelope.
fn enveloped(
    body: fn(&Org, &Query, i64) -> Result<Value, DataFail>,
) -> impl Fn(&Org, &str, &Query, i64) -> Result<Value, DataFail> {
    move |org, org_id, query, now| {
        body(org, query, now).map(|data| json!({"meta": {"orgId": org_id}, "data": data}))
    }
}

/// Credentials, rate limit, scope and org first (as on the config API), then the handler;
/// every request is logged.
pub(super) fn serve(
    AxState(shared): AxState<Arc<Shared>>,
    request: Request,
    body: Option<Value>,
    handler: Handler<'_>,
) -> Response {
    let path = request.uri().path().to_string();
    let raw_query = request.uri().query().unwrap_or("").to_string();
    let headers = request.headers().clone();
    let tracking = tracking_id(&headers);
    let response = answer(&shared, &headers, &raw_query, &tracking, handler);
    shared.record_other(
        request.method().as_str(),
        &path,
        &raw_query,
        response.status().as_u16(),
        Some(&headers),
        body,
    );
    response
}

fn answer(
    shared: &Shared,
    headers: &HeaderMap,
    raw_query: &str,
    tracking: &str,
    handler: Handler,
) -> Response {
    let state = shared.state();
    let grant = match authenticate(headers, &state) {
        Ok(g) => g,
        Err(Refusal::Malformed(why)) => return data_error(StatusCode::BAD_REQUEST, tracking, why),
        Err(Refusal::Unauthorized(why)) => {
            return data_error(StatusCode::UNAUTHORIZED, tracking, why);
        }
    };
    if let Some(seconds) = rate_limited(shared, &state, &grant.client_id) {
        let mut r = empty(StatusCode::TOO_MANY_REQUESTS, tracking);
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            r.headers_mut().insert("Retry-After", v);
        }
        return r;
    }
    if !reporting_scope(&grant.scopes) {
        return data_error(
            StatusCode::FORBIDDEN,
            tracking,
            "Access denied - the token lacks the cjp:config_read (or cjp:config) scope",
        );
    }
    let query: Query = url::form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    if query.get("orgId").is_some_and(|o| *o != grant.org) {
        return data_error(
            StatusCode::FORBIDDEN,
            tracking,
            "Access denied - Client is forbidden access to the resource",
        );
    }
    let Some(org) = state.orgs.get(&grant.org) else {
        return data_error(StatusCode::NOT_FOUND, tracking, "Organization not found");
    };
    match handler(org, &grant.org, &query, now_ms()) {
        Ok(body) => json_response(StatusCode::OK, tracking, body),
        Err(DataFail(status, text)) => data_error(status, tracking, &text),
    }
}

/// §6: the reporting APIs take `cjp:config` or `cjp:config_read`; a write-only token is refused.
pub fn reporting_scope(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|s| s == "cjp:config" || s == "cjp:config_read")
}

fn int(query: &Query, name: &str) -> Result<Option<i64>, DataFail> {
    match query.get(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad(format!("{name}: '{v}' is not a valid number"))),
    }
}

fn required(query: &Query, name: &str) -> Result<i64, DataFail> {
    int(query, name)?.ok_or_else(|| bad(format!("Required parameter '{name}' is not present")))
}

/// A comma-separated list parameter (spaces after commas tolerated, §2a).
fn list(query: &Query, name: &str) -> Result<Vec<String>, DataFail> {
    let items: Vec<String> = query
        .get(name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if items.len() > MAX_IDS {
        return Err(bad(format!(
            "{name}: at most {MAX_IDS} values are allowed, got {}",
            items.len()
        )));
    }
    Ok(items)
}

fn channels(query: &Query) -> Result<Vec<String>, DataFail> {
    let items = list(query, "channelTypes")?;
    if let Some(bad_one) = items.iter().find(|c| !CHANNELS.contains(&c.as_str())) {
        return Err(bad(format!(
            "channelTypes: '{bad_one}' is not one of email, chat, telephony, social"
        )));
    }
    Ok(items)
}

fn page_size(query: &Query) -> Result<i64, DataFail> {
    let size = int(query, "pageSize")?.unwrap_or(100);
    if !(1..=1000).contains(&size) {
        return Err(bad("pageSize must be between 1 and 1000"));
    }
    Ok(size)
}

/// `from`/`to` of statistics and activities: present, ordered, under a day apart.
fn span(from: i64, to: i64) -> Result<(), DataFail> {
    if to <= from {
        return Err(bad("'to' must be after 'from'"));
    }
    if to - from >= MAX_SPAN_MS {
        return Err(bad(
            "the time range between 'from' and 'to' must be less than 24 hours",
        ));
    }
    Ok(())
}

/// §1: tasks created in `[from, to)`, oldest first, at most `pageSize`.
fn tasks_body(org: &Org, query: &Query, now: i64) -> Result<Value, DataFail> {
    let from = required(query, "from")?;
    let to = int(query, "to")?.unwrap_or(now);
    if to < from {
        return Err(bad("'to' must not be before 'from'"));
    }
    let channels = channels(query)?;
    let size = page_size(query)?;
    let rows: Vec<Value> = org
        .activity
        .iter()
        .filter(|t| t.created_time >= from && t.created_time < to && t.created_time <= now)
        .filter(|t| channels.is_empty() || channels.contains(&t.channel_type))
        .take(size as usize)
        .map(|t| task_json(t, now))
        .collect();
    Ok(Value::Array(rows))
}

fn task_json(t: &SyntheticTask, now: i64) -> Value {
    json!({
        "id": t.id,
        "attributes": {
            "owner": {"id": t.agent_id, "name": t.agent_name},
            "queue": {"id": t.queue_id, "name": t.queue_name},
            "channelType": t.channel_type,
            "status": t.status(now),
            "createdTime": t.created_time,
            "lastUpdatedTime": t.last_updated_time().min(now),
            "captureRequested": t.capture_requested,
            "origin": t.origin,
            "destination": t.destination,
            "direction": "inbound",
        }
    })
}

/// §2a/§2c: rounded times and the interval buckets they cover.
fn statistics_window(query: &Query) -> Result<(i64, i64, i64), DataFail> {
    let from = required(query, "from")?;
    let to = required(query, "to")?;
    span(from, to)?;
    let interval = int(query, "interval")?.unwrap_or(15);
    if ![15, 30, 60].contains(&interval) {
        return Err(bad("interval must be one of 15, 30 or 60"));
    }
    let from = from.div_euclid(ROUND_MS) * ROUND_MS;
    let to = to.div_euclid(ROUND_MS) * ROUND_MS;
    Ok((from, to, interval * 60_000))
}

/// The bucket start for `time`, when it falls in `[from, to)`.
fn bucket(time: i64, from: i64, to: i64, step: i64) -> Option<i64> {
    (time >= from && time < to).then(|| from + (time - from).div_euclid(step) * step)
}

#[derive(Default)]
struct QueueBucket {
    offered: i64,
    accepted: i64,
    abandoned: i64,
    enqueued_ms: i64,
    within_service_level: i64,
    handled: i64,
    handled_ms: i64,
}

fn queue_statistics_body(org: &Org, query: &Query, now: i64) -> Result<Value, DataFail> {
    let (from, to, step) = statistics_window(query)?;
    let ids = list(query, "queueIds")?;
    let mut buckets: BTreeMap<(i64, String, String), QueueBucket> = BTreeMap::new();
    for t in org.activity.iter().filter(|t| t.created_time <= now) {
        if !ids.is_empty() && !ids.contains(&t.queue_id) {
            continue;
        }
        let threshold = org
            .get("contact-service-queue", &t.queue_id)
            .and_then(|q| q.get("serviceLevelThreshold"))
            .and_then(Value::as_i64)
            .unwrap_or(30)
            * 1000;
        // Start-time statistics count where the contact began, end-time ones where it ended.
        if let Some(start) = bucket(t.created_time, from, to, step) {
            let b = buckets
                .entry((start, t.queue_id.clone(), t.channel_type.clone()))
                .or_default();
            b.offered += 1;
            b.enqueued_ms += t.queued_ms;
            if t.abandoned() {
                b.abandoned += 1;
            } else {
                b.accepted += 1;
                if t.queued_ms <= threshold {
                    b.within_service_level += 1;
                }
            }
        }
        if !t.abandoned()
            && t.ended_time() <= now
            && let Some(end) = bucket(t.ended_time(), from, to, step)
        {
            let b = buckets
                .entry((end, t.queue_id.clone(), t.channel_type.clone()))
                .or_default();
            b.handled += 1;
            b.handled_ms += t.connected_ms + t.hold_ms;
        }
    }
    let names: HashMap<&str, &str> = org
        .activity
        .iter()
        .map(|t| (t.queue_id.as_str(), t.queue_name.as_str()))
        .collect();
    let rows = buckets
        .into_iter()
        .map(|((start, queue, channel), b)| {
            json!({
                "intervalStartTime": start,
                "queueId": queue,
                "queueName": names.get(queue.as_str()).copied().unwrap_or_default(),
                "channelType": channel,
                "totalOfferedTasks": b.offered,
                "totalEnqueuedTasks": b.offered,
                "totalAssignedTasks": 0,
                "totalAcceptedTasks": b.accepted,
                "totalRejectedTasks": 0,
                "totalAbandonedTasks": b.abandoned,
                "averageEnqueuedTime": average(b.enqueued_ms, b.offered),
                "averageHandledTime": average(b.handled_ms, b.handled),
                "serviceLevelThresholdPercentage": if b.offered == 0 { 0.0 } else {
                    100.0 * b.within_service_level as f64 / b.offered as f64
                },
            })
        })
        .collect();
    Ok(Value::Array(rows))
}

fn average(total: i64, count: i64) -> f64 {
    if count == 0 {
        0.0
    } else {
        total as f64 / count as f64
    }
}

#[derive(Default)]
struct AgentBucket {
    offered: i64,
    accepted: i64,
    engaged_ms: i64,
    hold_ms: i64,
    wrapup_ms: i64,
    handled: i64,
}

fn agent_statistics_body(org: &Org, query: &Query, now: i64) -> Result<Value, DataFail> {
    let (from, to, step) = statistics_window(query)?;
    let ids = list(query, "agentIds")?;
    let mut buckets: BTreeMap<(i64, String), BTreeMap<String, AgentBucket>> = BTreeMap::new();
    let mut who: HashMap<&str, (&str, &str, &str)> = HashMap::new();
    for t in org.activity.iter().filter(|t| !t.abandoned()) {
        if !ids.is_empty() && !ids.contains(&t.agent_id) {
            continue;
        }
        who.insert(&t.agent_id, (&t.agent_name, &t.team_id, &t.team_name));
        if t.answered_time() <= now
            && let Some(start) = bucket(t.answered_time(), from, to, step)
        {
            let b = buckets
                .entry((start, t.agent_id.clone()))
                .or_default()
                .entry(t.channel_type.clone())
                .or_default();
            b.offered += 1;
            b.accepted += 1;
        }
        if t.last_updated_time() <= now
            && let Some(end) = bucket(t.ended_time(), from, to, step)
        {
            let b = buckets
                .entry((end, t.agent_id.clone()))
                .or_default()
                .entry(t.channel_type.clone())
                .or_default();
            b.handled += 1;
            b.engaged_ms += t.connected_ms;
            b.hold_ms += t.hold_ms;
            b.wrapup_ms += t.wrapup_ms;
        }
    }
    let rows = buckets
        .into_iter()
        .map(|((start, agent), channels)| {
            let (name, team, team_name) = who.get(agent.as_str()).copied().unwrap_or_default();
            let channels: Vec<Value> = channels
                .into_iter()
                .map(|(channel, b)| {
                    json!({
                        "channelType": channel,
                        "totalAssignedTasks": b.accepted,
                        "totalOfferedTasks": b.offered,
                        "totalAcceptedTasks": b.accepted,
                        "totalRejectedTasks": 0,
                        "totalTransferredTasks": 0,
                        "totalEngagedDuration": b.engaged_ms,
                        "totalHoldDuration": b.hold_ms,
                        "totalWrapUpDuration": b.wrapup_ms,
                        "totalAvailableTime": 0,
                        "totalUnAvailableTime": 0,
                        "averageHandledTime": average(b.engaged_ms + b.hold_ms + b.wrapup_ms, b.handled),
                    })
                })
                .collect();
            json!({
                "intervalStartTime": start,
                "agentId": agent,
                "agentName": name,
                "teamId": team,
                "teamName": team_name,
                "channels": channels,
            })
        })
        .collect();
    Ok(Value::Array(rows))
}

/// §2b: the activities each task gives its agent (connected, then wrap-up) and a login
/// activity before each agent's first task of a UTC day; sorted by start time.
fn activity_records(org: &Org, now: i64) -> Vec<Value> {
    let mut records: Vec<(i64, Value)> = Vec::new();
    let mut first_of_day: BTreeMap<(String, i64), &SyntheticTask> = BTreeMap::new();
    for t in org.activity.iter().filter(|t| !t.abandoned()) {
        let day = t.answered_time().div_euclid(MAX_SPAN_MS);
        first_of_day
            .entry((t.agent_id.clone(), day))
            .and_modify(|f| {
                if t.answered_time() < f.answered_time() {
                    *f = t;
                }
            })
            .or_insert(t);
        let base = |state: &str, start: i64, end: i64| {
            let active = end > now;
            json!({
                "active": active,
                "agentId": t.agent_id, "agentDn": "", "agentLogin": t.agent_id,
                "agentSessionId": format!("{}-{}", t.agent_id, day),
                "agentName": t.agent_name, "currentState": state,
                "siteId": t.site_id, "siteName": t.site_name,
                "teamId": t.team_id, "teamName": t.team_name,
                "isLogin": 0, "taskId": t.id, "channelId": "", "channelType": t.channel_type,
                "subChannelType": "", "idleCodeName": "", "idleCode": "",
                "queueId": t.queue_id, "queueName": t.queue_name,
                "wrapupCodeName": "", "reason": "",
                "startTime": start, "endTime": if active { -1 } else { end },
                "mmProfileType": "blended",
            })
        };
        records.push((
            t.answered_time(),
            base("connected", t.answered_time(), t.ended_time()),
        ));
        records.push((
            t.ended_time(),
            base("wrapup", t.ended_time(), t.last_updated_time()),
        ));
    }
    for ((agent, day), t) in first_of_day {
        let start = t.answered_time() - 900_000;
        records.push((
            start,
            json!({
                "active": false,
                "agentId": agent, "agentDn": "", "agentLogin": agent,
                "agentSessionId": format!("{agent}-{day}"),
                "agentName": t.agent_name, "currentState": "available",
                "siteId": t.site_id, "siteName": t.site_name,
                "teamId": t.team_id, "teamName": t.team_name,
                "isLogin": 1, "taskId": "", "channelId": "", "channelType": t.channel_type,
                "subChannelType": "", "idleCodeName": "", "idleCode": "",
                "queueId": "", "queueName": "", "wrapupCodeName": "", "reason": "",
                "startTime": start, "endTime": t.answered_time(), "mmProfileType": "blended",
            }),
        ));
    }
    records.sort_by_key(|a| a.0);
    records.into_iter().map(|(_, v)| v).collect()
}

fn activities_body(org: &Org, query: &Query, now: i64) -> Result<Value, DataFail> {
    let from = required(query, "from")?;
    let to = int(query, "to")?.unwrap_or(now);
    if to > now + 60_000 {
        return Err(bad("to timestamp should not be more than the current time"));
    }
    span(from, to)?;
    let agents = list(query, "agentIds")?;
    let teams = list(query, "teamIds")?;
    let channels = channels(query)?;
    let size = page_size(query)?;
    let page = int(query, "page")?.unwrap_or(0);
    if page < 0 {
        return Err(bad("page must not be negative"));
    }
    if page * size >= MAX_ACTIVITY_RECORDS {
        return Err(bad(format!(
            "at most {MAX_ACTIVITY_RECORDS} records can be read for one from/to range; narrow the range"
        )));
    }
    let field = |v: &Value, f: &str| v.get(f).and_then(Value::as_str).unwrap_or("").to_string();
    let rows: Vec<Value> = activity_records(org, now)
        .into_iter()
        .filter(|r| {
            let start = r.get("startTime").and_then(Value::as_i64).unwrap_or(0);
            start >= from && start < to
        })
        .filter(|r| agents.is_empty() || agents.contains(&field(r, "agentId")))
        .filter(|r| teams.is_empty() || teams.contains(&field(r, "teamId")))
        .filter(|r| channels.is_empty() || channels.contains(&field(r, "channelType")))
        .take(MAX_ACTIVITY_RECORDS as usize)
        .skip((page * size) as usize)
        .take(size as usize)
        .collect();
    Ok(Value::Array(rows))
}
