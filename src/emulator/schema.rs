//! Body validation the way the service does it: Jackson first (wrong JSON types are a "Bad
//! payload"; nulls are absent values; unknown fields, at any depth, are dropped), then bean
//! validation of the DTO (required, patterns, sizes, enums), with every violation named in
//! one 400 reason.

use std::collections::HashMap;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use super::rules::{KINDS, fix_schemas};
use crate::spec;

pub struct Schemas {
    definitions: Map<String, Value>,
    validators: HashMap<&'static str, jsonschema::Validator>,
}

impl Schemas {
    pub fn new() -> Schemas {
        let mut definitions = spec::draft07_definitions();
        fix_schemas(&mut definitions);
        let mut validators = HashMap::new();
        for rule in KINDS {
            match spec::compile(&definitions, rule.dto) {
                Ok(v) => {
                    validators.insert(rule.dto, v);
                }
                Err(e) => tracing::error!("emulator cannot compile {}: {e}", rule.dto),
            }
        }
        Schemas {
            definitions,
            validators,
        }
    }

    /// Drops the fields the DTO does not declare, at every depth, the way Jackson ignores
    /// unknown properties.
    pub fn prune(&self, dto: &str, value: &mut Value) {
        if let Some(schema) = self.definitions.get(dto) {
            self.prune_with(schema, value);
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
            .and_then(|name| self.definitions.get(name))
            .unwrap_or(schema)
    }

    fn prune_with(&self, schema: &Value, value: &mut Value) {
        let schema = self.resolve(schema);
        match value {
            Value::Object(map) => {
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    map.retain(|k, _| props.contains_key(k));
                    for (k, v) in map.iter_mut() {
                        if let Some(s) = props.get(k) {
                            self.prune_with(s, v);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for item in items.iter_mut() {
                        self.prune_with(item_schema, item);
                    }
                }
            }
            _ => {}
        }
    }

    /// `Err(reason)` when the body would be refused with 400.
    pub fn check(&self, dto: &str, body: &Value) -> Result<(), String> {
        let Some(validator) = self.validators.get(dto) else {
            return Ok(());
        };
        let mut bad_payload = None;
        let mut violations = Vec::new();
        for error in validator.iter_errors(body) {
            let field = error
                .instance_path()
                .as_str()
                .trim_start_matches('/')
                .replace('/', ".");
            match error.kind() {
                ValidationErrorKind::Type { kind } => {
                    bad_payload.get_or_insert_with(|| {
                        format!(
                            "Bad payload: Cannot deserialize value of type `{}` from {} (through reference chain: {dto}[\"{field}\"])",
                            java_type(&format!("{kind:?}")),
                            json_kind(error.instance())
                        )
                    });
                }
                ValidationErrorKind::Enum { options } => {
                    bad_payload.get_or_insert_with(|| {
                        format!(
                            "Bad payload: Cannot deserialize value of type `Enum` from String {}: not one of the values accepted for Enum class: {} (through reference chain: {dto}[\"{field}\"])",
                            error.instance(),
                            options
                        )
                    });
                }
                ValidationErrorKind::Required { property } => {
                    let p = property.as_str().unwrap_or_default();
                    let full = if field.is_empty() {
                        p.to_string()
                    } else {
                        format!("{field}.{p}")
                    };
                    violations.push(format!("{full}: must not be null"));
                }
                ValidationErrorKind::Pattern { pattern } => {
                    violations.push(format!("{field}: must match \"{pattern}\""))
                }
                ValidationErrorKind::MaxLength { limit } => {
                    violations.push(format!("{field}: size must be between 0 and {limit}"))
                }
                ValidationErrorKind::MinLength { limit } => {
                    violations.push(format!("{field}: size must be at least {limit}"))
                }
                ValidationErrorKind::Maximum { limit } => {
                    violations.push(format!("{field}: must be less than or equal to {limit}"))
                }
                ValidationErrorKind::Minimum { limit } => {
                    violations.push(format!("{field}: must be greater than or equal to {limit}"))
                }
                ValidationErrorKind::UniqueItems => {
                    violations.push(format!("{field}: must not contain duplicates"))
                }
                _ => violations.push(format!("{field}: {error}")),
            }
        }
        if bad_payload.is_none()
            && let Some(schema) = self.definitions.get(dto)
        {
            bad_payload = self.java_integers(dto, schema, body);
        }
        if let Some(reason) = bad_payload {
            return Err(reason);
        }
        if violations.is_empty()
            && let Some(schema) = self.definitions.get(dto)
        {
            self.java_lengths(schema, body, &mut violations);
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "Validation failed for {} field(s): [{}]",
                violations.len(),
                violations.join("; ")
            ))
        }
    }
}

