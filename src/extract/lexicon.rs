//! The lexicons of `index_schema/`: `leaders.toml` and `topics.toml`, deserialised with serde.
//!
//! This module reads and validates the files (dates well formed, names non-empty) and keeps
//! the embedded defaults; turning them into matchers is [`super::Extractor`]'s job. The
//! format of each file is documented in the file itself.
//!
//! The embedded lexicons are parsed on first use ([`Lexicon`]), not when the schema is
//! loaded: a search that names no leader, topic, place or organisation and asks for no facets
//! never needs them, and parsing them was most of the start-up time of `attache search`. The
//! index fingerprint is a hash of the files' bytes, so checking an index needs no parsing
//! either. Lexicons read from a directory are parsed at once, so their errors name the file
//! and line before anything else happens.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::Error;
pub(crate) use crate::schema::parse_toml;

/// The embedded `leaders.toml`.
pub(crate) const DEFAULT_LEADERS: &str = include_str!("../../index_schema/leaders.toml");
/// The embedded `topics.toml`.
pub(crate) const DEFAULT_TOPICS: &str = include_str!("../../index_schema/topics.toml");
/// The embedded lexicons as JSON, converted by `build.rs`: what is actually parsed.
const DEFAULT_LEADERS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/leaders.json"));
const DEFAULT_TOPICS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/topics.json"));

/// Contents of `leaders.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderLexicon {
    /// Leaders by key (`putin`, `zelenskyy`).
    #[serde(default)]
    pub leader: BTreeMap<String, LeaderSpec>,
}

/// One leader of `leaders.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderSpec {
    /// Canonical full name.
    pub name: String,
    /// Other spellings and transliterations.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Country served.
    #[serde(default)]
    pub country: Option<String>,
    /// Offices held.
    #[serde(default)]
    pub roles: Vec<RoleSpec>,
    /// Whether the last word of `name` alone names this leader (default true).
    #[serde(default)]
    pub surname_alone: Option<bool>,
}

/// One office held by a leader.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleSpec {
    /// The office: "President", "Prime Minister", "Foreign Minister"…
    pub office: String,
    /// Country or organisation of the office.
    pub country: String,
    /// First day in office, `YYYY-MM-DD`.
    pub from: String,
    /// Last day in office, `YYYY-MM-DD`; absent while in office.
    #[serde(default)]
    pub to: Option<String>,
    /// Extra names of the office ("Kremlin leader").
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Whether this office is the country's paramount one, which a bare "Iranian leader"
    /// names (Iran's Supreme Leader, Britain's Prime Minister). Set on one role of the office
    /// is enough; without it anywhere in a country, its President is.
    #[serde(default)]
    pub paramount: bool,
}

/// Contents of `topics.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicLexicon {
    /// Topics by key (`iran`, `weapons`).
    #[serde(default)]
    pub topic: BTreeMap<String, TopicSpec>,
}

/// What a topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicKind {
    /// A country or region; also fills the `place` field.
    Place,
    /// An organisation; also fills the `org` field.
    Org,
    /// A theme such as sanctions or weapons.
    Theme,
}

/// One topic of `topics.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    /// Canonical name.
    pub name: String,
    /// Place, organisation or theme.
    pub kind: TopicKind,
    /// Trigger words and phrases.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Demonyms (places).
    #[serde(default)]
    pub demonyms: Vec<String>,
    /// Capitals and metonyms (places).
    #[serde(default)]
    pub capitals: Vec<String>,
    /// Mentions needed for an article to be about the topic.
    #[serde(default)]
    pub min_mentions: Option<u32>,
    /// Names used only in datelines (places): wire-style abbreviations such as "Calif."
    /// that would be noise in running text.
    #[serde(default)]
    pub dateline_names: Vec<String>,
    /// Last day a historical place existed, `YYYY-MM-DD` ("1991-12-25" for the Soviet Union).
    #[serde(default)]
    pub until: Option<String>,
    /// Triggers of other topics that name this place in reports dated up to `until`
    /// ("Moscow" and "Kremlin" for the Soviet Union).
    #[serde(default)]
    pub inherits: Vec<String>,
}

impl TopicSpec {
    /// Every trigger: terms, demonyms and capitals.
    pub fn triggers(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().chain(&self.demonyms).chain(&self.capitals).map(String::as_str)
    }
}

