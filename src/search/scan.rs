//! A cheap scan of an article body for passages and highlights: where its words are, and
//! which of them stem to a term of the query.
//!
//! Passage scoring and highlighting need every word's byte range (passage lengths count
//! words) but the stems of only the words that might match: on a two-word query over news
//! text, nineteen words in twenty cannot. [`scan`] splits the body exactly as the index's
//! analyzer does (maximal runs of alphanumeric characters, words of
//! [`MAX_TOKEN_BYTES`] bytes or more dropped) and sends a word through that analyzer only when
//! it could stem to a query term:
//!
//! - the English Snowball stemmer never changes a word's first two bytes (lowercased) when it
//!   leaves at least two, except for `dying`, `lying` and `tying` (→ `die`, `lie`, `tie`); a
//!   word whose stem keeps one byte keeps its first. `stemming_keeps_the_first_two_bytes`
//!   checks this over every word of up to four letters and thousands of suffixed forms;
//! - words with non-ASCII characters always go through the analyzer (folding may change their
//!   first bytes).
//!
//! So the stems of the words that are looked up are the analyzer's own, and a word that is not
//! looked up cannot equal a query term: the spans are exactly those of a full analysis
//! (tested below against [`crate::analysis::terms`]), with no `String` per word. Prefix and
//! fuzzy clauses match stems the query does not spell out; with them, [`scan`] analyses every
//! word and keeps its stem.

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::compile::Lit;
use super::highlight::Span;
use crate::analysis::Words;

/// Words of this many bytes or more are not terms (the analyzer's length limit).
pub(crate) const MAX_TOKEN_BYTES: usize = 40;

/// No query term.
const NONE: u32 = u32::MAX;

/// The terms the query may light, and the first bytes of words that may stem to them.
pub(crate) struct Vocab {
    /// Distinct terms of the `Lit::Terms` items.
    terms: Vec<String>,
    /// Bit `(b0 << 8) | b1`: some term starts with bytes `b0 b1` (or its word may).
    pairs: Box<[u64; 1024]>,
    /// Bit `b0`: some one-byte term is `b0`.
    singles: [u64; 4],
    /// Whether some lit needs every word's stem (prefix, fuzzy).
    needs_stems: bool,
}

impl Vocab {
    /// The vocabulary of `lits`.
    pub fn new<'a>(lits: impl IntoIterator<Item = &'a Lit>) -> Vocab {
        let mut vocab = Vocab { terms: Vec::new(), pairs: Box::new([0; 1024]), singles: [0; 4], needs_stems: false };
        for lit in lits {
            match lit {
                Lit::Terms(seq) => {
                    for term in seq {
                        if !vocab.terms.contains(term) {
                            vocab.add(term);
                            vocab.terms.push(term.clone());
                        }
                    }
                }
                Lit::Prefix(_) | Lit::Fuzzy(..) => vocab.needs_stems = true,
            }
        }
        vocab
    }

    fn add(&mut self, term: &str) {
        match *term.as_bytes() {
            [] => {}
            [b0] => self.singles[usize::from(b0 >> 6)] |= 1 << (b0 & 63),
            [b0, b1, ..] => {
                self.set_pair(b0, b1);
                // The stemmer's exceptions: dying → die, lying → lie, tying → tie.
                if matches!((b0, b1), (b'd' | b'l' | b't', b'i')) {
                    self.set_pair(b0, b'y');
                }
            }
        }
    }

    fn set_pair(&mut self, b0: u8, b1: u8) {
        let bit = usize::from(b0) << 8 | usize::from(b1);
        self.pairs[bit >> 6] |= 1 << (bit & 63);
    }

    /// Whether an ASCII word (lowercased `b0`, `b1`) may stem to one of the terms.
    fn may_match(&self, b0: u8, b1: Option<u8>) -> bool {
        let single = self.singles[usize::from(b0 >> 6)] & (1 << (b0 & 63)) != 0;
        single
            || b1.is_some_and(|b1| {
                let bit = usize::from(b0) << 8 | usize::from(b1);
                self.pairs[bit >> 6] & (1 << (bit & 63)) != 0
            })
    }

    fn id(&self, stem: &str) -> u32 {
        self.terms.iter().position(|t| t == stem).map_or(NONE, |i| i as u32)
    }
}

/// The words of a body, and which query term each stems to.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Byte range of every word (term), in order.
    pub tokens: Vec<(usize, usize)>,
    /// Per word, the index of the vocabulary term it stems to, or `NONE`.
    ids: Vec<u32>,
    /// Per word, its stem, when the vocabulary needs them.
    stems: Option<Vec<String>>,
}

