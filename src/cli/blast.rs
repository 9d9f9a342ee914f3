//! Blast radius, the network half: for each object a plan deletes whose kind has the API's
//! `incoming-references` route (the vendored spec publishes it; docs/api-notes.md §1.10),
//! ask who points at it, every referencing type the first answer lists, every page. The
//! judging is pure and lives in `plan::blast`.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde_json::Value;

use crate::api::{ApiError, Client};
use crate::catalogue::KINDS;
use crate::plan::{Action, Plan, Reported};

/// How many referencing types, and pages of one type, are read for one object: the answer
/// is untrusted, and no tenant has more types than the catalogue has kinds.
const MAX_TYPES: usize = 64;
const MAX_PAGES: u64 = 100;

/// The catalogue kinds the spec publishes `GET <kind>/{id}/incoming-references` for.
pub(crate) fn route_kinds() -> Vec<&'static str> {
    static PATHS: OnceLock<HashSet<String>> = OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        let document = crate::spec::document();
        document
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.keys().cloned())
            .collect()
    });
    KINDS
        .iter()
        .filter(|k| {
            paths.contains(&format!(
                "/organization/{{orgid}}/{}/{{id}}/incoming-references",
                k.name
            ))
        })
        .map(|k| k.name)
        .collect()
}

/// What the route reports for each delete of `plan` on a kind in `route` (by change index).
pub(crate) async fn reported(
    client: &Client,
    plan: &Plan,
    route: &[&'static str],
) -> Result<Vec<(usize, Vec<Reported>)>, ApiError> {
    let mut out = Vec::new();
    for (i, change) in plan.changes.iter().enumerate() {
        let (Action::Delete, Some(id)) = (change.action, change.live_id.as_deref()) else {
            continue;
        };
        if !route.contains(&change.kind.name) {
            continue;
        }
        let first = client.incoming_references(change.kind, id, None, 0).await?;
        let types: Vec<String> = first
            .pointer("/meta/referencedEntities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .take(MAX_TYPES)
            .map(str::to_string)
            .collect();
        let current = first.pointer("/meta/currentEntity").and_then(Value::as_str);
        let mut found = Vec::new();
        for t in &types {
            let mut page = 0;
            loop {
                // The first answer already holds page 0 of its own type.
                let answer = if page == 0 && current == Some(t.as_str()) {
                    first.clone()
                } else {
                    client
                        .incoming_references(change.kind, id, Some(t), page)
                        .await?
                };
                found.extend(rows(t, &answer));
                let pages = answer
                    .pointer("/meta/totalPages")
                    .and_then(Value::as_u64)
                    .unwrap_or(1);
                page += 1;
                if page >= pages.min(MAX_PAGES) {
                    break;
                }
            }
        }
        out.push((i, found));
    }
    Ok(out)
}

/// The referrers in one answer's `data`.
fn rows(of_type: &str, answer: &Value) -> Vec<Reported> {
    answer
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|row| {
            Some(Reported {
                kind: of_type.to_string(),
                id: row.get("id")?.as_str()?.to_string(),
                name: row.get("name").and_then(Value::as_str).map(str::to_string),
            })
        })
        .collect()
}
