//! RL024 `invalid-address-prefix`: a VNet address space or a subnet prefix that Azure rejects:
//! not an IPv4 (or IPv6) CIDR (`10.0.0.0/33`, `10.0.0.999`, a service tag), or an IPv4
//! prefix with host bits set (`10.1.1.4/24`). Such a value is left out of the routing model
//! (every flow through it would be a guess), so it must be visible as a finding, not only
//! as a "could not be known" note.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL024",
        name: "invalid-address-prefix",
        severity: Severity::Error,
        summary: "a VNet address space or subnet prefix that is not a valid IPv4 prefix, or has host bits set",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL024.md"),
    },
    check,
};

/// The problem with one prefix, if any: (subject key, message, label, help).
fn problem(p: &Prefix) -> Option<(&'static str, String, String, String)> {
    match p {
        Prefix::V4(n) if *n != n.trunc() => Some((
            "host-bits",
            format!("has host bits set in {n}"),
            format!("the network address is {}", n.trunc()),
            format!("write {}", n.trunc()),
        )),
        Prefix::Tag(t) => Some((
            "prefix",
            format!("names `{t}`, which is not an address prefix"),
            "not a CIDR".into(),
            "write the range as a CIDR (10.1.0.0/16)".into(),
        )),
        p if p.malformed() => Some((
            "prefix",
            "is not a valid address prefix".into(),
            "not an IPv4 or IPv6 CIDR".into(),
            "write the range as a CIDR (10.1.0.0/16): four numbers up to 255 and a length up to 32"
                .into(),
        )),
        _ => None,
    }
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    for v in &m.vnets {
        for p in &v.address_space {
            if let Some((key, msg, label, help)) = problem(&p.value) {
                out.push(
                    Violation::new(format!("the address space of VNet `{}` {msg}", v.meta.display()))
                        .subject(format!("vnet:{}:{key}", v.meta.display()))
                        .primary(p.origin, label)
                        .note("Azure rejects the deployment; routelint leaves the range out of the routing model")
                        .help(help),
                );
            }
        }
    }
    for (i, s) in m.subnets.iter().enumerate() {
        for p in &s.prefixes {
            if let Some((key, msg, label, help)) = problem(&p.value) {
                let name = m.subnet_label(SubnetId(i));
                out.push(
                    Violation::new(format!("the prefix of subnet {name} {msg}"))
                        .subject(format!("subnet:{name}:{key}"))
                        .primary(p.origin, label)
                        .note("Azure rejects the deployment; routelint leaves the subnet out of the routing model")
                        .help(help),
                );
            }
        }
    }
    out
}
