//! The name tagger: people, organisations, places and other names (CoNLL's PER, ORG, LOC,
//! MISC) in running text, as spans with byte offsets.
//!
//! A greedy averaged perceptron ([`train`]): each token of a sentence gets one of nine tags —
//! `O` (outside a name), or `B-` (begins) or `I-` (inside) of one of the four types — chosen
//! left to right from the weights of its features (`decode.rs`). It is trained on the
//! CoNLL-2003 English train split (Reuters news, 1996) and shipped as `model.bin` beside this
//! file, embedded in the library. Nothing is downloaded or learned at run time.
//!
//! # Features
//!
//! For token *i* of a sentence (`features.rs`, 27 keys, each a hash of a template and its
//! values):
//! - the word lower-cased; its shape (`Xx`, `XX`, `X.X.`, `d-d`: upper, lower, digit, runs
//!   written once); its first three and last two, three and four characters;
//! - the words and shapes of the two tokens before and after (sentence edges padded);
//! - the previous tag, the previous two tags, the previous tag with the word and with the
//!   shape;
//! - whether the token opens the sentence, with its shape; whether the sentence is in
//!   capitals (headlines), alone and with the word; the word pairs (*i*−1, *i*) and (*i*, *i*+1);
//! - gazetteer membership of the token and its neighbours: a capitalised word of a leader's
//!   name or alias (`leaders.toml`), of a place's name or capital, of an organisation's name,
//!   or a demonym (`topics.toml`). The gazetteer is built from the schema's lexicons.
//!
//! Only tokens that can be part of a name are scored (a capitalised word, or a lower-case one
//! inside a name under way: "Bank of England"); the others are `O` at no cost.
//!
//! # Model format
//!
//! `model.rs` reads and writes it. Little-endian throughout:
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `ATTNER01` |
//! | 4 | `u32` number of tags (9: `O`, then `B-`/`I-` of PER, ORG, LOC, MISC) |
//! | 4 | `u32` number of features `n` |
//! | 4 | `f32` scale: a stored weight times the scale is the trained (averaged) weight |
//! | 4 × n | `u32` feature keys, strictly ascending |
//! | 2 × n × tags | `i16` weights, feature by feature, tag by tag |
//!
//! Features whose averaged weights are all below [`train::DEFAULT_PRUNE_BELOW`] are left out,
//! and the weights are quantised to 16 bits; decoding sums them as integers. The shipped
//! file holds 50,811 features (1.1 MB).
//!
//! # Training
//!
//! ```text
//! cargo run --release --example train_tagger -- CONLL/train.jsonl src/extract/tagger/model.bin
//! ```
//!
//! reads the train split (JSON lines with `body` and `spans`; see [`train::read_jsonl`]) and
//! writes the model; a fixed number of epochs over sentences shuffled with a fixed seed, and
//! integer updates, make the file byte-identical from run to run.

pub(crate) mod decode;
pub(crate) mod features;
pub(crate) mod model;
pub mod train;

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use self::features::{GAZ_DEMONYM, GAZ_ORG, GAZ_PERSON, GAZ_PLACE, Token, TokenInfo};
use self::model::Model;
use super::discovery::PARTICLES;
use super::lexicon::{LeaderLexicon, TopicKind, TopicLexicon};
use crate::hash::FxHashMap;

/// Number of tags: `O`, then `B-` and `I-` of each [`EntityKind`].
pub(crate) const NUM_TAGS: usize = 9;
/// The tag outside any name.
pub(crate) const O: u8 = 0;
/// The "tag" before a sentence's first token.
pub(crate) const START: u8 = NUM_TAGS as u8;

/// The shipped model (see the module docs for the format).
pub(crate) const EMBEDDED_MODEL: &[u8] = include_bytes!("model.bin");

/// What kind of name a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    /// A person (`PER`).
    #[serde(rename = "PER")]
    Person,
    /// An organisation (`ORG`).
    #[serde(rename = "ORG")]
    Org,
    /// A place (`LOC`).
    #[serde(rename = "LOC")]
    Place,
    /// Any other name: events, nationalities, works (`MISC`).
    #[serde(rename = "MISC")]
    Misc,
}

