//! Search: from a [`SearchRequest`] to ranked [`SearchResults`] with passages and highlights.
//!
//! One file per stage, in the order a query passes through them; [`Searcher::search`] only
//! composes them:
//!
//! 1. **parse** ([`query`]): the user's syntax into a tree, with columns for errors; bare
//!    function words out when the ranking says so ([`stopword`]);
//! 2. **compile** (`compile`): the tree into a tantivy query over the index's analyzer and
//!    lexicons, plus what may be lit and the words and phrases that rank;
//! 3. **retrieve** (`retrieve`): tantivy's BM25 top articles, the match count and the facet
//!    counts (`facet`) in one pass;
//! 4. **re-rank** ([`rank`]): the candidates scored again with the index's statistics
//!    (`bm25`), optionally with pseudo-relevance feedback (`feedback`), and with their best
//!    passage as evidence;
//! 5. **passages** ([`passage`]): each body split into sentence windows, scored with BM25 over
//!    the body's corpus statistics, from one scan of the stored text (`scan`);
//! 6. **highlight** ([`highlight`]): the exact byte ranges of the matches in the passages shown;
//! 7. **results** (`results`): hits built from the stored articles loaded once per search
//!    (`loaded`), with [`explain`]ed scores when asked.
//!
//! The library returns ranges and scores; renderers (the CLI's terminal, JSON and HTML
//! output) add markup.

mod bm25;
mod compile;
pub mod explain;
mod facet;
mod feedback;
pub mod highlight;
mod loaded;
pub mod passage;
pub mod query;
pub mod rank;
mod request;
mod results;
mod retrieve;
mod scan;
pub mod stopword;

use std::cell::Cell;
use std::sync::{Arc, OnceLock};

use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

pub use explain::{Explanation, TermScore};
pub use facet::{FACET_LIMIT, Stats};
pub use highlight::Highlight;
pub use passage::Passage;
pub use rank::{Ranking, TagFields};
pub use request::{DEFAULT_LIMIT, DEFAULT_PASSAGES, GROUP_DEPTH, MAX_LIMIT, SearchRequest};
pub use results::{Article, Facets, Hit, SearchResults};

use self::bm25::{Scorer, Weighted};
use self::compile::Lit;
use self::facet::FacetCollector;
use self::loaded::{Run, stored_article};
use self::passage::{PassageScoring, PassageStats, pooled_stats};
use self::rank::{CANDIDATE_DEPTH, Ranked, Reranked};
use crate::index::index_error;
use crate::{Error, Extractor, Index, analysis};

/// Runs searches on an [`Index`]. Cheap to clone, `Send + Sync`; it sees each new commit
/// shortly after it lands.
#[derive(Debug, Clone)]
pub struct Searcher {
    index: Index,
    /// Built on first use: most searches never need it (see `compile::Lexicons`).
    extractor: Arc<OnceLock<Extractor>>,
    /// Stems of the function words, kept out of feedback.
    stop_stems: Arc<feedback::TermSet>,
    /// Facet columns of the segments, opened once.
    columns: facet::ColumnCache,
    /// Threads for the segments of a large index.
    parallel: retrieve::Parallel,
}

thread_local! {
    /// Each thread's analyzer, kept between searches: its stem cache makes analysing the
    /// bodies of passages several times cheaper once warm. Taken for a search and put back
    /// after; a search that fails simply leaves the next one a fresh analyzer.
    static ANALYZER: Cell<Option<tantivy::tokenizer::TextAnalyzer>> = const { Cell::new(None) };
}

impl Index {
    /// A searcher over the latest commit; cheap to clone, `Send + Sync`.
    pub fn searcher(&self) -> Searcher {
        Searcher::new(self.clone())
    }
}

impl Searcher {
    fn new(index: Index) -> Searcher {
        let extractor = Arc::new(OnceLock::new());
        let mut analyzer = analysis::analyzer();
        let stop_stems = stopword::all()
            .flat_map(|w| analysis::terms(&mut analyzer, w))
            .map(|t| t.text)
            .collect::<feedback::TermSet>();
        Searcher {
            index,
            extractor,
            stop_stems: Arc::new(stop_stems),
            columns: Default::default(),
            parallel: Default::default(),
        }
    }

    /// Runs a search.
    ///
    /// ```
    /// use attache::{Index, IndexSchema, Report, SearchRequest};
    /// let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    /// let mut indexer = index.indexer()?;
    /// indexer.add(&Report::new("a.txt", "Putin and Trump discussed Iran."))?;
    /// indexer.commit()?;
    /// let results = index.searcher().search(&SearchRequest::new("iran"))?;
    /// assert_eq!(results.hits[0].passages[0].text, "Putin and Trump discussed Iran.");
    /// # Ok::<(), attache::Error>(())
    /// ```
    pub fn search(&self, request: &SearchRequest) -> crate::Result<SearchResults> {
        if request.group {
            return self.search_grouped(request);
        }
        self.search_flat(request)
    }

