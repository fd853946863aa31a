//! Search: from a [`SearchRequest`] to ranked [`SearchResults`] with passages and highlights.
//!
//! 1. [`query::parse`] reads the user's syntax into a tree with columns for errors;
//! 2. `compile` turns it into a tantivy query over the index's analyzer and lexicons, and
//!    collects what may be lit;
//! 3. tantivy retrieves the top articles by BM25 (title, body, leaders, topics);
//! 4. [`passage`] splits each body into sentence windows and scores them with BM25 over the
//!    body's corpus statistics; [`highlight`] gives the exact byte ranges of the matches.
//!
//! The library returns ranges and scores; renderers (the CLI's terminal, JSON and HTML
//! output) add markup.

mod compile;
pub mod highlight;
pub mod passage;
pub mod query;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument, Term};

pub use highlight::Highlight;
pub use passage::Passage;

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
    /// Whether to count leaders, topics, places and organisations over all matches.
    pub facets: bool,
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
        }
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
///   "facets": { "leaders": { "Vladimir Putin": 2 }, "topics": { "Iran": 2 } } }
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
}

/// Runs searches on an [`Index`]. Cheap to clone, `Send + Sync`; it sees each new commit
/// shortly after it lands.
#[derive(Debug, Clone)]
pub struct Searcher {
    index: Index,
    extractor: Extractor,
}

impl Searcher {
    pub(crate) fn new(index: Index) -> Searcher {
        let extractor = Extractor::new(&index.schema);
        Searcher { index, extractor }
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
        let tree = query::parse(&request.query)?;
        let mut analyzer = analysis::analyzer();
        let mut extractor = self.extractor.clone();
        let fields = self.index.fields;
        let default_fields = fields.default_search(&self.index.tantivy_schema, &self.index.schema);
        let mut compiler = compile::Compiler {
            fields: &fields,
            default_fields: &default_fields,
            analyzer: &mut analyzer,
            extractor: &mut extractor,
            lits: Vec::new(),
        };
        let query = compiler
            .compile(&tree, false)?
            .ok_or_else(|| Error::query(1, "nothing to search for: the query has no words, only punctuation"))?;
        let lits = std::mem::take(&mut compiler.lits);

        let at = self.index.location();
        let searcher = self.index.reader.searcher();
        let limit = request.limit.min(MAX_LIMIT);
        let top = TopDocs::with_limit(limit.max(1)).and_offset(request.offset).order_by_score();
        let (top, total_hits) = searcher.search(&*query, &(top, Count)).map_err(|e| index_error(&at, e))?;

        let num_docs = searcher.num_docs().max(1) as f32;
        let idf = |key: &str| -> f32 {
            // A phrase weighs the sum of its words, as BM25 would score them together.
            key.split(' ')
                .map(|t| {
                    let df = searcher.doc_freq(&Term::from_field_text(fields.body, t)).unwrap_or(0) as f32;
                    (1.0 + (num_docs - df + 0.5) / (df + 0.5)).ln()
                })
                .sum()
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top.into_iter().take(limit) {
            hits.push(self.hit(&searcher, address, score, &lits, &idf, request.passages, &mut analyzer)?);
        }
        let facets =
            if request.facets { crate::facet::count(&self.index, &searcher, &*query)? } else { Facets::default() };
        Ok(SearchResults { query: request.query.clone(), total_hits, hits, facets })
    }

    #[allow(clippy::too_many_arguments)]
    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        lits: &[compile::Lit],
        idf: &dyn Fn(&str) -> f32,
        num_passages: usize,
        analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    ) -> crate::Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| index_error(&self.index.location(), e))?;
        let stored = Stored { doc: &doc };
        let body = stored.first(self.index.fields.body).unwrap_or_default();
        let spans = if lits.is_empty() || num_passages == 0 {
            Vec::new()
        } else {
            highlight::find(&analysis::terms(analyzer, &body), lits)
        };
        let f = &self.index.fields;
        Ok(Hit {
            id: stored.first(f.id).unwrap_or_default(),
            path: stored.first(f.path).unwrap_or_default(),
            score,
            title: stored.first(f.title),
            author: stored.first(f.author),
            source: stored.first(f.source),
            date: stored_day(&doc, f.date),
            url: stored.first(f.url),
            leaders: stored.all(f.leader),
            topics: stored.all(f.topic),
            places: stored.all(f.place),
            orgs: stored.all(f.org),
            passages: passage::best(&body, &spans, idf, num_passages),
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
