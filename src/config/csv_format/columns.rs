//! The columns a kind's CSV file may have, derived from the kind's DTO schema in the
//! catalogue: one column per scalar field, dotted paths for the fields of nested objects,
//! `;`-separated lists for arrays of scalars, JSON cells for everything else (arrays of
//! objects, free-form maps). Also the headers accepted for each column (its exact path, the
//! catalogue's template aliases, and the same names compared without case and spaces).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

#[cfg(test)]
use crate::catalogue::Reference;
use crate::catalogue::{DtoSchemas, KINDS, Kind, SERVER_OWNED, TOOL_SETTINGS_KEY, csv_aliases};

/// How deep nested objects are spread into dotted columns; deeper ones are JSON cells.
const MAX_DOTTED_DEPTH: usize = 3;

/// The type of one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scalar {
    Text,
    Integer,
    Number,
    Boolean,
}

/// What a cell of a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One value.
    Scalar(Scalar),
    /// A list of values separated by `;`.
    List(Scalar),
    /// A JSON value (arrays of objects, maps the schema does not spell out).
    Json,
}

impl Shape {
    /// What a cell of this shape takes, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Shape::Scalar(Scalar::Text) => "text",
            Shape::Scalar(Scalar::Integer) => "a whole number",
            Shape::Scalar(Scalar::Number) => "a number",
            Shape::Scalar(Scalar::Boolean) => "true or false",
            Shape::List(_) => "a list separated by `;`",
            Shape::Json => "a JSON value",
        }
    }
}

/// One column of a kind's CSV.
#[derive(Debug)]
pub(crate) struct Column {
    /// The field path, dotted for nested fields (`manuallyAssignable.telephony`).
    pub path: String,
    pub shape: Shape,
    /// The DTO requires the field on create (a file without the column is refused).
    pub required: bool,
}

impl Column {
    pub(crate) fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('.')
    }

    /// When the field holds another object's id, which kind's: its cells hold keys or
    /// live ids.
    #[cfg(test)]
    pub(crate) fn reference(&self, kind: &'static Kind) -> Option<&'static Reference> {
        match self.shape {
            Shape::List(_) => kind.reference(&format!("{}[]", self.path)),
            _ => kind.reference(&self.path),
        }
    }
}

/// The columns of one kind, in schema order with the key first, and how headers find them.
#[derive(Debug)]
pub(crate) struct Columns {
    pub list: Vec<Column>,
    exact: HashMap<String, usize>,
    loose: HashMap<String, usize>,
    /// Every accepted spelling of a header other than the column paths (aliases), for
    /// "did you mean" and the docs: (header, column index).
    pub aliases: Vec<(&'static str, usize)>,
}

impl Columns {
    /// The column a header names: its exact path, an alias, or either compared without
    /// case, spaces, `_` and `-` (`Service Level Threshold` is `serviceLevelThreshold`).
    pub(crate) fn lookup(&self, header: &str) -> Option<&Column> {
        self.exact
            .get(header)
            .or_else(|| self.loose.get(&loose(header)))
            .map(|&i| &self.list[i])
    }

    /// Every header spelling, for suggestions.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.list
            .iter()
            .map(|c| c.path.as_str())
            .chain(self.aliases.iter().map(|(h, _)| *h))
    }
}

