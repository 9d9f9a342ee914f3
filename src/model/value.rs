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

/// A value as one line of JSON, long strings kept whole, safe for a terminal: JSON escapes
/// the C0 controls, and [`printable`] removes what it leaves (DEL, C1 controls such as the
/// one-byte CSI, bidirectional overrides), since live values come from the server. `null`
/// (a field declared empty) shows as `(none)`.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        other => printable(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// Text from outside (a server's answer) made safe to show on a terminal or in a log: tabs
/// and line breaks become spaces, so one message stays one line; other control characters
/// (escape sequences, C1 controls, DEL) and the bidirectional overrides that can make text
/// read differently from what it is are removed.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn printable_removes_controls_and_overrides() {
        assert_eq!(
            printable("a\u{1b}[31mred\u{9b}2J\u{7f}\u{202e}b\nc"),
            "a[31mred2Jb c"
        );
        assert_eq!(
            render_value(&json!("x\u{1b}]0;t\u{7}\u{9b}y")),
            "\"x\\u001b]0;t\\u0007y\""
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(values_equal(&json!(1), &json!(1.0)));
        assert!(!values_equal(&json!(1), &json!(2)));
        assert!(values_equal(
            &json!({"a": [1, "x"]}),
            &json!({"a": [1.0, "x"]})
        ));
    }

    /// Lists are equal item for item and mappings field for field: one differing item or
    /// field, or one more of them on either side, makes them differ.
    #[test]
    fn lists_and_mappings_are_equal_only_item_for_item() {
        assert!(values_equal(&json!([1, "x"]), &json!([1.0, "x"])));
        assert!(!values_equal(&json!([1, 2]), &json!([1, 3])));
        assert!(!values_equal(&json!([1]), &json!([1, 2])));
        assert!(!values_equal(&json!({"a": 1}), &json!({"a": 2})));
        assert!(!values_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!values_equal(&json!({"a": 1}), &json!({"b": 1})));
    }
}
