//! Source files and positions.
//!
//! Every file routelint reads is registered once in a [`SourceMap`] and is then named by a
//! [`FileId`]. Positions everywhere else are byte spans ([`Origin`]); this module turns them
//! into lines and columns (1-based, and UTF-16 columns for the LSP).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Index of a file in the [`SourceMap`].
pub type FileId = usize;

/// What a file is, by its name: the one place that knows routelint's file extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `*.tf`
    Terraform,
    /// `*.tf.json`
    TerraformJson,
    /// `*.tfvars`
    TfVars,
    /// `*.tfvars.json`
    TfVarsJson,
    /// `*.parameters.json` (ARM parameters)
    ArmParameters,
    /// Any other `*.json`: an ARM template if its `$schema` says so.
    Json,
    /// `*.bicep`
    Bicep,
    /// `routelint.toml` and anything else.
    Other,
}

impl FileKind {
    pub fn of(path: &Path) -> FileKind {
        let n = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if n.ends_with(".tf") {
            FileKind::Terraform
        } else if n.ends_with(".tf.json") {
            FileKind::TerraformJson
        } else if n.ends_with(".tfvars") {
            FileKind::TfVars
        } else if n.ends_with(".tfvars.json") {
            FileKind::TfVarsJson
        } else if n.ends_with(".parameters.json") {
            FileKind::ArmParameters
        } else if n.ends_with(".json") {
            FileKind::Json
        } else if n.ends_with(".bicep") {
            FileKind::Bicep
        } else {
            FileKind::Other
        }
    }
    /// A Terraform configuration file (`.tf`, `.tf.json`).
    pub fn is_terraform(self) -> bool {
        matches!(self, FileKind::Terraform | FileKind::TerraformJson)
    }
    /// A Terraform variable file (`.tfvars`, `.tfvars.json`).
    pub fn is_tfvars(self) -> bool {
        matches!(self, FileKind::TfVars | FileKind::TfVarsJson)
    }
    /// Written in JSON.
    pub fn is_json(self) -> bool {
        matches!(
            self,
            FileKind::TerraformJson
                | FileKind::TfVarsJson
                | FileKind::ArmParameters
                | FileKind::Json
        )
    }
    /// Suppression comments are `#`/`//` comments (HCL, Bicep), not JSON metadata.
    pub fn has_comments(self) -> bool {
        matches!(
            self,
            FileKind::Terraform | FileKind::TfVars | FileKind::Bicep
        )
    }
    /// A file whose change can change findings (the editor lints on save).
    pub fn lintable(self) -> bool {
        self != FileKind::Other
    }
}

/// Where an element came from: a file and a byte range in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Origin {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Self {
        Origin {
            file,
            start: range.start,
            end: range.end,
        }
    }
    /// The empty span at this one's start (where an edit inserts text).
    pub fn empty(self) -> Self {
        Origin {
            end: self.start,
            ..self
        }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One file's text and its line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should see it (relative to the working directory when possible).
    pub display: String,
    pub path: PathBuf,
    pub text: Arc<String>,
    /// Where each line starts, computed on first use (most files read never have a
    /// position shown: a large estate's spokes are parsed, not reported on).
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    /// 1-based column in characters (Unicode scalar values).
    pub col: usize,
    /// 0-based column in UTF-16 code units (what editors count).
    pub utf16_col: usize,
}