/// Scans `body` (see the module documentation).
pub(crate) fn scan(analyzer: &mut TextAnalyzer, vocab: &Vocab, body: &str) -> Scan {
    let mut out = Scan { tokens: Vec::with_capacity(body.len() / 6), ids: Vec::new(), stems: None };
    out.ids.reserve(body.len() / 6);
    let mut stems = vocab.needs_stems.then(Vec::new);
    let bytes = body.as_bytes();
    let mut words = Words::new(body);
    while let Some((start, end, is_ascii)) = words.next_word() {
        if end - start >= MAX_TOKEN_BYTES {
            continue;
        }
        let lookup = stems.is_some()
            || !is_ascii
            || vocab.may_match(
                bytes[start].to_ascii_lowercase(),
                bytes.get(start + 1).filter(|_| end - start > 1).map(u8::to_ascii_lowercase),
            );
        let mut id = NONE;
        if lookup {
            let mut stream = analyzer.token_stream(&body[start..end]);
            if let Some(token) = stream.next() {
                id = vocab.id(&token.text);
                if let Some(stems) = &mut stems {
                    stems.push(token.text.clone());
                }
            } else if let Some(stems) = &mut stems {
                stems.push(String::new());
            }
        }
        out.tokens.push((start, end));
        out.ids.push(id);
    }
    out.stems = stems;
    out
}

/// Every match of `lits` in the scanned body, overlaps included (a phrase and its words each
/// count, for scoring), sorted by start, longer first. Same spans as
/// [`super::highlight::occurrences`] over the body's full analysis.
pub(crate) fn occurrences(scan: &Scan, vocab: &Vocab, lits: &[Lit]) -> Vec<Span> {
    let mut spans = Vec::new();
    for lit in lits {
        match lit {
            Lit::Terms(seq) if !seq.is_empty() => {
                let ids: Vec<u32> = seq.iter().map(|t| vocab.id(t)).collect();
                if ids.contains(&NONE) {
                    continue;
                }
                let key = seq.join(" ");
                let n = seq.len();
                for start in 0..scan.ids.len().saturating_sub(n - 1) {
                    if scan.ids[start] == ids[0] && scan.ids[start..start + n] == ids[..] {
                        spans.push(Span {
                            start: scan.tokens[start].0,
                            end: scan.tokens[start + n - 1].1,
                            key: key.clone(),
                        });
                    }
                }
            }
            Lit::Terms(_) => {}
            Lit::Prefix(prefix) => {
                for (stem, &(start, end)) in scan.stems.iter().flatten().zip(&scan.tokens) {
                    if stem.starts_with(prefix.as_str()) {
                        spans.push(Span { start, end, key: stem.clone() });
                    }
                }
            }
            Lit::Fuzzy(word, distance) => {
                for (stem, &(start, end)) in scan.stems.iter().flatten().zip(&scan.tokens) {
                    if super::highlight::within_distance(stem, word, usize::from(*distance)) {
                        spans.push(Span { start, end, key: stem.clone() });
                    }
                }
            }
        }
    }
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    spans
}

