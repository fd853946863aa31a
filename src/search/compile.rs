//! From a parsed [`Node`] to a tantivy query, and to the list of what may be lit.
//!
//! Words and phrases go through the index's analyzer, so the query matches exactly what was
//! indexed. Unscoped words search the `default_search` fields of `fields.toml` with their
//! boosts; `leader:`, `topic:`, `place:` and `org:` resolve aliases through the lexicons
//! first. Alongside the query, compiling collects the [`Lit`] items — the positive clauses that
//! apply to the body — so highlighting lights exactly what matched: never a negated word,
//! never a field-scoped one outside its field — and the [`Unit`]s the re-ranker scores: the
//! positive words and phrases that rank (not filters, not exclusions).
//!
//! [`drop_stopwords`] runs before compiling: bare function words that only rank (`the`,
//! `of`) are removed when the query has other words to rank by (see [`super::stopword`]).

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur as TOccur, PhraseQuery, Query, RangeQuery, RegexQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Term};

use super::query::{Leaf, LeafKind, Node, Occur};
use super::rank::TagFields;
use crate::analysis;
use crate::extract::{Extractor, TopicKind};
use crate::schema::{Fields, QueryField};

/// Something to light in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lit {
    /// Consecutive analysed terms (one term for a word, several for a phrase).
    Terms(Vec<String>),
    /// Terms starting with an analysed prefix.
    Prefix(String),
    /// Terms within an edit distance of an analysed word.
    Fuzzy(String, u8),
}

/// A positive word or phrase that ranks: its analysed terms and the fields it searches, with
/// their boosts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    /// One term for a word, several for a phrase.
    pub terms: Vec<String>,
    /// Fields searched, with their boosts.
    pub fields: Vec<(Field, f32)>,
    /// Phrase slop.
    pub slop: u32,
}

/// The lexicons' matchers, built (and parsed) only when a query names a leader, topic, place
/// or organisation: most queries never need them, and building them costs more than a search.
pub(crate) struct Lexicons<'a> {
    /// Built once per [`crate::Searcher`] and shared by its clones.
    pub shared: &'a std::sync::OnceLock<Extractor>,
    pub schema: &'a crate::IndexSchema,
    /// This search's own copy (resolving needs a mutable analyzer).
    pub own: Option<Extractor>,
}

impl Lexicons<'_> {
    fn get(&mut self) -> &mut Extractor {
        let (shared, schema) = (self.shared, self.schema);
        self.own.get_or_insert_with(|| shared.get_or_init(|| Extractor::new(schema)).clone())
    }
}

pub(crate) struct Compiler<'a, 'l> {
    pub fields: &'a Fields,
    pub default_fields: &'a [(Field, f32)],
    /// When bare words also search the leader and topic fields.
    pub tag_fields: TagFields,
    pub analyzer: &'a mut tantivy::tokenizer::TextAnalyzer,
    pub extractor: &'a mut Lexicons<'l>,
    pub lits: Vec<Lit>,
    /// The words and phrases that rank.
    pub units: Vec<Unit>,
    /// False when a positive prefix or fuzzy clause ranks: the re-ranker cannot score its
    /// expansions, so tantivy's ranking stands.
    pub rescorable: bool,
}

/// A query compiled for one search.
pub(crate) struct Compiled {
    /// The tantivy query: the whole boolean structure, filters included.
    pub query: Box<dyn Query>,
    /// What may be lit in bodies.
    pub lits: Vec<Lit>,
    /// The words and phrases that rank.
    pub units: Vec<Unit>,
    /// False when tantivy's ranking must stand (see [`Compiler::rescorable`]).
    pub rescorable: bool,
    /// The fields bare words search, with their boosts.
    pub default_fields: Vec<(Field, f32)>,
}

