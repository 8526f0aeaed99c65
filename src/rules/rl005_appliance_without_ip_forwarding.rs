//! RL005 `appliance-without-ip-forwarding`: a `VirtualAppliance` next hop is a NIC without
//! IP forwarding; Azure delivers to it only packets addressed to it and drops what it should
//! forward (DOMAIN.md §2, UDR).

use super::{text, FixAvailability, Help, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::NextHop;
use crate::analysis::trace::Device;
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL005",
        name: "appliance-without-ip-forwarding",
        severity: Severity::Error,
        summary: "a VirtualAppliance next hop is a NIC without IP forwarding",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::Sometimes,
        doc: include_str!("../../rules/RL005.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    // Per NIC: the routes that send traffic to it.
    let mut by_nic: std::collections::BTreeMap<usize, Vec<(String, crate::source::Origin)>> =
        Default::default();
    for (s, i) in text::appliance_routes(a) {
        let Some(NextHop::Appliance(ap)) = a
            .table(s)
            .and_then(|t| t.routes.get(i))
            .map(|r| &r.next_hop)
        else {
            continue;
        };
        let Ok(Device::Nva(n)) = a.device_of(ap) else {
            continue;
        };
        if m.nics[n.0].ip_forwarding.get() != Some(false) {
            continue;
        }
        if let Some(r) = text::user_route(a, s, i) {
            let routes = by_nic.entry(n.0).or_default();
            if !routes.contains(&r) {
                routes.push(r);
            }
        }
    }
    let mut out = Vec::new();
    for (n, routes) in by_nic {
        let nic = &m.nics[n];
        let fix = FixIntent::EnableIpForwarding { nic: NicId(n) };
        let at = nic.ip_forwarding.origin.unwrap_or(nic.meta.label_origin());
        let mut v = Violation::new(format!(
            "`{}` is a next hop but does not forward: IP forwarding is off",
            nic.meta.display()
        ))
        .subject(format!("nic:{}", nic.meta.display()))
        .primary(at, "IP forwarding is off on this NIC")
        .note(format!(
            "Azure drops packets sent to `{}` that are not addressed to it unless its NIC enables IP forwarding",
            nic.meta.display()
        ))
        .help(
            Help::text("set `")
                .setting(&fix)
                .then(format!("` on `{}` (and forward in the appliance's OS)", nic.meta.display())),
        )
        .fix(&fix);
        for (name, o) in routes {
            v = v.secondary(o, format!("route `{name}` sends traffic here"));
        }
        out.push(v);
    }
    out
}
