//! Renderers: the same plan as text for a terminal (coloured when asked), JSON for
//! machines, and Markdown for pull requests.

mod json;
mod markdown;
mod text;
mod text_diff;

use super::Plan;

/// An output format for plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// Renders a plan in the given format. `color` only affects text.
pub fn render(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Text => text::render(plan, color),
        Format::Json => json::render(plan),
        Format::Markdown => markdown::render(plan),
    }
}

pub use json::{document, pass_name};
pub(crate) use markdown::html;
pub use text::change_title;
