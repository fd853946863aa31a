//! Search benchmark: attache (top-10, 3 passages, highlights) against plain tantivy (top-10
//! with its `SnippetGenerator`) on indexes of the same corpus.
//!
//! ```text
//! cargo bench --bench index -- CORPUS --work DIR --keep       # builds DIR/attache, DIR/tantivy
//! cargo bench --bench search -- DIR [--queries N] [--rounds R] [--seed S] [--schema SCHEMA_DIR]
//! ```
//!
//! **Queries** are drawn (seeded) from the indexed reports themselves, so they work on any
//! corpus and every class has hits: a random report of the baseline index gives its words,
//! and attache's stored article of the same id gives its leaders, topics and date. Classes,
//! `N` queries each (default 100):
//!
//! | class    | attache query                          | tantivy query                        |
//! |----------|----------------------------------------|--------------------------------------|
//! | word     | `w`                                    | `w`                                  |
//! | words    | `w1 w2 [w3 [w4]]`                      | same                                 |
//! | phrase   | `"w1 w2"` (adjacent in the text)       | same                                 |
//! | leader   | `leader:"Full Name" w`                 | `+"surname" +w`                      |
//! | topic    | `topic:"Topic" w`                      | `+topic +w`                          |
//! | date     | `date:[d-180 TO d+180] w1 w2`          | `+date:[…] +(w1 w2)` (range query)    |
//! | facets   | `w1 w2` with facet counts              | `w1 w2` (the baseline has no facets) |
//!
//! **attache** runs `Searcher::search` with `limit(10).passages(3)` (facets only in the
//! facet class): retrieval, stored fields, passages and highlights, everything `--json`
//! prints except serialisation. **tantivy** parses with `QueryParser` over `title^2 body`,
//! collects `TopDocs(10)` and `Count`, builds one `SnippetGenerator` per query (420 chars,
//! attache's passage length) and, for each hit, loads the stored document and computes its
//! snippet and highlighted ranges.
//!
//! Latency (p50 / p99 / mean, per class and overall) is the wall time of one query on one
//! thread after a warm-up pass over all queries; sides alternate by round. `--class NAME`
//! keeps one class of queries (to profile it). QPS is measured
//! with 1 and 2 threads pulling queries from a shared counter. Every figure is also printed as
//! the ratio attache ÷ tantivy. The run asserts hit counts (every word, words and phrase query
//! finds at least its source report on both sides; every attache query finds at least one
//! report; no side returns more than 10 hits); it never asserts on time.

mod common;

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use attache::{Index, IndexSchema, SearchRequest};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, TantivyDocument, Term};

use common::{BaselineFields, Flags, quantile};

/// Hits per query, as the targets specify.
const LIMIT: usize = 10;
/// Passages per hit on the attache side.
const PASSAGES: usize = 3;
/// Snippet length on the tantivy side: one attache passage.
const SNIPPET_CHARS: usize = 420;

const CLASSES: [&str; 7] = ["word", "words", "phrase", "leader", "topic", "date", "facets"];

/// One query, in both dialects.
#[derive(Debug, Clone)]
struct BenchQuery {
    class: &'static str,
    attache: String,
    /// Text part for tantivy's `QueryParser`.
    tantivy: String,
    /// Date range (days since epoch) for the tantivy side.
    days: Option<(i64, i64)>,
    /// Whether the query's source report must be among the hits (its words are in it).
    must_hit: bool,
}

/// The plain-tantivy side.
struct Baseline {
    searcher: tantivy::Searcher,
    parser: QueryParser,
    fields: BaselineFields,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flags = Flags::parse(std::env::args().skip(1), &[]);
    let work = PathBuf::from(flags.positional.first().map(String::as_str).unwrap_or("/tmp/attache-bench-index"));
    let per_class = flags.num("queries", 100);
    let rounds = flags.num("rounds", 2);
    let seed = flags.num("seed", 7) as u64;

    // `--schema DIR`: the index was built with other lexicons than the embedded ones.
    let schema = match flags.get("schema") {
        Some(dir) => IndexSchema::from_dir(std::path::Path::new(dir))?,
        None => IndexSchema::embedded()?,
    };
    let attache = Index::open(&work.join("attache"), schema)?;
    let searcher = attache.searcher();
    let tindex = tantivy::Index::open_in_dir(work.join("tantivy"))?;
    common::register_baseline(&tindex);
    let fields = common::baseline_fields(&tindex.schema())?;
    let mut parser = QueryParser::for_index(&tindex, vec![fields.title, fields.body]);
    parser.set_field_boost(fields.title, 2.0);
    let baseline = Baseline { searcher: tindex.reader()?.searcher(), parser, fields };

