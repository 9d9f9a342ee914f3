//! The catalogue's rules about one object (`catalogue::RULES`), checked at validate time:
//! time zones, lengths as the server counts them, one default per list, typed values, and
//! fields a declared `null` (an unset) cannot clear. Rules across objects are plan's.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::suggest::did_you_mean;
use super::validate::resolve_ref;
use crate::catalogue::{
    Check, DtoSchemas, FieldPath, Kind, Rule, calendar_date, rules_for, utf16_len,
    valid_typed_value,
};
use crate::model::{Desired, DesiredObject, Diagnostic, reference_values};

/// Every breach of a one-object rule in `object`.
pub(crate) fn object_rules(object: &DesiredObject) -> Vec<Diagnostic> {
    let mut diags = unset_fields(object);
    let body = &object.body;
    for rule in rules_for(object.kind.name) {
        match &rule.check {
            Check::TimeZone(field) => time_zones(object, field, rule, &mut diags),
            Check::Utf16Length => {
                if let Some(dto) = DtoSchemas::get().dto(object.kind.dto) {
                    let schema = resolve_ref(dto.schema());
                    let mut pointer = String::new();
                    java_length_fields(object, schema, body, &mut pointer, rule, &mut diags);
                }
            }
            Check::OneTrue { list, flag } => one_true(object, list, flag, rule, &mut diags),
            Check::CalendarDate(fields) => {
                for field in *fields {
                    FieldPath::parse(field).visit_fields(body, &mut |pointer, v| {
                        if let Some(text) = v.as_str()
                            && calendar_date(text) == Some(false)
                        {
                            diags.push(
                                Diagnostic::error(
                                    format!("`{text}` is not a day of the calendar"),
                                    object.value_span(pointer),
                                    "no such day",
                                )
                                .with_help(rule_help(rule)),
                            );
                        }
                    });
                }
            }
            Check::TypedValue { type_field, value } => {
                let (Some(t), Some(v)) = (
                    body.get(*type_field).and_then(Value::as_str),
                    body.get(*value).and_then(Value::as_str),
                ) else {
                    continue;
                };
                if !valid_typed_value(t, v) {
                    diags.push(
                        Diagnostic::error(
                            format!("`{value}` `{v}` is not a valid {t} value"),
                            object.value_span(&format!("/{value}")),
                            format!("not valid for {t}"),
                        )
                        .with_help(rule_help(rule)),
                    );
                }
            }
            Check::CannotClear { fields, why } => {
                for field in fields.iter().filter(|f| is_unset(object, f)) {
                    diags.push(cannot_clear(object, field, why));
                }
            }
            Check::TeamsAtUserSite
            | Check::NoCapacityTeams
            | Check::SkillValueMatchesType
            | Check::RenameReferenced
            | Check::RenameUnchecked { .. } => {}
        }
    }
    diags
}

/// References by plain name to an object of a scoped kind (a team) when the config has
/// several under that name at different scopes (`Tier 1` at two sites).
pub(crate) fn ambiguous_references(object: &DesiredObject, desired: &Desired) -> Vec<Diagnostic> {
    let body = Value::Object(object.body.clone());
    let mut diags = Vec::new();
    for (pointer, reference, key) in reference_values(object.kind, &body) {
        let Some(target) = Kind::named(reference.target) else {
            continue;
        };
        // Only a declared name can be ambiguous: a site-qualified key (`Austin/Tier 1`)
        // names no object by its name, and a team's name may itself hold a `/`.
        let Some(scope) = target.scope else { continue };
        if reference.within.is_some() {
            continue;
        }
        // The site each is declared at, from its scope field: its key is no guide, as a
        // name holding a `/` would read as qualified.
        let sites: Vec<String> = desired
            .named(target.name, key)
            .into_iter()
            .filter_map(|o| o.body.get(scope).and_then(Value::as_str))
            .map(|s| format!("`{s}/{key}`"))
            .collect();
        if sites.len() > 1 {
            diags.push(
                Diagnostic::error(
                    format!(
                        "{} `{key}` is ambiguous: this config has one at each of several sites",
                        target.name
                    ),
                    object.value_span(&pointer),
                    "ambiguous reference",
                )
                .with_help(format!("write the site too: {}", sites.join(" or "))),
            );
        }
    }
    diags
}

/// What a rule says and where it comes from, as help.
fn rule_help(rule: &Rule) -> String {
    format!("{} ({})", rule.says, rule.evidence)
}

fn is_unset(object: &DesiredObject, field: &str) -> bool {
    object.body.get(field).is_some_and(Value::is_null)
}

fn cannot_clear(object: &DesiredObject, field: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        format!(
            "`{field}` of {} `{}` cannot be cleared",
            object.kind.name, object.key
        ),
        object.value_span(&format!("/{field}")),
        "`null` clears a field",
    )
    .with_help(why.to_string())
}

