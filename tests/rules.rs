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

/// The `dnat-target-blocked-by-nsg` fixture with its `nsg.tf` edited: the findings of RL018
/// and the number of flows not checked.
fn rl018_with(name: &str, edit: impl Fn(&str) -> String) -> (Vec<(String, String, String)>, usize) {
    let dir = tempdir(name);
    copy_tree(
        &root().join("fixtures/dnat-target-blocked-by-nsg/terraform"),
        &dir,
    );
    let nsg = std::fs::read_to_string(dir.join("nsg.tf")).unwrap();
    let edited = edit(&nsg);
    assert_ne!(nsg, edited, "{name}: the edit changed nothing");
    std::fs::write(dir.join("nsg.tf"), edited).unwrap();
    let out = run(&dir);
    let got = findings(&out, &dir)
        .into_iter()
        .filter(|f| f.0 == "RL018")
        .collect();
    (got, out.not_checked)
}

#[test]
fn rl018_default_rules_allow_the_peered_firewall_subnet() {
    // Without the deny-all rule, AllowVnetInBound (65000) admits the peered hub's firewall.
    let (got, unchecked) = rl018_with("rl018-defaults", |t| {
        let i = t
            .find("resource \"azurerm_network_security_rule\"")
            .unwrap();
        let j = t
            .find("resource \"azurerm_subnet_network_security_group_association\"")
            .unwrap();
        format!("{}{}", &t[..i], &t[j..])
    });
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(unchecked, 0);
}

#[test]
fn rl018_an_explicit_deny_before_the_allow_decides() {
    // Allow the firewall subnet at 200, but deny VirtualNetwork at 150: the deny wins.
    let (got, _) = rl018_with("rl018-order", |t| {
        t.replace("\"203.0.113.0/24\"", "\"10.0.1.0/26\"")
            .replace(
                "priority                   = 100",
                "priority                   = 200",
            )
            .replace(
                "  priority                    = 4096",
                "  priority                    = 150",
            )
            .replace(
                "  source_address_prefix       = \"*\"",
                "  source_address_prefix       = \"VirtualNetwork\"",
            )
    });
    assert_eq!(
        got,
        vec![(
            "RL018".to_string(),
            "dnat:fw-hub/rdp@nsg-spoke1-workload".to_string(),
            "nsg.tf:22".to_string()
        )]
    );
}

#[test]
fn rl018_an_allow_for_one_instance_or_an_asg_is_not_checked_not_reported() {
    // A /32 for the firewall's .4 matches only some instances: undecided, counted.
    let (got, unchecked) = rl018_with("rl018-partial", |t| {
        t.replace("\"203.0.113.0/24\"", "\"10.0.1.4\"")
    });
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(unchecked, 1);
    // A destination application security group: membership is not known statically.
    let (got, unchecked) = rl018_with("rl018-asg", |t| {
        t.replace("\"203.0.113.0/24\"", "\"10.0.1.0/26\"").replace(
            "    destination_address_prefix = \"*\"\n",
            "    destination_application_security_group_ids = [\"/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg-jump\"]\n",
        )
    });
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(unchecked, 1);
}

#[test]
fn rl018_a_nic_nsg_is_evaluated_after_the_subnet_nsg() {
    // The subnet admits the firewall; the NIC's NSG (deny-all) drops it.
    let (got, _) = rl018_with("rl018-nic", |t| {
        t.replace("\"203.0.113.0/24\"", "\"10.0.1.0/26\"")
            + r#"
resource "azurerm_network_security_group" "vm1" {
  name                = "nsg-vm1"
  location            = azurerm_resource_group.spokes.location
  resource_group_name = azurerm_resource_group.spokes.name

  security_rule {
    name                       = "deny-rdp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "Tcp"
    source_port_range          = "*"
    source_address_prefix      = "*"
    destination_port_range     = "3389"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_interface_security_group_association" "vm1" {
  network_interface_id      = azurerm_network_interface.vm1.id
  network_security_group_id = azurerm_network_security_group.vm1.id
}
"#
    });
    assert_eq!(
        got,
        vec![(
            "RL018".to_string(),
            "dnat:fw-hub/rdp@nsg-vm1".to_string(),
            "nsg.tf:46".to_string()
        )]
    );
}

#[test]
fn rl009_route_server_subnet_and_appgw_without_public_frontend() {
    let tf = r#"
resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_route_table" "rt" {
  name                = "rt"
  resource_group_name = "rg"
  location            = "westeurope"

  route {
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.0.9.4"
  }
}

resource "azurerm_subnet" "rs" {
  name                 = "RouteServerSubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/27"]
}

