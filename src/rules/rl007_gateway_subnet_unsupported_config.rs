//! RL007 `gateway-subnet-unsupported-config`: what Azure does not support on the
//! `GatewaySubnet` (DOMAIN.md §4, GWSUB, UDR): a `0.0.0.0/0` user route, a route table that
//! disables gateway route propagation, a `None` route for the subnet's own range, an NSG.

use super::{text, FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::special::GATEWAY_SUBNET;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL007",
        name: "gateway-subnet-unsupported-config",
        severity: Severity::Error,
        summary: "GatewaySubnet with a 0.0.0.0/0 route, gateway route propagation disabled, a None route for its own range, or an NSG",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL007.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    for (si, s) in m.subnets.iter().enumerate() {
        if !s.meta.display().eq_ignore_ascii_case(GATEWAY_SUBNET) {
            continue;
        }
        let label = m.subnet_label(SubnetId(si));
        let own = m.subnet_prefixes(SubnetId(si));
        if let Some(nsg) = &s.nsg {
            out.push(
                Violation::new(format!("{label} has a network security group"))
                    .subject(format!("subnet:{label}:nsg"))
                    .primary(nsg.origin, "an NSG on the gateway subnet")
                    .note("Azure does not support NSGs on the GatewaySubnet: the gateway may stop working")
                    .help("remove the NSG association from GatewaySubnet (filter in the spokes or at the firewall instead)"),
            );
        }
        let Some(t) = s.route_table.as_ref().and_then(|l| l.id) else {
            continue;
        };
        let rt = &m.route_tables[t];
        if rt.propagation.get() == Some(false) {
            let on = FixIntent::PropagationOn {
                table: RouteTableId(t),
            };
            out.push(
                Violation::new(format!(
                    "route table `{}` of {label} disables gateway route propagation",
                    rt.meta.display()
                ))
                .subject(format!("subnet:{label}:propagation"))
                .primary(
                    rt.propagation.origin.unwrap_or(rt.meta.label_origin()),
                    "propagation must stay on for the gateway subnet",
                )
                .note("the gateway's own subnet must keep the routes it learns (Microsoft: do not disable route propagation on GatewaySubnet)")
                .help(text::set_on_table(&on, rt))
                .fix(&on),
            );
        }
        for rid in &rt.routes {
            let r = &m.routes[rid.0];
            let Prefix::V4(n) = r.prefix.value else {
                continue;
            };
            let hop = r.next_hop_type.value.known().copied();
            let what = if n.prefix_len() == 0 {
                Some((
                    "default",
                    "a 0.0.0.0/0 route on GatewaySubnet is not supported: it breaks the gateway (and blocks its creation)",
                ))
            } else if hop == Some(NextHopType::None) && own.iter().any(|p| overlaps(&n, p)) {
                Some((
                    "none",
                    "a None route for the gateway subnet's own range drops the gateway's own traffic",
                ))
            } else {
                None
            };
            if let Some((key, why)) = what {
                out.push(
                    Violation::new(format!(
                        "route `{}/{}` is not supported on {label}",
                        rt.meta.display(),
                        r.meta.display()
                    ))
                    .subject(format!("subnet:{label}:{key}:{}", r.meta.display()))
                    .primary(r.prefix.origin, why)
                    .help("remove this route from the gateway subnet's route table; route the spokes' prefixes to the firewall there instead"),
                );
            }
        }
    }
    out
}
