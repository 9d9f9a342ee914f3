//! Blast radius of a delete: what in the tenant points at an object the plan would delete,
//! managed by the config or not, and the refusal naming them. Pure: the live state already
//! read is walked here, and referrers the API's `incoming-references` route reported
//! (docs/api-notes.md §1.10; fetched by the caller) are judged here the same way. A
//! referrer that this plan deletes too, or whose referencing field the config redeclares,
//! no longer points at the object once the apply reaches the delete.

use serde_json::Value;

use super::build::declared_for;
use super::{Action, Change, Plan, PlanOptions};
use crate::catalogue::Kind;
use crate::model::{Desired, Diagnostic, KeyIndex, Live, LiveObject, printable};

/// One object that points at another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrer {
    /// The referrer's kind (or the API's type name for things outside the catalogue: `flow`).
    pub kind: String,
    pub id: String,
    /// Its key (name), or its id when it has none.
    pub key: String,
    /// The field holding the reference, when known.
    pub field: Option<String>,
    /// Whether the config declares the referrer.
    pub managed: bool,
}

impl Referrer {
    fn describe(&self) -> String {
        let field = self
            .field
            .as_deref()
            .map(|f| format!(", {f}"))
            .unwrap_or_default();
        let managed = if self.managed {
            "in the config"
        } else {
            "not in the config"
        };
        format!(
            "{} `{}` ({managed}{field})",
            printable(&self.kind),
            printable(&self.key)
        )
    }
}

/// A live object of a catalogue kind that points at `target` and will still point at it
/// after the apply: not deleted by the plan, and its referencing field not redeclared.
/// Every such object, in catalogue order.
pub(super) fn live_referrers(
    target_kind: &Kind,
    target: &LiveObject,
    desired: &Desired,
    live: &Live,
    index: &KeyIndex,
    options: &PlanOptions,
) -> Vec<Referrer> {
    let mut found = Vec::new();
    for kind in crate::catalogue::KINDS {
        for o in live.of_kind(kind.name) {
            if let Some(r) =
                keeps_pointing(kind, o, target_kind, &target.id, desired, index, options)
                && !found
                    .iter()
                    .any(|f: &Referrer| f.id == r.id && f.kind == r.kind)
            {
                found.push(r);
            }
        }
    }
    found
}

/// `o` as a referrer of `target_kind`/`target_id` if it points at it and keeps doing so
/// through the apply.
fn keeps_pointing(
    kind: &'static Kind,
    o: &LiveObject,
    target_kind: &Kind,
    target_id: &str,
    desired: &Desired,
    index: &KeyIndex,
    options: &PlanOptions,
) -> Option<Referrer> {
    let declared = declared_for(desired, kind, o, index);
    let deleted = declared.is_none()
        && options.delete_kinds.contains(&kind.name)
        && kind.deletable
        && !o.is_system_default();
    if deleted {
        return None;
    }
    for reference in references_to(kind, target_kind) {
        let path = crate::model::FieldPath::parse(reference.field);
        let root = path.root().unwrap_or_default().to_string();
        if declared.is_some_and(|d| d.body.contains_key(&root)) {
            continue;
        }
        let mut points = false;
        path.visit(&Value::Object(o.body.clone()), &mut |_, v| {
            points |= v.as_str() == Some(target_id);
        });
        if points {
            return Some(Referrer {
                kind: kind.name.to_string(),
                id: o.id.clone(),
                key: o.key.clone().unwrap_or_else(|| o.id.clone()),
                field: Some(reference.field.to_string()),
                managed: declared.is_some(),
            });
        }
    }
    None
}

/// Whether the config declares `o` with every field by which its kind refers to `target`'s
/// kind: then whatever those fields hold live, the apply writes them as declared. A field
/// the config leaves out keeps its live value, which a list row may not show.
fn redeclares_references(
    kind: &Kind,
    o: &LiveObject,
    target: &Kind,
    desired: &Desired,
    index: &KeyIndex,
) -> bool {
    let Some(declared) = declared_for(desired, kind, o, index) else {
        return false;
    };
    references_to(kind, target).all(|r| {
        crate::model::FieldPath::parse(r.field)
            .root()
            .is_some_and(|root| declared.body.contains_key(root))
    })
}

