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
pub mod decode;
pub mod feed;
pub mod html;
pub mod json;
pub mod markdown;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod text;
pub mod walk;

use serde::Serialize;

use crate::Report;
pub use decode::{Decoded, FileEncoding};
pub use walk::{Entry, Ignored, SourceFile, WalkOptions, count_files, entries, source_file, walk};

/// Files larger than this are skipped unless the limit is raised.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
    /// The file is binary by its content: NUL bytes outside UTF-16, a known magic number,
    /// or control bytes that text does not hold.
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
    /// A `.xml` file that is not an RSS or Atom feed.
    NotAFeed,
    /// A feed that does not parse.
    Feed {
        /// The parser's message.
        message: String,
    },
    /// A PDF that does not parse.
    Pdf {
        /// The parser's message.
        message: String,
    },
    /// A PDF without a text layer (a scan): nothing to index without OCR.
    NoTextLayer,
    /// A format this build does not read (`.pdf` without the `pdf` feature).
    Unsupported {
        /// The format.
        format: Format,
    },
}

impl SkipReason {
    /// A short name of the reason, for counts by kind (`binary`, `no text layer` …).
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Unreadable { .. } => "unreadable",
            SkipReason::Binary => "binary",
            SkipReason::Empty => "empty",
            SkipReason::TooLarge { .. } => "too large",
            SkipReason::Json { .. } => "invalid JSON",
            SkipReason::Shape { .. } => "JSON of another shape",
            SkipReason::NotAFeed => "XML, not a feed",
            SkipReason::Feed { .. } => "invalid feed",
            SkipReason::Pdf { .. } => "invalid PDF",
            SkipReason::NoTextLayer => "PDF without text layer",
            SkipReason::Unsupported { .. } => "unsupported",
        }
    }
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
            SkipReason::NotAFeed => f.write_str("XML that is not an RSS or Atom feed"),
            SkipReason::Feed { message } => write!(f, "invalid feed: {message}"),
            SkipReason::Pdf { message } => write!(f, "invalid PDF: {message}"),
            SkipReason::NoTextLayer => f.write_str("PDF without a text layer (a scan?): nothing to index"),
            SkipReason::Unsupported { format } => write!(f, "{format:?} files are not read by this build"),
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
    /// The encoding the file was read as, when it was not UTF-8.
    pub encoding: Option<&'static str>,
}

/// Input formats attache understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `.txt`: header lines, WordPress footer, headline.
    Text,
    /// `.md`, `.markdown`: front matter, `# Heading`.
    Markdown,
    /// `.json`: an object or an array of objects.
    Json,
    /// `.jsonl`, `.ndjson`: one object a line.
    JsonLines,
    /// `.html`, `.htm`: a saved web page; its article text and metadata.
    Html,
    /// `.rss`, `.atom`, and `.xml` that is a feed: one report per item.
    Feed,
    /// `.pdf`: the text layer and the document's metadata (with the `pdf` feature).
    Pdf,
}

/// How a format reads a file.
#[derive(Clone, Copy)]
enum Reader {
    /// From text decoded by [`decode()`]: the text formats.
    Text(fn(&str, &str) -> Parsed),
    /// From the bytes, decoding (or not) as the format says.
    Bytes(fn(&str, &[u8]) -> Parsed),
}

/// One input format: the extensions that select it, a content sniffer that also selects it
/// for files that carry a plain-text extension, and its reader.
struct FormatSpec {
    format: Format,
    extensions: &'static [&'static str],
    sniff: Option<fn(&[u8]) -> bool>,
    reader: Reader,
}

/// Every format: adding one is a module of `src/ingest/` and one entry here (and its variant).
const FORMATS: &[FormatSpec] = &[
    FormatSpec {
        format: Format::Text,
        extensions: &["txt", "text"],
        sniff: None,
        reader: Reader::Text(|rel, text| Parsed { reports: vec![text::parse(rel, text)], ..Parsed::default() }),
    },
    FormatSpec {
        format: Format::Markdown,
        extensions: &["md", "markdown"],
        sniff: None,
        reader: Reader::Text(markdown::parse),
    },
    FormatSpec { format: Format::Json, extensions: &["json"], sniff: None, reader: Reader::Text(json::parse_json) },
    FormatSpec {
        format: Format::JsonLines,
        extensions: &["jsonl", "ndjson"],
        sniff: None,
        reader: Reader::Text(json::parse_lines),
    },
    FormatSpec {
        format: Format::Html,
        extensions: &["html", "htm", "xhtml"],
        sniff: Some(html::sniff),
        reader: Reader::Bytes(html::read),
    },
    FormatSpec {
        format: Format::Feed,
        extensions: &["rss", "atom", "xml"],
        sniff: Some(feed::sniff),
        reader: Reader::Bytes(feed::read),
    },
    #[cfg(feature = "pdf")]
    FormatSpec { format: Format::Pdf, extensions: &["pdf"], sniff: None, reader: Reader::Bytes(pdf::read) },
];

