//! Resources: their instances (`count`, `for_each`) and the entities they evaluate to.

use super::*;
use crate::frontend::value::to_count;

impl Evaluator<'_> {
    /// A resource's value: an entity, a list (count) or a map (for_each) of entities.
    pub(super) fn resource(&self, scope: &Scope, rtype: &str, name: &str, origin: Origin) -> R {
        let inst = &scope.inst;
        if let Some(slot) = inst.resources.borrow().get(rtype).and_then(|m| m.get(name)) {
            return match slot {
                Slot::Done(v) => Ok(v.clone()),
                Slot::InProgress => Err(err(format!("`{rtype}.{name}` refers to itself"), origin)),
            };
        }
        // The module definition is shared (`Arc`): the resource's block is borrowed, not
        // copied, for each evaluation.
        let defs = inst.def.clone();
        let Some(def) = defs.resource(rtype, name) else {
            return Err(err(
                format!("resource `{rtype}.{name}` is not declared"),
                origin,
            ));
        };
        inst.resources
            .borrow_mut()
            .entry(rtype.to_string())
            .or_default()
            .insert(name.to_string(), Slot::InProgress);
        let v = self.resource_uncached(inst, def);
        inst.resources
            .borrow_mut()
            .entry(rtype.to_string())
            .or_default()
            .insert(name.to_string(), Slot::Done(v.clone()));
        Ok(v)
    }

    pub(super) fn resource_uncached(&self, inst: &Rc<ModInst>, def: &ResDef) -> Value {
        let base = format!("{}{}.{}", inst.prefix, def.rtype, def.name);
        let v = self.resource_instances(inst, def, &base);
        if let Value::Unknown(u) = &v {
            self.skipped
                .borrow_mut()
                .push((base, u.reason.clone(), u.origin));
        }
        v
    }

    pub(super) fn resource_instances(&self, inst: &Rc<ModInst>, def: &ResDef, base: &str) -> Value {
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
                if let Some(em) = Arc::get_mut(&mut e) {
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
            return match v
                .as_number()
                .map(|n| to_count(n.max(0.0), self.limits.instances, "`count`"))
            {
                Some(Ok(n)) => Value::list(
                    (0..n)
                        .map(|i| make(format!("{base}[{i}]"), vec![("count".into(), count_obj(i))]))
                        .collect(),
                ),
                Some(Err(why)) => {
                    let o = fe.origin();
                    self.report(&err(why.clone(), o));
                    Value::unknown(format!("{why}, so `{base}` is not analysed"), o)
                }
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
                Some(items) if items.len() > self.limits.instances => {
                    let why = format!(
                        "`for_each` over {} elements is more than routelint's limit of {} (raise it with --max-instances)",
                        items.len(),
                        self.limits.instances
                    );
                    let o = fe.origin();
                    self.report(&err(why.clone(), o));
                    Value::unknown(format!("{why}, so `{base}` is not analysed"), o)
                }
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
    pub(super) fn entity(
        &self,
        body: &Body,
        file: FileId,
        scope: &Scope,
        addr: &str,
        rtype: &str,
        path: Vec<PathSeg>,
        span: std::ops::Range<usize>,
    ) -> Arc<Entity> {
        let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
        let mut attr_spans = BTreeMap::new();
        let mut set_at = BTreeMap::new();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for a in body.attributes() {
            let k = a.key.as_str();
            if path.is_empty() && matches!(k, "count" | "for_each" | "provider" | "depends_on") {
                continue;
            }
            attrs.insert(
                k.to_string(),
                self.eval_expr_or_unknown(&a.value, file, scope),
            );
            let span = a.value.span().unwrap_or(0..0);
            if matches!(&a.value, Expression::Traversal(t)
                if matches!(&t.expr, Expression::Variable(v) if matches!(v.as_str(), "var" | "local")))
            {
                match self.value_origin(&a.value, file, scope, 0) {
                    Some(o) if o != Origin::new(file, span.clone()) => {
                        set_at.insert(k.to_string(), o);
                    }
                    _ => {}
                }
            }
            attr_spans.insert(k.to_string(), span);
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
                    let Some(for_each) = b.body.get_attribute("for_each") else {
                        continue;
                    };
                    let Some(content) = b.body.get_blocks("content").next() else {
                        continue;
                    };
                    let v = self.eval_expr_or_unknown(&for_each.value, file, scope);
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
                            Origin::new(file, for_each.value.span().unwrap_or(0..0)),
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
                        if let Some(em) = Arc::get_mut(&mut e) {
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
        Arc::new(Entity {
            addr: addr.to_string(),
            rtype: rtype.to_string(),
            path,
            attrs,
            file,
            header: span.start..span.start,
            span,
            attr_spans,
            set_at,
        })
    }

    // ---- expressions ---------------------------------------------------------------
}

/// The span of a block's type and labels (`resource "a" "b"`).
pub(super) fn header_span(b: &hcl_edit::structure::Block) -> Option<std::ops::Range<usize>> {
    let start = b.ident.span()?.start;
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .map(|r| r.end)
        .or_else(|| b.ident.span().map(|r| r.end))?;
    Some(start..end)
}

pub(super) fn count_obj(i: usize) -> Value {
    let mut m = BTreeMap::new();
    m.insert("index".to_string(), Value::Number(i as f64));
    Value::map(m)
}

pub(super) fn each_obj(k: &str, v: Value) -> Value {
    let mut m = BTreeMap::new();
    m.insert("key".to_string(), Value::str(k));
    m.insert("value".to_string(), v);
    Value::map(m)
}

/// Items of a `for_each`: a map's entries, or a set of strings (key = value).
pub(super) fn for_each_items(v: &Value) -> Option<Vec<(String, Value)>> {
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
