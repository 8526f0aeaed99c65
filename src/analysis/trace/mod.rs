//! Flow traces, forward and back (Batfish's shape: steps with evidence, then a verdict).
//!
//! A trace follows a packet from where it enters: a subnet's effective routes pick the next
//! hop; a stateful device (Azure Firewall, an NVA, an internal load balancer in front of
//! NVAs) records a session on the way out and must see the reply on the way back. The
//! reverse trace exists only for a delivered forward trace ([`TwoWay::Both`]), and receives
//! the forward trace's sessions and address translations.
//!
//! Everything here is data: steps name the route, peering or device by id, a drop names its
//! cause ([`Drop`]) and an undecided hop names the value that is not known ([`Unknown`]).
//! Words are made in one place, [`super::words`], for finding text, the `trace` view, the
//! graph and SARIF code flows alike.
//!
//! - `device`: which device a `VirtualAppliance` next hop reaches, and what it is;
//! - `nat`: source and destination NAT at Azure Firewall;
//! - `hop`: the hop loop of one direction;
//! - `two_way`: a flow both ways, the reply seeded with the forward sessions.

mod device;
mod hop;
mod nat;
mod two_way;

pub use device::NoDevice;

use super::routes::{Dest, RoutePrefix};
use crate::ir::*;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// A stateful device on a path (declared in the IR: fixes name devices too).
pub use crate::ir::Device;

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

/// Where a packet enters the traced network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// From on-premises, at this gateway.
    OnPrem(GatewayId),
    /// From the Internet, at a firewall's public IP (a DNAT rule).
    FirewallPublicIp(FirewallId),
    /// From the Internet, at a public frontend (load balancer or instance public IP).
    PublicFrontend,
    /// A reply from the Internet (no device translated the request).
    Internet,
}

/// An address translation at a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    /// The source is translated to an address of the firewall's subnet (`application`:
    /// the flow is allowed by an application rule, which always translates).
    Snat { range: Ipv4Net, application: bool },
    /// A DNAT rule translates the destination; the firewall also SNATs the source to an
    /// address of its subnet (`None`: the subnet is not known).
    Dnat { to: Addr, range: Option<Ipv4Net> },
    /// A reply to a translated source is sent on to the original source.
    Reverse { to: Addr },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Entered the network here.
    Enter(Entry),
    /// A route lookup in a subnet's effective routes (index into that subnet's table).
    Route { subnet: SubnetId, route: usize },
    /// A stateful device: a session created, matched or missing.
    Session { device: Device, kind: SessionKind },
    /// Source or destination NAT at a device.
    Nat { device: Device, nat: Nat },
    /// Crossed a peering into another VNet.
    Peering { peering: PeeringId, into: VNetId },
    /// A device configured as stateless forwarded the packet.
    Stateless { device: Device },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Created,
    Matched,
    Missing,
}

/// Why a packet was dropped, with the declaration that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drop {
    /// The subnet's effective routes have no route for the destination.
    NoRoute { subnet: SubnetId, dst: Addr },
    /// The chosen route has next hop `None` (a user route, or a reserved-range system route).
    NoneRoute { subnet: SubnetId, route: usize },
    /// A peering on the path does not allow virtual network access.
    PeeringNoAccess { peering: PeeringId },
    /// The peering into `into` does not allow traffic that an appliance forwarded.
    ForwardedRefused { peering: PeeringId, into: VNetId },
    /// The route's `VirtualNetworkGateway` next hop: the VNet has no gateway.
    GatewayMissing { subnet: SubnetId, route: usize },
    /// A private destination whose route sends it to the Internet.
    PrivateToInternet {
        subnet: SubnetId,
        route: usize,
        dst: Addr,
    },
    /// The next hop is a NIC without IP forwarding: it drops packets not addressed to it.
    IpForwardingOff { nic: NicId },
    /// The `VirtualAppliance` next hop IP belongs to no declared device, and no device
    /// whose address is computed could have it.
    NoDevice { subnet: SubnetId, route: usize },
    /// The next hop device is in a VNet that is neither the subnet's own nor directly
    /// peered with it (peering is not transitive).
    Unreachable {
        subnet: SubnetId,
        route: usize,
        device: Device,
    },
    /// The packet arrived in a VNet, but no subnet of it holds the destination.
    NotInSubnet {
        vnet: VNetId,
        subnet: SubnetId,
        route: usize,
        dst: Addr,
    },
    /// The next hops lead back to a hop already passed (or past the hop limit).
    Loop,
}

