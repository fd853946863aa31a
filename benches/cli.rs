//! Cold command-line search: wall time from spawning `attache search` to its last byte.
//!
//! ```text
//! cargo bench --bench index -- CORPUS --work DIR --keep       # builds DIR/attache, DIR/tantivy
//! cargo bench --bench cli -- DIR [--runs N] [--drop-caches]
//! ```
//!
//! Each run spawns a new process (the release `attache` binary cargo built for this bench,
//! `CARGO_BIN_EXE_attache`) with `search QUERY --index DIR/attache` (text output, no colour:
//! stdout is a pipe), reads its stdout to the end and waits for it: process start, index
//! open, lexicon load, search, passages, highlights, rendering and exit, as a user sees it.
//! The baseline is the same for plain tantivy: this program re-executes itself with
//! `--child-tantivy`, which opens `DIR/tantivy`, runs the query (top-10 and
//! `SnippetGenerator`), prints title and snippet of each hit, and exits. Sides alternate,
//! query by query. The page cache is warm (the figure a user sees on a second search); with
//! `--drop-caches` (root only) the kernel's caches are dropped before each run as well.
//!
//! Prints p50 / p90 / max per side and the ratio attache ÷ tantivy, and the cost of spawning
//! a process that does nothing (`true`) for scale. Asserts every run exits 0 (hits) or 1 (no hits); never asserts
//! on time.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;

use common::{Flags, quantile};

/// Queries of the cold runs: common diplomatic words (they hit on generated and real
/// corpora), a phrase, a filter.
const QUERIES: &[&str] = &[
    "sanctions",
    "peace talks",
    "\"prime minister\"",
    "government election",
    "minister oil prices",
    "leader:putin talks",
    "trade deal",
    "president",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flags = Flags::parse(std::env::args().skip(1), &["drop-caches"]);
    if let Some(index) = flags.get("child-tantivy") {
        return child_tantivy(Path::new(index), &flags.positional.join(" "));
    }
    let work = PathBuf::from(flags.positional.first().map(String::as_str).unwrap_or("/tmp/attache-bench-index"));
    let runs = flags.num("runs", 5);
    let drop_caches = flags.has("drop-caches");
    let bin = env!("CARGO_BIN_EXE_attache");
    let me = std::env::current_exe()?;
    let attache_index = work.join("attache");
    let tantivy_index = work.join("tantivy");

    println!(
        "# cold CLI search: {} ({} queries × {runs} runs per side, page cache {})",
        work.display(),
        QUERIES.len(),
        if drop_caches { "dropped before each run" } else { "warm" }
    );
    let spawn_true = time_runs(runs * QUERIES.len(), false, || Command::new("true").stdout(Stdio::piped()).spawn())?;
    let (mut a, mut t) = (Vec::new(), Vec::new());
    // One untimed run each, so the first timed run is not the one paying for a cold cache
    // (unless caches are dropped on purpose).
    time_runs(1, false, || {
        Command::new(bin).args(["search", QUERIES[0], "--index"]).arg(&attache_index).stdout(Stdio::piped()).spawn()
    })?;
    for (k, query) in QUERIES.iter().enumerate() {
        let attache = || {
            Command::new(bin)
                .args(["search", query, "--color", "never", "--index"])
                .arg(&attache_index)
                .stdout(Stdio::piped())
                .spawn()
        };
        // Plain tantivy has no `leader:` field: search the name as a word.
        let plain = query.replace("leader:", "+").replace(" talks", " +talks");
        let tantivy =
            || Command::new(&me).arg("--child-tantivy").arg(&tantivy_index).arg(&plain).stdout(Stdio::piped()).spawn();
        if k % 2 == 0 {
            a.extend(time_runs(runs, drop_caches, attache)?);
            t.extend(time_runs(runs, drop_caches, tantivy)?);
        } else {
            t.extend(time_runs(runs, drop_caches, tantivy)?);
            a.extend(time_runs(runs, drop_caches, attache)?);
        }
    }
    for v in [&mut a, &mut t] {
        v.sort_by(f64::total_cmp);
    }
    let mut spawn = spawn_true;
    spawn.sort_by(f64::total_cmp);
    println!("{:<28} {:>8} {:>8} {:>8}", "ms, process start → last byte", "p50", "p90", "max");
    for (name, v) in [("attache search", &a), ("plain tantivy + snippets", &t), ("`true` (spawn cost)", &spawn)] {
        println!("{name:<28} {:>8.1} {:>8.1} {:>8.1}", quantile(v, 0.5), quantile(v, 0.9), quantile(v, 1.0));
    }
    println!(
        "ratio attache ÷ tantivy: p50 {:.2}, p90 {:.2}  (target: attache p50 ≤ 50 ms on a 100k index)",
        quantile(&a, 0.5) / quantile(&t, 0.5),
        quantile(&a, 0.9) / quantile(&t, 0.9)
    );
    Ok(())
}

/// Wall times in ms of `n` runs of `spawn`, each read to its last byte and waited for.
fn time_runs(
    n: usize,
    drop_caches: bool,
    spawn: impl Fn() -> std::io::Result<std::process::Child>,
) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        if drop_caches {
            // Needs root; without it the run measures a warm cache, so fail loudly instead.
            let _ = Command::new("sync").status();
            std::fs::write("/proc/sys/vm/drop_caches", "3\n")?;
        }
        let started = Instant::now();
        let mut child = spawn()?;
        let mut bytes = Vec::new();
        if let Some(mut stdout) = child.stdout.take() {
            stdout.read_to_end(&mut bytes)?;
        }
        let status = child.wait()?;
        out.push(started.elapsed().as_secs_f64() * 1e3);
        // 0: hits, 1: no hits (a filter may match nothing in an old corpus); 2 is an error.
        assert!(matches!(status.code(), Some(0 | 1)), "a run failed: {status}");
        std::hint::black_box(&bytes);
    }
    Ok(out)
}

/// The plain-tantivy "CLI": open, search top-10, print title and snippet of each hit.
fn child_tantivy(index: &Path, query: &str) -> Result<(), Box<dyn std::error::Error>> {
    let index = tantivy::Index::open_in_dir(index)?;
    common::register_baseline(&index);
    let f = common::baseline_fields(&index.schema())?;
    let searcher = index.reader()?.searcher();
    let mut parser = QueryParser::for_index(&index, vec![f.title, f.body]);
    parser.set_field_boost(f.title, 2.0);
    let query = parser.parse_query(query)?;
    let top = searcher.search(&*query, &TopDocs::with_limit(10).order_by_score())?;
    let generator = SnippetGenerator::create(&searcher, &*query, f.body)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (score, address) in &top {
        let doc: TantivyDocument = searcher.doc(*address)?;
        let title = doc.get_first(f.title).and_then(|v| v.as_str()).unwrap_or("");
        let snippet = generator.snippet_from_doc(&doc);
        writeln!(out, "{score:.2} {title}\n  {}\n", snippet.to_html())?;
    }
    out.flush()?;
    // Exit 1 on no hits, as `attache search` does.
    if top.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
