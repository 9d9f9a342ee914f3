//! The inverse of an apply, from its journal, as a plan (pure: the journal and the live
//! state read now). Objects the apply created are deleted; fields it changed get their
//! before values back; objects it deleted are created again from their before-image, with
//! the references in it re-keyed (an id the journal or the tenant knows becomes its key, so
//! it resolves to whatever id that object has now, including one recreated earlier in the
//! same undo). An object whose `version` (or `lastUpdatedTime`) is no longer what the apply
//! left, or a deleted object whose key has come back, is refused by name: undo never
//! overwrites a change made since. Later journals of the same org are followed: a later
//! apply that was itself undone (or an undo) moved the objects on knowingly, and an object
//! an undo recreated is followed to its new id, so undoing again walks further back; a later
//! apply not undone that touched an object is a change since, named.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Seen;
use super::journal::{Act, Entry, Journal, Status};
use crate::catalogue::{Kind, SERVER_OWNED};
use crate::model::{Diagnostic, KeyIndex, Live, LiveObject, ids_to_keys, printable};
use crate::plan::{Action, Change, FieldDiff, Pass, Plan, diff_fields, sort_changes};

/// What undoing one object comes to.
enum Undone {
    Change(Change),
    /// It is already as it was before the apply.
    Nothing,
    Refused(Diagnostic),
}

/// Where one object of the journal stands after the later journals.
#[derive(Clone, Debug)]
enum Tracked {
    /// Known under this id, last left at this `version`/`lastUpdatedTime`.
    Now {
        id: String,
        version: Option<i64>,
        last_updated: Option<i64>,
    },
    /// Deleted by a later undo or undone apply.
    Gone,
    /// Touched by a later apply that is not undone (its journal's name).
    Changed(String),
}

/// Follows each object `journal` created or updated through the `later` journals of the
/// same org (name and journal, oldest first).
fn follow(
    journal: &Journal,
    later: &[(String, Journal)],
) -> HashMap<(String, String), (String, Tracked)> {
    let mut tracked: HashMap<(String, String), (String, Tracked)> = HashMap::new();
    for e in done(journal).filter(|e| e.action != Act::Delete) {
        if let Some(id) = &e.id {
            tracked.insert(
                (e.kind.clone(), id.clone()),
                (
                    e.key.clone(),
                    Tracked::Now {
                        id: id.clone(),
                        version: e.after_version,
                        last_updated: e.after_last_updated,
                    },
                ),
            );
        }
    }
    let undone: Vec<&str> = later
        .iter()
        .filter(|(_, j)| j.did_anything())
        .filter_map(|(_, j)| j.undoes.as_deref())
        .collect();
    for (name, l) in later {
        let knowingly = l.undoes.is_some() || undone.contains(&name.as_str());
        for e in done(l) {
            let current = tracked.iter_mut().find_map(|((kind, _), v)| {
                let same = *kind == e.kind
                    && matches!(&v.1, Tracked::Now { id, .. } if Some(id) == e.id.as_ref());
                same.then_some(v)
            });
            match current {
                Some((_, t)) => {
                    *t = match (knowingly, e.action) {
                        (false, _) => Tracked::Changed(name.clone()),
                        (true, Act::Delete) => Tracked::Gone,
                        (true, _) => Tracked::Now {
                            id: e.id.clone().unwrap_or_default(),
                            version: e.after_version,
                            last_updated: e.after_last_updated,
                        },
                    };
                }
                _ if l.undoes.is_some() && e.action == Act::Create => {
                    // An undo recreating what an apply deleted: the object under a new id.
                    if let Some((_, t)) = tracked.iter_mut().find_map(|((kind, _), v)| {
                        (*kind == e.kind && v.0 == e.key && matches!(v.1, Tracked::Gone))
                            .then_some(v)
                    }) {
                        *t = Tracked::Now {
                            id: e.id.clone().unwrap_or_default(),
                            version: e.after_version,
                            last_updated: e.after_last_updated,
                        };
                    }
                }
                _ => {}
            }
        }
    }
    tracked
}

