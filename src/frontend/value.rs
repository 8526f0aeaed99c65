//! Values of the front ends' evaluators (Terraform and ARM).
//!
//! Besides the usual HCL values there are three that make a linter possible:
//! [`Value::Entity`] (a resource or nested block as configured, which still answers for its
//! computed attributes), [`Value::Ref`] (a computed attribute, e.g. "the private IP of
//! firewall `hub`") and [`Value::Unknown`] (cannot be known statically, with the reason).

use crate::source::{FileId, Origin};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub enum PathSeg {
    Attr(String),
    Index(usize),
    Key(String),
}

impl std::fmt::Display for PathSeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSeg::Attr(a) => write!(f, ".{a}"),
            PathSeg::Index(i) => write!(f, "[{i}]"),
            PathSeg::Key(k) => write!(f, "[\"{k}\"]"),
        }
    }
}

/// The most instances one `count` or `for_each` expands to by default (Terraform's own limit
/// is far higher, but no network declares more).
pub const MAX_INSTANCES: usize = 10_000;

/// The most expressions evaluated for one root module or template by default: the 5,000-spoke
/// estate of `benches/` spends under a tenth of it, a hostile file stops in seconds.
pub const MAX_EVAL_STEPS: u64 = 20_000_000;

/// What evaluating one unit (a Terraform root module with its modules, or an ARM template
/// with its nested deployments) may cost: past a limit the value is Unknown, one positioned
/// diagnostic says which limit and how to raise it, and nothing is guessed. Set with
/// `--max-instances` / `--max-eval-steps` or `[limits]` in `routelint.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most instances of one `count` / `for_each`, and most module instances in one root.
    pub instances: usize,
    /// Most expressions evaluated for one unit.
    pub eval_steps: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            instances: MAX_INSTANCES,
            eval_steps: MAX_EVAL_STEPS,
        }
    }
}

/// Counts evaluation steps against [`Limits::eval_steps`].
#[derive(Debug, Default)]
pub struct Budget {
    steps: std::cell::Cell<u64>,
    max: u64,
    spent: std::cell::Cell<bool>,
}

impl Budget {
    pub fn new(max: u64) -> Self {
        Budget {
            steps: std::cell::Cell::new(0),
            max,
            spent: std::cell::Cell::new(false),
        }
    }

    /// Takes one step. `Err(first)` once the budget is spent; `first` is true the first time
    /// (the caller reports that one and stays quiet about the rest).
    pub fn step(&self) -> Result<(), bool> {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n > self.max {
            let first = !self.spent.get();
            self.spent.set(true);
            return Err(first);
        }
        Ok(())
    }

    /// Has the budget run out (every later error is a consequence, not news)?
    pub fn spent(&self) -> bool {
        self.spent.get()
    }

    pub fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// The message of the first step past the budget.
    pub fn message(&self) -> String {
        format!(
            "evaluation stopped after {} expressions, routelint's limit for one root module or template; what is left is not known (raise it with --max-eval-steps or `eval-steps` in [limits] of routelint.toml)",
            self.max
        )
    }
}

/// ARM's own limit on the iterations of one `copy` loop.
pub const ARM_COPY_LIMIT: usize = 800;

/// The longest string (in characters) a function may build from user input.
pub const MAX_STRING: usize = 1 << 20;

/// The most elements a list, set or map built by a function or a `for` expression may have
/// (`flatten` of a thousand ranges, a doubling `concat`): past it the value is an error,
/// positioned, never gigabytes of memory.
pub const MAX_LIST: usize = 1_000_000;

/// Refuses a built collection larger than [`MAX_LIST`].
pub fn check_size(v: Value) -> Result<Value, String> {
    let n = match &v {
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        _ => 0,
    };
    if n > MAX_LIST {
        return Err(format!(
            "a collection of {n} elements is more than routelint's limit of {MAX_LIST}"
        ));
    }
    Ok(v)
}

/// A count from a number in user input: a whole number from 0 to `max`, else an error that
/// says which limit (never a wrapped-around or huge allocation).
pub fn to_count(x: f64, max: usize, what: &str) -> Result<usize, String> {
    if !x.is_finite() || x < 0.0 {
        return Err(format!("{what} must be a whole number from 0, not {x}"));
    }
    let n = x.trunc();
    if n > max as f64 {
        return Err(format!(
            "{what} {n} is more than routelint's limit of {max}"
        ));
    }
    Ok(n as usize)
}

/// A resource (or one of its nested blocks) as the configuration declares it.
#[derive(Debug)]
pub struct Entity {
    /// Resource instance address, e.g. `module.hub.azurerm_firewall.this`.
    pub addr: String,
    /// Resource type, e.g. `azurerm_firewall`.
    pub rtype: String,
    /// Path of this nested block inside the resource (empty for the resource itself).
    pub path: Vec<PathSeg>,
    pub attrs: BTreeMap<String, Value>,
    pub file: FileId,
    /// Span of the whole block.
    pub span: Range<usize>,
    /// Span of the block's header (type and labels).
    pub header: Range<usize>,
    /// Span of each attribute's value expression (and of each nested block's header).
    pub attr_spans: BTreeMap<String, Range<usize>>,
    /// Where an attribute's value is written when that is elsewhere: the `.tfvars`
    /// assignment or module argument behind `var.x`, the definition behind `local.x`.
    pub set_at: BTreeMap<String, Origin>,
}

