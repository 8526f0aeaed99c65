//! A small Terraform evaluator over the hcl-edit syntax tree.
//!
//! It evaluates lazily (a local, variable, resource or module output is computed when first
//! referenced and memoised), so references may appear in any order across files and
//! modules. Values that cannot be known statically become [`Value::Unknown`] with a reason
//! and position; references to computed resource attributes become [`Value::Ref`], which
//! the lowering turns into IR links ("the private IP of firewall `hub`").
//!
//! **Invariant:** evaluation never fails a whole module: an error in one expression makes
//! that value Unknown and is reported as an `eval-error` diagnostic with its position.

use super::funcs;
use super::parse::{FileExpr, ModCall, ModuleDef, ResDef};
use super::value::{Entity, PathSeg, SymRef, Value};
use crate::diag::{codes, Diagnostic, Severity};
use crate::source::{FileId, Origin, SourceMap};
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::Body;
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

/// An evaluation error: message and position.
#[derive(Clone, Debug)]
pub struct EvalErr {
    pub msg: String,
    pub origin: Origin,
}

type R = Result<Value, EvalErr>;

fn err(msg: impl Into<String>, origin: Origin) -> EvalErr {
    EvalErr {
        msg: msg.into(),
        origin,
    }
}

enum Slot {
    InProgress,
    Done(Value),
}

/// How a module call expanded.
#[derive(Clone)]
pub enum Children {
    Single(Rc<ModInst>),
    Count(Vec<Rc<ModInst>>),
    ForEach(Vec<(String, Rc<ModInst>)>),
    /// Not a local module, or count/for_each unknown: the value to use for it.
    Opaque(Value),
}

struct CallerCtx {
    scope: Scope,
    call: ModCall,
}

/// One instance of a module (the root, or one expansion of a `module` block).
pub struct ModInst {
    /// Address prefix of everything inside: `""`, `module.hub.`, `module.spoke["a"].`.
    pub prefix: String,
    pub def: Arc<ModuleDef>,
    caller: Option<CallerCtx>,
    depth: usize,
    vars: RefCell<HashMap<String, Slot>>,
    locals: RefCell<HashMap<String, Slot>>,
    resources: RefCell<HashMap<(String, String), Slot>>,
    outputs: RefCell<HashMap<String, Slot>>,
    children: RefCell<HashMap<String, Option<Children>>>,
}

/// The instance plus variables bound by `count`, `for_each`, `for` and `dynamic`.
#[derive(Clone)]
pub struct Scope {
    pub inst: Rc<ModInst>,
    vars: Rc<Vec<(String, Value)>>,
}

impl Scope {
    fn with(&self, bind: Vec<(String, Value)>) -> Scope {
        let mut v = (*self.vars).clone();
        v.extend(bind);
        Scope {
            inst: self.inst.clone(),
            vars: Rc::new(v),
        }
    }
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// An evaluated resource instance.
pub struct ResInst {
    pub entity: Rc<Entity>,
    /// Major azurerm version of the module that declares it, if constrained.
    pub azurerm_major: Option<u32>,
}

/// Loads a local module directory (already parsed or parsed on demand).
pub type Loader<'a> = dyn Fn(&Path) -> Option<Arc<ModuleDef>> + 'a;

const MAX_MODULE_DEPTH: usize = 16;

pub struct Evaluator<'a> {
    pub sources: &'a SourceMap,
    loader: &'a Loader<'a>,
    /// Values for the root module's variables (tfvars, --var).
    root_vars: HashMap<String, Value>,
    pub diags: RefCell<Vec<Diagnostic>>,
    pub resources: RefCell<Vec<ResInst>>,
    pub instances: RefCell<Vec<Rc<ModInst>>>,
    /// Resources and modules that are not analysed, with the reason and position.
    pub skipped: RefCell<Vec<(String, String, Origin)>>,
}

impl<'a> Evaluator<'a> {
    pub fn new(
        sources: &'a SourceMap,
        loader: &'a Loader<'a>,
        root_vars: HashMap<String, Value>,
    ) -> Self {
        Evaluator {
            sources,
            loader,
            root_vars,
            diags: RefCell::new(Vec::new()),
            resources: RefCell::new(Vec::new()),
            instances: RefCell::new(Vec::new()),
            skipped: RefCell::new(Vec::new()),
        }
    }

    pub fn root(&self, def: Arc<ModuleDef>) -> Rc<ModInst> {
        let inst = Rc::new(ModInst {
            prefix: String::new(),
            def,
            caller: None,
            depth: 0,
            vars: Default::default(),
            locals: Default::default(),
            resources: Default::default(),
            outputs: Default::default(),
            children: Default::default(),
        });
        self.instances.borrow_mut().push(inst.clone());
        inst
    }

    pub fn scope(inst: &Rc<ModInst>) -> Scope {
        Scope {
            inst: inst.clone(),
            vars: Rc::new(Vec::new()),
        }
    }

    fn report(&self, e: &EvalErr) {
        // Info, not warning: the value becomes Unknown and is not guessed; routelint is not
        // `terraform validate`.
        let d = Diagnostic::new(
            codes::EVAL_ERROR,
            Severity::Info,
            format!("cannot evaluate expression: {}", e.msg),
        )
        .primary(e.origin, e.msg.clone())
        .in_file(e.origin.file);
        let mut diags = self.diags.borrow_mut();
        if !diags.contains(&d) {
            diags.push(d);
        }
    }

    /// Evaluates an expression; an error is reported and becomes an Unknown.
    pub fn eval_or_unknown(&self, fe: &FileExpr, scope: &Scope) -> Value {
        match self.eval(&fe.expr, fe.file, scope) {
            Ok(v) => v,
            Err(e) => {
                self.report(&e);
                Value::unknown(format!("evaluation error: {}", e.msg), e.origin)
            }
        }
    }

