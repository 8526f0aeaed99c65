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
            ..Default::default()
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

/// The model as sorted lines of names and values: equal for two front ends exactly when
/// they declare the same network (origins, keys, declaration order, how a link was
/// written (association resources vs inline properties) and the wording of Unknown reasons
/// left out).
fn canonical(m: &Model) -> Vec<String> {
    fn name<T>(l: &Option<Link>, items: &[T], meta: fn(&T) -> &Meta) -> String {
        match l {
            None => "-".into(),
            Some(l) => match l.id {
                Some(i) => meta(&items[i]).display().to_string(),
                None => "unresolved".into(),
            },
        }
    }
    fn prefix(p: &Prefix) -> String {
        match p {
            Prefix::Unknown(_) => "unknown".into(),
            p => p.to_string(),
        }
    }
    fn prefixes<'a>(p: impl IntoIterator<Item = &'a Prefix>) -> String {
        let mut v: Vec<String> = p.into_iter().map(prefix).collect();
        v.sort();
        v.join(",")
    }
    fn flag(f: &Flag) -> String {
        format!("{:?}", f.get())
    }
    fn rules(r: &RuleSet) -> Vec<String> {
        let mut out = Vec::new();
        for d in &r.dnat {
            out.push(format!(
                "dnat {}/{} {} -> {:?}:{:?} ports {:?}",
                d.collection,
                d.name,
                prefixes(&d.sources),
                d.translated_address.known(),
                d.translated_port,
                d.destination_ports
            ));
        }
        for n in &r.network {
            out.push(format!(
                "network {}/{} allow={} {} -> {} ports {:?} {:?}",
                n.collection,
                n.name,
                n.action_allow,
                prefixes(&n.sources),
                prefixes(&n.destinations),
                n.destination_ports,
                n.protocols
            ));
        }
        for a in &r.application {
            out.push(format!(
                "application {}/{} {}",
                a.collection,
                a.name,
                prefixes(&a.sources)
            ));
        }
        out.sort();
        out
    }
    let vnet: fn(&VNet) -> &Meta = |x| &x.meta;
    let sub: fn(&Subnet) -> &Meta = |x| &x.meta;
    let rt: fn(&RouteTable) -> &Meta = |x| &x.meta;
    let fw: fn(&Firewall) -> &Meta = |x| &x.meta;
    let pol: fn(&FirewallPolicy) -> &Meta = |x| &x.meta;
    let pip: fn(&PublicIp) -> &Meta = |x| &x.meta;
    let lb: fn(&LoadBalancer) -> &Meta = |x| &x.meta;
    let pool: fn(&BackendPool) -> &Meta = |x| &x.meta;
    let nsg: fn(&Nsg) -> &Meta = |x| &x.meta;
    let some = |l: &Link| Some(l.clone());
    let mut out = Vec::new();
    for v in &m.vnets {
        let mut subs: Vec<&str> = v
            .subnets
            .iter()
            .map(|s| m.subnets[s.0].meta.display())
            .collect();
        subs.sort();
        out.push(format!(
            "vnet {} {} subnets {subs:?} gateways {}",
            v.meta.display(),
            prefixes(v.address_space.iter().map(|p| &p.value)),
            v.gateways.len()
        ));
    }
    for s in &m.subnets {
        out.push(format!(
            "subnet {}/{} {} rt={} nsg={} se={:?}",
            name(&some(&s.vnet), &m.vnets, vnet),
            s.meta.display(),
            prefixes(s.prefixes.iter().map(|p| &p.value)),
            name(&s.route_table, &m.route_tables, rt),
            name(&s.nsg, &m.nsgs, nsg),
            s.service_endpoints
        ));
    }
    for p in &m.peerings {
        out.push(format!(
            "peering {} {} -> {} access={} forwarded={} transit={} remote_gw={}",
            p.meta.display(),
            name(&some(&p.local_vnet), &m.vnets, vnet),
            name(&some(&p.remote_vnet), &m.vnets, vnet),
            flag(&p.allow_virtual_network_access),
            flag(&p.allow_forwarded_traffic),
            flag(&p.allow_gateway_transit),
            flag(&p.use_remote_gateways)
        ));
    }
    for t in &m.route_tables {
        out.push(format!(
            "route_table {} propagation={} routes {}",
            t.meta.display(),
            flag(&t.propagation),
            t.routes.len()
        ));
    }
    for r in &m.routes {
        let ip = match r.next_hop_ip.as_ref().map(|s| &s.value) {
            None => "-".to_string(),
            Some(IpRef::Literal { ip }) => ip.to_string(),
            Some(IpRef::FirewallPrivateIp { firewall }) => {
                format!("firewall {}", name(&some(firewall), &m.firewalls, fw))
            }
            Some(IpRef::NicPrivateIp { nic }) => format!(
                "nic {}",
                name(
                    &some(nic),
                    &m.nics,
                    (|x: &Nic| &x.meta) as fn(&Nic) -> &Meta
                )
            ),
            // A frontend whose address is written is that address (Terraform reads the
            // value, ARM keeps the reference).
            Some(IpRef::LbFrontendPrivateIp { lb: l, frontend }) => {
                let fe = l.id.and_then(|i| {
                    let fes = &m.load_balancers[i].frontends;
                    match frontend.as_deref() {
                        None => fes.first(),
                        Some(f) => match f
                            .strip_prefix('[')
                            .and_then(|x| x.strip_suffix(']'))
                            .and_then(|x| x.parse::<usize>().ok())
                        {
                            Some(k) => fes.get(k),
                            None => fes.iter().find(|x| x.name == f),
                        },
                    }
                });
                match fe.and_then(|f| f.private_ip) {
                    Some(ip) => ip.to_string(),
                    None => format!("lb {} {frontend:?}", name(&some(l), &m.load_balancers, lb)),
                }
            }
            Some(IpRef::Unknown { .. }) => "unknown".into(),
        };
        out.push(format!(
            "route {}/{} {} {:?} {ip}",
            name(&some(&r.table), &m.route_tables, rt),
            r.meta.display(),
            prefix(&r.prefix.value),
            r.next_hop_type.value.known()
        ));
    }
    for (i, f) in m.firewalls.iter().enumerate() {
        let mut pips: Vec<String> = f
            .public_ips
            .iter()
            .map(|l| name(&some(l), &m.public_ips, pip))
            .collect();
        pips.sort();
        out.push(format!(
            "firewall {} subnet={} ip={:?} pips={pips:?} mgmt={} policy={} private={:?} hub={}",
            f.meta.display(),
            name(&f.subnet, &m.subnets, sub),
            m.firewall_ips[i],
            name(&f.management_subnet, &m.subnets, sub),
            name(&f.policy, &m.firewall_policies, pol),
            f.private_ranges.as_ref().map(|p| prefixes(p.iter())),
            f.in_virtual_hub
        ));
        for r in rules(&m.firewall_rules[i]) {
            out.push(format!("firewall {} {r}", f.meta.display()));
        }
    }
    for p in &m.firewall_policies {
        out.push(format!(
            "policy {} base={} private={:?}",
            p.meta.display(),
            name(&p.base_policy, &m.firewall_policies, pol),
            p.private_ranges.as_ref().map(|p| prefixes(p.iter()))
        ));
    }
    for g in &m.gateways {
        out.push(format!(
            "gateway {} {:?} bgp={} subnet={} pips={}",
            g.meta.display(),
            g.kind,
            g.bgp_enabled,
            name(&g.subnet, &m.subnets, sub),
            g.public_ips.len()
        ));
    }
    for l in &m.local_gateways {
        out.push(format!(
            "local_gateway {} {} bgp={}",
            l.meta.display(),
            prefixes(l.address_space.iter().map(|p| &p.value)),
            l.bgp
        ));
    }
    for c in &m.connections {
        out.push(format!(
            "connection {} {:?} gw={} lng={} bgp={}",
            c.meta.display(),
            c.kind,
            name(
                &some(&c.gateway),
                &m.gateways,
                (|x: &Gateway| &x.meta) as fn(&Gateway) -> &Meta
            ),
            name(
                &c.local_gateway,
                &m.local_gateways,
                (|x: &LocalGateway| &x.meta) as fn(&LocalGateway) -> &Meta
            ),
            c.bgp
        ));
    }
    for p in &m.public_ips {
        out.push(format!(
            "public_ip {} {:?} {:?}",
            p.meta.display(),
            p.sku,
            p.address
        ));
    }
    for l in &m.load_balancers {
        out.push(format!("lb {} {:?}", l.meta.display(), l.sku));
        for f in &l.frontends {
            out.push(format!(
                "lb {} frontend {} pip={} subnet={} ip={:?}",
                l.meta.display(),
                f.name,
                name(&f.public_ip, &m.public_ips, pip),
                name(&f.subnet, &m.subnets, sub),
                f.private_ip
            ));
        }
    }
    for p in &m.backend_pools {
        out.push(format!(
            "pool {} lb={}",
            p.meta.display(),
            name(&some(&p.lb), &m.load_balancers, lb)
        ));
    }
    for r in &m.lb_rules {
        let mut pools: Vec<String> = r
            .backend_pools
            .iter()
            .map(|l| name(&some(l), &m.backend_pools, pool))
            .collect();
        pools.sort();
        out.push(format!(
            "lb_rule {} {:?} lb={} fe={:?} pools={pools:?} port={:?}",
            r.meta.display(),
            r.kind,
            name(&some(&r.lb), &m.load_balancers, lb),
            r.frontend,
            r.frontend_port
        ));
    }
    for n in &m.nics {
        out.push(format!(
            "nic {} forwarding={} nsg={} vmss={}",
            n.meta.display(),
            flag(&n.ip_forwarding),
            name(&n.nsg, &m.nsgs, nsg),
            n.scale_set
        ));
        for c in &n.ip_configs {
            let mut pools: Vec<String> = c
                .backend_pools
                .iter()
                .map(|l| name(&some(l), &m.backend_pools, pool))
                .collect();
            pools.sort();
            out.push(format!(
                "nic {} ipconfig {} subnet={} ip={:?} pip={} pools={pools:?} nat={}",
                n.meta.display(),
                c.name,
                name(&c.subnet, &m.subnets, sub),
                c.private_ip,
                name(&c.public_ip, &m.public_ips, pip),
                c.nat_rules.len()
            ));
        }
    }
    for n in &m.nsgs {
        out.push(format!("nsg {} rules={}", n.meta.display(), n.rule_count));
    }
    for s in &m.services {
        out.push(format!(
            "service {} {} subnet={} public={}",
            s.meta.display(),
            s.kind,
            name(&s.subnet, &m.subnets, sub),
            s.has_public_frontend
        ));
    }
    for n in &m.not_analysed {
        // `what` names the resource type in the front end's own spelling.
        out.push(format!(
            "not_analysed {:?} {}",
            n.construct,
            n.meta.display()
        ));
    }
    out.sort();
    out
}

