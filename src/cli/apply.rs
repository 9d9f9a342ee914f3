//! `wxcc apply PATH`: plan, show, confirm, apply, report exactly what was done.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Style};

use super::args::ApplyArgs;
use super::plan::{Prepared, prepare};
use super::settings::Settings;
use crate::apply::{Outcome, apply};
use crate::error::Error;
use crate::plan::render::{Format, change_title, render};
use crate::plan::{Action, Change, Pass};

pub async fn run(args: &ApplyArgs, settings: &Settings) -> Result<(), Error> {
    let prepared = prepare(&args.change, settings).await?;
    if prepared.plan.is_empty() {
        anstream::println!("No changes.");
        prepared.session.close().await;
        return Ok(());
    }
    if let Some(refusal) = empty_config_deletes(args, &prepared) {
        prepared.session.close().await;
        return Err(refusal);
    }
    anstream::print!(
        "{}",
        render(&prepared.plan, Format::Text, settings.color_out)
    );
    if !args.auto_approve {
        if !std::io::stdin().is_terminal() {
            prepared.session.close().await;
            return Err(Error::NotConfirmed(
                "refusing to apply without confirmation: stdin is not a terminal. Review the plan above and pass --auto-approve to apply it unattended (as in CI). Nothing was changed.".into(),
            ));
        }
        let prompt = format!(
            "Apply these {} changes to {}?",
            prepared.plan.changes.len(),
            prepared.session.describe()
        );
        let confirmed = dialoguer::Confirm::new()
            .with_prompt(prompt)
            .default(false)
            .interact()
            .unwrap_or(false);
        if !confirmed {
            prepared.session.close().await;
            return Err(Error::NotConfirmed(
                "apply cancelled; nothing was changed".into(),
            ));
        }
    }
    anstream::println!();
    let color = settings.color_out;
    let mut print = |change: &Change, outcome: &Outcome| print_outcome(change, outcome, color);
    let report = apply(
        &prepared.plan,
        &prepared.live,
        &prepared.session.client,
        &mut print,
    )
    .await;
    prepared.session.close().await;
    let done = |a: Action| {
        report
            .outcomes
            .iter()
            .filter(|(c, o)| c.action == a && matches!(o, Outcome::Done { .. }))
            .count()
    };
    if report.succeeded() {
        anstream::println!(
            "\nApply complete: {} created, {} updated, {} deleted.",
            done(Action::Create),
            done(Action::Update),
            done(Action::Delete)
        );
        return Ok(());
    }
    let failed = report.count(|o| matches!(o, Outcome::Failed(_)));
    let skipped: Vec<&Change> = report
        .outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::NotAttempted))
        .map(|(c, _)| c)
        .collect();
    anstream::println!(
        "\nApply stopped: {} done ({} created, {} updated, {} deleted), {failed} failed, {} not attempted.",
        report.count(|o| matches!(o, Outcome::Done { .. })),
        done(Action::Create),
        done(Action::Update),
        done(Action::Delete),
        skipped.len()
    );
    if !skipped.is_empty() {
        anstream::println!("Not attempted:");
        for c in skipped {
            anstream::println!("  {}", change_title(c));
        }
    }
    anstream::println!(
        "Nothing else was changed. Fix the cause and run `wxcc apply` again: it reads the tenant afresh and carries on from where this run stopped."
    );
    Err(Error::ApplyFailed)
}

/// A config that declares nothing, applied with `--delete`, deletes every live object of
/// the kinds named: most likely an emptied or mis-pointed config, so it needs
/// `--allow-empty-config`.
fn empty_config_deletes(args: &ApplyArgs, prepared: &Prepared) -> Option<Error> {
    if prepared.declared > 0 || args.allow_empty_config {
        return None;
    }
    let mut deletes: Vec<(&str, usize)> = Vec::new();
    for change in prepared
        .plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
    {
        match deletes.iter_mut().find(|(k, _)| *k == change.kind.name) {
            Some((_, n)) => *n += 1,
            None => deletes.push((change.kind.name, 1)),
        }
    }
    if deletes.is_empty() {
        return None;
    }
    let what: Vec<String> = deletes
        .iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    Some(Error::NotConfirmed(format!(
        "refusing to apply: {} declares no objects, so this plan would delete every live object of the kinds given to --delete ({}). If that is what you want, pass --allow-empty-config. Nothing was changed.",
        args.change.path.display(),
        what.join(", ")
    )))
}

fn print_outcome(change: &Change, outcome: &Outcome, color: bool) {
    let past = match change.action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Delete => "deleted",
    };
    let what = format!("{} \"{}\"", change.kind.name, change.key);
    let paint = |c: AnsiColor, s: &str| {
        let style = Style::new().fg_color(Some(c.into()));
        if color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    };
    match outcome {
        Outcome::Done { id, note } => {
            let pass = match change.pass {
                Pass::Main => "",
                Pass::BackLinks => " (second pass)",
                Pass::Cleanup => " (last pass)",
            };
            let color = match change.action {
                Action::Create => AnsiColor::Green,
                Action::Update => AnsiColor::Yellow,
                Action::Delete => AnsiColor::Red,
            };
            anstream::println!(
                "{} {past} {what}{pass} (id {id})",
                paint(color, change.action.sign())
            );
            if let Some(n) = note {
                anstream::println!("    note: {n}");
            }
        }
        Outcome::Failed(e) => anstream::println!(
            "{} failed to {} {what}: {e}",
            paint(AnsiColor::Red, "✗"),
            change.action.word()
        ),
        Outcome::NotAttempted => {}
    }
}
