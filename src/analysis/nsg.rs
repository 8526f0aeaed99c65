//! Network security group evaluation for one inbound packet, the way Azure does it
//! ([NSG overview](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview),
//! [service tags](https://learn.microsoft.com/azure/virtual-network/service-tags-overview)):
//!
//! - rules are processed in priority order (lower number first); the first rule that
//!   matches decides, and processing stops;
//! - after the custom rules come the default inbound rules: 65000 `AllowVnetInBound`
//!   (`VirtualNetwork` to `VirtualNetwork`), 65001 `AllowAzureLoadBalancerInBound`
//!   (source `AzureLoadBalancer`, 168.63.129.16), 65500 `DenyAllInBound`;
//! - inbound traffic is evaluated by the subnet's NSG first, then by the NIC's; both must
//!   allow it (the caller runs both);
//! - the `VirtualNetwork` tag stands for the VNet's address space, the address spaces of
//!   peered VNets, connected on-premises ranges and the prefixes of the subnet's user
//!   routes. Here it is the VNet, the VNets peered with it both ways, and the prefixes of the
//!   subnet's user and gateway routes.
//!
//! A packet's source is a *set* of addresses (an Azure Firewall SNATs to any instance IP of
//! its subnet), so a rule may match all of it, none of it, or only some: a rule that may
//! match (part of the set, an application security group, a value not known statically)
//! before the deciding one makes the decision not known, never a guess.

use super::routes::{RoutePrefix, Source};
use super::Analysis;
use crate::ir::*;
use crate::source::Origin;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// An inbound packet to evaluate.
#[derive(Clone, Debug)]
pub struct Inbound<'a> {
    /// Every address the source may have.
    pub src: Ipv4Net,
    pub dst: Ipv4Addr,
    /// Destination port; `None` when not known.
    pub port: Option<u32>,
    /// The packet is one of these protocols (`TCP`, `UDP`); empty when not known.
    pub protocols: &'a [String],
    /// The subnet the destination is in (its VNet defines the `VirtualNetwork` tag).
    pub subnet: SubnetId,
}

/// What decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decider {
    /// A custom rule: index into the NSG's `rules`.
    Rule(usize),
    /// A default rule, by name and priority.
    Default(&'static str, u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(Decider),
    Deny(Decider),
    /// Not known statically: why, and the declaration that leaves it open.
    Unknown(String, Option<Origin>),
}

/// Whether a rule matches the packet.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Match {
    No,
    /// Some of the packets, or not known: the reason.
    Maybe(String),
    Yes,
}

fn all(parts: impl IntoIterator<Item = Match>) -> Match {
    let mut out = Match::Yes;
    for p in parts {
        match p {
            Match::No => return Match::No,
            Match::Maybe(r) => {
                if out == Match::Yes {
                    out = Match::Maybe(r)
                }
            }
            Match::Yes => {}
        }
    }
    out
}

fn any(parts: impl IntoIterator<Item = Match>) -> Match {
    let mut out = Match::No;
    for p in parts {
        match p {
            Match::Yes => return Match::Yes,
            Match::Maybe(r) => {
                if out == Match::No {
                    out = Match::Maybe(r)
                }
            }
            Match::No => {}
        }
    }
    out
}

/// Private ranges (RFC 1918 and the shared 100.64/10): no service tag other than
/// `VirtualNetwork` holds them.
fn private(n: &Ipv4Net) -> bool {
    super::routes::reserved().iter().any(|r| r.contains(n))
}

/// The Azure platform address behind the `AzureLoadBalancer` tag.
const AZURE_LB: Ipv4Addr = Ipv4Addr::new(168, 63, 129, 16);

