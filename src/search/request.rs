//! What a search asks for: [`SearchRequest`], with its defaults and limits.

use serde::{Deserialize, Serialize};

use super::rank::Ranking;

/// Hits returned when the request does not say.
pub const DEFAULT_LIMIT: usize = 10;
/// Passages shown per hit when the request does not say.
pub const DEFAULT_PASSAGES: usize = 3;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;
/// How many times deeper than the page a grouped search reads the flat ranking.
pub const GROUP_DEPTH: usize = 5;

/// What to search for and how much to return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The query, in attache's syntax (see [`super::query`]).
    pub query: String,
    /// Most hits to return.
    pub limit: usize,
    /// Hits to skip (for paging).
    pub offset: usize,
    /// Passages per hit.
    pub passages: usize,
    /// Whether to count leaders, topics, places, organisations, sources, authors and months
    /// of publication over all matches ([`Facets`](super::Facets)).
    pub facets: bool,
    /// How articles are ranked.
    #[serde(default)]
    pub ranking: Ranking,
    /// Whether each hit says how its score came about ([`super::Hit::explain`]).
    #[serde(default)]
    pub explain: bool,
    /// Whether hits are grouped by story: one hit per story, its best report, with the
    /// story's other matching reports in [`super::Hit::also`]; `limit` and `offset` then count
    /// stories.
    #[serde(default)]
    pub group: bool,
}

impl SearchRequest {
    /// A request with the default limit and passages.
    ///
    /// ```
    /// let req = attache::SearchRequest::new("putin iran").limit(5).passages(1);
    /// assert_eq!((req.limit, req.passages), (5, 1));
    /// ```
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            passages: DEFAULT_PASSAGES,
            facets: false,
            ranking: Ranking::default(),
            explain: false,
            group: false,
        }
    }

    /// Groups the hits by story ([`SearchRequest::group`]).
    ///
    /// ```
    /// let req = attache::SearchRequest::new("putin").group(true);
    /// assert!(req.group);
    /// ```
    pub fn group(mut self, group: bool) -> SearchRequest {
        self.group = group;
        self
    }

    /// Sets how articles are ranked.
    pub fn ranking(mut self, ranking: Ranking) -> SearchRequest {
        self.ranking = ranking;
        self
    }

    /// Asks each hit to explain its score.
    pub fn explain(mut self, explain: bool) -> SearchRequest {
        self.explain = explain;
        self
    }

    /// Sets the number of hits (at most [`MAX_LIMIT`]).
    pub fn limit(mut self, limit: usize) -> SearchRequest {
        self.limit = limit.min(MAX_LIMIT);
        self
    }

    /// Sets the number of hits to skip.
    pub fn offset(mut self, offset: usize) -> SearchRequest {
        self.offset = offset;
        self
    }

    /// Sets the number of passages per hit.
    pub fn passages(mut self, passages: usize) -> SearchRequest {
        self.passages = passages;
        self
    }

    /// Asks for facet counts.
    pub fn facets(mut self, facets: bool) -> SearchRequest {
        self.facets = facets;
        self
    }
}
