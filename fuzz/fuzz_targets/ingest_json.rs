//! `.json` files: an object is one record, an array one record per item; every record
//! becomes a report or a skip with its reason (never lost silently, never doubled); JSON
//! that does not parse is one skip naming line and column.
#![no_main]

use attache::SkipReason;
use attache::ingest::{Format, json};
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let input = attache_fuzz::text(data);
    let parsed = json::parse_json(REL, &input);
    attache_fuzz::check_parsed(&parsed, REL);
    let records = parsed.reports.len() + parsed.skipped.len();
    match serde_json::from_str::<Value>(&input) {
        Err(_) => {
            assert!(parsed.reports.is_empty());
            assert!(
                matches!(parsed.skipped[..], [attache::Skipped { reason: SkipReason::Json { line, .. }, .. }] if line >= 1),
                "broken JSON: {:?}",
                parsed.skipped
            );
        }
        Ok(Value::Object(_)) => assert_eq!(records, 1, "an object is one record"),
        Ok(Value::Array(items)) => assert_eq!(records, items.len(), "an array of {} items", items.len()),
        Ok(_) => {
            assert!(parsed.reports.is_empty());
            assert!(matches!(parsed.skipped[..], [attache::Skipped { reason: SkipReason::Shape { .. }, .. }]));
        }
    }
    attache_fuzz::check_dispatch(Format::Json, &input, &parsed);
});
