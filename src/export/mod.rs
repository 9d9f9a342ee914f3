//! `wxcc export`: live objects → config files in exactly the format `validate` and `plan`
//! read. Two steps: each kind's live objects become *rows of config values* (ids replaced
//! by keys at every reference, server-owned fields and the server's defaults left out,
//! fields in the DTO's order), then a serializer writes the rows as files (YAML here; a
//! further format is one more serializer over the same rows). Every rule is catalogue data
//! (`Kind::export`, references, read-only fields); nothing here is per kind. Pure: no I/O.

mod manifest;
mod yaml;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::catalogue::{
    DtoSchemas, FieldPath, KINDS, Kind, SERVER_OWNED, TEXT_FILE_KEY, TOOL_SETTINGS_KEY,
};
use crate::model::{KeyIndex, Live, LiveObject};

pub use manifest::{MANIFEST, WriteError, Written, check_folder, write_export};

/// The modeline every exported YAML file starts with; the schema is written beside them.
pub const SCHEMA_FILE: &str = "wxcc.schema.json";

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// The kinds to write (every declarable kind when empty).
    pub kinds: Vec<&'static Kind>,
    /// Objects left out, as (kind, key).
    pub exclude: Vec<(&'static str, String)>,
    /// Write JSON documents (desktop layouts) to files beside the YAML (`{file: PATH}`)
    /// instead of inline strings.
    pub json_files: bool,
    /// Fields (catalogue paths, `timezone`, `outdialANIEntries[].number`) whose values are
    /// per org: each value is replaced by a `${var.NAME}` placeholder and kept in
    /// [`Exported::vars`].
    pub lift: Vec<String>,
    /// The file format of the objects: YAML, or CSV (`--format csv`).
    pub format: FileFormat,
}

/// How export writes a kind's objects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileFormat {
    #[default]
    Yaml,
    /// One `<kind>.csv` per kind, read back by `config`'s CSV loader (docs/csv.md). A kind
    /// whose objects a CSV cannot hold is written as YAML instead, and said so.
    Csv,
}

/// One object's config values, in key space.
#[derive(Clone, Debug)]
pub struct Row {
    /// The key export names the object by (`Site/Name` where a scoped name is shared).
    pub key: String,
    /// The live object's id.
    pub id: String,
    pub body: Map<String, Value>,
}

/// A file export writes beside the YAML (an upload, a JSON document).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Relative to the export folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// An id export could not replace by a key: a reference whose target is not in the org,
/// or a field holding an id from outside the configuration API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawId {
    pub kind: &'static str,
    pub key: String,
    /// Field path in the object (JSON pointer).
    pub field: String,
    pub id: String,
}

/// One kind's rows, sorted by key, with the files they use.
#[derive(Clone, Debug)]
pub struct KindRows {
    pub kind: &'static Kind,
    pub rows: Vec<Row>,
    pub attachments: Vec<Attachment>,
}

