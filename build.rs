//! Converts the embedded lexicons, `index_schema/leaders.toml` and `topics.toml`, to JSON,
//! and stems their words.
//!
//! Every `attache index` run, and every search that names a leader or topic, parses them;
//! JSON parses into the same serde types about five times faster than TOML (0.75 against
//! 3.9 ms for both files, BENCHMARKS.md). The TOML files stay the source anyone edits and the
//! text the index fingerprint hashes; `src/extract/lexicon.rs` embeds both forms and a test checks
//! they parse to the same lexicons. A file that is not valid TOML fails the build, naming it:
//! the embedded lexicons must parse.
//!
//! `stems.tsv` holds `word<TAB>stem` for every ASCII word of the lexicons, lower-cased, as the
//! English analyzer stems it (rust-stemmers, the same version as the library's, from the same
//! `Cargo.lock`). Snowball stemming costs about 3,500 instructions a word, and these words are
//! stemmed again and again: by the matchers' build on every run, and by every analyzer
//! tantivy makes for the leader, topic, place and organisation fields of every segment.
//! `src/analysis.rs` looks a word up here before stemming it, and a test checks every entry
//! against the stemmer.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

use rust_stemmers::{Algorithm, Stemmer};

/// Words of this many bytes or more are dropped by the analyzer (`MAX_TOKEN_BYTES`).
const MAX_TOKEN_BYTES: usize = 40;

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let stemmer = Stemmer::create(Algorithm::English);
    let mut stems = BTreeMap::new();
    for name in ["leaders", "topics"] {
        let source = root.join("index_schema").join(format!("{name}.toml"));
        println!("cargo::rerun-if-changed={}", source.display());
        let text = std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let value: serde_json::Value = toml::from_str(&text).map_err(|e| format!("{}: {e}", source.display()))?;
        std::fs::write(out.join(format!("{name}.json")), serde_json::to_string(&value)?)?;
        add_words(&value, &stemmer, &mut stems);
    }
    let tsv: String = stems.iter().map(|(word, stem)| format!("{word}\t{stem}\n")).collect();
    std::fs::write(out.join("stems.tsv"), tsv)?;
    Ok(())
}

/// The words of every string in `value`, as the analyzer splits ASCII text (runs of ASCII
/// letters and digits), lower-cased, with their stems. Strings with other characters are
/// left to the analyzer, which folds them first.
fn add_words(value: &serde_json::Value, stemmer: &Stemmer, stems: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::String(text) if text.is_ascii() => {
            for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
                if word.is_empty() || word.len() >= MAX_TOKEN_BYTES {
                    continue;
                }
                let word = word.to_ascii_lowercase();
                if let std::collections::btree_map::Entry::Vacant(entry) = stems.entry(word) {
                    let stem = stemmer.stem(entry.key()).into_owned();
                    entry.insert(stem);
                }
            }
        }
        serde_json::Value::Array(values) => values.iter().for_each(|v| add_words(v, stemmer, stems)),
        serde_json::Value::Object(map) => map.values().for_each(|v| add_words(v, stemmer, stems)),
        _ => {}
    }
}
