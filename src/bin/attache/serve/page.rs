//! The HTML pages: the search page (`/`) and the report view (`/report`), rendered on the
//! server. All text from the index or the request goes through [`esc`] (the one escaping
//! function, `render::escape_html`) or, in URLs, through `state::encode`; markup is only
//! ever this file's own literals. Matches are wrapped in `<mark>` from the library's byte
//! ranges, never by searching the text again.
//!
//! Layout: a bar with the search box and the query syntax's help; the results (a date
//! histogram, the hits with their chips and passages, pages) and, beside them on a wide
//! screen or below them on a phone, the facet lists. The story grouping ("also reported
//! by") goes in `hit`, under the passages, once hits carry their story.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use attache::{Facets, Highlight, Hit, SearchRequest, SearchResults, Stats};
use axum::extract::State as AppState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::App;
use super::api::{self, Failure, Params};
use super::state::{self, FACETS, PAGE_SIZE, State, encode};
use crate::render::escape_html as esc;

/// Passages shown per hit.
const PASSAGES: usize = 2;
/// Leaders, and topics, shown as chips on a hit.
const HIT_CHIPS: usize = 5;
/// Facet values shown before "more".
const FACET_SHOWN: usize = 8;
/// Facet values listed at most, "more" included.
const FACET_MAX: usize = 40;
/// Most bars of the date histogram by month; a longer span is shown by year.
const MAX_MONTH_BARS: usize = 120;

/// Asset URLs carry the version, so a new binary's assets are fetched afresh.
fn asset(name: &str) -> String {
    format!("/assets/{name}?v={}", env!("CARGO_PKG_VERSION"))
}

/// A whole HTML document.
fn document(title: &str, class: &str, bar: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>{title}</title>\n\
         <link rel=\"icon\" href=\"{icon}\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"{css}\">\n\
         <script src=\"{js}\" defer></script>\n</head>\n<body class=\"{class}\">\n{bar}\n{main}\n\
         <footer class=\"keys\">Keys: <kbd>/</kbd> search · <kbd>j</kbd> <kbd>k</kbd> next and previous result · \
         <kbd>Enter</kbd> open · <kbd>n</kbd> <kbd>p</kbd> next and previous match in a report</footer>\n\
         </body>\n</html>\n",
        title = esc(title),
        icon = asset("icon.svg"),
        css = asset("app.css"),
        js = asset("app.js"),
    )
}

/// The top bar: the search form (keeping the view's filters) and the query syntax's help.
fn bar(state: &State) -> String {
    let mut hidden = String::new();
    for (param, value) in &state.filters {
        let _ = write!(hidden, "<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(param), esc(value));
    }
    for (name, value) in [("from", &state.from), ("to", &state.to)] {
        if let Some(value) = value {
            let _ = write!(hidden, "<input type=\"hidden\" name=\"{name}\" value=\"{}\">", esc(value));
        }
    }
    format!(
        "<header class=\"bar\">\n<a class=\"brand\" href=\"/\">attache</a>\n\
         <form class=\"search\" action=\"/\" method=\"get\" role=\"search\">\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\" placeholder=\"Search, e.g. leader:putin iran\" \
         aria-label=\"Search the reports\" autocomplete=\"off\" maxlength=\"{max}\">{hidden}\
         <button type=\"submit\">Search</button></form>\n{help}\n</header>",
        q = esc(&state.q),
        max = state::MAX_QUERY_CHARS,
        help = HELP,
    )
}

/// The query syntax, as the README gives it.
const HELP: &str = "<details class=\"help\"><summary>Query syntax</summary>\n<table>\n\
<tr><td><code>putin iran</code></td><td>either word, articles with both first; stemmed (<code>talks</code> finds “talking”)</td></tr>\n\
<tr><td><code>\"root causes\"</code></td><td>the exact phrase; <code>\"root causes\"~2</code> allows two words between</td></tr>\n\
<tr><td><code>iran AND nuclear</code>, <code>iran OR israel</code>, <code>NOT syria</code>, <code>+iran -israel</code>, <code>( )</code></td><td>boolean operators and groups</td></tr>\n\
<tr><td><code>sanction*</code>, <code>zelenski~1</code></td><td>prefix, and fuzzy (one or two edits)</td></tr>\n\
<tr><td><code>title:summit</code>, <code>author:\"Mei Lin\"</code>, <code>source:reuters</code></td><td>words in one field</td></tr>\n\
<tr><td><code>leader:zelensky</code>, <code>topic:weapons</code>, <code>place:tehran</code>, <code>org:nato</code></td><td>tags, by any alias</td></tr>\n\
<tr><td><code>date:2025-07</code>, <code>date:[2025-06-01 TO 2025-07-01]</code></td><td>a day, month, year or range</td></tr>\n\
</table>\n<p>Filters side by side are all required and words rank: <code>leader:putin topic:iran war</code> \
is Putin articles about Iran, ranked by “war”. Facets and the date histogram add filters; \
remove one with its × above the results.</p></details>";

/// A page that says what went wrong.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let main = format!(
        "<main class=\"layout single\"><section class=\"results\"><p class=\"error\" role=\"alert\">{}</p>\
         <p><a href=\"/\">Start again</a></p></section></main>",
        esc(message)
    );
    (status, Html(document("attache", "error", &bar(&State::default()), &main))).into_response()
}

