//! The human format: `error[RL001]: message`, the flow and notes, a source snippet per file
//! of the labels (miette draws them; the primary label's file first), the help, and the
//! rule's `explain` line. Prose wraps at word boundaries to the terminal's width; not at all
//! when the output is not a terminal.

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceFile, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use std::fmt;
use std::sync::Arc;

struct Report {
    code: String,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<Windowed>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
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
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(&self.code))
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
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

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// A file as miette reads it: only the lines around a snippet, found with the file's line
/// index. (miette's own reader counts lines from the start of the file for every snippet,
/// which for a compiled template of megabytes is most of the time a report takes.)
struct Windowed(Arc<SourceFile>);

impl miette::SourceCode for Windowed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let f = &self.0;
        let text = f.text.as_str();
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        // Whole lines around the span, one more before the context and two more after it,
        // so miette's line counting meets the same newlines in the window as in the file.
        let first = f.line_col(start).line.saturating_sub(before + 1).max(1);
        let last = f.line_col(end).line + after + 2;
        let from = f.line_start(first).unwrap_or(0);
        let to = f.line_start(last + 1).unwrap_or(text.len());
        let inner = text.as_bytes()[from..to].read_span(
            &SourceSpan::new((start - from).into(), end - start),
            before,
            after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            f.display.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first - 1,
            inner.column(),
            inner.line_count() + first - 1,
        )))
    }
}

fn named(sources: &SourceMap, f: FileId) -> Windowed {
    Windowed(sources.get(f))
}

