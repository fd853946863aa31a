//! Relevance evaluation: scoring a ranked run against TREC relevance judgments.
//!
//! Measures, per query and as the mean over the judged queries:
//! - **nDCG@10**: graded gain (the judgment's relevance level), discount `log2(rank + 1)`,
//!   normalised by the ideal ordering of all the query's judged documents;
//! - **AP@100** (its mean is MAP): the precision at each relevant document found in the top
//!   100, summed and divided by the query's number of relevant documents;
//! - **Recall@100**: relevant documents in the top 100 over all relevant documents.
//!
//! A query counts when it has at least one relevant judgment (rel > 0); a judged query the
//! run has no answer for scores zero, as trec_eval's `-c` does. Judgments come as TREC qrels
//! lines `qid 0 docid rel`; queries as `qid<TAB>query` lines. [`run`] searches every query
//! with a [`Searcher`] and names each hit by its file stem ([`docid`]: `docs/017.txt` → `017`).
//!
//! Plain-language query sets are written for engines without a query syntax, so [`plain_query`]
//! lower-cases them and turns punctuation into spaces before they are searched: `U.S.` must not
//! fail, and `AND`/`OR`/`NOT` in a sentence are words, not operators.
//!
//! [`compare`] puts two rankings side by side over several collections, and [`significance`]
//! says whether a difference is more than chance: the table a ranking default is chosen by.
//!
//! This module reads the files it is given and never prints; the CLI's `attache eval trec`
//! and `attache eval ir` render [`Evaluation`] and [`compare::Comparison`].

pub mod compare;
pub mod html;
pub mod significance;
pub mod stories;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::search::Ranking;
use crate::{Error, SearchRequest, Searcher};

/// Rank cut-off of nDCG.
pub const NDCG_DEPTH: usize = 10;
/// Rank cut-off of average precision and recall.
pub const DEPTH: usize = 100;

/// Relevance judgments: query id → document id → relevance level (> 0 is relevant).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qrels {
    judgments: BTreeMap<String, HashMap<String, u32>>,
}

impl Qrels {
    /// Parses TREC qrels text (`qid iteration docid rel`, white-space separated); `path`
    /// names the source in errors.
    ///
    /// ```
    /// let qrels = attache::eval::Qrels::parse("1 0 017 1\n1 0 020 0\n", "q.trec".as_ref())?;
    /// assert_eq!(qrels.num_relevant("1"), 1);
    /// # Ok::<(), attache::Error>(())
    /// ```
    pub fn parse(text: &str, path: &Path) -> crate::Result<Qrels> {
        let mut judgments: BTreeMap<String, HashMap<String, u32>> = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields[..] {
                [] => continue,
                [qid, _, docid, rel] => {
                    let rel: i64 = rel.parse().map_err(|_| Error::Input {
                        path: path.to_path_buf(),
                        line: i + 1,
                        message: format!("relevance {rel:?} is not a whole number"),
                    })?;
                    judgments.entry(qid.to_string()).or_default().insert(docid.to_string(), rel.max(0) as u32);
                }
                _ => {
                    return Err(Error::Input {
                        path: path.to_path_buf(),
                        line: i + 1,
                        message: "expected four columns: qid iteration docid relevance".into(),
                    });
                }
            }
        }
        Ok(Qrels { judgments })
    }

    /// Reads a qrels file.
    pub fn read(path: &Path) -> crate::Result<Qrels> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Qrels::parse(&text, path)
    }

    /// Relevant documents of a query.
    pub fn num_relevant(&self, qid: &str) -> usize {
        self.judgments.get(qid).map_or(0, |j| j.values().filter(|&&r| r > 0).count())
    }

    /// Ids of the queries with at least one relevant document, in order.
    pub fn judged_queries(&self) -> impl Iterator<Item = &str> {
        self.judgments.iter().filter(|(_, j)| j.values().any(|&r| r > 0)).map(|(q, _)| q.as_str())
    }

    fn relevance(&self, qid: &str, docid: &str) -> u32 {
        self.judgments.get(qid).and_then(|j| j.get(docid)).copied().unwrap_or(0)
    }
}

/// A run: query id → document ids, best first.
pub type Run = BTreeMap<String, Vec<String>>;

/// The figures of one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryScores {
    /// Query id.
    pub qid: String,
    /// nDCG at rank 10.
    pub ndcg_at_10: f64,
    /// Average precision over the top 100.
    pub average_precision: f64,
    /// Recall at rank 100.
    pub recall_at_100: f64,
    /// Relevant documents judged for the query.
    pub num_relevant: usize,
    /// Documents the run returned for it.
    pub num_retrieved: usize,
}

