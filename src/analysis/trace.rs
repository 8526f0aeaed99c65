//! Flow traces, forward and back (Batfish's shape: steps with evidence, then a verdict).
//!
//! A trace follows a packet from where it enters: a subnet's effective routes pick the next
//! hop; a stateful device (Azure Firewall, an NVA, an internal load balancer in front of
//! NVAs) records a session on the way out and must see the reply on the way back. The
//! reverse trace exists only for a delivered forward trace, and receives the forward
//! trace's sessions and address translations.
//!
//! Source NAT (DOMAIN.md §5, FW-SNAT, FW-KNOWN): DNAT rules also SNAT the source to an
//! instance address inside `AzureFirewallSubnet` (not necessarily .4), so the reply is
//! addressed to that whole subnet; network rules SNAT only when the destination is outside
//! the firewall's private ranges (default IANA private ranges). **Assumption:** flows that
//! are not DNAT are taken to match network rules (application rules would SNAT).

use super::routes::{ApplianceRef, Dest, Lookup, NextHop, RoutePrefix, Source};
use super::Analysis;
use crate::ir::*;
use crate::source::Origin;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// A stateful device on a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Device {
    Firewall(FirewallId),
    Nva(NicId),
    /// An internal load balancer frontend used as next hop (HA NVAs behind it).
    Lb(LbId),
}

/// Where a packet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Sent by a host in this subnet.
    Subnet(SubnetId),
    /// Forwarded by a device, which looks up its own subnet's routes.
    Device(Device),
    /// Arrived from on-premises at this gateway (GatewaySubnet's routes apply).
    Gateway(GatewayId),
}

/// Packet address: a prefix, or on-prem prefixes that are not listed.
pub type Addr = Dest;

#[derive(Clone, Debug)]
pub enum Step {
    /// Entered the network here.
    Enter { at: String },
    /// A route lookup in a subnet's effective routes.
    Route {
        subnet: SubnetId,
        /// Index into that subnet's effective table.
        route: usize,
        summary: String,
    },
    /// A stateful device: a session created, matched or missing.
    Session { device: Device, kind: SessionKind },
    /// Source or destination NAT at a firewall.
    Nat { device: Device, text: String },
    Transit {
        text: String,
        origin: Option<Origin>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Created,
    Matched,
    Missing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered(SubnetId),
    ExitsOnPrem(GatewayId),
    ExitsInternet,
    /// Dropped: reason and the declaration responsible.
    Dropped(String, Option<Origin>),
    /// A stateful device received a packet it holds no session for.
    NoSession(Device),
    Loop,
    /// The configuration does not determine the path.
    Unknown(String),
}

impl Verdict {
    pub fn success(&self) -> bool {
        matches!(
            self,
            Verdict::Delivered(_) | Verdict::ExitsOnPrem(_) | Verdict::ExitsInternet
        )
    }
}

#[derive(Clone, Debug)]
pub struct Trace {
    pub src: Addr,
    pub dst: Addr,
    pub steps: Vec<Step>,
    pub verdict: Verdict,
    /// Stateful devices passed, in order.
    pub devices: Vec<Device>,
    /// Devices that translated the source (the reply is addressed to them).
    pub snat: Vec<Device>,
}

/// How a trace runs: forward (creating sessions) or as a reply (matching them).
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceCtx<'a> {
    /// A reply: stateful devices must hold a session (`sessions`).
    pub reply: bool,
    pub sessions: &'a [Device],
    /// SNAT ranges to reverse: (device, original source).
    pub unsnat: &'a [(Device, Addr)],
    /// The flow entered through a DNAT rule (the firewall also SNATs it).
    pub dnat: bool,
}

impl<'a> TraceCtx<'a> {
    pub fn forward() -> Self {
        TraceCtx::default()
    }
    pub fn reply(sessions: &'a [Device], unsnat: &'a [(Device, Addr)]) -> Self {
        TraceCtx {
            reply: true,
            sessions,
            unsnat,
            dnat: false,
        }
    }
}

/// Where a flow starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    Subnet(SubnetId),
    OnPrem(GatewayId),
    /// From the Internet through a firewall DNAT rule (the firewall is the first hop).
    Dnat(FirewallId),
    /// From the Internet directly to a public frontend in front of this subnet.
    Public(SubnetId),
}

#[derive(Clone, Debug)]
pub struct TwoWay {
    pub forward: Trace,
    pub reverse: Option<Trace>,
}

