//! `wxcc plan PATH`: read live state, build the plan, show it.

use super::args::{ChangeArgs, PlanArgs, PlanFormat};
use super::session::{Session, complete_live, fetch_live, kinds_in_play};
use super::settings::Settings;
use super::validate::{Check, load_checked};
use crate::catalogue::{Kind, kind_names};
use crate::config::{self, Loaded, did_you_mean};
use crate::error::Error;
use crate::model::Live;
use crate::plan::render::{Format, render};
use crate::plan::{DeleteThreshold, Plan, PlanOptions, build};

/// What `plan` and `apply` both need: a session, live state and the plan.
pub struct Prepared {
    pub session: Session,
    pub live: Live,
    pub plan: Plan,
    /// How many objects the config declares.
    pub declared: usize,
    /// Where each declared object is written (`file:line`), for `apply --report`.
    pub origins: super::apply_report::Origins,
}

pub async fn run(args: &PlanArgs, settings: &Settings) -> Result<u8, Error> {
    let prepared = prepare(&args.change, settings).await?;
    let format = match args.format {
        PlanFormat::Text => Format::Text,
        PlanFormat::Json => Format::Json,
        PlanFormat::Markdown => Format::Markdown,
    };
    anstream::print!("{}", render(&prepared.plan, format, settings.color_out));
    let changes = !prepared.plan.is_empty();
    prepared.session.close().await;
    Ok(if args.detailed_exitcode && changes {
        2
    } else {
        0
    })
}

/// Loads and validates the config (offline: nothing is sent when it has errors), then
/// connects, reads live state and builds the plan.
pub async fn prepare(args: &ChangeArgs, settings: &Settings) -> Result<Prepared, Error> {
    let loaded = load_checked(&args.path, settings.color_err, Check::BeforeSending)?;
    let delete_kinds = delete_kinds(&args.delete, &loaded)?;
    let session = Session::connect(settings).await?;
    let kinds = kinds_in_play(&loaded.desired.kinds(), &delete_kinds);
    let fetched = match fetch_live(&session.client, &kinds, &session.progress).await {
        Ok(mut live) => complete_live(&session.client, &loaded.desired, &mut live)
            .await
            .map(|_| live),
        Err(e) => Err(e),
    };
    session.progress.done_reading();
    let live = match fetched {
        Ok(live) => live,
        Err(e) => {
            session.close().await;
            return Err(e.into());
        }
    };
    let options = PlanOptions {
        delete_kinds,
        delete_threshold: DeleteThreshold {
            max_percent: args.max_delete_percent,
        },
    };
    let (plan, diagnostics) = build(&loaded.desired, &live, &options);
    if !diagnostics.is_empty() {
        anstream::eprint!(
            "{}",
            config::render(&diagnostics, &loaded.sources, settings.color_err)
        );
    }
    if diagnostics.iter().any(|d| d.is_error()) {
        session.close().await;
        return Err(Error::Plan {
            summary: config::summary_line(&diagnostics),
        });
    }
    let origins = loaded
        .desired
        .objects
        .iter()
        .map(|o| {
            let at = loaded.sources.location(o.key_span);
            let line = at.rsplit_once(':').map_or(at.as_str(), |(l, _)| l);
            ((o.kind.name, o.key.clone()), line.to_string())
        })
        .collect();
    Ok(Prepared {
        session,
        live,
        plan,
        declared: loaded.desired.objects.len(),
        origins,
    })
}

fn delete_kinds(requested: &[String], loaded: &Loaded) -> Result<Vec<&'static str>, Error> {
    let mut kinds = Vec::new();
    for name in requested
        .iter()
        .flat_map(|r| r.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if name == "all" {
            kinds.extend(loaded.desired.kinds().iter().map(|k| k.name));
            continue;
        }
        match Kind::named(name) {
            Some(k) => kinds.push(k.name),
            None => {
                let hint = did_you_mean(name, kind_names())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(Error::Usage(format!(
                    "--delete: unknown kind `{name}`{hint}"
                )));
            }
        }
    }
    kinds.dedup();
    Ok(kinds)
}
