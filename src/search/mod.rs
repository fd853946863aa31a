//! Search: from a [`SearchRequest`] to ranked [`SearchResults`] with passages and highlights.
//!
//! 1. [`query::parse`] reads the user's syntax into a tree with columns for errors;
//! 2. `compile` turns it into a tantivy query over the index's analyzer and lexicons, and
//!    collects what may be lit;
//! 3. tantivy retrieves the top articles by BM25 (title, body, leaders, topics);
//! 4. [`rank`] re-ranks them: function words out ([`stopword`]), pseudo-relevance feedback
//!    (`feedback`), BM25 with the index's statistics, and the best passage's score mixed in;
//! 5. [`passage`] splits each body into sentence windows and scores them with BM25 over the
//!    body's corpus statistics; [`highlight`] gives the exact byte ranges of the matches;
//!    [`explain`] says, when asked, where each score came from.
//!
//! The library returns ranges and scores; renderers (the CLI's terminal, JSON and HTML
//! output) add markup.

mod compile;
pub mod explain;
mod feedback;
pub mod highlight;
pub mod passage;
pub mod query;
pub mod rank;
mod scan;
pub mod stopword;

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument, Term};

pub use explain::{Explanation, TermScore};
pub use highlight::Highlight;
pub use passage::Passage;
pub use rank::Ranking;

use self::compile::{Lit, Unit};
use self::passage::{PassageStats, Windows};
use self::rank::{CANDIDATE_DEPTH, PASSAGE_DEPTH, Weighted};
use crate::facet::FacetCollector;
use crate::index::index_error;
use crate::{Error, Extractor, Index, analysis};

/// Hits returned when the request does not say.
pub const DEFAULT_LIMIT: usize = 10;
/// Passages shown per hit when the request does not say.
pub const DEFAULT_PASSAGES: usize = 3;
/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;

/// What to search for and how much to return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The query, in attache's syntax (see [`query`]).
    pub query: String,
    /// Most hits to return.
    pub limit: usize,
    /// Hits to skip (for paging).
    pub offset: usize,
    /// Passages per hit.
    pub passages: usize,
    /// Whether to count leaders, topics, places, organisations, sources, authors and months
    /// of publication over all matches ([`Facets`]).
    pub facets: bool,
    /// How articles are ranked.
    #[serde(default)]
    pub ranking: Ranking,
    /// Whether each hit says how its score came about ([`Hit::explain`]).
    #[serde(default)]
    pub explain: bool,
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
        }
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

/// The answer to a [`SearchRequest`].
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
///               "places": ["Iran"], "orgs": ["NATO"],
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
    /// Counts over all matching articles, when asked for.
    pub facets: Facets,
}

/// Facet counts: canonical name → matching articles, per kind.
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
    /// Best passages, best first.
    pub passages: Vec<Passage>,
    /// How the score came about, when the request asked ([`SearchRequest::explain`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
}

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
    columns: crate::facet::ColumnCache,
}

thread_local! {
    /// Each thread's analyzer, kept between searches: its stem cache makes analysing the
    /// bodies of passages several times cheaper once warm. Taken for a search and put back
    /// after; a search that fails simply leaves the next one a fresh analyzer.
    static ANALYZER: Cell<Option<tantivy::tokenizer::TextAnalyzer>> = const { Cell::new(None) };
}

/// An article being ranked.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    address: DocAddress,
    score: f32,
    retrieval: f32,
    document: Option<f32>,
    best_passage: Option<f32>,
}

/// A stored article, loaded once per search, with its body scanned once passages need it.
struct Loaded {
    doc: TantivyDocument,
    body: String,
    /// Whether `scan` and `windows` are filled.
    is_analysed: bool,
    /// The body's words and which of them the query lights (see [`scan`]).
    scan: scan::Scan,
    windows: Windows,
}

/// What one search shares between its stages.
struct Run<'a> {
    searcher: tantivy::Searcher,
    analyzer: tantivy::tokenizer::TextAnalyzer,
    loaded: HashMap<DocAddress, Loaded>,
    index: &'a Index,
    /// Every term passages and highlights may look for in this search.
    vocab: scan::Vocab,
}