/// `GET /`: the search page, or an overview of the index when there is nothing to search.
pub async fn search(AppState(app): AppState<App>, params: Params) -> Response {
    let pairs = match api::pairs(params) {
        Ok(pairs) => pairs,
        Err(failure) => return error_page(failure.status(), failure.message()),
    };
    let raw_q = pairs.iter().rev().find(|(k, _)| k == "q").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let outcome = app
        .blocking(move |app| -> Result<(State, Outcome), Box<(State, Failure)>> {
            // A state that cannot be read still shows the query the user typed, to correct.
            let state = api::checked(&pairs).map_err(|f| {
                let state =
                    state::State::from_params(&pairs).unwrap_or(State { q: raw_q, page: 1, ..State::default() });
                Box::new((state, f))
            })?;
            let outcome = if state.is_empty() {
                app.index.stats().map(Outcome::Overview)
            } else {
                let request = SearchRequest::new(state.query())
                    .limit(PAGE_SIZE)
                    .offset((state.page - 1) * PAGE_SIZE)
                    .passages(PASSAGES)
                    .facets(true)
                    .group(true);
                app.searcher.search(&request).map(Outcome::Results)
            };
            let outcome = outcome.map_err(|e| Box::new((state.clone(), Failure::from(e))))?;
            Ok((state, outcome))
        })
        .await;
    match outcome {
        Ok(Ok((state, Outcome::Results(results)))) => Html(results_page(&state, &results)).into_response(),
        Ok(Ok((state, Outcome::Overview(stats)))) => Html(overview_page(&state, &stats)).into_response(),
        Ok(Err(failed)) => {
            let (state, failure) = *failed;
            (failure.status(), Html(failed_search_page(&state, &failure))).into_response()
        }
        Err(message) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &message),
    }
}

enum Outcome {
    Results(SearchResults),
    Overview(Stats),
}

/// The search page showing a problem with the query or the parameters, the query kept in the
/// box to correct.
fn failed_search_page(state: &State, failure: &Failure) -> String {
    let mut main = String::from("<main class=\"layout single\"><section class=\"results\">");
    let _ = write!(main, "<p class=\"error\" role=\"alert\">{}</p>", esc(failure.message()));
    if let Failure::Bad(_, Some(column)) = failure {
        // Under the query, a caret at the column (columns count characters).
        let caret: String = " ".repeat(column.saturating_sub(1).min(state.q.chars().count()));
        let _ = write!(main, "<pre class=\"where\">{}\n{}^</pre>", esc(&state.q), caret);
    }
    main.push_str("<p>See <em>Query syntax</em> above for what a query may hold.</p></section></main>");
    document("Bad query · attache", "search", &bar(state), &main)
}

