//! Shared by the rules: subjects in words, traced flows on a violation, fix intents.

use super::Violation;
use crate::analysis::routes::Dest;
use crate::analysis::trace::{device_ip, Trace};
use crate::analysis::{words, Analysis};
use crate::ir::fix::NextHop;
use crate::ir::*;

/// `vnet/subnet (prefix)`.
/// "set `<the setting the intent writes>` on `<table>`": the help of a one-line fix to a
/// route table (gateway route propagation on or off).
pub fn set_on_table(intent: &FixIntent, table: &RouteTable) -> super::Help {
    super::Help::text("set `")
        .setting(intent)
        .then(format!("` on `{}`", table.meta.display()))
}

pub fn subnet(a: &Analysis, s: SubnetId) -> String {
    let p = a.model.subnet_prefixes(s);
    match p.first() {
        Some(p) => format!("{} ({p})", a.model.subnet_label(s)),
        None => a.model.subnet_label(s),
    }
}

pub fn onprem(d: Dest) -> String {
    match d {
        Dest::Net(n) => format!("on-prem {n}"),
        Dest::OnPremUnknown => "on-prem (prefixes learned by BGP, not declared)".into(),
    }
}

/// Records a traced flow on a finding: the flow in words, both directions as text, their
/// hops with the declarations that decided them, and the traces (drawn by `graph`).
pub fn with_flow(
    v: Violation,
    a: &Analysis,
    flow: String,
    forward: &Trace,
    reverse: Option<&Trace>,
) -> Violation {
    v.flow(
        flow,
        words::path(a, forward),
        reverse.map(|r| words::path(a, r)),
    )
    .steps(
        words::steps(a, forward),
        reverse.map(|r| words::steps(a, r)).unwrap_or_default(),
    )
    .traced(forward, reverse)
}

/// A route to `d` to add to `table` (or, with none, to a table for `subnet`).
pub fn add_route(
    a: &Analysis,
    table: Option<RouteTableId>,
    subnet: SubnetId,
    name: &str,
    prefix: &str,
    d: Device,
) -> FixIntent {
    FixIntent::AddRoute {
        table,
        subnet,
        name: name.to_string(),
        prefix: prefix.to_string(),
        next_hop: Some(NextHop {
            device: d,
            ip: device_ip(a.model, d).map(|(ip, _)| ip),
            name: a.device_name(d),
        }),
    }
}

/// A route of `prefix` to `Internet` to add to `table` (or, with none, to a table for
/// `subnet`).
pub fn add_internet_route(
    table: Option<RouteTableId>,
    subnet: SubnetId,
    name: &str,
    prefix: &str,
) -> FixIntent {
    FixIntent::AddRoute {
        table,
        subnet,
        name: name.to_string(),
        prefix: prefix.to_string(),
        next_hop: None,
    }
}

/// Does another rule own this flow's failure? A drop that a route-based or peering rule
/// reports (RL004 no device, RL005 IP forwarding off, RL006 unreachable next hop, RL012
/// forwarded traffic refused, RL020 a loop, RL023 a 0.0.0.0/0 blackhole) is reported there
/// once, not again on every flow it breaks.
pub fn owned_elsewhere(a: &Analysis, tw: &crate::analysis::trace::TwoWay) -> bool {
    use crate::analysis::routes::{RoutePrefix, Source};
    use crate::analysis::trace::{Drop, Verdict};
    // A user 0.0.0.0/0 route to None or VnetLocal: RL023.
    let default_blackhole = |s: SubnetId, i: usize| {
        a.table(s).and_then(|t| t.routes.get(i)).is_some_and(|r| {
            r.source == Source::User
                && matches!(r.prefix, RoutePrefix::Net(n) if n.prefix_len() == 0)
        })
    };
    [Some(tw.forward()), tw.reply()]
        .into_iter()
        .flatten()
        .any(|t| match t.verdict {
            Verdict::Dropped(
                Drop::NoDevice { .. }
                | Drop::IpForwardingOff { .. }
                | Drop::Unreachable { .. }
                | Drop::ForwardedRefused { .. }
                | Drop::Loop,
            ) => true,
            Verdict::Dropped(
                Drop::NoneRoute { subnet, route } | Drop::NotInSubnet { subnet, route, .. },
            ) => default_blackhole(subnet, route),
            _ => false,
        })
}

/// Every active user route with a `VirtualAppliance` next hop in effect somewhere: (subnet
/// it applies to, index in that subnet's table), once per (route, VNet).
pub fn appliance_routes(a: &Analysis) -> Vec<(SubnetId, usize)> {
    use crate::analysis::routes::{NextHop, Source, State};
    let m = a.model;
    let mut seen: std::collections::HashSet<(RouteId, Option<VNetId>)> = Default::default();
    let mut out = Vec::new();
    for s in (0..m.subnets.len()).map(SubnetId) {
        let Some(t) = a.table(s) else { continue };
        for (i, r) in t.routes.iter().enumerate() {
            if r.source != Source::User || r.state != State::Active {
                continue;
            }
            let (NextHop::Appliance(_), Some(rid)) = (&r.next_hop, r.route) else {
                continue;
            };
            if seen.insert((rid, m.subnet_vnet(s))) {
                out.push((s, i));
            }
        }
    }
    out
}

/// `table/route` of a user route in a subnet's effective table, and its next-hop IP's
/// declaration.
pub fn user_route(a: &Analysis, s: SubnetId, i: usize) -> Option<(String, crate::source::Origin)> {
    let m = a.model;
    let rid = a.table(s)?.routes.get(i)?.route?;
    let r = &m.routes[rid.0];
    let table = r
        .table
        .id
        .map(|t| m.route_tables[t].meta.display().to_string())
        .unwrap_or_default();
    let at = r
        .next_hop_ip
        .as_ref()
        .map(|x| x.origin)
        .unwrap_or(r.meta.label_origin());
    Some((format!("{table}/{}", r.meta.display()), at))
}
