//! RL020 `routing-loop`: a next-hop chain that returns to where it started: a firewall's
//! (or NVA's) own subnet routes a prefix to that device, or two appliances route a prefix to
//! each other (DOMAIN.md §2: do not put the appliance in the subnet whose route table points
//! at it). Judged per route in effect, whether or not an intended flow reaches it yet.

use super::{text, FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::{Dest, Lookup, NextHop, RoutePrefix};
use crate::diag::Severity;
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL020",
        name: "routing-loop",
        severity: Severity::Error,
        summary: "a next-hop chain that returns to where it started",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL020.md"),
    },
    check,
};

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    let mut reported: Vec<Vec<SubnetId>> = Vec::new();
    for (s, i) in text::appliance_routes(a) {
        let Some(t) = a.table(s) else { continue };
        let RoutePrefix::Net(prefix) = t.routes[i].prefix else {
            continue;
        };
        // Follow the chain of appliances for this prefix from this subnet.
        let mut path = vec![s];
        let mut hop = (s, i);
        let mut devices = Vec::new();
        let looped = loop {
            let Some(tab) = a.table(hop.0) else {
                break false;
            };
            let NextHop::Appliance(ap) = &tab.routes[hop.1].next_hop else {
                break false;
            };
            let Ok(d) = a.device_of(ap) else { break false };
            let Some(ds) = a.device_subnet(d) else {
                break false;
            };
            devices.push(d);
            if path.contains(&ds) && (ds == s || path.len() > 1) {
                break ds == s;
            }
            if path.len() > 8 {
                break false;
            }
            path.push(ds);
            let Some(next) = a.table(ds) else { break false };
            match next.lookup(Dest::Net(prefix)) {
                Lookup::Route(j) if matches!(next.routes[j].next_hop, NextHop::Appliance(_)) => {
                    hop = (ds, j)
                }
                _ => break false,
            }
        };
        if !looped {
            continue;
        }
        let mut key = path.clone();
        key.sort();
        if reported.contains(&key) {
            continue;
        }
        reported.push(key);
        let Some((name, at)) = text::user_route(a, s, i) else {
            continue;
        };
        let via: Vec<String> = devices
            .iter()
            .map(|d| format!("`{}`", a.device_name(*d)))
            .collect();
        let headline = if path.len() == 1 {
            format!(
                "route `{name}` sends {prefix} from {}'s own subnet back to {}: a loop",
                via[0], via[0]
            )
        } else {
            format!(
                "route `{name}` sends {prefix} in a loop: {} and back to {}",
                via.join(" -> "),
                m.subnet_label(s)
            )
        };
        let mut v = Violation::new(headline)
        .subject(format!("route:{name}"))
        .primary(at, format!("{} sends {prefix} to {}", m.subnet_label(s), via[0]))
        .note(format!(
            "{} routes {prefix} back into the chain it came from: the packets circle until they are dropped",
            via.last().cloned().unwrap_or_default()
        ))
        .help("an appliance's own subnet must route the prefix onward (to the peering, the gateway or the Internet), never to the appliance itself: remove this route from the appliance's subnet, or route it to the next hop that leads to the destination");
        if hop.0 != s {
            if let Some((n2, o2)) = text::user_route(a, hop.0, hop.1) {
                v = v.secondary(o2, format!("route `{n2}` closes the loop"));
            }
        }
        out.push(v);
    }
    out
}
