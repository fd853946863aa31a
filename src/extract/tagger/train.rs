//! Training the tagger, and reading annotated text (CoNLL-format or JSON lines).
//!
//! An averaged perceptron (Collins 2002) over the greedy decoder (`decode.rs`):
//! each sentence is decoded with the current weights, the previous tags being the ones the
//! decoder chose (as at run time); every scored token whose tag differs from the gold one
//! moves the weights of its features toward the gold tag and away from the chosen one, once
//! the sentence is done. The weights kept are the average over all steps, which generalise
//! better than the last ones. Updates are integers and the sentence order of each epoch
//! comes from a fixed-seed generator, so the same data gives the same file, byte for byte.

use std::path::Path;

use serde::Deserialize;

use super::decode::{Scorer, decode};
use super::features::{NUM_FEATURES, Token, TokenInfo, tokenize};
use super::model::Model;
use super::{EntityKind, Gazetteer, NUM_TAGS, O, Span};
use crate::Error;
use crate::hash::FxHashMap;

/// Passes over the training sentences.
pub const DEFAULT_EPOCHS: usize = 15;
/// Seed of the sentence shuffle.
pub const DEFAULT_SEED: u64 = 0x5eed_2003;
/// Features whose averaged weights are all below this (in perceptron steps) are left out
/// of the shipped model.
pub const DEFAULT_PRUNE_BELOW: f64 = 1.0;

/// How to train.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Passes over the data.
    pub epochs: usize,
    /// Seed of the shuffle.
    pub seed: u64,
    /// Pruning threshold ([`DEFAULT_PRUNE_BELOW`]).
    pub prune_below: f64,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions { epochs: DEFAULT_EPOCHS, seed: DEFAULT_SEED, prune_below: DEFAULT_PRUNE_BELOW }
    }
}

/// A text with its gold names.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotated {
    /// Document id.
    pub id: String,
    /// The text, one sentence a line in the CoNLL files.
    pub text: String,
    /// Its names, in order, with byte offsets into `text`.
    pub spans: Vec<Span>,
}

#[derive(Deserialize)]
struct JsonDoc {
    #[serde(default)]
    id: Option<String>,
    body: String,
    #[serde(default)]
    spans: Vec<JsonSpan>,
}

#[derive(Deserialize)]
struct JsonSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: String,
}

/// Reads JSON lines `{"id", "body", "spans": [{"start", "end", "type"}]}` (offsets in bytes
/// into `body`, types `PER`, `ORG`, `LOC`, `MISC`; other keys ignored).
pub fn read_jsonl(path: &Path) -> crate::Result<Vec<Annotated>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bad = |line: usize, message: String| Error::Input { path: path.to_path_buf(), line, message };
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let doc: JsonDoc = serde_json::from_str(line).map_err(|e| bad(n + 1, e.to_string()))?;
        let mut spans = Vec::with_capacity(doc.spans.len());
        for s in doc.spans {
            let kind = EntityKind::from_label(&s.kind)
                .ok_or_else(|| bad(n + 1, format!("unknown span type {:?} (PER, ORG, LOC or MISC)", s.kind)))?;
            if s.start > s.end || doc.body.get(s.start..s.end).is_none() {
                return Err(bad(n + 1, format!("span {}..{} is not within the body", s.start, s.end)));
            }
            spans.push(Span { start: s.start, end: s.end, kind });
        }
        spans.sort_by_key(|s| (s.start, s.end));
        docs.push(Annotated {
            id: doc.id.unwrap_or_else(|| format!("{}#{}", path.display(), n + 1)),
            text: doc.body,
            spans,
        });
    }
    Ok(docs)
}