/// The judgement on a two-way trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowVerdict {
    Ok,
    /// The forward direction does not arrive.
    Broken,
    /// The reply does not come back (dropped, no route).
    ReturnBroken,
    /// The stateful devices differ between the directions.
    Asymmetric,
    Unknown(String),
}

impl TwoWay {
    pub fn verdict(&self) -> FlowVerdict {
        if let Verdict::Unknown(w) = &self.forward.verdict {
            return FlowVerdict::Unknown(w.clone());
        }
        if !self.forward.verdict.success() {
            return FlowVerdict::Broken;
        }
        let Some(r) = &self.reverse else {
            return FlowVerdict::Broken;
        };
        match &r.verdict {
            Verdict::Unknown(w) => FlowVerdict::Unknown(w.clone()),
            Verdict::NoSession(_) => FlowVerdict::Asymmetric,
            v if v.success() => {
                if self.forward.devices.iter().all(|d| r.devices.contains(d))
                    && r.devices.iter().all(|d| self.forward.devices.contains(d))
                {
                    FlowVerdict::Ok
                } else {
                    FlowVerdict::Asymmetric
                }
            }
            _ => FlowVerdict::ReturnBroken,
        }
    }
    /// Stateful devices of the forward path that the reply never reaches.
    pub fn skipped_devices(&self) -> Vec<Device> {
        let Some(r) = &self.reverse else {
            return Vec::new();
        };
        self.forward
            .devices
            .iter()
            .filter(|d| !r.devices.contains(d))
            .copied()
            .collect()
    }
}

/// IANA private ranges, the firewall's default "no SNAT" set (FW-SNAT: RFC 1918 plus
/// 100.64.0.0/10).
fn iana_private() -> Vec<Ipv4Net> {
    super::routes::reserved()
}

fn dest_within(d: Dest, nets: &[Ipv4Net]) -> bool {
    match d {
        Dest::Net(n) => nets.iter().any(|p| p.contains(&n)),
        // Assumption: on-prem addresses are private.
        Dest::OnPremUnknown => true,
    }
}

fn dest_overlaps(d: Dest, n: &Ipv4Net) -> bool {
    match d {
        Dest::Net(x) => x.contains(n) || n.contains(&x),
        Dest::OnPremUnknown => false,
    }
}

const MAX_HOPS: usize = 32;

