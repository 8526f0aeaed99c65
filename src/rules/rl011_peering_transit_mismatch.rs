//! RL011 `peering-transit-mismatch`: gateway transit flags that Azure rejects or that do
//! nothing (DOMAIN.md §6, GW-TRANSIT, PEER-MANAGE): `use_remote_gateways` where the remote
//! side does not allow transit or has no gateway, on more than one peering of a VNet, or in a
//! VNet with its own gateway; `allow_gateway_transit` on a VNet without a gateway.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::reverse_peering;
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL011",
        name: "peering-transit-mismatch",
        severity: Severity::Error,
        summary: "gateway transit flags that Azure rejects or that do nothing",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL011.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    // A gateway whose VNet is not known could be in any VNet: then "no gateway" is not known.
    if m.gateways
        .iter()
        .any(|g| g.subnet.as_ref().and_then(|l| l.id).is_none())
    {
        return Vec::new();
    }
    let has_gateway = |v: usize| !m.vnets[v].gateways.is_empty();
    let vnet_name = |v: usize| m.vnets[v].meta.display().to_string();
    let mut out = Vec::new();
    for (i, p) in m.peerings.iter().enumerate() {
        let Some(local) = p.local_vnet.id else {
            continue;
        };
        let name = p.meta.display();
        let at = |f: &Flag| f.origin.unwrap_or(p.meta.label_origin());
        // Transit offered from the side without a gateway, to a VNet that has one: the flag
        // is on the wrong side. With no gateway on either side it is inert (Azure accepts
        // it, and it takes effect once a gateway is deployed), so it is not reported.
        let remote_has_gateway = p.remote_vnet.id.is_some_and(has_gateway);
        if p.allow_gateway_transit.get() == Some(true) && !has_gateway(local) && remote_has_gateway
        {
            out.push(
                Violation::new(format!(
                    "peering `{name}` allows gateway transit, but `{}` has no gateway",
                    vnet_name(local)
                ))
                .subject(format!("peering:{name}:allow_gateway_transit"))
                .primary(at(&p.allow_gateway_transit), "no gateway in this VNet to share")
                .note("gateway transit shares the gateway of the VNet that owns this peering; the VNet with the gateway (the hub) sets it on its peering, and the other side uses it with use_remote_gateways")
                .help("remove it here, and set it on the hub's peering to this VNet instead"),
            );
        }
        // Gateway transit works with every VPN gateway SKU except Basic (GW-TRANSIT).
        if p.allow_gateway_transit.get() == Some(true) && has_gateway(local) {
            let gws = &m.vnets[local].gateways;
            let basic = gws.iter().all(|g| {
                let g = &m.gateways[g.0];
                g.kind == GatewayKind::Vpn
                    && g.sku
                        .as_ref()
                        .is_some_and(|s| s.value.eq_ignore_ascii_case("Basic"))
            });
            if basic {
                let g = &m.gateways[gws[0].0];
                let sku_at = g
                    .sku
                    .as_ref()
                    .map(|s| s.origin)
                    .unwrap_or(g.meta.label_origin());
                out.push(
                    Violation::new(format!(
                        "peering `{name}` offers the gateway of `{}`, but `{}` is a Basic VPN gateway, which does not support gateway transit",
                        vnet_name(local),
                        g.meta.display()
                    ))
                    .subject(format!("peering:{name}:basic-sku"))
                    .primary(sku_at, "the Basic SKU does not support gateway transit")
                    .secondary(at(&p.allow_gateway_transit), "transit offered here")
                    .note("the peered VNets learn no on-premises routes through this gateway, and a peering that uses it as a remote gateway is rejected")
                    .help("use a VpnGw1 or larger SKU (a Basic gateway cannot be resized: it is replaced)"),
                );
            }
        }
        if p.use_remote_gateways.get() != Some(true) {
            continue;
        }
        let flag = at(&p.use_remote_gateways);
        if has_gateway(local) {
            out.push(
                Violation::new(format!(
                    "peering `{name}` uses the remote gateway, but `{}` has its own gateway",
                    vnet_name(local)
                ))
                .subject(format!("peering:{name}:use_remote_gateways"))
                .primary(flag, "not allowed in a VNet with a gateway")
                .help("Azure rejects use_remote_gateways in a VNet that has its own gateway: remove one of them"),
            );
            continue;
        }
        let others = m
            .peerings_of(local)
            .iter()
            .filter(|q| q.0 != i && m.peerings[q.0].use_remote_gateways.get() == Some(true))
            .count();
        if others > 0 {
            out.push(
                Violation::new(format!(
                    "`{}` uses remote gateways on {} peerings; Azure allows one",
                    vnet_name(local),
                    others + 1
                ))
                .subject(format!("peering:{name}:use_remote_gateways"))
                .primary(flag, "one of several peerings that use a remote gateway")
                .help("keep use_remote_gateways on the peering to the hub whose gateway this VNet should use"),
            );
            continue;
        }
        let (Some(remote), Some(back)) = (p.remote_vnet.id, reverse_peering(m, PeeringId(i)))
        else {
            continue;
        };
        let bp = &m.peerings[back.0];
        let problem = if !has_gateway(remote) {
            Some(format!("`{}` has no gateway", vnet_name(remote)))
        } else if bp.allow_gateway_transit.get() == Some(false) {
            Some(format!(
                "its peering `{}` does not allow gateway transit",
                bp.meta.display()
            ))
        } else {
            None
        };
        if let Some(why) = problem {
            let mut v = Violation::new(format!(
                "peering `{name}` uses the gateway of `{}`, but {why}",
                vnet_name(remote)
            ))
            .subject(format!("peering:{name}:use_remote_gateways"))
            .primary(flag, "the remote side offers no gateway to use")
            .help(format!(
                "set allow_gateway_transit on `{}` (the VNet with the gateway), or remove use_remote_gateways here",
                bp.meta.display()
            ));
            if has_gateway(remote) {
                v = v.secondary(
                    bp.allow_gateway_transit
                        .origin
                        .unwrap_or(bp.meta.label_origin()),
                    "gateway transit is off here",
                );
            }
            out.push(v);
        }
    }
    out
}
