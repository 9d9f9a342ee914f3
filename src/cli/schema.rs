//! `wxcc schema`: prints the JSON Schema of the config format, which editors use through
//! the `yaml-language-server` modeline. `schemas/wxcc.schema.json` is this output, kept
//! fresh by a test; the schema itself is built in `catalogue::editor_schema`.

use crate::catalogue::editor_schema_text;
use crate::error::Error;

pub fn run() -> Result<(), Error> {
    let text = editor_schema_text().map_err(|e| Error::Catalogue(e.to_string()))?;
    anstream::print!("{text}");
    Ok(())
}
