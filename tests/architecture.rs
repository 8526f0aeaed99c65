//! The module boundaries ARCHITECTURE.md promises, checked on the source: data flows one
//! way (`discover -> frontend -> ir -> analysis -> rules -> report`) and nothing reaches
//! back.

mod common;
use common::*;
use std::collections::BTreeSet;

/// The top-level modules a file under `src/<dir>` names through `crate::…`.
fn imports(dir: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let base = root().join("src").join(dir);
    let files = if base.is_dir() {
        files_under(&base)
    } else {
        vec![base.with_extension("rs")]
    };
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(f).unwrap();
        let shown = f.strip_prefix(root()).unwrap().display().to_string();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + 7..];
            let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or("").to_string())
                    .collect()
            } else {
                vec![rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()]
            };
            for n in names.into_iter().filter(|n| !n.is_empty()) {
                out.insert((shown.clone(), n));
            }
        }
    }
    out
}

fn assert_none(dir: &str, forbidden: &[&str]) {
    let bad: Vec<_> = imports(dir)
        .into_iter()
        .filter(|(_, m)| forbidden.contains(&m.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "src/{dir} must not import {forbidden:?}: {bad:?}"
    );
}

fn assert_only(dir: &str, allowed: &[&str]) {
    let bad: Vec<_> = imports(dir)
        .into_iter()
        .filter(|(_, m)| !allowed.contains(&m.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "src/{dir} may import only {allowed:?}: {bad:?}"
    );
}

#[test]
fn front_ends_know_nothing_of_routing() {
    assert_none(
        "frontend",
        &["analysis", "rules", "report", "lsp", "config"],
    );
}

#[test]
fn the_ir_knows_only_origins() {
    assert_only("ir", &["ir", "source"]);
}

#[test]
fn the_analysis_sees_neither_syntax_nor_rules() {
    assert_none(
        "analysis",
        &["frontend", "rules", "report", "lsp", "discover", "suppress"],
    );
}

#[test]
fn rules_see_only_the_ir_and_the_analysis() {
    assert_none(
        "rules",
        &[
            "frontend", "report", "lsp", "discover", "config", "suppress",
        ],
    );
}

#[test]
fn configuration_does_not_import_the_rules() {
    assert_none("config", &["rules", "analysis", "frontend", "report"]);
}

#[test]
fn reports_do_not_reach_into_front_ends() {
    assert_none("report", &["frontend", "discover", "lsp"]);
}

/// The check itself finds what it looks for.
#[test]
fn the_import_scan_sees_grouped_and_plain_paths() {
    let found = imports("rules");
    assert!(found.iter().any(|(_, m)| m == "analysis"));
    assert!(found.iter().any(|(_, m)| m == "ir"));
}
