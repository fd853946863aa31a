//! The index on disk (or in RAM): opening it safely, and the [`Indexer`] that writes it.
//!
//! An [`Index`] is a tantivy index whose every commit carries the fingerprint of the schema
//! and lexicons it was built with ([`IndexSchema::fingerprint`]); opening it with other ones is
//! [`Error::IncompatibleIndex`], never silently wrong tags. The English analyzer is registered
//! on every index created or opened.
//!
//! [`Indexer::sync_dir`] makes the index mirror a directory, incrementally: each report
//! carries its source file's path and fingerprint (size, mtime, content hash, and the
//! [`crate::extract::EXTRACTION_VERSION`] that read it), so a re-run skips unchanged files
//! without reading them, replaces changed ones and those an older extraction read, and deletes
//! vanished ones. Nothing is visible until [`Indexer::commit`]; dropping an indexer without committing
//! leaves the previous commit as it was. One writer at a time: a second gets
//! [`Error::Locked`].
//!
//! Each title and body is analysed once: the indexer's workers analyse it for extraction, and
//! the document they hand to tantivy (the private `document` module) carries those tokens for
//! the index's analyzer to replay (see [`crate::analysis`]).

pub(crate) mod dedup;
mod directory;
mod document;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::Serialize;
use tantivy::directory::error::LockError;
use tantivy::schema::Schema;
use tantivy::{DateTime, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use self::dedup::Dedup;
use self::directory::IndexDirectory;
use self::document::ReportDoc;
use crate::analysis::{AnalysedText, NO_TAG, Replay, TaggingAnalyzer, TermBuffer};
use crate::ingest::{self, FileEncoding, Ignored, Skipped, SourceFile, WalkOptions, Warning};
use crate::merge::{CappedMergePolicy, MAX_MERGE_BYTES};
use crate::schema::Fields;
use crate::stories::{Assigner, Features, StoryOptions};
use crate::{Entities, Error, Extractor, IndexSchema, Report, analysis};

/// Memory budget of the index writer, per indexing thread.
pub const DEFAULT_WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// tantivy's smallest writer memory per indexing thread, for the empty first commit.
const MIN_WRITER_HEAP_BYTES: usize = 15_000_000;
/// An id no report has (paths hold no NUL), for deletes that must match nothing.
const NO_REPORT_ID: &str = "\0attache: no report has this id";

/// Most indexing threads used by default.
const MAX_DEFAULT_THREADS: usize = 4;

/// A search index of reports.
#[derive(Clone)]
pub struct Index {
    pub(crate) inner: tantivy::Index,
    pub(crate) reader: IndexReader,
    pub(crate) schema: Arc<IndexSchema>,
    pub(crate) fields: Fields,
    pub(crate) tantivy_schema: Schema,
    /// Where indexing registers the tokens of titles and bodies for the index's analyzer to
    /// replay (see `analysis::register_replaying`).
    replay: Arc<Replay>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Index {
    /// A new, empty index in memory.
    ///
    /// ```
    /// let index = attache::Index::create_in_ram(attache::IndexSchema::embedded()?)?;
    /// assert_eq!(index.num_reports(), 0);
    /// # Ok::<(), attache::Error>(())
    /// ```
    pub fn create_in_ram(schema: IndexSchema) -> crate::Result<Index> {
        let (tantivy_schema, _) = build(&schema, Path::new("<ram>"))?;
        let inner = tantivy::Index::create_in_ram(tantivy_schema);
        Index::finish_create(inner, schema, None)
    }

    /// Opens the index at `path`, or creates it (and the directory) when there is none.
    pub fn open_or_create(path: &Path, schema: IndexSchema) -> crate::Result<Index> {
        if Index::exists(path) {
            return Index::open(path, schema);
        }
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let (tantivy_schema, _) = build(&schema, path)?;
        let directory = IndexDirectory::open(path).map_err(|e| index_error(path, e.into()))?;
        let inner = tantivy::Index::create(directory, tantivy_schema, tantivy::IndexSettings::default())
            .map_err(|e| index_error(path, e))?;
        Index::finish_create(inner, schema, Some(path.to_path_buf()))
    }

    /// Opens the existing index at `path`, checking it was built with `schema`.
    pub fn open(path: &Path, schema: IndexSchema) -> crate::Result<Index> {
        if !Index::exists(path) {
            return Err(Error::NoIndex { path: path.to_path_buf() });
        }
        let directory = IndexDirectory::open(path).map_err(|e| index_error(path, e.into()))?;
        let inner = tantivy::Index::open(directory).map_err(|e| index_error(path, e))?;
        let found = inner
            .load_metas()
            .map_err(|e| index_error(path, e))?
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .map(|p| p.fingerprint)
            .unwrap_or_else(|| "an unknown schema (not written by attache)".to_string());
        if found != schema.fingerprint() {
            return Err(Error::IncompatibleIndex {
                path: path.to_path_buf(),
                found,
                expected: schema.fingerprint().to_string(),
            });
        }
        let (tantivy_schema, fields) = build(&schema, path)?;
        if inner.schema() != tantivy_schema {
            return Err(Error::IncompatibleIndex {
                path: path.to_path_buf(),
                found: "another field layout".into(),
                expected: schema.fingerprint().to_string(),
            });
        }
        let replay = analysis::register_replaying(&inner);
        let reader = reader(&inner, path)?;
        let schema = Arc::new(schema);
        Ok(Index { inner, reader, schema, fields, tantivy_schema, replay, path: Some(path.to_path_buf()) })
    }

    /// Whether an index exists at `path`.
    pub fn exists(path: &Path) -> bool {
        path.join("meta.json").is_file()
    }

    fn finish_create(inner: tantivy::Index, schema: IndexSchema, path: Option<PathBuf>) -> crate::Result<Index> {
        let replay = analysis::register_replaying(&inner);
        let at = path.clone().unwrap_or_else(|| PathBuf::from("<ram>"));
        let (tantivy_schema, fields) = build(&schema, &at)?;
        let reader = reader(&inner, &at)?;
        let index = Index { inner, reader, schema: Arc::new(schema), fields, tantivy_schema, replay, path };
        // An empty first commit records the fingerprint, so even an empty index can be checked.
        // A bare writer makes it: an `Indexer` would build its extractor's lexicons for nothing.
        let mut writer = index.writer(1, MIN_WRITER_HEAP_BYTES)?;
        index.commit(&mut writer)?;
        Ok(index)
    }

    /// A tantivy writer of `threads` indexing threads sharing `heap_bytes`.
    fn writer(&self, threads: usize, heap_bytes: usize) -> crate::Result<IndexWriter<ReportDoc>> {
        let writer = self.inner.writer_with_num_threads(threads, heap_bytes).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => Error::Locked { path: self.location() },
            other => index_error(&self.location(), other),
        })?;
        self.claim_commit_opstamp(&writer);
        Ok(writer)
    }

    /// Spends a new writer's first operation stamp on a delete that matches nothing.
    ///
    /// tantivy (0.27) numbers a new or rolled-back writer's first operation with the opstamp
    /// of the last commit, which is also the stamp a merge of committed segments works to.
    /// Such a merge counts a first `delete_term` as already applied: it skips it for segments
    /// whose deletes were last written at that commit, yet the merged segment's cursor may
    /// have passed it (when another segment read it first). The report the delete replaced
    /// then survives the merge beside its new version: a re-indexed file was in the index
    /// twice. A delete of an id no report can have takes that stamp instead.
    fn claim_commit_opstamp(&self, writer: &IndexWriter<ReportDoc>) {
        writer.delete_term(Term::from_field_text(self.fields.id, NO_REPORT_ID));
    }

    /// Commits what `writer` holds with this index's fingerprint, and makes it visible.
    fn commit(&self, writer: &mut IndexWriter<ReportDoc>) -> crate::Result<()> {
        let at = self.location();
        let payload =
            serde_json::to_string(&Payload { fingerprint: self.schema.fingerprint().to_string() }).unwrap_or_default();
        let mut prepared = writer.prepare_commit().map_err(|e| index_error(&at, e))?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(|e| index_error(&at, e))?;
        self.reload()
    }

    /// A writer for this index. Fails with [`Error::Locked`] while another writer exists.
    ///
    /// The extraction matchers are built on another thread meanwhile (parsing the lexicons
    /// and building them takes a noticeable share of indexing a small directory). Until they
    /// are ready, [`Indexer::sync_dir`]'s workers read and analyse reports and keep them;
    /// [`Indexer::add`], which returns the entities, waits for them.
    pub fn indexer(&self) -> crate::Result<Indexer> {
        self.indexer_doing(Extraction::Full)
    }

    /// A writer doing only part of extraction. Anything but [`Extraction::Full`] writes
    /// reports that facets and `leader:`/`topic:` filters miss: only for measuring what
    /// extraction costs (`benches/extract.rs`); nothing else should build such an index.
    #[doc(hidden)]
    pub fn indexer_doing(&self, extraction: Extraction) -> crate::Result<Indexer> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_DEFAULT_THREADS);
        let writer = self.writer(threads, DEFAULT_WRITER_HEAP_BYTES * threads)?;
        // Started once the writer's lock is held: a locked index builds nothing.
        let building = if extraction == Extraction::Off {
            Building::Skipped
        } else {
            let schema = Arc::clone(&self.schema);
            let build = move || Extractor::new(&schema);
            match std::thread::Builder::new().name("attache-matchers".into()).spawn(build) {
                Ok(handle) => Building::Thread(handle),
                // No thread to be had: built by the first worker that needs them.
                Err(_) => Building::Here(Arc::clone(&self.schema)),
            }
        };
        // A run killed while committing leaves files no commit refers to (a `.del` bitset
        // written for the commit it never finished). This run would write the same file for
        // the same deletes at the same opstamp and fail on "file already exists", so they go
        // before anything is written. tantivy knows them: it records every file it creates.
        writer.garbage_collect_files().wait().map_err(|e| index_error(&self.location(), e))?;
        writer.set_merge_policy(self.merge_policy());
        let worker = Worker {
            fields: self.fields,
            // Until the matchers are ready: an analyzer that numbers nothing.
            analyzer: TaggingAnalyzer::new(Arc::new(|_: &str| NO_TAG)),
            matchers: Matchers::new(building),
            extractor: None,
            title_terms: TermBuffer::default(),
            body_terms: TermBuffer::default(),
            pending: Vec::new(),
            #[cfg(test)]
            num_deferred: Arc::default(),
            replay: Arc::clone(&self.replay),
            location: self.location(),
            index_entities: extraction == Extraction::Full,
            story_options: StoryOptions::default(),
            dedup: None,
        };
        let stories = Assigner::new(self, StoryOptions::default());
        Ok(Indexer { index: self.clone(), writer, worker, stories })
    }

    /// How an indexer's writer merges segments.
    fn merge_policy(&self) -> Box<CappedMergePolicy> {
        Box::new(CappedMergePolicy::new(self.path.clone(), MAX_MERGE_BYTES))
    }

    /// Number of reports in the latest commit visible to this handle; a report saved twice
    /// counts once (see [`Index::num_duplicates`]).
    pub fn num_reports(&self) -> u64 {
        self.reader.searcher().num_docs().saturating_sub(self.num_duplicates())
    }

    /// Number of reports left out as exact duplicates of another file's report: each is
    /// listed on that report ([`crate::Article::duplicates`]).
    pub fn num_duplicates(&self) -> u64 {
        let Some(field) = self.fields.duplicate_of else { return 0 };
        let name = self.tantivy_schema.get_field_name(field);
        let searcher = self.reader.searcher();
        let mut count = 0;
        for segment in searcher.segment_readers() {
            let Ok(Some(column)) = segment.fast_fields().str(name) else { continue };
            if column.num_terms() == 0 {
                continue;
            }
            count += segment.doc_ids_alive().filter(|&doc| column.term_ords(doc).next().is_some()).count() as u64;
        }
        count
    }

    /// Where the index lives (`None` in RAM).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema and lexicons of this index.
    pub fn schema(&self) -> &IndexSchema {
        &self.schema
    }

    /// Makes the latest commit visible now (readers also pick it up on their own shortly after).
    pub fn reload(&self) -> crate::Result<()> {
        self.reader.reload().map_err(|e| index_error(&self.location(), e))
    }

    /// Verifies the index: every file of the latest commit passes its checksum and every
    /// stored report can be read back. A damaged index is [`Error::Damaged`], never a panic.
    pub fn check(&self) -> crate::Result<CheckReport> {
        let at = self.location();
        let damaged = self.inner.validate_checksum().map_err(|e| index_error(&at, e))?;
        if !damaged.is_empty() {
            let mut files: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
            files.sort();
            let problem = format!("{} file(s) fail their checksum: {}", files.len(), files.join(", "));
            return Err(Error::Damaged { path: at, problem });
        }
        let searcher = self.reader.searcher();
        // tantivy trusts its files once checksums pass; a bug or a change between the checksum
        // and the read must still end as an error, not abort the caller.
        let scan = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> tantivy::Result<u64> {
            let mut num_reports = 0;
            for segment in searcher.segment_readers() {
                let store = segment.get_store_reader(1)?;
                for doc in segment.doc_ids_alive() {
                    let _: TantivyDocument = store.get(doc)?;
                    num_reports += 1;
                }
            }
            Ok(num_reports)
        }));
        let num_reports = match scan {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                return Err(Error::Damaged { path: at, problem: format!("a stored report cannot be read: {e}") });
            }
            Err(_) => return Err(Error::Damaged { path: at, problem: "reading the stored reports failed".into() }),
        };
        Ok(CheckReport { num_segments: searcher.segment_readers().len(), num_reports })
    }

    /// Where an index of `corpus` is kept when the caller names none: a directory under
    /// `$ATTACHE_CACHE_DIR`, else `$XDG_CACHE_HOME/attache`, else `~/.cache/attache`, else the
    /// system temporary directory, named after the corpus and a hash of its absolute path so
    /// two corpora never share an index and the corpus itself is never written to.
    pub fn cache_path(corpus: &Path) -> PathBuf {
        let absolute = std::fs::canonicalize(corpus).unwrap_or_else(|_| corpus.to_path_buf());
        let env = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let base = env("ATTACHE_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("attache")))
            .or_else(|| env("HOME").map(|d| d.join(".cache").join("attache")))
            .unwrap_or_else(|| std::env::temp_dir().join("attache-cache"));
        let name: String = absolute
            .file_name()
            .map(|n| n.to_string_lossy().chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_')).collect())
            .unwrap_or_default();
        let hash = crate::hash::fnv1a(absolute.as_os_str().as_encoded_bytes());
        base.join(format!("{name}-{hash:016x}"))
    }

    pub(crate) fn location(&self) -> PathBuf {
        self.path.clone().unwrap_or_else(|| PathBuf::from("<ram>"))
    }
}

fn build(schema: &IndexSchema, at: &Path) -> crate::Result<(Schema, Fields)> {
    schema.build().map_err(|message| Error::Schema { path: at.join("fields.toml"), line: 0, message })
}

fn reader(inner: &tantivy::Index, at: &Path) -> crate::Result<IndexReader> {
    inner.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into().map_err(|e| index_error(at, e))
}

pub(crate) fn index_error(path: &Path, source: tantivy::TantivyError) -> Error {
    Error::Index { path: path.to_path_buf(), source }
}

/// What [`Index::check`] found in a healthy index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Segments in the latest commit.
    pub num_segments: usize,
    /// Reports read back.
    pub num_reports: u64,
}

