//! Per-kind checks the DTO schema cannot express, with the live error texts
//! (docs/api-notes.md §1.6 and the kind's section), and the reorderings the server does on
//! write. Each runs after the body passed bean validation and its references resolved.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::http::{Fail, now_ms};
use super::rules::RESOURCE_TYPES;
use super::store::Org;

/// A write under check.
pub struct Write<'a> {
    pub org: &'a Org,
    /// The body as sent (nulls removed), before unknown fields were dropped.
    pub raw: &'a Map<String, Value>,
    /// The fields the service keeps.
    pub body: &'a Map<String, Value>,
    /// The stored object, on update.
    pub current: Option<&'a Value>,
}

impl Write<'_> {
    fn str(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }

    fn list(&self, field: &str) -> &[Value] {
        self.body
            .get(field)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

pub fn none(_: &Write<'_>) -> Result<(), Fail> {
    Ok(())
}

/// §3.3: an ENUM skill ships its values.
/// §3.2: live records carry `workItem` (and inside `manuallyAssignable`), but a write that
/// echoes it is refused while the tenant's work-item feature flag is off, as it is here.
pub fn multimedia_profile(w: &Write<'_>) -> Result<(), Fail> {
    let nested = w
        .raw
        .get("manuallyAssignable")
        .and_then(|m| m.get("workItem"));
    if w.raw.contains_key("workItem") || nested.is_some() {
        return Err(Fail::bad_request(
            "workItem is not allowed when feature flag is disabled",
        ));
    }
    Ok(())
}

pub fn skill(w: &Write<'_>) -> Result<(), Fail> {
    if w.str("skillType") == Some("ENUM") && w.list("enumSkillValues").is_empty() {
        return Err(Fail::bad_request(
            "Enum skill should have atleast one value",
        ));
    }
    Ok(())
}

/// §3.14: `skillId` inside an `activeEnumSkills` entry is a bare 500; a profile needs at
/// least one skill.
pub fn skill_profile(w: &Write<'_>) -> Result<(), Fail> {
    let enum_entries = w
        .raw
        .get("activeEnumSkills")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if enum_entries.iter().any(|e| e.get("skillId").is_some()) {
        return Err(Fail::bare(StatusCode::INTERNAL_SERVER_ERROR));
    }
    if w.list("activeSkills").is_empty() && w.list("activeEnumSkills").is_empty() {
        return Err(Fail::bad_request("Atleast one skill is mandatory."));
    }
    // §3.14: an entry carries the value of its skill's type; enum skills have their own list.
    for entry in w.list("activeSkills") {
        let Some(skill) = entry
            .get("skillId")
            .and_then(Value::as_str)
            .and_then(|id| w.org.get("skill", id))
        else {
            continue;
        };
        let skill_type = skill.get("skillType").and_then(Value::as_str).unwrap_or("");
        let own = match skill_type {
            "BOOLEAN" => "booleanValue",
            "PROFICIENCY" => "proficiencyValue",
            "TEXT" => "textValue",
            _ => {
                return Err(Fail::bad_request(format!(
                    "activeSkills: a {skill_type} skill cannot be an active skill; use activeEnumSkills"
                )));
            }
        };
        for other in ["booleanValue", "proficiencyValue", "textValue"] {
            if other != own && entry.get(other).is_some() {
                return Err(Fail::bad_request(format!(
                    "activeSkills: {other} is not valid for a {skill_type} skill"
                )));
            }
        }
    }
    Ok(())
}

/// §3.6: dates `yyyy-MM-dd`, times `HH:mm`.
pub fn holiday_list(w: &Write<'_>) -> Result<(), Fail> {
    non_empty(w, "holidays", "Holiday list cannot be empty")?;
    for (i, h) in w.list("holidays").iter().enumerate() {
        formatted(
            h,
            &format!("holidays[{i}]"),
            &["startDate", "endDate"],
            is_date,
        )?;
        formatted(
            h,
            &format!("holidays[{i}]"),
            &["startTime", "endTime"],
            is_hour_minute,
        )?;
    }
    Ok(())
}

/// §3.7: an IANA zone; start and end `yyyy-MM-dd'T'HH:mm`.
pub fn overrides(w: &Write<'_>) -> Result<(), Fail> {
    non_empty(w, "overrides", "Overrides cannot be empty")?;
    time_zone(w)?;
    for (i, o) in w.list("overrides").iter().enumerate() {
        formatted(
            o,
            &format!("overrides[{i}]"),
            &["startDateTime", "endDateTime"],
            |v| {
                v.len() == 16
                    && v.as_bytes()[10] == b'T'
                    && is_date(&v[..10])
                    && is_hour_minute(&v[11..])
            },
        )?;
    }
    Ok(())
}

/// §3.15: an IANA zone; working hours `HH:mm`.
pub fn business_hours(w: &Write<'_>) -> Result<(), Fail> {
    non_empty(w, "workingHours", "Working hours cannot be empty")?;
    time_zone(w)?;
    for (i, h) in w.list("workingHours").iter().enumerate() {
        formatted(
            h,
            &format!("workingHours[{i}]"),
            &["startTime", "endTime"],
            is_hour_minute,
        )?;
    }
    Ok(())
}

/// A `timezone`, when present, must be a zone `java.time.ZoneId` knows by region name.
fn time_zone(w: &Write<'_>) -> Result<(), Fail> {
    static ZONES: &str = include_str!("../../spec/iana-time-zones.txt");
    match w.str("timezone") {
        Some(zone) if !ZONES.lines().any(|l| !l.starts_with('#') && l == zone) => Err(
            Fail::bad_request(format!("timezone: Invalid time zone {zone}")),
        ),
        _ => Ok(()),
    }
}

/// 400 naming the first of `fields` of `item` that is present and not in its format.
fn formatted(
    item: &Value,
    at: &str,
    fields: &[&str],
    ok: impl Fn(&str) -> bool,
) -> Result<(), Fail> {
    for f in fields {
        if let Some(v) = item.get(*f).and_then(Value::as_str)
            && !ok(v)
        {
            return Err(Fail::bad_request(format!(
                "{at}.{f}: Text '{v}' could not be parsed"
            )));
        }
    }
    Ok(())
}

/// `yyyy-MM-dd` with a real month and a day the month has (leap years included).
fn is_date(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// `HH:mm`, 24-hour.
fn is_hour_minute(v: &str) -> bool {
    let Some((h, m)) = v.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u32>().is_ok_and(|h| h < 24)
        && m.parse::<u32>().is_ok_and(|m| m < 60)
}

/// §1.6: an empty list has its own text (a missing one is bean validation's "must not be
/// null").
fn non_empty(w: &Write<'_>, field: &str, text: &str) -> Result<(), Fail> {
    if w.body.contains_key(field) && w.list(field).is_empty() {
        return Err(Fail::bad_request(text));
    }
    Ok(())
}

/// §3.5: the default value must parse for the variable's type (Cisco's typo kept).
/// §3.8: a contact number is at most nine characters (not E.164).
pub fn contact_number(w: &Write<'_>) -> Result<(), Fail> {
    if w.str("number").is_some_and(|n| n.chars().count() > 9) {
        return Err(Fail::bad_request(
            "number: should not be more than 9 characters",
        ));
    }
    Ok(())
}

pub fn cad_variable(w: &Write<'_>) -> Result<(), Fail> {
    let value = w.str("defaultValue").unwrap_or_default();
    let valid = match w.str("variableType").unwrap_or_default() {
        // A Java Integer: 32 bits.
        "Integer" | "INTEGER" => value.parse::<i32>().is_ok(),
        "Decimal" | "DECIMAL" => value.parse::<f64>().is_ok_and(f64::is_finite),
        "Boolean" | "BOOLEAN" => matches!(value, "true" | "false"),
        "DateTime" | "DATE_TIME" => is_date_time(value),
        _ => true,
    };
    if valid {
        Ok(())
    } else {
        Err(Fail::bad_request("validDefaultValueForVariabelType"))
    }
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM`, and anything after.
fn is_date_time(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let date = b.len() >= 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-';
    let date = date && digits(8..10);
    if !date {
        return false;
    }
    match b.get(10) {
        None => true,
        Some(b'T' | b' ') => b.len() >= 16 && digits(11..13) && b[13] == b':' && digits(14..16),
        Some(_) => false,
    }
}

/// §3.10: `resources` must be present (else a bare 500), list all 20 types, and never
/// switch site, channel, team or queue off.
pub fn resource_collection(w: &Write<'_>) -> Result<(), Fail> {
    if !w.raw.contains_key("resources") {
        return Err(Fail::bare(StatusCode::INTERNAL_SERVER_ERROR));
    }
    let resources = w.list("resources");
    let named = |t: &str| {
        resources
            .iter()
            .find(|r| r.get("name").and_then(Value::as_str) == Some(t))
    };
    let unknown: Vec<&str> = resources
        .iter()
        .filter_map(|r| r.get("name").and_then(Value::as_str))
        .filter(|n| !RESOURCE_TYPES.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(Fail::bad_request(format!(
            "Invalid resource type(s): {}",
            unknown.join(", ")
        )));
    }
    let missing: Vec<&str> = RESOURCE_TYPES
        .iter()
        .copied()
        .filter(|t| named(t).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Fail::bad_request(format!(
            "Resource type(s) missing from resources: {}",
            missing.join(", ")
        )));
    }
    let off: Vec<&str> = ["site", "channel", "team", "queue"]
        .into_iter()
        .filter(|t| {
            named(t)
                .and_then(|r| r.get("accessLevel"))
                .and_then(Value::as_str)
                == Some("NONE")
        })
        .collect();
    if !off.is_empty() {
        return Err(Fail::bad_request(format!(
            "Access level NONE is not allowed for resource type(s): {}",
            off.join(", ")
        )));
    }
    Ok(())
}

/// §3.17: system-default profiles are immutable; agent-only and admin-only profiles grant
/// specific permissions, and SPECIFIC needs the list (the 400 names the key
/// `userProfilePermissions` although the body's key is `permissions`).
pub fn user_profile(w: &Write<'_>) -> Result<(), Fail> {
    if w.current
        .is_some_and(|c| c.get("systemDefault") == Some(&Value::Bool(true)))
    {
        return Err(Fail::bad_request(
            "Cannot Update/Delete system generated Entities",
        ));
    }
    let profile_type = w.str("profileType").unwrap_or_default();
    let permission_level = w.str("permissionAccessLevel").unwrap_or_default();
    if matches!(profile_type, "ADMINISTRATOR_ONLY" | "STANDARD_AGENT")
        && permission_level != "SPECIFIC"
    {
        return Err(Fail::bad_request(format!(
            "permissionAccessLevel: must be SPECIFIC for profileType {profile_type}"
        )));
    }
    if permission_level == "SPECIFIC" && w.list("permissions").is_empty() {
        return Err(Fail::bad_request(
            "userProfilePermissions: must not be empty when permissionAccessLevel is SPECIFIC",
        ));
    }
    if w.str("resourceAccessLevel") == Some("SPECIFIC") && w.list("resourceCollections").is_empty()
    {
        return Err(Fail::bad_request(
            "resourceCollections: must not be empty when resourceAccessLevel is SPECIFIC",
        ));
    }
    Ok(())
}

/// §3.18: a site's address book names its site.
pub fn address_book(w: &Write<'_>) -> Result<(), Fail> {
    site_parent(w)
}

/// §3.18, §3.23: an object owned by a site names it.
fn site_parent(w: &Write<'_>) -> Result<(), Fail> {
    if w.str("parentType") == Some("SITE") && w.str("siteId").is_none_or(str::is_empty) {
        return Err(Fail::bad_request(
            "siteId: must not be null when parentType is SITE",
        ));
    }
    Ok(())
}

/// §3.19 [INFER]: one ANI is the default.
pub fn outdial_ani(w: &Write<'_>) -> Result<(), Fail> {
    let defaults = w
        .list("outdialANIEntries")
        .iter()
        .filter(|e| e.get("defaultANIEntry") == Some(&Value::Bool(true)))
        .count();
    if defaults > 1 {
        return Err(Fail::bad_request(
            "outdialANIEntries: only one entry can be the default ANI",
        ));
    }
    Ok(())
}

/// §3.22: a team-based queue distributes to at least one team.
pub fn queue(w: &Write<'_>) -> Result<(), Fail> {
    let has_team = w.list("callDistributionGroups").iter().any(|g| {
        g.get("agentGroups")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|t| t.get("teamId").is_some()))
    });
    if w.str("queueRoutingType") == Some("TEAM_BASED") && !has_team {
        return Err(Fail::bad_request(
            "callDistributionGroups: a TEAM_BASED queue needs at least one group with a team",
        ));
    }
    time_zone(w)
}

/// §3.16: outbound entry points are telephony only.
pub fn entry_point(w: &Write<'_>) -> Result<(), Fail> {
    if w.str("entryPointType") == Some("OUTBOUND") && w.str("channelType") != Some("TELEPHONY") {
        return Err(Fail::bad_request(
            "An OUTBOUND entry point supports only the TELEPHONY channel",
        ));
    }
    time_zone(w)
}

/// §3.20: the number must be in the org's Webex Calling inventory (404 otherwise).
pub fn dial_number(w: &Write<'_>) -> Result<(), Fail> {
    let number = w.str("dialledNumber").unwrap_or_default();
    let unchanged = w
        .current
        .and_then(|c| c.get("dialledNumber"))
        .and_then(Value::as_str)
        == Some(number);
    let wanted = digits(number);
    if !unchanged && !w.org.calling_numbers.iter().any(|n| digits(n) == wanted) {
        return Err(Fail::new(
            StatusCode::NOT_FOUND,
            "Dialed number does not exist",
        ));
    }
    Ok(())
}

/// The digits of a number (`+1 312-555-0100` → `13125550100`).
pub fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// §3.23: a site's profile names its site (as for address books, §3.18); a wrap-up timer
/// only with auto wrap-up (the live text reads backwards).
pub fn agent_profile(w: &Write<'_>) -> Result<(), Fail> {
    site_parent(w)?;
    if w.body.contains_key("autoWrapAfterSeconds")
        && w.body.get("autoWrapUp") != Some(&Value::Bool(true))
    {
        return Err(Fail::bad_request(
            "autoWrapAfterSeconds should be specified when autoWrapUp is true",
        ));
    }
    Ok(())
}

/// §3.24: a user's teams are AGENT teams of the user's own site.
pub fn user(w: &Write<'_>) -> Result<(), Fail> {
    let site = w.str("siteId");
    for id in w.list("teamIds").iter().filter_map(Value::as_str) {
        let Some(team) = w.org.get("team", id) else {
            continue;
        };
        if team.get("siteId").and_then(Value::as_str) != site {
            return Err(Fail::bad_request(format!(
                "Team with id {id} not found for given site"
            )));
        }
        if team.get("teamType").and_then(Value::as_str) == Some("CAPACITY") {
            return Err(Fail::bad_request("Capacity based teams are not allowed"));
        }
    }
    Ok(())
}

pub fn no_side_effect(_: &mut Org, _: &str) {}

/// §3.13: one idle and one wrap-up code can be the default; [INFER] making a code the
/// default takes the flag from the family's previous default.
pub fn one_default_code(org: &mut Org, id: &str) {
    let Some(code) = org.get("auxiliary-code", id) else {
        return;
    };
    if code.get("defaultCode") != Some(&Value::Bool(true)) {
        return;
    }
    let family = code.get("workTypeCode").cloned();
    let others: Vec<String> = org
        .all("auxiliary-code")
        .filter(|(other, o)| {
            other.as_str() != id
                && o.get("workTypeCode") == family.as_ref()
                && o.get("defaultCode") == Some(&Value::Bool(true))
        })
        .map(|(other, _)| other.clone())
        .collect();
    for other in others {
        org.edit("auxiliary-code", &other, |o| {
            if let Value::Object(o) = o {
                let version = o.get("version").and_then(Value::as_i64).unwrap_or(0);
                o.insert("defaultCode".into(), Value::Bool(false));
                o.insert("version".into(), Value::from(version + 1));
                o.insert("lastUpdatedTime".into(), Value::from(now_ms()));
            }
        });
    }
}

/// §3.24 / §1.6: the server does not keep `teamIds` in the order sent — teams newly added
/// come first (`[old, new]` reads back as `[new, old]`).
pub fn user_team_order(body: &mut Map<String, Value>, current: Option<&Value>) {
    let before: Vec<&Value> = current
        .and_then(|c| c.get("teamIds"))
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if let Some(Value::Array(ids)) = body.get_mut("teamIds") {
        let (kept, added): (Vec<Value>, Vec<Value>) =
            ids.drain(..).partition(|id| before.contains(&id));
        let mut kept_in_stored_order: Vec<Value> = before
            .iter()
            .filter(|id| kept.contains(id))
            .map(|id| (*id).clone())
            .collect();
        ids.extend(added);
        ids.append(&mut kept_in_stored_order);
    }
}

/// §3.19 / §1.6: outdial ANI entries come back in another order than sent ([INFER] the
/// newest first, so a create reads back reversed).
pub fn outdial_ani_order(body: &mut Map<String, Value>, _: Option<&Value>) {
    if let Some(Value::Array(entries)) = body.get_mut("outdialANIEntries") {
        entries.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn date_times_parse_loosely() {
        assert!(is_date_time("2026-01-31"));
        assert!(is_date_time("2026-01-31T08:00"));
        assert!(is_date_time("2026-01-31 08:00:00Z"));
        assert!(!is_date_time("31/01/2026"));
        assert!(!is_date_time("2026-01-31T8"));
    }

    #[test]
    fn added_teams_come_first() {
        let current = json!({"teamIds": ["a", "b"]});
        let mut body = json!({"teamIds": ["b", "a", "c"]})
            .as_object()
            .cloned()
            .unwrap_or_default();
        user_team_order(&mut body, Some(&current));
        assert_eq!(body["teamIds"], json!(["c", "a", "b"]));
    }
}