impl Analysis<'_> {
    /// The known parts of the `VirtualNetwork` service tag as seen from a subnet.
    fn virtual_network_tag(&self, s: SubnetId) -> Vec<Ipv4Net> {
        let m = self.model;
        let mut out = Vec::new();
        let Some(v) = m.subnet_vnet(s) else {
            return out;
        };
        out.extend(m.vnet_prefixes(v));
        for (i, _) in m.vnets.iter().enumerate() {
            if i != v.0 && self.connected(Some(v), Some(VNetId(i))) {
                out.extend(m.vnet_prefixes(VNetId(i)));
            }
        }
        if let Some(t) = self.table(s) {
            for r in &t.routes {
                if let (Source::User | Source::Gateway, RoutePrefix::Net(n)) = (r.source, &r.prefix)
                {
                    out.push(*n);
                }
            }
        }
        out
    }

    /// Evaluates one NSG's inbound rules (custom, then default) for a packet.
    pub fn nsg_inbound(&self, nsg: usize, p: &Inbound) -> Decision {
        let m = self.model;
        let n = &m.nsgs[nsg];
        if !n.rules_complete || m.nsg_rules_incomplete {
            return Decision::Unknown(
                format!(
                    "not every security rule of `{}` is known statically",
                    n.meta.display()
                ),
                Some(n.meta.label_origin()),
            );
        }
        let vnet_tag = self.virtual_network_tag(p.subnet);
        let mut order: Vec<(u32, usize)> = Vec::new();
        for (i, r) in n.rules.iter().enumerate() {
            match r.priority {
                Some(pr) => order.push((pr, i)),
                None => {
                    if self.rule_matches(r, p, &vnet_tag) != Match::No {
                        return Decision::Unknown(
                            format!("the priority of rule `{}` is not known", r.name),
                            Some(r.origin),
                        );
                    }
                }
            }
        }
        order.sort();
        for (_, i) in order {
            let r = &n.rules[i];
            match self.rule_matches(r, p, &vnet_tag) {
                Match::No => continue,
                Match::Maybe(why) => {
                    return Decision::Unknown(format!("rule `{}` {why}", r.name), Some(r.origin))
                }
                Match::Yes => {
                    return match &r.allow {
                        Known::Known(true) => Decision::Allow(Decider::Rule(i)),
                        Known::Known(false) => Decision::Deny(Decider::Rule(i)),
                        Known::Unknown(why) => Decision::Unknown(
                            format!("the access of rule `{}` is not known: {why}", r.name),
                            Some(r.origin),
                        ),
                    };
                }
            }
        }
        // Default rules.
        let src_in_vnet = contained(&p.src, &vnet_tag);
        let dst_in_vnet = vnet_tag.iter().any(|n| n.contains(&p.dst));
        match (src_in_vnet, dst_in_vnet) {
            (Match::Yes, true) => {
                return Decision::Allow(Decider::Default("AllowVnetInBound", 65000))
            }
            (Match::Maybe(why), true) => {
                return Decision::Unknown(
                    format!("whether the source is in the VirtualNetwork tag ({why})"),
                    None,
                )
            }
            _ => {}
        }
        if p.src.contains(&AZURE_LB) {
            return Decision::Unknown(
                "the source includes the AzureLoadBalancer address".into(),
                None,
            );
        }
        Decision::Deny(Decider::Default("DenyAllInBound", 65500))
    }

    fn rule_matches(&self, r: &NsgRule, p: &Inbound, vnet_tag: &[Ipv4Net]) -> Match {
        let direction = match r.inbound {
            Known::Known(true) => Match::Yes,
            Known::Known(false) => Match::No,
            Known::Unknown(_) => Match::Maybe("has a direction not known statically".into()),
        };
        let protocol = match r.protocol.as_deref() {
            None => Match::Maybe("has a protocol not known statically".into()),
            Some(x) if x == "*" || x.eq_ignore_ascii_case("any") => Match::Yes,
            Some(x) if p.protocols.is_empty() => {
                Match::Maybe(format!("allows {x} only, and the protocol is not known"))
            }
            Some(x) if p.protocols.iter().any(|q| q.eq_ignore_ascii_case(x)) => {
                if p.protocols.len() == 1 {
                    Match::Yes
                } else {
                    Match::Maybe(format!("matches {x} only, not every protocol"))
                }
            }
            Some(_) => Match::No,
        };
        let port = if r.destination_ports.is_empty() {
            Match::Maybe("has destination ports not known statically".into())
        } else {
            any(r.destination_ports.iter().map(|x| port_matches(x, p.port)))
        };
        let source = if r.sources.is_empty() && r.source_asgs {
            // Azure Firewall instances are not NICs: no application security group holds them.
            Match::No
        } else {
            any(r
                .sources
                .iter()
                .map(|x| prefix_matches_set(x, &p.src, vnet_tag)))
        };
        let destination = any(r
            .destinations
            .iter()
            .map(|x| prefix_matches_addr(x, p.dst, vnet_tag))
            .chain(r.destination_asgs.then(|| {
                Match::Maybe(
                    "names an application security group (its members are not known statically)"
                        .into(),
                )
            })));
        all([direction, protocol, port, source, destination])
    }
}

/// Whether every address of `src` is in the union of `set` (CIDR blocks: contained in one,
/// or split over several).
fn contained(src: &Ipv4Net, set: &[Ipv4Net]) -> Match {
    if set.iter().any(|n| n.contains(src)) {
        return Match::Yes;
    }
    let mut parts: Vec<Ipv4Net> = set.iter().filter(|n| src.contains(*n)).copied().collect();
    parts.sort();
    let mut next = u64::from(u32::from(src.network()));
    for n in &parts {
        if u64::from(u32::from(n.network())) > next {
            break;
        }
        next = next.max(u64::from(u32::from(n.broadcast())) + 1);
    }
    if next > u64::from(u32::from(src.broadcast())) {
        Match::Yes
    } else if parts.is_empty() {
        Match::No
    } else {
        Match::Maybe(format!("covers only part of {src}"))
    }
}

