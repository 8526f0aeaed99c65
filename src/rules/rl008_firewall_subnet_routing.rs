//! RL008 `firewall-subnet-routing`: routing Azure Firewall's subnets do not support
//! (DOMAIN.md §4, FW-FAQ, FW-FT, FW-MGMT): a route table on `AzureFirewallSubnet` that
//! disables gateway route propagation (the firewall then loses the routes to on-premises the
//! gateway learns), and on `AzureFirewallManagementSubnet` any route other than
//! `0.0.0.0/0 -> Internet`, or a route table that keeps propagation on. Two cases the table
//! in the issue lists under this rule have their own rules: a `0.0.0.0/0` away from the
//! Internet without a management NIC is RL019, a route to the firewall's own IP is RL020.

use super::{text, FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::special::{FIREWALL_MANAGEMENT_SUBNET, FIREWALL_SUBNET};
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL008",
        name: "firewall-subnet-routing",
        severity: Severity::Error,
        summary: "routes Azure Firewall's subnets do not support",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL008.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    for (si, s) in m.subnets.iter().enumerate() {
        let name = s.meta.display();
        let fw = name.eq_ignore_ascii_case(FIREWALL_SUBNET);
        let mgmt = name.eq_ignore_ascii_case(FIREWALL_MANAGEMENT_SUBNET);
        if !fw && !mgmt {
            continue;
        }
        let Some(t) = s.route_table.as_ref().and_then(|l| l.id) else {
            continue;
        };
        let rt = &m.route_tables[t];
        let label = m.subnet_label(SubnetId(si));
        let at = rt.propagation.origin.unwrap_or(rt.meta.label_origin());
        let table = RouteTableId(t);
        match rt.propagation.get() {
            // Propagation off loses nothing where no gateway's routes reach the subnet.
            Some(false)
                if fw
                    && ctx
                        .analysis
                        .table(SubnetId(si))
                        .is_some_and(|t| !t.gateways.is_empty()) =>
            {
                let on = FixIntent::PropagationOn { table };
                out.push(
                    Violation::new(format!(
                        "route table `{}` of {label} disables gateway route propagation",
                        rt.meta.display()
                    ))
                    .subject(format!("subnet:{label}:propagation"))
                    .primary(at, "the firewall loses the routes the gateway learns")
                    .note("Azure Firewall learns the on-premises prefixes from the gateway; with propagation off its replies to on-premises follow 0.0.0.0/0 instead")
                    .help(text::set_on_table(&on, rt))
                    .fix(&on),
                );
            }
            Some(true) if mgmt => {
                let off = FixIntent::PropagationOff { table };
                out.push(
                    Violation::new(format!(
                        "route table `{}` of {label} keeps gateway route propagation on",
                        rt.meta.display()
                    ))
                    .subject(format!("subnet:{label}:propagation"))
                    .primary(at, "propagation must be off on the management subnet")
                    .note("the management subnet must reach the Internet directly: a default route learned from the gateway would take its traffic away")
                    .help(text::set_on_table(&off, rt))
                    .fix(&off),
                );
            }
            _ => {}
        }
        if !mgmt {
            continue;
        }
        for rid in &rt.routes {
            let r = &m.routes[rid.0];
            let default_internet = r.prefix.value.v4().is_some_and(|n| n.prefix_len() == 0)
                && r.next_hop_type.value.known() == Some(&NextHopType::Internet);
            let known =
                matches!(r.prefix.value, Prefix::V4(_)) && r.next_hop_type.value.known().is_some();
            if default_internet || !known {
                continue;
            }
            out.push(
                Violation::new(format!(
                    "route `{}/{}` is not supported on {label}",
                    rt.meta.display(),
                    r.meta.display()
                ))
                .subject(format!("subnet:{label}:route:{}", r.meta.display()))
                .primary(r.prefix.origin, "the management subnet allows only 0.0.0.0/0 -> Internet")
                .note("Azure Firewall's management traffic must go straight to the Internet")
                .help("remove this route; keep only 0.0.0.0/0 with next hop Internet in the management subnet's route table"),
            );
        }
    }
    out
}
