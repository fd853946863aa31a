//! Indexing benchmark: attache against a plain-tantivy baseline on the same corpus, same run.
//!
//! ```text
//! cargo bench --bench index -- CORPUS_DIR [--work DIR] [--rounds N] [--keep] [--commit-every N] [--stories]
//! ```
//!
//! Measures, for each side: reports per second, input MB per second (bytes of the corpus
//! files), CPU seconds of the whole process, peak resident memory (`VmHWM`, and the peak of `RssAnon` sampled every 20 ms, which
//! leaves out the mmapped index files) and the size of the committed index. Each run is a
//! child process of this program (it re-executes itself with `--child SIDE`), so each side's
//! peak memory is its own and neither warms the other's allocator; the parent alternates the
//! sides, starting with a different one each round, and prints every run, the median per side
//! and the ratios attache ÷ tantivy (for speed, > 1 means attache is faster).
//!
//! - **attache** runs what `attache index DIR` runs: `Index::open_or_create`, then
//!   `Indexer::sync_dir` (walk, read, fingerprint, parse, extract leaders and topics, write
//!   every field) and `commit`, with `SyncOptions::default()` (so attache's intermediate
//!   commits every `DEFAULT_COMMIT_EVERY` reports count, as they do for `attache index`;
//!   `--commit-every 0` turns them off to compare one commit with one commit).
//! - **stories**, with `--stories`: the same as attache, deciding stories too (`attache index
//!   --stories`; off by default, as in `attache index`). What stories cost is then measured
//!   three ways: the time added to indexing and the CPU time added (the medians of this side
//!   against attache's, as a share of this side's), and the wall-clock time inside the
//!   decisions ([`attache::IndexSummary::story_secs`], as a share and per report). The last
//!   overstates: the deciding thread shares the cores with the workers and tantivy's
//!   threads, and its clock runs while it waits for one.
//! - **tantivy** (see `common` for the schema and analyzer) walks and parses the same files
//!   with attache's own `ingest` (a plain-tantivy user needs some parser; sharing it keeps the
//!   difference down to what attache adds), then adds `id`, `title`, `body` and `date` to an
//!   `IndexWriter` with the same number of threads and the same memory per thread, and
//!   commits.
//!
//! The clock runs from opening the index to the commit returning; merges still running then
//! are not waited for on either side. Index size is tantivy's space accounting of the last
//! commit. The run asserts both sides indexed the same number of reports; it never asserts on
//! time. `--keep` leaves both indexes in `--work DIR` (`attache/`, `tantivy/`) for the search
//! and CLI benchmarks.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use attache::ingest::{self, WalkOptions};
use attache::{Index, IndexSchema, SyncOptions};
use tantivy::{DateTime, TantivyDocument};

use common::{Flags, median};

/// A summary row: name, the figure of a run, and how to read the ratio.
type Row = (&'static str, fn(&Run) -> f64, &'static str);

/// One child run's figures.
#[derive(Debug, Clone)]
struct Run {
    side: String,
    reports: u64,
    input_bytes: u64,
    secs: f64,
    peak_rss: u64,
    peak_anon: u64,
    index_bytes: u64,
    segments: usize,
    /// Seconds spent deciding stories (attache only).
    story_secs: f64,
    /// CPU seconds of the whole process, user and system.
    cpu_secs: f64,
}

impl Run {
    fn line(&self) -> String {
        format!(
            "RUN {} {} {} {:.6} {} {} {} {} {:.6} {:.2}",
            self.side,
            self.reports,
            self.input_bytes,
            self.secs,
            self.peak_rss,
            self.peak_anon,
            self.index_bytes,
            self.segments,
            self.story_secs,
            self.cpu_secs
        )
    }

    fn parse(line: &str) -> Option<Run> {
        let mut it = line.strip_prefix("RUN ")?.split(' ');
        Some(Run {
            side: it.next()?.to_string(),
            reports: it.next()?.parse().ok()?,
            input_bytes: it.next()?.parse().ok()?,
            secs: it.next()?.parse().ok()?,
            peak_rss: it.next()?.parse().ok()?,
            peak_anon: it.next()?.parse().ok()?,
            index_bytes: it.next()?.parse().ok()?,
            segments: it.next()?.parse().ok()?,
            story_secs: it.next()?.parse().ok()?,
            cpu_secs: it.next()?.parse().ok()?,
        })
    }

    fn docs_per_sec(&self) -> f64 {
        self.reports as f64 / self.secs
    }

    fn mb_per_sec(&self) -> f64 {
        self.input_bytes as f64 / 1e6 / self.secs
    }

    /// Share of the indexing wall-clock time spent deciding stories, in percent.
    fn story_share(&self) -> f64 {
        100.0 * self.story_secs / self.secs
    }

