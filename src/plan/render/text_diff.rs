//! Line diffs of long values for the text and Markdown renderers: a change to a field the
//! catalogue says holds JSON text (diffed pretty-printed, so key order and layout do not
//! show), or to any string that is multi-line or longer than [`LONG_TEXT_CHARS`], is shown
//! as a unified diff instead of one `before → after` line.

use serde_json::{Map, Value};
use similar::TextDiff;

use crate::catalogue::Kind;
use crate::model::printable;
use crate::plan::FieldDiff;

/// A string longer than this (in characters) is diffed by line.
pub(super) const LONG_TEXT_CHARS: usize = 80;

/// Lines of unchanged context around each change.
const CONTEXT_LINES: usize = 3;

/// One line of a unified diff.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// `--- before`, `+++ after`, `@@ … @@`.
    Header(String),
    Context(String),
    Removed(String),
    Added(String),
}

/// The unified diff of a field's change, when it is shown as one; for a new value (no
/// `before`), its lines alone, without headers. Lines are made [`printable`] (server text
/// may hold control characters).
pub(super) fn unified(kind: &Kind, diff: &FieldDiff) -> Option<Vec<Line>> {
    let before = diff.before.as_ref().and_then(Value::as_str);
    let after = diff.after.as_ref().and_then(Value::as_str);
    if before.is_none() && after.is_none() {
        return None;
    }
    // Only a string (or nothing) on each side: a type change stays one line.
    let only_text = |v: &Option<Value>| v.as_ref().is_none_or(|v| v.is_string() || v.is_null());
    if !only_text(&diff.before) || !only_text(&diff.after) {
        return None;
    }
    let (old, new) = if kind.holds_json(&diff.path) {
        pretty_pair(before.unwrap_or(""), after.unwrap_or(""))
    } else {
        (
            before.unwrap_or("").to_string(),
            after.unwrap_or("").to_string(),
        )
    };
    let long = |s: &str| s.contains('\n') || s.chars().count() > LONG_TEXT_CHARS;
    if !kind.holds_json(&diff.path) && !long(&old) && !long(&new) {
        return None;
    }
    let mut lines = lines(&old, &new);
    if diff.before.is_none() {
        lines.retain(|l| !matches!(l, Line::Header(_)));
    }
    Some(lines)
}

/// Both JSON texts pretty-printed, the old one's keys in the new one's order where they
/// match, so that only real changes show. A text that does not parse is shown as it is.
fn pretty_pair(old: &str, new: &str) -> (String, String) {
    let parse = |s: &str| serde_json::from_str::<Value>(s).ok();
    let pretty = |v: &Value, raw: &str| serde_json::to_string_pretty(v).unwrap_or(raw.into());
    match (parse(old), parse(new)) {
        (Some(o), Some(n)) => (pretty(&align(o, &n), old), pretty(&n, new)),
        (Some(o), None) => (pretty(&o, old), new.to_string()),
        (None, Some(n)) => (old.to_string(), pretty(&n, new)),
        (None, None) => (old.to_string(), new.to_string()),
    }
}

/// `old` with its mappings' keys reordered to follow `new`'s (keys only in `old` last).
fn align(old: Value, new: &Value) -> Value {
    match (old, new) {
        (Value::Object(mut o), Value::Object(n)) => {
            let mut out = Map::new();
            for (k, nv) in n {
                if let Some(ov) = o.shift_remove(k) {
                    out.insert(k.clone(), align(ov, nv));
                }
            }
            out.extend(o);
            Value::Object(out)
        }
        (Value::Array(o), Value::Array(n)) => Value::Array(
            o.into_iter()
                .enumerate()
                .map(|(i, ov)| match n.get(i) {
                    Some(nv) => align(ov, nv),
                    None => ov,
                })
                .collect(),
        ),
        (old, _) => old,
    }
}

fn lines(old: &str, new: &str) -> Vec<Line> {
    let diff = TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header("before", "after")
        .missing_newline_hint(false)
        .to_string();
    text.lines()
        .map(|l| {
            let body = |l: &str| printable(l.get(1..).unwrap_or(""));
            if l.starts_with("---") || l.starts_with("+++") || l.starts_with("@@") {
                Line::Header(printable(l))
            } else if l.starts_with('-') {
                Line::Removed(body(l))
            } else if l.starts_with('+') {
                Line::Added(body(l))
            } else {
                Line::Context(body(l))
            }
        })
        .collect()
}

impl Line {
    /// The line as a unified diff writes it.
    pub(super) fn text(&self) -> String {
        match self {
            Line::Header(h) => h.clone(),
            Line::Context(t) => format!(" {t}"),
            Line::Removed(t) => format!("-{t}"),
            Line::Added(t) => format!("+{t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_kinds::{JSON_TEXT, PLAIN};
    use serde_json::json;

    fn change(path: &str, before: Value, after: Value) -> FieldDiff {
        FieldDiff {
            path: path.into(),
            before: Some(before),
            after: Some(after),
        }
    }

    #[test]
    fn short_values_stay_one_line() {
        assert_eq!(unified(&PLAIN, &change("d", json!("a"), json!("b"))), None);
        assert_eq!(unified(&PLAIN, &change("n", json!(1), json!(2))), None);
        let long = "x".repeat(LONG_TEXT_CHARS + 1);
        assert_eq!(unified(&PLAIN, &change("d", json!("a"), json!(1))), None);
        assert!(unified(&PLAIN, &change("d", json!("a"), json!(long))).is_some());
        assert!(unified(&PLAIN, &change("d", json!("a\nb"), json!("a\nc"))).is_some());
    }

    #[test]
    fn a_new_value_is_its_lines_without_headers() {
        let d = FieldDiff {
            path: "doc".into(),
            before: None,
            after: Some(json!("{\"a\": 1}")),
        };
        let lines: Vec<String> = unified(&JSON_TEXT, &d)
            .expect("a diff")
            .iter()
            .map(Line::text)
            .collect();
        assert_eq!(lines, ["+{", "+  \"a\": 1", "+}"]);
    }

    #[test]
    fn json_text_diffs_pretty_printed_in_the_new_order() {
        let d = change(
            "doc",
            json!("{\"b\": 1, \"a\": [1, 2]}"),
            json!("{\"a\":[1,3],\"b\":1}"),
        );
        let lines: Vec<String> = unified(&JSON_TEXT, &d)
            .expect("a diff")
            .iter()
            .map(Line::text)
            .collect();
        assert_eq!(
            lines,
            [
                "--- before",
                "+++ after",
                "@@ -1,7 +1,7 @@",
                " {",
                "   \"a\": [",
                "     1,",
                "-    2",
                "+    3",
                "   ],",
                "   \"b\": 1",
                " }",
            ]
        );
    }
}
