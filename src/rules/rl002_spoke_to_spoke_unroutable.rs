//! RL002 `spoke-to-spoke-unroutable`: VNets that should reach each other through a hub
//! appliance (seed case 2), where a direction has no route, the spokes are also peered
//! directly so the reply skips the firewall, or a peering refuses forwarded traffic.

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::flows::CrossFlow;
use crate::analysis::routes::{NextHop, Source};
use crate::analysis::trace::{Device, Drop, FlowVerdict, Trace, TwoWay, Verdict};
use crate::analysis::{words, Analysis};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL002",
        name: "spoke-to-spoke-unroutable",
        severity: Severity::Error,
        summary: "traffic between VNets meant to go through a hub appliance has no route, or returns another way",
        since: "0.1.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL002.md"),
    },
    check,
};

fn last_route(t: &Trace) -> Option<(SubnetId, usize)> {
    t.routes().next_back()
}

/// The appliance the intended path uses: the forward path's, else the hub firewall that
/// the intent names, else any firewall in a VNet peered with the source.
fn hub_device(a: &Analysis, f: &CrossFlow) -> Option<Device> {
    if let Some(d) = f.flow.forward().devices.first() {
        return Some(*d);
    }
    if let Some(d) = f.flow.reply().and_then(|r| r.devices.first()) {
        return Some(*d);
    }
    let m = a.model;
    let va = m.subnet_vnet(f.src)?;
    (0..m.firewalls.len()).map(FirewallId).find_map(|fw| {
        let fv = a
            .device_subnet(Device::Firewall(fw))
            .and_then(|s| m.subnet_vnet(s))?;
        let peered = m
            .peerings
            .iter()
            .any(|p| p.local_vnet.id == Some(va.0) && p.remote_vnet.id == Some(fv.0));
        peered.then_some(Device::Firewall(fw))
    })
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    let mut done: Vec<(SubnetId, SubnetId)> = Vec::new();
    for f in ctx.cross_flows() {
        if text::owned_elsewhere(a, &f.flow) {
            continue;
        }
        let v = f.flow.verdict();
        if !matches!(
            v,
            FlowVerdict::Broken | FlowVerdict::ReturnBroken | FlowVerdict::Asymmetric
        ) {
            continue;
        }
        if done.contains(&(f.dst, f.src)) || done.contains(&(f.src, f.dst)) {
            continue;
        }
        done.push((f.src, f.dst));
        let subject = format!("{}<->{}", m.subnet_label(f.src), m.subnet_label(f.dst));
        let flow_line = format!(
            "{} -> {} ({})",
            text::subnet(a, f.src),
            text::subnet(a, f.dst),
            f.intent
        );
        let mut d = text::with_flow(
            Violation::new("").subject(subject),
            a,
            flow_line,
            f.flow.forward(),
            f.flow.reply(),
        );
        let others = f.src_group + f.dst_group - 2;
        if others > 0 {
            d = d.note(format!(
                "{others} more subnet(s) with the same routes are affected alike"
            ));
        }
        let dev = hub_device(a, f);
        let broken = f.flow.failed_direction();
        let (from, to, to_prefix) = match &f.flow {
            TwoWay::ForwardFailed(_) => (f.src, f.dst, f.dst_prefix),
            TwoWay::Both { .. } => (f.dst, f.src, f.src_prefix),
        };
        match &broken.verdict {
            Verdict::Dropped(drop) if *drop != Drop::Loop => {
                let why = words::drop(a, drop);
                d.message = if matches!(v, FlowVerdict::Broken) {
                    format!(
                        "{} cannot reach {}: no route",
                        m.subnet_label(from),
                        m.subnet_label(to)
                    )
                } else {
                    format!(
                        "reply from {} to {} has no route",
                        m.subnet_label(from),
                        m.subnet_label(to)
                    )
                };
                d = d.note(format!("peering is not transitive: {why}"));
                let (s, _) = last_route(broken).unwrap_or((from, 0));
                let at_device = dev.is_some_and(|dv| a.device_subnet(dv) == Some(s));
                if at_device {
                    let dv = dev.expect("checked");
                    let dvn = m
                        .subnet_vnet(s)
                        .map(|v| m.vnets[v.0].meta.display().to_string())
                        .unwrap_or_default();
                    let tv = m
                        .subnet_vnet(to)
                        .map(|v| m.vnets[v.0].meta.display().to_string())
                        .unwrap_or_default();
                    d = d.primary(
                        m.subnets[to.0].meta.label_origin(),
                        format!("`{}` cannot reach this subnet", a.device_name(dv)),
                    );
                    d = d.help(format!(
                        "peer `{tv}` with `{dvn}` in both directions, so `{}` learns a route to it",
                        a.device_name(dv)
                    ));
                    if let Some(o) = f.intent_origin {
                        d = d.secondary(o, format!("intended: {}", f.intent));
                    }
                    out.push(d);
                    continue;
                }
                let table = a.table(s).and_then(|t| t.route_table);
                let prefix = to_prefix.to_string();
                let route_name =
                    format!("to-{}", m.subnets[to.0].meta.display().to_ascii_lowercase());
                match (table, dev) {
                    (Some(t), Some(dv)) => {
                        let rt = &m.route_tables[t.0];
                        d = d.primary(
                            rt.meta.label_origin(),
                            format!("no route sends {prefix} to {}", a.device_name(dv)),
                        );
                        // A table with no default route of its own: one 0.0.0.0/0 to the
                        // appliance mends every flow it breaks (one cause, one finding);
                        // else the route for this prefix.
                        // A firewall's own subnet keeps 0.0.0.0/0 to the Internet (RL019):
                        // only the specific route is advised there.
                        let fw_subnet = m
                            .subnet_name(s)
                            .eq_ignore_ascii_case(crate::ir::special::FIREWALL_SUBNET);
                        let no_default = !fw_subnet && a.table(s).is_some_and(|tab| {
                            !matches!(
                                tab.lookup(crate::analysis::routes::Dest::Net(Default::default())),
                                crate::analysis::routes::Lookup::Route(i)
                                    if tab.routes[i].source == crate::analysis::routes::Source::User
                            )
                        });
                        let (route, alt) = if no_default {
                            let name = format!("default-via-{}", a.device_name(dv));
                            (
                                text::add_route(a, Some(t), s, &name, "0.0.0.0/0", dv),
                                " (or one route per destination prefix)".to_string(),
                            )
                        } else if fw_subnet {
                            (
                                text::add_route(a, Some(t), s, &route_name, &prefix, dv),
                                String::new(),
                            )
                        } else {
                            (
                                text::add_route(a, Some(t), s, &route_name, &prefix, dv),
                                " (or a 0.0.0.0/0 route to the same appliance)".to_string(),
                            )
                        };
                        d = d
                            .help(
                                Help::text(format!("add to `{}`{alt}:\n", rt.meta.display()))
                                    .snippet(&route, 2),
                            )
                            .fix(&route);
                    }
                    (None, Some(dv)) => {
                        d = d.primary(
                            m.subnets[s.0].meta.label_origin(),
                            format!(
                                "this subnet has no route table, so {prefix} is not routed to {}",
                                a.device_name(dv)
                            ),
                        );
                        let route = text::add_route(a, None, s, &route_name, &prefix, dv);
                        d = d.help(
                            Help::text(format!(
                                "associate a route table with `{}` that has\n",
                                m.subnet_label(s)
                            ))
                            .snippet(&route, 2),
                        );
                    }
                    (Some(t), None) => {
                        d = d.primary(
                            m.route_tables[t.0].meta.label_origin(),
                            format!("no route for {prefix}"),
                        );
                        d = d.help(
                            "route the other VNet's prefix to the hub appliance in both VNets",
                        );
                    }
                    (None, None) => {
                        d = d.primary(
                            m.subnets[s.0].meta.label_origin(),
                            format!("no route for {prefix}"),
                        );
                        d = d.help(
                            "route the other VNet's prefix to the hub appliance in both VNets",
                        );
                    }
                }
            }
            _ => {
                // Asymmetric: the reply skips the appliance (typically a direct peering).
                let fwname = dev
                    .map(|x| a.device_name(x))
                    .unwrap_or_else(|| "the appliance".into());
                d.message = format!(
                    "reply from {} to {} skips `{fwname}`",
                    m.subnet_label(f.dst),
                    m.subnet_label(f.src)
                );
                let first = f.flow.reply().and_then(|r| r.routes().next());
                if let Some((s, i)) = first {
                    let er = &a.table(s).expect("traced").routes[i];
                    match (&er.next_hop, er.source) {
                        (NextHop::VnetLocal, Source::System) => {
                            // Inside one VNet: the VNet's own route carries the reply past
                            // the appliance (0.0.0.0/0 does not override it).
                            d = reply_route(
                                a,
                                d,
                                f,
                                s,
                                dev,
                                format!(
                                    "the reply to {} follows the VNet's own route {} instead of going to {fwname}",
                                    f.src_prefix, er.prefix
                                ),
                                |place| format!("add to {place} a route for the other subnet, so the reply goes back through {fwname} (0.0.0.0/0 does not: the VNet's own route is more specific):\n"),
                            );
                        }
                        (NextHop::VNetPeering { peering, .. }, Source::Peering) => {
                            // The route to change is the replying subnet's; the peering is
                            // why. "Direct peering" only for one between two spokes that
                            // skips the firewall's VNet: a hub-spoke peering stays.
                            let p = &m.peerings[peering.0];
                            let fw_vnet = dev
                                .and_then(|dv| a.device_subnet(dv))
                                .and_then(|x| m.subnet_vnet(x))
                                .map(|v| v.0);
                            let spoke_to_spoke = fw_vnet.is_some()
                                && p.local_vnet.id != fw_vnet
                                && p.remote_vnet.id != fw_vnet;
                            d = reply_route(
                                a,
                                d,
                                f,
                                s,
                                dev,
                                format!(
                                    "the reply to {} follows the peering route {} instead of going to {fwname}",
                                    f.src_prefix, er.prefix
                                ),
                                |place| if spoke_to_spoke {
                                    format!("override the direct peering's route in {place} with one at least as long (or remove the direct peering between the spokes):\n")
                                } else {
                                    format!("add to {place} a route at least as long as the peering route, so the reply goes back through {fwname}:\n")
                                },
                            )
                            .secondary(
                                p.meta.label_origin(),
                                if spoke_to_spoke {
                                    format!("direct peering between the spokes: its route {} beats the route to {fwname}", er.prefix)
                                } else {
                                    format!("peering route {}", er.prefix)
                                },
                            );
                        }
                        _ => {
                            let at = er.origin.unwrap_or(m.subnets[s.0].meta.label_origin());
                            d = d.primary(
                                at,
                                format!(
                                    "the reply follows {} -> {}",
                                    er.prefix,
                                    words::hop(a, &er.next_hop)
                                ),
                            );
                            d = d.help(format!(
                                "route {} to {fwname} here as well, so both directions pass it",
                                f.src_prefix
                            ));
                        }
                    }
                } else {
                    d = d.primary(
                        m.subnets[f.dst.0].meta.label_origin(),
                        "the reply skips the appliance",
                    );
                }
            }
        }
        if let Some(o) = f.intent_origin {
            d = d.secondary(o, format!("intended: {}", f.intent));
        }
        out.push(d);
    }
    out
}

