//! Reading a Terraform module directory: files -> syntax trees -> a [`ModuleDef`].
//!
//! **Invariant:** parsing never stops at the first bad file: a file that does not parse is
//! reported as a `parse-error` diagnostic with its position and left out; the module's
//! other files are still read.

use crate::diag::Diagnostic;
use crate::source::{FileId, Origin, SourceMap};
use foldhash::HashMap;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Parses one `.tf` / `.tfvars` file.
pub fn parse_file(sources: &SourceMap, file: FileId) -> Result<Body, Box<Diagnostic>> {
    let src = sources.get(file);
    let text = src.text.as_str();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = src.text.len() - text.len();
    if crate::source::FileKind::of(&src.path).is_json() {
        // Offsets in the text after the BOM are moved past it.
        return super::json::parse_tf_json(text, file).map_err(|(msg, at)| {
            let at = offset + at;
            crate::frontend::parse_error(file, at..at + 1, "Terraform JSON", &msg)
        });
    }
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let start = offset + e.location().offset().min(text.len());
        let end = (start + 1).min(src.text.len()).max(start);
        crate::frontend::parse_error(file, start..end, "HCL", e.message())
    })
}

/// A file's top-level blocks, shared: a module's definitions point into them, and the
/// language server keeps them between lints ([`crate::cache`]).
pub type Blocks = std::sync::Arc<[std::sync::Arc<Block>]>;

/// The top-level blocks of a parsed file (top-level attributes declare nothing).
pub fn blocks_of(body: Body) -> Blocks {
    body.into_iter()
        .filter_map(|st| match st {
            hcl_edit::structure::Structure::Block(b) => Some(std::sync::Arc::new(b)),
            _ => None,
        })
        .collect()
}

/// An expression and the file it is in.
#[derive(Clone, Debug)]
pub struct FileExpr {
    pub file: FileId,
    pub expr: Expression,
}

impl FileExpr {
    pub fn origin(&self) -> Origin {
        Origin::new(self.file, self.expr.span().unwrap_or(0..0))
    }
}

#[derive(Clone, Debug)]
pub struct VarDef {
    pub name: String,
    pub file: FileId,
    pub span: std::ops::Range<usize>,
    pub default: Option<FileExpr>,
    pub type_expr: Option<FileExpr>,
}

/// A `resource` (or `data`) block.
#[derive(Clone, Debug)]
pub struct ResDef {
    pub rtype: String,
    pub name: String,
    pub file: FileId,
    pub block: std::sync::Arc<Block>,
}

impl ResDef {
    pub fn meta_arg(&self, key: &str) -> Option<FileExpr> {
        self.block.body.get_attribute(key).map(|a| FileExpr {
            file: self.file,
            expr: a.value.clone(),
        })
    }
}

/// A `module` block.
#[derive(Clone, Debug)]
pub struct ModCall {
    pub name: String,
    /// The `source` string as written.
    pub source: Option<String>,
    pub file: FileId,
    pub block: std::sync::Arc<Block>,
}

impl ModCall {
    /// The directory of a local source (`./x`, `../x`), relative to `dir`.
    pub fn local_dir(&self, dir: &Path) -> Option<PathBuf> {
        let s = self.source.as_deref()?;
        if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." {
            let p = dir.join(s);
            Some(normalize(&p))
        } else {
            None
        }
    }
    pub fn meta_arg(&self, key: &str) -> Option<FileExpr> {
        self.block.body.get_attribute(key).map(|a| FileExpr {
            file: self.file,
            expr: a.value.clone(),
        })
    }
}

/// Lexically normalises `a/b/../c` to `a/c` (no file system access).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            // `..` cancels a preceding name, never another `..` (`../..` stays `../..`).
            std::path::Component::ParentDir => {
                let last_is_name = matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                );
                if !(last_is_name && out.pop()) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod path_tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn parent_directories_above_the_start_are_kept() {
        assert_eq!(normalize(Path::new("./../..")), Path::new("../.."));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
        assert_eq!(normalize(Path::new("a/b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("/x/../y")), Path::new("/y"));
    }
}

/// One Terraform module: the blocks of all its files.
#[derive(Clone, Debug, Default)]
pub struct ModuleDef {
    pub dir: PathBuf,
    pub files: Vec<FileId>,
    pub variables: BTreeMap<String, VarDef>,
    pub locals: BTreeMap<String, FileExpr>,
    pub resources: Vec<ResDef>,
    pub data: Vec<ResDef>,
    pub modules: Vec<ModCall>,
    pub outputs: BTreeMap<String, FileExpr>,
    /// Major version of azurerm the module's `required_providers` constraint implies.
    pub azurerm_major: Option<u32>,
    /// It configures a provider or a backend (`provider "…"`, `terraform { backend "…" }`,
    /// `terraform { cloud {} }`): a root module says so; a child module does not.
    pub declares_root: bool,
    /// (type, name) -> index into `resources`, and module name -> index into `modules`,
    /// built on first use (references are looked up once per expression evaluated).
    pub(crate) index: std::sync::OnceLock<DefIndex>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct DefIndex {
    /// type -> name -> index (looked up by `&str`).
    resources: HashMap<String, HashMap<String, usize>>,
    types: foldhash::HashSet<String>,
    modules: HashMap<String, usize>,
}

impl ModuleDef {
    fn index(&self) -> &DefIndex {
        self.index.get_or_init(|| {
            let mut ix = DefIndex::default();
            for (i, r) in self.resources.iter().enumerate() {
                ix.resources
                    .entry(r.rtype.clone())
                    .or_default()
                    .entry(r.name.clone())
                    .or_insert(i);
                ix.types.insert(r.rtype.clone());
            }
            for (i, m) in self.modules.iter().enumerate() {
                ix.modules.entry(m.name.clone()).or_insert(i);
            }
            ix
        })
    }
    pub fn resource(&self, rtype: &str, name: &str) -> Option<&ResDef> {
        let i = self.index().resources.get(rtype)?.get(name)?;
        self.resources.get(*i)
    }
    pub fn has_resource_type(&self, rtype: &str) -> bool {
        self.index().types.contains(rtype)
    }
    pub fn module(&self, name: &str) -> Option<&ModCall> {
        self.modules.get(*self.index().modules.get(name)?)
    }
}

fn label(b: &Block, i: usize) -> Option<String> {
    b.labels.get(i).map(|l| l.as_str().to_string())
}

fn literal_string(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                out.push_str(el.as_literal()?.as_str());
            }
            Some(out)
        }
        _ => None,
    }
}

