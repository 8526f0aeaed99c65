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
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DEBOUNCE: Duration = Duration::from_millis(300);

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    Some(PathBuf::from(decode(rest)))
}

pub fn path_to_uri(p: &Path) -> String {
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let s = abs.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    for c in s.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

fn lintable(p: &Path) -> bool {
    crate::source::FileKind::of(p).lintable()
}

fn range(o: Origin, sources: &SourceMap) -> Value {
    let (a, b) = sources.range(o);
    json!({"start": {"line": a.line - 1, "character": a.utf16_col}, "end": {"line": b.line - 1, "character": b.utf16_col}})
}

fn severity(s: Severity) -> u8 {
    match s {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    }
}

/// An LSP diagnostic, and the quick fix that goes with it.
fn to_lsp(d: &Diagnostic, sources: &SourceMap) -> Option<(String, Value, Option<Value>)> {
    let o = d.primary_origin()?;
    let uri = path_to_uri(&sources.get(o.file).path);
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
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| Some(*l) != primary.as_ref())
        .map(|l| json!({"location": {"uri": path_to_uri(&sources.get(l.origin.file).path), "range": range(l.origin, sources)}, "message": l.message}))
        .collect();
    let mut v = json!({
        "range": range(o, sources),
        "severity": severity(d.severity),
        "code": d.code,
        "source": "routelint",
        "message": message,
    });
    if d.code.starts_with("RL") {
        v["codeDescription"] =
            json!({"href": format!("{}{}.md", crate::report::sarif::rules_url(), d.code)});
    }
    if !related.is_empty() {
        v["relatedInformation"] = json!(related);
    }
    let fix = d.fix.as_ref().map(|f| {
        let mut changes: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for e in &f.edits {
            changes
                .entry(path_to_uri(&sources.get(e.origin.file).path))
                .or_default()
                .push(json!({"range": range(e.origin, sources), "newText": e.text}));
        }
        json!({"title": f.title, "kind": "quickfix", "diagnostics": [v.clone()], "edit": {"changes": changes}})
    });
    Some((uri, v, fix))
}

#[derive(Default)]
struct State {
    /// Open buffers by URI.
    docs: HashMap<String, String>,
    /// URIs that currently show diagnostics.
    published: BTreeSet<String>,
    /// Quick fixes per URI: (diagnostic range, code action).
    fixes: HashMap<String, Vec<(Value, Value)>>,
    /// A change waiting for the debounce to settle.
    pending: Option<(Instant, String)>,
}

fn overlaps(a: &Value, b: &Value) -> bool {
    let pos = |v: &Value| {
        (
            v["line"].as_u64().unwrap_or(0),
            v["character"].as_u64().unwrap_or(0),
        )
    };
    !(pos(&a["end"]) < pos(&b["start"]) || pos(&b["end"]) < pos(&a["start"]))
}

impl State {
    fn lint(&mut self, conn: &Connection, uri: &str) {
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
        let mut by_uri: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut fixes: HashMap<String, Vec<(Value, Value)>> = HashMap::new();
        // The same notes the command line gives with --verbose: each value that could not
        // be known, at its position.
        let notes = crate::unknown_notes(&out, true);
        for d in out.diagnostics.iter().chain(&notes) {
            if let Some((u, v, fix)) = to_lsp(d, &out.sources) {
                if let Some(f) = fix {
                    fixes
                        .entry(u.clone())
                        .or_default()
                        .push((v["range"].clone(), f));
                }
                by_uri.entry(u).or_default().push(v);
            }
        }
        // Files this run read: clear those whose diagnostics went away.
        let read: BTreeSet<String> = (0..out.sources.len())
            .map(|i| path_to_uri(&out.sources.get(i).path))
            .collect();
        let mut targets: BTreeSet<String> = by_uri.keys().cloned().collect();
        targets.extend(self.published.iter().filter(|u| read.contains(*u)).cloned());
        targets.insert(uri.to_string());
        for u in targets {
            let diags = by_uri.remove(&u).unwrap_or_default();
            if diags.is_empty() {
                self.published.remove(&u);
            } else {
                self.published.insert(u.clone());
            }
            self.fixes
                .insert(u.clone(), fixes.remove(&u).unwrap_or_default());
            let n = Notification::new(
                "textDocument/publishDiagnostics".into(),
                json!({"uri": u, "diagnostics": diags}),
            );
            let _ = conn.sender.send(Message::Notification(n));
        }
    }

    fn code_actions(&self, params: &Value) -> Value {
        let uri = params["textDocument"]["uri"].as_str().unwrap_or("");
        let want = &params["range"];
        let actions: Vec<Value> = self
            .fixes
            .get(uri)
            .map(|v| {
                v.iter()
                    .filter(|(r, _)| overlaps(r, want))
                    .map(|(_, a)| a.clone())
                    .collect()
            })
            .unwrap_or_default();
        json!(actions)
    }
}

fn handle_request(conn: &Connection, st: &State, req: Request) -> bool {
    if conn.handle_shutdown(&req).unwrap_or(true) {
        return true;
    }
    let result = match req.method.as_str() {
        "textDocument/codeAction" => Ok(st.code_actions(&req.params)),
        _ => Err(lsp_server::ResponseError {
            code: lsp_server::ErrorCode::MethodNotFound as i32,
            message: format!("routelint does not handle {}", req.method),
            data: None,
        }),
    };
    let resp = match result {
        Ok(v) => Response::new_ok(req.id, v),
        Err(e) => Response {
            id: req.id,
            response_result: Err(e),
        },
    };
    let _ = conn.sender.send(Message::Response(resp));
    false
}

fn handle_notification(conn: &Connection, st: &mut State, n: Notification) {
    let uri = n.params["textDocument"]["uri"]
        .as_str()
        .unwrap_or("")
        .to_string();
    match n.method.as_str() {
        "textDocument/didOpen" => {
            let text = n.params["textDocument"]["text"]
                .as_str()
                .unwrap_or("")
                .to_string();
            st.docs.insert(uri.clone(), text);
            st.lint(conn, &uri);
        }
        "textDocument/didChange" => {
            if let Some(changes) = n.params["contentChanges"].as_array() {
                if let Some(text) = changes.last().and_then(|c| c["text"].as_str()) {
                    st.docs.insert(uri.clone(), text.to_string());
                }
            }
            st.pending = Some((Instant::now() + DEBOUNCE, uri));
        }
        "textDocument/didSave" => {
            if let Some(t) = n.params["text"].as_str() {
                st.docs.insert(uri.clone(), t.to_string());
            }
            st.pending = None;
            st.lint(conn, &uri);
        }
        "textDocument/didClose" => {
            st.docs.remove(&uri);
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
    let caps = json!({
        "textDocumentSync": {"openClose": true, "change": 1, "save": {"includeText": true}},
        "codeActionProvider": {"codeActionKinds": ["quickfix"]},
    });
    conn.initialize_finish(conn.initialize_start()?.0, json!({"capabilities": caps, "serverInfo": {"name": "routelint", "version": env!("CARGO_PKG_VERSION")}}))?;
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
