//! Evaluated ARM resources -> IR elements. Property paths read are listed per type.

use super::eval::{ArmResource, Spans};
use super::fix::{Object, Syntax};
use crate::frontend::to_ir;
use crate::frontend::value::Value;
use crate::ir::*;
use crate::source::Origin;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// Where a property of a resource is shown to the user (the JSON, or the `.bicep` source).
/// Paths are found through the resource's [`Spans`] (`s.r` is the resource), which
/// resumes each walk where the one before left off.
pub trait Locate {
    fn at(&self, s: &Spans, path: &str) -> Origin;
    /// The declaration's first line (a label about the whole element).
    fn header(&self, s: &Spans) -> Option<Origin>;
    /// Positions (and so fixes) are in Bicep source.
    fn is_bicep(&self, _r: &ArmResource) -> bool {
        false
    }
    /// The span of exactly this path, or `None` (no fallback to an enclosing value).
    fn exact(&self, s: &Spans, path: &str) -> Option<Origin> {
        s.span_at(path).map(|x| Origin::new(s.r.file, x))
    }
    /// The resource's symbolic name in the Bicep source, where it has one.
    fn symbol(&self, _r: &ArmResource) -> Option<String> {
        None
    }
}

/// Positions in the template JSON itself.
pub struct JsonLocator;

impl Locate for JsonLocator {
    fn at(&self, s: &Spans, path: &str) -> Origin {
        s.span_of(path)
    }
    fn header(&self, s: &Spans) -> Option<Origin> {
        s.span_at("name").map(|x| Origin::new(s.r.file, x))
    }
}

fn ci<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a Value> {
    m.get(k).or_else(|| {
        m.iter()
            .find(|(x, _)| x.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    })
}

/// `get(v, "properties.addressSpace.addressPrefixes")`, case-insensitive.
pub fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        cur = match cur {
            Value::Map(m) => ci(m, seg)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn string(v: &Value, path: &str) -> Option<String> {
    get(v, path).and_then(|x| x.to_tf_string())
}

fn target(v: &Value) -> Target {
    match v {
        Value::String(s) if s.contains('/') => Target::AzureId(s.clone()),
        Value::String(s) => Target::Name {
            name: s.clone(),
            rg: None,
        },
        Value::Ref(r) => Target::Key(r.addr.clone()),
        Value::Unknown(u) => Target::Unknown(u.reason.clone()),
        other => Target::Unknown(to_ir::why(other)),
    }
}

struct Ctx<'a> {
    loc: &'a dyn Locate,
    /// The resource's positions (`spans.r` is the resource).
    spans: Spans<'a>,
}

impl<'a> Ctx<'a> {
    fn r(&self) -> &'a ArmResource {
        self.spans.r
    }
    fn o(&self, path: &str) -> Origin {
        self.loc.at(&self.spans, path)
    }
    /// A link from `<base>.<path>` (an `{ "id": … }` object or a plain id).
    fn link(&self, base: &Value, bpath: &str, path: &str) -> Option<Link> {
        let v = get(base, path)?;
        let v = match v {
            Value::Map(_) => get(v, "id")?,
            other => other,
        };
        if matches!(v, Value::Null) {
            return None;
        }
        Some(Link::new(target(v), self.o(&join(bpath, path))))
    }
    fn prefixes(&self, base: &Value, bpath: &str, path: &str) -> Vec<Spanned<Prefix>> {
        match get(base, path) {
            Some(Value::List(l)) => l
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    Spanned::new(
                        to_ir::prefix(v),
                        self.o(&format!("{}[{i}]", join(bpath, path))),
                    )
                })
                .collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(v) => vec![Spanned::new(to_ir::prefix(v), self.o(&join(bpath, path)))],
        }
    }
    fn flag(&self, base: &Value, bpath: &str, path: &str, default: bool, invert: bool) -> Flag {
        match get(base, path) {
            None | Some(Value::Null) => Flag::default_value(default),
            Some(v) => Flag {
                value: match v.as_bool() {
                    Some(b) => Known::Known(b != invert),
                    None => Known::Unknown(to_ir::why(v)),
                },
                origin: Some(self.set_origin(&join(bpath, path))),
            },
        }
    }
    /// Where a property's value is written: its parameters-file value when the property is
    /// exactly that parameter, else the property itself.
    fn set_origin(&self, path: &str) -> Origin {
        self.r()
            .set_at
            .get(path)
            .copied()
            .unwrap_or_else(|| self.o(path))
    }
    /// Where the element at `ipath` (`""`: the resource) lives, for fixes.
    fn object(&self, ipath: &str, routes: bool) -> Object {
        Object {
            bicep: self.loc.is_bicep(self.r()),
            properties: self.loc.exact(&self.spans, &join(ipath, "properties")),
            routes: if routes {
                self.loc
                    .exact(&self.spans, &join(ipath, "properties.routes"))
            } else {
                None
            },
        }
    }
    fn meta(&self) -> Meta {
        // The symbolic name (languageVersion 2.0), else the Bicep declaration's: fixes in
        // Bicep refer to resources by it.
        let symbol = self
            .r()
            .symbolic
            .clone()
            .or_else(|| self.loc.symbol(self.r()));
        Meta {
            key: self.r().key.clone(),
            aliases: symbol.into_iter().collect(),
            name: self.r().name.rsplit('/').next().map(str::to_string),
            resource_group: None,
            origin: self.loc.at(&self.spans, ""),
            header: self.loc.header(&self.spans),
        }
    }
    fn sub_meta(&self, kind: &str, item: &Value, ipath: &str) -> Meta {
        let name = string(item, "name");
        Meta {
            key: format!(
                "{}/{kind}/{}",
                self.r().key,
                name.clone().unwrap_or_else(|| ipath.to_string())
            ),
            aliases: Vec::new(),
            name,
            resource_group: None,
            origin: self.o(ipath),
            header: Some(self.o(&join(ipath, "name"))),
        }
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => {
            let mut s = String::with_capacity(a.len() + 1 + b.len());
            s.push_str(a);
            s.push('.');
            s.push_str(b);
            s
        }
    }
}

