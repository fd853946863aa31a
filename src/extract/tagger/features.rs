//! Tokens and their features: what the model sees of a word in its sentence.
//!
//! [`tokenize`] splits a text into word and punctuation tokens with byte offsets, close to the
//! CoNLL-2003 tokenisation the model is trained on ("U.S." and "Jean-Marie" are one token,
//! the clitic of "Germany's" another), and into sentences (a line, or up to a `.`, `!` or `?`
//! token). [`TokenInfo`] holds the hashes of a token's word, shape and affixes, computed once
//! per token; [`Features::of`] combines them with the neighbours and the previous tags into
//! the feature keys the model looks up. Nothing here allocates per token: the buffers are
//! reused from text to text.

use super::NUM_TAGS;

/// A token: `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
}

/// Longest sentence tagged as one; longer runs are cut (tables, lists without stops).
const MAX_SENTENCE_TOKENS: usize = 150;

/// Short capitalised words that keep a following `.` ("Mr.", "Gen.", "St.") when a capital
/// follows, so a title does not end the sentence before the name.
const MAX_ABBREVIATION_CHARS: usize = 3;

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|s| s.chars().next())
}

/// Whether the letters at `pos` are an English clitic ending a word (`'s`, `'re`, `'t`…).
fn is_clitic(text: &str, pos: usize) -> bool {
    let rest = text.get(pos..).unwrap_or("");
    let len = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
    matches!(rest.get(..len).map(str::to_ascii_lowercase).as_deref(), Some("s" | "re" | "ll" | "d" | "ve" | "m" | "t"))
}

/// Splits `text` into tokens and sentences (ranges of `tokens`), replacing both buffers' contents.
pub(crate) fn tokenize(text: &str, tokens: &mut Vec<Token>, sentences: &mut Vec<(usize, usize)>) {
    tokens.clear();
    sentences.clear();
    let mut sentence_start = 0;
    let end_sentence = |tokens: &Vec<Token>, sentences: &mut Vec<(usize, usize)>, start: &mut usize| {
        if tokens.len() > *start {
            sentences.push((*start, tokens.len()));
        }
        *start = tokens.len();
    };
    let mut pos = 0;
    while let Some(c) = char_at(text, pos) {
        let next = pos + c.len_utf8();
        if c == '\n' {
            end_sentence(tokens, sentences, &mut sentence_start);
            pos = next;
            continue;
        }
        if c.is_whitespace() {
            pos = next;
            continue;
        }
        let end = if c.is_alphanumeric() {
            word_end(text, pos, next)
        } else if matches!(c, '\'' | '’')
            && char_at(text, next).is_some_and(char::is_alphanumeric)
            && is_clitic(text, next)
        {
            let rest = text.get(next..).unwrap_or("");
            next + rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len())
        } else {
            next
        };
        tokens.push(Token { start: pos, end });
        let is_stop = end == next && matches!(c, '.' | '!' | '?');
        if is_stop || tokens.len() - sentence_start >= MAX_SENTENCE_TOKENS {
            end_sentence(tokens, sentences, &mut sentence_start);
        }
        pos = end;
    }
    end_sentence(tokens, sentences, &mut sentence_start);
}

/// The end of the word starting at `start` whose first character ends at `pos`.
fn word_end(text: &str, start: usize, mut pos: usize) -> usize {
    let mut has_dot = false;
    while let Some(c) = char_at(text, pos) {
        let next = pos + c.len_utf8();
        if c.is_alphanumeric() {
            pos = next;
            continue;
        }
        let followed = char_at(text, next).is_some_and(char::is_alphanumeric);
        match c {
            '.' if followed => {
                has_dot = true;
                pos = next;
            }
            '-' | '&' if followed => pos = next,
            '\'' | '’' if followed && !is_clitic(text, next) => pos = next,
            '.' => {
                // "U.S." and "M." keep their stop; "Mr." and "Gen." too before a capital.
                let word = text.get(start..pos).unwrap_or("");
                let chars = word.chars().count();
                let capital = word.chars().next().is_some_and(char::is_uppercase);
                let capital_next = text
                    .get(next..)
                    .and_then(|s| s.trim_start_matches([' ', '\t']).chars().next())
                    .is_some_and(char::is_uppercase);
                if has_dot || (capital && chars == 1) || (capital && chars <= MAX_ABBREVIATION_CHARS && capital_next) {
                    pos = next;
                }
                break;
            }
            _ => break,
        }
    }
    pos
}

/// A 64-bit hash step (FxHash's multiply-rotate): fast, and the same on every platform.
#[inline]
pub(crate) fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

