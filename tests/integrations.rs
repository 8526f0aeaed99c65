//! Output formats, configuration and suppressions, through the binary.

mod common;
use common::*;
use std::path::PathBuf;

/// Copies a fixture form into a fresh temporary directory.
fn copy_fixture(name: &str, form: &str, tag: &str) -> PathBuf {
    let dst = tempdir(&format!("it-{tag}"));
    copy_tree(&root().join("fixtures").join(name).join(form), &dst);
    dst
}

const SEED3: &str = "fixtures/onprem-return-propagation-on/terraform";

#[test]
fn github_annotations_follow_the_workflow_command_format() {
    let (code, out, _) = routelint(&["check", SEED3, "--format", "github", "-q"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let l = lines[0];
    // ::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message
    let rest = l.strip_prefix("::error ").expect("an error command");
    let (props, msg) = rest.split_once("::").expect("properties and message");
    let kv: Vec<(&str, &str)> = props
        .split(',')
        .map(|p| p.split_once('=').expect("key=value"))
        .collect();
    let keys: Vec<&str> = kv.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        vec!["file", "line", "col", "endLine", "endColumn", "title"]
    );
    assert_eq!(
        kv[0].1,
        "fixtures/onprem-return-propagation-on/terraform/spokes.tf"
    );
    assert_eq!(kv[1].1, "35");
    assert_eq!(kv[5].1, "RL001 return-path-bypasses-firewall");
    // No raw newline, CR or unescaped % in the message; `:`/`,` are allowed there.
    assert!(!msg.contains('\n') && !msg.contains('\r'));
    assert!(
        msg.contains("on-prem 192.168.0.0/16 <-> vnet-spoke1/snet-workload"),
        "{msg}"
    );
    assert!(
        msg.contains("Fix: set `bgp_route_propagation_enabled = false`"),
        "{msg}"
    );
    // The whole help, not its first line: the route to add is there too, lines escaped.
    assert!(
        msg.contains("or add%0A") && msg.contains("address_prefix         = \"192.168.0.0/16\""),
        "{msg}"
    );
    assert!(msg.contains("%0Aforward: "), "{msg}");
    for (_, v) in &kv {
        assert!(
            !v.contains(':') && !v.contains(','),
            "unescaped property {v}"
        );
    }
}

#[test]
fn sarif_has_rules_results_and_related_locations() {
    let (_, out, _) = routelint(&["check", SEED3, "--format", "sarif", "-q"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .any(|r| r["id"] == "RL001" && r["helpUri"].as_str().unwrap().ends_with("RL001.md")));
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "RL001");
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        35
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/onprem-return-propagation-on/terraform/spokes.tf"
    );
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        49
    );
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "RL001"
    );
}

#[test]
fn checkstyle_statistics_output_file_and_fail_on() {
    let (_, out, _) = routelint(&["check", SEED3, "--format", "checkstyle", "-q"]);
    assert!(out.starts_with("<?xml"));
    assert!(
        out.contains("<file name=\"fixtures/onprem-return-propagation-on/terraform/spokes.tf\">"),
        "{out}"
    );
    assert!(
        out.contains("line=\"35\" column=\"1\" severity=\"error\""),
        "{out}"
    );
    assert!(out.contains("source=\"routelint.RL001\""));
    let (_, out, _) = routelint(&["check", SEED3, "--format", "concise", "--statistics", "-q"]);
    assert!(out.contains("    1  RL001"), "{out}");
    let file = std::env::temp_dir().join(format!("routelint-out-{}.json", std::process::id()));
    let (code, out, _) = routelint(&[
        "check",
        SEED3,
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (1, ""));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("\"RL001\""));
    let _ = std::fs::remove_file(&file);
}

