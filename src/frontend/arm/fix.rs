//! Fix intents written in ARM JSON, or in the Bicep source when the element is declared
//! there (`lower::Locate::is_bicep`).
//!
//! Edits are placed only where the text is what they expect: a flag's value is replaced;
//! a missing property goes first into the element's `properties` object literal; a route is
//! appended to a `routes` array literal. An expression (`"[variables('routes')]"`, a Bicep
//! `for`) gets no edit, only the snippet in the help.

use crate::diag::{Applicability, Edit, Fix};
use crate::ir::fix::NextHop;
use crate::ir::*;
use crate::source::{Origin, SourceMap};
use foldhash::HashMap;

/// Where an element lives in the text.
#[derive(Clone, Debug, Default)]
pub(super) struct Object {
    pub bicep: bool,
    /// Its `properties` object.
    pub properties: Option<Origin>,
    /// A route table's `properties.routes` array.
    pub routes: Option<Origin>,
}

/// What the ARM front end keeps of its syntax for writing fixes, keyed by the IR element's
/// key (the IR itself holds no syntax).
#[derive(Clone, Debug, Default)]
pub struct Syntax {
    objects: HashMap<String, Object>,
}

impl Syntax {
    pub(super) fn object(&mut self, key: &str, o: Object) {
        self.objects.insert(key.to_string(), o);
    }

    /// What is recorded, by key (to compare two records).
    #[cfg(test)]
    pub(super) fn sorted(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .objects
            .iter()
            .map(|(k, o)| format!("{k}: {o:?}"))
            .collect();
        v.sort();
        v
    }

    /// Adds what `later` records, as if recorded here after everything already here.
    pub(super) fn append(&mut self, later: Syntax) {
        if self.objects.is_empty() {
            self.objects = later.objects;
        } else {
            self.objects.extend(later.objects);
        }
    }

    fn bicep(&self, key: &str) -> bool {
        self.objects.get(key).is_some_and(|o| o.bicep)
    }

    fn intent_is_bicep(&self, m: &Model, intent: &FixIntent) -> bool {
        match intent {
            FixIntent::AddRoute { table: Some(t), .. }
            | FixIntent::PropagationOff { table: t }
            | FixIntent::PropagationOn { table: t } => self.bicep(&m.route_tables[t.0].meta.key),
            FixIntent::AddRoute {
                table: None,
                subnet,
                ..
            } => self.bicep(&m.subnets[subnet.0].meta.key),
            FixIntent::AllowForwardedTraffic { peering } => {
                self.bicep(&m.peerings[peering.0].meta.key)
            }
            FixIntent::EnableIpForwarding { nic } => self.bicep(&m.nics[nic.0].meta.key),
            FixIntent::ReferenceNextHop { route, .. } => {
                let key = &m.routes[route.0].meta.key;
                let table = m.routes[route.0]
                    .table
                    .id
                    .map(|t| m.route_tables[t].meta.key.clone())
                    .unwrap_or_default();
                self.bicep(key) || self.bicep(&table)
            }
        }
    }

    /// A reference to a firewall's front-end IP: the Bicep symbol, or the ARM expression.
    fn firewall_reference(&self, m: &Model, d: Device, bicep: bool) -> Option<String> {
        let Device::Firewall(f) = d else { return None };
        let fw = &m.firewalls[f.0];
        if bicep {
            let sym = fw.meta.aliases.first()?;
            Some(format!(
                "{sym}.properties.ipConfigurations[0].properties.privateIPAddress"
            ))
        } else {
            Some(format!(
                "\"[reference(resourceId('Microsoft.Network/azureFirewalls', '{}'), '2024-05-01').ipConfigurations[0].properties.privateIPAddress]\"",
                fw.meta.display()
            ))
        }
    }

