//! `routelint graph`: the topology as Graphviz DOT or Mermaid, with the forward path (green)
//! and return path (red) of each reported finding drawn over it: the same traces the
//! findings were made from, after `--select`, `--ignore` and suppressions.

use crate::analysis::trace::{Device, Entry, Step, Trace, Verdict};
use crate::analysis::Analysis;
use crate::ir::*;
use crate::rules::Traced;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// A drawn path: its label and its node ids in order.
struct PathLine {
    label: String,
    nodes: Vec<String>,
    forward: bool,
}

fn subnet_id(s: SubnetId) -> String {
    format!("s{}", s.0)
}

fn trace_nodes(a: &Analysis, t: &Trace) -> Vec<String> {
    let m = a.model;
    let mut v: Vec<String> = Vec::new();
    let push = |n: String, v: &mut Vec<String>| {
        if v.last() != Some(&n) {
            v.push(n);
        }
    };
    for s in &t.steps {
        match s {
            Step::Enter(Entry::OnPrem(g)) => {
                push("onprem".into(), &mut v);
                push(format!("g{}", g.0), &mut v);
            }
            Step::Enter(_) => push("internet".into(), &mut v),
            Step::Route { subnet, .. } => {
                // A gateway's or device's own subnet is drawn as the device.
                let is_dev_subnet = m
                    .gateways
                    .iter()
                    .any(|g| g.subnet.as_ref().and_then(|l| l.id) == Some(subnet.0))
                    || m.firewalls
                        .iter()
                        .any(|f| f.subnet.as_ref().and_then(|l| l.id) == Some(subnet.0));
                if !is_dev_subnet {
                    push(subnet_id(*subnet), &mut v);
                }
            }
            Step::Session { device, .. } => push(device_id(*device), &mut v),
            Step::Nat { .. } | Step::Peering { .. } | Step::Stateless { .. } => {}
        }
    }
    match &t.verdict {
        Verdict::Delivered(s) => push(subnet_id(*s), &mut v),
        Verdict::ExitsOnPrem(g) => {
            push(format!("g{}", g.0), &mut v);
            push("onprem".into(), &mut v);
        }
        Verdict::ExitsInternet => push("internet".into(), &mut v),
        _ => {}
    }
    v
}

fn device_id(d: Device) -> String {
    match d {
        Device::Firewall(f) => format!("f{}", f.0),
        Device::Nva(n) => format!("n{}", n.0),
        Device::Lb(l, fe) => format!("l{}_{fe}", l.0),
    }
}

/// The paths of the findings that were reported (after selection and suppressions): each
/// finding's forward direction and its return.
fn paths(a: &Analysis, drawn: &[Drawn]) -> Vec<PathLine> {
    let mut out = Vec::new();
    for d in drawn {
        out.push(PathLine {
            label: format!("{} (forward)", d.label),
            nodes: trace_nodes(a, &d.traced.forward),
            forward: true,
        });
        if let Some(r) = &d.traced.reply {
            out.push(PathLine {
                label: format!("{} (return)", d.label),
                nodes: trace_nodes(a, r),
                forward: false,
            });
        }
    }
    out
}

/// A finding's flow to draw: its label (the finding's code and flow) and its traces.
pub struct Drawn<'t> {
    pub label: String,
    pub traced: &'t Traced,
}

fn esc(s: &str) -> String {
    s.replace('"', "'")
}

/// What one VNet cluster shows.
struct VnetView {
    label: String,
    /// (node id, label lines)
    subnets: Vec<(String, Vec<String>)>,
    firewalls: Vec<(String, Vec<String>)>,
    gateways: Vec<(String, Vec<String>)>,
}

