//! `index_schema/` as data: the field list, the lexicons, and the tantivy [`Schema`] built
//! from them.
//!
//! [`IndexSchema`] bundles `fields.toml`, `leaders.toml` and `topics.toml`. The defaults are
//! embedded in the binary with `include_str!`, so attache works from any directory;
//! [`IndexSchema::from_dir`] reads a user's own copies (`--schema DIR`). A fingerprint of the
//! three files and [`SCHEMA_VERSION`] is stored in every commit of an index, so opening an
//! index built with other lexicons is a clear error instead of silently wrong tags.
//!
//! `Fields` resolves the tantivy field handles once; nothing outside this module looks a
//! field up by name.
//!
//! The embedded lexicons are parsed on first use ([`Lexicon`]), not when the schema is
//! loaded: a search that names no leader, topic, place or organisation and asks for no facets
//! never needs them, and parsing them was most of the start-up time of `attache search`. The
//! fingerprint is a hash of the files' bytes, so checking an index needs no parsing either.
//! Lexicons read from a directory are parsed at once, so their errors name the file and line
//! before anything else happens.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};

use crate::Error;
use crate::extract::lexicon::{self, LeaderLexicon, TopicLexicon, parse_toml};

/// Version of the index layout this build writes and reads. Bump it when the meaning of a
/// stored field changes.
pub const SCHEMA_VERSION: u32 = 1;

const DEFAULT_FIELDS: &str = include_str!("../index_schema/fields.toml");
const DEFAULT_LEADERS: &str = include_str!("../index_schema/leaders.toml");
const DEFAULT_TOPICS: &str = include_str!("../index_schema/topics.toml");
/// The embedded lexicons as JSON, converted by `build.rs`: what is actually parsed.
const DEFAULT_LEADERS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/leaders.json"));
const DEFAULT_TOPICS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/topics.json"));

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

/// The three files of `index_schema/`, parsed and validated.
#[derive(Debug, Clone)]
pub struct IndexSchema {
    /// `fields.toml`.
    pub fields: FieldsSpec,
    /// `leaders.toml`.
    pub leaders: Lexicon<LeaderLexicon>,
    /// `topics.toml`.
    pub topics: Lexicon<TopicLexicon>,
    fingerprint: String,
}

/// A lexicon of an [`IndexSchema`]: dereferences to the parsed file. The embedded defaults
/// are parsed on first use (they are part of the build and tested to parse); files read with
/// [`IndexSchema::from_dir`] are parsed, and their errors reported, when the schema is read.
///
/// ```
/// let schema = attache::IndexSchema::embedded()?;
/// assert!(schema.leaders.leader.contains_key("putin"));
/// # Ok::<(), attache::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lexicon<T> {
    parsed: OnceLock<T>,
    /// The embedded text, parsed on first use.
    embedded: Option<(&'static str, &'static str)>,
}

/// A lexicon that can be parsed from its path and text.
trait Parse: Sized + Default {
    /// The embedded text, and its JSON form.
    const EMBEDDED: (&'static str, &'static str);

    fn parse_toml(path: &Path, text: &str) -> crate::Result<Self>;

    fn from_json(path: &Path, text: &str, json: &str) -> crate::Result<Self>;

    /// Parses `text`; the embedded text (also a user's unchanged copy) through its JSON form.
    fn parse_text(path: &Path, text: &str) -> crate::Result<Self> {
        let (embedded, json) = Self::EMBEDDED;
        if text == embedded { Self::from_json(path, text, json) } else { Self::parse_toml(path, text) }
    }
}

impl Parse for LeaderLexicon {
    const EMBEDDED: (&'static str, &'static str) = (DEFAULT_LEADERS, DEFAULT_LEADERS_JSON);

    fn parse_toml(path: &Path, text: &str) -> crate::Result<Self> {
        LeaderLexicon::parse(path, text)
    }

    fn from_json(path: &Path, text: &str, json: &str) -> crate::Result<Self> {
        lexicon::from_json(path, text, json, LeaderLexicon::check)
    }
}

impl Parse for TopicLexicon {
    const EMBEDDED: (&'static str, &'static str) = (DEFAULT_TOPICS, DEFAULT_TOPICS_JSON);

    fn parse_toml(path: &Path, text: &str) -> crate::Result<Self> {
        TopicLexicon::parse(path, text)
    }

    fn from_json(path: &Path, text: &str, json: &str) -> crate::Result<Self> {
        lexicon::from_json(path, text, json, TopicLexicon::check)
    }
}

impl<T> Lexicon<T> {
    fn parsed(value: T) -> Lexicon<T> {
        Lexicon { parsed: OnceLock::from(value), embedded: None }
    }

    fn embedded(path: &'static str, text: &'static str) -> Lexicon<T> {
        Lexicon { parsed: OnceLock::new(), embedded: Some((path, text)) }
    }
}

