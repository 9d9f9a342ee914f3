//! Reads a config file or folder into desired objects. Structural problems (YAML syntax,
//! unknown kinds, objects without a key, duplicate keys, bad `x-wxcc` settings) become
//! diagnostics; loading goes on past them so that every problem is reported at once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::csv_format;
use super::encoding::{self, BadEncoding};
use super::suggest::did_you_mean;
use super::text_file::read_text_files;
use super::upload::read_uploads;
use super::vars::{Resolver, Secret, Substituted, Vars};
use super::yaml;
use crate::catalogue::{Kind, TOOL_SETTINGS_KEY, kind_names};
use crate::model::{
    Desired, DesiredObject, Diagnostic, Node, NodeValue, Severity, SmokeSettings, Span,
    ToolSettings,
};
use crate::regular_file::{self, ReadError, describe_size};

/// The largest YAML file wxcc reads. Generous: a config of 500,000 objects is about
/// 100–150 MB of YAML; anything larger is split across the files of a folder. The YAML
/// parser's own budget must allow at least this much.
pub const MAX_CONFIG_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// One loaded file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Byte offset where each line starts, worked out on the first location asked for, so
    /// that locating every object of a file is not quadratic in its size.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile {
            path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = offset.min(self.text.len());
        let line = starts.partition_point(|&start| start <= offset);
        let start = starts[line.saturating_sub(1)];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |before| before.chars().count());
        (line, col + 1)
    }
}

/// The files a config was read from; spans index into this list.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
    /// Environment values the config's `${env.…}` placeholders read: whatever is rendered
    /// from these sources shows them as their placeholders (config/vars.rs).
    pub secrets: Vec<Secret>,
}

impl Sources {
    /// `file:line:col` of a span, 1-based, columns in characters.
    pub fn location(&self, span: Span) -> String {
        let Some(file) = self.files.get(span.file) else {
            return "?".into();
        };
        let (line, col) = file.line_col(span.offset);
        format!("{}:{line}:{col}", file.path.display())
    }
}

/// The result of loading: the objects found and the problems met.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Sources,
    pub desired: Desired,
    pub diagnostics: Vec<Diagnostic>,
    /// Spans of values whose placeholders did not resolve (already reported): what
    /// validation finds at them follows from that, and is left out by [`Loaded::add_found`].
    pub unresolved: Vec<Span>,
}

impl Loaded {
    /// Adds what validation found, except problems at a value whose placeholder did not
    /// resolve (the raw placeholder is of course no valid value).
    pub fn add_found(&mut self, found: Vec<Diagnostic>) {
        let unresolved = &self.unresolved;
        self.diagnostics.extend(
            found
                .into_iter()
                .filter(|d| !d.span.is_some_and(|s| unresolved.contains(&s))),
        );
    }
}

/// Errors that stop loading before any file is read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} holds no .yaml, .yml or .csv files")]
    Empty { path: PathBuf },
    /// `--kind` misused or naming no kind.
    #[error("{0}")]
    Kind(String),
}

/// What loading takes besides the config's path.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The vars file `${var.NAME}` placeholders resolve from (`--vars`).
    pub vars: Option<PathBuf>,
    /// The kind of a lone CSV file whatever its name (`--kind`).
    pub kind: Option<String>,
}

/// Loads a config without a vars file or `--kind`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_with(path, &LoadOptions::default())
}

