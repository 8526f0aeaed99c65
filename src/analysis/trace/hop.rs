//! The hop loop: one direction of a flow, from where it enters to its verdict.

use super::{
    dest_overlaps, dest_within, iana_private, Addr, Device, Drop, Location, Nat, SessionKind, Step,
    Trace, TraceCtx, Unknown, Verdict,
};
use crate::analysis::routes::{Dest, Lookup, NextHop};
use crate::analysis::Analysis;
use crate::ir::*;

/// More hops than any Azure path has: the packet is looping.
const MAX_HOPS: usize = 32;

/// What arriving in a VNet led to.
enum Arrival {
    /// The trace has its verdict.
    Done,
    /// A device reversed a translation: continue from the new location.
    Continue,
    /// No subnet of the VNet holds the destination.
    NoSubnet,
}

impl Analysis<'_> {
    /// Follows a packet from `start` to its verdict. `ctx.sessions` are the devices that
    /// hold a session for this flow (empty on the forward trace); `ctx.unsnat` maps a
    /// device's SNAT range back to the original destination on the reverse trace.
    pub fn trace(&self, start: Location, src: Addr, dst: Addr, ctx: &TraceCtx) -> Trace {
        let m = self.model;
        let mut t = Trace::new(src, dst, Vec::new(), Verdict::Dropped(Drop::Loop));
        let mut loc = start;
        let mut cur_src = src;
        let mut cur_dst = dst;
        let mut seen: Vec<(Location, Addr)> = Vec::new();
        if let Location::Gateway(g) = start {
            t.steps.push(Step::Enter(super::Entry::OnPrem(g)));
        }
        for _ in 0..MAX_HOPS {
            if seen.contains(&(loc, cur_dst)) {
                t.verdict = Verdict::Dropped(Drop::Loop);
                return t;
            }
            seen.push((loc, cur_dst));
            let subnet = match loc {
                Location::Subnet(s) => Some(s),
                Location::Device(d) => self.device_subnet(d),
                Location::Gateway(g) => m.gateways[g.0]
                    .subnet
                    .as_ref()
                    .and_then(|l| l.id)
                    .map(SubnetId),
            };
            let Some(subnet) = subnet else {
                t.verdict = Verdict::Unknown(Unknown::HopSubnet);
                return t;
            };
            let Some(table) = self.table(subnet) else {
                t.verdict = Verdict::Unknown(Unknown::SubnetVnet { subnet });
                return t;
            };
            let first_hop = !t.steps.iter().any(|s| matches!(s, Step::Route { .. }));
            let found = match ctx.endpoint {
                Some(e) if !ctx.reply => table.lookup_endpoint(cur_dst, e),
                Some(_) if first_hop => table.lookup_system(cur_dst),
                _ => table.lookup(cur_dst),
            };
            let idx = match found {
                Lookup::Route(i) => i,
                Lookup::Unknown(why) => {
                    t.verdict = Verdict::Unknown(Unknown::RoutePrefix { subnet, why });
                    return t;
                }
                Lookup::NoRoute => {
                    t.verdict = Verdict::Dropped(Drop::NoRoute {
                        subnet,
                        dst: cur_dst,
                    });
                    return t;
                }
            };
            let r = &table.routes[idx];
            t.steps.push(Step::Route { subnet, route: idx });
            let drop = |d: Drop| Verdict::Dropped(d);
            let arrive_in = match &r.next_hop {
                NextHop::VnetLocal => table.vnet,
                NextHop::VNetPeering { vnet, peering } => {
                    if let Some(v) = self.cross_peering(*peering, *vnet, table.vnet, loc, cur_src) {
                        t.verdict = v;
                        return t;
                    }
                    t.steps.push(Step::Peering {
                        peering: *peering,
                        into: *vnet,
                    });
                    *vnet
                }
                NextHop::Gateway(Some(g)) => {
                    t.verdict = Verdict::ExitsOnPrem(*g);
                    return t;
                }
                NextHop::Gateway(None) => {
                    t.verdict = drop(Drop::GatewayMissing { subnet, route: idx });
                    return t;
                }
                NextHop::Internet => {
                    t.verdict = if dest_within(cur_dst, &iana_private())
                        && !matches!(cur_dst, Dest::Net(n) if n.prefix_len() == 0)
                    {
                        drop(Drop::PrivateToInternet {
                            subnet,
                            route: idx,
                            dst: cur_dst,
                        })
                    } else {
                        Verdict::ExitsInternet
                    };
                    return t;
                }
                NextHop::None => {
                    t.verdict = drop(Drop::NoneRoute { subnet, route: idx });
                    return t;
                }
                NextHop::Unknown(why) => {
                    t.verdict = Verdict::Unknown(Unknown::NextHop {
                        subnet,
                        route: idx,
                        why: why.clone(),
                    });
                    return t;
                }
                NextHop::Appliance(a) => {
                    let d = match self.device_of(a) {
                        Ok(d) => d,
                        Err(why) => {
                            t.verdict = if self.certainly_no_device(&why) {
                                drop(Drop::NoDevice { subnet, route: idx })
                            } else {
                                Verdict::Unknown(Unknown::Appliance {
                                    subnet,
                                    route: idx,
                                    why,
                                })
                            };
                            return t;
                        }
                    };
                    // The next hop must be in this VNet or one directly peered with it.
                    let dv = self.device_subnet(d).and_then(|s| m.subnet_vnet(s));
                    if dv.is_some_and(|dv| {
                        dv != table.vnet && !self.connected(Some(table.vnet), Some(dv))
                    }) {
                        t.verdict = drop(Drop::Unreachable {
                            subnet,
                            route: idx,
                            device: d,
                        });
                        return t;
                    }
                    if let Device::Nva(n) = d {
                        if m.nics[n.0].ip_forwarding.get() == Some(false) {
                            t.verdict = drop(Drop::IpForwardingOff { nic: n });
                            return t;
                        }
                    }
                    if self.device_subnet(d) == Some(subnet)
                        && matches!(loc, Location::Device(x) if x == d)
                    {
                        t.verdict = drop(Drop::Loop);
                        return t;
                    }
                    // A reply addressed to the device's SNAT range ends at the device.
                    if let Some((_, orig)) = self.snat_reply(cur_dst, ctx.unsnat, Some(d)) {
                        if !self.reverse_snat(&mut t, d, orig, ctx.sessions) {
                            return t;
                        }
                        cur_dst = orig;
                        loc = Location::Device(d);
                        continue;
                    }
                    if !self.stateful(d) {
                        t.steps.push(Step::Stateless { device: d });
                        loc = Location::Device(d);
                        continue;
                    }
                    t.devices.push(d);
                    if !ctx.reply {
                        t.steps.push(Step::Session {
                            device: d,
                            kind: SessionKind::Created,
                        });
                        if let Device::Firewall(f) = d {
                            let exempt = self.no_snat_ranges(f);
                            let application =
                                !ctx.dnat && self.application_rule_flow(f, cur_src, cur_dst);
                            if ctx.dnat || application || !dest_within(cur_dst, &exempt) {
                                if let Some(range) = self.firewall_snat_range(f) {
                                    t.snat.push(d);
                                    t.steps.push(Step::Nat {
                                        device: d,
                                        nat: Nat::Snat { range, application },
                                    });
                                    cur_src = Dest::Net(range);
                                }
                            }
                        }
                    } else if ctx.sessions.contains(&d) {
                        t.steps.push(Step::Session {
                            device: d,
                            kind: SessionKind::Matched,
                        });
                    } else {
                        t.steps.push(Step::Session {
                            device: d,
                            kind: SessionKind::Missing,
                        });
                        t.verdict = Verdict::NoSession(d);
                        return t;
                    }
                    loc = Location::Device(d);
                    continue;
                }
            };
            match self.arrive(arrive_in, &mut t, &mut cur_dst, ctx, &mut loc) {
                Arrival::Done => return t,
                Arrival::Continue => continue,
                Arrival::NoSubnet => {
                    t.verdict = drop(Drop::NotInSubnet {
                        vnet: arrive_in,
                        subnet,
                        route: idx,
                        dst: cur_dst,
                    });
                    return t;
                }
            }
        }
        t.verdict = Verdict::Dropped(Drop::Loop);
        t
    }

    /// The ingress checks of a peering hop (DOMAIN.md §6), `None` when the packet may
    /// cross. Traffic that did not originate in the local VNet needs
    /// `allowForwardedTraffic` on the remote VNet's peering back to us. Traffic a gateway
    /// brings in through gateway transit is not "forwarded" (no appliance forwarded it);
    /// only a packet that an appliance in the local VNet forwards is.
    fn cross_peering(
        &self,
        peering: PeeringId,
        into: VNetId,
        local: VNetId,
        loc: Location,
        src: Addr,
    ) -> Option<Verdict> {
        let m = self.model;
        let back = crate::analysis::routes::reverse_peering(m, peering)?;
        let bp = &m.peerings[back.0];
        let fp = &m.peerings[peering.0];
        if bp.allow_virtual_network_access.get() == Some(false) {
            return Some(Verdict::Dropped(Drop::PeeringNoAccess { peering: back }));
        }
        if fp.allow_virtual_network_access.get() == Some(false) {
            return Some(Verdict::Dropped(Drop::PeeringNoAccess { peering }));
        }
        let forwarded_here = matches!(loc, Location::Device(_));
        let from_local = match src {
            Dest::Net(n) => m.vnet_prefixes(local).iter().any(|p| p.contains(&n)),
            Dest::OnPremUnknown => false,
        };
        if from_local || !forwarded_here {
            return None;
        }
        match bp.allow_forwarded_traffic.get() {
            Some(true) => None,
            Some(false) => Some(Verdict::Dropped(Drop::ForwardedRefused {
                peering: back,
                into,
            })),
            None => Some(Verdict::Unknown(Unknown::ForwardedFlag { peering: back })),
        }
    }

    /// Arrival in a VNet: delivered to the subnet holding the destination, or (for a reply
    /// to SNAT) to the firewall, which reverses the translation.
    fn arrive(
        &self,
        v: VNetId,
        t: &mut Trace,
        cur_dst: &mut Dest,
        ctx: &TraceCtx,
        loc: &mut Location,
    ) -> Arrival {
        let m = self.model;
        let dst = *cur_dst;
        let Dest::Net(n) = dst else {
            return Arrival::NoSubnet;
        };
        if let Some((d, orig)) = self.snat_reply(dst, ctx.unsnat, None) {
            if !self.reverse_snat(t, d, orig, ctx.sessions) {
                return Arrival::Done;
            }
            *cur_dst = orig;
            *loc = Location::Device(d);
            return Arrival::Continue;
        }
        let subnets = &m.vnets[v.0].subnets;
        let holds = |s: &SubnetId| m.subnet_prefixes(*s).iter().any(|p| p.contains(&n));
        if let Some(s) = subnets.iter().copied().find(holds) {
            t.verdict = Verdict::Delivered(s);
            return Arrival::Done;
        }
        // Destination inside the VNet but spanning declared subnets: delivered to the first
        // subnet it holds.
        let inside = m.vnet_prefixes(v).iter().any(|p| p.contains(&n))
            || subnets
                .iter()
                .any(|s| m.subnet_prefixes(*s).iter().any(|p| dest_overlaps(dst, p)));
        if inside {
            if let Some(s) = subnets
                .iter()
                .copied()
                .find(|s| m.subnet_prefixes(*s).iter().any(|p| n.contains(p)))
            {
                t.verdict = Verdict::Delivered(s);
                return Arrival::Done;
            }
        }
        Arrival::NoSubnet
    }
}