fn hash_chars(chars: impl Iterator<Item = char>) -> u64 {
    chars.fold(0xcbf2_9ce4_8422_2325, |h, c| mix(h, c as u64))
}

/// The lower-cased hash of a word, as [`TokenInfo::lower`] computes it; for gazetteers.
pub(crate) fn word_hash(word: &str) -> u64 {
    hash_chars(word.chars().flat_map(char::to_lowercase))
}

/// Gazetteer bits of a word ([`TokenInfo::gazetteer`]).
pub(crate) const GAZ_PERSON: u8 = 1;
/// A word of a place's name or capital.
pub(crate) const GAZ_PLACE: u8 = 2;
/// A word of an organisation's name.
pub(crate) const GAZ_ORG: u8 = 4;
/// A demonym ("Russian"), which CoNLL tags MISC.
pub(crate) const GAZ_DEMONYM: u8 = 8;

/// What is hashed once per token.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TokenInfo {
    /// The word lower-cased.
    pub lower: u64,
    /// Its shape: upper `X`, lower `x`, digit `d`, other characters as themselves, runs of
    /// one class written once ("Xx", "X.X.", "d-d").
    pub shape: u64,
    /// First three characters, lower-cased.
    pub prefix: u64,
    /// Last two, three and four characters, lower-cased.
    pub suffixes: [u64; 3],
    /// Gazetteer bits ([`GAZ_PERSON`]…).
    pub gazetteer: u8,
    /// Whether the word starts with an upper-case letter.
    pub is_capitalised: bool,
    /// Whether it has a letter and no lower-case one.
    pub is_upper: bool,
    /// Whether it has a letter.
    pub has_letter: bool,
}

impl TokenInfo {
    /// Hashes `word`; `gazetteer` gives the bits of a lower-cased word hash.
    pub fn new(word: &str, gazetteer: impl Fn(u64) -> u8) -> TokenInfo {
        let lower = word_hash(word);
        let mut shape = 0xcbf2_9ce4_8422_2325u64;
        let mut last = '\0';
        let mut n: usize = 0;
        for c in word.chars() {
            n += 1;
            let class = if c.is_uppercase() {
                'X'
            } else if c.is_lowercase() {
                'x'
            } else if c.is_numeric() {
                'd'
            } else {
                c
            };
            if class != last {
                shape = mix(shape, class as u64);
                last = class;
            }
        }
        let lowered = || word.chars().flat_map(char::to_lowercase);
        let prefix = hash_chars(lowered().take(3));
        let suffix = |k: usize| hash_chars(lowered().skip(n.saturating_sub(k)));
        TokenInfo {
            lower,
            shape,
            prefix,
            suffixes: [suffix(2), suffix(3), suffix(4)],
            gazetteer: gazetteer(lower),
            ..TokenInfo::flags(word)
        }
    }

    /// Only the flags of `word` (`is_capitalised`, `is_upper`, `has_letter`), the ones
    /// [`TokenInfo::new`] sets too, and no hashes: for a token no scored token looks at (see
    /// `NameTagger::tag_into`).
    pub fn flags(word: &str) -> TokenInfo {
        let (mut has_letter, mut has_lower) = (false, false);
        if word.is_ascii() {
            for b in word.bytes() {
                has_letter |= b.is_ascii_alphabetic();
                has_lower |= b.is_ascii_lowercase();
            }
        } else {
            for c in word.chars() {
                if c.is_uppercase() {
                    has_letter = true;
                } else if c.is_lowercase() {
                    has_letter = true;
                    has_lower = true;
                }
            }
        }
        TokenInfo {
            is_capitalised: word.chars().next().is_some_and(char::is_uppercase),
            is_upper: has_letter && !has_lower,
            has_letter,
            ..TokenInfo::default()
        }
    }

    /// Stands for the positions before and after a sentence.
    pub fn padding(side: u64) -> TokenInfo {
        let h = mix(0x9e37_79b9_7f4a_7c15, side);
        TokenInfo { lower: h, shape: h, prefix: h, suffixes: [h; 3], ..TokenInfo::default() }
    }
}

/// Feature templates: each is hashed with its values into one key.
#[derive(Clone, Copy)]
#[repr(u64)]
enum Template {
    Bias = 1,
    Word,
    Shape,
    Prefix,
    Suffix2,
    Suffix3,
    Suffix4,
    PrevWord,
    NextWord,
    Prev2Word,
    Next2Word,
    PrevShape,
    NextShape,
    Prev2Shape,
    Next2Shape,
    PrevTag,
    PrevTags,
    PrevTagWord,
    PrevTagShape,
    InitialShape,
    Gazetteer,
    PrevGazetteer,
    NextGazetteer,
    UpperSentence,
    PrevWordWord,
    WordNextWord,
    UpperSentenceWord,
}

