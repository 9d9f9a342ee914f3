//! Field diffs over declared fields only: a field the config does not mention never shows
//! a diff. Nested mappings compare only their declared keys; lists the server reorders
//! compare as sets; keyed sub-lists compare entry by entry.

use serde_json::{Map, Value};

use super::FieldDiff;
use crate::catalogue::Kind;
use crate::model::values_equal;

/// Diffs declared fields (key space) against a live object already turned into key space.
pub fn diff_fields(
    kind: &Kind,
    declared: &Map<String, Value>,
    live: &Map<String, Value>,
) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for (field, want) in declared {
        if kind.is_read_only(field) {
            continue;
        }
        diff_value(kind, field, field, want, live.get(field), &mut out);
    }
    out
}

/// `path` is for display (`a.b`), `shape` the catalogue form (`a[].b`) for lookups.
fn diff_value(
    kind: &Kind,
    path: &str,
    shape: &str,
    want: &Value,
    have: Option<&Value>,
    out: &mut Vec<FieldDiff>,
) {
    match (want, have) {
        (Value::Object(w), Some(Value::Object(h))) => {
            for (k, v) in w {
                diff_value(
                    kind,
                    &format!("{path}.{k}"),
                    &format!("{shape}.{k}"),
                    v,
                    h.get(k),
                    out,
                );
            }
        }
        (Value::Array(w), Some(Value::Array(h))) if kind.keyed_list(shape).is_some() => {
            let key = kind.keyed_list(shape).map(|k| k.key).unwrap_or("name");
            let same_keys = w.len() == h.len()
                && w.iter().all(|x| {
                    h.iter()
                        .any(|y| x.get(key).is_some() && y.get(key) == x.get(key))
                });
            if !same_keys {
                out.push(whole(path, want, have));
                return;
            }
            for item in w {
                let name = item
                    .get(key)
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .unwrap_or_default();
                let live_item = h.iter().find(|y| y.get(key) == item.get(key));
                diff_value(
                    kind,
                    &format!("{path}[{name}]"),
                    &format!("{shape}[]"),
                    item,
                    live_item,
                    out,
                );
            }
        }
        _ => {
            if !declared_eq(kind, shape, want, have) {
                out.push(whole(path, want, have));
            }
        }
    }
}

fn whole(path: &str, want: &Value, have: Option<&Value>) -> FieldDiff {
    FieldDiff {
        path: path.to_string(),
        before: have.map(|h| project(h, want)),
        after: Some(want.clone()),
    }
}

/// Whether live matches what is declared, looking only at declared keys of mappings.
/// Lists the catalogue marks unordered compare as multisets, keyed lists by key; an empty
/// list or mapping matches a field the server left out.
fn declared_eq(kind: &Kind, shape: &str, want: &Value, have: Option<&Value>) -> bool {
    match (want, have) {
        (Value::Null, None | Some(Value::Null)) => true,
        (Value::Array(w), None | Some(Value::Null)) => w.is_empty(),
        (Value::Object(w), None | Some(Value::Null)) => w.is_empty(),
        (_, None) => false,
        (Value::Object(w), Some(Value::Object(h))) => w
            .iter()
            .all(|(k, v)| declared_eq(kind, &format!("{shape}.{k}"), v, h.get(k))),
        (Value::Array(w), Some(Value::Array(h))) => {
            let item = format!("{shape}[]");
            if w.len() != h.len() {
                return false;
            }
            if let Some(keyed) = kind.keyed_list(shape) {
                return w.iter().all(|x| {
                    let found = h.iter().find(|y| {
                        x.get(keyed.key).is_some() && y.get(keyed.key) == x.get(keyed.key)
                    });
                    found.is_some_and(|y| declared_eq(kind, &item, x, Some(y)))
                });
            }
            if kind.is_unordered(shape) {
                return set_eq(w, h, |a, b| declared_eq(kind, &item, a, Some(b)));
            }
            w.iter()
                .zip(h)
                .all(|(a, b)| declared_eq(kind, &item, a, Some(b)))
        }
        (Value::String(w), Some(Value::String(h))) if kind.holds_json(shape) => json_text_eq(w, h),
        (w, Some(h)) => values_equal(w, h),
    }
}

