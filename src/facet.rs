//! Facets: how many matching articles name each leader, topic, place and organisation; and
//! [`Stats`], the same counts over the whole index plus sources and the date range.
//!
//! A tantivy collector over the fast (columnar) copies of the `leader`, `topic`, `place`,
//! `org` (and `source`) fields: term ordinals are counted per segment while matching, then
//! turned into names once per segment, so counting costs one column read per match.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::Query;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use serde::{Deserialize, Serialize};
use tantivy::schema::Field;

use crate::Index;
use crate::index::index_error;
use crate::search::Facets;

struct FacetCollector {
    field_names: Vec<String>,
}

struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<HashMap<u64, u64>>,
}

type Counts = Vec<BTreeMap<String, u64>>;

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let fast = segment.fast_fields();
        let columns = self.field_names.iter().map(|name| fast.str(name)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(FacetSegment { counts: vec![HashMap::new(); columns.len()], columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut total: Counts = vec![BTreeMap::new(); self.field_names.len()];
        for fruit in fruits {
            for (into, from) in total.iter_mut().zip(fruit) {
                for (name, n) in from {
                    *into.entry(name).or_default() += n;
                }
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    *counts.entry(ord).or_default() += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out: Counts = vec![BTreeMap::new(); self.columns.len()];
        let mut name = String::new();
        for ((column, counts), into) in self.columns.iter().zip(self.counts).zip(out.iter_mut()) {
            let Some(column) = column else { continue };
            for (ord, n) in counts {
                if column.ord_to_str(ord, &mut name).unwrap_or(false) {
                    *into.entry(name.clone()).or_default() += n;
                }
            }
        }
        out
    }
}

fn counts(index: &Index, searcher: &tantivy::Searcher, query: &dyn Query, fields: &[Field]) -> crate::Result<Counts> {
    let field_names = fields.iter().map(|&f| index.tantivy_schema.get_field_name(f).to_string()).collect();
    searcher.search(query, &FacetCollector { field_names }).map_err(|e| index_error(&index.location(), e))
}

/// Counts facets over every document matching `query`.
pub(crate) fn count(index: &Index, searcher: &tantivy::Searcher, query: &dyn Query) -> crate::Result<Facets> {
    let f = &index.fields;
    let mut counts = counts(index, searcher, query, &[f.leader, f.topic, f.place, f.org])?.into_iter();
    let mut next = || counts.next().unwrap_or_default();
    Ok(Facets { leaders: next(), topics: next(), places: next(), orgs: next() })
}

/// An overview of an index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Articles in the index.
    pub num_articles: u64,
    /// Earliest publication day, `YYYY-MM-DD`.
    pub first_date: Option<String>,
    /// Latest publication day.
    pub last_date: Option<String>,
    /// Articles per leader, topic, place and organisation.
    pub facets: Facets,
    /// Articles per source.
    pub sources: BTreeMap<String, u64>,
}

/// Computes [`Stats`] over the latest commit.
pub(crate) fn stats(index: &Index) -> crate::Result<Stats> {
    let searcher = index.reader.searcher();
    let f = &index.fields;
    let all = tantivy::query::AllQuery;
    let mut counts = counts(index, &searcher, &all, &[f.leader, f.topic, f.place, f.org, f.source])?.into_iter();
    let mut next = || counts.next().unwrap_or_default();
    let facets = Facets { leaders: next(), topics: next(), places: next(), orgs: next() };
    let sources = next();
    let date_name = index.tantivy_schema.get_field_name(f.date);
    let (mut first, mut last): (Option<i64>, Option<i64>) = (None, None);
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().date(date_name).map_err(|e| index_error(&index.location(), e))?;
        if column.values.num_vals() == 0 {
            continue;
        }
        let (lo, hi) = (column.min_value().into_timestamp_secs(), column.max_value().into_timestamp_secs());
        first = Some(first.map_or(lo, |f| f.min(lo)));
        last = Some(last.map_or(hi, |l| l.max(hi)));
    }
    let day = |secs: i64| crate::date::iso_from_days(secs.div_euclid(86_400));
    Ok(Stats {
        num_articles: searcher.num_docs(),
        first_date: first.map(day),
        last_date: last.map(day),
        facets,
        sources,
    })
}
