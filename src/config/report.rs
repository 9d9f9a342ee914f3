//! Renders diagnostics for people: `file:line:col`, the source line with the value
//! underlined, and what would be right. Colour only when asked (the caller decides from the
//! terminal and `NO_COLOR`). Only the lines around each span are quoted, and a long line
//! only around its span ([`MAX_QUOTED_LINE`]), so a hostile file cannot flood the output.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    Severity as MietteSeverity, SourceCode, SourceSpan, SpanContents,
};

use super::load::{SourceFile, Sources};
use crate::model::{Diagnostic, Severity, Span, printable};

/// The most bytes of one line a diagnostic quotes; a longer line is shown elided (`…`)
/// around the spans on it.
pub const MAX_QUOTED_LINE: usize = 160;

/// Lines quoted before and after each span.
const CONTEXT_LINES: usize = 1;

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
        .with_links(false)
        .with_context_lines(CONTEXT_LINES);
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
    super::vars::redact(&out, &sources.secrets)
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
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(d: &Diagnostic, sources: &Sources) -> Report {
        let file = d.span.map(|s| s.file);
        let in_file = |(span, _): &&(Span, String)| Some(span.file) == file;
        let here: Vec<&(Span, String)> = d.related.iter().filter(in_file).collect();
        let elsewhere = d.related.iter().filter(|r| !in_file(r));
        let spans: Vec<Span> = d
            .span
            .into_iter()
            .chain(here.iter().map(|(s, _)| *s))
            .collect();
        let mut report = Report::at(
            d.severity,
            &d.message,
            d.help.clone(),
            &spans,
            &d.label,
            sources,
        );
        for (span, label) in elsewhere {
            report.related.push(Report::at(
                Severity::Warning,
                label,
                None,
                &[*span],
                label,
                sources,
            ));
        }
        if let Some(excerpt) = &report.source {
            for ((_, label), span) in here.iter().zip(excerpt.spans.iter().skip(1)) {
                report
                    .labels
                    .push(LabeledSpan::new(Some(clip(label)), span.0, span.1));
            }
        }
        report
    }

    /// A report quoting `spans` (all in one file; the first is the primary one).
    fn at(
        severity: Severity,
        message: &str,
        help: Option<String>,
        spans: &[Span],
        label: &str,
        sources: &Sources,
    ) -> Report {
        let file = spans.first().and_then(|s| sources.files.get(s.file));
        let source = file.map(|f| Excerpt::new(f, spans));
        let labels = match source.as_ref().and_then(|e| e.spans.first()) {
            Some(&(offset, len)) => vec![LabeledSpan::new_primary_with_span(
                if label.is_empty() {
                    None
                } else {
                    Some(clip(&printable(label)))
                },
                (offset, len),
            )],
            None => Vec::new(),
        };
        // Messages and labels may quote live keys and values, which come from the server.
        Report {
            severity,
            message: clip(&printable(message)),
            help: help.as_deref().map(clip),
            source,
            labels,
            related: Vec::new(),
        }
    }
}

/// The part of a file a diagnostic quotes: the lines around its spans, each long line cut
/// down to [`MAX_QUOTED_LINE`] bytes around the spans on it. Offsets into `text` are not the
/// file's; `spans` holds the diagnostic's spans in `text`'s offsets, and line and column
/// numbers are the file's.
struct Excerpt {
    name: String,
    text: String,
    /// Runs of consecutive quoted lines.
    chunks: Vec<Chunk>,
    /// Each input span as (offset, len) in `text`.
    spans: Vec<(usize, usize)>,
    /// Each input span's start as (offset in `text`, 0-based line, 0-based byte column).
    starts: Vec<(usize, usize, usize)>,
}

struct Chunk {
    /// Where it starts in `text`, and its length.
    start: usize,
    len: usize,
    /// Its first line's number in the file (0-based), and how many lines it has.
    first_line: usize,
    lines: usize,
}

