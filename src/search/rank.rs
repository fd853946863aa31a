//! Ranking: how the articles tantivy retrieves are re-ranked, and the [`Ranking`] knobs.
//!
//! tantivy's BM25 (k1 = 1.2, b = 0.75, fixed) over title, body, leaders and topics retrieves
//! the top [`CANDIDATE_DEPTH`] articles and enforces the query's boolean structure (filters,
//! exclusions, `AND`). The re-ranker then scores those candidates itself, with statistics read
//! from the index (document frequencies, field lengths, postings with positions), in three
//! steps, each measured with `attache eval trec` on the TIME collection (42 dev queries,
//! lower-cased, punctuation as spaces; nDCG@10 / MAP; plain tantivy 0.7420 / 0.6716):
//!
//! 1. **Function words out** ([`super::stopword`]): bare `the`, `of`, `which` … no longer
//!    rank: 0.7553 / 0.6884. Plain-language queries are mostly function words.
//! 2. **Pseudo-relevance feedback (RM3)** (`feedback`): the top
//!    [`Ranking::feedback_docs`] articles of the first pass yield a relevance model; its
//!    [`Ranking::feedback_terms`] best terms join the query, which keeps
//!    [`Ranking::feedback_weight`] of the total weight. Standard RM3 settings (10 documents,
//!    10 terms, 0.5), not tuned here: 0.7973 / 0.7479 with step 1.
//! 3. **Passage interpolation (MaxP)**: the first [`PASSAGE_DEPTH`] articles by document
//!    score are split into passages, each scored with BM25 on the user's own words (weighed
//!    as in the document score); an article's final score is `(1 − λ)·document + λ·best
//!    passage`, λ = [`Ranking::passage_weight`] = 0.5, an equal say (0.3 and 0.7 measured
//!    within ±0.01). Without feedback it lifts step 1 to 0.7692 / 0.7126; all three together
//!    give 0.7989 / 0.7509 (Recall@100 1.0), against bm25s's 0.7504 / 0.6813.
//!
//! Tried and left out: a bigram proximity feature (adjacent query words, BM25-scored, SDM
//! style) lowered nDCG@10 at every weight tried in a prototype; Anserini-style linear
//! feedback weights fell below no feedback (see `feedback`); other `k1`/`b`
//! (1.5 / 0.75: 0.8013 / 0.7524; 0.9 / 0.4: 0.8064 / 0.7563) differ by less than the query
//! set can tell, so tantivy's defaults stay.
//!
//! Document scores are BM25 with the ranking's own `k1` and `b`, a term's score summed over
//! the fields it searches times their boosts (`fields.toml`), and a phrase scored on its
//! occurrences with the sum of its words' idf, as tantivy does; with feedback off and λ = 0
//! the re-ranker reproduces tantivy's scores. Articles below the passage depth keep their
//! document order after the re-ranked head, so the top of a ranking never depends on how many
//! hits were asked for.
//!
//! Queries with a positive prefix (`sanction*`) or fuzzy (`zelenski~1`) clause keep tantivy's
//! ranking: their expansions are tantivy's to score. So do queries made only of filters.
//! [`Ranking::tantivy`] turns the re-ranker off (the baseline in `attache eval`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Term};

use super::compile::Unit;
use crate::index::index_error;

/// Articles retrieved by tantivy and re-scored (at least the requested page).
///
/// Chosen by measurement: re-scoring reads the postings of every query and feedback term for
/// each candidate, so its cost grows with the depth (at 1000 it was the largest single cost
/// of a search on the 100k benchmark index after passages: p50 8.5 ms against 6.6 ms at
/// 300). On TIME dev, 1000 and 300 give identical rankings (nDCG@10 0.7949, MAP 0.7427
/// with [`PASSAGE_DEPTH`] 20); 200 starts to lose recall (MAP 0.7424, Recall@100 0.998).
pub const CANDIDATE_DEPTH: usize = 300;
/// Articles, best first by document score, whose passages take part in their score.
///
/// Chosen by measurement: on TIME dev (with [`CANDIDATE_DEPTH`] 300), depths 20, 15, 12 and 10
/// give nDCG@10 0.7949 / 0.7956 / 0.7945 / 0.7972 and MAP 0.7427 / 0.7435 / 0.7419 / 0.7418,
/// equal within what 42 queries can tell (earlier, 100, 30 and 20 measured the same too),
/// while every article here is loaded and scanned: at 10 only the page shown is, and the
/// 100k benchmark's p50 fell from 6.6 to 5.5 ms. Passages reorder the top articles; they
/// rarely lift one from further down into the first ten.
pub const PASSAGE_DEPTH: usize = 10;

