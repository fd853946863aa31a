//! Scoring the name tagger and the `people` field against gold names (`attache eval people`).
//!
//! Gold is CoNLL-2003-shaped: JSON lines `{"id", "title", "body", "date", "spans"}` (spans
//! `{"start", "end", "type"}`, byte offsets into `body`) or the CoNLL column format (a token
//! and its IOB tag a line; see [`crate::extract::tagger::train::read_conll`]). Two levels:
//!
//! - **mentions**: each span the tagger finds in a body is right when a gold span has the
//!   same start, end and type (the CoNLL measure), per type and over all;
//! - **documents**: per document, the distinct names of each type. For people, the
//!   report's `people` list is scored as an index would hold it (title and body through
//!   [`Extractor`]): a gold person (a distinct PER string) is found when a listed name has
//!   the gold name's last word (their surname) as one of its words, and a listed name is
//!   right when one of its words is a gold person's surname. The same measure over the
//!   `leaders` list is reported beside it. Organisations, places and other names compare
//!   the tagger's distinct strings with the gold ones, case-insensitively.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::extract::Extractor;
use crate::extract::tagger::train::{Annotated, read_conll};
use crate::extract::tagger::{EntityKind, NameTagger};
use crate::{Error, IndexSchema, Report};

/// Precision, recall and F1 of one measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Gold items.
    pub num_gold: usize,
    /// Items found.
    pub num_found: usize,
    /// Gold items found (recall's numerator).
    pub num_gold_found: usize,
    /// Items found that are right (precision's numerator).
    pub num_found_right: usize,
    /// `num_found_right / num_found`.
    pub precision: f64,
    /// `num_gold_found / num_gold`.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl Prf {
    fn add(&mut self, gold: usize, found: usize, gold_found: usize, found_right: usize) {
        self.num_gold += gold;
        self.num_found += found;
        self.num_gold_found += gold_found;
        self.num_found_right += found_right;
    }

    fn finish(&mut self) {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.num_found_right, self.num_found);
        self.recall = ratio(self.num_gold_found, self.num_gold);
        let sum = self.precision + self.recall;
        self.f1 = if sum > 0.0 { 2.0 * self.precision * self.recall / sum } else { 0.0 };
    }
}

impl fmt::Display for Prf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P {:.3}  R {:.3}  F1 {:.3}  (gold {}, found {})",
            self.precision, self.recall, self.f1, self.num_gold, self.num_found
        )
    }
}

/// The scores of `attache eval people`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PeopleScores {
    /// Documents scored.
    pub num_documents: usize,
    /// Mention level, by type (`PER`, `ORG`, `LOC`, `MISC`) and `all`.
    pub mentions: BTreeMap<String, Prf>,
    /// Document level: `PER` (the `people` list), `PER (leaders)` (the `leaders` list),
    /// `ORG`, `LOC`, `MISC` (the tagger's distinct strings).
    pub documents: BTreeMap<String, Prf>,
    /// Tokens read by the tagger, and of those scored by the model.
    pub num_tokens: (u64, u64),
}

impl fmt::Display for PeopleScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "documents: {}", self.num_documents)?;
        writeln!(f, "mention level:")?;
        for (kind, prf) in &self.mentions {
            writeln!(f, "  {kind:<14} {prf}")?;
        }
        writeln!(f, "document level:")?;
        for (kind, prf) in &self.documents {
            writeln!(f, "  {kind:<14} {prf}")?;
        }
        writeln!(f, "tokens: {} read, {} scored by the model", self.num_tokens.0, self.num_tokens.1)
    }
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

/// A gold document with its title and date, when the JSON has them.
pub type GoldDocument = (Annotated, Option<String>, Option<String>);

/// Reads gold names: JSON lines when the file name ends in `.jsonl` or `.json`, else the
/// CoNLL column format. Each document comes with its title and date, when the JSON has them.
pub fn read_gold(path: &Path) -> crate::Result<Vec<GoldDocument>> {
    let is_json = path.extension().is_some_and(|e| e == "jsonl" || e == "json");
    if !is_json {
        return Ok(read_conll(path)?.into_iter().map(|d| (d, None, None)).collect());
    }
    let docs = crate::extract::tagger::train::read_jsonl(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let metas = text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str::<Meta>(l).ok());
    Ok(docs
        .into_iter()
        .zip(metas)
        .map(|(d, m)| (d, m.as_ref().and_then(|m| m.title.clone()), m.and_then(|m| m.date)))
        .collect())
}

fn last_word(name: &str) -> String {
    name.split_whitespace().last().unwrap_or("").to_lowercase()
}

fn word_set(name: &str) -> HashSet<String> {
    name.split_whitespace().map(str::to_lowercase).collect()
}

