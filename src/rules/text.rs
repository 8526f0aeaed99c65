//! Shared by the rules: subjects in words, traced flows on a violation, fix intents.

use super::Violation;
use crate::analysis::routes::Dest;
use crate::analysis::trace::{device_ip, Trace};
use crate::analysis::{words, Analysis};
use crate::ir::fix::NextHop;
use crate::ir::*;

/// `vnet/subnet (prefix)`.
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
        next_hop: NextHop {
            device: d,
            ip: device_ip(a.model, d).map(|(ip, _)| ip),
            name: a.device_name(d),
        },
    }
}
