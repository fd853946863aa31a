//! The story assigner: decides each new report's story against the reports of its date
//! window, held in memory.
//!
//! The reports a dated report may join are those dated within
//! [`StoryOptions::window_days`] days of it. The assigner keeps them in memory: every report
//! added since it was made, and the committed reports of every week a new report's window
//! touched, read back from the index once (their stored signatures). Candidates are found in
//! an inverted list over the signatures' terms, rarest first and at most [`MAX_WALKED`]
//! entries after the first list, and a story's members in the window are counted in memory,
//! so a decision costs a bounded walk and at most [`StoryOptions::max_candidates`] cosines,
//! never a query of the index, however many reports a window holds. When more than
//! [`StoryOptions::max_held`] reports are held, the committed reports of the weeks no window
//! has touched for longest are let go (down to half of it): they are in the index, and are
//! read back when a window needs them again. Memory is so bounded whatever the order of the
//! reports' dates, and the weeks a run keeps coming back to stay held; but when the dates of
//! a collection far larger than the bound come in random order, most windows read their
//! weeks back from the stored documents, which is slow (at 100,000 synthetic reports and a
//! bound of 20,000, several times slower than holding them all).
//!
//! An undated report may join any story: its committed candidates come from a query of the
//! index (its heaviest terms, the best by BM25), the uncommitted ones from memory.

use std::sync::Arc;

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, DocAddress, Searcher, TantivyDocument, Term};

use super::{Features, Link, Signature, StoryOptions, stored_signature, story_id, term_key};
use crate::Index;
use crate::hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use crate::index::index_error;
use crate::schema::Fields;

/// Most committed candidates of undated reports kept read back until the next commit.
const MAX_CACHED: usize = 20_000;

/// Most entries of the candidate lists walked for a decision, after the first list (see
/// [`Assigner::held_candidates`]).
const MAX_WALKED: usize = 2_048;

/// A window wider than this many weeks is read back whole.
const MAX_WINDOW_WEEKS: i64 = 1_000;

/// A held report's weights are computed again when the collection has grown by more than
/// 1/32 since they were. Between two weighings N grows by at most that fraction, so a term's
/// idf, ln(1 + N/df), rises by at most ln(33/32) ≈ 0.03 (its df only grows, which lowers it),
/// and each report is weighed again a logarithmic number of times. Below 32 reports weights
/// are always current. Weighing every candidate at every decision costs about as much as the
/// rest of the decision; after growth by one half instead, the sample corpus got a wrong
/// merge (BENCHMARKS.md, stories' share).
const REWEIGH_GROWTH: u64 = 32;

/// The day of an undated report held, in [`Assigner::days`].
const UNDATED: i64 = i64::MIN;

/// The day of a report held that is gone, in [`Assigner::days`].
const GONE: i64 = i64::MIN + 1;

/// A term's number in the [`Vocabulary`].
type TermId = u32;

/// A story's number in the assigner's table of story ids.
type StoryNo = u32;

/// The terms of the signatures in memory, numbered in order, with their body document
/// frequencies: looking a term's frequency up by number instead of by text is most of what
/// keeps a decision cheap.
///
/// Terms are found by their [`term_key`], which the workers compute: numbering a report's
/// few hundred terms is then one probe of a table of integers each, where hashing and
/// comparing texts, one cache miss for the table and one for the text, took a third of the
/// deciding thread's time on 10,000 synthetic reports.
#[derive(Default)]
struct Vocabulary {
    numbers: HashMap<u64, TermId>,
    texts: Vec<Box<str>>,
    stats: Vec<TermStats>,
}

/// A term's body document frequency, in two parts; side by side and small, so that counting
/// a report's terms and weighing them touches one place in memory per term, and the
/// frequencies of more terms stay in the processor's caches.
#[derive(Debug, Clone, Copy)]
struct TermStats {
    /// In the last commit, once looked up; [`NOT_LOOKED_UP`] until then. Frequencies past
    /// `u32::MAX - 1` are counted as that (an idf then differs in its tenth decimal).
    committed: u32,
    /// Among the reports added since.
    recent: u32,
}

/// [`TermStats::committed`] before it is looked up.
const NOT_LOOKED_UP: u32 = u32::MAX;

impl TermStats {
    const NEW: TermStats = TermStats { committed: NOT_LOOKED_UP, recent: 0 };
}

