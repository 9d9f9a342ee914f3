//! String fields taken from a file beside the YAML: `jsonFileContent: {file: layouts/x.json}`.
//! Which fields may do so, and whether they hold JSON, is catalogue data
//! (`Kind::text_fields`); the path is read as untrusted input exactly like an upload's
//! (`upload::read_confined`), must be UTF-8, and must parse when the field holds JSON. The
//! file's text replaces the mapping, so everything after loading sees a plain string.

use std::path::Path;

use serde_json::Value;

use super::upload::{Confined, read_confined};
use crate::catalogue::{Kind, TEXT_FILE_KEY as FILE_KEY};
use crate::model::{DesiredObject, Diagnostic, Node, NodeValue};
use crate::regular_file::describe_size;

/// Replaces each `{file: PATH}` mapping among the object's top-level fields by the file's
/// text. `dir` is the folder of the YAML file (paths are relative to it); `root` the
/// canonical config folder no path may leave.
pub(super) fn read_text_files(
    object: &mut DesiredObject,
    dir: &Path,
    root: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    let kind = object.kind;
    let NodeValue::Map(entries) = &mut object.node.value else {
        return;
    };
    for (key, node) in entries.iter_mut() {
        let NodeValue::Map(inner) = &node.value else {
            continue;
        };
        let names_file = inner.iter().any(|(k, _)| k.name == FILE_KEY);
        let Some(text_field) = kind.text_field(&key.name) else {
            if names_file {
                diags.push(not_from_file(kind, &key.name, node));
            }
            continue;
        };
        let path = match inner.as_slice() {
            [(k, v)] if k.name == FILE_KEY => v,
            _ => {
                diags.push(
                    Diagnostic::error(
                        format!(
                            "`{}` is text, or `{{{FILE_KEY}: PATH}}` to read it from a file",
                            key.name
                        ),
                        node.span,
                        "not a string or `{file: PATH}`",
                    )
                    .with_help(format!(
                        "write `{}: {{{FILE_KEY}: layouts/NAME.json}}`, the path relative to this YAML file, and nothing else in the mapping",
                        key.name
                    )),
                );
                continue;
            }
        };
        let Some(relative) = path.as_str() else {
            diags.push(Diagnostic::error(
                format!("`{FILE_KEY}` must be a file path"),
                path.span,
                format!("found {}", path.type_name()),
            ));
            continue;
        };
        let field = key.name.as_str();
        let read = read_confined(
            Confined {
                field,
                relative,
                dir,
                root,
                max_bytes: text_field.max_bytes,
                span: path.span,
                example: "layouts/layout.json",
            },
            |cap| {
                format!(
                    "`{field}` files are at most {}; the file is too large to be a {} `{field}`",
                    describe_size(cap),
                    kind.name
                )
            },
        );
        let bytes = match read {
            Ok((_, bytes)) => bytes,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        format!(
                            "`{relative}` is not UTF-8 text (bad byte at offset {})",
                            e.utf8_error().valid_up_to()
                        ),
                        path.span,
                        "not UTF-8",
                    )
                    .with_help("re-save the file as UTF-8"),
                );
                continue;
            }
        };
        if text_field.json
            && let Err(e) = serde_json::from_str::<Value>(&text)
        {
            diags.push(
                Diagnostic::error(
                    format!("`{relative}` is not valid JSON: {e}"),
                    path.span,
                    "not JSON",
                )
                .with_help(format!(
                    "`{field}` holds a JSON document; fix the file (the line and column are in the file)"
                )),
            );
            continue;
        }
        object
            .body
            .insert(key.name.clone(), Value::String(text.clone()));
        node.value = NodeValue::String(text);
    }
}

/// A `{file: …}` mapping on a field that does not take one.
fn not_from_file(kind: &Kind, field: &str, node: &Node) -> Diagnostic {
    let takes: Vec<String> = kind
        .text_fields
        .iter()
        .map(|t| format!("`{}`", t.field))
        .collect();
    let help = if takes.is_empty() {
        format!(
            "no field of a {} is read from a file; write the value itself",
            kind.name
        )
    } else {
        format!(
            "only {} of a {} may be read from a file; write the value of `{field}` itself",
            takes.join(", "),
            kind.name
        )
    };
    Diagnostic::error(
        format!("`{field}` cannot be read from a file"),
        node.span,
        "`{file: …}` is not allowed here",
    )
    .with_help(help)
}
