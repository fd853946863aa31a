//! Passages: the sentence-aware windows of a body, scored so the one that answers comes first.
//!
//! [`sentences`] splits a body into sentences: `.`, `!`, `?` and `…` end one when followed by
//! white space and a capital, digit or quote — unless the word before is an abbreviation
//! (`Mr.`, `Gen.`, `U.S.`, an initial such as `M.`). A blank line or an indented line starts a
//! paragraph; a single line break is only white space, so hard-wrapped text reads as prose.
//! Sentences longer than [`MAX_SENTENCE_BYTES`] are cut at word boundaries.
//!
//! [`windows`] groups consecutive sentences of a paragraph into passages of up to
//! [`MAX_PASSAGE_SENTENCES`] sentences and about [`DEFAULT_PASSAGE_CHARS`] bytes. Passages tile
//! the body: sorted, disjoint, together covering every non-blank byte.
//!
//! Each passage is scored with BM25 (`Windows::scores`): the query's weighted words and
//! phrases found in it, each weighing its query weight times its corpus-wide idf (from the
//! index's body field), with the passage length relative to the average passage length of the
//! articles being ranked. The ranker ([`super::rank`]) uses the best passage's score in the
//! article's score (MaxP interpolation).

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use tantivy::DocAddress;

use super::compile::Lit;
use super::highlight::{Highlight, Span};
use super::loaded::{Loaded, Run};
use super::scan;

/// Target passage length in bytes.
pub const DEFAULT_PASSAGE_CHARS: usize = 420;
/// Most sentences in one passage.
pub const MAX_PASSAGE_SENTENCES: usize = 3;
/// Longer sentences are cut at word boundaries.
pub const MAX_SENTENCE_BYTES: usize = 600;

/// Words after which a period does not end a sentence (compared lower-case, without dots).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt", "sen", "rep", "gov",
    "pres", "st", "jr", "sr", "vs", "etc", "approx", "dept", "est", "fig", "inc", "ltd", "co", "corp", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "rev", "hon", "amb",
];

/// One passage of a hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// BM25 score of the passage (0 when nothing matched in it).
    pub score: f32,
    /// First byte in the body.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Exactly `body[start..end]`.
    pub text: String,
    /// Matches inside the passage, document-absolute, sorted and disjoint.
    pub highlights: Vec<Highlight>,
}

/// Byte ranges of the sentences of `body`, in order, trimmed of white space.
pub fn sentences(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for paragraph in paragraphs(body) {
        let text = &body[paragraph.clone()];
        let mut start = 0;
        // Only the few characters after each stop are looked at, without collecting the
        // paragraph's characters.
        for (i, c) in text.match_indices(['.', '!', '?', '…']).filter_map(|(i, m)| Some((i, m.chars().next()?))) {
            let from = i + c.len_utf8();
            let mut after = text[from..].char_indices().map(|(j, c)| (from + j, c)).peekable();
            // Closing quotes and brackets stay with the sentence they close.
            while after.next_if(|&(_, c)| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']')).is_some() {}
            let Some((ws_at, ws)) = after.peek().copied() else { continue };
            if !ws.is_whitespace() {
                continue;
            }
            let next = after.find(|(_, c)| !c.is_whitespace()).map(|(_, c)| c);
            let starts_sentence = next
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\'' | '('));
            if !starts_sentence || (c == '.' && is_abbreviation(&text[start..i], next)) {
                continue;
            }
            push_trimmed(&mut out, text, paragraph.start, start..ws_at);
            start = ws_at;
        }
        push_trimmed(&mut out, text, paragraph.start, start..text.len());
    }
    split_long(body, out)
}

/// Paragraph ranges: split at blank lines and at lines that start indented.
fn paragraphs(body: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    let mut previous_blank = false;
    for line in body.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        let indented = line.starts_with([' ', '\t']) && !blank;
        if offset > start && (indented || (previous_blank && !blank)) {
            out.push(start..offset);
            start = offset;
        }
        previous_blank = blank;
        offset += line.len();
    }
    if offset > start {
        out.push(start..offset);
    }
    out
}

fn push_trimmed(out: &mut Vec<Range<usize>>, text: &str, base: usize, range: Range<usize>) {
    let piece = &text[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(base + range.start + lead..base + range.end - trail);
    }
}

