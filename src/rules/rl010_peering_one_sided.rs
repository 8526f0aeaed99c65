//! RL010 `peering-one-sided`: a VNet peering declared from one side only. A peering is two
//! resources, one per VNet; until the second exists the first stays `Initiated` and no
//! traffic flows (DOMAIN.md §6, PEER-MANAGE). The reverse is looked for among every peering
//! the linted files declare; one whose VNets are not known could be it, so it counts.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL010",
        name: "peering-one-sided",
        severity: Severity::Error,
        summary: "a peering declared from one side only",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL010.md"),
    },
    check,
};

/// Whether two links may name the same VNet: equal when both are resolved, possible when
/// either is not.
fn may_be_same(a: &Link, b: &Link) -> bool {
    match (a.id, b.id) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn vnet_words(m: &Model, l: &Link, side: &str) -> String {
    match l.id {
        Some(v) => format!("`{}`", m.vnets[v].meta.display()),
        None => match &l.target {
            Target::Name { name, .. } => format!("`{name}`"),
            Target::AzureId(id) | Target::Key(id) => format!(
                "`{}`",
                id.rsplit('/')
                    .next()
                    .filter(|s| !s.is_empty())
                    .unwrap_or(id)
            ),
            Target::Unknown(_) => format!("the {side} VNet"),
        },
    }
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    // Peerings with a VNet not known may be anyone's reverse.
    let open: Vec<usize> = (0..m.peerings.len())
        .filter(|&j| {
            m.peerings[j].local_vnet.id.is_none() || m.peerings[j].remote_vnet.id.is_none()
        })
        .collect();
    for (i, p) in m.peerings.iter().enumerate() {
        let may_reverse = |j: usize| {
            let q = &m.peerings[j];
            j != i
                && may_be_same(&q.local_vnet, &p.remote_vnet)
                && may_be_same(&q.remote_vnet, &p.local_vnet)
        };
        let reverse = match (p.local_vnet.id, p.remote_vnet.id) {
            // Both known: a declared reverse, or one with a VNet not known.
            (Some(l), Some(r)) => {
                m.peering_index
                    .get(&(r, l))
                    .is_some_and(|v| v.iter().any(|q| q.0 != i))
                    || open.iter().any(|&j| may_reverse(j))
            }
            _ => (0..m.peerings.len()).any(may_reverse),
        };
        if reverse {
            continue;
        }
        let (local, remote) = (
            vnet_words(m, &p.local_vnet, "local"),
            vnet_words(m, &p.remote_vnet, "remote"),
        );
        let name = p.meta.display();
        let mut v = Violation::new(format!(
            "peering `{name}` from {local} to {remote} has no peering back"
        ))
        .subject(format!("peering:{name}"))
        .primary(
            p.meta.label_origin(),
            format!("only this side is declared; it stays Initiated until {remote} peers back"),
        )
        .secondary(p.remote_vnet.origin, "the remote VNet");
        if p.remote_vnet.id.is_none() {
            v = v.note(format!(
                "{remote} is not declared in the linted files: if its peering back is deployed from another configuration, lint the two together or suppress this finding with the reason"
            ));
        }
        out.push(v.help(format!(
            "declare a peering from {remote} to {local} (Azure connects the two only when both sides exist)"
        )));
    }
    out
}
