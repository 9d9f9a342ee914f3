//! Apply order: creates and updates parents first (by the catalogue's reference graph),
//! then second-pass back-link updates, then the removal of keyed-list entries others
//! pointed at, then deletes children first, and before any of them each object whose live
//! state still points at another being deleted (a back-link, which the kind order leaves
//! out). Within a kind, the config's own order is kept (deletes go by key), so the same
//! input always gives the same plan.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::{Action, Change, Pass};
use crate::catalogue::kind_rank;

/// An object of the plan: its kind and key.
pub(crate) type Object = (&'static str, String);

pub fn sort_changes(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| {
        let rank = kind_rank(c.kind.name);
        match (c.action, c.pass) {
            (Action::Delete, _) => (3, usize::MAX - rank, c.key.clone()),
            (_, Pass::Main) => (0, rank, String::new()),
            (_, Pass::BackLinks) => (1, rank, String::new()),
            (_, Pass::Cleanup) => (2, rank, String::new()),
        }
    });
    let first_delete = changes
        .iter()
        .position(|c| c.action == Action::Delete)
        .unwrap_or(changes.len());
    let deletes = changes.split_off(first_delete);
    changes.extend(referrers_first(deletes));
    changes
}

/// The deletes in their order, except that a delete whose live object points at another
/// deleted object (by id, anywhere in its body) goes before it: the API refuses to delete
/// an object something still points at. Of the deletes free to go, the earliest goes
/// first; deletes that point at each other go, in the order they came, once nothing else
/// is free (the API will refuse one of them, and the report says which).
fn referrers_first(deletes: Vec<Change>) -> Vec<Change> {
    let index: HashMap<Object, usize> = deletes
        .iter()
        .enumerate()
        .map(|(n, c)| (object(c), n))
        .collect();
    // after[n]: the deletes delete n must go before (its live object points at them);
    // waiting[n]: how many deletes must go before delete n.
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); deletes.len()];
    let mut waiting: Vec<usize> = vec![0; deletes.len()];
    for (n, held) in holds_deleted(&deletes).into_iter().enumerate() {
        for target in held {
            if let Some(&t) = index.get(&target) {
                after[n].push(t);
                waiting[t] += 1;
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..deletes.len()).filter(|&n| waiting[n] == 0).collect();
    let mut left: BTreeSet<usize> = (0..deletes.len()).collect();
    let mut order = Vec::with_capacity(deletes.len());
    while let Some(&n) = ready.first().or_else(|| left.first()) {
        ready.remove(&n);
        left.remove(&n);
        order.push(n);
        for &t in &after[n] {
            waiting[t] = waiting[t].saturating_sub(1);
            if waiting[t] == 0 && left.contains(&t) {
                ready.insert(t);
            }
        }
    }
    let mut slots: Vec<Option<Change>> = deletes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|n| slots[n].take()).collect()
}

pub(crate) fn object(change: &Change) -> Object {
    (change.kind.name, change.key.clone())
}

/// For each change, the objects other than its own that the plan deletes and that its live
/// state points at (by id, anywhere in the body): the API refuses a delete while something
/// still points at the object.
pub(crate) fn holds_deleted(changes: &[Change]) -> Vec<HashSet<Object>> {
    let ids: HashMap<&str, Object> = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| Some((c.live_id.as_deref()?, object(c))))
        .collect();
    changes
        .iter()
        .map(|c| {
            let mut found = HashSet::new();
            if let Some(live) = &c.live {
                live.values().for_each(|v| live_ids(v, &ids, &mut found));
            }
            found.remove(&object(c));
            found
        })
        .collect()
}

/// Every object of `ids` whose id appears as a string anywhere in `value`.
fn live_ids(value: &Value, ids: &HashMap<&str, Object>, found: &mut HashSet<Object>) {
    match value {
        Value::String(s) => {
            if let Some(o) = ids.get(s.as_str()) {
                found.insert(o.clone());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| live_ids(v, ids, found)),
        Value::Object(m) => m.values().for_each(|v| live_ids(v, ids, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;
    use crate::catalogue::Kind;

    /// A delete of `kind` `key` (live id `id-KEY`) whose live object holds `body`.
    fn delete(kind: &str, key: &str, body: Value) -> Change {
        let mut live: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
        live.insert("id".into(), json!(format!("id-{key}")));
        Change {
            kind: Kind::named(kind).expect("kind"),
            key: key.into(),
            action: Action::Delete,
            pass: Pass::Main,
            live_id: Some(format!("id-{key}")),
            live_version: None,
            live_last_updated: None,
            renamed_from: None,
            diffs: Vec::new(),
            fields: Map::new(),
            live: Some(live),
            live_complete: true,
            uploads: Vec::new(),
        }
    }

    fn keys(changes: &[Change]) -> Vec<&str> {
        changes.iter().map(|c| c.key.as_str()).collect()
    }

    #[test]
    fn a_delete_pointing_at_another_goes_first_and_the_rest_keep_their_order() {
        let deletes = vec![
            delete("team", "Blue", json!({})),
            delete("team", "Red", json!({})),
            delete("desktop-layout", "L", json!({"teamIds": ["id-Red"]})),
            delete("desktop-layout", "M", json!({})),
        ];
        assert_eq!(keys(&referrers_first(deletes)), ["Blue", "L", "Red", "M"]);
        // Pointing at itself, or at an object not being deleted, changes nothing.
        let deletes = vec![
            delete("team", "Blue", json!({})),
            delete(
                "desktop-layout",
                "L",
                json!({"x": "id-L", "teamIds": ["id-Gone"]}),
            ),
        ];
        assert_eq!(keys(&referrers_first(deletes)), ["Blue", "L"]);
    }

    #[test]
    fn deletes_pointing_at_each_other_go_last_in_the_order_they_came_in() {
        let deletes = vec![
            delete("team", "Blue", json!({"desktopLayoutId": "id-L"})),
            delete("desktop-layout", "L", json!({"teamIds": ["id-Blue"]})),
            delete("team", "Red", json!({})),
        ];
        assert_eq!(keys(&referrers_first(deletes)), ["Red", "Blue", "L"]);
    }
}
