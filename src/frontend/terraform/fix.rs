//! Fix intents written in Terraform: the spelling the configuration already uses.
//!
//! - gateway route propagation: azurerm 4.x `bgp_route_propagation_enabled = false`, 3.x
//!   `disable_bgp_route_propagation = true` (the table's own attribute decides; without
//!   one, the `azurerm` version constraint of the module);
//! - a route: an inline `route` block when the table's routes are inline (or it has none),
//!   an `azurerm_route` resource when they are separate resources;
//! - the next hop: a reference to the firewall, NIC or load balancer when it is declared in
//!   the same module (it survives a re-deploy), else its IP;
//! - snippets are built with hcl-rs (quoting, escaping), then aligned like `terraform fmt`.

use crate::diag::{Applicability, Edit, Fix};
use crate::ir::fix::NextHop;
use crate::ir::*;
use crate::source::Origin;
use std::collections::{HashMap, HashSet};

/// How the configuration spells gateway route propagation on a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    /// azurerm 3.x `disable_bgp_route_propagation` (true = off).
    Disable,
    /// azurerm 4.x `bgp_route_propagation_enabled` (true = on).
    Enabled,
}

#[derive(Clone, Debug)]
struct Table {
    propagation: Propagation,
    /// The end of the table's body, where a new inline route or attribute goes.
    insert_at: Origin,
}

/// What the Terraform front end keeps of its syntax for writing fixes, keyed by the IR
/// element's key (the IR itself holds no syntax).
#[derive(Clone, Debug, Default)]
pub struct Syntax {
    tables: HashMap<String, Table>,
    /// Keys of routes written as `route` blocks inside their table.
    inline_routes: HashSet<String>,
    /// Peering key -> the end of its body, where a missing attribute goes.
    peerings: HashMap<String, Origin>,
    /// NIC key -> the azurerm generation of its IP forwarding attribute (`Enabled`: 4.x
    /// `ip_forwarding_enabled`, `Disable`: 3.x `enable_ip_forwarding`) and its body's end.
    nics: HashMap<String, (Propagation, Origin)>,
}

impl Syntax {
    pub(super) fn table(&mut self, key: &str, propagation: Propagation, insert_at: Origin) {
        self.tables.insert(
            key.to_string(),
            Table {
                propagation,
                insert_at,
            },
        );
    }

    pub(super) fn peering(&mut self, key: &str, insert_at: Origin) {
        self.peerings.insert(key.to_string(), insert_at);
    }

    pub(super) fn nic(&mut self, key: &str, generation: Propagation, insert_at: Origin) {
        self.nics.insert(key.to_string(), (generation, insert_at));
    }

    pub(super) fn inline_route(&mut self, key: &str) {
        self.inline_routes.insert(key.to_string());
    }

    /// The propagation spelling of a table (4.x when the table is not known).
    pub fn propagation(&self, m: &Model, t: RouteTableId) -> Propagation {
        self.tables
            .get(&m.route_tables[t.0].meta.key)
            .map(|t| t.propagation)
            .unwrap_or(Propagation::Enabled)
    }

    /// Are the table's routes separate `azurerm_route` resources?
    fn separate_routes(&self, m: &Model, t: RouteTableId) -> bool {
        let rt = &m.route_tables[t.0];
        !rt.routes.is_empty()
            && rt
                .routes
                .iter()
                .all(|r| !self.inline_routes.contains(&m.routes[r.0].meta.key))
    }

    /// A one-line setting, or the snippet for intents that add a block.
    pub fn setting(&self, m: &Model, intent: &FixIntent) -> String {
        match intent {
            FixIntent::PropagationOff { table } => match self.propagation(m, *table) {
                Propagation::Enabled => "bgp_route_propagation_enabled = false".into(),
                Propagation::Disable => "disable_bgp_route_propagation = true".into(),
            },
            FixIntent::PropagationOn { table } => match self.propagation(m, *table) {
                Propagation::Enabled => "bgp_route_propagation_enabled = true".into(),
                Propagation::Disable => "disable_bgp_route_propagation = false".into(),
            },
            FixIntent::AllowForwardedTraffic { .. } => "allow_forwarded_traffic = true".into(),
            FixIntent::EnableIpForwarding { nic } => {
                match self.nics.get(&m.nics[nic.0].meta.key).map(|n| n.0) {
                    Some(Propagation::Disable) => "enable_ip_forwarding = true".into(),
                    _ => "ip_forwarding_enabled = true".into(),
                }
            }
            FixIntent::ReferenceNextHop { device, .. } => match reference(m, *device) {
                Some(r) => format!("next_hop_in_ip_address = {r}"),
                None => String::new(),
            },
            FixIntent::AddRoute { .. } => self.snippet(m, intent),
        }
    }