impl Run<'_> {
    /// Loads an article's stored fields, and with `analyse` its scanned body and passages.
    fn load(&mut self, address: DocAddress, analyse: bool) -> crate::Result<&Loaded> {
        if !self.loaded.contains_key(&address) {
            let doc: TantivyDocument =
                self.searcher.doc(address).map_err(|e| index_error(&self.index.location(), e))?;
            let body = Stored { doc: &doc }.first(self.index.fields.body).unwrap_or_default();
            let windows = Windows { ranges: Vec::new(), lengths: Vec::new() };
            self.loaded.insert(address, Loaded { doc, body, is_analysed: false, scan: Default::default(), windows });
        }
        if analyse && let Some(loaded) = self.loaded.get_mut(&address).filter(|l| !l.is_analysed) {
            loaded.scan = scan::scan(&mut self.analyzer, &self.vocab, &loaded.body);
            loaded.windows = Windows::new(&loaded.body, &loaded.scan.tokens);
            loaded.is_analysed = true;
        }
        self.loaded(address)
    }

    /// An article [`Run::load`] has loaded.
    fn loaded(&self, address: DocAddress) -> crate::Result<&Loaded> {
        // Unreachable after `load`; an error rather than a panic all the same.
        self.loaded.get(&address).ok_or_else(|| Error::NotFound { id: format!("{address:?}") })
    }

    /// BM25 idf of a key (a term, or a phrase's terms joined by spaces) in the body.
    fn body_idf(&self, key: &str) -> f32 {
        let num_docs = self.searcher.num_docs();
        key.split(' ')
            .map(|t| {
                let df = self.searcher.doc_freq(&Term::from_field_text(self.index.fields.body, t)).unwrap_or(0);
                rank::bm25_idf(df, num_docs)
            })
            .sum()
    }
}

/// How passages are scored in one search: what counts, how much each match weighs.
struct PassageScoring {
    lits: Vec<Lit>,
    weights: Option<HashMap<String, f32>>,
    stats: PassageStats,
}

impl PassageScoring {
    fn scores(&self, run: &Run, loaded: &Loaded) -> Vec<f32> {
        let matches = scan::occurrences(&loaded.scan, &run.vocab, &self.lits);
        let weight = |key: &str| match &self.weights {
            Some(w) => w.get(key).copied().unwrap_or(0.0),
            None => run.body_idf(key),
        };
        loaded.windows.scores(&matches, &weight, self.stats)
    }
}

