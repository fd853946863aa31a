//! The `attache` command. Properties checked: exit codes (0 hits, 1 none, 2 error), one-line
//! errors naming the file or column, `--json` decodes into the library's types, HTML is
//! escaped, batch mode, zero set-up on `sample_corpus`, incremental `index` summaries.

use std::process::Output;

use attache::SearchResults;

use crate::corpus::{CALL_AUTHOR, CALL_WIRE, FEED_JSONL, SUMMIT_MD};
use crate::util::TempCorpus;

fn corpus() -> TempCorpus {
    let c = TempCorpus::new();
    c.write("wire.txt", CALL_WIRE)
        .write("author.txt", CALL_AUTHOR)
        .write("summit.md", SUMMIT_MD)
        .write("feed.jsonl", FEED_JSONL);
    c
}

fn run(c: &TempCorpus, args: &[&str]) -> Output {
    c.attache().args(args).output().expect("run attache")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn search_with_a_directory_indexes_it_and_finds_hits() {
    let c = corpus();
    let o = run(&c, &["search", "putin iran", "corpus"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("1. "), "{out}");
    assert!(!out.contains('\x1b'), "no colour when not a terminal");
    // The second run reuses the index: nothing to re-index, same answer.
    let again = run(&c, &["search", "putin iran", "corpus"]);
    assert_eq!(stdout(&again), out);
    assert!(!c.root().join("meta.json").exists(), "the corpus is never written to");
}

#[test]
fn json_output_decodes_and_slices_the_body() {
    let c = corpus();
    let o = run(&c, &["search", "\"root causes\"", "corpus", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let results: SearchResults = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(results.total_hits, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.author.as_deref(), Some("R.T. OKAFOR"));
    let body_start = CALL_AUTHOR.find('\n').unwrap() + 1;
    let body = &CALL_AUTHOR[body_start..];
    for p in &hit.passages {
        assert_eq!(&body[p.start..p.end], p.text);
    }
    let lit: Vec<&str> = hit.passages.iter().flat_map(|p| p.highlights.iter().map(|h| &body[h.start..h.end])).collect();
    assert_eq!(lit, ["root causes"]);
    // The raw JSON has the contract's keys.
    let raw: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["query", "total_hits", "hits", "facets"] {
        assert!(raw.get(key).is_some(), "{key}");
    }
    for key in ["id", "path", "score", "title", "author", "source", "date", "leaders", "topics", "passages"] {
        assert!(raw["hits"][0].get(key).is_some(), "{key}");
    }
}

#[test]
fn no_hits_exits_1_with_json_too() {
    let c = corpus();
    let o = run(&c, &["search", "zanzibar", "corpus", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let results: SearchResults = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((results.total_hits, results.hits.len()), (0, 0));
}

#[test]
fn a_bad_query_is_one_line_naming_the_column() {
    let c = corpus();
    let o = run(&c, &["search", "iran \"root causes", "corpus"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("attache: bad query at column 6: unclosed quote"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn a_missing_directory_or_index_is_a_clear_error() {
    let c = corpus();
    let o = run(&c, &["search", "iran", "no_such_dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no_such_dir is not a directory"), "{}", stderr(&o));
    let o = run(&c, &["search", "iran", "--index", "no_such_index"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no attache index at no_such_index"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn index_then_search_an_explicit_index() {
    let c = corpus();
    let o = run(&c, &["index", "corpus", "--index", "idx"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("4 added, 0 updated, 0 deleted, 0 unchanged, 0 skipped; 5 articles"), "{}", stderr(&o));
    let o = run(&c, &["index", "corpus", "--index", "idx"]);
    assert!(stderr(&o).contains("0 added, 0 updated, 0 deleted, 4 unchanged"), "{}", stderr(&o));
    let o = run(&c, &["search", "leader:zelensky", "--index", "idx", "--json"]);
    let results: SearchResults = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(results.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["wire.txt"]);
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let c = corpus();
    let o = run(&c, &["search", "iran", "corpus", "--color", "always"]);
    assert!(stdout(&o).contains("\x1b[1;31m"), "{}", stdout(&o));
    let o = c.attache().args(["search", "iran", "corpus"]).env("NO_COLOR", "1").output().unwrap();
    assert!(!stdout(&o).contains('\x1b'));
}

#[test]
fn html_output_escapes_document_text() {
    let c = TempCorpus::new();
    c.write(
        "x.txt",
        "TITLE: <b>Talks</b>\n\nIran said <script>alert(1)</script> and <img src=x onerror=alert(1)> & more.",
    );
    let o = run(&c, &["search", "iran", "corpus", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = stdout(&o);
    assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;script&gt;") && html.contains("<mark>Iran</mark>"), "{html}");
}

#[test]
fn batch_queries_print_one_result_set_a_line() {
    let c = corpus();
    c.write("../queries.tsv", "q1\tputin iran\nq2\tzanzibar\nq3\t\"unclosed\n");
    let o = run(&c, &["search", "--queries", "queries.tsv", "corpus", "-n", "2"]);
    assert_eq!(o.status.code(), Some(2), "a bad query in the batch is reported");
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["qid"], "q1");
    assert!(lines[0]["total_hits"].as_u64().unwrap() >= 2);
    assert_eq!(lines[1]["total_hits"], 0);
    assert!(lines[2]["error"].as_str().unwrap().contains("column 1"));
    assert!(stderr(&o).contains("queries.tsv:3"), "{}", stderr(&o));
}

#[test]
fn export_prints_every_article_as_a_json_line() {
    let c = corpus();
    let o = run(&c, &["export", "corpus"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 5);
    for key in ["id", "path", "title", "author", "source", "date", "leaders", "topics", "places", "orgs", "story"] {
        assert!(rows.iter().all(|r| r.get(key).is_some()), "{key}");
    }
}

/// The rows of a CSV output, header first, as the csv crate reads them back.
fn csv_rows(o: &Output) -> Vec<Vec<String>> {
    csv::Reader::from_reader(o.stdout.as_slice())
        .into_records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_outputs_carry_people_and_story() {
    let c = corpus();
    let o = run(&c, &["export", "corpus", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let header = stdout(&o).lines().next().unwrap_or_default().to_string();
    assert!(header.contains(",people,story,"), "{header}");
    let rows = csv_rows(&o);
    assert_eq!(rows.len(), 5, "one row per article");
    let story = header.split(',').position(|h| h == "story").expect("a story column");
    assert!(rows.iter().all(|r| r[story].len() == 16), "every article has a story id: {rows:?}");
    let o = run(&c, &["search", "Putin", "corpus", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let header = stdout(&o).lines().next().unwrap_or_default().to_string();
    assert!(header.contains(",people,story,passage"), "{header}");
    assert!(!csv_rows(&o).is_empty());
}

#[test]
fn the_readme_quick_start_works_on_sample_corpus() {
    let c = TempCorpus::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    let o = c.attache().args(["search", "Putin Iran"]).arg(&sample).args(["--color", "always"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("1. ") && out.contains("\x1b[1;31m"), "ranked passages with highlights: {out}");
    assert!(stderr(&o).is_empty(), "sample_corpus indexes cleanly: {}", stderr(&o));
    let o = c.attache().args(["search", "Putin Iran", "--json"]).arg(&sample).output().unwrap();
    let results: SearchResults = serde_json::from_slice(&o.stdout).unwrap();
    assert!(results.total_hits >= 5);
}

#[test]
fn stats_summarise_the_index() {
    let c = corpus();
    run(&c, &["index", "corpus", "--index", "index", "-q"]);
    let o = run(&c, &["stats", "--index", "index", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stats: attache::Stats = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(stats.num_articles, 5);
    assert_eq!((stats.first_date.as_deref(), stats.last_date.as_deref()), (Some("2025-05-12"), Some("2025-10-13")));
    assert_eq!(stats.facets.leaders.get("Vladimir Putin"), Some(&2));
    assert_eq!(stats.sources.get("Harbour Ledger"), Some(&1));
}

#[test]
fn check_passes_a_sound_index_and_names_a_damaged_file() {
    let c = corpus();
    run(&c, &["index", "corpus", "--index", "index", "-q"]);
    let o = run(&c, &["check", "--index", "index"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("is sound: 5 articles"), "{}", stdout(&o));

    // Flip bytes in the middle of a stored-documents file.
    let idx = c.index_path();
    let store = std::fs::read_dir(&idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let mut bytes = std::fs::read(&store).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 8].iter_mut().for_each(|b| *b ^= 0xff);
    std::fs::write(&store, &bytes).unwrap();
    let o = run(&c, &["check", "--index", "index"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("is damaged") && err.contains(".store") && err.contains("--rebuild"), "{err}");
}

#[test]
fn a_truncated_index_file_is_an_error_not_a_panic() {
    let c = corpus();
    run(&c, &["index", "corpus", "--index", "index", "-q"]);
    for entry in std::fs::read_dir(c.index_path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "term") {
            std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(10).unwrap();
        }
    }
    for args in
        [&["search", "iran", "--index", "index"][..], &["check", "--index", "index"], &["stats", "--index", "index"]]
    {
        let o = run(&c, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.starts_with("attache: ") && err.contains("index") && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn completions_are_printed() {
    let c = TempCorpus::new();
    let o = run(&c, &["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("attache"));
}

#[test]
fn show_prints_one_article() {
    let c = corpus();
    let o = run(&c, &["show", "feed.jsonl#gaza-1", "corpus", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let article: attache::Article = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(article.report.source.as_deref(), Some("Levant Courier"));
    let o = run(&c, &["show", "nope", "corpus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no article with id \"nope\""));
}

#[test]
fn eval_ir_compares_a_ranking_with_plain_bm25_over_every_collection() {
    let c = TempCorpus::new();
    // Two small test collections of our own; one of them names its queries file like TIME's.
    for (name, queries, qrels) in
        [("alpha", "queries.tsv", "qrels.trec"), ("beta", "queries.dev.tsv", "qrels.dev.trec")]
    {
        c.write(&format!("{name}/docs/d1.txt"), "The ceasefire talks in Geneva stalled over prisoners.")
            .write(&format!("{name}/docs/d2.txt"), "Grain exports through the Black Sea resumed after the talks.")
            .write(&format!("{name}/docs/d3.txt"), "The the the of of of talks.")
            .write(&format!("{name}/{queries}"), "1\tthe ceasefire talks\n2\tgrain exports of the black sea\n")
            .write(&format!("{name}/{qrels}"), "1 0 d1 1\n2 0 d2 1\n");
    }
    let collections = c.root();
    let o = run(&c, &["eval", "ir", collections.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let comparison: attache::eval::compare::Comparison = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = comparison.collections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["alpha", "beta.dev"]);
    assert!(comparison.collections.iter().all(|c| c.num_queries == 2));
    // Both rankings find each query's one relevant report first here.
    assert_eq!(comparison.ndcg_at_10.candidate, 1.0);

    let o = run(&c, &["eval", "ir", collections.to_str().unwrap(), "--baseline", "attache,k1=1.2"]);
    let out = stdout(&o);
    assert!(
        out.contains("baseline: attache,k1=1.2") && out.contains("beta.dev") && out.contains("rule for a default"),
        "{out}"
    );

    let o = run(&c, &["eval", "ir", collections.to_str().unwrap(), "--baseline", "attache,k1=fast"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad ranking \"attache,k1=fast\": k1: \"fast\" is not a number"), "{}", stderr(&o));
}
