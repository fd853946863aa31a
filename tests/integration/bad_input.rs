//! Bad files never cost the good ones. Properties checked: every good report is indexed; each
//! bad file or record is reported once with its path and a reason; nothing panics.

use attache::SkipReason;

use crate::corpus::{CALL_AUTHOR, CALL_WIRE};
use crate::util::TempCorpus;

fn reasons(summary: &attache::IndexSummary) -> Vec<(String, SkipReason)> {
    let mut out: Vec<(String, SkipReason)> =
        summary.skipped.iter().map(|s| (s.path.clone(), s.reason.clone())).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn bad_files_are_skipped_with_reasons_and_good_ones_indexed() {
    let c = TempCorpus::new();
    c.write("good/wire.txt", CALL_WIRE).write("good/author.txt", CALL_AUTHOR);
    c.write_bytes("bad/binary.txt", b"PK\x03\x04\x00\x00binary\x00stuff");
    // Invalid UTF-8 alone is text in a legacy encoding now; control bytes make it binary.
    c.write_bytes("bad/mostly_invalid.txt", &[0xff, 0x01, 0xfd, 0x02, 0xc3, 0x03, 0xa0, 0x04]);
    c.write("bad/empty.txt", "");
    c.write("bad/blank.md", "  \n\n\t \n");
    c.write("bad/broken.json", "{\"title\": \"x\", ");
    c.write("bad/shape.json", "[1, 2, 3]");
    c.write("bad/nobody.json", "{\"title\": \"only a title\"}");
    c.write(
        "bad/lines.jsonl",
        "{\"id\":\"a\",\"body\":\"Putin spoke.\"}\nnot json\n{\"id\":\"b\",\"body\":\"Trump spoke.\"}\n",
    );
    c.write("ignored.docx", "PK");
    let (index, summary) = c.sync();

    let found = reasons(&summary);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "bad/binary.txt",
            "bad/blank.md",
            "bad/broken.json",
            "bad/empty.txt",
            "bad/lines.jsonl",
            "bad/mostly_invalid.txt",
            "bad/nobody.json#0",
            "bad/shape.json#0",
            "bad/shape.json#1",
            "bad/shape.json#2",
        ]
    );
    assert!(matches!(found[0].1, SkipReason::Binary));
    assert!(matches!(found[2].1, SkipReason::Json { line: 1, .. }));
    assert!(matches!(found[4].1, SkipReason::Json { line: 2, .. }));
    assert_eq!(summary.num_ignored, 1);
    // 2 good text files + 2 good JSONL lines.
    assert_eq!(index.num_reports(), 4);
    assert_eq!(summary.num_reports, 4);
}

#[test]
fn a_few_invalid_bytes_are_decoded_with_a_warning() {
    let c = TempCorpus::new();
    // UTF-8 (its accents show it) with one stray byte: lossy UTF-8 and a warning.
    let mut text = CALL_AUTHOR.as_bytes().to_vec();
    text.extend_from_slice("Café diplomacy in Genève, naïvely. ".as_bytes());
    text.extend_from_slice(b" Caf\xe9 diplomacy continued.");
    c.write_bytes("mostly_utf8.txt", &text);
    // ASCII with a Latin-1 byte: the whole file is windows-1252, read right, no warning.
    let mut text = CALL_AUTHOR.as_bytes().to_vec();
    text.extend_from_slice(b" Caf\xe9 diplomacy continued.");
    c.write_bytes("latin1.txt", &text);
    let (index, summary) = c.sync();
    assert!(summary.skipped.is_empty());
    assert_eq!(summary.warnings.len(), 1);
    assert_eq!(summary.warnings[0].path, "mostly_utf8.txt");
    assert!(summary.warnings[0].message.contains("UTF-8"));
    assert_eq!(summary.encodings.len(), 1);
    assert_eq!(
        (summary.encodings[0].path.as_str(), summary.encodings[0].encoding.as_str()),
        ("latin1.txt", "windows-1252")
    );
    assert!(index.searcher().article("latin1.txt").unwrap().report.body.ends_with("Café diplomacy continued."));
    assert_eq!(index.num_reports(), 2);
}

#[test]
fn files_over_the_size_limit_are_skipped() {
    let c = TempCorpus::new();
    c.write("big.txt", &"Putin spoke. ".repeat(1000)).write("small.txt", CALL_WIRE);
    let index = attache::Index::open_or_create(&c.index_path(), attache::IndexSchema::embedded().unwrap()).unwrap();
    let mut indexer = index.indexer().unwrap();
    let options = attache::SyncOptions { max_file_bytes: 5_000, ..Default::default() };
    let summary = indexer.sync_dir(&c.root(), &options, &mut |_| {}).unwrap();
    indexer.commit().unwrap();
    assert!(matches!(summary.skipped[0].reason, SkipReason::TooLarge { bytes: 13_000, limit: 5_000 }));
    assert_eq!(index.num_reports(), 1);
}

#[test]
fn broken_front_matter_still_indexes_the_body() {
    let c = TempCorpus::new();
    c.write("broken.md", "---\ntitle: Unclosed\nThe ceasefire in Gaza held overnight.");
    let (index, summary) = c.sync();
    assert_eq!(summary.warnings.len(), 1);
    let results = index.searcher().search(&attache::SearchRequest::new("ceasefire")).unwrap();
    assert_eq!(results.total_hits, 1);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_odd_names_do_not_stop_the_walk() {
    use std::os::unix::ffi::OsStrExt;
    let c = TempCorpus::new();
    c.write("a/report.txt", CALL_WIRE);
    std::os::unix::fs::symlink(c.root().join("a"), c.root().join("a/loop")).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(c.root().join(odd), CALL_AUTHOR).unwrap();
    let (index, summary) = c.sync();
    assert_eq!(index.num_reports(), 2);
    assert!(
        summary
            .skipped
            .iter()
            .any(|s| matches!(&s.reason, SkipReason::Unreadable { message } if message.contains("loop")))
    );
}

#[test]
fn a_missing_directory_is_an_error_and_the_index_survives() {
    let c = TempCorpus::new();
    c.write("wire.txt", CALL_WIRE);
    let (index, _) = c.sync();
    let mut indexer = index.indexer().unwrap();
    let err = indexer.sync_dir(&c.root().join("nope"), &Default::default(), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    drop(indexer);
    assert_eq!(index.num_reports(), 1);
}
