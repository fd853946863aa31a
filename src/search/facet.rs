//! Facets: how many matching articles name each leader, topic, place and organisation, come
//! from each source and author, and were published in each month; and [`Stats`], the same
//! counts over the whole index plus the date range.
//!
//! Counting runs over every matching article, so at a million reports a broad query has
//! hundreds of thousands to count, and the per-match cost is what matters. Reading each
//! match's values from tantivy's fast (columnar) copies means, per match and field, a lookup
//! in the column's multi-value index and a bit-unpacking. Instead, the first search that asks
//! for facets on a segment flattens that segment's columns once into [`SegmentValues`]: per
//! document, the list of its values across all the counted fields as small integers ("slots",
//! one per distinct name of a field), in one array with an offset per document. Counting a
//! match is then one offset lookup and an increment per value; names are attached once per
//! slot, when the segments' counts are merged.
//!
//! Segments never change once written, so the flattened values are kept in a `ColumnCache`
//! that the [`crate::Searcher`] shares across searches, and dropped with the segments that
//! merges remove. They cost four bytes per value and per document (about 50 MB for a
//! million reports of a dozen tags each). Counting runs in the count pass of retrieval,
//! without scores (see `retrieve`).
//!
//! Months are flattened the same way: each document's first date, as its month `YYYY-MM`, is
//! one more slot of the document, named under the `date` field, so counting a match's month
//! costs what counting one of its names does.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use super::Facets;
use crate::Index;
use crate::hash::FxHashMap;
use crate::index::index_error;

/// The values of some fast text fields in one segment, flattened for counting.
pub(crate) struct SegmentValues {
    /// `slots[offsets[doc]..offsets[doc + 1]]`: the slots of document `doc`.
    offsets: Vec<u32>,
    slots: Vec<u32>,
    /// Per slot: its value's id in the cache's [`Names`].
    ids: Vec<u32>,
}

/// Every (field, name) the cached segments hold, numbered once: merging the counts of several
/// segments is then an addition per value into an array, with no name compared or hashed.
#[derive(Default)]
struct Names {
    /// Per id: its field and its name.
    names: Vec<(Field, String)>,
    ids: FxHashMap<(Field, String), u32>,
}

impl Names {
    fn id(&mut self, field: Field, name: String) -> u32 {
        let key = (field, name);
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(key.clone());
        self.ids.insert(key, id);
        id
    }
}

impl SegmentValues {
    /// Reads the columns `fields` (by name) of `segment`, and the month of the first date in
    /// the date column `date`, numbering their values in `names`; a field without a fast
    /// column counts nothing.
    fn read(
        segment: &SegmentReader,
        fields: &[(Field, String)],
        date: Option<&(Field, String)>,
        names: &Mutex<Names>,
    ) -> tantivy::Result<SegmentValues> {
        let mut columns = Vec::with_capacity(fields.len());
        let mut ids = Vec::new();
        for &(f, ref name) in fields {
            let Some(column) = segment.fast_fields().str(name)? else { continue };
            let base = ids.len() as u32;
            let mut stream = column.dictionary().stream()?;
            let mut names = lock(names);
            while stream.advance() {
                ids.push(names.id(f, String::from_utf8_lossy(stream.key()).into_owned()));
            }
            columns.push((base, column));
        }
        let dates = match date {
            Some((field, name)) => segment.fast_fields().column_opt::<DateTime>(name)?.map(|c| (*field, c)),
            None => None,
        };
        // Day since the epoch → the slot of its month (a few thousand distinct days at most).
        let mut month_slots: FxHashMap<i64, u32> = FxHashMap::default();
        let mut month_ids: FxHashMap<String, u32> = FxHashMap::default();
        let max_doc = segment.max_doc();
        let mut offsets = Vec::with_capacity(max_doc as usize + 1);
        let mut slots = Vec::new();
        offsets.push(0);
        for doc in 0..max_doc {
            for (base, column) in &columns {
                slots.extend(column.term_ords(doc).map(|ord| base + ord as u32));
            }
            // One month per article, whatever number of dates it holds.
            if let Some((field, column)) = &dates
                && let Some(first) = column.first(doc)
            {
                let day = first.into_timestamp_secs().div_euclid(86_400);
                let slot = *month_slots.entry(day).or_insert_with(|| {
                    let mut month = crate::date::iso_from_days(day);
                    month.truncate(7);
                    *month_ids.entry(month.clone()).or_insert_with(|| {
                        ids.push(lock(names).id(*field, month));
                        ids.len() as u32 - 1
                    })
                });
                slots.push(slot);
            }
            offsets.push(slots.len() as u32);
        }
        slots.shrink_to_fit();
        Ok(SegmentValues { offsets, slots, ids })
    }
}

