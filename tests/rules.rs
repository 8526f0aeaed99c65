//! Rule behaviour on small inline configurations: the cases of a rule its fixtures do not
//! show (each asserts the exact findings: code, subject, line).

mod common;
use common::*;

fn findings_of(name: &str, files: &[(&str, &str)]) -> Vec<(String, String, String)> {
    let dir = tempdir(name);
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    let out = run(&dir);
    findings(&out, &dir)
}

const TWO_VNETS: &str = r#"
resource "azurerm_virtual_network" "a" {
  name                = "vnet-a"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_virtual_network" "b" {
  name                = "vnet-b"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.0.128.0/17"]
}
"#;

#[test]
fn rl013_peered_vnets_overlap_once_per_pair_and_unpeered_ones_may() {
    let peerings = r#"
resource "azurerm_virtual_network_peering" "a_b" {
  name                      = "a-to-b"
  resource_group_name       = "rg"
  virtual_network_name      = azurerm_virtual_network.a.name
  remote_virtual_network_id = azurerm_virtual_network.b.id
}

resource "azurerm_virtual_network_peering" "b_a" {
  name                      = "b-to-a"
  resource_group_name       = "rg"
  virtual_network_name      = azurerm_virtual_network.b.name
  remote_virtual_network_id = azurerm_virtual_network.a.id
}
"#;
    let got = findings_of(
        "rl013-peered",
        &[("vnets.tf", TWO_VNETS), ("peerings.tf", peerings)],
    );
    assert_eq!(
        got,
        vec![(
            "RL013".to_string(),
            "peering:a-to-b".to_string(),
            "vnets.tf:6".to_string()
        )]
    );
    // Not peered: the same ranges are fine.
    assert!(findings_of("rl013-unpeered", &[("vnets.tf", TWO_VNETS)]).is_empty());
}

#[test]
fn rl013_onprem_prefix_overlapping_the_gateway_vnet() {
    let gw = r#"
resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "gw" {
  name                 = "GatewaySubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.0.0/27"]
}

resource "azurerm_virtual_network_gateway" "gw" {
  name                = "vpngw"
  resource_group_name = "rg"
  location            = "westeurope"
  type                = "Vpn"
  sku                 = "VpnGw1"
  ip_configuration {
    subnet_id            = azurerm_subnet.gw.id
    public_ip_address_id = "pip"
  }
}

resource "azurerm_local_network_gateway" "dc" {
  name                = "lng-dc"
  resource_group_name = "rg"
  location            = "westeurope"
  gateway_address     = "203.0.113.10"
  address_space       = ["192.168.0.0/16", "10.0.5.0/24"]
}

resource "azurerm_virtual_network_gateway_connection" "dc" {
  name                       = "cn-dc"
  resource_group_name        = "rg"
  location                   = "westeurope"
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.gw.id
  local_network_gateway_id   = azurerm_local_network_gateway.dc.id
}
"#;
    let got: Vec<_> = findings_of("rl013-onprem", &[("main.tf", gw)])
        .into_iter()
        .filter(|f| f.0 == "RL013")
        .collect();
    assert_eq!(
        got,
        vec![(
            "RL013".to_string(),
            "onprem:lng-dc:10.0.5.0/24".to_string(),
            "main.tf:33".to_string()
        )]
    );
}

#[test]
fn rl015_duplicate_prefix_in_one_table() {
    let rt = r#"
resource "azurerm_route_table" "rt" {
  name                = "rt"
  resource_group_name = "rg"
  location            = "westeurope"

  route {
    name           = "a"
    address_prefix = "10.9.0.0/16"
    next_hop_type  = "None"
  }

  route {
    name           = "b"
    address_prefix = "10.9.0.0/16"
    next_hop_type  = "Internet"
  }
}
"#;
    assert_eq!(
        findings_of("rl015-dup", &[("main.tf", rt)]),
        vec![(
            "RL015".to_string(),
            "route:rt/b".to_string(),
            "main.tf:15".to_string()
        )]
    );
}

