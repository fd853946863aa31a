//! JSON and JSON Lines reports.
//!
//! A `.json` file holds one object or an array of objects; a `.jsonl` file one object a
//! line. Known keys map to fields (`title`/`headline`, `author`/`byline`,
//! `source`/`publisher`, `date`/`published`, `url`, `body`/`text`/`content`, `language`,
//! `dateline`);
//! unknown keys are ignored. A record's id is `PATH#<its "id">` when it has one (string or
//! number, unique in the file), else `PATH#N` with N its 0-based position. A broken JSONL
//! line is reported with its line number and the other lines are still indexed.

use serde_json::{Map, Value};

use super::text::Header;
use super::{Parsed, SkipReason, Skipped};
use crate::Report;

const BODY_KEYS: [&str; 5] = ["body", "text", "content", "article", "story"];

/// Parses a `.json` file.
pub fn parse_json(rel: &str, text: &str) -> Parsed {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return skip_file(rel, json_error(&e, 0)),
    };
    match value {
        Value::Object(map) => records(rel, vec![(0, None, map)]),
        Value::Array(items) => {
            let mut maps = Vec::new();
            let mut parsed = Parsed::default();
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(map) => maps.push((i, None, map)),
                    other => parsed.skipped.push(Skipped {
                        path: format!("{rel}#{i}"),
                        reason: SkipReason::Shape {
                            message: format!("array item {i} is {}, not an object", kind(&other)),
                        },
                    }),
                }
            }
            let mut out = records(rel, maps);
            out.skipped.extend(parsed.skipped);
            out
        }
        other => skip_file(
            rel,
            SkipReason::Shape { message: format!("expected an object or an array of objects, found {}", kind(&other)) },
        ),
    }
}

/// Parses a `.jsonl` file.
pub fn parse_lines(rel: &str, text: &str) -> Parsed {
    let mut maps = Vec::new();
    let mut skipped = Vec::new();
    let mut record = 0;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => maps.push((record, Some(line_no), map)),
            Ok(other) => skipped.push(Skipped {
                path: rel.to_string(),
                reason: SkipReason::Shape {
                    message: format!("line {line_no}: expected an object, found {}", kind(&other)),
                },
            }),
            Err(e) => skipped.push(Skipped { path: rel.to_string(), reason: json_error(&e, i) }),
        }
        record += 1;
    }
    let mut parsed = records(rel, maps);
    parsed.skipped.extend(skipped);
    parsed
}

fn skip_file(rel: &str, reason: SkipReason) -> Parsed {
    Parsed { skipped: vec![Skipped { path: rel.to_string(), reason }], ..Parsed::default() }
}