#[test]
fn select_and_ignore_on_the_command_line() {
    assert_eq!(routelint(&["check", SEED3, "--ignore", "RL001", "-q"]).0, 0);
    assert_eq!(
        routelint(&["check", SEED3, "--select", "RL002,RL003", "-q"]).0,
        0
    );
    assert_eq!(
        routelint(&[
            "check",
            SEED3,
            "--select",
            "return-path-bypasses-firewall",
            "-q"
        ])
        .0,
        1
    );
    let (code, _, err) = routelint(&["check", SEED3, "--select", "RL999"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule or diagnostic code `RL999`"), "{err}");
}

#[test]
fn config_selects_ignores_and_overrides_severity() {
    let dir = copy_fixture("onprem-return-propagation-on", "terraform", "cfg");
    let d = dir.to_str().unwrap();
    std::fs::write(
        dir.join("routelint.toml"),
        "[rules]\nignore = [\"RL001\"]\n",
    )
    .unwrap();
    assert_eq!(routelint(&["check", d, "--format", "concise", "-q"]).0, 0);
    std::fs::write(
        dir.join("routelint.toml"),
        "[rules.severity]\nreturn-path-bypasses-firewall = \"warning\"\n",
    )
    .unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise", "-q"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("RL001 [warning]"), "{out}");
    assert_eq!(routelint(&["check", d, "--fail-on", "warning", "-q"]).0, 1);
    std::fs::write(
        dir.join("routelint.toml"),
        "[rules.per-path-ignores]\n\"spokes.tf\" = [\"RL001\"]\n",
    )
    .unwrap();
    assert_eq!(routelint(&["check", d, "-q"]).0, 0);
    std::fs::write(dir.join("routelint.toml"), "[rules]\nexclude = [\"**\"]\n").unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    // Unknown keys and rules are errors with their position (exit 2).
    std::fs::write(
        dir.join("routelint.toml"),
        "[rules]\nignroe = [\"RL001\"]\n",
    )
    .unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("routelint.toml:2:1: config-error [error]") && out.contains("ignroe"),
        "{out}"
    );
    std::fs::write(
        dir.join("routelint.toml"),
        "[rules]\nselect = [\"RL999\"]\n",
    )
    .unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise"]);
    assert_eq!(code, 2);
    assert!(out.contains("unknown rule `RL999`"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn terraform_suppression_comments() {
    let dir = copy_fixture("onprem-return-propagation-on", "terraform", "sup-tf");
    let d = dir.to_str().unwrap();
    let spokes = dir.join("spokes.tf");
    let text = std::fs::read_to_string(&spokes).unwrap();
    let patched = text.replacen(
        "resource \"azurerm_route_table\" \"spoke1\" {",
        "# routelint:ignore RL001 -- on-prem reaches spoke1 only through an SNAT proxy\nresource \"azurerm_route_table\" \"spoke1\" {",
        1,
    );
    std::fs::write(&spokes, &patched).unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise", "-q"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.is_empty(), "{out}");
    // A suppression that suppresses nothing is reported.
    let patched2 = patched.replacen(
        "resource \"azurerm_route_table\" \"spoke2\" {",
        "# routelint:ignore RL002\nresource \"azurerm_route_table\" \"spoke2\" {",
        1,
    );
    std::fs::write(&spokes, &patched2).unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise", "-q"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("spokes.tf:")
            && out.contains("unused-suppression [warning] suppression of RL002 suppresses nothing"),
        "{out}"
    );
    assert_eq!(routelint(&["check", d, "--fail-on", "warning", "-q"]).0, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bicep_and_arm_metadata_suppressions() {
    let dir = copy_fixture("onprem-return-propagation-on-azurerm3", "arm", "sup-bicep");
    let d = dir.to_str().unwrap();
    let bicep = dir.join("main.bicep");
    let text = std::fs::read_to_string(&bicep).unwrap();
    std::fs::write(
        &bicep,
        text.replacen(
            "resource spoke1RouteTable ",
            "// routelint:ignore RL001 -- reviewed\nresource spoke1RouteTable ",
            1,
        ),
    )
    .unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise", "-q"]);
    assert_eq!(code, 0, "{out}");
    // Plain ARM JSON (no .bicep beside it): metadata.routelint.ignore on the resource.
    std::fs::remove_file(&bicep).unwrap();
    assert_eq!(routelint(&["check", d, "-q"]).0, 1);
    let json = dir.join("main.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let res = v["resources"].as_array_mut().unwrap();
    let rt = res.iter_mut().find(|r| r["name"] == "rt-spoke1").unwrap();
    rt["metadata"] = serde_json::json!({"routelint": {"ignore": ["RL001"]}});
    std::fs::write(&json, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, out, _) = routelint(&["check", d, "--format", "concise", "-q"]);
    assert_eq!(code, 0, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_writes_a_valid_config() {
    let dir = tempdir("init");
    assert_eq!(routelint_in(&dir, &["init"]).0, 0);
    assert_eq!(routelint_in(&dir, &["init"]).0, 2, "refuses to overwrite");
    let cfg = routelint::config::load(
        &dir.join("routelint.toml"),
        &routelint::source::SourceMap::new(),
        &|c| routelint::rules::find(c).is_some(),
    );
    assert!(cfg.is_ok(), "{:?}", cfg.err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `# routelint: ignore` (with a space) suppresses like `# routelint:ignore`.
#[test]
fn suppression_directive_may_have_a_space() {
    let dir = tempdir("suppress-space");
    copy_tree(
        &fixture("onprem-return-propagation-on").join("terraform"),
        &dir,
    );
    let p = dir.join("spokes.tf");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines[34].starts_with("resource \"azurerm_route_table\" \"spoke1\""));
    lines.insert(34, "# routelint: ignore RL001 -- reviewed");
    std::fs::write(&p, lines.join("\n")).unwrap();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    assert!(
        !out.diagnostics
            .iter()
            .any(|d| d.code == "RL001" || d.code == "unused-suppression"),
        "{:?}",
        out.diagnostics
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The summary counts input errors, not only findings.
#[test]
fn summary_counts_input_errors() {
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/invalid-hcl/terraform",
        "--color",
        "never",
    ]);
    assert_eq!(code, 2);
    assert!(
        out.trim_end()
            .ends_with("0 error(s), 0 warning(s), 1 input error(s)"),
        "{out}"
    );
}

/// `routelint.toml` is looked up from the linted path up to the repository root, not past
/// it (a stray `ignore = ["ALL"]` above the repository silences nothing); the file used is
/// named with --verbose and in the JSON and SARIF output.
#[test]
fn configuration_lookup_stops_at_the_repository_root_and_is_reported() {
    let outer = tempdir("config-root");
    let repo = outer.join("repo");
    copy_tree(
        &root().join("fixtures/onprem-return-propagation-on/terraform"),
        &repo,
    );
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(
        outer.join("routelint.toml"),
        "[rules]\nignore = [\"ALL\"]\n",
    )
    .unwrap();
    let (code, out, _) = routelint_in(&repo, &["check", ".", "--format", "json"]);
    assert_eq!(
        code, 1,
        "the configuration above the repository must not apply"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["config_files"], serde_json::json!([]));
    // A configuration inside the repository applies, and is named.
    std::fs::write(
        repo.join("routelint.toml"),
        "[rules]\nignore = [\"RL001\"]\n",
    )
    .unwrap();
    let (code, out, _) = routelint_in(&repo, &["check", ".", "--format", "sarif"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = v["runs"][0]["properties"]["configFiles"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(files.len(), 1);
    assert!(
        files[0].as_str().unwrap().ends_with("routelint.toml"),
        "{files:?}"
    );
    let (_, _, err) = routelint_in(&repo, &["check", ".", "--verbose"]);
    assert!(err.contains("routelint: configuration "), "{err}");
}

/// GitLab Code Quality, JUnit and rdjson carry the same finding: its rule, file and line,
/// the whole text, and (GitLab) the baseline fingerprint.
#[test]
fn gitlab_junit_and_rdjson_reports() {
    let (code, out, _) = routelint(&["check", SEED3, "--format", "gitlab"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 1, "{out}");
    let i = &issues[0];
    assert_eq!(i["check_name"], "RL001");
    assert_eq!(i["severity"], "critical");
    assert_eq!(
        i["location"]["path"],
        "fixtures/onprem-return-propagation-on/terraform/spokes.tf"
    );
    assert_eq!(i["location"]["lines"]["begin"], 35);
    assert_eq!(i["fingerprint"].as_str().unwrap().len(), 16);
    assert!(i["content"]["body"]
        .as_str()
        .unwrap()
        .contains("Fix: set `bgp_route_propagation_enabled = false`"));

    let (code, out, _) = routelint(&["check", SEED3, "--format", "junit"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"routelint\" tests=\"1\" failures=\"1\">"), "{out}");
    assert!(out.contains("<testcase classname=\"fixtures/onprem-return-propagation-on/terraform/spokes.tf\" name=\"RL001 return-path-bypasses-firewall onprem:192.168.0.0/16&lt;-&gt;vnet-spoke1/snet-workload\""), "{out}");
    assert!(out.contains("<failure type=\"RL001\" message=\"return path bypasses firewall `fw-hub`\">fixtures/onprem-return-propagation-on/terraform/spokes.tf:35:1"), "{out}");
    // Balanced elements: every opened tag is closed.
    for tag in ["testsuites", "testsuite", "testcase", "failure"] {
        assert_eq!(
            out.matches(&format!("<{tag} ")).count() + out.matches(&format!("<{tag}>")).count(),
            out.matches(&format!("</{tag}>")).count(),
            "{tag}: {out}"
        );
    }

    let (code, out, _) = routelint(&["check", SEED3, "--format", "rdjson"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"]["name"], "routelint");
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "ERROR");
    assert_eq!(d["code"]["value"], "RL001");
    assert!(d["code"]["url"].as_str().unwrap().ends_with("RL001.md"));
    assert_eq!(d["location"]["range"]["start"]["line"], 35);
    assert_eq!(d["location"]["range"]["start"]["column"], 1);
    // A clean run: empty, well-formed reports.
    let (code, out, _) = routelint(&[
        "check",
        "fixtures/hub-spoke-ok/terraform",
        "--format",
        "gitlab",
    ]);
    assert_eq!((code, out.trim()), (0, "[]"));
}