    /// Forces evaluation of every resource and module in an instance tree.
    pub fn evaluate_all(&self, inst: &Rc<ModInst>) {
        let scope = Self::scope(inst);
        for r in inst.def.resources.clone() {
            let o = Origin::new(r.file, r.block.span().unwrap_or(0..0));
            if let Err(e) = self.resource(&scope, &r.rtype, &r.name, o) {
                self.report(&e);
            }
        }
        for m in inst.def.modules.clone() {
            let o = Origin::new(m.file, m.block.span().unwrap_or(0..0));
            match self.children(inst, &m.name, o) {
                Ok(Children::Single(c)) => self.evaluate_all(&c),
                Ok(Children::Count(cs)) => cs.iter().for_each(|c| self.evaluate_all(c)),
                Ok(Children::ForEach(cs)) => cs.iter().for_each(|(_, c)| self.evaluate_all(c)),
                Ok(Children::Opaque(_)) => {}
                Err(e) => self.report(&e),
            }
        }
    }

    // ---- named values --------------------------------------------------------------

    fn var(&self, scope: &Scope, name: &str, origin: Origin) -> R {
        let inst = &scope.inst;
        if let Some(slot) = inst.vars.borrow().get(name) {
            return match slot {
                Slot::Done(v) => Ok(v.clone()),
                Slot::InProgress => {
                    Err(err(format!("variable `{name}` depends on itself"), origin))
                }
            };
        }
        inst.vars
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let v = self.var_uncached(inst, name, origin);
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                self.report(&e);
                Value::unknown(format!("evaluation error: {}", e.msg), e.origin)
            }
        };
        inst.vars
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(v.clone()));
        Ok(v)
    }

    fn var_uncached(&self, inst: &Rc<ModInst>, name: &str, origin: Origin) -> R {
        let decl = inst.def.variables.get(name);
        let mut value: Option<Value> = None;
        if let Some(c) = &inst.caller {
            if let Some(a) = c.call.block.body.get_attribute(name) {
                value = Some(self.eval(&a.value, c.call.file, &c.scope)?);
            }
        } else if let Some(v) = self.root_vars.get(name) {
            value = Some(v.clone());
        }
        let Some(decl) = decl else {
            return Ok(value.unwrap_or_else(|| {
                Value::unknown(format!("variable `{name}` is not declared"), origin)
            }));
        };
        let value = match value {
            Some(Value::Null) | None => match &decl.default {
                Some(d) => {
                    let empty = Scope {
                        inst: inst.clone(),
                        vars: Rc::new(Vec::new()),
                    };
                    self.eval(&d.expr, d.file, &empty)?
                }
                None => {
                    let vo = Origin::new(decl.file, decl.span.clone());
                    let how = if inst.caller.is_some() {
                        "the module call does not set it and it has no default".to_string()
                    } else {
                        "set it in terraform.tfvars, a *.auto.tfvars file, --var-file or --var"
                            .to_string()
                    };
                    return Ok(Value::unknown(
                        format!("variable `{name}` has no value ({how})"),
                        vo,
                    ));
                }
            },
            Some(v) => v,
        };
        Ok(match &decl.type_expr {
            Some(t) => self.conform(value, &t.expr, t.file, inst),
            None => value,
        })
    }

    /// Applies a type constraint's `optional(type, default)` attributes and drops
    /// attributes an object type does not declare, as Terraform does.
    fn conform(&self, v: Value, ty: &Expression, file: FileId, inst: &Rc<ModInst>) -> Value {
        let Expression::FuncCall(fc) = ty else {
            if let (Expression::Variable(t), Value::String(s)) = (ty, &v) {
                match t.as_str() {
                    "number" => {
                        if let Ok(n) = s.trim().parse::<f64>() {
                            return Value::Number(n);
                        }
                    }
                    "bool" => {
                        if let Some(b) = v.as_bool() {
                            return Value::Bool(b);
                        }
                    }
                    _ => {}
                }
            }
            return v;
        };
        let fname = fc.name.name.as_str();
        let args: Vec<&Expression> = fc.args.iter().collect();
        match (fname, &v) {
            ("list" | "set", Value::List(l)) if args.len() == 1 => Value::list(
                l.iter()
                    .map(|x| self.conform(x.clone(), args[0], file, inst))
                    .collect(),
            ),
            ("map", Value::Map(m)) if args.len() == 1 => Value::map(
                m.iter()
                    .map(|(k, x)| (k.clone(), self.conform(x.clone(), args[0], file, inst)))
                    .collect(),
            ),
            ("object", Value::Map(m)) if args.len() == 1 => {
                let Expression::Object(spec) = args[0] else {
                    return v;
                };
                let mut out = BTreeMap::new();
                for (k, sv) in spec.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                        _ => continue,
                    };
                    let mut aty = sv.expr();
                    let mut default: Option<&Expression> = None;
                    let mut optional = false;
                    if let Expression::FuncCall(o) = aty {
                        if o.name.name.as_str() == "optional" {
                            optional = true;
                            let oargs: Vec<&Expression> = o.args.iter().collect();
                            if let Some(t) = oargs.first() {
                                aty = t;
                            }
                            default = oargs.get(1).copied();
                        }
                    }
                    match m.get(&key) {
                        Some(Value::Null) | None if optional => {
                            let dv = match default {
                                Some(d) => self
                                    .eval(d, file, &Self::scope(inst))
                                    .unwrap_or(Value::Null),
                                None => Value::Null,
                            };
                            let dv = if matches!(dv, Value::Null) {
                                dv
                            } else {
                                self.conform(dv, aty, file, inst)
                            };
                            out.insert(key, dv);
                        }
                        Some(x) => {
                            out.insert(key, self.conform(x.clone(), aty, file, inst));
                        }
                        None => {}
                    }
                }
                Value::map(out)
            }
            _ => v,
        }
    }

    fn local(&self, scope: &Scope, name: &str, origin: Origin) -> R {
        let inst = &scope.inst;
        if let Some(slot) = inst.locals.borrow().get(name) {
            return match slot {
                Slot::Done(v) => Ok(v.clone()),
                Slot::InProgress => Err(err(format!("local `{name}` depends on itself"), origin)),
            };
        }
        let Some(fe) = inst.def.locals.get(name).cloned() else {
            return Err(err(format!("local value `{name}` is not declared"), origin));
        };
        inst.locals
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let v = self.eval_or_unknown(&fe, &Self::scope(inst));
        inst.locals
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(v.clone()));
        Ok(v)
    }

    fn output(&self, inst: &Rc<ModInst>, name: &str, origin: Origin) -> R {
        if let Some(slot) = inst.outputs.borrow().get(name) {
            return match slot {
                Slot::Done(v) => Ok(v.clone()),
                Slot::InProgress => Err(err(format!("output `{name}` depends on itself"), origin)),
            };
        }
        let Some(fe) = inst.def.outputs.get(name).cloned() else {
            return Err(err(
                format!(
                    "module `{}` has no output `{name}`",
                    inst.prefix.trim_end_matches('.')
                ),
                origin,
            ));
        };
        inst.outputs
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let v = self.eval_or_unknown(&fe, &Self::scope(inst));
        inst.outputs
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(v.clone()));
        Ok(v)
    }

    fn all_outputs(&self, inst: &Rc<ModInst>, origin: Origin) -> R {
        let mut m = BTreeMap::new();
        for name in inst.def.outputs.keys().cloned().collect::<Vec<_>>() {
            m.insert(name.clone(), self.output(inst, &name, origin)?);
        }
        Ok(Value::map(m))
    }

    /// The instances of a module call, created on first use.
    pub fn children(
        &self,
        inst: &Rc<ModInst>,
        name: &str,
        origin: Origin,
    ) -> Result<Children, EvalErr> {
        if let Some(slot) = inst.children.borrow().get(name) {
            return match slot {
                Some(c) => Ok(c.clone()),
                None => Err(err(format!("module `{name}` depends on itself"), origin)),
            };
        }
        let Some(call) = inst.def.module(name).cloned() else {
            return Err(err(format!("module `{name}` is not declared"), origin));
        };
        inst.children.borrow_mut().insert(name.to_string(), None);
        let c = self.make_children(inst, &call);
        if let Children::Opaque(Value::Unknown(u)) = &c {
            self.skipped.borrow_mut().push((
                format!("{}module.{}", inst.prefix, call.name),
                u.reason.clone(),
                u.origin,
            ));
        }
        inst.children
            .borrow_mut()
            .insert(name.to_string(), Some(c.clone()));
        Ok(c)
    }

    fn make_children(&self, inst: &Rc<ModInst>, call: &ModCall) -> Children {
        let call_origin = Origin::new(call.file, call.block.span().unwrap_or(0..0));
        let Some(dir) = call.local_dir(&inst.def.dir) else {
            return Children::Opaque(Value::unknown(
                format!(
                    "module `{}` comes from `{}`, which routelint does not read (only local modules are analysed)",
                    call.name,
                    call.source.as_deref().unwrap_or("?")
                ),
                call_origin,
            ));
        };
        if inst.depth >= MAX_MODULE_DEPTH {
            return Children::Opaque(Value::unknown("modules nested too deeply", call_origin));
        }
        let Some(def) = (self.loader)(&dir) else {
            return Children::Opaque(Value::unknown(
                format!(
                    "module directory `{}` has no readable .tf files",
                    dir.display()
                ),
                call_origin,
            ));
        };
        let base = format!("{}module.{}", inst.prefix, call.name);
        let scope = Self::scope(inst);
        let mk = |prefix: String, iter: Vec<(String, Value)>| {
            let child = Rc::new(ModInst {
                prefix,
                def: def.clone(),
                caller: Some(CallerCtx {
                    scope: scope.with(iter),
                    call: call.clone(),
                }),
                depth: inst.depth + 1,
                vars: Default::default(),
                locals: Default::default(),
                resources: Default::default(),
                outputs: Default::default(),
                children: Default::default(),
            });
            self.instances.borrow_mut().push(child.clone());
            child
        };
        if let Some(fe) = call.meta_arg("count") {
            let v = self.eval_or_unknown(&fe, &scope);
            match v.as_number() {
                Some(n) => {
                    let n = n.max(0.0) as usize;
                    return Children::Count(
                        (0..n)
                            .map(|i| {
                                mk(
                                    format!("{base}[{i}]."),
                                    vec![("count".into(), count_obj(i))],
                                )
                            })
                            .collect(),
                    );
                }
                None => {
                    return Children::Opaque(Value::unknown(
                        format!(
                            "`count` of module `{}` is not known: {}",
                            call.name,
                            why(&v)
                        ),
                        fe.origin(),
                    ))
                }
            }
        }
        if let Some(fe) = call.meta_arg("for_each") {
            let v = self.eval_or_unknown(&fe, &scope);
            match for_each_items(&v) {
                Some(items) => {
                    return Children::ForEach(
                        items
                            .into_iter()
                            .map(|(k, val)| {
                                let c = mk(
                                    format!("{base}[\"{k}\"]."),
                                    vec![("each".into(), each_obj(&k, val))],
                                );
                                (k, c)
                            })
                            .collect(),
                    );
                }
                None => {
                    return Children::Opaque(Value::unknown(
                        format!(
                            "`for_each` of module `{}` is not known: {}",
                            call.name,
                            why(&v)
                        ),
                        fe.origin(),
                    ))
                }
            }
        }
        Children::Single(mk(format!("{base}."), Vec::new()))
    }

    /// A resource's value: an entity, a list (count) or a map (for_each) of entities.
    fn resource(&self, scope: &Scope, rtype: &str, name: &str, origin: Origin) -> R {
        let inst = &scope.inst;
        let key = (rtype.to_string(), name.to_string());
        if let Some(slot) = inst.resources.borrow().get(&key) {
            return match slot {
                Slot::Done(v) => Ok(v.clone()),
                Slot::InProgress => Err(err(format!("`{rtype}.{name}` refers to itself"), origin)),
            };
        }
        let Some(def) = inst.def.resource(rtype, name).cloned() else {
            return Err(err(
                format!("resource `{rtype}.{name}` is not declared"),
                origin,
            ));
        };
        inst.resources
            .borrow_mut()
            .insert(key.clone(), Slot::InProgress);
        let v = self.resource_uncached(inst, &def);
        inst.resources
            .borrow_mut()
            .insert(key, Slot::Done(v.clone()));
        Ok(v)
    }

    fn resource_uncached(&self, inst: &Rc<ModInst>, def: &ResDef) -> Value {
        let base = format!("{}{}.{}", inst.prefix, def.rtype, def.name);
        let v = self.resource_instances(inst, def, &base);
        if let Value::Unknown(u) = &v {
            self.skipped
                .borrow_mut()
                .push((base, u.reason.clone(), u.origin));
        }
        v
    }

    fn resource_instances(&self, inst: &Rc<ModInst>, def: &ResDef, base: &str) -> Value {
        let base = base.to_string();
        let scope = Self::scope(inst);
        let span = def.block.span().unwrap_or(0..0);
        let make = |addr: String, bind: Vec<(String, Value)>| {
            let s = scope.with(bind);
            let mut e = self.entity(
                &def.block.body,
                def.file,
                &s,
                &addr,
                &def.rtype,
                Vec::new(),
                span.clone(),
            );
            if let Some(h) = header_span(&def.block) {
                if let Some(em) = Rc::get_mut(&mut e) {
                    em.header = h;
                }
            }
            self.resources.borrow_mut().push(ResInst {
                entity: e.clone(),
                azurerm_major: inst.def.azurerm_major,
            });
            Value::Entity(e)
        };
        if let Some(fe) = def.meta_arg("count") {
            let v = self.eval_or_unknown(&fe, &scope);
            return match v.as_number() {
                Some(n) => Value::list(
                    (0..n.max(0.0) as usize)
                        .map(|i| make(format!("{base}[{i}]"), vec![("count".into(), count_obj(i))]))
                        .collect(),
                ),
                None => Value::unknown(
                    format!(
                        "`count` of `{base}` is not known ({}), so it is not analysed",
                        why(&v)
                    ),
                    fe.origin(),
                ),
            };
        }
        if let Some(fe) = def.meta_arg("for_each") {
            let v = self.eval_or_unknown(&fe, &scope);
            return match for_each_items(&v) {
                Some(items) => Value::map(
                    items
                        .into_iter()
                        .map(|(k, val)| {
                            let e = make(
                                format!("{base}[\"{k}\"]"),
                                vec![("each".into(), each_obj(&k, val))],
                            );
                            (k, e)
                        })
                        .collect(),
                ),
                None => Value::unknown(
                    format!(
                        "`for_each` of `{base}` is not known ({}), so it is not analysed",
                        why(&v)
                    ),
                    fe.origin(),
                ),
            };
        }
        make(base, Vec::new())
    }

    /// Evaluates a block body into an entity. Nested blocks become lists of entities;
    /// `dynamic` blocks are expanded.
    #[allow(clippy::too_many_arguments)]
    fn entity(
        &self,
        body: &Body,
        file: FileId,
        scope: &Scope,
        addr: &str,
        rtype: &str,
        path: Vec<PathSeg>,
        span: std::ops::Range<usize>,
    ) -> Rc<Entity> {
        let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
        let mut attr_spans = BTreeMap::new();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for a in body.attributes() {
            let k = a.key.as_str();
            if path.is_empty() && matches!(k, "count" | "for_each" | "provider" | "depends_on") {
                continue;
            }
            let fe = FileExpr {
                file,
                expr: a.value.clone(),
            };
            attrs.insert(k.to_string(), self.eval_or_unknown(&fe, scope));
            attr_spans.insert(k.to_string(), a.value.span().unwrap_or(0..0));
        }
        for b in body.blocks() {
            let ident = b.ident.as_str();
            match ident {
                "lifecycle" | "provisioner" | "connection" | "timeouts" => continue,
                "dynamic" => {
                    let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
                        continue;
                    };
                    let iter_name = b
                        .body
                        .get_attribute("iterator")
                        .and_then(|a| match &a.value {
                            Expression::Variable(v) => Some(v.as_str().to_string()),
                            _ => None,
                        })
                        .unwrap_or_else(|| label.clone());
                    let Some(fe) = b.body.get_attribute("for_each").map(|a| FileExpr {
                        file,
                        expr: a.value.clone(),
                    }) else {
                        continue;
                    };
                    let Some(content) = b.body.get_blocks("content").next() else {
                        continue;
                    };
                    let v = self.eval_or_unknown(&fe, scope);
                    let list = blocks.entry(label.clone()).or_default();
                    attr_spans
                        .entry(label.clone())
                        .or_insert_with(|| b.span().unwrap_or(0..0));
                    match for_each_items(&v) {
                        Some(items) => {
                            for (k, val) in items {
                                let mut it = BTreeMap::new();
                                it.insert("key".to_string(), Value::str(k));
                                it.insert("value".to_string(), val);
                                let s = scope.with(vec![(iter_name.clone(), Value::map(it))]);
                                let mut p = path.clone();
                                p.push(PathSeg::Attr(label.clone()));
                                p.push(PathSeg::Index(list.len()));
                                let e = self.entity(
                                    &content.body,
                                    file,
                                    &s,
                                    addr,
                                    rtype,
                                    p,
                                    b.span().unwrap_or(0..0),
                                );
                                list.push(Value::Entity(e));
                            }
                        }
                        None => list.push(Value::unknown(
                            format!("`dynamic \"{label}\"` for_each is not known ({})", why(&v)),
                            fe.origin(),
                        )),
                    }
                }
                _ => {
                    let list = blocks.entry(ident.to_string()).or_default();
                    attr_spans
                        .entry(ident.to_string())
                        .or_insert_with(|| b.span().unwrap_or(0..0));
                    let mut p = path.clone();
                    p.push(PathSeg::Attr(ident.to_string()));
                    p.push(PathSeg::Index(list.len()));
                    let mut e = self.entity(
                        &b.body,
                        file,
                        scope,
                        addr,
                        rtype,
                        p,
                        b.span().unwrap_or(0..0),
                    );
                    if let Some(h) = header_span(b) {
                        if let Some(em) = Rc::get_mut(&mut e) {
                            em.header = h;
                        }
                    }
                    list.push(Value::Entity(e));
                }
            }
        }
        for (k, l) in blocks {
            attrs.insert(k, Value::list(l));
        }
        Rc::new(Entity {
            addr: addr.to_string(),
            rtype: rtype.to_string(),
            path,
            attrs,
            file,
            header: span.start..span.start,
            span,
            attr_spans,
        })
    }

    // ---- expressions ---------------------------------------------------------------

    pub fn eval(&self, e: &Expression, file: FileId, scope: &Scope) -> R {
        let origin = Origin::new(file, e.span().unwrap_or(0..0));
        match e {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(Value::Number(n.value().as_f64().unwrap_or(0.0))),
            Expression::String(s) => Ok(Value::String(s.value().to_string())),
            Expression::Array(a) => {
                let mut out = Vec::new();
                for x in a.iter() {
                    out.push(self.eval(x, file, scope)?);
                }
                Ok(Value::list(out))
            }
            Expression::Object(o) => {
                let mut out = BTreeMap::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_string(),
                        ObjectKey::Expression(ke) => {
                            let kv = self.eval(ke, file, scope)?;
                            match kv.to_tf_string() {
                                Some(s) => s,
                                None if kv.is_unknown() => {
                                    return Ok(Value::unknown(
                                        format!("an object key is not known ({})", why(&kv)),
                                        origin,
                                    ))
                                }
                                None => return Err(err("object key must be a string", origin)),
                            }
                        }
                    };
                    out.insert(key, self.eval(v.expr(), file, scope)?);
                }
                Ok(Value::map(out))
            }
            Expression::StringTemplate(t) => self.template(t, file, scope, origin),
            Expression::HeredocTemplate(h) => self.template(&h.template, file, scope, origin),
            Expression::Parenthesis(p) => self.eval(p.inner(), file, scope),
            Expression::Variable(v) => match scope.lookup(v.as_str()) {
                Some(x) => Ok(x.clone()),
                None => Err(err(format!("unknown name `{}`", v.as_str()), origin)),
            },
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, file, scope)?;
                match cond.as_bool() {
                    Some(true) => self.eval(&c.true_expr, file, scope),
                    Some(false) => self.eval(&c.false_expr, file, scope),
                    None if cond.is_unknown() => {
                        let t = self.eval(&c.true_expr, file, scope)?;
                        let f = self.eval(&c.false_expr, file, scope)?;
                        if t.tf_eq(&f) == Some(true) {
                            Ok(t)
                        } else {
                            Ok(Value::unknown(
                                format!("the condition is not known ({})", why(&cond)),
                                origin,
                            ))
                        }
                    }
                    None => Err(err(
                        format!("condition must be a bool, not {}", cond.type_name()),
                        origin,
                    )),
                }
            }
            Expression::FuncCall(fc) => {
                let name = fc.name.name.as_str();
                let full = if fc.name.namespace.is_empty() {
                    name.to_string()
                } else {
                    let ns: Vec<&str> = fc.name.namespace.iter().map(|n| n.as_str()).collect();
                    format!("{}::{}", ns.join("::"), name)
                };
                let args: Vec<&Expression> = fc.args.iter().collect();
                match full.as_str() {
                    "try" => {
                        let mut last = None;
                        for a in &args {
                            match self.eval(a, file, scope) {
                                Ok(v) => return Ok(v),
                                Err(e) => last = Some(e),
                            }
                        }
                        Err(last.unwrap_or_else(|| err("try() needs arguments", origin)))
                    }
                    "can" => match args.first().map(|a| self.eval(a, file, scope)) {
                        Some(Ok(v)) if v.is_unknown() => Ok(Value::unknown(
                            format!("can() of a value that is not known ({})", why(&v)),
                            origin,
                        )),
                        Some(Ok(_)) => Ok(Value::Bool(true)),
                        Some(Err(_)) => Ok(Value::Bool(false)),
                        None => Err(err("can() needs an argument", origin)),
                    },
                    _ => {
                        let mut vals = Vec::new();
                        for a in &args {
                            vals.push(self.eval(a, file, scope)?);
                        }
                        if fc.args.expand_final() {
                            if let Some(last) = vals.pop() {
                                match last {
                                    Value::List(l) => vals.extend(l.iter().cloned()),
                                    other if other.is_unknown() => {
                                        return Ok(Value::unknown(
                                            format!(
                                                "expanded argument is not known ({})",
                                                why(&other)
                                            ),
                                            origin,
                                        ))
                                    }
                                    _ => return Err(err("`...` needs a list", origin)),
                                }
                            }
                        }
                        funcs::call(&full, vals, origin).map_err(|m| err(m, origin))
                    }
                }
            }
            Expression::Traversal(t) => self.traversal(t, file, scope, origin),
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, file, scope)?;
                if v.is_unknown() {
                    return Ok(Value::unknown(why(&v), origin));
                }
                match u.operator.value() {
                    UnaryOperator::Not => v
                        .as_bool()
                        .map(|b| Value::Bool(!b))
                        .ok_or_else(|| err("`!` needs a bool", origin)),
                    UnaryOperator::Neg => v
                        .as_number()
                        .map(|n| Value::Number(-n))
                        .ok_or_else(|| err("`-` needs a number", origin)),
                }
            }
            Expression::BinaryOp(b) => self.binary(b, file, scope, origin),
            Expression::ForExpr(f) => self.for_expr(f, file, scope, origin),
        }
    }

    fn binary(
        &self,
        b: &hcl_edit::expr::BinaryOp,
        file: FileId,
        scope: &Scope,
        origin: Origin,
    ) -> R {
        let op = *b.operator.value();
        let l = self.eval(&b.lhs_expr, file, scope)?;
        // Short-circuit on known booleans.
        match (op, l.as_bool()) {
            (BinaryOperator::And, Some(false)) => return Ok(Value::Bool(false)),
            (BinaryOperator::Or, Some(true)) => return Ok(Value::Bool(true)),
            _ => {}
        }
        let r = self.eval(&b.rhs_expr, file, scope)?;
        match op {
            BinaryOperator::Eq | BinaryOperator::NotEq => match l.tf_eq(&r) {
                Some(eq) => Ok(Value::Bool(eq == (op == BinaryOperator::Eq))),
                None => Ok(Value::unknown(
                    format!(
                        "comparison with a value that is not known ({})",
                        why2(&l, &r)
                    ),
                    origin,
                )),
            },
            BinaryOperator::And | BinaryOperator::Or => {
                if l.is_unknown() || r.is_unknown() {
                    if op == BinaryOperator::And && r.as_bool() == Some(false) {
                        return Ok(Value::Bool(false));
                    }
                    if op == BinaryOperator::Or && r.as_bool() == Some(true) {
                        return Ok(Value::Bool(true));
                    }
                    return Ok(Value::unknown(why2(&l, &r), origin));
                }
                match (l.as_bool(), r.as_bool()) {
                    (Some(x), Some(y)) => Ok(Value::Bool(if op == BinaryOperator::And {
                        x && y
                    } else {
                        x || y
                    })),
                    _ => Err(err("logical operators need bools", origin)),
                }
            }
            _ => {
                if l.is_unknown() || r.is_unknown() {
                    return Ok(Value::unknown(why2(&l, &r), origin));
                }
                let (Some(x), Some(y)) = (l.as_number(), r.as_number()) else {
                    return Err(err(
                        format!("arithmetic on {} and {}", l.type_name(), r.type_name()),
                        origin,
                    ));
                };
                Ok(match op {
                    BinaryOperator::Plus => Value::Number(x + y),
                    BinaryOperator::Minus => Value::Number(x - y),
                    BinaryOperator::Mul => Value::Number(x * y),
                    BinaryOperator::Div => {
                        if y == 0.0 {
                            return Err(err("division by zero", origin));
                        }
                        Value::Number(x / y)
                    }
                    BinaryOperator::Mod => {
                        if y == 0.0 {
                            return Err(err("modulo by zero", origin));
                        }
                        Value::Number(x % y)
                    }
                    BinaryOperator::Less => Value::Bool(x < y),
                    BinaryOperator::LessEq => Value::Bool(x <= y),
                    BinaryOperator::Greater => Value::Bool(x > y),
                    BinaryOperator::GreaterEq => Value::Bool(x >= y),
                    _ => unreachable!("handled above"),
                })
            }
        }
    }

    fn template(&self, t: &Template, file: FileId, scope: &Scope, origin: Origin) -> R {
        // A template that is a single interpolation yields the value itself.
        let elems: Vec<&Element> = t.iter().collect();
        if elems.len() == 1 {
            if let Element::Interpolation(i) = elems[0] {
                return self.eval(&i.expr, file, scope);
            }
        }
        let mut out = String::new();
        match self.render(t, file, scope, &mut out)? {
            Some(unknown) => Ok(Value::unknown(unknown, origin)),
            None => Ok(Value::String(out)),
        }
    }

    /// Renders a template into `out`; returns the reason when a part is not known.
    fn render(
        &self,
        t: &Template,
        file: FileId,
        scope: &Scope,
        out: &mut String,
    ) -> Result<Option<String>, EvalErr> {
        for el in t.iter() {
            match el {
                Element::Literal(l) => out.push_str(l.as_str()),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, file, scope)?;
                    match v.to_tf_string() {
                        Some(s) => out.push_str(&s),
                        None if v.is_unknown() => return Ok(Some(why(&v))),
                        None => {
                            return Err(err(
                                format!("cannot put a {} into a string", v.type_name()),
                                Origin::new(file, i.expr.span().unwrap_or(0..0)),
                            ))
                        }
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        let c = self.eval(&ifd.if_expr.cond_expr, file, scope)?;
                        match c.as_bool() {
                            Some(true) => {
                                if let Some(u) =
                                    self.render(&ifd.if_expr.template, file, scope, out)?
                                {
                                    return Ok(Some(u));
                                }
                            }
                            Some(false) => {
                                if let Some(e) = &ifd.else_expr {
                                    if let Some(u) = self.render(&e.template, file, scope, out)? {
                                        return Ok(Some(u));
                                    }
                                }
                            }
                            None => return Ok(Some(why(&c))),
                        }
                    }
                    Directive::For(fd) => {
                        let fe = &fd.for_expr;
                        let coll = self.eval(&fe.collection_expr, file, scope)?;
                        let Some(items) = iter_items(&coll) else {
                            return Ok(Some(why(&coll)));
                        };
                        for (k, v) in items {
                            let mut bind = vec![(fe.value_var.as_str().to_string(), v)];
                            if let Some(kv) = &fe.key_var {
                                bind.insert(0, (kv.as_str().to_string(), k));
                            }
                            let s = scope.with(bind);
                            if let Some(u) = self.render(&fe.template, file, &s, out)? {
                                return Ok(Some(u));
                            }
                        }
                    }
                },
            }
        }
        Ok(None)
    }

    fn for_expr(&self, f: &ForExpr, file: FileId, scope: &Scope, origin: Origin) -> R {
        let coll = self.eval(&f.intro.collection_expr, file, scope)?;
        let Some(items) = iter_items(&coll) else {
            if coll.is_unknown() {
                return Ok(Value::unknown(why(&coll), origin));
            }
            return Err(err(
                format!("cannot iterate over {}", coll.type_name()),
                origin,
            ));
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in items {
            let mut bind = vec![(f.intro.value_var.as_str().to_string(), v)];
            if let Some(kv) = &f.intro.key_var {
                bind.insert(0, (kv.as_str().to_string(), k));
            }
            let s = scope.with(bind);
            if let Some(c) = &f.cond {
                let cv = self.eval(&c.expr, file, &s)?;
                match cv.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        return Ok(Value::unknown(
                            format!("a `for` condition is not known ({})", why(&cv)),
                            origin,
                        ))
                    }
                }
            }
            let val = self.eval(&f.value_expr, file, &s)?;
            match &f.key_expr {
                Some(ke) => {
                    let kv = self.eval(ke, file, &s)?;
                    let Some(key) = kv.to_tf_string() else {
                        if kv.is_unknown() {
                            return Ok(Value::unknown(
                                format!("a `for` key is not known ({})", why(&kv)),
                                origin,
                            ));
                        }
                        return Err(err("a `for` key must be a string", origin));
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(val);
                    } else {
                        if map.contains_key(&key) {
                            return Err(err(
                                format!("duplicate key `{key}` in `for` expression (use `...` to group)"),
                                origin,
                            ));
                        }
                        map.insert(key, val);
                    }
                }
                None => list.push(val),
            }
        }
        if f.key_expr.is_some() {
            if f.grouping {
                return Ok(Value::map(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k, Value::list(v)))
                        .collect(),
                ));
            }
            Ok(Value::map(map))
        } else {
            Ok(Value::list(list))
        }
    }

    fn traversal(&self, t: &Traversal, file: FileId, scope: &Scope, origin: Origin) -> R {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let attr = |i: usize| -> Option<&str> {
            match ops.get(i) {
                Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
                _ => None,
            }
        };
        let Expression::Variable(root) = &t.expr else {
            let base = self.eval(&t.expr, file, scope)?;
            return self.apply_ops(base, &ops, file, scope, origin);
        };
        let root = root.as_str();
        if let Some(v) = scope.lookup(root) {
            return self.apply_ops(v.clone(), &ops, file, scope, origin);
        }
        match root {
            "var" => {
                let name = attr(0).ok_or_else(|| err("`var` needs a name", origin))?;
                let v = self.var(scope, name, origin)?;
                self.apply_ops(v, &ops[1..], file, scope, origin)
            }
            "local" => {
                let name = attr(0).ok_or_else(|| err("`local` needs a name", origin))?;
                let v = self.local(scope, name, origin)?;
                self.apply_ops(v, &ops[1..], file, scope, origin)
            }
            "module" => {
                let name = attr(0).ok_or_else(|| err("`module` needs a name", origin))?;
                let children = self.children(&scope.inst, name, origin)?;
                match children {
                    Children::Opaque(v) => Ok(v),
                    Children::Single(c) => match attr(1) {
                        Some(out) => {
                            let v = self.output(&c, out, origin)?;
                            self.apply_ops(v, &ops[2..], file, scope, origin)
                        }
                        None => {
                            let v = self.all_outputs(&c, origin)?;
                            self.apply_ops(v, &ops[1..], file, scope, origin)
                        }
                    },
                    Children::Count(cs) => {
                        if let Some(TraversalOperator::Index(ie)) = ops.get(1) {
                            let iv = self.eval(ie, file, scope)?;
                            if let Some(n) = iv.as_number() {
                                let c = cs.get(n as usize).ok_or_else(|| {
                                    err(format!("module `{name}` has no instance [{n}]"), origin)
                                })?;
                                return match attr(2) {
                                    Some(out) => {
                                        let v = self.output(c, out, origin)?;
                                        self.apply_ops(v, &ops[3..], file, scope, origin)
                                    }
                                    None => {
                                        let v = self.all_outputs(c, origin)?;
                                        self.apply_ops(v, &ops[2..], file, scope, origin)
                                    }
                                };
                            }
                        }
                        let mut all = Vec::new();
                        for c in &cs {
                            all.push(self.all_outputs(c, origin)?);
                        }
                        self.apply_ops(Value::list(all), &ops[1..], file, scope, origin)
                    }
                    Children::ForEach(cs) => {
                        if let Some(TraversalOperator::Index(ie)) = ops.get(1) {
                            let kv = self.eval(ie, file, scope)?;
                            if let Some(k) = kv.to_tf_string() {
                                let c = cs
                                    .iter()
                                    .find(|(ck, _)| *ck == k)
                                    .map(|(_, c)| c)
                                    .ok_or_else(|| {
                                        err(
                                            format!("module `{name}` has no instance [\"{k}\"]"),
                                            origin,
                                        )
                                    })?;
                                return match attr(2) {
                                    Some(out) => {
                                        let v = self.output(c, out, origin)?;
                                        self.apply_ops(v, &ops[3..], file, scope, origin)
                                    }
                                    None => {
                                        let v = self.all_outputs(c, origin)?;
                                        self.apply_ops(v, &ops[2..], file, scope, origin)
                                    }
                                };
                            }
                        }
                        let mut all = BTreeMap::new();
                        for (k, c) in &cs {
                            all.insert(k.clone(), self.all_outputs(c, origin)?);
                        }
                        self.apply_ops(Value::map(all), &ops[1..], file, scope, origin)
                    }
                }
            }
            "data" => {
                let (t, n) = (attr(0).unwrap_or("?"), attr(1).unwrap_or("?"));
                Ok(Value::unknown(
                    format!("data source `data.{t}.{n}` is read from Azure at plan time"),
                    origin,
                ))
            }
            "path" => {
                let dir = scope.inst.def.dir.to_string_lossy().to_string();
                let v = Value::String(dir);
                self.apply_ops(v, &ops[1..], file, scope, origin)
            }
            "terraform" => match attr(0) {
                Some("workspace") => Ok(Value::str("default")),
                _ => Ok(Value::unknown(
                    "`terraform.*` is not known statically",
                    origin,
                )),
            },
            "self" | "count" | "each" => Ok(Value::unknown(
                format!("`{root}` is not available here"),
                origin,
            )),
            rtype => {
                let Some(name) = attr(0) else {
                    return Err(err(format!("unknown name `{rtype}`"), origin));
                };
                if scope.inst.def.resource(rtype, name).is_none() {
                    if rtype.contains('_') {
                        return Ok(Value::unknown(
                            format!("`{rtype}.{name}` is not declared in this module"),
                            origin,
                        ));
                    }
                    return Err(err(format!("unknown name `{rtype}`"), origin));
                }
                let v = self.resource(scope, rtype, name, origin)?;
                self.apply_ops(v, &ops[1..], file, scope, origin)
            }
        }
    }

    fn apply_ops(
        &self,
        mut v: Value,
        ops: &[&TraversalOperator],
        file: FileId,
        scope: &Scope,
        origin: Origin,
    ) -> R {
        for (i, op) in ops.iter().enumerate() {
            match op {
                TraversalOperator::GetAttr(a) => v = get_attr(&v, a.as_str(), origin)?,
                TraversalOperator::Index(ie) => {
                    let k = self.eval(ie, file, scope)?;
                    v = index(&v, &k, origin)?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    v = index(&v, &Value::Number(*n.value() as f64), origin)?;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &ops[i + 1..];
                    let items: Vec<Value> = match &v {
                        Value::List(l) => l.iter().cloned().collect(),
                        Value::Null => Vec::new(),
                        x if x.is_unknown() => return Ok(v),
                        other => vec![other.clone()],
                    };
                    let mut out = Vec::new();
                    for it in items {
                        out.push(self.apply_ops(it, rest, file, scope, origin)?);
                    }
                    return Ok(Value::list(out));
                }
            }
        }
        Ok(v)
    }
}

