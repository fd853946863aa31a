//! Story evaluation: the stories the indexer decides against gold clusters.
//!
//! A gold file is `doc<TAB>cluster` lines (a first line `id<TAB>cluster` is a header); a
//! document is named by the part of attache's id after `#` (a JSON/JSONL record's id) or its
//! file stem. [`run`] indexes one or more sets in memory, in the order given and each set's
//! files in path order, so every report's story is decided incrementally as `attache index`
//! decides it; [`score`] compares the stories with the gold clusters:
//!
//! - **B-cubed**: for each document, the share of its story that is in its gold cluster
//!   (precision) and the share of its gold cluster that is in its story (recall), averaged
//!   over the documents; F1 of the two means.
//! - **Pairwise**: over the pairs of documents in one story (precision) or one gold cluster
//!   (recall).
//!
//! Only documents named in a gold file count; a story is restricted to them. Sets indexed
//! together (event clusters mixed with other sets as distractors) are scored each on its own
//! and all together, their cluster names kept apart.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::schema::Value;

use crate::{Error, Index, IndexSchema, StoryOptions};

/// Gold clusters: document → cluster.
pub type Gold = HashMap<String, String>;

/// Parses a gold file's text; `path` names it in errors.
///
/// ```
/// let gold = attache::eval::stories::parse_gold("id\tcluster\na\t1\nb\t1\n", "c.tsv".as_ref())?;
/// assert_eq!(gold.len(), 2);
/// # Ok::<(), attache::Error>(())
/// ```
pub fn parse_gold(text: &str, path: &Path) -> crate::Result<Gold> {
    let mut gold = Gold::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || (i == 0 && line.starts_with("id\t")) {
            continue;
        }
        let Some((doc, cluster)) = line.split_once('\t') else {
            return Err(Error::Input {
                path: path.to_path_buf(),
                line: i + 1,
                message: "expected `doc<TAB>cluster`".into(),
            });
        };
        gold.insert(doc.trim().to_string(), cluster.trim().to_string());
    }
    Ok(gold)
}

/// How well stories match gold clusters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StoryScores {
    /// Documents scored.
    pub num_docs: usize,
    /// Gold clusters among them.
    pub num_clusters: usize,
    /// Stories among them.
    pub num_stories: usize,
    /// B-cubed precision.
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Pairwise precision.
    pub pairwise_precision: f64,
    /// Pairwise recall.
    pub pairwise_recall: f64,
    /// Pairwise F1.
    pub pairwise_f1: f64,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
}

