//! The pull-request rendering: the summary, the deletes called out first, a table of
//! changes per kind, the request budget, then each change with its fields — folded into a
//! `<details>` block when the plan is long, so a review comment stays readable. A change to
//! JSON text or to a long or multi-line string is a fenced `diff` block after the change's
//! table, its cell pointing there.

use std::collections::BTreeMap;

use crate::model::{printable, render_value};
use crate::plan::{Action, Change, Plan};

use super::change_title;
use super::text_diff::{Line, unified};

/// Past this many changes, or this many field rows, each change is folded.
const LONG_CHANGES: usize = 10;
const LONG_ROWS: usize = 60;

pub(super) fn render(plan: &Plan) -> String {
    let mut out = format!("### wxcc plan\n\n**{}**\n", plan.summary());
    if plan.is_empty() {
        return out;
    }
    let deletes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .collect();
    if !deletes.is_empty() {
        out.push_str(&format!(
            "\n> [!CAUTION]\n> **This plan deletes {} object{}:**\n",
            deletes.len(),
            if deletes.len() == 1 { "" } else { "s" }
        ));
        for c in &deletes {
            out.push_str(&format!(
                "> - {} {}\n",
                c.kind.name,
                code(&printable(&c.key))
            ));
        }
    }
    out.push_str("\n| kind | create | update | delete |\n|---|---:|---:|---:|\n");
    let mut per_kind: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for c in &plan.changes {
        let slot = match c.action {
            Action::Create => 0,
            Action::Update => 1,
            Action::Delete => 2,
        };
        per_kind.entry(c.kind.name).or_default()[slot] += 1;
    }
    for (kind, [create, update, delete]) in &per_kind {
        out.push_str(&format!("| {kind} | {create} | {update} | {delete} |\n"));
    }
    if let Some(budget) = plan.budget {
        out.push_str(&format!("\n{}\n", budget.line()));
    }
    let rows: usize = plan.changes.iter().map(|c| c.diffs.len()).sum();
    let fold = plan.changes.len() > LONG_CHANGES || rows > LONG_ROWS;
    for change in &plan.changes {
        let title = change_title(change);
        if fold {
            out.push_str(&format!(
                "\n<details><summary><code>{}</code></summary>\n\n",
                html(&title)
            ));
        } else {
            out.push_str(&format!("\n#### {}\n\n", code(&title)));
        }
        out.push_str(&table(change));
        if fold {
            out.push_str("\n</details>\n");
        }
    }
    out
}

/// The field rows of one change, then the diffs of its long or JSON text values.
fn table(change: &Change) -> String {
    let mut out = String::new();
    if change.diffs.is_empty() {
        return out;
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
                out.push_str(&format!("| {} | {value} |\n", code(&d.path)));
            }
        }
        _ => {
            out.push_str("| field | before | after |\n|---|---|---|\n");
            for d in &change.diffs {
                if let Some(lines) = unified(change.kind, d) {
                    blocks.push((d.path.as_str(), lines));
                    out.push_str(&format!("| {} | {BELOW} | {BELOW} |\n", code(&d.path)));
                    continue;
                }
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    code(&d.path),
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
    format!(
        "\n{}:\n\n{fence}diff\n{}\n{fence}\n",
        code(path),
        body.join("\n")
    )
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(v) => code(&render_value(v)),
        None => "*(unset)*".into(),
    }
}

/// A Markdown code span that holds any text: fenced with more backticks than the text's
/// longest run, `|` escaped for tables, line breaks flattened.
fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

/// Text inside an HTML element.
pub(crate) fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("Chicago"), "`Chicago`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
