//! Every fixture gives exactly the findings in its `expected.tsv` (code, subject, file,
//! line): broken variants their finding, working variants none.

mod common;
use common::*;

fn scenarios() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("expected.tsv").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn at_least_ten_scenarios_with_expectations() {
    assert!(scenarios().len() >= 10, "{:?}", scenarios());
}

#[test]
fn terraform_findings_match_expected() {
    let mut failures = Vec::new();
    for s in scenarios() {
        let scen = fixture(&s);
        let out = run(&scen.join("terraform"));
        let got = findings(&out, &scen);
        let want = expected(&scen, 2);
        if got != want {
            failures.push(format!("{s}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn arm_twins_match_expected() {
    let mut failures = Vec::new();
    let mut twins = 0;
    for s in scenarios() {
        let scen = fixture(&s);
        if !root().join(&scen).join("arm").is_dir() {
            continue;
        }
        twins += 1;
        let out = run(&scen.join("arm"));
        let got = findings(&out, &scen);
        let want = expected(&scen, 3);
        if got != want {
            failures.push(format!("{s}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(twins >= 10, "only {twins} ARM twins");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The two front ends cannot drift: each scenario's Terraform and ARM forms give the same
/// findings (code and subject).
#[test]
fn terraform_and_arm_forms_agree() {
    let mut failures = Vec::new();
    for s in scenarios() {
        let scen = fixture(&s);
        if !root().join(&scen).join("arm").is_dir() {
            continue;
        }
        let strip = |v: Vec<(String, String, String)>| {
            v.into_iter().map(|(c, s, _)| (c, s)).collect::<Vec<_>>()
        };
        let tf = strip(findings(&run(&scen.join("terraform")), &scen));
        let arm = strip(findings(&run(&scen.join("arm")), &scen));
        if tf != arm {
            failures.push(format!("{s}:\n  terraform {tf:?}\n  arm       {arm:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dnat_inbound_never_flagged_with_or_without_return_udr() {
    // Seed case 1: DNAT also SNATs to the firewall's subnet, so the reply finds the
    // firewall by itself.
    for (s, form) in [
        ("dnat-inbound-no-return-udr", "terraform"),
        ("dnat-inbound-with-return-udr", "terraform"),
        ("dnat-inbound-no-return-udr", "arm"),
        ("dnat-inbound-with-return-udr", "arm"),
    ] {
        let out = run(&fixture(s).join(form));
        assert_eq!(
            out.count(routelint::diag::Severity::Info),
            0,
            "{s}: {:?}",
            findings(&out, &fixture(s))
        );
        // ... and the DNAT flow itself is traced and symmetric.
        let p = &out.projects[0];
        let a = routelint::analysis::Analysis::new(&p.model, &p.config);
        let flows = a.dnat_flows();
        assert_eq!(flows.len(), 1, "{s}");
        assert_eq!(
            flows[0].flow.verdict(),
            routelint::analysis::trace::FlowVerdict::Ok,
            "{s}"
        );
        assert_eq!(flows[0].target.to_string(), "10.1.1.4/32");
    }
}

#[test]
fn findings_carry_help_and_forward_path_label() {
    let scen = fixture("onprem-return-propagation-on");
    let out = run(&scen.join("terraform"));
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL001")
        .expect("RL001");
    assert_eq!(d.name, "return-path-bypasses-firewall");
    let help = d.help.as_deref().unwrap_or("");
    assert!(
        help.contains("bgp_route_propagation_enabled = false"),
        "{help}"
    );
    assert!(
        help.contains("address_prefix         = \"192.168.0.0/16\""),
        "{help}"
    );
    let secondary = d
        .labels
        .iter()
        .find(|l| !l.primary)
        .expect("secondary label");
    let f = out.sources.get(secondary.origin.file);
    assert!(f.display.ends_with("gateway.tf"), "{}", f.display);
    assert_eq!(out.sources.snippet(secondary.origin), "\"10.1.0.0/16\"");
    // The fix flips the 4.x flag by inserting it into the table.
    let fix = d.fix.as_ref().expect("a fix");
    assert!(fix.edits[0]
        .text
        .contains("bgp_route_propagation_enabled = false"));
}

#[test]
fn azurerm3_fix_uses_the_3x_spelling() {
    let out = run(&fixture("onprem-return-propagation-on-azurerm3").join("terraform"));
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL001")
        .expect("RL001");
    assert!(d
        .help
        .as_deref()
        .unwrap_or("")
        .contains("disable_bgp_route_propagation = true"));
    assert_eq!(out.sources.snippet(d.primary_origin().unwrap()), "false");
    assert_eq!(d.fix.as_ref().unwrap().edits[0].text, "true");
}

/// Each rule's doc names a failing and a passing fixture; they must stay that way.
#[test]
fn rule_docs_name_a_failing_and_a_passing_fixture() {
    for r in routelint::rules::all() {
        let doc = r.meta.doc;
        let i = doc
            .find("## Fixtures")
            .unwrap_or_else(|| panic!("{} doc has no Fixtures section", r.meta.code));
        let section = &doc[i..doc[i..]
            .find("## Fix\n")
            .map(|j| i + j)
            .unwrap_or(doc.len())];
        let names: Vec<&str> = section.split('`').skip(1).step_by(2).collect();
        let (bad, good) = (names[1], names[2]);
        // The passing fixture is clean of every rule, not just this one: its expectations
        // (which the fixture tests check exactly) list nothing.
        assert!(
            expected(&fixture(good), 2).is_empty(),
            "{}: the passing fixture `{good}` must expect no finding",
            r.meta.code
        );
        for (name, should_fire) in [(bad, true), (good, false)] {
            for form in ["terraform", "arm"] {
                let scen = fixture(name);
                let out = run(&scen.join(form));
                let fired = out.diagnostics.iter().any(|d| d.code == r.meta.code);
                assert_eq!(fired, should_fire, "{} on {name}/{form}", r.meta.code);
            }
        }
    }
}

/// Applying a finding's fix (the edits the LSP offers) removes the finding.
#[test]
fn applying_the_fix_removes_the_finding() {
    for (scenario, file) in [
        ("onprem-partial-coverage", "gateway.tf"),
        ("onprem-return-propagation-on", "spokes.tf"),
        ("onprem-return-propagation-on-azurerm3", "spokes.tf"),
        ("onprem-return-half-covered", "spokes.tf"),
    ] {
        let src = root().join("fixtures").join(scenario).join("terraform");
        let dir = tempdir(&format!("fix-{scenario}"));
        copy_tree(&src, &dir);
        let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.code == "RL001")
            .unwrap_or_else(|| panic!("{scenario}: no RL001"));
        let fix = d
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("{scenario}: no fix"));
        // Apply the edits back to front.
        let mut edits = fix.edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.origin.start));
        let target = out.sources.get(edits[0].origin.file);
        assert!(
            target.path.ends_with(file),
            "{scenario}: fix edits {}",
            target.display
        );
        let mut text = target.text.to_string();
        for e in &edits {
            text.replace_range(e.origin.start..e.origin.end, &e.text);
        }
        std::fs::write(dir.join(file), &text).unwrap();
        let again = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
        let left: Vec<&str> = again
            .diagnostics
            .iter()
            .filter(|d| routelint::is_finding(d))
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            left.is_empty() && !again.input_error,
            "{scenario}: after `{}`: {left:?}\n{text}",
            fix.title
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Applies a fix's edits to its file (back to front) and returns the new text.
fn apply_fix(out: &routelint::Outcome, fix: &routelint::diag::Fix) -> (std::path::PathBuf, String) {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.origin.start));
    let target = out.sources.get(edits[0].origin.file);
    assert!(
        edits.iter().all(|e| e.origin.file == edits[0].origin.file),
        "one file per fix"
    );
    let mut text = target.text.to_string();
    for e in &edits {
        text.replace_range(e.origin.start..e.origin.end, &e.text);
    }
    (target.path.clone(), text)
}

/// Every fix any fixture's finding offers, in Terraform and in ARM JSON (the Bicep source
/// set aside, so the edits go into the JSON), removes its finding and leaves the file valid.
#[test]
fn every_fix_removes_its_finding() {
    let mut applied = 0;
    for scen in files_under(&root().join("fixtures"))
        .iter()
        .filter_map(|p| p.parent().map(|d| d.to_path_buf()))
        .filter(|d| d.ends_with("terraform") || d.ends_with("arm"))
        .collect::<std::collections::BTreeSet<_>>()
    {
        let name = scen
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let form = scen.file_name().unwrap().to_string_lossy().to_string();
        let dir = tempdir(&format!("every-fix-{name}-{form}"));
        copy_tree(&scen, &dir);
        for f in files_under(&dir) {
            if f.extension().is_some_and(|e| e == "bicep") {
                std::fs::remove_file(f).unwrap();
            }
        }
        let out = run(&dir);
        for d in out.diagnostics.iter().filter(|d| d.fix.is_some()) {
            let (path, text) = apply_fix(&out, d.fix.as_ref().unwrap());
            let original = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, &text).unwrap();
            let again = run(&dir);
            std::fs::write(&path, original).unwrap();
            assert!(
                !again.input_error,
                "{name}/{form}: `{}` broke the file:\n{text}",
                d.fix.as_ref().unwrap().title
            );
            assert!(
                !again
                    .diagnostics
                    .iter()
                    .any(|x| x.code == d.code && x.subject == d.subject),
                "{name}/{form}: after `{}` the finding is still there:\n{text}",
                d.fix.as_ref().unwrap().title
            );
            applied += 1;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(applied >= 10, "only {applied} fixes were applied");
}

/// In a Bicep project the fix edits the `.bicep` source, in Bicep syntax.
#[test]
fn bicep_fixes_are_written_in_bicep() {
    for (scenario, expect) in [
        (
            "onprem-return-propagation-on",
            "disableBgpRoutePropagation: true",
        ),
        (
            "spoke-to-spoke-forwarded-off",
            "allowForwardedTraffic: true",
        ),
        ("onprem-partial-coverage", "nextHopType: 'VirtualAppliance'"),
    ] {
        let out = run(&fixture(scenario).join("arm"));
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.fix.is_some())
            .unwrap_or_else(|| panic!("{scenario}: no fix"));
        let (path, text) = apply_fix(&out, d.fix.as_ref().unwrap());
        assert!(
            path.ends_with("main.bicep"),
            "{scenario}: {}",
            path.display()
        );
        assert!(text.contains(expect), "{scenario}:\n{text}");
        assert_eq!(
            text.matches('{').count(),
            text.matches('}').count(),
            "{scenario}: braces balance"
        );
        assert!(
            d.help
                .as_deref()
                .unwrap_or("")
                .contains(expect.split(':').next().unwrap()),
            "{scenario}: help speaks Bicep: {:?}",
            d.help
        );
    }
}

/// A value set in `terraform.tfvars` and passed through `for_each` into a shared child
/// module is fixed where it is set: the label and the edit are in the `.tfvars` file.
#[test]
fn the_fix_goes_where_the_value_is_set() {
    let out = run(&fixture("modules-foreach-tfvars").join("terraform"));
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL001")
        .expect("RL001");
    let o = d.primary_origin().unwrap();
    assert!(out.sources.get(o.file).path.ends_with("terraform.tfvars"));
    assert_eq!(out.sources.snippet(o), "true");
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!(fix.edits.len(), 1);
    assert_eq!(fix.edits[0].origin, o);
    assert_eq!(fix.edits[0].text, "false");
}

/// A reply that takes a hub-spoke peering route is fixed with a route, never by removing
/// the peering; only a peering between two spokes is called "direct".
#[test]
fn hub_spoke_peering_is_never_advised_away() {
    for form in ["terraform", "arm"] {
        let out = run(&fixture("hub-shared-subnet-reply-skips-firewall").join(form));
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.code == "RL002")
            .expect("RL002");
        let help = d.help.as_deref().unwrap_or("");
        assert!(!help.contains("remove"), "{form}: {help}");
        assert!(
            help.contains("a route at least as long as the peering route"),
            "{form}: {help}"
        );
        assert!(d
            .labels
            .iter()
            .all(|l| !l.message.contains("direct peering")));
        let out = run(&fixture("spoke-to-spoke-direct-peering").join(form));
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.code == "RL002")
            .expect("RL002");
        assert!(d
            .labels
            .iter()
            .any(|l| !l.primary && l.message.contains("direct peering between the spokes")));
    }
}

/// One root cause, one finding: two spokes behind the firewall whose subnet lost the
/// gateway's routes give one finding that lists the other flow.
#[test]
fn one_root_cause_is_one_finding_listing_its_flows() {
    for form in ["terraform", "arm"] {
        let out = run(&fixture("firewall-subnet-propagation-off").join(form));
        let found: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.code == "RL001")
            .collect();
        assert_eq!(found.len(), 1, "{form}");
        assert_eq!(
            found[0].also,
            ["onprem:192.168.0.0/16<->vnet-spoke2/snet-workload"],
            "{form}"
        );
        assert!(found[0]
            .notes
            .iter()
            .any(|n| n.contains("also breaks 1 more flow")));
        let fix = found[0].fix.as_ref().expect("fix");
        assert_eq!(
            fix.edits[0].text,
            if form == "arm" { "false" } else { "true" }
        );
    }
    let out = run(&fixture("firewall-subnet-propagation-off").join("terraform"));
    let concise = routelint::report::concise(&out.diagnostics, &out.sources);
    assert!(
        concise.contains("RL001 [error] the reply to on-prem is dropped after `fw-hub` (onprem:192.168.0.0/16<->vnet-spoke1/snet-workload, +1 more)"),
        "{concise}"
    );
}

/// The private-endpoint pair: in both forms the flow to the endpoint is traced, through the
/// firewall; fixed, the application rule SNATs it and the reply comes back through the
/// firewall; broken, the reply leaves the endpoint by the peering route.
#[test]
fn private_endpoint_flows_are_traced_both_ways() {
    use routelint::analysis::trace::{Device, FlowVerdict};
    for (s, ok) in [
        ("private-endpoint-flow-broken", false),
        ("private-endpoint-flow-broken-fixed", true),
    ] {
        for form in ["terraform", "arm"] {
            let out = run(&fixture(s).join(form));
            let p = &out.projects[0];
            let a = routelint::analysis::Analysis::new(&p.model, &p.config);
            let flows = a.endpoint_flows();
            assert_eq!(flows.len(), 1, "{s} {form}");
            let f = &flows[0];
            assert_eq!(f.dst.to_string(), "10.1.1.0/24", "{s} {form}");
            let fw = Device::Firewall(routelint::ir::FirewallId(0));
            assert_eq!(f.flow.forward().devices, vec![fw], "{s} {form}");
            let reply = f.flow.reply().expect("the request arrives");
            if ok {
                assert_eq!(f.flow.verdict(), FlowVerdict::Ok, "{s} {form}");
                assert_eq!(reply.devices, vec![fw], "{s} {form}");
            } else {
                assert_eq!(f.flow.verdict(), FlowVerdict::Asymmetric, "{s} {form}");
                assert!(reply.devices.is_empty(), "{s} {form}");
            }
        }
    }
}

/// The fixed forms of the flow-family pairs: the flow each is about is generated and traced
/// both ways, and is symmetric through the devices named (a clean result that is not
/// "nothing was checked").
#[test]
fn flow_family_fixtures_are_traced_not_skipped() {
    use routelint::analysis::trace::FlowVerdict;
    for form in ["terraform", "arm"] {
        // Several hubs: forward through firewall A then B, the reply through B then A.
        let out = run(&fixture("several-hubs-via-both-firewalls").join(form));
        let p = &out.projects[0];
        let a = routelint::analysis::Analysis::new(&p.model, &p.config);
        let flows = a.cross_flows();
        let f = flows
            .iter()
            .find(|f| {
                p.model.subnet_label(f.src) == "vnet-a-spoke/snet-app"
                    && p.model.subnet_label(f.dst) == "vnet-b-spoke/snet-app"
            })
            .expect("the cross-hub flow is generated");
        assert_eq!(f.flow.verdict(), FlowVerdict::Ok, "{form}");
        let names: Vec<String> = f
            .flow
            .forward()
            .devices
            .iter()
            .map(|d| a.device_name(*d))
            .collect();
        assert_eq!(names, vec!["fw-a", "fw-b"], "{form}");
        let back: Vec<String> = f
            .flow
            .reply()
            .unwrap()
            .devices
            .iter()
            .map(|d| a.device_name(*d))
            .collect();
        assert_eq!(back, vec!["fw-b", "fw-a"], "{form}");

        // Point-to-site clients and a VNet-to-VNet peer: on-prem flows, both ways, Ok.
        let out = run(&fixture("onprem-vpn-clients-and-vnet2vnet-fixed").join(form));
        let p = &out.projects[0];
        let a = routelint::analysis::Analysis::new(&p.model, &p.config);
        let mut remote: Vec<String> = a
            .onprem_flows()
            .iter()
            .filter(|f| {
                f.inbound.verdict() == FlowVerdict::Ok && f.outbound.verdict() == FlowVerdict::Ok
            })
            .map(|f| f.onprem.to_string())
            .collect();
        remote.sort();
        remote.dedup();
        assert_eq!(remote, vec!["10.20.0.0/16", "172.31.0.0/24"], "{form}");

        // One frontend of the internal load balancer both ways.
        let out = run(&fixture("ilb-frontends-asymmetric-fixed").join(form));
        let p = &out.projects[0];
        let a = routelint::analysis::Analysis::new(&p.model, &p.config);
        let flows = a.cross_flows();
        assert!(!flows.is_empty(), "{form}");
        for f in &flows {
            assert_eq!(f.flow.verdict(), FlowVerdict::Ok, "{form}");
            let names: Vec<String> = f
                .flow
                .forward()
                .devices
                .iter()
                .map(|d| a.device_name(*d))
                .collect();
            assert_eq!(names, vec!["lb-nva (frontend fe-a)"], "{form}");
        }

        // The Route Server's finding says it is incomplete; the fixed form is clean and
        // still names the Route Server as not analysed.
        let out = run(&fixture("route-server-onprem-return").join(form));
        let d = out.diagnostics.iter().find(|d| d.code == "RL001").unwrap();
        assert!(
            d.notes
                .iter()
                .any(|n| n.starts_with("incomplete: Azure Route Server `rs-hub`")),
            "{form}: {:?}",
            d.notes
        );
        let out = run(&fixture("route-server-onprem-return-fixed").join(form));
        assert!(out
            .diagnostics
            .iter()
            .any(|d| d.code == "not-analysed" && d.message.contains("rs-hub")));
    }
}
