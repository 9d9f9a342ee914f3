//! List endpoints: `GET v2/<kind>` (`{meta, data}` with 0-based pages, `links.next`
//! relative and absent on the last page, a silent clamp on `pageSize`) and the unprefixed
//! v1 list (a bare JSON array); both with `filter` (RSQL, on the object as read),
//! `search` and `attributes`, and both leaving out the fields the kind's lists drop
//! (§1.5).

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::derived::list_row;
use super::http::Fail;
use super::rsql::Filter;
use super::rules::{KindRule, V1List};
use super::store::Org;

/// What a list request selects: `filter`, `search` and `attributes`.
struct Select {
    filter: Option<Filter>,
    search: Option<String>,
    attributes: Option<Vec<String>>,
}

/// The rows of one page and how many rows there are in all.
struct Rows {
    total: usize,
    page: Vec<Value>,
}

impl Select {
    fn parse(query: &HashMap<String, String>) -> Result<Select, Fail> {
        let filter = match query.get("filter").filter(|f| !f.is_empty()) {
            Some(f) => Some(Filter::parse(f).map_err(Fail::bad_request)?),
            None => None,
        };
        let search = query
            .get("search")
            .map(|s| s.to_lowercase())
            .filter(|s| !s.is_empty());
        let attributes: Option<Vec<String>> = query
            .get("attributes")
            .filter(|a| !a.is_empty())
            .map(|a| a.split(',').map(|s| s.trim().to_string()).collect());
        Ok(Select {
            filter,
            search,
            attributes,
        })
    }

    /// The rows that pass `filter` and `search`, as list rows, `skip` and `take` of them
    /// (all with `take` `None`). Without `filter` and `search` every object is a row, so
    /// only the page's objects are rendered; a filter on ids alone renders only those.
    fn rows(&self, org: &Org, rule: &KindRule, skip: u64, take: Option<u64>) -> Rows {
        let skip = skip.min(usize::MAX as u64) as usize;
        let take = take.map_or(usize::MAX, |t| t.min(usize::MAX as u64) as usize);
        if self.filter.is_none() && self.search.is_none() {
            return Rows {
                total: org.count(rule.name),
                page: org
                    .window(rule.name, skip, take)
                    .map(|(_, o)| project(list_row(org, rule, o), self.attributes.as_ref()))
                    .collect(),
            };
        }
        let candidates: Vec<(&String, &Value)> = match (
            self.search.is_none(),
            self.filter.as_ref().and_then(Filter::only_ids),
        ) {
            (true, Some(ids)) => {
                let mut found: Vec<(usize, (&String, &Value))> = ids
                    .iter()
                    .filter_map(|id| {
                        let at = org.position(rule.name, id)?;
                        org.window(rule.name, at, 1).next().map(|o| (at, o))
                    })
                    .collect();
                found.sort_by_key(|(at, _)| *at);
                found.dedup_by_key(|(at, _)| *at);
                found.into_iter().map(|(_, o)| o).collect()
            }
            _ => org.all(rule.name).collect(),
        };
        let all: Vec<Value> = candidates
            .into_iter()
            .map(|(_, o)| list_row(org, rule, o))
            .filter(|o| self.filter.as_ref().is_none_or(|f| f.matches(o)))
            .filter(|o| {
                self.search.as_ref().is_none_or(|s| {
                    rule.search.iter().any(|f| {
                        o.get(*f)
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.to_lowercase().contains(s))
                    })
                })
            })
            .collect();
        Rows {
            total: all.len(),
            page: all
                .into_iter()
                .skip(skip)
                .take(take)
                .map(|o| project(o, self.attributes.as_ref()))
                .collect(),
        }
    }
}

/// The paging part of an envelope's `meta` (lists and `incoming-references` share it).
pub(super) fn page_meta(
    org_id: &str,
    page: u64,
    page_size: u64,
    total_pages: u64,
    total: u64,
    links: Map<String, Value>,
) -> Map<String, Value> {
    let mut meta = Map::new();
    meta.insert("orgid".into(), json!(org_id));
    meta.insert("page".into(), json!(page));
    meta.insert("pageSize".into(), json!(page_size));
    meta.insert("totalPages".into(), json!(total_pages));
    meta.insert("totalRecords".into(), json!(total));
    meta.insert("links".into(), Value::Object(links));
    meta
}

pub(super) fn number(
    query: &HashMap<String, String>,
    name: &str,
    default: u64,
) -> Result<u64, Fail> {
    match query.get(name) {
        None => Ok(default),
        Some(v) => v.parse::<u64>().map_err(|_| {
            Fail::new(
                StatusCode::BAD_REQUEST,
                format!("{name}: must be a non-negative number"),
            )
        }),
    }
}

fn project(object: Value, attributes: Option<&Vec<String>>) -> Value {
    match (attributes, object) {
        (Some(attrs), Value::Object(m)) => {
            Value::Object(m.into_iter().filter(|(k, _)| attrs.contains(k)).collect())
        }
        (_, o) => o,
    }
}

