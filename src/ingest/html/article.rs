//! The article text of a web page: the main content without menus, scripts, styles,
//! captions, related links and footers.
//!
//! The method scores the page's blocks by evidence, as Readability and trafilatura do, in
//! three passes over the parsed tree:
//!
//! 1. **Pruning.** Elements that never hold article text are dropped with their subtree:
//!    scripts, styles, forms' controls, navigation, asides, footers, figures and captions,
//!    hidden elements; and elements whose class or id says boilerplate (`comment`, `share`,
//!    `related`, `newsletter`, `byline` …) unless it also says content (`article`, `body`).
//! 2. **Scoring.** Every paragraph-like block with enough text gives its parent a score for
//!    its commas and length, and its grandparent half of it; containers start from their
//!    tag (a `div` or `article` up, a list or heading down) and their class/id evidence.
//!    Each candidate's score is discounted by its link density (share of its text inside
//!    links), and the best one is the article's container.
//! 3. **Gathering.** The container's siblings join when they score well against it or read
//!    like prose; then the text of the chosen subtrees is written block by block, leaving out
//!    blocks that are mostly links (related stories), the headline, and short lines that are
//!    bylines or datelines of the page, not the article.

use std::collections::HashMap;

use ego_tree::{NodeId, NodeRef};
use scraper::Node;

/// Tags whose subtree never holds article text.
const DROP_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "button",
    "input",
    "select",
    "textarea",
    "option",
    "label",
    "nav",
    "aside",
    "footer",
    "figure",
    "figcaption",
    "picture",
    "video",
    "audio",
    "map",
    "dialog",
    "menu",
    "head",
    "title",
    "meta",
    "link",
    "img",
    "source",
    "fieldset",
];

/// Block-level tags: text on either side of them is a separate block.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "hr",
    "address",
    "body",
    "html",
    "center",
    "form",
    "details",
    "summary",
];

/// Class/id words of elements that are not article text (unless [`MAYBE`] words are there too).
const UNLIKELY: &[&str] = &[
    "comment",
    "comments",
    "disqus",
    "share",
    "sharing",
    "social",
    "related",
    "recommended",
    "newsletter",
    "subscribe",
    "signup",
    "sign-up",
    "promo",
    "sponsor",
    "sponsored",
    "advert",
    "ad",
    "ads",
    "adslot",
    "banner",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "pagination",
    "pager",
    "popup",
    "modal",
    "cookie",
    "gdpr",
    "consent",
    "caption",
    "byline",
    "timestamp",
    "dateline",
    "toolbar",
    "outbrain",
    "taboola",
    "recirc",
    "trending",
    "most-popular",
    "mostpopular",
    "most-read",
    "mostread",
    "masthead",
    "menu",
    "navbar",
    "footer",
    "skip-link",
    "visually-hidden",
    "sr-only",
    "tag-list",
    "shoutbox",
    "skyscraper",
    "supplemental",
    "legends",
    "remark",
    "replies",
    "community",
    "also-read",
    "read-more",
    "readmore",
    "more-stories",
    "paywall",
    "slideshow",
    "carousel",
    "advertisement",
    "nav",
    "navigation",
    "header",
];

/// Class/id words that keep an element despite an [`UNLIKELY`] word.
const MAYBE: &[&str] = &["article", "body", "content", "story", "main", "entry", "post", "text"];

/// Class/id words against an element as the article's container.
const NEGATIVE: &[&str] = &[
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "foot",
    "footnote",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "teaser",
    "card",
    "list",
    "nav",
    "header",
];

/// Class/id words for an element as the article's container.
const POSITIVE: &[&str] =
    &["article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story"];

/// Shortest block that counts as a paragraph when scoring.
const MIN_PARAGRAPH_CHARS: usize = 25;

/// What the text below an element holds.
#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    /// Characters of text, whitespace runs counted as one.
    chars: usize,
    /// Of which inside links.
    link_chars: usize,
    /// Commas.
    commas: usize,
}

