//! Helpers shared by the integration tests.
#![allow(dead_code)]

use routelint::{check, load, Options, Outcome};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Paths relative to the crate root, as users pass them.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from("fixtures").join(name)
}

pub fn run(path: &Path) -> Outcome {
    std::env::set_current_dir(root()).expect("crate root");
    check(&[path.to_path_buf()], &Options::default())
}

pub fn model_of(path: &Path) -> Outcome {
    std::env::set_current_dir(root()).expect("crate root");
    load(&[path.to_path_buf()], &Options::default())
}

/// Findings as `(code, subject, file:line relative to the scenario directory)`.
pub fn findings(out: &Outcome, scenario: &Path) -> Vec<(String, String, String)> {
    let prefix = format!("{}/", scenario.display());
    let mut v: Vec<(String, String, String)> = out
        .diagnostics
        .iter()
        .filter(|d| routelint::is_finding(d))
        .map(|d| {
            let o = d.primary_origin().expect("findings have a position");
            let f = out.sources.get(o.file);
            let lc = f.line_col(o.start);
            let rel = f
                .display
                .strip_prefix(&prefix)
                .unwrap_or(&f.display)
                .to_string();
            (
                d.code.clone(),
                d.subject.clone(),
                format!("{rel}:{}", lc.line),
            )
        })
        .collect();
    v.sort();
    v
}

/// Reads `expected.tsv`: `code<TAB>subject<TAB>terraform location`.
pub fn expected(scenario: &Path, column: usize) -> Vec<(String, String, String)> {
    let text =
        std::fs::read_to_string(root().join(scenario).join("expected.tsv")).expect("expected.tsv");
    let mut v: Vec<(String, String, String)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (
                c[0].to_string(),
                c[1].to_string(),
                c.get(column).unwrap_or(&"").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}
