//! Reference resolution: desired config names other objects by key, the API by id. These
//! functions translate one way or the other at the fields the catalogue marks as references.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::object::Live;
use crate::catalogue::FieldPath;
use crate::catalogue::{Kind, Reference};

/// Key ↔ id maps for every kind (and for entries of keyed lists, under `kind/list` with
/// keys `object/entry`), built from live state and grown as an apply creates objects.
#[derive(Clone, Debug, Default)]
pub struct KeyIndex {
    kinds: HashMap<String, KindIndex>,
}

#[derive(Clone, Debug, Default)]
struct KindIndex {
    /// `None` when several live objects share the key.
    key_to_id: HashMap<String, Option<String>>,
    id_to_key: HashMap<String, String>,
}

impl KeyIndex {
    pub fn from_live(live: &Live) -> KeyIndex {
        let mut index = KeyIndex::default();
        for (kind, objects) in &live.kinds {
            let Some(kind) = Kind::named(kind) else {
                continue;
            };
            for o in objects {
                if let Some(key) = &o.key {
                    index.insert(kind.name, key, &o.id);
                    index.insert_entries(kind, key, &o.body);
                }
            }
        }
        // Objects of scoped kinds (teams) also answer to `<scope key>/<key>`, and a plain key
        // several of them share is known by its qualified form.
        for (kind, objects) in &live.kinds {
            let Some(kind) = Kind::named(kind) else {
                continue;
            };
            if kind.scope.is_none() {
                continue;
            }
            for o in objects {
                let Some(key) = &o.key else {
                    continue;
                };
                let Some(qualified) = index.qualified_key(kind, key, &o.body) else {
                    continue;
                };
                if index.is_ambiguous(kind.name, key) {
                    index.insert(kind.name, &qualified, &o.id);
                } else {
                    index.alias(kind.name, &qualified, &o.id);
                }
            }
        }
        index
    }

    /// Another key for an object, resolving to its id, without changing the key the object
    /// is shown by.
    pub fn alias(&mut self, kind: &str, key: &str, id: &str) {
        let k = self.kinds.entry(kind.to_string()).or_default();
        k.key_to_id.insert(key.to_string(), Some(id.to_string()));
    }

    /// `<scope key>/<key>` for an object of a scoped kind (a team's `Austin/Blue`), from the
    /// scope's id in its body; `None` for other kinds or an unknown scope.
    pub fn qualified_key(
        &self,
        kind: &Kind,
        key: &str,
        body: &Map<String, Value>,
    ) -> Option<String> {
        let target = kind.scope.and_then(|s| kind.reference(s))?;
        let scope_id = body.get(target.field).and_then(Value::as_str)?;
        let scope_key = self.key_of(target.target, scope_id)?;
        Some(Kind::scoped_key(scope_key, key))
    }

    /// Records an object the apply just created or updated: its id, the ids of the entries
    /// of its keyed lists, and, for a scoped kind keyed by its plain key, its qualified key
    /// too, so a later change in the same run may name it either way, as the live index
    /// allows (docs/migrate.md, "Keys when names collide").
    pub fn record(&mut self, kind: &'static Kind, key: &str, body: &Map<String, Value>) {
        if let Some(id) = body.get("id").and_then(Value::as_str) {
            self.set(kind.name, key, id);
        }
        // Keyed by its name, not yet `Site/Name` (a name may itself hold a `/`). A body
        // without its name has no scope field either, so no qualified key to add.
        if body.get(kind.key).and_then(Value::as_str) == Some(key)
            && let Some(id) = self.id_of(kind.name, key).map(str::to_string)
            && let Some(qualified) = self.qualified_key(kind, key, body)
        {
            self.alias(kind.name, &qualified, &id);
        }
        self.insert_entries(kind, key, body);
    }

