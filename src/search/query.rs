//! The user's query syntax, parsed into a [`Node`] tree with source columns.
//!
//! ```text
//! query   := or
//! or      := and ( "OR" and )*
//! and     := unary ( ["AND"] unary )*
//! unary   := ("NOT" | "-" | "+") unary | "(" or ")" | clause
//! clause  := [field ":"] ( word | word* | word~N | "phrase"[~N] | "(" or ")" | range )
//! range   := "[" day "TO" day "]"      (`*` for an open end; `{ }` exclude the ends)
//! ```
//!
//! Semantics, chosen for people searching news rather than for Lucene compatibility:
//! - Words side by side are alternatives ranked by BM25 (`putin iran` finds articles with
//!   either, both first). Field *filters* side by side are required: `leader:putin
//!   topic:iran war` means "Putin articles, about Iran, ranked by `war`", and when filters
//!   and words are mixed, at least one word must match.
//! - `AND` makes both sides required, `OR` alternatives, `NOT`/`-` excludes, `+` requires.
//! - Field prefixes: `title: body: author: source:` (analysed text), `leader: topic: place:
//!   org:` (any alias, resolved to the canonical name), `date:` (a day, month `2025-06`, year
//!   `2025`, or a range), `id: path: story:` (exact).
//! - Leniency: a word whose `xxx:` prefix is not a field name is read as plain words
//!   (`Re: talks`); other punctuation is dropped by the analyzer; a `-`, `+` or `*` standing
//!   alone is ignored. Unbalanced quotes or parentheses, a dangling operator, an empty field
//!   value or a bad date are errors naming the 1-based column (in characters).

use crate::Error;

/// Largest edit distance accepted after `~` on a word.
pub const MAX_FUZZY_DISTANCE: u8 = 2;

/// Query prefixes users may write.
pub const FIELD_NAMES: [&str; 13] =
    ["title", "body", "author", "source", "leader", "topic", "place", "org", "person", "date", "id", "path", "story"];

/// How a clause takes part in its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Must match.
    Must,
    /// Adds to the score; at least one should-clause of a group without musts must match.
    Should,
    /// Must not match.
    MustNot,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A boolean group.
    Group(Vec<(Occur, Node)>),
    /// One clause.
    Leaf(Leaf),
}

/// What a leaf searches for.
#[derive(Debug, Clone, PartialEq)]
pub enum LeafKind {
    /// A word (analysed; may yield several terms, searched as a phrase).
    Word(String),
    /// A quoted phrase with its slop.
    Phrase(String, u32),
    /// A word prefix (`sanction*`).
    Prefix(String),
    /// A word with an edit distance (`zelenski~1`).
    Fuzzy(String, u8),
    /// A range of days, inclusive, either end open (`YYYY-MM-DD`).
    DateRange(Option<String>, Option<String>),
}

/// One clause of the query, with its field and position.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// The field prefix, if any (one of [`FIELD_NAMES`]).
    pub field: Option<&'static str>,
    /// What to search for.
    pub kind: LeafKind,
    /// 1-based column of the clause's first character.
    pub column: usize,
}

impl Leaf {
    /// Whether this clause filters (required when side by side) rather than ranks.
    pub fn is_filter(&self) -> bool {
        matches!(
            self.field,
            Some(
                "leader"
                    | "topic"
                    | "place"
                    | "org"
                    | "person"
                    | "date"
                    | "id"
                    | "path"
                    | "story"
                    | "author"
                    | "source"
            )
        )
    }
}

