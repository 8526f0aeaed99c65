//! The ARM front end: Bicep-compiled (or hand-written) ARM JSON -> [`Model`].
//!
//! `json` keeps byte spans (comments allowed), `expr` parses `[...]` expressions, `eval`
//! evaluates templates (parameters, variables, copy, conditions, nested deployments),
//! `lower` maps resources to the IR, `bicep` points positions into the `.bicep` source when
//! it sits beside the JSON. **Invariant:** knows nothing of routing.

pub mod bicep;
pub mod bicep_build;
pub(crate) mod declared;
pub mod eval;
pub mod expr;
pub mod fix;
pub mod funcs;
pub mod json;
pub mod lower;

use crate::diag::Diagnostic;
use crate::frontend::value::Value;
use crate::ir::Model;
use crate::source::{Origin, SourceMap};
use eval::ArmEval;
use foldhash::HashMap;
use std::path::{Path, PathBuf};

/// What kind of ARM JSON a text is, judged by its `$schema`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    Template,
    Parameters,
    Other,
}

/// Looks at the top-level `$schema` near the start of a JSON text (cheap; no full parse).
/// Only a member of the outermost object counts: a policy definition or a deployment
/// script that embeds a template (`"deployment": {"properties": {"template": {"$schema":
/// …deploymentTemplate…}}}`) is not a template. Comments are skipped as the parser does.
pub fn json_kind(text: &str) -> JsonKind {
    let b: Vec<char> = text.chars().take(4096).collect();
    let mut depth = 0usize;
    let mut i = 0;
    // The last string read at depth 1, while it may still be a key.
    let mut key: Option<String> = None;
    let mut expect_value_of_schema = false;
    while i < b.len() {
        let c = b[i];
        match c {
            '/' if b.get(i + 1) == Some(&'/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if b.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' {
                        i += 1;
                    }
                    if let Some(&ch) = b.get(i) {
                        s.push(ch);
                    }
                    i += 1;
                }
                if depth == 1 {
                    if expect_value_of_schema {
                        let v = s.to_ascii_lowercase();
                        return if v.contains("deploymenttemplate") {
                            JsonKind::Template
                        } else if v.contains("deploymentparameters") {
                            JsonKind::Parameters
                        } else {
                            JsonKind::Other
                        };
                    }
                    key = Some(s);
                }
            }
            ':' if depth == 1 => {
                expect_value_of_schema = key.take().as_deref() == Some("$schema");
            }
            '{' | '[' => {
                depth += 1;
                expect_value_of_schema = false;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return JsonKind::Other;
                }
            }
            ',' => {
                key = None;
                expect_value_of_schema = false;
            }
            _ => {}
        }
        i += 1;
    }
    JsonKind::Other
}

/// The parameters file paired with a template by name: `main.json` + `main.parameters.json`
/// (also `azuredeploy.parameters.json`).
pub fn paired_parameters(template: &Path) -> Option<PathBuf> {
    let stem = template.file_name()?.to_str()?.strip_suffix(".json")?;
    let p = template.with_file_name(format!("{stem}.parameters.json"));
    p.is_file().then_some(p)
}

