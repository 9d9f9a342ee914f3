//! Captures (docs/data-notes.md §3): the recordings of tasks, asked 10 task ids at a time,
//! and their download — in parallel within the rate limit, each file written under a
//! temporary name and renamed only when whole, a finished file (same size and SHA-256 as
//! the manifest says) never fetched again, a URL that expired mid-run asked for afresh,
//! and a manifest CSV (task, segment, file, size, sha256, start time) written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use super::time::show;
use crate::api::{ApiError, Client};
use crate::atomic_file::write_atomically;

/// §3: task ids per captures request; the longest URL lifetime (minutes).
pub const MAX_TASK_IDS: usize = 10;
const URL_MINUTES: i64 = 60;
/// How often one file's URL is asked for again after it expired.
const MAX_REFRESHES: u32 = 3;
/// The largest recording accepted.
const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;
pub const MANIFEST: &str = "manifest.csv";

/// One recording of one task.
#[derive(Clone, Debug)]
pub struct Capture {
    pub task_id: String,
    /// 1-based position among the task's recordings.
    pub segment: usize,
    pub file_name: String,
    pub url: String,
    pub start_time: i64,
    pub stop_time: i64,
    pub call_type: String,
}

impl Capture {
    /// The name it is saved under: task and segment.
    pub fn local_name(&self) -> String {
        format!("{}_{}.wav", self.task_id, self.segment)
    }
}

/// A task id from the server is used in a file name: letters, digits and `-` only.
fn safe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The recordings of `task_ids`, in the order asked.
pub async fn captures(
    client: &Client,
    task_ids: &[String],
    segments: bool,
) -> Result<Vec<Capture>, ApiError> {
    const PATH: &str = "/v1/captures/query";
    let mut out = Vec::new();
    for chunk in task_ids.chunks(MAX_TASK_IDS) {
        let body = json!({"query": {
            "urlExpiration": URL_MINUTES,
            "taskIds": chunk,
            "includeSegments": segments,
        }});
        let answer = client.post_json(PATH, &body).await?;
        let data = answer
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::Decode {
                method: "POST".into(),
                path: PATH.into(),
                tracking_id: String::new(),
                message: "the answer has no `data` array".into(),
            })?;
        for entry in data {
            let task = entry
                .get("taskId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !safe_id(task) {
                continue;
            }
            let recordings = entry.get("recording").and_then(Value::as_array);
            for (n, r) in recordings.into_iter().flatten().enumerate() {
                let a = r.get("attributes").unwrap_or(&Value::Null);
                let text = |k: &str| {
                    a.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let url = text("filePath");
                if url.is_empty() {
                    continue;
                }
                out.push(Capture {
                    task_id: task.to_string(),
                    segment: n + 1,
                    file_name: text("fileName"),
                    url,
                    start_time: a.get("startTime").and_then(Value::as_i64).unwrap_or(0),
                    stop_time: a.get("stopTime").and_then(Value::as_i64).unwrap_or(0),
                    call_type: text("callType"),
                });
            }
        }
    }
    Ok(out)
}

/// A manifest line.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub task: String,
    pub segment: usize,
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub start_time: String,
}

/// What a download run did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub downloaded: usize,
    pub skipped: usize,
    /// URLs asked for again after they expired.
    pub refreshed: usize,
    /// `(file, why)` for each recording that could not be saved.
    pub failed: Vec<(String, String)>,
}

fn read_manifest(dir: &Path) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    let Ok(mut reader) = csv::Reader::from_path(dir.join(MANIFEST)) else {
        return out;
    };
    for row in reader.records().flatten() {
        let get = |i: usize| row.get(i).unwrap_or_default().to_string();
        let entry = Entry {
            task: get(0),
            segment: get(1).parse().unwrap_or(0),
            file: get(2),
            size: get(3).parse().unwrap_or(0),
            sha256: get(4),
            start_time: get(5),
        };
        out.insert(entry.file.clone(), entry);
    }
    out
}

