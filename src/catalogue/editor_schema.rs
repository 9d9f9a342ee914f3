//! The JSON Schema editors use for config files (`schemas/wxcc.schema.json`, draft-07 for
//! yaml-language-server), generated from the catalogue and the corrected DTO schemas.
//!
//! It mirrors what `wxcc validate` accepts: kinds as top-level keys, each a list of objects
//! whose fields are the DTO's minus the server-owned and read-only ones, unknown fields
//! refused, reference fields written as the target's key (plain text, at any depth), and
//! `x-wxcc` for the tool's own settings. It is built from data only: no kind is named here,
//! and a catalogue row that does not fit its DTO is an error, not a silently wrong schema.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::{
    DtoSchemas, FieldPath, KINDS, Kind, Reference, SERVER_OWNED, Segment, TOOL_SETTINGS_KEY,
};

const DEFINITIONS_PREFIX: &str = "#/definitions/";

/// Suffix of a nested definition's copy without `required`, used by kinds that are only
/// ever updated (validation skips required fields for them at every depth).
const PARTIAL_SUFFIX: &str = "-partial";

/// How many `$ref`s in a row are followed before giving up on a self-referring schema.
const MAX_REF_HOPS: usize = 16;

/// A catalogue row or DTO that cannot be turned into an editor schema.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditorSchemaError {
    #[error("kind `{kind}` names DTO `{dto}`, which the spec does not define")]
    MissingDto { kind: String, dto: String },
    #[error("kind `{kind}`: reference `{field}` points at `{target}`, which is not a kind")]
    UnknownTarget {
        kind: String,
        field: String,
        target: String,
    },
    #[error("kind `{kind}`: reference `{field}` does not fit its DTO: {reason}")]
    ReferenceMismatch {
        kind: String,
        field: String,
        reason: String,
    },
    #[error("schema `$ref` `{reference}` does not name a definition of the spec")]
    DanglingRef { reference: String },
    #[error("the spec defines `{0}`, a name the editor schema reserves for itself")]
    ReservedName(String),
    #[error("the editor schema cannot be written as JSON: {0}")]
    Serialize(String),
}

/// The editor schema for every kind of the catalogue.
pub fn editor_schema() -> Result<Value, EditorSchemaError> {
    let kinds: Vec<&Kind> = KINDS.iter().collect();
    build(&kinds, DtoSchemas::get().definitions())
}

/// [`editor_schema`] as the text kept in `schemas/wxcc.schema.json`: pretty-printed, with
/// a final newline.
pub fn editor_schema_text() -> Result<String, EditorSchemaError> {
    let schema = editor_schema()?;
    let mut text = serde_json::to_string_pretty(&schema)
        .map_err(|e| EditorSchemaError::Serialize(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Builds the schema for `kinds` from the draft-07 `definitions` of the spec.
fn build(kinds: &[&Kind], definitions: &Map<String, Value>) -> Result<Value, EditorSchemaError> {
    if definitions.contains_key(TOOL_SETTINGS_KEY) {
        return Err(EditorSchemaError::ReservedName(TOOL_SETTINGS_KEY.into()));
    }
    let mut builder = Builder {
        kinds,
        source: definitions,
        copied: BTreeMap::new(),
        queued: BTreeSet::new(),
        queue: Vec::new(),
    };
    let mut sorted: Vec<&Kind> = kinds.to_vec();
    sorted.sort_by_key(|k| k.name);
    let mut properties = Map::new();
    for kind in sorted {
        let object = builder.kind_object(kind)?;
        properties.insert(
            kind.name.to_string(),
            json!({
                "description": kind.summary,
                "type": ["array", "null"],
                "items": object,
            }),
        );
    }
    builder.copy_queued()?;
    let mut definitions: Map<String, Value> = builder.copied.into_iter().collect();
    definitions.insert(TOOL_SETTINGS_KEY.to_string(), tool_settings_schema());
    Ok(json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "wxcc configuration",
        "description": "A wxcc config file: kind names, each holding a list of objects. \
                        Generated from wxcc's catalogue and the official WxCC DTO schemas by \
                        `wxcc schema`; do not edit by hand.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
        "definitions": definitions,
    }))
}

/// `x-wxcc`: the tool's own per-object settings, never sent to the API.
fn tool_settings_schema() -> Value {
    json!({
        "description": "wxcc's own settings for this object; never sent to the API",
        "type": "object",
        "properties": {
            "formerNames": {
                "description": "keys this object had before: a live object with one of them \
                                is renamed instead of a new one created (one key, or a list)",
                "anyOf": [
                    { "type": "string" },
                    { "type": "array", "items": { "type": "string" } },
                ],
            },
            "protect": {
                "description": "when true, any difference from the tenant is a plan error \
                                instead of a change",
                "type": "boolean",
            },
            "smoke": {
                "description": "on a team: what `wxcc smoke` tests (the agent logs in to this \
                                team on dialNumber, goes Available, goes Idle with idleCode, \
                                logs out)",
                "type": "object",
                "properties": {
                    "dialNumber": { "type": "string", "minLength": 1, "maxLength": 43 },
                    "idleCode": { "type": "string", "minLength": 1 },
                    "extension": { "type": "boolean" },
                },
                "required": ["dialNumber", "idleCode"],
                "additionalProperties": false,
            },
        },
        "additionalProperties": false,
    })
}

/// Whether `required` lists are kept: validation checks them only for kinds that can be
/// created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RequiredFields {
    Enforced,
    Skipped,
}

