//! The tantivy document of one report, as the [`Indexer`](super::Indexer) hands it to the
//! index writer.
//!
//! It owns its values, so tantivy's indexing threads read them in place, and it carries the
//! title and body as `AnalysedText`s: their tokens, found by the worker for extraction, are
//! registered for replay, so the index's analyzer copies them out rather than analysing the
//! same text a second time. What a document holds and the order of its values are those of a
//! `TantivyDocument` built with `add_text` and `add_date`, so the stored reports are the
//! same bytes. Reading documents back still goes through `TantivyDocument`.

use tantivy::DateTime;
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Document, Field, Value};

use crate::analysis::AnalysedText;

/// A report's fields, ready to index.
#[derive(Debug, Default)]
pub(crate) struct ReportDoc {
    /// The short texts (ids, paths, names), one after the other.
    arena: String,
    values: Vec<(Field, Owned)>,
}

/// One value, as the document owns it.
#[derive(Debug)]
enum Owned {
    /// `start..end` of `ReportDoc::arena`.
    Text {
        start: usize,
        end: usize,
    },
    /// A text in memory of its own, whose tokens may be replayed: its address must not move,
    /// as the arena's does when it grows.
    Analysed(AnalysedText),
    Date(DateTime),
}

impl ReportDoc {
    /// Adds a text value.
    pub(crate) fn add_text(&mut self, field: Field, text: &str) {
        let start = self.arena.len();
        self.arena.push_str(text);
        self.values.push((field, Owned::Text { start, end: self.arena.len() }));
    }

    /// Adds a text value whose tokens are registered for replay.
    pub(crate) fn add_analysed(&mut self, field: Field, text: AnalysedText) {
        self.values.push((field, Owned::Analysed(text)));
    }

    /// Adds a date value.
    pub(crate) fn add_date(&mut self, field: Field, date: DateTime) {
        self.values.push((field, Owned::Date(date)));
    }
}

/// A value of a [`ReportDoc`], borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ValueRef<'a> {
    Str(&'a str),
    Date(DateTime),
}

impl<'a> Value<'a> for ValueRef<'a> {
    type ArrayIter = std::iter::Empty<Self>;
    type ObjectIter = std::iter::Empty<(&'a str, Self)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        match *self {
            ValueRef::Str(text) => ReferenceValue::Leaf(ReferenceValueLeaf::Str(text)),
            ValueRef::Date(date) => ReferenceValue::Leaf(ReferenceValueLeaf::Date(date)),
        }
    }
}

/// The fields and values of a [`ReportDoc`], in the order they were added.
pub(crate) struct Values<'a> {
    arena: &'a str,
    values: std::slice::Iter<'a, (Field, Owned)>,
}

impl<'a> Iterator for Values<'a> {
    type Item = (Field, ValueRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (field, value) = self.values.next()?;
        let value = match value {
            Owned::Text { start, end } => ValueRef::Str(self.arena.get(*start..*end).unwrap_or_default()),
            Owned::Analysed(text) => ValueRef::Str(text.as_str()),
            Owned::Date(date) => ValueRef::Date(*date),
        };
        Some((*field, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl Document for ReportDoc {
    type Value<'a> = ValueRef<'a>;
    type FieldsValuesIter<'a> = Values<'a>;

    fn iter_fields_and_values(&self) -> Values<'_> {
        Values { arena: &self.arena, values: self.values.iter() }
    }
}
