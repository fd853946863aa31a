//! Facets: how many matching articles name each leader, topic, place and organisation, come
//! from each source and author, and were published in each month; and [`Stats`], the same
//! counts over the whole index plus the date range.
//!
//! A tantivy collector over the fast (columnar) copies of the `leader`, `topic`, `place`,
//! `org`, `source` and `author` fields and the `date` column: term ordinals (and days) are
//! counted per segment while matching, then turned into names (and months), so counting costs
//! one column read per match and field. A field without a fast copy (a custom `fields.toml`)
//! simply counts nothing. The search runs it in the same pass as its top documents (a tuple
//! collector), not as a second execution of the query.
//!
//! Segments never change once written, so each segment's opened columns and the names of
//! their ordinals are kept in a `ColumnCache` that the [`crate::Searcher`] shares across
//! searches: opening a column (footer, dictionary index) and resolving ordinals through the
//! sstable dictionary happen once per segment, not once per query.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use super::Facets;
use crate::Index;
use crate::index::index_error;

/// One fast column of a segment with the name of each of its ordinals.
pub(crate) struct FacetColumn {
    column: StrColumn,
    /// `names[ord]`: the term of ordinal `ord` (the dictionary is sorted, ordinals dense).
    names: Vec<String>,
}

impl FacetColumn {
    fn open(segment: &SegmentReader, name: &str) -> tantivy::Result<Option<FacetColumn>> {
        let Some(column) = segment.fast_fields().str(name)? else { return Ok(None) };
        let mut names = Vec::with_capacity(column.num_terms());
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            names.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
        Ok(Some(FacetColumn { column, names }))
    }
}

/// Opened columns by segment and field (`None`: the segment has no such column).
type Columns = HashMap<(SegmentId, Field), Option<Arc<FacetColumn>>>;

/// The opened facet columns of each segment, shared by the clones of one `Searcher`.
#[derive(Clone, Default)]
pub(crate) struct ColumnCache {
    columns: Arc<Mutex<Columns>>,
}

impl std::fmt::Debug for ColumnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnCache").finish_non_exhaustive()
    }
}

impl ColumnCache {
    /// The column `field` (called `name`) of `segment`, opened once.
    fn get(&self, segment: &SegmentReader, field: Field, name: &str) -> tantivy::Result<Option<Arc<FacetColumn>>> {
        let key = (segment.segment_id(), field);
        if let Some(found) = self.lock().get(&key) {
            return Ok(found.clone());
        }
        let opened = FacetColumn::open(segment, name)?.map(Arc::new);
        self.lock().insert(key, opened.clone());
        Ok(opened)
    }

