//! Web pages (`.html`, `.htm`): a saved news page becomes one report.
//!
//! The bytes are decoded in the charset the page declares (`<meta charset>`), else as any
//! text file ([`super::decode()`]); html5ever (through scraper) parses them as a browser would.
//! Metadata comes from, in order of trust: JSON-LD (`NewsArticle` and the other article
//! types: `headline`, `author`, `datePublished`, `publisher`, `inLanguage`), Open Graph and
//! `article:` meta tags, the usual `<meta name>` tags, then `<title>`, `<h1>`, `<time>` and
//! `<html lang>`. The text is the article's main text found by [`article`]'s scoring.

pub mod article;

use ego_tree::NodeRef;
use scraper::{Html, Node};
use serde_json::Value;

use super::{Parsed, decode};
use crate::Report;

/// Whether the first bytes look like an HTML page.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = bytes.get(..512).unwrap_or(bytes);
    let head = String::from_utf8_lossy(head).trim_start_matches('\u{feff}').trim_start().to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// The charset a page declares in its first kilobytes (`<meta charset="…">` or
/// `content="text/html; charset=…"`), or an XML declaration's `encoding="…"`.
pub(crate) fn declared_charset(bytes: &[u8]) -> Option<Vec<u8>> {
    let head = bytes.get(..4096).unwrap_or(bytes).to_ascii_lowercase();
    for key in [&b"charset="[..], b"encoding="] {
        if let Some(at) = head.windows(key.len()).position(|w| w == key) {
            let rest = head.get(at + key.len()..)?;
            let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
            let label: Vec<u8> =
                rest.iter().copied().take_while(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(b)).collect();
            if !label.is_empty() {
                return Some(label);
            }
        }
    }
    None
}

/// Reads a web page's bytes into one report.
pub fn read(rel: &str, bytes: &[u8]) -> Parsed {
    let decoded = match decode::decode_declared(rel, bytes, declared_charset(bytes).as_deref()) {
        Ok(decoded) => decoded,
        Err(reason) => return Parsed::skip(rel, reason),
    };
    // A page without article text becomes an `Empty` skip in `ingest::finish`.
    let report = parse_page(rel, &decoded.text);
    Parsed {
        reports: vec![report],
        warnings: decoded.warning.into_iter().collect(),
        encoding: decoded.encoding,
        ..Parsed::default()
    }
}

/// The report of a page's HTML text: metadata and article text.
pub fn parse_page(rel: &str, html: &str) -> Report {
    let doc = Html::parse_document(html);
    let meta = Meta::of(&doc);
    let dom_text = article::article_text(doc.tree.root());
    let body = choose_body(dom_text, meta.body.clone());
    let mut report = Report::new(rel, body);
    report.title = meta.title;
    report.author = meta.author;
    report.source = meta.source;
    report.url = meta.url;
    report.language = meta.language;
    report.date = meta.date.as_deref().and_then(crate::date::parse_day);
    report
}

/// The article text of an HTML fragment (a feed item's content): the scored article when the
/// fragment has one, else all of its readable text.
pub fn fragment_text(html: &str) -> String {
    if !html.contains('<') {
        return decode_entities_plain(html);
    }
    let doc = Html::parse_fragment(html);
    let scored = article::article_text(doc.tree.root());
    let all = article::all_text(doc.tree.root());
    // A short item is all article; a long one may carry "related" links and share buttons.
    if scored.len() * 2 >= all.len() { scored } else { all }
}

