//! Ingest: from a directory of files to [`Report`]s.
//!
//! [`walk()`] finds the candidate files (hidden entries and unknown extensions are passed
//! over, symlink loops are reported, not followed forever); [`read`] loads one file and
//! rejects what is not text; [`parse`] dispatches on the extension to the format parsers
//! ([`text`], [`markdown`], [`json`]); [`dateline`] reads where a report was filed from,
//! from a field or the opening of its body. A bad file never stops the run: it becomes a
//! [`Skipped`] entry with the reason, and the rest of the corpus is indexed.
//!
//! Ids are stable: the path relative to the corpus root with `/` separators, plus `#N`
//! (0-based record number) or `#<record id>` for records of a JSON or JSONL file.

pub mod dateline;
pub mod json;
pub mod markdown;
pub mod text;
pub mod walk;

use serde::Serialize;

use crate::Report;
pub use walk::{Entry, SourceFile, WalkOptions, count_files, entries, walk};

/// Files larger than this are skipped unless the limit is raised.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Share of replacement characters above which invalid UTF-8 is treated as binary.
const MAX_LOSSY_RATIO: f64 = 0.01;

/// Why a file, or one record of it, was not indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The file could not be read (permissions, vanished during the walk, a symlink loop).
    Unreadable {
        /// The operating system's message.
        message: String,
    },
    /// The file looks binary (NUL bytes, or mostly invalid UTF-8).
    Binary,
    /// The file (or record) has no text.
    Empty,
    /// The file is larger than the limit.
    TooLarge {
        /// Size of the file.
        bytes: u64,
        /// The limit in force.
        limit: u64,
    },
    /// JSON that does not parse.
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON that parses but is not an object or an array of objects.
    Shape {
        /// What was found instead.
        message: String,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Unreadable { message } => write!(f, "unreadable: {message}"),
            SkipReason::Binary => f.write_str("binary file"),
            SkipReason::Empty => f.write_str("no text"),
            SkipReason::TooLarge { bytes, limit } => {
                write!(f, "too large: {bytes} bytes (limit {limit}; raise it with --max-file-size)")
            }
            SkipReason::Json { line, column, message } => {
                write!(f, "line {line}, column {column}: invalid JSON: {message}")
            }
            SkipReason::Shape { message } => write!(f, "{message}"),
        }
    }
}

/// A file or record that was not indexed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Path relative to the corpus root (`/` separators); `path:LINE` style lines are in the reason.
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Something odd about a file that was indexed anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Path relative to the corpus root.
    pub path: String,
    /// What was odd and what attache did about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What parsing one file produced.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The reports found.
    pub reports: Vec<Report>,
    /// Records of the file that could not be used.
    pub skipped: Vec<Skipped>,
    /// Oddities worth telling the user.
    pub warnings: Vec<Warning>,
}

/// Input formats attache understands, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`: header lines, WordPress footer, headline.
    Text,
    /// `.md`, `.markdown`: front matter, `# Heading`.
    Markdown,
    /// `.json`: an object or an array of objects.
    Json,
    /// `.jsonl`, `.ndjson`: one object a line.
    JsonLines,
}

impl Format {
    /// The format of a file name, by its extension (case-insensitive).
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Text,
            "md" | "markdown" => Format::Markdown,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            _ => return None,
        })
    }
}

/// Decodes a file's bytes as text: UTF-8 (a BOM is dropped), or mostly-UTF-8 decoded lossily
/// with a warning; NUL bytes or a high share of invalid sequences mean binary.
pub fn decode(rel: &str, bytes: &[u8]) -> Result<(String, Option<Warning>), SkipReason> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(SkipReason::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), None)),
        Err(_) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let replaced = text.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
            let total = text.chars().count().max(1);
            if replaced as f64 / total as f64 > MAX_LOSSY_RATIO {
                return Err(SkipReason::Binary);
            }
            let message = format!("not valid UTF-8: {replaced} invalid byte sequence(s) replaced with U+FFFD");
            Ok((text, Some(Warning { path: rel.to_string(), message })))
        }
    }
}

