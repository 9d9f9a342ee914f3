//! Offline validation of desired objects: unknown and server-owned fields (with "did you
//! mean"), the official DTO schema of the kind (required fields, types, enums, lengths,
//! patterns), and references to keys the config does not define (a warning: they may exist
//! live, which `plan` checks). Every problem is reported with its span.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value};

use super::pattern;
use super::ranges::integer_ranges;
use super::suggest::did_you_mean;
use crate::catalogue::{DtoSchemas, Kind, SERVER_OWNED, TOOL_SETTINGS_KEY};
use crate::model::{
    Desired, DesiredObject, Diagnostic, Key, Node, NodeValue, describe_target, reference_values,
};

/// Every problem in the desired objects, errors and warnings, in file order.
/// Objects are checked independently, so a large config is checked on every core.
pub fn validate(desired: &Desired) -> Vec<Diagnostic> {
    crate::parallel::flat_map_in_order(&desired.objects, |object| {
        let mut diags = validate_object(object);
        diags.extend(super::rules::object_rules(object));
        diags.extend(super::rules::ambiguous_references(object, desired));
        diags.extend(dangling_references(object, desired));
        diags
    })
}

fn validate_object(object: &DesiredObject) -> Vec<Diagnostic> {
    let kind = object.kind;
    let schemas = DtoSchemas::get();
    let mut diags = Vec::new();
    if !kind.declarable {
        let users: Vec<String> = crate::catalogue::KINDS
            .iter()
            .flat_map(|k| {
                k.references
                    .iter()
                    .filter(|r| r.target == kind.name)
                    .map(move |r| format!("{}.{}", k.name, r.field))
            })
            .collect();
        diags.push(
            Diagnostic::error(
                format!(
                    "{} objects are owned by Cisco and cannot be declared",
                    kind.name
                ),
                object.key_span,
                "cannot be declared",
            )
            .with_help(format!(
                "remove this {}; refer to it by {} from {}",
                kind.name,
                kind.key,
                users.join(", ")
            )),
        );
        return diags;
    }
    let Some(dto) = schemas.dto(kind.dto) else {
        return diags;
    };
    // Field names first: unknown and server-owned fields, at every depth.
    let mut at = FieldAt::default();
    check_fields(kind, &object.node, dto.schema(), &mut at, &mut diags);
    // Then the schema, on the declared fields that are the kind's own.
    let mut body = serde_json::Map::new();
    for (k, v) in &object.body {
        // A declared null (an unset) is checked by `rules`, not by the schema.
        if !kind.is_read_only(k) && dto.property(k).is_some() && !v.is_null() {
            body.insert(k.clone(), v.clone());
        }
    }
    diags.extend(validate_body(object, &Value::Object(body), kind.creatable));
    diags.extend(integer_ranges(object));
    diags.extend(duplicate_entries(object));
    for field in kind.ignored_on_write {
        if let Some((key, _)) = object.node.entry(field) {
            diags.push(
                Diagnostic::warning(
                    format!("the API accepts `{field}` on a {} but does not apply it", kind.name),
                    key.span,
                    "ignored by the API",
                )
                .with_help("the plan would show this field as changed on every run; set it in Control Hub and remove it here"),
            );
        }
    }
    diags
}

/// Entries of a keyed list must have distinct keys: wxcc matches them to live entries by
/// key, and the API refuses two entries for the same thing (409 `Duplicate entry`).
fn duplicate_entries(object: &DesiredObject) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for list in object.kind.keyed_lists {
        let Some(NodeValue::List(items)) = object.node.get(list.field).map(|n| &n.value) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let Some(key) = item.get(list.key) else {
                continue;
            };
            let earlier = items[..i]
                .iter()
                .filter_map(|e| e.get(list.key))
                .find(|k| k.to_json() == key.to_json());
            if let Some(first) = earlier {
                let shown = key
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| key.to_json().to_string());
                diags.push(
                    Diagnostic::error(
                        format!("`{}` lists `{shown}` twice", list.field),
                        key.span,
                        "listed again here",
                    )
                    .with_related(first.span, "first listed here")
                    .with_help(format!(
                        "each entry of `{}` needs its own `{}`; merge the two entries",
                        list.field, list.key
                    )),
                );
            }
        }
    }
    diags
}

