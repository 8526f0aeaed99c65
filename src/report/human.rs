//! The human format: miette's graphical reports. One diagnostic per finding; labels in
//! other files become related diagnostics with their own source.

use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;
use std::sync::Arc;

struct Report {
    code: String,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<Arc<String>>>,
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

fn named(sources: &SourceMap, f: FileId) -> NamedSource<Arc<String>> {
    let src = sources.get(f);
    NamedSource::new(src.display.clone(), src.text.clone())
}

fn to_report(d: &Diagnostic, sources: &SourceMap) -> Report {
    let primary_file = d.primary_file();
    let mut message = d.message.clone();
    for n in &d.notes {
        message.push_str("\n  ");
        message.push_str(n);
    }
    let mut labels = Vec::new();
    let mut others: Vec<(FileId, Vec<LabeledSpan>)> = Vec::new();
    for l in &d.labels {
        let len = sources.get(l.origin.file).text.len();
        let start = l.origin.start.min(len);
        let end = l.origin.end.min(len).max(start);
        let span = SourceSpan::new(start.into(), end - start);
        let ls = if l.primary {
            LabeledSpan::new_primary_with_span(Some(l.message.clone()), span)
        } else {
            LabeledSpan::new_with_span(Some(l.message.clone()), span)
        };
        let far = match (d.primary_origin(), l.primary) {
            (Some(p), false) if p.file == l.origin.file => {
                let f = sources.get(p.file);
                f.line_col(p.start)
                    .line
                    .abs_diff(f.line_col(l.origin.start).line)
                    > 12
            }
            _ => false,
        };
        if Some(l.origin.file) == primary_file && !far {
            labels.push(ls);
        } else {
            match others.iter_mut().find(|(f, _)| *f == l.origin.file) {
                Some((_, v)) => v.push(ls),
                None => others.push((l.origin.file, vec![ls])),
            }
        }
    }
    let related = others
        .into_iter()
        .map(|(f, ls)| Report {
            code: String::new(),
            severity: miette::Severity::Advice,
            message: format!("related: {}", sources.get(f).display),
            help: None,
            source: Some(named(sources, f)),
            labels: ls,
            related: Vec::new(),
        })
        .collect();
    let mut help = d.help.clone();
    if d.code.starts_with("RL") {
        let see = format!("see: routelint explain {}", d.code);
        help = Some(match help {
            Some(h) => format!("{h}\n{see}"),
            None => see,
        });
    }
    Report {
        code: d.code.clone(),
        severity: severity(d.severity),
        message,
        help,
        source: primary_file.map(|f| named(sources, f)),
        labels,
        related,
    }
}

/// Renders diagnostics with miette. `color` selects the coloured theme.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let r = to_report(d, sources);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}[{}]: {}\n", d.severity, d.code, d.message));
        }
        out.push('\n');
    }
    out
}
