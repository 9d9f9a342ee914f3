//! `wxcc validate PATH`: every problem in the config at once, offline.

use super::settings::Settings;
use crate::config::{self, Loaded};
use crate::error::Error;

pub fn run(path: &std::path::Path, settings: &Settings) -> Result<(), Error> {
    let loaded = load_checked(path, settings, true)?;
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

/// Loads and validates a config, printing its diagnostics to stderr. Fails when any is an
/// error. `show_warnings` prints warnings too (plan re-checks references against the
/// tenant, so it leaves them out).
pub fn load_checked(
    path: &std::path::Path,
    settings: &Settings,
    show_warnings: bool,
) -> Result<Loaded, Error> {
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
        anstream::eprint!(
            "{}",
            config::render(&shown, &loaded.sources, settings.color_err)
        );
    }
    if loaded.diagnostics.iter().any(|d| d.is_error()) {
        return Err(Error::Invalid {
            summary: config::summary_line(&loaded.diagnostics),
        });
    }
    Ok(loaded)
}
