//! Engine tests in rust-analyzer's `check(input, expect)` style: a network in a few lines of
//! a small description language, and the expected effective routes or traces as text.
//!
//! ```text
//! vnet hub 10.0.0.0/16                 a VNet and its address space (comma-separated)
//! subnet hub/GatewaySubnet 10.0.0.0/27 rt=rt-gw nsg=…   a subnet, its route table
//! firewall fw hub [private=10.0.0.0/8,…]   Azure Firewall in hub/AzureFirewallSubnet
//! nva nva1 hub/snet-nva 10.0.2.4 [noforward]   a NIC (IP forwarding on unless noforward;
//!                                      `dynamic` instead of the IP: Azure assigns it)
//! gateway vpngw hub [bgp]              a VPN gateway in hub/GatewaySubnet
//! onprem vpngw 192.168.0.0/16          a local network gateway connected to vpngw
//! peer hub<->spoke [fwd] [transit] [remote-gw] [no-access]   both directions (-> one)
//!   (on a `<->`, transit goes on the first VNet's side, remote-gw on the second's)
//! rt rt-gw [propagation=off]           a route table
//! route rt-gw 10.1.0.0/16 appliance fw | appliance 10.0.2.4 | internet | none | vnetlocal | gateway
//! ```

use super::routes::Dest;
use super::trace::{Location, Start, TraceCtx};
use super::{words, Analysis};
use crate::config::Config;
use crate::ir::*;
use crate::source::Origin;
use ipnet::Ipv4Net;

fn o() -> Origin {
    Origin::default()
}

fn meta(key: &str, name: &str) -> Meta {
    Meta {
        key: key.to_string(),
        aliases: Vec::new(),
        name: Some(name.to_string()),
        resource_group: None,
        origin: o(),
        header: None,
    }
}

fn key(k: &str) -> Link {
    Link::key(k, o())
}

fn flag(v: bool, set: bool) -> Flag {
    Flag {
        value: Known::Known(v),
        origin: set.then(o),
    }
}

fn nets(s: &str) -> Vec<Spanned<Prefix>> {
    s.split(',')
        .map(|p| Spanned::new(Prefix::V4(p.parse().expect("CIDR")), o()))
        .collect()
}