/// A reference field still being walked towards: the steps left from the current schema.
#[derive(Clone, Copy)]
struct PendingReference<'p> {
    kind: &'p Kind,
    reference: &'static Reference,
    remaining: &'p [Segment],
}

impl<'p> PendingReference<'p> {
    fn next(&self) -> Option<&'p Segment> {
        self.remaining.first()
    }

    /// The rest of the path after `step`, if the path goes that way.
    fn after(&self, step: &Segment) -> Option<PendingReference<'p>> {
        match self.remaining.split_first() {
            Some((first, rest)) if first == step => Some(PendingReference {
                remaining: rest,
                ..*self
            }),
            _ => None,
        }
    }

    fn mismatch(&self, reason: String) -> EditorSchemaError {
        EditorSchemaError::ReferenceMismatch {
            kind: self.kind.name.to_string(),
            field: self.reference.field.to_string(),
            reason,
        }
    }
}

/// Where a schema sits: the top of a kind's object (its read-only fields are dropped) or
/// anywhere below (server-owned fields are dropped unless they are references).
#[derive(Clone, Copy)]
struct Scope<'a> {
    top_of: Option<&'a Kind>,
    required: RequiredFields,
    /// Inside a part of a composition (`allOf`, `if`/`then` …): the part speaks of fields
    /// its parent lists, so it is neither closed nor trimmed.
    composing: bool,
}

struct Builder<'a> {
    kinds: &'a [&'a Kind],
    source: &'a Map<String, Value>,
    /// Output definitions by output name; a `BTreeMap` so the file's order is stable.
    copied: BTreeMap<String, Value>,
    queued: BTreeSet<(String, RequiredFields)>,
    queue: Vec<(String, RequiredFields)>,
}

impl<'a> Builder<'a> {
    /// One object of a kind: its DTO with references as keys, the key required, `x-wxcc`.
    fn kind_object(&mut self, kind: &'a Kind) -> Result<Value, EditorSchemaError> {
        let dto = self
            .source
            .get(kind.dto)
            .ok_or_else(|| EditorSchemaError::MissingDto {
                kind: kind.name.to_string(),
                dto: kind.dto.to_string(),
            })?;
        let paths: Vec<(&'static Reference, Vec<Segment>)> = kind
            .references
            .iter()
            .map(|r| (r, FieldPath::parse_segments(r.field)))
            .collect();
        let pending: Vec<PendingReference<'_>> = paths
            .iter()
            .map(|(reference, steps)| PendingReference {
                kind,
                reference,
                remaining: steps,
            })
            .collect();
        let required = if kind.creatable {
            RequiredFields::Enforced
        } else {
            RequiredFields::Skipped
        };
        let scope = Scope {
            top_of: Some(kind),
            required,
            composing: false,
        };
        let mut object = self.transform(dto, &pending, scope)?;
        if let Value::Object(map) = &mut object {
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                properties.insert(
                    TOOL_SETTINGS_KEY.to_string(),
                    json!({ "$ref": format!("{DEFINITIONS_PREFIX}{TOOL_SETTINGS_KEY}") }),
                );
            }
            // The loader refuses an object without its key, whatever the DTO says.
            let required = map.entry("required").or_insert_with(|| json!([]));
            if let Value::Array(names) = required
                && !names.iter().any(|n| n == kind.key)
            {
                names.push(json!(kind.key));
            }
        }
        Ok(object)
    }

