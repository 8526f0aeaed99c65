//! Checkstyle XML, which many CI tools (Jenkins warnings-ng, GitLab, reviewdog) read.

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;
use std::collections::BTreeMap;

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
        .replace('\n', "&#10;")
}

pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in diags {
        let (file, (line, col), _) = super::place(d, sources);
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        by_file.entry(file).or_default().push(format!(
            "    <error line=\"{line}\" column=\"{col}\" severity=\"{sev}\" message=\"{}\" source=\"routelint.{}\"/>\n",
            xml(&format!("{}{}", d.message, super::subject_suffix(d))),
            xml(&d.code)
        ));
    }
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for (f, errs) in by_file {
        out.push_str(&format!("  <file name=\"{}\">\n", xml(&f)));
        for e in errs {
            out.push_str(&e);
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
