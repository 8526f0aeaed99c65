//! RL014 `summary-route-loses-to-peering`: a user route that summarises peered VNets
//! (`10.0.0.0/8 -> firewall` on GatewaySubnet, say) never applies to them, because each
//! peering adds a system route for the peered VNet's own, longer, prefix and longest prefix
//! match picks it (DOMAIN.md §2: "a summary route (10.0.0.0/8) on GatewaySubnet loses to
//! each spoke's /16 peering route"; UDR, FW-HYBRID).
//!
//! Judged per user route and VNet it is in effect in, on the analysis's effective routes:
//! an active `VirtualAppliance` route of prefix length 1–31 whose prefix strictly contains
//! the prefix of an active peering route that wins the look-up for that prefix. Peering to
//! the appliance's own VNet is left out (a spoke's `10.0.0.0/8 -> hub firewall` is not meant
//! to send traffic for the hub itself through the firewall), and so is `0.0.0.0/0`: nobody
//! writes it to reach a peered VNet (the reply-path rules judge the flows it misses).

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::{Dest, Lookup, NextHop, RoutePrefix, Source, State};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL014",
        name: "summary-route-loses-to-peering",
        severity: Severity::Warning,
        summary: "a summary route meant to steer traffic to a peered VNet that the peering's more specific route beats",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL014.md"),
    },
    check,
};

/// At most this many routes to add are written out in the help.
const SNIPPETS: usize = 3;

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    // Per subnet, its active peering routes sorted by network address: the ones a route
    // contains are a range of it (a hub's gateway route table with a route per spoke, in a
    // hub peered with every spoke, would otherwise compare every route with every peering).
    let mut peering_routes: std::collections::HashMap<SubnetId, Vec<(u32, usize)>> =
        std::collections::HashMap::new();
    for (s, i) in text::appliance_routes(a) {
        let Some(t) = a.table(s) else { continue };
        let sorted = peering_routes.entry(s).or_insert_with(|| {
            let mut v: Vec<(u32, usize)> = t
                .routes
                .iter()
                .enumerate()
                .filter_map(|(k, p)| match (p.source, &p.state, &p.prefix) {
                    (Source::Peering, State::Active, RoutePrefix::Net(pn)) => {
                        Some((u32::from(pn.network()), k))
                    }
                    _ => None,
                })
                .collect();
            v.sort_unstable();
            v
        });
        let r = &t.routes[i];
        let RoutePrefix::Net(net) = r.prefix else {
            continue;
        };
        if net.prefix_len() == 0 {
            continue;
        }
        let NextHop::Appliance(ap) = &r.next_hop else {
            continue;
        };
        let Ok(d) = a.device_of(ap) else { continue };
        let dv = a.device_subnet(d).and_then(|x| m.subnet_vnet(x));
        // Peered VNets whose own route beats this one: (VNet, prefix, peering).
        let mut beaten: Vec<(VNetId, ipnet::Ipv4Net, Option<PeeringId>)> = Vec::new();
        let (lo, hi) = (u32::from(net.network()), u32::from(net.broadcast()));
        let from = sorted.partition_point(|(n, _)| *n < lo);
        // In the table's order, as the findings list them.
        let mut inside: Vec<usize> = sorted[from..]
            .iter()
            .take_while(|(n, _)| *n <= hi)
            .map(|&(_, k)| k)
            .collect();
        inside.sort_unstable();
        for k in inside {
            let p = &t.routes[k];
            let RoutePrefix::Net(pn) = &p.prefix else {
                continue;
            };
            let NextHop::VNetPeering { vnet, .. } = p.next_hop else {
                continue;
            };
            if Some(vnet) == dv || pn.prefix_len() <= net.prefix_len() || !net.contains(pn) {
                continue;
            }
            let Lookup::Route(w) = t.lookup(Dest::Net(*pn)) else {
                continue;
            };
            if t.routes[w].source == Source::Peering {
                beaten.push((vnet, *pn, p.peering));
            }
        }
        if beaten.is_empty() {
            continue;
        }
        let Some(rid) = r.route else { continue };
        let route = &m.routes[rid.0];
        let table_name = route
            .table
            .id
            .map(|x| m.route_tables[x].meta.display().to_string())
            .unwrap_or_default();
        let name = format!("{table_name}/{}", route.meta.display());
        let here = m.vnets[t.vnet.0].meta.display();
        let dev = a.device_name(d);
        let names: Vec<String> = beaten
            .iter()
            .map(|(v, pn, _)| format!("`{}` ({pn})", m.vnets[v.0].meta.display()))
            .collect();
        let mut v = Violation::new(format!(
            "route `{name}` ({net} -> {dev}) never applies to {} from `{here}`: the peering's more specific route wins",
            names.join(", ")
        ))
        .subject(format!("route:{name}@{here}"))
        .primary(
            route.prefix.origin,
            format!(
                "{net} is shorter than the peered prefix{} {}",
                if beaten.len() > 1 { "es" } else { "" },
                beaten
                    .iter()
                    .map(|(_, pn, _)| pn.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .note(format!(
            "longest prefix match: traffic from {} to these VNets takes the peering directly and never reaches {dev}",
            m.subnet_label(s)
        ));
        for (_, _, p) in &beaten {
            if let Some(p) = p {
                v = v.secondary(
                    m.peerings[p.0].meta.label_origin(),
                    "this peering adds a more specific route",
                );
            }
        }
        let intents: Vec<FixIntent> = beaten
            .iter()
            .map(|(vn, pn, _)| {
                let vname = m.vnets[vn.0].meta.display();
                text::add_route(
                    a,
                    route.table.id.map(RouteTableId),
                    s,
                    &format!("to-{vname}"),
                    &pn.to_string(),
                    d,
                )
            })
            .collect();
        let mut help = Help::text(format!(
            "add a route per peered prefix, at least as long as the peering's, to `{table_name}`:\n"
        ));
        for (k, intent) in intents.iter().take(SNIPPETS).enumerate() {
            if k > 0 {
                help = help.then("\n");
            }
            help = help.snippet(intent, 2);
        }
        if intents.len() > SNIPPETS {
            help = help.then(format!(
                "\n(and {} more, one for each peered VNet listed)",
                intents.len() - SNIPPETS
            ));
        }
        v = v.help(help);
        // One edit removes the finding only when one peered prefix is beaten.
        if let [one] = intents.as_slice() {
            v = v.fix(one);
        }
        out.push(v);
    }
    out
}
