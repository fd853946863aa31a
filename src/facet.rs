//! Facets: how many matching articles name each leader, topic, place and organisation.
//!
//! A tantivy collector over the fast (columnar) copies of the `leader`, `topic`, `place` and
//! `org` fields: term ordinals are counted per segment while matching, then turned into the
//! canonical names once per segment, so counting costs one column read per match.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::Query;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::Index;
use crate::index::index_error;
use crate::search::Facets;

const KINDS: usize = 4;

struct FacetCollector {
    field_names: [String; KINDS],
}

struct FacetSegment {
    columns: [Option<StrColumn>; KINDS],
    counts: [HashMap<u64, u64>; KINDS],
}

type Counts = [BTreeMap<String, u64>; KINDS];

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let fast = segment.fast_fields();
        let mut columns: [Option<StrColumn>; KINDS] = Default::default();
        for (column, name) in columns.iter_mut().zip(&self.field_names) {
            *column = fast.str(name)?;
        }
        Ok(FacetSegment { columns, counts: Default::default() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut total: Counts = Default::default();
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
        let mut out: Counts = Default::default();
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

/// Counts facets over every document matching `query`.
pub(crate) fn count(index: &Index, searcher: &tantivy::Searcher, query: &dyn Query) -> crate::Result<Facets> {
    let f = &index.fields;
    let name = |field| index.tantivy_schema.get_field_name(field).to_string();
    let collector = FacetCollector { field_names: [name(f.leader), name(f.topic), name(f.place), name(f.org)] };
    let [leaders, topics, places, orgs] =
        searcher.search(query, &collector).map_err(|e| index_error(&index.location(), e))?;
    Ok(Facets { leaders, topics, places, orgs })
}
