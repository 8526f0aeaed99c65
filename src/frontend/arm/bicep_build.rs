//! Compiling Bicep that has no compiled template beside it: the one program routelint runs.
//!
//! The compiler is `bicep` on `PATH` (or `az`, as `az bicep build`); it is run without a
//! shell as `bicep build --stdout FILE`, with a timeout (`ROUTELINT_BICEP_TIMEOUT` seconds,
//! default 60), and its errors (`FILE(line,col) : Error BCPnnn: message`) become positioned
//! diagnostics. `--no-bicep-build` turns it off; without a compiler each such file gets a
//! warning saying it was not checked.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Bicep compiler found on `PATH`.
#[derive(Clone, Debug)]
pub enum Compiler {
    Bicep(PathBuf),
    Az(PathBuf),
}

impl Compiler {
    pub fn name(&self) -> String {
        match self {
            Compiler::Bicep(p) => p.display().to_string(),
            Compiler::Az(p) => format!("{} bicep", p.display()),
        }
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for candidate in [
            name.to_string(),
            format!("{name}.exe"),
            format!("{name}.cmd"),
        ] {
            let p = dir.join(&candidate);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// `bicep` on `PATH`, else `az`.
pub fn find() -> Option<Compiler> {
    on_path("bicep")
        .map(Compiler::Bicep)
        .or_else(|| on_path("az").map(Compiler::Az))
}

fn timeout() -> Duration {
    let secs = std::env::var("ROUTELINT_BICEP_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// Why a compilation gave no template.
#[derive(Debug)]
pub enum BuildError {
    /// The compiler could not be started.
    Start(String),
    /// It ran longer than the timeout and was stopped.
    Timeout(Duration),
    /// It failed: its messages, each with a 1-based (line, column) in the file when it
    /// gave one.
    Failed(Vec<(Option<(usize, usize)>, String)>),
}

/// Compiles one `.bicep` file to the ARM template JSON it would write.
pub fn build(c: &Compiler, file: &Path) -> Result<String, BuildError> {
    let mut cmd = match c {
        Compiler::Bicep(p) => {
            let mut cmd = Command::new(p);
            cmd.arg("build").arg("--stdout").arg(file);
            cmd
        }
        Compiler::Az(p) => {
            let mut cmd = Command::new(p);
            cmd.args(["bicep", "build", "--stdout", "--file"]).arg(file);
            cmd
        }
    };
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BuildError::Start(format!("cannot run {}: {e}", c.name())))?;
    // Read both pipes while waiting, so a chatty compiler never blocks on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.take(64 << 20).read_to_string(&mut s);
        }
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.take(1 << 20).read_to_string(&mut s);
        }
        s
    });
    let limit = timeout();
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BuildError::Timeout(limit));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(BuildError::Start(e.to_string())),
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    if status.success() && stdout.trim_start().starts_with('{') {
        return Ok(stdout);
    }
    let mut msgs: Vec<(Option<(usize, usize)>, String)> =
        stderr.lines().filter_map(parse_message).collect();
    if msgs.is_empty() {
        let text = stderr.trim();
        msgs.push((
            None,
            if text.is_empty() {
                format!("{} exited with {status} and wrote no template", c.name())
            } else {
                text.lines().next().unwrap_or(text).to_string()
            },
        ));
    }
    Err(BuildError::Failed(msgs))
}

/// One compiler message: `PATH(line,col) : Error BCP018: Expected ...` (warnings are
/// left out: the template was written).
fn parse_message(line: &str) -> Option<(Option<(usize, usize)>, String)> {
    let open = line.find('(')?;
    let close = open + line[open..].find(')')?;
    let mut pos = line[open + 1..close].split(',');
    let l: usize = pos.next()?.trim().parse().ok()?;
    let c: usize = pos.next()?.trim().parse().ok()?;
    let rest = line[close + 1..].trim_start().strip_prefix(':')?.trim();
    if !rest.starts_with("Error") {
        return None;
    }
    Some((Some((l, c)), rest.to_string()))
}

/// The entry points among `.bicep` files: those no other of them uses as a `module`.
/// `read` gives a file's text (the `SourceMap`, which reads only what it may).
pub fn entry_points(files: &[PathBuf], read: impl Fn(&Path) -> Option<String>) -> Vec<PathBuf> {
    let mut used: Vec<PathBuf> = Vec::new();
    for f in files {
        let Some(text) = read(f) else {
            continue;
        };
        let dir = f.parent().unwrap_or(Path::new("."));
        for line in text.lines() {
            let t = line.trim_start();
            let Some(rest) = t.strip_prefix("module ") else {
                continue;
            };
            let Some(q) = rest.find('\'') else { continue };
            let Some(end) = rest[q + 1..].find('\'') else {
                continue;
            };
            let target = &rest[q + 1..q + 1 + end];
            if target.ends_with(".bicep") && !target.contains(':') {
                let p = dir.join(target);
                used.push(std::fs::canonicalize(&p).unwrap_or(p));
            }
        }
    }
    files
        .iter()
        .filter(|f| {
            let c = std::fs::canonicalize(f).unwrap_or_else(|_| f.to_path_buf());
            !used.contains(&c)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn compiler_messages_are_positioned() {
        assert_eq!(
            super::parse_message("/x/main.bicep(12,5) : Error BCP018: Expected the \"=\" character at this location."),
            Some((Some((12, 5)), "Error BCP018: Expected the \"=\" character at this location.".to_string()))
        );
        assert_eq!(
            super::parse_message("/x/main.bicep(1,1) : Warning no-unused-params: x"),
            None
        );
        assert_eq!(super::parse_message("something else"), None);
    }
}
