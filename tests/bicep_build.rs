//! Bicep without a compiled template: compiled with the Bicep CLI when one is on PATH (here a
//! stand-in the test writes: the real compiler cannot be installed on these machines), a
//! compiler error positioned in the `.bicep`, a hung compiler stopped, and a warning in every
//! mode when there is no compiler.
#![cfg(unix)]

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn stub(dir: &Path, body: &str) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let p = bin.join("bicep");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn run(dir: &Path, path_env: &Path, args: &[&str], timeout: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_routelint"))
        .args(args)
        .current_dir(dir)
        .env("PATH", path_env)
        .env("NO_COLOR", "1")
        .env("ROUTELINT_BICEP_TIMEOUT", timeout)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bicep_is_compiled_positioned_stopped_or_reported() {
    let fixture = root().join("fixtures/onprem-return-no-udr/arm");
    let dir = tempdir("bicep-build");
    let work = dir.join("infra");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::copy(fixture.join("main.bicep"), work.join("main.bicep")).unwrap();

    // A compiler that writes the fixture's compiled template: linted, positions in the .bicep,
    // in folder mode and for the file named alone (pre-commit, the editor).
    let bin = stub(
        &dir,
        &format!(
            "[ \"$1\" = build ] && [ \"$2\" = --stdout ] || exit 9\n/bin/cat '{}'",
            fixture.join("main.json").display()
        ),
    );
    for target in ["infra", "infra/main.bicep"] {
        let (code, out, err) = run(&dir, &bin, &["check", target, "--format", "concise"], "20");
        assert_eq!(code, 1, "{target}: {out}{err}");
        assert!(
            out.contains(
                "infra/main.bicep:242:1: RL001 [error] return path bypasses firewall `fw-hub`"
            ),
            "{target}: {out}"
        );
    }
    // No template was written next to it: the compiled JSON lives only in memory.
    assert!(!work.join("main.json").exists());

    // A compiler error: a parse error at its line and column, exit 2.
    let bin = stub(
        &dir,
        "echo \"$3(3,7) : Error BCP018: Expected the \\\"=\\\" character at this location.\" >&2\nexit 1",
    );
    let (code, out, _) = run(&dir, &bin, &["check", "infra", "--format", "concise"], "20");
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("infra/main.bicep:3:7: parse-error [error] cannot compile infra/main.bicep: Error BCP018: Expected the \"=\" character at this location."),
        "{out}"
    );

    // A compiler that hangs: stopped at the timeout, and said so.
    let bin = stub(&dir, "/bin/sleep 30");
    let started = std::time::Instant::now();
    let (code, out, _) = run(&dir, &bin, &["check", "infra", "--format", "concise"], "1");
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("did not finish within 1 s and was stopped"),
        "{out}"
    );
    assert!(started.elapsed().as_secs() < 20);

    // No compiler on PATH, or --no-bicep-build: a warning on the file, in every mode.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for target in ["infra", "infra/main.bicep"] {
        let (code, out, _) = run(
            &dir,
            &empty,
            &["check", target, "--format", "concise"],
            "20",
        );
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("infra/main.bicep: not-analysed [warning] infra/main.bicep: not checked: it has no compiled template and no Bicep compiler"),
            "{target}: {out}"
        );
    }
    let bin = stub(&dir, "exit 3");
    let (_, out, _) = run(
        &dir,
        &bin,
        &["check", "infra", "--format", "concise", "--no-bicep-build"],
        "20",
    );
    assert!(
        out.contains("not checked: it has no compiled template and --no-bicep-build was given"),
        "{out}"
    );

    // A module used by another file is compiled through its user, not on its own.
    let calls = dir.join("bin/calls");
    let bin = stub(
        &dir,
        &format!(
            "echo \"$3\" >> '{}'\n/bin/cat '{}'",
            calls.display(),
            fixture.join("main.json").display()
        ),
    );
    std::fs::create_dir_all(work.join("modules")).unwrap();
    std::fs::write(work.join("modules/nsg.bicep"), "param name string\n").unwrap();
    let main = std::fs::read_to_string(work.join("main.bicep")).unwrap();
    std::fs::write(
        work.join("main.bicep"),
        format!("{main}\nmodule nsg './modules/nsg.bicep' = {{\n  name: 'nsg'\n  params: {{\n    name: 'x'\n  }}\n}}\n"),
    )
    .unwrap();
    let _ = run(&dir, &bin, &["check", "infra", "--format", "concise"], "20");
    let compiled = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(
        compiled.lines().collect::<Vec<_>>(),
        vec!["infra/main.bicep"],
        "{compiled}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