/// The undo of `journal` against `live`, following the `later` journals of the same org
/// (name and journal, oldest first): the plan, the refusals (errors), and notes.
pub fn inverse(
    journal: &Journal,
    later: &[(String, Journal)],
    live: &Live,
) -> (Plan, Vec<Diagnostic>, Vec<String>) {
    let tracked = follow(journal, later);
    let mut refusals = Vec::new();
    let mut notes = Vec::new();
    let pending = journal
        .changes
        .iter()
        .filter(|e| e.status == Status::Pending)
        .count();
    if pending > 0 {
        notes.push(format!(
            "{pending} change(s) of that apply were not finished when its journal was last written (it was stopped); undo leaves them alone, run `wxcc plan` to see where the tenant stands"
        ));
    }
    // Ids the apply deleted are known by their key, for re-keying what pointed at them.
    let mut index = KeyIndex::from_live(live);
    for e in done(journal).filter(|e| e.action == Act::Delete) {
        if let (Some(kind), Some(before)) = (Kind::named(&e.kind), &e.before) {
            index.record(kind, &e.key, before);
        }
    }
    // Objects later undos created again, by kind, key and new id: an undo of this apply
    // that stopped part-way and is run again finds what it already recreated.
    let recreated: Vec<(&str, &str, &str)> = later
        .iter()
        .filter(|(_, l)| l.undoes.is_some())
        .flat_map(|(_, l)| done(l))
        .filter(|e| e.action == Act::Create)
        .filter_map(|e| Some((e.kind.as_str(), e.key.as_str(), e.id.as_deref()?)))
        .collect();
    let mut changes = Vec::new();
    for group in objects(journal) {
        let first = group[0];
        let Some(kind) = Kind::named(&first.kind) else {
            refusals.push(Diagnostic::general(format!(
                "the journal names an unknown kind `{}`",
                printable(&first.kind)
            )));
            continue;
        };
        let now = first
            .id
            .as_ref()
            .and_then(|id| tracked.get(&(first.kind.clone(), id.clone())))
            .map(|(_, t)| t.clone());
        let result = match now {
            _ if first.action == Act::Delete => {
                let again = recreated.iter().any(|&(k, key, id)| {
                    k == kind.name && key == first.key && live.by_id(kind.name, id).is_some()
                });
                if again {
                    Undone::Nothing
                } else {
                    undo_delete(kind, first, live, &index)
                }
            }
            Some(Tracked::Changed(by)) => Undone::Refused(Diagnostic::general(format!(
                "{} `{}` was changed again by a later apply ({by}) that is not undone",
                kind.name,
                printable(&first.key)
            ))
            .with_help(format!(
                "undo that apply first (`wxcc undo .wxcc/journal/{by}`), or change it back by hand"
            ))),
            Some(Tracked::Gone) | None => {
                if group.iter().any(|e| e.action == Act::Create) {
                    Undone::Nothing
                } else {
                    Undone::Refused(Diagnostic::general(format!(
                        "{} `{}` was deleted since that apply changed it; undo cannot restore its fields",
                        kind.name,
                        printable(&first.key)
                    )))
                }
            }
            Some(Tracked::Now {
                id,
                version,
                last_updated,
            }) => {
                let seen = Seen {
                    version,
                    last_updated,
                };
                match live.by_id(kind.name, &id) {
                    None if group.iter().any(|e| e.action == Act::Create) => Undone::Nothing,
                    None => Undone::Refused(Diagnostic::general(format!(
                        "{} `{}` was deleted since that apply changed it; undo cannot restore its fields",
                        kind.name,
                        printable(&first.key)
                    ))),
                    Some(o) => match changed_since(kind, &first.key, o, seen) {
                        Some(refusal) => Undone::Refused(refusal),
                        None if group.iter().any(|e| e.action == Act::Create) => Undone::Change(change(
                            kind,
                            &first.key,
                            Action::Delete,
                            Some(o),
                            Map::new(),
                            Vec::new(),
                        )),
                        None => undo_update(kind, &group, o, &index),
                    },
                }
            }
        };
        match result {
            Undone::Change(change) => changes.push(change),
            Undone::Nothing => notes.push(format!(
                "{} `{}` is already as it was before the apply",
                kind.name,
                printable(&first.key)
            )),
            Undone::Refused(refusal) => refusals.push(refusal),
        }
    }
    (
        Plan {
            changes: sort_changes(changes),
            budget: None,
        },
        refusals,
        notes,
    )
}

