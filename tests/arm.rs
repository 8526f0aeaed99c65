//! The ARM front end on the fixtures' twins: the same model as the Terraform form, Bicep
//! positions, nested deployments, parameters files, comments and parse errors.

mod common;
use common::*;
use routelint::ir::*;

#[test]
fn arm_twin_builds_the_same_topology_as_terraform() {
    let tf = model_of(&fixture("hub-spoke-ok").join("terraform"));
    let arm = model_of(&fixture("hub-spoke-ok").join("arm"));
    let (t, a) = (&tf.projects[0].model, &arm.projects[0].model);
    assert_eq!(a.front_end, "arm");
    let names = |m: &Model| {
        let mut v: Vec<String> = (0..m.subnets.len())
            .map(|s| m.subnet_label(SubnetId(s)))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(t), names(a));
    assert_eq!(
        (
            a.vnets.len(),
            a.peerings.len(),
            a.routes.len(),
            a.firewalls.len(),
            a.gateways.len()
        ),
        (3, 4, 4, 1, 1)
    );
    assert_eq!(a.firewall_ips[0], t.firewall_ips[0]);
    // `reference('firewall').ipConfigurations[0].properties.privateIPAddress` (languageVersion
    // 2.0) is the firewall, symbolically.
    let r = a
        .routes
        .iter()
        .find(|r| r.meta.name.as_deref() == Some("to-spoke1"))
        .unwrap();
    match &r.next_hop_ip.as_ref().unwrap().value {
        IpRef::FirewallPrivateIp { firewall } => assert_eq!(firewall.id, Some(0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(a.firewall_rules[0].network.len(), 3);
    assert!(a.unknowns.is_empty(), "{:?}", a.unknowns);
}

#[test]
fn positions_point_into_the_bicep_source() {
    let out = run(&fixture("onprem-return-propagation-on-azurerm3").join("arm"));
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL001")
        .expect("RL001");
    let o = d.primary_origin().unwrap();
    let f = out.sources.get(o.file);
    assert!(f.display.ends_with("arm/main.bicep"), "{}", f.display);
    assert_eq!(out.sources.snippet(o), "false");
    assert!(d
        .help
        .as_deref()
        .unwrap()
        .contains("disableBgpRoutePropagation: true"));
}

#[test]
fn nested_deployments_parameters_file_and_module_positions() {
    let out = model_of(&fixture("modules-foreach-tfvars").join("arm"));
    assert!(
        out.diagnostics.iter().all(|d| d.code != "eval-error"),
        "{:?}",
        out.diagnostics
    );
    let m = &out.projects[0].model;
    // Spokes come from main.parameters.json through a copy loop of module deployments.
    let web = m.find_subnet("vnet-web/snet-frontend");
    assert_eq!(m.subnet_prefixes(web[0])[0].to_string(), "10.120.3.0/24");
    // The hub module's outputs carry the firewall to the root's routes.
    assert_eq!(
        m.route_tables
            .iter()
            .find(|t| t.meta.name.as_deref() == Some("rt-gateway"))
            .unwrap()
            .routes
            .len(),
        2
    );
    // optional `?? false` from the parameters: payments sets true, web defaults.
    let p = |n: &str| {
        m.route_tables
            .iter()
            .find(|t| t.meta.name.as_deref() == Some(n))
            .unwrap()
            .propagation
            .get()
    };
    assert_eq!((p("rt-payments"), p("rt-web")), (Some(true), Some(false)));
    // Module resources point into the module's .bicep file.
    let rt = m
        .route_tables
        .iter()
        .find(|t| t.meta.name.as_deref() == Some("rt-web"))
        .unwrap();
    assert!(out
        .sources
        .get(rt.meta.origin.file)
        .display
        .ends_with("modules/spoke.bicep"));
}

#[test]
fn comments_are_accepted_and_parse_errors_are_positioned() {
    let dir = tempdir("arm");
    std::fs::write(
        dir.join("good.json"),
        r#"{
  // ARM allows comments
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    /* a VNet */
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet-a",
     "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}
  ]
}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.json"),
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [,]\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("other.json"), "{\"not\": \"a template\"}").unwrap();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    assert!(out.input_error);
    let pe = out
        .diagnostics
        .iter()
        .find(|d| d.code == "parse-error")
        .expect("parse error");
    let o = pe.primary_origin().unwrap();
    assert!(out.sources.get(o.file).display.ends_with("bad.json"));
    assert_eq!(out.sources.line_col(o).line, 3);
    // The good template is still read; the non-template JSON is ignored.
    assert_eq!(out.projects.len(), 2);
    assert!(out.projects.iter().any(|p| p.model.vnets.len() == 1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `metadata._generator` says Bicep and the only `.bicep` beside it has another name.
#[test]
fn generator_metadata_finds_the_bicep_source() {
    let dir = tempdir("gen");
    let src = root().join("fixtures/onprem-return-propagation-on-azurerm3/arm");
    std::fs::copy(src.join("main.json"), dir.join("compiled.json")).unwrap();
    std::fs::copy(src.join("main.bicep"), dir.join("network.bicep")).unwrap();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL001")
        .expect("RL001");
    let o = d.primary_origin().unwrap();
    assert!(out.sources.get(o.file).display.ends_with("network.bicep"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A property that is exactly a parameter given in a parameters file is fixed there: the
/// label and the edit are on the parameters file's value, and applying it removes the
/// finding.
#[test]
fn the_fix_goes_to_the_parameters_file() {
    let dir = tempdir("arm-param-fix");
    let src =
        std::fs::read_to_string(fixture("onprem-return-propagation-on").join("arm/main.json"))
            .unwrap();
    let t = src
        .replacen(
            "\"parameters\": {",
            "\"parameters\": {\n    \"spokeDisableBgp\": { \"type\": \"bool\" },",
            1,
        )
        .replacen(
            "\"name\": \"rt-spoke1\",\n      \"location\": \"[parameters('location')]\",\n      \"properties\": {",
            "\"name\": \"rt-spoke1\",\n      \"location\": \"[parameters('location')]\",\n      \"properties\": {\n        \"disableBgpRoutePropagation\": \"[parameters('spokeDisableBgp')]\",",
            1,
        );
    assert_ne!(t, src);
    std::fs::write(dir.join("main.json"), &t).unwrap();
    let params = dir.join("main.parameters.json");
    std::fs::write(
        &params,
        "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"parameters\": {\n    \"spokeDisableBgp\": { \"value\": false }\n  }\n}\n",
    )
    .unwrap();
    let out = run(&dir);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "RL001")
        .expect("RL001");
    let o = d.primary_origin().unwrap();
    assert!(out
        .sources
        .get(o.file)
        .path
        .ends_with("main.parameters.json"));
    assert_eq!(out.sources.snippet(o), "false");
    let e = &d.fix.as_ref().expect("fix").edits[0];
    assert_eq!((e.origin, e.text.as_str()), (o, "true"));
    let text = std::fs::read_to_string(&params)
        .unwrap()
        .replacen("false", "true", 1);
    std::fs::write(&params, text).unwrap();
    let again = run(&dir);
    assert!(!again.diagnostics.iter().any(|d| d.code == "RL001"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// languageVersion 2.0: a copy loop of nested deployments is referenced as `sym[i]`; a
/// route's prefix is `reference()` of a VNet the template declares; `contains(reference(x),
/// 'p')` reads the declaration; a null given to a parameter with a default takes the default;
/// a nullable parameter without a value is null.
#[test]
fn symbolic_copy_references_and_declared_properties() {
    let tpl = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "hubs": {"type": "array", "defaultValue": ["hub1", "hub2"]},
    "extra": {"type": "array", "nullable": true}
  },
  "resources": {
    "vnet": {
      "copy": {"name": "vnet", "count": "[length(parameters('hubs'))]"},
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2024-05-01",
      "name": "[parameters('hubs')[copyIndex()]]",
      "location": "westeurope",
      "properties": {
        "addressSpace": {"addressPrefixes": ["[format('10.{0}.0.0/16', copyIndex())]"]},
        "subnets": [{"name": "snet-a", "properties": {"addressPrefix": "[format('10.{0}.1.0/24', copyIndex())]"}}]
      }
    },
    "info": {
      "copy": {"name": "info", "count": "[length(parameters('hubs'))]"},
      "type": "Microsoft.Resources/deployments",
      "apiVersion": "2025-04-01",
      "name": "[format('info-{0}', copyIndex())]",
      "properties": {
        "expressionEvaluationOptions": {"scope": "inner"},
        "mode": "Incremental",
        "parameters": {
          "name": {"value": "[parameters('hubs')[copyIndex()]]"},
          "suffixes": {"value": "[parameters('extra')]"}
        },
        "template": {
          "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "parameters": {
            "name": {"type": "string"},
            "suffixes": {"type": "array", "defaultValue": ["-rt"]}
          },
          "resources": [],
          "outputs": {
            "prefix": {"type": "string", "value": "[reference(resourceId('Microsoft.Network/virtualNetworks', parameters('name')), '2024-05-01').addressSpace.addressPrefixes[0]]"},
            "table": {"type": "string", "value": "[concat(parameters('name'), parameters('suffixes')[0])]"},
            "hasSubnets": {"type": "bool", "value": "[contains(reference(resourceId('Microsoft.Network/virtualNetworks', parameters('name')), '2024-05-01'), 'subnets')]"}
          }
        }
      },
      "dependsOn": ["vnet"]
    },
    "rt": {
      "copy": {"name": "rt", "count": "[length(parameters('hubs'))]"},
      "type": "Microsoft.Network/routeTables",
      "apiVersion": "2024-05-01",
      "name": "[reference(format('info[{0}]', copyIndex())).outputs.table.value]",
      "location": "westeurope",
      "properties": {
        "routes": [
          {
            "name": "[format('to-other-{0}', copyIndex())]",
            "properties": {
              "addressPrefix": "[reference(format('info[{0}]', sub(1, copyIndex()))).outputs.prefix.value]",
              "nextHopType": "[if(reference(format('info[{0}]', copyIndex())).outputs.hasSubnets.value, 'None', 'Internet')]"
            }
          }
        ]
      }
    }
  }
}"#;
    let dir = tempdir("arm-symbolic-copy");
    std::fs::write(dir.join("main.json"), tpl).unwrap();
    let out = model_of(&dir);
    let m = &out.projects[0].model;
    assert!(m.unknowns.is_empty(), "{:?}", m.unknowns);
    let mut got: Vec<String> = m
        .route_tables
        .iter()
        .flat_map(|t| {
            t.routes.iter().map(move |r| {
                let r = &m.routes[r.0];
                format!(
                    "{} {} {} {:?}",
                    t.meta.display(),
                    r.meta.display(),
                    r.prefix.value,
                    r.next_hop_type.value.known()
                )
            })
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "hub1-rt to-other-0 10.1.0.0/16 Some(None)".to_string(),
            "hub2-rt to-other-1 10.0.0.0/16 Some(None)".to_string(),
        ]
    );
}

/// A virtual hub without a virtual WAN is an Azure Route Server (not Virtual WAN), placed
/// in its RouteServerSubnet; a hub with a virtual WAN is Virtual WAN.
#[test]
fn route_server_is_not_virtual_wan() {
    let tpl = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "vnet-hub",
     "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
       "subnets": [{"name": "RouteServerSubnet", "properties": {"addressPrefix": "10.0.3.0/27"}}]}},
    {"type": "Microsoft.Network/virtualHubs", "apiVersion": "2024-05-01", "name": "rs-hub",
     "properties": {"sku": "Standard", "allowBranchToBranchTraffic": true}},
    {"type": "Microsoft.Network/virtualHubs/ipConfigurations", "apiVersion": "2024-05-01", "name": "rs-hub/ipconfig",
     "properties": {"subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-hub', 'RouteServerSubnet')]"}}},
    {"type": "Microsoft.Network/virtualWans", "apiVersion": "2024-05-01", "name": "vwan"},
    {"type": "Microsoft.Network/virtualHubs", "apiVersion": "2024-05-01", "name": "vhub",
     "properties": {"virtualWan": {"id": "[resourceId('Microsoft.Network/virtualWans', 'vwan')]"}, "addressPrefix": "10.100.0.0/23"}}
  ]
}"#;
    let dir = tempdir("arm-route-server");
    std::fs::write(dir.join("main.json"), tpl).unwrap();
    let out = model_of(&dir);
    let m = &out.projects[0].model;
    let kinds: Vec<(String, Construct, bool)> = m
        .not_analysed
        .iter()
        .map(|n| {
            (
                n.meta.display().to_string(),
                n.construct,
                n.subnet.as_ref().and_then(|l| l.id).is_some(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("rs-hub".to_string(), Construct::RouteServer, false),
            // Its IP configuration is the Route Server in its subnet: named as the hub.
            ("rs-hub".to_string(), Construct::RouteServer, true),
            ("vwan".to_string(), Construct::VirtualWan, false),
            ("vhub".to_string(), Construct::VirtualWan, false),
        ]
    );
}

/// One resource declared by two nested deployments (the same resource id) is one element.
#[test]
fn a_resource_declared_by_two_deployments_is_one() {
    let inner = |routes: &str| {
        format!(
            r#"{{"expressionEvaluationOptions": {{"scope": "inner"}}, "mode": "Incremental",
      "template": {{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
        "resources": [{{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01", "name": "rt-shared", "location": "westeurope",
          "properties": {{"routes": [{routes}]}}}}]}}}}"#
        )
    };
    let tpl = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "resources": [
    {{"type": "Microsoft.Resources/deployments", "apiVersion": "2025-04-01", "name": "first", "properties": {}}},
    {{"type": "Microsoft.Resources/deployments", "apiVersion": "2025-04-01", "name": "second", "properties": {}}}
  ]}}"#,
        inner(""),
        inner(
            r#"{"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}}"#
        )
    );
    let dir = tempdir("arm-dup-resource");
    std::fs::write(dir.join("main.json"), tpl).unwrap();
    let out = model_of(&dir);
    let m = &out.projects[0].model;
    assert_eq!(m.route_tables.len(), 1, "{:?}", m.route_tables);
    assert_eq!(
        m.route_tables[0].routes.len(),
        1,
        "the later declaration wins"
    );
}

