//! Invariants shared by the fuzz targets: what every parsed [`Report`] and every query error
//! must satisfy, whatever the input.

use attache::Report;
use attache::ingest::{Parsed, SkipReason};

/// The path every ingest target parses under; dated, so `ingest::parse` takes the file's day.
pub const REL: &str = "fuzz/2025-07-03_report";

/// The fuzzer's bytes as text: lossily, so every input reaches the parser.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A day as the index stores it: `YYYY-MM-DD`, valid, and read back unchanged.
pub fn check_day(day: &str) {
    let b = day.as_bytes();
    assert!(
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()),
        "date {day:?} is not YYYY-MM-DD"
    );
    assert_eq!(attache::date::parse_day(day).as_deref(), Some(day), "date {day:?} does not read back");
}

/// A report as any parser must produce it: its id under `rel`, its path `rel`, text trimmed
/// and free of carriage returns, metadata present only when non-blank, a well-formed date.
pub fn check_report(report: &Report, rel: &str) {
    assert!(report.id == rel || report.id.starts_with(&format!("{rel}#")), "id {:?} not under {rel:?}", report.id);
    assert_eq!(report.path, rel, "path of {:?}", report.id);
    assert_eq!(report.body, report.body.trim(), "body not trimmed");
    assert!(!report.body.contains('\r'), "body keeps a carriage return");
    for (name, value) in [
        ("title", &report.title),
        ("author", &report.author),
        ("source", &report.source),
        ("url", &report.url),
        ("language", &report.language),
    ] {
        if let Some(value) = value {
            assert!(!value.trim().is_empty(), "{name} is blank: {value:?}");
            assert_eq!(value, value.trim(), "{name} not trimmed");
        }
    }
    if let Some(day) = &report.date {
        check_day(day);
    }
}

/// Everything a parser returns: reports valid with unique ids, every skip and warning
/// under `rel`.
pub fn check_parsed(parsed: &Parsed, rel: &str) {
    let mut ids = std::collections::HashSet::new();
    for report in &parsed.reports {
        check_report(report, rel);
        assert!(ids.insert(report.id.as_str()), "duplicate id {:?}", report.id);
    }
    for skipped in &parsed.skipped {
        assert!(skipped.path == rel || skipped.path.starts_with(&format!("{rel}#")), "skip path {:?}", skipped.path);
        assert!(!skipped.reason.to_string().is_empty());
    }
    for warning in &parsed.warnings {
        assert_eq!(warning.path, rel);
        assert!(!warning.message.is_empty());
    }
}

/// `ingest::parse`, the dispatcher the indexer calls: the format parser's reports minus the
/// blank ones (each skipped as empty), dated from the file name when they had no date.
pub fn check_dispatch(format: attache::ingest::Format, text: &str, direct: &Parsed) {
    let parsed = attache::ingest::parse(REL, format, text);
    check_parsed(&parsed, REL);
    let blank = direct.reports.iter().filter(|r| r.body.trim().is_empty()).count();
    assert_eq!(parsed.reports.len() + blank, direct.reports.len(), "reports lost or invented by ingest::parse");
    assert_eq!(parsed.skipped.len(), direct.skipped.len() + blank);
    assert!(parsed.skipped.iter().rev().take(blank).all(|s| s.reason == SkipReason::Empty));
    for report in &parsed.reports {
        assert!(!report.body.trim().is_empty());
        assert!(report.date.is_some(), "a report of a dated file has no date");
    }
}

/// A query error: `Error::Query` with a 1-based column no further than one past the end.
pub fn check_query_error(query: &str, error: &attache::Error) {
    match error {
        attache::Error::Query { column, message } => {
            let chars = query.chars().count();
            assert!((1..=chars + 1).contains(column), "column {column} outside 1..={} for {query:?}", chars + 1);
            assert!(!message.is_empty());
        }
        other => panic!("query {query:?} failed with a non-query error: {other:?}"),
    }
}

/// Silences the panic hook, so that a panic the code under test catches on purpose (around
/// the feed and PDF crates) is not reported by libFuzzer's hook as a crash. A panic that
/// escapes the code under test still fails the target: libfuzzer-sys aborts on it.
pub fn quiet_caught_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}
