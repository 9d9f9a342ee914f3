//! `wxcc search QUERY.graphql` (or `--query`): the GraphQL Search API with variables,
//! every page followed, errors shown at their line and column in the query file, output
//! as the merged JSON answer or its rows as CSV / JSON lines.

use std::io::Read;

use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use super::args::{DataFormat, SearchArgs};
use super::data_output::{REPORTING_SCOPE, explain, now_ms, print, write_out};
use super::session::Session;
use super::settings::Settings;
use crate::data::output::Format;
use crate::data::search::{SearchError, rows, search};
use crate::data::time::parse_range;
use crate::error::Error;

/// The largest query file read.
const MAX_QUERY_BYTES: u64 = 1024 * 1024;

pub async fn run(args: &SearchArgs, settings: &Settings) -> Result<(), Error> {
    let (source, query) = match (&args.file, &args.query) {
        (_, Some(q)) => ("--query".to_string(), q.clone()),
        (Some(path), None) => (path.display().to_string(), read_query(path)?),
        (None, None) => return Err(Error::Usage("give a query file or --query".into())),
    };
    let mut variables = Map::new();
    for v in &args.vars {
        let (name, value) = v.split_once('=').ok_or_else(|| {
            Error::Usage(format!(
                "--var `{v}`: write NAME=VALUE, e.g. --var ani=+12344565678"
            ))
        })?;
        variables.insert(
            name.trim().trim_start_matches('$').to_string(),
            typed(value),
        );
    }
    if args.since.is_some() || args.from.is_some() {
        let range = parse_range(
            args.since.as_deref(),
            args.from.as_deref(),
            args.to.as_deref(),
            now_ms(),
            &TimeZone::system(),
        )
        .map_err(Error::Usage)?;
        variables.insert("from".into(), json!(range.from));
        variables.insert("to".into(), json!(range.to));
    }
    let session = Session::connect(settings).await?;
    let result = search(&session.client, &query, &variables).await;
    session.close().await;
    let answer = result.map_err(|e| match e {
        SearchError::Api(e) => explain("search", REPORTING_SCOPE, e),
        SearchError::Graphql {
            message,
            at: Some((line, col)),
        } => Error::Usage(format!("{source}:{line}:{col}: {message}")),
        SearchError::Graphql { message, at: None } => Error::Usage(format!("{source}: {message}")),
        SearchError::Shape(m) => Error::Usage(format!("{source}: {m}")),
    })?;
    match args.format {
        DataFormat::Json => {
            let text =
                serde_json::to_string_pretty(&answer).map_err(|e| Error::Usage(e.to_string()))?;
            write_out((text + "\n").as_bytes())
        }
        DataFormat::Csv => print(&rows(&answer), Format::Csv, &[]),
        DataFormat::Jsonl => print(&rows(&answer), Format::Jsonl, &[]),
        DataFormat::Table => print(&rows(&answer), Format::Table, &[]),
    }
}

fn read_query(path: &std::path::Path) -> Result<String, Error> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::Usage(format!("{} is not a file", path.display())));
    }
    if meta.len() > MAX_QUERY_BYTES {
        return Err(Error::Usage(format!(
            "{} is larger than 1 MB",
            path.display()
        )));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_QUERY_BYTES).read_to_string(&mut text))
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    Ok(text)
}

/// `42` → 42, `true` → true, `[1,2]` / `{…}` / `"…"` → that JSON, anything else a string.
fn typed(value: &str) -> Value {
    let v = value.trim();
    let json_like = v.starts_with(['[', '{', '"'])
        || matches!(v, "true" | "false" | "null")
        || (v.parse::<f64>().is_ok() && !v.starts_with('+'));
    match serde_json::from_str::<Value>(v) {
        Ok(parsed) if json_like => parsed,
        _ => Value::String(value.to_string()),
    }
}
