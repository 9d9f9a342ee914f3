//! One CSV file of one kind → desired objects, each row an object whose values carry the
//! span of their cell, so that every later problem points at `file:row:col`. Header
//! problems are reported once; cell problems each at their cell; all at once.

use std::collections::HashMap;

use serde_json::{Number, Value};

use super::columns::{Column, Scalar, Shape, columns};
use super::list::split_list;
use crate::catalogue::{Kind, SERVER_OWNED};
use crate::config::suggest::did_you_mean;
use crate::model::{DesiredObject, Diagnostic, Key, Node, NodeValue, Span};

/// What a header cell became.
enum Slot {
    Column(&'static Column),
    /// A column with no header: ignored while its cells are empty.
    Blank,
    /// An unknown or repeated header, already reported.
    Refused,
}

/// Reads `text` (file `file` of the loaded sources) as a CSV of `kind` objects. Rows become
/// objects through `make`, the same function YAML objects go through.
pub(crate) fn read(
    kind: &'static Kind,
    text: &str,
    file: usize,
    diags: &mut Vec<Diagnostic>,
    make: &mut dyn FnMut(Node, &mut Vec<Diagnostic>) -> Option<DesiredObject>,
) -> Vec<DesiredObject> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut objects = Vec::new();
    let mut header: Option<Header> = None;
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(start, |p| p.byte() as usize);
                diags.push(
                    Diagnostic::error(
                        format!("CSV syntax error: {e}"),
                        span_at(text, file, at),
                        "here",
                    )
                    .with_help("fix the row; the rest of the file was not read"),
                );
                break;
            }
        }
        let cells = cell_spans(text, start, file);
        if record.iter().all(str::is_empty) {
            // Blank rows (a spreadsheet's trailing empty rows) hold nothing.
            continue;
        }
        match &mut header {
            None => header = Some(Header::read(kind, &record, &cells, diags)),
            Some(h) => {
                if let Some(node) = h.row(&record, &cells, text, diags)
                    && !h.refuse_rows
                    && let Some(object) = make(node, diags)
                {
                    objects.push(object);
                }
            }
        }
    }
    if header.is_none() {
        diags.push(
            Diagnostic::error(
                format!("this {} CSV has no header row", kind.name),
                Span {
                    file,
                    offset: 0,
                    len: 0,
                },
                "empty file",
            )
            .with_help(format!(
                "start the file with a header row naming the columns, e.g. `{}`",
                example_header(kind)
            )),
        );
    }
    objects
}

fn example_header(kind: &'static Kind) -> String {
    columns(kind)
        .list
        .iter()
        .filter(|c| c.required)
        .map(|c| c.path.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// A zero-length span at `offset` of `file`, widened to the character there.
fn span_at(text: &str, file: usize, offset: usize) -> Span {
    let offset = offset.min(text.len());
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    Span { file, offset, len }
}

/// The span of each cell of the record starting at byte `start`, quotes included. Follows
/// the CSV grammar the reader uses (RFC 4180: a quote opens a quoted cell only as its first
/// character, `""` inside one is a quote), so spans and values agree.
fn cell_spans(text: &str, start: usize, file: usize) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() && (bytes[i] == b'\n' || bytes[i] == b'\r') {
        i += 1;
    }
    let mut spans = Vec::new();
    let mut cell_start = i;
    let mut quoted = false;
    let mut at_cell_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && at_cell_start {
            quoted = true;
        } else if b == b',' {
            spans.push(Span {
                file,
                offset: cell_start,
                len: i - cell_start,
            });
            cell_start = i + 1;
            at_cell_start = true;
            i += 1;
            continue;
        } else if b == b'\n' || b == b'\r' {
            break;
        }
        at_cell_start = false;
        i += 1;
    }
    spans.push(Span {
        file,
        offset: cell_start,
        len: i - cell_start,
    });
    spans
}

