//! Lookups into an org's objects that do not scan them: per kind, the normalised unique key
//! → the ids holding it; per reference target, the objects pointing at it; per enum skill
//! value, its skill. Not saved: `store::Org` builds it from its objects on first use and
//! brings it up to date on every change of an object (`Org::touch`), so that a uniqueness
//! check, a reference check or a derived field costs what it finds, not the org's size.

use std::collections::{BTreeMap, HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value;

use super::hooks::digits;
use super::refs::{self, Points};
use super::rules::{self, KindRule};

/// The form a kind's key is unique in: dial numbers by their digits, everything else
/// ignoring case (§3.20, §1.6). Empty when the object has no key.
pub fn unique_key(rule: &KindRule, key: Option<&Value>) -> String {
    let s = key.and_then(Value::as_str).unwrap_or_default();
    if rule.key == "dialledNumber" {
        digits(s)
    } else {
        s.to_lowercase()
    }
}

/// What one object puts in the index, kept to take it out again when the object changes.
#[derive(Clone, Debug, Default, PartialEq)]
struct Entry {
    key: Option<String>,
    targets: Vec<(Points, String)>,
    enum_values: Vec<String>,
}

impl Entry {
    fn of(rule: &KindRule, object: &Value) -> Entry {
        let key = unique_key(rule, object.get(rule.key));
        let mut targets: Vec<(Points, String)> = Vec::new();
        for r in rule.refs {
            for f in refs::found(object, r.path, r.target) {
                let target = (f.points, f.id);
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
        let mut enum_values: Vec<String> = Vec::new();
        if rule.name == "skill" {
            for v in refs::enum_value_ids(object) {
                if !enum_values.iter().any(|e| e == v) {
                    enum_values.push(v.to_string());
                }
            }
        }
        Entry {
            key: (!key.is_empty()).then_some(key),
            targets,
            enum_values,
        }
    }
}

/// An object of a kind the rules know, as the index names it.
pub type ObjectRef = (&'static str, String);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    /// kind → normalised key → ids of the objects holding it.
    keys: HashMap<&'static str, HashMap<String, HashSet<String>>>,
    /// target → id → the objects (kind, id) with a reference to it.
    referrers: HashMap<Points, HashMap<String, HashSet<ObjectRef>>>,
    /// enum skill value id → ids of the skills listing it.
    enum_values: HashMap<String, HashSet<String>>,
    /// kind → id → what the object put in.
    entries: HashMap<&'static str, HashMap<String, Entry>>,
}

impl Index {
    /// The index of `objects` (kind → id → object), from scratch.
    pub fn build(objects: &BTreeMap<String, IndexMap<String, Value>>) -> Index {
        let mut index = Index::default();
        for (kind, all) in objects {
            let Some(rule) = rules::kind(kind) else {
                continue;
            };
            for (id, object) in all {
                index.add(rule, id, Entry::of(rule, object));
            }
        }
        index
    }

    /// Brings the index up to date with `kind`/`id` as `objects` now holds it (changed,
    /// added or gone).
    pub fn update(
        &mut self,
        objects: &BTreeMap<String, IndexMap<String, Value>>,
        kind: &str,
        id: &str,
    ) {
        let Some(rule) = rules::kind(kind) else {
            return;
        };
        let old = self.entries.get_mut(rule.name).and_then(|m| m.remove(id));
        if let Some(old) = old {
            self.retract(rule.name, id, old);
        }
        if let Some(object) = objects.get(kind).and_then(|m| m.get(id)) {
            self.add(rule, id, Entry::of(rule, object));
        }
    }

    fn add(&mut self, rule: &KindRule, id: &str, entry: Entry) {
        if let Some(key) = &entry.key {
            self.keys
                .entry(rule.name)
                .or_default()
                .entry(key.clone())
                .or_default()
                .insert(id.to_string());
        }
        for (points, target) in &entry.targets {
            self.referrers
                .entry(*points)
                .or_default()
                .entry(target.clone())
                .or_default()
                .insert((rule.name, id.to_string()));
        }
        for value in &entry.enum_values {
            self.enum_values
                .entry(value.clone())
                .or_default()
                .insert(id.to_string());
        }
        self.entries
            .entry(rule.name)
            .or_default()
            .insert(id.to_string(), entry);
    }

    /// Takes out what `entry` put in, dropping sets and maps left empty (so that an index
    /// kept up to date equals one built afresh).
    fn retract(&mut self, kind: &'static str, id: &str, entry: Entry) {
        if let Some(key) = entry.key
            && let Some(keys) = self.keys.get_mut(kind)
        {
            remove_from(keys, &key, id);
            if keys.is_empty() {
                self.keys.remove(kind);
            }
        }
        for (points, target) in entry.targets {
            if let Some(targets) = self.referrers.get_mut(&points) {
                if let Some(set) = targets.get_mut(&target) {
                    set.remove(&(kind, id.to_string()));
                    if set.is_empty() {
                        targets.remove(&target);
                    }
                }
                if targets.is_empty() {
                    self.referrers.remove(&points);
                }
            }
        }
        for value in entry.enum_values {
            remove_from(&mut self.enum_values, &value, id);
        }
        if self.entries.get(kind).is_some_and(HashMap::is_empty) {
            self.entries.remove(kind);
        }
    }

    /// The ids of the objects of `kind` whose normalised key (`unique_key`) is `key`.
    pub fn holders<'a>(&'a self, kind: &str, key: &str) -> impl Iterator<Item = &'a String> {
        self.keys
            .get(kind)
            .and_then(|m| m.get(key))
            .into_iter()
            .flatten()
    }

    /// The objects with a reference to `id` as `points`, in no particular order.
    pub fn referrers<'a>(
        &'a self,
        points: Points,
        id: &str,
    ) -> impl Iterator<Item = &'a ObjectRef> {
        self.referrers
            .get(&points)
            .and_then(|m| m.get(id))
            .into_iter()
            .flatten()
    }

    /// The ids of the skills listing the enum value `value_id`.
    pub fn skills_with_value<'a>(&'a self, value_id: &str) -> impl Iterator<Item = &'a String> {
        self.enum_values.get(value_id).into_iter().flatten()
    }
}

fn remove_from(map: &mut HashMap<String, HashSet<String>>, key: &str, id: &str) {
    if let Some(set) = map.get_mut(key) {
        set.remove(id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}