impl Entity {
    pub fn origin(&self) -> Origin {
        Origin::new(self.file, self.span.clone())
    }
    pub fn header_origin(&self) -> Origin {
        Origin::new(self.file, self.header.clone())
    }
    /// Origin of an attribute's value, or of the block when the attribute is absent.
    pub fn attr_origin(&self, key: &str) -> Origin {
        match self.attr_spans.get(key) {
            Some(r) => Origin::new(self.file, r.clone()),
            None => self.origin(),
        }
    }
    /// Where an attribute's value is written: its `.tfvars` assignment or module argument
    /// when it comes from a variable, else the attribute itself.
    pub fn set_origin(&self, key: &str) -> Origin {
        self.set_at
            .get(key)
            .copied()
            .unwrap_or_else(|| self.attr_origin(key))
    }
    pub fn has(&self, key: &str) -> bool {
        self.attr_spans.contains_key(key)
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attrs.get(key)
    }
    /// Nested blocks of one type.
    pub fn blocks(&self, key: &str) -> Vec<Arc<Entity>> {
        match self.attrs.get(key) {
            Some(Value::List(l)) => l
                .iter()
                .filter_map(|v| match v {
                    Value::Entity(e) => Some(e.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A computed attribute of an entity.
#[derive(Debug, PartialEq)]
pub struct SymRef {
    pub addr: String,
    pub rtype: String,
    pub path: Vec<PathSeg>,
}

impl SymRef {
    pub fn describe(&self) -> String {
        let mut s = self.addr.clone();
        for p in &self.path {
            s.push_str(&p.to_string());
        }
        s
    }
    /// The same element's attribute one step further down: `r.seg`.
    pub fn child(&self, seg: PathSeg) -> Value {
        let mut path = self.path.clone();
        path.push(seg);
        Value::Ref(Arc::new(SymRef {
            addr: self.addr.clone(),
            rtype: self.rtype.clone(),
            path,
        }))
    }
    /// Attribute names along the path, indices dropped.
    pub fn attr_names(&self) -> Vec<&str> {
        self.path
            .iter()
            .filter_map(|p| match p {
                PathSeg::Attr(a) => Some(a.as_str()),
                _ => None,
            })
            .collect()
    }
}

#[derive(Debug, PartialEq)]
pub struct Unk {
    pub reason: String,
    pub origin: Origin,
}

/// An evaluated value. Lists, maps and the rest are shared (`Arc`, so a clone is a count):
/// values are `Send`, so a front end can lower evaluated resources on several threads
/// (the ARM front end does).
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Arc<Vec<Value>>),
    Map(Arc<BTreeMap<String, Value>>),
    Entity(Arc<Entity>),
    Ref(Arc<SymRef>),
    Unknown(Arc<Unk>),
}

impl Value {
    pub fn unknown(reason: impl Into<String>, origin: Origin) -> Value {
        Value::Unknown(Arc::new(Unk {
            reason: reason.into(),
            origin,
        }))
    }
    /// A JSON value as it reads: numbers as f64, objects as maps.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s.clone()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }
    pub fn map(m: BTreeMap<String, Value>) -> Value {
        Value::Map(Arc::new(m))
    }
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "object",
            Value::Entity(_) => "resource",
            Value::Ref(_) => "computed value",
            Value::Unknown(_) => "unknown",
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_) | Value::Ref(_))
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// Terraform's string conversion of primitives.
    pub fn to_tf_string(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(fmt_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    /// Elements of a list (a single non-list value is not a list).
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }
    /// Why this value is not known, if it is an Unknown or a Ref (not looking inside).
    pub fn unknown_reason(&self) -> Option<String> {
        match self {
            Value::Unknown(u) => Some(u.reason.clone()),
            Value::Ref(r) => Some(format!("`{}` is computed by Azure", r.describe())),
            _ => None,
        }
    }
    /// The first Unknown or Ref found inside a value, for "why is this unknown".
    pub fn find_unknown(&self) -> Option<String> {
        match self {
            Value::Unknown(_) | Value::Ref(_) => self.unknown_reason(),
            Value::List(l) => l.iter().find_map(Value::find_unknown),
            Value::Map(m) => m.values().find_map(Value::find_unknown),
            _ => None,
        }
    }
    /// Structural equality; `None` when either side is not known.
    pub fn tf_eq(&self, other: &Value) -> Option<bool> {
        match (self, other) {
            (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
            (Value::Ref(a), Value::Ref(b)) => {
                if a == b {
                    Some(true)
                } else {
                    None
                }
            }
            (Value::Ref(_), _) | (_, Value::Ref(_)) => None,
            (Value::Null, Value::Null) => Some(true),
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            (Value::Number(a), Value::Number(b)) => Some(a == b),
            (Value::String(a), Value::String(b)) => Some(a == b),
            (Value::List(a), Value::List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.tf_eq(y) {
                        Some(true) => {}
                        other => return other,
                    }
                }
                Some(true)
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.len() != b.len() || a.keys().ne(b.keys()) {
                    return Some(false);
                }
                for (x, y) in a.values().zip(b.values()) {
                    match x.tf_eq(y) {
                        Some(true) => {}
                        other => return other,
                    }
                }
                Some(true)
            }
            (Value::Entity(a), Value::Entity(b)) => Some(Arc::ptr_eq(a, b)),
            _ => Some(false),
        }
    }
}

/// Why the first of some function arguments is not known (arguments themselves only).
pub fn first_unknown(args: &[Value]) -> Option<String> {
    args.iter().find_map(Value::unknown_reason)
}

pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
