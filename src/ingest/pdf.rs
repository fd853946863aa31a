//! PDF files (`.pdf`, with the `pdf` feature): the text layer becomes one report.
//!
//! lopdf parses the file and pdf-extract writes out the text of its pages; the title, author
//! and creation date come from the document's Info dictionary. Lines are joined into
//! paragraphs (a PDF breaks lines where the page did). A PDF without a text layer — a scan —
//! is a [`SkipReason::NoTextLayer`], counted, not a failure. An encrypted PDF is tried with
//! the empty password (the common "no opening password" case). The PDF crates can panic on
//! broken files: that is caught here and becomes a [`SkipReason::Pdf`] naming the file, and
//! the run goes on. What no panic handler can stop, a loop in the file that pdf-extract
//! would follow forever, is mended or refused before extraction (`guard_loops`).

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;

use pdf_extract::content::Content;
use pdf_extract::{Dictionary, Document, Object, ObjectId};

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
    guard_loops(&mut doc)?;
    let info = info(&doc);
    let mut text = String::new();
    {
        let mut out = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc(&doc, &mut out).map_err(|e| e.to_string())?;
    }
    Ok((text, info))
}

/// How many content streams one page may draw, forms within forms counted each time they are
/// drawn; real pages draw a few dozen.
const MAX_DRAWN_PER_PAGE: usize = 10_000;

/// How deeply forms may nest; pdf-extract draws each level by recursion.
const MAX_FORM_DEPTH: usize = 32;

/// Mends or refuses what pdf-extract would follow without end. It looks a page's resources
/// and media box up the `/Parent` chain, and draws a form inside a form by recursion, with no
/// guard against loops; a loop never returns and overflows no catchable panic. A `/Parent`
/// that closes a loop is dropped (the page keeps its own entries); a form that draws itself,
/// directly or through others, nests too deeply or would be drawn too many times refuses
/// the file.
fn guard_loops(doc: &mut Document) -> Result<(), String> {
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    for &page in &pages {
        let mut seen = HashSet::from([page]);
        let mut id = page;
        while let Some(parent) = parent_of(doc, id) {
            if !seen.insert(parent) {
                if let Ok(dict) = doc.get_dictionary_mut(id) {
                    dict.remove(b"Parent");
                }
                break;
            }
            id = parent;
        }
    }
    let doc: &Document = doc;
    let empty = Dictionary::new();
    for &page in &pages {
        let resources = inherited(doc, page, b"Resources").and_then(|o| o.as_dict().ok()).unwrap_or(&empty);
        let content = doc.get_page_content(page).unwrap_or_default();
        let mut forms = Forms { doc, drawn: HashMap::new(), path: Vec::new() };
        forms.count(&content, resources)?;
    }
    Ok(())
}

fn parent_of(doc: &Document, id: ObjectId) -> Option<ObjectId> {
    doc.get_dictionary(id).ok()?.get(b"Parent").ok()?.as_reference().ok()
}

/// `key` of the page `id`, or of the nearest ancestor that has it (loops already mended).
fn inherited<'a>(doc: &'a Document, mut id: ObjectId, key: &[u8]) -> Option<&'a Object> {
    loop {
        let dict = doc.get_dictionary(id).ok()?;
        if let Ok(value) = dict.get(key) {
            return Some(deref(doc, value));
        }
        id = dict.get(b"Parent").ok()?.as_reference().ok()?;
    }
}

/// One reference followed, as pdf-extract does.
fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    object.as_reference().ok().and_then(|id| doc.get_object(id).ok()).unwrap_or(object)
}

/// The forms (`Do`) a content stream draws, walked the way pdf-extract walks them.
struct Forms<'a> {
    doc: &'a Document,
    /// Streams drawn by each form already counted, by form and the resources it was drawn with.
    drawn: HashMap<(ObjectId, *const Dictionary), usize>,
    /// The forms being drawn, outermost first.
    path: Vec<ObjectId>,
}

