//! The network model: one IR for every front end.
//!
//! **Invariants.** The IR knows nothing of HCL or ARM syntax. Every element carries a
//! [`Meta`]: its origin (file + byte span), the front end's address for it (a Terraform
//! address such as `module.spoke["a"].azurerm_subnet.this["web"]`, or an ARM resource id),
//! and its Azure name where known. References between elements are [`Link`]s, written by a
//! front end as a [`Target`] and resolved to an index by [`Model::link`]; a value a front
//! end cannot know is [`Known::Unknown`] with its reason, never a guess.

pub mod fix;
mod link;

pub use fix::FixIntent;

pub use link::*;

use crate::source::Origin;
use ipnet::Ipv4Net;
use serde::Serialize;
use std::net::Ipv4Addr;

/// A value that the configuration may not determine statically.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "value")]
pub enum Known<T> {
    Known(T),
    Unknown(String),
}

impl<T> Known<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Known::Known(v) => Some(v),
            Known::Unknown(_) => None,
        }
    }
}

/// Identity and origin of every element.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Meta {
    /// Front-end address: Terraform resource address or ARM resource id. Unique per kind.
    pub key: String,
    /// Other keys the element answers to (an inline subnet by index, say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Azure resource name, where the configuration determines it.
    pub name: Option<String>,
    pub resource_group: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    /// The declaration's first line (`resource "azurerm_route_table" "spoke"`), where a
    /// label about the whole element goes.
    #[serde(skip)]
    pub header: Option<Origin>,
}

impl Meta {
    /// Where a label about the whole element goes: its header, else its full span.
    pub fn label_origin(&self) -> Origin {
        self.header.unwrap_or(self.origin)
    }

    /// The name shown to users: Azure name, else the address.
    pub fn display(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.key)
    }
}

/// Whether two IPv4 prefixes share an address (one contains the other: CIDR blocks never
/// overlap partially).
pub fn overlaps(a: &Ipv4Net, b: &Ipv4Net) -> bool {
    a.contains(b) || b.contains(a)
}

/// The end of the reason of a [`Prefix::Unknown`] that is a malformed literal (not a value
/// the configuration leaves open).
pub const NOT_A_PREFIX: &str = "is not an address prefix";
/// The end of the reason of an [`IpRef::Unknown`] that is a malformed literal.
pub const NOT_AN_IP: &str = "is not an IPv4 address";

/// An address prefix as written: a CIDR, a service tag, or unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum Prefix {
    V4(#[serde(serialize_with = "ser_display")] Ipv4Net),
    /// IPv6 prefixes are kept as written; the routing analysis is IPv4 only for now.
    V6(String),
    /// A service tag such as `Storage` or `AzureCloud.westeurope`.
    Tag(String),
    Unknown(String),
}

impl Prefix {
    pub fn v4(&self) -> Option<Ipv4Net> {
        match self {
            Prefix::V4(n) => Some(*n),
            _ => None,
        }
    }
    /// The literal text of a malformed prefix (`10.0.0.0/33`), as opposed to one not known.
    pub fn malformed(&self) -> bool {
        matches!(self, Prefix::Unknown(r) if r.ends_with(NOT_A_PREFIX))
    }
    /// Parses a CIDR, a bare IPv4 address (as /32), an IPv6 prefix or a service tag.
    pub fn parse(s: &str) -> Prefix {
        let t = s.trim();
        if let Ok(n) = t.parse::<Ipv4Net>() {
            return Prefix::V4(n);
        }
        if let Ok(a) = t.parse::<Ipv4Addr>() {
            return Prefix::V4(Ipv4Net::new(a, 32).expect("32 is a valid length"));
        }
        if t.contains(':') {
            return Prefix::V6(t.to_string());
        }
        if t == "*" || t.eq_ignore_ascii_case("any") {
            return Prefix::V4(Ipv4Net::default());
        }
        if !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
            && t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        {
            return Prefix::Tag(t.to_string());
        }
        Prefix::Unknown(format!("`{t}` {NOT_A_PREFIX}"))
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Prefix::V4(n) => write!(f, "{n}"),
            Prefix::V6(s) | Prefix::Tag(s) => f.write_str(s),
            Prefix::Unknown(_) => f.write_str("(unknown)"),
        }
    }
}

