//! `routelint lsp`: a Language Server over stdio.
//!
//! Diagnostics are pushed on open, on change (debounced) and on save, for `.tf`, `.tfvars`,
//! ARM `.json` and `.bicep` files. Each time only the unit the file belongs to is re-linted
//! (its Terraform root module(s), or its ARM template), with the editor's unsaved buffers
//! read instead of the files on disk. Secondary labels become related information, the rule
//! code links to its documentation, and a fix (an inserted route, a flipped propagation
//! flag) is offered as a quick-fix code action.
//!
//! **Invariant:** only this module knows LSP messages; it calls the library like the CLI.

use crate::diag::{Diagnostic, Severity};
use crate::source::{Origin, SourceMap};
use crate::Options;
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, InitializeResult, Location,
    NumberOrString, Position, PublishDiagnosticsParams, Range, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Url, WorkspaceEdit,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DEBOUNCE: Duration = Duration::from_millis(300);

pub fn uri_to_path(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

pub fn path_to_uri(p: &Path) -> Option<Url> {
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    Url::from_file_path(abs).ok()
}

fn lintable(p: &Path) -> bool {
    crate::source::FileKind::of(p).lintable()
}

fn range(o: Origin, sources: &SourceMap) -> Range {
    let (a, b) = sources.range(o);
    let pos = |p: crate::source::LineCol| Position {
        line: (p.line - 1) as u32,
        character: p.utf16_col as u32,
    };
    Range {
        start: pos(a),
        end: pos(b),
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// An LSP diagnostic, and the quick fix that goes with it.
fn to_lsp(
    d: &Diagnostic,
    sources: &SourceMap,
) -> Option<(Url, lsp_types::Diagnostic, Option<CodeAction>)> {
    let o = d.primary_origin()?;
    let uri = path_to_uri(&sources.get(o.file).path)?;
    let mut message = d.message.clone();
    for n in &d.notes {
        message.push('\n');
        message.push_str(n);
    }
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let primary = d.primary_label().cloned();
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| Some(*l) != primary.as_ref())
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: path_to_uri(&sources.get(l.origin.file).path)?,
                    range: range(l.origin, sources),
                },
                message: l.message.clone(),
            })
        })
        .collect();
    let code_description = d
        .code
        .starts_with("RL")
        .then(|| {
            Url::parse(&format!(
                "{}{}.md",
                crate::report::sarif::rules_url(),
                d.code
            ))
            .ok()
        })
        .flatten()
        .map(|href| CodeDescription { href });
    let v = lsp_types::Diagnostic {
        range: range(o, sources),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description,
        source: Some("routelint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    let fix = d.fix.as_ref().map(|f| {
        let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        for e in &f.edits {
            if let Some(u) = path_to_uri(&sources.get(e.origin.file).path) {
                changes.entry(u).or_default().push(TextEdit {
                    range: range(e.origin, sources),
                    new_text: e.text.clone(),
                });
            }
        }
        CodeAction {
            title: f.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![v.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            }),
            ..Default::default()
        }
    });
    Some((uri, v, fix))
}

#[derive(Default)]
struct State {
    /// Open buffers by URI.
    docs: HashMap<Url, String>,
    /// URIs that currently show diagnostics.
    published: BTreeSet<Url>,
    /// Quick fixes per URI: (diagnostic range, code action).
    fixes: HashMap<Url, Vec<(Range, CodeAction)>>,
    /// A change waiting for the debounce to settle.
    pending: Option<(Instant, Url)>,
}

fn overlaps(a: &Range, b: &Range) -> bool {
    !(a.end < b.start || b.end < a.start)
}

