//! Command-line arguments: a pure clap parse, no validation across flags (that is `main.rs`'s
//! job, where flags become library values).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Full-text search for folders of diplomatic news reports.
///
/// attache indexes a directory of news reports (plain text, Markdown, JSON, JSONL), tags
/// them with the leaders and topics they cover, and answers queries with ranked passages and
/// highlighted matches. Exit status: 0 when something was found, 1 when nothing was, 2 on error.
#[derive(Debug, Parser)]
#[command(name = "attache", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update the index of a directory (incremental).
    ///
    /// Unchanged files are skipped, changed ones re-indexed, vanished ones removed, all in one
    /// commit. Without --index the index is kept in a cache directory (see `search`).
    Index(IndexArgs),
    /// Search, printing ranked articles with their best passages.
    ///
    /// With DIR, the directory is indexed first if needed (into a cache directory, or into
    /// --index PATH), so `attache search "Putin Iran" sample_corpus` works with no set-up.
    ///
    /// Query syntax: words (stemmed, ranked by BM25), "exact phrases", AND, OR, NOT, +word,
    /// -word, parentheses, word* (prefix), word~1 (fuzzy), and field prefixes title: body:
    /// author: source: leader: topic: place: org: id: path: story: and date:2025-06 or
    /// date:[2025-06-01 TO 2025-07-01]. leader: and topic: accept any alias
    /// (leader:zelensky). Field filters side by side are all required; words rank.
    Search(SearchArgs),
    /// Serve a search page and a JSON API over the index, in a browser.
    ///
    /// With DIR, the directory is indexed first if needed, as for `search`. The index is then
    /// opened read-only: run `attache index` meanwhile and the page shows each new commit.
    /// Listens on 127.0.0.1:8700 unless --addr says otherwise (port 0 picks a free one); the
    /// address is printed on stdout. Endpoints: / (the page), /report?id=…, /api/search?q=…,
    /// /api/facets?q=…, /api/report?id=…, /api/stats.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
    /// Print every article of an index as one JSON object a line, with extracted fields.
    Export(ExportArgs),
    /// Print one article with its fields.
    Show(ShowArgs),
    /// List the stories of an index: reports of the same event, from one outlet or several.
    ///
    /// Each story with its size, outlets, first and last day, leaders and topics, newest
    /// first. With QUERY, only stories with a report matching it; with --from/--to, only
    /// stories with a report dated in the range. A single argument naming an existing
    /// directory is DIR, not QUERY. `attache search story:ID` lists a story's reports.
    Stories(StoriesArgs),
    /// Summarise an index: articles, date range, top leaders, topics and sources.
    Stats(StatsArgs),
    /// Verify an index: checksums of its files and every stored article.
    Check(StatsArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Measure ranking quality against relevance judgments.
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Score the ranking of a query set against TREC qrels: nDCG@10, MAP (AP@100), Recall@100.
    ///
    /// Runs every query of --queries (`qid<TAB>query` lines) in this process, lower-cased with
    /// punctuation turned into spaces, takes the top 100 articles of each, names each by its
    /// file stem (docs/017.txt → 017), and prints per-query figures and their means over the
    /// queries with at least one relevant judgment.
    Trec(EvalTrecArgs),
    /// Compare a ranking with a baseline (plain BM25 by default) over test collections.
    ///
    /// Each PATH is a test collection (a folder with docs/, one queries*.tsv and one
    /// qrels*.trec) or a folder of them. Every collection is indexed once into the cache and
    /// reused by later runs. For each, the queries (lower-cased, punctuation as spaces) run
    /// under both rankings; the table gives nDCG@10, MAP (AP@100) and Recall@100 of the
    /// baseline and of the ranking chosen with the ranking flags, their difference, and the
    /// p-value of a two-sided paired randomisation test (10,000 sign flips, fixed seed;
    /// `*` marks p < 0.05). Then the means over collections, the collections won and lost,
    /// and whether the ranking passes the rule for a default: higher mean nDCG@10 and MAP,
    /// significantly worse on no collection.
    Ir(EvalIrArgs),
    /// Score extracted leaders and places against labels: recall of labelled people and
    /// places, mean leaders per labelled article, and the misses.
    ///
    /// LABELS is `id<TAB>people<TAB>places<TAB>orgs<TAB>topics` lines with comma-separated,
    /// lower-case, hyphenated labels (`james-baker`); ids match the part of attache's id after
    /// `#` (JSONL records) or the file stem. CORPUS is a directory or a JSON/JSONL file; it is
    /// extracted in memory, not indexed.
    Entities(EvalEntitiesArgs),
    /// Score the stories indexing decides against gold clusters: B-cubed and pairwise
    /// precision, recall and F1.
    ///
    /// Each SET is a directory (or one file) of reports, indexed in memory in the order given
    /// (files in path order), each report's story decided as `attache index` decides it. Its
    /// gold clusters are `doc<TAB>cluster` lines in SET/clusters.tsv, or the --gold files in
    /// the order of the sets; docs are named by the part of the id after `#` or the file stem.
    /// Sets indexed together are scored each on its own and all together: mix an event-level
    /// set with topic-level ones as distractors.
    Stories(EvalStoriesArgs),
    /// Score the name tagger and the people field against gold names: mention-level and
    /// document-level precision, recall and F1 per type.
    ///
    /// GOLD is JSON lines (`{"id", "title", "body", "date", "spans": [{"start", "end",
    /// "type"}]}`, byte offsets into body, types PER, ORG, LOC, MISC) when its name ends in
    /// .jsonl or .json, else the CoNLL-2003 column format (a token and its IOB tag a line,
    /// blank lines between sentences, -DOCSTART- between documents). Mentions are right when
    /// start, end and type match. At document level a gold person counts found when the
    /// report's people list holds their surname (the gold name's last word); the leaders
    /// list is scored the same way beside it.
    People(EvalPeopleArgs),
    /// Score the article text extracted from web pages against hand-marked text.
    ///
    /// DIR holds ground-truth.json (`{name: {"articleBody": …}}`) and pages/<name>.html, as
    /// in the article-extraction benchmark. Each page is read as `attache index` reads a
    /// .html file; the text is compared with the truth by shingles of four words, and the
    /// precision, recall and F1 over the pages are printed (the benchmark's own measure).
    Html(EvalHtmlArgs),
}

