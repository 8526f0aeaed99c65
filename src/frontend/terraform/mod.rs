//! The Terraform (azurerm) front end: module directories -> [`Model`].
//!
//! `parse` reads files into syntax trees, `eval` evaluates them (variables, locals,
//! modules, count/for_each) into entities, `lower` maps azurerm resources to the IR.
//! **Invariant:** this front end knows nothing of routing; it only says what is declared.

mod azapi;
pub mod eval;
pub mod fix;
pub mod funcs;
pub mod json;
pub mod lower;
pub mod parse;
pub use super::value;

use super::read_source;
use crate::diag::{codes, Diagnostic, Severity};
use crate::ir::Model;
use crate::source::{FileId, FileKind, SourceMap};
use eval::Evaluator;
use foldhash::HashMap;
use parse::ModuleDef;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use value::Value;

/// Options the CLI passes to the Terraform front end.
#[derive(Clone, Debug, Default)]
pub struct TfOptions {
    /// Extra variable files (`--var-file`), applied after the automatic ones.
    pub var_files: Vec<PathBuf>,
    /// `--var name=value`, applied last.
    pub vars: Vec<(String, String)>,
    /// What evaluating the root may cost.
    pub limits: crate::frontend::value::Limits,
}

/// Is this a Terraform configuration file?
pub fn is_tf_file(p: &Path) -> bool {
    FileKind::of(p).is_terraform()
}

/// Parsed module directories, shared by every root that uses them. Each directory is
/// parsed once; its parse errors are reported once.
#[derive(Default)]
pub struct ModuleCache {
    modules: Mutex<HashMap<PathBuf, Option<Arc<ModuleDef>>>>,
    diags: Mutex<Vec<Diagnostic>>,
    /// Syntax trees kept between lints (the language server's), if any.
    session: Option<Arc<crate::cache::Cache>>,
}

impl ModuleCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A module cache that reuses (and keeps) syntax trees in `session`.
    pub fn with_session(session: Option<Arc<crate::cache::Cache>>) -> Self {
        Self {
            session,
            ..Self::default()
        }
    }

    /// Parses the given directories in parallel.
    pub fn preload(&self, sources: &SourceMap, dirs: &[PathBuf]) {
        let todo: Vec<&PathBuf> = {
            let m = self.modules.lock().unwrap_or_else(|e| e.into_inner());
            dirs.iter().filter(|d| !m.contains_key(*d)).collect()
        };
        let loaded: Vec<(PathBuf, Option<Arc<ModuleDef>>, Vec<Diagnostic>)> = todo
            .par_iter()
            .map(|d| {
                let (m, diags) = read_module(sources, d, self.session.as_deref());
                ((*d).clone(), m, diags)
            })
            .collect();
        let mut m = self.modules.lock().unwrap_or_else(|e| e.into_inner());
        let mut ds = self.diags.lock().unwrap_or_else(|e| e.into_inner());
        for (d, def, diags) in loaded {
            if let std::collections::hash_map::Entry::Vacant(e) = m.entry(d) {
                e.insert(def);
                ds.extend(diags);
            }
        }
    }

    pub fn get(&self, sources: &SourceMap, dir: &Path) -> Option<Arc<ModuleDef>> {
        if let Some(m) = self
            .modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
        {
            return m.clone();
        }
        self.preload(sources, &[dir.to_path_buf()]);
        self.modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
            .cloned()
            .flatten()
    }

    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.diags.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The `.tf` / `.tf.json` files directly in a directory, sorted.
