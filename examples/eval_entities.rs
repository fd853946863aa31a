//! Scores leader and place extraction against editors' labels.
//!
//! ```text
//! cargo run --release --example eval_entities -- CORPUS_DIR_OR_JSONL LABELS.tsv [--misses]
//! ```
//!
//! Reads the corpus with attache's ingest stage, extracts entities with the embedded lexicons
//! and prints [`attache::extract::eval::EntityScores`]: people recall, leaders per labelled
//! article, places recall and the most frequent misses (every person miss with `--misses`).
//! The library function does the work; this program only parses arguments and prints, so the
//! CLI's `attache eval entities` and this example always agree.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_misses = args.iter().any(|a| a == "--misses");
    let paths: Vec<PathBuf> = args.iter().filter(|a| !a.starts_with("--")).map(PathBuf::from).collect();
    let [corpus, labels] = &paths[..] else {
        eprintln!("usage: eval_entities CORPUS_DIR_OR_JSONL LABELS.tsv [--misses]");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    match attache::extract::eval::score_entities(corpus, labels) {
        Ok(mut scores) => {
            if !show_misses {
                scores.misses.clear();
            }
            print!("{scores}");
            println!("time:                   {:.2}s", start.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("eval_entities: {err}");
            ExitCode::from(2)
        }
    }
}
