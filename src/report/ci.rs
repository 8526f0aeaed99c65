//! Reports for other CI systems: GitLab Code Quality, JUnit XML, and reviewdog's rdjson.
//! Each finding carries its whole text (message, notes, fix) and the position of its primary
//! label; fingerprints are the baseline's (stable across line moves).

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;
use serde_json::{json, Value};

/// The finding in full, as plain text.
fn text(d: &Diagnostic) -> String {
    let mut t = format!("{}: {}", d.code, d.message);
    for n in &d.notes {
        t.push('\n');
        t.push_str(n);
    }
    if let Some(h) = &d.help {
        t.push_str("\nFix: ");
        t.push_str(h.trim_end());
    }
    t
}

fn doc_url(code: &str) -> String {
    format!("{}{code}.md", super::sarif::rules_url())
}

/// GitLab Code Quality (`artifacts:reports:codequality`): a JSON array of issues.
pub fn gitlab(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let issues: Vec<Value> = diags
        .iter()
        .map(|d| {
            let (path, a, b) = super::place(d, sources);
            json!({
                "type": "issue",
                "check_name": d.code,
                "description": format!("{}{}", d.message, super::subject_suffix(d)),
                "content": {"body": text(d)},
                "categories": ["Bug Risk"],
                "severity": match d.severity {
                    Severity::Error => "critical",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "fingerprint": crate::baseline::fingerprint(d, sources),
                "location": {"path": path, "lines": {"begin": a.0, "end": b.0}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_default() + "\n"
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JUnit XML: one test case per finding (a failure for errors and warnings, a skipped case
/// with its text for notes), in one suite.
pub fn junit(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let failures = diags
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"routelint\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"routelint\" tests=\"{}\" failures=\"{failures}\">\n",
        diags.len(),
        diags.len()
    ));
    for d in diags {
        let (path, a, _) = super::place(d, sources);
        let name = format!("{} {} {}", d.code, d.name, d.subject);
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n",
            xml(&path),
            xml(name.trim()),
            xml(&path),
            a.0
        ));
        let body = xml(&format!("{path}:{}:{}\n{}", a.0, a.1, text(d)));
        if d.severity >= Severity::Warning {
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{body}</failure>\n",
                xml(&d.code),
                xml(&d.message)
            ));
        } else {
            out.push_str(&format!(
                "      <skipped message=\"{}\"/>\n      <system-out>{body}</system-out>\n",
                xml(&d.message)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// reviewdog's Diagnostic Format (`rdjson`), for `reviewdog -f=rdjson`.
pub fn rdjson(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let sev = |s: Severity| match s {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    };
    let list: Vec<Value> = diags
        .iter()
        .map(|d| {
            let (path, a, b) = super::place(d, sources);
            let mut v = json!({
                "message": text(d),
                "location": {"path": path, "range": {
                    "start": {"line": a.0, "column": a.1},
                    "end": {"line": b.0, "column": b.1},
                }},
                "severity": sev(d.severity),
                "code": {"value": d.code},
                "source": {"name": "routelint"},
            });
            if d.code.starts_with("RL") {
                v["code"]["url"] = json!(doc_url(&d.code));
            }
            v
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "source": {"name": "routelint", "url": super::sarif::rules_url().trim_end_matches("rules/")},
        "severity": if diags.iter().any(|d| d.severity == Severity::Error) { "ERROR" } else { "WARNING" },
        "diagnostics": list,
    }))
    .unwrap_or_default()
        + "\n"
}
