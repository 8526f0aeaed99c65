//! RL001 `return-path-bypasses-firewall`: an on-prem <-> Azure flow crosses a stateful
//! firewall in one direction only (seed case 3), or different firewalls each way.

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::flows::OnPremFlow;
use crate::analysis::routes::{Dest, NextHop, RoutePrefix, Source};
use crate::analysis::trace::{Device, FlowVerdict, Trace, TwoWay, Verdict};
use crate::analysis::{words, Analysis};
use crate::diag::Severity;
use crate::ir::*;
use crate::source::Origin;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL001",
        name: "return-path-bypasses-firewall",
        severity: Severity::Error,
        summary: "an on-prem <-> Azure flow passes a stateful firewall in one direction only",
        since: "0.1.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL001.md"),
    },
    check,
};

/// The first route step of a trace taken in a given subnet.
fn route_in(t: &Trace, subnet: Option<SubnetId>) -> Option<(SubnetId, usize)> {
    t.routes().find(|(x, _)| subnet.is_none_or(|y| y == *x))
}

/// The first user route in a trace that sends the packet to `d`.
fn route_to_device(a: &Analysis, t: &Trace, d: Device) -> Option<(SubnetId, usize)> {
    t.routes().find(|(subnet, route)| {
        a.table(*subnet).is_some_and(|t| {
            matches!(&t.routes[*route].next_hop, NextHop::Appliance(x) if a.device_of(x).ok() == Some(d))
        })
    })
}

fn firewalls(tw: &TwoWay) -> Vec<Device> {
    tw.forward().devices.clone()
}

fn is_problem(v: &FlowVerdict, tw: &TwoWay) -> bool {
    match v {
        FlowVerdict::Asymmetric => true,
        FlowVerdict::ReturnBroken => !tw.forward().devices.is_empty(),
        _ => false,
    }
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let mut out: Vec<Violation> = Vec::new();
    let mut seen: Vec<(SubnetId, String)> = Vec::new();
    for f in ctx.onprem_flows() {
        if text::owned_elsewhere(a, &f.inbound) || text::owned_elsewhere(a, &f.outbound) {
            continue;
        }
        let vin = f.inbound.verdict();
        let vout = f.outbound.verdict();
        if !is_problem(&vin, &f.inbound) && !is_problem(&vout, &f.outbound) {
            continue;
        }
        if let Some(d) = diagnose(a, f) {
            let key = (
                f.subnet,
                d.message.clone() + &d.notes.first().cloned().unwrap_or_default(),
            );
            if !seen.contains(&key) {
                seen.push(key);
                out.push(d);
            }
        }
    }
    out
}

fn gw_subnet(a: &Analysis, g: GatewayId) -> Option<SubnetId> {
    a.model.gateways[g.0].subnet.as_ref()?.id.map(SubnetId)
}

fn prefix_text(d: Dest) -> String {
    match d {
        Dest::Net(n) => n.to_string(),
        Dest::OnPremUnknown => "0.0.0.0/0".into(),
    }
}

