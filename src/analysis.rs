//! The English analyzer: the one place text becomes terms.
//!
//! `simple tokenizer → drop tokens of 40 bytes or more → lowercase → ASCII folding → English
//! Snowball stem` (rust-stemmers). The same [`TextAnalyzer`] indexes documents, analyses query
//! words, scores passages and finds highlights, so a word that matched is always a word that
//! lights up. tantivy stores only the analyzer's *name* in the index, so [`register`] is
//! called on every index attache creates or opens.
//!
//! The five steps run fused in one [`Tokenizer`] rather than as a chain of tantivy filters:
//! each byte of the text is looked at once, ASCII words (nearly all of English news) are
//! lowercased in place, and stems come from a small direct-mapped cache (`StemCache`) that
//! needs no allocation and stays in the CPU cache, so the Snowball stemmer runs only for
//! words the cache has not seen lately. The output is term-for-term what the chain
//! `SimpleTokenizer → RemoveLongFilter(40) → LowerCaser → AsciiFoldingFilter → stemmer` gives
//! (tested below against that chain on mixed-script text): rare non-ASCII words go through
//! tantivy's own lowercasing and folding filters. tantivy's `stemmer` feature is off (it pulls
//! another stemming crate).
//!
//! Indexing analyses each title and body once. The indexer analyses them for extraction and
//! hands the tokens to the index's analyzer with the document, which replays them (copies
//! each token out, with its offsets and position) instead of analysing the same text again:
//! the analyzer registered by the indexer keeps a registry of texts, by address and length,
//! whose tokens are known while the document that owns the text is alive. Any other text (a
//! query, a passage, an author or tag field) is analysed. [`register`] registers the
//! analyzer without the registry.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::hash::FxHashMap;

/// Name under which the English analyzer is registered on every index.
pub const ANALYZER: &str = "attache_en";

/// Tokens of this many bytes or more (URLs, base64) are dropped, as tantivy's
/// `RemoveLongFilter::limit(40)` drops them.
const MAX_TOKEN_BYTES: usize = 40;

/// Builds the English analyzer.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(EnglishTokenizer::default())
}

/// Registers the analyzer on `index` under [`ANALYZER`].
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// Registers on `index` the analyzer that replays the texts registered in the returned
/// `Replay` instead of analysing them again; any other text is analysed as [`register`]'s.
pub(crate) fn register_replaying(index: &tantivy::Index) -> Arc<Replay> {
    let replay = Arc::new(Replay::default());
    let tokenizer = EnglishTokenizer { replay: Some(Arc::clone(&replay)), ..EnglishTokenizer::default() };
    index.tokenizers().register(ANALYZER, TextAnalyzer::from(tokenizer));
    replay
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
    let mut out = Vec::with_capacity(text.len() / 6);
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

/// A reusable list of terms: analysing into it overwrites the terms of the last text in
/// place, so once warm it allocates nothing — [`terms`] allocates a `String` per token, which
/// costs more than finding and stemming the token.
///
/// ```
/// let mut analyzer = attache::analysis::analyzer();
/// let mut buffer = attache::analysis::TermBuffer::default();
/// assert_eq!(buffer.analyse(&mut analyzer, "Peace talks").len(), 2);
/// assert_eq!(buffer.analyse(&mut analyzer, "Sanctions")[0].text, "sanction");
/// ```
#[derive(Debug, Default, Clone)]
pub struct TermBuffer {
    terms: Vec<Term>,
    len: usize,
    /// Each term's tag, when analysed by a [`TaggingAnalyzer`].
    tags: Vec<u32>,
    /// What extraction reads of the surface, when analysed by a [`TaggingAnalyzer`].
    marks: Marks,
}

/// A text analysed for extraction ([`TermBuffer::analyse_tagged`]): its terms, each term's
/// tag, and the [`Marks`] of its surface.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tagged<'a> {
    pub terms: &'a [Term],
    pub tags: &'a [u32],
    /// Whether each term starts with a capital letter.
    pub caps: &'a [bool],
    /// The indices of the capitalised terms, in order.
    pub capitalised_at: &'a [usize],
    /// The indices of the terms with a comma right before them (between them and the term
    /// before), in order.
    pub after_comma: &'a [usize],
    /// The indices of the terms whose tag had [`TAG_OPENS`], in order.
    pub opening: &'a [usize],
}

/// Where a text's terms start with a capital and where commas separate them: what
/// extraction asks of the text around the terms, noted term by term as the analyzer goes,
/// while the bytes are still in the CPU's cache, rather than read again afterwards.
#[derive(Debug, Default, Clone)]
pub(crate) struct Marks {
    caps: Vec<bool>,
    capitalised_at: Vec<usize>,
    after_comma: Vec<usize>,
    opening: Vec<usize>,
    /// Where the last term noted ends.
    last_end: usize,
}

impl Marks {
    /// The marks of `terms`, analysed from `text`.
    #[cfg(test)]
    pub(crate) fn of(text: &str, terms: &[Term]) -> Marks {
        let mut marks = Marks::default();
        for term in terms {
            marks.note(text, term);
        }
        marks
    }

