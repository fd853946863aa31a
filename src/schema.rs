//! The index fields of `index_schema/fields.toml` and the tantivy [`Schema`] built from them.
//!
//! This is the bottom of the house: it knows field names, kinds and flags, and nothing of
//! lexicons or extraction (those are [`crate::extract::lexicon`]; the bundle of the three
//! files with their fingerprint is [`crate::IndexSchema`]). `Fields` resolves the tantivy
//! field handles once; nothing outside this module looks a field up by name.

use std::path::Path;

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};

use crate::Error;

/// Version of the index layout this build writes and reads. Bump it when the meaning of a
/// stored field changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The embedded `fields.toml`.
pub(crate) const DEFAULT_FIELDS: &str = include_str!("../index_schema/fields.toml");

/// How a field is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Analysed full text.
    Text,
    /// Exact values, one token each.
    Keyword,
    /// A calendar day.
    Date,
    /// Kept for reading back only, not searchable.
    Stored,
}

/// One `[[field]]` of `fields.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Field name; also the query prefix and JSON key.
    pub name: String,
    /// How it is indexed.
    pub kind: FieldKind,
    /// Analyzer of a text field (only `attache_en` is known).
    #[serde(default)]
    pub tokenizer: Option<String>,
    /// Whether the value is stored for display.
    #[serde(default)]
    pub stored: bool,
    /// Whether the field has a fast (columnar) copy.
    #[serde(default)]
    pub fast: bool,
    /// Whether bare query words search this field.
    #[serde(default)]
    pub default_search: bool,
    /// Weight of this field for bare query words.
    #[serde(default)]
    pub boost: Option<f32>,
}

/// Contents of `fields.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsSpec {
    /// Version of the file format.
    pub version: u32,
    /// The fields.
    pub field: Vec<FieldSpec>,
}

/// Parses a TOML text, turning errors into [`Error::Schema`] with the line.
pub(crate) fn parse_toml<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> crate::Result<T> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text.get(..s.start).unwrap_or("").matches('\n').count() + 1).unwrap_or(0);
        Error::Schema { path: path.to_path_buf(), line, message: e.message().to_string() }
    })
}

impl FieldsSpec {
    /// Parses `fields.toml` and checks that the tantivy schema can be built from it.
    pub(crate) fn parse(path: &Path, text: &str) -> crate::Result<FieldsSpec> {
        let spec: FieldsSpec = parse_toml(path, text)?;
        spec.build().map_err(|message| Error::Schema { path: path.to_path_buf(), line: 0, message })?;
        Ok(spec)
    }

    /// The spec of the field called `name`.
    pub fn field_spec(&self, name: &str) -> Option<&FieldSpec> {
        self.field.iter().find(|f| f.name == name)
    }

    /// Builds the tantivy schema and resolves the field handles.
    pub(crate) fn build(&self) -> Result<(Schema, Fields), String> {
        let mut builder = Schema::builder();
        for spec in &self.field {
            match spec.kind {
                FieldKind::Text => {
                    let tokenizer = spec.tokenizer.as_deref().unwrap_or(crate::analysis::ANALYZER);
                    if tokenizer != crate::analysis::ANALYZER {
                        return Err(format!(
                            "field {}: unknown tokenizer {tokenizer:?} (attache knows {:?})",
                            spec.name,
                            crate::analysis::ANALYZER
                        ));
                    }
                    let indexing = TextFieldIndexing::default()
                        .set_tokenizer(tokenizer)
                        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                    let mut options = TextOptions::default().set_indexing_options(indexing);
                    if spec.stored {
                        options = options.set_stored();
                    }
                    if spec.fast {
                        // The columnar copy keeps the exact value (canonical names for facets).
                        options = options.set_fast("raw");
                    }
                    builder.add_text_field(&spec.name, options);
                }
                FieldKind::Keyword => {
                    let indexing = TextFieldIndexing::default()
                        .set_tokenizer("raw")
                        .set_index_option(IndexRecordOption::WithFreqs);
                    let mut options = TextOptions::default().set_indexing_options(indexing);
                    if spec.stored {
                        options = options.set_stored();
                    }
                    if spec.fast {
                        options = options.set_fast("raw");
                    }
                    builder.add_text_field(&spec.name, options);
                }
                FieldKind::Stored => {
                    builder.add_text_field(&spec.name, TextOptions::default().set_stored());
                }
                FieldKind::Date => {
                    let mut options = DateOptions::default().set_indexed().set_precision(DateTimePrecision::Seconds);
                    if spec.stored {
                        options = options.set_stored();
                    }
                    if spec.fast {
                        options = options.set_fast();
                    }
                    builder.add_date_field(&spec.name, options);
                }
            }
        }
        let schema = builder.build();
        let fields = Fields::resolve(&schema, self)?;
        Ok((schema, fields))
    }
}