impl EntityKind {
    /// All kinds, in tag order.
    pub const ALL: [EntityKind; 4] = [EntityKind::Person, EntityKind::Org, EntityKind::Place, EntityKind::Misc];

    /// The CoNLL label: `PER`, `ORG`, `LOC`, `MISC`.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Org => "ORG",
            EntityKind::Place => "LOC",
            EntityKind::Misc => "MISC",
        }
    }

    /// The kind of a CoNLL label (`PER`…), if it is one.
    pub fn from_label(label: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.label() == label)
    }

    /// The `B-` tag of this kind.
    pub(crate) fn begin_tag(self) -> u8 {
        match self {
            EntityKind::Person => 1,
            EntityKind::Org => 3,
            EntityKind::Place => 5,
            EntityKind::Misc => 7,
        }
    }

    /// The kind of a `B-` or `I-` tag.
    pub(crate) fn of_tag(tag: u8) -> Option<EntityKind> {
        EntityKind::ALL.get(usize::from(tag.checked_sub(1)? / 2)).copied()
    }
}

/// A name found in a text: `text[start..end]` (bytes, on character boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it names.
    pub kind: EntityKind,
}

/// Lower-cased word hashes of the lexicons' capitalised words, with their gazetteer bits.
pub(crate) type Gazetteer = FxHashMap<u64, u8>;

/// Builds the gazetteer from the leaders' names and aliases and the place and organisation
/// topics. Only capitalised words count: the lexicons' lower-case trigger words ("talks",
/// "nuclear") are not names.
pub(crate) fn gazetteer(leaders: &LeaderLexicon, topics: &TopicLexicon) -> Gazetteer {
    let mut gaz = Gazetteer::default();
    let mut add = |phrase: &str, bit: u8| {
        for word in phrase.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-') {
            if word.chars().next().is_some_and(char::is_uppercase) && word.chars().count() > 1 {
                *gaz.entry(features::word_hash(word)).or_default() |= bit;
            }
        }
    };
    for leader in leaders.leader.values() {
        for name in std::iter::once(&leader.name).chain(&leader.aliases) {
            add(name, GAZ_PERSON);
        }
    }
    for topic in topics.topic.values() {
        let bit = match topic.kind {
            TopicKind::Place => GAZ_PLACE,
            TopicKind::Org => GAZ_ORG,
            TopicKind::Theme => continue,
        };
        for name in std::iter::once(&topic.name).chain(&topic.terms).chain(&topic.capitals) {
            add(name, bit);
        }
        for demonym in &topic.demonyms {
            add(demonym, GAZ_DEMONYM);
        }
    }
    gaz
}

/// The shipped model, read on first use.
fn embedded_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    // The file is part of the build and a test reads it (`the_embedded_model_reads`); an
    // unreadable one would leave the tagger finding nothing rather than panic.
    MODEL.get_or_init(|| Model::from_bytes(EMBEDDED_MODEL).unwrap_or_default())
}

/// Most words a [`NameTagger`] keeps the hashes of (a few MB).
const MAX_CACHED_WORDS: usize = 50_000;

/// The words' hashes a [`NameTagger`] computed; a clone starts empty, as its other buffers.
#[derive(Default)]
struct WordCache(FxHashMap<Box<str>, TokenInfo>);

impl Clone for WordCache {
    fn clone(&self) -> WordCache {
        WordCache::default()
    }
}

/// Finds names in texts. Cheap to clone (the model and gazetteer are shared); each clone has
/// its own buffers, so give each thread one.
#[derive(Clone)]
pub struct NameTagger {
    model: Option<Arc<Model>>,
    gazetteer: Arc<Gazetteer>,
    tokens: Vec<Token>,
    sentences: Vec<(usize, usize)>,
    infos: Vec<TokenInfo>,
    /// Which tokens of the sentence being tagged need their hashes.
    needed: Vec<bool>,
    /// The hashes of the words met, computed once each (news repeats its words: most tokens
    /// are found here). Emptied when it holds [`MAX_CACHED_WORDS`].
    cache: WordCache,
    tags: Vec<u8>,
    /// Tokens read and tokens scored so far (for benchmarks).
    counts: (u64, u64),
}

