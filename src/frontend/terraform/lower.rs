//! Evaluated azurerm resources -> IR elements.
//!
//! Attributes read are listed per resource type below; everything else is ignored.
//! References that are computed by Azure (`…id`, a firewall's private IP) arrive as
//! [`Value::Ref`] and become IR [`Link`]s / [`IpRef`]s.

use super::fix::{Propagation, Syntax};
use super::value::{Entity, PathSeg, Value};
use crate::frontend::to_ir;
use crate::ir::*;
use crate::source::Origin;
use std::net::Ipv4Addr;
use std::sync::Arc;

pub struct Lower<'m> {
    pub model: &'m mut Model,
    /// What fixes need of the syntax (the IR holds none of it).
    pub syntax: &'m mut Syntax,
}

fn name_of(e: &Entity) -> Option<String> {
    e.get("name").and_then(|v| v.as_str().map(str::to_string))
}

fn meta(e: &Entity) -> Meta {
    Meta {
        key: e.addr.clone(),
        aliases: Vec::new(),
        name: name_of(e),
        resource_group: e
            .get("resource_group_name")
            .and_then(|v| v.as_str().map(str::to_string)),
        origin: e.origin(),
        header: (!e.header.is_empty()).then(|| e.header_origin()),
    }
}

fn sub_meta(parent: &Entity, e: &Entity, kind: &str, idx: usize) -> Meta {
    let name = name_of(e);
    let key = match &name {
        Some(n) => format!("{}/{kind}/{n}", parent.addr),
        None => format!("{}/{kind}/{idx}", parent.addr),
    };
    Meta {
        key,
        aliases: vec![format!("{}.{kind}[{idx}]", parent.addr)],
        name,
        resource_group: parent
            .get("resource_group_name")
            .and_then(|v| v.as_str().map(str::to_string)),
        origin: e.origin(),
        header: (!e.header.is_empty()).then(|| e.header_origin()),
    }
}

/// A reference value -> link target.
pub fn target_of(v: &Value) -> Target {
    match v {
        Value::Ref(r) => {
            // `x.id` (or `x.nested[0].id`) names the element `x` (or its nested block).
            let mut path = r.path.clone();
            if matches!(path.last(), Some(PathSeg::Attr(a)) if a == "id" || a == "name") {
                path.pop();
            }
            let mut key = r.addr.clone();
            for p in &path {
                key.push_str(&p.to_string());
            }
            Target::Key(key)
        }
        Value::Entity(e) => Target::Key(e.addr.clone()),
        Value::String(s) if s.contains('/') => Target::AzureId(s.clone()),
        Value::String(s) => Target::Name {
            name: s.clone(),
            rg: None,
        },
        Value::Unknown(u) => Target::Unknown(u.reason.clone()),
        Value::Null => Target::Unknown("the reference is null".into()),
        other => Target::Unknown(to_ir::why(other)),
    }
}

fn link(e: &Entity, key: &str) -> Option<Link> {
    let v = e.get(key)?;
    if matches!(v, Value::Null) {
        return None;
    }
    Some(Link::new(target_of(v), e.attr_origin(key)))
}

/// A link by Azure name (`virtual_network_name`, `route_table_name`…), with the resource
/// group when the entity gives one.
fn name_link(e: &Entity, key: &str, rg_key: &str) -> Link {
    let origin = e.attr_origin(key);
    match e.get(key) {
        Some(Value::String(s)) => Link::new(
            Target::Name {
                name: s.clone(),
                rg: e.get(rg_key).and_then(|v| v.as_str().map(str::to_string)),
            },
            origin,
        ),
        Some(v) => Link::new(target_of(v), origin),
        None => Link::new(Target::Unknown(format!("`{key}` is not set")), origin),
    }
}

fn links(e: &Entity, key: &str) -> Vec<Link> {
    let origin = e.attr_origin(key);
    match e.get(key) {
        Some(Value::List(l)) => l.iter().map(|v| Link::new(target_of(v), origin)).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(v) => vec![Link::new(target_of(v), origin)],
    }
}

/// A list of prefixes (or a single one) with the attribute's span.
fn prefixes(e: &Entity, key: &str) -> Vec<Spanned<Prefix>> {
    let origin = e.attr_origin(key);
    to_ir::prefixes(e.get(key))
        .into_iter()
        .map(|p| Spanned::new(p, origin))
        .collect()
}

