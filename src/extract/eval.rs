//! Scoring extracted leaders and places against editors' labels.
//!
//! The labels file is shaped like Reuters-21578's: a header line, then
//! `id<TAB>people<TAB>places<TAB>orgs<TAB>topics` with comma-separated, lower-case, hyphenated
//! labels (`james-baker`, `west-germany`). Labels say what a story is *about*, not every name
//! in it, so extraction is scored by **recall** of the labelled people and places; an extra
//! name is not an error, but the mean number of leaders per labelled article is reported so a
//! flood of names cannot buy recall unnoticed.
//!
//! Matching a label (why it is this loose and no looser):
//! - a person label is found when one of the article's leaders has the label's last part as a
//!   word of its name (`baker` in "James Baker"), and also its first part when the article
//!   writes that word (so "Howard Baker" does not count for `james-baker` in a story that
//!   names James, but "Baker" alone counts when the story never gives a first name);
//! - a place label is found when it resolves (through the place topics' names and triggers,
//!   or [`PLACE_CODES`] for the collection's codes such as `usa`) to one of the article's places.
//!
//! Ids match on the part after `#` (`dev.jsonl#reuters-1` ↔ `reuters-1`), or the file stem for
//! one-article files. This module reads the corpus itself (the ingest stage, then the
//! [`Extractor`]); it never touches an index, so it can score a lexicon change in seconds.

pub mod people;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::{Extractor, TopicKind};
use crate::analysis;
use crate::ingest::{self, Format, SourceFile, WalkOptions};
use crate::{Error, IndexSchema, Report};

/// Misses listed in [`EntityScores::misses`] before the rest are only counted.
pub const MAX_LISTED_MISSES: usize = 200;

/// Reuters place codes that are not a place name or trigger of `topics.toml`, mapped to the
/// name they mean there. These are the collection's spelling conventions, not answers.
pub const PLACE_CODES: &[(&str, &str)] = &[
    ("usa", "United States"),
    ("uk", "United Kingdom"),
    ("uae", "United Arab Emirates"),
    ("south-korea", "South Korea"),
    ("north-korea", "North Korea"),
];

/// Extraction quality against a labels file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EntityScores {
    /// Articles scored (in the corpus and in the labels file).
    pub num_articles: usize,
    /// Articles with at least one person label.
    pub num_people_articles: usize,
    /// Person labels over those articles.
    pub num_people: usize,
    /// Person labels found among the extracted leaders.
    pub num_people_found: usize,
    /// `num_people_found / num_people`.
    pub people_recall: f64,
    /// Mean number of extracted leaders per article with a person label.
    pub mean_leaders: f64,
    /// Person labels found among the leaders and the people (the name tagger's) together.
    pub num_people_found_with_people: usize,
    /// `num_people_found_with_people / num_people`.
    pub people_recall_with_people: f64,
    /// Mean number of distinct people among leaders and people per article with a person
    /// label (a person whose surname a leader has counts as that leader).
    pub mean_names: f64,
    /// Mean number of people (the `people` field) per article with a person label.
    pub mean_people: f64,
    /// Articles with at least one place label.
    pub num_places_articles: usize,
    /// Place labels over those articles.
    pub num_places: usize,
    /// Place labels found among the extracted places.
    pub num_places_found: usize,
    /// `num_places_found / num_places`.
    pub places_recall: f64,
    /// Mean number of extracted places per article with a place label.
    pub mean_places: f64,
    /// Label ids that matched no article of the corpus.
    pub num_unmatched_ids: usize,
    /// The person labels missed, most frequent first.
    pub missed_people: Vec<(String, usize)>,
    /// The place labels missed, most frequent first.
    pub missed_places: Vec<(String, usize)>,
    /// Individual misses (up to [`MAX_LISTED_MISSES`]), people first.
    pub misses: Vec<Miss>,
}

/// One label the extractor did not find.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// The article's id.
    pub id: String,
    /// `person` or `place`.
    pub kind: &'static str,
    /// The label.
    pub label: String,
    /// What was extracted instead (leaders or places).
    pub extracted: Vec<String>,
}

impl fmt::Display for EntityScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "articles scored:        {}", self.num_articles)?;
        writeln!(
            f,
            "people recall:          {:.3} ({} of {} labels in {} articles)",
            self.people_recall, self.num_people_found, self.num_people, self.num_people_articles
        )?;
        writeln!(f, "leaders per article:    {:.2} (articles with a person label)", self.mean_leaders)?;
        writeln!(
            f,
            "leaders + people:       recall {:.3} ({} of {}), {:.2} names per article ({:.2} people)",
            self.people_recall_with_people,
            self.num_people_found_with_people,
            self.num_people,
            self.mean_names,
            self.mean_people
        )?;
        writeln!(
            f,
            "places recall:          {:.3} ({} of {} labels in {} articles)",
            self.places_recall, self.num_places_found, self.num_places, self.num_places_articles
        )?;
        writeln!(f, "places per article:     {:.2}", self.mean_places)?;
        if self.num_unmatched_ids > 0 {
            writeln!(f, "label ids not in corpus: {}", self.num_unmatched_ids)?;
        }
        let top = |list: &[(String, usize)]| -> String {
            list.iter().take(25).map(|(l, n)| format!("{l} {n}")).collect::<Vec<_>>().join(", ")
        };
        writeln!(f, "top missed people:      {}", top(&self.missed_people))?;
        writeln!(f, "top missed places:      {}", top(&self.missed_places))?;
        for miss in self.misses.iter().filter(|m| m.kind == "person") {
            writeln!(f, "  miss {} {}: {}", miss.id, miss.label, miss.extracted.join(", "))?;
        }
        Ok(())
    }
}

