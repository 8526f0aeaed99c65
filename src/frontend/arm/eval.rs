//! ARM template evaluation: parameters, variables (with `copy`), resources (array, or the
//! symbolic-name object of `languageVersion 2.0`), child resources, `copy` loops on
//! resources and properties, `condition`, and nested deployments (how Bicep compiles
//! modules) with their parameters and outputs.
//!
//! Function semantics follow Microsoft's "ARM template functions" reference; notably
//! `cidrSubnet(network, newCIDR, index)` takes the new prefix length and
//! `cidrHost(network, index)` counts usable hosts from 0 (= network + 1).
//!
//! **Invariant:** evaluation never fails a template: an expression that cannot be evaluated
//! becomes an Unknown with its position and an info `eval-error`.

use super::expr::{self, Expr, Parsed};
use super::funcs;
use super::json::{JNode, J};
use crate::diag::{codes, Diagnostic, Severity};
use crate::frontend::value::{fmt_number, to_count, PathSeg, SymRef, Value, ARM_COPY_LIMIT};
use crate::source::{FileId, Origin};
use foldhash::HashMap;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;

/// An evaluated resource.
#[derive(Clone, Debug)]
pub struct ArmResource {
    /// Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    pub rtype: String,
    /// Full name, e.g. `vnet-hub/GatewaySubnet`.
    pub name: String,
    /// Provider path used as the IR key: `Microsoft.Network/virtualNetworks/vnet-hub/subnets/GatewaySubnet`.
    pub key: String,
    pub symbolic: Option<String>,
    /// The evaluated resource object.
    pub body: Value,
    pub file: FileId,
    /// The declaration as written: where it is (`decl.span`) and where each property path
    /// is (see [`Self::span_at`]).
    pub decl: JNode,
    /// `existing: true` (declared elsewhere; referenced only).
    pub existing: bool,
    /// Names of the nested deployments this resource was declared in, outermost first.
    pub deployments: Vec<String>,
    /// Paths whose value is exactly a parameter given in a parameters file: where that
    /// value is written (so a fix edits it there).
    pub set_at: HashMap<String, Origin>,
}

impl ArmResource {
    /// The span of a path, else of its nearest ancestor, else of the resource.
    pub fn span_of(&self, path: &str) -> Origin {
        Spans::new(self).span_of(path)
    }

    /// The span of exactly this property path of the declaration
    /// (`properties.routes[0].properties.addressPrefix`; `""`: the declaration), found in
    /// the JSON when asked rather than recorded for every value. An array written as a
    /// property `copy` loop is the loop; its items are the loop's `input`.
    pub fn span_at(&self, path: &str) -> Option<Range<usize>> {
        Spans::new(self).span_at(path)
    }
}

/// A place in a declaration: a JSON node, or a property `copy` loop standing for the
/// array named by the last key (its items are all the loop's `input`).
#[derive(Clone, Copy)]
struct Place<'a> {
    node: &'a JNode,
    copy: Option<&'a JNode>,
}

impl<'a> Place<'a> {
    fn span(&self) -> Range<usize> {
        self.copy.map_or(&self.node.span, |l| &l.span).clone()
    }

    /// One segment of a path: `[i]`, or a key (a key not written may be a property
    /// `copy` loop of that name).
    fn step(self, seg: &str) -> Option<Place<'a>> {
        if let Some(i) = seg.strip_prefix('[') {
            let i: usize = i.strip_suffix(']')?.parse().ok()?;
            let node = match self.copy {
                Some(l) => l.get("input")?,
                None => self.node.items().get(i)?,
            };
            return Some(Place { node, copy: None });
        }
        if self.copy.is_some() {
            return None;
        }
        match self.node.get(seg) {
            Some(node) => Some(Place { node, copy: None }),
            None => {
                let l = self.node.get("copy")?.items().iter().find(|l| {
                    l.get("name").and_then(|x| x.as_str()) == Some(seg) && l.get("input").is_some()
                })?;
                Some(Place {
                    node: self.node,
                    copy: Some(l),
                })
            }
        }
    }
}

/// Finds property paths in one resource's declaration. Lowering asks for many paths of a
/// resource in document order (an item, its name, its properties, a property of them),
/// and [`Spans::span_of`] for the ancestors of one that is not written, so each walk
/// resumes from the longest whole-segment prefix it shares with the walk before: a path
/// costs its new segments, not its depth.
pub struct Spans<'a> {
    pub r: &'a ArmResource,
    /// The last path walked and the place after each of its segments (byte end, place).
    last: RefCell<(String, Vec<(usize, Place<'a>)>)>,
}

impl<'a> Spans<'a> {
    pub fn new(r: &'a ArmResource) -> Spans<'a> {
        Spans {
            r,
            last: RefCell::new((String::with_capacity(96), Vec::with_capacity(12))),
        }
    }

    /// See [`ArmResource::span_at`].
    pub fn span_at(&self, path: &str) -> Option<Range<usize>> {
        self.place(path).map(|p| p.span())
    }

    /// See [`ArmResource::span_of`].
    pub fn span_of(&self, path: &str) -> Origin {
        let mut p = path;
        loop {
            if let Some(r) = self.span_at(p) {
                return Origin::new(self.r.file, r);
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return Origin::new(self.r.file, self.r.decl.span.clone()),
            }
        }
    }

    fn place(&self, path: &str) -> Option<Place<'a>> {
        let mut last = self.last.borrow_mut();
        let (prev, stops) = &mut *last;
        let b = path.as_bytes();
        // The deepest stop of the previous walk whose segments this path repeats.
        let common = prev
            .bytes()
            .zip(b.iter())
            .take_while(|(x, y)| x == *y)
            .count();
        let keep = stops
            .iter()
            .rposition(|&(end, _)| {
                end <= common && (end == b.len() || matches!(b[end], b'.' | b'['))
            })
            .map_or(0, |i| i + 1);
        stops.truncate(keep);
        let (mut i, mut at) = stops.last().map_or(
            (
                0,
                Place {
                    node: &self.r.decl,
                    copy: None,
                },
            ),
            |&(end, p)| (end, p),
        );
        // `prev` is always the path up to its last stop: the same bytes as this one's.
        prev.truncate(i);
        let mut found = true;
        while i < b.len() {
            let mut end = i + 1;
            while end < b.len() && b[end] != b'.' && b[end] != b'[' {
                end += 1;
            }
            let seg = &path[i..end];
            match at.step(seg.strip_prefix('.').unwrap_or(seg)) {
                Some(next) => {
                    at = next;
                    stops.push((end, at));
                    i = end;
                }
                None => {
                    found = false;
                    break;
                }
            }
        }
        prev.push_str(&path[prev.len()..i]);
        found.then_some(at)
    }
}

/// Where a JSON node is in a resource declaration: a nested deployment's inline template
/// is recognised at `properties.template`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Root,
    /// A resource declaration itself: as `Root`, and what only orders or documents the
    /// deployment (`dependsOn`, `apiVersion`, `comments`) is not evaluated. Nothing reads
    /// it, and Bicep writes a `dependsOn` list of `resourceId()` calls on most resources.
    Resource,
    Properties,
    Other,
}

/// Keys of a resource declaration that say nothing about the resource (see
/// [`Level::Resource`]).
fn deployment_only(key: &str) -> bool {
    ["dependsOn", "apiVersion", "comments"]
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
}

/// Builds the provider path `Namespace/type1/name1/type2/name2` from a full type and name.
pub fn provider_key(rtype: &str, name: &str) -> String {
    let mut out = String::with_capacity(rtype.len() + name.len() + 8);
    let mut types = rtype.split('/');
    let mut names = name.split('/');
    out.push_str(types.next().unwrap_or(""));
    for t in types {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(names.next().unwrap_or("?"));
    }
    out
}

/// The provider path of a resource id (`/subscriptions/…/providers/X/y/n` -> `X/y/n`).
pub fn key_of_id(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    match lower.rfind("/providers/") {
        Some(i) => id[i + "/providers/".len()..].to_string(),
        None => id.trim_start_matches('/').to_string(),
    }
}

enum Slot {
    InProgress,
    Done(Value),
}

/// The deepest nesting of expressions and references evaluated (a guard for the stack:
/// loading runs on worker threads with small stacks).
pub const MAX_EVAL_DEPTH: usize = 200;

/// Copy loops in scope and the index of each, outermost first.
type CopyIndexes = Vec<(String, usize)>;

/// A resource instance: its declaration (index into `declarations`) and copy indexes.
type Instance = (usize, CopyIndexes);

/// One template: the root file or an inline nested deployment.
pub struct Tpl {
    pub file: FileId,
    pub root: JNode,
    /// Parameter values given (parameters file, nested deployment's `parameters`).
    pub given: HashMap<String, Value>,
    /// Where a given parameter's value is written in a parameters file (directly, or
    /// passed on unchanged by the deployments above).
    pub given_at: HashMap<String, Origin>,
    vars: RefCell<HashMap<String, Slot>>,
    /// Symbolic name (languageVersion 2.0) -> resource key; deployment keys -> nested template.
    symbols: RefCell<HashMap<String, String>>,
    /// Resource key (lowercase) -> the declaration (index into `declarations`) and copy
    /// indexes that make it: how `reference('sym[i]')` finds a nested deployment in a loop.
    instances: RefCell<HashMap<String, Instance>>,
    deployments: RefCell<HashMap<String, Rc<Tpl>>>,
    outputs: RefCell<HashMap<String, Slot>>,
    /// Values of expressions that are the same wherever they are written (see
    /// `ArmEval::string`), by expression text.
    memo: RefCell<HashMap<Box<str>, Value>>,
    /// The flattened resource declarations, built once (see `declarations`).
    decls: std::cell::OnceCell<Rc<Vec<Decl>>>,
    pub depth: usize,
    /// Names of the nested deployments leading to this template, outermost first.
    pub deployments_path: Vec<String>,
    /// A nested template in the outer scope (no `expressionEvaluationOptions`, or
    /// `scope: outer`): the template whose parameters and variables its expressions use,
    /// and the copy indexes of the deployment instance (its `copyIndex()` still counts).
    /// Weak: the parent holds this template (`deployments`), and a cycle would leak both.
    pub outer: Option<(std::rc::Weak<Tpl>, CopyIndexes)>,
}