/// The span of a block's type and labels (`resource "a" "b"`).
fn header_span(b: &hcl_edit::structure::Block) -> Option<std::ops::Range<usize>> {
    let start = b.ident.span()?.start;
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .map(|r| r.end)
        .or_else(|| b.ident.span().map(|r| r.end))?;
    Some(start..end)
}

fn why(v: &Value) -> String {
    v.find_unknown().unwrap_or_else(|| "not known".into())
}

fn why2(a: &Value, b: &Value) -> String {
    a.find_unknown()
        .or_else(|| b.find_unknown())
        .unwrap_or_else(|| "not known".into())
}

fn count_obj(i: usize) -> Value {
    let mut m = BTreeMap::new();
    m.insert("index".to_string(), Value::Number(i as f64));
    Value::map(m)
}

fn each_obj(k: &str, v: Value) -> Value {
    let mut m = BTreeMap::new();
    m.insert("key".to_string(), Value::str(k));
    m.insert("value".to_string(), v);
    Value::map(m)
}

/// Items of a `for_each`: a map's entries, or a set of strings (key = value).
fn for_each_items(v: &Value) -> Option<Vec<(String, Value)>> {
    match v {
        Value::Map(m) => Some(m.iter().map(|(k, x)| (k.clone(), x.clone())).collect()),
        Value::List(l) => {
            let mut out = Vec::new();
            for x in l.iter() {
                let s = x.to_tf_string()?;
                out.push((s.clone(), Value::String(s)));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup_by(|a, b| a.0 == b.0);
            Some(out)
        }
        _ => None,
    }
}

/// Items of a `for` expression: (key or index, value).
fn iter_items(v: &Value) -> Option<Vec<(Value, Value)>> {
    match v {
        Value::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, x)| (Value::Number(i as f64), x.clone()))
                .collect(),
        ),
        Value::Map(m) => Some(
            m.iter()
                .map(|(k, x)| (Value::str(k.clone()), x.clone()))
                .collect(),
        ),
        Value::Entity(e) => Some(
            e.attrs
                .iter()
                .map(|(k, x)| (Value::str(k.clone()), x.clone()))
                .collect(),
        ),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

