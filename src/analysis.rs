//! The English analyzer: the one place text becomes terms.
//!
//! `simple tokenizer → drop tokens over 40 bytes → lowercase → ASCII folding → English
//! Snowball stem` (rust-stemmers). The same [`TextAnalyzer`] indexes documents, analyses query
//! words, scores passages and finds highlights, so a word that matched is always a word that
//! lights up. tantivy stores only the analyzer's *name* in the index, so [`register`] is
//! called on every index attache creates or opens.
//!
//! tantivy's own `stemmer` feature is off (it pulls another stemming crate); the filter here
//! wraps `rust_stemmers` and caches stems of frequent words, since stemming is most of the cost
//! of indexing.

use std::collections::HashMap;
use std::sync::Arc;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

/// Name under which the English analyzer is registered on every index.
pub const ANALYZER: &str = "attache_en";

/// Tokens longer than this many bytes (URLs, base64) are dropped.
const MAX_TOKEN_BYTES: usize = 40;

/// Words cached per analyzer instance before the cache is cleared.
const STEM_CACHE_CAPACITY: usize = 50_000;

/// Builds the English analyzer.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(EnglishStemmer)
        .build()
}

/// Registers the analyzer on `index` under [`ANALYZER`].
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// One analysed token: the term and where it came from in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The normalised, stemmed term.
    pub text: String,
    /// Byte offset of the first byte of the word in the original text.
    pub start: usize,
    /// Byte offset one past the word.
    pub end: usize,
    /// Position of the word among the text's tokens.
    pub position: usize,
}

/// Analyses `text` into terms with their byte offsets.
///
/// ```
/// let terms = attache::analysis::terms(&mut attache::analysis::analyzer(), "Peace talks");
/// let words: Vec<&str> = terms.iter().map(|t| t.text.as_str()).collect();
/// assert_eq!(words, ["peac", "talk"]);
/// assert_eq!((terms[1].start, terms[1].end), (6, 11));
/// ```
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        out.push(Term {
            text: token.text.clone(),
            start: token.offset_from,
            end: token.offset_to,
            position: token.position,
        });
    }
    out
}

/// Token filter that replaces each token by its English Snowball stem.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnglishStemmer;

impl TokenFilter for EnglishStemmer {
    type Tokenizer<T: Tokenizer> = StemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemmerFilter<T> {
        StemmerFilter {
            inner: tokenizer,
            stemmer: Arc::new(Stemmer::create(Algorithm::English)),
            cache: HashMap::new(),
        }
    }
}

/// The tokenizer [`EnglishStemmer`] produces.
pub struct StemmerFilter<T> {
    inner: T,
    stemmer: Arc<Stemmer>,
    cache: HashMap<String, String>,
}

impl<T: Clone> Clone for StemmerFilter<T> {
    fn clone(&self) -> Self {
        // The cache is per instance: each indexing thread warms its own.
        StemmerFilter { inner: self.inner.clone(), stemmer: Arc::clone(&self.stemmer), cache: HashMap::new() }
    }
}

impl<T: Tokenizer> Tokenizer for StemmerFilter<T> {
    type TokenStream<'a> = StemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.cache.len() > STEM_CACHE_CAPACITY {
            self.cache.clear();
        }
        StemmerStream { tail: self.inner.token_stream(text), stemmer: &self.stemmer, cache: &mut self.cache }
    }
}

/// The token stream of a [`StemmerFilter`].
pub struct StemmerStream<'a, S> {
    tail: S,
    stemmer: &'a Stemmer,
    cache: &'a mut HashMap<String, String>,
}

impl<S: TokenStream> TokenStream for StemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
        } else {
            let stem = self.stemmer.stem(&token.text).into_owned();
            self.cache.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        terms(&mut analyzer(), text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn plural_and_verb_forms_share_a_stem() {
        assert_eq!(stems("talks talking talk"), ["talk", "talk", "talk"]);
        assert_eq!(stems("deliveries delivery"), ["deliveri", "deliveri"]);
        assert_eq!(stems("sanctions sanctioned"), ["sanction", "sanction"]);
    }

    #[test]
    fn diacritics_fold_and_case_lowers() {
        assert_eq!(stems("Erdoğan ERDOGAN"), ["erdogan", "erdogan"]);
        assert_eq!(stems("Zelenskyy’s"), ["zelenskyy", "s"]);
    }

    #[test]
    fn offsets_point_at_the_original_bytes() {
        let text = "Erdoğan met Putin";
        let t = terms(&mut analyzer(), text);
        assert_eq!(&text[t[0].start..t[0].end], "Erdoğan");
        assert_eq!(&text[t[2].start..t[2].end], "Putin");
        assert_eq!(t[2].position, 2);
    }

    #[test]
    fn very_long_tokens_are_dropped() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(stems(&format!("iran {long} talks")), ["iran", "talk"]);
    }
}
