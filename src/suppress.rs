//! Inline suppressions, applied to a run's findings (and the path globs the configuration
//! uses).
//!
//! - Terraform: `# routelint:ignore RL001 -- reason` (or `//`) on the labelled line, or on
//!   the line above it or above any block that encloses it;
//! - Bicep: `// routelint:ignore RL001 -- reason` the same way, in the `.bicep` source;
//! - ARM JSON: `"metadata": {"routelint": {"ignore": ["RL001"]}}` on the resource.
//!
//! A suppression that suppresses nothing is reported (`unused-suppression`), like ruff's
//! unused `noqa`.

use crate::diag::{Diagnostic, Severity};
use crate::source::{Origin, SourceMap};

pub const UNUSED: &str = crate::diag::codes::UNUSED_SUPPRESSION;
/// A suppression naming something that is not a rule (a typo would silently suppress
/// nothing): an input error.
pub const INVALID: &str = crate::diag::codes::INVALID_SUPPRESSION;

#[derive(Clone, Debug)]
struct Suppression {
    origin: Origin,
    codes: Vec<String>,
    /// 1-based line the suppression applies to.
    line: usize,
    /// For ARM metadata: the resource object's byte range instead of a line.
    range: Option<(usize, usize)>,
    used: bool,
}

/// The codes a directive names: rule codes as written, rule names as their codes.
fn parse_codes(text: &str) -> Vec<String> {
    let body = text.split("--").next().unwrap_or("");
    body.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| match crate::rules::find(&c.to_ascii_lowercase()) {
            Some(r) => r.meta.code.to_string(),
            None => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Where a `routelint:ignore` directive is in a line (also `routelint: ignore`): the start
/// of `routelint` and the end of `ignore`.
fn directive(line: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = line[from..].find("routelint:") {
        let at = from + i;
        let rest = &line[at + "routelint:".len()..];
        let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest[gap..].starts_with("ignore") {
            return Some((at, at + "routelint:".len() + gap + "ignore".len()));
        }
        from = at + 1;
    }
    None
}

fn comment_suppressions(sources: &SourceMap, file: usize) -> Vec<Suppression> {
    let f = sources.get(file);
    let mut out = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = f.text.split_inclusive('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some((pos, end)) = directive(line) {
            let before = &line[..pos];
            let marker = before.rfind('#').or_else(|| before.rfind("//"));
            if let Some(m) = marker {
                let code_before = before[..m].trim();
                let codes = parse_codes(&line[end..]);
                // Trailing comment: this line; else the next line that is not a comment.
                let target = if !code_before.is_empty() {
                    i + 1
                } else {
                    let mut j = i + 1;
                    while j < lines.len() {
                        let t = lines[j].trim_start();
                        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
                            j += 1;
                        } else {
                            break;
                        }
                    }
                    j + 1
                };
                out.push(Suppression {
                    origin: Origin::new(file, offset + m..offset + line.trim_end().len()),
                    codes,
                    line: target,
                    range: None,
                    used: false,
                });
            }
        }
        offset += line.len();
    }
    out
}