#[derive(Debug, clap::Args)]
pub struct EvalStoriesArgs {
    /// The sets of reports.
    #[arg(required = true, value_name = "SET")]
    pub sets: Vec<PathBuf>,
    /// Gold clusters of the sets, in their order [default: SET/clusters.tsv].
    #[arg(long, value_name = "FILE")]
    pub gold: Vec<PathBuf>,
    /// Least mean cosine to join a story.
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Least margin of a story's score over the other candidates' mean similarity.
    #[arg(long)]
    pub margin: Option<f32>,
    /// Days before and after a report its candidates may be dated.
    #[arg(long, value_name = "DAYS")]
    pub window: Option<i64>,
    /// Weight of names against other terms.
    #[arg(long)]
    pub name_boost: Option<f32>,
    /// Weight of a title occurrence, in body occurrences.
    #[arg(long)]
    pub title_weight: Option<f32>,
    /// Most candidate reports compared.
    #[arg(long)]
    pub max_candidates: Option<usize>,
    /// Terms of the candidate query.
    #[arg(long)]
    pub query_terms: Option<usize>,
    /// Terms of a signature.
    #[arg(long)]
    pub sig_terms: Option<usize>,
    /// How a story's score is made from its members': `max` or `average`.
    #[arg(long)]
    pub link: Option<String>,
    /// Lexicons to use instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub schema: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalPeopleArgs {
    /// The gold names: a .jsonl file or a CoNLL column file.
    pub gold: PathBuf,
    /// A model file to score instead of the built-in one (as `train_tagger` writes it).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Lexicons to use instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub schema: Option<PathBuf>,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalHtmlArgs {
    /// The benchmark folder.
    pub dir: PathBuf,
    /// Also list the pages, worst F1 first.
    #[arg(long)]
    pub pages: bool,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalEntitiesArgs {
    /// The reports: a directory, or one .json/.jsonl file.
    pub corpus: PathBuf,
    /// The labels file.
    pub labels: PathBuf,
    /// Lexicons to use instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub schema: Option<PathBuf>,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalIrArgs {
    /// Test collections, or folders of them.
    #[arg(required = true, value_name = "PATH")]
    pub collections: Vec<PathBuf>,
    /// The ranking compared against, described as for --ranking.
    #[arg(long, value_name = "RANKING", default_value = "tantivy")]
    pub baseline: String,
    /// Lexicons and fields to use instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub schema: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub ranking: RankingOpts,
}

#[derive(Debug, clap::Args)]
pub struct EvalTrecArgs {
    /// TREC qrels file: `qid 0 docid relevance` lines.
    #[arg(long, value_name = "FILE")]
    pub qrels: PathBuf,
    /// Queries: `qid<TAB>query` lines.
    #[arg(long, value_name = "FILE")]
    pub queries: PathBuf,
    /// Directory of reports; indexed first when its index is missing or out of date.
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print only the means.
    #[arg(long)]
    pub summary: bool,
    #[command(flatten)]
    pub ranking: RankingOpts,
}

/// Ranking knobs, for measuring variants (defaults are attache's measured choice).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Ranking")]
pub struct RankingOpts {
    /// Start from this ranking: `attache` (the default), `tantivy` (plain BM25 as retrieved),
    /// either followed by `name=value` settings (`"attache,feedback-docs=10"`; the names are
    /// those of the flags below, plus k3, tag-fields, bm25f and proximity).
    #[arg(long, value_name = "RANKING", default_value = "attache")]
    pub ranking: attache::Ranking,
    /// Keep function words (the, of, which …) in queries.
    #[arg(long)]
    pub keep_stopwords: bool,
    /// Drop function words from queries (also with --ranking tantivy).
    #[arg(long, conflicts_with = "keep_stopwords")]
    pub drop_stopwords: bool,
    /// BM25 k1 of the re-ranker.
    #[arg(long, value_name = "K1")]
    pub k1: Option<f32>,
    /// BM25 b of the re-ranker.
    #[arg(long, value_name = "B")]
    pub b: Option<f32>,
    /// Articles pseudo-relevance feedback reads (0 turns it off).
    #[arg(long, value_name = "N")]
    pub feedback_docs: Option<usize>,
    /// Terms pseudo-relevance feedback adds.
    #[arg(long, value_name = "N")]
    pub feedback_terms: Option<usize>,
    /// Share of the query's own words after feedback (0..1).
    #[arg(long, value_name = "W")]
    pub feedback_weight: Option<f32>,
    /// Share of the best passage in an article's score (0..1).
    #[arg(long, value_name = "W")]
    pub passage_weight: Option<f32>,
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Directory of reports (to find its cached index; it is not re-indexed).
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct IndexOpts {
    /// Index directory [default: a cache directory derived from DIR].
    #[arg(long, value_name = "PATH")]
    pub index: Option<PathBuf>,
    /// Directory with fields.toml, leaders.toml and topics.toml to use instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub schema: Option<PathBuf>,
    /// Decide each new report's story while indexing (reports of one event by several
    /// outlets share one). Off by default: it makes indexing several times slower.
    #[arg(long)]
    pub stories: bool,
}

#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    /// Directory of reports to index.
    pub dir: PathBuf,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Rebuild from scratch (needed after the lexicons or schema change).
    #[arg(long)]
    pub rebuild: bool,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = attache::ingest::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_size: u64,
    /// Commit after every N reports written, so an interrupted run keeps its progress (0: only at the end).
    #[arg(long, value_name = "N", default_value_t = attache::index::DEFAULT_COMMIT_EVERY)]
    pub commit_every: usize,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also list every file not read (unknown extensions) and every file read in a legacy encoding.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print the indexing report as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query (see `attache search --help` for the syntax).
    #[arg(required_unless_present = "queries", value_name = "QUERY")]
    pub query: Option<String>,
    /// Directory of reports; indexed first when its index is missing or out of date.
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Most articles to show.
    #[arg(short = 'n', long, default_value_t = attache::search::DEFAULT_LIMIT)]
    pub limit: usize,
    /// Passages to show per article.
    #[arg(short, long, default_value_t = attache::search::DEFAULT_PASSAGES)]
    pub passages: usize,
    /// Print one JSON object (same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format [default: text].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Count leaders, topics, places and organisations over all matches.
    #[arg(long)]
    pub facets: bool,
    /// When to colour text output [default: auto: on a terminal, unless NO_COLOR is set].
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Run every query of FILE (one a line, or `qid<TAB>query`) and print one JSON result set a line.
    /// With --queries, the first positional argument is the directory.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// Say, per hit, which terms and fields contributed and how the score was combined.
    #[arg(long)]
    pub explain: bool,
    /// Group hits by story: the best report of each, then the others that reported it
    /// [default for text output; JSON and --queries give one hit per report].
    #[arg(long, overrides_with = "no_group")]
    pub group: bool,
    /// One hit per report, even in text output.
    #[arg(long, overrides_with = "group")]
    pub no_group: bool,
    #[command(flatten)]
    pub ranking: RankingOpts,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Directory of reports to index first (optional).
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Output format: one JSON object a line, or CSV with a header row.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object a line.
    Jsonl,
    /// CSV: id, path, title, author, source, date, url, language, leaders, topics, places, orgs,
    /// people, story, duplicates, body (a text a spreadsheet would run as a formula gets a
    /// leading ').
    Csv,
}

#[cfg(feature = "serve")]
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Directory of reports; indexed first when its index is missing or out of date.
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Address to listen on. Anything but a loopback address lets other machines read the index.
    #[arg(long, value_name = "HOST:PORT", default_value = crate::serve::DEFAULT_ADDR)]
    pub addr: std::net::SocketAddr,
}

#[derive(Debug, clap::Args)]
pub struct StoriesArgs {
    /// Only stories with a report matching this query.
    pub query: Option<String>,
    /// Directory of reports; indexed first when its index is missing or out of date.
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Only stories with a report dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DAY")]
    pub from: Option<String>,
    /// Only stories with a report dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DAY")]
    pub to: Option<String>,
    /// Most stories to list (0: all).
    #[arg(short = 'n', long, default_value_t = 20)]
    pub limit: usize,
    /// Print one JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The article's id (as printed by `search` or `export`).
    pub id: String,
    /// Directory of reports (to find its index).
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub opts: IndexOpts,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text, coloured on a terminal.
    Text,
    /// One JSON object.
    Json,
    /// An HTML fragment, document text escaped, matches in <mark>.
    Html,
    /// CSV with a header row, one row per hit: id, path, title, author, source, date, score,
    /// leaders, topics, people, story, passage (the best one); a text a spreadsheet would run
    /// as a formula gets a leading '.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}