resource "azurerm_subnet_route_table_association" "rs" {
  subnet_id      = azurerm_subnet.rs.id
  route_table_id = azurerm_route_table.rt.id
}

resource "azurerm_subnet" "agw" {
  name                 = "snet-agw"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.2.0/24"]
}

resource "azurerm_subnet_route_table_association" "agw" {
  subnet_id      = azurerm_subnet.agw.id
  route_table_id = azurerm_route_table.rt.id
}

resource "azurerm_application_gateway" "private" {
  name                = "agw-private"
  resource_group_name = "rg"
  location            = "westeurope"

  sku {
    name = "WAF_v2"
    tier = "WAF_v2"
  }

  gateway_ip_configuration {
    name      = "gw"
    subnet_id = azurerm_subnet.agw.id
  }

  frontend_ip_configuration {
    name                          = "private"
    subnet_id                     = azurerm_subnet.agw.id
    private_ip_address            = "10.0.2.10"
    private_ip_address_allocation = "Static"
  }
}
"#;
    let got: Vec<_> = findings_of("rl009-rs", &[("main.tf", tf)])
        .into_iter()
        .filter(|f| f.0 == "RL009")
        .collect();
    // The Route Server subnet is reported; the private-only gateway may force-tunnel.
    assert_eq!(
        got,
        vec![(
            "RL009".to_string(),
            "subnet:vnet-hub/RouteServerSubnet:route-table".to_string(),
            "main.tf:29".to_string()
        )]
    );
    // The same gateway with a public frontend is reported at the 0/0 route.
    let public = tf.replace(
        "    subnet_id                     = azurerm_subnet.agw.id\n    private_ip_address",
        "    public_ip_address_id          = \"/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip\"\n    private_ip_address",
    );
    assert_ne!(public, tf);
    let got: Vec<_> = findings_of("rl009-agw", &[("main.tf", &public)])
        .into_iter()
        .filter(|f| f.0 == "RL009")
        .map(|f| f.1)
        .collect();
    assert_eq!(
        got,
        vec![
            "subnet:vnet-hub/RouteServerSubnet:route-table".to_string(),
            "subnet:vnet-hub/snet-agw:appgw-default-route".to_string()
        ]
    );
}

#[test]
fn rl014_one_beaten_spoke_has_a_fix_and_the_hub_itself_is_not_judged() {
    // A spoke's 10.0.0.0/8 -> hub firewall covers the hub: not reported (the hub holds the
    // firewall). The hub's GatewaySubnet with a 10.0.0.0/14 covering one spoke is.
    let dir = tempdir("rl014-one");
    copy_tree(&root().join("fixtures/hub-spoke-ok/terraform"), &dir);
    let gw = std::fs::read_to_string(dir.join("gateway.tf")).unwrap();
    let edited = gw.replace(
        "address_prefix         = \"10.1.0.0/16\"",
        "address_prefix         = \"10.0.0.0/15\"",
    );
    assert_ne!(gw, edited);
    std::fs::write(dir.join("gateway.tf"), edited).unwrap();
    let spokes = std::fs::read_to_string(dir.join("spokes.tf")).unwrap();
    let edited = spokes.replacen(
        "address_prefix         = \"0.0.0.0/0\"",
        "address_prefix         = \"10.0.0.0/8\"",
        1,
    );
    std::fs::write(dir.join("spokes.tf"), edited).unwrap();
    let out = run(&dir);
    let got: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "RL014")
        .collect();
    assert_eq!(got.len(), 1, "{:?}", findings(&out, &dir));
    assert_eq!(got[0].subject, "route:rt-gateway/to-spoke1@vnet-hub");
    assert!(
        got[0].message.contains("`vnet-spoke1` (10.1.0.0/16)"),
        "{}",
        got[0].message
    );
    assert!(got[0].fix.is_some(), "one beaten prefix: one route to add");
}