/// Everything an export produces.
#[derive(Clone, Debug, Default)]
pub struct Exported {
    /// Every file, relative path → content, in path order.
    pub files: BTreeMap<String, Vec<u8>>,
    pub raw_ids: Vec<RawId>,
    /// Objects written.
    pub objects: usize,
    /// System defaults left out (the target org has its own).
    pub system_defaults: usize,
    /// The values lifted out of the files, by placeholder name.
    pub vars: BTreeMap<String, Value>,
    /// Kinds asked for as CSV but written as YAML, with the reason.
    pub csv_fallbacks: Vec<(&'static str, String)>,
}

/// The content of stored files (audio), by (kind name, object id).
pub type StoredFiles = HashMap<(&'static str, String), Vec<u8>>;

/// The kinds an export writes when none are chosen: every kind config may declare.
pub fn default_kinds() -> Vec<&'static Kind> {
    KINDS.iter().filter(|k| k.declarable).collect()
}

/// Builds the rows of every chosen kind from live state (which must hold the whole objects
/// of those kinds and of every kind they reference).
pub fn rows(
    live: &Live,
    stored: &StoredFiles,
    options: &ExportOptions,
) -> (Vec<KindRows>, Exported) {
    let index = KeyIndex::from_live(live);
    let kinds = if options.kinds.is_empty() {
        default_kinds()
    } else {
        options.kinds.clone()
    };
    let mut summary = Exported::default();
    let mut out = Vec::new();
    for kind in kinds.into_iter().filter(|k| k.declarable) {
        let mut rows = Vec::new();
        for object in live.of_kind(kind.name) {
            if object.is_system_default() {
                summary.system_defaults += 1;
                continue;
            }
            let key = index
                .key_of(kind.name, &object.id)
                .map(str::to_string)
                .or_else(|| object.key.clone())
                .unwrap_or_else(|| object.id.clone());
            if options
                .exclude
                .iter()
                .any(|(k, x)| *k == kind.name && (*x == key || object.key.as_deref() == Some(x)))
            {
                continue;
            }
            let body = config_values(kind, object, &key, &index, &mut summary.raw_ids);
            rows.push(Row {
                key,
                id: object.id.clone(),
                body,
            });
        }
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        for row in &mut rows {
            escape_placeholders(&mut row.body);
            lift_values(kind, row, &options.lift, &mut summary.vars);
        }
        let attachments = attach_files(kind, &mut rows, stored, options);
        summary.objects += rows.len();
        out.push(KindRows {
            kind,
            rows,
            attachments,
        });
    }
    summary
        .raw_ids
        .sort_by(|a, b| (a.kind, &a.key, &a.field).cmp(&(b.kind, &b.key, &b.field)));
    (out, summary)
}

/// Exports live state: the rows of every chosen kind written as YAML (or CSV), one file per
/// kind, with their attachments and the editor schema.
pub fn export(live: &Live, stored: &StoredFiles, options: &ExportOptions) -> Exported {
    let (kinds, mut exported) = rows(live, stored, options);
    for k in kinds {
        if k.rows.is_empty() {
            continue;
        }
        let csv = match options.format {
            FileFormat::Yaml => None,
            FileFormat::Csv => {
                let bodies: Vec<Map<String, Value>> =
                    k.rows.iter().map(|r| r.body.clone()).collect();
                match crate::config::write_csv(k.kind, &bodies) {
                    Ok(text) => Some(text),
                    Err(e) => {
                        exported.csv_fallbacks.push((k.kind.name, e.to_string()));
                        None
                    }
                }
            }
        };
        match csv {
            Some(text) => exported
                .files
                .insert(format!("{}.csv", k.kind.name), text.into_bytes()),
            None => exported
                .files
                .insert(format!("{}.yaml", k.kind.name), yaml_file(&k).into_bytes()),
        };
        for a in k.attachments {
            exported.files.insert(a.path, a.bytes);
        }
    }
    if !exported.files.is_empty()
        && let Ok(schema) = crate::catalogue::editor_schema_text()
    {
        exported
            .files
            .insert(SCHEMA_FILE.to_string(), schema.into_bytes());
    }
    exported
}

/// The YAML serializer: one kind's rows as a config file.
pub fn yaml_file(k: &KindRows) -> String {
    let mut out = format!("# yaml-language-server: $schema={SCHEMA_FILE}\n");
    let bodies: Vec<Map<String, Value>> = k.rows.iter().map(|r| r.body.clone()).collect();
    yaml::section(&mut out, k.kind.name, &bodies);
    out
}

/// One live object as config values: the request DTO's fields only, less what the server
/// owns or defaults, ids replaced by keys, unordered lists sorted, fields in DTO order
/// with the key first.
fn config_values(
    kind: &'static Kind,
    object: &LiveObject,
    key: &str,
    index: &KeyIndex,
    raw_ids: &mut Vec<RawId>,
) -> Map<String, Value> {
    let schemas = DtoSchemas::get();
    let mut body = object.body.clone();
    body.remove(TOOL_SETTINGS_KEY);
    schemas.retain_declared(kind.dto, &mut body);
    let mut value = Value::Object(body);
    drop_server_owned(kind, &mut value, "");
    for path in kind.read_only.iter().chain(kind.export.omit) {
        remove_path(&mut value, path);
    }
    if let Some(upload) = kind.upload {
        remove_path(&mut value, upload.file);
    }
    for reference in kind.references {
        FieldPath::parse(reference.field).visit_mut(&mut value, &mut |pointer, v| {
            if let Value::String(id) = v {
                match index.key_of(&reference.index_name(), id) {
                    Some(k) => *v = Value::String(k.to_string()),
                    None => raw_ids.push(RawId {
                        kind: kind.name,
                        key: key.to_string(),
                        field: pointer.to_string(),
                        id: id.clone(),
                    }),
                }
            }
        });
    }
    for path in kind.export.outside_ids {
        FieldPath::parse(path).visit(&value, &mut |pointer, v| {
            if let Some(id) = v.as_str() {
                raw_ids.push(RawId {
                    kind: kind.name,
                    key: key.to_string(),
                    field: pointer.to_string(),
                    id: id.to_string(),
                });
            }
        });
    }
    let Value::Object(mut body) = value else {
        return Map::new();
    };
    drop_defaults(kind, &mut body);
    schemas.order_declared(kind.dto, &mut body);
    // Sorted once fields are in DTO order, so the same entries sort the same in any org.
    let mut value = Value::Object(body);
    for path in kind.unordered {
        FieldPath::parse(path).visit_mut(&mut value, &mut |_, v| {
            if let Value::Array(items) = v {
                items.sort_by_key(|item| item.to_string());
            }
        });
    }
    let Value::Object(mut body) = value else {
        return Map::new();
    };
    // Keyed lists are matched by key, never by position, and the server may return them
    // in any order (docs/api-notes.md §1.6): sorted by key.
    for list in kind.keyed_lists {
        if let Some(Value::Array(items)) = body.get_mut(list.field) {
            items.sort_by_key(|item| match item.get(list.key) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            });
        }
    }
    // The key first, as a person writes it.
    let mut ordered = Map::new();
    if let Some(k) = body.remove(kind.key) {
        ordered.insert(kind.key.to_string(), k);
    }
    ordered.extend(body);
    ordered
}