/// Parses a query.
///
/// ```
/// use attache::search::query::{parse, Node};
/// assert!(matches!(parse("leader:putin topic:iran").unwrap(), Node::Group(_)));
/// let err = parse("\"root causes").unwrap_err();
/// assert_eq!(err.to_string(), "bad query at column 1: unclosed quote; add a closing \"");
/// ```
pub fn parse(query: &str) -> crate::Result<Node> {
    let tokens = lex(query)?;
    let mut parser = Parser { tokens, pos: 0 };
    if parser.tokens.is_empty() {
        return Err(Error::query(1, "empty query; type some words to search for"));
    }
    let node = parser.or()?;
    if let Some(token) = parser.peek() {
        // Only a stray `)` can stop the top level early.
        return Err(Error::query(token.column, "this ) has no ( to close"));
    }
    Ok(node)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Plus,
    Minus,
    /// A field prefix `name:` directly followed by its value.
    Field(&'static str),
    Word(String),
    Phrase(String, u32),
    Range(Option<String>, Option<String>),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    column: usize,
}

fn lex(query: &str) -> crate::Result<Vec<Token>> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let is_word_char = |c: char| !c.is_whitespace() && !matches!(c, '(' | ')' | '"');
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let push = |out: &mut Vec<Token>, tok| out.push(Token { tok, column });
        if c.is_whitespace() || c.is_control() {
            i += 1;
        } else if c == '(' {
            push(&mut out, Tok::Open);
            i += 1;
        } else if c == ')' {
            push(&mut out, Tok::Close);
            i += 1;
        } else if c == '"' {
            let end = chars[i + 1..]
                .iter()
                .position(|&c| c == '"')
                .map(|p| i + 1 + p)
                .ok_or_else(|| Error::query(column, "unclosed quote; add a closing \""))?;
            let text: String = chars[i + 1..end].iter().collect();
            i = end + 1;
            let mut slop = 0;
            if chars.get(i) == Some(&'~') {
                let digits: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
                slop = digits.parse().unwrap_or(1).min(100);
                i += 1 + digits.chars().count();
            }
            push(&mut out, Tok::Phrase(text, slop));
        } else if (c == '-' || c == '+') && chars.get(i + 1).is_some_and(|&n| is_word_char(n) || n == '"' || n == '(') {
            // A sign glued to what follows; `-` inside a word (`al-Sharaa`) never gets here.
            push(&mut out, if c == '-' { Tok::Minus } else { Tok::Plus });
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                // `field:[` starts a range that may contain spaces.
                if chars[i] == ':' && matches!(chars.get(i + 1), Some('[' | '{')) {
                    break;
                }
                i += 1;
            }
            if i == start {
                // A `:[` with no field name before it: the colon is punctuation.
                i += 1;
                continue;
            }
            let word: String = chars[start..i].iter().collect();
            if let Some((field, rest)) = split_field(&word, chars.get(i)) {
                push(&mut out, Tok::Field(field));
                if rest.is_empty() {
                    if matches!(chars.get(i), Some(':')) {
                        // `date:[...]`: skip the colon; the range follows.
                        i += 1;
                        let (tok, next) = lex_range(&chars, i)?;
                        out.push(Token { tok, column: i + 1 });
                        i = next;
                    }
                    continue;
                }
                out.push(Token { tok: word_tok(rest), column: column + field.len() + 1 });
                continue;
            }
            match word.as_str() {
                "AND" | "&&" => push(&mut out, Tok::And),
                "OR" | "||" => push(&mut out, Tok::Or),
                "NOT" => push(&mut out, Tok::Not),
                // A lone sign or star is punctuation.
                w if w.chars().all(|c| matches!(c, '-' | '+' | '*' | '~' | ':')) => {}
                _ => push(&mut out, word_tok(&word)),
            }
        }
    }
    Ok(out)
}

fn word_tok(word: &str) -> Tok {
    Tok::Word(word.to_string())
}

/// `field:value` → (field, value) when `field` is a known field name. A bare `field:` is
/// returned with an empty value when a phrase, group or range follows.
fn split_field<'a>(word: &'a str, next: Option<&char>) -> Option<(&'static str, &'a str)> {
    let (name, rest) = match word.split_once(':') {
        Some(split) => split,
        None if matches!(next, Some(':')) => (word, ""),
        None => return None,
    };
    let field = FIELD_NAMES.iter().find(|f| f.eq_ignore_ascii_case(name))?;
    Some((field, rest))
}

