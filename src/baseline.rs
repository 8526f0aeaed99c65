//! Baselines: adopting routelint on an estate that already has findings.
//!
//! `check --write-baseline FILE` records every finding; `check --baseline FILE` then reports
//! only findings that are not in it. An entry is keyed on a fingerprint of the rule, the
//! finding's subject (the flow or resource it is about, by name) and the file of its primary
//! label, never on a line number: moving code does not make an old finding new. Entries that
//! match no finding any more are stale and reported (`baseline-stale`), so the file shrinks as
//! the estate is fixed.

use crate::diag::{codes, Diagnostic, Severity};
use crate::source::SourceMap;
use serde_json::{json, Value};
use std::path::Path;

/// The format version written and read.
pub const VERSION: u64 = 1;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub subject: String,
    /// The primary label's file, as displayed (relative to the working directory).
    pub file: String,
    pub fingerprint: String,
}

/// FNV-1a, 64 bits: stable across runs, platforms and versions (unlike `DefaultHasher`).
fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The file a finding is about (its primary label's, else its own).
fn file_of(d: &Diagnostic, sources: &SourceMap) -> String {
    d.primary_file()
        .or(d.file)
        .map(|f| sources.get(f).display.clone())
        .unwrap_or_default()
}

/// A finding's fingerprint: rule, subject and file, no line. The same string is SARIF's
/// `partialFingerprints` value.
pub fn fingerprint(d: &Diagnostic, sources: &SourceMap) -> String {
    format!(
        "{:016x}",
        fnv(&format!(
            "{}\u{1f}{}\u{1f}{}",
            d.code,
            d.subject,
            file_of(d, sources)
        ))
    )
}

pub fn entry(d: &Diagnostic, sources: &SourceMap) -> Entry {
    Entry {
        code: d.code.clone(),
        subject: d.subject.clone(),
        file: file_of(d, sources),
        fingerprint: fingerprint(d, sources),
    }
}

/// The baseline file for these findings.
pub fn write(findings: &[&Diagnostic], sources: &SourceMap) -> String {
    let mut entries: Vec<Entry> = findings.iter().map(|d| entry(d, sources)).collect();
    entries.sort_by(|a, b| (&a.file, &a.code, &a.subject).cmp(&(&b.file, &b.code, &b.subject)));
    entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "code": e.code,
                "subject": e.subject,
                "file": e.file,
                "fingerprint": e.fingerprint,
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "routelint_baseline": VERSION,
        "findings": list,
    }))
    .unwrap_or_default()
        + "\n"
}

/// Reads a baseline file; an error says what is wrong with it.
pub fn read(path: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| format!("baseline {} is not JSON: {e}", path.display()))?;
    match v.get("routelint_baseline").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(n) => {
            return Err(format!(
                "baseline {} has version {n}; this routelint reads version {VERSION}",
                path.display()
            ))
        }
        None => {
            return Err(format!(
                "{} is not a routelint baseline (no `routelint_baseline` version)",
                path.display()
            ))
        }
    }
    let Some(list) = v.get("findings").and_then(Value::as_array) else {
        return Err(format!(
            "baseline {} has no `findings` list",
            path.display()
        ));
    };
    let s = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Ok(list
        .iter()
        .map(|e| Entry {
            code: s(e, "code"),
            subject: s(e, "subject"),
            file: s(e, "file"),
            fingerprint: s(e, "fingerprint"),
        })
        .filter(|e| !e.fingerprint.is_empty())
        .collect())
}

/// Drops the findings the baseline records (`is_finding` says which diagnostics are
/// findings) and adds a `baseline-stale` warning for each entry that matched none.
/// Returns how many findings were dropped.
pub fn apply(
    diags: &mut Vec<Diagnostic>,
    entries: &[Entry],
    sources: &SourceMap,
    is_finding: impl Fn(&Diagnostic) -> bool,
) -> usize {
    let mut used = vec![false; entries.len()];
    let before = diags.len();
    diags.retain(|d| {
        if !is_finding(d) {
            return true;
        }
        let fp = fingerprint(d, sources);
        match entries.iter().position(|e| e.fingerprint == fp) {
            Some(i) => {
                used[i] = true;
                false
            }
            None => true,
        }
    });
    let dropped = before - diags.len();
    for (e, _) in entries.iter().zip(&used).filter(|(_, u)| !**u) {
        diags.push(
            Diagnostic::new(
                codes::BASELINE_STALE,
                Severity::Warning,
                format!(
                    "baseline entry {} `{}` ({}) matches no finding: it was fixed; remove it, or rewrite the baseline with --write-baseline",
                    e.code, e.subject, e.file
                ),
            )
            .subject(format!("{}:{}", e.code, e.subject)),
        );
    }
    dropped
}
