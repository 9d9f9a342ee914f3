//! Builds the plan: matches desired objects to live ones by key (or by a former key for a
//! rename), checks references, diffs declared fields, splits back-links into a second pass,
//! adds deletes for kinds where deletion is switched on, and applies the safety rules.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::blast::{live_referrers, refusal};
use super::diff::diff_fields;
use super::order::sort_changes;
use super::rules::{self, World};
use super::safety::{DeleteThreshold, check_deletes};
use super::{Action, Change, FieldDiff, Pass, Plan};
use crate::catalogue::{Kind, Reference};
use crate::model::{
    Desired, DesiredObject, Diagnostic, KeyIndex, Live, LiveObject, canonical_references,
    describe_target, ids_to_keys, printable, reference_values,
};

/// Choices that shape a plan.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Kinds whose live objects absent from the config are deleted.
    pub delete_kinds: Vec<&'static str>,
    pub delete_threshold: DeleteThreshold,
    /// Kinds whose deletes the caller checks through the API's `incoming-references`
    /// route (`blast::route_refusals`) instead of the live walk.
    pub incoming_route: Vec<&'static str>,
}

/// Builds the plan. Returns it with every problem found; the plan must not be applied when
/// any of them is an error.
pub fn build(desired: &Desired, live: &Live, options: &PlanOptions) -> (Plan, Vec<Diagnostic>) {
    let live_index = KeyIndex::from_live(live);
    // Team names shared by several sites across config and tenant: those teams are keyed
    // `Site/Name`, and a plain reference to the name is ambiguous.
    let shared = shared_scoped_keys(desired, live, &live_index);
    let qualified;
    let desired = if shared.is_empty() {
        desired
    } else {
        let mut copy = desired.clone();
        copy.qualify_scoped_keys(&shared);
        qualified = copy;
        &qualified
    };
    let (index, renames) = renamed_index(desired, live, live_index);
    let mut diags = Vec::new();
    let mut changes = Vec::new();
    let mut renamed: HashSet<(&str, String)> = HashSet::new();
    let world = World {
        desired,
        live,
        index: &index,
    };

    for object in &desired.objects {
        check_references(object, desired, &index, &shared, &renames, &mut diags);
        diags.extend(rules::cross_object(object, &world));
        let Some((live_object, renamed_from)) = match_live(object, live, &index, &mut diags) else {
            continue;
        };
        match live_object {
            None => plan_create(object, &index, &mut changes),
            Some(live_object) => {
                if let Some(from) = &renamed_from {
                    renamed.insert((object.kind.name, from.clone()));
                    diags.extend(rules::rename(object, live_object, from, &world));
                }
                plan_update(
                    object,
                    live_object,
                    renamed_from,
                    &index,
                    &mut changes,
                    &mut diags,
                );
            }
        }
    }

    let deletes = plan_deletes(desired, live, &index, options, &renamed, &mut diags);
    diags.extend(check_deletes(&deletes, live, &options.delete_threshold));
    changes.extend(deletes);
    (
        Plan {
            changes: sort_changes(changes),
            budget: None,
        },
        diags,
    )
}

/// A live object the config renames: its kind, the former name it is found by, and the
/// name the config gives it.
type Rename<'a> = (&'static str, &'a str, &'a str);