impl Stats {
    fn link_density(&self) -> f64 {
        if self.chars == 0 { 0.0 } else { self.link_chars as f64 / self.chars as f64 }
    }

    fn add(&mut self, other: Stats) {
        self.chars += other.chars;
        self.link_chars += other.link_chars;
        self.commas += other.commas;
    }
}

/// The article text of the page under `root`, blocks separated by blank lines.
///
/// As Readability does, a result shorter than 500 characters is tried again without the
/// class/id pruning (sites name their article's wrappers in ways that look like boilerplate),
/// and kept when it is more than twice as long (a little more text is boilerplate let in).
pub fn article_text(root: NodeRef<'_, Node>) -> String {
    let strict = extract(root, true);
    if strict.chars().count() >= RETRY_CHARS {
        return strict;
    }
    let loose = extract(root, false);
    if loose.chars().count() > 2 * strict.chars().count() { loose } else { strict }
}

/// Article text shorter than this is extracted again with less pruning.
const RETRY_CHARS: usize = 500;

fn extract(root: NodeRef<'_, Node>, strip_unlikely: bool) -> String {
    let mut page = Page { dropped: HashMap::new(), stats: HashMap::new(), strip_unlikely };
    page.prune(root);
    page.count(root, false);
    let Some(top) = page.best_candidate(root) else { return String::new() };
    let chosen = page.gather(top);
    let mut out = Blocks::default();
    for node in chosen {
        page.write(node, &mut out, false);
    }
    out.finish()
}

/// All readable text under `root` (pruned as for the article), blocks separated by blank lines.
pub fn all_text(root: NodeRef<'_, Node>) -> String {
    let mut page = Page { dropped: HashMap::new(), stats: HashMap::new(), strip_unlikely: true };
    page.prune(root);
    page.count(root, false);
    let mut out = Blocks::default();
    page.write(root, &mut out, false);
    out.finish()
}

struct Page {
    /// Elements dropped in the pruning pass.
    dropped: HashMap<NodeId, ()>,
    /// Text statistics of every element kept.
    stats: HashMap<NodeId, Stats>,
    /// Whether class/id words of boilerplate drop elements.
    strip_unlikely: bool,
}

fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    node.value().as_element().map(|e| e.name())
}

/// `class` and `id` of an element as lower-case words between spaces (` page builder row `):
/// split at anything not a letter or digit and at camelCase humps, so that `pageRow` holds
/// no `pager` and `ArticleBody` holds `article` and `body`.
fn class_and_id(node: &NodeRef<'_, Node>) -> String {
    let Some(el) = node.value().as_element() else { return String::new() };
    let mut s = String::from(" ");
    for value in [el.attr("class"), el.attr("id")].into_iter().flatten() {
        let mut prev_lower = false;
        for c in value.chars() {
            if c.is_alphanumeric() {
                if c.is_uppercase() && prev_lower && !s.ends_with(' ') {
                    s.push(' ');
                }
                prev_lower = c.is_lowercase() || c.is_ascii_digit();
                s.extend(c.to_lowercase());
            } else {
                prev_lower = false;
                if !s.ends_with(' ') {
                    s.push(' ');
                }
            }
        }
        if !s.ends_with(' ') {
            s.push(' ');
        }
    }
    s
}

/// Whether the words of `haystack` ([`class_and_id`]) hold one of `words` (themselves words
/// between hyphens, `most-read`), or its plural.
fn has_word(haystack: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        let w = w.replace('-', " ");
        haystack.contains(&format!(" {w} ")) || haystack.contains(&format!(" {w}s "))
    })
}

