//! `attache serve` over real HTTP on a free loopback port. Checked here:
//! - each endpoint answers with the library's JSON (`/api/search` exactly as `search --json`),
//!   the page's filters narrow, `/api/report` lights every match;
//! - a bad query is `400` with its column (API) or a message with the query (page); bad
//!   parameters are `400`; unknown articles and paths `404`; long targets `414`; bodies `413`;
//!   other methods `405`; a foreign `Host` `421`; never a `500`;
//! - every response carries the Content-Security-Policy; report text is escaped;
//! - the server sees a commit made while it runs; a non-loopback address warns.

use attache::{Article, Facets, Highlight, SearchResults, Stats};

use crate::corpus::{CALL_AUTHOR, CALL_WIRE, FEED_JSONL, SUMMIT_MD};
use crate::util::{Server, TempCorpus, ids, sync_into};

/// A report whose text and title try to inject markup.
pub const HOSTILE: &str = "TITLE: <script>document.title='owned'</script> Iran talks\nSOURCE: <b>Bold</b> Wire\n\n\
Envoys met on Iran. <script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\"> \
The talks on Iran continue.";

fn corpus() -> TempCorpus {
    let c = TempCorpus::new();
    c.write("wire.txt", CALL_WIRE)
        .write("author.txt", CALL_AUTHOR)
        .write("md/summit.md", SUMMIT_MD)
        .write("feeds/feed.jsonl", FEED_JSONL)
        .write("hostile.txt", HOSTILE);
    c.sync();
    c
}

/// Percent-encodes a parameter value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn json<T: serde::de::DeserializeOwned>(status: u16, body: &str) -> T {
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn api_search_is_the_json_of_search_json_and_filters_narrow() {
    let c = corpus();
    let server = Server::on_index(&c);
    let query = "putin iran";
    let (status, body) = server.get(&format!("/api/search?q={}&limit=3&passages=2&facets=true", enc(query)));
    let served: SearchResults = json(status, &body);
    let cli = c
        .attache()
        .args(["search", query, "--index", "index", "--json", "-n", "3", "-p", "2", "--facets"])
        .output()
        .unwrap();
    let printed: SearchResults = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(served, printed);
    assert!(served.facets.leaders.contains_key("Vladimir Putin"));

    let (status, body) = server.get(&format!("/api/search?q=iran&leader={}", enc("Volodymyr Zelenskyy")));
    let narrowed: SearchResults = json(status, &body);
    assert_eq!(ids(&narrowed), ["wire.txt"]);
    let (status, body) = server.get(&format!("/api/search?source={}", enc("Levant Courier")));
    assert_eq!(ids(&json::<SearchResults>(status, &body)), ["feeds/feed.jsonl#gaza-1"], "filters alone search");
    let (status, body) = server.get("/api/search?q=ceasefire&from=2025-10&to=2025-12");
    assert_eq!(ids(&json::<SearchResults>(status, &body)), ["feeds/feed.jsonl#gaza-1"]);
}

#[test]
fn api_facets_report_and_stats_answer_with_the_library_types() {
    let c = corpus();
    let server = Server::on_index(&c);
    let (status, body) = server.get("/api/facets?q=putin");
    let facets: Facets = json(status, &body);
    assert_eq!(facets.leaders.get("Vladimir Putin"), Some(&2));
    assert_eq!(facets.sources.get("Harbour Ledger"), Some(&1));

    let (status, body) = server.get("/api/report?id=wire.txt&q=iran");
    let article: Article = json(status, &body);
    assert_eq!(article.report.source.as_deref(), Some("Harbour Ledger"));
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    let highlights: Vec<Highlight> = serde_json::from_value(value["highlights"].clone()).unwrap();
    let lit: Vec<&str> = highlights.iter().map(|h| &article.report.body[h.range()]).collect();
    assert_eq!(lit, ["Iran", "Iran"], "every match of the body, not only the best passages'");
    let (status, body) = server.get(&format!("/api/report?id={}", enc("feeds/feed.jsonl#tariffs-1")));
    let plain: serde_json::Value = json(status, &body);
    assert!(plain.get("highlights").is_none() && plain["title"] == "Geneva talks ease tariff standoff");

    let (status, body) = server.get("/api/stats");
    let stats: Stats = json(status, &body);
    assert_eq!(stats.num_articles, 6);
    assert_eq!(stats.facets.dates.values().sum::<u64>(), 3);
}

