//! The official DTO schemas, read from the vendored OpenAPI document (`spec/`), turned
//! into draft-07 JSON Schema definitions, and corrected where the spec is known to be wrong
//! (see `spec_fixes`). Validation, the editor schema and "did you mean" all read fields here.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::spec_fixes;

use crate::spec;

/// Every DTO schema of the official document, as draft-07 definitions.
pub struct DtoSchemas {
    definitions: Map<String, Value>,
    /// One validator per kind's DTO, each compiled when first asked for: a command that
    /// touches two kinds compiles two.
    validators: HashMap<&'static str, OnceLock<Option<jsonschema::Validator>>>,
}

/// One DTO schema.
#[derive(Clone, Copy)]
pub struct Dto<'a> {
    pub name: &'a str,
    schema: &'a Value,
}

/// What the schema says about one field.
pub type FieldSchema = Value;

impl DtoSchemas {
    /// The corrected schemas, parsed once per process.
    pub fn get() -> &'static DtoSchemas {
        static SCHEMAS: OnceLock<DtoSchemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| {
            let mut definitions = spec::draft07_definitions();
            spec_fixes::apply(&mut definitions);
            DtoSchemas {
                definitions,
                validators: super::KINDS
                    .iter()
                    .map(|kind| (kind.dto, OnceLock::new()))
                    .collect(),
            }
        })
    }

    pub fn dto(&self, name: &str) -> Option<Dto<'_>> {
        self.definitions
            .get_key_value(name)
            .map(|(name, schema)| Dto { name, schema })
    }

    /// Every definition, for building the editor schema.
    pub fn definitions(&self) -> &Map<String, Value> {
        &self.definitions
    }

    /// Removes, at every depth, the fields a DTO does not declare: what an update sends
    /// back is the live object cut to the request DTO. Live objects carry fields the DTO
    /// leaves out (response-only ones, and feature-flagged ones like `workItem`, which a
    /// write that echoes them is refused for, docs/api-notes.md §3.2).
    pub fn retain_declared(&self, dto: &str, body: &mut Map<String, Value>) {
        if let Some(schema) = self.definitions.get(dto) {
            self.retain_in_object(schema, body);
        }
    }

    fn retain_in_object(&self, schema: &Value, body: &mut Map<String, Value>) {
        let schema = self.follow(schema);
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        body.retain(|field, _| properties.contains_key(field));
        for (field, value) in body.iter_mut() {
            if let Some(field_schema) = properties.get(field) {
                self.retain_in_value(field_schema, value);
            }
        }
    }

    fn retain_in_value(&self, schema: &Value, value: &mut Value) {
        let schema = self.follow(schema);
        match value {
            Value::Object(map) => self.retain_in_object(schema, map),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for item in items {
                        self.retain_in_value(item_schema, item);
                    }
                }
            }
            _ => {}
        }
    }

    /// Orders the fields of a body, at every depth, the way the DTO declares them (fields
    /// it does not declare last, by name): a stable order whatever order the server used.
    pub fn order_declared(&self, dto: &str, body: &mut Map<String, Value>) {
        let schema = self.definitions.get(dto).unwrap_or(&Value::Null);
        self.order_in_object(schema, body);
    }

    fn order_in_object(&self, schema: &Value, body: &mut Map<String, Value>) {
        let schema = self.follow(schema);
        let properties = schema.get("properties").and_then(Value::as_object);
        let rank = |field: &str| {
            properties
                .and_then(|p| p.keys().position(|k| k == field))
                .unwrap_or(usize::MAX)
        };
        let mut fields: Vec<(String, Value)> = std::mem::take(body).into_iter().collect();
        fields.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
        for (field, mut value) in fields {
            let sub = properties
                .and_then(|p| p.get(&field))
                .unwrap_or(&Value::Null);
            self.order_in_value(sub, &mut value);
            body.insert(field, value);
        }
    }

    fn order_in_value(&self, schema: &Value, value: &mut Value) {
        let schema = self.follow(schema);
        match value {
            Value::Object(map) => self.order_in_object(schema, map),
            Value::Array(items) => {
                let item_schema = schema.get("items").unwrap_or(&Value::Null);
                for item in items {
                    self.order_in_value(item_schema, item);
                }
            }
            _ => {}
        }
    }

    /// The schema a `$ref` chain ends at.
    fn follow<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..8 {
            match schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .and_then(|n| self.definitions.get(n))
            {
                Some(next) => schema = next,
                None => break,
            }
        }
        schema
    }

    /// The note a spec fix left (`x-wxcc-note`) for a rule the schema alone says badly, found
    /// from a validation error's schema path (`/definitions/SkillDTO/then/required`): on
    /// the node holding the failed keyword, or as `x-wxcc-note-<keyword>` beside it.
    pub fn note(&self, schema_path: &str) -> Option<&str> {
        let rest = schema_path.strip_prefix("/definitions/")?;
        let (parent, keyword) = rest.rsplit_once('/')?;
        let mut segments = parent.split('/');
        let mut node = self.definitions.get(segments.next()?)?;
        for segment in segments {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            node = match node {
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                other => other.get(&segment)?,
            };
        }
        node.get("x-wxcc-note")
            .or_else(|| node.get(format!("x-wxcc-note-{keyword}")))
            .and_then(Value::as_str)
    }

    /// The compiled validator for a DTO, or `None` if the spec has no such schema.
    pub fn validator(&self, name: &str) -> Option<&jsonschema::Validator> {
        self.validators
            .get(name)?
            .get_or_init(|| spec::compile(&self.definitions, name).ok())
            .as_ref()
    }
}