/// Whether the element is hidden from readers.
fn is_hidden(node: &NodeRef<'_, Node>) -> bool {
    let Some(el) = node.value().as_element() else { return false };
    if el.attr("hidden").is_some() || el.attr("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return true;
    }
    el.attr("style").is_some_and(|style| {
        let style: String = style.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

fn collapse_len(text: &str, prev_space: &mut bool) -> usize {
    let mut n = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            if !*prev_space {
                n += 1;
                *prev_space = true;
            }
        } else {
            n += 1;
            *prev_space = false;
        }
    }
    n
}

impl Page {
    fn is_dropped(&self, node: &NodeRef<'_, Node>) -> bool {
        self.dropped.contains_key(&node.id())
    }

    /// Pass 1: marks the elements that are not article text.
    fn prune(&mut self, node: NodeRef<'_, Node>) {
        for child in node.children() {
            let Some(name) = element_name(&child) else { continue };
            let words = class_and_id(&child);
            let structural = matches!(name, "html" | "body" | "article" | "main");
            let drop = DROP_TAGS.contains(&name)
                || is_hidden(&child)
                || (self.strip_unlikely
                    && !structural
                    && has_word(&words, UNLIKELY)
                    && !has_word(&words, MAYBE)
                    && child.value().as_element().and_then(|e| e.attr("itemprop")) != Some("articleBody"))
                || child.value().as_element().and_then(|e| e.attr("role")).is_some_and(|role| {
                    matches!(role, "navigation" | "complementary" | "contentinfo" | "banner" | "menu" | "dialog")
                });
            if drop {
                self.dropped.insert(child.id(), ());
            } else {
                self.prune(child);
            }
        }
    }

    /// Pass 2: text statistics of every kept element (post-order), returned for `node`.
    fn count(&mut self, node: NodeRef<'_, Node>, in_link: bool) -> Stats {
        let mut stats = Stats::default();
        let mut prev_space = true;
        for child in node.children() {
            match child.value() {
                Node::Text(text) => {
                    let n = collapse_len(text, &mut prev_space);
                    stats.chars += n;
                    if in_link {
                        stats.link_chars += n;
                    }
                    stats.commas += text.chars().filter(|&c| c == ',' || c == '，' || c == '،').count();
                }
                Node::Element(el) if !self.is_dropped(&child) => {
                    let link = in_link || el.name() == "a";
                    let child_stats = self.count(child, link);
                    stats.add(child_stats);
                    prev_space = true;
                }
                _ => {}
            }
        }
        self.stats.insert(node.id(), stats);
        stats
    }

    fn stats_of(&self, node: &NodeRef<'_, Node>) -> Stats {
        self.stats.get(&node.id()).copied().unwrap_or_default()
    }

    /// Pass 2b: scores paragraphs into their ancestors and picks the best container.
    fn best_candidate<'a>(&self, root: NodeRef<'a, Node>) -> Option<NodeRef<'a, Node>> {
        let mut scores: HashMap<NodeId, f64> = HashMap::new();
        let mut nodes: HashMap<NodeId, NodeRef<'a, Node>> = HashMap::new();
        for node in root.descendants() {
            let Some(name) = element_name(&node) else { continue };
            if !matches!(name, "p" | "pre" | "td" | "blockquote" | "li" | "div" | "section" | "dd") {
                continue;
            }
            if self.ancestors_dropped(node) {
                continue;
            }
            // A div counts as a paragraph only when it holds text of its own, not blocks.
            if matches!(name, "div" | "section" | "li" | "td" | "dd") && !self.has_own_text(node) {
                continue;
            }
            let stats = self.own_paragraph_stats(node);
            if stats.chars < MIN_PARAGRAPH_CHARS {
                continue;
            }
            let score = 1.0 + stats.commas as f64 + (stats.chars as f64 / 100.0).floor().min(3.0);
            let score = score * (1.0 - stats.link_density());
            let mut level = 0;
            let mut ancestor = node.parent();
            while let Some(a) = ancestor {
                if a.value().as_element().is_none() || level >= 3 {
                    break;
                }
                let divider = match level {
                    0 => 1.0,
                    1 => 2.0,
                    _ => level as f64 * 3.0,
                };
                let entry = scores.entry(a.id()).or_insert_with(|| self.initial_score(&a));
                *entry += score / divider;
                nodes.insert(a.id(), a);
                level += 1;
                ancestor = a.parent();
            }
        }
        let mut best: Option<(f64, NodeRef<'a, Node>)> = None;
        for (id, score) in &scores {
            let Some(node) = nodes.get(id) else { continue };
            let stats = self.stats_of(node);
            let adjusted = score * (1.0 - stats.link_density());
            if best.as_ref().is_none_or(|(b, _)| adjusted > *b) {
                best = Some((adjusted, *node));
            }
        }
        let (best_score, mut top) = best?;
        // A container holding only the candidate and little else: the candidate's parent is
        // the article when it scores nearly as well (Readability's climb).
        while let Some(parent) = top.parent() {
            if element_name(&parent).is_none_or(|n| matches!(n, "body" | "html")) {
                break;
            }
            let parent_score = scores.get(&parent.id()).copied().unwrap_or(0.0);
            let (ps, ts) = (self.stats_of(&parent), self.stats_of(&top));
            let only_child = ps.chars.saturating_sub(ts.chars) * 10 < ts.chars;
            if only_child || parent_score * (1.0 - ps.link_density()) >= best_score * 0.9 {
                top = parent;
            } else {
                break;
            }
        }
        Some(top)
    }

    fn ancestors_dropped(&self, node: NodeRef<'_, Node>) -> bool {
        node.ancestors().any(|a| self.is_dropped(&a)) || self.is_dropped(&node)
    }

    /// Whether `node` holds non-blank text directly.
    fn has_own_text(&self, node: NodeRef<'_, Node>) -> bool {
        node.children().any(|c| match c.value() {
            Node::Text(t) => t.trim().len() >= MIN_PARAGRAPH_CHARS,
            Node::Element(el) => {
                !self.is_dropped(&c) && !BLOCK_TAGS.contains(&el.name()) && self.stats_of(&c).chars > 0
            }
            _ => false,
        })
    }

    /// Statistics of a paragraph's own text (for a div: without its block children).
    fn own_paragraph_stats(&self, node: NodeRef<'_, Node>) -> Stats {
        if matches!(element_name(&node), Some("p" | "pre" | "blockquote")) {
            return self.stats_of(&node);
        }
        let mut stats = Stats::default();
        let mut prev_space = true;
        for c in node.children() {
            match c.value() {
                Node::Text(t) => {
                    stats.chars += collapse_len(t, &mut prev_space);
                    stats.commas += t.chars().filter(|&ch| ch == ',').count();
                }
                Node::Element(el) if !self.is_dropped(&c) && !BLOCK_TAGS.contains(&el.name()) => {
                    stats.add(self.stats_of(&c));
                }
                _ => {}
            }
        }
        stats
    }

    /// A container's score before its paragraphs: by tag and class/id.
    fn initial_score(&self, node: &NodeRef<'_, Node>) -> f64 {
        let tag = match element_name(node) {
            Some("article") => 10.0,
            Some("div" | "main" | "section") => 5.0,
            Some("pre" | "td" | "blockquote") => 3.0,
            Some("address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form") => -3.0,
            Some("h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th") => -5.0,
            _ => 0.0,
        };
        let words = class_and_id(node);
        let mut weight = 0.0;
        if has_word(&words, NEGATIVE) {
            weight -= 25.0;
        }
        if has_word(&words, POSITIVE) {
            weight += 25.0;
        }
        if node.value().as_element().and_then(|e| e.attr("itemprop")) == Some("articleBody") {
            weight += 50.0;
        }
        tag + weight
    }

    /// Pass 3: the container and those of its siblings that belong to the article.
    fn gather<'a>(&self, top: NodeRef<'a, Node>) -> Vec<NodeRef<'a, Node>> {
        let Some(parent) = top.parent() else { return vec![top] };
        let top_stats = self.stats_of(&top);
        let threshold = (top_stats.chars as f64 * 0.2).max(200.0);
        let mut out = Vec::new();
        for sibling in parent.children() {
            if sibling.id() == top.id() {
                out.push(sibling);
                continue;
            }
            let Some(name) = element_name(&sibling) else { continue };
            if self.is_dropped(&sibling) {
                continue;
            }
            let stats = self.stats_of(&sibling);
            let prose = name == "p" && stats.chars > 80 && stats.link_density() < 0.25;
            let related = class_and_id(&sibling);
            let same_kind = related == class_and_id(&top) && !related.is_empty();
            if prose || (stats.chars as f64 >= threshold && stats.link_density() < 0.2 && same_kind) {
                out.push(sibling);
            }
        }
        out
    }

    /// Writes the text of `node`'s subtree into `out`, block by block.
    fn write(&self, node: NodeRef<'_, Node>, out: &mut Blocks, in_pre: bool) {
        match node.value() {
            Node::Text(text) => out.push_text(text, in_pre),
            Node::Element(el) => {
                if self.is_dropped(&node) {
                    return;
                }
                let name = el.name();
                if name == "h1" {
                    // The headline is the title, not the body.
                    return;
                }
                let block = BLOCK_TAGS.contains(&name);
                if block {
                    let stats = self.stats_of(&node);
                    // Lists and boxes of links: related stories, tags, menus missed by name.
                    if matches!(name, "ul" | "ol" | "div" | "section" | "table" | "dl" | "p" | "li")
                        && stats.link_density() > 0.5
                        && stats.chars < 1000
                    {
                        return;
                    }
                    out.break_block();
                }
                let pre = in_pre || name == "pre";
                for child in node.children() {
                    self.write(child, out, pre);
                }
                if block {
                    out.break_block();
                }
            }
            _ => {}
        }
    }
}

