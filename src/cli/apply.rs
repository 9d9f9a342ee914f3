//! `wxcc apply PATH`: plan, show, confirm, apply (each result printed as it completes;
//! SIGINT/SIGTERM stop it cleanly, a second one at once), report exactly what was done.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};

use super::apply_report;
use super::args::ApplyArgs;
use super::plan::{Prepared, prepare};
use super::saved;
use super::settings::Settings;
use crate::apply::journal::{JOURNAL_DIR, Recorder};
use crate::apply::{ApplyReport, Outcome, apply};
use crate::config::{Secret, redact};
use crate::error::Error;
use crate::model::printable;
use crate::plan::render::{Format, change_title};
use crate::plan::{Action, Change, Pass};

pub async fn run(args: &ApplyArgs, settings: &Settings) -> Result<(), Error> {
    if let Some(path) = &args.report {
        apply_report::check(path)?;
    }
    let prepared = if saved::is_saved_plan(&args.change.path) {
        saved::prepare_apply(args, settings).await?
    } else {
        prepare(&args.change, settings).await?
    };
    if prepared.plan.is_empty() {
        anstream::println!("No changes.");
        prepared.session.close().await;
        return Ok(());
    }
    if let Some(refusal) = empty_config_deletes(args, &prepared) {
        prepared.session.close().await;
        return Err(refusal);
    }
    anstream::print!("{}", prepared.render(Format::Text, settings.color_out));
    if let Err(e) = confirm(&prepared, args.auto_approve) {
        prepared.session.close().await;
        return Err(e);
    }
    anstream::println!();
    let how = Execute {
        color: settings.color_out,
        bulk_chunk: usize::from(args.change.bulk_chunk),
        report: args.report.as_deref(),
        undoes: None,
    };
    let result = execute(&prepared, how).await;
    prepared.session.close().await;
    result
}

/// Asks to apply the plan shown (unless `auto_approve`); refused when stdin is not a
/// terminal.
pub(super) fn confirm(prepared: &Prepared, auto_approve: bool) -> Result<(), Error> {
    if auto_approve {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::NotConfirmed(
            "refusing to apply without confirmation: stdin is not a terminal. Review the plan above and pass --auto-approve to apply it unattended (as in CI). Nothing was changed.".into(),
        ));
    }
    let prompt = confirm_prompt(&prepared.plan.changes, &prepared.session.describe());
    let confirmed = dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()
        .unwrap_or(false);
    if confirmed {
        Ok(())
    } else {
        Err(Error::NotConfirmed(
            "apply cancelled; nothing was changed".into(),
        ))
    }
}

/// How [`execute`] runs a confirmed plan.
pub(super) struct Execute<'a> {
    pub color: bool,
    /// Objects a bulk request (`--bulk-chunk`; 0 for single calls).
    pub bulk_chunk: usize,
    /// Where `--report` writes one row per change.
    pub report: Option<&'a std::path::Path>,
    /// The journal an undo reverses.
    pub undoes: Option<String>,
}

/// Applies a confirmed plan, keeping its undo journal (`.wxcc/journal/`) as it goes,
/// printing each result, then the summary (and the `--report` file).
pub(super) async fn execute(prepared: &Prepared, how: Execute<'_>) -> Result<(), Error> {
    let Execute {
        color,
        bulk_chunk,
        report: report_to,
        undoes,
    } = how;
    let plan = &prepared.plan;
    // What to run again after a failure: an undo is finished by naming the journal it
    // undoes (and is reversed by naming its own: `wxcc undo` alone skips undos).
    let rerun = match &undoes {
        // A file name read from the journal folder: printed, so made printable.
        Some(name) => format!("wxcc undo {JOURNAL_DIR}/{}", crate::model::printable(name)),
        None => "wxcc apply".to_string(),
    };
    let is_undo = undoes.is_some();
    let mut recorder = Recorder::start(
        std::path::Path::new(JOURNAL_DIR),
        prepared.session.client.org(),
        plan,
        undoes,
    )
    .map_err(|e| Error::Usage(format!("{e}; nothing was changed")))?;
    let path = recorder.path().display().to_string();
    if is_undo {
        anstream::println!("Journal: {path} (`wxcc undo {path}` reverses this undo)");
    } else {
        anstream::println!("Journal: {path} (`wxcc undo` reverses this apply)");
    }
    let mut print = |n: usize, change: &Change, outcome: &Outcome| {
        print_outcome(change, outcome, color, &prepared.secrets);
        recorder.record(n, outcome);
    };
    let stop = Arc::new(AtomicBool::new(false));
    // Watched from here, before the first write: made inside the spawned task, the
    // watch began only when the task first ran, and a signal before then killed the run
    // without its report.
    let signals = tokio::spawn(watch_signals(Signals::new(), stop.clone()));
    let report = apply(
        plan,
        &prepared.live,
        &prepared.session.client,
        bulk_chunk,
        stop,
        &mut print,
    )
    .await;
    signals.abort();
    if let Some(e) = recorder.finish() {
        eprintln!("warning: {e}; `wxcc undo` cannot reverse all of this apply");
    }
    let summary = summarize(&report, &prepared.secrets, &rerun);
    if let Some(path) = report_to {
        apply_report::write(path, &report, &prepared.origins)?;
        anstream::println!("Report written to {}.", path.display());
    }
    summary
}

