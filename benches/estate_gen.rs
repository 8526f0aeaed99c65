//! Estate generator: a hub (firewall with a policy, VPN gateway, on-premises 192.168.0.0/16
//! through a local network gateway, GatewaySubnet routes to every spoke through the
//! firewall) and N spokes (4 subnets each, `0.0.0.0/0 -> firewall`, propagation off,
//! peered both ways), in Terraform (one file per spoke) or ARM (one template), with K seeded
//! faults of each seed case. Prints the findings routelint must give.
//!
//! ```text
//! cargo run --release --example estate-gen -- --spokes 1000 --faults 3 --form terraform --out DIR
//! ```
//!
//! The faults, each in its own spokes (so N >= 4K):
//! - `dnat` (seed case 1): a DNAT rule to a VM in the spoke. The firewall SNATs: **no**
//!   finding.
//! - `missing-udr` (seed case 2): the spoke's route table has no route. Spoke <-> spoke and
//!   on-prem replies leave for the Internet and are dropped: one RL002 (its table) and one
//!   RL001 (on-prem replies dropped after the firewall).
//! - `propagation-on` (seed case 3): the spoke's route table keeps gateway route propagation
//!   on, so on-prem replies skip the firewall: one RL001.
//! - `public-lb` (seed case 4): a Standard public load balancer in front of a VM of the
//!   spoke, whose `0.0.0.0/0 -> firewall` takes the replies: one RL003.
//!
//! The expected count is what the seed cases say, with routelint's "one root cause, one
//! finding": findings of one rule at one declaration with one fix are one.

use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    Dnat,
    MissingUdr,
    PropagationOn,
    PublicLb,
}

/// Findings each fault gives: (code, count).
fn expected(f: Fault) -> &'static [(&'static str, usize)] {
    match f {
        Fault::None | Fault::Dnat => &[],
        Fault::MissingUdr => &[("RL001", 1), ("RL002", 1)],
        Fault::PropagationOn => &[("RL001", 1)],
        Fault::PublicLb => &[("RL003", 1)],
    }
}

fn fault_of(i: usize, k: usize) -> Fault {
    // Spokes are numbered from 1; the first 4K carry the faults.
    match (i - 1) / k.max(1) {
        _ if k == 0 => Fault::None,
        0 => Fault::Dnat,
        1 => Fault::MissingUdr,
        2 => Fault::PropagationOn,
        3 => Fault::PublicLb,
        _ => Fault::None,
    }
}

/// Spoke `i`'s /24: 10.20.1.0/24, 10.20.2.0/24, … (250 a /16), never the hub's 10.0/16.
fn spoke_net(i: usize) -> (usize, usize) {
    (20 + i / 250, i % 250)
}

struct Args {
    spokes: usize,
    faults: usize,
    form: String,
    out: PathBuf,
}