impl Analysis<'_> {
    /// The device a `VirtualAppliance` route reaches, or why it is not known.
    pub fn device_of(&self, a: &ApplianceRef) -> Result<Device, String> {
        let m = self.model;
        match a {
            ApplianceRef::Firewall(f) => Ok(Device::Firewall(*f)),
            ApplianceRef::Nic(n) => Ok(Device::Nva(*n)),
            ApplianceRef::Lb(l) => Ok(Device::Lb(*l)),
            ApplianceRef::Unknown(w) => Err(w.clone()),
            ApplianceRef::Ip(ip) => {
                for (i, f) in m.firewall_ips.iter().enumerate() {
                    if f.is_some_and(|r| r.ip == *ip) {
                        return Ok(Device::Firewall(FirewallId(i)));
                    }
                }
                for (i, n) in m.nics.iter().enumerate() {
                    if n.ip_configs.iter().any(|c| c.private_ip == Some(*ip)) {
                        return Ok(Device::Nva(NicId(i)));
                    }
                }
                for (i, l) in m.load_balancers.iter().enumerate() {
                    if l.frontends.iter().any(|f| f.private_ip == Some(*ip)) {
                        return Ok(Device::Lb(LbId(i)));
                    }
                }
                for f in m.firewalls.iter() {
                    if let Some(s) = f.subnet.as_ref().and_then(|l| l.id) {
                        if m.subnet_prefixes(SubnetId(s))
                            .iter()
                            .any(|p| p.contains(ip))
                        {
                            return Err(format!(
                                "{ip} is in the AzureFirewallSubnet of `{}` but is not its front-end address",
                                f.meta.display()
                            ));
                        }
                    }
                }
                Err(format!(
                    "no declared firewall, NIC or load balancer has the address {ip}"
                ))
            }
        }
    }

    /// The subnet a device sits in (where its own routes come from).
    pub fn device_subnet(&self, d: Device) -> Option<SubnetId> {
        let m = self.model;
        match d {
            Device::Firewall(f) => m.firewalls[f.0].subnet.as_ref()?.id.map(SubnetId),
            Device::Nva(n) => m.nics[n.0]
                .ip_configs
                .iter()
                .find_map(|c| c.subnet.as_ref()?.id)
                .map(SubnetId),
            Device::Lb(l) => m.load_balancers[l.0]
                .frontends
                .iter()
                .find_map(|f| f.subnet.as_ref()?.id)
                .map(SubnetId),
        }
    }

    pub fn device_name(&self, d: Device) -> String {
        let m = self.model;
        match d {
            Device::Firewall(f) => m.firewalls[f.0].meta.display().to_string(),
            Device::Nva(n) => m.nics[n.0].meta.display().to_string(),
            Device::Lb(l) => m.load_balancers[l.0].meta.display().to_string(),
        }
    }

    pub fn device_origin(&self, d: Device) -> Origin {
        let m = self.model;
        match d {
            Device::Firewall(f) => m.firewalls[f.0].meta.origin,
            Device::Nva(n) => m.nics[n.0].meta.origin,
            Device::Lb(l) => m.load_balancers[l.0].meta.origin,
        }
    }

    /// Does the device keep session state? Firewalls always; NVAs unless configured
    /// stateless (by IP or name).
    pub fn stateful(&self, d: Device) -> bool {
        let m = self.model;
        let listed = |names: Vec<String>| {
            self.config
                .appliances
                .stateless
                .iter()
                .any(|s| names.iter().any(|n| n == s))
        };
        match d {
            Device::Firewall(_) => true,
            Device::Nva(n) => {
                let nic = &m.nics[n.0];
                let mut names: Vec<String> = vec![nic.meta.key.clone()];
                names.extend(nic.meta.name.clone());
                names.extend(
                    nic.ip_configs
                        .iter()
                        .filter_map(|c| c.private_ip.map(|i| i.to_string())),
                );
                !listed(names)
            }
            Device::Lb(l) => {
                let lb = &m.load_balancers[l.0];
                let mut names: Vec<String> = vec![lb.meta.key.clone()];
                names.extend(lb.meta.name.clone());
                names.extend(
                    lb.frontends
                        .iter()
                        .filter_map(|f| f.private_ip.map(|i| i.to_string())),
                );
                !listed(names)
            }
        }
    }

    /// Prefixes a firewall does not SNAT (its own or its policy's, else IANA private).
    fn no_snat_ranges(&self, f: FirewallId) -> Vec<Ipv4Net> {
        let m = self.model;
        let fw = &m.firewalls[f.0];
        let ranges = fw.private_ranges.clone().or_else(|| {
            let p = fw.policy.as_ref()?.id?;
            m.firewall_policies[p].private_ranges.clone()
        });
        match ranges {
            Some(r) => {
                let mut out = Vec::new();
                for p in r {
                    match p {
                        Prefix::V4(n) => out.push(n),
                        Prefix::Tag(t) if t.eq_ignore_ascii_case("IANAPrivateRanges") => {
                            out.extend(iana_private())
                        }
                        _ => {}
                    }
                }
                // 255.255.255.255/32 means "always SNAT": nothing is exempt.
                out.retain(|n| *n != "255.255.255.255/32".parse::<Ipv4Net>().expect("valid"));
                out
            }
            None => iana_private(),
        }
    }

    /// The SNAT source range of a firewall: its whole subnet.
    pub fn firewall_snat_range(&self, f: FirewallId) -> Option<Ipv4Net> {
        let s = self.model.firewalls[f.0].subnet.as_ref()?.id?;
        self.model.subnet_prefixes(SubnetId(s)).into_iter().next()
    }

    /// Follows a packet from `start` to its verdict. `sessions` are the devices that hold a
    /// session for this flow (empty on the forward trace); `unsnat` maps a device's SNAT
    /// range back to the original destination on the reverse trace.
    pub fn trace(&self, start: Location, src: Addr, dst: Addr, ctx: &TraceCtx) -> Trace {
        let m = self.model;
        let forward = !ctx.reply;
        let sessions = ctx.sessions;
        let unsnat = ctx.unsnat;
        let dnat = ctx.dnat;
        let mut t = Trace {
            src,
            dst,
            steps: Vec::new(),
            verdict: Verdict::Loop,
            devices: Vec::new(),
            snat: Vec::new(),
        };
        let mut loc = start;
        let mut cur_src = src;
        let mut cur_dst = dst;
        let mut seen: Vec<(Location, Addr)> = Vec::new();
        if let Location::Gateway(g) = start {
            t.steps.push(Step::Enter {
                at: format!("{} (from on-prem)", m.gateways[g.0].meta.display()),
            });
        }
        for _ in 0..MAX_HOPS {
            if seen.contains(&(loc, cur_dst)) {
                t.verdict = Verdict::Loop;
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
                t.verdict = Verdict::Unknown("the subnet of a hop is not known".into());
                return t;
            };
            let Some(table) = self.table(subnet) else {
                t.verdict = Verdict::Unknown(format!(
                    "the VNet of subnet `{}` is not known",
                    m.subnet_label(subnet)
                ));
                return t;
            };
            let idx = match table.lookup(cur_dst) {
                Lookup::Route(i) => i,
                Lookup::Unknown(why) => {
                    t.verdict = Verdict::Unknown(format!(
                        "a route of `{}` has an unknown prefix ({why})",
                        m.subnet_label(subnet)
                    ));
                    return t;
                }
                Lookup::NoRoute => {
                    t.verdict = Verdict::Dropped(
                        format!("`{}` has no route to {cur_dst}", m.subnet_label(subnet)),
                        None,
                    );
                    return t;
                }
            };
            let r = &table.routes[idx];
            t.steps.push(Step::Route {
                subnet,
                route: idx,
                summary: format!("{} -> {}", r.prefix, self.hop_text(&r.next_hop)),
            });
            let mut arrive_in: Option<VNetId> = None;
            match &r.next_hop {
                NextHop::VnetLocal => arrive_in = Some(table.vnet),
                NextHop::VNetPeering { vnet, peering } => {
                    // Ingress check on the remote side (DOMAIN.md §6): traffic that did not
                    // originate in the local VNet needs allowForwardedTraffic on the remote
                    // VNet's peering back to us. Traffic that a gateway brings in through
                    // gateway transit is not "forwarded" (no appliance forwarded it); only a
                    // packet that an appliance in the local VNet forwards is.
                    let local_prefixes = m.vnet_prefixes(table.vnet);
                    let forwarded_here = matches!(loc, Location::Device(_));
                    let from_local = match cur_src {
                        Dest::Net(n) => local_prefixes.iter().any(|p| p.contains(&n)),
                        Dest::OnPremUnknown => false,
                    };
                    let back = super::routes::reverse_peering(m, *peering);
                    if let Some(b) = back {
                        let bp = &m.peerings[b.0];
                        if bp.allow_virtual_network_access.get() == Some(false)
                            || m.peerings[peering.0].allow_virtual_network_access.get()
                                == Some(false)
                        {
                            t.verdict = Verdict::Dropped(
                                "the peering does not allow virtual network access".into(),
                                bp.allow_virtual_network_access
                                    .origin
                                    .or(Some(bp.meta.origin)),
                            );
                            return t;
                        }
                        if !from_local && forwarded_here {
                            match bp.allow_forwarded_traffic.get() {
                                Some(true) => {}
                                Some(false) => {
                                    t.verdict = Verdict::Dropped(
                                        format!(
                                            "peering `{}` does not allow forwarded traffic into `{}`",
                                            bp.meta.display(),
                                            m.vnets[vnet.0].meta.display()
                                        ),
                                        Some(bp.allow_forwarded_traffic.origin.unwrap_or(bp.meta.origin)),
                                    );
                                    return t;
                                }
                                None => {
                                    t.verdict = Verdict::Unknown(format!(
                                        "allow_forwarded_traffic of peering `{}` is not known",
                                        bp.meta.display()
                                    ));
                                    return t;
                                }
                            }
                        }
                    }
                    t.steps.push(Step::Transit {
                        text: format!(
                            "peering `{}` to `{}`",
                            m.peerings[peering.0].meta.display(),
                            m.vnets[vnet.0].meta.display()
                        ),
                        origin: Some(m.peerings[peering.0].meta.origin),
                    });
                    arrive_in = Some(*vnet);
                }
                NextHop::Gateway(Some(g)) => {
                    t.verdict = Verdict::ExitsOnPrem(*g);
                    return t;
                }
                NextHop::Gateway(None) => {
                    t.verdict = Verdict::Dropped(
                        "the route's virtual network gateway does not exist".into(),
                        r.origin,
                    );
                    return t;
                }
                NextHop::Internet => {
                    let private = iana_private();
                    if dest_within(cur_dst, &private)
                        && !matches!(cur_dst, Dest::Net(n) if n.prefix_len() == 0)
                    {
                        t.verdict = Verdict::Dropped(
                            format!("{cur_dst} is private but its route goes to the Internet"),
                            r.origin,
                        );
                    } else {
                        t.verdict = Verdict::ExitsInternet;
                    }
                    return t;
                }
                NextHop::None => {
                    let why = if r.source == Source::User {
                        "a user route with next hop None drops it".to_string()
                    } else {
                        format!("the system route {} -> None drops it", r.prefix)
                    };
                    t.verdict = Verdict::Dropped(why, r.origin);
                    return t;
                }
                NextHop::Unknown(why) => {
                    t.verdict = Verdict::Unknown(why.clone());
                    return t;
                }
                NextHop::Appliance(a) => {
                    let d = match self.device_of(a) {
                        Ok(d) => d,
                        Err(why) => {
                            t.verdict =
                                Verdict::Unknown(format!("next hop of route {}: {why}", r.prefix));
                            return t;
                        }
                    };
                    if let Device::Nva(n) = d {
                        if m.nics[n.0].ip_forwarding.get() == Some(false) {
                            t.verdict = Verdict::Dropped(
                                format!(
                                    "NIC `{}` does not have IP forwarding enabled",
                                    m.nics[n.0].meta.display()
                                ),
                                Some(m.nics[n.0].meta.origin),
                            );
                            return t;
                        }
                    }
                    if self.device_subnet(d) == Some(subnet)
                        && matches!(loc, Location::Device(x) if x == d)
                    {
                        t.verdict = Verdict::Loop;
                        return t;
                    }
                    // A reply addressed to the device's SNAT range ends at the device.
                    if let Some((_, orig)) = self.snat_reply(cur_dst, unsnat, Some(d)) {
                        if self.reverse_snat(&mut t, d, orig, sessions, &mut cur_dst, &mut loc) {
                            continue;
                        }
                        return t;
                    }
                    if !self.stateful(d) {
                        t.steps.push(Step::Transit {
                            text: format!("stateless appliance `{}`", self.device_name(d)),
                            origin: Some(self.device_origin(d)),
                        });
                        loc = Location::Device(d);
                        continue;
                    }
                    if forward {
                        t.devices.push(d);
                        t.steps.push(Step::Session {
                            device: d,
                            kind: SessionKind::Created,
                        });
                        if let Device::Firewall(f) = d {
                            let exempt = self.no_snat_ranges(f);
                            if dnat || !dest_within(cur_dst, &exempt) {
                                if let Some(range) = self.firewall_snat_range(f) {
                                    t.snat.push(d);
                                    t.steps.push(Step::Nat {
                                        device: d,
                                        text: format!("SNAT to an address in {range}"),
                                    });
                                    cur_src = Dest::Net(range);
                                }
                            }
                        }
                    } else if sessions.contains(&d) {
                        t.devices.push(d);
                        t.steps.push(Step::Session {
                            device: d,
                            kind: SessionKind::Matched,
                        });
                    } else {
                        t.devices.push(d);
                        t.steps.push(Step::Session {
                            device: d,
                            kind: SessionKind::Missing,
                        });
                        t.verdict = Verdict::NoSession(d);
                        return t;
                    }
                    loc = Location::Device(d);
                }
            }
            if let Some(v) = arrive_in {
                match self.arrive(v, &mut t, &mut cur_dst, sessions, unsnat, &mut loc) {
                    Some(true) => return t,
                    Some(false) => continue,
                    None => {
                        t.verdict = Verdict::Dropped(
                            format!(
                                "{cur_dst} is not in a subnet of `{}`",
                                m.vnets[v.0].meta.display()
                            ),
                            r.origin,
                        );
                        return t;
                    }
                }
            }
        }
        t.verdict = Verdict::Loop;
        t
    }

    /// The translation `dst` replies to: the first `unsnat` entry (device, original source)
    /// whose firewall's SNAT range holds `dst`, among those of device `only` if given.
    fn snat_reply(
        &self,
        dst: Dest,
        unsnat: &[(Device, Addr)],
        only: Option<Device>,
    ) -> Option<(Device, Addr)> {
        let Dest::Net(n) = dst else { return None };
        unsnat.iter().copied().find(|(d, _)| {
            only.is_none_or(|o| o == *d)
                && matches!(d, Device::Firewall(f)
                    if self.firewall_snat_range(*f).is_some_and(|s| s.contains(&n)))
        })
    }

    /// A reply reaches the device that translated its source: the device must hold the
    /// session, then sends the reply on to the original source. `false`: no session (the
    /// trace ends here with `NoSession`).
    fn reverse_snat(
        &self,
        t: &mut Trace,
        d: Device,
        orig: Addr,
        sessions: &[Device],
        cur_dst: &mut Dest,
        loc: &mut Location,
    ) -> bool {
        self.session_step(t, d, sessions);
        if !sessions.contains(&d) {
            t.verdict = Verdict::NoSession(d);
            return false;
        }
        t.steps.push(Step::Nat {
            device: d,
            text: format!("reverses SNAT: reply to {orig}"),
        });
        *cur_dst = orig;
        *loc = Location::Device(d);
        true
    }

    fn session_step(&self, t: &mut Trace, d: Device, sessions: &[Device]) {
        t.devices.push(d);
        let kind = if sessions.contains(&d) {
            SessionKind::Matched
        } else {
            SessionKind::Missing
        };
        t.steps.push(Step::Session { device: d, kind });
    }

    /// Arrival in a VNet: delivered to the subnet holding the destination, or (for a reply
    /// to SNAT) to the firewall, which reverses the translation. `None`: no subnet holds it.
    /// `Some(true)`: the trace is finished. `Some(false)`: continue from `loc`.
    fn arrive(
        &self,
        v: VNetId,
        t: &mut Trace,
        cur_dst: &mut Dest,
        sessions: &[Device],
        unsnat: &[(Device, Addr)],
        loc: &mut Location,
    ) -> Option<bool> {
        let m = self.model;
        let dst = *cur_dst;
        let Dest::Net(n) = dst else { return None };
        if let Some((d, orig)) = self.snat_reply(dst, unsnat, None) {
            return Some(!self.reverse_snat(t, d, orig, sessions, cur_dst, loc));
        }
        let target = m.vnets[v.0]
            .subnets
            .iter()
            .copied()
            .find(|s| m.subnet_prefixes(*s).iter().any(|p| p.contains(&n)));
        match target {
            Some(s) => {
                t.verdict = Verdict::Delivered(s);
                Some(true)
            }
            None => {
                if m.vnet_prefixes(v).iter().any(|p| p.contains(&n))
                    || m.vnets[v.0]
                        .subnets
                        .iter()
                        .any(|s| m.subnet_prefixes(*s).iter().any(|p| dest_overlaps(dst, p)))
                {
                    // Destination inside the VNet but in no declared subnet (or spanning several).
                    let holder = m.vnets[v.0]
                        .subnets
                        .iter()
                        .copied()
                        .find(|s| m.subnet_prefixes(*s).iter().any(|p| n.contains(p)));
                    if let Some(s) = holder {
                        t.verdict = Verdict::Delivered(s);
                        return Some(true);
                    }
                }
                None
            }
        }
    }

    pub fn hop_text(&self, h: &NextHop) -> String {
        let m = self.model;
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
            NextHop::Appliance(a) => {
                let ip = self.appliance_ip(a);
                let ip_text = match ip {
                    Some((ip, true)) => format!("{ip}, derived"),
                    Some((ip, false)) => ip.to_string(),
                    None => "IP computed by Azure".into(),
                };
                match self.device_of(a) {
                    Ok(d) => format!("VirtualAppliance {} ({ip_text})", self.device_name(d)),
                    Err(_) => match ip {
                        Some((ip, _)) => format!("VirtualAppliance {ip} (no known device)"),
                        None => "VirtualAppliance (unknown)".into(),
                    },
                }
            }
        }
    }

    /// The IP address of an appliance reference, and whether it was derived.
    pub fn appliance_ip(&self, a: &ApplianceRef) -> Option<(Ipv4Addr, bool)> {
        let m = self.model;
        match a {
            ApplianceRef::Ip(ip) => Some((*ip, false)),
            ApplianceRef::Firewall(f) => m
                .firewall_ips
                .get(f.0)
                .copied()
                .flatten()
                .map(|r| (r.ip, r.derived)),
            ApplianceRef::Nic(n) => m.nics[n.0]
                .ip_configs
                .iter()
                .find_map(|c| c.private_ip)
                .map(|ip| (ip, false)),
            ApplianceRef::Lb(l) => m.load_balancers[l.0]
                .frontends
                .iter()
                .find_map(|f| f.private_ip)
                .map(|ip| (ip, false)),
            ApplianceRef::Unknown(_) => None,
        }
    }

    /// Two-way trace of a flow: forward, then (if it arrived) the reply with the forward
    /// sessions and translations.
    pub fn two_way(&self, start: Start, src: Addr, dst: Addr) -> TwoWay {
        let m = self.model;
        let forward = match start {
            Start::Subnet(s) => self.trace(Location::Subnet(s), src, dst, &TraceCtx::forward()),
            Start::OnPrem(g) => self.trace(Location::Gateway(g), src, dst, &TraceCtx::forward()),
            Start::Dnat(f) => {
                let d = Device::Firewall(f);
                let mut t = self.trace(
                    Location::Device(d),
                    src,
                    dst,
                    &TraceCtx {
                        dnat: true,
                        ..TraceCtx::forward()
                    },
                );
                let range = self.firewall_snat_range(f);
                let mut pre = vec![
                    Step::Enter {
                        at: format!(
                            "{} public IP (from the Internet)",
                            m.firewalls[f.0].meta.display()
                        ),
                    },
                    Step::Session {
                        device: d,
                        kind: SessionKind::Created,
                    },
                    Step::Nat {
                        device: d,
                        text: format!(
                            "DNAT to {dst}, SNAT to an address in {}",
                            range
                                .map(|r| r.to_string())
                                .unwrap_or_else(|| "its subnet".into())
                        ),
                    },
                ];
                pre.append(&mut t.steps);
                t.steps = pre;
                t.devices.insert(0, d);
                t.snat.insert(0, d);
                t
            }
            Start::Public(s) => Trace {
                src,
                dst,
                steps: vec![Step::Enter {
                    at: "public frontend (from the Internet)".into(),
                }],
                verdict: Verdict::Delivered(s),
                devices: Vec::new(),
                snat: Vec::new(),
            },
        };
        if !forward.verdict.success() {
            return TwoWay {
                forward,
                reverse: None,
            };
        }
        // The reply: from where the forward trace ended, to the (possibly translated) source.
        let sessions: Vec<Device> = forward.devices.clone();
        let mut unsnat: Vec<(Device, Addr)> = Vec::new();
        let mut reply_dst = src;
        if let Some(d) = forward.snat.last() {
            if let Device::Firewall(f) = d {
                if let Some(r) = self.firewall_snat_range(*f) {
                    unsnat.push((*d, src));
                    reply_dst = Dest::Net(r);
                }
            }
        }
        let reverse = match forward.verdict {
            Verdict::Delivered(s) => self.trace(
                Location::Subnet(s),
                dst,
                reply_dst,
                &TraceCtx::reply(&sessions, &unsnat),
            ),
            Verdict::ExitsOnPrem(g) => self.trace(
                Location::Gateway(g),
                dst,
                reply_dst,
                &TraceCtx::reply(&sessions, &unsnat),
            ),
            Verdict::ExitsInternet => {
                // The reply comes back to where the forward path left Azure.
                match forward.snat.last() {
                    Some(d) => {
                        let mut t = self.trace(
                            Location::Device(*d),
                            dst,
                            src,
                            &TraceCtx::reply(&sessions, &[]),
                        );
                        t.devices.insert(0, *d);
                        t.steps.insert(
                            0,
                            Step::Session {
                                device: *d,
                                kind: SessionKind::Matched,
                            },
                        );
                        t
                    }
                    None => match start {
                        Start::Subnet(s) => Trace {
                            src: dst,
                            dst: src,
                            steps: vec![Step::Enter {
                                at: "from the Internet".into(),
                            }],
                            verdict: Verdict::Delivered(s),
                            devices: Vec::new(),
                            snat: Vec::new(),
                        },
                        _ => Trace {
                            src: dst,
                            dst: src,
                            steps: Vec::new(),
                            verdict: Verdict::Unknown("reply from the Internet".into()),
                            devices: Vec::new(),
                            snat: Vec::new(),
                        },
                    },
                }
            }
            _ => unreachable!("only successful forward traces get a reply"),
        };
        TwoWay {
            forward,
            reverse: Some(reverse),
        }
    }

    /// Prefixes of a route's destination that are public (for Internet replies).
    pub fn public_part(p: &RoutePrefix) -> bool {
        match p {
            RoutePrefix::Net(n) => !iana_private().iter().any(|r| r.contains(n)),
            _ => false,
        }
    }
}