pub fn module_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        // The entry's own type says "file" without a `stat`; a link is followed.
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| is_tf_file(&e.path()))
            .filter(|e| {
                e.file_type()
                    .is_ok_and(|t| t.is_file() || (t.is_symlink() && e.path().is_file()))
            })
            .map(|e| e.path())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn read_module(
    sources: &SourceMap,
    dir: &Path,
    session: Option<&crate::cache::Cache>,
) -> (Option<Arc<ModuleDef>>, Vec<Diagnostic>) {
    let files = module_files(dir);
    if files.is_empty() {
        return (None, Vec::new());
    }
    let mut diags = Vec::new();
    // Read in order (file ids follow the sorted names, so every run numbers them alike),
    // then parse in parallel: one module may be a thousand files.
    let mut ids = Vec::new();
    for f in files {
        match read_source(sources, &f) {
            Ok(id) => ids.push(id),
            Err(d) => diags.push(*d),
        }
    }
    let parsed: Vec<(FileId, Result<parse::Blocks, Box<Diagnostic>>)> = ids
        .into_par_iter()
        .map(|id| {
            let src = sources.get(id);
            if let Some(blocks) = session.and_then(|c| c.syntax(&src.path, &src.text)) {
                return (id, Ok(blocks));
            }
            let r = parse::parse_file(sources, id).map(parse::blocks_of);
            if let (Ok(blocks), Some(c)) = (&r, session) {
                c.keep_syntax(&src.path, src.text.clone(), blocks);
            }
            (id, r)
        })
        .collect();
    let mut bodies = Vec::new();
    for (id, r) in parsed {
        match r {
            Ok(blocks) => bodies.push((id, blocks)),
            Err(d) => diags.push(*d),
        }
    }
    (Some(Arc::new(parse::build_module(dir, bodies))), diags)
}