impl<'a> Dto<'a> {
    pub fn properties(&self) -> impl Iterator<Item = (&'a str, &'a FieldSchema)> {
        self.schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v)))
    }

    pub fn property(&self, field: &str) -> Option<&'a FieldSchema> {
        self.schema.get("properties")?.get(field)
    }

    pub fn required(&self) -> impl Iterator<Item = &'a str> {
        self.schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flat_map(|a| a.iter().filter_map(Value::as_str))
    }

    pub fn schema(&self) -> &'a Value {
        self.schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_dto_exists_and_compiles() {
        let schemas = DtoSchemas::get();
        for kind in super::super::KINDS {
            assert!(
                schemas.dto(kind.dto).is_some(),
                "{} has no DTO {}",
                kind.name,
                kind.dto
            );
            assert!(
                schemas.validator(kind.dto).is_some(),
                "{} DTO {} does not compile",
                kind.name,
                kind.dto
            );
        }
    }

    #[test]
    fn updates_keep_only_declared_fields_at_every_depth() {
        let mut body = serde_json::json!({"id": "1", "name": "A", "workItem": 0, "video": 0,
            "manuallyAssignable": {"id": "m", "chat": 1, "workItem": 0}})
        .as_object()
        .cloned()
        .unwrap_or_default();
        DtoSchemas::get().retain_declared("MultimediaProfileDTO", &mut body);
        assert_eq!(
            Value::Object(body),
            serde_json::json!({"id": "1", "name": "A", "manuallyAssignable": {"id": "m", "chat": 1}})
        );
    }

    #[test]
    fn site_name_pattern_refuses_slash() {
        let v = DtoSchemas::get().validator("SiteDTO").expect("SiteDTO");
        let ok = serde_json::json!({"name": "Chicago HQ-1_a", "active": true, "multimediaProfileId": "x"});
        let bad =
            serde_json::json!({"name": "Chicago/HQ", "active": true, "multimediaProfileId": "x"});
        assert!(v.is_valid(&ok));
        assert!(!v.is_valid(&bad));
    }

    /// Whether a catalogue field path (`a[].b`, `ids[]`) exists in a DTO.
    fn path_exists(schemas: &'static DtoSchemas, dto: &str, path: &str) -> bool {
        let resolve = |mut v: &Value| -> Value {
            while let Some(name) = v
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
            {
                match schemas.dto(name) {
                    Some(d) => v = d.schema(),
                    None => break,
                }
            }
            v.clone()
        };
        let Some(mut current) = schemas.dto(dto).map(|d| d.schema().clone()) else {
            return false;
        };
        for part in path.split('.') {
            let (name, each) = match part.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (part, false),
            };
            let Some(next) = resolve(&current)
                .get("properties")
                .and_then(|p| p.get(name))
                .map(resolve)
            else {
                return false;
            };
            current = if each {
                match next.get("items") {
                    Some(items) => resolve(items),
                    None => return false,
                }
            } else {
                next
            };
        }
        true
    }

    #[test]
    fn catalogue_fields_exist_in_their_dto() {
        let schemas = DtoSchemas::get();
        for kind in super::super::KINDS {
            let fields = kind
                .references
                .iter()
                .map(|r| r.field)
                .chain(kind.read_only.iter().copied())
                .chain(kind.unordered.iter().copied())
                .chain(kind.keyed_lists.iter().map(|k| k.field))
                .chain(kind.immutable.iter().copied())
                .chain(kind.list_omits.iter().copied())
                .chain(kind.upload.map(|u| u.file))
                .chain(kind.text_fields.iter().map(|t| t.field))
                .chain(kind.ignored_on_write.iter().copied())
                .chain(std::iter::once(kind.key));
            for f in fields {
                let found = path_exists(schemas, kind.dto, f)
                    || kind
                        .response_dto
                        .is_some_and(|r| path_exists(schemas, r, f));
                assert!(
                    found,
                    "{}: field {f} is not in {} (or its response DTO)",
                    kind.name, kind.dto
                );
            }
            for k in kind.keyed_lists {
                assert!(
                    path_exists(schemas, kind.dto, &format!("{}[].{}", k.field, k.key)),
                    "{}: {} entries have no {}",
                    kind.name,
                    k.field,
                    k.key
                );
            }
            if let Some(r) = kind.response_dto {
                assert!(
                    schemas.dto(r).is_some(),
                    "{}: no response DTO {r}",
                    kind.name
                );
            }
        }
    }

    #[test]
    fn catalogue_paths_exist_in_the_spec() {
        let doc: Value = spec::document();
        let paths = doc["paths"].as_object().expect("paths");
        for kind in super::super::KINDS {
            let list = format!("/organization/{{orgid}}/{}", kind.list_path);
            assert!(paths[&list].get("get").is_some(), "no GET {list}");
            let item = format!("/organization/{{orgid}}/{}/{{id}}", kind.item_path);
            assert!(paths[&item].get("put").is_some(), "no PUT {item}");
            if kind.creatable {
                let create = format!("/organization/{{orgid}}/{}", kind.item_path);
                assert!(paths[&create].get("post").is_some(), "no POST {create}");
            }
            if let Some(bulk) = kind.bulk {
                let save = format!("/organization/{{orgid}}/{}", bulk.save);
                if bulk.create || bulk.delete || bulk.update == super::super::BulkUpdate::Whole {
                    assert!(paths[&save].get("post").is_some(), "no POST {save}");
                }
                if let super::super::BulkUpdate::Partial(r)
                | super::super::BulkUpdate::PatchWhole(r) = bulk.update
                {
                    let patch = format!("/organization/{{orgid}}/{r}");
                    assert!(paths[&patch].get("patch").is_some(), "no PATCH {patch}");
                }
            }
        }
    }
}