impl Tpl {
    /// The template whose parameters and variables this one's expressions read: itself,
    /// or for an outer-scope nested template, the (scope of the) template around it.
    pub fn scope(self: &Rc<Self>) -> Rc<Tpl> {
        let mut t = self.clone();
        while let Some(o) = t.outer.as_ref().and_then(|(o, _)| o.upgrade()) {
            t = o;
        }
        t
    }

    /// The context a template's own declarations are evaluated in.
    fn base(self: &Rc<Self>) -> Cx {
        Cx {
            tpl: self.clone(),
            copy: self
                .outer
                .as_ref()
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            lambda: Vec::new(),
        }
    }
}

/// Evaluation context: the template plus copy indexes and lambda variables in scope.
#[derive(Clone)]
pub struct Cx {
    pub tpl: Rc<Tpl>,
    copy: Vec<(String, usize)>,
    lambda: Vec<(String, Value)>,
}

pub struct ArmEval {
    pub diags: RefCell<Vec<Diagnostic>>,
    pub resources: RefCell<Vec<ArmResource>>,
    pub skipped: RefCell<Vec<(String, String, Origin)>>,
    /// How deep `declared_value` is nested (a guard against declarations about themselves).
    declared_depth: std::cell::Cell<usize>,
    /// How deeply `eval` is nested now.
    eval_depth: std::cell::Cell<usize>,
    /// Every resource instance of every template evaluated so far, by key (lowercase): a
    /// resource id names a resource wherever in the deployment tree it is declared.
    declared: RefCell<HashMap<String, (Rc<Tpl>, Instance)>>,
    /// Every expression text parsed so far (parsing does not depend on where it is).
    parsed: RefCell<HashMap<Box<str>, Parse>>,
    /// What this template may cost.
    limits: crate::frontend::value::Limits,
    budget: crate::frontend::value::Budget,
}

pub(super) type R = Result<Value, String>;

/// An expression text parsed (or why it does not parse), shared by its repetitions.
type Parse = Rc<Result<Expr, String>>;

pub(super) fn ci_get<'a>(m: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a Value> {
    m.get(k).or_else(|| {
        m.iter()
            .find(|(x, _)| x.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    })
}

pub(super) fn s_of(v: &Value, f: &str) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(fmt_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("{f}() expects a string, got {}", other.type_name())),
    }
}

pub(super) fn n_of(v: &Value, f: &str) -> Result<f64, String> {
    v.as_number()
        .ok_or_else(|| format!("{f}() expects a number, got {}", v.type_name()))
}

pub(super) fn list_of<'a>(v: &'a Value, f: &str) -> Result<&'a [Value], String> {
    v.as_list()
        .ok_or_else(|| format!("{f}() expects an array, got {}", v.type_name()))
}

pub(super) fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::json!(n),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        _ => serde_json::Value::Null,
    }
}

/// A placeholder for a value chosen at deployment (`{resourceGroupName}`, `{projectName}`,
/// `{uniqueString:…}`): Azure names cannot contain braces, so braces mark them.
pub fn is_symbolic(s: &str) -> bool {
    s.contains('{') && s.contains('}')
}

/// Equality; `None` when a side holds a placeholder and the two are not the same text.
pub(super) fn equal(a: &Value, b: &Value) -> Option<bool> {
    if let (Value::String(x), Value::String(y)) = (a, b) {
        if x != y && (is_symbolic(x) || is_symbolic(y)) {
            return None;
        }
    }
    a.tf_eq(b)
}

impl Default for ArmEval {
    fn default() -> Self {
        Self::new()
    }
}

impl ArmEval {
    pub fn new() -> Self {
        Self::with_limits(Default::default())
    }

    pub fn with_limits(limits: crate::frontend::value::Limits) -> Self {
        ArmEval {
            limits,
            parsed: RefCell::new(HashMap::default()),
            budget: crate::frontend::value::Budget::new(limits.eval_steps),
            diags: RefCell::new(Vec::new()),
            resources: RefCell::new(Vec::new()),
            skipped: RefCell::new(Vec::new()),
            declared_depth: std::cell::Cell::new(0),
            eval_depth: std::cell::Cell::new(0),
            declared: RefCell::new(HashMap::default()),
        }
    }

    pub fn template(
        &self,
        file: FileId,
        root: JNode,
        given: HashMap<String, Value>,
        deployments: Vec<String>,
    ) -> Rc<Tpl> {
        self.template_at(file, root, given, HashMap::default(), deployments)
    }

    /// A template whose given parameters are written at `given_at` (parameters file).
    pub fn template_at(
        &self,
        file: FileId,
        root: JNode,
        given: HashMap<String, Value>,
        given_at: HashMap<String, Origin>,
        deployments: Vec<String>,
    ) -> Rc<Tpl> {
        self.build(file, root, given, given_at, deployments, None)
    }

    fn build(
        &self,
        file: FileId,
        root: JNode,
        given: HashMap<String, Value>,
        given_at: HashMap<String, Origin>,
        deployments: Vec<String>,
        outer: Option<(std::rc::Weak<Tpl>, CopyIndexes)>,
    ) -> Rc<Tpl> {
        let depth = deployments.len();
        Rc::new(Tpl {
            deployments_path: deployments,
            file,
            root,
            given,
            given_at,
            vars: RefCell::new(HashMap::default()),
            symbols: RefCell::new(HashMap::default()),
            instances: RefCell::new(HashMap::default()),
            deployments: RefCell::new(HashMap::default()),
            outputs: RefCell::new(HashMap::default()),
            memo: RefCell::new(HashMap::default()),
            decls: std::cell::OnceCell::new(),
            depth,
            outer,
        })
    }

    fn report(&self, msg: &str, origin: Origin) {
        // Past the evaluation budget every error is its consequence: the one diagnostic
        // about the budget says it.
        if self.budget.spent() {
            return;
        }
        let d = Diagnostic::new(
            codes::EVAL_ERROR,
            Severity::Info,
            format!("cannot evaluate expression: {msg}"),
        )
        .primary(origin, msg.to_string())
        .in_file(origin.file);
        let mut ds = self.diags.borrow_mut();
        if !ds.contains(&d) {
            ds.push(d);
        }
    }

    /// A JSON string's value: a literal, or its expression evaluated.
    ///
    /// Generated templates repeat expressions (Bicep writes the same `resourceId(…)` for
    /// every reference to a resource): each text is parsed once per evaluation, and an
    /// expression whose value cannot depend on where it is written is evaluated once per
    /// template. That is one outside a lambda and not naming `copyIndex`, evaluated at the
    /// top (not inside a declaration asked about by another, where depth guards apply),
    /// that reported nothing, and whose value is a scalar or a symbolic reference (an
    /// Unknown carries the position it was found at; a list or map is not worth the
    /// check). Everything it reads (parameters, variables, symbols, declarations, nested
    /// deployments' outputs) is the same wherever in the template it is evaluated, and a
    /// reference to what is not registered yet is Unknown, never a different value.
    fn string(&self, s: &str, cx: &Cx, origin: Origin) -> Value {
        let Some(inner) = expr::expression_text(s) else {
            return Value::String(expr::literal(s));
        };
        let memo = cx.lambda.is_empty()
            && self.declared_depth.get() == 0
            && !inner
                .as_bytes()
                .windows(9)
                .any(|w| w[0] | 0x20 == b'c' && w.eq_ignore_ascii_case(b"copyindex"));
        if memo {
            if let Some(v) = cx.tpl.memo.borrow().get(inner) {
                return v.clone();
            }
        }
        let parsed = self.parsed.borrow().get(inner).cloned();
        let parsed = parsed.unwrap_or_else(|| {
            let p = Rc::new(expr::parse(inner));
            self.parsed.borrow_mut().insert(inner.into(), p.clone());
            p
        });
        match &*parsed {
            Ok(e) => {
                let reported = self.diags.borrow().len();
                match self.eval(e, cx, origin) {
                    Ok(v) => {
                        if memo
                            && self.diags.borrow().len() == reported
                            && !self.budget.spent()
                            && matches!(
                                v,
                                Value::Null
                                    | Value::Bool(_)
                                    | Value::Number(_)
                                    | Value::String(_)
                                    | Value::Ref(_)
                            )
                        {
                            cx.tpl.memo.borrow_mut().insert(inner.into(), v.clone());
                        }
                        v
                    }
                    Err(m) => {
                        self.report(&m, origin);
                        Value::unknown(format!("evaluation error: {m}"), origin)
                    }
                }
            }
            Err(m) => {
                self.report(m, origin);
                Value::unknown(format!("expression does not parse: {m}"), origin)
            }
        }
    }

    /// Evaluates a JSON node; strings that are expressions are evaluated.
    pub fn node(&self, n: &JNode, cx: &Cx) -> Value {
        self.node_at(n, cx, Level::Root)
    }

