//! attache embedded in another app: reports built in memory, indexed in RAM, searched, and
//! the best passages printed with their matches marked — all through the library API.
//!
//! Run with `cargo run --example embed`.

use attache::{Index, IndexSchema, Passage, Report, SearchRequest};

fn main() -> attache::Result<()> {
    // # Build an index
    //
    // An app with its own records builds `Report`s itself; ids are whatever is stable for it.
    let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    let reports = [
        Report::new("wire/2025-07-03-call", "Vladimir Putin told Donald Trump by phone that Russia would not abandon its goals in Ukraine. The two leaders also discussed Iran and agreed their aides would stay in contact.")
            .title("Putin and Trump speak for an hour")
            .source("Example Wire")
            .date("2025-07-03"),
        Report::new("wire/2025-06-22-strikes", "American bombers struck Iranian nuclear sites at Fordow, Natanz and Isfahan. Tehran said the strikes violated international law; the IAEA asked for access.")
            .title("US strikes Iran's nuclear sites")
            .date("2025-06-22"),
        Report::new("wire/2025-06-02-istanbul", "Russian and Ukrainian delegations met in Istanbul and agreed an exchange of prisoners of war, the largest since the start of the war.")
            .title("Istanbul talks yield prisoner exchange")
            .date("2025-06-02"),
    ];
    for report in &reports {
        let entities = indexer.add(report)?;
        let leaders: Vec<&str> = entities.leaders.iter().map(|t| t.name.as_str()).collect();
        println!("indexed {:<26} leaders: {}", report.id, leaders.join(", "));
    }
    indexer.commit()?;

    // # Search
    //
    // The searcher is cheap to clone and can be shared across threads.
    let searcher = index.searcher();
    let request = SearchRequest::new("iran talks").limit(5).passages(1).facets(true);
    let results = searcher.search(&request)?;
    println!("\n{} articles match {:?}", results.total_hits, results.query);

    // # Render passages
    //
    // The library gives byte ranges; the app chooses the markup.
    for hit in &results.hits {
        println!("\n{:.2}  {}", hit.score, hit.title.as_deref().unwrap_or(&hit.id));
        for passage in &hit.passages {
            println!("    {}", mark(passage, "[", "]"));
        }
    }
    println!("\ntopics over all matches: {:?}", results.facets.topics);
    Ok(())
}

/// The passage text with each highlight wrapped in `open`/`close`.
fn mark(passage: &Passage, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut at = passage.start;
    for h in &passage.highlights {
        out.push_str(&passage.text[at - passage.start..h.start - passage.start]);
        out.push_str(open);
        out.push_str(&passage.text[h.start - passage.start..h.end - passage.start]);
        out.push_str(close);
        at = h.end;
    }
    out.push_str(&passage.text[at - passage.start..]);
    out
}
