//! `cargo bench`: time `check` on synthetic hub-and-spoke estates of growing size.
//!
//! Each estate: a hub (firewall, VPN gateway, local network gateway, GatewaySubnet routes to
//! every spoke) and N spokes with 4 subnets each, all with `0.0.0.0/0 -> firewall` and
//! propagation off, and a firewall rule allowing every spoke to every other. Every
//! on-prem <-> subnet and spoke <-> spoke flow is traced both ways.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn estate(dir: &Path, spokes: usize) {
    let mut hub = String::from(
        r#"resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "gw" {
  name                 = "GatewaySubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.0.0/27"]
}
resource "azurerm_subnet" "fw" {
  name                 = "AzureFirewallSubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/26"]
}
resource "azurerm_firewall" "hub" {
  name                = "fw-hub"
  resource_group_name = "rg"
  firewall_policy_id  = azurerm_firewall_policy.hub.id
  ip_configuration {
    name      = "c"
    subnet_id = azurerm_subnet.fw.id
  }
}
resource "azurerm_firewall_policy" "hub" {
  name                = "pol"
  resource_group_name = "rg"
}
resource "azurerm_firewall_policy_rule_collection_group" "all" {
  name               = "all"
  firewall_policy_id = azurerm_firewall_policy.hub.id
  priority           = 100
  network_rule_collection {
    name     = "spokes"
    priority = 100
    action   = "Allow"
    rule {
      name                  = "any"
      protocols             = ["TCP"]
      source_addresses      = ["10.0.0.0/8", "192.168.0.0/16"]
      destination_addresses = ["10.0.0.0/8", "192.168.0.0/16"]
      destination_ports     = ["*"]
    }
  }
}
resource "azurerm_virtual_network_gateway" "vpn" {
  name                = "vpngw"
  resource_group_name = "rg"
  type                = "Vpn"
  ip_configuration {
    name      = "c"
    subnet_id = azurerm_subnet.gw.id
  }
}
resource "azurerm_local_network_gateway" "dc" {
  name                = "lng"
  resource_group_name = "rg"
  address_space       = ["192.168.0.0/16"]
}
resource "azurerm_virtual_network_gateway_connection" "dc" {
  name                       = "cn"
  resource_group_name        = "rg"
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.vpn.id
  local_network_gateway_id   = azurerm_local_network_gateway.dc.id
}
resource "azurerm_route_table" "gw" {
  name                = "rt-gw"
  resource_group_name = "rg"
}
resource "azurerm_subnet_route_table_association" "gw" {
  subnet_id      = azurerm_subnet.gw.id
  route_table_id = azurerm_route_table.gw.id
}
"#,
    );
    let mut spoke_tf = String::new();
    for i in 1..=spokes {
        let (a, b) = (i / 250 + 20, i % 250);
        let _ = write!(
            hub,
            r#"resource "azurerm_route" "to_s{i}" {{
  name                   = "to-s{i}"
  resource_group_name    = "rg"
  route_table_name       = azurerm_route_table.gw.name
  address_prefix         = "10.{a}.{b}.0/24"
  next_hop_type          = "VirtualAppliance"
  next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
}}
"#
        );
        let _ = write!(
            spoke_tf,
            r#"resource "azurerm_virtual_network" "s{i}" {{
  name                = "vnet-s{i}"
  resource_group_name = "rg"
  address_space       = ["10.{a}.{b}.0/24"]
}}
resource "azurerm_subnet" "s{i}" {{
  count                = 4
  name                 = "snet-${{count.index}}"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.s{i}.name
  address_prefixes     = [cidrsubnet("10.{a}.{b}.0/24", 2, count.index)]
}}
resource "azurerm_route_table" "s{i}" {{
  name                          = "rt-s{i}"
  resource_group_name           = "rg"
  bgp_route_propagation_enabled = false
  route {{
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
  }}
}}
resource "azurerm_subnet_route_table_association" "s{i}" {{
  count          = 4
  subnet_id      = azurerm_subnet.s{i}[count.index].id
  route_table_id = azurerm_route_table.s{i}.id
}}
resource "azurerm_virtual_network_peering" "h{i}" {{
  name                      = "h-s{i}"
  resource_group_name       = "rg"
  virtual_network_name      = azurerm_virtual_network.hub.name
  remote_virtual_network_id = azurerm_virtual_network.s{i}.id
  allow_forwarded_traffic   = true
  allow_gateway_transit     = true
}}
resource "azurerm_virtual_network_peering" "s{i}" {{
  name                      = "s{i}-h"
  resource_group_name       = "rg"
  virtual_network_name      = azurerm_virtual_network.s{i}.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
  allow_forwarded_traffic   = true
  use_remote_gateways       = true
}}
"#
        );
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("hub.tf"), hub).unwrap();
    std::fs::write(dir.join("spokes.tf"), spoke_tf).unwrap();
}

fn main() {
    let base = std::env::temp_dir().join(format!("routelint-bench-{}", std::process::id()));
    println!(
        "{:>7} {:>8} {:>10} {:>10} {:>10} {:>9}",
        "spokes", "subnets", "load ms", "check ms", "findings", "flows"
    );
    for n in [1usize, 10, 50, 100, 200] {
        let dir: PathBuf = base.join(format!("n{n}"));
        estate(&dir, n);
        let opts = routelint::Options::default();
        // Warm-up, then best of 3.
        let _ = routelint::check(std::slice::from_ref(&dir), &opts);
        let mut best_load = f64::MAX;
        let mut best_check = f64::MAX;
        let mut findings = 0;
        let mut flows = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let out = routelint::load(std::slice::from_ref(&dir), &opts);
            best_load = best_load.min(t.elapsed().as_secs_f64() * 1e3);
            let p = &out.projects[0];
            let a = routelint::analysis::Analysis::new(&p.model, &p.config);
            flows = a.onprem_flows().len() + a.cross_flows().len();
            let t = Instant::now();
            let out = routelint::check(std::slice::from_ref(&dir), &opts);
            best_check = best_check.min(t.elapsed().as_secs_f64() * 1e3);
            findings = out
                .diagnostics
                .iter()
                .filter(|d| routelint::is_finding(d))
                .count();
        }
        println!(
            "{n:>7} {:>8} {best_load:>10.1} {best_check:>10.1} {findings:>10} {flows:>9}",
            4 * n + 2
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}