#[test]
fn rl010_a_peering_with_unknown_vnets_counts_as_a_possible_reverse() {
    let peerings = r#"
variable "remote_id" {}
variable "remote_name" {}

resource "azurerm_virtual_network_peering" "a_b" {
  name                      = "a-to-b"
  resource_group_name       = "rg"
  virtual_network_name      = azurerm_virtual_network.a.name
  remote_virtual_network_id = azurerm_virtual_network.b.id
}

resource "azurerm_virtual_network_peering" "back" {
  name                      = "back"
  resource_group_name       = "rg"
  virtual_network_name      = var.remote_name
  remote_virtual_network_id = var.remote_id
}
"#;
    let got: Vec<_> = findings_of(
        "rl010-unknown",
        &[("vnets.tf", TWO_VNETS), ("peerings.tf", peerings)],
    )
    .into_iter()
    .filter(|f| f.0 == "RL010")
    .collect();
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn rl016_gateway_next_hop_with_only_an_expressroute_gateway_and_malformed_literals() {
    let tf = r#"
resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "gw" {
  name                 = "GatewaySubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.0.0/27"]
}

resource "azurerm_subnet" "app" {
  name                 = "snet-app"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.2.0/24"]
}

resource "azurerm_subnet_route_table_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  route_table_id = azurerm_route_table.app.id
}

resource "azurerm_virtual_network_gateway" "er" {
  name                = "ergw"
  resource_group_name = "rg"
  location            = "westeurope"
  type                = "ExpressRoute"
  sku                 = "Standard"
  ip_configuration {
    subnet_id            = azurerm_subnet.gw.id
    public_ip_address_id = "pip"
  }
}

resource "azurerm_route_table" "app" {
  name                = "rt-app"
  resource_group_name = "rg"
  location            = "westeurope"

  route {
    name           = "to-dc"
    address_prefix = "192.168.0.0/16"
    next_hop_type  = "VirtualNetworkGateway"
  }

  route {
    name                   = "typo"
    address_prefix         = "10.50.0.0/33"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.0.1.400"
  }
}
"#;
    let got: Vec<_> = findings_of("rl016-er", &[("main.tf", tf)])
        .into_iter()
        .filter(|f| f.0 == "RL016")
        .collect();
    let want: Vec<(String, String, String)> = [
        ("route:rt-app/to-dc:expressroute", "main.tf:48"),
        ("route:rt-app/typo:bad-ip", "main.tf:55"),
        ("route:rt-app/typo:prefix", "main.tf:53"),
    ]
    .iter()
    .map(|(s, l)| ("RL016".to_string(), s.to_string(), l.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn rl019_not_with_a_management_ip_configuration() {
    let dir = tempdir("rl019-mgmt");
    copy_tree(
        &root().join("fixtures/forced-tunnel-without-management-nic/terraform"),
        &dir,
    );
    let hub = std::fs::read_to_string(dir.join("hub.tf")).unwrap();
    let with_mgmt = hub.replace(
        "  ip_configuration {\n    name                 = \"ipconfig\"",
        "  management_ip_configuration {\n    name                 = \"mgmt\"\n    subnet_id            = azurerm_subnet.firewall_mgmt.id\n    public_ip_address_id = azurerm_public_ip.firewall.id\n  }\n\n  ip_configuration {\n    name                 = \"ipconfig\"",
    ) + "\nresource \"azurerm_subnet\" \"firewall_mgmt\" {\n  name                 = \"AzureFirewallManagementSubnet\"\n  resource_group_name  = azurerm_resource_group.hub.name\n  virtual_network_name = azurerm_virtual_network.hub.name\n  address_prefixes     = [\"10.0.2.0/26\"]\n}\n";
    assert_ne!(hub, with_mgmt);
    std::fs::write(dir.join("hub.tf"), with_mgmt).unwrap();
    let got: Vec<_> = findings(&run(&dir), &dir)
        .into_iter()
        .filter(|f| f.0 == "RL019")
        .collect();
    assert!(got.is_empty(), "{got:?}");
}