/// Loads a YAML or CSV file, or every `*.yaml`/`*.yml`/`*.csv` under a folder (sorted,
/// hidden entries skipped), into desired objects, placeholders substituted (`${var.…}` from
/// `options.vars`, `${env.…}` from the environment). Only regular files are read, each at
/// most [`MAX_CONFIG_FILE_BYTES`]; a folder reached twice (a symlink loop or alias) is read
/// once, and nothing outside the config folder is read through a symlink. A CSV file's kind
/// is its name's first part (`site.csv`, `site.emea.csv`) unless `options.kind` names it.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let forced = match options.kind.as_deref() {
        None => None,
        Some(name) => {
            if !csv_format::is_csv(path) || path.is_dir() {
                return Err(LoadError::Kind(format!(
                    "--kind {name}: --kind names the kind of a lone CSV file, and {} is not one (a folder's CSV files are named after their kind: site.csv)",
                    path.display()
                )));
            }
            Some(csv_format::named_kind(name).map_err(LoadError::Kind)?)
        }
    };
    let mut loaded = Loaded::default();
    let (files, root) = collect_files(path, &mut loaded.diagnostics)?;
    if files.is_empty() && loaded.diagnostics.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let vars = match &options.vars {
        Some(file) => read_vars(file, &mut loaded),
        None => Vars::default(),
    };
    let env = |name: &str| std::env::var(name).ok();
    let resolver = Resolver {
        vars: &vars,
        env: &env,
    };
    // Every file read first, then the YAML ones parsed at once, one per core (parsing is
    // most of loading), then each read into objects in file order, as one loop would.
    let mut read = Vec::with_capacity(files.len());
    for file in files {
        let index = loaded.sources.files.len();
        match read_source(&file) {
            Ok(text) => {
                loaded.sources.files.push(SourceFile::new(file, text));
                read.push(Ok(index));
            }
            Err(SourceProblem::Unreadable(d)) => read.push(Err(*d)),
            Err(SourceProblem::Encoding(bad)) => {
                read.push(Err(bad.diagnostic(&file, index)));
                loaded.sources.files.push(SourceFile::new(file, bad.shown));
            }
        }
    }
    // Each file's parse; `None` for a CSV file and for one that could not be read.
    let sources = &loaded.sources.files;
    let parsed = crate::parallel::map_in_order(&read, |outcome| {
        let file = &sources[*outcome.as_ref().ok()?];
        (!csv_format::is_csv(&file.path)).then(|| yaml::parse(&file.text))
    });
    for (outcome, parsed) in read.into_iter().zip(parsed) {
        let index = match outcome {
            Ok(index) => index,
            Err(d) => {
                loaded.diagnostics.push(d);
                continue;
            }
        };
        let text = &loaded.sources.files[index].text;
        let Some(parsed) = parsed else {
            let path = &loaded.sources.files[index].path;
            let kind = match forced.map_or_else(|| csv_format::kind_of_file(path), Ok) {
                Ok(kind) => kind,
                Err(message) => {
                    loaded.diagnostics.push(Diagnostic::general(message));
                    continue;
                }
            };
            let objects = csv_format::read(
                kind,
                text,
                index,
                &mut loaded.diagnostics,
                &mut |node, diags| read_object(kind, node, diags),
            );
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            for mut object in objects {
                read_uploads(&mut object, &dir, &root, &mut loaded.diagnostics);
                loaded.desired.objects.push(object);
            }
            continue;
        };
        match parsed {
            Ok(mut node) => {
                node.set_file(index);
                let mut out = Substituted::default();
                resolver.substitute(&mut node, text, &mut out, &mut loaded.diagnostics);
                loaded.sources.secrets.extend(out.secrets);
                loaded.unresolved.extend(out.unresolved);
                let first = loaded.desired.objects.len();
                read_document(node, &mut loaded.desired, &mut loaded.diagnostics);
                let dir = loaded.sources.files[index]
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                for object in &mut loaded.desired.objects[first..] {
                    read_text_files(object, &dir, &root, &mut loaded.diagnostics);
                    read_uploads(object, &dir, &root, &mut loaded.diagnostics);
                }
            }
            Err(e) => {
                let path = &loaded.sources.files[index].path;
                loaded.diagnostics.push(syntax_error(&e, text, index, path));
            }
        }
    }
    // Team names are unique per site: two sites' `Tier 1` are two keys (docs/api-notes.md §3.21).
    loaded.desired.qualify_scoped_keys(&[]);
    check_duplicate_keys(&loaded.desired, &mut loaded.diagnostics);
    Ok(loaded)
}