/// Finds the spans of `lits`, sorted and disjoint; at overlaps the earlier, then longer, span
/// wins. Same as [`super::highlight::find`] over the full analysis.
pub(crate) fn find(scan: &Scan, vocab: &Vocab, lits: &[Lit]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for span in occurrences(scan, vocab, lits) {
        if out.last().is_none_or(|last| span.start >= last.end) {
            out.push(span);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Checked here: the stemmer keeps first bytes as the scan assumes; the scan's words and
    //! spans are exactly those of the full analysis, on any text and any query words.

    use proptest::prelude::*;
    use rust_stemmers::{Algorithm, Stemmer};

    use super::*;
    use crate::analysis::{analyzer, terms};

    fn keeps_prefix(stemmer: &Stemmer, word: &str) -> bool {
        let stem = stemmer.stem(word);
        let keep = stem.len().min(2);
        !stem.is_empty() && stem.as_bytes()[..keep] == word.as_bytes()[..keep]
    }

    #[test]
    fn stemming_keeps_the_first_two_bytes() {
        let stemmer = Stemmer::create(Algorithm::English);
        let letters: Vec<char> = ('a'..='z').collect();
        let mut exceptions = Vec::new();
        let mut check = |w: &str| {
            if !keeps_prefix(&stemmer, w) {
                exceptions.push(w.to_string());
            }
        };
        // Every word of one to four letters.
        let mut words = vec![String::new()];
        for _ in 0..4 {
            words = words.iter().flat_map(|w| letters.iter().map(move |c| format!("{w}{c}"))).collect();
            words.iter().for_each(|w| check(w));
        }
        // Two- and three-letter beginnings with the suffixes the stemmer removes or rewrites.
        let suffixes = [
            "s", "es", "ies", "ied", "ed", "edly", "ing", "ingly", "eed", "eedly", "y", "ly", "e", "al", "ational",
            "tional", "enci", "anci", "izer", "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator",
            "alism", "aliti", "iviti", "biliti", "logi", "fulli", "lessli", "icate", "ative", "alize", "iciti", "ical",
            "ful", "ness", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate",
            "iti", "ous", "ive", "ize", "ion", "sses", "'s", "s'", "ss", "us", "yes", "ying",
        ];
        let mut stems: Vec<String> =
            letters.iter().flat_map(|a| letters.iter().map(move |b| format!("{a}{b}"))).collect();
        stems.extend(
            [
                "bea", "str", "gen", "com", "ars", "yea", "dy", "ly", "ty", "sky", "ski", "ie", "ae", "oa", "19", "f1",
                "7",
            ]
            .map(String::from),
        );
        for stem in &stems {
            for suffix in suffixes {
                check(&format!("{stem}{suffix}"));
            }
        }
        exceptions.sort();
        exceptions.dedup();
        assert_eq!(exceptions, ["dying", "lying", "tying"]);
    }

    /// A span as (start, end, key).
    type Flat = Vec<(usize, usize, String)>;

    /// Spans of the full analysis (the reference) and of the scan.
    fn both(body: &str, query: &[Lit]) -> (Flat, Flat) {
        let reference = super::super::highlight::occurrences(&terms(&mut analyzer(), body), query);
        let vocab = Vocab::new(query);
        let scanned = occurrences(&scan(&mut analyzer(), &vocab, body), &vocab, query);
        let flat = |s: Vec<Span>| s.into_iter().map(|s| (s.start, s.end, s.key)).collect();
        (flat(reference), flat(scanned))
    }

    fn lit_terms(text: &str) -> Lit {
        Lit::Terms(terms(&mut analyzer(), text).into_iter().map(|t| t.text).collect())
    }

    #[test]
    fn the_scan_finds_what_the_full_analysis_finds() {
        let body = "Dying talks: they lied, lying about the ties; Erdoğan met PUTIN in İstanbul. \
                    The root causes, roots and causing. A aing aed x² 東京 talked";
        for query in [
            vec![lit_terms("talking")],
            vec![lit_terms("die"), lit_terms("lie"), lit_terms("tie")],
            vec![lit_terms("root causes"), lit_terms("causes")],
            vec![lit_terms("erdogan met putin"), lit_terms("İstanbul")],
            vec![lit_terms("a"), lit_terms("x")],
            vec![Lit::Prefix("tal".into()), Lit::Fuzzy("erdogan".into(), 1), lit_terms("roots")],
        ] {
            let (reference, scanned) = both(body, &query);
            assert!(!reference.is_empty(), "{query:?}");
            assert_eq!(reference, scanned, "{query:?}");
        }
    }

    #[test]
    fn words_are_the_analyzers_terms() {
        let body = format!("a {} b{}c Ærø-ﬁnance ½ ١٢٣ {}", "é".repeat(25), "q".repeat(39), "z".repeat(40));
        let vocab = Vocab::new(&[]);
        let words: Vec<(usize, usize)> = scan(&mut analyzer(), &vocab, &body).tokens;
        let reference: Vec<(usize, usize)> = terms(&mut analyzer(), &body).iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(words, reference);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn the_scan_matches_the_full_analysis_on_any_text(
            body in "([a-zA-Zéİß'’0-9]{1,10}[ ,.\n-]){0,40}",
            words in proptest::collection::vec("[a-zA-Zé]{1,8}", 1..4),
        ) {
            let query: Vec<Lit> = words.iter().map(|w| lit_terms(w)).chain([lit_terms(&words.join(" "))]).collect();
            let (reference, scanned) = both(&body, &query);
            prop_assert_eq!(reference, scanned);
            let vocab = Vocab::new(&query);
            let words: Vec<(usize, usize)> = scan(&mut analyzer(), &vocab, &body).tokens;
            let all: Vec<(usize, usize)> = terms(&mut analyzer(), &body).iter().map(|t| (t.start, t.end)).collect();
            prop_assert_eq!(words, all);
        }

        #[test]
        fn the_scan_matches_on_words_taken_from_the_text(body in "\\PC{0,200}", pick in 0usize..50) {
            let words: Vec<String> = terms(&mut analyzer(), &body).into_iter().map(|t| t.text).collect();
            if let Some(word) = words.get(pick % words.len().max(1)) {
                let query = vec![Lit::Terms(vec![word.clone()])];
                let (reference, scanned) = both(&body, &query);
                prop_assert_eq!(reference, scanned);
            }
        }
    }
}
