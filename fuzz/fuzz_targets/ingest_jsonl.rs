//! `.jsonl` files: every non-blank line is one report or one skip (a broken line names its
//! own line number); ids are unique.
#![no_main]

use attache::SkipReason;
use attache::ingest::{Format, json};
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = attache_fuzz::text(data);
    let parsed = json::parse_lines(REL, &input);
    attache_fuzz::check_parsed(&parsed, REL);
    let lines: Vec<usize> =
        input.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, _)| i + 1).collect();
    assert_eq!(parsed.reports.len() + parsed.skipped.len(), lines.len(), "one report or skip per line");
    for skipped in &parsed.skipped {
        if let SkipReason::Json { line, column, .. } = skipped.reason {
            assert!(lines.contains(&line), "broken line {line} is not a non-blank line");
            assert!(column <= input.lines().nth(line - 1).unwrap().len() + 1, "column {column} past the line");
        }
    }
    attache_fuzz::check_dispatch(Format::JsonLines, &input, &parsed);
});
