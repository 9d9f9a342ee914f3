//! Reads a config file or folder into desired objects. Structural problems (YAML syntax,
//! unknown kinds, objects without a key, duplicate keys, bad `x-wxcc` settings) become
//! diagnostics; loading goes on past them so that every problem is reported at once.

use std::path::{Path, PathBuf};

use serde_json::Map;

use super::suggest::did_you_mean;
use super::yaml;
use crate::catalogue::{Kind, TOOL_SETTINGS_KEY, kind_names};
use crate::model::{
    Desired, DesiredObject, Diagnostic, Node, NodeValue, SmokeSettings, Span, ToolSettings, Upload,
    content_digest,
};

/// One loaded file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// The files a config was read from; spans index into this list.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    /// `file:line:col` of a span, 1-based, columns in characters.
    pub fn location(&self, span: Span) -> String {
        let Some(file) = self.files.get(span.file) else {
            return "?".into();
        };
        let before = &file.text[..span.offset.min(file.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        format!("{}:{line}:{col}", file.path.display())
    }
}

/// The result of loading: the objects found and the problems met.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Sources,
    pub desired: Desired,
    pub diagnostics: Vec<Diagnostic>,
}

/// Errors that stop loading before any file is read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} holds no .yaml or .yml files")]
    Empty { path: PathBuf },
}

/// Loads a YAML file, or every `*.yaml`/`*.yml` under a folder (sorted, hidden entries
/// skipped), into desired objects.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let files = collect_files(path)?;
    if files.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut loaded = Loaded::default();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| LoadError::Read {
            path: file.clone(),
            source,
        })?;
        let index = loaded.sources.files.len();
        loaded.sources.files.push(SourceFile { path: file, text });
        let text = &loaded.sources.files[index].text;
        match yaml::parse(text) {
            Ok(mut node) => {
                node.set_file(index);
                let first = loaded.desired.objects.len();
                read_document(&node, &mut loaded.desired, &mut loaded.diagnostics);
                let dir = loaded.sources.files[index]
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                for object in &mut loaded.desired.objects[first..] {
                    read_uploads(object, &dir, &mut loaded.diagnostics);
                }
            }
            Err(e) => {
                let offset = e.offset.unwrap_or(0).min(text.len());
                let len = text[offset..]
                    .chars()
                    .next()
                    .map(char::len_utf8)
                    .unwrap_or(0);
                loaded.diagnostics.push(
                    Diagnostic::error(
                        format!("YAML syntax error: {}", e.message),
                        Span {
                            file: index,
                            offset,
                            len,
                        },
                        "here",
                    )
                    .with_help("fix the YAML syntax; nothing in this file was read"),
                );
            }
        }
    }
    check_duplicate_keys(&loaded.desired, &mut loaded.diagnostics);
    Ok(loaded)
}

fn collect_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_document(node: &Node, desired: &mut Desired, diags: &mut Vec<Diagnostic>) {
    let entries = match &node.value {
        NodeValue::Null => return,
        NodeValue::Map(entries) => entries,
        _ => {
            diags.push(
                Diagnostic::error(
                    "a config file must be a mapping of kind names to lists",
                    node.span,
                    "not a mapping",
                )
                .with_help(
                    "start the file with a kind name, e.g. `site:`, followed by a list of objects",
                ),
            );
            return;
        }
    };
    for (key, value) in entries {
        let Some(kind) = Kind::named(&key.name) else {
            let mut d = Diagnostic::error(
                format!("unknown kind `{}`", key.name),
                key.span,
                "not a kind",
            );
            d = match did_you_mean(&key.name, kind_names()) {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help(format!(
                    "known kinds: {}",
                    kind_names().collect::<Vec<_>>().join(", ")
                )),
            };
            diags.push(d);
            continue;
        };
        let items = match &value.value {
            NodeValue::Null => continue,
            NodeValue::List(items) => items,
            _ => {
                diags.push(
                    Diagnostic::error(
                        format!("`{}` must hold a list of objects", kind.name),
                        value.span,
                        format!("found {}", value.type_name()),
                    )
                    .with_help(format!(
                        "write each {} as a list item starting with `- {}: …`",
                        kind.name, kind.key
                    )),
                );
                continue;
            }
        };
        for item in items {
            if let Some(object) = read_object(kind, item, diags) {
                desired.objects.push(object);
            }
        }
    }
}