/// One labelled article.
struct Labels {
    people: Vec<String>,
    places: Vec<String>,
}

/// Scores the embedded lexicons' extraction of `corpus` (a directory, or one file) against
/// `labels` (TSV, see the module docs).
pub fn score_entities(corpus: &Path, labels: &Path) -> crate::Result<EntityScores> {
    score_entities_with(&IndexSchema::embedded()?, corpus, labels)
}

/// [`score_entities`] with the lexicons of `schema`.
pub fn score_entities_with(schema: &IndexSchema, corpus: &Path, labels: &Path) -> crate::Result<EntityScores> {
    let text = std::fs::read_to_string(labels).map_err(|source| Error::Io { path: labels.to_path_buf(), source })?;
    let labelled = parse_labels(&text);
    let reports = read_corpus(corpus)?;
    Ok(score_reports(schema, &reports, &labelled))
}

fn parse_labels(text: &str) -> HashMap<String, Labels> {
    let split = |s: Option<&str>| -> Vec<String> {
        s.unwrap_or("").split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    };
    text.lines()
        .filter(|line| !line.starts_with("id\t") && !line.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let id = cols.next()?.trim().to_string();
            Some((id, Labels { people: split(cols.next()), places: split(cols.next()) }))
        })
        .collect()
}

/// Every report under `corpus` (a directory or one file of a known format).
fn read_corpus(corpus: &Path) -> crate::Result<Vec<Report>> {
    let meta = std::fs::metadata(corpus).map_err(|source| Error::Io { path: corpus.to_path_buf(), source })?;
    let files = if meta.is_dir() {
        ingest::walk(corpus, &WalkOptions::default()).files
    } else {
        let format = Format::of(corpus).unwrap_or(Format::JsonLines);
        let rel = corpus.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        vec![SourceFile { abs: corpus.to_path_buf(), rel, format, size: meta.len(), mtime_ns: 0 }]
    };
    Ok(files.iter().flat_map(|f| ingest::read(f, u64::MAX).reports).collect())
}

/// The label id of a report: the part after `#`, or the file stem.
fn label_id(report: &Report) -> &str {
    match report.id.rsplit_once('#') {
        Some((_, own)) => own,
        None => {
            let name = report.id.rsplit('/').next().unwrap_or(&report.id);
            name.rsplit_once('.').map_or(name, |(stem, _)| stem)
        }
    }
}