fn views(a: &Analysis) -> Vec<VnetView> {
    let m = a.model;
    let in_vnet = |l: &Option<Link>, vi: usize| {
        l.as_ref()
            .and_then(|l| l.id)
            .and_then(|s| m.subnets[s].vnet.id)
            == Some(vi)
    };
    m.vnets
        .iter()
        .enumerate()
        .map(|(vi, v)| VnetView {
            label: format!(
                "{} {}",
                esc(v.meta.display()),
                v.address_space
                    .iter()
                    .map(|p| p.value.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            subnets: v
                .subnets
                .iter()
                .map(|s| {
                    let sub = &m.subnets[s.0];
                    let pfx = sub
                        .prefixes
                        .iter()
                        .map(|p| p.value.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    (subnet_id(*s), vec![esc(sub.meta.display()), pfx])
                })
                .collect(),
            firewalls: m
                .firewalls
                .iter()
                .enumerate()
                .filter(|(_, f)| in_vnet(&f.subnet, vi))
                .map(|(fi, f)| {
                    let mut l = vec![esc(f.meta.display())];
                    l.extend(
                        m.firewall_ips
                            .get(fi)
                            .copied()
                            .flatten()
                            .map(|r| r.ip.to_string()),
                    );
                    (format!("f{fi}"), l)
                })
                .collect(),
            gateways: m
                .gateways
                .iter()
                .enumerate()
                .filter(|(_, g)| in_vnet(&g.subnet, vi))
                .map(|(gi, g)| {
                    (
                        format!("g{gi}"),
                        vec![esc(g.meta.display()), format!("{:?} gateway", g.kind)],
                    )
                })
                .collect(),
        })
        .collect()
}

/// Pairs of VNets peered with each other, each once.
fn peer_pairs(m: &Model) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for p in &m.peerings {
        if let (Some(l), Some(r)) = (p.local_vnet.id, p.remote_vnet.id) {
            let key = (l.min(r), l.max(r));
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

fn nvas(m: &Model) -> Vec<(String, String)> {
    m.nics
        .iter()
        .enumerate()
        .filter(|(_, n)| n.ip_forwarding.get() == Some(true))
        .map(|(ni, n)| (format!("n{ni}"), format!("{} (NVA)", esc(n.meta.display()))))
        .collect()
}

/// The topology, with the given findings' paths drawn over it.
pub fn render(a: &Analysis, drawn: &[Drawn], fmt: GraphFormat) -> String {
    let m = a.model;
    let lines = paths(a, drawn);
    let vnets = views(a);
    let mut o = String::new();
    match fmt {
        GraphFormat::Dot => {
            o.push_str("digraph routelint {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
            o.push_str("  onprem [label=\"on-prem\", shape=cylinder];\n  internet [label=\"Internet\", shape=ellipse];\n");
            for (vi, v) in vnets.iter().enumerate() {
                o.push_str(&format!("  subgraph cluster_{vi} {{\n    label=\"{}\";\n    style=rounded; color=gray50;\n", v.label));
                for (id, l) in &v.subnets {
                    o.push_str(&format!("    {id} [label=\"{}\"];\n", l.join("\\n")));
                }
                for (id, l) in &v.firewalls {
                    o.push_str(&format!(
                        "    {id} [label=\"{}\", shape=octagon, style=filled, fillcolor=orange];\n",
                        l.join("\\n")
                    ));
                }
                for (id, l) in &v.gateways {
                    o.push_str(&format!(
                        "    {id} [label=\"{}\", shape=hexagon];\n",
                        l.join("\\n")
                    ));
                }
                o.push_str("  }\n");
            }
            for (id, l) in nvas(m) {
                o.push_str(&format!("  {id} [label=\"{l}\", shape=octagon];\n"));
            }
            for (gi, _) in m.gateways.iter().enumerate() {
                o.push_str(&format!(
                    "  g{gi} -> onprem [dir=both, style=dashed, color=gray40];\n"
                ));
            }
            for (l, r) in peer_pairs(m) {
                if let (Some(a1), Some(b1)) = (vnets[l].subnets.first(), vnets[r].subnets.first()) {
                    o.push_str(&format!("  {} -> {} [dir=both, style=dotted, color=gray60, label=\"peering\", ltail=cluster_{l}, lhead=cluster_{r}];\n", a1.0, b1.0));
                }
            }
            for l in &lines {
                let color = if l.forward { "forestgreen" } else { "red3" };
                for (k, w) in l.nodes.windows(2).enumerate() {
                    let label = if k == 0 { esc(&l.label) } else { String::new() };
                    o.push_str(&format!(
                        "  {} -> {} [color={color}, penwidth=2, label=\"{label}\"];\n",
                        w[0], w[1]
                    ));
                }
            }
            o.push_str("}\n");
        }
        GraphFormat::Mermaid => {
            o.push_str("flowchart LR\n  onprem[(on-prem)]\n  internet((Internet))\n");
            for (vi, v) in vnets.iter().enumerate() {
                o.push_str(&format!("  subgraph v{vi}[\"{}\"]\n", v.label));
                for (id, l) in &v.subnets {
                    o.push_str(&format!("    {id}[\"{}\"]\n", l.join("<br/>")));
                }
                for (id, l) in &v.firewalls {
                    o.push_str(&format!("    {id}{{{{\"{}\"}}}}\n", l.join("<br/>")));
                }
                for (id, l) in &v.gateways {
                    o.push_str(&format!("    {id}[/\"{}\"/]\n", l.join(" ")));
                }
                o.push_str("  end\n");
            }
            for (id, l) in nvas(m) {
                o.push_str(&format!("  {id}{{{{\"{l}\"}}}}\n"));
            }
            let mut edge = 0usize;
            let mut styles = Vec::new();
            for (gi, _) in m.gateways.iter().enumerate() {
                o.push_str(&format!("  g{gi} <-.-> onprem\n"));
                edge += 1;
            }
            for (l, r) in peer_pairs(m) {
                o.push_str(&format!("  v{l} <-. peering .-> v{r}\n"));
                edge += 1;
            }
            for l in &lines {
                let color = if l.forward { "green" } else { "red" };
                for (k, w) in l.nodes.windows(2).enumerate() {
                    if k == 0 {
                        o.push_str(&format!("  {} -->|\"{}\"| {}\n", w[0], esc(&l.label), w[1]));
                    } else {
                        o.push_str(&format!("  {} --> {}\n", w[0], w[1]));
                    }
                    styles.push(format!(
                        "  linkStyle {edge} stroke:{color},stroke-width:3px"
                    ));
                    edge += 1;
                }
            }
            for st in styles {
                o.push_str(&st);
                o.push('\n');
            }
        }
    }
    o
}