/// The key index of live state with renames already applied: a live object the config
/// renames (through `x-wxcc.formerNames`) is known by its new key too, so objects pointing
/// at it read back under the name they declare and show no diff. Also the renames.
fn renamed_index<'a>(
    desired: &'a Desired,
    live: &Live,
    mut index: KeyIndex,
) -> (KeyIndex, Vec<Rename<'a>>) {
    // Found against the index as it was, then set: one rename never hides another.
    let renames: Vec<(&'static str, &str, &str, String)> = desired
        .objects
        .iter()
        .filter(|object| !object.settings.former_names.is_empty())
        .filter(|object| live_candidates(object, object.name(), live, &index).is_empty())
        .filter_map(|object| {
            object.settings.former_names.iter().find_map(|f| {
                let found = live_candidates(object, f, live, &index);
                (found.len() == 1).then(|| {
                    (
                        object.kind.name,
                        f.as_str(),
                        object.key.as_str(),
                        found[0].id.clone(),
                    )
                })
            })
        })
        .collect();
    for (kind, _, key, id) in &renames {
        index.set(kind, key, id);
    }
    let renames = renames
        .into_iter()
        .map(|(kind, former, key, _)| (kind, former, key))
        .collect();
    (index, renames)
}

/// Plain keys of scoped kinds (team names) that objects at different scopes (sites) share,
/// counting the config and the tenant together.
fn shared_scoped_keys(
    desired: &Desired,
    live: &Live,
    index: &KeyIndex,
) -> Vec<(&'static str, String)> {
    let mut scopes: std::collections::BTreeMap<(&'static str, String), HashSet<String>> =
        std::collections::BTreeMap::new();
    for kind in crate::catalogue::KINDS {
        let Some(target) = kind.scope.and_then(|s| kind.reference(s)) else {
            continue;
        };
        for o in live.of_kind(kind.name) {
            let scope = o
                .body
                .get(target.field)
                .and_then(Value::as_str)
                .and_then(|id| index.key_of(target.target, id));
            if let (Some(key), Some(scope)) = (&o.key, scope) {
                scopes
                    .entry((kind.name, key.clone()))
                    .or_default()
                    .insert(scope.to_string());
            }
        }
        for o in desired.of_kind(kind.name) {
            let name = o.body.get(kind.key).and_then(Value::as_str);
            let scope = o.body.get(target.field).and_then(Value::as_str);
            if let (Some(name), Some(scope)) = (name, scope) {
                scopes
                    .entry((kind.name, name.to_string()))
                    .or_default()
                    .insert(scope.to_string());
            }
        }
    }
    scopes
        .into_iter()
        .filter(|(_, s)| s.len() > 1)
        .map(|(k, _)| k)
        .collect()
}

/// Live objects of the object's kind named `name` (its own or a former one); for a scoped
/// kind (teams), at the object's declared scope (site) only.
fn live_candidates<'a>(
    object: &DesiredObject,
    name: &str,
    live: &'a Live,
    index: &KeyIndex,
) -> Vec<&'a LiveObject> {
    live.by_key(object.kind.name, name)
        .into_iter()
        .filter(|o| in_declared_scope(object, o, index))
        .collect()
}

/// Whether a live object shares the desired one's scope (a team's site), so that names are
/// compared where the API keeps them unique. Always true for unscoped kinds, and when the
/// config does not declare the scope.
fn in_declared_scope(object: &DesiredObject, o: &LiveObject, index: &KeyIndex) -> bool {
    let kind = object.kind;
    let Some(target) = kind.scope.and_then(|s| kind.reference(s)) else {
        return true;
    };
    let declared_scope = object.body.get(target.field).and_then(Value::as_str);
    let scope = o
        .body
        .get(target.field)
        .and_then(Value::as_str)
        .and_then(|id| index.key_of(target.target, id));
    declared_scope.is_none() || scope == declared_scope
}

