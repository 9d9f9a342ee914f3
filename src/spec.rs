//! The vendored official WxCC OpenAPI document (`spec/wxcc-openapi.json`, prose removed;
//! see `spec/NOTICE`) and a mechanical reader for its schemas. The client side
//! (`catalogue`) and the emulator each apply their own corrections on top, so neither
//! inherits the other's reading of what the service really does.

use serde_json::{Map, Value};

/// The document's text, compiled into the binary.
pub const OPENAPI_JSON: &str = include_str!("../spec/wxcc-openapi.json");

/// The parsed document. It is compiled in and checked by tests, so a parse failure is a
/// build defect; it yields an empty document rather than a panic.
pub fn document() -> Value {
    serde_json::from_str(OPENAPI_JSON).unwrap_or_default()
}

/// Every component schema, rewritten from OpenAPI 3.0 into draft-07 JSON Schema:
/// `$ref`s point at `#/definitions/`, `nullable` becomes a `null` type, and OpenAPI-only
/// keywords are dropped.
pub fn draft07_definitions() -> Map<String, Value> {
    let mut definitions = document()
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for schema in definitions.values_mut() {
        to_draft07(schema);
    }
    definitions
}

/// Compiles a validator for one definition, with formats not checked (the service does
/// not check `format: uuid` on reference fields either).
pub fn compile(
    definitions: &Map<String, Value>,
    name: &str,
) -> Result<jsonschema::Validator, String> {
    if !definitions.contains_key(name) {
        return Err(format!("no schema named {name}"));
    }
    // Only the definitions the schema reaches: the compiler checks the whole root against
    // the meta-schema, and a root holding all of the spec's schemas made each of the
    // forty kinds' compiles cost as much as all of them.
    let root = serde_json::json!({
        "$ref": format!("#/definitions/{name}"),
        "definitions": reachable(definitions, name),
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(false)
        .build(&root)
        .map_err(|e| format!("{name}: {e}"))
}

/// The definition `name` and every definition its `$ref`s reach, transitively.
fn reachable(definitions: &Map<String, Value>, name: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let mut pending = vec![name.to_string()];
    while let Some(next) = pending.pop() {
        if out.contains_key(&next) {
            continue;
        }
        let Some(schema) = definitions.get(&next) else {
            continue;
        };
        collect_refs(schema, &mut pending);
        out.insert(next, schema.clone());
    }
    out
}

/// The definition names of every `#/definitions/` reference inside a schema.
fn collect_refs(schema: &Value, into: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/definitions/") {
                            into.push(name.to_string());
                        }
                    }
                    _ => collect_refs(value, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

fn to_draft07(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                *r = format!("#/definitions/{name}");
            }
            if map.remove("nullable") == Some(Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), serde_json::json!([t, "null"]));
            }
            for keyword in [
                "discriminator",
                "readOnly",
                "writeOnly",
                "xml",
                "deprecated",
            ] {
                map.remove(keyword);
            }
            // `properties` maps names to schemas: recurse into each value, not the map.
            for (key, value) in map.iter_mut() {
                if key == "properties" {
                    if let Value::Object(props) = value {
                        props.values_mut().for_each(to_draft07);
                    }
                } else {
                    to_draft07(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_draft07),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_parses_and_refs_are_rewritten() {
        let defs = draft07_definitions();
        assert!(defs.len() > 500);
        let text = serde_json::to_string(&defs).unwrap_or_default();
        assert!(!text.contains("#/components/schemas/"));
    }
}
