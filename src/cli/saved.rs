//! Saved plans on disk: `plan --out FILE` writes one, `apply FILE` applies exactly it —
//! after checking, before any write, that it is whole and unedited, that this is the
//! wxcc and the org it was made with and for, that the files it uploads are the ones it
//! was made from, and that nothing it touches or points at changed live since — and
//! `show FILE` reads one. The format and the checks themselves are `plan::saved`.

use std::collections::BTreeSet;
use std::path::Path;

use super::args::ApplyArgs;
use super::plan::{Prepared, budget};
use super::session::{Session, fetch_live, kinds_in_play};
use super::settings::Settings;
use crate::atomic_file::write_atomically;
use crate::catalogue::Kind;
use crate::config::Sources;
use crate::error::Error;
use crate::model::{content_digest, printable};
use crate::plan::Action;
use crate::plan::saved::{SavedPlan, from_json, pins, stale, to_json};

/// The largest saved plan read (a plan of every object of a large tenant fits easily).
const MAX_PLAN_BYTES: u64 = 256 * 1024 * 1024;

/// The version of this wxcc, the only one that applies the plans it saves.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The content hash of a config: every file's text, in load order.
pub fn config_digest(sources: &Sources) -> String {
    let mut all = Vec::new();
    for file in &sources.files {
        all.extend_from_slice(format!("{}\n", file.text.len()).as_bytes());
        all.extend_from_slice(file.text.as_bytes());
    }
    content_digest(&all)
}

/// Writes the plan of `prepared` to `out` (atomically: a reader never sees half a file).
pub fn save(out: &Path, config: &Path, prepared: &Prepared) -> Result<(), Error> {
    let saved = SavedPlan {
        tool_version: TOOL_VERSION.to_string(),
        org: prepared.session.client.org().to_string(),
        base_url: bare_url(prepared.session.client.base_url()),
        config_path: config.to_string_lossy().into_owned(),
        config_digest: prepared.config_digest.clone(),
        declared: prepared.declared,
        pins: pins(&prepared.plan, &prepared.live),
        plan: prepared.plan.clone(),
    };
    let text = to_json(&saved);
    // Values from `${env.…}` are treated as secrets (docs/environments.md); a saved plan is
    // shared as a CI artifact, so one that would carry such a value is not written.
    let carried: Vec<String> = prepared
        .secrets
        .iter()
        .filter(|s| text.contains(&s.value))
        .map(|s| format!("${{env.{}}}", s.name))
        .collect();
    if !carried.is_empty() {
        return Err(Error::Usage(format!(
            "not saving the plan to {}: it would hold the value of {} in the clear (environment values are treated as secrets). Pass per-org values that are not secret with --vars, or apply the config itself",
            out.display(),
            carried.join(", ")
        )));
    }
    write_atomically(out, text.as_bytes())
        .map_err(|e| Error::Usage(format!("cannot write the plan to {}: {e}", out.display())))
}

/// A base URL without anything but scheme, host, port and path (no user info or query
/// can ride along into a file that is shared as a CI artifact).
fn bare_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => String::new(),
    }
}

/// Whether `apply PATH` means a saved plan: a file named `*.json`, or one whose content
/// starts with `{` (a YAML config never does in practice; a saved plan always does).
pub fn is_saved_plan(path: &Path) -> bool {
    if !path.is_file() {
        return false;
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return true;
    }
    crate::regular_file::read(path, MAX_PLAN_BYTES)
        .ok()
        .and_then(|bytes| bytes.into_iter().find(|b| !b.is_ascii_whitespace()))
        == Some(b'{')
}

/// Reads and checks a saved plan file: whole, a saved plan, unedited.
pub fn read(path: &Path) -> Result<SavedPlan, Error> {
    let shown = path.display();
    let bytes = crate::regular_file::read(path, MAX_PLAN_BYTES)
        .map_err(|e| Error::SavedPlan(format!("cannot read the saved plan {shown}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::SavedPlan(format!(
            "{shown} is not a saved plan: it is not UTF-8 text; nothing was changed"
        ))
    })?;
    from_json(&text).map_err(|u| {
        let at =
            u.at.map(|(line, col)| format!(":{line}:{col}"))
                .unwrap_or_default();
        Error::SavedPlan(format!("{shown}{at}: {}; nothing was changed", u.message))
    })
}

