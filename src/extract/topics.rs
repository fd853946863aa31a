//! Topics: places, organisations and themes from `topics.toml`.
//!
//! Every trigger (term, demonym, capital) is matched on analysed terms, so "sanctions",
//! "sanctioned" and "sanction" are one trigger. A report is *about* a topic when the evidence
//! for it reaches the topic's `min_mentions` (default [`DEFAULT_MIN_MENTIONS`]); one passing
//! mention in the body does not tag it. Evidence is a sum over mentions:
//! - a single-word trigger counts 1;
//! - a phrase trigger ("weapons shipments", "arms deliveries") counts [`PHRASE_WEIGHT`]: a
//!   specific phrase is stronger evidence than a common word, so one such phrase in a story
//!   about the war is enough, where one "missile" is not;
//! - any mention in the title tags the topic outright (the title says what a story is about);
//! - a mention in the lead (the first [`LEAD_TERMS`] terms) counts half as much again;
//! - a dateline ([`Report::dateline`](crate::Report)) that names a place by its name, a term
//!   or a capital (`MOSCOW` → Russia, `WASHINGTON` → United States) is a mention of
//!   [`DATELINE_WEIGHT`]: where a story was filed says something, not much, about what it is
//!   about. A dateline the body opens with is already counted there.
//!
//! The evidence also gives each topic its [`Tag::weight`] (see [`super::saturate`]), so
//! ranking and facets can tell a story about Iran from one that mentions Iran twice.

use super::Tag;
use super::lexicon::{TopicKind, TopicLexicon};
use super::matcher::{FxHashMap, Keys, PhraseSet, Vocab};

/// Mentions that make a report about a topic, unless the topic sets its own.
pub const DEFAULT_MIN_MENTIONS: u32 = 2;

/// Evidence of one mention of a phrase trigger (two or more words).
pub const PHRASE_WEIGHT: f32 = 2.0;

/// Terms at the start of the body that make its lead, where mentions weigh more.
pub const LEAD_TERMS: usize = 60;

/// Extra evidence of a mention in the lead, as a share of its own.
const LEAD_BONUS: f32 = 0.5;

/// Evidence of a title mention, on top of tagging the topic.
const TITLE_WEIGHT: f32 = 3.0;

/// Evidence of a place named by the report's dateline.
pub const DATELINE_WEIGHT: f32 = 1.0;

/// Most words of a place name looked up in a dateline ("Rio de Janeiro").
const MAX_DATELINE_WORDS: usize = 4;

struct Topic {
    name: String,
    kind: TopicKind,
    min_mentions: u32,
}

/// What a trigger names: its topic, or a historical place in reports dated up to a day.
#[derive(Debug, Clone, PartialEq)]
struct Trigger {
    topic: usize,
    /// (historical place, its last day `YYYY-MM-DD`): "Moscow" in a 1987 report.
    era: Option<(usize, Box<str>)>,
}

impl Trigger {
    /// The topic this trigger names in a report of `date`; undated reports get today's.
    fn topic(&self, date: Option<&str>) -> usize {
        match (&self.era, date) {
            (Some((then, until)), Some(d)) if d <= &**until => *then,
            _ => self.topic,
        }
    }
}

pub(crate) struct TopicMatcher {
    topics: Vec<Topic>,
    patterns: PhraseSet<Trigger>,
    /// Places by name, term or capital, as [`dateline_key`] writes them: datelines are
    /// names, not prose, so they are looked up whole rather than analysed.
    dateline_places: FxHashMap<String, Trigger>,
}

/// A place name as a dateline lookup key: lower case, words split at anything that is not a
/// letter or digit, joined by one space (`"NEW YORK"`, `"New York"` → `"new york"`).
fn dateline_key<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut key = String::new();
    for w in words {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(w.chars().flat_map(char::to_lowercase));
    }
    key
}

fn dateline_words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