/// What an index's commits record about how it was built.
#[derive(serde::Deserialize, Serialize)]
struct Payload {
    fingerprint: String,
}

/// A step of a long indexing run, for progress reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Listing the files of the directory.
    Walking,
    /// Reading and indexing files: `done` of `total` examined, the latest being `path`.
    Indexing {
        /// Files examined so far.
        done: usize,
        /// Files to examine.
        total: usize,
        /// The file just examined.
        path: String,
    },
    /// Writing the commit.
    Committing,
}

/// Reports written between the intermediate commits of a long [`Indexer::sync_dir`] run.
pub const DEFAULT_COMMIT_EVERY: usize = 20_000;

/// Options of [`Indexer::sync_dir`].
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Files larger than this are skipped.
    pub max_file_bytes: u64,
    /// How the directory is walked.
    pub walk: WalkOptions,
    /// Commit after every this many reports written, so a long run killed half-way keeps its
    /// progress (the next run skips what was committed); 0 commits only at the end. A file's
    /// reports are always replaced within one commit.
    pub commit_every: usize,
    /// Whether each report's story is decided as it is indexed (see [`crate::stories`]).
    /// Off by default: deciding stories still takes about half of indexing's time (about
    /// 0.1 ms a report on BBC + Reuters, whose dates crowd in a few weeks; BENCHMARKS.md).
    /// Off, each report is a story of its own. Once on for an indexer, it stays on.
    pub stories: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            max_file_bytes: ingest::DEFAULT_MAX_FILE_BYTES,
            walk: WalkOptions::default(),
            commit_every: DEFAULT_COMMIT_EVERY,
            stories: false,
        }
    }
}

/// What a [`Indexer::sync_dir`] run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSummary {
    /// New files indexed.
    pub num_added: usize,
    /// Changed files re-indexed.
    pub num_updated: usize,
    /// Files gone from the directory whose reports were removed.
    pub num_deleted: usize,
    /// Files unchanged since the last run.
    pub num_unchanged: usize,
    /// Reports written (from added and updated files).
    pub num_reports: usize,
    /// Files with an extension attache does not read.
    pub num_ignored: usize,
    /// Those files, with their kind (extension).
    pub ignored: Vec<Ignored>,
    /// Files and records not indexed, with the reason.
    pub skipped: Vec<Skipped>,
    /// Files indexed despite a problem.
    pub warnings: Vec<Warning>,
    /// Seconds spent deciding the reports' stories (see [`crate::stories`]): the indexer
    /// decides them one report at a time while its workers read and analyse the next ones.
    pub story_secs: f64,
    /// Files read in an encoding other than UTF-8, and which.
    pub encodings: Vec<FileEncoding>,
    /// Reports not indexed again because another file holds the same text (listed on it).
    pub num_duplicates: usize,
}

impl IndexSummary {
    /// Files and records not indexed, counted by kind, most frequent first: ignored files by
    /// extension (`.docx`), skipped ones by reason (`binary`, `PDF without text layer`).
    pub fn not_read_by_kind(&self) -> Vec<(String, usize)> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for ignored in &self.ignored {
            *counts.entry(ignored.kind.clone()).or_default() += 1;
        }
        for skipped in &self.skipped {
            *counts.entry(skipped.reason.kind().to_string()).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts
    }
}

