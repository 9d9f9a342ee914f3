//! `wxcc kinds`: the kinds wxcc manages, in apply order, each with its key and reference
//! fields (deferred back-links marked). Aligned text for the terminal; `--format markdown`
//! is the content of `docs/kinds.md`, kept fresh by a test.

use super::args::{KindsArgs, KindsFormat};
use crate::catalogue::{Kind, RULES, Reference, apply_order, fixes_for};
use crate::error::Error;

/// The command that regenerates `docs/kinds.md`.
const KINDS_DOC_COMMAND: &str = "cargo run -- kinds --format markdown > docs/kinds.md";

const DEFERRED_NOTE: &str = "A deferred reference is a back-link that closes a cycle: wxcc \
                             sets it in a second update, once the objects it points at exist, \
                             and it does not affect the order.";

pub fn run(args: &KindsArgs) -> Result<(), Error> {
    let order = apply_order();
    let text = match args.format {
        KindsFormat::Text => render_text(&order),
        KindsFormat::Markdown => render_markdown(&order),
    };
    anstream::print!("{text}");
    Ok(())
}

/// One row per kind, columns aligned; a kind with several references continues on the
/// following lines under its first one.
fn render_text(order: &[&Kind]) -> String {
    let header = ["order", "kind", "key", "references"];
    let mut rows: Vec<[String; 4]> = Vec::new();
    for (index, kind) in order.iter().enumerate() {
        let mut references = kind.references.iter().map(|r| reference_text(r, ""));
        rows.push([
            (index + 1).to_string(),
            kind.name.to_string(),
            kind.key.to_string(),
            references.next().unwrap_or_else(|| "-".to_string()),
        ]);
        for more in references {
            rows.push([String::new(), String::new(), String::new(), more]);
        }
    }
    let width = |column: usize| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain(std::iter::once(header[column].len()))
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    let mut out = String::new();
    let header_row = header.map(str::to_string);
    for row in std::iter::once(&header_row).chain(&rows) {
        let line = format!(
            "{:>w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if has_deferred(order) {
        out.push('\n');
        out.push_str(DEFERRED_NOTE);
        out.push('\n');
    }
    out
}

/// The page `docs/kinds.md`: a table in apply order, with each kind's summary.
fn render_markdown(order: &[&Kind]) -> String {
    let mut out = format!(
        "<!-- Generated from the catalogue by `{KINDS_DOC_COMMAND}`; do not edit by hand. -->\n\
         # Kinds\n\n\
         The kinds `wxcc` manages, in apply order: creates and updates run from the top down, \
         deletes from the bottom up. Each kind is a top-level key of a config file. A reference \
         field holds the key of an object of its target kind; `[]` in a field means every \
         element of a list.\n\n\
         | order | kind | key | references | what it is |\n\
         |---:|---|---|---|---|\n"
    );
    for (index, kind) in order.iter().enumerate() {
        let references = if kind.references.is_empty() {
            "—".to_string()
        } else {
            kind.references
                .iter()
                .map(|r| reference_text(r, "`"))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        out.push_str(&format!(
            "| {} | `{}` | `{}` | {} | {} |\n",
            index + 1,
            kind.name,
            kind.key,
            references,
            kind.summary.replace('|', "\\|"),
        ));
    }
    if has_deferred(order) {
        out.push('\n');
        out.push_str(DEFERRED_NOTE);
        out.push('\n');
    }
    out.push_str(&rules_markdown(order));
    out
}

/// The service's rules per kind, as `validate` and `plan` check them: the catalogue's rules
/// and the corrections to the kind's DTO schemas, each with its evidence.
fn rules_markdown(order: &[&Kind]) -> String {
    let mut out = String::from(
        "\n## Rules\n\n\
         What the service refuses beyond the DTO schema's types, enums and lengths, checked by \
         `validate` (one object) or `plan` and `apply` (across objects and against the tenant) \
         before anything is written. Sections (§) are those of `docs/api-notes.md`.\n\n\
         Every kind:\n\n",
    );
    for rule in RULES.iter().filter(|r| r.kind.is_none()) {
        out.push_str(&format!("- {} ({})\n", rule.says, rule.evidence));
    }
    out.push_str(
        "- a field written `null` (or `~`) must be empty live: a reference is detached, an \
         optional value cleared; the plan shows it as `→ (none)`. Required fields, fields fixed \
         at create and the object's key cannot be cleared\n",
    );
    for kind in order {
        let own: Vec<String> = RULES
            .iter()
            .filter(|r| r.kind == Some(kind.name))
            .map(|r| format!("{} ({})", r.says, r.evidence))
            .chain(fixes_for(kind.dto).into_iter().map(str::to_string))
            .collect();
        if own.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### `{}`\n\n", kind.name));
        for line in own {
            out.push_str(&format!("- {}\n", line.replace('|', "\\|")));
        }
    }
    out
}

/// `siteId → site`, `teamIds[] → team (deferred)`, or for an entry of a keyed list
/// `activeEnumSkills[].enumSkillValueId → skill/enumSkillValues`; `quote` wraps names (a
/// backtick for Markdown).
fn reference_text(reference: &Reference, quote: &str) -> String {
    format!(
        "{quote}{}{quote} → {quote}{}{quote}{}",
        reference.field,
        reference.index_name(),
        if reference.deferred {
            " (deferred)"
        } else {
            ""
        }
    )
}

fn has_deferred(order: &[&Kind]) -> bool {
    order
        .iter()
        .any(|k| k.references.iter().any(|r| r.deferred))
}

#[cfg(test)]
mod tests {
    use super::{render_markdown, render_text};
    use crate::catalogue::{KIND_DEFAULTS, Kind, Reference};

    const fn kind(name: &'static str, references: &'static [Reference]) -> Kind {
        Kind {
            name,
            summary: "a thing | with a pipe",
            references,
            ..KIND_DEFAULTS
        }
    }

    static LAYOUT: Kind = kind(
        "desktop-layout",
        &[Reference {
            field: "teamIds[]",
            target: "team",
            within: None,
            deferred: true,
        }],
    );
    static SITE: Kind = kind("site", &[]);
    static TEAM: Kind = kind(
        "team",
        &[
            Reference {
                field: "siteId",
                target: "site",
                within: None,
                deferred: false,
            },
            Reference {
                field: "desktopLayoutId",
                target: "desktop-layout",
                within: None,
                deferred: false,
            },
        ],
    );

    #[test]
    fn text_is_aligned_and_marks_deferred_links() {
        let text = render_text(&[&LAYOUT, &SITE, &TEAM]);
        let expected = "\
order  kind            key   references
    1  desktop-layout  name  teamIds[] → team (deferred)
    2  site            name  -
    3  team            name  siteId → site
                             desktopLayoutId → desktop-layout

A deferred reference is a back-link that closes a cycle: wxcc sets it in a second update, once the objects it points at exist, and it does not affect the order.
";
        assert_eq!(text, expected);
    }

    #[test]
    fn markdown_is_one_row_per_kind() {
        let text = render_markdown(&[&SITE, &TEAM]);
        assert!(text.contains(
            "| 2 | `team` | `name` | `siteId` → `site`<br>`desktopLayoutId` → `desktop-layout` | a thing \\| with a pipe |\n"
        ));
        assert!(text.contains("| 1 | `site` | `name` | — |"));
        assert!(!text.contains("deferred"));
    }
}
