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
    pub ignored: Vec<Ignored>,
}

/// A file passed over because its extension is not a format attache reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ignored {
    /// Path relative to the corpus root.
    pub path: String,
    /// Its kind: the extension, lower-cased with its dot (`.docx`), or `no extension`.
    pub kind: String,
}

impl Ignored {
    fn new(root: &Path, path: &Path) -> Ignored {
        let kind = path
            .extension()
            .map_or_else(|| "no extension".to_string(), |e| format!(".{}", e.to_string_lossy().to_lowercase()));
        Ignored { path: relative_id(root, path), kind }
    }
}

/// One entry of a walk, as [`entries`] yields it.
#[derive(Debug)]
pub enum Entry {
    /// A file of a known format.
    File(SourceFile),
    /// An entry that could not be walked.
    Skipped(Skipped),
    /// A file passed over because its extension is not a known format.
    Ignored(Ignored),
}

/// Lists the files under `root`, sorted by relative path. The caller checks that `root` is a
/// directory. Holds every [`SourceFile`] at once: for very large trees prefer [`entries`].
pub fn walk(root: &Path, options: &WalkOptions) -> Walk {
    let mut out = Walk::default();
    for entry in entries(root, options) {
        match entry {
            Entry::File(file) => out.files.push(file),
            Entry::Skipped(skipped) => out.skipped.push(skipped),
            Entry::Ignored(ignored) => out.ignored.push(ignored),
        }
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// Walks `root` lazily, one entry at a time, so memory does not grow with the tree. Entries
/// come in a deterministic order: depth first, each directory's entries sorted by name.
pub fn entries<'a>(root: &'a Path, options: &WalkOptions) -> impl Iterator<Item = Entry> + use<'a> {
    walker(root, options).filter_map(move |entry| {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().map(|p| relative_id(root, p)).unwrap_or_default();
                let message = match err.loop_ancestor() {
                    Some(_) => "symbolic link loop; not followed".to_string(),
                    None => err.io_error().map(ToString::to_string).unwrap_or_else(|| err.to_string()),
                };
                return Some(Entry::Skipped(Skipped { path, reason: SkipReason::Unreadable { message } }));
            }
        };
        if !entry.file_type().is_file() {
            return None;
        }
        let Some(format) = Format::of(entry.path()) else {
            return Some(Entry::Ignored(Ignored::new(root, entry.path())));
        };
        let rel = relative_id(root, entry.path());
        Some(match entry.metadata() {
            Ok(meta) => {
                let mtime_ns =
                    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
                Entry::File(SourceFile { abs: entry.into_path(), rel, format, size: meta.len(), mtime_ns })
            }
            Err(e) => Entry::Skipped(Skipped { path: rel, reason: SkipReason::Unreadable { message: e.to_string() } }),
        })
    })
}

/// The [`SourceFile`] of the file at `rel` below `root`, when it is there and of a known format.
pub fn source_file(root: &Path, rel: &str) -> Option<SourceFile> {
    let abs = root.join(rel);
    let format = Format::of(&abs)?;
    let meta = std::fs::metadata(&abs).ok()?;
    let mtime_ns = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    Some(SourceFile { abs, rel: rel.to_string(), format, size: meta.len(), mtime_ns })
}

/// Counts the files of known formats under `root` without reading their metadata: a quick
/// first pass that gives progress reports their total.
pub fn count_files(root: &Path, options: &WalkOptions) -> usize {
    walker(root, options)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && Format::of(e.path()).is_some())
        .count()
}

fn walker(root: &Path, options: &WalkOptions) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + use<> {
    walkdir::WalkDir::new(root)
        .follow_links(options.follow_links)
        .max_depth(options.max_depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_entries_count_and_list_what_walk_lists() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        for (path, text) in [
            ("b/2.txt", "two"),
            ("a/1.md", "one"),
            ("a/z/3.json", "{}"),
            ("a/notes.docx", "PK"),
            (".hidden/4.txt", "four"),
            ("top.jsonl", "{}"),
        ] {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path()))?;
            std::fs::write(path, text)?;
        }
        let options = WalkOptions::default();
        let listed = walk(dir.path(), &options);
        let mut streamed = Vec::new();
        let mut ignored = Vec::new();
        for entry in entries(dir.path(), &options) {
            match entry {
                Entry::File(f) => streamed.push(f.rel),
                Entry::Ignored(i) => ignored.push(i.kind),
                Entry::Skipped(s) => panic!("unexpected {s:?}"),
            }
        }
        // Depth first, each directory sorted by name.
        assert_eq!(streamed, ["a/1.md", "a/z/3.json", "b/2.txt", "top.jsonl"]);
        let mut rels: Vec<String> = listed.files.iter().map(|f| f.rel.clone()).collect();
        rels.sort();
        streamed.sort();
        assert_eq!(rels, streamed);
        assert_eq!(ignored, [".docx"]);
        assert_eq!(listed.ignored, [Ignored { path: "a/notes.docx".into(), kind: ".docx".into() }]);
        assert_eq!(count_files(dir.path(), &options), 4);
        Ok(())
    }
}
