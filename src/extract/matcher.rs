//! Phrase matching over analysed terms: the engine under leader and topic extraction.
//!
//! Patterns are sequences of analysed terms (the same analyzer as the index, so "arms
//! deliveries" matches "arms delivery"); they are keyed by their first term, and at each
//! position of a text the longest pattern that matches wins and matching resumes after it.
//!
//! Every term a lexicon uses is numbered once in a [`Vocab`], and matching compares those
//! numbers: a text's terms get theirs from the analyzer, which caches each stem's number with
//! the stem ([`crate::analysis`]'s tagging analyzer), so the words of a report cost no lookup
//! beyond the analysis that reads them anyway.

use std::collections::hash_map::Entry;
use std::hash::Hasher;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::TermBuffer;
pub(crate) use crate::hash::{FxHashMap, FxHashSet, FxHasher};

/// Longest pattern, in terms, that matching follows; longer patterns are never inserted.
pub(crate) const MAX_PATTERN_TERMS: usize = 16;

/// The id of a term no lexicon uses.
pub(crate) const UNKNOWN: u32 = u32::MAX;

/// Every analysed term the lexicons use, numbered. A text's terms get their numbers from
/// the analyzer, which looks each stem up here on a stem-cache miss and keeps the number with
/// the stem (`analysis::TaggingAnalyzer`); from then on every matcher — leader names, topic
/// triggers, roles, the discovery vocabularies — compares and indexes numbers instead of
/// hashing strings again.
///
/// Looking up every term of every report is the hot path, so this is a small open-addressing
/// table rather than a `HashMap<String, _>`: a slot keeps the term's first 8 bytes as one
/// integer and its length, so most terms (stems are short) are compared in one instruction,
/// with no `memcmp` call and no pointer to follow.
#[derive(Debug, Default, Clone)]
pub(crate) struct Vocab {
    /// Linear probing over a power-of-two number of slots, at most half full.
    slots: Vec<VocabSlot>,
    /// A bit per fingerprint of the terms ([`Vocab::filter_bit`]): most words of a text are
    /// in no lexicon, and this 8 KiB bitmap turns most of them away before the table, which
    /// is larger, is touched.
    filter: Vec<u64>,
    /// Each id's term, for the bytes past the first 8 and for rebuilding the table.
    words: Vec<Box<str>>,
}

#[derive(Debug, Clone, Copy)]
struct VocabSlot {
    /// The term's first 8 bytes, little-endian, zero-padded.
    head: u64,
    len: u32,
    /// [`UNKNOWN`] for an empty slot.
    id: u32,
}

const EMPTY_SLOT: VocabSlot = VocabSlot { head: 0, len: 0, id: UNKNOWN };

/// Bits of the hash prefix [`Vocab`]'s filter is indexed by.
const FILTER_BITS: u32 = 16;

/// The first 8 bytes of `b` as a little-endian integer, zero-padded. Short words are read
/// as two overlapping loads (the overlap holds the same bytes twice), never byte by byte.
fn head(b: &[u8]) -> u64 {
    let n = b.len();
    let load = |at: usize, width: usize| -> u64 {
        let mut w = [0u8; 8];
        w[..width].copy_from_slice(&b[at..at + width]);
        u64::from_le_bytes(w)
    };
    match n {
        8.. => load(0, 8),
        4..=7 => load(0, 4) | load(n - 4, 4) << (8 * (n - 4)),
        2..=3 => load(0, 2) | load(n - 2, 2) << (8 * (n - 2)),
        1 => u64::from(b[0]),
        _ => 0,
    }
}

