//! RL013 `address-overlap`: address ranges Azure needs apart (DOMAIN.md §6, PEER-MANAGE,
//! VNET-FAQ): peered VNets whose address spaces overlap (Azure refuses the peering), a subnet
//! outside its VNet's address space or overlapping another subnet of the VNet (Azure refuses
//! the subnet), and an on-premises prefix of a connection that overlaps the VNets the gateway
//! serves (traffic to those addresses never leaves Azure). Only known IPv4 prefixes are
//! compared; a VNet with an unknown part of its address space is not judged for "outside".

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::*;
use ipnet::Ipv4Net;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL013",
        name: "address-overlap",
        severity: Severity::Error,
        summary:
            "address ranges that overlap where Azure needs them apart, or a subnet outside its VNet",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL013.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    // Peered VNets (each pair once, by the first peering that joins them).
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for p in &m.peerings {
        let (Some(l), Some(r)) = (p.local_vnet.id, p.remote_vnet.id) else {
            continue;
        };
        let key = (l.min(r), l.max(r));
        if l == r || pairs.contains(&key) {
            continue;
        }
        pairs.push(key);
        let remote = m.vnet_prefixes(VNetId(r));
        for sp in &m.vnets[l].address_space {
            let Some(n) = sp.value.v4() else { continue };
            if let Some(o) = remote.iter().find(|o| overlaps(&n, o)) {
                let (ln, rn) = (m.vnets[l].meta.display(), m.vnets[r].meta.display());
                out.push(
                    Violation::new(format!(
                        "peered VNets `{ln}` and `{rn}` overlap: {n} and {o}"
                    ))
                    .subject(format!("peering:{}", p.meta.display()))
                    .primary(sp.origin, format!("overlaps {o} of `{rn}`"))
                    .secondary(p.meta.label_origin(), "the peering Azure refuses")
                    .note("Azure does not peer VNets whose address spaces overlap")
                    .help(format!(
                        "give `{ln}` or `{rn}` an address space the other does not use"
                    )),
                );
                break;
            }
        }
    }
    for (vi, v) in m.vnets.iter().enumerate() {
        let space = m.vnet_prefixes(VNetId(vi));
        let all_known = !v.address_space.is_empty() && space.len() == v.address_space.len();
        let mut seen: Vec<(Ipv4Net, SubnetId)> = Vec::new();
        for &sid in &v.subnets {
            let s = &m.subnets[sid.0];
            for sp in &s.prefixes {
                let Some(n) = sp.value.v4() else { continue };
                let label = m.subnet_label(sid);
                if all_known && !space.iter().any(|vs| vs.contains(&n)) {
                    out.push(
                        Violation::new(format!(
                            "subnet {label} ({n}) is outside the address space of `{}`",
                            v.meta.display()
                        ))
                        .subject(format!("subnet:{label}:outside"))
                        .primary(sp.origin, "not inside the VNet's address space")
                        .secondary(
                            v.address_space[0].origin,
                            format!(
                                "the VNet's address space: {}",
                                space.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
                            ),
                        )
                        .note("Azure refuses a subnet whose prefix is not inside its VNet's address space")
                        .help("pick a prefix from the VNet's address space, or add this range to the address space"),
                    );
                }
                // The same subnet declared twice (inline and as its own resource) is not an
                // overlap.
                if let Some((o, other)) = seen.iter().find(|(o, other)| {
                    overlaps(&n, o) && m.subnets[other.0].meta.display() != s.meta.display()
                }) {
                    out.push(
                        Violation::new(format!(
                            "subnet {label} ({n}) overlaps subnet {} ({o})",
                            m.subnet_label(*other)
                        ))
                        .subject(format!("subnet:{label}:overlap"))
                        .primary(sp.origin, format!("overlaps {o}"))
                        .secondary(m.subnets[other.0].prefixes[0].origin, "the other subnet")
                        .note("the subnets of a VNet must not overlap: Azure refuses the second")
                        .help("give each subnet its own part of the VNet's address space"),
                    );
                }
                seen.push((n, sid));
            }
        }
    }
    // On-premises prefixes of a connection against the VNets the gateway serves.
    for c in &m.connections {
        let Some(lg) = c.local_gateway.as_ref().and_then(|l| l.id) else {
            continue;
        };
        let Some(gv) = c
            .gateway
            .id
            .and_then(|g| m.gateways[g].subnet.as_ref()?.id)
            .and_then(|s| m.subnets[s].vnet.id)
        else {
            continue;
        };
        let served: Vec<usize> = (0..m.vnets.len())
            .filter(|&v| v == gv || a.connected(Some(VNetId(v)), Some(VNetId(gv))))
            .collect();
        let lng = &m.local_gateways[lg];
        for sp in &lng.address_space {
            let Some(n) = sp.value.v4() else { continue };
            if n.prefix_len() == 0 {
                continue;
            }
            let hit = served.iter().find_map(|&v| {
                m.vnet_prefixes(VNetId(v))
                    .into_iter()
                    .find(|o| overlaps(&n, o))
                    .map(|o| (v, o))
            });
            if let Some((v, o)) = hit {
                let vn = m.vnets[v].meta.display();
                out.push(
                    Violation::new(format!(
                        "on-premises prefix {n} of `{}` overlaps {o} of `{vn}`",
                        lng.meta.display()
                    ))
                    .subject(format!("onprem:{}:{n}", lng.meta.display()))
                    .primary(sp.origin, format!("overlaps `{vn}` ({o})"))
                    .note("traffic from Azure to these addresses takes the VNet's own or peering route and never reaches on-premises; Azure and on-premises ranges must be apart")
                    .help("renumber one side, or narrow the local network gateway's address space to the on-premises ranges only"),
                );
            }
        }
    }
    out
}
