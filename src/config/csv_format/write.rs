//! Objects of one kind → CSV text, with the column rules the reader uses (the inverse of
//! `read`): for `wxcc export --format csv`. Pure: no I/O.

use serde_json::{Map, Value};

use super::columns::{Column, Scalar, Shape, columns};
use super::list::join_list;
use crate::catalogue::Kind;

/// Why a set of objects cannot be written as CSV.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsvWriteError {
    #[error("{kind} `{key}`: field `{field}` has no CSV column")]
    NoColumn {
        kind: &'static str,
        key: String,
        field: String,
    },
    #[error("{kind} `{key}`: field `{field}` holds {found}, but its column takes {expected}")]
    Mismatch {
        kind: &'static str,
        key: String,
        field: String,
        found: &'static str,
        expected: &'static str,
    },
}

/// Writes `objects` (each as config holds it: declared fields, references as keys, the
/// optional `x-wxcc` settings) as one CSV file of `kind`: a header row of the columns any
/// object uses, in the kind's column order (key first), then one row per object in the
/// order given. An absent field is an empty cell; an empty string or list is `""`; lists
/// are `;`-separated with `\;` and `\\` escapes; arrays of objects are JSON cells. Reading
/// the text back as a `kind` CSV gives the same objects.
pub fn write_csv(
    kind: &'static Kind,
    objects: &[Map<String, Value>],
) -> Result<String, CsvWriteError> {
    let columns = columns(kind);
    let mut rows: Vec<Vec<(usize, String)>> = Vec::with_capacity(objects.len());
    let mut used = vec![false; columns.list.len()];
    for object in objects {
        let key = object
            .get(kind.key)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let mut cells = Vec::new();
        flatten(kind, &key, object, "", &mut cells)?;
        for (i, _) in &cells {
            used[*i] = true;
        }
        rows.push(cells);
    }
    let shown: Vec<usize> = (0..columns.list.len()).filter(|i| used[*i]).collect();
    let mut out = String::new();
    let header: Vec<String> = shown
        .iter()
        .map(|&i| quote(&columns.list[i].path))
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for cells in rows {
        let line: Vec<&str> = shown
            .iter()
            .map(|i| {
                cells
                    .iter()
                    .find(|(c, _)| c == i)
                    .map_or("", |(_, text)| text.as_str())
            })
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The cells of one object: (column index, cell text as written, quoted where needed).
fn flatten(
    kind: &'static Kind,
    key: &str,
    map: &Map<String, Value>,
    prefix: &str,
    out: &mut Vec<(usize, String)>,
) -> Result<(), CsvWriteError> {
    let columns = columns(kind);
    for (name, value) in map {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Some(i) = columns.list.iter().position(|c| c.path == path) {
            out.push((i, cell(kind, key, &columns.list[i], value)?));
            continue;
        }
        let nested = format!("{path}.");
        match value {
            Value::Object(inner) if columns.list.iter().any(|c| c.path.starts_with(&nested)) => {
                flatten(kind, key, inner, &path, out)?;
            }
            _ => {
                return Err(CsvWriteError::NoColumn {
                    kind: kind.name,
                    key: key.to_string(),
                    field: path,
                });
            }
        }
    }
    Ok(())
}

fn found(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn scalar_text(s: Scalar, value: &Value) -> Option<String> {
    match (s, value) {
        (Scalar::Text, Value::String(t)) => Some(t.clone()),
        (Scalar::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        (Scalar::Number, Value::Number(n)) => Some(n.to_string()),
        (Scalar::Boolean, Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn cell(
    kind: &'static Kind,
    key: &str,
    column: &Column,
    value: &Value,
) -> Result<String, CsvWriteError> {
    let mismatch = || CsvWriteError::Mismatch {
        kind: kind.name,
        key: key.to_string(),
        field: column.path.clone(),
        found: found(value),
        expected: column.shape.describe(),
    };
    let text = match (column.shape, value) {
        (_, Value::Null) => return Err(mismatch()),
        (Shape::Scalar(Scalar::Text), Value::String(s)) if s.is_empty() => {
            return Ok("\"\"".to_string());
        }
        (Shape::List(_), Value::Array(items)) if items.is_empty() => {
            return Ok("\"\"".to_string());
        }
        (Shape::Scalar(s), v) => scalar_text(s, v).ok_or_else(mismatch)?,
        (Shape::List(s), Value::Array(items)) => {
            let texts = items
                .iter()
                .map(|v| scalar_text(s, v).filter(|t| !t.is_empty()))
                .collect::<Option<Vec<String>>>()
                .ok_or_else(mismatch)?;
            join_list(&texts)
        }
        (Shape::List(_), _) => return Err(mismatch()),
        (Shape::Json, v) => v.to_string(),
    };
    Ok(quote(&text))
}

/// A cell as CSV writes it: quoted when it holds a comma, a quote or a line break (or is
/// empty text, which must read back as declared).
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::read::read;
    use super::*;
    use crate::catalogue::{KINDS, TOOL_SETTINGS_KEY};
    use crate::model::Node;
    use serde_json::json;

    /// A value of each shape, chosen to need every escape.
    fn sample(shape: Shape, n: i64) -> Value {
        match shape {
            Shape::Scalar(Scalar::Text) => json!(format!("v{n}, \"quoted\"; a\\b\nline 2")),
            Shape::Scalar(Scalar::Integer) => json!(-n),
            Shape::Scalar(Scalar::Number) => {
                if n % 2 == 0 {
                    json!(n)
                } else {
                    json!(n as f64 + 0.5)
                }
            }
            Shape::Scalar(Scalar::Boolean) => json!(n % 2 == 0),
            Shape::List(Scalar::Text) => json!([format!("a{n};b"), "c\\", "d,e \"f\""]),
            Shape::List(Scalar::Integer) => json!([n, 0, -3]),
            Shape::List(Scalar::Number) => json!([1.5, n]),
            Shape::List(Scalar::Boolean) => json!([true, false]),
            Shape::Json => json!([{"k": n, "s": "x,\"y\"\n"}]),
        }
    }

    fn set(map: &mut Map<String, Value>, path: &str, value: Value) {
        match path.split_once('.') {
            None => {
                map.insert(path.to_string(), value);
            }
            Some((first, rest)) => {
                let inner = map
                    .entry(first.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = inner {
                    set(m, rest, value);
                }
            }
        }
    }

    /// Objects covering every column of a kind: one full, one sparse with empty values.
    fn objects(kind: &'static Kind) -> Vec<Map<String, Value>> {
        let cols = columns(kind);
        let mut full = Map::new();
        let mut sparse = Map::new();
        for (n, c) in cols.list.iter().enumerate() {
            if c.path == kind.key {
                set(&mut full, &c.path, json!("Key, \"one\""));
                set(&mut sparse, &c.path, json!("two"));
                continue;
            }
            set(&mut full, &c.path, sample(c.shape, n as i64));
            if n % 3 == 0 {
                let empty = match c.shape {
                    Shape::Scalar(Scalar::Text) => json!(""),
                    Shape::List(_) => json!([]),
                    other => sample(other, n as i64 + 1),
                };
                set(&mut sparse, &c.path, empty);
            }
        }
        assert!(full.contains_key(TOOL_SETTINGS_KEY));
        vec![full, sparse]
    }

    fn parse(kind: &'static Kind, text: &str) -> Vec<Value> {
        let mut diags = Vec::new();
        let mut rows: Vec<Node> = Vec::new();
        read(kind, text, 0, &mut diags, &mut |node, _| {
            rows.push(node.clone());
            None
        });
        assert!(diags.is_empty(), "{}: {diags:#?}\n{text}", kind.name);
        rows.iter().map(Node::to_json).collect()
    }

    /// A whole-number column writes whole numbers only: a fraction the tenant holds there
    /// is a mismatch to report, not a cell the reader would then refuse.
    #[test]
    fn a_whole_number_column_takes_no_fraction() {
        assert_eq!(
            scalar_text(Scalar::Integer, &json!(30)).as_deref(),
            Some("30")
        );
        assert_eq!(scalar_text(Scalar::Integer, &json!(1.5)), None);
        assert_eq!(
            scalar_text(Scalar::Number, &json!(1.5)).as_deref(),
            Some("1.5")
        );
    }

    #[test]
    fn parse_of_write_is_the_identity_for_every_kind() {
        for kind in KINDS.iter().filter(|k| k.declarable) {
            let objects = objects(kind);
            let text = write_csv(kind, &objects).unwrap_or_else(|e| panic!("{e}"));
            let back = parse(kind, &text);
            let expected: Vec<Value> = objects.into_iter().map(Value::Object).collect();
            assert_eq!(back, expected, "{}:\n{text}", kind.name);
        }
    }

    #[test]
    fn refuses_what_no_column_holds() {
        let site = Kind::named("site").expect("site");
        let err = write_csv(
            site,
            &[json!({"name": "A", "colour": "red"})
                .as_object()
                .cloned()
                .unwrap_or_default()],
        );
        assert!(
            matches!(err, Err(CsvWriteError::NoColumn { .. })),
            "{err:?}"
        );
        let err = write_csv(
            site,
            &[json!({"name": "A", "active": "yes"})
                .as_object()
                .cloned()
                .unwrap_or_default()],
        );
        assert!(
            matches!(err, Err(CsvWriteError::Mismatch { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_in_the_error() {
        let site = Kind::named("site").expect("site");
        // The error for one site whose `field` holds `value`.
        let refused = |field: &str, value: Value| {
            let mut body = Map::new();
            body.insert("name".into(), json!("A"));
            body.insert(field.into(), value);
            match write_csv(site, &[body]) {
                Err(e) => e.to_string(),
                Ok(text) => panic!("written: {text}"),
            }
        };
        for (field, value, found) in [
            ("active", json!(null), "null"),
            ("active", json!("yes"), "text"),
            ("active", json!(1), "a number"),
            ("active", json!([true]), "a list"),
            ("description", json!(true), "a boolean"),
        ] {
            let message = refused(field, value);
            assert!(
                message.starts_with(&format!(
                    "site `A`: field `{field}` holds {found}, but its column takes "
                )),
                "{message}"
            );
        }
    }

    #[test]
    fn writes_only_the_columns_used_key_first() {
        let site = Kind::named("site").expect("site");
        let text = write_csv(
            site,
            &[
                json!({"active": true, "name": "Chicago", "multimediaProfileId": "Voice"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ],
        )
        .expect("writes");
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("");
        assert!(header.starts_with("name,"), "{header}");
        assert_eq!(header.split(',').count(), 3);
    }
}
