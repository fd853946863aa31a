//! What a search page shows, as its URL says it: the query, the facet filters, the date range
//! and the page (`/?q=iran&leader=Vladimir+Putin&from=2025-06&page=2`). The page and the API
//! read the same parameters, so every view is a link that can be shared, bookmarked and
//! reached again with the back button.
//!
//! The filters become clauses of attache's own query syntax (`leader:"Vladimir Putin"`,
//! `date:[2025-06 TO 2025-07]`) joined to the user's query, which is parenthesised so its
//! `OR`s stay inside it: the library's rules then apply (filters side by side are required,
//! the words rank). Nothing here touches a file: ids are looked up in the index.

use attache::search::query;

/// Hits per page.
pub const PAGE_SIZE: usize = 10;
/// Last page one may ask for (hits past `PAGE_SIZE × MAX_PAGE` are not shown).
pub const MAX_PAGE: usize = 500;
/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Longest filter value accepted, in characters.
pub const MAX_VALUE_CHARS: usize = 200;
/// Most filters one view may combine.
pub const MAX_FILTERS: usize = 20;

/// A kind of facet: the key of its counts in [`attache::Facets`] (and in `--json`), the URL
/// parameter and query prefix that filter by it, and its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacetKind {
    pub key: &'static str,
    pub param: &'static str,
    pub label: &'static str,
}

/// The facets a page lists, in order. A facet key that the library adds and this table lacks
/// still shows, after these, under its own key (see `page::facet_lists`); adding it here
/// gives it a heading, and a parameter when its singular is not a query prefix.
pub const FACETS: [FacetKind; 7] = [
    FacetKind { key: "leaders", param: "leader", label: "Leaders" },
    FacetKind { key: "topics", param: "topic", label: "Topics" },
    FacetKind { key: "places", param: "place", label: "Places" },
    FacetKind { key: "orgs", param: "org", label: "Organisations" },
    FacetKind { key: "people", param: "person", label: "People" },
    FacetKind { key: "sources", param: "source", label: "Outlets" },
    FacetKind { key: "authors", param: "author", label: "Authors" },
];

/// The query prefix that filters by the facet `key` of [`attache::Facets`]: from [`FACETS`],
/// else the key's singular when that is a filtering prefix (`places` → `place`).
pub fn filter_param(key: &str) -> Option<&'static str> {
    if let Some(kind) = FACETS.iter().find(|k| k.key == key) {
        return Some(kind.param);
    }
    let singular = key.strip_suffix('s').unwrap_or(key);
    query::FIELD_NAMES.iter().find(|f| **f == singular && is_filter_param(f)).copied()
}

/// Whether `param` is a filter parameter (a query prefix a facet filters with).
fn is_filter_param(param: &str) -> bool {
    FACETS.iter().any(|k| k.param == param)
        || (query::FIELD_NAMES.contains(&param) && !matches!(param, "date" | "id" | "path" | "title" | "body"))
}

/// The state of a view, from its URL's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// The user's query, as typed.
    pub q: String,
    /// Facet filters, in the order given: (query prefix, value).
    pub filters: Vec<(String, String)>,
    /// First day, month or year of the date range.
    pub from: Option<String>,
    /// Last day, month or year of the date range (inclusive).
    pub to: Option<String>,
    /// 1-based page.
    pub page: usize,
}

/// A parameter that cannot be used, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam(pub String);