/// Lexes `[A TO B]` or `{A TO B}` starting at `chars[i]`.
fn lex_range(chars: &[char], i: usize) -> crate::Result<(Tok, usize)> {
    let column = i + 1;
    let close = match chars.get(i) {
        Some('[') => ']',
        Some('{') => '}',
        _ => return Err(Error::query(column, "expected a range such as [2025-06-01 TO 2025-07-01]")),
    };
    let end = chars[i..]
        .iter()
        .position(|&c| c == ']' || c == '}')
        .map(|p| i + p)
        .ok_or_else(|| Error::query(column, format!("unclosed range; add a closing {close}")))?;
    let inner: String = chars[i + 1..end].iter().collect();
    let parts: Vec<&str> = inner.split_whitespace().collect();
    let (lo, hi) = match parts[..] {
        [lo, to, hi] if to.eq_ignore_ascii_case("to") => (lo, hi),
        _ => {
            return Err(Error::query(
                column + 1,
                "a range is written [FROM TO UNTIL], e.g. [2025-06-01 TO 2025-07-01]",
            ));
        }
    };
    let exclusive = close == '}';
    let bound = |text: &str, is_lo: bool| -> crate::Result<Option<String>> {
        if text == "*" {
            return Ok(None);
        }
        let (first, last) = day_span(text).ok_or_else(|| {
            Error::query(column + 1, format!("{text:?} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"))
        })?;
        let day = match (is_lo, exclusive) {
            (true, false) => first,
            (false, false) => last,
            (true, true) => shift(&last, 1),
            (false, true) => shift(&first, -1),
        };
        Ok(Some(day))
    };
    let tok = Tok::Range(bound(lo, true)?, bound(hi, false)?);
    Ok((tok, end + 1))
}

fn shift(day: &str, by: i64) -> String {
    crate::date::days_from_iso(day).map_or_else(|| day.to_string(), |d| crate::date::iso_from_days(d + by))
}