impl Format {
    /// The format of a file name, by its extension (case-insensitive).
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        FORMATS.iter().find(|spec| spec.extensions.contains(&ext.as_str())).map(|spec| spec.format)
    }

    /// The format of a file with this extension and these bytes: a plain-text extension on
    /// a web page or a feed (sniffed from the first bytes) gives the page's or feed's format.
    pub fn sniffed(self, bytes: &[u8]) -> Format {
        if self != Format::Text {
            return self;
        }
        FORMATS.iter().find(|spec| spec.sniff.is_some_and(|sniff| sniff(bytes))).map_or(self, |spec| spec.format)
    }

    fn spec(self) -> Option<&'static FormatSpec> {
        FORMATS.iter().find(|spec| spec.format == self)
    }
}

/// Decodes a file's bytes as text, in any encoding (see [`decode`](mod@decode)); binary
/// content is a [`SkipReason::Binary`].
pub fn decode(rel: &str, bytes: &[u8]) -> Result<Decoded, SkipReason> {
    decode::decode(rel, bytes)
}

/// Parses the text of one file of the given format. Formats read from bytes ([`Format::Pdf`])
/// get the text's UTF-8 bytes.
pub fn parse(rel: &str, format: Format, text: &str) -> Parsed {
    let parsed = match format.spec().map(|spec| spec.reader) {
        Some(Reader::Text(read)) => read(rel, text),
        Some(Reader::Bytes(read)) => read(rel, text.as_bytes()),
        None => Parsed::skip(rel, SkipReason::Unsupported { format }),
    };
    finish(rel, parsed)
}

/// What every format's reports get: empty ones dropped, the date from a dated file name, the
/// dateline from the opening of the body.
fn finish(rel: &str, mut parsed: Parsed) -> Parsed {
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

impl Parsed {
    /// Nothing but one skipped file.
    pub(crate) fn skip(rel: &str, reason: SkipReason) -> Parsed {
        Parsed { skipped: vec![Skipped { path: rel.to_string(), reason }], ..Parsed::default() }
    }
}

/// Reads and parses one file found by [`walk()`].
pub fn read(file: &SourceFile, max_bytes: u64) -> Parsed {
    if file.size > max_bytes {
        return Parsed::skip(&file.rel, SkipReason::TooLarge { bytes: file.size, limit: max_bytes });
    }
    let bytes = match std::fs::read(&file.abs) {
        Ok(bytes) => bytes,
        Err(e) => return Parsed::skip(&file.rel, SkipReason::Unreadable { message: e.to_string() }),
    };
    parse_bytes(file, &bytes)
}

/// Parses bytes already read from `file`.
pub(crate) fn parse_bytes(file: &SourceFile, bytes: &[u8]) -> Parsed {
    parse_file(&file.rel, file.format, bytes)
}

/// Parses the bytes of a file at `rel` whose extension gave `format` (sniffed again here).
pub fn parse_file(rel: &str, format: Format, bytes: &[u8]) -> Parsed {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Parsed::skip(rel, SkipReason::Empty);
    }
    let format = format.sniffed(bytes);
    let parsed = match format.spec().map(|spec| spec.reader) {
        Some(Reader::Text(read)) => match decode::decode(rel, bytes) {
            Err(reason) => return Parsed::skip(rel, reason),
            Ok(decoded) => {
                let mut parsed = read(rel, &decoded.text);
                parsed.warnings.extend(decoded.warning);
                parsed.encoding = parsed.encoding.or(decoded.encoding);
                parsed
            }
        },
        Some(Reader::Bytes(read)) => read(rel, bytes),
        None => Parsed::skip(rel, SkipReason::Unsupported { format }),
    };
    finish(rel, parsed)
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
    fn latin1_text_is_read_and_its_encoding_told() {
        let bytes = encoding_rs::WINDOWS_1252.encode("Le président a reçu à l'Élysée.").0.into_owned();
        let parsed = parse_file("a.txt", Format::Text, &bytes);
        assert_eq!(parsed.reports[0].body, "Le président a reçu à l'Élysée.");
        assert_eq!(parsed.encoding, Some("windows-1252"));
        assert_eq!(parse_file("b.txt", Format::Text, b"\x89PNG\r\n").skipped[0].reason, SkipReason::Binary);
    }

    #[test]
    fn a_page_saved_as_txt_is_read_as_a_page() {
        let page = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Putin spoke.</p></body></html>";
        assert_eq!(Format::Text.sniffed(page), Format::Html);
        assert_eq!(Format::Markdown.sniffed(page), Format::Markdown);
        assert_eq!(Format::Text.sniffed(b"Putin spoke."), Format::Text);
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
        assert_eq!(Format::of(Path::new("b.HTM")), Some(Format::Html));
        assert_eq!(Format::of(Path::new("b.xml")), Some(Format::Feed));
        assert_eq!(Format::of(Path::new("b.pdf")), cfg!(feature = "pdf").then_some(Format::Pdf));
        assert_eq!(Format::of(Path::new("b.docx")), None);
        assert_eq!(Format::of(Path::new("README")), None);
    }
}