/// Builds and links a model from the description language above.
pub fn model(text: &str) -> Model {
    let mut m = Model {
        front_end: "test".into(),
        ..Default::default()
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let w: Vec<&str> = line.split_whitespace().collect();
        let opt = |k: &str| {
            w.iter()
                .find_map(|x| x.strip_prefix(&format!("{k}=")))
                .map(str::to_string)
        };
        let has = |k: &str| w.contains(&k);
        match w[0] {
            "vnet" => m.vnets.push(VNet {
                meta: meta(w[1], w[1]),
                address_space: nets(w[2]),
                subnets: Vec::new(),
                gateways: Vec::new(),
            }),
            "subnet" => {
                let (v, s) = w[1].split_once('/').expect("vnet/subnet");
                m.subnets.push(Subnet {
                    meta: meta(w[1], s),
                    vnet: key(v),
                    prefixes: nets(w[2]),
                    route_table: opt("rt").map(|r| key(&r)),
                    nsg: None,
                    service_endpoints: Vec::new(),
                    endpoint_route_policies: Flag::default_value(false),
                });
            }
            "firewall" => m.firewalls.push(Firewall {
                meta: meta(w[1], w[1]),
                subnet: Some(key(&format!("{}/AzureFirewallSubnet", w[2]))),
                declared_private_ip: None,
                public_ips: Vec::new(),
                management_subnet: None,
                policy: None,
                private_ranges: opt("private").map(|p| {
                    p.split(',')
                        .map(|x| Prefix::V4(x.parse().expect("CIDR")))
                        .collect()
                }),
                rules: RuleSet::default(),
                in_virtual_hub: false,
            }),
            "nva" => m.nics.push(Nic {
                meta: meta(w[1], w[1]),
                ip_configs: vec![NicIpConfig {
                    name: "ipconfig1".into(),
                    origin: o(),
                    subnet: Some(key(w[2])),
                    private_ip: (w[3] != "dynamic").then(|| w[3].parse().expect("IP")),
                    public_ip: None,
                    backend_pools: Vec::new(),
                    nat_rules: Vec::new(),
                }],
                ip_forwarding: flag(!has("noforward"), true),
                nsg: None,
                scale_set: false,
            }),
            "gateway" => m.gateways.push(Gateway {
                meta: meta(w[1], w[1]),
                kind: GatewayKind::Vpn,
                subnet: Some(key(&format!("{}/GatewaySubnet", w[2]))),
                bgp_enabled: has("bgp"),
                public_ips: Vec::new(),
                sku: None,
                client_pools: Vec::new(),
            }),
            "onprem" => {
                let lng = format!("lng-{}", m.local_gateways.len());
                m.local_gateways.push(LocalGateway {
                    meta: meta(&lng, &lng),
                    address_space: nets(w[2]),
                    bgp: false,
                });
                m.connections.push(Connection {
                    meta: meta(&format!("conn-{lng}"), &format!("conn-{lng}")),
                    kind: Some("IPsec".into()),
                    gateway: key(w[1]),
                    local_gateway: Some(key(&lng)),
                    peer_gateway: None,
                    bgp: false,
                });
            }
            "peer" => {
                let both = w[1].contains("<->");
                let (a, b) = w[1]
                    .split_once("<->")
                    .or_else(|| w[1].split_once("->"))
                    .expect("a<->b or a->b");
                let mut add = |l: &str, r: &str, transit: bool, remote_gw: bool| {
                    m.peerings.push(Peering {
                        meta: meta(&format!("{l}-to-{r}"), &format!("{l}-to-{r}")),
                        local_vnet: key(l),
                        remote_vnet: key(r),
                        allow_virtual_network_access: flag(!has("no-access"), has("no-access")),
                        allow_forwarded_traffic: flag(has("fwd"), true),
                        allow_gateway_transit: flag(transit, true),
                        use_remote_gateways: flag(remote_gw, true),
                    })
                };
                add(a, b, has("transit"), !both && has("remote-gw"));
                if both {
                    add(b, a, false, has("remote-gw"));
                }
            }
            "rt" => m.route_tables.push(RouteTable {
                meta: meta(w[1], w[1]),
                propagation: if opt("propagation").as_deref() == Some("off") {
                    flag(false, true)
                } else {
                    Flag::default_value(true)
                },
                routes: Vec::new(),
            }),
            "route" => {
                let (nht, ip) = match w[3] {
                    "appliance" => {
                        let ip = match w[4].parse() {
                            Ok(ip) => IpRef::Literal { ip },
                            Err(_) => IpRef::FirewallPrivateIp {
                                firewall: key(w[4]),
                            },
                        };
                        (NextHopType::VirtualAppliance, Some(Spanned::new(ip, o())))
                    }
                    "internet" => (NextHopType::Internet, None),
                    "none" => (NextHopType::None, None),
                    "vnetlocal" => (NextHopType::VnetLocal, None),
                    "gateway" => (NextHopType::VirtualNetworkGateway, None),
                    other => panic!("next hop `{other}`"),
                };
                let n = m.routes.len();
                m.routes.push(Route {
                    meta: meta(&format!("{}/r{n}", w[1]), &format!("r{n}")),
                    table: key(w[1]),
                    prefix: Spanned::new(Prefix::V4(w[2].parse().expect("CIDR")), o()),
                    next_hop_type: Spanned::new(Known::Known(nht), o()),
                    next_hop_ip: ip,
                });
            }
            other => panic!("unknown line `{other}`"),
        }
    }
    m.link();
    m
}

fn subnet(m: &Model, label: &str) -> SubnetId {
    match m.find_subnet(label).as_slice() {
        [s] => *s,
        other => panic!("subnet `{label}`: {other:?}"),
    }
}

