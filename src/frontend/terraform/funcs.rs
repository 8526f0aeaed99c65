//! Terraform built-in functions that network configurations use.
//!
//! A function given a value that is not known returns an Unknown (its reason carried
//! along); functions that only look at a collection's shape (`length`, `concat`, `keys`…)
//! still work when some elements are unknown. Functions that read files or the clock are
//! Unknown by design.

use super::value::{first_unknown, fmt_number, Value};
use crate::frontend::cidr;
use crate::source::Origin;
use ipnet::Ipv4Net;
use std::collections::BTreeMap;

type F = Result<Value, String>;

fn s(v: &Value, f: &str) -> Result<String, String> {
    v.to_tf_string()
        .ok_or_else(|| format!("{f}() expects a string, got {}", v.type_name()))
}

fn n(v: &Value, f: &str) -> Result<f64, String> {
    v.as_number()
        .ok_or_else(|| format!("{f}() expects a number, got {}", v.type_name()))
}

fn list<'a>(v: &'a Value, f: &str) -> Result<&'a [Value], String> {
    match v {
        Value::List(l) => Ok(l),
        _ => Err(format!("{f}() expects a list, got {}", v.type_name())),
    }
}

fn arity(args: &[Value], min: usize, max: usize, f: &str) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        return Err(format!(
            "{f}() takes {min}..{max} arguments, got {}",
            args.len()
        ));
    }
    Ok(())
}

fn net(v: &Value, f: &str) -> Result<Ipv4Net, String> {
    let t = s(v, f)?;
    t.parse::<Ipv4Net>()
        .map_err(|_| format!("{f}(): `{t}` is not an IPv4 CIDR prefix"))
}

/// Flattens into `out`, stopping (false) once it holds more than the list limit.
fn flatten_into(v: &Value, out: &mut Vec<Value>) -> bool {
    match v {
        Value::List(l) => l.iter().all(|x| flatten_into(x, out)),
        other => {
            out.push(other.clone());
            out.len() <= crate::frontend::value::MAX_LIST
        }
    }
}

/// The items without repeats, in first-seen order: scalars through a hash set (linear:
/// `distinct(range(1000000))` is a million steps, not a trillion), other values compared
/// with the other non-scalars kept.
fn unique(items: &[Value]) -> Vec<Value> {
    let mut seen: std::collections::HashSet<(u8, String)> = std::collections::HashSet::new();
    let mut others: Vec<Value> = Vec::new();
    let mut out: Vec<Value> = Vec::new();
    for x in items {
        let key = match x {
            Value::Null => Some((0, String::new())),
            Value::Bool(b) => Some((1, b.to_string())),
            Value::Number(n) if !n.is_nan() => {
                let n = if *n == 0.0 { 0.0 } else { *n };
                Some((2, n.to_bits().to_string()))
            }
            Value::String(s) => Some((3, s.clone())),
            _ => None,
        };
        match key {
            Some(k) => {
                if seen.insert(k) {
                    out.push(x.clone());
                }
            }
            None => {
                if !others.iter().any(|y| y.tf_eq(x) == Some(true)) {
                    others.push(x.clone());
                    out.push(x.clone());
                }
            }
        }
    }
    out
}