impl Vocab {
    /// The hash of a term: its head, its length and any bytes past the head.
    fn hash(b: &[u8], head: u64) -> u64 {
        let mut h = head ^ (b.len() as u64).rotate_right(8);
        if b.len() > 8 {
            let mut rest = FxHasher::default();
            rest.write(&b[8..]);
            h ^= rest.finish();
        }
        // Multiplicative hashing: the high bits are the well-mixed ones.
        h.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The slot where the probe for a hash starts.
    fn start(&self, hash: u64) -> usize {
        (hash >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// The filter's bit for a term: a fingerprint of its length and first, second and last
    /// bytes, read without branching on the length, so most words no lexicon uses are
    /// turned away before their head is even assembled.
    fn filter_bit(b: &[u8]) -> usize {
        let n = b.len();
        let (first, second, last) = (b[0], b[1.min(n - 1)], b[n - 1]);
        let f = (n as u32) | u32::from(first) << 8 | u32::from(second) << 16 | u32::from(last) << 24;
        (f.wrapping_mul(0x9e37_79b9) >> (32 - FILTER_BITS)) as usize
    }

    /// The id of `term`, or [`UNKNOWN`].
    pub fn get(&self, term: &str) -> u32 {
        if self.slots.is_empty() {
            return UNKNOWN;
        }
        let b = term.as_bytes();
        if b.is_empty() {
            return UNKNOWN;
        }
        let bit = Self::filter_bit(b);
        if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
            return UNKNOWN;
        }
        let head = head(b);
        let hash = Self::hash(b, head);
        let mask = self.slots.len() - 1;
        let mut i = self.start(hash);
        loop {
            let slot = self.slots[i];
            if slot.id == UNKNOWN {
                return UNKNOWN;
            }
            if slot.head == head
                && slot.len as usize == b.len()
                && (b.len() <= 8 || self.words[slot.id as usize].as_bytes().get(8..) == b.get(8..))
            {
                return slot.id;
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `term`, numbering it if it is new.
    pub fn intern(&mut self, term: &str) -> u32 {
        let id = self.get(term);
        if id != UNKNOWN {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(term.into());
        if self.slots.len() < 2 * self.words.len() {
            // Rebuild at twice the size (64 slots at least), so the table stays half empty.
            self.slots = vec![EMPTY_SLOT; (2 * self.words.len()).next_power_of_two().max(64)];
            for id in 0..self.words.len() {
                self.place(id as u32);
            }
        } else {
            self.place(id);
        }
        id
    }

    /// Puts word `id` in the first free slot of its probe.
    fn place(&mut self, id: u32) {
        let b = self.words[id as usize].as_bytes();
        let head = head(b);
        let hash = Self::hash(b, head);
        if self.filter.is_empty() {
            self.filter = vec![0; (1 << FILTER_BITS) / 64];
        }
        if !b.is_empty() {
            let bit = Self::filter_bit(b);
            self.filter[bit / 64] |= 1 << (bit % 64);
        }
        let mask = self.slots.len() - 1;
        let mut i = self.start(hash);
        while self.slots[i].id != UNKNOWN {
            i = (i + 1) & mask;
        }
        self.slots[i] = VocabSlot { head, len: b.len() as u32, id };
    }

    /// The ids of `terms`, numbering new ones.
    #[cfg(test)]
    pub fn intern_all(&mut self, terms: &[String]) -> Vec<u32> {
        terms.iter().map(|t| self.intern(t)).collect()
    }

    /// The ids of `terms`, or None if one is unknown (then no lexicon entry is made of them).
    pub fn get_all(&self, terms: &[String]) -> Option<Vec<u32>> {
        terms.iter().map(|t| Some(self.get(t)).filter(|&id| id != UNKNOWN)).collect()
    }

    /// The id of each term of a text, [`UNKNOWN`] for words no lexicon uses. (Indexing
    /// gets these from the analyzer: [`crate::analysis::TaggingAnalyzer`].)
    #[cfg(test)]
    pub fn ids(&self, terms: &[crate::analysis::Term]) -> Vec<u32> {
        terms.iter().map(|t| self.get(&t.text)).collect()
    }
}

/// Lexicon strings as term ids, while the matchers are built ([`super::Extractor::new`]).
///
/// The lexicons hand about 8,500 strings to analyse, only 4,600 of them distinct: offices,
/// countries and demonyms recur for every leader and role. Each distinct string is analysed
/// once, into a reused buffer (no `String` per term), and its terms numbered in the
/// [`Vocab`] being built.
pub(crate) struct Keys<'a> {
    pub analyzer: TextAnalyzer,
    pub vocab: Vocab,
    buffer: TermBuffer,
    memo: FxHashMap<&'a str, Vec<u32>>,
}

impl<'a> Keys<'a> {
    pub fn new(analyzer: TextAnalyzer) -> Keys<'a> {
        Keys { analyzer, vocab: Vocab::default(), buffer: TermBuffer::default(), memo: FxHashMap::default() }
    }

    /// The ids of the terms of `text`.
    pub fn ids(&mut self, text: &'a str) -> Vec<u32> {
        if let Some(ids) = self.memo.get(text) {
            return ids.clone();
        }
        let ids: Vec<u32> =
            self.buffer.analyse(&mut self.analyzer, text).iter().map(|t| self.vocab.intern(&t.text)).collect();
        self.memo.insert(text, ids.clone());
        ids
    }

    /// The id of the first term of `word` ([`UNKNOWN`] if it has none).
    pub fn id(&mut self, word: &'a str) -> u32 {
        self.ids(word).first().copied().unwrap_or(UNKNOWN)
    }

    /// The analyzer and the vocabulary, once every matcher is built.
    pub fn finish(self) -> (TextAnalyzer, Vocab) {
        (self.analyzer, self.vocab)
    }
}

/// A set of term sequences, each with a payload: a trie over term ids, so matching at a
/// position costs one small lookup per term of the longest candidate, however many patterns
/// share a first word ("President of Russia", "President of France", …).
///
/// Every term of a text is tried as a first word, and many are (common words open topic
/// triggers), so the first step is an array read by term id rather than a hash lookup; the
/// rarer steps below it go through one hash map of edges. A byte per node says whether a
/// pattern ends there and whether any edge leaves it, so a walk stops without a lookup.
#[derive(Debug, Clone)]
pub(crate) struct PhraseSet<T> {
    /// The node each term id leads to from the root (`NONE`: no pattern starts with it).
    root: Vec<u32>,
    /// `(node, term id)` → node, below the first term.
    edges: FxHashMap<(u32, u32), u32>,
    /// Per node: [`ENDS`] and [`HAS_EDGES`] bits.
    flags: Vec<u8>,
    /// Per node, the payload of the first pattern ending there: most nodes end one pattern
    /// or none, so this saves an allocation per pattern over a `Vec` per node.
    payloads: Vec<Option<T>>,
    /// Per node where several patterns end, the payloads after the first, in insertion order.
    more_payloads: FxHashMap<u32, Vec<T>>,
}

/// No node: node 0 is the root, never reached by an edge.
const NONE: u32 = 0;
/// A pattern ends at the node.
const ENDS: u8 = 1;
/// An edge leaves the node.
const HAS_EDGES: u8 = 2;

impl<T> Default for PhraseSet<T> {
    fn default() -> Self {
        PhraseSet {
            root: Vec::new(),
            edges: FxHashMap::default(),
            flags: vec![0],
            payloads: vec![None],
            more_payloads: FxHashMap::default(),
        }
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
    /// Adds a pattern of term ids; empty patterns, exact duplicates, patterns longer than
    /// [`MAX_PATTERN_TERMS`] and patterns with an [`UNKNOWN`] term are ignored.
    pub fn insert(&mut self, ids: &[u32], payload: T) {
        if ids.is_empty() || ids.len() > MAX_PATTERN_TERMS || ids.contains(&UNKNOWN) {
            return;
        }
        let first = ids[0] as usize;
        if self.root.len() <= first {
            self.root.resize(first + 1, NONE);
        }
        let mut node = self.root[first];
        if node == NONE {
            node = self.new_node();
            self.root[first] = node;
        }
        for &id in &ids[1..] {
            // One hash of the edge, whether it exists or is added.
            let next = self.flags.len() as u32;
            node = match self.edges.entry((node, id)) {
                Entry::Occupied(edge) => *edge.get(),
                Entry::Vacant(edge) => {
                    edge.insert(next);
                    self.flags[node as usize] |= HAS_EDGES;
                    self.new_node()
                }
            };
        }
        self.flags[node as usize] |= ENDS;
        match &mut self.payloads[node as usize] {
            slot @ None => *slot = Some(payload),
            Some(first) if *first == payload => {}
            Some(_) => {
                let more = self.more_payloads.entry(node).or_default();
                if !more.contains(&payload) {
                    more.push(payload);
                }
            }
        }
    }

    fn new_node(&mut self) -> u32 {
        self.flags.push(0);
        self.payloads.push(None);
        (self.flags.len() - 1) as u32
    }

    /// The node term `id` leads to from the root, or [`NONE`] ([`UNKNOWN`] leads nowhere).
    fn first(&self, id: u32) -> u32 {
        self.root.get(id as usize).copied().unwrap_or(NONE)
    }

    /// Whether some pattern starts with term `id`.
    pub fn opens(&self, id: u32) -> bool {
        self.first(id) != NONE
    }

    /// Longest non-overlapping matches in `text` (term ids), left to right. `accept` may veto
    /// a match (a name written in lower case, say); the next shorter pattern is then tried.
    ///
    /// `opening`, when given, lists (in order) the indices of the terms that [open](Self::opens)
    /// a pattern, the only places a match can start; without it every term is tried.
    pub fn find<'a>(
        &'a self,
        text: &[u32],
        opening: Option<&[usize]>,
        mut accept: impl FnMut(usize, usize, &T) -> bool,
    ) -> Vec<Match<'a, T>> {
        let mut out = Vec::new();
        let mut next = 0;
        let mut try_at = |i: usize, next: &mut usize| {
            if i >= *next
                && let Some(m) = self.longest_at(text, i, &mut accept)
            {
                *next = i + m.len;
                out.push(m);
            }
        };
        match opening {
            Some(opening) => opening.iter().for_each(|&i| try_at(i, &mut next)),
            // Most words start no pattern: skip them without the walk's set-up.
            None => (0..text.len()).filter(|&i| self.opens(text[i])).for_each(|i| try_at(i, &mut next)),
        }
        out
    }

    /// The longest accepted pattern starting at term `i` of `text` (term ids).
    pub fn longest_at<'a>(
        &'a self,
        text: &[u32],
        i: usize,
        mut accept: impl FnMut(usize, usize, &T) -> bool,
    ) -> Option<Match<'a, T>> {
        let mut node = self.first(*text.get(i)?);
        if node == NONE {
            return None;
        }
        // Walk down the trie, remembering the nodes where a pattern ends.
        let mut ends = [(0usize, 0u32); MAX_PATTERN_TERMS];
        let mut num_ends = 0;
        let mut len = 1;
        loop {
            let flags = self.flags[node as usize];
            if flags & ENDS != 0 {
                ends[num_ends] = (len, node);
                num_ends += 1;
            }
            if flags & HAS_EDGES == 0 || len == MAX_PATTERN_TERMS {
                break;
            }
            let Some(&id) = text.get(i + len) else { break };
            let Some(&child) = self.edges.get(&(node, id)) else { break };
            node = child;
            len += 1;
        }
        ends[..num_ends].iter().rev().find_map(|&(len, node)| {
            let payload = self.payloads_of(node).find(|p| accept(i, len, p))?;
            Some(Match { first: i, len, payload })
        })
    }

    /// The payloads of the pattern equal to `ids`.
    pub fn exact(&self, ids: &[u32]) -> impl Iterator<Item = &T> {
        let mut node = ids.first().map_or(NONE, |&id| self.first(id));
        for &id in ids.iter().skip(1) {
            if node == NONE {
                break;
            }
            node = self.edges.get(&(node, id)).copied().unwrap_or(NONE);
        }
        (node != NONE).then(|| self.payloads_of(node)).into_iter().flatten()
    }

    /// The payloads of the patterns ending at `node`, in the order they were inserted.
    fn payloads_of(&self, node: u32) -> impl Iterator<Item = &T> {
        let first = self.payloads.get(node as usize).and_then(Option::as_ref);
        first.into_iter().chain(self.more_payloads.get(&node).into_iter().flatten())
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
        let mut vocab = Vocab::default();
        let mut set = PhraseSet::default();
        set.insert(&vocab.intern_all(&words("arms")), 1);
        set.insert(&vocab.intern_all(&words("arms deliveries")), 2);
        let text = vocab.ids(&terms(&mut analyzer(), "new arms delivery and arms"));
        let found: Vec<(usize, i32)> =
            set.find(&text, None, |_, _, _| true).iter().map(|m| (m.first, *m.payload)).collect();
        assert_eq!(found, [(1, 2), (4, 1)]);
    }

    #[test]
    fn a_vetoed_match_falls_back_to_a_shorter_one() {
        let mut vocab = Vocab::default();
        let mut set = PhraseSet::default();
        set.insert(&vocab.intern_all(&words("a b")), 1);
        set.insert(&vocab.intern_all(&words("a")), 2);
        let text = vocab.ids(&terms(&mut analyzer(), "a b"));
        let found = set.find(&text, None, |_, len, _| len == 1);
        assert_eq!(*found[0].payload, 2);
    }

    #[test]
    fn unknown_words_match_nothing() {
        let mut vocab = Vocab::default();
        let mut set = PhraseSet::default();
        set.insert(&vocab.intern_all(&words("peace talks")), 1);
        assert_eq!(vocab.get_all(&words("peace plan")), None);
        let text = vocab.ids(&terms(&mut analyzer(), "peace plan talks"));
        assert_eq!(text[1], UNKNOWN);
        assert!(set.find(&text, None, |_, _, _| true).is_empty());
        assert_eq!(set.exact(&vocab.get_all(&words("peace talks")).unwrap()).next(), Some(&1));
    }

    #[test]
    fn the_vocabulary_numbers_each_term_once_whatever_its_length() {
        let mut vocab = Vocab::default();
        let words: Vec<String> = (0..1000).map(|i| format!("w{i}{}", "x".repeat(i % 20))).collect();
        let ids: Vec<u32> = words.iter().map(|w| vocab.intern(w)).collect();
        assert_eq!(ids, (0..1000).collect::<Vec<u32>>());
        for (w, id) in words.iter().zip(&ids) {
            assert_eq!(vocab.get(w), *id);
            assert_eq!(vocab.intern(w), *id);
        }
        // Same first 8 bytes, or a prefix: still different terms.
        assert_eq!(vocab.get("w1xxxxxxxxxxxxxxxxxy"), UNKNOWN);
        assert_eq!(vocab.get("w1"), UNKNOWN);
        assert_eq!(vocab.get(""), UNKNOWN);
        assert_eq!(Vocab::default().get("w1"), UNKNOWN);
    }
}
