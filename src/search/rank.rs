//! Ranking: how the articles tantivy retrieves are re-ranked, and the [`Ranking`] knobs.
//!
//! tantivy's BM25 (k1 = 1.2, b = 0.75, fixed) over title, body, leaders and topics retrieves
//! the top [`CANDIDATE_DEPTH`] articles and enforces the query's boolean structure (filters,
//! exclusions, `AND`). The re-ranker then scores those candidates itself with statistics read
//! from the index (document frequencies, field lengths, postings with positions; see
//! `bm25`), and mixes in each top article's best passage.
//!
//! # How the default was chosen
//!
//! Every feature was measured with `attache eval ir` over the four development collections
//! (TIME dev, CRAN, MED, CISI: 373 queries), against the default without that feature, and
//! is on only if it raises the mean nDCG@10 and MAP over the collections and is significantly
//! worse (paired randomisation test, p < 0.05) on none of them in either measure. Tuning on
//! one collection is what made the previous default (with feedback) fall below plain BM25 on
//! queries kept aside. Removing each feature from the default (nDCG@10 / MAP, mean over the
//! collections; `*`: a collection significantly worse):
//!
//! | without | nDCG@10 | MAP | significantly worse on |
//! |---|---|---|---|
//! | function words dropped ([`super::stopword`]) | −0.0068 | −0.0085 | CISI, CRAN, MED (MAP) |
//! | BM25F over title and body ([`Ranking::bm25f`]) | −0.0138 | −0.0111 | CISI, CRAN (MAP) |
//! | repeated query words counted, k3 = 8 ([`Ranking::k3`]; k3 = 0) | −0.0104 | −0.0066 | CISI |
//! | k1 = 3.0 (tantivy's 1.2) | −0.0104 | −0.0147 | CISI, CRAN, MED (MAP) |
//! | passage interpolation, λ = 0.5 ([`Ranking::passage_weight`] = 0) | −0.0066 | −0.0087 | – |
//!
//! And adding what failed the rule, so it stays available but off:
//!
//! | with | nDCG@10 | MAP | significantly worse on |
//! |---|---|---|---|
//! | RM3 feedback, 10 articles, 10 terms, 0.5 ([`Ranking::feedback_docs`] = 10) | −0.0108 | +0.0082 | CISI (nDCG) |
//! | repeated words counted linearly (k3 = 1000) | +0.0001 | +0.0003 | MED (MAP) |
//! | leader and topic fields only for words that name one ([`TagFields::Named`]) | −0.0022 | −0.0022 | – |
//! | term-pair proximity in the body, weight 0.25 ([`Ranking::proximity`]) | −0.0002 | −0.0039 | CISI (MAP) |
//!
//! - **k1 and b** were chosen across the four collections at once, on a grid of k1 1.2–4 and
//!   b 0.6–0.9: the mean gains over k1 = 1.2 all along the plateau k1 2.5–4, with no
//!   collection significantly worse, and 3.0 is its middle; b between 0.6 and 0.9 measures
//!   alike, so the customary 0.75 stays.
//! - **k3** (Robertson et al.'s saturation of query term frequency): a verbose query repeats
//!   its subject, which counts (CISI +0.07 nDCG@10), but counting every repetition fully
//!   loses significantly on MED; 8 sits in the range Okapi's TREC runs used.
//! - **Feedback** was the largest dev gain on TIME alone and did not hold on queries kept
//!   aside; across collections it costs nDCG@10 (CISI −0.05) while raising MAP: it helps
//!   recall deep in the ranking and hurts the first page.
//! - **Passages (MaxP)**: the first [`PASSAGE_DEPTH`] articles by document score are split
//!   into passages, each scored with BM25 on the user's own words (weighed as in the document
//!   score); an article's final score is `(1 − λ)·document + λ·best passage`. This is the
//!   proximity evidence that holds: an explicit term-pair feature does not add to it.
//!
//! Against plain BM25 (`--ranking tantivy`) the default gains on all four collections,
//! significantly on each (see the README's relevance table).
//!
//! # The scores
//!
//! Document scores are BM25 with the ranking's own `k1` and `b`; title and body form one
//! BM25F document (each field's frequency normalised by its own length and weighed by its
//! boost in `fields.toml`, summed before saturation), leader and topic fields add their own
//! BM25 scores times their boosts, and a phrase is scored on its occurrences with the sum of
//! its words' idf. With BM25F off, k1 = 1.2, λ = 0 and no feedback, the re-ranker reproduces
//! tantivy's scores. Articles below the passage depth keep their document order after the
//! re-ranked head, so the top of a ranking never depends on how many hits were asked for.
//!
//! Queries with a positive prefix (`sanction*`) or fuzzy (`zelenski~1`) clause keep tantivy's
//! ranking: their expansions are tantivy's to score. So do queries made only of filters.
//! [`Ranking::tantivy`] turns the re-ranker off (the baseline of `attache eval ir`).

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
#[serde(default)]
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
    /// How much a word the query repeats weighs (BM25's k3): a word said `n` times weighs
    /// `(k3 + 1)·n / (k3 + n)` — 0 counts it once, a large k3 counts every repetition.
    pub k3: f32,
    /// When bare words also search the leader and topic fields.
    pub tag_fields: TagFields,
    /// Whether title and body are scored as one BM25F document rather than summed.
    pub bm25f: bool,
    /// Weight of query words found near each other in the body (0: off).
    pub proximity: f32,
}

/// When bare query words also search the leader and topic fields (`fields.toml`'s
/// `default_search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagFields {
    /// Every bare word.
    #[default]
    Always,
    /// A bare word or phrase only when it names a known leader or topic (`putin`, `iran`).
    Named,
    /// Never: bare words search the text fields only.
    Never,
}

