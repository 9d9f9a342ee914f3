//! `GET /organization/{orgid}/<kind>/bulk-export` (docs/api-notes.md §1.9): the org's
//! objects of a kind as the spec's `*BulkExportDTO`s, references given by name, in pages
//! of `{totalResources, pageNumber, pageSize, rel, resources}` with `rel` `next` while
//! more pages follow and `last` on the last. Each export's page size has its own silent
//! clamp (`ExportRule::max_page_size`, the spec's default for it), apart from the lists'.
//! Served for the kinds whose rule has an `ExportRule`: the queue, business hours, the
//! outdial ANI and the agent profile, whose DTOs carry what their list rows leave out.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::http::Fail;
use super::rules::KindRule;
use super::store::Org;

/// How a kind's export is served (`KindRule::bulk_export`).
#[derive(Clone, Copy)]
pub struct ExportRule {
    /// How a stored object becomes its export row.
    pub row: fn(&Org, &Value) -> Value,
    /// The largest page served: the spec's default `pageSize` of this export [INFER].
    pub max_page_size: u64,
    /// The stored field `?type=INBOUND|OUTBOUND` filters on, for exports that take it.
    pub type_field: Option<&'static str>,
}

pub const QUEUE_EXPORT: ExportRule = ExportRule {
    row: queue_row,
    max_page_size: 100,
    type_field: Some("queueType"),
};

pub const BUSINESS_HOURS_EXPORT: ExportRule = ExportRule {
    row: business_hours_row,
    max_page_size: 10,
    type_field: None,
};

pub const OUTDIAL_ANI_EXPORT: ExportRule = ExportRule {
    row: outdial_ani_row,
    max_page_size: 50,
    type_field: None,
};