impl Searcher {
    pub(crate) fn new(index: Index) -> Searcher {
        let extractor = Arc::new(OnceLock::new());
        let mut analyzer = analysis::analyzer();
        let stop_stems = stopword::all()
            .flat_map(|w| analysis::terms(&mut analyzer, w))
            .map(|t| t.text)
            .collect::<feedback::TermSet>();
        Searcher { index, extractor, stop_stems: Arc::new(stop_stems), columns: Default::default() }
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
        let ranking = request.ranking;
        let parsed = query::parse(&request.query)?;
        let tree = if ranking.stopwords { compile::drop_stopwords(&parsed) } else { parsed };
        let mut analyzer = ANALYZER.with(Cell::take).unwrap_or_else(analysis::analyzer);
        let mut lexicons = compile::Lexicons { shared: &self.extractor, schema: &self.index.schema, own: None };
        let fields = self.index.fields;
        let default_fields = fields.default_search(&self.index.tantivy_schema, &self.index.schema);
        let mut compiler = compile::Compiler {
            fields: &fields,
            default_fields: &default_fields,
            analyzer: &mut analyzer,
            extractor: &mut lexicons,
            lits: Vec::new(),
            units: Vec::new(),
            rescorable: true,
        };
        let query = compiler
            .compile(&tree, false)?
            .ok_or_else(|| Error::query(1, "nothing to search for: the query has no words, only punctuation"))?;
        let lits = std::mem::take(&mut compiler.lits);
        let units = std::mem::take(&mut compiler.units);
        let rescorable = compiler.rescorable;
        let rescore = ranking.rescore && rescorable && !units.is_empty();

        let at = self.index.location();
        let limit = request.limit.min(MAX_LIMIT);
        let page_end = request.offset.saturating_add(limit);
        let depth = if rescore { page_end.max(CANDIDATE_DEPTH) } else { page_end };
        // Passages score the user's words (units) and highlights light the lits.
        let unit_lits: Vec<Lit> = units.iter().map(|u| Lit::Terms(u.terms.clone())).collect();
        let vocab = scan::Vocab::new(lits.iter().chain(&unit_lits));
        let mut run =
            Run { searcher: self.index.reader.searcher(), analyzer, loaded: HashMap::new(), index: &self.index, vocab };
        let top = TopDocs::with_limit(depth.max(1)).order_by_score();
        // Facets count in the same pass over the matches as the top documents.
        let facet_collector = request.facets.then(|| FacetCollector::facets(&self.index, &self.columns));
        if let Some(collector) = &facet_collector {
            collector.retain(&run.searcher);
        }
        let (top, total_hits, facet_counts) =
            run.searcher.search(&*query, &(top, Count, facet_collector)).map_err(|e| index_error(&at, e))?;

        let (ranked, weighted, scoring) = if rescore {
            self.rerank(&mut run, &top, units.clone(), &default_fields, &ranking)?
        } else {
            let ranked = top
                .iter()
                .map(|&(score, address)| Ranked {
                    address,
                    score,
                    retrieval: score,
                    document: None,
                    best_passage: None,
                })
                .collect::<Vec<_>>();
            let page: Vec<DocAddress> = ranked.iter().skip(request.offset).take(limit).map(|r| r.address).collect();
            let stats = if request.passages == 0 {
                PassageStats { k1: ranking.k1, b: ranking.b, avg_len: 1.0 }
            } else {
                pooled_stats(&mut run, &page, &ranking)?
            };
            (ranked, Vec::new(), PassageScoring { lits: lits.clone(), weights: None, stats })
        };

        let searcher = run.searcher.clone();
        // Not re-ranked: explain with the user's words at weight 1, as tantivy scored them.
        let weighted = if weighted.is_empty() && request.explain && rescorable {
            units.iter().map(|u| Weighted { unit: u.clone(), weight: 1.0, is_expansion: false }).collect()
        } else {
            weighted
        };
        let scorer = if request.explain && !weighted.is_empty() {
            Some(rank::Scorer::new(&searcher, &weighted, &ranking, at.clone())?)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(limit.min(ranked.len()));
        for r in ranked.iter().skip(request.offset).take(limit) {
            let mut hit = self.hit(&mut run, r, &lits, &scoring, request.passages)?;
            if request.explain {
                hit.explain = Some(self.explain(r, scorer.as_ref(), &weighted, &ranking)?);
            }
            hits.push(hit);
        }
        let facets = facet_counts.map(crate::facet::facets).unwrap_or_default();
        ANALYZER.with(|cell| cell.set(Some(run.analyzer)));
        Ok(SearchResults { query: request.query.clone(), total_hits, hits, facets })
    }

    /// Re-ranks the candidates (see [`rank`]): feedback, document BM25, MaxP.
    fn rerank(
        &self,
        run: &mut Run,
        top: &[(f32, DocAddress)],
        units: Vec<Unit>,
        default_fields: &[(tantivy::schema::Field, f32)],
        ranking: &Ranking,
    ) -> crate::Result<(Vec<Ranked>, Vec<Weighted>, PassageScoring)> {
        let at = self.index.location();
        // The user's words share the weight; repeated words count again.
        let mut weighted: Vec<Weighted> = Vec::new();
        let share = 1.0 / units.len() as f32;
        for unit in units {
            match weighted.iter_mut().find(|w| w.unit == unit) {
                Some(w) => w.weight += share,
                None => weighted.push(Weighted { unit, weight: share, is_expansion: false }),
            }
        }
        if ranking.has_feedback() && !top.is_empty() {
            let mut counted = Vec::new();
            for &(score, address) in top.iter().take(ranking.feedback_docs) {
                run.load(address, false)?;
                // Field by field: the body is borrowed while the analyzer runs.
                let body =
                    &run.loaded.get(&address).ok_or_else(|| Error::NotFound { id: format!("{address:?}") })?.body;
                counted.push((score, feedback::TermCounts::new(&mut run.analyzer, body)));
            }
            let docs: Vec<(f32, &feedback::TermCounts)> = counted.iter().map(|(s, c)| (*s, c)).collect();
            let model = feedback::relevance_model(&docs, &self.stop_stems, ranking.feedback_terms);
            if !model.is_empty() {
                for w in &mut weighted {
                    w.weight *= ranking.feedback_weight;
                }
                for (term, p) in model {
                    let weight = (1.0 - ranking.feedback_weight) * p;
                    let unit = Unit { terms: vec![term], fields: default_fields.to_vec(), slop: 0 };
                    match weighted.iter_mut().find(|w| w.unit == unit) {
                        Some(w) => w.weight += weight,
                        None => weighted.push(Weighted { unit, weight, is_expansion: true }),
                    }
                }
            }
        }

        let scorer = rank::Scorer::new(&run.searcher, &weighted, ranking, at)?;
        let addresses: Vec<DocAddress> = top.iter().map(|t| t.1).collect();
        let scores = scorer.score(&addresses, false)?;
        let mut ranked: Vec<Ranked> = top
            .iter()
            .zip(&scores)
            .map(|(&(retrieval, address), &(document, _))| Ranked {
                address,
                score: document,
                retrieval,
                document: Some(document),
                best_passage: None,
            })
            .collect();
        // Stable: ties keep tantivy's order.
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score));

