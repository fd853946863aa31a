//! Searches on small in-RAM indexes. Checked here:
//! - highlights are exact: stemmed variants lit, a phrase one span per occurrence, negated
//!   and field-scoped words never lit in the body, prefix and fuzzy expansions lit;
//! - the passage shown first is the one with the query's words;
//! - function words do not rank unless they are all the query has;
//! - the re-ranker keeps the boolean structure and explains itself;
//! - `Searcher::highlight` lights in a whole body exactly what the search lights in its
//!   passages, and more only outside them;
//! - properties: for any bodies, passages are in bounds, on char boundaries and disjoint,
//!   and highlights sorted, disjoint, inside their passage.

use proptest::prelude::*;

use super::*;
use crate::{IndexSchema, Report};

fn index(reports: &[Report]) -> crate::Result<Index> {
    let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    for r in reports {
        indexer.add(r)?;
    }
    indexer.commit()?;
    index.reload()?;
    Ok(index)
}

/// The lit words of each hit, in rank order: (id, [lit text per passage, in passage order]).
fn lit(index: &Index, request: SearchRequest) -> crate::Result<Vec<(String, Vec<Vec<String>>)>> {
    let results = index.searcher().search(&request)?;
    Ok(results
        .hits
        .iter()
        .map(|h| {
            let passages = h
                .passages
                .iter()
                .map(|p| {
                    p.highlights
                        .iter()
                        .map(|x| p.text.get(x.start - p.start..x.end - p.start).unwrap_or("?").to_string())
                        .collect()
                })
                .collect();
            (h.id.clone(), passages)
        })
        .collect())
}

const TALKS: &str = "Envoys talked for hours. The talks ended at dawn, talking points unchanged.";
const CAUSES: &str = "He named the root causes of the war. Some doubt those root causes. The root is deep.";

#[test]
fn stemmed_variants_of_a_word_are_lit() -> crate::Result<()> {
    let index = index(&[Report::new("a", TALKS)])?;
    let hits = lit(&index, SearchRequest::new("talks").passages(1))?;
    assert_eq!(hits[0].1, [["talked", "talks", "talking"]]);
    Ok(())
}

#[test]
fn a_phrase_is_one_span_per_occurrence() -> crate::Result<()> {
    let index = index(&[Report::new("a", CAUSES)])?;
    let hits = lit(&index, SearchRequest::new("\"root causes\"").passages(1))?;
    assert_eq!(hits[0].1, [["root causes", "root causes"]]);
    Ok(())
}

#[test]
fn negated_and_title_scoped_words_are_never_lit() -> crate::Result<()> {
    let index = index(&[
        Report::new("a", "Iran said the nuclear talks would resume.").title("Iran talks"),
        Report::new("b", "Iran and Putin: nuclear plans.").title("Putin on Iran"),
    ])?;
    let hits = lit(&index, SearchRequest::new("iran -title:nuclear").passages(1))?;
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|(_, p)| p == &[["Iran"]]), "{hits:?}");
    let hits = lit(&index, SearchRequest::new("title:putin iran").passages(1))?;
    assert_eq!(hits[0].0, "b");
    assert!(hits.iter().all(|(_, p)| p.iter().flatten().all(|w| w == "Iran")), "{hits:?}");
    Ok(())
}

#[test]
fn prefix_and_fuzzy_expansions_are_lit() -> crate::Result<()> {
    let index = index(&[Report::new("a", "Sanctioned banks face sanctions, Zelensky said.")])?;
    assert_eq!(lit(&index, SearchRequest::new("sanction*").passages(1))?[0].1, [["Sanctioned", "sanctions"]]);
    assert_eq!(lit(&index, SearchRequest::new("zelenski~1").passages(1))?[0].1, [["Zelensky"]]);
    Ok(())
}

#[test]
fn the_first_passage_is_the_one_with_the_query_words() -> crate::Result<()> {
    let body = "Putin spoke with Trump for an hour about the war and about Iran.\n\n\
                They discussed the exchange of prisoners of war and of fallen soldiers.\n\n\
                Trump again raised a swift end to the war; Putin said Russia keeps its goals.";
    let index = index(&[Report::new("a", body), Report::new("b", "Prisoners were freed in Gaza.")])?;
    let results = index.searcher().search(&SearchRequest::new("prisoners exchange").passages(3))?;
    let hit = results.hits.iter().find(|h| h.id == "a").ok_or(Error::NotFound { id: "a".into() })?;
    assert!(hit.passages[0].text.starts_with("They discussed the exchange of prisoners"), "{:?}", hit.passages);
    assert_eq!(results.hits[0].id, "a", "both words beat one");
    Ok(())
}