pub const AGENT_PROFILE_EXPORT: ExportRule = ExportRule {
    row: agent_profile_row,
    max_page_size: 100,
    type_field: None,
};

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
    export: ExportRule,
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
    let max = export.max_page_size;
    let page_size = number("pageSize", max)?.clamp(1, max);
    let wanted_type = export.type_field.zip(query.get("type"));
    if let Some((_, t)) = wanted_type
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
        Some((field, t)) => {
            let all: Vec<&Value> = org
                .all(rule.name)
                .map(|(_, o)| o)
                .filter(|o| o.get(field).and_then(Value::as_str) == Some(t))
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
    let resources: Vec<Value> = rows.into_iter().map(|o| (export.row)(org, o)).collect();
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
fn queue_row(org: &Org, queue: &Value) -> Value {
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
                        let team = a
                            .get("teamId")
                            .and_then(Value::as_str)
                            .and_then(|id| org.get("team", id));
                        json!({
                            "teamName": name_of(org, "team", a.get("teamId")),
                            "siteName": name_of(org, "site", team.and_then(|t| t.get("siteId"))),
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
                    && let Some(name) = name_of(org, "skill", m.get("skillId"))
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

/// The `name` of the stored `kind` object with this id.
fn name_of(org: &Org, kind: &str, id: Option<&Value>) -> Option<Value> {
    id.and_then(Value::as_str)
        .and_then(|id| org.get(kind, id))
        .and_then(|o| o.get("name"))
        .cloned()
}

/// The names of the stored `kind` objects with these ids (ids no object has are left out).
fn names_of(org: &Org, kind: &str, ids: Option<&Value>) -> Value {
    Value::Array(
        ids.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|id| name_of(org, kind, Some(id)))
            .collect(),
    )
}

/// Teams as `SiteTeamPairDTO` `{siteName, teamName}`.
fn team_pairs(org: &Org, ids: Option<&Value>) -> Value {
    Value::Array(
        ids.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|id| {
                let team = org.get("team", id.as_str()?)?;
                Some(json!({
                    "siteName": name_of(org, "site", team.get("siteId")),
                    "teamName": team.get("name"),
                }))
            })
            .collect(),
    )
}

/// Copies the `fields` `from` has into `row`.
fn copy(row: &mut Map<String, Value>, from: &Value, fields: &[&str]) {
    for field in fields {
        if let Some(v) = from.get(*field) {
            row.insert((*field).to_string(), v.clone());
        }
    }
}

/// A stored business-hours object as `BusinessHoursBulkExportDTO`: the holiday list and
/// overrides by name, working hours as `{workingHourName, startTime, endTime, days}`.
fn business_hours_row(org: &Org, hours: &Value) -> Value {
    let mut row = Map::new();
    copy(&mut row, hours, &["name", "description", "timezone"]);
    if let Some(name) = name_of(org, "holiday-list", hours.get("holidaysId")) {
        row.insert("holidayName".into(), name);
    }
    if let Some(name) = name_of(org, "overrides", hours.get("overridesId")) {
        row.insert("overrideName".into(), name);
    }
    let working: Vec<Value> = hours
        .get("workingHours")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|w| {
            let mut entry = Map::new();
            if let Some(name) = w.get("name") {
                entry.insert("workingHourName".into(), name.clone());
            }
            copy(&mut entry, w, &["startTime", "endTime", "days"]);
            Value::Object(entry)
        })
        .collect();
    row.insert("workingHours".into(), Value::Array(working));
    Value::Object(row)
}

/// A stored outdial ANI as `OutdialANIBulkExportDTO`: its entries as
/// `{entryName, entryNumber}` (the default flag is not in the DTO).
fn outdial_ani_row(_: &Org, ani: &Value) -> Value {
    let mut row = Map::new();
    copy(&mut row, ani, &["name", "description"]);
    let entries: Vec<Value> = ani
        .get("outdialANIEntries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| json!({"entryName": e.get("name"), "entryNumber": e.get("number")}))
        .collect();
    row.insert("entryDetails".into(), Value::Array(entries));
    Value::Object(row)
}

/// Fields of `AgentProfileBulkExportDTO` copied as stored.
const AGENT_PROFILE_FIELDS: &[&str] = &[
    "name",
    "description",
    "parentType",
    "siteId",
    "screenPopup",
    "lastAgentRouting",
    "autoWrapUp",
    "autoAnswer",
    "autoWrapAfterSeconds",
    "agentAvailableAfterOutdial",
    "allowAutoWrapUpExtension",
    "accessWrapUpCode",
    "accessIdleCode",
    "accessQueue",
    "accessEntryPoint",
    "accessBuddyTeam",
    "consultToQueue",
    "outdialEnabled",
    "dialPlanEnabled",
    "agentDNValidation",
    "agentDNValidationCriteria",
    "agentDNValidationCriterions",
    "thresholdRules",
    "loginVoiceOptions",
    "showUserDetailsMS",
    "stateSynchronizationMS",
    "showUserDetailsWebex",
    "stateSynchronizationWebex",
];

/// A stored agent profile as `AgentProfileBulkExportDTO`: references by name (teams as
/// `{siteName, teamName}` in `buddyTeamsList`), `viewableStatistics` flattened into
/// `agentStats`, `accessQueueStats`, `viewableStatsQueue`, `loggedInTeamStats`,
/// `accessTeamStats`, `viewableStatsTeam`.
fn agent_profile_row(org: &Org, profile: &Value) -> Value {
    let mut row = Map::new();
    copy(&mut row, profile, AGENT_PROFILE_FIELDS);
    for (field, kind) in [
        ("wrapUpCodes", "auxiliary-code"),
        ("idleCodes", "auxiliary-code"),
        ("queues", "contact-service-queue"),
        ("entryPoints", "entry-point"),
        ("dialPlans", "dial-plan"),
    ] {
        row.insert(field.into(), names_of(org, kind, profile.get(field)));
    }
    row.insert(
        "buddyTeamsList".into(),
        team_pairs(org, profile.get("buddyTeams")),
    );
    for (field, id_field, kind) in [
        ("outdialEntryPoint", "outdialEntryPointId", "entry-point"),
        ("addressBook", "addressBookId", "address-book"),
        ("outdialANI", "outdialANIId", "outdial-ani"),
    ] {
        if let Some(name) = name_of(org, kind, profile.get(id_field)) {
            row.insert(field.into(), name);
        }
    }
    if let Some(stats) = profile.get("viewableStatistics") {
        copy(
            &mut row,
            stats,
            &[
                "agentStats",
                "accessQueueStats",
                "loggedInTeamStats",
                "accessTeamStats",
            ],
        );
        row.insert(
            "viewableStatsQueue".into(),
            names_of(
                org,
                "contact-service-queue",
                stats.get("contactServiceQueues"),
            ),
        );
        row.insert(
            "viewableStatsTeam".into(),
            team_pairs(org, stats.get("teams")),
        );
    }
    Value::Object(row)
}
