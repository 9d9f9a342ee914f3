//! The YAML serializer of export: config values (JSON) written as block-style YAML that the
//! config loader reads back to the same values. Strings are plain only when no YAML reader
//! could take them for anything else; otherwise double-quoted with every character a YAML
//! reader might fold or refuse escaped.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Words some YAML readers take for booleans or null when unquoted.
const RESERVED: &[&str] = &[
    "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
];

/// One kind's section of a config file: `kind:` then its objects as a list.
pub(crate) fn section(out: &mut String, kind: &str, objects: &[Map<String, Value>]) {
    let _ = writeln!(out, "{}:", scalar_text(kind));
    if objects.is_empty() {
        out.truncate(out.len() - 1);
        out.push_str(" []\n");
        return;
    }
    for object in objects {
        list_item_map(out, object, 2);
    }
}

/// A top-level mapping of scalars: `name: value` lines.
pub(crate) fn mapping(out: &mut String, values: &std::collections::BTreeMap<String, Value>) {
    for (name, value) in values {
        let _ = writeln!(out, "{}: {}", scalar_text(name), inline(value));
    }
}

/// `- k: v` at `indent`, the remaining fields aligned under the first.
fn list_item_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    if map.is_empty() {
        let _ = writeln!(out, "{:indent$}- {{}}", "");
        return;
    }
    let _ = write!(out, "{:indent$}- ", "");
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            let _ = write!(out, "{:width$}", "", width = indent + 2);
        }
        field(out, key, value, indent + 2);
    }
}

/// `key: value` (the caller has written the indentation), nested values below.
fn field(out: &mut String, key: &str, value: &Value, indent: usize) {
    out.push_str(&scalar_text(key));
    out.push(':');
    match value {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            for (k, v) in m {
                let _ = write!(out, "{:width$}", "", width = indent + 2);
                field(out, k, v, indent + 2);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                list_item(out, item, indent + 2);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
}

fn list_item(out: &mut String, item: &Value, indent: usize) {
    match item {
        Value::Object(m) if !m.is_empty() => list_item_map(out, m, indent),
        Value::Array(items) if !items.is_empty() => {
            let _ = writeln!(out, "{:indent$}-", "");
            for inner in items {
                list_item(out, inner, indent + 2);
            }
        }
        other => {
            let _ = writeln!(out, "{:indent$}- {}", "", inline(other));
        }
    }
}

/// A scalar, or an empty list or map, on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_text(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A string as a YAML scalar: plain when that is safe, double-quoted otherwise.
pub(crate) fn scalar_text(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Whether a string reads back as the same string when written plain: it starts with a
/// letter, holds only letters, digits and `` _.-/()@,`` and single inner spaces, and is
/// no word a YAML reader takes for a boolean or null.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.-/()@,".contains(c))
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// A double-quoted YAML scalar. Escapes what YAML folds or does not allow raw: control
/// characters, C1 controls, the Unicode line and paragraph separators and the BOM.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_back(text: &str) -> Value {
        serde_saphyr::from_str(text).expect("valid YAML")
    }

    #[test]
    fn strings_read_back_as_written() {
        let tricky = [
            "plain name",
            "+15125550142",
            "007",
            "true",
            "No",
            "null",
            "~",
            "a: b",
            "x #y",
            " lead",
            "trail ",
            "two  spaces",
            "line\nbreak",
            "tab\there",
            "quote\" and \\",
            "Zürich — 東京 😀",
            "\u{2028}sep\u{85}nel\u{feff}",
            "- dash",
            "[x]",
            "{y}",
            "*alias",
            "&anchor",
            "!tag",
            "%d",
            "@at",
            "`tick",
            "1e3",
            ".inf",
            "",
        ];
        for s in tricky {
            let mut out = String::new();
            section(
                &mut out,
                "k",
                &[json!({"name": s}).as_object().cloned().expect("map")],
            );
            assert_eq!(read_back(&out), json!({"k": [{"name": s}]}), "{out}");
        }
    }

    #[test]
    fn nested_values_read_back() {
        let object = json!({
            "name": "Queue",
            "n": 3,
            "f": 1.5,
            "b": false,
            "none": null,
            "empty": [],
            "emptyMap": {},
            "list": ["a", 1, true],
            "groups": [{"order": 1, "agentGroups": [{"teamId": "T"}, {"teamId": "U"}]}, {}],
            "deep": {"inner": {"x": [[1, 2], []]}},
        });
        let mut out = String::new();
        section(
            &mut out,
            "contact-service-queue",
            &[object.as_object().cloned().expect("map")],
        );
        assert_eq!(
            read_back(&out),
            json!({"contact-service-queue": [object]}),
            "{out}"
        );
    }
}
