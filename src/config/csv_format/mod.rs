//! CSV files as a source of desired state: a file named after a kind (`site.csv`,
//! `site.<anything>.csv`) holds objects of that kind, one a row, with the kind's field
//! names as headers (docs/csv.md). Rows become desired objects exactly as YAML ones do;
//! this module also writes objects back as CSV, with the same column rules.

mod columns;
#[cfg(test)]
mod doc;
mod list;
mod read;
mod write;

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::catalogue::{FieldPath, Kind, kind_names};
use crate::config::suggest::did_you_mean;
use crate::model::{Desired, KeyIndex, Live};

pub(crate) use read::read;
pub use write::{CsvWriteError, write_csv};

/// Whether a path names a CSV file.
pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// The kind a CSV file's name gives (`site.csv`, `site.chicago.csv`), or what is wrong.
pub(crate) fn kind_of_file(path: &Path) -> Result<&'static Kind, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or("");
    Kind::named(stem).ok_or_else(|| {
        let hint = match did_you_mean(stem, kind_names()) {
            Some(s) => format!("did you mean `{s}.csv`? "),
            None => String::new(),
        };
        format!(
            "cannot tell which kind {} holds: {hint}name a CSV file after its kind (`site.csv`, or `site.<anything>.csv` for several files of one kind), or pass --kind KIND for a lone file",
            path.display()
        )
    })
}

/// The kind `--kind` names, or a message with a suggestion.
pub(crate) fn named_kind(name: &str) -> Result<&'static Kind, String> {
    Kind::named(name).ok_or_else(|| {
        let hint = did_you_mean(name, kind_names())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        format!("--kind: unknown kind `{name}`{hint}")
    })
}

/// CSV reference columns may hold the live id of the object they name instead of its key
/// (a file made for the lab's one-request-a-row upload holds ids). Against live state, an
/// id that is not also a key is replaced by the key of the live object that has it, so the
/// plan shows and resolves keys. Values that are neither stay as written, and the plan
/// reports them at their cell. `from_csv` says which objects came from a CSV file.
pub fn live_ids_to_keys(desired: &mut Desired, live: &Live, from_csv: &dyn Fn(usize) -> bool) {
    if !desired.objects.iter().any(|o| from_csv(o.node.span.file)) {
        return;
    }
    let index = KeyIndex::from_live(live);
    let declared: HashSet<(&'static str, String)> = desired
        .objects
        .iter()
        .map(|o| (o.kind.name, o.key.clone()))
        .collect();
    let mut replaced: Vec<(usize, Value)> = Vec::new();
    for (i, object) in desired.objects.iter().enumerate() {
        if !from_csv(object.node.span.file) {
            continue;
        }
        let mut body = Value::Object(object.body.clone());
        let mut changed = false;
        for reference in object.kind.references {
            let name = reference.index_name();
            FieldPath::parse(reference.field).visit_mut(&mut body, &mut |_, v| {
                let Value::String(text) = v else { return };
                let object_part = match reference.within {
                    Some(_) => text.split_once('/').map_or(text.as_str(), |(o, _)| o),
                    None => text.as_str(),
                };
                let is_key = declared.contains(&(reference.target, object_part.to_string()))
                    || index.id_of(&name, text).is_some()
                    || index.is_ambiguous(&name, text);
                if is_key {
                    return;
                }
                if let Some(key) = index.key_of(&name, text) {
                    *v = Value::String(key.to_string());
                    changed = true;
                }
            });
        }
        if changed {
            replaced.push((i, body));
        }
    }
    for (i, body) in replaced {
        if let Value::Object(map) = body {
            desired.objects[i].body = map;
        }
    }
    // A team's scope (its site) may have been an id.
    desired.objects_changed();
}
