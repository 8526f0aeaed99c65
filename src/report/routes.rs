//! `routelint routes`: a subnet's effective routes, as Azure's "Effective routes" view shows them.

use crate::analysis::routes::Table;
use crate::analysis::{words, Analysis};
use crate::source::SourceMap;
use std::fmt::Write;

/// `routelint routes`: the effective routes of a subnet.
pub fn render(a: &Analysis, t: &Table, sources: &SourceMap) -> String {
    let m = a.model;
    let mut o = String::new();
    let rt = t
        .route_table
        .map(|r| m.route_tables[r.0].meta.display().to_string());
    let prop = match t.propagation {
        Some(true) => "propagation on",
        Some(false) => "propagation off",
        None => "propagation unknown",
    };
    let _ = writeln!(
        o,
        "Effective routes of {} ({})",
        m.subnet_label(t.subnet),
        match rt {
            Some(n) => format!("route table {n}, {prop}"),
            None => "no route table".into(),
        }
    );
    let mut rows: Vec<[String; 4]> = vec![[
        "prefix".into(),
        "next hop".into(),
        "source".into(),
        "state".into(),
    ]];
    for r in &t.routes {
        let src = match r.source {
            crate::analysis::routes::Source::System => "system".to_string(),
            crate::analysis::routes::Source::Endpoint => {
                let name = t
                    .endpoints
                    .iter()
                    .find(|e| t.routes.get(e.route).is_some_and(|x| std::ptr::eq(x, r)))
                    .map(|e| m.private_endpoints[e.endpoint].meta.display().to_string())
                    .unwrap_or_default();
                format!("private endpoint {name}")
            }
            crate::analysis::routes::Source::Peering => format!(
                "peering {}",
                r.peering
                    .map(|p| m.peerings[p.0].meta.display().to_string())
                    .unwrap_or_default()
            ),
            crate::analysis::routes::Source::Gateway => match r.origin {
                Some(o) if r.prefix != crate::analysis::routes::RoutePrefix::OnPremUnknown => {
                    format!("gateway ({})", sources.file_line(o))
                }
                _ => "gateway (learned)".to_string(),
            },
            crate::analysis::routes::Source::User => match r.route {
                Some(rid) => format!(
                    "user `{}` {}",
                    m.routes[rid.0].meta.display(),
                    sources.file_line(m.routes[rid.0].meta.origin)
                ),
                None => "user".into(),
            },
        };
        let state = words::state(&r.state);
        rows.push([r.prefix.to_string(), words::hop(a, &r.next_hop), src, state]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let line: Vec<String> = (0..4)
            .map(|i| {
                if i == 3 {
                    r[i].clone()
                } else {
                    format!("{:w$}", r[i], w = widths[i])
                }
            })
            .collect();
        let _ = writeln!(o, "  {}", line.join("  ").trim_end());
    }
    o
}