#[allow(dead_code)]
fn args() -> Args {
    let mut a = Args {
        spokes: 10,
        faults: 0,
        form: "terraform".into(),
        out: PathBuf::from("estate"),
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let val = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--spokes" => a.spokes = val.parse().expect("--spokes N"),
            "--faults" => a.faults = val.parse().expect("--faults K"),
            "--form" => a.form = val,
            "--out" => a.out = PathBuf::from(val),
            other => {
                eprintln!("estate-gen: unknown argument `{other}`\nusage: estate-gen --spokes N --faults K --form terraform|arm --out DIR");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    if a.spokes < 4 * a.faults {
        eprintln!("estate-gen: --spokes must be at least 4 x --faults");
        std::process::exit(2);
    }
    a
}

/// Writes an estate and returns the findings routelint must give, by code.
pub fn generate(
    spokes: usize,
    faults: usize,
    form: &str,
    out: &std::path::Path,
) -> std::collections::BTreeMap<&'static str, usize> {
    let a = Args {
        spokes,
        faults,
        form: form.to_string(),
        out: out.to_path_buf(),
    };
    let _ = std::fs::remove_dir_all(&a.out);
    std::fs::create_dir_all(&a.out).expect("create --out");
    let fs: Vec<Fault> = (1..=a.spokes).map(|i| fault_of(i, a.faults)).collect();
    match a.form.as_str() {
        "terraform" => terraform(&a, &fs),
        "arm" => arm(&a, &fs),
        other => panic!("form terraform or arm, not `{other}`"),
    }
    let mut by_code: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for f in &fs {
        for (c, n) in expected(*f) {
            *by_code.entry(c).or_default() += n;
        }
    }
    by_code
}

#[allow(dead_code)]
fn main() {
    let a = args();
    if !matches!(a.form.as_str(), "terraform" | "arm") {
        eprintln!("estate-gen: --form terraform or arm, not `{}`", a.form);
        std::process::exit(2);
    }
    let by_code = generate(a.spokes, a.faults, &a.form, &a.out);
    let total: usize = by_code.values().sum();
    let detail: Vec<String> = by_code.iter().map(|(c, n)| format!("{c}={n}")).collect();
    println!("expected findings: {total} {}", detail.join(" "));
}

fn terraform(a: &Args, faults: &[Fault]) {
    let mut hub = String::from(
        r#"terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.0.0/27"]
}

resource "azurerm_subnet" "firewall" {
  name                 = "AzureFirewallSubnet"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/26"]
}

resource "azurerm_public_ip" "firewall" {
  name                = "pip-fw-hub"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_firewall_policy" "hub" {
  name                = "fwpol-hub"
  location            = "westeurope"
  resource_group_name = "rg-hub"
}

resource "azurerm_firewall" "hub" {
  name                = "fw-hub"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  sku_name            = "AZFW_VNet"
  sku_tier            = "Standard"
  firewall_policy_id  = azurerm_firewall_policy.hub.id

  ip_configuration {
    name                 = "ipconfig"
    subnet_id            = azurerm_subnet.firewall.id
    public_ip_address_id = azurerm_public_ip.firewall.id
  }
}

resource "azurerm_firewall_policy_rule_collection_group" "hub" {
  name               = "rcg-hub"
  firewall_policy_id = azurerm_firewall_policy.hub.id
  priority           = 200

  network_rule_collection {
    name     = "east-west"
    priority = 200
    action   = "Allow"

    rule {
      name                  = "spokes-and-onprem"
      protocols             = ["TCP"]
      source_addresses      = ["10.0.0.0/8", "192.168.0.0/16"]
      destination_addresses = ["10.0.0.0/8", "192.168.0.0/16"]
      destination_ports     = ["443"]
    }
  }
"#,
    );
    let dnat: Vec<usize> = (1..=a.spokes)
        .filter(|&i| faults[i - 1] == Fault::Dnat)
        .collect();
    if !dnat.is_empty() {
        hub.push_str(
            r#"
  nat_rule_collection {
    name     = "inbound"
    priority = 100
    action   = "Dnat"
"#,
        );
        for (n, i) in dnat.iter().enumerate() {
            let (x, y) = spoke_net(*i);
            let _ = write!(
                hub,
                r#"
    rule {{
      name                = "rdp-s{i}"
      protocols           = ["TCP"]
      source_addresses    = ["*"]
      destination_address = azurerm_public_ip.firewall.ip_address
      destination_ports   = ["{}"]
      translated_address  = "10.{x}.{y}.4"
      translated_port     = "3389"
    }}
"#,
                50000 + n
            );
        }
        hub.push_str("  }\n");
    }
    hub.push_str(
        r#"}

resource "azurerm_public_ip" "vpn" {
  name                = "pip-vpngw-hub"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_virtual_network_gateway" "hub" {
  name                = "vpngw-hub"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  type                = "Vpn"
  vpn_type            = "RouteBased"
  sku                 = "VpnGw1"

  ip_configuration {
    name                 = "vnetGatewayConfig"
    public_ip_address_id = azurerm_public_ip.vpn.id
    subnet_id            = azurerm_subnet.gateway.id
  }
}

resource "azurerm_local_network_gateway" "onprem" {
  name                = "lng-datacenter"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  gateway_address     = "203.0.113.10"
  address_space       = ["192.168.0.0/16"]
}

resource "azurerm_virtual_network_gateway_connection" "onprem" {
  name                       = "cn-datacenter"
  location                   = "westeurope"
  resource_group_name        = "rg-hub"
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.hub.id
  local_network_gateway_id   = azurerm_local_network_gateway.onprem.id
  shared_key                 = "not-a-real-key"
}

resource "azurerm_route_table" "gateway" {
  name                = "rt-gateway"
  location            = "westeurope"
  resource_group_name = "rg-hub"
}

resource "azurerm_subnet_route_table_association" "gateway" {
  subnet_id      = azurerm_subnet.gateway.id
  route_table_id = azurerm_route_table.gateway.id
}
"#,
    );
    for i in 1..=a.spokes {
        let (x, y) = spoke_net(i);
        let _ = write!(
            hub,
            r#"
resource "azurerm_route" "gateway_s{i}" {{
  name                   = "to-s{i}"
  resource_group_name    = "rg-hub"
  route_table_name       = azurerm_route_table.gateway.name
  address_prefix         = "10.{x}.{y}.0/24"
  next_hop_type          = "VirtualAppliance"
  next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
}}
"#
        );
    }
    std::fs::write(a.out.join("hub.tf"), hub).expect("write hub.tf");
    for i in 1..=a.spokes {
        let f = faults[i - 1];
        let (x, y) = spoke_net(i);
        let propagation = if f == Fault::PropagationOn {
            "true"
        } else {
            "false"
        };
        let route = if f == Fault::MissingUdr {
            String::new()
        } else {
            r#"
  route {
    name                   = "default-via-firewall"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
  }
"#
            .to_string()
        };
        let mut s = format!(
            r#"resource "azurerm_virtual_network" "s{i}" {{
  name                = "vnet-s{i}"
  location            = "westeurope"
  resource_group_name = "rg-spokes"
  address_space       = ["10.{x}.{y}.0/24"]
}}

resource "azurerm_subnet" "s{i}" {{
  count                = 4
  name                 = "snet-${{count.index}}"
  resource_group_name  = "rg-spokes"
  virtual_network_name = azurerm_virtual_network.s{i}.name
  address_prefixes     = [cidrsubnet("10.{x}.{y}.0/24", 2, count.index)]
}}

resource "azurerm_route_table" "s{i}" {{
  name                          = "rt-s{i}"
  location                      = "westeurope"
  resource_group_name           = "rg-spokes"
  bgp_route_propagation_enabled = {propagation}
{route}}}

resource "azurerm_subnet_route_table_association" "s{i}" {{
  count          = 4
  subnet_id      = azurerm_subnet.s{i}[count.index].id
  route_table_id = azurerm_route_table.s{i}.id
}}

resource "azurerm_virtual_network_peering" "hub_s{i}" {{
  name                         = "peer-hub-to-s{i}"
  resource_group_name          = "rg-hub"
  virtual_network_name         = azurerm_virtual_network.hub.name
  remote_virtual_network_id    = azurerm_virtual_network.s{i}.id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = true
  allow_gateway_transit        = true
}}

resource "azurerm_virtual_network_peering" "s{i}_hub" {{
  name                         = "peer-s{i}-to-hub"
  resource_group_name          = "rg-spokes"
  virtual_network_name         = azurerm_virtual_network.s{i}.name
  remote_virtual_network_id    = azurerm_virtual_network.hub.id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = true
  use_remote_gateways          = true
}}

resource "azurerm_network_interface" "vm_s{i}" {{
  name                = "nic-vm-s{i}"
  location            = "westeurope"
  resource_group_name = "rg-spokes"

  ip_configuration {{
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.s{i}[0].id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.{x}.{y}.4"
  }}
}}
"#
        );
        if f == Fault::PublicLb {
            let _ = write!(
                s,
                r#"
resource "azurerm_public_ip" "lb_s{i}" {{
  name                = "pip-lb-s{i}"
  location            = "westeurope"
  resource_group_name = "rg-spokes"
  allocation_method   = "Static"
  sku                 = "Standard"
}}

resource "azurerm_lb" "s{i}" {{
  name                = "lb-s{i}"
  location            = "westeurope"
  resource_group_name = "rg-spokes"
  sku                 = "Standard"

  frontend_ip_configuration {{
    name                 = "fe-public"
    public_ip_address_id = azurerm_public_ip.lb_s{i}.id
  }}
}}

resource "azurerm_lb_backend_address_pool" "s{i}" {{
  name            = "be-s{i}"
  loadbalancer_id = azurerm_lb.s{i}.id
}}

resource "azurerm_lb_rule" "s{i}" {{
  name                           = "https"
  loadbalancer_id                = azurerm_lb.s{i}.id
  frontend_ip_configuration_name = "fe-public"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.s{i}.id]
  protocol                       = "Tcp"
  frontend_port                  = 443
  backend_port                   = 443
}}

resource "azurerm_network_interface_backend_address_pool_association" "s{i}" {{
  network_interface_id    = azurerm_network_interface.vm_s{i}.id
  ip_configuration_name   = "ipconfig1"
  backend_address_pool_id = azurerm_lb_backend_address_pool.s{i}.id
}}
"#
            );
        }
        std::fs::write(a.out.join(format!("spoke{i:05}.tf")), s).expect("write spoke");
    }
}

