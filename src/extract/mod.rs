//! Extract: from a [`Report`] to its [`Entities`] — the leaders it names and the topics,
//! places and organisations it is about.
//!
//! Driven entirely by the lexicons of `index_schema/` ([`lexicon`]). Matching runs on the
//! same analysed terms as the index ([`crate::analysis`]), so spelling variants that the
//! analyzer folds (Erdoğan/Erdogan, deliveries/delivery) need no extra aliases. Leaders are
//! matched in `leaders` — lexicon names, people introduced by a role (`discovery`) and
//! offices resolved to their holder at the report's date (`roles`) — and topics in `topics`.
//! [`eval`] scores the result against editors' labels. Everyone else named — people,
//! whatever their office — comes from the trained name [`tagger`], one entry a person per
//! report (`people`); a person it finds under a leader's name or alias is that leader.
//! Nothing is downloaded or learned at run time.

/// What extraction writes for the same text and lexicons: raised whenever a change to the
/// code or the tagger's model changes the leaders, people, topics or story signatures it
/// finds (a unit test hashes both, and fails until it is raised). A file indexed by another
/// version is extracted again on the next run, though the file itself did not change (its
/// signature carries the version: see [`crate::Indexer`]).
pub const EXTRACTION_VERSION: u32 = 1;

mod discovery;
pub mod eval;
mod leaders;
pub mod lexicon;
pub(crate) mod matcher;
mod people;
mod roles;
pub mod tagger;
mod topics;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, Tagged, Tagger, TaggingAnalyzer, TermBuffer};
use crate::{IndexSchema, Report};
pub use lexicon::TopicKind;

/// A named entity found in a report, with how often it is mentioned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// Canonical name.
    pub name: String,
    /// Mentions in title and body.
    pub count: u32,
    /// How strongly the report is about this entity, in `0.0..=1.0`: mentions weighted by
    /// where they are (title, lead) and by how specific the trigger is; for ranking and facets.
    /// Absent in data written before weights existed, and then read as 0.
    #[serde(default)]
    pub weight: f32,
}

impl Tag {
    /// A tag with `count` mentions and a weight that grows with them (1 mention ≈ 0.4).
    pub fn new(name: impl Into<String>, count: u32) -> Tag {
        Tag { name: name.into(), count, weight: saturate(count as f32) }
    }
}

/// Maps a non-negative evidence score to `0.0..1.0`: 1 → 0.39, 2 → 0.63, 4 → 0.86.
pub(crate) fn saturate(score: f32) -> f32 {
    1.0 - (-score / 2.0).exp()
}

/// The tagger numbering terms with `vocab` ([`Extractor::tagging_analyzer`]), and marking
/// those a topic trigger can start with ([`analysis::TAG_OPENS`]).
fn tagger(vocab: &Arc<matcher::Vocab>, topics: &Arc<topics::TopicMatcher>) -> Tagger {
    let (vocab, topics) = (Arc::clone(vocab), Arc::clone(topics));
    Arc::new(move |stem: &str| {
        let id = vocab.get(stem);
        if topics.opens(id) { id | analysis::TAG_OPENS } else { id }
    })
}

/// What the extractor found in a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entities {
    /// Leaders named in the report, most mentioned first.
    pub leaders: Vec<Tag>,
    /// Topics (places, organisations and themes) the report is about, strongest first.
    pub topics: Vec<Tag>,
    /// Every place (country or region) the report names, even once: a place is a fact, a
    /// topic a judgement, so `places` may hold names that `topics` leaves out.
    pub places: Vec<Tag>,
    /// Every organisation the report names, even once.
    pub orgs: Vec<Tag>,
    /// Every person the report names (the name tagger's), one entry a person under the
    /// longest form the report writes, or the leader's canonical name; most mentioned first.
    #[serde(default)]
    pub people: Vec<Tag>,
}

/// Finds leaders and topics in reports. Cheap to clone; give each thread its own.
#[derive(Clone)]
pub struct Extractor {
    leaders: Arc<leaders::LeaderMatcher>,
    topics: Arc<topics::TopicMatcher>,
    /// Every term the matchers use, numbered: a report's terms are looked up here once.
    vocab: Arc<matcher::Vocab>,
    /// For query-side keys.
    analyzer: TextAnalyzer,
    /// For [`Extractor::extract`]: analyses and numbers the terms in one pass.
    tagging: TaggingAnalyzer,
    title_terms: TermBuffer,
    body_terms: TermBuffer,
    /// Finds the people.
    names: tagger::NameTagger,
    /// Reused for each report's names.
    spans: Vec<tagger::Span>,
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor").finish_non_exhaustive()
    }
}