    /// A one-line setting (`"disableBgpRoutePropagation": true`), or the snippet for
    /// intents that add an object.
    pub fn setting(&self, m: &Model, intent: &FixIntent) -> String {
        let bicep = self.intent_is_bicep(m, intent);
        let prop = |k: &str, v: bool| {
            if bicep {
                format!("{k}: {v}")
            } else {
                format!("\"{k}\": {v}")
            }
        };
        let prop_true = |k: &str| prop(k, true);
        match intent {
            FixIntent::PropagationOff { .. } => prop_true("disableBgpRoutePropagation"),
            FixIntent::PropagationOn { .. } => prop("disableBgpRoutePropagation", false),
            FixIntent::AllowForwardedTraffic { .. } => prop_true("allowForwardedTraffic"),
            FixIntent::EnableIpForwarding { .. } => prop_true("enableIPForwarding"),
            FixIntent::ReferenceNextHop { device, .. } => {
                let r = self
                    .firewall_reference(m, *device, bicep)
                    .unwrap_or_default();
                if bicep {
                    format!("nextHopIpAddress: {r}")
                } else {
                    format!("\"nextHopIpAddress\": {r}")
                }
            }
            FixIntent::AddRoute { .. } => self.snippet(m, intent),
        }
    }

    /// The text to add: a route object, or the setting.
    pub fn snippet(&self, m: &Model, intent: &FixIntent) -> String {
        let FixIntent::AddRoute {
            name,
            prefix,
            next_hop,
            ..
        } = intent
        else {
            return self.setting(m, intent);
        };
        let bicep = self.intent_is_bicep(m, intent);
        // A firewall's address by reference (it follows the firewall), else the address.
        let Some(next_hop) = next_hop else {
            return if bicep {
                format!(
                    "{{\n  name: '{name}'\n  properties: {{\n    addressPrefix: '{prefix}'\n    nextHopType: 'Internet'\n  }}\n}}"
                )
            } else {
                format!(
                    "{{\n  \"name\": \"{name}\",\n  \"properties\": {{\n    \"addressPrefix\": \"{prefix}\",\n    \"nextHopType\": \"Internet\"\n  }}\n}}"
                )
            };
        };
        let hop = match self.firewall_reference(m, next_hop.device, bicep) {
            Some(r) => r,
            None if bicep => format!("'{}'", hop_ip(next_hop)),
            None => format!("\"{}\"", hop_ip(next_hop)),
        };
        if bicep {
            format!(
                "{{\n  name: '{name}'\n  properties: {{\n    addressPrefix: '{prefix}'\n    nextHopType: 'VirtualAppliance'\n    nextHopIpAddress: {hop}\n  }}\n}}"
            )
        } else {
            format!(
                "{{\n  \"name\": \"{name}\",\n  \"properties\": {{\n    \"addressPrefix\": \"{prefix}\",\n    \"nextHopType\": \"VirtualAppliance\",\n    \"nextHopIpAddress\": {hop}\n  }}\n}}"
            )
        }
    }

    /// Edits that carry an intent out, where the text is a literal they can be placed in.
    pub fn edits(&self, m: &Model, sources: &SourceMap, intent: &FixIntent) -> Option<Fix> {
        let bicep = self.intent_is_bicep(m, intent);
        let (title, edit) = match intent {
            FixIntent::AddRoute {
                table: Some(t),
                prefix,
                next_hop,
                ..
            } => {
                let rt = &m.route_tables[t.0];
                let arr = self.objects.get(&rt.meta.key)?.routes?;
                let edit = append(sources, arr, &self.snippet(m, intent), bicep, b'[')?;
                (
                    format!(
                        "add route {prefix} -> {} to `{}`",
                        next_hop.as_ref().map_or("Internet", |h| h.name.as_str()),
                        rt.meta.display()
                    ),
                    edit,
                )
            }
            FixIntent::AddRoute { table: None, .. } => return None,
            FixIntent::PropagationOn { table } => {
                // Propagation is on by default: set the literal `true` back to `false`.
                let rt = &m.route_tables[table.0];
                let o = rt.propagation.origin?;
                if sources.snippet(o).trim() != "true" {
                    return None;
                }
                (
                    format!(
                        "turn gateway route propagation on on `{}`",
                        rt.meta.display()
                    ),
                    Edit {
                        origin: o,
                        text: "false".into(),
                    },
                )
            }
            FixIntent::PropagationOff { table } => {
                let rt = &m.route_tables[table.0];
                let edit = set_flag(
                    sources,
                    rt.propagation.origin,
                    self.objects.get(&rt.meta.key)?,
                    &self.setting(m, intent),
                )?;
                (
                    format!(
                        "turn gateway route propagation off on `{}`",
                        rt.meta.display()
                    ),
                    edit,
                )
            }
            FixIntent::ReferenceNextHop { route, device } => {
                let at = m.routes[route.0].next_hop_ip.as_ref()?.origin;
                let r = self.firewall_reference(m, *device, bicep)?;
                (
                    format!(
                        "write the next hop as a reference to `{}`",
                        m.device_meta(*device).display()
                    ),
                    Edit {
                        origin: at,
                        text: r,
                    },
                )
            }
            FixIntent::EnableIpForwarding { nic } => {
                let n = &m.nics[nic.0];
                let edit = set_flag(
                    sources,
                    n.ip_forwarding.origin,
                    self.objects.get(&n.meta.key)?,
                    &self.setting(m, intent),
                )?;
                (
                    format!("enable IP forwarding on `{}`", n.meta.display()),
                    edit,
                )
            }
            FixIntent::AllowForwardedTraffic { peering } => {
                let p = &m.peerings[peering.0];
                let edit = set_flag(
                    sources,
                    p.allow_forwarded_traffic.origin,
                    self.objects.get(&p.meta.key)?,
                    &self.setting(m, intent),
                )?;
                (
                    format!("allow forwarded traffic on peering `{}`", p.meta.display()),
                    edit,
                )
            }
        };
        Some(Fix {
            title,
            edits: vec![edit],
            applicability: Applicability::Unsafe,
        })
    }
}

