//! Fetching whole reports under each API's rules (docs/data-notes.md §1–2):
//! - tasks: no page parameter, so the next request starts at the last `createdTime` seen
//!   and repeats are dropped by id, until a page comes back short;
//! - statistics: times aligned to the interval (the API rounds down to 15 minutes), spans
//!   under 24 hours per request, at most 100 ids per request;
//! - activities: spans under 24 hours, `to` not in the future, pages of 1000 up to the
//!   10 000 records a window can return (a fuller window is split in two), at most 100
//!   agent and team ids per request.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::time::{Range, ceil, floor, windows};
use crate::api::{ApiError, Client};

/// §1, §2: the largest `pageSize` tasks and activities take.
pub const PAGE_SIZE: usize = 1000;
/// §2: `to - from` must be less than this on statistics and activities.
pub const MAX_SPAN_MS: i64 = 86_400_000;
/// §2: ids per list parameter.
pub const MAX_IDS: usize = 100;
/// §2a/§2c: statistics times are rounded down to 15 minutes.
pub const STATS_ROUNDING_MS: i64 = 900_000;
/// §2b: records one activities window can return, whatever the paging.
pub const MAX_ACTIVITY_RECORDS: usize = 10_000;
/// A bound on requests for one report, so a misbehaving server cannot keep us paging.
const MAX_REQUESTS: usize = 100_000;

fn decode(path: &str, message: impl Into<String>) -> ApiError {
    ApiError::Decode {
        method: "GET".into(),
        path: path.to_string(),
        tracking_id: String::new(),
        message: message.into(),
    }
}

/// The `data` array of a `{meta, data}` answer.
fn data(path: &str, body: Value) -> Result<Vec<Map<String, Value>>, ApiError> {
    match body {
        Value::Object(mut m) => match m.remove("data") {
            Some(Value::Array(items)) => Ok(items
                .into_iter()
                .filter_map(|v| match v {
                    Value::Object(o) => Some(o),
                    _ => None,
                })
                .collect()),
            _ => Err(decode(path, "the answer has no `data` array")),
        },
        _ => Err(decode(path, "the answer is not a JSON object")),
    }
}

fn pair(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// `ids` in chunks the API accepts; one empty chunk (no filter) when there are none.
fn chunks(ids: &[String]) -> Vec<Vec<String>> {
    if ids.is_empty() {
        vec![Vec::new()]
    } else {
        ids.chunks(MAX_IDS).map(<[String]>::to_vec).collect()
    }
}

/// Every task created in `range`, oldest first (§1).
pub async fn tasks(
    client: &Client,
    range: Range,
    channels: &[String],
) -> Result<Vec<Map<String, Value>>, ApiError> {
    const PATH: &str = "/v1/tasks";
    let mut out = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut from = range.from;
    for _ in 0..MAX_REQUESTS {
        let mut query = vec![
            pair("from", from),
            pair("to", range.to),
            pair("pageSize", PAGE_SIZE),
        ];
        if !channels.is_empty() {
            query.push(pair("channelTypes", channels.join(",")));
        }
        let page = data(PATH, client.get_json(PATH, &query).await?)?;
        let full = page.len() >= PAGE_SIZE;
        let mut new = 0;
        let mut last = from;
        for task in page {
            let id = task.get("id").and_then(Value::as_str).unwrap_or_default();
            if let Some(created) = task
                .get("attributes")
                .and_then(|a| a.get("createdTime"))
                .and_then(Value::as_i64)
            {
                last = last.max(created);
            }
            if !id.is_empty() && seen.insert(id.to_string()) {
                out.push(task);
                new += 1;
            }
        }
        if !full {
            return Ok(out);
        }
        if new == 0 {
            return Err(decode(
                PATH,
                format!(
                    "a full page brought no new task at createdTime {last}: more than {PAGE_SIZE} tasks share one millisecond, which the API cannot page past"
                ),
            ));
        }
        from = last;
    }
    Err(decode(PATH, "too many pages"))
}

/// Which statistics.
#[derive(Clone, Copy, Debug)]
pub enum Statistics {
    Queues,
    Agents,
}

impl Statistics {
    fn path(self) -> &'static str {
        match self {
            Statistics::Queues => "/v1/queues/statistics",
            Statistics::Agents => "/v1/agents/statistics",
        }
    }

    fn ids_param(self) -> &'static str {
        match self {
            Statistics::Queues => "queueIds",
            Statistics::Agents => "agentIds",
        }
    }
}

/// The requests a statistics report takes: `range` aligned to `interval_minutes`
/// (start rounded down, end rounded up so the interval holding `to` is included), cut
/// into the longest whole-interval windows under 24 hours.
pub fn statistics_windows(range: Range, interval_minutes: i64) -> Vec<Range> {
    let step = (interval_minutes * 60_000).max(STATS_ROUNDING_MS);
    let aligned = Range {
        from: floor(range.from, step),
        to: ceil(range.to, step),
    };
    let span = ((MAX_SPAN_MS - 1) / step) * step;
    windows(aligned, span)
}