fn set_of(items: &[Value]) -> Vec<Value> {
    let mut out = unique(items);
    if out.iter().all(|x| matches!(x, Value::String(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    out
}

/// The fewest arguments each function needs (those whose bodies index their arguments
/// without their own check): a call with fewer is an error, not a panic.
const MIN_ARGS: &[(&str, usize)] = &[
    ("abs", 1),
    ("ceil", 1),
    ("chunklist", 2),
    ("endswith", 2),
    ("floor", 1),
    ("lower", 1),
    ("parseint", 2),
    ("pow", 2),
    ("sort", 1),
    ("startswith", 2),
    ("strcontains", 2),
    ("sum", 1),
    ("title", 1),
    ("tobool", 1),
    ("tonumber", 1),
    ("tostring", 1),
    ("trimspace", 1),
    ("upper", 1),
];

pub fn call(name: &str, args: Vec<Value>, origin: Origin) -> F {
    let name = name.strip_prefix("provider::terraform::").unwrap_or(name);
    if let Some((_, min)) = MIN_ARGS.iter().find(|(n, _)| *n == name) {
        if args.len() < *min {
            return Err(format!(
                "{name}() needs {min} argument{}, got {}",
                if *min == 1 { "" } else { "s" },
                args.len()
            ));
        }
    }
    let unk = |reason: String| Ok(Value::unknown(reason, origin));
    // Functions that tolerate unknown elements inside collections.
    match name {
        "length" => {
            arity(&args, 1, 1, name)?;
            return match &args[0] {
                Value::List(l) => Ok(Value::Number(l.len() as f64)),
                Value::Map(m) => Ok(Value::Number(m.len() as f64)),
                Value::String(x) => Ok(Value::Number(x.chars().count() as f64)),
                x if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
                x => Err(format!("length() of a {}", x.type_name())),
            };
        }
        "concat" => {
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let mut out = Vec::new();
            for a in &args {
                out.extend(list(a, name)?.iter().cloned());
            }
            return Ok(Value::list(out));
        }
        "flatten" => {
            arity(&args, 1, 1, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let mut out = Vec::new();
            if !flatten_into(&args[0], &mut out) {
                return Err(format!(
                    "flatten(): more than routelint's limit of {} elements",
                    crate::frontend::value::MAX_LIST
                ));
            }
            return Ok(Value::list(out));
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for a in &args {
                match a {
                    Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    Value::Null => {}
                    x if x.is_unknown() => return unk(x.find_unknown().unwrap_or_default()),
                    x => return Err(format!("merge() of a {}", x.type_name())),
                }
            }
            return Ok(Value::map(out));
        }
        "keys" | "values" => {
            arity(&args, 1, 1, name)?;
            return match &args[0] {
                Value::Map(m) => Ok(Value::list(if name == "keys" {
                    m.keys().map(|k| Value::str(k.clone())).collect()
                } else {
                    m.values().cloned().collect()
                })),
                x if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
                x => Err(format!("{name}() of a {}", x.type_name())),
            };
        }
        "tolist" | "toset" | "tomap" => {
            arity(&args, 1, 1, name)?;
            return match (&args[0], name) {
                (Value::List(l), "toset") => Ok(Value::list(set_of(l))),
                (Value::List(_), "tolist") | (Value::Map(_), "tomap") => Ok(args[0].clone()),
                (Value::Null, _) => Ok(Value::Null),
                (x, _) if x.is_unknown() => unk(x.find_unknown().unwrap_or_default()),
                (x, _) => Err(format!("{name}() of a {}", x.type_name())),
            };
        }
        "element" => {
            arity(&args, 2, 2, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            if l.is_empty() {
                return Err("element() of an empty list".into());
            }
            let i = n(&args[1], name)? as usize;
            return Ok(l[i % l.len()].clone());
        }
        "lookup" => {
            arity(&args, 2, 3, name)?;
            if let Some(r) = first_unknown(&args[..2]) {
                return unk(r);
            }
            let key = s(&args[1], name)?;
            return match &args[0] {
                Value::Map(m) => match m.get(&key) {
                    Some(v) => Ok(v.clone()),
                    None => args
                        .get(2)
                        .cloned()
                        .ok_or_else(|| format!("lookup(): no key `{key}` and no default")),
                },
                x => Err(format!("lookup() of a {}", x.type_name())),
            };
        }
        "coalesce" => {
            for a in &args {
                match a {
                    Value::Null => continue,
                    Value::String(x) if x.is_empty() => continue,
                    x if x.is_unknown() => return unk(x.find_unknown().unwrap_or_default()),
                    x => return Ok(x.clone()),
                }
            }
            return Err("coalesce(): all arguments are null or empty".into());
        }
        "coalescelist" => {
            for a in &args {
                match a {
                    Value::List(l) if l.is_empty() => continue,
                    x if x.is_unknown() => return unk(x.find_unknown().unwrap_or_default()),
                    x => return Ok(x.clone()),
                }
            }
            return Err("coalescelist(): all lists are empty".into());
        }
        "compact" => {
            arity(&args, 1, 1, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            return Ok(Value::list(
                l.iter()
                    .filter(|x| !matches!(x, Value::Null) && x.as_str() != Some(""))
                    .cloned()
                    .collect(),
            ));
        }
        "distinct" => {
            arity(&args, 1, 1, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            return Ok(Value::list(unique(l)));
        }
        "setunion" => {
            let mut all = Vec::new();
            for a in &args {
                if a.is_unknown() {
                    return unk(a.find_unknown().unwrap_or_default());
                }
                all.extend(list(a, name)?.iter().cloned());
            }
            return Ok(Value::list(set_of(&all)));
        }
        "zipmap" => {
            arity(&args, 2, 2, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let k = list(&args[0], name)?;
            let v = list(&args[1], name)?;
            let mut out = BTreeMap::new();
            for (a, b) in k.iter().zip(v.iter()) {
                out.insert(s(a, name)?, b.clone());
            }
            return Ok(Value::map(out));
        }
        "one" => {
            arity(&args, 1, 1, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            return match l.len() {
                0 => Ok(Value::Null),
                1 => Ok(l[0].clone()),
                _ => Err("one() of a list with more than one element".into()),
            };
        }
        "slice" => {
            arity(&args, 3, 3, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            let (a, b) = (n(&args[1], name)? as usize, n(&args[2], name)? as usize);
            if a > b || b > l.len() {
                return Err("slice(): indices out of range".into());
            }
            return Ok(Value::list(l[a..b].to_vec()));
        }
        "reverse" => {
            arity(&args, 1, 1, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let mut l = list(&args[0], name)?.to_vec();
            l.reverse();
            return Ok(Value::list(l));
        }
        "contains" => {
            arity(&args, 2, 2, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            let mut any_unknown = false;
            for x in l {
                match x.tf_eq(&args[1]) {
                    Some(true) => return Ok(Value::Bool(true)),
                    Some(false) => {}
                    None => any_unknown = true,
                }
            }
            if any_unknown {
                return unk("contains() over unknown elements".into());
            }
            return Ok(Value::Bool(false));
        }
        "alltrue" | "anytrue" => {
            arity(&args, 1, 1, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            let bools: Option<Vec<bool>> = l.iter().map(Value::as_bool).collect();
            let Some(b) = bools else {
                return unk(format!("{name}() over values that are not known"));
            };
            return Ok(Value::Bool(if name == "alltrue" {
                b.iter().all(|x| *x)
            } else {
                b.iter().any(|x| *x)
            }));
        }
        "index" => {
            arity(&args, 2, 2, name)?;
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let l = list(&args[0], name)?;
            return l
                .iter()
                .position(|x| x.tf_eq(&args[1]) == Some(true))
                .map(|i| Value::Number(i as f64))
                .ok_or_else(|| "index(): value not in list".to_string());
        }
        "range" => {
            if let Some(r) = first_unknown(&args) {
                return unk(r);
            }
            let nums: Vec<f64> = args.iter().map(|a| n(a, name)).collect::<Result<_, _>>()?;
            let (start, end, step) = match nums.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s0, e] => (*s0, *e, if e >= s0 { 1.0 } else { -1.0 }),
                [s0, e, st] => (*s0, *e, *st),
                _ => return Err("range() takes 1..3 arguments".into()),
            };
            if step == 0.0 {
                return Err("range(): step must not be zero".into());
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                out.push(Value::Number(x));
                x += step;
                if out.len() > 1_000_000 {
                    return Err("range(): too many elements".into());
                }
            }
            return Ok(Value::list(out));
        }
        "file" | "templatefile" | "filebase64" | "timestamp" | "uuid" | "plantimestamp"
        | "fileexists" | "fileset" | "bcrypt" | "filemd5" | "filesha256" | "base64gzip"
        | "sensitive" | "nonsensitive" | "jsondecode" | "yamldecode" | "jsonencode"
        | "yamlencode" | "base64encode" | "base64decode" | "md5" | "sha1" | "sha256" | "uuidv5"
        | "ephemeralasnull" => {
            if name == "sensitive" || name == "nonsensitive" {
                return args
                    .into_iter()
                    .next()
                    .ok_or_else(|| format!("{name}() needs an argument"));
            }
            return unk(format!("`{name}()` is not evaluated by routelint"));
        }
        _ => {}
    }

    if let Some(r) = first_unknown(&args) {
        return unk(r);
    }
    match name {
        "cidrsubnet" => {
            arity(&args, 3, 3, name)?;
            let base = net(&args[0], name)?;
            let r = cidr::subnet(base, n(&args[1], name)? as u64, n(&args[2], name)? as u64)
                .map_err(|e| format!("cidrsubnet(): {e}"))?;
            Ok(Value::str(r.to_string()))
        }
        "cidrsubnets" => {
            if args.is_empty() {
                return Err("cidrsubnets() needs a prefix".into());
            }
            let base = net(&args[0], name)?;
            let bits: Vec<u64> = args[1..]
                .iter()
                .map(|a| n(a, name).map(|x| x as u64))
                .collect::<Result<_, _>>()?;
            let nets = cidr::subnets(base, &bits).map_err(|e| format!("cidrsubnets(): {e}"))?;
            Ok(Value::list(
                nets.into_iter()
                    .map(|x| Value::str(x.to_string()))
                    .collect(),
            ))
        }
        "cidrhost" => {
            arity(&args, 2, 2, name)?;
            let base = net(&args[0], name)?;
            Ok(Value::str(
                cidr::host(base, n(&args[1], name)? as i64)
                    .map_err(|e| format!("cidrhost(): {e}"))?
                    .to_string(),
            ))
        }
        "cidrnetmask" => {
            arity(&args, 1, 1, name)?;
            Ok(Value::str(net(&args[0], name)?.netmask().to_string()))
        }
        "format" => {
            if args.is_empty() {
                return Err("format() needs a format string".into());
            }
            let f = s(&args[0], name)?;
            format_tf(&f, &args[1..]).map(Value::String)
        }
        "formatlist" => {
            if args.is_empty() {
                return Err("formatlist() needs a format string".into());
            }
            let f = s(&args[0], name)?;
            let len = args[1..]
                .iter()
                .filter_map(|a| a.as_list().map(|l| l.len()))
                .max();
            let Some(len) = len else {
                return format_tf(&f, &args[1..]).map(|x| Value::list(vec![Value::String(x)]));
            };
            let mut out = Vec::new();
            for i in 0..len {
                let row: Vec<Value> = args[1..]
                    .iter()
                    .map(|a| match a {
                        Value::List(l) => l.get(i).cloned().unwrap_or(Value::Null),
                        other => other.clone(),
                    })
                    .collect();
                out.push(Value::String(format_tf(&f, &row)?));
            }
            Ok(Value::list(out))
        }
        "join" => {
            arity(&args, 2, 2, name)?;
            let sep = s(&args[0], name)?;
            let parts: Result<Vec<String>, String> =
                list(&args[1], name)?.iter().map(|x| s(x, name)).collect();
            Ok(Value::String(parts?.join(&sep)))
        }
        "split" => {
            arity(&args, 2, 2, name)?;
            let sep = s(&args[0], name)?;
            let text = s(&args[1], name)?;
            Ok(Value::list(
                text.split(sep.as_str())
                    .map(|p| Value::str(p.to_string()))
                    .collect(),
            ))
        }
        "lower" => Ok(Value::String(s(&args[0], name)?.to_lowercase())),
        "upper" => Ok(Value::String(s(&args[0], name)?.to_uppercase())),
        "title" => {
            let t = s(&args[0], name)?;
            let mut c = t.chars();
            Ok(Value::String(match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }))
        }
        "trimspace" => Ok(Value::String(s(&args[0], name)?.trim().to_string())),
        "trimprefix" => {
            arity(&args, 2, 2, name)?;
            let t = s(&args[0], name)?;
            let p = s(&args[1], name)?;
            Ok(Value::String(
                t.strip_prefix(p.as_str()).unwrap_or(&t).to_string(),
            ))
        }
        "trimsuffix" => {
            arity(&args, 2, 2, name)?;
            let t = s(&args[0], name)?;
            let p = s(&args[1], name)?;
            Ok(Value::String(
                t.strip_suffix(p.as_str()).unwrap_or(&t).to_string(),
            ))
        }
        "trim" => {
            arity(&args, 2, 2, name)?;
            let t = s(&args[0], name)?;
            let cs = s(&args[1], name)?;
            Ok(Value::String(
                t.trim_matches(|c| cs.contains(c)).to_string(),
            ))
        }
        "replace" => {
            arity(&args, 3, 3, name)?;
            let t = s(&args[0], name)?;
            let from = s(&args[1], name)?;
            let to = s(&args[2], name)?;
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return unk("regular-expression replace() is not evaluated".into());
            }
            Ok(Value::String(t.replace(&from, &to)))
        }
        "substr" => {
            arity(&args, 3, 3, name)?;
            let t: Vec<char> = s(&args[0], name)?.chars().collect();
            let off = n(&args[1], name)? as i64;
            let len = n(&args[2], name)? as i64;
            let start = if off < 0 {
                (t.len() as i64 + off).max(0)
            } else {
                off.min(t.len() as i64)
            } as usize;
            let end = if len < 0 {
                t.len()
            } else {
                (start + len as usize).min(t.len())
            };
            Ok(Value::String(t[start..end].iter().collect()))
        }
        "startswith" => Ok(Value::Bool(
            s(&args[0], name)?.starts_with(&s(&args[1], name)?),
        )),
        "endswith" => Ok(Value::Bool(
            s(&args[0], name)?.ends_with(&s(&args[1], name)?),
        )),
        "strcontains" => Ok(Value::Bool(
            s(&args[0], name)?.contains(&s(&args[1], name)?),
        )),
        "tostring" => match &args[0] {
            Value::Null => Ok(Value::Null),
            x => Ok(Value::String(s(x, name)?)),
        },
        "tonumber" => match &args[0] {
            Value::Null => Ok(Value::Null),
            x => Ok(Value::Number(n(x, name)?)),
        },
        "tobool" => match &args[0] {
            Value::Null => Ok(Value::Null),
            x => x
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| "tobool(): not a bool".into()),
        },
        "min" | "max" => {
            let nums: Vec<f64> = args.iter().map(|a| n(a, name)).collect::<Result<_, _>>()?;
            let r = if name == "min" {
                nums.iter().cloned().fold(f64::INFINITY, f64::min)
            } else {
                nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            };
            Ok(Value::Number(r))
        }
        "sum" => {
            let l = list(&args[0], name)?;
            let nums: Vec<f64> = l.iter().map(|a| n(a, name)).collect::<Result<_, _>>()?;
            Ok(Value::Number(nums.iter().sum()))
        }
        "abs" => Ok(Value::Number(n(&args[0], name)?.abs())),
        "ceil" => Ok(Value::Number(n(&args[0], name)?.ceil())),
        "floor" => Ok(Value::Number(n(&args[0], name)?.floor())),
        "pow" => Ok(Value::Number(n(&args[0], name)?.powf(n(&args[1], name)?))),
        "parseint" => {
            let t = s(&args[0], name)?;
            let b = n(&args[1], name)?;
            if !(2.0..=36.0).contains(&b) || b.fract() != 0.0 {
                return Err(format!("parseint(): base {b} is not between 2 and 36"));
            }
            i64::from_str_radix(&t, b as u32)
                .map(|x| Value::Number(x as f64))
                .map_err(|e| format!("parseint(): {e}"))
        }
        "sort" => {
            let mut l: Vec<String> = list(&args[0], name)?
                .iter()
                .map(|x| s(x, name))
                .collect::<Result<_, _>>()?;
            l.sort();
            Ok(Value::list(l.into_iter().map(Value::String).collect()))
        }
        "chunklist" => {
            let l = list(&args[0], name)?;
            let size = n(&args[1], name)? as usize;
            if size == 0 {
                return Ok(Value::list(vec![Value::list(l.to_vec())]));
            }
            Ok(Value::list(
                l.chunks(size).map(|c| Value::list(c.to_vec())).collect(),
            ))
        }
        "transpose" | "regex" | "regexall" | "can" | "setproduct" | "setintersection"
        | "setsubtract" | "matchkeys" | "urlencode" | "indent" | "chomp" | "strrev"
        | "formatdate" | "timeadd" | "abspath" | "dirname" | "basename" | "pathexpand" => {
            unk(format!("`{name}()` is not evaluated by routelint"))
        }
        other => unk(format!("function `{other}()` is not known to routelint")),
    }
}

/// Terraform's `format` verbs: %s %d %v %q %% (flags and widths partly).
fn format_tf(f: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '-' || d == '.' || d == '+' || d == '#' || d == ' ' {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            return Err("format(): incomplete verb".into());
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let a = it.next().ok_or("format(): not enough arguments")?;
        let text = match verb {
            's' | 'v' => a.to_tf_string().ok_or("format(): %s needs a primitive")?,
            'd' => fmt_number(a.as_number().ok_or("format(): %d needs a number")?.trunc()),
            'q' => format!(
                "\"{}\"",
                a.to_tf_string().ok_or("format(): %q needs a string")?
            ),
            'f' | 'g' | 'e' => format!("{}", a.as_number().ok_or("format(): %f needs a number")?),
            'x' => format!(
                "{:x}",
                a.as_number().ok_or("format(): %x needs a number")? as i64
            ),
            't' => a.as_bool().ok_or("format(): %t needs a bool")?.to_string(),
            other => return Err(format!("format(): unsupported verb %{other}")),
        };
        // Zero-padded / width for %d and %s.
        let width: usize = spec
            .trim_start_matches(['-', '+', '#', ' '])
            .split('.')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        if width > crate::frontend::value::MAX_STRING {
            return Err(format!(
                "format(): a width of {width} is more than routelint's limit of {} characters",
                crate::frontend::value::MAX_STRING
            ));
        }
        if text.chars().count() < width {
            let pad = width - text.chars().count();
            if spec.starts_with('-') {
                out.push_str(&text);
                out.push_str(&" ".repeat(pad));
            } else if spec.starts_with('0') {
                out.push_str(&"0".repeat(pad));
                out.push_str(&text);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&text);
            }
        } else {
            out.push_str(&text);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, args: Vec<Value>) -> Value {
        call(name, args, Origin::default()).unwrap()
    }
    fn st(x: &str) -> Value {
        Value::str(x)
    }
    fn num(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn cidr_functions_match_terraform() {
        assert_eq!(
            c("cidrsubnet", vec![st("10.1.0.0/16"), num(8.0), num(2.0)]).as_str(),
            Some("10.1.2.0/24")
        );
        assert_eq!(
            c("cidrsubnet", vec![st("10.0.0.0/8"), num(8.0), num(255.0)]).as_str(),
            Some("10.255.0.0/16")
        );
        assert_eq!(
            c("cidrhost", vec![st("10.0.1.0/26"), num(4.0)]).as_str(),
            Some("10.0.1.4")
        );
        assert_eq!(
            c("cidrhost", vec![st("10.0.1.0/24"), num(-2.0)]).as_str(),
            Some("10.0.1.254")
        );
        let v = c(
            "cidrsubnets",
            vec![st("10.1.0.0/16"), num(4.0), num(4.0), num(8.0), num(4.0)],
        );
        let got: Vec<&str> = v
            .as_list()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert_eq!(
            got,
            vec![
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ]
        );
        assert!(call(
            "cidrsubnet",
            vec![st("10.0.0.0/30"), num(4.0), num(0.0)],
            Origin::default()
        )
        .is_err());
    }

    #[test]
    fn format_and_strings() {
        assert_eq!(
            c("format", vec![st("vnet-%s-%03d"), st("hub"), num(7.0)]).as_str(),
            Some("vnet-hub-007")
        );
        assert_eq!(
            c("join", vec![st(","), Value::list(vec![st("a"), st("b")])]).as_str(),
            Some("a,b")
        );
        assert_eq!(
            c("split", vec![st("/"), st("a/b")])
                .as_list()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            c("replace", vec![st("a-b"), st("-"), st("_")]).as_str(),
            Some("a_b")
        );
    }

    #[test]
    fn unknown_arguments_stay_unknown() {
        let u = Value::unknown("var x has no value", Origin::default());
        assert!(matches!(
            c("cidrsubnet", vec![u.clone(), num(8.0), num(1.0)]),
            Value::Unknown(_)
        ));
        assert_eq!(
            c("length", vec![Value::list(vec![u.clone(), st("a")])]).as_number(),
            Some(2.0)
        );
        assert_eq!(
            c("coalesce", vec![Value::Null, st(""), st("x")]).as_str(),
            Some("x")
        );
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Every function name `call` matches on, read from this file.
    fn names() -> Vec<String> {
        let src = include_str!("funcs.rs");
        let mut out = Vec::new();
        for line in src.lines() {
            let t = line.trim_start();
            if !(t.starts_with('"') || t.starts_with("| \"")) {
                continue;
            }
            let head = t.split("=>").next().unwrap_or("");
            for part in head.split('|') {
                let p = part.trim().trim_matches('"');
                if !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    out.push(p.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Any function with any number and kind of arguments returns a value or an error,
    /// never a panic (an editor that auto-closes `upper(` sends `upper()`).
    #[test]
    fn no_function_panics_on_any_arguments() {
        let samples = [
            Value::str("a"),
            Value::Number(1e19),
            Value::Number(-1.0),
            Value::Number(f64::NAN),
            Value::Bool(true),
            Value::Null,
            Value::list(vec![Value::str("b"), Value::Number(2.0)]),
            Value::list(Vec::new()),
        ];
        let names = names();
        assert!(names.len() > 50, "{} names", names.len());
        let mut panics = Vec::new();
        for n in &names {
            let mut argsets: Vec<Vec<Value>> = vec![Vec::new()];
            for a in &samples {
                argsets.push(vec![a.clone()]);
                for b in &samples {
                    argsets.push(vec![a.clone(), b.clone()]);
                    argsets.push(vec![a.clone(), b.clone(), Value::Number(1e19)]);
                }
            }
            for args in argsets {
                let shown = format!("{n}({args:?})");
                let r = std::panic::catch_unwind(|| call(n, args, Origin::default()));
                if r.is_err() {
                    panics.push(shown);
                    break;
                }
            }
        }
        assert!(panics.is_empty(), "panics: {panics:#?}");
    }
}