/// Whether the text before a period ends with an abbreviation or an initial; `next` is the
/// first character after the white space that follows.
fn is_abbreviation(before: &str, next: Option<char>) -> bool {
    // `trim_end`: in text with spaced punctuation ("U.S .") the word is the one before the space.
    let word = before.trim_end().rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let bare = word.trim_start_matches(['"', '“', '\'']);
    if bare.is_empty() {
        return false;
    }
    // Initials and dotted abbreviations: "M", "M.J", "U.S", "U.N".
    if bare.chars().all(|c| c.is_alphabetic() || c == '.')
        && bare.split('.').all(|p| p.chars().count() <= 1)
        && bare.chars().next().is_some_and(char::is_uppercase)
    {
        return true;
    }
    // "No. 10" but "said no. Then". ASCII words (nearly all) compare without a lowercased copy.
    let lower = (!bare.is_ascii()).then(|| bare.to_lowercase());
    let is = |word: &str| match &lower {
        None => bare.eq_ignore_ascii_case(word),
        Some(lower) => lower == word,
    };
    (is("no") && next.is_some_and(|c| c.is_ascii_digit())) || ABBREVIATIONS.iter().any(|a| is(a))
}

/// Cuts sentences longer than [`MAX_SENTENCE_BYTES`] at white space.
fn split_long(body: &str, sentences: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(sentences.len());
    for mut range in sentences {
        while range.len() > MAX_SENTENCE_BYTES {
            let piece = &body[range.clone()];
            let limit = floor_char_boundary(piece, MAX_SENTENCE_BYTES);
            let cut = piece[..limit].rfind(char::is_whitespace).filter(|&c| c > 0).unwrap_or(limit);
            if cut == 0 {
                break;
            }
            push_trimmed(&mut out, body, 0, range.start..range.start + cut);
            range.start += cut;
            let rest = &body[range.clone()];
            range.start += rest.len() - rest.trim_start().len();
        }
        if !range.is_empty() {
            out.push(range);
        }
    }
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Groups sentences into passages: consecutive sentences of one paragraph, up to
/// [`MAX_PASSAGE_SENTENCES`] and about `target` bytes.
pub fn windows(body: &str, target: usize) -> Vec<Range<usize>> {
    let paragraph_starts: Vec<usize> = paragraphs(body).iter().map(|p| p.start).collect();
    let paragraph_of = |at: usize| paragraph_starts.partition_point(|&s| s <= at);
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut current: Option<(Range<usize>, usize)> = None;
    for sentence in sentences(body) {
        current = match current {
            Some((range, n))
                if n < MAX_PASSAGE_SENTENCES
                    && sentence.end - range.start <= target
                    && paragraph_of(range.start) == paragraph_of(sentence.start) =>
            {
                Some((range.start..sentence.end, n + 1))
            }
            Some((range, _)) => {
                out.push(range);
                Some((sentence, 1))
            }
            None => Some((sentence, 1)),
        };
    }
    out.extend(current.map(|(r, _)| r));
    out
}

/// BM25 parameters and length statistics for scoring passages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PassageStats {
    /// Term-frequency saturation.
    pub k1: f32,
    /// Length normalisation.
    pub b: f32,
    /// Average passage length in terms, pooled over the articles being ranked (a stand-in
    /// for the corpus-wide average, which the index does not keep).
    pub avg_len: f32,
}

/// The passages of one body: their ranges, lengths in terms, and the matches to score.
#[derive(Debug, Clone)]
pub(crate) struct Windows {
    /// Passage ranges, in order.
    pub ranges: Vec<Range<usize>>,
    /// Length of each passage in analysed terms (at least 1).
    pub lengths: Vec<f32>,
}

impl Windows {
    /// Splits `body` into passages and counts the terms of each, given the byte range of
    /// every term of the body, in order.
    pub fn new(body: &str, terms: &[(usize, usize)]) -> Windows {
        let ranges = windows(body, DEFAULT_PASSAGE_CHARS);
        let mut lengths = Vec::with_capacity(ranges.len());
        let mut at = 0;
        for range in &ranges {
            at += terms[at..].partition_point(|t| t.0 < range.start);
            let n = terms[at..].iter().take_while(|t| t.1 <= range.end).count();
            lengths.push(n.max(1) as f32);
        }
        Windows { ranges, lengths }
    }