/// `GET <version>/<kind>`: `{meta, data}`.
pub fn envelope(
    org: &Org,
    org_id: &str,
    rule: &KindRule,
    version: &str,
    query: &HashMap<String, String>,
    max_page_size: u64,
) -> Result<Value, Fail> {
    let select = Select::parse(query)?;
    let page = number(query, "page", 0)?;
    let page_size = number(query, "pageSize", 100)?.clamp(1, max_page_size);
    let rows = select.rows(org, rule, page.saturating_mul(page_size), Some(page_size));
    let total = rows.total as u64;
    let total_pages = total.div_ceil(page_size);
    let data = rows.page;
    let link = |p: u64| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("page", &p.to_string())
            .append_pair("pageSize", &page_size.to_string());
        for extra in ["filter", "attributes", "search"] {
            if let Some(v) = query.get(extra) {
                q.append_pair(extra, v);
            }
        }
        format!(
            "/organization/{org_id}/{version}/{}?{}",
            rule.name,
            q.finish()
        )
    };
    let mut links = Map::new();
    links.insert("self".into(), json!(link(page)));
    links.insert("first".into(), json!(link(0)));
    links.insert("last".into(), json!(link(total_pages.saturating_sub(1))));
    if page.saturating_add(1) < total_pages {
        links.insert("next".into(), json!(link(page.saturating_add(1))));
    }
    if page > 0 {
        links.insert("prev".into(), json!(link(page - 1)));
    }
    Ok(json!({
        "meta": page_meta(org_id, page, page_size, total_pages, total, links),
        "data": data,
    }))
}

/// `GET <kind>`: a bare JSON array; paging past the end gives `[]`.
pub fn bare(
    org: &Org,
    rule: &KindRule,
    query: &HashMap<String, String>,
    max_page_size: u64,
) -> Result<Value, Fail> {
    let select = Select::parse(query)?;
    let items = if rule.v1_list == V1List::Paged {
        let page = number(query, "page", 0)?;
        let page_size = number(query, "pageSize", 100)?.clamp(1, max_page_size);
        select.rows(org, rule, page.saturating_mul(page_size), Some(page_size))
    } else {
        select.rows(org, rule, 0, None)
    };
    Ok(Value::Array(items.page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::rules::kind;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_page_rendered_alone_equals_that_page_of_the_whole_list() {
        let Some(rule) = kind("team") else {
            panic!("team is a kind");
        };
        let mut org = Org::default();
        for i in 0..7 {
            let id = format!("t{i}");
            org.put("team", &id, json!({"id": id, "name": format!("Team {i}")}));
        }
        let all: Vec<Value> = org
            .all("team")
            .map(|(_, o)| list_row(&org, rule, o))
            .collect();
        for (page, size) in [(0, 3), (1, 3), (2, 3), (3, 3), (0, 100), (9, 1)] {
            let (p, s) = (page.to_string(), size.to_string());
            let paging = [("page", p.as_str()), ("pageSize", s.as_str())];
            let expected: Vec<Value> = all.iter().skip(page * size).take(size).cloned().collect();
            let alone = envelope(&org, "o", rule, "v2", &query(&paging), 1000).expect("list");
            assert_eq!(alone["data"], json!(expected), "page {page} of {size}");
            assert_eq!(alone["meta"]["totalRecords"], json!(7));
            assert_eq!(alone["meta"]["totalPages"], json!(7usize.div_ceil(size)));
            // `search` matching every row takes the path that renders all rows first.
            let searched = [paging[0], paging[1], ("search", "team")];
            let filtered = envelope(&org, "o", rule, "v2", &query(&searched), 1000).expect("list");
            assert_eq!(filtered["data"], alone["data"]);
            assert_eq!(filtered["meta"]["totalRecords"], json!(7));
            let bare = bare(&org, rule, &query(&paging), 1000).expect("bare");
            assert_eq!(bare, alone["data"], "the v1 list pages alike");
        }
    }

    #[test]
    fn a_filter_on_ids_alone_answers_as_the_full_scan_does() {
        let Some(rule) = kind("team") else {
            panic!("team is a kind");
        };
        let mut org = Org::default();
        for i in 0..9 {
            let id = format!("t{i}");
            org.put("team", &id, json!({"id": id, "name": format!("Team {i}")}));
        }
        for filter in [
            "id==t4",
            "id==nope",
            "id=in=(\"t7\",t2,t7,nope,t0)",
            // Not ids alone: the scan, which the lookup must agree with.
            "id=in=(t7,t2);name==\"Team 2\"",
            "id==t1,id==t5",
        ] {
            let lookup =
                envelope(&org, "o", rule, "v2", &query(&[("filter", filter)]), 1000).expect("list");
            let scanned: Vec<Value> = org
                .all("team")
                .map(|(_, o)| list_row(&org, rule, o))
                .filter(|o| Filter::parse(filter).expect("filter").matches(o))
                .collect();
            assert_eq!(lookup["data"], json!(scanned), "{filter}");
            assert_eq!(
                lookup["meta"]["totalRecords"],
                json!(scanned.len()),
                "{filter}"
            );
        }
        let ordered = envelope(
            &org,
            "o",
            rule,
            "v2",
            &query(&[("filter", "id=in=(t7,t2,t0)")]),
            1000,
        )
        .expect("list");
        let ids: Vec<&str> = ordered["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(ids, ["t0", "t2", "t7"], "creation order, each once");
    }
}
