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
    /// The workspace folders the client opened: only files inside them are linted (none
    /// given: any file).
    roots: Vec<PathBuf>,
    /// Syntax trees kept between lints: after a save, only the changed file is parsed.
    cache: std::sync::Arc<crate::cache::Cache>,
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
        // Only files inside the client's workspace folders (when it names any).
        let canon = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !self.roots.is_empty()
            && !self
                .roots
                .iter()
                .any(|r| path.starts_with(r) || canon.starts_with(r))
        {
            return;
        }
        let overlay: Vec<(PathBuf, String)> = self
            .docs
            .iter()
            .filter_map(|(u, t)| uri_to_path(u).map(|p| (p, t.clone())))
            .collect();
        let opts = Options {
            overlay,
            cache: Some(self.cache.clone()),
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

/// The workspace folders of `initialize` (`workspaceFolders`, else `rootUri`, else
/// `rootPath`), as canonical paths.
fn workspace_roots(params: &serde_json::Value) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let from_uri = |u: &serde_json::Value| {
        u.as_str()
            .and_then(|s| Url::parse(s).ok())
            .and_then(|u| uri_to_path(&u))
    };
    if let Some(folders) = params.get("workspaceFolders").and_then(|f| f.as_array()) {
        out.extend(
            folders
                .iter()
                .filter_map(|f| f.get("uri").and_then(from_uri)),
        );
    }
    if out.is_empty() {
        if let Some(p) = params.get("rootUri").and_then(from_uri) {
            out.push(p);
        } else if let Some(p) = params.get("rootPath").and_then(|p| p.as_str()) {
            out.push(PathBuf::from(p));
        }
    }
    out.into_iter()
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
        .collect()
}

/// The largest message body the server reads (`Content-Length`); a larger one is skipped
/// without being held in memory.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// One framed message read from the client, or why the frame was not one.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A frame that is not a message (no or bad `Content-Length`, too large, not JSON-RPC):
    /// skipped; the reason is logged, and a parse error is answered.
    Invalid(String),
    Eof,
}

/// Reads one `Content-Length`-framed message. Never allocates more than
/// [`MAX_MESSAGE_BYTES`] for a body, whatever the header says.
pub fn read_frame(r: &mut impl std::io::BufRead) -> std::io::Result<Frame> {
    use std::io::{BufRead, Read};
    // The rest of a line, skipped without holding it.
    fn skip_line(r: &mut impl BufRead) -> std::io::Result<()> {
        loop {
            let buf = r.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            match buf.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    r.consume(i + 1);
                    return Ok(());
                }
                None => {
                    let n = buf.len();
                    r.consume(n);
                }
            }
        }
    }
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = r.by_ref().take(8 << 10).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(if saw_header {
                Frame::Invalid("the input ended inside a header".into())
            } else {
                Frame::Eof
            });
        }
        if !line.ends_with(b"\n") {
            // A header line longer than 8 KiB: drop the rest of it.
            skip_line(r)?;
            length = Some(Err("a header line is too long".into()));
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                continue;
            }
            break;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("Content-Length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("Content-Length `{}` is not a number", value.trim())),
                );
            }
        }
    }
    let len = match length {
        None => return Ok(Frame::Invalid("a message without Content-Length".into())),
        Some(Err(why)) => return Ok(Frame::Invalid(why)),
        Some(Ok(n)) => n,
    };
    if len > MAX_MESSAGE_BYTES {
        // Skip the body without holding it.
        std::io::copy(&mut r.by_ref().take(len as u64), &mut std::io::sink())?;
        return Ok(Frame::Invalid(format!(
            "a message of {len} bytes (routelint reads at most {MAX_MESSAGE_BYTES})"
        )));
    }
    let mut body = Vec::with_capacity(len.min(1 << 20));
    r.by_ref().take(len as u64).read_to_end(&mut body)?;
    if body.len() < len {
        return Ok(Frame::Invalid("the input ended inside a message".into()));
    }
    Ok(match serde_json::from_slice::<Message>(&body) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::Invalid(format!("not a JSON-RPC message: {e}")),
    })
}

/// A connection over stdin/stdout that survives malformed frames: a frame that is not a
/// message is logged to stderr and answered with a JSON-RPC parse error, and reading goes on.
fn stdio_connection() -> (Connection, Vec<std::thread::JoinHandle<()>>) {
    let (writer_tx, writer_rx) = crossbeam_channel::bounded::<Message>(0);
    let (reader_tx, reader_rx) = crossbeam_channel::bounded::<Message>(0);
    // Parse errors have a null id, which `Message` cannot carry: they go out as raw JSON.
    let (raw_tx, raw_rx) = crossbeam_channel::unbounded::<String>();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        loop {
            crossbeam_channel::select! {
                recv(writer_rx) -> m => match m {
                    Ok(m) => {
                        if m.write(&mut out).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                },
                recv(raw_rx) -> body => {
                    let Ok(body) = body else { continue };
                    if write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())
                        .and_then(|_| out.flush())
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    let reader = std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        loop {
            match read_frame(&mut input) {
                Ok(Frame::Message(m)) => {
                    let exit = matches!(&m, Message::Notification(n) if n.method == "exit");
                    if reader_tx.send(m).is_err() || exit {
                        break;
                    }
                }
                Ok(Frame::Invalid(why)) => {
                    eprintln!("routelint lsp: skipped a frame: {why}");
                    let body = serde_json::json!({
                        "jsonrpc": "2.0",
                        "id": null,
                        "error": {"code": lsp_server::ErrorCode::ParseError as i32, "message": why},
                    });
                    let _ = raw_tx.send(body.to_string());
                }
                Ok(Frame::Eof) | Err(_) => break,
            }
        }
    });
    (
        Connection {
            sender: writer_tx,
            receiver: reader_rx,
        },
        vec![reader, writer],
    )
}

/// Serves one client over stdio until it exits. `Ok(true)`: it shut down cleanly (`shutdown`
/// then `exit`); `Ok(false)`: it exited or went away without `shutdown` (exit code 1, as
/// the protocol says).
pub fn run() -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let (conn, threads) = stdio_connection();
    let clean = serve(&conn)?;
    drop(conn);
    for t in threads {
        let _ = t.join();
    }
    Ok(clean)
}

