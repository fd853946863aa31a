//! One ranking against a baseline over several test collections: the table a ranking default
//! is chosen by.
//!
//! A ranking change that helps one small collection often hurts another (the lesson of
//! tuning on 42 TIME queries). So a change is judged on every development collection at once:
//! per collection, each measure's baseline and candidate means with the paired
//! [`randomisation_test`] of their per-query difference; then the mean over collections and
//! how many collections the candidate wins and loses, significantly or not. The rule for a
//! default ([`Comparison::passes`]): it raises the mean nDCG@10 and MAP over the collections
//! and loses significantly on none of them, in either measure.
//!
//! A test collection is a folder with `docs/` (one report per file, the file stem the
//! document id), one `queries*.tsv` and one `qrels*.trec` ([`Collection::discover`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Evaluation;
use super::significance::{Paired, randomisation_test};
use crate::Error;

/// A test collection: documents, queries and relevance judgments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// Its name: the folder's, plus the queries file's middle part when it has one
    /// (`time/queries.dev.tsv` → `time.dev`).
    pub name: String,
    /// The folder of documents.
    pub docs: PathBuf,
    /// `qid<TAB>query` lines.
    pub queries: PathBuf,
    /// TREC qrels.
    pub qrels: PathBuf,
}

impl Collection {
    /// The collection at `path`, or, when `path` is not one, the collections in its
    /// subfolders (sorted by name). A folder is a collection when it holds `docs/`, exactly one
    /// `queries*.tsv` and exactly one `qrels*.trec`.
    ///
    /// An error when `path` cannot be read, when a folder has `docs/` but not one queries and
    /// one qrels file, or when no collection is found.
    pub fn discover(path: &Path) -> crate::Result<Vec<Collection>> {
        if let Some(one) = Collection::at(path)? {
            return Ok(vec![one]);
        }
        let mut found = Vec::new();
        let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
        let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        for dir in dirs {
            if let Some(c) = Collection::at(&dir)? {
                found.push(c);
            }
        }
        if found.is_empty() {
            return Err(Error::Layout {
                path: path.to_path_buf(),
                message: "no test collection here: expected docs/, queries*.tsv and qrels*.trec in it or in its \
                          subfolders"
                    .into(),
            });
        }
        Ok(found)
    }

    /// The collection in `dir` itself, if it is one.
    fn at(dir: &Path) -> crate::Result<Option<Collection>> {
        if !dir.join("docs").is_dir() {
            return Ok(None);
        }
        let mut queries = Vec::new();
        let mut qrels = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("queries") && name.ends_with(".tsv") {
                queries.push(name);
            } else if name.starts_with("qrels") && name.ends_with(".trec") {
                qrels.push(name);
            }
        }
        let (queries, qrels) = match (&queries[..], &qrels[..]) {
            ([q], [r]) => (q.clone(), r.clone()),
            _ => {
                return Err(Error::Layout {
                    path: dir.to_path_buf(),
                    message: format!(
                        "a test collection needs exactly one queries*.tsv and one qrels*.trec beside docs/; found \
                         {queries:?} and {qrels:?}"
                    ),
                });
            }
        };
        let folder = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
        let middle = queries.trim_start_matches("queries").trim_end_matches(".tsv").trim_matches('.');
        let name = if middle.is_empty() { folder } else { format!("{folder}.{middle}") };
        Ok(Some(Collection { name, docs: dir.join("docs"), queries: dir.join(queries), qrels: dir.join(qrels) }))
    }
}

/// One measure on one collection: both means and the paired test of their difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeasureComparison {
    /// The baseline's mean.
    pub baseline: f64,
    /// The candidate's mean.
    pub candidate: f64,
    /// The paired test of candidate − baseline, query by query.
    pub test: Paired,
}

impl MeasureComparison {
    fn new(baseline: &Evaluation, candidate: &Evaluation, measure: fn(&super::QueryScores) -> f64) -> Self {
        let b: Vec<f64> = baseline.queries.iter().map(measure).collect();
        let c: Vec<f64> = candidate.queries.iter().map(measure).collect();
        let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
        MeasureComparison { baseline: mean(&b), candidate: mean(&c), test: randomisation_test(&c, &b) }
    }

    /// candidate − baseline.
    pub fn difference(&self) -> f64 {
        self.candidate - self.baseline
    }
}

/// A candidate ranking against the baseline on one collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionComparison {
    /// The collection's name.
    pub name: String,
    /// Judged queries.
    pub num_queries: usize,
    /// nDCG@10.
    pub ndcg_at_10: MeasureComparison,
    /// MAP (AP@100).
    pub map: MeasureComparison,
    /// Recall@100.
    pub recall_at_100: MeasureComparison,
}