impl Extractor {
    /// Builds the matchers from the schema's lexicons.
    pub fn new(schema: &IndexSchema) -> Extractor {
        let mut keys = matcher::Keys::new(analysis::analyzer());
        let leaders = leaders::LeaderMatcher::new(&schema.leaders, &schema.topics, &mut keys);
        let topics = topics::TopicMatcher::new(&schema.topics, &mut keys);
        let (analyzer, vocab) = keys.finish();
        let (vocab, topics) = (Arc::new(vocab), Arc::new(topics));
        Extractor {
            leaders: Arc::new(leaders),
            tagging: TaggingAnalyzer::new(tagger(&vocab, &topics)),
            topics,
            vocab,
            analyzer,
            title_terms: TermBuffer::default(),
            body_terms: TermBuffer::default(),
            names: tagger::NameTagger::new(schema),
            spans: Vec::new(),
        }
    }

    /// An analyzer that numbers each term with this extractor's vocabulary as it analyses
    /// ([`Extractor::extract_terms`] takes the numbers): the number is cached with the
    /// term's stem, so the words a text shares with earlier ones cost no lookup.
    pub(crate) fn tagging_analyzer(&self) -> TaggingAnalyzer {
        TaggingAnalyzer::new(self.tagger())
    }

    /// The tagger of [`Extractor::tagging_analyzer`], for [`TermBuffer::retag`].
    pub(crate) fn tagger(&self) -> Tagger {
        tagger(&self.vocab, &self.topics)
    }

    /// Extracts the entities of `report` (title and body).
    pub fn extract(&mut self, report: &Report) -> Entities {
        let title = report.title.as_deref().unwrap_or("");
        // The buffers are taken out while their terms are lent to `extract_terms` (`&self`).
        let (mut title_buf, mut body_buf) =
            (std::mem::take(&mut self.title_terms), std::mem::take(&mut self.body_terms));
        let title_terms = title_buf.analyse_tagged(&mut self.tagging, title);
        let body_terms = body_buf.analyse_tagged(&mut self.tagging, &report.body);
        let entities = self.extract_terms(report, (title, title_terms), (&report.body, body_terms));
        (self.title_terms, self.body_terms) = (title_buf, body_buf);
        entities
    }

