//! Listing the stories of an index ([`Index::stories`]): each with its size, outlets, first
//! and last day, leaders and topics, newest first.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::index::index_error;
use crate::{Index, SearchRequest};

/// Which stories to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoriesRequest {
    /// Only stories with a report matching this query (attache's syntax).
    pub query: Option<String>,
    /// Only stories with a report dated on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only stories with a report dated on or before this day.
    pub to: Option<String>,
    /// Most stories to list (0: all).
    pub limit: usize,
}

/// One story of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// The story id (`story:ID` finds its reports).
    pub id: String,
    /// Its reports.
    pub size: usize,
    /// The headline of its first report.
    pub title: Option<String>,
    /// The outlets that reported it, most reports first.
    pub outlets: Vec<String>,
    /// The day of its first report.
    pub first_date: Option<String>,
    /// The day of its last report.
    pub last_date: Option<String>,
    /// Leaders named in its reports, most reports first (at most [`NAMES_SHOWN`]).
    pub leaders: Vec<String>,
    /// Topics of its reports, most reports first (at most [`NAMES_SHOWN`]).
    pub topics: Vec<String>,
    /// Its reports' ids, oldest first.
    pub reports: Vec<String>,
}

/// Most leaders and topics a [`Story`] lists.
pub const NAMES_SHOWN: usize = 6;

/// One report, as a story summary reads it.
struct Member {
    id: String,
    title: Option<String>,
    source: Option<String>,
    date: Option<String>,
    leaders: Vec<String>,
    topics: Vec<String>,
}

impl Index {
    /// The stories of the index that `request` asks for, newest last report first.
    ///
    /// ```
    /// use attache::{Index, IndexSchema, Report};
    /// let index = Index::create_in_ram(IndexSchema::embedded()?)?;
    /// let mut indexer = index.indexer()?;
    /// indexer.add(&Report::new("a.txt", "Trade ministers met in Geneva to discuss tariffs on steel.").title("Geneva tariff talks"))?;
    /// indexer.commit()?;
    /// let stories = index.stories(&attache::stories::StoriesRequest::default())?;
    /// assert_eq!((stories.len(), stories[0].size), (1, 1));
    /// # Ok::<(), attache::Error>(())
    /// ```
    pub fn stories(&self, request: &StoriesRequest) -> crate::Result<Vec<Story>> {
        let searcher = self.reader.searcher();
        let at = self.location();
        let f = self.fields;
        let mut clauses = Vec::new();
        if let Some(q) = request.query.as_deref().filter(|q| !q.trim().is_empty()) {
            clauses.push(format!("({q})"));
        }
        if request.from.is_some() || request.to.is_some() {
            let day = |d: &Option<String>| d.clone().unwrap_or_else(|| "*".into());
            clauses.push(format!("date:[{} TO {}]", day(&request.from), day(&request.to)));
        }
        // The stories asked for; None: all of them.
        let wanted: Option<BTreeSet<String>> = if clauses.is_empty() {
            None
        } else {
            let found = self
                .searcher()
                .search(&SearchRequest::new(clauses.join(" AND ")).limit(crate::search::MAX_LIMIT).passages(0))?;
            Some(found.hits.into_iter().filter_map(|h| h.story).collect())
        };
        let addresses: Vec<DocAddress> = match &wanted {
            Some(stories) => {
                let mut all = Vec::new();
                for story in stories {
                    let query = TermQuery::new(Term::from_field_text(f.story, story), IndexRecordOption::Basic);
                    let docs = searcher.search(&query, &DocSetCollector).map_err(|e| index_error(&at, e))?;
                    all.extend(docs);
                }
                all
            }
            None => searcher
                .segment_readers()
                .iter()
                .enumerate()
                .flat_map(|(s, reader)| reader.doc_ids_alive().map(move |d| DocAddress::new(s as u32, d)))
                .collect(),
        };
        let mut members: HashMap<String, Vec<Member>> = HashMap::new();
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| index_error(&at, e))?;
            let first = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
            let all = |field| doc.get_all(field).filter_map(|v| v.as_str()).map(str::to_string).collect();
            let id = first(f.id).unwrap_or_default();
            let story = first(f.story).unwrap_or_else(|| super::story_id(&id));
            let date = doc
                .get_first(f.date)
                .and_then(|v| v.as_datetime())
                .map(|d| crate::date::iso_from_days(d.into_timestamp_secs().div_euclid(86_400)));
            let member = Member {
                id,
                title: first(f.title),
                source: first(f.source),
                date,
                leaders: all(f.leader),
                topics: all(f.topic),
            };
            members.entry(story).or_default().push(member);
        }
        let mut stories: Vec<Story> = members.into_iter().map(|(id, members)| summarise(id, members)).collect();
        stories.sort_by(|a, b| b.last_date.cmp(&a.last_date).then_with(|| b.size.cmp(&a.size)).then(a.id.cmp(&b.id)));
        if request.limit > 0 {
            stories.truncate(request.limit);
        }
        Ok(stories)
    }
}

/// Names by how many members have them, most first, then by name.
fn ranked(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for name in names {
        *counts.entry(name).or_insert(0) += 1;
    }
    let mut names: Vec<(String, usize)> = counts.into_iter().collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    names.into_iter().map(|(n, _)| n).collect()
}

fn summarise(id: String, mut members: Vec<Member>) -> Story {
    // Undated reports last, then by day and id.
    members.sort_by(|a, b| (a.date.is_none(), &a.date, &a.id).cmp(&(b.date.is_none(), &b.date, &b.id)));
    let dates: Vec<&String> = members.iter().filter_map(|m| m.date.as_ref()).collect();
    let (first_date, last_date) = (dates.first().map(|d| (*d).clone()), dates.last().map(|d| (*d).clone()));
    let dedup = |v: &Vec<String>| v.iter().cloned().collect::<BTreeSet<String>>().into_iter();
    let mut leaders = ranked(members.iter().flat_map(|m| dedup(&m.leaders)));
    leaders.truncate(NAMES_SHOWN);
    let mut topics = ranked(members.iter().flat_map(|m| dedup(&m.topics)));
    topics.truncate(NAMES_SHOWN);
    Story {
        id,
        size: members.len(),
        title: members.iter().find_map(|m| m.title.clone()),
        outlets: ranked(members.iter().filter_map(|m| m.source.clone())),
        first_date,
        last_date,
        leaders,
        topics,
        reports: members.into_iter().map(|m| m.id).collect(),
    }
}
