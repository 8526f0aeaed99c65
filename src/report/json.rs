//! The JSON format (schema version 1), documented in the README and described exactly by
//! the JSON Schema `src/report/routelint-report.schema.json` (`routelint schema` prints it;
//! a test validates every fixture's report against it):
//!
//! ```json
//! {"version": 1, "tool": {"name": "routelint", "version": "0.1.0"},
//!  "diagnostics": [{"code": "RL001", "name": "return-path-bypasses-firewall",
//!    "severity": "error", "message": "…", "notes": ["…"], "subject": "…",
//!    "flow": {"flow": "on-prem … <-> …", "forward": "…", "return": "…"},
//!    "location": {"file": "main.tf", "line": 3, "column": 1, "end_line": 3,
//!                 "end_column": 9, "offset": 40, "length": 8},
//!    "related": [{"message": "…", "location": {…}}],
//!    "help": "…", "fix": {"title": "…", "applicability": "unsafe",
//!                         "edits": [{"location": {…}, "text": "…"}]}}],
//!  "summary": {"error": 1, "warning": 0, "info": 2}}
//! ```

use crate::diag::{Diagnostic, Severity};
use crate::source::{Origin, SourceMap};
use serde_json::{json, Value};

pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of the report (`routelint schema`).
pub const SCHEMA: &str = include_str!("routelint-report.schema.json");

pub fn location(o: Origin, sources: &SourceMap) -> Value {
    let f = sources.get(o.file);
    let a = f.line_col(o.start);
    let b = f.line_col(o.end);
    json!({
        "file": f.display,
        "line": a.line,
        "column": a.col,
        "end_line": b.line,
        "end_column": b.col,
        "offset": o.start,
        "length": o.len(),
    })
}

pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) -> Value {
    let loc = d
        .primary_origin()
        .map(|o| location(o, sources))
        .or_else(|| d.file.map(|f| json!({"file": sources.get(f).display})))
        .unwrap_or(Value::Null);
    let primary = d.primary_label().cloned();
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| Some(*l) != primary.as_ref())
        .map(|l| json!({"message": l.message, "location": location(l.origin, sources)}))
        .collect();
    let fix = d.fix.as_ref().map(|f| {
        json!({
            "title": f.title,
            "applicability": f.applicability,
            "edits": f.edits.iter().map(|e| json!({"location": location(e.origin, sources), "text": e.text})).collect::<Vec<_>>(),
        })
    });
    json!({
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "message": d.message,
        "label": primary.map(|l| l.message),
        "notes": d.notes,
        "subject": d.subject,
        "also": d.also,
        "fingerprint": crate::baseline::fingerprint(d, sources),
        "flow": d.flow.as_ref().map(|f| {
            let steps = |v: &[crate::diag::StepText]| {
                v.iter()
                    .map(|st| json!({"text": st.text, "location": st.origin.map(|o| location(o, sources))}))
                    .collect::<Vec<_>>()
            };
            json!({"flow": f.flow, "forward": f.forward, "return": f.reverse, "forward_steps": steps(&f.forward_steps), "return_steps": steps(&f.return_steps)})
        }),
        "location": loc,
        "related": related,
        "help": d.help,
        "fix": fix,
    })
}

pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    render_with(diags, sources, &[])
}

/// The JSON report, naming the configuration files that governed the run.
pub fn render_with(diags: &[Diagnostic], sources: &SourceMap, config_files: &[String]) -> String {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let v = json!({
        "version": SCHEMA_VERSION,
        "tool": {"name": "routelint", "version": env!("CARGO_PKG_VERSION")},
        "config_files": config_files,
        "diagnostics": diags.iter().map(|d| diagnostic(d, sources)).collect::<Vec<_>>(),
        "summary": {"error": count(Severity::Error), "warning": count(Severity::Warning), "info": count(Severity::Info)},
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