/// How articles are ranked; [`Ranking::default`] is attache's measured choice.
///
/// ```
/// let plain = attache::search::Ranking::tantivy();
/// assert!(!plain.rescore);
/// let mine = attache::search::Ranking::default().feedback_docs(0).passage_weight(0.3);
/// assert_eq!((mine.feedback_docs, mine.passage_weight), (0, 0.3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// Whether candidates are re-ranked at all (off: tantivy's BM25 order, as retrieved).
    pub rescore: bool,
    /// Whether bare function words are dropped from queries.
    pub stopwords: bool,
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalisation.
    pub b: f32,
    /// Articles the relevance model is built from (0: no feedback).
    pub feedback_docs: usize,
    /// Terms the relevance model adds.
    pub feedback_terms: usize,
    /// Share of the weight kept by the query's own words (RM3's λ).
    pub feedback_weight: f32,
    /// Share of an article's score given to its best passage.
    pub passage_weight: f32,
}

/// Default BM25 `k1` (tantivy's).
pub const DEFAULT_K1: f32 = 1.2;
/// Default BM25 `b` (tantivy's).
pub const DEFAULT_B: f32 = 0.75;
/// Default feedback articles (RM3's customary setting).
pub const DEFAULT_FEEDBACK_DOCS: usize = 10;
/// Default feedback terms (RM3's customary setting).
pub const DEFAULT_FEEDBACK_TERMS: usize = 10;
/// Default share of the query's own words (RM3's customary setting).
pub const DEFAULT_FEEDBACK_WEIGHT: f32 = 0.5;
/// Default share of the best passage in an article's score.
pub const DEFAULT_PASSAGE_WEIGHT: f32 = 0.5;

impl Default for Ranking {
    fn default() -> Ranking {
        Ranking {
            rescore: true,
            stopwords: true,
            k1: DEFAULT_K1,
            b: DEFAULT_B,
            feedback_docs: DEFAULT_FEEDBACK_DOCS,
            feedback_terms: DEFAULT_FEEDBACK_TERMS,
            feedback_weight: DEFAULT_FEEDBACK_WEIGHT,
            passage_weight: DEFAULT_PASSAGE_WEIGHT,
        }
    }
}

impl Ranking {
    /// Plain tantivy: BM25 order as retrieved, every query word kept.
    pub fn tantivy() -> Ranking {
        Ranking { rescore: false, stopwords: false, ..Ranking::default() }
    }

    /// Sets [`Ranking::rescore`].
    pub fn rescore(mut self, on: bool) -> Ranking {
        self.rescore = on;
        self
    }

    /// Sets [`Ranking::stopwords`].
    pub fn stopwords(mut self, on: bool) -> Ranking {
        self.stopwords = on;
        self
    }

    /// Sets BM25's `k1`.
    pub fn k1(mut self, k1: f32) -> Ranking {
        self.k1 = k1.max(0.0);
        self
    }

    /// Sets BM25's `b` (clamped to 0..=1).
    pub fn b(mut self, b: f32) -> Ranking {
        self.b = b.clamp(0.0, 1.0);
        self
    }

    /// Sets [`Ranking::feedback_docs`].
    pub fn feedback_docs(mut self, n: usize) -> Ranking {
        self.feedback_docs = n;
        self
    }

    /// Sets [`Ranking::feedback_terms`].
    pub fn feedback_terms(mut self, n: usize) -> Ranking {
        self.feedback_terms = n;
        self
    }

