//! Fixes spelled the way the configuration already spells things.
//!
//! A Terraform fix uses the provider major version the table already implies (azurerm 3.x
//! `disable_bgp_route_propagation = true`, 4.x `bgp_route_propagation_enabled = false`) and
//! a symbolic reference to the firewall when it is in the same module; an ARM fix is JSON.

use crate::analysis::trace::Device;
use crate::analysis::Analysis;
use crate::diag::{Applicability, Edit, Fix};
use crate::ir::*;
use crate::source::Origin;

fn is_terraform(a: &Analysis) -> bool {
    a.model.front_end == "terraform"
}

/// Same-module Terraform address (no `module.` prefix) of a device, for references.
fn tf_ref(a: &Analysis, d: Device) -> Option<String> {
    let m = a.model;
    let key = match d {
        Device::Firewall(f) => &m.firewalls[f.0].meta.key,
        Device::Nva(n) => &m.nics[n.0].meta.key,
        Device::Lb(l) => &m.load_balancers[l.0].meta.key,
    };
    if key.starts_with("module.") || key.contains('/') {
        return None;
    }
    Some(match d {
        Device::Firewall(_) => format!("{key}.ip_configuration[0].private_ip_address"),
        Device::Nva(_) => format!("{key}.private_ip_address"),
        Device::Lb(_) => format!("{key}.frontend_ip_configuration[0].private_ip_address"),
    })
}

/// The device's private IP, and whether it was derived by convention.
pub fn device_ip(a: &Analysis, d: Device) -> Option<(std::net::Ipv4Addr, bool)> {
    let m = a.model;
    match d {
        Device::Firewall(f) => m
            .firewall_ips
            .get(f.0)
            .copied()
            .flatten()
            .map(|r| (r.ip, r.derived)),
        Device::Nva(n) => m.nics[n.0]
            .ip_configs
            .iter()
            .find_map(|c| c.private_ip)
            .map(|i| (i, false)),
        Device::Lb(l) => m.load_balancers[l.0]
            .frontends
            .iter()
            .find_map(|f| f.private_ip)
            .map(|i| (i, false)),
    }
}

/// The next-hop IP as the fix should write it.
fn next_hop_value(a: &Analysis, d: Device) -> String {
    if is_terraform(a) {
        if let Some(r) = tf_ref(a, d) {
            return r;
        }
    }
    match device_ip(a, d) {
        Some((ip, _)) => format!("\"{ip}\""),
        None => format!("\"<private IP of {}>\"", a.device_name(d)),
    }
}

/// Text of a route to add: an inline `route` block, an `azurerm_route` resource, or ARM JSON.
pub fn route_text(
    a: &Analysis,
    table: Option<RouteTableId>,
    name: &str,
    prefix: &str,
    d: Device,
) -> String {
    let m = a.model;
    let hop = next_hop_value(a, d);
    if !is_terraform(a) {
        let hop = hop.trim_matches('"');
        let bicep = table.is_some_and(|t| {
            m.route_tables[t.0].propagation_spelling == PropagationSpelling::Bicep
        });
        if bicep {
            return format!(
                "{{\n  name: '{name}'\n  properties: {{\n    addressPrefix: '{prefix}'\n    nextHopType: 'VirtualAppliance'\n    nextHopIpAddress: '{hop}'\n  }}\n}}"
            );
        }
        return format!(
            "{{\n  \"name\": \"{name}\",\n  \"properties\": {{\n    \"addressPrefix\": \"{prefix}\",\n    \"nextHopType\": \"VirtualAppliance\",\n    \"nextHopIpAddress\": \"{hop}\"\n  }}\n}}"
        );
    }
    let separate = table.is_some_and(|t| {
        let rt = &m.route_tables[t.0];
        !rt.routes.is_empty() && rt.routes.iter().all(|r| !m.routes[r.0].inline)
    });
    if separate {
        let t = &m.route_tables[table.expect("checked").0];
        let tname = match t.meta.key.starts_with("module.") {
            true => format!("\"{}\"", t.meta.display()),
            false => format!("{}.name", t.meta.key),
        };
        format!(
            "resource \"azurerm_route\" \"{}\" {{\n  name                   = \"{name}\"\n  resource_group_name    = {}\n  route_table_name       = {tname}\n  address_prefix         = \"{prefix}\"\n  next_hop_type          = \"VirtualAppliance\"\n  next_hop_in_ip_address = {hop}\n}}",
            name.replace('-', "_"),
            match t.meta.key.starts_with("module.") {
                true => format!("\"{}\"", t.meta.resource_group.clone().unwrap_or_default()),
                false => format!("{}.resource_group_name", t.meta.key),
            },
        )
    } else {
        format!(
            "route {{\n  name                   = \"{name}\"\n  address_prefix         = \"{prefix}\"\n  next_hop_type          = \"VirtualAppliance\"\n  next_hop_in_ip_address = {hop}\n}}"
        )
    }
}

/// A fix that inserts an inline route at the end of a Terraform route table.
pub fn route_fix(
    a: &Analysis,
    table: RouteTableId,
    name: &str,
    prefix: &str,
    d: Device,
) -> Option<Fix> {
    let m = a.model;
    let rt = &m.route_tables[table.0];
    let at = rt.insert_at?;
    if !is_terraform(a) || rt.routes.iter().any(|r| !m.routes[r.0].inline) {
        return None;
    }
    let text = route_text(a, Some(table), name, prefix, d);
    let indented: String = text.lines().map(|l| format!("  {l}\n")).collect();
    Some(Fix {
        title: format!(
            "add route {prefix} -> {} to `{}`",
            a.device_name(d),
            rt.meta.display()
        ),
        edits: vec![Edit {
            origin: Origin {
                file: at.file,
                start: at.start,
                end: at.start,
            },
            text: format!("\n{indented}"),
        }],
        applicability: Applicability::Unsafe,
    })
}

/// How to turn gateway route propagation off on a table, in its own spelling.
pub fn propagation_off_text(a: &Analysis, table: RouteTableId) -> String {
    match a.model.route_tables[table.0].propagation_spelling {
        PropagationSpelling::TerraformEnabled => "bgp_route_propagation_enabled = false".into(),
        PropagationSpelling::TerraformDisable => "disable_bgp_route_propagation = true".into(),
        PropagationSpelling::Arm => "\"disableBgpRoutePropagation\": true".into(),
        PropagationSpelling::Bicep => "disableBgpRoutePropagation: true".into(),
    }
}

/// A fix that sets propagation off (replacing the attribute's value, or adding it).
pub fn propagation_off_fix(a: &Analysis, table: RouteTableId) -> Option<Fix> {
    let rt = &a.model.route_tables[table.0];
    if !is_terraform(a) {
        return None;
    }
    let text = propagation_off_text(a, table);
    let edit = match rt.propagation.origin {
        Some(o) => Edit {
            origin: o,
            text: match rt.propagation_spelling {
                PropagationSpelling::TerraformEnabled => "false".into(),
                _ => "true".into(),
            },
        },
        None => {
            let at = rt.insert_at?;
            Edit {
                origin: Origin {
                    file: at.file,
                    start: at.start,
                    end: at.start,
                },
                text: format!("  {text}\n"),
            }
        }
    };
    Some(Fix {
        title: format!(
            "turn gateway route propagation off on `{}`",
            rt.meta.display()
        ),
        edits: vec![edit],
        applicability: Applicability::Unsafe,
    })
}

/// Indents a multi-line snippet for a `help:` text.
pub fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
