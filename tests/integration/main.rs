//! attache's integration tests: one binary (fast to link), one module per concern.

// Short reports we wrote, shaped like the real inputs users feed in.
mod corpus;
// `TempCorpus`: a temporary directory of reports and a clean `attache` command.
mod util;
// The library API as an embedding app uses it.
mod api;
// Bad files never cost the good ones.
mod bad_input;
// Legacy encodings, web pages, feeds, PDFs and duplicates.
mod formats;
// Searches during indexing, the writer lock.
#[cfg(feature = "cli")]
mod concurrency;
// The HTTP example answers over loopback.
mod http;
// Properties of the query parser and of search on any input.
mod properties;
// Regression tests, one per fixed issue.
mod regression;
// SIGKILL during indexing never loses or mixes a commit.
#[cfg(all(unix, feature = "cli"))]
mod crash;
// `attache serve`: the API and the pages over loopback HTTP.
#[cfg(feature = "serve")]
mod serve;
// `attache serve` in headless Chromium: keys, clicks, the back button, screenshots.
#[cfg(feature = "serve")]
mod browser;
// Stories: reports of one event share one, different events never do.
mod stories;
// The command line: exit codes, output formats, errors.
#[cfg(feature = "cli")]
mod cli;
// Everyone named in a report: the people field, `person:` queries, the people facet.
mod people;
