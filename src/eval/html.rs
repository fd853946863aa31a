//! Article extraction from web pages, measured as the article-extraction benchmark does.
//!
//! A benchmark folder holds `ground-truth.json` (`{name: {"articleBody": "..."}}`) and
//! `pages/<name>.html`. Each page goes through the ingest stage's web-page reader
//! ([`crate::ingest::html`]); its body is compared with the hand-marked article text by
//! **shingles**: the texts are split into words (`\w+`), every run of four words is a
//! shingle, counted. Per page, true positives are shingles in both (by count), false
//! positives only in the extraction, false negatives only in the truth, each divided by the
//! page's total so that long pages weigh no more than short ones. Precision and recall are
//! then the sums over pages, `TP / (TP + FP)` and `TP / (TP + FN)`, and F1 their harmonic
//! mean.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::Error;

/// Words per shingle.
const SHINGLE: usize = 4;

/// The score of one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageScore {
    /// The page's name (file stem).
    pub name: String,
    /// Shares of true positives, false positives and false negatives (summing to 1, or all 0).
    pub tp: f64,
    /// See `tp`.
    pub fp: f64,
    /// See `tp`.
    pub fn_: f64,
}

/// The benchmark's figures over a folder of pages.
#[derive(Debug, Clone, Serialize)]
pub struct HtmlEvaluation {
    /// Pages scored.
    pub pages: usize,
    /// Precision over the pages.
    pub precision: f64,
    /// Recall over the pages.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Every page's shares, worst F1 first.
    pub per_page: Vec<PageScore>,
}

impl PageScore {
    /// The page's own F1.
    pub fn f1(&self) -> f64 {
        if self.tp == 0.0 { 0.0 } else { 2.0 * self.tp / (2.0 * self.tp + self.fp + self.fn_) }
    }
}

/// Scores the pages of a benchmark folder (see the module docs).
pub fn evaluate_html(dir: &Path) -> crate::Result<HtmlEvaluation> {
    let truth_path = dir.join("ground-truth.json");
    let text = std::fs::read_to_string(&truth_path).map_err(|e| Error::io(&truth_path, e))?;
    let truth: HashMap<String, serde_json::Value> = serde_json::from_str(&text).map_err(|e| Error::Input {
        path: truth_path.clone(),
        line: e.line(),
        message: e.to_string(),
    })?;
    let mut names: Vec<&String> = truth.keys().collect();
    names.sort();
    let mut per_page = Vec::new();
    for name in names {
        let page = dir.join("pages").join(format!("{name}.html"));
        let bytes = std::fs::read(&page).map_err(|e| Error::io(&page, e))?;
        let parsed = crate::ingest::html::read(&format!("{name}.html"), &bytes);
        let got = parsed.reports.first().map(|r| r.body.as_str()).unwrap_or("");
        let expected = truth.get(name).and_then(|t| t.get("articleBody")).and_then(|b| b.as_str()).unwrap_or("");
        let (tp, fp, fn_) = shingle_match(expected, got);
        per_page.push(PageScore { name: name.clone(), tp, fp, fn_ });
    }
    if per_page.is_empty() {
        return Err(Error::Layout { path: truth_path, message: "no pages in the ground truth".into() });
    }
    let (tp, fp, fn_) = per_page.iter().fold((0.0, 0.0, 0.0), |(a, b, c), p| (a + p.tp, b + p.fp, c + p.fn_));
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
    per_page.sort_by(|a, b| a.f1().total_cmp(&b.f1()).then_with(|| a.name.cmp(&b.name)));
    Ok(HtmlEvaluation { pages: per_page.len(), precision, recall, f1, per_page })
}

/// The shares of true positives, false positives and false negatives of `got` against
/// `expected`, by shingles of four words.
pub fn shingle_match(expected: &str, got: &str) -> (f64, f64, f64) {
    let (truth, pred) = (shingles(expected), shingles(got));
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (key, &t) in &truth {
        let p = pred.get(key).copied().unwrap_or(0);
        tp += t.min(p);
        fn_ += t.saturating_sub(p);
    }
    for (key, &p) in &pred {
        fp += p.saturating_sub(truth.get(key).copied().unwrap_or(0));
    }
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 { (0.0, 0.0, 0.0) } else { (tp as f64 / total, fp as f64 / total, fn_ as f64 / total) }
}

/// Four-word shingles with counts; a text of fewer words is one shingle.
fn shingles(text: &str) -> HashMap<String, usize> {
    let words: Vec<&str> = text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let mut out = HashMap::new();
    let n = words.len().saturating_sub(SHINGLE - 1).max(1);
    for i in 0..n {
        let end = (i + SHINGLE).min(words.len());
        let shingle = words.get(i..end).unwrap_or_default().join(" ");
        if !shingle.is_empty() {
            *out.entry(shingle).or_default() += 1;
        }
    }
    out
}

impl std::fmt::Display for HtmlEvaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "pages      {}", self.pages)?;
        writeln!(f, "precision  {:.3}", self.precision)?;
        writeln!(f, "recall     {:.3}", self.recall)?;
        writeln!(f, "F1         {:.3}", self.f1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_as_the_benchmark_counts_them() {
        assert_eq!(shingle_match("a b c d e", "a b c d e"), (1.0, 0.0, 0.0));
        // 2 shingles in the truth, 1 shared, 1 extra predicted.
        let (tp, fp, fn_) = shingle_match("a b c d e", "a b c d x");
        assert!((tp - 1.0 / 3.0).abs() < 1e-9 && (fp - 1.0 / 3.0).abs() < 1e-9 && (fn_ - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(shingle_match("", ""), (0.0, 0.0, 0.0));
        assert_eq!(shingle_match("one two", ""), (0.0, 0.0, 1.0));
    }

    #[test]
    fn a_benchmark_folder_is_scored() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir(dir.path().join("pages"))?;
        let body =
            "The ministers met in Geneva on Tuesday, their first talks in a year, and agreed to meet again soon.";
        std::fs::write(
            dir.path().join("pages/a.html"),
            format!("<html><body><nav><a href='/'>Home</a></nav><article><p>{body}</p></article></body></html>"),
        )?;
        std::fs::write(dir.path().join("ground-truth.json"), format!(r#"{{"a": {{"articleBody": "{body}"}}}}"#))?;
        let eval = evaluate_html(dir.path())?;
        assert_eq!(eval.pages, 1);
        assert!((eval.f1 - 1.0).abs() < 1e-9, "{eval}");
        Ok(())
    }
}
