//! RL019 `forced-tunnel-without-management-nic`: the `AzureFirewallSubnet` routes
//! `0.0.0.0/0` somewhere other than the Internet (a user route, or a default route a local
//! network gateway announces and propagation lets in), and the firewall in it has no
//! management IP configuration (DOMAIN.md §4, FW-FT, FW-MGMT). Azure Firewall needs direct
//! Internet access for its own management traffic; forced tunnelling is supported only with
//! the management NIC. A default route learned over BGP whose prefix the configuration does
//! not state is not assumed.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::{Dest, Lookup, NextHop, RoutePrefix, Source};
use crate::diag::Severity;
use crate::ir::special::FIREWALL_SUBNET;
use ipnet::Ipv4Net;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL019",
        name: "forced-tunnel-without-management-nic",
        severity: Severity::Error,
        summary: "the firewall subnet sends 0.0.0.0/0 away from the Internet and the firewall has no management IP configuration",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL019.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    for fw in &m.firewalls {
        if fw.in_virtual_hub || fw.management_subnet.is_some() {
            continue;
        }
        let Some(s) = fw.subnet.as_ref().and_then(|l| l.id) else {
            continue;
        };
        if !m.subnets[s]
            .meta
            .display()
            .eq_ignore_ascii_case(FIREWALL_SUBNET)
        {
            continue;
        }
        let sid = crate::ir::SubnetId(s);
        let Some(t) = a.table(sid) else { continue };
        let Lookup::Route(i) = t.lookup(Dest::Net(Ipv4Net::default())) else {
            continue;
        };
        let r = &t.routes[i];
        if r.prefix != RoutePrefix::Net(Ipv4Net::default())
            || matches!(r.next_hop, NextHop::Internet | NextHop::Unknown(_))
            || !matches!(r.source, Source::User | Source::Gateway)
        {
            continue;
        }
        let Some(at) = r
            .route
            .map(|rid| m.routes[rid.0].next_hop_type.origin)
            .or(r.origin)
        else {
            continue;
        };
        let label = m.subnet_label(sid);
        let how = if r.source == Source::User {
            "a user route"
        } else {
            "a default route the gateway learns and propagates"
        };
        out.push(
            Violation::new(format!(
                "{label} sends 0.0.0.0/0 away from the Internet, but firewall `{}` has no management IP configuration",
                fw.meta.display()
            ))
            .subject(format!("firewall:{}:forced-tunnel", fw.meta.display()))
            .primary(at, format!("{how} sends the firewall's default route elsewhere"))
            .secondary(fw.meta.label_origin(), "no management IP configuration")
            .note("Azure Firewall needs direct Internet access for its management traffic: forced tunnelling is supported only with a management NIC (AzureFirewallManagementSubnet)")
            .help(format!(
                "give `{}` a management IP configuration in an AzureFirewallManagementSubnet (/26) with its own public IP, or route 0.0.0.0/0 to Internet on {label}",
                fw.meta.display()
            )),
        );
    }
    out
}