impl std::fmt::Debug for NameTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameTagger").finish_non_exhaustive()
    }
}

impl NameTagger {
    /// The shipped model, with a gazetteer from `schema`'s lexicons.
    pub fn new(schema: &crate::IndexSchema) -> NameTagger {
        NameTagger::with_gazetteer(None, Arc::new(gazetteer(&schema.leaders, &schema.topics)))
    }

    /// A model read from `bytes` (a file [`train::train`] wrote), with a gazetteer from
    /// `schema`'s lexicons.
    pub fn with_model(schema: &crate::IndexSchema, bytes: &[u8]) -> crate::Result<NameTagger> {
        let model = Arc::new(Model::from_bytes(bytes)?);
        Ok(NameTagger::with_gazetteer(Some(model), Arc::new(gazetteer(&schema.leaders, &schema.topics))))
    }

    pub(crate) fn with_gazetteer(model: Option<Arc<Model>>, gazetteer: Arc<Gazetteer>) -> NameTagger {
        NameTagger {
            model,
            gazetteer,
            tokens: Vec::new(),
            sentences: Vec::new(),
            infos: Vec::new(),
            needed: Vec::new(),
            cache: WordCache::default(),
            tags: Vec::new(),
            counts: (0, 0),
        }
    }

    /// The names in `text`, in order.
    pub fn tag(&mut self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        self.tag_into(text, &mut spans);
        spans
    }

    /// Appends the names in `text` to `spans`, in order.
    pub fn tag_into(&mut self, text: &str, spans: &mut Vec<Span>) {
        let model: &Model = match &self.model {
            Some(m) => m,
            None => embedded_model(),
        };
        features::tokenize(text, &mut self.tokens, &mut self.sentences);
        self.counts.0 += self.tokens.len() as u64;
        for &(first, last) in &self.sentences {
            let sentence = &self.tokens[first..last];
            // A sentence without a capital letter names nobody the model would find.
            if !sentence.iter().any(|t| text.get(t.start..t.end).is_some_and(|w| w.starts_with(char::is_uppercase))) {
                continue;
            }
            self.infos.clear();
            self.infos.extend([TokenInfo::padding(0), TokenInfo::padding(0)]);
            self.infos.extend(sentence.iter().map(|t| TokenInfo::flags(text.get(t.start..t.end).unwrap_or(""))));
            self.infos.extend([TokenInfo::padding(1), TokenInfo::padding(1)]);
            // Hashes only for the tokens a scored token looks at: decoding scores a token
            // only when it or one of the two after it is capitalised (`decode::can_matter`),
            // and reads the two tokens each side of it. In news text that is under half of
            // the tokens; the others keep their flags, which is all decoding reads of them.
            let n = sentence.len();
            self.needed.clear();
            self.needed.resize(n, false);
            for i in 0..n {
                if (0..3).any(|k| self.infos[i + 2 + k].is_capitalised) {
                    self.needed[i.saturating_sub(2)..(i + 3).min(n)].fill(true);
                }
            }
            let gaz = &self.gazetteer;
            let cache = &mut self.cache.0;
            for (i, t) in sentence.iter().enumerate().filter(|&(i, _)| self.needed[i]) {
                let word = text.get(t.start..t.end).unwrap_or("");
                self.infos[i + 2] = match cache.get(word) {
                    Some(&info) => info,
                    None => {
                        let info = TokenInfo::new(word, |h| gaz.get(&h).copied().unwrap_or(0));
                        if cache.len() >= MAX_CACHED_WORDS {
                            cache.clear();
                        }
                        cache.insert(word.into(), info);
                        info
                    }
                };
            }
            self.counts.1 += decode::decode(model, &self.infos, &mut self.tags, |_, _, _| {}) as u64;
            join_particles(text, sentence, &mut self.tags);
            spans_of(sentence, &self.tags, spans);
        }
    }

    /// Tokens read and tokens the model scored, since this tagger was made.
    pub fn num_tokens(&self) -> (u64, u64) {
        self.counts
    }
}

/// The tags of a person's first word and of the words after it (see [`EntityKind::of_tag`]).
const B_PER: u8 = 1;
const I_PER: u8 = 2;