#[test]
fn rl011_a_basic_vpn_gateway_offers_no_transit() {
    let dir = tempdir("rl011-basic");
    copy_tree(&root().join("fixtures/hub-spoke-ok/terraform"), &dir);
    let gw = std::fs::read_to_string(dir.join("gateway.tf")).unwrap();
    let basic = gw.replace(
        "sku                 = \"VpnGw1\"",
        "sku                 = \"Basic\"",
    );
    assert_ne!(gw, basic);
    std::fs::write(dir.join("gateway.tf"), basic).unwrap();
    let out = run(&dir);
    let got: Vec<_> = findings(&out, &dir)
        .into_iter()
        .filter(|f| f.0 == "RL011")
        .collect();
    // Both hub peerings offer transit; one cause (the SKU), one finding.
    assert_eq!(
        got,
        vec![(
            "RL011".to_string(),
            "peering:peer-hub-to-spoke1:basic-sku".to_string(),
            "gateway.tf:15".to_string()
        )]
    );
    let d = out.diagnostics.iter().find(|d| d.code == "RL011").unwrap();
    assert_eq!(
        d.also,
        vec!["peering:peer-hub-to-spoke2:basic-sku".to_string()]
    );
}

/// hub-spoke-ok with its site-to-site connection replaced by `edit` of gateway.tf, and
/// spoke1's route table left with gateway route propagation on.
fn onprem_variant(name: &str, edit: impl Fn(&str) -> String) -> Vec<(String, String, String)> {
    let dir = tempdir(name);
    copy_tree(&root().join("fixtures/hub-spoke-ok/terraform"), &dir);
    let gw = std::fs::read_to_string(dir.join("gateway.tf")).unwrap();
    let i = gw
        .find("resource \"azurerm_local_network_gateway\"")
        .unwrap();
    let j = gw
        .find("resource \"azurerm_route_table\" \"gateway\"")
        .unwrap();
    let edited = edit(&format!("{}{}", &gw[..i], &gw[j..]));
    std::fs::write(dir.join("gateway.tf"), edited).unwrap();
    let spokes = std::fs::read_to_string(dir.join("spokes.tf")).unwrap();
    let on = spokes.replacen(
        "bgp_route_propagation_enabled = false",
        "bgp_route_propagation_enabled = true",
        1,
    );
    assert_ne!(spokes, on);
    std::fs::write(dir.join("spokes.tf"), on).unwrap();
    findings(&run(&dir), &dir)
        .into_iter()
        .filter(|f| f.0 == "RL001")
        .collect()
}

#[test]
fn point_to_site_clients_are_remote_prefixes_and_a_bare_vpn_gateway_learns_nothing() {
    // A VPN gateway with BGP off and no connection: nothing is learned, so spoke1's
    // propagation breaks no flow (no "assumed learned prefixes" finding).
    assert!(onprem_variant("p2s-none", |t| t.to_string()).is_empty());
    // Its point-to-site pool is a remote prefix: spoke1's reply to it skips the firewall.
    let got = onprem_variant("p2s-pool", |t| {
        t.replace(
            "  ip_configuration {\n    name                 = \"vnetGatewayConfig\"",
            "  vpn_client_configuration {\n    address_space = [\"172.31.0.0/24\"]\n  }\n\n  ip_configuration {\n    name                 = \"vnetGatewayConfig\"",
        )
    });
    assert_eq!(
        got.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
        vec!["onprem:172.31.0.0/24<->vnet-spoke1/snet-workload"]
    );
}

