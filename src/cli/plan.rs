//! `wxcc plan PATH`: read live state, build the plan, show it.

use super::args::{ChangeArgs, PlanArgs, PlanFormat};
use super::blast;
use super::saved;
use super::scope::Scope;
use super::session::{Session, complete_live, fetch_live, kinds_in_play};
use super::settings::Settings;
use super::validate::{Check, load_checked};
use crate::apply::requests;
use crate::catalogue::{Kind, kind_names};
use crate::config::{self, Loaded, did_you_mean};
use crate::error::Error;
use crate::model::Live;
use crate::plan::render::{Format, render};
use crate::plan::{Budget, DeleteThreshold, Plan, PlanOptions, build, route_refusals};

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
    /// Where each declared object is written (`file:line`), for `apply --report`.
    pub origins: super::apply_report::Origins,
}

impl Prepared {
    /// The plan rendered, environment values hidden.
    pub fn render(&self, format: Format, color: bool) -> String {
        config::redact(&render(&self.plan, format, color), &self.secrets)
    }
}

pub async fn run(args: &PlanArgs, settings: &Settings) -> Result<u8, Error> {
    let prepared = prepare(&args.change, settings).await?;
    let format = plan_format(args.format);
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

/// The renderer a `--format` asks for.
pub(crate) fn plan_format(format: PlanFormat) -> Format {
    match format {
        PlanFormat::Text => Format::Text,
        PlanFormat::Json => Format::Json,
        PlanFormat::Markdown => Format::Markdown,
    }
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
    let scope = Scope::parse(&args.target, &args.exclude)?;
    let session = Session::connect(settings).await?;
    let kinds = kinds_in_play(&loaded.desired.kinds(), &delete_kinds);
    let fetched = match fetch_live(&session.client, &kinds, &session.progress).await {
        Ok(mut live) => complete_live(&session.client, &loaded.desired, &mut live, &delete_kinds)
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
    if let Err(e) = scope.unknown_keys(&loaded.desired, &live) {
        session.close().await;
        return Err(e);
    }
    let options = PlanOptions {
        delete_kinds,
        delete_threshold: DeleteThreshold {
            max_percent: args.max_delete_percent,
        },
        incoming_route: blast::route_kinds(),
    };
    // CSV reference cells may hold live ids; the plan works with keys.
    let sources = &loaded.sources;
    config::live_ids_to_keys(&mut loaded.desired, &live, &|file| {
        sources
            .files
            .get(file)
            .is_some_and(|f| config::is_csv(&f.path))
    });
    let (plan, mut diagnostics) = build(&loaded.desired, &live, &options);
    let (plan, out_of_scope) = if scope.is_everything() {
        (plan, Vec::new())
    } else {
        scope.restrict(plan, &loaded.desired, &live)
    };
    diagnostics.extend(out_of_scope);
    let mut plan = plan;
    plan.budget = Some(budget(&plan, settings, args.bulk_chunk));
    match blast::reported(&session.client, &plan, &options.incoming_route).await {
        Ok(reported) => diagnostics.extend(route_refusals(
            &plan,
            &reported,
            &loaded.desired,
            &live,
            &options,
        )),
        Err(e) => {
            session.close().await;
            return Err(e.into());
        }
    }
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
        config_digest: saved::config_digest(&loaded.sources),
        secrets: loaded.sources.secrets,
        origins,
    })
}

/// What applying `plan` costs at the run's rate limit, counted from the requests the
/// apply will send.
/// The apply's request budget for `plan`, writes going in bulk chunks of `bulk_chunk`.
pub fn budget(plan: &Plan, settings: &Settings, bulk_chunk: u16) -> Budget {
    Budget {
        requests: requests(plan, usize::from(bulk_chunk)).len(),
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