    /// One hit per story: the reports of the first stories in the flat ranking, each story
    /// led by its best report, the others in [`Hit::also`] with their best passage. The
    /// flat ranking is read [`GROUP_DEPTH`] times as deep as the page, so a story's other
    /// reports ranked further down are found too; a report without a story is one of its own.
    fn search_grouped(&self, request: &SearchRequest) -> crate::Result<SearchResults> {
        let page_end = request.offset.saturating_add(request.limit.min(MAX_LIMIT));
        let flat = SearchRequest {
            limit: page_end.saturating_mul(GROUP_DEPTH).min(MAX_LIMIT),
            offset: 0,
            group: false,
            ..request.clone()
        };
        let results = self.search_flat(&flat)?;
        let mut groups: Vec<Hit> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for mut hit in results.hits {
            let key = hit.story.clone().unwrap_or_else(|| format!("#{}", hit.id));
            match at.get(&key).and_then(|&i| groups.get_mut(i)) {
                Some(leader) => {
                    hit.passages.truncate(1);
                    leader.also.push(hit);
                }
                None => {
                    at.insert(key, groups.len());
                    groups.push(hit);
                }
            }
        }
        let hits = groups.into_iter().skip(request.offset).take(request.limit.min(MAX_LIMIT)).collect();
        Ok(SearchResults { hits, ..results })
    }

    fn search_flat(&self, request: &SearchRequest) -> crate::Result<SearchResults> {
        let ranking = request.ranking;
        // 1. Parse.
        let parsed = query::parse(&request.query)?;
        let tree = if ranking.stopwords { compile::drop_stopwords(&parsed) } else { parsed };

        // 2. Compile.
        let mut analyzer = ANALYZER.with(Cell::take).unwrap_or_else(analysis::analyzer);
        let mut lexicons = compile::Lexicons { shared: &self.extractor, schema: &self.index.schema, own: None };
        let compiled = compile::compile(&tree, &self.index, ranking.tag_fields, &mut analyzer, &mut lexicons)?;
        let rescore = ranking.rescore && compiled.rescorable && !compiled.units.is_empty();

        // 3. Retrieve.
        let at = self.index.location();
        let limit = request.limit.min(MAX_LIMIT);
        let page_end = request.offset.saturating_add(limit);
        let depth = if rescore { page_end.max(CANDIDATE_DEPTH) } else { page_end };
        // Passages score the user's words (units) and highlights light the lits.
        let unit_lits: Vec<Lit> = compiled.units.iter().map(|u| Lit::Terms(u.terms.clone())).collect();
        let vocab = scan::Vocab::new(compiled.lits.iter().chain(&unit_lits));
        let mut run = Run::new(&self.index, analyzer, vocab);
        let facets = request.facets.then(|| FacetCollector::facets(&self.index, &self.columns));
        let retrieved = retrieve::retrieve(&run.searcher, &self.parallel, &*compiled.query, depth, facets, &at)?;

        // 4. Re-rank (or keep tantivy's order).
        let Reranked { ranked, weighted, scoring } = if rescore {
            let units = compiled.units.clone();
            rank::rerank(&mut run, &retrieved.top, units, &compiled.default_fields, &ranking, &self.stop_stems)?
        } else {
            let ranked: Vec<Ranked> = retrieved.top.iter().copied().map(Ranked::retrieved).collect();
            let page: Vec<DocAddress> = ranked.iter().skip(request.offset).take(limit).map(|r| r.address).collect();
            let stats = if request.passages == 0 {
                PassageStats { k1: ranking.k1, b: ranking.b, avg_len: 1.0 }
            } else {
                pooled_stats(&mut run, &page, (ranking.k1, ranking.b))?
            };
            let scoring = PassageScoring { lits: compiled.lits.clone(), weights: None, stats };
            Reranked { ranked, weighted: Vec::new(), scoring }
        };

        // Not re-ranked: explain with the user's words at weight 1, as tantivy scored them.
        let weighted = if weighted.is_empty() && request.explain && compiled.rescorable {
            compiled.units.iter().map(|u| Weighted { unit: u.clone(), weight: 1.0, is_expansion: false }).collect()
        } else {
            weighted
        };
        let searcher = run.searcher.clone();
        let text_fields = [self.index.fields.title, self.index.fields.body];
        let scorer = if request.explain && !weighted.is_empty() {
            // Not re-ranked: tantivy's own BM25, field by field, is what scored the hits.
            let (k1_b, combined) = if rescore {
                ((ranking.k1, ranking.b), if ranking.bm25f { &text_fields[..] } else { &[] })
            } else {
                ((rank::TANTIVY_K1, rank::TANTIVY_B), &[][..])
            };
            Some(Scorer::new(&searcher, &weighted, k1_b, combined, at.clone())?)
        } else {
            None
        };

        // 5–7. Passages, highlights and the hits of the page.
        let mut hits = Vec::with_capacity(limit.min(ranked.len()));
        for r in ranked.iter().skip(request.offset).take(limit) {
            let mut hit = run.hit(r.address, r.score, &compiled.lits, &scoring, request.passages)?;
            if request.explain {
                let schema = &self.index.tantivy_schema;
                hit.explain = Some(explain::explain(r, scorer.as_ref(), &weighted, ranking.passage_weight, schema)?);
            }
            hits.push(hit);
        }
        let facets = retrieved.facets.map(facet::facets).unwrap_or_default();
        ANALYZER.with(|cell| cell.set(Some(run.analyzer)));
        Ok(SearchResults { query: request.query.clone(), total_hits: retrieved.total_hits, hits, facets })
    }

