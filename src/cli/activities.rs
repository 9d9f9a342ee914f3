//! `wxcc activities`: agent activities over any range — windows under a day, never past
//! now, all pages, agents by email and teams by name.

use super::args::ActivitiesArgs;
use super::data_output::{
    REPORTING_SCOPE, channels, explain, format, name_error, now_ms, print, range,
};
use super::session::Session;
use super::settings::Settings;
use crate::data::names::{resolve, split_list};
use crate::data::reports;
use crate::error::Error;

const TABLE: &[&str] = &[
    "startTime",
    "endTime",
    "agentName",
    "teamName",
    "currentState",
    "channelType",
    "queueName",
    "taskId",
];

pub async fn run(args: &ActivitiesArgs, settings: &Settings) -> Result<(), Error> {
    let now = now_ms();
    let range = range(&args.time, now)?;
    let channels = channels(&args.channels.channels)?;
    let format = format(args.time.format);
    let session = Session::connect(settings).await?;
    let client = &session.client;
    let what = "activities";
    let result = async {
        let agents = resolve(client, "user", &split_list(&args.people.agents))
            .await
            .map_err(|e| name_error(what, e))?;
        let teams = resolve(client, "team", &split_list(&args.people.teams))
            .await
            .map_err(|e| name_error(what, e))?;
        reports::activities(client, range, now, &agents, &teams, &channels)
            .await
            .map_err(|e| explain(what, REPORTING_SCOPE, e))
    }
    .await;
    session.close().await;
    print(&result?, format, TABLE)
}