fn plain_prefixes(e: &Entity, key: &str) -> Vec<Prefix> {
    to_ir::prefixes(e.get(key))
}

fn strings(e: &Entity, key: &str) -> Vec<String> {
    to_ir::strings(e.get(key))
}

fn string(e: &Entity, key: &str) -> Option<String> {
    e.get(key).and_then(|v| v.to_tf_string())
}

fn flag(e: &Entity, key: &str, default: bool) -> Flag {
    match e.get(key) {
        None | Some(Value::Null) => Flag::default_value(default),
        Some(v) => Flag {
            value: match v.as_bool() {
                Some(b) => Known::Known(b),
                None => Known::Unknown(to_ir::why(v)),
            },
            origin: Some(e.set_origin(key)),
        },
    }
}

/// Whether route tables apply to the subnet's private endpoints: azurerm 4.x
/// `private_endpoint_network_policies` (`Enabled` or `RouteTableEnabled`; default `Disabled`),
/// 3.x `private_endpoint_network_policies_enabled` (a bool, default `true`), 2.x
/// `enforce_private_link_endpoint_network_policies` (`true` turns them *off*). Without a
/// setting the default of the provider version applies; an unconstrained version is taken
/// as 4.x (the current one).
fn endpoint_policies(e: &Entity, azurerm_major: Option<u32>) -> Flag {
    if let Some(v) = e.get("private_endpoint_network_policies") {
        return Flag {
            value: match v {
                Value::Null => Known::Known(false),
                v => match v.to_tf_string() {
                    Some(s) => Known::Known(to_ir::endpoint_route_tables_apply(&s)),
                    None => Known::Unknown(to_ir::why(v)),
                },
            },
            origin: Some(e.set_origin("private_endpoint_network_policies")),
        };
    }
    if e.has("private_endpoint_network_policies_enabled") {
        return flag(e, "private_endpoint_network_policies_enabled", true);
    }
    if e.has("enforce_private_link_endpoint_network_policies") {
        let f = flag(e, "enforce_private_link_endpoint_network_policies", false);
        return Flag {
            value: match f.value {
                Known::Known(b) => Known::Known(!b),
                other => other,
            },
            origin: f.origin,
        };
    }
    Flag::default_value(azurerm_major.is_some_and(|v| v == 3))
}

/// The first of several attribute spellings that is set.
fn flag_any(e: &Entity, keys: &[&str], default: bool) -> Flag {
    keys.iter()
        .find(|k| e.has(k))
        .map(|k| flag(e, k, default))
        .unwrap_or_else(|| Flag::default_value(default))
}

/// The private IPs a Terraform reference can name.
fn ip_ref(v: &Value) -> IpRef {
    to_ir::ip_ref(v, |r, link| {
        let names = r.attr_names();
        match (r.rtype.as_str(), names.last().copied().unwrap_or("")) {
            ("azurerm_firewall", "private_ip_address") => {
                Some(IpRef::FirewallPrivateIp { firewall: link })
            }
            ("azurerm_network_interface", "private_ip_address" | "private_ip_addresses") => {
                Some(IpRef::NicPrivateIp { nic: link })
            }
            ("azurerm_lb", "private_ip_address" | "private_ip_addresses") => {
                Some(IpRef::LbFrontendPrivateIp {
                    lb: link,
                    frontend: to_ir::indexed_after(r, "frontend_ip_configuration"),
                })
            }
            _ => None,
        }
    })
}

fn literal_ip(e: &Entity, key: &str) -> Option<Ipv4Addr> {
    e.get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| s.trim().parse().ok())
}

