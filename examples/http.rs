//! A small JSON search endpoint over an attache index, on axum.
//!
//! ```text
//! cargo run --example http -- INDEX_PATH [PORT]
//! curl 'http://127.0.0.1:PORT/search?q=leader:putin%20iran&limit=5&passages=2'
//! ```
//!
//! `GET /search?q=…[&limit=N][&passages=N][&facets=true]` answers with the same JSON as
//! `attache search --json`; a malformed query is `400 Bad Request` with `{"error": "…"}` naming
//! the column; anything else that fails is `500` with the message. The server binds to
//! 127.0.0.1 only. Searches run on tokio's blocking pool, since tantivy search is synchronous.

use std::net::SocketAddr;

use attache::{Error, Index, IndexSchema, SearchRequest, Searcher};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde::Deserialize;

/// Query-string parameters of `/search`.
#[derive(Debug, Deserialize)]
pub struct Params {
    q: String,
    limit: Option<usize>,
    passages: Option<usize>,
    facets: Option<bool>,
}

/// The application: one route.
pub fn app(searcher: Searcher) -> Router {
    Router::new().route("/search", get(search)).with_state(searcher)
}

async fn search(State(searcher): State<Searcher>, Query(params): Query<Params>) -> Response {
    let mut request = SearchRequest::new(params.q).facets(params.facets.unwrap_or(false));
    if let Some(limit) = params.limit {
        request = request.limit(limit);
    }
    if let Some(passages) = params.passages {
        request = request.passages(passages);
    }
    let outcome = tokio::task::spawn_blocking(move || searcher.search(&request)).await;
    match outcome {
        Ok(Ok(results)) => Json(results).into_response(),
        Ok(Err(e @ Error::Query { .. })) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("search task failed: {e}")),
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// Serves `app` on 127.0.0.1:`port` (0 picks a free port), calling `ready` with the address.
pub async fn serve(searcher: Searcher, port: u16, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, app(searcher)).await
}

#[allow(dead_code)] // The integration test includes this file for `app` and `serve` only.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: http INDEX_PATH [PORT]");
        std::process::exit(2);
    };
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(0);
    let index = Index::open(std::path::Path::new(&path), IndexSchema::embedded()?)?;
    serve(index.searcher(), port, |addr| println!("listening on http://{addr}/search?q=…")).await?;
    Ok(())
}
