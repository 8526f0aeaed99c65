//! Applying the fixes findings carry (`check --fix`, `--diff`, `--unsafe-fixes`), as ruff
//! does: a fix is a set of text edits in one file; fixes are applied per file from the end,
//! and a fix whose edits overlap one already taken is left for the next run.
//!
//! Every fix routelint proposes today changes how the network routes on purpose (a route
//! added, propagation turned off, a peering flag set): they are `unsafe` and applied only
//! with `--unsafe-fixes`; `display` fixes are never applied.

use crate::diag::{Applicability, Diagnostic};
use crate::source::SourceMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One file's new text.
pub struct FileFix {
    pub path: PathBuf,
    pub display: String,
    pub old: String,
    pub new: String,
    /// How many findings' fixes it applies.
    pub fixes: usize,
}

/// The outcome of planning fixes.
pub struct Plan {
    pub files: Vec<FileFix>,
    /// Fixes left out because they are unsafe and `--unsafe-fixes` was not given.
    pub unsafe_skipped: usize,
}

/// One fix's edits: (start, end, text) in one file.
type Edits = Vec<(usize, usize, String)>;

/// Plans the fixes of `diags`: unsafe ones only when `unsafe_ok`.
pub fn plan(diags: &[Diagnostic], sources: &SourceMap, unsafe_ok: bool) -> Plan {
    let mut unsafe_skipped = 0;
    // file -> fixes (each: its edits as (start, end, text))
    let mut by_file: BTreeMap<usize, Vec<Edits>> = BTreeMap::new();
    for d in diags {
        let Some(f) = &d.fix else { continue };
        match f.applicability {
            Applicability::Display => continue,
            Applicability::Unsafe if !unsafe_ok => {
                unsafe_skipped += 1;
                continue;
            }
            Applicability::Unsafe => {}
        }
        let Some(first) = f.edits.first() else {
            continue;
        };
        let file = first.origin.file;
        if f.edits.iter().any(|e| e.origin.file != file) {
            continue;
        }
        let edits: Edits = f
            .edits
            .iter()
            .map(|e| {
                (
                    e.origin.start,
                    e.origin.end.max(e.origin.start),
                    e.text.clone(),
                )
            })
            .collect();
        let list = by_file.entry(file).or_default();
        if !list.contains(&edits) {
            list.push(edits);
        }
    }
    let mut files = Vec::new();
    for (file, fixes) in by_file {
        let src = sources.get(file);
        let old = src.text.to_string();
        let mut taken: Vec<(usize, usize, String)> = Vec::new();
        let mut count = 0;
        for fix in fixes {
            let clash = fix.iter().any(|(a, b, _)| {
                *b > old.len()
                    || !old.is_char_boundary(*a)
                    || !old.is_char_boundary(*b)
                    || taken
                        .iter()
                        .any(|(x, y, _)| a < y && x < b || (a == b && a == x && x == y))
            });
            if clash {
                continue;
            }
            taken.extend(fix);
            count += 1;
        }
        if count == 0 {
            continue;
        }
        taken.sort_by_key(|(a, b, _)| std::cmp::Reverse((*a, *b)));
        let mut new = old.clone();
        for (a, b, t) in &taken {
            new.replace_range(*a..*b, t);
        }
        files.push(FileFix {
            path: src.path.clone(),
            display: src.display.clone(),
            old,
            new,
            fixes: count,
        });
    }
    Plan {
        files,
        unsafe_skipped,
    }
}

/// A unified diff of the planned changes.
pub fn diff(plan: &Plan) -> String {
    let mut out = String::new();
    for f in &plan.files {
        let d = similar::TextDiff::from_lines(&f.old, &f.new);
        out.push_str(
            &d.unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", f.display), &format!("b/{}", f.display))
                .to_string(),
        );
    }
    out
}