    fn clear(&mut self) {
        self.caps.clear();
        self.capitalised_at.clear();
        self.after_comma.clear();
        self.opening.clear();
        self.last_end = 0;
    }

    /// Notes the next term of `text`.
    fn note(&mut self, text: &str, term: &Term) {
        let i = self.caps.len();
        let cap = match text.as_bytes().get(term.start) {
            Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
            Some(_) => text.get(term.start..).and_then(|s| s.chars().next()).is_some_and(char::is_uppercase),
            None => false,
        };
        self.caps.push(cap);
        if cap {
            self.capitalised_at.push(i);
        }
        // The gap is usually a byte or two; terms that overlap have none.
        let gap = text.as_bytes().get(self.last_end..term.start).unwrap_or_default();
        if i > 0 && gap.contains(&b',') {
            self.after_comma.push(i);
        }
        self.last_end = term.end;
    }

    /// These marks with `terms` and their `tags`.
    pub(crate) fn tagged<'a>(&'a self, terms: &'a [Term], tags: &'a [u32]) -> Tagged<'a> {
        Tagged {
            terms,
            tags,
            caps: &self.caps,
            capitalised_at: &self.capitalised_at,
            after_comma: &self.after_comma,
            opening: &self.opening,
        }
    }
}

impl TermBuffer {
    /// Analyses `text`, replacing the previous terms, and returns them.
    pub fn analyse(&mut self, analyzer: &mut TextAnalyzer, text: &str) -> &[Term] {
        self.len = 0;
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            self.put(token);
        }
        self.terms()
    }

    /// Writes `token` over the next term, reusing its `String`.
    fn put(&mut self, token: &Token) {
        match self.terms.get_mut(self.len) {
            Some(term) => {
                term.text.clear();
                term.text.push_str(&token.text);
                term.start = token.offset_from;
                term.end = token.offset_to;
                term.position = token.position;
            }
            None => self.terms.push(Term {
                text: token.text.clone(),
                start: token.offset_from,
                end: token.offset_to,
                position: token.position,
            }),
        }
        self.len += 1;
    }

    /// Analyses `text` like [`TermBuffer::analyse`], numbers each term with the analyzer's
    /// tagger and notes the text's [`Marks`].
    pub(crate) fn analyse_tagged(&mut self, analyzer: &mut TaggingAnalyzer, text: &str) -> Tagged<'_> {
        self.len = 0;
        self.tags.clear();
        self.marks.clear();
        let mut stream = analyzer.0.token_stream(text);
        while stream.advance() {
            self.put(&stream.tokenizer.token);
            self.push_tag(stream.tokenizer.tag);
            self.marks.note(text, &self.terms[self.len - 1]);
        }
        self.marks.tagged(self.terms.get(..self.len).unwrap_or_default(), &self.tags)
    }

    /// Tags the terms of the last text, analysed by an analyzer whose tagger tagged nothing
    /// ([`NO_TAG`]), with `tagger`: the same tags and [`Marks::opening`] as analysing with
    /// `tagger` would have given. For texts analysed before the tagger existed.
    pub(crate) fn retag(&mut self, tagger: &Tagger) -> Tagged<'_> {
        self.tags.clear();
        self.marks.opening.clear();
        for i in 0..self.len {
            let tag = tagger(&self.terms[i].text);
            self.push_tag(tag);
        }
        self.marks.tagged(self.terms.get(..self.len).unwrap_or_default(), &self.tags)
    }

    /// Keeps the next term's tag, noting the term in [`Marks::opening`] if the tag has
    /// [`TAG_OPENS`] (which is cleared from the tag kept).
    fn push_tag(&mut self, tag: u32) {
        if tag != NO_TAG && tag & TAG_OPENS != 0 {
            self.marks.opening.push(self.tags.len());
            self.tags.push(tag & !TAG_OPENS);
        } else {
            self.tags.push(tag);
        }
    }

    /// The terms of the last text analysed.
    pub fn terms(&self) -> &[Term] {
        self.terms.get(..self.len).unwrap_or_default()
    }
}

/// The fused English tokenizer behind [`analyzer`]. Each clone has its own stem cache, so
/// each indexing thread warms its own and none is shared across threads.
#[derive(Clone)]
struct EnglishTokenizer {
    token: Token,
    stemmer: Arc<Stemmer>,
    cache: StemCache,
    /// tantivy's lowercasing and folding, for the rare words with non-ASCII letters.
    unicode: TextAnalyzer,
    /// Numbers stems for extraction ([`TaggingAnalyzer`]); the number is cached with the stem.
    tagger: Option<Tagger>,
    /// The tag of the last token ([`NO_TAG`] without a tagger).
    tag: u32,
    /// Texts already analysed, replayed rather than analysed again (indexing only).
    replay: Option<Arc<Replay>>,
}

