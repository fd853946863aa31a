//! Feeds (`.rss`, `.atom`, and `.xml` files that are feeds): each item becomes a report.
//!
//! feed-rs parses RSS 0.9x/1.0/2.0, Atom and JSON Feed alike. An item's report has its title,
//! link, authors, publication date (else its update date), language, and its text: the item's
//! full content when present, else its summary, with HTML cleaned as for web pages
//! ([`super::html::fragment_text`]). The feed's title is the source.
//!
//! Ids are stable across runs: the feed's path plus the item's guid (`feeds/world.rss#<guid>`;
//! feed-rs derives one from the item's link and title when the feed gives none). Re-indexing
//! a feed that gained items adds the new ones and duplicates none; an item seen twice in one
//! feed is kept once.

use std::collections::HashSet;

use super::{Parsed, SkipReason, Skipped};
use crate::Report;

/// Whether the first bytes look like an RSS, RDF or Atom feed.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = bytes.get(..2048).unwrap_or(bytes).to_ascii_lowercase();
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"<rss") || has(b"<rdf:rdf") || (has(b"<feed") && has(b"http://www.w3.org/2005/atom"))
}

/// Reads a feed's bytes into one report per item.
pub fn read(rel: &str, bytes: &[u8]) -> Parsed {
    if super::decode::is_binary(bytes) && !bytes.starts_with(b"\xff\xfe") && !bytes.starts_with(b"\xfe\xff") {
        return Parsed::skip(rel, SkipReason::Binary);
    }
    if !sniff(bytes) {
        return Parsed::skip(rel, SkipReason::NotAFeed);
    }
    let feed = match std::panic::catch_unwind(|| feed_rs::parser::parse(bytes)) {
        Ok(Ok(feed)) => feed,
        Ok(Err(e)) => return Parsed::skip(rel, SkipReason::Feed { message: e.to_string() }),
        Err(_) => return Parsed::skip(rel, SkipReason::Feed { message: "the feed parser failed".into() }),
    };
    let source = feed.title.as_ref().map(|t| super::html::fragment_text(&t.content)).filter(|t| !t.is_empty());
    let mut parsed = Parsed::default();
    let mut seen = HashSet::new();
    for (n, entry) in feed.entries.into_iter().enumerate() {
        let guid = entry.id.trim().to_string();
        let key = if guid.is_empty() { n.to_string() } else { guid };
        if !seen.insert(key.clone()) {
            parsed.skipped.push(Skipped {
                path: format!("{rel}#{key}"),
                reason: SkipReason::Shape { message: "the same item twice in the feed; kept once".into() },
            });
            continue;
        }
        let html = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .filter(|b| !b.trim().is_empty())
            .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        let mut report = Report::new(format!("{rel}#{key}"), super::html::fragment_text(&html));
        report.path = rel.to_string();
        report.title = entry.title.as_ref().map(|t| super::html::fragment_text(&t.content)).filter(|t| !t.is_empty());
        let authors: Vec<String> = entry
            .authors
            .iter()
            .filter_map(|p| p.name.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect();
        report.author = (!authors.is_empty()).then(|| authors.join(", "));
        report.source.clone_from(&source);
        report.url = entry.links.first().map(|l| l.href.trim().to_string()).filter(|h| !h.is_empty());
        report.date =
            entry.published.or(entry.updated).and_then(|d| crate::date::parse_day(&d.format("%Y-%m-%d").to_string()));
        report.language = entry
            .language
            .or_else(|| feed.language.clone())
            .and_then(|l| l.split(['-', '_']).next().map(|c| c.trim().to_ascii_lowercase()))
            .filter(|c| c.len() == 2 || c.len() == 3);
        parsed.reports.push(report);
    }
    if parsed.reports.is_empty() && parsed.skipped.is_empty() {
        parsed.skipped.push(Skipped { path: rel.to_string(), reason: SkipReason::Empty });
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>World Desk</title><language>en-us</language>
<item><title>Envoy lands in Doha</title><link>https://example.org/doha</link><guid>doha-1</guid>
<dc:creator>Sam Lee</dc:creator><pubDate>Thu, 03 Jul 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;The envoy arrived in &lt;b&gt;Doha&lt;/b&gt; for ceasefire talks.&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description></item>
<item><title>Summit ends</title><guid>summit-2</guid><description>Leaders left Brussels without a deal.</description></item>
<item><title>Summit ends</title><guid>summit-2</guid><description>Leaders left Brussels without a deal.</description></item>
</channel></rss>"#;

    const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Diplomatic Notes</title><id>urn:notes</id><updated>2025-07-04T00:00:00Z</updated>
<entry><title>Talks resume</title><id>urn:notes:1</id><link href="https://example.org/talks"/>
<author><name>Ana Ruiz</name></author><published>2025-07-04T08:00:00Z</published><updated>2025-07-04T09:00:00Z</updated>
<content type="html">&lt;p&gt;Negotiators resumed talks in Vienna on the nuclear file.&lt;/p&gt;</content></entry>
</feed>"#;

    #[test]
    fn rss_items_become_reports() {
        let parsed = read("feeds/world.rss", RSS.as_bytes());
        assert_eq!(parsed.reports.len(), 2, "{parsed:?}");
        let r = &parsed.reports[0];
        assert_eq!(r.id, "feeds/world.rss#doha-1");
        assert_eq!(r.path, "feeds/world.rss");
        assert_eq!(r.title.as_deref(), Some("Envoy lands in Doha"));
        assert_eq!(r.author.as_deref(), Some("Sam Lee"));
        assert_eq!(r.source.as_deref(), Some("World Desk"));
        assert_eq!(r.url.as_deref(), Some("https://example.org/doha"));
        assert_eq!(r.date.as_deref(), Some("2025-07-03"));
        assert_eq!(r.language.as_deref(), Some("en"));
        assert_eq!(r.body, "The envoy arrived in Doha for ceasefire talks.");
        assert_eq!(parsed.reports[1].body, "Leaders left Brussels without a deal.");
        assert_eq!(parsed.skipped.len(), 1, "the repeated item");
    }

    #[test]
    fn atom_entries_become_reports() {
        let parsed = read("notes.atom", ATOM.as_bytes());
        let r = &parsed.reports[0];
        assert_eq!(r.id, "notes.atom#urn:notes:1");
        assert_eq!(r.title.as_deref(), Some("Talks resume"));
        assert_eq!(r.author.as_deref(), Some("Ana Ruiz"));
        assert_eq!(r.date.as_deref(), Some("2025-07-04"));
        assert_eq!(r.body, "Negotiators resumed talks in Vienna on the nuclear file.");
    }

    #[test]
    fn xml_that_is_not_a_feed_is_said_so() {
        let parsed = read("data.xml", b"<?xml version=\"1.0\"?><catalog><book/></catalog>");
        assert_eq!(parsed.skipped[0].reason, SkipReason::NotAFeed);
        let parsed = read("bad.rss", b"<rss><channel><item><title>x</ti");
        assert!(parsed.reports.is_empty());
    }
}
