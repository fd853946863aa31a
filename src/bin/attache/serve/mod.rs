//! `attache serve`: a search page and a JSON API over one index, for people who work in a
//! browser.
//!
//! - `page`: server-rendered HTML (`/`, `/report`) that works without JavaScript; the small
//!   script in `assets/app.js` only adds keys (`/`, `j`/`k`, `n`/`p`) and selecting a date
//!   range by dragging over the histogram. Every view's state is in its URL (`state`).
//! - `api`: `/api/search`, `/api/facets`, `/api/report`, `/api/stats`, answering with the
//!   library's serde types, the same JSON as `--json`.
//!
//! Why server-rendered: the page then has one renderer, in Rust, where every piece of report
//! text goes through one escaping function (tested with arbitrary text); links carry the
//! state, so the back button, bookmarks and sharing need no client code; and the script can
//! be small enough to read.
//!
//! Safety, by construction rather than by care at each call:
//! - every response carries a Content-Security-Policy allowing scripts, styles and images
//!   from this server only (no inline script, no remote source), `nosniff`, no referrer;
//! - searches run at most one per core at once, on all but one of the runtime's threads; query
//!   length, filters, pages and API limits are bounded (`state`, `api`); request targets
//!   over [`MAX_URI_BYTES`] and requests with a body are refused;
//! - a malformed query is a message on the page and `400` with `{"error", "column"}` on the
//!   API, never a `500`; unknown paths are `404`;
//! - articles are found by id in the index; no parameter is ever opened as a path;
//! - bound to a loopback address (the default), only `Host: localhost` or an IP address is
//!   answered, so a web page cannot reach the index through DNS rebinding.
//!
//! The server opens the index read-only; the index's reader picks up each commit of an
//! `attache index` run in another process shortly after it lands.

mod api;
mod page;
mod state;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use attache::{Index, Searcher};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Semaphore;

/// Where `attache serve` listens unless told.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8700";
/// Longest request target (path and query string) accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Scripts, styles and images from this server only; nothing inline, nothing remote.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    index: Index,
    searcher: Searcher,
    permits: Arc<Semaphore>,
    /// Whether only loopback host names are answered (the server is bound to loopback).
    is_loopback: bool,
}

impl App {
    /// Runs `work` (a search: tantivy's are synchronous) once a search slot is free.
    ///
    /// In place, on the runtime's worker thread. The runtime has one worker more than there
    /// are search slots, so one always stays free to read requests and send pages and assets
    /// while searches run. Measured with `benches/serve.rs` on the sample corpus, sending each
    /// search to another thread and back cost 0.1 to 0.15 ms more per request (tokio's
    /// `spawn_blocking`, `block_in_place` or a pool of search threads), an eighth of a search.
    async fn blocking<T: Send + 'static>(&self, work: impl FnOnce(&App) -> T + Send + 'static) -> Result<T, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        // A panic in a search ends this request with an error, not the connection.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)))
            .map_err(|_| "the search failed unexpectedly (a bug: please report it)".to_string())
    }
}

/// Searches that may run at once: one per core.
fn search_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Serves `index` on `addr` until the process is stopped, printing the address it listens on
/// (useful with port 0) on stdout.
pub fn run(index: Index, addr: SocketAddr) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() {
        eprintln!(
            "attache: warning: serving on {addr}, not a loopback address: anyone who can reach it can read every \
             article of the index"
        );
    }
    let slots = search_slots();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(slots + 1)
        .thread_name("attache-serve")
        .enable_io()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        let at = index.path().map(|p| p.display().to_string()).unwrap_or_default();
        let mut out = std::io::stdout();
        writeln!(out, "attache: serving the index at {at} on http://{local}/")?;
        out.flush()?;
        let app = App {
            searcher: index.searcher(),
            index,
            permits: Arc::new(Semaphore::new(slots)),
            is_loopback: local.ip().is_loopback(),
        };
        // Answers go out as soon as they are written, not held back for a segment to fill.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, router(app)).await.context("serving")
    })
}

/// Every route, behind [`guard`].
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(page::search))
        .route("/report", get(page::report))
        .route("/api/search", get(api::search))
        .route("/api/facets", get(api::facets))
        .route("/api/report", get(api::report))
        .route("/api/stats", get(api::stats))
        .route("/assets/{name}", get(asset))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Refuses what no route should see, and adds the security headers to every response.
async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    let refused = if request.uri().to_string().len() > MAX_URI_BYTES {
        Some((StatusCode::URI_TOO_LONG, format!("the request is longer than {MAX_URI_BYTES} bytes")))
    } else if request.headers().contains_key(header::TRANSFER_ENCODING)
        || request
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|n| n.to_str().ok().and_then(|n| n.parse::<u64>().ok()) != Some(0))
    {
        Some((StatusCode::PAYLOAD_TOO_LARGE, "requests to this server carry no body".to_string()))
    } else if app.is_loopback && !is_local_host(request.headers().get(header::HOST)) {
        Some((
            StatusCode::MISDIRECTED_REQUEST,
            "this server answers to localhost or an IP address only (a guard against DNS rebinding)".to_string(),
        ))
    } else {
        None
    };
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = match refused {
        Some((status, message)) if is_api => api::error(status, message, None),
        Some((status, message)) => page::error_page(status, &message),
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-cache"));
    response
}

/// Whether a `Host` header names this machine: `localhost` or an IP address (of any port).
fn is_local_host(host: Option<&HeaderValue>) -> bool {
    let Some(host) = host.and_then(|h| h.to_str().ok()) else { return false };
    let name = match host.strip_prefix('[') {
        Some(v6) => return v6.split(']').next().is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok()),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The page's stylesheet, script and icon, built into the binary.
async fn asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "app.css" => (include_str!("assets/app.css"), "text/css; charset=utf-8"),
        "app.js" => (include_str!("assets/app.js"), "text/javascript; charset=utf-8"),
        "icon.svg" => (include_str!("assets/icon.svg"), "image/svg+xml"),
        _ => return not_found_for(&format!("/assets/{name}")),
    };
    // Versioned URLs (`?v=`) change with the binary, so browsers may keep these a day.
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=86400")], body).into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    not_found_for(uri.path())
}

fn not_found_for(path: &str) -> Response {
    if path.starts_with("/api/") {
        api::error(
            StatusCode::NOT_FOUND,
            format!("no such endpoint: {path}; try /api/search, /api/facets, /api/report or /api/stats"),
            None,
        )
    } else {
        page::error_page(StatusCode::NOT_FOUND, &format!("There is no page at {path}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_host_names_pass_on_loopback() {
        let ok = |h: &str| is_local_host(Some(&HeaderValue::from_str(h).unwrap()));
        assert!(ok("localhost:8700") && ok("127.0.0.1:8700") && ok("[::1]:8700") && ok("LOCALHOST"));
        assert!(!ok("attacker.example:8700") && !ok("localhost.attacker.example") && !ok("[evil]:80"));
        assert!(!is_local_host(None));
    }
}