/// A JSON string literal.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn arm(a: &Args, faults: &[Fault]) {
    let fw_ip = "[reference(resourceId('Microsoft.Network/azureFirewalls', 'fw-hub'), '2024-05-01').ipConfigurations[0].properties.privateIPAddress]";
    let mut res: Vec<String> = Vec::new();
    let id = |t: &str, n: &str| format!("[resourceId('{t}', {n})]");
    res.push(format!(
        r#"{{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet-hub", "location": "westeurope",
  "properties": {{"addressSpace": {{"addressPrefixes": ["10.0.0.0/16"]}}, "subnets": [
    {{"name": "GatewaySubnet", "properties": {{"addressPrefix": "10.0.0.0/27", "routeTable": {{"id": {}}}}}}},
    {{"name": "AzureFirewallSubnet", "properties": {{"addressPrefix": "10.0.1.0/26"}}}}]}}}}"#,
        q(&id("Microsoft.Network/routeTables", "'rt-gateway'"))
    ));
    res.push(r#"{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-05-01", "name": "pip-fw-hub", "location": "westeurope", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}"#.to_string());
    res.push(r#"{"type": "Microsoft.Network/firewallPolicies", "apiVersion": "2024-05-01", "name": "fwpol-hub", "location": "westeurope", "properties": {"sku": {"tier": "Standard"}}}"#.to_string());
    res.push(format!(
        r#"{{"type": "Microsoft.Network/azureFirewalls", "apiVersion": "2024-05-01", "name": "fw-hub", "location": "westeurope",
  "properties": {{"sku": {{"name": "AZFW_VNet", "tier": "Standard"}}, "firewallPolicy": {{"id": {}}},
    "ipConfigurations": [{{"name": "ipconfig", "properties": {{"subnet": {{"id": {}}}, "publicIPAddress": {{"id": {}}}}}}}]}}}}"#,
        q(&id("Microsoft.Network/firewallPolicies", "'fwpol-hub'")),
        q(&id(
            "Microsoft.Network/virtualNetworks/subnets",
            "'vnet-hub', 'AzureFirewallSubnet'"
        )),
        q(&id("Microsoft.Network/publicIPAddresses", "'pip-fw-hub'"))
    ));
    let mut collections = vec![r#"{"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "east-west", "priority": 200, "action": {"type": "Allow"},
      "rules": [{"ruleType": "NetworkRule", "name": "spokes-and-onprem", "ipProtocols": ["TCP"], "sourceAddresses": ["10.0.0.0/8", "192.168.0.0/16"], "destinationAddresses": ["10.0.0.0/8", "192.168.0.0/16"], "destinationPorts": ["443"]}]}"#.to_string()];
    let dnat: Vec<String> = (1..=a.spokes)
        .filter(|&i| faults[i - 1] == Fault::Dnat)
        .enumerate()
        .map(|(n, i)| {
            let (x, y) = spoke_net(i);
            format!(
                r#"{{"ruleType": "NatRule", "name": "rdp-s{i}", "ipProtocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": [{}], "destinationPorts": ["{}"], "translatedAddress": "10.{x}.{y}.4", "translatedPort": "3389"}}"#,
                q("[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip-fw-hub'), '2024-05-01').ipAddress]"),
                50000 + n
            )
        })
        .collect();
    if !dnat.is_empty() {
        collections.insert(0, format!(
            r#"{{"ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "inbound", "priority": 100, "action": {{"type": "Dnat"}}, "rules": [{}]}}"#,
            dnat.join(", ")
        ));
    }
    res.push(format!(
        r#"{{"type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups", "apiVersion": "2024-05-01", "name": "fwpol-hub/rcg-hub",
  "properties": {{"priority": 200, "ruleCollections": [{}]}}}}"#,
        collections.join(", ")
    ));
    res.push(r#"{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-05-01", "name": "pip-vpngw-hub", "location": "westeurope", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}"#.to_string());
    res.push(format!(
        r#"{{"type": "Microsoft.Network/virtualNetworkGateways", "apiVersion": "2024-05-01", "name": "vpngw-hub", "location": "westeurope",
  "properties": {{"gatewayType": "Vpn", "vpnType": "RouteBased", "sku": {{"name": "VpnGw1", "tier": "VpnGw1"}},
    "ipConfigurations": [{{"name": "vnetGatewayConfig", "properties": {{"subnet": {{"id": {}}}, "publicIPAddress": {{"id": {}}}}}}}]}}}}"#,
        q(&id(
            "Microsoft.Network/virtualNetworks/subnets",
            "'vnet-hub', 'GatewaySubnet'"
        )),
        q(&id("Microsoft.Network/publicIPAddresses", "'pip-vpngw-hub'"))
    ));
    res.push(r#"{"type": "Microsoft.Network/localNetworkGateways", "apiVersion": "2024-05-01", "name": "lng-datacenter", "location": "westeurope", "properties": {"gatewayIpAddress": "203.0.113.10", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}"#.to_string());
    res.push(format!(
        r#"{{"type": "Microsoft.Network/connections", "apiVersion": "2024-05-01", "name": "cn-datacenter", "location": "westeurope",
  "properties": {{"connectionType": "IPsec", "virtualNetworkGateway1": {{"id": {}}}, "localNetworkGateway2": {{"id": {}}}, "sharedKey": "not-a-real-key"}}}}"#,
        q(&id("Microsoft.Network/virtualNetworkGateways", "'vpngw-hub'")),
        q(&id("Microsoft.Network/localNetworkGateways", "'lng-datacenter'"))
    ));
    let gw_routes: Vec<String> = (1..=a.spokes)
        .map(|i| {
            let (x, y) = spoke_net(i);
            format!(
                r#"{{"name": "to-s{i}", "properties": {{"addressPrefix": "10.{x}.{y}.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": {}}}}}"#,
                q(fw_ip)
            )
        })
        .collect();
    res.push(format!(
        r#"{{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt-gateway", "location": "westeurope", "properties": {{"routes": [{}]}}}}"#,
        gw_routes.join(",\n    ")
    ));
    for i in 1..=a.spokes {
        let f = faults[i - 1];
        let (x, y) = spoke_net(i);
        let rt = format!("rt-s{i}");
        let subnets: Vec<String> = (0..4)
            .map(|k| {
                format!(
                    r#"{{"name": "snet-{k}", "properties": {{"addressPrefix": "10.{x}.{y}.{}/26", "routeTable": {{"id": {}}}}}}}"#,
                    k * 64,
                    q(&id("Microsoft.Network/routeTables", &format!("'{rt}'")))
                )
            })
            .collect();
        res.push(format!(
            r#"{{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet-s{i}", "location": "westeurope",
  "properties": {{"addressSpace": {{"addressPrefixes": ["10.{x}.{y}.0/24"]}}, "subnets": [{}]}}}}"#,
            subnets.join(", ")
        ));
        let routes = if f == Fault::MissingUdr {
            String::new()
        } else {
            format!(
                r#"{{"name": "default-via-firewall", "properties": {{"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": {}}}}}"#,
                q(fw_ip)
            )
        };
        res.push(format!(
            r#"{{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "{rt}", "location": "westeurope", "properties": {{"disableBgpRoutePropagation": {}, "routes": [{routes}]}}}}"#,
            f != Fault::PropagationOn
        ));
        for (local, remote, name, hub_side) in [
            (
                "vnet-hub",
                format!("vnet-s{i}"),
                format!("peer-hub-to-s{i}"),
                true,
            ),
            (
                &*format!("vnet-s{i}"),
                "vnet-hub".to_string(),
                format!("peer-s{i}-to-hub"),
                false,
            ),
        ] {
            res.push(format!(
                r#"{{"type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "apiVersion": "2024-05-01", "name": "{local}/{name}",
  "properties": {{"remoteVirtualNetwork": {{"id": {}}}, "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "allowGatewayTransit": {hub_side}, "useRemoteGateways": {}}}}}"#,
                q(&id("Microsoft.Network/virtualNetworks", &format!("'{remote}'"))),
                !hub_side
            ));
        }
        let pool = if f == Fault::PublicLb {
            format!(
                r#", "loadBalancerBackendAddressPools": [{{"id": {}}}]"#,
                q(&id(
                    "Microsoft.Network/loadBalancers/backendAddressPools",
                    &format!("'lb-s{i}', 'be-s{i}'")
                ))
            )
        } else {
            String::new()
        };
        res.push(format!(
            r#"{{"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-05-01", "name": "nic-vm-s{i}", "location": "westeurope",
  "properties": {{"ipConfigurations": [{{"name": "ipconfig1", "properties": {{"subnet": {{"id": {}}}, "privateIPAllocationMethod": "Static", "privateIPAddress": "10.{x}.{y}.4"{pool}}}}}]}}}}"#,
            q(&id(
                "Microsoft.Network/virtualNetworks/subnets",
                &format!("'vnet-s{i}', 'snet-0'")
            ))
        ));
        if f == Fault::PublicLb {
            res.push(format!(
                r#"{{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-05-01", "name": "pip-lb-s{i}", "location": "westeurope", "sku": {{"name": "Standard"}}, "properties": {{"publicIPAllocationMethod": "Static"}}}}"#
            ));
            res.push(format!(
                r#"{{"type": "Microsoft.Network/loadBalancers", "apiVersion": "2024-05-01", "name": "lb-s{i}", "location": "westeurope", "sku": {{"name": "Standard"}},
  "properties": {{"frontendIPConfigurations": [{{"name": "fe-public", "properties": {{"publicIPAddress": {{"id": {}}}}}}}],
    "backendAddressPools": [{{"name": "be-s{i}"}}],
    "loadBalancingRules": [{{"name": "https", "properties": {{"frontendIPConfiguration": {{"id": {}}}, "backendAddressPool": {{"id": {}}}, "protocol": "Tcp", "frontendPort": 443, "backendPort": 443}}}}]}}}}"#,
                q(&id("Microsoft.Network/publicIPAddresses", &format!("'pip-lb-s{i}'"))),
                q(&id(
                    "Microsoft.Network/loadBalancers/frontendIPConfigurations",
                    &format!("'lb-s{i}', 'fe-public'")
                )),
                q(&id(
                    "Microsoft.Network/loadBalancers/backendAddressPools",
                    &format!("'lb-s{i}', 'be-s{i}'")
                ))
            ));
        }
    }
    let tpl = format!(
        "{{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": [\n{}\n  ]\n}}\n",
        res.join(",\n")
    );
    std::fs::write(a.out.join("main.json"), tpl).expect("write main.json");
}
