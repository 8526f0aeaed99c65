//! `scripts/new-rule` writes a rule the registry, the doc checks and the README table
//! accept: run on a copy of the files it edits.

mod common;
use common::*;

#[test]
fn new_rule_scaffolds_every_file_a_rule_needs() {
    let dir = tempdir("scaffold");
    for f in ["Cargo.toml", "README.md"] {
        std::fs::copy(root().join(f), dir.join(f)).unwrap();
    }
    std::fs::create_dir_all(dir.join("src/rules")).unwrap();
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    for f in files_under(&root().join("src/rules")) {
        std::fs::copy(&f, dir.join("src/rules").join(f.file_name().unwrap())).unwrap();
    }
    let status = std::process::Command::new("bash")
        .arg(root().join("scripts/new-rule"))
        .args([
            "--root",
            dir.to_str().unwrap(),
            "RL099",
            "example-rule",
            "an example",
            "warning",
        ])
        .status()
        .expect("bash");
    assert!(status.success());
    let rs = std::fs::read_to_string(dir.join("src/rules/rl099_example_rule.rs")).unwrap();
    assert!(
        rs.contains("code: \"RL099\"") && rs.contains("Severity::Warning"),
        "{rs}"
    );
    let doc = std::fs::read_to_string(dir.join("rules/RL099.md")).unwrap();
    assert!(doc.starts_with(
        "# RL099 `example-rule`\n\nDefault severity: **warning**. Front ends: Terraform, ARM.\n"
    ));
    for h in [
        "## What it does",
        "## Why",
        "## Example",
        "## Fix\n",
        "## Fixtures",
    ] {
        assert!(doc.contains(h), "{h}");
    }
    let reg = std::fs::read_to_string(dir.join("src/rules/mod.rs")).unwrap();
    assert!(
        reg.contains("pub mod rl099_example_rule;\npub mod text;"),
        "{reg}"
    );
    assert!(
        reg.contains("::RULE,\n    &rl099_example_rule::RULE,\n];"),
        "{reg}"
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(readme.contains("| RL099 | `example-rule` | warning | an example |"));
    for scen in ["example-rule", "example-rule-fixed"] {
        for form in ["terraform", "arm"] {
            assert!(
                dir.join("fixtures").join(scen).join(form).is_dir(),
                "{scen}/{form}"
            );
        }
        assert!(dir
            .join("fixtures")
            .join(scen)
            .join("expected.tsv")
            .is_file());
    }
    // It refuses a code that is taken.
    let again = std::process::Command::new("bash")
        .arg(root().join("scripts/new-rule"))
        .args(["--root", dir.to_str().unwrap(), "RL099", "other", "x"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