/// The fields by which `kind` points at a whole object of `target` (not at an entry of one
/// of its lists).
fn references_to<'k>(
    kind: &'k Kind,
    target: &'k Kind,
) -> impl Iterator<Item = &'static crate::catalogue::Reference> + 'k {
    kind.references
        .iter()
        .filter(move |r| r.target == target.name && r.within.is_none())
}

/// The refusal of deleting `kind`/`key` while `referrers` point at it.
pub(super) fn refusal(kind: &Kind, key: &str, referrers: &[Referrer]) -> Diagnostic {
    let names: Vec<String> = referrers.iter().map(Referrer::describe).collect();
    Diagnostic::general(format!(
        "{} `{}` would be deleted, but {} still point{} at it: {}; the API would refuse the delete (412)",
        kind.name,
        printable(key),
        referrers.len(),
        if referrers.len() == 1 { "s" } else { "" },
        names.join(", ")
    ))
    .with_help(format!(
        "declare {} `{}` in the config to keep it, or change or delete what points at it first",
        kind.name,
        printable(key)
    ))
}

/// Referrers the `incoming-references` route reported for one planned delete: the API's
/// type name, the referrer's id and name.
#[derive(Clone, Debug)]
pub struct Reported {
    pub kind: String,
    pub id: String,
    pub name: Option<String>,
}

/// The refusals for the deletes whose referrers the route reported (`reported[i]` for
/// `plan.changes[i]`). A reported referrer of a kind read live is judged like the live walk
/// judges it (by its declared fields); one of a kind not read (or outside the catalogue) still
/// points at the object unless this plan deletes it.
pub fn route_refusals(
    plan: &Plan,
    reported: &[(usize, Vec<Reported>)],
    desired: &Desired,
    live: &Live,
    options: &PlanOptions,
) -> Vec<Diagnostic> {
    let index = KeyIndex::from_live(live);
    let mut out = Vec::new();
    for (i, referrers) in reported {
        let Some(change) = plan.changes.get(*i) else {
            continue;
        };
        let Some(target_id) = change.live_id.as_deref() else {
            continue;
        };
        let mut blocking: Vec<Referrer> = Vec::new();
        for r in referrers {
            let kind = catalogue_kind(&r.kind);
            if deleted_by(plan, &r.id) || kind.is_some_and(|k| let_go_by(plan, k, &r.id, change)) {
                continue;
            }
            let read = kind.filter(|k| live.kinds.contains_key(k.name));
            let judged = match read.and_then(|k| live.by_id(k.name, &r.id).map(|o| (k, o))) {
                Some((k, o)) => {
                    match keeps_pointing(k, o, change.kind, target_id, desired, &index, options) {
                        Some(found) => Some(found),
                        // The row read may leave the field out (§1.5); the API says it
                        // points, and it keeps pointing unless the config redeclares the
                        // fields it could point through.
                        None if !redeclares_references(k, o, change.kind, desired, &index) => {
                            Some(Referrer {
                                kind: k.name.to_string(),
                                id: o.id.clone(),
                                key: o.key.clone().unwrap_or_else(|| o.id.clone()),
                                field: None,
                                managed: declared_for(desired, k, o, &index).is_some(),
                            })
                        }
                        None => None,
                    }
                }
                None => Some(Referrer {
                    kind: kind.map_or_else(|| r.kind.clone(), |k| k.name.to_string()),
                    id: r.id.clone(),
                    key: r.name.clone().unwrap_or_else(|| r.id.clone()),
                    field: None,
                    managed: false,
                }),
            };
            if let Some(found) = judged
                && !blocking
                    .iter()
                    .any(|b| b.id == found.id && b.kind == found.kind)
            {
                blocking.push(found);
            }
        }
        if !blocking.is_empty() {
            out.push(refusal(change.kind, &change.key, &blocking));
        }
    }
    out
}

