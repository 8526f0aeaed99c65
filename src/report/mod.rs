//! Reports: diagnostics -> text. **Invariant:** only this module knows output syntaxes
//! (miette's graphical form, the concise line form, JSON).

pub mod human;
pub mod json;
pub mod model;

use crate::diag::Diagnostic;
use crate::source::SourceMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
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
            "{pos}: {} [{}] {}\n",
            d.code, d.severity, d.message
        ));
    }
    out
}