#[test]
fn function_words_do_not_rank_unless_they_are_all_there_is() -> crate::Result<()> {
    let index = index(&[
        Report::new("a", "The the the of of of which which which. A ceasefire was mentioned once, in passing."),
        Report::new("b", "Ceasefire talks: the ceasefire holds and the ceasefire monitors report."),
    ])?;
    let ids = |q: &str| -> crate::Result<Vec<String>> {
        Ok(index.searcher().search(&SearchRequest::new(q))?.hits.into_iter().map(|h| h.id).collect())
    };
    assert_eq!(ids("the ceasefire of which")?, ["b", "a"]);
    // Only function words: kept, so the query still finds something.
    assert_eq!(ids("the of which")?.first().map(String::as_str), Some("a"));
    // Phrases keep their function words.
    assert_eq!(ids("\"the ceasefire holds\"")?, ["b"]);
    Ok(())
}

#[test]
fn reranking_keeps_filters_and_exclusions() -> crate::Result<()> {
    let index = index(&[
        Report::new("a", "Iran talks resumed in Vienna with inspectors."),
        Report::new("b", "Iran talks and nuclear sanctions were discussed."),
        Report::new("c", "Talks in Geneva about trade."),
    ])?;
    let ids = |q: &str| -> crate::Result<Vec<String>> {
        Ok(index.searcher().search(&SearchRequest::new(q))?.hits.into_iter().map(|h| h.id).collect())
    };
    assert_eq!(ids("iran talks -nuclear")?, ["a", "c"]);
    assert_eq!(ids("+geneva talks")?, ["c"]);
    let mut all = ids("talks")?;
    all.sort();
    assert_eq!(all, ["a", "b", "c"]);
    Ok(())
}

#[test]
fn explain_lists_terms_fields_and_the_combination() -> crate::Result<()> {
    let index = index(&[
        Report::new("a", "Iran talks resumed in Vienna with inspectors.").title("Iran talks"),
        Report::new("b", "Trade talks in Geneva."),
    ])?;
    let results = index.searcher().search(&SearchRequest::new("iran talks").explain(true))?;
    let e = results.hits[0].explain.as_ref().ok_or(Error::NotFound { id: "explain".into() })?;
    assert!(e.document.is_some() && e.best_passage.is_some());
    // Title and body are scored together (BM25F).
    assert!(e.terms.iter().any(|t| t.term == "iran" && t.field == "title+body" && !t.is_expansion), "{:?}", e.terms);
    // Field by field without BM25F.
    let separate = SearchRequest::new("iran talks").explain(true).ranking(Ranking::default().bm25f(false));
    let results_separate = index.searcher().search(&separate)?;
    let e2 = results_separate.hits[0].explain.as_ref().ok_or(Error::NotFound { id: "explain".into() })?;
    assert!(e2.terms.iter().any(|t| t.term == "iran" && t.field == "title" && !t.is_expansion), "{:?}", e2.terms);
    assert!(e2.terms.iter().any(|t| t.term == "iran" && t.field == "body"));
    let lambda = e.passage_weight.unwrap_or_default();
    let combined = (1.0 - lambda) * e.document.unwrap_or_default() + lambda * e.best_passage.unwrap_or_default();
    assert!((combined - results.hits[0].score).abs() < 1e-4);
    // Not asked, not given.
    assert!(index.searcher().search(&SearchRequest::new("iran"))?.hits[0].explain.is_none());
    Ok(())
}

#[test]
fn the_tantivy_ranking_is_the_first_pass_as_retrieved() -> crate::Result<()> {
    let index = index(&[Report::new("a", "Iran talks."), Report::new("b", "Iran, Iran and Iran.")])?;
    let results = index.searcher().search(&SearchRequest::new("the iran").ranking(Ranking::tantivy()).explain(true))?;
    for hit in &results.hits {
        let e = hit.explain.as_ref().ok_or(Error::NotFound { id: "explain".into() })?;
        assert_eq!((e.document, e.retrieval), (None, hit.score));
        // The per-term lines add up to tantivy's score (the word `the` included).
        let sum: f32 = e.terms.iter().map(|t| t.score).sum();
        assert!((sum - hit.score).abs() < 1e-3 * hit.score, "{sum} vs {}", hit.score);
    }
    Ok(())
}

fn body_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Iran ".to_string()),
        Just("talks ".to_string()),
        Just("talking. ".to_string()),
        Just("root causes ".to_string()),
        Just("U.S. ".to_string()),
        Just("Erdoğan’s ".to_string()),
        Just("🇺🇦 ".to_string()),
        Just("\n\n".to_string()),
        Just(". ".to_string()),
        "[a-z]{1,6} ",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 1..120).prop_map(|v| v.concat())
}