/// Flattened values by segment and list of fields.
type Cached = HashMap<(SegmentId, Vec<Field>), Arc<SegmentValues>>;

/// The flattened facet values of each segment, shared by the clones of one `Searcher`.
#[derive(Clone, Default)]
pub(crate) struct ColumnCache {
    values: Arc<Mutex<Cached>>,
    names: Arc<Mutex<Names>>,
}

/// Takes a lock whatever: a panic while holding it cannot leave these maps half-updated in a
/// way that matters (at worst a name is numbered and unused).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for ColumnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnCache").finish_non_exhaustive()
    }
}

impl ColumnCache {
    /// The values of `fields` (with their names) and the months of `date` in `segment`,
    /// flattened once.
    fn get(
        &self,
        segment: &SegmentReader,
        fields: &[(Field, String)],
        date: Option<&(Field, String)>,
    ) -> tantivy::Result<Arc<SegmentValues>> {
        let key = (segment.segment_id(), fields.iter().chain(date).map(|f| f.0).collect());
        if let Some(found) = self.lock().get(&key) {
            return Ok(Arc::clone(found));
        }
        // Read without the lock: two searches may both read a new segment, and one copy wins.
        let read = Arc::new(SegmentValues::read(segment, fields, date, &self.names)?);
        Ok(Arc::clone(self.lock().entry(key).or_insert(read)))
    }

    /// Forgets the segments `searcher` no longer has (merged away), so the cache does not grow
    /// with the history of the index.
    fn retain(&self, searcher: &tantivy::Searcher) {
        let mut values = self.lock();
        let alive = |id: &SegmentId| searcher.segment_readers().iter().any(|s| s.segment_id() == *id);
        if values.keys().any(|(id, _)| !alive(id)) {
            values.retain(|(id, _), _| alive(id));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        lock(&self.values)
    }
}

/// Values returned per facet kind by a search: the most frequent, with their exact counts.
/// Naming every value would cost more than counting them on a large index (a broad query
/// matches thousands of distinct people and places), and no reader looks past the first
/// few dozen.
pub const FACET_LIMIT: usize = 100;

/// Counts the values of some fast text fields over the matching documents.
pub(crate) struct FacetCollector {
    /// The fields counted, with their names, in the order of the counts.
    fields: Vec<(Field, String)>,
    cache: ColumnCache,
    /// Most values kept per field (the most frequent); `None`: all.
    limit: Option<usize>,
    /// The date field and its column's name, when months are counted.
    date: Option<(Field, String)>,
}

pub(crate) struct FacetSegment {
    values: Arc<SegmentValues>,
    /// Matches per slot.
    counts: Vec<u32>,
}

/// Per field, name → matching documents.
pub(crate) type Counts = Vec<BTreeMap<String, u64>>;

impl FacetCollector {
    /// A collector of the facets of searches, in the order of [`facets`]: leaders, topics,
    /// places, organisations, sources, authors, people, then months.
    pub(crate) fn facets(index: &Index, cache: &ColumnCache) -> FacetCollector {
        let mut collector = FacetCollector::all(index, cache);
        collector.limit = Some(FACET_LIMIT);
        collector
    }

