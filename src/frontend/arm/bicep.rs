//! Positions in the `.bicep` source beside a compiled template.
//!
//! When `main.bicep` sits beside `main.json` (or beside `azuredeploy.json`, the quickstart
//! convention), a resource's diagnostics point at its declaration in the Bicep source:
//! found by symbolic name (`languageVersion 2.0`), else by type and literal name, else by a
//! type that is declared once. A property is found by walking its path's keys inside the
//! declaration. Resources of Bicep modules (nested deployments) map into the module's file
//! through `module <sym> '<path>' = { name: '<deployment>' … }`. Anything not found falls back
//! to the JSON position: the mapping never guesses a wrong line on purpose, but it is a
//! text search, not a Bicep parser.

use super::eval::{ArmResource, Spans};
use super::json::JNode;
use super::lower::Locate;
use crate::source::{FileId, Origin, SourceMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug)]
struct Decl {
    symbol: String,
    rtype: String,
    start: usize,
    header_end: usize,
    body: std::ops::Range<usize>,
}

pub struct BicepFile {
    file: FileId,
    text: Arc<String>,
    decls: Vec<Decl>,
    /// Deployment name pattern (literal parts around `${…}`) -> module file.
    modules: Vec<(Vec<String>, PathBuf)>,
}

/// Does a deployment name match a Bicep name template's literal parts?
fn matches_parts(parts: &[String], name: &str) -> bool {
    if parts.len() == 1 {
        return parts[0] == name;
    }
    let (first, last) = (&parts[0], &parts[parts.len() - 1]);
    if !name.starts_with(first.as_str())
        || !name.ends_with(last.as_str())
        || name.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p.as_str()) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// `spoke-${s.key}` -> `["spoke-", ""]`.
fn name_parts(t: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find("${") {
        parts.push(rest[..i].to_string());
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => break,
        }
    }
    parts.push(rest.to_string());
    parts
}

pub struct BicepLocator {
    root: BicepFile,
    /// Module files with the deployment-name patterns that lead to them (any depth).
    modules: Vec<(Vec<String>, BicepFile)>,
}