    /// BM25 score of each passage over `matches` (sorted by start, overlaps allowed), each
    /// match weighing `weight(key)` (query weight × idf).
    pub fn scores(&self, matches: &[Span], weight: &dyn Fn(&str) -> f32, stats: PassageStats) -> Vec<f32> {
        let avg = if stats.avg_len > 0.0 { stats.avg_len } else { 1.0 };
        let mut first = 0;
        self.ranges
            .iter()
            .zip(&self.lengths)
            .map(|(range, &len)| {
                first += matches[first..].partition_point(|s| s.start < range.start);
                let mut tf: HashMap<&str, f32> = HashMap::new();
                for m in matches[first..].iter().take_while(|s| s.start < range.end).filter(|s| s.end <= range.end) {
                    *tf.entry(m.key.as_str()).or_default() += 1.0;
                }
                let norm = stats.k1 * (1.0 - stats.b + stats.b * len / avg);
                tf.iter().map(|(key, &f)| weight(key) * f * (stats.k1 + 1.0) / (f + norm)).sum()
            })
            .collect()
    }

    /// The best `n` passages by `scores`, best first, with the highlight `spans` (sorted,
    /// disjoint) inside each. When nothing scored, the lead passage is returned with score 0,
    /// so every hit shows some text.
    pub fn best(&self, body: &str, scores: &[f32], spans: &[Span], n: usize) -> Vec<Passage> {
        if n == 0 || self.ranges.is_empty() {
            return Vec::new();
        }
        let mut order: Vec<usize> =
            (0..self.ranges.len()).filter(|&i| scores.get(i).is_some_and(|s| *s > 0.0)).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        order.truncate(n);
        if order.is_empty() {
            order.push(0);
        }
        order
            .into_iter()
            .filter_map(|i| {
                let range = self.ranges[i].clone();
                let highlights = spans
                    .iter()
                    .filter(|s| s.start >= range.start && s.end <= range.end)
                    .map(|s| Highlight { start: s.start, end: s.end })
                    .collect();
                let text = body.get(range.clone())?.to_string();
                Some(Passage {
                    score: scores.get(i).copied().unwrap_or(0.0),
                    start: range.start,
                    end: range.end,
                    text,
                    highlights,
                })
            })
            .collect()
    }
}

/// How passages are scored in one search: what counts, how much each match weighs.
pub(crate) struct PassageScoring {
    pub lits: Vec<Lit>,
    /// Weight per key (a term, or a phrase's terms joined by spaces); `None`: the key's idf.
    pub weights: Option<HashMap<String, f32>>,
    pub stats: PassageStats,
}

impl PassageScoring {
    /// The score of each passage of a loaded article.
    pub fn scores(&self, run: &Run, loaded: &Loaded) -> Vec<f32> {
        let matches = scan::occurrences(&loaded.scan, &run.vocab, &self.lits);
        let weight = |key: &str| match &self.weights {
            Some(w) => w.get(key).copied().unwrap_or(0.0),
            None => run.body_idf(key),
        };
        loaded.windows.scores(&matches, &weight, self.stats)
    }
}

