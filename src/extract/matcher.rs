//! Phrase matching over analysed terms: the engine under leader and topic extraction.
//!
//! Patterns are sequences of analysed terms (the same analyzer as the index, so "arms
//! deliveries" matches "arms delivery"); they are keyed by their first term, and at each
//! position of a text the longest pattern that matches wins and matching resumes after it.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::analysis::Term;

/// A small, fast hash for short strings (the Fx hash of rustc and Firefox). Extraction looks
/// up every term of every report in several tables, and SipHash's DoS resistance buys
/// nothing here: the tables are built from the lexicons, and report text is only looked up,
/// never inserted, so no input can degrade them.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Most terms are shorter than 8 bytes and end up here: a variable-length
            // `copy_from_slice` would call `memcpy` (seen in the profile), a byte loop does not.
            let word = rest.iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b));
            self.add(word);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub(crate) type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// Longest pattern, in terms, that matching follows; longer patterns are never inserted.
pub(crate) const MAX_PATTERN_TERMS: usize = 16;

/// A set of term sequences, each with a payload: a trie over terms, so matching at a
/// position costs one hash lookup per term of the longest candidate, however many patterns
/// share a first word ("President of Russia", "President of France", …).
#[derive(Debug, Clone)]
pub(crate) struct PhraseSet<T> {
    /// `nodes[0]` is the root; a node's payloads are those of the pattern ending there.
    nodes: Vec<Node<T>>,
    /// A bit per [`sketch`] of the patterns' first terms: most words of a text start no
    /// pattern, and this rules them out without hashing the whole word.
    first: Box<[u64; SKETCH_WORDS]>,
}

/// Words of the first-term bitmap (64 bits each): 64 Ki bits, 8 KiB per set, so that with a
/// few thousand first terms nearly every other word is ruled out by one bit test.
const SKETCH_WORDS: usize = 1024;

/// A cheap fingerprint of a term: its Fx hash, folded into `SKETCH_WORDS * 64` buckets. The
/// whole word counts, so words that share their length and edges ("trade", "tribe") do
/// not share a bucket more often than chance.
fn sketch(term: &str) -> usize {
    let mut h = FxHasher::default();
    h.write(term.as_bytes());
    (h.finish() >> 48) as usize % (SKETCH_WORDS * 64)
}

#[derive(Debug, Clone)]
struct Node<T> {
    children: FxHashMap<String, u32>,
    payloads: Vec<T>,
}

impl<T> Node<T> {
    fn new() -> Node<T> {
        Node { children: FxHashMap::default(), payloads: Vec::new() }
    }
}

impl<T> Default for PhraseSet<T> {
    fn default() -> Self {
        PhraseSet { nodes: vec![Node::new()], first: Box::new([0; SKETCH_WORDS]) }
    }
}

/// One match: the index of its first term in the text, how many terms, and the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match<'a, T> {
    pub first: usize,
    pub len: usize,
    pub payload: &'a T,
}

impl<T: PartialEq> PhraseSet<T> {
    /// Adds a pattern; empty patterns, exact duplicates and patterns longer than
    /// [`MAX_PATTERN_TERMS`] are ignored.
    pub fn insert(&mut self, terms: Vec<String>, payload: T) {
        if terms.is_empty() || terms.len() > MAX_PATTERN_TERMS {
            return;
        }
        let bit = sketch(&terms[0]);
        self.first[bit / 64] |= 1 << (bit % 64);
        let mut node = 0usize;
        for term in terms {
            let next = self.nodes.len() as u32;
            let child = *self.nodes[node].children.entry(term).or_insert(next);
            if child == next {
                self.nodes.push(Node::new());
            }
            node = child as usize;
        }
        let payloads = &mut self.nodes[node].payloads;
        if !payloads.contains(&payload) {
            payloads.push(payload);
        }
    }

    /// Longest non-overlapping matches in `text`, left to right. `accept` may veto a match
    /// (a name written in lower case, say); the next shorter pattern is then tried.
    pub fn find<'a>(&'a self, text: &[Term], mut accept: impl FnMut(usize, usize, &T) -> bool) -> Vec<Match<'a, T>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            match self.longest_at(text, i, &mut accept) {
                Some(m) => {
                    i += m.len;
                    out.push(m);
                }
                None => i += 1,
            }
        }
        out
    }

    /// The longest accepted pattern starting at term `i` of `text`.
    pub fn longest_at<'a>(
        &'a self,
        text: &[Term],
        i: usize,
        mut accept: impl FnMut(usize, usize, &T) -> bool,
    ) -> Option<Match<'a, T>> {
        let bit = sketch(&text.get(i)?.text);
        if self.first[bit / 64] & (1 << (bit % 64)) == 0 {
            return None;
        }
        // Walk down the trie, remembering the nodes where a pattern ends.
        let mut ends = [(0usize, 0u32); MAX_PATTERN_TERMS];
        let mut num_ends = 0;
        let mut node = 0usize;
        for (len, term) in text.get(i..)?.iter().take(MAX_PATTERN_TERMS).enumerate() {
            let Some(&child) = self.nodes[node].children.get(&term.text) else { break };
            node = child as usize;
            if !self.nodes[node].payloads.is_empty() {
                ends[num_ends] = (len + 1, child);
                num_ends += 1;
            }
        }
        ends[..num_ends].iter().rev().find_map(|&(len, node)| {
            let payload = self.nodes[node as usize].payloads.iter().find(|p| accept(i, len, p))?;
            Some(Match { first: i, len, payload })
        })
    }

    /// The payloads of the pattern equal to `terms`.
    pub fn exact(&self, terms: &[String]) -> impl Iterator<Item = &T> {
        let mut node = Some(0usize);
        for term in terms {
            node = node.and_then(|n| self.nodes[n].children.get(term)).map(|&c| c as usize);
        }
        node.filter(|_| !terms.is_empty()).into_iter().flat_map(move |n| self.nodes[n].payloads.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyzer, terms};

    fn words(text: &str) -> Vec<String> {
        terms(&mut analyzer(), text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn longest_match_wins_and_stems_match() {
        let mut set = PhraseSet::default();
        set.insert(words("arms"), 1);
        set.insert(words("arms deliveries"), 2);
        let text = terms(&mut analyzer(), "new arms delivery and arms");
        let found: Vec<(usize, i32)> = set.find(&text, |_, _, _| true).iter().map(|m| (m.first, *m.payload)).collect();
        assert_eq!(found, [(1, 2), (4, 1)]);
    }

    #[test]
    fn a_vetoed_match_falls_back_to_a_shorter_one() {
        let mut set = PhraseSet::default();
        set.insert(words("a b"), 1);
        set.insert(words("a"), 2);
        let text = terms(&mut analyzer(), "a b");
        let found = set.find(&text, |_, len, _| len == 1);
        assert_eq!(*found[0].payload, 2);
    }
}