/// Word-wraps `text` to `width` columns (none: no wrapping), never inside a word (a name
/// or an address stays whole); continuation lines start with `indent`.
fn wrap(text: &str, width: Option<usize>, first: &str, indent: &str) -> String {
    let Some(width) = width else {
        return format!("{first}{text}");
    };
    let mut out = String::from(first);
    let mut col = first.chars().count();
    let mut line_start = true;
    for word in text.split(' ') {
        let w = word.chars().count();
        if !line_start && col + 1 + w > width {
            out.push('\n');
            out.push_str(indent);
            col = indent.chars().count();
            line_start = true;
        }
        if !line_start {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
        line_start = false;
    }
    out
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The labels of a diagnostic grouped into snippets: by file, the primary label's first, and
/// within a file labels more than 12 lines apart in snippets of their own (one snippet
/// would print every line between them).
fn label_groups(d: &Diagnostic, sources: &SourceMap) -> Vec<(FileId, Vec<LabeledSpan>)> {
    // (file, first line of the group, labels)
    let mut groups: Vec<(FileId, usize, Vec<LabeledSpan>)> = Vec::new();
    let mut labels: Vec<&crate::diag::Label> = d.labels.iter().collect();
    // The primary label first: its snippet leads.
    labels.sort_by_key(|l| !l.primary);
    for l in labels {
        let f = sources.get(l.origin.file);
        let len = f.text.len();
        let start = l.origin.start.min(len);
        let end = l.origin.end.min(len).max(start);
        let line = f.line_col(start).line;
        let span = SourceSpan::new(start.into(), end - start);
        let ls = if l.primary {
            LabeledSpan::new_primary_with_span(Some(l.message.clone()), span)
        } else {
            LabeledSpan::new_with_span(Some(l.message.clone()), span)
        };
        match groups
            .iter_mut()
            .find(|(g, first, _)| *g == l.origin.file && first.abs_diff(line) <= 12)
        {
            Some((_, _, v)) => v.push(ls),
            None => groups.push((l.origin.file, line, vec![ls])),
        }
    }
    groups.into_iter().map(|(f, _, v)| (f, v)).collect()
}

/// One diagnostic: `error[RL001]: message`, its notes, the source snippets of its labels
/// (one per file, the primary's first), the help and the rule's `explain` line.
fn render_one(
    d: &Diagnostic,
    sources: &SourceMap,
    handler: &GraphicalReportHandler,
    color: bool,
    width: Option<usize>,
) -> String {
    let (sev, style) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
        Severity::Info => ("info", "1;36"),
    };
    let mut out = wrap(
        &d.message,
        width,
        &format!(
            "{}{}: ",
            paint(color, style, sev),
            paint(color, "1", &format!("[{}]", d.code))
        ),
        "  ",
    );
    out.push('\n');
    for n in &d.notes {
        out.push_str(&wrap(n, width, "  ", "    "));
        out.push('\n');
    }
    for (f, labels) in label_groups(d, sources) {
        let r = Report {
            code: String::new(),
            severity: severity(d.severity),
            message: String::new(),
            help: None,
            source: Some(named(sources, f)),
            labels,
            related: Vec::new(),
        };
        let mut snippet = String::new();
        if handler.render_report(&mut snippet, &r).is_err() {
            continue;
        }
        // miette puts the (empty) message first: keep the snippet, from its file line on.
        let lines: Vec<&str> = snippet.lines().collect();
        let start = lines.iter().position(|l| l.contains("╭─[")).unwrap_or(0);
        for l in &lines[start..] {
            if !l.trim().is_empty() {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    if let Some(h) = &d.help {
        let mut first = true;
        for line in h.lines() {
            let lead = if first { "  help: " } else { "        " };
            // Prose wraps; indented code (a route to add) is printed as it is.
            if line.starts_with(' ') {
                out.push_str(lead);
                out.push_str(line);
            } else {
                out.push_str(&wrap(line, width, lead, "        "));
            }
            out.push('\n');
            first = false;
        }
    }
    if d.code.starts_with("RL") {
        out.push_str(&format!("  see: routelint explain {}\n", d.code));
    }
    out
}

/// Renders diagnostics for people: `error[RL001]: …`, the flow, snippets, help. `color`
/// selects ANSI colours; `width` wraps prose at word boundaries (none: no wrapping, for
/// pipes and files).
pub fn render(
    diags: &[Diagnostic],
    sources: &SourceMap,
    color: bool,
    width: Option<usize>,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width.unwrap_or(10_000))
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        out.push_str(&render_one(d, sources, &handler, color, width));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_names_whole() {
        let t = "forward: vpngw-hub -> vnet-hub/GatewaySubnet -> vnet-spoke1/snet-workload";
        let w = wrap(t, Some(30), "  ", "    ");
        assert_eq!(
            w,
            "  forward: vpngw-hub ->\n    vnet-hub/GatewaySubnet ->\n    vnet-spoke1/snet-workload"
        );
        // A word longer than the width stays whole on its own line.
        assert_eq!(
            wrap("a verylongname-without-spaces b", Some(10), "", "  "),
            "a\n  verylongname-without-spaces\n  b"
        );
        // No width (a pipe, a file): one line.
        assert_eq!(wrap(t, None, "  ", "    "), format!("  {t}"));
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use miette::SourceCode;

    /// The windowed reader gives miette exactly what reading the whole text gives.
    #[test]
    fn a_window_reads_what_the_whole_text_reads() {
        for text in [
            "line one\n  two\n\nfour is longer\nfive\n six\nseven\n\n\nten",
            "a\r\nbb\r\n\r\nccc\r\nd\r\n",
        ] {
            let f = Arc::new(SourceFile::new(std::path::Path::new("x.tf"), text.into()));
            let w = Windowed(f);
            for start in 0..text.len() {
                for len in [0, 1, 3, 12] {
                    let len = len.min(text.len() - start);
                    for ctx in [0, 1, 2, 5] {
                        let span = SourceSpan::new(start.into(), len);
                        let a = text.as_bytes().read_span(&span, ctx, ctx).expect("whole");
                        let b = w.read_span(&span, ctx, ctx).expect("window");
                        let show = |c: &dyn miette::SpanContents| {
                            (
                                String::from_utf8_lossy(c.data()).into_owned(),
                                c.span().offset(),
                                c.span().len(),
                                c.line(),
                                c.column(),
                                c.line_count(),
                            )
                        };
                        assert_eq!(show(&*a), show(&*b), "span {start}+{len}, context {ctx}");
                    }
                }
            }
        }
    }
}