/// The results of a search.
fn results_page(state: &State, results: &SearchResults) -> String {
    let mut main = String::from("<main class=\"layout\">\n<section class=\"results\" aria-label=\"Results\">\n");
    main.push_str(&active_filters(state));
    let num_pages = results.total_hits.div_ceil(PAGE_SIZE).min(state::MAX_PAGE);
    let _ = writeln!(
        main,
        "<p class=\"summary\" id=\"summary\" data-total-hits=\"{total}\">{total} matching article{s}{page}</p>",
        total = results.total_hits,
        s = if results.total_hits == 1 { "" } else { "s" },
        page = if num_pages > 1 { format!(" · page {} of {num_pages}", state.page) } else { String::new() },
    );
    main.push_str(&histogram(state, &results.facets.dates));
    if results.hits.is_empty() {
        if results.total_hits > 0 {
            main.push_str("<p class=\"empty\">No results on this page; go back to the first.</p>");
        } else {
            main.push_str(
                "<p class=\"empty\">Nothing matches. Try fewer words, another spelling, or remove a filter.</p>",
            );
        }
    } else {
        let _ = writeln!(main, "<ol class=\"hits\" start=\"{}\">", (state.page - 1) * PAGE_SIZE + 1);
        for hit in &results.hits {
            main.push_str(&self::hit(state, hit));
        }
        main.push_str("</ol>\n");
    }
    main.push_str(&pages(state, num_pages));
    main.push_str("</section>\n");
    main.push_str(&facet_lists(state, &results.facets));
    main.push_str("</main>");
    let title = if state.q.is_empty() { "Filtered reports".to_string() } else { state.q.clone() };
    document(&format!("{title} · attache"), "search", &bar(state), &main)
}

/// The page with no query: the index at a glance, every facet a way in.
fn overview_page(state: &State, stats: &Stats) -> String {
    let mut main = String::from("<main class=\"layout\">\n<section class=\"results\" aria-label=\"Overview\">\n");
    let range = match (&stats.first_date, &stats.last_date) {
        (Some(first), Some(last)) => format!(", published {} to {}", esc(first), esc(last)),
        _ => String::new(),
    };
    let _ = writeln!(
        main,
        "<p class=\"summary\" id=\"summary\" data-total-hits=\"{n}\">{n} articles in the index{range}</p>",
        n = stats.num_articles
    );
    main.push_str(&histogram(state, &stats.facets.dates));
    main.push_str(
        "<div class=\"intro\"><p>Type words to search for, or pick a leader, topic or outlet. For example:</p><ul>",
    );
    for example in ["leader:putin iran", "\"root causes\"", "topic:weapons leader:zelensky", "ceasefire -gaza"] {
        let s = State { q: example.to_string(), page: 1, ..State::default() };
        let _ = write!(main, "<li><a href=\"{}\"><code>{}</code></a></li>", esc(&s.url()), esc(example));
    }
    main.push_str("</ul></div>\n</section>\n");
    main.push_str(&facet_lists(state, &stats.facets));
    main.push_str("</main>");
    document("attache", "search overview", &bar(state), &main)
}

/// The filters in force, each with a link that removes it.
fn active_filters(state: &State) -> String {
    let mut out = String::new();
    for (param, value) in &state.filters {
        let _ = write!(
            out,
            "<a class=\"chip on\" href=\"{}\" title=\"Remove this filter\">{}: {} <span aria-hidden=\"true\">×</span></a> ",
            esc(&state.toggled(param, value).url()),
            esc(param),
            esc(value)
        );
    }
    if state.from.is_some() || state.to.is_some() {
        let _ = write!(
            out,
            "<a class=\"chip on\" href=\"{}\" title=\"Remove the date range\">dates: {} – {} <span aria-hidden=\"true\">×</span></a>",
            esc(&state.dated(None, None).url()),
            esc(state.from.as_deref().unwrap_or("…")),
            esc(state.to.as_deref().unwrap_or("…"))
        );
    }
    if out.is_empty() { out } else { format!("<p class=\"active\" aria-label=\"Filters in force\">{out}</p>\n") }
}

