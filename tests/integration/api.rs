//! The library as an embedding app uses it. Properties checked:
//! - the parser conventions reach the index (title/source from the footer, author header);
//! - filters by alias, author phrase, date range; phrase highlights are one span;
//! - passages and highlights obey the JSON contract (offsets into the body, text = slice);
//! - re-indexing is incremental: exactly the changed, added and deleted files are touched;
//! - an index built with other lexicons is refused; a second writer is refused.

use attache::{Error, Index, IndexSchema, SearchRequest, SearchResults};

use crate::corpus::{CALL_AUTHOR, CALL_WIRE, FEED_JSONL, SUMMIT_MD};
use crate::util::{TempCorpus, ids, lit, sync_into};

fn corpus() -> TempCorpus {
    let c = TempCorpus::new();
    c.write("wire.txt", CALL_WIRE)
        .write("author.txt", CALL_AUTHOR)
        .write("md/summit.md", SUMMIT_MD)
        .write("feeds/feed.jsonl", FEED_JSONL);
    c
}

fn search(index: &Index, query: &str) -> SearchResults {
    index.searcher().search(&SearchRequest::new(query)).unwrap_or_else(|e| panic!("{query}: {e}"))
}

#[test]
fn parsed_fields_reach_the_index() {
    let c = corpus();
    let (index, summary) = c.sync();
    assert_eq!((summary.num_added, summary.num_reports), (4, 5), "{summary:?}");
    let searcher = index.searcher();
    let wire = searcher.article("wire.txt").unwrap();
    assert_eq!(wire.report.title.as_deref(), Some("Putin and Trump Talk Iran and Ukraine in Hour-Long Call"));
    assert_eq!(wire.report.source.as_deref(), Some("Harbour Ledger"));
    assert!(!wire.report.body.contains("appeared first on"));
    let author = searcher.article("author.txt").unwrap();
    assert_eq!(author.report.author.as_deref(), Some("R.T. OKAFOR"));
    assert!(author.report.body.starts_with("Vladimir Putin told"));
    let gaza = searcher.article("feeds/feed.jsonl#gaza-1").unwrap();
    assert_eq!(gaza.report.author.as_deref(), Some("Omar Haddad"));
    assert_eq!(gaza.report.date.as_deref(), Some("2025-10-13"));
}

#[test]
fn leaders_and_topics_are_extracted() {
    let c = corpus();
    let (index, _) = c.sync();
    let searcher = index.searcher();
    let wire = searcher.article("wire.txt").unwrap();
    for leader in ["Donald Trump", "Vladimir Putin", "Volodymyr Zelenskyy"] {
        assert!(wire.leaders.iter().any(|l| l == leader), "{leader} in {:?}", wire.leaders);
    }
    for topic in ["Iran", "Ukraine", "NATO", "Weapons"] {
        assert!(wire.topics.iter().any(|t| t == topic), "{topic} in {:?}", wire.topics);
    }
    let author = searcher.article("author.txt").unwrap();
    assert!(author.leaders.iter().any(|l| l == "Yuri Ushakov"), "{:?}", author.leaders);
}

#[test]
fn filters_by_alias_author_and_date() {
    let c = corpus();
    let (index, _) = c.sync();
    assert_eq!(ids(&search(&index, "leader:zelensky")), ["wire.txt"]);
    assert_eq!(ids(&search(&index, "leader:ZELENSKIY")), ["wire.txt"]);
    assert_eq!(ids(&search(&index, "author:\"R.T. OKAFOR\"")), ["author.txt"]);
    let both = search(&index, "leader:putin topic:iran");
    let mut found = ids(&both);
    found.sort();
    assert_eq!(found, ["author.txt", "wire.txt"]);
    assert_eq!(ids(&search(&index, "date:2025-06")), ["md/summit.md"]);
    assert_eq!(search(&index, "date:[2025-05-01 TO 2025-10-31]").total_hits, 3);
    assert_eq!(ids(&search(&index, "tariffs date:{* TO 2025-06-01}")), ["feeds/feed.jsonl#tariffs-1"]);
}

#[test]
fn a_phrase_lights_as_one_span_and_its_words_alone_never() {
    let c = corpus();
    let (index, _) = c.sync();
    let results = search(&index, "\"root causes\"");
    assert_eq!(ids(&results), ["author.txt"]);
    assert_eq!(lit(&results.hits[0]), ["root causes"]);
}

#[test]
fn negated_and_field_scoped_words_are_never_lit() {
    let c = corpus();
    let (index, _) = c.sync();
    let results = search(&index, "iran -title:nuclear");
    assert_eq!(results.total_hits, 2);
    for hit in &results.hits {
        assert!(lit(hit).iter().all(|w| w.eq_ignore_ascii_case("iran")), "{:?}", lit(hit));
    }
    let results = search(&index, "title:putin iran");
    assert!(results.hits.iter().all(|h| !lit(h).iter().any(|w| w.contains("Putin"))));
}

#[test]
fn stemmed_variants_are_lit() {
    let c = corpus();
    let (index, _) = c.sync();
    let results = search(&index, "delivery");
    assert_eq!(ids(&results), ["wire.txt"]);
    assert_eq!(lit(&results.hits[0]), ["deliveries"]);
}

