//! GitHub Actions workflow commands:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
//!
//! Escaping follows GitHub's runner (`toolkit/packages/core/src/command.ts`): in the message,
//! `%` -> `%25`, CR -> `%0D`, LF -> `%0A`; in property values additionally `:` -> `%3A` and
//! `,` -> `%2C`.

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props: Vec<String> = Vec::new();
        if let Some(o) = d.primary_origin() {
            let (a, b) = sources.range(o);
            props.push(format!(
                "file={}",
                escape_property(&sources.get(o.file).display)
            ));
            props.push(format!("line={}", a.line));
            props.push(format!("col={}", a.col));
            props.push(format!("endLine={}", b.line));
            props.push(format!("endColumn={}", b.col));
        } else if let Some(f) = d.file {
            props.push(format!("file={}", escape_property(&sources.get(f).display)));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code, d.name))
        ));
        // The whole finding: the message, its notes (the flow, both paths, what breaks), the
        // flows it also breaks, and the whole fix; the runner shows `%0A` as a line break.
        let mut msg = d.message.clone();
        for n in &d.notes {
            msg.push('\n');
            msg.push_str(n);
        }
        if !d.also.is_empty() && !d.notes.iter().any(|n| n.contains("also breaks")) {
            msg.push_str(&format!(
                "\nalso breaks {} more flow(s): {}",
                d.also.len(),
                d.also.join(", ")
            ));
        }
        if let Some(h) = &d.help {
            msg.push_str("\nFix: ");
            msg.push_str(h.trim_end());
        }
        out.push_str(&format!(
            "::{cmd} {}::{}\n",
            props.join(","),
            escape_data(&msg)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