/// The refusals of the plan's deletes of kinds without the route (not in
/// `options.incoming_route`), from the live state already read. For plans not built from a
/// config (an undo), where nothing is redeclared.
pub fn walk_refusals(
    plan: &Plan,
    desired: &Desired,
    live: &Live,
    options: &PlanOptions,
) -> Vec<Diagnostic> {
    let index = KeyIndex::from_live(live);
    let mut out = Vec::new();
    for c in plan.changes.iter().filter(|c| c.action == Action::Delete) {
        if options.incoming_route.contains(&c.kind.name) {
            continue;
        }
        let Some(target) = c
            .live_id
            .as_deref()
            .and_then(|id| live.by_id(c.kind.name, id))
        else {
            continue;
        };
        let referrers: Vec<Referrer> =
            live_referrers(c.kind, target, desired, live, &index, options)
                .into_iter()
                .filter(|r| {
                    !deleted_by(plan, &r.id)
                        && !Kind::named(&r.kind).is_some_and(|k| let_go_by(plan, k, &r.id, c))
                })
                .collect();
        if !referrers.is_empty() {
            out.push(refusal(c.kind, &c.key, &referrers));
        }
    }
    out
}

/// Whether the plan deletes the object with this id.
fn deleted_by(plan: &Plan, id: &str) -> bool {
    plan.changes
        .iter()
        .any(|c: &Change| c.action == Action::Delete && c.live_id.as_deref() == Some(id))
}

/// Whether the plan updates the object `id` of `kind` so that it no longer points at
/// `delete`'s object: the update sets every field by which `kind` refers to that kind, and
/// none of the values it sets is that object's key. Such an update goes before the delete,
/// which waits for it (`plan::order`, `apply::deps`). A plan built from a config sets only
/// declared fields, which the walk already counts as redeclared; an undo's restore of a
/// field is not declared anywhere, and is counted here.
fn let_go_by(plan: &Plan, kind: &Kind, id: &str, delete: &Change) -> bool {
    let Some(update) = plan.changes.iter().find(|c| {
        c.action == Action::Update && c.kind.name == kind.name && c.live_id.as_deref() == Some(id)
    }) else {
        return false;
    };
    let body = Value::Object(update.fields.clone());
    let mut fields = references_to(kind, delete.kind).peekable();
    fields.peek().is_some()
        && fields.all(|r| {
            let path = crate::model::FieldPath::parse(r.field);
            let mut names = false;
            path.visit(&body, &mut |_, v| {
                names |= v.as_str() == Some(delete.key.as_str())
            });
            path.root()
                .is_some_and(|root| update.fields.contains_key(root))
                && !names
        })
}

