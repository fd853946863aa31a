//! Renderers: terminal text (optionally coloured), JSON and HTML. Markup is added only here;
//! the library gives byte ranges.

use std::io::{self, Write};

use attache::{Hit, Passage, SearchResults};

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const MATCH: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Writes results as readable text.
pub fn text(out: &mut impl Write, results: &SearchResults, color: bool) -> io::Result<()> {
    let paint = |code: &'static str| if color { code } else { "" };
    if results.total_hits == 0 {
        writeln!(out, "no matches for {:?}", results.query)?;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let title = hit.title.as_deref().unwrap_or(&hit.id);
        writeln!(out, "{}{}. {}{}", paint(BOLD), rank + 1, one_line(title), paint(RESET))?;
        let meta: Vec<&str> =
            [hit.source.as_deref(), hit.author.as_deref(), hit.date.as_deref(), Some(hit.id.as_str())]
                .into_iter()
                .flatten()
                .collect();
        writeln!(out, "   {}{} · score {:.2}{}", paint(DIM), meta.join(" · "), hit.score, paint(RESET))?;
        let tags = tags_line(hit);
        if !tags.is_empty() {
            writeln!(out, "   {}{}{}", paint(DIM), tags, paint(RESET))?;
        }
        for passage in &hit.passages {
            write!(out, "   │ ")?;
            write_passage(out, passage, paint(MATCH), paint(RESET))?;
            writeln!(out)?;
        }
        if !hit.also.is_empty() {
            writeln!(out, "   also reported by:")?;
        }
        for other in &hit.also {
            let meta: Vec<&str> = [other.source.as_deref(), other.date.as_deref(), Some(other.id.as_str())]
                .into_iter()
                .flatten()
                .collect();
            let title = other.title.as_deref().map(one_line).unwrap_or_default();
            writeln!(out, "   {}· {}{} {}", paint(DIM), meta.join(" · "), paint(RESET), title)?;
            for passage in other.passages.iter().take(1) {
                write!(out, "     │ ")?;
                write_passage(out, passage, paint(MATCH), paint(RESET))?;
                writeln!(out)?;
            }
        }
        writeln!(out)?;
    }
    if results.total_hits > 0 {
        let shown: usize = results.hits.iter().map(|h| 1 + h.also.len()).sum();
        if shown == results.hits.len() {
            writeln!(out, "{} of {} matching articles", results.hits.len(), results.total_hits)?;
        } else {
            writeln!(
                out,
                "{} stories ({} articles) of {} matching articles",
                results.hits.len(),
                shown,
                results.total_hits
            )?;
        }
    }
    if !results.facets.leaders.is_empty() || !results.facets.topics.is_empty() {
        for (label, counts) in [
            ("leaders", &results.facets.leaders),
            ("topics", &results.facets.topics),
            ("places", &results.facets.places),
            ("orgs", &results.facets.orgs),
            ("people", &results.facets.people),
        ] {
            let mut counts: Vec<(&String, &u64)> = counts.iter().collect();
            counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = counts.iter().take(12).map(|(n, c)| format!("{n} ({c})")).collect();
            if !shown.is_empty() {
                writeln!(out, "{label}: {}", shown.join(", "))?;
            }
        }
    }
    Ok(())
}

fn tags_line(hit: &Hit) -> String {
    let mut parts = Vec::new();
    if !hit.leaders.is_empty() {
        parts.push(format!("leaders: {}", hit.leaders.join(", ")));
    }
    if !hit.topics.is_empty() {
        parts.push(format!("topics: {}", hit.topics.join(", ")));
    }
    parts.join(" · ")
}

/// Collapses line breaks and runs of white space, for one-line display.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The passage's pieces: (text, is_match), in order.
fn pieces(passage: &Passage) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut at = passage.start;
    let slice = |from: usize, to: usize| passage.text.get(from - passage.start..to - passage.start).unwrap_or("");
    for h in &passage.highlights {
        if h.start < at || h.end > passage.end {
            continue;
        }
        out.push((slice(at, h.start), false));
        out.push((slice(h.start, h.end), true));
        at = h.end;
    }
    out.push((slice(at, passage.end), false));
    out
}