impl Default for EnglishTokenizer {
    fn default() -> Self {
        EnglishTokenizer {
            token: Token::default(),
            stemmer: Arc::new(Stemmer::create(Algorithm::English)),
            cache: StemCache::new(),
            unicode: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
            tagger: None,
            tag: NO_TAG,
            replay: None,
        }
    }
}

/// A function numbering stems, such as extraction's vocabulary of lexicon terms.
pub(crate) type Tagger = Arc<dyn Fn(&str) -> u32 + Send + Sync>;

/// The tag of a token when there is no tagger.
pub(crate) const NO_TAG: u32 = u32::MAX;

/// A tagger sets this bit of a tag (any but [`NO_TAG`]) to have the term's index noted in
/// [`Tagged::opening`]; the bit is cleared from the tag kept. Extraction sets it on the
/// terms that can open a topic trigger, so it visits those instead of every term.
pub(crate) const TAG_OPENS: u32 = 1 << 31;

/// The English analyzer, numbering each term's stem with a [`Tagger`] as it goes: the number
/// is cached with the stem, so a word seen before costs no lookup at all. Extraction uses it
/// to get its term ids from the pass that analyses the text anyway.
#[derive(Clone)]
pub(crate) struct TaggingAnalyzer(EnglishTokenizer);

impl TaggingAnalyzer {
    pub(crate) fn new(tagger: Tagger) -> TaggingAnalyzer {
        TaggingAnalyzer(EnglishTokenizer { tagger: Some(tagger), ..EnglishTokenizer::default() })
    }
}

impl Tokenizer for EnglishTokenizer {
    type TokenStream<'a> = EnglishTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> EnglishTokenStream<'a> {
        self.token.reset();
        let replayed = self.replay.as_ref().and_then(|replay| replay.take(text)).map(Replayed::new);
        EnglishTokenStream { text, words: Words::new(text), replayed, tokenizer: self }
    }
}

/// The token stream of the English analyzer.
struct EnglishTokenStream<'a> {
    text: &'a str,
    words: Words<'a>,
    /// The tokens of `text` when they were registered for replay; `words` is then unused.
    replayed: Option<Replayed>,
    tokenizer: &'a mut EnglishTokenizer,
}

/// The words of a text, as the analyzer splits it: maximal runs of alphanumeric characters
/// (Unicode `char::is_alphanumeric`, as tantivy's `SimpleTokenizer`). Also used by the
/// search-time scan, which must split exactly as the index did.
pub(crate) struct Words<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    next: usize,
}

impl<'a> Words<'a> {
    pub(crate) fn new(text: &'a str) -> Words<'a> {
        Words { text, next: 0 }
    }

    /// The next word `(start, end, is_ascii)`.
    pub(crate) fn next_word(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.text.as_bytes();
        let mut i = self.next;
        // Skip separators.
        let start = loop {
            let &b = bytes.get(i)?;
            if b.is_ascii() {
                if b.is_ascii_alphanumeric() {
                    break i;
                }
                i += 1;
            } else {
                let c = self.text.get(i..)?.chars().next()?;
                if c.is_alphanumeric() {
                    break i;
                }
                i += c.len_utf8();
            }
        };
        let mut ascii = true;
        let end = loop {
            let Some(&b) = bytes.get(i) else { break i };
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    break i;
                }
                i += 1;
            } else {
                let Some(c) = self.text.get(i..).and_then(|s| s.chars().next()) else { break i };
                if !c.is_alphanumeric() {
                    break i;
                }
                ascii = false;
                i += c.len_utf8();
            }
        };
        self.next = end;
        Some((start, end, ascii))
    }
}

impl TokenStream for EnglishTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(replayed) = &mut self.replayed {
            return replayed.advance(&mut self.tokenizer.token);
        }
        loop {
            let Some((start, end, ascii)) = self.words.next_word() else { return false };
            let t = &mut *self.tokenizer;
            t.token.position = t.token.position.wrapping_add(1);
            if end - start >= MAX_TOKEN_BYTES {
                continue;
            }
            let word = &self.text[start..end];
            t.token.offset_from = start;
            t.token.offset_to = end;
            let mut folded = [0u8; MAX_TOKEN_BYTES];
            let key: &[u8] = if ascii {
                folded[..word.len()].copy_from_slice(word.as_bytes());
                folded[..word.len()].make_ascii_lowercase();
                &folded[..word.len()]
            } else {
                let mut stream = t.unicode.token_stream(word);
                t.token.text.clear();
                if let Some(token) = stream.next() {
                    t.token.text.push_str(&token.text);
                }
                drop(stream);
                t.token.text.as_bytes()
            };
            // An ASCII word's key is `folded`, zero-padded already: compared whole with a
            // slot, without a `memcmp` call per token (seen in the profile).
            let cached = match folded.first_chunk::<CACHED_BYTES>() {
                Some(padded) if ascii && key.len() <= CACHED_BYTES => t.cache.get_padded(padded, key.len()),
                _ => t.cache.get(key),
            };
            if let Some((stem, tag)) = cached {
                // Only valid UTF-8 is ever cached (see `StemCache::insert`).
                let stem = std::str::from_utf8(stem).unwrap_or_default();
                t.token.text.clear();
                t.token.text.push_str(stem);
                t.tag = tag;
                return true;
            }
            // `key` is ASCII or the folded text of a `String`: valid UTF-8 either way.
            let word = std::str::from_utf8(key).unwrap_or_default();
            let stem = match lexicon_stem(word) {
                Some(stem) => stem.to_owned(),
                None => t.stemmer.stem(word).into_owned(),
            };
            t.tag = t.tagger.as_ref().map_or(NO_TAG, |tagger| tagger(&stem));
            t.cache.insert(key, stem.as_bytes(), t.tag);
            t.token.text = stem;
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.tokenizer.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokenizer.token
    }
}