    /// [`FacetCollector::facets`] with every value kept.
    fn all(index: &Index, cache: &ColumnCache) -> FacetCollector {
        let f = &index.fields;
        let mut collector =
            FacetCollector::new(index, cache, &[f.leader, f.topic, f.place, f.org, f.source, f.author, f.person]);
        collector.date = Some((f.date, index.tantivy_schema.get_field_name(f.date).to_string()));
        collector
    }

    fn new(index: &Index, cache: &ColumnCache, fields: &[Field]) -> FacetCollector {
        let fields = fields.iter().map(|&f| (f, index.tantivy_schema.get_field_name(f).to_string())).collect();
        FacetCollector { fields, cache: cache.clone(), limit: None, date: None }
    }

    /// Forgets cached values of segments `searcher` no longer has.
    pub(crate) fn retain(&self, searcher: &tantivy::Searcher) {
        self.cache.retain(searcher);
    }
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let values = self.cache.get(segment, &self.fields, self.date.as_ref())?;
        let counts = vec![0; values.ids.len()];
        Ok(FacetSegment { values, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Counts> {
        let names = lock(&self.cache.names);
        let mut total = vec![0u64; names.names.len()];
        let mut months: BTreeMap<String, u64> = BTreeMap::new();
        for (values, counts) in &fruits {
            for (&id, &n) in values.ids.iter().zip(counts).filter(|(_, n)| **n > 0) {
                if let Some(t) = total.get_mut(id as usize) {
                    *t += u64::from(n);
                }
            }
        }
        let mut per_field: Vec<Vec<(&str, u64)>> = vec![Vec::new(); self.fields.len()];
        for (&n, (field, name)) in total.iter().zip(&names.names).filter(|(n, _)| **n > 0) {
            if self.date.as_ref().is_some_and(|(date, _)| date == field) {
                months.insert(name.clone(), n);
            } else if let Some(list) = self.fields.iter().position(|f| f.0 == *field).and_then(|i| per_field.get_mut(i))
            {
                list.push((name.as_str(), n));
            }
        }
        let mut counts: Counts = per_field
            .into_iter()
            .map(|mut counted| {
                if let Some(limit) = self.limit.filter(|&l| l < counted.len()) {
                    // Most frequent first, ties by name, so the cut is the same on every run.
                    let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
                    counted.select_nth_unstable_by(limit, order);
                    counted.truncate(limit);
                }
                counted.into_iter().map(|(name, n)| (name.to_string(), n)).collect()
            })
            .collect();
        if self.date.is_some() {
            counts.push(months);
        }
        Ok(counts)
    }
}

/// A segment's values and its matches per slot.
pub(crate) type SegmentFruit = (Arc<SegmentValues>, Vec<u32>);

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let SegmentValues { offsets, slots, .. } = &*self.values;
        for &doc in docs {
            let (Some(&start), Some(&end)) = (offsets.get(doc as usize), offsets.get(doc as usize + 1)) else {
                continue;
            };
            for &slot in slots.get(start as usize..end as usize).unwrap_or_default() {
                if let Some(n) = self.counts.get_mut(slot as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.values, self.counts)
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
        people: next(),
        dates: next(),
    }
}

/// An overview of an index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Articles in the index (a report saved twice counts once).
    pub num_articles: u64,
    /// Reports left out as exact duplicates of another file's report.
    #[serde(default)]
    pub num_duplicates: u64,
    /// Earliest publication day, `YYYY-MM-DD`.
    pub first_date: Option<String>,
    /// Latest publication day.
    pub last_date: Option<String>,
    /// Articles per leader, topic, place, organisation, source, author, person and month.
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
    let collector = FacetCollector::all(index, &ColumnCache::default());
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
        num_articles: index.num_reports(),
        num_duplicates: index.num_duplicates(),
        first_date: first.map(day),
        last_date: last.map(day),
        facets,
        sources,
    })
}