    /// Forgets the segments `searcher` no longer has (merged away), so the cache does not grow
    /// with the history of the index.
    fn retain(&self, searcher: &tantivy::Searcher) {
        let mut columns = self.lock();
        if columns.keys().any(|(id, _)| !searcher.segment_readers().iter().any(|s| s.segment_id() == *id)) {
            columns.retain(|(id, _), _| searcher.segment_readers().iter().any(|s| s.segment_id() == *id));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Columns> {
        // A panic while holding the lock cannot leave the map half-updated: take it anyway.
        self.columns.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Counts the values of some fast text fields, and the months of the `date` column, over the
/// matching documents.
pub(crate) struct FacetCollector {
    fields: Vec<(Field, String)>,
    /// The date column's name, when months are counted.
    date: Option<String>,
    cache: ColumnCache,
}

pub(crate) struct FacetSegment {
    columns: Vec<Option<Arc<FacetColumn>>>,
    /// Per column, matches per ordinal.
    counts: Vec<Vec<u64>>,
    date: Option<Column<DateTime>>,
    /// Matches per day since the epoch: a handful of distinct days in practice, turned into
    /// months once, when the segments are merged.
    days: HashMap<i64, u64>,
}

/// Per field, name → matching documents; then, when counted, month → matching documents.
pub(crate) type Counts = Vec<BTreeMap<String, u64>>;

/// Per field, a segment's column and its matches per ordinal (names are only copied once the
/// segments' counts are merged, once per distinct name rather than once per segment); and the
/// matches per day.
pub(crate) type SegmentCounts = (Vec<Option<(Arc<FacetColumn>, Vec<u64>)>>, HashMap<i64, u64>);

impl FacetCollector {
    /// A collector of the facets of searches, in the order of [`facets`]: leaders, topics,
    /// places, organisations, sources, authors, then months.
    pub(crate) fn facets(index: &Index, cache: &ColumnCache) -> FacetCollector {
        let f = &index.fields;
        let mut collector = FacetCollector::new(index, cache, &[f.leader, f.topic, f.place, f.org, f.source, f.author]);
        collector.date = Some(index.tantivy_schema.get_field_name(f.date).to_string());
        collector
    }

    fn new(index: &Index, cache: &ColumnCache, fields: &[Field]) -> FacetCollector {
        let fields = fields.iter().map(|&f| (f, index.tantivy_schema.get_field_name(f).to_string())).collect();
        FacetCollector { fields, date: None, cache: cache.clone() }
    }

    /// Forgets cached columns of segments `searcher` no longer has.
    pub(crate) fn retain(&self, searcher: &tantivy::Searcher) {
        self.cache.retain(searcher);
    }
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let columns = self
            .fields
            .iter()
            .map(|(field, name)| self.cache.get(segment, *field, name))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let counts = columns.iter().map(|c| vec![0; c.as_ref().map_or(0, |c| c.names.len())]).collect();
        let date = match &self.date {
            Some(name) => segment.fast_fields().column_opt::<DateTime>(name)?,
            None => None,
        };
        Ok(FacetSegment { columns, counts, date, days: HashMap::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<Counts> {
        let mut total: Vec<HashMap<&str, u64>> = vec![HashMap::new(); self.fields.len()];
        let mut days: HashMap<i64, u64> = HashMap::new();
        for (fruit, segment_days) in &fruits {
            for (into, from) in total.iter_mut().zip(fruit) {
                let Some((column, counts)) = from else { continue };
                for (name, &n) in column.names.iter().zip(counts).filter(|(_, n)| **n > 0) {
                    *into.entry(name.as_str()).or_default() += n;
                }
            }
            for (&day, &n) in segment_days {
                *days.entry(day).or_default() += n;
            }
        }
        let mut counts: Counts =
            total.into_iter().map(|t| t.into_iter().map(|(name, n)| (name.to_string(), n)).collect()).collect();
        if self.date.is_some() {
            let mut months: BTreeMap<String, u64> = BTreeMap::new();
            for (day, n) in days {
                let mut month = crate::date::iso_from_days(day);
                month.truncate(7);
                *months.entry(month).or_default() += n;
            }
            counts.push(months);
        }
        Ok(counts)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.column.term_ords(doc) {
                    if let Some(n) = counts.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
        }
        if let Some(date) = &self.date {
            // One count per article, whatever number of dates it holds.
            if let Some(first) = date.first(doc) {
                *self.days.entry(first.into_timestamp_secs().div_euclid(86_400)).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> SegmentCounts {
        let columns =
            self.columns.into_iter().zip(self.counts).map(|(column, counts)| column.map(|c| (c, counts))).collect();
        (columns, self.days)
    }
}

/// The facets of a search from the counts of [`FacetCollector::facets`].
pub(crate) fn facets(counts: Counts) -> Facets {
    let mut counts = counts.into_iter();
    let mut next = || counts.next().unwrap_or_default();
    Facets {
        leaders: next(),
        topics: next(),
        places: next(),
        orgs: next(),
        sources: next(),
        authors: next(),
        dates: next(),
    }
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
    /// Articles per leader, topic, place, organisation, source, author and month.
    pub facets: Facets,
    /// Articles per source (the same as `facets.sources`, kept for readers of earlier output).
    pub sources: BTreeMap<String, u64>,
}

impl Index {
    /// Counts articles, the date range, and the articles per leader, topic, place,
    /// organisation and source.
    pub fn stats(&self) -> crate::Result<Stats> {
        stats(self)
    }
}

/// Computes [`Stats`] over the latest commit.
fn stats(index: &Index) -> crate::Result<Stats> {
    let searcher = index.reader.searcher();
    let f = &index.fields;
    let all = tantivy::query::AllQuery;
    let collector = FacetCollector::facets(index, &ColumnCache::default());
    let facets = facets(searcher.search(&all, &collector).map_err(|e| index_error(&index.location(), e))?);
    let sources = facets.sources.clone();
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