/// `word<TAB>stem` for each ASCII word of the embedded lexicons, stemmed by `build.rs` with
/// the same stemmer (a test checks every line).
const LEXICON_STEMS: &str = include_str!(concat!(env!("OUT_DIR"), "/stems.tsv"));

/// The stem of `word` (lower-cased) if it is a word of the embedded lexicons, from the table
/// `build.rs` made: names of leaders, places and organisations are stemmed once per build
/// rather than once per analyzer that meets them — the matchers' build on every run, and each
/// analyzer tantivy makes for the entity fields of each segment, which starts cold. A lookup
/// costs a small fraction of a Snowball stem.
fn lexicon_stem(word: &str) -> Option<&'static str> {
    static TABLE: OnceLock<FxHashMap<&'static str, &'static str>> = OnceLock::new();
    let table = TABLE.get_or_init(|| LEXICON_STEMS.lines().filter_map(|line| line.split_once('\t')).collect());
    table.get(word).copied()
}

/// The tokens of one text, analysed ahead of indexing: every stem in one `String`, and per
/// token 12 bytes of where it came from. A `String` per token (as in [`Term`]) would cost an
/// allocation each, and the tokens of the documents waiting in tantivy's queue (up to 10,000)
/// all live at once.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    stems: String,
    spans: Vec<Span>,
}

/// Where one token came from; its stem follows the previous token's in `Tokens::stems`.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    position: u32,
    word_len: u8,
    stem_len: u8,
}

const _: () = assert!(std::mem::size_of::<Span>() == 12, "a span stays 12 bytes");

impl Tokens {
    /// The compact form of `terms`; `None` when a term does not fit it (a text over 4 GiB, a
    /// stem over 255 bytes), and the text is then analysed again rather than replayed.
    pub(crate) fn new(terms: &[Term]) -> Option<Tokens> {
        let mut tokens = Tokens {
            stems: String::with_capacity(terms.iter().map(|t| t.text.len()).sum()),
            spans: Vec::with_capacity(terms.len()),
        };
        for term in terms {
            tokens.spans.push(Span {
                start: u32::try_from(term.start).ok()?,
                position: u32::try_from(term.position).ok()?,
                word_len: u8::try_from(term.end.checked_sub(term.start)?).ok()?,
                stem_len: u8::try_from(term.text.len()).ok()?,
            });
            tokens.stems.push_str(&term.text);
        }
        Some(tokens)
    }
}

/// A replay in progress: the next token and where its stem starts.
struct Replayed {
    tokens: Tokens,
    next: usize,
    stem_start: usize,
}

impl Replayed {
    fn new(tokens: Tokens) -> Replayed {
        Replayed { tokens, next: 0, stem_start: 0 }
    }

    /// Writes the next token into `token`, exactly as analysing the text would.
    fn advance(&mut self, token: &mut Token) -> bool {
        let Some(span) = self.tokens.spans.get(self.next) else { return false };
        let stem_end = self.stem_start + usize::from(span.stem_len);
        let start = span.start as usize;
        token.offset_from = start;
        token.offset_to = start + usize::from(span.word_len);
        token.position = span.position as usize;
        token.text.clear();
        token.text.push_str(self.tokens.stems.get(self.stem_start..stem_end).unwrap_or_default());
        self.next += 1;
        self.stem_start = stem_end;
        true
    }
}

/// Texts whose tokens are known, by address and length: what an index's analyzer replays
/// instead of analysing a text a second time. A document being indexed owns its texts as
/// [`AnalysedText`]s, which register their tokens when built and remove them when dropped,
/// before their memory is freed: so an address is registered only while it holds the very
/// text the tokens were made from, and any other text (a query, a snippet, another field)
/// misses and is analysed. The tokens are taken out when replayed: tantivy analyses each
/// value of a document once.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    texts: Mutex<FxHashMap<(usize, usize), Tokens>>,
    #[cfg(test)]
    pub(crate) num_replayed: std::sync::atomic::AtomicUsize,
}

impl Replay {
    fn key(text: &str) -> (usize, usize) {
        (text.as_ptr().addr(), text.len())
    }

