//! The lexicons of `index_schema/`: `leaders.toml` and `topics.toml`, deserialised with serde.
//!
//! This module only reads and validates the files (dates well formed, names non-empty);
//! turning them into matchers is [`super::Extractor`]'s job. The format of each file is
//! documented in the file itself.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Error;

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

/// Parses a TOML text, turning errors into [`Error::Schema`] with the line.
pub(crate) fn parse_toml<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> crate::Result<T> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text.get(..s.start).unwrap_or("").matches('\n').count() + 1).unwrap_or(0);
        Error::Schema { path: path.to_path_buf(), line, message: e.message().to_string() }
    })
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
