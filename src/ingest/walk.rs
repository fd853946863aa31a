//! Walking a corpus directory with walkdir.
//!
//! Hidden files and directories (names starting with `.`) are passed over, which keeps
//! `.git` and caches out; files whose extension is not a known [`Format`] are counted but not
//! read. Symbolic links are followed, and walkdir's loop detection turns a link cycle into a
//! [`Skipped`] entry instead of an endless walk. Files are returned sorted by path so runs
//! are deterministic.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{Format, SkipReason, Skipped, relative_id};

/// Options of a walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Whether symbolic links are followed (default true; loops are detected).
    pub follow_links: bool,
    /// Maximum directory depth below the root.
    pub max_depth: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions { follow_links: true, max_depth: 256 }
    }
}

/// A file of a known format found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Full path.
    pub abs: PathBuf,
    /// Path relative to the corpus root, `/`-separated.
    pub rel: String,
    /// Its format.
    pub format: Format,
    /// Size in bytes at walk time.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: u128,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files of known formats, sorted by relative path.
    pub files: Vec<SourceFile>,
    /// Entries that could not be walked.
    pub skipped: Vec<Skipped>,
    /// Files passed over because their extension is not a known format.
    pub num_ignored: usize,
}

/// Lists the files under `root`. The caller checks that `root` is a directory.
pub fn walk(root: &Path, options: &WalkOptions) -> Walk {
    let mut out = Walk::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(options.follow_links)
        .max_depth(options.max_depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map(|p| relative_id(root, p)).unwrap_or_default();
                let message = match err.loop_ancestor() {
                    Some(_) => "symbolic link loop; not followed".to_string(),
                    None => err.io_error().map(ToString::to_string).unwrap_or_else(|| err.to_string()),
                };
                out.skipped.push(Skipped { path, reason: SkipReason::Unreadable { message } });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(format) = Format::of(entry.path()) else {
            out.num_ignored += 1;
            continue;
        };
        let rel = relative_id(root, entry.path());
        match entry.metadata() {
            Ok(meta) => {
                let mtime_ns =
                    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
                out.files.push(SourceFile { abs: entry.into_path(), rel, format, size: meta.len(), mtime_ns });
            }
            Err(e) => {
                out.skipped.push(Skipped { path: rel, reason: SkipReason::Unreadable { message: e.to_string() } })
            }
        }
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}