    fn texts(&self) -> std::sync::MutexGuard<'_, FxHashMap<(usize, usize), Tokens>> {
        // A panic elsewhere cannot leave the map half-updated: each operation is one call.
        self.texts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The tokens of `text`, if registered; they are removed.
    fn take(&self, text: &str) -> Option<Tokens> {
        if text.is_empty() {
            return None;
        }
        let tokens = self.texts().remove(&Replay::key(text));
        #[cfg(test)]
        if tokens.is_some() {
            self.num_replayed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        tokens
    }

    /// Number of texts registered and not yet replayed or dropped.
    #[cfg(test)]
    pub(crate) fn num_registered(&self) -> usize {
        self.texts().len()
    }
}

/// A text owned together with the registration of its tokens for replay: the tokens are
/// registered while, and only while, the text's memory holds it.
#[derive(Debug)]
pub(crate) struct AnalysedText {
    text: Box<str>,
    /// Where the tokens are registered; `None` when they are not (an empty text, or one whose
    /// tokens do not fit `Tokens`).
    replay: Option<Arc<Replay>>,
}

impl AnalysedText {
    /// A copy of `text`, whose analysis is `terms`, registered in `replay`.
    pub(crate) fn new(text: &str, terms: &[Term], replay: &Arc<Replay>) -> AnalysedText {
        let text: Box<str> = text.into();
        // An empty text has no memory of its own: its address could be any other's.
        let tokens = if text.is_empty() { None } else { Tokens::new(terms) };
        let replay = tokens.map(|tokens| {
            replay.texts().insert(Replay::key(&text), tokens);
            Arc::clone(replay)
        });
        AnalysedText { text, replay }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

impl Drop for AnalysedText {
    fn drop(&mut self) {
        // Runs before `text` is freed, so the address is never registered for another text.
        if let Some(replay) = &self.replay {
            // Tokens never replayed are freed after the lock is released.
            let unreplayed = replay.texts().remove(&Replay::key(&self.text));
            drop(unreplayed);
        }
    }
}

/// Longest word (and stem), in bytes, the stem cache holds; longer words are stemmed each time.
const CACHED_BYTES: usize = 22;

/// Most slots in a stem cache: 16,384 × 52 bytes ≈ 830 KiB. On the synthetic 100k corpus
/// (200,000 word forms) 65,536 slots saved another 8 % of indexing CPU over 8,192, but every
/// analyzer (one per field per indexing thread) would then carry 3 MiB.
const CACHE_SLOTS: usize = 16_384;

/// Slots a stem cache starts with. Most analyzers see few distinct words — a query's, or the
/// names in a leader, topic, place or organisation field (tantivy gives each field of each
/// indexing thread its own analyzer) — and a small table is quick to allocate and stays in
/// the CPU's cache; an analyzer of running text grows its table to [`CACHE_SLOTS`].
const FIRST_CACHE_SLOTS: usize = 256;

/// One cached `word → stem`; `word_len == 0` marks an empty slot.
#[derive(Clone, Copy)]
struct Slot {
    word_len: u8,
    stem_len: u8,
    word: [u8; CACHED_BYTES],
    stem: [u8; CACHED_BYTES],
    /// The stem's [`Tagger`] number.
    tag: u32,
}

const EMPTY: Slot = Slot { word_len: 0, stem_len: 0, word: [0; CACHED_BYTES], stem: [0; CACHED_BYTES], tag: NO_TAG };

/// A direct-mapped cache of stems: each word has one slot, chosen by a hash of its bytes; a
/// newer word evicts an older one. The words of news text follow Zipf's law, so the few
/// thousand most frequent ones — which nearly always sit in their slot — make up most tokens.
/// Unlike a growing map of `String`s it never needs clearing and costs one cache line per
/// lookup. The table is allocated on the first insert, small ([`FIRST_CACHE_SLOTS`]), and
/// grows fourfold, up to [`CACHE_SLOTS`], each time it has missed more words than it has
/// slots: only analyzers of running text pay for a large one.
#[derive(Clone)]
struct StemCache {
    /// A power of two in length, or empty.
    slots: Vec<Slot>,
    /// Words inserted since the table last grew.
    inserted: usize,
}

impl StemCache {
    fn new() -> StemCache {
        StemCache { slots: Vec::new(), inserted: 0 }
    }

    /// The slot of `word` in a table of `len` slots (a power of two).
    fn slot(word: &[u8], len: usize) -> usize {
        // FNV-1a folded to the table size: words are short, so a byte loop is cheapest.
        let mut h: u32 = 0x811c_9dc5;
        for &b in word {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        (h ^ (h >> 16)) as usize & len.wrapping_sub(1)
    }

    /// The stem of `word` and its tag.
    fn get(&self, word: &[u8]) -> Option<(&[u8], u32)> {
        let mut padded = [0u8; CACHED_BYTES];
        padded.get_mut(..word.len())?.copy_from_slice(word);
        self.get_padded(&padded, word.len())
    }

    /// [`StemCache::get`] of the word `padded[..len]`, whose other bytes are zero: slots
    /// keep their words zero-padded too, so one fixed-size comparison decides.
    fn get_padded(&self, padded: &[u8; CACHED_BYTES], len: usize) -> Option<(&[u8], u32)> {
        let slot = self.slots.get(Self::slot(padded.get(..len)?, self.slots.len()))?;
        (usize::from(slot.word_len) == len && slot.word == *padded)
            .then(|| Some((slot.stem.get(..usize::from(slot.stem_len))?, slot.tag)))?
    }

    fn insert(&mut self, word: &[u8], stem: &[u8], tag: u32) {
        if word.is_empty() || word.len() > CACHED_BYTES || stem.len() > CACHED_BYTES {
            return;
        }
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; FIRST_CACHE_SLOTS];
        } else if self.inserted >= self.slots.len() && self.slots.len() < CACHE_SLOTS {
            self.grow();
        }
        self.inserted += 1;
        let index = Self::slot(word, self.slots.len());
        let Some(slot) = self.slots.get_mut(index) else { return };
        slot.word_len = word.len() as u8;
        slot.stem_len = stem.len() as u8;
        // Zero-padded, as `get_padded` compares whole arrays.
        slot.word = [0; CACHED_BYTES];
        slot.word[..word.len()].copy_from_slice(word);
        slot.stem[..stem.len()].copy_from_slice(stem);
        slot.tag = tag;
    }

    /// Moves every cached word into a table four times larger.
    fn grow(&mut self) {
        let len = (self.slots.len() * 4).min(CACHE_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; len]);
        for slot in old.into_iter().filter(|s| s.word_len > 0) {
            let word = &slot.word[..usize::from(slot.word_len)];
            self.slots[Self::slot(word, len)] = slot;
        }
        self.inserted = 0;
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer, TokenFilter};

