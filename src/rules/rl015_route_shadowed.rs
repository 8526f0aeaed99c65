//! RL015 `route-shadowed`: a user route that can never be chosen, because another route of
//! the same table has the same prefix, or because longer routes of the same table cover all
//! of its addresses (longest prefix match, DOMAIN.md §2, UDR). Judged per route table: the
//! table's own routes always come before system and gateway routes of equal length, so a
//! route the table itself hides is hidden in every subnet that uses it.

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::diag::Severity;
use crate::ir::*;
use ipnet::Ipv4Net;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL015",
        name: "route-shadowed",
        severity: Severity::Warning,
        summary: "a user route that never wins for any address",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL015.md"),
    },
    check,
};

/// Whether the union of `parts` (each inside `whole`) covers every address of `whole`.
fn covered(whole: Ipv4Net, parts: &mut [Ipv4Net]) -> bool {
    parts.sort_by_key(|n| u32::from(n.network()));
    let mut next = u64::from(u32::from(whole.network()));
    let end = u64::from(u32::from(whole.broadcast()));
    for p in parts.iter() {
        let (lo, hi) = (
            u64::from(u32::from(p.network())),
            u64::from(u32::from(p.broadcast())),
        );
        if lo > next {
            return false;
        }
        next = next.max(hi + 1);
        if next > end {
            return true;
        }
    }
    next > end
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let m = ctx.analysis.model;
    let mut out = Vec::new();
    for t in &m.route_tables {
        // An unknown prefix could be anything: nothing in this table is judged then.
        let known: Option<Vec<(RouteId, Ipv4Net)>> = t
            .routes
            .iter()
            .filter_map(|r| match &m.routes[r.0].prefix.value {
                Prefix::V4(n) => Some(Some((*r, *n))),
                Prefix::Unknown(_) => Some(None),
                Prefix::V6(_) | Prefix::Tag(_) => None,
            })
            .collect();
        let Some(known) = known else { continue };
        // Prefixes as networks; the first route of each; the routes ordered by address, so
        // the routes inside a prefix are one range (a gateway table may hold a route per
        // spoke: no pass over the table per route).
        let nets: Vec<Ipv4Net> = known.iter().map(|(_, n)| n.trunc()).collect();
        let mut first_of: foldhash::HashMap<Ipv4Net, usize> = Default::default();
        for (k, n) in nets.iter().enumerate() {
            first_of.entry(*n).or_insert(k);
        }
        let mut by_addr: Vec<usize> = (0..nets.len()).collect();
        by_addr.sort_by_key(|&i| (u32::from(nets[i].network()), nets[i].prefix_len()));
        for (k, &(rid, _)) in known.iter().enumerate() {
            let r = &m.routes[rid.0];
            let net = nets[k];
            let label = || format!("{}/{}", t.meta.display(), r.meta.display());
            let first = first_of[&net];
            if first < k {
                let f = &m.routes[known[first].0 .0];
                let label = label();
                out.push(
                    Violation::new(format!(
                        "route `{label}` repeats the prefix {net} of route `{}`",
                        f.meta.display()
                    ))
                    .subject(format!("route:{label}"))
                    .primary(r.prefix.origin, "the same prefix as an earlier route of this table")
                    .secondary(f.prefix.origin, "first route for this prefix")
                    .note("a route table holds one route per prefix: Azure rejects the second, or one of the two never applies")
                    .help("remove one of the two routes (keep the next hop you mean)"),
                );
                continue;
            }
            let lo = by_addr.partition_point(|&i| nets[i].network() < net.network());
            let mut inside: Vec<usize> = by_addr[lo..]
                .iter()
                .copied()
                .take_while(|&i| nets[i].network() <= net.broadcast())
                .filter(|&i| nets[i].prefix_len() > net.prefix_len())
                .collect();
            let mut longer: Vec<Ipv4Net> = inside.iter().map(|&i| nets[i]).collect();
            if longer.is_empty() || !covered(net, &mut longer) {
                continue;
            }
            let label = label();
            let mut v = Violation::new(format!(
                "route `{label}` never applies: longer routes of the table cover all of {net}"
            ))
            .subject(format!("route:{label}"))
            .primary(r.prefix.origin, "every address here matches a longer route");
            inside.sort_unstable();
            for i in inside {
                v = v.secondary(
                    m.routes[known[i].0 .0].prefix.origin,
                    format!("{} wins for its addresses", nets[i]),
                );
            }
            out.push(v.help(
                "remove the route, or remove the longer routes if this one's next hop is the one you mean",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::covered;

    #[test]
    fn coverage_of_a_prefix_by_longer_ones() {
        let n = |s: &str| s.parse().unwrap();
        assert!(covered(
            n("10.1.0.0/16"),
            &mut [n("10.1.128.0/17"), n("10.1.0.0/17")]
        ));
        assert!(!covered(
            n("10.1.0.0/16"),
            &mut [n("10.1.0.0/17"), n("10.1.128.0/18")]
        ));
        assert!(covered(
            n("0.0.0.0/0"),
            &mut [n("0.0.0.0/1"), n("128.0.0.0/2"), n("192.0.0.0/2")]
        ));
        assert!(!covered(n("10.0.0.0/8"), &mut [n("10.0.0.0/9")]));
        assert!(covered(
            n("10.0.0.0/24"),
            &mut [n("10.0.0.0/25"), n("10.0.0.0/26"), n("10.0.0.128/25")]
        ));
    }
}