/// The span of a whole row: its first cell to its last.
fn row_span(cells: &[Span]) -> Span {
    match (cells.first(), cells.last()) {
        (Some(a), Some(b)) => Span {
            file: a.file,
            offset: a.offset,
            len: b.offset + b.len - a.offset,
        },
        _ => Span::default(),
    }
}

/// The header row: which column each cell is, and whether rows can become objects.
struct Header {
    kind: &'static Kind,
    slots: Vec<Slot>,
    /// A required column is missing: rows are checked but not turned into objects (every
    /// one would lack the field; the header error says it once).
    refuse_rows: bool,
    /// Columns without a header whose cells hold something, reported once each.
    blank_reported: Vec<bool>,
}

impl Header {
    fn read(
        kind: &'static Kind,
        record: &csv::StringRecord,
        cells: &[Span],
        diags: &mut Vec<Diagnostic>,
    ) -> Header {
        let columns = columns(kind);
        let mut slots = Vec::new();
        let mut first_at: HashMap<&str, Span> = HashMap::new();
        for (i, name) in record.iter().enumerate() {
            let span = cells.get(i).copied().unwrap_or_default();
            let name = name.trim();
            if name.is_empty() {
                slots.push(Slot::Blank);
                continue;
            }
            if SERVER_OWNED.contains(&name) || kind.is_read_only(name) {
                diags.push(
                    Diagnostic::error(
                        format!("column `{name}` is a field the server owns"),
                        span,
                        "not written in config",
                    )
                    .with_help(format!(
                        "remove the column: wxcc matches rows to live objects by `{}`, and the server sets `{name}` itself",
                        kind.key
                    )),
                );
                slots.push(Slot::Refused);
                continue;
            }
            let Some(column) = columns.lookup(name) else {
                let d = Diagnostic::error(
                    format!("unknown column `{name}` for a {}", kind.name),
                    span,
                    "not a field of this kind",
                );
                diags.push(match did_you_mean(name, columns.names()) {
                    Some(s) => d.with_help(format!(
                        "did you mean `{s}`? Columns are the {}'s field names (docs/csv.md lists them)",
                        kind.name
                    )),
                    None => d.with_help(format!(
                        "columns are the {}'s field names, dotted for nested fields; docs/csv.md lists them",
                        kind.name
                    )),
                });
                slots.push(Slot::Refused);
                continue;
            };
            if let Some(first) = first_at.get(column.path.as_str()) {
                diags.push(
                    Diagnostic::error(
                        format!("column `{}` appears twice", column.path),
                        span,
                        "again here",
                    )
                    .with_related(*first, "first here")
                    .with_help("keep one of the two columns; the second is ignored"),
                );
                slots.push(Slot::Refused);
                continue;
            }
            first_at.insert(column.path.as_str(), span);
            slots.push(Slot::Column(column));
        }
        let missing: Vec<&str> = columns
            .list
            .iter()
            .filter(|c| c.required && !first_at.contains_key(c.path.as_str()))
            .map(|c| c.path.as_str())
            .collect();
        let refuse_rows = !missing.is_empty();
        if refuse_rows {
            let row = row_span(cells);
            let (what, them) = if missing.len() == 1 {
                (format!("the required column `{}`", missing[0]), "it")
            } else {
                (
                    format!(
                        "{} required columns: {}",
                        missing.len(),
                        missing
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "them",
                )
            };
            diags.push(
                Diagnostic::error(
                    format!("this {} CSV lacks {what}", kind.name),
                    row,
                    "header row",
                )
                .with_help(format!(
                    "add {them} to the header (the {} DTO requires {them} on every {}); the rows are not read until then",
                    kind.dto, kind.name
                )),
            );
        }
        let blank_reported = vec![false; slots.len()];
        Header {
            kind,
            slots,
            refuse_rows,
            blank_reported,
        }
    }

    /// One data row as an object node, or `None` when it is wrong (reported).
    fn row(
        &mut self,
        record: &csv::StringRecord,
        cells: &[Span],
        text: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Node> {
        let row_span = row_span(cells);
        if record.len() != self.slots.len() || cells.len() != record.len() {
            diags.push(
                Diagnostic::error(
                    format!(
                        "this row has {} cells but the header has {}",
                        record.len(),
                        self.slots.len()
                    ),
                    row_span,
                    "this row",
                )
                .with_help("each row needs one cell per header column; quote a value that holds a comma (\"a, b\")"),
            );
            return None;
        }
        let mut entries: Vec<(Key, Node)> = Vec::new();
        // A row with a cell that is not what its column takes is not made an object: the
        // cell's error says what is wrong, and the object would only add a second error
        // for the same cell (a required field missing).
        let mut bad = false;
        for (i, value) in record.iter().enumerate() {
            if value.is_empty() && !declared_empty(text, cells[i]) {
                continue;
            }
            let column = match &self.slots[i] {
                Slot::Column(c) => *c,
                Slot::Refused => continue,
                Slot::Blank => {
                    if !self.blank_reported[i] {
                        self.blank_reported[i] = true;
                        diags.push(
                            Diagnostic::error(
                                format!("column {} has a value but no header", i + 1),
                                cells[i],
                                "under no header",
                            )
                            .with_help("name the column in the header row, or empty its cells"),
                        );
                    }
                    continue;
                }
            };
            let Some(node) = cell_value(self.kind, column, value, cells[i], diags) else {
                bad = true;
                continue;
            };
            let segments: Vec<&str> = column.segments().collect();
            insert(&mut entries, &segments, cells[i], node);
        }
        (!bad).then_some(Node {
            span: row_span,
            value: NodeValue::Map(entries),
        })
    }
}

/// Whether an empty cell is written `""`: an empty value declared on purpose.
fn declared_empty(text: &str, cell: Span) -> bool {
    text.get(cell.offset..cell.offset + cell.len)
        .is_some_and(|raw| raw.trim() == "\"\"")
}

/// Puts `node` at a dotted path of nested maps.
fn insert(entries: &mut Vec<(Key, Node)>, segments: &[&str], span: Span, node: Node) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() {
        entries.push((
            Key {
                name: first.to_string(),
                span,
            },
            node,
        ));
        return;
    }
    let at = match entries.iter().position(|(k, _)| k.name == *first) {
        Some(at) => at,
        None => {
            entries.push((
                Key {
                    name: first.to_string(),
                    span,
                },
                Node {
                    span,
                    value: NodeValue::Map(Vec::new()),
                },
            ));
            entries.len() - 1
        }
    };
    if let NodeValue::Map(inner) = &mut entries[at].1.value {
        insert(inner, rest, span, node);
    }
}

/// The value of one non-empty (or `""`) cell, or `None` after reporting why it is wrong.
fn cell_value(
    kind: &'static Kind,
    column: &Column,
    value: &str,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let node = |value| Node { span, value };
    if value.is_empty() {
        return match column.shape {
            Shape::Scalar(Scalar::Text) => Some(node(NodeValue::String(String::new()))),
            Shape::List(_) => Some(node(NodeValue::List(Vec::new()))),
            shape => {
                diags.push(
                    Diagnostic::error(
                        format!(
                            "`\"\"` declares an empty value, but `{}` takes {}",
                            column.path,
                            shape.describe()
                        ),
                        span,
                        "empty value",
                    )
                    .with_help(
                        "leave the cell empty (no quotes) to leave the field as the tenant has it",
                    ),
                );
                None
            }
        };
    }
    match column.shape {
        Shape::Scalar(s) => scalar_value(s, value)
            .map(node)
            .map_err(|expected| bad_cell(kind, column, value, span, expected, diags))
            .ok(),
        Shape::List(s) => {
            let mut items = Vec::new();
            let mut ok = true;
            match split_list(value) {
                Ok(parts) => {
                    for part in parts {
                        match scalar_value(s, &part) {
                            Ok(v) => items.push(node(v)),
                            Err(expected) => {
                                ok = false;
                                bad_cell(kind, column, &part, span, expected, diags);
                            }
                        }
                    }
                }
                Err(problem) => {
                    ok = false;
                    diags.push(
                        Diagnostic::error(
                            format!("`{}`: {problem}", column.path),
                            span,
                            "list",
                        )
                        .with_help("separate list items with `;`; write `\\;` for a `;` inside an item and `\\\\` for a backslash"),
                    );
                }
            }
            ok.then(|| node(NodeValue::List(items)))
        }
        Shape::Json => match serde_json::from_str::<Value>(value) {
            Ok(v) => Some(json_node(&v, span)),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        format!("`{}` holds JSON, and this cell is not JSON: {e}", column.path),
                        span,
                        "not JSON",
                    )
                    .with_help(format!(
                        "write the value as JSON, e.g. `[{{\"field\": 1}}]`; docs/csv.md shows {} examples",
                        kind.name
                    )),
                );
                None
            }
        },
    }
}