    use super::*;

    fn stems(text: &str) -> Vec<String> {
        terms(&mut analyzer(), text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn the_lexicon_stem_table_agrees_with_the_stemmer() {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut lines = 0;
        for line in LEXICON_STEMS.lines() {
            let (word, stem) = line.split_once('\t').expect("word<TAB>stem");
            assert_eq!(stemmer.stem(word), stem, "{word}");
            assert!(word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{word}");
            assert_eq!(lexicon_stem(word), Some(stem));
            lines += 1;
        }
        // The lexicons' words are in it, common words are not.
        assert!(lines > 1000, "{lines}");
        assert_eq!(lexicon_stem("zelenskyy"), Some("zelenskyy"));
        assert_eq!(lexicon_stem("sanctions"), Some("sanction"));
        assert_eq!(lexicon_stem("xyzzy"), None);
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
    fn very_long_tokens_are_dropped_but_keep_their_position() {
        let long = "x".repeat(MAX_TOKEN_BYTES);
        let t = terms(&mut analyzer(), &format!("iran {long} talks"));
        let words: Vec<_> = t.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(words, [("iran", 0), ("talk", 2)]);
        assert_eq!(stems(&"y".repeat(MAX_TOKEN_BYTES - 1)).len(), 1);
    }

    /// The chain of tantivy filters the fused tokenizer replaces.
    fn reference() -> TextAnalyzer {
        #[derive(Clone)]
        struct Stem(Arc<Stemmer>);
        #[derive(Clone)]
        struct StemTokenizer<T>(T, Arc<Stemmer>);
        struct StemStream<'a, S>(S, &'a Stemmer);
        impl TokenFilter for Stem {
            type Tokenizer<T: Tokenizer> = StemTokenizer<T>;
            fn transform<T: Tokenizer>(self, t: T) -> StemTokenizer<T> {
                StemTokenizer(t, self.0)
            }
        }
        impl<T: Tokenizer> Tokenizer for StemTokenizer<T> {
            type TokenStream<'a> = StemStream<'a, T::TokenStream<'a>>;
            fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
                StemStream(self.0.token_stream(text), &self.1)
            }
        }
        impl<S: TokenStream> TokenStream for StemStream<'_, S> {
            fn advance(&mut self) -> bool {
                if !self.0.advance() {
                    return false;
                }
                let stem = self.1.stem(&self.0.token().text).into_owned();
                self.0.token_mut().text = stem;
                true
            }
            fn token(&self) -> &Token {
                self.0.token()
            }
            fn token_mut(&mut self) -> &mut Token {
                self.0.token_mut()
            }
        }
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stem(Arc::new(Stemmer::create(Algorithm::English))))
            .build()
    }

    fn same_as_reference(text: &str) {
        let mut fused = analyzer();
        // Twice through one analyzer: the second pass is served from the stem cache.
        for _ in 0..2 {
            assert_eq!(terms(&mut fused, text), terms(&mut reference(), text), "{text:?}");
        }
    }