fn diagnose(a: &Analysis, f: &OnPremFlow) -> Option<Violation> {
    let m = a.model;
    let in_fw = firewalls(&f.inbound);
    let out_fw = firewalls(&f.outbound);
    let gws = gw_subnet(a, f.gateway);
    let gw_name = m.gateways[f.gateway.0].meta.display().to_string();
    let flow_line = format!(
        "{} <-> {}",
        text::onprem(f.onprem),
        text::subnet(a, f.subnet)
    );
    let onprem_subject = match f.onprem_declared {
        Dest::Net(n) => n.to_string(),
        Dest::OnPremUnknown => "learned".into(),
    };
    let subject = format!("onprem:{onprem_subject}<->{}", m.subnet_label(f.subnet));

    // Case C: a firewall each way, but different ones.
    if let (Some(&f1), Some(&f2)) = (in_fw.first(), out_fw.first()) {
        if f1 != f2 && !in_fw.contains(&f2) && !out_fw.contains(&f1) {
            return case_c(a, f, f1, f2, subject, flow_line);
        }
    }

    // Case A: on-prem -> subnet passes a firewall; the subnet's reply does not.
    if let Some(&fw) = in_fw.iter().find(|d| !out_fw.contains(d)) {
        let fwname = a.device_name(fw);
        let ret = route_in(f.outbound.forward(), Some(f.subnet));
        let table = a.table(f.subnet)?;
        let rt = table.route_table;
        let dropped = matches!(
            f.outbound.forward().verdict,
            crate::analysis::trace::Verdict::Dropped(..)
        );
        let (headline, consequence) = if dropped {
            (
                format!("return path to on-prem is dropped (the forward path passes `{fwname}`)"),
                format!("`{fwname}` forwards the request, but the reply never leaves the spoke: connections from on-prem cannot be established."),
            )
        } else {
            (
                format!("return path bypasses firewall `{fwname}`"),
                format!("`{fwname}` never sees the reply: TCP sessions from on-prem cannot be established."),
            )
        };
        let mut d = text::with_flow(
            Violation::new(headline).subject(subject),
            a,
            flow_line,
            f.inbound.forward(),
            Some(f.outbound.forward()),
        )
        .note(consequence);
        let prefix = prefix_text(f.onprem);
        let learned_wins = ret.is_some_and(|(_, i)| table.routes[i].source == Source::Gateway);
        let has_default_to_fw = table.routes.iter().any(|r| {
            r.source == Source::User
                && r.prefix == RoutePrefix::Net(Default::default())
                && matches!(&r.next_hop, NextHop::Appliance(x) if a.device_of(x).ok() == Some(fw))
        });
        let route_name = "onprem-via-firewall";
        match rt {
            Some(t) if learned_wins && has_default_to_fw => {
                let rtm = &m.route_tables[t.0];
                let at = rtm.propagation.origin.unwrap_or(rtm.meta.label_origin());
                let which = match f.onprem {
                    Dest::Net(n) => format!("the route for {n} and its peers"),
                    Dest::OnPremUnknown => "learned on-prem prefixes".into(),
                };
                d = d.primary(
                    at,
                    format!("gateway route propagation is on here, so {which} win over 0.0.0.0/0"),
                );
                let off = FixIntent::PropagationOff { table: t };
                let route = text::add_route(a, Some(t), f.subnet, route_name, &prefix, fw);
                let help = Help::text("set `").setting(&off).then(format!(
                    "` on `{}` (its 0.0.0.0/0 -> {fwname} then carries the reply)",
                    rtm.meta.display()
                ));
                let help = match f.onprem {
                    Dest::Net(_) => help.then(", or add\n").snippet(&route, 2),
                    Dest::OnPremUnknown => help.then(format!(".\nAssumed: {gw_name} learns on-prem prefixes by BGP that are more specific than 0.0.0.0/0; list the real ones under [onprem] prefixes in routelint.toml to check them exactly.")),
                };
                d = d.help(help).fix(&off);
            }
            Some(t) => {
                let rtm = &m.route_tables[t.0];
                let via = ret
                    .map(|(_, i)| {
                        format!(
                            "the reply follows {} -> {}",
                            table.routes[i].prefix,
                            words::hop(a, &table.routes[i].next_hop)
                        )
                    })
                    .unwrap_or_default();
                d = d.primary(
                    rtm.meta.label_origin(),
                    format!("no route sends {prefix} to {fwname}; {via}"),
                );
                let route = text::add_route(a, Some(t), f.subnet, route_name, &prefix, fw);
                let mut help =
                    Help::text(format!("add to `{}`:\n", rtm.meta.display())).snippet(&route, 2);
                if rtm.propagation.get() != Some(false) && learned_wins {
                    help = help
                        .then(format!("\n(or a 0.0.0.0/0 -> {fwname} route with `"))
                        .setting(&FixIntent::PropagationOff { table: t })
                        .then("`)");
                }
                if f.onprem == Dest::OnPremUnknown {
                    help = help.then("\nAssumed: on-prem prefixes are learned by BGP; list them under [onprem] prefixes in routelint.toml.");
                }
                d = d.help(help).fix(&route);
            }
            None => {
                let s = &m.subnets[f.subnet.0];
                d = d.primary(
                    s.meta.label_origin(),
                    format!("this subnet has no route table: its reply to {prefix} skips {fwname}"),
                );
                let route = text::add_route(a, None, f.subnet, route_name, &prefix, fw);
                d = d.help(
                    Help::text(format!(
                        "associate a route table with `{}` that has\n",
                        m.subnet_label(f.subnet)
                    ))
                    .snippet(&route, 2),
                );
            }
        }
        if let Some((s, i)) = route_to_device(a, f.inbound.forward(), fw) {
            if let Some(o) = a.table(s).and_then(|t| t.routes[i].origin) {
                let o = user_route_prefix_origin(a, s, i).unwrap_or(o);
                d = d.secondary(
                    o,
                    format!("forward path: on-prem -> {} goes to the firewall", f.prefix),
                );
            }
        }
        return Some(d);
    }

    // Case B (mirror): subnet -> on-prem passes a firewall; the reply from on-prem does not.
    if let Some(&fw) = out_fw.iter().find(|d| !in_fw.contains(d)) {
        let fwname = a.device_name(fw);
        let gws = gws?;
        let gt = a.table(gws)?;
        let ret = route_in(f.inbound.forward(), Some(gws));
        let vnet_prefix = m
            .subnet_vnet(f.subnet)
            .and_then(|v| {
                m.vnet_prefixes(v)
                    .into_iter()
                    .find(|p| p.contains(&f.prefix))
            })
            .unwrap_or(f.prefix);
        let prefix = vnet_prefix.to_string();
        let mut d = text::with_flow(
            Violation::new(format!("return path bypasses firewall `{fwname}`")).subject(subject),
            a,
            flow_line,
            f.outbound.forward(),
            Some(f.inbound.forward()),
        )
        .note(format!(
            "`{fwname}` never sees the reply: TCP sessions to on-prem cannot be established."
        ));
        let via = ret
            .map(|(_, i)| {
                format!(
                    "replies from on-prem follow {} -> {}",
                    gt.routes[i].prefix,
                    words::hop(a, &gt.routes[i].next_hop)
                )
            })
            .unwrap_or_default();
        let route_name = format!(
            "to-{}-via-firewall",
            m.subnets[f.subnet.0].meta.display().to_ascii_lowercase()
        );
        match gt.route_table {
            Some(t) => {
                let rtm = &m.route_tables[t.0];
                d = d.primary(
                    rtm.meta.label_origin(),
                    format!("GatewaySubnet has no route for {prefix} to {fwname}; {via}"),
                );
                let route = text::add_route(a, Some(t), gws, &route_name, &prefix, fw);
                d = d
                    .help(
                        Help::text(format!(
                            "add to `{}` (a route at least as long as the peering route):\n",
                            rtm.meta.display()
                        ))
                        .snippet(&route, 2),
                    )
                    .fix(&route);
            }
            None => {
                d = d.primary(
                    m.subnets[gws.0].meta.label_origin(),
                    format!("GatewaySubnet has no route table; {via}"),
                );
                let route = text::add_route(a, None, gws, &route_name, &prefix, fw);
                d = d.help(
                    Help::text("associate a route table with GatewaySubnet that has\n")
                        .snippet(&route, 2),
                );
            }
        }
        if let Some((s, i)) = route_to_device(a, f.outbound.forward(), fw) {
            if let Some(o) = a.table(s).and_then(|t| t.routes[i].origin) {
                let o = user_route_prefix_origin(a, s, i).unwrap_or(o);
                d = d.secondary(
                    o,
                    format!(
                        "forward path: {} -> on-prem goes to the firewall",
                        m.subnet_label(f.subnet)
                    ),
                );
            }
        }
        return Some(d);
    }
    // Case D: the firewall is on both paths, but a direction dies after it.
    dropped_after(a, f, subject, flow_line)
}

