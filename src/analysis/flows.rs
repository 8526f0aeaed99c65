//! Which flows the configuration intends, and their two-way traces.
//!
//! - on-prem <-> every subnet reachable through a gateway: the gateway VNet's subnets, the
//!   subnets of spokes that use it by gateway transit, and spokes the GatewaySubnet routes
//!   to explicitly;
//! - Azure <-> Azure across VNets where a firewall rule allows it or the routes send it to
//!   an appliance;
//! - Internet -> each DNAT rule's target;
//! - Internet -> each Standard public load balancer frontend and instance public IP (the
//!   reply is what can go wrong).

use super::routes::{self, Dest, Lookup, NextHop, RoutePrefix, Source, State};
use super::trace::{Device, FlowVerdict, Location, Start, Trace, TraceCtx, TwoWay, Verdict};
use super::Analysis;
use crate::ir::*;
use crate::source::Origin;
use foldhash::HashSet;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct OnPremFlow {
    pub gateway: GatewayId,
    /// The on-prem prefix as declared (the finding's subject).
    pub onprem_declared: Dest,
    /// The part of it this flow traces (a piece when routes split it).
    pub onprem: Dest,
    /// Where the on-prem prefix is declared (local network gateway), if anywhere.
    pub onprem_origin: Option<Origin>,
    pub subnet: SubnetId,
    pub prefix: Ipv4Net,
    /// on-prem -> subnet, and the reply.
    pub inbound: TwoWay,
    /// subnet -> on-prem, and the reply.
    pub outbound: TwoWay,
    /// How many subnets this flow stands for: 1, or the size of the subnet's class when
    /// the flow is `Ok` and its class-mates were not traced one by one.
    pub alike: usize,
}

impl OnPremFlow {
    /// Both directions and their replies pass.
    pub fn ok(&self) -> bool {
        self.inbound.verdict() == FlowVerdict::Ok && self.outbound.verdict() == FlowVerdict::Ok
    }
}

#[derive(Clone, Debug)]
pub struct CrossFlow {
    pub src: SubnetId,
    pub dst: SubnetId,
    pub src_prefix: Ipv4Net,
    pub dst_prefix: Ipv4Net,
    /// Why routelint thinks this flow is intended.
    pub intent: String,
    pub intent_origin: Option<Origin>,
    pub flow: TwoWay,
    /// How many subnets behave exactly like the source / destination (this pair stands
    /// for all of them).
    pub src_group: usize,
    pub dst_group: usize,
}

/// A subnet's traffic to a private endpoint (and the endpoint's reply).
#[derive(Clone, Debug)]
pub struct EndpointFlow {
    /// Index into `Model::private_endpoints`.
    pub endpoint: usize,
    /// Where the flow starts: a subnet, or on-premises through a gateway.
    pub start: Start,
    /// The source address: the subnet's prefix, or the on-prem prefix.
    pub src_addr: Dest,
    /// The endpoint's address: its static /32, or its subnet (Azure allocates one there).
    pub dst: Ipv4Net,
    /// Why routelint thinks this flow is intended.
    pub intent: String,
    pub intent_origin: Option<Origin>,
    pub flow: TwoWay,
    /// How many subnets (same VNet and route table) this one stands for.
    pub group: usize,
}

impl EndpointFlow {
    /// The source in a subject or a line: `vnet/subnet`, or `onprem:<prefix>`.
    pub fn source_label(&self, a: &Analysis) -> String {
        match self.start {
            Start::Subnet(s) => a.model.subnet_label(s),
            _ => match self.src_addr {
                Dest::Net(n) => format!("onprem:{n}"),
                Dest::OnPremUnknown => "onprem:learned".into(),
            },
        }
    }
}

#[derive(Clone, Debug)]
pub enum Ingress {
    LbRule { lb: LbId, rule: usize },
    InstancePip { nic: NicId, config: usize },
}

#[derive(Clone, Debug)]
pub struct PublicReply {
    pub ingress: Ingress,
    pub subnet: SubnetId,
    /// Clients whose replies go wrong.
    pub clients: Ipv4Net,
    /// The route (index in the subnet's table) that sends the reply to the device.
    pub route: usize,
    pub device: Device,
    pub trace: Trace,
    /// The documented fix may be in place but cannot be checked (why, and where the value
    /// that is not known is declared): the reply is then not judged.
    pub undecided: Option<(String, Option<Origin>)>,
}

/// Whether the documented fix for a public frontend behind a firewall route is in place
/// (FW-LB): a DNAT rule on the firewall translates to this frontend (its public IP or a
/// backend), and the backend subnet routes that firewall's public IP (/32) to `Internet`.
enum Design {
    InPlace,
    Absent,
    Undecided(String, Option<Origin>),
}

#[derive(Clone, Debug)]
pub struct DnatFlow {
    pub firewall: FirewallId,
    pub rule: usize,
    pub target: Ipv4Net,
    pub flow: TwoWay,
}

fn first_prefix(a: &Analysis, s: SubnetId) -> Option<Ipv4Net> {
    a.model.subnet_prefixes(s).into_iter().next()
}