/// Checks a body against the kind's DTO schema and turns each violation into a diagnostic
/// at the matching place of `object`. `require` switches the required-field check (off for
/// kinds that are only ever updated).
pub fn validate_body(object: &DesiredObject, body: &Value, require: bool) -> Vec<Diagnostic> {
    let kind = object.kind;
    let Some(validator) = DtoSchemas::get().validator(kind.dto) else {
        return Vec::new();
    };
    let mut diags = Vec::new();
    let mut missing = MissingFields::default();
    for error in validator.iter_errors(body) {
        let pointer = error.instance_path().as_str().to_string();
        let field = field_label(&pointer);
        let value_span = object.value_span(&pointer);
        let node = object.node.nearest(&pointer);
        let d = match error.kind() {
            ValidationErrorKind::Required { property } => {
                if require {
                    let note = DtoSchemas::get().note(error.schema_path().as_str());
                    missing.add(&pointer, property.as_str().unwrap_or_default(), note);
                }
                continue;
            }
            ValidationErrorKind::Type { kind: expected } => Diagnostic::error(
                format!(
                    "`{field}` must be {}, not {}",
                    type_words(expected),
                    node.type_name()
                ),
                value_span,
                format!("{} here", node.type_name()),
            )
            .with_help(type_help(expected, node)),
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|v| {
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let written = error.instance().as_str().unwrap_or_default().to_string();
                let help = match did_you_mean(&written, options.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? allowed: {}", options.join(", ")),
                    None => format!("allowed: {}", options.join(", ")),
                };
                Diagnostic::error(
                    format!("`{field}` has a value the API does not accept"),
                    value_span,
                    "not an allowed value",
                )
                .with_help(help)
            }
            ValidationErrorKind::Pattern { pattern: _ }
                if DtoSchemas::get()
                    .note(error.schema_path().as_str())
                    .is_some() =>
            {
                // A format the catalogue added (times, dates); its note says which.
                Diagnostic::error(
                    format!("`{field}` is not in the format the API expects"),
                    value_span,
                    "wrong format",
                )
            }
            ValidationErrorKind::Pattern { pattern: p } => {
                let help = pattern::describe(p)
                    .map(|d| format!("{d} in `{field}` ({} pattern `{p}`)", kind.dto))
                    .unwrap_or_else(|| format!("`{field}` must match the pattern `{p}`"));
                Diagnostic::error(
                    format!("`{field}` contains characters the API refuses"),
                    value_span,
                    "refused by the pattern",
                )
                .with_help(help)
            }
            ValidationErrorKind::MaxLength { limit } => {
                let n = error
                    .instance()
                    .as_str()
                    .map(|s| s.chars().count())
                    .unwrap_or_default();
                Diagnostic::error(
                    format!("`{field}` is too long ({n} characters)"),
                    value_span,
                    "too long",
                )
                .with_help(format!("use at most {limit} characters"))
            }
            ValidationErrorKind::MinLength { limit } => {
                Diagnostic::error(format!("`{field}` is too short"), value_span, "too short")
                    .with_help(format!(
                        "use at least {limit} character{}",
                        if *limit == 1 { "" } else { "s" }
                    ))
            }
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => {
                Diagnostic::error(format!("`{field}` is too large"), value_span, "too large")
                    .with_help(format!("the API accepts at most {limit}"))
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => {
                Diagnostic::error(format!("`{field}` is too small"), value_span, "too small")
                    .with_help(format!("the API accepts at least {limit}"))
            }
            ValidationErrorKind::UniqueItems => Diagnostic::error(
                format!("`{field}` lists the same item twice"),
                value_span,
                "has duplicates",
            )
            .with_help("list each item once"),
            ValidationErrorKind::MinItems { limit } => Diagnostic::error(
                format!("`{field}` needs at least {limit} item(s)"),
                value_span,
                "too few items",
            ),
            ValidationErrorKind::MaxItems { limit } => Diagnostic::error(
                format!("`{field}` takes at most {limit} item(s)"),
                value_span,
                "too many items",
            ),
            ValidationErrorKind::Constant { expected_value } => Diagnostic::error(
                format!("`{field}` must be {expected_value} here"),
                value_span,
                "not allowed here",
            ),
            ValidationErrorKind::Not { .. } => Diagnostic::error(
                format!("`{field}` cannot be {} here", error.instance()),
                value_span,
                "not allowed here",
            ),
            ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::Contains => Diagnostic::error(
                format!(
                    "{} `{}` breaks a rule of {}",
                    kind.name, object.key, kind.dto
                ),
                if pointer.is_empty() {
                    object.key_span
                } else {
                    object.field_span(&pointer)
                },
                "here",
            ),
            _ => Diagnostic::error(
                format!("`{field}` is not valid: {error}"),
                value_span,
                "invalid",
            ),
        };
        // Rules added by spec fixes explain themselves better than the schema can.
        let d = match DtoSchemas::get().note(error.schema_path().as_str()) {
            Some(note) => d.with_help(note.to_string()),
            None => d,
        };
        diags.push(d);
    }
    diags.extend(missing.diagnostics(object));
    diags
}

/// Required fields a body lacks, grouped by the mapping that lacks them: one diagnostic
/// per place, listing every missing field.
#[derive(Default)]
struct MissingFields {
    /// (pointer of the mapping, fields, notes from the rules that require them)
    places: Vec<(String, Vec<String>, Vec<String>)>,
}

impl MissingFields {
    fn add(&mut self, pointer: &str, property: &str, note: Option<&str>) {
        let at = match self.places.iter().position(|(p, _, _)| p == pointer) {
            Some(i) => i,
            None => {
                self.places
                    .push((pointer.to_string(), Vec::new(), Vec::new()));
                self.places.len() - 1
            }
        };
        let (_, fields, notes) = &mut self.places[at];
        if !fields.iter().any(|f| f == property) {
            fields.push(property.to_string());
        }
        if let Some(note) = note
            && !notes.iter().any(|n| n == note)
        {
            notes.push(note.to_string());
        }
    }

    fn diagnostics(self, object: &DesiredObject) -> Vec<Diagnostic> {
        let kind = object.kind;
        let mut out = Vec::new();
        for (pointer, fields, notes) in self.places {
            // A declared null on a required field: the user asked to clear it.
            let (cleared, absent): (Vec<String>, Vec<String>) = fields.into_iter().partition(|f| {
                pointer.is_empty() && object.body.get(f).is_some_and(Value::is_null)
            });
            for field in cleared {
                out.push(
                    Diagnostic::error(
                        format!("`{field}` of {} `{}` cannot be cleared", kind.name, object.key),
                        object.value_span(&format!("/{field}")),
                        "`null` clears a field",
                    )
                    .with_help(format!(
                        "{} requires `{field}`; give it a value, or remove the line to keep the live one",
                        kind.dto
                    )),
                );
            }
            if absent.is_empty() {
                continue;
            }
            let within = if pointer.is_empty() {
                format!("this {}", kind.name)
            } else {
                format!("`{}`", field_label(&pointer))
            };
            let span = if pointer.is_empty() {
                object.key_span
            } else {
                object.field_span(&pointer)
            };
            let names: Vec<String> = absent.iter().map(|f| format!("`{f}`")).collect();
            let (message, label) = match names.as_slice() {
                [one] => (
                    format!(
                        "{} `{}` is missing the required field {one}",
                        kind.name, object.key
                    ),
                    format!("{within} needs {one}"),
                ),
                _ => (
                    format!(
                        "{} `{}` is missing {} required fields: {}",
                        kind.name,
                        object.key,
                        names.len(),
                        names.join(", ")
                    ),
                    format!("{within} needs {}", names.join(", ")),
                ),
            };
            let adds: Vec<String> = absent
                .iter()
                .map(|f| format!("`{f}:` ({})", describe_schema(kind, &pointer, f)))
                .collect();
            let mut help = format!(
                "add {}; {} says they are required",
                adds.join(", "),
                kind.dto
            );
            if absent.len() == 1 {
                help = format!("add {}; {} says it is required", adds.join(", "), kind.dto);
            }
            for note in notes {
                help.push_str(&format!("\n{note}"));
            }
            out.push(Diagnostic::error(message, span, label).with_help(help));
        }
        out
    }
}

fn dangling_references(object: &DesiredObject, desired: &Desired) -> Vec<Diagnostic> {
    let body = Value::Object(object.body.clone());
    reference_values(object.kind, &body)
        .into_iter()
        // Kinds the API cannot create (work types, users) can only exist live: naming one
        // the config does not declare is normal, and plan checks it.
        .filter(|(_, r, _)| crate::catalogue::Kind::named(r.target).is_some_and(|k| k.creatable))
        .filter(|(_, r, key)| !desired.defines(r, key))
        // A name declared at several sites is defined, only ambiguous, and
        // `ambiguous_references` says so.
        .filter(|(_, r, key)| r.within.is_some() || desired.named(r.target, key).is_empty())
        // Every new tenant has its system defaults (docs/api-notes.md §1.11).
        .filter(|(_, r, key)| !crate::catalogue::is_system_default(r.target, key))
        .map(|(pointer, r, key)| {
            let target = describe_target(r, key);
            Diagnostic::warning(
                format!("`{}` names {target}, which this config does not define", field_label(&pointer)),
                object.value_span(&pointer),
                format!("not defined here: {target}"),
            )
            .with_help(format!(
                "fine if it already exists in the tenant (plan checks); otherwise add it under `{}:`",
                r.target
            ))
        })
        .collect()
}

/// Where [`check_fields`] is, in both spellings, each extended for a child and restored.
#[derive(Default)]
struct FieldAt {
    /// JSON pointer: `/callDistributionGroups/0/agentGroups`.
    pointer: String,
    /// The same in the form the catalogue writes reference fields in:
    /// `callDistributionGroups[].agentGroups`.
    path: String,
}

impl FieldAt {
    /// The place a JSON pointer names.
    fn of(pointer: &str) -> FieldAt {
        let mut at = FieldAt::default();
        for segment in pointer.split('/').skip(1) {
            at.push(segment);
        }
        at
    }

    /// Steps into `segment` (a field name or a list index).
    fn push(&mut self, segment: &str) {
        self.pointer.push('/');
        self.pointer.push_str(segment);
        if segment.parse::<usize>().is_ok() {
            self.path.push_str("[]");
        } else {
            if !self.path.is_empty() {
                self.path.push('.');
            }
            self.path.push_str(segment);
        }
    }

    /// Steps into `segment`, runs `f`, and steps back out.
    fn within<R>(&mut self, segment: &str, f: impl FnOnce(&mut FieldAt) -> R) -> R {
        let (pointer_len, path_len) = (self.pointer.len(), self.path.len());
        self.push(segment);
        let out = f(self);
        self.pointer.truncate(pointer_len);
        self.path.truncate(path_len);
        out
    }
}

/// Walks declared fields alongside the schema: unknown fields and fields the server owns.
fn check_fields(
    kind: &'static Kind,
    node: &Node,
    schema: &Value,
    at: &mut FieldAt,
    diags: &mut Vec<Diagnostic>,
) {
    let schema = resolve_ref(schema);
    match &node.value {
        NodeValue::Map(entries) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, value) in entries {
                if at.pointer.is_empty() && key.name == TOOL_SETTINGS_KEY {
                    continue;
                }
                at.within(&key.name, |at| {
                    check_field(kind, key, value, props, at, diags);
                });
            }
        }
        NodeValue::List(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    at.within(&i.to_string(), |at| {
                        check_fields(kind, item, item_schema, at, diags);
                    });
                }
            }
        }
        _ => {}
    }
}