/// Files handed to the indexing workers at a time; periodic commits happen between batches.
const SYNC_BATCH_FILES: usize = 256;

/// Most reports a worker analyses ahead while the matchers are being built, and most bytes
/// of their bodies ([`Worker::add_or_keep`]). The matchers take a few milliseconds, in which a
/// worker analyses a few hundred kilobytes; the bounds keep huge reports from piling up (a
/// byte of text analysed takes about ten in term buffers).
const MAX_PENDING: usize = 512;
const MAX_PENDING_BYTES: usize = 2 << 20;

/// A file with more reports than this (a JSON Lines export, a feed) has them shared out to
/// every worker rather than built by the one that read it.
const SHARE_ABOVE_REPORTS: usize = 16;

/// A report of a file read by one worker, left for any worker to build and add.
struct Job {
    report: Report,
    sig: Arc<str>,
    hash: String,
    order: (usize, usize),
    replaced: bool,
}

/// Reports the workers of one batch share ([`SHARE_ABOVE_REPORTS`]), and how many workers
/// are still reading a file, which may add more.
///
/// A worker out of files waits here while any other is reading: otherwise a batch whose
/// last file is a big one (a 10,000-record JSON Lines export) would see the other workers
/// end while that file was still being parsed, and its reports built by one worker alone.
#[derive(Default)]
struct Jobs {
    state: Mutex<JobState>,
    /// Signalled when reports are queued or a reader ends.
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct JobState {
    queue: std::collections::VecDeque<Job>,
    readers: usize,
}

impl Jobs {
    fn state(&self) -> std::sync::MutexGuard<'_, JobState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `jobs` for any worker.
    fn push(&self, jobs: impl IntoIterator<Item = Job>) {
        self.state().queue.extend(jobs);
        self.changed.notify_all();
    }

    /// The next queued report, if any, without waiting.
    fn try_pop(&self) -> Option<Job> {
        self.state().queue.pop_front()
    }

    /// The next queued report, waiting while a reader may still queue one; `None` once the
    /// queue is empty and no worker is reading.
    fn pop_or_wait(&self) -> Option<Job> {
        let mut state = self.state();
        loop {
            if let Some(job) = state.queue.pop_front() {
                return Some(job);
            }
            if state.readers == 0 {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Counts a worker as reading until the guard is dropped (even by an error or a panic).
    fn reading(&self) -> Reading<'_> {
        self.state().readers += 1;
        Reading(self)
    }
}

/// A worker reading a file ([`Jobs::reading`]).
struct Reading<'a>(&'a Jobs);

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.0.state().readers -= 1;
        self.0.changed.notify_all();
    }
}

/// A report analysed before the matchers were built, with its analysed title and body.
#[derive(Clone)]
struct Pending {
    report: Report,
    sig: String,
    /// Where the report goes in the order stories are decided: file, then record.
    order: (usize, usize),
    /// Whether the report's file had reports before.
    replaced: bool,
    hash: String,
    title_terms: TermBuffer,
    body_terms: TermBuffer,
}

/// Writes reports into an [`Index`]. Changes become visible at [`Indexer::commit`].
pub struct Indexer {
    index: Index,
    writer: IndexWriter<ReportDoc>,
    worker: Worker,
    /// Decides each new report's story, in order.
    stories: Assigner,
}

/// A report's document, built by a worker, waiting for its story.
struct Ready {
    doc: ReportDoc,
    id: String,
    file: String,
    days: Option<i64>,
    features: Features,
}

/// What a worker hands the indexer during [`Indexer::sync_dir`].
enum Message {
    /// Record `seq` of file `file` of the batch (`replaced`: the file had reports before).
    Doc { order: (usize, usize), replaced: bool, ready: Ready },
    /// File `file` of the batch is done and has `count` reports, sent or to be sent.
    Done { file: usize, count: usize },
}

/// What a worker of `Indexer::sync_batch` returns: its files' outcomes, by batch position.
type WorkerResult = crate::Result<Vec<(usize, FileOutcome)>>;

/// Where a worker's documents go. When stories are decided, to the indexer, which adds them
/// in the walk's order ([`add_in_order`]); otherwise the worker adds them itself, with each
/// report its own story, and no thread waits for another's documents.
struct Sink<'a> {
    writer: &'a IndexWriter<ReportDoc>,
    ordered: Option<std::sync::mpsc::Sender<Message>>,
    /// The batch's shared reports.
    jobs: &'a Jobs,
    /// Documents this worker built, handed to the writer [`ADD_BATCH`] at a time.
    adds: std::cell::RefCell<Vec<ReportDoc>>,
}

/// Documents a worker hands the index writer at once. One at a time, nearly every document
/// woke a parked indexing thread (a futex call each way): about 5 % of indexing CPU went to
/// the channel. tantivy's channel holds 10,000 hand-offs, so up to 160,000 documents could
/// wait for the indexing threads; they do less per document than the workers and keep up
/// (at a million reports, with the compact duplicates' table, the peak memory of indexing
/// fell: BENCHMARKS.md).
const ADD_BATCH: usize = 16;

impl<'a> Sink<'a> {
    fn new(
        writer: &'a IndexWriter<ReportDoc>,
        ordered: Option<std::sync::mpsc::Sender<Message>>,
        jobs: &'a Jobs,
    ) -> Self {
        Sink { writer, ordered, jobs, adds: std::cell::RefCell::new(Vec::with_capacity(ADD_BATCH)) }
    }

    /// Adds `doc` to the index: queued, and handed to the writer with the next
    /// [`ADD_BATCH`] - 1 (or at [`Sink::flush`]).
    fn add(&self, doc: ReportDoc, location: &Path) -> crate::Result<()> {
        let full = {
            let mut adds = self.adds.borrow_mut();
            adds.push(doc);
            adds.len() >= ADD_BATCH
        };
        if full { self.flush(location) } else { Ok(()) }
    }

    /// Hands the documents queued by [`Sink::add`] to the writer; a worker calls it before it
    /// ends, so every document it built is in the writer before the indexer commits.
    fn flush(&self, location: &Path) -> crate::Result<()> {
        let mut adds = self.adds.borrow_mut();
        if adds.is_empty() {
            return Ok(());
        }
        self.writer
            .run(adds.drain(..).map(tantivy::indexer::UserOperation::Add))
            .map_err(|e| index_error(location, e))?;
        Ok(())
    }
}

/// How much of extraction an indexer does ([`Index::indexer_doing`]), for benchmarks.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extraction {
    /// Find the entities and index them: what [`Index::indexer`] does.
    Full,
    /// Find the entities but leave their fields out of the documents: what finding them
    /// costs, apart from indexing what was found.
    FindOnly,
    /// Neither: no matchers built, no entities.
    Off,
}

/// Where an [`Indexer`]'s extraction matchers come from.
enum Building {
    /// Being built on another thread.
    Thread(std::thread::JoinHandle<Extractor>),
    /// To be built by the first worker that needs them.
    Here(Arc<IndexSchema>),
    /// None: the indexer does not extract.
    Skipped,
}

/// An indexer's extraction matchers, shared by its workers: built on another thread from
/// [`Index::indexer`] on, and waited for only when a report must be extracted — so a run
/// that finds nothing new to index (a search over a directory syncs first) never waits, and
/// the workers of a sync analyse reports meanwhile ([`Worker::add_or_keep`]).
#[derive(Clone)]
struct Matchers(Arc<MatchersState>);

struct MatchersState {
    building: Mutex<Option<Building>>,
    /// The extractor once built; None when the indexer does not extract; Err when the
    /// building thread failed.
    built: OnceLock<Result<Option<Extractor>, ()>>,
}

impl Matchers {
    fn new(building: Building) -> Matchers {
        Matchers(Arc::new(MatchersState { building: Mutex::new(Some(building)), built: OnceLock::new() }))
    }

    /// Whether the matchers are still being built, so that asking for them now would wait:
    /// on their thread, or by a worker that took them to wait for that thread or to build.
    fn building(&self) -> bool {
        self.0.built.get().is_none()
            && match &*self.0.building.lock().unwrap_or_else(PoisonError::into_inner) {
                Some(Building::Thread(handle)) => !handle.is_finished(),
                Some(Building::Here(_) | Building::Skipped) => false,
                None => true,
            }
    }

    /// The extractor, waiting for it to be built (None: the indexer does not extract).
    fn get(&self, location: &Path) -> crate::Result<Option<&Extractor>> {
        let built = self.0.built.get_or_init(|| {
            let building = self.0.building.lock().unwrap_or_else(PoisonError::into_inner).take();
            match building {
                Some(Building::Thread(handle)) => handle.join().map(Some).map_err(|_| ()),
                Some(Building::Here(schema)) => Ok(Some(Extractor::new(&schema))),
                Some(Building::Skipped) | None => Ok(None),
            }
        });
        built.as_ref().map(Option::as_ref).map_err(|()| Error::Internal {
            path: location.to_path_buf(),
            problem: "building the extraction matchers failed".into(),
        })
    }
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").field("index", &self.index).finish_non_exhaustive()
    }
}

