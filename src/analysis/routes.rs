//! Effective routes: what Azure's "Effective routes" view shows for a subnet.
//!
//! Follows `DOMAIN.md` §1–§3 (sources: UDR, GW-TRANSIT, PEER-MANAGE):
//! - system routes: each VNet range -> `VnetLocal`; `0.0.0.0/0` -> `Internet`; the reserved
//!   ranges 10/8, 172.16/12, 192.168/16, 100.64/10 -> `None`, unless a VNet range equals or
//!   contains one;
//! - a user route for `0.0.0.0/0` removes the `None` routes (the documented example shows
//!   10/8, 192.168/16 and 100.64/10 removed; 172.16/12 is an **assumption**);
//! - peering routes: each range of a peered VNet -> `VNetPeering`, once both sides exist;
//! - gateway routes: on-prem prefixes of the VNet's own gateway, or of the hub's gateway
//!   through gateway transit (hub `allowGatewayTransit` + spoke `useRemoteGateways`),
//!   unless the subnet's route table disables propagation;
//! - selection: longest prefix; same prefix: user > BGP > system; VNet and peering system
//!   routes beat BGP routes even when the BGP route is more specific.

use crate::ir::*;
use crate::source::Origin;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// The reserved ranges that get a `None` system route.
pub const RESERVED: [&str; 4] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
];

pub fn reserved() -> Vec<Ipv4Net> {
    RESERVED
        .iter()
        .map(|s| s.parse().expect("valid constant"))
        .collect()
}

/// The prefix of an effective route.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RoutePrefix {
    Net(Ipv4Net),
    /// On-premises prefixes learned by BGP that the configuration does not list: more
    /// specific than `0.0.0.0/0`, otherwise unknown.
    OnPremUnknown,
    /// A service tag: matches only that service's public ranges.
    Tag(String),
    /// A user route whose prefix is not known statically.
    Unknown(String),
}

impl std::fmt::Display for RoutePrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoutePrefix::Net(n) => write!(f, "{n}"),
            RoutePrefix::OnPremUnknown => f.write_str("(on-prem, learned)"),
            RoutePrefix::Tag(t) => f.write_str(t),
            RoutePrefix::Unknown(_) => f.write_str("(unknown)"),
        }
    }
}

/// Where a `VirtualAppliance` route points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplianceRef {
    Ip(Ipv4Addr),
    Firewall(FirewallId),
    Nic(NicId),
    /// A load balancer and which frontend (by name; the first when not named).
    Lb(LbId, Option<String>),
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextHop {
    VnetLocal,
    Internet,
    None,
    VNetPeering {
        vnet: VNetId,
        peering: PeeringId,
    },
    /// A virtual network gateway; `None` when the route names one that does not exist.
    Gateway(Option<GatewayId>),
    Appliance(ApplianceRef),
    Unknown(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    System,
    /// VNet peering (an optional system route that beats BGP).
    Peering,
    Gateway,
    User,
    /// A private endpoint's /32 route (`InterfaceEndpoint`): in the endpoint's VNet and
    /// directly peered VNets; it applies only to traffic to that endpoint (see
    /// [`Table::lookup_endpoint`]).
    Endpoint,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Active,
    /// Overridden or removed, and by what.
    Invalid(Invalid),
}

/// Why an effective route is not active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// A reserved-range `None` system route that a user `0.0.0.0/0` route removes.
    RemovedByDefaultRoute,
    /// A route with the same prefix from a source of higher priority.
    OverriddenBy(Source),
}

#[derive(Clone, Debug)]
pub struct EffRoute {
    pub prefix: RoutePrefix,
    pub next_hop: NextHop,
    pub source: Source,
    pub state: State,
    /// The user route, peering or gateway it came from.
    pub route: Option<RouteId>,
    pub peering: Option<PeeringId>,
    pub gateway: Option<GatewayId>,
    /// Where the route (or the setting that made it) is declared.
    pub origin: Option<Origin>,
}