/// The server loop on any connection (stdio, or in memory for tests). `Ok(true)` after
/// `shutdown` and `exit`, `Ok(false)` after `exit` (or a lost client) without `shutdown`.
pub fn serve(conn: &Connection) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
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
    let (id, params) = conn.initialize_start()?;
    conn.initialize_finish(id, serde_json::to_value(init)?)?;
    let mut st = State {
        roots: workspace_roots(&params),
        ..Default::default()
    };
    loop {
        let timeout = match &st.pending {
            Some((at, _)) => at.saturating_duration_since(Instant::now()),
            None => Duration::from_secs(3600),
        };
        match conn.receiver.recv_timeout(timeout) {
            Ok(Message::Request(req)) => {
                if handle_request(conn, &st, req) {
                    return Ok(true);
                }
            }
            Ok(Message::Notification(n)) => {
                if n.method == "exit" {
                    return Ok(false);
                }
                handle_notification(conn, &mut st, n);
            }
            Ok(Message::Response(_)) => {}
            Err(crossbeam_timeout) => {
                if crossbeam_timeout.is_disconnected() {
                    return Ok(false);
                }
                if let Some((_, uri)) = st.pending.take() {
                    st.lint(conn, &uri);
                }
            }
        }
    }
}

#[cfg(test)]
mod root_tests {
    #[test]
    fn workspace_folders_then_root_uri_then_root_path() {
        let dir = std::env::temp_dir();
        let canon = std::fs::canonicalize(&dir).unwrap();
        let uri = super::path_to_uri(&canon).unwrap().to_string();
        let got = super::workspace_roots(&serde_json::json!({
            "workspaceFolders": [{"uri": uri, "name": "w"}],
            "rootUri": "file:///elsewhere"
        }));
        assert_eq!(got, vec![canon.clone()]);
        let got = super::workspace_roots(&serde_json::json!({"rootUri": uri}));
        assert_eq!(got, vec![canon.clone()]);
        assert!(super::workspace_roots(&serde_json::json!({"rootUri": null})).is_empty());
    }
}

#[cfg(test)]
mod framing_tests {
    use super::{read_frame, Frame, MAX_MESSAGE_BYTES};
    use std::io::Cursor;

    fn frames(bytes: &[u8]) -> Vec<String> {
        let mut r = Cursor::new(bytes.to_vec());
        let mut out = Vec::new();
        loop {
            match read_frame(&mut r).expect("reading from memory") {
                Frame::Eof => return out,
                Frame::Message(m) => {
                    out.push(format!("message {}", serde_json::to_string(&m).unwrap()))
                }
                Frame::Invalid(why) => out.push(format!("invalid {why}")),
            }
        }
    }

    #[test]
    fn malformed_frames_are_skipped_and_reading_goes_on() {
        let ok = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\nnot{{}}Content-Length: {}\r\n\r\n{ok}X-Other: 1\r\n\r\nContent-Length: abc\r\n\r\nContent-Length: {}\r\n\r\n{ok}",
            ok.len(),
            ok.len()
        );
        let got = frames(input.as_bytes());
        assert_eq!(got.len(), 5, "{got:#?}");
        assert!(
            got[0].starts_with("invalid not a JSON-RPC message"),
            "{got:?}"
        );
        assert!(got[1].starts_with("message "), "{got:?}");
        assert_eq!(got[2], "invalid a message without Content-Length");
        assert_eq!(got[3], "invalid Content-Length `abc` is not a number");
        assert!(got[4].starts_with("message "), "{got:?}");
    }

    #[test]
    fn a_huge_content_length_is_refused_without_allocating() {
        // 3,000,000,000 bytes announced, 10 sent: skipped, nothing held.
        let got = frames(b"Content-Length: 3000000000\r\n\r\n0123456789");
        assert_eq!(
            got,
            vec![format!(
                "invalid a message of 3000000000 bytes (routelint reads at most {MAX_MESSAGE_BYTES})"
            )]
        );
        let got = frames(b"Content-Length: 100000000000\r\n\r\n");
        assert_eq!(got.len(), 1);
        // A body cut short.
        assert_eq!(
            frames(b"Content-Length: 50\r\n\r\n{\"jsonrpc\""),
            vec!["invalid the input ended inside a message".to_string()]
        );
    }
}
