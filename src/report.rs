//! [`Report`]: one parsed article, as the ingest stage produces it and the indexer and
//! embedders consume it.
//!
//! A report knows nothing about the index: it is plain data (serde-friendly), so apps with
//! their own records can build reports themselves and hand them to the [`crate::Indexer`].
//! Extracted entities live in [`crate::Entities`], computed from a report by the
//! [`crate::Extractor`].

use serde::{Deserialize, Serialize};

/// One news article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Stable identifier: the path relative to the corpus root, plus `#N` (0-based record
    /// number) or `#<record id>` for records inside a JSON/JSONL file.
    pub id: String,
    /// Path of the source file relative to the corpus root, with `/` separators.
    pub path: String,
    /// Headline.
    pub title: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// Outlet that published the report.
    pub source: Option<String>,
    /// Publication day as ISO 8601 `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Language code (`en`), when known.
    pub language: Option<String>,
    /// Where the report was filed from, as its dateline writes it (`MOSCOW`, `Salvador`):
    /// a wire record's `dateline` key, or the place that opens the body (`MOSCOW, July 3
    /// (Reuters) - …`). The body keeps its dateline; extraction counts a dateline that names
    /// a known city or country as a place. Absent in data written before datelines were read.
    #[serde(default)]
    pub dateline: Option<String>,
    /// The article text, without header lines or syndication footers.
    pub body: String,
}

impl Report {
    /// A report with the given id and body and no metadata; the path is the id up to `#`.
    ///
    /// ```
    /// let r = attache::Report::new("calls/putin.txt", "Putin spoke to Trump.").title("A call");
    /// assert_eq!(r.path, "calls/putin.txt");
    /// ```
    pub fn new(id: impl Into<String>, body: impl Into<String>) -> Report {
        let id = id.into();
        let path = id.split('#').next().unwrap_or_default().to_string();
        Report { id, path, body: body.into(), ..Report::default() }
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Report {
        self.title = Some(title.into());
        self
    }

    /// Sets the author.
    pub fn author(mut self, author: impl Into<String>) -> Report {
        self.author = Some(author.into());
        self
    }

    /// Sets the source (outlet).
    pub fn source(mut self, source: impl Into<String>) -> Report {
        self.source = Some(source.into());
        self
    }

    /// Sets the dateline: the place the report was filed from (`"MOSCOW"`); a date after a
    /// comma (`"MOSCOW, July 3"`) is dropped, an empty place leaves it unset.
    ///
    /// ```
    /// let r = attache::Report::new("a", "Talks went on.").dateline("WASHINGTON, March 3");
    /// assert_eq!(r.dateline.as_deref(), Some("WASHINGTON"));
    /// ```
    pub fn dateline(mut self, dateline: &str) -> Report {
        self.dateline = crate::ingest::dateline::place(dateline);
        self
    }

    /// Sets the date; anything [`crate::date::parse_day`] understands is normalised to
    /// `YYYY-MM-DD`, anything else is dropped.
    pub fn date(mut self, date: &str) -> Report {
        self.date = crate::date::parse_day(date);
        self
    }
}
