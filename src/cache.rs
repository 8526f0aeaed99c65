//! What a long-running process keeps between lints: the language server lints the whole
//! unit a saved file belongs to, and in an estate of a thousand spoke files only the saved
//! one has changed.
//!
//! Kept: each Terraform file's syntax tree, by path, with the text it was parsed from. A
//! lint reads every file as before (so a change on disk or in an open buffer is always
//! seen) and reuses a tree only when the text is the same, byte for byte; anything else is
//! parsed again. Diagnostics are never kept: a file that does not parse is parsed (and
//! reported) on every lint.
//!
//! **Invariant:** a lint with a cache gives exactly what the same lint without one gives;
//! the cache only saves work. Nothing in it holds a file id (ids are per lint).

use crate::frontend::terraform::parse::Blocks;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Pass one to [`crate::Options::cache`] on every lint of a session.
#[derive(Default)]
pub struct Cache {
    hcl: Mutex<HashMap<PathBuf, (Arc<String>, Blocks)>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.hcl.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "Cache {{ {n} syntax trees }}")
    }
}

impl Cache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The blocks of `path` parsed from exactly `text`, if they are kept.
    pub(crate) fn syntax(&self, path: &Path, text: &Arc<String>) -> Option<Blocks> {
        let m = self.hcl.lock().unwrap_or_else(|e| e.into_inner());
        let (t, blocks) = m.get(path)?;
        (Arc::ptr_eq(t, text) || **t == **text).then(|| blocks.clone())
    }

    /// Keeps the blocks parsed from `text` (replacing older ones).
    pub(crate) fn keep_syntax(&self, path: &Path, text: Arc<String>, blocks: &Blocks) {
        self.hcl
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), (text, blocks.clone()));
    }

    /// How many syntax trees are kept.
    pub fn len(&self) -> usize {
        self.hcl.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
