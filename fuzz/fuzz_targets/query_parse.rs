//! The query parser: any string parses to a well-formed tree or fails with `Error::Query`
//! naming a column in 1..=chars+1; never a panic, and the same answer twice.
#![no_main]

use attache::search::query::{FIELD_NAMES, LeafKind, MAX_FUZZY_DISTANCE, Node, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = attache_fuzz::text(data);
    let chars: Vec<char> = query.chars().collect();
    let result = parse(&query);
    match &result {
        Ok(node) => check_node(node, &chars),
        Err(error) => attache_fuzz::check_query_error(&query, error),
    }
    // Deterministic: the same query, the same tree or the same error.
    match (&result, &parse(&query)) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("parse({query:?}) changed its mind"),
    }
});

/// Whether the query's characters from 1-based `column` on start with `text`.
fn at(chars: &[char], column: usize, text: &str) -> bool {
    let mut rest = chars[column - 1..].iter();
    text.chars().all(|c| rest.next() == Some(&c))
}

fn check_node(node: &Node, chars: &[char]) {
    match node {
        Node::Group(children) => {
            assert!(!children.is_empty(), "empty group");
            for (_, child) in children {
                check_node(child, chars);
            }
        }
        Node::Leaf(leaf) => {
            assert!((1..=chars.len()).contains(&leaf.column), "leaf column {} outside the query", leaf.column);
            if let Some(field) = leaf.field {
                assert!(FIELD_NAMES.contains(&field), "unknown field {field:?}");
            }
            let word_ok =
                |w: &str| !w.is_empty() && !w.chars().any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"'));
            match &leaf.kind {
                LeafKind::Word(w) => {
                    assert!(word_ok(w), "bad word {w:?}");
                    assert!(at(chars, leaf.column, w), "word {w:?} is not at column {}", leaf.column);
                }
                LeafKind::Prefix(p) => {
                    assert!(word_ok(p) && !p.contains('*'), "bad prefix {p:?}");
                    assert!(at(chars, leaf.column, &format!("{p}*")), "prefix {p:?} is not at column {}", leaf.column);
                }
                LeafKind::Fuzzy(w, distance) => {
                    assert!(word_ok(w), "bad fuzzy word {w:?}");
                    assert!(*distance <= MAX_FUZZY_DISTANCE, "distance {distance}");
                    assert!(at(chars, leaf.column, &format!("{w}~")), "fuzzy {w:?} is not at column {}", leaf.column);
                }
                LeafKind::Phrase(text, slop) => {
                    assert!(*slop <= 100, "slop {slop}");
                    assert!(at(chars, leaf.column, &format!("\"{text}\"")), "phrase {text:?} not at {}", leaf.column);
                }
                LeafKind::DateRange(lo, hi) => {
                    assert_eq!(leaf.field, Some("date"), "a date range outside date:");
                    lo.iter().chain(hi).for_each(|d| attache_fuzz::check_day(d));
                }
            }
        }
    }
}