impl CollectionComparison {
    /// Compares two evaluations of the same queries (in the same order, as
    /// [`super::evaluate`] gives them for one qrels file).
    ///
    /// An error when they are not of the same queries.
    pub fn new(name: &str, baseline: &Evaluation, candidate: &Evaluation) -> crate::Result<CollectionComparison> {
        let same = baseline.queries.len() == candidate.queries.len()
            && baseline.queries.iter().zip(&candidate.queries).all(|(b, c)| b.qid == c.qid);
        if !same {
            return Err(Error::Layout {
                path: PathBuf::from(name),
                message: "the two evaluations are not of the same queries".into(),
            });
        }
        Ok(CollectionComparison {
            name: name.to_string(),
            num_queries: baseline.queries.len(),
            ndcg_at_10: MeasureComparison::new(baseline, candidate, |q| q.ndcg_at_10),
            map: MeasureComparison::new(baseline, candidate, |q| q.average_precision),
            recall_at_100: MeasureComparison::new(baseline, candidate, |q| q.recall_at_100),
        })
    }
}

/// One measure summed up over the collections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MeasureSummary {
    /// Mean over collections of the baseline's means.
    pub baseline: f64,
    /// Mean over collections of the candidate's means.
    pub candidate: f64,
    /// Collections where the candidate's mean is higher.
    pub num_wins: usize,
    /// Collections where it is lower.
    pub num_losses: usize,
    /// Collections where it is higher, significantly.
    pub num_significant_wins: usize,
    /// Collections where it is lower, significantly.
    pub num_significant_losses: usize,
}

impl MeasureSummary {
    fn new<'a>(measures: impl Iterator<Item = &'a MeasureComparison>) -> MeasureSummary {
        let mut s = MeasureSummary::default();
        let mut n = 0usize;
        for m in measures {
            n += 1;
            s.baseline += m.baseline;
            s.candidate += m.candidate;
            let d = m.difference();
            if d > 1e-12 {
                s.num_wins += 1;
                s.num_significant_wins += usize::from(m.test.is_significant());
            } else if d < -1e-12 {
                s.num_losses += 1;
                s.num_significant_losses += usize::from(m.test.is_significant());
            }
        }
        if n > 0 {
            s.baseline /= n as f64;
            s.candidate /= n as f64;
        }
        s
    }

    /// candidate − baseline.
    pub fn difference(&self) -> f64 {
        self.candidate - self.baseline
    }
}

/// A candidate ranking against a baseline over several collections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Per collection, in the order given.
    pub collections: Vec<CollectionComparison>,
    /// nDCG@10 over the collections.
    pub ndcg_at_10: MeasureSummary,
    /// MAP over the collections.
    pub map: MeasureSummary,
    /// Recall@100 over the collections.
    pub recall_at_100: MeasureSummary,
}

impl Comparison {
    /// Sums up per-collection comparisons.
    ///
    /// ```
    /// use attache::eval::{compare::{CollectionComparison, Comparison}, evaluate, Qrels, Run};
    /// let qrels = Qrels::parse("q 0 a 1\nr 0 b 1\n", "toy".as_ref())?;
    /// let ranked = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    /// let base = evaluate(&qrels, &Run::from([("q".into(), ranked(&["x", "a"])), ("r".into(), ranked(&["b"]))]));
    /// let mine = evaluate(&qrels, &Run::from([("q".into(), ranked(&["a"])), ("r".into(), ranked(&["b"]))]));
    /// let c = Comparison::new(vec![CollectionComparison::new("toy", &base, &mine)?]);
    /// assert_eq!((c.map.num_wins, c.map.num_losses), (1, 0));
    /// assert!(c.passes());
    /// # Ok::<(), attache::Error>(())
    /// ```
    pub fn new(collections: Vec<CollectionComparison>) -> Comparison {
        Comparison {
            ndcg_at_10: MeasureSummary::new(collections.iter().map(|c| &c.ndcg_at_10)),
            map: MeasureSummary::new(collections.iter().map(|c| &c.map)),
            recall_at_100: MeasureSummary::new(collections.iter().map(|c| &c.recall_at_100)),
            collections,
        }
    }