/// Reads a parameters file into values.
fn parameters(
    sources: &SourceMap,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> (
    HashMap<String, crate::frontend::value::Value>,
    HashMap<String, Origin>,
) {
    let mut out = HashMap::default();
    let mut at = HashMap::default();
    let file = match super::read_source(sources, path) {
        Ok(f) => f,
        Err(d) => {
            diags.push(*d);
            return (out, at);
        }
    };
    let text = sources.get(file).text.clone();
    match json::parse(&text) {
        Ok(root) => {
            for (k, v) in root.get("parameters").map(|p| p.entries()).unwrap_or(&[]) {
                if let Some(val) = v.get("value") {
                    let j: serde_json::Value = serde_json::from_str(&text[val.span.clone()])
                        .unwrap_or(serde_json::Value::Null);
                    out.insert(k.clone(), Value::from_json(&j));
                    at.insert(k.clone(), Origin::new(file, val.span.clone()));
                } else if v.get("reference").is_some() {
                    out.insert(
                        k.clone(),
                        crate::frontend::value::Value::unknown(
                            "a Key Vault reference is read at deployment",
                            Origin::new(file, v.span.clone()),
                        ),
                    );
                }
            }
        }
        Err((m, pos)) => diags.push(*super::parse_error(file, pos..pos + 1, "JSON", &m)),
    }
    (out, at)
}

/// Loads one template (with its parameters file, if any) into a model.
pub fn load_template(
    sources: &SourceMap,
    path: &Path,
    params: Option<&Path>,
    limits: crate::frontend::value::Limits,
) -> (Model, super::Syntax, Vec<Diagnostic>) {
    let mut syntax = fix::Syntax::default();
    let mut model = Model {
        front_end: "arm".into(),
        root: crate::source::display_path(path),
        ..Default::default()
    };
    let mut diags = Vec::new();
    let file = match super::read_source(sources, path) {
        Ok(f) => f,
        Err(d) => {
            diags.push(*d);
            return (model, super::Syntax::None, diags);
        }
    };
    let text = sources.get(file).text.clone();
    let root = match crate::timed("arm load: parse", || json::parse(&text)) {
        Ok(r) => r,
        Err((m, at)) => {
            diags.push(*super::parse_error(file, at..at + 1, "JSON", &m));
            return (model, super::Syntax::None, diags);
        }
    };
    let given = match params
        .map(Path::to_path_buf)
        .or_else(|| paired_parameters(path))
    {
        Some(p) => parameters(sources, &p, &mut diags),
        None => (HashMap::default(), HashMap::default()),
    };
    let ev = ArmEval::with_limits(limits);
    let (given, given_at) = given;
    let tpl = ev.template_at(file, root, given, given_at, Vec::new());
    crate::timed("arm load: evaluate", || ev.run(&tpl));
    diags.extend(ev.diags.borrow().iter().cloned());
    let locator = bicep::locator_for(sources, path, &tpl.root);
    crate::timed("arm load: declared values", || {
        declared::resolve_declared(&mut ev.resources.borrow_mut())
    });
    let resources = std::mem::take(&mut *ev.resources.borrow_mut());
    crate::timed("arm load: lower", || {
        let part = resources
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(64);
        let loc: &(dyn lower::Locate + Sync) = match &locator {
            Some(l) => l,
            None => &lower::JsonLocator,
        };
        lower_in_parts(&mut model, &mut syntax, resources, loc, part);
        crate::timed("arm load: lower: dedup", || dedup_by_key(&mut model));
    });
    for (what, reason, origin) in ev.skipped.borrow().iter() {
        let w = what.to_ascii_lowercase();
        if w.contains("networksecuritygroups") || w.contains("microsoft.resources/deployments") {
            model.nsg_rules_incomplete = true;
        }
        model.note_not_analysed(what, reason, *origin);
    }
    // Linking reads only the model; freeing the evaluation (every evaluated value of a
    // large template) is left to this thread meanwhile, so neither waits for the other
    // when a worker is free.
    crate::timed("arm load: link", || {
        rayon::in_place_scope(|s| {
            s.spawn(|_| model.link());
            drop((ev, tpl));
        })
    });
    (model, super::Syntax::Arm(syntax), diags)
}

/// Lowers evaluated resources into `model`: they lower independently, so in parts of
/// `part` resources over the pool's threads, joined in declaration order (the same model
/// as lowering them one by one). Each part frees its evaluated resources as it ends
/// (nothing refers to them once lowered), so the freeing is spread over the threads too.
fn lower_in_parts(
    model: &mut Model,
    syntax: &mut fix::Syntax,
    resources: Vec<eval::ArmResource>,
    loc: &(dyn lower::Locate + Sync),
    part: usize,
) {
    use rayon::prelude::*;
    let parts: Vec<(Model, fix::Syntax)> = crate::timed("arm load: lower: parts", || {
        resources
            .into_par_iter()
            .chunks(part.max(1))
            .map(|rs| {
                let mut m = Model::default();
                let mut sx = fix::Syntax::default();
                for r in &rs {
                    lower::resource(&mut m, &mut sx, r, loc);
                }
                (m, sx)
            })
            .collect()
    });
    crate::timed("arm load: lower: join", || {
        for (m, sx) in parts {
            model.append(m);
            syntax.append(sx);
        }
    });
}

/// A key compared and hashed without ASCII case, without lowercasing a copy of it.
#[derive(Clone, Copy)]
struct NoCase<'a>(&'a str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for NoCase<'_> {}

impl std::hash::Hash for NoCase<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut buf = [0u8; 64];
        for chunk in self.0.as_bytes().chunks(buf.len()) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            state.write(lower);
        }
        state.write_u8(0xff);
    }
}