#[test]
fn highlighting_a_whole_body_agrees_with_the_passages() -> crate::Result<()> {
    let sentences: Vec<String> = (0..40)
        .map(|i| match i % 5 {
            0 => format!("Sentence {i}: envoys held talks on Iran's nuclear programme."),
            1 => format!("Sentence {i}: the weather in Geneva was mild."),
            2 => format!("Sentence {i}: Oman hosted the talking, not Qatar."),
            _ => format!("Sentence {i}: nothing to report on that front."),
        })
        .collect();
    let body = sentences.join(" ");
    let index = index(&[Report::new("long.txt", &body)])?;
    let searcher = index.searcher();
    let query = "\"nuclear programme\" talks -syria";
    let all = searcher.highlight(query, &body)?;
    let lit: Vec<&str> = all.iter().map(|h| &body[h.range()]).collect();
    assert_eq!(lit.iter().filter(|w| **w == "nuclear programme").count(), 8);
    assert_eq!(lit.iter().filter(|w| **w == "talking").count(), 8, "stemmed variants too");
    assert!(!lit.contains(&"Qatar") && !lit.contains(&"Geneva"));
    assert!(all.windows(2).all(|w| w[0].end <= w[1].start), "sorted and disjoint");
    let results = searcher.search(&SearchRequest::new(query).passages(3))?;
    for p in &results.hits[0].passages {
        let inside: Vec<Highlight> = all.iter().copied().filter(|h| h.start >= p.start && h.end <= p.end).collect();
        assert_eq!(inside, p.highlights);
    }
    assert!(matches!(searcher.highlight("\"unclosed", &body), Err(Error::Query { column: 1, .. })));
    assert!(searcher.highlight("leader:putin", &body)?.is_empty(), "filters light nothing");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// For any bodies and a handful of queries: every passage is `body[start..end]` on char
    /// boundaries, a hit's passages are disjoint, and its highlights are sorted, disjoint,
    /// on char boundaries and inside their passage.
    #[test]
    fn passages_and_highlights_obey_the_contract(bodies in prop::collection::vec(body_strategy(), 1..4)) {
        let reports: Vec<Report> =
            bodies.iter().enumerate().map(|(i, b)| Report::new(format!("{i}.txt"), b.clone())).collect();
        let index = index(&reports).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for query in ["iran talks", "\"root causes\"", "talk* -erdogan", "erdogan~1 iran", "the u s"] {
            let request = SearchRequest::new(query).passages(5);
            let results = index.searcher().search(&request).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for hit in &results.hits {
                let body = &bodies[hit.id.trim_end_matches(".txt").parse::<usize>().unwrap_or(0)];
                let mut ranges: Vec<(usize, usize)> = Vec::new();
                for p in &hit.passages {
                    prop_assert!(p.start < p.end && p.end <= body.len());
                    prop_assert_eq!(body.get(p.start..p.end), Some(p.text.as_str()));
                    let mut at = p.start;
                    for h in &p.highlights {
                        prop_assert!(h.start >= at && h.start < h.end && h.end <= p.end, "{:?} in {:?}", h, p);
                        prop_assert!(body.is_char_boundary(h.start) && body.is_char_boundary(h.end));
                        at = h.end;
                    }
                    ranges.push((p.start, p.end));
                }
                ranges.sort_unstable();
                prop_assert!(ranges.windows(2).all(|w| w[0].1 <= w[1].0), "{:?}", ranges);
            }
        }
    }
}

#[test]
fn a_leader_filter_finds_the_lexicon_holder_and_a_discovered_namesake() -> crate::Result<()> {
    // 1987: the lexicon's Benigno Aquino III does not apply yet, so discovery stores the
    // President under the name the report gives.
    let old =
        Report::new("old", "President Aquino of the Philippines met the army chiefs. Aquino said the coup failed.")
            .date("1987-08-29");
    let new = Report::new("new", "President Benigno Aquino III met the army chiefs in Manila.").date("2015-03-01");
    let index = index(&[old, new])?;
    let found = |q: &str| -> crate::Result<Vec<String>> {
        let mut ids: Vec<String> =
            index.searcher().search(&SearchRequest::new(q))?.hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        Ok(ids)
    };
    let stored = index.searcher().article("old")?.leaders;
    assert!(stored.iter().any(|l| l.contains("Aquino")), "{stored:?}");
    for q in ["leader:aquino", "leader:Aquino army"] {
        let ids = found(q)?;
        assert!(ids.contains(&"old".to_string()), "{q}: {ids:?} (old has {stored:?})");
    }
    assert_eq!(found("leader:zelensky")?, Vec::<String>::new());
    Ok(())
}