/// The modules `terraform init` downloaded for a root: `.terraform/modules/modules.json`
/// (`{"Modules": [{"Key", "Source", "Version", "Dir"}]}`, `Dir` relative to the root).
/// Downloaded modules are then analysed like local ones (tflint's `--call-module-type=all`).
fn installed_modules(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<HashMap<String, PathBuf>> {
    let p = root.join(".terraform").join("modules").join("modules.json");
    if !p.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(&p).ok()?;
    let json: serde_json::Value = match serde_json::from_str(&text) {
        Ok(j) => j,
        Err(e) => {
            diags.push(Diagnostic::new(
                codes::EVAL_ERROR,
                Severity::Warning,
                format!(
                    "cannot read {}: {e}; downloaded modules are not analysed",
                    p.display()
                ),
            ));
            return None;
        }
    };
    let mut out = HashMap::default();
    for m in json["Modules"].as_array().into_iter().flatten() {
        let (Some(key), Some(d)) = (m["Key"].as_str(), m["Dir"].as_str()) else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        out.insert(key.to_string(), parse::normalize(&root.join(d)));
    }
    Some(out)
}

/// Reads a `.tfvars` file into values (literal expressions only; anything else is Unknown).
fn read_tfvars(
    sources: &SourceMap,
    path: &Path,
    ev: &Evaluator,
    scope: &eval::Scope,
    out: &mut BTreeMap<String, Value>,
    origins: &mut HashMap<String, (hcl_edit::expr::Expression, crate::source::FileId)>,
    diags: &mut Vec<Diagnostic>,
) {
    let id = match read_source(sources, path) {
        Ok(id) => id,
        Err(d) => {
            diags.push(*d);
            return;
        }
    };
    if FileKind::of(path).is_json() {
        match serde_json::from_str::<serde_json::Value>(sources.get(id).text.as_str()) {
            Ok(serde_json::Value::Object(o)) => {
                for (k, v) in o {
                    // JSON values carry no spans: a fix goes where the variable is used.
                    origins.remove(&k);
                    out.insert(k, Value::from_json(&v));
                }
            }
            _ => diags.push(
                Diagnostic::new(
                    codes::PARSE_ERROR,
                    Severity::Error,
                    format!("cannot parse {}", path.display()),
                )
                .in_file(id),
            ),
        }
        return;
    }
    match parse::parse_file(sources, id) {
        Ok(body) => {
            for a in body.attributes() {
                let fe = parse::FileExpr {
                    file: id,
                    expr: a.value.clone(),
                };
                out.insert(a.key.as_str().to_string(), ev.eval_or_unknown(&fe, scope));
                origins.insert(a.key.as_str().to_string(), (a.value.clone(), id));
            }
        }
        Err(d) => diags.push(*d),
    }
}

/// Evaluates a root module and everything it calls into one model.
pub fn load_root(
    sources: &SourceMap,
    cache: &ModuleCache,
    dir: &Path,
    opts: &TfOptions,
) -> (Model, super::Syntax, Vec<Diagnostic>) {
    let mut model = Model {
        front_end: "terraform".into(),
        root: crate::source::display_path(dir),
        ..Default::default()
    };
    let mut diags = Vec::new();
    let Some(def) = cache.get(sources, dir) else {
        return (model, super::Syntax::None, diags);
    };
    let loader = |d: &Path| cache.get(sources, d);

    // Root variable values: terraform.tfvars, *.auto.tfvars (lexical order), --var-file, --var.
    let mut root_vars = BTreeMap::new();
    let mut root_var_origins = HashMap::default();
    {
        let empty = Arc::new(ModuleDef {
            dir: dir.to_path_buf(),
            ..Default::default()
        });
        let ev0 = Evaluator::new(sources, &loader, HashMap::default()).with_limits(opts.limits);
        let inst = ev0.root(empty);
        let scope = Evaluator::scope(&inst);
        let mut files: Vec<PathBuf> = Vec::new();
        for name in ["terraform.tfvars", "terraform.tfvars.json"] {
            let p = dir.join(name);
            if p.is_file() {
                files.push(p);
            }
        }
        let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| {
                        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        FileKind::of(p).is_tfvars() && n.contains(".auto.tfvars")
                    })
                    .collect()
            })
            .unwrap_or_default();
        auto.sort();
        files.extend(auto);
        files.extend(opts.var_files.iter().cloned());
        for f in files {
            read_tfvars(
                sources,
                &f,
                &ev0,
                &scope,
                &mut root_vars,
                &mut root_var_origins,
                &mut diags,
            );
        }
        for (k, v) in &opts.vars {
            let val = match hcl_edit::parser::parse_expr(v) {
                Ok(e)
                    if !matches!(
                        e,
                        hcl_edit::expr::Expression::Variable(_)
                            | hcl_edit::expr::Expression::Traversal(_)
                    ) =>
                {
                    let id = sources.add(Path::new(&format!("<--var {k}>")), v.clone());
                    let r = ev0.eval(&e, id, &scope);
                    r.unwrap_or_else(|_| Value::str(v.clone()))
                }
                _ => Value::str(v.clone()),
            };
            root_var_origins.remove(k);
            root_vars.insert(k.clone(), val);
        }
        diags.extend(ev0.diags.borrow().iter().cloned());
    }

    let mut ev =
        Evaluator::new(sources, &loader, root_vars.into_iter().collect()).with_limits(opts.limits);
    ev.root_var_exprs = root_var_origins;
    ev.installed = installed_modules(dir, &mut diags);
    let root = ev.root(def);
    ev.evaluate_all(&root);
    diags.extend(ev.diags.borrow().iter().cloned());

    let mut syntax = fix::Syntax::default();
    let mut lower = lower::Lower {
        model: &mut model,
        syntax: &mut syntax,
    };
    for r in ev.resources.borrow().iter() {
        lower.resource(&r.entity, r.azurerm_major);
    }
    let entities: Vec<_> = ev
        .resources
        .borrow()
        .iter()
        .map(|r| r.entity.clone())
        .collect();
    azapi::lower_all(&mut model, &entities);
    for (data, resource, origin) in ev.data_matches.borrow().iter() {
        model.data_matches.push(crate::ir::DataMatch {
            data: data.clone(),
            resource: resource.clone(),
            origin: *origin,
        });
    }
    for (address, dir, call) in ev.downloaded.borrow().iter() {
        model.downloaded_modules.push(crate::ir::DownloadedModule {
            address: address.clone(),
            dir: dir.clone(),
            call: *call,
        });
    }
    for (addr, reason, origin) in ev.skipped.borrow().iter() {
        // A security rule (or a module that may hold some) not expanded.
        let last = addr.rsplit("module.").next().unwrap_or(addr);
        if addr.contains("azurerm_network_security_") || !last.contains('.') {
            model.nsg_rules_incomplete = true;
        }
        model.note_not_analysed(addr, reason, *origin);
    }
    model.link();
    (model, super::Syntax::Terraform(syntax), diags)
}