/// Every scenario's Terraform and ARM forms declare the same network: their normalised
/// models are equal.
#[test]
fn terraform_and_arm_twins_have_the_same_model() {
    let mut twins = 0;
    for e in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let dir = e.unwrap().path();
        let (tf, arm) = (dir.join("terraform"), dir.join("arm"));
        if !(tf.is_dir() && arm.is_dir()) {
            continue;
        }
        let (a, b) = (model_of(&tf), model_of(&arm));
        let (ca, cb) = (
            canonical(&a.projects[0].model),
            canonical(&b.projects[0].model),
        );
        let only_tf: Vec<&String> = ca.iter().filter(|l| !cb.contains(l)).collect();
        let only_arm: Vec<&String> = cb.iter().filter(|l| !ca.contains(l)).collect();
        assert!(
            only_tf.is_empty() && only_arm.is_empty(),
            "{}: only in Terraform: {only_tf:#?}\nonly in ARM: {only_arm:#?}",
            dir.display()
        );
        twins += 1;
    }
    assert!(twins >= 20, "{twins} twins");
}

/// Registry and git modules are read where `terraform init` put them
/// (`.terraform/modules/modules.json`, nested keys joined with "."), like local ones;
/// without the download, the module is not known and the note says to run `terraform init`.
#[test]
fn downloaded_modules_are_analysed_like_local_ones() {
    let dir = tempdir("registry-modules");
    let root = dir.join("live");
    std::fs::create_dir_all(root.join(".terraform/modules/hub/modules/sub")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        "module \"hub\" {\n  source  = \"Azure/hub/azurerm\"\n  version = \"1.0.0\"\n  prefix  = \"10.9.0.0/16\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".terraform/modules/hub/main.tf"),
        "variable \"prefix\" {}\nresource \"azurerm_virtual_network\" \"this\" {\n  name                = \"vnet-from-registry\"\n  resource_group_name = \"rg\"\n  address_space       = [var.prefix]\n}\nmodule \"sub\" {\n  source = \"git::https://example.invalid/sub.git\"\n  vnet   = resource.azurerm_virtual_network.this.name\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".terraform/modules/hub/modules/sub/main.tf"),
        "variable \"vnet\" {}\nresource \"azurerm_subnet\" \"s\" {\n  name                 = \"snet-app\"\n  resource_group_name  = \"rg\"\n  virtual_network_name = var.vnet\n  address_prefixes     = [\"10.9.1.0/24\"]\n}\n",
    )
    .unwrap();
    // Without the download: not known, and the note says why.
    let out = model_of(&root);
    let m = &out.projects[0].model;
    assert!(m.vnets.is_empty());
    assert!(
        m.unknowns
            .iter()
            .any(|u| u.reason.contains("run `terraform init`")),
        "{:?}",
        m.unknowns
    );
    std::fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"hub","Source":"registry.terraform.io/Azure/hub/azurerm","Version":"1.0.0","Dir":".terraform/modules/hub"},{"Key":"hub.sub","Source":"git::https://example.invalid/sub.git","Dir":".terraform/modules/hub/modules/sub"}]}"#,
    )
    .unwrap();
    let out = model_of(&root);
    let m = &out.projects[0].model;
    assert_eq!(m.vnets.len(), 1, "{:?}", m.unknowns);
    assert_eq!(m.vnets[0].meta.display(), "vnet-from-registry");
    assert_eq!(m.subnet_label(SubnetId(0)), "vnet-from-registry/snet-app");
    assert_eq!(m.subnet_prefixes(SubnetId(0))[0].to_string(), "10.9.1.0/24");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A finding inside a module `terraform init` downloaded is reported at the user's
