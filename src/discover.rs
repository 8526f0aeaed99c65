//! Finding what to lint: Terraform root modules and ARM templates.
//!
//! Each directory holding `.tf` / `.tf.json` files is one Terraform module. A directory
//! that another module calls with a local `source` is a child module: it is analysed
//! through its callers and is a root of its own only when nothing references it or the user
//! names it explicitly. Each JSON file whose `$schema` is a deployment template is one ARM
//! unit; Bicep files are linted through the template compiled from them. Hidden
//! directories (`.git`, `.terraform`, …) and `node_modules` are skipped.

use crate::frontend::terraform::{self, parse::normalize, ModuleCache};
use crate::source::{FileKind, SourceMap};
use std::collections::{BTreeMap, BTreeSet};
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
    /// `.bicep` files named on the command line with no compiled template beside or above.
    pub bicep_uncompiled: Vec<PathBuf>,
    /// Paths the user named that do not exist.
    pub missing: Vec<PathBuf>,
    /// Directories (or files) met while walking that could not be read, with the reason:
    /// what is in them is not linted.
    pub unreadable: Vec<(PathBuf, String)>,
}

fn is_template(p: &Path) -> bool {
    if FileKind::of(p) != FileKind::Json {
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

/// Everything under `root` in name order, without following links, skipping hidden
/// directories and `node_modules`. What cannot be read (a directory without permission, a
/// path too long for the system) is added to `unreadable` with the reason.
fn walk(root: &Path, unreadable: &mut Vec<(PathBuf, String)>) -> Vec<walkdir::DirEntry> {
    let mut out = Vec::new();
    let entries = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !skip_dir(e.file_name().to_str().unwrap_or(""))
        });
    for e in entries {
        match e {
            Ok(e) => out.push(e),
            Err(err) => {
                let path = err.path().map(norm).unwrap_or_else(|| root.to_path_buf());
                let why = err
                    .io_error()
                    .map(|io| io.to_string())
                    .unwrap_or_else(|| err.to_string());
                if !unreadable.iter().any(|(p, _)| *p == path) {
                    unreadable.push((path, why));
                }
            }
        }
    }
    out
}

/// Walks the paths and returns the units to lint. Module directories found are parsed (in
/// parallel) into `cache` on the way, since child modules are known only from their callers.
pub fn discover(paths: &[PathBuf], cache: &ModuleCache, sources: &SourceMap) -> Units {
    let mut units = Units::default();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut explicit: BTreeSet<PathBuf> = BTreeSet::new();
    // Files named on the command line (pre-commit): the modules they belong to.
    let mut files_given = false;
    let mut wanted: BTreeSet<PathBuf> = BTreeSet::new();
    let mut wanted_bicep: Vec<PathBuf> = Vec::new();
    let mut templates: BTreeSet<PathBuf> = BTreeSet::new();
    let mut bicep_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    // Module directories named on the command line.
    let mut named: BTreeSet<PathBuf> = BTreeSet::new();
    for p in paths {
        let p = norm(p);
        if !p.exists() {
            units.missing.push(p);
            continue;
        }
        if p.is_file() {
            files_given = true;
            let parent = norm(p.parent().unwrap_or(Path::new(".")));
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if is_template(&p) {
                templates.insert(p.clone());
            } else if FileKind::of(&p) == FileKind::ArmParameters {
                // A parameters file: lint the template it belongs to.
                let t = parent.join(name.replace(".parameters.json", ".json"));
                if t.is_file() && is_template(&t) {
                    templates.insert(norm(&t));
                }
            } else if FileKind::of(&p) == FileKind::Bicep {
                // A Bicep file: lint the compiled template beside it, or those of the
                // nearest folder above that has one (a module's caller).
                wanted_bicep.push(p.clone());
            }
            if FileKind::of(&p).is_terraform() || FileKind::of(&p).is_tfvars() {
                wanted.insert(parent.clone());
                if !terraform::module_files(&parent).is_empty() {
                    dirs.insert(parent);
                }
            }
            continue;
        }
        if !terraform::module_files(&p).is_empty() {
            named.insert(p.clone());
        }
        for e in walk(&p, &mut units.unreadable) {
            if !e.file_type().is_file() {
                continue;
            }
            let kind = FileKind::of(e.path());
            if kind.is_terraform() {
                if let Some(parent) = e.path().parent() {
                    dirs.insert(norm(parent));
                }
            } else if is_template(e.path()) {
                templates.insert(norm(e.path()));
            } else if kind == FileKind::Bicep {
                if let Some(parent) = e.path().parent() {
                    bicep_dirs.insert(norm(parent));
                }
            }
        }
    }
    if files_given {
        map_files(
            &mut units.unreadable,
            &mut units.bicep_uncompiled,
            &wanted,
            &wanted_bicep,
            &mut dirs,
            &mut explicit,
            &mut templates,
        );
    }
    let mut children = children_of(cache, sources, &dirs, &wanted);
    // A module directory named alone that nothing under it calls and that does not say it
    // is a root (no provider, backend or cloud block, no `.terraform`, no variable files)
    // may be a child module (`check modules/spoke`): the verdict of naming one of its
    // files, through the root modules in its repository that call it.
    let look_above: BTreeSet<PathBuf> = named
        .iter()
        .filter(|p| !children.contains(*p))
        .filter(|p| !cache.get(sources, p).is_some_and(|d| d.declares_root) && !has_root_files(p))
        .cloned()
        .collect();
    if !look_above.is_empty() {
        map_files(
            &mut units.unreadable,
            &mut units.bicep_uncompiled,
            &look_above,
            &[],
            &mut dirs,
            &mut explicit,
            &mut templates,
        );
        let mut all = wanted.clone();
        all.extend(look_above);
        children = children_of(cache, sources, &dirs, &all);
    }
    let dir_list: Vec<PathBuf> = dirs.iter().cloned().collect();
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

/// `ancestor` (canonical) written in the form of `path` (relative): `path` with as many
/// trailing components removed as lie between the two. `None` when `path` does not end in
/// plain names there.
fn relative_ancestor(path: &Path, ancestor: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(path).ok()?;
    let rest = abs.strip_prefix(ancestor).ok()?;
    let mut out = path.to_path_buf();
    for _ in rest.components() {
        match out.components().next_back() {
            Some(std::path::Component::Normal(_)) => {
                out.pop();
            }
            _ => return None,
        }
    }
    Some(if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    })
}

