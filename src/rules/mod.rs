//! Rules: one file each, with a stable code, a kebab-case name, a default severity, and a
//! doc in `rules/RLxxx.md` (printed by `routelint explain`, the source of truth).
//!
//! A rule is declared once, as a `pub static RULE: Rule` in its file, and listed once in
//! [`RULES`]. It reads a [`RuleContext`] (the analysis, with each family of traced flows
//! computed once) and returns [`Violation`]s; the runner adds code, name and severity, and
//! front ends write the fixes (`FixIntent`s) in their own syntax.
//!
//! **Invariant:** rules read only the IR and the analysis; they never re-derive routing
//! and never see syntax.

pub mod context;
pub mod rl001_return_path_bypasses_firewall;
pub mod rl002_spoke_to_spoke_unroutable;
pub mod rl003_inbound_public_behind_firewall_route;
pub mod rl004_next_hop_not_an_appliance;
pub mod rl005_appliance_without_ip_forwarding;
pub mod rl006_next_hop_unreachable;
pub mod rl007_gateway_subnet_unsupported_config;
pub mod rl008_firewall_subnet_routing;
pub mod rl009_unsupported_subnet_route_table;
pub mod rl010_peering_one_sided;
pub mod rl011_peering_transit_mismatch;
pub mod rl012_forwarded_traffic_blocked;
pub mod rl013_address_overlap;
pub mod rl014_summary_route_loses_to_peering;
pub mod rl015_route_shadowed;
pub mod rl016_invalid_route;
pub mod rl017_subnet_too_small;
pub mod rl018_dnat_target_blocked_by_nsg;
pub mod rl019_forced_tunnel_without_management_nic;
pub mod rl020_routing_loop;
pub mod rl021_hardcoded_firewall_ip;
pub mod rl022_unanalysed_virtual_wan;
pub mod rl023_default_route_blackhole;
pub mod rl024_invalid_address_prefix;
pub mod rl025_private_endpoint_flow_broken;
pub mod text;
pub mod violation;

pub use context::{NotChecked, RuleContext};
pub use violation::{Help, HelpPart, Traced, Violation};

use crate::diag::Severity;

/// A front end a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontEnd {
    Terraform,
    Arm,
}

impl FrontEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            FrontEnd::Terraform => "Terraform",
            FrontEnd::Arm => "ARM",
        }
    }
}

/// Both front ends.
pub const BOTH: &[FrontEnd] = &[FrontEnd::Terraform, FrontEnd::Arm];

/// Whether a rule's findings carry edits (ruff's fix availability).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    /// Where the change is mechanical and the text is a literal the edit can be placed in.
    Sometimes,
    Always,
}

/// A rule's metadata, declared once in its file.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The routelint version the rule appeared in.
    pub since: &'static str,
    pub front_ends: &'static [FrontEnd],
    pub fix: FixAvailability,
    /// The rule's documentation (`rules/RLxxx.md`).
    pub doc: &'static str,
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&RuleContext) -> Vec<Violation>,
}

/// Every rule, in code order: the one registry.
pub static RULES: &[&Rule] = &[
    &rl001_return_path_bypasses_firewall::RULE,
    &rl002_spoke_to_spoke_unroutable::RULE,
    &rl003_inbound_public_behind_firewall_route::RULE,
    &rl004_next_hop_not_an_appliance::RULE,
    &rl005_appliance_without_ip_forwarding::RULE,
    &rl006_next_hop_unreachable::RULE,
    &rl007_gateway_subnet_unsupported_config::RULE,
    &rl008_firewall_subnet_routing::RULE,
    &rl009_unsupported_subnet_route_table::RULE,
    &rl010_peering_one_sided::RULE,
    &rl011_peering_transit_mismatch::RULE,
    &rl012_forwarded_traffic_blocked::RULE,
    &rl013_address_overlap::RULE,
    &rl014_summary_route_loses_to_peering::RULE,
    &rl015_route_shadowed::RULE,
    &rl016_invalid_route::RULE,
    &rl017_subnet_too_small::RULE,
    &rl018_dnat_target_blocked_by_nsg::RULE,
    &rl019_forced_tunnel_without_management_nic::RULE,
    &rl020_routing_loop::RULE,
    &rl021_hardcoded_firewall_ip::RULE,
    &rl022_unanalysed_virtual_wan::RULE,
    &rl023_default_route_blackhole::RULE,
    &rl024_invalid_address_prefix::RULE,
    &rl025_private_endpoint_flow_broken::RULE,
];

/// Every rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    RULES
}

/// Finds a rule by code (`RL001`) or name (`return-path-bypasses-firewall`).
pub fn find(sel: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta.code.eq_ignore_ascii_case(sel) || r.meta.name == sel)
}

/// Runs the rules `enabled` accepts on one analysed model. A rule left out computes
/// nothing: the flow families it would ask for are never traced.
pub fn run(
    ctx: &RuleContext,
    enabled: impl Fn(&RuleMeta) -> bool,
) -> Vec<(&'static RuleMeta, Violation)> {
    // Rules run in parallel (each family of flows is still traced once: the first rule to
    // ask traces it, the others wait for it); violations come out in the rules' order.
    use rayon::prelude::*;
    let rules: Vec<&Rule> = RULES.iter().copied().filter(|r| enabled(&r.meta)).collect();
    let found: Vec<Vec<Violation>> = rules.par_iter().map(|r| (r.check)(ctx)).collect();
    rules
        .iter()
        .zip(found)
        .flat_map(|(r, vs)| vs.into_iter().map(move |v| (&r.meta, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        for (i, r) in RULES.iter().enumerate() {
            let m = &r.meta;
            assert!(m.code.starts_with("RL") && m.code.len() == 5, "{}", m.code);
            assert!(m.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(
                m.doc.starts_with(&format!("# {} `{}`", m.code, m.name)),
                "doc of {} must start with its code and name",
                m.code
            );
            for h in [
                "## What it does",
                "## Why",
                "## Example",
                "## Fix\n",
                "## Fixtures",
            ] {
                assert!(m.doc.contains(h), "doc of {} lacks `{}`", m.code, h.trim());
            }
            for o in &RULES[i + 1..] {
                assert_ne!(m.code, o.meta.code);
                assert_ne!(m.name, o.meta.name);
            }
            if i > 0 {
                assert!(RULES[i - 1].meta.code < m.code, "RULES is in code order");
            }
        }
    }

    /// The doc's header line says what the declaration says.
    #[test]
    fn doc_headers_agree_with_the_declarations() {
        for r in RULES {
            let m = &r.meta;
            let fronts: Vec<&str> = m.front_ends.iter().map(|f| f.as_str()).collect();
            let header = format!(
                "Default severity: **{}**. Front ends: {}.",
                m.severity.as_str(),
                fronts.join(", ")
            );
            let line = m.doc.lines().nth(2).unwrap_or("");
            assert_eq!(line, header, "third line of rules/{}.md", m.code);
        }
    }

    /// The README's rule table lists every rule with its name and severity, in code order.
    #[test]
    fn readme_rule_table_agrees_with_the_declarations() {
        let readme = include_str!("../../README.md");
        let rows: Vec<Vec<&str>> = readme
            .lines()
            .filter(|l| l.starts_with("| RL"))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        assert_eq!(rows.len(), RULES.len(), "one README row per rule");
        for (row, r) in rows.iter().zip(RULES) {
            assert_eq!(row[0], r.meta.code);
            assert_eq!(row[1], format!("`{}`", r.meta.name));
            assert_eq!(
                row[2],
                r.meta.severity.as_str(),
                "severity of {}",
                r.meta.code
            );
        }
    }
}