/// The first and last day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub(crate) fn day_span(text: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = text.split('-').collect();
    // Only the years a report's date can have (crate::date): `0506-01` would not convert to a
    // day and the range would silently lose that end (found by fuzzing).
    if !parts[0].parse::<u32>().is_ok_and(|y| (1000..=9999).contains(&y)) {
        return None;
    }
    let num = |s: &str| s.parse::<u32>().ok().filter(|_| s.chars().all(|c| c.is_ascii_digit()));
    match parts[..] {
        [y] if y.len() == 4 => {
            num(y)?;
            Some((format!("{y}-01-01"), format!("{y}-12-31")))
        }
        [y, m] if y.len() == 4 => {
            // The year is checked here too: `abcd-06` is not a month (found by fuzzing).
            let year = num(y)?;
            let m = num(m).filter(|m| (1..=12).contains(m))?;
            let first = format!("{y}-{m:02}-01");
            let next = if m == 12 { format!("{}-01-01", year + 1) } else { format!("{y}-{:02}-01", m + 1) };
            Some((first, shift(&next, -1)))
        }
        [_, _, _] => {
            let day = crate::date::parse_day(text).filter(|d| d == text)?;
            Some((day.clone(), day))
        }
        _ => None,
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn end_column(&self) -> usize {
        self.tokens.last().map_or(1, |t| t.column + 1)
    }

    fn or(&mut self) -> crate::Result<Node> {
        let mut alternatives = vec![self.and()?];
        while let Some(Token { tok: Tok::Or, column }) = self.peek().cloned() {
            self.pos += 1;
            if matches!(self.peek().map(|t| &t.tok), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                return Err(Error::query(column, "OR needs something to search for on its right"));
            }
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Node::Group(alternatives.into_iter().map(|n| (Occur::Should, n)).collect())
        })
    }

    fn and(&mut self) -> crate::Result<Node> {
        let mut clauses: Vec<(Occur, Node)> = Vec::new();
        let mut and_next = false;
        while let Some(token) = self.peek().cloned() {
            match token.tok {
                Tok::Or | Tok::Close => break,
                Tok::And => {
                    if clauses.is_empty() {
                        return Err(Error::query(token.column, "AND needs something to search for on its left"));
                    }
                    self.pos += 1;
                    if matches!(self.peek().map(|t| &t.tok), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                        return Err(Error::query(token.column, "AND needs something to search for on its right"));
                    }
                    // `a AND b`: the left side becomes required too.
                    if let Some(last) = clauses.last_mut()
                        && last.0 == Occur::Should
                    {
                        last.0 = Occur::Must;
                    }
                    and_next = true;
                }
                _ => {
                    let (occur, node) = self.unary()?;
                    let occur = match occur {
                        Occur::Should if and_next => Occur::Must,
                        Occur::Should if is_filter(&node) => Occur::Must,
                        other => other,
                    };
                    and_next = false;
                    clauses.push((occur, node));
                }
            }
        }
        if clauses.is_empty() {
            return Err(Error::query(
                self.peek().map_or_else(|| self.end_column(), |t| t.column),
                "expected words to search for",
            ));
        }
        if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
            return Ok(clauses.remove(0).1);
        }
        Ok(Node::Group(clauses))
    }

    fn unary(&mut self) -> crate::Result<(Occur, Node)> {
        let Some(token) = self.peek().cloned() else {
            return Err(Error::query(self.end_column(), "expected words to search for"));
        };
        let occur = match token.tok {
            Tok::Not | Tok::Minus => Some(Occur::MustNot),
            Tok::Plus => Some(Occur::Must),
            _ => None,
        };
        if let Some(occur) = occur {
            self.pos += 1;
            if matches!(self.peek().map(|t| &t.tok), None | Some(Tok::Close | Tok::Or | Tok::And)) {
                return Err(Error::query(token.column, "an operator needs something to search for on its right"));
            }
            let (_, node) = self.unary()?;
            return Ok((occur, node));
        }
        Ok((Occur::Should, self.primary(None)?))
    }

    fn primary(&mut self, field: Option<&'static str>) -> crate::Result<Node> {
        let Some(token) = self.peek().cloned() else {
            return Err(Error::query(self.end_column(), "expected words to search for"));
        };
        self.pos += 1;
        let column = token.column;
        let leaf = |kind| Ok(Node::Leaf(Leaf { field, kind, column }));
        match token.tok {
            Tok::Open => {
                if matches!(self.peek().map(|t| &t.tok), Some(Tok::Close)) {
                    return Err(Error::query(column, "empty parentheses"));
                }
                let inner = self.or_in(field)?;
                match self.peek() {
                    Some(Token { tok: Tok::Close, .. }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(Error::query(column, "unclosed parenthesis; add a closing )")),
                }
            }
            Tok::Field(name) => {
                if field.is_some() {
                    return Err(Error::query(column, "a field inside a field group is not supported"));
                }
                match self.peek().map(|t| &t.tok) {
                    None | Some(Tok::Close | Tok::And | Tok::Or | Tok::Not | Tok::Plus | Tok::Minus) => {
                        Err(Error::query(column, format!("{name}: needs a value, e.g. {name}:putin")))
                    }
                    _ => {
                        let node = self.primary(Some(name))?;
                        check_field_value(&node)?;
                        Ok(node)
                    }
                }
            }
            Tok::Word(word) => {
                if field == Some("date") {
                    let (lo, hi) = day_span(&word).ok_or_else(|| {
                        Error::query(
                            column,
                            format!("{word:?} is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or [A TO B]"),
                        )
                    })?;
                    return leaf(LeafKind::DateRange(Some(lo), Some(hi)));
                }
                leaf(word_kind(&word, column)?)
            }
            Tok::Phrase(text, slop) => leaf(LeafKind::Phrase(text, slop)),
            Tok::Range(lo, hi) => {
                if field != Some("date") {
                    return Err(Error::query(column, "ranges apply to date: only"));
                }
                leaf(LeafKind::DateRange(lo, hi))
            }
            Tok::Close => Err(Error::query(column, "this ) has no ( to close")),
            Tok::And | Tok::Or | Tok::Not | Tok::Plus | Tok::Minus => {
                Err(Error::query(column, "an operator needs something to search for on its left and right"))
            }
        }
    }

    /// `field:(a OR b)`: parse the group, then give every leaf the field.
    fn or_in(&mut self, field: Option<&'static str>) -> crate::Result<Node> {
        let mut node = self.or()?;
        if let Some(field) = field {
            set_field(&mut node, field);
        }
        Ok(node)
    }
}