impl EffRoute {
    fn priority(&self) -> u8 {
        match self.source {
            Source::User => 3,
            Source::Gateway => 2,
            Source::System | Source::Peering | Source::Endpoint => 1,
        }
    }
    /// System routes for the VNet itself and for peering beat BGP routes.
    fn beats_bgp(&self) -> bool {
        matches!(self.source, Source::Peering)
            || (self.source == Source::System && self.next_hop == NextHop::VnetLocal)
    }
}

/// One subnet's effective routes.
#[derive(Clone, Debug)]
pub struct Table {
    pub subnet: SubnetId,
    pub vnet: VNetId,
    pub route_table: Option<RouteTableId>,
    /// Gateway routes propagate to this subnet (`None`: not known).
    pub propagation: Option<bool>,
    pub routes: Vec<EffRoute>,
    /// Gateways whose routes reach this subnet (own or by transit), even when propagation
    /// is off.
    pub gateways: Vec<GatewayId>,
    /// Active CIDR routes by (prefix length, network): longest-prefix match in at most 33
    /// hash look-ups instead of a scan of every route.
    index: foldhash::HashMap<(u8, u32), Vec<usize>>,
    /// An active user route whose prefix is not known (the answer to any look-up is then
    /// not known).
    unknown_prefix: Option<String>,
    /// The private endpoints this subnet has a route to (their VNet's or a directly peered
    /// one's): not in `index`, since they apply only to traffic to the endpoint.
    pub endpoints: Vec<EndpointRoute>,
}

/// A private endpoint's route in a subnet's table.
#[derive(Clone, Debug)]
pub struct EndpointRoute {
    /// Index into `Model::private_endpoints`.
    pub endpoint: usize,
    /// Index into the table's `routes`.
    pub route: usize,
    /// The length of the address range of the endpoint's VNet that holds it: a user route
    /// at least this long overrides the endpoint route (when policies allow).
    pub vnet_len: u8,
    /// Route tables apply to the endpoint's subnet (`None`: not known).
    pub policies: Option<bool>,
}

/// A destination to look up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    Net(Ipv4Net),
    OnPremUnknown,
}

impl std::fmt::Display for Dest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dest::Net(n) => write!(f, "{n}"),
            Dest::OnPremUnknown => f.write_str("on-prem (learned prefixes)"),
        }
    }
}

/// The result of a lookup: the chosen route, or why there is none.
#[derive(Clone, Debug)]
pub enum Lookup {
    Route(usize),
    /// A route with an unknown prefix might match: the answer is not known.
    Unknown(String),
    NoRoute,
}

impl Table {
    /// The winner among routes that all match a destination: the longest prefix, then
    /// user > BGP > system, where system routes for the VNet itself and for peering beat
    /// BGP routes even when less specific; the first declared on a tie.
    fn best(&self, cands: Vec<usize>) -> Lookup {
        let no_bgp = cands.iter().any(|&i| self.routes[i].beats_bgp());
        cands
            .into_iter()
            .filter(|&i| !(no_bgp && self.routes[i].source == Source::Gateway))
            .max_by_key(|&i| match self.routes[i].prefix {
                RoutePrefix::Net(p) => (
                    p.prefix_len(),
                    self.routes[i].priority(),
                    std::cmp::Reverse(i),
                ),
                _ => (0, 0, std::cmp::Reverse(i)),
            })
            .map(Lookup::Route)
            .unwrap_or(Lookup::NoRoute)
    }

    /// Longest-prefix match with Azure's tie-breaks.
    pub fn lookup(&self, dest: Dest) -> Lookup {
        match dest {
            Dest::Net(d) => {
                // A user route with an unknown prefix could be more specific.
                if let Some(u) = &self.unknown_prefix {
                    return Lookup::Unknown(u.clone());
                }
                let bits = u32::from(d.network());
                let mut cands: Vec<usize> = Vec::new();
                for len in (0..=d.prefix_len()).rev() {
                    let mask = if len == 0 {
                        0
                    } else {
                        u32::MAX << (32 - len as u32)
                    };
                    if let Some(v) = self.index.get(&(len, bits & mask)) {
                        cands.extend(v.iter().copied());
                    }
                }
                self.best(cands)
            }
            Dest::OnPremUnknown => {
                // Learned on-prem prefixes are more specific than any /0 and unknown
                // otherwise: the BGP route wins over 0/0, loses to nothing we can name.
                if let Some(i) = self.routes.iter().position(|r| {
                    r.state == State::Active && r.prefix == RoutePrefix::OnPremUnknown
                }) {
                    return Lookup::Route(i);
                }
                self.lookup(Dest::Net(Ipv4Net::default()))
            }
        }
    }
}