/// Passage BM25 statistics pooled over `docs` (loading and scanning them).
pub(crate) fn pooled_stats(run: &mut Run, docs: &[DocAddress], (k1, b): (f32, f32)) -> crate::Result<PassageStats> {
    let (mut total, mut count) = (0.0f32, 0usize);
    for &address in docs {
        let loaded = run.load(address, true)?;
        total += loaded.windows.lengths.iter().sum::<f32>();
        count += loaded.windows.lengths.len();
    }
    let avg_len = if count == 0 { 1.0 } else { total / count as f32 };
    Ok(PassageStats { k1, b, avg_len })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(body: &str) -> Vec<&str> {
        sentences(body).into_iter().map(|r| &body[r]).collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        assert_eq!(
            split("The U.S. official met Mr. Ushakov. M.J. Gdnus wrote it! Then? Done."),
            ["The U.S. official met Mr. Ushakov.", "M.J. Gdnus wrote it!", "Then?", "Done."]
        );
    }

    #[test]
    fn quotes_close_with_their_sentence() {
        assert_eq!(split("He said “no.” Then left."), ["He said “no.”", "Then left."]);
    }

    #[test]
    fn lower_case_after_a_period_continues() {
        assert_eq!(split("Approx. ten people came. about that."), ["Approx. ten people came. about that."]);
    }

    #[test]
    fn hard_wrapped_lines_are_one_paragraph_and_blank_lines_split() {
        let body = "First line\ncontinues here.\n\nSecond paragraph";
        assert_eq!(split(body), ["First line\ncontinues here.", "Second paragraph"]);
        assert_eq!(windows(body, 1000).len(), 2);
    }

    #[test]
    fn spaced_punctuation_ends_sentences() {
        assert_eq!(split("THE U.S . WANTS IT . BUT EUROPE WAITS ."), ["THE U.S . WANTS IT .", "BUT EUROPE WAITS ."]);
    }

    #[test]
    fn long_sentences_are_cut_at_word_boundaries() {
        let body = "word ".repeat(400);
        let parts = sentences(&body);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|r| r.len() <= MAX_SENTENCE_BYTES));
        assert!(parts.iter().all(|r| body[r.clone()].starts_with("word")));
    }

    fn body_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            "[A-Za-z]{1,9}",
            Just(" ".to_string()),
            Just(". ".to_string()),
            Just(" .".to_string()),
            Just("U.S. ".to_string()),
            Just("Mr. ".to_string()),
            Just("?! ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("\n  ".to_string()),
            Just("“Erdoğan…” ".to_string()),
            Just("🇺🇦".to_string()),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..200).prop_map(|v| v.concat())
    }

    /// The sentence splitter as first written (collecting each paragraph's characters): the
    /// reference the faster one must equal.
    fn sentences_reference(body: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for paragraph in paragraphs(body) {
            let text = &body[paragraph.clone()];
            let mut start = 0;
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            for (k, &(i, c)) in chars.iter().enumerate() {
                if !matches!(c, '.' | '!' | '?' | '…') {
                    continue;
                }
                let mut j = k + 1;
                while chars.get(j).is_some_and(|&(_, c)| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']')) {
                    j += 1;
                }
                let Some(&(ws_at, ws)) = chars.get(j) else { continue };
                if !ws.is_whitespace() {
                    continue;
                }
                let next = chars[j..].iter().find(|(_, c)| !c.is_whitespace()).map(|&(_, c)| c);
                let starts_sentence = next.is_some_and(|c| {
                    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\'' | '(')
                });
                if !starts_sentence || (c == '.' && is_abbreviation(&text[start..i], next)) {
                    continue;
                }
                push_trimmed(&mut out, text, paragraph.start, start..ws_at);
                start = ws_at;
            }
            push_trimmed(&mut out, text, paragraph.start, start..text.len());
        }
        split_long(body, out)
    }

    #[test]
    fn abbreviations_compare_without_case() {
        assert!(is_abbreviation("met Mr", Some('U')));
        assert!(is_abbreviation("the GEN", Some('U')));
        assert!(is_abbreviation("No", Some('1')) && !is_abbreviation("said no", Some('T')));
        assert!(!is_abbreviation("Ärzte", Some('T')));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn sentences_equal_the_reference_splitter(body in body_strategy()) {
            proptest::prop_assert_eq!(sentences(&body), sentences_reference(&body));
        }

        /// Sentences and passages: in bounds, on char boundaries, non-empty, sorted and
        /// disjoint; passages never longer than their sentences allow.
        #[test]
        fn passages_are_in_bounds_on_char_boundaries_sorted_and_disjoint(body in body_strategy()) {
            for ranges in [sentences(&body), windows(&body, DEFAULT_PASSAGE_CHARS)] {
                let mut previous_end = 0;
                for r in &ranges {
                    proptest::prop_assert!(r.start < r.end && r.end <= body.len(), "{r:?}");
                    proptest::prop_assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end));
                    proptest::prop_assert!(r.start >= previous_end, "{ranges:?}");
                    previous_end = r.end;
                }
            }
            // Every non-blank character lies in a passage.
            let ranges = windows(&body, DEFAULT_PASSAGE_CHARS);
            for (i, c) in body.char_indices() {
                if !c.is_whitespace() {
                    proptest::prop_assert!(ranges.iter().any(|r| r.contains(&i)), "byte {i} ({c:?}) uncovered");
                }
            }
        }
    }

    #[test]
    fn windows_hold_up_to_three_sentences() {
        let body = "A one. B two. C three. D four.";
        let w: Vec<&str> = windows(body, 1000).into_iter().map(|r| &body[r]).collect();
        assert_eq!(w, ["A one. B two. C three.", "D four."]);
    }
}