/// A declared `null` asks for the field to be empty live. Fields the API cannot clear are
/// refused here: the object's key, fields fixed at create, uploaded files, and nested
/// nulls (only a whole top-level field can be unset). Required fields are refused by the
/// schema check, which says so.
fn unset_fields(object: &DesiredObject) -> Vec<Diagnostic> {
    let kind: &Kind = object.kind;
    let mut diags = Vec::new();
    let mut pointer = String::new();
    for (field, value) in &object.body {
        if !value.is_null() {
            if matches!(value, Value::Object(_) | Value::Array(_)) {
                pointer.clear();
                pointer.push('/');
                pointer.push_str(field);
                nested_nulls(object, value, &mut pointer, &mut diags);
            }
            continue;
        }
        if kind.immutable.contains(&field.as_str()) {
            diags.push(cannot_clear(
                object,
                field,
                &format!("the API refuses to change `{field}` once the {} exists; remove the line to leave it as it is", kind.name),
            ));
        } else if kind.upload.is_some_and(|u| u.file == field) {
            diags.push(cannot_clear(
                object,
                field,
                "an audio file always has content; name a .wav file, or delete the object",
            ));
        }
    }
    diags
}

/// Nulls anywhere inside `value`, whose pointer is `pointer` (extended for each child and
/// restored).
fn nested_nulls(
    object: &DesiredObject,
    value: &Value,
    pointer: &mut String,
    diags: &mut Vec<Diagnostic>,
) {
    let child = |pointer: &mut String, v: &Value, diags: &mut Vec<Diagnostic>| {
        if v.is_null() {
            diags.push(
                Diagnostic::error(
                    format!("`{}` is null", pointer.trim_start_matches('/').replace('/', ".")),
                    object.value_span(pointer),
                    "null inside a field",
                )
                .with_help("only a whole top-level field can be unset with `null`; inside a mapping or list, leave the entry out instead"),
            );
        } else {
            nested_nulls(object, v, pointer, diags);
        }
    };
    let len = pointer.len();
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                pointer.push('/');
                pointer.push_str(k);
                child(pointer, v, diags);
                pointer.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                child(pointer, v, diags);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn time_zones(object: &DesiredObject, field: &str, rule: &Rule, diags: &mut Vec<Diagnostic>) {
    FieldPath::parse(field).visit_fields(&object.body, &mut |pointer, v| {
        let Some(zone) = v.as_str() else { return };
        if crate::catalogue::is_time_zone(zone) {
            return;
        }
        let zones = include_str!("../../spec/iana-time-zones.txt")
            .lines()
            .filter(|l| !l.starts_with('#'));
        let help = match did_you_mean(zone, zones) {
            Some(s) => format!("did you mean `{s}`? {}", rule_help(rule)),
            None => rule_help(rule),
        };
        let message = if zone.is_empty() {
            "an empty string is not an IANA time zone".to_string()
        } else {
            format!("`{zone}` is not an IANA time zone")
        };
        diags.push(
            Diagnostic::error(message, object.value_span(pointer), "unknown time zone")
                .with_help(help),
        );
    });
}

/// Strings longer, in UTF-16 code units, than their `maxLength`, where the character count
/// fits (the schema check reports the others).
fn java_lengths(
    object: &DesiredObject,
    schema: &Value,
    value: &Value,
    pointer: &mut String,
    rule: &Rule,
    diags: &mut Vec<Diagnostic>,
) {
    let schema = resolve_ref(schema);
    match value {
        Value::String(text) => {
            let Some(limit) = schema.get("maxLength").and_then(Value::as_u64) else {
                return;
            };
            // UTF-16 units never outnumber UTF-8 bytes: most text is done here.
            if text.len() as u64 <= limit {
                return;
            }
            let units = utf16_len(text) as u64;
            if units > limit && text.chars().count() as u64 <= limit {
                diags.push(
                    Diagnostic::error(
                        format!(
                            "`{}` is too long for the API: {units} UTF-16 units, at most {limit}",
                            pointer.trim_start_matches('/').replace('/', ".")
                        ),
                        object.value_span(pointer),
                        "too long as the server counts it",
                    )
                    .with_help(format!(
                        "{}; shorten it by {} unit(s)",
                        rule_help(rule),
                        units - limit
                    )),
                );
            }
        }
        Value::Object(map) => java_length_fields(object, schema, map, pointer, rule, diags),
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    let _ = write!(pointer, "/{i}");
                    java_lengths(object, item_schema, item, pointer, rule, diags);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// [`java_lengths`] over the fields of an object, `schema` resolved; `pointer` is the
/// object's own, extended for each field and restored.
fn java_length_fields(
    object: &DesiredObject,
    schema: &Value,
    fields: &Map<String, Value>,
    pointer: &mut String,
    rule: &Rule,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, v) in fields {
        if let Some(s) = props.get(k) {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(k);
            java_lengths(object, s, v, pointer, rule, diags);
            pointer.truncate(len);
        }
    }
}

fn one_true(
    object: &DesiredObject,
    list: &str,
    flag: &str,
    rule: &Rule,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(items) = object.body.get(list).and_then(Value::as_array) else {
        return;
    };
    let flagged: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, e)| e.get(flag) == Some(&Value::Bool(true)))
        .map(|(i, _)| i)
        .collect();
    if let [first, rest @ ..] = flagged.as_slice() {
        for i in rest {
            diags.push(
                Diagnostic::error(
                    format!("`{list}` has more than one entry with `{flag}: true`"),
                    object.value_span(&format!("/{list}/{i}/{flag}")),
                    "a second default",
                )
                .with_related(
                    object.value_span(&format!("/{list}/{first}/{flag}")),
                    "the first default",
                )
                .with_help(rule_help(rule)),
            );
        }
    }
}
