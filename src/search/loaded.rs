//! The articles one search loads: stored fields read once, bodies scanned once, and the
//! [`Hit`]s and [`Article`]s built from them.
//!
//! Re-ranking (feedback reads bodies, passages need scans) and rendering the page of hits
//! touch the same few articles; [`Run`] keeps each loaded article for the whole search so no
//! stored document is decompressed or scanned twice.

use std::collections::HashMap;

use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument, Term};

use super::compile::Lit;
use super::passage::{PassageScoring, Windows};
use super::{Article, Hit, bm25, feedback, scan};
use crate::index::index_error;
use crate::{Error, Index};

/// A stored article, loaded once per search, with its body scanned once passages need it.
pub(crate) struct Loaded {
    pub doc: TantivyDocument,
    pub body: String,
    /// Whether `scan` and `windows` are filled.
    is_analysed: bool,
    /// The body's words and which of them the query lights (see [`scan`]).
    pub scan: scan::Scan,
    pub windows: Windows,
}

/// What one search shares between its stages.
pub(crate) struct Run<'a> {
    pub searcher: tantivy::Searcher,
    pub analyzer: tantivy::tokenizer::TextAnalyzer,
    loaded: HashMap<DocAddress, Loaded>,
    pub index: &'a Index,
    /// Every term passages and highlights may look for in this search.
    pub vocab: scan::Vocab,
}

impl<'a> Run<'a> {
    pub fn new(index: &'a Index, analyzer: tantivy::tokenizer::TextAnalyzer, vocab: scan::Vocab) -> Run<'a> {
        Run { searcher: index.reader.searcher(), analyzer, loaded: HashMap::new(), index, vocab }
    }

    /// Loads an article's stored fields, and with `analyse` its scanned body and passages.
    pub fn load(&mut self, address: DocAddress, analyse: bool) -> crate::Result<&Loaded> {
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
    pub fn loaded(&self, address: DocAddress) -> crate::Result<&Loaded> {
        // Unreachable after `load`; an error rather than a panic all the same.
        self.loaded.get(&address).ok_or_else(|| Error::NotFound { id: format!("{address:?}") })
    }

    /// The analysed terms of an article's body, counted (for feedback).
    pub fn term_counts(&mut self, address: DocAddress) -> crate::Result<feedback::TermCounts> {
        self.load(address, false)?;
        // Field by field: the body is borrowed while the analyzer runs.
        let body = &self.loaded.get(&address).ok_or_else(|| Error::NotFound { id: format!("{address:?}") })?.body;
        Ok(feedback::TermCounts::new(&mut self.analyzer, body))
    }

    /// BM25 idf of a key (a term, or a phrase's terms joined by spaces) in the body.
    pub fn body_idf(&self, key: &str) -> f32 {
        let num_docs = self.searcher.num_docs();
        key.split(' ')
            .map(|t| {
                let df = self.searcher.doc_freq(&Term::from_field_text(self.index.fields.body, t)).unwrap_or(0);
                bm25::bm25_idf(df, num_docs)
            })
            .sum()
    }

    /// The hit for the article at `address`, with its best `num_passages` passages scored by
    /// `scoring` and the `lits` highlighted in them.
    pub fn hit(
        &mut self,
        address: DocAddress,
        score: f32,
        lits: &[Lit],
        scoring: &PassageScoring,
        num_passages: usize,
    ) -> crate::Result<Hit> {
        self.load(address, num_passages > 0)?;
        let loaded = self.loaded(address)?;
        let passages = if num_passages == 0 {
            Vec::new()
        } else {
            let spans = if lits.is_empty() { Vec::new() } else { scan::find(&loaded.scan, &self.vocab, lits) };
            let scores = scoring.scores(self, loaded);
            loaded.windows.best(&loaded.body, &scores, &spans, num_passages)
        };
        let doc = &loaded.doc;
        let stored = Stored { doc };
        let f = &self.index.fields;
        Ok(Hit {
            id: stored.first(f.id).unwrap_or_default(),
            path: stored.first(f.path).unwrap_or_default(),
            score,
            title: stored.first(f.title),
            author: stored.first(f.author),
            source: stored.first(f.source),
            date: stored_day(doc, f.date),
            url: stored.first(f.url),
            leaders: stored.all(f.leader),
            topics: stored.all(f.topic),
            places: stored.all(f.place),
            orgs: stored.all(f.org),
            story: stored.first(f.story),
            people: stored.all(f.person),
            passages,
            explain: None,
            also: Vec::new(),
        })
    }
}

fn stored_day(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .map(|d| crate::date::iso_from_days(d.into_timestamp_secs().div_euclid(86_400)))
}

/// Rebuilds an article from a stored document.
pub(crate) fn stored_article(doc: &TantivyDocument, f: &crate::schema::Fields) -> Article {
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
        people: stored.all(f.person),
        duplicates: Vec::new(),
        story: stored.first(f.story),
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
