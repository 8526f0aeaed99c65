//! RL021 `hardcoded-firewall-ip`: a `VirtualAppliance` next hop written as a literal that
//! equals a firewall's front-end IP derived by convention (the first usable address, .4, of
//! `AzureFirewallSubnet`, DOMAIN.md §5). It works today; a reference to the firewall
//! survives a re-deploy that gives it another address.

use super::{FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::{ApplianceRef, NextHop};
use crate::analysis::trace::Device;
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL021",
        name: "hardcoded-firewall-ip",
        severity: Severity::Info,
        summary: "a next hop written as a literal equal to a firewall's derived IP",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL021.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    let mut done: Vec<RouteId> = Vec::new();
    for (s, i) in super::text::appliance_routes(a) {
        let Some(r) = a.table(s).and_then(|t| t.routes.get(i)) else {
            continue;
        };
        let (NextHop::Appliance(ap @ ApplianceRef::Ip(ip)), Some(rid)) = (&r.next_hop, r.route)
        else {
            continue;
        };
        let Ok(d @ Device::Firewall(f)) = a.device_of(ap) else {
            continue;
        };
        if done.contains(&rid) || !m.firewall_ips[f.0].is_some_and(|x| x.derived) {
            continue;
        }
        done.push(rid);
        let route = &m.routes[rid.0];
        let Some(at) = route.next_hop_ip.as_ref().map(|x| x.origin) else {
            continue;
        };
        let fw = m.firewalls[f.0].meta.display();
        let name = super::text::user_route(a, s, i)
            .map(|(n, _)| n)
            .unwrap_or_else(|| route.meta.display().to_string());
        let fix = FixIntent::ReferenceNextHop {
            route: rid,
            device: d,
        };
        out.push(
            Violation::new(format!(
                "next hop {ip} of route `{name}` is `{fw}` only by convention"
            ))
            .subject(format!("route:{name}"))
            .primary(at, format!("a literal; `{fw}`'s address is derived (.4 of its subnet)"))
            .note("Azure gives the firewall the first usable address of AzureFirewallSubnet in every Microsoft example, but a redeployment or a subnet change can move it; the route would then point at nothing")
            .help(Help::text("refer to the firewall instead: ").setting(&fix))
            .fix(&fix),
        );
    }
    out
}
