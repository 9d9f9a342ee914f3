//! Reference fields: finding the ids an object points at (dotted paths with `[]`, enum
//! skill values, resource-collection ids by resource type), refusing a write that points at
//! nothing (400), and finding who points at an object before it is deleted or renamed
//! (412 with `referencedEntities`, §1.6).

use std::collections::HashSet;

use serde_json::Value;

use super::http::Fail;
use super::rules::{KINDS, KindRule, Target, resource_kind};
use super::store::Org;

/// What one found id points at.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Points {
    Kind(&'static str),
    EnumSkillValue,
}

/// A reference found in an object: the field (`teamIds[1]`), the id, and its target.
pub struct Found {
    pub field: String,
    pub id: String,
    pub points: Points,
}

/// Every id `object` holds under `path`.
pub fn found(object: &Value, path: &str, target: Target) -> Vec<Found> {
    match target {
        Target::Kind(kind) => strings(object, path, Points::Kind(kind)),
        Target::EnumSkillValue => strings(object, path, Points::EnumSkillValue),
        Target::ResourceIds => nodes_at(object, path)
            .into_iter()
            .flat_map(|(field, resource)| {
                let kind = resource
                    .get("name")
                    .and_then(Value::as_str)
                    .and_then(resource_kind);
                let ids = resource.get("ids").and_then(Value::as_array);
                kind.into_iter().flat_map(move |kind| {
                    let field = field.clone();
                    ids.into_iter()
                        .flatten()
                        .enumerate()
                        .filter_map(move |(i, id)| {
                            Some(Found {
                                field: format!("{field}.ids[{i}]"),
                                id: id.as_str()?.to_string(),
                                points: Points::Kind(kind),
                            })
                        })
                })
            })
            .collect(),
    }
}

fn strings(object: &Value, path: &str, points: Points) -> Vec<Found> {
    nodes_at(object, path)
        .into_iter()
        .filter_map(|(field, v)| {
            Some(Found {
                field,
                id: v.as_str()?.to_string(),
                points,
            })
        })
        .collect()
}

/// The values at a dotted path with `[]` for each element, with their field names.
fn nodes_at<'a>(value: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    let mut current: Vec<(String, &Value)> = vec![(String::new(), value)];
    for part in path.split('.') {
        let (name, each) = match part.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        let mut next = Vec::new();
        for (label, v) in current {
            let Some(child) = v.get(name) else {
                continue;
            };
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
        current = next;
    }
    current
}

fn exists(org: &Org, points: Points, id: &str) -> bool {
    match points {
        Points::Kind(kind) => org.get(kind, id).is_some(),
        Points::EnumSkillValue => org.index().skills_with_value(id).next().is_some(),
    }
}

/// The ids of a skill's enum values.
pub fn enum_value_ids(skill: &Value) -> Vec<&str> {
    skill
        .get("enumSkillValues")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("id").and_then(Value::as_str))
        .collect()
}

/// 400 when a reference in `body` points at nothing.
pub fn check(org: &Org, rule: &KindRule, body: &Value) -> Result<(), Fail> {
    for r in rule.refs {
        for f in found(body, r.path, r.target) {
            if !exists(org, f.points, &f.id) {
                let what = match f.points {
                    Points::Kind(kind) => kind,
                    Points::EnumSkillValue => "enum skill value",
                };
                return Err(Fail::bad_request(format!(
                    "{}: {what} with id {} not found",
                    f.field, f.id
                )));
            }
        }
    }
    Ok(())
}

/// One object that points at another: its kind, id, and the field holding the id.
pub struct Referrer {
    pub kind: &'static str,
    pub id: String,
    pub field: String,
}

