//! Passages benchmark: what passages, highlights and re-ranking cost per query, against plain
//! top-10 retrieval on the same index, in the same run.
//!
//! ```text
//! cargo bench --bench passages -- [CORPUS] [--queries N] [--rounds R] [--compare RANKING]
//! ```
//!
//! CORPUS (default `sample_corpus`) is indexed into a temporary directory. Queries are drawn
//! from the corpus itself, so every corpus gets queries with hits: every k-th stored article
//! gives one query of one to three of its longer words (no function words), and every third
//! query is a quoted pair of adjacent words. Each query runs through `Searcher::search` with a
//! limit of 10 in four variants:
//!
//! | variant            | ranking              | passages | what it adds                        |
//! |--------------------|----------------------|----------|-------------------------------------|
//! | `retrieve`         | `Ranking::tantivy()` | 0        | baseline: BM25 top 10, stored fields |
//! | `retrieve+passages`| `Ranking::tantivy()` | 3        | passages and highlights              |
//! | `rerank`           | `Ranking::default()` | 0        | feedback, BM25 re-ranking, MaxP      |
//! | `rerank+passages`  | `Ranking::default()` | 3        | everything `attache search` does     |
//!
//! `--compare RANKING` (a ranking described as for `attache search --ranking`, such as an
//! earlier default) adds `other` and `other+passages`, the same two with that ranking, so a
//! ranking change's cost is measured in the same run.
//!
//! Latency is the wall time of one query on one thread, after a warm-up pass; variants
//! alternate query by query so they share cache state and machine load. Printed: mean, p50 and
//! p99 in microseconds and each variant's mean as a ratio to `retrieve`, plus the corpus size
//! and peak RSS. Inside the loop the run asserts that every variant finds the same number of
//! matching articles and at most 10 hits, and that passage variants return passages; it never
//! asserts on time.

use std::path::PathBuf;
use std::time::Instant;

use attache::search::stopword::is_stopword;
use attache::{Index, IndexSchema, Ranking, SearchRequest, SyncOptions};

const LIMIT: usize = 10;
const PASSAGES: usize = 3;

struct Variant {
    name: &'static str,
    ranking: Ranking,
    passages: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut corpus = PathBuf::from("sample_corpus");
    let mut num_queries = 200usize;
    let mut rounds = 3usize;
    let mut compare: Option<Ranking> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--queries" => num_queries = args.next().ok_or("--queries needs N")?.parse()?,
            "--rounds" => rounds = args.next().ok_or("--rounds needs R")?.parse()?,
            "--compare" => compare = Some(args.next().ok_or("--compare needs RANKING")?.parse()?),
            "--bench" => {} // cargo passes it to harness = false programs
            other if other.starts_with('-') => return Err(format!("unknown flag {other}").into()),
            other => corpus = PathBuf::from(other),
        }
    }

    let work = tempfile::tempdir()?;
    let index = Index::open_or_create(&work.path().join("index"), IndexSchema::embedded()?)?;
    let started = Instant::now();
    let mut indexer = index.indexer()?;
    let summary = indexer.sync_dir(&corpus, &SyncOptions::default(), &mut |_| {})?;
    indexer.commit()?;
    drop(indexer);
    index.reload()?;
    let searcher = index.searcher();
    let articles: Vec<attache::Article> = searcher.export()?.collect::<Result<_, _>>()?;
    let bytes: usize = articles.iter().map(|a| a.report.body.len()).sum();
    println!(
        "corpus {}: {} articles ({} added), {:.1} MB of text, indexed in {:.2}s",
        corpus.display(),
        articles.len(),
        summary.num_added,
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let queries = draw_queries(&articles, num_queries);
    if queries.is_empty() {
        return Err("the corpus has no words to query".into());
    }
    println!("{} queries, {} timed rounds each, limit {LIMIT}", queries.len(), rounds);

    let mut variants = vec![
        Variant { name: "retrieve", ranking: Ranking::tantivy(), passages: 0 },
        Variant { name: "retrieve+passages", ranking: Ranking::tantivy(), passages: PASSAGES },
        Variant { name: "rerank", ranking: Ranking::default(), passages: 0 },
        Variant { name: "rerank+passages", ranking: Ranking::default(), passages: PASSAGES },
    ];
    if let Some(ranking) = compare {
        variants.push(Variant { name: "other", ranking, passages: 0 });
        variants.push(Variant { name: "other+passages", ranking, passages: PASSAGES });
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    for round in 0..=rounds {
        for query in &queries {
            let mut total_hits = None;
            for (v, variant) in variants.iter().enumerate() {
                let request =
                    SearchRequest::new(query.as_str()).limit(LIMIT).passages(variant.passages).ranking(variant.ranking);
                let t = Instant::now();
                let results = searcher.search(&request)?;
                let micros = t.elapsed().as_secs_f64() * 1e6;
                assert!(results.hits.len() <= LIMIT);
                assert_eq!(*total_hits.get_or_insert(results.total_hits), results.total_hits, "{query}");
                if variant.passages > 0 {
                    assert!(results.hits.is_empty() || results.hits.iter().any(|h| !h.passages.is_empty()));
                    assert!(results.hits.iter().all(|h| h.passages.len() <= variant.passages));
                }
                if round > 0 {
                    times[v].push(micros);
                }
            }
        }
    }

    let baseline = mean(&times[0]);
    println!("{:<18} {:>10} {:>10} {:>10} {:>8}", "variant", "mean µs", "p50 µs", "p99 µs", "× base");
    for (variant, t) in variants.iter().zip(&mut times) {
        t.sort_by(f64::total_cmp);
        let m = mean(t);
        println!(
            "{:<18} {:>10.1} {:>10.1} {:>10.1} {:>8.2}",
            variant.name,
            m,
            quantile(t, 0.5),
            quantile(t, 0.99),
            m / baseline
        );
    }
    if let Some(rss) = peak_rss_kb() {
        println!("peak RSS {:.1} MB", rss as f64 / 1024.0);
    }
    Ok(())
}

/// Queries from the articles: every k-th article gives 1–3 of its longer content words, or a
/// quoted pair of adjacent ones.
fn draw_queries(articles: &[attache::Article], n: usize) -> Vec<String> {
    if articles.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let article = &articles[(i * 7919) % articles.len()];
        let words: Vec<&str> = article
            .report
            .body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 5 && !is_stopword(w))
            .collect();
        if words.is_empty() {
            continue;
        }
        let at = (i * 31) % words.len();
        let query = if i % 3 == 2 && at + 1 < words.len() {
            format!("\"{} {}\"", words[at], words[at + 1])
        } else {
            let count = 1 + i % 3;
            words.iter().cycle().skip(at).step_by(5).take(count).copied().collect::<Vec<_>>().join(" ")
        };
        out.push(query.to_lowercase());
    }
    out
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// The `q` quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Peak resident memory (Linux `VmHWM`), in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
