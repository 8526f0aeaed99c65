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

mod expr;
mod modules;
mod resources;

use expr::why;
pub use expr::{get_attr, index};
use resources::{count_obj, each_obj, for_each_items};

use super::funcs;
use super::parse::{FileExpr, ModCall, ModuleDef, ResDef};
use super::value::{Entity, PathSeg, SymRef, Value};
use crate::diag::{codes, Diagnostic, Severity};
use crate::source::{FileId, Origin, SourceMap};
use foldhash::HashMap;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::Body;
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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
    /// type -> name -> slot (looked up by `&str`, without building a key per reference).
    resources: RefCell<HashMap<String, HashMap<String, Slot>>>,
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
    pub entity: Arc<Entity>,
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
    /// Where each root variable's value is written (its `.tfvars` expression), for fixes.
    pub root_var_exprs: HashMap<String, (Expression, FileId)>,
    /// Modules `terraform init` downloaded (`.terraform/modules/modules.json` of the root):
    /// module key (`hub.firewalls`) -> directory. `None`: the root was never initialised.
    pub installed: Option<HashMap<String, PathBuf>>,
    pub diags: RefCell<Vec<Diagnostic>>,
    pub resources: RefCell<Vec<ResInst>>,
    pub instances: RefCell<Vec<Rc<ModInst>>>,
    /// Resources and modules that are not analysed, with the reason and position.
    pub skipped: RefCell<Vec<(String, String, Origin)>>,
    /// How deeply `eval` is nested now.
    depth: std::cell::Cell<usize>,
    /// Data sources read as the declared resource they name: (data address, resource
    /// address, where the data source is).
    pub data_matches: RefCell<Vec<(String, String, Origin)>>,
    /// Modules read from `terraform init`'s downloads (and local modules inside them):
    /// (module address, canonical directory, the user's `module` block that brings it in).
    pub downloaded: RefCell<Vec<(String, PathBuf, Origin)>>,
    /// What this root may cost (instances, evaluation steps).
    pub limits: crate::frontend::value::Limits,
    budget: crate::frontend::value::Budget,
}

/// The deepest nesting of references and expressions evaluated (a guard for the stack:
/// loading runs on worker threads with small stacks).
pub const MAX_EVAL_DEPTH: usize = 200;

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
            root_var_exprs: HashMap::default(),
            installed: None,
            diags: RefCell::new(Vec::new()),
            resources: RefCell::new(Vec::new()),
            instances: RefCell::new(Vec::new()),
            skipped: RefCell::new(Vec::new()),
            depth: std::cell::Cell::new(0),
            data_matches: RefCell::new(Vec::new()),
            downloaded: RefCell::new(Vec::new()),
            limits: Default::default(),
            budget: crate::frontend::value::Budget::new(crate::frontend::value::MAX_EVAL_STEPS),
        }
    }

    /// The same evaluator with other limits.
    pub fn with_limits(mut self, limits: crate::frontend::value::Limits) -> Self {
        self.limits = limits;
        self.budget = crate::frontend::value::Budget::new(limits.eval_steps);
        self
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
        // Past the evaluation budget every error is its consequence: the one diagnostic
        // about the budget says it.
        if self.budget.spent() {
            return;
        }
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

    /// Reports the evaluation budget running out: a warning, since what is left of the unit
    /// is not analysed.
    pub(super) fn report_always(&self, e: &EvalErr) {
        let d = Diagnostic::new(codes::EVAL_ERROR, Severity::Warning, e.msg.clone())
            .primary(e.origin, "the limit was reached here")
            .in_file(e.origin.file);
        self.diags.borrow_mut().push(d);
    }

    /// Evaluates an expression; an error is reported and becomes an Unknown.
    pub fn eval_or_unknown(&self, fe: &FileExpr, scope: &Scope) -> Value {
        self.eval_expr_or_unknown(&fe.expr, fe.file, scope)
    }

    /// [`Self::eval_or_unknown`] of an expression borrowed from the syntax tree.
    pub fn eval_expr_or_unknown(&self, expr: &Expression, file: FileId, scope: &Scope) -> Value {
        match self.eval(expr, file, scope) {
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
        let def = inst.def.clone();
        for r in &def.resources {
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
}