    fn node_at(&self, n: &JNode, cx: &Cx, level: Level) -> Value {
        let origin = Origin::new(cx.tpl.file, n.span.clone());
        match &n.v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Num(x) => Value::Number(*x),
            J::Str(s) => self.string(s, cx, origin),
            J::Arr(items) => Value::list(
                items
                    .iter()
                    .map(|x| self.node_at(x, cx, Level::Other))
                    .collect(),
            ),
            J::Obj(entries) => {
                let mut m = BTreeMap::new();
                for (k, v) in entries.iter() {
                    // A nested deployment's inline template is evaluated as a template of its
                    // own (see `nested`), never in this scope.
                    if k == "template" && level == Level::Properties && v.get("resources").is_some()
                    {
                        continue;
                    }
                    if level == Level::Resource && deployment_only(k) {
                        continue;
                    }
                    if k == "copy" {
                        if let J::Arr(loops) = &v.v {
                            // Property copy: each entry defines an array property.
                            for l in loops.iter() {
                                let Some(name) = l.get("name").and_then(|x| x.as_str()) else {
                                    continue;
                                };
                                let count = l.get("count").map(|c| self.node(c, cx));
                                let Some(n) = count.as_ref().and_then(|c| c.as_number()) else {
                                    m.insert(
                                        name.to_string(),
                                        Value::unknown(
                                            format!("copy count of `{name}` is not known"),
                                            origin,
                                        ),
                                    );
                                    continue;
                                };
                                let mut items = Vec::new();
                                if let Some(input) = l.get("input") {
                                    let n =
                                        match to_count(n.max(0.0), self.copy_limit(), "copy count")
                                        {
                                            Ok(n) => n,
                                            Err(why) => {
                                                self.report(&why, origin);
                                                0
                                            }
                                        };
                                    for i in 0..n {
                                        let mut c2 = cx.clone();
                                        c2.copy.push((name.to_string(), i));
                                        items.push(self.node_at(input, &c2, Level::Other));
                                    }
                                }
                                m.insert(name.to_string(), Value::list(items));
                            }
                            continue;
                        }
                    }
                    let child = if matches!(level, Level::Root | Level::Resource)
                        && k.eq_ignore_ascii_case("properties")
                    {
                        Level::Properties
                    } else {
                        Level::Other
                    };
                    m.insert(k.clone(), self.node_at(v, cx, child));
                }
                Value::map(m)
            }
        }
    }

    fn param(&self, cx: &Cx, name: &str) -> R {
        let t = &cx.tpl.scope();
        let def = t.root.get("parameters").and_then(|p| p.get(name));
        if let Some(v) = t
            .given
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
        {
            // A null given to a parameter with a default value takes the default (what
            // Bicep modules rely on when they pass an optional value on: `tryGet(…)`).
            let defaulted =
                matches!(v, Value::Null) && def.is_some_and(|d| d.get("defaultValue").is_some());
            if !defaulted {
                return Ok(v.clone());
            }
        }
        let Some(def) = def else {
            return Err(format!("parameter `{name}` is not declared"));
        };
        // languageVersion 2.0: a nullable parameter without a value is null.
        if def.get("defaultValue").is_none()
            && def
                .get("nullable")
                .is_some_and(|n| matches!(n.v, J::Bool(true)))
        {
            return Ok(Value::Null);
        }
        let ptype = def
            .get("type")
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match def.get("defaultValue") {
            Some(d) => Ok(self.node(d, &Cx { tpl: t.clone(), copy: Vec::new(), lambda: Vec::new() })),
            // A string parameter without a value is a stable symbol: names and ids built from
            // it still match each other, and comparisons with it are not known.
            None if ptype == "string" => Ok(Value::String(format!("{{{name}}}"))),
            None => Ok(Value::unknown(
                format!("parameter `{name}` has no value (give it in a parameters file or with --parameters)"),
                Origin::new(t.file, def.span.clone()),
            )),
        }
    }

    fn variable(&self, cx: &Cx, name: &str) -> R {
        let t = &cx.tpl.scope();
        let key = name.to_ascii_lowercase();
        if let Some(s) = t.vars.borrow().get(&key) {
            return match s {
                Slot::Done(v) => Ok(v.clone()),
                Slot::InProgress => Err(format!("variable `{name}` depends on itself")),
            };
        }
        let vars = t.root.get("variables");
        let base = Cx {
            tpl: t.clone(),
            copy: Vec::new(),
            lambda: Vec::new(),
        };
        // Copy variables: variables.copy = [{name, count, input}].
        let copy_def = vars.and_then(|v| v.get("copy")).and_then(|c| {
            c.items()
                .iter()
                .find(|l| {
                    l.get("name")
                        .and_then(|x| x.as_str())
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .cloned()
        });
        let def = vars.and_then(|v| {
            v.entries()
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        });
        t.vars.borrow_mut().insert(key.clone(), Slot::InProgress);
        let v = if let Some(l) = copy_def {
            let count = l
                .get("count")
                .map(|c| self.node(c, &base))
                .and_then(|c| c.as_number());
            match (count, l.get("input")) {
                (Some(n), Some(input)) => {
                    let mut items = Vec::new();
                    let n = match to_count(n.max(0.0), self.copy_limit(), "copy count") {
                        Ok(n) => n,
                        Err(why) => {
                            self.report(&why, Origin::new(t.file, l.span.clone()));
                            0
                        }
                    };
                    for i in 0..n {
                        let mut c2 = base.clone();
                        c2.copy.push((name.to_string(), i));
                        items.push(self.node(input, &c2));
                    }
                    Value::list(items)
                }
                _ => Value::unknown(
                    format!("copy count of variable `{name}` is not known"),
                    Origin::new(t.file, l.span.clone()),
                ),
            }
        } else {
            match def {
                Some(d) => self.node(&d, &base),
                None => {
                    t.vars.borrow_mut().remove(&key);
                    return Err(format!("variable `{name}` is not declared"));
                }
            }
        };
        t.vars.borrow_mut().insert(key, Slot::Done(v.clone()));
        Ok(v)
    }

    /// The resource declarations of a template, flattened (child resources with full type
    /// and a name prefixed by the parent's), with their symbolic names. Built once per
    /// template: `reference()` to a deployment looks them up on every call.
    pub fn declarations(t: &Tpl) -> Rc<Vec<Decl>> {
        t.decls.get_or_init(|| Rc::new(Self::flatten(t))).clone()
    }

    fn flatten(t: &Tpl) -> Vec<Decl> {
        let mut out = Vec::new();
        match t.root.get("resources").map(|r| &r.v) {
            Some(J::Arr(items)) => {
                for n in items.iter() {
                    flatten_decl(n, None, None, &mut out);
                }
            }
            Some(J::Obj(entries)) => {
                for (sym, n) in entries.iter() {
                    flatten_decl(n, Some(sym.clone()), None, &mut out);
                }
            }
            _ => {}
        }
        out
    }

    /// Evaluates every resource of a template (and of its nested deployments).
    pub fn run(&self, t: &Rc<Tpl>) {
        let decls = Self::declarations(t);
        let base = t.base();
        // Symbolic names first, so `reference('sym')` resolves regardless of order. A copy
        // loop's symbolic name names a collection: its instances are `sym[0]`, `sym[1]`…
        // (languageVersion 2.0), whose count may need other symbols: single resources first.
        for pass in [false, true] {
            for (di, d) in decls.iter().enumerate() {
                if d.node.get("copy").is_some() != pass {
                    continue;
                }
                let Some(instances) = self.copy_instances(d, &base) else {
                    continue;
                };
                for (i, cx) in instances.iter().enumerate() {
                    let Some((rtype, name)) = self.type_and_name(d, cx) else {
                        continue;
                    };
                    let key = provider_key(&rtype, &name);
                    if let Some(sym) = &d.symbolic {
                        let sym = if pass {
                            format!("{}[{i}]", sym.to_ascii_lowercase())
                        } else {
                            sym.to_ascii_lowercase()
                        };
                        t.symbols.borrow_mut().insert(sym, key.clone());
                    }
                    t.instances
                        .borrow_mut()
                        .insert(key.to_ascii_lowercase(), (di, cx.copy.clone()));
                    self.declared
                        .borrow_mut()
                        .entry(key.to_ascii_lowercase())
                        .or_insert_with(|| (t.clone(), (di, cx.copy.clone())));
                }
            }
        }
        for d in decls.iter() {
            self.resource(d, &base);
        }
    }

    /// The contexts of a declaration's instances: one without `copy`, one per index with a
    /// known count; `None` when the count is not known (or over the limit).
    fn copy_instances(&self, d: &Decl, base: &Cx) -> Option<Vec<Cx>> {
        let Some(c) = d.node.get("copy").filter(|c| matches!(c.v, J::Obj(_))) else {
            return Some(vec![base.clone()]);
        };
        let name = c
            .get("name")
            .and_then(|x| x.as_str())
            .unwrap_or("copy")
            .to_string();
        let count = c.get("count").map(|x| self.node(x, base))?;
        let n = to_count(count.as_number()?.max(0.0), self.copy_limit(), "copy count").ok()?;
        Some(
            (0..n)
                .map(|i| {
                    let mut c2 = base.clone();
                    c2.copy.push((name.clone(), i));
                    c2
                })
                .collect(),
        )
    }

    /// A declaration's full type: a child resource's short type under its parent's.
    fn full_type(d: &Decl) -> Option<String> {
        let t = d.node.get("type")?.as_str()?;
        Some(match &d.parent {
            Some((pt, _)) if !t.contains('.') => format!("{pt}/{t}"),
            _ => t.to_string(),
        })
    }

    fn type_and_name(&self, d: &Decl, cx: &Cx) -> Option<(String, String)> {
        let rtype = Self::full_type(d)?;
        let name = match self.node(d.node.get("name")?, cx) {
            Value::String(s) => s,
            other => other.to_tf_string()?,
        };
        let name = match &d.parent {
            Some((_, pn)) if !name.contains('/') => {
                let pn = match self.node(pn, cx) {
                    Value::String(s) => s,
                    _ => return None,
                };
                format!("{pn}/{name}")
            }
            _ => name,
        };
        Some((rtype, name))
    }

    /// What a declaration is and why its type or name is not known (for the note).
    fn why_unnamed(&self, d: &Decl, cx: &Cx) -> (String, String) {
        let Some(rtype) = Self::full_type(d) else {
            return ("resource".into(), "its type is not known".into());
        };
        let name = d.node.get("name").map(|n| self.node(n, cx));
        let why = match name.as_ref().and_then(|n| n.find_unknown()) {
            Some(u) => format!("its name is not known ({u})"),
            None => "its name is not known".into(),
        };
        (rtype, why)
    }

    fn resource(&self, d: &Decl, base: &Cx) {
        let t = &base.tpl;
        let origin = Origin::new(t.file, d.node.span.clone());
        // copy loop
        let instances: Vec<Cx> = match d.node.get("copy") {
            Some(c) if matches!(c.v, J::Obj(_)) => {
                let name = c
                    .get("name")
                    .and_then(|x| x.as_str())
                    .unwrap_or("copy")
                    .to_string();
                let count = c.get("count").map(|x| self.node(x, base));
                match count
                    .as_ref()
                    .and_then(|v| v.as_number())
                    .map(|n| to_count(n.max(0.0), self.copy_limit(), "copy count"))
                {
                    Some(Err(why)) => {
                        self.report(&why, Origin::new(t.file, c.span.clone()));
                        Vec::new()
                    }
                    Some(Ok(n)) => (0..n)
                        .map(|i| {
                            let mut c2 = base.clone();
                            c2.copy.push((name.clone(), i));
                            c2
                        })
                        .collect(),
                    None => {
                        self.skipped.borrow_mut().push((
                            d.node
                                .get("type")
                                .and_then(|x| x.as_str())
                                .unwrap_or("?")
                                .to_string(),
                            format!(
                                "the copy count is not known ({})",
                                count.and_then(|c| c.find_unknown()).unwrap_or_default()
                            ),
                            origin,
                        ));
                        return;
                    }
                }
            }
            _ => vec![base.clone()],
        };
        for cx in instances {
            if let Some(c) = d.node.get("condition") {
                match self.node(c, &cx).as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        self.skipped.borrow_mut().push((
                            d.node
                                .get("name")
                                .and_then(|x| x.as_str())
                                .unwrap_or("?")
                                .to_string(),
                            "its `condition` is not known, so it is not analysed".into(),
                            origin,
                        ));
                        continue;
                    }
                }
            }
            let Some((rtype, name)) = self.type_and_name(d, &cx) else {
                let (what, why) = self.why_unnamed(d, &cx);
                self.skipped.borrow_mut().push((what, why, origin));
                continue;
            };
            let key = provider_key(&rtype, &name);
            let body = self.node_at(&d.node, &cx, Level::Resource);
            let mut set_at = HashMap::default();
            params_at(&d.node, &t.scope(), "", &mut set_at);
            let existing = d
                .node
                .get("existing")
                .is_some_and(|e| matches!(e.v, J::Bool(true)));
            if rtype.eq_ignore_ascii_case("Microsoft.Resources/deployments") && !existing {
                self.nested(&key, d, &cx);
            }
            self.resources.borrow_mut().push(ArmResource {
                rtype,
                name,
                key,
                symbolic: d.symbolic.clone(),
                body,
                file: t.file,
                decl: d.node.clone(),
                existing,
                deployments: t.deployments_path.clone(),
                set_at,
            });
        }
    }

    /// A nested deployment with an inline template, evaluated as a template of its own.
    ///
    /// Its scope follows `properties.expressionEvaluationOptions.scope` (Microsoft Learn,
    /// "Using linked and nested templates when deploying Azure resources"): `inner` (what
    /// Bicep always writes) evaluates the template with the parameters the deployment
    /// passes (evaluated here, in the outer template); `outer`, the default when the option
    /// is absent, evaluates its expressions with the parent's parameters and variables (its
    /// own `parameters` and `variables` sections are not used, and the deployment passes
    /// none).
    fn nested(&self, key: &str, d: &Decl, cx: &Cx) -> Option<Rc<Tpl>> {
        if let Some(t) = cx.tpl.deployments.borrow().get(&key.to_ascii_lowercase()) {
            return Some(t.clone());
        }
        let props = d.node.get("properties")?;
        let template = props.get("template")?.clone();
        if cx.tpl.depth > 16 {
            return None;
        }
        let inner_scope = props
            .get("expressionEvaluationOptions")
            .and_then(|o| o.get("scope"))
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let mut given = HashMap::default();
        let mut given_at = HashMap::default();
        if inner_scope {
            if let Some(ps) = props.get("parameters") {
                for (k, v) in ps.entries() {
                    if let Some(val) = v.get("value") {
                        given.insert(k.clone(), self.node(val, cx));
                        if let Some(o) =
                            param_ref(val).and_then(|p| given_origin(&cx.tpl.scope(), &p))
                        {
                            given_at.insert(k.clone(), o);
                        }
                    }
                }
            }
        }
        let mut path = cx.tpl.deployments_path.clone();
        path.push(key.rsplit('/').next().unwrap_or(key).to_string());
        let outer = (!inner_scope).then(|| (Rc::downgrade(&cx.tpl), cx.copy.clone()));
        let inner = self.build(cx.tpl.file, template, given, given_at, path, outer);
        cx.tpl
            .deployments
            .borrow_mut()
            .insert(key.to_ascii_lowercase(), inner.clone());
        self.run(&inner);
        Some(inner)
    }

    fn outputs_of(&self, t: &Rc<Tpl>) -> Value {
        let mut m = BTreeMap::new();
        let cx = Cx {
            tpl: t.clone(),
            copy: Vec::new(),
            lambda: Vec::new(),
        };
        for (k, o) in t.root.get("outputs").map(|o| o.entries()).unwrap_or(&[]) {
            let key = k.to_ascii_lowercase();
            let cached = match t.outputs.borrow().get(&key) {
                Some(Slot::Done(v)) => Some(v.clone()),
                Some(Slot::InProgress) => Some(Value::unknown(
                    "output depends on itself",
                    Origin::new(t.file, o.span.clone()),
                )),
                None => None,
            };
            let v = match cached {
                Some(v) => v,
                None => {
                    t.outputs.borrow_mut().insert(key.clone(), Slot::InProgress);
                    let v = match o.get("value") {
                        Some(v) => self.node(v, &cx),
                        None => Value::Null,
                    };
                    t.outputs.borrow_mut().insert(key, Slot::Done(v.clone()));
                    v
                }
            };
            let mut out = BTreeMap::new();
            out.insert("value".to_string(), v);
            m.insert(k.clone(), Value::map(out));
        }
        Value::map(m)
    }

    /// The value a resource declared in this template gives a path (`properties.x`), as its
    /// declaration evaluates: `None` for a resource declared elsewhere (`existing`, another
    /// template) or past a small nesting depth (a declaration asking about itself).
    fn declared_value(&self, cx: &Cx, r: &SymRef) -> Option<Value> {
        let key = r.addr.to_ascii_lowercase();
        let here = cx.tpl.instances.borrow().get(&key).cloned();
        let (tpl, (di, copy)) = match here {
            Some(i) => (cx.tpl.clone(), i),
            None => self.declared.borrow().get(&key).cloned()?,
        };
        if self.declared_depth.get() > 4 {
            return None;
        }
        let decls = Self::declarations(&tpl);
        let d = decls.get(di)?;
        if d.node
            .get("existing")
            .is_some_and(|e| matches!(e.v, J::Bool(true)))
        {
            return None;
        }
        // Evaluated in the template that declares it (not necessarily the caller's).
        let at = Cx {
            tpl,
            copy,
            lambda: Vec::new(),
        };
        self.declared_depth.set(self.declared_depth.get() + 1);
        let body = self.node_at(&d.node, &at, Level::Resource);
        self.declared_depth.set(self.declared_depth.get() - 1);
        let v = super::declared::descend(&body, &r.path)?.clone();
        (!v.is_unknown()).then_some(v)
    }

    /// `reference(...)`: a deployment's outputs, or a symbolic reference to a resource.
    fn reference(&self, cx: &Cx, target: &Value, full: bool, origin: Origin) -> R {
        let key = match target {
            Value::String(s) if s.contains('/') => key_of_id(s),
            Value::String(s) => match cx.tpl.symbols.borrow().get(&s.to_ascii_lowercase()) {
                Some(k) => k.clone(),
                None => {
                    return Ok(Value::unknown(
                        format!("`{s}` is not a resource of this template"),
                        origin,
                    ))
                }
            },
            other if other.is_unknown() => {
                return Ok(Value::unknown(
                    format!(
                        "reference to an unknown resource ({})",
                        other.find_unknown().unwrap_or_default()
                    ),
                    origin,
                ))
            }
            other => return Err(format!("reference() of a {}", other.type_name())),
        };
        let rtype_path: Vec<&str> = key.split('/').collect();
        let rtype = if rtype_path.len() >= 2 {
            let mut t = vec![rtype_path[0]];
            t.extend(rtype_path[1..].iter().step_by(2));
            t.join("/")
        } else {
            key.clone()
        };
        if rtype.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            let decls = Self::declarations(&cx.tpl);
            let found = cx
                .tpl
                .instances
                .borrow()
                .get(&key.to_ascii_lowercase())
                .cloned();
            if let Some((di, copy)) = found {
                let d = &decls[di];
                let at = Cx { copy, ..cx.clone() };
                if let Some(inner) = self.nested(&key, d, &at) {
                    let outs = self.outputs_of(&inner);
                    let mut props = BTreeMap::new();
                    props.insert("outputs".to_string(), outs);
                    let props = Value::map(props);
                    if full {
                        let mut m = BTreeMap::new();
                        m.insert("properties".to_string(), props);
                        return Ok(Value::map(m));
                    }
                    return Ok(props);
                }
            }
            return Ok(Value::unknown(
                format!("deployment `{key}` is not an inline template"),
                origin,
            ));
        }
        Ok(Value::Ref(std::sync::Arc::new(SymRef {
            addr: key,
            rtype,
            path: if full {
                Vec::new()
            } else {
                vec![PathSeg::Attr("properties".into())]
            },
        })))
    }

    /// ARM's own limit on one `copy` loop (800), or a lower one given.
    fn copy_limit(&self) -> usize {
        self.limits.instances.min(ARM_COPY_LIMIT)
    }

    /// Evaluates an expression. Nesting deeper than [`MAX_EVAL_DEPTH`] (a chain of
    /// thousands of variables) is an error at the expression, never a stack overflow.
    pub fn eval(&self, e: &Expr, cx: &Cx, origin: Origin) -> R {
        let depth = self.eval_depth.get();
        if depth >= MAX_EVAL_DEPTH {
            return Err(format!(
                "references or expressions nested more than {MAX_EVAL_DEPTH} deep are not evaluated"
            ));
        }
        if let Err(first) = self.budget.step() {
            let m = self.budget.message();
            if first {
                self.diags.borrow_mut().push(
                    Diagnostic::new(codes::EVAL_ERROR, Severity::Warning, m.clone())
                        .primary(origin, "the limit was reached here")
                        .in_file(origin.file),
                );
            }
            return Err(m);
        }
        self.eval_depth.set(depth + 1);
        let r = self.eval_at(e, cx, origin);
        self.eval_depth.set(depth);
        r
    }

    fn eval_at(&self, e: &Expr, cx: &Cx, origin: Origin) -> R {
        match e {
            Expr::Str(s) => Ok(Value::String(s.clone())),
            Expr::Num(n) => Ok(Value::Number(*n)),
            Expr::Ident(i) => match cx.lambda.iter().rev().find(|(n, _)| n == i) {
                Some((_, v)) => Ok(v.clone()),
                None => match i.as_str() {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" => Ok(Value::Null),
                    _ => Err(format!("unknown name `{i}`")),
                },
            },
            Expr::Prop(b, name) => {
                let v = self.eval(b, cx, origin)?;
                prop(&v, name)
            }
            Expr::Index(b, i) => {
                let v = self.eval(b, cx, origin)?;
                let k = self.eval(i, cx, origin)?;
                index(&v, &k, origin)
            }
            Expr::Call(name, args) => self.call(&name.to_ascii_lowercase(), args, cx, origin),
        }
    }

    fn lambda_parts<'e>(&self, e: &'e Expr) -> Result<(Vec<String>, &'e Expr), String> {
        match e {
            Expr::Call(n, args) if n.eq_ignore_ascii_case("lambda") && !args.is_empty() => {
                let mut names = Vec::new();
                for a in &args[..args.len() - 1] {
                    match a {
                        Expr::Str(s) => names.push(s.clone()),
                        _ => return Err("lambda() parameter names must be strings".into()),
                    }
                }
                Ok((names, &args[args.len() - 1]))
            }
            _ => Err("expected a lambda()".into()),
        }
    }

    fn apply(&self, names: &[String], body: &Expr, vals: Vec<Value>, cx: &Cx, origin: Origin) -> R {
        let mut c2 = cx.clone();
        for (n, v) in names.iter().zip(vals) {
            c2.lambda.push((n.clone(), v));
        }
        self.eval(body, &c2, origin)
    }

    fn call(&self, name: &str, args: &[Expr], cx: &Cx, origin: Origin) -> R {
        // Special forms: lazy arguments, lambdas, scope access.
        match name {
            "if" => {
                if args.len() != 3 {
                    return Err("if() takes 3 arguments".into());
                }
                let c = self.eval(&args[0], cx, origin)?;
                return match c.as_bool() {
                    Some(true) => self.eval(&args[1], cx, origin),
                    Some(false) => self.eval(&args[2], cx, origin),
                    None if c.is_unknown() => Ok(Value::unknown(
                        format!(
                            "condition not known ({})",
                            c.find_unknown().unwrap_or_default()
                        ),
                        origin,
                    )),
                    None => Err("if() needs a bool".into()),
                };
            }
            "lambdavariables" => {
                let n = match args.first() {
                    Some(Expr::Str(s)) => s.clone(),
                    _ => return Err("lambdaVariables() needs a name".into()),
                };
                return cx
                    .lambda
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("no lambda variable `{n}`"));
            }
            "filter" | "map" | "sort" | "reduce" | "toobject" | "mapvalues" | "groupby" => {
                let arr = self.eval(args.first().ok_or("missing array")?, cx, origin)?;
                if arr.is_unknown() {
                    return Ok(Value::unknown(
                        arr.find_unknown().unwrap_or_default(),
                        origin,
                    ));
                }
                let items: Vec<Value> = match (&arr, name) {
                    (Value::Map(m), "mapvalues") => m.values().cloned().collect(),
                    _ => list_of(&arr, name)?.to_vec(),
                };
                match name {
                    "filter" | "map" => {
                        let (names, body) =
                            self.lambda_parts(args.get(1).ok_or("missing lambda")?)?;
                        let mut out = Vec::new();
                        for (i, it) in items.into_iter().enumerate() {
                            let v = self.apply(
                                &names,
                                body,
                                vec![it.clone(), Value::Number(i as f64)],
                                cx,
                                origin,
                            )?;
                            if name == "map" {
                                out.push(v);
                            } else {
                                match v.as_bool() {
                                    Some(true) => out.push(it),
                                    Some(false) => {}
                                    None => {
                                        return Ok(Value::unknown(
                                            "filter condition not known",
                                            origin,
                                        ))
                                    }
                                }
                            }
                        }
                        return Ok(Value::list(out));
                    }
                    "reduce" => {
                        let mut acc =
                            self.eval(args.get(1).ok_or("missing initial value")?, cx, origin)?;
                        let (names, body) =
                            self.lambda_parts(args.get(2).ok_or("missing lambda")?)?;
                        for (i, it) in items.into_iter().enumerate() {
                            acc = self.apply(
                                &names,
                                body,
                                vec![acc, it, Value::Number(i as f64)],
                                cx,
                                origin,
                            )?;
                        }
                        return Ok(acc);
                    }
                    "sort" => {
                        let (names, body) =
                            self.lambda_parts(args.get(1).ok_or("missing lambda")?)?;
                        let mut v = items;
                        let mut err = None;
                        v.sort_by(|a, b| {
                            match self.apply(&names, body, vec![a.clone(), b.clone()], cx, origin) {
                                Ok(Value::Bool(true)) => std::cmp::Ordering::Less,
                                Ok(_) => std::cmp::Ordering::Greater,
                                Err(e) => {
                                    err = Some(e);
                                    std::cmp::Ordering::Equal
                                }
                            }
                        });
                        return match err {
                            Some(e) => Err(e),
                            None => Ok(Value::list(v)),
                        };
                    }
                    "toobject" => {
                        let (kn, kb) =
                            self.lambda_parts(args.get(1).ok_or("missing key lambda")?)?;
                        let vl = args.get(2).map(|a| self.lambda_parts(a)).transpose()?;
                        let mut out = BTreeMap::new();
                        for it in items {
                            let k = self.apply(&kn, kb, vec![it.clone()], cx, origin)?;
                            let Some(k) = k.to_tf_string() else {
                                return Ok(Value::unknown("toObject key not known", origin));
                            };
                            let v = match &vl {
                                Some((vn, vb)) => self.apply(vn, vb, vec![it], cx, origin)?,
                                None => it,
                            };
                            out.insert(k, v);
                        }
                        return Ok(Value::map(out));
                    }
                    "mapvalues" => {
                        let Value::Map(m) = &arr else {
                            return Err("mapValues() needs an object".into());
                        };
                        let (names, body) =
                            self.lambda_parts(args.get(1).ok_or("missing lambda")?)?;
                        let mut out = BTreeMap::new();
                        for (k, v) in m.iter() {
                            out.insert(
                                k.clone(),
                                self.apply(&names, body, vec![v.clone()], cx, origin)?,
                            );
                        }
                        return Ok(Value::map(out));
                    }
                    _ => {
                        let (names, body) =
                            self.lambda_parts(args.get(1).ok_or("missing lambda")?)?;
                        let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
                        for it in items {
                            let k = self.apply(&names, body, vec![it.clone()], cx, origin)?;
                            out.entry(k.to_tf_string().unwrap_or_default())
                                .or_default()
                                .push(it);
                        }
                        return Ok(Value::map(
                            out.into_iter().map(|(k, v)| (k, Value::list(v))).collect(),
                        ));
                    }
                }
            }
            "copyindex" => {
                let mut name: Option<String> = None;
                let mut offset = 0.0;
                for a in args {
                    match self.eval(a, cx, origin)? {
                        Value::String(s) => name = Some(s),
                        Value::Number(n) => offset = n,
                        _ => {}
                    }
                }
                let found = match &name {
                    Some(n) => cx
                        .copy
                        .iter()
                        .rev()
                        .find(|(k, _)| k.eq_ignore_ascii_case(n)),
                    None => cx.copy.last(),
                };
                return match found {
                    Some((_, i)) => Ok(Value::Number(*i as f64 + offset)),
                    None => Err("copyIndex() outside a copy loop".into()),
                };
            }
            _ => {}
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a, cx, origin)?);
        }
        let unk = |r: String| Ok(Value::unknown(r, origin));
        match name {
            "parameters" => {
                return self.param(
                    cx,
                    &s_of(vals.first().ok_or("parameters() needs a name")?, name)?,
                )
            }
            "variables" => {
                return self.variable(
                    cx,
                    &s_of(vals.first().ok_or("variables() needs a name")?, name)?,
                )
            }
            "reference" => {
                let full = vals
                    .iter()
                    .skip(1)
                    .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("full")));
                return self.reference(
                    cx,
                    vals.first().ok_or("reference() needs a target")?,
                    full,
                    origin,
                );
            }
            // `contains(reference('fw'), 'ipConfigurations')`: whether a declared resource
            // sets a property is known from its declaration.
            "contains" => {
                if let Some(Value::Ref(r)) = vals.first() {
                    if let Some(declared) = self.declared_value(cx, r) {
                        let mut vals = vals.clone();
                        vals[0] = declared;
                        if let Some(out) = funcs::call(name, &vals, origin) {
                            return out;
                        }
                    }
                }
            }
            _ => {}
        }
        match funcs::call(name, &vals, origin) {
            Some(r) => r.and_then(crate::frontend::value::check_size),
            None => unk(format!("function `{name}()` is not known to routelint")),
        }
    }
}