/// One hit: title (to the report view), outlet, author, date, chips, passages.
fn hit(state: &State, hit: &Hit) -> String {
    let mut out = format!("<li class=\"hit\" data-id=\"{}\">\n", esc(&hit.id));
    let _ = writeln!(
        out,
        "<h2><a class=\"title\" href=\"{}\">{}</a></h2>",
        esc(&report_url(state, &hit.id)),
        esc(hit.title.as_deref().unwrap_or(&hit.id))
    );
    out.push_str(&meta(hit.source.as_deref(), hit.author.as_deref(), hit.date.as_deref()));
    out.push_str(&chips(
        state,
        &[("leader", &hit.leaders), ("person", &hit.people), ("topic", &hit.topics)],
        HIT_CHIPS,
    ));
    for passage in &hit.passages {
        let _ = writeln!(
            out,
            "<blockquote class=\"passage\">{}</blockquote>",
            marked(&passage.text, passage.start, &passage.highlights, false)
        );
    }
    out.push_str(&also(state, &hit.also));
    out.push_str("</li>\n");
    out
}

/// The other reports of a hit's story ("also reported by"), each with its outlet, date and
/// best passage, folded under a `<details>` so the page stays one story a result.
fn also(state: &State, others: &[Hit]) -> String {
    if others.is_empty() {
        return String::new();
    }
    let mut outlets: Vec<&str> = others.iter().filter_map(|h| h.source.as_deref()).collect();
    outlets.dedup();
    let by = if outlets.is_empty() { String::new() } else { format!(": {}", esc(&outlets.join(", "))) };
    let n = others.len();
    let mut out = format!(
        "<details class=\"also\"><summary>Also reported by {n} more report{}{by}</summary>\n<ul>\n",
        if n == 1 { "" } else { "s" }
    );
    for other in others {
        let _ = writeln!(
            out,
            "<li><a class=\"title\" href=\"{}\">{}</a>",
            esc(&report_url(state, &other.id)),
            esc(other.title.as_deref().unwrap_or(&other.id))
        );
        out.push_str(&meta(other.source.as_deref(), other.author.as_deref(), other.date.as_deref()));
        if let Some(passage) = other.passages.first() {
            let _ = writeln!(
                out,
                "<blockquote class=\"passage\">{}</blockquote>",
                marked(&passage.text, passage.start, &passage.highlights, false)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul></details>\n");
    out
}

/// The report view's URL for `id`, carrying the search's state back.
fn report_url(state: &State, id: &str) -> String {
    let params = state.params();
    if params.is_empty() { format!("/report?id={}", encode(id)) } else { format!("/report?id={}&{params}", encode(id)) }
}

fn meta(source: Option<&str>, author: Option<&str>, date: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(source) = source {
        parts.push(format!("<span class=\"source\">{}</span>", esc(source)));
    }
    if let Some(author) = author {
        parts.push(format!("<span class=\"author\">{}</span>", esc(author)));
    }
    if let Some(date) = date {
        parts.push(format!("<time datetime=\"{d}\">{d}</time>", d = esc(date)));
    }
    if parts.is_empty() { String::new() } else { format!("<p class=\"meta\">{}</p>\n", parts.join(" · ")) }
}

/// Names as chips that toggle their filter; at most `per_group` of each group (they come
/// most mentioned first).
fn chips(state: &State, groups: &[(&str, &Vec<String>)], per_group: usize) -> String {
    let mut out = String::new();
    for (param, names) in groups {
        for name in names.iter().take(per_group) {
            let on = if state.has_filter(param, name) { " on" } else { "" };
            let _ = write!(
                out,
                "<a class=\"chip {param}{on}\" href=\"{}\">{}</a> ",
                esc(&state.toggled(param, name).url()),
                esc(name)
            );
        }
    }
    if out.is_empty() { out } else { format!("<p class=\"chips\">{}</p>\n", out.trim_end()) }
}

/// `text` (which starts at byte `start` of the body) escaped, with each highlight in a
/// `<mark>`; with `ids`, the marks are numbered `m1`, `m2`… for jumping between them.
/// Highlights out of order or out of bounds are skipped, never sliced.
fn marked(text: &str, start: usize, highlights: &[Highlight], ids: bool) -> String {
    let mut out = String::with_capacity(text.len() + highlights.len() * 24);
    let mut at = 0;
    let mut n = 0;
    for h in highlights {
        let (Some(from), Some(to)) = (h.start.checked_sub(start), h.end.checked_sub(start)) else { continue };
        let (Some(before), Some(lit)) = (text.get(at..from), text.get(from..to)) else { continue };
        if from < at {
            continue;
        }
        out.push_str(&esc(before));
        n += 1;
        if ids {
            let _ = write!(out, "<mark id=\"m{n}\">{}</mark>", esc(lit));
        } else {
            let _ = write!(out, "<mark>{}</mark>", esc(lit));
        }
        at = to;
    }
    out.push_str(&esc(text.get(at..).unwrap_or("")));
    out
}

/// Pages: previous, a few numbers around this one, next.
fn pages(state: &State, num_pages: usize) -> String {
    if num_pages <= 1 {
        return String::new();
    }
    let mut out = String::from("<nav class=\"pages\" aria-label=\"Pages\">");
    let link = |page: usize, label: &str, rel: &str| {
        format!("<a href=\"{}\"{rel}>{label}</a>", esc(&state.at_page(page).url()))
    };
    if state.page > 1 {
        out.push_str(&link(state.page - 1, "‹ Previous", " rel=\"prev\""));
    }
    let first = state.page.saturating_sub(3).max(1);
    let last = (state.page + 3).min(num_pages);
    for page in first..=last {
        if page == state.page {
            let _ = write!(out, "<span aria-current=\"page\">{page}</span>");
        } else {
            out.push_str(&link(page, &page.to_string(), ""));
        }
    }
    if state.page < num_pages {
        out.push_str(&link(state.page + 1, "Next ›", " rel=\"next\""));
    }
    out.push_str("</nav>\n");
    out
}

/// The facet lists: every map of [`Facets`] but the months, in [`FACETS`] order, then any
/// key the library added that the table does not know yet.
fn facet_lists(state: &State, facets: &Facets) -> String {
    let Ok(serde_json::Value::Object(maps)) = serde_json::to_value(facets) else { return String::new() };
    let mut keys: Vec<&String> = maps.keys().filter(|k| k.as_str() != "dates").collect();
    let rank = |key: &str| FACETS.iter().position(|k| k.key == key).unwrap_or(FACETS.len());
    keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    let mut out = String::from("<aside class=\"facets\" aria-label=\"Filters\">\n");
    for key in keys {
        let Some(serde_json::Value::Object(counts)) = maps.get(key) else { continue };
        let counts: BTreeMap<&str, u64> =
            counts.iter().filter_map(|(name, n)| n.as_u64().map(|n| (name.as_str(), n))).collect();
        let label = FACETS.iter().find(|k| k.key == key).map_or(key.as_str(), |k| k.label);
        out.push_str(&facet_list(state, key, label, state::filter_param(key), &counts));
    }
    out.push_str("</aside>\n");
    out
}

fn facet_list(state: &State, key: &str, label: &str, param: Option<&str>, counts: &BTreeMap<&str, u64>) -> String {
    let mut entries: Vec<(&str, u64)> = counts.iter().map(|(n, c)| (*n, *c)).collect();
    // Filters in force first, then the most frequent.
    let is_on = |name: &str| param.is_some_and(|p| state.has_filter(p, name));
    entries.sort_by(|a, b| is_on(b.0).cmp(&is_on(a.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
    entries.truncate(FACET_MAX);
    let item = |(name, count): (&str, u64)| match param {
        Some(param) => {
            let on = is_on(name);
            format!(
                "<li><a class=\"facet{}\" href=\"{}\"{}><span class=\"name\">{}</span> <span class=\"count\">{count}</span></a></li>",
                if on { " on" } else { "" },
                esc(&state.toggled(param, name).url()),
                if on { " aria-current=\"true\"" } else { "" },
                esc(name)
            )
        }
        None => format!("<li><span class=\"name\">{}</span> <span class=\"count\">{count}</span></li>", esc(name)),
    };
    let mut out = format!("<section class=\"facet\" data-key=\"{}\">\n<h3>{}</h3>\n<ul>", esc(key), esc(label));
    if entries.is_empty() {
        out.push_str("<li class=\"none\">none</li>");
    }
    for entry in entries.iter().take(FACET_SHOWN) {
        out.push_str(&item(*entry));
    }
    out.push_str("</ul>\n");
    if entries.len() > FACET_SHOWN {
        let _ = write!(out, "<details><summary>{} more</summary><ul>", entries.len() - FACET_SHOWN);
        for entry in entries.iter().skip(FACET_SHOWN) {
            out.push_str(&item(*entry));
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</section>\n");
    out
}

/// The date histogram: one bar per month (or per year over a long span) from the first to
/// the last month with matches, each a link narrowing the view to it; dragging across bars
/// (`app.js`) narrows to the span. The bars are SVG shapes sized by attributes, which the
/// Content-Security-Policy allows (inline styles are not).
fn histogram(state: &State, months: &BTreeMap<String, u64>) -> String {
    let buckets = buckets(months);
    if buckets.is_empty() {
        return String::new();
    }
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let (width, height) = (10, 60);
    let mut out = format!(
        "<figure class=\"histogram\"><svg viewBox=\"0 0 {w} {height}\" preserveAspectRatio=\"none\" role=\"group\" \
         aria-label=\"Matching articles over time; select a bar or drag across bars to narrow the dates\">",
        w = width * buckets.len()
    );
    let in_range = |key: &str| {
        (state.from.is_some() || state.to.is_some())
            && state.from.as_deref().is_none_or(|f| key >= &f[..f.len().min(key.len())])
            && state.to.as_deref().is_none_or(|t| key <= &t[..t.len().min(key.len())])
    };
    for (i, (key, count)) in buckets.iter().enumerate() {
        let h = if *count == 0 { 0.0 } else { (*count as f64 / max as f64 * (height - 2) as f64).max(2.0) };
        let _ = write!(
            out,
            "<a class=\"bucket{on}\" href=\"{href}\" data-from=\"{key}\" data-to=\"{key}\">\
             <title>{key}: {count} article{s}</title>\
             <rect class=\"area\" x=\"{x}\" y=\"0\" width=\"{width}\" height=\"{height}\"></rect>\
             <rect class=\"bar\" x=\"{bx}\" y=\"{y:.1}\" width=\"{bw}\" height=\"{h:.1}\"></rect></a>",
            on = if in_range(key) { " on" } else { "" },
            href = esc(&state.dated(Some(key), Some(key)).url()),
            key = esc(key),
            s = if *count == 1 { "" } else { "s" },
            x = i * width,
            bx = i * width + 1,
            bw = width - 2,
            y = height as f64 - h,
        );
    }
    let first = buckets.first().map(|b| b.0.as_str()).unwrap_or_default();
    let last = buckets.last().map(|b| b.0.as_str()).unwrap_or_default();
    let _ = writeln!(
        out,
        "</svg><figcaption><span>{}</span><span class=\"hint\">select or drag to narrow</span><span>{}</span></figcaption></figure>",
        esc(first),
        esc(last)
    );
    out
}

/// Every month from the first to the last with a count (zeros between), or every year when
/// that is more than [`MAX_MONTH_BARS`] months.
fn buckets(months: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let (Some(first), Some(last)) =
        (months.keys().next().and_then(|m| parse(m)), months.keys().next_back().and_then(|m| parse(m)))
    else {
        return Vec::new();
    };
    let span = (last.0 - first.0) as i64 * 12 + last.1 as i64 - first.1 as i64 + 1;
    if span > MAX_MONTH_BARS as i64 {
        let mut years: BTreeMap<String, u64> = (first.0..=last.0).map(|y| (format!("{y:04}"), 0)).collect();
        for (month, n) in months {
            if let Some(year) = month.get(..4) {
                *years.entry(year.to_string()).or_default() += n;
            }
        }
        return years.into_iter().collect();
    }
    let (mut y, mut m) = first;
    let mut out = Vec::new();
    while (y, m) <= last {
        let key = format!("{y:04}-{m:02}");
        let n = months.get(&key).copied().unwrap_or(0);
        out.push((key, n));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// `GET /report?id=…`: one article in full, every match of the query lit, with the search's
/// state kept for the way back.
pub async fn report(AppState(app): AppState<App>, params: Params) -> Response {
    let outcome = app
        .blocking(move |app| -> Result<(State, api::Report), Failure> {
            let pairs = api::pairs(params)?;
            let state = api::checked(&pairs)?;
            let id = pairs.iter().find(|(k, _)| k == "id").map(|(_, v)| v.as_str()).unwrap_or_default();
            if id.is_empty() {
                return Err(Failure::Bad("which article? The link lacks its id.".into(), None));
            }
            let report = api::report_of(app, id, &state.q)?;
            Ok((state, report))
        })
        .await;
    match outcome {
        Ok(Ok((state, report))) => Html(report_page(&state, &report)).into_response(),
        Ok(Err(failure)) => error_page(failure.status(), failure.message()),
        Err(message) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &message),
    }
}

fn report_page(state: &State, report: &api::Report) -> String {
    let r = &report.article.report;
    let article = &report.article;
    let title = r.title.as_deref().unwrap_or(&r.id);
    let mut main = String::from("<main class=\"report\">\n");
    if !state.is_empty() {
        let _ = writeln!(main, "<p><a class=\"back\" href=\"{}\">‹ Back to the results</a></p>", esc(&state.url()));
    }
    let _ = writeln!(main, "<article data-id=\"{}\">\n<h1>{}</h1>", esc(&r.id), esc(title));
    main.push_str(&meta(r.source.as_deref(), r.author.as_deref(), r.date.as_deref()));
    main.push_str(&chips(
        state,
        &[("leader", &article.leaders), ("topic", &article.topics), ("place", &article.places), ("org", &article.orgs)],
        usize::MAX,
    ));
    let highlights = report.highlights.as_deref().unwrap_or_default();
    if !state.q.is_empty() {
        let n = highlights.len();
        let _ = write!(
            main,
            "<nav class=\"matches\" aria-label=\"Matches\"><span id=\"match-count\" data-matches=\"{n}\">\
             <span id=\"match-position\">{n} match{es}</span> of <code>{q}</code></span>",
            es = if n == 1 { "" } else { "es" },
            q = esc(&state.q)
        );
        if n > 0 {
            let _ = write!(
                main,
                " <a id=\"prev-match\" href=\"#m{n}\">‹ Previous</a> <a id=\"next-match\" href=\"#m1\">Next ›</a>"
            );
        }
        main.push_str("</nav>\n");
    }
    let _ = writeln!(main, "<div class=\"body\">{}</div>", marked(&r.body, 0, highlights, true));
    main.push_str("<dl class=\"fields\">");
    let _ = write!(
        main,
        "<dt>id</dt><dd><code>{}</code></dd><dt>file</dt><dd><code>{}</code></dd>",
        esc(&r.id),
        esc(&r.path)
    );
    if let Some(url) = &r.url {
        // Only web addresses become links: never `javascript:` or a local file.
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            let _ =
                write!(main, "<dt>url</dt><dd><a href=\"{u}\" rel=\"noopener noreferrer\">{u}</a></dd>", u = esc(url));
        } else {
            let _ = write!(main, "<dt>url</dt><dd>{}</dd>", esc(url));
        }
    }
    main.push_str("</dl>\n</article>\n</main>");
    document(&format!("{title} · attache"), "report-view", &bar(state), &main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_wrap_highlights_and_everything_is_escaped() {
        let text = "<b>Iran</b> & Iran";
        let hs = [Highlight { start: 13, end: 17 }, Highlight { start: 24, end: 28 }];
        assert_eq!(marked(text, 10, &hs, false), "&lt;b&gt;<mark>Iran</mark>&lt;/b&gt; &amp; <mark>Iran</mark>");
        assert_eq!(
            marked(text, 10, &hs, true),
            "&lt;b&gt;<mark id=\"m1\">Iran</mark>&lt;/b&gt; &amp; <mark id=\"m2\">Iran</mark>"
        );
        // Out of bounds, out of order, inside a character: skipped, never a panic.
        let odd = [Highlight { start: 0, end: 2 }, Highlight { start: 24, end: 99 }, Highlight { start: 5, end: 4 }];
        assert_eq!(marked("Erdoğan", 0, &odd, false), "<mark>Er</mark>doğan");
        assert_eq!(marked("ğ", 0, &[Highlight { start: 0, end: 1 }], false), "ğ");
    }

    #[test]
    fn months_fill_their_gaps_and_long_spans_go_by_year() {
        let months: BTreeMap<String, u64> = [("2024-11", 2), ("2025-02", 5)].map(|(k, v)| (k.to_string(), v)).into();
        let b = buckets(&months);
        assert_eq!(
            b.iter().map(|(k, n)| format!("{k}={n}")).collect::<Vec<_>>(),
            ["2024-11=2", "2024-12=0", "2025-01=0", "2025-02=5"]
        );
        let long: BTreeMap<String, u64> = [("1963-01", 1), ("2025-02", 5)].map(|(k, v)| (k.to_string(), v)).into();
        let b = buckets(&long);
        assert_eq!((b.len(), b[0].clone(), b[62].clone()), (63, ("1963".to_string(), 1), ("2025".to_string(), 5)));
    }

    fn doc_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_string()),
            Just("\"><img src=x onerror=alert(1)>".to_string()),
            Just("</mark>".to_string()),
            Just("&amp;".to_string()),
            Just("javascript:alert(1)".to_string()),
            Just("Iran ".to_string()),
            Just("Erdoğan 🇺🇦 ".to_string()),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
    }

    /// Whether every `<` of `html` opens a tag this file writes (never one from the text), and
    /// the only script is the page's own.
    fn no_foreign_tags(html: &str) -> bool {
        const TAGS: &str = "!doctype html head meta title link script body header a form input button details summary \
                            main section p ol li h1 h2 h3 blockquote mark span time nav ul aside figure figcaption \
                            svg rect code table tr td em kbd footer pre dl dt dd article div";
        html.match_indices('<').all(|(i, _)| {
            let name: String = html[i + 1..]
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
                .collect();
            TAGS.split_whitespace().any(|t| t == name)
        }) && html.matches("<script").count() == html.matches("<script src=\"/assets/app.js").count()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Whatever the index holds, in any field, the pages carry no markup of it.
        #[test]
        fn pages_never_carry_document_markup(text in doc_text(), meta in doc_text(), cut in 0usize..64) {
            let cut = (0..=cut.min(text.len())).rev().find(|&c| text.is_char_boundary(c)).unwrap_or(0);
            let highlights = vec![Highlight { start: 0, end: cut }];
            let passage = attache::Passage { score: 1.0, start: 0, end: text.len(), text: text.clone(), highlights: highlights.clone() };
            let hit = Hit {
                id: meta.clone(), path: meta.clone(), score: 1.0, title: Some(meta.clone()), author: Some(meta.clone()),
                source: Some(meta.clone()), date: Some(meta.clone()), url: Some(meta.clone()),
                leaders: vec![meta.clone()], topics: vec![meta.clone()], places: vec![], orgs: vec![], people: vec![],
                story: None, passages: vec![passage], explain: None, also: vec![],
            };
            let mut facets = Facets::default();
            facets.leaders.insert(meta.clone(), 1);
            facets.sources.insert(text.clone(), 2);
            facets.dates.insert("2025-06".into(), 1);
            let state = State { q: meta.clone(), filters: vec![("leader".into(), meta.clone())], from: None, to: None, page: 1 };
            let results = SearchResults { query: meta.clone(), total_hits: 11, hits: vec![hit], facets };
            let page = results_page(&state, &results);
            proptest::prop_assert!(no_foreign_tags(&page), "{}", page);
            let mut report = attache::Report::new(meta.clone(), text.clone());
            report.title = Some(meta.clone());
            report.url = Some(format!("javascript:{meta}"));
            let article = attache::Article { report, leaders: vec![meta.clone()], topics: vec![], places: vec![], orgs: vec![], people: vec![], duplicates: vec![], story: None };
            let page = report_page(&state, &api::Report { article, highlights: Some(highlights) });
            proptest::prop_assert!(no_foreign_tags(&page), "{}", page);
            proptest::prop_assert!(!page.contains("href=\"javascript:"), "{}", page);
            let failed = failed_search_page(&state, &Failure::Bad(meta.clone(), Some(3)));
            proptest::prop_assert!(no_foreign_tags(&failed), "{}", failed);
        }
    }
}
