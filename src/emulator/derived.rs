//! Objects as the API returns them: the stored fields plus what the server computes on
//! every read (names of referenced objects, counts, team membership) and `links`; list
//! rows leave out the fields the kind's lists drop (docs/api-notes.md §1.5).

use serde_json::{Map, Value, json};

use super::hooks::digits;
use super::refs::Points;
use super::rules::KindRule;
use super::store::Org;

/// The object as GET by id returns it.
pub fn render(org: &Org, rule: &KindRule, stored: &Value) -> Value {
    let mut out = stored.clone();
    if let Value::Object(m) = &mut out {
        (rule.derive)(org, m);
        m.insert("links".into(), json!([]));
    }
    out
}

/// The object as a list row: rendered, without the fields lists leave out.
pub fn list_row(org: &Org, rule: &KindRule, stored: &Value) -> Value {
    let mut out = render(org, rule, stored);
    if let Value::Object(m) = &mut out {
        for f in rule.list_omits {
            m.remove(*f);
        }
    }
    out
}

pub fn none(_: &Org, _: &mut Map<String, Value>) {}

/// §3.2: live multimedia profiles also carry `video`, `fax`, `others` and `workItem`
/// counts (the last inside `manuallyAssignable` too), which the DTO does not list.
pub fn multimedia_profile(_: &Org, m: &mut Map<String, Value>) {
    for field in ["video", "fax", "others", "workItem"] {
        m.entry(field).or_insert(Value::from(0));
    }
    if let Some(Value::Object(assignable)) = m.get_mut("manuallyAssignable") {
        assignable.entry("workItem").or_insert(Value::from(0));
    }
}

fn name_of(org: &Org, kind: &str, id: Option<&Value>, field: &str) -> Option<Value> {
    let id = id?.as_str()?;
    org.get(kind, id)?.get(field).cloned()
}

/// The ids of the objects of `kind` that refer to `target_kind`/`id` and pass `keep`, in
/// creation order: the org's reference index names the candidates (a reference field of
/// `kind` holds every id `keep` can ask about), so only they are read. An id that is not a
/// string can be in no reference field, so all of `kind` is read for it.
fn referrers_where<'a>(
    org: &'a Org,
    target_kind: &'static str,
    id: &Value,
    kind: &str,
    keep: impl Fn(&Value) -> bool,
) -> Vec<&'a str> {
    let Some(id) = id.as_str() else {
        return org
            .all(kind)
            .filter(|(_, o)| keep(o))
            .map(|(k, _)| k.as_str())
            .collect();
    };
    let mut found: Vec<(usize, &str)> = org
        .index()
        .referrers(Points::Kind(target_kind), id)
        .filter(|(k, _)| *k == kind)
        .filter_map(|(_, rid)| {
            let (position, rid, o) = org.objects().get(kind)?.get_full(rid.as_str())?;
            keep(o).then_some((position, rid.as_str()))
        })
        .collect();
    found.sort_unstable();
    found.into_iter().map(|(_, rid)| rid).collect()
}

/// The skills listing the enum value `value_id`, with their ids, in creation order.
fn skills_with_value<'a>(
    org: &'a Org,
    value_id: &str,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    let mut found: Vec<(usize, &String, &Value)> = org
        .index()
        .skills_with_value(value_id)
        .filter_map(|sid| org.objects().get("skill")?.get_full(sid.as_str()))
        .collect();
    found.sort_unstable_by_key(|(position, _, _)| *position);
    found.into_iter().map(|(_, sid, s)| (sid, s))
}

fn count(m: &mut Map<String, Value>, list: &str, field: &str) {
    let n = m.get(list).and_then(Value::as_array).map_or(0, Vec::len);
    m.insert(field.into(), json!(n));
}

/// §3.21: `siteName`, and `userIds` mirrored from users' `teamIds` (§6.13).
pub fn team(org: &Org, m: &mut Map<String, Value>) {
    if let Some(name) = name_of(org, "site", m.get("siteId"), "name") {
        m.insert("siteName".into(), name);
    }
    let id = m.get("id").cloned().unwrap_or(Value::Null);
    let users = referrers_where(org, "team", &id, "user", |u| {
        u.get("teamIds")
            .and_then(Value::as_array)
            .is_some_and(|t| t.contains(&id))
    });
    m.insert(
        "userIds".into(),
        Value::Array(users.into_iter().map(|uid| json!(uid)).collect()),
    );
}

