//! Topics: places, organisations and themes from `topics.toml`.
//!
//! Every trigger (term, demonym, capital) is matched on analysed terms, so "sanctions",
//! "sanctioned" and "sanction" are one trigger. A report is *about* a topic when the topic's
//! triggers occur at least `min_mentions` times (default [`DEFAULT_MIN_MENTIONS`]) in title and
//! body, or once in the title: one passing mention in the body does not tag it.

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use super::Tag;
use super::lexicon::{TopicKind, TopicLexicon};
use super::matcher::PhraseSet;
use crate::analysis::{self, Term};

/// Mentions that make a report about a topic, unless the topic sets its own.
pub const DEFAULT_MIN_MENTIONS: u32 = 2;

struct Topic {
    name: String,
    kind: TopicKind,
    min_mentions: u32,
}

pub(crate) struct TopicMatcher {
    topics: Vec<Topic>,
    patterns: PhraseSet<usize>,
}

impl TopicMatcher {
    pub fn new(lexicon: &TopicLexicon, analyzer: &mut TextAnalyzer) -> TopicMatcher {
        let mut topics = Vec::new();
        let mut patterns = PhraseSet::default();
        for spec in lexicon.topic.values() {
            let i = topics.len();
            topics.push(Topic {
                name: spec.name.clone(),
                kind: spec.kind,
                min_mentions: spec.min_mentions.unwrap_or(DEFAULT_MIN_MENTIONS).max(1),
            });
            for trigger in std::iter::once(spec.name.as_str()).chain(spec.triggers()) {
                let terms: Vec<String> = analysis::terms(analyzer, trigger).into_iter().map(|t| t.text).collect();
                patterns.insert(terms, i);
            }
        }
        TopicMatcher { topics, patterns }
    }

    /// The topic a name or trigger denotes, optionally restricted to one kind.
    pub fn resolve(&self, key: &[String], kind: Option<TopicKind>) -> Option<&str> {
        self.patterns
            .exact(key)
            .map(|&i| &self.topics[i])
            .find(|t| kind.is_none_or(|k| t.kind == k))
            .map(|t| t.name.as_str())
    }

    /// Topics the text is about, with their kinds, most mentioned first.
    pub fn find(&self, title: &[Term], body: &[Term]) -> Vec<(TopicKind, Tag)> {
        let mut counts: HashMap<usize, (u32, bool)> = HashMap::new();
        for m in self.patterns.find(title, |_, _, _| true) {
            let c = counts.entry(*m.payload).or_default();
            c.0 += 1;
            c.1 = true;
        }
        for m in self.patterns.find(body, |_, _, _| true) {
            counts.entry(*m.payload).or_default().0 += 1;
        }
        let mut tags: Vec<(TopicKind, Tag)> = counts
            .into_iter()
            .filter(|&(i, (count, in_title))| in_title || count >= self.topics[i].min_mentions)
            .map(|(i, (count, _))| (self.topics[i].kind, Tag { name: self.topics[i].name.clone(), count }))
            .collect();
        tags.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.1.name.cmp(&b.1.name)));
        tags
    }
}