pub fn get_attr(v: &Value, a: &str, origin: Origin) -> R {
    match v {
        Value::Map(m) => m
            .get(a)
            .cloned()
            .ok_or_else(|| err(format!("object has no attribute `{a}`"), origin)),
        Value::Entity(e) => Ok(match e.attrs.get(a) {
            Some(x) => x.clone(),
            None => {
                let mut path = e.path.clone();
                path.push(PathSeg::Attr(a.to_string()));
                Value::Ref(Rc::new(SymRef {
                    addr: e.addr.clone(),
                    rtype: e.rtype.clone(),
                    path,
                }))
            }
        }),
        Value::Ref(r) => Ok(r.child(PathSeg::Attr(a.to_string()))),
        Value::Unknown(_) => Ok(v.clone()),
        Value::Null => Err(err(format!("attribute `{a}` of null"), origin)),
        other => Err(err(
            format!("a {} has no attribute `{a}`", other.type_name()),
            origin,
        )),
    }
}

pub fn index(v: &Value, k: &Value, origin: Origin) -> R {
    if let Value::Unknown(_) = k {
        return Ok(Value::unknown(
            format!("an index is not known ({})", why(k)),
            origin,
        ));
    }
    match v {
        Value::List(l) => {
            let n = k
                .as_number()
                .ok_or_else(|| err("a list index must be a number", origin))?;
            if n < 0.0 || n as usize >= l.len() {
                return Err(err(
                    format!("index {} is out of range (length {})", n, l.len()),
                    origin,
                ));
            }
            Ok(l[n as usize].clone())
        }
        Value::Map(m) => {
            let s = k
                .to_tf_string()
                .ok_or_else(|| err("a map key must be a string", origin))?;
            m.get(&s)
                .cloned()
                .ok_or_else(|| err(format!("no element with key `{s}`"), origin))
        }
        Value::Entity(e) => {
            let s = k
                .to_tf_string()
                .ok_or_else(|| err("key must be a string", origin))?;
            get_attr(&Value::Entity(e.clone()), &s, origin)
        }
        Value::Ref(r) => Ok(r.child(match k {
            Value::Number(n) => PathSeg::Index(*n as usize),
            other => PathSeg::Key(other.to_tf_string().unwrap_or_default()),
        })),
        Value::Unknown(_) => Ok(v.clone()),
        other => Err(err(format!("cannot index a {}", other.type_name()), origin)),
    }
}