fn set_field(node: &mut Node, field: &'static str) {
    match node {
        Node::Leaf(leaf) => leaf.field = leaf.field.or(Some(field)),
        Node::Group(children) => children.iter_mut().for_each(|(_, n)| set_field(n, field)),
    }
}

fn check_field_value(node: &Node) -> crate::Result<()> {
    match node {
        Node::Leaf(Leaf { field: Some("date"), kind: LeafKind::Word(_) | LeafKind::Phrase(..), column }) => {
            Err(Error::query(*column, "date: takes YYYY-MM-DD, YYYY-MM, YYYY or [A TO B]"))
        }
        Node::Leaf(_) => Ok(()),
        Node::Group(children) => children.iter().try_for_each(|(_, n)| check_field_value(n)),
    }
}

fn word_kind(word: &str, column: usize) -> crate::Result<LeafKind> {
    if let Some((stem, distance)) = word.rsplit_once('~')
        && !stem.is_empty()
        && distance.chars().all(|c| c.is_ascii_digit())
    {
        let distance: u8 = if distance.is_empty() { 1 } else { distance.parse().unwrap_or(u8::MAX) };
        if distance > MAX_FUZZY_DISTANCE {
            return Err(Error::query(
                column + stem.chars().count() + 1,
                format!("edit distance {distance} is too large; use at most {MAX_FUZZY_DISTANCE}"),
            ));
        }
        return Ok(LeafKind::Fuzzy(stem.to_string(), distance));
    }
    if let Some(prefix) = word.strip_suffix('*')
        && !prefix.is_empty()
        && !prefix.contains('*')
    {
        return Ok(LeafKind::Prefix(prefix.to_string()));
    }
    Ok(LeafKind::Word(word.to_string()))
}

