//! `wxcc tasks`: every task created in a time range (all pages, de-duplicated), filtered
//! by channel and by last queue (named by key, like config references).

use serde_json::Value;

use super::args::TasksArgs;
use super::data_output::{
    REPORTING_SCOPE, channels, explain, format, name_error, now_ms, print, range,
};
use super::session::Session;
use super::settings::Settings;
use crate::data::names::{resolve, split_list};
use crate::data::reports;
use crate::error::Error;

const TABLE: &[&str] = &[
    "attributes.createdTime",
    "id",
    "attributes.channelType",
    "attributes.status",
    "attributes.queue.name",
    "attributes.owner.name",
    "attributes.origin",
    "attributes.direction",
];

pub async fn run(args: &TasksArgs, settings: &Settings) -> Result<(), Error> {
    let range = range(&args.time, now_ms())?;
    let channels = channels(&args.channels.channels)?;
    let queue_names = split_list(&args.queues);
    let format = format(args.time.format);
    let session = Session::connect(settings).await?;
    let result = async {
        let queues = resolve(&session.client, "contact-service-queue", &queue_names)
            .await
            .map_err(|e| name_error("tasks", e))?;
        let mut tasks = reports::tasks(&session.client, range, &channels)
            .await
            .map_err(|e| explain("tasks", REPORTING_SCOPE, e))?;
        if !queues.is_empty() {
            tasks.retain(|t| {
                t.get("attributes")
                    .and_then(|a| a.pointer("/queue/id"))
                    .and_then(Value::as_str)
                    .is_some_and(|q| queues.iter().any(|id| id == q))
            });
        }
        Ok::<_, Error>(tasks)
    }
    .await;
    session.close().await;
    print(&result?, format, TABLE)
}