impl State {
    fn lint(&mut self, conn: &Connection, uri: &Url) {
        let Some(path) = uri_to_path(uri) else { return };
        if !lintable(&path) {
            return;
        }
        let overlay: Vec<(PathBuf, String)> = self
            .docs
            .iter()
            .filter_map(|(u, t)| uri_to_path(u).map(|p| (p, t.clone())))
            .collect();
        let opts = Options {
            overlay,
            ..Default::default()
        };
        let out = crate::check(&[path], &opts);
        let mut by_uri: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
        let mut fixes: HashMap<Url, Vec<(Range, CodeAction)>> = HashMap::new();
        // The same notes the command line gives with --verbose: each value that could not
        // be known, at its position.
        let notes = crate::unknown_notes(&out, true);
        for d in out.diagnostics.iter().chain(&notes) {
            if let Some((u, v, fix)) = to_lsp(d, &out.sources) {
                if let Some(f) = fix {
                    fixes.entry(u.clone()).or_default().push((v.range, f));
                }
                by_uri.entry(u).or_default().push(v);
            }
        }
        // Files this run read: clear those whose diagnostics went away.
        let read: BTreeSet<Url> = (0..out.sources.len())
            .filter_map(|i| path_to_uri(&out.sources.get(i).path))
            .collect();
        let mut targets: BTreeSet<Url> = by_uri.keys().cloned().collect();
        targets.extend(self.published.iter().filter(|u| read.contains(*u)).cloned());
        targets.insert(uri.clone());
        for u in targets {
            let diagnostics = by_uri.remove(&u).unwrap_or_default();
            if diagnostics.is_empty() {
                self.published.remove(&u);
            } else {
                self.published.insert(u.clone());
            }
            self.fixes
                .insert(u.clone(), fixes.remove(&u).unwrap_or_default());
            let n = Notification::new(
                PublishDiagnostics::METHOD.into(),
                PublishDiagnosticsParams {
                    uri: u,
                    diagnostics,
                    version: None,
                },
            );
            let _ = conn.sender.send(Message::Notification(n));
        }
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        self.fixes
            .get(&params.text_document.uri)
            .map(|v| {
                v.iter()
                    .filter(|(r, _)| overlaps(r, &params.range))
                    .map(|(_, a)| CodeActionOrCommand::CodeAction(a.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn handle_request(conn: &Connection, st: &State, req: Request) -> bool {
    if conn.handle_shutdown(&req).unwrap_or(true) {
        return true;
    }
    let resp = match req.method.as_str() {
        CodeActionRequest::METHOD => match serde_json::from_value::<CodeActionParams>(req.params) {
            Ok(p) => Response::new_ok(req.id, st.code_actions(&p)),
            Err(e) => Response::new_err(
                req.id,
                lsp_server::ErrorCode::InvalidParams as i32,
                format!("invalid codeAction params: {e}"),
            ),
        },
        _ => Response::new_err(
            req.id,
            lsp_server::ErrorCode::MethodNotFound as i32,
            format!("routelint does not handle {}", req.method),
        ),
    };
    let _ = conn.sender.send(Message::Response(resp));
    false
}

fn handle_notification(conn: &Connection, st: &mut State, n: Notification) {
    fn params<P: serde::de::DeserializeOwned>(n: Notification) -> Option<P> {
        serde_json::from_value(n.params).ok()
    }
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Some(p) = params::<DidOpenTextDocumentParams>(n) else {
                return;
            };
            let uri = p.text_document.uri;
            st.docs.insert(uri.clone(), p.text_document.text);
            st.lint(conn, &uri);
        }
        DidChangeTextDocument::METHOD => {
            let Some(p) = params::<DidChangeTextDocumentParams>(n) else {
                return;
            };
            let uri = p.text_document.uri;
            if let Some(c) = p.content_changes.into_iter().last() {
                st.docs.insert(uri.clone(), c.text);
            }
            st.pending = Some((Instant::now() + DEBOUNCE, uri));
        }
        DidSaveTextDocument::METHOD => {
            let Some(p) = params::<DidSaveTextDocumentParams>(n) else {
                return;
            };
            let uri = p.text_document.uri;
            if let Some(t) = p.text {
                st.docs.insert(uri.clone(), t);
            }
            st.pending = None;
            st.lint(conn, &uri);
        }
        DidCloseTextDocument::METHOD => {
            if let Some(p) = params::<DidCloseTextDocumentParams>(n) {
                st.docs.remove(&p.text_document.uri);
            }
        }
        _ => {}
    }
}

/// Serves one client over stdio until it shuts down.
pub fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (conn, io) = Connection::stdio();
    serve(&conn)?;
    drop(conn);
    io.join()?;
    Ok(())
}

/// The server loop on any connection (stdio, or in memory for tests).
pub fn serve(conn: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        ..Default::default()
    };
    let init = InitializeResult {
        capabilities: caps,
        server_info: Some(ServerInfo {
            name: "routelint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    conn.initialize_finish(conn.initialize_start()?.0, serde_json::to_value(init)?)?;
    let mut st = State::default();
    loop {
        let timeout = match &st.pending {
            Some((at, _)) => at.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        match conn.receiver.recv_timeout(timeout) {
            Ok(Message::Request(req)) => {
                if handle_request(conn, &st, req) {
                    return Ok(());
                }
            }
            Ok(Message::Notification(n)) => {
                if n.method == "exit" {
                    return Ok(());
                }
                handle_notification(conn, &mut st, n);
            }
            Ok(Message::Response(_)) => {}
            Err(crossbeam_timeout) => {
                if crossbeam_timeout.is_disconnected() {
                    return Ok(());
                }
                if let Some((_, uri)) = st.pending.take() {
                    st.lint(conn, &uri);
                }
            }
        }
    }
}
