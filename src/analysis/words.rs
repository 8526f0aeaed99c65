//! Traces in words: the one place that renders steps and verdicts, for finding text
//! ([`path`], [`steps`]), the `trace` view ([`rows`], [`flow_verdict`]), the graph's labels
//! and SARIF code flows (which carry [`steps`]).
//!
//! Everything a trace holds is data (ids, typed causes); this module turns it into the
//! sentences users read. A new drop cause or step kind gets its words here, once.

use super::routes::{Invalid, NextHop, RoutePrefix, Source, State};
use super::trace::{
    Drop, Entry, FlowVerdict, Nat, NoDevice, SessionKind, Step, Trace, TwoWay, Unknown, Verdict,
};
use super::Analysis;
use crate::diag::StepText;
use crate::ir::*;
use crate::source::{Origin, SourceMap};

/// A next hop: `VirtualAppliance fw-hub (10.0.1.4, derived)`, `VNetPeering (vnet-hub)`, …
pub fn hop(a: &Analysis, h: &NextHop) -> String {
    let m = a.model;
    match h {
        NextHop::VnetLocal => "VnetLocal".into(),
        NextHop::Internet => "Internet".into(),
        NextHop::None => "None".into(),
        NextHop::VNetPeering { vnet, .. } => {
            format!("VNetPeering ({})", m.vnets[vnet.0].meta.display())
        }
        NextHop::Gateway(Some(g)) => {
            format!("VirtualNetworkGateway ({})", m.gateways[g.0].meta.display())
        }
        NextHop::Gateway(None) => "VirtualNetworkGateway (none)".into(),
        NextHop::Unknown(_) => "(unknown)".into(),
        NextHop::Appliance(ap) => {
            let ip = a.appliance_ip(ap);
            let ip_text = match ip {
                Some((ip, true)) => format!("{ip}, derived"),
                Some((ip, false)) => ip.to_string(),
                None => "IP computed by Azure".into(),
            };
            match a.device_of(ap) {
                Ok(d) => format!("VirtualAppliance {} ({ip_text})", a.device_name(d)),
                Err(_) => match ip {
                    Some((ip, _)) => format!("VirtualAppliance {ip} (no known device)"),
                    None => "VirtualAppliance (unknown)".into(),
                },
            }
        }
    }
}

/// Why an effective route is not active.
pub fn invalid(i: &Invalid) -> String {
    match i {
        Invalid::RemovedByDefaultRoute => "removed by the 0.0.0.0/0 user route".into(),
        Invalid::OverriddenBy(s) => format!(
            "overridden by {}",
            match s {
                Source::User => "a user route",
                Source::Gateway => "a gateway route",
                _ => "a system route",
            }
        ),
    }
}

/// A route's state as the `routes` view shows it.
pub fn state(s: &State) -> String {
    match s {
        State::Active => "active".into(),
        State::Invalid(w) => format!("invalid ({})", invalid(w)),
    }
}

/// `prefix -> next hop` of a subnet's effective route.
pub fn route_summary(a: &Analysis, subnet: SubnetId, route: usize) -> String {
    match a.table(subnet).and_then(|t| t.routes.get(route)) {
        Some(r) => format!("{} -> {}", r.prefix, hop(a, &r.next_hop)),
        None => String::new(),
    }
}

fn route_origin(a: &Analysis, subnet: SubnetId, route: usize) -> Option<Origin> {
    a.table(subnet)?.routes.get(route)?.origin
}

pub fn entry(a: &Analysis, e: Entry) -> String {
    let m = a.model;
    match e {
        Entry::OnPrem(g) => format!("{} (from on-prem)", m.gateways[g.0].meta.display()),
        Entry::FirewallPublicIp(f) => format!(
            "{} public IP (from the Internet)",
            m.firewalls[f.0].meta.display()
        ),
        Entry::PublicFrontend => "public frontend (from the Internet)".into(),
        Entry::Internet => "from the Internet".into(),
    }
}