/// The effective routes of a subnet, one `prefix -> next hop (source, state)` a line.
fn check_routes(input: &str, label: &str, expect: &str) {
    let m = model(input);
    let cfg = Config::default();
    let a = Analysis::new(&m, &cfg);
    let t = a.table(subnet(&m, label)).expect("table");
    let got: Vec<String> = t
        .routes
        .iter()
        .map(|r| {
            format!(
                "{} -> {} ({:?}, {})",
                r.prefix,
                words::hop(&a, &r.next_hop),
                r.source,
                words::state(&r.state)
            )
        })
        .collect();
    assert_eq!(got.join("\n"), expect.trim(), "effective routes of {label}");
}

/// Which route a destination selects in a subnet.
fn check_lookup(input: &str, label: &str, dst: &str, expect: &str) {
    let m = model(input);
    let cfg = Config::default();
    let a = Analysis::new(&m, &cfg);
    let s = subnet(&m, label);
    let net: Ipv4Net = dst.parse().expect("CIDR");
    let got = match a.table(s).expect("table").lookup(Dest::Net(net)) {
        super::routes::Lookup::Route(i) => words::route_summary(&a, s, i),
        other => format!("{other:?}"),
    };
    assert_eq!(got, expect, "{label} -> {dst}");
}

/// A flow both ways, as the finding text shows it: forward path, reply path, verdict.
fn check_flow(input: &str, from: &str, src: &str, dst: &str, expect: &str) {
    let m = model(input);
    let cfg = Config::default();
    let a = Analysis::new(&m, &cfg);
    let start = if let Some(g) = from.strip_prefix("onprem:") {
        Start::OnPrem(GatewayId(
            m.gateways
                .iter()
                .position(|x| x.meta.display() == g)
                .expect("gateway"),
        ))
    } else {
        Start::Subnet(subnet(&m, from))
    };
    let tw = a.two_way(
        start,
        Dest::Net(src.parse().expect("CIDR")),
        Dest::Net(dst.parse().expect("CIDR")),
    );
    let mut got = vec![format!("forward: {}", words::path(&a, tw.forward()))];
    if let Some(r) = tw.reply() {
        got.push(format!("return:  {}", words::path(&a, r)));
    }
    got.push(words::flow_verdict(&a, &tw));
    assert_eq!(got.join("\n"), expect.trim());
}

const HUB_SPOKE: &str = "
    vnet hub 10.0.0.0/16
    subnet hub/GatewaySubnet 10.0.0.0/27 rt=rt-gw
    subnet hub/AzureFirewallSubnet 10.0.1.0/26
    firewall fw hub
    gateway vpngw hub
    onprem vpngw 192.168.0.0/16
    vnet spoke1 10.1.0.0/16
    subnet spoke1/app 10.1.1.0/24 rt=rt-spoke1
    vnet spoke2 10.2.0.0/16
    subnet spoke2/app 10.2.1.0/24 rt=rt-spoke2
    peer hub<->spoke1 fwd transit remote-gw
    peer hub<->spoke2 fwd transit remote-gw
    rt rt-gw
    route rt-gw 10.1.0.0/16 appliance fw
    route rt-gw 10.2.0.0/16 appliance fw
";

#[test]
fn system_peering_gateway_and_user_routes_with_their_states() {
    check_routes(
        &format!(
            "{HUB_SPOKE}\n rt rt-spoke1 propagation=off\n route rt-spoke1 0.0.0.0/0 appliance fw"
        ),
        "spoke1/app",
        "
10.1.0.0/16 -> VnetLocal (System, active)
10.0.0.0/8 -> None (System, invalid (removed by the 0.0.0.0/0 user route))
172.16.0.0/12 -> None (System, invalid (removed by the 0.0.0.0/0 user route))
192.168.0.0/16 -> None (System, invalid (removed by the 0.0.0.0/0 user route))
100.64.0.0/10 -> None (System, invalid (removed by the 0.0.0.0/0 user route))
0.0.0.0/0 -> Internet (System, invalid (overridden by a user route))
10.0.0.0/16 -> VNetPeering (hub) (Peering, active)
0.0.0.0/0 -> VirtualAppliance fw (10.0.1.4, derived) (User, active)",
    );
}