impl Lower<'_> {
    pub fn resource(&mut self, e: &Arc<Entity>, azurerm_major: Option<u32>) {
        let m = &mut *self.model;
        match e.rtype.as_str() {
            // address_space, subnet { name, address_prefixes | address_prefix, security_group, route_table_id }
            "azurerm_virtual_network" => {
                m.vnets.push(VNet {
                    meta: meta(e),
                    address_space: prefixes(e, "address_space"),
                    subnets: Vec::new(),
                    gateways: Vec::new(),
                });
                for (i, s) in e.blocks("subnet").iter().enumerate() {
                    let mut p = prefixes(s, "address_prefixes");
                    if p.is_empty() {
                        p = prefixes(s, "address_prefix");
                    }
                    m.subnets.push(Subnet {
                        meta: sub_meta(e, s, "subnet", i),
                        vnet: Link::key(e.addr.clone(), s.origin()),
                        prefixes: p,
                        route_table: link(s, "route_table_id"),
                        nsg: link(s, "security_group"),
                        service_endpoints: strings(s, "service_endpoints"),
                        endpoint_route_policies: endpoint_policies(s, azurerm_major),
                    });
                }
            }
            // name, virtual_network_name, resource_group_name, address_prefixes | address_prefix
            "azurerm_subnet" => {
                let mut p = prefixes(e, "address_prefixes");
                if p.is_empty() {
                    p = prefixes(e, "address_prefix");
                }
                m.subnets.push(Subnet {
                    meta: meta(e),
                    vnet: name_link(e, "virtual_network_name", "resource_group_name"),
                    prefixes: p,
                    route_table: None,
                    nsg: None,
                    service_endpoints: strings(e, "service_endpoints"),
                    endpoint_route_policies: endpoint_policies(e, azurerm_major),
                });
            }
            "azurerm_virtual_network_peering" => m.peerings.push(Peering {
                meta: {
                    self.syntax.peering(&e.addr, body_end(e));
                    meta(e)
                },
                local_vnet: name_link(e, "virtual_network_name", "resource_group_name"),
                remote_vnet: link(e, "remote_virtual_network_id").unwrap_or_else(|| {
                    Link::new(Target::Unknown("`remote_virtual_network_id` is not set".into()), e.origin())
                }),
                allow_virtual_network_access: flag(e, "allow_virtual_network_access", true),
                allow_forwarded_traffic: flag(e, "allow_forwarded_traffic", false),
                allow_gateway_transit: flag(e, "allow_gateway_transit", false),
                use_remote_gateways: flag(e, "use_remote_gateways", false),
            }),
            // route { name, address_prefix, next_hop_type, next_hop_in_ip_address },
            // bgp_route_propagation_enabled (4.x) | disable_bgp_route_propagation (3.x)
            "azurerm_route_table" => {
                let (propagation, spelling) = if e.has("bgp_route_propagation_enabled") {
                    (flag(e, "bgp_route_propagation_enabled", true), Propagation::Enabled)
                } else if e.has("disable_bgp_route_propagation") {
                    let mut f = flag(e, "disable_bgp_route_propagation", false);
                    if let Known::Known(b) = f.value {
                        f.value = Known::Known(!b);
                    }
                    (f, Propagation::Disable)
                } else {
                    (
                        Flag::default_value(true),
                        if azurerm_major.is_some_and(|v| v < 4) {
                            Propagation::Disable
                        } else {
                            Propagation::Enabled
                        },
                    )
                };
                let meta = meta(e);
                self.syntax.table(&meta.key, spelling, body_end(e));
                m.route_tables.push(RouteTable {
                    meta,
                    propagation,
                    routes: Vec::new(),
                });
                for (i, r) in e.blocks("route").iter().enumerate() {
                    let route = route_of(r, sub_meta(e, r, "route", i), Link::key(e.addr.clone(), r.origin()));
                    self.syntax.inline_route(&route.meta.key);
                    m.routes.push(route);
                }
            }
            "azurerm_route" => {
                let table = name_link(e, "route_table_name", "resource_group_name");
                m.routes.push(route_of(e, meta(e), table));
            }
            "azurerm_subnet_route_table_association" | "azurerm_subnet_network_security_group_association" => {
                let (kind, key) = if e.rtype.contains("route_table") {
                    (SubnetAssociationKind::RouteTable, "route_table_id")
                } else {
                    (SubnetAssociationKind::Nsg, "network_security_group_id")
                };
                if let (Some(subnet), Some(target)) = (link(e, "subnet_id"), link(e, key)) {
                    m.subnet_associations.push(SubnetAssociation {
                        meta: meta(e),
                        subnet,
                        target,
                        kind,
                    });
                }
            }
            // ip_configuration { subnet_id, public_ip_address_id, private_ip_address },
            // management_ip_configuration { subnet_id }, firewall_policy_id, private_ip_ranges, virtual_hub
            "azurerm_firewall" => {
                let ipcs = e.blocks("ip_configuration");
                let subnet = ipcs.iter().find_map(|c| link(c, "subnet_id"));
                let declared = ipcs.first().and_then(|c| literal_ip(c, "private_ip_address"));
                let public_ips = ipcs.iter().filter_map(|c| link(c, "public_ip_address_id")).collect();
                let mgmt = e
                    .blocks("management_ip_configuration")
                    .first()
                    .and_then(|c| link(c, "subnet_id"));
                let in_hub = !e.blocks("virtual_hub").is_empty();
                if in_hub {
                    m.not_analysed.push(NotAnalysed {
                        meta: meta(e),
                        what: "Azure Firewall in a Virtual WAN hub".into(),
                        why: "Virtual WAN hub routing is a hub-level model (routing intent, hub route tables) that routelint does not analyse yet".into(),
                        construct: Construct::VirtualWan,
                        vnet: None,
                subnet: None,
                    });
                }
                let rules = RuleSet::default();
                m.firewalls.push(Firewall {
                    meta: meta(e),
                    subnet,
                    declared_private_ip: declared,
                    public_ips,
                    management_subnet: mgmt,
                    policy: link(e, "firewall_policy_id"),
                    private_ranges: e.get("private_ip_ranges").map(|_| plain_prefixes(e, "private_ip_ranges")),
                    rules,
                    in_virtual_hub: in_hub,
                });
            }
            // private_ip_ranges, base_policy_id
            "azurerm_firewall_policy" => m.firewall_policies.push(FirewallPolicy {
                meta: meta(e),
                base_policy: link(e, "base_policy_id"),
                private_ranges: e.get("private_ip_ranges").map(|_| plain_prefixes(e, "private_ip_ranges")),
                rules: RuleSet::default(),
            }),
            // firewall_policy_id, {nat,network,application}_rule_collection { name, action, rule { … } }
            "azurerm_firewall_policy_rule_collection_group" => {
                let mut rules = RuleSet::default();
                for c in e.blocks("nat_rule_collection") {
                    let cname = name_of(&c).unwrap_or_default();
                    for r in c.blocks("rule") {
                        rules.dnat.push(dnat_rule(&r, &cname, "destination_address"));
                    }
                }
                for c in e.blocks("network_rule_collection") {
                    let cname = name_of(&c).unwrap_or_default();
                    let allow = string(&c, "action").is_none_or(|a| a.eq_ignore_ascii_case("allow"));
                    for r in c.blocks("rule") {
                        rules.network.push(network_rule(&r, &cname, allow));
                    }
                }
                for c in e.blocks("application_rule_collection") {
                    let cname = name_of(&c).unwrap_or_default();
                    for r in c.blocks("rule") {
                        rules.application.push(AppRule {
                            name: name_of(&r).unwrap_or_default(),
                            collection: cname.clone(),
                            origin: r.origin(),
                            sources: plain_prefixes(&r, "source_addresses"),
                        });
                    }
                }
                m.rule_attachments.push(RuleAttachment {
                    meta: meta(e),
                    policy: link(e, "firewall_policy_id"),
                    firewall: None,
                    rules,
                });
            }
            "azurerm_firewall_nat_rule_collection"
            | "azurerm_firewall_network_rule_collection"
            | "azurerm_firewall_application_rule_collection" => {
                let mut rules = RuleSet::default();
                let cname = name_of(e).unwrap_or_default();
                let allow = string(e, "action").is_none_or(|a| a.eq_ignore_ascii_case("allow"));
                for r in e.blocks("rule") {
                    match e.rtype.as_str() {
                        "azurerm_firewall_nat_rule_collection" => {
                            rules.dnat.push(dnat_rule(&r, &cname, "destination_addresses"))
                        }
                        "azurerm_firewall_network_rule_collection" => {
                            rules.network.push(network_rule(&r, &cname, allow))
                        }
                        _ => rules.application.push(AppRule {
                            name: name_of(&r).unwrap_or_default(),
                            collection: cname.clone(),
                            origin: r.origin(),
                            sources: plain_prefixes(&r, "source_addresses"),
                        }),
                    }
                }
                m.rule_attachments.push(RuleAttachment {
                    meta: meta(e),
                    policy: None,
                    firewall: Some(name_link(e, "azure_firewall_name", "resource_group_name")),
                    rules,
                });
            }
            // type, enable_bgp | bgp_enabled, ip_configuration { subnet_id, public_ip_address_id }
            "azurerm_virtual_network_gateway" => {
                let kind = match string(e, "type").map(|t| t.to_ascii_lowercase()) {
                    Some(t) if t == "vpn" => GatewayKind::Vpn,
                    Some(t) if t == "expressroute" => GatewayKind::ExpressRoute,
                    _ => GatewayKind::Unknown,
                };
                let ipcs = e.blocks("ip_configuration");
                m.gateways.push(Gateway {
                    meta: meta(e),
                    kind,
                    subnet: ipcs.iter().find_map(|c| link(c, "subnet_id")),
                    bgp_enabled: flag_any(e, &["bgp_enabled", "enable_bgp"], false).get() == Some(true),
                    public_ips: ipcs.iter().filter_map(|c| link(c, "public_ip_address_id")).collect(),
                    sku: string(e, "sku").map(|s| Spanned::new(s, e.attr_origin("sku"))),
                    client_pools: e
                        .blocks("vpn_client_configuration")
                        .iter()
                        .flat_map(|v| prefixes(v, "address_space"))
                        .collect(),
                });
            }
            // address_space, bgp_settings
            "azurerm_local_network_gateway" => m.local_gateways.push(LocalGateway {
                meta: meta(e),
                address_space: prefixes(e, "address_space"),
                bgp: !e.blocks("bgp_settings").is_empty(),
            }),
            // type, virtual_network_gateway_id, local_network_gateway_id, enable_bgp | bgp_enabled
            "azurerm_virtual_network_gateway_connection" => m.connections.push(Connection {
                meta: meta(e),
                kind: string(e, "type"),
                gateway: link(e, "virtual_network_gateway_id").unwrap_or_else(|| {
                    Link::new(Target::Unknown("`virtual_network_gateway_id` is not set".into()), e.origin())
                }),
                local_gateway: link(e, "local_network_gateway_id"),
                peer_gateway: link(e, "peer_virtual_network_gateway_id"),
                bgp: flag_any(e, &["bgp_enabled", "enable_bgp"], false).get() == Some(true),
            }),
            // sku, ip_address
            "azurerm_public_ip" => m.public_ips.push(PublicIp {
                meta: meta(e),
                sku: string(e, "sku"),
                address: literal_ip(e, "ip_address"),
            }),
            // sku, frontend_ip_configuration { name, public_ip_address_id, subnet_id, private_ip_address }
            "azurerm_lb" => {
                let frontends = e
                    .blocks("frontend_ip_configuration")
                    .iter()
                    .map(|f| Frontend {
                        name: name_of(f).unwrap_or_default(),
                        origin: f.origin(),
                        public_ip: link(f, "public_ip_address_id"),
                        subnet: link(f, "subnet_id"),
                        private_ip: literal_ip(f, "private_ip_address"),
                    })
                    .collect();
                m.load_balancers.push(LoadBalancer {
                    meta: meta(e),
                    sku: string(e, "sku"),
                    frontends,
                });
            }
            "azurerm_lb_backend_address_pool" => {
                if let Some(lb) = link(e, "loadbalancer_id") {
                    m.backend_pools.push(BackendPool { meta: meta(e), lb });
                }
            }
            // loadbalancer_id, frontend_ip_configuration_name, backend_address_pool_ids | backend_address_pool_id
            "azurerm_lb_rule" | "azurerm_lb_nat_rule" | "azurerm_lb_outbound_rule" => {
                let kind = match e.rtype.as_str() {
                    "azurerm_lb_rule" => LbRuleKind::LoadBalancing,
                    "azurerm_lb_nat_rule" => LbRuleKind::InboundNat,
                    _ => LbRuleKind::Outbound,
                };
                let mut pools = links(e, "backend_address_pool_ids");
                pools.extend(links(e, "backend_address_pool_id"));
                let frontend = string(e, "frontend_ip_configuration_name").or_else(|| {
                    e.blocks("frontend_ip_configuration").first().and_then(|f| name_of(f))
                });
                if let Some(lb) = link(e, "loadbalancer_id") {
                    m.lb_rules.push(LbRule {
                        meta: meta(e),
                        kind,
                        lb,
                        frontend,
                        backend_pools: pools,
                        frontend_port: string(e, "frontend_port")
                            .or_else(|| string(e, "frontend_port_start")),
                    });
                }
            }
            // ip_forwarding_enabled (4.x) | enable_ip_forwarding (3.x),
            // ip_configuration { name, subnet_id, private_ip_address, public_ip_address_id }
            "azurerm_network_interface" => {
                let ip_configs = e
                    .blocks("ip_configuration")
                    .iter()
                    .map(|c| NicIpConfig {
                        name: name_of(c).unwrap_or_default(),
                        origin: c.origin(),
                        subnet: link(c, "subnet_id"),
                        private_ip: literal_ip(c, "private_ip_address"),
                        public_ip: link(c, "public_ip_address_id"),
                        backend_pools: Vec::new(),
                        nat_rules: Vec::new(),
                    })
                    .collect();
                let forwarding = if e.has("ip_forwarding_enabled") {
                    Propagation::Enabled
                } else if e.has("enable_ip_forwarding") || azurerm_major.is_some_and(|v| v < 4) {
                    Propagation::Disable
                } else {
                    Propagation::Enabled
                };
                self.syntax.nic(&e.addr, forwarding, body_end(e));
                m.nics.push(Nic {
                    meta: meta(e),
                    ip_configs,
                    ip_forwarding: flag_any(e, &["ip_forwarding_enabled", "enable_ip_forwarding"], false),
                    nsg: None,
                    scale_set: false,
                });
            }
            "azurerm_network_interface_backend_address_pool_association"
            | "azurerm_network_interface_nat_rule_association"
            | "azurerm_network_interface_security_group_association" => {
                let (kind, key) = match e.rtype.as_str() {
                    "azurerm_network_interface_backend_address_pool_association" => {
                        (NicAssociationKind::BackendPool, "backend_address_pool_id")
                    }
                    "azurerm_network_interface_nat_rule_association" => {
                        (NicAssociationKind::NatRule, "nat_rule_id")
                    }
                    _ => (NicAssociationKind::Nsg, "network_security_group_id"),
                };
                if let (Some(nic), Some(target)) = (link(e, "network_interface_id"), link(e, key)) {
                    m.nic_associations.push(NicAssociation {
                        meta: meta(e),
                        nic,
                        ip_config: string(e, "ip_configuration_name"),
                        target,
                        kind,
                    });
                }
            }
            // network_interface_ids
            "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_virtual_machine" => {
                m.vms.push(Vm {
                    meta: meta(e),
                    nics: links(e, "network_interface_ids"),
                })
            }
            // network_interface { ip_forwarding_enabled | enable_ip_forwarding,
            //   ip_configuration { subnet_id, load_balancer_backend_address_pool_ids, public_ip_address } }
            "azurerm_linux_virtual_machine_scale_set"
            | "azurerm_windows_virtual_machine_scale_set"
            | "azurerm_orchestrated_virtual_machine_scale_set" => {
                for (i, n) in e.blocks("network_interface").iter().enumerate() {
                    let ip_configs = n
                        .blocks("ip_configuration")
                        .iter()
                        .map(|c| NicIpConfig {
                            name: name_of(c).unwrap_or_default(),
                            origin: c.origin(),
                            subnet: link(c, "subnet_id"),
                            private_ip: None,
                            public_ip: if c.blocks("public_ip_address").is_empty() {
                                None
                            } else {
                                Some(Link::new(
                                    Target::Unknown("instance public IPs of a scale set".into()),
                                    c.attr_origin("public_ip_address"),
                                ))
                            },
                            backend_pools: links(c, "load_balancer_backend_address_pool_ids"),
                            nat_rules: links(c, "load_balancer_inbound_nat_rules_ids"),
                        })
                        .collect();
                    m.nics.push(Nic {
                        meta: sub_meta(e, n, "network_interface", i),
                        ip_configs,
                        ip_forwarding: flag_any(n, &["ip_forwarding_enabled", "enable_ip_forwarding"], false),
                        nsg: link(n, "network_security_group_id"),
                        scale_set: true,
                    });
                }
            }
            // security_rule { name, priority, direction, access, protocol,
            //   source_address_prefix(es), destination_address_prefix(es),
            //   destination_port_range(s), *_application_security_group_ids }
            "azurerm_network_security_group" => {
                let (rules, complete) = match e.get("security_rule") {
                    None | Some(Value::Null) => (Vec::new(), true),
                    Some(Value::List(l)) => {
                        let rules: Vec<NsgRule> = e.blocks("security_rule").iter().map(|r| nsg_rule(r)).collect();
                        let complete = rules.len() == l.len();
                        (rules, complete)
                    }
                    Some(_) => (Vec::new(), false),
                };
                m.nsgs.push(Nsg {
                    meta: meta(e),
                    rule_count: rules.len(),
                    rules,
                    rules_complete: complete,
                })
            }
            "azurerm_network_security_rule" => m.nsg_rules.push(NsgRuleDecl {
                meta: meta(e),
                nsg: name_link(e, "network_security_group_name", "resource_group_name"),
                rule: nsg_rule(e),
            }),
            // subnet_id, ip_configuration { private_ip_address }
            "azurerm_private_endpoint" => m.private_endpoints.push(PrivateEndpoint {
                meta: meta(e),
                subnet: link(e, "subnet_id"),
                ip: e.blocks("ip_configuration").iter().find_map(|c| {
                    literal_ip(c, "private_ip_address")
                        .map(|ip| Spanned::new(ip, c.set_origin("private_ip_address")))
                }),
            }),
            // ip_configuration { subnet_id, public_ip_address_id }
            "azurerm_bastion_host" => m.services.push(SubnetService {
                meta: meta(e),
                kind: "bastion".into(),
                subnet: e.blocks("ip_configuration").iter().find_map(|c| link(c, "subnet_id")),
                has_public_frontend: true,
                sku: string(e, "sku"),
            }),
            // gateway_ip_configuration { subnet_id }, frontend_ip_configuration { public_ip_address_id }
            "azurerm_application_gateway" => m.services.push(SubnetService {
                meta: meta(e),
                kind: "application-gateway".into(),
                subnet: e
                    .blocks("gateway_ip_configuration")
                    .iter()
                    .find_map(|c| link(c, "subnet_id")),
                has_public_frontend: e
                    .blocks("frontend_ip_configuration")
                    .iter()
                    .any(|f| f.has("public_ip_address_id")),
                sku: e.blocks("sku").first().and_then(|b| string(b, "name")),
            }),
            // virtual_hub_id, remote_virtual_network_id
            "azurerm_virtual_wan"
            | "azurerm_virtual_hub"
            | "azurerm_virtual_hub_routing_intent"
            | "azurerm_virtual_hub_route_table"
            | "azurerm_virtual_hub_connection" => m.not_analysed.push(NotAnalysed {
                meta: meta(e),
                what: format!("Virtual WAN ({})", e.rtype),
                why: "Virtual WAN hub routing (routing intent, hub route tables) is not analysed; flows through the hub are not traced".into(),
                construct: Construct::VirtualWan,
                vnet: link(e, "remote_virtual_network_id"),
                subnet: None,
            }),
            // virtual_hub_id of an azurerm_route_server_bgp_connection
            "azurerm_route_server" | "azurerm_route_server_bgp_connection" => m.not_analysed.push(NotAnalysed {
                meta: meta(e),
                what: format!("Azure Route Server ({})", e.rtype),
                why: "routes the NVAs announce to it over BGP are not in the code: the subnets of its VNet (and of VNets using its gateway transit) may receive routes that are not analysed".into(),
                construct: Construct::RouteServer,
                vnet: None,
                subnet: link(e, "subnet_id"),
            }),
            "azurerm_network_manager_connectivity_configuration" => m.not_analysed.push(NotAnalysed {
                meta: meta(e),
                what: "Azure Virtual Network Manager connectivity configuration".into(),
                why: "it creates peerings (hub-and-spoke or mesh) that are not declared as peering resources; they are not in the model".into(),
                construct: Construct::NetworkManager,
                vnet: None,
                subnet: None,
            }),
            _ => {}
        }
    }
}

