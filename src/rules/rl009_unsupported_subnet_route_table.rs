//! RL009 `unsupported-subnet-route-table`: route tables where Azure does not support them
//! (DOMAIN.md §4): any route table on `AzureBastionSubnet` (BASTION-FAQ: user-defined routes
//! are not supported there) or `RouteServerSubnet` (RS-FAQ), and, on an Application Gateway
//! v2 subnet whose gateway has a public frontend, a `0.0.0.0/0` user route towards an
//! appliance or a virtual network gateway (AGW-INFRA: forced tunnelling of the gateway's
//! Internet traffic is not supported; only the private deployment, without a public
//! frontend, allows it, AGW-PRIV).
//!
//! The Application Gateway case needs the SKU: a gateway whose SKU is not known is not
//! judged (v1 gateways allowed such routes in some forms).

use super::{FixAvailability, Rule, RuleContext, RuleMeta, Violation, BOTH};
use crate::analysis::routes::{Dest, Lookup, NextHop, Source};
use crate::diag::Severity;
use crate::ir::special::{BASTION_SUBNET, ROUTE_SERVER_SUBNET};
use crate::ir::*;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "RL009",
        name: "unsupported-subnet-route-table",
        severity: Severity::Error,
        summary: "a route table on AzureBastionSubnet or RouteServerSubnet, or 0.0.0.0/0 to an appliance or gateway on an Application Gateway v2 subnet with a public frontend",
        since: "0.2.0",
        front_ends: BOTH,
        fix: FixAvailability::None,
        doc: include_str!("../../rules/RL009.md"),
    },
    check,
};

/// Application Gateway v2 SKUs: `Standard_v2`, `WAF_v2`, and `Basic` (a v2-family SKU).
fn is_v2(sku: &str) -> bool {
    let s = sku.to_ascii_lowercase();
    s.ends_with("_v2") || s == "basic"
}

fn check(ctx: &RuleContext) -> Vec<Violation> {
    let a = ctx.analysis;
    let m = a.model;
    let mut out = Vec::new();
    for (si, s) in m.subnets.iter().enumerate() {
        let name = s.meta.display();
        let Some(link) = &s.route_table else { continue };
        let label = m.subnet_label(SubnetId(si));
        let table = link
            .id
            .map(|t| format!("`{}`", m.route_tables[t].meta.display()))
            .unwrap_or_else(|| "a route table".into());
        let (why, help) = if name.eq_ignore_ascii_case(BASTION_SUBNET) {
            (
                "Azure Bastion does not support user-defined routes on AzureBastionSubnet: its control and session traffic must reach Azure directly",
                "remove the route table association from AzureBastionSubnet; Bastion reaches the VMs over the VNet and its peerings without one",
            )
        } else if name.eq_ignore_ascii_case(ROUTE_SERVER_SUBNET) {
            (
                "Azure Route Server does not support a route table on RouteServerSubnet: its BGP sessions with the NVAs must stay inside the VNet",
                "remove the route table association from RouteServerSubnet",
            )
        } else {
            continue;
        };
        out.push(
            Violation::new(format!(
                "{label} has route table {table}, which Azure does not support there"
            ))
            .subject(format!("subnet:{label}:route-table"))
            .primary(link.origin, "a route table on this subnet is not supported")
            .note(why)
            .help(help),
        );
    }
    for svc in &m.services {
        if svc.kind != "application-gateway" || !svc.has_public_frontend {
            continue;
        }
        if !svc.sku.as_deref().is_some_and(is_v2) {
            continue;
        }
        let Some(sid) = svc.subnet.as_ref().and_then(|l| l.id).map(SubnetId) else {
            continue;
        };
        let Some(t) = a.table(sid) else { continue };
        let Lookup::Route(i) = t.lookup(Dest::Net(ipnet::Ipv4Net::default())) else {
            continue;
        };
        let r = &t.routes[i];
        let towards = match &r.next_hop {
            NextHop::Appliance(_) => "an appliance",
            NextHop::Gateway(_) => "a virtual network gateway",
            _ => continue,
        };
        let (Source::User, Some(rid)) = (r.source, r.route) else {
            continue;
        };
        let route = &m.routes[rid.0];
        let label = m.subnet_label(sid);
        let table = route
            .table
            .id
            .map(|t| m.route_tables[t].meta.display().to_string())
            .unwrap_or_default();
        out.push(
            Violation::new(format!(
                "route `{table}/{}` sends 0.0.0.0/0 from Application Gateway `{}`'s subnet {label} to {towards}",
                route.meta.display(),
                svc.meta.display()
            ))
            .subject(format!("subnet:{label}:appgw-default-route"))
            .primary(route.prefix.origin, format!("0.0.0.0/0 to {towards} is not supported for a v2 gateway with a public frontend"))
            .secondary(svc.meta.label_origin(), "an Application Gateway v2 with a public frontend")
            .note("the gateway's control traffic and the replies to its Internet clients must leave directly to the Internet: Azure does not support forcing them through an appliance, a hub or on-premises (only a private deployment without a public frontend allows it)")
            .help("remove the 0.0.0.0/0 route from this subnet's table; route only the specific prefixes that must pass the firewall (the backends' ranges), with a route back through it on their side"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn application_gateway_v2_skus() {
        for s in ["Standard_v2", "WAF_v2", "Basic", "standard_v2"] {
            assert!(super::is_v2(s), "{s}");
        }
        for s in ["Standard_Small", "WAF_Medium", "Standard_Large"] {
            assert!(!super::is_v2(s), "{s}");
        }
    }
}
