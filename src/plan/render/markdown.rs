//! The pull-request rendering: a heading with the summary, then one table per change.

use crate::model::render_value;
use crate::plan::{Action, Plan};

use super::change_title;

pub(super) fn render(plan: &Plan) -> String {
    let mut out = format!("### wxcc plan\n\n**{}**\n", plan.summary());
    for change in &plan.changes {
        out.push_str(&format!("\n#### `{}`\n\n", change_title(change)));
        if change.diffs.is_empty() {
            continue;
        }
        match change.action {
            Action::Create => {
                out.push_str("| field | value |\n|---|---|\n");
                for d in &change.diffs {
                    out.push_str(&format!("| `{}` | {} |\n", d.path, cell(d.after.as_ref())));
                }
            }
            _ => {
                out.push_str("| field | before | after |\n|---|---|---|\n");
                for d in &change.diffs {
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
    }
    out
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(v) => format!("`{}`", render_value(v).replace('|', "\\|")),
        None => "*(unset)*".into(),
    }
}
