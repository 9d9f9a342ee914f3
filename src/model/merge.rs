//! Overlaying declared fields on a live object: what an update sends. Declared fields win;
//! undeclared ones (and the server's ids inside nested objects and keyed sub-lists) survive.

use serde_json::{Map, Value};

use crate::catalogue::Kind;

/// Overlays `declared` (already in id space) on `live`, field by field.
pub fn overlay(kind: &Kind, live: &mut Map<String, Value>, declared: &Map<String, Value>) {
    for (field, value) in declared {
        // A declared null unsets the field: a full replace without it clears it.
        if value.is_null() {
            live.remove(field);
            continue;
        }
        match live.get_mut(field) {
            Some(existing) => merge_value(kind, field, existing, value),
            None => {
                live.insert(field.clone(), value.clone());
            }
        }
    }
}

fn merge_value(kind: &Kind, path: &str, live: &mut Value, declared: &Value) {
    match (live, declared) {
        (Value::Object(l), Value::Object(d)) => {
            for (k, v) in d {
                let child = format!("{path}.{k}");
                match l.get_mut(k) {
                    Some(existing) => merge_value(kind, &child, existing, v),
                    None => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(l), Value::Array(d)) if kind.keyed_list(path).is_some() => {
            let key = kind.keyed_list(path).map(|k| k.key).unwrap_or("name");
            let mut merged = Vec::with_capacity(d.len());
            for item in d {
                let wanted = item.get(key);
                let found = l
                    .iter()
                    .position(|x| wanted.is_some() && x.get(key) == wanted);
                match found {
                    Some(i) => {
                        let mut existing = l.remove(i);
                        merge_value(kind, &format!("{path}[]"), &mut existing, item);
                        merged.push(existing);
                    }
                    None => merged.push(item.clone()),
                }
            }
            *l = merged;
        }
        (slot, declared) => *slot = declared.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A list that is not keyed is replaced by the declared one whole, even when its items
    /// carry a `name`: nothing of a live item survives (kills the keyed-list guard of
    /// `merge_value` made `true`, which merged such items by `name` and kept their
    /// undeclared fields). Every list of the shipped DTOs whose items carry a `name` is keyed
    /// by it, so the kind is built here.
    #[test]
    fn a_list_that_is_not_keyed_is_replaced_whole() {
        static UNKEYED: Kind = Kind {
            name: "unkeyed-test",
            ..crate::catalogue::KIND_DEFAULTS
        };
        let mut live = json!({"rules": [{"name": "a", "limit": 1}, {"name": "b", "limit": 2}]})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let declared = json!({"rules": [{"name": "b"}]})
            .as_object()
            .cloned()
            .unwrap_or_default();
        overlay(&UNKEYED, &mut live, &declared);
        assert_eq!(Value::Object(live), json!({"rules": [{"name": "b"}]}));
    }

    #[test]
    fn keeps_undeclared_fields_and_nested_ids() {
        let kind = Kind::named("multimedia-profile").expect("kind");
        let mut live = json!({"id": "1", "version": 3, "name": "A", "description": "keep",
            "manuallyAssignable": {"id": "m1", "chat": 1, "email": 0}})
        .as_object()
        .cloned()
        .unwrap_or_default();
        let declared = json!({"name": "B", "manuallyAssignable": {"chat": 2}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        overlay(kind, &mut live, &declared);
        assert_eq!(
            Value::Object(live),
            json!({"id": "1", "version": 3, "name": "B", "description": "keep",
                "manuallyAssignable": {"id": "m1", "chat": 2, "email": 0}})
        );
    }
}