impl Analysis<'_> {
    /// Workload subnets (not GatewaySubnet, AzureFirewallSubnet, …) with a known VNet.
    /// A subnet that holds only private endpoints (no NIC, load balancer frontend or
    /// service is declared in it) is not one: its traffic is the endpoints', traced by
    /// [`endpoint_flows`](Self::endpoint_flows) with their own routing.
    pub fn workload_subnets(&self) -> Vec<SubnetId> {
        let endpoint_only = self.endpoint_only_subnets();
        (0..self.model.subnets.len())
            .map(SubnetId)
            .filter(|s| {
                !special::is_infrastructure(self.model.subnet_name(*s))
                    && !endpoint_only.contains(s)
                    && self.table(*s).is_some()
                    && first_prefix(self, *s).is_some()
            })
            .collect()
    }

    /// Subnets that hold private endpoints and nothing else the configuration declares.
    pub fn endpoint_only_subnets(&self) -> HashSet<SubnetId> {
        let m = self.model;
        let mut out: HashSet<SubnetId> = m
            .private_endpoints
            .iter()
            .filter_map(|pe| pe.subnet.as_ref()?.id.map(SubnetId))
            .collect();
        if out.is_empty() {
            return out;
        }
        let link = |l: &Option<Link>| l.as_ref().and_then(|l| l.id).map(SubnetId);
        for nic in &m.nics {
            for c in &nic.ip_configs {
                if let Some(s) = link(&c.subnet) {
                    out.remove(&s);
                }
            }
        }
        for lb in &m.load_balancers {
            for f in &lb.frontends {
                if let Some(s) = link(&f.subnet) {
                    out.remove(&s);
                }
            }
        }
        for sv in &m.services {
            if let Some(s) = link(&sv.subnet) {
                out.remove(&s);
            }
        }
        out
    }

    /// Subnets on-prem traffic through gateway `g` is meant to reach.
    pub fn reachable_through(&self, g: GatewayId) -> Vec<SubnetId> {
        let reaches = self.reach_test(g);
        self.workload_subnets()
            .into_iter()
            .filter(|&s| reaches(s))
            .collect()
    }

    /// Whether on-prem traffic through gateway `g` is meant to reach a subnet: its VNet is
    /// the gateway's, or uses it by transit, or the GatewaySubnet routes the subnet's
    /// addresses.
    fn reach_test(&self, g: GatewayId) -> impl Fn(SubnetId) -> bool + '_ {
        let m = self.model;
        let gw_subnet = m.gateways[g.0]
            .subnet
            .as_ref()
            .and_then(|l| l.id)
            .map(SubnetId);
        let hub = gw_subnet.and_then(|s| m.subnet_vnet(s));
        // The GatewaySubnet's active user routes (not 0/0), sorted by address, so "does one
        // overlap this subnet" is a few look-ups, not a pass over a hub's thousand routes.
        let mut explicit: Vec<Ipv4Net> = gw_subnet
            .and_then(|s| self.table(s))
            .map(|t| {
                t.routes
                    .iter()
                    .filter(|r| r.source == Source::User && r.state == State::Active)
                    .filter_map(|r| match r.prefix {
                        RoutePrefix::Net(n) if n.prefix_len() > 0 => Some(n.trunc()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let key = |n: &Ipv4Net| (u32::from(n.network()), n.prefix_len());
        explicit.sort_by_key(key);
        let routed = move |p: &Ipv4Net| -> bool {
            let p = p.trunc();
            // A route inside p starts within p's range; one containing p is p cut shorter.
            let inside = explicit.partition_point(|n| n.network() < p.network());
            explicit[inside..]
                .first()
                .is_some_and(|n| u32::from(n.network()) <= u32::from(p.broadcast()))
                || (1..=p.prefix_len()).any(|len| {
                    let n = Ipv4Net::new(p.network(), len).expect("len <= 32").trunc();
                    explicit.binary_search_by_key(&key(&n), key).is_ok()
                })
        };
        move |s: SubnetId| {
            let Some(v) = m.subnet_vnet(s) else {
                return false;
            };
            Some(v) == hub
                || self.table(s).is_some_and(|t| t.gateways.contains(&g))
                || m.subnet_prefixes(s).iter().any(&routed)
        }
    }

    /// On-prem <-> each subnet the gateway serves, both ways. Subnets of one class (see
    /// [`super::classes`]) outside the gateway's VNet are traced alike: the first of a
    /// class is traced, and when all its flows are `Ok` it stands for the rest
    /// (`OnPremFlow::alike`); otherwise every member is traced, so each finding and each
    /// flow not checked is still its own.
    pub fn onprem_flows(&self) -> Vec<OnPremFlow> {
        let m = self.model;
        let configured = self.config.onprem_prefixes();
        let cl = self.classes();
        let mut out = Vec::new();
        for gi in 0..m.gateways.len() {
            let g = GatewayId(gi);
            let Some(gw_subnet) = m.gateways[gi].subnet.as_ref().and_then(|l| l.id) else {
                continue;
            };
            let hub = m.subnet_vnet(SubnetId(gw_subnet));
            let op = routes::onprem_of(m, g, &configured);
            let mut dests: Vec<(Dest, Option<Origin>)> = op
                .prefixes
                .iter()
                .map(|(p, o)| (Dest::Net(*p), *o))
                .collect();
            if op.unknown {
                dests.push((Dest::OnPremUnknown, None));
            }
            let subnets = self.reachable_through(g);
            // The class a subnet is traced with: none in the gateway's own VNet.
            let class_of = |s: SubnetId| {
                (m.subnet_vnet(s) != hub)
                    .then(|| cl.class_of.get(s.0).copied().flatten())
                    .flatten()
            };
            // Class -> members reached, in subnet order.
            let mut members: BTreeMap<usize, Vec<SubnetId>> = BTreeMap::new();
            for &s in &subnets {
                if let Some(c) = class_of(s) {
                    members.entry(c).or_default().push(s);
                }
            }
            for (d, o) in &dests {
                let onprem_pieces: Vec<Dest> = match d {
                    Dest::Net(n) => self.pieces(*n).into_iter().map(Dest::Net).collect(),
                    Dest::OnPremUnknown => vec![Dest::OnPremUnknown],
                };
                // Classes whose first member's flows are all Ok: that flow stands for them.
                let mut settled: HashSet<usize> = HashSet::default();
                for &s in &subnets {
                    let class = class_of(s).filter(|c| members[c].len() > 1);
                    if class.is_some_and(|c| settled.contains(&c)) {
                        continue;
                    }
                    let Some((mut f, all_ok)) = self.onprem_flow(g, *d, *o, &onprem_pieces, s)
                    else {
                        continue;
                    };
                    if let Some(c) = class {
                        if members[&c][0] == s && all_ok {
                            settled.insert(c);
                            f.alike = members[&c].len();
                        }
                    }
                    out.push(f);
                }
            }
        }
        out
    }

    /// The flows between on-prem prefix `d` (in pieces) and subnet `s`: every piece pair is
    /// traced; the flow kept is the first that fails, else the first. With it: whether
    /// every pair is `Ok` both ways.
    fn onprem_flow(
        &self,
        g: GatewayId,
        d: Dest,
        o: Option<Origin>,
        onprem_pieces: &[Dest],
        s: SubnetId,
    ) -> Option<(OnPremFlow, bool)> {
        let prefix = first_prefix(self, s)?;
        let subnet_pieces = self.pieces(prefix);
        let mut chosen: Option<OnPremFlow> = None;
        let mut all_ok = true;
        for op in onprem_pieces {
            for sp in &subnet_pieces {
                let inbound = self.two_way(Start::OnPrem(g), *op, Dest::Net(*sp));
                let outbound = self.two_way(Start::Subnet(s), Dest::Net(*sp), *op);
                let f = OnPremFlow {
                    gateway: g,
                    onprem_declared: d,
                    onprem: *op,
                    onprem_origin: o,
                    subnet: s,
                    prefix: *sp,
                    inbound,
                    outbound,
                    alike: 1,
                };
                let bad = !matches!(
                    f.inbound.verdict(),
                    FlowVerdict::Ok | FlowVerdict::Unknown(_)
                ) || !matches!(
                    f.outbound.verdict(),
                    FlowVerdict::Ok | FlowVerdict::Unknown(_)
                );
                if bad {
                    return Some((f, false));
                }
                all_ok &= f.ok();
                if chosen.is_none() {
                    chosen = Some(f);
                }
            }
        }
        chosen.map(|f| (f, all_ok))
    }

    /// Splits a prefix where routes anywhere in the model draw a boundary inside it, so
    /// each piece is matched by the same routes everywhere (e.g. on-prem 192.168.0.0/16
    /// covered by two /17 user routes). At most 32 pieces; beyond that the prefix is kept.
    pub fn pieces(&self, p: Ipv4Net) -> Vec<Ipv4Net> {
        // `all_prefixes` is sorted by address: the prefixes inside `p` are one range of it.
        let lo = self
            .all_prefixes
            .partition_point(|r| u32::from(r.network()) < u32::from(p.network()));
        let inside: Vec<Ipv4Net> = self.all_prefixes[lo..]
            .iter()
            .take_while(|r| u32::from(r.network()) <= u32::from(p.broadcast()))
            .copied()
            .filter(|r| p.contains(r) && *r != p)
            .collect();
        if inside.is_empty() {
            return vec![p];
        }
        let mut out = Vec::new();
        let mut todo = vec![p];
        while let Some(x) = todo.pop() {
            let split = inside.iter().any(|r| x.contains(r) && *r != x) && x.prefix_len() < 32;
            if split {
                match x.subnets(x.prefix_len() + 1) {
                    Ok(halves) => todo.extend(halves.collect::<Vec<_>>().into_iter().rev()),
                    Err(_) => out.push(x),
                }
            } else {
                out.push(x);
            }
            if out.len() + todo.len() > 32 {
                return vec![p];
            }
        }
        out.sort();
        out
    }

    /// A firewall network rule that allows `pa` -> `pb`, between VNets peered with the
    /// firewall's VNet.
    fn rule_allowing(
        &self,
        a: SubnetId,
        b: SubnetId,
        pa: Ipv4Net,
        pb: Ipv4Net,
        only: Option<FirewallId>,
    ) -> Option<(String, Option<Origin>)> {
        self.rule_allowing_via(a, b, pa, pb, only, false)
    }

    /// The appliance a device's own subnet sends `p` on to with a user route (hub-to-hub
    /// routing between the firewalls of several hubs), if any.
    fn onward_appliance(&self, d: Device, p: Ipv4Net) -> Option<Device> {
        let t = self.table(self.device_subnet(d)?)?;
        let Lookup::Route(i) = t.lookup(Dest::Net(p)) else {
            return None;
        };
        let r = &t.routes[i];
        match (&r.next_hop, r.source) {
            (NextHop::Appliance(ap), Source::User) => {
                self.device_of(ap).ok().filter(|next| *next != d)
            }
            _ => None,
        }
    }

    /// A network rule allowing `a` -> `b`. Both VNets must be peered with the firewall's
    /// VNet, unless `onward` (the firewall's subnet routes `b` on to another hub's appliance).
    fn rule_allowing_via(
        &self,
        a: SubnetId,
        b: SubnetId,
        pa: Ipv4Net,
        pb: Ipv4Net,
        only: Option<FirewallId>,
        onward: bool,
    ) -> Option<(String, Option<Origin>)> {
        let m = self.model;
        for (fi, rules) in m.firewall_rules.iter().enumerate() {
            if only.is_some_and(|f| f.0 != fi) {
                continue;
            }
            for nr in &rules.network {
                if !nr.action_allow {
                    continue;
                }
                let covers = |list: &[Prefix], p: Ipv4Net| {
                    list.iter().any(|x| match x {
                        Prefix::V4(n) => n.contains(&p) || p.contains(n),
                        _ => false,
                    })
                };
                if !(covers(&nr.sources, pa) && covers(&nr.destinations, pb)) {
                    continue;
                }
                let fw_vnet = self
                    .device_subnet(Device::Firewall(FirewallId(fi)))
                    .and_then(|s| m.subnet_vnet(s));
                let peered = |v: VNetId| {
                    Some(v) == fw_vnet
                        || fw_vnet.is_some_and(|f| m.peering_between(v.0, f.0).is_some())
                };
                let (Some(va), Some(vb)) = (m.subnet_vnet(a), m.subnet_vnet(b)) else {
                    continue;
                };
                if peered(va) && (onward || peered(vb)) {
                    return Some((
                        format!(
                            "firewall `{}` rule `{}` allows it",
                            m.firewalls[fi].meta.display(),
                            nr.name
                        ),
                        Some(nr.origin),
                    ));
                }
            }
        }
        None
    }

    /// An application rule of firewall `f` whose sources cover `pa`.
    fn application_rule_for(&self, f: FirewallId, pa: Ipv4Net) -> Option<(String, Option<Origin>)> {
        let m = self.model;
        m.firewall_rules[f.0].application.iter().find_map(|r| {
            r.sources
                .iter()
                .any(|p| matches!(p, Prefix::V4(n) if n.contains(&pa)))
                .then(|| {
                    (
                        format!(
                            "firewall `{}` application rule `{}` allows it (FQDN destinations)",
                            m.firewalls[f.0].meta.display(),
                            r.name
                        ),
                        Some(r.origin),
                    )
                })
        })
    }

    /// Can routelint read a firewall's whole rule set? (Unknown prefixes, IP groups or an
    /// unresolved policy mean it cannot say what the firewall denies.)
    fn rules_known(&self, f: FirewallId) -> bool {
        let m = self.model;
        let fw = &m.firewalls[f.0];
        if fw.policy.as_ref().is_some_and(|l| l.id.is_none()) {
            return false;
        }
        let rules = &m.firewall_rules[f.0];
        !rules.network.is_empty()
            && rules.network.iter().all(|r| {
                r.sources
                    .iter()
                    .chain(r.destinations.iter())
                    .all(|p| matches!(p, Prefix::V4(_)))
            })
    }

    /// Is `b` reached from `a` through an appliance (and, for an Azure Firewall whose rules
    /// routelint can read, allowed by them), or allowed by a firewall rule?
    fn cross_intent(
        &self,
        a: SubnetId,
        b: SubnetId,
        pa: Ipv4Net,
        pb: Ipv4Net,
    ) -> Option<(String, Option<Origin>)> {
        let m = self.model;
        let t = self.table(a)?;
        if let Lookup::Route(i) = t.lookup(Dest::Net(pb)) {
            let r = &t.routes[i];
            if let NextHop::Appliance(ap) = &r.next_hop {
                let origin = r
                    .route
                    .map(|rid| m.routes[rid.0].prefix.origin)
                    .or(r.origin);
                // A default route is general egress: it signals intent to reach another VNet
                // only if that VNet is connected to the appliance's VNet (a spoke of the hub).
                if let (Ok(d), RoutePrefix::Net(n)) = (self.device_of(ap), &r.prefix) {
                    let hub = self.device_subnet(d).and_then(|s| m.subnet_vnet(s));
                    let dst_vnet = m.subnet_vnet(b);
                    if n.prefix_len() == 0
                        && !(hub.is_some() && (hub == dst_vnet || self.connected(hub, dst_vnet)))
                    {
                        // Several hubs: the appliance's own subnet routes the destination on
                        // to another appliance (hub-to-hub routing), so the flow is meant to
                        // cross both; the first firewall's rules decide, as for one hub.
                        if let Some(next) = self.onward_appliance(d, pb) {
                            return match d {
                                Device::Firewall(f) if self.rules_known(f) => self
                                    .rule_allowing_via(a, b, pa, pb, Some(f), true)
                                    .or_else(|| self.application_rule_for(f, pa)),
                                _ => Some((
                                    format!(
                                        "route {} sends it to an appliance, which routes it on to `{}`",
                                        r.prefix,
                                        self.device_name(next)
                                    ),
                                    origin,
                                )),
                            };
                        }
                        return self.rule_allowing(a, b, pa, pb, None);
                    }
                }
                match self.device_of(ap) {
                    Ok(Device::Firewall(f)) if self.rules_known(f) => {
                        // The firewall decides: only flows its rules allow are intended. An
                        // application rule names FQDNs: its sources covering this subnet make
                        // the flow the route sends to the firewall intended.
                        return self
                            .rule_allowing(a, b, pa, pb, Some(f))
                            .or_else(|| self.application_rule_for(f, pa));
                    }
                    _ => {
                        return Some((
                            format!("route {} sends it to an appliance", r.prefix),
                            origin,
                        ))
                    }
                }
            }
        }
        self.rule_allowing(a, b, pa, pb, None)
    }

    /// Does a user route in either subnet of one VNet send the other's prefix to an
    /// appliance (the VNet-local system route would carry it otherwise)?
    fn segmented(&self, a: SubnetId, b: SubnetId, pa: Ipv4Net, pb: Ipv4Net) -> bool {
        let to_appliance = |s: SubnetId, p: Ipv4Net| {
            self.table(s).is_some_and(|t| match t.lookup(Dest::Net(p)) {
                Lookup::Route(i) => {
                    t.routes[i].source == Source::User
                        && matches!(t.routes[i].next_hop, NextHop::Appliance(_))
                }
                _ => false,
            })
        };
        to_appliance(a, pb) || to_appliance(b, pa)
    }

    /// Flows between subnets of different VNets that the configuration intends (and
    /// between subnets of one VNet that a user route sends through an appliance). Cost grows
    /// with classes, not with pairs of subnets: a pair of [`subnet
    /// classes`](Self::subnet_classes) is traced once, between representatives whose VNets
    /// are not related; only when that flow fails is it traced again from each of the
    /// classes' (VNet, route table) groups, so that every table to change is named. Pairs of
    /// related VNets (peered with each other, or routing specifically to each other) and
    /// pairs inside one VNet are traced group by group.
    pub fn cross_flows(&self) -> Vec<CrossFlow> {
        let m = self.model;
        let cl = self.classes();
        // Concrete groups: subnets of one VNet, route table and class behave identically.
        let mut groups: BTreeMap<(usize, Option<usize>, usize), Vec<SubnetId>> = BTreeMap::new();
        for (ci, c) in cl.members.iter().enumerate() {
            for s in c {
                let Some(v) = m.subnet_vnet(*s) else { continue };
                let rt = m.subnets[s.0].route_table.as_ref().and_then(|l| l.id);
                groups.entry((v.0, rt, ci)).or_default().push(*s);
            }
        }
        let mut by_vnet: BTreeMap<usize, Vec<&Vec<SubnetId>>> = BTreeMap::new();
        let mut class_groups: Vec<Vec<&Vec<SubnetId>>> = vec![Vec::new(); cl.members.len()];
        for ((v, _, ci), g) in &groups {
            by_vnet.entry(*v).or_default().push(g);
            class_groups[*ci].push(g);
        }
        let mut out = Vec::new();
        let mut traced: HashSet<(SubnetId, SubnetId)> = HashSet::default();
        let mut pair = |a: SubnetId,
                        b: SubnetId,
                        ga: usize,
                        gb: usize,
                        out: &mut Vec<CrossFlow>|
         -> Option<bool> {
            if a == b || !traced.insert((a, b)) {
                return None;
            }
            let pa = first_prefix(self, a)?;
            let pb = first_prefix(self, b)?;
            // Inside one VNet the VNet's own route beats 0/0: a flow is meant to pass an
            // appliance only when a user route at least as long as the VNet's sends the
            // other subnet there (micro-segmentation).
            if m.subnet_vnet(a) == m.subnet_vnet(b) && !self.segmented(a, b, pa, pb) {
                return None;
            }
            let (intent, intent_origin) = self.cross_intent(a, b, pa, pb)?;
            let flow = self.two_way(Start::Subnet(a), Dest::Net(pa), Dest::Net(pb));
            let ok = flow.verdict() == FlowVerdict::Ok;
            out.push(CrossFlow {
                src: a,
                dst: b,
                src_prefix: pa,
                dst_prefix: pb,
                intent,
                intent_origin,
                flow,
                src_group: ga,
                dst_group: gb,
            });
            Some(ok)
        };
        // Inside one VNet, and between related VNets: group by group.
        for (v, gs) in &by_vnet {
            let mut others = cl.related_to(*v);
            others.push(*v);
            others.sort_unstable();
            for w in others {
                let Some(gw) = by_vnet.get(&w) else { continue };
                for ga in gs {
                    for gb in gw {
                        pair(ga[0], gb[0], ga.len(), gb.len(), &mut out);
                    }
                }
            }
        }
        // Between unrelated VNets: class by class.
        let unrelated = |a: SubnetId, b: SubnetId| {
            let (va, vb) = (m.subnet_vnet(a), m.subnet_vnet(b));
            va != vb && !cl.related(va, vb)
        };
        for (c1, g1) in class_groups.iter().enumerate() {
            for (c2, g2) in class_groups.iter().enumerate() {
                let rep = g1.iter().find_map(|ga| {
                    g2.iter()
                        .find(|gb| unrelated(ga[0], gb[0]))
                        .map(|gb| (ga[0], gb[0]))
                });
                let Some((a, b)) = rep else { continue };
                let (n1, n2) = (cl.members[c1].len(), cl.members[c2].len());
                if pair(a, b, n1, n2, &mut out) != Some(false) {
                    continue;
                }
                // The representative flow fails: every group of each class gets its own
                // flow, so each table to change is named.
                for ga in g1 {
                    if let Some(gb) = g2.iter().find(|gb| unrelated(ga[0], gb[0])) {
                        pair(ga[0], gb[0], ga.len(), 1, &mut out);
                    }
                }
                for gb in g2 {
                    if let Some(ga) = g1.iter().find(|ga| unrelated(ga[0], gb[0])) {
                        pair(ga[0], gb[0], 1, gb.len(), &mut out);
                    }
                }
            }
        }
        out
    }

    /// Flows to private endpoints: from every subnet of the endpoint's VNet and of directly
    /// peered VNets (Azure routes them there by the endpoint's /32), and from subnets whose
    /// routes send the endpoint's subnet to an appliance that the configuration means them
    /// to cross (as for [`cross_flows`](Self::cross_flows)). One flow per (VNet, route table)
    /// group of sources: their routes are the same.
    pub fn endpoint_flows(&self) -> Vec<EndpointFlow> {
        let m = self.model;
        if m.private_endpoints.is_empty() {
            return Vec::new();
        }
        let mut groups: BTreeMap<(usize, Option<usize>), Vec<SubnetId>> = BTreeMap::new();
        for s in self.workload_subnets() {
            let Some(v) = m.subnet_vnet(s) else { continue };
            let rt = m.subnets[s.0].route_table.as_ref().and_then(|l| l.id);
            groups.entry((v.0, rt)).or_default().push(s);
        }
        let configured = self.config.onprem_prefixes();
        // Which subnets each gateway reaches, built once for every endpoint.
        let reaches: Vec<_> = (0..m.gateways.len())
            .map(|gi| self.reach_test(GatewayId(gi)))
            .collect();
        let mut out = Vec::new();
        for ei in 0..m.private_endpoints.len() {
            let Some((ps, dst)) = m.endpoint_address(ei) else {
                continue;
            };
            let Some(pv) = m.subnet_vnet(ps) else {
                continue;
            };
            for ((v, _), members) in &groups {
                let Some(&a) = members.iter().find(|s| **s != ps) else {
                    continue;
                };
                let Some(pa) = first_prefix(self, a) else {
                    continue;
                };
                let direct = *v == pv.0 || self.connected(Some(VNetId(*v)), Some(pv));
                // A route sending the endpoint's subnet to an appliance: the appliance (a
                // firewall's rules, where known) decides whether the flow is meant.
                let to_appliance = self.table(a).is_some_and(|t| {
                    matches!(t.lookup(Dest::Net(dst)), Lookup::Route(i)
                        if t.routes[i].source == Source::User
                            && matches!(t.routes[i].next_hop, NextHop::Appliance(_)))
                });
                let intent = if direct && !to_appliance {
                    Some((
                        if *v == pv.0 {
                            "the private endpoint is in its VNet".to_string()
                        } else {
                            "its VNet is peered with the private endpoint's".to_string()
                        },
                        None,
                    ))
                } else {
                    self.cross_intent(a, ps, pa, dst)
                };
                let Some((intent, intent_origin)) = intent else {
                    continue;
                };
                let flow =
                    self.two_way_endpoint(Start::Subnet(a), Dest::Net(pa), Dest::Net(dst), ei);
                out.push(EndpointFlow {
                    endpoint: ei,
                    start: Start::Subnet(a),
                    src_addr: Dest::Net(pa),
                    dst,
                    intent,
                    intent_origin,
                    flow,
                    group: members.len(),
                });
            }
            // On-premises, through each gateway that reaches the endpoint's subnet.
            for (gi, reaches) in reaches.iter().enumerate() {
                let g = GatewayId(gi);
                if m.gateways[gi].subnet.as_ref().and_then(|l| l.id).is_none() || !reaches(ps) {
                    continue;
                }
                let op = routes::onprem_of(m, g, &configured);
                let mut dests: Vec<Dest> = op.prefixes.iter().map(|(p, _)| Dest::Net(*p)).collect();
                if op.unknown {
                    dests.push(Dest::OnPremUnknown);
                }
                for d in dests {
                    let flow = self.two_way_endpoint(Start::OnPrem(g), d, Dest::Net(dst), ei);
                    out.push(EndpointFlow {
                        endpoint: ei,
                        start: Start::OnPrem(g),
                        src_addr: d,
                        dst,
                        intent: format!(
                            "on-premises reaches it through `{}`",
                            m.gateways[gi].meta.display()
                        ),
                        intent_origin: None,
                        flow,
                        group: 1,
                    });
                }
            }
        }
        out
    }

    /// Public ingress points (Standard public LB rules, instance public IPs) per subnet.
    pub fn public_ingress(&self) -> Vec<(Ingress, SubnetId)> {
        let m = self.model;
        let mut out = Vec::new();
        for (ri, r) in m.lb_rules.iter().enumerate() {
            if r.kind == LbRuleKind::Outbound {
                continue;
            }
            let Some(l) = r.lb.id else { continue };
            let lb = &m.load_balancers[l];
            if !lb
                .sku
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("Standard"))
            {
                continue;
            }
            let fe = match &r.frontend {
                Some(n) => lb.frontends.iter().find(|f| &f.name == n),
                None => lb.frontends.first(),
            };
            if fe.is_none_or(|f| f.public_ip.is_none()) {
                continue;
            }
            let pools: Vec<usize> = r.backend_pools.iter().filter_map(|p| p.id).collect();
            for n in &m.nics {
                for c in &n.ip_configs {
                    let in_pool = c
                        .backend_pools
                        .iter()
                        .any(|p| p.id.is_some_and(|x| pools.contains(&x)));
                    let by_nat = c.nat_rules.iter().any(|p| p.id == Some(ri));
                    if !(in_pool || by_nat) {
                        continue;
                    }
                    if let Some(s) = c.subnet.as_ref().and_then(|l| l.id) {
                        let ing = Ingress::LbRule {
                            lb: LbId(l),
                            rule: ri,
                        };
                        if !out.iter().any(|(i, x): &(Ingress, SubnetId)| {
                            *x == SubnetId(s)
                                && matches!(i, Ingress::LbRule { rule, .. } if *rule == ri)
                        }) {
                            out.push((ing, SubnetId(s)));
                        }
                    }
                }
            }
        }
        for (ni, n) in m.nics.iter().enumerate() {
            for (ci, c) in n.ip_configs.iter().enumerate() {
                if c.public_ip.is_none() {
                    continue;
                }
                if let Some(s) = c.subnet.as_ref().and_then(|l| l.id) {
                    out.push((
                        Ingress::InstancePip {
                            nic: NicId(ni),
                            config: ci,
                        },
                        SubnetId(s),
                    ));
                }
            }
        }
        out
    }

    /// Replies to Internet clients of public frontends that a stateful device would drop.
    pub fn public_replies(&self) -> Vec<PublicReply> {
        let m = self.model;
        let configured = self.config.internet_clients();
        let mut out = Vec::new();
        let any_dnat = m.firewall_rules.iter().any(|r| !r.dnat.is_empty());
        for (ing, s) in self.public_ingress() {
            let Some(t) = self.table(s) else { continue };
            let Some(sp) = first_prefix(self, s) else {
                continue;
            };
            // The documented design: clients come through the firewall's DNAT, and a /32
            // route for the firewall's public IP -> Internet carries the reply (FW-LB).
            let mut undecided = None;
            if configured.is_empty() && any_dnat {
                match self.documented_design(&ing, t) {
                    Design::InPlace => continue,
                    Design::Absent => {}
                    Design::Undecided(why, at) => undecided = Some((why, at)),
                }
            }
            let clients: Vec<Ipv4Net> = if configured.is_empty() {
                t.routes
                    .iter()
                    .filter(|r| r.state == State::Active && super::trace::public_part(&r.prefix))
                    .filter_map(|r| match r.prefix {
                        RoutePrefix::Net(n) => Some(n),
                        _ => None,
                    })
                    .collect()
            } else {
                configured.clone()
            };
            for c in clients {
                let Lookup::Route(ri) = t.lookup(Dest::Net(c)) else {
                    continue;
                };
                let trace = self.trace(
                    Location::Subnet(s),
                    Dest::Net(sp),
                    Dest::Net(c),
                    &TraceCtx::reply(&[], &[]),
                );
                if let Verdict::NoSession(d) = trace.verdict {
                    if out.iter().any(|p: &PublicReply| {
                        p.subnet == s && p.route == ri && same_ingress(&p.ingress, &ing)
                    }) {
                        continue;
                    }
                    out.push(PublicReply {
                        ingress: ing.clone(),
                        subnet: s,
                        clients: c,
                        route: ri,
                        device: d,
                        trace,
                        undecided: undecided.clone(),
                    });
                }
            }
        }
        out
    }

    /// The addresses a public ingress delivers to, each `(public, address)`: its public IPs
    /// and backend addresses (`None` for one that Azure computes).
    fn ingress_targets(&self, ing: &Ingress) -> Vec<(bool, Option<std::net::Ipv4Addr>)> {
        let m = self.model;
        let pip = |l: &Option<Link>| {
            l.as_ref()
                .and_then(|l| l.id)
                .map(|p| (true, m.public_ips[p].address))
        };
        let mut out = Vec::new();
        match ing {
            Ingress::LbRule { lb, rule } => {
                for f in &m.load_balancers[lb.0].frontends {
                    out.extend(pip(&f.public_ip));
                }
                let pools: Vec<usize> = m.lb_rules[*rule]
                    .backend_pools
                    .iter()
                    .filter_map(|p| p.id)
                    .collect();
                for n in &m.nics {
                    for c in &n.ip_configs {
                        if c.backend_pools
                            .iter()
                            .any(|p| p.id.is_some_and(|x| pools.contains(&x)))
                        {
                            out.push((false, c.private_ip));
                        }
                    }
                }
            }
            Ingress::InstancePip { nic, config } => {
                let c = &m.nics[nic.0].ip_configs[*config];
                out.push((false, c.private_ip));
                out.extend(pip(&c.public_ip));
            }
        }
        out
    }

    /// Is the documented fix for a public frontend behind a firewall route in place?
    fn documented_design(&self, ing: &Ingress, t: &routes::Table) -> Design {
        let m = self.model;
        let targets = self.ingress_targets(ing);
        let host_routes: Vec<Ipv4Net> = t
            .routes
            .iter()
            .filter(|r| {
                r.source == Source::User
                    && r.state == State::Active
                    && r.next_hop == NextHop::Internet
            })
            .filter_map(|r| match r.prefix {
                RoutePrefix::Net(n) if n.prefix_len() == 32 => Some(n),
                _ => None,
            })
            .collect();
        if host_routes.is_empty() {
            return Design::Absent;
        }
        let mut undecided: Option<(String, Option<Origin>)> = None;
        for (fi, rules) in m.firewall_rules.iter().enumerate() {
            let fw = &m.firewalls[fi];
            for r in &rules.dnat {
                let to = r
                    .translated_address
                    .known()
                    .and_then(|s| s.trim().parse::<std::net::Ipv4Addr>().ok());
                let to_this = to.is_some_and(|ip| targets.iter().any(|(_, t)| *t == Some(ip)));
                // An address Azure computes may be this one, if of the same kind.
                let may_be_this = match to {
                    None => true,
                    Some(ip) => {
                        let public = !ip.is_private() && !ip.is_loopback();
                        targets.iter().any(|(p, t)| t.is_none() && *p == public)
                    }
                };
                if !to_this && !may_be_this {
                    continue;
                }
                // The firewall's public IPs: the reply route must name one of them.
                let mut fw_ips: Vec<Option<std::net::Ipv4Addr>> = fw
                    .public_ips
                    .iter()
                    .map(|l| l.id.and_then(|p| m.public_ips[p].address))
                    .collect();
                if fw_ips.is_empty() {
                    fw_ips.push(None);
                }
                let routed = fw_ips
                    .iter()
                    .flatten()
                    .any(|ip| host_routes.iter().any(|n| n.addr() == *ip));
                if to_this && routed {
                    return Design::InPlace;
                }
                if undecided.is_none() {
                    undecided = if fw_ips.contains(&None) && !routed {
                        Some((
                            format!(
                                "the public IP of firewall `{}` is computed by Azure, so whether a /32 route to Internet carries the replies of its DNAT rule `{}` is not known",
                                fw.meta.display(),
                                r.name
                            ),
                            Some(r.origin),
                        ))
                    } else if !to_this {
                        Some((
                            format!(
                                "DNAT rule `{}` of firewall `{}` may translate to this frontend, but the addresses are computed by Azure",
                                r.name,
                                fw.meta.display()
                            ),
                            Some(r.origin),
                        ))
                    } else {
                        None
                    };
                }
            }
        }
        match undecided {
            Some((w, o)) => Design::Undecided(w, o),
            None => Design::Absent,
        }
    }

    /// Internet -> DNAT rule targets, two-way.
    pub fn dnat_flows(&self) -> Vec<DnatFlow> {
        let m = self.model;
        let mut out = Vec::new();
        for (fi, rules) in m.firewall_rules.iter().enumerate() {
            for (ri, r) in rules.dnat.iter().enumerate() {
                let Some(ip) = r
                    .translated_address
                    .known()
                    .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
                else {
                    continue;
                };
                let target = Ipv4Net::new(ip, 32).expect("32 is valid");
                let client = Dest::Net(Ipv4Net::default());
                let flow = self.two_way(Start::Dnat(FirewallId(fi)), client, Dest::Net(target));
                out.push(DnatFlow {
                    firewall: FirewallId(fi),
                    rule: ri,
                    target,
                    flow,
                });
            }
        }
        out
    }
}

fn same_ingress(a: &Ingress, b: &Ingress) -> bool {
    match (a, b) {
        (Ingress::LbRule { lb: x, .. }, Ingress::LbRule { lb: y, .. }) => x == y,
        (
            Ingress::InstancePip { nic: x, config: i },
            Ingress::InstancePip { nic: y, config: j },
        ) => x == y && i == j,
        _ => false,
    }
}
