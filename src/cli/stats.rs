//! `wxcc stats queues|agents`: statistics per interval over any range — split into the
//! API's under-a-day windows, ids chunked to its maximum, queues and teams named by name
//! and agents by email. Agent rows come one per agent, interval and channel.

use serde_json::{Map, Value};

use super::args::StatsCommand;
use super::data_output::{REPORTING_SCOPE, explain, format, name_error, now_ms, print, range};
use super::session::Session;
use super::settings::Settings;
use crate::data::names::{resolve, split_list};
use crate::data::reports::{self, Statistics};
use crate::error::Error;

const QUEUE_TABLE: &[&str] = &[
    "intervalStartTime",
    "queueName",
    "channelType",
    "totalOfferedTasks",
    "totalAcceptedTasks",
    "totalAbandonedTasks",
    "averageEnqueuedTime",
    "averageHandledTime",
    "serviceLevelThresholdPercentage",
];

const AGENT_TABLE: &[&str] = &[
    "intervalStartTime",
    "agentName",
    "teamName",
    "channelType",
    "totalOfferedTasks",
    "totalAcceptedTasks",
    "totalEngagedDuration",
    "totalHoldDuration",
    "totalWrapUpDuration",
    "averageHandledTime",
];

pub async fn run(command: &StatsCommand, settings: &Settings) -> Result<(), Error> {
    let (time, interval) = match command {
        StatsCommand::Queues(a) => (&a.time, &a.interval),
        StatsCommand::Agents(a) => (&a.time, &a.interval),
    };
    // clap admits only 15, 30 or 60.
    let interval: i64 = interval.parse().unwrap_or(15);
    let range = range(time, now_ms())?;
    let format = format(time.format);
    let session = Session::connect(settings).await?;
    let client = &session.client;
    let result = async {
        match command {
            StatsCommand::Queues(a) => {
                let what = "stats queues";
                let ids = resolve(client, "contact-service-queue", &split_list(&a.queues))
                    .await
                    .map_err(|e| name_error(what, e))?;
                let rows = reports::statistics(client, Statistics::Queues, range, interval, &ids)
                    .await
                    .map_err(|e| explain(what, REPORTING_SCOPE, e))?;
                Ok::<_, Error>((rows, QUEUE_TABLE))
            }
            StatsCommand::Agents(a) => {
                let what = "stats agents";
                let ids = resolve(client, "user", &split_list(&a.people.agents))
                    .await
                    .map_err(|e| name_error(what, e))?;
                let teams = resolve(client, "team", &split_list(&a.people.teams))
                    .await
                    .map_err(|e| name_error(what, e))?;
                let mut rows =
                    reports::statistics(client, Statistics::Agents, range, interval, &ids)
                        .await
                        .map_err(|e| explain(what, REPORTING_SCOPE, e))?;
                if !teams.is_empty() {
                    rows.retain(|r| {
                        r.get("teamId")
                            .and_then(Value::as_str)
                            .is_some_and(|t| teams.iter().any(|id| id == t))
                    });
                }
                Ok((rows, AGENT_TABLE))
            }
        }
    }
    .await;
    session.close().await;
    let (rows, table) = result?;
    let rows = match (command, format) {
        (StatsCommand::Agents(_), f)
            if f != crate::data::output::Format::Json
                && f != crate::data::output::Format::Jsonl =>
        {
            per_channel(rows)
        }
        _ => rows,
    };
    print(&rows, format, table)
}

/// One row per agent, interval and channel: the `channels` array spread out.
fn per_channel(rows: Vec<Map<String, Value>>) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for mut row in rows {
        let channels = match row.remove("channels") {
            Some(Value::Array(c)) => c,
            _ => Vec::new(),
        };
        if channels.is_empty() {
            out.push(row);
            continue;
        }
        for channel in channels {
            let mut r = row.clone();
            if let Value::Object(fields) = channel {
                r.extend(fields);
            }
            out.push(r);
        }
    }
    out
}
