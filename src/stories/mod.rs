//! Stories: reports of the same event, told by one outlet or several, grouped at index time.
//!
//! Every report gets a `story` id when it is indexed. The [`Indexer`](crate::Indexer) hands
//! each new report to its story assigner, in the order of the walk (so a run is deterministic),
//! which either joins it to the story of the reports it retells or starts a new story.
//!
//! **Signature.** A report is described by a weighted bag of its terms
//! (its features): each content term (function words and numbers left out) weighs
//! `1 + ln tf`, a title occurrence counting [`StoryOptions::title_weight`] body occurrences;
//! a term written capitalised in most of its occurrences (a name: `Pinochet`, `Istanbul`)
//! weighs [`StoryOptions::name_boost`] times more. Multiplied by the term's inverse document
//! frequency in the index, the [`StoryOptions::sig_terms`] heaviest terms are the report's
//! signature, stored with it (`story_sig`), so later reports compare with it without
//! analysing it again.
//!
//! **Candidates** come from the index itself: the [`StoryOptions::query_terms`] heaviest
//! terms of the signature as a query over the reports dated within
//! [`StoryOptions::window_days`] days of the new one, the best
//! [`StoryOptions::max_candidates`] by BM25; reports added since the last commit (not yet
//! searchable) are found the same way in a small in-memory table that the commit empties.
//! The cost of a report is bounded by these constants, not by the size of the corpus.
//!
//! **Decision.** The similarity of two reports is the cosine of their tf-idf signatures
//! (idf of the index at decision time). A candidate story scores the mean similarity of its
//! candidate members to the new report (average link over the members found), and the new
//! report joins the best story scoring at least [`StoryOptions::threshold`]; otherwise it
//! starts a story of its own.
//!
//! **Ids.** A story's id is a hash of the id of the report that founded it (16 hex digits),
//! so it is stable: a report keeps its story as later reports join. Re-indexing a changed
//! report decides its story again. Deleting a report leaves its story, and its id, on the
//! other members — even when the deleted report founded it; re-adding the founder finds its
//! old story (and rejoins it under the same id).

mod list;

pub use list::{NAMES_SHOWN, StoriesRequest, Story};

use crate::hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, Searcher, TantivyDocument, Term};

use crate::Index;
use crate::analysis::Tagged;
use crate::index::index_error;
use crate::schema::Fields;

/// How stories are found and decided (see the module docs). The defaults are the ones
/// measured best on the development event clusters; the others exist for that measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StoryOptions {
    /// Whether stories are decided at all. Off by default (see [`crate::SyncOptions::stories`]):
    /// each report is then a story of its own and nothing is computed for it.
    #[serde(default)]
    pub enabled: bool,
    /// Candidates are dated at most this many days before or after the report.
    pub window_days: i64,
    /// Least mean cosine to join a story.
    pub threshold: f32,
    /// Least margin of a story's score over the mean similarity of the other candidates.
    pub margin: f32,
    /// Most candidate reports compared, from the index and from the uncommitted reports each.
    pub max_candidates: usize,
    /// Terms of the candidate query.
    pub query_terms: usize,
    /// Terms of a stored signature.
    pub sig_terms: usize,
    /// Weight of a name (a term mostly written capitalised) against another term.
    pub name_boost: f32,
    /// Weight of a title occurrence, in body occurrences.
    pub title_weight: f32,
    /// How candidate members' similarities make a story's score.
    pub link: Link,
}

/// How a candidate story's score is made from its members' similarities to the new report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    /// The best member's.
    Max,
    /// The mean over the candidate members.
    Average,
}

impl Default for StoryOptions {
    fn default() -> Self {
        StoryOptions {
            enabled: false,
            window_days: 14,
            threshold: 0.15,
            margin: 0.0,
            max_candidates: 32,
            query_terms: 20,
            sig_terms: 200,
            name_boost: 2.0,
            title_weight: 2.0,
            link: Link::Average,
        }
    }
}

/// The id of the story a report founds.
pub fn story_id(founder: &str) -> String {
    format!("{:016x}", crate::hash::fnv1a(founder.as_bytes()))
}

/// A report's terms with their weights before idf (see the module docs).
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    terms: Vec<(String, f32)>,
}

/// Stems of the function words.
fn stop_stems() -> &'static HashSet<String> {
    static STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    STEMS.get_or_init(|| {
        let mut analyzer = crate::analysis::analyzer();
        crate::search::stopword::all().flat_map(|w| crate::analysis::terms(&mut analyzer, w)).map(|t| t.text).collect()
    })
}

