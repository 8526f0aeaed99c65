//! RL022 `unanalysed-virtual-wan`: VNets attached to a Virtual WAN hub. Virtual WAN routes
//! with a hub-level model (hub route tables, routing intent, the hub router's own
//! propagation), not with subnet route tables (DOMAIN.md §8), so routelint does not trace
//! flows through a hub: it says so once per attached VNet, rather than report a clean result
//! that means "not checked". With no hub connection declared here, each Virtual WAN
//! construct (a virtual WAN, hub, routing intent, hub route table, firewall in a hub) is
//! named once instead.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL022",
        name: "unanalysed-virtual-wan",
        severity: Severity::Info,
        summary: "VNets attached to a Virtual WAN hub: flows through the hub are not analysed",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL022.md"),
    },
    check,
};

/// The name a link gives for its target, declared or not.
fn target_name(m: &Model, l: &Link) -> String {
    if let Some(v) = l.id {
        return m.vnets[v].meta.display().to_string();
    }
    match &l.target {
        Target::Name { name, .. } => name.clone(),
        Target::AzureId(id) => parse_azure_id(id)
            .last()
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.clone()),
        Target::Key(k) => k.clone(),
        Target::Unknown(_) => "(not known statically)".into(),
    }
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let wan: Vec<&NotAnalysed> = m
        .not_analysed
        .iter()
        .filter(|n| n.construct == Construct::VirtualWan)
        .collect();
    let attached: Vec<(&NotAnalysed, &Link)> = wan
        .iter()
        .filter_map(|n| n.vnet.as_ref().map(|l| (*n, l)))
        .collect();
    let others = wan.len() - attached.len();
    let mut out = Vec::new();
    if attached.is_empty() {
        for n in wan {
            out.push(
                Violation::new(format!("{} `{}` is not analysed", n.what, n.meta.display()))
                    .subject(format!("virtual-wan:{}", n.meta.key))
                    .primary(n.meta.label_origin(), n.why.clone())
                    .note("routelint checks VNet route tables, peerings and firewalls; a Virtual WAN hub routes by its own route tables and routing intent, which it does not model")
                    .help("check flows through the hub with the hub's effective routes in the portal, or suppress this note"),
            );
        }
        return out;
    }
    for (n, l) in attached {
        let vnet = target_name(m, l);
        let mut v = Violation::new(format!(
            "VNet `{vnet}` is attached to a Virtual WAN hub: flows through the hub are not analysed"
        ))
        .subject(format!("virtual-wan:vnet:{vnet}"))
        .primary(n.meta.label_origin(), "a Virtual WAN hub connection")
        .note(format!(
            "the hub's route tables and routing intent decide this VNet's traffic to other VNets, branches and the Internet; routelint does not model them, so those flows are not checked{}",
            if others > 0 {
                format!(" ({others} more Virtual WAN construct(s) declared here)")
            } else {
                String::new()
            }
        ))
        .help("check the hub's effective routes in the portal for this VNet's flows, or suppress this note where that is done");
        if let Some(vid) = l.id {
            v = v.secondary(m.vnets[vid].meta.label_origin(), "the attached VNet");
        }
        out.push(v);
    }
    out
}