fn write_passage(out: &mut impl Write, passage: &Passage, on: &str, off: &str) -> io::Result<()> {
    for (piece, is_match) in pieces(passage) {
        let mut text = piece.replace(['\n', '\r', '\t'], " ");
        // Control characters from documents never reach the terminal.
        text.retain(|c| !c.is_control());
        if is_match {
            write!(out, "{on}{text}{off}")?;
        } else {
            write!(out, "{text}")?;
        }
    }
    Ok(())
}

/// Writes each hit's explanation (`--explain`) after the text results.
pub fn explain(out: &mut impl Write, results: &SearchResults) -> io::Result<()> {
    for (rank, hit) in results.hits.iter().enumerate() {
        let Some(e) = &hit.explain else { continue };
        writeln!(out, "explain {}. {} · score {:.4}", rank + 1, hit.id, hit.score)?;
        writeln!(out, "   retrieval (tantivy BM25): {:.4}", e.retrieval)?;
        match (e.document, e.best_passage, e.passage_weight) {
            (Some(d), Some(p), Some(l)) => {
                writeln!(out, "   = (1 - {l}) × document {d:.4} + {l} × best passage {p:.4}")?
            }
            (Some(d), None, Some(l)) => writeln!(out, "   = (1 - {l}) × document {d:.4} (below the passage depth)")?,
            _ => writeln!(out, "   not re-ranked: the retrieval score stands")?,
        }
        for t in &e.terms {
            let origin = if t.is_expansion { " (feedback)" } else { "" };
            writeln!(out, "   {:>8.4}  {} in {} · weight {:.3}{}", t.score, t.term, t.field, t.weight, origin)?;
        }
        for (i, p) in hit.passages.iter().enumerate() {
            writeln!(out, "   passage {} [{}..{}] score {:.4}", i + 1, p.start, p.end, p.score)?;
        }
    }
    Ok(())
}

/// Writes an evaluation as a table: one line per query (unless `summary`), then the means.
pub fn evaluation(out: &mut impl Write, e: &attache::eval::Evaluation, summary: bool) -> io::Result<()> {
    writeln!(out, "{:<8} {:>8} {:>8} {:>10} {:>5}", "qid", "nDCG@10", "AP@100", "Recall@100", "rel")?;
    if !summary {
        for q in &e.queries {
            writeln!(
                out,
                "{:<8} {:>8.4} {:>8.4} {:>10.4} {:>5}",
                q.qid, q.ndcg_at_10, q.average_precision, q.recall_at_100, q.num_relevant
            )?;
        }
    }
    writeln!(
        out,
        "{:<8} {:>8.4} {:>8.4} {:>10.4} {:>5}",
        format!("mean/{}", e.queries.len()),
        e.ndcg_at_10,
        e.map,
        e.recall_at_100,
        ""
    )
}

