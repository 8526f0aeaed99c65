//! The one diagnostic type every stage reports through.
//!
//! Front ends report parse and evaluation problems, the analysis reports Unknowns, rules
//! report findings: all as [`Diagnostic`]s with labelled byte spans. Only `report` turns
//! them into text (miette, JSON, SARIF, …).

use crate::source::{FileId, Origin, SourceMap};
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A labelled span. The first primary label is where the user should change something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    #[serde(skip)]
    pub origin: Origin,
    pub message: String,
    pub primary: bool,
}

/// A text edit a fix proposes: insert or replace `origin` with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    #[serde(skip)]
    pub origin: Origin,
    pub text: String,
}

/// How safe applying a fix is (ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Shown to the user, never applied automatically.
    Display,
    /// Changes behaviour on purpose: applied only when asked.
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// Codes that are not rules.
pub mod codes {
    /// A file that cannot be parsed.
    pub const PARSE_ERROR: &str = "parse-error";
    /// A path that does not exist or a file that cannot be read (permissions, a pipe, over
    /// the size limit, a link out of the tree).
    pub const READ_ERROR: &str = "read-error";
    /// An expression that cannot be evaluated (type error, missing attribute…).
    pub const EVAL_ERROR: &str = "eval-error";
    /// A value that cannot be known statically.
    pub const UNKNOWN: &str = "unknown";
    /// Something routelint recognises and deliberately does not analyse.
    pub const NOT_ANALYSED: &str = "not-analysed";
    /// A configuration file problem.
    pub const CONFIG_ERROR: &str = "config-error";
    /// Flows that could not be checked because a deciding value is not known.
    pub const NOT_CHECKED: &str = "not-checked";
    /// A suppression comment that suppresses nothing (see `suppress`).
    pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
    /// A directory met while looking for files that could not be read.
    pub const UNREADABLE: &str = "unreadable";
    /// A baseline entry that matches no finding any more.
    pub const BASELINE_STALE: &str = "baseline-stale";
    /// A suppression naming something that is not a rule (see `suppress`).
    pub const INVALID_SUPPRESSION: &str = "invalid-suppression";

    /// Every code that is not a rule (what `explain`, `--select` and `--ignore` accept
    /// besides rules).
    pub const ALL: &[&str] = &[
        PARSE_ERROR,
        READ_ERROR,
        EVAL_ERROR,
        UNKNOWN,
        NOT_ANALYSED,
        CONFIG_ERROR,
        NOT_CHECKED,
        UNUSED_SUPPRESSION,
        UNREADABLE,
        BASELINE_STALE,
        INVALID_SUPPRESSION,
    ];

