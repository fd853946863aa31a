//! Facets: how many matching articles name each leader, topic, place and organisation, come
//! from each source and author, and were published in each month; and [`Stats`], the same
//! counts over the whole index plus the date range.
//!
//! Counting runs over every matching article, so at a million reports a broad query has
//! hundreds of thousands to count, and the per-match cost is what matters. Reading each
//! match's values from tantivy's fast (columnar) copies means, per match and field, a lookup
//! in the column's multi-value index and a bit-unpacking. Instead, the first search that asks
//! for facets on a segment flattens that segment's columns once into [`SegmentValues`]: per
//! document, the list of its values across all the counted fields as small integers (ids,
//! one per distinct name of a field, shared by all segments), in one array with an offset
//! per document.
//!
//! A search's segments each mark their matches in a bitset while tantivy collects, then
//! count: an increment per value of each match into an array of a count per id, one array
//! per searching thread; or, when more than about two fifths of the segment match, the
//! segment's count of every value less the values of the documents that do not match, so no
//! segment costs more than counting two fifths of its values, whatever the query. The merge
//! sums the threads' arrays and names only the ids some match has, keeping the most frequent
//! of each kind.
//!
//! Segments never change once written, so the flattened values are kept in a `ColumnCache`
//! that the [`crate::Searcher`] shares across searches, and dropped with the segments that
//! merges remove. They cost four bytes per value and per document (about 80 MB for a
//! million generated reports of 20 values each). Counting runs in the count pass of retrieval,
//! without scores (see `retrieve`).
//!
//! Months are flattened the same way: each document's first date, as its month `YYYY-MM`, is
//! one more value of the document, named under the `date` field, so counting a match's month
//! costs what counting one of its names does.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

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
    /// `ids[offsets[doc]..offsets[doc + 1]]`: the values of document `doc`, as their ids in
    /// the cache's [`Names`].
    offsets: Vec<u32>,
    ids: Vec<u32>,
    /// One more than the largest of `ids`.
    id_bound: usize,
    /// Distinct names in the segment's columns (the size of `everywhere`, about).
    distinct: usize,
    /// Every id of the segment with its number of documents (deleted ones included), by id;
    /// made when a search first matches most of the segment.
    everywhere: OnceLock<Vec<(u32, u32)>>,
}

/// Every (field, name) the cached segments hold, numbered once: merging the counts of several
/// segments is then an addition per value into an array, with no name compared or hashed.
#[derive(Default)]
struct Names {
    /// Per id: its name …
    names: Vec<String>,
    /// … and its field (read for each name a search counts, so kept apart from the names).
    fields: Vec<Field>,
    ids: FxHashMap<(Field, String), u32>,
}

impl Names {
    fn id(&mut self, field: Field, name: String) -> u32 {
        let key = (field, name);
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.names.len() as u32;
        self.fields.push(key.0);
        self.names.push(key.1.clone());
        self.ids.insert(key, id);
        id
    }
}