fn prefix_matches_set(x: &Prefix, src: &Ipv4Net, vnet_tag: &[Ipv4Net]) -> Match {
    match x {
        Prefix::V4(n) => {
            if n.contains(src) {
                Match::Yes
            } else if src.contains(n) {
                Match::Maybe(format!("allows {n}, only part of {src}"))
            } else {
                Match::No
            }
        }
        Prefix::Tag(t) if t.eq_ignore_ascii_case("VirtualNetwork") => contained(src, vnet_tag),
        Prefix::Tag(t) if t.eq_ignore_ascii_case("AzureLoadBalancer") => {
            if src.contains(&AZURE_LB) {
                Match::Maybe("names AzureLoadBalancer".into())
            } else {
                Match::No
            }
        }
        Prefix::Tag(t) if t.eq_ignore_ascii_case("Internet") => {
            if contained(src, vnet_tag) == Match::Yes || private(src) {
                Match::No
            } else {
                Match::Maybe("names Internet".into())
            }
        }
        Prefix::Tag(t) => {
            if private(src) {
                Match::No
            } else {
                Match::Maybe(format!("names service tag {t}"))
            }
        }
        Prefix::V6(_) => Match::No,
        Prefix::Unknown(why) => Match::Maybe(format!("has a source not known statically ({why})")),
    }
}

fn prefix_matches_addr(x: &Prefix, dst: Ipv4Addr, vnet_tag: &[Ipv4Net]) -> Match {
    match x {
        Prefix::V4(n) => {
            if n.contains(&dst) {
                Match::Yes
            } else {
                Match::No
            }
        }
        Prefix::Tag(t) if t.eq_ignore_ascii_case("VirtualNetwork") => {
            if vnet_tag.iter().any(|n| n.contains(&dst)) {
                Match::Yes
            } else {
                Match::No
            }
        }
        Prefix::Tag(t)
            if t.eq_ignore_ascii_case("Internet")
                || t.eq_ignore_ascii_case("AzureLoadBalancer") =>
        {
            Match::No
        }
        Prefix::Tag(t) => {
            let host = Ipv4Net::new(dst, 32).expect("32 is valid");
            if private(&host) {
                Match::No
            } else {
                Match::Maybe(format!("names service tag {t}"))
            }
        }
        Prefix::V6(_) => Match::No,
        Prefix::Unknown(why) => {
            Match::Maybe(format!("has a destination not known statically ({why})"))
        }
    }
}

/// `*`, `443`, `1000-2000` against a port (or any port, when not known).
fn port_matches(spec: &str, port: Option<u32>) -> Match {
    let spec = spec.trim();
    if spec == "*" || spec.eq_ignore_ascii_case("any") {
        return Match::Yes;
    }
    let range = match spec.split_once('-') {
        Some((a, b)) => a
            .trim()
            .parse::<u32>()
            .ok()
            .zip(b.trim().parse::<u32>().ok()),
        None => spec.parse::<u32>().ok().map(|p| (p, p)),
    };
    match (range, port) {
        (None, _) => Match::Maybe(format!(
            "has destination port `{spec}`, not known statically"
        )),
        (Some(_), None) => Match::Maybe(format!(
            "allows port {spec} only, and the port is not known"
        )),
        (Some((lo, hi)), Some(p)) if lo <= p && p <= hi => Match::Yes,
        _ => Match::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn ports_ranges_and_wildcards() {
        assert_eq!(port_matches("*", Some(22)), Match::Yes);
        assert_eq!(port_matches("22", Some(22)), Match::Yes);
        assert_eq!(port_matches("20-30", Some(22)), Match::Yes);
        assert_eq!(port_matches("23-30", Some(22)), Match::No);
        assert!(matches!(port_matches("443", None), Match::Maybe(_)));
        assert!(matches!(port_matches("${var.p}", Some(1)), Match::Maybe(_)));
    }

    #[test]
    fn a_source_set_matches_all_some_or_none() {
        let fw = n("10.0.1.0/26");
        let tag = [n("10.0.0.0/16")];
        assert_eq!(
            prefix_matches_set(&Prefix::V4(n("10.0.0.0/16")), &fw, &tag),
            Match::Yes
        );
        assert!(matches!(
            prefix_matches_set(&Prefix::V4(n("10.0.1.4/32")), &fw, &tag),
            Match::Maybe(_)
        ));
        assert_eq!(
            prefix_matches_set(&Prefix::V4(n("10.9.0.0/16")), &fw, &tag),
            Match::No
        );
        assert_eq!(
            prefix_matches_set(&Prefix::Tag("VirtualNetwork".into()), &fw, &tag),
            Match::Yes
        );
        assert_eq!(
            prefix_matches_set(&Prefix::Tag("Internet".into()), &fw, &tag),
            Match::No
        );
        assert_eq!(
            prefix_matches_set(&Prefix::Tag("Storage".into()), &fw, &tag),
            Match::No
        );
        assert_eq!(
            contained(&n("10.0.0.0/24"), &[n("10.0.0.0/25"), n("10.0.0.128/25")]),
            Match::Yes
        );
        assert!(matches!(
            contained(&n("10.0.0.0/24"), &[n("10.0.0.0/25")]),
            Match::Maybe(_)
        ));
    }
}