/// What one worker needs to turn files into documents: its own analyzer and extractor, so
/// workers share nothing but the (thread-safe) index writer.
#[derive(Clone)]
struct Worker {
    fields: Fields,
    /// Where the extractor comes from, when the first report needs it.
    matchers: Matchers,
    /// The extractor, once a report needed it; None until then, or when the indexer does
    /// not extract.
    extractor: Option<Extractor>,
    /// Numbers each term for the extractor as it analyses ([`Extractor::tagging_analyzer`]).
    analyzer: TaggingAnalyzer,
    /// Reused for every report, so analysing allocates nothing once warm.
    title_terms: TermBuffer,
    body_terms: TermBuffer,
    /// Reports analysed while the matchers were still being built, waiting for them
    /// ([`Worker::add_or_keep`]).
    pending: Vec<Pending>,
    /// Reports deferred by this indexer's workers, for the tests.
    #[cfg(test)]
    num_deferred: Arc<std::sync::atomic::AtomicUsize>,
    /// Where the title and body tokens are registered, so the index writer replays them
    /// instead of analysing the texts again.
    replay: Arc<Replay>,
    location: PathBuf,
    /// Whether the entities found go into the document (see [`Extraction`]).
    index_entities: bool,
    /// How a report's story features are computed.
    story_options: StoryOptions,
    /// Which file holds each text, during [`Indexer::sync_dir`] (None: duplicates are indexed).
    dedup: Option<Arc<Mutex<Dedup>>>,
}

/// How a file compared with the last commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Unchanged,
    Added,
    Updated,
    /// New, but nothing in it could be indexed.
    Nothing,
}

/// A file's signature (`size:mtime:hash:xN`) without its extraction version, when that is
/// this program's [`crate::extract::EXTRACTION_VERSION`]; `None` for another version, or a
/// signature written before versions were.
fn current_extraction(sig: &str) -> Option<&str> {
    let (rest, version) = sig.rsplit_once(':')?;
    (version.strip_prefix('x')?.parse::<u32>().ok()? == crate::extract::EXTRACTION_VERSION).then_some(rest)
}

/// What syncing one file did.
struct FileOutcome {
    change: Change,
    num_reports: usize,
    skipped: Vec<Skipped>,
    warnings: Vec<Warning>,
    encoding: Option<&'static str>,
    num_duplicates: usize,
}

impl Worker {
    /// Analyses and extracts `report` into a tantivy document. The title and body are
    /// analysed here, once: the document carries their tokens to the index writer.
    fn document(&mut self, report: &Report, sig: &str, hash: &str) -> crate::Result<(Ready, Entities)> {
        self.extractor()?;
        let title = report.title.as_deref().unwrap_or("");
        let title_terms = self.title_terms.analyse_tagged(&mut self.analyzer, title);
        let body_terms = self.body_terms.analyse_tagged(&mut self.analyzer, &report.body);
        let features = Features::of(&title_terms, &body_terms, &self.story_options);
        let entities = match &mut self.extractor {
            Some(extractor) => extractor.extract_terms(report, (title, title_terms), (&report.body, body_terms)),
            None => Entities::default(),
        };
        let doc = self.build_doc(report, (sig, hash), &entities, (&self.title_terms, &self.body_terms));
        Ok((ready(report, doc, features), entities))
    }

    /// Takes the extractor once the matchers are built, waiting for them if need be.
    fn extractor(&mut self) -> crate::Result<()> {
        if self.extractor.is_none()
            && let Some(extractor) = self.matchers.get(&self.location)?
        {
            self.analyzer = extractor.tagging_analyzer();
            self.extractor = Some(extractor.clone());
        }
        Ok(())
    }

    /// Adds `report` to `writer`, or, while the matchers are still being built, analyses it
    /// and keeps it for [`Worker::flush`]: the first reports of a run are read and analysed
    /// meanwhile instead of waiting (building them takes a few milliseconds, in which
    /// `attache index` would otherwise leave a core idle).
    fn add_or_keep(
        &mut self,
        sink: &Sink,
        report: Report,
        sig: &str,
        hash: String,
        (order, replaced): ((usize, usize), bool),
    ) -> crate::Result<()> {
        if self.extractor.is_none()
            && self.pending.len() < MAX_PENDING
            && self.pending.iter().map(|p| p.report.body.len()).sum::<usize>() < MAX_PENDING_BYTES
            && self.matchers.building()
        {
            let (mut title_terms, mut body_terms) = (TermBuffer::default(), TermBuffer::default());
            title_terms.analyse_tagged(&mut self.analyzer, report.title.as_deref().unwrap_or(""));
            body_terms.analyse_tagged(&mut self.analyzer, &report.body);
            self.pending.push(Pending { report, sig: sig.to_string(), order, replaced, hash, title_terms, body_terms });
            #[cfg(test)]
            self.num_deferred.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        self.flush(sink)?;
        let (ready, _) = self.document(&report, sig, &hash)?;
        self.send(sink, Message::Doc { order, replaced, ready })
    }

    /// Builds and adds the batch's shared reports until none is queued; with `wait`, until
    /// none is queued and no worker is reading a file that may queue more.
    fn help(&mut self, sink: &Sink, wait: bool) -> crate::Result<()> {
        loop {
            let job = if wait { sink.jobs.pop_or_wait() } else { sink.jobs.try_pop() };
            let Some(Job { report, sig, hash, order, replaced }) = job else { return Ok(()) };
            self.add_or_keep(sink, report, &sig, hash, (order, replaced))?;
        }
    }

    fn send(&self, sink: &Sink, message: Message) -> crate::Result<()> {
        let Some(ordered) = &sink.ordered else {
            if let Message::Doc { ready, .. } = message {
                let Ready { mut doc, id, .. } = ready;
                doc.add_text(self.fields.story, &crate::stories::story_id(&id));
                doc.add_text(self.fields.story_sig, "");
                sink.add(doc, &self.location)?;
            }
            return Ok(());
        };
        // The indexer stops listening only when it failed; its error is the one reported.
        ordered
            .send(message)
            .map_err(|_| Error::Internal { path: self.location.clone(), problem: "the indexer stopped".into() })
    }

    /// Extracts and adds the reports [`Worker::add_or_keep`] kept, waiting for the matchers: their
    /// terms get the tags analysing them now would have given ([`TermBuffer::retag`]).
    fn flush(&mut self, sink: &Sink) -> crate::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.extractor()?;
        let tagger = self.extractor.as_ref().map(Extractor::tagger);
        for mut p in std::mem::take(&mut self.pending) {
            let (entities, features) = match (&mut self.extractor, &tagger) {
                (Some(extractor), Some(tagger)) => {
                    let title = p.report.title.as_deref().unwrap_or("");
                    let title_terms = p.title_terms.retag(tagger);
                    let body_terms = p.body_terms.retag(tagger);
                    let features = Features::of(&title_terms, &body_terms, &self.story_options);
                    let entities =
                        extractor.extract_terms(&p.report, (title, title_terms), (&p.report.body, body_terms));
                    (entities, features)
                }
                _ => {
                    let untagged: analysis::Tagger = Arc::new(|_: &str| NO_TAG);
                    let title_terms = p.title_terms.retag(&untagged);
                    let body_terms = p.body_terms.retag(&untagged);
                    (Entities::default(), Features::of(&title_terms, &body_terms, &self.story_options))
                }
            };
            let doc = self.build_doc(&p.report, (&p.sig, &p.hash), &entities, (&p.title_terms, &p.body_terms));
            let ready = ready(&p.report, doc, features);
            self.send(sink, Message::Doc { order: p.order, replaced: p.replaced, ready })?;
        }
        Ok(())
    }

    /// The tantivy document of `report`, with its analysed title and body and `entities`.
    fn build_doc(
        &self,
        report: &Report,
        (sig, hash): (&str, &str),
        entities: &Entities,
        (title_terms, body_terms): (&TermBuffer, &TermBuffer),
    ) -> ReportDoc {
        let f = &self.fields;
        let mut doc = self.file_doc(report, sig, hash);
        if let Some(title) = &report.title {
            doc.add_analysed(f.title, AnalysedText::new(title, title_terms.terms(), &self.replay));
        }
        let optional = [
            (f.author, &report.author),
            (f.source, &report.source),
            (f.url, &report.url),
            (f.language, &report.language),
        ];
        for (field, value) in optional {
            if let Some(value) = value {
                doc.add_text(field, value);
            }
        }
        // A day the index cannot hold (after 2262) is left out rather than stored wrong.
        if let Some(days) =
            report.date.as_deref().and_then(crate::date::days_from_iso).filter(|&d| crate::date::is_indexable(d))
        {
            doc.add_date(f.date, DateTime::from_timestamp_secs(crate::date::indexable_secs(days)));
        }
        doc.add_analysed(f.body, AnalysedText::new(&report.body, body_terms.terms(), &self.replay));
        let entity_fields = [
            (f.leader, &entities.leaders),
            (f.topic, &entities.topics),
            (f.place, &entities.places),
            (f.org, &entities.orgs),
            (f.person, &entities.people),
        ];
        for (field, tags) in entity_fields.into_iter().filter(|_| self.index_entities) {
            for tag in tags {
                doc.add_text(field, &tag.name);
            }
        }
        doc
    }

    /// The document of a report left out as a duplicate of one in `holder` ([`dedup`]).
    fn stub(&self, report: &Report, sig: &str, hash: &str, holder: &str) -> ReportDoc {
        let mut doc = self.file_doc(report, sig, hash);
        if let Some(field) = self.fields.duplicate_of {
            doc.add_text(field, holder);
        }
        doc
    }

