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
        (Value::Array(w), Some(Value::Array(h))) => {
            let equal = if kind.is_unordered(shape) {
                set_eq(w, h)
            } else {
                w.len() == h.len() && w.iter().zip(h).all(|(a, b)| declared_eq(a, Some(b)))
            };
            if !equal {
                out.push(whole(path, want, have));
            }
        }
        _ => {
            if !declared_eq(want, have) {
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
fn declared_eq(want: &Value, have: Option<&Value>) -> bool {
    match (want, have) {
        (Value::Null, None | Some(Value::Null)) => true,
        (_, None) => false,
        (Value::Object(w), Some(Value::Object(h))) => {
            w.iter().all(|(k, v)| declared_eq(v, h.get(k)))
        }
        (Value::Array(w), Some(Value::Array(h))) => {
            w.len() == h.len() && w.iter().zip(h).all(|(a, b)| declared_eq(a, Some(b)))
        }
        (w, Some(h)) => values_equal(w, h),
    }
}

/// Multiset equality under [`declared_eq`].
fn set_eq(want: &[Value], have: &[Value]) -> bool {
    if want.len() != have.len() {
        return false;
    }
    let mut used = vec![false; have.len()];
    want.iter().all(|w| {
        let found = have
            .iter()
            .enumerate()
            .position(|(i, h)| !used[i] && declared_eq(w, Some(h)));
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
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn only_declared_fields_diff() {
        let kind = Kind::named("site").expect("site");
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
        let kind = Kind::named("multimedia-profile").expect("kind");
        let declared = map(json!({"manuallyAssignable": {"chat": 2, "email": 0}}));
        let live =
            map(json!({"manuallyAssignable": {"id": "x", "chat": 1, "email": 0, "social": 0}}));
        let d = diff_fields(kind, &declared, &live);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "manuallyAssignable.chat");
    }

    #[test]
    fn missing_live_field_against_null_is_no_change() {
        let kind = Kind::named("site").expect("site");
        let d = diff_fields(kind, &map(json!({"description": null})), &map(json!({})));
        assert!(d.is_empty());
    }
}