/// A hop the configuration does not decide: which value is not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// The subnet a device or gateway sits in is not known.
    HopSubnet,
    /// The VNet of a subnet is not known.
    SubnetVnet { subnet: SubnetId },
    /// A user route of the subnet has a prefix that is not known (`why` says which value).
    RoutePrefix { subnet: SubnetId, why: String },
    /// The chosen route's next hop type is not known.
    NextHop {
        subnet: SubnetId,
        route: usize,
        why: String,
    },
    /// The chosen `VirtualAppliance` route's next hop is not a known device.
    Appliance {
        subnet: SubnetId,
        route: usize,
        why: NoDevice,
    },
    /// `allow_forwarded_traffic` of a peering is not known.
    ForwardedFlag { peering: PeeringId },
    /// A reply from the Internet to a flow that did not start in a subnet.
    InternetReply,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered(SubnetId),
    ExitsOnPrem(GatewayId),
    ExitsInternet,
    Dropped(Drop),
    /// A stateful device received a packet it holds no session for.
    NoSession(Device),
    /// The configuration does not determine the path.
    Unknown(Unknown),
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

impl Trace {
    pub fn new(src: Addr, dst: Addr, steps: Vec<Step>, verdict: Verdict) -> Trace {
        Trace {
            src,
            dst,
            steps,
            verdict,
            devices: Vec::new(),
            snat: Vec::new(),
        }
    }

    /// The route steps, in order: (subnet, index into its effective table).
    pub fn routes(&self) -> impl DoubleEndedIterator<Item = (SubnetId, usize)> + '_ {
        self.steps.iter().filter_map(|s| match s {
            Step::Route { subnet, route } => Some((*subnet, *route)),
            _ => None,
        })
    }
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
    /// The flow is to (forward) or from (reply) this private endpoint (index into
    /// `Model::private_endpoints`): forward look-ups see its /32 route; the reply leaves the
    /// endpoint's subnet by system routes only (route tables do not apply to an endpoint's
    /// own traffic).
    pub endpoint: Option<usize>,
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
            endpoint: None,
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

/// A flow traced both ways. A reply exists only after a forward trace that arrived.
#[derive(Clone, Debug)]
pub enum TwoWay {
    /// The forward direction did not arrive: there is no reply to trace.
    ForwardFailed(Trace),
    /// The forward direction arrived, and its reply was traced with the forward sessions.
    Both { forward: Trace, reply: Trace },
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
    Unknown(Unknown),
}

impl TwoWay {
    pub fn forward(&self) -> &Trace {
        match self {
            TwoWay::ForwardFailed(f) | TwoWay::Both { forward: f, .. } => f,
        }
    }

    /// The reply's trace (only after a forward trace that arrived).
    pub fn reply(&self) -> Option<&Trace> {
        match self {
            TwoWay::ForwardFailed(_) => None,
            TwoWay::Both { reply, .. } => Some(reply),
        }
    }

    /// The direction that failed: the forward one when it did not arrive, else the reply.
    pub fn failed_direction(&self) -> &Trace {
        match self {
            TwoWay::ForwardFailed(f) => f,
            TwoWay::Both { reply, .. } => reply,
        }
    }

    pub fn verdict(&self) -> FlowVerdict {
        let (forward, reply) = match self {
            TwoWay::ForwardFailed(f) => {
                return match &f.verdict {
                    Verdict::Unknown(u) => FlowVerdict::Unknown(u.clone()),
                    _ => FlowVerdict::Broken,
                }
            }
            TwoWay::Both { forward, reply } => (forward, reply),
        };
        match &reply.verdict {
            Verdict::Unknown(u) => FlowVerdict::Unknown(u.clone()),
            Verdict::NoSession(_) => FlowVerdict::Asymmetric,
            v if v.success() => {
                if forward.devices.iter().all(|d| reply.devices.contains(d))
                    && reply.devices.iter().all(|d| forward.devices.contains(d))
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
        let TwoWay::Both { forward, reply } = self else {
            return Vec::new();
        };
        forward
            .devices
            .iter()
            .filter(|d| !reply.devices.contains(d))
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

/// Prefixes of a route's destination that are public (for Internet replies).
pub fn public_part(p: &RoutePrefix) -> bool {
    match p {
        RoutePrefix::Net(n) => !iana_private().iter().any(|r| r.contains(n)),
        _ => false,
    }
}

/// The private IP of a device, and whether it was derived by convention.
pub fn device_ip(m: &Model, d: Device) -> Option<(Ipv4Addr, bool)> {
    match d {
        Device::Firewall(f) => m
            .firewall_ips
            .get(f.0)
            .copied()
            .flatten()
            .map(|r| (r.ip, r.derived)),
        Device::Nva(n) => m.nics[n.0]
            .ip_configs
            .iter()
            .find_map(|c| c.private_ip)
            .map(|i| (i, false)),
        Device::Lb(l, fe) => m.load_balancers[l.0]
            .frontends
            .get(fe)
            .and_then(|f| f.private_ip)
            .map(|i| (i, false)),
    }
}