/// Writes a ranking's comparison with a baseline over collections as a table.
pub fn comparison(out: &mut impl Write, c: &attache::eval::compare::Comparison, baseline: &str) -> io::Result<()> {
    use attache::eval::compare::{MeasureComparison, MeasureSummary};
    use attache::eval::significance::{RANDOMISATION_SAMPLES, SIGNIFICANCE_LEVEL};
    writeln!(out, "baseline: {baseline}; Δ: this ranking − baseline")?;
    writeln!(
        out,
        "p: two-sided paired randomisation test, {RANDOMISATION_SAMPLES} sign flips; * p < {SIGNIFICANCE_LEVEL}; \
         +/−: queries better/worse by nDCG@10"
    )?;
    let cell = |m: &MeasureComparison| {
        let mark = if m.test.is_significant() { '*' } else { ' ' };
        let p = if m.test.p_value < 0.001 { "<.001".to_string() } else { format!("{:.3}", m.test.p_value) };
        format!("{:>6.4} {:>6.4} {:>+7.4}{mark}{p:>5}", m.baseline, m.candidate, m.difference())
    };
    let total =
        |s: &MeasureSummary| format!("{:>6.4} {:>6.4} {:>+7.4}{:>6}", s.baseline, s.candidate, s.difference(), "");
    let group = |name: &str| format!("{name:^27}");
    writeln!(out, "{:<14}{:>5}  {}  {}  {}", "", "", group("nDCG@10"), group("MAP"), group("R@100"))?;
    let head = format!("{:>6} {:>6} {:>7} {:>5}", "base", "this", "Δ", "p");
    writeln!(out, "{:<14}{:>5}  {head}  {head}  {head}  {:>8}", "collection", "qs", "+/−")?;
    for col in &c.collections {
        let tally = format!("{}/{}", col.ndcg_at_10.test.num_better, col.ndcg_at_10.test.num_worse);
        writeln!(
            out,
            "{:<14}{:>5}  {}  {}  {}  {tally:>8}",
            col.name,
            col.num_queries,
            cell(&col.ndcg_at_10),
            cell(&col.map),
            cell(&col.recall_at_100)
        )?;
    }
    writeln!(out, "{:<14}{:>5}  {}  {}  {}", "mean", "", total(&c.ndcg_at_10), total(&c.map), total(&c.recall_at_100))?;
    for (name, s) in [("nDCG@10", &c.ndcg_at_10), ("MAP", &c.map), ("R@100", &c.recall_at_100)] {
        writeln!(
            out,
            "{name:<8} won on {} collections ({} significantly), lost on {} ({} significantly)",
            s.num_wins, s.num_significant_wins, s.num_losses, s.num_significant_losses
        )?;
    }
    writeln!(
        out,
        "rule for a default (higher mean nDCG@10 and MAP, no significant loss): {}",
        if c.passes() { "passes" } else { "fails" }
    )
}

/// Writes results as one JSON object and a newline.
pub fn json(out: &mut impl Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            c => s.push(c),
        }
    }
    s
}

/// Writes results as an HTML fragment: every byte of document text escaped, matches in `<mark>`.
pub fn html(out: &mut impl Write, results: &SearchResults) -> io::Result<()> {
    writeln!(out, "<section class=\"attache-results\" data-total-hits=\"{}\">", results.total_hits)?;
    for hit in &results.hits {
        writeln!(out, "<article data-id=\"{}\">", escape_html(&hit.id))?;
        writeln!(out, "<h2>{}</h2>", escape_html(hit.title.as_deref().unwrap_or(&hit.id)))?;
        let meta: Vec<String> = [hit.source.as_deref(), hit.author.as_deref(), hit.date.as_deref()]
            .into_iter()
            .flatten()
            .map(escape_html)
            .collect();
        writeln!(out, "<p class=\"meta\">{}</p>", meta.join(" · "))?;
        for passage in &hit.passages {
            write!(out, "<p class=\"passage\">")?;
            for (piece, is_match) in pieces(passage) {
                if is_match {
                    write!(out, "<mark>{}</mark>", escape_html(piece))?;
                } else {
                    write!(out, "{}", escape_html(piece))?;
                }
            }
            writeln!(out, "</p>")?;
        }
        writeln!(out, "</article>")?;
    }
    writeln!(out, "</section>")
}

/// `attache eval stories`: one line per set and one for all together.
pub fn story_evaluation(out: &mut impl Write, e: &attache::eval::stories::StoryEvaluation) -> io::Result<()> {
    writeln!(
        out,
        "{:<40} {:>5} {:>5} {:>6}  {:>6} {:>6} {:>6}  {:>6} {:>6} {:>6}",
        "set", "docs", "gold", "story", "B3 P", "B3 R", "B3 F1", "pw P", "pw R", "pw F1"
    )?;
    let all = ("all".to_string(), e.all);
    for (name, s) in e.sets.iter().chain(std::iter::once(&all).filter(|_| e.sets.len() > 1)) {
        writeln!(
            out,
            "{:<40} {:>5} {:>5} {:>6}  {:>6.3} {:>6.3} {:>6.3}  {:>6.3} {:>6.3} {:>6.3}",
            name,
            s.num_docs,
            s.num_clusters,
            s.num_stories,
            s.bcubed_precision,
            s.bcubed_recall,
            s.bcubed_f1,
            s.pairwise_precision,
            s.pairwise_recall,
            s.pairwise_f1
        )?;
    }
    writeln!(out, "{} reports indexed; options {:?}", e.num_reports, e.options)
}