pub fn nat(n: Nat) -> String {
    match n {
        Nat::Snat {
            range,
            application: false,
        } => format!("SNAT to an address in {range}"),
        Nat::Snat {
            range,
            application: true,
        } => format!(
            "SNAT to an address in {range} (an application rule allows it; they always translate)"
        ),
        Nat::Dnat { to, range } => format!(
            "DNAT to {to}, SNAT to an address in {}",
            range
                .map(|r| r.to_string())
                .unwrap_or_else(|| "its subnet".into())
        ),
        Nat::Reverse { to } => format!("reverses SNAT: reply to {to}"),
    }
}

/// Why a packet was dropped, in words.
pub fn drop(a: &Analysis, d: &Drop) -> String {
    let m = a.model;
    match d {
        Drop::NoRoute { subnet, dst } => {
            format!("`{}` has no route to {dst}", m.subnet_label(*subnet))
        }
        Drop::NoneRoute { subnet, route } => {
            match a.table(*subnet).and_then(|t| t.routes.get(*route)) {
                Some(r) if r.source == Source::User => {
                    "a user route with next hop None drops it".to_string()
                }
                Some(r) => format!("the system route {} -> None drops it", r.prefix),
                None => "a route with next hop None drops it".to_string(),
            }
        }
        Drop::PeeringNoAccess { .. } => "the peering does not allow virtual network access".into(),
        Drop::ForwardedRefused { peering, into } => format!(
            "peering `{}` does not allow forwarded traffic into `{}`",
            m.peerings[peering.0].meta.display(),
            m.vnets[into.0].meta.display()
        ),
        Drop::GatewayMissing { .. } => "the route's virtual network gateway does not exist".into(),
        Drop::PrivateToInternet { dst, .. } => {
            format!("{dst} is private but its route goes to the Internet")
        }
        Drop::IpForwardingOff { nic } => format!(
            "NIC `{}` does not have IP forwarding enabled",
            m.nics[nic.0].meta.display()
        ),
        Drop::NotInSubnet { vnet, dst, .. } => format!(
            "{dst} is not in a subnet of `{}`",
            m.vnets[vnet.0].meta.display()
        ),
        Drop::NoDevice { subnet, route } => {
            let ip = a
                .table(*subnet)
                .and_then(|t| t.routes.get(*route))
                .and_then(|r| match &r.next_hop {
                    NextHop::Appliance(ap) => a.appliance_ip(ap).map(|(ip, _)| ip.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| "its address".into());
            format!("no firewall, NIC or load balancer has the next hop address {ip}")
        }
        Drop::Unreachable { device, .. } => format!(
            "`{}` is in a VNet that is not peered with this one",
            a.device_name(*device)
        ),
        Drop::Loop => "the packet returns to a hop it passed".into(),
    }
}

/// The declaration that decided a drop.
pub fn drop_origin(a: &Analysis, d: &Drop) -> Option<Origin> {
    let m = a.model;
    match d {
        Drop::NoRoute { .. } | Drop::Loop => None,
        Drop::NoneRoute { subnet, route }
        | Drop::GatewayMissing { subnet, route }
        | Drop::PrivateToInternet { subnet, route, .. }
        | Drop::NotInSubnet { subnet, route, .. } => route_origin(a, *subnet, *route),
        Drop::PeeringNoAccess { peering } => {
            let p = &m.peerings[peering.0];
            Some(
                p.allow_virtual_network_access
                    .origin
                    .unwrap_or(p.meta.origin),
            )
        }
        Drop::ForwardedRefused { peering, .. } => {
            let p = &m.peerings[peering.0];
            Some(p.allow_forwarded_traffic.origin.unwrap_or(p.meta.origin))
        }
        Drop::IpForwardingOff { nic } => Some(
            m.nics[nic.0]
                .ip_forwarding
                .origin
                .unwrap_or(m.nics[nic.0].meta.label_origin()),
        ),
        Drop::NoDevice { subnet, route } | Drop::Unreachable { subnet, route, .. } => a
            .table(*subnet)
            .and_then(|t| t.routes.get(*route))
            .and_then(|r| r.route)
            .and_then(|rid| m.routes[rid.0].next_hop_ip.as_ref().map(|i| i.origin))
            .or_else(|| route_origin(a, *subnet, *route)),
    }
}

pub fn no_device(a: &Analysis, n: &NoDevice) -> String {
    match n {
        NoDevice::Computed(w) => w.clone(),
        NoDevice::FirewallSubnetAddress { ip, firewall } => format!(
            "{ip} is in the AzureFirewallSubnet of `{}` but is not its front-end address",
            a.model.firewalls[firewall.0].meta.display()
        ),
        NoDevice::NoOwner { ip } => {
            format!("no declared firewall, NIC or load balancer has the address {ip}")
        }
    }
}

/// Which value is not known, in words.
pub fn unknown(a: &Analysis, u: &Unknown) -> String {
    let m = a.model;
    match u {
        Unknown::HopSubnet => "the subnet of a hop is not known".into(),
        Unknown::SubnetVnet { subnet } => format!(
            "the VNet of subnet `{}` is not known",
            m.subnet_label(*subnet)
        ),
        Unknown::RoutePrefix { subnet, why } => format!(
            "a route of `{}` has an unknown prefix ({why})",
            m.subnet_label(*subnet)
        ),
        Unknown::NextHop { why, .. } => why.clone(),
        Unknown::Appliance { subnet, route, why } => {
            let prefix = a
                .table(*subnet)
                .and_then(|t| t.routes.get(*route))
                .map(|r| r.prefix.clone())
                .unwrap_or(RoutePrefix::Unknown(String::new()));
            format!("next hop of route {prefix}: {}", no_device(a, why))
        }
        Unknown::ForwardedFlag { peering } => format!(
            "allow_forwarded_traffic of peering `{}` is not known",
            m.peerings[peering.0].meta.display()
        ),
        Unknown::InternetReply => "reply from the Internet".into(),
    }
}

/// Where the value that is not known is declared, where that is known.
pub fn unknown_origin(a: &Analysis, u: &Unknown) -> Option<Origin> {
    match u {
        Unknown::NextHop { subnet, route, .. } | Unknown::Appliance { subnet, route, .. } => {
            route_origin(a, *subnet, *route)
        }
        Unknown::ForwardedFlag { peering } => Some(a.model.peerings[peering.0].meta.origin),
        Unknown::SubnetVnet { subnet } => Some(a.model.subnets[subnet.0].meta.origin),
        Unknown::HopSubnet | Unknown::RoutePrefix { .. } | Unknown::InternetReply => None,
    }
}

fn session(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Created => "creates a session",
        SessionKind::Matched => "matches its session",
        SessionKind::Missing => "has no session and drops the packet",
    }
}

/// One line: the hops of a trace (`vpngw-hub (from on-prem) -> vnet-hub/GatewaySubnet
/// [route `to-spoke1` 10.1.0.0/16] -> fw-hub -> …`).
pub fn path(a: &Analysis, t: &Trace) -> String {
    let m = a.model;
    let mut parts: Vec<String> = Vec::new();
    for s in &t.steps {
        match s {
            Step::Enter(e) => parts.push(entry(a, *e)),
            Step::Route { subnet, route } => {
                let Some(r) = a.table(*subnet).and_then(|t| t.routes.get(*route)) else {
                    continue;
                };
                let how = match (r.source, r.route) {
                    (Source::User, Some(rid)) => {
                        format!("route `{}` {}", m.routes[rid.0].meta.display(), r.prefix)
                    }
                    (Source::Gateway, _) => match r.prefix {
                        RoutePrefix::OnPremUnknown => "learned on-prem route".to_string(),
                        _ => format!("gateway route {}", r.prefix),
                    },
                    (Source::Peering, _) => format!("peering route {}", r.prefix),
                    (Source::System, _) => format!("system route {}", r.prefix),
                    (Source::Endpoint, _) => format!("private endpoint route {}", r.prefix),
                    _ => r.prefix.to_string(),
                };
                parts.push(format!("{} [{how}]", m.subnet_label(*subnet)));
            }
            Step::Session { device, kind } => {
                let k = match kind {
                    SessionKind::Created => "",
                    SessionKind::Matched => " (session)",
                    SessionKind::Missing => " (no session: drops it)",
                };
                parts.push(format!("{}{k}", a.device_name(*device)));
            }
            Step::Nat { .. } | Step::Peering { .. } | Step::Stateless { .. } => {}
        }
    }
    match &t.verdict {
        Verdict::Delivered(s) => parts.push(m.subnet_label(*s)),
        Verdict::ExitsOnPrem(g) => {
            parts.push(format!("{} -> on-prem", m.gateways[g.0].meta.display()))
        }
        Verdict::ExitsInternet => parts.push("Internet".into()),
        Verdict::Dropped(Drop::Loop) => parts.push("loop".into()),
        Verdict::Dropped(d) => parts.push(format!("dropped ({})", drop(a, d))),
        Verdict::NoSession(_) => {}
        Verdict::Unknown(u) => parts.push(format!("unknown ({})", unknown(a, u))),
    }
    parts.join(" -> ")
}

/// One step in words, with the declaration that decided it.
pub fn step(a: &Analysis, s: &Step) -> (Option<Origin>, String) {
    let m = a.model;
    match s {
        Step::Enter(e) => (None, format!("enters at {}", entry(a, *e))),
        Step::Route { subnet, route } => {
            let r = a.table(*subnet).and_then(|t| t.routes.get(*route));
            let origin = r.and_then(|r| {
                r.route
                    .map(|rid| m.routes[rid.0].prefix.origin)
                    .or(r.origin)
            });
            (
                origin,
                format!(
                    "{}: route {}",
                    m.subnet_label(*subnet),
                    route_summary(a, *subnet, *route)
                ),
            )
        }
        Step::Session { device, kind } => (
            Some(a.device_origin(*device)),
            format!("{} {}", a.device_name(*device), session(*kind)),
        ),
        Step::Nat { device, nat: n } => (
            Some(a.device_origin(*device)),
            format!("{}: {}", a.device_name(*device), nat(*n)),
        ),
        Step::Peering { peering, into } => (
            Some(m.peerings[peering.0].meta.origin),
            format!(
                "peering `{}` to `{}`",
                m.peerings[peering.0].meta.display(),
                m.vnets[into.0].meta.display()
            ),
        ),
        Step::Stateless { device } => (
            Some(a.device_origin(*device)),
            format!("stateless appliance `{}`", a.device_name(*device)),
        ),
    }
}

/// The hops of a trace, each with the declaration that decided it (SARIF code flows, JSON
/// steps, editors).
pub fn steps(a: &Analysis, t: &Trace) -> Vec<StepText> {
    let m = a.model;
    let mut out: Vec<StepText> = t
        .steps
        .iter()
        .map(|s| {
            let (origin, text) = step(a, s);
            StepText { origin, text }
        })
        .collect();
    let end = match &t.verdict {
        Verdict::Delivered(s) => Some((
            Some(m.subnets[s.0].meta.label_origin()),
            format!("delivered to {}", m.subnet_label(*s)),
        )),
        Verdict::ExitsOnPrem(g) => Some((
            Some(m.gateways[g.0].meta.label_origin()),
            format!("{} sends it to on-prem", m.gateways[g.0].meta.display()),
        )),
        Verdict::ExitsInternet => Some((None, "leaves for the Internet".to_string())),
        Verdict::Dropped(Drop::Loop) => Some((None, "loops".to_string())),
        Verdict::Dropped(d) => Some((drop_origin(a, d), format!("dropped: {}", drop(a, d)))),
        Verdict::Unknown(u) => Some((None, format!("not known: {}", unknown(a, u)))),
        Verdict::NoSession(_) => None,
    };
    if let Some((origin, text)) = end {
        out.push(StepText { origin, text });
    }
    out
}

/// The `trace` view's rows: (where, what, declared at).
pub fn rows(a: &Analysis, t: &Trace, sources: &SourceMap) -> Vec<(String, String, String)> {
    let m = a.model;
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for s in &t.steps {
        match s {
            Step::Enter(e) => rows.push((entry(a, *e), "enters".into(), String::new())),
            Step::Route { subnet, route } => {
                let r = a.table(*subnet).and_then(|t| t.routes.get(*route));
                let src = match r.and_then(|r| r.route) {
                    Some(rid) => format!(
                        "{} (`{}`)",
                        sources.file_line(m.routes[rid.0].prefix.origin),
                        m.routes[rid.0].meta.display()
                    ),
                    None => match r.map(|r| r.source) {
                        Some(Source::Gateway) => "(gateway route)".into(),
                        Some(Source::Peering) => "(peering route)".into(),
                        Some(Source::Endpoint) => "(private endpoint route)".into(),
                        _ => "(system route)".into(),
                    },
                };
                rows.push((
                    m.subnet_label(*subnet),
                    format!("route {}", route_summary(a, *subnet, *route)),
                    src,
                ));
            }
            Step::Session { device, kind } => {
                let k = match kind {
                    SessionKind::Created => "stateful: session created",
                    SessionKind::Matched => "stateful: session matched",
                    SessionKind::Missing => "stateful: NO session, drops the packet",
                };
                rows.push((a.device_name(*device), k.into(), String::new()));
            }
            Step::Nat { device, nat: n } => {
                rows.push((a.device_name(*device), nat(*n), String::new()))
            }
            Step::Peering { .. } | Step::Stateless { .. } => {
                rows.push((String::new(), step(a, s).1, String::new()))
            }
        }
    }
    match &t.verdict {
        Verdict::Delivered(s) => rows.push((m.subnet_label(*s), "delivered".into(), String::new())),
        Verdict::ExitsOnPrem(g) => rows.push((
            m.gateways[g.0].meta.display().to_string(),
            "exits to on-prem".into(),
            String::new(),
        )),
        Verdict::ExitsInternet => rows.push((
            "Internet".into(),
            "exits to the Internet".into(),
            String::new(),
        )),
        Verdict::Dropped(Drop::Loop) => {
            rows.push(("loop".into(), drop(a, &Drop::Loop), String::new()))
        }
        Verdict::Dropped(d) => rows.push((
            "dropped".into(),
            drop(a, d),
            drop_origin(a, d)
                .map(|o| sources.file_line(o))
                .unwrap_or_default(),
        )),
        Verdict::NoSession(_) => {}
        Verdict::Unknown(u) => rows.push(("unknown".into(), unknown(a, u), String::new())),
    }
    rows
}

/// The `trace` view's closing line: OK, BROKEN, ASYMMETRIC or UNKNOWN, and why.
pub fn flow_verdict(a: &Analysis, tw: &TwoWay) -> String {
    match tw.verdict() {
        FlowVerdict::Ok => {
            let devs: Vec<String> = tw
                .forward()
                .devices
                .iter()
                .map(|d| a.device_name(*d))
                .collect();
            if devs.is_empty() {
                "OK: both directions arrive".to_string()
            } else {
                format!("OK: both directions pass {}", devs.join(", "))
            }
        }
        FlowVerdict::Broken => "BROKEN: the forward direction does not arrive".into(),
        FlowVerdict::ReturnBroken => "BROKEN: the reply does not come back".into(),
        FlowVerdict::Asymmetric => match tw.reply().map(|r| &r.verdict) {
            Some(Verdict::NoSession(d)) => format!(
                "ASYMMETRIC: {} holds no session for the reply and drops it; TCP fails",
                a.device_name(*d)
            ),
            _ => {
                let skipped: Vec<String> = tw
                    .skipped_devices()
                    .iter()
                    .map(|d| a.device_name(*d))
                    .collect();
                format!(
                    "ASYMMETRIC: {} holds a session the reply never reaches; TCP fails",
                    skipped.join(", ")
                )
            }
        },
        FlowVerdict::Unknown(u) => format!("UNKNOWN: {}", unknown(a, &u)),
    }
}