#[test]
fn gateway_routes_reach_a_transit_spoke_unless_propagation_is_off() {
    let on = format!("{HUB_SPOKE}\n rt rt-spoke1\n route rt-spoke1 0.0.0.0/0 appliance fw");
    // The more specific on-prem route learned from the gateway beats the user 0/0.
    check_lookup(
        &on,
        "spoke1/app",
        "192.168.1.0/24",
        "192.168.0.0/16 -> VirtualNetworkGateway (vpngw)",
    );
    let off = format!(
        "{HUB_SPOKE}\n rt rt-spoke1 propagation=off\n route rt-spoke1 0.0.0.0/0 appliance fw"
    );
    check_lookup(
        &off,
        "spoke1/app",
        "192.168.1.0/24",
        "0.0.0.0/0 -> VirtualAppliance fw (10.0.1.4, derived)",
    );
}

#[test]
fn vnet_and_peering_routes_beat_a_more_specific_gateway_route() {
    // on-prem announces 10.1.1.0/24, more specific than spoke1's peering route 10.1.0.0/16,
    // yet the hub's system peering route wins over the BGP/gateway route.
    let input = "
        vnet hub 10.0.0.0/16
        subnet hub/GatewaySubnet 10.0.0.0/27
        subnet hub/snet-shared 10.0.2.0/24
        gateway vpngw hub
        onprem vpngw 10.1.1.0/24
        vnet spoke1 10.1.0.0/16
        subnet spoke1/app 10.1.1.0/24
        peer hub<->spoke1
    ";
    check_lookup(
        input,
        "hub/snet-shared",
        "10.1.1.0/24",
        "10.1.0.0/16 -> VNetPeering (spoke1)",
    );
}

#[test]
fn same_prefix_user_route_beats_the_system_route() {
    let input = "
        vnet v 10.5.0.0/16
        subnet v/a 10.5.1.0/24 rt=t
        rt t
        route t 10.5.0.0/16 none
    ";
    check_lookup(input, "v/a", "10.5.2.0/24", "10.5.0.0/16 -> None");
}

#[test]
fn onprem_to_spoke_through_the_firewall_and_back() {
    let input = format!(
        "{HUB_SPOKE}\n rt rt-spoke1 propagation=off\n route rt-spoke1 0.0.0.0/0 appliance fw"
    );
    check_flow(
        &input,
        "onprem:vpngw",
        "192.168.0.0/16",
        "10.1.1.0/24",
        "
forward: vpngw (from on-prem) -> hub/GatewaySubnet [route `r0` 10.1.0.0/16] -> fw -> hub/AzureFirewallSubnet [peering route 10.1.0.0/16] -> spoke1/app
return:  spoke1/app [route `r2` 0.0.0.0/0] -> fw (session) -> hub/AzureFirewallSubnet [gateway route 192.168.0.0/16] -> vpngw -> on-prem
OK: both directions pass fw",
    );
}

#[test]
fn propagation_on_the_reply_skips_the_firewall() {
    let input = format!("{HUB_SPOKE}\n rt rt-spoke1\n route rt-spoke1 0.0.0.0/0 appliance fw");
    check_flow(
        &input,
        "onprem:vpngw",
        "192.168.0.0/16",
        "10.1.1.0/24",
        "
forward: vpngw (from on-prem) -> hub/GatewaySubnet [route `r0` 10.1.0.0/16] -> fw -> hub/AzureFirewallSubnet [peering route 10.1.0.0/16] -> spoke1/app
return:  spoke1/app [gateway route 192.168.0.0/16] -> vpngw -> on-prem
ASYMMETRIC: fw holds a session the reply never reaches; TCP fails",
    );
}

#[test]
fn a_peering_that_refuses_forwarded_traffic_drops_what_the_firewall_forwards() {
    let input = "
        vnet hub 10.0.0.0/16
        subnet hub/AzureFirewallSubnet 10.0.1.0/26
        firewall fw hub
        vnet spoke1 10.1.0.0/16
        subnet spoke1/app 10.1.1.0/24 rt=rt1
        vnet spoke2 10.2.0.0/16
        subnet spoke2/app 10.2.1.0/24 rt=rt2
        peer hub<->spoke1 fwd
        peer hub->spoke2 fwd
        peer spoke2->hub
        rt rt1
        route rt1 10.2.0.0/16 appliance fw
        rt rt2
        route rt2 10.1.0.0/16 appliance fw
    ";
    check_flow(
        input,
        "spoke1/app",
        "10.1.1.0/24",
        "10.2.1.0/24",
        "
forward: spoke1/app [route `r0` 10.2.0.0/16] -> fw -> hub/AzureFirewallSubnet [peering route 10.2.0.0/16] -> dropped (peering `spoke2-to-hub` does not allow forwarded traffic into `spoke2`)
BROKEN: the forward direction does not arrive",
    );
}

