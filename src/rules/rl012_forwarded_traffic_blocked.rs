//! RL012 `forwarded-traffic-blocked`: an appliance forwards packets into a VNet whose
//! peering does not allow forwarded traffic (azurerm and ARM default: false). The peering's
//! `allowForwardedTraffic` is an ingress control on the VNet that owns it (DOMAIN.md §6):
//! traffic that did not originate in the remote VNet is dropped. One finding per peering,
//! listing the flows it drops.

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::trace::{Drop, Trace, TwoWay, Verdict};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL012",
        name: "forwarded-traffic-blocked",
        severity: Severity::Error,
        summary: "an appliance forwards packets into a VNet whose peering does not allow forwarded traffic",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL012.md"),
    },
    check,
};

fn refused(t: &Trace) -> Option<(PeeringId, VNetId)> {
    match t.verdict {
        Verdict::Dropped(Drop::ForwardedRefused { peering, into }) => Some((peering, into)),
        _ => None,
    }
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    // Every traced flow, as (flow in words, its two-way trace).
    let mut flows: Vec<(String, &TwoWay)> = Vec::new();
    for f in ctx.onprem_flows() {
        let line = format!(
            "{} <-> {}",
            text::onprem(f.onprem),
            text::subnet(a, f.subnet)
        );
        flows.push((line.clone(), &f.inbound));
        flows.push((line, &f.outbound));
    }
    for f in ctx.cross_flows() {
        flows.push((
            format!("{} -> {}", text::subnet(a, f.src), text::subnet(a, f.dst)),
            &f.flow,
        ));
    }
    for f in ctx.dnat_flows() {
        flows.push((format!("Internet -> DNAT {}", f.target), &f.flow));
    }
    for f in ctx.endpoint_flows() {
        flows.push((
            format!(
                "{} -> private endpoint {}",
                f.source_label(a),
                m.private_endpoints[f.endpoint].meta.display()
            ),
            &f.flow,
        ));
    }
    let mut by_peering: std::collections::BTreeMap<usize, Vec<(String, &TwoWay)>> =
        Default::default();
    for (line, tw) in flows {
        let hit = refused(tw.forward()).or_else(|| tw.reply().and_then(refused));
        if let Some((p, _)) = hit {
            let list = by_peering.entry(p.0).or_default();
            if !list.iter().any(|(l, _)| *l == line) {
                list.push((line, tw));
            }
        }
    }
    let mut out = Vec::new();
    for (p, list) in by_peering {
        let pe = &m.peerings[p];
        let (line, tw) = &list[0];
        let failed = tw.failed_direction();
        let Some((_, into)) = refused(failed) else {
            continue;
        };
        let by = failed
            .devices
            .last()
            .map(|d| format!("`{}`", a.device_name(*d)))
            .unwrap_or_else(|| "an appliance".into());
        let fix = FixIntent::AllowForwardedTraffic {
            peering: PeeringId(p),
        };
        let at = pe
            .allow_forwarded_traffic
            .origin
            .unwrap_or(pe.meta.label_origin());
        let mut v = text::with_flow(
            Violation::new(format!(
                "peering `{}` drops traffic {by} forwards into `{}`",
                pe.meta.display(),
                m.vnets[into.0].meta.display()
            ))
            .subject(format!("peering:{}", pe.meta.display())),
            a,
            line.clone(),
            tw.forward(),
            tw.reply(),
        )
        .primary(at, "forwarded traffic is not allowed")
        .help(
            Help::text("set `")
                .setting(&fix)
                .then("` on this peering: traffic an appliance forwards did not originate in the peered VNet, and a peering admits it only when it allows forwarded traffic"),
        )
        .fix(&fix);
        if list.len() > 1 {
            let more: Vec<&str> = list[1..].iter().map(|(l, _)| l.as_str()).collect();
            v = v.note(format!(
                "{} more flow(s) dropped by this peering: {}",
                more.len(),
                more.join("; ")
            ));
        }
        out.push(v);
    }
    out
}
