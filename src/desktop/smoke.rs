//! The smoke test: with the notification connection open, the signed-in test agent logs
//! in to a team on a dial number, goes Available, goes Idle with an idle code, and logs
//! out. Each step is reported with its time as it finishes; the first failure stops the
//! run (after logging the agent out again if the login had succeeded).

use std::time::{Duration, Instant};

use super::{Action, AgentState, DesktopError, Device, Notifications, Timing, session};
use crate::api::Client;

/// What to prove, with names already resolved to ids.
#[derive(Clone, Debug)]
pub struct SmokePlan {
    pub team_id: String,
    pub dial_number: String,
    pub extension: bool,
    pub idle_code_id: String,
    /// Per-step wait for the outcome.
    pub timeout: Duration,
}

/// One finished step.
pub struct Step<'a> {
    pub name: &'static str,
    pub took: Duration,
    /// Why it failed; `None` when it passed.
    pub failure: Option<&'a DesktopError>,
}

/// Runs the steps, calling `report` after each; the name of the failed step and why.
pub async fn run(
    client: &Client,
    plan: &SmokePlan,
    report: &mut dyn FnMut(Step<'_>),
) -> Result<(), (&'static str, DesktopError)> {
    let started = Instant::now();
    let opened = Notifications::open(client, Timing::default()).await;
    report(Step {
        name: "connect",
        took: started.elapsed(),
        failure: opened.as_ref().err(),
    });
    let mut notes = opened.map_err(|e| ("connect", e))?;
    let steps: [(&'static str, Action); 4] = [
        (
            "login",
            Action::Login {
                team_id: plan.team_id.clone(),
                dial_number: Some(plan.dial_number.clone()),
                device: if plan.extension {
                    Device::Extension
                } else {
                    Device::DialNumber
                },
            },
        ),
        (
            "available",
            Action::State {
                state: AgentState::Available,
                idle_code_id: None,
                reason: Some("wxcc smoke".into()),
                agent: None,
            },
        ),
        (
            "idle",
            Action::State {
                state: AgentState::Idle,
                idle_code_id: Some(plan.idle_code_id.clone()),
                reason: Some("wxcc smoke".into()),
                agent: None,
            },
        ),
        (
            "logout",
            Action::Logout {
                reason: "wxcc smoke test finished".into(),
                agent: None,
            },
        ),
    ];
    let mut logged_in = false;
    for (name, action) in steps {
        let began = Instant::now();
        let result = session::perform(client, &mut notes, &action, plan.timeout)
            .await
            .map(|_| ());
        report(Step {
            name,
            took: began.elapsed(),
            failure: result.as_ref().err(),
        });
        match result {
            Ok(()) => logged_in = name != "logout",
            Err(e) => {
                if logged_in {
                    let cleanup = Action::Logout {
                        reason: "wxcc smoke test failed".into(),
                        agent: None,
                    };
                    let began = Instant::now();
                    let result = session::perform(client, &mut notes, &cleanup, plan.timeout)
                        .await
                        .map(|_| ());
                    report(Step {
                        name: "cleanup logout",
                        took: began.elapsed(),
                        failure: result.as_ref().err(),
                    });
                }
                return Err((name, e));
            }
        }
    }
    Ok(())
}
