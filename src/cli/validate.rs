//! `wxcc validate PATH`: every problem in the config at once, offline.

use super::settings::Output;
use crate::config::{self, Loaded};
use crate::error::Error;

pub fn run(path: &std::path::Path, output: Output) -> Result<(), Error> {
    let loaded = load_checked(path, output.color_err, Check::Offline)?;
    let objects = loaded.desired.objects.len();
    let files = loaded.sources.files.len();
    anstream::println!(
        "{} is valid: {objects} object{} in {files} file{}.",
        path.display(),
        if objects == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    );
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

/// Loads and validates a config, printing its diagnostics to stderr. Fails when any is an
/// error.
pub fn load_checked(path: &std::path::Path, color: bool, check: Check) -> Result<Loaded, Error> {
    let show_warnings = check == Check::Offline;
    let mut loaded = config::load(path).map_err(|e| Error::Load(e.to_string()))?;
    let found = config::validate(&loaded.desired);
    loaded.diagnostics.extend(found);
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
