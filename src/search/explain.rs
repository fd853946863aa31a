//! Why an article ranked where it did: the data behind `--explain`.
//!
//! Filled by the ranker ([`super::rank`]) only when a request asks for it
//! ([`super::SearchRequest::explain`]): the first-pass (tantivy) score, the document score
//! split into one line per term (or phrase) and field, the best passage's score and the
//! interpolation weight. Each passage's own score is in [`super::Passage::score`].
//!
//! The per-term lines come from the re-ranker's own BM25, also when the query was not
//! re-ranked (then with weight 1 per word, which is how tantivy scores them), rather than from
//! tantivy's `Query::explain`: that one trips a debug assertion inside tantivy 0.27's boolean
//! queries, and prefix and fuzzy clauses (the queries not re-ranked) list no terms either way.

use serde::{Deserialize, Serialize};

/// How one article's score came about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// tantivy's BM25 score of the first pass (retrieval).
    pub retrieval: f32,
    /// The re-ranker's document score (`None` when the query was not re-ranked).
    pub document: Option<f32>,
    /// Score of the article's best passage under the same weighted query (`None` when not
    /// re-ranked, or below the passage depth).
    pub best_passage: Option<f32>,
    /// Share of the best passage in the final score.
    pub passage_weight: Option<f32>,
    /// The document score, one entry per term (or phrase) and field that matched, largest
    /// first.
    pub terms: Vec<TermScore>,
}

/// One term's (or phrase's) share of a document score, in one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermScore {
    /// The analysed term, or a phrase's terms joined by spaces.
    pub term: String,
    /// The index field it matched in; fields scored together as one (BM25F) are joined with
    /// `+` (`title+body`).
    pub field: String,
    /// Its weight in the query (the user's words share the query's weight; feedback terms
    /// the rest).
    pub weight: f32,
    /// Its weighted BM25 score in that field (field boost included).
    pub score: f32,
    /// Whether pseudo-relevance feedback added it.
    pub is_expansion: bool,
}

/// How `ranked` came by its score: its parts under `scorer` (the weighted query's BM25),
/// largest first, named by field with `schema`.
pub(crate) fn explain(
    ranked: &super::rank::Ranked,
    scorer: Option<&super::bm25::Scorer>,
    weighted: &[super::bm25::Weighted],
    passage_weight: f32,
    schema: &tantivy::schema::Schema,
) -> crate::Result<Explanation> {
    let mut terms = Vec::new();
    if let Some(scorer) = scorer {
        let parts = scorer.score(&[ranked.address], true)?;
        for part in parts.into_iter().flat_map(|p| p.1) {
            let Some(w) = weighted.get(part.unit) else { continue };
            let field = if part.is_combined {
                scorer.combined().iter().map(|&f| schema.get_field_name(f)).collect::<Vec<_>>().join("+")
            } else {
                schema.get_field_name(part.field).to_string()
            };
            terms.push(TermScore {
                term: w.unit.terms.join(" "),
                field,
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
        passage_weight: ranked.document.map(|_| passage_weight),
        terms,
    })
}