/// Compiles a parsed query for `index` with the search's analyzer and lexicons.
pub(crate) fn compile(
    tree: &Node,
    index: &crate::Index,
    tag_fields: TagFields,
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    lexicons: &mut Lexicons,
) -> crate::Result<Compiled> {
    let fields = index.fields;
    let default_fields = fields.default_search(&index.tantivy_schema, &index.schema.fields);
    let mut compiler = Compiler {
        fields: &fields,
        default_fields: &default_fields,
        tag_fields,
        analyzer,
        extractor: lexicons,
        lits: Vec::new(),
        units: Vec::new(),
        rescorable: true,
    };
    let query = compiler
        .compile(tree, false)?
        .ok_or_else(|| crate::Error::query(1, "nothing to search for: the query has no words, only punctuation"))?;
    let (lits, units, rescorable) = (compiler.lits, compiler.units, compiler.rescorable);
    // What words added later (feedback) search: the tag fields only when every word may.
    let default_fields = match tag_fields {
        TagFields::Always => default_fields,
        _ => default_fields.into_iter().filter(|&(f, _)| f != fields.leader && f != fields.topic).collect(),
    };
    Ok(Compiled { query, lits, units, rescorable, default_fields })
}

/// Removes bare function words that only rank (`Should` words without a field), when the
/// query has at least one other such word; see [`super::stopword`].
pub(crate) fn drop_stopwords(node: &Node) -> Node {
    fn count_content(node: &Node, top: Occur) -> usize {
        match node {
            Node::Leaf(Leaf { field: None, kind: LeafKind::Word(w), .. }) => {
                usize::from(top == Occur::Should && !super::stopword::is_stopword(w))
            }
            Node::Leaf(_) => 0,
            Node::Group(children) => children.iter().map(|(occur, n)| count_content(n, *occur)).sum(),
        }
    }
    fn strip(node: &Node) -> Node {
        match node {
            Node::Leaf(_) => node.clone(),
            Node::Group(children) => Node::Group(
                children
                    .iter()
                    .filter(|(occur, n)| {
                        !(*occur == Occur::Should
                            && matches!(n, Node::Leaf(Leaf { field: None, kind: LeafKind::Word(w), .. })
                                if super::stopword::is_stopword(w)))
                    })
                    .map(|(occur, n)| (*occur, strip(n)))
                    .collect(),
            ),
        }
    }
    if count_content(node, Occur::Should) == 0 { node.clone() } else { strip(node) }
}

impl Compiler<'_, '_> {
    /// Compiles a node; `None` when nothing searchable is left (a word of punctuation only).
    pub fn compile(&mut self, node: &Node, negated: bool) -> crate::Result<Option<Box<dyn Query>>> {
        Ok(self.piece(node, negated)?.map(Piece::into_query))
    }

    fn piece(&mut self, node: &Node, negated: bool) -> crate::Result<Option<Piece>> {
        match node {
            Node::Leaf(leaf) => self.leaf(leaf, negated),
            Node::Group(children) => {
                let mut must = Vec::new();
                let mut should = Vec::new();
                let mut must_not = Vec::new();
                for (occur, child) in children {
                    let Some(piece) = self.piece(child, negated ^ (*occur == Occur::MustNot))? else { continue };
                    match occur {
                        Occur::Must => must.push(piece.into_query()),
                        // A union inside a union is one union: the scores add up the same, and
                        // a flat union of term queries lets tantivy skip blocks (block-max WAND).
                        Occur::Should => match piece {
                            Piece::AnyOf(alternatives) => should.extend(alternatives),
                            Piece::One(q) => should.push(q),
                        },
                        Occur::MustNot => must_not.push(piece.into_query()),
                    }
                }
                if must.is_empty() && should.is_empty() && must_not.is_empty() {
                    return Ok(None);
                }
                if must.is_empty() && must_not.is_empty() {
                    return Ok(Some(Piece::any(should)));
                }
                // Filters next to words: the words rank, but at least one must match.
                if !must.is_empty() && !should.is_empty() {
                    must.push(Piece::any(std::mem::take(&mut should)).into_query());
                }
                // Only exclusions: exclude from everything.
                if must.is_empty() && should.is_empty() {
                    must.push(Box::new(AllQuery));
                }
                let clauses: Vec<(TOccur, Box<dyn Query>)> = must
                    .into_iter()
                    .map(|q| (TOccur::Must, q))
                    .chain(should.into_iter().map(|q| (TOccur::Should, q)))
                    .chain(must_not.into_iter().map(|q| (TOccur::MustNot, q)))
                    .collect();
                Ok(Some(Piece::One(Box::new(BooleanQuery::new(clauses)))))
            }
        }
    }

