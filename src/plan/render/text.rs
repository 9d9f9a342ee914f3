//! The terminal rendering: one block per change in apply order, then the summary line. A
//! change to JSON text or to a long or multi-line string is a unified diff under its field.

use anstyle::{AnsiColor, Style};

use super::text_diff::{Line, unified};
use crate::model::{printable, render_value};
use crate::plan::{Action, Change, Plan};

fn style(action: Action) -> Style {
    let color = match action {
        Action::Create => AnsiColor::Green,
        Action::Update => AnsiColor::Yellow,
        Action::Delete => AnsiColor::Red,
    };
    Style::new().fg_color(Some(color.into()))
}

/// `~ update site "Chicago"` with the id, version and pass notes that apply. The key of a
/// delete and the id come from the server, so they are shown [`printable`].
pub fn change_title(change: &Change) -> String {
    let mut title = format!(
        "{} {} {} \"{}\"",
        change.action.sign(),
        change.action.word(),
        change.kind.name,
        printable(&change.key)
    );
    let mut notes = Vec::new();
    if let Some(from) = &change.renamed_from {
        notes.push(format!("renamed from \"{from}\""));
    }
    if let Some(note) = change.pass.note() {
        notes.push(note.to_string());
    }
    if let Some(id) = &change.live_id {
        notes.push(format!("id {}", printable(id)));
    }
    if let Some(v) = change.live_version {
        notes.push(format!("version {v}"));
    }
    if !notes.is_empty() {
        title.push_str(&format!("  ({})", notes.join(", ")));
    }
    title
}

pub(super) fn render(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let paint = |s: Style, text: &str| {
        if color {
            format!("{s}{text}{s:#}")
        } else {
            text.to_string()
        }
    };
    for change in &plan.changes {
        out.push_str(&paint(style(change.action).bold(), &change_title(change)));
        out.push('\n');
        let width = change
            .diffs
            .iter()
            .map(|d| d.path.chars().count())
            .max()
            .unwrap_or(0);
        for d in &change.diffs {
            if let Some(lines) = unified(change.kind, d) {
                out.push_str(&format!("    {}:\n", d.path));
                for line in lines {
                    let style = match line {
                        Line::Header(_) => Style::new().bold(),
                        Line::Context(_) => Style::new(),
                        Line::Removed(_) => Style::new().fg_color(Some(AnsiColor::Red.into())),
                        Line::Added(_) => Style::new().fg_color(Some(AnsiColor::Green.into())),
                    };
                    out.push_str(&format!("      {}\n", paint(style, &line.text())));
                }
                continue;
            }
            let after = d
                .after
                .as_ref()
                .map(render_value)
                .unwrap_or_else(|| "(removed)".into());
            let line = match change.action {
                Action::Create => format!(
                    "    {:width$}  {after}",
                    format!("{}:", d.path),
                    width = width + 1
                ),
                _ => {
                    let before = d
                        .before
                        .as_ref()
                        .map(render_value)
                        .unwrap_or_else(|| "(unset)".into());
                    format!(
                        "    {:width$}  {before} → {after}",
                        format!("{}:", d.path),
                        width = width + 1
                    )
                }
            };
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&paint(Style::new().bold(), &plan.summary()));
    out.push('\n');
    if let Some(budget) = plan.budget.filter(|_| !plan.is_empty()) {
        out.push_str(&budget.line());
        out.push('\n');
    }
    out
}