fn json_suppressions(sources: &SourceMap, file: usize) -> Vec<Suppression> {
    use crate::frontend::arm::json::{parse, JNode, J};
    let f = sources.get(file);
    let Ok(root) = parse(&f.text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    fn walk(n: &JNode, file: usize, out: &mut Vec<Suppression>) {
        match &n.v {
            J::Obj(entries) => {
                if let Some(ign) = n
                    .get("metadata")
                    .and_then(|m| m.get("routelint"))
                    .and_then(|r| r.get("ignore"))
                {
                    let codes: Vec<String> = ign
                        .items()
                        .iter()
                        .filter_map(|x| x.as_str().map(|s| parse_codes(s).join(" ")))
                        .collect();
                    out.push(Suppression {
                        origin: Origin::new(file, ign.span.clone()),
                        codes,
                        line: 0,
                        range: Some((n.span.start, n.span.end)),
                        used: false,
                    });
                }
                for (_, v) in entries.iter() {
                    walk(v, file, out);
                }
            }
            J::Arr(items) => items.iter().for_each(|x| walk(x, file, out)),
            _ => {}
        }
    }
    if let Some(r) = root.get("resources") {
        walk(r, file, &mut out);
    }
    out
}

/// Lines of the blocks that enclose a byte offset (`{` not closed before it).
fn enclosing_lines(sources: &SourceMap, o: Origin) -> Vec<usize> {
    let f = sources.get(o.file);
    let bytes = f.text.as_bytes();
    let mut depth = 0i32;
    let mut out = Vec::new();
    let mut i = o.start.min(bytes.len());
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b'}' | b']' => depth += 1,
            b'{' | b'[' => {
                if depth == 0 {
                    out.push(f.line_col(i).line);
                } else {
                    depth -= 1;
                }
            }
            _ => {}
        }
    }
    out
}

/// Drops suppressed findings and reports unused suppressions, over every file the run read.
pub fn apply(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    let mut sups: Vec<Suppression> = Vec::new();
    for id in 0..sources.len() {
        let f = sources.get(id);
        let kind = crate::source::FileKind::of(&f.path);
        if kind.has_comments() && f.text.contains("routelint:") {
            sups.extend(comment_suppressions(sources, id));
        } else if kind.is_json() && f.text.contains("routelint") {
            sups.extend(json_suppressions(sources, id));
        }
    }
    if sups.is_empty() {
        return;
    }
    diags.retain(|d| {
        if !crate::is_finding(d) {
            return true;
        }
        let Some(o) = d.primary_origin() else {
            return true;
        };
        // The finding's line and those of the blocks around it, worked out on first need.
        let mut lines: Option<Vec<usize>> = None;
        let mut suppressed = false;
        for s in sups.iter_mut() {
            if s.origin.file != o.file || !s.codes.iter().any(|c| *c == d.code || c == "ALL") {
                continue;
            }
            let hit = match s.range {
                Some((a, b)) => o.start >= a && o.start < b,
                None => lines
                    .get_or_insert_with(|| {
                        let mut l = vec![sources.line_col(o).line];
                        l.extend(enclosing_lines(sources, o));
                        l
                    })
                    .contains(&s.line),
            };
            if hit {
                s.used = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    for s in sups.iter() {
        let unknown: Vec<&String> = s
            .codes
            .iter()
            .filter(|c| *c != "ALL" && crate::rules::find(c).is_none())
            .collect();
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(|c| format!("`{c}`")).collect();
            diags.push(
                Diagnostic::new(
                    INVALID,
                    Severity::Error,
                    format!(
                        "suppression names {} which {} no rule",
                        list.join(", "),
                        if unknown.len() == 1 { "is" } else { "are" }
                    ),
                )
                .primary(s.origin, "not a rule code or name")
                .help("write a rule code (RL001) or name (return-path-bypasses-firewall); `routelint rules` lists them"),
            );
        }
    }
    for s in sups.into_iter().filter(|s| {
        !s.used
            && s.codes
                .iter()
                .all(|c| c == "ALL" || crate::rules::find(c).is_some())
    }) {
        diags.push(
            Diagnostic::new(
                UNUSED,
                Severity::Warning,
                format!("suppression of {} suppresses nothing", s.codes.join(", ")),
            )
            .primary(s.origin, "no finding here to suppress")
            .help("remove it, or move it onto (or above) the line or block the finding points at"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directive_may_have_a_space() {
        assert_eq!(directive("  # routelint:ignore RL001"), Some((4, 20)));
        assert_eq!(directive("x # routelint: ignore RL001"), Some((4, 21)));
        assert_eq!(directive("# routelint: nothing"), None);
    }

    #[test]
    fn codes_and_reasons() {
        assert_eq!(
            parse_codes(" RL001,rl002 -- reviewed"),
            vec!["RL001", "RL002"]
        );
    }
}