/// A reply that skips the appliance: the primary label on the replying subnet's route table
/// (or the subnet, without one), and the route to add there as help and fix.
#[allow(clippy::too_many_arguments)]
fn reply_route(
    a: &crate::analysis::Analysis,
    d: Violation,
    f: &crate::analysis::flows::CrossFlow,
    s: SubnetId,
    dev: Option<Device>,
    label: String,
    lead: impl Fn(&str) -> String,
) -> Violation {
    let m = a.model;
    let t = a.table(s).and_then(|t| t.route_table);
    let at = t
        .map(|t| m.route_tables[t.0].meta.label_origin())
        .unwrap_or(m.subnets[s.0].meta.label_origin());
    let place = match t {
        Some(t) => format!("`{}`", m.route_tables[t.0].meta.display()),
        None => format!("a route table for `{}`", m.subnet_label(s)),
    };
    let mut d = d.primary(at, label);
    let mut help = Help::text(lead(&place));
    if let Some(dv) = dev {
        let name = format!(
            "to-{}-via-firewall",
            m.subnets[f.src.0].meta.display().to_ascii_lowercase()
        );
        let route = text::add_route(a, t, s, &name, &f.src_prefix.to_string(), dv);
        help = help.snippet(&route, 2);
        if t.is_some() {
            d = d.fix(&route);
        }
    }
    d.help(help)
}