/// A direction passes the firewall and is then dropped at the firewall's own hop: typically
/// the firewall's subnet does not get the gateway's routes (propagation off there).
fn dropped_after(
    a: &Analysis,
    f: &OnPremFlow,
    subject: String,
    flow_line: String,
) -> Option<Violation> {
    let m = a.model;
    for tw in [&f.inbound, &f.outbound] {
        let t = tw.failed_direction();
        let Verdict::Dropped(drop) = &t.verdict else {
            continue;
        };
        let Some(&fw) = t.devices.last() else {
            continue;
        };
        let Some((s, _)) = t.routes().next_back() else {
            continue;
        };
        if a.device_subnet(fw) != Some(s) {
            continue;
        }
        let fwname = a.device_name(fw);
        let table = a.table(s)?;
        let to_onprem = t.dst == f.onprem;
        let what = match (to_onprem, tw.reply().is_some()) {
            (true, true) => "the reply to on-prem".to_string(),
            (true, false) => "traffic to on-prem".to_string(),
            (false, _) => format!("traffic from on-prem to {}", m.subnet_label(f.subnet)),
        };
        let mut v = text::with_flow(
            Violation::new(format!("{what} is dropped after `{fwname}`")).subject(subject),
            a,
            flow_line,
            tw.forward(),
            tw.reply(),
        )
        .note(format!(
            "`{fwname}` forwards the packet, then it is dropped: {}.",
            words::drop(a, drop)
        ));
        let lost_gateway_routes =
            to_onprem && table.propagation == Some(false) && !table.gateways.is_empty();
        match (table.route_table, lost_gateway_routes) {
            (Some(rt), true) => {
                let on = FixIntent::PropagationOn { table: rt };
                let rtm = &m.route_tables[rt.0];
                let at = rtm.propagation.origin.unwrap_or(rtm.meta.label_origin());
                v = v
                    .primary(
                        at,
                        format!("gateway route propagation is off here, so `{fwname}` has no route to on-prem"),
                    )
                    .help(Help::text("set `").setting(&on).then(format!(
                        "` on `{}`: the firewall's subnet needs the gateway's routes to send replies to on-prem",
                        rtm.meta.display()
                    )))
                    .fix(&on);
            }
            _ => {
                let at = words::drop_origin(a, drop)
                    .or(table
                        .route_table
                        .map(|t| m.route_tables[t.0].meta.label_origin()))
                    .unwrap_or(m.subnets[s.0].meta.label_origin());
                v = v.primary(at, words::drop(a, drop)).help(format!(
                    "give {} a route for the on-prem prefixes: its route table must let the gateway's routes propagate",
                    m.subnet_label(s)
                ));
            }
        }
        return Some(v);
    }
    None
}

