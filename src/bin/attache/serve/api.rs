//! The JSON API, `/api/…`: the library's serde types, so the shapes are those of `--json`.
//!
//! - `GET /api/search?q=…` → [`attache::SearchResults`]; also `limit` (≤ [`MAX_LIMIT`]),
//!   `offset` (≤ [`MAX_OFFSET`]), `passages` (≤ [`MAX_PASSAGES`]), `facets=true`, and the
//!   page's filters (`leader=…`, `topic=…`, `source=…`, `from=…`, `to=…`; see `state`);
//! - `GET /api/facets?q=…` → [`attache::Facets`] over every match, with the same filters;
//! - `GET /api/report?id=…` → [`attache::Article`] (as `attache show --json`); with `q=…`, a
//!   `highlights` list of every match in the body;
//! - `GET /api/stats` → [`attache::Stats`] (as `attache stats --json`).
//!
//! Errors are `{"error": "…"}` with `400` (a bad query or parameter; a bad query adds its
//! `column`, 1-based, in the `q` parameter), `404` (no such article or endpoint) or `500`.

use attache::{Error, Highlight, SearchRequest};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::App;
use super::state::{self, BadParam};

/// Most hits one API call returns.
pub const MAX_LIMIT: usize = 100;
/// Most hits one API call may skip.
pub const MAX_OFFSET: usize = 10_000;
/// Most passages per hit.
pub const MAX_PASSAGES: usize = 10;

pub type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// An error as JSON: `{"error": message[, "column": n]}`.
pub fn error(status: StatusCode, message: String, column: Option<usize>) -> Response {
    #[derive(Serialize)]
    struct Body {
        error: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        column: Option<usize>,
    }
    (status, Json(Body { error: message, column })).into_response()
}

/// A failure of a handler, before it is rendered as JSON or as a page.
#[derive(Debug)]
pub enum Failure {
    /// The request cannot be answered as asked (`400`); a bad query names its column.
    Bad(String, Option<usize>),
    /// No such article (`404`).
    NotFound(String),
    /// Anything else (`500`).
    Internal(String),
}

impl Failure {
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::Bad(..) => StatusCode::BAD_REQUEST,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Bad(m, _) | Failure::NotFound(m) | Failure::Internal(m) => m,
        }
    }

    fn into_response(self) -> Response {
        let column = if let Failure::Bad(_, column) = &self { *column } else { None };
        error(self.status(), self.message().to_string(), column)
    }
}

impl From<BadParam> for Failure {
    fn from(bad: BadParam) -> Failure {
        Failure::Bad(bad.0, None)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        match e {
            Error::Query { column, .. } => Failure::Bad(e.to_string(), Some(column)),
            Error::NotFound { .. } => Failure::NotFound(e.to_string()),
            other => Failure::Internal(format!("{:#}", anyhow::Error::from(other))),
        }
    }
}

/// The parameters of a request, or the reason they cannot be read.
pub fn pairs(params: Params) -> Result<Vec<(String, String)>, Failure> {
    params.map(|Query(p)| p).map_err(|e| Failure::Bad(format!("unreadable parameters: {e}"), None))
}

/// The view's state with its query checked on its own, so a bad query's column is in the
/// user's own words (not in the query with the filters joined).
pub fn checked(pairs: &[(String, String)]) -> Result<state::State, Failure> {
    let state = state::State::from_params(pairs)?;
    if !state.q.is_empty() {
        attache::search::query::parse(&state.q)?;
    }
    Ok(state)
}

/// A numeric parameter, at most `max`.
fn number(pairs: &[(String, String)], name: &str, default: usize, max: usize) -> Result<usize, Failure> {
    match pairs.iter().rev().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| Failure::Bad(format!("{name}={v:?}: give a whole number from 0 to {max}"), None)),
    }
}

fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest, Failure> {
    let state = checked(pairs)?;
    if state.is_empty() {
        return Err(Failure::Bad("give a query: q=…, or a filter such as leader=… or from=…".into(), None));
    }
    let facets = pairs.iter().any(|(k, v)| k == "facets" && matches!(v.as_str(), "true" | "1" | "yes" | ""));
    Ok(SearchRequest::new(state.query())
        .limit(number(pairs, "limit", attache::search::DEFAULT_LIMIT, MAX_LIMIT)?)
        .offset(number(pairs, "offset", 0, MAX_OFFSET)?)
        .passages(number(pairs, "passages", attache::search::DEFAULT_PASSAGES, MAX_PASSAGES)?)
        .facets(facets))
}

/// Runs `work` (see `App::blocking`) and answers with its JSON.
async fn answer<T: Serialize + Send + 'static>(
    app: &App,
    work: impl FnOnce(&App) -> Result<T, Failure> + Send + 'static,
) -> Response {
    match app.blocking(work).await {
        Ok(Ok(value)) => Json(value).into_response(),
        Ok(Err(failure)) => failure.into_response(),
        Err(message) => Failure::Internal(message).into_response(),
    }
}

/// `GET /api/search`.
pub async fn search(State(app): State<App>, params: Params) -> Response {
    let request = match pairs(params).and_then(|p| search_request(&p)) {
        Ok(request) => request,
        Err(failure) => return failure.into_response(),
    };
    answer(&app, move |app| Ok(app.searcher.search(&request)?)).await
}

/// `GET /api/facets`: counts over every match, no hits (nothing is re-ranked).
pub async fn facets(State(app): State<App>, params: Params) -> Response {
    let request = match pairs(params).and_then(|p| search_request(&p)) {
        Ok(request) => request.limit(0).passages(0).facets(true).ranking(attache::Ranking::default().rescore(false)),
        Err(failure) => return failure.into_response(),
    };
    answer(&app, move |app| Ok(app.searcher.search(&request)?.facets)).await
}

/// An article, with every match of a query when one is given.
#[derive(Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub article: attache::Article,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<Vec<Highlight>>,
}

/// The article `id` of the index, lit by `query` (none when empty).
pub fn report_of(app: &App, id: &str, query: &str) -> Result<Report, Failure> {
    let article = app.searcher.article(id)?;
    let highlights = if query.is_empty() { None } else { Some(app.searcher.highlight(query, &article.report.body)?) };
    Ok(Report { article, highlights })
}

/// `GET /api/report?id=…[&q=…]`.
pub async fn report(State(app): State<App>, params: Params) -> Response {
    let (id, q) = match pairs(params).and_then(|p| {
        let state = checked(&p)?;
        let id = p.iter().find(|(k, _)| k == "id").map(|(_, v)| v.clone());
        let id =
            id.filter(|id| !id.is_empty()).ok_or_else(|| Failure::Bad("give the article's id: id=…".into(), None))?;
        Ok((id, state.q))
    }) {
        Ok(found) => found,
        Err(failure) => return failure.into_response(),
    };
    answer(&app, move |app| report_of(app, &id, &q)).await
}

/// `GET /api/stats`.
pub async fn stats(State(app): State<App>) -> Response {
    answer(&app, |app| Ok(app.index.stats()?)).await
}