impl Features {
    /// The features of a report analysed for extraction.
    pub(crate) fn of(title: &Tagged<'_>, body: &Tagged<'_>, options: &StoryOptions) -> Features {
        if !options.enabled {
            return Features { terms: Vec::new() };
        }
        let stops = stop_stems();
        // term → (weighted count, occurrences, capitalised occurrences)
        let mut counts: HashMap<&str, (f32, u32, u32)> = HashMap::default();
        for (tagged, weight) in [(title, options.title_weight), (body, 1.0)] {
            for (i, term) in tagged.terms.iter().enumerate() {
                let text = term.text.as_str();
                if text.len() < 2 || text.bytes().all(|b| b.is_ascii_digit()) || stops.contains(text) {
                    continue;
                }
                let entry = counts.entry(text).or_insert((0.0, 0, 0));
                entry.0 += weight;
                entry.1 += 1;
                entry.2 += u32::from(tagged.caps.get(i).copied().unwrap_or(false));
            }
        }
        let mut terms: Vec<(String, f32)> = counts
            .into_iter()
            .map(|(term, (tf, n, caps))| {
                let name = if 2 * caps > n { options.name_boost } else { 1.0 };
                (term.to_string(), (1.0 + tf.ln()) * name)
            })
            .collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        Features { terms }
    }
}

/// A report's signature: its heaviest terms with their weights before idf.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Signature {
    terms: Vec<(String, f32)>,
}

impl Signature {
    /// The stored form: `term weight term weight …`.
    pub(crate) fn to_stored(&self) -> String {
        let mut out = String::new();
        for (term, weight) in &self.terms {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(term);
            out.push(' ');
            out.push_str(&format!("{weight:.2}"));
        }
        out
    }

    /// Reads the stored form; anything unreadable is left out.
    pub(crate) fn from_stored(text: &str) -> Signature {
        let mut words = text.split(' ');
        let mut terms = Vec::new();
        while let (Some(term), Some(weight)) = (words.next(), words.next()) {
            if let Ok(weight) = weight.parse::<f32>()
                && weight.is_finite()
            {
                terms.push((term.to_string(), weight));
            }
        }
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        terms.dedup_by(|a, b| a.0 == b.0);
        Signature { terms }
    }
}

