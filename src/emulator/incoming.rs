//! `GET <kind>/{id}/incoming-references` (docs/api-notes.md §1.10): who points at one
//! object, one referencing type per call (`currentEntity`; `?type=` picks it, the first of
//! `referencedEntities` otherwise), paged like the lists. It reads the same reference
//! index as the 412 on a referenced delete (`refs::incoming_objects`), so the route and
//! the refusal always agree. Served on the kinds the vendored spec publishes the route for;
//! elsewhere it is Spring's 405 like any sub-path nobody serves.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::http::Fail;
use super::lists::{number, page_meta};
use super::objects;
use super::refs::{self, Referrer};
use super::rules::{KindRule, kind as rule_for};
use super::store::Org;

/// Whether the official spec publishes the route for `kind`.
pub fn served(kind: &str) -> bool {
    static KINDS: OnceLock<HashSet<String>> = OnceLock::new();
    KINDS
        .get_or_init(|| {
            let document = crate::spec::document();
            let paths = document.get("paths").and_then(Value::as_object);
            paths
                .into_iter()
                .flat_map(|p| p.keys())
                .filter_map(|p| {
                    p.strip_prefix("/organization/{orgid}/")?
                        .strip_suffix("/{id}/incoming-references")
                        .map(str::to_string)
                })
                .collect()
        })
        .contains(kind)
}

/// The route's answer for `rule`/`id`.
pub fn answer(
    org: &Org,
    org_id: &str,
    rule: &'static KindRule,
    id: &str,
    query: &HashMap<String, String>,
    max_page_size: u64,
) -> Result<Value, Fail> {
    objects::find(org, rule, id)?;
    let all = refs::incoming_objects(org, rule.name, id);
    let types = refs::kinds_of(&all);
    let current = match query.get("type").map(String::as_str) {
        // §1.10: an unknown type is refused with this reason.
        Some(t) if refs::kind_of_type(t).and_then(rule_for).is_none() => {
            return Err(Fail::bad_request(
                "Please specify a valid external entity type",
            ));
        }
        Some(t) => Some(t.to_string()),
        None => types.first().cloned(),
    };
    let page = number(query, "page", 0)?;
    let page_size = number(query, "pageSize", 100)?.clamp(1, max_page_size);
    let of_type: Vec<&Referrer> = all
        .iter()
        .filter(|r| current.as_deref() == Some(refs::api_type(r.kind)))
        .collect();
    let total = of_type.len() as u64;
    let data: Vec<Value> = of_type
        .iter()
        .skip(page.saturating_mul(page_size).min(usize::MAX as u64) as usize)
        .take(page_size as usize)
        .filter_map(|r| entity_info(org, r))
        .collect();
    let path = format!(
        "/organization/{org_id}/{}/{id}/incoming-references",
        rule.name
    );
    let link = |p: u64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(t) = &current {
            q.append_pair("type", t);
        }
        q.append_pair("page", &p.to_string())
            .append_pair("pageSize", &page_size.to_string());
        format!("{path}?{}", q.finish())
    };
    let total_pages = total.div_ceil(page_size);
    let mut links = Map::new();
    links.insert("self".into(), json!(link(page)));
    if page.saturating_add(1) < total_pages {
        links.insert("next".into(), json!(link(page.saturating_add(1))));
    }
    let mut meta = page_meta(org_id, page, page_size, total_pages, total, links);
    meta.insert("referencedEntities".into(), json!(types));
    meta.insert("currentEntity".into(), json!(current));
    Ok(json!({
        "description": format!("Entities referencing {} {id}", rule.name),
        "meta": meta,
        "data": data,
    }))
}

/// One referrer as the spec's `EntityInfo`.
fn entity_info(org: &Org, r: &Referrer) -> Option<Value> {
    let object = org.get(r.kind, &r.id)?;
    let key = rule_for(r.kind).map_or("name", |k| k.key);
    let name = object
        .get(key)
        .or_else(|| object.get("name"))
        .cloned()
        .unwrap_or(Value::Null);
    let time = |f: &str| object.get(f).map(|t| Value::String(t.to_string()));
    Some(json!({
        "id": r.id,
        "name": name,
        "additionalAttributes": {"field": r.field},
        "createdDate": time("createdTime"),
        "lastModifiedDate": time("lastUpdatedTime"),
        "version": object.get("version"),
    }))
}
