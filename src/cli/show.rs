//! `wxcc show FILE`: a saved plan rendered as text, JSON or Markdown, with where it was
//! made for. Offline: nothing is sent.

use super::args::{PlanFormat, ShowArgs};
use super::saved::read;
use super::settings::Output;
use crate::error::Error;
use crate::model::printable;
use crate::plan::render::{Format, html, render};

pub fn run(args: &ShowArgs, output: Output) -> Result<(), Error> {
    let saved = read(&args.file)?;
    let origin = format!(
        "Saved plan for org {} at {}, from {} ({}), made by wxcc {}.",
        printable(&saved.org),
        printable(&saved.base_url),
        printable(&saved.config_path),
        printable(&saved.config_digest),
        printable(&saved.tool_version)
    );
    let shown = match args.format {
        PlanFormat::Text => format!(
            "{origin}\n\n{}",
            render(&saved.plan, Format::Text, output.color_out)
        ),
        PlanFormat::Json => render(&saved.plan, Format::Json, false),
        PlanFormat::Markdown => format!(
            "{}\n<sub>{}</sub>\n",
            render(&saved.plan, Format::Markdown, false),
            html(&origin)
        ),
    };
    anstream::print!("{shown}");
    Ok(())
}
