//! PDF files (`.pdf`, with the `pdf` feature): the text layer becomes one report.
//!
//! lopdf parses the file and pdf-extract writes out the text of its pages; the title, author
//! and creation date come from the document's Info dictionary. Lines are joined into
//! paragraphs (a PDF breaks lines where the page did). A PDF without a text layer — a scan —
//! is a [`SkipReason::NoTextLayer`], counted, not a failure. An encrypted PDF is tried with
//! the empty password (the common "no opening password" case). The PDF crates can panic on
//! broken files: that is caught here and becomes a [`SkipReason::Pdf`] naming the file, and
//! the run goes on.

use std::panic::AssertUnwindSafe;

use pdf_extract::{Document, Object};

use super::{Parsed, SkipReason};
use crate::Report;

/// Reads a PDF's bytes into one report.
pub fn read(rel: &str, bytes: &[u8]) -> Parsed {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| extract(bytes)));
    let (text, info) = match outcome {
        Ok(Ok(found)) => found,
        Ok(Err(message)) => return Parsed::skip(rel, SkipReason::Pdf { message }),
        Err(_) => return Parsed::skip(rel, SkipReason::Pdf { message: "the PDF reader failed on this file".into() }),
    };
    let body = paragraphs(&text);
    if body.is_empty() {
        return Parsed::skip(rel, SkipReason::NoTextLayer);
    }
    let mut report = Report::new(rel, body);
    report.title = info.title;
    report.author = info.author;
    report.date = info.date;
    Parsed { reports: vec![report], ..Parsed::default() }
}

/// The document's own metadata.
#[derive(Debug, Default)]
struct Info {
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
}

fn extract(bytes: &[u8]) -> Result<(String, Info), String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| e.to_string())?;
    if doc.is_encrypted() {
        doc.decrypt("").map_err(|_| "encrypted, with a password".to_string())?;
    }
    let info = info(&doc);
    let mut text = String::new();
    {
        let mut out = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc(&doc, &mut out).map_err(|e| e.to_string())?;
    }
    Ok((text, info))
}

fn info(doc: &Document) -> Info {
    let Ok(dict) = doc.trailer.get_deref(b"Info", doc).and_then(Object::as_dict) else { return Info::default() };
    let text = |key: &[u8]| {
        dict.get_deref(key, doc)
            .ok()
            .and_then(|o| pdf_extract::decode_text_string(o).ok())
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    let date = text(b"CreationDate").or_else(|| text(b"ModDate")).and_then(|d| pdf_date(&d));
    Info { title: text(b"Title"), author: text(b"Author"), date }
}

/// `D:20250703120000+00'00'` → `2025-07-03`.
fn pdf_date(value: &str) -> Option<String> {
    let digits = value.trim().strip_prefix("D:").unwrap_or(value.trim());
    let (y, m, d) = (digits.get(0..4)?, digits.get(4..6)?, digits.get(6..8)?);
    crate::date::parse_day(&format!("{y}-{m}-{d}"))
}

/// The extracted text with lines joined into paragraphs, blank lines between paragraphs.
fn paragraphs(text: &str) -> String {
    let text = super::normalize_newlines(text);
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.extend(line.split_whitespace().flat_map(|w| [w, " "]));
        current.truncate(current.trim_end().len());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.retain(|p| p.chars().any(char::is_alphanumeric));
    out.join("\n\n")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal valid PDF with one page showing `lines` in Helvetica, and an Info dictionary;
    /// with no lines, a page with no text at all (what a scan looks like without its image).
    pub(crate) fn pdf(lines: &[&str], title: &str) -> Vec<u8> {
        let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
        for line in lines {
            content
                .push_str(&format!("({}) Tj T*\n", line.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)")));
        }
        content.push_str("ET\n");
        if lines.is_empty() {
            content = "0 0 1 rg 10 10 100 100 re f\n".to_string();
        }
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_string(),
            format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
            format!("<< /Title ({title}) /Author (Ana Ruiz) /CreationDate (D:20250703101500Z) >>"),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        out.extend(
            format!("trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
                .bytes(),
        );
        out
    }

    #[test]
    fn text_and_metadata_of_a_text_pdf() {
        let bytes = pdf(&["The ministers met in Geneva on Tuesday", "and agreed to meet again."], "Talks in Geneva");
        let parsed = read("r.pdf", &bytes);
        assert_eq!(parsed.reports.len(), 1, "{parsed:?}");
        let r = &parsed.reports[0];
        assert_eq!(r.title.as_deref(), Some("Talks in Geneva"));
        assert_eq!(r.author.as_deref(), Some("Ana Ruiz"));
        assert_eq!(r.date.as_deref(), Some("2025-07-03"));
        assert!(r.body.contains("ministers met in Geneva"), "{:?}", r.body);
        assert!(r.body.contains("agreed to meet again"), "{:?}", r.body);
    }

    #[test]
    fn a_pdf_without_text_is_a_scan_not_a_failure() {
        let parsed = read("scan.pdf", &pdf(&[], "Scan"));
        assert_eq!(parsed.skipped[0].reason, SkipReason::NoTextLayer, "{parsed:?}");
    }

    #[test]
    fn a_broken_pdf_is_skipped_with_a_reason() {
        let mut bytes = pdf(&["Some text here"], "T");
        bytes.truncate(bytes.len() / 2);
        let parsed = read("broken.pdf", &bytes);
        assert!(parsed.reports.is_empty() || parsed.reports[0].body.contains("Some text"));
        let parsed = read("junk.pdf", b"%PDF-1.4 nothing else");
        assert!(matches!(parsed.skipped[0].reason, SkipReason::Pdf { .. } | SkipReason::NoTextLayer), "{parsed:?}");
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(pdf_date("D:20250703101500Z").as_deref(), Some("2025-07-03"));
        assert_eq!(pdf_date("2025").as_deref(), None);
    }
}