#[test]
fn a_vnet_to_vnet_connection_brings_the_peer_vnets_range() {
    let tf = r#"
resource "azurerm_virtual_network" "a" {
  name                = "vnet-a"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.10.0.0/16"]
}
resource "azurerm_subnet" "a_gw" {
  name                 = "GatewaySubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.a.name
  address_prefixes     = ["10.10.0.0/27"]
}
resource "azurerm_subnet" "a_app" {
  name                 = "snet-app"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.a.name
  address_prefixes     = ["10.10.1.0/24"]
}
resource "azurerm_virtual_network_gateway" "a" {
  name                = "vpngw-a"
  resource_group_name = "rg"
  location            = "westeurope"
  type                = "Vpn"
  sku                 = "VpnGw1"
  ip_configuration {
    name      = "c"
    subnet_id = azurerm_subnet.a_gw.id
  }
}
resource "azurerm_virtual_network" "b" {
  name                = "vnet-b"
  resource_group_name = "rg"
  location            = "northeurope"
  address_space       = ["10.20.0.0/16"]
}
resource "azurerm_subnet" "b_gw" {
  name                 = "GatewaySubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.b.name
  address_prefixes     = ["10.20.0.0/27"]
}
resource "azurerm_virtual_network_gateway" "b" {
  name                = "vpngw-b"
  resource_group_name = "rg"
  location            = "northeurope"
  type                = "Vpn"
  sku                 = "VpnGw1"
  ip_configuration {
    name      = "c"
    subnet_id = azurerm_subnet.b_gw.id
  }
}
resource "azurerm_virtual_network_gateway_connection" "a_to_b" {
  name                            = "a-to-b"
  resource_group_name             = "rg"
  location                        = "westeurope"
  type                            = "Vnet2Vnet"
  virtual_network_gateway_id      = azurerm_virtual_network_gateway.a.id
  peer_virtual_network_gateway_id = azurerm_virtual_network_gateway.b.id
  shared_key                      = "not-a-real-key"
}
"#;
    let dir = tempdir("vnet2vnet");
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    let out = model_of(&dir);
    let p = &out.projects[0];
    let a = routelint::analysis::Analysis::new(&p.model, &p.config);
    let app = p.model.find_subnet("vnet-a/snet-app")[0];
    let t = a.table(app).unwrap();
    let learned: Vec<String> = t
        .routes
        .iter()
        .filter(|r| r.source == routelint::analysis::routes::Source::Gateway)
        .map(|r| r.prefix.to_string())
        .collect();
    assert_eq!(learned, vec!["10.20.0.0/16".to_string()]);
}

#[test]
fn rl024_host_bits_and_tags_in_address_spaces() {
    let tf = r#"
resource "azurerm_virtual_network" "a" {
  name                = "vnet-a"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.1.0.4/16", "VirtualNetwork"]
}

resource "azurerm_subnet" "a" {
  name                 = "snet-a"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.a.name
  address_prefixes     = ["10.0.0.999"]
}
"#;
    let got: Vec<_> = findings_of("rl024", &[("main.tf", tf)])
        .into_iter()
        .filter(|f| f.0 == "RL024")
        .map(|f| (f.1, f.2))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "subnet:vnet-a/snet-a:prefix".to_string(),
                "main.tf:13".to_string()
            ),
            ("vnet:vnet-a:host-bits".to_string(), "main.tf:6".to_string()),
            ("vnet:vnet-a:prefix".to_string(), "main.tf:6".to_string()),
        ]
    );
}

/// The failing private-endpoint fixture, edited.
fn rl025_with(name: &str, edit: impl Fn(&str) -> String) -> Vec<(String, String, String)> {
    let base = std::fs::read_to_string(
        root().join("fixtures/private-endpoint-flow-broken/terraform/main.tf"),
    )
    .unwrap();
    findings_of(name, &[("main.tf", &edit(&base))])
}

#[test]
fn rl025_without_route_table_policies_the_endpoint_route_wins_and_skips_the_firewall() {
    // Policies off (the azurerm 4.x default): the /32 beats 10.1.0.0/16 -> firewall, so the
    // request goes straight over the peering, like the reply: symmetric, not reported.
    let f = rl025_with("rl025-policies-off", |t| {
        t.replace(
            "private_endpoint_network_policies = \"RouteTableEnabled\"",
            "private_endpoint_network_policies = \"Disabled\"",
        )
    });
    assert_eq!(f, Vec::<(String, String, String)>::new());
    // The same with the attribute left out.
    let f = rl025_with("rl025-policies-default", |t| {
        t.replace(
            "  private_endpoint_network_policies = \"RouteTableEnabled\"\n",
            "",
        )
    });
    assert_eq!(f, Vec::<(String, String, String)>::new());
    // A user route shorter than the endpoint VNet's /16 never overrides the /32, even with
    // the policies on.
    // (RL014 says that summary route loses to the peering.)
    let f = rl025_with("rl025-short-route", |t| {
        t.replace(
            "address_prefix         = \"10.1.0.0/16\"",
            "address_prefix         = \"10.0.0.0/8\"",
        )
    });
    assert_eq!(
        f,
        vec![(
            "RL014".to_string(),
            "route:rt-shared/spoke-via-firewall@vnet-hub".to_string(),
            "main.tf:89".to_string()
        )]
    );
}