/// Everything `apply FILE` does before it may write: the file read and checked, the
/// uploads re-digested, the session opened on the same org, the objects the plan touches
/// read afresh and compared. Returns what `apply` runs, or the refusal.
pub async fn prepare_apply(args: &ApplyArgs, settings: &Settings) -> Result<Prepared, Error> {
    let path = &args.change.path;
    if !args.change.delete.is_empty() {
        return Err(Error::Usage(format!(
            "--delete is for `wxcc plan`: {} is a saved plan, applied exactly as it was made (its deletes included)",
            path.display()
        )));
    }
    let saved = read(path)?;
    let again = format!(
        "run `wxcc plan {} --out {}` again, review it, and apply the new plan. Nothing was changed",
        saved.config_path,
        path.display()
    );
    if saved.tool_version != TOOL_VERSION {
        return Err(Error::SavedPlan(format!(
            "{} was made by wxcc {}, and this is wxcc {TOOL_VERSION}: a saved plan is applied only by the version that made it; {again}.",
            path.display(),
            saved.tool_version
        )));
    }
    let files = changed_uploads(&saved);
    if !files.is_empty() {
        return Err(refusal(
            path,
            "files it uploads changed since",
            &files,
            &again,
        ));
    }
    let session = Session::connect(settings).await?;
    if session.client.org() != saved.org {
        let org = session.client.org().to_string();
        session.close().await;
        return Err(Error::SavedPlan(format!(
            "{} was made for org {}, and this run is signed in to org {org}: refusing to apply it to another org; {again}.",
            path.display(),
            saved.org
        )));
    }
    let mut touched: Vec<&'static Kind> = Vec::new();
    for c in &saved.plan.changes {
        if !touched.iter().any(|k| k.name == c.kind.name) {
            touched.push(c.kind);
        }
    }
    let deleted: BTreeSet<&'static str> = saved
        .plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.kind.name)
        .collect();
    let deleted: Vec<&'static str> = deleted.into_iter().collect();
    let kinds = kinds_in_play(&touched, &deleted);
    let fetched = fetch_live(&session.client, &kinds, &session.progress).await;
    session.progress.done_reading();
    let live = match fetched {
        Ok(live) => live,
        Err(e) => {
            session.close().await;
            return Err(e.into());
        }
    };
    let stale = stale(&saved, &live);
    if !stale.is_empty() {
        session.close().await;
        return Err(refusal(
            path,
            "the tenant changed since it was made, so it is no longer what was reviewed",
            &stale,
            &again,
        ));
    }
    let mut plan = saved.plan;
    plan.budget = Some(budget(&plan, settings));
    Ok(Prepared {
        session,
        live,
        plan,
        declared: saved.declared,
        config_digest: saved.config_digest,
        // A saved plan never holds environment values (`save` refuses them).
        secrets: Vec::new(),
    })
}

fn refusal(path: &Path, why: &str, lines: &[String], again: &str) -> Error {
    // Keys and ids in these lines come from the file and the server.
    let list: Vec<String> = lines
        .iter()
        .map(|l| format!("  - {}", printable(l)))
        .collect();
    Error::SavedPlan(format!(
        "refusing to apply {}: {why}:\n{}\n{again}.",
        path.display(),
        list.join("\n")
    ))
}

/// The files the plan uploads that cannot be read now or whose content is not what the
/// plan was made with.
fn changed_uploads(saved: &SavedPlan) -> Vec<String> {
    let mut out = Vec::new();
    for change in &saved.plan.changes {
        let cap = change.kind.upload.map(|u| u.max_bytes).unwrap_or(0);
        for upload in &change.uploads {
            let shown = upload.path.display();
            match crate::regular_file::read(&upload.path, cap) {
                Ok(bytes) if content_digest(&bytes) == upload.digest => {}
                Ok(_) => out.push(format!(
                    "{shown} (uploaded by {} `{}`) changed since the plan",
                    change.kind.name, change.key
                )),
                Err(e) => out.push(format!(
                    "{shown} (uploaded by {} `{}`) cannot be read: {e}",
                    change.kind.name, change.key
                )),
            }
        }
    }
    out
}