#[test]
fn passages_and_highlights_follow_the_json_contract() {
    let c = corpus();
    let (index, _) = c.sync();
    let searcher = index.searcher();
    for query in ["putin iran", "\"root causes\"", "nato OR tariffs", "sanction* OR zelenski~1", "weapons deliveries"] {
        let results = searcher.search(&SearchRequest::new(query).passages(3)).unwrap();
        for hit in &results.hits {
            let body = searcher.article(&hit.id).unwrap().report.body;
            assert!(!hit.passages.is_empty() && hit.passages.len() <= 3);
            for p in &hit.passages {
                assert_eq!(body.get(p.start..p.end), Some(p.text.as_str()), "{query}: {}", hit.id);
                for h in &p.highlights {
                    assert!(p.start <= h.start && h.start < h.end && h.end <= p.end);
                }
                assert!(p.highlights.windows(2).all(|w| w[0].end <= w[1].start));
            }
        }
    }
}

#[test]
fn results_round_trip_through_json() {
    let c = corpus();
    let (index, _) = c.sync();
    let results = index.searcher().search(&SearchRequest::new("putin").facets(true)).unwrap();
    let json = serde_json::to_string(&results).unwrap();
    let back: SearchResults = serde_json::from_str(&json).unwrap();
    assert_eq!(back, results);
    assert_eq!(results.facets.leaders.get("Vladimir Putin"), Some(&2));
}

#[test]
fn facets_count_sources_authors_and_months_of_the_matches() {
    let c = corpus();
    let (index, _) = c.sync();
    let all = "date:[* TO *] OR leader:putin";
    let results = index.searcher().search(&SearchRequest::new(all).facets(true)).unwrap();
    let f = &results.facets;
    assert_eq!(f.sources.get("Harbour Ledger"), Some(&1));
    assert_eq!(f.sources.get("Levant Courier"), Some(&1));
    assert_eq!(f.authors.get("R.T. OKAFOR"), Some(&1));
    assert_eq!(f.authors.get("Mei Lin"), Some(&1));
    // One bar per month with dated matches; undated reports count in no month.
    let months: Vec<(&str, u64)> = f.dates.iter().map(|(m, n)| (m.as_str(), *n)).collect();
    assert_eq!(months, [("2025-05", 1), ("2025-06", 1), ("2025-10", 1)]);

    let narrowed = index.searcher().search(&SearchRequest::new("date:2025-06").facets(true)).unwrap();
    assert_eq!(narrowed.facets.dates.keys().collect::<Vec<_>>(), ["2025-06"]);
    assert_eq!(narrowed.facets.authors.keys().collect::<Vec<_>>(), ["Ines Moreau"]);

    let stats = index.stats().unwrap();
    assert_eq!(stats.facets.dates.values().sum::<u64>(), 3);
    assert_eq!(stats.facets.sources, stats.sources);
}

#[test]
fn reindexing_touches_only_what_changed() {
    let c = corpus();
    let (index, _) = c.sync();
    let again = sync_into(&index, &c.root());
    assert_eq!((again.num_added, again.num_updated, again.num_deleted, again.num_unchanged), (0, 0, 0, 4));

    c.write("wire.txt", &CALL_WIRE.replace("Harbour Ledger", "Harbour Ledger Weekly"));
    c.write("new.txt", "TITLE: Sanctions widen\n\nThe EU adopted new sanctions on Russian oil exports.");
    c.remove("md/summit.md");
    let summary = sync_into(&index, &c.root());
    assert_eq!((summary.num_added, summary.num_updated, summary.num_deleted, summary.num_unchanged), (1, 1, 1, 2));
    assert_eq!(index.num_reports(), 5);
    assert_eq!(index.searcher().article("wire.txt").unwrap().report.source.as_deref(), Some("Harbour Ledger Weekly"));
    assert_eq!(ids(&search(&index, "sanctions")), ["new.txt"]);
    assert_eq!(search(&index, "rutte").total_hits, 0);
    assert_eq!(search(&index, "\"hour-long call\"").total_hits, 1, "the updated report is there once");
}

#[test]
fn an_index_built_with_other_lexicons_is_refused() {
    let c = corpus();
    let (index, _) = c.sync();
    drop(index);
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("topics.toml"), "[topic.x]\nname = \"X\"\nkind = \"theme\"\nterms = [\"x\"]\n")
        .unwrap();
    let schema = IndexSchema::from_dir(other.path()).unwrap();
    match Index::open(&c.index_path(), schema) {
        Err(Error::IncompatibleIndex { .. }) => {}
        other => panic!("expected IncompatibleIndex, got {other:?}"),
    }
}

#[test]
fn a_second_writer_is_refused() {
    let c = corpus();
    let (index, _) = c.sync();
    let _first = index.indexer().unwrap();
    assert!(matches!(index.indexer(), Err(Error::Locked { .. })));
}

#[test]
fn reports_from_memory_replace_by_id() {
    let index = Index::create_in_ram(IndexSchema::embedded().unwrap()).unwrap();
    let mut indexer = index.indexer().unwrap();
    indexer.add(&attache::Report::new("x", "First version about Iran.")).unwrap();
    indexer.commit().unwrap();
    indexer.add(&attache::Report::new("x", "Second version about Iran.")).unwrap();
    indexer.commit().unwrap();
    let results = search(&index, "iran");
    assert_eq!(results.total_hits, 1);
    assert!(results.hits[0].passages[0].text.starts_with("Second"));
}