    /// What every document of a file carries: the report's id, the file it came from with
    /// its signature, and the fingerprint of its text.
    fn file_doc(&self, report: &Report, sig: &str, hash: &str) -> ReportDoc {
        let f = &self.fields;
        let mut doc = ReportDoc::default();
        doc.add_text(f.id, &report.id);
        doc.add_text(f.path, &report.path);
        doc.add_text(f.file, &report.path);
        doc.add_text(f.file_sig, sig);
        if let Some(field) = f.content_hash {
            doc.add_text(field, hash);
        }
        doc
    }

    /// Brings one file up to date in `writer`: skips it when unchanged, otherwise deletes its
    /// old reports and adds the new ones — in that order, from this one thread, so tantivy's
    /// operation stamps apply the delete to the old reports only.
    fn sync_file(
        &mut self,
        sink: &Sink,
        at: usize,
        file: &SourceFile,
        previous: Option<&str>,
        options: &SyncOptions,
    ) -> crate::Result<FileOutcome> {
        let mut outcome = FileOutcome {
            change: Change::Unchanged,
            num_reports: 0,
            skipped: Vec::new(),
            warnings: Vec::new(),
            encoding: None,
            num_duplicates: 0,
        };
        // A file indexed by another extraction is extracted again, even if unchanged.
        let current = previous.and_then(current_extraction);
        let quick = format!("{}:{}", file.size, file.mtime_ns);
        if current.is_some_and(|p| p.rsplit_once(':').is_some_and(|(q, _)| q == quick)) {
            return Ok(outcome);
        }
        let bytes = if file.size > options.max_file_bytes {
            None
        } else {
            match std::fs::read(&file.abs) {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    // Keep what was indexed before: the file may come back.
                    let reason = ingest::SkipReason::Unreadable { message: e.to_string() };
                    outcome.skipped.push(Skipped { path: file.rel.clone(), reason });
                    outcome.change = if previous.is_some() { Change::Unchanged } else { Change::Nothing };
                    return Ok(outcome);
                }
            }
        };
        let hash = bytes.as_deref().map_or(0, crate::hash::fnv1a);
        let sig = format!("{quick}:{hash:016x}:x{}", crate::extract::EXTRACTION_VERSION);
        if current.is_some_and(|p| p.rsplit_once(':').is_some_and(|(_, h)| h == format!("{hash:016x}"))) {
            // Touched but not changed.
            return Ok(outcome);
        }
        let parsed = match bytes {
            Some(bytes) => ingest::parse_bytes(file, &bytes),
            None => ingest::read(file, options.max_file_bytes),
        };
        outcome.skipped = parsed.skipped;
        outcome.warnings = parsed.warnings;
        outcome.encoding = parsed.encoding;
        if previous.is_some() {
            sink.writer.delete_term(Term::from_field_text(self.fields.file, &file.rel));
        }
        outcome.num_reports = parsed.reports.len();
        let mut dedup = self.dedup.as_ref().map(|d| d.lock().unwrap_or_else(PoisonError::into_inner));
        if let Some(d) = dedup.as_mut() {
            d.forget(&file.rel);
            d.touch(&file.rel);
        }
        let mut kept = Vec::with_capacity(parsed.reports.len());
        for report in parsed.reports {
            let hash = dedup::fingerprint(&report);
            match dedup.as_mut().and_then(|d| d.claim(&hash, &file.rel)) {
                Some(holder) => {
                    sink.add(self.stub(&report, &sig, &hash, &holder), &self.location)?;
                    outcome.num_duplicates += 1;
                    outcome.num_reports -= 1;
                }
                None => kept.push((report, hash)),
            }
        }
        drop(dedup);
        if kept.len() > SHARE_ABOVE_REPORTS {
            // Queued, then built by whichever worker is free, this one included.
            let sig: Arc<str> = sig.into();
            sink.jobs.push(kept.into_iter().enumerate().map(|(seq, (report, hash))| Job {
                report,
                sig: Arc::clone(&sig),
                hash,
                order: (at, seq),
                replaced: previous.is_some(),
            }));
        } else {
            for (seq, (report, hash)) in kept.into_iter().enumerate() {
                self.add_or_keep(sink, report, &sig, hash, ((at, seq), previous.is_some()))?;
            }
        }
        outcome.change = match (previous.is_some(), outcome.num_reports == 0) {
            (true, _) => Change::Updated,
            (false, false) => Change::Added,
            (false, true) => Change::Nothing,
        };
        Ok(outcome)
    }
}

impl Indexer {
    /// Adds a report built by the caller, replacing any report with the same id; returns the
    /// entities extracted from it.
    pub fn add(&mut self, report: &Report) -> crate::Result<Entities> {
        self.delete(&report.id);
        let (ready, entities) = self.worker.document(report, "", &dedup::fingerprint(report))?;
        self.add_ready(ready)?;
        Ok(entities)
    }

    /// Removes the report with this id, if any. The rest of its story keeps the story's id.
    pub fn delete(&mut self, id: &str) {
        self.writer.delete_term(Term::from_field_text(self.index.fields.id, id));
        self.stories.deleted_id(id);
    }

    /// Decides the story of a built document and adds it.
    fn add_ready(&mut self, ready: Ready) -> crate::Result<()> {
        let Ready { mut doc, id, file, days, features } = ready;
        let (story, sig) = self.stories.assign(&id, &file, days, features)?;
        doc.add_text(self.index.fields.story, &story);
        doc.add_text(self.index.fields.story_sig, &sig);
        self.writer.add_document(doc).map_err(|e| index_error(&self.index.location(), e))?;
        Ok(())
    }

    /// How this indexer decides stories (the defaults of [`StoryOptions`] unless set).
    pub fn story_options(&self) -> StoryOptions {
        *self.stories.options()
    }

    /// Decides the stories of the reports added from now on with `options`; for measuring
    /// other settings ([`crate::eval::stories`]).
    pub fn set_story_options(&mut self, options: StoryOptions) {
        self.worker.story_options = options;
        self.stories.set_options(options);
    }