        // Passages score with the user's own words, weighed as in the document score, over the
        // body: feedback terms move articles, but the passage shown first must be one where
        // the words the user typed (and sees lit) are.
        let body = self.index.fields.body;
        let mut weights: HashMap<String, f32> = HashMap::new();
        let mut lits = Vec::new();
        for w in &weighted {
            if w.is_expansion || !w.unit.fields.iter().any(|f| f.0 == body) {
                continue;
            }
            let key = w.unit.terms.join(" ");
            let idf = run.body_idf(&key);
            let entry = weights.entry(key).or_insert_with(|| {
                lits.push(Lit::Terms(w.unit.terms.clone()));
                0.0
            });
            *entry += w.weight * idf;
        }
        let head: Vec<DocAddress> = ranked.iter().take(PASSAGE_DEPTH).map(|r| r.address).collect();
        let stats = pooled_stats(run, &head, ranking)?;
        let scoring = PassageScoring { lits, weights: Some(weights), stats };
        let lambda = ranking.passage_weight;
        let head_len = head.len();
        for r in ranked.iter_mut().take(head_len) {
            run.load(r.address, true)?;
            let best = scoring.scores(run, run.loaded(r.address)?).into_iter().fold(0.0f32, f32::max);
            r.best_passage = Some(best);
            r.score = (1.0 - lambda) * r.score + lambda * best;
        }
        for r in ranked.iter_mut().skip(head_len) {
            r.score *= 1.0 - lambda;
        }
        ranked[..head_len].sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok((ranked, weighted, scoring))
    }

    fn hit(
        &self,
        run: &mut Run,
        ranked: &Ranked,
        lits: &[Lit],
        scoring: &PassageScoring,
        num_passages: usize,
    ) -> crate::Result<Hit> {
        run.load(ranked.address, num_passages > 0)?;
        let loaded = run.loaded(ranked.address)?;
        let passages = if num_passages == 0 {
            Vec::new()
        } else {
            let spans = if lits.is_empty() { Vec::new() } else { scan::find(&loaded.scan, &run.vocab, lits) };
            let scores = scoring.scores(run, loaded);
            loaded.windows.best(&loaded.body, &scores, &spans, num_passages)
        };
        let doc = &loaded.doc;
        let stored = Stored { doc };
        let f = &self.index.fields;
        Ok(Hit {
            id: stored.first(f.id).unwrap_or_default(),
            path: stored.first(f.path).unwrap_or_default(),
            score: ranked.score,
            title: stored.first(f.title),
            author: stored.first(f.author),
            source: stored.first(f.source),
            date: stored_day(doc, f.date),
            url: stored.first(f.url),
            leaders: stored.all(f.leader),
            topics: stored.all(f.topic),
            places: stored.all(f.place),
            orgs: stored.all(f.org),
            passages,
            explain: None,
        })
    }

    fn explain(
        &self,
        ranked: &Ranked,
        scorer: Option<&rank::Scorer>,
        weighted: &[Weighted],
        ranking: &Ranking,
    ) -> crate::Result<Explanation> {
        let mut terms = Vec::new();
        if let Some(scorer) = scorer {
            let parts = scorer.score(&[ranked.address], true)?;
            for part in parts.into_iter().flat_map(|p| p.1) {
                let Some(w) = weighted.get(part.unit) else { continue };
                terms.push(TermScore {
                    term: w.unit.terms.join(" "),
                    field: self.index.tantivy_schema.get_field_name(part.field).to_string(),
                    weight: w.weight,
                    score: part.score,
                    is_expansion: w.is_expansion,
                });
            }
        }
        terms.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(Explanation {
            retrieval: ranked.retrieval,
            document: ranked.document,
            best_passage: ranked.best_passage,
            passage_weight: ranked.document.map(|_| ranking.passage_weight),
            terms,
        })
    }

    /// The stored article with this id.
    pub fn article(&self, id: &str) -> crate::Result<Article> {
        let at = self.index.location();
        let searcher = self.index.reader.searcher();
        let f = self.index.fields;
        let term =
            tantivy::query::TermQuery::new(Term::from_field_text(f.id, id), tantivy::schema::IndexRecordOption::Basic);
        let top = searcher.search(&term, &TopDocs::with_limit(1).order_by_score()).map_err(|e| index_error(&at, e))?;
        let Some((_, address)) = top.first() else { return Err(Error::NotFound { id: id.to_string() }) };
        let doc: TantivyDocument = searcher.doc(*address).map_err(|e| index_error(&at, e))?;
        Ok(stored_article(&doc, &f))
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
        Ok(addresses.into_iter().map(move |address| {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| index_error(&at, e))?;
            Ok(stored_article(&doc, &fields))
        }))
    }
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
}