/// Reads the major version from constraints like `~> 3.0`, `>= 4.1, < 5.0`, `3.116.0`.
pub fn constraint_major(c: &str) -> Option<u32> {
    let mut best: Option<u32> = None;
    for part in c.split(',') {
        let p = part.trim();
        let (op, ver) = p.split_at(p.find(|c: char| c.is_ascii_digit()).unwrap_or(p.len()));
        let major: Option<u32> = ver.split('.').next().and_then(|m| m.parse().ok());
        let op = op.trim();
        if let Some(m) = major {
            match op {
                "<" if ver.trim_start_matches(|c: char| c.is_ascii_digit()) == ".0"
                    || ver.trim_start_matches(|c: char| c.is_ascii_digit()) == ".0.0"
                    || ver
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .is_empty() =>
                {
                    if best.is_none() {
                        best = Some(m.saturating_sub(1));
                    }
                }
                "<" | "<=" | "!=" => {}
                _ => best = Some(m),
            }
        }
    }
    best
}

/// Builds a module from its parsed files' blocks.
pub fn build_module(dir: &Path, files: Vec<(FileId, Blocks)>) -> ModuleDef {
    let mut m = ModuleDef {
        dir: dir.to_path_buf(),
        ..Default::default()
    };
    for (file, blocks) in files {
        m.files.push(file);
        // Resource and module blocks are shared with the parsed file, not copied (a large
        // estate's resources are most of what it parses).
        for block in blocks.iter() {
            let b: &Block = block;
            match b.ident.as_str() {
                "resource" | "data" => {
                    if let (Some(t), Some(n)) = (label(b, 0), label(b, 1)) {
                        let data = b.ident.as_str() == "data";
                        let def = ResDef {
                            rtype: t,
                            name: n,
                            file,
                            block: block.clone(),
                        };
                        if data {
                            m.data.push(def);
                        } else {
                            m.resources.push(def);
                        }
                    }
                }
                "variable" => {
                    if let Some(n) = label(b, 0) {
                        m.variables.insert(
                            n.clone(),
                            VarDef {
                                name: n,
                                file,
                                span: b.span().unwrap_or(0..0),
                                default: b.body.get_attribute("default").map(|a| FileExpr {
                                    file,
                                    expr: a.value.clone(),
                                }),
                                type_expr: b.body.get_attribute("type").map(|a| FileExpr {
                                    file,
                                    expr: a.value.clone(),
                                }),
                            },
                        );
                    }
                }
                "locals" => {
                    for a in b.body.attributes() {
                        m.locals.insert(
                            a.key.as_str().to_string(),
                            FileExpr {
                                file,
                                expr: a.value.clone(),
                            },
                        );
                    }
                }
                "output" => {
                    if let (Some(n), Some(a)) = (label(b, 0), b.body.get_attribute("value")) {
                        m.outputs.insert(
                            n,
                            FileExpr {
                                file,
                                expr: a.value.clone(),
                            },
                        );
                    }
                }
                "module" => {
                    if let Some(n) = label(b, 0) {
                        let source = b
                            .body
                            .get_attribute("source")
                            .and_then(|a| literal_string(&a.value));
                        m.modules.push(ModCall {
                            name: n,
                            source,
                            file,
                            block: block.clone(),
                        });
                    }
                }
                "provider" => m.declares_root = true,
                "terraform" => {
                    if b.body.get_blocks("backend").next().is_some()
                        || b.body.get_blocks("cloud").next().is_some()
                    {
                        m.declares_root = true;
                    }
                    for rp in b.body.get_blocks("required_providers") {
                        if let Some(a) = rp.body.get_attribute("azurerm") {
                            let version = match &a.value {
                                Expression::Object(o) => o.iter().find_map(|(k, v)| {
                                    let key = match k {
                                        hcl_edit::expr::ObjectKey::Ident(i) => {
                                            i.as_str().to_string()
                                        }
                                        hcl_edit::expr::ObjectKey::Expression(e) => {
                                            literal_string(e).unwrap_or_default()
                                        }
                                    };
                                    (key == "version")
                                        .then(|| literal_string(v.expr()))
                                        .flatten()
                                }),
                                other => literal_string(other),
                            };
                            if let Some(v) = version {
                                m.azurerm_major = constraint_major(&v);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_constraints() {
        assert_eq!(constraint_major("~> 3.0"), Some(3));
        assert_eq!(constraint_major(">= 3.116, < 5.0"), Some(3));
        assert_eq!(constraint_major(">=4.0"), Some(4));
        assert_eq!(constraint_major("4.14.0"), Some(4));
        assert_eq!(constraint_major("< 4.0"), Some(3));
    }
}