/// The entries whose change went through.
fn done(journal: &Journal) -> impl Iterator<Item = &Entry> {
    journal.changes.iter().filter(|e| e.status == Status::Done)
}

/// The done entries grouped by object (kind and id), in the order objects first appear.
fn objects(journal: &Journal) -> Vec<Vec<&Entry>> {
    let mut groups: Vec<Vec<&Entry>> = Vec::new();
    for e in done(journal) {
        let same = |g: &Vec<&Entry>| g[0].kind == e.kind && g[0].id == e.id;
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(e),
            None => groups.push(vec![e]),
        }
    }
    groups
}

/// The refusal when `o` is no longer what the journals say they left (`left`).
fn changed_since(kind: &Kind, key: &str, o: &LiveObject, left: Seen) -> Option<Diagnostic> {
    let moved = match (o.version(), left.version) {
        (Some(now), Some(then)) => (now != then).then(|| format!("version {then} → {now}")),
        _ => match (o.last_updated(), left.last_updated) {
            (Some(now), Some(then)) => {
                (now != then).then(|| format!("last updated {then} → {now}"))
            }
            // Nothing known of the object right after the apply: a bulk create, whose 207
            // answer carries only the new object's `href` (docs/api-notes.md §1.8). It has
            // been written since it was created when its `lastUpdatedTime` moved past its
            // `createdTime` (if the API stamps the two apart at creation, undo refuses,
            // which is the safe way to be wrong).
            (Some(now), None) if left.version.is_none() => o
                .body
                .get("createdTime")
                .and_then(Value::as_i64)
                .filter(|&created| created != now)
                .map(|created| format!("created {created}, last updated {now}")),
            _ => None,
        },
    }?;
    Some(
        Diagnostic::general(format!(
            "{} `{}` changed since that apply ({moved}); undo would overwrite that change",
            kind.name,
            printable(key)
        ))
        .with_help("undo refuses objects changed since; change it back by hand or in the config, then `wxcc apply`"),
    )
}

fn undo_delete(kind: &'static Kind, entry: &Entry, live: &Live, index: &KeyIndex) -> Undone {
    // The name from the before-image: a name may hold a `/`, so the key (`Austin/Tier 1`
    // when qualified) is split only for a journal without one.
    let plain = entry
        .before
        .as_ref()
        .and_then(|b| b.get(kind.key))
        .and_then(Value::as_str)
        .unwrap_or_else(|| {
            kind.split_scoped(&entry.key)
                .map_or(entry.key.as_str(), |(_, k)| k)
        });
    let back = live
        .by_key(kind.name, plain)
        .into_iter()
        .any(|o| Some(&o.id) != entry.id.as_ref());
    if entry
        .id
        .as_deref()
        .and_then(|id| live.by_id(kind.name, id))
        .is_some()
    {
        // The delete did not stick (or the id came back): nothing to recreate.
        return Undone::Nothing;
    }
    if back {
        return Undone::Refused(Diagnostic::general(format!(
            "{} `{}` was created again since that apply deleted it; undo will not create a second one",
            kind.name,
            printable(&entry.key)
        ))
        .with_help("the tenant already has an object with this key; leave it, or delete it first"));
    }
    if kind.upload.is_some() || !kind.creatable {
        return Undone::Refused(Diagnostic::general(format!(
            "{} `{}` cannot be created again by undo: {}",
            kind.name,
            printable(&entry.key),
            if kind.creatable {
                "its file content is not kept in the journal"
            } else {
                "the API cannot create this kind"
            }
        )));
    }
    let Some(before) = &entry.before else {
        return Undone::Refused(Diagnostic::general(format!(
            "the journal has no before-image of {} `{}`",
            kind.name,
            printable(&entry.key)
        )));
    };
    let fields: Map<String, Value> = before
        .iter()
        .filter(|(f, v)| {
            !SERVER_OWNED.contains(&f.as_str()) && !kind.is_read_only(f) && !v.is_null()
        })
        .map(|(f, v)| (f.clone(), v.clone()))
        .collect();
    let mut body = Value::Object(fields);
    ids_to_keys(kind, &mut body, index);
    let fields = body.as_object().cloned().unwrap_or_default();
    let diffs = fields
        .iter()
        .map(|(k, v)| FieldDiff {
            path: k.clone(),
            before: None,
            after: Some(v.clone()),
        })
        .collect();
    Undone::Change(change(
        kind,
        &entry.key,
        Action::Create,
        None,
        fields,
        diffs,
    ))
}