    /// Makes the index mirror the reports of directory `dir` (see the module docs). Does not
    /// commit, except every [`SyncOptions::commit_every`] reports.
    ///
    /// Files are read, parsed, analysed and tagged by one worker per core, each file entirely
    /// by one worker; the summary and progress still follow the walk's order.
    pub fn sync_dir(
        &mut self,
        dir: &Path,
        options: &SyncOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> crate::Result<IndexSummary> {
        if options.stories && !self.story_options().enabled {
            self.set_story_options(StoryOptions { enabled: true, ..self.story_options() });
        }
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::NotADirectory { path: dir.to_path_buf() });
        }
        progress(&Progress::Walking);
        // A quick first pass for the progress total; the files themselves are streamed, so
        // memory does not grow with the tree (at 750k files a list of them was ~120 MB).
        let total = ingest::count_files(dir, &options.walk);
        let mut summary = IndexSummary::default();
        let mut known = self.file_signatures()?;
        let dedup = self.load_dedup()?;
        let num_workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_DEFAULT_THREADS);
        let mut worker = self.worker.clone();
        worker.dedup.clone_from(&dedup);
        let mut workers = vec![worker; num_workers];
        let mut since_commit = 0;
        let mut done = 0;
        let mut entries = ingest::entries(dir, &options.walk);
        let mut batch = Vec::with_capacity(SYNC_BATCH_FILES);
        loop {
            batch.clear();
            for entry in entries.by_ref() {
                match entry {
                    ingest::Entry::File(file) => batch.push(file),
                    ingest::Entry::Skipped(skipped) => summary.skipped.push(skipped),
                    ingest::Entry::Ignored(ignored) => {
                        summary.num_ignored += 1;
                        summary.ignored.push(ignored);
                    }
                }
                if batch.len() == SYNC_BATCH_FILES {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let previous: Vec<Option<String>> = batch.iter().map(|f| known.remove(&f.rel)).collect();
            let (outcomes, story_time) = self.sync_batch(&mut workers, &batch, &previous, options)?;
            summary.story_secs += story_time.as_secs_f64();
            for (file, outcome) in batch.iter().zip(outcomes) {
                match outcome.change {
                    Change::Unchanged => summary.num_unchanged += 1,
                    Change::Added => summary.num_added += 1,
                    Change::Updated => summary.num_updated += 1,
                    Change::Nothing => {}
                }
                summary.num_reports += outcome.num_reports;
                summary.num_duplicates += outcome.num_duplicates;
                since_commit += outcome.num_reports;
                summary.skipped.extend(outcome.skipped);
                summary.warnings.extend(outcome.warnings);
                if let Some(encoding) = outcome.encoding {
                    summary.encodings.push(FileEncoding { path: file.rel.clone(), encoding: encoding.to_string() });
                }
                done += 1;
                // Files created after the count still count.
                progress(&Progress::Indexing { done, total: total.max(done), path: file.rel.clone() });
            }
            if options.commit_every > 0 && since_commit >= options.commit_every {
                progress(&Progress::Committing);
                self.commit()?;
                since_commit = 0;
            }
        }
        // Files that vanished, except those the walk could not read: a transient error must
        // not cost the reports already indexed.
        let unreadable: std::collections::HashSet<&str> = summary
            .skipped
            .iter()
            .filter(|s| matches!(s.reason, ingest::SkipReason::Unreadable { .. }))
            .map(|s| s.path.as_str())
            .collect();
        for gone in known.keys().filter(|k| !unreadable.contains(k.as_str())) {
            self.writer.delete_term(Term::from_field_text(self.index.fields.file, gone));
            self.stories.deleted_file(gone);
            summary.num_deleted += 1;
            if let Some(d) = &dedup {
                d.lock().unwrap_or_else(PoisonError::into_inner).forget(gone);
            }
        }
        // Duplicates whose original went away or changed: read again, the first takes over.
        let orphans = dedup.as_ref().map(|d| d.lock().unwrap_or_else(PoisonError::into_inner).orphans());
        let orphans: Vec<SourceFile> =
            orphans.unwrap_or_default().iter().filter_map(|rel| ingest::source_file(dir, rel)).collect();
        if !orphans.is_empty() {
            for file in &orphans {
                self.writer.delete_term(Term::from_field_text(self.index.fields.file, &file.rel));
            }
            let previous = vec![None; orphans.len()];
            let (outcomes, story_time) = self.sync_batch(&mut workers, &orphans, &previous, options)?;
            summary.story_secs += story_time.as_secs_f64();
            for outcome in outcomes {
                summary.num_reports += outcome.num_reports;
                summary.num_duplicates += outcome.num_duplicates;
            }
        }
        Ok(summary)
    }

    /// Syncs a batch of files on the workers; outcomes come back in the batch's order.
    ///
    /// The workers read, analyse and extract. When stories are decided, their documents come
    /// back here, where each report's story is decided and the document added in the batch's
    /// order (file, then record), so a run decides the same stories whatever the threads do;
    /// documents that arrive ahead of their turn wait, at most a few files' worth per worker.
    /// Otherwise each worker adds its own documents ([`Sink`]).
    fn sync_batch(
        &mut self,
        workers: &mut [Worker],
        batch: &[SourceFile],
        previous: &[Option<String>],
        options: &SyncOptions,
    ) -> crate::Result<(Vec<FileOutcome>, std::time::Duration)> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let location = self.index.location();
        let mut story_time = std::time::Duration::ZERO;
        let (sender, inbox) = std::sync::mpsc::channel::<Message>();
        let jobs = Jobs::default();
        let jobs = &jobs;
        let in_order = self.stories.options().enabled;
        let Indexer { writer, stories, index, .. } = self;
        let writer = &*writer;
        let (results, ordered): (Vec<WorkerResult>, crate::Result<()>) = std::thread::scope(|scope| {
            let handles: Vec<_> = workers
                .iter_mut()
                .map(|worker| {
                    let next = &next;
                    let sink = Sink::new(writer, in_order.then(|| sender.clone()), jobs);
                    scope.spawn(move || -> crate::Result<Vec<(usize, FileOutcome)>> {
                        let mut mine = Vec::new();
                        loop {
                            worker.help(&sink, false)?;
                            let reading = jobs.reading();
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(file) = batch.get(i) else {
                                drop(reading);
                                worker.help(&sink, true)?;
                                worker.flush(&sink)?;
                                sink.flush(&worker.location)?;
                                return Ok(mine);
                            };
                            let previous = previous.get(i).and_then(|p| p.as_deref());
                            let outcome = worker.sync_file(&sink, i, file, previous, options);
                            drop(reading);
                            let outcome = outcome?;
                            worker.send(&sink, Message::Done { file: i, count: outcome.num_reports })?;
                            mine.push((i, outcome));
                        }
                    })
                })
                .collect();
            // Without stories no worker holds a sender, and this returns at once.
            drop(sender);
            let ordered = add_in_order(&inbox, batch, |ready, replaced| {
                if let Some(file) = replaced {
                    stories.deleted_file(file);
                }
                let Ready { mut doc, id, file, days, features } = ready;
                let started = std::time::Instant::now();
                let (story, sig) = stories.assign(&id, &file, days, features)?;
                story_time += started.elapsed();
                doc.add_text(index.fields.story, &story);
                doc.add_text(index.fields.story_sig, &sig);
                writer.add_document(doc).map_err(|e| index_error(&location, e))?;
                Ok(())
            });
            // A failed indexer stops listening; the workers' sends fail and they end.
            drop(inbox);
            let results = handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Internal { path: location.clone(), problem: "an indexing worker failed".into() })
                    })
                })
                .collect();
            (results, ordered)
        });
        let mut all = Vec::with_capacity(batch.len());
        for result in results {
            all.extend(result?);
        }
        ordered?;
        all.sort_by_key(|(i, _)| *i);
        Ok((all.into_iter().map(|(_, outcome)| outcome).collect(), story_time))
    }

    /// The duplicates' bookkeeping of the latest commit, when the schema has its fields.
    fn load_dedup(&self) -> crate::Result<Option<Arc<Mutex<Dedup>>>> {
        let f = &self.index.fields;
        let (Some(hash), Some(dup)) = (f.content_hash, f.duplicate_of) else { return Ok(None) };
        let schema = &self.index.tantivy_schema;
        let names = [schema.get_field_name(f.file), schema.get_field_name(hash), schema.get_field_name(dup)];
        let dedup =
            Dedup::load(&self.index.reader.searcher(), names).map_err(|e| index_error(&self.index.location(), e))?;
        Ok(Some(Arc::new(Mutex::new(dedup))))
    }

    /// `file → signature` of every file in the latest commit.
    fn file_signatures(&self) -> crate::Result<HashMap<String, String>> {
        let searcher = self.index.reader.searcher();
        let at = self.index.location();
        let name = |field| self.index.tantivy_schema.get_field_name(field).to_string();
        let (file_name, sig_name) = (name(self.index.fields.file), name(self.index.fields.file_sig));
        let mut out = HashMap::new();
        let (mut file, mut sig) = (String::new(), String::new());
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(files), Some(sigs)) = (
                fast.str(&file_name).map_err(|e| index_error(&at, e))?,
                fast.str(&sig_name).map_err(|e| index_error(&at, e))?,
            ) else {
                continue;
            };
            for doc in segment.doc_ids_alive() {
                let (Some(f), Some(s)) = (files.term_ords(doc).next(), sigs.term_ords(doc).next()) else { continue };
                let io = |e: std::io::Error| Error::io(&at, e);
                files.ord_to_str(f, &mut file).map_err(io)?;
                sigs.ord_to_str(s, &mut sig).map_err(io)?;
                out.entry(file.clone()).or_insert_with(|| sig.clone());
            }
        }
        Ok(out)
    }

    /// Commits everything added and deleted so far, atomically, and makes it visible.
    pub fn commit(&mut self) -> crate::Result<()> {
        self.index.commit(&mut self.writer)?;
        self.stories.committed();
        Ok(())
    }

    /// Drops every change since the last commit.
    pub fn rollback(&mut self) -> crate::Result<()> {
        self.writer.rollback().map(|_| ()).map_err(|e| index_error(&self.index.location(), e))?;
        // tantivy's rollback starts a new writer: with the default merge policy, and with the
        // last commit's opstamp next.
        self.index.claim_commit_opstamp(&self.writer);
        self.writer.set_merge_policy(self.index.merge_policy());
        self.stories.rolled_back();
        Ok(())
    }
}

/// Hands the documents the workers send to `add`, in the batch's order: file by file, each
/// file's records in order, with the first record of a re-indexed file its path.
fn add_in_order(
    inbox: &std::sync::mpsc::Receiver<Message>,
    batch: &[SourceFile],
    mut add: impl FnMut(Ready, Option<&str>) -> crate::Result<()>,
) -> crate::Result<()> {
    let mut waiting: std::collections::BTreeMap<(usize, usize), (bool, Ready)> = std::collections::BTreeMap::new();
    let mut counts: HashMap<usize, usize> = HashMap::new();
    let (mut file, mut seq) = (0, 0);
    for message in inbox {
        match message {
            Message::Doc { order, replaced, ready } => {
                waiting.insert(order, (replaced, ready));
            }
            Message::Done { file, count } => {
                counts.insert(file, count);
            }
        }
        loop {
            if let Some((was, ready)) = waiting.remove(&(file, seq)) {
                let replaced = batch.get(file).filter(|_| seq == 0 && was).map(|f| f.rel.as_str());
                add(ready, replaced)?;
                seq += 1;
            } else if counts.get(&file).is_some_and(|&n| n == seq) {
                counts.remove(&file);
                file += 1;
                seq = 0;
            } else {
                break;
            }
        }
    }
    Ok(())
}

/// A built document of `report`, waiting for its story.
fn ready(report: &Report, doc: ReportDoc, features: Features) -> Ready {
    let days = report.date.as_deref().and_then(crate::date::days_from_iso);
    Ready { doc, id: report.id.clone(), file: report.path.clone(), days, features }
}

#[cfg(test)]
mod tests {
    //! Replaying the worker's tokens builds the index analysing the texts again builds: the
    //! same terms in every field, at the same positions in the same reports, the same field
    //! norms and the same stored reports; and no registered text outlives its document.

    use std::collections::BTreeMap;

    use tantivy::postings::Postings;
    use tantivy::schema::{Document, Value};
    use tantivy::{DocSet, TERMINATED};

    use super::*;

    /// `(field, term) → report id → positions`.
    type Terms = BTreeMap<(String, Vec<u8>), BTreeMap<String, Vec<u32>>>;
    /// `(field, report id) → field norm`, and `report id → stored report as JSON`.
    type Norms = BTreeMap<(String, String), u32>;
    type Stored = BTreeMap<String, String>;

