//! Entry points for the fuzz targets (`fuzz/`, `cargo +nightly fuzz run <target>`) and for
//! the replay of their saved inputs in `cargo test` (`tests/fuzz_replay.rs`): each takes
//! arbitrary bytes and runs them through one stage. None may panic, hang or abort; what
//! they return does not matter.
//!
//! Inputs reach the front ends as files (they read from disk), in a directory of this
//! process's own under the system temporary directory.

use std::path::PathBuf;

/// The scratch directory for one target (reused between runs of one process).
fn scratch(target: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("routelint-fuzz-{}-{target}", std::process::id()));
    let _ = std::fs::create_dir_all(&d);
    d
}

fn check_dir(dir: &std::path::Path) {
    let out = crate::check(&[dir.to_path_buf()], &crate::Options::default());
    // Every output format renders what came out.
    let _ = crate::report::json::render(&out.diagnostics, &out.sources);
    let _ = crate::report::sarif::render(&out.diagnostics, &out.sources);
    let _ = crate::report::concise(&out.diagnostics, &out.sources);
}

/// Terraform bytes -> findings (the bytes are `main.tf`).
pub fn terraform(data: &[u8]) {
    let d = scratch("terraform");
    if std::fs::write(d.join("main.tf"), data).is_ok() {
        check_dir(&d);
    }
}

/// ARM JSON bytes -> findings (the bytes are `main.json`).
pub fn arm(data: &[u8]) {
    let d = scratch("arm");
    if std::fs::write(d.join("main.json"), data).is_ok() {
        check_dir(&d);
    }
}

/// The ARM expression parser and evaluator: the bytes are one `[…]` expression, used as a
/// variable, a resource name and a route prefix.
pub fn arm_expression(data: &[u8]) {
    let expr = String::from_utf8_lossy(data);
    let quoted = serde_json::to_string(&format!("[{expr}]")).unwrap_or_default();
    let tpl = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": {{"x": {quoted}}},
  "resources": [{{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
    "name": "[string(variables('x'))]",
    "properties": {{"routes": [{{"name": "r", "properties": {{"addressPrefix": {quoted}, "nextHopType": "None"}}}}]}}}}]}}"#
    );
    let d = scratch("arm-expression");
    if std::fs::write(d.join("main.json"), tpl).is_ok() {
        check_dir(&d);
    }
}

/// The Bicep position mapper: the bytes are `main.bicep` beside a fixed compiled template.
pub fn bicep(data: &[u8]) {
    let d = scratch("bicep");
    let json = include_str!("../fixtures/hub-spoke-ok/arm/main.json");
    if std::fs::write(d.join("main.json"), json).is_ok()
        && std::fs::write(d.join("main.bicep"), data).is_ok()
    {
        check_dir(&d);
    }
}

/// The Language Server framing: the bytes are what a client wrote.
pub fn lsp_frames(data: &[u8]) {
    let mut r = std::io::Cursor::new(data);
    for _ in 0..10_000 {
        match crate::lsp::read_frame(&mut r) {
            Ok(crate::lsp::Frame::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Runs the entry point a target name names (for the replay).
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "terraform" => terraform(data),
        "arm" => arm(data),
        "arm_expression" => arm_expression(data),
        "bicep" => bicep(data),
        "lsp_frames" => lsp_frames(data),
        _ => return false,
    }
    true
}
