//! `wxcc plan PATH`: read live state, build the plan, show it.

use super::args::{ChangeArgs, PlanArgs, PlanFormat};
use super::saved;
use super::session::{Session, complete_live, fetch_live, kinds_in_play};
use super::settings::Settings;
use super::validate::{Check, load_checked};
use crate::apply::requests;
use crate::catalogue::{Kind, kind_names};
use crate::config::{self, Loaded, did_you_mean};
use crate::error::Error;
use crate::model::Live;
use crate::plan::render::{Format, render};
use crate::plan::{Budget, DeleteThreshold, Plan, PlanOptions, build};

/// What `plan` and `apply` both need: a session, live state and the plan.
pub struct Prepared {
    pub session: Session,
    pub live: Live,
    pub plan: Plan,
    /// How many objects the config declares.
    pub declared: usize,
    /// The digest of the config's files (see `saved::config_digest`).
    pub config_digest: String,
    /// Environment values the config used: a rendered plan shows their placeholders.
    pub secrets: Vec<config::Secret>,
}

impl Prepared {
    /// The plan rendered, environment values hidden.
    pub fn render(&self, format: Format, color: bool) -> String {
        config::redact(&render(&self.plan, format, color), &self.secrets)
    }
}

pub async fn run(args: &PlanArgs, settings: &Settings) -> Result<u8, Error> {
    let prepared = prepare(&args.change, settings).await?;
    let format = match args.format {
        PlanFormat::Text => Format::Text,
        PlanFormat::Json => Format::Json,
        PlanFormat::Markdown => Format::Markdown,
    };
    anstream::print!("{}", prepared.render(format, settings.color_out));
    if let Some(out) = &args.out
        && let Err(e) = saved::save(out, &args.change.path, &prepared)
    {
        prepared.session.close().await;
        return Err(e);
    }
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
    let mut loaded = load_checked(
        &args.path,
        args.kind.as_deref(),
        &args.vars,
        settings.color_err,
        Check::BeforeSending,
    )?;
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
    // CSV reference cells may hold live ids; the plan works with keys.
    let sources = &loaded.sources;
    config::live_ids_to_keys(&mut loaded.desired, &live, &|file| {
        sources
            .files
            .get(file)
            .is_some_and(|f| config::is_csv(&f.path))
    });
    let (mut plan, diagnostics) = build(&loaded.desired, &live, &options);
    plan.budget = Some(budget(&plan, settings));
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
    Ok(Prepared {
        session,
        live,
        plan,
        declared: loaded.desired.objects.len(),
        config_digest: saved::config_digest(&loaded.sources),
        secrets: loaded.sources.secrets,
    })
}

/// What applying `plan` costs at the run's rate limit, counted from the requests the
/// apply will send.
pub fn budget(plan: &Plan, settings: &Settings) -> Budget {
    Budget {
        requests: requests(plan).len(),
        per_minute: settings.rate_limit,
    }
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
