//! Address translation at Azure Firewall (DOMAIN.md §5, FW-SNAT, FW-KNOWN).
//!
//! DNAT rules also SNAT the source to an instance address inside `AzureFirewallSubnet` (not
//! necessarily .4), so the reply is addressed to that whole subnet; network rules SNAT only
//! when the destination is outside the firewall's private ranges (default: the IANA
//! private ranges); application rules always SNAT, whatever the destination. Rules are
//! processed DNAT, then network, then application: a flow is taken as an application-rule
//! flow only when no network rule can match it and an application rule's sources cover it
//! (application rules name FQDNs, so their destinations are not compared). Otherwise, and
//! when the rules are not known, network-rule semantics apply.

use super::{iana_private, Addr, Device, Nat, SessionKind, Step, Trace, Verdict};
use crate::analysis::routes::Dest;
use crate::analysis::Analysis;
use crate::ir::*;
use ipnet::Ipv4Net;

/// `255.255.255.255/32` as a private range means "always SNAT".
const ALWAYS_SNAT: Ipv4Net = match Ipv4Net::new(std::net::Ipv4Addr::BROADCAST, 32) {
    Ok(n) => n,
    Err(_) => panic!("/32 is a valid prefix length"),
};

impl Analysis<'_> {
    /// Prefixes a firewall does not SNAT (its own or its policy's, else IANA private).
    pub(super) fn no_snat_ranges(&self, f: FirewallId) -> Vec<Ipv4Net> {
        let m = self.model;
        let fw = &m.firewalls[f.0];
        let ranges = fw.private_ranges.clone().or_else(|| {
            let p = fw.policy.as_ref()?.id?;
            m.firewall_policies[p].private_ranges.clone()
        });
        let Some(ranges) = ranges else {
            return iana_private();
        };
        let mut out = Vec::new();
        for p in ranges {
            match p {
                Prefix::V4(n) => out.push(n),
                Prefix::Tag(t) if t.eq_ignore_ascii_case("IANAPrivateRanges") => {
                    out.extend(iana_private())
                }
                _ => {}
            }
        }
        out.retain(|n| *n != ALWAYS_SNAT);
        out
    }

    /// Is the flow `src -> dst` allowed only by an application rule of firewall `f`?
    pub(super) fn application_rule_flow(&self, f: FirewallId, src: Addr, dst: Addr) -> bool {
        let rules = match self.model.firewall_rules.get(f.0) {
            Some(r) => r,
            None => return false,
        };
        let overlaps = |list: &[Prefix], a: Addr| match a {
            Dest::Net(n) => list.iter().any(|p| match p {
                Prefix::V4(x) => crate::ir::overlaps(x, &n),
                // A tag, an IP group or an unknown value may match.
                _ => true,
            }),
            Dest::OnPremUnknown => !list.is_empty(),
        };
        let network_may_match = rules
            .network
            .iter()
            .any(|r| overlaps(&r.sources, src) && overlaps(&r.destinations, dst));
        !network_may_match
            && rules.application.iter().any(|r| match src {
                Dest::Net(n) => r.sources.iter().any(|p| match p {
                    Prefix::V4(x) => x.contains(&n),
                    _ => false,
                }),
                Dest::OnPremUnknown => false,
            })
    }

    /// The SNAT source range of a firewall: its whole subnet.
    pub fn firewall_snat_range(&self, f: FirewallId) -> Option<Ipv4Net> {
        let s = self.model.firewalls[f.0].subnet.as_ref()?.id?;
        self.model.subnet_prefixes(SubnetId(s)).into_iter().next()
    }

    /// The translation `dst` replies to: the first `unsnat` entry (device, original source)
    /// whose firewall's SNAT range holds `dst`, among those of device `only` if given.
    pub(super) fn snat_reply(
        &self,
        dst: Dest,
        unsnat: &[(Device, Addr)],
        only: Option<Device>,
    ) -> Option<(Device, Addr)> {
        let Dest::Net(n) = dst else { return None };
        unsnat.iter().copied().find(|(d, _)| {
            only.is_none_or(|o| o == *d)
                && matches!(d, Device::Firewall(f)
                    if self.firewall_snat_range(*f).is_some_and(|s| s.contains(&n)))
        })
    }

    /// A reply reaches the device that translated its source: the device must hold the
    /// session, then sends the reply on to the original source. `false`: no session (the
    /// trace ends here with `NoSession`).
    pub(super) fn reverse_snat(
        &self,
        t: &mut Trace,
        d: Device,
        orig: Addr,
        sessions: &[Device],
    ) -> bool {
        t.devices.push(d);
        let held = sessions.contains(&d);
        t.steps.push(Step::Session {
            device: d,
            kind: if held {
                SessionKind::Matched
            } else {
                SessionKind::Missing
            },
        });
        if !held {
            t.verdict = Verdict::NoSession(d);
            return false;
        }
        t.steps.push(Step::Nat {
            device: d,
            nat: Nat::Reverse { to: orig },
        });
        true
    }
}