/// Writes every `${` in live text as `$${`, so that loading the export gives back the
/// text itself instead of reading it as a placeholder (docs/environments.md).
fn escape_placeholders(body: &mut Map<String, Value>) {
    fn walk(value: &mut Value) {
        match value {
            Value::String(s) if s.contains("${") => *s = s.replace("${", "$${"),
            Value::Array(items) => items.iter_mut().for_each(walk),
            Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    body.values_mut().for_each(walk);
}

/// Replaces the scalar values at the lifted fields with `${var.NAME}` placeholders,
/// NAME made of the kind, the object's key and the field's place
/// (`entry_point_Main_Line_timezone`), unique across the export.
fn lift_values(kind: &Kind, row: &mut Row, lift: &[String], vars: &mut BTreeMap<String, Value>) {
    let mut value = Value::Object(std::mem::take(&mut row.body));
    for path in lift {
        FieldPath::parse(path).visit_mut(&mut value, &mut |pointer, v| {
            if !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                return;
            }
            let base = var_name(&format!("{}_{}_{}", kind.name, row.key, pointer));
            let mut name = base.clone();
            let mut n = 1;
            while vars.contains_key(&name) {
                n += 1;
                name = format!("{base}_{n}");
            }
            let lifted = std::mem::replace(v, Value::String(format!("${{var.{name}}}")));
            vars.insert(name, lifted);
        });
    }
    if let Value::Object(body) = value {
        row.body = body;
    }
}

/// A placeholder name (`[A-Za-z_][A-Za-z0-9_]*`): other characters become `_`, runs of
/// `_` one, and a leading digit gets a `_` before it.
pub fn var_name(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let out = out.trim_matches('_').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

/// The vars file of lifted values: a YAML mapping `NAME: value`, sorted by name.
pub fn vars_file(vars: &BTreeMap<String, Value>) -> String {
    let mut out = String::from(
        "# Values `wxcc export --lift` took out of this org's config; the files name them\n# `${var.NAME}`. Another org gets its own copy of this file with its own values.\n",
    );
    yaml::mapping(&mut out, vars);
    out
}

/// Removes, at every depth, the fields the server owns (`id`, `version` …) except where
/// the catalogue says the field is a reference (`resourceCollections[].id`).
fn drop_server_owned(kind: &Kind, value: &mut Value, path: &str) {
    match value {
        Value::Object(map) => {
            map.retain(|field, _| {
                let here = join(path, field);
                !SERVER_OWNED.contains(&field.as_str()) || kind.reference(&here).is_some()
            });
            for (field, v) in map.iter_mut() {
                drop_server_owned(kind, v, &join(path, field));
            }
        }
        Value::Array(items) => {
            let here = format!("{path}[]");
            for item in items {
                drop_server_owned(kind, item, &here);
            }
        }
        _ => {}
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Removes the field a catalogue path names (`enumSkillValues[].skillId`, `siteName`).
fn remove_path(value: &mut Value, path: &str) {
    let (parent, leaf) = match path.rsplit_once('.') {
        Some((parent, leaf)) => (Some(parent), leaf),
        None => (None, path),
    };
    let mut remove = |_: &str, v: &mut Value| {
        if let Value::Object(map) = v {
            map.remove(leaf);
        }
    };
    match parent {
        Some(parent) => FieldPath::parse(parent).visit_mut(value, &mut remove),
        None => remove("", value),
    }
}

/// Leaves out what the server would store anyway: absent-equivalent nulls, and the
/// kind's catalogued defaults. A field the DTO requires always stays.
fn drop_defaults(kind: &Kind, body: &mut Map<String, Value>) {
    let required: Vec<&str> = DtoSchemas::get()
        .dto(kind.dto)
        .map(|d| d.required().collect())
        .unwrap_or_default();
    body.retain(|field, v| {
        if required.contains(&field.as_str()) || field == kind.key {
            return true;
        }
        if v.is_null() {
            return false;
        }
        !kind.export.defaults.iter().any(|(f, text)| {
            f == field && serde_json::from_str::<Value>(text).is_ok_and(|d| &d == v)
        })
    });
}

/// Moves uploaded files and JSON documents out of the rows into files under the kind's
/// folder, and points the rows at them. File names come from keys, made safe and unique.
fn attach_files(
    kind: &'static Kind,
    rows: &mut [Row],
    stored: &StoredFiles,
    options: &ExportOptions,
) -> Vec<Attachment> {
    let mut out = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for row in rows.iter_mut() {
        if let Some(parts) = kind.upload
            && let Some(bytes) = stored.get(&(kind.name, row.id.clone()))
        {
            let path = unique_path(kind.export.folder, &row.key, "", &mut taken);
            insert_after_key(kind, &mut row.body, parts.file, Value::String(path.clone()));
            out.push(Attachment {
                path,
                bytes: bytes.clone(),
            });
        }
        if options.json_files {
            for text in kind.text_fields.iter().filter(|t| t.json) {
                if let Some(a) = json_to_file(kind, text.field, row, &mut taken) {
                    out.push(a);
                }
            }
        }
    }
    out
}

/// The layout-to-file step: a string field holding JSON written pretty-printed (2-space
/// indent, key order kept) to `<folder>/<key>.json`, the field becoming `{file: PATH}`.
/// A value that is not JSON stays inline.
fn json_to_file(
    kind: &Kind,
    field: &str,
    row: &mut Row,
    taken: &mut Vec<String>,
) -> Option<Attachment> {
    let text = row.body.get(field)?.as_str()?;
    let document: Value = serde_json::from_str(text).ok()?;
    let mut pretty = serde_json::to_string_pretty(&document).ok()?;
    pretty.push('\n');
    let path = unique_path(kind.export.folder, &row.key, ".json", taken);
    let mut reference = Map::new();
    reference.insert(TEXT_FILE_KEY.into(), Value::String(path.clone()));
    row.body.insert(field.to_string(), Value::Object(reference));
    Some(Attachment {
        path,
        bytes: pretty.into_bytes(),
    })
}

/// Inserts a field right after the key (where a person writes the file of an upload).
fn insert_after_key(kind: &Kind, body: &mut Map<String, Value>, field: &str, value: Value) {
    let rest: Vec<(String, Value)> = std::mem::take(body).into_iter().collect();
    for (k, v) in rest {
        let is_key = k == kind.key;
        body.insert(k, v);
        if is_key {
            body.insert(field.to_string(), value.clone());
        }
    }
    body.entry(field.to_string()).or_insert(value);
}

/// `folder/<safe key><ext>`: characters other than letters, digits, `.`, `-` and `_`
/// become `_`, a name that would hide or climb (`.`, `..`, a leading dot) gets a `_`
/// first, and a name already taken gets `-2`, `-3` … before its extension.
pub fn unique_path(folder: &str, key: &str, ext: &str, taken: &mut Vec<String>) -> String {
    let mut stem: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        stem.insert(0, '_');
    }
    let (base, own_ext) = match (ext.is_empty(), stem.rfind('.')) {
        (true, Some(i)) if i > 0 => (stem[..i].to_string(), stem[i..].to_string()),
        _ => (stem.clone(), ext.to_string()),
    };
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{base}{own_ext}")
        } else {
            format!("{base}-{n}{own_ext}")
        };
        let path = if folder.is_empty() {
            name
        } else {
            format!("{folder}/{name}")
        };
        if !taken.iter().any(|t| t.eq_ignore_ascii_case(&path)) {
            taken.push(path.clone());
            return path;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_text_that_looks_like_a_placeholder_is_escaped() {
        let mut body = Map::new();
        body.insert(
            "description".into(),
            Value::String("a ${var.x} and $${y}".into()),
        );
        body.insert(
            "list".into(),
            serde_json::json!([{"v": "${env.HOME}"}, 3, "plain"]),
        );
        escape_placeholders(&mut body);
        assert_eq!(body["description"], "a $${var.x} and $$${y}");
        assert_eq!(
            body["list"],
            serde_json::json!([{"v": "$${env.HOME}"}, 3, "plain"])
        );
    }

    #[test]
    fn file_names_are_safe_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(
            unique_path("audio", "welcome.wav", "", &mut taken),
            "audio/welcome.wav"
        );
        assert_eq!(
            unique_path("audio", "welcome.wav", "", &mut taken),
            "audio/welcome-2.wav"
        );
        assert_eq!(
            unique_path("audio", "../etc/x", "", &mut taken),
            "audio/_.._etc_x"
        );
        assert_eq!(
            unique_path("layouts", "Über Layout", ".json", &mut taken),
            "layouts/_ber_Layout.json"
        );
        assert_eq!(
            unique_path("layouts", "..", ".json", &mut taken),
            "layouts/_...json"
        );
        assert_eq!(
            unique_path("layouts", "A/B", ".json", &mut taken),
            "layouts/A_B.json"
        );
        assert_eq!(
            unique_path("layouts", "a_b", ".json", &mut taken),
            "layouts/a_b-2.json"
        );
    }

    #[test]
    fn var_names_are_placeholder_names() {
        assert_eq!(
            var_name("entry-point_Main Line_/timezone"),
            "entry_point_Main_Line_timezone"
        );
        assert_eq!(
            var_name("dial-number_+13125550101_/dialledNumber"),
            "dial_number_13125550101_dialledNumber"
        );
        assert_eq!(var_name("1x"), "_1x");
        assert_eq!(var_name("Zürich"), "Z_rich");
    }
}
