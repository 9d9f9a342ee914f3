//! The generated part of `docs/csv.md`: every kind's CSV columns, from the catalogue. A
//! test keeps the committed page in step (and rewrites it when asked to).

use super::columns::{Scalar, Shape, columns};
use crate::catalogue::apply_order;

/// Where the generated part starts and ends in `docs/csv.md`.
pub(crate) const BEGIN: &str =
    "<!-- BEGIN generated columns: WXCC_BLESS=1 cargo test --lib csv_columns_doc -->";
pub(crate) const END: &str = "<!-- END generated columns -->";

fn takes(shape: Shape) -> &'static str {
    match shape {
        Shape::Scalar(Scalar::Text) => "text",
        Shape::Scalar(Scalar::Integer) => "whole number",
        Shape::Scalar(Scalar::Number) => "number",
        Shape::Scalar(Scalar::Boolean) => "`true`/`false`",
        Shape::List(Scalar::Text) => "list of text",
        Shape::List(Scalar::Integer) => "list of whole numbers",
        Shape::List(Scalar::Number) => "list of numbers",
        Shape::List(Scalar::Boolean) => "list of `true`/`false`",
        Shape::Json => "JSON",
    }
}

/// The column tables, one section per kind in apply order.
pub(crate) fn columns_markdown() -> String {
    let mut out = String::new();
    for kind in apply_order().into_iter().filter(|k| k.declarable) {
        let cols = columns(kind);
        out.push_str(&format!(
            "\n### {}\n\nFile: `{}.csv` or `{}.<anything>.csv`. Key column: `{}`.\n\n",
            kind.name, kind.name, kind.name, kind.key
        ));
        out.push_str("| column | takes | required | also accepted as |\n|---|---|---|---|\n");
        for (i, c) in cols.list.iter().enumerate() {
            let takes = match c.reference(kind) {
                Some(r) if matches!(c.shape, Shape::List(_)) => {
                    format!("list of {} keys or ids", r.target)
                }
                Some(r) => format!("{} key or id", r.target),
                None => takes(c.shape).to_string(),
            };
            let aliases: Vec<String> = cols
                .aliases
                .iter()
                .filter(|(_, at)| *at == i)
                .map(|(h, _)| format!("`{h}`"))
                .collect();
            out.push_str(&format!(
                "| `{}` | {takes} | {} | {} |\n",
                c.path,
                if c.required { "yes" } else { "" },
                aliases.join(", ")
            ));
        }
    }
    out
}

/// `page` with its generated part replaced by `generated`; `None` when the markers are
/// missing.
pub(crate) fn splice(page: &str, generated: &str) -> Option<String> {
    let start = page.find(BEGIN)? + BEGIN.len();
    let end = page[start..].find(END)? + start;
    Some(format!("{}\n{generated}\n{}", &page[..start], &page[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/csv.md` lists the columns the catalogue gives. Stale after a catalogue change;
    /// `WXCC_BLESS=1 cargo test --lib csv_columns_doc` rewrites the generated part.
    #[test]
    fn csv_columns_doc_is_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/csv.md");
        let page = std::fs::read_to_string(&path).unwrap_or_default();
        let Some(fresh) = splice(&page, &columns_markdown()) else {
            panic!(
                "docs/csv.md lacks the markers\n{BEGIN}\n{END}\naround its generated column tables"
            );
        };
        if fresh == page {
            return;
        }
        if std::env::var_os("WXCC_BLESS").is_some() {
            if let Err(e) = std::fs::write(&path, fresh) {
                panic!("cannot write docs/csv.md: {e}");
            }
            return;
        }
        panic!(
            "docs/csv.md is stale: its column tables differ from what the catalogue gives. Refresh them with\n\n    WXCC_BLESS=1 cargo test --lib csv_columns_doc\n"
        );
    }
}
