//! English function words that carry no topic, dropped from plain-language queries.
//!
//! Verbose queries ("talks between portugal and the u s on the troubles …") are mostly
//! function words. BM25 gives them a small idf, but a dozen small weights add up to noise
//! that decides close rankings; dropping them is the classic remedy, and it measured as the
//! largest single gain on the TIME collection (see [`super::rank`]).
//!
//! The list is ours: pronouns, determiners, prepositions, conjunctions and auxiliaries. It
//! leaves out words that are also names in diplomatic news: `us` (the country, once lower-cased),
//! `may` (the month), `who` (the World Health Organization), `un`. It is applied only to bare
//! words a query ranks by; phrases, `+word`, field-scoped words and queries made only of
//! function words ("to be or not to be") keep every word. The same list keeps function words
//! out of pseudo-relevance feedback.

/// The function words, lower case, sorted (for binary search).
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether `word` (any case) is a function word.
///
/// ```
/// use attache::search::stopword::is_stopword;
/// assert!(is_stopword("The"));
/// assert!(!is_stopword("us")); // the country, lower-cased
/// assert!(!is_stopword("nuclear"));
/// ```
pub fn is_stopword(word: &str) -> bool {
    let lower = word.to_lowercase();
    STOPWORDS.binary_search(&lower.as_str()).is_ok()
}

/// Every function word, for callers that compare analysed (stemmed) terms.
pub fn all() -> impl Iterator<Item = &'static str> {
    STOPWORDS.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_unique_so_binary_search_works() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn names_that_look_like_function_words_are_kept() {
        for word in ["us", "may", "who", "un", "iran"] {
            assert!(!is_stopword(word), "{word}");
        }
        assert!(is_stopword("Of"));
    }
}