fn case_c(
    a: &Analysis,
    f: &OnPremFlow,
    f1: Device,
    f2: Device,
    subject: String,
    flow_line: String,
) -> Option<Violation> {
    let (n1, n2) = (a.device_name(f1), a.device_name(f2));
    let (s, i) = route_to_device(a, f.outbound.forward(), f2)?;
    let o = user_route_prefix_origin(a, s, i).or(a.table(s)?.routes[i].origin)?;
    let mut d = text::with_flow(
        Violation::new(format!("return path goes through `{n2}`, not `{n1}`")).subject(subject),
        a,
        flow_line,
        f.inbound.forward(),
        Some(f.outbound.forward()),
    )
    .note(format!(
        "`{n2}` holds no session for the reply and drops it; `{n1}` never sees it."
    ))
    .primary(o, format!("sends the reply to {n2}"));
    d = d.help(format!("send {} to the same firewall in both directions: point this route at {n1}, or route {} to {n2} on GatewaySubnet", prefix_text(f.onprem), f.prefix));
    if let Some((s1, i1)) = route_to_device(a, f.inbound.forward(), f1) {
        if let Some(o1) =
            user_route_prefix_origin(a, s1, i1).or(a.table(s1).and_then(|t| t.routes[i1].origin))
        {
            d = d.secondary(o1, format!("forward path goes to {n1}"));
        }
    }
    Some(d)
}

/// The span of a user route's `address_prefix` (more precise than the whole route).
pub fn user_route_prefix_origin(a: &Analysis, s: SubnetId, i: usize) -> Option<Origin> {
    let r = &a.table(s)?.routes[i];
    let rid = r.route?;
    Some(a.model.routes[rid.0].prefix.origin)
}
