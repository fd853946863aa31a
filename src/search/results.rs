//! What a search answers: [`SearchResults`] with their [`Hit`]s and [`Facets`]; and
//! [`Article`], one stored report as `show` and `export` give it.
//!
//! These are the types the CLI serialises for `--json`; their shape is a contract (see
//! [`SearchResults`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Explanation, Passage};

/// The answer to a [`super::SearchRequest`].
///
/// # JSON format
///
/// Serialised with serde (`--json`), one object:
///
/// ```json
/// { "query": "putin iran", "total_hits": 2,
///   "hits": [ { "id": "…", "path": "…", "score": 7.1,
///               "title": "…", "author": "…", "source": "…", "date": "2025-07-03", "url": null,
///               "leaders": ["Vladimir Putin", "Donald Trump"], "topics": ["Iran", "Ukraine"],
///               "places": ["Iran"], "orgs": ["NATO"], "people": ["Vladimir Putin", "Yuri Ushakov"],
///               "passages": [ { "score": 3.2, "start": 812, "end": 1190, "text": "…",
///                               "highlights": [ { "start": 840, "end": 845 } ] } ] } ],
///   "facets": { "leaders": { "Vladimir Putin": 2 }, "topics": { "Iran": 2 },
///               "sources": { "Reuters": 2 }, "dates": { "2025-07": 2 } } }
/// ```
///
/// `start`/`end` are byte offsets into the article body, on char boundaries; a passage's
/// `text` is exactly `body[start..end]`; every highlight lies inside its passage. Unknown
/// fields are `null`; lists may be empty; `facets` is empty unless asked for. Keys may be
/// added; none will be renamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Number of matching articles (all of them, not only those returned).
    pub total_hits: usize,
    /// The returned hits, best first.
    pub hits: Vec<Hit>,
    /// Counts over all matching articles, when asked for: the [`super::FACET_LIMIT`] most
    /// frequent values of each kind.
    pub facets: Facets,
}

/// Facet counts: canonical name → matching articles, per kind; each kind holds its
/// [`super::FACET_LIMIT`] most frequent names, counted exactly over all matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    /// Leaders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub leaders: BTreeMap<String, u64>,
    /// Topics.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub topics: BTreeMap<String, u64>,
    /// Places.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub places: BTreeMap<String, u64>,
    /// Organisations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub orgs: BTreeMap<String, u64>,
    /// Outlets (the `source` field, as written).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, u64>,
    /// Bylines (the `author` field, as written; counted only when `fields.toml` makes it fast).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authors: BTreeMap<String, u64>,
    /// People (everyone the name tagger found).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people: BTreeMap<String, u64>,
    /// Articles per month of publication, `YYYY-MM` (undated articles are not counted): the
    /// data of a date histogram.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dates: BTreeMap<String, u64>,
}

/// One matching article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Stable id (see [`crate::Report::id`]).
    pub id: String,
    /// Source file, relative to the corpus root.
    pub path: String,
    /// Relevance score (higher is better; comparable within one result set only).
    pub score: f32,
    /// Headline.
    pub title: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Publication day, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Leaders named, most mentioned first.
    pub leaders: Vec<String>,
    /// Topics, strongest first.
    pub topics: Vec<String>,
    /// Places among the topics.
    pub places: Vec<String>,
    /// Organisations among the topics.
    pub orgs: Vec<String>,
    /// The story of the report: reports of the same event share it (see [`crate::stories`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// Everyone named (the name tagger's people, one entry a person), most mentioned first.
    #[serde(default)]
    pub people: Vec<String>,
    /// Best passages, best first.
    pub passages: Vec<Passage>,
    /// How the score came about, when the request asked ([`super::SearchRequest::explain`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
    /// In results grouped by story ([`super::SearchRequest::group`]): the other reports of
    /// this hit's story that matched, best first. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Hit>,
}

/// A stored article: the report and the canonical names extracted from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// The report as indexed.
    #[serde(flatten)]
    pub report: crate::Report,
    /// Leaders named.
    pub leaders: Vec<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Places.
    pub places: Vec<String>,
    /// Organisations.
    pub orgs: Vec<String>,
    /// People.
    #[serde(default)]
    pub people: Vec<String>,
    /// Paths of the other files holding the same report (identical normalised text), which
    /// were not indexed again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<String>,
    /// The report's story ([`crate::stories`]); none in an index made before stories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
}
