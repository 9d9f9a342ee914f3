//! Keyed sub-lists whose elements the server stores as rows of their own (enum skill
//! values, a profile's skills, address-book and outdial-ANI entries, queue skill
//! requirements, queue rankings, permissions, viewable statistics). A write gives new
//! elements ids; on a full-replace PUT a kept element must carry its id, an element
//! re-sent without it collides with the stored row (409 `Duplicate entry … for key …`), an
//! id that is not one of this object's elements is a 409 `Internal error…`, and elements
//! left out are deleted (§1.6, §3.14, §3.19, §3.23).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::http::Fail;
use super::rules::{KindRule, SubList};

/// Nested fields the server owns; only the element's `id` survives from a body.
const NESTED_SERVER_FIELDS: &[&str] = &[
    "organizationId",
    "version",
    "createdTime",
    "lastUpdatedTime",
    "links",
];

const INTERNAL_ERROR: &str = "Internal error. Please contact Cisco Support Team";

/// Assigns ids in `body`'s sub-lists against the stored object (`None` on create) and
/// returns the ids of stored elements the write removes.
pub fn assign(
    rule: &KindRule,
    parent_id: &str,
    body: &mut Map<String, Value>,
    current: Option<&Value>,
) -> Result<Vec<String>, Fail> {
    let mut removed = Vec::new();
    for sub in rule.sub_lists {
        let stored = stored_elements(current, sub);
        let mut kept = Vec::new();
        match body.get_mut(sub.field) {
            Some(Value::Object(element)) if sub.single => {
                keep_or_assign_single(element, &stored, &mut kept)?;
            }
            Some(Value::Array(elements)) if !sub.single => {
                let mut new_keys: Vec<String> = Vec::new();
                for element in elements.iter_mut() {
                    if let Value::Object(element) = element {
                        assign_element(sub, parent_id, element, &stored, &mut kept, &mut new_keys)?;
                    }
                }
            }
            _ => {}
        }
        removed.extend(
            stored
                .iter()
                .map(|(id, _)| id.clone())
                .filter(|id| !kept.contains(id)),
        );
    }
    Ok(removed)
}

/// The stored elements as (id, key value).
fn stored_elements(current: Option<&Value>, sub: &SubList) -> Vec<(String, String)> {
    let field = current.and_then(|c| c.get(sub.field));
    let elements: Vec<&Value> = match field {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    };
    elements
        .into_iter()
        .filter_map(|e| {
            let id = e.get("id")?.as_str()?.to_string();
            Some((id, key_of(e, sub)))
        })
        .collect()
}

fn key_of(element: &Value, sub: &SubList) -> String {
    match element.get(sub.key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn sent_id(element: &Map<String, Value>) -> Option<String> {
    element
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn clean(element: &mut Map<String, Value>) {
    for f in NESTED_SERVER_FIELDS {
        element.remove(*f);
    }
}

fn assign_element(
    sub: &SubList,
    parent_id: &str,
    element: &mut Map<String, Value>,
    stored: &[(String, String)],
    kept: &mut Vec<String>,
    new_keys: &mut Vec<String>,
) -> Result<(), Fail> {
    clean(element);
    match sent_id(element) {
        Some(id) => {
            if !stored.iter().any(|(s, _)| *s == id) {
                return Err(Fail::new(StatusCode::CONFLICT, INTERNAL_ERROR));
            }
            if kept.contains(&id) {
                return Err(duplicate(sub, &id, "PRIMARY"));
            }
            kept.push(id);
        }
        None => {
            let key = key_of(&Value::Object(element.clone()), sub);
            // The new row is inserted before any left-out row is deleted, so it collides
            // with a stored element of the same key even when that one is being dropped.
            if stored.iter().any(|(_, k)| *k == key) || new_keys.contains(&key) {
                return Err(duplicate(
                    sub,
                    &format!("{parent_id}-{key}"),
                    &format!("UK_{}_{}", sub.table, snake(sub.key)),
                ));
            }
            new_keys.push(key);
            element.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
        }
    }
    if let Some(link) = sub.parent_link {
        element.insert(link.into(), json!(parent_id));
    }
    Ok(())
}

fn keep_or_assign_single(
    element: &mut Map<String, Value>,
    stored: &[(String, String)],
    kept: &mut Vec<String>,
) -> Result<(), Fail> {
    clean(element);
    match sent_id(element) {
        Some(id) if stored.iter().any(|(s, _)| *s == id) => kept.push(id),
        // §3.23: a borrowed `viewableStatistics.id` is refused.
        Some(_) => return Err(Fail::new(StatusCode::CONFLICT, INTERNAL_ERROR)),
        None => {
            element.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
        }
    }
    Ok(())
}

fn duplicate(sub: &SubList, value: &str, index: &str) -> Fail {
    Fail::new(
        StatusCode::CONFLICT,
        format!("Duplicate entry '{value}' for key '{}.{index}'", sub.table),
    )
}

/// `skillId` → `skill_id`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::rules::kind;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn new_elements_get_ids_and_kept_ones_need_theirs() {
        let Some(rule) = kind("skill-profile") else {
            panic!("skill-profile rule");
        };
        let mut created = body(json!({"activeSkills": [{"skillId": "s1", "booleanValue": true}]}));
        assert_eq!(assign(rule, "p", &mut created, None).ok(), Some(vec![]));
        let id = created["activeSkills"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(!id.is_empty());
        let stored = Value::Object(created.clone());

        let mut resent = body(json!({"activeSkills": [{"skillId": "s1", "booleanValue": false}]}));
        let fail = assign(rule, "p", &mut resent, Some(&stored)).err();
        assert!(fail.is_some_and(|f| {
            f.status == StatusCode::CONFLICT
                && f.reason
                    .starts_with("Duplicate entry 'p-s1' for key 'active_skill.")
        }));

        let mut borrowed = body(json!({"activeSkills": [{"id": "other", "skillId": "s1"}]}));
        let fail = assign(rule, "p", &mut borrowed, Some(&stored)).err();
        assert!(fail.is_some_and(|f| f.reason == INTERNAL_ERROR));

        let mut dropped =
            body(json!({"activeSkills": [], "activeEnumSkills": [{"enumSkillValueId": "v"}]}));
        assert_eq!(
            assign(rule, "p", &mut dropped, Some(&stored)).ok(),
            Some(vec![id])
        );
    }
}