    /// The fields a bare word or phrase searches: the `default_search` fields, without the
    /// leader and topic fields unless [`TagFields`] lets them in for this text.
    fn bare_targets(&mut self, kind: &LeafKind) -> Vec<(Field, f32)> {
        let (leader, topic) = (self.fields.leader, self.fields.topic);
        let (names_leader, names_topic) = match (self.tag_fields, kind) {
            (TagFields::Always, _) => return self.default_fields.to_vec(),
            (TagFields::Named, LeafKind::Word(text) | LeafKind::Phrase(text, _)) => {
                let extractor = self.extractor.get();
                (extractor.resolve_leader(text).is_some(), extractor.resolve_topic(text, None).is_some())
            }
            _ => (false, false),
        };
        self.default_fields
            .iter()
            .copied()
            .filter(|&(f, _)| (f != leader || names_leader) && (f != topic || names_topic))
            .collect()
    }

    fn terms(&mut self, text: &str) -> Vec<String> {
        analysis::terms(self.analyzer, text).into_iter().map(|t| t.text).collect()
    }

    fn leaf(&mut self, leaf: &Leaf, negated: bool) -> crate::Result<Option<Piece>> {
        let (targets, kind): (Vec<(Field, f32)>, QueryField) = match leaf.field.and_then(|n| self.fields.by_prefix(n)) {
            Some((field, kind)) => (vec![(field, 1.0)], kind),
            None => (self.bare_targets(&leaf.kind), QueryField::Text),
        };
        let lights_body = !negated && matches!(leaf.field, None | Some("body"));
        let text = match &leaf.kind {
            LeafKind::DateRange(lo, hi) => return Ok(Some(Piece::One(self.date_range(lo.as_deref(), hi.as_deref())))),
            LeafKind::Word(t) | LeafKind::Phrase(t, _) | LeafKind::Prefix(t) | LeafKind::Fuzzy(t, _) => t.as_str(),
        };
        match kind {
            QueryField::Exact => {
                let field = targets[0].0;
                return Ok(Some(Piece::One(Box::new(TermQuery::new(
                    Term::from_field_text(field, text),
                    IndexRecordOption::Basic,
                )))));
            }
            QueryField::Leader | QueryField::Topic | QueryField::Place | QueryField::Org | QueryField::Person => {
                let extractor = self.extractor.get();
                let canonical = match kind {
                    QueryField::Leader | QueryField::Person => extractor.resolve_leader(text),
                    QueryField::Topic => extractor.resolve_topic(text, None),
                    QueryField::Place => extractor.resolve_topic(text, Some(TopicKind::Place)),
                    _ => extractor.resolve_topic(text, Some(TopicKind::Org)),
                };
                // The lexicon's holder of the name, and also any leader stored under the name
                // as written: a discovered "Aquino" in 1987 is not the lexicon's Benigno
                // Aquino III, and `leader:aquino` must find both.
                let mut names = vec![canonical.as_deref().unwrap_or(text)];
                if canonical.as_deref().is_some_and(|c| !c.eq_ignore_ascii_case(text)) {
                    names.push(text);
                }
                let mut queries: Vec<Box<dyn Query>> = names
                    .into_iter()
                    .filter_map(|name| phrase_or_term(targets[0].0, &self.terms(name), 0))
                    .map(|q| Box::new(q) as Box<dyn Query>)
                    .collect();
                return Ok(match queries.len() {
                    0 => None,
                    1 => queries.pop().map(Piece::One),
                    _ => Some(Piece::One(Box::new(tantivy::query::BooleanQuery::union(queries)))),
                });
            }
            QueryField::Date | QueryField::Text => {}
        }
        let mut per_field: Vec<Box<dyn Query>> = Vec::new();
        match &leaf.kind {
            LeafKind::Word(_) | LeafKind::Phrase(..) => {
                let slop = if let LeafKind::Phrase(_, slop) = leaf.kind { slop } else { 0 };
                let terms = self.terms(text);
                if terms.is_empty() {
                    return Ok(None);
                }
                for &(field, boost) in &targets {
                    if let Some(q) = phrase_or_term(field, &terms, slop) {
                        per_field.push(boosted(q, boost));
                    }
                }
                if !negated && matches!(leaf.field, None | Some("body" | "title")) {
                    self.units.push(Unit { terms: terms.clone(), fields: targets.clone(), slop });
                }
                if lights_body {
                    self.lits.push(Lit::Terms(terms));
                }
            }
            LeafKind::Prefix(_) => {
                self.rescorable &= negated;
                let terms = self.terms(text);
                let Some(prefix) = terms.last().cloned() else { return Ok(None) };
                for &(field, boost) in &targets {
                    // Analysed terms are letters and digits only: nothing to escape.
                    let q = RegexQuery::from_pattern(&format!("{prefix}.*"), field)?;
                    per_field.push(boosted(q, boost));
                }
                if lights_body {
                    self.lits.push(Lit::Prefix(prefix));
                }
            }
            LeafKind::Fuzzy(_, distance) => {
                self.rescorable &= negated;
                let terms = self.terms(text);
                let Some(word) = terms.last().cloned() else { return Ok(None) };
                for &(field, boost) in &targets {
                    let q = FuzzyTermQuery::new(Term::from_field_text(field, &word), *distance, true);
                    per_field.push(boosted(q, boost));
                }
                if lights_body {
                    self.lits.push(Lit::Fuzzy(word, *distance));
                }
            }
            LeafKind::DateRange(..) => {}
        }
        Ok(match per_field.len() {
            0 => None,
            1 => per_field.pop().map(Piece::One),
            _ => Some(Piece::AnyOf(per_field)),
        })
    }