    let mut queries = make_queries(&baseline, &searcher, per_class, seed)?;
    // `--class NAME`: only that class (for profiling one kind of query).
    if let Some(only) = flags.get("class") {
        queries.retain(|q| q.class == only);
    }
    println!(
        "# search benchmark: {} ({} reports); {} queries; top-{LIMIT}, {PASSAGES} passages + highlights vs SnippetGenerator",
        work.display(),
        attache.num_reports(),
        queries.len()
    );
    for class in CLASSES {
        let n = queries.iter().filter(|q| q.class == class).count();
        let example = queries.iter().find(|q| q.class == class);
        println!(
            "#   {class:<7} {n:>4} queries, e.g. attache {:?} / tantivy {:?}",
            example.map(|q| q.attache.as_str()).unwrap_or("-"),
            example.map(|q| q.tantivy.as_str()).unwrap_or("-")
        );
    }

    // Warm-up: page cache, allocator, lazily loaded term dictionaries.
    for q in &queries {
        run_attache(&searcher, q);
        run_tantivy(&baseline, q);
    }

    let mut lat_a: Vec<(usize, f64)> = Vec::new();
    let mut lat_t: Vec<(usize, f64)> = Vec::new();
    // Each round's total time per side: the ratio of a round's totals pairs runs taken close
    // together, so a slow spell of the machine weighs on both sides of it.
    let mut round_ratios: Vec<f64> = Vec::new();
    for round in 0..rounds {
        let sides: [bool; 2] = if round % 2 == 0 { [true, false] } else { [false, true] };
        let mut totals = [0.0f64; 2];
        for is_attache in sides {
            let side_started = Instant::now();
            for (i, q) in queries.iter().enumerate() {
                let started = Instant::now();
                if is_attache {
                    run_attache(&searcher, q);
                } else {
                    run_tantivy(&baseline, q);
                }
                let ms = started.elapsed().as_secs_f64() * 1e3;
                if is_attache { lat_a.push((i, ms)) } else { lat_t.push((i, ms)) }
            }
            totals[usize::from(!is_attache)] = side_started.elapsed().as_secs_f64();
        }
        round_ratios.push(totals[0] / totals[1]);
        println!(
            "# round {}: {} queries, attache {:.3} s, tantivy {:.3} s, ratio {:.3}",
            round + 1,
            queries.len(),
            totals[0],
            totals[1],
            totals[0] / totals[1]
        );
    }
    let mut sorted = round_ratios.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "# all queries, time attache ÷ tantivy: median of {} rounds {:.3} (rounds {:.3}–{:.3}; < 1: attache faster)",
        sorted.len(),
        common::median(&sorted),
        sorted[0],
        sorted[sorted.len() - 1]
    );

    println!("\n# latency, ms (one thread, {rounds} rounds; ratio = attache ÷ tantivy, < 1: attache faster)");
    println!(
        "{:<8} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} | {:>7} {:>7}",
        "class", "a p50", "a p99", "a mean", "t p50", "t p99", "t mean", "p50 ×", "p99 ×"
    );
    let stats = |lat: &[(usize, f64)], class: Option<&str>| {
        let mut v: Vec<f64> =
            lat.iter().filter(|(i, _)| class.is_none_or(|c| queries[*i].class == c)).map(|(_, ms)| *ms).collect();
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        (quantile(&v, 0.5), quantile(&v, 0.99), mean)
    };
    for class in CLASSES.iter().map(|c| Some(*c)).chain([None]) {
        if class.is_some_and(|c| !queries.iter().any(|q| q.class == c)) {
            continue;
        }
        let (a50, a99, am) = stats(&lat_a, class);
        let (t50, t99, tm) = stats(&lat_t, class);
        println!(
            "{:<8} {a50:>9.3} {a99:>9.3} {am:>9.3} | {t50:>9.3} {t99:>9.3} {tm:>9.3} | {:>7.2} {:>7.2}",
            class.unwrap_or("all"),
            a50 / t50,
            a99 / t99
        );
    }

    println!("\n# throughput, queries per second (ratio = attache ÷ tantivy, > 1: attache faster)");
    println!("{:<8} {:>10} {:>10} {:>7}", "threads", "attache", "tantivy", "ratio");
    for threads in [1, 2] {
        // Alternate which side goes first.
        let (a, t) = if threads % 2 == 1 {
            let a = qps(threads, &queries, |q| run_attache(&searcher, q));
            (a, qps(threads, &queries, |q| run_tantivy(&baseline, q)))
        } else {
            let t = qps(threads, &queries, |q| run_tantivy(&baseline, q));
            (qps(threads, &queries, |q| run_attache(&searcher, q)), t)
        };
        println!("{threads:<8} {a:>10.1} {t:>10.1} {:>7.3}", a / t);
    }
    Ok(())
}