#[test]
fn a_nic_without_ip_forwarding_drops_what_it_is_sent() {
    let input = "
        vnet v 10.5.0.0/16
        subnet v/a 10.5.1.0/24 rt=t
        subnet v/b 10.5.2.0/24
        subnet v/nva 10.5.9.0/24
        nva nva1 v/nva 10.5.9.4 noforward
        rt t
        route t 10.5.2.0/24 appliance 10.5.9.4
    ";
    check_flow(
        input,
        "v/a",
        "10.5.1.0/24",
        "10.5.2.0/24",
        "
forward: v/a [route `r0` 10.5.2.0/24] -> dropped (NIC `nva1` does not have IP forwarding enabled)
BROKEN: the forward direction does not arrive",
    );
}

#[test]
fn a_private_destination_routed_to_the_internet_is_dropped() {
    let input = "
        vnet v 10.5.0.0/16
        subnet v/a 10.5.1.0/24 rt=t
        rt t
        route t 10.9.0.0/16 internet
    ";
    check_flow(
        input,
        "v/a",
        "10.5.1.0/24",
        "10.9.1.0/24",
        "
forward: v/a [route `r0` 10.9.0.0/16] -> dropped (10.9.1.0/24 is private but its route goes to the Internet)
BROKEN: the forward direction does not arrive",
    );
}

#[test]
fn a_firewall_subnet_routing_to_its_own_firewall_loops() {
    let input = "
        vnet hub 10.0.0.0/16
        subnet hub/AzureFirewallSubnet 10.0.1.0/26 rt=rt-fw
        firewall fw hub
        vnet spoke1 10.1.0.0/16
        subnet spoke1/app 10.1.1.0/24 rt=rt1
        peer hub<->spoke1 fwd
        rt rt-fw
        route rt-fw 10.9.0.0/16 appliance fw
        rt rt1
        route rt1 10.9.0.0/16 appliance fw
        vnet far 10.9.0.0/16
        subnet far/x 10.9.1.0/24
    ";
    check_flow(
        input,
        "spoke1/app",
        "10.1.1.0/24",
        "10.9.1.0/24",
        "
forward: spoke1/app [route `r1` 10.9.0.0/16] -> fw -> hub/AzureFirewallSubnet [route `r0` 10.9.0.0/16] -> loop
BROKEN: the forward direction does not arrive",
    );
}

#[test]
fn snat_to_a_public_destination_and_the_reply_reversed_at_the_firewall() {
    let input = "
        vnet hub 10.0.0.0/16
        subnet hub/AzureFirewallSubnet 10.0.1.0/26
        firewall fw hub
        vnet spoke1 10.1.0.0/16
        subnet spoke1/app 10.1.1.0/24 rt=rt1
        peer hub<->spoke1 fwd
        rt rt1
        route rt1 0.0.0.0/0 appliance fw
    ";
    let m = model(input);
    let cfg = Config::default();
    let a = Analysis::new(&m, &cfg);
    let s = subnet(&m, "spoke1/app");
    let tw = a.two_way(
        Start::Subnet(s),
        Dest::Net("10.1.1.0/24".parse().unwrap()),
        Dest::Net("8.8.8.0/24".parse().unwrap()),
    );
    let steps: Vec<String> = words::steps(&a, tw.forward())
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert_eq!(
        steps,
        [
            "spoke1/app: route 0.0.0.0/0 -> VirtualAppliance fw (10.0.1.4, derived)",
            "fw creates a session",
            "fw: SNAT to an address in 10.0.1.0/26",
            "hub/AzureFirewallSubnet: route 0.0.0.0/0 -> Internet",
            "leaves for the Internet",
        ]
    );
    assert_eq!(words::flow_verdict(&a, &tw), "OK: both directions pass fw");
    // A private destination is not translated (IANA private ranges by default) ...
    let private = a.trace(
        Location::Subnet(s),
        Dest::Net("10.1.1.0/24".parse().unwrap()),
        Dest::Net("172.16.5.0/24".parse().unwrap()),
        &TraceCtx::forward(),
    );
    assert_eq!(private.devices.len(), 1);
    assert!(private.snat.is_empty(), "{:?}", private.steps);
    // ... unless the firewall's private ranges leave it out.
    let m2 = model(&input.replace("firewall fw hub", "firewall fw hub private=192.168.0.0/16"));
    let a2 = Analysis::new(&m2, &cfg);
    let t2 = a2.trace(
        Location::Subnet(subnet(&m2, "spoke1/app")),
        Dest::Net("10.1.1.0/24".parse().unwrap()),
        Dest::Net("172.16.5.0/24".parse().unwrap()),
        &TraceCtx::forward(),
    );
    assert_eq!(t2.snat.len(), 1, "{:?}", t2.steps);
}

