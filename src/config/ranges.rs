//! Whole numbers must fit the integer type the DTO declares (`format: int32` / `int64`,
//! narrowed by the schema's `minimum`/`maximum`). JSON Schema alone accepts `1e23` as an
//! integer, and the client would send it as `1e+23`; the server's Java types cannot hold it.

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::validate::{field_label, resolve_ref};
use crate::catalogue::{DtoSchemas, TOOL_SETTINGS_KEY};
use crate::model::{DesiredObject, Diagnostic, Node, NodeValue};

/// Every whole-number field of `object` whose value is outside its type's range.
pub(super) fn integer_ranges(object: &DesiredObject) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if let Some(dto) = DtoSchemas::get().dto(object.kind.dto) {
        walk(&object.node, dto.schema(), &mut String::new(), &mut diags);
    }
    diags
}

/// `pointer` is `node`'s own, extended for each child and restored.
fn walk(node: &Node, schema: &Value, pointer: &mut String, diags: &mut Vec<Diagnostic>) {
    let schema = resolve_ref(schema);
    match &node.value {
        NodeValue::Map(entries) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, value) in entries {
                if pointer.is_empty() && key.name == TOOL_SETTINGS_KEY {
                    continue;
                }
                if let Some(sub) = props.get(&key.name) {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.name);
                    walk(value, sub, pointer, diags);
                    pointer.truncate(len);
                }
            }
        }
        NodeValue::List(items) => {
            if let Some(item) = schema.get("items") {
                for (i, child) in items.iter().enumerate() {
                    let len = pointer.len();
                    let _ = write!(pointer, "/{i}");
                    walk(child, item, pointer, diags);
                    pointer.truncate(len);
                }
            }
        }
        NodeValue::Number(n) if is_integer_type(schema) => {
            if let Some(d) = check(n, schema, node, pointer) {
                diags.push(d);
            }
        }
        _ => {}
    }
}

fn is_integer_type(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    }
}

/// The error for `n` when it lies outside what the field's type can hold. Bounds the schema
/// states itself are reported by the schema check; this adds the type's own.
fn check(n: &Number, schema: &Value, node: &Node, pointer: &str) -> Option<Diagnostic> {
    let (type_min, type_max, type_name) = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX), "int32"),
        _ => (i64::MIN, i64::MAX, "int64"),
    };
    let schema_min = schema.get("minimum").and_then(Value::as_i64);
    let schema_max = schema.get("maximum").and_then(Value::as_i64);
    let value = n.as_i64().map(i128::from).or_else(|| {
        n.as_u64().map(i128::from).or_else(|| {
            // A float only here when YAML could not hold the number as a 64-bit integer, or it
            // was written with a fraction or exponent.
            n.as_f64().map(|f| {
                if f >= i64::MAX as f64 {
                    i128::from(i64::MAX) + 1
                } else if f <= i64::MIN as f64 {
                    i128::from(i64::MIN) - 1
                } else {
                    f as i128
                }
            })
        })
    })?;
    let too_small = value < i128::from(type_min) && schema_min.is_none();
    let too_large = value > i128::from(type_max) && schema_max.is_none();
    if !too_small && !too_large {
        return None;
    }
    let min = schema_min.map_or(type_min, |m| m.max(type_min));
    let max = schema_max.map_or(type_max, |m| m.min(type_max));
    let field = field_label(pointer);
    Some(
        Diagnostic::error(
            format!(
                "`{field}` is too {} for the API",
                if too_large { "large" } else { "small" }
            ),
            node.span,
            format!("not between {min} and {max}"),
        )
        .with_help(format!(
            "`{field}` is a whole number from {min} to {max} (an {type_name} in the API's schema)"
        )),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::is_integer_type;

    /// A nullable integer (`nullable: true` becomes the type `["integer", "null"]`,
    /// src/spec.rs) is still a whole number whose range is checked.
    #[test]
    fn a_nullable_integer_is_an_integer() {
        assert!(is_integer_type(&json!({"type": ["integer", "null"]})));
        assert!(is_integer_type(&json!({"type": "integer"})));
        assert!(!is_integer_type(&json!({"type": ["string", "null"]})));
        assert!(!is_integer_type(&json!({"type": "number"})));
    }
}