/// tantivy's BM25 `k1`, fixed in its scorer: the first pass ranks with it.
pub const TANTIVY_K1: f32 = 1.2;
/// tantivy's BM25 `b`.
pub const TANTIVY_B: f32 = 0.75;
/// Default BM25 `k1`: the middle of the plateau (2.5 to 4) where every development
/// collection gains over tantivy's 1.2 (see the module docs).
pub const DEFAULT_K1: f32 = 3.0;
/// Default BM25 `b` (the customary 0.75; 0.6 to 0.9 measure alike).
pub const DEFAULT_B: f32 = 0.75;
/// Default BM25 `k3`, the saturation of repeated query words (see [`Ranking::k3`]).
pub const DEFAULT_K3: f32 = 8.0;
/// Default feedback articles: none, feedback is off (it fails the rule; see the module
/// docs). `feedback_docs(10)` turns on RM3 with its customary settings.
pub const DEFAULT_FEEDBACK_DOCS: usize = 0;
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
            k3: DEFAULT_K3,
            tag_fields: TagFields::Always,
            bm25f: true,
            proximity: 0.0,
        }
    }
}

impl std::str::FromStr for Ranking {
    type Err = crate::Error;

    /// A ranking from its description: an optional preset (`attache`, the default, or
    /// `tantivy`) and then `name=value` settings, separated by commas or spaces.
    ///
    /// ```
    /// use attache::search::Ranking;
    /// let r: Ranking = "attache, feedback-docs=0 passage-weight=0.3".parse()?;
    /// assert_eq!(r, Ranking::default().feedback_docs(0).passage_weight(0.3));
    /// assert_eq!("tantivy".parse::<Ranking>()?, Ranking::tantivy());
    /// assert!("attache,k1=fast".parse::<Ranking>().is_err());
    /// # Ok::<(), attache::Error>(())
    /// ```
    fn from_str(text: &str) -> crate::Result<Ranking> {
        let bad = |message: String| crate::Error::Ranking { text: text.to_string(), message };
        let mut r = Ranking::default();
        for (i, part) in text.split([',', ' ']).filter(|p| !p.is_empty()).enumerate() {
            let Some((name, value)) = part.split_once('=') else {
                match (i, part) {
                    (0, "attache") => r = Ranking::default(),
                    (0, "tantivy") => r = Ranking::tantivy(),
                    _ => return Err(bad(format!("{part:?} is neither a preset (attache, tantivy) nor name=value"))),
                }
                continue;
            };
            let name = name.replace('_', "-");
            let float = || value.parse::<f32>().map_err(|_| bad(format!("{name}: {value:?} is not a number")));
            let count = || value.parse::<usize>().map_err(|_| bad(format!("{name}: {value:?} is not a count")));
            let flag = || value.parse::<bool>().map_err(|_| bad(format!("{name}: {value:?} is not true or false")));
            r = match name.as_str() {
                "rescore" => r.rescore(flag()?),
                "stopwords" => r.stopwords(flag()?),
                "k1" => r.k1(float()?),
                "b" => r.b(float()?),
                "feedback-docs" => r.feedback_docs(count()?),
                "feedback-terms" => r.feedback_terms(count()?),
                "feedback-weight" => r.feedback_weight(float()?),
                "passage-weight" => r.passage_weight(float()?),
                "k3" => r.k3(float()?),
                "bm25f" => r.bm25f(flag()?),
                "proximity" => r.proximity(float()?),
                "tag-fields" => r.tag_fields(match value {
                    "always" => TagFields::Always,
                    "named" => TagFields::Named,
                    "never" => TagFields::Never,
                    _ => return Err(bad(format!("tag-fields: {value:?} is not always, named or never"))),
                }),
                _ => return Err(bad(format!("no setting called {name:?}"))),
            };
        }
        Ok(r)
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

    /// Sets [`Ranking::k3`] (at least 0).
    pub fn k3(mut self, k3: f32) -> Ranking {
        self.k3 = k3.max(0.0);
        self
    }

    /// Sets [`Ranking::tag_fields`].
    pub fn tag_fields(mut self, when: TagFields) -> Ranking {
        self.tag_fields = when;
        self
    }

    /// Sets [`Ranking::bm25f`].
    pub fn bm25f(mut self, on: bool) -> Ranking {
        self.bm25f = on;
        self
    }

    /// Sets [`Ranking::proximity`] (at least 0).
    pub fn proximity(mut self, weight: f32) -> Ranking {
        self.proximity = weight.max(0.0);
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
    // The user's words share the weight; a repeated word weighs more, saturating with k3.
    let mut weighted: Vec<Weighted> = Vec::new();
    for unit in units {
        match weighted.iter_mut().find(|w| w.unit == unit) {
            Some(w) => w.weight += 1.0,
            None => weighted.push(Weighted { unit, weight: 1.0, is_expansion: false }),
        }
    }
    let k3 = ranking.k3;
    for w in &mut weighted {
        w.weight = (k3 + 1.0) * w.weight / (k3 + w.weight);
    }
    let total: f32 = weighted.iter().map(|w| w.weight).sum();
    for w in &mut weighted {
        w.weight /= total;
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

    let text_fields = [run.index.fields.title, run.index.fields.body];
    let bm25f = if ranking.bm25f { &text_fields[..] } else { &[] };
    let scorer = Scorer::new(&run.searcher, &weighted, (ranking.k1, ranking.b), bm25f, at)?;
    let addresses: Vec<DocAddress> = top.iter().map(|t| t.1).collect();
    let mut scores = scorer.score(&addresses, false)?;
    if ranking.proximity > 0.0 {
        let near = scorer.proximity(&addresses, run.index.fields.body)?;
        for (s, n) in scores.iter_mut().zip(near) {
            s.0 += ranking.proximity * n;
        }
    }
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
