//! What the benchmark programs share: the plain-tantivy baseline (schema and analyzer), peak
//! memory, and statistics.
//!
//! # The baseline
//!
//! The baseline is what a user would build with tantivy alone: `title` and `body` text fields
//! (stored, positions), plus the report `id` (stored, so a hit can be named) and `date`
//! (indexed and fast, so date-range queries compare like with like), analysed with tantivy's
//! `en_stem` pipeline: `SimpleTokenizer → RemoveLongFilter(40) → LowerCaser → Stemmer(English)`.
//!
//! attache builds tantivy without its `stemmer` feature (one stemming crate only), so
//! tantivy's own `Stemmer` filter is not compiled in. [`RsStemmer`] reproduces it: the same
//! Snowball English algorithm from `rust_stemmers` (the crate tantivy's `Stemmer` wrapped for
//! years), called once per token with no cache, exactly as tantivy's filter does. Building a
//! second copy of tantivy with the feature on would compare two builds of tantivy instead of
//! two pipelines on one.

#![allow(dead_code)] // Each bench uses a different part.

use std::path::Path;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::schema::{DateOptions, DateTimePrecision, Field, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Name of the baseline analyzer on the baseline index.
pub const BASELINE_ANALYZER: &str = "en_stem_baseline";

/// Writer memory per indexing thread: attache's `DEFAULT_WRITER_HEAP_BYTES`, so both sides
/// flush segments at the same size.
pub const HEAP_PER_THREAD: usize = 64 * 1024 * 1024;

/// attache's default number of indexing threads (`available_parallelism`, at most 4); the
/// baseline uses the same.
pub fn indexing_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

/// Fields of the baseline index.
#[derive(Clone, Copy)]
pub struct BaselineFields {
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub date: Field,
}

pub fn baseline_schema() -> (Schema, BaselineFields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BASELINE_ANALYZER)
            .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
    );
    let id = builder.add_text_field("id", tantivy::schema::STRING | tantivy::schema::STORED);
    let title = builder.add_text_field("title", text.clone());
    let body = builder.add_text_field("body", text);
    let date = builder.add_date_field(
        "date",
        DateOptions::default().set_indexed().set_fast().set_precision(DateTimePrecision::Seconds),
    );
    (builder.build(), BaselineFields { id, title, body, date })
}

pub fn baseline_fields(schema: &Schema) -> tantivy::Result<BaselineFields> {
    Ok(BaselineFields {
        id: schema.get_field("id")?,
        title: schema.get_field("title")?,
        body: schema.get_field("body")?,
        date: schema.get_field("date")?,
    })
}

/// tantivy's `en_stem`, with [`RsStemmer`] standing in for tantivy's `Stemmer`.
pub fn baseline_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(RsStemmer)
        .build()
}

pub fn register_baseline(index: &tantivy::Index) {
    index.tokenizers().register(BASELINE_ANALYZER, baseline_analyzer());
}

/// tantivy's `Stemmer` token filter, over `rust_stemmers`: one `stem` call per token.
#[derive(Clone, Copy)]
pub struct RsStemmer;

impl TokenFilter for RsStemmer {
    type Tokenizer<T: Tokenizer> = RsStemmerFilter<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> RsStemmerFilter<T> {
        RsStemmerFilter { inner: tokenizer, stemmer: std::sync::Arc::new(Stemmer::create(Algorithm::English)) }
    }
}

#[derive(Clone)]
pub struct RsStemmerFilter<T> {
    inner: T,
    stemmer: std::sync::Arc<Stemmer>,
}

impl<T: Tokenizer> Tokenizer for RsStemmerFilter<T> {
    type TokenStream<'a> = RsStemmerStream<'a, T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RsStemmerStream { tail: self.inner.token_stream(text), stemmer: &self.stemmer, buffer: String::new() }
    }
}

pub struct RsStemmerStream<'a, S> {
    tail: S,
    stemmer: &'a Stemmer,
    buffer: String,
}

impl<S: TokenStream> TokenStream for RsStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        // As tantivy's `StemmerTokenStream::advance`.
        match self.stemmer.stem(&token.text) {
            std::borrow::Cow::Owned(stemmed) => token.text = stemmed,
            std::borrow::Cow::Borrowed(stemmed) => {
                self.buffer.clear();
                self.buffer.push_str(stemmed);
                std::mem::swap(&mut token.text, &mut self.buffer);
            }
        }
        true
    }
    fn token(&self) -> &Token {
        self.tail.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Peak resident memory of this process so far, in bytes (`VmHWM`).
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// CPU seconds (user and system) a process or thread has used: `pid` is a process id,
/// `self` or `thread-self` (read from `/proc/PID/stat`; 0 where there is no `/proc`).
pub fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    // Fields after the command name (which may hold spaces) close with ')'; utime and stime
    // are the 14th and 15th fields, the 12th and 13th after it.
    let Some((_, rest)) = stat.rsplit_once(')') else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    // USER_HZ is 100 on every Linux that these benches run on.
    ticks / 100.0
}

/// Samples this process's anonymous resident memory (`RssAnon`: heap and stacks, not the
/// mmapped index files, whose pages the kernel can drop at will) every 20 ms until dropped,
/// and keeps the peak. `VmHWM` counts mapped index pages too, so it overstates what the
/// process needs once merges map large segments.
pub struct AnonPeak {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    peak: std::sync::Arc<std::sync::atomic::AtomicU64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl AnonPeak {
    pub fn start() -> AnonPeak {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(status_kb("RssAnon:") * 1024, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        });
        AnonPeak { stop, peak, handle: Some(handle) }
    }

    /// Stops sampling; the peak in bytes.
    pub fn finish(mut self) -> u64 {
        use std::sync::atomic::Ordering;
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.peak.load(Ordering::Relaxed).max(status_kb("RssAnon:") * 1024)
    }
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

/// Bytes of the segments of the latest commit of the index at `path` (tantivy's own space
/// accounting, so files of merges still in flight are not counted).
pub fn index_bytes(path: &Path) -> tantivy::Result<u64> {
    let index = tantivy::Index::open_in_dir(path)?;
    let reader = index.reader()?;
    Ok(reader.searcher().space_usage()?.total().get_bytes())
}

/// Value at quantile `q` (0..=1) of sorted `values`.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// Median (mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Command-line flags as `--name value` pairs plus positional arguments.
pub struct Flags {
    pub positional: Vec<String>,
    pairs: Vec<(String, String)>,
    switches: Vec<String>,
}

impl Flags {
    /// Parses `args`; names in `switches` take no value. cargo's own `--bench` is ignored.
    pub fn parse(args: impl Iterator<Item = String>, switches: &[&str]) -> Flags {
        let mut flags = Flags { positional: Vec::new(), pairs: Vec::new(), switches: Vec::new() };
        let mut it = args.peekable();
        while let Some(arg) = it.next() {
            if arg == "--bench" {
                continue;
            }
            if let Some(name) = arg.strip_prefix("--") {
                if switches.contains(&name) {
                    flags.switches.push(name.to_string());
                } else if let Some(value) = it.next() {
                    flags.pairs.push((name.to_string(), value));
                }
            } else {
                flags.positional.push(arg);
            }
        }
        flags
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn num(&self, name: &str, default: usize) -> usize {
        self.get(name).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    pub fn has(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }
}

/// Days since 1970-01-01 of an ISO `YYYY-MM-DD` day (Howard Hinnant's days-from-civil), as
/// attache stores dates.
pub fn days_from_iso(day: &str) -> Option<i64> {
    let mut parts = day.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}
