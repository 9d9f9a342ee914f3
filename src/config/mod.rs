//! Loading desired config (YAML and CSV files, or a folder of them) into desired objects whose every
//! value carries its span, validating them against the catalogue and the official DTO
//! schemas, and rendering the problems found. Placeholders (`${var.…}`, `${env.…}`) and
//! fields read from files are resolved while loading. No network.

mod csv_format;
mod encoding;
mod load;
mod pattern;
mod ranges;
mod report;
mod rules;
mod suggest;
mod text_file;
mod upload;
mod validate;
mod vars;
mod yaml;

pub use csv_format::{CsvWriteError, is_csv, live_ids_to_keys, write_csv};
pub use load::{LoadOptions, Loaded, MAX_CONFIG_FILE_BYTES, SourceFile, Sources, load, load_with};
pub use report::{render, summary_line};
pub use suggest::did_you_mean;
pub use validate::{validate, validate_body};
pub use vars::{Secret, redact};
