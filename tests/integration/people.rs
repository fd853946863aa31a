//! Everyone named in a report: the `people` field. Properties checked:
//! - each report's people are exactly the persons it names, one entry a person under the
//!   longest form ("Putin" … "Vladimir Putin"), with a leader's canonical name for an alias;
//!   no outlet, byline or headline words among them; leaders are as before;
//! - `person:` finds reports by any written form or leader alias, case-insensitively;
//! - the people facet counts matching reports; `--json`, `show --json` and `export` carry
//!   the list.

use attache::{Index, SearchRequest, SearchResults};

use crate::corpus::{CALL_AUTHOR, CALL_WIRE};
use crate::util::{TempCorpus, ids};

/// A report of our own naming people who hold no office in the lexicon, in a Title-Case
/// headline, a byline and the body.
const ENVOYS: &str = "\
AUTHOR: Kestrel Amadi
TITLE: Envoys Meet In Muscat As Talks Resume

Special envoy Steve Witkoff met Iranian Foreign Minister Abbas Araghchi in Muscat on Saturday, Omani officials said.
Witkoff described the meeting as constructive. Araghchi told state television that the next round would take place within two weeks.
The Omani mediator, Badr Albusaidi, hosted both delegations.";

fn corpus() -> TempCorpus {
    let c = TempCorpus::new();
    c.write("wire.txt", CALL_WIRE).write("author.txt", CALL_AUTHOR).write("envoys.txt", ENVOYS);
    c
}

fn search(index: &Index, query: &str) -> SearchResults {
    index.searcher().search(&SearchRequest::new(query).facets(true)).unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn sorted(names: &[String]) -> Vec<&str> {
    let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
    names.sort_unstable();
    names
}

#[test]
fn people_are_everyone_named_once_each() {
    let c = corpus();
    let (index, _) = c.sync();
    let searcher = index.searcher();
    let wire = searcher.article("wire.txt").unwrap();
    assert_eq!(sorted(&wire.people), ["Donald Trump", "Vladimir Putin", "Volodymyr Zelenskyy"]);
    assert_eq!(sorted(&wire.leaders), ["Donald Trump", "Vladimir Putin", "Volodymyr Zelenskyy"]);
    let author = searcher.article("author.txt").unwrap();
    assert_eq!(sorted(&author.people), ["Donald Trump", "Vladimir Putin", "Yuri Ushakov"]);
    let envoys = searcher.article("envoys.txt").unwrap();
    assert_eq!(sorted(&envoys.people), ["Abbas Araghchi", "Badr Albusaidi", "Steve Witkoff"]);
}

#[test]
fn person_queries_match_any_written_form_or_alias() {
    let c = corpus();
    let (index, _) = c.sync();
    assert_eq!(ids(&search(&index, "person:ushakov")), ["author.txt"]);
    assert_eq!(ids(&search(&index, "person:USHAKOV")), ["author.txt"]);
    assert_eq!(ids(&search(&index, "person:zelensky")), ["wire.txt"]);
    assert_eq!(ids(&search(&index, "person:\"abbas araghchi\"")), ["envoys.txt"]);
    assert!(search(&index, "person:okafor").hits.is_empty(), "a byline is not a person named");
    let mut both = ids(&search(&index, "person:putin")).into_iter().map(str::to_string).collect::<Vec<_>>();
    both.sort();
    assert_eq!(both, ["author.txt", "wire.txt"]);
}

#[test]
fn the_people_facet_counts_matching_reports() {
    let c = corpus();
    let (index, _) = c.sync();
    let results = search(&index, "person:putin");
    assert_eq!(results.facets.people.get("Vladimir Putin"), Some(&2));
    assert_eq!(results.facets.people.get("Yuri Ushakov"), Some(&1));
    assert_eq!(results.facets.people.get("Steve Witkoff"), None);
    let stats = index.stats().unwrap();
    assert_eq!(stats.facets.people.get("Donald Trump"), Some(&2));
    // Hits carry their people, in the JSON too.
    let json = serde_json::to_value(search(&index, "person:witkoff")).unwrap();
    assert_eq!(json["hits"][0]["people"].as_array().map(Vec::len), Some(3));
    assert!(json["facets"]["people"].is_object());
}

#[cfg(feature = "cli")]
#[test]
fn json_show_and_export_carry_people() {
    let c = corpus();
    let run = |args: &[&str]| {
        let o = c.attache().args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    let idx = c.index_path();
    let idx = idx.to_str().unwrap();
    run(&["index", "corpus", "--index", idx]);
    let results: SearchResults =
        serde_json::from_slice(&run(&["search", "person:araghchi", "--index", idx, "--json"])).unwrap();
    assert_eq!(ids(&results), ["envoys.txt"]);
    assert!(results.hits[0].people.iter().any(|p| p == "Steve Witkoff"));
    let article: attache::Article =
        serde_json::from_slice(&run(&["show", "author.txt", "--index", idx, "--json"])).unwrap();
    assert!(article.people.iter().any(|p| p == "Yuri Ushakov"));
    let export = String::from_utf8(run(&["export", "--index", idx])).unwrap();
    let rows: Vec<serde_json::Value> = export.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["people"].is_array()));
}
