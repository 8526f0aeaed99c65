//! `reference()` of a resource the template itself declares: a property the declaration
//! sets (a VNet's address space, a subnet's prefix) is that value, not a value "computed by
//! Azure". Only properties Azure computes (IP configurations' addresses, provisioning
//! state, anything the declaration leaves out) stay symbolic references.
//!
//! Run after evaluation, over every resource body: a `Ref` whose resource is declared here
//! (as a resource, or inline as a child item such as a VNet's `properties.subnets[]`) and
//! whose path the declaration sets to a value without references is replaced by that value.
//! References to references resolve over a few rounds.

use super::eval::{ci_get, ArmResource};
use crate::frontend::value::{PathSeg, SymRef, Value};
use foldhash::HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rounds of resolution: a reference to a value that is itself a reference resolves in the
/// next round.
const ROUNDS: usize = 4;

/// Paths that name addresses Azure assigns (or the IR models as "the private IP of"):
/// left symbolic even where the declaration writes a static address.
fn computed(path: &[PathSeg]) -> bool {
    path.iter().any(|p| match p {
        PathSeg::Attr(a) | PathSeg::Key(a) => {
            let a = a.to_ascii_lowercase();
            a == "ipconfigurations" || a == "frontendipconfigurations" || a == "privateipaddress"
        }
        PathSeg::Index(_) => false,
    })
}

/// The value at a path (`properties.subnets[0]`) inside a value, keys case-insensitive.
pub(super) fn descend<'a>(mut v: &'a Value, path: &[PathSeg]) -> Option<&'a Value> {
    for seg in path {
        v = match (seg, v) {
            (PathSeg::Attr(a) | PathSeg::Key(a), Value::Map(m)) => ci_get(m, a)?,
            (PathSeg::Index(i), Value::List(l)) => l.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn plain(v: &Value) -> bool {
    match v {
        Value::Ref(_) | Value::Unknown(_) | Value::Entity(_) => false,
        Value::List(l) => l.iter().all(plain),
        Value::Map(m) => m.values().all(plain),
        _ => true,
    }
}

/// Every declared body a provider key names: resources (one resource may be declared by
/// several nested deployments), else an inline child item (`…/virtualNetworks/hub/subnets/fw`
/// inside `hub`'s `properties.subnets`).
fn bodies_of<'a>(by_key: &Bodies<'a>, key: &str) -> Vec<&'a Value> {
    let lower = key.to_ascii_lowercase();
    if let Some(b) = by_key.get(lower.as_str()) {
        return b.clone();
    }
    by_key
        .iter()
        .filter_map(|(k, bs)| {
            let rest = lower.strip_prefix(*k)?.strip_prefix('/')?;
            Some(bs.iter().filter_map(move |b| child(b, rest)))
        })
        .flatten()
        .collect()
}

/// The inline child item at `type/name[/type/name…]` below a body.
fn child<'a>(body: &'a Value, rest: &str) -> Option<&'a Value> {
    let parts: Vec<&str> = rest.split('/').collect();
    let mut v = body;
    for pair in parts.chunks(2) {
        let [kind, name] = pair else { return None };
        let Value::List(items) = descend(
            v,
            &[
                PathSeg::Attr("properties".into()),
                PathSeg::Attr((*kind).into()),
            ],
        )?
        else {
            return None;
        };
        v = items.iter().find(|it| {
            matches!(descend(it, &[PathSeg::Attr("name".into())]), Some(Value::String(n)) if n.eq_ignore_ascii_case(name))
        })?;
    }
    Some(v)
}

type Bodies<'a> = HashMap<&'a str, Vec<&'a Value>>;

/// `v` with its references to declared values replaced, or `None` when none is (nothing
/// is copied for the values that do not change, which are nearly all).
fn resolve(v: &Value, by_key: &Bodies) -> Option<Value> {
    match v {
        Value::Ref(r) => lookup(r, by_key),
        Value::List(l) => {
            let mut out: Option<Vec<Value>> = None;
            for (i, x) in l.iter().enumerate() {
                if let Some(nx) = resolve(x, by_key) {
                    out.get_or_insert_with(|| l.to_vec())[i] = nx;
                }
            }
            out.map(|items| Value::List(Arc::new(items)))
        }
        Value::Map(m) => {
            let mut out: Option<BTreeMap<String, Value>> = None;
            for (k, x) in m.iter() {
                if let Some(nx) = resolve(x, by_key) {
                    out.get_or_insert_with(|| (**m).clone())
                        .insert(k.clone(), nx);
                }
            }
            out.map(|items| Value::Map(Arc::new(items)))
        }
        _ => None,
    }
}

fn lookup(r: &SymRef, by_key: &Bodies) -> Option<Value> {
    if computed(&r.path) {
        return None;
    }
    bodies_of(by_key, &r.addr)
        .into_iter()
        .filter_map(|b| descend(b, &r.path))
        .find(|v| plain(v))
        .cloned()
}

/// Replaces references to declared values in every resource body. Each round reads the
/// bodies as the round before left them; the bodies are resolved in parallel (resolving
/// one reads the others, never writes them).
pub fn resolve_declared(resources: &mut [ArmResource]) {
    use rayon::prelude::*;
    for _ in 0..ROUNDS {
        let bodies: Vec<(String, Value)> = resources
            .iter()
            .filter(|r| !r.existing)
            .map(|r| (r.key.to_ascii_lowercase(), r.body.clone()))
            .collect();
        let mut by_key: Bodies = HashMap::default();
        for (k, v) in &bodies {
            by_key.entry(k.as_str()).or_default().push(v);
        }
        let changed = resources
            .par_iter_mut()
            .map(|r| match resolve(&r.body, &by_key) {
                Some(b) => {
                    r.body = b;
                    true
                }
                None => false,
            })
            .reduce(|| false, |a, b| a || b);
        if !changed {
            break;
        }
    }
}