    /// Copies `schema` for the editor: `$ref`s renamed and queued for copying, server-owned
    /// (and at the top, read-only) fields dropped, unknown fields refused, and each pending
    /// reference replaced by a key where its path ends. A schema on the way to a reference
    /// is inlined, since the same nested DTO is a plain id elsewhere.
    fn transform<'p>(
        &mut self,
        schema: &'a Value,
        pending: &[PendingReference<'p>],
        scope: Scope<'a>,
    ) -> Result<Value, EditorSchemaError> {
        let schema = match pending.first() {
            Some(on_the_way) => self.follow_refs(schema, on_the_way)?,
            None => {
                if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                    return Ok(json!({ "$ref": self.rename_ref(reference, scope.required)? }));
                }
                schema
            }
        };
        let Value::Object(map) = schema else {
            return Ok(schema.clone());
        };
        for reference in pending {
            let fits = match reference.next() {
                Some(Segment::Field(name)) => map
                    .get("properties")
                    .and_then(|p| p.get(name.as_str()))
                    .is_some(),
                Some(Segment::Each) => map.get("items").is_some_and(Value::is_object),
                None => true,
            };
            if !fits {
                let reason = match reference.next() {
                    Some(Segment::Field(name)) => format!("there is no field `{name}` here"),
                    _ => "`[]` is used where there is no list".to_string(),
                };
                return Err(reference.mismatch(reason));
            }
        }
        let nested = Scope {
            top_of: None,
            composing: false,
            ..scope
        };
        let part = Scope {
            top_of: None,
            composing: true,
            ..scope
        };
        let mut out = Map::new();
        for (keyword, value) in map {
            let copied = match keyword.as_str() {
                "properties" => match value {
                    Value::Object(properties) => {
                        Value::Object(self.properties(properties, pending, scope)?)
                    }
                    other => other.clone(),
                },
                "items" => match value {
                    Value::Array(tuple) => Value::Array(
                        tuple
                            .iter()
                            .map(|s| self.transform(s, &[], nested))
                            .collect::<Result<_, _>>()?,
                    ),
                    single => {
                        let here: Vec<PendingReference<'p>> = pending
                            .iter()
                            .filter_map(|r| r.after(&Segment::Each))
                            .collect();
                        self.value_schema(single, &here, nested)?
                    }
                },
                "additionalProperties" | "propertyNames" => self.transform(value, &[], nested)?,
                "not" | "contains" | "if" | "then" | "else" => self.transform(value, &[], part)?,
                "allOf" | "anyOf" | "oneOf" => match value {
                    Value::Array(options) => Value::Array(
                        options
                            .iter()
                            .map(|s| self.transform(s, &[], part))
                            .collect::<Result<_, _>>()?,
                    ),
                    other => other.clone(),
                },
                "patternProperties" => match value {
                    Value::Object(patterns) => Value::Object(
                        patterns
                            .iter()
                            .map(|(p, s)| Ok((p.clone(), self.transform(s, &[], nested)?)))
                            .collect::<Result<_, EditorSchemaError>>()?,
                    ),
                    other => other.clone(),
                },
                // Data, not schemas (enum, default, pattern, lengths …): copied as they are.
                _ => value.clone(),
            };
            out.insert(keyword.clone(), copied);
        }
        if !scope.composing {
            finish_object(&mut out, scope.required);
        }
        Ok(Value::Object(out))
    }

    /// The kept fields of an object schema, each transformed.
    fn properties<'p>(
        &mut self,
        properties: &'a Map<String, Value>,
        pending: &[PendingReference<'p>],
        scope: Scope<'a>,
    ) -> Result<Map<String, Value>, EditorSchemaError> {
        let nested = Scope {
            top_of: None,
            ..scope
        };
        let mut out = Map::new();
        for (name, schema) in properties {
            let step = Segment::Field(name.clone());
            let here: Vec<PendingReference<'p>> =
                pending.iter().filter_map(|r| r.after(&step)).collect();
            let is_reference = here.iter().any(|r| r.next().is_none());
            let dropped = match scope.top_of {
                Some(kind) => kind.is_read_only(name),
                None => SERVER_OWNED.contains(&name.as_str()) && !is_reference,
            };
            if !dropped {
                let value = self.value_schema(schema, &here, nested)?;
                let value = match scope.top_of.and_then(|k| k.text_field(name)) {
                    Some(text) => from_file(value, text),
                    None => value,
                };
                out.insert(name.clone(), value);
            }
        }
        Ok(out)
    }

    /// The schema of one value: a key if a reference ends here, else the transformed schema.
    fn value_schema<'p>(
        &mut self,
        schema: &'a Value,
        here: &[PendingReference<'p>],
        scope: Scope<'a>,
    ) -> Result<Value, EditorSchemaError> {
        match here.iter().find(|r| r.next().is_none()) {
            Some(ends_here) => self.key_schema(schema, ends_here),
            None => self.transform(schema, here, scope),
        }
    }

    /// A reference field: the target's key, as plain text.
    fn key_schema(
        &self,
        schema: &'a Value,
        reference: &PendingReference<'_>,
    ) -> Result<Value, EditorSchemaError> {
        let schema = self.follow_refs(schema, reference)?;
        let holds_text = match schema.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
            _ => false,
        };
        if !holds_text {
            let found = schema.get("type").map_or("a value of no type".into(), |t| {
                format!("a value of type {t}")
            });
            let hint = if schema.get("items").is_some() {
                " (a list of references is written `field[]`)"
            } else {
                ""
            };
            return Err(reference.mismatch(format!("the path ends at {found}, not text{hint}")));
        }
        let target = reference.reference.target;
        let target_kind = self
            .kinds
            .iter()
            .find(|k| k.name == target)
            .ok_or_else(|| EditorSchemaError::UnknownTarget {
                kind: reference.kind.name.to_string(),
                field: reference.reference.field.to_string(),
                target: target.to_string(),
            })?;
        let description = match reference.reference.within {
            Some(list) => format!(
                "`<{key} of the {target}>/<{entry} of the entry>`: an entry of a {target}'s {list}",
                key = target_kind.key,
                target = target_kind.name,
                entry = target_kind
                    .keyed_list(list)
                    .map(|k| k.key)
                    .unwrap_or("name"),
            ),
            None => key_description(target_kind),
        };
        Ok(json!({
            "type": "string",
            "description": description,
        }))
    }

    /// Follows `$ref`s to the schema they name, so a reference's path can be walked
    /// through it.
    fn follow_refs(
        &self,
        schema: &'a Value,
        on_the_way: &PendingReference<'_>,
    ) -> Result<&'a Value, EditorSchemaError> {
        let mut schema = schema;
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                return Ok(schema);
            };
            schema = self.definition(reference)?.1;
        }
        Err(on_the_way.mismatch("its path runs into a `$ref` that refers to itself".into()))
    }

    /// The spec definition a `$ref` names, with its name.
    fn definition(&self, reference: &str) -> Result<(&'a str, &'a Value), EditorSchemaError> {
        reference
            .strip_prefix(DEFINITIONS_PREFIX)
            .and_then(|name| self.source.get_key_value(name))
            .map(|(name, schema)| (name.as_str(), schema))
            .ok_or_else(|| EditorSchemaError::DanglingRef {
                reference: reference.to_string(),
            })
    }

    /// The output `$ref` for a spec `$ref`, queueing the definition to be copied.
    fn rename_ref(
        &mut self,
        reference: &str,
        required: RequiredFields,
    ) -> Result<String, EditorSchemaError> {
        let (name, _) = self.definition(reference)?;
        let entry = (name.to_string(), required);
        if self.queued.insert(entry.clone()) {
            self.queue.push(entry);
        }
        Ok(format!(
            "{DEFINITIONS_PREFIX}{}",
            output_definition_name(name, required)
        ))
    }

    /// Copies every queued definition (and those they refer to) into the output.
    fn copy_queued(&mut self) -> Result<(), EditorSchemaError> {
        while let Some((name, required)) = self.queue.pop() {
            let Some(schema) = self.source.get(&name) else {
                return Err(EditorSchemaError::DanglingRef {
                    reference: format!("{DEFINITIONS_PREFIX}{name}"),
                });
            };
            let scope = Scope {
                top_of: None,
                required,
                composing: false,
            };
            let copy = self.transform(schema, &[], scope)?;
            self.copied
                .insert(output_definition_name(&name, required), copy);
        }
        Ok(())
    }
}

