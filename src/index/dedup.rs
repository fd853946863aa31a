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

use tantivy::Searcher;

use crate::Report;
use crate::hash::{FxHashMap, fnv1a};

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
///
/// Held compactly, as it grows with the collection (a million reports indexed in one run
/// means a million texts held): a fingerprint is its 64-bit value, a file a number in a table
/// of names ([`Files`]), and a file's texts are listed apart only when it holds more than
/// one. Maps of strings took about 400 bytes a report; at a million reports the peak
/// anonymous memory of indexing fell from 947 to 626 MiB (BENCHMARKS.md).
#[derive(Debug, Default)]
pub(crate) struct Dedup {
    files: Files,
    /// Fingerprint → the file of its canonical report.
    canonical: FxHashMap<u64, u32>,
    /// File → the first fingerprint it holds canonically …
    first: FxHashMap<u32, u64>,
    /// … and the others, for files of several reports.
    more: FxHashMap<u32, Vec<u64>>,
    /// Stubs of the last commit.
    pub stubs: Vec<Stub>,
    /// Per file number: read again in this run (its stubs were rewritten).
    touched: Vec<bool>,
}

/// File names, numbered in the order first met.
#[derive(Debug, Default)]
struct Files {
    names: Vec<Box<str>>,
    /// A name's 64-bit hash → its number …
    numbers: FxHashMap<u64, u32>,
    /// … unless another name with the same hash had it first.
    collided: FxHashMap<Box<str>, u32>,
}

impl Files {
    /// The number of `name`, if it has one.
    fn find(&self, name: &str) -> Option<u32> {
        let n = *self.numbers.get(&fnv1a(name.as_bytes()))?;
        if *self.names[n as usize] == *name { Some(n) } else { self.collided.get(name).copied() }
    }

    /// The number of `name`, given one if it has none.
    fn number(&mut self, name: &str) -> u32 {
        if let Some(n) = self.find(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.into());
        match self.numbers.entry(fnv1a(name.as_bytes())) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(n);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(name.into(), n);
            }
        }
        n
    }

    fn name(&self, n: u32) -> &str {
        &self.names[n as usize]
    }
}

/// A fingerprint as a number: its value when it is written as [`fingerprint`] writes them
/// (16 lower-case hex digits, one text for each value), else a hash of its text.
fn key(hash: &str) -> u64 {
    let written = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    match u64::from_str_radix(hash, 16) {
        Ok(value) if written => value,
        _ => fnv1a(hash.as_bytes()).rotate_left(1),
    }
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
                        dedup.claim(&hash, &file);
                    }
                }
            }
        }
        Ok(dedup)
    }

    /// `file` is being read again or was deleted: it holds no text any more.
    pub fn forget(&mut self, file: &str) {
        let Some(n) = self.files.find(file) else { return };
        let held = self.first.remove(&n).into_iter().chain(self.more.remove(&n).unwrap_or_default());
        for hash in held {
            if self.canonical.get(&hash) == Some(&n) {
                self.canonical.remove(&hash);
            }
        }
    }

    /// Marks `file` as read again in this run.
    pub fn touch(&mut self, file: &str) {
        let n = self.files.number(file) as usize;
        if self.touched.len() <= n {
            self.touched.resize(n + 1, false);
        }
        self.touched[n] = true;
    }

    fn is_touched(&self, file: &str) -> bool {
        self.files.find(file).is_some_and(|n| self.touched.get(n as usize) == Some(&true))
    }

    /// The file a report of `file` with this fingerprint duplicates, or None after making
    /// `file` the text's holder.
    pub fn claim(&mut self, hash: &str, file: &str) -> Option<String> {
        let (hash, n) = (key(hash), self.files.number(file));
        match self.canonical.get(&hash) {
            Some(&holder) if holder != n => Some(self.files.name(holder).to_string()),
            Some(_) => None,
            None => {
                self.canonical.insert(hash, n);
                match self.first.entry(n) {
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(hash);
                    }
                    std::collections::hash_map::Entry::Occupied(_) => self.more.entry(n).or_default().push(hash),
                }
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
            .filter(|s| !self.is_touched(&s.file))
            .filter(|s| {
                let holder = self.canonical.get(&key(&s.hash)).copied();
                holder.is_none() || holder != self.files.find(&s.canonical_file)
            })
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
        d.touch("b.txt");
        assert!(d.orphans().is_empty());
    }

    #[test]
    fn a_file_of_several_reports_lets_go_of_all_its_texts() {
        let mut d = Dedup::default();
        for h in ["0000000000000001", "0000000000000002", "x"] {
            assert_eq!(d.claim(h, "feed.jsonl"), None);
        }
        assert_eq!(d.claim("x", "other.txt").as_deref(), Some("feed.jsonl"));
        d.forget("feed.jsonl");
        for h in ["0000000000000001", "0000000000000002", "x"] {
            assert_eq!(d.claim(h, "other.txt"), None, "{h} is free again");
        }
    }

    #[test]
    fn fingerprints_written_differently_stay_apart() {
        // "+" and capitals parse to the same numbers as other texts: they are hashed instead.
        assert_ne!(key("+123456789abcdef"), key("0123456789abcdef"));
        assert_ne!(key("0123456789ABCDEF"), key("0123456789abcdef"));
        assert_eq!(key("0123456789abcdef"), 0x0123_4567_89ab_cdef);
    }

    #[test]
    fn file_names_with_the_same_hash_keep_their_own_numbers() {
        let mut files = Files::default();
        let a = files.number("a.txt");
        // As if "b.txt" hashed like "a.txt": its slot is taken by another name.
        files.numbers.insert(fnv1a(b"b.txt"), a);
        let b = files.number("b.txt");
        assert_ne!(a, b);
        assert_eq!((files.find("a.txt"), files.find("b.txt"), files.find("c.txt")), (Some(a), Some(b), None));
        assert_eq!((files.name(a), files.name(b)), ("a.txt", "b.txt"));
    }
}