#[test]
fn a_next_hop_nothing_owns_is_dropped_unless_a_computed_address_could_own_it() {
    let input = "
        vnet v 10.5.0.0/16
        subnet v/a 10.5.1.0/24 rt=t
        subnet v/b 10.5.2.0/24
        subnet v/nva 10.5.9.0/24
        rt t
        route t 10.5.2.0/24 appliance 10.5.9.7
    ";
    check_flow(
        input,
        "v/a",
        "10.5.1.0/24",
        "10.5.2.0/24",
        "
forward: v/a [route `r0` 10.5.2.0/24] -> dropped (no firewall, NIC or load balancer has the next hop address 10.5.9.7)
BROKEN: the forward direction does not arrive",
    );
    // A NIC whose address Azure assigns, in the subnet that holds the next hop, could be it.
    let maybe = format!("{input}\n nva nva1 v/nva dynamic");
    check_flow(
        &maybe,
        "v/a",
        "10.5.1.0/24",
        "10.5.2.0/24",
        "
forward: v/a [route `r0` 10.5.2.0/24] -> unknown (next hop of route 10.5.2.0/24: no declared firewall, NIC or load balancer has the address 10.5.9.7)
UNKNOWN: next hop of route 10.5.2.0/24: no declared firewall, NIC or load balancer has the address 10.5.9.7",
    );
}

#[test]
fn a_next_hop_in_a_vnet_that_is_not_peered_is_unreachable() {
    let input = "
        vnet hub 10.0.0.0/16
        subnet hub/AzureFirewallSubnet 10.0.1.0/26
        firewall fw hub
        vnet far 10.3.0.0/16
        subnet far/app 10.3.1.0/24 rt=t
        rt t
        route t 0.0.0.0/0 appliance fw
    ";
    check_flow(
        input,
        "far/app",
        "10.3.1.0/24",
        "8.8.8.0/24",
        "
forward: far/app [route `r0` 0.0.0.0/0] -> dropped (`fw` is in a VNet that is not peered with this one)
BROKEN: the forward direction does not arrive",
    );
}

