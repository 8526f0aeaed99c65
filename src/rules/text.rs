//! Shared wording: flows and paths in words, for every rule.

use crate::analysis::routes::Dest;
use crate::analysis::trace::Trace;
use crate::analysis::{words, Analysis};
use crate::diag::Diagnostic;
use crate::ir::*;

/// `vnet/subnet (prefix)`.
pub fn subnet(a: &Analysis, s: SubnetId) -> String {
    let p = a.model.subnet_prefixes(s);
    match p.first() {
        Some(p) => format!("{} ({p})", a.model.subnet_label(s)),
        None => a.model.subnet_label(s),
    }
}

pub fn onprem(d: Dest) -> String {
    match d {
        Dest::Net(n) => format!("on-prem {n}"),
        Dest::OnPremUnknown => "on-prem (prefixes learned by BGP, not declared)".into(),
    }
}

/// Records a traced flow on a finding: the flow in words, both directions as text and
/// their hops with the declarations that decided them.
pub fn with_flow(
    d: Diagnostic,
    a: &Analysis,
    flow: String,
    forward: &Trace,
    reverse: Option<&Trace>,
) -> Diagnostic {
    d.flow(
        flow,
        words::path(a, forward),
        reverse.map(|r| words::path(a, r)),
    )
    .steps(
        words::steps(a, forward),
        reverse.map(|r| words::steps(a, r)).unwrap_or_default(),
    )
}