    /// Sets [`Ranking::feedback_weight`] (clamped to 0..=1).
    pub fn feedback_weight(mut self, w: f32) -> Ranking {
        self.feedback_weight = w.clamp(0.0, 1.0);
        self
    }

    /// Sets [`Ranking::passage_weight`] (clamped to 0..=1).
    pub fn passage_weight(mut self, w: f32) -> Ranking {
        self.passage_weight = w.clamp(0.0, 1.0);
        self
    }

    /// Whether feedback is on.
    pub fn has_feedback(&self) -> bool {
        self.feedback_docs > 0 && self.feedback_terms > 0 && self.feedback_weight < 1.0
    }
}

/// A unit of the query with its weight.
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    pub unit: Unit,
    pub weight: f32,
    /// Added by feedback, not typed by the user.
    pub is_expansion: bool,
}

/// One (unit, field) score of one article, for `--explain`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part {
    pub unit: usize,
    pub field: Field,
    pub score: f32,
}

/// BM25 over the weighted units, with corpus statistics from the index.
pub(crate) struct Scorer<'a> {
    searcher: &'a tantivy::Searcher,
    units: &'a [Weighted],
    k1: f32,
    b: f32,
    /// Per unit, per field (as in `unit.fields`): weight × boost × idf.
    factors: Vec<Vec<f32>>,
    avg_len: HashMap<Field, f32>,
    at: std::path::PathBuf,
}

