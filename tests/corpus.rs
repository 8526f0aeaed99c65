//! Real public templates in `../shared/corpus` (third-party, read in place, never copied):
//! every Terraform and ARM scenario loads with no front-end error and no panic, raises no
//! error-severity finding `EXPECTED.tsv` does not list (warnings and info are allowed), and
//! raises every listed code of a rule that exists, except the known gaps named below with
//! what is missing. Skips itself when `../shared` is absent.

use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// Expected findings routelint does not reach yet, and what it lacks (scenario, code, why).
const KNOWN_GAPS: &[(&str, &str, &str)] = &[];

#[test]
fn corpus_loads_cleanly_with_expected_findings() {
    let Some(dir) = corpus() else {
        eprintln!("../shared/corpus is absent: skipped");
        return;
    };
    let expected = std::fs::read_to_string(dir.join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in expected.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (scenario, want) = (cols[0], cols.get(1).copied().unwrap_or("none"));
        if scenario.starts_with("bicep-only") {
            let out = routelint::check(&[dir.join(scenario)], &routelint::Options::default());
            assert!(!out.input_error, "{scenario}");
            assert!(
                out.diagnostics
                    .iter()
                    .any(|d| d.message.contains("bicep build")),
                "{scenario}: no hint to compile"
            );
            continue;
        }
        let out = routelint::check(&[dir.join(scenario)], &routelint::Options::default());
        checked += 1;
        for d in &out.diagnostics {
            if d.code == "parse-error"
                || d.severity >= routelint::diag::Severity::Warning && !routelint::is_finding(d)
            {
                failures.push(format!("{scenario}: front-end error: {}", d.message));
            }
        }
        let want: Vec<&str> = want.split(',').map(str::trim).collect();
        let exists = |c: &str| routelint::rules::find(c).is_some();
        let mut got: Vec<&str> = out
            .diagnostics
            .iter()
            .filter(|d| d.code.starts_with("RL"))
            .map(|d| d.code.as_str())
            .collect();
        got.sort();
        got.dedup();
        for d in out.diagnostics.iter().filter(|d| d.code.starts_with("RL")) {
            if d.severity == routelint::diag::Severity::Error && !want.contains(&d.code.as_str()) {
                failures.push(format!(
                    "{scenario}: unexpected {} at {:?}: {}",
                    d.code,
                    d.primary_origin().map(|o| out.sources.position(o)),
                    d.message
                ));
            }
        }
        for w in want.iter().filter(|w| exists(w)) {
            let gap = KNOWN_GAPS.iter().any(|(s, c, _)| *s == scenario && c == w);
            if !got.contains(w) && !gap {
                failures.push(format!("{scenario}: {w} expected, got {got:?}"));
            }
        }
    }
    assert!(checked >= 20, "only {checked} scenarios found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