/// Parses the text of one file of the given format.
pub fn parse(rel: &str, format: Format, text: &str) -> Parsed {
    let mut parsed = match format {
        Format::Text => Parsed { reports: vec![text::parse(rel, text)], ..Parsed::default() },
        Format::Markdown => markdown::parse(rel, text),
        Format::Json => json::parse_json(rel, text),
        Format::JsonLines => json::parse_lines(rel, text),
    };
    // A report with no body text is not worth an index entry.
    let (kept, empty): (Vec<Report>, Vec<Report>) =
        std::mem::take(&mut parsed.reports).into_iter().partition(|r| !r.body.trim().is_empty());
    parsed.reports = kept;
    // Many feeds name files by date (`2025-07-03_putin_call.txt`): use it when the report has none.
    let file_day = rel.rsplit('/').next().and_then(|name| name.get(..10)).and_then(crate::date::parse_day);
    for report in parsed.reports.iter_mut() {
        if report.date.is_none() {
            report.date.clone_from(&file_day);
        }
        // A story that opens with its dateline ("MOSCOW, July 3 (Reuters) - …") keeps it in
        // the body and names its place.
        if report.dateline.is_none() {
            report.dateline = dateline::from_body(&report.body);
        }
    }
    parsed.skipped.extend(empty.into_iter().map(|r| Skipped { path: r.id, reason: SkipReason::Empty }));
    parsed
}

/// Reads and parses one file found by [`walk()`].
pub fn read(file: &SourceFile, max_bytes: u64) -> Parsed {
    let skip = |reason| Parsed { skipped: vec![Skipped { path: file.rel.clone(), reason }], ..Parsed::default() };
    if file.size > max_bytes {
        return skip(SkipReason::TooLarge { bytes: file.size, limit: max_bytes });
    }
    let bytes = match std::fs::read(&file.abs) {
        Ok(bytes) => bytes,
        Err(e) => return skip(SkipReason::Unreadable { message: e.to_string() }),
    };
    parse_bytes(file, &bytes)
}

/// Parses bytes already read from `file`.
pub(crate) fn parse_bytes(file: &SourceFile, bytes: &[u8]) -> Parsed {
    let skip = |reason| Parsed { skipped: vec![Skipped { path: file.rel.clone(), reason }], ..Parsed::default() };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return skip(SkipReason::Empty);
    }
    match decode(&file.rel, bytes) {
        Err(reason) => skip(reason),
        Ok((text, warning)) => {
            let mut parsed = parse(&file.rel, file.format, &text);
            parsed.warnings.extend(warning);
            parsed
        }
    }
}

/// Normalises line endings to `\n` so byte offsets in bodies do not depend on the platform
/// that wrote the file.
pub(crate) fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n").into() } else { text.into() }
}

/// Converts a path below `root` into the `/`-separated relative form used in ids.
pub(crate) fn relative_id(root: &std::path::Path, path: &std::path::Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(decode("a", b"abc\0def").unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn a_few_bad_bytes_decode_lossily_with_a_warning() {
        let mut bytes = b"Putin met Trump in Alaska to talk about Ukraine and a ceasefire. ".repeat(3);
        bytes.push(0xe9);
        let (text, warning) = decode("a.txt", &bytes).unwrap();
        assert!(text.ends_with('\u{fffd}'));
        assert!(warning.unwrap().message.contains("1 invalid"));
    }

    #[test]
    fn mostly_invalid_bytes_mean_binary() {
        assert_eq!(decode("a", &[0xff, 0xfe, 0x41, 0xff]).unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode("a", b"\xef\xbb\xbfhello").unwrap().0, "hello");
    }

    #[test]
    fn a_dated_file_name_gives_the_date() {
        let parsed = parse("2025/2025-07-04_call.txt", Format::Text, "Putin called.");
        assert_eq!(parsed.reports[0].date.as_deref(), Some("2025-07-04"));
        let parsed = parse("2025/2025-07-04_call.txt", Format::Text, "DATE: 2025-07-03\n\nPutin called.");
        assert_eq!(parsed.reports[0].date.as_deref(), Some("2025-07-03"));
        assert_eq!(parse("notes.txt", Format::Text, "x").reports[0].date, None);
    }

    #[test]
    fn formats_by_extension() {
        use std::path::Path;
        assert_eq!(Format::of(Path::new("a/b.TXT")), Some(Format::Text));
        assert_eq!(Format::of(Path::new("b.ndjson")), Some(Format::JsonLines));
        assert_eq!(Format::of(Path::new("b.pdf")), None);
        assert_eq!(Format::of(Path::new("README")), None);
    }
}