impl<'a> Scorer<'a> {
    pub fn new(
        searcher: &'a tantivy::Searcher,
        units: &'a [Weighted],
        ranking: &Ranking,
        at: std::path::PathBuf,
    ) -> crate::Result<Scorer<'a>> {
        let num_docs: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let mut avg_len = HashMap::new();
        let mut factors = Vec::with_capacity(units.len());
        for w in units {
            let mut per_field = Vec::with_capacity(w.unit.fields.len());
            for &(field, boost) in &w.unit.fields {
                if let std::collections::hash_map::Entry::Vacant(e) = avg_len.entry(field) {
                    let mut tokens = 0u64;
                    for segment in searcher.segment_readers() {
                        tokens += segment.inverted_index(field).map_err(|e| index_error(&at, e))?.total_num_tokens();
                    }
                    // tantivy's average: all tokens over all documents, even those without the field.
                    let avg = if num_docs == 0 { 0.0 } else { tokens as f32 / num_docs as f32 };
                    e.insert(if avg > 0.0 { avg } else { 1.0 });
                }
                let mut idf = 0.0;
                for term in &w.unit.terms {
                    let df = searcher.doc_freq(&Term::from_field_text(field, term)).map_err(|e| index_error(&at, e))?;
                    idf += bm25_idf(df, num_docs);
                }
                per_field.push(w.weight * boost * idf);
            }
            factors.push(per_field);
        }
        Ok(Scorer { searcher, units, k1: ranking.k1, b: ranking.b, factors, avg_len, at })
    }

    /// Scores `docs`; with `parts`, also returns each article's non-zero (unit, field) scores.
    pub fn score(&self, docs: &[DocAddress], parts: bool) -> crate::Result<Vec<(f32, Vec<Part>)>> {
        let mut out: Vec<(f32, Vec<Part>)> = vec![(0.0, Vec::new()); docs.len()];
        let mut by_segment: HashMap<u32, Vec<(DocId, usize)>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_segment.entry(d.segment_ord).or_default().push((d.doc_id, i));
        }
        let at = &self.at;
        let mut positions: Vec<Vec<u32>> = Vec::new();
        for (segment_ord, mut local) in by_segment {
            local.sort_unstable();
            let Some(segment) = self.searcher.segment_readers().get(segment_ord as usize) else { continue };
            for (u, w) in self.units.iter().enumerate() {
                for (f, &(field, _)) in w.unit.fields.iter().enumerate() {
                    let factor = self.factors[u][f];
                    if factor == 0.0 {
                        continue;
                    }
                    let index = segment.inverted_index(field).map_err(|e| index_error(at, e))?;
                    let option = if w.unit.terms.len() > 1 {
                        IndexRecordOption::WithFreqsAndPositions
                    } else {
                        IndexRecordOption::WithFreqs
                    };
                    let mut postings = Vec::with_capacity(w.unit.terms.len());
                    for term in &w.unit.terms {
                        match index
                            .read_postings(&Term::from_field_text(field, term), option)
                            .map_err(|e| index_error(at, e.into()))?
                        {
                            Some(p) => postings.push(p),
                            None => break,
                        }
                    }
                    if postings.len() < w.unit.terms.len() {
                        continue;
                    }
                    let norms = segment.get_fieldnorms_reader(field).map_err(|e| index_error(at, e))?;
                    let avg = self.avg_len.get(&field).copied().unwrap_or(1.0);
                    for &(doc, i) in &local {
                        if !postings.iter_mut().all(|p| seek_to(p, doc)) {
                            continue;
                        }
                        let tf = if postings.len() == 1 {
                            postings[0].term_freq() as f32
                        } else {
                            positions.resize_with(postings.len(), Vec::new);
                            for (p, pos) in postings.iter_mut().zip(positions.iter_mut()) {
                                p.positions(pos);
                            }
                            phrase_freq(&positions, w.unit.slop) as f32
                        };
                        if tf == 0.0 {
                            continue;
                        }
                        let len = norms.fieldnorm(doc) as f32;
                        let norm = self.k1 * (1.0 - self.b + self.b * len / avg);
                        let score = factor * tf * (self.k1 + 1.0) / (tf + norm);
                        out[i].0 += score;
                        if parts {
                            out[i].1.push(Part { unit: u, field, score });
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Moves `postings` to `doc` if it holds it; never seeks backwards (targets only grow, but a
/// list may already be past one).
fn seek_to(postings: &mut tantivy::postings::SegmentPostings, doc: DocId) -> bool {
    match postings.doc().cmp(&doc) {
        std::cmp::Ordering::Equal => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Less => postings.seek(doc) == doc,
    }
}

/// BM25's idf, as tantivy computes it.
pub(crate) fn bm25_idf(doc_freq: u64, num_docs: u64) -> f32 {
    let df = doc_freq.min(num_docs) as f32;
    (1.0 + (num_docs as f32 - df + 0.5) / (df + 0.5)).ln()
}

/// Occurrences of a phrase given each word's positions: word `i` must follow word `i − 1`
/// within `1 + slop` positions (greedy, so a slop query counts each start at most once).
fn phrase_freq(positions: &[Vec<u32>], slop: u32) -> u32 {
    let Some((first, rest)) = positions.split_first() else { return 0 };
    first
        .iter()
        .filter(|&&start| {
            let mut at = start;
            rest.iter().all(|next| match next.iter().find(|&&p| p > at && p <= at + 1 + slop) {
                Some(&p) => {
                    at = p;
                    true
                }
                None => false,
            })
        })
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_freq_counts_adjacent_occurrences_and_honours_slop() {
        let pos = vec![vec![0, 5, 9], vec![1, 7, 10]];
        assert_eq!(phrase_freq(&pos, 0), 2);
        assert_eq!(phrase_freq(&pos, 1), 3);
        assert_eq!(phrase_freq(&[vec![3]], 0), 1);
    }

    #[test]
    fn idf_matches_tantivy_and_falls_with_frequency() {
        assert!((bm25_idf(1, 10) - (1.0f32 + 9.5 / 1.5).ln()).abs() < 1e-6);
        assert!(bm25_idf(1, 100) > bm25_idf(50, 100));
        assert!(bm25_idf(100, 100) > 0.0);
    }

    #[test]
    fn setters_clamp_to_meaningful_ranges() {
        let r = Ranking::default().b(2.0).passage_weight(-1.0).feedback_weight(3.0);
        assert_eq!((r.b, r.passage_weight, r.feedback_weight), (1.0, 0.0, 1.0));
        assert!(!Ranking::default().feedback_docs(0).has_feedback());
    }
}
