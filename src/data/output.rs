//! Output rows of the data commands: records (JSON objects as the API returned them)
//! rendered as a terminal table, CSV (nested objects flattened into dotted columns, epoch
//! times as RFC 3339), a JSON array or JSON lines. Whole output is built before any of it
//! is written, so a failed run never leaves half a file that looks complete.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::time::show;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Jsonl,
}

/// Fields holding epoch milliseconds, shown as RFC 3339 in tables and CSV.
fn is_time_field(column: &str) -> bool {
    let last = column.rsplit('.').next().unwrap_or(column);
    last.ends_with("Time") || last == "createdTime"
}

/// One record flattened: `{a: {b: 1}}` → `a.b = 1`; a list of `{name, value}` pairs (search
/// aggregations) → one column per name (`aggregation.Total Calls`); arrays of scalars
/// joined with `;`; other arrays of objects kept as JSON text.
pub fn flatten(record: &Map<String, Value>) -> IndexMap<String, Value> {
    let mut out = IndexMap::new();
    flatten_into("", record, &mut out);
    out
}

fn flatten_into(prefix: &str, record: &Map<String, Value>, out: &mut IndexMap<String, Value>) {
    for (k, v) in record {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(m) => flatten_into(&key, m, out),
            Value::Array(items) if !items.is_empty() && items.iter().all(is_name_value) => {
                for item in items {
                    let name = item.get("name").map(|n| match n {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    out.insert(
                        format!("{key}.{}", name.unwrap_or_default()),
                        item.get("value").cloned().unwrap_or(Value::Null),
                    );
                }
            }
            other => {
                out.insert(key, other.clone());
            }
        }
    }
}

fn is_name_value(item: &Value) -> bool {
    item.as_object()
        .is_some_and(|o| o.len() == 2 && o.contains_key("name") && o.contains_key("value"))
}

fn cell(column: &str, value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => clean(s),
        Value::Number(n) if is_time_field(column) => match n.as_i64() {
            Some(ms) if ms > 0 => show(ms),
            _ => n.to_string(),
        },
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{}", (f * 100.0).round() / 100.0),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| cell(column, i))
            .collect::<Vec<_>>()
            .join(";"),
        other => clean(&other.to_string()),
    }
}

/// Text from the server with control characters removed (it is untrusted).
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// The columns of `records` (union, in order of first appearance), restricted to
/// `preferred` when given (for tables, which must fit a terminal).
fn columns(flat: &[IndexMap<String, Value>], preferred: Option<&[&str]>) -> Vec<String> {
    match preferred {
        Some(list) => list.iter().map(|c| c.to_string()).collect(),
        None => {
            let mut seen: IndexMap<String, ()> = IndexMap::new();
            for row in flat {
                for k in row.keys() {
                    seen.entry(k.clone()).or_insert(());
                }
            }
            seen.into_keys().collect()
        }
    }
}

/// Renders `records`. `table_columns` chooses the columns a table shows (CSV shows all).
pub fn render(
    records: &[Map<String, Value>],
    format: Format,
    table_columns: &[&str],
) -> Result<String, String> {
    match format {
        Format::Json => serde_json::to_string_pretty(records)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
        Format::Jsonl => {
            let mut out = String::new();
            for r in records {
                out.push_str(&serde_json::to_string(r).map_err(|e| e.to_string())?);
                out.push('\n');
            }
            Ok(out)
        }
        Format::Csv => {
            let flat: Vec<_> = records.iter().map(flatten).collect();
            // With no records there is nothing to take columns from: the header is the
            // table's columns, or nothing (an empty record would be written as `""`).
            let cols = match flat.is_empty() {
                true => columns(&flat, Some(table_columns)),
                false => columns(&flat, None),
            };
            if cols.is_empty() {
                return Ok(String::new());
            }
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&cols).map_err(|e| e.to_string())?;
            for row in &flat {
                w.write_record(
                    cols.iter()
                        .map(|c| row.get(c).map(|v| cell(c, v)).unwrap_or_default()),
                )
                .map_err(|e| e.to_string())?;
            }
            let bytes = w.into_inner().map_err(|e| e.to_string())?;
            String::from_utf8(bytes).map_err(|e| e.to_string())
        }
        Format::Table => {
            let flat: Vec<_> = records.iter().map(flatten).collect();
            let cols = columns(&flat, (!table_columns.is_empty()).then_some(table_columns));
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(cols.iter().map(|c| c.as_str()));
            for row in &flat {
                table.add_row(
                    cols.iter()
                        .map(|c| row.get(c).map(|v| cell(c, v)).unwrap_or_default()),
                );
            }
            Ok(format!(
                "{table}\n{} row{}\n",
                records.len(),
                if records.len() == 1 { "" } else { "s" }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn csv_flattens_nested_objects_and_formats_times() {
        let records = vec![
            rec(
                json!({"id": "a", "attributes": {"queue": {"name": "Q, 1"}, "createdTime": 1793491200000_i64}}),
            ),
            rec(
                json!({"id": "b", "extra": [1, 2], "attributes": {"queue": {"name": "Q2\u{1b}[31m"}}}),
            ),
        ];
        let out = render(&records, Format::Csv, &[]).unwrap();
        assert_eq!(
            out,
            "id,attributes.queue.name,attributes.createdTime,extra\n\
             a,\"Q, 1\",2026-11-01T00:00:00Z,\n\
             b,Q2[31m,,1;2\n"
        );
    }

    #[test]
    fn json_keeps_records_as_returned() {
        let records = vec![rec(json!({"id": "a", "n": {"x": 1}}))];
        assert_eq!(
            render(&records, Format::Jsonl, &[]).unwrap(),
            "{\"id\":\"a\",\"n\":{\"x\":1}}\n"
        );
        let parsed: Value =
            serde_json::from_str(&render(&records, Format::Json, &[]).unwrap()).unwrap();
        assert_eq!(parsed, json!([{"id": "a", "n": {"x": 1}}]));
    }

    #[test]
    fn tables_show_the_chosen_columns_and_a_count() {
        let records = vec![rec(json!({"id": "a", "hidden": 1, "avg": 1.23456}))];
        let out = render(&records, Format::Table, &["id", "avg"]).unwrap();
        assert!(out.contains("1.23") && !out.contains("1.234"), "{out}");
        assert!(!out.contains("hidden"), "{out}");
        assert!(out.ends_with("1 row\n"), "{out}");
    }
}