impl SourceFile {
    pub fn new(path: &Path, text: String) -> Self {
        SourceFile {
            display: display_path(path),
            path: path.to_path_buf(),
            text: Arc::new(text),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let newlines = self.text.bytes().enumerate().filter(|(_, b)| *b == b'\n');
            std::iter::once(0)
                .chain(newlines.map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Line and column of a byte offset (clamped to the text, snapped to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
        let slice = &self.text[start..offset];
        // A byte-order mark is not a column: editors and annotations count from after it.
        let slice = slice.strip_prefix('\u{feff}').unwrap_or(slice);
        LineCol {
            line: line + 1,
            col: slice.chars().count() + 1,
            utf16_col: slice.encode_utf16().count(),
        }
    }

    /// Byte offset of a 1-based line's start.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts().get(line.checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self
            .line_starts()
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Show paths relative to the working directory when they are inside it.
pub fn display_path(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// All files read in one run. Append-only, shared between threads.
#[derive(Debug)]
pub struct SourceMap {
    files: RwLock<Vec<Arc<SourceFile>>>,
    /// Path -> file id (a file is added once; thousands of files are looked up by path).
    by_path: RwLock<std::collections::HashMap<PathBuf, FileId>>,
    /// Texts that replace files on disk (an editor's unsaved buffers), by absolute path.
    overlay: RwLock<std::collections::HashMap<PathBuf, String>>,
    /// The trees being linted (canonical): a symbolic link is read only if it points inside
    /// one of them, and so is any file while `confined`.
    trees: RwLock<Vec<PathBuf>>,
    /// Read only files inside the trees (module sources, variable files, Bicep modules
    /// that point elsewhere are not read); off with `--read-outside`.
    confined: std::sync::atomic::AtomicBool,
    /// The largest file read (`--max-file-size`; default [`MAX_FILE_BYTES`]).
    max_file_bytes: std::sync::atomic::AtomicU64,
    /// Canonical directories already resolved (a thousand files of one directory resolve it
    /// once, not a thousand times).
    canon_dirs: RwLock<std::collections::HashMap<PathBuf, PathBuf>>,
}

/// The largest file routelint reads.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// The tree a linted path belongs to: the enclosing git work tree, else the path itself
/// (a file's directory).
pub fn tree_of(path: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if abs.is_file() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs.clone())
    } else {
        abs.clone()
    };
    let mut dir = start.clone();
    loop {
        if dir.join(".git").exists() {
            return dir;
        }
        if !dir.pop() {
            return start;
        }
    }
}

impl Default for SourceMap {
    fn default() -> Self {
        Self::with_overlay(Vec::new())
    }
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// A source map that reads these texts instead of the files on disk.
    pub fn with_overlay(overlay: Vec<(PathBuf, String)>) -> Self {
        SourceMap {
            files: RwLock::new(Vec::new()),
            by_path: RwLock::new(std::collections::HashMap::new()),
            overlay: RwLock::new(
                overlay
                    .into_iter()
                    .map(|(p, t)| (std::fs::canonicalize(&p).unwrap_or(p), t))
                    .collect(),
            ),
            trees: RwLock::new(Vec::new()),
            confined: std::sync::atomic::AtomicBool::new(true),
            max_file_bytes: std::sync::atomic::AtomicU64::new(MAX_FILE_BYTES),
            canon_dirs: RwLock::new(std::collections::HashMap::new()),
        }
    }

    /// Reads `text` for `path` from now on (a template compiled from Bicep that is not on
    /// disk).
    pub fn add_overlay(&self, path: &Path, text: String) {
        let mut overlay = self.overlay.write().unwrap_or_else(|e| e.into_inner());
        overlay.insert(path.to_path_buf(), text);
    }

    /// Adds a tree being linted (see [`tree_of`]).
    /// Reads files outside the linted trees too (`--read-outside`), or not (the default).
    pub fn set_confined(&self, on: bool) {
        self.confined
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Reads files up to `bytes` long (`--max-file-size`).
    pub fn set_max_file_bytes(&self, bytes: u64) {
        self.max_file_bytes
            .store(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn allow_tree(&self, path: &Path) {
        let t = tree_of(path);
        let mut trees = self.trees.write().unwrap_or_else(|e| e.into_inner());
        if !trees.contains(&t) {
            trees.push(t);
        }
    }

    /// A file's canonical path. A file that is not itself a symbolic link is its
    /// directory's canonical path (resolved once per directory) joined with its name.
    pub fn canonical(&self, path: &Path) -> std::io::Result<PathBuf> {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            std::fs::canonicalize(path)
        } else {
            self.canonical_file(path)
        }
    }

    fn canonical_file(&self, path: &Path) -> std::io::Result<PathBuf> {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::canonicalize(path);
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Some(c) = self
            .canon_dirs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
        {
            return Ok(c.join(name));
        }
        let c = std::fs::canonicalize(dir)?;
        self.canon_dirs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(dir.to_path_buf(), c.clone());
        Ok(c.join(name))
    }

    /// Reads a file, or its overlay text.
    pub fn read_file(&self, path: &Path) -> std::io::Result<String> {
        let link = std::fs::symlink_metadata(path);
        let is_link = link.as_ref().is_ok_and(|m| m.file_type().is_symlink());
        let canonical = || {
            if is_link {
                std::fs::canonicalize(path)
            } else {
                self.canonical_file(path)
            }
        };
        {
            let overlay = self.overlay.read().unwrap_or_else(|e| e.into_inner());
            if !overlay.is_empty() {
                let abs = canonical().unwrap_or_else(|_| path.to_path_buf());
                if let Some(t) = overlay.get(&abs).or_else(|| overlay.get(path)) {
                    return Ok(t.clone());
                }
            }
        }
        let link = link?;
        // A link must point inside a linted tree; while confined, so must every file.
        let confined = self.confined.load(std::sync::atomic::Ordering::Relaxed);
        if is_link || confined {
            let target = canonical()?;
            let trees = self.trees.read().unwrap_or_else(|e| e.into_inner());
            if !trees.is_empty() && !trees.iter().any(|t| target.starts_with(t)) {
                return Err(std::io::Error::other(if is_link {
                    format!(
                        "it is a symbolic link to `{}`, outside the linted tree, so it is not read",
                        target.display()
                    )
                } else {
                    format!(
                        "it is outside the repository being linted (`{}`), so it is not read (pass --read-outside to read it)",
                        trees[0].display()
                    )
                }));
            }
        }
        let meta = if is_link {
            std::fs::metadata(path)?
        } else {
            link
        };
        if !meta.is_file() {
            return Err(std::io::Error::other(
                "it is not a regular file (a pipe, device or directory), so it is not read",
            ));
        }
        let max = self
            .max_file_bytes
            .load(std::sync::atomic::Ordering::Relaxed);
        if meta.len() > max {
            return Err(std::io::Error::other(format!(
                "it is larger than {} MiB, so it is not read (raise the limit with --max-file-size)",
                max.div_ceil(1 << 20)
            )));
        }
        let bytes = std::fs::read(path)?;
        // Valid UTF-8 (nearly always) is taken as it is; otherwise invalid bytes become U+FFFD.
        Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// Registers a file's text and returns its id. The same path registered twice keeps
    /// the first text and id.
    pub fn add(&self, path: &Path, text: String) -> FileId {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        let mut by_path = self.by_path.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = by_path.get(path) {
            return *i;
        }
        files.push(Arc::new(SourceFile::new(path, text)));
        let id = files.len() - 1;
        by_path.insert(files[id].path.clone(), id);
        id
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        let by_path = self.by_path.read().unwrap_or_else(|e| e.into_inner());
        by_path.get(path).copied()
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files[id].clone()
    }

    pub fn len(&self) -> usize {
        self.files.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn line_col(&self, origin: Origin) -> LineCol {
        self.get(origin.file).line_col(origin.start)
    }

    /// Where an origin starts and ends (an inverted span ends where it starts).
    pub fn range(&self, origin: Origin) -> (LineCol, LineCol) {
        let f = self.get(origin.file);
        (
            f.line_col(origin.start),
            f.line_col(origin.end.max(origin.start)),
        )
    }

    /// `path:line:col` of an origin.
    pub fn position(&self, origin: Origin) -> String {
        let f = self.get(origin.file);
        let lc = f.line_col(origin.start);
        format!("{}:{}:{}", f.display, lc.line, lc.col)
    }

    /// `path:line` of an origin.
    pub fn file_line(&self, origin: Origin) -> String {
        let f = self.get(origin.file);
        let lc = f.line_col(origin.start);
        format!("{}:{}", f.display, lc.line)
    }

    /// The source text an origin covers.
    pub fn snippet(&self, origin: Origin) -> String {
        let f = self.get(origin.file);
        let end = origin.end.min(f.text.len());
        let start = origin.start.min(end);
        f.text.get(start..end).unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_utf16() {
        let f = SourceFile::new(Path::new("a.tf"), "ab\ncé𝄞x\n".to_string());
        assert_eq!(f.line_col(0).line, 1);
        let lc = f.line_col(3);
        assert_eq!((lc.line, lc.col), (2, 1));
        let x = f.text.find('x').unwrap();
        let lc = f.line_col(x);
        assert_eq!((lc.line, lc.col, lc.utf16_col), (2, 4, 4));
        assert_eq!(f.line_text(2), "cé𝄞x");
    }
}