impl State {
    /// Reads the parameters of a URL; unknown ones are ignored.
    pub fn from_params(params: &[(String, String)]) -> Result<State, BadParam> {
        let mut state = State { page: 1, ..State::default() };
        for (name, value) in params {
            let value = value.trim();
            match name.as_str() {
                "q" => {
                    if value.chars().count() > MAX_QUERY_CHARS {
                        return Err(BadParam(format!(
                            "the query is longer than {MAX_QUERY_CHARS} characters; shorten it"
                        )));
                    }
                    state.q = value.to_string();
                }
                "from" | "to" if !value.is_empty() => {
                    if query::parse(&format!("date:{value}")).is_err() || value.contains(['[', ']', '{', '}', ' ']) {
                        return Err(BadParam(format!(
                            "{name}={value:?} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"
                        )));
                    }
                    let slot = if name == "from" { &mut state.from } else { &mut state.to };
                    *slot = Some(value.to_string());
                }
                "page" => {
                    state.page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|p| (1..=MAX_PAGE).contains(p))
                        .ok_or_else(|| BadParam(format!("page={value:?}: pages go from 1 to {MAX_PAGE}")))?;
                }
                param if is_filter_param(param) && !value.is_empty() => {
                    if value.chars().count() > MAX_VALUE_CHARS {
                        return Err(BadParam(format!("{param}: values are at most {MAX_VALUE_CHARS} characters")));
                    }
                    if state.filters.len() == MAX_FILTERS {
                        return Err(BadParam(format!("at most {MAX_FILTERS} filters at once")));
                    }
                    let filter = (param.to_string(), value.to_string());
                    if !state.filters.contains(&filter) {
                        state.filters.push(filter);
                    }
                }
                _ => {}
            }
        }
        Ok(state)
    }

    /// Whether there is anything to search for.
    pub fn is_empty(&self) -> bool {
        self.q.is_empty() && self.filters.is_empty() && self.from.is_none() && self.to.is_none()
    }

    /// The query to run: the user's query (parenthesised when filters follow) and one clause
    /// per filter.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        let has_filters = !self.filters.is_empty() || self.from.is_some() || self.to.is_some();
        if !self.q.is_empty() && has_filters {
            parts.push(format!("({})", self.q));
        } else if !self.q.is_empty() {
            parts.push(self.q.clone());
        }
        for (param, value) in &self.filters {
            // The syntax has no escape for a quote inside a phrase; a quote is punctuation to
            // the analyzer anyway.
            parts.push(format!("{param}:\"{}\"", value.replace('"', " ")));
        }
        if self.from.is_some() || self.to.is_some() {
            let end = |d: &Option<String>| d.clone().unwrap_or_else(|| "*".to_string());
            parts.push(format!("date:[{} TO {}]", end(&self.from), end(&self.to)));
        }
        parts.join(" ")
    }

    /// Whether `value` filters `param` now.
    pub fn has_filter(&self, param: &str, value: &str) -> bool {
        self.filters.iter().any(|(p, v)| p == param && v == value)
    }

    /// This view with the filter on if it was off, off if it was on; back to page 1.
    pub fn toggled(&self, param: &str, value: &str) -> State {
        let mut next = State { page: 1, ..self.clone() };
        if self.has_filter(param, value) {
            next.filters.retain(|(p, v)| !(p == param && v == value));
        } else {
            next.filters.push((param.to_string(), value.to_string()));
        }
        next
    }

    /// This view over another date range; back to page 1.
    pub fn dated(&self, from: Option<&str>, to: Option<&str>) -> State {
        State { from: from.map(str::to_string), to: to.map(str::to_string), page: 1, ..self.clone() }
    }

    /// This view at another page.
    pub fn at_page(&self, page: usize) -> State {
        State { page, ..self.clone() }
    }

    /// The URL parameters of this view (`q=…&leader=…`), without the `?`.
    pub fn params(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", &self.q));
        }
        for (param, value) in &self.filters {
            pairs.push((param, value));
        }
        if let Some(from) = &self.from {
            pairs.push(("from", from));
        }
        if let Some(to) = &self.to {
            pairs.push(("to", to));
        }
        let page = self.page.to_string();
        if self.page > 1 {
            pairs.push(("page", &page));
        }
        pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
    }

    /// The page URL of this view.
    pub fn url(&self) -> String {
        let params = self.params();
        if params.is_empty() { "/".to_string() } else { format!("/?{params}") }
    }
}

/// Percent-encodes a URL parameter value (RFC 3986: everything but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn filters_join_the_query_as_clauses_of_its_syntax() {
        let state = State::from_params(&params(&[
            ("q", "putin OR trump"),
            ("leader", "Vladimir Putin"),
            ("source", "The \"Ledger\""),
            ("from", "2025-06"),
            ("page", "2"),
            ("utm", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            state.query(),
            "(putin OR trump) leader:\"Vladimir Putin\" source:\"The  Ledger \" date:[2025-06 TO *]"
        );
        assert!(query::parse(&state.query()).is_ok());
        assert_eq!(state.page, 2);
    }

    #[test]
    fn the_url_round_trips_the_state() {
        let state = State {
            q: "\"root causes\" & more".into(),
            filters: vec![("leader".into(), "Recep Tayyip Erdoğan".into())],
            from: Some("2025".into()),
            to: None,
            page: 3,
        };
        let url = state.url();
        assert_eq!(url, "/?q=%22root%20causes%22%20%26%20more&leader=Recep%20Tayyip%20Erdo%C4%9Fan&from=2025&page=3");
        let toggled = state.toggled("leader", "Recep Tayyip Erdoğan");
        assert!(toggled.filters.is_empty() && toggled.page == 1);
        assert!(toggled.toggled("topic", "Iran").has_filter("topic", "Iran"));
        assert_eq!(State::default().url(), "/");
    }

    #[test]
    fn bad_parameters_say_what_to_write() {
        let bad = |pairs: &[(&str, &str)]| State::from_params(&params(pairs)).unwrap_err().0;
        assert!(bad(&[("from", "June")]).contains("YYYY-MM-DD"));
        assert!(bad(&[("to", "2025] OR [x")]).contains("not a date"));
        assert!(bad(&[("page", "0")]).contains("pages go from 1"));
        assert!(bad(&[("page", "100000")]).contains("pages go from 1"));
        assert!(bad(&[("q", &"x".repeat(MAX_QUERY_CHARS + 1))]).contains("shorten"));
        let many: Vec<(String, String)> = (0..=MAX_FILTERS).map(|i| ("topic".to_string(), format!("t{i}"))).collect();
        assert!(State::from_params(&many).unwrap_err().0.contains("at most"));
    }

    #[test]
    fn a_new_facet_key_filters_when_its_singular_is_a_prefix() {
        assert_eq!(filter_param("leaders"), Some("leader"));
        assert_eq!(filter_param("orgs"), Some("org"));
        assert_eq!(filter_param("dates"), None, "months filter through from/to");
        assert_eq!(filter_param("bogus"), None);
    }
}
