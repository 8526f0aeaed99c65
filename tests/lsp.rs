//! `routelint lsp` speaks JSON-RPC over stdio: initialize, didOpen, codeAction, didChange,
//! didSave, publishDiagnostics, shutdown, exit.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_routelint"))
            .arg("lsp")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn routelint lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut buf = vec![0u8; len];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&buf).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, rx }
    }
    fn send(&mut self, v: Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }
    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self
                .rx
                .recv_timeout(Duration::from_secs(30))
                .expect("a response");
            if m["id"] == json!(id) {
                return m;
            }
        }
    }
    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }
    /// The next publishDiagnostics for a URI.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = self
                .rx
                .recv_timeout(Duration::from_secs(30))
                .expect("publishDiagnostics");
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

#[test]
fn diagnostics_related_information_code_action_and_shutdown() {
    let root = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).unwrap();
    let path = root.join("fixtures/onprem-return-propagation-on/terraform/spokes.tf");
    let uri = format!("file://{}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    let mut c = Client::start();
    let init = c.request(1, "initialize", json!({"processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {}}));
    assert_eq!(
        init["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"][0],
        "quickfix"
    );
    c.notify("initialized", json!({}));

    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}));
    let diags = c.diagnostics_for(&uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "RL001");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"]["line"], 34);
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("RL001.md"));
    let rel = &d["relatedInformation"][0];
    assert!(rel["location"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("gateway.tf"));
    assert_eq!(rel["location"]["range"]["start"]["line"], 48);

    let actions = c.request(
        2,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let a = &actions["result"][0];
    assert_eq!(a["kind"], "quickfix");
    let edit = &a["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "  bgp_route_propagation_enabled = false\n");

    // Apply the fix in the buffer (unsaved): the debounced re-lint clears the diagnostic.
    let start = &edit["range"]["start"];
    let line = start["line"].as_u64().unwrap() as usize;
    let col = start["character"].as_u64().unwrap() as usize;
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[line].insert_str(col, edit["newText"].as_str().unwrap());
    let fixed = lines.join("\n") + "\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert!(c.diagnostics_for(&uri).is_empty());
    // Saving the original text brings it back.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}, "text": text}),
    );
    assert_eq!(c.diagnostics_for(&uri).len(), 1);

    let down = c.request(3, "shutdown", json!(null));
    assert!(down.get("error").is_none(), "{down}");
    c.notify("exit", json!(null));
    let status = c.child.wait().unwrap();
    assert!(status.success());
}

/// Malformed frames (bad JSON, no Content-Length, a Content-Length of 3 GB) are answered
/// with a parse error and skipped; the server keeps serving, and `exit` without `shutdown`
/// ends it with code 1.
#[test]
fn malformed_frames_are_survived_and_exit_without_shutdown_is_1() {
    let mut c = Client::start();
    let init = c.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert!(init.get("result").is_some(), "{init}");
    c.notify("initialized", json!({}));
    write!(c.stdin, "Content-Length: 7\r\n\r\nnot {{}}X").unwrap();
    write!(c.stdin, "X-Nothing: 1\r\n\r\n").unwrap();
    write!(
        c.stdin,
        "Content-Length: 3000000000\r\n\r\n{{\"short\": 1}}"
    )
    .unwrap();
    c.stdin.flush().unwrap();
    // The 3 GB frame swallows what follows it; close the input to end it. The server
    // answered the first two with parse errors and is still there to answer.
    let first =
        c.rx.recv_timeout(Duration::from_secs(30))
            .expect("a parse error");
    assert_eq!(first["error"]["code"], json!(-32700), "{first}");
    assert_eq!(first["id"], json!(null), "{first}");
    let second =
        c.rx.recv_timeout(Duration::from_secs(30))
            .expect("a parse error");
    assert_eq!(second["error"]["code"], json!(-32700), "{second}");
    drop(c.stdin);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "lost without shutdown");

    // `exit` without `shutdown`: code 1.
    let mut c = Client::start();
    c.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    c.notify("exit", json!(null));
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}
