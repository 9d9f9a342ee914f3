//! `GET /organization/{orgid}/<kind>/bulk-export` (docs/api-notes.md §1.9): the org's
//! objects of a kind as the spec's `*BulkExportDTO`s, references given by name, in pages
//! of `{totalResources, pageNumber, pageSize, rel, resources}` with `rel` `next` while
//! more pages follow and `last` on the last. The page size has its own silent clamp
//! ([`MAX_EXPORT_PAGE_SIZE`]), smaller than the lists'. Served for the kinds whose rule
//! has a `bulk_export` row builder: the queue, whose DTO
//! (`ContactServiceQueueBulkExportDTO`) carries what its list rows leave out.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::http::Fail;
use super::rules::KindRule;
use super::store::Org;

/// How a stored object becomes its export row (`KindRule::bulk_export`).
pub type ExportRow = fn(&Org, &Value) -> Value;

/// The largest export page: the spec's default `pageSize` of the queue export (100).
pub const MAX_EXPORT_PAGE_SIZE: u64 = 100;

/// Fields of `ContactServiceQueueBulkExportDTO` copied as stored.
const QUEUE_FIELDS: &[&str] = &[
    "name",
    "description",
    "channelType",
    "routingType",
    "monitoringPermitted",
    "parkingPermitted",
    "recordingPermitted",
    "recordingAllCallsPermitted",
    "pauseRecordingPermitted",
    "recordingPauseDuration",
    "maxTimeInQueue",
    "timezone",
    "imiOrgType",
    "skillBasedRoutingType",
    "outdialCampaignEnabled",
    "queueRoutingType",
    "queueSkillRequirements",
    "agents",
    "manuallyAssignable",
    "queueLevelSummariesInclusion",
    "queueLevelSentimentAnalysisInclusion",
    "queueLevelPredictedWaitTimeInclusion",
    "queueLevelAutoCsatInclusion",
    "queueLevelRealTimeTranscriptionsInclusion",
    "assistantSkill",
];

/// One page of a kind's export.
pub fn page(
    org: &Org,
    rule: &KindRule,
    row: ExportRow,
    query: &HashMap<String, String>,
) -> Result<Value, Fail> {
    let number = |name: &str, default: u64| -> Result<u64, Fail> {
        match query.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| Fail::bad_request(format!("{name}: must be a non-negative number"))),
        }
    };
    let page = number("page", 0)?;
    let page_size = number("pageSize", MAX_EXPORT_PAGE_SIZE)?.clamp(1, MAX_EXPORT_PAGE_SIZE);
    let wanted_type = query.get("type");
    if let Some(t) = wanted_type
        && !matches!(t.as_str(), "INBOUND" | "OUTBOUND")
    {
        return Err(Fail::bad_request("type: must be INBOUND or OUTBOUND"));
    }
    let skip = page.saturating_mul(page_size).min(usize::MAX as u64) as usize;
    // Without `type` every object is a row: the page's objects are read, not the kind's.
    let (total, rows): (usize, Vec<&Value>) = match wanted_type {
        None => (
            org.count(rule.name),
            org.window(rule.name, skip, page_size as usize)
                .map(|(_, o)| o)
                .collect(),
        ),
        Some(t) => {
            let all: Vec<&Value> = org
                .all(rule.name)
                .map(|(_, o)| o)
                .filter(|o| o.get("queueType").and_then(Value::as_str) == Some(t))
                .collect();
            let total = all.len();
            (
                total,
                all.into_iter()
                    .skip(skip)
                    .take(page_size as usize)
                    .collect(),
            )
        }
    };
    let total = total as u64;
    let resources: Vec<Value> = rows.into_iter().map(|o| row(org, o)).collect();
    let rel = if page.saturating_add(1).saturating_mul(page_size) < total {
        "next"
    } else {
        "last"
    };
    Ok(json!({
        "totalResources": total,
        "pageNumber": page,
        "pageSize": page_size,
        "rel": rel,
        "resources": resources,
    }))
}

/// A stored queue as `ContactServiceQueueBulkExportDTO`: `type` for `queueType`,
/// `serviceLevelThreshold` as a string, distribution groups' teams as
/// `{teamName, siteName}`, skill requirements with the skill's name.
pub(super) fn queue_row(org: &Org, queue: &Value) -> Value {
    let mut row = Map::new();
    for field in QUEUE_FIELDS {
        if let Some(v) = queue.get(*field) {
            row.insert((*field).to_string(), v.clone());
        }
    }
    if let Some(t) = queue.get("queueType") {
        row.insert("type".into(), t.clone());
    }
    if let Some(n) = queue.get("serviceLevelThreshold") {
        let text = match n {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        row.insert("serviceLevelThreshold".into(), Value::String(text));
    }
    let name_of = |kind: &str, id: Option<&str>| {
        id.and_then(|id| org.get(kind, id))
            .and_then(|o| o.get("name"))
            .cloned()
    };
    if let Some(Value::Array(groups)) = queue.get("callDistributionGroups") {
        let groups: Vec<Value> = groups
            .iter()
            .map(|g| {
                let agent_groups: Vec<Value> = g
                    .get("agentGroups")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        let team_id = a.get("teamId").and_then(Value::as_str);
                        let team = team_id.and_then(|id| org.get("team", id));
                        let site_id = team.and_then(|t| t.get("siteId")).and_then(Value::as_str);
                        json!({
                            "teamName": name_of("team", team_id),
                            "siteName": name_of("site", site_id),
                        })
                    })
                    .collect();
                json!({
                    "agentGroups": agent_groups,
                    "order": g.get("order"),
                    "duration": g.get("duration"),
                })
            })
            .collect();
        row.insert("callDistributionGroups".into(), Value::Array(groups));
    }
    if let Some(Value::Array(reqs)) = queue.get("queueSkillRequirements") {
        let reqs: Vec<Value> = reqs
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if let Value::Object(m) = &mut r
                    && let Some(name) = name_of("skill", m.get("skillId").and_then(Value::as_str))
                {
                    m.insert("skillName".into(), name);
                }
                r
            })
            .collect();
        row.insert("queueSkillRequirements".into(), Value::Array(reqs));
    }
    Value::Object(row)
}
