//! The ARM template function libraries, as tables: each library lists its functions and
//! one implementation that dispatches on the name. `eval` handles the special forms
//! (`if`, lambdas, `copyIndex`, `parameters`, `variables`, `reference`), which need the
//! evaluation context; everything here is a function of evaluated values.
//!
//! Libraries other than `deployment` and `tolerant` see only known arguments: an
//! argument that is not known makes the result not known, with the same reason.

use super::eval::{ci_get, equal, list_of, n_of, resource_id, s_of, to_json, R};
use crate::frontend::value::{first_unknown, Value};
use crate::source::Origin;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

type Func = fn(&str, &[Value], Origin) -> R;

/// A position from a number: negative or not a number is 0; never larger than a `usize`.
fn index(x: f64) -> usize {
    if x.is_finite() && x > 0.0 {
        x as usize
    } else {
        0
    }
}

/// (library, its functions (lower case), its implementation), in look-up order.
pub static LIBRARIES: &[(&str, &[&str], Func, bool)] = &[
    (
        "deployment",
        &[
            "resourceid",
            "subscriptionresourceid",
            "tenantresourceid",
            "extensionresourceid",
            "resourcegroup",
            "subscription",
            "uniquestring",
            "guid",
            "deployment",
            "environment",
            "tenant",
            "managementgroup",
            "utcnow",
            "newguid",
            "listkeys",
        ],
        deployment,
        false,
    ),
    (
        "tolerant",
        &[
            "length",
            "createarray",
            "array",
            "createobject",
            "coalesce",
            "trueval",
            "true",
            "false",
            "null",
            "json",
            "union",
            "shallowmerge",
            "concat",
            "empty",
            "items",
            "objectkeys",
            "first",
            "last",
            "take",
            "skip",
            "flatten",
            "contains",
            "tryget",
        ],
        tolerant,
        false,
    ),
    (
        "strings",
        &[
            "format",
            "split",
            "join",
            "replace",
            "tolower",
            "toupper",
            "trim",
            "startswith",
            "endswith",
            "indexof",
            "lastindexof",
            "substring",
            "padleft",
            "string",
        ],
        strings,
        true,
    ),
    (
        "logic",
        &[
            "equals",
            "not",
            "and",
            "or",
            "less",
            "lessorequals",
            "greater",
            "greaterorequals",
            "add",
            "sub",
            "mul",
            "div",
            "mod",
            "min",
            "max",
            "range",
            "int",
            "float",
            "bool",
        ],
        logic,
        true,
    ),
    ("collections", &["intersection"], collections, true),
    ("cidr", &["cidrsubnet", "cidrhost", "parsecidr"], cidr, true),
];

/// The placeholders that stand for a value only a deployment knows but whose shape is
/// known (an id's segments, a name without `/`): `resourceGroup().id` splits into the
/// right segments. Any other `{x}` is an unset string parameter, whose text is unknown.
const SHAPED_PLACEHOLDERS: &[&str] = &[
    "subscriptionid",
    "resourcegroupname",
    "resourcegrouplocation",
    "tenantid",
    "deploymentname",
];

/// The first placeholder in `s` whose text, not just its value, is unknown: an unset
/// string parameter `{name}` (see `eval::Tpl` parameters) may be an id with `/` in it.
fn opaque_placeholder(s: &str) -> Option<&str> {
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { break };
        let inner = &after[..j];
        let lower = inner.to_ascii_lowercase();
        let shaped = SHAPED_PLACEHOLDERS.contains(&lower.as_str())
            || lower.starts_with("uniquestring:")
            || lower.starts_with("guid:");
        if !shaped && !inner.is_empty() {
            return Some(inner);
        }
        rest = &after[j + 1..];
    }
    None
}

/// Functions that look inside a string's text (its length, characters, separators).
const TEXT_INSPECTING: &[&str] = &[
    "split",
    "substring",
    "indexof",
    "lastindexof",
    "length",
    "first",
    "last",
    "take",
    "skip",
    "startswith",
    "endswith",
    "contains",
    "empty",
];

