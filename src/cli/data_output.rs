//! What the data commands share on the command line: the time flags resolved into a
//! range, the output format chosen (a table on a terminal, CSV otherwise), output written
//! in one piece, and API refusals explained — a 403 names the scope the command needs and
//! how to sign in with it.

use std::io::{IsTerminal, Write};

use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use super::args::{DataFormat, TimeArgs};
use crate::api::ApiError;
use crate::data::names::NameError;
use crate::data::output::{Format, render};
use crate::data::time::{Range, parse_range};
use crate::error::Error;

/// docs/data-notes.md §6: the reporting APIs take `cjp:config_read` (or `cjp:config`).
pub const REPORTING_SCOPE: &str = "cjp:config_read";

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The time flags as a range, checked before anything is sent.
pub fn range(time: &TimeArgs, now: i64) -> Result<Range, Error> {
    parse_range(
        time.since.as_deref(),
        time.from.as_deref(),
        time.to.as_deref(),
        now,
        &TimeZone::system(),
    )
    .map_err(Error::Usage)
}

pub fn format(choice: Option<DataFormat>) -> Format {
    match choice {
        Some(DataFormat::Table) => Format::Table,
        Some(DataFormat::Csv) => Format::Csv,
        Some(DataFormat::Json) => Format::Json,
        Some(DataFormat::Jsonl) => Format::Jsonl,
        None if std::io::stdout().is_terminal() => Format::Table,
        None => Format::Csv,
    }
}

/// Renders every record, then writes the whole output at once.
pub fn print(
    records: &[Map<String, Value>],
    format: Format,
    table_columns: &[&str],
) -> Result<(), Error> {
    let text = render(records, format, table_columns).map_err(Error::Usage)?;
    write_out(text.as_bytes())
}

/// Writes the whole output at once. A reader that stops reading (`| head`) is not an
/// error: the output it wanted was written, so the run ends quietly with success.
pub fn write_out(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|e| Error::Usage(format!("cannot write the output: {e}"))),
    }
}

/// An API error as the user should see it: a 403 says which scope `command` needs.
pub fn explain(command: &str, scope: &str, e: ApiError) -> Error {
    if e.status() == Some(403) {
        return Error::Usage(format!(
            "{e} — `wxcc {command}` needs the {scope} scope; sign in with it: wxcc login --scopes \"{scope} cjp:config_write\""
        ));
    }
    e.into()
}

pub fn name_error(command: &str, e: NameError) -> Error {
    match e {
        NameError::Api(e) => explain(command, REPORTING_SCOPE, e),
        NameError::Unknown(m) => Error::Usage(m),
    }
}

/// Channel names as the API spells them (lowercase), refused before sending when unknown.
pub fn channels(values: &[String]) -> Result<Vec<String>, Error> {
    const KNOWN: &[&str] = &["telephony", "chat", "email", "social"];
    let list = crate::data::names::split_list(values);
    let mut out = Vec::new();
    for c in list {
        let lower = c.to_lowercase();
        if !KNOWN.contains(&lower.as_str()) {
            return Err(Error::Usage(format!(
                "--channel `{c}`: not a channel; use telephony, chat, email or social"
            )));
        }
        if !out.contains(&lower) {
            out.push(lower);
        }
    }
    Ok(out)
}