impl Table {
    /// The route to a private endpoint ([PE-POL], DOMAIN.md §2 exception 4): the endpoint's
    /// /32 beats every route except a user route whose prefix is at least as long as the
    /// endpoint VNet's address range, and that only when the endpoint's subnet applies route
    /// tables to private endpoints (`0.0.0.0/0` never overrides it). Without an endpoint
    /// route here (no peering to the endpoint's VNet), the ordinary look-up.
    pub fn lookup_endpoint(&self, dest: Dest, endpoint: usize) -> Lookup {
        let normal = self.lookup(dest);
        let Some(er) = self.endpoints.iter().find(|e| e.endpoint == endpoint) else {
            return normal;
        };
        match normal {
            Lookup::Route(i) => {
                let r = &self.routes[i];
                let len = match r.prefix {
                    RoutePrefix::Net(n) => n.prefix_len(),
                    _ => 0,
                };
                if r.source != Source::User || len < er.vnet_len {
                    return Lookup::Route(er.route);
                }
                match er.policies {
                    Some(true) => Lookup::Route(i),
                    Some(false) => Lookup::Route(er.route),
                    None => Lookup::Unknown(
                        "whether route tables apply to the private endpoint's subnet (its private endpoint network policies) is not known".into(),
                    ),
                }
            }
            Lookup::NoRoute => Lookup::Route(er.route),
            unknown => unknown,
        }
    }

    /// A look-up that ignores user routes: how a private endpoint's own traffic (its
    /// replies) leaves its subnet, since route tables do not apply to it ("User-defined
    /// routes traffic is bypassed from private endpoints", Learn: inspect traffic with Azure
    /// Firewall). The system routes a user route overrode or removed count again.
    pub fn lookup_system(&self, dest: Dest) -> Lookup {
        let Dest::Net(d) = dest else {
            return self.lookup(dest);
        };
        let usable = |r: &EffRoute| {
            !matches!(r.source, Source::User | Source::Endpoint)
                && matches!(
                    r.state,
                    State::Active
                        | State::Invalid(Invalid::RemovedByDefaultRoute)
                        | State::Invalid(Invalid::OverriddenBy(Source::User))
                )
                && matches!(r.prefix, RoutePrefix::Net(p) if p.contains(&d))
        };
        self.best(
            (0..self.routes.len())
                .filter(|&i| usable(&self.routes[i]))
                .collect(),
        )
    }
}

/// Resolves a route's next-hop IP reference.
pub fn appliance_of(ip: Option<&IpRef>) -> ApplianceRef {
    match ip {
        None => {
            ApplianceRef::Unknown("a VirtualAppliance route without next_hop_in_ip_address".into())
        }
        Some(IpRef::Literal { ip }) => ApplianceRef::Ip(*ip),
        Some(IpRef::FirewallPrivateIp { firewall }) => match firewall.id {
            Some(f) => ApplianceRef::Firewall(FirewallId(f)),
            None => ApplianceRef::Unknown(
                firewall
                    .unresolved
                    .clone()
                    .unwrap_or_else(|| "the firewall is not declared".into()),
            ),
        },
        Some(IpRef::NicPrivateIp { nic }) => match nic.id {
            Some(n) => ApplianceRef::Nic(NicId(n)),
            None => ApplianceRef::Unknown("the NIC is not declared".into()),
        },
        Some(IpRef::LbFrontendPrivateIp { lb, frontend }) => match lb.id {
            Some(l) => ApplianceRef::Lb(LbId(l), frontend.clone()),
            None => ApplianceRef::Unknown("the load balancer is not declared".into()),
        },
        Some(IpRef::Unknown { reason }) => ApplianceRef::Unknown(reason.clone()),
    }
}

