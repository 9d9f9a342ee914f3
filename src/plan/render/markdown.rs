//! The pull-request rendering: a heading with the summary, then one table per change. A
//! change to JSON text or to a long or multi-line string is a fenced `diff` block after the
//! table, its cell pointing there.

use crate::model::render_value;
use crate::plan::{Action, Plan};

use super::change_title;
use super::text_diff::{Line, unified};

pub(super) fn render(plan: &Plan) -> String {
    let mut out = format!("### wxcc plan\n\n**{}**\n", plan.summary());
    for change in &plan.changes {
        out.push_str(&format!("\n#### `{}`\n\n", change_title(change)));
        if change.diffs.is_empty() {
            continue;
        }
        let mut blocks = Vec::new();
        match change.action {
            Action::Create => {
                out.push_str("| field | value |\n|---|---|\n");
                for d in &change.diffs {
                    let value = match unified(change.kind, d) {
                        Some(lines) => {
                            blocks.push((d.path.as_str(), lines));
                            BELOW.to_string()
                        }
                        None => cell(d.after.as_ref()),
                    };
                    out.push_str(&format!("| `{}` | {value} |\n", d.path));
                }
            }
            _ => {
                out.push_str("| field | before | after |\n|---|---|---|\n");
                for d in &change.diffs {
                    if let Some(lines) = unified(change.kind, d) {
                        blocks.push((d.path.as_str(), lines));
                        out.push_str(&format!("| `{}` | {BELOW} | {BELOW} |\n", d.path));
                        continue;
                    }
                    out.push_str(&format!(
                        "| `{}` | {} | {} |\n",
                        d.path,
                        cell(d.before.as_ref()),
                        d.after
                            .as_ref()
                            .map(|v| cell(Some(v)))
                            .unwrap_or_else(|| "*(removed)*".into())
                    ));
                }
            }
        }
        for (path, lines) in blocks {
            out.push_str(&diff_block(path, &lines));
        }
    }
    out
}

/// What a table cell says when the value is shown as a diff after the table.
const BELOW: &str = "*(diff below)*";

/// `path`'s diff in a fence longer than any run of backticks in it.
fn diff_block(path: &str, lines: &[Line]) -> String {
    let body: Vec<String> = lines.iter().map(Line::text).collect();
    let longest = body
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("\n`{path}`:\n\n{fence}diff\n{}\n{fence}\n", body.join("\n"))
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(v) => format!("`{}`", render_value(v).replace('|', "\\|")),
        None => "*(unset)*".into(),
    }
}