/// A YAML syntax error at its place in file `index`.
fn syntax_error(e: &yaml::YamlError, text: &str, index: usize, path: &Path) -> Diagnostic {
    let offset = e.offset.unwrap_or(0).min(text.len());
    let len = text[offset..]
        .chars()
        .next()
        .map(char::len_utf8)
        .unwrap_or(0);
    // Past one of the reader's limits: not a syntax error, and said in words.
    if let Some(help) = &e.limit {
        return Diagnostic::error(
            format!("{}: {}", path.display(), e.message),
            Span {
                file: index,
                offset,
                len,
            },
            "the limit was reached here",
        )
        .with_help(help.clone());
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    // `{` and `}` end a plain value inside `{…}` and `[…]`: the usual cause with placeholders.
    let help = if text[line_start..line_end].contains("${") {
        "fix the YAML syntax; nothing in this file was read. Inside `{…}` or `[…]`, quote a value holding a placeholder: `name: \"Voice-${var.ENV}\"`"
    } else {
        "fix the YAML syntax; nothing in this file was read"
    };
    Diagnostic::error(
        format!("YAML syntax error: {}", e.message),
        Span {
            file: index,
            offset,
            len,
        },
        "here",
    )
    .with_help(help)
}

/// Reads the vars file into the sources (its diagnostics point into it) and its values.
fn read_vars(file: &Path, loaded: &mut Loaded) -> Vars {
    let index = loaded.sources.files.len();
    let text = match read_source(file) {
        Ok(text) => text,
        Err(SourceProblem::Unreadable(d)) => {
            loaded.diagnostics.push(*d);
            return Vars::default();
        }
        Err(SourceProblem::Encoding(bad)) => {
            loaded.diagnostics.push(bad.diagnostic(file, index));
            loaded
                .sources
                .files
                .push(SourceFile::new(file.to_path_buf(), bad.shown));
            return Vars::default();
        }
    };
    loaded
        .sources
        .files
        .push(SourceFile::new(file.to_path_buf(), text));
    let text = &loaded.sources.files[index].text;
    match yaml::parse(text) {
        Ok(mut node) => {
            node.set_file(index);
            Vars::read(&node, &mut loaded.diagnostics)
        }
        Err(e) => {
            loaded.diagnostics.push(syntax_error(&e, text, index, file));
            Vars::default()
        }
    }
}

enum SourceProblem {
    Unreadable(Box<Diagnostic>),
    Encoding(BadEncoding),
}

/// The text of one config file: a regular file within the cap, in UTF-8.
fn read_source(path: &Path) -> Result<String, SourceProblem> {
    let bytes = regular_file::read(path, MAX_CONFIG_FILE_BYTES).map_err(|e| {
        let help = match &e {
            ReadError::NotRegular { .. } => {
                "wxcc reads only regular *.yaml/*.yml/*.csv files; remove it or replace it with a regular file".to_string()
            }
            ReadError::TooLarge { cap, .. } => format!(
                "split the objects across several files in a folder, each at most {}",
                describe_size(*cap)
            ),
            ReadError::Io(_) => "check that the file exists and is readable".to_string(),
        };
        SourceProblem::Unreadable(Box::new(
            Diagnostic::general(format!("cannot read {}: {e}", path.display())).with_help(help),
        ))
    })?;
    encoding::decode(bytes).map_err(SourceProblem::Encoding)
}

/// The YAML files of a config and the canonical config folder (a single file's folder).
fn collect_files(
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Result<(Vec<PathBuf>, PathBuf), LoadError> {
    let read_error = |source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_dir() {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let root = parent.canonicalize().map_err(read_error)?;
        return Ok((vec![path.to_path_buf()], root));
    }
    let root = path.canonicalize().map_err(read_error)?;
    let mut walk = Walk {
        root: root.clone(),
        seen_dirs: HashSet::from([root.clone()]),
        seen_files: HashMap::new(),
        files: Vec::new(),
        links: VecDeque::new(),
        diags,
    };
    walk.dir(path)?;
    // Symlinks last, so that what is reached both ways is read under its real path.
    while let Some(link) = walk.links.pop_front() {
        walk.follow(&link)?;
    }
    Ok((walk.files, root))
}

/// A walk of the config folder that reads each folder and file once, whatever symlinks say.
struct Walk<'a> {
    root: PathBuf,
    seen_dirs: HashSet<PathBuf>,
    /// Canonical path of each file taken → the path it was found under.
    seen_files: HashMap<PathBuf, PathBuf>,
    files: Vec<PathBuf>,
    /// Symlinks met, followed once the real entries are all taken.
    links: VecDeque<PathBuf>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path) -> Result<(), LoadError> {
        let read_error = |source| LoadError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            if !entry.file_name().to_string_lossy().starts_with('.') {
                entries.push(entry.path());
            }
        }
        // Sorted, so that which of two paths to the same place counts as first is stable.
        entries.sort();
        for path in entries {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                self.links.push_back(path);
            } else {
                self.follow(&path)?;
            }
        }
        Ok(())
    }

    /// Takes one entry of a folder (a symlink counts as what it leads to).
    fn follow(&mut self, path: &Path) -> Result<(), LoadError> {
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) || csv_format::is_csv(path);
        // Follows symlinks: a link counts as what it leads to.
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                if is_yaml {
                    self.diags.push(
                        Diagnostic::general(format!("cannot read {}: {e}", path.display()))
                            .with_help(
                                "a symlink must lead to an existing file inside the config folder",
                            ),
                    );
                }
                return Ok(());
            }
        };
        if !meta.is_dir() && !is_yaml {
            return Ok(());
        }
        let resolved = match path.canonicalize() {
            Ok(p) => p,
            Err(e) => {
                self.diags.push(Diagnostic::general(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
                return Ok(());
            }
        };
        if !resolved.starts_with(&self.root) {
            self.diags.push(
                Diagnostic::general(format!(
                    "{} leads outside the config folder (to {})",
                    path.display(),
                    resolved.display()
                ))
                .with_help(format!(
                    "wxcc reads nothing outside the config folder ({}) through a symlink; copy what you need into it",
                    self.root.display()
                )),
            );
            return Ok(());
        }
        if meta.is_dir() {
            if !self.seen_dirs.insert(resolved.clone()) {
                self.diags.push(skipped(format!(
                    "skipped {}: it is the folder {} again (a symlink loop or a second link to it), read once",
                    path.display(),
                    resolved.display()
                )));
                return Ok(());
            }
            return self.dir(path);
        }
        if let Some(first) = self.seen_files.get(&resolved) {
            self.diags.push(skipped(format!(
                "skipped {}: it is {} again (a symlink), read once",
                path.display(),
                first.display()
            )));
            return Ok(());
        }
        self.seen_files.insert(resolved, path.to_path_buf());
        // FIFOs, devices and sockets are kept here and refused when read, with the reason.
        self.files.push(path.to_path_buf());
        Ok(())
    }
}