fn bad_cell(
    kind: &'static Kind,
    column: &Column,
    value: &str,
    span: Span,
    expected: &'static str,
    diags: &mut Vec<Diagnostic>,
) {
    let shown: String = value.chars().take(40).collect();
    diags.push(
        Diagnostic::error(
            format!(
                "`{}` of a {} takes {expected}; found `{shown}`",
                column.path, kind.name
            ),
            span,
            format!("not {expected}"),
        )
        .with_help(format!(
            "write {expected} here, or leave the cell empty to leave the field as the tenant has it"
        )),
    );
}

/// A cell's text as a value of type `s`, or what was expected.
pub(super) fn scalar_value(s: Scalar, text: &str) -> Result<NodeValue, &'static str> {
    match s {
        Scalar::Text => Ok(NodeValue::String(text.to_string())),
        Scalar::Integer => text
            .trim()
            .parse::<i64>()
            .map(|n| NodeValue::Number(n.into()))
            .map_err(|_| "a whole number"),
        Scalar::Number => {
            let t = text.trim();
            if let Ok(n) = t.parse::<i64>() {
                return Ok(NodeValue::Number(n.into()));
            }
            t.parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(NodeValue::Number)
                .ok_or("a number")
        }
        Scalar::Boolean => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(NodeValue::Bool(true)),
            t if t.eq_ignore_ascii_case("false") => Ok(NodeValue::Bool(false)),
            _ => Err("true or false"),
        },
    }
}