/// A header compared loosely: lower case, without spaces, `_` and `-`.
fn loose(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The columns of a kind (computed once per process).
pub(crate) fn columns(kind: &'static Kind) -> &'static Columns {
    static ALL: OnceLock<HashMap<&'static str, Columns>> = OnceLock::new();
    let all = ALL.get_or_init(|| KINDS.iter().map(|k| (k.name, build(k))).collect());
    // Every catalogue kind is in the map; a kind built elsewhere gets its own columns.
    match all.get(kind.name) {
        Some(c) => c,
        None => Box::leak(Box::new(build(kind))),
    }
}

fn build(kind: &'static Kind) -> Columns {
    let schemas = DtoSchemas::get();
    let mut list = Vec::new();
    let mut required: Vec<&str> = Vec::new();
    if let Some(dto) = schemas.dto(kind.dto) {
        if kind.creatable {
            required.extend(dto.required());
        }
        walk(kind, dto.schema(), "", 0, &mut list);
    }
    for column in &mut list {
        column.required = column.path == kind.key || required.contains(&column.path.as_str());
    }
    // The key first: it is what a reader looks for.
    if let Some(i) = list.iter().position(|c| c.path == kind.key) {
        let key = list.remove(i);
        list.insert(0, key);
    }
    list.push(Column {
        path: format!("{TOOL_SETTINGS_KEY}.formerNames"),
        shape: Shape::List(Scalar::Text),
        required: false,
    });
    list.push(Column {
        path: format!("{TOOL_SETTINGS_KEY}.protect"),
        shape: Shape::Scalar(Scalar::Boolean),
        required: false,
    });
    let mut exact = HashMap::new();
    let mut loose_map = HashMap::new();
    for (i, c) in list.iter().enumerate() {
        exact.insert(c.path.clone(), i);
        loose_map.entry(loose(&c.path)).or_insert(i);
    }
    let mut aliases = Vec::new();
    for alias in csv_aliases(kind.name) {
        if let Some(&i) = exact.get(alias.field) {
            exact.entry(alias.header.to_string()).or_insert(i);
            loose_map.entry(loose(alias.header)).or_insert(i);
            aliases.push((alias.header, i));
        }
    }
    Columns {
        list,
        exact,
        loose: loose_map,
        aliases,
    }
}

/// The schema a `$ref` (or a one-element `allOf`) chain ends at.
fn resolve(mut schema: &Value) -> &Value {
    let definitions = DtoSchemas::get().definitions();
    for _ in 0..8 {
        let next = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
            .and_then(|n| definitions.get(n))
            .or_else(|| match schema.get("allOf").and_then(Value::as_array) {
                // A wrapper (`allOf: [{$ref}]`), not a schema with rules added beside its
                // properties (the spec fixes add `allOf: [{if, then}]`).
                Some(all) if all.len() == 1 && schema.get("properties").is_none() => all.first(),
                _ => None,
            });
        match next {
            Some(n) => schema = n,
            None => break,
        }
    }
    schema
}

/// The schema's type, the first one that is not `null`.
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ if schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.iter().all(Value::is_string)) =>
        {
            Some("string")
        }
        _ => None,
    }
}

fn scalar(schema: &Value) -> Option<Scalar> {
    match type_of(schema)? {
        "string" => Some(Scalar::Text),
        "integer" => Some(Scalar::Integer),
        "number" => Some(Scalar::Number),
        "boolean" => Some(Scalar::Boolean),
        _ => None,
    }
}

