//! Markdown reports: any text gives exactly one report (front matter that never closes is a
//! warning, not a loss), its body lines taken from the input.
#![no_main]

use attache::ingest::{Format, markdown};
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = attache_fuzz::text(data);
    let parsed = markdown::parse(REL, &input);
    attache_fuzz::check_parsed(&parsed, REL);
    assert_eq!(parsed.reports.len(), 1, "a Markdown file is one report");
    assert!(parsed.skipped.is_empty(), "a Markdown file is never skipped by its parser");
    let report = &parsed.reports[0];
    assert_eq!(report.id, REL);
    let source = input.replace("\r\n", "\n").replace('\r', "\n");
    for line in report.body.lines() {
        assert!(source.contains(line), "body line {line:?} is not in the input");
    }
    let fenced = ["---\n", "+++\n"].iter().any(|f| source.trim_start().starts_with(f));
    if !fenced {
        assert!(parsed.warnings.is_empty(), "warnings without front matter: {:?}", parsed.warnings);
    }
    attache_fuzz::check_dispatch(Format::Markdown, &input, &parsed);
});
