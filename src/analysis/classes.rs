//! Equivalence classes of subnets, so that cross-VNet flows are traced per pair of classes
//! rather than per pair of subnets (an estate of a thousand alike spokes is a handful of
//! classes, not a million pairs).
//!
//! Two workload subnets are in one class when every trace treats them alike, up to renaming
//! their own VNet:
//! - their **own effective routes** are equal once each route's prefix is written relative
//!   to the subnet: `Own` (inside its own VNet and no other), `To(W)` (specific to one other
//!   VNet W), or the literal prefix when it spans several VNets or none (`0.0.0.0/0`,
//!   `10.0.0.0/8`, on-premises prefixes); next hops are written as devices, VNets, gateways;
//! - their **VNets' peerings** have the same remote VNets and flags;
//! - **other tables route to them alike**: every table with a route specific to their VNet
//!   (a peering route in the hub, a per-spoke route on GatewaySubnet) chooses the same kind
//!   of route for them, and they lie in the same generic prefixes (so every table without a
//!   specific route treats them alike); so does every table of their own VNet with a user
//!   route for part of that VNet (micro-segmentation, which may route them apart);
//! - **firewall rules** cover them the same way (which network rules name them as source,
//!   as destination, and which application rules as source).
//!
//! Subnets that host a device, or whose routes hold a value not known statically, are
//! classes of their own (their traces name declarations the others do not have).
//!
//! A pair of subnets whose VNets are **related** (peered with each other, or one routing a
//! prefix specific to the other) is not represented by its classes: such pairs are traced
//! one by one. Their number grows with peerings and specific routes, so linearly.

use super::routes::{ApplianceRef, NextHop, RoutePrefix, Source, State};
use super::Analysis;
use crate::ir::*;
use foldhash::{HashMap, HashSet};
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

/// A next hop, written without names that differ between alike subnets.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
enum Hop {
    VnetLocal,
    Internet,
    None,
    Peering(usize),
    /// Peering to the subnet's own VNet (a hub's route to this spoke).
    PeeringOwn,
    Gateway(Option<usize>),
    Device(Device),
    /// An appliance that resolves to no device: the route itself (its text differs).
    Appliance(RouteKey),
    Unknown,
}

/// A table class: (VNet, route table).
type TableKey = (Option<usize>, Option<usize>);

/// Where a route comes from, for routes whose identity matters.
type RouteKey = (Option<usize>, Option<usize>, Option<usize>);

#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    /// Inside the subnet's own VNet, and no other VNet.
    Own,
    /// Specific to one other VNet.
    To(usize),
    Net(u32, u8),
    OnPrem,
    Tag(String),
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Route(Pre, Hop, u8, bool),
    Peering {
        other: usize,
        outgoing: bool,
        flags: [Option<bool>; 4],
    },
    /// How a table with a route specific to the subnet's VNet routes the subnet.
    Dest(TableKey, Hop, u8),
    /// A generic prefix (index) that contains the subnet.
    Generic(usize),
    /// Network rule `rule` of firewall `fw` covers it as source / destination.
    Rule(usize, usize, bool, bool),
    /// Application rule `rule` of firewall `fw` covers it as source.
    App(usize, usize),
    /// A class of its own.
    Alone(usize),
}

/// The classes of the workload subnets and the VNet pairs that classes do not represent.
pub struct Classes {
    /// Each class's members, in subnet order.
    pub members: Vec<Vec<SubnetId>>,
    /// Class of each subnet (`None`: not a workload subnet).
    pub class_of: Vec<Option<usize>>,
    /// Each VNet's related VNets: peered with it, or routing specifically to it (or it to
    /// them), both ways.
    neighbours: HashMap<usize, HashSet<usize>>,
}

impl Classes {
    pub fn related(&self, a: Option<VNetId>, b: Option<VNetId>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => self.neighbours.get(&a.0).is_some_and(|n| n.contains(&b.0)),
            _ => true,
        }
    }
    /// The VNets related to `v`, in order.
    pub fn related_to(&self, v: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .neighbours
            .get(&v)
            .map(|n| n.iter().copied().collect())
            .unwrap_or_default();
        out.sort_unstable();
        out
    }
}