fn is_filter(node: &Node) -> bool {
    match node {
        Node::Leaf(leaf) => leaf.is_filter(),
        Node::Group(children) => !children.is_empty() && children.iter().all(|(_, n)| is_filter(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(field: Option<&'static str>, kind: LeafKind, column: usize) -> Node {
        Node::Leaf(Leaf { field, kind, column })
    }

    fn word(w: &str, column: usize) -> Node {
        leaf(None, LeafKind::Word(w.into()), column)
    }

    fn column_of(query: &str) -> usize {
        match parse(query) {
            Err(Error::Query { column, .. }) => column,
            other => panic!("{query:?} parsed: {other:?}"),
        }
    }

    #[test]
    fn words_side_by_side_are_alternatives() {
        assert_eq!(
            parse("putin iran").unwrap(),
            Node::Group(vec![(Occur::Should, word("putin", 1)), (Occur::Should, word("iran", 7))])
        );
    }

    #[test]
    fn filters_side_by_side_are_required() {
        let Node::Group(clauses) = parse("leader:putin topic:iran war").unwrap() else { panic!() };
        let occurs: Vec<Occur> = clauses.iter().map(|c| c.0).collect();
        assert_eq!(occurs, [Occur::Must, Occur::Must, Occur::Should]);
        assert_eq!(clauses[0].1, leaf(Some("leader"), LeafKind::Word("putin".into()), 8));
    }

    #[test]
    fn operators() {
        let Node::Group(c) = parse("a AND b OR NOT c").unwrap() else { panic!() };
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].1, Node::Group(vec![(Occur::Must, word("a", 1)), (Occur::Must, word("b", 7))]));
        let Node::Group(c) = parse("iran -title:nuclear +talks").unwrap() else { panic!() };
        let occurs: Vec<Occur> = c.iter().map(|c| c.0).collect();
        assert_eq!(occurs, [Occur::Should, Occur::MustNot, Occur::Must]);
    }

    #[test]
    fn phrases_prefixes_fuzzy() {
        assert_eq!(parse("\"root causes\"").unwrap(), leaf(None, LeafKind::Phrase("root causes".into(), 0), 1));
        assert_eq!(parse("\"a b\"~2").unwrap(), leaf(None, LeafKind::Phrase("a b".into(), 2), 1));
        assert_eq!(parse("sanction*").unwrap(), leaf(None, LeafKind::Prefix("sanction".into()), 1));
        assert_eq!(parse("zelenski~1").unwrap(), leaf(None, LeafKind::Fuzzy("zelenski".into(), 1), 1));
        assert_eq!(
            parse("author:\"M.J. GDNUS\"").unwrap(),
            leaf(Some("author"), LeafKind::Phrase("M.J. GDNUS".into(), 0), 8)
        );
    }

    #[test]
    fn date_forms() {
        let range = |q: &str| match parse(q).unwrap() {
            Node::Leaf(Leaf { kind: LeafKind::DateRange(lo, hi), .. }) => (lo, hi),
            other => panic!("{other:?}"),
        };
        let s = |x: &str| Some(x.to_string());
        assert_eq!(range("date:[2025-06-01 TO 2025-07-01]"), (s("2025-06-01"), s("2025-07-01")));
        assert_eq!(range("date:{2025-06-01 TO *}"), (s("2025-06-02"), None));
        assert_eq!(range("date:2025-02"), (s("2025-02-01"), s("2025-02-28")));
        assert_eq!(range("date:2024"), (s("2024-01-01"), s("2024-12-31")));
        assert_eq!(range("date:[2025-06 TO 2025-07]"), (s("2025-06-01"), s("2025-07-31")));
    }

    #[test]
    fn unknown_prefixes_and_stray_punctuation_are_words() {
        assert_eq!(parse("re:talks").unwrap(), word("re:talks", 1));
        assert_eq!(
            parse("talks - ceasefire *").unwrap(),
            Node::Group(vec![(Occur::Should, word("talks", 1)), (Occur::Should, word("ceasefire", 9))])
        );
        assert_eq!(parse("TITLE:x").unwrap(), leaf(Some("title"), LeafKind::Word("x".into()), 7));
    }

    #[test]
    fn errors_name_the_column() {
        assert_eq!(column_of(""), 1);
        assert_eq!(column_of("iran \"root causes"), 6);
        assert_eq!(column_of("(iran talks"), 1);
        assert_eq!(column_of("iran talks)"), 11);
        assert_eq!(column_of("iran AND"), 6);
        assert_eq!(column_of("OR iran"), 1);
        assert_eq!(column_of("iran OR"), 6);
        assert_eq!(column_of("leader:"), 1);
        assert_eq!(column_of("date:[2025-13-01 TO 2025-12-01]"), 7);
        assert_eq!(column_of("date:yesterday"), 6);
        assert_eq!(column_of("date:[2025 2026]"), 7);
        assert_eq!(column_of("iran~5"), 6);
        assert_eq!(column_of("()"), 1);
        assert_eq!(column_of("- -"), 1);
    }

    #[test]
    fn a_month_needs_a_numeric_year() {
        // Found by the query_parse fuzz target: the year of `YYYY-MM` was never checked, so
        // `date:[3\u{0}06-01 TO 2025-07]` gave a range starting on the "day" "3\u{0}06-01-01".
        assert_eq!(day_span("abcd-06"), None);
        assert_eq!(day_span("3\u{0}06-01"), None);
        assert_eq!(column_of("date:[3\u{0}06-01 TO 2025-07]"), 7);
        assert_eq!(column_of("date:20x5-06"), 6);
        assert_eq!(day_span("2025-12"), Some(("2025-12-01".into(), "2025-12-31".into())));
        assert_eq!(day_span("0506-01"), None);
        assert_eq!(column_of("date:[2025-06-01 TO 0506-01]"), 7);
    }

    #[test]
    fn a_colon_before_a_bracket_without_a_field_is_punctuation() {
        // The lexer once looped forever here; it now reads the colon as punctuation, so the
        // query parses (to a word the analyzer drops) instead of hanging or failing.
        assert_eq!(parse(":[").unwrap(), word("[", 2));
    }

    #[test]
    fn field_groups_apply_to_every_leaf() {
        let Node::Group(c) = parse("leader:(putin OR trump) iran").unwrap() else { panic!() };
        assert_eq!(c[0].0, Occur::Must);
        let Node::Group(c) = &c[0].1 else { panic!() };
        assert!(c.iter().all(|(_, n)| matches!(n, Node::Leaf(Leaf { field: Some("leader"), .. }))));
    }
}
