//! The `attache` command: parses flags (`args`), calls the library, renders (`render`).
//!
//! Exit status: 0 when something was found (or an index was built), 1 when a search found
//! nothing, 2 on any error. Errors go to stderr as one line `attache: …` with their causes;
//! a closed pipe (`attache search … | head`) ends quietly with 0.

mod args;
mod render;
#[cfg(feature = "serve")]
mod serve;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use attache::{Index, IndexSchema, Progress, SearchRequest, SyncOptions};
use clap::Parser;

use args::{Cli, Color, Command, EvalCommand, Format, IndexOpts, RankingOpts};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "attache: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Index(args) => {
            let schema = load_schema(&args.opts)?;
            let path = index_path(&args.opts, Some(&args.dir))?;
            let options = SyncOptions {
                max_file_bytes: args.max_file_size,
                commit_every: args.commit_every,
                stories: args.opts.stories,
                ..SyncOptions::default()
            };
            let show_progress = !args.quiet && io::stderr().is_terminal();
            let (index, summary) = if args.rebuild {
                rebuild(&path, &args.dir, schema, &options, show_progress)?
            } else {
                let index = Index::open_or_create(&path, schema)
                    .with_context(|| format!("opening the index at {}", path.display()))?;
                let summary = sync(&index, &args.dir, &options, show_progress)?;
                (index, summary)
            };
            if args.json {
                let stdout = io::stdout();
                let mut out = io::BufWriter::new(stdout.lock());
                render::json(&mut out, &summary)?;
                out.flush()?;
            }
            if !args.quiet {
                report_problems(&summary, args.verbose);
                let not_read = summary.not_read_by_kind();
                let total: usize = not_read.iter().map(|(_, n)| n).sum();
                let kinds: Vec<String> = not_read.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
                let kinds = if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) };
                let duplicates = if summary.num_duplicates > 0 {
                    format!(", {} duplicates", summary.num_duplicates)
                } else {
                    String::new()
                };
                eprintln!(
                    "indexed {} into {}: {} added, {} updated, {} deleted, {} unchanged, {} skipped{kinds}{duplicates}; {} articles in the index",
                    args.dir.display(),
                    path.display(),
                    summary.num_added,
                    summary.num_updated,
                    summary.num_deleted,
                    summary.num_unchanged,
                    total,
                    index.num_reports()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Search(mut args) => {
            // `search --queries FILE DIR`: there is no QUERY, so the one positional is DIR.
            if args.queries.is_some() && args.dir.is_none() {
                args.dir = args.query.take().map(PathBuf::from);
            } else if args.queries.is_some() {
                bail!("give either a QUERY or --queries FILE, not both");
            }
            let index = open_for_reading(&args.opts, args.dir.as_deref())?;
            let searcher = index.searcher();
            let format = if args.json { Format::Json } else { args.format.unwrap_or(Format::Text) };
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            if let Some(file) = &args.queries {
                return batch(&searcher, file, &args, &mut out);
            }
            let query = args.query.clone().unwrap_or_default();
            let group = args.group || (format == Format::Text && !args.no_group);
            let request = SearchRequest::new(query)
                .limit(args.limit)
                .passages(args.passages)
                .facets(args.facets)
                .ranking(ranking(&args.ranking))
                .explain(args.explain)
                .group(group);
            let results = searcher.search(&request)?;
            match format {
                Format::Json => render::json(&mut out, &results)?,
                Format::Html => render::html(&mut out, &results)?,
                Format::Csv => render::csv(&mut out, &results)?,
                Format::Text => {
                    let color = match args.color {
                        Color::Always => true,
                        Color::Never => false,
                        Color::Auto => {
                            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        }
                    };
                    render::text(&mut out, &results, color)?;
                    if args.explain {
                        render::explain(&mut out, &results)?;
                    }
                }
            }
            out.flush()?;
            Ok(if results.total_hits > 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Eval(EvalCommand::Html(args)) => {
            let eval = attache::eval::html::evaluate_html(&args.dir)
                .with_context(|| format!("scoring the pages of {}", args.dir.display()))?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            if args.json {
                render::json(&mut out, &eval)?;
            } else {
                if args.pages {
                    for p in &eval.per_page {
                        writeln!(out, "{:.3}  tp {:.3} fp {:.3} fn {:.3}  {}", p.f1(), p.tp, p.fp, p.fn_, p.name)?;
                    }
                }
                write!(out, "{eval}")?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Entities(args)) => {
            let schema = load_schema(&IndexOpts { index: None, schema: args.schema.clone(), stories: false })?;
            let scores = attache::extract::eval::score_entities_with(&schema, &args.corpus, &args.labels)
                .with_context(|| format!("scoring {} against {}", args.corpus.display(), args.labels.display()))?;
            print_scores(&scores, args.json)
        }
        Command::Eval(EvalCommand::People(args)) => {
            let schema = load_schema(&IndexOpts { index: None, schema: args.schema.clone(), stories: false })?;
            let model = match &args.model {
                Some(path) => Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?),
                None => None,
            };
            let scores = attache::extract::eval::people::score(&schema, &args.gold, model.as_deref())
                .with_context(|| format!("scoring names against {}", args.gold.display()))?;
            print_scores(&scores, args.json)
        }
        Command::Eval(EvalCommand::Trec(args)) => {
            let qrels = attache::eval::Qrels::read(&args.qrels)
                .with_context(|| format!("reading relevance judgments from {}", args.qrels.display()))?;
            let queries = attache::eval::read_queries(&args.queries)
                .with_context(|| format!("reading queries from {}", args.queries.display()))?;
            let index = open_for_reading(&args.opts, args.dir.as_deref())?;
            let run = attache::eval::run(&index.searcher(), &queries, ranking(&args.ranking))
                .with_context(|| format!("running the queries of {}", args.queries.display()))?;
            let evaluation = attache::eval::evaluate(&qrels, &run);
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            if args.json {
                render::json(&mut out, &evaluation)?;
            } else {
                render::evaluation(&mut out, &evaluation, args.summary)?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Ir(args)) => eval_ir(&args),
        Command::Eval(EvalCommand::Stories(args)) => eval_stories(&args),
        Command::Export(args) => {
            let index = open_for_reading(&args.opts, args.dir.as_deref())?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            match args.format {
                args::ExportFormat::Jsonl => {
                    for article in index.searcher().export()? {
                        render::json(&mut out, &article?)?;
                    }
                }
                args::ExportFormat::Csv => render::csv_articles(&mut out, index.searcher().export()?)?,
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => {
            let index = open_for_reading(&args.opts, args.dir.as_deref())?;
            serve::run(index, args.addr)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats(args) => stats(&args),
        Command::Check(args) => check(&args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Into a buffer first: clap_complete panics on a write error such as a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "attache", &mut script);
            io::stdout().write_all(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Stories(mut args) => {
            if args.dir.is_none() && args.query.as_deref().is_some_and(|q| Path::new(q).is_dir()) {
                args.dir = args.query.take().map(PathBuf::from);
            }
            for day in [&args.from, &args.to].into_iter().flatten() {
                if attache::date::days_from_iso(day).is_none() {
                    bail!("{day:?} is not a day (YYYY-MM-DD)");
                }
            }
            let index = open_for_reading(&args.opts, args.dir.as_deref())?;
            let request = attache::stories::StoriesRequest {
                query: args.query.clone(),
                from: args.from.clone(),
                to: args.to.clone(),
                limit: args.limit,
            };
            let stories = index.stories(&request)?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            if args.json {
                render::json(&mut out, &stories)?;
            } else {
                render::stories(&mut out, &stories)?;
            }
            out.flush()?;
            Ok(if stories.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Show(args) => {
            let index = open_for_reading(&args.opts, args.dir.as_deref())?;
            let article = index.searcher().article(&args.id)?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            if args.json {
                render::json(&mut out, &article)?;
            } else {
                let r = &article.report;
                for (label, value) in [
                    ("id", Some(&r.id)),
                    ("path", Some(&r.path)),
                    ("title", r.title.as_ref()),
                    ("author", r.author.as_ref()),
                    ("source", r.source.as_ref()),
                    ("date", r.date.as_ref()),
                    ("url", r.url.as_ref()),
                    ("language", r.language.as_ref()),
                ] {
                    if let Some(value) = value {
                        writeln!(out, "{label}: {value}")?;
                    }
                }
                for (label, names) in [
                    ("leaders", &article.leaders),
                    ("topics", &article.topics),
                    ("places", &article.places),
                    ("orgs", &article.orgs),
                    ("people", &article.people),
                ] {
                    writeln!(out, "{label}: {}", names.join(", "))?;
                }
                if let Some(story) = &article.story {
                    writeln!(out, "story: {story}")?;
                }
                if !article.duplicates.is_empty() {
                    writeln!(out, "duplicates: {}", article.duplicates.join(", "))?;
                }
                writeln!(out, "\n{}", r.body)?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `stats` and `check`: open the index as it is, without indexing the directory first.
fn open_existing(args: &args::StatsArgs) -> anyhow::Result<Index> {
    let schema = load_schema(&args.opts)?;
    let path = index_path(&args.opts, args.dir.as_deref())?;
    Index::open(&path, schema).with_context(|| format!("opening the index at {}", path.display()))
}

fn stats(args: &args::StatsArgs) -> anyhow::Result<ExitCode> {
    let stats = open_existing(args)?.stats()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.json {
        render::json(&mut out, &stats)?;
    } else {
        let range = match (&stats.first_date, &stats.last_date) {
            (Some(first), Some(last)) => format!(", {first} to {last}"),
            _ => String::new(),
        };
        let duplicates = match stats.num_duplicates {
            0 => String::new(),
            n => format!(" ({n} more files hold exact duplicates of them)"),
        };
        writeln!(out, "{} articles{range}{duplicates}", stats.num_articles)?;
        for (label, counts) in [
            ("leaders", &stats.facets.leaders),
            ("topics", &stats.facets.topics),
            ("places", &stats.facets.places),
            ("orgs", &stats.facets.orgs),
            ("people", &stats.facets.people),
            ("sources", &stats.sources),
        ] {
            let mut counts: Vec<(&String, &u64)> = counts.iter().collect();
            counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let top: Vec<String> = counts.iter().take(10).map(|(n, c)| format!("{n} ({c})")).collect();
            writeln!(out, "{label}: {}", if top.is_empty() { "-".to_string() } else { top.join(", ") })?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn check(args: &args::StatsArgs) -> anyhow::Result<ExitCode> {
    let index = open_existing(args)?;
    let report = index.check()?;
    let path = index.path().map(|p| p.display().to_string()).unwrap_or_default();
    if args.json {
        render::json(&mut io::stdout().lock(), &report)?;
    } else {
        writeln!(
            io::stdout(),
            "index at {path} is sound: {} articles in {} segments",
            report.num_reports,
            report.num_segments
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn load_schema(opts: &IndexOpts) -> anyhow::Result<IndexSchema> {
    Ok(match &opts.schema {
        Some(dir) => IndexSchema::from_dir(dir).with_context(|| format!("reading the schema in {}", dir.display()))?,
        None => IndexSchema::embedded()?,
    })
}

fn index_path(opts: &IndexOpts, dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    match (&opts.index, dir) {
        (Some(path), _) => Ok(path.clone()),
        (None, Some(dir)) => {
            if !dir.is_dir() {
                bail!("{} is not a directory", dir.display());
            }
            Ok(Index::cache_path(dir))
        }
        (None, None) => bail!("no index given: name a directory of reports, or an index with --index PATH"),
    }
}

/// Opens the index for a read command; with a corpus directory, brings the index up to date
/// first. A cached index built with other lexicons is simply rebuilt: it is a cache.
fn open_for_reading(opts: &IndexOpts, dir: Option<&Path>) -> anyhow::Result<Index> {
    let schema = load_schema(opts)?;
    let path = index_path(opts, dir)?;
    let Some(dir) = dir else {
        return Index::open(&path, schema).with_context(|| format!("opening the index at {}", path.display()));
    };
    let progress = io::stderr().is_terminal();
    let options = SyncOptions { stories: opts.stories, ..SyncOptions::default() };
    let index = match Index::open_or_create(&path, schema.clone()) {
        Ok(index) => index,
        Err(attache::Error::IncompatibleIndex { .. }) if opts.index.is_none() => {
            return rebuild(&path, dir, schema, &options, progress).map(|(index, summary)| {
                report_problems(&summary, false);
                index
            });
        }
        Err(e) => return Err(e).with_context(|| format!("opening the index at {}", path.display())),
    };
    match sync(&index, dir, &options, progress) {
        Ok(summary) => report_problems(&summary, false),
        // Another process is indexing: search what is committed.
        Err(e) if matches!(e.downcast_ref::<attache::Error>(), Some(attache::Error::Locked { .. })) => {
            eprintln!("attache: {e:#}; searching the last commit");
        }
        Err(e) => return Err(e),
    }
    Ok(index)
}

fn sync(index: &Index, dir: &Path, options: &SyncOptions, progress: bool) -> anyhow::Result<attache::IndexSummary> {
    let mut indexer = index.indexer()?;
    let mut show = progress_printer(progress);
    let summary = indexer.sync_dir(dir, options, &mut show).with_context(|| format!("indexing {}", dir.display()))?;
    if summary.num_added + summary.num_updated + summary.num_deleted > 0 {
        show(&Progress::Committing);
        indexer.commit().with_context(|| format!("committing the index of {}", dir.display()))?;
    }
    show(&Progress::Walking); // clears the progress line
    Ok(summary)
}

/// Builds a fresh index beside `path` and swaps it in only once it is committed, so a failed
/// rebuild leaves the old index as it was.
fn rebuild(
    path: &Path,
    dir: &Path,
    schema: IndexSchema,
    options: &SyncOptions,
    progress: bool,
) -> anyhow::Result<(Index, attache::IndexSummary)> {
    let mut fresh = path.as_os_str().to_owned();
    fresh.push(".rebuild");
    let fresh = PathBuf::from(fresh);
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).with_context(|| format!("removing {}", fresh.display()))?;
    }
    let summary = {
        let index = Index::open_or_create(&fresh, schema.clone())?;
        sync(&index, dir, options, progress)?
    };
    if path.exists() {
        if !Index::exists(path) && std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some()) {
            bail!("{} is not an attache index; refusing to replace it", path.display());
        }
        std::fs::remove_dir_all(path).with_context(|| format!("removing the old index at {}", path.display()))?;
    }
    std::fs::rename(&fresh, path).with_context(|| format!("moving the new index to {}", path.display()))?;
    let index = Index::open(path, schema)?;
    Ok((index, summary))
}

fn progress_printer(enabled: bool) -> impl FnMut(&Progress) {
    let mut last_shown = std::time::Instant::now();
    let mut shown = false;
    move |p: &Progress| {
        if !enabled {
            return;
        }
        let mut err = io::stderr();
        match p {
            Progress::Indexing { done, total, .. } => {
                if last_shown.elapsed().as_millis() >= 100 || done == total {
                    let _ = write!(err, "\r\x1b[Kindexing: {done}/{total} files");
                    last_shown = std::time::Instant::now();
                    shown = true;
                }
            }
            Progress::Committing => {
                let _ = write!(err, "\r\x1b[Kcommitting…");
                shown = true;
            }
            _ => {
                if shown {
                    let _ = write!(err, "\r\x1b[K");
                    shown = false;
                }
            }
        }
    }
}

fn report_problems(summary: &attache::IndexSummary, verbose: bool) {
    for skipped in &summary.skipped {
        eprintln!("attache: skipped {skipped}");
    }
    for warning in &summary.warnings {
        eprintln!("attache: warning: {warning}");
    }
    if !summary.encodings.is_empty() {
        let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for e in &summary.encodings {
            *counts.entry(&e.encoding).or_default() += 1;
        }
        let counts: Vec<String> = counts.iter().map(|(e, n)| format!("{e} {n}")).collect();
        eprintln!(
            "attache: {} files read in other encodings than UTF-8: {}",
            summary.encodings.len(),
            counts.join(", ")
        );
    }
    if verbose {
        for e in &summary.encodings {
            eprintln!("attache: read {} as {}", e.path, e.encoding);
        }
        for ignored in &summary.ignored {
            eprintln!("attache: not read {} ({} files are not a format attache reads)", ignored.path, ignored.kind);
        }
    }
}

/// Prints an evaluation's scores: as JSON, or as their text table.
fn print_scores(scores: &(impl serde::Serialize + std::fmt::Display), json: bool) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if json {
        render::json(&mut out, scores)?;
    } else {
        write!(out, "{scores}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `eval stories`: the stories decided with the flags' options, scored against gold clusters.
fn eval_stories(args: &args::EvalStoriesArgs) -> anyhow::Result<ExitCode> {
    use attache::eval::stories;
    if !args.gold.is_empty() && args.gold.len() != args.sets.len() {
        bail!("give one --gold file per set ({} sets, {} --gold files)", args.sets.len(), args.gold.len());
    }
    let mut sets = Vec::new();
    for (i, corpus) in args.sets.iter().enumerate() {
        let gold_path = args.gold.get(i).cloned().unwrap_or_else(|| corpus.join("clusters.tsv"));
        let text = std::fs::read_to_string(&gold_path)
            .with_context(|| format!("reading gold clusters from {}", gold_path.display()))?;
        let gold = stories::parse_gold(&text, &gold_path)?;
        sets.push(stories::StorySet { corpus: corpus.clone(), gold });
    }
    let options = story_options(args)?;
    let schema = load_schema(&IndexOpts { index: None, schema: args.schema.clone(), stories: false })?;
    let evaluation = stories::run(&sets, schema, options)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.json {
        render::json(&mut out, &evaluation)?;
    } else {
        render::story_evaluation(&mut out, &evaluation)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The default story options with those given on the command line.
fn story_options(args: &args::EvalStoriesArgs) -> anyhow::Result<attache::StoryOptions> {
    use attache::stories::Link;
    let d = attache::StoryOptions::default();
    let link = match args.link.as_deref() {
        None => d.link,
        Some("max") => Link::Max,
        Some("average") => Link::Average,
        Some(other) => bail!("--link is `max` or `average`, not {other:?}"),
    };
    Ok(attache::StoryOptions {
        threshold: args.threshold.unwrap_or(d.threshold),
        margin: args.margin.unwrap_or(d.margin),
        window_days: args.window.unwrap_or(d.window_days),
        name_boost: args.name_boost.unwrap_or(d.name_boost),
        title_weight: args.title_weight.unwrap_or(d.title_weight),
        max_candidates: args.max_candidates.unwrap_or(d.max_candidates),
        query_terms: args.query_terms.unwrap_or(d.query_terms),
        sig_terms: args.sig_terms.unwrap_or(d.sig_terms),
        link,
        ..d
    })
}

fn eval_ir(args: &args::EvalIrArgs) -> anyhow::Result<ExitCode> {
    use attache::eval::compare::{Collection, CollectionComparison, Comparison};
    let candidate = ranking(&args.ranking);
    let baseline: attache::Ranking = args.baseline.parse()?;
    let opts = IndexOpts { index: None, schema: args.schema.clone(), stories: false };
    let mut collections = Vec::new();
    for path in &args.collections {
        collections.extend(Collection::discover(path)?);
    }
    let mut compared = Vec::new();
    for c in &collections {
        let qrels = attache::eval::Qrels::read(&c.qrels)
            .with_context(|| format!("reading relevance judgments from {}", c.qrels.display()))?;
        let queries = attache::eval::read_queries(&c.queries)
            .with_context(|| format!("reading queries from {}", c.queries.display()))?;
        let index = open_for_reading(&opts, Some(&c.docs))?;
        let searcher = index.searcher();
        let evaluate = |ranking| -> anyhow::Result<attache::eval::Evaluation> {
            let run = attache::eval::run(&searcher, &queries, ranking)
                .with_context(|| format!("running the queries of {}", c.queries.display()))?;
            Ok(attache::eval::evaluate(&qrels, &run))
        };
        compared.push(CollectionComparison::new(&c.name, &evaluate(baseline)?, &evaluate(candidate)?)?);
    }
    let comparison = Comparison::new(compared);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.json {
        render::json(&mut out, &comparison)?;
    } else {
        render::comparison(&mut out, &comparison, &args.baseline)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The library's ranking from the ranking flags.
fn ranking(opts: &RankingOpts) -> attache::Ranking {
    let mut r = opts.ranking;
    if opts.keep_stopwords {
        r = r.stopwords(false);
    }
    if opts.drop_stopwords {
        r = r.stopwords(true);
    }
    if let Some(k1) = opts.k1 {
        r = r.k1(k1);
    }
    if let Some(b) = opts.b {
        r = r.b(b);
    }
    if let Some(n) = opts.feedback_docs {
        r = r.feedback_docs(n);
    }
    if let Some(n) = opts.feedback_terms {
        r = r.feedback_terms(n);
    }
    if let Some(w) = opts.feedback_weight {
        r = r.feedback_weight(w);
    }
    if let Some(w) = opts.passage_weight {
        r = r.passage_weight(w);
    }
    r
}

/// `--queries FILE`: one JSON result set a line, in order.
fn batch(
    searcher: &attache::Searcher,
    file: &Path,
    args: &args::SearchArgs,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading queries from {}", file.display()))?;
    let mut any_hits = false;
    let mut any_error = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (qid, query) = match line.split_once('\t') {
            Some((qid, query)) => (qid.trim().to_string(), query),
            None => ((i + 1).to_string(), line),
        };
        let request = SearchRequest::new(query)
            .limit(args.limit)
            .passages(args.passages)
            .facets(args.facets)
            .ranking(ranking(&args.ranking))
            .explain(args.explain)
            .group(args.group);
        match searcher.search(&request) {
            Ok(results) => {
                any_hits |= results.total_hits > 0;
                render::json(out, &Batch { qid: &qid, error: None, results: Some(&results) })?;
            }
            Err(e) => {
                any_error = true;
                eprintln!("attache: {}:{}: {e}", file.display(), i + 1);
                render::json(out, &Batch { qid: &qid, error: Some(e.to_string()), results: None })?;
            }
        }
    }
    out.flush()?;
    Ok(if any_error {
        ExitCode::from(2)
    } else if any_hits {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(serde::Serialize)]
struct Batch<'a> {
    qid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    results: Option<&'a attache::SearchResults>,
}
