//! Renders diagnostics for people: `file:line:col`, the source line with the value
//! underlined, and what would be right. Colour only when asked (the caller decides from the
//! terminal and `NO_COLOR`).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity as MietteSeverity,
    SourceCode,
};

use super::load::Sources;
use crate::model::{Diagnostic, Severity, Span, printable};

/// Renders every diagnostic, errors and warnings in the order given.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_wrap_lines(false)
        .with_links(false);
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|d| {
        d.span
            .map(|s| (s.file, s.offset))
            .unwrap_or((usize::MAX, 0))
    });
    let mut out = String::new();
    for d in ordered {
        let report = Report::new(d, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}\n", d.message));
        }
        out.push('\n');
    }
    out
}

/// `2 errors, 1 warning`.
pub fn summary_line(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// A diagnostic bound to its source text, in the shape miette renders.
struct Report {
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &Sources) -> Report {
        let mut report = Report::at(
            d.severity,
            &d.message,
            d.help.clone(),
            d.span,
            &d.label,
            sources,
        );
        for (span, label) in &d.related {
            if Some(span.file) == d.span.map(|s| s.file) {
                report
                    .labels
                    .push(LabeledSpan::new(Some(label.clone()), span.offset, span.len));
            } else {
                report.related.push(Report::at(
                    Severity::Warning,
                    label,
                    None,
                    Some(*span),
                    label,
                    sources,
                ));
            }
        }
        report
    }

    fn at(
        severity: Severity,
        message: &str,
        help: Option<String>,
        span: Option<Span>,
        label: &str,
        sources: &Sources,
    ) -> Report {
        let file = span.and_then(|s| sources.files.get(s.file));
        let source = file.map(|f| NamedSource::new(f.path.display().to_string(), f.text.clone()));
        let labels = match (span, file) {
            (Some(s), Some(_)) => vec![LabeledSpan::new_primary_with_span(
                if label.is_empty() {
                    None
                } else {
                    Some(printable(label))
                },
                (s.offset, s.len),
            )],
            _ => Vec::new(),
        };
        // Messages and labels may quote live keys and values, which come from the server.
        Report {
            severity,
            message: printable(message),
            help,
            source,
            labels,
            related: Vec::new(),
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<MietteSeverity> {
        Some(match self.severity {
            Severity::Error => MietteSeverity::Error,
            Severity::Warning => MietteSeverity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}