/// Text written block by block, whitespace collapsed within blocks.
#[derive(Default)]
struct Blocks {
    blocks: Vec<String>,
    current: String,
}

impl Blocks {
    fn push_text(&mut self, text: &str, in_pre: bool) {
        for c in text.chars() {
            if in_pre && c == '\n' {
                self.current.push('\n');
            } else if c.is_whitespace() {
                if !self.current.is_empty() && !self.current.ends_with([' ', '\n']) {
                    self.current.push(' ');
                }
            } else {
                self.current.push(c);
            }
        }
    }

    fn break_block(&mut self) {
        let block = self.current.trim();
        if !block.is_empty() {
            self.blocks.push(block.to_string());
        }
        self.current.clear();
    }

    fn finish(mut self) -> String {
        self.break_block();
        // The same block twice (a pull quote, a teaser repeated) is kept once.
        let mut seen = std::collections::HashSet::new();
        self.blocks.retain(|b| b.chars().count() < 40 || seen.insert(b.clone()));
        self.blocks.join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        let doc = scraper::Html::parse_document(html);
        article_text(doc.tree.root())
    }

    #[test]
    fn menus_scripts_and_related_links_are_left_out() {
        let body =
            "The foreign ministers met in Geneva on Tuesday, their first talks in a year, and agreed to meet again. ";
        let page = format!(
            r#"<html><body>
            <nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
            <div class="menu"><a href="/a">Politics</a> <a href="/b">Business</a></div>
            <script>var tracking = "Putin";</script><style>p {{ color: red }}</style>
            <article><h1>Ministers meet</h1>
              <p class="byline">By A. Writer</p>
              <p>{body}</p><figure><img src="x.jpg"><figcaption>A photo caption here.</figcaption></figure>
              <p>{body}</p><p>Officials said, after the meeting, that a statement would follow, in writing.</p>
              <ul class="related"><li><a href="/x">Other story one</a></li><li><a href="/y">Other story two</a></li></ul>
            </article>
            <footer>Copyright 2025 The Paper</footer></body></html>"#
        );
        let got = text(&page);
        assert!(got.contains("first talks in a year"), "{got}");
        assert!(got.contains("a statement would follow"), "{got}");
        for absent in [
            "Home",
            "Politics",
            "tracking",
            "color",
            "Ministers meet",
            "caption",
            "Other story",
            "Copyright",
            "By A. Writer",
        ] {
            assert!(!got.contains(absent), "{absent:?} in {got}");
        }
    }

    #[test]
    fn a_page_without_paragraphs_gives_no_text() {
        assert_eq!(text("<html><body><a href='/'>Home</a></body></html>"), "");
        assert_eq!(text(""), "");
    }
}