/// Reads the CoNLL-2003 column format: a token a line, its tag in the last column (IOB1 or
/// IOB2), a blank line between sentences, `-DOCSTART-` between documents. The text of a
/// document is its tokens joined by spaces, a sentence a line.
pub fn read_conll(path: &Path) -> crate::Result<Vec<Annotated>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut docs = Vec::new();
    let mut doc = Annotated { id: String::new(), text: String::new(), spans: Vec::new() };
    let mut open: Option<Span> = None;
    let finish = |doc: &mut Annotated, open: &mut Option<Span>, docs: &mut Vec<Annotated>| {
        doc.spans.extend(open.take());
        if !doc.text.trim().is_empty() {
            let id = format!("{}#{}", path.display(), docs.len() + 1);
            docs.push(Annotated { id, text: std::mem::take(&mut doc.text), spans: std::mem::take(&mut doc.spans) });
        }
        doc.text.clear();
        doc.spans.clear();
    };
    for (n, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (Some(word), Some(tag)) = (cols.first(), cols.last()) else {
            // A sentence ends.
            doc.spans.extend(open.take());
            if !doc.text.is_empty() && !doc.text.ends_with('\n') {
                doc.text.push('\n');
            }
            continue;
        };
        if *word == "-DOCSTART-" {
            finish(&mut doc, &mut open, &mut docs);
            continue;
        }
        if cols.len() < 2 {
            let message = format!("expected a token and its tag, found {line:?}");
            return Err(Error::Input { path: path.to_path_buf(), line: n + 1, message });
        }
        if !doc.text.is_empty() && !doc.text.ends_with('\n') {
            doc.text.push(' ');
        }
        let (start, end) = (doc.text.len(), doc.text.len() + word.len());
        doc.text.push_str(word);
        let (prefix, label) = tag.split_once('-').unwrap_or((tag, ""));
        let kind = match prefix {
            "O" => None,
            "B" | "I" => Some(EntityKind::from_label(label).ok_or_else(|| Error::Input {
                path: path.to_path_buf(),
                line: n + 1,
                message: format!("unknown tag {tag:?}"),
            })?),
            _ => {
                let message = format!("unknown tag {tag:?} (O, B-X or I-X)");
                return Err(Error::Input { path: path.to_path_buf(), line: n + 1, message });
            }
        };
        match (&mut open, kind) {
            (Some(span), Some(k)) if prefix == "I" && span.kind == k => span.end = end,
            _ => {
                doc.spans.extend(open.take());
                open = kind.map(|kind| Span { start, end, kind });
            }
        }
    }
    finish(&mut doc, &mut open, &mut docs);
    Ok(docs)
}

/// A training sentence: padded token infos and gold tags.
struct Sentence {
    infos: Vec<TokenInfo>,
    gold: Vec<u8>,
}

/// The gold tag of each token: `B-` for a span's first token, `I-` for the others. A token
/// belongs to the span its first byte is in.
fn gold_tags(tokens: &[Token], spans: &[Span]) -> Vec<u8> {
    let mut tags = vec![O; tokens.len()];
    let mut s = 0;
    let mut last_span = usize::MAX;
    for (i, t) in tokens.iter().enumerate() {
        while s < spans.len() && spans[s].end <= t.start {
            s += 1;
        }
        if let Some(span) = spans.get(s).filter(|span| span.start <= t.start) {
            let begin = span.kind.begin_tag();
            tags[i] = if last_span == s { begin + 1 } else { begin };
            last_span = s;
        }
    }
    tags
}

/// Tokenises `docs` into training sentences.
fn sentences(docs: &[Annotated], gazetteer: &Gazetteer) -> Vec<Sentence> {
    let (mut tokens, mut ranges) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    for doc in docs {
        tokenize(&doc.text, &mut tokens, &mut ranges);
        let gold = gold_tags(&tokens, &doc.spans);
        for &(a, b) in &ranges {
            let mut infos = vec![TokenInfo::padding(0), TokenInfo::padding(0)];
            infos.extend(tokens[a..b].iter().map(|t| {
                TokenInfo::new(doc.text.get(t.start..t.end).unwrap_or(""), |h| gazetteer.get(&h).copied().unwrap_or(0))
            }));
            infos.extend([TokenInfo::padding(1), TokenInfo::padding(1)]);
            out.push(Sentence { infos, gold: gold[a..b].to_vec() });
        }
    }
    out
}

/// Perceptron weights with what averaging needs.
#[derive(Default)]
struct Weights {
    rows: FxHashMap<u32, usize>,
    weights: Vec<[i32; NUM_TAGS]>,
    /// Sum of each weight over the steps up to `stamps`.
    totals: Vec<[i64; NUM_TAGS]>,
    stamps: Vec<[u64; NUM_TAGS]>,
}

impl Scorer for Weights {
    fn score(&self, features: &[u32], scores: &mut [i32; NUM_TAGS]) {
        *scores = [0; NUM_TAGS];
        for key in features {
            if let Some(&row) = self.rows.get(key) {
                for (s, w) in scores.iter_mut().zip(&self.weights[row]) {
                    *s += w;
                }
            }
        }
    }
}

impl Weights {
    fn update(&mut self, key: u32, tag: u8, delta: i32, now: u64) {
        let next = self.rows.len();
        let row = *self.rows.entry(key).or_insert(next);
        if row == self.weights.len() {
            self.weights.push([0; NUM_TAGS]);
            self.totals.push([0; NUM_TAGS]);
            self.stamps.push([0; NUM_TAGS]);
        }
        let t = usize::from(tag);
        self.totals[row][t] += i64::from(self.weights[row][t]) * (now - self.stamps[row][t]) as i64;
        self.stamps[row][t] = now;
        self.weights[row][t] += delta;
    }