    /// The stored article with this id.
    pub fn article(&self, id: &str) -> crate::Result<Article> {
        let at = self.index.location();
        let searcher = self.index.reader.searcher();
        let f = self.index.fields;
        let term = tantivy::query::TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
        let top = searcher
            .search(&term, &tantivy::collector::TopDocs::with_limit(1).order_by_score())
            .map_err(|e| index_error(&at, e))?;
        let Some((_, address)) = top.first() else { return Err(Error::NotFound { id: id.to_string() }) };
        let doc: TantivyDocument = searcher.doc(*address).map_err(|e| index_error(&at, e))?;
        let mut article = stored_article(&doc, &f);
        article.duplicates = self.duplicates_of(&doc)?;
        Ok(article)
    }

    /// Paths of the reports left out as duplicates of the stored report `doc`.
    fn duplicates_of(&self, doc: &TantivyDocument) -> crate::Result<Vec<String>> {
        use tantivy::schema::Value;
        let f = self.index.fields;
        let (Some(hash_field), Some(dup_field)) = (f.content_hash, f.duplicate_of) else { return Ok(Vec::new()) };
        if doc.get_first(dup_field).is_some() {
            return Ok(Vec::new());
        }
        let Some(hash) = doc.get_first(hash_field).and_then(|v| v.as_str()) else { return Ok(Vec::new()) };
        let at = self.index.location();
        let searcher = self.index.reader.searcher();
        let term = tantivy::query::TermQuery::new(Term::from_field_text(hash_field, hash), IndexRecordOption::Basic);
        let found = searcher
            .search(&term, &tantivy::collector::TopDocs::with_limit(1000).order_by_score())
            .map_err(|e| index_error(&at, e))?;
        let mut paths = Vec::new();
        for (_, address) in found {
            let other: TantivyDocument = searcher.doc(address).map_err(|e| index_error(&at, e))?;
            if other.get_first(dup_field).is_some()
                && let Some(path) = other.get_first(f.path).and_then(|v| v.as_str())
            {
                paths.push(path.to_string());
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Every article of the latest commit, in index order.
    pub fn export(&self) -> crate::Result<impl Iterator<Item = crate::Result<Article>> + use<>> {
        let searcher = self.index.reader.searcher();
        let addresses: Vec<DocAddress> = searcher
            .segment_readers()
            .iter()
            .enumerate()
            .flat_map(|(ord, segment)| segment.doc_ids_alive().map(move |doc| DocAddress::new(ord as u32, doc)))
            .collect();
        let fields = self.index.fields;
        let at = self.index.location();
        let this = self.clone();
        Ok(addresses.into_iter().filter_map(move |address| {
            let doc: TantivyDocument = match searcher.doc(address) {
                Ok(doc) => doc,
                Err(e) => return Some(Err(index_error(&at, e))),
            };
            // A duplicate is exported once, on the report it duplicates.
            if fields.duplicate_of.is_some_and(|f| doc.get_first(f).is_some()) {
                return None;
            }
            let mut article = stored_article(&doc, &fields);
            match this.duplicates_of(&doc) {
                Ok(paths) => article.duplicates = paths,
                Err(e) => return Some(Err(e)),
            }
            Some(Ok(article))
        }))
    }
}

#[cfg(test)]
mod tests;
