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
//! Each passage is scored with BM25 over the highlight spans it contains, with corpus-wide
//! idf from the index and the passage length relative to the average passage length.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::highlight::{Highlight, Span};

/// Target passage length in bytes.
pub const DEFAULT_PASSAGE_CHARS: usize = 420;
/// Most sentences in one passage.
pub const MAX_PASSAGE_SENTENCES: usize = 3;
/// Longer sentences are cut at word boundaries.
pub const MAX_SENTENCE_BYTES: usize = 600;

/// BM25 parameters for passages.
const K1: f32 = 1.2;
const B: f32 = 0.75;

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
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?' | '…') {
                continue;
            }
            // Closing quotes and brackets stay with the sentence they close.
            let mut j = k + 1;
            while chars.get(j).is_some_and(|&(_, c)| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']')) {
                j += 1;
            }
            let Some(&(ws_at, ws)) = chars.get(j) else { continue };
            if !ws.is_whitespace() {
                continue;
            }
            let next = chars[j..].iter().find(|(_, c)| !c.is_whitespace()).map(|&(_, c)| c);
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
    let lower = bare.to_lowercase();
    // "No. 10" but "said no. Then".
    (lower == "no" && next.is_some_and(|c| c.is_ascii_digit())) || ABBREVIATIONS.contains(&lower.as_str())
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

/// Scores passages of `body` and returns the best `n`, best first. `spans` are the body's
/// matches; `idf` weighs a span's key. When nothing matched, the lead passage is returned
/// with score 0, so every hit shows some text.
pub(crate) fn best(body: &str, spans: &[Span], idf: &dyn Fn(&str) -> f32, n: usize) -> Vec<Passage> {
    if n == 0 {
        return Vec::new();
    }
    let ranges = windows(body, DEFAULT_PASSAGE_CHARS);
    if ranges.is_empty() {
        return Vec::new();
    }
    let lengths: Vec<f32> = ranges.iter().map(|r| body[r.clone()].split_whitespace().count().max(1) as f32).collect();
    let avg = lengths.iter().sum::<f32>() / lengths.len() as f32;
    let mut scored: Vec<(f32, usize)> = Vec::new();
    let mut first_span = 0;
    for (i, range) in ranges.iter().enumerate() {
        first_span += spans[first_span..].partition_point(|s| s.start < range.start);
        let inside = spans[first_span..].iter().take_while(|s| s.end <= range.end);
        let mut tf: HashMap<&str, f32> = HashMap::new();
        for span in inside {
            *tf.entry(span.key.as_str()).or_default() += 1.0;
        }
        let norm = K1 * (1.0 - B + B * lengths[i] / avg);
        let score: f32 = tf.iter().map(|(key, &f)| idf(key) * f * (K1 + 1.0) / (f + norm)).sum();
        scored.push((score, i));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let matched: Vec<(f32, usize)> = scored.iter().copied().filter(|(s, _)| *s > 0.0).take(n).collect();
    let chosen = if matched.is_empty() { vec![(0.0, 0)] } else { matched };
    chosen
        .into_iter()
        .map(|(score, i)| {
            let range = ranges[i].clone();
            let highlights = spans
                .iter()
                .filter(|s| s.start >= range.start && s.end <= range.end)
                .map(|s| Highlight { start: s.start, end: s.end })
                .collect();
            Passage { score, start: range.start, end: range.end, text: body[range].to_string(), highlights }
        })
        .collect()
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

    #[test]
    fn windows_hold_up_to_three_sentences() {
        let body = "A one. B two. C three. D four.";
        let w: Vec<&str> = windows(body, 1000).into_iter().map(|r| &body[r]).collect();
        assert_eq!(w, ["A one. B two. C three.", "D four."]);
    }
}