fn plain_prefixes(v: &Value, path: &str) -> Vec<Prefix> {
    to_ir::prefixes(get(v, path))
}

fn strings(v: &Value, path: &str) -> Vec<String> {
    to_ir::strings(get(v, path))
}

fn items<'a>(v: &'a Value, path: &str) -> Vec<&'a Value> {
    match get(v, path) {
        Some(Value::List(l)) => l.iter().collect(),
        _ => Vec::new(),
    }
}

/// The private IPs an ARM `reference(...)` can name: `privateIPAddress` of a firewall's
/// (or NIC's, or load balancer's) IP configuration.
fn ip_ref(v: &Value) -> IpRef {
    to_ir::ip_ref(v, |r, link| {
        let last = r
            .attr_names()
            .last()
            .copied()
            .unwrap_or("")
            .to_ascii_lowercase();
        match (r.rtype.to_ascii_lowercase().as_str(), last.as_str()) {
            ("microsoft.network/azurefirewalls", "privateipaddress") => {
                Some(IpRef::FirewallPrivateIp { firewall: link })
            }
            ("microsoft.network/networkinterfaces", "privateipaddress") => {
                Some(IpRef::NicPrivateIp { nic: link })
            }
            ("microsoft.network/loadbalancers", "privateipaddress") => {
                Some(IpRef::LbFrontendPrivateIp {
                    lb: link,
                    frontend: to_ir::indexed_after(r, "frontendIPConfigurations"),
                })
            }
            _ => None,
        }
    })
}

fn literal_ip(v: &Value, path: &str) -> Option<Ipv4Addr> {
    get(v, path)
        .and_then(|x| x.as_str())
        .and_then(|s| s.trim().parse().ok())
}

fn route(c: &Ctx, item: &Value, ipath: &str, meta: Meta, table: Link) -> Route {
    let p = |s: &str| join(ipath, s);
    let prefix = match get(item, "properties.addressPrefix") {
        Some(v) => to_ir::prefix(v),
        None => Prefix::Unknown("`addressPrefix` is not set".into()),
    };
    let nht = match get(item, "properties.nextHopType") {
        Some(Value::String(s)) => match NextHopType::parse(s) {
            Some(t) => Known::Known(t),
            None => Known::Unknown(format!("`{s}` is not a next hop type")),
        },
        Some(v) => Known::Unknown(to_ir::why(v)),
        None => Known::Unknown("`nextHopType` is not set".into()),
    };
    let ip = match get(item, "properties.nextHopIpAddress") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => {
            let o = c.o(&p("properties.nextHopIpAddress"));
            Some(Spanned::new(ip_ref(v).with_origin(o), o))
        }
    };
    Route {
        meta,
        table,
        prefix: Spanned::new(prefix, c.o(&p("properties.addressPrefix"))),
        next_hop_type: Spanned::new(nht, c.o(&p("properties.nextHopType"))),
        next_hop_ip: ip,
    }
}

