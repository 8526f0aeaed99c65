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
    let expr = |e: &str| -> hcl::Expression {
        e.parse()
            .unwrap_or_else(|_| hcl::Expression::String(e.to_string()))
    };
    let hop_expr = expr(&hop);
    if separate {
        let t = &m.route_tables[table.expect("checked").0];
        let in_module = t.meta.key.starts_with("module.");
        let tname = if in_module {
            hcl::Expression::String(t.meta.display().to_string())
        } else {
            expr(&format!("{}.name", t.meta.key))
        };
        let rg = if in_module {
            hcl::Expression::String(t.meta.resource_group.clone().unwrap_or_default())
        } else {
            expr(&format!("{}.resource_group_name", t.meta.key))
        };
        hcl_block(
            hcl::Block::builder("resource")
                .add_label("azurerm_route")
                .add_label(name.replace('-', "_"))
                .add_attribute(("name", name))
                .add_attribute(("resource_group_name", rg))
                .add_attribute(("route_table_name", tname))
                .add_attribute(("address_prefix", prefix))
                .add_attribute(("next_hop_type", "VirtualAppliance"))
                .add_attribute(("next_hop_in_ip_address", hop_expr))
                .build(),
        )
    } else {
        hcl_block(
            hcl::Block::builder("route")
                .add_attribute(("name", name))
                .add_attribute(("address_prefix", prefix))
                .add_attribute(("next_hop_type", "VirtualAppliance"))
                .add_attribute(("next_hop_in_ip_address", hop_expr))
                .build(),
        )
    }
}

/// Writes a block with hcl-rs (correct quoting and escaping), then aligns the `=` of
/// consecutive attributes as `terraform fmt` does.
pub fn hcl_block(block: hcl::Block) -> String {
    let text = hcl::format::to_string(&block).unwrap_or_default();
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let key_len = |l: &str| -> Option<usize> {
        let t = l.trim_start();
        let eq = t.find(" = ")?;
        let key = &t[..eq];
        key.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            .then_some(eq)
    };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // A run of attribute lines at one indentation.
        let indent = lines[i].len() - lines[i].trim_start().len();
        let mut j = i;
        while j < lines.len()
            && key_len(lines[j]).is_some()
            && lines[j].len() - lines[j].trim_start().len() == indent
        {
            j += 1;
        }
        if j == i {
            out.push(lines[i].to_string());
            i += 1;
            continue;
        }
        let width = lines[i..j]
            .iter()
            .filter_map(|l| key_len(l))
            .max()
            .unwrap_or(0);
        for l in &lines[i..j] {
            let t = l.trim_start();
            let eq = key_len(l).unwrap_or(0);
            out.push(format!(
                "{}{:width$} = {}",
                &l[..indent],
                &t[..eq],
                &t[eq + 3..]
            ));
        }
        i = j;
    }
    out.join("\n")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_escaped_and_aligned_like_terraform_fmt() {
        let hop: hcl::Expression = "azurerm_firewall.hub.ip_configuration[0].private_ip_address"
            .parse()
            .unwrap();
        let text = hcl_block(
            hcl::Block::builder("resource")
                .add_label("azurerm_route")
                .add_label("r")
                .add_attribute(("name", "say \"hi\""))
                .add_attribute(("next_hop_in_ip_address", hop))
                .build(),
        );
        assert_eq!(
            text,
            "resource \"azurerm_route\" \"r\" {\n  name                   = \"say \\\"hi\\\"\"\n  next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address\n}"
        );
        // And it parses back.
        assert!(hcl_edit::parser::parse_body(&text).is_ok());
    }
}
