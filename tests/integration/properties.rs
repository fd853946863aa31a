//! Property tests (few cases: CI has two cores). Properties checked:
//! - the query parser never panics, and every error names a column inside the query (or just
//!   past its end);
//! - a full search of any query string on a real index returns results or a query error,
//!   never another error and never a panic; returned passages and highlights obey the
//!   JSON contract.

use attache::{Error, Index, IndexSchema, Report, SearchRequest};
use proptest::prelude::*;

fn query_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("putin".to_string()),
        Just("Iran".to_string()),
        Just("\"".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(" AND ".to_string()),
        Just(" OR ".to_string()),
        Just("NOT ".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just("*".to_string()),
        Just("~".to_string()),
        Just(":".to_string()),
        Just("leader:".to_string()),
        Just("date:".to_string()),
        Just("date:[2025-01-01 TO *]".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just(" TO ".to_string()),
        Just("\u{200f}".to_string()),
        Just("\u{0}".to_string()),
        Just("🇺🇦".to_string()),
        Just("Erdoğan".to_string()),
        Just(" ".to_string()),
        "[a-z]{1,8}".prop_map(|s| s),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn index() -> Index {
    let index = Index::create_in_ram(IndexSchema::embedded().unwrap()).unwrap();
    let mut indexer = index.indexer().unwrap();
    indexer
        .add(
            &Report::new("a", "Putin told Trump about Iran. The U.S. official said “root causes” matter.")
                .date("2025-07-03"),
        )
        .unwrap();
    indexer
        .add(&Report::new("b", "Erdoğan hosted talks in Istanbul; prisoners were exchanged. 🇺🇦 flags flew."))
        .unwrap();
    indexer.commit().unwrap();
    index
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_query_parser_never_panics_and_columns_are_in_range(query in query_strategy()) {
        if let Err(Error::Query { column, .. }) = attache::search::query::parse(&query) {
            prop_assert!(column >= 1 && column <= query.chars().count() + 1, "column {column} in {query:?}");
        }
    }

    #[test]
    fn any_query_searches_or_fails_as_a_query_error(query in query_strategy()) {
        let index = INDEX.with(|i| i.clone());
        match index.searcher().search(&SearchRequest::new(&query).passages(2)) {
            Ok(results) => {
                for hit in &results.hits {
                    for p in &hit.passages {
                        prop_assert!(p.start <= p.end);
                        for h in &p.highlights {
                            prop_assert!(p.start <= h.start && h.start < h.end && h.end <= p.end);
                        }
                    }
                }
            }
            Err(Error::Query { column, .. }) => prop_assert!(column >= 1 && column <= query.chars().count() + 1),
            Err(other) => prop_assert!(false, "{query:?}: {other}"),
        }
    }
}

thread_local! {
    static INDEX: Index = index();
}

#[test]
fn a_100_kb_query_is_handled() {
    let query = "putin iran ".repeat(10_000);
    let results = INDEX.with(|i| i.searcher().search(&SearchRequest::new(&query))).unwrap();
    assert!(results.total_hits >= 1);
    let unbalanced = format!("{query}(");
    assert!(matches!(INDEX.with(|i| i.searcher().search(&SearchRequest::new(&unbalanced))), Err(Error::Query { .. })));
}