/// The reference index of an org: every object that points at any of `ids` (as
/// `points`), in table order then creation order, each with the first of its fields that
/// does. The 412 on a referenced delete or rename and the `incoming-references` route
/// (§1.10) both read it, so they cannot disagree. The org's index names the objects; each
/// is then read for the field.
pub fn referrers(org: &Org, points: Points, ids: &[&str]) -> Vec<Referrer> {
    let index = org.index();
    let mut objects: Vec<(usize, usize, &'static KindRule, &str)> = Vec::new();
    let mut seen = HashSet::new();
    for target in ids {
        for (kind, id) in index.referrers(points, target) {
            if !seen.insert((*kind, id.as_str())) {
                continue;
            }
            let rule = KINDS.iter().enumerate().find(|(_, r)| r.name == *kind);
            if let (Some((table, rule)), Some(created)) = (rule, org.position(kind, id)) {
                objects.push((table, created, rule, id));
            }
        }
    }
    objects.sort_unstable_by_key(|&(table, created, _, _)| (table, created));
    objects
        .into_iter()
        .filter_map(|(_, _, rule, id)| {
            let o = org.get(rule.name, id)?;
            let f = rule.refs.iter().find_map(|r| {
                found(o, r.path, r.target)
                    .into_iter()
                    .find(|f| f.points == points && ids.contains(&f.id.as_str()))
            })?;
            Some(Referrer {
                kind: rule.name,
                id: id.to_string(),
                field: f.field,
            })
        })
        .collect()
}

/// The types (as the API names them, [`api_type`]) of the kinds whose objects point at
/// any of `ids` (as `points`), in table order.
pub fn referencing(org: &Org, points: Points, ids: &[&str]) -> Vec<String> {
    kinds_of(&referrers(org, points, ids))
}

/// The distinct kinds of `referrers`, in their order, as the API names them ([`api_type`]).
pub fn kinds_of(referrers: &[Referrer]) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for r in referrers {
        let name = api_type(r.kind);
        if !kinds.iter().any(|k| k == name) {
            kinds.push(name.to_string());
        }
    }
    kinds
}

/// The type the API names a referencing kind by: the kind's name, but `entrypoint` without
/// its dash (docs/api-notes.md §1.10).
pub fn api_type(kind: &str) -> &str {
    match kind {
        "entry-point" => "entrypoint",
        other => other,
    }
}

/// The kind a type of [`api_type`] names; `None` for `entry-point`, no type the API knows.
pub fn kind_of_type(t: &str) -> Option<&str> {
    match t {
        "entrypoint" => Some("entry-point"),
        "entry-point" => None,
        other => Some(other),
    }
}

/// The objects that point at `kind`/`id` — or, for a skill, at one of its enum values
/// (§3.3: a skill used by a skill-profile cannot go).
pub fn incoming_objects(org: &Org, kind: &'static str, id: &str) -> Vec<Referrer> {
    let mut all = referrers(org, Points::Kind(kind), &[id]);
    if kind == "skill"
        && let Some(skill) = org.get("skill", id)
    {
        for r in referrers(org, Points::EnumSkillValue, &enum_value_ids(skill)) {
            if !all.iter().any(|a| a.kind == r.kind && a.id == r.id) {
                all.push(r);
            }
        }
    }
    all
}

/// The kinds whose objects point at `kind`/`id` (the 412's `referencedEntities`).
pub fn incoming(org: &Org, kind: &'static str, id: &str) -> Vec<String> {
    kinds_of(&incoming_objects(org, kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_nested_and_resource_ids() {
        let queue = json!({"callDistributionGroups": [
            {"agentGroups": [{"teamId": "t1"}, {"teamId": "t2"}]},
            {"agentGroups": [{"teamId": "t3"}]}]});
        let ids: Vec<String> = found(
            &queue,
            "callDistributionGroups[].agentGroups[].teamId",
            Target::Kind("team"),
        )
        .into_iter()
        .map(|f| format!("{}={}", f.field, f.id))
        .collect();
        assert_eq!(
            ids,
            [
                "callDistributionGroups[0].agentGroups[0].teamId=t1",
                "callDistributionGroups[0].agentGroups[1].teamId=t2",
                "callDistributionGroups[1].agentGroups[0].teamId=t3"
            ]
        );
        let collection = json!({"resources": [
            {"name": "site", "accessLevel": "SPECIFIC", "ids": ["s1"]},
            {"name": "flow", "accessLevel": "SPECIFIC", "ids": ["f1"]}]});
        let found = found(&collection, "resources[]", Target::ResourceIds);
        assert_eq!(found.len(), 1, "flows are outside the config API");
        assert_eq!(found[0].points, Points::Kind("site"));
        assert_eq!(found[0].field, "resources[0].ids[0]");
    }
}