    /// The text to add: a `route` block or `azurerm_route` resource, or the setting.
    pub fn snippet(&self, m: &Model, intent: &FixIntent) -> String {
        let FixIntent::AddRoute {
            table,
            name,
            prefix,
            next_hop,
            ..
        } = intent
        else {
            return self.setting(m, intent);
        };
        let expr = |e: &str| -> hcl::Expression {
            e.parse()
                .unwrap_or_else(|_| hcl::Expression::String(e.to_string()))
        };
        let hop_expr = next_hop.as_ref().map(|h| expr(&next_hop_value(m, h)));
        let hop_type = if next_hop.is_some() {
            "VirtualAppliance"
        } else {
            "Internet"
        };
        match table.filter(|t| self.separate_routes(m, *t)) {
            Some(t) => {
                let t = &m.route_tables[t.0];
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
                let mut b = hcl::Block::builder("resource")
                    .add_label("azurerm_route")
                    .add_label(name.replace('-', "_"))
                    .add_attribute(("name", name.as_str()))
                    .add_attribute(("resource_group_name", rg))
                    .add_attribute(("route_table_name", tname))
                    .add_attribute(("address_prefix", prefix.as_str()))
                    .add_attribute(("next_hop_type", hop_type));
                if let Some(h) = hop_expr {
                    b = b.add_attribute(("next_hop_in_ip_address", h));
                }
                hcl_block(b.build())
            }
            None => {
                let mut b = hcl::Block::builder("route")
                    .add_attribute(("name", name.as_str()))
                    .add_attribute(("address_prefix", prefix.as_str()))
                    .add_attribute(("next_hop_type", hop_type));
                if let Some(h) = hop_expr {
                    b = b.add_attribute(("next_hop_in_ip_address", h));
                }
                hcl_block(b.build())
            }
        }
    }

    /// Edits that carry an intent out, where they can be placed.
    pub fn edits(&self, m: &Model, intent: &FixIntent) -> Option<Fix> {
        match intent {
            FixIntent::AddRoute {
                table: Some(t),
                prefix,
                next_hop,
                ..
            } => {
                let rt = &m.route_tables[t.0];
                let at = self.tables.get(&rt.meta.key)?.insert_at;
                if rt
                    .routes
                    .iter()
                    .any(|r| !self.inline_routes.contains(&m.routes[r.0].meta.key))
                {
                    return None;
                }
                let text = self.snippet(m, intent);
                let indented: String = text.lines().map(|l| format!("  {l}\n")).collect();
                Some(Fix {
                    title: format!(
                        "add route {prefix} -> {} to `{}`",
                        next_hop.as_ref().map_or("Internet", |h| h.name.as_str()),
                        rt.meta.display()
                    ),
                    edits: vec![Edit {
                        origin: at.empty(),
                        text: format!("\n{indented}"),
                    }],
                    applicability: Applicability::Unsafe,
                })
            }
            FixIntent::AddRoute { table: None, .. } => None,
            FixIntent::PropagationOff { table } | FixIntent::PropagationOn { table } => {
                let on = matches!(intent, FixIntent::PropagationOn { .. });
                let rt = &m.route_tables[table.0];
                let spelling = self.propagation(m, *table);
                let edit = match rt.propagation.origin {
                    Some(o) => Edit {
                        origin: o,
                        text: match spelling {
                            Propagation::Enabled => on.to_string(),
                            Propagation::Disable => (!on).to_string(),
                        },
                    },
                    None => Edit {
                        origin: self.tables.get(&rt.meta.key)?.insert_at.empty(),
                        text: format!("  {}\n", self.setting(m, intent)),
                    },
                };
                Some(Fix {
                    title: format!(
                        "turn gateway route propagation {} on `{}`",
                        if on { "on" } else { "off" },
                        rt.meta.display()
                    ),
                    edits: vec![edit],
                    applicability: Applicability::Unsafe,
                })
            }
            FixIntent::ReferenceNextHop { route, device } => {
                let r = &m.routes[route.0];
                let at = r.next_hop_ip.as_ref()?.origin;
                Some(Fix {
                    title: format!(
                        "write the next hop as a reference to `{}`",
                        m.device_meta(*device).display()
                    ),
                    edits: vec![Edit {
                        origin: at,
                        text: reference(m, *device)?,
                    }],
                    applicability: Applicability::Unsafe,
                })
            }
            FixIntent::EnableIpForwarding { nic } => {
                let n = &m.nics[nic.0];
                let edit = match n.ip_forwarding.origin {
                    Some(o) => Edit {
                        origin: o,
                        text: "true".into(),
                    },
                    None => Edit {
                        origin: self.nics.get(&n.meta.key)?.1.empty(),
                        text: format!("  {}\n", self.setting(m, intent)),
                    },
                };
                Some(Fix {
                    title: format!("enable IP forwarding on `{}`", n.meta.display()),
                    edits: vec![edit],
                    applicability: Applicability::Unsafe,
                })
            }
            FixIntent::AllowForwardedTraffic { peering } => {
                let p = &m.peerings[peering.0];
                let edit = match p.allow_forwarded_traffic.origin {
                    Some(o) => Edit {
                        origin: o,
                        text: "true".into(),
                    },
                    None => Edit {
                        origin: self.peerings.get(&p.meta.key)?.empty(),
                        text: format!("  {}\n", self.setting(m, intent)),
                    },
                };
                Some(Fix {
                    title: format!("allow forwarded traffic on peering `{}`", p.meta.display()),
                    edits: vec![edit],
                    applicability: Applicability::Unsafe,
                })
            }
        }
    }
}

/// Same-module Terraform address (no `module.` prefix) of a device's private IP.
fn reference(m: &Model, d: Device) -> Option<String> {
    let key = &m.device_meta(d).key;
    if key.starts_with("module.") || key.contains('/') {
        return None;
    }
    Some(match d {
        Device::Firewall(_) => format!("{key}.ip_configuration[0].private_ip_address"),
        Device::Nva(_) => format!("{key}.private_ip_address"),
        Device::Lb(_, fe) => format!("{key}.frontend_ip_configuration[{fe}].private_ip_address"),
    })
}

/// The next-hop IP as HCL: a reference, else a quoted IP.
fn next_hop_value(m: &Model, h: &NextHop) -> String {
    if let Some(r) = reference(m, h.device) {
        return r;
    }
    match h.ip {
        Some(ip) => format!("\"{ip}\""),
        None => format!("\"<private IP of {}>\"", h.name),
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