/// A warning that belongs to no line of any file.
fn skipped(message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        ..Diagnostic::general(message)
    }
}

/// Reads the objects of one file's document, moving each object's node into it.
fn read_document(node: Node, desired: &mut Desired, diags: &mut Vec<Diagnostic>) {
    let entries = match node.value {
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
        let items = match value.value {
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
    item: Node,
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
    let mut body = Map::with_capacity(entries.len());
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
    let key_span = key_node.map(|n| n.span).unwrap_or(item.span);
    Some(DesiredObject {
        kind,
        key,
        key_span,
        body,
        node: item,
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

/// Keys are unique per kind, and the API compares names without regard to case (two
/// names that differ only in case are refused with 409, docs/api-notes.md §1.6): both
/// exact and case-only repeats are errors showing both places.
fn check_duplicate_keys(desired: &Desired, diags: &mut Vec<Diagnostic>) {
    // Names are unique, regardless of case, within a kind, or for a scoped kind (teams)
    // within one scope (site): teams of one name at two sites are two teams.
    let mut first_of: HashMap<(&str, Option<&str>, String), &DesiredObject> = HashMap::new();
    for o in &desired.objects {
        let scope = o
            .kind
            .scope
            .and_then(|field| o.body.get(field))
            .and_then(Value::as_str);
        let plain = o.name();
        let slot = (o.kind.name, scope, plain.to_lowercase());
        let Some(first) = first_of.get(&slot) else {
            first_of.insert(slot, o);
            continue;
        };
        let d = if first.key == o.key {
            Diagnostic::error(
                format!("{} `{}` is defined twice", o.kind.name, o.key),
                o.key_span,
                "defined again here",
            )
            .with_related(first.key_span, "first defined here")
            .with_help(format!(
                "each {} `{}` must be unique; rename or remove one of them",
                o.kind.name, o.kind.key
            ))
        } else {
            Diagnostic::error(
                format!(
                    "{} `{}` differs only in case from {} `{}`",
                    o.kind.name, o.key, o.kind.name, first.key
                ),
                o.key_span,
                "the same name in other letters",
            )
            .with_related(first.key_span, "first defined here")
            .with_help(format!(
                "the API treats {} `{}`s that differ only in case as the same; rename one of them or merge the two",
                o.kind.name, o.kind.key
            ))
        };
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column the slow way: count what comes before.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    #[test]
    fn line_col_agrees_with_counting_at_every_character() {
        let text = "skill:\n  - {name: Café}\r\n\n  - {name: \u{1F600} x}\nlast";
        let file = SourceFile::new("c.yaml".into(), text.to_string());
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(file.line_col(offset), counted(text, offset), "at {offset}");
        }
        assert_eq!(file.line_col(text.len() + 10), counted(text, text.len()));
        assert_eq!(file.line_col(0), (1, 1));
    }
}
