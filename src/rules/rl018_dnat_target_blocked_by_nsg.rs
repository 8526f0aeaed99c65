//! RL018 `dnat-target-blocked-by-nsg`: a firewall DNAT rule whose translated target sits
//! behind an NSG (its subnet's, then its NIC's) that drops the translated packet. Azure
//! Firewall DNAT also SNATs: the packet reaches the target from an instance IP of
//! `AzureFirewallSubnet`, not from the Internet client (DOMAIN.md §5, §7; FW-KNOWN,
//! AAC-FW-AGW), so the NSG must allow the firewall subnet on the translated port. The NSG
//! evaluation (`analysis::nsg`) follows Azure's: priority order, first match decides, then
//! the default rules; a rule that may match only some firewall instances, names an
//! application security group or holds a value not known statically leaves the flow not
//! checked, never reported.

use super::{text, FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::nsg::{Decider, Decision, Inbound};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL018",
        name: "dnat-target-blocked-by-nsg",
        severity: Severity::Error,
        summary: "a DNAT target whose subnet or NIC NSG does not allow the firewall subnet on the translated port",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL018.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    for f in ctx.dnat_flows() {
        // A flow the routes already break is another rule's.
        if !f.flow.forward().verdict.success() {
            continue;
        }
        let fw = &m.firewalls[f.firewall.0];
        let rule = &m.firewall_rules[f.firewall.0].dnat[f.rule];
        let dst = f.target.addr();
        let example = format!("Internet -> DNAT {} ({})", dst, rule.name);
        let Some(src) = fw
            .subnet
            .as_ref()
            .and_then(|l| l.id)
            .and_then(|s| m.subnet_prefixes(SubnetId(s)).into_iter().next())
        else {
            continue;
        };
        let Some(subnet) = m.subnet_containing(dst) else {
            continue;
        };
        let port = match &rule.translated_port {
            Some(p) => p.trim().parse::<u32>().ok(),
            None => None,
        };
        let pkt = Inbound {
            src,
            dst,
            port,
            protocols: &rule.protocols,
            subnet,
        };
        // Inbound: the subnet's NSG, then the NIC's.
        let mut nsgs: Vec<(usize, &'static str)> = Vec::new();
        if let Some(n) = m.subnets[subnet.0].nsg.as_ref().and_then(|l| l.id) {
            nsgs.push((n, "subnet"));
        }
        for nic in &m.nics {
            if nic.ip_configs.iter().any(|c| c.private_ip == Some(dst)) {
                if let Some(n) = nic.nsg.as_ref().and_then(|l| l.id) {
                    nsgs.push((n, "NIC"));
                }
            }
        }
        for (n, level) in nsgs {
            let nsg = &m.nsgs[n];
            let decider = match a.nsg_inbound(n, &pkt) {
                Decision::Allow(_) => continue,
                Decision::Unknown(why, origin) => {
                    ctx.not_checked(why, origin, example.clone());
                    break;
                }
                Decision::Deny(d) => d,
            };
            let proto = if rule.protocols.is_empty() {
                "traffic".to_string()
            } else {
                rule.protocols.join("/")
            };
            let port_text = rule
                .translated_port
                .clone()
                .unwrap_or_else(|| "(port not set)".into());
            let (at, label, below) = match &decider {
                Decider::Rule(i) => {
                    let r = &nsg.rules[*i];
                    (
                        r.origin,
                        format!(
                            "rule `{}` (priority {}) denies {src} here",
                            r.name,
                            r.priority.unwrap_or_default()
                        ),
                        r.priority.unwrap_or(4096),
                    )
                }
                Decider::Default(name, pr) => (
                    nsg.meta.label_origin(),
                    format!("no rule allows {src}: the default rule {name} ({pr}) drops it"),
                    4096,
                ),
            };
            let v = Violation::new(format!(
                "DNAT rule `{}` of `{}` translates to {dst}:{port_text}, but {level} NSG `{}` drops it",
                rule.name,
                fw.meta.display(),
                nsg.meta.display()
            ))
            .subject(format!("dnat:{}/{}@{}", fw.meta.display(), rule.name, nsg.meta.display()))
            .primary(at, label)
            .secondary(rule.origin, "the DNAT rule")
            .note(format!(
                "Azure Firewall DNAT also SNATs: the packet reaches {dst} from an instance IP of AzureFirewallSubnet ({src}), not from the Internet client, so the NSG must allow {src}"
            ))
            .help(format!(
                "add an inbound Allow rule to `{}` with a priority below {below}: source {src}, destination {dst}, {proto} port {port_text}",
                nsg.meta.display()
            ));
            out.push(text::with_flow(
                v,
                a,
                example.clone(),
                f.flow.forward(),
                f.flow.reply(),
            ));
            break;
        }
    }
    out
}
