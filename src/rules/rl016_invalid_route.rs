//! RL016 `invalid-route`: a user route Azure rejects or cannot use (DOMAIN.md §2, UDR): a
//! `VirtualAppliance` next hop without an IP, a next-hop IP with another next hop type, a
//! `VirtualNetworkGateway` next hop where the only gateways are ExpressRoute ones (user
//! routes to a gateway work with VPN gateways only), a prefix with host bits set, and a
//! prefix or next-hop IP that is not an address at all.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::gateways_for;
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL016",
        name: "invalid-route",
        severity: Severity::Error,
        summary: "a route Azure rejects or cannot use: a next hop IP missing or misplaced, a gateway next hop without a VPN gateway, a malformed prefix",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL016.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    for (ti, t) in m.route_tables.iter().enumerate() {
        // The VNets of the subnets that use this table.
        let vnets = || -> Vec<VNetId> {
            m.subnets_using(RouteTableId(ti))
                .filter_map(|s| m.subnet_vnet(s))
                .collect()
        };
        for rid in &t.routes {
            let r = &m.routes[rid.0];
            let label = format!("{}/{}", t.meta.display(), r.meta.display());
            let v = |what: &str, msg: String| {
                Violation::new(msg).subject(format!("route:{label}:{what}"))
            };
            match &r.prefix.value {
                Prefix::V4(n) if *n != n.trunc() => out.push(
                    v(
                        "host-bits",
                        format!("route `{label}` has host bits set in {n}"),
                    )
                    .primary(r.prefix.origin, format!("the network address is {}", n.trunc()))
                    .note("Azure expects the network address of the range (a CIDR whose host bits are zero)")
                    .help(format!("write {}", n.trunc())),
                ),
                p if p.malformed() => out.push(
                    v("prefix", format!("route `{label}` has no valid address prefix"))
                        .primary(r.prefix.origin, "not an IPv4 or IPv6 CIDR, nor a service tag")
                        .help("write the destination as a CIDR (10.1.0.0/16) or a service tag"),
                ),
                _ => {}
            }
            let hop = r.next_hop_type.value.known().copied();
            match (hop, &r.next_hop_ip) {
                (Some(NextHopType::VirtualAppliance), None) => out.push(
                    v("no-ip", format!("route `{label}` sends traffic to a virtual appliance but gives no IP"))
                        .primary(r.next_hop_type.origin, "VirtualAppliance needs a next-hop IP address")
                        .help("set the appliance's private IP (a reference to the firewall's or NIC's private IP survives a re-deploy)"),
                ),
                (Some(other), Some(ip)) if other != NextHopType::VirtualAppliance => out.push(
                    v("ip", format!(
                        "route `{label}` has a next-hop IP, but its next hop type is {}",
                        other.as_str()
                    ))
                    .primary(ip.origin, "a next-hop IP is allowed only with VirtualAppliance")
                    .secondary(r.next_hop_type.origin, "the next hop type")
                    .help("remove the IP, or set the next hop type to VirtualAppliance if an appliance is meant"),
                ),
                (Some(NextHopType::VirtualAppliance), Some(ip)) => {
                    if let IpRef::Unknown { reason } = &ip.value {
                        if reason.ends_with(NOT_AN_IP) {
                            out.push(
                                v("bad-ip", format!("route `{label}` has a next-hop IP that is not an IPv4 address"))
                                    .primary(ip.origin, "not an IPv4 address")
                                    .help("write the appliance's private IPv4 address, or refer to it"),
                            );
                        }
                    }
                }
                (Some(NextHopType::VirtualNetworkGateway), None) => {
                    let er_only = vnets().into_iter().find(|&vn| {
                        let gws = gateways_for(m, vn);
                        !gws.is_empty()
                            && gws
                                .iter()
                                .all(|g| m.gateways[g.0].kind == GatewayKind::ExpressRoute)
                    });
                    if let Some(vn) = er_only {
                        out.push(
                            v("expressroute", format!(
                                "route `{label}` sends traffic to the virtual network gateway, but `{}` has only an ExpressRoute gateway",
                                m.vnets[vn.0].meta.display()
                            ))
                            .primary(r.next_hop_type.origin, "VirtualNetworkGateway next hops work with VPN gateways only")
                            .note("Azure does not support user routes to an ExpressRoute gateway: the routes it learns over BGP reach the subnets by propagation")
                            .help("remove the route and let the gateway's learned routes apply (keep propagation on), or route to an appliance"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    out
}