impl Excerpt {
    fn new(file: &SourceFile, spans: &[Span]) -> Excerpt {
        let source = file.text.as_str();
        let clamp = |o: usize| floor_boundary(source, o.min(source.len()));
        let bounds: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| (clamp(s.offset), clamp(s.offset.saturating_add(s.len))))
            .collect();
        // Line ranges to quote: each span's lines with context, merged when they touch.
        let mut ranges: Vec<(usize, usize)> = bounds
            .iter()
            .map(|&(a, b)| {
                let first = line_of(source, a);
                let last = line_of(source, if b > a { b - 1 } else { b });
                (first.saturating_sub(CONTEXT_LINES), last + CONTEXT_LINES)
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let mut excerpt = Excerpt {
            name: file.path.display().to_string(),
            text: String::new(),
            chunks: Vec::new(),
            spans: vec![(0, 0); spans.len()],
            starts: vec![(0, 0, 0); spans.len()],
        };
        let mut mapped_start = vec![None; spans.len()];
        let mut mapped_end = vec![None; spans.len()];
        let last_needed = merged.last().map(|r| r.1).unwrap_or(0);
        let mut chunk: Option<Chunk> = None;
        let mut line_start = 0;
        for (line, text) in source.split('\n').enumerate() {
            if line > last_needed {
                break;
            }
            let line_end = line_start + text.len();
            let wanted = merged.iter().any(|&(a, b)| a <= line && line <= b);
            if wanted {
                let current = chunk.get_or_insert(Chunk {
                    start: excerpt.text.len(),
                    len: 0,
                    first_line: line,
                    lines: 0,
                });
                let (shown, window) = elide(text, line_start, &bounds);
                let syn_line = excerpt.text.len();
                let prefix = if window.0 > line_start {
                    "… ".len()
                } else {
                    0
                };
                let to_syn = |o: usize| syn_line + prefix + o.clamp(window.0, window.1) - window.0;
                for (i, &(a, b)) in bounds.iter().enumerate() {
                    if (line_start..=line_end).contains(&a) && mapped_start[i].is_none() {
                        mapped_start[i] = Some(to_syn(a));
                        excerpt.starts[i] = (to_syn(a), line, a - line_start);
                    }
                    if (line_start..=line_end).contains(&b) && mapped_end[i].is_none() {
                        mapped_end[i] = Some(to_syn(b));
                    }
                }
                excerpt.text.push_str(&shown);
                excerpt.text.push('\n');
                current.lines += 1;
                current.len = excerpt.text.len() - current.start;
            } else if let Some(done) = chunk.take() {
                excerpt.chunks.push(done);
            }
            line_start = line_end + 1;
        }
        if let Some(done) = chunk.take() {
            excerpt.chunks.push(done);
        }
        for i in 0..spans.len() {
            let start = mapped_start[i].unwrap_or(0);
            let end = mapped_end[i].unwrap_or(start).max(start);
            excerpt.spans[i] = (start, end - start);
        }
        excerpt
    }

    fn chunk_at(&self, offset: usize) -> Option<&Chunk> {
        self.chunks
            .iter()
            .find(|c| c.start <= offset && offset <= c.start + c.len)
    }
}

/// A line as quoted: whole when short, else the [`MAX_QUOTED_LINE`] bytes around the parts
/// of `spans` on it, with `…` where text was left out. Also returns the file offsets the
/// quoted part covers.
fn elide(text: &str, line_start: usize, spans: &[(usize, usize)]) -> (String, (usize, usize)) {
    let line_end = line_start + text.len();
    if text.len() <= MAX_QUOTED_LINE {
        return (text.to_string(), (line_start, line_end));
    }
    let on_line: Vec<(usize, usize)> = spans
        .iter()
        .filter(|&&(a, b)| a <= line_end && b >= line_start)
        .map(|&(a, b)| (a.max(line_start) - line_start, b.min(line_end) - line_start))
        .collect();
    let from = on_line.iter().map(|s| s.0).min().unwrap_or(0);
    let to = on_line.iter().map(|s| s.1).max().unwrap_or(0).max(from);
    // Centre the spans in the window; a span longer than the window is shown from its
    // start, after a little of what comes before it.
    let room = match MAX_QUOTED_LINE.checked_sub(to - from) {
        Some(free) if free > 0 => free / 2,
        _ => MAX_QUOTED_LINE / 4,
    };
    let mut a = from.saturating_sub(room);
    let mut b = (a + MAX_QUOTED_LINE).min(text.len());
    a = b.saturating_sub(MAX_QUOTED_LINE).min(a);
    a = floor_boundary(text, a);
    b = floor_boundary(text, b);
    let mut shown = String::new();
    if a > 0 {
        shown.push_str("… ");
    }
    shown.push_str(&text[a..b]);
    if b < text.len() {
        shown.push_str(" …");
    }
    (shown, (line_start + a, line_start + b))
}

/// The most characters of one quoted value (`…`) a message, label or help line shows.
pub const MAX_QUOTED_VALUE: usize = 60;

/// The most characters of a whole message, label or help line.
const MAX_TEXT: usize = 1_000;

/// Messages quote values from the config between backticks; a long one is shown elided in
/// the middle, and the whole text is capped too, so a huge value cannot flood the output.
fn clip(text: &str) -> String {
    let elide = |s: &str, max: usize| -> String {
        let n = s.chars().count();
        if n <= max {
            return s.to_string();
        }
        let head = max * 2 / 3;
        let tail = max - head - 1;
        let start: String = s.chars().take(head).collect();
        let end: String = s.chars().skip(n - tail).collect();
        format!("{start}…{end}")
    };
    let mut out = String::new();
    let parts = text.split('`').count();
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts are between backticks, unless a last backtick is left unclosed.
        if i % 2 == 1 && i + 1 < parts {
            out.push_str(&elide(part, MAX_QUOTED_VALUE));
        } else {
            out.push_str(part);
        }
    }
    elide(&out, MAX_TEXT)
}