/// [`check_fields`] for one field `key` of a mapping, `at` the field's own place.
fn check_field(
    kind: &'static Kind,
    key: &Key,
    value: &Node,
    props: &Map<String, Value>,
    at: &mut FieldAt,
    diags: &mut Vec<Diagnostic>,
) {
    let is_reference = kind.reference(&at.path).is_some();
    let read_only = (SERVER_OWNED.contains(&key.name.as_str()) && !is_reference)
        || kind.read_only.contains(&at.path.as_str());
    if read_only {
        diags.push(
            Diagnostic::error(
                format!(
                    "`{}` is set by the server and cannot be written",
                    field_label(&at.pointer)
                ),
                key.span,
                "server-owned field",
            )
            .with_help(format!(
                "remove `{}`; wxcc reads it from the live {} when it updates",
                key.name, kind.name
            )),
        );
        return;
    }
    if let Some(sub) = props.get(&key.name) {
        check_fields(kind, value, sub, at, diags);
        return;
    }
    // The mapping that holds the unknown field, and the fields it takes: not those the
    // server sets, unless the catalogue makes one a reference (`resourceCollections[].id`).
    let pointer = &at.pointer[..at.pointer.len() - key.name.len() - 1];
    let mut parent = FieldAt::of(pointer);
    let names = props.keys().map(String::as_str).filter(|k| {
        let server_owned =
            SERVER_OWNED.contains(k) && parent.within(k, |at| kind.reference(&at.path).is_none());
        !(server_owned || pointer.is_empty() && kind.read_only.contains(k))
    });
    let (where_, fields_of) = if pointer.is_empty() {
        (format!("a {}", kind.name), kind.dto.to_string())
    } else {
        let label = format!("`{}`", field_label(pointer));
        (label.clone(), label)
    };
    let mut d = Diagnostic::error(
        format!("unknown field `{}` in {where_}", key.name),
        key.span,
        "unknown field",
    );
    let names: Vec<&str> = names.collect();
    d = match did_you_mean(&key.name, names.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("fields of {fields_of}: {}", names.join(", "))),
    };
    diags.push(d);
}