#[test]
fn bad_requests_are_400_404_and_never_500() {
    let c = corpus();
    let server = Server::on_index(&c);
    let error = |target: &str, status: u16| -> serde_json::Value {
        let (got, body) = server.get(target);
        assert_eq!(got, status, "{target}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{target}: {e}: {body}"))
    };
    let bad = error(&format!("/api/search?q={}", enc("iran \"unclosed")), 400);
    assert_eq!(bad["column"], 6, "the column is in the user's own query: {bad}");
    assert!(bad["error"].as_str().unwrap().contains("unclosed quote"));
    // Filters join the query; the column still counts in `q`.
    let bad = error(&format!("/api/search?q={}&leader=Putin", enc("(iran")), 400);
    assert_eq!(bad["column"], 1);
    for target in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=iran&limit=1000",
        "/api/search?q=iran&passages=x",
        "/api/search?q=iran&offset=-1",
        "/api/search?q=iran&from=June",
        "/api/facets?q=%22",
        "/api/report",
        "/api/report?id=wire.txt&q=(",
        "/api/search?q=date:[*%20TO%20*]%20AND",
        &format!("/api/search?q={}", "x".repeat(1_001)),
    ] {
        assert!(error(target, 400)["error"].as_str().is_some_and(|e| !e.is_empty()), "{target}");
    }
    assert!(error("/api/report?id=nope.txt", 404)["error"].as_str().unwrap().contains("nope.txt"));
    assert!(error("/api/report?id=../../etc/passwd", 404)["error"].is_string(), "ids are never paths");
    assert!(error("/api/nothing", 404)["error"].as_str().unwrap().contains("/api/search"));
    assert_eq!(server.get("/nothing").0, 404);
    assert_eq!(server.get("/assets/../Cargo.toml").0, 404);
    assert_eq!(server.get("/assets/secret.txt").0, 404);
    assert_eq!(server.get(&format!("/?q={}", "a".repeat(9_000))).0, 414);
    assert_eq!(server.request("POST", "/api/search?q=iran", "Content-Length: 0\r\n").0, 405);
    assert_eq!(server.request("GET", "/api/search?q=iran", "Content-Length: 5\r\n\r\nhello").0, 413);
    assert_eq!(server.get("/api/search?q=iran").0, 200, "still serving");
}

#[test]
fn a_foreign_host_name_is_refused_on_loopback() {
    let c = corpus();
    let server = Server::on_index(&c);
    let target = "/api/stats";
    let request = |host: &str| {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&server.addr).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.split(' ').nth(1).unwrap_or_default().to_string()
    };
    assert_eq!(request("rebound.example:8700"), "421");
    assert_eq!(request("localhost:8700"), "200");
    assert_eq!(request(&server.addr), "200");
}

#[test]
fn pages_escape_report_text_and_carry_the_security_policy() {
    let c = corpus();
    let server = Server::on_index(&c);
    let (status, headers, body) = server.request("GET", "/?q=iran", "");
    assert_eq!(status, 200);
    let csp = headers.iter().find(|(k, _)| k == "content-security-policy").map(|(_, v)| v.as_str()).unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("default-src 'self'") && !csp.contains("unsafe"));
    assert!(headers.iter().any(|(k, v)| k == "x-content-type-options" && v == "nosniff"));
    assert!(body.contains("&lt;script&gt;document.title="), "the hostile title shows as text");
    assert!(!body.contains("<script>document") && !body.contains("<b>Bold") && !body.contains("<img src=x"));
    assert_eq!(body.matches("<script").count(), 1, "only the page's own script tag");

    let (status, body) = server.get("/report?id=hostile.txt&q=iran");
    assert_eq!(status, 200);
    assert!(body.contains("&lt;img src=x onerror=") && !body.contains("<img"));
    assert_eq!(body.matches("<mark id=").count(), 2, "{body}");

    let (status, body) = server.get(&format!("/?q={}", enc("iran \"unclosed")));
    assert_eq!(status, 400);
    assert!(body.contains("unclosed quote") && body.contains("value=\"iran &quot;unclosed\""), "{body}");
    let (status, body) = server.get("/report?id=nope.txt");
    assert_eq!(status, 404);
    assert!(body.contains("nope.txt"));
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("6 articles in the index"), "the overview");
    let (_, headers, _) = server.request("GET", "/assets/app.js", "");
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("text/javascript")));
}

#[test]
fn the_page_groups_a_storys_reports_and_shows_the_people_named() {
    let c = corpus();
    let server = Server::on_index(&c);
    // Both outlets' reports of the call match; the page shows their story once, the other
    // outlet's report under "also reported by" with its own link.
    let (status, body) = server.get("/?q=putin");
    assert_eq!(status, 200);
    assert_eq!(body.matches("<details class=\"also\">").count(), 1, "{body}");
    assert!(body.contains("Also reported by 1 more report"), "{body}");
    let hits = body.matches("<li class=\"hit\"").count();
    let (_, results) = server.get("/api/search?q=putin");
    let flat: SearchResults = json(200, &results);
    assert_eq!(hits + 1, flat.hits.len(), "one result fewer than the flat hits: {body}");
    for id in ["wire.txt", "author.txt"] {
        assert!(body.contains(&format!("/report?id={id}")), "{id} is linked: {body}");
    }
    assert!(body.contains("person=Yuri%20Ushakov") || body.contains("Yuri Ushakov"), "people chips: {body}");
}

#[test]
fn the_server_sees_commits_made_while_it_runs() {
    let c = corpus();
    let server = Server::on_index(&c);
    let count = || json::<Stats>(200, &server.get("/api/stats").1).num_articles;
    assert_eq!(count(), 6);
    c.write("later.txt", "TITLE: Later\n\nEnvoys met again on Iran.");
    let index = attache::Index::open(&c.index_path(), attache::IndexSchema::embedded().unwrap()).unwrap();
    sync_into(&index, &c.root());
    let started = std::time::Instant::now();
    while count() != 7 {
        assert!(started.elapsed().as_secs() < 20, "the commit never showed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (status, body) = server.get("/api/search?q=later");
    assert_eq!(ids(&json::<SearchResults>(status, &body)), ["later.txt"]);
}

#[test]
fn serving_beyond_loopback_warns() {
    let c = corpus();
    let mut server = Server::start(&c, &["--index", "index", "--addr", "0.0.0.0:0"]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    // Reached through loopback only: this test sends nothing to any other address.
    server.addr = format!("127.0.0.1:{port}");
    assert_eq!(server.get("/api/stats").0, 200);
    let err = server.stop();
    assert!(err.contains("not a loopback address"), "{err}");
}
