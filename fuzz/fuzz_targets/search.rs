//! A whole search over a small in-RAM index: any query returns results (hits from the index,
//! passages that are exact slices of the body with highlights inside them) or a query error
//! naming a column — never a panic, never another error.
#![no_main]

use std::sync::OnceLock;

use attache::{Index, IndexSchema, Report, SearchRequest, Searcher};
use libfuzzer_sys::fuzz_target;

fn reports() -> [Report; 2] {
    [
        Report::new(
            "wire/2025-07-03-call",
            "Vladimir Putin told Donald Trump by phone that Russia would not give up its aims in Ukraine. \
             The two leaders also talked about Iran, and Mr. Trump said sanctions stay.\n\n\
             \"We will see,\" Trump said. The Kremlin called the talk frank… Zelensky was not told.",
        )
        .title("Putin and Trump speak for an hour")
        .source("Example Wire")
        .author("A. Writer")
        .date("2025-07-03"),
        Report::new(
            "notes/2025-06-22-strikes.md",
            "American bombers struck Iranian nuclear sites at Fordow, Natanz and Isfahan. Tehran said \
             the strikes broke international law; the IAEA asked for access. NATO and the U.N. met.\n  \
             Emmanuel Macron urged restraint — «pas d'escalade» — in Paris. 北京 called for calm. 🕊️",
        )
        .title("US strikes Iran's nuclear sites")
        .date("2025-06-22"),
    ]
}

fn searcher() -> &'static Searcher {
    static SEARCHER: OnceLock<Searcher> = OnceLock::new();
    SEARCHER.get_or_init(|| {
        let index = Index::create_in_ram(IndexSchema::embedded().unwrap()).unwrap();
        let mut indexer = index.indexer().unwrap();
        for report in &reports() {
            indexer.add(report).unwrap();
        }
        indexer.commit().unwrap();
        drop(indexer);
        index.searcher()
    })
}

fuzz_target!(|data: &[u8]| {
    let query = attache_fuzz::text(data);
    // Odd lengths also explain the ranking, to reach that code too.
    let request = SearchRequest::new(query.as_ref()).limit(5).passages(2).facets(true).explain(data.len() % 2 == 1);
    match searcher().search(&request) {
        Ok(results) => {
            let reports = reports();
            assert!(results.total_hits <= reports.len(), "{} hits in a 2-report index", results.total_hits);
            assert!(results.hits.len() <= results.total_hits.min(5));
            for hit in &results.hits {
                let report =
                    reports.iter().find(|r| r.id == hit.id).unwrap_or_else(|| panic!("unknown id {:?}", hit.id));
                assert!(hit.score.is_finite(), "score {}", hit.score);
                assert!(hit.passages.len() <= 2);
                let body = &report.body;
                for passage in &hit.passages {
                    assert!(
                        passage.start < passage.end && passage.end <= body.len(),
                        "passage {}..{}",
                        passage.start,
                        passage.end
                    );
                    assert_eq!(Some(passage.text.as_str()), body.get(passage.start..passage.end), "passage text");
                    assert!(passage.score.is_finite());
                    let mut after = passage.start;
                    for h in &passage.highlights {
                        assert!(
                            after <= h.start && h.start < h.end && h.end <= passage.end,
                            "highlight {h:?} in {after}..{}",
                            passage.end
                        );
                        assert!(body.is_char_boundary(h.start) && body.is_char_boundary(h.end));
                        after = h.end;
                    }
                }
            }
        }
        Err(error) => attache_fuzz::check_query_error(&query, &error),
    }
});