fn read_object(
    kind: &'static Kind,
    item: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<DesiredObject> {
    let NodeValue::Map(entries) = &item.value else {
        diags.push(
            Diagnostic::error(
                format!("each {} must be a mapping of fields", kind.name),
                item.span,
                format!("found {}", item.type_name()),
            )
            .with_help(format!(
                "write `- {}: …` followed by the object's fields",
                kind.key
            )),
        );
        return None;
    };
    let key_node = item.get(kind.key);
    let key = match key_node.map(|n| &n.value) {
        Some(NodeValue::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(_) => {
            let n = key_node?;
            diags.push(
                Diagnostic::error(
                    format!(
                        "`{}` of a {} must be a non-empty string",
                        kind.key, kind.name
                    ),
                    n.span,
                    format!("found {}", n.type_name()),
                )
                .with_help(format!(
                    "`{}` is the {}'s key; write it as text (quote numbers)",
                    kind.key, kind.name
                )),
            );
            return None;
        }
        None => {
            let span = entries.first().map(|(k, _)| k.span).unwrap_or(item.span);
            diags.push(
                Diagnostic::error(
                    format!("this {} has no `{}`", kind.name, kind.key),
                    span,
                    "object starts here",
                )
                .with_help(format!(
                    "every {} needs `{}`: it is how wxcc matches it to the live object",
                    kind.name, kind.key
                )),
            );
            return None;
        }
    };
    let mut body = Map::new();
    let mut settings = ToolSettings::default();
    for (k, v) in entries {
        if k.name == TOOL_SETTINGS_KEY {
            settings = read_settings(v, diags);
            if settings.smoke.is_some() && kind.name != "team" {
                diags.push(
                    Diagnostic::error(
                        "`smoke` settings belong on a team",
                        v.span,
                        format!("this is a {}", kind.name),
                    )
                    .with_help("put `x-wxcc: {smoke: {dialNumber: …, idleCode: …}}` on the team the smoke test logs in to"),
                );
            }
        } else {
            body.insert(k.name.clone(), v.to_json());
        }
    }
    Some(DesiredObject {
        kind,
        key,
        key_span: key_node.map(|n| n.span).unwrap_or(item.span),
        body,
        node: item.clone(),
        settings,
        uploads: Vec::new(),
    })
}

fn read_settings(node: &Node, diags: &mut Vec<Diagnostic>) -> ToolSettings {
    let mut settings = ToolSettings::default();
    let NodeValue::Map(entries) = &node.value else {
        diags.push(
            Diagnostic::error(
                "`x-wxcc` must be a mapping",
                node.span,
                format!("found {}", node.type_name()),
            )
            .with_help("known settings: formerNames (a list of keys), protect (true/false), smoke (on a team)"),
        );
        return settings;
    };
    for (k, v) in entries {
        match (k.name.as_str(), &v.value) {
            ("formerNames", NodeValue::List(items)) => {
                for item in items {
                    match item.as_str() {
                        Some(s) => settings.former_names.push(s.to_string()),
                        None => diags.push(Diagnostic::error(
                            "`formerNames` entries must be strings",
                            item.span,
                            format!("found {}", item.type_name()),
                        )),
                    }
                }
            }
            ("formerNames", NodeValue::String(s)) => settings.former_names.push(s.clone()),
            ("protect", NodeValue::Bool(b)) => settings.protect = *b,
            ("smoke", _) => settings.smoke = read_smoke(v, diags),
            ("formerNames" | "protect", _) => diags.push(
                Diagnostic::error(
                    format!("`{}` has the wrong type", k.name),
                    v.span,
                    format!("found {}", v.type_name()),
                )
                .with_help("formerNames is a list of strings; protect is true or false"),
            ),
            (other, _) => {
                let mut d = Diagnostic::error(
                    format!("unknown x-wxcc setting `{other}`"),
                    k.span,
                    "not a setting",
                );
                d = match did_you_mean(other, ["formerNames", "protect", "smoke"]) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("known settings: formerNames, protect, smoke"),
                };
                diags.push(d);
            }
        }
    }
    settings
}

/// `smoke: {dialNumber, idleCode, extension}`: both strings required, `extension` a boolean.
fn read_smoke(node: &Node, diags: &mut Vec<Diagnostic>) -> Option<SmokeSettings> {
    const HELP: &str = "smoke is {dialNumber: \"+13125550100\", idleCode: NAME of an idle code, extension: true|false (optional)}";
    let NodeValue::Map(entries) = &node.value else {
        diags.push(
            Diagnostic::error(
                "`smoke` must be a mapping",
                node.span,
                format!("found {}", node.type_name()),
            )
            .with_help(HELP),
        );
        return None;
    };
    let mut dial_number = None;
    let mut idle_code = None;
    let mut extension = false;
    let mut ok = true;
    for (k, v) in entries {
        match (k.name.as_str(), &v.value) {
            ("dialNumber", NodeValue::String(s)) if !s.is_empty() => dial_number = Some(s.clone()),
            ("idleCode", NodeValue::String(s)) if !s.is_empty() => idle_code = Some(s.clone()),
            ("extension", NodeValue::Bool(b)) => extension = *b,
            ("dialNumber" | "idleCode" | "extension", _) => {
                ok = false;
                diags.push(
                    Diagnostic::error(
                        format!("`{}` has the wrong type", k.name),
                        v.span,
                        format!("found {}", v.type_name()),
                    )
                    .with_help(HELP),
                );
            }
            (other, _) => {
                ok = false;
                let d = Diagnostic::error(
                    format!("unknown smoke setting `{other}`"),
                    k.span,
                    "not a setting",
                );
                diags.push(
                    match did_you_mean(other, ["dialNumber", "idleCode", "extension"]) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None => d.with_help(HELP),
                    },
                );
            }
        }
    }
    for (field, value) in [("dialNumber", &dial_number), ("idleCode", &idle_code)] {
        if value.is_none() && ok {
            ok = false;
            diags.push(
                Diagnostic::error(
                    format!("`smoke` needs `{field}`"),
                    node.span,
                    "smoke settings start here",
                )
                .with_help(HELP),
            );
        }
    }
    Some(SmokeSettings {
        dial_number: dial_number.filter(|_| ok)?,
        idle_code: idle_code?,
        extension,
        span: node.span,
    })
}

