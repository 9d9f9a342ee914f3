//! The undo journal: every apply records, as it goes, what it is about to change and what
//! each change did — the before-image of every object it updates or deletes, the id of every
//! object it creates, and the `version`/`lastUpdatedTime` each object had right after
//! (so `undo` can tell whether someone changed it again since). The file is rewritten
//! atomically after each change (0600, in a 0700 folder), so an apply killed half-way still
//! leaves a journal of what it did. A journal holds objects as the API returned them and
//! the org id; never a token or a secret. `apply::undo` turns one back into a plan.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Outcome;
use crate::atomic_file::{create_private_dir, write_atomically};
use crate::plan::{Action, Change, Plan};

/// Where journals are kept, under the current folder.
pub const JOURNAL_DIR: &str = ".wxcc/journal";

/// The journal format this build writes and reads.
const FORMAT: u32 = 1;

/// One apply's journal.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Journal {
    pub format: u32,
    /// The org the apply changed.
    pub org: String,
    /// The wxcc version that wrote it.
    pub tool: String,
    /// When the apply started (RFC 3339).
    pub started: String,
    /// The file name of the journal this apply undid, for an `undo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// Every change of the plan, in apply order.
    pub changes: Vec<Entry>,
}

/// What became of one change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Not finished when the journal was last written (in flight, or not started).
    Pending,
    Done,
    /// Failed, skipped or not attempted: the API did not take it.
    NotDone,
}

/// What a change did, as the journal spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Act {
    Create,
    Update,
    Delete,
}

impl From<Action> for Act {
    fn from(a: Action) -> Act {
        match a {
            Action::Create => Act::Create,
            Action::Update => Act::Update,
            Action::Delete => Act::Delete,
        }
    }
}

/// One change and what it did.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Entry {
    pub kind: String,
    pub key: String,
    pub action: Act,
    pub status: Status,
    /// The object's id: the live one, or the one the API gave a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The top-level fields an update writes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// The object as read before the change (updates and deletes), in id space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Map<String, Value>>,
    /// `version` and `lastUpdatedTime` right after the change (creates and updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_last_updated: Option<i64>,
}

impl Journal {
    /// The journal of `plan` before anything is sent: every change pending.
    pub fn new(org: &str, plan: &Plan, undoes: Option<String>) -> Journal {
        Journal {
            format: FORMAT,
            org: org.to_string(),
            tool: format!("wxcc {}", env!("CARGO_PKG_VERSION")),
            started: jiff::Timestamp::now().to_string(),
            undoes,
            changes: plan.changes.iter().map(Entry::planned).collect(),
        }
    }

