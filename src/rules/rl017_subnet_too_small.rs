//! RL017 `subnet-too-small`: a special subnet smaller than Azure requires or recommends:
//! `AzureFirewallSubnet` and `AzureFirewallManagementSubnet` /26, `GatewaySubnet` /27,
//! `AzureBastionSubnet` /26 (DOMAIN.md §4, FW-FAQ, GWSUB, BASTION-FAQ).

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::special::*;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL017",
        name: "subnet-too-small",
        severity: Severity::Warning,
        summary: "a special subnet smaller than Azure requires",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL017.md"),
    },
    check,
};

/// The largest prefix length each special subnet may have.
const MINIMUM: &[(&str, u8, &str)] = &[
    (FIREWALL_SUBNET, 26, "Azure Firewall needs a /26"),
    (
        FIREWALL_MANAGEMENT_SUBNET,
        26,
        "the firewall's management subnet needs a /26",
    ),
    (
        GATEWAY_SUBNET,
        27,
        "Microsoft recommends a /27 or larger for the gateway subnet",
    ),
    (BASTION_SUBNET, 26, "Azure Bastion needs a /26"),
];

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    for s in &m.subnets {
        let Some((kind, max_len, why)) = MINIMUM
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(s.meta.display()))
        else {
            continue;
        };
        for p in &s.prefixes {
            let Prefix::V4(n) = p.value else { continue };
            if n.prefix_len() <= *max_len {
                continue;
            }
            let vnet = s
                .vnet
                .id
                .map(|v| m.vnets[v].meta.display().to_string())
                .unwrap_or_default();
            out.push(
                Violation::new(format!("{kind} {n} is smaller than /{max_len}"))
                    .subject(format!("subnet:{vnet}/{kind}"))
                    .primary(p.origin, format!("/{} here; {why}", n.prefix_len()))
                    .help(format!("give {kind} a /{max_len} or larger prefix")),
            );
        }
    }
    out
}