impl SegmentValues {
    /// The ids of document `doc`'s values.
    fn of(&self, doc: usize) -> &[u32] {
        match (self.offsets.get(doc), self.offsets.get(doc + 1)) {
            (Some(&start), Some(&end)) => self.ids.get(start as usize..end as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Documents of the segment, deleted ones included.
    fn num_docs(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Every id with its number of documents, by id.
    fn everywhere(&self) -> &[(u32, u32)] {
        self.everywhere.get_or_init(|| {
            let mut counted: FxHashMap<u32, u32> = FxHashMap::default();
            for &id in &self.ids {
                *counted.entry(id).or_default() += 1;
            }
            let mut everywhere: Vec<(u32, u32)> = counted.into_iter().collect();
            everywhere.sort_unstable();
            everywhere
        })
    }

    /// Reads the columns `fields` (by name) of `segment`, and the month of the first date in
    /// the date column `date`, numbering their values in `names`; a field without a fast
    /// column counts nothing.
    fn read(
        segment: &SegmentReader,
        fields: &[(Field, String)],
        date: Option<&(Field, String)>,
        names: &Mutex<Names>,
    ) -> tantivy::Result<SegmentValues> {
        // First the segment's own numbering ("slots"): per column, its dictionary's order.
        let mut columns = Vec::with_capacity(fields.len());
        let mut named: Vec<(Field, String)> = Vec::new();
        for &(f, ref name) in fields {
            let Some(column) = segment.fast_fields().str(name)? else { continue };
            let base = named.len() as u32;
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                named.push((f, String::from_utf8_lossy(stream.key()).into_owned()));
            }
            columns.push((base, column));
        }
        let dates = match date {
            Some((field, name)) => segment.fast_fields().column_opt::<DateTime>(name)?.map(|c| (*field, c)),
            None => None,
        };
        // Day since the epoch → the slot of its month (a few thousand distinct days at most).
        let mut month_slots: FxHashMap<i64, u32> = FxHashMap::default();
        let mut month_named: FxHashMap<String, u32> = FxHashMap::default();
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
                    *month_named.entry(month.clone()).or_insert_with(|| {
                        named.push((*field, month));
                        named.len() as u32 - 1
                    })
                });
                slots.push(slot);
            }
            offsets.push(slots.len() as u32);
        }
        // Then the ids shared by all segments, so that a search counts the values of all its
        // segments in one array, with nothing to translate afterwards.
        let ids: Vec<u32> = {
            let mut names = lock(names);
            named.into_iter().map(|(field, name)| names.id(field, name)).collect()
        };
        for slot in &mut slots {
            *slot = ids.get(*slot as usize).copied().unwrap_or(u32::MAX);
        }
        slots.shrink_to_fit();
        let id_bound = ids.iter().max().map_or(0, |&id| id as usize + 1);
        let distinct = ids.len();
        Ok(SegmentValues { offsets, ids: slots, id_bound, distinct, everywhere: OnceLock::new() })
    }
}

/// Flattened values by segment and list of fields.
type Cached = HashMap<(SegmentId, Vec<Field>), Arc<SegmentValues>>;

/// The flattened facet values of each segment, shared by the clones of one `Searcher`.
#[derive(Clone, Default)]
pub(crate) struct ColumnCache {
    values: Arc<Mutex<Cached>>,
    names: Arc<Mutex<Names>>,
    /// Cleared [`Totals`] kept for the next searches (an array of a count per name: megabytes
    /// on a large index, cheaper to keep than to allocate and zero for each search).
    free: Arc<Mutex<Vec<Totals>>>,
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

    /// Cleared totals, kept or new.
    fn take(&self) -> Totals {
        lock(&self.free).pop().unwrap_or_default()
    }

    /// Keeps cleared `totals` for later searches: as many as searches may need at once (one
    /// per thread of each).
    fn give_back(&self, totals: Totals) {
        const KEPT: usize = 4;
        let mut free = lock(&self.free);
        if free.len() < KEPT {
            free.push(totals);
        }
    }
}

/// Values returned per facet kind by a search: the most frequent, with their exact counts.
/// Naming every value would cost more than counting them on a large index (a broad query
/// matches thousands of distinct people and places), and no reader looks past the first
/// few dozen.
pub const FACET_LIMIT: usize = 100;

/// Counts the values of some fast text fields over the matching documents.
///
/// A segment counts its matches' values, by name id, into one of the search's [`Totals`],
/// which the thread searching it holds until the segment is harvested and the next segment
/// of that thread takes; the merge sums the few totals (one per thread at most) and names
/// only the ids some match has. One collector serves one search at a time.
pub(crate) struct FacetCollector {
    /// The fields counted, with their names, in the order of the counts.
    fields: Vec<(Field, String)>,
    cache: ColumnCache,
    /// Most values kept per field (the most frequent); `None`: all.
    limit: Option<usize>,
    /// The date field and its column's name, when months are counted.
    date: Option<(Field, String)>,
    /// The totals of this search's harvested segments, not in use by a harvest.
    totals: Arc<Mutex<Vec<Totals>>>,
}