impl Vocabulary {
    /// The number of the term `text`, whose key is `key`.
    fn id(&mut self, key: u64, text: &str) -> TermId {
        let next = self.texts.len() as TermId;
        let id = *self.numbers.entry(key).or_insert(next);
        if id == next {
            self.texts.push(text.into());
            self.stats.push(TermStats::NEW);
        }
        id
    }
}

/// A report a later one may join: its signature by term number, in number order.
struct Entry {
    id: Box<str>,
    file: Box<str>,
    story: StoryNo,
    days: Option<i64>,
    terms: Vec<TermId>,
    /// The terms it is found by (its heaviest), in the lists of [`Assigner::postings`].
    keys: Vec<TermId>,
    /// The weights before idf, in `terms`' order.
    raw: Vec<f32>,
    /// The unit tf-idf weights, with the idf of when they were last computed.
    weights: Vec<f32>,
    /// The number of reports the idf was computed over.
    weighed_at: u64,
    /// Deleted or replaced since it was added.
    gone: bool,
    /// In the index's last commit.
    committed: bool,
}

impl Entry {
    /// A report of `story` held, not gone, with its signature (term numbers, weights before
    /// idf, unit weights weighed over `num_docs` reports, and the terms it is found by).
    fn new(
        id: &str,
        file: &str,
        story: StoryNo,
        days: Option<i64>,
        (terms, raw, weights, keys): (Vec<TermId>, Vec<f32>, Vec<f32>, Vec<TermId>),
        num_docs: u64,
        committed: bool,
    ) -> Entry {
        let (id, file) = (id.into(), file.into());
        Entry { id, file, story, days, terms, keys, raw, weights, weighed_at: num_docs, gone: false, committed }
    }
}

/// The dot product of a signature with weights spread by term number (zero elsewhere): the
/// cosine when both are of unit length.
fn dot(dense: &[f32], (terms, weights): (&[TermId], &[f32])) -> f32 {
    terms.iter().zip(weights).map(|(&t, w)| dense.get(t as usize).copied().unwrap_or(0.0) * w).sum()
}