    fn insert_entries(&mut self, kind: &'static Kind, key: &str, body: &Map<String, Value>) {
        for list in kind.keyed_lists {
            let name = format!("{}/{}", kind.name, list.field);
            for entry in body
                .get(list.field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(entry_key), Some(id)) = (
                    entry.get(list.key).and_then(Value::as_str),
                    entry.get("id").and_then(Value::as_str),
                ) {
                    self.set(&name, &format!("{key}/{entry_key}"), id);
                }
            }
        }
    }

    /// Records that `key` of `kind` has `id`. A second id for the same key makes the key
    /// ambiguous.
    pub fn insert(&mut self, kind: &str, key: &str, id: &str) {
        let k = self.kinds.entry(kind.to_string()).or_default();
        k.id_to_key.insert(id.to_string(), key.to_string());
        match k.key_to_id.get(key) {
            Some(Some(existing)) if existing != id => {
                k.key_to_id.insert(key.to_string(), None);
            }
            Some(None) => {}
            _ => {
                k.key_to_id.insert(key.to_string(), Some(id.to_string()));
            }
        }
    }

    /// Replaces the id recorded for a key (after a rename or a create that was re-read).
    pub fn set(&mut self, kind: &str, key: &str, id: &str) {
        let k = self.kinds.entry(kind.to_string()).or_default();
        k.id_to_key.insert(id.to_string(), key.to_string());
        k.key_to_id.insert(key.to_string(), Some(id.to_string()));
    }

    pub fn id_of(&self, kind: &str, key: &str) -> Option<&str> {
        self.kinds.get(kind)?.key_to_id.get(key)?.as_deref()
    }

    pub fn key_of(&self, kind: &str, id: &str) -> Option<&str> {
        self.kinds.get(kind)?.id_to_key.get(id).map(String::as_str)
    }

    pub fn is_ambiguous(&self, kind: &str, key: &str) -> bool {
        matches!(
            self.kinds.get(kind).and_then(|k| k.key_to_id.get(key)),
            Some(None)
        )
    }
}

/// A key that no object of the target kind has.
#[derive(Clone, Debug)]
pub struct Unresolved {
    /// JSON pointer of the reference inside the object.
    pub pointer: String,
    pub reference: &'static Reference,
    pub key: String,
}

/// How a message names what a reference points at: "site `Chicago`", or for an entry of
/// a keyed list, "value `Gold` of skill `Tier`".
pub fn describe_target(reference: &Reference, key: &str) -> String {
    match (reference.within, key.split_once('/')) {
        (Some(_), Some((object, entry))) => {
            format!("value `{entry}` of {} `{object}`", reference.target)
        }
        (Some(list), None) => format!(
            "{} entry `{key}` (write it as `<{}>/<entry in {list}>`)",
            reference.target, reference.target
        ),
        (None, _) => format!("{} `{key}`", reference.target),
    }
}

/// Every reference value in a body: (pointer, reference, the string written there).
pub fn reference_values<'a>(
    kind: &'static Kind,
    body: &'a Value,
) -> Vec<(String, &'static Reference, &'a str)> {
    let mut out = Vec::new();
    for reference in kind.references {
        FieldPath::parse(reference.field).visit(body, &mut |pointer, v| {
            if let Some(s) = v.as_str() {
                out.push((pointer.to_string(), reference, s));
            }
        });
    }
    out
}

/// Replaces keys with ids at every reference field; returns the keys it could not resolve
/// (left as written).
pub fn keys_to_ids(kind: &'static Kind, body: &mut Value, index: &KeyIndex) -> Vec<Unresolved> {
    let mut missing = Vec::new();
    for reference in kind.references {
        FieldPath::parse(reference.field).visit_mut(body, &mut |pointer, v| {
            if let Value::String(key) = v {
                match index.id_of(&reference.index_name(), key) {
                    Some(id) => *v = Value::String(id.to_string()),
                    None => missing.push(Unresolved {
                        pointer: pointer.to_string(),
                        reference,
                        key: key.clone(),
                    }),
                }
            }
        });
    }
    missing
}