/// On-prem prefixes a gateway knows: local network gateways of its connections, plus the
/// configured ones; `unknown` when it learns by BGP/ExpressRoute and nothing is configured.
#[derive(Clone, Debug, Default)]
pub struct OnPrem {
    pub prefixes: Vec<(Ipv4Net, Option<Origin>)>,
    pub unknown: bool,
}

pub fn onprem_of(model: &Model, g: GatewayId, configured: &[Ipv4Net]) -> OnPrem {
    let mut out = OnPrem::default();
    let mut bgp =
        model.gateways[g.0].bgp_enabled || model.gateways[g.0].kind == GatewayKind::ExpressRoute;
    // A connection to something not declared here: its prefixes are not known.
    let mut open = false;
    let add = |out: &mut OnPrem, n: Ipv4Net, o: Option<Origin>| {
        if !out.prefixes.iter().any(|(q, _)| *q == n) {
            out.prefixes.push((n, o));
        }
    };
    // Point-to-site clients come from the gateway's client address pools.
    for p in &model.gateways[g.0].client_pools {
        if let Prefix::V4(n) = p.value {
            add(&mut out, n, Some(p.origin));
        }
    }
    for c in &model.connections {
        // A VNet-to-VNet connection is declared on each side: either names this gateway.
        let peer = match (c.gateway.id, c.peer_gateway.as_ref().map(|l| l.id)) {
            (Some(x), Some(p)) if x == g.0 => Some(p),
            (x, Some(Some(p))) if p == g.0 => Some(x),
            (Some(x), None) if x == g.0 => None,
            _ => continue,
        };
        if let Some(other) = peer {
            // The other gateway's VNet address space is the remote prefix set.
            match other.and_then(|o| model.gateways[o].subnet.as_ref()?.id) {
                Some(s) => match model.subnet_vnet(SubnetId(s)) {
                    Some(v) => {
                        for p in &model.vnets[v.0].address_space {
                            if let Prefix::V4(n) = p.value {
                                add(&mut out, n, Some(p.origin));
                            }
                        }
                    }
                    None => open = true,
                },
                None => open = true,
            }
            bgp |= c.bgp;
            continue;
        }
        bgp |= c.bgp;
        if c.local_gateway.as_ref().is_some_and(|l| l.id.is_none()) {
            open = true;
        }
        if c.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("ExpressRoute"))
        {
            bgp = true;
        }
        if let Some(l) = c.local_gateway.as_ref().and_then(|l| l.id) {
            let lg = &model.local_gateways[l];
            bgp |= lg.bgp;
            for p in &lg.address_space {
                if let Prefix::V4(n) = p.value {
                    add(&mut out, n, Some(p.origin));
                }
            }
        }
    }
    for p in configured {
        add(&mut out, *p, None);
    }
    // Learned prefixes are assumed only where something can announce them: BGP (always
    // with ExpressRoute) or a connection to a peer not declared here. A VPN gateway with
    // BGP off and no connection learns nothing.
    if configured.is_empty() && (bgp || open) && out.prefixes.is_empty() {
        out.unknown = true;
    }
    out
}

/// Is the peering connected (both sides declared)? A peering whose remote VNet is not in
/// the model is taken as connected (the other side may live elsewhere).
pub fn reverse_peering(model: &Model, p: PeeringId) -> Option<PeeringId> {
    let pe = &model.peerings[p.0];
    let (l, r) = (pe.local_vnet.id?, pe.remote_vnet.id?);
    model.peering_between(r, l)
}

/// Gateways whose routes reach a VNet: its own, or the hub's through gateway transit.
pub fn gateways_for(model: &Model, v: VNetId) -> Vec<GatewayId> {
    let own = model.vnets[v.0].gateways.clone();
    if !own.is_empty() {
        return own;
    }
    let mut out = Vec::new();
    for &PeeringId(i) in model.peerings_of(v.0) {
        let p = &model.peerings[i];
        if p.use_remote_gateways.get() != Some(true) {
            continue;
        }
        let Some(r) = reverse_peering(model, PeeringId(i)) else {
            continue;
        };
        if model.peerings[r.0].allow_gateway_transit.get() != Some(true) {
            continue;
        }
        if let Some(h) = p.remote_vnet.id {
            out.extend(model.vnets[h].gateways.iter().copied());
        }
    }
    out
}

