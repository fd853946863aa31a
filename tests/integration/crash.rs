//! Crash safety: `attache index` killed with SIGKILL at random moments leaves an index that
//! opens and holds exactly a committed state — every file's reports entirely old or entirely
//! new, never half-replaced or duplicated — and the next run completes.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use attache::{Index, IndexSchema};

use crate::util::TempCorpus;

const TEXT_FILES: usize = 600;
const JSONL_FILES: usize = 30;
const RECORDS_PER_JSONL: usize = 40;
const KILLS: usize = 10;

/// Writes the corpus at `version`: text files and JSONL feeds whose every report says which
/// version it is; every report's text is its own (exact duplicates are indexed once). Version 2 drops every tenth text file and adds a few.
fn write_corpus(c: &TempCorpus, version: u32) -> BTreeMap<String, usize> {
    let mut expected = BTreeMap::new();
    let words = "talks ceasefire sanctions delegation envoy missile summit negotiations treaty";
    for i in 0..TEXT_FILES + if version == 2 { 50 } else { 0 } {
        let name = format!("txt/{:02}/report_{i:04}.txt", i % 20);
        if version == 2 && i % 10 == 0 {
            let _ = std::fs::remove_file(c.root().join(&name));
            continue;
        }
        let body = format!(
            "TITLE: Report {i}\n\nversion{version} marker. Putin and Trump discussed {words} number {i}. {words}.\n"
        );
        c.write(&name, &body);
        expected.insert(name, 1);
    }
    for f in 0..JSONL_FILES {
        let name = format!("feeds/feed_{f:02}.jsonl");
        let mut text = String::new();
        for r in 0..RECORDS_PER_JSONL {
            text.push_str(&format!(
                "{{\"id\":\"r{r}\",\"title\":\"Feed {f} item {r}\",\"body\":\"version{version} marker. Zelenskyy met Rutte in round {f} about {words} {r}.\"}}\n"
            ));
        }
        c.write(&name, &text);
        expected.insert(name, RECORDS_PER_JSONL);
    }
    expected
}

/// Every report in the index, by file: (count, versions seen); also checks ids are unique.
fn state(c: &TempCorpus) -> BTreeMap<String, (usize, HashSet<u32>)> {
    let index = Index::open(&c.index_path(), IndexSchema::embedded().unwrap()).expect("index opens after a kill");
    let mut ids = HashSet::new();
    let mut out: BTreeMap<String, (usize, HashSet<u32>)> = BTreeMap::new();
    for article in index.searcher().export().unwrap() {
        let article = article.unwrap();
        assert!(ids.insert(article.report.id.clone()), "duplicate id {}", article.report.id);
        let version = if article.report.body.starts_with("version1") { 1 } else { 2 };
        let entry = out.entry(article.report.path.clone()).or_default();
        entry.0 += 1;
        entry.1.insert(version);
    }
    out
}

fn index_cmd(c: &TempCorpus) -> std::process::Command {
    let mut cmd = c.attache();
    cmd.args(["index", "corpus", "--index", "index", "--quiet", "--commit-every", "150"]);
    cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    cmd
}

#[test]
fn sigkill_at_random_moments_never_loses_or_mixes_a_commit() {
    let c = TempCorpus::new();
    let v1 = write_corpus(&c, 1);
    let started = Instant::now();
    assert!(index_cmd(&c).status().unwrap().success());
    let full_run = started.elapsed();
    let after_v1 = state(&c);
    assert_eq!(after_v1.len(), v1.len());

    let v2 = write_corpus(&c, 2);
    // A deterministic spread of kill moments over a full run's duration.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut kills_that_lost = 0;
    for _ in 0..KILLS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = full_run.mul_f64((seed % 1000) as f64 / 1000.0 * 1.2);
        let mut child = index_cmd(&c).spawn().unwrap();
        std::thread::sleep(delay.max(Duration::from_millis(5)));
        let _ = child.kill();
        let _ = child.wait();
        let mut problems = Vec::new();
        for (file, (count, versions)) in state(&c) {
            let version = *versions.iter().next().unwrap();
            let want = if version == 1 { v1.get(&file) } else { v2.get(&file) };
            if versions.len() != 1 || want != Some(&count) {
                problems.push(format!("{file}: {count} reports of versions {versions:?}, expected {want:?}"));
            }
        }
        if !problems.is_empty() {
            kills_that_lost += 1;
            eprintln!("after a kill at {delay:?}: {problems:?}");
        }
    }
    assert_eq!(kills_that_lost, 0, "kills that left a state no commit had");

    let after = index_cmd(&c).stderr(std::process::Stdio::piped()).output().unwrap();
    assert!(
        after.status.success(),
        "the run after the kills completes; it said: {}",
        String::from_utf8_lossy(&after.stderr)
    );
    let last = state(&c);
    assert_eq!(last.keys().collect::<Vec<_>>(), v2.keys().collect::<Vec<_>>());
    for (file, (count, versions)) in last {
        assert_eq!((count, versions.into_iter().collect::<Vec<_>>()), (v2[&file], vec![2]), "{file}");
    }
}
