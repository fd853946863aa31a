//! Feeds: any bytes give valid reports with unique ids under the feed's path, or a reason;
//! a panic of the feed parser is caught and becomes a reason.
#![no_main]

use attache::ingest::{Format, feed, parse_file};
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    attache_fuzz::quiet_caught_panics();
    let parsed = feed::read(REL, data);
    attache_fuzz::check_parsed(&parsed, REL);
    assert!(!parsed.reports.is_empty() || !parsed.skipped.is_empty(), "a feed gave nothing and said nothing");
    let dispatched = parse_file(REL, Format::Feed, data);
    attache_fuzz::check_parsed(&dispatched, REL);
    for report in &dispatched.reports {
        assert_eq!(report.path, REL);
        assert!(report.id.starts_with(&format!("{REL}#")), "item id {:?} not under the feed", report.id);
    }
});