/// A JSON value as a node, every part at the cell's span.
fn json_node(value: &Value, span: Span) -> Node {
    let value = match value {
        Value::Null => NodeValue::Null,
        Value::Bool(b) => NodeValue::Bool(*b),
        Value::Number(n) => NodeValue::Number(n.clone()),
        Value::String(s) => NodeValue::String(s.clone()),
        Value::Array(items) => NodeValue::List(items.iter().map(|v| json_node(v, span)).collect()),
        Value::Object(map) => NodeValue::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.clone(),
                            span,
                        },
                        json_node(v, span),
                    )
                })
                .collect(),
        ),
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(text: &str, start: usize) -> Vec<&str> {
        cell_spans(text, start, 0)
            .into_iter()
            .map(|s| &text[s.offset..s.offset + s.len])
            .collect()
    }

    #[test]
    fn cell_spans_cover_quoted_cells_and_stop_at_the_row_end() {
        let text = "a,\"b,\"\"c\"\"\nd\",,e\r\nnext";
        assert_eq!(slices(text, 0), vec!["a", "\"b,\"\"c\"\"\nd\"", "", "e"]);
        assert_eq!(slices(text, text.find("next").unwrap_or(0)), vec!["next"]);
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_text() {
        assert_eq!(slices("ab\"c,d\n", 0), vec!["ab\"c", "d"]);
    }
}