/// Document-level person scores of `listed` names against `gold` person strings.
fn score_people(gold: &[&str], listed: &[String], prf: &mut Prf) {
    let surnames: HashSet<String> = gold.iter().map(|g| last_word(g)).collect();
    let listed_words: Vec<HashSet<String>> = listed.iter().map(|n| word_set(n)).collect();
    let gold_found = gold.iter().filter(|g| listed_words.iter().any(|w| w.contains(&last_word(g)))).count();
    let found_right = listed_words.iter().filter(|w| w.iter().any(|x| surnames.contains(x))).count();
    prf.add(gold.len(), listed.len(), gold_found, found_right);
}

/// Scores the shipped tagger (or the model file `model`) and the people of `schema`'s
/// extractor against the gold names in `gold`.
pub fn score(schema: &IndexSchema, gold: &Path, model: Option<&[u8]>) -> crate::Result<PeopleScores> {
    let docs = read_gold(gold)?;
    let mut tagger = match model {
        Some(bytes) => NameTagger::with_model(schema, bytes)?,
        None => NameTagger::new(schema),
    };
    let mut extractor = Extractor::new(schema);
    if let Some(bytes) = model {
        extractor.names = NameTagger::with_model(schema, bytes)?;
    }
    let mut scores = PeopleScores { num_documents: docs.len(), ..PeopleScores::default() };
    let label = |k: EntityKind| k.label().to_string();
    for (doc, title, date) in &docs {
        let found = tagger.tag(&doc.text);
        // Mentions.
        let gold_set: HashSet<(usize, usize, EntityKind)> =
            doc.spans.iter().map(|s| (s.start, s.end, s.kind)).collect();
        let found_set: HashSet<(usize, usize, EntityKind)> = found.iter().map(|s| (s.start, s.end, s.kind)).collect();
        for kind in EntityKind::ALL {
            let g = gold_set.iter().filter(|s| s.2 == kind).count();
            let f = found_set.iter().filter(|s| s.2 == kind).count();
            let right = found_set.iter().filter(|s| s.2 == kind && gold_set.contains(s)).count();
            scores.mentions.entry(label(kind)).or_default().add(g, f, right, right);
            scores.mentions.entry("all".into()).or_default().add(g, f, right, right);
        }
        // Documents: other types by distinct strings.
        let distinct = |spans: &mut dyn Iterator<Item = (EntityKind, &str)>| -> HashSet<(EntityKind, String)> {
            spans.map(|(k, t)| (k, t.to_lowercase())).collect()
        };
        let gold_names = distinct(&mut doc.spans.iter().filter_map(|s| Some((s.kind, doc.text.get(s.start..s.end)?))));
        let found_names = distinct(&mut found.iter().filter_map(|s| Some((s.kind, doc.text.get(s.start..s.end)?))));
        for kind in [EntityKind::Org, EntityKind::Place, EntityKind::Misc] {
            let g = gold_names.iter().filter(|n| n.0 == kind).count();
            let f = found_names.iter().filter(|n| n.0 == kind).count();
            let right = found_names.iter().filter(|n| n.0 == kind && gold_names.contains(n)).count();
            scores.documents.entry(label(kind)).or_default().add(g, f, right, right);
        }
        // People as an index holds them.
        let mut gold_people: Vec<&str> = doc
            .spans
            .iter()
            .filter(|s| s.kind == EntityKind::Person)
            .filter_map(|s| doc.text.get(s.start..s.end))
            .collect();
        gold_people.sort_unstable();
        gold_people.dedup();
        let mut report = Report::new(doc.id.clone(), doc.text.clone());
        report.title = title.clone();
        report.date = date.clone();
        let entities = extractor.extract(&report);
        let people: Vec<String> = entities.people.into_iter().map(|t| t.name).collect();
        let leaders: Vec<String> = entities.leaders.into_iter().map(|t| t.name).collect();
        score_people(&gold_people, &people, scores.documents.entry("PER".into()).or_default());
        score_people(&gold_people, &leaders, scores.documents.entry("PER (leaders)".into()).or_default());
    }
    for prf in scores.mentions.values_mut().chain(scores.documents.values_mut()) {
        prf.finish();
    }
    scores.num_tokens = tagger.num_tokens();
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_found_by_their_surname() {
        let mut prf = Prf::default();
        score_people(&["Vladimir Putin", "Putin", "Yuri Ushakov"], &["Putin".into(), "Real News".into()], &mut prf);
        prf.finish();
        assert_eq!((prf.num_gold, prf.num_gold_found, prf.num_found, prf.num_found_right), (3, 2, 2, 1));
        assert!((prf.precision - 0.5).abs() < 1e-9);
    }
}
