//! RL006 `next-hop-unreachable`: a `VirtualAppliance` next hop in a VNet that is neither the
//! subnet's own nor directly peered with it (a spoke routing to a firewall in a hub it is
//! not peered with). Peering is not transitive, and the next hop must be directly reachable
//! (DOMAIN.md §2, §6): the traffic is dropped.

use super::{text, FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::NextHop;
use crate::diag::Severity;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL006",
        name: "next-hop-unreachable",
        severity: Severity::Error,
        summary: "a VirtualAppliance next hop in a VNet that is neither the subnet's own nor directly peered",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL006.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    for (s, i) in text::appliance_routes(a) {
        let Some(t) = a.table(s) else { continue };
        let NextHop::Appliance(ap) = &t.routes[i].next_hop else {
            continue;
        };
        let Ok(d) = a.device_of(ap) else { continue };
        let Some(dv) = a.device_subnet(d).and_then(|x| m.subnet_vnet(x)) else {
            continue;
        };
        if dv == t.vnet || a.connected(Some(t.vnet), Some(dv)) {
            continue;
        }
        let Some((name, at)) = text::user_route(a, s, i) else {
            continue;
        };
        let (here, there) = (
            m.vnets[t.vnet.0].meta.display(),
            m.vnets[dv.0].meta.display(),
        );
        let dev = a.device_name(d);
        out.push(
            Violation::new(format!(
                "next hop `{dev}` of route `{name}` is not reachable from `{here}`"
            ))
            .subject(format!("route:{name}@{here}"))
            .primary(at, format!("`{dev}` is in `{there}`, which `{here}` is not peered with"))
            .note(format!(
                "a next hop must be in the subnet's VNet or a directly peered one (peering is not transitive): {} drops what this route sends",
                m.subnet_label(s)
            ))
            .help(format!(
                "peer `{here}` with `{there}` in both directions, or route to an appliance in a VNet `{here}` is peered with"
            )),
        );
    }
    out
}