fn ser_display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// A value with the span of the attribute that set it.
#[derive(Clone, Debug, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    #[serde(skip)]
    pub origin: Origin,
}

impl<T> Spanned<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Spanned { value, origin }
    }
}

/// A boolean setting: its value (or the default) and where it was set.
#[derive(Clone, Debug, Serialize)]
pub struct Flag {
    pub value: Known<bool>,
    /// Span of the attribute, `None` when the default applies.
    #[serde(skip)]
    pub origin: Option<Origin>,
}

impl Flag {
    pub fn default_value(v: bool) -> Self {
        Flag {
            value: Known::Known(v),
            origin: None,
        }
    }
    /// `Some(true/false)` when known.
    pub fn get(&self) -> Option<bool> {
        self.value.known().copied()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct VNet {
    pub meta: Meta,
    pub address_space: Vec<Spanned<Prefix>>,
    /// Filled by the linker.
    pub subnets: Vec<SubnetId>,
    /// A virtual network gateway in this VNet's GatewaySubnet (linker).
    pub gateways: Vec<GatewayId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Subnet {
    pub meta: Meta,
    pub vnet: Link,
    pub prefixes: Vec<Spanned<Prefix>>,
    pub route_table: Option<Link>,
    pub nsg: Option<Link>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_endpoints: Vec<String>,
    /// Route tables apply to traffic to the subnet's private endpoints (network policies
    /// `Enabled` or `RouteTableEnabled`; azurerm 3.x `private_endpoint_network_policies_enabled`):
    /// only then can a user route override an endpoint's /32 route. Off by default.
    pub endpoint_route_policies: Flag,
}

/// A private endpoint: Azure adds a /32 route to its address in every subnet of its VNet and
/// of the VNets directly peered with it (DOMAIN.md §1, §2).
#[derive(Clone, Debug, Serialize)]
pub struct PrivateEndpoint {
    pub meta: Meta,
    pub subnet: Option<Link>,
    /// A static address (`ip_configuration.private_ip_address`); `None`: Azure allocates
    /// one in the subnet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Spanned<Ipv4Addr>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Peering {
    pub meta: Meta,
    /// The VNet that owns this peering resource.
    pub local_vnet: Link,
    pub remote_vnet: Link,
    pub allow_virtual_network_access: Flag,
    pub allow_forwarded_traffic: Flag,
    pub allow_gateway_transit: Flag,
    pub use_remote_gateways: Flag,
}

#[derive(Clone, Debug, Serialize)]
pub struct RouteTable {
    pub meta: Meta,
    /// Gateway route propagation, `true` = on (Azure's default).
    pub propagation: Flag,
    /// Filled by the linker, in declaration order.
    pub routes: Vec<RouteId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum NextHopType {
    VirtualAppliance,
    VirtualNetworkGateway,
    VnetLocal,
    Internet,
    None,
}

impl NextHopType {
    /// Accepts current and classic names, case-insensitively.
    pub fn parse(s: &str) -> Option<NextHopType> {
        match s.to_ascii_lowercase().as_str() {
            "virtualappliance" => Some(NextHopType::VirtualAppliance),
            "virtualnetworkgateway" | "vpngateway" => Some(NextHopType::VirtualNetworkGateway),
            "vnetlocal" => Some(NextHopType::VnetLocal),
            "internet" => Some(NextHopType::Internet),
            "none" | "null" => Some(NextHopType::None),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            NextHopType::VirtualAppliance => "VirtualAppliance",
            NextHopType::VirtualNetworkGateway => "VirtualNetworkGateway",
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::Internet => "Internet",
            NextHopType::None => "None",
        }
    }
}

/// A next-hop IP address as the configuration gives it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum IpRef {
    Literal {
        #[serde(serialize_with = "ser_display")]
        ip: Ipv4Addr,
    },
    /// A reference to a firewall's front-end private IP (computed by Azure).
    FirewallPrivateIp {
        firewall: Link,
    },
    /// A reference to a NIC's private IP (first IP configuration unless named).
    NicPrivateIp {
        nic: Link,
    },
    /// A reference to a load balancer frontend's private IP: the frontend by name, or by
    /// position written `[i]` (`frontend_ip_configuration[1]`); the first when `None`.
    LbFrontendPrivateIp {
        lb: Link,
        frontend: Option<String>,
    },
    Unknown {
        reason: String,
    },
}

impl IpRef {
    /// Points the link inside a symbolic reference at the attribute that makes it.
    pub fn with_origin(mut self, o: Origin) -> Self {
        match &mut self {
            IpRef::FirewallPrivateIp { firewall: l }
            | IpRef::NicPrivateIp { nic: l }
            | IpRef::LbFrontendPrivateIp { lb: l, .. } => l.origin = o,
            IpRef::Literal { .. } | IpRef::Unknown { .. } => {}
        }
        self
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Route {
    pub meta: Meta,
    pub table: Link,
    pub prefix: Spanned<Prefix>,
    pub next_hop_type: Spanned<Known<NextHopType>>,
    pub next_hop_ip: Option<Spanned<IpRef>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DnatRule {
    pub name: String,
    pub collection: String,
    #[serde(skip)]
    pub origin: Origin,
    pub sources: Vec<Prefix>,
    pub destination_addresses: Vec<Prefix>,
    pub destination_ports: Vec<String>,
    pub translated_address: Known<String>,
    pub translated_port: Option<String>,
    /// `TCP`, `UDP` as written (empty: not known).
    pub protocols: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkRule {
    pub name: String,
    pub collection: String,
    #[serde(skip)]
    pub origin: Origin,
    pub action_allow: bool,
    pub sources: Vec<Prefix>,
    pub destinations: Vec<Prefix>,
    pub destination_ports: Vec<String>,
    pub protocols: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppRule {
    pub name: String,
    pub collection: String,
    #[serde(skip)]
    pub origin: Origin,
    pub sources: Vec<Prefix>,
}

/// Firewall rules, from a policy's rule collection groups or a classic firewall's collections.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RuleSet {
    pub dnat: Vec<DnatRule>,
    pub network: Vec<NetworkRule>,
    pub application: Vec<AppRule>,
}

impl RuleSet {
    pub fn extend(&mut self, other: &RuleSet) {
        self.dnat.extend(other.dnat.iter().cloned());
        self.network.extend(other.network.iter().cloned());
        self.application.extend(other.application.iter().cloned());
    }
    pub fn is_empty(&self) -> bool {
        self.dnat.is_empty() && self.network.is_empty() && self.application.is_empty()
    }
}

/// Rules that attach to a policy or a firewall by reference (rule collection group,
/// classic rule collection).
#[derive(Clone, Debug, Serialize)]
pub struct RuleAttachment {
    pub meta: Meta,
    /// Either a policy or a firewall.
    pub policy: Option<Link>,
    pub firewall: Option<Link>,
    pub rules: RuleSet,
}

#[derive(Clone, Debug, Serialize)]
pub struct FirewallPolicy {
    pub meta: Meta,
    pub base_policy: Option<Link>,
    /// SNAT private ranges; `None` = the default (IANA private ranges).
    pub private_ranges: Option<Vec<Prefix>>,
    pub rules: RuleSet,
}

#[derive(Clone, Debug, Serialize)]
pub struct Firewall {
    pub meta: Meta,
    /// Subnet of the first `ip_configuration` (must be `AzureFirewallSubnet`).
    pub subnet: Option<Link>,
    /// A private IP written in the configuration (rare; Azure computes it).
    pub declared_private_ip: Option<Ipv4Addr>,
    pub public_ips: Vec<Link>,
    pub management_subnet: Option<Link>,
    pub policy: Option<Link>,
    pub private_ranges: Option<Vec<Prefix>>,
    /// Rules declared inline (classic firewall, ARM properties).
    pub rules: RuleSet,
    /// Firewall in a Virtual WAN hub (not analysed).
    pub in_virtual_hub: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GatewayKind {
    Vpn,
    ExpressRoute,
    Unknown,
}

#[derive(Clone, Debug, Serialize)]
pub struct Gateway {
    pub meta: Meta,
    pub kind: GatewayKind,
    /// Subnet of the first IP configuration (must be `GatewaySubnet`).
    pub subnet: Option<Link>,
    pub bgp_enabled: bool,
    pub public_ips: Vec<Link>,
    /// The SKU as written (`VpnGw1`, `Basic`), with where it is set.
    pub sku: Option<Spanned<String>>,
    /// Point-to-site client address pools: remote prefixes like on-premises ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_pools: Vec<Spanned<Prefix>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LocalGateway {
    pub meta: Meta,
    pub address_space: Vec<Spanned<Prefix>>,
    pub bgp: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Connection {
    pub meta: Meta,
    pub kind: Option<String>,
    pub gateway: Link,
    pub local_gateway: Option<Link>,
    /// The other VNet's gateway of a VNet-to-VNet connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_gateway: Option<Link>,
    pub bgp: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct PublicIp {
    pub meta: Meta,
    pub sku: Option<String>,
    pub address: Option<Ipv4Addr>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Frontend {
    pub name: String,
    #[serde(skip)]
    pub origin: Origin,
    pub public_ip: Option<Link>,
    pub subnet: Option<Link>,
    pub private_ip: Option<Ipv4Addr>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoadBalancer {
    pub meta: Meta,
    /// `Standard`, `Basic`, `Gateway`; `None` = not set (azurerm default Basic).
    pub sku: Option<String>,
    pub frontends: Vec<Frontend>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackendPool {
    pub meta: Meta,
    pub lb: Link,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LbRuleKind {
    LoadBalancing,
    InboundNat,
    Outbound,
}

#[derive(Clone, Debug, Serialize)]
pub struct LbRule {
    pub meta: Meta,
    pub kind: LbRuleKind,
    pub lb: Link,
    pub frontend: Option<String>,
    pub backend_pools: Vec<Link>,
    /// Inbound NAT rule bound to NICs by association.
    pub frontend_port: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NicIpConfig {
    pub name: String,
    #[serde(skip)]
    pub origin: Origin,
    pub subnet: Option<Link>,
    pub private_ip: Option<Ipv4Addr>,
    pub public_ip: Option<Link>,
    pub backend_pools: Vec<Link>,
    pub nat_rules: Vec<Link>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Nic {
    pub meta: Meta,
    pub ip_configs: Vec<NicIpConfig>,
    pub ip_forwarding: Flag,
    pub nsg: Option<Link>,
    /// `true` for a scale set's NIC template (one NIC per instance).
    pub scale_set: bool,
}

/// A NIC's association made by a separate resource (backend pool, NAT rule, NSG).
#[derive(Clone, Debug, Serialize)]
pub struct NicAssociation {
    pub meta: Meta,
    pub nic: Link,
    pub ip_config: Option<String>,
    pub target: Link,
    pub kind: NicAssociationKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NicAssociationKind {
    BackendPool,
    NatRule,
    Nsg,
}

/// A subnet's association made by a separate resource.
#[derive(Clone, Debug, Serialize)]
pub struct SubnetAssociation {
    pub meta: Meta,
    pub subnet: Link,
    pub target: Link,
    pub kind: SubnetAssociationKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SubnetAssociationKind {
    RouteTable,
    Nsg,
}

#[derive(Clone, Debug, Serialize)]
pub struct Vm {
    pub meta: Meta,
    pub nics: Vec<Link>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Nsg {
    pub meta: Meta,
    pub rule_count: usize,
    /// Its security rules: inline ones, then (linker) those declared as separate resources.
    pub rules: Vec<NsgRule>,
    /// `false` when some of its rules could not be read (a `dynamic` block or list whose
    /// items are not known): an evaluation that needs them is not known.
    pub rules_complete: bool,
}

/// One NSG security rule, as written. Values the configuration does not determine are
/// `None` / `Known::Unknown`; evaluation treats them as "may match".
#[derive(Clone, Debug, Serialize)]
pub struct NsgRule {
    pub name: String,
    #[serde(skip)]
    pub origin: Origin,
    pub priority: Option<u32>,
    /// `true` inbound, `false` outbound.
    pub inbound: Known<bool>,
    /// `true` Allow, `false` Deny.
    pub allow: Known<bool>,
    /// `*`, `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` as written; `None` when not known.
    pub protocol: Option<String>,
    /// Address prefixes and service tags (`*` is `0.0.0.0/0`).
    pub sources: Vec<Prefix>,
    /// Source application security groups are named.
    pub source_asgs: bool,
    pub destinations: Vec<Prefix>,
    pub destination_asgs: bool,
    /// `*`, `443`, `1000-2000`; empty when not known.
    pub destination_ports: Vec<String>,
}

/// A security rule declared as a resource of its own (`azurerm_network_security_rule`,
/// `Microsoft.Network/networkSecurityGroups/securityRules`); the linker adds it to its NSG.
#[derive(Clone, Debug, Serialize)]
pub struct NsgRuleDecl {
    pub meta: Meta,
    pub nsg: Link,
    pub rule: NsgRule,
}

/// Bastion hosts, application gateways and other things that sit in a subnet.
#[derive(Clone, Debug, Serialize)]
pub struct SubnetService {
    pub meta: Meta,
    pub kind: String,
    pub subnet: Option<Link>,
    pub has_public_frontend: bool,
    /// The SKU name where the service has one (`Standard_v2`, `WAF_v2`, `Basic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

/// A construct routelint recognises and does not analyse (Virtual WAN routing intent,
/// Virtual Network Manager connectivity…).
#[derive(Clone, Debug, Serialize)]
pub struct NotAnalysed {
    pub meta: Meta,
    pub what: String,
    pub why: String,
    pub construct: Construct,
    /// The VNet it attaches (a Virtual WAN hub's VNet connection), linked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vnet: Option<Link>,
    /// The subnet it sits in (a Route Server's `RouteServerSubnet`), linked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Link>,
}

/// Which kind of construct a [`NotAnalysed`] element is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Construct {
    /// Virtual WAN: virtual WANs, their hubs, hub connections, routing intent, hub route
    /// tables, firewalls in a hub (rule RL022 reports them).
    VirtualWan,
    /// Azure Route Server: routes the NVAs announce over BGP are not in the code.
    RouteServer,
    /// Azure Virtual Network Manager connectivity (peerings not declared as resources).
    NetworkManager,
}

/// A data source matched by name to a declared resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataMatch {
    pub data: String,
    pub resource: String,
    #[serde(skip)]
    pub origin: Origin,
}

/// A module `terraform init` downloaded (registry or git, and the local modules inside
/// it): its files are not the user's to edit, so a finding inside it is reported at the
/// `module` block in the user's code that brings it in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DownloadedModule {
    /// Module address (`module.hub.module.firewall`).
    pub address: String,
    /// Where `terraform init` put it (canonical).
    #[serde(skip)]
    pub dir: std::path::PathBuf,
    /// The `module` block in the user's code that brings it in (directly or through other
    /// downloaded modules).
    #[serde(skip)]
    pub call: Origin,
}

/// A value the configuration does not determine, with where and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct UnknownNote {
    /// What is unknown ("route `to-fw` next hop IP").
    pub what: String,
    pub reason: String,
    #[serde(skip)]
    pub origin: Origin,
}

macro_rules! ids {
    ($($name:ident),*) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub struct $name(pub usize);
    )*};
}
ids!(
    VNetId,
    SubnetId,
    PeeringId,
    RouteTableId,
    RouteId,
    FirewallId,
    GatewayId,
    NicId,
    LbId,
    PublicIpId
);

/// A device that forwards packets: the next hop of a `VirtualAppliance` route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Device {
    Firewall(FirewallId),
    Nva(NicId),
    /// An internal load balancer frontend (index into its `frontends`) used as next hop
    /// (HA NVAs behind it). HA-ports flow symmetry holds per frontend: each is a device.
    Lb(LbId, usize),
}

/// Everything one root module (Terraform) or one template (ARM) declares.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    /// Front end that built it: `terraform` or `arm`.
    pub front_end: String,
    /// The root: module directory or template file.
    pub root: String,
    pub vnets: Vec<VNet>,
    pub subnets: Vec<Subnet>,
    pub peerings: Vec<Peering>,
    pub route_tables: Vec<RouteTable>,
    pub routes: Vec<Route>,
    pub firewalls: Vec<Firewall>,
    pub firewall_policies: Vec<FirewallPolicy>,
    pub rule_attachments: Vec<RuleAttachment>,
    pub gateways: Vec<Gateway>,
    pub local_gateways: Vec<LocalGateway>,
    pub connections: Vec<Connection>,
    pub public_ips: Vec<PublicIp>,
    pub load_balancers: Vec<LoadBalancer>,
    pub backend_pools: Vec<BackendPool>,
    pub lb_rules: Vec<LbRule>,
    pub nics: Vec<Nic>,
    pub nic_associations: Vec<NicAssociation>,
    pub subnet_associations: Vec<SubnetAssociation>,
    pub vms: Vec<Vm>,
    pub nsgs: Vec<Nsg>,
    pub nsg_rules: Vec<NsgRuleDecl>,
    /// Some NSG or security rule resource was not expanded (an unknown `count` or
    /// `for_each`): no NSG's rule list is certainly complete.
    pub nsg_rules_incomplete: bool,
    pub services: Vec<SubnetService>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub not_analysed: Vec<NotAnalysed>,
    pub unknowns: Vec<UnknownNote>,
    /// Terraform data sources that name a resource the same configuration declares (same
    /// type, name, resource group, VNet), read as that resource: (data source address,
    /// resource address, where the data source is declared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_matches: Vec<DataMatch>,
    /// Modules `terraform init` downloaded, with the user's `module` block for each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub downloaded_modules: Vec<DownloadedModule>,
    /// Filled by the linker: each firewall's resolved front-end private IP.
    pub firewall_ips: Vec<Option<ResolvedIp>>,
    /// Filled by the linker: each firewall's effective rules (own + policy + attachments).
    pub firewall_rules: Vec<RuleSet>,
    /// Filled by the linker: (local VNet, remote VNet) -> the peerings declared between them
    /// in that direction, in declaration order.
    #[serde(skip)]
    pub peering_index: foldhash::HashMap<(usize, usize), Vec<PeeringId>>,
    /// Filled by the linker: each VNet's own (outgoing) peerings, in declaration order.
    #[serde(skip)]
    pub peerings_from: foldhash::HashMap<usize, Vec<PeeringId>>,
    /// The notes in `unknowns`, as a set (see `push_unknown`).
    #[serde(skip)]
    pub unknown_index: foldhash::HashSet<UnknownNote>,
    /// Filled by the linker: the subnets associated with each route table, in order.
    #[serde(skip)]
    pub subnets_by_table: foldhash::HashMap<usize, Vec<SubnetId>>,
}

/// An IP address and whether routelint derived it by convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedIp {
    #[serde(serialize_with = "ser_display")]
    pub ip: Ipv4Addr,
    /// `true` when derived (first usable host, .4, of the subnet), not declared.
    pub derived: bool,
}

/// Well-known subnet names.
pub mod special {
    pub const GATEWAY_SUBNET: &str = "GatewaySubnet";
    pub const FIREWALL_SUBNET: &str = "AzureFirewallSubnet";
    pub const FIREWALL_MANAGEMENT_SUBNET: &str = "AzureFirewallManagementSubnet";
    pub const BASTION_SUBNET: &str = "AzureBastionSubnet";
    pub const ROUTE_SERVER_SUBNET: &str = "RouteServerSubnet";

    /// Subnets that Azure runs services in and that hold no workloads of the user's.
    pub fn is_infrastructure(name: &str) -> bool {
        [
            GATEWAY_SUBNET,
            FIREWALL_SUBNET,
            FIREWALL_MANAGEMENT_SUBNET,
            BASTION_SUBNET,
            ROUTE_SERVER_SUBNET,
        ]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
    }
}

impl Model {
    /// Appends what `other` declares after what this model declares, as if its elements
    /// had been pushed here in order (a front end lowers parts of one input separately and
    /// joins them). Both are unlinked: the linker's fields of `other` are empty, and
    /// `front_end`/`root` stay this model's. Every field is named, so a new one cannot be
    /// forgotten here.
    pub fn append(&mut self, other: Model) {
        let Model {
            front_end: _,
            root: _,
            vnets,
            subnets,
            peerings,
            route_tables,
            routes,
            firewalls,
            firewall_policies,
            rule_attachments,
            gateways,
            local_gateways,
            connections,
            public_ips,
            load_balancers,
            backend_pools,
            lb_rules,
            nics,
            nic_associations,
            subnet_associations,
            vms,
            nsgs,
            nsg_rules,
            nsg_rules_incomplete,
            services,
            private_endpoints,
            not_analysed,
            unknowns,
            data_matches,
            downloaded_modules,
            firewall_ips,
            firewall_rules,
            peering_index,
            peerings_from,
            unknown_index,
            subnets_by_table,
        } = other;
        debug_assert!(
            firewall_ips.is_empty()
                && firewall_rules.is_empty()
                && peering_index.is_empty()
                && peerings_from.is_empty()
                && subnets_by_table.is_empty(),
            "append joins unlinked models"
        );
        join(&mut self.vnets, vnets);
        join(&mut self.subnets, subnets);
        join(&mut self.peerings, peerings);
        join(&mut self.route_tables, route_tables);
        join(&mut self.routes, routes);
        join(&mut self.firewalls, firewalls);
        join(&mut self.firewall_policies, firewall_policies);
        join(&mut self.rule_attachments, rule_attachments);
        join(&mut self.gateways, gateways);
        join(&mut self.local_gateways, local_gateways);
        join(&mut self.connections, connections);
        join(&mut self.public_ips, public_ips);
        join(&mut self.load_balancers, load_balancers);
        join(&mut self.backend_pools, backend_pools);
        join(&mut self.lb_rules, lb_rules);
        join(&mut self.nics, nics);
        join(&mut self.nic_associations, nic_associations);
        join(&mut self.subnet_associations, subnet_associations);
        join(&mut self.vms, vms);
        join(&mut self.nsgs, nsgs);
        join(&mut self.nsg_rules, nsg_rules);
        self.nsg_rules_incomplete |= nsg_rules_incomplete;
        join(&mut self.services, services);
        join(&mut self.private_endpoints, private_endpoints);
        join(&mut self.not_analysed, not_analysed);
        // The index is rebuilt from the list when next needed (`push_unknown`).
        join(&mut self.unknowns, unknowns);
        drop(unknown_index);
        join(&mut self.data_matches, data_matches);
        join(&mut self.downloaded_modules, downloaded_modules);
        /// Moves `b` after `a`'s elements: `b` itself when `a` is empty (no copy).
        fn join<T>(a: &mut Vec<T>, b: Vec<T>) {
            if a.is_empty() {
                *a = b;
            } else {
                a.extend(b);
            }
        }
    }

    /// The first peering declared from `local` to `remote`.
    pub fn peering_between(&self, local: usize, remote: usize) -> Option<PeeringId> {
        self.peering_index
            .get(&(local, remote))
            .and_then(|v| v.first().copied())
    }
    /// The peerings a VNet owns.
    pub fn peerings_of(&self, v: usize) -> &[PeeringId] {
        self.peerings_from.get(&v).map(Vec::as_slice).unwrap_or(&[])
    }
    /// The declaration of a device (firewall, NIC, load balancer).
    pub fn device_meta(&self, d: Device) -> &Meta {
        match d {
            Device::Firewall(f) => &self.firewalls[f.0].meta,
            Device::Nva(n) => &self.nics[n.0].meta,
            Device::Lb(l, _) => &self.load_balancers[l.0].meta,
        }
    }
    pub fn vnet(&self, id: VNetId) -> &VNet {
        &self.vnets[id.0]
    }
    pub fn subnet(&self, id: SubnetId) -> &Subnet {
        &self.subnets[id.0]
    }
    pub fn subnet_vnet(&self, id: SubnetId) -> Option<VNetId> {
        self.subnets[id.0].vnet.id.map(VNetId)
    }
    /// `vnet/subnet`, the name users select subnets by.
    pub fn subnet_label(&self, id: SubnetId) -> String {
        let s = &self.subnets[id.0];
        match s.vnet.id {
            Some(v) => format!("{}/{}", self.vnets[v].meta.display(), s.meta.display()),
            None => s.meta.display().to_string(),
        }
    }
    pub fn subnet_name(&self, id: SubnetId) -> &str {
        self.subnets[id.0].meta.name.as_deref().unwrap_or("")
    }
    /// Known IPv4 prefixes of a subnet.
    /// A private endpoint's subnet and address: its static /32, else its subnet's (first)
    /// prefix, which stands for the address Azure allocates there.
    pub fn endpoint_address(&self, endpoint: usize) -> Option<(SubnetId, Ipv4Net)> {
        let pe = &self.private_endpoints[endpoint];
        let s = SubnetId(pe.subnet.as_ref()?.id?);
        let net = match &pe.ip {
            Some(ip) => Ipv4Net::new(ip.value, 32).ok()?,
            None => self.subnet_prefixes(s).first().copied()?,
        };
        Some((s, net))
    }

    pub fn subnet_prefixes(&self, id: SubnetId) -> Vec<Ipv4Net> {
        self.subnets[id.0]
            .prefixes
            .iter()
            .filter_map(|p| p.value.v4())
            .collect()
    }
    pub fn vnet_prefixes(&self, id: VNetId) -> Vec<Ipv4Net> {
        self.vnets[id.0]
            .address_space
            .iter()
            .filter_map(|p| p.value.v4())
            .collect()
    }
    /// Finds a subnet by `vnet/subnet` (Azure names), by address, or by a unique subnet name.
    pub fn find_subnet(&self, sel: &str) -> Vec<SubnetId> {
        let by_label: Vec<SubnetId> = (0..self.subnets.len())
            .map(SubnetId)
            .filter(|&s| {
                self.subnet_label(s).eq_ignore_ascii_case(sel)
                    || self.subnets[s.0].meta.key == sel
                    || self.subnets[s.0].meta.aliases.iter().any(|a| a == sel)
            })
            .collect();
        if !by_label.is_empty() {
            return by_label;
        }
        (0..self.subnets.len())
            .map(SubnetId)
            .filter(|&s| {
                self.subnets[s.0]
                    .meta
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(sel))
            })
            .collect()
    }
    /// The subnet of a VNet that contains an address.
    pub fn subnet_containing(&self, ip: Ipv4Addr) -> Option<SubnetId> {
        (0..self.subnets.len())
            .map(SubnetId)
            .find(|&s| self.subnet_prefixes(s).iter().any(|p| p.contains(&ip)))
    }
    /// The subnets a route table is associated with.
    pub fn subnets_using(&self, table: RouteTableId) -> impl Iterator<Item = SubnetId> + '_ {
        self.subnets_by_table
            .get(&table.0)
            .into_iter()
            .flatten()
            .copied()
    }
    /// Subnets whose prefixes overlap a prefix.
    pub fn subnets_overlapping(&self, net: Ipv4Net) -> Vec<SubnetId> {
        (0..self.subnets.len())
            .map(SubnetId)
            .filter(|&s| {
                self.subnet_prefixes(s)
                    .iter()
                    .any(|p| p.contains(&net) || net.contains(p))
            })
            .collect()
    }
    /// Records a declaration a front end could not analyse (unknown count, condition…).
    pub fn note_not_analysed(&mut self, what: &str, reason: &str, origin: Origin) {
        self.note_unknown(
            format!("`{what}`"),
            format!("not analysed: {reason}"),
            origin,
        );
    }

    pub fn note_unknown(
        &mut self,
        what: impl Into<String>,
        reason: impl Into<String>,
        origin: Origin,
    ) {
        let n = UnknownNote {
            what: what.into(),
            reason: reason.into(),
            origin,
        };
        self.push_unknown(n);
    }

    /// Adds a note unless the same one is there (a set, not a scan: an estate may have
    /// thousands of notes).
    pub(crate) fn push_unknown(&mut self, n: UnknownNote) {
        if self.unknown_index.len() != self.unknowns.len() {
            self.unknown_index = self.unknowns.iter().cloned().collect();
        }
        if self.unknown_index.insert(n.clone()) {
            self.unknowns.push(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note said twice is kept once, in the order first said, also when notes were
    /// pushed without `note_unknown` in between.
    #[test]
    fn unknown_notes_are_kept_once_in_order() {
        let mut m = Model::default();
        let o = |i: usize| Origin::new(0, i..i + 1);
        for i in 0..3000 {
            m.note_unknown(format!("v{}", i % 1000), "not known", o(i % 1000));
        }
        assert_eq!(m.unknowns.len(), 1000);
        assert_eq!(m.unknowns[0].what, "v0");
        assert_eq!(m.unknowns[999].what, "v999");
        m.unknowns.push(UnknownNote {
            what: "direct".into(),
            reason: "r".into(),
            origin: o(0),
        });
        m.note_unknown("direct", "r", o(0));
        m.note_unknown("v5", "not known", o(5));
        m.note_unknown("new", "r", o(1));
        assert_eq!(m.unknowns.len(), 1002);
        assert_eq!(m.unknowns[1001].what, "new");
    }
}