/// Watches for SIGINT and SIGTERM during an apply. The first sets `stop`: no new write
/// starts, the ones in flight finish and the report is printed. The second exits at once.
async fn watch_signals(signals: Option<Signals>, stop: Arc<AtomicBool>) {
    let Some(mut signals) = signals else {
        return;
    };
    while signals.next().await {
        if stop.swap(true, Ordering::SeqCst) {
            eprintln!(
                "\nSecond signal: exiting now. Changes in flight may or may not have landed; run `wxcc plan` to see where the tenant stands."
            );
            std::process::exit(130);
        }
        eprintln!(
            "\nInterrupted: starting no new changes; waiting for the ones in flight, then reporting. Signal again to exit at once."
        );
    }
}

/// SIGINT and SIGTERM, watched from when this is made (so none is missed in between).
#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            int: signal(SignalKind::interrupt()).ok()?,
            term: signal(SignalKind::terminate()).ok()?,
        })
    }

    /// Waits for the next signal; false when they can no longer be watched.
    async fn next(&mut self) -> bool {
        tokio::select! {
            s = self.int.recv() => s.is_some(),
            s = self.term.recv() => s.is_some(),
        }
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Option<Signals> {
        Some(Signals)
    }

    async fn next(&mut self) -> bool {
        tokio::signal::ctrl_c().await.is_ok()
    }
}

/// Prints the totals and, when not everything was done, what failed, what was skipped and
/// why, and what was not attempted.
fn summarize(report: &ApplyReport, secrets: &[Secret], rerun: &str) -> Result<(), Error> {
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
    let listed = |f: fn(&Outcome) -> Option<String>| -> Vec<String> {
        report
            .outcomes
            .iter()
            .filter_map(|(c, o)| {
                f(o).map(|why| redact(&format!("  {}{why}", change_title(c)), secrets))
            })
            .collect()
    };
    let failed = listed(|o| match o {
        Outcome::Failed(e) => Some(format!(": {e}")),
        _ => None,
    });
    let skipped = listed(|o| match o {
        Outcome::Skipped(why) => Some(format!(": {why}")),
        _ => None,
    });
    let not_attempted = listed(|o| matches!(o, Outcome::NotAttempted).then(String::new));
    anstream::println!(
        "\nApply {}: {} done ({} created, {} updated, {} deleted), {} failed, {} skipped, {} not attempted.",
        if report.interrupted {
            "interrupted"
        } else {
            "finished with failures"
        },
        report.count(|o| matches!(o, Outcome::Done { .. })),
        done(Action::Create),
        done(Action::Update),
        done(Action::Delete),
        failed.len(),
        skipped.len(),
        not_attempted.len()
    );
    for (title, lines) in [
        ("Failed:", &failed),
        (
            "Skipped (they need a change that did not go through):",
            &skipped,
        ),
        ("Not attempted (the run was interrupted):", &not_attempted),
    ] {
        if !lines.is_empty() {
            anstream::println!("{title}");
            for line in lines {
                anstream::println!("{line}");
            }
        }
    }
    anstream::println!(
        "Nothing else was changed. Fix the cause and run `{rerun}` again: it reads the tenant afresh and carries on from where this run stopped."
    );
    if report.interrupted {
        Err(Error::Interrupted)
    } else {
        Err(Error::ApplyFailed)
    }
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

/// "Apply this change to …?" or "Apply these N changes to …?", naming the deletes among
/// them, which cannot be undone.
fn confirm_prompt(changes: &[Change], target: &str) -> String {
    let deletes = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .count();
    let what = match (changes.len(), deletes) {
        (1, 1) => "this change (a DELETE)".to_string(),
        (1, _) => "this change".to_string(),
        (n, 0) => format!("these {n} changes"),
        (n, 1) => format!("these {n} changes (1 of them a DELETE)"),
        (n, d) if d == n => format!("these {n} changes (all DELETES)"),
        (n, d) => format!("these {n} changes ({d} of them DELETES)"),
    };
    format!("Apply {what} to {target}?")
}

/// Prints one change's outcome; environment values (`secrets`) show as their placeholders.
fn print_outcome(change: &Change, outcome: &Outcome, color: bool, secrets: &[Secret]) {
    let past = match change.action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Delete => "deleted",
    };
    // The key of a delete comes from the server.
    let what = redact(
        &format!("{} \"{}\"", change.kind.name, printable(&change.key)),
        secrets,
    );
    let paint = |c: AnsiColor, s: &str| {
        let style = Style::new().fg_color(Some(c.into()));
        if color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    };
    match outcome {
        Outcome::Done { id, note, .. } => {
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
            "{} failed to {} {what}: {}",
            paint(AnsiColor::Red, "✗"),
            change.action.word(),
            redact(&e.to_string(), secrets)
        ),
        Outcome::Skipped(why) => anstream::println!(
            "{} skipped: did not {} {what}: {why}",
            paint(AnsiColor::Yellow, "○"),
            change.action.word()
        ),
        Outcome::NotAttempted => {}
    }
}