/// Makes one person of a person, one or two lower-case name particles and a person
/// ("Ursula von der Leyen", "Johan van der Merwe"): the model mostly leaves such particles
/// outside names, which splits one name in two.
fn join_particles(text: &str, tokens: &[Token], tags: &mut [u8]) {
    let spaced = |k: usize| text.get(tokens[k - 1].end..tokens[k].start) == Some(" ");
    let particle = |tags: &[u8], k: usize| {
        tags[k] == 0 && spaced(k) && text.get(tokens[k].start..tokens[k].end).is_some_and(|w| PARTICLES.contains(&w))
    };
    let n = tokens.len().min(tags.len());
    let mut k = 1;
    while k < n {
        if matches!(tags[k - 1], B_PER | I_PER) && particle(tags, k) {
            let mut next = k + 1;
            if next < n && particle(tags, next) {
                next += 1;
            }
            if next < n && tags[next] == B_PER && spaced(next) {
                tags[k..=next].fill(I_PER);
                k = next;
            }
        }
        k += 1;
    }
}

/// The spans of a tagged sentence: a `B-` tag opens one, `I-` tags of its kind extend it.
pub(crate) fn spans_of(tokens: &[Token], tags: &[u8], out: &mut Vec<Span>) {
    let mut open: Option<Span> = None;
    for (t, &tag) in tokens.iter().zip(tags) {
        let kind = EntityKind::of_tag(tag);
        match (&mut open, kind) {
            (Some(span), Some(k)) if tag % 2 == 0 && span.kind == k => span.end = t.end,
            _ => {
                out.extend(open.take());
                open = kind.map(|kind| Span { start: t.start, end: t.end, kind });
            }
        }
    }
    out.extend(open);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagger() -> NameTagger {
        NameTagger::new(&crate::IndexSchema::embedded().unwrap())
    }

    fn found(text: &str) -> Vec<(&str, &str)> {
        tagger().tag(text).into_iter().map(|s| (&text[s.start..s.end], s.kind.label())).collect()
    }

    #[test]
    fn particles_between_two_parts_of_a_name_join_them() {
        let text = "Commission chief Ursula von der Leyen and Donald Trump spoke.";
        assert!(found(text).contains(&("Ursula von der Leyen", "PER")), "{:?}", found(text));
    }

    #[test]
    fn the_embedded_model_reads() {
        let model = Model::from_bytes(EMBEDDED_MODEL).unwrap();
        assert!(model.num_features() > 1000);
    }

    #[test]
    fn spans_join_inside_tags_of_their_kind() {
        let tokens: Vec<Token> = (0..5).map(|i| Token { start: i * 2, end: i * 2 + 1 }).collect();
        let mut spans = Vec::new();
        // B-PER I-PER O I-ORG(stray, opens) B-LOC
        spans_of(&tokens, &[1, 2, 0, 4, 5], &mut spans);
        let got: Vec<(usize, usize, &str)> = spans.iter().map(|s| (s.start, s.end, s.kind.label())).collect();
        assert_eq!(got, [(0, 3, "PER"), (6, 7, "ORG"), (8, 9, "LOC")]);
    }

    #[test]
    fn people_places_and_organisations_are_found() {
        let got = found("Yuri Ushakov, an aide to Vladimir Putin, told reporters in Moscow that NATO was wrong.");
        assert!(got.contains(&("Yuri Ushakov", "PER")), "{got:?}");
        assert!(got.contains(&("Vladimir Putin", "PER")), "{got:?}");
        assert!(got.contains(&("Moscow", "LOC")), "{got:?}");
        assert!(got.contains(&("NATO", "ORG")), "{got:?}");
    }

    #[test]
    fn lower_case_text_is_not_tagged() {
        assert!(found("the talks went on late into the night and nobody spoke").is_empty());
    }

    #[test]
    fn kinds_map_to_their_tags() {
        for kind in EntityKind::ALL {
            assert_eq!(EntityKind::of_tag(kind.begin_tag()), Some(kind));
            assert_eq!(EntityKind::of_tag(kind.begin_tag() + 1), Some(kind));
            assert_eq!(EntityKind::from_label(kind.label()), Some(kind));
        }
        assert_eq!(EntityKind::of_tag(O), None);
    }
}
