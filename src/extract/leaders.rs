//! Leaders by name: canonical names, aliases and surnames from `leaders.toml`.
//!
//! A name counts only when written with a capital (or anywhere in ALL-CAPS text), so the verb
//! "trump" or the month "may" is not a leader. A surname alone ("Putin") names a leader
//! when `surname_alone` allows it; a surname shared by several leaders names the one whose
//! full name the report also gives, and nobody otherwise.

use std::collections::HashMap;

use tantivy::tokenizer::TextAnalyzer;

use super::Tag;
use super::lexicon::LeaderLexicon;
use super::matcher::PhraseSet;
use crate::Report;
use crate::analysis::{self, Term};

/// Share of upper-case letters above which a text is treated as ALL-CAPS.
const ALL_CAPS_RATIO: f64 = 0.8;

#[derive(Debug, Clone, PartialEq)]
enum Name {
    /// A full name or alias: one leader.
    Full(usize),
    /// A surname alone: the leaders it may name.
    Surname(Vec<usize>),
}

pub(crate) struct LeaderMatcher {
    names: Vec<String>,
    patterns: PhraseSet<Name>,
    /// Analysed alias → leader, for query-side resolution.
    keys: HashMap<Vec<String>, usize>,
}

impl LeaderMatcher {
    pub fn new(lexicon: &LeaderLexicon, analyzer: &mut TextAnalyzer) -> LeaderMatcher {
        let mut key =
            |text: &str| -> Vec<String> { analysis::terms(analyzer, text).into_iter().map(|t| t.text).collect() };
        let mut names = Vec::new();
        let mut patterns = PhraseSet::default();
        let mut keys = HashMap::new();
        let mut surnames: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        for spec in lexicon.leader.values() {
            let i = names.len();
            names.push(spec.name.clone());
            for variant in std::iter::once(&spec.name).chain(&spec.aliases) {
                let terms = key(variant);
                keys.entry(terms.clone()).or_insert(i);
                patterns.insert(terms, Name::Full(i));
            }
            let full = key(&spec.name);
            if spec.surname_alone.unwrap_or(true)
                && full.len() >= 2
                && let Some(last) = full.last()
            {
                surnames.entry(vec![last.clone()]).or_default().push(i);
            }
        }
        for (terms, leaders) in surnames {
            // A surname that is also someone's full alias is already a Full pattern.
            if patterns.exact(&terms).next().is_none() {
                if let [only] = leaders[..] {
                    keys.entry(terms.clone()).or_insert(only);
                }
                patterns.insert(terms, Name::Surname(leaders));
            }
        }
        LeaderMatcher { names, patterns, keys }
    }

    pub fn resolve(&self, key: &[String]) -> Option<&str> {
        self.keys.get(key).map(|&i| self.names[i].as_str())
    }

    pub fn find(&self, _report: &Report, title: (&str, &[Term]), body: (&str, &[Term])) -> Vec<Tag> {
        let mut counts: HashMap<usize, u32> = HashMap::new();
        let mut ambiguous: Vec<Vec<usize>> = Vec::new();
        for (text, terms) in [title, body] {
            let all_caps = is_all_caps(text);
            let capitalised = |first: usize| {
                all_caps
                    || text.get(terms[first].start..).and_then(|s| s.chars().next()).is_some_and(char::is_uppercase)
            };
            for m in self.patterns.find(terms, |first, _, _| capitalised(first)) {
                match m.payload {
                    Name::Full(i) => *counts.entry(*i).or_default() += 1,
                    Name::Surname(leaders) if leaders.len() == 1 => *counts.entry(leaders[0]).or_default() += 1,
                    Name::Surname(leaders) => ambiguous.push(leaders.clone()),
                }
            }
        }
        // A shared surname goes to the one leader of that name the report names in full.
        for leaders in ambiguous {
            let named: Vec<usize> = leaders.iter().copied().filter(|i| counts.contains_key(i)).collect();
            if let [only] = named[..] {
                *counts.entry(only).or_default() += 1;
            }
        }
        let mut tags: Vec<Tag> =
            counts.into_iter().map(|(i, count)| Tag { name: self.names[i].clone(), count }).collect();
        tags.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        tags
    }
}

fn is_all_caps(text: &str) -> bool {
    let (mut upper, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        upper += usize::from(c.is_uppercase());
    }
    letters > 0 && upper as f64 / letters as f64 > ALL_CAPS_RATIO
}
