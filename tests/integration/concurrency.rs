//! Readers and writers side by side: searches from another process keep succeeding while an
//! index run commits thousands of reports, they see the new commits, and a second writer is
//! refused at once with the lock error.

use std::process::Stdio;

use attache::SearchResults;

use crate::util::TempCorpus;

const REPORTS: usize = 3_000;

#[test]
fn searches_succeed_during_indexing_and_a_second_writer_is_refused() {
    let c = TempCorpus::new();
    c.write("first.txt", "TITLE: First\n\nPutin and Trump discussed Iran.");
    assert!(c.attache().args(["index", "corpus", "--index", "index", "-q"]).status().unwrap().success());
    for i in 0..REPORTS {
        c.write(
            &format!("bulk/{:02}/r{i:05}.txt", i % 30),
            &format!("TITLE: Bulk {i}\n\nPutin met envoys about sanctions, ceasefire talks and Iran, item {i}."),
        );
    }
    let mut writer = c
        .attache()
        .args(["index", "corpus", "--index", "index", "-q", "--commit-every", "300"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let mut searches = 0;
    let mut counts_seen = Vec::new();
    let mut refused = None;
    while writer.try_wait().unwrap().is_none() {
        let o = c.attache().args(["search", "putin iran", "--index", "index", "--json", "-n", "3"]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "search during indexing: {}", String::from_utf8_lossy(&o.stderr));
        let results: SearchResults = serde_json::from_slice(&o.stdout).unwrap();
        counts_seen.push(results.total_hits);
        searches += 1;
        if refused.is_none() {
            let second = c.attache().args(["index", "corpus", "--index", "index", "-q"]).output().unwrap();
            // Only meaningful if the first writer was still running when the second started.
            if writer.try_wait().unwrap().is_none() {
                refused = Some(second);
            }
        }
    }
    assert!(writer.wait().unwrap().success());
    let second = refused.expect("a second writer was tried while the first ran");
    assert_eq!(second.status.code(), Some(2));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("is locked by another attache process"), "{err}");

    assert!(searches >= 2, "searched {searches} times during indexing");
    assert!(counts_seen.windows(2).all(|w| w[0] <= w[1]), "commits only add: {counts_seen:?}");
    let o = c.attache().args(["search", "putin iran", "--index", "index", "--json"]).output().unwrap();
    let results: SearchResults = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(results.total_hits, REPORTS + 1, "the last commit is visible");
}

#[test]
fn a_searcher_in_the_same_process_sees_new_commits() {
    let c = TempCorpus::new();
    c.write("a.txt", "Putin spoke about Iran.");
    let (index, _) = c.sync();
    let searcher = index.searcher();
    let reader_side = searcher.clone();
    let count = |s: &attache::Searcher| s.search(&attache::SearchRequest::new("iran")).unwrap().total_hits;
    assert_eq!(count(&reader_side), 1);
    c.write("b.txt", "Trump spoke about Iran.");
    crate::util::sync_into(&index, &c.root());
    let handle = std::thread::spawn(move || count(&reader_side));
    assert_eq!(handle.join().unwrap(), 2);
    assert_eq!(count(&searcher), 2);
}