/// Two JSON texts mean the same document: key order and whitespace do not count. Text
/// that does not parse compares as text.
fn json_text_eq(want: &str, have: &str) -> bool {
    match (
        serde_json::from_str::<Value>(want),
        serde_json::from_str::<Value>(have),
    ) {
        (Ok(w), Ok(h)) => w == h,
        _ => want == have,
    }
}

/// Multiset equality under `eq`.
fn set_eq(want: &[Value], have: &[Value], eq: impl Fn(&Value, &Value) -> bool) -> bool {
    if want.len() != have.len() {
        return false;
    }
    let mut used = vec![false; have.len()];
    want.iter().all(|w| {
        let found = have
            .iter()
            .enumerate()
            .position(|(i, h)| !used[i] && eq(w, h));
        if let Some(i) = found {
            used[i] = true;
        }
        found.is_some()
    })
}

/// The live value cut down to the shape of the declared one, for display.
fn project(have: &Value, want: &Value) -> Value {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => Value::Object(
            w.iter()
                .filter_map(|(k, wv)| h.get(k).map(|hv| (k.clone(), project(hv, wv))))
                .collect(),
        ),
        (Value::Array(h), Value::Array(w)) => match w.first() {
            Some(shape) if shape.is_object() => {
                Value::Array(h.iter().map(|x| project(x, shape)).collect())
            }
            _ => have.clone(),
        },
        _ => have.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_kinds::{JSON_TEXT, PLAIN};
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_live_entries_of_a_list_of_mappings_are_shown_in_the_declared_shape() {
        let live =
            json!([{"name": "Weekdays", "id": "e1", "days": ["MON"]}, {"name": "Sat", "id": "e2"}]);
        let declared = json!([{"name": "Weekdays", "days": ["MON", "TUE"]}]);
        assert_eq!(
            project(&live, &declared),
            json!([{"name": "Weekdays", "days": ["MON"]}, {"name": "Sat"}])
        );
        // A list of scalars is shown as it is live.
        assert_eq!(
            project(&json!(["a", "b"]), &json!(["c"])),
            json!(["a", "b"])
        );
    }

    // Kinds built here, so that editing a real catalogue row cannot change what these test.
    static SETS: Kind = Kind {
        name: "sets-test",
        unordered: &["groups", "groups[].members", "tags"],
        ..crate::catalogue::KIND_DEFAULTS
    };
    static KEYED: Kind = Kind {
        name: "keyed-test",
        keyed_lists: &[crate::catalogue::KeyedList {
            field: "values",
            key: "name",
        }],
        ..crate::catalogue::KIND_DEFAULTS
    };

    #[test]
    fn only_declared_fields_diff() {
        let kind = &PLAIN;
        let declared = map(json!({"name": "A", "active": true}));
        let live = map(json!({"id": "1", "name": "A", "active": false, "description": "x"}));
        let d = diff_fields(kind, &declared, &live);
        assert_eq!(
            d,
            vec![FieldDiff {
                path: "active".into(),
                before: Some(json!(false)),
                after: Some(json!(true))
            }]
        );
    }

    #[test]
    fn nested_mappings_compare_declared_keys() {
        let kind = &PLAIN;
        let declared = map(json!({"manuallyAssignable": {"chat": 2, "email": 0}}));
        let live =
            map(json!({"manuallyAssignable": {"id": "x", "chat": 1, "email": 0, "social": 0}}));
        let d = diff_fields(kind, &declared, &live);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "manuallyAssignable.chat");
    }

    #[test]
    fn unordered_lists_compare_as_sets_at_any_depth() {
        let kind = &SETS;
        let declared = map(json!({"groups": [
            {"order": 1, "members": [{"teamId": "A"}, {"teamId": "B"}]},
            {"order": 2, "members": [{"teamId": "C"}]}
        ]}));
        let live = map(json!({"groups": [
            {"order": 2, "duration": 0, "members": [{"teamId": "C"}]},
            {"order": 1, "duration": 0, "members": [{"teamId": "B"}, {"teamId": "A"}]}
        ]}));
        assert!(diff_fields(kind, &declared, &live).is_empty());
        let moved = map(json!({"groups": [
            {"order": 1, "members": [{"teamId": "A"}, {"teamId": "C"}]},
            {"order": 2, "members": [{"teamId": "B"}]}
        ]}));
        assert_eq!(diff_fields(kind, &moved, &live).len(), 1);
        assert!(
            diff_fields(
                kind,
                &map(json!({"tags": ["x", "y"]})),
                &map(json!({"tags": ["y", "x"]}))
            )
            .is_empty()
        );
        assert_eq!(
            diff_fields(
                kind,
                &map(json!({"tags": ["x"]})),
                &map(json!({"tags": ["y", "x"]}))
            )
            .len(),
            1
        );
        // A multiset: the same element twice is not one element.
        assert_eq!(
            diff_fields(
                kind,
                &map(json!({"tags": ["x", "x"]})),
                &map(json!({"tags": ["x", "y"]}))
            )
            .len(),
            1
        );
    }

    #[test]
    fn keyed_lists_match_entries_by_key() {
        let kind = &KEYED;
        let declared =
            map(json!({"values": [{"name": "Gold"}, {"name": "Silver", "description": "2nd"}]}));
        let live = map(
            json!({"values": [{"id": "2", "name": "Silver", "description": "old"}, {"id": "1", "name": "Gold"}]}),
        );
        let d = diff_fields(kind, &declared, &live);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "values[Silver].description");
        // An entry removed, or one renamed, changes the whole list.
        for changed in [
            json!({"values": [{"name": "Gold"}]}),
            json!({"values": [{"name": "Gold"}, {"name": "Bronze"}]}),
        ] {
            let d = diff_fields(kind, &map(changed.clone()), &live);
            assert_eq!(d.len(), 1, "{changed}");
            assert_eq!(d[0].path, "values");
        }
    }

    #[test]
    fn ordered_lists_compare_every_element_in_order() {
        let live = map(json!({"steps": ["a", "b", "c"], "rules": [{"n": 1}, {"n": 2}]}));
        let same = map(json!({"steps": ["a", "b", "c"], "rules": [{"n": 1}, {"n": 2}]}));
        assert!(diff_fields(&PLAIN, &same, &live).is_empty());
        for changed in [
            json!({"steps": ["a", "b", "x"]}),
            json!({"steps": ["a", "c", "b"]}),
            json!({"rules": [{"n": 1}, {"n": 3}]}),
        ] {
            let d = diff_fields(&PLAIN, &map(changed.clone()), &live);
            assert_eq!(d.len(), 1, "{changed} differs from live");
        }
    }

    #[test]
    fn json_text_compares_by_meaning() {
        let live = map(json!({"doc": "{\"a\": 1, \"b\": [1, 2]}", "text": "{\"a\":1}"}));
        let reordered = map(json!({"doc": "{\n  \"b\": [1,2],\n  \"a\": 1\n}"}));
        assert!(diff_fields(&JSON_TEXT, &reordered, &live).is_empty());
        let changed = map(json!({"doc": "{\"a\": 1, \"b\": [2, 1]}"}));
        assert_eq!(diff_fields(&JSON_TEXT, &changed, &live).len(), 1);
        // Only catalogue JSON fields: other text compares as text.
        let spaced = map(json!({"text": "{\"a\": 1}"}));
        assert_eq!(diff_fields(&JSON_TEXT, &spaced, &live).len(), 1);
    }

    #[test]
    fn empty_lists_match_omitted_fields() {
        let kind = &SETS;
        assert!(diff_fields(kind, &map(json!({"tags": []})), &map(json!({}))).is_empty());
    }

    #[test]
    fn missing_live_field_against_null_is_no_change() {
        let kind = &PLAIN;
        let d = diff_fields(kind, &map(json!({"description": null})), &map(json!({})));
        assert!(d.is_empty());
    }
}