#[test]
fn rl025_a_static_endpoint_address_and_a_route_for_it() {
    // A static address: a /32 user route for it overrides the endpoint route (policies on),
    // and the firewall's network rule does not SNAT: reported, at the endpoint.
    let f = rl025_with("rl025-static", |t| {
        t.replace(
            "  private_service_connection {",
            "  ip_configuration {\n    name               = \"sql\"\n    private_ip_address = \"10.1.1.10\"\n    subresource_name   = \"sqlServer\"\n  }\n\n  private_service_connection {",
        )
        .replace("address_prefix         = \"10.1.0.0/16\"", "address_prefix         = \"10.1.1.10/32\"")
    });
    assert_eq!(
        f,
        vec![(
            "RL025".to_string(),
            "vnet-hub/snet-shared->pe:pe-sql".to_string(),
            "main.tf:115".to_string()
        )]
    );
}

#[test]
fn rl025_onprem_through_the_gateway_subnet_and_from_a_spoke_not_peered_with_the_endpoint() {
    let extra = r#"
resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.net.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.2.0/27"]
}

resource "azurerm_public_ip" "vpn" {
  name                = "pip-vpn"
  location            = azurerm_resource_group.net.location
  resource_group_name = azurerm_resource_group.net.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_virtual_network_gateway" "vpn" {
  name                = "vgw-hub"
  location            = azurerm_resource_group.net.location
  resource_group_name = azurerm_resource_group.net.name
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
  name                = "lgw-onprem"
  location            = azurerm_resource_group.net.location
  resource_group_name = azurerm_resource_group.net.name
  gateway_address     = "203.0.113.10"
  address_space       = ["192.168.0.0/16"]
}

resource "azurerm_virtual_network_gateway_connection" "onprem" {
  name                       = "cn-onprem"
  location                   = azurerm_resource_group.net.location
  resource_group_name        = azurerm_resource_group.net.name
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.vpn.id
  local_network_gateway_id   = azurerm_local_network_gateway.onprem.id
  shared_key                 = "not-a-secret"
}

resource "azurerm_route_table" "gateway" {
  name                = "rt-gateway"
  location            = azurerm_resource_group.net.location
  resource_group_name = azurerm_resource_group.net.name

  route {
    name                   = "data-via-firewall"
    address_prefix         = "10.1.0.0/16"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
  }
}

resource "azurerm_subnet_route_table_association" "gateway" {
  subnet_id      = azurerm_subnet.gateway.id
  route_table_id = azurerm_route_table.gateway.id
}

resource "azurerm_virtual_network" "app" {
  name                = "vnet-app"
  location            = azurerm_resource_group.net.location
  resource_group_name = azurerm_resource_group.net.name
  address_space       = ["10.2.0.0/16"]
}

resource "azurerm_subnet" "app" {
  name                 = "snet-app"
  resource_group_name  = azurerm_resource_group.net.name
  virtual_network_name = azurerm_virtual_network.app.name
  address_prefixes     = ["10.2.1.0/24"]
}

resource "azurerm_route_table" "app" {
  name                = "rt-app"
  location            = azurerm_resource_group.net.location
  resource_group_name = azurerm_resource_group.net.name

  route {
    name                   = "default-via-firewall"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
  }
}

resource "azurerm_subnet_route_table_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  route_table_id = azurerm_route_table.app.id
}

resource "azurerm_virtual_network_peering" "hub_to_app" {
  name                      = "hub-to-app"
  resource_group_name       = azurerm_resource_group.net.name
  virtual_network_name      = azurerm_virtual_network.hub.name
  remote_virtual_network_id = azurerm_virtual_network.app.id
  allow_forwarded_traffic   = true
}

