//! Expressions: operators, templates, `for`, traversals and attribute access.

use super::*;

impl Evaluator<'_> {
    /// Evaluates an expression. References and nesting deeper than
    /// [`MAX_EVAL_DEPTH`](super::MAX_EVAL_DEPTH) (a chain of thousands of locals) are an
    /// error at the expression, never a stack overflow.
    pub fn eval(&self, e: &Expression, file: FileId, scope: &Scope) -> R {
        let depth = self.depth.get();
        if depth >= super::MAX_EVAL_DEPTH {
            return Err(err(
                format!(
                    "references or expressions nested more than {} deep are not evaluated",
                    super::MAX_EVAL_DEPTH
                ),
                Origin::new(file, e.span().unwrap_or(0..0)),
            ));
        }
        if let Err(first) = self.budget.step() {
            let e = err(
                self.budget.message(),
                Origin::new(file, e.span().unwrap_or(0..0)),
            );
            if first {
                self.report_always(&e);
            }
            return Err(e);
        }
        self.depth.set(depth + 1);
        let r = self.eval_at(e, file, scope);
        self.depth.set(depth);
        r
    }

    fn eval_at(&self, e: &Expression, file: FileId, scope: &Scope) -> R {
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
                    // Terraform 1.9: renders a string (from a reference) as a template with
                    // only the variables given.
                    "templatestring" => {
                        let (Some(t), Some(vars)) = (args.first(), args.get(1)) else {
                            return Err(err(
                                "templatestring() needs a template and variables",
                                origin,
                            ));
                        };
                        let text = match self.eval(t, file, scope)? {
                            Value::String(s) => s,
                            v if v.is_unknown() => {
                                return Ok(Value::unknown(
                                    format!("the template is not known ({})", why(&v)),
                                    origin,
                                ))
                            }
                            v => {
                                return Err(err(
                                    format!(
                                        "templatestring() needs a string, not {}",
                                        v.type_name()
                                    ),
                                    origin,
                                ))
                            }
                        };
                        let bind: Vec<(String, Value)> = match self.eval(vars, file, scope)? {
                            Value::Map(m) => {
                                m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
                            }
                            v if v.is_unknown() => {
                                return Ok(Value::unknown(
                                    format!("the template's variables are not known ({})", why(&v)),
                                    origin,
                                ))
                            }
                            v => {
                                return Err(err(
                                    format!(
                                        "templatestring() needs an object of variables, not {}",
                                        v.type_name()
                                    ),
                                    origin,
                                ))
                            }
                        };
                        let parsed = hcl_edit::parser::parse_template(&text).map_err(|e| {
                            let e = e.to_string();
                            let e: Vec<&str> = e.split_whitespace().collect();
                            err(
                                format!(
                                    "templatestring(): the template does not parse: {}",
                                    e.join(" ")
                                ),
                                origin,
                            )
                        })?;
                        // The template's positions are in its own text: a source of its own.
                        let mut h: u64 = 0xcbf29ce484222325;
                        for b in text.bytes() {
                            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
                        }
                        let tfile = self.sources.add(
                            std::path::Path::new(&format!("<templatestring {h:016x}>")),
                            text.clone(),
                        );
                        self.template(&parsed, tfile, &scope.with(bind), origin)
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
                        funcs::call(&full, vals, origin)
                            .and_then(crate::frontend::value::check_size)
                            .map_err(|m| err(m, origin))
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
            Expression::ForExpr(f) => {
                let v = self.for_expr(f, file, scope, origin)?;
                crate::frontend::value::check_size(v).map_err(|m| err(m, origin))
            }
        }
    }

    pub(super) fn binary(
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

    pub(super) fn template(&self, t: &Template, file: FileId, scope: &Scope, origin: Origin) -> R {
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
    pub(super) fn render(
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

    pub(super) fn for_expr(&self, f: &ForExpr, file: FileId, scope: &Scope, origin: Origin) -> R {
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

    pub(super) fn traversal(
        &self,
        t: &Traversal,
        file: FileId,
        scope: &Scope,
        origin: Origin,
    ) -> R {
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
                if let Some(v) = self.data_by_name(scope, t, n, origin) {
                    return self.apply_ops(v, &ops[2..], file, scope, origin);
                }
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
            // `resource.<type>.<name>`: the explicit form of `<type>.<name>` (Terraform 1.x).
            "resource" if matches!(ops.get(1), Some(TraversalOperator::GetAttr(_))) => {
                let (Some(rtype), Some(name)) = (attr(0), attr(1)) else {
                    return Err(err("`resource` needs a type and a name", origin));
                };
                if scope.inst.def.resource(rtype, name).is_none() {
                    return Ok(Value::unknown(
                        format!("`{rtype}.{name}` is not declared in this module"),
                        origin,
                    ));
                }
                let v = self.resource(scope, rtype, name, origin)?;
                self.apply_ops(v, &ops[2..], file, scope, origin)
            }
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

    pub(super) fn apply_ops(
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

pub(super) fn why(v: &Value) -> String {
    v.find_unknown().unwrap_or_else(|| "not known".into())
}

pub(super) fn why2(a: &Value, b: &Value) -> String {
    a.find_unknown()
        .or_else(|| b.find_unknown())
        .unwrap_or_else(|| "not known".into())
}

/// Items of a `for` expression: (key or index, value).
pub(super) fn iter_items(v: &Value) -> Option<Vec<(Value, Value)>> {
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
                Value::Ref(Arc::new(SymRef {
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

/// Data source types read as the declared resource of the same type they name.
const MATCHED_DATA: &[&str] = &[
    "azurerm_subnet",
    "azurerm_virtual_network",
    "azurerm_firewall",
    "azurerm_route_table",
    "azurerm_network_interface",
    "azurerm_public_ip",
];

impl Evaluator<'_> {
    /// A data source that names a resource this configuration declares (same type, `name`,
    /// `resource_group_name` and, for a subnet, `virtual_network_name`, each where both are
    /// known): that resource's value, exactly one match or none. Resources are looked for in
    /// the module instances evaluated so far (the data source's own first).
    fn data_by_name(&self, scope: &Scope, t: &str, n: &str, origin: Origin) -> Option<Value> {
        if !MATCHED_DATA.contains(&t) {
            return None;
        }
        let def = scope
            .inst
            .def
            .data
            .iter()
            .find(|d| d.rtype == t && d.name == n)?;
        if def.meta_arg("count").is_some() || def.meta_arg("for_each").is_some() {
            return None;
        }
        let text = |v: &Value| v.as_str().map(str::to_string);
        let want = |k: &str| -> Option<String> {
            let a = def.block.body.get_attribute(k)?;
            self.eval(&a.value, def.file, scope)
                .ok()
                .as_ref()
                .and_then(text)
        };
        let name = want("name")?;
        let rg = want("resource_group_name");
        let vnet = if t == "azurerm_subnet" {
            want("virtual_network_name")
        } else {
            None
        };
        let mut insts: Vec<Rc<ModInst>> = vec![scope.inst.clone()];
        insts.extend(
            self.instances
                .borrow()
                .iter()
                .filter(|i| !Rc::ptr_eq(i, &scope.inst))
                .cloned(),
        );
        let mut found: Vec<(String, Value)> = Vec::new();
        for inst in insts {
            for r in inst.def.resources.iter().filter(|r| r.rtype == t) {
                if r.meta_arg("count").is_some() || r.meta_arg("for_each").is_some() {
                    continue;
                }
                let Ok(v) = self.resource(&Self::scope(&inst), t, &r.name, origin) else {
                    continue;
                };
                let Value::Entity(e) = &v else { continue };
                let same = |k: &str, w: &Option<String>| match (w, e.get(k).and_then(text)) {
                    (Some(a), Some(b)) => a == &b,
                    _ => true,
                };
                if e.get("name").and_then(text).as_deref() == Some(name.as_str())
                    && same("resource_group_name", &rg)
                    && same("virtual_network_name", &vnet)
                {
                    found.push((e.addr.clone(), v.clone()));
                }
            }
        }
        match found.as_slice() {
            [(addr, v)] => {
                let data = format!("{}data.{t}.{n}", scope.inst.prefix);
                let o = Origin::new(def.file, def.block.span().unwrap_or(0..0));
                let mut m = self.data_matches.borrow_mut();
                if !m.iter().any(|(d, _, _)| *d == data) {
                    m.push((data, addr.clone(), o));
                }
                Some(v.clone())
            }
            _ => None,
        }
    }
}
