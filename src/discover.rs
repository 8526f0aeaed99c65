//! Finding what to lint: Terraform root modules (and, later, ARM templates).
//!
//! Each directory holding `.tf` / `.tf.json` files is one Terraform module. A directory
//! that another module calls with a local `source` is a child module: it is analysed
//! through its callers and is a root of its own only when nothing references it or the user
//! names it explicitly. Hidden directories (`.git`, `.terraform`, …) are skipped.

use crate::frontend::terraform::{self, parse::normalize, ModuleCache};
use crate::source::SourceMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Lexically normalised path; `.` for the current directory.
pub fn norm(p: &Path) -> PathBuf {
    let n = normalize(p);
    if n.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        n
    }
}

#[derive(Debug, Default)]
pub struct Units {
    /// Terraform root modules, sorted.
    pub tf_roots: Vec<PathBuf>,
    /// ARM templates (JSON whose `$schema` is a deploymentTemplate), sorted.
    pub arm_templates: Vec<PathBuf>,
    /// Directories with `.bicep` files and no compiled template beside them.
    pub bicep_only: Vec<PathBuf>,
    /// Paths the user named that do not exist.
    pub missing: Vec<PathBuf>,
}

fn is_template(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.ends_with(".json") || name.ends_with(".tf.json") || name.ends_with(".parameters.json")
    {
        return false;
    }
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(p)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]);
    crate::frontend::arm::json_kind(&text) == crate::frontend::arm::JsonKind::Template
}

fn skip_dir(name: &str) -> bool {
    (name.starts_with('.') && name != "." && name != "..") || name == "node_modules"
}

/// Walks the paths and returns the units to lint. Module directories found are parsed (in
/// parallel) into `cache` on the way, since child modules are known only from their callers.
pub fn discover(paths: &[PathBuf], cache: &ModuleCache, sources: &SourceMap) -> Units {
    let mut units = Units::default();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut explicit: BTreeSet<PathBuf> = BTreeSet::new();
    let mut templates: BTreeSet<PathBuf> = BTreeSet::new();
    let mut bicep_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for p in paths {
        let p = norm(p);
        if !p.exists() {
            units.missing.push(p);
            continue;
        }
        if p.is_file() {
            if is_template(&p) {
                templates.insert(p.clone());
            }
            if terraform::is_tf_file(&p) {
                let d = norm(p.parent().unwrap_or(Path::new(".")));
                explicit.insert(d.clone());
                dirs.insert(d);
            }
            continue;
        }
        if !terraform::module_files(&p).is_empty() {
            explicit.insert(p.clone());
        }
        let walker = WalkDir::new(&p)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_type().is_dir()
                    || !skip_dir(e.file_name().to_str().unwrap_or(""))
            });
        for e in walker.filter_map(|e| e.ok()) {
            if !e.file_type().is_file() {
                continue;
            }
            if terraform::is_tf_file(e.path()) {
                if let Some(parent) = e.path().parent() {
                    dirs.insert(norm(parent));
                }
            } else if is_template(e.path()) {
                templates.insert(norm(e.path()));
            } else if e.path().extension().is_some_and(|x| x == "bicep") {
                if let Some(parent) = e.path().parent() {
                    bicep_dirs.insert(norm(parent));
                }
            }
        }
    }
    let dir_list: Vec<PathBuf> = dirs.iter().cloned().collect();
    cache.preload(sources, &dir_list);
    let mut children: BTreeSet<PathBuf> = BTreeSet::new();
    for d in &dir_list {
        if let Some(def) = cache.get(sources, d) {
            for m in &def.modules {
                if let Some(c) = m.local_dir(&def.dir) {
                    let c = norm(&c);
                    if c != *d {
                        children.insert(c);
                    }
                }
            }
        }
    }
    units.bicep_only = bicep_dirs
        .into_iter()
        .filter(|d| {
            !templates
                .iter()
                .any(|t| t.parent().map(norm).as_deref() == Some(d.as_path()))
        })
        .filter(|d| !templates.iter().any(|t| t.starts_with(d)))
        .filter(|d| {
            !templates
                .iter()
                .any(|t| t.parent().map(norm).is_some_and(|td| d.starts_with(&td)))
        })
        .collect();
    units.arm_templates = templates.into_iter().collect();
    units.tf_roots = dir_list
        .into_iter()
        .filter(|d| !children.contains(d) || explicit.contains(d))
        .collect();
    units
}