/// §3.14 `includeSkillDetails=true`: each active skill names its skill; each enum entry
/// names its skill, its value and the skill's id.
pub fn skill_details(org: &Org, m: &mut Map<String, Value>) {
    if let Some(Value::Array(skills)) = m.get_mut("activeSkills") {
        for entry in skills.iter_mut() {
            let name = name_of(org, "skill", entry.get("skillId"), "name");
            if let (Some(name), Value::Object(entry)) = (name, entry) {
                entry.insert("skillName".into(), name);
            }
        }
    }
    if let Some(Value::Array(enums)) = m.get_mut("activeEnumSkills") {
        for entry in enums.iter_mut() {
            let Some(value_id) = entry.get("enumSkillValueId").and_then(Value::as_str) else {
                continue;
            };
            let found = skills_with_value(org, value_id).find_map(|(skill_id, skill)| {
                let value = skill
                    .get("enumSkillValues")?
                    .as_array()?
                    .iter()
                    .find(|v| v.get("id").and_then(Value::as_str) == Some(value_id))?;
                Some((
                    skill_id.clone(),
                    skill.get("name")?.clone(),
                    value.get("name")?.clone(),
                ))
            });
            if let (Some((skill_id, skill_name, value_name)), Value::Object(entry)) = (found, entry)
            {
                entry.insert("enumSkillName".into(), skill_name);
                entry.insert("enumSkillValue".into(), value_name);
                entry.insert("enumSkillId".into(), json!(skill_id));
            }
        }
    }
}

/// §3.6: `holidaysCount`.
pub fn holiday_list(_: &Org, m: &mut Map<String, Value>) {
    count(m, "holidays", "holidaysCount");
}

/// §3.7: `overridesCount` and `latestOverride` (the one that starts last).
pub fn overrides(_: &Org, m: &mut Map<String, Value>) {
    count(m, "overrides", "overridesCount");
    let latest = m
        .get("overrides")
        .and_then(Value::as_array)
        .and_then(|all| {
            all.iter().max_by(|a, b| {
                let start = |o: &Value| {
                    o.get("startDateTime")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                start(a).cmp(&start(b))
            })
        })
        .cloned();
    if let Some(latest) = latest {
        m.insert("latestOverride".into(), latest);
    }
}

/// §3.15: `workingHoursCount`.
pub fn business_hours(_: &Org, m: &mut Map<String, Value>) {
    count(m, "workingHours", "workingHoursCount");
}

/// §3.10: `resourceCount` ([INFER] the number of resource types listed).
pub fn resource_collection(_: &Org, m: &mut Map<String, Value>) {
    count(m, "resources", "resourceCount");
}

/// §3.22: each skill requirement names its skill and the skill's type.
pub fn queue(org: &Org, m: &mut Map<String, Value>) {
    if let Some(Value::Array(reqs)) = m.get_mut("queueSkillRequirements") {
        for req in reqs.iter_mut() {
            let skill = req
                .get("skillId")
                .and_then(Value::as_str)
                .and_then(|id| org.get("skill", id))
                .cloned();
            if let (Some(skill), Value::Object(req)) = (skill, req) {
                for (from, to) in [("name", "skillName"), ("skillType", "skillType")] {
                    if let Some(v) = skill.get(from) {
                        req.insert(to.into(), v.clone());
                    }
                }
            }
        }
    }
}

/// §3.16: how many dial numbers map to the entry point.
pub fn entry_point(org: &Org, m: &mut Map<String, Value>) {
    let id = m.get("id").cloned().unwrap_or(Value::Null);
    let n = referrers_where(org, "entry-point", &id, "dial-number", |d| {
        d.get("entryPointId") == Some(&id)
    })
    .len();
    m.insert("dnEpMappingCount".into(), json!(n));
}

/// §3.20: the number's digits and the entry point's name.
pub fn dial_number(org: &Org, m: &mut Map<String, Value>) {
    if let Some(number) = m.get("dialledNumber").and_then(Value::as_str) {
        let d = digits(number);
        m.insert("dialledNumberDigits".into(), json!(d));
    }
    if let Some(name) = name_of(org, "entry-point", m.get("entryPointId"), "name") {
        m.insert("entryPointName".into(), name);
    }
}

/// §3.24 (UserResponseDTO): `siteName` and `userProfileType`.
pub fn user(org: &Org, m: &mut Map<String, Value>) {
    if let Some(name) = name_of(org, "site", m.get("siteId"), "name") {
        m.insert("siteName".into(), name);
    }
    if let Some(t) = name_of(org, "user-profile", m.get("userProfileId"), "profileType") {
        m.insert("userProfileType".into(), t);
    }
}