    /// The rule for turning a ranking feature on by default: over the collections it raises
    /// the mean nDCG@10 and the mean MAP, and it is significantly worse on none of them in
    /// either measure.
    pub fn passes(&self) -> bool {
        self.ndcg_at_10.difference() > 0.0
            && self.map.difference() > 0.0
            && self.ndcg_at_10.num_significant_losses == 0
            && self.map.num_significant_losses == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Qrels, Run, evaluate};

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// A toy run checked by hand. Two collections of two queries each, one relevant document
    /// per query.
    ///
    /// Collection `one`: the baseline finds `a` at rank 2 for q1 (AP 1/2, nDCG 1/log2(3) =
    /// 0.630930) and `b` at rank 1 for q2 (1, 1); the candidate finds both at rank 1. MAP
    /// 0.75 → 1.0 (+0.25), nDCG@10 0.815465 → 1.0. Two queries can never be significant: the
    /// four sign patterns of (+0.5, 0) put |mean| ≥ 0.25 in all four, p = 1.
    ///
    /// Collection `two`: the candidate loses q1's document (rank 1 → none): MAP 1.0 → 0.5.
    ///
    /// Means over the collections: MAP baseline (0.75 + 1.0) / 2 = 0.875, candidate
    /// (1.0 + 0.5) / 2 = 0.75; one win and one loss, neither significant; the rule fails on
    /// the mean.
    #[test]
    fn a_toy_comparison_matches_the_hand_computation() -> crate::Result<()> {
        let qrels = Qrels::parse("q1 0 a 1\nq2 0 b 1\n", Path::new("toy"))?;
        let run = |q1: &[&str], q2: &[&str]| Run::from([("q1".into(), ids(q1)), ("q2".into(), ids(q2))]);
        let one = CollectionComparison::new(
            "one",
            &evaluate(&qrels, &run(&["x", "a"], &["b"])),
            &evaluate(&qrels, &run(&["a"], &["b"])),
        )?;
        assert!((one.map.baseline - 0.75).abs() < 1e-12 && (one.map.candidate - 1.0).abs() < 1e-12);
        assert!((one.ndcg_at_10.baseline - (1.0 + 1.0 / 3f64.log2()) / 2.0).abs() < 1e-9);
        assert_eq!((one.map.test.num_better, one.map.test.num_worse), (1, 0));
        assert_eq!(one.map.test.p_value, 1.0);
        let two = CollectionComparison::new(
            "two",
            &evaluate(&qrels, &run(&["a"], &["b"])),
            &evaluate(&qrels, &run(&["x"], &["b"])),
        )?;
        assert!((two.map.difference() + 0.5).abs() < 1e-12);
        let all = Comparison::new(vec![one, two]);
        assert!((all.map.baseline - 0.875).abs() < 1e-12 && (all.map.candidate - 0.75).abs() < 1e-12);
        assert_eq!((all.map.num_wins, all.map.num_losses, all.map.num_significant_losses), (1, 1, 0));
        assert!(!all.passes());
        Ok(())
    }

    /// A loss that is significant on one collection fails the rule even when the mean rises.
    #[test]
    fn a_significant_loss_fails_the_rule_despite_a_higher_mean() -> crate::Result<()> {
        let n = 12;
        let qrels_text: String = (0..n).map(|i| format!("q{i} 0 d{i} 1\n")).collect();
        let qrels = Qrels::parse(&qrels_text, Path::new("toy"))?;
        let all_found = Run::from_iter((0..n).map(|i| (format!("q{i}"), vec![format!("d{i}")])));
        let all_second = Run::from_iter((0..n).map(|i| (format!("q{i}"), vec!["x".to_string(), format!("d{i}")])));
        let none = Run::new();
        // Collection a: a small, consistent loss (every query 1.0 → 0.5 AP): significant.
        let a = CollectionComparison::new("a", &evaluate(&qrels, &all_found), &evaluate(&qrels, &all_second))?;
        assert!(a.map.test.is_significant() && a.map.difference() < 0.0);
        // Collection b: a large gain (0 → 1).
        let b = CollectionComparison::new("b", &evaluate(&qrels, &none), &evaluate(&qrels, &all_found))?;
        let c = Comparison::new(vec![a, b]);
        assert!(c.map.difference() > 0.0 && c.ndcg_at_10.difference() > 0.0);
        assert_eq!(c.map.num_significant_losses, 1);
        assert!(!c.passes());
        Ok(())
    }

    #[test]
    fn collections_are_found_in_a_folder_or_as_the_folder() -> crate::Result<()> {
        let root = tempfile::tempdir().map_err(|e| Error::io(Path::new("tmp"), e))?;
        let make = |dir: &Path, queries: &str, qrels: &str| -> std::io::Result<()> {
            std::fs::create_dir_all(dir.join("docs"))?;
            std::fs::write(dir.join(queries), "1\tq\n")?;
            std::fs::write(dir.join(qrels), "1 0 a 1\n")
        };
        let io = |e| Error::io(root.path(), e);
        make(&root.path().join("med"), "queries.tsv", "qrels.trec").map_err(io)?;
        make(&root.path().join("time"), "queries.dev.tsv", "qrels.dev.trec").map_err(io)?;
        std::fs::create_dir_all(root.path().join("notes")).map_err(io)?;
        let found = Collection::discover(root.path())?;
        assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["med", "time.dev"]);
        assert_eq!(Collection::discover(&root.path().join("med"))?.len(), 1);
        assert!(Collection::discover(&root.path().join("notes")).is_err());
        std::fs::write(root.path().join("med/queries.extra.tsv"), "").map_err(io)?;
        let err = Collection::discover(root.path()).unwrap_err().to_string();
        assert!(err.contains("exactly one queries*.tsv"), "{err}");
        Ok(())
    }
}
