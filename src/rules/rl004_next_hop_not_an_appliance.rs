//! RL004 `next-hop-not-an-appliance`: a `VirtualAppliance` next hop IP that no firewall,
//! NIC or internal load balancer frontend owns. Azure accepts the route and drops what it
//! sends. Where a device whose address is computed could own the IP, the trace says "not
//! known" instead and nothing is reported.

use super::{text, FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::NextHop;
use crate::analysis::words;
use crate::diag::Severity;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL004",
        name: "next-hop-not-an-appliance",
        severity: Severity::Error,
        summary:
            "a VirtualAppliance next hop IP that no firewall, NIC or internal load balancer owns",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL004.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let mut out = Vec::new();
    let mut done = std::collections::HashSet::new();
    for (s, i) in text::appliance_routes(a) {
        let Some(r) = a.table(s).and_then(|t| t.routes.get(i)) else {
            continue;
        };
        let NextHop::Appliance(ap) = &r.next_hop else {
            continue;
        };
        let Err(why) = a.device_of(ap) else { continue };
        if !a.certainly_no_device(&why) {
            continue;
        }
        let Some((name, at)) = text::user_route(a, s, i) else {
            continue;
        };
        if !done.insert(name.clone()) {
            continue;
        }
        let ip = a
            .appliance_ip(ap)
            .map(|(ip, _)| ip.to_string())
            .unwrap_or_default();
        out.push(
            Violation::new(format!(
                "next hop {ip} of route `{name}` is not an appliance: traffic it sends is dropped"
            ))
            .subject(format!("route:{name}"))
            .primary(at, words::no_device(a, &why))
            .note(format!(
                "{} routes {} to {ip}; Azure accepts the route, but no device receives the packets",
                a.model.subnet_label(s),
                r.prefix
            ))
            .help(
                "point the next hop at the firewall's private IP (a reference to the firewall survives a re-deploy), at a NIC with IP forwarding, or at an internal load balancer frontend in front of the appliances",
            ),
        );
    }
    out
}