/// One security rule (an inline `security_rule` block or an `azurerm_network_security_rule`).
fn nsg_rule(r: &Entity) -> NsgRule {
    let one_or_many = |one: &str, many: &str| -> Vec<Prefix> {
        let mut v = plain_prefixes(r, one);
        v.extend(plain_prefixes(r, many));
        v
    };
    let choice = |key: &str, yes: &str, no: &str| match string(r, key) {
        Some(s) if s.eq_ignore_ascii_case(yes) => Known::Known(true),
        Some(s) if s.eq_ignore_ascii_case(no) => Known::Known(false),
        Some(s) => Known::Unknown(format!("`{s}` is not {yes} or {no}")),
        None => Known::Unknown(format!("`{key}` is not known")),
    };
    let ports = match (
        to_ir::strings_exact(r.get("destination_port_range")),
        to_ir::strings_exact(r.get("destination_port_ranges")),
    ) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            a
        }
        _ => Vec::new(),
    };
    NsgRule {
        name: name_of(r).unwrap_or_default(),
        // The block's first line: a label on the rule, not on every line of it.
        origin: if r.header.is_empty() {
            r.origin()
        } else {
            r.header_origin()
        },
        priority: to_ir::small_whole(r.get("priority")),
        inbound: choice("direction", "Inbound", "Outbound"),
        allow: choice("access", "Allow", "Deny"),
        protocol: string(r, "protocol"),
        sources: one_or_many("source_address_prefix", "source_address_prefixes"),
        source_asgs: to_ir::names_any(r.get("source_application_security_group_ids")),
        destinations: one_or_many("destination_address_prefix", "destination_address_prefixes"),
        destination_asgs: to_ir::names_any(r.get("destination_application_security_group_ids")),
        destination_ports: ports,
    }
}

