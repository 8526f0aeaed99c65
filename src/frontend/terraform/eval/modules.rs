//! Variables, locals, outputs and module calls: values that cross module boundaries.

use super::*;
use crate::frontend::value::to_count;

impl Evaluator<'_> {
    /// Admits `n` more module instances, or says which limit they pass: one root's module
    /// instances together are capped like one `count`, so a `count` inside a `count` cannot
    /// multiply past it.
    fn admit_modules(&self, n: usize) -> Result<(), String> {
        let have = self.instances.borrow().len();
        let max = self.limits.instances;
        if have.saturating_add(n) > max {
            return Err(format!(
                "{n} more module instances would make more than {max} in this root, routelint's limit (raise it with --max-instances)"
            ));
        }
        Ok(())
    }

    /// Where the value of an expression is written, so a fix edits the value where the
    /// user sets it, not a shared child module: `var.X` is followed to the module argument
    /// or `.tfvars` assignment that sets it (else its default), `local.X` to its
    /// definition, `each.value.A` of a module call to the entry of its `for_each` map, and
    /// attribute access into object literals. `None`: it is set outside any file (`--var`).
    /// Where the path cannot be followed exactly, the expression itself.
    pub(super) fn value_origin(
        &self,
        expr: &Expression,
        file: FileId,
        scope: &Scope,
        depth: usize,
    ) -> Option<Origin> {
        let (e, f) = self.value_source(expr, file, scope, depth)?;
        Some(Origin::new(f, e.span()?))
    }

    fn value_source(
        &self,
        expr: &Expression,
        file: FileId,
        scope: &Scope,
        depth: usize,
    ) -> Option<(Expression, FileId)> {
        let own = Some((expr.clone(), file));
        let Expression::Traversal(t) = expr else {
            return own;
        };
        let Expression::Variable(root) = &t.expr else {
            return own;
        };
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let Some(TraversalOperator::GetAttr(name)) = ops.first() else {
            return own;
        };
        if depth > MAX_MODULE_DEPTH || scope.lookup(root.as_str()).is_some() {
            return own;
        }
        let inst = &scope.inst;
        let bare = Scope {
            inst: inst.clone(),
            vars: Rc::new(Vec::new()),
        };
        let name = name.as_str();
        let base = match root.as_str() {
            "var" => match &inst.caller {
                Some(c) => match c.call.block.body.get_attribute(name) {
                    Some(a) => self.argument_source(&a.value, c, depth + 1),
                    None => self.default_source(inst, name, &bare, depth)?,
                },
                None => match self.root_var_exprs.get(name) {
                    Some(x) => Some(x.clone()),
                    None if self.root_vars.contains_key(name) => return None,
                    None => self.default_source(inst, name, &bare, depth)?,
                },
            },
            "local" => match inst.def.locals.get(name) {
                Some(fe) => self.value_source(&fe.expr, fe.file, &bare, depth + 1),
                None => return own,
            },
            _ => return own,
        };
        let base = base?;
        descend(base, &ops[1..]).or(own)
    }

    /// The default of a variable, or the variable's own use when it has none.
    fn default_source(
        &self,
        inst: &Rc<ModInst>,
        name: &str,
        bare: &Scope,
        depth: usize,
    ) -> Option<Option<(Expression, FileId)>> {
        let d = inst.def.variables.get(name)?.default.as_ref()?;
        Some(self.value_source(&d.expr, d.file, bare, depth + 1))
    }

    /// A module argument's source; `each.value.…` goes to the `for_each` entry of this
    /// instance's key.
    fn argument_source(
        &self,
        arg: &Expression,
        c: &CallerCtx,
        depth: usize,
    ) -> Option<(Expression, FileId)> {
        let file = c.call.file;
        let own = Some((arg.clone(), file));
        if let Expression::Traversal(t) = arg {
            let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
            let is_each_value = matches!(&t.expr, Expression::Variable(v) if v.as_str() == "each")
                && matches!(ops.first(), Some(TraversalOperator::GetAttr(a)) if a.as_str() == "value");
            if is_each_value {
                let key = c.scope.lookup("each").and_then(|e| match e {
                    Value::Map(m) => m.get("key").and_then(|k| k.as_str().map(str::to_string)),
                    _ => None,
                });
                let fe = c.call.meta_arg("for_each");
                if let (Some(key), Some(fe)) = (key, fe) {
                    let outer = Scope {
                        inst: c.scope.inst.clone(),
                        vars: Rc::new(Vec::new()),
                    };
                    let src = self.value_source(&fe.expr, fe.file, &outer, depth + 1)?;
                    let entry = object_entry(&src.0, &key).map(|e| (e, src.1));
                    return entry.and_then(|e| descend(e, &ops[1..])).or(own);
                }
                return own;
            }
        }
        self.value_source(arg, file, &c.scope, depth)
    }

    pub(super) fn var(&self, scope: &Scope, name: &str, origin: Origin) -> R {
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

    pub(super) fn var_uncached(&self, inst: &Rc<ModInst>, name: &str, origin: Origin) -> R {
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
    pub(super) fn conform(
        &self,
        v: Value,
        ty: &Expression,
        file: FileId,
        inst: &Rc<ModInst>,
    ) -> Value {
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

    pub(super) fn local(&self, scope: &Scope, name: &str, origin: Origin) -> R {
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

    pub(super) fn output(&self, inst: &Rc<ModInst>, name: &str, origin: Origin) -> R {
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

    pub(super) fn all_outputs(&self, inst: &Rc<ModInst>, origin: Origin) -> R {
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

    /// Records a module read from `terraform init`'s downloads, or a local module inside
    /// one, with the `module` block in the user's code that brings it in: the caller's own
    /// block when the caller is the user's code, else the one that brought the caller in.
    fn note_download(
        &self,
        caller_dir: &Path,
        dir: &Path,
        from_download: bool,
        address: &str,
        call_origin: Origin,
    ) {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let caller = canon(caller_dir);
        let brought_by = self
            .downloaded
            .borrow()
            .iter()
            .filter(|(_, d, _)| caller.starts_with(d))
            .max_by_key(|(_, d, _)| d.as_os_str().len())
            .map(|(_, _, o)| *o);
        if !from_download && brought_by.is_none() {
            return;
        }
        let dir = canon(dir);
        let mut v = self.downloaded.borrow_mut();
        if v.iter().any(|(_, d, _)| *d == dir) {
            return;
        }
        // An instance address without its keys: `module.spoke["a"]` -> `module.spoke`.
        let mut addr = String::new();
        let mut depth = 0;
        for c in address.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => addr.push(c),
                _ => {}
            }
        }
        v.push((addr, dir, brought_by.unwrap_or(call_origin)));
    }

    pub(super) fn make_children(&self, inst: &Rc<ModInst>, call: &ModCall) -> Children {
        let call_origin = Origin::new(call.file, call.block.span().unwrap_or(0..0));
        // A local source, else where `terraform init` put a registry or git module.
        let key = module_key(&inst.prefix, &call.name);
        let local = call.local_dir(&inst.def.dir);
        let from_download = local.is_none();
        let dir = local.or_else(|| self.installed.as_ref()?.get(&key).cloned());
        let Some(dir) = dir else {
            let how = if self.installed.is_some() {
                format!("`.terraform/modules/modules.json` has no module `{key}`: run `terraform init` again")
            } else {
                "run `terraform init` so routelint can read it from `.terraform/modules`"
                    .to_string()
            };
            return Children::Opaque(Value::unknown(
                format!(
                    "module `{}` comes from `{}`, which is not downloaded ({how})",
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
        self.note_download(&inst.def.dir, &dir, from_download, &base, call_origin);
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
            match v
                .as_number()
                .map(|n| to_count(n.max(0.0), self.limits.instances, "`count`"))
                .map(|r| r.and_then(|n| self.admit_modules(n).map(|_| n)))
            {
                Some(Err(why)) => {
                    self.report(&err(why.clone(), fe.origin()));
                    return Children::Opaque(Value::unknown(
                        format!("{why}, so module `{}` is not analysed", call.name),
                        fe.origin(),
                    ));
                }
                Some(Ok(n)) => {
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
                    if let Err(why) = self.admit_modules(items.len()) {
                        self.report(&err(why.clone(), fe.origin()));
                        return Children::Opaque(Value::unknown(
                            format!("{why}, so module `{}` is not analysed", call.name),
                            fe.origin(),
                        ));
                    }
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
}

/// The value of `key` in an object literal.
fn object_entry(obj: &Expression, key: &str) -> Option<Expression> {
    let Expression::Object(o) = obj else {
        return None;
    };
    o.iter().find_map(|(k, v)| {
        let name = match k {
            ObjectKey::Ident(i) => Some(i.as_str().to_string()),
            ObjectKey::Expression(Expression::String(s)) => Some(s.value().to_string()),
            ObjectKey::Expression(Expression::Variable(i)) => Some(i.as_str().to_string()),
            _ => None,
        };
        (name.as_deref() == Some(key)).then(|| v.expr().clone())
    })
}

/// Follows attribute access and string-key indexing into object literals; `None` when the
/// path leaves literals (the value is then built, and no single place writes it).
fn descend(
    (mut e, file): (Expression, FileId),
    ops: &[&TraversalOperator],
) -> Option<(Expression, FileId)> {
    for op in ops {
        let key = match op {
            TraversalOperator::GetAttr(a) => a.as_str().to_string(),
            TraversalOperator::Index(Expression::String(s)) => s.value().to_string(),
            _ => return None,
        };
        e = object_entry(&e, &key)?;
    }
    Some((e, file))
}

/// The key `terraform init` gives a module call in `modules.json`: the names of the calls
/// leading to it joined by "." (instance keys left out): `module.hub["a"].` + `fw` is
/// `hub.fw`.
fn module_key(prefix: &str, name: &str) -> String {
    let mut parts: Vec<&str> = prefix
        .split("module.")
        .filter(|p| !p.is_empty())
        .map(|p| {
            let p = p.trim_end_matches('.');
            p.split('[').next().unwrap_or(p)
        })
        .collect();
    parts.push(name);
    parts.join(".")
}

#[cfg(test)]
mod key_tests {
    #[test]
    fn module_keys_follow_terraform_init() {
        assert_eq!(super::module_key("", "hub"), "hub");
        assert_eq!(super::module_key("module.hub.", "fw"), "hub.fw");
        assert_eq!(
            super::module_key("module.hub[\"a\"].module.x[0].", "fw"),
            "hub.x.fw"
        );
    }
}