/// A policy definition that embeds a deployment template (deployIfNotExists) is not a
/// template: the folder's one real template is linted, the policy is not.
#[test]
fn a_policy_definition_embedding_a_template_is_skipped() {
    let dir = tempdir("arm-policy-definition");
    copy_tree(&fixture("management-group-outer-scope").join("arm"), &dir);
    std::fs::write(
        dir.join("policy-deploy-vnet.json"),
        r#"{"name": "deploy-vnet", "properties": {"policyType": "Custom", "mode": "All",
  "policyRule": {"if": {"field": "type", "equals": "Microsoft.Resources/subscriptions"},
    "then": {"effect": "deployIfNotExists", "details": {"type": "Microsoft.Network/virtualNetworks",
      "deployment": {"properties": {"mode": "incremental", "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "parameters": {"prefix": {"type": "string"}},
        "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01",
          "name": "vnet-policy", "properties": {"addressSpace": {"addressPrefixes": ["[parameters('prefix')]"]}}}]}}}}}}}}"#,
    )
    .unwrap();
    let out = model_of(&dir);
    assert_eq!(out.projects.len(), 1, "{:?}", out.diagnostics);
    assert!(out.projects[0].model.root.ends_with("main.json"));
    assert!(out
        .diagnostics
        .iter()
        .all(|d| d.code != "eval-error" && d.code != "parse-error"));
}