    /// Extracts from already analysed title and body, each given as its text and what a
    /// [`Extractor::tagging_analyzer`] made of it.
    pub(crate) fn extract_terms(
        &mut self,
        report: &Report,
        title: (&str, Tagged<'_>),
        body: (&str, Tagged<'_>),
    ) -> Entities {
        let (title_ids, body_ids) = ((title.1.tags, Some(title.1.opening)), (body.1.tags, Some(body.1.opening)));
        let (title_text, body_text) = (title.0, body.0);
        let in_title = self.tag_names(title_text, body_text);
        let mut leaders = self.leaders.find(report, title, body, Some(&self.spans[in_title..]));
        // A dateline the body opens with is counted there, as a mention in the lead.
        let dateline = report.dateline.as_deref().filter(|d| !report.body.trim_start().starts_with(d));
        let found = self.topics.find(title_ids, body_ids, dateline, report.date.as_deref());
        let named = |kind: TopicKind| -> Vec<Tag> {
            found.iter().filter(|(k, _, _)| *k == kind).map(|(_, t, _)| t.clone()).collect()
        };
        let (places, orgs) = (named(TopicKind::Place), named(TopicKind::Org));
        let topics = found.iter().filter(|(_, _, is_about)| *is_about).map(|(_, t, _)| t.clone()).collect();
        let people = self.people(report, title_text, body_text, in_title, &mut leaders);
        Entities { leaders, places, orgs, topics, people }
    }

    /// Tags the names of the title and the body into `self.spans`, the title's first;
    /// returns how many are the title's.
    fn tag_names(&mut self, title: &str, body: &str) -> usize {
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        // A Title-Case headline says nothing by its capitals (the model learnt from capitals
        // headlines and sentence case); its people are named again in the body.
        if !people::is_title_case(title) || leaders::is_all_caps(title) {
            self.names.tag_into(title, &mut spans);
        }
        let in_title = spans.len();
        self.names.tag_into(body, &mut spans);
        self.spans = spans;
        in_title
    }

    /// The people among the names tagged in the title and body ([`Extractor::tag_names`],
    /// the first `in_title` of them the title's). One whose name or alias is a leader's takes
    /// the leader's canonical name; a full name (two words or more) of a leader the lexicon
    /// matching missed is added to `leaders` too.
    fn people(
        &mut self,
        report: &Report,
        title: &str,
        body: &str,
        in_title: usize,
        leaders: &mut Vec<Tag>,
    ) -> Vec<Tag> {
        let spans = std::mem::take(&mut self.spans);
        let mentions =
            spans.iter().enumerate().filter(|(_, s)| s.kind == tagger::EntityKind::Person).filter_map(|(i, s)| {
                let text = if i < in_title { title } else { body };
                text.get(s.start..s.end)
            });
        let found = people::people(mentions, !leaders::is_all_caps(body));
        self.spans = spans;
        let year = report.date.as_deref().and_then(|d| d.get(..4)?.parse::<i32>().ok());
        let mut tags: Vec<Tag> = Vec::with_capacity(found.len());
        let mut fed = false;
        for person in found {
            let key = self.key(&person.name);
            let name = match self.leaders.resolve_person(&self.vocab, &key, year) {
                Some(leader) if leaders.iter().any(|l| l.name == leader) => leader.to_string(),
                Some(leader) if key.len() >= 2 => {
                    leaders.push(Tag::new(leader, person.count));
                    fed = true;
                    leader.to_string()
                }
                _ => person.name,
            };
            match tags.iter_mut().find(|t| t.name == name) {
                Some(tag) => *tag = Tag::new(name, tag.count + person.count),
                None => tags.push(Tag::new(name, person.count)),
            }
        }
        if fed {
            leaders.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        }
        tags.sort_by_key(|t| std::cmp::Reverse(t.count));
        tags
    }

    /// The canonical name of a leader written any known way (`zelensky` → "Volodymyr
    /// Zelenskyy"), case-insensitive.
    pub fn resolve_leader(&mut self, text: &str) -> Option<String> {
        let key = self.key(text);
        self.leaders.resolve(&self.vocab, &key).map(str::to_string)
    }

    /// The canonical name of a topic written by its name or any trigger (`tehran` → "Iran"),
    /// optionally only of one kind.
    pub fn resolve_topic(&mut self, text: &str, kind: Option<TopicKind>) -> Option<String> {
        let key = self.key(text);
        self.topics.resolve(&self.vocab, &key, kind).map(str::to_string)
    }

    fn key(&mut self, text: &str) -> Vec<String> {
        analysis::terms(&mut self.analyzer, text).into_iter().map(|t| t.text).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor() -> Extractor {
        Extractor::new(&IndexSchema::embedded().unwrap())
    }

    fn names(tags: &[Tag]) -> Vec<&str> {
        tags.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn aliases_resolve_to_canonical_names() {
        let mut ex = extractor();
        assert_eq!(ex.resolve_leader("zelensky").as_deref(), Some("Volodymyr Zelenskyy"));
        assert_eq!(ex.resolve_leader("PUTIN").as_deref(), Some("Vladimir Putin"));
        assert_eq!(ex.resolve_leader("nobody at all"), None);
        assert_eq!(ex.resolve_topic("tehran", None).as_deref(), Some("Iran"));
        assert_eq!(ex.resolve_topic("weapons", None).as_deref(), Some("Weapons"));
    }

    #[test]
    fn leaders_in_text_case_matters() {
        let mut ex = extractor();
        let r = Report::new("a", "President Trump called Vladimir Putin. Trump said the putin thing.");
        let e = ex.extract(&r);
        assert_eq!(names(&e.leaders), ["Donald Trump", "Vladimir Putin"]);
        assert_eq!(e.leaders[0].count, 2);
        assert_eq!(e.leaders[1].count, 1);
    }

    #[test]
    fn all_caps_text_still_finds_names() {
        let mut ex = extractor();
        let e = ex.extract(&Report::new("a", "PRESIDENT PUTIN SPOKE TO ZELENSKY."));
        assert_eq!(names(&e.leaders), ["Vladimir Putin", "Volodymyr Zelenskyy"]);
    }

    #[test]
    fn one_passing_mention_is_not_a_topic_but_a_title_mention_is() {
        let mut ex = extractor();
        let e = ex.extract(&Report::new("a", "Talks covered trade. Iran came up once."));
        assert!(names(&e.topics).is_empty(), "{:?}", e.topics);
        let e = ex.extract(&Report::new("a", "Iran came up once.").title("Iran talks"));
        assert_eq!(names(&e.topics), ["Iran"]);
        assert_eq!(names(&e.places), ["Iran"]);
    }

    #[test]
    fn a_club_the_tagger_reads_as_an_organisation_is_not_a_leader() {
        let mut ex = extractor();
        let r = Report::new(
            "a",
            "Manchester United winger Luis Salgado said he expects to sign a new contract at Old Trafford soon. The \
             Spanish forward, who arrived in 2003, is a regular in the United side. \"The United board have made me \
             an offer,\" he said.",
        );
        let e = ex.extract(&r);
        assert!(!names(&e.leaders).contains(&"Manchester United"), "{:?}", e.leaders);
        // A name the tagger misses keeps discovery's reading.
        let r = Report::new("a", "The letter went to U.S.\nTrade Representative Clayton Yeutter on Monday.");
        assert_eq!(names(&ex.extract(&r).leaders), ["Clayton Yeutter"]);
    }

    /// A guard on [`EXTRACTION_VERSION`]: what extraction finds in a few texts, with the
    /// tagger's model, hashed. When this fails, extraction's output changed. Raise
    /// `EXTRACTION_VERSION` if the code or the model changed it (indexes then extract their
    /// files again), then write the new hash here; a change of `index_schema/` alone needs
    /// no raise (the index's fingerprint has the lexicons).
    #[test]
    fn a_change_of_extraction_raises_its_version() {
        let mut ex = extractor();
        let reports = [
            Report::new("a", "President Vladimir Putin spoke to Donald Trump about Iran and Ukraine on Tuesday.")
                .date("2025-08-12"),
            Report::new(
                "b",
                "Finance Minister Barend du Plessis said on Monday that the rand would hold. Du Plessis left.",
            )
            .date("1987-03-02"),
            Report::new("c", "The British prime minister met NATO Secretary-General Mark Rutte in The Hague."),
            Report::new("d", "Manchester United winger Luis Salgado said the United board had made him an offer."),
            Report::new(
                "e",
                "Ursula von der Leyen and Brian O'Driscoll were named; so was Kaja Kallas, the EU's envoy.",
            )
            .title("Names of every kind"),
        ];
        // Names and counts: weights are floats, whose last bits may differ between machines.
        let mut found = String::new();
        for r in &reports {
            let e = ex.extract(r);
            for tags in [&e.leaders, &e.topics, &e.places, &e.orgs, &e.people] {
                found.extend(tags.iter().map(|t| format!("{}:{};", t.name, t.count)));
                found.push('|');
            }
        }
        let fingerprint = format!(
            "{:016x}-{:016x}",
            crate::hash::fnv1a(found.as_bytes()),
            crate::hash::fnv1a(tagger::EMBEDDED_MODEL)
        );
        assert_eq!(
            (EXTRACTION_VERSION, fingerprint.as_str()),
            (1, "d155baf11e5e5dcd-7ec6e153a4196a24"),
            "extraction's output changed"
        );
    }

    #[test]
    fn us_in_all_caps_text_is_the_united_states() {
        let mut ex = extractor();
        let e = ex.extract(&Report::new("a", "THE U.S. AND AMERICAN OFFICIALS MET IN WASHINGTON."));
        assert_eq!(names(&e.places), ["United States"]);
        assert_eq!(e.places[0].count, 3);
    }

    #[test]
    fn a_dateline_names_a_place_once() {
        let mut ex = extractor();
        let r = Report::new("a", "Talks went on.").dateline("MOSCOW, July 3");
        let e = ex.extract(&r);
        assert_eq!(names(&e.places), ["Russia"]);
        assert_eq!(e.places[0].count, 1);
        // In the body it is counted once, as the body's first word.
        let r = Report::new("a", "MOSCOW, July 3 (Reuters) - Talks went on.").dateline("MOSCOW");
        assert_eq!(ex.extract(&r).places[0].count, 1);
    }
}
