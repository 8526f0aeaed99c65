//! RL023 `default-route-blackhole`: a user route `0.0.0.0/0` with next hop `None` or
//! `VnetLocal` in a table in effect: all Internet-bound traffic of its subnets is dropped
//! (`None`), or sent into the VNet where no subnet holds it (`VnetLocal`) (DOMAIN.md §2, UDR).

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::{NextHop, RoutePrefix, Source, State};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL023",
        name: "default-route-blackhole",
        severity: Severity::Warning,
        summary:
            "0.0.0.0/0 sent to VnetLocal or None drops all Internet-bound traffic of the subnet",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL023.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    let mut done: Vec<RouteId> = Vec::new();
    for s in (0..m.subnets.len()).map(SubnetId) {
        let Some(t) = a.table(s) else { continue };
        for r in &t.routes {
            let (Source::User, State::Active, RoutePrefix::Net(n), Some(rid)) =
                (r.source, &r.state, &r.prefix, r.route)
            else {
                continue;
            };
            if n.prefix_len() != 0 || done.contains(&rid) {
                continue;
            }
            let what = match r.next_hop {
                NextHop::None => "None: it is dropped",
                NextHop::VnetLocal => "VnetLocal: no subnet of the VNet holds it, so it is dropped",
                _ => continue,
            };
            done.push(rid);
            let route = &m.routes[rid.0];
            let table = route
                .table
                .id
                .map(|t| m.route_tables[t].meta.display().to_string())
                .unwrap_or_default();
            out.push(
                Violation::new(format!(
                    "route `{table}/{}` sends all Internet-bound traffic to {what}",
                    route.meta.display()
                ))
                .subject(format!("route:{table}/{}", route.meta.display()))
                .primary(route.next_hop_type.origin, "0.0.0.0/0 goes nowhere")
                .note(format!(
                    "{} and every other subnet using `{table}` lose Internet access (and everything else no more specific route covers)",
                    m.subnet_label(s)
                ))
                .help("send 0.0.0.0/0 to the firewall (VirtualAppliance) or to Internet; if the subnet must not reach the Internet, deny it at the firewall or an NSG, where it is visible"),
            );
        }
    }
    out
}
