//! Exact duplicates: the same report saved in two files is indexed once.
//!
//! Every report carries the fingerprint of its normalised text (`content_hash`: body
//! lower-cased, white space collapsed, hashed). The first file to bring a text in holds its
//! **canonical** report; a report of another file with the same fingerprint is written as a
//! **stub**: its id, path and file bookkeeping, the fingerprint and `duplicate_of` (the
//! canonical's file), but no title or text — so it matches no word query, and the
//! incremental sync still knows the file. An article lists its stubs' paths
//! ([`crate::Article::duplicates`]).
//!
//! Consistency across runs: [`Dedup`] is loaded from the last commit at the start of a sync
//! and updated as files are read; a file that is re-read or deleted gives up the texts it
//! held. At the end, every stub whose canonical is gone or changed is read again, and the
//! first of them takes the text over.

use std::collections::{HashMap, HashSet};

use tantivy::Searcher;

use crate::Report;

/// The fingerprint of a report's normalised text, as stored in `content_hash`.
pub(crate) fn fingerprint(report: &Report) -> String {
    // The hash of the words lower-cased and joined by single spaces, fed as it is read
    // rather than written out first.
    let mut hash = crate::hash::Fnv::default();
    let mut buf = [0u8; 4];
    for (i, word) in report.body.split_whitespace().enumerate() {
        if i > 0 {
            hash.write(b" ");
        }
        if word.is_ascii() {
            for b in word.bytes() {
                hash.write(&[b.to_ascii_lowercase()]);
            }
        } else {
            for c in word.chars().flat_map(char::to_lowercase) {
                hash.write(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    format!("{:016x}", hash.finish())
}

/// A stub of the last commit: a file's duplicate report and the file it duplicates.
#[derive(Debug, Clone)]
pub(crate) struct Stub {
    pub file: String,
    pub hash: String,
    pub canonical_file: String,
}

/// Which file holds each text, during a sync.
#[derive(Debug, Default)]
pub(crate) struct Dedup {
    /// Fingerprint → the file of its canonical report.
    canonical: HashMap<String, String>,
    /// File → the fingerprints it holds canonically.
    by_file: HashMap<String, Vec<String>>,
    /// Stubs of the last commit.
    pub stubs: Vec<Stub>,
    /// Files read again in this run (their stubs were rewritten).
    pub touched: HashSet<String>,
}

impl Dedup {
    /// Reads the fingerprints and stubs of the last commit from the fast columns.
    pub fn load(searcher: &Searcher, names: [&str; 3]) -> tantivy::Result<Dedup> {
        let [file_name, hash_name, dup_name] = names;
        let mut dedup = Dedup::default();
        let (mut file, mut hash, mut dup) = (String::new(), String::new(), String::new());
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(files), Some(hashes)) = (fast.str(file_name)?, fast.str(hash_name)?) else { continue };
            let dups = fast.str(dup_name)?;
            for doc in segment.doc_ids_alive() {
                let (Some(f), Some(h)) = (files.term_ords(doc).next(), hashes.term_ords(doc).next()) else { continue };
                files.ord_to_str(f, &mut file)?;
                hashes.ord_to_str(h, &mut hash)?;
                match dups.as_ref().and_then(|d| d.term_ords(doc).next()) {
                    Some(d) => {
                        if let Some(dups) = &dups {
                            dups.ord_to_str(d, &mut dup)?;
                        }
                        dedup.stubs.push(Stub { file: file.clone(), hash: hash.clone(), canonical_file: dup.clone() });
                    }
                    None => {
                        if !dedup.canonical.contains_key(&hash) {
                            dedup.canonical.insert(hash.clone(), file.clone());
                            dedup.by_file.entry(file.clone()).or_default().push(hash.clone());
                        }
                    }
                }
            }
        }
        Ok(dedup)
    }

    /// `file` is being read again or was deleted: it holds no text any more.
    pub fn forget(&mut self, file: &str) {
        for hash in self.by_file.remove(file).unwrap_or_default() {
            if self.canonical.get(&hash).is_some_and(|f| f == file) {
                self.canonical.remove(&hash);
            }
        }
    }

    /// The file a report of `file` with this fingerprint duplicates, or None after making
    /// `file` the text's holder.
    pub fn claim(&mut self, hash: &str, file: &str) -> Option<String> {
        match self.canonical.get(hash) {
            Some(holder) if holder != file => Some(holder.clone()),
            Some(_) => None,
            None => {
                self.canonical.insert(hash.to_string(), file.to_string());
                self.by_file.entry(file.to_string()).or_default().push(hash.to_string());
                None
            }
        }
    }

    /// Files of the last commit's stubs that must be read again: not re-read in this run, and
    /// their canonical is gone or moved.
    pub fn orphans(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .stubs
            .iter()
            .filter(|s| !self.touched.contains(&s.file))
            .filter(|s| self.canonical.get(&s.hash) != Some(&s.canonical_file))
            .map(|s| s.file.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_the_hash_of_the_normalised_text() {
        // Stored in indexes: the same text must keep the same fingerprint across versions.
        let report = Report::new("a.txt", "  Élysée\tTALKS \n on Iran ");
        let normal = "élysée talks on iran";
        assert_eq!(fingerprint(&report), format!("{:016x}", crate::hash::fnv1a(normal.as_bytes())));
    }

    #[test]
    fn fingerprints_ignore_case_and_spacing() {
        let a = Report::new("a.txt", "Putin  met\nTrump.");
        let b = Report::new("b.md", "putin met trump.").title("Other title");
        let c = Report::new("c.txt", "Putin met Xi.");
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn the_first_file_holds_a_text_until_it_lets_go() {
        let mut d = Dedup::default();
        assert_eq!(d.claim("h", "a.txt"), None);
        assert_eq!(d.claim("h", "a.txt"), None, "the same file twice");
        assert_eq!(d.claim("h", "b.txt").as_deref(), Some("a.txt"));
        d.stubs.push(Stub { file: "b.txt".into(), hash: "h".into(), canonical_file: "a.txt".into() });
        assert!(d.orphans().is_empty());
        d.forget("a.txt");
        assert_eq!(d.orphans(), ["b.txt"]);
        d.touched.insert("b.txt".into());
        assert!(d.orphans().is_empty());
    }
}