/// Per-query figures and their means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// One entry per judged query, in qrels order.
    pub queries: Vec<QueryScores>,
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean average precision (AP@100).
    pub map: f64,
    /// Mean Recall@100.
    pub recall_at_100: f64,
}

/// Scores `run` against `qrels`, over every judged query.
///
/// ```
/// use attache::eval::{evaluate, Qrels, Run};
/// let qrels = Qrels::parse("q 0 a 1\nq 0 b 1\n", "q.trec".as_ref())?;
/// let run = Run::from([("q".to_string(), vec!["a".to_string(), "x".to_string(), "b".to_string()])]);
/// let e = evaluate(&qrels, &run);
/// assert!((e.map - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
/// # Ok::<(), attache::Error>(())
/// ```
pub fn evaluate(qrels: &Qrels, run: &Run) -> Evaluation {
    let mut queries = Vec::new();
    for qid in qrels.judged_queries() {
        let ranked: &[String] = run.get(qid).map_or(&[], Vec::as_slice);
        let num_relevant = qrels.num_relevant(qid);
        let rel = |d: &String| qrels.relevance(qid, d);
        let gains: Vec<u32> = ranked.iter().take(DEPTH).map(rel).collect();
        let mut ideal: Vec<u32> = qrels.judgments.get(qid).map(|j| j.values().copied().collect()).unwrap_or_default();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        queries.push(QueryScores {
            qid: qid.to_string(),
            ndcg_at_10: ndcg(&gains, &ideal, NDCG_DEPTH),
            average_precision: average_precision(&gains, num_relevant),
            recall_at_100: gains.iter().filter(|&&g| g > 0).count() as f64 / num_relevant.max(1) as f64,
            num_relevant,
            num_retrieved: ranked.len(),
        });
    }
    let mean = |f: fn(&QueryScores) -> f64| {
        if queries.is_empty() { 0.0 } else { queries.iter().map(f).sum::<f64>() / queries.len() as f64 }
    };
    Evaluation {
        ndcg_at_10: mean(|q| q.ndcg_at_10),
        map: mean(|q| q.average_precision),
        recall_at_100: mean(|q| q.recall_at_100),
        queries,
    }
}

fn dcg(gains: &[u32], depth: usize) -> f64 {
    gains.iter().take(depth).enumerate().map(|(i, &g)| f64::from(g) / ((i + 2) as f64).log2()).sum()
}

/// nDCG at `depth` of `gains` (in ranked order) against the `ideal` gains (sorted, best first).
fn ndcg(gains: &[u32], ideal: &[u32], depth: usize) -> f64 {
    let best = dcg(ideal, depth);
    if best == 0.0 { 0.0 } else { dcg(gains, depth) / best }
}

/// Average precision of `gains` (ranked, already cut at the depth) for `num_relevant`.
fn average_precision(gains: &[u32], num_relevant: usize) -> f64 {
    if num_relevant == 0 {
        return 0.0;
    }
    let mut found = 0usize;
    let mut sum = 0.0;
    for (i, &g) in gains.iter().enumerate() {
        if g > 0 {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    sum / num_relevant as f64
}

/// Reads `qid<TAB>query` lines (a line without a tab is its own query, numbered by line).
pub fn read_queries(path: &Path) -> crate::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    Ok(parse_queries(&text))
}

/// Parses `qid<TAB>query` lines; blank lines are skipped.
pub fn parse_queries(text: &str) -> Vec<(String, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| match line.split_once('\t') {
            Some((qid, query)) => (qid.trim().to_string(), query.to_string()),
            None => ((i + 1).to_string(), line.to_string()),
        })
        .collect()
}

