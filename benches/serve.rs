//! What serving costs: the same searches through `attache serve`'s `/api/search` and in
//! process (issue #21's bar: the API ≤ 1.2× in-process).
//!
//! ```text
//! cargo bench --bench serve -- CORPUS [--index DIR] [--searches 1000] [--rounds 5] [--block 100]
//! ```
//!
//! Indexes CORPUS into DIR (a temporary directory by default; an up-to-date index is reused),
//! then, per round, block by block of queries, one side then the other (see `--block`):
//! - in process: `Searcher::search` of each query with the defaults (top 10, 3 passages with
//!   highlights), as an embedding program calls it;
//! - through the API: the release `attache serve --index DIR` that cargo built for this
//!   bench (`CARGO_BIN_EXE_attache`) on a free loopback port, one client on one keep-alive
//!   connection sending `GET /api/search?q=…` and reading each JSON answer to its last byte:
//!   parsing, the search, serialising, HTTP both ways.
//!
//! A first round is not timed (warm page cache, warm analyzers). Prints searches/s and mean
//! latency per side, the ratio API ÷ in-process of each round's time and of their medians,
//! and, for scale, an HTTP round trip that does no work and the cost of the JSON. Asserts each answer's `total_hits` equals the in-process one; never
//! asserts on time.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use attache::{Index, IndexSchema, SearchRequest, SyncOptions};

use common::{Flags, cpu_seconds, median};

