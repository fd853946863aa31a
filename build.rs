//! Converts the embedded lexicons, `index_schema/leaders.toml` and `topics.toml`, to JSON.
//!
//! Every `attache index` run, and every search that names a leader or topic, parses them;
//! JSON parses into the same serde types about five times faster than TOML (0.75 against
//! 3.9 ms for both files, BENCHMARKS.md). The TOML files stay the source anyone edits and the
//! text the index fingerprint hashes; `src/schema.rs` embeds both forms and a test checks
//! they parse to the same lexicons. A file that is not valid TOML fails the build, naming it:
//! the embedded lexicons must parse.

use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    for name in ["leaders", "topics"] {
        let source = root.join("index_schema").join(format!("{name}.toml"));
        println!("cargo::rerun-if-changed={}", source.display());
        let text = std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let value: serde_json::Value = toml::from_str(&text).map_err(|e| format!("{}: {e}", source.display()))?;
        std::fs::write(out.join(format!("{name}.json")), serde_json::to_string(&value)?)?;
    }
    Ok(())
}