/// The live object a desired one corresponds to: `Some((None, _))` when there is none
/// (create), `None` when matching failed with an error.
fn match_live<'a>(
    object: &DesiredObject,
    live: &'a Live,
    index: &KeyIndex,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Option<&'a LiveObject>, Option<String>)> {
    let kind = object.kind;
    let found = live_candidates(object, object.name(), live, index);
    if found.len() > 1 {
        diags.push(
            Diagnostic::error(
                format!(
                    "the tenant has {} {}s with {} `{}`",
                    found.len(),
                    kind.name,
                    kind.key,
                    object.key
                ),
                object.key_span,
                "matches more than one live object",
            )
            .with_help(format!(
                "wxcc matches objects by {}; rename all but one in the tenant (ids: {})",
                kind.key,
                found
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        return None;
    }
    if let Some(o) = found.first() {
        return Some((Some(o), None));
    }
    for former in &object.settings.former_names {
        let matches = live_candidates(object, former, live, index);
        if matches.len() == 1 {
            return Some((Some(matches[0]), Some(former.clone())));
        }
    }
    let plain = object.name();
    let differs_in_case: Vec<&LiveObject> = live
        .by_key_ignoring_case(kind.name, plain)
        .into_iter()
        .filter(|o| {
            o.key
                .as_deref()
                .is_some_and(|k| k != plain && k.to_lowercase() == plain.to_lowercase())
                && in_declared_scope(object, o, index)
        })
        .collect();
    if let Some(other) = differs_in_case.first() {
        let live_key = other.key.clone().unwrap_or_default();
        diags.push(
            Diagnostic::error(
                format!("{} `{}` differs only in case from live {} `{live_key}`", kind.name, object.key, kind.name),
                object.key_span,
                "a name the tenant already has, in other letters",
            )
            .with_help(format!(
                "the API treats names that differ only in case as the same name; write `{live_key}`, or rename it with `x-wxcc: {{formerNames: [\"{live_key}\"]}}`"
            )),
        );
        return None;
    }
    if !kind.creatable {
        diags.push(
            Diagnostic::error(
                format!("{} `{}` does not exist in the tenant", kind.name, object.key),
                object.key_span,
                format!("no live {} with this {}", kind.name, kind.key),
            )
            .with_help(format!(
                "wxcc cannot create a {}: create it in Control Hub first, or check the spelling of `{}`",
                kind.name, object.key
            )),
        );
        return None;
    }
    Some((None, None))
}

fn check_references(
    object: &DesiredObject,
    desired: &Desired,
    index: &KeyIndex,
    shared: &[(&'static str, String)],
    renames: &[Rename<'_>],
    diags: &mut Vec<Diagnostic>,
) {
    let body = Value::Object(object.body.clone());
    for (pointer, reference, key) in reference_values(object.kind, &body) {
        let span = object.value_span(&pointer);
        let target = describe_target(reference, key);
        if reference.within.is_none()
            && shared
                .iter()
                .any(|(k, n)| *k == reference.target && n == key)
        {
            diags.push(
                Diagnostic::error(
                    format!("{target} is ambiguous: teams at several sites have this name"),
                    span,
                    "ambiguous reference",
                )
                .with_help(format!(
                    "name the site too, as `<site>/{key}` (e.g. the key the plan shows for each {})",
                    reference.target
                )),
            );
            continue;
        }
        if desired.defines(reference, key) {
            continue;
        }
        // The live object still answers to its former name, but only until the rename is
        // applied: the next plan would find nothing by it.
        if reference.within.is_none()
            && let Some((_, _, new)) = renames
                .iter()
                .find(|(kind, former, _)| *kind == reference.target && *former == key)
        {
            diags.push(
                Diagnostic::error(
                    format!(
                        "{target} is a former name: this config renames it to `{}`",
                        printable(new)
                    ),
                    span,
                    "former name",
                )
                .with_help(format!(
                    "refer to it by its new name, `{}`: once the rename is applied, the former name names nothing",
                    printable(new)
                )),
            );
            continue;
        }
        if index.is_ambiguous(&reference.index_name(), key) {
            diags.push(
                Diagnostic::error(
                    format!("several live objects match {target}"),
                    span,
                    "ambiguous reference",
                )
                .with_help(format!(
                    "rename the duplicates in the tenant, or declare the one you mean under `{}:`",
                    reference.target
                )),
            );
        } else if index.id_of(&reference.index_name(), key).is_none() {
            diags.push(
                Diagnostic::error(
                    format!("no {target} in the config or the tenant"),
                    span,
                    format!("unknown {}", reference.target),
                )
                .with_help(format!(
                    "declare it under `{}:` or correct the name",
                    reference.target
                )),
            );
        }
    }
}

/// Whether every key a deferred reference field names already exists live.
fn targets_live(reference: &Reference, value: &Value, index: &KeyIndex) -> bool {
    let mut all = true;
    crate::model::FieldPath::parse(reference.field).visit(&wrap(reference, value), &mut |_, v| {
        if let Some(key) = v.as_str()
            && index.id_of(&reference.index_name(), key).is_none()
        {
            all = false;
        }
    });
    all
}

/// A top-level field's value wrapped back into an object, so a field path can walk it.
fn wrap(reference: &Reference, value: &Value) -> Value {
    let root = crate::model::FieldPath::parse(reference.field)
        .root()
        .unwrap_or_default()
        .to_string();
    let mut m = Map::new();
    m.insert(root, value.clone());
    Value::Object(m)
}

/// The deferred reference rooted at a top-level field, if any.
fn deferred_reference(kind: &'static Kind, field: &str) -> Option<&'static Reference> {
    kind.references
        .iter()
        .find(|r| r.deferred && crate::model::FieldPath::parse(r.field).root() == Some(field))
}

fn plan_create(object: &DesiredObject, index: &KeyIndex, changes: &mut Vec<Change>) {
    let kind = object.kind;
    let mut now = Map::new();
    let mut later = Map::new();
    // A declared null (an unset) has nothing to clear on a new object.
    for (field, value) in object.body.iter().filter(|(_, v)| !v.is_null()) {
        match deferred_reference(kind, field) {
            Some(r) if !targets_live(r, value, index) => later.insert(field.clone(), value.clone()),
            _ => now.insert(field.clone(), value.clone()),
        };
    }
    changes.push(Change {
        kind,
        key: object.key.clone(),
        action: Action::Create,
        pass: Pass::Main,
        live_id: None,
        live_version: None,
        live_last_updated: None,
        renamed_from: None,
        diffs: as_diffs(&now),
        fields: now,
        live: None,
        live_complete: false,
        uploads: object.uploads.clone(),
    });
    if !later.is_empty() {
        changes.push(Change {
            kind,
            key: object.key.clone(),
            action: Action::Update,
            pass: Pass::BackLinks,
            live_id: None,
            live_version: None,
            live_last_updated: None,
            renamed_from: None,
            diffs: as_diffs(&later),
            fields: later,
            live: None,
            live_complete: false,
            uploads: object.uploads.clone(),
        });
    }
}

fn as_diffs(fields: &Map<String, Value>) -> Vec<FieldDiff> {
    fields
        .iter()
        .map(|(k, v)| FieldDiff {
            path: k.clone(),
            before: None,
            after: Some(v.clone()),
        })
        .collect()
}

fn plan_update(
    object: &DesiredObject,
    live: &LiveObject,
    renamed_from: Option<String>,
    index: &KeyIndex,
    changes: &mut Vec<Change>,
    diags: &mut Vec<Diagnostic>,
) {
    let kind = object.kind;
    let mut live_keys = Value::Object(live.body.clone());
    ids_to_keys(kind, &mut live_keys, index);
    let live_keys = match live_keys {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    let canonical = canonical_references(kind, &object.body, index);
    let diffs = diff_fields(kind, canonical.as_ref().unwrap_or(&object.body), &live_keys);
    if diffs.is_empty() {
        return;
    }
    if live.is_system_default() {
        diags.push(
            Diagnostic::error(
                format!(
                    "{} `{}` is a system default, which wxcc never changes",
                    kind.name, object.key
                ),
                object.key_span,
                "system default",
            )
            .with_help(format!(
                "remove the changed fields ({}) or the whole object; it can still be referenced",
                changed_fields(&diffs)
            )),
        );
        return;
    }
    if object.settings.protect {
        diags.push(
            Diagnostic::error(
                format!(
                    "{} `{}` is protected but differs from the tenant",
                    kind.name, object.key
                ),
                object.key_span,
                "protected by x-wxcc.protect",
            )
            .with_help(format!(
                "fields that differ: {}; remove `protect: true` to let wxcc change them",
                changed_fields(&diffs)
            )),
        );
        return;
    }
    let mut conflict = false;
    for d in diffs
        .iter()
        .filter(|d| kind.immutable.contains(&d.path.as_str()))
    {
        conflict = true;
        let before = d
            .before
            .as_ref()
            .map(crate::model::render_value)
            .unwrap_or_else(|| "unset".into());
        diags.push(
            Diagnostic::error(
                format!(
                    "`{}` of {} `{}` cannot change once created (live: {before})",
                    d.path, kind.name, object.key
                ),
                object.field_span(&format!("/{}", d.path)),
                "the API refuses to change this field",
            )
            .with_help(format!(
                "set it back to {before}, or create a new {} under another {} and delete this one",
                kind.name, kind.key
            )),
        );
    }
    if conflict {
        return;
    }
    let changed: HashSet<&str> = diffs
        .iter()
        .map(|d| d.path.split(['.', '[']).next().unwrap_or(&d.path))
        .collect();
    let mut now = Map::new();
    let mut later = Map::new();
    for (field, value) in object
        .body
        .iter()
        .filter(|(f, _)| changed.contains(f.as_str()))
    {
        match deferred_reference(kind, field) {
            Some(r) if !targets_live(r, value, index) => later.insert(field.clone(), value.clone()),
            _ => now.insert(field.clone(), value.clone()),
        };
    }
    let root = |d: &FieldDiff| {
        d.path
            .split(['.', '['])
            .next()
            .unwrap_or(&d.path)
            .to_string()
    };
    let (later_diffs, now_diffs): (Vec<FieldDiff>, Vec<FieldDiff>) = diffs
        .into_iter()
        .partition(|d| later.contains_key(&root(d)));
    let (now, now_diffs, cleanup) = split_entry_removals(kind, &live_keys, now, now_diffs);
    let base = Change {
        kind,
        key: object.key.clone(),
        action: Action::Update,
        pass: Pass::Main,
        live_id: Some(live.id.clone()),
        live_version: live.version(),
        live_last_updated: live.last_updated(),
        renamed_from,
        diffs: now_diffs,
        fields: now,
        live: Some(live.body.clone()),
        live_complete: live.complete,
        uploads: object.uploads.clone(),
    };
    if !later.is_empty() {
        changes.push(Change {
            pass: Pass::BackLinks,
            diffs: later_diffs,
            fields: later,
            renamed_from: None,
            ..base.clone()
        });
    }
    if let Some((fields, diffs)) = cleanup {
        changes.push(Change {
            pass: Pass::Cleanup,
            diffs,
            fields,
            renamed_from: None,
            ..base.clone()
        });
    }
    if !base.fields.is_empty() {
        changes.push(base);
    }
}

/// Keyed lists whose entries other objects point at (a skill's enum values): removing an
/// entry must wait until whatever pointed at it has moved on, or the API refuses (412).
/// The main update keeps the entries it would remove; a cleanup update removes them last.
/// Returns the main fields and diffs, and the cleanup's fields and diffs if there is one.
#[allow(clippy::type_complexity)]
fn split_entry_removals(
    kind: &'static Kind,
    live: &Map<String, Value>,
    mut fields: Map<String, Value>,
    mut diffs: Vec<FieldDiff>,
) -> (
    Map<String, Value>,
    Vec<FieldDiff>,
    Option<(Map<String, Value>, Vec<FieldDiff>)>,
) {
    let mut cleanup_fields = Map::new();
    let mut cleanup_diffs = Vec::new();
    for list in kind.keyed_lists {
        let referenced = crate::catalogue::KINDS.iter().any(|k| {
            k.references
                .iter()
                .any(|r| r.target == kind.name && r.within == Some(list.field))
        });
        let (Some(Value::Array(wanted)), Some(Value::Array(current)), true) =
            (fields.get(list.field), live.get(list.field), referenced)
        else {
            continue;
        };
        let removed: Vec<Value> = current
            .iter()
            .filter(|entry| {
                !wanted
                    .iter()
                    .any(|w| w.get(list.key).is_some() && w.get(list.key) == entry.get(list.key))
            })
            .cloned()
            .collect();
        if removed.is_empty() {
            continue;
        }
        let final_list = wanted.clone();
        let mut kept = wanted.clone();
        kept.extend(removed.iter().cloned());
        let names: Vec<Value> = removed
            .iter()
            .filter_map(|e| e.get(list.key).cloned())
            .collect();
        cleanup_diffs.push(FieldDiff {
            path: list.field.to_string(),
            before: Some(Value::Array(names)),
            after: None,
        });
        cleanup_fields.insert(list.field.to_string(), Value::Array(final_list));
        fields.insert(list.field.to_string(), Value::Array(kept.clone()));
        // The main update's diff of this list, recomputed without the removals.
        diffs.retain(|d| d.path.split(['.', '[']).next() != Some(list.field));
        let mut main = Map::new();
        main.insert(list.field.to_string(), Value::Array(kept));
        diffs.extend(super::diff::diff_fields(kind, &main, live));
    }
    if fields.keys().all(|f| cleanup_fields.contains_key(f)) && diffs.is_empty() {
        fields.clear();
    }
    let cleanup = (!cleanup_fields.is_empty()).then_some((cleanup_fields, cleanup_diffs));
    (fields, diffs, cleanup)
}

fn changed_fields(diffs: &[FieldDiff]) -> String {
    diffs
        .iter()
        .map(|d| format!("`{}`", d.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The declared object a live one is, if any: by its key, or for a scoped kind (teams) by
/// its qualified key `Site/Name`.
pub(super) fn declared_for<'a>(
    desired: &'a Desired,
    kind: &Kind,
    o: &LiveObject,
    index: &KeyIndex,
) -> Option<&'a DesiredObject> {
    let key = o.key.as_deref()?;
    let qualified = index.qualified_key(kind, key, &o.body);
    let by_scope = qualified.and_then(|q| desired.find(kind.name, &q));
    by_scope.or_else(|| desired.find(kind.name, key).filter(|d| d.key == d.name()))
}

fn plan_deletes(
    desired: &Desired,
    live: &Live,
    index: &KeyIndex,
    options: &PlanOptions,
    renamed: &HashSet<(&str, String)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Change> {
    let mut deletes = Vec::new();
    for kind_name in &options.delete_kinds {
        let Some(kind) = Kind::named(kind_name) else {
            continue;
        };
        if !kind.deletable {
            continue;
        }
        for o in live.of_kind(kind.name) {
            let Some(key) = &o.key else { continue };
            if o.is_system_default()
                || declared_for(desired, kind, o, index).is_some()
                || renamed.contains(&(kind.name, key.clone()))
            {
                continue;
            }
            for user in &desired.objects {
                let body = Value::Object(user.body.clone());
                for (pointer, r, k) in reference_values(user.kind, &body) {
                    if r.target == kind.name && k == key {
                        diags.push(
                            Diagnostic::error(
                                format!(
                                    "{} `{key}` would be deleted, but this {} still names it",
                                    kind.name, user.kind.name
                                ),
                                user.value_span(&pointer),
                                "still referenced",
                            )
                            .with_help(format!(
                                "declare {} `{key}` in the config, or point this field elsewhere",
                                kind.name
                            )),
                        );
                    }
                }
            }
            // Kinds the API answers `incoming-references` for are checked through it by the
            // caller (`blast::route_refusals`), which sees unmanaged referrers too.
            if !options.incoming_route.contains(&kind.name) {
                let referrers = live_referrers(kind, o, desired, live, index, options);
                if !referrers.is_empty() {
                    diags.push(refusal(kind, key, &referrers));
                }
            }
            deletes.push(Change {
                kind,
                key: key.clone(),
                action: Action::Delete,
                pass: Pass::Main,
                live_id: Some(o.id.clone()),
                live_version: o.version(),
                live_last_updated: o.last_updated(),
                renamed_from: None,
                diffs: Vec::new(),
                fields: Map::new(),
                live: Some(o.body.clone()),
                live_complete: o.complete,
                uploads: Vec::new(),
            });
        }
    }
    deletes
}

#[cfg(test)]
pub(super) mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalogue::{KIND_DEFAULTS, KeyedList};

    /// Live state of catalogue kinds from `(kind, body)` pairs (shared with `blast`'s tests).
    pub(in crate::plan) fn live(objects: &[(&'static str, Value)]) -> Live {
        let mut live = Live::default();
        for (kind, body) in objects {
            let kind = Kind::named(kind).expect("kind");
            let body = body.as_object().cloned().expect("object");
            live.kinds
                .entry(kind.name)
                .or_default()
                .push(LiveObject::from_body(kind, body).expect("live object"));
        }
        live
    }

    /// The desired state of a config of one YAML file holding `text`.
    fn desired(text: &str) -> Desired {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, text).expect("write");
        crate::config::load(&file).expect("load").desired
    }

    /// A skill whose name may change (the catalogue's may not), for the one combination no
    /// shipped kind allows: a rename and a keyed-list entry removal that waits for the last
    /// pass.
    static RENAMABLE_SKILL: Kind = Kind {
        name: "skill",
        keyed_lists: &[KeyedList {
            field: "enumSkillValues",
            key: "name",
        }],
        ..KIND_DEFAULTS
    };

    /// A renamed object that also loses an entry other objects may point at: the rename is
    /// the main update's, and the last pass, which only removes the entry from the object
    /// already renamed, says nothing of one (kills `renamed_from: None` deleted from the
    /// cleanup change of `plan_update`, which titled both `renamed from`).
    #[test]
    fn only_the_main_update_of_a_renamed_object_is_a_rename() {
        let mut desired = desired(
            "skill:\n  - name: Tiers\n    x-wxcc: {formerNames: [Tier]}\n    skillType: ENUM\n    serviceLevelThreshold: 30\n    active: true\n    enumSkillValues: [{name: Silver}]\n",
        );
        for object in &mut desired.objects {
            object.kind = &RENAMABLE_SKILL;
        }
        let body = json!({"id": "k1", "name": "Tier", "skillType": "ENUM", "serviceLevelThreshold": 30, "active": true, "enumSkillValues": [{"id": "v1", "name": "Gold"}, {"id": "v2", "name": "Silver"}]});
        let mut live = Live::default();
        live.kinds.entry("skill").or_default().push(
            LiveObject::from_body(&RENAMABLE_SKILL, body.as_object().cloned().expect("object"))
                .expect("live object"),
        );
        let (plan, diags) = build(&desired, &live, &PlanOptions::default());
        assert!(!diags.iter().any(Diagnostic::is_error), "{diags:?}");
        let passes: Vec<(Pass, Option<&str>)> = plan
            .changes
            .iter()
            .map(|c| (c.pass, c.renamed_from.as_deref()))
            .collect();
        assert_eq!(passes, [(Pass::Main, Some("Tier")), (Pass::Cleanup, None)]);
    }

    #[test]
    fn a_rename_gives_no_updates_of_the_objects_that_point_at_it() {
        let desired = desired(
            "site:\n  - {name: Austin TX, active: true, multimediaProfileId: Voice, x-wxcc: {formerNames: [Austin]}}\nteam:\n  - {name: Blue, siteId: Austin TX, teamType: AGENT, teamStatus: IN_SERVICE, active: true}\n",
        );
        let live = live(&[
            ("multimedia-profile", json!({"id": "m1", "name": "Voice"})),
            (
                "site",
                json!({"id": "s1", "name": "Austin", "active": true, "multimediaProfileId": "m1"}),
            ),
            (
                "team",
                json!({"id": "t1", "name": "Blue", "siteId": "s1", "teamType": "AGENT", "teamStatus": "IN_SERVICE", "active": true}),
            ),
        ]);
        let (plan, diags) = build(&desired, &live, &PlanOptions::default());
        let changed: Vec<(&str, &str)> = plan
            .changes
            .iter()
            .map(|c| (c.kind.name, c.key.as_str()))
            .collect();
        assert_eq!(changed, vec![("site", "Austin TX")]);
        // The team still points at the site, so the API would refuse the rename.
        assert!(
            diags
                .iter()
                .any(|d| d.is_error() && d.message.contains("team `Blue` (siteId)")),
            "{diags:?}"
        );
    }
}