/// Follows `$ref`s to the schema they name.
pub(super) fn resolve_ref(schema: &Value) -> &Value {
    let mut schema = schema;
    for _ in 0..8 {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            Some(name) => match DtoSchemas::get().dto(name) {
                Some(dto) => schema = dto.schema(),
                None => break,
            },
            None => break,
        }
    }
    schema
}

/// `/callDistributionGroups/0/order` → `callDistributionGroups[0].order`.
pub(super) fn field_label(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

fn describe_schema(kind: &Kind, pointer: &str, property: &str) -> String {
    let dto = DtoSchemas::get().dto(kind.dto);
    let mut schema = dto.map(|d| d.schema());
    for segment in pointer.split('/').skip(1) {
        schema = schema.map(resolve_ref).and_then(|s| {
            if segment.parse::<usize>().is_ok() {
                s.get("items")
            } else {
                s.get("properties").and_then(|p| p.get(segment))
            }
        });
    }
    let field = schema
        .map(resolve_ref)
        .and_then(|s| s.get("properties"))
        .and_then(|p| p.get(property))
        .map(resolve_ref);
    match field {
        Some(f) if f.get("enum").is_some() => {
            let options: Vec<String> = f["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            format!("one of {}", options.join(", "))
        }
        Some(f) => match f.get("type").and_then(Value::as_str) {
            Some("boolean") => "true or false".into(),
            Some("integer") => "a whole number".into(),
            Some("number") => "a number".into(),
            Some("string") if kind.reference(property).is_some() => {
                format!(
                    "the key of a {}",
                    kind.reference(property)
                        .map(|r| r.target)
                        .unwrap_or_default()
                )
            }
            Some("string") => "text".into(),
            Some("array") => "a list".into(),
            Some("object") | None if f.get("properties").is_some() => "a mapping".into(),
            _ => "a value".into(),
        },
        None => "a value".into(),
    }
}

fn type_words(kind: &TypeKind) -> String {
    let one = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "boolean" => "true or false".to_string(),
        "integer" => "a whole number".to_string(),
        "number" => "a number".to_string(),
        "string" => "text".to_string(),
        "array" => "a list".to_string(),
        "object" => "a mapping".to_string(),
        "null" => "null".to_string(),
        other => other.to_string(),
    };
    match kind {
        TypeKind::Single(t) => one(t),
        TypeKind::Multiple(ts) => ts.iter().map(|t| one(&t)).collect::<Vec<_>>().join(" or "),
    }
}

fn type_help(expected: &TypeKind, node: &Node) -> String {
    let wants_string = matches!(expected, TypeKind::Single(t) if t.to_string() == "string");
    match (&node.value, wants_string) {
        (NodeValue::Number(_) | NodeValue::Bool(_), true) => {
            "quote the value to make it text, e.g. \"123\"".into()
        }
        (NodeValue::String(s), false) if s == "yes" || s == "no" || s == "on" || s == "off" => {
            "YAML 1.2 reads yes/no/on/off as text; write true or false".into()
        }
        (NodeValue::String(_), false) => format!("write {} without quotes", type_words(expected)),
        _ => format!("write {}", type_words(expected)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_pointers_as_field_paths() {
        assert_eq!(
            field_label("/callDistributionGroups/0/order"),
            "callDistributionGroups[0].order"
        );
        assert_eq!(field_label("/name"), "name");
        assert_eq!(field_label(""), "");
        let mut at = FieldAt::default();
        let (mut pointer, mut path) = (String::new(), String::new());
        at.within("agents", |at| {
            at.within("3", |at| {
                at.within("id", |at| {
                    (pointer, path) = (at.pointer.clone(), at.path.clone())
                });
            });
        });
        assert_eq!(
            (pointer.as_str(), path.as_str()),
            ("/agents/3/id", "agents[].id")
        );
        assert_eq!(
            (at.pointer.as_str(), at.path.as_str()),
            ("", ""),
            "stepped back out"
        );
    }
}