fn subnet(c: &Ctx, item: &Value, ipath: &str, meta: Meta, vnet: Link) -> Subnet {
    let mut prefixes = c.prefixes(item, ipath, "properties.addressPrefixes");
    if prefixes.is_empty() {
        prefixes = c.prefixes(item, ipath, "properties.addressPrefix");
    }
    Subnet {
        meta,
        vnet,
        prefixes,
        route_table: c.link(item, ipath, "properties.routeTable"),
        nsg: c.link(item, ipath, "properties.networkSecurityGroup"),
        service_endpoints: items(item, "properties.serviceEndpoints")
            .iter()
            .filter_map(|s| string(s, "service"))
            .collect(),
        endpoint_route_policies: endpoint_policies(c, item, ipath),
    }
}

/// `privateEndpointNetworkPolicies`: route tables apply to the subnet's private endpoints
/// when `Enabled` or `RouteTableEnabled` (default `Disabled`).
fn endpoint_policies(c: &Ctx, item: &Value, ipath: &str) -> Flag {
    let path = "properties.privateEndpointNetworkPolicies";
    match get(item, path) {
        None | Some(Value::Null) => Flag::default_value(false),
        Some(v) => Flag {
            value: match v.to_tf_string() {
                Some(s) => Known::Known(to_ir::endpoint_route_tables_apply(&s)),
                None => Known::Unknown(to_ir::why(v)),
            },
            origin: Some(c.set_origin(&join(ipath, path))),
        },
    }
}

fn peering(c: &Ctx, item: &Value, ipath: &str, meta: Meta, local: Link) -> Peering {
    Peering {
        meta,
        local_vnet: local,
        remote_vnet: c
            .link(item, ipath, "properties.remoteVirtualNetwork")
            .unwrap_or_else(|| {
                Link::new(
                    Target::Unknown("`remoteVirtualNetwork` is not set".into()),
                    c.o(ipath),
                )
            }),
        allow_virtual_network_access: c.flag(
            item,
            ipath,
            "properties.allowVirtualNetworkAccess",
            true,
            false,
        ),
        allow_forwarded_traffic: c.flag(
            item,
            ipath,
            "properties.allowForwardedTraffic",
            false,
            false,
        ),
        allow_gateway_transit: c.flag(item, ipath, "properties.allowGatewayTransit", false, false),
        use_remote_gateways: c.flag(item, ipath, "properties.useRemoteGateways", false, false),
    }
}

/// What kind of rules a firewall rule collection holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    Nat,
    Network,
    Application,
}

/// Rules of firewall rule collections. A classic firewall's collections
/// (`natRuleCollections`, …) hold one kind each; a policy's rule collection groups say it
/// per rule (`ruleType`).
fn rules_of(c: &Ctx, collections: &[&Value], classic: Option<RuleKind>) -> RuleSet {
    let mut rs = RuleSet::default();
    for col in collections {
        let cname = string(col, "name").unwrap_or_default();
        let (rules_path, action) = match classic {
            Some(_) => ("properties.rules", string(col, "properties.action.type")),
            None => ("rules", string(col, "action.type")),
        };
        let allow = action
            .as_deref()
            .is_none_or(|a| a.eq_ignore_ascii_case("allow") || a.eq_ignore_ascii_case("dnat"));
        for r in items(col, rules_path) {
            let kind = classic.unwrap_or_else(|| {
                match string(r, "ruleType")
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "natrule" => RuleKind::Nat,
                    "applicationrule" => RuleKind::Application,
                    _ => RuleKind::Network,
                }
            });
            let name = string(r, "name").unwrap_or_default();
            let origin = c.o("");
            match kind {
                RuleKind::Nat => rs.dnat.push(DnatRule {
                    name,
                    collection: cname.clone(),
                    origin,
                    sources: plain_prefixes(r, "sourceAddresses"),
                    destination_addresses: plain_prefixes(r, "destinationAddresses"),
                    destination_ports: strings(r, "destinationPorts"),
                    translated_address: match get(r, "translatedAddress")
                        .or_else(|| get(r, "translatedFqdn"))
                    {
                        Some(Value::String(s)) => Known::Known(s.clone()),
                        Some(v) => Known::Unknown(to_ir::why(v)),
                        None => Known::Unknown("`translatedAddress` is not set".into()),
                    },
                    translated_port: string(r, "translatedPort"),
                    protocols: {
                        let mut p = strings(r, "ipProtocols");
                        p.extend(strings(r, "protocols"));
                        p
                    },
                }),
                RuleKind::Application => rs.application.push(AppRule {
                    name,
                    collection: cname.clone(),
                    origin,
                    sources: plain_prefixes(r, "sourceAddresses"),
                }),
                RuleKind::Network => {
                    let listed = |k: &str| {
                        get(r, k).is_some_and(|v| v.as_list().is_some_and(|l| !l.is_empty()))
                    };
                    let mut destinations = plain_prefixes(r, "destinationAddresses");
                    if listed("destinationIpGroups") || listed("destinationFqdns") {
                        destinations.push(Prefix::Unknown(
                            "IP groups / FQDNs are resolved by Azure".into(),
                        ));
                    }
                    let mut sources = plain_prefixes(r, "sourceAddresses");
                    if listed("sourceIpGroups") {
                        sources.push(Prefix::Unknown("IP groups are resolved by Azure".into()));
                    }
                    let mut protocols = strings(r, "ipProtocols");
                    protocols.extend(strings(r, "protocols"));
                    rs.network.push(NetworkRule {
                        name,
                        collection: cname.clone(),
                        origin,
                        action_allow: allow,
                        sources,
                        destinations,
                        destination_ports: strings(r, "destinationPorts"),
                        protocols,
                    });
                }
            }
        }
    }
    rs
}

