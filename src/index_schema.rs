//! `index_schema/` as a whole: the field list ([`crate::schema`]) and the lexicons
//! ([`crate::extract::lexicon`]) an index is built with, and their fingerprint.
//!
//! [`IndexSchema`] bundles `fields.toml`, `leaders.toml` and `topics.toml`. The defaults are
//! embedded in the binary with `include_str!`, so attache works from any directory;
//! [`IndexSchema::from_dir`] reads a user's own copies (`--schema DIR`). A fingerprint of the
//! three files and [`SCHEMA_VERSION`] is stored in every commit of an index, so opening an
//! index built with other lexicons is a clear error instead of silently wrong tags.

use std::path::{Path, PathBuf};

use tantivy::schema::Schema;

use crate::Error;
use crate::extract::lexicon::{DEFAULT_LEADERS, DEFAULT_TOPICS, LeaderLexicon, Lexicon, Parse, TopicLexicon};
use crate::schema::{DEFAULT_FIELDS, FieldSpec, Fields, FieldsSpec, SCHEMA_VERSION};

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
        let fields_spec = FieldsSpec::parse(fields.0, fields.1)?;
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
        Ok(schema)
    }

    /// Identifies this schema and lexicons; stored in every commit of an index.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The spec of the field called `name`.
    pub fn field_spec(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.field_spec(name)
    }

    /// Builds the tantivy schema and resolves the field handles.
    pub(crate) fn build(&self) -> Result<(Schema, Fields), String> {
        self.fields.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