/// A plain-language query as attache searches it: lower case, every character that is not a
/// letter or digit turned into a space, runs of spaces collapsed.
///
/// ```
/// assert_eq!(attache::eval::plain_query("U.S. AID (TO) \"LAOS\""), "u s aid to laos");
/// ```
pub fn plain_query(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    spaced.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The document id of a hit: the file stem of its path (`docs/017.txt` → `017`).
pub fn docid(path: &str) -> String {
    let path = path.split('#').next().unwrap_or(path);
    Path::new(path).file_stem().map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
}

/// Searches every query (made plain with [`plain_query`]) and returns the top [`DEPTH`]
/// document ids of each. A query with nothing left to search returns no documents.
pub fn run(searcher: &Searcher, queries: &[(String, String)], ranking: Ranking) -> crate::Result<Run> {
    let mut out = Run::new();
    for (qid, query) in queries {
        let plain = plain_query(query);
        let docs = if plain.is_empty() {
            Vec::new()
        } else {
            let request = SearchRequest::new(plain).limit(DEPTH).passages(0).ranking(ranking);
            searcher.search(&request)?.hits.iter().map(|h| docid(&h.path)).collect()
        };
        out.insert(qid.clone(), docs);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// Hand-checked toy example. Query `a` has relevant d1, d3, d5 (rel 1) and d9 (rel 2,
    /// never retrieved); the run ranks d1 x d3 y d5.
    ///
    /// - DCG@10 = 1/log2(2) + 1/log2(4) + 1/log2(6) = 1 + 0.5 + 0.386853 = 1.886853
    /// - ideal gains 2,1,1,1: 2 + 1/log2(3) + 1/log2(4) + 1/log2(5) = 2 + 0.630930 + 0.5
    ///   + 0.430677 = 3.561606; nDCG@10 = 0.529776
    /// - AP = (1/1 + 2/3 + 3/5) / 4 = 0.566667; Recall@100 = 3/4
    ///
    /// Query `b` (relevant e1) is not in the run: all zeros. Query `c` has only a rel-0
    /// judgment and is not evaluated.
    #[test]
    fn figures_match_a_hand_checked_example() -> crate::Result<()> {
        let qrels = Qrels::parse(
            "a 0 d1 1\na 0 d3 1\na 0 d5 1\na 0 d9 2\na 0 x 0\nb 0 e1 1\nc 0 z 0\n",
            Path::new("toy.qrels"),
        )?;
        let run = Run::from([("a".into(), ids(&["d1", "x", "d3", "y", "d5"])), ("c".into(), ids(&["z"]))]);
        let e = evaluate(&qrels, &run);
        assert_eq!(e.queries.iter().map(|q| q.qid.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        let a = &e.queries[0];
        assert!((a.ndcg_at_10 - 0.529776).abs() < 1e-5, "{}", a.ndcg_at_10);
        assert!((a.average_precision - 0.566667).abs() < 1e-5);
        assert!((a.recall_at_100 - 0.75).abs() < 1e-9);
        assert_eq!((a.num_relevant, a.num_retrieved), (4, 5));
        assert_eq!(e.queries[1].ndcg_at_10, 0.0);
        assert!((e.map - 0.566667 / 2.0).abs() < 1e-5);
        assert!((e.recall_at_100 - 0.375).abs() < 1e-9);
        Ok(())
    }

    #[test]
    fn a_perfect_run_scores_one() -> crate::Result<()> {
        let qrels = Qrels::parse("q 0 a 1\nq 0 b 1\n", Path::new("q"))?;
        let e = evaluate(&qrels, &Run::from([("q".into(), ids(&["b", "a"]))]));
        assert_eq!((e.ndcg_at_10, e.map, e.recall_at_100), (1.0, 1.0, 1.0));
        Ok(())
    }

    #[test]
    fn only_the_top_ten_count_for_ndcg_and_top_hundred_for_ap() -> crate::Result<()> {
        let qrels = Qrels::parse("q 0 r 1\n", Path::new("q"))?;
        let mut ranked: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        ranked.push("r".into());
        let e = evaluate(&qrels, &Run::from([("q".into(), ranked.clone())]));
        assert_eq!(e.ndcg_at_10, 0.0);
        assert!((e.map - 1.0 / 11.0).abs() < 1e-9);
        let mut deep: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
        deep.push("r".into());
        let e = evaluate(&qrels, &Run::from([("q".into(), deep)]));
        assert_eq!((e.map, e.recall_at_100), (0.0, 0.0));
        Ok(())
    }

    #[test]
    fn malformed_qrels_name_the_line() {
        let err = Qrels::parse("1 0 a 1\n1 0 b\n", Path::new("x.qrels")).unwrap_err();
        assert_eq!(err.to_string(), "x.qrels:2: expected four columns: qid iteration docid relevance");
        let err = Qrels::parse("1 0 a yes\n", Path::new("x.qrels")).unwrap_err();
        assert!(err.to_string().starts_with("x.qrels:1: relevance"), "{err}");
    }

    #[test]
    fn plain_queries_lose_case_and_punctuation() {
        assert_eq!(plain_query("NATO's (\"NUCLEAR\") FLEET -- AND/OR?"), "nato s nuclear fleet and or");
        assert_eq!(plain_query("..."), "");
    }

    #[test]
    fn docids_are_file_stems() {
        assert_eq!(docid("docs/017.txt"), "017");
        assert_eq!(docid("017.txt"), "017");
        assert_eq!(docid("a/b.jsonl#3"), "b");
    }

    #[test]
    fn queries_without_a_tab_are_numbered_by_line() {
        assert_eq!(
            parse_queries("7\tiran talks\n\nputin\n"),
            [("7".to_string(), "iran talks".to_string()), ("3".to_string(), "putin".to_string())]
        );
    }
}
