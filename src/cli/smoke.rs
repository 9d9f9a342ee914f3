//! `wxcc smoke PATH`: after an apply, proves the configuration works end to end. For each
//! team the config marks with `x-wxcc: {smoke: {dialNumber, idleCode}}` (or the team the
//! flags name), the signed-in test agent logs in, goes Available, goes Idle with the idle
//! code, and logs out; each step is printed with its time. Exit 1 names the failed step.

use std::time::{Duration, Instant};

use super::agent::{check_dial_number, is_idle_code, resolve};
use super::args::SmokeArgs;
use super::session::Session;
use super::settings::Settings;
use super::validate::{Check, load_checked};
use crate::desktop::clean;
use crate::desktop::smoke::{SmokePlan, Step, run as run_steps};
use crate::error::Error;

/// One team to test, by names.
struct Target {
    team: String,
    dial_number: String,
    extension: bool,
    idle_code: String,
}

pub async fn run(args: &SmokeArgs, settings: &Settings) -> Result<(), Error> {
    let loaded = load_checked(
        &args.path,
        None,
        &args.vars,
        settings.color_err,
        Check::BeforeSending,
    )?;
    let marked: Vec<(String, Option<crate::model::SmokeSettings>)> = loaded
        .desired
        .objects
        .iter()
        .filter(|o| o.kind.name == "team")
        .map(|o| (o.key.clone(), o.settings.smoke.clone()))
        .collect();
    let chosen: Vec<(String, Option<crate::model::SmokeSettings>)> = match &args.team {
        Some(team) => vec![(
            team.clone(),
            marked
                .iter()
                .find(|(k, _)| k == team)
                .and_then(|(_, s)| s.clone()),
        )],
        None => marked.into_iter().filter(|(_, s)| s.is_some()).collect(),
    };
    if chosen.is_empty() {
        return Err(Error::Usage(format!(
            "no team in {} has smoke settings: add `x-wxcc: {{smoke: {{dialNumber: \"+13125550100\", idleCode: Lunch}}}}` to a team, or pass --team, --dial-number and --idle-code; nothing was sent",
            args.path.display()
        )));
    }
    let mut targets = Vec::new();
    for (team, smoke) in chosen {
        let dial_number = args
            .dial_number
            .clone()
            .or_else(|| smoke.as_ref().map(|s| s.dial_number.clone()));
        let idle_code = args
            .idle_code
            .clone()
            .or_else(|| smoke.as_ref().map(|s| s.idle_code.clone()));
        let extension = args.extension || smoke.as_ref().is_some_and(|s| s.extension);
        let (Some(dial_number), Some(idle_code)) = (dial_number, idle_code) else {
            return Err(Error::Usage(format!(
                "team `{team}` has no smoke settings in the config: pass --dial-number and --idle-code; nothing was sent"
            )));
        };
        check_dial_number(&dial_number, extension)?;
        targets.push(Target {
            team,
            dial_number,
            extension,
            idle_code,
        });
    }
    let session = Session::connect(settings).await?;
    let result = run_targets(&session, &targets, Duration::from_secs(args.timeout)).await;
    session.close().await;
    result
}

async fn run_targets(
    session: &Session,
    targets: &[Target],
    timeout: Duration,
) -> Result<(), Error> {
    let client = &session.client;
    for target in targets {
        anstream::println!(
            "Smoke test of team \"{}\" on {} (idle code {}) against {}:",
            target.team,
            target.dial_number,
            target.idle_code,
            session.describe()
        );
        let started = Instant::now();
        let resolved = async {
            let team_id = resolve(client, "team", &target.team, |_| true).await?;
            let idle_code_id =
                resolve(client, "auxiliary-code", &target.idle_code, is_idle_code).await?;
            Ok::<_, Error>((team_id, idle_code_id))
        }
        .await;
        let (team_id, idle_code_id) = match resolved {
            Ok(ids) => {
                print_step("resolve", started.elapsed(), None);
                ids
            }
            Err(e) => {
                let why = e.to_string();
                print_step("resolve", started.elapsed(), Some(&why));
                return Err(failed(&target.team, "resolve", &why));
            }
        };
        let plan = SmokePlan {
            team_id,
            dial_number: target.dial_number.clone(),
            extension: target.extension,
            idle_code_id,
            timeout,
        };
        let mut report = |step: Step<'_>| {
            let why = step.failure.map(ToString::to_string);
            print_step(step.name, step.took, why.as_deref());
        };
        if let Err((step, e)) = run_steps(client, &plan, &mut report).await {
            return Err(failed(&target.team, step, &e.to_string()));
        }
        anstream::println!(
            "Smoke test of team \"{}\" passed in {:.2} s.",
            target.team,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn print_step(name: &str, took: Duration, failure: Option<&str>) {
    match failure {
        None => anstream::println!("  ok      {name:<16} {:>7.3} s", took.as_secs_f64()),
        Some(why) => anstream::println!(
            "  FAILED  {name:<16} {:>7.3} s  {}",
            took.as_secs_f64(),
            clean(why)
        ),
    }
}

fn failed(team: &str, step: &str, why: &str) -> Error {
    Error::Usage(format!(
        "smoke test of team \"{team}\" failed at step `{step}`: {why}"
    ))
}