fn decode_entities_plain(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// JSON-LD's `articleBody` is used when the page's own text is much shorter (the scoring
/// missed the article, or the page renders it by script) — it is the publisher's own copy.
fn choose_body(dom_text: String, ld_body: Option<String>) -> String {
    match ld_body {
        Some(ld) if ld.len() > dom_text.len() * 2 && ld.len() > 200 => ld,
        _ => dom_text,
    }
}

/// What a page says about itself.
#[derive(Debug, Default)]
struct Meta {
    title: Option<String>,
    author: Option<String>,
    source: Option<String>,
    date: Option<String>,
    url: Option<String>,
    language: Option<String>,
    body: Option<String>,
}

impl Meta {
    fn of(doc: &Html) -> Meta {
        let mut tags: Vec<(String, String)> = Vec::new();
        let mut ld: Vec<Value> = Vec::new();
        let mut title_tag = None;
        let mut h1 = None;
        let mut time = None;
        let mut lang = None;
        let mut canonical = None;
        for node in doc.tree.root().descendants() {
            let Some(el) = node.value().as_element() else { continue };
            match el.name() {
                "meta" => {
                    let key = el.attr("property").or(el.attr("name")).or(el.attr("itemprop"));
                    if let (Some(key), Some(content)) = (key, el.attr("content")) {
                        tags.push((key.to_ascii_lowercase(), clean(content)));
                    }
                }
                "script" if el.attr("type").is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) => {
                    let text: String = node_text(node);
                    if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
                        ld.push(value);
                    }
                }
                "title" if title_tag.is_none() => title_tag = Some(clean(&node_text(node))),
                "h1" if h1.is_none() => h1 = Some(clean(&node_text(node))),
                "time" if time.is_none() => time = el.attr("datetime").map(clean),
                "html" => lang = el.attr("lang").or(el.attr("xml:lang")).map(str::to_string),
                "link" if el.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")) => {
                    canonical = el.attr("href").map(clean);
                }
                _ => {}
            }
        }
        let tag = |names: &[&str]| {
            names.iter().find_map(|n| tags.iter().find(|(k, v)| k == n && !v.is_empty()).map(|(_, v)| v.clone()))
        };
        let article = ld.iter().find_map(find_article);
        let ld_str = |key: &str| article.and_then(|a| a.get(key)).and_then(value_text);
        let mut meta = Meta {
            title: ld_str("headline").or_else(|| tag(&["og:title", "twitter:title", "headline"])).or(h1).or(title_tag),
            author: article
                .and_then(|a| a.get("author"))
                .and_then(names)
                .or_else(|| {
                    tag(&["author", "article:author", "byl", "parsely-author", "dc.creator", "sailthru.author"])
                })
                .filter(|a| !a.starts_with("http")),
            source: article
                .and_then(|a| a.get("publisher"))
                .and_then(names)
                .or_else(|| tag(&["og:site_name", "application-name"])),
            date: ld_str("datePublished")
                .or_else(|| {
                    tag(&[
                        "article:published_time",
                        "datepublished",
                        "date",
                        "pubdate",
                        "publishdate",
                        "dc.date",
                        "dcterms.date",
                        "dc.date.issued",
                        "parsely-pub-date",
                        "sailthru.date",
                        "og:published_time",
                    ])
                })
                .or(time),
            url: tag(&["og:url"]).or(canonical).or_else(|| ld_str("url")),
            language: ld_str("inLanguage").or(lang).or_else(|| tag(&["og:locale"])),
            body: ld_str("articleBody"),
        };
        meta.language = meta.language.and_then(|l| {
            let code = l.split(['-', '_']).next().unwrap_or_default().trim().to_ascii_lowercase();
            (code.len() == 2 || code.len() == 3).then_some(code)
        });
        for field in [&mut meta.title, &mut meta.author, &mut meta.source, &mut meta.url, &mut meta.body] {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
        meta
    }
}

/// The text below a node, as written.
fn node_text(node: NodeRef<'_, Node>) -> String {
    node.descendants().filter_map(|n| n.value().as_text().map(|t| t.to_string())).collect()
}

/// Whitespace collapsed and trimmed.
fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first article object of a JSON-LD value (an object, an array, or a `@graph`).
fn find_article(value: &Value) -> Option<&Value> {
    match value {
        Value::Array(items) => items.iter().find_map(find_article),
        Value::Object(map) => {
            let is_article = match map.get("@type") {
                Some(Value::String(t)) => is_article_type(t),
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is_article_type),
                _ => false,
            };
            if is_article { Some(value) } else { map.get("@graph").and_then(find_article) }
        }
        _ => None,
    }
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article") || t == "BlogPosting" || t == "Report" || t == "LiveBlogPosting"
}

