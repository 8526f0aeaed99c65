//! Reports: diagnostics -> text. **Invariant:** only this module knows output syntaxes
//! (miette's graphical form, the concise line form, JSON).

pub mod checkstyle;
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
pub fn concise(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let pos = match d.primary_origin() {
            Some(o) => sources.position(o),
            None => match d.file {
                Some(f) => format!("{}:1:1", sources.get(f).display),
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
