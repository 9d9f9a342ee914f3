//! Value normalisation: equality that treats `1` and `1.0` alike, and a compact rendering
//! for plans and messages.

use serde_json::Value;

/// Whether two JSON values mean the same thing (numbers compared by value).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// A value as one line of JSON, long strings kept whole; `null` (a field declared empty)
/// as `(none)`.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        assert!(values_equal(&json!(1), &json!(1.0)));
        assert!(!values_equal(&json!(1), &json!(2)));
        assert!(values_equal(
            &json!({"a": [1, "x"]}),
            &json!({"a": [1.0, "x"]})
        ));
    }
}