/// A JSON-LD text value: a string, or the first string of an array.
fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(clean(s)).filter(|s| !s.is_empty()),
        Value::Array(items) => items.iter().find_map(value_text),
        _ => None,
    }
}

/// Names of JSON-LD persons or organisations: a string, an object's `name`, or a list of them.
fn names(value: &Value) -> Option<String> {
    let list: Vec<String> = match value {
        Value::Array(items) => items.iter().filter_map(names).collect(),
        Value::Object(map) => map.get("name").and_then(value_text).into_iter().collect(),
        Value::String(s) => Some(clean(s)).into_iter().collect(),
        _ => Vec::new(),
    };
    let list: Vec<String> = list.into_iter().filter(|s| !s.is_empty()).collect();
    (!list.is_empty()).then(|| list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Talks in Geneva | The Daily Example</title>
<meta property="og:title" content="Talks in Geneva">
<meta property="og:site_name" content="The Daily Example">
<meta property="og:url" content="https://example.org/geneva">
<meta property="article:published_time" content="2025-07-03T10:00:00Z">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
 {"@type":"NewsArticle","headline":"Ministers talk in Geneva","author":[{"@type":"Person","name":"Ana Ruiz"}],
  "datePublished":"2025-07-02","publisher":{"@type":"Organization","name":"Daily Example"}}]}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Ministers talk in Geneva</h1>
<p>The foreign ministers of the two countries met in Geneva on Wednesday, their first talks in a year.</p>
<p>They agreed, after six hours, to meet again in September, officials said, and to exchange prisoners.</p>
</article></main>
<footer><p>© The Daily Example. All rights reserved, everywhere, always.</p></footer>
</body></html>"#;

    #[test]
    fn metadata_from_json_ld_and_meta_tags() {
        let r = parse_page("p.html", PAGE);
        assert_eq!(r.title.as_deref(), Some("Ministers talk in Geneva"));
        assert_eq!(r.author.as_deref(), Some("Ana Ruiz"));
        assert_eq!(r.source.as_deref(), Some("Daily Example"));
        assert_eq!(r.date.as_deref(), Some("2025-07-02"));
        assert_eq!(r.url.as_deref(), Some("https://example.org/geneva"));
        assert_eq!(r.language.as_deref(), Some("en"));
        assert!(r.body.starts_with("The foreign ministers"), "{}", r.body);
        assert!(r.body.contains("exchange prisoners"));
        assert!(!r.body.contains("Home") && !r.body.contains("rights reserved"), "{}", r.body);
    }

    #[test]
    fn a_declared_legacy_charset_is_honoured() {
        let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"></head>\
            <body><p>Le président de la République a reçu le ministre, à l'Élysée, pendant deux heures.</p></body></html>";
        let bytes = encoding_rs::WINDOWS_1252.encode(page).0.into_owned();
        let parsed = read("p.html", &bytes);
        assert_eq!(parsed.encoding, Some("windows-1252"));
        assert!(parsed.reports[0].body.contains("président de la République a reçu"), "{:?}", parsed.reports);
    }

    #[test]
    fn json_ld_article_body_when_the_page_text_is_missing() {
        let body = "The envoy arrived in Doha late on Sunday for talks on a ceasefire. ".repeat(5);
        let page = format!(
            r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","headline":"Envoy in Doha","articleBody":"{body}"}}</script></head><body><div id="app"></div></body></html>"#
        );
        let r = parse_page("p.html", &page);
        assert_eq!(r.title.as_deref(), Some("Envoy in Doha"));
        assert!(r.body.starts_with("The envoy arrived in Doha"));
    }

    #[test]
    fn sniffs_pages() {
        assert!(sniff(b"\n  <!DOCTYPE html><html>"));
        assert!(sniff(b"<HTML><body>"));
        assert!(!sniff(b"Putin and <b>Trump</b>"));
    }
}