/// VNet address prefixes, indexed for "which VNets does this prefix overlap".
struct VnetIndex {
    /// (prefix, vnet) sorted by network address.
    sorted: Vec<(Ipv4Net, usize)>,
    /// (prefix length, network) -> VNets with exactly that prefix.
    exact: HashMap<(u8, u32), Vec<usize>>,
}

impl VnetIndex {
    fn new(m: &Model) -> Self {
        let mut sorted = Vec::new();
        let mut exact: HashMap<(u8, u32), Vec<usize>> = HashMap::default();
        for v in 0..m.vnets.len() {
            for p in m.vnet_prefixes(VNetId(v)) {
                let p = p.trunc();
                sorted.push((p, v));
                exact
                    .entry((p.prefix_len(), u32::from(p.network())))
                    .or_default()
                    .push(v);
            }
        }
        sorted.sort_by_key(|(p, v)| (u32::from(p.network()), p.prefix_len(), *v));
        VnetIndex { sorted, exact }
    }

    /// The VNets whose address space overlaps `n` (at most `limit + 1` of them).
    fn overlapping(&self, n: Ipv4Net, limit: usize) -> Vec<usize> {
        let n = n.trunc();
        let mut out: Vec<usize> = Vec::new();
        // VNet prefixes that contain n (or equal it).
        for len in 0..=n.prefix_len() {
            let net = Ipv4Net::new(n.network(), len).expect("len <= 32").trunc();
            if let Some(vs) = self.exact.get(&(len, u32::from(net.network()))) {
                out.extend(vs);
            }
        }
        // VNet prefixes inside n.
        let lo = u32::from(n.network());
        let hi = u32::from(n.broadcast());
        let start = self
            .sorted
            .partition_point(|(p, _)| u32::from(p.network()) < lo);
        for (p, v) in &self.sorted[start..] {
            if u32::from(p.network()) > hi {
                break;
            }
            if p.prefix_len() > n.prefix_len() {
                out.push(*v);
            }
            if out.len() > limit + 8 {
                break;
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

impl Analysis<'_> {
    /// The subnet classes (see the module doc).
    pub fn subnet_classes(&self) -> Classes {
        let m = self.model;
        let idx = VnetIndex::new(m);
        // The VNet a prefix is specific to (it overlaps that VNet and no other).
        let specific = |n: Ipv4Net| -> Option<usize> {
            let vs = idx.overlapping(n, 1);
            (vs.len() == 1).then(|| vs[0])
        };
        let mut related: HashSet<(usize, usize)> = HashSet::default();
        for p in &m.peerings {
            if let (Some(a), Some(b)) = (p.local_vnet.id, p.remote_vnet.id) {
                related.insert((a, b));
                related.insert((b, a));
            }
        }
        // One representative subnet per table class (VNet, route table); tables with a
        // route specific to a VNet; generic prefixes.
        let mut table_reps: BTreeMap<TableKey, SubnetId> = BTreeMap::new();
        for s in 0..m.subnets.len() {
            if self.table(SubnetId(s)).is_some() {
                let key = (
                    m.subnets[s].vnet.id,
                    m.subnets[s].route_table.as_ref().and_then(|l| l.id),
                );
                table_reps.entry(key).or_insert(SubnetId(s));
            }
        }
        let mut specific_tables: HashMap<usize, Vec<TableKey>> = HashMap::default();
        let mut generic: Vec<Ipv4Net> = Vec::new();
        let mut prefix_kind: HashMap<Ipv4Net, Option<usize>> = HashMap::default();
        for (key, rep) in &table_reps {
            let t = self.table(*rep).expect("has a table");
            for r in &t.routes {
                let RoutePrefix::Net(n) = r.prefix else {
                    continue;
                };
                let sp = *prefix_kind.entry(n).or_insert_with(|| specific(n));
                match sp {
                    Some(w) => {
                        if key.0 != Some(w) {
                            specific_tables.entry(w).or_default().push(*key);
                            if let Some(v) = key.0 {
                                related.insert((v, w));
                                related.insert((w, v));
                            }
                        }
                    }
                    None => generic.push(n.trunc()),
                }
            }
        }
        // Tables of a VNet with a user route for part of that VNet (micro-segmentation):
        // they may route two subnets of the VNet differently, and a flow to one of them
        // that enters the VNet through such a table's subnet (an appliance there) would
        // not be traced alike. How each routes the subnet is part of its key.
        for (key, rep) in &table_reps {
            let Some(v) = key.0 else { continue };
            let t = self.table(*rep).expect("has a table");
            let segments = t.routes.iter().any(|r| {
                r.source == Source::User
                    && matches!(r.prefix, RoutePrefix::Net(n) if prefix_kind.get(&n).copied().flatten() == Some(v))
            });
            if segments {
                specific_tables.entry(v).or_default().push(*key);
            }
        }
        for l in specific_tables.values_mut() {
            l.sort();
            l.dedup();
        }
        generic.sort();
        generic.dedup();
        let generic_index: HashMap<(u8, u32), usize> = generic
            .iter()
            .enumerate()
            .map(|(i, n)| ((n.prefix_len(), u32::from(n.network())), i))
            .collect();
        // Subnets that host a device are classes of their own.
        let mut hosts: HashSet<usize> = HashSet::default();
        for f in 0..m.firewalls.len() {
            if let Some(s) = self.device_subnet(Device::Firewall(FirewallId(f))) {
                hosts.insert(s.0);
            }
        }
        for (n, nic) in m.nics.iter().enumerate() {
            if nic.ip_forwarding.get() != Some(false) {
                if let Some(s) = self.device_subnet(Device::Nva(NicId(n))) {
                    hosts.insert(s.0);
                }
            }
        }
        for (l, lb) in m.load_balancers.iter().enumerate() {
            for fe in 0..lb.frontends.len() {
                if let Some(s) = self.device_subnet(Device::Lb(LbId(l), fe)) {
                    hosts.insert(s.0);
                }
            }
        }

        let hop = |s: SubnetId, r: &super::routes::EffRoute, own: usize| -> Hop {
            match &r.next_hop {
                NextHop::VNetPeering { vnet, .. } if vnet.0 == own => Hop::PeeringOwn,
                NextHop::VnetLocal => Hop::VnetLocal,
                NextHop::Internet => Hop::Internet,
                NextHop::None => Hop::None,
                NextHop::VNetPeering { vnet, .. } => Hop::Peering(vnet.0),
                NextHop::Gateway(g) => Hop::Gateway(g.map(|g| g.0)),
                NextHop::Appliance(ap) => match (ap, self.device_of(ap)) {
                    (_, Ok(d)) => Hop::Device(d),
                    (ApplianceRef::Ip(_), Err(_)) | (_, Err(_)) => Hop::Appliance((
                        m.subnet_vnet(s).map(|v| v.0),
                        r.route.map(|x| x.0),
                        r.peering.map(|x| x.0),
                    )),
                },
                NextHop::Unknown(_) => Hop::Unknown,
            }
        };
        let source = |r: &super::routes::EffRoute| match r.source {
            Source::System => 0u8,
            Source::Peering => 1,
            Source::Gateway => 2,
            Source::User => 3,
            Source::Endpoint => 4,
        };

        // Each VNet's peerings (either side), once.
        let mut peering_parts: HashMap<usize, (Vec<Part>, bool)> = HashMap::default();
        for pe in &m.peerings {
            let flags = [
                pe.allow_virtual_network_access.get(),
                pe.allow_forwarded_traffic.get(),
                pe.allow_gateway_transit.get(),
                pe.use_remote_gateways.get(),
            ];
            match (pe.local_vnet.id, pe.remote_vnet.id) {
                (Some(a), Some(b)) => {
                    peering_parts.entry(a).or_default().0.push(Part::Peering {
                        other: b,
                        outgoing: true,
                        flags,
                    });
                    peering_parts.entry(b).or_default().0.push(Part::Peering {
                        other: a,
                        outgoing: false,
                        flags,
                    });
                }
                (Some(a), None) | (None, Some(a)) => peering_parts.entry(a).or_default().1 = true,
                (None, None) => {}
            }
        }
        for (parts, _) in peering_parts.values_mut() {
            parts.sort();
        }
        let mut by_key: BTreeMap<Vec<Part>, Vec<SubnetId>> = BTreeMap::new();
        let mut class_of = vec![None; m.subnets.len()];
        for s in self.workload_subnets() {
            let Some(t) = self.table(s) else { continue };
            let Some(p) = m.subnet_prefixes(s).first().copied() else {
                continue;
            };
            let v = t.vnet.0;
            let mut key: Vec<Part> = Vec::new();
            let mut alone = hosts.contains(&s.0) || m.subnet_prefixes(s).len() > 1;
            // Own routes.
            for r in &t.routes {
                let pre = match &r.prefix {
                    RoutePrefix::Net(n) => match prefix_kind.get(n).copied().flatten() {
                        Some(w) if w == v => Pre::Own,
                        Some(w) => Pre::To(w),
                        None => Pre::Net(u32::from(n.network()), n.prefix_len()),
                    },
                    RoutePrefix::OnPremUnknown => Pre::OnPrem,
                    RoutePrefix::Tag(x) => Pre::Tag(x.clone()),
                    RoutePrefix::Unknown(_) => {
                        alone = true;
                        Pre::OnPrem
                    }
                };
                let h = hop(s, r, v);
                if matches!(h, Hop::Unknown | Hop::Appliance(_)) {
                    alone = true;
                }
                key.push(Part::Route(pre, h, source(r), r.state == State::Active));
            }
            // Peerings of its VNet.
            if let Some((parts, unknown)) = peering_parts.get(&v) {
                key.extend(parts.iter().cloned());
                alone |= *unknown;
            }
            // Tables that route specifically to its VNet.
            for tk in specific_tables.get(&v).map(Vec::as_slice).unwrap_or(&[]) {
                let rep = table_reps[tk];
                let tt = self.table(rep).expect("has a table");
                match tt.lookup(super::routes::Dest::Net(p)) {
                    super::routes::Lookup::Route(i) => {
                        let r = &tt.routes[i];
                        key.push(Part::Dest(*tk, hop(rep, r, v), source(r)));
                    }
                    _ => alone = true,
                }
            }
            // Generic prefixes that contain it.
            for len in 0..=p.prefix_len() {
                let net = Ipv4Net::new(p.network(), len).expect("len <= 32").trunc();
                if let Some(i) = generic_index.get(&(len, u32::from(net.network()))) {
                    key.push(Part::Generic(*i));
                }
            }
            // Generic prefixes inside it (a route for part of the subnet).
            let lo = generic.partition_point(|n| n.network() < p.network());
            for n in &generic[lo..] {
                if u32::from(n.network()) > u32::from(p.broadcast()) {
                    break;
                }
                if n.prefix_len() > p.prefix_len() {
                    alone = true;
                }
            }
            // Firewall rules.
            let covers = |list: &[Prefix]| {
                list.iter().any(|x| match x {
                    Prefix::V4(n) => n.contains(&p) || p.contains(n),
                    _ => false,
                })
            };
            for (fi, rules) in m.firewall_rules.iter().enumerate() {
                for (ri, nr) in rules.network.iter().enumerate() {
                    let (src, dst) = (covers(&nr.sources), covers(&nr.destinations));
                    if src || dst {
                        key.push(Part::Rule(fi, ri, src, dst));
                    }
                }
                for (ri, ar) in rules.application.iter().enumerate() {
                    if ar
                        .sources
                        .iter()
                        .any(|x| matches!(x, Prefix::V4(n) if n.contains(&p)))
                    {
                        key.push(Part::App(fi, ri));
                    }
                }
            }
            if alone {
                key.push(Part::Alone(s.0));
            }
            by_key.entry(key).or_default().push(s);
        }
        let mut members: Vec<Vec<SubnetId>> = by_key.into_values().collect();
        members.sort_by_key(|c| c[0]);
        for (ci, c) in members.iter().enumerate() {
            for s in c {
                class_of[s.0] = Some(ci);
            }
        }
        let mut neighbours: HashMap<usize, HashSet<usize>> = HashMap::default();
        for (a, b) in &related {
            neighbours.entry(*a).or_default().insert(*b);
        }
        Classes {
            members,
            class_of,
            neighbours,
        }
    }
}
