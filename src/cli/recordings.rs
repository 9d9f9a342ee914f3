//! `wxcc recordings` lists the recordings of tasks (`--task ID…`, or every task of a time
//! range); `wxcc recordings download --out DIR` saves them, resuming an earlier run, and
//! writes `manifest.csv`.

use serde_json::{Map, Value, json};

use super::args::{RecordingSelect, RecordingsAction, RecordingsArgs};
use super::data_output::{REPORTING_SCOPE, explain, format, now_ms, print, range};
use super::session::Session;
use super::settings::Settings;
use crate::api::Client;
use crate::data::names::split_list;
use crate::data::recordings::{Capture, MANIFEST, captures, download};
use crate::data::reports;
use crate::error::Error;

const TABLE: &[&str] = &[
    "taskId",
    "segment",
    "fileName",
    "startTime",
    "stopTime",
    "callType",
];

pub async fn run(args: &RecordingsArgs, settings: &Settings) -> Result<(), Error> {
    let select = match &args.action {
        Some(RecordingsAction::Download(d)) => &d.select,
        None => &args.select,
    };
    let tasks = split_list(&select.tasks);
    if tasks.is_empty() && select.time.since.is_none() && select.time.from.is_none() {
        return Err(Error::Usage(
            "say which tasks: --task ID (repeatable), or a time range (--since 2h, --from …)"
                .into(),
        ));
    }
    let window = if tasks.is_empty() {
        Some(range(&select.time, now_ms())?)
    } else {
        None
    };
    let session = Session::connect(settings).await?;
    let result = async {
        let found = find(&session.client, select, tasks, window).await?;
        match &args.action {
            None => Ok::<_, Error>(Some(found)),
            Some(RecordingsAction::Download(d)) => {
                let outcome = download(&session.client, found, &d.out, select.segments)
                    .await
                    .map_err(Error::Usage)?;
                eprintln!(
                    "{} downloaded, {} already there, {} expired URL{} renewed; manifest: {}",
                    outcome.downloaded,
                    outcome.skipped,
                    outcome.refreshed,
                    if outcome.refreshed == 1 { "" } else { "s" },
                    d.out.join(MANIFEST).display()
                );
                if let Some((file, why)) = outcome.failed.first() {
                    return Err(Error::Usage(format!(
                        "{} recording{} not saved (first: {file}: {why}); run again to resume",
                        outcome.failed.len(),
                        if outcome.failed.len() == 1 { "" } else { "s" },
                    )));
                }
                Ok(None)
            }
        }
    }
    .await;
    session.close().await;
    if let Some(found) = result? {
        let rows: Vec<Map<String, Value>> = found.iter().map(row).collect();
        print(&rows, format(select.time.format), TABLE)?;
    }
    Ok(())
}

/// The captures of the tasks asked for, or of every task of the window that asked for one.
async fn find(
    client: &Client,
    select: &RecordingSelect,
    mut tasks: Vec<String>,
    window: Option<crate::data::time::Range>,
) -> Result<Vec<Capture>, Error> {
    if let Some(window) = window {
        tasks = reports::tasks(client, window, &[])
            .await
            .map_err(|e| explain("recordings", REPORTING_SCOPE, e))?
            .iter()
            .filter(|t| {
                t.get("attributes")
                    .and_then(|a| a.get("captureRequested"))
                    .and_then(Value::as_bool)
                    != Some(false)
            })
            .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
    }
    captures(client, &tasks, select.segments)
        .await
        .map_err(|e| explain("recordings", REPORTING_SCOPE, e))
}

fn row(c: &Capture) -> Map<String, Value> {
    let v = json!({
        "taskId": c.task_id,
        "segment": c.segment,
        "fileName": c.file_name,
        "startTime": c.start_time,
        "stopTime": c.stop_time,
        "callType": c.call_type,
    });
    v.as_object().cloned().unwrap_or_default()
}