impl<'a> Forms<'a> {
    /// How many streams drawing `content` with `resources` draws, itself included.
    fn count(&mut self, content: &[u8], resources: &'a Dictionary) -> Result<usize, String> {
        let Ok(content) = Content::decode(content) else { return Ok(1) };
        let xobjects = resources.get(b"XObject").ok().map(|o| deref(self.doc, o)).and_then(|o| o.as_dict().ok());
        let mut total = 1usize;
        for op in content.operations.iter().filter(|op| op.operator == "Do") {
            let Some(name) = op.operands.first().and_then(|o| o.as_name().ok()) else { continue };
            let Some(id) = xobjects.and_then(|x| x.get(name).ok()).and_then(|o| o.as_reference().ok()) else {
                continue;
            };
            let Ok(form) = self.doc.get_object(id).and_then(Object::as_stream) else { continue };
            if self.path.contains(&id) {
                return Err("a drawing in it draws itself".into());
            }
            if self.path.len() >= MAX_FORM_DEPTH {
                return Err("its drawings nest too deeply".into());
            }
            let own = form.dict.get(b"Resources").ok().map(|o| deref(self.doc, o)).and_then(|o| o.as_dict().ok());
            let resources = own.unwrap_or(resources);
            let key = (id, resources as *const Dictionary);
            let drawn = match self.drawn.get(&key) {
                Some(&n) => n,
                None => {
                    let bytes = form.decompressed_content().unwrap_or_else(|_| form.content.clone());
                    self.path.push(id);
                    let n = self.count(&bytes, resources)?;
                    self.path.pop();
                    self.drawn.insert(key, n);
                    n
                }
            };
            total = total.saturating_add(drawn);
            if total > MAX_DRAWN_PER_PAGE {
                return Err("a page in it draws too many drawings".into());
            }
        }
        Ok(total)
    }
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
            stream("", &content),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
            format!("<< /Title ({title}) /Author (Ana Ruiz) /CreationDate (D:20250703101500Z) >>"),
        ];
        assemble(&objects, "/Info 6 0 R")
    }

    /// A stream object with `entries` in its dictionary.
    fn stream(entries: &str, content: &str) -> String {
        format!("<< {entries} /Length {} >>\nstream\n{content}endstream", content.len())
    }

    /// A PDF file of `objects` (numbered from 1, the first the catalog), with a valid xref.
    fn assemble(objects: &[String], trailer: &str) -> Vec<u8> {
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
            format!("trailer\n<< /Size {} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
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

    /// pdf-extract follows `/Parent` and draws forms by recursion without a guard: a loop
    /// there would never return (found by the `ingest_pdf` fuzz target).
    #[test]
    fn a_page_that_is_its_own_parent_is_mended() {
        let bytes = pdf(&["The envoys met in Doha."], "Loop");
        let looped = String::from_utf8(bytes).unwrap().replacen("/Parent 2 0 R", "/Parent 3 0 R", 1);
        let parsed = read("loop.pdf", looped.as_bytes());
        assert_eq!(parsed.reports.len(), 1, "{parsed:?}");
        assert!(parsed.reports[0].body.contains("envoys met in Doha"), "{parsed:?}");
    }

    #[test]
    fn a_form_that_draws_itself_is_refused() {
        let page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
                    /Resources << /XObject << /X1 5 0 R >> >> >>";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            page.to_string(),
            stream("", "/X1 Do\n"),
            // No resources of its own: it draws with the page's, where /X1 is itself.
            stream("/Type /XObject /Subtype /Form /BBox [0 0 10 10]", "/X1 Do\n"),
        ];
        let parsed = read("self.pdf", &assemble(&objects, ""));
        let reason = &parsed.skipped[0].reason;
        assert!(matches!(reason, SkipReason::Pdf { message } if message.contains("draws itself")), "{parsed:?}");
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(pdf_date("D:20250703101500Z").as_deref(), Some("2025-07-03"));
        assert_eq!(pdf_date("2025").as_deref(), None);
    }
}
