//! Helpers shared by the integration tests.
#![allow(dead_code)]

use routelint::{check, load, Options, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Paths relative to the crate root, as users pass them.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from("fixtures").join(name)
}

/// Runs the binary in `dir` without colour: `(exit code, stdout, stderr)`.
pub fn routelint_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_routelint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run routelint");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the binary at the crate root.
pub fn routelint(args: &[&str]) -> (i32, String, String) {
    routelint_in(&root(), args)
}

/// A fresh, empty directory under the system temporary directory, unique to this process.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("routelint-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every file under `d`, depth first.
pub fn files_under(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Copies the tree under `src` into `dst`, keeping relative paths.
pub fn copy_tree(src: &Path, dst: &Path) {
    for f in files_under(src) {
        let to = dst.join(f.strip_prefix(src).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&f, &to).unwrap();
    }
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
