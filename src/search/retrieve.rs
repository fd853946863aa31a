//! Retrieval, the first pass: tantivy's BM25 top articles for the compiled query, the number
//! of matches, and (when asked) the facet counts.
//!
//! The compiled query carries the whole boolean structure (filters, exclusions, `AND`), so
//! every later stage only reorders what this pass returns.
//!
//! The top articles and the counts are two passes, not one: collecting the top articles
//! alone lets tantivy skip whole blocks of postings that cannot reach the top (block-max
//! WAND), while counting every match with a score for each would deny it that. The counts
//! run without scores — a single word's count is its document frequency, read in constant
//! time — and the facets ride along with the count.

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
    let error = |e| index_error(at, e);
    let top = searcher.search(query, &TopDocs::with_limit(depth.max(1)).order_by_score()).map_err(error)?;
    let (total_hits, facets) = match facets {
        Some(collector) => {
            collector.retain(searcher);
            let (count, counts) = searcher.search(query, &(Count, collector)).map_err(error)?;
            (count, Some(counts))
        }
        None => (query.count(searcher).map_err(error)?, None),
    };
    Ok(Retrieved { top, total_hits, facets })
}