/// One security rule: an item of an NSG's `securityRules`, or a `securityRules` resource.
fn nsg_rule(c: &Ctx, item: &Value, ipath: &str) -> NsgRule {
    let p = |k: &str| join("properties", k);
    let one_or_many = |one: &str, many: &str| -> Vec<Prefix> {
        let mut v = plain_prefixes(item, &p(one));
        v.extend(plain_prefixes(item, &p(many)));
        v
    };
    let choice = |key: &str, yes: &str, no: &str| match string(item, &p(key)) {
        Some(s) if s.eq_ignore_ascii_case(yes) => Known::Known(true),
        Some(s) if s.eq_ignore_ascii_case(no) => Known::Known(false),
        Some(s) => Known::Unknown(format!("`{s}` is not {yes} or {no}")),
        None => Known::Unknown(format!("`{key}` is not known")),
    };
    let ports = match (
        to_ir::strings_exact(get(item, &p("destinationPortRange"))),
        to_ir::strings_exact(get(item, &p("destinationPortRanges"))),
    ) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            a
        }
        _ => Vec::new(),
    };
    NsgRule {
        name: string(item, "name").unwrap_or_default(),
        origin: c.o(ipath),
        priority: to_ir::small_whole(get(item, &p("priority"))),
        inbound: choice("direction", "Inbound", "Outbound"),
        allow: choice("access", "Allow", "Deny"),
        protocol: string(item, &p("protocol")),
        sources: one_or_many("sourceAddressPrefix", "sourceAddressPrefixes"),
        source_asgs: to_ir::names_any(get(item, &p("sourceApplicationSecurityGroups"))),
        destinations: one_or_many("destinationAddressPrefix", "destinationAddressPrefixes"),
        destination_asgs: to_ir::names_any(get(item, &p("destinationApplicationSecurityGroups"))),
        destination_ports: ports,
    }
}

/// A virtual hub without a virtual WAN is an Azure Route Server (Route Server is deployed
/// as `Microsoft.Network/virtualHubs` with an `ipConfigurations` child in
/// `RouteServerSubnet`); a BGP connection is the Route Server's unless it names a Virtual
/// WAN hub connection.
fn is_route_server(rtype: &str, b: &Value) -> bool {
    let set = |p: &str| get(b, p).is_some_and(|v| !matches!(v, Value::Null));
    match rtype {
        "microsoft.network/virtualhubs" => !set("properties.virtualWan"),
        "microsoft.network/virtualhubs/bgpconnections" => {
            !set("properties.hubVirtualNetworkConnection")
        }
        _ => true,
    }
}