/// Tidies an object schema after its keywords were copied: `required` keeps only fields
/// still present (or goes, for update-only kinds), and fields not listed are refused.
fn finish_object(object: &mut Map<String, Value>, required: RequiredFields) {
    let Some(Value::Object(properties)) = object.get("properties") else {
        return;
    };
    let kept: BTreeSet<String> = properties.keys().cloned().collect();
    match required {
        RequiredFields::Skipped => {
            object.remove("required");
        }
        RequiredFields::Enforced => {
            if let Some(Value::Array(names)) = object.get_mut("required") {
                names.retain(|n| n.as_str().is_some_and(|n| kept.contains(n)));
            }
            if object
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
            {
                object.remove("required");
            }
        }
    }
    // `validate` reports unknown fields wherever a schema lists fields. A composed schema
    // whose parts name fields of their own would refuse them, so it is left open; parts
    // that only add rules about listed fields (the spec fixes' if/then) keep it closed.
    let mut named = BTreeSet::new();
    for keyword in ["allOf", "anyOf", "oneOf"] {
        if let Some(parts) = object.get(keyword) {
            composed_field_names(parts, &mut named);
        }
    }
    let composed = !named.is_subset(&kept);
    if !composed && !object.contains_key("additionalProperties") {
        object.insert("additionalProperties".into(), Value::Bool(false));
    }
}

