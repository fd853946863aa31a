//! Plain-text reports.
//!
//! Conventions, all optional:
//! - leading `KEY: value` header lines (`AUTHOR`, `TITLE`, `DATE`, `SOURCE`, `URL`,
//!   `LANGUAGE`, `DATELINE` and a few synonyms, case-insensitive) until the first line that is not one;
//!   an unknown key (`WASHINGTON: …`) ends the headers and stays in the body;
//! - a trailing WordPress syndication line `The post TITLE appeared first on SOURCE.` gives
//!   title and source (when the headers did not) and is removed from the body;
//! - without a title, a short first line followed by a blank line is the headline and is
//!   removed from the body.

use crate::Report;

/// Longest first line still taken as a headline.
const MAX_HEADLINE_CHARS: usize = 160;

const FOOTER_START: &str = "The post ";
const FOOTER_MIDDLE: &str = " appeared first on ";

/// Which report field a header key fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header {
    Title,
    Author,
    Date,
    Source,
    Url,
    Language,
    Dateline,
}

impl Header {
    /// The field a header or front-matter key names, case-insensitive.
    pub(crate) fn from_key(key: &str) -> Option<Header> {
        Some(match key.trim().to_ascii_lowercase().as_str() {
            "title" | "headline" => Header::Title,
            "author" | "byline" | "by" | "authors" => Header::Author,
            "date" | "published" | "pubdate" | "published_at" | "date_published" => Header::Date,
            "source" | "publisher" | "outlet" | "site" => Header::Source,
            "url" | "link" | "permalink" => Header::Url,
            "language" | "lang" => Header::Language,
            "dateline" => Header::Dateline,
            _ => return None,
        })
    }

    /// Stores `value` into the field of `report` if it is not set yet.
    pub(crate) fn fill(self, report: &mut Report, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let slot = match self {
            Header::Title => &mut report.title,
            Header::Author => &mut report.author,
            Header::Source => &mut report.source,
            Header::Url => &mut report.url,
            Header::Language => &mut report.language,
            Header::Date => {
                if report.date.is_none() {
                    report.date = crate::date::parse_day(value);
                }
                return;
            }
            Header::Dateline => {
                if report.dateline.is_none() {
                    report.dateline = super::dateline::place(value);
                }
                return;
            }
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
}

/// Splits a `KEY: value` header line.
fn header_line(line: &str) -> Option<(Header, &str)> {
    let (key, value) = line.split_once(':')?;
    if key.len() > 20 || key.trim() != key {
        return None;
    }
    Some((Header::from_key(key)?, value))
}

/// Parses a WordPress footer line into (title, source).
fn footer(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim().strip_prefix(FOOTER_START)?;
    let (title, source) = rest.rsplit_once(FOOTER_MIDDLE)?;
    let source = source.trim().strip_suffix('.').unwrap_or(source.trim());
    (!title.trim().is_empty() && !source.is_empty()).then_some((title.trim(), source))
}

/// Parses a plain-text report.
pub fn parse(rel: &str, text: &str) -> Report {
    let text = super::normalize_newlines(text);
    let mut report = Report::new(rel, "");
    let mut lines: Vec<&str> = text.lines().collect();

    // Header lines.
    let mut first_body_line = 0;
    for line in &lines {
        match header_line(line) {
            Some((header, value)) => {
                header.fill(&mut report, value);
                first_body_line += 1;
            }
            None => break,
        }
    }
    lines.drain(..first_body_line);

    // WordPress footer: the last non-blank line.
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if let Some((title, source)) = lines.last().and_then(|l| footer(l)) {
        Header::Title.fill(&mut report, title);
        Header::Source.fill(&mut report, source);
        lines.pop();
    }

    // Headline: a short first line followed by a blank line, with more text after it.
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    if report.title.is_none() && lines.len() > 2 && lines[1].trim().is_empty() && is_headline(lines[0]) {
        report.title = Some(lines[0].trim().to_string());
        lines.drain(..2);
    }

    report.body = lines.join("\n").trim().to_string();
    report
}

fn is_headline(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.chars().count() <= MAX_HEADLINE_CHARS
        && !line.ends_with(['.', ',', ';', ':'])
        && line.split_whitespace().count() <= 25
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_fill_fields_and_leave_the_body() {
        let r = parse(
            "a.txt",
            "TITLE: Talks resume\nAuthor: Ann Lee\nDATE: 3 July 2025\nSOURCE: Wire\nURL: https://x.example/1\n\nBody here.\n",
        );
        assert_eq!(r.title.as_deref(), Some("Talks resume"));
        assert_eq!(r.author.as_deref(), Some("Ann Lee"));
        assert_eq!(r.date.as_deref(), Some("2025-07-03"));
        assert_eq!(r.source.as_deref(), Some("Wire"));
        assert_eq!(r.url.as_deref(), Some("https://x.example/1"));
        assert_eq!(r.body, "Body here.");
    }

    #[test]
    fn author_line_without_blank_line_is_removed() {
        let r = parse("004.txt", "AUTHOR: M.J. GDNUS\nRussian President Vladimir Putin said.\nMore.");
        assert_eq!(r.author.as_deref(), Some("M.J. GDNUS"));
        assert_eq!(r.body, "Russian President Vladimir Putin said.\nMore.");
    }

    #[test]
    fn unknown_key_is_body_text() {
        let r = parse("a.txt", "WASHINGTON: The talks went on.\nMore.");
        assert_eq!(r.author, None);
        assert!(r.body.starts_with("WASHINGTON: The talks"));
    }

    #[test]
    fn wordpress_footer_gives_title_and_source() {
        let r = parse(
            "000.txt",
            "First paragraph.\nLast paragraph.\nThe post Trump and Putin’s Talk: A Turn appeared first on Real News Now.",
        );
        assert_eq!(r.title.as_deref(), Some("Trump and Putin’s Talk: A Turn"));
        assert_eq!(r.source.as_deref(), Some("Real News Now"));
        assert_eq!(r.body, "First paragraph.\nLast paragraph.");
    }

    #[test]
    fn header_title_wins_over_footer_title() {
        let r = parse("a.txt", "TITLE: Mine\n\nText.\n\nThe post Theirs appeared first on Site.\n");
        assert_eq!(r.title.as_deref(), Some("Mine"));
        assert_eq!(r.source.as_deref(), Some("Site"));
        assert_eq!(r.body, "Text.");
    }

    #[test]
    fn short_first_line_then_blank_is_the_headline() {
        let r = parse("bbc.txt", "Ad sales boost profit\n\nQuarterly profits rose.\n\nMore text.");
        assert_eq!(r.title.as_deref(), Some("Ad sales boost profit"));
        assert_eq!(r.body, "Quarterly profits rose.\n\nMore text.");
    }

    #[test]
    fn a_sentence_first_line_is_not_a_headline() {
        let r = parse("a.txt", "The talks ended.\n\nThey will resume.");
        assert_eq!(r.title, None);
        assert_eq!(r.body, "The talks ended.\n\nThey will resume.");
    }

    #[test]
    fn crlf_is_normalised() {
        let r = parse("a.txt", "AUTHOR: A\r\n\r\nOne.\r\nTwo.\r\n");
        assert_eq!(r.author.as_deref(), Some("A"));
        assert_eq!(r.body, "One.\nTwo.");
    }
}