/// `attache stories`: one block per story.
pub fn stories(out: &mut impl Write, stories: &[attache::stories::Story]) -> io::Result<()> {
    if stories.is_empty() {
        writeln!(out, "no stories")?;
    }
    for story in stories {
        let title = story.title.as_deref().map(one_line).unwrap_or_else(|| story.id.clone());
        writeln!(out, "{title}")?;
        let days = match (&story.first_date, &story.last_date) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => "undated".to_string(),
        };
        let reports = if story.size == 1 { "1 report".to_string() } else { format!("{} reports", story.size) };
        writeln!(out, "   story:{} · {reports} · {days}", story.id)?;
        if !story.outlets.is_empty() {
            writeln!(out, "   outlets: {}", story.outlets.join(", "))?;
        }
        if !story.leaders.is_empty() {
            writeln!(out, "   leaders: {}", story.leaders.join(", "))?;
        }
        if !story.topics.is_empty() {
            writeln!(out, "   topics: {}", story.topics.join(", "))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// A text cell of a CSV row, kept from being read as a formula: spreadsheets run a cell that
/// starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one), and report
/// text comes from any file or web page (`=HYPERLINK(…)` in a title). Such a cell gets a
/// leading `'`, which spreadsheets show as text; every other cell is written as it is.
fn cell(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text }
}

/// Writes `row` through [`cell`], every cell but those named in `numbers`.
fn write_row<const N: usize>(w: &mut csv::Writer<impl Write>, row: [String; N], numbers: &[usize]) -> csv::Result<()> {
    let row = row.into_iter().enumerate().map(|(i, c)| if numbers.contains(&i) { c } else { cell(c) });
    w.write_record(row)
}

/// Writes results as CSV (the csv crate quotes as RFC 4180 says): a header row, then one row
/// per hit with its best passage on one line. Text that a spreadsheet would run as a formula
/// is written with a leading `'` ([`cell`]).
pub fn csv(out: &mut impl Write, results: &SearchResults) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let header =
        ["id", "path", "title", "author", "source", "date", "score", "leaders", "topics", "people", "story", "passage"];
    w.write_record(header).map_err(io::Error::other)?;
    for hit in &results.hits {
        let passage = hit.passages.first().map(|p| one_line(&p.text)).unwrap_or_default();
        let row = [
            hit.id.clone(),
            hit.path.clone(),
            hit.title.as_deref().map(one_line).unwrap_or_default(),
            hit.author.clone().unwrap_or_default(),
            hit.source.clone().unwrap_or_default(),
            hit.date.clone().unwrap_or_default(),
            format!("{:.4}", hit.score),
            hit.leaders.join("; "),
            hit.topics.join("; "),
            hit.people.join("; "),
            hit.story.clone().unwrap_or_default(),
            passage,
        ];
        // The score (column 6) is a number, and stays one.
        write_row(&mut w, row, &[6]).map_err(io::Error::other)?;
    }
    w.flush()
}