/// A child declared both inline (a VNet's `subnets`) and as its own resource is one Azure
/// resource: keep one element per key, the later declaration's content at the first's place.
fn dedup_by_key(m: &mut Model) {
    fn dedup<T>(v: &mut Vec<T>, key: impl Fn(&T) -> &str) {
        // Keys compare without case; most are unique, so nothing moves unless one repeats.
        let mut seen: foldhash::HashSet<NoCase> = foldhash::HashSet::default();
        seen.reserve(v.len());
        if v.iter().all(|x| seen.insert(NoCase(key(x)))) {
            return;
        }
        let mut first: HashMap<String, usize> = HashMap::default();
        let mut out: Vec<T> = Vec::with_capacity(v.len());
        for x in v.drain(..) {
            let k = key(&x).to_ascii_lowercase();
            match first.get(&k) {
                Some(&i) => out[i] = x,
                None => {
                    first.insert(k, out.len());
                    out.push(x);
                }
            }
        }
        *v = out;
    }
    // One resource declared by several nested deployments (the same resource id) is one
    // element: the last declaration wins, as it does when ARM deploys them in order.
    dedup(&mut m.vnets, |x| &x.meta.key);
    dedup(&mut m.subnets, |x| &x.meta.key);
    dedup(&mut m.peerings, |x| &x.meta.key);
    dedup(&mut m.route_tables, |x| &x.meta.key);
    dedup(&mut m.routes, |x| &x.meta.key);
    dedup(&mut m.firewalls, |x| &x.meta.key);
    dedup(&mut m.firewall_policies, |x| &x.meta.key);
    dedup(&mut m.gateways, |x| &x.meta.key);
    dedup(&mut m.local_gateways, |x| &x.meta.key);
    dedup(&mut m.connections, |x| &x.meta.key);
    dedup(&mut m.public_ips, |x| &x.meta.key);
    dedup(&mut m.load_balancers, |x| &x.meta.key);
    dedup(&mut m.backend_pools, |x| &x.meta.key);
    dedup(&mut m.nics, |x| &x.meta.key);
    dedup(&mut m.nsgs, |x| &x.meta.key);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowering in parts over threads gives the model and fix syntax of lowering every
    /// resource in one part, on every ARM fixture (Bicep beside it and not).
    #[test]
    fn lowering_in_parts_is_lowering_in_order() {
        use crate::source::SourceMap;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut templates: Vec<_> = walkdir::WalkDir::new(&root)
            .into_iter()
            .flatten()
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter(|p| {
                std::fs::read_to_string(p).is_ok_and(|t| json_kind(&t) == JsonKind::Template)
            })
            .collect();
        templates.sort();
        assert!(templates.len() > 20, "{}", templates.len());
        let mut resources_seen = 0;
        for path in &templates {
            let sources = SourceMap::default();
            let file = crate::frontend::read_source(&sources, path).expect("readable");
            let text = sources.get(file).text.clone();
            let ev = ArmEval::with_limits(Default::default());
            let tpl = ev.template_at(
                file,
                json::parse(&text).expect("JSON"),
                HashMap::default(),
                HashMap::default(),
                Vec::new(),
            );
            ev.run(&tpl);
            declared::resolve_declared(&mut ev.resources.borrow_mut());
            let resources = ev.resources.borrow().clone();
            resources_seen += resources.len();
            let locator = bicep::locator_for(&sources, path, &tpl.root);
            let loc: &(dyn lower::Locate + Sync) = match &locator {
                Some(l) => l,
                None => &lower::JsonLocator,
            };
            let lowered = |part: usize| {
                let mut m = Model::default();
                let mut sx = fix::Syntax::default();
                lower_in_parts(&mut m, &mut sx, resources.clone(), loc, part);
                // Debug: every field, origins included (the JSON form leaves them out).
                (format!("{m:?}"), sx.sorted())
            };
            let whole = lowered(usize::MAX);
            assert!(whole.0.len() > 100, "{}", path.display());
            for part in [1, 2, 3] {
                assert_eq!(
                    lowered(part),
                    whole,
                    "{} in parts of {part}",
                    path.display()
                );
            }
        }
        assert!(resources_seen > 100, "{resources_seen}");
    }

    /// One key (without case) is one element: the later declaration's content at the
    /// first's place; distinct keys are untouched and keep their order. The caseless key
    /// hashes as its lowercase (keys longer than one hashing chunk included).
    #[test]
    fn elements_with_one_key_are_one_element() {
        use std::hash::BuildHasher;
        let long = format!("Microsoft.Network/virtualNetworks/{}", "Hub".repeat(40));
        let h = foldhash::fast::FixedState::with_seed(7);
        assert_eq!(
            h.hash_one(NoCase(&long)),
            h.hash_one(NoCase(&long.to_ascii_lowercase()))
        );
        assert!(NoCase(&long) == NoCase(&long.to_ascii_uppercase()));
        let rt = |key: &str, name: &str| crate::ir::RouteTable {
            meta: crate::ir::Meta {
                key: key.into(),
                name: Some(name.into()),
                ..Default::default()
            },
            propagation: crate::ir::Flag::default_value(true),
            routes: Vec::new(),
        };
        let mut m = Model {
            route_tables: vec![
                rt("Microsoft.Network/routeTables/rt-a", "first"),
                rt("Microsoft.Network/routeTables/rt-b", "b"),
                rt("microsoft.network/routetables/RT-A", "second"),
                rt("Microsoft.Network/routeTables/rt-c", "c"),
            ],
            ..Default::default()
        };
        dedup_by_key(&mut m);
        let names: Vec<_> = m
            .route_tables
            .iter()
            .map(|t| t.meta.name.clone().unwrap_or_default())
            .collect();
        assert_eq!(names, ["second", "b", "c"]);
        let before = m.route_tables.len();
        dedup_by_key(&mut m);
        assert_eq!(m.route_tables.len(), before, "nothing repeats now");
    }

    #[test]
    fn only_a_top_level_schema_makes_a_template() {
        let t = r#"{ // a comment with "$schema"
          "$schema": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
          "resources": []}"#;
        assert_eq!(json_kind(t), JsonKind::Template);
        let p = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"}"#;
        assert_eq!(json_kind(p), JsonKind::Parameters);
        // A policy definition embedding a deployment template is not a template.
        let policy = r#"{"name": "deploy-hub", "properties": {"policyType": "Custom",
          "policyRule": {"then": {"effect": "deployIfNotExists", "details": {"deployment": {"properties": {
            "template": {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              "resources": []}}}}}}}}"#;
        assert_eq!(json_kind(policy), JsonKind::Other);
        // A key named like the schema, with an escaped quote before it, at depth 1.
        let odd = r#"{"a\"b": {"$schema": "deploymentTemplate"}, "$schema": "x/deploymentTemplate.json#"}"#;
        assert_eq!(json_kind(odd), JsonKind::Template);
        assert_eq!(
            json_kind(r#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#),
            JsonKind::Other
        );
        assert_eq!(json_kind("[1, 2]"), JsonKind::Other);
        assert_eq!(json_kind(""), JsonKind::Other);
        // Truncated or hostile heads end as Other, never a panic.
        for t in [
            "{\"$schema",
            "{\"a\": \"\\",
            "{ /* never closed",
            "{ // only a comment",
            "}}}}",
            "{\"$schema\":",
        ] {
            assert_eq!(json_kind(t), JsonKind::Other, "{t}");
        }
        assert_eq!(json_kind(&"[".repeat(10_000)), JsonKind::Other);
        // A head cut inside the schema's value still says what the file is.
        assert_eq!(
            json_kind("{\"$schema\": \"https://x/deploymentTemplate"),
            JsonKind::Template
        );
        // A value string that reads "$schema" is not the key.
        let v = r#"{"description": "$schema", "x": "deploymentTemplate"}"#;
        assert_eq!(json_kind(v), JsonKind::Other);
    }
}