/// Passage BM25 statistics pooled over `docs` (loading them).
fn pooled_stats(run: &mut Run, docs: &[DocAddress], ranking: &Ranking) -> crate::Result<PassageStats> {
    let (mut total, mut count) = (0.0f32, 0usize);
    for &address in docs {
        let loaded = run.load(address, true)?;
        total += loaded.windows.lengths.iter().sum::<f32>();
        count += loaded.windows.lengths.len();
    }
    let avg_len = if count == 0 { 1.0 } else { total / count as f32 };
    Ok(PassageStats { k1: ranking.k1, b: ranking.b, avg_len })
}

fn stored_day(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .map(|d| crate::date::iso_from_days(d.into_timestamp_secs().div_euclid(86_400)))
}

/// Rebuilds an article from a stored document.
fn stored_article(doc: &TantivyDocument, f: &crate::schema::Fields) -> Article {
    let stored = Stored { doc };
    let report = crate::Report {
        id: stored.first(f.id).unwrap_or_default(),
        path: stored.first(f.path).unwrap_or_default(),
        title: stored.first(f.title),
        author: stored.first(f.author),
        source: stored.first(f.source),
        date: stored_day(doc, f.date),
        url: stored.first(f.url),
        language: stored.first(f.language),
        dateline: None,
        body: stored.first(f.body).unwrap_or_default(),
    };
    Article {
        report,
        leaders: stored.all(f.leader),
        topics: stored.all(f.topic),
        places: stored.all(f.place),
        orgs: stored.all(f.org),
    }
}

struct Stored<'a> {
    doc: &'a TantivyDocument,
}

impl Stored<'_> {
    fn first(&self, field: tantivy::schema::Field) -> Option<String> {
        self.doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string)
    }

    fn all(&self, field: tantivy::schema::Field) -> Vec<String> {
        self.doc.get_all(field).filter_map(|v| v.as_str()).map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests;
