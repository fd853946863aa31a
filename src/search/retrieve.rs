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

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Executor};

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

/// Indexes of at least this many reports are searched on several threads, one segment per
/// thread at a time. Below it, handing segments to other threads and back costs more than it
/// saves: on 12k reports in two segments, 1000 searches took 100 µs longer each.
pub const PARALLEL_DOCS: u64 = 250_000;

/// Threads searching the segments of a large index, made on first need.
#[derive(Clone, Default)]
pub(crate) struct Parallel(std::sync::Arc<std::sync::OnceLock<Option<Executor>>>);

impl std::fmt::Debug for Parallel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parallel").finish_non_exhaustive()
    }
}

impl Parallel {
    /// The executor for a search of `searcher`: several threads on a large index (when they
    /// can be started), the calling thread otherwise.
    fn executor(&self, searcher: &tantivy::Searcher) -> Option<&Executor> {
        if searcher.num_docs() < PARALLEL_DOCS {
            return None;
        }
        self.0
            .get_or_init(|| {
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
                (threads > 1).then(|| Executor::multi_thread(threads, "attache-search-").ok()).flatten()
            })
            .as_ref()
    }
}

/// Runs `collector` over the matches of `query`, on `executor`'s threads when there is one,
/// with scores only if the collector needs them.
fn collect<C: Collector>(
    searcher: &tantivy::Searcher,
    executor: Option<&Executor>,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    match executor {
        Some(executor) => {
            let scoring = if collector.requires_scoring() {
                EnableScoring::enabled_from_searcher(searcher)
            } else {
                EnableScoring::disabled_from_searcher(searcher)
            };
            searcher.search_with_executor(query, collector, executor, scoring)
        }
        None => searcher.search(query, collector),
    }
}

/// Runs `query` on `searcher`, keeping the best `depth` articles (at least one).
pub(crate) fn retrieve(
    searcher: &tantivy::Searcher,
    parallel: &Parallel,
    query: &dyn Query,
    depth: usize,
    facets: Option<FacetCollector>,
    at: &std::path::Path,
) -> crate::Result<Retrieved> {
    let error = |e| index_error(at, e);
    let executor = parallel.executor(searcher);
    let top = collect(searcher, executor, query, &TopDocs::with_limit(depth.max(1)).order_by_score()).map_err(error)?;
    // The count runs on the threads too: a broad query's count visits every match, and on
    // one thread it took longer than the top articles on two.
    let (total_hits, facets) = match facets {
        Some(collector) => {
            collector.retain(searcher);
            let (count, counts) = collect(searcher, executor, query, &(Count, collector)).map_err(error)?;
            (count, Some(counts))
        }
        None => (collect(searcher, executor, query, &Count).map_err(error)?, None),
    };
    Ok(Retrieved { top, total_hits, facets })
}