/// The 0-based line `offset` is on.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let chunk = self
            .chunk_at(span.offset())
            .ok_or(MietteError::OutOfBounds)?;
        if context_lines_before == 0 && context_lines_after == 0 {
            // Asked for the place itself: the header's `file:line:col`.
            let (line, column) = self
                .starts
                .iter()
                .find(|s| s.0 == span.offset())
                .map(|s| (s.1, s.2))
                .unwrap_or((chunk.first_line, 0));
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &self.text.as_bytes()[span.offset()..span.offset()],
                SourceSpan::from((span.offset(), 0)),
                line,
                column,
                1,
            )));
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[chunk.start..chunk.start + chunk.len],
            SourceSpan::from((chunk.start, chunk.len)),
            chunk.first_line,
            0,
            chunk.lines,
        )))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Diagnostic;

    fn sources(text: &str) -> Sources {
        Sources {
            files: vec![SourceFile::new("c.yaml".into(), text.to_string())],
            secrets: Vec::new(),
        }
    }

    #[test]
    fn a_long_line_is_quoted_around_its_span_only() {
        let filler = "a".repeat(1_000_000);
        let text = format!("x:\n  - {{{filler}: 1, bad: 2, {filler}: 3}}\ny: 1\n");
        let offset = text.find("bad").expect("bad");
        let d = Diagnostic::error(
            "unknown field `bad`",
            Span {
                file: 0,
                offset,
                len: 3,
            },
            "unknown field",
        );
        let out = render(&[d], &sources(&text), false);
        assert!(out.len() < 2_000, "{} bytes:\n{out}", out.len());
        assert!(out.contains("[c.yaml:2:"), "{out}");
        assert!(out.contains("… aaaa"), "{out}");
        assert!(out.contains("1, bad: 2, aaa"), "{out}");
        assert!(out.contains("aaaa …"), "{out}");
        assert!(out.contains("╰── unknown field"), "{out}");
        assert!(out.contains("3 │ y: 1"), "context lines stay: {out}");
    }

    #[test]
    fn long_values_in_messages_are_elided() {
        let long = "k".repeat(100_000);
        let clipped = clip(&format!("site `{long}` is defined twice; write `x`"));
        assert_eq!(
            clipped,
            format!(
                "site `{}…{}` is defined twice; write `x`",
                "k".repeat(40),
                "k".repeat(19)
            )
        );
        assert!(clip(&"m".repeat(5_000)).chars().count() <= MAX_TEXT);
        let unclosed = format!("a lone ` then {}", "t".repeat(100));
        assert_eq!(clip(&unclosed), unclosed);
    }

    #[test]
    fn short_lines_are_quoted_as_they_are() {
        let text = "site:\n  - name: Zürich\n    active: yes\n";
        let offset = text.find("yes").expect("yes");
        let d = Diagnostic::error(
            "`active` must be true or false",
            Span {
                file: 0,
                offset,
                len: 3,
            },
            "a string here",
        );
        let out = render(&[d], &sources(text), false);
        assert!(out.contains("[c.yaml:3:13]"), "{out}");
        assert!(out.contains("2 │   - name: Zürich"), "{out}");
        assert!(out.contains("3 │     active: yes"), "{out}");
        assert!(!out.contains('…'), "{out}");
    }

    #[test]
    fn spans_far_apart_are_quoted_separately() {
        let mut text = String::from("site:\n  - name: A\n");
        for i in 0..50 {
            text.push_str(&format!("    f{i}: 1\n"));
        }
        text.push_str("  - name: A\n");
        let first = text.find("A").expect("A");
        let again = text.rfind("A").expect("A");
        let d = Diagnostic::error(
            "site `A` is defined twice",
            Span {
                file: 0,
                offset: again,
                len: 1,
            },
            "defined again here",
        )
        .with_related(
            Span {
                file: 0,
                offset: first,
                len: 1,
            },
            "first defined here",
        );
        let out = render(&[d], &sources(&text), false);
        assert!(out.contains("[c.yaml:53:11]"), "{out}");
        assert!(out.contains("first defined here"), "{out}");
        assert!(out.contains("defined again here"), "{out}");
        assert!(!out.contains("f20"), "lines between are not quoted: {out}");
    }
}