fn schema_error(path: &Path, text: &str, needle: &str, message: String) -> Error {
    let line = text.find(needle).map(|i| text[..i].matches('\n').count() + 1).unwrap_or(0);
    Error::Schema { path: path.to_path_buf(), line, message }
}

/// The lexicon of the TOML `text` read from its JSON form `json` (`build.rs` converts the
/// embedded lexicons, and JSON parses several times faster), then checked against `text` by
/// `check` as a parse of `text` would be. Parsed from `text` if `json` does not parse.
pub(crate) fn from_json<T: for<'de> Deserialize<'de>>(
    path: &Path,
    text: &str,
    json: &str,
    check: fn(T, &Path, &str) -> crate::Result<T>,
) -> crate::Result<T> {
    match serde_json::from_str(json) {
        Ok(lexicon) => check(lexicon, path, text),
        Err(_) => check(parse_toml(path, text)?, path, text),
    }
}

/// A lexicon of an [`crate::IndexSchema`]: dereferences to the parsed file. The embedded defaults
/// are parsed on first use (they are part of the build and tested to parse); files read with
/// [`crate::IndexSchema::from_dir`] are parsed, and their errors reported, when the schema is read.
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
pub(crate) trait Parse: Sized + Default {
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
        from_json(path, text, json, LeaderLexicon::check)
    }
}

impl Parse for TopicLexicon {
    const EMBEDDED: (&'static str, &'static str) = (DEFAULT_TOPICS, DEFAULT_TOPICS_JSON);

    fn parse_toml(path: &Path, text: &str) -> crate::Result<Self> {
        TopicLexicon::parse(path, text)
    }

    fn from_json(path: &Path, text: &str, json: &str) -> crate::Result<Self> {
        from_json(path, text, json, TopicLexicon::check)
    }
}

impl<T> Lexicon<T> {
    pub(crate) fn parsed(value: T) -> Lexicon<T> {
        Lexicon { parsed: OnceLock::from(value), embedded: None }
    }

    pub(crate) fn embedded(path: &'static str, text: &'static str) -> Lexicon<T> {
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

impl LeaderLexicon {
    pub(crate) fn parse(path: &Path, text: &str) -> crate::Result<LeaderLexicon> {
        LeaderLexicon::check(parse_toml(path, text)?, path, text)
    }

    /// Checks what serde cannot (dates well formed, names non-empty); errors name the line
    /// of `text`, the file `lexicon` was read from.
    pub(crate) fn check(lexicon: LeaderLexicon, path: &Path, text: &str) -> crate::Result<LeaderLexicon> {
        for (key, leader) in &lexicon.leader {
            // Where the error is, written only when there is one: the lexicon has thousands.
            let at = || format!("[leader.{key}]");
            if leader.name.trim().is_empty() {
                return Err(schema_error(path, text, &at(), format!("leader {key} has an empty name")));
            }
            for role in &leader.roles {
                for day in std::iter::once(&role.from).chain(&role.to) {
                    if !crate::date::is_iso_day(day) {
                        return Err(schema_error(
                            path,
                            text,
                            &at(),
                            format!("leader {key}: {day:?} is not a YYYY-MM-DD date"),
                        ));
                    }
                }
            }
        }
        Ok(lexicon)
    }
}

impl TopicLexicon {
    pub(crate) fn parse(path: &Path, text: &str) -> crate::Result<TopicLexicon> {
        TopicLexicon::check(parse_toml(path, text)?, path, text)
    }

    /// Checks what serde cannot (a name and a trigger, dates well formed); errors name the
    /// line of `text`, the file `lexicon` was read from.
    pub(crate) fn check(lexicon: TopicLexicon, path: &Path, text: &str) -> crate::Result<TopicLexicon> {
        for (key, topic) in &lexicon.topic {
            let at = || format!("[topic.{key}]");
            if topic.name.trim().is_empty() || topic.triggers().next().is_none() {
                return Err(schema_error(path, text, &at(), format!("topic {key} needs a name and at least one term")));
            }
            if let Some(day) = &topic.until
                && !crate::date::is_iso_day(day)
            {
                return Err(schema_error(path, text, &at(), format!("topic {key}: {day:?} is not a YYYY-MM-DD date")));
            }
            if !topic.inherits.is_empty() && topic.until.is_none() {
                return Err(schema_error(path, text, &at(), format!("topic {key}: `inherits` needs an `until` date")));
            }
        }
        Ok(lexicon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexSchema;

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
}