    /// Reads a journal; a file that is not one is an error saying what is wrong.
    pub fn read(path: &Path) -> Result<Journal, String> {
        let text = crate::regular_file::read(path, 256 * 1024 * 1024)
            .map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
        let journal: Journal = serde_json::from_slice(&text).map_err(|e| {
            format!(
                "{} is not a wxcc journal: {e} (at line {}, column {}); it may be truncated or edited",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if journal.format != FORMAT {
            return Err(format!(
                "{} is a journal of format {}, this wxcc reads format {FORMAT}",
                path.display(),
                journal.format
            ));
        }
        Ok(journal)
    }

    /// Whether any change of this journal went through.
    pub fn did_anything(&self) -> bool {
        self.changes.iter().any(|e| e.status == Status::Done)
    }

    /// Whether every change of the apply went through.
    pub fn finished(&self) -> bool {
        self.changes.iter().all(|e| e.status == Status::Done)
    }
}

impl Entry {
    fn planned(change: &Change) -> Entry {
        let fields = match change.action {
            Action::Update => change.fields.keys().cloned().collect(),
            _ => Vec::new(),
        };
        Entry {
            kind: change.kind.name.to_string(),
            key: change.key.clone(),
            action: change.action.into(),
            status: Status::Pending,
            id: change.live_id.clone(),
            fields,
            before: match change.action {
                Action::Create => None,
                _ => change.live.clone(),
            },
            after_version: None,
            after_last_updated: None,
        }
    }
}

/// How often, at most, the journal is rewritten while changes complete. Rewriting it after
/// every change costs the square of the plan (5,000 bulk creates took 12 s of CPU); at this
/// pace a killed apply loses at most this much of its record (those changes stay `pending`,
/// which undo names and leaves alone), and `finish` writes the rest.
const SAVE_EVERY: Duration = Duration::from_millis(250);

/// A rewrite waits at least this many times as long as the last one took, so that a large
/// plan's journal (27,000 changes: megabytes a rewrite) costs at most a fifth of the apply.
const SAVE_SPACING: u32 = 4;

/// Keeps one apply's journal on disk, rewriting it as changes complete (at most every
/// [`SAVE_EVERY`], or [`SAVE_SPACING`] times the last rewrite's duration if longer, and at
/// the end).
pub struct Recorder {
    path: PathBuf,
    journal: Journal,
    /// The first write error, reported once at the end: the apply goes on without it.
    failed: Option<String>,
    saved_at: Instant,
    /// How long after `saved_at` the next rewrite may come.
    wait: Duration,
    /// Outcomes recorded since the last write.
    dirty: bool,
}

impl Recorder {
    /// Creates the journal file for `plan` under `dir` (mode 0600, folder 0700), before
    /// anything is sent: an apply that cannot keep a journal does not start.
    pub fn start(
        dir: &Path,
        org: &str,
        plan: &Plan,
        undoes: Option<String>,
    ) -> Result<Recorder, String> {
        create_private_dir(dir)
            .map_err(|e| format!("cannot create the journal folder {}: {e}", dir.display()))?;
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%S%.3fZ")
            .to_string();
        let safe_org: String = org
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut path = dir.join(format!("{stamp}-{safe_org}.json"));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!("{stamp}-{n}-{safe_org}.json"));
            n += 1;
        }
        let mut recorder = Recorder {
            path,
            journal: Journal::new(org, plan, undoes),
            failed: None,
            saved_at: Instant::now(),
            wait: SAVE_EVERY,
            dirty: false,
        };
        recorder.save();
        match recorder.failed.take() {
            Some(e) => Err(e),
            None => Ok(recorder),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records what became of change `n` of the plan.
    pub fn record(&mut self, n: usize, outcome: &Outcome) {
        let Some(entry) = self.journal.changes.get_mut(n) else {
            return;
        };
        match outcome {
            Outcome::Done { id, after, .. } => {
                entry.status = Status::Done;
                entry.id = Some(id.clone());
                entry.after_version = after.version;
                entry.after_last_updated = after.last_updated;
            }
            Outcome::Failed(_) | Outcome::Skipped(_) | Outcome::NotAttempted => {
                entry.status = Status::NotDone;
            }
        }
        if self.saved_at.elapsed() >= self.wait {
            self.save();
        } else {
            self.dirty = true;
        }
    }

    /// Writes what is not written yet; the first error writing the journal, if any.
    pub fn finish(mut self) -> Option<String> {
        if self.dirty {
            self.save();
        }
        self.failed
    }

    fn save(&mut self) {
        let started = Instant::now();
        self.dirty = false;
        let result = serde_json::to_vec_pretty(&self.journal)
            .map_err(|e| e.to_string())
            .and_then(|bytes| write_atomically(&self.path, &bytes).map_err(|e| e.to_string()));
        self.saved_at = Instant::now();
        self.wait = SAVE_EVERY.max(self.saved_at.duration_since(started) * SAVE_SPACING);
        if let Err(e) = result
            && self.failed.is_none()
        {
            self.failed = Some(format!(
                "cannot write the journal {}: {e}",
                self.path.display()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The journal of a large apply (thousands of before-images, megabytes) is read back
    /// whole: `read` takes up to 256 MiB, not 1 MiB or 256 KiB.
    #[test]
    fn a_journal_of_a_few_mebibytes_is_read_back_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let entry = |i: usize| {
            let mut before = Map::new();
            before.insert("name".into(), Value::String(format!("Site {i}")));
            before.insert("description".into(), Value::String("d".repeat(240)));
            Entry {
                kind: "site".into(),
                key: format!("Site {i}"),
                action: Act::Delete,
                status: Status::Done,
                id: Some(format!("{i:036}")),
                fields: Vec::new(),
                before: Some(before),
                after_version: None,
                after_last_updated: None,
            }
        };
        let journal = Journal {
            format: FORMAT,
            org: "org".into(),
            tool: "wxcc".into(),
            started: "2026-11-30T00:00:00Z".into(),
            undoes: None,
            changes: (0..8000).map(entry).collect(),
        };
        let text = serde_json::to_vec(&journal).expect("a journal serialises");
        assert!(text.len() > 2 * 1024 * 1024, "{} bytes", text.len());
        let path = dir.path().join("big.json");
        std::fs::write(&path, &text).expect("write");
        let read = Journal::read(&path).expect("read back");
        assert_eq!(read.changes.len(), 8000);
        assert_eq!(read.changes[7999].key, "Site 7999");
    }
}
