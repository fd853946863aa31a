//! Name tagger speed: tokens per second over a corpus (issue #17).
//!
//! ```text
//! cargo bench --bench tagger -- CORPUS_DIR [--rounds N]
//! ```
//!
//! Reads the corpus with attache's ingest stage, then tags every report's title and body
//! with [`attache::extract::tagger::NameTagger`] (one thread, the shipped model), `N` rounds.
//! Prints the median time, reports per second, tokens read per second and the share of
//! tokens the model scored (the others, lower-case words outside a name, cost only their
//! tokenisation). Indexing throughput with tagging on is `cargo bench --bench index`, whose
//! attache side runs the full extraction; `cargo bench --bench extract` gives extraction's
//! share of indexing time. Never asserts on time; asserts every round finds the same names.

use std::path::PathBuf;
use std::time::Instant;

use attache::extract::tagger::NameTagger;
use attache::ingest::{self, WalkOptions};
use attache::{IndexSchema, Report};

const DEFAULT_ROUNDS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut corpus = PathBuf::from("sample_corpus");
    let mut rounds = DEFAULT_ROUNDS;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => rounds = it.next().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_ROUNDS).max(1),
            other => corpus = PathBuf::from(other),
        }
    }
    let files = ingest::walk(&corpus, &WalkOptions::default()).files;
    let reports: Vec<Report> =
        files.iter().flat_map(|f| ingest::read(f, ingest::DEFAULT_MAX_FILE_BYTES).reports).collect();
    let bytes: usize = reports.iter().map(|r| r.body.len() + r.title.as_deref().map_or(0, str::len)).sum();
    println!("corpus {}: {} reports, {:.1} MB of text", corpus.display(), reports.len(), bytes as f64 / 1e6);
    let schema = IndexSchema::embedded()?;
    // The model is read on first use: once, before the clock.
    NameTagger::new(&schema).tag("Warm-up by Anna Kovacs in Vienna.");
    let (mut secs, mut expected) = (Vec::new(), None);
    let mut counts = (0, 0);
    for _ in 0..rounds {
        let mut tagger = NameTagger::new(&schema);
        let mut spans = Vec::new();
        let start = Instant::now();
        for r in &reports {
            tagger.tag_into(r.title.as_deref().unwrap_or(""), &mut spans);
            tagger.tag_into(&r.body, &mut spans);
        }
        secs.push(start.elapsed().as_secs_f64());
        assert_eq!(*expected.get_or_insert(spans.len()), spans.len(), "every round finds the same names");
        counts = tagger.num_tokens();
    }
    secs.sort_by(f64::total_cmp);
    let median = secs[secs.len() / 2];
    let (read, scored) = counts;
    println!("rounds {rounds}, median {median:.3} s (min {:.3}, max {:.3})", secs[0], secs[secs.len() - 1]);
    println!(
        "{:.0} reports/s, {:.2} MB/s, {:.0} tokens/s read; {:.1} % of tokens scored by the model ({:.0} scored tokens/s); {} names",
        reports.len() as f64 / median,
        bytes as f64 / 1e6 / median,
        read as f64 / median,
        100.0 * scored as f64 / read.max(1) as f64,
        scored as f64 / median,
        expected.unwrap_or(0)
    );
    Ok(())
}
