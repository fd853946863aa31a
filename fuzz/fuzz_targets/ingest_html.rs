//! Web pages: any bytes give at most one valid report or a reason, through the web-page reader
//! and through the dispatcher the indexer calls; html5ever and the article scoring never panic.
#![no_main]

use attache::ingest::{Format, html, parse_file};
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = html::read(REL, data);
    attache_fuzz::check_parsed(&parsed, REL);
    assert!(parsed.reports.len() <= 1, "a page is one report");
    let dispatched = parse_file(REL, Format::Html, data);
    attache_fuzz::check_parsed(&dispatched, REL);
    assert!(dispatched.reports.iter().all(|r| !r.body.trim().is_empty()));
    assert_eq!(dispatched.reports.len() + dispatched.skipped.len().min(1), 1, "a page is read or skipped, once");
    // A feed item's HTML goes through the same cleaning.
    let text = attache_fuzz::text(data);
    let cleaned = html::fragment_text(&text);
    assert_eq!(cleaned, cleaned.trim(), "fragment text not trimmed");
});
