//! The one place where the client corrects the official DTO schemas. Each fix names the
//! defect and the evidence in `../shared/wxcc-api/config-api.md` ("live probes beat the
//! spec"). Fixes only ever make validation stricter or make the schema usable (a regex
//! that does not compile); where live is laxer than the spec, the client stays with the
//! spec, so every body it sends is valid for both. The emulator keeps its own list (`emulator::rules`), derived independently from
//! the same notes, so a mistake here cannot hide behind a mirrored mistake there.

use serde_json::{Map, Value, json};

struct SpecFix {
    schema: &'static str,
    /// What is wrong in the spec, and how we know.
    why: &'static str,
    apply: fn(&mut Value),
}

static FIXES: &[SpecFix] = &[
    SpecFix {
        schema: "MultimediaProfileDTO",
        why: "`manuallyAssignable` is optional in the spec but a live create without it is \
              refused with 400 (§3.2, LIVE-3P)",
        apply: |s| add_required(s, "manuallyAssignable"),
    },
    SpecFix {
        schema: "MultimediaProfileDTO",
        why: "`blendingMode` is a plain string in the schema; the field text and live 400s \
              limit it to BLENDED, BLENDED_REALTIME, EXCLUSIVE (§3.2)",
        apply: |s| {
            set(
                s,
                "/properties/blendingMode/enum",
                json!(["BLENDED", "BLENDED_REALTIME", "EXCLUSIVE"]),
            )
        },
    },
];

/// Applies every fix to the definitions.
pub(super) fn apply(definitions: &mut Map<String, Value>) {
    // SiteDTO and ResourceCollectionDTO name patterns `^[a-zA-Z\d-_\s]+$` are not valid
    // ECMA-262 classes (`\d-_` makes a range from a class). The server's Java regex reads
    // the `-` as a literal, allowing letters, digits, `-`, `_` and whitespace (§3.10, §3.12),
    // so every such pattern is rewritten with the `-` escaped.
    for schema in definitions.values_mut() {
        escape_class_ranges(schema);
    }
    for fix in FIXES {
        debug_assert!(!fix.why.is_empty());
        if let Some(schema) = definitions.get_mut(fix.schema) {
            (fix.apply)(schema);
        }
    }
}

fn escape_class_ranges(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(p) if key == "pattern" && p.contains("\\d-_") => {
                        *p = p.replace("\\d-_", "\\d\\-_");
                    }
                    other => escape_class_ranges(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(escape_class_ranges),
        _ => {}
    }
}

fn set(schema: &mut Value, pointer: &str, value: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    if let Some(Value::Object(map)) = schema.pointer_mut(parent) {
        map.insert(last.to_string(), value);
    }
}

fn add_required(schema: &mut Value, field: &str) {
    if let Value::Object(map) = schema {
        let required = map.entry("required").or_insert_with(|| json!([]));
        if let Value::Array(list) = required
            && !list.iter().any(|v| v == field)
        {
            list.push(json!(field));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fix_targets_a_real_schema() {
        let doc: Value = serde_json::from_str(crate::spec::OPENAPI_JSON).expect("spec parses");
        for fix in FIXES {
            assert!(
                doc.pointer(&format!("/components/schemas/{}", fix.schema))
                    .is_some(),
                "fix for missing schema {}",
                fix.schema
            );
        }
    }
}