/// Queries per second over all `queries` on `threads` threads.
fn qps<R>(threads: usize, queries: &[BenchQuery], run: impl Fn(&BenchQuery) -> R + Sync) -> f64 {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(q) = queries.get(i) else { break };
                    std::hint::black_box(run(q));
                }
            });
        }
    });
    queries.len() as f64 / started.elapsed().as_secs_f64()
}

fn run_attache(searcher: &attache::Searcher, q: &BenchQuery) -> usize {
    let request = SearchRequest::new(q.attache.as_str()).limit(LIMIT).passages(PASSAGES).facets(q.class == "facets");
    let results = match searcher.search(&request) {
        Ok(r) => r,
        Err(e) => panic!("attache failed on {:?}: {e}", q.attache),
    };
    assert!(results.total_hits >= 1, "attache found nothing for {:?}", q.attache);
    assert_eq!(results.hits.len(), results.total_hits.min(LIMIT), "{:?}", q.attache);
    assert!(results.hits.iter().all(|h| !h.passages.is_empty()), "a hit without passages for {:?}", q.attache);
    results.total_hits
}

fn run_tantivy(b: &Baseline, q: &BenchQuery) -> usize {
    let text = match b.parser.parse_query(&q.tantivy) {
        Ok(query) => query,
        Err(e) => panic!("tantivy cannot parse {:?}: {e}", q.tantivy),
    };
    let query: Box<dyn Query> = match q.days {
        Some((lo, hi)) => {
            let term = |d: i64| Term::from_field_date(b.fields.date, DateTime::from_timestamp_secs(d * 86_400));
            let range = RangeQuery::new(Bound::Included(term(lo)), Bound::Included(term(hi)));
            Box::new(BooleanQuery::new(vec![(Occur::Must, Box::new(range)), (Occur::Must, text)]))
        }
        None => text,
    };
    let (top, count) = match b.searcher.search(&*query, &(TopDocs::with_limit(LIMIT).order_by_score(), Count)) {
        Ok(r) => r,
        Err(e) => panic!("tantivy failed on {:?}: {e}", q.tantivy),
    };
    assert!(top.len() == count.min(LIMIT), "{:?}", q.tantivy);
    if q.must_hit {
        assert!(count >= 1, "tantivy found nothing for {:?}", q.tantivy);
    }
    let mut generator = match SnippetGenerator::create(&b.searcher, &*query, b.fields.body) {
        Ok(g) => g,
        Err(e) => panic!("snippet generator: {e}"),
    };
    generator.set_max_num_chars(SNIPPET_CHARS);
    let mut lit = 0;
    for (_, address) in top {
        let doc: TantivyDocument = match b.searcher.doc(address) {
            Ok(d) => d,
            Err(e) => panic!("stored document: {e}"),
        };
        let snippet = generator.snippet_from_doc(&doc);
        let title = doc.get_first(b.fields.title).and_then(|v| v.as_str()).map(str::to_string);
        lit += snippet.highlighted().len() + snippet.fragment().len().min(1) + title.map_or(0, |t| t.len().min(1));
    }
    std::hint::black_box(lit);
    count
}

/// SplitMix64, seeded: the same queries for the same index and seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// Words too common to make a query on their own (they match most reports).
const COMMON: &[&str] = &[
    "the",
    "and",
    "that",
    "with",
    "from",
    "have",
    "they",
    "which",
    "were",
    "their",
    "would",
    "there",
    "been",
    "this",
    "when",
    "will",
    "more",
    "said",
    "what",
    "about",
    "into",
    "than",
    "them",
    "only",
    "other",
    "some",
    "could",
    "these",
    "then",
    "also",
    "after",
    "over",
    "such",
    "most",
    "many",
    "before",
    "must",
    "through",
    "where",
    "much",
    "should",
    "because",
    "each",
    "just",
    "those",
    "very",
    "still",
    "here",
    "between",
    "both",
    "being",
    "under",
    "while",
    "last",
    "might",
    "since",
    "against",
    "during",
    "without",
    "according",
    "however",
    "says",
];

/// Words of `text` usable as query words: letters only, 4+ bytes, not too common; with a
/// flag telling whether the next word follows directly (for phrases).
fn words(text: &str) -> Vec<(String, bool)> {
    let raw: Vec<&str> = text.split_whitespace().collect();
    let clean = |w: &str| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_alphabetic());
    raw.iter()
        .enumerate()
        .filter(|(_, w)| clean(w))
        .map(|(i, w)| {
            let lower = w.to_ascii_lowercase();
            let next_adjacent = raw.get(i + 1).is_some_and(|n| clean(n));
            (lower, next_adjacent)
        })
        .filter(|(w, _)| !COMMON.contains(&w.as_str()))
        .collect()
}

