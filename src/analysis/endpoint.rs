//! Flow endpoints as users name them (`routelint trace --from … --to …`, `routes
//! --subnet …`), and where a flow between two of them starts.
//!
//! An endpoint is `onprem`, `internet`, a subnet (`VNET/SUBNET`, or a unique subnet name),
//! or an address or prefix: inside a subnet it is that subnet; an on-prem address enters
//! through the gateway that knows its prefix.

use super::routes::{onprem_of, Dest};
use super::trace::{Start, TwoWay};
use super::Analysis;
use crate::ir::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Where a flow from here starts (`None`: the Internet, which starts at whatever takes
    /// Internet traffic to the destination).
    pub start: Option<Start>,
    pub addr: Dest,
    /// The subnet the endpoint is in, if any.
    pub subnet: Option<SubnetId>,
}

fn parse_net(sel: &str) -> Option<ipnet::Ipv4Net> {
    sel.parse::<ipnet::Ipv4Net>().ok().or_else(|| {
        sel.parse::<std::net::Ipv4Addr>()
            .ok()
            .and_then(|ip| ipnet::Ipv4Net::new(ip, 32).ok())
    })
}

/// Edit distance (insertions, deletions, substitutions), case-insensitive: for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Analysis<'_> {
    /// A subnet by `VNET/SUBNET`, unique name, or an address inside it.
    pub fn subnet_named(&self, sel: &str) -> Result<SubnetId, String> {
        let m = self.model;
        if let Some(net) = parse_net(sel) {
            return match m.subnets_overlapping(net).as_slice() {
                [s] => Ok(*s),
                [] => Err(format!("no subnet holds {sel}")),
                _ => Err(format!("{sel} overlaps several subnets")),
            };
        }
        match m.find_subnet(sel).as_slice() {
            [s] => Ok(*s),
            [] => {
                let labels: Vec<String> = (0..m.subnets.len())
                    .map(|i| m.subnet_label(SubnetId(i)))
                    .collect();
                let mut near: Vec<(usize, &String)> = labels
                    .iter()
                    .map(|l| {
                        let name = l.rsplit('/').next().unwrap_or(l);
                        (distance(sel, l).min(distance(sel, name)), l)
                    })
                    .filter(|(d, _)| *d <= 3.max(sel.len() / 4))
                    .collect();
                near.sort();
                let near: Vec<String> =
                    near.iter().take(3).map(|(_, l)| format!("`{l}`")).collect();
                if near.is_empty() {
                    Err(format!(
                        "no subnet `{sel}` (use VNET/SUBNET, or an address in it)"
                    ))
                } else {
                    Err(format!(
                        "no subnet `{sel}`; did you mean {}?",
                        near.join(" or ")
                    ))
                }
            }
            many => {
                let list: Vec<String> = many
                    .iter()
                    .map(|s| format!("`{}`", m.subnet_label(*s)))
                    .collect();
                Err(format!(
                    "`{sel}` matches several subnets: {} (use VNET/SUBNET)",
                    list.join(", ")
                ))
            }
        }
    }

    pub fn endpoint(&self, sel: &str) -> Result<Endpoint, String> {
        let m = self.model;
        let lower = sel.to_ascii_lowercase();
        let configured = self.config.onprem_prefixes();
        if lower == "onprem" || lower == "on-prem" {
            let g = (0..m.gateways.len())
                .map(GatewayId)
                .next()
                .ok_or("the model has no virtual network gateway")?;
            let op = onprem_of(m, g, &configured);
            let addr = op
                .prefixes
                .first()
                .map(|(p, _)| Dest::Net(*p))
                .unwrap_or(Dest::OnPremUnknown);
            return Ok(Endpoint {
                start: Some(Start::OnPrem(g)),
                addr,
                subnet: None,
            });
        }
        if lower == "internet" {
            return Ok(Endpoint {
                start: None,
                addr: Dest::Net(Default::default()),
                subnet: None,
            });
        }
        if let Some(net) = parse_net(sel) {
            if let Some(s) = m.subnets_overlapping(net).into_iter().next() {
                return Ok(Endpoint {
                    start: Some(Start::Subnet(s)),
                    addr: Dest::Net(net),
                    subnet: Some(s),
                });
            }
            let gw = (0..m.gateways.len()).map(GatewayId).find(|g| {
                onprem_of(m, *g, &configured)
                    .prefixes
                    .iter()
                    .any(|(p, _)| p.contains(&net))
            });
            return Ok(Endpoint {
                start: gw.map(Start::OnPrem),
                addr: Dest::Net(net),
                subnet: None,
            });
        }
        let s = self.subnet_named(sel)?;
        let p = m
            .subnet_prefixes(s)
            .into_iter()
            .next()
            .ok_or_else(|| format!("the prefix of `{sel}` is not known"))?;
        Ok(Endpoint {
            start: Some(Start::Subnet(s)),
            addr: Dest::Net(p),
            subnet: Some(s),
        })
    }

    /// The two-way trace between two endpoints. From the Internet, the flow enters
    /// through a DNAT rule to the destination, else a public frontend in front of it.
    pub fn trace_between(&self, from: &str, to: &str) -> Result<TwoWay, String> {
        let f = self.endpoint(from)?;
        let t = self.endpoint(to)?;
        let start = match f.start {
            Some(s) => s,
            None => {
                let dnat = self.dnat_flows().into_iter().find(|d| match t.addr {
                    Dest::Net(n) => n.contains(&d.target) || d.target.contains(&n),
                    _ => false,
                });
                match (dnat, t.subnet) {
                    (Some(d), _) => Start::Dnat(d.firewall),
                    (None, Some(s)) if self.public_ingress().iter().any(|(_, x)| *x == s) => {
                        Start::Public(s)
                    }
                    _ => {
                        return Err(
                            "nothing in the model takes Internet traffic to that destination"
                                .into(),
                        )
                    }
                }
            }
        };
        Ok(self.two_way(start, f.addr, t.addr))
    }
}