/// Matches per name id, summed over some segments, and the ids counted at least once.
#[derive(Default)]
struct Totals {
    counts: Vec<u32>,
    met: Vec<u32>,
    /// Whether a count went back to zero: an id counted again after that is in `met` twice.
    taken_back: bool,
}

impl Totals {
    fn add(&mut self, id: u32, n: u32) {
        if let Some(count) = self.counts.get_mut(id as usize) {
            if *count == 0 {
                self.met.push(id);
            }
            // A name is counted once per document: more than u32::MAX would need as many
            // documents.
            *count = count.saturating_add(n);
        }
    }

    /// Takes back `n` of the matches counted at `id` (never more than were added).
    fn remove(&mut self, id: u32, n: u32) {
        if let Some(count) = self.counts.get_mut(id as usize) {
            *count = count.saturating_sub(n);
            self.taken_back |= *count == 0;
        }
    }

    /// Names each id met once.
    fn distinct_met(&mut self) {
        if self.taken_back {
            self.met.sort_unstable();
            self.met.dedup();
            self.taken_back = false;
        }
    }

    /// Makes room for the ids below `bound`.
    fn reserve(&mut self, bound: usize) {
        if self.counts.len() < bound {
            self.counts.resize(bound, 0);
        }
    }

    /// Whether more than an eighth of the ids were met: then one sweep of the counts costs
    /// less than a random access per id met.
    fn mostly_met(&self) -> bool {
        self.met.len() > self.counts.len() / 8
    }

    /// Adds the counts of `other`.
    fn absorb(&mut self, other: &mut Totals) {
        other.distinct_met();
        self.reserve(other.counts.len());
        if other.mostly_met() {
            // Most names met: one sweep of both arrays, then the names met, in order.
            for (count, &n) in self.counts.iter_mut().zip(&other.counts) {
                *count = count.saturating_add(n);
            }
            self.met.clear();
            self.met.extend(self.counts.iter().enumerate().filter(|(_, n)| **n > 0).map(|(id, _)| id as u32));
        } else {
            for &id in &other.met {
                if let Some(&n) = other.counts.get(id as usize) {
                    self.add(id, n);
                }
            }
        }
    }

    /// Back to no counts, keeping the memory: a broad search meets most names, so a sweep
    /// costs less than one random write per name met.
    fn clear(&mut self) {
        if self.mostly_met() {
            self.counts.fill(0);
        } else {
            for &id in &self.met {
                if let Some(count) = self.counts.get_mut(id as usize) {
                    *count = 0;
                }
            }
        }
        self.met.clear();
        self.taken_back = false;
    }
}