impl Schemas {
    /// Calls `visit(schema, value, path)` for every scalar of `value` the schema declares.
    fn leaves(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        visit: &mut dyn FnMut(&Value, &Value, &str),
    ) {
        let schema = self.resolve(schema);
        match value {
            Value::Object(map) => {
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (k, v) in map {
                        if let Some(s) = props.get(k) {
                            let child = if at.is_empty() {
                                k.clone()
                            } else {
                                format!("{at}.{k}")
                            };
                            self.leaves(s, v, &child, visit);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.leaves(item_schema, item, &format!("{at}[{i}]"), visit);
                    }
                }
            }
            _ => visit(schema, value, at),
        }
    }

    /// Bean validation's `@Size` counts `String.length()`, UTF-16 code units: a character
    /// outside the Basic Multilingual Plane (an emoji) counts twice, so a text the schema
    /// library (which counts characters) accepts may still be too long.
    fn java_lengths(&self, schema: &Value, value: &Value, out: &mut Vec<String>) {
        self.leaves(schema, value, "", &mut |schema, value, at| {
            if let Value::String(text) = value
                && let Some(limit) = schema.get("maxLength").and_then(Value::as_u64)
                && text.encode_utf16().count() as u64 > limit
            {
                out.push(format!("{at}: size must be between 0 and {limit}"));
            }
        });
    }

    /// Jackson cannot put a whole number outside the Java type's range into an `int32`
    /// (`Integer`) or `int64` (`Long`) field: the body is a "Bad payload" (400), before
    /// bean validation (docs/api-notes.md §1.6).
    fn java_integers(&self, dto: &str, schema: &Value, value: &Value) -> Option<String> {
        let mut found = None;
        self.leaves(schema, value, "", &mut |schema, value, at| {
            let range = match schema.get("format").and_then(Value::as_str) {
                Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX), "int"),
                Some("int64") => (i128::from(i64::MIN), i128::from(i64::MAX), "long"),
                _ => return,
            };
            let Value::Number(n) = value else { return };
            let outside = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(w), _, _) => i128::from(w) < range.0 || i128::from(w) > range.1,
                (_, Some(w), _) => i128::from(w) > range.1,
                (_, _, Some(f)) => {
                    f.fract() == 0.0 && (f < range.0 as f64 || f > range.1 as f64)
                }
                _ => false,
            };
            if outside && found.is_none() {
                found = Some(format!(
                    "Bad payload: Numeric value ({n}) out of range of {} ({} - {}) (through reference chain: {dto}[\"{at}\"])",
                    range.2, range.0, range.1
                ));
            }
        });
        found
    }
}

/// Removes object members whose value is null, at every depth: Jackson reads them as
/// absent, so bean validation then says "must not be null" for a required one.
pub fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn java_type(kind: &str) -> &'static str {
    let k = kind.to_ascii_lowercase();
    if k.contains("boolean") {
        "java.lang.Boolean"
    } else if k.contains("integer") {
        "java.lang.Integer"
    } else if k.contains("number") {
        "java.lang.Double"
    } else if k.contains("array") {
        "java.util.List"
    } else if k.contains("object") {
        "java.lang.Object"
    } else {
        "java.lang.String"
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "Boolean value",
        Value::Number(_) => "Number value",
        Value::String(_) => "String value",
        Value::Array(_) => "Array value",
        Value::Object(_) => "Object value",
    }
}