/// Field names the parts of a composed schema speak of: their `properties` and `required`,
/// through `if`/`then`/`else` and nested compositions.
fn composed_field_names(parts: &Value, out: &mut BTreeSet<String>) {
    match parts {
        Value::Array(items) => items.iter().for_each(|p| composed_field_names(p, out)),
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            if let Some(Value::Array(req)) = map.get("required") {
                out.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
            }
            for keyword in ["if", "then", "else", "allOf", "anyOf", "oneOf"] {
                if let Some(part) = map.get(keyword) {
                    composed_field_names(part, out);
                }
            }
        }
        _ => {}
    }
}

fn output_definition_name(name: &str, required: RequiredFields) -> String {
    match required {
        RequiredFields::Enforced => name.to_string(),
        RequiredFields::Skipped => format!("{name}{PARTIAL_SUFFIX}"),
    }
}

/// "the name (key) of a site", "the email (key) of a user", "… of an entry-point". Kind
/// names starting with a `u` are read "you-" (user, user-profile).
fn key_description(target: &Kind) -> String {
    let article = if target
        .name
        .starts_with(|c: char| "aeio".contains(c.to_ascii_lowercase()))
    {
        "an"
    } else {
        "a"
    };
    format!("the {} (key) of {article} {}", target.key, target.name)
}