/// Calls a function by its lower-case name; `None` when no library has it.
pub fn call(name: &str, vals: &[Value], origin: Origin) -> Option<R> {
    let (_, _, f, needs_known) = LIBRARIES
        .iter()
        .find(|(_, names, _, _)| names.contains(&name))?;
    // An unset parameter's text is not known: `split(parameters('hubVnetId'), '/')[4]`
    // is Unknown, not "index out of range" on the one-element split of a placeholder.
    if TEXT_INSPECTING.contains(&name) {
        if let Some(Value::String(s)) = vals.first() {
            if let Some(p) = opaque_placeholder(s) {
                let found = matches!(name, "startswith" | "endswith" | "contains")
                    && f(name, vals, origin).is_ok_and(|v| matches!(v, Value::Bool(true)));
                if !found {
                    return Some(Ok(Value::unknown(
                        format!("`{{{p}}}` is a parameter without a value: its text is not known (give it in a parameters file)"),
                        origin,
                    )));
                }
            }
        }
    }
    if *needs_known {
        if let Some(r) = first_unknown(vals) {
            return Some(Ok(Value::unknown(r, origin)));
        }
    }
    Some(f(name, vals, origin))
}

/// Collection functions that tolerate unknown elements (`length` of a list of unknowns is known).
fn tolerant(name: &str, vals: &[Value], origin: Origin) -> R {
    let unk = |r: String| Ok(Value::unknown(r, origin));
    match name {
        "length" => match vals.first() {
            Some(Value::List(l)) => Ok(Value::Number(l.len() as f64)),
            Some(Value::Map(m)) => Ok(Value::Number(m.len() as f64)),
            Some(Value::String(s)) => Ok(Value::Number(s.chars().count() as f64)),
            Some(x) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
            _ => Err("length() of an unsupported value".into()),
        },
        "createarray" | "array" => {
            if name == "array" {
                if let Some(Value::List(_)) = vals.first() {
                    return Ok(vals[0].clone());
                }
            }
            Ok(Value::list(vals.to_vec()))
        }
        "createobject" => {
            let mut m = BTreeMap::new();
            for pair in vals.chunks(2) {
                if pair.len() == 2 {
                    m.insert(s_of(&pair[0], name)?, pair[1].clone());
                }
            }
            Ok(Value::map(m))
        }
        "coalesce" => {
            for v in vals {
                match v {
                    Value::Null => continue,
                    x if x.is_unknown() => return unk(x.find_unknown().unwrap_or_default()),
                    x => return Ok(x.clone()),
                }
            }
            Ok(Value::Null)
        }
        "trueval" | "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        "null" => Ok(Value::Null),
        "json" => {
            let s = s_of(vals.first().ok_or("json() needs a string")?, name)?;
            serde_json::from_str::<serde_json::Value>(&s)
                .map(|j| Value::from_json(&j))
                .map_err(|e| format!("json(): {e}"))
        }
        "union" | "shallowmerge" => {
            if let Some(r) = first_unknown(vals) {
                return unk(r);
            }
            let items: Vec<Value> = if name == "shallowmerge" {
                list_of(vals.first().ok_or("missing")?, name)?.to_vec()
            } else {
                vals.to_vec()
            };
            if items.iter().all(|v| matches!(v, Value::Map(_))) {
                let mut out: BTreeMap<String, Value> = BTreeMap::new();
                for v in &items {
                    if let Value::Map(m) = v {
                        for (k, x) in m.iter() {
                            let merged = match (out.get(k), x) {
                                (Some(Value::Map(a)), Value::Map(b)) if name == "union" => {
                                    let mut c = (**a).clone();
                                    c.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
                                    Value::map(c)
                                }
                                _ => x.clone(),
                            };
                            out.insert(k.clone(), merged);
                        }
                    }
                }
                return Ok(Value::map(out));
            }
            let mut out: Vec<Value> = Vec::new();
            for v in &items {
                for x in list_of(v, name)? {
                    if !out.iter().any(|y| equal(x, y) == Some(true)) {
                        out.push(x.clone());
                    }
                }
            }
            Ok(Value::list(out))
        }
        "concat" => {
            if vals.iter().all(|v| matches!(v, Value::List(_))) && !vals.is_empty() {
                let mut out = Vec::new();
                for v in vals {
                    out.extend(list_of(v, name)?.iter().cloned());
                }
                return Ok(Value::list(out));
            }
            if let Some(r) = first_unknown(vals) {
                return unk(r);
            }
            let mut s = String::new();
            for v in vals {
                s.push_str(&s_of(v, name)?);
            }
            Ok(Value::String(s))
        }
        "empty" => match vals.first() {
            Some(Value::Null) => Ok(Value::Bool(true)),
            Some(Value::List(l)) => Ok(Value::Bool(l.is_empty())),
            Some(Value::Map(m)) => Ok(Value::Bool(m.is_empty())),
            Some(Value::String(s)) => Ok(Value::Bool(s.is_empty())),
            Some(x) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
            _ => Ok(Value::Bool(false)),
        },
        "items" => match vals.first() {
            Some(Value::Map(m)) => Ok(Value::list(
                m.iter()
                    .map(|(k, v)| {
                        let mut o = BTreeMap::new();
                        o.insert("key".to_string(), Value::str(k.clone()));
                        o.insert("value".to_string(), v.clone());
                        Value::map(o)
                    })
                    .collect(),
            )),
            Some(x) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
            _ => Err("items() needs an object".into()),
        },
        "objectkeys" => match vals.first() {
            Some(Value::Map(m)) => Ok(Value::list(
                m.keys().map(|k| Value::str(k.clone())).collect(),
            )),
            Some(x) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
            _ => Err("objectKeys() needs an object".into()),
        },
        "first" | "last" => match vals.first() {
            Some(Value::List(l)) => Ok(if name == "first" { l.first() } else { l.last() }
                .cloned()
                .unwrap_or(Value::Null)),
            Some(Value::String(s)) => Ok(Value::String(
                if name == "first" {
                    s.chars().next()
                } else {
                    s.chars().last()
                }
                .map(|c| c.to_string())
                .unwrap_or_default(),
            )),
            Some(x) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
            _ => Err(format!("{name}() needs an array or string")),
        },
        "take" | "skip" => {
            let n = index(n_of(vals.get(1).ok_or("missing count")?, name)?);
            match vals.first() {
                Some(Value::List(l)) => {
                    let n = n.min(l.len());
                    Ok(Value::list(if name == "take" {
                        l[..n].to_vec()
                    } else {
                        l[n..].to_vec()
                    }))
                }
                Some(Value::String(s)) => {
                    let c: Vec<char> = s.chars().collect();
                    let n = n.min(c.len());
                    Ok(Value::String(if name == "take" {
                        c[..n].iter().collect()
                    } else {
                        c[n..].iter().collect()
                    }))
                }
                Some(x) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
                _ => Err(format!("{name}() needs an array or string")),
            }
        }
        "flatten" => {
            let mut out = Vec::new();
            for x in list_of(vals.first().ok_or("missing")?, name)? {
                match x {
                    Value::List(l) => out.extend(l.iter().cloned()),
                    other => out.push(other.clone()),
                }
            }
            Ok(Value::list(out))
        }
        "contains" => {
            let (c, x) = (
                vals.first().ok_or("missing")?,
                vals.get(1).ok_or("missing")?,
            );
            if let Some(r) = first_unknown(&[c.clone(), x.clone()]) {
                return unk(r);
            }
            Ok(Value::Bool(match c {
                Value::List(l) => l.iter().any(|y| equal(x, y) == Some(true)),
                Value::Map(m) => ci_get(m, &s_of(x, name)?).is_some(),
                Value::String(s) => s.contains(&s_of(x, name)?),
                _ => return Err("contains() needs an array, object or string".into()),
            }))
        }
        "tryget" => {
            let mut v = vals.first().cloned().unwrap_or(Value::Null);
            for k in vals.get(1..).unwrap_or(&[]) {
                v = match (&v, k) {
                    (Value::Map(m), k) => ci_get(m, &k.to_tf_string().unwrap_or_default())
                        .cloned()
                        .unwrap_or(Value::Null),
                    (Value::List(l), Value::Number(n)) => {
                        l.get(*n as usize).cloned().unwrap_or(Value::Null)
                    }
                    (x, _) if x.is_unknown() => return Ok(v.clone()),
                    _ => Value::Null,
                };
            }
            Ok(v)
        }
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

/// Deployment functions: resource ids, and the values only a deployment knows (stable placeholders or Unknown, never a guess).
fn deployment(name: &str, vals: &[Value], origin: Origin) -> R {
    let unk = |r: String| Ok(Value::unknown(r, origin));
    match name {
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" | "extensionresourceid" => {
            if let Some(r) = first_unknown(vals) {
                return unk(r);
            }
            let strs: Vec<String> = vals
                .iter()
                .map(|v| s_of(v, name))
                .collect::<Result<_, _>>()?;
            resource_id(name, &strs).map(Value::String)
        }
        "resourcegroup" => {
            // Symbolic placeholders: stable strings, so names and ids built from them
            // still match each other, without guessing their deployed values.
            let mut m = BTreeMap::new();
            m.insert(
                "id".into(),
                Value::str("/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"),
            );
            m.insert("name".into(), Value::str("{resourceGroupName}"));
            m.insert("location".into(), Value::str("{resourceGroupLocation}"));
            Ok(Value::map(m))
        }
        "subscription" => {
            let mut m = BTreeMap::new();
            m.insert("id".into(), Value::str("/subscriptions/{subscriptionId}"));
            m.insert("subscriptionId".into(), Value::str("{subscriptionId}"));
            m.insert("tenantId".into(), Value::str("{tenantId}"));
            Ok(Value::map(m))
        }
        "uniquestring" | "guid" => {
            // Deterministic in its arguments: a stable symbol per argument list.
            let text: Vec<String> = vals
                .iter()
                .map(|v| {
                    v.to_tf_string()
                        .unwrap_or_else(|| v.find_unknown().unwrap_or_default())
                })
                .collect();
            let mut h: u32 = 0x811c9dc5;
            for b in text.join("\u{1}").bytes() {
                h ^= b as u32;
                h = h.wrapping_mul(0x01000193);
            }
            let label = if name == "guid" {
                "guid"
            } else {
                "uniqueString"
            };
            Ok(Value::String(format!("{{{label}:{:06x}}}", h & 0xffffff)))
        }
        "deployment" => {
            let mut m = BTreeMap::new();
            m.insert("name".into(), Value::str("{deploymentName}"));
            Ok(Value::map(m))
        }
        "environment"
        | "tenant"
        | "managementgroup"
        | "utcnow"
        | "newguid"
        | "listkeys"
        | "listsecrets"
        | "list"
        | "listaccountsas"
        | "pickzones"
        | "base64"
        | "base64tostring"
        | "datauri"
        | "datauritostring"
        | "uri"
        | "uricomponent"
        | "uricomponenttostring"
        | "datetimeadd"
        | "datetimefromepoch"
        | "datetimetoepoch"
        | "externalinput"
        | "getsecret" => unk(format!("`{name}()` is only known at deployment")),
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

/// Strings: format, split, join, case, trim, search, substrings, conversion.
fn strings(name: &str, vals: &[Value], origin: Origin) -> R {
    let unk = |r: String| Ok(Value::unknown(r, origin));
    let arg = |i: usize| {
        vals.get(i)
            .ok_or_else(|| format!("{name}() needs more arguments"))
    };
    match name {
        "format" => {
            let f = s_of(arg(0)?, name)?;
            let mut out = String::new();
            let mut chars = f.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '{' {
                    if chars.peek() == Some(&'{') {
                        chars.next();
                        out.push('{');
                        continue;
                    }
                    let mut spec = String::new();
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        spec.push(d);
                    }
                    let idx: usize = spec
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .parse()
                        .map_err(|_| format!("format(): bad placeholder {{{spec}}}"))?;
                    out.push_str(&s_of(
                        vals.get(idx + 1).ok_or("format(): not enough arguments")?,
                        name,
                    )?);
                } else if c == '}' && chars.peek() == Some(&'}') {
                    chars.next();
                    out.push('}');
                } else {
                    out.push(c);
                }
            }
            Ok(Value::String(out))
        }
        "split" => {
            let s = s_of(arg(0)?, name)?;
            let seps: Vec<String> = match arg(1)? {
                Value::List(l) => l.iter().map(|x| s_of(x, name)).collect::<Result<_, _>>()?,
                other => vec![s_of(other, name)?],
            };
            let mut parts = vec![s];
            for sep in &seps {
                parts = parts
                    .iter()
                    .flat_map(|p| {
                        p.split(sep.as_str())
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect();
            }
            Ok(Value::list(parts.into_iter().map(Value::String).collect()))
        }
        "join" => {
            let l = list_of(arg(0)?, name)?;
            let sep = s_of(arg(1)?, name)?;
            let parts: Vec<String> = l.iter().map(|x| s_of(x, name)).collect::<Result<_, _>>()?;
            Ok(Value::String(parts.join(&sep)))
        }
        "replace" => Ok(Value::String(
            s_of(arg(0)?, name)?.replace(&s_of(arg(1)?, name)?, &s_of(arg(2)?, name)?),
        )),
        "tolower" => Ok(Value::String(s_of(arg(0)?, name)?.to_lowercase())),
        "toupper" => Ok(Value::String(s_of(arg(0)?, name)?.to_uppercase())),
        "trim" => Ok(Value::String(s_of(arg(0)?, name)?.trim().to_string())),
        "startswith" => Ok(Value::Bool(
            s_of(arg(0)?, name)?
                .to_lowercase()
                .starts_with(&s_of(arg(1)?, name)?.to_lowercase()),
        )),
        "endswith" => Ok(Value::Bool(
            s_of(arg(0)?, name)?
                .to_lowercase()
                .ends_with(&s_of(arg(1)?, name)?.to_lowercase()),
        )),
        "indexof" | "lastindexof" => {
            let (s, x) = (
                s_of(arg(0)?, name)?.to_lowercase(),
                s_of(arg(1)?, name)?.to_lowercase(),
            );
            let i = if name == "indexof" {
                s.find(&x)
            } else {
                s.rfind(&x)
            };
            Ok(Value::Number(
                i.map(|i| s[..i].chars().count() as f64).unwrap_or(-1.0),
            ))
        }
        "substring" => {
            let c: Vec<char> = s_of(arg(0)?, name)?.chars().collect();
            let start = index(n_of(arg(1)?, name)?).min(c.len());
            let len = match vals.get(2) {
                Some(v) => index(n_of(v, name)?),
                None => c.len() - start,
            };
            Ok(Value::String(
                c[start..start.saturating_add(len).min(c.len())]
                    .iter()
                    .collect(),
            ))
        }
        "padleft" => {
            let s = s_of(arg(0)?, name)?;
            let w = crate::frontend::value::to_count(
                n_of(arg(1)?, name)?,
                crate::frontend::value::MAX_STRING,
                "padLeft() width",
            )?;
            let pad = vals
                .get(2)
                .map(|v| s_of(v, name))
                .transpose()?
                .and_then(|p| p.chars().next())
                .unwrap_or(' ');
            let n = s.chars().count();
            Ok(Value::String(if n >= w {
                s
            } else {
                pad.to_string().repeat(w - n) + &s
            }))
        }
        "string" => match arg(0)? {
            Value::String(s) => Ok(Value::String(s.clone())),
            Value::List(_) | Value::Map(_) => Ok(Value::String(to_json(arg(0)?).to_string())),
            other => Ok(Value::String(
                other.to_tf_string().unwrap_or_else(|| "null".into()),
            )),
        },
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

/// Logic, comparison and arithmetic.
fn logic(name: &str, vals: &[Value], origin: Origin) -> R {
    let unk = |r: String| Ok(Value::unknown(r, origin));
    let arg = |i: usize| {
        vals.get(i)
            .ok_or_else(|| format!("{name}() needs more arguments"))
    };
    match name {
        "equals" => match equal(arg(0)?, arg(1)?) {
            Some(b) => Ok(Value::Bool(b)),
            None => unk("a comparison with a value chosen at deployment".into()),
        },
        "not" => arg(0)?
            .as_bool()
            .map(|b| Value::Bool(!b))
            .ok_or_else(|| "not() needs a bool".into()),
        "and" | "or" => {
            let bs: Option<Vec<bool>> = vals.iter().map(Value::as_bool).collect();
            let bs = bs.ok_or(format!("{name}() needs bools"))?;
            Ok(Value::Bool(if name == "and" {
                bs.iter().all(|b| *b)
            } else {
                bs.iter().any(|b| *b)
            }))
        }
        "less" | "lessorequals" | "greater" | "greaterorequals" => {
            let (a, b) = (arg(0)?, arg(1)?);
            let ord = match (a, b) {
                (Value::String(x), Value::String(y)) => x.cmp(y),
                _ => n_of(a, name)?
                    .partial_cmp(&n_of(b, name)?)
                    .unwrap_or(std::cmp::Ordering::Equal),
            };
            use std::cmp::Ordering::*;
            Ok(Value::Bool(match name {
                "less" => ord == Less,
                "lessorequals" => ord != Greater,
                "greater" => ord == Greater,
                _ => ord != Less,
            }))
        }
        "add" => Ok(Value::Number(n_of(arg(0)?, name)? + n_of(arg(1)?, name)?)),
        "sub" => Ok(Value::Number(n_of(arg(0)?, name)? - n_of(arg(1)?, name)?)),
        "mul" => Ok(Value::Number(n_of(arg(0)?, name)? * n_of(arg(1)?, name)?)),
        "div" | "mod" => {
            let (a, b) = (n_of(arg(0)?, name)?, n_of(arg(1)?, name)?);
            if b == 0.0 {
                return Err(format!("{name}() by zero"));
            }
            Ok(Value::Number(if name == "div" {
                (a / b).trunc()
            } else {
                a % b
            }))
        }
        "min" | "max" => {
            let nums: Vec<f64> = match vals {
                [Value::List(l)] => l.iter().map(|x| n_of(x, name)).collect::<Result<_, _>>()?,
                _ => vals
                    .iter()
                    .map(|x| n_of(x, name))
                    .collect::<Result<_, _>>()?,
            };
            Ok(Value::Number(if name == "min" {
                nums.iter().cloned().fold(f64::INFINITY, f64::min)
            } else {
                nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            }))
        }
        "range" => {
            let (start, count) = (n_of(arg(0)?, name)?, n_of(arg(1)?, name)?);
            if !(0.0..=10000.0).contains(&count) {
                return Err("range(): count out of bounds".into());
            }
            Ok(Value::list(
                (0..count as usize)
                    .map(|i| Value::Number(start + i as f64))
                    .collect(),
            ))
        }
        "int" => Ok(Value::Number(n_of(arg(0)?, name)?.trunc())),
        "float" => Ok(Value::Number(n_of(arg(0)?, name)?)),
        "bool" => arg(0)?
            .as_bool()
            .or_else(|| {
                arg(0)
                    .ok()?
                    .as_str()
                    .map(|s| s.eq_ignore_ascii_case("true"))
            })
            .map(Value::Bool)
            .ok_or_else(|| "bool() needs a bool".into()),
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

/// Arrays and objects whose elements must all be known.
fn collections(name: &str, vals: &[Value], origin: Origin) -> R {
    let unk = |r: String| Ok(Value::unknown(r, origin));
    let arg = |i: usize| {
        vals.get(i)
            .ok_or_else(|| format!("{name}() needs more arguments"))
    };
    match name {
        "intersection" => {
            let first = list_of(arg(0)?, name)?;
            let out: Vec<Value> = first
                .iter()
                .filter(|x| {
                    vals[1..].iter().all(|v| {
                        v.as_list()
                            .is_some_and(|l| l.iter().any(|y| equal(x, y) == Some(true)))
                    })
                })
                .cloned()
                .collect();
            Ok(Value::list(out))
        }
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

/// CIDR functions (ARM semantics: `cidrSubnet` takes the new prefix length; `cidrHost` counts usable hosts from 0).
fn cidr(name: &str, vals: &[Value], origin: Origin) -> R {
    let unk = |r: String| Ok(Value::unknown(r, origin));
    let arg = |i: usize| {
        vals.get(i)
            .ok_or_else(|| format!("{name}() needs more arguments"))
    };
    match name {
        "cidrsubnet" => {
            let base: Ipv4Net = s_of(arg(0)?, name)?
                .parse()
                .map_err(|_| "cidrSubnet(): not an IPv4 CIDR".to_string())?;
            let new_len = n_of(arg(1)?, name)? as u64;
            let idx = n_of(arg(2)?, name)? as u64;
            if new_len < base.prefix_len() as u64 {
                return Err("cidrSubnet(): the new CIDR is shorter than the network's".into());
            }
            crate::frontend::cidr::subnet(base, new_len - base.prefix_len() as u64, idx)
                .map(|n| Value::String(n.to_string()))
                .map_err(|e| format!("cidrSubnet(): {e}"))
        }
        "cidrhost" => {
            let base: Ipv4Net = s_of(arg(0)?, name)?
                .parse()
                .map_err(|_| "cidrHost(): not an IPv4 CIDR".to_string())?;
            let idx = n_of(arg(1)?, name)? as i64;
            crate::frontend::cidr::host(base, idx.saturating_add(1))
                .map(|a| Value::String(a.to_string()))
                .map_err(|e| format!("cidrHost(): {e}"))
        }
        "parsecidr" => {
            let base: Ipv4Net = s_of(arg(0)?, name)?
                .parse()
                .map_err(|_| "parseCidr(): not an IPv4 CIDR".to_string())?;
            let mut m = BTreeMap::new();
            m.insert("network".into(), Value::String(base.network().to_string()));
            m.insert("netmask".into(), Value::String(base.netmask().to_string()));
            m.insert(
                "broadcast".into(),
                Value::String(base.broadcast().to_string()),
            );
            let (first, last) = crate::frontend::cidr::usable(base);
            m.insert("firstUsable".into(), Value::String(first.to_string()));
            m.insert("lastUsable".into(), Value::String(last.to_string()));
            m.insert("cidr".into(), Value::Number(base.prefix_len() as f64));
            Ok(Value::map(m))
        }
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_in_one_library() {
        let mut seen: Vec<&str> = Vec::new();
        for (lib, names, _, _) in LIBRARIES {
            for n in names.iter() {
                assert!(!seen.contains(n), "`{n}` is listed twice (again in {lib})");
                assert_eq!(*n, n.to_ascii_lowercase(), "names are lower case");
                seen.push(n);
            }
        }
        assert!(seen.len() > 70, "{} functions", seen.len());
        assert!(call("nosuchfunction", &[], Origin::default()).is_none());
    }

    /// Any function with any number and kind of arguments returns a value or an error,
    /// never a panic or a huge allocation.
    #[test]
    fn no_function_panics_on_any_arguments() {
        let samples = [
            Value::str("abc"),
            Value::Number(1e19),
            Value::Number(18446744073709551615.0),
            Value::Number(-1.0),
            Value::Number(f64::NAN),
            Value::Bool(true),
            Value::Null,
            Value::list(vec![Value::str("b"), Value::Number(2.0)]),
            Value::map(BTreeMap::new()),
        ];
        let mut panics = Vec::new();
        for (_, names, _, _) in LIBRARIES {
            for n in names.iter() {
                let mut argsets: Vec<Vec<Value>> = vec![Vec::new()];
                for a in &samples {
                    argsets.push(vec![a.clone()]);
                    for b in &samples {
                        argsets.push(vec![a.clone(), b.clone()]);
                        for c in &samples[..3] {
                            argsets.push(vec![a.clone(), b.clone(), c.clone()]);
                        }
                    }
                }
                for args in argsets {
                    let shown = format!("{n}({args:?})");
                    if std::panic::catch_unwind(|| call(n, &args, Origin::default())).is_err() {
                        panics.push(shown);
                        break;
                    }
                }
            }
        }
        assert!(panics.is_empty(), "panics: {panics:#?}");
    }
}
