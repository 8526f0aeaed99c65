//! The IR built from the Terraform fixtures: counts, resolved prefixes, next hops and
//! symbolic firewall IPs.

mod common;
use common::*;
use routelint::analysis::routes::{ApplianceRef, NextHop};
use routelint::analysis::Analysis;
use routelint::ir::*;

#[test]
fn hub_spoke_topology_is_resolved() {
    let out = model_of(&fixture("hub-spoke-ok").join("terraform"));
    assert!(out.diagnostics.iter().all(|d| d.code != "parse-error"));
    assert_eq!(out.projects.len(), 1);
    let m = &out.projects[0].model;
    assert_eq!(m.front_end, "terraform");
    assert_eq!(
        (m.vnets.len(), m.subnets.len(), m.peerings.len()),
        (3, 4, 4)
    );
    assert_eq!((m.route_tables.len(), m.routes.len()), (3, 4));
    assert_eq!(
        (
            m.firewalls.len(),
            m.gateways.len(),
            m.local_gateways.len(),
            m.connections.len()
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(m.nics.len(), 2);

    // GatewaySubnet's prefix comes from cidrsubnet() over the VNet's address space.
    let gw = m.find_subnet("vnet-hub/GatewaySubnet");
    assert_eq!(gw.len(), 1);
    assert_eq!(m.subnet_prefixes(gw[0])[0].to_string(), "10.0.0.0/27");
    assert_eq!(m.subnets[gw[0].0].meta.key, "azurerm_subnet.gateway");
    // ... and its route table by association.
    let rt = m.subnets[gw[0].0]
        .route_table
        .as_ref()
        .and_then(|l| l.id)
        .expect("associated");
    assert_eq!(m.route_tables[rt].meta.name.as_deref(), Some("rt-gateway"));

    // The firewall's private IP is derived (.4 of AzureFirewallSubnet) and says so.
    let ip = m.firewall_ips[0].expect("derived");
    assert_eq!(ip.ip.to_string(), "10.0.1.4");
    assert!(ip.derived);

    // A route's next hop `azurerm_firewall.hub.ip_configuration[0].private_ip_address` is
    // "the private IP of firewall `hub`", symbolically.
    let r = m
        .routes
        .iter()
        .find(|r| r.meta.name.as_deref() == Some("to-spoke1"))
        .expect("route");
    match &r.next_hop_ip.as_ref().expect("ip").value {
        IpRef::FirewallPrivateIp { firewall } => {
            assert_eq!(firewall.target, Target::Key("azurerm_firewall.hub".into()));
            assert_eq!(firewall.id, Some(0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.prefix.value.to_string(), "10.1.0.0/16");

    // Peering flags as set; spoke routes with propagation off (4.x spelling).
    let p = m
        .peerings
        .iter()
        .find(|p| p.meta.name.as_deref() == Some("peer-spoke1-to-hub"))
        .unwrap();
    assert_eq!(p.use_remote_gateways.get(), Some(true));
    assert_eq!(p.allow_forwarded_traffic.get(), Some(true));
    assert_eq!(p.allow_gateway_transit.get(), Some(false));
    let rti = m
        .route_tables
        .iter()
        .position(|t| t.meta.name.as_deref() == Some("rt-spoke1"))
        .unwrap();
    assert_eq!(m.route_tables[rti].propagation.get(), Some(false));
    // The spelling is the front end's (azurerm 4.x here), not the IR's.
    assert_eq!(
        out.projects[0].syntax.setting(
            m,
            &FixIntent::PropagationOff {
                table: RouteTableId(rti)
            }
        ),
        "bgp_route_propagation_enabled = false"
    );

    // On-prem from the local network gateway, rules from the policy's collection group.
    assert_eq!(
        m.local_gateways[0].address_space[0].value.to_string(),
        "192.168.0.0/16"
    );
    assert_eq!(
        m.connections[0].local_gateway.as_ref().and_then(|l| l.id),
        Some(0)
    );
    assert_eq!(m.firewall_rules[0].network.len(), 3);
    // NIC IPs from cidrhost().
    assert_eq!(
        m.nics[0].ip_configs[0]
            .private_ip
            .map(|i| i.to_string())
            .as_deref(),
        Some("10.1.1.4")
    );
    assert!(m.unknowns.is_empty(), "{:?}", m.unknowns);
}

#[test]
fn modules_for_each_and_tfvars_are_evaluated() {
    let out = model_of(&fixture("modules-foreach-tfvars").join("terraform"));
    let p = &out.projects[0];
    let m = &p.model;
    let names: Vec<&str> = m
        .vnets
        .iter()
        .filter_map(|v| v.meta.name.as_deref())
        .collect();
    assert_eq!(names, vec!["vnet-hub", "vnet-payments", "vnet-web"]);
    // count inside a for_each module instance; optional() defaults from the variable type.
    let web = m.find_subnet("vnet-web/snet-frontend");
    assert_eq!(m.subnet_prefixes(web[0])[0].to_string(), "10.120.3.0/24");
    assert_eq!(
        m.subnets[web[0].0].meta.key,
        "module.spoke[\"web\"].azurerm_subnet.this[1]"
    );
    let rt_web = m
        .route_tables
        .iter()
        .find(|t| t.meta.name.as_deref() == Some("rt-web"))
        .unwrap();
    assert_eq!(
        rt_web.propagation.get(),
        Some(false),
        "optional(bool, false) default"
    );
    let rt_pay = m
        .route_tables
        .iter()
        .find(|t| t.meta.name.as_deref() == Some("rt-payments"))
        .unwrap();
    assert_eq!(
        rt_pay.propagation.get(),
        Some(true),
        "from terraform.tfvars"
    );
    // A module output carries the firewall reference through to the caller's routes.
    let a = Analysis::new(m, &p.config);
    let s = m.find_subnet("vnet-payments/snet-api")[0];
    let t = a.table(s).unwrap();
    let default = t.routes.iter().find(|r| r.route.is_some()).unwrap();
    assert_eq!(
        default.next_hop,
        NextHop::Appliance(ApplianceRef::Firewall(FirewallId(0)))
    );
    assert_eq!(m.firewalls[0].meta.key, "module.hub.azurerm_firewall.core");
    // Routes declared in the root with for_each, attached by name to the module's table.
    let gw_rt = m
        .route_tables
        .iter()
        .position(|t| t.meta.name.as_deref() == Some("rt-gateway"))
        .unwrap();
    assert_eq!(m.route_tables[gw_rt].routes.len(), 2);
    // The ExpressRoute gateway's prefixes come from routelint.toml.
    assert_eq!(p.config.onprem_prefixes()[0].to_string(), "192.168.64.0/18");
}

#[test]
fn unknowns_are_explicit_and_positioned() {
    // The ExpressRoute circuit id has no value: it is not needed for routing, so it does not
    // appear; a route whose next hop comes from an unset variable does.
    let dir = tempdir("unknown-next-hop");
    std::fs::write(
        dir.join("main.tf"),
        r#"variable "fw_ip" { type = string }
resource "azurerm_route_table" "rt" {
  name                = "rt"
  resource_group_name = "rg"
  route {
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = var.fw_ip
  }
  route {
    name           = "storage"
    address_prefix = "Storage.WestEurope"
    next_hop_type  = "Internet"
  }
}
"#,
    )
    .unwrap();
    let out = routelint::load(std::slice::from_ref(&dir), &routelint::Options::default());
    let m = &out.projects[0].model;
    assert_eq!(m.unknowns.len(), 1, "{:?}", m.unknowns);
    let u = &m.unknowns[0];
    assert!(
        u.what.contains("next hop IP of route `default`"),
        "{}",
        u.what
    );
    assert!(
        u.reason.contains("variable `fw_ip` has no value"),
        "{}",
        u.reason
    );
    assert_eq!(out.sources.line_col(u.origin).line, 9);
    // A service tag stays a tag.
    assert_eq!(
        m.routes[1].prefix.value,
        Prefix::Tag("Storage.WestEurope".into())
    );
    // No diagnostics of error severity: unknowns are not input errors.
    assert!(!out.input_error);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tf_json_var_files_and_command_line_vars() {
    let dir = tempdir("tfjson");
    std::fs::write(
        dir.join("main.tf.json"),
        r#"{
  "variable": {"space": {"type": "string"}, "hop": {"type": "string"}},
  "resource": {
    "azurerm_virtual_network": {"v": {"name": "vnet-json", "resource_group_name": "rg", "address_space": ["${var.space}"]}},
    "azurerm_subnet": {"s": {"name": "snet", "resource_group_name": "rg", "virtual_network_name": "${azurerm_virtual_network.v.name}", "address_prefixes": ["${cidrsubnet(var.space, 8, 1)}"]}},
    "azurerm_route_table": {"rt": {"name": "rt", "resource_group_name": "rg",
      "route": [{"name": "default", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "${var.hop}"}]}}
  }
}"#,
    )
    .unwrap();
    std::fs::write(dir.join("prod.tfvars"), "space = \"10.77.0.0/16\"\n").unwrap();
    let opts = routelint::Options {
        terraform: routelint::frontend::terraform::TfOptions {
            var_files: vec![dir.join("prod.tfvars")],
            vars: vec![("hop".into(), "10.77.0.4".into())],
        },
        ..Default::default()
    };
    let out = routelint::load(std::slice::from_ref(&dir), &opts);
    let m = &out.projects[0].model;
    assert_eq!(
        m.vnets[0].address_space[0].value.to_string(),
        "10.77.0.0/16"
    );
    assert_eq!(
        m.subnet_prefixes(SubnetId(0))[0].to_string(),
        "10.77.1.0/24"
    );
    assert_eq!(m.subnets[0].vnet.id, Some(0));
    match &m.routes[0].next_hop_ip.as_ref().unwrap().value {
        IpRef::Literal { ip } => assert_eq!(ip.to_string(), "10.77.0.4"),
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `allowForwardedTraffic` gates what an appliance forwards, not what a gateway brings in
/// through gateway transit.
#[test]
fn forwarded_traffic_applies_to_appliances_not_gateway_transit() {
    use routelint::analysis::routes::Dest;
    use routelint::analysis::trace::{FlowVerdict, Start};
    let scen = fixture("spoke-to-spoke-forwarded-off").join("terraform");
    let out = model_of(&scen);
    let p = &out.projects[0];
    let a = routelint::analysis::Analysis::new(&p.model, &p.config);
    let s2 = p.model.find_subnet("vnet-spoke2/snet-workload")[0];
    let onprem = Dest::Net("192.168.0.0/16".parse().unwrap());
    let to_s2 = Dest::Net("10.2.1.0/24".parse().unwrap());
    // Through the firewall (GatewaySubnet routes spoke2 to it): refused by spoke2's peering.
    let tw = a.two_way(Start::OnPrem(routelint::ir::GatewayId(0)), onprem, to_s2);
    assert_eq!(tw.verdict(), FlowVerdict::Broken);
    // Without the GatewaySubnet route: plain gateway transit, delivered both ways.
    let dir = tempdir("transit");
    for f in ["main.tf", "hub.tf", "gateway.tf", "spokes.tf"] {
        let mut t = std::fs::read_to_string(root().join(&scen).join(f)).unwrap();
        if f == "gateway.tf" {
            t = t.replace(
                "address_prefix         = \"10.2.0.0/16\"",
                "address_prefix         = \"10.99.0.0/16\"",
            );
        }
        std::fs::write(dir.join(f), t).unwrap();
    }
    let out = routelint::load(std::slice::from_ref(&dir), &routelint::Options::default());
    let p = &out.projects[0];
    let a = routelint::analysis::Analysis::new(&p.model, &p.config);
    let tw = a.two_way(Start::OnPrem(routelint::ir::GatewayId(0)), onprem, to_s2);
    assert_eq!(
        tw.verdict(),
        FlowVerdict::Asymmetric,
        "spoke2's 0/0 -> firewall catches the reply"
    );
    assert!(tw.forward().verdict.success());
    let _ = s2;
    let _ = std::fs::remove_dir_all(&dir);
}