/// Four reports naming leaders, for the facet tests.
const FACET_TEXTS: [&str; 4] = [
    "Putin spoke with Trump about Iran.",
    "Zelenskyy met Macron in Paris to discuss Ukraine.",
    "Putin and Erdogan discussed grain exports through Turkey.",
    "Trump said Iran must not have nuclear weapons.",
];

/// Facet counts over several segments (each committed apart) equal the counts of the matching
/// articles' stored tags, and a searcher keeps counting right after a new segment arrives.
#[test]
fn facets_count_every_match_across_segments() -> crate::Result<()> {
    let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    let texts = FACET_TEXTS;
    let mut expected: std::collections::BTreeMap<String, u64> = Default::default();
    let searcher = index.searcher();
    for (round, text) in texts.iter().enumerate() {
        let entities = indexer.add(&Report::new(format!("r{round}"), *text))?;
        indexer.commit()?;
        index.reload()?;
        for tag in &entities.leaders {
            *expected.entry(tag.name.clone()).or_default() += 1;
        }
        let results = searcher.search(&SearchRequest::new("putin OR trump OR zelenskyy OR macron").facets(true))?;
        assert_eq!(results.facets.leaders, expected, "after {} segments", round + 1);
    }
    assert!(index.reader.searcher().segment_readers().len() > 1);
    Ok(())
}

/// Facet counts equal the stored tags' counts whether a segment counts its matches' values
/// or, when most of it matches, every value less those of the documents that do not match
/// (deleted ones among them); and a search after another (reusing its cleared totals)
/// counts from zero.
#[test]
fn facets_count_the_same_for_narrow_and_broad_queries() -> crate::Result<()> {
    let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    let texts = FACET_TEXTS;
    // Which texts each query matches: half, a quarter, three quarters, all.
    let queries: [(&str, &[usize]); 4] = [
        ("putin", &[0, 2]),
        ("macron", &[1]),
        ("putin OR trump", &[0, 2, 3]),
        ("putin OR trump OR macron", &[0, 1, 2, 3]),
    ];
    let mut leaders = Vec::new();
    for (segment, reports) in [600, 90].into_iter().enumerate() {
        for i in 0..reports {
            let entities = indexer.add(&Report::new(format!("r{segment}-{i}"), texts[i % texts.len()]))?;
            leaders.push((format!("r{segment}-{i}"), i % texts.len(), entities.leaders));
        }
        indexer.commit()?;
    }
    // Every seventh report of the first commit deleted: its values stay in the segment.
    for i in (0..600).step_by(7) {
        indexer.delete(&format!("r0-{i}"));
    }
    indexer.commit()?;
    index.reload()?;
    assert!(index.reader.searcher().segment_readers().len() >= 2);
    let searcher = index.searcher();
    for _ in 0..2 {
        for (query, matched) in queries {
            let mut expected: std::collections::BTreeMap<String, u64> = Default::default();
            for (id, text, tags) in &leaders {
                let deleted = id.strip_prefix("r0-").and_then(|i| i.parse::<usize>().ok()).is_some_and(|i| i % 7 == 0);
                if matched.contains(text) && !deleted {
                    for tag in tags {
                        *expected.entry(tag.name.clone()).or_default() += 1;
                    }
                }
            }
            let results = searcher.search(&SearchRequest::new(query).facets(true))?;
            assert_eq!(results.facets.leaders, expected, "{query}");
        }
    }
    Ok(())
}

/// With more sources than a facet lists, the sources listed are the most frequent, ties by
/// name, with their exact counts: the same cut as sorting every source.
#[test]
fn facets_list_the_most_frequent_values_with_exact_counts() -> crate::Result<()> {
    let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    // 250 sources, source k in 1 + k % 7 reports (many ties at every count), over two commits.
    let mut n = 0;
    for k in 0..250u64 {
        let source = format!("Outlet {k:03}");
        for _ in 0..=k % 7 {
            indexer.add(&Report::new(format!("r{n}"), "Putin spoke with Trump about Iran.").source(source.clone()))?;
            *counts.entry(source.clone()).or_default() += 1;
            n += 1;
            if n == 400 {
                indexer.commit()?;
            }
        }
    }
    indexer.commit()?;
    index.reload()?;
    let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    sorted.truncate(crate::search::FACET_LIMIT);
    let expected: std::collections::BTreeMap<String, u64> = sorted.into_iter().collect();
    for _ in 0..2 {
        let results = index.searcher().search(&SearchRequest::new("putin").facets(true))?;
        assert_eq!(results.facets.sources, expected);
    }
    Ok(())
}