/// A text field config may also take from a file: the value, or `{file: PATH}`.
fn from_file(value: Value, text: &super::TextField) -> Value {
    let holds = if text.json { "a JSON document" } else { "text" };
    json!({
        "anyOf": [
            value,
            {
                "type": "object",
                "description": format!("read from a file holding {holds}, relative to this YAML file (inside the config folder)"),
                "properties": {(super::TEXT_FILE_KEY): {"type": "string", "minLength": 1}},
                "required": [super::TEXT_FILE_KEY],
                "additionalProperties": false,
            },
        ]
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{EditorSchemaError, PARTIAL_SUFFIX, build, editor_schema, key_description};
    use crate::catalogue::KIND_DEFAULTS as BASE;
    use crate::catalogue::{DtoSchemas, KINDS, Kind, Reference, SERVER_OWNED, TOOL_SETTINGS_KEY};

    fn generated() -> Value {
        match editor_schema() {
            Ok(schema) => schema,
            Err(e) => panic!("the catalogue's editor schema does not build: {e}"),
        }
    }

    fn validator(schema: &Value) -> jsonschema::Validator {
        match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(schema)
        {
            Ok(v) => v,
            Err(e) => panic!("the editor schema does not compile: {e}"),
        }
    }

    fn catalogue_kind(name: &str) -> &'static Kind {
        Kind::named(name).unwrap_or_else(|| panic!("no kind {name}"))
    }

    /// The real catalogue: it has nested references and update-only kinds to exercise.
    fn with_test_kinds() -> Value {
        generated()
    }

    fn every_ref(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(r) if k == "$ref" => out.push(r.clone()),
                        other => every_ref(other, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| every_ref(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_catalogue_kind_is_a_top_level_list_with_its_summary() {
        let schema = generated();
        assert_eq!(schema["additionalProperties"], false);
        let properties = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(properties.len(), KINDS.len());
        for kind in KINDS {
            let entry = &schema["properties"][kind.name];
            assert_eq!(entry["description"], kind.summary, "{}", kind.name);
            let object = &entry["items"];
            assert_eq!(object["additionalProperties"], false, "{}", kind.name);
            assert!(
                object["required"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|n| n == kind.key)),
                "{} does not require its key",
                kind.name
            );
            for field in SERVER_OWNED.iter().chain(kind.read_only) {
                assert!(
                    object["properties"].get(*field).is_none(),
                    "{} offers read-only `{field}`",
                    kind.name
                );
            }
        }
    }

    #[test]
    fn every_ref_resolves_and_output_is_deterministic() {
        let schema = with_test_kinds();
        let mut refs = Vec::new();
        every_ref(&schema, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            assert!(schema.pointer(&r[1..]).is_some(), "{r} does not resolve");
        }
        assert_eq!(schema, with_test_kinds());
        validator(&schema);
    }

    #[test]
    fn text_fields_take_text_or_a_file_and_nothing_else() {
        let v = validator(&generated());
        let layout = |content: Value| {
            json!({"desktop-layout": [{"name": "L", "jsonFileName": "l.json", "jsonFileContent": content,
                "global": false, "status": true, "defaultJsonModified": false, "editedBy": "me"}]})
        };
        assert!(v.is_valid(&layout(json!("{}"))));
        assert!(v.is_valid(&layout(json!({"file": "layouts/l.json"}))));
        assert!(!v.is_valid(&layout(json!({"file": "layouts/l.json", "x": 1}))));
        assert!(!v.is_valid(&layout(json!({"path": "layouts/l.json"}))));
        // Only catalogue text fields: a description is text only.
        let profile =
            json!({"multimedia-profile": [{"name": "V", "description": {"file": "d.txt"}}]});
        assert!(!v.is_valid(&profile));
    }

    #[test]
    fn references_become_keys_at_every_depth() {
        let schema = with_test_kinds();
        let queue = &schema["properties"]["contact-service-queue"]["items"];
        let team_id = &queue["properties"]["callDistributionGroups"]["items"]["properties"]["agentGroups"]
            ["items"]["properties"]["teamId"];
        assert_eq!(
            team_id,
            &json!({"type": "string", "description": "the name (key) of a team"})
        );
        // A nested `id` that is a reference stays, and is still required there.
        let agent = &queue["properties"]["agents"]["items"];
        assert_eq!(
            agent["properties"]["id"]["description"],
            "the email (key) of a user"
        );
        assert_eq!(agent["required"], json!(["id"]));
        let user = &schema["properties"]["user"]["items"];
        assert_eq!(
            user["properties"]["teamIds"]["items"]["description"],
            "the name (key) of a team"
        );
        assert_eq!(user["properties"]["teamIds"]["uniqueItems"], true);
        assert_eq!(
            user["properties"]["siteId"]["description"],
            "the name (key) of a site"
        );
    }

    #[test]
    fn nested_dtos_lose_server_owned_fields_and_refuse_unknown_ones() {
        let schema = with_test_kinds();
        let channel = &schema["definitions"]["MultimediaProfileChannelDTO"];
        assert_eq!(channel["additionalProperties"], false);
        for field in SERVER_OWNED {
            assert!(channel["properties"].get(*field).is_none(), "{field}");
        }
        let queue = &schema["properties"]["contact-service-queue"]["items"];
        let group = &queue["properties"]["callDistributionGroups"]["items"];
        assert_eq!(group["additionalProperties"], false);
        assert!(queue["properties"].get("agentsLastUpdatedTime").is_none());
        let agent_group = &group["properties"]["agentGroups"]["items"];
        assert_eq!(agent_group["additionalProperties"], false);
        // On the way to a reference (`queueRankings[].queueId`), the nested DTO is inlined.
        let ranking =
            &schema["properties"]["team"]["items"]["properties"]["queueRankings"]["items"];
        assert_eq!(ranking["required"], json!(["queueId", "rank"]));
        assert!(ranking["properties"].get("id").is_none());
    }

    #[test]
    fn update_only_kinds_require_only_their_key_at_any_depth() {
        let schema = with_test_kinds();
        let user = &schema["properties"]["user"]["items"];
        assert_eq!(user["required"], json!(["email"]));
        let v = validator(&schema);
        assert!(v.is_valid(&json!({"user": [{"email": "a@example.com", "teamIds": ["Tier 1"]}]})));
        let mut refs = Vec::new();
        every_ref(user, &mut refs);
        assert!(
            refs.iter()
                .all(|r| r.ends_with(PARTIAL_SUFFIX) || r.ends_with(TOOL_SETTINGS_KEY))
        );
    }

    #[test]
    fn enums_patterns_and_lengths_survive() {
        let schema = generated();
        let v = validator(&schema);
        let site = |name: &str| json!({"site": [{"name": name, "active": true, "multimediaProfileId": "Voice Only"}]});
        assert!(v.is_valid(&site("Chicago HQ")));
        assert!(!v.is_valid(&site("Chicago/HQ")));
        assert!(!v.is_valid(&site(&"x".repeat(81))));
        let team = json!({"team": [{"name": "T", "siteId": "Chicago", "teamType": "AGENTS",
            "teamStatus": "IN_SERVICE", "active": true, "rankQueuesForTeam": false}]});
        assert!(!v.is_valid(&team));
    }

    #[test]
    fn tool_settings_are_checked() {
        let v = validator(&generated());
        let site = |settings: Value| {
            json!({"site": [{"name": "Chicago", "active": true, "multimediaProfileId": "Voice",
                "x-wxcc": settings}]})
        };
        assert!(v.is_valid(&site(json!({"formerNames": ["HQ"], "protect": true}))));
        assert!(!v.is_valid(&site(json!({"protected": true}))));
        assert!(!v.is_valid(&site(json!({"protect": "yes"}))));
    }

    #[test]
    fn a_reference_path_that_does_not_fit_its_dto_is_an_error() {
        static BROKEN: Kind = Kind {
            name: "broken",
            summary: "",
            key: "name",
            list_path: "",
            item_path: "",
            dto: "TeamDTO",
            references: &[Reference {
                field: "queueRankings[].missing",
                target: "team",
                within: None,
                deferred: false,
            }],
            read_only: &[],
            unordered: &[],
            keyed_lists: &[],
            immutable: &[],
            creatable: true,
            deletable: true,
            ..BASE
        };
        let err = build(&[&BROKEN], DtoSchemas::get().definitions());
        assert_eq!(
            err,
            Err(EditorSchemaError::ReferenceMismatch {
                kind: "broken".into(),
                field: "queueRankings[].missing".into(),
                reason: "there is no field `missing` here".into(),
            })
        );
    }

    #[test]
    fn a_list_reference_without_brackets_is_an_error() {
        static NO_BRACKETS: Kind = Kind {
            name: "no-brackets",
            summary: "",
            key: "email",
            list_path: "",
            item_path: "",
            dto: "UserDTO",
            references: &[Reference {
                field: "teamIds",
                target: "no-brackets",
                within: None,
                deferred: false,
            }],
            read_only: &[],
            unordered: &[],
            keyed_lists: &[],
            immutable: &[],
            creatable: false,
            deletable: false,
            ..BASE
        };
        let err = build(&[&NO_BRACKETS], DtoSchemas::get().definitions())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("written `field[]`"), "{err}");
    }

    #[test]
    fn describes_keys_with_the_right_article() {
        assert_eq!(
            key_description(catalogue_kind("site")),
            "the name (key) of a site"
        );
        assert_eq!(
            key_description(catalogue_kind("user")),
            "the email (key) of a user"
        );
        assert_eq!(
            key_description(catalogue_kind("multimedia-profile")),
            "the name (key) of a multimedia-profile"
        );
    }
}