/// A module directory that `terraform init` initialised or that holds variable files is a
/// root module (what its `.tf` files declare is in `ModuleDef::declares_root`).
fn has_root_files(dir: &Path) -> bool {
    if dir.join(".terraform").is_dir() {
        return true;
    }
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok())
            .any(|e| FileKind::of(&e.path()).is_tfvars())
    })
}

/// The module directories that the modules in `dirs` (and those linted through their
/// callers, `through_callers`) call with a local source: children, not roots. Parses them
/// (in parallel) into `cache` on the way.
fn children_of(
    cache: &ModuleCache,
    sources: &SourceMap,
    dirs: &BTreeSet<PathBuf>,
    through_callers: &BTreeSet<PathBuf>,
) -> BTreeSet<PathBuf> {
    // A module linted through its callers still calls its own children.
    let mut list: Vec<PathBuf> = dirs.iter().cloned().collect();
    list.extend(
        through_callers
            .iter()
            .filter(|w| !dirs.contains(*w) && !terraform::module_files(w).is_empty())
            .cloned(),
    );
    crate::timed("discover: parse", || cache.preload(sources, &list));
    let mut children: BTreeSet<PathBuf> = BTreeSet::new();
    for d in &list {
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
    children
}

/// The local module sources (`source = "./x"`, `"../x"`) a file's lines name, as directories
/// relative to its module `d`. Only regular files of a readable size, not links (which may
/// point anywhere): this only looks for callers.
fn local_sources(d: &Path, f: &Path) -> Vec<PathBuf> {
    let plain = std::fs::symlink_metadata(f)
        .is_ok_and(|m| m.is_file() && m.len() <= crate::source::MAX_FILE_BYTES);
    if !plain {
        return Vec::new();
    }
    let text = std::fs::read_to_string(f).unwrap_or_default();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("source").map(|i| i + from) {
        from = i + "source".len();
        let start = text[..i].rfind('\n').map_or(0, |n| n + 1);
        if !text[start..i].trim().is_empty() {
            continue;
        }
        let end = text[from..].find('\n').map_or(text.len(), |n| n + from);
        let v = text[from..end]
            .trim_start()
            .trim_start_matches('=')
            .trim()
            .trim_matches('"');
        if v.starts_with("./") || v.starts_with("../") {
            out.push(norm(&d.join(v)));
        }
    }
    out
}

/// Maps files named on the command line to what is linted whole: a Terraform directory is
/// linted through the root modules that call it (found by walking its repository, or the
/// working directory inside it),
/// or as a root when nothing calls it; a `.bicep` file through the compiled template beside
/// it or in the nearest folder above that has one.
fn map_files(
    unreadable: &mut Vec<(PathBuf, String)>,
    uncompiled: &mut Vec<PathBuf>,
    wanted: &BTreeSet<PathBuf>,
    bicep: &[PathBuf],
    dirs: &mut BTreeSet<PathBuf>,
    explicit: &mut BTreeSet<PathBuf>,
    templates: &mut BTreeSet<PathBuf>,
) {
    for b in bicep {
        let mut d = b.parent().map(norm);
        let mut matched = false;
        while let Some(dir) = d {
            let found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| norm(&e.path()))
                        .filter(|p| is_template(p))
                        .collect()
                })
                .unwrap_or_default();
            if !found.is_empty() {
                let stem = b.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                let same: Vec<&PathBuf> = found
                    .iter()
                    .filter(|t| t.file_stem().and_then(|s| s.to_str()) == Some(stem))
                    .collect();
                if same.is_empty() {
                    templates.extend(found.iter().cloned());
                } else {
                    templates.extend(same.into_iter().cloned());
                }
                matched = true;
                break;
            }
            d = dir.parent().filter(|p| !p.as_os_str().is_empty()).map(norm);
            if d.as_deref() == Some(Path::new(".")) && dir == Path::new(".") {
                break;
            }
        }
        if !matched {
            uncompiled.push(b.clone());
        }
    }
    if wanted.is_empty() {
        return;
    }
    // Every module directory that could call them, and who calls whom: walked from the
    // files' repository root (the enclosing git work tree, else the directory itself),
    // never the whole working directory (from `/` that is the whole machine).
    let mut starts: Vec<PathBuf> = Vec::new();
    for w in wanted {
        // The repository root, in the same relative form as the path given (so the
        // walk's paths compare with it and display as the user wrote them), else absolute.
        let root = crate::source::tree_of(w);
        let start = if w.is_relative() {
            relative_ancestor(w, &root).unwrap_or_else(|| root.clone())
        } else {
            root.clone()
        };
        if !starts.contains(&start) {
            starts.push(start);
        }
    }
    let graph = crate::timed("discover: callers", || {
        // Each module directory and its files, listed once.
        let mut all: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
        for start in &starts {
            for e in walk(start, unreadable) {
                if e.file_type().is_dir() {
                    let files = terraform::module_files(e.path());
                    if !files.is_empty() {
                        all.insert(norm(e.path()), files);
                    }
                }
            }
        }
        // Who calls whom: each file's `source = "./…"` lines, files scanned in parallel (a
        // module of a thousand files is common in an estate).
        let files: Vec<(&PathBuf, &PathBuf)> = all
            .iter()
            .flat_map(|(d, fs)| fs.iter().map(move |f| (d, f)))
            .collect();
        let found: Vec<(&PathBuf, Vec<PathBuf>)> = {
            use rayon::prelude::*;
            files
                .par_iter()
                .map(|(d, f)| (*d, local_sources(d, f)))
                .collect()
        };
        let mut graph: BTreeMap<PathBuf, Vec<PathBuf>> =
            all.keys().map(|d| (d.clone(), Vec::new())).collect();
        for (d, calls) in found {
            graph.entry(d.clone()).or_default().extend(calls);
        }
        graph
    });
    let called: BTreeSet<PathBuf> = graph.values().flat_map(|c| c.iter().cloned()).collect();
    for w in wanted {
        // Roots whose module tree reaches `w`.
        let mut roots: Vec<PathBuf> = Vec::new();
        for d in graph.keys().filter(|d| !called.contains(*d)) {
            let mut stack = vec![d.clone()];
            let mut seen = BTreeSet::new();
            while let Some(x) = stack.pop() {
                if !seen.insert(x.clone()) {
                    continue;
                }
                if &x == w {
                    roots.push(d.clone());
                    break;
                }
                if let Some(c) = graph.get(&x) {
                    stack.extend(c.iter().cloned());
                }
            }
        }
        if roots.is_empty() {
            if !terraform::module_files(w).is_empty() {
                explicit.insert(w.clone());
                dirs.insert(w.clone());
            }
        } else {
            dirs.remove(w);
            for r in roots {
                dirs.insert(r);
            }
        }
    }
}