    fn averaged(&self, now: u64) -> Vec<(u32, [f64; NUM_TAGS])> {
        self.rows
            .iter()
            .map(|(&key, &row)| {
                let mut avg = [0.0; NUM_TAGS];
                for (t, a) in avg.iter_mut().enumerate() {
                    let total =
                        self.totals[row][t] + i64::from(self.weights[row][t]) * (now - self.stamps[row][t]) as i64;
                    *a = total as f64 / now.max(1) as f64;
                }
                (key, avg)
            })
            .collect()
    }
}

/// xorshift64*: a small generator whose sequence is fixed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Trains a model on `docs` with a gazetteer from `schema`'s lexicons, and returns the
/// model file (its format is in the [`super`] docs).
pub fn train(schema: &crate::IndexSchema, docs: &[Annotated], options: &TrainOptions) -> Vec<u8> {
    let gazetteer = super::gazetteer(&schema.leaders, &schema.topics);
    let data = sentences(docs, &gazetteer);
    let mut weights = Weights::default();
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = Rng(options.seed | 1);
    let mut now = 0u64;
    let mut tags = Vec::new();
    let mut mistakes: Vec<([u32; NUM_FEATURES], u8, u8)> = Vec::new();
    for _ in 0..options.epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        for &s in &order {
            let sentence = &data[s];
            mistakes.clear();
            decode(&weights, &sentence.infos, &mut tags, |i, features, chosen| {
                if chosen != sentence.gold[i] {
                    mistakes.push((*features, sentence.gold[i], chosen));
                }
            });
            now += 1;
            for (features, gold, chosen) in &mistakes {
                for &key in features {
                    weights.update(key, *gold, 1, now);
                    weights.update(key, *chosen, -1, now);
                }
            }
        }
    }
    Model::to_bytes(weights.averaged(now), options.prune_below)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_tags_follow_the_spans() {
        let text = "Vladimir Putin met NATO chiefs in Brussels.";
        let (mut tokens, mut ranges) = (Vec::new(), Vec::new());
        tokenize(text, &mut tokens, &mut ranges);
        let spans = [
            Span { start: 0, end: 14, kind: EntityKind::Person },
            Span { start: 19, end: 23, kind: EntityKind::Org },
            Span { start: 34, end: 42, kind: EntityKind::Place },
        ];
        assert_eq!(gold_tags(&tokens, &spans), [1, 2, 0, 3, 0, 0, 5, 0]);
    }

    #[test]
    fn conll_columns_become_text_and_spans() -> crate::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io("tempdir", e))?;
        let path = dir.path().join("a.conll");
        let text =
            "-DOCSTART- -X- O O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\nin IN O O\nBonn NNP I-NP I-LOC\n";
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        let docs = read_conll(&path)?;
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].text, "Peter Blackburn\nin Bonn");
        let got: Vec<(&str, &str)> =
            docs[0].spans.iter().map(|s| (&docs[0].text[s.start..s.end], s.kind.label())).collect();
        assert_eq!(got, [("Peter Blackburn", "PER"), ("Bonn", "LOC")]);
        std::fs::write(&path, "Peter B-PER\nBonn X-LOC\n").map_err(|e| Error::io(&path, e))?;
        assert!(read_conll(&path).unwrap_err().to_string().contains(":2:"));
        Ok(())
    }

    #[test]
    fn training_learns_the_examples_and_is_deterministic() -> crate::Result<()> {
        let schema = crate::IndexSchema::embedded()?;
        let mut docs = Vec::new();
        for (first, last, place) in
            [("Anna", "Kovacs", "Vienna"), ("Piotr", "Nowak", "Warsaw"), ("Juan", "Perez", "Lima")]
        {
            let text = format!("{first} {last} arrived in {place} on Monday.");
            let (a, b) = (first.len() + 1 + last.len(), text.find(place).unwrap_or(0));
            docs.push(Annotated {
                id: first.into(),
                spans: vec![
                    Span { start: 0, end: a, kind: EntityKind::Person },
                    Span { start: b, end: b + place.len(), kind: EntityKind::Place },
                ],
                text,
            });
        }
        let options = TrainOptions { epochs: 5, ..TrainOptions::default() };
        let bytes = train(&schema, &docs, &options);
        assert_eq!(bytes, train(&schema, &docs, &options));
        let mut tagger = super::super::NameTagger::with_model(&schema, &bytes)?;
        let spans = tagger.tag(&docs[1].text);
        assert!(docs[1].spans.iter().all(|s| spans.contains(s)), "{spans:?}");
        Ok(())
    }
}