fn write_manifest(dir: &Path, entries: &BTreeMap<String, Entry>) -> Result<(), String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["task", "segment", "file", "size", "sha256", "start_time"];
    w.write_record(header).map_err(|e| e.to_string())?;
    let mut rows: Vec<&Entry> = entries.values().collect();
    rows.sort_by(|a, b| (&a.task, a.segment).cmp(&(&b.task, b.segment)));
    for e in rows {
        w.write_record([
            e.task.as_str(),
            &e.segment.to_string(),
            &e.file,
            &e.size.to_string(),
            &e.sha256,
            &e.start_time,
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    write_atomically(&dir.join(MANIFEST), &bytes).map_err(|e| e.to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `path` holds exactly what the manifest says.
fn finished(path: &Path, entry: Option<&Entry>) -> bool {
    let Some(entry) = entry else {
        return false;
    };
    match std::fs::read(path) {
        Ok(bytes) => bytes.len() as u64 == entry.size && sha256_hex(&bytes) == entry.sha256,
        Err(_) => false,
    }
}

/// Downloads every capture into `dir` (created if missing) and rewrites the manifest.
pub async fn download(
    client: &Client,
    captures: Vec<Capture>,
    dir: &Path,
    segments: bool,
) -> Result<Outcome, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut manifest = read_manifest(dir);
    let mut outcome = Outcome::default();
    let mut work = JoinSet::new();
    for capture in captures {
        let name = capture.local_name();
        let path = dir.join(&name);
        if finished(&path, manifest.get(&name)) {
            outcome.skipped += 1;
            continue;
        }
        let client = client.clone();
        work.spawn(async move {
            let result = fetch_one(&client, capture.clone(), &path, segments).await;
            (capture, name, result)
        });
    }
    while let Some(joined) = work.join_next().await {
        let Ok((capture, name, result)) = joined else {
            outcome
                .failed
                .push(("?".into(), "a download worker failed".into()));
            continue;
        };
        match result {
            Ok((size, sha256, refreshed)) => {
                outcome.downloaded += 1;
                outcome.refreshed += refreshed;
                manifest.insert(
                    name.clone(),
                    Entry {
                        task: capture.task_id.clone(),
                        segment: capture.segment,
                        file: name,
                        size,
                        sha256,
                        start_time: show(capture.start_time),
                    },
                );
            }
            Err(why) => {
                manifest.remove(&name);
                outcome.failed.push((name, why));
            }
        }
    }
    write_manifest(dir, &manifest)?;
    Ok(outcome)
}

/// One file: fetched (asking for a fresh URL when the one held expired), written to
/// `NAME.part`, renamed into place. The size, digest and number of refreshes.
async fn fetch_one(
    client: &Client,
    mut capture: Capture,
    path: &Path,
    segments: bool,
) -> Result<(u64, String, usize), String> {
    let mut refreshed = 0;
    loop {
        let (status, bytes) = client
            .fetch_signed(&capture.url)
            .await
            .map_err(|e| e.to_string())?;
        if status == 403 && refreshed < MAX_REFRESHES as usize {
            // Most often an expired URL (the storage host says `Request has expired`):
            // ask for this task's recordings again and take the same segment's new URL.
            refreshed += 1;
            let fresh = captures(client, std::slice::from_ref(&capture.task_id), segments)
                .await
                .map_err(|e| e.to_string())?;
            capture = fresh
                .into_iter()
                .find(|c| c.segment == capture.segment)
                .ok_or_else(|| "the recording is no longer listed".to_string())?;
            continue;
        }
        if !(200..300).contains(&status) {
            let text: String = String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            return Err(format!("the storage host answered {status}: {text}"));
        }
        if bytes.is_empty() || bytes.len() > MAX_FILE_BYTES {
            return Err(format!("unexpected size {} bytes", bytes.len()));
        }
        let part: PathBuf = path.with_extension("wav.part");
        std::fs::write(&part, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        std::fs::rename(&part, path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        return Ok((bytes.len() as u64, sha256_hex(&bytes), refreshed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_and_verifies_files() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("t_1.wav"), b"abc").expect("write");
        let entry = Entry {
            task: "t".into(),
            segment: 1,
            file: "t_1.wav".into(),
            size: 3,
            sha256: sha256_hex(b"abc"),
            start_time: "2026-11-01T00:00:00Z".into(),
        };
        let mut m = BTreeMap::new();
        m.insert(entry.file.clone(), entry.clone());
        write_manifest(dir.path(), &m).expect("manifest");
        let read = read_manifest(dir.path());
        assert_eq!(read.get("t_1.wav"), Some(&entry));
        assert!(finished(&dir.path().join("t_1.wav"), read.get("t_1.wav")));
        std::fs::write(dir.path().join("t_1.wav"), b"abd").expect("write");
        assert!(
            !finished(&dir.path().join("t_1.wav"), read.get("t_1.wav")),
            "same size, other bytes"
        );
        assert!(!safe_id("../x") && safe_id("0f5e-1a"));
    }
}