/// Lowers one evaluated resource.
pub fn resource(m: &mut Model, syntax: &mut Syntax, r: &ArmResource, loc: &dyn Locate) {
    if r.existing {
        return;
    }
    let c = Ctx {
        loc,
        spans: Spans::new(r),
    };
    let b = &r.body;
    let t = r.rtype.to_ascii_lowercase();
    let parent_key = || {
        let mut parts: Vec<&str> = r.key.split('/').collect();
        parts.truncate(parts.len().saturating_sub(2));
        parts.join("/")
    };
    match t.as_str() {
        // properties.addressSpace.addressPrefixes, properties.subnets[], properties.virtualNetworkPeerings[]
        "microsoft.network/virtualnetworks" => {
            m.vnets.push(VNet { meta: c.meta(), address_space: c.prefixes(b, "", "properties.addressSpace.addressPrefixes"), subnets: Vec::new(), gateways: Vec::new() });
            for (i, s) in items(b, "properties.subnets").into_iter().enumerate() {
                let ip = format!("properties.subnets[{i}]");
                let meta = c.sub_meta("subnets", s, &ip);
                syntax.object(&meta.key, c.object(&ip, false));
                m.subnets.push(subnet(&c, s, &ip, meta, Link::key(r.key.clone(), c.o(&ip))));
            }
            for (i, p) in items(b, "properties.virtualNetworkPeerings").into_iter().enumerate() {
                let ip = format!("properties.virtualNetworkPeerings[{i}]");
                let meta = c.sub_meta("virtualNetworkPeerings", p, &ip);
                syntax.object(&meta.key, c.object(&ip, false));
                m.peerings.push(peering(&c, p, &ip, meta, Link::key(r.key.clone(), c.o(&ip))));
            }
        }
        "microsoft.network/virtualnetworks/subnets" => {
            let meta = c.meta();
            syntax.object(&meta.key, c.object("", false));
            m.subnets.push(subnet(&c, b, "", meta, Link::key(parent_key(), c.o("name"))));
        }
        "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
            let meta = c.meta();
            syntax.object(&meta.key, c.object("", false));
            m.peerings.push(peering(&c, b, "", meta, Link::key(parent_key(), c.o("name"))));
        }
        // properties.disableBgpRoutePropagation, properties.routes[]
        "microsoft.network/routetables" => {
            let meta = c.meta();
            syntax.object(&meta.key, c.object("", true));
            m.route_tables.push(RouteTable {
                meta,
                propagation: c.flag(b, "", "properties.disableBgpRoutePropagation", true, true),
                routes: Vec::new(),
            });
            for (i, it) in items(b, "properties.routes").into_iter().enumerate() {
                let ip = format!("properties.routes[{i}]");
                let meta = c.sub_meta("routes", it, &ip);
                let rt = route(&c, it, &ip, meta, Link::key(r.key.clone(), c.o(&ip)));
                m.routes.push(rt);
            }
        }
        "microsoft.network/routetables/routes" => {
            let meta = c.meta();
            let rt = route(&c, b, "", meta, Link::key(parent_key(), c.o("name")));
            m.routes.push(rt);
        }
        // ipConfigurations[].properties.{subnet,publicIPAddress,privateIPAddress}, managementIpConfiguration,
        // firewallPolicy, {nat,network,application}RuleCollections, additionalProperties, virtualHub
        "microsoft.network/azurefirewalls" => {
            let ipcs = items(b, "properties.ipConfigurations");
            let subnet = ipcs.iter().enumerate().find_map(|(i, ic)| c.link(ic, &format!("properties.ipConfigurations[{i}]"), "properties.subnet"));
            let public_ips = ipcs.iter().enumerate().filter_map(|(i, ic)| c.link(ic, &format!("properties.ipConfigurations[{i}]"), "properties.publicIPAddress")).collect();
            let in_hub = get(b, "properties.virtualHub").is_some_and(|v| !matches!(v, Value::Null));
            if in_hub {
                m.not_analysed.push(NotAnalysed { meta: c.meta(), what: "Azure Firewall in a Virtual WAN hub".into(), why: "Virtual WAN hub routing (routing intent, hub route tables) is not analysed; flows through the hub are not traced".into(), construct: Construct::VirtualWan, vnet: None, subnet: None });
            }
            let private_ranges = match get(b, "properties.additionalProperties") {
                Some(Value::Map(am)) => ci(am, "Network.SNAT.PrivateRanges").and_then(|v| v.to_tf_string()),
                _ => None,
            }
                .map(|s| s.split(',').map(|p| Prefix::parse(p.trim())).collect());
            let mut rules = RuleSet::default();
            for (k, kind) in [
                ("natRuleCollections", RuleKind::Nat),
                ("networkRuleCollections", RuleKind::Network),
                ("applicationRuleCollections", RuleKind::Application),
            ] {
                rules.extend(&rules_of(&c, &items(b, &format!("properties.{k}")), Some(kind)));
            }
            m.firewalls.push(Firewall {
                meta: c.meta(),
                subnet,
                declared_private_ip: ipcs.first().and_then(|ic| literal_ip(ic, "properties.privateIPAddress")),
                public_ips,
                management_subnet: c.link(b, "", "properties.managementIpConfiguration.properties.subnet"),
                policy: c.link(b, "", "properties.firewallPolicy"),
                private_ranges,
                rules,
                in_virtual_hub: in_hub,
            });
        }
        // properties.snat.privateRanges, properties.basePolicy
        "microsoft.network/firewallpolicies" => m.firewall_policies.push(FirewallPolicy {
            meta: c.meta(),
            base_policy: c.link(b, "", "properties.basePolicy"),
            private_ranges: get(b, "properties.snat.privateRanges").map(|_| plain_prefixes(b, "properties.snat.privateRanges")),
            rules: RuleSet::default(),
        }),
        // properties.ruleCollections[].rules[]
        "microsoft.network/firewallpolicies/rulecollectiongroups" => {
            let cols = items(b, "properties.ruleCollections");
            let rules = rules_of(&c, &cols, None);
            m.rule_attachments.push(RuleAttachment { meta: c.meta(), policy: Some(Link::key(parent_key(), c.o("name"))), firewall: None, rules });
        }
        // properties.gatewayType, ipConfigurations[].properties.{subnet,publicIPAddress}, enableBgp
        "microsoft.network/virtualnetworkgateways" => {
            let kind = match string(b, "properties.gatewayType").map(|s| s.to_ascii_lowercase()) {
                Some(s) if s == "vpn" => GatewayKind::Vpn,
                Some(s) if s == "expressroute" => GatewayKind::ExpressRoute,
                _ => GatewayKind::Unknown,
            };
            let ipcs = items(b, "properties.ipConfigurations");
            m.gateways.push(Gateway {
                meta: c.meta(),
                kind,
                subnet: ipcs.iter().enumerate().find_map(|(i, ic)| c.link(ic, &format!("properties.ipConfigurations[{i}]"), "properties.subnet")),
                bgp_enabled: get(b, "properties.enableBgp").and_then(|v| v.as_bool()) == Some(true),
                public_ips: ipcs.iter().enumerate().filter_map(|(i, ic)| c.link(ic, &format!("properties.ipConfigurations[{i}]"), "properties.publicIPAddress")).collect(),
                sku: string(b, "properties.sku.name").map(|s| Spanned::new(s, c.o("properties.sku.name"))),
                client_pools: c.prefixes(b, "", "properties.vpnClientConfiguration.vpnClientAddressPool.addressPrefixes"),
            });
        }
        // properties.localNetworkAddressSpace.addressPrefixes, bgpSettings
        "microsoft.network/localnetworkgateways" => m.local_gateways.push(LocalGateway {
            meta: c.meta(),
            address_space: c.prefixes(b, "", "properties.localNetworkAddressSpace.addressPrefixes"),
            bgp: get(b, "properties.bgpSettings").is_some_and(|v| !matches!(v, Value::Null)),
        }),
        // properties.connectionType, virtualNetworkGateway1, localNetworkGateway2, enableBgp
        "microsoft.network/connections" => m.connections.push(Connection {
            meta: c.meta(),
            kind: string(b, "properties.connectionType"),
            gateway: c.link(b, "", "properties.virtualNetworkGateway1").unwrap_or_else(|| Link::new(Target::Unknown("`virtualNetworkGateway1` is not set".into()), c.o(""))),
            local_gateway: c.link(b, "", "properties.localNetworkGateway2"),
            peer_gateway: c.link(b, "", "properties.virtualNetworkGateway2"),
            bgp: get(b, "properties.enableBgp").and_then(|v| v.as_bool()) == Some(true),
        }),
        "microsoft.network/publicipaddresses" => m.public_ips.push(PublicIp { meta: c.meta(), sku: string(b, "sku.name"), address: literal_ip(b, "properties.ipAddress") }),
        // sku.name, frontendIPConfigurations[], backendAddressPools[], loadBalancingRules[], inboundNatRules[]
        "microsoft.network/loadbalancers" => {
            let frontends = items(b, "properties.frontendIPConfigurations")
                .into_iter()
                .enumerate()
                .map(|(i, f)| {
                    let ip = format!("properties.frontendIPConfigurations[{i}]");
                    Frontend { name: string(f, "name").unwrap_or_default(), origin: c.o(&ip), public_ip: c.link(f, &ip, "properties.publicIPAddress"), subnet: c.link(f, &ip, "properties.subnet"), private_ip: literal_ip(f, "properties.privateIPAddress") }
                })
                .collect();
            m.load_balancers.push(LoadBalancer { meta: c.meta(), sku: string(b, "sku.name"), frontends });
            for (i, p) in items(b, "properties.backendAddressPools").into_iter().enumerate() {
                let ip = format!("properties.backendAddressPools[{i}]");
                m.backend_pools.push(BackendPool { meta: c.sub_meta("backendAddressPools", p, &ip), lb: Link::key(r.key.clone(), c.o(&ip)) });
            }
            for (kind, path, sub) in [(LbRuleKind::LoadBalancing, "properties.loadBalancingRules", "loadBalancingRules"), (LbRuleKind::InboundNat, "properties.inboundNatRules", "inboundNatRules"), (LbRuleKind::Outbound, "properties.outboundRules", "outboundRules")] {
                for (i, rr) in items(b, path).into_iter().enumerate() {
                    let ip = format!("{path}[{i}]");
                    let mut pools: Vec<Link> = Vec::new();
                    pools.extend(c.link(rr, &ip, "properties.backendAddressPool"));
                    let pool_list = items(rr, "properties.backendAddressPools");
                    for (j, pv) in pool_list.iter().enumerate() {
                        if let Some(id) = get(pv, "id") {
                            pools.push(Link::new(target(id), c.o(&format!("{ip}.properties.backendAddressPools[{j}]"))));
                        }
                    }
                    let frontend = string(rr, "properties.frontendIPConfiguration.id").map(|id| id.rsplit('/').next().unwrap_or("").to_string());
                    m.lb_rules.push(LbRule { meta: c.sub_meta(sub, rr, &ip), kind, lb: Link::key(r.key.clone(), c.o(&ip)), frontend, backend_pools: pools, frontend_port: string(rr, "properties.frontendPort") });
                }
            }
        }
        "microsoft.network/loadbalancers/backendaddresspools" => m.backend_pools.push(BackendPool { meta: c.meta(), lb: Link::key(parent_key(), c.o("name")) }),
        // enableIPForwarding, ipConfigurations[].properties.{subnet,privateIPAddress,publicIPAddress,
        // loadBalancerBackendAddressPools,loadBalancerInboundNatRules}, networkSecurityGroup
        "microsoft.network/networkinterfaces" => {
            let ip_configs = items(b, "properties.ipConfigurations")
                .into_iter()
                .enumerate()
                .map(|(i, ic)| {
                    let ip = format!("properties.ipConfigurations[{i}]");
                    let pools = items(ic, "properties.loadBalancerBackendAddressPools").iter().enumerate().filter_map(|(j, p)| get(p, "id").map(|id| Link::new(target(id), c.o(&format!("{ip}.properties.loadBalancerBackendAddressPools[{j}]"))))).collect();
                    let nats = items(ic, "properties.loadBalancerInboundNatRules").iter().enumerate().filter_map(|(j, p)| get(p, "id").map(|id| Link::new(target(id), c.o(&format!("{ip}.properties.loadBalancerInboundNatRules[{j}]"))))).collect();
                    NicIpConfig { name: string(ic, "name").unwrap_or_default(), origin: c.o(&ip), subnet: c.link(ic, &ip, "properties.subnet"), private_ip: literal_ip(ic, "properties.privateIPAddress"), public_ip: c.link(ic, &ip, "properties.publicIPAddress"), backend_pools: pools, nat_rules: nats }
                })
                .collect();
            let meta = c.meta();
            syntax.object(&meta.key, c.object("", false));
            m.nics.push(Nic { meta, ip_configs, ip_forwarding: c.flag(b, "", "properties.enableIPForwarding", false, false), nsg: c.link(b, "", "properties.networkSecurityGroup"), scale_set: false });
        }
        "microsoft.compute/virtualmachines" => {
            let nics = items(b, "properties.networkProfile.networkInterfaces").iter().enumerate().filter_map(|(i, n)| get(n, "id").map(|id| Link::new(target(id), c.o(&format!("properties.networkProfile.networkInterfaces[{i}]"))))).collect();
            m.vms.push(Vm { meta: c.meta(), nics });
        }
        "microsoft.compute/virtualmachinescalesets" => {
            for (i, n) in items(b, "properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations").into_iter().enumerate() {
                let np = format!("properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[{i}]");
                let ip_configs = items(n, "properties.ipConfigurations")
                    .into_iter()
                    .enumerate()
                    .map(|(j, ic)| {
                        let ip = format!("{np}.properties.ipConfigurations[{j}]");
                        let pools = items(ic, "properties.loadBalancerBackendAddressPools").iter().filter_map(|p| get(p, "id").map(|id| Link::new(target(id), c.o(&ip)))).collect();
                        NicIpConfig {
                            name: string(ic, "name").unwrap_or_default(),
                            origin: c.o(&ip),
                            subnet: c.link(ic, &ip, "properties.subnet"),
                            private_ip: None,
                            public_ip: get(ic, "properties.publicIPAddressConfiguration").filter(|v| !matches!(v, Value::Null)).map(|_| Link::new(Target::Unknown("instance public IPs of a scale set".into()), c.o(&ip))),
                            backend_pools: pools,
                            nat_rules: Vec::new(),
                        }
                    })
                    .collect();
                m.nics.push(Nic { meta: c.sub_meta("networkInterfaceConfigurations", n, &np), ip_configs, ip_forwarding: c.flag(n, &np, "properties.enableIPForwarding", false, false), nsg: c.link(n, &np, "properties.networkSecurityGroup"), scale_set: true });
            }
        }
        // properties.securityRules[] { name, properties: { priority, direction, access, protocol,
        //   sourceAddressPrefix(es), destinationAddressPrefix(es), destinationPortRange(s),
        //   source/destinationApplicationSecurityGroups } }
        "microsoft.network/networksecuritygroups" => {
            let (rules, complete) = match get(b, "properties.securityRules") {
                None | Some(Value::Null) => (Vec::new(), true),
                Some(Value::List(l)) => {
                    let rules: Vec<NsgRule> = l.iter().enumerate().filter(|(_, x)| matches!(x, Value::Map(_))).map(|(i, x)| nsg_rule(&c, x, &format!("properties.securityRules[{i}]"))).collect();
                    let complete = rules.len() == l.len();
                    (rules, complete)
                }
                Some(_) => (Vec::new(), false),
            };
            m.nsgs.push(Nsg { meta: c.meta(), rule_count: rules.len(), rules, rules_complete: complete })
        }
        "microsoft.network/networksecuritygroups/securityrules" => {
            let meta = c.meta();
            let mut rule = nsg_rule(&c, b, "");
            rule.origin = meta.label_origin();
            m.nsg_rules.push(NsgRuleDecl { meta, nsg: Link::key(parent_key(), c.o("name")), rule })
        }
        // properties.subnet.id, properties.ipConfigurations[].properties.privateIPAddress
        "microsoft.network/privateendpoints" => m.private_endpoints.push(PrivateEndpoint {
            meta: c.meta(),
            subnet: c.link(b, "", "properties.subnet"),
            ip: items(b, "properties.ipConfigurations").iter().enumerate().find_map(|(i, ic)| {
                let ip = string(ic, "properties.privateIPAddress")?.trim().parse().ok()?;
                Some(Spanned::new(ip, c.o(&format!("properties.ipConfigurations[{i}].properties.privateIPAddress"))))
            }),
        }),
        "microsoft.network/bastionhosts" => m.services.push(SubnetService { meta: c.meta(), kind: "bastion".into(), subnet: items(b, "properties.ipConfigurations").iter().enumerate().find_map(|(i, ic)| c.link(ic, &format!("properties.ipConfigurations[{i}]"), "properties.subnet")), has_public_frontend: true, sku: string(b, "sku.name") }),
        "microsoft.network/applicationgateways" => m.services.push(SubnetService {
            meta: c.meta(),
            kind: "application-gateway".into(),
            subnet: items(b, "properties.gatewayIPConfigurations").iter().enumerate().find_map(|(i, ic)| c.link(ic, &format!("properties.gatewayIPConfigurations[{i}]"), "properties.subnet")),
            has_public_frontend: items(b, "properties.frontendIPConfigurations").iter().any(|f| get(f, "properties.publicIPAddress").is_some()),
            sku: string(b, "properties.sku.name"),
        }),
        // A virtual hub without a virtual WAN is an Azure Route Server (its ipConfigurations
        // name RouteServerSubnet); its BGP connections are child resources.
        "microsoft.network/virtualhubs" | "microsoft.network/virtualhubs/bgpconnections" | "microsoft.network/virtualhubs/ipconfigurations" if is_route_server(&t, b) => m.not_analysed.push(NotAnalysed {
            // An IP configuration is the Route Server itself (in its subnet): named as it.
            meta: if t.ends_with("/ipconfigurations") {
                Meta { name: r.name.split('/').next().map(str::to_string), ..c.meta() }
            } else {
                c.meta()
            },
            what: format!("Azure Route Server ({})", r.rtype),
            why: "routes the NVAs announce to it over BGP are not in the code: the subnets of its VNet (and of VNets using its gateway transit) may receive routes that are not analysed".into(),
            construct: Construct::RouteServer,
            vnet: None,
                subnet: c.link(b, "", "properties.subnet"),
        }),
        // properties.remoteVirtualNetwork.id of a hub connection
        "microsoft.network/virtualhubs" | "microsoft.network/virtualhubs/routingintent" | "microsoft.network/virtualwans" | "microsoft.network/virtualhubs/hubvirtualnetworkconnections" | "microsoft.network/virtualhubs/hubroutetables" => m.not_analysed.push(NotAnalysed {
            meta: c.meta(),
            what: format!("Virtual WAN ({})", r.rtype),
            why: "Virtual WAN hub routing (routing intent, hub route tables) is not analysed; flows through the hub are not traced".into(),
            construct: Construct::VirtualWan,
            vnet: c.link(b, "", "properties.remoteVirtualNetwork"),
                subnet: None,
        }),
        "microsoft.network/networkmanagers/connectivityconfigurations" => m.not_analysed.push(NotAnalysed {
            meta: c.meta(),
            what: "Azure Virtual Network Manager connectivity configuration".into(),
            why: "it creates peerings (hub-and-spoke or mesh) that are not declared as peering resources; they are not in the model".into(),
            construct: Construct::NetworkManager,
            vnet: None,
                subnet: None,
        }),
        _ => {}
    }
}