/// Scores `stories` (document → story) against `gold`; a gold document without a story is a
/// story of its own.
///
/// ```
/// use std::collections::HashMap;
/// let gold: HashMap<String, String> = [("a", "x"), ("b", "x"), ("c", "y")].map(|(d, c)| (d.into(), c.into())).into();
/// let stories: HashMap<String, String> = [("a", "1"), ("b", "2"), ("c", "2")].map(|(d, s)| (d.into(), s.into())).into();
/// let s = attache::eval::stories::score(&gold, &stories);
/// assert!((s.bcubed_precision - 2.0 / 3.0).abs() < 1e-9);
/// assert!((s.bcubed_recall - 2.0 / 3.0).abs() < 1e-9);
/// assert_eq!((s.pairwise_precision, s.pairwise_recall), (0.0, 0.0));
/// ```
pub fn score(gold: &Gold, stories: &HashMap<String, String>) -> StoryScores {
    let story_of = |doc: &String| stories.get(doc).cloned().unwrap_or_else(|| format!("\u{0}{doc}"));
    // (cluster, story) → documents, and each side's size.
    let mut both: HashMap<(&str, String), usize> = HashMap::new();
    let mut clusters: HashMap<&str, usize> = HashMap::new();
    let mut story_sizes: HashMap<String, usize> = HashMap::new();
    for (doc, cluster) in gold {
        let story = story_of(doc);
        *both.entry((cluster.as_str(), story.clone())).or_insert(0) += 1;
        *clusters.entry(cluster.as_str()).or_insert(0) += 1;
        *story_sizes.entry(story).or_insert(0) += 1;
    }
    let n = gold.len();
    let (mut precision, mut recall) = (0.0, 0.0);
    let (mut same_both, mut same_story, mut same_cluster) = (0u64, 0u64, 0u64);
    let pairs = |k: usize| (k * k.saturating_sub(1) / 2) as u64;
    for ((cluster, story), &k) in &both {
        let s = story_sizes.get(story).copied().unwrap_or(1);
        let c = clusters.get(cluster).copied().unwrap_or(1);
        precision += (k * k) as f64 / s as f64;
        recall += (k * k) as f64 / c as f64;
        same_both += pairs(k);
    }
    for &s in story_sizes.values() {
        same_story += pairs(s);
    }
    for &c in clusters.values() {
        same_cluster += pairs(c);
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let (bp, br) = (ratio(precision, n as f64), ratio(recall, n as f64));
    let pp = if same_story == 0 { 1.0 } else { same_both as f64 / same_story as f64 };
    let pr = ratio(same_both as f64, same_cluster as f64);
    StoryScores {
        num_docs: n,
        num_clusters: clusters.len(),
        num_stories: story_sizes.len(),
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
        pairwise_precision: pp,
        pairwise_recall: pr,
        pairwise_f1: f1(pp, pr),
    }
}

/// One set of documents with its gold clusters.
#[derive(Debug, Clone)]
pub struct StorySet {
    /// The reports: a directory or one file.
    pub corpus: PathBuf,
    /// The gold clusters of its documents.
    pub gold: Gold,
}

/// The scores of one set, of all together, and the time stories took.
#[derive(Debug, Clone, Serialize)]
pub struct StoryEvaluation {
    /// The options the stories were decided with.
    pub options: StoryOptions,
    /// Each set's scores, in the order given: (corpus, scores).
    pub sets: Vec<(String, StoryScores)>,
    /// All sets together (cluster names kept apart by set).
    pub all: StoryScores,
    /// Reports indexed.
    pub num_reports: usize,
}

/// The part of a report id that names the document in gold files: after the last `#`, else
/// the file stem.
pub fn doc_name(id: &str) -> String {
    match id.rsplit_once('#') {
        Some((_, record)) => record.to_string(),
        None => Path::new(id).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
    }
}

/// Indexes the sets in memory, in order, with `options`, and scores each set's stories.
pub fn run(sets: &[StorySet], schema: IndexSchema, options: StoryOptions) -> crate::Result<StoryEvaluation> {
    let options = StoryOptions { enabled: true, ..options };
    let index = Index::create_in_ram(schema)?;
    let mut indexer = index.indexer()?;
    indexer.set_story_options(options);
    let mut num_reports = 0;
    for (n, set) in sets.iter().enumerate() {
        let meta = std::fs::metadata(&set.corpus).map_err(|e| Error::io(&set.corpus, e))?;
        let files = if meta.is_dir() {
            let mut files = crate::ingest::walk(&set.corpus, &crate::ingest::WalkOptions::default()).files;
            files.sort_by(|a, b| a.rel.cmp(&b.rel));
            files
        } else {
            let format = crate::ingest::Format::of(&set.corpus).unwrap_or(crate::ingest::Format::JsonLines);
            let rel = set.corpus.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            vec![crate::ingest::SourceFile { abs: set.corpus.clone(), rel, format, size: meta.len(), mtime_ns: 0 }]
        };
        for file in files {
            let parsed = crate::ingest::read(&file, crate::ingest::DEFAULT_MAX_FILE_BYTES);
            for mut report in parsed.reports {
                // Sets may reuse ids and paths: each keeps its own.
                report.id = format!("{n}/{}", report.id);
                report.path = format!("{n}/{}", report.path);
                indexer.add(&report)?;
                num_reports += 1;
            }
        }
    }
    indexer.commit()?;
    let stories = stories_by_id(&index)?;
    let mut by_set: Vec<HashMap<String, String>> = vec![HashMap::new(); sets.len()];
    for (id, story) in stories {
        let Some((n, rest)) = id.split_once('/') else { continue };
        if let Some(map) = n.parse::<usize>().ok().and_then(|n| by_set.get_mut(n)) {
            map.insert(doc_name(rest), story);
        }
    }
    let (mut all_gold, mut all_stories) = (Gold::new(), HashMap::new());
    let mut scores = Vec::new();
    for (n, (set, stories)) in sets.iter().zip(&by_set).enumerate() {
        scores.push((set.corpus.display().to_string(), score(&set.gold, stories)));
        for (doc, cluster) in &set.gold {
            all_gold.insert(format!("{n}/{doc}"), format!("{n}/{cluster}"));
        }
        for (doc, story) in stories {
            all_stories.insert(format!("{n}/{doc}"), story.clone());
        }
    }
    Ok(StoryEvaluation { options, sets: scores, all: score(&all_gold, &all_stories), num_reports })
}

/// Every report's story: id → story.
pub fn stories_by_id(index: &Index) -> crate::Result<BTreeMap<String, String>> {
    let searcher = index.reader.searcher();
    let at = index.location();
    let f = index.fields;
    let mut out = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(1).map_err(|e| Error::io(&at, e))?;
        for doc in segment.doc_ids_alive() {
            let stored: tantivy::TantivyDocument = store.get(doc).map_err(|e| crate::index::index_error(&at, e))?;
            let text = |field| stored.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            out.insert(text(f.id), text(f.story));
        }
    }
    Ok(out)
}