    fn date_range(&self, lo: Option<&str>, hi: Option<&str>) -> Box<dyn Query> {
        let field = self.fields.date;
        let bound = |day: Option<&str>| match day.and_then(crate::date::days_from_iso) {
            Some(days) => Bound::Included(Term::from_field_date(
                field,
                DateTime::from_timestamp_secs(crate::date::indexable_secs(days)),
            )),
            None => Bound::Unbounded,
        };
        match (bound(lo), bound(hi)) {
            // tantivy needs one bound (it panics on none): `date:[* TO *]` is every dated
            // article, from the earliest day the index can hold.
            (Bound::Unbounded, Bound::Unbounded) => Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_date(
                    field,
                    DateTime::from_timestamp_secs(crate::date::indexable_secs(i64::MIN / 86_400)),
                )),
                Bound::Unbounded,
            )),
            (lo, hi) => Box::new(RangeQuery::new(lo, hi)),
        }
    }
}

fn boosted(q: impl Query, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON { Box::new(q) } else { Box::new(BoostQuery::new(Box::new(q), boost)) }
}

/// A compiled part of a query: one query, or alternatives any of which may match (a word in
/// each of its fields, or a group of words), kept apart so that a union is never nested in a
/// union.
enum Piece {
    One(Box<dyn Query>),
    AnyOf(Vec<Box<dyn Query>>),
}

impl Piece {
    fn any(mut queries: Vec<Box<dyn Query>>) -> Piece {
        if queries.len() == 1 { Piece::One(queries.remove(0)) } else { Piece::AnyOf(queries) }
    }

    fn into_query(self) -> Box<dyn Query> {
        match self {
            Piece::One(q) => q,
            Piece::AnyOf(queries) => {
                Box::new(BooleanQuery::new(queries.into_iter().map(|q| (TOccur::Should, q)).collect()))
            }
        }
    }
}

/// A term query for one term, a phrase query for several, nothing for none.
fn phrase_or_term(field: Field, terms: &[String], slop: u32) -> Option<Box<dyn Query>> {
    match terms {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(Term::from_field_text(field, one), IndexRecordOption::WithFreqs))),
        many => {
            let mut q = PhraseQuery::new(many.iter().map(|t| Term::from_field_text(field, t)).collect());
            q.set_slop(slop);
            Some(Box::new(q))
        }
    }
}
