//! attache: full-text search for folders of diplomatic news reports.
//!
//! attache indexes a directory of news reports — plain text with header lines and WordPress
//! footers, Markdown with front matter, JSON and JSON Lines — tags each with the leaders it
//! names and the topics it is about, and answers queries with ranked articles, the passages
//! that answer best, and the exact byte ranges of the matches.
//!
//! ```
//! use attache::{Index, IndexSchema, Report, SearchRequest};
//!
//! let index = Index::create_in_ram(IndexSchema::embedded()?)?;
//! let mut indexer = index.indexer()?;
//! indexer.add(&Report::new("a.txt", "Putin told Trump that Russia would not give up its goals in Ukraine.")
//!     .title("Putin and Trump speak by phone"))?;
//! indexer.add(&Report::new("b.txt", "Iran said inspectors could return. Putin welcomed the step on Iran."))?;
//! indexer.add(&Report::new("c.txt", "Trade ministers met in Geneva to discuss tariffs."))?;
//! indexer.commit()?;
//!
//! let results = index.searcher().search(&SearchRequest::new("leader:putin iran"))?;
//! assert_eq!(results.total_hits, 1);
//! let hit = &results.hits[0];
//! assert_eq!(hit.id, "b.txt");
//! let passage = &hit.passages[0];
//! let lit: Vec<&str> = passage.highlights.iter().map(|h| &passage.text[h.start - passage.start..h.end - passage.start]).collect();
//! assert_eq!(lit, ["Iran", "Iran"]); // `leader:putin` filters; it lights nothing in the body
//! # Ok::<(), attache::Error>(())
//! ```
//!
//! # Architecture
//!
//! The modules follow the pipeline:
//!
//! 1. [`ingest`] walks a directory and parses each file into [`Report`]s;
//! 2. [`extract`] finds leaders and topics ([`Entities`]) with the lexicons of
//!    `index_schema/` ([`IndexSchema`]);
//! 3. [`analysis`] turns text into stemmed terms — the one analyzer for indexing, queries,
//!    passages and highlights;
//! 4. [`Index`] and [`Indexer`] store reports in tantivy segments, incrementally, and
//!    [`stories`] decides, as each report is indexed, which story (reports of one event, from
//!    one outlet or several) it belongs to;
//! 5. [`Searcher`] parses a [`SearchRequest`] ([`search::query`]), ranks articles with BM25,
//!    picks their best [`Passage`]s and their [`Highlight`]s, and returns
//!    [`SearchResults`] (serde-serialisable: the CLI's `--json`);
//! 6. [`eval`] scores rankings against TREC relevance judgments (nDCG@10, MAP, Recall@100)
//!    and compares two rankings over several test collections with a paired significance test,
//!    and stories against gold clusters ([`eval::stories`]: B-cubed and pairwise F1).
//!
//! The library never prints and never exits; progress comes back through a callback and
//! per-file problems as data ([`IndexSummary::skipped`]).
//!
//! `build.rs` prepares the embedded lexicons at compile time: their JSON form, which parses
//! several times faster than their TOML (the source, and what an index's fingerprint
//! hashes), and the stems of their words, which the analyzer looks up before running the
//! stemmer. Tests check both against what the TOML and the stemmer give.

#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod analysis;
pub mod date;
mod error;
pub mod eval;
pub mod extract;
mod hash;
pub mod index;
mod index_schema;
pub mod ingest;
mod merge;
mod report;
pub mod schema;
pub mod search;
pub mod stories;

pub use error::{Error, Result};
pub use extract::{Entities, Extractor, Tag};
pub use index::{CheckReport, Extraction, Index, IndexSummary, Indexer, Progress, SyncOptions};
pub use index_schema::IndexSchema;
pub use ingest::{SkipReason, Skipped, Warning};
pub use report::Report;
pub use schema::SCHEMA_VERSION;
pub use search::{
    Article, Explanation, Facets, Highlight, Hit, Passage, Ranking, SearchRequest, SearchResults, Searcher, Stats,
};
pub use stories::StoryOptions;

/// The README's examples are compiled and run as doc-tests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