pub(crate) struct FacetSegment {
    values: Arc<SegmentValues>,
    /// The matching documents, a bit each.
    matched: Vec<u64>,
    totals: Totals,
    /// Where `totals` go back when the segment is harvested.
    pool: Arc<Mutex<Vec<Totals>>>,
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
        FacetCollector { fields, cache: cache.clone(), limit: None, date: None, totals: Arc::default() }
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
        let mut totals = lock(&self.totals).pop().unwrap_or_else(|| self.cache.take());
        totals.reserve(values.id_bound);
        let matched = vec![0; values.num_docs().div_ceil(64)];
        Ok(FacetSegment { values, matched, totals, pool: Arc::clone(&self.totals) })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, _: Vec<()>) -> tantivy::Result<Counts> {
        let mut all = std::mem::take(&mut *lock(&self.totals));
        let mut total = all.pop().unwrap_or_default();
        for mut other in all {
            total.absorb(&mut other);
            other.clear();
            self.cache.give_back(other);
        }
        total.distinct_met();
        let names = lock(&self.cache.names);
        let date = self.date.as_ref().map(|d| d.0);
        let mut months: BTreeMap<String, u64> = BTreeMap::new();
        let mut per_field: Vec<Vec<(u64, u32)>> = vec![Vec::new(); self.fields.len()];
        for &id in &total.met {
            let (Some(field), Some(&n)) = (names.fields.get(id as usize), total.counts.get(id as usize)) else {
                continue;
            };
            // Counted, then taken back (a segment counted by its documents that do not match).
            if n == 0 {
                continue;
            }
            if date == Some(*field) {
                if let Some(name) = names.names.get(id as usize) {
                    months.insert(name.clone(), u64::from(n));
                }
            } else if let Some(list) = self.fields.iter().position(|f| f.0 == *field).and_then(|i| per_field.get_mut(i))
            {
                list.push((u64::from(n), id));
            }
        }
        total.clear();
        self.cache.give_back(total);
        let name = |id: u32| names.names.get(id as usize).map_or("", String::as_str);
        let mut counts: Counts = per_field
            .into_iter()
            .map(|mut counted| {
                if let Some(limit) = self.limit {
                    keep_most_frequent(&mut counted, limit, name);
                }
                counted.into_iter().map(|(n, id)| (name(id).to_string(), n)).collect()
            })
            .collect();
        if self.date.is_some() {
            counts.push(months);
        }
        Ok(counts)
    }
}

/// Keeps the `limit` most frequent of `counted` (count, name id) pairs, ties by name so the cut
/// is the same on every run. Names are compared only among the values tied at the cut: a
/// broad query has hundreds of thousands of counted names, most of them tied with others.
fn keep_most_frequent<'a>(counted: &mut Vec<(u64, u32)>, limit: usize, name: impl Fn(u32) -> &'a str) {
    if counted.len() <= limit {
        return;
    }
    if limit == 0 {
        counted.clear();
        return;
    }
    // The count of the limit-th most frequent value: all above it are kept, and some of
    // those equal to it.
    counted.select_nth_unstable_by(limit - 1, |a, b| b.0.cmp(&a.0));
    let cut = counted[limit - 1].0;
    let mut tied: Vec<(u64, u32)> = counted.iter().filter(|c| c.0 == cut).copied().collect();
    counted.retain(|c| c.0 > cut);
    // At least the limit-th value is tied, so there is room for one.
    let room = limit - counted.len();
    if tied.len() > room {
        tied.select_nth_unstable_by(room, |a, b| name(a.1).cmp(name(b.1)));
        tied.truncate(room);
    }
    counted.extend(tied);
}

impl SegmentCollector for FacetSegment {
    type Fruit = ();

    fn collect(&mut self, doc: DocId, _: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            if let Some(word) = self.matched.get_mut(doc as usize / 64) {
                *word |= 1 << (doc % 64);
            }
        }
    }

    /// Counts the matches' values: one increment per value of each match, or, when more than
    /// about two fifths of the segment match, the values of every document less those of the
    /// documents that do not match. A search's cost in facets is then bounded by what
    /// counting two fifths of the segment's values costs, however broad the query: a common
    /// word matches nearly every report.
    fn harvest(mut self) {
        let values = &*self.values;
        let matches: usize = self.matched.iter().map(|w| w.count_ones() as usize).sum();
        let docs = values.num_docs();
        // The two ways' costs in ns, as timed on every segment of the 1M generated index's
        // facet queries (reused arrays): 5.0 a value counted; 2.8 a distinct value of the
        // segment, then 2.9 a value taken back (the pass over the distinct values leaves
        // their counts in cache, and a count taken back has no first-sight check). Counting
        // the non-matches wins from about 40 % of the segment matching.
        let values_per_doc = values.ids.len() as f64 / docs.max(1) as f64;
        let direct = 5.0 * matches as f64 * values_per_doc;
        let complement = 2.8 * values.distinct as f64 + 2.9 * (docs - matches.min(docs)) as f64 * values_per_doc;
        let totals = &mut self.totals;
        if direct <= complement {
            each_values(values, self.matched.iter().copied(), |ids| {
                for &id in ids {
                    totals.add(id, 1);
                }
            });
        } else {
            for &(id, n) in values.everywhere() {
                totals.add(id, n);
            }
            // Bits past the last document have no values.
            each_values(values, self.matched.iter().map(|word| !word), |ids| {
                for &id in ids {
                    totals.remove(id, 1);
                }
            });
        }
        lock(&self.pool).push(self.totals);
    }
}