fn json_error(e: &serde_json::Error, line_offset: usize) -> SkipReason {
    SkipReason::Json {
        line: e.line() + line_offset,
        column: e.column(),
        message: e.to_string().split(" at line").next().unwrap_or_default().to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Turns objects into reports, giving each a unique id.
fn records(rel: &str, maps: Vec<(usize, Option<usize>, Map<String, Value>)>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut seen = std::collections::HashSet::new();
    for (position, line, map) in maps {
        let own_id = map.get("id").and_then(scalar).filter(|id| !id.trim().is_empty());
        let mut id = match own_id {
            Some(own) => format!("{rel}#{own}"),
            None => format!("{rel}#{position}"),
        };
        // A taken id falls back to the position, then to `position-N`: the position itself
        // may be another record's own id (found by fuzzing).
        let mut n = 1;
        while !seen.insert(id.clone()) {
            id = if n == 1 { format!("{rel}#{position}") } else { format!("{rel}#{position}-{n}") };
            n += 1;
        }
        let mut report = Report::new(id, "");
        report.path = rel.to_string();
        for (key, value) in &map {
            if let Some(header) = Header::from_key(key)
                && let Some(text) = text_of(value)
            {
                header.fill(&mut report, &text);
            }
        }
        let body = BODY_KEYS.iter().find_map(|k| map.get(*k).and_then(text_of));
        match body {
            Some(body) => {
                report.body = super::normalize_newlines(&body).trim().to_string();
                parsed.reports.push(report);
            }
            None => {
                let at = line.map_or(String::new(), |l| format!("line {l}: "));
                parsed.skipped.push(Skipped {
                    path: report.id,
                    reason: SkipReason::Shape { message: format!("{at}record has no body, text or content") },
                });
            }
        }
    }
    parsed
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Text of a field value: strings and numbers as is, lists of strings joined, `{name}` objects.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text_of).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(map) => map.get("name").and_then(scalar),
        other => scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object() {
        let p = parse_json(
            "a.json",
            r#"{"title":"T","byline":"B","publisher":"P","published":"2025-01-02","text":"Body.","section":"x"}"#,
        );
        let r = &p.reports[0];
        assert_eq!(r.id, "a.json#0");
        assert_eq!((r.title.as_deref(), r.author.as_deref(), r.source.as_deref()), (Some("T"), Some("B"), Some("P")));
        assert_eq!(r.date.as_deref(), Some("2025-01-02"));
        assert_eq!(r.body, "Body.");
    }

    #[test]
    fn a_dateline_key_names_the_place_without_its_date() {
        let p = parse_lines("a.jsonl", "{\"dateline\":\"SALVADOR, Feb 26\",\"body\":\"Showers continued.\"}\n");
        assert_eq!(p.reports[0].dateline.as_deref(), Some("SALVADOR"));
    }

    #[test]
    fn array_with_own_ids_and_a_bad_item() {
        let p = parse_json("f/a.json", r#"[{"id":"x1","body":"One"},{"id":7,"content":"Two"},3,{"body":"Three"}]"#);
        let ids: Vec<&str> = p.reports.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["f/a.json#x1", "f/a.json#7", "f/a.json#3"]);
        assert!(p.reports.iter().all(|r| r.path == "f/a.json"));
        assert_eq!(p.skipped.len(), 1);
    }

    #[test]
    fn duplicate_ids_fall_back_to_positions() {
        let p = parse_json("a.json", r#"[{"id":"x","body":"One"},{"id":"x","body":"Two"}]"#);
        assert_eq!(p.reports[1].id, "a.json#1");
    }

    #[test]
    fn a_fallback_id_never_repeats_an_own_id() {
        // Found by the ingest_json fuzz target: the second record's own id "1" was taken, and
        // its position fallback `a.json#1` was taken too, so two reports shared an id.
        let p = parse_json("a.json", r#"[{"id":"1","body":"One"},{"id":"1","body":"Two"},{"id":"2","body":"3"}]"#);
        let ids: Vec<&str> = p.reports.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a.json#1", "a.json#1-2", "a.json#2"]);
        let p = parse_lines("a.jsonl", "{\"id\":1,\"body\":\"x\"}\n{\"body\":\"y\"}\n");
        let ids: Vec<&str> = p.reports.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a.jsonl#1", "a.jsonl#1-2"]);
    }

    #[test]
    fn jsonl_reports_bad_lines_and_keeps_good_ones() {
        let p = parse_lines("a.jsonl", "{\"body\":\"One\"}\n{broken\n\n[1]\n{\"body\":\"Four\"}\n");
        assert_eq!(p.reports.len(), 2);
        assert_eq!(p.reports[1].id, "a.jsonl#3");
        assert!(matches!(p.skipped[0].reason, SkipReason::Json { line: 2, .. }), "{:?}", p.skipped);
        assert!(matches!(&p.skipped[1].reason, SkipReason::Shape { message } if message.starts_with("line 4")));
    }

    #[test]
    fn wrong_shape_and_broken_json() {
        assert!(matches!(parse_json("a.json", "42").skipped[0].reason, SkipReason::Shape { .. }));
        assert!(matches!(parse_json("a.json", "{\n\"a\": }").skipped[0].reason, SkipReason::Json { line: 2, .. }));
    }

    #[test]
    fn record_without_body_is_skipped() {
        let p = parse_json("a.json", r#"{"title":"Only a title"}"#);
        assert!(p.reports.is_empty());
        assert_eq!(p.skipped[0].path, "a.json#0");
    }
}