/// Common news words, a phrase, a filter and boolean forms: the mix a page sends.
const QUERIES: &[&str] = &[
    "sanctions",
    "peace talks",
    "\"prime minister\"",
    "government election",
    "minister oil prices",
    "leader:putin talks",
    "trade deal",
    "president",
    "market shares profit",
    "film award",
    "iran OR iraq",
    "economy -football",
    "technology mobile phone",
    "elections labour",
    "injury match",
    "bank interest rates",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flags = Flags::parse(std::env::args().skip(1), &[]);
    let corpus = PathBuf::from(flags.positional.first().map(String::as_str).unwrap_or("sample_corpus"));
    let searches = flags.num("searches", 1000);
    let rounds = flags.num("rounds", 5).max(1);
    let scratch = tempfile::tempdir()?;
    let dir = flags.get("index").map(PathBuf::from).unwrap_or_else(|| scratch.path().join("index"));

    let index = Index::open_or_create(&dir, IndexSchema::embedded()?)?;
    let mut indexer = index.indexer()?;
    let summary = indexer.sync_dir(&corpus, &SyncOptions::default(), &mut |_| {})?;
    indexer.commit()?;
    drop(indexer);
    println!(
        "corpus {}: {} articles ({} added, {} unchanged files); {searches} searches a side, {rounds} rounds",
        corpus.display(),
        index.num_reports(),
        summary.num_added,
        summary.num_unchanged
    );
    let queries: Vec<&str> = QUERIES.iter().copied().cycle().take(searches).collect();
    let searcher = index.searcher();
    let expected: Vec<usize> = queries
        .iter()
        .map(|q| searcher.search(&SearchRequest::new(*q)).map(|r| r.total_hits))
        .collect::<Result<_, _>>()?;

    let mut server = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(["serve", "--index"])
        .arg(&dir)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).ok_or("no address")?.to_string();
    let mut client = Client::connect(&addr)?;

    // The queries in blocks of `--block` (100): one block on one side, then the same block
    // on the other, which side goes first alternating. Drift in the machine's load falls on
    // both sides alike, while each side runs long enough to keep its caches as it would
    // serving alone (query by query, each side would find its caches cleared by the other).
    let block = flags.num("block", 100).max(1);
    let server_pid = server.id();
    let (mut local_cpu, mut api_cpu) = (0.0, 0.0);
    let mut round = |timed: bool| -> Result<(f64, f64), Box<dyn std::error::Error>> {
        let (mut local, mut api) = (0.0, 0.0);
        let pairs: Vec<(&str, usize)> = queries.iter().copied().zip(expected.iter().copied()).collect();
        for (b, chunk) in pairs.chunks(block).enumerate() {
            for side in [b % 2, 1 - b % 2] {
                let started = Instant::now();
                if side == 0 {
                    let cpu = cpu_seconds("self");
                    for (q, want) in chunk {
                        let results = searcher.search(&SearchRequest::new(*q))?;
                        assert_eq!(results.total_hits, *want, "{q}");
                    }
                    local += started.elapsed().as_secs_f64();
                    if timed {
                        local_cpu += cpu_seconds("self") - cpu;
                    }
                } else {
                    let cpu = cpu_seconds(&server_pid.to_string());
                    for (q, want) in chunk {
                        let body = client.get(&format!("/api/search?q={}", encode(q)))?;
                        let head = || String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                        assert!(total_hits(&body) == Some(*want), "{q}: {}", head());
                    }
                    api += started.elapsed().as_secs_f64();
                    if timed {
                        api_cpu += cpu_seconds(&server_pid.to_string()) - cpu;
                    }
                }
            }
        }
        if timed {
            println!("round: in-process {local:.3} s, API {api:.3} s, ratio {:.3}", api / local);
        }
        Ok((local, api))
    };
    round(false)?;
    let (mut local, mut api, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (l, a) = round(true)?;
        local.push(l);
        api.push(a);
        ratios.push(a / l);
    }
    // Where the difference goes: an HTTP round trip that does no work (the icon), and
    // serialising the results to JSON.
    let started = Instant::now();
    for _ in 0..searches {
        client.get("/assets/icon.svg")?;
    }
    let round_trip = started.elapsed().as_secs_f64() / searches as f64;
    let results: Vec<attache::SearchResults> =
        queries.iter().map(|q| searcher.search(&SearchRequest::new(*q))).collect::<Result<_, _>>()?;
    let started = Instant::now();
    let bytes: usize = results.iter().map(|r| serde_json::to_vec(r).map_or(0, |v| v.len())).sum();
    let serialise = started.elapsed().as_secs_f64() / searches as f64;
    let _ = server.kill();
    let _ = server.wait();
    let (l, a) = (median(&local), median(&api));
    let n = searches as f64;
    println!("in-process: {:.0} searches/s, {:.3} ms mean", n / l, l / n * 1e3);
    println!("API:        {:.0} searches/s, {:.3} ms mean", n / a, a / n * 1e3);
    println!(
        "of which: an HTTP round trip doing nothing {:.3} ms; JSON of the results {:.3} ms ({} bytes mean)",
        round_trip * 1e3,
        serialise * 1e3,
        bytes / searches.max(1)
    );
    println!("ratio API / in-process: {:.3} (medians), {:.3} (median of the rounds' ratios)", a / l, median(&ratios));
    let timed = n * rounds as f64;
    if local_cpu > 0.0 && api_cpu > 0.0 {
        println!(
            "CPU time a search: in-process {:.3} ms, the server {:.3} ms (ratio {:.3}; Linux only)",
            local_cpu / timed * 1e3,
            api_cpu / timed * 1e3,
            api_cpu / local_cpu
        );
    }
    Ok(())
}

/// One keep-alive HTTP/1.1 connection.
struct Client {
    reader: BufReader<TcpStream>,
    addr: String,
}

impl Client {
    fn connect(addr: &str) -> std::io::Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Client { reader: BufReader::new(stream), addr: addr.to_string() })
    }

    /// The body of `GET target` (the server answers with a Content-Length).
    fn get(&mut self, target: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        // One write, one segment.
        let request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr);
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut length = None;
        let mut status = String::new();
        self.reader.read_line(&mut status)?;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.ok_or_else(|| format!("no Content-Length: {status}"))?];
        self.reader.read_exact(&mut body)?;
        if !status.contains(" 200 ") {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&body)).into());
        }
        Ok(body)
    }
}

/// `"total_hits":N` of a search's JSON, read without decoding the rest (the client's own
/// work should not weigh on the API's side).
fn total_hits(body: &[u8]) -> Option<usize> {
    let key = b"\"total_hits\":";
    let at = body.windows(key.len()).position(|w| w == key)? + key.len();
    let digits: String = body[at..].iter().take_while(|b| b.is_ascii_digit()).map(|&b| b as char).collect();
    digits.parse().ok()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
