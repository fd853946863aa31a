//! Phrase matching over analysed terms: the engine under leader and topic extraction.
//!
//! Patterns are sequences of analysed terms (the same analyzer as the index, so "arms
//! deliveries" matches "arms delivery"); they are keyed by their first term, and at each
//! position of a text the longest pattern that matches wins and matching resumes after it.

use std::collections::HashMap;

use crate::analysis::Term;

/// A set of term sequences, each with a payload.
#[derive(Debug, Clone)]
pub(crate) struct PhraseSet<T> {
    by_first: HashMap<String, Vec<(Vec<String>, T)>>,
}

impl<T> Default for PhraseSet<T> {
    fn default() -> Self {
        PhraseSet { by_first: HashMap::new() }
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
    /// Adds a pattern; empty patterns and exact duplicates are ignored.
    pub fn insert(&mut self, terms: Vec<String>, payload: T) {
        let Some(first) = terms.first().cloned() else { return };
        let entry = self.by_first.entry(first).or_default();
        if !entry.iter().any(|(t, p)| *t == terms && *p == payload) {
            entry.push((terms, payload));
            // Longest first, so the first hit at a position is the longest.
            entry.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
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
        let candidates = self.by_first.get(&text.get(i)?.text)?;
        candidates.iter().find_map(|(terms, payload)| {
            let end = i + terms.len();
            (end <= text.len()
                && terms.iter().zip(&text[i..end]).all(|(a, b)| *a == b.text)
                && accept(i, terms.len(), payload))
            .then_some(Match { first: i, len: terms.len(), payload })
        })
    }

    /// The payloads of the pattern equal to `terms`.
    pub fn exact(&self, terms: &[String]) -> impl Iterator<Item = &T> {
        terms
            .first()
            .and_then(|f| self.by_first.get(f))
            .into_iter()
            .flatten()
            .filter(move |(t, _)| t == terms)
            .map(|(_, p)| p)
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