/// Reads the local file an uploading kind names (relative to the YAML file) and puts its
/// digest in the body, so plans compare content.
fn read_uploads(object: &mut DesiredObject, dir: &Path, diags: &mut Vec<Diagnostic>) {
    let Some(field) = object.kind.upload.map(|u| u.file) else {
        return;
    };
    let kind = object.kind;
    let Some(node) = object.node.get(field) else {
        diags.push(
            Diagnostic::error(
                format!("{} `{}` has no `{field}`", kind.name, object.key),
                object.key_span,
                format!("needs `{field}`"),
            )
            .with_help(format!(
                "set `{field}:` to the path of the file to upload, relative to this YAML file"
            )),
        );
        return;
    };
    let Some(relative) = node.as_str() else {
        diags.push(Diagnostic::error(
            format!("`{field}` must be a file path"),
            node.span,
            format!("found {}", node.type_name()),
        ));
        return;
    };
    let path = dir.join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let digest = content_digest(&bytes);
            object
                .body
                .insert(field.to_string(), serde_json::Value::String(digest.clone()));
            object.uploads.push(Upload {
                field: field.to_string(),
                path,
                digest,
            });
        }
        Err(e) => diags.push(
            Diagnostic::error(
                format!("cannot read `{relative}`: {e}"),
                node.span,
                "file not readable",
            )
            .with_help(format!(
                "the path is relative to this YAML file: {}",
                path.display()
            )),
        ),
    }
}

fn check_duplicate_keys(desired: &Desired, diags: &mut Vec<Diagnostic>) {
    for (i, o) in desired.objects.iter().enumerate() {
        if let Some(first) = desired.objects[..i]
            .iter()
            .find(|p| p.kind.name == o.kind.name && p.key == o.key)
        {
            diags.push(
                Diagnostic::error(
                    format!("{} `{}` is defined twice", o.kind.name, o.key),
                    o.key_span,
                    "defined again here",
                )
                .with_related(first.key_span, "first defined here")
                .with_help(format!(
                    "each {} `{}` must be unique; rename or remove one of them",
                    o.kind.name, o.kind.key
                )),
            );
        }
    }
}