/// Alike spokes of one hub are one class; a spoke with a route of its own, a spoke peered
/// directly with another (related VNets) and the firewall's subnet are not merged; the
/// cross flows of a broken class are traced per spoke, so each table to change is named.
#[test]
fn alike_spokes_are_one_class_and_related_vnets_are_traced_pair_by_pair() {
    let m = model(
        "vnet hub 10.0.0.0/16
subnet hub/AzureFirewallSubnet 10.0.1.0/26
firewall fw hub
vnet s1 10.1.0.0/16
subnet s1/app 10.1.1.0/24 rt=rt-s1
vnet s2 10.2.0.0/16
subnet s2/app 10.2.1.0/24 rt=rt-s2
vnet s3 10.3.0.0/16
subnet s3/app 10.3.1.0/24 rt=rt-s3
vnet s4 10.4.0.0/16
subnet s4/app 10.4.1.0/24 rt=rt-s4
vnet s5 10.5.0.0/16
subnet s5/app 10.5.1.0/24 rt=rt-s5
peer hub<->s1 fwd
peer hub<->s2 fwd
peer hub<->s3 fwd
peer hub<->s4 fwd
peer hub<->s5 fwd
peer s4<->s5 fwd
rt rt-s1
route rt-s1 0.0.0.0/0 appliance fw
rt rt-s2
route rt-s2 0.0.0.0/0 appliance fw
rt rt-s3
route rt-s3 0.0.0.0/0 appliance fw
route rt-s3 10.9.0.0/16 none
rt rt-s4
route rt-s4 0.0.0.0/0 appliance fw
route rt-s4 10.5.0.0/16 appliance fw
rt rt-s5
route rt-s5 0.0.0.0/0 appliance fw",
    );
    let cfg = Config::default();
    let a = Analysis::new(&m, &cfg);
    let cl = a.subnet_classes();
    let class = |l: &str| cl.class_of[subnet(&m, l).0].expect("a workload subnet");
    assert_eq!(class("s1/app"), class("s2/app"), "alike spokes");
    assert_ne!(class("s1/app"), class("s3/app"), "a route of its own");
    assert_ne!(class("s1/app"), class("s4/app"), "peered with s5 as well");
    assert!(cl.related(
        m.subnet_vnet(subnet(&m, "s4/app")),
        m.subnet_vnet(subnet(&m, "s5/app"))
    ));
    assert!(!cl.related(
        m.subnet_vnet(subnet(&m, "s1/app")),
        m.subnet_vnet(subnet(&m, "s2/app"))
    ));
    // Every pair of distinct spokes is represented: s1<->s2 by its class, s4->s5 directly
    // (s4 sends it to the firewall; s5's reply takes the peering, which beats 0/0).
    let flows = a.cross_flows();
    let has = |x: &str, y: &str| {
        flows
            .iter()
            .any(|f| f.src == subnet(&m, x) && f.dst == subnet(&m, y))
    };
    assert!(has("s4/app", "s5/app"));
    let direct = flows
        .iter()
        .find(|f| f.src == subnet(&m, "s4/app") && f.dst == subnet(&m, "s5/app"))
        .expect("traced");
    assert_ne!(direct.flow.verdict(), super::trace::FlowVerdict::Ok);
    // The alike class traces itself once, between two of its spokes.
    let alike = flows
        .iter()
        .filter(|f| {
            class_of(&cl, f.src) == class("s1/app") && class_of(&cl, f.dst) == class("s1/app")
        })
        .count();
    assert_eq!(alike, 1);
}

fn class_of(cl: &super::classes::Classes, s: SubnetId) -> usize {
    cl.class_of[s.0].expect("a workload subnet")
}

