//! Regression tests, named `issue_N_<what>` with a `// Regression: #N` line.

use attache::SearchRequest;

use crate::util::TempCorpus;

#[test]
fn issue_2_author_header_without_blank_line_leaves_the_body() {
    // Regression: #2 — the seed 004 has `AUTHOR:` directly followed by the first paragraph.
    let c = TempCorpus::new();
    c.write("004.txt", "AUTHOR: M.J. GDNUS\nRussian President Vladimir Putin said talks would go on.");
    let (index, _) = c.sync();
    let results = index.searcher().search(&SearchRequest::new("author:\"M.J. GDNUS\"")).unwrap();
    assert_eq!(results.total_hits, 1);
    assert!(results.hits[0].passages[0].text.starts_with("Russian President"));
}

#[test]
fn issue_21_a_date_range_open_at_both_ends_is_every_dated_article() {
    // Regression: #21 — `date:[* TO *]` (a search page's unset date filter) panicked in
    // tantivy's range query, which needs one bound.
    let c = TempCorpus::new();
    c.write("dated.txt", "DATE: 2025-06-02\n\nTalks on Iran resumed.");
    c.write("undated.txt", "Talks on Iran stalled.");
    let (index, _) = c.sync();
    for query in ["date:[* TO *]", "date:{* TO *} iran"] {
        let results = index.searcher().search(&SearchRequest::new(query)).unwrap();
        assert_eq!(crate::util::ids(&results), ["dated.txt"], "{query}");
    }
}
