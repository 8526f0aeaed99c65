//! `routelint model`: what routelint understood, as a human summary or JSON.

use crate::analysis::{words, Analysis};
use crate::ir::*;
use crate::source::SourceMap;
use std::fmt::Write;

fn prefixes(p: &[Spanned<Prefix>]) -> String {
    if p.is_empty() {
        return "(none)".into();
    }
    p.iter()
        .map(|x| x.value.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn flag(f: &Flag) -> String {
    match &f.value {
        Known::Known(b) => b.to_string(),
        Known::Unknown(_) => "unknown".into(),
    }
}

fn link_name<T>(l: &Option<Link>, items: &[T], meta: fn(&T) -> &Meta) -> String {
    match l {
        None => "-".into(),
        Some(l) => match l.id {
            Some(i) => meta(&items[i]).display().to_string(),
            None => match &l.target {
                Target::Unknown(r) => format!("(unknown: {r})"),
                t => format!(
                    "(unresolved: {})",
                    serde_json::to_string(t).unwrap_or_default()
                ),
            },
        },
    }
}

/// The human summary of one model.
pub fn human(a: &Analysis, sources: &SourceMap) -> String {
    let m = a.model;
    let mut o = String::new();
    let at = |origin: crate::source::Origin| sources.file_line(origin);
    let _ = writeln!(
        o,
        "{} {}",
        if m.front_end == "terraform" {
            "Terraform root"
        } else {
            "ARM template"
        },
        m.root
    );
    let _ = writeln!(o, "\nVNets");
    for v in &m.vnets {
        let _ = writeln!(
            o,
            "  {}  {}  [{}]",
            v.meta.display(),
            prefixes(&v.address_space),
            at(v.meta.origin)
        );
        for s in &v.subnets {
            let sub = &m.subnets[s.0];
            let rt = link_name(&sub.route_table, &m.route_tables, |x| &x.meta);
            let nsg = link_name(&sub.nsg, &m.nsgs, |x| &x.meta);
            let _ = writeln!(
                o,
                "    {}  {}  route table: {rt}  nsg: {nsg}",
                sub.meta.display(),
                prefixes(&sub.prefixes)
            );
        }
    }
    let orphans: Vec<&Subnet> = m.subnets.iter().filter(|s| s.vnet.id.is_none()).collect();
    if !orphans.is_empty() {
        let _ = writeln!(o, "  (subnets whose VNet is not declared)");
        for s in orphans {
            let _ = writeln!(
                o,
                "    {}  {}  [{}]",
                s.meta.display(),
                prefixes(&s.prefixes),
                at(s.meta.origin)
            );
        }
    }
    if !m.peerings.is_empty() {
        let _ = writeln!(o, "\nPeerings");
        for p in &m.peerings {
            let l = link_name(&Some(p.local_vnet.clone()), &m.vnets, |x| &x.meta);
            let r = link_name(&Some(p.remote_vnet.clone()), &m.vnets, |x| &x.meta);
            let _ = writeln!(
                o,
                "  {}: {l} -> {r}  access={} forwarded={} gateway_transit={} use_remote_gateways={}",
                p.meta.display(),
                flag(&p.allow_virtual_network_access),
                flag(&p.allow_forwarded_traffic),
                flag(&p.allow_gateway_transit),
                flag(&p.use_remote_gateways)
            );
        }
    }
    if !m.route_tables.is_empty() {
        let _ = writeln!(o, "\nRoute tables");
        for (ti, t) in m.route_tables.iter().enumerate() {
            let users: Vec<String> = m
                .subnets_using(RouteTableId(ti))
                .map(|s| m.subnet_label(s))
                .collect();
            let prop = match t.propagation.get() {
                Some(true) => "propagation on",
                Some(false) => "propagation off",
                None => "propagation unknown",
            };
            let _ = writeln!(
                o,
                "  {} ({prop})  subnets: {}  [{}]",
                t.meta.display(),
                if users.is_empty() {
                    "-".into()
                } else {
                    users.join(", ")
                },
                at(t.meta.origin)
            );
            for r in &t.routes {
                let r = &m.routes[r.0];
                let hop = match &r.next_hop_type.value {
                    Known::Known(NextHopType::VirtualAppliance) => {
                        let ap = crate::analysis::routes::appliance_of(
                            r.next_hop_ip.as_ref().map(|s| &s.value),
                        );
                        words::hop(a, &crate::analysis::routes::NextHop::Appliance(ap))
                    }
                    Known::Known(t) => t.as_str().to_string(),
                    Known::Unknown(w) => format!("(unknown: {w})"),
                };
                let prefix = match &r.prefix.value {
                    Prefix::Unknown(w) => format!("(unknown: {w})"),
                    p => p.to_string(),
                };
                let _ = writeln!(
                    o,
                    "    {}: {prefix} -> {hop}  [{}]",
                    r.meta.display(),
                    at(r.meta.origin)
                );
            }
        }
    }
    if !m.firewalls.is_empty() {
        let _ = writeln!(o, "\nFirewalls");
        for (i, f) in m.firewalls.iter().enumerate() {
            let subnet = f
                .subnet
                .as_ref()
                .and_then(|l| l.id)
                .map(|s| m.subnet_label(SubnetId(s)))
                .unwrap_or_else(|| "(unknown)".into());
            let ip = match m.firewall_ips.get(i).copied().flatten() {
                Some(r) if r.derived => {
                    format!("{} (derived: first usable host of its subnet)", r.ip)
                }
                Some(r) => r.ip.to_string(),
                None => "(unknown)".into(),
            };
            let rules = &m.firewall_rules[i];
            let _ = writeln!(
                o,
                "  {}  subnet: {subnet}  private IP: {ip}  public IPs: {}  rules: {} DNAT, {} network, {} application  [{}]",
                f.meta.display(),
                f.public_ips.len(),
                rules.dnat.len(),
                rules.network.len(),
                rules.application.len(),
                at(f.meta.origin)
            );
            for d in &rules.dnat {
                let _ = writeln!(
                    o,
                    "    DNAT {}: {} {} -> {}",
                    d.name,
                    d.destination_addresses
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    d.destination_ports.join(","),
                    match &d.translated_address {
                        Known::Known(s) => s.clone(),
                        Known::Unknown(_) => "(unknown)".into(),
                    }
                );
            }
        }
    }
    if !m.gateways.is_empty() {
        let _ = writeln!(o, "\nGateways");
        for (gi, g) in m.gateways.iter().enumerate() {
            let v = g
                .subnet
                .as_ref()
                .and_then(|l| l.id)
                .and_then(|s| m.subnet_vnet(SubnetId(s)))
                .map(|v| m.vnets[v.0].meta.display().to_string())
                .unwrap_or_else(|| "(unknown VNet)".into());
            let op =
                crate::analysis::routes::onprem_of(m, GatewayId(gi), &a.config.onprem_prefixes());
            let mut ps: Vec<String> = op.prefixes.iter().map(|(p, _)| p.to_string()).collect();
            if op.unknown {
                ps.push("(learned by BGP, not declared)".into());
            }
            let _ = writeln!(
                o,
                "  {}  {:?}  in {v}  on-prem: {}  [{}]",
                g.meta.display(),
                g.kind,
                ps.join(", "),
                at(g.meta.origin)
            );
        }
    }
    if !m.local_gateways.is_empty() {
        let _ = writeln!(o, "\nLocal network gateways (on-prem)");
        for l in &m.local_gateways {
            let _ = writeln!(
                o,
                "  {}  {}  [{}]",
                l.meta.display(),
                prefixes(&l.address_space),
                at(l.meta.origin)
            );
        }
    }
    if !m.load_balancers.is_empty() {
        let _ = writeln!(o, "\nLoad balancers");
        for l in &m.load_balancers {
            let fes: Vec<String> = l
                .frontends
                .iter()
                .map(|f| {
                    if f.public_ip.is_some() {
                        format!("{} (public)", f.name)
                    } else {
                        format!(
                            "{} (internal{})",
                            f.name,
                            f.private_ip.map(|i| format!(" {i}")).unwrap_or_default()
                        )
                    }
                })
                .collect();
            let _ = writeln!(
                o,
                "  {}  sku {}  frontends: {}  [{}]",
                l.meta.display(),
                l.sku.as_deref().unwrap_or("(default)"),
                fes.join(", "),
                at(l.meta.origin)
            );
        }
    }
    if !m.nics.is_empty() {
        let _ = writeln!(o, "\nNICs");
        for n in &m.nics {
            for c in &n.ip_configs {
                let s = c
                    .subnet
                    .as_ref()
                    .and_then(|l| l.id)
                    .map(|s| m.subnet_label(SubnetId(s)))
                    .unwrap_or_else(|| "(unknown subnet)".into());
                let _ = writeln!(
                    o,
                    "  {}/{}  {s}  {}  ip forwarding {}{}{}",
                    n.meta.display(),
                    c.name,
                    c.private_ip
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "(dynamic)".into()),
                    flag(&n.ip_forwarding),
                    if c.public_ip.is_some() {
                        "  public IP"
                    } else {
                        ""
                    },
                    if c.backend_pools.is_empty() {
                        String::new()
                    } else {
                        format!("  backend pools: {}", c.backend_pools.len())
                    }
                );
            }
        }
    }
    if !m.not_analysed.is_empty() {
        let _ = writeln!(o, "\nNot analysed");
        for n in &m.not_analysed {
            let _ = writeln!(
                o,
                "  {} `{}`: {}  [{}]",
                n.what,
                n.meta.display(),
                n.why,
                at(n.meta.origin)
            );
        }
    }
    if !m.data_matches.is_empty() {
        let _ = writeln!(o, "\nData sources");
        for d in &m.data_matches {
            let _ = writeln!(
                o,
                "  {}: matched by name to `{}`  [{}]",
                d.data,
                d.resource,
                at(d.origin)
            );
        }
    }
    if !m.unknowns.is_empty() {
        let _ = writeln!(o, "\nUnknowns");
        for u in &m.unknowns {
            let _ = writeln!(
                o,
                "  {}: {}: {}",
                sources.position(u.origin),
                u.what,
                u.reason
            );
        }
    }
    o
}

/// The JSON form: the IR itself plus resolved names and positions.
pub fn json(a: &Analysis, sources: &SourceMap) -> serde_json::Value {
    let m = a.model;
    let mut v = serde_json::to_value(m).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        let unknowns: Vec<serde_json::Value> = m
            .unknowns
            .iter()
            .map(|u| serde_json::json!({"what": u.what, "reason": u.reason, "at": sources.position(u.origin)}))
            .collect();
        obj.insert("unknowns".into(), serde_json::Value::Array(unknowns));
        let subnets: Vec<serde_json::Value> = (0..m.subnets.len())
            .map(|s| serde_json::json!({"label": m.subnet_label(SubnetId(s)), "at": sources.position(m.subnets[s].meta.origin)}))
            .collect();
        obj.insert("subnet_labels".into(), serde_json::Value::Array(subnets));
    }
    v
}