/// The body with every reference that names an object by another of its keys (a team's
/// `Austin/Blue` where its name `Blue` is unique, docs/migrate.md "Keys when names
/// collide") rewritten to the key [`ids_to_keys`] gives the live side, so that the two
/// compare equal; `None`, without a copy, when no reference needs it.
pub fn canonical_references(
    kind: &'static Kind,
    body: &Map<String, Value>,
    index: &KeyIndex,
) -> Option<Map<String, Value>> {
    // Only a qualified key (`<scope>/<name>`) can be another key of an object.
    let canonical = |reference: &Reference, key: &str| -> Option<String> {
        if reference.within.is_some() || !key.contains('/') {
            return None;
        }
        let id = index.id_of(reference.target, key)?;
        index
            .key_of(reference.target, id)
            .filter(|k| *k != key)
            .map(str::to_string)
    };
    let mut needed = false;
    for reference in kind.references {
        FieldPath::parse(reference.field).visit_fields(body, &mut |_, v| {
            needed |= v
                .as_str()
                .is_some_and(|s| canonical(reference, s).is_some());
        });
    }
    if !needed {
        return None;
    }
    let mut value = Value::Object(body.clone());
    for reference in kind.references {
        FieldPath::parse(reference.field).visit_mut(&mut value, &mut |_, v| {
            if let Some(key) = v.as_str().and_then(|s| canonical(reference, s)) {
                *v = Value::String(key);
            }
        });
    }
    match value {
        Value::Object(fields) => Some(fields),
        _ => None,
    }
}

/// Replaces ids with keys at every reference field; ids of unknown objects stay as they are.
pub fn ids_to_keys(kind: &'static Kind, body: &mut Value, index: &KeyIndex) {
    for reference in kind.references {
        FieldPath::parse(reference.field).visit_mut(body, &mut |_, v| {
            if let Value::String(id) = v
                && let Some(key) = index.key_of(&reference.index_name(), id)
            {
                *v = Value::String(key.to_string());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_keys_and_ids() {
        let team = Kind::named("team").expect("team kind");
        let mut index = KeyIndex::default();
        index.insert("site", "Chicago", "site-1");
        index.insert("multimedia-profile", "Voice", "mmp-1");
        let mut body = json!({"name": "T1", "siteId": "Chicago", "multiMediaProfileId": "Voice"});
        assert!(keys_to_ids(team, &mut body, &index).is_empty());
        assert_eq!(body["siteId"], "site-1");
        ids_to_keys(team, &mut body, &index);
        assert_eq!(body["siteId"], "Chicago");
    }

    #[test]
    fn resolves_entries_of_keyed_lists() {
        let profile = Kind::named("skill-profile").expect("kind");
        let skill = Kind::named("skill").expect("kind");
        let mut index = KeyIndex::default();
        let body =
            json!({"id": "s1", "name": "Tier", "enumSkillValues": [{"id": "v1", "name": "Gold"}]});
        index.record(skill, "Tier", body.as_object().expect("object"));
        let mut p = json!({"activeEnumSkills": [{"enumSkillValueId": "Tier/Gold"}]});
        assert!(keys_to_ids(profile, &mut p, &index).is_empty());
        assert_eq!(p["activeEnumSkills"][0]["enumSkillValueId"], "v1");
        ids_to_keys(profile, &mut p, &index);
        assert_eq!(p["activeEnumSkills"][0]["enumSkillValueId"], "Tier/Gold");
    }

    #[test]
    fn reports_unknown_keys_and_ambiguous_ones() {
        let site = Kind::named("site").expect("site kind");
        let mut index = KeyIndex::default();
        index.insert("multimedia-profile", "Dup", "a");
        index.insert("multimedia-profile", "Dup", "b");
        let mut body = json!({"multimediaProfileId": "Dup"});
        let missing = keys_to_ids(site, &mut body, &index);
        assert_eq!(missing.len(), 1);
        assert!(index.is_ambiguous("multimedia-profile", "Dup"));
    }
}
