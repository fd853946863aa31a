//! PDFs: any bytes give one valid report or a reason (invalid, no text layer); a panic of the
//! PDF crates is caught and becomes a reason naming the file, never a crash of the run.
#![no_main]

use attache::ingest::pdf;
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attache_fuzz::quiet_caught_panics();
    let parsed = pdf::read(REL, data);
    attache_fuzz::check_parsed(&parsed, REL);
    assert_eq!(parsed.reports.len() + parsed.skipped.len(), 1, "a PDF is read or skipped, once");
});