/// Handles of the fields attache reads and writes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub path: Field,
    pub file: Field,
    pub file_sig: Field,
    pub title: Field,
    pub author: Field,
    pub source: Field,
    pub url: Field,
    pub language: Field,
    pub date: Field,
    pub body: Field,
    pub leader: Field,
    pub topic: Field,
    pub place: Field,
    pub org: Field,
    /// The story of the report (see [`crate::stories`]).
    pub story: Field,
    /// The report's story signature, read back by later reports' story decisions.
    pub story_sig: Field,
    pub person: Field,
    /// Exact duplicates (optional fields; see `index::dedup`).
    pub content_hash: Option<Field>,
    pub duplicate_of: Option<Field>,
}

impl Fields {
    fn resolve(schema: &Schema, spec: &FieldsSpec) -> Result<Fields, String> {
        let get = |name: &str, kind: FieldKind| -> Result<Field, String> {
            let field = schema.get_field(name).map_err(|_| format!("required field {name:?} is missing"))?;
            match spec.field_spec(name) {
                Some(s) if s.kind == kind => Ok(field),
                _ => Err(format!("field {name:?} must be of kind {kind:?}")),
            }
        };
        use FieldKind::{Date, Keyword, Stored, Text};
        let fields = Fields {
            id: get("id", Keyword)?,
            path: get("path", Keyword)?,
            file: get("file", Keyword)?,
            file_sig: get("file_sig", Keyword)?,
            title: get("title", Text)?,
            author: get("author", Text)?,
            source: get("source", Text)?,
            url: get("url", Keyword)?,
            language: get("language", Keyword)?,
            date: get("date", Date)?,
            body: get("body", Text)?,
            leader: get("leader", Text)?,
            topic: get("topic", Text)?,
            place: get("place", Text)?,
            org: get("org", Text)?,
            story: get("story", Keyword)?,
            story_sig: get("story_sig", Stored)?,
            person: get("person", Text)?,
            content_hash: get("content_hash", Keyword).ok(),
            duplicate_of: get("duplicate_of", Keyword).ok(),
        };
        for name in [
            "id",
            "path",
            "file",
            "file_sig",
            "title",
            "author",
            "source",
            "date",
            "body",
            "leader",
            "topic",
            "place",
            "org",
            "story",
            "story_sig",
            "person",
        ] {
            if spec.field_spec(name).is_some_and(|s| !s.stored) {
                return Err(format!("field {name:?} must be stored: results and re-indexing read it"));
            }
        }
        for name in ["leader", "topic", "place", "org", "person"] {
            if spec.field_spec(name).is_some_and(|s| !s.fast) {
                return Err(format!("field {name:?} must be fast: facets count its values"));
            }
        }
        Ok(fields)
    }

    /// Fields bare query words search, with their boosts.
    pub fn default_search(&self, schema: &Schema, spec: &FieldsSpec) -> Vec<(Field, f32)> {
        spec.field
            .iter()
            .filter(|f| f.default_search)
            .filter_map(|f| schema.get_field(&f.name).ok().map(|field| (field, f.boost.unwrap_or(1.0))))
            .collect()
    }

    /// The field a query prefix names (`title:`, `leader:`), if it is one users may query.
    pub fn by_prefix(&self, prefix: &str) -> Option<(Field, QueryField)> {
        Some(match prefix {
            "title" => (self.title, QueryField::Text),
            "body" => (self.body, QueryField::Text),
            "author" => (self.author, QueryField::Text),
            "source" => (self.source, QueryField::Text),
            "leader" => (self.leader, QueryField::Leader),
            "topic" => (self.topic, QueryField::Topic),
            "place" => (self.place, QueryField::Place),
            "org" => (self.org, QueryField::Org),
            "person" => (self.person, QueryField::Person),
            "date" => (self.date, QueryField::Date),
            "id" => (self.id, QueryField::Exact),
            "path" => (self.path, QueryField::Exact),
            "story" => (self.story, QueryField::Exact),
            _ => return None,
        })
    }
}

/// How a query prefix is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryField {
    /// Analysed text (title, body, author, source).
    Text,
    /// A leader name or alias, resolved to the canonical name.
    Leader,
    /// A topic name or trigger, resolved to the canonical name.
    Topic,
    /// A place name, resolved to the canonical name.
    Place,
    /// An organisation name, resolved to the canonical name.
    Org,
    /// A person's name, as written or (for a leader's alias) the leader's canonical name.
    Person,
    /// A day or a range of days.
    Date,
    /// An exact stored value (id, path).
    Exact,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fields_build() -> crate::Result<()> {
        let spec = FieldsSpec::parse(Path::new("fields.toml"), DEFAULT_FIELDS)?;
        assert!(spec.build().is_ok());
        Ok(())
    }

    #[test]
    fn a_missing_required_field_is_a_schema_error() {
        let fields = "version = 1\n[[field]]\nname = \"body\"\nkind = \"text\"\nstored = true\n";
        let err = FieldsSpec::parse(Path::new("f.toml"), fields).unwrap_err();
        assert!(err.to_string().contains("required field \"id\""), "{err}");
    }
}
