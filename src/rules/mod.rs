//! Rules: one file each, with a stable code, a kebab-case name, a default severity, and a
//! doc in `rules/RLxxx.md` (printed by `routelint explain`).
//!
//! **Invariant:** rules read only the IR and the analysis (effective routes, two-way
//! traces) handed to them; they never re-derive routing and never see syntax.

pub mod fix;
pub mod rl001_return_path_bypasses_firewall;
pub mod rl002_spoke_to_spoke_unroutable;
pub mod rl003_inbound_public_behind_firewall_route;
pub mod text;

use crate::analysis::Analysis;
use crate::diag::{Diagnostic, Severity};

/// A rule's metadata, declared once in its file.
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule's documentation (`rules/RLxxx.md`).
    pub doc: &'static str,
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Analysis) -> Vec<Diagnostic>,
}

/// Every rule, in code order.
pub fn all() -> Vec<Rule> {
    vec![
        Rule {
            meta: rl001_return_path_bypasses_firewall::META,
            check: rl001_return_path_bypasses_firewall::check,
        },
        Rule {
            meta: rl002_spoke_to_spoke_unroutable::META,
            check: rl002_spoke_to_spoke_unroutable::check,
        },
        Rule {
            meta: rl003_inbound_public_behind_firewall_route::META,
            check: rl003_inbound_public_behind_firewall_route::check,
        },
    ]
}

/// Finds a rule by code (`RL001`) or name (`return-path-bypasses-firewall`).
pub fn find(sel: &str) -> Option<Rule> {
    all()
        .into_iter()
        .find(|r| r.meta.code.eq_ignore_ascii_case(sel) || r.meta.name == sel)
}

/// Runs the rules `enabled` accepts on one analysed model (a rule left out computes
/// nothing: each family of traced flows belongs to one rule).
pub fn run(a: &Analysis, enabled: impl Fn(&RuleMeta) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in all().into_iter().filter(|r| enabled(&r.meta)) {
        for mut d in (r.check)(a) {
            d.code = r.meta.code.to_string();
            d.name = r.meta.name.to_string();
            d.severity = r.meta.severity;
            out.push(d);
        }
    }
    out.extend(notes(a));
    out
}

/// Info notes: what the analysis could not see.
fn notes(a: &Analysis) -> Vec<Diagnostic> {
    use crate::diag::codes;
    let mut out = Vec::new();
    for n in &a.model.not_analysed {
        out.push(
            Diagnostic::new(
                codes::NOT_ANALYSED,
                Severity::Info,
                format!("{} `{}` is not analysed", n.what, n.meta.display()),
            )
            .primary(n.meta.label_origin(), n.why.clone())
            .subject(n.meta.key.clone()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let rules = all();
        for (i, r) in rules.iter().enumerate() {
            assert!(
                r.meta.code.starts_with("RL") && r.meta.code.len() == 5,
                "{}",
                r.meta.code
            );
            assert!(r
                .meta
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(
                r.meta
                    .doc
                    .starts_with(&format!("# {} `{}`", r.meta.code, r.meta.name)),
                "doc of {} must start with its code and name",
                r.meta.code
            );
            for h in ["## What it does", "## Why", "## Example", "## Fix"] {
                assert!(r.meta.doc.contains(h), "doc of {} lacks `{h}`", r.meta.code);
            }
            for o in &rules[i + 1..] {
                assert_ne!(r.meta.code, o.meta.code);
                assert_ne!(r.meta.name, o.meta.name);
            }
        }
    }
}