    #[test]
    fn fused_tokenizer_matches_the_chain_of_tantivy_filters() {
        same_as_reference("");
        same_as_reference("   ,,, ");
        same_as_reference(
            "KYIV, March 3 (Reuters) - Ukraine's President Volodymyr Zelenskyy met Erdoğan; \
             NATO's Secretary-General said talks on F-16 deliveries were 'substantive'.",
        );
        same_as_reference("Ærø Straße İstanbul ΣΊΣΥΦΟΣ Русский текст ﬁnance Ⅻ ½ 東京 ١٢٣ ǅemal ß x²");
        same_as_reference(&format!("a {} b{}c", "é".repeat(25), "q".repeat(39)));
        same_as_reference("tail without separator at the endé");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn fused_tokenizer_matches_the_chain_on_any_text(text in "\\PC{0,120}") {
            same_as_reference(&text);
        }

        #[test]
        fn fused_tokenizer_matches_the_chain_on_wordy_text(text in "([a-zA-Zéß'’ ]{1,12}[ ,.-]){0,30}") {
            same_as_reference(&text);
        }
    }

    #[test]
    fn a_term_buffer_gives_what_terms_gives_text_after_text() {
        let mut a = analyzer();
        let mut buffer = TermBuffer::default();
        for text in ["Putin and Trump discussed Iran at length", "", "Erdoğan", "short one", "Putin and Trump"] {
            assert_eq!(buffer.analyse(&mut a, text), terms(&mut analyzer(), text).as_slice());
            assert_eq!(buffer.terms(), terms(&mut analyzer(), text).as_slice());
        }
    }

