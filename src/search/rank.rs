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
use tantivy::DocAddress;
use tantivy::schema::Field;

use super::bm25::{Scorer, Weighted};
use super::compile::{Lit, Unit};
use super::feedback;
use super::loaded::Run;
use super::passage::{PassageScoring, pooled_stats};

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

/// An article being ranked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub address: DocAddress,
    pub score: f32,
    pub retrieval: f32,
    pub document: Option<f32>,
    pub best_passage: Option<f32>,
}

impl Ranked {
    /// An article as tantivy retrieved it, not re-ranked.
    pub fn retrieved((score, address): (f32, DocAddress)) -> Ranked {
        Ranked { address, score, retrieval: score, document: None, best_passage: None }
    }
}

/// The re-ranker's answer.
pub(crate) struct Reranked {
    /// Every candidate, best first.
    pub ranked: Vec<Ranked>,
    /// The query's units with their weights (feedback terms included).
    pub weighted: Vec<Weighted>,
    /// How the passages of this search are scored.
    pub scoring: PassageScoring,
}

/// Re-ranks the candidates `top` (tantivy's order): feedback, document BM25, MaxP.
pub(crate) fn rerank(
    run: &mut Run,
    top: &[(f32, DocAddress)],
    units: Vec<Unit>,
    default_fields: &[(Field, f32)],
    ranking: &Ranking,
    stop_stems: &feedback::TermSet,
) -> crate::Result<Reranked> {
    let at = run.index.location();
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
            counted.push((score, run.term_counts(address)?));
        }
        let docs: Vec<(f32, &feedback::TermCounts)> = counted.iter().map(|(s, c)| (*s, c)).collect();
        let model = feedback::relevance_model(&docs, stop_stems, ranking.feedback_terms);
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

    let scorer = Scorer::new(&run.searcher, &weighted, (ranking.k1, ranking.b), at)?;
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
    let body = run.index.fields.body;
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
    let stats = pooled_stats(run, &head, (ranking.k1, ranking.b))?;
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
    Ok(Reranked { ranked, weighted, scoring })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_clamp_to_meaningful_ranges() {
        let r = Ranking::default().b(2.0).passage_weight(-1.0).feedback_weight(3.0);
        assert_eq!((r.b, r.passage_weight, r.feedback_weight), (1.0, 0.0, 1.0));
        assert!(!Ranking::default().feedback_docs(0).has_feedback());
    }
}