resource "azurerm_virtual_network_peering" "app_to_hub" {
  name                      = "app-to-hub"
  resource_group_name       = azurerm_resource_group.net.name
  virtual_network_name      = azurerm_virtual_network.app.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
  allow_forwarded_traffic   = true
}
"#;
    let base = std::fs::read_to_string(
        root().join("fixtures/private-endpoint-flow-broken/terraform/main.tf"),
    )
    .unwrap();
    let dir = tempdir("rl025-onprem-spoke");
    std::fs::write(
        dir.join("main.tf"),
        base.replace(
            "source_addresses      = [\"10.0.1.0/24\"]",
            "source_addresses      = [\"10.0.1.0/24\", \"10.2.0.0/16\", \"192.168.0.0/16\"]",
        ) + extra,
    )
    .unwrap();
    let out = run(&dir);
    // One cause, one fix (the firewall's rule): one finding at the endpoint, naming every
    // flow it breaks. On-prem: the GatewaySubnet's route sends the request through the
    // firewall, the endpoint's reply follows the gateway route home. The spoke not peered
    // with the endpoint's VNet: the reply has no route back at all.
    assert_eq!(
        findings(&out, &dir),
        vec![(
            "RL025".to_string(),
            "vnet-hub/snet-shared->pe:pe-sql".to_string(),
            "main.tf:115".to_string()
        )]
    );
    let d = out.diagnostics.iter().find(|d| d.code == "RL025").unwrap();
    let mut also = d.also.clone();
    also.sort();
    assert_eq!(
        also,
        vec![
            "onprem:192.168.0.0/16->pe:pe-sql".to_string(),
            "vnet-app/snet-app->pe:pe-sql".to_string()
        ]
    );

    // The endpoint VNet's peering refuses forwarded traffic: what the firewall forwards from
    // on-prem and from the other spoke is dropped there; RL012 reports it (not RL025), with
    // those flows. The hub subnet's own traffic is not forwarded traffic and still fails as
    // before.
    let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let i = text.find("\"spoke_to_hub\"").unwrap();
    let edited = format!(
        "{}{}",
        &text[..i],
        text[i..].replacen(
            "allow_forwarded_traffic   = true",
            "allow_forwarded_traffic   = false",
            1
        )
    );
    std::fs::write(dir.join("main.tf"), edited).unwrap();
    let out = run(&dir);
    assert_eq!(
        findings(&out, &dir),
        vec![
            (
                "RL012".to_string(),
                "peering:data-to-hub".to_string(),
                "main.tf:142".to_string()
            ),
            (
                "RL025".to_string(),
                "vnet-hub/snet-shared->pe:pe-sql".to_string(),
                "main.tf:115".to_string()
            ),
        ]
    );
    let d = out.diagnostics.iter().find(|d| d.code == "RL012").unwrap();
    let text = format!("{} {:?}", d.message, d.notes);
    assert!(text.contains("private endpoint pe-sql"), "{text}");
}

/// A data source naming a resource the configuration declares is read as that resource (and
/// `model` says so); one naming something else stays Unknown.
#[test]
fn data_sources_matched_by_name() {
    let with = |name: &str, rg: &str| {
        let dir = tempdir(&format!("data-{name}-{}", rg.len()));
        copy_tree(
            &root().join("fixtures/onprem-return-propagation-on/terraform"),
            &dir,
        );
        let spokes = std::fs::read_to_string(dir.join("spokes.tf")).unwrap();
        let edited = spokes.replace(
            "azurerm_firewall.hub.ip_configuration[0].private_ip_address",
            "data.azurerm_firewall.hub.ip_configuration[0].private_ip_address",
        );
        assert_ne!(spokes, edited);
        std::fs::write(
            dir.join("spokes.tf"),
            format!("{edited}\ndata \"azurerm_firewall\" \"hub\" {{\n  name                = \"{name}\"\n  resource_group_name = {rg}\n}}\n"),
        )
        .unwrap();
        dir
    };
    // Same name and resource group: the route's next hop is the firewall, the finding stands.
    let dir = with("fw-hub", "azurerm_resource_group.hub.name");
    assert_eq!(
        findings(&run(&dir), &dir),
        vec![(
            "RL001".to_string(),
            "onprem:192.168.0.0/16<->vnet-spoke1/snet-workload".to_string(),
            "spokes.tf:35".to_string()
        )]
    );
    let (_, out, _) = routelint(&["model", dir.to_str().unwrap()]);
    assert!(
        out.contains("data.azurerm_firewall.hub: matched by name to `azurerm_firewall.hub`"),
        "{out}"
    );
    // Another resource group: not the declared firewall; read from Azure, so Unknown.
    let dir = with("fw-hub", "\"rg-elsewhere\"");
    let out = model_of(&dir);
    assert!(out.projects[0].model.data_matches.is_empty());
    let (_, out, _) = routelint(&[
        "check",
        dir.to_str().unwrap(),
        "--verbose",
        "--format",
        "concise",
    ]);
    assert!(
        out.contains("data source `data.azurerm_firewall.hub` is read from Azure at plan time"),
        "{out}"
    );
}
