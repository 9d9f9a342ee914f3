//! The emulator's write journal: each configuration write that changed objects appends one
//! line to `FILE.journal` beside the state file (mode 0600) holding the changed objects'
//! new values (or their absence), instead of rewriting the whole state. When the journal
//! holds more lines than the state has objects (at least [`COMPACT_AFTER`]), or any other
//! part of the state changes, the state is written whole and the journal starts over, so
//! the cost per write stays constant. Reading the state replays the journal of the
//! snapshot's generation; a last line cut short by a crash is ignored.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::store::State;

/// The fewest journal lines before the state is written whole again.
pub(crate) const COMPACT_AFTER: usize = 1_000;

/// One line of the journal: what one write left in one org.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    /// The snapshot generation this line continues.
    generation: u64,
    org: String,
    #[serde(default)]
    objects: Vec<ObjectEntry>,
    #[serde(default)]
    blobs: Vec<BlobEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ObjectEntry {
    kind: String,
    id: String,
    /// The object now; `None` when it was deleted.
    object: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BlobEntry {
    id: String,
    data: Option<String>,
}

/// The journal of a state file: `FILE.journal`.
pub(crate) fn path_for(state: &Path) -> PathBuf {
    let mut name = state.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    state.with_file_name(name)
}

/// Takes what changed in every org since the last call, as journal lines of `generation`
/// carrying each object's current value.
pub(crate) fn drain(state: &mut State, generation: u64) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (org_id, org) in &mut state.orgs {
        let changed = std::mem::take(&mut org.changed);
        if changed.objects.is_empty() && changed.blobs.is_empty() {
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        let objects = changed
            .objects
            .into_iter()
            .filter(|key| seen.insert(key.clone()))
            .map(|(kind, id)| ObjectEntry {
                object: org.get(&kind, &id).cloned(),
                kind,
                id,
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let blobs = changed
            .blobs
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .map(|id| BlobEntry {
                data: org.blobs.get(&id).cloned(),
                id,
            })
            .collect();
        entries.push(Entry {
            generation,
            org: org_id.clone(),
            objects,
            blobs,
        });
    }
    entries
}

/// Appends lines to the journal of `state` (created with mode 0600). Each line is
/// written with one call, so a crash leaves at most the last one cut short.
pub(crate) fn append(state: &Path, entries: &[Entry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut text = Vec::new();
    for entry in entries {
        serde_json::to_writer(&mut text, entry).map_err(std::io::Error::other)?;
        text.push(b'\n');
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path_for(state))?;
    file.write_all(&text)
}

/// Starts the journal over (after the state was written whole).
pub(crate) fn clear(state: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path_for(state)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Applies the journal of `path` to the state read from it: lines of the snapshot's
/// generation, in order, up to the first that does not parse (a write cut short by a crash).
pub(crate) fn replay(state: &mut State, path: &Path) -> std::io::Result<usize> {
    let file = match std::fs::File::open(path_for(path)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut applied = 0;
    for line in BufReader::new(file).lines() {
        let line = line?;
        let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
            break;
        };
        if entry.generation != state.journal_generation {
            continue;
        }
        let Some(org) = state.orgs.get_mut(&entry.org) else {
            continue;
        };
        for o in entry.objects {
            match o.object {
                Some(object) => org.put(&o.kind, &o.id, object),
                None => org.remove(&o.kind, &o.id),
            }
        }
        for b in entry.blobs {
            match b.data {
                Some(data) => org.put_blob(b.id, data),
                None => org.remove_blob(&b.id),
            }
        }
        org.changed = Default::default();
        applied += 1;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::store::Org;
    use serde_json::json;

    fn state_with_org() -> State {
        let mut state = State::default();
        state.orgs.insert("o".into(), Org::default());
        state
    }

    #[test]
    fn replay_applies_lines_of_the_snapshot_generation_and_stops_at_a_torn_line() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        let mut state = state_with_org();
        let org = state.orgs.get_mut("o").expect("org");
        org.put("site", "1", json!({"name": "A"}));
        append(&path, &drain(&mut state, 0)).expect("append");
        let org = state.orgs.get_mut("o").expect("org");
        org.put("site", "2", json!({"name": "B"}));
        org.remove("site", "1");
        append(&path, &drain(&mut state, 0)).expect("append");
        // A line of an older generation (written before the last snapshot) is skipped.
        let org = state.orgs.get_mut("o").expect("org");
        org.put("site", "3", json!({"name": "old"}));
        let mut older = drain(&mut state, 0);
        older[0].generation = 7;
        append(&path, &older).expect("append");
        // A crash in the middle of a line.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(path_for(&path))
            .expect("open");
        file.write_all(b"{\"generation\":0,\"org\":\"o\",\"objects\":[{\"kind\":\"site\"")
            .expect("write");

        let mut fresh = state_with_org();
        assert_eq!(replay(&mut fresh, &path).expect("replay"), 2);
        let org = &fresh.orgs["o"];
        assert_eq!(org.get("site", "2"), Some(&json!({"name": "B"})));
        assert_eq!(org.get("site", "1"), None, "the delete is replayed");
        assert_eq!(org.get("site", "3"), None, "another generation is not");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path_for(&path))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