    /// Every field of every token `analyzer` gives for `text`.
    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            out.push(token.clone());
        }
        out
    }

    fn replaying(replay: &Arc<Replay>) -> TextAnalyzer {
        TextAnalyzer::from(EnglishTokenizer { replay: Some(Arc::clone(replay)), ..EnglishTokenizer::default() })
    }

    fn replayed(replay: &Replay) -> usize {
        replay.num_replayed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Replaying `text` gives exactly the tokens analysing it gives, offsets, positions and
    /// position lengths included, and leaves nothing registered.
    fn replays_as_analysed(text: &str) {
        let replay = Arc::new(Replay::default());
        let mut analyzer = replaying(&replay);
        let expected = tokens(&mut self::analyzer(), text);
        let owned = AnalysedText::new(text, &terms(&mut self::analyzer(), text), &replay);
        let registered = usize::from(!text.is_empty());
        assert_eq!(replay.num_registered(), registered, "{text:?}");
        assert_eq!(tokens(&mut analyzer, owned.as_str()), expected, "{text:?}");
        assert_eq!((replayed(&replay), replay.num_registered()), (registered, 0), "{text:?}");
        // Replayed once: a second pass analyses the text, with the same result.
        assert_eq!(tokens(&mut analyzer, owned.as_str()), expected, "{text:?}");
        assert_eq!(replayed(&replay), registered);
    }

    #[test]
    fn a_replayed_text_gives_the_tokens_of_its_analysis() {
        replays_as_analysed("");
        replays_as_analysed("   ,,, ");
        replays_as_analysed(
            "KYIV, March 3 (Reuters) - Ukraine's President Volodymyr Zelenskyy met Erdoğan; \
             NATO's Secretary-General said talks on F-16 deliveries were 'substantive'.",
        );
        replays_as_analysed("Ærø Straße İstanbul ΣΊΣΥΦΟΣ Русский текст ﬁnance Ⅻ ½ 東京 ١٢٣ ǅemal ß x²");
        // Dropped long words leave gaps in the positions.
        replays_as_analysed(&format!("a {} b{}c {} d", "é".repeat(25), "q".repeat(39), "z".repeat(80)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_text_replays_as_analysed(text in "\\PC{0,120}") {
            replays_as_analysed(&text);
        }
    }

    #[test]
    fn replay_is_by_address_so_an_equal_text_elsewhere_is_analysed() {
        let replay = Arc::new(Replay::default());
        let mut analyzer = replaying(&replay);
        // Deliberately the wrong tokens, to tell a replay from an analysis.
        let owned = AnalysedText::new("Putin met Xi", &terms(&mut self::analyzer(), "Peace talks"), &replay);
        let copy = String::from(owned.as_str());
        let words = |tokens: Vec<Token>| tokens.into_iter().map(|t| t.text).collect::<Vec<_>>();
        assert_eq!(words(tokens(&mut analyzer, &copy)), ["putin", "met", "xi"]);
        assert_eq!(words(tokens(&mut analyzer, owned.as_str().get(..5).unwrap_or_default())), ["putin"]);
        assert_eq!(words(tokens(&mut analyzer, owned.as_str())), ["peac", "talk"]);
    }

    #[test]
    fn a_dropped_text_is_no_longer_registered() {
        let replay = Arc::new(Replay::default());
        let texts: Vec<AnalysedText> = ["Putin", "Xi", "", "Modi"]
            .into_iter()
            .map(|text| AnalysedText::new(text, &terms(&mut analyzer(), text), &replay))
            .collect();
        // The empty text has no memory of its own to be known by.
        assert_eq!(replay.num_registered(), 3);
        drop(texts);
        assert_eq!(replay.num_registered(), 0);
    }

    #[test]
    fn the_cache_evicts_and_never_returns_a_wrong_stem_or_tag() {
        let mut cache = StemCache::new();
        cache.insert(b"talks", b"talk", 7);
        assert_eq!(cache.get(b"talks"), Some((&b"talk"[..], 7)));
        assert_eq!(cache.get(b"talk"), None);
        // A word never matches the longer word its slot held before ("talks" → "talk").
        let slot = StemCache::slot(b"talks", cache.slots.len());
        cache.slots[slot].word_len = 4;
        assert_eq!(cache.get(b"talk"), None, "stale bytes past the length must not match");
        cache.insert(b"talks", b"talk", 7);
        // Fill far past capacity; every hit must still be the right stem, with its tag.
        let stemmer = Stemmer::create(Algorithm::English);
        for i in 0..(4 * CACHE_SLOTS) {
            let w = format!("w{i}ing");
            cache.insert(w.as_bytes(), stemmer.stem(&w).as_bytes(), i as u32);
        }
        let mut hits = 0;
        for i in 0..(4 * CACHE_SLOTS) {
            let w = format!("w{i}ing");
            if let Some((s, tag)) = cache.get(w.as_bytes()) {
                assert_eq!(s, stemmer.stem(&w).as_bytes());
                assert_eq!(tag, i as u32);
                hits += 1;
            }
        }
        // The table grew to its largest, keeping the words it held: the latest are found.
        assert_eq!(cache.slots.len(), CACHE_SLOTS);
        assert!(hits > CACHE_SLOTS / 4, "{hits}");
        let last = format!("w{}ing", 4 * CACHE_SLOTS - 1);
        assert_eq!(cache.get(last.as_bytes()), Some((stemmer.stem(&last).as_bytes(), (4 * CACHE_SLOTS - 1) as u32)));
        assert_eq!(cache.get(&[b'a'; CACHED_BYTES + 1]), None);
    }

    #[test]
    fn a_cache_of_few_words_stays_small() {
        let mut cache = StemCache::new();
        for _ in 0..100 {
            for w in ["vladimir", "putin", "iran", "ukraine"] {
                if cache.get(w.as_bytes()).is_none() {
                    cache.insert(w.as_bytes(), w.as_bytes(), 0);
                }
            }
        }
        assert_eq!(cache.slots.len(), FIRST_CACHE_SLOTS);
    }

    #[test]
    fn a_tagging_analyzer_tags_every_term_the_same_whether_cached_or_not() {
        // The tag is a function of the stem: here its length, or none for "talk".
        let tagger: Tagger = Arc::new(|stem: &str| if stem == "talk" { NO_TAG } else { stem.len() as u32 });
        let mut analyzer = TaggingAnalyzer::new(tagger);
        let mut buffer = TermBuffer::default();
        let long = "x".repeat(CACHED_BYTES + 3);
        let dropped = "y".repeat(MAX_TOKEN_BYTES + 5);
        let text = format!("Talks talked; sanctions and SANCTIONS, {long} {long}, Erdoğan talks {dropped}, in Ōsaka");
        for _ in 0..2 {
            let tagged = buffer.analyse_tagged(&mut analyzer, &text);
            let (terms, tags) = (tagged.terms, tagged.tags);
            assert_eq!(terms, terms_of(&text).as_slice());
            let expected: Vec<u32> =
                terms.iter().map(|t| if t.text == "talk" { NO_TAG } else { t.text.len() as u32 }).collect();
            assert_eq!(tags, expected.as_slice());
            // "Ōsaka" starts with a capital outside ASCII; a dropped word leaves its comma in
            // the gap before "in".
            assert_eq!(tagged.capitalised_at, [0, 4, 7, 10]);
            assert_eq!(tagged.after_comma, [5, 7, 9]);
            let marks = Marks::of(&text, terms);
            assert_eq!(tagged.caps, marks.caps.as_slice());
            assert_eq!(tagged.after_comma, marks.after_comma.as_slice());
        }
    }

    #[test]
    fn a_tag_asking_to_be_noted_is_noted_and_cleared() {
        let tagger: Tagger = Arc::new(|stem: &str| match stem {
            "sanction" => 7 | TAG_OPENS,
            "talk" => 8,
            _ => NO_TAG,
        });
        let mut analyzer = TaggingAnalyzer::new(tagger);
        let mut buffer = TermBuffer::default();
        // Twice: the second time every tag comes from the stem cache.
        for _ in 0..2 {
            let tagged = buffer.analyse_tagged(&mut analyzer, "Sanctions talks, more sanctions");
            assert_eq!(tagged.tags, [7, 8, NO_TAG, 7]);
            assert_eq!(tagged.opening, [0, 3]);
        }
    }

    fn terms_of(text: &str) -> Vec<Term> {
        terms(&mut analyzer(), text)
    }
}
