//! `wxcc validate PATH`: every problem in the config at once, offline.

use super::args::VarsArgs;
use super::settings::Output;
use crate::config::{self, LoadOptions, Loaded};
use crate::error::Error;
use crate::model::{Diagnostic, Severity};

pub fn run(
    path: &std::path::Path,
    kind: Option<&str>,
    vars: &VarsArgs,
    output: Output,
) -> Result<(), Error> {
    let loaded = load_checked(path, kind, vars, output.color_err, Check::Offline)?;
    let objects = loaded.desired.objects.len();
    // The vars file is a source (its problems point into it), not a config file.
    let files = loaded
        .sources
        .files
        .iter()
        .filter(|f| Some(&f.path) != vars.vars.as_ref())
        .count();
    if objects == 0 {
        warn_empty(path, files, output.color_err);
        return Ok(());
    }
    anstream::println!(
        "{} is valid: {objects} object{} in {files} file{}.",
        path.display(),
        if objects == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    );
    // The process ends next: freeing the objects one by one would be a tenth of a second
    // of a 100,000-object validate (docs/performance.md) that nothing needs.
    std::mem::forget(loaded.desired);
    Ok(())
}

/// Who checks a config, which decides what is said.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `validate`: shows warnings too, and never connects.
    Offline,
    /// `plan` and `apply`, before they connect: errors only (plan re-checks references
    /// against the tenant), and an error means nothing is sent.
    BeforeSending,
}

/// What `--vars` and `--kind` ask of loading (for every command that reads a config).
pub fn load_options(kind: Option<&str>, vars: &VarsArgs) -> LoadOptions {
    LoadOptions {
        vars: vars.vars.clone(),
        kind: kind.map(str::to_string),
    }
}

/// Loads and validates a config, placeholders resolved, printing its diagnostics to
/// stderr. Fails when any is an error. `kind` (`--kind`) names the kind of a lone CSV file.
pub fn load_checked(
    path: &std::path::Path,
    kind: Option<&str>,
    vars: &VarsArgs,
    color: bool,
    check: Check,
) -> Result<Loaded, Error> {
    let show_warnings = check == Check::Offline;
    let mut loaded = config::load_with(path, &load_options(kind, vars))
        .map_err(|e| Error::Load(e.to_string()))?;
    let found = config::validate(&loaded.desired);
    loaded.add_found(found);
    let shown: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| show_warnings || d.is_error())
        .cloned()
        .collect();
    if !shown.is_empty() {
        anstream::eprint!("{}", config::render(&shown, &loaded.sources, color));
    }
    if loaded.diagnostics.iter().any(|d| d.is_error()) {
        return Err(Error::Invalid {
            summary: config::summary_line(&loaded.diagnostics),
            offline: check == Check::Offline,
        });
    }
    Ok(loaded)
}

/// An empty config is valid, but almost never meant: say so plainly (exit status stays 0).
fn warn_empty(path: &std::path::Path, files: usize, color: bool) {
    let warning = Diagnostic {
        severity: Severity::Warning,
        ..Diagnostic::general(format!(
            "{} declares no objects: its {files} file{} hold{} no kind with any object (empty, or only comments)",
            path.display(),
            if files == 1 { "" } else { "s" },
            if files == 1 { "s" } else { "" }
        ))
    }
    .with_help("add objects under kind names (e.g. `site:` followed by a list); applied with --delete, an empty config would delete every live object of those kinds, which apply refuses without --allow-empty-config");
    anstream::eprint!(
        "{}",
        config::render(&[warning], &config::Sources::default(), color)
    );
    anstream::println!(
        "{} is valid but declares nothing: 0 objects in {files} file{}.",
        path.display(),
        if files == 1 { "" } else { "s" }
    );
}