/// Writes every article of an index as CSV: a header row, then one row per article, text
/// guarded as in [`csv`].
pub fn csv_articles(
    out: &mut impl Write,
    articles: impl Iterator<Item = attache::Result<attache::Article>>,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "path",
        "title",
        "author",
        "source",
        "date",
        "url",
        "language",
        "leaders",
        "topics",
        "places",
        "orgs",
        "people",
        "story",
        "duplicates",
        "body",
    ])?;
    for article in articles {
        let a = article?;
        let r = &a.report;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let row = [
            r.id.clone(),
            r.path.clone(),
            opt(&r.title),
            opt(&r.author),
            opt(&r.source),
            opt(&r.date),
            opt(&r.url),
            opt(&r.language),
            a.leaders.join("; "),
            a.topics.join("; "),
            a.places.join("; "),
            a.orgs.join("; "),
            a.people.join("; "),
            opt(&a.story),
            a.duplicates.join("; "),
            r.body.clone(),
        ];
        write_row(&mut w, row, &[])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use attache::Highlight;

    #[test]
    fn csv_cells_a_spreadsheet_would_run_are_text() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")".into()), "'=HYPERLINK(\"http://x\")");
        for risky in ["+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(cell(risky.into()).starts_with('\''), "{risky:?}");
        }
        for plain in ["Putin and Trump", "", "2025-03-18", "'quoted'"] {
            assert_eq!(cell(plain.into()), plain);
        }
    }

    #[test]
    fn html_escapes_document_text() {
        let passage = Passage {
            score: 1.0,
            start: 10,
            end: 40,
            text: "<script>x</script> & Iran \"'".to_string() + "  ",
            highlights: vec![Highlight { start: 31, end: 35 }],
        };
        let pieces = pieces(&passage);
        assert_eq!(pieces[1], ("Iran", true));
        assert_eq!(escape_html("<img onerror=\"x\">"), "&lt;img onerror=&quot;x&quot;&gt;");
    }

    /// The only markup `html` writes; everything else must arrive escaped.
    const OUR_TAGS: [&str; 10] = [
        "<section class=\"attache-results\"",
        "</section>",
        "<article data-id=\"",
        "</article>",
        "<h2>",
        "</h2>",
        "<p class=\"meta\">",
        "<p class=\"passage\">",
        "</p>",
        "<mark>",
    ];

    /// Whether every `<` of `html` opens one of our tags and every `&` an entity we write.
    fn only_our_markup(html: &str) -> bool {
        html.match_indices('<')
            .all(|(i, _)| OUR_TAGS.iter().chain(["</mark>"].iter()).any(|t| html[i..].starts_with(t)))
            && html
                .match_indices('&')
                .all(|(i, _)| ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|e| html[i..].starts_with(e)))
    }

    fn doc_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("<script>alert(1)</script>".to_string()),
            Just("<mark>".to_string()),
            Just("</p><p class=\"passage\">".to_string()),
            Just("&amp;".to_string()),
            Just("&".to_string()),
            Just("\"'>".to_string()),
            Just("Iran ".to_string()),
            Just("Erdoğan 🇺🇦 ".to_string()),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever the document says, in any field or passage, with highlights anywhere on
        /// char boundaries, the HTML holds no markup but ours.
        #[test]
        fn html_output_never_contains_document_markup_unescaped(
            text in doc_text(),
            title in doc_text(),
            meta in doc_text(),
            cuts in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let start = 7;
            let mut bounds: Vec<usize> = cuts
                .iter()
                .map(|c| c % (text.len() + 1))
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            bounds.sort_unstable();
            bounds.dedup();
            let highlights = bounds
                .chunks_exact(2)
                .filter(|p| p[0] < p[1])
                .map(|p| Highlight { start: start + p[0], end: start + p[1] })
                .collect();
            let passage = Passage { score: 1.0, start, end: start + text.len(), text: text.clone(), highlights };
            let hit = Hit {
                id: meta.clone(),
                path: meta.clone(),
                score: 1.0,
                title: Some(title),
                author: Some(meta.clone()),
                source: Some(meta.clone()),
                date: Some(meta.clone()),
                url: None,
                leaders: vec![meta.clone()],
                topics: vec![meta],
                places: Vec::new(),
                orgs: Vec::new(),
                story: None,
                people: Vec::new(),
                passages: vec![passage],
                explain: None,
                also: Vec::new(),
            };
            let results = SearchResults { query: text, total_hits: 1, hits: vec![hit], facets: Default::default() };
            let mut out = Vec::new();
            html(&mut out, &results).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let out = String::from_utf8(out).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert!(only_our_markup(&out), "{}", out);
        }
    }
}
