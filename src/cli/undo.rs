//! `wxcc undo [JOURNAL]`: reverse an apply from its journal. The journal is read (and
//! refused when it is not one, or from another org), live state is read, the inverse is
//! built as a plan (`apply::undo`), checked like any plan (objects changed since, blast
//! radius of its deletes), shown, confirmed and applied — keeping a journal of its own,
//! which names the journal it undoes. Without JOURNAL: the last apply of this org that is
//! not an undo and was not undone yet, so undoing again walks further back.

use std::path::{Path, PathBuf};

use super::apply::{Execute, confirm, execute};
use super::args::UndoArgs;
use super::blast;
use super::plan::Prepared;
use super::session::{Session, fetch_live, kinds_in_play, read_whole};
use super::settings::Settings;
use crate::apply::journal::{Act, JOURNAL_DIR, Journal, Status};
use crate::apply::undo::inverse;
use crate::catalogue::Kind;
use crate::config::{self, Sources};
use crate::error::Error;
use crate::model::Desired;
use crate::plan::render::{Format, render};
use crate::plan::{PlanOptions, route_refusals, walk_refusals};

pub async fn run(args: &UndoArgs, settings: &Settings) -> Result<(), Error> {
    // Journals are read before anything is sent: a broken one stops here.
    let journals = match &args.journal {
        Some(path) => (
            Some((path.clone(), Journal::read(path).map_err(Error::Load)?)),
            all_journals(Path::new(JOURNAL_DIR), false)?,
        ),
        None => (None, all_journals(Path::new(JOURNAL_DIR), true)?),
    };
    let session = Session::connect(settings).await?;
    let result = undo(settings, &session, journals).await;
    match result {
        Ok(Some(prepared_plan)) => {
            let (prepared, undoes) = prepared_plan.finish(session);
            let outcome = match confirm(&prepared, args.auto_approve) {
                Ok(()) => {
                    anstream::println!();
                    execute(
                        &prepared,
                        Execute {
                            color: settings.color_out,
                            bulk_chunk: usize::from(crate::apply::DEFAULT_BULK_CHUNK),
                            report: None,
                            undoes: Some(undoes),
                        },
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            prepared.session.close().await;
            outcome
        }
        Ok(None) => {
            session.close().await;
            Ok(())
        }
        Err(e) => {
            session.close().await;
            Err(e)
        }
    }
}

/// A journal file and what it holds.
type Found = (PathBuf, Journal);

/// An undo ready to confirm, before the session is handed over.
struct Ready {
    live: crate::model::Live,
    plan: crate::plan::Plan,
    journal_name: String,
}

impl Ready {
    fn finish(self, session: Session) -> (Prepared, String) {
        (
            Prepared {
                session,
                live: self.live,
                plan: self.plan,
                declared: 0,
                // An undo reads no config files and no environment values.
                config_digest: String::new(),
                secrets: Vec::new(),
                origins: Default::default(),
            },
            self.journal_name,
        )
    }
}

/// Picks the journal, reads live state and builds the checked inverse; prints it. `None`
/// when there is nothing to undo (said on stdout).
async fn undo(
    settings: &Settings,
    session: &Session,
    journals: (Option<Found>, Vec<Found>),
) -> Result<Option<Ready>, Error> {
    let org = session.client.org().to_string();
    let (named, others) = journals;
    let picked = match named {
        Some((path, journal)) => {
            if journal.org != org {
                return Err(Error::Usage(format!(
                    "{} is the journal of an apply to org {}, but this run is signed in to org {org}; refusing to undo it here. Nothing was changed.",
                    path.display(),
                    crate::model::printable(&journal.org)
                )));
            }
            Some((path, journal))
        }
        None => last_not_undone(&others, &org),
    };
    let Some((path, journal)) = picked else {
        anstream::println!(
            "Nothing to undo: no apply to org {org} in {JOURNAL_DIR} that is not undone yet."
        );
        return Ok(None);
    };
    if !journal.did_anything() {
        anstream::println!(
            "Nothing to undo: the apply in {} changed nothing.",
            path.display()
        );
        return Ok(None);
    }
    let mut kinds: Vec<&'static Kind> = Vec::new();
    for e in &journal.changes {
        if let Some(k) = Kind::named(&e.kind)
            && !kinds.iter().any(|x| x.name == k.name)
        {
            kinds.push(k);
        }
    }
    let names: Vec<&'static str> = kinds.iter().map(|k| k.name).collect();
    let read = kinds_in_play(&kinds, &names);
    let live = fetch_live(&session.client, &read, &session.progress).await;
    session.progress.done_reading();
    let mut live = live?;
    let incomplete = incomplete_objects(&journal, &live);
    live.replace_objects(read_whole(&session.client, incomplete).await?);
    let later = later_than(&journal, others);
    let (mut plan, mut diagnostics, notes) = inverse(&journal, &later, &live);
    plan.budget = Some(super::plan::budget(
        &plan,
        settings,
        crate::apply::DEFAULT_BULK_CHUNK,
    ));
    let options = PlanOptions {
        incoming_route: blast::route_kinds(),
        ..PlanOptions::default()
    };
    let nothing = Desired::default();
    diagnostics.extend(walk_refusals(&plan, &nothing, &live, &options));
    let reported = blast::reported(&session.client, &plan, &options.incoming_route).await?;
    diagnostics.extend(route_refusals(&plan, &reported, &nothing, &live, &options));
    for note in &notes {
        eprintln!("note: {note}");
    }
    if !diagnostics.is_empty() {
        anstream::eprint!(
            "{}",
            config::render(&diagnostics, &Sources::default(), settings.color_err)
        );
        return Err(Error::Plan {
            summary: config::summary_line(&diagnostics),
        });
    }
    if plan.is_empty() {
        anstream::println!(
            "Nothing to undo: the tenant is already as it was before the apply in {}.",
            path.display()
        );
        return Ok(None);
    }
    anstream::println!(
        "Undo of the apply in {} (started {}):\n",
        path.display(),
        crate::model::printable(&journal.started)
    );
    anstream::print!("{}", render(&plan, Format::Text, settings.color_out));
    let journal_name = file_name(&path);
    Ok(Some(Ready {
        live,
        plan,
        journal_name,
    }))
}

/// The live objects of the journal (by id or key) to read whole, when their list rows leave
/// fields out: those the undo may delete (of a kind the apply created objects of), so that
/// the undo's own journal keeps them whole for undoing it in turn, and those whose rows
/// leave out a back-link to such a kind, so that the undo's deletes go after the deletes of
/// what points at them and a restore letting go of a deleted object goes first
/// (`plan::order`, `apply::deps`).
fn incomplete_objects(
    journal: &Journal,
    live: &crate::model::Live,
) -> Vec<(&'static Kind, String)> {
    let done = || journal.changes.iter().filter(|e| e.status == Status::Done);
    let mut deleting: Vec<&str> = done()
        .filter(|e| e.action == Act::Create)
        .map(|e| e.kind.as_str())
        .collect();
    deleting.sort_unstable();
    deleting.dedup();
    let mut read = Vec::new();
    for kind in crate::catalogue::KINDS.iter().filter(|k| {
        (deleting.contains(&k.name) && !k.list_omits.is_empty()) || hides_back_link(k, &deleting)
    }) {
        let entries: Vec<_> = done().filter(|e| e.kind == kind.name).collect();
        for o in live.of_kind(kind.name) {
            let named = entries.iter().any(|e| {
                e.id.as_deref() == Some(o.id.as_str()) || o.key.as_deref() == Some(&e.key)
            });
            if named && !o.complete {
                read.push((kind, o.id.clone()));
            }
        }
    }
    read
}

/// Whether `kind`'s list rows leave out a back-link (a deferred reference) to one of the
/// `deleting` kinds.
fn hides_back_link(kind: &Kind, deleting: &[&str]) -> bool {
    kind.references.iter().any(|r| {
        r.deferred
            && deleting.contains(&r.target)
            && kind.list_omits(r.field.split(['[', '.']).next().unwrap_or(r.field))
    })
}

/// Every journal in `dir`, oldest first. A file that is not a journal is an error naming
/// it when `strict` (the default journal is picked among them), else left out.
fn all_journals(dir: &Path, strict: bool) -> Result<Vec<(PathBuf, Journal)>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Load(format!("cannot list {}: {e}", dir.display()))),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
        })
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        match Journal::read(&p) {
            Ok(j) => out.push((p, j)),
            Err(e) if strict => {
                return Err(Error::Load(format!(
                    "{e}. Move it out of {JOURNAL_DIR}, or name the journal to undo"
                )));
            }
            Err(_) => {}
        }
    }
    out.sort_by_key(|(p, j)| (started(j), p.clone()));
    Ok(out)
}

/// When a journal's apply started, for ordering.
fn started(j: &Journal) -> Option<jiff::Timestamp> {
    j.started.parse().ok()
}

/// The journals of the same org as `journal` that started after it, by file name, oldest
/// first.
fn later_than(journal: &Journal, all: Vec<(PathBuf, Journal)>) -> Vec<(String, Journal)> {
    let from = started(journal);
    all.into_iter()
        .filter(|(_, j)| j.org == journal.org && started(j) > from)
        .map(|(p, j)| (file_name(&p), j))
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The last journal of `org` that is not an undo and that no finished undo names: an undo
/// that stopped part-way (a failure, a signal) leaves its apply to undo again, and running
/// `wxcc undo` again finishes it.
fn last_not_undone(journals: &[(PathBuf, Journal)], org: &str) -> Option<(PathBuf, Journal)> {
    let undone: Vec<String> = journals
        .iter()
        .filter(|(_, j)| j.did_anything() && j.finished())
        .filter_map(|(_, j)| j.undoes.clone())
        .collect();
    journals
        .iter()
        .rev()
        .find(|(p, j)| {
            j.org == org
                && j.undoes.is_none()
                && j.did_anything()
                && !undone.contains(&file_name(p))
        })
        .cloned()
}
