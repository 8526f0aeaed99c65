//! Evaluated values -> IR values, the same for both front ends: why a value cannot be used, an
//! address prefix, a list of prefixes or strings, and an IP address (a literal, or the private
//! IP of an element the IR resolves). Only the vocabulary of computed attributes differs
//! between Terraform and ARM; each front end passes its own to [`ip_ref`].

use super::value::{SymRef, Value};
use crate::ir::{IpRef, Link, Prefix, Target};
use crate::source::Origin;
use std::net::Ipv4Addr;

/// Why `v` cannot be used where a plain value is expected.
pub fn why(v: &Value) -> String {
    v.find_unknown()
        .unwrap_or_else(|| format!("a {} is not expected here", v.type_name()))
}

/// A string holding a value chosen at deployment (the ARM front end's `{parameterName}`
/// placeholders): not known, and not a malformed literal either.
fn deployment_placeholder(s: &str) -> Option<String> {
    (s.contains('{') && s.contains('}')).then(|| format!("`{s}` is chosen at deployment"))
}

pub fn prefix(v: &Value) -> Prefix {
    match v {
        Value::String(s) => match deployment_placeholder(s) {
            Some(reason) => Prefix::Unknown(reason),
            None => Prefix::parse(s),
        },
        other => Prefix::Unknown(why(other)),
    }
}

/// A list of prefixes, or a single one; nothing when unset or null.
pub fn prefixes(v: Option<&Value>) -> Vec<Prefix> {
    match v {
        Some(Value::List(l)) => l.iter().map(prefix).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(x) => vec![prefix(x)],
    }
}

/// A list of strings, or a single one; values that are not strings are left out.
pub fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(l)) => l.iter().filter_map(|x| x.to_tf_string()).collect(),
        Some(x) => x.to_tf_string().into_iter().collect(),
        None => Vec::new(),
    }
}

/// A list of strings, or a single one; `None` when any item is not a known string (so a
/// caller can tell "these" from "these and some not known").
pub fn strings_exact(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::List(l)) => l.iter().map(|x| x.to_tf_string()).collect(),
        Some(x) => x.to_tf_string().map(|s| vec![s]),
    }
}

/// `[i]` when a reference's path indexes the attribute `attr` (`frontend_ip_configuration[1]`).
pub fn indexed_after(r: &SymRef, attr: &str) -> Option<String> {
    use crate::frontend::value::PathSeg;
    let at = r
        .path
        .iter()
        .position(|p| matches!(p, PathSeg::Attr(a) if a.eq_ignore_ascii_case(attr)))?;
    match r.path.get(at + 1) {
        Some(PathSeg::Index(i)) => Some(format!("[{i}]")),
        _ => None,
    }
}

/// A whole number in `0..=u32::MAX` (an NSG priority, a port), else `None`.
pub fn small_whole(v: Option<&Value>) -> Option<u32> {
    let n = match v? {
        Value::Number(n) => *n,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (n.is_finite() && n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n)).then_some(n as u32)
}

/// Whether a list of references (application security group ids) names anything.
pub fn names_any(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::List(l)) => !l.is_empty(),
        Some(_) => true,
    }
}

/// An IP address: a literal, or, for a computed attribute, what `private_ip` makes of the
/// reference (given a link to the element it names); anything else is unknown, with the reason.
pub fn ip_ref(v: &Value, private_ip: impl FnOnce(&SymRef, Link) -> Option<IpRef>) -> IpRef {
    match v {
        Value::String(s) => match s.trim().parse::<Ipv4Addr>() {
            Ok(ip) => IpRef::Literal { ip },
            Err(_) => IpRef::Unknown {
                reason: deployment_placeholder(s)
                    .unwrap_or_else(|| format!("`{s}` {}", crate::ir::NOT_AN_IP)),
            },
        },
        Value::Ref(r) => {
            let link = Link::new(Target::Key(r.addr.clone()), Origin::default());
            private_ip(r, link).unwrap_or_else(|| IpRef::Unknown {
                reason: format!("`{}` is computed by Azure", r.describe()),
            })
        }
        other => IpRef::Unknown { reason: why(other) },
    }
}

/// Whether a private endpoint network policies value (`Disabled`, `Enabled`,
/// `NetworkSecurityGroupEnabled`, `RouteTableEnabled`) makes route tables apply to the
/// subnet's private endpoints.
pub fn endpoint_route_tables_apply(policies: &str) -> bool {
    policies.eq_ignore_ascii_case("Enabled") || policies.eq_ignore_ascii_case("RouteTableEnabled")
}