/// `module` block (through a downloaded module's own local submodule too), with the
/// module's line as related information, and without a fix that would edit the download.
#[test]
fn a_finding_in_a_downloaded_module_is_reported_at_the_calling_block() {
    let dir = tempdir("registry-module-finding");
    let root = dir.join("live");
    let m = root.join(".terraform/modules/network");
    std::fs::create_dir_all(m.join("modules/peering")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        "# the platform's network\n\nmodule \"network\" {\n  source  = \"acme/network/azurerm\"\n  version = \"2.1.0\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        m.join("main.tf"),
        r#"resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_virtual_network" "spoke" {
  name                = "vnet-spoke"
  resource_group_name = "rg"
  location            = "westeurope"
  address_space       = ["10.1.0.0/16"]
}

module "peering" {
  source    = "./modules/peering"
  local_vnet = azurerm_virtual_network.hub.name
  remote_id = azurerm_virtual_network.spoke.id
}
"#,
    )
    .unwrap();
    std::fs::write(
        m.join("modules/peering/main.tf"),
        r#"variable "local_vnet" {}
variable "remote_id" {}

resource "azurerm_virtual_network_peering" "this" {
  name                      = "peer-hub-to-spoke"
  resource_group_name       = "rg"
  virtual_network_name      = var.local_vnet
  remote_virtual_network_id = var.remote_id
}
"#,
    )
    .unwrap();
    std::fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"network","Source":"registry.terraform.io/acme/network/azurerm","Version":"2.1.0","Dir":".terraform/modules/network"},{"Key":"network.peering","Source":"./modules/peering","Dir":".terraform/modules/network/modules/peering"}]}"#,
    )
    .unwrap();
    let out = run(&root);
    let f: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| routelint::is_finding(d))
        .collect();
    assert_eq!(f.len(), 1, "{:?}", out.diagnostics);
    let d = f[0];
    assert_eq!(d.code, "RL010");
    let at = |o: routelint::source::Origin| {
        let s = out.sources.get(o.file);
        (
            s.path.file_name().unwrap().to_string_lossy().to_string(),
            s.path.parent().unwrap().ends_with("modules/peering"),
            s.line_col(o.start).line,
        )
    };
    assert_eq!(
        at(d.primary_origin().unwrap()),
        ("main.tf".into(), false, 3)
    );
    assert!(
        d.labels[0]
            .message
            .contains("`module.network.module.peering`, which `terraform init` downloaded"),
        "{:?}",
        d.labels
    );
    assert!(
        d.labels.iter().any(|l| !l.primary
            && at(l.origin) == ("main.tf".into(), true, 4)
            && l.message
                .contains("in downloaded module `module.network.module.peering`")),
        "{:?}",
        d.labels
    );
    assert!(d.fix.is_none(), "no edit into the download");
    // The same module as a local source is the user's code: reported where it is.
    std::fs::remove_file(root.join(".terraform/modules/modules.json")).unwrap();
    let local = dir.join("local");
    copy_tree(&m, &local.join("network"));
    std::fs::write(
        local.join("main.tf"),
        "module \"network\" {\n  source = \"./network\"\n}\n",
    )
    .unwrap();
    let out = run(&local);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL010")
        .expect("RL010");
    let o = d.primary_origin().unwrap();
    assert!(out
        .sources
        .get(o.file)
        .path
        .ends_with("network/modules/peering/main.tf"));
    let _ = std::fs::remove_dir_all(&dir);
}
