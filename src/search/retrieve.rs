//! Retrieval, the first pass: tantivy's BM25 top articles for the compiled query, the number
//! of matches, and (when asked) the facet counts, all in one pass over the matches.
//!
//! The compiled query carries the whole boolean structure (filters, exclusions, `AND`), so
//! every later stage only reorders what this pass returns.

use tantivy::DocAddress;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;

use super::facet::{Counts, FacetCollector};
use crate::index::index_error;

/// What the first pass found.
pub(crate) struct Retrieved {
    /// The best `depth` articles by tantivy's score, best first.
    pub top: Vec<(f32, DocAddress)>,
    /// All matching articles.
    pub total_hits: usize,
    /// Facet counts over all matches, when a collector was given.
    pub facets: Option<Counts>,
}

/// Runs `query` on `searcher`, keeping the best `depth` articles (at least one).
pub(crate) fn retrieve(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    depth: usize,
    facets: Option<FacetCollector>,
    at: &std::path::Path,
) -> crate::Result<Retrieved> {
    let top = TopDocs::with_limit(depth.max(1)).order_by_score();
    if let Some(collector) = &facets {
        collector.retain(searcher);
    }
    let (top, total_hits, facets) = searcher.search(query, &(top, Count, facets)).map_err(|e| index_error(at, e))?;
    Ok(Retrieved { top, total_hits, facets })
}