impl<T: Parse> Deref for Lexicon<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.parsed.get_or_init(|| match self.embedded {
            // Embedded text is part of the build; `embedded_lexicons_parse` keeps it valid, so
            // the empty fallback is never taken.
            Some((path, text)) => T::parse_text(Path::new(path), text).unwrap_or_default(),
            None => T::default(),
        })
    }
}

impl IndexSchema {
    /// The schema embedded in attache (the repository's `index_schema/`).
    pub fn embedded() -> crate::Result<IndexSchema> {
        IndexSchema::with_lexicons(
            (Path::new("index_schema/fields.toml"), DEFAULT_FIELDS),
            (DEFAULT_LEADERS, Lexicon::embedded("index_schema/leaders.toml", DEFAULT_LEADERS)),
            (DEFAULT_TOPICS, Lexicon::embedded("index_schema/topics.toml", DEFAULT_TOPICS)),
        )
    }

    /// Reads `fields.toml`, `leaders.toml` and `topics.toml` from `dir`; a file missing
    /// there falls back to the embedded default.
    pub fn from_dir(dir: &Path) -> crate::Result<IndexSchema> {
        if !dir.is_dir() {
            return Err(Error::NotADirectory { path: dir.to_path_buf() });
        }
        let read = |name: &str, default: &'static str| -> crate::Result<(PathBuf, String)> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok((path, text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((path, default.to_string())),
                Err(e) => Err(Error::io(path, e)),
            }
        };
        let fields = read("fields.toml", DEFAULT_FIELDS)?;
        let leaders = read("leaders.toml", DEFAULT_LEADERS)?;
        let topics = read("topics.toml", DEFAULT_TOPICS)?;
        IndexSchema::parse((&fields.0, &fields.1), (&leaders.0, &leaders.1), (&topics.0, &topics.1))
    }

    fn parse(fields: (&Path, &str), leaders: (&Path, &str), topics: (&Path, &str)) -> crate::Result<IndexSchema> {
        IndexSchema::with_lexicons(
            fields,
            (leaders.1, Lexicon::parsed(LeaderLexicon::parse_text(leaders.0, leaders.1)?)),
            (topics.1, Lexicon::parsed(TopicLexicon::parse_text(topics.0, topics.1)?)),
        )
    }

    /// Parses `fields.toml` and validates it; the lexicons come with the text they were (or
    /// will be) parsed from, which the fingerprint hashes.
    fn with_lexicons(
        fields: (&Path, &str),
        leaders: (&str, Lexicon<LeaderLexicon>),
        topics: (&str, Lexicon<TopicLexicon>),
    ) -> crate::Result<IndexSchema> {
        let fields_spec: FieldsSpec = parse_toml(fields.0, fields.1)?;
        let mut hash = crate::hash::Fnv::default();
        hash.write(&SCHEMA_VERSION.to_le_bytes());
        for text in [fields.1, leaders.0, topics.0] {
            hash.write(text.as_bytes()).write(&[0xff]);
        }
        let schema = IndexSchema {
            fields: fields_spec,
            leaders: leaders.1,
            topics: topics.1,
            fingerprint: format!("schema v{SCHEMA_VERSION}, lexicons {:016x}", hash.finish()),
        };
        // Validate that the tantivy schema can be built and every required field exists.
        let (tantivy_schema, _) =
            schema.build().map_err(|message| Error::Schema { path: fields.0.to_path_buf(), line: 0, message })?;
        drop(tantivy_schema);
        Ok(schema)
    }

    /// Identifies this schema and lexicons; stored in every commit of an index.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The spec of the field called `name`.
    pub fn field_spec(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.field.iter().find(|f| f.name == name)
    }

    /// Builds the tantivy schema and resolves the field handles.
    pub(crate) fn build(&self) -> Result<(Schema, Fields), String> {
        let mut builder = Schema::builder();
        for spec in &self.fields.field {
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
    /// Exact duplicates (optional fields; see `index::dedup`).
    pub content_hash: Option<Field>,
    pub duplicate_of: Option<Field>,
}

impl Fields {
    fn resolve(schema: &Schema, spec: &IndexSchema) -> Result<Fields, String> {
        let get = |name: &str, kind: FieldKind| -> Result<Field, String> {
            let field = schema.get_field(name).map_err(|_| format!("required field {name:?} is missing"))?;
            match spec.field_spec(name) {
                Some(s) if s.kind == kind => Ok(field),
                _ => Err(format!("field {name:?} must be of kind {kind:?}")),
            }
        };
        use FieldKind::{Date, Keyword, Text};
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
            content_hash: get("content_hash", Keyword).ok(),
            duplicate_of: get("duplicate_of", Keyword).ok(),
        };
        for name in [
            "id", "path", "file", "file_sig", "title", "author", "source", "date", "body", "leader", "topic", "place",
            "org",
        ] {
            if spec.field_spec(name).is_some_and(|s| !s.stored) {
                return Err(format!("field {name:?} must be stored: results and re-indexing read it"));
            }
        }
        for name in ["leader", "topic", "place", "org"] {
            if spec.field_spec(name).is_some_and(|s| !s.fast) {
                return Err(format!("field {name:?} must be fast: facets count its values"));
            }
        }
        Ok(fields)
    }

    /// Fields bare query words search, with their boosts.
    pub fn default_search(&self, schema: &Schema, spec: &IndexSchema) -> Vec<(Field, f32)> {
        spec.fields
            .field
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
            "date" => (self.date, QueryField::Date),
            "id" => (self.id, QueryField::Exact),
            "path" => (self.path, QueryField::Exact),
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
    /// A day or a range of days.
    Date,
    /// An exact stored value (id, path).
    Exact,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lexicons_parse() -> crate::Result<()> {
        // The lazy embedded lexicons fall back to empty ones on a parse error: keep them valid.
        let leaders = LeaderLexicon::parse(Path::new("leaders.toml"), DEFAULT_LEADERS)?;
        let topics = TopicLexicon::parse(Path::new("topics.toml"), DEFAULT_TOPICS)?;
        let schema = IndexSchema::embedded()?;
        assert!(!leaders.leader.is_empty() && !topics.topic.is_empty());
        assert_eq!(schema.leaders.leader.len(), leaders.leader.len());
        assert_eq!(schema.topics.topic.len(), topics.topic.len());
        Ok(())
    }

    #[test]
    fn embedded_lexicons_read_from_json_equal_their_toml() -> crate::Result<()> {
        // `build.rs` converts them; what is parsed must be what the TOML says, field for field.
        let (l, t) = (Path::new("leaders.toml"), Path::new("topics.toml"));
        let json = LeaderLexicon::from_json(l, DEFAULT_LEADERS, DEFAULT_LEADERS_JSON)?;
        assert_eq!(format!("{json:?}"), format!("{:?}", LeaderLexicon::parse(l, DEFAULT_LEADERS)?));
        let json = TopicLexicon::from_json(t, DEFAULT_TOPICS, DEFAULT_TOPICS_JSON)?;
        assert_eq!(format!("{json:?}"), format!("{:?}", TopicLexicon::parse(t, DEFAULT_TOPICS)?));
        // JSON that does not parse falls back to the TOML; the checks still apply, naming
        // the line of the TOML.
        let text = "[leader.x]\nname = \"X\"\nroles = [ { office = \"P\", country = \"Y\", from = \"2020\" } ]\n";
        let err = LeaderLexicon::from_json(l, text, "{").unwrap_err();
        assert!(err.to_string().starts_with("leaders.toml:1:"), "{err}");
        let json = r#"{"leader":{"x":{"name":"X","roles":[{"office":"P","country":"Y","from":"2020"}]}}}"#;
        let err = LeaderLexicon::from_json(l, text, json).unwrap_err();
        assert!(err.to_string().contains("not a YYYY-MM-DD date"), "{err}");
        Ok(())
    }

    #[test]
    fn lazy_lexicons_keep_the_fingerprint() -> crate::Result<()> {
        // Parsing the embedded files eagerly, as before, gives the same fingerprint.
        let eager = IndexSchema::parse(
            (Path::new("f.toml"), DEFAULT_FIELDS),
            (Path::new("l.toml"), DEFAULT_LEADERS),
            (Path::new("t.toml"), DEFAULT_TOPICS),
        )?;
        assert_eq!(IndexSchema::embedded()?.fingerprint(), eager.fingerprint());
        Ok(())
    }

    #[test]
    fn embedded_schema_builds() -> crate::Result<()> {
        let schema = IndexSchema::embedded()?;
        assert!(schema.build().is_ok());
        assert!(schema.fingerprint().starts_with("schema v1"));
        Ok(())
    }

    #[test]
    fn a_missing_required_field_is_a_schema_error() {
        let fields = "version = 1\n[[field]]\nname = \"body\"\nkind = \"text\"\nstored = true\n";
        let err = IndexSchema::parse(
            (Path::new("f.toml"), fields),
            (Path::new("l.toml"), DEFAULT_LEADERS),
            (Path::new("t.toml"), DEFAULT_TOPICS),
        )
        .unwrap_err();
        assert!(err.to_string().contains("required field \"id\""), "{err}");
    }

    #[test]
    fn toml_errors_name_the_line() {
        let err = IndexSchema::parse(
            (Path::new("f.toml"), DEFAULT_FIELDS),
            (Path::new("l.toml"), "[leader.x]\nname = \"X\"\nroles = [ { office = 1 } ]\n"),
            (Path::new("t.toml"), DEFAULT_TOPICS),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("l.toml:3:"), "{err}");
    }
}