fn walk(kind: &'static Kind, schema: &Value, prefix: &str, depth: usize, out: &mut Vec<Column>) {
    let Some(properties) = resolve(schema).get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if SERVER_OWNED.contains(&name.as_str())
            || kind.is_read_only(&path)
            || property.get("readOnly").and_then(Value::as_bool) == Some(true)
        {
            continue;
        }
        let resolved = resolve(property);
        let shape = match type_of(resolved) {
            Some("object")
                if depth < MAX_DOTTED_DEPTH
                    && resolved
                        .get("properties")
                        .and_then(Value::as_object)
                        .is_some_and(|p| !p.is_empty()) =>
            {
                walk(kind, resolved, &path, depth + 1, out);
                continue;
            }
            Some("array") => match resolved.get("items").map(resolve).and_then(scalar) {
                Some(item) => Shape::List(item),
                None => Shape::Json,
            },
            _ => scalar(resolved).map_or(Shape::Json, Shape::Scalar),
        };
        out.push(Column {
            path,
            shape,
            required: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> &'static Kind {
        Kind::named(name).unwrap_or_else(|| panic!("no kind {name}"))
    }

    #[test]
    fn site_columns_follow_the_dto() {
        let c = columns(kind("site"));
        let paths: Vec<&str> = c.list.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths[0], "name");
        assert!(paths.contains(&"multimediaProfileId"), "{paths:?}");
        assert!(!paths.contains(&"id") && !paths.contains(&"createdTime"));
        let mmp = c.lookup("multimediaProfileName").expect("alias");
        assert_eq!(mmp.path, "multimediaProfileId");
        assert!(mmp.required && mmp.reference(kind("site")).is_some());
        assert!(!c.lookup("description").expect("description").required);
    }

    /// Objects are spread into dotted columns [`MAX_DOTTED_DEPTH`] levels deep; an object
    /// below that is one JSON column (kills `depth + 1` made `depth * 1` in `walk`, which
    /// never got deeper and spread every level). No shipped DTO nests that deep, so the
    /// schema is built here.
    #[test]
    fn an_object_nested_past_the_dotted_depth_is_one_json_column() {
        let object = |name: &str, inner: Value| serde_json::json!({"type": "object", "properties": {name: inner}});
        let leaf = object("e", serde_json::json!({"type": "string"}));
        let schema = object("a", object("b", object("c", object("d", leaf))));
        let mut out = Vec::new();
        walk(kind("site"), &schema, "", 0, &mut out);
        let columns: Vec<(&str, Shape)> = out.iter().map(|c| (c.path.as_str(), c.shape)).collect();
        assert_eq!(columns, [("a.b.c.d", Shape::Json)]);
    }

    #[test]
    fn nested_objects_are_dotted_and_lists_typed() {
        let mmp = columns(kind("multimedia-profile"));
        let t = mmp.lookup("manuallyAssignable.telephony").expect("dotted");
        assert_eq!(t.shape, Shape::Scalar(Scalar::Integer));
        let layout = columns(kind("desktop-layout"));
        let teams = layout.lookup("teamIds").expect("teamIds");
        assert_eq!(teams.shape, Shape::List(Scalar::Text));
        assert_eq!(
            teams.reference(kind("desktop-layout")).map(|r| r.target),
            Some("team")
        );
        let queue = columns(kind("contact-service-queue"));
        assert_eq!(
            queue.lookup("callDistributionGroups").expect("cdg").shape,
            Shape::Json
        );
    }

    /// A nullable field (`nullable: true` becomes the type `[T, "null"]`, src/spec.rs) is a
    /// column of its non-null type.
    #[test]
    fn a_nullable_type_is_its_non_null_type() {
        let typed = |t: Value| scalar(&serde_json::json!({ "type": t }));
        assert_eq!(
            typed(serde_json::json!(["integer", "null"])),
            Some(Scalar::Integer)
        );
        assert_eq!(
            typed(serde_json::json!(["null", "string"])),
            Some(Scalar::Text)
        );
        assert_eq!(typed(serde_json::json!(["null"])), None);
    }

    #[test]
    fn headers_match_loosely() {
        let ep = columns(kind("entry-point"));
        assert_eq!(
            ep.lookup("Service Level Threshold")
                .map(|c| c.path.as_str()),
            Some("serviceLevelThreshold")
        );
        assert!(ep.lookup("Service Level Treshold").is_none());
    }

    #[test]
    fn every_alias_names_a_column_of_its_kind() {
        for alias in crate::catalogue::CSV_ALIASES {
            let c = columns(kind(alias.kind));
            assert!(
                c.lookup(alias.field).is_some(),
                "{}: alias {} → {} is not a column",
                alias.kind,
                alias.header,
                alias.field
            );
            assert!(
                c.aliases.iter().any(|(h, _)| *h == alias.header),
                "{}: alias {} not registered",
                alias.kind,
                alias.header
            );
        }
    }

    #[test]
    fn every_reference_field_has_a_column_or_lives_in_a_json_cell() {
        for kind in KINDS.iter().filter(|k| k.declarable) {
            let c = columns(kind);
            for r in kind.references {
                let root = r.field.split(['.', '[']).next().unwrap_or(r.field);
                let direct = c
                    .list
                    .iter()
                    .any(|col| col.reference(kind).is_some_and(|cr| std::ptr::eq(cr, r)));
                let json = c
                    .list
                    .iter()
                    .any(|col| col.shape == Shape::Json && r.field.starts_with(&col.path));
                assert!(
                    direct || json,
                    "{}: reference {} (root {root}) has no column",
                    kind.name,
                    r.field
                );
            }
        }
    }
}