/// Computes a subnet's effective routes.
pub fn effective(model: &Model, s: SubnetId, configured_onprem: &[Ipv4Net]) -> Option<Table> {
    let v = VNetId(model.subnets[s.0].vnet.id?);
    let vnet_prefixes = model.vnet_prefixes(v);
    let rt = model.subnets[s.0]
        .route_table
        .as_ref()
        .and_then(|l| l.id)
        .map(RouteTableId);
    let mut routes: Vec<EffRoute> = Vec::new();
    let sys = |prefix: Ipv4Net, hop: NextHop| EffRoute {
        prefix: RoutePrefix::Net(prefix),
        next_hop: hop,
        source: Source::System,
        state: State::Active,
        route: None,
        peering: None,
        gateway: None,
        origin: None,
    };
    for p in &vnet_prefixes {
        routes.push(EffRoute {
            origin: Some(model.vnets[v.0].meta.origin),
            ..sys(*p, NextHop::VnetLocal)
        });
    }
    for r in reserved() {
        if vnet_prefixes.iter().any(|p| p.contains(&r)) {
            continue;
        }
        routes.push(sys(r, NextHop::None));
    }
    routes.push(sys(Ipv4Net::default(), NextHop::Internet));

    // Peering routes.
    for &PeeringId(i) in model.peerings_of(v.0) {
        let p = &model.peerings[i];
        let Some(r) = p.remote_vnet.id else { continue };
        if reverse_peering(model, PeeringId(i)).is_none() {
            continue; // Initiated: no routes until the other side exists.
        }
        for rp in model.vnet_prefixes(VNetId(r)) {
            routes.push(EffRoute {
                prefix: RoutePrefix::Net(rp),
                next_hop: NextHop::VNetPeering {
                    vnet: VNetId(r),
                    peering: PeeringId(i),
                },
                source: Source::Peering,
                state: State::Active,
                route: None,
                peering: Some(PeeringId(i)),
                gateway: None,
                origin: Some(p.meta.origin),
            });
        }
    }

    // Gateway routes.
    let propagation = match rt {
        Some(t) => model.route_tables[t.0].propagation.get(),
        None => Some(true),
    };
    let gateways = gateways_for(model, v);
    if propagation != Some(false) {
        for &g in &gateways {
            let op = onprem_of(model, g, configured_onprem);
            for (p, o) in &op.prefixes {
                routes.push(EffRoute {
                    prefix: RoutePrefix::Net(*p),
                    next_hop: NextHop::Gateway(Some(g)),
                    source: Source::Gateway,
                    state: State::Active,
                    route: None,
                    peering: None,
                    gateway: Some(g),
                    origin: *o,
                });
            }
            if op.unknown {
                routes.push(EffRoute {
                    prefix: RoutePrefix::OnPremUnknown,
                    next_hop: NextHop::Gateway(Some(g)),
                    source: Source::Gateway,
                    state: State::Active,
                    route: None,
                    peering: None,
                    gateway: Some(g),
                    origin: Some(model.gateways[g.0].meta.origin),
                });
            }
        }
    }

    // User routes.
    let mut user_default = false;
    if let Some(t) = rt {
        for &rid in &model.route_tables[t.0].routes {
            let r = &model.routes[rid.0];
            let prefix = match &r.prefix.value {
                Prefix::V4(n) => RoutePrefix::Net(*n),
                Prefix::Tag(t) => RoutePrefix::Tag(t.clone()),
                Prefix::V6(_) => continue,
                Prefix::Unknown(why) => RoutePrefix::Unknown(why.clone()),
            };
            if prefix == RoutePrefix::Net(Ipv4Net::default()) {
                user_default = true;
            }
            let hop = match &r.next_hop_type.value {
                Known::Unknown(why) => NextHop::Unknown(why.clone()),
                Known::Known(NextHopType::VnetLocal) => NextHop::VnetLocal,
                Known::Known(NextHopType::Internet) => NextHop::Internet,
                Known::Known(NextHopType::None) => NextHop::None,
                Known::Known(NextHopType::VirtualNetworkGateway) => {
                    NextHop::Gateway(gateways.first().copied())
                }
                Known::Known(NextHopType::VirtualAppliance) => {
                    NextHop::Appliance(appliance_of(r.next_hop_ip.as_ref().map(|s| &s.value)))
                }
            };
            routes.push(EffRoute {
                prefix,
                next_hop: hop,
                source: Source::User,
                state: State::Active,
                route: Some(rid),
                peering: None,
                gateway: None,
                origin: Some(r.meta.origin),
            });
        }
    }
    if user_default {
        for r in routes.iter_mut() {
            if r.source == Source::System && r.next_hop == NextHop::None {
                r.state = State::Invalid(Invalid::RemovedByDefaultRoute);
            }
        }
    }
    // Same prefix: user > BGP > system. Compared within each group of routes with the
    // same prefix, in declaration order (a hub peered with thousands of spokes has as many
    // routes, each with its own prefix: comparing all pairs was quadratic).
    let mut groups: foldhash::HashMap<&RoutePrefix, Vec<usize>> =
        foldhash::HashMap::with_capacity_and_hasher(routes.len(), Default::default());
    for (i, r) in routes.iter().enumerate() {
        groups.entry(&r.prefix).or_default().push(i);
    }
    // Groups are disjoint, so the order they are taken in does not matter.
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    for g in groups {
        for &i in &g {
            for &j in &g {
                if i == j || routes[i].state != State::Active || routes[j].state != State::Active {
                    continue;
                }
                if routes[j].priority() > routes[i].priority() {
                    routes[i].state = State::Invalid(Invalid::OverriddenBy(routes[j].source));
                }
            }
        }
    }
    // Private endpoints of this VNet and of directly peered VNets: a /32 each (the whole
    // subnet stands for an address Azure allocates), used only by endpoint look-ups.
    let mut endpoints = Vec::new();
    for ei in 0..model.private_endpoints.len() {
        let Some((ps, prefix)) = model.endpoint_address(ei) else {
            continue;
        };
        let Some(pv) = model.subnet_vnet(ps) else {
            continue;
        };
        let hop = if pv == v {
            NextHop::VnetLocal
        } else {
            let peered = model.peerings_of(v.0).iter().find(|&&p| {
                model.peerings[p.0].remote_vnet.id == Some(pv.0)
                    && reverse_peering(model, p).is_some()
            });
            match peered {
                Some(&p) => NextHop::VNetPeering {
                    vnet: pv,
                    peering: p,
                },
                None => continue,
            }
        };
        let vnet_len = model
            .vnet_prefixes(pv)
            .iter()
            .filter(|p| p.contains(&prefix))
            .map(|p| p.prefix_len())
            .max()
            .unwrap_or(0);
        let peering = match hop {
            NextHop::VNetPeering { peering, .. } => Some(peering),
            _ => None,
        };
        routes.push(EffRoute {
            prefix: RoutePrefix::Net(prefix),
            next_hop: hop,
            source: Source::Endpoint,
            state: State::Active,
            route: None,
            peering,
            gateway: None,
            origin: Some(model.private_endpoints[ei].meta.origin),
        });
        endpoints.push(EndpointRoute {
            endpoint: ei,
            route: routes.len() - 1,
            vnet_len,
            policies: model.subnets[ps.0].endpoint_route_policies.get(),
        });
    }
    let mut index: foldhash::HashMap<(u8, u32), Vec<usize>> = foldhash::HashMap::default();
    let mut unknown_prefix = None;
    for (i, r) in routes.iter().enumerate() {
        if r.state != State::Active {
            continue;
        }
        if r.source == Source::Endpoint {
            continue;
        }
        match &r.prefix {
            RoutePrefix::Net(n) => index
                .entry((n.prefix_len(), u32::from(n.network())))
                .or_default()
                .push(i),
            RoutePrefix::Unknown(why) if unknown_prefix.is_none() => {
                unknown_prefix = Some(why.clone())
            }
            _ => {}
        }
    }
    Some(Table {
        subnet: s,
        vnet: v,
        route_table: rt,
        propagation,
        routes,
        gateways,
        index,
        unknown_prefix,
        endpoints,
    })
}