fn hop_ip(h: &NextHop) -> String {
    match h.ip {
        Some(ip) => ip.to_string(),
        None => format!("<private IP of {}>", h.name),
    }
}

/// Sets a boolean property to `true`: its value where it is written (a literal `false`),
/// else a new first property of the `properties` object.
fn set_flag(
    sources: &SourceMap,
    value: Option<Origin>,
    obj: &Object,
    setting: &str,
) -> Option<Edit> {
    match value {
        Some(o) => (sources.snippet(o).trim() == "false").then(|| Edit {
            origin: o,
            text: "true".into(),
        }),
        None => prepend(sources, obj.properties?, setting, obj.bicep),
    }
}

/// The indentation of the line holding byte `at`.
fn indent_at(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

fn reindent(snippet: &str, pad: &str) -> String {
    snippet
        .lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Inserts `item` as the first entry of an object literal at `obj`.
fn prepend(sources: &SourceMap, obj: Origin, item: &str, bicep: bool) -> Option<Edit> {
    let file = sources.get(obj.file);
    let text = file.text.as_str();
    let body = text.get(obj.start..obj.end)?;
    if !body.starts_with('{') || !body.ends_with('}') {
        return None;
    }
    let inner_empty = body[1..body.len() - 1].trim().is_empty();
    let pad = format!("{}  ", indent_at(text, obj.start));
    let comma = if bicep || inner_empty { "" } else { "," };
    Some(Edit {
        origin: Origin::new(obj.file, obj.start + 1..obj.start + 1),
        text: format!("\n{pad}{item}{comma}"),
    })
}

/// Appends `item` to an array literal at `arr`.
fn append(sources: &SourceMap, arr: Origin, item: &str, bicep: bool, open: u8) -> Option<Edit> {
    let file = sources.get(arr.file);
    let text = file.text.as_str();
    let body = text.get(arr.start..arr.end)?;
    if body.as_bytes().first() != Some(&open) || !body.ends_with(']') {
        return None;
    }
    let inner = &body[1..body.len() - 1];
    if inner.trim_start().starts_with("for ") {
        return None;
    }
    let close = arr.end - 1;
    let outer = indent_at(text, arr.start);
    let pad = format!("{outer}  ");
    if inner.trim().is_empty() {
        return Some(Edit {
            origin: Origin::new(arr.file, arr.start + 1..close),
            text: format!("\n{}\n{outer}", reindent(item, &pad)),
        });
    }
    // After the last element's last character.
    let last = arr.start + 1 + inner.trim_end().len();
    let comma = if bicep { "" } else { "," };
    Some(Edit {
        origin: Origin::new(arr.file, last..last),
        text: format!("{comma}\n{}", reindent(item, &pad)),
    })
}
