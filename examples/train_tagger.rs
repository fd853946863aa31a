//! Trains the name tagger on CoNLL-2003-shaped data and writes its model file.
//!
//! ```text
//! cargo run --release --example train_tagger -- CONLL/train.jsonl src/extract/tagger/model.bin [--dev CONLL/docs.jsonl]
//! ```
//!
//! TRAIN is JSON lines with `body` and `spans` (or a CoNLL column file); OUT is written with
//! the model ([`attache::extract::tagger`] documents the format). The epochs, the shuffle's
//! seed and the pruning threshold are the library's defaults, so rerunning the command gives
//! the same file byte for byte; `--epochs N` and `--prune X` exist for tuning, which is done
//! on the dev split only (`--dev` scores the new model there, as `attache eval people` does).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use attache::IndexSchema;
use attache::extract::tagger::train::{self, TrainOptions};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train_tagger: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut paths, mut options, mut dev) = (Vec::new(), TrainOptions::default(), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--epochs" => options.epochs = args.next().ok_or("--epochs needs a number")?.parse()?,
            "--prune" => options.prune_below = args.next().ok_or("--prune needs a number")?.parse()?,
            "--dev" => dev = Some(PathBuf::from(args.next().ok_or("--dev needs a file")?)),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let [input, output] = &paths[..] else {
        return Err("usage: train_tagger TRAIN OUT [--dev DEV] [--epochs N] [--prune X]".into());
    };
    let schema = IndexSchema::embedded()?;
    let is_json = input.extension().is_some_and(|e| e == "jsonl" || e == "json");
    let docs = if is_json { train::read_jsonl(input)? } else { train::read_conll(input)? };
    let start = Instant::now();
    let bytes = train::train(&schema, &docs, &options);
    std::fs::write(output, &bytes).map_err(|e| format!("{}: {e}", output.display()))?;
    eprintln!(
        "trained on {} documents in {:.1} s: {} bytes to {}",
        docs.len(),
        start.elapsed().as_secs_f64(),
        bytes.len(),
        output.display()
    );
    if let Some(dev) = dev {
        let scores = attache::extract::eval::people::score(&schema, &dev, Some(&bytes))?;
        print!("{scores}");
    }
    Ok(())
}