/// The parameter a JSON string is exactly (`"[parameters('x')]"`), if any.
fn param_ref(n: &JNode) -> Option<String> {
    let J::Str(s) = &n.v else { return None };
    match expr::classify(s) {
        Ok(Parsed::Expr(Expr::Call(f, args))) if f.eq_ignore_ascii_case("parameters") => {
            match args.as_slice() {
                [Expr::Str(p)] => Some(p.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Where a parameter of `t` is written in a parameters file, if it is given there.
fn given_origin(t: &Tpl, name: &str) -> Option<Origin> {
    t.given_at
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, o)| *o)
}

/// Records, under `path`, every property whose value is exactly a parameter given in a
/// parameters file (copy loops are skipped: their items have no single source).
fn params_at(n: &JNode, t: &Tpl, path: &str, out: &mut HashMap<String, Origin>) {
    if t.given_at.is_empty() {
        return;
    }
    match &n.v {
        J::Str(_) => {
            if let Some(o) = param_ref(n).and_then(|p| given_origin(t, &p)) {
                out.insert(path.to_string(), o);
            }
        }
        J::Arr(items) => {
            for (i, x) in items.iter().enumerate() {
                params_at(x, t, &format!("{path}[{i}]"), out);
            }
        }
        J::Obj(entries) => {
            for (k, v) in entries.iter() {
                if k == "copy" || (k == "template" && path == "properties") {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                params_at(v, t, &p, out);
            }
        }
        _ => {}
    }
}

/// `resourceId([subscriptionId], [resourceGroupName], type, name1, name2…)`.
pub(super) fn resource_id(func: &str, args: &[String]) -> Result<String, String> {
    if func == "extensionresourceid" {
        let (scope, rest) = args
            .split_first()
            .ok_or("extensionResourceId() needs a scope")?;
        let inner = resource_id("tenantresourceid", rest)?;
        return Ok(format!(
            "{scope}{}",
            inner
                .trim_start_matches('/')
                .strip_prefix("providers")
                .map(|s| format!("/providers{s}"))
                .unwrap_or(inner)
        ));
    }
    let ti = args
        .iter()
        .position(|a| a.contains('/') && a.contains('.'))
        .ok_or("resourceId() needs a resource type")?;
    let rtype = args[ti].trim_end_matches('/');
    let names = &args[ti + 1..];
    let types: Vec<&str> = rtype.split('/').collect();
    if names.len() + 1 != types.len() {
        return Err(format!(
            "resourceId(): {} names for type `{rtype}`",
            names.len()
        ));
    }
    let mut path = types[0].to_string();
    for (t, n) in types[1..].iter().zip(names) {
        path.push('/');
        path.push_str(t);
        path.push('/');
        path.push_str(n);
    }
    let (sub, rg) = match ti {
        2 => (args[0].clone(), Some(args[1].clone())),
        1 if func == "subscriptionresourceid" => (args[0].clone(), None),
        1 => ("{subscriptionId}".into(), Some(args[0].clone())),
        _ => (
            "{subscriptionId}".into(),
            Some("{resourceGroupName}".into()),
        ),
    };
    Ok(match (func, rg) {
        ("tenantresourceid", _) => format!("/providers/{path}"),
        ("subscriptionresourceid", _) => format!("/subscriptions/{sub}/providers/{path}"),
        (_, Some(rg)) => format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{path}"),
        (_, None) => format!("/subscriptions/{sub}/providers/{path}"),
    })
}

pub fn prop(v: &Value, name: &str) -> R {
    match v {
        Value::Map(m) => ci_get(m, name)
            .cloned()
            .ok_or_else(|| format!("the object has no property `{name}`")),
        Value::Ref(r) => Ok(r.child(PathSeg::Attr(name.to_string()))),
        Value::Unknown(_) => Ok(v.clone()),
        Value::Null => Err(format!("property `{name}` of null")),
        other => Err(format!("a {} has no property `{name}`", other.type_name())),
    }
}

pub fn index(v: &Value, k: &Value, origin: Origin) -> R {
    if k.is_unknown() {
        return Ok(Value::unknown(k.find_unknown().unwrap_or_default(), origin));
    }
    match v {
        Value::List(l) => {
            let n = k.as_number().ok_or("an array index must be a number")?;
            l.get(n as usize)
                .cloned()
                .ok_or_else(|| format!("index {n} is out of range (length {})", l.len()))
        }
        Value::Map(m) => {
            let s = k.to_tf_string().ok_or("an object key must be a string")?;
            ci_get(m, &s)
                .cloned()
                .ok_or_else(|| format!("the object has no property `{s}`"))
        }
        Value::Ref(r) => Ok(r.child(match k {
            Value::Number(n) => PathSeg::Index(*n as usize),
            other => PathSeg::Attr(other.to_tf_string().unwrap_or_default()),
        })),
        Value::Unknown(_) => Ok(v.clone()),
        other => Err(format!("cannot index a {}", other.type_name())),
    }
}

/// A resource declaration with its parent (type, name node) for nested child resources.
#[derive(Clone, Debug)]
pub struct Decl {
    pub node: JNode,
    pub symbolic: Option<String>,
    pub parent: Option<(String, JNode)>,
}

fn flatten_decl(
    n: &JNode,
    symbolic: Option<String>,
    parent: Option<(String, JNode)>,
    out: &mut Vec<Decl>,
) {
    out.push(Decl {
        node: n.clone(),
        symbolic,
        parent: parent.clone(),
    });
    if let (Some(children), Some(t), Some(name)) = (
        n.get("resources"),
        n.get("type").and_then(|t| t.as_str()),
        n.get("name"),
    ) {
        let full_type = match &parent {
            Some((pt, _)) if !t.contains('.') => format!("{pt}/{t}"),
            _ => t.to_string(),
        };
        // The child's name is prefixed with the parent's (possibly an expression): keep the
        // parent's name node, and build `parent/child` at evaluation.
        let name_node = match &parent {
            Some((_, pn)) => {
                // parent of a grandchild: join names textually when both are literals
                match (pn.as_str(), name.as_str()) {
                    (Some(a), Some(b))
                        if !a.starts_with('[') && !b.starts_with('[') && !b.contains('/') =>
                    {
                        JNode {
                            v: J::Str(format!("{a}/{b}")),
                            span: name.span.clone(),
                        }
                    }
                    _ => name.clone(),
                }
            }
            None => name.clone(),
        };
        for c in children.items() {
            flatten_decl(c, None, Some((full_type.clone(), name_node.clone())), out);
        }
    }
}

impl Cx {
    pub fn new(tpl: Rc<Tpl>) -> Self {
        Cx {
            tpl,
            copy: Vec::new(),
            lambda: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates one expression in a template with the given parameters and variables.
    fn ev(expr_src: &str, template: &str) -> Value {
        let root = super::super::json::parse(template).expect("template");
        let e = ArmEval::new();
        let t = e.template(0, root, HashMap::default(), Vec::new());
        let cx = Cx::new(t);
        let parsed = super::super::expr::parse(expr_src).expect("parses");
        e.eval(&parsed, &cx, Origin::default())
            .unwrap_or_else(|m| panic!("{expr_src}: {m}"))
    }

    const T: &str = r#"{
      "parameters": {
        "prefix": {"type": "string", "defaultValue": "10.20.0.0/16"},
        "names": {"type": "array", "defaultValue": ["a", "b", "c"]},
        "unset": {"type": "string"},
        "count": {"type": "int"}
      },
      "variables": {
        "hub": "[format('vnet-{0}', 'hub')]",
        "obj": {"x": {"y": 1}},
        "copy": [{"name": "nets", "count": 3, "input": "[cidrSubnet(parameters('prefix'), 24, copyIndex('nets'))]"}]
      },
      "resources": []
    }"#;

    fn s(v: Value) -> String {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| panic!("not a string: {v:?}"))
    }

    #[test]
    fn strings_and_formats() {
        assert_eq!(s(ev("concat('a', '-', string(3))", T)), "a-3");
        assert_eq!(
            s(ev("format('{0}/{1}', variables('hub'), 'x')", T)),
            "vnet-hub/x"
        );
        assert_eq!(s(ev("toUpper(replace('a-b', '-', '_'))", T)), "A_B");
        assert_eq!(s(ev("first(split('a/b', '/'))", T)), "a");
        assert_eq!(s(ev("last(parameters('names'))", T)), "c");
        assert_eq!(ev("length(parameters('names'))", T).as_number(), Some(3.0));
        assert_eq!(
            ev("contains(parameters('names'), 'b')", T).as_bool(),
            Some(true)
        );
        assert_eq!(ev("empty(createArray())", T).as_bool(), Some(true));
        assert_eq!(s(ev("if(equals(1, 1), 'yes', 'no')", T)), "yes");
        assert_eq!(ev("and(true, not(false))", T).as_bool(), Some(true));
        assert_eq!(ev("json('{\"a\": [1]}').a[0]", T).as_number(), Some(1.0));
        assert_eq!(ev("variables('obj').x.y", T).as_number(), Some(1.0));
        assert_eq!(
            ev("union(createObject('a', 1), createObject('b', 2)).b", T).as_number(),
            Some(2.0)
        );
        assert_eq!(
            ev("length(take(skip(range(0, 10), 2), 3))", T).as_number(),
            Some(3.0)
        );
    }

    #[test]
    fn cidr_functions_follow_arm_semantics() {
        assert_eq!(
            s(ev("cidrSubnet('10.144.0.0/20', 24, 3)", T)),
            "10.144.3.0/24"
        );
        assert_eq!(s(ev("cidrHost('10.144.3.0/24', 0)", T)), "10.144.3.1");
        assert_eq!(
            s(ev("parseCidr('10.144.0.0/20').broadcast", T)),
            "10.144.15.255"
        );
        assert_eq!(s(ev("variables('nets')[2]", T)), "10.20.2.0/24");
    }

    #[test]
    fn resource_ids_and_references() {
        assert_eq!(
            s(ev("resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'fw')", T)),
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/hub/subnets/fw"
        );
        assert_eq!(
            s(ev("resourceId('rg-net', 'Microsoft.Network/routeTables', 'rt')", T)),
            "/subscriptions/{subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/routeTables/rt"
        );
        match ev("reference(resourceId('Microsoft.Network/azureFirewalls', 'fw'), '2024-05-01').ipConfigurations[0].properties.privateIPAddress", T) {
            Value::Ref(r) => {
                assert_eq!(r.addr, "Microsoft.Network/azureFirewalls/fw");
                assert_eq!(r.rtype, "Microsoft.Network/azureFirewalls");
                assert_eq!(r.attr_names().last().copied(), Some("privateIPAddress"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lambdas() {
        assert_eq!(ev("length(filter(parameters('names'), lambda('n', not(equals(lambdaVariables('n'), 'b')))))", T).as_number(), Some(2.0));
        assert_eq!(
            s(ev(
                "map(parameters('names'), lambda('n', toUpper(lambdaVariables('n'))))[1]",
                T
            )),
            "B"
        );
        assert_eq!(ev("reduce(range(1, 4), 0, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x'))))", T).as_number(), Some(10.0));
        assert_eq!(s(ev("items(createObject('k', 'v'))[0].key", T)), "k");
    }

    #[test]
    fn deployment_time_values_are_symbols_not_guesses() {
        // A string parameter without a value is a stable placeholder...
        assert_eq!(
            s(ev("format('vnet-{0}', parameters('unset'))", T)),
            "vnet-{unset}"
        );
        // ...which compares as unknown, not false.
        assert!(ev("equals(parameters('unset'), 'prod')", T).is_unknown());
        // uniqueString is deterministic in its arguments.
        assert_eq!(
            s(ev("uniqueString(resourceGroup().id)", T)),
            s(ev("uniqueString(resourceGroup().id)", T))
        );
        assert_ne!(s(ev("uniqueString('a')", T)), s(ev("uniqueString('b')", T)));
        // Other parameters without a value are Unknown.
        assert!(ev("parameters('count')", T).is_unknown());
        assert!(ev("add(parameters('count'), 1)", T).is_unknown());
    }

    /// An unset string parameter may be anything (an id with `/` in it): what looks inside
    /// its text is Unknown, not an "index out of range" on a one-element split.
    #[test]
    fn an_unset_parameter_text_is_not_known() {
        let u = ev("split(parameters('unset'), '/')", T);
        assert!(u.is_unknown(), "{u:?}");
        assert!(u.find_unknown().unwrap().contains("`{unset}`"));
        assert!(ev("split(parameters('unset'), '/')[4]", T).is_unknown());
        for e in [
            "length(parameters('unset'))",
            "substring(parameters('unset'), 0, 3)",
            "indexOf(parameters('unset'), '/')",
            "last(parameters('unset'))",
            "empty(parameters('unset'))",
            "startsWith(parameters('unset'), '/subscriptions')",
            "contains(format('vnet-{0}', parameters('unset')), 'hub')",
        ] {
            assert!(ev(e, T).is_unknown(), "{e}");
        }
        // What the known part of the text already answers stays known.
        assert_eq!(
            ev(
                "startsWith(format('vnet-{0}', parameters('unset')), 'vnet-')",
                T
            )
            .as_bool(),
            Some(true)
        );
        // Deployment placeholders have a known shape: a resource group id splits.
        assert_eq!(
            s(ev("split(resourceGroup().id, '/')[4]", T)),
            "{resourceGroupName}"
        );
    }

    /// Evaluates a whole template (no parameters given): the evaluation and the template.
    fn evaluated(template: &str) -> (ArmEval, Rc<Tpl>) {
        let root = super::super::json::parse(template).expect("template");
        let e = ArmEval::new();
        let t = e.template(0, root, HashMap::default(), Vec::new());
        e.run(&t);
        (e, t)
    }

    /// Evaluates a whole template and returns its resources' (name, body) pairs.
    fn resources_of(template: &str) -> (Vec<(String, Value)>, Vec<String>) {
        let (e, _) = evaluated(template);
        let rs = e
            .resources
            .borrow()
            .iter()
            .map(|r| (r.name.clone(), r.body.clone()))
            .collect();
        let diags = e.diags.borrow().iter().map(|d| d.message.clone()).collect();
        (rs, diags)
    }

    /// Spans are found in the declaration when asked: plain paths, array items, an array
    /// written as a property `copy` loop (the loop, and its `input` for each item), the
    /// nearest ancestor for a path that is not written.
    #[test]
    fn property_paths_are_located_in_the_declaration() {
        let text = r#"{"resources": [{"type": "Microsoft.Network/virtualNetworks",
          "apiVersion": "2024-05-01", "name": "vnet",
          "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "copy": [{"name": "subnets", "count": 2,
              "input": {"name": "[format('s{0}', copyIndex('subnets'))]",
                        "properties": {"addressPrefix": "[format('10.0.{0}.0/24', copyIndex('subnets'))]"}}}]}}]}"#;
        let (e, _) = evaluated(text);
        let r = e.resources.borrow()[0].clone();
        let at = |p: &str| r.span_at(p).map(|s| &text[s]);
        assert_eq!(at("addressSpace"), None, "paths start at the declaration");
        assert_eq!(
            at("properties.addressSpace.addressPrefixes[0]"),
            Some("\"10.0.0.0/16\"")
        );
        assert_eq!(at("properties.addressSpace.addressPrefixes[1]"), None);
        assert!(at("properties.subnets").is_some_and(|s| s.starts_with("{\"name\": \"subnets\"")));
        assert_eq!(
            at("properties.subnets[1].properties.addressPrefix"),
            Some("\"[format('10.0.{0}.0/24', copyIndex('subnets'))]\"")
        );
        assert_eq!(at("name"), Some("\"vnet\""));
        assert!(at("").is_some_and(|s| s
            .starts_with("{\"type\": \"Microsoft.Network/virtualNetworks\"")
            && s.ends_with("}}]}}")));
        // Not written: the nearest ancestor that is.
        assert_eq!(
            &text[r.span_of("properties.addressSpace.other").start
                ..r.span_of("properties.addressSpace.other").end],
            &text[r.span_at("properties.addressSpace").expect("written")]
        );
        // The evaluated array has both items.
        let subnets = crate::frontend::arm::lower::get(&r.body, "properties.subnets");
        assert_eq!(subnets.and_then(|v| v.as_list()).map(|l| l.len()), Some(2));
    }

    /// One walker asked many paths in any order (each walk resumes from the one before)
    /// answers each exactly as a fresh walk does: written paths, copy-loop items, paths
    /// that are not written (and their ancestors, as `span_of` climbs), and prefixes that
    /// share bytes but not segments (`properties.subnets` / `properties.subnetsX`).
    #[test]
    fn a_resumed_walk_finds_what_a_fresh_walk_finds() {
        let text = r#"{"resources": [{"type": "Microsoft.Network/virtualNetworks",
          "apiVersion": "2024-05-01", "name": "vnet",
          "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16", "10.1.0.0/16"]},
            "subnetsX": {"a": 1},
            "virtualNetworkPeerings": [{"name": "p0", "properties": {"allowForwardedTraffic": true}},
                                       {"name": "p1", "properties": {}}],
            "copy": [{"name": "subnets", "count": 2,
              "input": {"name": "[format('s{0}', copyIndex('subnets'))]",
                        "properties": {"addressPrefix": "[format('10.0.{0}.0/24', copyIndex('subnets'))]"}}}]}}]}"#;
        let (e, _) = evaluated(text);
        let r = e.resources.borrow()[0].clone();
        let paths = [
            "",
            "name",
            "properties",
            "properties.addressSpace",
            "properties.addressSpace.addressPrefixes",
            "properties.addressSpace.addressPrefixes[0]",
            "properties.addressSpace.addressPrefixes[1]",
            "properties.addressSpace.addressPrefixes[2]",
            "properties.addressSpace.other",
            "properties.subnets",
            "properties.subnets[0]",
            "properties.subnets[1].name",
            "properties.subnets[1].properties.addressPrefix",
            "properties.subnets[0].properties.routeTable",
            "properties.subnets.name",
            "properties.subnetsX",
            "properties.subnetsX.a",
            "properties.virtualNetworkPeerings[0].properties.allowForwardedTraffic",
            "properties.virtualNetworkPeerings[1].properties.allowForwardedTraffic",
            "properties.virtualNetworkPeerings[1]",
            "properties.virtualNetworkPeerings[10]",
            "properties.virtualNetworkPeerings[x]",
            "[0]",
            "nope.deeper",
        ];
        let fresh: Vec<_> = paths.iter().map(|p| Spans::new(&r).span_at(p)).collect();
        assert!(fresh[12].is_some() && fresh[13].is_none() && fresh[16].is_some());
        // Forward, backward and interleaved orders through one walker.
        let orders: Vec<Vec<usize>> = vec![
            (0..paths.len()).collect(),
            (0..paths.len()).rev().collect(),
            (0..paths.len()).map(|i| (i * 7) % paths.len()).collect(),
        ];
        for order in orders {
            let w = Spans::new(&r);
            for &i in &order {
                assert_eq!(w.span_at(paths[i]), fresh[i], "{}", paths[i]);
                assert_eq!(w.span_of(paths[i]), r.span_of(paths[i]), "{}", paths[i]);
            }
        }
    }

    /// An expression written many times is evaluated once per template only where its
    /// value cannot depend on the place: the same text gives each copy its own index,
    /// each nested template its own parameters, each lambda its own variable; an error is
    /// reported at every place it is written, and an Unknown keeps its own position.
    #[test]
    fn repeated_expressions_keep_their_place_dependent_values() {
        let nested = |p: &str| {
            format!(
                r#"{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d-{p}",
                  "properties": {{"mode": "Incremental", "expressionEvaluationOptions": {{"scope": "inner"}},
                    "parameters": {{"p": {{"value": "{p}"}}}},
                    "template": {{"parameters": {{"p": {{"type": "string"}}}},
                      "resources": [{{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
                        "name": "[format('rt-{{0}}', parameters('p'))]"}}]}}}}}}"#
            )
        };
        let text = format!(
            r#"{{"parameters": {{"p": {{"type": "string", "defaultValue": "root"}}, "unset": {{"type": "string"}}}},
              "resources": [
                {{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
                  "name": "[format('rt-{{0}}', parameters('p'))]",
                  "properties": {{"a": "[int('x')]", "b": "[int('x')]",
                    "c": "[reference('nosuch')]", "d": "[reference('nosuch')]",
                    "e": "[map(createArray(1, 2), lambda('x', add(lambdaVariables('x'), 1)))]",
                    "f": "[map(createArray(5), lambda('x', add(lambdaVariables('x'), 1)))]"}}}},
                {{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-05-01",
                  "name": "[format('pip-{{0}}', copyIndex())]", "copy": {{"name": "pips", "count": 3}}}},
                {n1}, {n2}]}}"#,
            n1 = nested("one"),
            n2 = nested("two")
        );
        let (e, _) = evaluated(&text);
        let names: Vec<String> = e
            .resources
            .borrow()
            .iter()
            .map(|r| r.name.clone())
            .collect();
        for n in ["rt-root", "pip-0", "pip-1", "pip-2", "rt-one", "rt-two"] {
            assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
        }
        let errors = e
            .diags
            .borrow()
            .iter()
            .filter(|d| d.message.contains("int"))
            .count();
        assert_eq!(errors, 2, "{:?}", e.diags.borrow());
        let rt = e.resources.borrow()[0].clone();
        let prop = |k: &str| {
            crate::frontend::arm::lower::get(&rt.body, &format!("properties.{k}"))
                .cloned()
                .expect("evaluated")
        };
        let at = |k: &str| match prop(k) {
            Value::Unknown(u) => u.origin,
            other => panic!("{k}: {other:?}"),
        };
        assert_ne!(at("c"), at("d"), "each Unknown where it is written");
        assert_eq!(
            &text[at("d").start..at("d").end],
            "\"[reference('nosuch')]\""
        );
        let nums = |k: &str| -> Vec<f64> {
            prop(k)
                .as_list()
                .expect("a list")
                .iter()
                .filter_map(|v| v.as_number())
                .collect()
        };
        assert_eq!(nums("e"), vec![2.0, 3.0]);
        assert_eq!(nums("f"), vec![6.0]);
    }

    /// A provider key pairs each type segment with its name; a missing name is `?`, an
    /// extra one is not part of the key.
    #[test]
    fn provider_keys_pair_types_with_names() {
        let k = provider_key;
        assert_eq!(
            k("Microsoft.Network/virtualNetworks/subnets", "hub/fw"),
            "Microsoft.Network/virtualNetworks/hub/subnets/fw"
        );
        assert_eq!(
            k("Microsoft.Network/virtualNetworks/subnets", "hub"),
            "Microsoft.Network/virtualNetworks/hub/subnets/?"
        );
        assert_eq!(
            k("Microsoft.Network/routeTables", "rt/extra"),
            "Microsoft.Network/routeTables/rt"
        );
        assert_eq!(k("Microsoft.Network", "x"), "Microsoft.Network");
        assert_eq!(k("", ""), "");
    }

    /// What only orders or documents a deployment is not evaluated: a `dependsOn` that
    /// cannot be evaluated reports nothing and is not in the body; the same expression in a
    /// property is reported there.
    #[test]
    fn dependencies_are_not_evaluated() {
        let (rs, diags) = resources_of(
            r#"{"resources": [{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
              "name": "rt", "comments": "[int('c')]", "dependsOn": ["[int('x')]"],
              "properties": {"dependsOn": "[int('y')]"}}]}"#,
        );
        let body = &rs[0].1;
        let get = |p: &str| crate::frontend::arm::lower::get(body, p);
        assert!(
            get("dependsOn").is_none() && get("apiVersion").is_none() && get("comments").is_none()
        );
        assert!(get("name").is_some());
        assert!(get("properties.dependsOn").is_some_and(|v| v.is_unknown()));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].contains("int"), "{diags:?}");
    }

    /// An outer-scope nested template refers to its parent weakly: once the evaluation is
    /// dropped nothing keeps the templates alive (a cycle leaked them, found by fuzzing).
    #[test]
    fn outer_scope_templates_do_not_keep_each_other_alive() {
        let (e, t) = evaluated(
            r#"{"parameters": {"p": {"type": "string", "defaultValue": "x"}}, "resources": [
              {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d",
               "properties": {"mode": "Incremental", "template": {"resources": [
                 {"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
                  "name": "[parameters('p')]", "properties": {}}]}}}]}"#,
        );
        let inner = t
            .deployments
            .borrow()
            .values()
            .next()
            .cloned()
            .expect("nested");
        assert_eq!(inner.scope().file, t.file);
        assert!(Rc::ptr_eq(&inner.scope(), &t));
        drop(inner);
        drop(e);
        assert_eq!(
            Rc::strong_count(&t),
            1,
            "a nested template holds its parent"
        );
    }

    /// A nested deployment without `expressionEvaluationOptions` (or `scope: outer`) reads
    /// the parent's parameters and variables, and its `copyIndex()` sees the deployment's
    /// loop; `scope: inner` reads only the parameters the deployment passes.
    #[test]
    fn nested_deployments_outer_and_inner_scope() {
        let nested = |opts: &str, params: &str| {
            format!(
                r#"{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
                  "name": "[concat('d', copyIndex())]", "copy": {{"name": "dl", "count": 2}},
                  "properties": {{ {opts} "mode": "Incremental", {params}
                    "template": {{"parameters": {{"name": {{"type": "string", "defaultValue": "own"}}}},
                      "variables": {{"suffix": "own"}},
                      "resources": [{{"type": "Microsoft.Network/routeTables", "apiVersion": "2024-05-01",
                        "name": "[concat(parameters('name'), '-', variables('suffix'), '-', copyIndex('dl'))]",
                        "properties": {{}}}}]}}}}}}"#
            )
        };
        let tpl = |n: String| {
            format!(
                r#"{{"parameters": {{"name": {{"type": "string", "defaultValue": "parent"}}}},
                  "variables": {{"suffix": "pv"}}, "resources": [{n}]}}"#
            )
        };
        let names = |t: String| {
            let (rs, diags) = resources_of(&t);
            let mut n: Vec<String> = rs
                .into_iter()
                .map(|(n, _)| n)
                .filter(|n| n.contains('-'))
                .collect();
            n.sort();
            (n, diags)
        };
        // No option: outer.
        let (n, d) = names(tpl(nested("", "")));
        assert_eq!(n, ["parent-pv-0", "parent-pv-1"], "{d:?}");
        let (n, _) = names(tpl(nested(
            r#""expressionEvaluationOptions": {"scope": "Outer"},"#,
            "",
        )));
        assert_eq!(n, ["parent-pv-0", "parent-pv-1"]);
        // Inner: its own parameters (given by the deployment, else their defaults) and
        // variables; the deployment's loop is not in scope.
        let (n, d) = names(tpl(nested(
            r#""expressionEvaluationOptions": {"scope": "inner"},"#,
            r#""parameters": {"name": {"value": "[concat(parameters('name'), 'given')]"}},"#,
        )));
        assert!(n.is_empty(), "{n:?}");
        assert!(d.iter().any(|m| m.contains("copyIndex() outside")), "{d:?}");
        let (n, d) = names(
            tpl(nested(
                r#""expressionEvaluationOptions": {"scope": "inner"},"#,
                "",
            ))
            .replace("-', copyIndex('dl')", "-', 'x'"),
        );
        assert_eq!(n, ["own-own-x", "own-own-x"], "{d:?}");
        let (n, _) = names(
            tpl(nested(
                r#""expressionEvaluationOptions": {"scope": "inner"},"#,
                r#""parameters": {"name": {"value": "[concat(parameters('name'), 'given')]"}},"#,
            ))
            .replace("-', copyIndex('dl')", "-', 'x'"),
        );
        assert_eq!(n, ["parentgiven-own-x", "parentgiven-own-x"]);
    }
}