/// Calls `count` with the values of each document whose bit is set in `words` (a bit per
/// document, from the first), reading the values of 16 documents before counting any. The
/// values of a million reports take tens of megabytes, so those of a match are rarely in a
/// cache: read one after the other, each waits for memory; read 16 at a time, the waits
/// overlap. On the 1M generated index, the counting of the facet queries' median went from
/// 21.5 to 18–21 ms of CPU (a test program counting a tenth of such an array: 9 to 4 ns a
/// value).
fn each_values(values: &SegmentValues, words: impl Iterator<Item = u64>, mut count: impl FnMut(&[u32])) {
    const AHEAD: usize = 16;
    let mut docs = [0usize; AHEAD];
    let mut pending = 0;
    let mut flush = |docs: &[usize]| {
        let mut touched = 0;
        for &doc in docs {
            let ids = values.of(doc);
            touched ^= ids.first().copied().unwrap_or(0) ^ ids.last().copied().unwrap_or(0);
        }
        std::hint::black_box(touched);
        for &doc in docs {
            count(values.of(doc));
        }
    };
    for (w, word) in words.enumerate() {
        let mut bits = word;
        while bits != 0 {
            if let Some(slot) = docs.get_mut(pending) {
                *slot = w * 64 + bits.trailing_zeros() as usize;
            }
            bits &= bits - 1;
            pending += 1;
            if pending == AHEAD {
                flush(&docs);
                pending = 0;
            }
        }
    }
    flush(docs.get(..pending).unwrap_or_default());
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

#[cfg(test)]
mod tests {
    use super::{Totals, keep_most_frequent};

    /// A count taken back to zero and counted again is summed once: a thread's totals see a
    /// segment counted by its non-matching documents, then a segment counted directly.
    #[test]
    fn a_count_taken_back_and_counted_again_is_summed_once() {
        let mut thread = Totals::default();
        thread.reserve(1000);
        thread.add(7, 3);
        thread.remove(7, 3);
        thread.add(7, 1);
        thread.add(9, 2);
        let mut total = Totals::default();
        total.reserve(1000);
        total.add(7, 1);
        total.absorb(&mut thread);
        total.distinct_met();
        assert_eq!((total.counts[7], total.counts[9]), (2, 2));
        let mut met = total.met.clone();
        met.sort_unstable();
        assert_eq!(met, [7, 9]);
    }

    /// The cut made by comparing names only among ties is the one a full sort by count, then
    /// name, makes.
    #[test]
    fn the_most_frequent_values_are_those_a_full_sort_keeps() {
        let names: Vec<String> = (0..500u32).map(|i| format!("name {:03}", (i * 7919) % 500)).collect();
        let name = |id: u32| names[id as usize].as_str();
        let mut seed = 17u64;
        for round in 0..50 {
            let len = (round * 13) % 500;
            let counted: Vec<(u64, u32)> =
                (0..len as u32).map(|id| (crate::hash::next_random(&mut seed) % 6 + 1, id)).collect();
            for limit in [0, 1, 5, 100, 600] {
                let mut sorted = counted.clone();
                sorted.sort_by(|a, b| b.0.cmp(&a.0).then(name(a.1).cmp(name(b.1))));
                sorted.truncate(limit);
                let mut kept = counted.clone();
                keep_most_frequent(&mut kept, limit, name);
                kept.sort_by(|a, b| b.0.cmp(&a.0).then(name(a.1).cmp(name(b.1))));
                assert_eq!(kept, sorted, "{len} values, limit {limit}");
            }
        }
    }
}
