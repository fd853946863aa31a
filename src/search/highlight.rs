//! Highlights: the exact byte ranges of the body that matched the query.
//!
//! Works on the body's analysed terms (the index's own analyzer, so stemmed variants light
//! up: `talks` lights "talking"); searches find them with the cheaper `scan` module, which
//! gives the same spans. A phrase lights as one span from its first word to its
//! last, and only where the whole phrase occurs; its words alone are not lit unless the query
//! also has them alone. Prefix and fuzzy clauses light every word they expand to. Spans are
//! sorted, disjoint and on char boundaries (they are token boundaries); no markup is added:
//! renderers choose it.
//!
//! Searches light the matches inside the passages they return; [`Searcher::highlight`]
//! lights every match of a query in a whole text, for showing an article in full.

use std::cell::Cell;

use serde::{Deserialize, Serialize};

use super::{ANALYZER, Searcher, compile, query, scan};
use crate::analysis;

#[cfg(test)]
use super::compile::Lit;
#[cfg(test)]
use crate::analysis::Term;

/// A highlighted byte range of an article body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Highlight {
    /// First byte (document-absolute).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Highlight {
    /// The range as a `Range<usize>`.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

impl Searcher {
    /// Every match of `query` in `text` (an article's body, as [`Searcher::article`] gives
    /// it), sorted and disjoint: what a search would light, over the whole text rather than
    /// inside the best passages. Function words a search would not rank by are not lit, nor
    /// are negated words or filters (`leader:putin`).
    ///
    /// ```
    /// use attache::{Index, IndexSchema, Report};
    /// let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    /// let searcher = index.searcher();
    /// let text = "Talks on Iran resumed. Iranian envoys were talking in Oman.";
    /// let lit: Vec<&str> = searcher.highlight("talks -oman", text)?.iter().map(|h| &text[h.range()]).collect();
    /// assert_eq!(lit, ["Talks", "talking"]);
    /// # Ok::<(), attache::Error>(())
    /// ```
    ///
    /// A malformed query is [`crate::Error::Query`], as for [`Searcher::search`].
    pub fn highlight(&self, query: &str, text: &str) -> crate::Result<Vec<Highlight>> {
        let tree = compile::drop_stopwords(&query::parse(query)?);
        let mut analyzer = ANALYZER.with(Cell::take).unwrap_or_else(analysis::analyzer);
        let mut lexicons = compile::Lexicons { shared: &self.extractor, schema: &self.index.schema, own: None };
        let tag_fields = super::Ranking::default().tag_fields;
        let lits = compile::compile(&tree, &self.index, tag_fields, &mut analyzer, &mut lexicons)?.lits;
        let spans = if lits.is_empty() {
            Vec::new()
        } else {
            let vocab = scan::Vocab::new(&lits);
            let scanned = scan::scan(&mut analyzer, &vocab, text);
            scan::find(&scanned, &vocab, &lits)
        };
        ANALYZER.with(|cell| cell.set(Some(analyzer)));
        Ok(spans.into_iter().map(|s| Highlight { start: s.start, end: s.end }).collect())
    }
}

/// A match of one lit item: its span and the key that scores it (the matched term or
/// phrase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub key: String,
}

/// Finds the spans of `lits` in the analysed body, sorted and disjoint; at overlaps the
/// earlier, then longer, span wins. The reference that searches' cheaper scan
/// (`scan::find`) is tested against.
#[cfg(test)]
pub(crate) fn find(terms: &[Term], lits: &[Lit]) -> Vec<Span> {
    let spans = occurrences(terms, lits);
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if out.last().is_none_or(|last| span.start >= last.end) {
            out.push(span);
        }
    }
    out
}

/// Every match of `lits` in the analysed body, overlaps included (a phrase and its words
/// each count, for scoring), sorted by start, longer first. The reference for
/// `scan::occurrences`.
#[cfg(test)]
pub(crate) fn occurrences(terms: &[Term], lits: &[Lit]) -> Vec<Span> {
    let mut spans = Vec::new();
    for lit in lits {
        match lit {
            Lit::Terms(seq) if !seq.is_empty() => {
                let key = seq.join(" ");
                for window_start in 0..terms.len().saturating_sub(seq.len() - 1) {
                    let window = &terms[window_start..window_start + seq.len()];
                    if window.iter().zip(seq).all(|(t, s)| t.text == *s) {
                        spans.push(Span { start: window[0].start, end: window[seq.len() - 1].end, key: key.clone() });
                    }
                }
            }
            Lit::Terms(_) => {}
            Lit::Prefix(prefix) => {
                spans.extend(terms.iter().filter(|t| t.text.starts_with(prefix.as_str())).map(|t| Span {
                    start: t.start,
                    end: t.end,
                    key: t.text.clone(),
                }))
            }
            Lit::Fuzzy(word, distance) => spans.extend(
                terms.iter().filter(|t| within_distance(&t.text, word, usize::from(*distance))).map(|t| Span {
                    start: t.start,
                    end: t.end,
                    key: t.text.clone(),
                }),
            ),
        }
    }
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    spans
}

/// Damerau-free Levenshtein distance ≤ `max`, with transpositions costing one (as tantivy's
/// fuzzy query counts them).
pub(crate) fn within_distance(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()] <= max
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyzer, terms};

    fn lit_words(text: &str) -> Vec<String> {
        terms(&mut analyzer(), text).into_iter().map(|t| t.text).collect()
    }

    fn lit(body: &str, lits: &[Lit]) -> Vec<String> {
        find(&terms(&mut analyzer(), body), lits).iter().map(|s| body[s.start..s.end].to_string()).collect()
    }

    #[test]
    fn stemmed_variants_light() {
        assert_eq!(lit("They talked; talks go on.", &[Lit::Terms(lit_words("talking"))]), ["talked", "talks"]);
    }

    #[test]
    fn a_phrase_is_one_span_and_its_words_alone_are_not_lit() {
        let body = "The root causes, the root of it, and causes.";
        assert_eq!(lit(body, &[Lit::Terms(lit_words("root causes"))]), ["root causes"]);
    }

    #[test]
    fn overlapping_word_and_phrase_keep_the_phrase() {
        let body = "root causes";
        let lits = [Lit::Terms(lit_words("causes")), Lit::Terms(lit_words("root causes"))];
        assert_eq!(lit(body, &lits), ["root causes"]);
    }

    #[test]
    fn prefix_and_fuzzy_expansions_light() {
        let body = "Sanctioned banks face sanctions; Zelensky and Zelenskyy spoke.";
        assert_eq!(lit(body, &[Lit::Prefix("sanction".into())]), ["Sanctioned", "sanctions"]);
        assert_eq!(lit(body, &[Lit::Fuzzy("zelenski".into(), 1)]), ["Zelensky"]);
        assert_eq!(lit(body, &[Lit::Fuzzy("zelenski".into(), 2)]), ["Zelensky", "Zelenskyy"]);
    }

    #[test]
    fn distance() {
        assert!(within_distance("abc", "abc", 0));
        assert!(within_distance("abc", "acb", 1));
        assert!(within_distance("kitten", "sitting", 3));
        assert!(!within_distance("kitten", "sitting", 2));
    }
}
