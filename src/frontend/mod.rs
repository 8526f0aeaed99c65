//! Front ends: syntax -> IR. Each knows its own syntax and nothing of routing.
//!
//! `value` is the evaluated-value type both front ends share: HCL/JSON values plus
//! `Entity` (a declared resource), `Ref` (an attribute Azure computes) and `Unknown`;
//! `to_ir` turns such values into IR prefixes, strings and IP addresses for both.

pub mod arm;
pub mod cidr;
pub mod terraform;
pub mod to_ir;
pub mod value;

use crate::diag::{codes, Diagnostic, Fix, Severity};
use crate::ir::{FixIntent, Model};
use crate::source::{FileId, Origin, SourceMap};
use std::path::Path;

/// What a front end keeps of its syntax to write fixes (the IR holds none of it): each
/// front end turns a rule's [`FixIntent`] into text and edits in its own syntax.
#[derive(Clone, Debug, Default)]
pub enum Syntax {
    Terraform(terraform::fix::Syntax),
    Arm(arm::fix::Syntax),
    /// Nothing was loaded: fixes have no text.
    #[default]
    None,
}

impl Syntax {
    /// The block to add (a route), or the setting, in the configuration's syntax.
    pub fn snippet(&self, m: &Model, intent: &FixIntent) -> String {
        match self {
            Syntax::Terraform(s) => s.snippet(m, intent),
            Syntax::Arm(s) => s.snippet(m, intent),
            Syntax::None => String::new(),
        }
    }
    /// A one-line setting (`bgp_route_propagation_enabled = false`).
    pub fn setting(&self, m: &Model, intent: &FixIntent) -> String {
        match self {
            Syntax::Terraform(s) => s.setting(m, intent),
            Syntax::Arm(s) => s.setting(m, intent),
            Syntax::None => String::new(),
        }
    }
    /// The edits that carry the intent out, where the front end can place them.
    pub fn edits(&self, m: &Model, sources: &SourceMap, intent: &FixIntent) -> Option<Fix> {
        match self {
            Syntax::Terraform(s) => s.edits(m, intent),
            Syntax::Arm(s) => s.edits(m, sources, intent),
            Syntax::None => None,
        }
    }
}

/// Reads a file (or its editor overlay) into the source map. A file that cannot be read is
/// still registered, so the diagnostic names it.
pub fn read_source(sources: &SourceMap, path: &Path) -> Result<FileId, Box<Diagnostic>> {
    match sources.read_file(path) {
        Ok(text) => Ok(sources.add(path, text)),
        Err(e) => {
            let id = sources.add(path, String::new());
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file".to_string()
            } else {
                e.to_string()
            };
            Err(Box::new(
                Diagnostic::new(
                    codes::READ_ERROR,
                    Severity::Error,
                    format!("cannot read {}: {why}", path.display()),
                )
                .in_file(id),
            ))
        }
    }
}

/// A positioned parse error: `cannot parse <what>: <msg>`.
pub fn parse_error(
    file: FileId,
    at: std::ops::Range<usize>,
    what: &str,
    msg: &str,
) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(
            codes::PARSE_ERROR,
            Severity::Error,
            format!("cannot parse {what}: {msg}"),
        )
        .primary(Origin::new(file, at), msg.to_string())
        .in_file(file),
    )
}