impl TopicMatcher {
    pub fn new<'a>(lexicon: &'a TopicLexicon, keys: &mut Keys<'a>) -> TopicMatcher {
        // Triggers that name a historical place in old reports ("Moscow" → Soviet Union).
        let mut inherited: FxHashMap<Vec<u32>, (usize, Box<str>)> = FxHashMap::default();
        for (i, spec) in lexicon.topic.values().enumerate() {
            if let Some(until) = &spec.until {
                for trigger in &spec.inherits {
                    inherited.insert(keys.ids(trigger), (i, until.as_str().into()));
                }
            }
        }
        let mut topics = Vec::new();
        let mut patterns = PhraseSet::default();
        let mut dateline_places = FxHashMap::default();
        for spec in lexicon.topic.values() {
            let i = topics.len();
            topics.push(Topic {
                name: spec.name.clone(),
                kind: spec.kind,
                min_mentions: spec.min_mentions.unwrap_or(DEFAULT_MIN_MENTIONS).max(1),
            });
            let is_name = |t: &str| spec.demonyms.iter().all(|d| d != t);
            for trigger in std::iter::once(spec.name.as_str()).chain(spec.triggers()) {
                let ids = keys.ids(trigger);
                let era = inherited.get(&ids).filter(|(then, _)| *then != i).cloned();
                let payload = Trigger { topic: i, era };
                if spec.kind == TopicKind::Place && is_name(trigger) {
                    dateline_places.entry(dateline_key(dateline_words(trigger))).or_insert_with(|| payload.clone());
                }
                patterns.insert(&ids, payload);
            }
            for name in &spec.dateline_names {
                let payload = Trigger { topic: i, era: None };
                dateline_places.entry(dateline_key(dateline_words(name))).or_insert(payload);
            }
        }
        TopicMatcher { topics, patterns, dateline_places }
    }

    /// The topic a name or trigger denotes, optionally restricted to one kind.
    pub fn resolve(&self, vocab: &Vocab, key: &[String], kind: Option<TopicKind>) -> Option<&str> {
        self.patterns
            .exact(&vocab.get_all(key)?)
            .map(|t| &self.topics[t.topic])
            .find(|t| kind.is_none_or(|k| t.kind == k))
            .map(|t| t.name.as_str())
    }

    /// The places a dateline names ("WASHINGTON/MOSCOW" → two), longest names first.
    fn dateline_places(&self, dateline: &str, date: Option<&str>) -> Vec<usize> {
        let words = dateline_words(dateline);
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let longest = (1..=MAX_DATELINE_WORDS.min(words.len() - i)).rev().find_map(|len| {
                self.dateline_places.get(&dateline_key(words[i..i + len].iter().copied())).map(|t| (t.topic(date), len))
            });
            match longest {
                Some((t, len)) => {
                    if !out.contains(&t) {
                        out.push(t);
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
        out
    }

    /// Whether some trigger starts with term `id`.
    pub fn opens(&self, id: u32) -> bool {
        self.patterns.opens(id)
    }

    /// Topics the text is about, with their kinds, most mentioned first.
    ///
    /// The `bool` says whether the report is *about* the topic (it passed the threshold);
    /// topics merely mentioned come back too, with `false`, because a place or organisation
    /// the report names is a fact worth keeping even when it is not the subject.
    ///
    /// `title` and `body` are term ids, each with the indices of the terms that
    /// [open](TopicMatcher::opens) a trigger when the analyzer noted them (else every term
    /// is tried).
    pub fn find(
        &self,
        title: (&[u32], Option<&[usize]>),
        body: (&[u32], Option<&[usize]>),
        dateline: Option<&str>,
        date: Option<&str>,
    ) -> Vec<(TopicKind, Tag, bool)> {
        // (topic, mentions, evidence, in title) for each topic met: a report meets a few of
        // the lexicon's hundreds, so a short list searched in place beats a zeroed row per
        // topic (a 2.8 KB allocation per report).
        let mut found: Vec<(usize, u32, f32, bool)> = Vec::new();
        fn entry(found: &mut Vec<(usize, u32, f32, bool)>, topic: usize) -> &mut (usize, u32, f32, bool) {
            let at = match found.iter().position(|f| f.0 == topic) {
                Some(at) => at,
                None => {
                    found.push((topic, 0, 0.0, false));
                    found.len() - 1
                }
            };
            &mut found[at]
        }
        for i in dateline.map(|d| self.dateline_places(d, date)).unwrap_or_default() {
            let c = entry(&mut found, i);
            c.1 += 1;
            c.2 += DATELINE_WEIGHT;
        }
        for m in self.patterns.find(title.0, title.1, |_, _, _| true) {
            let c = entry(&mut found, m.payload.topic(date));
            c.1 += 1;
            c.2 += TITLE_WEIGHT;
            c.3 = true;
        }
        for m in self.patterns.find(body.0, body.1, |_, _, _| true) {
            let c = entry(&mut found, m.payload.topic(date));
            let mut evidence = if m.len > 1 { PHRASE_WEIGHT } else { 1.0 };
            if m.first < LEAD_TERMS {
                evidence *= 1.0 + LEAD_BONUS;
            }
            c.1 += 1;
            c.2 += evidence;
        }
        let mut tags: Vec<(TopicKind, Tag, bool)> = found
            .into_iter()
            .map(|(i, count, evidence, in_title)| {
                let topic = &self.topics[i];
                let is_about = in_title || evidence >= topic.min_mentions as f32;
                let weight = super::saturate(evidence / topic.min_mentions as f32 * 2.0);
                (topic.kind, Tag { name: topic.name.clone(), count, weight }, is_about)
            })
            .collect();
        tags.sort_by(|a, b| {
            b.1.weight
                .total_cmp(&a.1.weight)
                .then_with(|| b.1.count.cmp(&a.1.count))
                .then_with(|| a.1.name.cmp(&b.1.name))
        });
        tags
    }
}

#[cfg(test)]
mod tests {
    //! Topic thresholds: counts, phrases, title and lead.
    use super::*;
    use crate::IndexSchema;
    use crate::analysis::{self, analyzer};

    /// The embedded topics' matcher, and `title` and `body` as its term ids.
    fn matcher(title: &str, body: &str) -> (TopicMatcher, Vec<u32>, Vec<u32>) {
        let schema = IndexSchema::embedded().unwrap();
        let mut keys = Keys::new(analyzer());
        let m = TopicMatcher::new(&schema.topics, &mut keys);
        let (mut a, vocab) = keys.finish();
        let (t, b) = (vocab.ids(&analysis::terms(&mut a, title)), vocab.ids(&analysis::terms(&mut a, body)));
        (m, t, b)
    }

    fn topics(title: &str, body: &str) -> Vec<String> {
        let (m, t, b) = matcher(title, body);
        m.find((&t, None), (&b, None), None, None)
            .into_iter()
            .filter(|(_, _, is_about)| *is_about)
            .map(|(_, t, _)| t.name)
            .collect()
    }

    fn filler(n: usize) -> String {
        "The delegates talked for hours about the agenda. ".repeat(n)
    }

    #[test]
    fn one_passing_word_late_in_the_body_is_not_a_topic() {
        assert!(!topics("", &format!("{} A missile was mentioned.", filler(20))).contains(&"Weapons".to_string()));
    }

    #[test]
    fn two_mentions_make_a_topic() {
        let body = format!("{} A missile hit. Another missile followed.", filler(20));
        assert!(topics("", &body).contains(&"Weapons".to_string()));
    }

    #[test]
    fn one_specific_phrase_makes_a_topic() {
        let body = format!("{} The U.S. halted weapons shipments to Ukraine.", filler(20));
        assert!(topics("", &body).contains(&"Weapons".to_string()));
    }

    #[test]
    fn a_title_mention_makes_a_topic() {
        assert!(topics("Missile test", &filler(20)).contains(&"Weapons".to_string()));
    }

    #[test]
    fn armed_forces_and_important_trigger_nothing() {
        let body = "The armed forces said it was important. The armed forces said it was of importance.";
        let found = topics("", body);
        assert!(!found.contains(&"Weapons".to_string()) && !found.contains(&"Trade".to_string()), "{found:?}");
    }

    #[test]
    fn latin_america_is_not_the_united_states() {
        let found = topics("", "Latin America grew. Latin America traded. South America too.");
        assert!(found.contains(&"Latin America".to_string()) && !found.contains(&"United States".to_string()));
    }

    #[test]
    fn a_dateline_city_is_a_place_mention() {
        let (m, _, b) = matcher("", "The talks went on.");
        let places = |dateline| -> Vec<String> {
            m.find((&[], None), (&b, None), Some(dateline), None)
                .into_iter()
                .filter(|(k, _, _)| *k == TopicKind::Place)
                .map(|t| t.1.name)
                .collect()
        };
        assert_eq!(places("MOSCOW"), ["Russia"]);
        assert_eq!(places("Washington"), ["United States"]);
        assert_eq!(places("WASHINGTON/MOSCOW").len(), 2);
        assert_eq!(places("SAN MATEO, Calif."), ["United States"]);
        assert!(places("NOWHERE IN PARTICULAR").is_empty());
        // One dateline mention is a place, not yet a topic.
        let about = m.find((&[], None), (&b, None), Some("MOSCOW"), None).into_iter().filter(|t| t.2).count();
        assert_eq!(about, 0);
    }

    #[test]
    fn a_capital_names_the_historical_place_in_old_reports() {
        let (m, _, b) = matcher("", "Talks in Moscow and Bonn. The German and Soviet delegations met.");
        let places = |date| -> Vec<String> {
            let mut p: Vec<String> =
                m.find((&[], None), (&b, None), None, date).into_iter().map(|t| t.1.name).collect();
            p.sort();
            p
        };
        assert_eq!(places(Some("1987-03-01")), ["Soviet Union", "West Germany"]);
        assert_eq!(places(Some("2025-03-01")), ["Germany", "Russia", "Soviet Union"]);
        assert_eq!(places(None), ["Germany", "Russia", "Soviet Union"]);
        assert_eq!(m.find((&[], None), (&[], None), Some("MOSCOW"), Some("1987-03-01"))[0].1.name, "Soviet Union");
    }

    #[test]
    fn stronger_evidence_ranks_first_with_a_higher_weight() {
        let (m, _, b) = matcher("", "Iran and Iran and Iran. Later, sanctions and sanctions.");
        let tags = m.find((&[], None), (&b, None), None, None);
        assert_eq!(tags[0].1.name, "Iran");
        assert!(tags[0].1.weight > tags[1].1.weight);
    }
}