/// Number of features per token.
pub(crate) const NUM_FEATURES: usize = 27;

fn key(template: Template, a: u64, b: u64) -> u32 {
    let h = mix(mix(mix(0, template as u64), a), b);
    // The high bits are the best mixed.
    (h >> 32) as u32
}

/// The feature keys of one token.
pub(crate) struct Features;

impl Features {
    /// Keys of token `i` of `sentence` (with two padding tokens each side: `sentence[i + 2]`
    /// is the token), given the tags of the two tokens before it and whether the sentence
    /// is in capitals.
    pub fn of(sentence: &[TokenInfo], i: usize, prev: [u8; 2], upper: bool, out: &mut [u32; NUM_FEATURES]) {
        use Template::*;
        let t = &sentence[i + 2];
        let (p2, p1, n1, n2) = (&sentence[i], &sentence[i + 1], &sentence[i + 3], &sentence[i + 4]);
        let (t1, t2) = (u64::from(prev[0]), u64::from(prev[1]));
        debug_assert!(usize::from(prev[0]) <= NUM_TAGS);
        *out = [
            key(Bias, 0, 0),
            key(Word, t.lower, 0),
            key(Shape, t.shape, 0),
            key(Prefix, t.prefix, 0),
            key(Suffix2, t.suffixes[0], 0),
            key(Suffix3, t.suffixes[1], 0),
            key(Suffix4, t.suffixes[2], 0),
            key(PrevWord, p1.lower, 0),
            key(NextWord, n1.lower, 0),
            key(Prev2Word, p2.lower, 0),
            key(Next2Word, n2.lower, 0),
            key(PrevShape, p1.shape, 0),
            key(NextShape, n1.shape, 0),
            key(Prev2Shape, p2.shape, 0),
            key(Next2Shape, n2.shape, 0),
            key(PrevTag, t1, 0),
            key(PrevTags, t1, t2),
            key(PrevTagWord, t1, t.lower),
            key(PrevTagShape, t1, t.shape),
            key(InitialShape, u64::from(i == 0), t.shape),
            key(Gazetteer, u64::from(t.gazetteer), 0),
            key(PrevGazetteer, u64::from(p1.gazetteer), 0),
            key(NextGazetteer, u64::from(n1.gazetteer), 0),
            key(UpperSentence, u64::from(upper), u64::from(t.is_upper)),
            key(PrevWordWord, p1.lower, t.lower),
            key(WordNextWord, t.lower, n1.lower),
            key(UpperSentenceWord, u64::from(upper), t.lower),
        ];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let (mut tokens, mut sentences) = (Vec::new(), Vec::new());
        tokenize(text, &mut tokens, &mut sentences);
        tokens.iter().map(|t| &text[t.start..t.end]).collect()
    }

    #[test]
    fn tokens_follow_conll_conventions() {
        assert_eq!(
            words("Germany's U.S. envoy, Jean-Marie O'Neill."),
            ["Germany", "'s", "U.S.", "envoy", ",", "Jean-Marie", "O'Neill", "."]
        );
        assert_eq!(
            words("Mr. Smith met M.J. Kovacs at 3.5 p.m."),
            ["Mr.", "Smith", "met", "M.J.", "Kovacs", "at", "3.5", "p.m."]
        );
        assert_eq!(words("Zelenskyy’s aide (Kyiv)"), ["Zelenskyy", "’s", "aide", "(", "Kyiv", ")"]);
    }

    #[test]
    fn sentences_end_at_lines_and_stops() {
        let text = "Putin spoke. Trump listened\nThen Ushakov said: yes!";
        let (mut tokens, mut sentences) = (Vec::new(), Vec::new());
        tokenize(text, &mut tokens, &mut sentences);
        let firsts: Vec<&str> = sentences.iter().map(|&(s, _)| &text[tokens[s].start..tokens[s].end]).collect();
        assert_eq!(firsts, ["Putin", "Trump", "Then"]);
    }

    #[test]
    fn shape_and_case_are_read_per_character() {
        let none = |_| 0;
        let (a, b) = (TokenInfo::new("Putin", none), TokenInfo::new("Trump", none));
        assert_eq!(a.shape, b.shape);
        assert!(a.is_capitalised && !a.is_upper);
        assert_ne!(a.shape, TokenInfo::new("NATO", none).shape);
        assert!(TokenInfo::new("NATO", none).is_upper);
        assert_eq!(TokenInfo::new("PUTIN", none).lower, a.lower);
    }
}
