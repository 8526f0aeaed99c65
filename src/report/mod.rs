//! Reports: diagnostics -> text. **Invariant:** only this module knows output syntaxes
//! (miette's graphical form, the concise line form, JSON).

pub mod checkstyle;
pub mod ci;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod model;
pub mod routes;
pub mod sarif;
pub mod trace;

use crate::diag::Diagnostic;
use crate::source::SourceMap;

/// Count of diagnostics per code, for `--statistics`.
pub fn statistics(diags: &[Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<(String, String), usize> =
        std::collections::BTreeMap::new();
    for d in diags {
        *counts.entry((d.code.clone(), d.name.clone())).or_default() += 1;
    }
    let mut out = String::new();
    for ((code, name), n) in counts {
        out.push_str(&format!("{n:>5}  {code:<20} {name}\n"));
    }
    out
}

/// `path:line:col: CODE [severity] message`, one per line.
/// Text from the user's files made safe to print: control characters (an ESC sequence, a
/// carriage return) are shown escaped, and in a one-line text (`multiline` false) so are
/// line breaks, so a name cannot forge a line of output or an annotation.
pub fn clean(text: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' if multiline => out.push('\n'),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// [`clean`] on every text of the diagnostics (headline and label messages one-line;
/// notes and help keep their lines).
pub fn clean_all(diags: &mut [Diagnostic]) {
    for d in diags {
        d.message = clean(&d.message, false);
        d.subject = clean(&d.subject, false);
        for n in &mut d.notes {
            *n = clean(n, true);
        }
        if let Some(h) = &mut d.help {
            *h = clean(h, true);
        }
        for l in &mut d.labels {
            l.message = clean(&l.message, false);
        }
    }
}

/// File (as displayed), start (line, column) and end (line, column) of a finding's primary
/// label; a finding about a whole file is at 1:1.
pub(crate) fn place(
    d: &Diagnostic,
    sources: &SourceMap,
) -> (String, (usize, usize), (usize, usize)) {
    match d.primary_origin() {
        Some(o) => {
            let (a, b) = sources.range(o);
            (
                sources.get(o.file).display.clone(),
                (a.line, a.col),
                (b.line, b.col),
            )
        }
        None => (
            d.file
                .map(|f| sources.get(f).display.clone())
                .unwrap_or_default(),
            (1, 1),
            (1, 1),
        ),
    }
}

pub fn concise(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let pos = match d.primary_origin() {
            Some(o) => sources.position(o),
            // About a whole file (it cannot be read): no made-up position.
            None => match d.file {
                Some(f) => sources.get(f).display.clone(),
                None => "routelint".into(),
            },
        };
        out.push_str(&format!(
            "{pos}: {} [{}] {}{}\n",
            d.code,
            d.severity,
            d.message,
            subject_suffix(d)
        ));
    }
    out
}

/// A few lines per finding, for pre-commit and terminals too small for snippets: the concise
/// line, then the flow (both paths) and the fix, indented.
pub fn short(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&concise(std::slice::from_ref(d), sources));
        for n in &d.notes {
            out.push_str("    ");
            out.push_str(n);
            out.push('\n');
        }
        if let Some(h) = &d.help {
            for (i, line) in h.trim_end().lines().enumerate() {
                out.push_str(if i == 0 { "    fix: " } else { "         " });
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// ` (subject, +N more)` for a finding about a flow, so lines at one place stay apart and
/// merged findings say how many flows they stand for.
pub fn subject_suffix(d: &Diagnostic) -> String {
    if d.subject.is_empty() || !d.code.starts_with("RL") {
        return String::new();
    }
    match d.also.len() {
        0 => format!(" ({})", d.subject),
        n => format!(" ({}, +{n} more)", d.subject),
    }
}

#[cfg(test)]
mod clean_tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(super::clean("a\nb", false), "a\\nb");
        assert_eq!(super::clean("a\nb", true), "a\nb");
        assert_eq!(
            super::clean("x\u{1b}[31m::error::y\r", true),
            "x\\u{1b}[31m::error::y\\r"
        );
    }
}