/// The catalogue kind an API type name means (`entrypoint` is entry-point, §1.10).
fn catalogue_kind(name: &str) -> Option<&'static Kind> {
    Kind::named(name).or_else(|| {
        crate::catalogue::KINDS
            .iter()
            .find(|k| k.name.replace('-', "") == name.replace('-', ""))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::build::build;
    use crate::plan::build::tests::live;

    /// docs/api-notes.md §1.10: the API names an entry point `entrypoint` in its referrer
    /// types; it is the catalogue's `entry-point`, and a name of no kind is none.
    #[test]
    fn an_api_type_name_without_its_dash_is_the_catalogue_kind() {
        let name = |n: &str| catalogue_kind(n).map(|k| k.name);
        assert_eq!(name("entrypoint"), Some("entry-point"));
        assert_eq!(name("entry-point"), Some("entry-point"));
        assert_eq!(name("team"), Some("team"));
        assert_eq!(name("no-such-type"), None);
    }

    /// The live walk of a plan not built from a config (an undo: no kind deleted by
    /// omission, every kind walked here): a live team still on a deleted site blocks the
    /// delete, named with its field; a team the same plan deletes does not.
    #[test]
    fn the_walk_refuses_a_delete_only_for_referrers_the_plan_keeps() {
        let live = live(&[
            (
                "site",
                json!({"id": "s1", "name": "Austin", "active": true}),
            ),
            (
                "team",
                json!({"id": "t1", "name": "Blue", "siteId": "s1", "teamType": "AGENT", "teamStatus": "IN_SERVICE", "active": true}),
            ),
        ]);
        let nothing = Desired::default();
        let deleting = |kinds: Vec<&'static str>| {
            let options = PlanOptions {
                delete_kinds: kinds,
                ..PlanOptions::default()
            };
            build(&nothing, &live, &options).0
        };
        let undo = PlanOptions::default();

        let site_only = deleting(vec!["site"]);
        let refusals: Vec<String> = walk_refusals(&site_only, &nothing, &live, &undo)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(
            refusals,
            [
                "site `Austin` would be deleted, but 1 still points at it: team `Blue` (not in the config, siteId); the API would refuse the delete (412)"
            ]
        );

        let both = deleting(vec!["site", "team"]);
        assert_eq!(both.changes.len(), 2);
        assert!(walk_refusals(&both, &nothing, &live, &undo).is_empty());
    }

    /// An undo restores a referrer's field and deletes what the field pointed at: the
    /// restore lets go of it unless the value it sets still names the deleted object or
    /// it leaves the referencing field alone.
    #[test]
    fn an_update_setting_the_referencing_field_elsewhere_lets_go_of_a_deleted_object() {
        let live = live(&[
            (
                "site",
                json!({"id": "s1", "name": "Austin", "active": true}),
            ),
            (
                "site",
                json!({"id": "s2", "name": "Boston", "active": true}),
            ),
            (
                "team",
                json!({"id": "t1", "name": "Blue", "siteId": "s1", "teamType": "AGENT", "teamStatus": "IN_SERVICE", "active": true}),
            ),
        ]);
        let nothing = Desired::default();
        let options = PlanOptions {
            delete_kinds: vec!["site"],
            ..PlanOptions::default()
        };
        let mut plan = build(&nothing, &live, &options).0;
        plan.changes.retain(|c| c.key == "Austin");
        assert_eq!(plan.changes.len(), 1, "the delete of Austin");
        let team = live.by_id("team", "t1").expect("team");
        let with_updates = |updates: &[(&str, Value)]| {
            let mut plan = plan.clone();
            for (n, (id, fields)) in updates.iter().enumerate() {
                plan.changes.insert(
                    n,
                    Change {
                        kind: Kind::named("team").expect("team"),
                        key: format!("team {id}"),
                        action: Action::Update,
                        pass: crate::plan::Pass::Main,
                        live_id: Some(id.to_string()),
                        live_version: None,
                        live_last_updated: None,
                        renamed_from: None,
                        diffs: Vec::new(),
                        fields: fields.as_object().cloned().unwrap_or_default(),
                        live: Some(team.body.clone()),
                        live_complete: true,
                        uploads: Vec::new(),
                    },
                );
            }
            walk_refusals(&plan, &nothing, &live, &PlanOptions::default()).len()
        };
        let with_update = |fields: Value| with_updates(&[("t1", fields)]);
        assert_eq!(with_update(json!({"siteId": "Boston"})), 0, "moved off");
        assert_eq!(
            with_update(json!({"siteId": "Austin"})),
            1,
            "still names it"
        );
        assert_eq!(with_update(json!({"active": false})), 1, "field left alone");
        assert_eq!(
            with_updates(&[("t2", json!({"siteId": "Boston"}))]),
            1,
            "another team's update does not move this one"
        );
        assert_eq!(
            walk_refusals(&plan, &nothing, &live, &PlanOptions::default()).len(),
            1
        );
    }
}