fn score_reports(schema: &IndexSchema, reports: &[Report], labelled: &HashMap<String, Labels>) -> EntityScores {
    let mut extractor = Extractor::new(schema);
    let mut analyzer = analysis::analyzer();
    let mut words =
        |text: &str| -> Vec<String> { analysis::terms(&mut analyzer, text).into_iter().map(|t| t.text).collect() };
    let codes: HashMap<&str, &str> = PLACE_CODES.iter().copied().collect();
    let mut s = EntityScores::default();
    let (mut num_leaders, mut num_place_tags, mut num_names, mut num_people) = (0usize, 0usize, 0usize, 0usize);
    let mut missed_people: HashMap<String, usize> = HashMap::new();
    let mut missed_places: HashMap<String, usize> = HashMap::new();
    let mut person_misses = Vec::new();
    let mut place_misses = Vec::new();
    let mut seen = HashSet::new();
    for report in reports {
        let id = label_id(report);
        let Some(labels) = labelled.get(id) else { continue };
        seen.insert(id.to_string());
        s.num_articles += 1;
        let entities = extractor.extract(report);
        if !labels.people.is_empty() {
            s.num_people_articles += 1;
            num_leaders += entities.leaders.len();
            let text_words: HashSet<String> =
                words(report.title.as_deref().unwrap_or("")).into_iter().chain(words(&report.body)).collect();
            let leader_words: Vec<HashSet<String>> =
                entities.leaders.iter().map(|t| words(&t.name).into_iter().collect()).collect();
            // A person whose surname a leader has is that leader, written another way.
            let surname = |name: &str| name.rsplit(' ').next().unwrap_or(name).to_lowercase();
            let leader_surnames: HashSet<String> = entities.leaders.iter().map(|t| surname(&t.name)).collect();
            let mut names: Vec<&str> = entities.leaders.iter().map(|t| t.name.as_str()).collect();
            names.extend(
                entities.people.iter().map(|t| t.name.as_str()).filter(|n| !leader_surnames.contains(&surname(n))),
            );
            num_people += entities.people.len();
            names.sort_unstable();
            names.dedup();
            num_names += names.len();
            let name_words: Vec<HashSet<String>> = names.iter().map(|n| words(n).into_iter().collect()).collect();
            for label in &labels.people {
                s.num_people += 1;
                let parts = words(&label.replace('-', " "));
                let Some((surname, first)) = parts.split_last() else { continue };
                let matches = |name: &HashSet<String>| {
                    name.contains(surname) && first.iter().all(|w| !text_words.contains(w) || name.contains(w))
                };
                let found = leader_words.iter().any(matches);
                if found || name_words.iter().any(matches) {
                    s.num_people_found_with_people += 1;
                }
                if found {
                    s.num_people_found += 1;
                } else {
                    *missed_people.entry(label.clone()).or_default() += 1;
                    person_misses.push(Miss {
                        id: report.id.clone(),
                        kind: "person",
                        label: label.clone(),
                        extracted: entities.leaders.iter().map(|t| t.name.clone()).collect(),
                    });
                }
            }
        }
        if !labels.places.is_empty() {
            s.num_places_articles += 1;
            num_place_tags += entities.places.len();
            for label in &labels.places {
                s.num_places += 1;
                let name = match codes.get(label.as_str()) {
                    Some(name) => Some((*name).to_string()),
                    None => extractor.resolve_topic(&label.replace('-', " "), Some(TopicKind::Place)),
                };
                if name.is_some_and(|n| entities.places.iter().any(|p| p.name == n)) {
                    s.num_places_found += 1;
                } else {
                    *missed_places.entry(label.clone()).or_default() += 1;
                    place_misses.push(Miss {
                        id: report.id.clone(),
                        kind: "place",
                        label: label.clone(),
                        extracted: entities.places.iter().map(|t| t.name.clone()).collect(),
                    });
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    s.people_recall = ratio(s.num_people_found, s.num_people);
    s.mean_leaders = ratio(num_leaders, s.num_people_articles);
    s.people_recall_with_people = ratio(s.num_people_found_with_people, s.num_people);
    s.mean_names = ratio(num_names, s.num_people_articles);
    s.mean_people = ratio(num_people, s.num_people_articles);
    s.places_recall = ratio(s.num_places_found, s.num_places);
    s.mean_places = ratio(num_place_tags, s.num_places_articles);
    s.num_unmatched_ids = labelled.keys().filter(|id| !seen.contains(*id)).count();
    let ranked = |m: HashMap<String, usize>| -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    s.missed_people = ranked(missed_people);
    s.missed_places = ranked(missed_places);
    s.misses = person_misses.into_iter().chain(place_misses).take(MAX_LISTED_MISSES).collect();
    s
}

#[cfg(test)]
mod tests {
    //! Label matching: surname required, first name only when the article writes it;
    //! place codes resolve; mean leaders counts labelled articles only.
    use super::*;

    fn labels(rows: &str) -> HashMap<String, Labels> {
        parse_labels(&format!("id\tpeople\tplaces\torgs\ttopics\n{rows}"))
    }

    #[test]
    fn a_surname_alone_finds_a_label_when_the_article_gives_no_first_name() {
        let schema = IndexSchema::embedded().unwrap();
        let reports =
            [Report::new("x.jsonl#r1", "Treasury Secretary James Baker said the dollar was fine. Baker left.")];
        let s = score_reports(&schema, &reports, &labels("r1\tjames-baker\tusa\t\t\n"));
        assert_eq!((s.num_people, s.num_people_found), (1, 1), "{s}");
    }

    #[test]
    fn a_written_first_name_must_match_too() {
        let schema = IndexSchema::embedded().unwrap();
        let reports = [Report::new("x.jsonl#r1", "Vladimir Putin met reporters.")];
        let s = score_reports(&schema, &reports, &labels("r1\tvladimir-putin\t\t\t\nr2\tboris-putin\t\t\t\n"));
        assert_eq!((s.num_people, s.num_people_found), (1, 1));
        let reports = [Report::new("x.jsonl#r1", "Boris Putin, no relation, met Vladimir Putin.")];
        let s = score_reports(&schema, &reports, &labels("r1\tboris-putin\t\t\t\n"));
        assert_eq!(s.num_people_found, 0, "{s}");
        assert_eq!(s.num_unmatched_ids, 0);
    }

    #[test]
    fn place_codes_resolve_to_place_topics() {
        let schema = IndexSchema::embedded().unwrap();
        let reports = [Report::new(
            "x.jsonl#r1",
            "Soviet and Russian officials met in Moscow. Russia said the British and the UK agreed with Britain.",
        )];
        let s = score_reports(&schema, &reports, &labels("r1\t\tussr,uk\t\t\n"));
        assert_eq!((s.num_places, s.num_places_found), (2, 2), "{:?}", s.misses);
    }

    #[test]
    fn label_ids_are_the_part_after_the_hash_or_the_file_stem() {
        assert_eq!(label_id(&Report::new("dev.jsonl#reuters-1", "x")), "reuters-1");
        assert_eq!(label_id(&Report::new("docs/017.txt", "x")), "017");
    }
}