/// Whether a report dated `candidate` may be a candidate of one dated `report`: a dated report
/// looks only at reports dated within the window, so an undated report never chains stories
/// of different days; an undated one looks at all.
fn in_window(report: Option<i64>, candidate: Option<i64>, window: i64) -> bool {
    match (report, candidate) {
        (Some(a), Some(b)) => a.abs_diff(b) <= window.unsigned_abs(),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// A candidate of a decision: a report in memory, or a committed one read back for an
/// undated report.
enum Candidate {
    Held(u32),
    Read(Arc<Entry>),
}

/// Decides the story of each new report (see the module docs). One per indexer; reports
/// are handed to it one at a time, in order.
pub(crate) struct Assigner {
    index: Index,
    fields: Fields,
    options: StoryOptions,
    searcher: Searcher,
    vocabulary: Vocabulary,
    /// The reports held.
    entries: Vec<Entry>,
    /// Per held report, its day, [`UNDATED`] or [`GONE`]: what the walk of the lists reads,
    /// kept apart from the entries so that the walk stays in cache.
    days: Vec<i64>,
    /// For each term number and week, the dated reports held whose signature has the term:
    /// a dated report walks only the weeks of its window.
    postings: HashMap<(TermId, i64), Vec<u32>>,
    /// For each term number, the reports added since the last commit whose signature has it
    /// (the held candidates of an undated report).
    recent_postings: HashMap<TermId, Vec<u32>>,
    /// Per held report, scratch for the candidates' scores: reused, so a decision allocates
    /// nothing for them.
    scores: Vec<f32>,
    touched: Vec<u32>,
    /// Per term number, scratch for the new report's weights, to take cosines with.
    mine: Vec<f32>,
    /// The held reports of each id and of each file, to mark them gone.
    by_id: HashMap<Box<str>, Vec<u32>>,
    by_file: HashMap<Box<str>, Vec<u32>>,
    /// Story ids by number, and the held reports of each story.
    story_numbers: HashMap<Box<str>, StoryNo>,
    story_ids: Vec<Box<str>>,
    members: Vec<Vec<u32>>,
    /// The weeks (days since the epoch divided by 7) whose committed reports are held.
    loaded_weeks: HashSet<i64>,
    /// When a window last touched each week, in decisions ([`Assigner::clock`]).
    week_used: HashMap<i64, u64>,
    /// Decisions so far.
    clock: u64,
    /// Reports held past which some are let go ([`Assigner::evict`]).
    evict_above: usize,
    /// Every committed report is held.
    loaded_all: bool,
    /// Reports added since the last commit.
    uncommitted: u64,
    /// Ids and files deleted since the last commit: still in the searcher, never read back.
    deleted_ids: HashSet<Box<str>>,
    deleted_files: HashSet<Box<str>>,
    /// Committed candidates of undated reports read back since the last commit.
    read_back: HashMap<DocAddress, Arc<Entry>>,
}

impl Assigner {
    pub(crate) fn new(index: &Index, options: StoryOptions) -> Assigner {
        Assigner {
            index: index.clone(),
            fields: index.fields,
            options,
            searcher: index.reader.searcher(),
            vocabulary: Vocabulary::default(),
            entries: Vec::new(),
            days: Vec::new(),
            postings: HashMap::default(),
            recent_postings: HashMap::default(),
            scores: Vec::new(),
            touched: Vec::new(),
            mine: Vec::new(),
            by_id: HashMap::default(),
            by_file: HashMap::default(),
            story_numbers: HashMap::default(),
            story_ids: Vec::new(),
            members: Vec::new(),
            loaded_weeks: HashSet::default(),
            week_used: HashMap::default(),
            clock: 0,
            evict_above: options.max_held,
            loaded_all: false,
            uncommitted: 0,
            deleted_ids: HashSet::default(),
            deleted_files: HashSet::default(),
            read_back: HashMap::default(),
        }
    }

    pub(crate) fn options(&self) -> &StoryOptions {
        &self.options
    }

    pub(crate) fn set_options(&mut self, options: StoryOptions) {
        if options.window_days != self.options.window_days {
            // The weeks held were chosen for the old window.
            self.forget();
        }
        if options.max_held != self.options.max_held {
            self.evict_above = options.max_held;
        }
        self.options = options;
    }

    /// The committed reports with this id are being replaced or deleted.
    pub(crate) fn deleted_id(&mut self, id: &str) {
        if self.options.enabled {
            let held = self.by_id.get(id).cloned().unwrap_or_default();
            self.mark_gone(&held);
            self.deleted_ids.insert(id.into());
        }
    }

    /// The committed reports of this file are being replaced or deleted.
    pub(crate) fn deleted_file(&mut self, file: &str) {
        if self.options.enabled {
            let held = self.by_file.get(file).cloned().unwrap_or_default();
            self.mark_gone(&held);
            self.deleted_files.insert(file.into());
        }
    }

    /// Marks held reports gone: no longer candidates, nor counted as members.
    fn mark_gone(&mut self, held: &[u32]) {
        for &at in held {
            if let Some(entry) = self.entries.get_mut(at as usize) {
                entry.gone = true;
                self.days[at as usize] = GONE;
            }
        }
    }

    /// The indexer committed: what was added is now in the index.
    pub(crate) fn committed(&mut self) {
        self.searcher = self.index.reader.searcher();
        self.vocabulary.stats.fill(TermStats::NEW);
        self.uncommitted = 0;
        self.deleted_ids.clear();
        self.deleted_files.clear();
        self.read_back.clear();
        self.recent_postings.clear();
        self.entries.iter_mut().for_each(|e| e.committed = true);
        if self.entries.len() > self.options.max_held {
            self.evict();
        }
    }

    /// The indexer dropped its changes since the last commit: what was held may be among them.
    pub(crate) fn rolled_back(&mut self) {
        self.committed();
        self.forget();
    }

    /// Lets go of every report held; they are read back from the index as they are needed.
    fn forget(&mut self) {
        self.vocabulary = Vocabulary::default();
        self.entries = Vec::new();
        self.days = Vec::new();
        self.postings = HashMap::default();
        self.recent_postings = HashMap::default();
        self.scores = Vec::new();
        self.touched = Vec::new();
        self.mine = Vec::new();
        self.by_id = HashMap::default();
        self.by_file = HashMap::default();
        self.story_numbers = HashMap::default();
        self.story_ids = Vec::new();
        self.members = Vec::new();
        self.loaded_weeks = HashSet::default();
        self.week_used = HashMap::default();
        self.evict_above = self.options.max_held;
        self.loaded_all = false;
        self.read_back.clear();
    }

    /// Lets go of the committed reports of the weeks no window has touched for longest, and
    /// of every committed undated or gone report, until at most half of
    /// [`StoryOptions::max_held`] are held (fewer cannot be: reports not committed stay),
    /// then numbers the rest anew. The weeks let go are read back when a window needs them.
    fn evict(&mut self) {
        let target = self.options.max_held / 2;
        let mut per_week: HashMap<i64, usize> = HashMap::default();
        let mut kept = 0;
        for e in &self.entries {
            match e.days {
                _ if !e.committed => kept += 1,
                Some(d) if !e.gone => *per_week.entry(d.div_euclid(7)).or_default() += 1,
                _ => {}
            }
        }
        // The weeks most recently used first; kept while they fit.
        let mut weeks: Vec<(u64, i64)> =
            per_week.keys().map(|&w| (self.week_used.get(&w).copied().unwrap_or(0), w)).collect();
        weeks.sort_unstable_by(|a, b| b.cmp(a));
        let mut keep: HashSet<i64> = HashSet::default();
        for (_, week) in weeks {
            let n = per_week[&week];
            if kept + n > target {
                break;
            }
            kept += n;
            keep.insert(week);
        }
        let entries = std::mem::take(&mut self.entries);
        let held = |e: &Entry| !e.committed || (!e.gone && e.days.is_some_and(|d| keep.contains(&d.div_euclid(7))));
        let entries: Vec<Entry> = entries.into_iter().filter(held).collect();
        self.days.clear();
        self.postings.clear();
        self.recent_postings.clear();
        self.by_id.clear();
        self.by_file.clear();
        self.members.iter_mut().for_each(Vec::clear);
        // Weeks read with nothing committed in them cost nothing to keep.
        self.loaded_weeks.retain(|w| keep.contains(w) || !per_week.contains_key(w));
        self.week_used.retain(|w, _| keep.contains(w) || !per_week.contains_key(w));
        self.loaded_all = false;
        for entry in entries {
            self.hold(entry);
        }
        // The next eviction once as many more are held as this one let go to, so that a run
        // whose uncommitted reports alone pass the bound does not evict at every decision.
        self.evict_above = self.options.max_held.max(self.entries.len() + target);
    }

    fn story_no(&mut self, story: &str) -> StoryNo {
        if let Some(&no) = self.story_numbers.get(story) {
            return no;
        }
        let no = self.story_ids.len() as StoryNo;
        self.story_numbers.insert(story.into(), no);
        self.story_ids.push(story.into());
        self.members.push(Vec::new());
        no
    }

    /// Reports in the index and added since, for idf.
    fn num_docs(&self) -> u64 {
        self.searcher.num_docs() + self.uncommitted
    }

    /// The inverse body document frequency of the term numbered `term`: in the last commit
    /// (looked up once) and among the reports added since.
    fn idf(&mut self, term: TermId, num_docs: u64) -> f32 {
        let at = term as usize;
        let stats = &mut self.vocabulary.stats[at];
        if stats.committed == NOT_LOOKED_UP {
            let text = &self.vocabulary.texts[at];
            let df = self.searcher.doc_freq(&Term::from_field_text(self.fields.body, text)).unwrap_or(0);
            stats.committed = u32::try_from(df).unwrap_or(NOT_LOOKED_UP - 1).min(NOT_LOOKED_UP - 1);
        }
        let df = (u64::from(stats.committed) + u64::from(stats.recent)).max(1);
        (1.0 + num_docs as f32 / df as f32).ln()
    }

    /// The unit tf-idf weights of `raw` weights of the terms numbered `terms`.
    fn weigh(&mut self, terms: &[TermId], raw: &[f32], num_docs: u64) -> Vec<f32> {
        let mut out: Vec<f32> = terms.iter().zip(raw).map(|(&t, w)| w * self.idf(t, num_docs)).collect();
        let norm = out.iter().map(|w| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|w| *w /= norm);
        }
        out
    }

    /// Brings the weights of a held report up to date when the collection has grown by more
    /// than 1/[`REWEIGH_GROWTH`] since they were computed (see there).
    fn refresh(&mut self, at: u32, num_docs: u64) {
        let Some(entry) = self.entries.get_mut(at as usize) else { return };
        if entry.weighed_at + entry.weighed_at / REWEIGH_GROWTH >= num_docs {
            return;
        }
        let (terms, raw) = (std::mem::take(&mut entry.terms), std::mem::take(&mut entry.raw));
        let weights = self.weigh(&terms, &raw, num_docs);
        let entry = &mut self.entries[at as usize];
        (entry.terms, entry.raw, entry.weights, entry.weighed_at) = (terms, raw, weights, num_docs);
    }

    /// Decides the story of a new report, remembers it as a candidate for the next ones, and
    /// returns its story id and stored signature.
    pub(crate) fn assign(
        &mut self,
        id: &str,
        file: &str,
        days: Option<i64>,
        features: Features,
    ) -> crate::Result<(String, String)> {
        if !self.options.enabled {
            return Ok((story_id(id), String::new()));
        }
        self.clock += 1;
        if self.entries.len() > self.evict_above {
            self.evict();
        }
        if let Some(days) = days {
            self.load_window(days)?;
        }
        // The report counts in the frequencies it is weighed by.
        self.uncommitted += 1;
        let num_docs = self.num_docs();
        // (weight, weight before idf, term, its place in `features`). A report's terms are
        // distinct, so each term's idf may count the report as soon as the term is numbered.
        let mut weighted: Vec<(f32, f32, TermId, u32)> = Vec::with_capacity(features.keyed().len());
        for (i, (key, w)) in features.keyed().enumerate() {
            let n = self.vocabulary.id(key, features.text(i));
            let stats = &mut self.vocabulary.stats[n as usize];
            stats.recent = stats.recent.saturating_add(1);
            weighted.push((w * self.idf(n, num_docs), w, n, i as u32));
        }
        let text = |w: &(f32, f32, TermId, u32)| features.text(w.3 as usize);
        let heavier = |a: &(f32, f32, TermId, u32), b: &(f32, f32, TermId, u32)| {
            b.0.total_cmp(&a.0).then_with(|| text(a).cmp(text(b)))
        };
        let keep = self.options.sig_terms;
        if weighted.len() > keep && keep > 0 {
            weighted.select_nth_unstable_by(keep - 1, heavier);
        }
        weighted.truncate(keep);
        weighted.sort_unstable_by(heavier);
        let stored = stored_signature(weighted.iter().map(|w| (text(w), w.1)));
        let query: Vec<TermId> = weighted.iter().take(self.options.query_terms).map(|w| w.2).collect();
        weighted.sort_unstable_by_key(|w| w.2);
        let terms: Vec<TermId> = weighted.iter().map(|w| w.2).collect();
        let raw: Vec<f32> = weighted.iter().map(|w| w.1).collect();
        let mut weights: Vec<f32> = weighted.iter().map(|w| w.0).collect();
        let norm = weights.iter().map(|w| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            weights.iter_mut().for_each(|w| *w /= norm);
        }
        let story = match self.decide(id, days, (&terms, &weights), &query, num_docs)? {
            Some(story) => story,
            None => story_id(id),
        };
        let entry = Entry::new(id, file, self.story_no(&story), days, (terms, raw, weights, query), num_docs, false);
        self.hold(entry);
        Ok((story, stored))
    }

    /// Adds a report to those held, found by its keys.
    fn hold(&mut self, entry: Entry) {
        let at = self.entries.len() as u32;
        for &t in &entry.keys {
            if let Some(days) = entry.days {
                self.postings.entry((t, days.div_euclid(7))).or_default().push(at);
            }
            if !entry.committed {
                self.recent_postings.entry(t).or_default().push(at);
            }
        }
        self.by_id.entry(entry.id.clone()).or_default().push(at);
        if !entry.file.is_empty() {
            self.by_file.entry(entry.file.clone()).or_default().push(at);
        }
        self.members[entry.story as usize].push(at);
        self.days.push(if entry.gone { GONE } else { entry.days.unwrap_or(UNDATED) });
        self.entries.push(entry);
    }

    /// The story the report joins, if any.
    fn decide(
        &mut self,
        id: &str,
        days: Option<i64>,
        mine: (&[TermId], &[f32]),
        query: &[TermId],
        num_docs: u64,
    ) -> crate::Result<Option<String>> {
        if query.is_empty() {
            return Ok(None);
        }
        let mut candidates: Vec<Candidate> = self.held_candidates(id, days, query, num_docs);
        if days.is_none() {
            candidates.extend(self.read_candidates(id, query, num_docs)?.into_iter().map(Candidate::Read));
        }
        // The report's weights spread by term number, for the cosines, and cleared after.
        let size = self.vocabulary.texts.len();
        if self.mine.len() < size {
            self.mine.resize(size, 0.0);
        }
        for (&t, &w) in mine.0.iter().zip(mine.1) {
            self.mine[t as usize] = w;
        }
        // story → (best, sum, members)
        let mut stories: HashMap<StoryNo, (f32, f32, u32)> = HashMap::default();
        for candidate in candidates {
            let (story, similarity) = match candidate {
                Candidate::Held(at) => {
                    self.refresh(at, num_docs);
                    let e = &self.entries[at as usize];
                    (e.story, dot(&self.mine, (&e.terms, &e.weights)))
                }
                Candidate::Read(e) => (e.story, dot(&self.mine, (&e.terms, &e.weights))),
            };
            let entry = stories.entry(story).or_insert((0.0, 0.0, 0));
            entry.0 = entry.0.max(similarity);
            entry.1 += similarity;
            entry.2 += 1;
        }
        for &t in mine.0 {
            self.mine[t as usize] = 0.0;
        }
        let (all_sum, all_n) = stories.values().fold((0.0, 0), |(s, k), (_, sum, n)| (s + sum, k + n));
        let mut best: Option<(f32, StoryNo, f32, u32)> = None;
        for (story, (max, sum, n)) in stories {
            // A story's score is at most its best member's: below the threshold, no count.
            if max < self.options.threshold {
                continue;
            }
            let score = match self.options.link {
                Link::Max => max,
                // Members in the window the candidates did not include count as dissimilar:
                // one similar member does not pull a report into a large story about other
                // things.
                Link::Average => sum / self.members_in_window(story, days)?.max(n) as f32,
            };
            let better = match &best {
                Some((s, other, ..)) => {
                    score > *s || (score == *s && self.story_ids[story as usize] < self.story_ids[*other as usize])
                }
                None => true,
            };
            if better {
                best = Some((score, story, sum, n));
            }
        }
        // The story must stand out from the other candidates, the report's background: in a
        // collection where every report names the same leaders, all similarities are high.
        Ok(best.and_then(|(score, story, sum, n)| {
            let others = all_n - n;
            let background = if others == 0 { 0.0 } else { (all_sum - sum) / others as f32 };
            (score >= self.options.threshold && score - background >= self.options.margin)
                .then(|| self.story_ids[story as usize].to_string())
        }))
    }

    /// Candidates among the reports held: those whose signature shares terms of the query,
    /// most shared idf first. A dated report's are those of its window; an undated report's
    /// the uncommitted ones (the committed ones are read back by the query of the index).
    fn held_candidates(&mut self, id: &str, days: Option<i64>, query: &[TermId], num_docs: u64) -> Vec<Candidate> {
        let window = self.options.window_days;
        let weeks = days.map(|d| {
            let w = window.abs();
            d.saturating_sub(w).div_euclid(7)..=d.saturating_add(w).div_euclid(7)
        });
        self.scores.resize(self.entries.len(), 0.0);
        // The query's terms, shortest list first (the rarest, which tell most), walked while
        // the lists' entries fit in [`MAX_WALKED`]: past it, the longer lists of common
        // terms add little to which reports come first, and walking them made a decision's
        // cost grow with the number of reports in a window.
        let listed = |term: TermId| -> usize {
            match &weeks {
                Some(weeks) if weeks.end() - weeks.start() <= MAX_WINDOW_WEEKS => {
                    weeks.clone().filter_map(|week| self.postings.get(&(term, week))).map(Vec::len).sum()
                }
                // Very wide windows and undated reports are not bounded.
                _ => 0,
            }
        };
        let mut order: Vec<(usize, TermId)> = query.iter().map(|&t| (listed(t), t)).collect();
        order.sort_unstable();
        let mut budget = MAX_WALKED;
        for (walked, (length, term)) in order.into_iter().enumerate() {
            // Always one list, however long.
            if walked > 0 && length > budget {
                break;
            }
            budget = budget.saturating_sub(length);
            let idf = self.idf(term, num_docs);
            let mut add = |postings: Option<&Vec<u32>>| {
                for &at in postings.into_iter().flatten() {
                    let day = self.days[at as usize];
                    let eligible = match days {
                        // Undated and gone reports are far from every day.
                        Some(d) => d.abs_diff(day) <= window.unsigned_abs(),
                        None => day != GONE,
                    };
                    if !eligible {
                        continue;
                    }
                    let score = &mut self.scores[at as usize];
                    if *score == 0.0 {
                        self.touched.push(at);
                    }
                    *score += idf;
                }
            };
            match &weeks {
                Some(weeks) if weeks.end() - weeks.start() <= MAX_WINDOW_WEEKS => {
                    for week in weeks.clone() {
                        add(self.postings.get(&(term, week)));
                    }
                }
                Some(_) => {
                    for ((_, _), postings) in self.postings.iter().filter(|((t, _), _)| *t == term) {
                        add(Some(postings));
                    }
                }
                None => add(self.recent_postings.get(&term)),
            }
        }
        let mut found: Vec<(f32, u32)> =
            self.touched.drain(..).map(|at| (std::mem::take(&mut self.scores[at as usize]), at)).collect();
        let better = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1));
        // One more than kept, in case the report's own id is among them (comparing ids only
        // here: there are thousands of scored reports and a few dozen kept).
        let keep = self.options.max_candidates;
        if found.len() > keep + 1 {
            found.select_nth_unstable_by(keep, better);
            found.truncate(keep + 1);
        }
        found.sort_by(better);
        found.retain(|&(_, at)| &*self.entries[at as usize].id != id);
        found.truncate(keep);
        found.into_iter().map(|(_, at)| Candidate::Held(at)).collect()
    }

    /// How many reports of `story` are dated within the window of `days` (all of them when
    /// either is undated). A dated report's window is held whole; for an undated report the
    /// committed ones are counted in the index.
    fn members_in_window(&self, story: StoryNo, days: Option<i64>) -> crate::Result<u32> {
        let window = self.options.window_days;
        let held = &self.members[story as usize];
        let held_in = |keep: &dyn Fn(&Entry) -> bool| {
            held.iter().filter(|&&at| self.entries.get(at as usize).is_some_and(|e| !e.gone && keep(e))).count() as u32
        };
        if days.is_some() {
            return Ok(held_in(&|e| in_window(days, e.days, window)));
        }
        let uncommitted = held_in(&|e| !e.committed);
        if self.searcher.num_docs() == 0 {
            return Ok(uncommitted);
        }
        let term = Term::from_field_text(self.fields.story, &self.story_ids[story as usize]);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let committed =
            self.searcher.search(&query, &Count).map_err(|e| index_error(&self.index.location(), e))? as u32;
        Ok(uncommitted + committed)
    }

    /// Reads back the committed reports of the weeks the window of `days` touches that are
    /// not held yet.
    fn load_window(&mut self, days: i64) -> crate::Result<()> {
        if self.loaded_all || self.searcher.num_docs() == 0 {
            return Ok(());
        }
        let window = self.options.window_days.abs();
        let (first, last) = (days.saturating_sub(window).div_euclid(7), days.saturating_add(window).div_euclid(7));
        if last - first > MAX_WINDOW_WEEKS {
            self.loaded_all = true;
            return self.read_committed(None);
        }
        for week in first..=last {
            self.week_used.insert(week, self.clock);
        }
        let mut week = first;
        while week <= last {
            if self.loaded_weeks.contains(&week) {
                week += 1;
                continue;
            }
            // A run of weeks not held yet, read with one query.
            let start = week;
            while week <= last && !self.loaded_weeks.contains(&week) {
                self.loaded_weeks.insert(week);
                week += 1;
            }
            self.read_committed(Some((start * 7, week * 7 - 1)))?;
        }
        Ok(())
    }

    /// Reads back and holds the committed reports dated in `days` (first and last day), or
    /// all of them.
    fn read_committed(&mut self, days: Option<(i64, i64)>) -> crate::Result<()> {
        let f = self.fields;
        let at = self.index.location();
        let day = |d: i64| Term::from_field_date(f.date, DateTime::from_timestamp_secs(crate::date::indexable_secs(d)));
        let addresses = match days {
            Some((from, to)) => {
                let range = RangeQuery::new(std::ops::Bound::Included(day(from)), std::ops::Bound::Included(day(to)));
                self.searcher.search(&range, &DocSetCollector)
            }
            None => self.searcher.search(&tantivy::query::AllQuery, &DocSetCollector),
        }
        .map_err(|e| index_error(&at, e))?;
        let mut addresses: Vec<DocAddress> = addresses.into_iter().collect();
        addresses.sort();
        let num_docs = self.num_docs();
        for address in addresses {
            let doc: TantivyDocument = self.searcher.doc(address).map_err(|e| index_error(&at, e))?;
            // A report added in this run and committed since is held already.
            let id = doc.get_first(self.fields.id).and_then(|v| v.as_str()).unwrap_or_default();
            if self.holds(id) {
                continue;
            }
            if let Some(mut entry) = self.read_entry(&doc, num_docs) {
                // Found by its heaviest terms, as a report added in this run is.
                let mut keys: Vec<(f32, TermId)> =
                    entry.weights.iter().copied().zip(entry.terms.iter().copied()).collect();
                keys.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
                entry.keys = keys.into_iter().take(self.options.query_terms).map(|k| k.1).collect();
                self.hold(entry);
            }
        }
        Ok(())
    }

    /// Whether a report with this id is held and not gone.
    fn holds(&self, id: &str) -> bool {
        self.by_id.get(id).is_some_and(|held| held.iter().any(|&at| !self.entries[at as usize].gone))
    }

    /// A committed report as a candidate, unless it has no signature or is being replaced.
    fn read_entry(&mut self, doc: &TantivyDocument, num_docs: u64) -> Option<Entry> {
        let f = self.fields;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
        let (id, file, story, sig) = (text(f.id), text(f.file), text(f.story), text(f.story_sig));
        if sig.is_empty() || self.deleted_ids.contains(id) || self.deleted_files.contains(file) {
            return None;
        }
        let days =
            doc.get_first(f.date).and_then(|v| v.as_datetime()).map(|d| d.into_timestamp_secs().div_euclid(86_400));
        let story = if story.is_empty() { story_id(id) } else { story.to_string() };
        let mut pairs: Vec<(TermId, f32)> =
            Signature::from_stored(sig).terms.iter().map(|(t, w)| (self.vocabulary.id(term_key(t), t), *w)).collect();
        pairs.sort_by_key(|p| p.0);
        let (terms, raw): (Vec<TermId>, Vec<f32>) = pairs.into_iter().unzip();
        let weights = self.weigh(&terms, &raw, num_docs);
        // No keys: only a report held is found by them (see `read_committed`).
        Some(Entry::new(id, file, self.story_no(&story), days, (terms, raw, weights, Vec::new()), num_docs, true))
    }

    /// An undated report's committed candidates: its query over the whole index, the best by
    /// BM25, read back once per commit.
    fn read_candidates(&mut self, id: &str, query: &[TermId], num_docs: u64) -> crate::Result<Vec<Arc<Entry>>> {
        if self.searcher.num_docs() == 0 {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let terms: Vec<(Occur, Box<dyn Query>)> = query
            .iter()
            .map(|&t| {
                let text = &self.vocabulary.texts[t as usize];
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(Term::from_field_text(f.body, text), IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        let at = self.index.location();
        let top = self
            .searcher
            .search(&BooleanQuery::new(terms), &TopDocs::with_limit(self.options.max_candidates).order_by_score())
            .map_err(|e| index_error(&at, e))?;
        let mut out = Vec::with_capacity(top.len());
        for (_, address) in top {
            let known = match self.read_back.get(&address) {
                Some(known) => Arc::clone(known),
                None => {
                    let doc: TantivyDocument = self.searcher.doc(address).map_err(|e| index_error(&at, e))?;
                    let Some(entry) = self.read_entry(&doc, num_docs) else { continue };
                    if self.read_back.len() >= MAX_CACHED {
                        self.read_back.clear();
                    }
                    let known = Arc::new(entry);
                    self.read_back.insert(address, Arc::clone(&known));
                    known
                }
            };
            if &*known.id == id || self.deleted_ids.contains(&*known.id) || self.deleted_files.contains(&*known.file) {
                continue;
            }
            out.push(known);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_keeps_its_number_and_text() {
        let mut vocabulary = Vocabulary::default();
        let putin = vocabulary.id(term_key("putin"), "putin");
        let iran = vocabulary.id(term_key("iran"), "iran");
        assert_ne!(putin, iran);
        assert_eq!(vocabulary.id(term_key("putin"), "putin"), putin);
        assert_eq!(&*vocabulary.texts[iran as usize], "iran");
        assert_eq!(vocabulary.stats.len(), 2);
        assert_eq!(vocabulary.stats[putin as usize].committed, NOT_LOOKED_UP);
    }
}