fn make_queries(
    b: &Baseline,
    attache: &attache::Searcher,
    per_class: usize,
    seed: u64,
) -> Result<Vec<BenchQuery>, Box<dyn std::error::Error>> {
    let mut rng = Rng(seed);
    let segments = b.searcher.segment_readers();
    let mut out = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut attempts = 0;
    while counts.values().sum::<usize>() < per_class * CLASSES.len() && attempts < per_class * CLASSES.len() * 20 {
        attempts += 1;
        let class = CLASSES[attempts % CLASSES.len()];
        if counts.get(class).copied().unwrap_or(0) >= per_class {
            continue;
        }
        let seg = rng.below(segments.len());
        let max_doc = segments[seg].max_doc();
        let doc: TantivyDocument = b.searcher.doc(DocAddress::new(seg as u32, rng.below(max_doc as usize) as u32))?;
        let body = doc.get_first(b.fields.body).and_then(|v| v.as_str()).unwrap_or("");
        let id = doc.get_first(b.fields.id).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let ws = words(body);
        if ws.len() < 8 {
            continue;
        }
        let mut pick = || ws[rng.below(ws.len())].0.clone();
        let query = match class {
            "word" => {
                let w = pick();
                BenchQuery { class, attache: w.clone(), tantivy: w, days: None, must_hit: true }
            }
            "words" | "facets" => {
                let n = 2 + (attempts / 7) % 3;
                let w: Vec<String> = (0..n).map(|_| pick()).collect();
                let text = w.join(" ");
                BenchQuery { class, attache: text.clone(), tantivy: text, days: None, must_hit: true }
            }
            "phrase" => {
                let starts: Vec<usize> = (0..ws.len()).filter(|&i| ws[i].1).collect();
                if starts.is_empty() {
                    continue;
                }
                let i = starts[rng.below(starts.len())];
                // The word after `ws[i]` in the text is `ws[i + 1]` unless it was a common word,
                // so rebuild the pair from the raw text to stay exact.
                let Some(phrase) = adjacent_pair(body, &ws[i].0) else { continue };
                let q = format!("\"{phrase}\"");
                BenchQuery { class, attache: q.clone(), tantivy: q, days: None, must_hit: true }
            }
            "leader" | "topic" | "date" => {
                let Ok(article) = attache.article(&id) else { continue };
                let w = pick();
                match class {
                    "leader" => {
                        let Some(name) = article.leaders.first() else { continue };
                        // Quoted: a surname may hold query syntax ("O'Malley" is a syntax
                        // error bare) and may analyse to several terms.
                        let surname = name.rsplit(' ').next().unwrap_or(name).to_lowercase().replace('"', "");
                        BenchQuery {
                            class,
                            attache: format!("leader:\"{name}\" {w}"),
                            tantivy: format!("+\"{surname}\" +{w}"),
                            days: None,
                            must_hit: false,
                        }
                    }
                    "topic" => {
                        let Some(topic) = article.topics.first() else { continue };
                        let first = topic.split(' ').next().unwrap_or(topic).to_lowercase();
                        BenchQuery {
                            class,
                            attache: format!("topic:\"{topic}\" {w}"),
                            tantivy: format!("+{first} +{w}"),
                            days: None,
                            must_hit: false,
                        }
                    }
                    _ => {
                        let Some(day) = article.report.date.as_deref().and_then(common::days_from_iso) else {
                            continue;
                        };
                        let w2 = pick();
                        let (lo, hi) = (day - 180, day + 180);
                        BenchQuery {
                            class,
                            attache: format!(
                                "date:[{} TO {}] {w} {w2}",
                                attache::date::iso_from_days(lo),
                                attache::date::iso_from_days(hi)
                            ),
                            tantivy: format!("{w} {w2}"),
                            days: Some((lo, hi)),
                            must_hit: true,
                        }
                    }
                }
            }
            _ => continue,
        };
        *counts.entry(class).or_default() += 1;
        out.push(query);
    }
    Ok(out)
}

/// `word` and the word right after it in `body`, when both are plain letters.
fn adjacent_pair(body: &str, word: &str) -> Option<String> {
    let raw: Vec<&str> = body.split_whitespace().collect();
    let at = raw.iter().position(|w| w.eq_ignore_ascii_case(word))?;
    let next = raw.get(at + 1)?;
    (next.len() >= 2 && next.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| format!("{} {}", word, next.to_ascii_lowercase()))
}
