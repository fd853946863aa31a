//! The `examples/http.rs` endpoint answers over real HTTP on 127.0.0.1: a good query gives
//! the search JSON, a malformed one a 400 with the column, and the server keeps serving.

use std::io::{Read, Write};

use attache::SearchResults;

use crate::corpus::{CALL_AUTHOR, CALL_WIRE};
use crate::util::TempCorpus;

#[allow(dead_code)]
#[path = "../../examples/http.rs"]
mod http_example;

/// A bare HTTP/1.1 GET: (status code, body).
fn get(addr: std::net::SocketAddr, target: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn the_http_example_answers_queries_and_rejects_bad_ones_with_400() {
    let c = TempCorpus::new();
    c.write("wire.txt", CALL_WIRE).write("author.txt", CALL_AUTHOR);
    let (index, _) = c.sync();
    let searcher = index.searcher();
    let (tx, rx) = std::sync::mpsc::channel();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.spawn(async move {
        http_example::serve(searcher, 0, move |addr| tx.send(addr).unwrap()).await.unwrap();
    });
    let addr = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
    assert!(addr.ip().is_loopback());

    let (status, body) = get(addr, "/search?q=leader:zelensky%20iran&limit=3");
    assert_eq!(status, 200, "{body}");
    let results: SearchResults = serde_json::from_str(&body).unwrap();
    assert_eq!(results.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["wire.txt"]);

    let (status, body) = get(addr, "/search?q=%22unclosed");
    assert_eq!(status, 400);
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(error["error"].as_str().unwrap().contains("column 1"), "{body}");

    let (status, _) = get(addr, "/search?q=iran");
    assert_eq!(status, 200, "still serving after a bad query");
    runtime.shutdown_background();
}