    /// Microseconds of story decision per report.
    fn story_us_per_report(&self) -> f64 {
        1e6 * self.story_secs / self.reports.max(1) as f64
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flags = Flags::parse(std::env::args().skip(1), &["keep", "stories"]);
    if let Some(side) = flags.get("child") {
        let corpus = PathBuf::from(&flags.positional[0]);
        let out = PathBuf::from(&flags.positional[1]);
        let run = match side {
            "attache" | "stories" => run_attache(
                side,
                &corpus,
                &out,
                flags.get("commit-every").and_then(|n| n.parse().ok()),
                side == "stories",
            )?,
            "tantivy" => run_tantivy(&corpus, &out)?,
            other => return Err(format!("unknown side {other}").into()),
        };
        println!("{}", run.line());
        return Ok(());
    }

    let corpus = PathBuf::from(
        flags.positional.first().map(String::as_str).unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/sample_corpus")),
    );
    let work = flags.get("work").map(PathBuf::from).unwrap_or_else(|| std::env::temp_dir().join("attache-bench-index"));
    let rounds = flags.num("rounds", 2);
    let keep = flags.has("keep");
    std::fs::create_dir_all(&work)?;

    println!("# index benchmark: {}", corpus.display());
    println!(
        "# {} cores, {} indexing threads per side, {} MiB writer heap per thread, {} rounds (sides alternate)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        common::indexing_threads(),
        common::HEAP_PER_THREAD >> 20,
        rounds
    );
    println!(
        "{:<8} {:>9} {:>9} {:>8} {:>10} {:>8} {:>12} {:>13} {:>10} {:>9} {:>8} {:>10}",
        "side",
        "reports",
        "secs",
        "CPU s",
        "docs/s",
        "MB/s",
        "peak RSS MiB",
        "peak anon MiB",
        "index MiB",
        "segments",
        "story %",
        "story µs/r"
    );
    let mut runs: Vec<Run> = Vec::new();
    let sides: &[&str] =
        if flags.has("stories") { &["attache", "stories", "tantivy"] } else { &["attache", "tantivy"] };
    for round in 0..rounds {
        // Each round starts with the next side.
        let order = sides.iter().cycle().skip(round % sides.len()).take(sides.len());
        for &side in order {
            let dir = work.join(side);
            let _ = std::fs::remove_dir_all(&dir);
            let mut child = Command::new(std::env::current_exe()?);
            child.arg("--child").arg(side).arg(&corpus).arg(&dir);
            if let Some(n) = flags.get("commit-every") {
                child.arg("--commit-every").arg(n);
            }
            let output = child.output()?;
            let stdout = String::from_utf8_lossy(&output.stdout);
            let Some(run) = stdout.lines().find_map(Run::parse) else {
                return Err(format!(
                    "{side} run failed: {}\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                )
                .into());
            };
            println!(
                "{:<8} {:>9} {:>9.2} {:>8.2} {:>10.0} {:>8.2} {:>12.0} {:>13.0} {:>10.1} {:>9} {:>8.1} {:>10.0}",
                run.side,
                run.reports,
                run.secs,
                run.cpu_secs,
                run.docs_per_sec(),
                run.mb_per_sec(),
                run.peak_rss as f64 / 1048576.0,
                run.peak_anon as f64 / 1048576.0,
                run.index_bytes as f64 / 1048576.0,
                run.segments,
                run.story_share(),
                run.story_us_per_report()
            );
            runs.push(run);
        }
    }

    let of = |side: &str| runs.iter().filter(|r| r.side == side).cloned().collect::<Vec<_>>();
    let (a, t, s) = (of("attache"), of("tantivy"), of("stories"));
    // Same text in, same reports out: otherwise the ratios mean nothing.
    assert!(a.iter().chain(&t).chain(&s).all(|r| r.reports == a[0].reports), "every side must index the same reports");
    assert!(a[0].reports > 0, "the corpus has no reports");
    let med = |runs: &[Run], f: fn(&Run) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
    let rows: [Row; 7] = [
        ("secs", |r| r.secs, "attache ÷ tantivy (< 1: attache faster; target ≤ 1.0)"),
        ("CPU s", |r| r.cpu_secs, "attache ÷ tantivy"),
        ("docs/s", Run::docs_per_sec, "attache ÷ tantivy (> 1: attache faster; target ≥ 1.0)"),
        ("MB/s", Run::mb_per_sec, "attache ÷ tantivy"),
        ("peak RSS MiB", |r| r.peak_rss as f64 / 1048576.0, "attache ÷ tantivy (VmHWM; target: attache ≤ 1024 MiB)"),
        (
            "peak anon MiB",
            |r| r.peak_anon as f64 / 1048576.0,
            "attache ÷ tantivy (RssAnon: heap, without mapped index files)",
        ),
        ("index MiB", |r| r.index_bytes as f64 / 1048576.0, "attache ÷ tantivy (target ≤ 1.3)"),
    ];
    println!(
        "\n# medians over {} runs per side; {} reports, {:.1} MB of input",
        a.len(),
        a[0].reports,
        a[0].input_bytes as f64 / 1e6
    );
    println!("{:<14} {:>12} {:>12} {:>8}", "figure", "attache", "tantivy", "ratio");
    for (name, f, note) in rows {
        let (x, y) = (med(&a, f), med(&t, f));
        println!("{name:<14} {x:>12.2} {y:>12.2} {:>8.3}  {note}", x / y);
    }
    if !s.is_empty() {
        println!("\n# stories: {} runs with, {} without", s.len(), a.len());
        let added = |f: fn(&Run) -> f64| 100.0 * (med(&s, f) - med(&a, f)) / med(&s, f);
        let shares: [(&str, f64, &str); 4] = [
            ("added time %", added(|r| r.secs), "of indexing with stories: (with - without) / with (target ≤ 15 %)"),
            ("added CPU %", added(|r| r.cpu_secs), "of the CPU time of indexing with stories, likewise"),
            (
                "deciding %",
                med(&s, Run::story_share),
                "of the wall-clock time, inside decisions (overstates: see the docs)",
            ),
            (
                "deciding µs/r",
                med(&s, Run::story_us_per_report),
                "a report, inside decisions (should not grow with the corpus)",
            ),
        ];
        for (name, value, note) in shares {
            println!("{name:<14} {value:>12.1}  {note}");
        }
    }
    if !keep {
        let _ = std::fs::remove_dir_all(work.join("attache"));
        let _ = std::fs::remove_dir_all(work.join("tantivy"));
    } else {
        println!("# indexes kept in {}/{{attache,tantivy}}", work.display());
    }
    Ok(())
}

/// Bytes of the files attache reads under `corpus`.
fn input_bytes(corpus: &Path) -> u64 {
    ingest::walk(corpus, &WalkOptions::default()).files.iter().map(|f| f.size).sum()
}

fn run_attache(
    side: &str,
    corpus: &Path,
    out: &Path,
    commit_every: Option<usize>,
    stories: bool,
) -> Result<Run, Box<dyn std::error::Error>> {
    let anon = common::AnonPeak::start();
    let started = Instant::now();
    let index = Index::open_or_create(out, IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    let mut options = SyncOptions { stories, ..SyncOptions::default() };
    if let Some(n) = commit_every {
        options.commit_every = n;
    }
    let summary = indexer.sync_dir(corpus, &options, &mut |_| {})?;
    indexer.commit()?;
    let secs = started.elapsed().as_secs_f64();
    drop(indexer);
    let peak_rss = common::peak_rss_bytes();
    let peak_anon = anon.finish();
    let segments = tantivy::Index::open_in_dir(out)?.searchable_segment_ids()?.len();
    let cpu_secs = common::cpu_seconds("self");
    Ok(Run {
        side: side.into(),
        // Exact duplicates are read, then stored once (a stub on the copy): they count as read.
        reports: (summary.num_reports + summary.num_duplicates) as u64,
        input_bytes: input_bytes(corpus),
        secs,
        peak_rss,
        peak_anon,
        index_bytes: common::index_bytes(out)?,
        segments,
        story_secs: summary.story_secs,
        cpu_secs,
    })
}

fn run_tantivy(corpus: &Path, out: &Path) -> Result<Run, Box<dyn std::error::Error>> {
    let anon = common::AnonPeak::start();
    let started = Instant::now();
    std::fs::create_dir_all(out)?;
    let (schema, f) = common::baseline_schema();
    let index = tantivy::Index::create_in_dir(out, schema)?;
    common::register_baseline(&index);
    let threads = common::indexing_threads();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(threads, common::HEAP_PER_THREAD * threads)?;
    let walk = ingest::walk(corpus, &WalkOptions::default());
    let mut reports = 0u64;
    for file in &walk.files {
        for report in ingest::read(file, ingest::DEFAULT_MAX_FILE_BYTES).reports {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.id, &report.id);
            if let Some(title) = &report.title {
                doc.add_text(f.title, title);
            }
            doc.add_text(f.body, &report.body);
            if let Some(days) = report.date.as_deref().and_then(common::days_from_iso) {
                doc.add_date(f.date, DateTime::from_timestamp_secs(days * 86_400));
            }
            writer.add_document(doc)?;
            reports += 1;
        }
    }
    writer.commit()?;
    let secs = started.elapsed().as_secs_f64();
    drop(writer);
    let peak_rss = common::peak_rss_bytes();
    let peak_anon = anon.finish();
    let segments = index.searchable_segment_ids()?.len();
    let cpu_secs = common::cpu_seconds("self");
    Ok(Run {
        side: "tantivy".into(),
        reports,
        input_bytes: walk.files.iter().map(|f| f.size).sum(),
        secs,
        peak_rss,
        peak_anon,
        index_bytes: common::index_bytes(out)?,
        segments,
        story_secs: 0.0,
        cpu_secs,
    })
}