/// Statistics for every interval of `range`, by queue or agent (`ids`; empty = all).
pub async fn statistics(
    client: &Client,
    which: Statistics,
    range: Range,
    interval_minutes: i64,
    ids: &[String],
) -> Result<Vec<Map<String, Value>>, ApiError> {
    let path = which.path();
    let mut out = Vec::new();
    for window in statistics_windows(range, interval_minutes) {
        for chunk in chunks(ids) {
            let mut query = vec![
                pair("from", window.from),
                pair("to", window.to),
                pair("interval", interval_minutes),
            ];
            if !chunk.is_empty() {
                query.push(pair(which.ids_param(), chunk.join(",")));
            }
            out.extend(data(path, client.get_json(path, &query).await?)?);
        }
    }
    out.sort_by_key(|r| {
        r.get("intervalStartTime")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    });
    Ok(out)
}

/// Agent activities started in `range` (its end clamped to `now`), oldest first.
pub async fn activities(
    client: &Client,
    range: Range,
    now: i64,
    agent_ids: &[String],
    team_ids: &[String],
    channels: &[String],
) -> Result<Vec<Map<String, Value>>, ApiError> {
    let range = Range {
        from: range.from,
        to: range.to.min(now),
    };
    let mut out = Vec::new();
    // Equal windows, as few as the span limit allows.
    let length = (range.to - range.from).max(1);
    let count = (length + MAX_SPAN_MS - 2) / (MAX_SPAN_MS - 1);
    let mut pending: Vec<Range> = windows(range, (length + count - 1) / count.max(1));
    pending.reverse();
    let mut requests = 0;
    while let Some(window) = pending.pop() {
        let mut rows = Vec::new();
        let mut split = false;
        'chunks: for agents in chunks(agent_ids) {
            for teams in chunks(team_ids) {
                for page in 0.. {
                    if (page + 1) * PAGE_SIZE > MAX_ACTIVITY_RECORDS {
                        split = true;
                        break 'chunks;
                    }
                    requests += 1;
                    if requests > MAX_REQUESTS {
                        return Err(decode("/v1/agents/activities", "too many pages"));
                    }
                    let got =
                        activity_page(client, window, &agents, &teams, channels, page).await?;
                    let short = got.len() < PAGE_SIZE;
                    rows.extend(got);
                    if short {
                        break;
                    }
                }
            }
        }
        if split && window.to - window.from > 1 {
            // More than a window can return: read its halves instead.
            let mid = window.from + (window.to - window.from) / 2;
            pending.push(Range {
                from: mid,
                to: window.to,
            });
            pending.push(Range {
                from: window.from,
                to: mid,
            });
            continue;
        }
        if split {
            return Err(decode(
                "/v1/agents/activities",
                "more than 10000 activities in one millisecond",
            ));
        }
        out.extend(rows);
    }
    out.sort_by_key(|r| r.get("startTime").and_then(Value::as_i64).unwrap_or(0));
    Ok(out)
}

async fn activity_page(
    client: &Client,
    window: Range,
    agents: &[String],
    teams: &[String],
    channels: &[String],
    page: usize,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    const PATH: &str = "/v1/agents/activities";
    let mut query = vec![
        pair("from", window.from),
        pair("to", window.to),
        pair("pageSize", PAGE_SIZE),
        pair("page", page),
    ];
    if !agents.is_empty() {
        query.push(pair("agentIds", agents.join(",")));
    }
    if !teams.is_empty() {
        query.push(pair("teamIds", teams.join(",")));
    }
    if !channels.is_empty() {
        query.push(pair("channelTypes", channels.join(",")));
    }
    data(PATH, client.get_json(PATH, &query).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_windows_are_aligned_and_under_a_day() {
        let hour = 3_600_000;
        // 00:05 → 72:50 with 15-minute intervals: 00:00 → 73:00.
        let w = statistics_windows(
            Range {
                from: 300_000,
                to: 72 * hour + 3_000_000,
            },
            15,
        );
        assert_eq!(w.first().map(|r| r.from), Some(0));
        assert_eq!(w.last().map(|r| r.to), Some(73 * hour));
        assert!(w.iter().all(|r| r.to - r.from < MAX_SPAN_MS));
        assert!(
            w.iter()
                .all(|r| r.from % STATS_ROUNDING_MS == 0 && r.to % STATS_ROUNDING_MS == 0)
        );
        assert!(w.windows(2).all(|p| p[0].to == p[1].from));
        assert_eq!(w.len(), 4);
        let hourly = statistics_windows(
            Range {
                from: 0,
                to: 48 * hour,
            },
            60,
        );
        assert!(
            hourly
                .iter()
                .all(|r| r.from % hour == 0 && r.to - r.from <= 23 * hour)
        );
    }

    #[test]
    fn ids_are_chunked_by_the_api_maximum() {
        let ids: Vec<String> = (0..201).map(|i| i.to_string()).collect();
        let c = chunks(&ids);
        assert_eq!(
            c.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![100, 100, 1]
        );
        assert_eq!(chunks(&[]), vec![Vec::<String>::new()]);
    }
}