/// The position just before a block's closing brace.
fn body_end(e: &Entity) -> Origin {
    let at = e.span.end.saturating_sub(1);
    Origin::new(e.file, at..at)
}

fn route_of(r: &Entity, meta: Meta, table: Link) -> Route {
    let prefix = match r.get("address_prefix") {
        Some(v) => to_ir::prefix(v),
        None => Prefix::Unknown("`address_prefix` is not set".into()),
    };
    let nht = match r.get("next_hop_type") {
        Some(Value::String(s)) => match NextHopType::parse(s) {
            Some(t) => Known::Known(t),
            None => Known::Unknown(format!("`{s}` is not a next hop type")),
        },
        Some(v) => Known::Unknown(to_ir::why(v)),
        None => Known::Unknown("`next_hop_type` is not set".into()),
    };
    let ip = match r.get("next_hop_in_ip_address") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => {
            let o = r.attr_origin("next_hop_in_ip_address");
            Some(Spanned::new(ip_ref(v).with_origin(o), o))
        }
    };
    Route {
        meta,
        table,
        prefix: Spanned::new(prefix, r.attr_origin("address_prefix")),
        next_hop_type: Spanned::new(nht, r.attr_origin("next_hop_type")),
        next_hop_ip: ip,
    }
}

fn dnat_rule(r: &Entity, collection: &str, dest_key: &str) -> DnatRule {
    let translated = match r.get("translated_address") {
        Some(Value::String(s)) => Known::Known(s.clone()),
        Some(v) => Known::Unknown(to_ir::why(v)),
        None => match r.get("translated_fqdn") {
            Some(Value::String(s)) => Known::Known(s.clone()),
            _ => Known::Unknown("`translated_address` is not set".into()),
        },
    };
    DnatRule {
        name: name_of(r).unwrap_or_default(),
        collection: collection.to_string(),
        origin: r.origin(),
        sources: plain_prefixes(r, "source_addresses"),
        destination_addresses: plain_prefixes(r, dest_key),
        destination_ports: strings(r, "destination_ports"),
        translated_address: translated,
        translated_port: string(r, "translated_port"),
        protocols: strings(r, "protocols"),
    }
}

fn network_rule(r: &Entity, collection: &str, allow: bool) -> NetworkRule {
    let mut destinations = plain_prefixes(r, "destination_addresses");
    if r.has("destination_ip_groups") || r.has("destination_fqdns") {
        destinations.push(Prefix::Unknown(
            "IP groups / FQDNs are resolved by Azure".into(),
        ));
    }
    let mut sources = plain_prefixes(r, "source_addresses");
    if r.has("source_ip_groups") {
        sources.push(Prefix::Unknown("IP groups are resolved by Azure".into()));
    }
    NetworkRule {
        name: name_of(r).unwrap_or_default(),
        collection: collection.to_string(),
        origin: r.origin(),
        action_allow: allow,
        sources,
        destinations,
        destination_ports: strings(r, "destination_ports"),
        protocols: strings(r, "protocols"),
    }
}
