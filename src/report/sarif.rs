//! SARIF 2.1.0 (hand-written serde_json: `serde-sarif` does not build on its own, see
//! CRATES.md). Columns are UTF-16 code units, as `columnKind` says.

use crate::diag::{Diagnostic, Severity};
use crate::rules;
use crate::source::{Origin, SourceMap};
use serde_json::{json, Value};

/// Where rule docs live online; `ROUTELINT_RULES_URL` overrides it.
pub const RULES_URL: &str = "https://github.com/routelint/routelint/blob/main/rules/";

pub fn rules_url() -> String {
    std::env::var("ROUTELINT_RULES_URL").unwrap_or_else(|_| RULES_URL.to_string())
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn uri(path: &str) -> String {
    path.replace('\\', "/").replace(' ', "%20")
}

fn region(o: Origin, sources: &SourceMap) -> Value {
    let (a, b) = sources.range(o);
    json!({
        "startLine": a.line,
        "startColumn": a.utf16_col + 1,
        "endLine": b.line,
        "endColumn": b.utf16_col + 1,
    })
}

fn location(o: Origin, sources: &SourceMap) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&sources.get(o.file).display), "uriBaseId": "%SRCROOT%"},
            "region": region(o, sources),
        }
    })
}

fn first_paragraph(doc: &str, heading: &str) -> String {
    let Some(i) = doc.find(heading) else {
        return String::new();
    };
    doc[i + heading.len()..]
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', " ")
        .trim()
        .to_string()
}

pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    render_with(diags, sources, &[])
}

/// The SARIF log, with the configuration files that governed the run as run properties.
pub fn render_with(diags: &[Diagnostic], sources: &SourceMap, config_files: &[String]) -> String {
    let all = rules::all();
    let base = rules_url();
    let mut rule_objs: Vec<Value> = all
        .iter()
        .map(|r| {
            json!({
                "id": r.meta.code,
                "name": r.meta.name,
                "shortDescription": {"text": r.meta.summary},
                "fullDescription": {"text": first_paragraph(r.meta.doc, "## What it does")},
                "help": {"text": r.meta.doc, "markdown": r.meta.doc},
                "helpUri": format!("{base}{}.md", r.meta.code),
                "defaultConfiguration": {"level": level(r.meta.severity)},
                "properties": {"tags": ["network", "azure", "routing"]},
            })
        })
        .collect();
    let mut ids: Vec<String> = all.iter().map(|r| r.meta.code.to_string()).collect();
    let mut results = Vec::new();
    for d in diags {
        let idx = match ids.iter().position(|c| *c == d.code) {
            Some(i) => i,
            None => {
                ids.push(d.code.clone());
                rule_objs.push(json!({
                    "id": d.code,
                    "name": d.name,
                    "shortDescription": {"text": d.code.replace('-', " ")},
                    "fullDescription": {"text": format!("routelint diagnostic `{}`.", d.code)},
                    "helpUri": format!("{base}README.md"),
                    "defaultConfiguration": {"level": level(d.severity)},
                }));
                ids.len() - 1
            }
        };
        let mut text = d.message.clone();
        if !text.ends_with('.') {
            text.push('.');
        }
        for n in &d.notes {
            text.push(' ');
            text.push_str(n);
        }
        if let Some(h) = &d.help {
            text.push_str(" Fix: ");
            text.push_str(h);
        }
        let primary = d.primary_label().cloned();
        let locations: Vec<Value> = match d.primary_origin() {
            Some(o) => vec![location(o, sources)],
            None => match d.file {
                Some(f) => vec![
                    json!({"physicalLocation": {"artifactLocation": {"uri": uri(&sources.get(f).display), "uriBaseId": "%SRCROOT%"}}}),
                ],
                None => Vec::new(),
            },
        };
        let related: Vec<Value> = d
            .labels
            .iter()
            .filter(|l| Some(*l) != primary.as_ref())
            .enumerate()
            .map(|(i, l)| {
                let mut loc = location(l.origin, sources);
                loc["id"] = json!(i + 1);
                loc["message"] = json!({"text": l.message});
                loc
            })
            .collect();
        let mut r = json!({
            "ruleId": d.code,
            "ruleIndex": idx,
            "level": level(d.severity),
            "message": {"text": text},
            "locations": locations,
            "partialFingerprints": {
                "routelint/subject/v1": format!("{}:{}", d.code, d.subject),
                "routelint/v1": crate::baseline::fingerprint(d, sources),
            },
        });
        if !related.is_empty() {
            r["relatedLocations"] = json!(related);
        }
        if let Some(f) = &d.flow {
            let thread = |name: &str, steps: &[crate::diag::StepText]| {
                let locations: Vec<Value> = steps
                    .iter()
                    .map(|st| {
                        let mut loc = match st.origin {
                            Some(o) => location(o, sources),
                            None => json!({}),
                        };
                        loc["message"] = json!({"text": st.text});
                        json!({"location": loc})
                    })
                    .collect();
                json!({"message": {"text": name}, "locations": locations})
            };
            let mut threads = Vec::new();
            if !f.forward_steps.is_empty() {
                threads.push(thread("forward", &f.forward_steps));
            }
            if !f.return_steps.is_empty() {
                threads.push(thread("return", &f.return_steps));
            }
            if !threads.is_empty() {
                r["codeFlows"] = json!([{"message": {"text": f.flow}, "threadFlows": threads}]);
            }
        }
        results.push(r);
    }
    let cwd = std::env::current_dir()
        .map(|p| {
            format!(
                "file://{}/",
                p.to_string_lossy().replace('\\', "/").trim_end_matches('/')
            )
        })
        .unwrap_or_else(|_| "file:///".into());
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "routelint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": base.trim_end_matches("rules/").to_string(),
                "rules": rule_objs,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd}},
            "columnKind": "utf16CodeUnits",
            "results": results,
            "properties": {"configFiles": config_files},
        }],
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
