//! RL025 `private-endpoint-flow-broken`: a flow to a private endpoint fails. Above all: the
//! request passes a stateful firewall that does not SNAT it (an Azure Firewall network rule
//! to a private address, an NVA), and the endpoint's reply, to which route tables do not
//! apply, goes straight back to the client around the firewall (Learn: "Azure Firewall
//! scenarios to inspect traffic destined to a private endpoint": application rules, which
//! always SNAT, keep the flow symmetric; with network rules or an NVA, SNAT is needed).
//! Drops another rule owns (RL004-RL006, RL012, RL020, RL023) are reported there.

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::flows::EndpointFlow;
use crate::analysis::trace::{Device, FlowVerdict, Start, Verdict};
use crate::analysis::words;
use crate::diag::Severity;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL025",
        name: "private-endpoint-flow-broken",
        severity: Severity::Error,
        summary: "a flow to a private endpoint fails: its reply, which ignores route tables, goes around the firewall the request passed",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL025.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let mut out = Vec::new();
    let mut seen: Vec<(usize, Option<usize>, Option<Device>)> = Vec::new();
    for f in ctx.endpoint_flows() {
        let v = f.flow.verdict();
        if matches!(v, FlowVerdict::Ok | FlowVerdict::Unknown(_))
            || text::owned_elsewhere(a, &f.flow)
        {
            continue;
        }
        let skipped = f.flow.skipped_devices().first().copied();
        let origin = match f.start {
            Start::Subnet(s) => a.model.subnet_vnet(s).map(|v| v.0),
            Start::OnPrem(g) => Some(usize::MAX - g.0),
            _ => None,
        };
        let key = (f.endpoint, origin, skipped);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(match (v, skipped) {
            (FlowVerdict::Asymmetric | FlowVerdict::ReturnBroken, Some(d)) => bypass(ctx, f, d),
            _ => broken(ctx, f),
        });
    }
    out
}

fn flow_line(ctx: &RuleContext, f: &EndpointFlow) -> String {
    let m = ctx.analysis.model;
    let src = match f.start {
        Start::Subnet(s) => text::subnet(ctx.analysis, s),
        _ => text::onprem(f.src_addr),
    };
    format!(
        "{} -> private endpoint {} ({})",
        src,
        m.private_endpoints[f.endpoint].meta.display(),
        f.dst
    )
}

fn subject(ctx: &RuleContext, f: &EndpointFlow) -> String {
    let m = ctx.analysis.model;
    format!(
        "{}->pe:{}",
        f.source_label(ctx.analysis),
        m.private_endpoints[f.endpoint].meta.display()
    )
}

/// The request passes `d`; the reply does not.
fn bypass(ctx: &RuleContext, f: &EndpointFlow, d: Device) -> Violation {
    let a = ctx.analysis;
    let m = a.model;
    let pe = &m.private_endpoints[f.endpoint];
    let name = a.device_name(d);
    let reply = f.flow.reply();
    let returned = matches!(reply.map(|r| &r.verdict), Some(Verdict::Delivered(_)));
    let headline = if returned {
        format!(
            "the reply of private endpoint `{}` bypasses `{name}`",
            pe.meta.display()
        )
    } else {
        format!(
            "the reply of private endpoint `{}` is dropped (the request passes `{name}`)",
            pe.meta.display()
        )
    };
    let mut v = text::with_flow(
        Violation::new(headline).subject(subject(ctx, f)),
        a,
        flow_line(ctx, f),
        f.flow.forward(),
        reply,
    )
    .primary(
        pe.meta.label_origin(),
        format!(
            "route tables do not apply to a private endpoint's own traffic: its reply to {} follows the VNet's system routes{}",
            f.src_addr,
            if returned { ", straight back" } else { ", which have no route back" }
        ),
    )
    .note(format!(
        "`{name}` never sees the reply{}: connections to the endpoint through it cannot be established.",
        if returned { "" } else { " and nothing routes it" }
    ));
    // The route that sends the request into the device.
    if let Some((s, i)) = f.flow.forward().routes().next() {
        if let Some(t) = a.table(s) {
            let r = &t.routes[i];
            if let Some(rid) = r.route {
                v = v.secondary(
                    m.routes[rid.0].prefix.origin,
                    format!("sends the request to `{name}`"),
                );
            }
        }
    }
    let help = match d {
        Device::Firewall(_) => Help::text(format!(
            "allow this traffic on `{name}` with an application rule (application rules always SNAT, so the reply comes back through the firewall), or make the firewall policy SNAT network-rule traffic to private addresses (`private_ip_ranges = [\"255.255.255.255/32\"]`; ARM `snat.privateRanges`)"
        )),
        _ => Help::text(format!(
            "configure `{name}` to SNAT traffic to the private endpoint to its own address, so the reply returns to it"
        )),
    };
    v.help(help)
}

/// Any other failure: the request or the reply is dropped.
fn broken(ctx: &RuleContext, f: &EndpointFlow) -> Violation {
    let a = ctx.analysis;
    let m = a.model;
    let pe = &m.private_endpoints[f.endpoint];
    let failed = f.flow.failed_direction();
    let mut v = text::with_flow(
        Violation::new(format!(
            "traffic to private endpoint `{}` cannot get through: {}",
            pe.meta.display(),
            match &failed.verdict {
                Verdict::Dropped(d) => words::drop(a, d),
                Verdict::NoSession(d) =>
                    format!("`{}` holds no session for the reply", a.device_name(*d)),
                _ => words::flow_verdict(a, &f.flow),
            }
        ))
        .subject(subject(ctx, f)),
        a,
        flow_line(ctx, f),
        f.flow.forward(),
        f.flow.reply(),
    )
    .primary(pe.meta.label_origin(), "this private endpoint")
    .note(format!("the flow is intended: {}", f.intent));
    if let Some(o) = f.intent_origin {
        v = v.secondary(o, "makes the flow intended");
    }
    v
}