fn undo_update(kind: &'static Kind, group: &[&Entry], o: &LiveObject, index: &KeyIndex) -> Undone {
    let first = group[0];
    // Each field goes back to its value before the first change that wrote it.
    let mut restore = Map::new();
    for e in group {
        let before = e.before.as_ref();
        for f in &e.fields {
            if !restore.contains_key(f) {
                let was = before
                    .and_then(|b| b.get(f))
                    .cloned()
                    .unwrap_or(Value::Null);
                restore.insert(f.clone(), was);
            }
        }
    }
    let mut restore = Value::Object(restore);
    ids_to_keys(kind, &mut restore, index);
    let restore = restore.as_object().cloned().unwrap_or_default();
    let mut now = Value::Object(o.body.clone());
    ids_to_keys(kind, &mut now, index);
    let now = now.as_object().cloned().unwrap_or_default();
    let diffs = diff_fields(kind, &restore, &now);
    if diffs.is_empty() {
        return Undone::Nothing;
    }
    let mut c = change(kind, &first.key, Action::Update, Some(o), restore, diffs);
    c.live_complete = o.complete;
    Undone::Change(c)
}

fn change(
    kind: &'static Kind,
    key: &str,
    action: Action,
    live: Option<&LiveObject>,
    fields: Map<String, Value>,
    diffs: Vec<FieldDiff>,
) -> Change {
    Change {
        kind,
        key: live
            .and_then(|o| o.key.clone())
            .unwrap_or_else(|| key.to_string()),
        action,
        pass: Pass::Main,
        live_id: live.map(|o| o.id.clone()),
        live_version: live.and_then(LiveObject::version),
        live_last_updated: live.and_then(LiveObject::last_updated),
        renamed_from: None,
        diffs,
        fields,
        live: live.map(|o| o.body.clone()),
        live_complete: live.is_some_and(|o| o.complete),
        uploads: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn journal(value: Value) -> Journal {
        serde_json::from_value(value).expect("journal")
    }

    fn created(id: &str, version: i64) -> Value {
        json!({"kind": "site", "key": "Austin", "action": "create", "status": "done", "id": id, "afterVersion": version})
    }

    fn updated(id: &str, version: i64) -> Value {
        json!({"kind": "site", "key": "Austin", "action": "update", "status": "done", "id": id,
               "fields": ["description"], "before": {"id": id, "name": "Austin", "description": "one"},
               "afterVersion": version})
    }

    fn of(changes: Vec<Value>, undoes: Option<&str>) -> Journal {
        let mut j = json!({"format": 1, "org": "o", "tool": "wxcc", "started": "2026-01-01T00:00:00Z", "changes": changes});
        if let Some(u) = undoes {
            j["undoes"] = json!(u);
        }
        journal(j)
    }

    /// A tenant of one site, `body`.
    fn live_with(body: Value) -> Live {
        let kind = Kind::named("site").expect("site");
        let mut live = Live::default();
        live.kinds.insert(
            kind.name,
            vec![
                LiveObject::from_body(kind, body.as_object().cloned().expect("object"))
                    .expect("live"),
            ],
        );
        live
    }

    fn live_site(version: i64) -> Live {
        live_with(json!({"id": "s1", "name": "Austin", "version": version, "description": "two"}))
    }

    /// An object one apply created and then updated (a second-pass back-link) is one
    /// object to undo: its entries form one group, and the inverse is its delete alone,
    /// not a delete and an update restoring the second pass's fields.
    #[test]
    fn an_object_created_then_updated_in_one_apply_is_undone_by_its_delete_alone() {
        let j = of(vec![created("s1", 0), updated("s1", 1)], None);
        let groups = objects(&j);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].len(), 2);
        let (plan, refusals, _) = inverse(&j, &[], &live_site(1));
        assert!(refusals.is_empty(), "{refusals:?}");
        assert_eq!(plan.changes.len(), 1, "{:?}", plan.changes);
        assert_eq!(plan.changes[0].action, Action::Delete);
    }

    #[test]
    fn later_undone_applies_are_followed_and_others_are_named() {
        let first = of(vec![created("s1", 0)], None);
        // A later apply changed it (version 1) and was undone (version 2): expected.
        let later = vec![
            ("b.json".to_string(), of(vec![updated("s1", 1)], None)),
            (
                "c.json".to_string(),
                of(vec![updated("s1", 2)], Some("b.json")),
            ),
        ];
        let (plan, refusals, _) = inverse(&first, &later, &live_site(2));
        assert!(refusals.is_empty(), "{refusals:?}");
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].action, Action::Delete);

        // The same later apply, not undone: it is named.
        let (plan, refusals, _) = inverse(&first, &later[..1], &live_site(1));
        assert!(plan.is_empty());
        assert!(
            refusals[0].message.contains("a later apply (b.json)"),
            "{refusals:?}"
        );

        // No later journal, but the object moved on: refused with the versions.
        let (_, refusals, _) = inverse(&first, &[], &live_site(3));
        assert!(
            refusals[0].message.contains("version 0 → 3"),
            "{refusals:?}"
        );
    }

    #[test]
    fn an_update_restores_the_field_it_wrote() {
        let j = of(vec![updated("s1", 1)], None);
        let (plan, refusals, _) = inverse(&j, &[], &live_site(1));
        assert!(refusals.is_empty(), "{refusals:?}");
        assert_eq!(
            plan.changes[0].fields.get("description"),
            Some(&json!("one"))
        );
        assert_eq!(plan.changes[0].live_version, Some(1));
    }

    /// A journal last written while its apply ran (the apply was killed) says how many of
    /// its changes undo leaves alone; a finished one says nothing of the kind.
    #[test]
    fn a_journal_of_a_stopped_apply_says_how_many_changes_it_leaves_alone() {
        let pending =
            json!({"kind": "site", "key": "Boston", "action": "create", "status": "pending"});
        let stopped = of(vec![created("s1", 0), pending], None);
        let (plan, refusals, notes) = inverse(&stopped, &[], &live_site(0));
        assert!(refusals.is_empty(), "{refusals:?}");
        assert_eq!(plan.changes.len(), 1, "{:?}", plan.changes);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("1 change(s) of that apply were not finished"),
            "{notes:?}"
        );
        let finished = of(vec![created("s1", 0)], None);
        let (_, _, notes) = inverse(&finished, &[], &live_site(0));
        assert!(notes.is_empty(), "{notes:?}");
    }

    /// An object the journal knows only by its `lastUpdatedTime` (an answer without a
    /// `version`) is refused once that time has moved, with both times, and undone while
    /// it has not.
    #[test]
    fn an_object_known_by_its_update_time_alone_is_refused_once_it_moved() {
        let mut entry = updated("s1", 0);
        if let Some(e) = entry.as_object_mut() {
            e.remove("afterVersion");
        }
        entry["afterLastUpdated"] = json!(100);
        let j = of(vec![entry], None);
        let live_at = |time: i64| {
            live_with(
                json!({"id": "s1", "name": "Austin", "lastUpdatedTime": time, "description": "two"}),
            )
        };
        let (plan, refusals, _) = inverse(&j, &[], &live_at(200));
        assert!(plan.is_empty(), "{:?}", plan.changes);
        assert_eq!(refusals.len(), 1, "{refusals:?}");
        assert!(
            refusals[0]
                .message
                .contains("site `Austin` changed since that apply (last updated 100 → 200)"),
            "{refusals:?}"
        );
        let (plan, refusals, _) = inverse(&j, &[], &live_at(100));
        assert!(refusals.is_empty(), "{refusals:?}");
        assert_eq!(plan.changes.len(), 1, "{:?}", plan.changes);
    }
}
