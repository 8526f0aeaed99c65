//! The GitHub Action's shell steps (`.github/action/*.sh`), run here as the runner runs
//! them: inputs arrive as environment variables and hostile ones are data, never code.
#![cfg(unix)]

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn script(name: &str) -> std::path::PathBuf {
    root().join(".github/action").join(name)
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// run.sh with a stand-in binary that prints its arguments, one per line.
fn run_args(dir: &Path, env: &[(&str, &str)]) -> (i32, Vec<String>, String) {
    let fake = dir.join("fake-routelint");
    executable(
        &fake,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n",
    );
    let mut c = Command::new("bash");
    c.arg(script("run.sh"))
        .current_dir(dir)
        .env("RL_BIN", &fake);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(String::from)
            .collect(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn hostile_inputs_are_arguments_not_commands() {
    let dir = tempdir("action-run");
    // A path with a space is one path; a path that looks like a command is one (odd) path.
    let (code, args, err) = run_args(
        &dir,
        &[
            (
                "INPUT_PATH",
                "my infra\n. ; echo INJECTED $(touch pwned-path)",
            ),
            (
                "INPUT_ARGS",
                "--select RL001 $(touch pwned-args) `touch pwned-tick` *",
            ),
            ("INPUT_SARIF", "out dir/routelint.sarif"),
            ("INPUT_FAIL_ON", "warning"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        args,
        vec![
            "check",
            "--format",
            "github",
            "--fail-on",
            "warning",
            "--sarif",
            "out dir/routelint.sarif",
            "--select",
            "RL001",
            "$(touch",
            "pwned-args)",
            "`touch",
            "pwned-tick`",
            "*",
            "--",
            "my infra",
            ". ; echo INJECTED $(touch pwned-path)",
        ]
    );
    for f in ["pwned-path", "pwned-args", "pwned-tick"] {
        assert!(
            !dir.join(f).exists(),
            "{f} was created: an input ran as code"
        );
    }
    assert!(!args.iter().any(|a| a == "INJECTED"));
    // Defaults: the current directory, fail on errors, no SARIF.
    let (_, args, _) = run_args(&dir, &[]);
    assert_eq!(
        args,
        vec![
            "check",
            "--format",
            "github",
            "--fail-on",
            "error",
            "--",
            "."
        ]
    );
}

/// With the real binary: one run writes the annotations and the SARIF file and exits with
/// that run's code, for a path with a space in it.
#[test]
fn one_run_gives_annotations_sarif_and_the_exit_code() {
    let dir = tempdir("action-real");
    copy_tree(
        &root().join("fixtures/onprem-return-no-udr/terraform"),
        &dir.join("my infra"),
    );
    let out = Command::new("bash")
        .arg(script("run.sh"))
        .current_dir(&dir)
        .env("RL_BIN", env!("CARGO_BIN_EXE_routelint"))
        .env("INPUT_PATH", "my infra")
        .env("INPUT_SARIF", "report.sarif")
        .env("INPUT_FAIL_ON", "error")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("::error file=my infra/"), "{stdout}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert_eq!(
        results.len(),
        stdout.lines().filter(|l| l.starts_with("::error")).count()
    );
    // An input error (exit 2) still leaves the SARIF file of that run.
    std::fs::remove_file(dir.join("report.sarif")).unwrap();
    std::fs::write(dir.join("my infra/broken.tf"), "resource \"x\" {\n").unwrap();
    let out = Command::new("bash")
        .arg(script("run.sh"))
        .current_dir(&dir)
        .env("RL_BIN", env!("CARGO_BIN_EXE_routelint"))
        .env("INPUT_PATH", "my infra")
        .env("INPUT_SARIF", "report.sarif")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(dir.join("report.sarif").exists());
}

/// install.sh: a release archive whose checksum matches is installed; a mismatch, a missing
/// release or an unknown platform falls back to `cargo install --locked` (stand-ins for curl
/// and cargo record what ran).
#[test]
fn install_verifies_the_checksum_and_falls_back_to_cargo() {
    let dir = tempdir("action-install");
    let stubs = dir.join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    // A "release": routelint-<target>.tar.gz and its .sha256, served by a curl stand-in
    // that copies `<base>/<file>` from this directory.
    let rel = dir.join("releases/v9.9.9");
    std::fs::create_dir_all(&rel).unwrap();
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    executable(
        &pkg.join("routelint"),
        "#!/bin/sh\necho 'routelint 9.9.9'\n",
    );
    let archive = rel.join("routelint-x86_64-unknown-linux-musl.tar.gz");
    assert!(Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&pkg)
        .arg("routelint")
        .status()
        .unwrap()
        .success());
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout).to_string();
    std::fs::write(
        rel.join("routelint-x86_64-unknown-linux-musl.tar.gz.sha256"),
        &sum,
    )
    .unwrap();
    executable(
        &stubs.join("curl"),
        "#!/bin/sh\nout=''\nurl=''\nwhile [ $# -gt 0 ]; do case \"$1\" in -o) out=\"$2\"; shift 2;; -*) shift;; *) url=\"$1\"; shift;; esac; done\nf=\"${url#file://}\"\n[ -f \"$f\" ] || exit 22\ncp \"$f\" \"$out\"\n",
    );
    executable(
        &stubs.join("cargo"),
        &format!(
            "#!/bin/sh\necho \"$@\" > '{}'\nmkdir -p \"$6/bin\" 2>/dev/null\nprintf '#!/bin/sh\\necho built\\n' > \"$6/bin/routelint\"; chmod +x \"$6/bin/routelint\"\n",
            dir.join("cargo-ran").display()
        ),
    );
    let install = |os: &str, arch: &str, dest: &str| {
        let out = Command::new("bash")
            .arg(script("install.sh"))
            .env(
                "PATH",
                format!("{}:{}", stubs.display(), std::env::var("PATH").unwrap()),
            )
            .env("GITHUB_ACTION_PATH", root())
            .env("RL_DEST", dir.join(dest))
            .env("RL_VERSION", "9.9.9")
            .env(
                "RL_RELEASES",
                format!("file://{}", dir.join("releases").display()),
            )
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, bin, err) = install("Linux", "X64", "a");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(bin, dir.join("a/bin/routelint").display().to_string());
    assert!(err.contains("installed the 9.9.9 release binary"), "{err}");
    assert!(!dir.join("cargo-ran").exists());
    // Installed already (the cache): nothing downloaded or built.
    let (_, _, err) = install("Linux", "X64", "a");
    assert!(err.contains("already installed"), "{err}");

    // A tampered archive: refused, built from source instead.
    std::fs::write(
        rel.join("routelint-x86_64-unknown-linux-musl.tar.gz.sha256"),
        "0000000000000000000000000000000000000000000000000000000000000000  x\n",
    )
    .unwrap();
    let (code, _, err) = install("Linux", "X64", "b");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("checksum mismatch"), "{err}");
    let ran = std::fs::read_to_string(dir.join("cargo-ran")).unwrap();
    assert!(ran.starts_with("install --locked --path "), "{ran}");
    // No release for this platform: built from source.
    std::fs::remove_file(dir.join("cargo-ran")).unwrap();
    let (code, _, err) = install("Linux", "ARM64", "c");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("no release binary"), "{err}");
    assert!(dir.join("cargo-ran").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