/// Whether a report dated `candidate` may be a candidate of one dated `report`: a dated report
/// looks only at reports dated within the window, so an undated report never chains stories
/// of different days; an undated one looks at all.
fn in_window(report: Option<i64>, candidate: Option<i64>, window: i64) -> bool {
    match (report, candidate) {
        (Some(a), Some(b)) => (a - b).abs() <= window,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// The cosine of two signatures (terms in order) with their unit weights.
fn cosine((a, wa): (&Signature, &[f32]), (b, wb): (&Signature, &[f32])) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while let (Some((ta, _)), Some((tb, _))) = (a.terms.get(i), b.terms.get(j)) {
        match ta.cmp(tb) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += wa.get(i).copied().unwrap_or(0.0) * wb.get(j).copied().unwrap_or(0.0);
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// A committed report read back as a candidate, kept until the next commit: reports of the
/// same days find the same candidates.
struct Committed {
    id: String,
    file: String,
    story: String,
    sig: Signature,
    /// The signature's weights with the idf of when it was first read.
    weights: Vec<f32>,
}

/// Most committed candidates kept read back.
const MAX_CACHED: usize = 20_000;

/// A report added since the last commit.
struct Recent {
    id: String,
    days: Option<i64>,
    story: String,
    sig: Signature,
    /// The signature's terms by number ([`Vocabulary`]).
    ids: Vec<TermId>,
}

/// A term's number in the [`Vocabulary`].
type TermId = u32;

/// The terms met since the last commit, numbered in order, with their body document
/// frequencies: a report compares with up to [`StoryOptions::max_candidates`] others of
/// [`StoryOptions::sig_terms`] terms each, and looking each term's frequency up by number
/// instead of by text took most of the time of a decision.
#[derive(Default)]
struct Vocabulary {
    numbers: HashMap<String, TermId>,
    texts: Vec<String>,
    /// In the last commit, once looked up.
    committed: Vec<Option<u64>>,
    /// Among the reports added since.
    recent: Vec<u64>,
}

impl Vocabulary {
    fn id(&mut self, term: &str) -> TermId {
        if let Some(&id) = self.numbers.get(term) {
            return id;
        }
        let id = self.texts.len() as TermId;
        self.numbers.insert(term.to_string(), id);
        self.texts.push(term.to_string());
        self.committed.push(None);
        self.recent.push(0);
        id
    }
}

/// Decides the story of each new report (see the module docs). One per indexer; reports
/// are handed to it one at a time, in order.
pub(crate) struct Assigner {
    index: Index,
    fields: Fields,
    options: StoryOptions,
    searcher: Searcher,
    /// The terms met since the last commit, numbered, with their document frequencies.
    vocabulary: Vocabulary,
    /// Reports added since the last commit, and the postings of their signature terms.
    recent: Vec<Recent>,
    recent_postings: HashMap<String, Vec<u32>>,
    /// The days of the reports of each story added since the last commit.
    recent_days: HashMap<String, Vec<Option<i64>>>,
    /// Committed candidates read back since the last commit.
    committed_cache: HashMap<tantivy::DocAddress, Arc<Committed>>,
    /// Ids and files deleted since the last commit: their committed reports are no
    /// candidates any more.
    deleted_ids: HashSet<String>,
    deleted_files: HashSet<String>,
}

impl Assigner {
    pub(crate) fn new(index: &Index, options: StoryOptions) -> Assigner {
        Assigner {
            index: index.clone(),
            fields: index.fields,
            options,
            searcher: index.reader.searcher(),
            vocabulary: Vocabulary::default(),
            recent: Vec::new(),
            recent_postings: HashMap::default(),
            recent_days: HashMap::default(),
            committed_cache: HashMap::default(),
            deleted_ids: HashSet::default(),
            deleted_files: HashSet::default(),
        }
    }

    pub(crate) fn options(&self) -> &StoryOptions {
        &self.options
    }

    pub(crate) fn set_options(&mut self, options: StoryOptions) {
        self.options = options;
    }

    /// The committed reports with this id are being replaced or deleted.
    pub(crate) fn deleted_id(&mut self, id: &str) {
        // A report added and deleted again before the commit is no candidate either.
        for r in self.recent.iter_mut().filter(|r| r.id == id) {
            r.sig.terms.clear();
            r.ids.clear();
        }
        self.deleted_ids.insert(id.to_string());
    }

    /// The committed reports of this file are being replaced or deleted.
    pub(crate) fn deleted_file(&mut self, file: &str) {
        self.deleted_files.insert(file.to_string());
    }

    /// The indexer committed: what was recent is now searchable.
    pub(crate) fn committed(&mut self) {
        self.searcher = self.index.reader.searcher();
        self.vocabulary = Vocabulary::default();
        self.recent.clear();
        self.recent_postings.clear();
        self.recent_days.clear();
        self.committed_cache.clear();
        self.deleted_ids.clear();
        self.deleted_files.clear();
    }

    /// Reports in the index and added since, for idf.
    fn num_docs(&self) -> u64 {
        self.searcher.num_docs() + self.recent.len() as u64
    }

    /// The body document frequency of the term numbered `term`: in the last commit (looked up
    /// once) and among the reports added since.
    fn df(&mut self, term: TermId) -> u64 {
        let at = term as usize;
        let committed = match self.vocabulary.committed[at] {
            Some(df) => df,
            None => {
                let text = &self.vocabulary.texts[at];
                let df = self.searcher.doc_freq(&Term::from_field_text(self.fields.body, text)).unwrap_or(0);
                self.vocabulary.committed[at] = Some(df);
                df
            }
        };
        committed + self.vocabulary.recent[at]
    }

    fn idf(&mut self, term: TermId, num_docs: u64) -> f32 {
        let df = self.df(term).max(1);
        (1.0 + num_docs as f32 / df as f32).ln()
    }

    /// The tf-idf weights of a signature's terms, in its order, of unit length.
    fn weights(&mut self, sig: &Signature, num_docs: u64) -> Vec<f32> {
        let ids: Vec<TermId> = sig.terms.iter().map(|(t, _)| self.vocabulary.id(t)).collect();
        self.weights_of(sig, &ids, num_docs)
    }

    /// [`Assigner::weights`] of a signature whose terms are numbered `ids`.
    fn weights_of(&mut self, sig: &Signature, ids: &[TermId], num_docs: u64) -> Vec<f32> {
        let mut out: Vec<f32> = sig.terms.iter().zip(ids).map(|((_, w), &id)| w * self.idf(id, num_docs)).collect();
        let norm = out.iter().map(|w| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|w| *w /= norm);
        }
        out
    }

    /// Decides the story of a new report, remembers it as a candidate for the next ones, and
    /// returns its story id and stored signature.
    pub(crate) fn assign(
        &mut self,
        id: &str,
        days: Option<i64>,
        features: Features,
    ) -> crate::Result<(String, String)> {
        if !self.options.enabled {
            return Ok((story_id(id), String::new()));
        }
        // The report counts in the frequencies it is weighed by.
        let ids: Vec<TermId> = features.terms.iter().map(|(term, _)| self.vocabulary.id(term)).collect();
        for &id in &ids {
            self.vocabulary.recent[id as usize] += 1;
        }
        let num_docs = self.num_docs() + 1;
        let mut weighted: Vec<(f32, String, f32, TermId)> = Vec::with_capacity(features.terms.len());
        for ((term, w), id) in features.terms.into_iter().zip(ids) {
            let score = w * self.idf(id, num_docs);
            weighted.push((score, term, w, id));
        }
        weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        weighted.truncate(self.options.sig_terms);
        let query: Vec<String> = weighted.iter().take(self.options.query_terms).map(|(_, t, ..)| t.clone()).collect();
        weighted.sort_by(|a, b| a.1.cmp(&b.1));
        let ids: Vec<TermId> = weighted.iter().map(|w| w.3).collect();
        let sig = Signature { terms: weighted.into_iter().map(|(_, t, w, _)| (t, w)).collect() };
        let story = self.decide(id, days, &sig, &query, num_docs)?.unwrap_or_else(|| story_id(id));
        let stored = sig.to_stored();
        let at = self.recent.len() as u32;
        for term in &query {
            self.recent_postings.entry(term.clone()).or_default().push(at);
        }
        self.recent_days.entry(story.clone()).or_default().push(days);
        self.recent.push(Recent { id: id.to_string(), days, story: story.clone(), sig, ids });
        Ok((story, stored))
    }

    /// The story the report joins, if any.
    fn decide(
        &mut self,
        id: &str,
        days: Option<i64>,
        sig: &Signature,
        query: &[String],
        num_docs: u64,
    ) -> crate::Result<Option<String>> {
        if query.is_empty() {
            return Ok(None);
        }
        let committed = self.committed_candidates(id, days, query, num_docs)?;
        let recent = self.recent_candidates(id, days, query, num_docs);
        if committed.is_empty() && recent.is_empty() {
            return Ok(None);
        }
        let mine = self.weights(sig, num_docs);
        let mut similarities: Vec<(String, f32)> = Vec::with_capacity(committed.len() + recent.len());
        for c in &committed {
            similarities.push((c.story.clone(), cosine((sig, &mine), (&c.sig, &c.weights))));
        }
        for at in recent {
            // Taken out for the moment its weights are computed (they read `self`).
            let Some((other, ids)) =
                self.recent.get_mut(at).map(|r| (std::mem::take(&mut r.sig), std::mem::take(&mut r.ids)))
            else {
                continue;
            };
            let theirs = self.weights_of(&other, &ids, num_docs);
            let similarity = cosine((sig, &mine), (&other, &theirs));
            if let Some(r) = self.recent.get_mut(at) {
                r.sig = other;
                r.ids = ids;
                similarities.push((r.story.clone(), similarity));
            }
        }
        // story → (best, sum, members)
        let mut stories: HashMap<String, (f32, f32, u32)> = HashMap::default();
        for (story, similarity) in similarities {
            let entry = stories.entry(story).or_insert((0.0, 0.0, 0));
            entry.0 = entry.0.max(similarity);
            entry.1 += similarity;
            entry.2 += 1;
        }
        let (all_sum, all_n) = stories.values().fold((0.0, 0), |(s, k), (_, sum, n)| (s + sum, k + n));
        let mut best: Option<(f32, String, f32, u32)> = None;
        for (story, (max, sum, n)) in stories {
            // A story's score is at most its best member's: below the threshold, no count.
            if max < self.options.threshold {
                continue;
            }
            let score = match self.options.link {
                Link::Max => max,
                // Members in the window the query did not find count as dissimilar: one
                // similar member does not pull a report into a large story about other things.
                Link::Average => sum / self.members_in_window(&story, days)?.max(n) as f32,
            };
            let better = match &best {
                Some((s, id, ..)) => score > *s || (score == *s && story < *id),
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
            (score >= self.options.threshold && score - background >= self.options.margin).then_some(story)
        }))
    }

    /// How many reports of `story` are dated within the window of `days` (all of them when
    /// either is undated), committed or added since.
    fn members_in_window(&self, story: &str, days: Option<i64>) -> crate::Result<u32> {
        let window = self.options.window_days;
        let recent =
            self.recent_days.get(story).map_or(0, |ds| ds.iter().filter(|&&d| in_window(days, d, window)).count());
        if self.searcher.num_docs() == 0 {
            return Ok(recent as u32);
        }
        let f = self.fields;
        let term: Box<dyn Query> =
            Box::new(TermQuery::new(Term::from_field_text(f.story, story), IndexRecordOption::Basic));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, term)];
        if let Some(days) = days {
            clauses.push((Occur::Must, self.date_range(days)));
        }
        let at = self.index.location();
        let committed = self
            .searcher
            .search(&BooleanQuery::new(clauses), &tantivy::collector::Count)
            .map_err(|e| index_error(&at, e))?;
        Ok((recent + committed) as u32)
    }

    /// Reports dated within the window of `days`.
    fn date_range(&self, days: i64) -> Box<dyn Query> {
        let day = |d: i64| {
            Term::from_field_date(self.fields.date, DateTime::from_timestamp_secs(crate::date::indexable_secs(d)))
        };
        Box::new(RangeQuery::new(
            std::ops::Bound::Included(day(days - self.options.window_days)),
            std::ops::Bound::Included(day(days + self.options.window_days)),
        ))
    }

    /// Candidates among the reports added since the last commit: those sharing query terms,
    /// most shared idf first.
    fn recent_candidates(&mut self, id: &str, days: Option<i64>, query: &[String], num_docs: u64) -> Vec<usize> {
        let mut scores: HashMap<u32, f32> = HashMap::default();
        for term in query {
            let id = self.vocabulary.id(term);
            let idf = self.idf(id, num_docs);
            if let Some(postings) = self.recent_postings.get(term) {
                for &at in postings {
                    *scores.entry(at).or_insert(0.0) += idf;
                }
            }
        }
        let window = self.options.window_days;
        let mut found: Vec<(f32, u32)> = scores
            .into_iter()
            .filter(|(at, _)| {
                self.recent
                    .get(*at as usize)
                    .is_some_and(|r| r.id != id && !r.sig.terms.is_empty() && in_window(days, r.days, window))
            })
            .map(|(at, score)| (score, at))
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        found.truncate(self.options.max_candidates);
        found.into_iter().map(|(_, at)| at as usize).collect()
    }

    /// Candidates among the committed reports: the query over the date window.
    fn committed_candidates(
        &mut self,
        id: &str,
        days: Option<i64>,
        query: &[String],
        num_docs: u64,
    ) -> crate::Result<Vec<Arc<Committed>>> {
        let f = self.fields;
        if self.searcher.num_docs() == 0 {
            return Ok(Vec::new());
        }
        let terms: Vec<(Occur, Box<dyn Query>)> = query
            .iter()
            .map(|t| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(Term::from_field_text(f.body, t), IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(terms)))];
        if let Some(days) = days {
            clauses.push((Occur::Must, self.date_range(days)));
        }
        let at = self.index.location();
        let top = self
            .searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(self.options.max_candidates).order_by_score())
            .map_err(|e| index_error(&at, e))?;
        let mut out = Vec::with_capacity(top.len());
        for (_, address) in top {
            let known = match self.committed_cache.get(&address) {
                Some(known) => Arc::clone(known),
                None => {
                    let doc: TantivyDocument = self.searcher.doc(address).map_err(|e| index_error(&at, e))?;
                    let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    let (id, file, story, sig) = (text(f.id), text(f.file), text(f.story), text(f.story_sig));
                    let story = if story.is_empty() { story_id(&id) } else { story };
                    let sig = Signature::from_stored(&sig);
                    let weights = self.weights(&sig, num_docs);
                    if self.committed_cache.len() >= MAX_CACHED {
                        self.committed_cache.clear();
                    }
                    let known = Arc::new(Committed { id, file, story, sig, weights });
                    self.committed_cache.insert(address, Arc::clone(&known));
                    known
                }
            };
            if known.id == id || self.deleted_ids.contains(&known.id) || self.deleted_files.contains(&known.file) {
                continue;
            }
            out.push(known);
        }
        Ok(out)
    }
}
