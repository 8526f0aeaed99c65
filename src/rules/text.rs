//! Shared wording: flows and paths in words, for every rule.

use crate::analysis::routes::{Dest, RoutePrefix, Source};
use crate::analysis::trace::{Step, Trace, Verdict};
use crate::analysis::Analysis;
use crate::diag::{Diagnostic, StepText};
use crate::ir::*;

/// `vnet/subnet (prefix)`.
pub fn subnet(a: &Analysis, s: SubnetId) -> String {
    let p = a.model.subnet_prefixes(s);
    match p.first() {
        Some(p) => format!("{} ({p})", a.model.subnet_label(s)),
        None => a.model.subnet_label(s),
    }
}

pub fn onprem(d: Dest) -> String {
    match d {
        Dest::Net(n) => format!("on-prem {n}"),
        Dest::OnPremUnknown => "on-prem (prefixes learned by BGP, not declared)".into(),
    }
}

/// One line: the hops of a trace.
pub fn path(a: &Analysis, t: &Trace) -> String {
    let m = a.model;
    let mut parts: Vec<String> = Vec::new();
    for s in &t.steps {
        match s {
            Step::Enter { at } => parts.push(at.clone()),
            Step::Route { subnet, route, .. } => {
                let Some(tab) = a.table(*subnet) else {
                    continue;
                };
                let r = &tab.routes[*route];
                let name = m.subnet_label(*subnet);
                let how = match (r.source, r.route) {
                    (Source::User, Some(rid)) => {
                        format!("route `{}` {}", m.routes[rid.0].meta.display(), r.prefix)
                    }
                    (Source::Gateway, _) => match r.prefix {
                        RoutePrefix::OnPremUnknown => "learned on-prem route".to_string(),
                        _ => format!("gateway route {}", r.prefix),
                    },
                    (Source::Peering, _) => format!("peering route {}", r.prefix),
                    (Source::System, _) => format!("system route {}", r.prefix),
                    _ => r.prefix.to_string(),
                };
                parts.push(format!("{name} [{how}]"));
            }
            Step::Session { device, kind } => {
                let k = match kind {
                    crate::analysis::trace::SessionKind::Created => "",
                    crate::analysis::trace::SessionKind::Matched => " (session)",
                    crate::analysis::trace::SessionKind::Missing => " (no session: drops it)",
                };
                parts.push(format!("{}{k}", a.device_name(*device)));
            }
            Step::Nat { .. } => {}
            Step::Transit { .. } => {}
        }
    }
    match &t.verdict {
        Verdict::Delivered(s) => parts.push(m.subnet_label(*s)),
        Verdict::ExitsOnPrem(g) => {
            parts.push(format!("{} -> on-prem", m.gateways[g.0].meta.display()))
        }
        Verdict::ExitsInternet => parts.push("Internet".into()),
        Verdict::Dropped(w, _) => parts.push(format!("dropped ({w})")),
        Verdict::NoSession(_) => {}
        Verdict::Loop => parts.push("loop".into()),
        Verdict::Unknown(w) => parts.push(format!("unknown ({w})")),
    }
    parts.join(" -> ")
}

/// The hops of a trace, each with the declaration that decided it.
pub fn steps(a: &Analysis, t: &Trace) -> Vec<StepText> {
    let m = a.model;
    let mut out = Vec::new();
    for s in &t.steps {
        match s {
            Step::Enter { at } => out.push(StepText {
                origin: None,
                text: format!("enters at {at}"),
            }),
            Step::Route {
                subnet,
                route,
                summary,
            } => {
                let r = a.table(*subnet).map(|t| &t.routes[*route]);
                let origin = r.and_then(|r| {
                    r.route
                        .map(|rid| m.routes[rid.0].prefix.origin)
                        .or(r.origin)
                });
                out.push(StepText {
                    origin,
                    text: format!("{}: route {summary}", m.subnet_label(*subnet)),
                });
            }
            Step::Session { device, kind } => {
                let k = match kind {
                    crate::analysis::trace::SessionKind::Created => "creates a session",
                    crate::analysis::trace::SessionKind::Matched => "matches its session",
                    crate::analysis::trace::SessionKind::Missing => {
                        "has no session and drops the packet"
                    }
                };
                out.push(StepText {
                    origin: Some(a.device_origin(*device)),
                    text: format!("{} {k}", a.device_name(*device)),
                });
            }
            Step::Nat { device, text } => out.push(StepText {
                origin: Some(a.device_origin(*device)),
                text: format!("{}: {text}", a.device_name(*device)),
            }),
            Step::Transit { text, origin } => out.push(StepText {
                origin: *origin,
                text: text.clone(),
            }),
        }
    }
    let end = match &t.verdict {
        Verdict::Delivered(s) => Some((
            Some(m.subnets[s.0].meta.label_origin()),
            format!("delivered to {}", m.subnet_label(*s)),
        )),
        Verdict::ExitsOnPrem(g) => Some((
            Some(m.gateways[g.0].meta.label_origin()),
            format!("{} sends it to on-prem", m.gateways[g.0].meta.display()),
        )),
        Verdict::ExitsInternet => Some((None, "leaves for the Internet".to_string())),
        Verdict::Dropped(w, o) => Some((*o, format!("dropped: {w}"))),
        Verdict::Loop => Some((None, "loops".to_string())),
        Verdict::Unknown(w) => Some((None, format!("not known: {w}"))),
        Verdict::NoSession(_) => None,
    };
    if let Some((origin, text)) = end {
        out.push(StepText { origin, text });
    }
    out
}

/// Records a traced flow on a finding: the flow in words, both directions as text and
/// their hops with the declarations that decided them.
pub fn with_flow(
    d: Diagnostic,
    a: &Analysis,
    flow: String,
    forward: &Trace,
    reverse: Option<&Trace>,
) -> Diagnostic {
    d.flow(flow, path(a, forward), reverse.map(|r| path(a, r)))
        .steps(
            steps(a, forward),
            reverse.map(|r| steps(a, r)).unwrap_or_default(),
        )
}
