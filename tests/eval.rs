//! The Terraform evaluator and the ARM template evaluator on constructs real configurations
//! use, checked through the model they build.

use routelint::ir::*;
mod common;
use common::tempdir;
use std::path::Path;

fn load(dir: &Path) -> routelint::Outcome {
    routelint::load(&[dir.to_path_buf()], &routelint::Options::default())
}

#[test]
fn terraform_dynamic_blocks_splats_conditionals_and_templates() {
    let dir = tempdir("tf");
    std::fs::create_dir_all(dir.join("mod")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        r#"
locals {
  env      = "prod"
  base     = "10.40.0.0/16"
  subnets  = { for i, n in ["app", "db", "web"] : n => cidrsubnet(local.base, 8, i) }
  routes   = [
    { name = "default", prefix = "0.0.0.0/0", ip = "10.40.9.4" },
    { name = "dc", prefix = "192.168.0.0/16", ip = "10.40.9.4" },
  ]
  enabled  = local.env == "prod" ? 1 : 0
  tag      = <<-EOT
    %{ for n in keys(local.subnets) }${upper(n)} %{ endfor }
  EOT
}

resource "azurerm_virtual_network" "v" {
  name                = "vnet-${local.env}"
  resource_group_name = "rg"
  address_space       = [local.base]
}

resource "azurerm_subnet" "s" {
  for_each             = local.subnets
  name                 = "snet-${each.key}"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = [each.value]
}

resource "azurerm_route_table" "rt" {
  count               = local.enabled
  name                = format("rt-%s-%02d", local.env, count.index + 1)
  resource_group_name = "rg"
  dynamic "route" {
    for_each = { for r in local.routes : r.name => r }
    content {
      name                   = route.key
      address_prefix         = route.value.prefix
      next_hop_type          = "VirtualAppliance"
      next_hop_in_ip_address = route.value.ip
    }
  }
}

resource "azurerm_subnet_route_table_association" "a" {
  for_each       = toset([for k, s in azurerm_subnet.s : k if k != "db"])
  subnet_id      = azurerm_subnet.s[each.key].id
  route_table_id = azurerm_route_table.rt[0].id
}

module "child" {
  source = "./mod"
  count  = 2
  index  = count.index
  ids    = values(azurerm_subnet.s)[*].id
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("mod/main.tf"),
        r#"
variable "index" { type = number }
variable "ids" { type = list(string) }
resource "azurerm_network_interface" "n" {
  name                = "nic-${var.index}"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "c"
    subnet_id                     = element(var.ids, var.index)
    private_ip_address_allocation = "Dynamic"
  }
}
"#,
    )
    .unwrap();
    let out = load(&dir);
    assert!(
        out.diagnostics.iter().all(|d| d.code != "eval-error"),
        "{:?}",
        out.diagnostics
    );
    let m = &out.projects[0].model;
    assert_eq!(m.vnets[0].meta.name.as_deref(), Some("vnet-prod"));
    let labels: Vec<String> = (0..m.subnets.len())
        .map(|s| {
            format!(
                "{} {}",
                m.subnet_label(SubnetId(s)),
                m.subnet_prefixes(SubnetId(s))[0]
            )
        })
        .collect();
    assert_eq!(
        labels,
        vec![
            "vnet-prod/snet-app 10.40.0.0/24",
            "vnet-prod/snet-db 10.40.1.0/24",
            "vnet-prod/snet-web 10.40.2.0/24"
        ]
    );
    assert_eq!(m.route_tables[0].meta.name.as_deref(), Some("rt-prod-01"));
    let routes: Vec<&str> = m
        .routes
        .iter()
        .filter_map(|r| r.meta.name.as_deref())
        .collect();
    assert_eq!(routes, vec!["dc", "default"]);
    let with_rt: Vec<bool> = m
        .subnets
        .iter()
        .map(|s| s.route_table.as_ref().and_then(|l| l.id).is_some())
        .collect();
    assert_eq!(with_rt, vec![true, false, true]);
    // Module instances with count, subnet ids passed through a splat and element().
    assert_eq!(m.nics.len(), 2);
    assert_eq!(
        m.nics[1].meta.key,
        "module.child[1].azurerm_network_interface.n"
    );
    assert_eq!(
        m.nics[1].ip_configs[0].subnet.as_ref().and_then(|l| l.id),
        Some(1)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn arm_copy_condition_existing_and_escapes() {
    let dir = tempdir("arm");
    std::fs::write(
        dir.join("t.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "parameters": {"deployNat": {"type": "bool", "defaultValue": false}, "base": {"type": "string", "defaultValue": "10.60.0.0/16"}},
  "variables": {
    "copy": [{"name": "names", "count": 3, "input": "[format('snet-{0}', copyIndex('names'))]"}],
    "literal": "[[not an expression]"
  },
  "resources": {
    "hub": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet-elsewhere"},
    "vnet": {
      "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "[variables('literal')]",
      "properties": {
        "addressSpace": {"addressPrefixes": ["[parameters('base')]"]},
        "copy": [{"name": "subnets", "count": "[length(variables('names'))]", "input": {
          "name": "[variables('names')[copyIndex('subnets')]]",
          "properties": {"addressPrefix": "[cidrSubnet(parameters('base'), 24, copyIndex('subnets'))]"}}}]
      }
    },
    "rts": {
      "copy": {"name": "rts", "count": 2},
      "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "[format('rt-{0}', copyIndex(1))]",
      "properties": {"routes": [{"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}}]}
    },
    "nat": {"condition": "[parameters('deployNat')]", "type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt-nat"}
  }
}"#,
    )
    .unwrap();
    let out = load(&dir);
    assert!(
        out.diagnostics.iter().all(|d| d.code != "eval-error"),
        "{:?}",
        out.diagnostics
    );
    let m = &out.projects[0].model;
    assert_eq!(
        m.vnets.len(),
        1,
        "the existing VNet is referenced, not declared"
    );
    assert_eq!(m.vnets[0].meta.name.as_deref(), Some("[not an expression]"));
    let subnets: Vec<String> = (0..m.subnets.len())
        .map(|s| {
            format!(
                "{} {}",
                m.subnets[s].meta.display(),
                m.subnet_prefixes(SubnetId(s))[0]
            )
        })
        .collect();
    assert_eq!(
        subnets,
        vec![
            "snet-0 10.60.0.0/24",
            "snet-1 10.60.1.0/24",
            "snet-2 10.60.2.0/24"
        ]
    );
    let rts: Vec<&str> = m
        .route_tables
        .iter()
        .filter_map(|t| t.meta.name.as_deref())
        .collect();
    assert_eq!(
        rts,
        vec!["rt-1", "rt-2"],
        "copy loop with copyIndex(1); condition false skips rt-nat"
    );
    assert_eq!(m.routes.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `templatestring()` (Terraform 1.9) renders a naming convention held in a variable with
/// the variables given, as Azure Verified Modules name their resources.
#[test]
fn terraform_templatestring_renders_a_naming_convention() {
    let dir = tempdir("tf-templatestring");
    std::fs::write(
        dir.join("main.tf"),
        r#"
variable "naming" {
  default = {
    vnet   = "vnet-$${workload}-$${region}"
    subnet = "snet-%%{ if tier == \"web\" }frontend%%{ else }$${tier}%%{ endif }"
  }
}

resource "azurerm_virtual_network" "v" {
  name                = templatestring(var.naming.vnet, { workload = "pay", region = "weu" })
  resource_group_name = "rg"
  address_space       = ["10.50.0.0/16"]
}

resource "azurerm_subnet" "s" {
  for_each             = toset(["web", "db"])
  name                 = templatestring(var.naming.subnet, { tier = each.key })
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = [each.key == "web" ? "10.50.1.0/24" : "10.50.2.0/24"]
}

resource "azurerm_subnet" "bad" {
  name                 = templatestring("snet-$${", {})
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = ["10.50.3.0/24"]
}
"#,
    )
    .unwrap();
    let out = load(&dir);
    let m = &out.projects[0].model;
    assert_eq!(m.vnets[0].meta.display(), "vnet-pay-weu");
    let mut names: Vec<String> = (0..m.subnets.len())
        .map(|i| m.subnet_label(SubnetId(i)))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "vnet-pay-weu/azurerm_subnet.bad",
            "vnet-pay-weu/snet-db",
            "vnet-pay-weu/snet-frontend"
        ],
        "{:?}",
        out.diagnostics
    );
    // A template that does not parse is an evaluation error at the call, never a panic.
    assert!(out.diagnostics.iter().any(|d| d
        .message
        .contains("templatestring(): the template does not parse")));
    let _ = std::fs::remove_dir_all(&dir);
}
