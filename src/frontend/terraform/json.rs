//! Terraform's JSON syntax (`.tf.json`), converted to the same syntax tree as HCL.
//!
//! Limitation: the converted tree has no byte spans, so diagnostics in `.tf.json` files
//! point at the start of the file. Nested blocks are recognised by name (JSON cannot tell a
//! block from an object-valued attribute without the provider schema).

use hcl_edit::expr::{Array, Expression, Object, ObjectKey, ObjectValue};
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::Ident;
use serde_json::Value as J;

const BLOCK_NAMES: &[&str] = &[
    "subnet",
    "route",
    "ip_configuration",
    "management_ip_configuration",
    "frontend_ip_configuration",
    "gateway_ip_configuration",
    "security_rule",
    "rule",
    "nat_rule_collection",
    "network_rule_collection",
    "application_rule_collection",
    "bgp_settings",
    "network_interface",
    "dynamic",
    "content",
    "lifecycle",
    "timeouts",
    "delegation",
    "virtual_hub",
    "required_providers",
    "backend",
];

fn ident(s: &str) -> Option<Ident> {
    Ident::try_new(s).ok()
}

fn expr(v: &J) -> Expression {
    match v {
        J::Null => Expression::null(),
        J::Bool(b) => Expression::from(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Expression::from(i),
            None => Expression::from(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => {
            if s.contains("${") || s.contains("%{") {
                match hcl_edit::parser::parse_template(s) {
                    Ok(t) => {
                        let mut st = hcl_edit::template::StringTemplate::new();
                        for el in t.iter() {
                            st.push(el.clone());
                        }
                        Expression::StringTemplate(st)
                    }
                    Err(_) => Expression::from(s.clone()),
                }
            } else {
                Expression::from(s.clone())
            }
        }
        J::Array(a) => {
            let mut arr = Array::new();
            for x in a {
                arr.push(expr(x));
            }
            Expression::Array(arr)
        }
        J::Object(o) => {
            let mut obj = Object::new();
            for (k, x) in o {
                let key = match ident(k) {
                    Some(i) => ObjectKey::from(i),
                    None => ObjectKey::from(Expression::from(k.clone())),
                };
                obj.insert(key, ObjectValue::new(expr(x)));
            }
            Expression::Object(obj)
        }
    }
}

fn body_of(o: &serde_json::Map<String, J>) -> Body {
    let mut body = Body::new();
    for (k, v) in o {
        if k == "//" {
            continue;
        }
        if BLOCK_NAMES.contains(&k.as_str()) && !matches!(v, J::String(_)) {
            let items: Vec<&J> = match v {
                J::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for it in items {
                if let J::Object(inner) = it {
                    if k == "dynamic" {
                        for (label, content) in inner {
                            if let (Some(id), J::Object(c)) = (ident("dynamic"), content) {
                                let mut b = Block::new(id);
                                b.labels
                                    .push(hcl_edit::structure::BlockLabel::from(label.clone()));
                                b.body = body_of(c);
                                body.push(b);
                            }
                        }
                    } else if let Some(id) = ident(k) {
                        let mut b = Block::new(id);
                        b.body = body_of(inner);
                        body.push(b);
                    }
                }
            }
        } else if let Some(id) = ident(k) {
            body.push(Attribute::new(id, expr(v)));
        }
    }
    body
}

/// Converts a `.tf.json` document into a body of blocks.
pub fn parse_tf_json(text: &str, _file: usize) -> Result<Body, (String, usize)> {
    let root: J = serde_json::from_str(text).map_err(|e| {
        let mut off = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i + 1 == e.line() {
                off += e.column().saturating_sub(1);
                break;
            }
            off += l.len();
        }
        (e.to_string(), off.min(text.len()))
    })?;
    let J::Object(top) = root else {
        return Err(("the top level must be an object".into(), 0));
    };
    let mut body = Body::new();
    for (kind, v) in &top {
        let J::Object(o) = v else { continue };
        match kind.as_str() {
            "resource" | "data" => {
                for (t, names) in o {
                    let J::Object(names) = names else { continue };
                    for (n, b) in names {
                        let items: Vec<&J> = match b {
                            J::Array(a) => a.iter().collect(),
                            other => vec![other],
                        };
                        for it in items {
                            if let (Some(id), J::Object(inner)) = (ident(kind), it) {
                                let mut blk = Block::new(id);
                                blk.labels
                                    .push(hcl_edit::structure::BlockLabel::from(t.clone()));
                                blk.labels
                                    .push(hcl_edit::structure::BlockLabel::from(n.clone()));
                                blk.body = body_of(inner);
                                body.push(blk);
                            }
                        }
                    }
                }
            }
            "variable" | "output" | "module" => {
                for (n, b) in o {
                    if let (Some(id), J::Object(inner)) = (ident(kind), b) {
                        let mut blk = Block::new(id);
                        blk.labels
                            .push(hcl_edit::structure::BlockLabel::from(n.clone()));
                        blk.body = body_of(inner);
                        body.push(blk);
                    }
                }
            }
            "locals" => {
                if let Some(id) = ident("locals") {
                    let mut blk = Block::new(id);
                    blk.body = body_of(o);
                    // locals are all attributes
                    let mut attrs = Body::new();
                    for (k, x) in o {
                        if let Some(i) = ident(k) {
                            attrs.push(Attribute::new(i, expr(x)));
                        }
                    }
                    blk.body = attrs;
                    body.push(blk);
                }
            }
            "terraform" => {
                if let Some(id) = ident("terraform") {
                    let mut blk = Block::new(id);
                    blk.body = body_of(o);
                    body.push(blk);
                }
            }
            _ => {}
        }
    }
    Ok(body)
}