    /// What a code that is not a rule means (`routelint explain unknown`).
    pub fn explain(code: &str) -> Option<&'static str> {
        Some(match code {
            PARSE_ERROR => "# parse-error (error)\n\nA file could not be parsed; the diagnostic is at the position where parsing stopped. The other files are still linted; the run exits with 2.",
            READ_ERROR => "# read-error (error)\n\nA path that does not exist, or a file routelint does not read: no permission, not a regular file (a pipe or device), larger than --max-file-size, or a link out of the linted tree. The other files are still linted; the run exits with 2.",
            EVAL_ERROR => "# eval-error (info)\n\nAn expression could not be evaluated (a type error, a missing attribute, a limit reached). Its value is Unknown and nothing that depends on it is guessed.",
            UNKNOWN => "# unknown (info)\n\nA value the configuration does not determine (a computed attribute, an unset variable, a module that is not downloaded). With --verbose each one is listed at its position; flows that depend on one are not judged.",
            NOT_ANALYSED => "# not-analysed (info)\n\nSomething routelint recognises and deliberately does not analyse yet (Azure Route Server's BGP routes, Virtual Network Manager connectivity). Virtual WAN hubs are reported by RL022 `unanalysed-virtual-wan`.",
            CONFIG_ERROR => "# config-error (error)\n\nA problem in routelint.toml, at its position: an unknown key, rule, severity or glob.",
            NOT_CHECKED => "# not-checked (info)\n\nIntended flows whose two-way trace stops at a value that is not known: one note per deciding value says how many and why (with --verbose); the summary counts them.",
            BASELINE_STALE => "# baseline-stale (warning)\n\nAn entry of the file given with --baseline matches no finding any more: what it recorded was fixed (or its subject renamed). Remove the entry, or rewrite the file with --write-baseline. It does not change the exit code.",
            UNREADABLE => "# unreadable (warning)\n\nA directory met while looking for files to lint could not be read (no permission, a path too long for the system): what is in it is not linted. The rest is, and the exit code is not changed by it.",
            INVALID_SUPPRESSION => "# invalid-suppression (error)\n\nA routelint:ignore comment (or ARM metadata) names a code or name that is no rule: a typo that would suppress nothing. Write a rule code (RL001) or name; `routelint rules` lists them. The run exits with 2.",
            UNUSED_SUPPRESSION => "# unused-suppression (warning)\n\nA routelint:ignore comment that suppresses no finding: remove it, or fix its code.",
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: String,
    /// Kebab-case rule name, or the code again for non-rule diagnostics.
    pub name: String,
    pub severity: Severity,
    /// One-line headline.
    pub message: String,
    /// Further lines (the flow in words…), shown under the headline.
    pub notes: Vec<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// The file a label-less diagnostic is about.
    #[serde(skip)]
    pub file: Option<FileId>,
    /// Machine-readable subject (for parity between front ends): e.g. the flow's endpoints.
    pub subject: String,
    /// The flow in words, for findings about a flow.
    pub flow: Option<FlowText>,
    /// Index of the finding's traced flow in `Outcome::traced` (what `graph` draws).
    #[serde(skip)]
    pub traced: Option<usize>,
    /// Subjects of further flows with the same cause and fix, merged into this finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

/// A flow and its two directions, in words (also shown as notes), with the hops of each
/// direction and where they are declared (for SARIF code flows and editors).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowText {
    pub flow: String,
    pub forward: String,
    #[serde(rename = "return")]
    pub reverse: Option<String>,
    #[serde(skip)]
    pub forward_steps: Vec<StepText>,
    #[serde(skip)]
    pub return_steps: Vec<StepText>,
}

/// One hop of a traced direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepText {
    #[serde(skip)]
    pub origin: Option<Origin>,
    pub text: String,
}

impl Diagnostic {
    pub fn new(code: &str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.to_string(),
            name: code.to_string(),
            severity,
            message: message.into(),
            notes: Vec::new(),
            labels: Vec::new(),
            help: None,
            fix: None,
            file: None,
            subject: String::new(),
            flow: None,
            traced: None,
            also: Vec::new(),
        }
    }

    pub fn primary(mut self, origin: Origin, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            origin,
            message: message.into(),
            primary: true,
        });
        self
    }
    pub fn secondary(mut self, origin: Origin, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            origin,
            message: message.into(),
            primary: false,
        });
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn in_file(mut self, file: FileId) -> Self {
        self.file = Some(file);
        self
    }
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// The label a position is reported at: the first primary label, else the first label.
    pub fn primary_label(&self) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or_else(|| self.labels.first())
    }

    pub fn primary_origin(&self) -> Option<Origin> {
        self.primary_label().map(|l| l.origin)
    }

    pub fn primary_file(&self) -> Option<FileId> {
        self.primary_origin().map(|o| o.file).or(self.file)
    }

    /// Sort key: file path, position, code, message. Output order is deterministic.
    pub fn sort_key(&self, sources: &SourceMap) -> (String, usize, String, String) {
        let (path, off) = match self.primary_origin() {
            Some(o) => (sources.get(o.file).display.clone(), o.start),
            None => match self.file {
                Some(f) => (sources.get(f).display.clone(), 0),
                None => (String::new(), 0),
            },
        };
        (path, off, self.code.clone(), self.message.clone())
    }
}

/// Sorts diagnostics and removes exact duplicates (the same finding reached through two
/// units, say: which traced flow it points at does not make it another finding).
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>, sources: &SourceMap) {
    diags.sort_by_cached_key(|d| d.sort_key(sources));
    diags.dedup_by(|a, b| {
        let t = std::mem::replace(&mut a.traced, b.traced);
        let same = a == b;
        a.traced = t;
        same
    });
}

#[cfg(test)]
mod codes_tests {
    #[test]
    fn every_note_code_is_explained() {
        for c in super::codes::ALL {
            assert!(super::codes::explain(c).is_some(), "{c}");
        }
    }
}
