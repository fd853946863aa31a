//! Plain-text reports: any text gives one report whose id and path are the file's, whose
//! body and title are lines of the input, trimmed; `ingest::parse` keeps it unless blank.
#![no_main]

use attache::ingest::{Format, Parsed, text};
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = attache_fuzz::text(data);
    let report = text::parse(REL, &input);
    attache_fuzz::check_report(&report, REL);
    assert_eq!(report.id, REL);
    // Nothing is invented: the body's lines and the title come from the input.
    let source = input.replace("\r\n", "\n").replace('\r', "\n");
    for line in report.body.lines() {
        assert!(source.contains(line), "body line {line:?} is not in the input");
    }
    if let Some(title) = &report.title {
        assert!(source.contains(title.as_str()), "title {title:?} is not in the input");
    }
    attache_fuzz::check_dispatch(Format::Text, &input, &Parsed { reports: vec![report], ..Parsed::default() });
});