/// Finds the matching close brace/bracket for an open one at `open`.
fn matching(text: &[u8], open: usize) -> usize {
    let (o, c) = (text[open], if text[open] == b'{' { b'}' } else { b']' });
    let mut depth = 0usize;
    let mut i = open;
    let mut in_str = false;
    while i < text.len() {
        let ch = text[i];
        if in_str {
            if ch == b'\\' {
                i += 1;
            } else if ch == b'\'' {
                in_str = false;
            }
        } else if ch == b'\'' {
            in_str = true;
        } else if ch == b'/' && text.get(i + 1) == Some(&b'/') {
            while i < text.len() && text[i] != b'\n' {
                i += 1;
            }
        } else if ch == o {
            depth += 1;
        } else if ch == c {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    text.len()
}

/// The nearest char boundary at or before `i` (byte positions from brace matching may fall
/// inside a multibyte character when the braces do not balance, mid-edit).
fn floor_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest char boundary at or after `i`.
fn ceil_char(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn scan(text: &str, parent: Option<(&str, std::ops::Range<usize>)>, out: &mut Vec<Decl>) {
    let bytes = text.as_bytes();
    let range = parent
        .as_ref()
        .map(|(_, r)| ceil_char(text, r.start)..floor_char(text, r.end))
        .unwrap_or(0..text.len());
    let mut i = range.start;
    while let Some(pos) = text.get(i..range.end).and_then(|t| t.find("resource ")) {
        let at = i + pos;
        i = at + 9;
        // Must start a line (after indentation).
        let line_start = text[..at].rfind('\n').map(|x| x + 1).unwrap_or(0);
        if !text[line_start..at].trim().is_empty() {
            continue;
        }
        let rest = &text[at + 9..];
        let Some(sym_end) = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')) else {
            continue;
        };
        let symbol = rest[..sym_end].to_string();
        let Some(q1) = rest.find('\'') else { continue };
        let Some(q2) = rest[q1 + 1..].find('\'') else {
            continue;
        };
        let tref = &rest[q1 + 1..q1 + 1 + q2];
        let ty = tref.split('@').next().unwrap_or("").to_string();
        let rtype = match &parent {
            Some((pt, _)) if !ty.contains('.') => format!("{pt}/{ty}"),
            _ => ty,
        };
        let header_end = at + 9 + q1 + 1 + q2 + 1;
        let Some(eq) = text[header_end..].find('=') else {
            continue;
        };
        let after = header_end + eq + 1;
        let Some(brace) = text[after..].find('{') else {
            continue;
        };
        let open = after + brace;
        let close = matching(bytes, open);
        // Nested (child) resources only at this level: skip over the body.
        if parent.is_none() || at >= range.start {
            out.push(Decl {
                symbol,
                rtype: rtype.clone(),
                start: at,
                header_end,
                body: open..close,
            });
        }
        scan(text, Some((&rtype, open + 1..close.saturating_sub(1))), out);
        i = ceil_char(text, close.min(range.end));
    }
}

fn load_bicep(sources: &SourceMap, path: &Path) -> Option<BicepFile> {
    let text = sources.read_file(path).ok()?;
    let file = sources.add(path, text);
    let text = sources.get(file).text.clone();
    let mut decls = Vec::new();
    scan(&text, None, &mut decls);
    let mut modules = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find("module ") {
        let at = i + pos;
        i = at + 7;
        let line_start = text[..at].rfind('\n').map(|x| x + 1).unwrap_or(0);
        if !text[line_start..at].trim().is_empty() {
            continue;
        }
        let rest = &text[at..];
        let (Some(q1), Some(brace)) = (rest.find('\''), rest.find('{')) else {
            continue;
        };
        let Some(q2) = rest[q1 + 1..].find('\'') else {
            continue;
        };
        let mpath = &rest[q1 + 1..q1 + 1 + q2];
        let close = matching(text.as_bytes(), at + brace);
        let body = &text[at + brace..close];
        if let Some(n) = body.find("name:") {
            let v = body[n + 5..].trim_start();
            if let Some(stripped) = v.strip_prefix('\'') {
                if let Some(e) = stripped.find('\'') {
                    let p = path.parent().unwrap_or(Path::new(".")).join(mpath);
                    modules.push((name_parts(&stripped[..e]), p));
                }
            }
        }
    }
    Some(BicepFile {
        file,
        text,
        decls,
        modules,
    })
}

/// The `.bicep` source for a template, if one sits beside it: same stem, or `main.bicep`
/// beside `azuredeploy.json`.
pub fn source_for(template: &Path) -> Option<PathBuf> {
    let stem = template.file_stem()?.to_str()?;
    let same = template.with_file_name(format!("{stem}.bicep"));
    if same.is_file() {
        return Some(same);
    }
    let main = template.with_file_name("main.bicep");
    (stem == "azuredeploy" && main.is_file()).then_some(main)
}

/// A template whose `metadata._generator.name` is `bicep` and that has no same-stem
/// source: the only `.bicep` file in its folder, if there is exactly one.
fn generator_source(template: &Path, root: &JNode) -> Option<PathBuf> {
    let generator = root
        .get("metadata")?
        .get("_generator")?
        .get("name")?
        .as_str()?;
    if !generator.eq_ignore_ascii_case("bicep") {
        return None;
    }
    let dir = template.parent()?;
    let found: Vec<PathBuf> = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .ok()?
    .filter_map(|e| e.ok())
    .map(|e| e.path())
    .filter(|p| p.extension().is_some_and(|x| x == "bicep"))
    .collect();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

pub fn locator_for(
    sources: &SourceMap,
    template: &Path,
    root_json: &JNode,
) -> Option<BicepLocator> {
    let src = source_for(template).or_else(|| generator_source(template, root_json))?;
    let root = load_bicep(sources, &src)?;
    let mut modules: Vec<(Vec<String>, BicepFile)> = Vec::new();
    let mut todo: Vec<(Vec<String>, PathBuf)> = root.modules.clone();
    while let Some((dep, p)) = todo.pop() {
        if modules.iter().any(|(d, _)| *d == dep) || modules.len() > 64 {
            continue;
        }
        if let Some(b) = load_bicep(sources, &p) {
            todo.extend(b.modules.iter().cloned());
            modules.push((dep, b));
        }
    }
    Some(BicepLocator { root, modules })
}

impl BicepFile {
    fn find(&self, r: &ArmResource) -> Option<&Decl> {
        if let Some(sym) = &r.symbolic {
            if let Some(d) = self.decls.iter().find(|d| &d.symbol == sym) {
                return Some(d);
            }
        }
        let cands: Vec<&Decl> = self
            .decls
            .iter()
            .filter(|d| d.rtype.eq_ignore_ascii_case(&r.rtype))
            .collect();
        let names: Vec<&str> = r.name.split('/').collect();
        let last = names.last().copied().unwrap_or(&r.name);
        let mut by_name: Vec<&&Decl> = cands
            .iter()
            .filter(|d| self.text[d.body.clone()].contains(&format!("name: '{last}'")))
            .collect();
        if by_name.len() > 1 && names.len() >= 2 {
            // A child declared with `parent: sym`: the parent's name tells them apart.
            let parent_name = names[names.len() - 2];
            by_name.retain(|d| {
                let body = &self.text[d.body.clone()];
                let Some(p) = body.find("parent:") else {
                    return false;
                };
                let sym: String = body[p + 7..]
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                self.decls.iter().any(|pd| {
                    pd.symbol == sym
                        && self.text[pd.body.clone()].contains(&format!("name: '{parent_name}'"))
                })
            });
        }
        match (by_name.len(), cands.len()) {
            (1, _) => Some(by_name[0]),
            (0, 1) => Some(cands[0]),
            _ => None,
        }
    }

    /// Walks a JSON path's keys inside a declaration (`properties.routes[1].properties.addressPrefix`).
    fn path_in(&self, d: &Decl, path: &str) -> Option<std::ops::Range<usize>> {
        let text = self.text.as_str();
        let mut cur = d.body.clone();
        let mut last: Option<std::ops::Range<usize>> = None;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            let (key, idx) = match seg.find('[') {
                Some(b) => (&seg[..b], seg[b + 1..seg.len() - 1].parse::<usize>().ok()),
                None => (seg, None),
            };
            let needle = format!("{key}:");
            let at = cur.start + text.get(cur.clone())?.find(&needle)?;
            let vstart = at + needle.len() + text[at + needle.len()..].len()
                - text[at + needle.len()..].trim_start().len();
            let vend = match text.as_bytes().get(vstart) {
                Some(b'{') | Some(b'[') => matching(text.as_bytes(), vstart),
                _ => vstart + text[vstart..].find('\n').unwrap_or(text.len() - vstart),
            };
            last = Some(vstart..vend.min(text.len()));
            cur = vstart..vend.min(text.len());
            if let Some(n) = idx {
                // The n-th element of an array of objects.
                if text.as_bytes().get(vstart) != Some(&b'[') {
                    return last;
                }
                let mut p = vstart + 1;
                let mut found = None;
                for _ in 0..=n {
                    // Unbalanced text (a file mid-edit) can put `p` past the array's end.
                    let o = text.get(p..cur.end)?.find('{')? + p;
                    let c = matching(text.as_bytes(), o);
                    found = Some(o..c);
                    p = c;
                }
                cur = found?;
                last = Some(cur.clone());
            }
        }
        last.and_then(|r| {
            let t = text.get(r.clone())?.trim_end();
            Some(r.start..r.start + t.len())
        })
    }
}

impl BicepLocator {
    fn file_for(&self, r: &ArmResource) -> &BicepFile {
        r.deployments
            .last()
            .and_then(|d| {
                self.modules
                    .iter()
                    .find(|(p, _)| matches_parts(p, d))
                    .map(|(_, f)| f)
            })
            .unwrap_or(&self.root)
    }
}

impl Locate for BicepLocator {
    fn is_bicep(&self, r: &ArmResource) -> bool {
        self.file_for(r).find(r).is_some()
    }
    fn symbol(&self, r: &ArmResource) -> Option<String> {
        self.file_for(r).find(r).map(|d| d.symbol.clone())
    }
    fn at(&self, s: &Spans, path: &str) -> Origin {
        let r = s.r;
        let f = self.file_for(r);
        match f.find(r) {
            Some(d) if path.is_empty() => Origin::new(f.file, d.start..d.body.end),
            Some(d) => match f.path_in(d, path) {
                Some(rg) => Origin::new(f.file, rg),
                None => Origin::new(f.file, d.start..d.header_end),
            },
            None => s.span_of(path),
        }
    }
    fn exact(&self, s: &Spans, path: &str) -> Option<Origin> {
        let r = s.r;
        let f = self.file_for(r);
        match f.find(r) {
            Some(d) => f.path_in(d, path).map(|rg| Origin::new(f.file, rg)),
            None => s.span_at(path).map(|x| Origin::new(r.file, x)),
        }
    }
    fn header(&self, s: &Spans) -> Option<Origin> {
        let r = s.r;
        let f = self.file_for(r);
        match f.find(r) {
            Some(d) => Some(Origin::new(f.file, d.start..d.header_end)),
            None => s.span_at("name").map(|x| Origin::new(r.file, x)),
        }
    }
}