    /// Everything the index holds about each report, independent of how the reports were
    /// split into segments.
    fn contents(index: &Index) -> crate::Result<(Terms, Norms, Stored)> {
        let at = index.location();
        let tantivy_err = |e| index_error(&at, e);
        let io_err = |e| Error::io(&at, e);
        let schema = &index.tantivy_schema;
        let (mut terms, mut norms, mut stored) = (Terms::new(), Norms::new(), Stored::new());
        let searcher = index.reader.searcher();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1).map_err(io_err)?;
            let mut ids = Vec::new();
            for doc in 0..segment.max_doc() {
                let report: TantivyDocument = store.get(doc).map_err(tantivy_err)?;
                let id = report.get_first(index.fields.id).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                stored.insert(id.clone(), report.to_json(schema));
                ids.push(id);
            }
            for (field, entry) in schema.fields().filter(|(_, e)| e.is_indexed()) {
                let name = entry.name().to_string();
                if entry.has_fieldnorms() {
                    let reader = segment.get_fieldnorms_reader(field).map_err(tantivy_err)?;
                    for (doc, id) in ids.iter().enumerate() {
                        norms.insert((name.clone(), id.clone()), reader.fieldnorm(doc as u32));
                    }
                }
                let inverted = segment.inverted_index(field).map_err(tantivy_err)?;
                let mut stream = inverted.terms().stream().map_err(io_err)?;
                while stream.advance() {
                    let option = tantivy::schema::IndexRecordOption::WithFreqsAndPositions;
                    let mut postings = inverted.read_postings_from_terminfo(stream.value(), option).map_err(io_err)?;
                    let docs = terms.entry((name.clone(), stream.key().to_vec())).or_default();
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        let mut positions = Vec::new();
                        postings.positions(&mut positions);
                        let id = ids.get(doc as usize).cloned().unwrap_or_default();
                        docs.insert(id, positions);
                        doc = postings.advance();
                    }
                }
            }
        }
        Ok((terms, norms, stored))
    }

    /// Reports whose titles and bodies try the replay's edges.
    fn edge_reports() -> Vec<Report> {
        let long = "z".repeat(80);
        vec![
            Report::new("edge/1.txt", "Putin met Erdoğan in Ankara; talks on Iran.").title("Putin, Erdoğan"),
            // The same text in the title and the body, and in two reports.
            Report::new("edge/2.txt", "Sanctions talks").title("Sanctions talks"),
            Report::new("edge/3.txt", "Sanctions talks").title("Sanctions talks"),
            Report::new("edge/4.txt", format!("Words {long} around a {long} dropped token")).title(long.clone()),
            Report::new("edge/5.txt", "Ærø Straße İstanbul ΣΊΣΥΦΟΣ Русский ﬁnance 東京 ß x²").title(""),
            Report::new("edge/6.txt", "").title("Only a title"),
            Report::new("edge/7.txt", "   ,,, ").author("Ann Author").source("Reuters"),
        ]
    }

    fn build(replaying: bool) -> crate::Result<Index> {
        let index = Index::create_in_ram(IndexSchema::embedded()?)?;
        if !replaying {
            analysis::register(&index.inner);
        }
        let mut indexer = index.indexer()?;
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
        let summary = indexer.sync_dir(&corpus, &SyncOptions::default(), &mut |_| {})?;
        assert!(summary.num_reports > 10, "{summary:?}");
        for report in edge_reports() {
            indexer.add(&report)?;
        }
        indexer.commit()?;
        drop(indexer);
        assert_eq!(index.replay.num_registered(), 0, "every document unregistered its texts");
        Ok(index)
    }

    #[test]
    fn replaying_the_tokens_builds_the_index_analysing_again_builds() -> crate::Result<()> {
        let (replayed, analysed) = (build(true)?, build(false)?);
        let num_replayed = |index: &Index| index.replay.num_replayed.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(num_replayed(&analysed), 0);
        // Titles and non-empty bodies of the corpus and of the edge reports.
        assert!(num_replayed(&replayed) > 20, "{}", num_replayed(&replayed));
        let (terms, norms, stored) = contents(&replayed)?;
        let (expected_terms, expected_norms, expected_stored) = contents(&analysed)?;
        assert!(terms.keys().any(|(field, term)| field == "body" && term.ends_with(b"erdogan")));
        assert_eq!(terms, expected_terms);
        assert_eq!(norms, expected_norms);
        assert_eq!(stored, expected_stored);
        Ok(())
    }

    #[test]
    fn indexing_without_extraction_indexes_the_same_text_and_no_entities() -> crate::Result<()> {
        let build = |extraction: Extraction| -> crate::Result<Index> {
            let index = Index::create_in_ram(IndexSchema::embedded()?)?;
            let mut indexer = index.indexer_doing(extraction)?;
            let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
            indexer.sync_dir(&corpus, &SyncOptions::default(), &mut |_| {})?;
            let entities =
                indexer.add(&Report::new("putin.txt", "President Vladimir Putin spoke of Iran, Iran and Iran."))?;
            assert_eq!(entities.leaders.is_empty(), extraction == Extraction::Off, "{entities:?}");
            indexer.commit()?;
            Ok(index)
        };
        let (terms, norms, _) = contents(&build(Extraction::Full)?)?;
        let (skipped, skipped_norms, _) = contents(&build(Extraction::Off)?)?;
        // Finding the entities without indexing them leaves the same index as not finding them.
        let (found_only, found_only_norms, _) = contents(&build(Extraction::FindOnly)?)?;
        assert_eq!((&found_only, &found_only_norms), (&skipped, &skipped_norms));
        let is_entity = |field: &str| ["leader", "topic", "place", "org", "person"].contains(&field);
        assert!(terms.keys().any(|(field, _)| field == "leader"));
        assert!(!skipped.keys().any(|(field, _)| is_entity(field)), "no entity terms");
        let text_terms: Terms = terms.into_iter().filter(|((field, _), _)| !is_entity(field)).collect();
        assert_eq!(text_terms, skipped);
        let text_norms: Norms =
            norms.iter().filter(|((f, _), _)| !is_entity(f)).map(|(k, v)| (k.clone(), *v)).collect();
        let skipped_norms: Norms =
            skipped_norms.iter().filter(|((f, _), _)| !is_entity(f)).map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(text_norms, skipped_norms);
        Ok(())
    }

    #[test]
    fn reports_analysed_while_the_matchers_are_built_are_indexed_as_the_others() -> crate::Result<()> {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
        let files = ingest::walk(&corpus, &WalkOptions::default()).files;
        let num_reports: usize = files.iter().map(|f| ingest::read(f, u64::MAX).reports.len()).sum();
        assert!(num_reports > 10);
        // Built with matchers that are late, then with matchers that are ready.
        let build = |slow: bool| -> crate::Result<(Index, usize)> {
            let index = Index::create_in_ram(IndexSchema::embedded()?)?;
            let mut indexer = index.indexer()?;
            let deferred = Arc::clone(&indexer.worker.num_deferred);
            if slow {
                // Matchers that arrive only once every report has been read and analysed:
                // then each is extracted and added.
                let (schema, deferred) = (Arc::clone(&index.schema), Arc::clone(&deferred));
                let thread = std::thread::spawn(move || {
                    let start = std::time::Instant::now();
                    while deferred.load(std::sync::atomic::Ordering::Relaxed) < num_reports
                        && start.elapsed().as_secs() < 60
                    {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    Extractor::new(&schema)
                });
                indexer.worker.matchers = Matchers::new(Building::Thread(thread));
            } else {
                // Matchers built before the first report: nothing is deferred.
                indexer.worker.matchers.get(Path::new("<test>"))?;
            }
            let summary = indexer.sync_dir(&corpus, &SyncOptions::default(), &mut |_| {})?;
            indexer.commit()?;
            let deferred = deferred.load(std::sync::atomic::Ordering::Relaxed);
            assert_eq!((summary.num_reports, deferred), (num_reports, if slow { num_reports } else { 0 }));
            Ok((index, summary.num_reports))
        };
        let (slow, n) = build(true)?;
        let (usual, m) = build(false)?;
        assert_eq!(n, m);
        let (slow, usual) = (contents(&slow)?, contents(&usual)?);
        assert!(slow.0.keys().any(|(field, _)| field == "leader"));
        assert_eq!(slow, usual, "the same terms, norms and stored reports, entities included");
        Ok(())
    }

    #[test]
    fn matchers_are_built_where_they_can_be_and_only_once() -> crate::Result<()> {
        let schema = Arc::new(IndexSchema::embedded()?);
        let at = Path::new("<test>");
        let here = Matchers::new(Building::Here(Arc::clone(&schema)));
        let first = here.get(at)?.map(|e| e as *const Extractor);
        assert!(first.is_some());
        assert_eq!(here.get(at)?.map(|e| e as *const Extractor), first, "built once, then shared");
        let schema_for_thread = Arc::clone(&schema);
        let thread = std::thread::spawn(move || Extractor::new(&schema_for_thread));
        assert!(Matchers::new(Building::Thread(thread)).get(at)?.is_some());
        assert!(Matchers::new(Building::Skipped).get(at)?.is_none());
        let failed = std::thread::spawn(|| -> Extractor { panic!("no matchers") });
        assert!(matches!(Matchers::new(Building::Thread(failed)).get(at), Err(Error::Internal { .. })));
        Ok(())
    }

    /// A worker out of files waits for the reports another is still reading, rather than
    /// leaving them all to the reader.
    #[test]
    fn a_worker_out_of_files_waits_for_the_reports_a_reader_queues() {
        let jobs = Jobs::default();
        let job = |n: usize| Job {
            report: Report { id: n.to_string(), ..Report::default() },
            sig: "".into(),
            hash: String::new(),
            order: (0, n),
            replaced: false,
        };
        let got = std::thread::scope(|scope| {
            let reading = jobs.reading();
            let waiter = scope.spawn(|| {
                let mut got = Vec::new();
                while let Some(job) = jobs.pop_or_wait() {
                    got.push(job.report.id);
                }
                got
            });
            jobs.push([job(1), job(2)]);
            jobs.push([job(3)]);
            drop(reading);
            waiter.join().unwrap()
        });
        assert_eq!(got, ["1", "2", "3"]);
        assert!(jobs.try_pop().is_none() && jobs.pop_or_wait().is_none(), "no reader: no wait");
    }

    /// A file of many records has them built by every worker ([`SHARE_ABOVE_REPORTS`]): each
    /// is indexed once, a changed file replaces them all, and with stories on two runs decide
    /// the same stories.
    #[test]
    fn the_records_of_a_big_file_are_shared_out_and_indexed_once() -> crate::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("<temp>"), e))?;
        let corpus = dir.path().to_path_buf();
        let write = |n: usize| {
            let mut lines = String::new();
            for i in 0..n {
                let record = serde_json::json!({
                    "id": format!("r{i}"),
                    "title": format!("Talks, round {i}"),
                    "body": format!("Envoys met in Geneva for round {i} of the talks on Iran, on day {}.", i % 7),
                    "date": format!("2025-07-{:02}", 1 + i % 28),
                });
                lines.push_str(&format!("{record}\n"));
            }
            std::fs::write(corpus.join("wire.jsonl"), lines).map_err(|e| Error::io(&corpus, e))
        };
        write(100)?;
        std::fs::write(corpus.join("note.txt"), "A short note on the summit in The Hague.")
            .map_err(|e| Error::io(&corpus, e))?;
        let mut runs = Vec::new();
        for stories in [false, true, true] {
            let index = Index::create_in_ram(IndexSchema::embedded()?)?;
            let mut indexer = index.indexer()?;
            let options = SyncOptions { stories, ..SyncOptions::default() };
            let summary = indexer.sync_dir(&corpus, &options, &mut |_| {})?;
            indexer.commit()?;
            assert_eq!((summary.num_reports, index.num_reports()), (101, 101), "{summary:?}");
            write(60)?;
            let size = std::fs::metadata(corpus.join("wire.jsonl")).map_err(|e| Error::io(&corpus, e))?.len();
            indexer.sync_dir(&corpus, &options, &mut |_| {})?;
            indexer.commit()?;
            assert_eq!(index.num_reports(), 61, "the changed file's old records are gone");
            write(100)?;
            // id → (file signature's size, story) of every live report.
            let mut live = BTreeMap::new();
            let searcher = index.reader.searcher();
            for segment in searcher.segment_readers() {
                let store = segment.get_store_reader(1).map_err(|e| Error::io(index.location(), e))?;
                for doc in segment.doc_ids_alive() {
                    let report: TantivyDocument = store.get(doc).map_err(|e| index_error(&index.location(), e))?;
                    let text = |field| report.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    let f = &index.fields;
                    let sig = text(f.file_sig);
                    live.insert(text(f.id), (sig.split(':').next().unwrap_or_default().to_string(), text(f.story)));
                }
            }
            assert_eq!(live.len(), 61);
            let new = size.to_string();
            assert!(live.iter().all(|(id, (of, _))| id == "note.txt" || *of == new), "only the new records: {live:?}");
            runs.push(live);
        }
        assert_eq!(runs[1], runs[2], "the same stories, whatever the threads did");
        Ok(())
    }

    #[test]
    fn an_index_opened_again_replays_too() -> crate::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("<temp>"), e))?;
        drop(Index::open_or_create(dir.path(), IndexSchema::embedded()?)?);
        let index = Index::open(dir.path(), IndexSchema::embedded()?)?;
        let mut indexer = index.indexer()?;
        for report in edge_reports() {
            indexer.add(&report)?;
        }
        indexer.commit()?;
        let num_replayed = index.replay.num_replayed.load(std::sync::atomic::Ordering::Relaxed);
        // Every non-empty title and body of the edge reports.
        assert_eq!((num_replayed, index.replay.num_registered()), (11, 0));
        assert_eq!(index.num_reports(), 7);
        Ok(())
    }

    #[test]
    fn a_file_indexed_by_another_extraction_is_extracted_again() -> crate::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("<temp>"), e))?;
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).map_err(|e| Error::io(&corpus, e))?;
        std::fs::write(corpus.join("call.txt"), "President Vladimir Putin spoke to Donald Trump about Iran.")
            .map_err(|e| Error::io(&corpus, e))?;
        let index = Index::open_or_create(&dir.path().join("index"), IndexSchema::embedded()?)?;
        let sync = || -> crate::Result<IndexSummary> {
            let mut indexer = index.indexer()?;
            let summary = indexer.sync_dir(&corpus, &SyncOptions::default(), &mut |_| {})?;
            indexer.commit()?;
            Ok(summary)
        };
        assert_eq!(sync()?.num_added, 1);
        let sig = index.indexer()?.file_signatures()?.remove("call.txt").unwrap_or_default();
        let version = format!(":x{}", crate::extract::EXTRACTION_VERSION);
        assert!(sig.ends_with(&version), "{sig}");
        assert_eq!(sync()?.num_unchanged, 1);
        // The file as an older attache indexed it: a signature without a version, and none
        // of the leaders this one finds.
        let f = index.fields;
        let mut old = ReportDoc::default();
        old.add_text(f.id, "call.txt");
        old.add_text(f.file, "call.txt");
        old.add_text(f.file_sig, sig.trim_end_matches(&version));
        let mut writer = index.writer(1, MIN_WRITER_HEAP_BYTES)?;
        writer.delete_term(Term::from_field_text(f.file, "call.txt"));
        writer.add_document(old).map_err(|e| index_error(&index.location(), e))?;
        index.commit(&mut writer)?;
        drop(writer);
        let summary = sync()?;
        assert_eq!((summary.num_updated, summary.num_unchanged), (1, 0));
        let article = index.searcher().article("call.txt")?;
        assert!(article.leaders.iter().any(|l| l == "Vladimir Putin"), "{:?}", article.leaders);
        assert_eq!(sync()?.num_unchanged, 1);
        Ok(())
    }

    /// Merges every segment it is offered, those without deletes first.
    #[derive(Debug)]
    struct MergeAll;

    impl tantivy::merge_policy::MergePolicy for MergeAll {
        fn compute_merge_candidates(
            &self,
            segments: &[tantivy::SegmentMeta],
        ) -> Vec<tantivy::merge_policy::MergeCandidate> {
            let mut segments = segments.to_vec();
            segments.sort_by_key(tantivy::SegmentMeta::has_deletes);
            let ids = segments.iter().map(tantivy::SegmentMeta::id).collect::<Vec<_>>();
            if ids.len() < 2 { Vec::new() } else { vec![tantivy::merge_policy::MergeCandidate(ids)] }
        }
    }

    #[test]
    fn a_new_writers_first_delete_reaches_segments_being_merged() -> crate::Result<()> {
        let index = Index::create_in_ram(IndexSchema::embedded()?)?;
        let f = index.fields;
        let doc = |file: &str, version: &str| {
            let mut doc = ReportDoc::default();
            doc.add_text(f.id, file);
            doc.add_text(f.file, file);
            doc.add_text(f.file_sig, version);
            doc
        };
        let err = |e| index_error(&index.location(), e);
        // Two segments, {a, c, d} and {b}; the last commit deletes c, so the deletes of
        // {a, c, d} are written at that commit's opstamp.
        let mut writer = index.writer(1, MIN_WRITER_HEAP_BYTES)?;
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        writer.add_document(doc("a", "1")).map_err(err)?;
        writer.add_document(doc("c", "1")).map_err(err)?;
        writer.add_document(doc("d", "1")).map_err(err)?;
        index.commit(&mut writer)?;
        writer.add_document(doc("b", "1")).map_err(err)?;
        index.commit(&mut writer)?;
        writer.delete_term(Term::from_field_text(f.file, "c"));
        index.commit(&mut writer)?;
        drop(writer);
        // A new writer replaces a while both committed segments are merged, {b} read first.
        let mut writer = index.writer(1, MIN_WRITER_HEAP_BYTES)?;
        writer.set_merge_policy(Box::new(MergeAll));
        writer.delete_term(Term::from_field_text(f.file, "a"));
        writer.add_document(doc("a", "2")).map_err(err)?;
        index.commit(&mut writer)?;
        writer.wait_merging_threads().map_err(err)?;
        index.reload()?;
        let searcher = index.reader.searcher();
        let a =
            tantivy::query::TermQuery::new(Term::from_field_text(f.id, "a"), tantivy::schema::IndexRecordOption::Basic);
        let count = searcher.search(&a, &tantivy::collector::Count).map_err(err)?;
        assert_eq!(count, 1, "the replaced version of a is gone");
        assert_eq!(searcher.num_docs(), 3, "a, b and d");
        Ok(())
    }
}
