//! The binary as users run it: output formats, `routes`, `trace`, `explain`, exit codes.

mod common;
use common::*;

#[test]
fn human_output_of_rl001_on_seed_case_3() {
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/onprem-return-propagation-on/terraform",
        "--color",
        "never",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("check_rl001_human", out);
}

#[test]
fn human_output_of_rl002_and_rl003() {
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/spoke-to-spoke-direct-peering/terraform",
        "--color",
        "never",
    ]);
    insta::assert_snapshot!("check_rl002_human", out);
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/public-lb-behind-firewall-route/terraform",
        "--color",
        "never",
    ]);
    insta::assert_snapshot!("check_rl003_human", out);
}

#[test]
fn trace_shows_both_directions_and_verdict() {
    let (code, out, _) = routelint(&[
        "trace",
        "fixtures/onprem-return-propagation-on/terraform",
        "--from",
        "onprem",
        "--to",
        "vnet-spoke1/snet-workload",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("verdict  ASYMMETRIC"), "{out}");
    insta::assert_snapshot!("trace_seed_case_3", out);
    let (_, out, _) = routelint(&[
        "trace",
        "fixtures/dnat-inbound-with-return-udr/terraform",
        "--from",
        "internet",
        "--to",
        "10.1.1.4",
    ]);
    assert!(
        out.contains("verdict  OK: both directions pass fw-hub"),
        "{out}"
    );
    insta::assert_snapshot!("trace_dnat", out);
    // Addresses work too: an on-prem address enters through the gateway that knows it.
    let (_, out, _) = routelint(&[
        "trace",
        "fixtures/onprem-return-propagation-on/terraform",
        "--from",
        "192.168.10.5",
        "--to",
        "10.1.1.4",
    ]);
    assert!(
        out.starts_with("forward  192.168.10.5/32 -> 10.1.1.4/32"),
        "{out}"
    );
    assert!(out.contains("verdict  ASYMMETRIC"), "{out}");
    let (_, out, _) = routelint(&[
        "trace",
        "fixtures/hub-spoke-ok/terraform",
        "--from",
        "vnet-spoke1/snet-workload",
        "--to",
        "vnet-spoke2/snet-workload",
    ]);
    assert!(
        out.contains("verdict  OK: both directions pass fw-hub"),
        "{out}"
    );
}

#[test]
fn routes_shows_effective_table() {
    let (code, out, _) = routelint(&[
        "routes",
        "fixtures/onprem-return-propagation-on/terraform",
        "--subnet",
        "vnet-spoke1/snet-workload",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("routes_spoke1", out);
    let (code, _, err) = routelint(&[
        "routes",
        "fixtures/onprem-return-propagation-on/terraform",
        "--subnet",
        "nope/none",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no subnet `nope/none`"), "{err}");
}

#[test]
fn model_prints_the_topology() {
    let (code, out, _) = routelint(&["model", "fixtures/hub-spoke-ok/terraform"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("model_hub_spoke_ok", out);
    let (code, out, _) = routelint(&[
        "model",
        "fixtures/hub-spoke-ok/terraform",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v[0]["vnets"].as_array().map(|a| a.len()), Some(3));
    assert_eq!(v[0]["firewall_ips"][0]["ip"], "10.0.1.4");
    assert_eq!(v[0]["firewall_ips"][0]["derived"], true);
}

#[test]
fn exit_codes() {
    assert_eq!(
        routelint(&["check", "fixtures/hub-spoke-ok/terraform"]).0,
        0
    );
    assert_eq!(
        routelint(&["check", "fixtures/onprem-return-no-udr/terraform"]).0,
        1
    );
    assert_eq!(
        routelint(&[
            "check",
            "fixtures/onprem-return-no-udr/terraform",
            "--exit-zero"
        ])
        .0,
        0
    );
    assert_eq!(routelint(&["check", "fixtures/does-not-exist"]).0, 2);
    assert_eq!(routelint(&["check", "--bogus-flag"]).0, 2);
    // 2 wins over 1: a broken file next to a finding.
    assert_eq!(
        routelint(&[
            "check",
            "fixtures/invalid-hcl/terraform",
            "fixtures/onprem-return-no-udr/terraform"
        ])
        .0,
        2
    );
}

#[test]
fn bad_hcl_is_positioned_and_other_files_are_still_read() {
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/invalid-hcl/terraform",
        "--format",
        "concise",
    ]);
    assert_eq!(code, 2);
    assert!(
        out.contains(
            "fixtures/invalid-hcl/terraform/routes.tf:11:2: parse-error [error] cannot parse HCL"
        ),
        "{out}"
    );
    let (code, out, err) = routelint(&["model", "fixtures/invalid-hcl/terraform"]);
    assert_eq!(code, 2);
    assert!(out.contains("vnet-main  10.50.0.0/16"), "{out}");
    assert!(out.contains("snet-app  10.50.1.0/24"), "{out}");
    assert!(err.contains("routes.tf:11:2"), "{err}");
    // Findings in other modules are still reported.
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/invalid-hcl/terraform",
        "fixtures/onprem-return-no-udr/terraform",
        "--format",
        "concise",
    ]);
    assert!(out.contains("RL001"), "{out}");
}

#[test]
fn json_output_is_versioned() {
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/onprem-return-no-udr/terraform",
        "--format",
        "json",
        "-q",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "RL001");
    assert_eq!(
        d["location"]["file"],
        "fixtures/onprem-return-no-udr/terraform/spokes.tf"
    );
    assert_eq!(d["location"]["line"], 8);
    assert_eq!(
        d["related"][0]["location"]["file"],
        "fixtures/onprem-return-no-udr/terraform/gateway.tf"
    );
    assert_eq!(v["summary"]["error"], 1);
    assert_eq!(
        d["flow"]["flow"],
        "on-prem 192.168.0.0/16 <-> vnet-spoke1/snet-workload (10.1.1.0/24)"
    );
    assert!(d["flow"]["forward"].as_str().unwrap().contains("fw-hub"));
    assert!(
        d["flow"]["return"]
            .as_str()
            .unwrap()
            .contains("this subnet has no route table")
            || d["flow"]["return"].as_str().unwrap().contains("vpngw-hub")
    );
    assert!(d["fix"].is_null() || d["fix"]["edits"].is_array());
}

#[test]
fn explain_prints_the_rule_doc() {
    for code in ["RL001", "RL002", "RL003", "return-path-bypasses-firewall"] {
        let (c, out, _) = routelint(&["explain", code]);
        assert_eq!(c, 0, "{code}");
        assert!(out.starts_with("# RL00"), "{out}");
    }
    // Every rule, by code and by name: its whole doc.
    for r in routelint::rules::all() {
        for sel in [r.meta.code, r.meta.name] {
            let (c, out, _) = routelint(&["explain", sel]);
            assert_eq!(c, 0, "{sel}");
            assert_eq!(out.trim_end(), r.meta.doc.trim_end(), "explain {sel}");
        }
    }
    assert_eq!(routelint(&["explain", "RL999"]).0, 2);
}

#[test]
fn verbose_lists_unknowns_with_positions() {
    let dir = tempdir("cli-verbose");
    std::fs::write(
        dir.join("main.tf"),
        "variable \"fw_ip\" {}\nresource \"azurerm_route\" \"r\" {\n  name = \"default\"\n  resource_group_name = \"rg\"\n  route_table_name = \"rt\"\n  address_prefix = \"0.0.0.0/0\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_in_ip_address = var.fw_ip\n}\n",
    )
    .unwrap();
    let d = dir.to_string_lossy().to_string();
    let (code, out, _) = routelint(&["check", &d, "--format", "concise"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("value(s) could not be known statically"),
        "{out}"
    );
    let (_, out, _) = routelint(&["check", &d, "--format", "concise", "--verbose"]);
    assert!(out.contains("main.tf:8:28: unknown [info] next hop IP of route `default` is not known: variable `fw_ip` has no value"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn graph_draws_forward_and_return_paths() {
    let (code, out, _) = routelint(&[
        "graph",
        "fixtures/onprem-return-propagation-on/terraform",
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("flowchart LR"));
    assert!(
        out.contains("subgraph v1[\"vnet-spoke1 10.1.0.0/16\"]"),
        "{out}"
    );
    assert!(
        out.contains("stroke:green") && out.contains("stroke:red"),
        "{out}"
    );
    let (_, dot, _) = routelint(&[
        "graph",
        "fixtures/onprem-return-propagation-on/terraform",
        "--format",
        "dot",
    ]);
    assert!(dot.starts_with("digraph routelint {"));
    assert!(
        dot.contains("color=forestgreen") && dot.contains("color=red3"),
        "{dot}"
    );
    // A clean network has no coloured paths.
    let (_, dot, _) = routelint(&[
        "graph",
        "fixtures/hub-spoke-ok/terraform",
        "--format",
        "dot",
    ]);
    assert!(!dot.contains("red3"));
    // The picture draws the findings that were reported: none once the rule is ignored.
    let (_, dot, _) = routelint(&[
        "graph",
        "fixtures/onprem-return-propagation-on/terraform",
        "--format",
        "dot",
        "--ignore",
        "RL001",
    ]);
    assert!(dot.starts_with("digraph routelint {"));
    assert!(
        !dot.contains("red3") && !dot.contains("forestgreen"),
        "{dot}"
    );
}

/// Pre-commit passes changed files: a child module's file (or its directory), a `.tfvars`,
/// a module's `.bicep` and a parameters file are each linted through the unit they belong
/// to (the root module that calls the child, the template compiled from the Bicep or using
/// the parameters).
#[test]
fn files_named_alone_are_linted_through_their_unit() {
    let tf = "fixtures/modules-foreach-tfvars/terraform/terraform.tfvars:6:23: RL001 [error] return path bypasses firewall `fw-core` (onprem:192.168.64.0/18<->vnet-payments/snet-api)";
    let arm = "fixtures/modules-foreach-tfvars/arm/modules/spoke.bicep:14:33: RL001 [error] return path bypasses firewall `fw-core` (onprem:192.168.64.0/18<->vnet-payments/snet-api)";
    for (file, want) in [
        (
            "fixtures/modules-foreach-tfvars/terraform/modules/hub/main.tf",
            tf,
        ),
        (
            "fixtures/modules-foreach-tfvars/terraform/terraform.tfvars",
            tf,
        ),
        // A child module named as a directory: the same verdict as naming its file.
        (
            "fixtures/modules-foreach-tfvars/terraform/modules/spoke",
            tf,
        ),
        ("fixtures/modules-foreach-tfvars/terraform/modules/hub/", tf),
        ("fixtures/modules-foreach-tfvars/arm/modules/hub.bicep", arm),
        (
            "fixtures/modules-foreach-tfvars/arm/main.parameters.json",
            arm,
        ),
    ] {
        let (code, out, err) = routelint(&["check", file, "--format", "concise"]);
        assert_eq!(code, 1, "{file}: {out}{err}");
        assert_eq!(out.lines().collect::<Vec<_>>(), [want], "{file}");
    }
}

/// A flow whose trace stops at a value that is not known is counted, and one note per
/// deciding value says which flows and why (with --verbose); nothing is guessed. Both
/// forms of `fixtures/next-hop-not-known`.
#[test]
fn flows_that_cannot_be_decided_are_counted_not_guessed() {
    for (form, at, why) in [
        (
            "terraform",
            "spokes.tf:41:3",
            "variable `fw_ip` has no value",
        ),
        (
            "arm",
            "main.bicep:255:7",
            "`{fwIp}` is chosen at deployment",
        ),
    ] {
        let dir = format!("fixtures/next-hop-not-known/{form}");
        let (code, out, _) = routelint(&["check", &dir, "--color", "never"]);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.trim_end()
                .ends_with("0 error(s), 0 warning(s), 3 flow(s) not checked (--verbose says why)"),
            "{out}"
        );
        assert!(
            !out.contains("not-checked"),
            "the notes need --verbose: {out}"
        );
        let (_, out, _) = routelint(&["check", &dir, "--verbose", "--format", "concise"]);
        let notes: Vec<&str> = out.lines().filter(|l| l.contains("not-checked")).collect();
        assert_eq!(notes.len(), 1, "one note per deciding value: {out}");
        assert!(
            notes[0].contains(at)
                && notes[0].contains("3 flow(s) not checked")
                && notes[0].contains(why),
            "{}",
            notes[0]
        );
    }
}

/// `explain` knows the codes that are not rules; FORCE_COLOR colours output into a pipe.
#[test]
fn explain_meta_codes_and_force_color() {
    let (code, out, _) = routelint(&["explain", "not-checked"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# not-checked (info)"), "{out}");
    let (code, _, err) = routelint(&["explain", "no-such-thing"]);
    assert_eq!(code, 2, "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_routelint"))
        .args(["check", "fixtures/onprem-return-propagation-on/terraform"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FORCE_COLOR", "1")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\u{1b}["),
        "coloured"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_routelint"))
        .args(["check", "fixtures/onprem-return-propagation-on/terraform"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("FORCE_COLOR")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("\u{1b}["),
        "plain into a pipe"
    );
}

/// A name from the files cannot forge an output line or a GitHub annotation.
#[test]
fn names_cannot_forge_lines_or_annotations() {
    let dir = tempdir("forged-names");
    copy_tree(&fixture("default-route-blackhole").join("terraform"), &dir);
    let p = dir.join("spoke3.tf");
    let text = std::fs::read_to_string(&p).unwrap().replace(
        "\"default-drop\"",
        "\"x\\n::error file=forged.tf::owned\\u001b[2J\"",
    );
    std::fs::write(&p, text).unwrap();
    let d = dir.to_str().unwrap();
    for format in ["concise", "github", "human"] {
        let (code, out, _) = routelint(&["check", d, "--format", format, "--color", "never"]);
        assert_eq!(code, 0, "{format}: {out}");
        assert!(
            out.contains("RL023") || out.contains("default-route-blackhole"),
            "{format}: {out}"
        );
        assert!(
            !out.lines().any(|l| l.starts_with("::error file=forged")),
            "{format}: {out}"
        );
        assert!(!out.contains('\u{1b}'), "{format}: raw ESC");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file named alone (pre-commit, the editor) is mapped to its unit by walking its
/// repository, not the working directory: run from `/`, it finds the same findings.
#[test]
fn a_file_named_from_elsewhere_walks_its_repository_only() {
    let file = root().join("fixtures/modules-foreach-tfvars/terraform/modules/spoke/main.tf");
    let (code, out, _) = routelint_in(
        std::path::Path::new("/"),
        &["check", file.to_str().unwrap(), "--format", "concise"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("RL001"), "{out}");
}

/// A baseline round trip: record the findings of an estate, see nothing reported against
/// it, still nothing after the code moves (fingerprints have no line numbers), a new finding
/// reported, and a fixed one reported as a stale entry; SARIF carries the same fingerprint.
#[test]
fn baseline_round_trip() {
    let dir = tempdir("baseline");
    copy_tree(
        &root().join("fixtures/several-hubs-missing-route-back/terraform"),
        &dir.join("net"),
    );
    let base = dir.join("routelint-baseline.json");
    let b = base.to_str().unwrap();
    let (code, out, err) = routelint_in(&dir, &["check", "net", "--write-baseline", b]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("wrote 1 finding(s) to the baseline"), "{err}");
    let text = std::fs::read_to_string(&base).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["routelint_baseline"], 1);
    let fp = v["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(v["findings"][0]["code"], "RL002");
    assert_eq!(v["findings"][0]["file"], "net/main.tf");

    let (code, out, _) = routelint_in(
        &dir,
        &["check", "net", "--baseline", b, "--format", "concise"],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    // Lines move: still the same finding.
    let tf = std::fs::read_to_string(dir.join("net/main.tf")).unwrap();
    std::fs::write(dir.join("net/main.tf"), format!("\n\n\n# moved\n{tf}")).unwrap();
    let (code, out, _) = routelint_in(
        &dir,
        &["check", "net", "--baseline", b, "--format", "concise"],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    // SARIF carries the fingerprint the baseline uses.
    let (_, sarif, _) = routelint_in(&dir, &["check", "net", "--format", "sarif"]);
    assert!(
        sarif.contains(&format!("\"routelint/v1\": \"{fp}\"")),
        "{sarif}"
    );
    // A new finding is reported; the old one still is not.
    std::fs::write(
        dir.join("net/extra.tf"),
        "resource \"azurerm_route_table\" \"x\" {\n  name                = \"rt-x\"\n  resource_group_name = \"rg-net\"\n  location            = \"westeurope\"\n  route {\n    name           = \"a\"\n    address_prefix = \"10.9.0.0/16\"\n    next_hop_type  = \"None\"\n  }\n  route {\n    name           = \"b\"\n    address_prefix = \"10.9.0.0/16\"\n    next_hop_type  = \"Internet\"\n  }\n}\n",
    )
    .unwrap();
    let (code, out, _) = routelint_in(
        &dir,
        &["check", "net", "--baseline", b, "--format", "concise"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("RL015") && !out.contains("RL002"), "{out}");
    // Fixed: the entry is stale, and said so (a warning, not a failure).
    let fixed = std::fs::read_to_string(
        root().join("fixtures/several-hubs-via-both-firewalls/terraform/main.tf"),
    )
    .unwrap();
    std::fs::write(dir.join("net/main.tf"), fixed).unwrap();
    std::fs::remove_file(dir.join("net/extra.tf")).unwrap();
    let (code, out, _) = routelint_in(
        &dir,
        &["check", "net", "--baseline", b, "--format", "concise"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("baseline-stale [warning] baseline entry RL002 `vnet-a-spoke/snet-app<->vnet-b-spoke/snet-app` (net/main.tf) matches no finding"),
        "{out}"
    );
    // A file that is not a baseline is an input error.
    std::fs::write(&base, "{}").unwrap();
    let (code, _, err) = routelint_in(&dir, &["check", "net", "--baseline", b]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a routelint baseline"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Completion scripts for each shell name the subcommands and the flags; bash's is valid
/// bash (checked with `bash -n`).
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = routelint(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["check", "explain", "completions", "baseline", "format"] {
            assert!(out.contains(word), "{shell} lacks {word}");
        }
        // Value completion where the shell supports it.
        if matches!(shell, "bash" | "zsh" | "fish") {
            assert!(out.contains("rdjson"), "{shell} lacks the formats");
        }
    }
    let (_, out, _) = routelint(&["completions", "bash"]);
    let f = std::env::temp_dir().join(format!("routelint-completion-{}.bash", std::process::id()));
    std::fs::write(&f, out).unwrap();
    let ok = std::process::Command::new("bash")
        .arg("-n")
        .arg(&f)
        .status()
        .unwrap();
    assert!(ok.success());
    let _ = std::fs::remove_file(&f);
    assert_eq!(routelint(&["completions", "tcsh"]).0, 2);
}

/// Codes that are not rules: --select/--ignore accept them; a missing path is a read error
/// without a made-up position; a suppression naming no rule is an input error, a rule's name
/// in one works like its code.
#[test]
fn meta_codes_read_errors_and_suppression_typos() {
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/next-hop-not-known/terraform",
        "--format",
        "concise",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("unknown [info]"), "{out}");
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/next-hop-not-known/terraform",
        "--format",
        "concise",
        "--ignore",
        "unknown,not-checked",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
    // Only the notes asked for: no rule runs.
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/onprem-return-no-udr/terraform",
        "--format",
        "concise",
        "--select",
        "unknown",
    ]);
    assert!(!out.contains("RL0"), "{out}");
    let (code, _, err) = routelint(&["check", ".", "--ignore", "no-such-code"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no rule or diagnostic code `no-such-code`"),
        "{err}"
    );

    let (code, out, _) = routelint(&["check", "fixtures/does-not-exist", "--format", "concise"]);
    assert_eq!(code, 2);
    assert_eq!(
        out.lines().next(),
        Some("routelint: read-error [error] fixtures/does-not-exist: no such file or directory")
    );
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/hub-spoke-ok/terraform",
        "--var-file",
        "nope.tfvars",
        "--format",
        "concise",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        out.lines().next(),
        Some("nope.tfvars: read-error [error] cannot read nope.tfvars: no such file")
    );

    let dir = tempdir("suppression-typo");
    copy_tree(
        &root().join("fixtures/onprem-return-no-udr/terraform"),
        &dir,
    );
    let spokes = std::fs::read_to_string(dir.join("spokes.tf")).unwrap();
    std::fs::write(
        dir.join("spokes.tf"),
        format!("# routelint: ignore RL0001 -- a typo\n{spokes}"),
    )
    .unwrap();
    let (code, out, _) = routelint_in(&dir, &["check", ".", "--format", "concise"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("spokes.tf:1:1: invalid-suppression [error] suppression names `RL0001` which is no rule"),
        "{out}"
    );
    assert!(!out.contains("unused-suppression"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--diff` shows the fixes, `--fix` applies them (with `--unsafe-fixes`: every fix changes
/// routing) and reports what is left; a Bicep fix is written in the Bicep source.
#[test]
fn fix_and_diff() {
    let dir = tempdir("fix-diff");
    copy_tree(
        &root().join("fixtures/onprem-return-propagation-on/terraform"),
        &dir,
    );
    let before = std::fs::read_to_string(dir.join("spokes.tf")).unwrap();
    // Without --unsafe-fixes nothing is changed, and it says why.
    let (code, out, err) = routelint_in(&dir, &["check", ".", "--fix", "--format", "concise"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("1 fix(es) change routing and are applied only with --unsafe-fixes"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("spokes.tf")).unwrap(),
        before
    );
    // --diff: a unified diff, nothing written, exit 1.
    let (code, out, _) = routelint_in(&dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("--- a/spokes.tf\n+++ b/spokes.tf\n@@ "),
        "{out}"
    );
    assert!(
        out.contains("\n+  bgp_route_propagation_enabled = false\n"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("spokes.tf")).unwrap(),
        before
    );
    // --fix --unsafe-fixes: applied, and the finding is gone.
    let (code, out, err) = routelint_in(
        &dir,
        &[
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "concise",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("applied 1 fix(es) in 1 file(s)"), "{err}");
    assert!(std::fs::read_to_string(dir.join("spokes.tf"))
        .unwrap()
        .contains("bgp_route_propagation_enabled = false"));
    let _ = std::fs::remove_dir_all(&dir);

    let dir = tempdir("fix-bicep");
    copy_tree(
        &root().join("fixtures/spoke-to-spoke-forwarded-off/arm"),
        &dir,
    );
    let (_, out, _) = routelint_in(&dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    assert!(
        out.contains("-    allowForwardedTraffic: false\n+    allowForwardedTraffic: true\n"),
        "{out}"
    );
    let (_, _, err) = routelint_in(&dir, &["check", ".", "--fix", "--unsafe-fixes"]);
    assert!(err.contains("run `bicep build main.bicep`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--format short` (pre-commit's): the concise line, then the flow and the fix; and
/// `--fail-on info` is strict: notes fail the run too.
#[test]
fn short_format_and_strict_fail_on_info() {
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/onprem-return-propagation-on/terraform",
        "--format",
        "short",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(
            "fixtures/onprem-return-propagation-on/terraform/spokes.tf:35:1: RL001 [error]"
        ),
        "{out}"
    );
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.starts_with("    forward: vpngw-hub")),
        "{out}"
    );
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.starts_with("    fix: set `bgp_route_propagation_enabled = false`")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim() == "address_prefix         = \"192.168.0.0/16\""),
        "{out}"
    );
    // A clean module with a value that cannot be known: passes, unless --fail-on info.
    assert_eq!(
        routelint(&["check", "fixtures/next-hop-not-known/terraform"]).0,
        0
    );
    assert_eq!(
        routelint(&[
            "check",
            "fixtures/next-hop-not-known/terraform",
            "--fail-on",
            "info"
        ])
        .0,
        1
    );
    assert_eq!(
        routelint(&[
            "check",
            "fixtures/hub-spoke-ok/terraform",
            "--fail-on",
            "info"
        ])
        .0,
        0
    );
}

/// Selector errors help: did you mean, the candidates of an ambiguous name, the roots of a
/// directory that holds several, and why a Bicep-only folder has nothing to show.
#[test]
fn selector_errors_name_the_candidates() {
    let (code, _, err) = routelint(&[
        "routes",
        "fixtures/hub-spoke-ok/terraform",
        "--subnet",
        "vnet-spoke1/snet-workloadd",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `vnet-spoke1/snet-workload`"),
        "{err}"
    );
    let (_, _, err) = routelint(&[
        "routes",
        "fixtures/hub-spoke-ok/terraform",
        "--subnet",
        "snet-workload",
    ]);
    assert!(
        err.contains(
            "matches several subnets: `vnet-spoke1/snet-workload`, `vnet-spoke2/snet-workload`"
        ),
        "{err}"
    );
    let (code, out, _) = routelint(&[
        "routes",
        "fixtures/hub-spoke-ok/terraform",
        "--subnet",
        "10.1.1.4",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Effective routes of vnet-spoke1/snet-workload"),
        "{out}"
    );
    let (_, _, err) = routelint(&[
        "routes",
        "fixtures/vnet-segmentation-via-firewall",
        "--subnet",
        "x",
    ]);
    assert!(err.contains("holds 2 root modules and templates; name one of them: fixtures/vnet-segmentation-via-firewall/arm/main.json, fixtures/vnet-segmentation-via-firewall/terraform"), "{err}");
    let dir = tempdir("bicep-only");
    std::fs::copy(
        root().join("fixtures/hub-spoke-ok/arm/main.bicep"),
        dir.join("main.bicep"),
    )
    .unwrap();
    let (code, _, err) = routelint_in(&dir, &["routes", ".", "--subnet", "x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("has Bicep files but no compiled template: run `bicep build`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Bicep finding's route snippet is Bicep and names the firewall by its symbol (the address
/// follows the firewall), not a literal IP.
#[test]
fn bicep_route_snippet_refers_to_the_firewall_symbol() {
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/onprem-return-no-udr/arm",
        "--format",
        "short",
    ]);
    assert!(
        out.contains(
            "nextHopIpAddress: firewall.properties.ipConfigurations[0].properties.privateIPAddress"
        ),
        "{out}"
    );
    assert!(!out.contains("'10.0.1.4'"), "{out}");
}

/// RL003's help has a route snippet; with the clients known, it is a fix that removes the
/// finding.
#[test]
fn rl003_help_snippet_and_fix_with_known_clients() {
    let (_, out, _) = routelint(&[
        "check",
        "fixtures/public-lb-behind-firewall-route/terraform",
        "--format",
        "short",
    ]);
    assert!(out.contains("address_prefix = \"<client range>\""), "{out}");
    assert!(out.contains("next_hop_type  = \"Internet\""), "{out}");
    let dir = tempdir("rl003-clients");
    copy_tree(
        &root().join("fixtures/public-lb-behind-firewall-route/terraform"),
        &dir,
    );
    std::fs::write(
        dir.join("routelint.toml"),
        "[internet]\nclients = [\"203.0.113.0/24\"]\n",
    )
    .unwrap();
    let (code, out, _) = routelint_in(&dir, &["check", ".", "--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "+    address_prefix = \"203.0.113.0/24\"\n+    next_hop_type  = \"Internet\"\n"
        ),
        "{out}"
    );
    let (code, out, err) = routelint_in(
        &dir,
        &[
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "concise",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A child module named by a relative path from outside its directory (another repository,
/// or a folder of the same one beside it) is linted through its callers anywhere in its
/// repository, shown as the user wrote it.
#[test]
fn a_child_module_outside_the_working_directory_is_linted_through_its_callers() {
    let dir = tempdir("child-outside-cwd");
    copy_tree(
        &root().join("fixtures/modules-foreach-tfvars/terraform"),
        &dir.join("repo"),
    );
    std::fs::create_dir_all(dir.join("repo/.git")).unwrap();
    std::fs::create_dir_all(dir.join("repo/docs")).unwrap();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    for (cwd, named) in [
        ("elsewhere", "../repo/modules/spoke"),
        ("elsewhere", "../repo/modules/spoke/main.tf"),
        ("repo/docs", "../modules/spoke"),
    ] {
        let (code, out, err) =
            routelint_in(&dir.join(cwd), &["check", named, "--format", "concise"]);
        assert_eq!(code, 1, "{named}: {out}{err}");
        assert_eq!(
            out.lines().collect::<Vec<_>>(),
            [format!("{}/terraform.tfvars:6:23: RL001 [error] return path bypasses firewall `fw-core` (onprem:192.168.64.0/18<->vnet-payments/snet-api)", if cwd == "elsewhere" { "../repo" } else { ".." })],
            "{named}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
