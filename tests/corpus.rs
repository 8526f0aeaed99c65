//! Real public templates in `../shared/corpus` (third-party, read in place, never copied):
//! every Terraform and ARM scenario loads with no front-end error and no panic, and raises exactly
//! the RL001–RL003 findings `EXPECTED.tsv` lists (codes above RL003 belong to rules that
//! come later; those scenarios must raise none of RL001–RL003). Skips itself when
//! `../shared` is absent.

use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

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
        let mut got: Vec<String> = out
            .diagnostics
            .iter()
            .filter(|d| matches!(d.code.as_str(), "RL001" | "RL002" | "RL003"))
            .map(|d| d.code.clone())
            .collect();
        got.sort();
        got.dedup();
        let want: Vec<String> = want
            .split(',')
            .map(str::trim)
            .filter(|c| matches!(*c, "RL001" | "RL002" | "RL003"))
            .map(String::from)
            .collect();
        if got != want {
            failures.push(format!("{scenario}: got {got:?}, want {want:?}"));
        }
    }
    assert!(checked >= 20, "only {checked} scenarios found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