/// On-prem flows: alike spokes behind the gateway are traced once when the flow passes
/// (the flow stands for the class); a class whose first member fails is traced member by
/// member, so every broken subnet has its own flow. Subnets of the gateway's own VNet are
/// always traced one by one.
#[test]
fn onprem_flows_of_alike_spokes_are_traced_once_unless_they_fail() {
    let spokes = |rt_route: &str| {
        let mut t = String::from(
            "vnet hub 10.0.0.0/16
subnet hub/GatewaySubnet 10.0.0.0/27 rt=rt-gw
subnet hub/AzureFirewallSubnet 10.0.1.0/26
subnet hub/mgmt 10.0.2.0/24
subnet hub/tools 10.0.3.0/24
firewall fw hub
gateway vpngw hub
onprem vpngw 192.168.0.0/16
rt rt-gw
",
        );
        for i in 1..=4 {
            t.push_str(&format!(
                "vnet s{i} 10.{i}.0.0/16
subnet s{i}/app 10.{i}.1.0/24 rt=rt-s{i}
peer hub<->s{i} fwd transit remote-gw
route rt-gw 10.{i}.0.0/16 appliance fw
rt rt-s{i} propagation=off
route rt-s{i} {rt_route}
"
            ));
        }
        model(&t)
    };
    let cfg = Config::default();
    // Every spoke returns through the firewall: one flow for the four spokes.
    let m = spokes("0.0.0.0/0 appliance fw");
    let a = Analysis::new(&m, &cfg);
    let flows = a.onprem_flows();
    let of = |l: &str| flows.iter().filter(|f| f.subnet == subnet(&m, l)).count();
    assert_eq!(of("s1/app"), 1);
    assert_eq!(of("s2/app") + of("s3/app") + of("s4/app"), 0);
    let first = flows
        .iter()
        .find(|f| f.subnet == subnet(&m, "s1/app"))
        .expect("traced");
    assert!(first.ok());
    assert_eq!(first.alike, 4);
    // The gateway's own VNet: each subnet its own flow.
    assert_eq!((of("hub/mgmt"), of("hub/tools")), (1, 1));
    // The spokes' replies go to the Internet, around the firewall: each spoke its own flow.
    let m = spokes("192.168.0.0/16 internet");
    let a = Analysis::new(&m, &cfg);
    let flows = a.onprem_flows();
    for i in 1..=4 {
        let f: Vec<_> = flows
            .iter()
            .filter(|f| f.subnet == subnet(&m, &format!("s{i}/app")))
            .collect();
        assert_eq!(f.len(), 1, "s{i}");
        assert!(!f[0].ok() && f[0].alike == 1, "s{i}");
    }
}

/// A table with a user route for part of its own VNet (micro-segmentation) may route two
/// subnets of that VNet apart: they are not one class.
#[test]
fn a_micro_segmenting_table_splits_the_subnets_it_routes_apart() {
    let text = |segment: bool| {
        format!(
            "vnet spoke 10.1.0.0/16
subnet spoke/nva 10.1.0.0/24 rt=rt-nva
nva nva1 spoke/nva 10.1.0.4
subnet spoke/a 10.1.1.0/24 rt=rt-app
subnet spoke/b 10.1.2.0/24 rt=rt-app
rt rt-nva
rt rt-app
route rt-app 0.0.0.0/0 appliance 10.1.0.4
{}",
            if segment {
                "route rt-nva 10.1.1.0/24 none"
            } else {
                ""
            }
        )
    };
    let cfg = Config::default();
    for (segment, alike) in [(false, true), (true, false)] {
        let m = model(&text(segment));
        let a = Analysis::new(&m, &cfg);
        let cl = a.classes();
        assert_eq!(
            class_of(cl, subnet(&m, "spoke/a")) == class_of(cl, subnet(&m, "spoke/b")),
            alike,
            "segmenting route: {segment}"
        );
    }
}

/// A spoke that does not use the hub's gateway is still reached from on-prem when the
/// GatewaySubnet routes its addresses: by a route containing them or one inside them.
#[test]
fn the_gateway_reaches_spokes_its_subnet_routes_explicitly() {
    let m = model(
        "vnet hub 10.0.0.0/16
subnet hub/GatewaySubnet 10.0.0.0/27 rt=rt-gw
subnet hub/AzureFirewallSubnet 10.0.1.0/26
firewall fw hub
gateway vpngw hub
onprem vpngw 192.168.0.0/16
rt rt-gw
route rt-gw 10.1.0.0/16 appliance fw
route rt-gw 10.2.1.128/25 appliance fw
route rt-gw 10.200.0.0/16 appliance fw
vnet s1 10.1.0.0/16
subnet s1/app 10.1.1.0/24
vnet s2 10.2.0.0/16
subnet s2/app 10.2.1.0/24
vnet s3 10.3.0.0/16
subnet s3/app 10.3.1.0/24
peer hub<->s1 fwd
peer hub<->s2 fwd
peer hub<->s3 fwd",
    );
    let cfg = Config::default();
    let a = Analysis::new(&m, &cfg);
    let reached: Vec<String> = a
        .reachable_through(GatewayId(0))
        .into_iter()
        .map(|s| m.subnet_label(s))
        .collect();
    assert_eq!(
        reached,
        ["s1/app", "s2/app"],
        "(the firewall's subnet is not a workload subnet) s1 by a route containing it, s2 by one inside it, s3 by none"
    );
}
