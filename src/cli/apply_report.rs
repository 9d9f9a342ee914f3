//! `apply --report FILE.csv`: one line per change of the apply (kind, key, where the object
//! is declared, action, status, and the id or the API's reason), written atomically once
//! the run ends, whatever its outcome. Cells are data, never formulas: a cell a
//! spreadsheet would evaluate (`=`, `+`, `-`, `@`, a tab or a carriage return first) is
//! written with a leading `'`, since keys come from configs and reasons from the server.

use std::collections::HashMap;
use std::path::Path;

use crate::apply::{ApplyReport, Outcome};
use crate::error::Error;
use crate::plan::Pass;

/// Where each declared object is written (`file:line`), by kind and key.
pub(crate) type Origins = HashMap<(&'static str, String), String>;

/// Refuses a report path that cannot be written, before anything is applied.
pub(crate) fn check(path: &Path) -> Result<(), Error> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "--report {}: that is a folder; name a file such as apply-report.csv. Nothing was changed.",
            path.display()
        )));
    }
    Ok(())
}

/// Writes the report of `report` to `path`.
pub(crate) fn write(path: &Path, report: &ApplyReport, origins: &Origins) -> Result<(), Error> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::Usage(format!(
            "the apply ran (see above), but its report could not be written to {}: {e}",
            path.display()
        ))
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["kind", "key", "source", "action", "status", "result"])
        .map_err(|e| failed(&e))?;
    for (change, outcome) in &report.outcomes {
        let source = origins
            .get(&(change.kind.name, change.key.clone()))
            .map(String::as_str)
            .unwrap_or("(live only)");
        let action = match change.pass {
            Pass::Main => change.action.word().to_string(),
            Pass::BackLinks => format!("{} (second pass)", change.action.word()),
            Pass::Cleanup => format!("{} (last pass)", change.action.word()),
        };
        let (status, result) = match outcome {
            Outcome::Done { id, note: None, .. } => ("done", id.clone()),
            Outcome::Done {
                id, note: Some(n), ..
            } => ("done", format!("{id} ({n})")),
            Outcome::Failed(e) => ("failed", e.to_string()),
            Outcome::Skipped(why) => ("skipped", why.clone()),
            Outcome::NotAttempted => ("not attempted", String::new()),
        };
        out.write_record([
            change.kind.name,
            &cell(&change.key),
            &cell(source),
            &action,
            status,
            &cell(&result),
        ])
        .map_err(|e| failed(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| failed(&e))?;
    crate::atomic_file::write_atomically(path, &bytes).map_err(|e| failed(&e))
}

/// A cell as text a spreadsheet shows, not runs.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_written_as_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("Chicago"), "Chicago");
    }
}
