//! Leaders: lexicon names and aliases, people introduced by a role, and office holders named
//! by their office.
//!
//! Per report, in this order:
//! 1. **Discovery** ([`super::discovery`]) finds people introduced with a title or role in the
//!    body. One whose name is a lexicon name or alias is that leader; one whose single word is
//!    a lexicon surname is that leader when the report's date is plausible for them; anyone
//!    else becomes a leader under the name the report gives (the longest form it writes),
//!    unless the trained name tagger reads that name as a place, organisation or other name
//!    and nowhere reads its surname as a person's (mixed-case text only).
//! 2. **Mentions** are counted left to right: a discovered person's full name or surname
//!    first (so "Baker" in a 1987 story about James Baker is him, not a lexicon Baker), then
//!    lexicon names and aliases, then roles ([`super::roles`]: "the Russian President" → the
//!    holder at the report's date; in an undated report, the holder of that office it
//!    names, else the current one).
//!
//! A name counts only when written with a capital (any word does in ALL-CAPS or Title-Case
//! text), so the verb "trump" or the month "may" is not a leader; a one-word name counts only
//! spelled as the lexicon spells it (case and accents aside), not merely stemmed alike: the
//! film "Million Dollar Baby" does not name Andrej Babiš ("baby" and "babis" both stem to
//! "babi"). A lexicon name or surname
//! names a leader only when the report is not dated long before the leader's first office
//! ([`MAX_YEARS_BEFORE_OFFICE`]: "Johnson" in 1963 is not Boris Johnson); a surname alone
//! needs `surname_alone`; a surname shared by several leaders names the one whose full name the
//! report also gives, and nobody otherwise. A one-word name written right beside another
//! capitalised name word is part of someone else's name ("Maury Harris", "Mike Blair",
//! "Harris Interactive"), and then the report's other mentions of that word name the leader
//! only if the report also names the leader in full. Names may hold up to two lower-case
//! particles ("Ursula von der Leyen"); an alias may start with them ("von der Leyen").

use std::cell::RefCell;

use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer};

use super::Tag;
use super::discovery::{Discovery, Introduced, Text, is_space, same_terms};
use super::lexicon::{LeaderLexicon, TopicKind, TopicLexicon};
use super::matcher::{FxHashMap, FxHashSet, Keys, PhraseSet, Vocab};
use super::roles::RoleMatcher;
use super::tagger::{EntityKind, Span};
use crate::Report;
use crate::analysis::{Tagged, Term};

/// Whether the name tagger, trained on labelled news, reads the name `p` introduces as a
/// place, organisation or other name, and nowhere in the report reads its surname as a
/// person's ("Manchester United manager …" is a club). `names` are the tagger's names in the
/// body. Where the tagger reads nothing there (it misses
/// some names), this is false, and so it is for a reading that starts before the name: that
/// reading took in the title that introduced it ("Trade Representative Clayton Yeutter" read
/// as an organisation) and says nothing about the name. For mixed-case text only: in
/// ALL-CAPS the model, which reads capitals, is lost.
fn read_as_other(body: &Text<'_>, p: &Introduced, names: &[Span]) -> bool {
    let (Some(first), Some(last)) = (p.terms(body).first(), p.terms(body).last()) else { return false };
    let is_person = |s: &Span| s.kind == EntityKind::Person;
    let mut read = names.iter().filter(|s| first.start < s.end && s.start < last.end).peekable();
    if read.peek().is_none() || !read.all(|s| !is_person(s) && first.start <= s.start) {
        return false;
    }
    let surname = p.surname(body).first().map_or("", |s| body.text.get(s.start..last.end).unwrap_or_default());
    !names.iter().any(|s| {
        is_person(s) && body.text.get(s.start..s.end).is_some_and(|n| n.split_whitespace().any(|w| w == surname))
    })
}

/// Words that, right after a name, make it a firm's ("Eastman Kodak Co", "Eli Lilly and Co",
/// "John Labatt Ltd"): a discovered name written so anywhere in the report is not a person.
pub const FIRM_SUFFIXES: &[&str] =
    &["co", "cos", "corp", "corporation", "inc", "ltd", "plc", "llc", "ag", "nv", "spa", "gmbh", "group", "holdings"];

/// Share of upper-case letters above which a text is treated as ALL-CAPS.
const ALL_CAPS_RATIO: f64 = 0.8;

/// Share of capitalised words above which a short text (a headline) is Title-Case.
const TITLE_CASE_RATIO: f64 = 0.75;

/// Years before a leader's first office in which a report may still name them: older news
/// with the same name ("Johnson" in 1963, "Ferdinand Marcos" in 1987) is about someone else,
/// or about them before they were a leader (then discovery names them, if anything does).
pub const MAX_YEARS_BEFORE_OFFICE: i32 = 15;

#[derive(Debug, Clone, PartialEq)]
enum Name {
    /// A full name or alias: one leader.
    Full(usize),
    /// A surname alone: the leaders it may name.
    Surname(Vec<usize>),
}

pub(crate) struct LeaderMatcher {
    names: Vec<String>,
    /// Year of each leader's first office, when known.
    first_year: Vec<Option<i32>>,
    patterns: PhraseSet<Name>,
    /// The spellings ([`folded`]) of each one-word pattern's term, with the leader each
    /// names: a one-word alias, or a surname said alone. Matching compares stems; these keep
    /// "Baby" from naming Babiš ("Babis"), or "Harry" Kamala Harris.
    spellings: FxHashMap<u32, Vec<Spelling>>,
    /// Analysed alias (term ids) → leader, for query-side resolution.
    keys: FxHashMap<Vec<u32>, usize>,
    discovery: Discovery,
    roles: RoleMatcher,
    /// Term ids of the [`FIRM_SUFFIXES`].
    firm_suffixes: FxHashSet<u32>,
    /// The term id of "and", as in "Eli Lilly and Co".
    and: u32,
}

/// A one-word name as written ([`folded`]), and the leader it names.
type Spelling = (Box<str>, usize);

/// Who a mention is of: a lexicon leader or a person discovered in this report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Lexicon(usize),
    Found(usize),
}

impl LeaderMatcher {
    pub fn new<'a>(lexicon: &'a LeaderLexicon, topics: &'a TopicLexicon, keys: &mut Keys<'a>) -> LeaderMatcher {
        let mut names = Vec::new();
        let mut first_year = Vec::new();
        let mut patterns = PhraseSet::default();
        let mut by_key = FxHashMap::default();
        let mut surnames: FxHashMap<u32, (Vec<usize>, Vec<Spelling>)> = FxHashMap::default();
        let mut spellings: FxHashMap<u32, Vec<Spelling>> = FxHashMap::default();
        for spec in lexicon.leader.values() {
            let i = names.len();
            names.push(spec.name.clone());
            first_year.push(spec.roles.iter().filter_map(|r| r.from.get(..4)?.parse::<i32>().ok()).min());
            for variant in std::iter::once(&spec.name).chain(&spec.aliases) {
                let ids = keys.ids(variant);
                if let [only] = ids[..] {
                    spellings.entry(only).or_default().push((folded(variant).into(), i));
                }
                patterns.insert(&ids, Name::Full(i));
                by_key.entry(ids).or_insert(i);
            }
            let full = keys.ids(&spec.name);
            if spec.surname_alone.unwrap_or(true)
                && full.len() >= 2
                && let Some(&last) = full.last()
            {
                let (leaders, spelled) = surnames.entry(last).or_default();
                leaders.push(i);
                // The name's last word, as the tokenizer splits it.
                if let Some(word) = spec.name.split(|c: char| !c.is_alphanumeric()).rfind(|w| !w.is_empty()) {
                    spelled.push((folded(word).into(), i));
                }
            }
        }
        for (last, (leaders, spelled)) in surnames {
            // A surname that is also someone's full alias is already a Full pattern.
            if patterns.exact(&[last]).next().is_none() {
                spellings.entry(last).or_default().extend(spelled);
                if let [only] = leaders[..] {
                    by_key.entry(vec![last]).or_insert(only);
                }
                patterns.insert(&[last], Name::Surname(leaders));
            }
        }
        let places: Vec<Vec<u32>> = topics
            .topic
            .values()
            .filter(|t| t.kind != TopicKind::Theme)
            .flat_map(|t| std::iter::once(t.name.as_str()).chain(t.triggers()))
            .map(|w| keys.ids(w))
            .filter(|k| !k.is_empty())
            .collect();
        let discovery = Discovery::new(keys, &places);
        let roles = RoleMatcher::new(lexicon, topics, keys);
        let firm_suffixes = FIRM_SUFFIXES.iter().flat_map(|w| keys.ids(w)).collect();
        let and = keys.id("and");
        let keys = by_key;
        LeaderMatcher { names, first_year, patterns, spellings, keys, discovery, roles, firm_suffixes, and }
    }

    pub fn resolve(&self, vocab: &Vocab, key: &[String]) -> Option<&str> {
        self.keys.get(&vocab.get_all(key)?).map(|&i| self.names[i].as_str())
    }

    /// The leader a person's analysed name (`key`) names, if it is a leader's name or alias
    /// (or unique surname) and the leader is plausible in a report of `year`.
    pub fn resolve_person(&self, vocab: &Vocab, key: &[String], year: Option<i32>) -> Option<&str> {
        let i = *self.keys.get(&vocab.get_all(key)?)?;
        self.plausible(i, year).then(|| self.names[i].as_str())
    }

    /// Whether `term` of `text`, a one-word match of the pattern term `id`, is spelled as a
    /// one-word name of leader `l` (case and accents aside).
    fn spelled(&self, text: &str, term: &Term, id: u32, l: usize) -> bool {
        let Some(spellings) = self.spellings.get(&id) else { return true };
        let word = folded(text.get(term.start..term.end).unwrap_or_default());
        spellings.iter().any(|(s, of)| *of == l && **s == *word)
    }

    /// Whether the surname alone of leader `i` may name them in a report of `year`.
    fn plausible(&self, i: usize, year: Option<i32>) -> bool {
        match (year, self.first_year.get(i).copied().flatten()) {
            (Some(year), Some(first)) => year >= first - MAX_YEARS_BEFORE_OFFICE,
            _ => true,
        }
    }

    /// The leaders of `report`, from its title and body, each given as (text, terms, term ids).
    /// `names`, the names the tagger finds in the body, vets the people discovery introduces
    /// ([`read_as_other`]; `None`: no tagger).
    pub fn find(
        &self,
        report: &Report,
        title: (&str, Tagged<'_>),
        body: (&str, Tagged<'_>),
        names: Option<&[Span]>,
    ) -> Vec<Tag> {
        let date = report.date.as_deref().filter(|d| d.len() == 10);
        let year = date.and_then(|d| d.get(..4)?.parse::<i32>().ok());
        let texts = [
            Text::new(title.0, title.1, is_all_caps(title.0) || is_title_case(title.0)),
            Text::new(body.0, body.1, is_all_caps(body.0)),
        ];
        // 1. Discovery, and who each introduced person is. People are introduced in the
        // body, and kept as where their names stand in it.
        let body = &texts[1];
        let mut people: Vec<Introduced> = Vec::new();
        let mut lexicon_found: Vec<usize> = Vec::new();
        let introduced = self.discovery.find(body, Some(&texts[0]));
        let vetoed: Vec<&[Term]> = match names {
            Some(names) if !body.caps_uninformative => {
                introduced.iter().filter(|p| read_as_other(body, p, names)).map(|p| p.surname(body)).collect()
            }
            _ => Vec::new(),
        };
        for p in introduced {
            // A one-word name must be spelled as the leader's.
            let spelled = |l: usize| match (p.terms(body), p.ids(body)) {
                ([term], [id]) => self.spelled(body.text, term, *id, l),
                _ => true,
            };
            let lexicon = self.patterns.exact(p.ids(body)).find_map(|name| match name {
                Name::Full(i) if self.plausible(*i, year) && spelled(*i) => Some(*i),
                Name::Full(_) => None,
                Name::Surname(leaders) => match leaders[..] {
                    [only] if self.plausible(only, year) && spelled(only) => Some(only),
                    _ => None,
                },
            });
            if let Some(i) = lexicon {
                lexicon_found.push(i);
                continue;
            }
            // "Eastman Kodak Co": a firm named after people, not a person.
            if self.is_firm(&texts, p.terms(body)) {
                continue;
            }
            // Someone no lexicon knows is not a person where the name tagger reads the name
            // as something else ([`LeaderMatcher::read_as_other`]); nor is anyone introduced
            // by the same surname ("Champions League" … "League").
            if vetoed.iter().any(|s| same_terms(s, p.surname(body))) {
                continue;
            }
            // One person per surname: "President Reagan" and "Ronald Reagan" are one.
            match people.iter_mut().find(|q| same_terms(q.surname(body), p.surname(body))) {
                // The fuller name, whose surname is the same words.
                Some(q) if q.is_surname_only() && q.terms(body).len() < p.terms(body).len() => *q = p,
                Some(q) if q.is_surname_only() || p.is_surname_only() || same_terms(q.terms(body), p.terms(body)) => {}
                _ => people.push(p),
            }
        }
        // 2. Mentions. Most terms start no discovered name: one lookup rules them out.
        // A handful of words: a scan that compares lengths first is cheaper than hashing.
        let mut starts: Vec<&str> =
            people.iter().flat_map(|p| [&p.terms(body)[0], &p.surname(body)[0]]).map(|t| t.text.as_str()).collect();
        starts.sort_unstable();
        starts.dedup();
        let mut counts: FxHashMap<Who, u32> = FxHashMap::default();
        let mut ambiguous: Vec<Vec<usize>> = Vec::new();
        // Mentions of a leader by one word (leader, the word's term id), and the words
        // written as part of someone else's name.
        let mut one_word_mentions: Vec<(usize, u32)> = Vec::new();
        let mut others_words: Vec<u32> = Vec::new();
        // Offices named without a name in a report without a date (see below).
        let mut undated_roles: Vec<usize> = Vec::new();
        for t in &texts {
            let capitalised = |i: usize| t.caps_uninformative || t.is_capitalised(i);
            let terms = t.terms;
            // Names and the role patterns start with a capital ("Russian President", "Iran's
            // foreign minister", "President of Russia"): a lower-case word starts none, and
            // most words are lower-case, so only the capitalised ones are visited.
            let every: Vec<usize>;
            let candidates = if t.caps_uninformative {
                every = (0..terms.len()).collect();
                &every
            } else {
                t.capitalised_at
            };
            // Words inside a mention just counted are skipped.
            let mut next = 0;
            for &i in candidates {
                if i < next {
                    continue;
                }
                if starts.iter().any(|s| s.len() == terms[i].text.len() && *s == terms[i].text)
                    && let Some((who, len)) = self.person_at(&people, body, t, i)
                {
                    *counts.entry(who).or_default() += 1;
                    next = i + len;
                    continue;
                }
                // A one-word name must be spelled as the leader's.
                let spelled = |first: usize, len: usize, l: usize| {
                    len > 1 || self.spelled(t.text, &terms[first], t.ids[first], l)
                };
                let accept = |first: usize, len: usize, name: &Name| match name {
                    Name::Full(l) => self.plausible(*l, year) && spelled(first, len, *l),
                    Name::Surname(leaders) => {
                        leaders.iter().any(|&l| self.plausible(l, year) && spelled(first, len, l))
                    }
                };
                // A name may start with lower-case particles ("von der Leyen"): a match from
                // them that reaches this capitalised word comes first.
                let lead = self.particles_before(t, i, next);
                let lexicon = (lead > 0)
                    .then(|| {
                        self.patterns
                            .longest_at(t.ids, i - lead, |first, len, name| len > lead && accept(first, len, name))
                    })
                    .flatten()
                    .or_else(|| {
                        self.patterns
                            .longest_at(t.ids, i, |first, len, name| capitalised(first) && accept(first, len, name))
                    });
                if let Some(m) = lexicon {
                    next = m.first + m.len;
                    let one_word = m.len == 1;
                    // A one-word name written beside another name is part of someone else's
                    // ("Maury Harris", "Harris Interactive"), who holds it in this report.
                    if one_word && self.beside_another_name(t, m.first) {
                        others_words.push(t.ids[m.first]);
                        continue;
                    }
                    let mut count = |l: usize| match one_word {
                        true => one_word_mentions.push((l, t.ids[m.first])),
                        false => *counts.entry(Who::Lexicon(l)).or_default() += 1,
                    };
                    match m.payload {
                        Name::Full(l) => count(*l),
                        Name::Surname(leaders) => {
                            // Those it may name as written (surnames stemmed alike may differ).
                            let leaders: Vec<usize> =
                                leaders.iter().copied().filter(|&l| spelled(m.first, m.len, l)).collect();
                            match leaders[..] {
                                [only] => count(only),
                                _ => ambiguous.push(leaders),
                            }
                        }
                    }
                    continue;
                }
                if let Some((len, office)) = self.roles.at(t.ids, i) {
                    // "Russian President Vladimir Putin": the name that follows decides.
                    let named = i + len < terms.len() && capitalised(i + len) && !t.caps_uninformative;
                    if !named && date.is_none() {
                        undated_roles.push(office);
                    } else if !named && let Some(l) = self.roles.holder(office, date) {
                        *counts.entry(Who::Lexicon(l)).or_default() += 1;
                    }
                    next = i + len;
                }
            }
        }
        // A leader named by one word that the report also gives to someone else ("Maury
        // Harris … Harris said") counts only if the report names the leader in full too.
        let full_names: Vec<Who> = if others_words.is_empty() { Vec::new() } else { counts.keys().copied().collect() };
        for (l, word) in one_word_mentions {
            let who = Who::Lexicon(l);
            if !others_words.contains(&word) || full_names.contains(&who) {
                *counts.entry(who).or_default() += 1;
            }
        }
        // A person discovered by a lexicon name counts even if the count pass saw it as part
        // of a longer match.
        for l in lexicon_found {
            counts.entry(Who::Lexicon(l)).or_insert(1);
        }
        // A shared surname goes to the one leader of that name the report names in full.
        for leaders in ambiguous {
            let named: Vec<usize> =
                leaders.iter().copied().filter(|&l| counts.contains_key(&Who::Lexicon(l))).collect();
            if let [only] = named[..] {
                *counts.entry(Who::Lexicon(only)).or_default() += 1;
            }
        }
        // Without a date, "the British prime minister" is the holder of that office the
        // report names (an old report names the holder of its day), else its current holder.
        for office in undated_roles {
            let named: Vec<usize> =
                self.roles.holders(office).filter(|&l| counts.contains_key(&Who::Lexicon(l))).collect();
            let who = match named[..] {
                [] => self.roles.holder(office, None),
                [only] => Some(only),
                // Two holders named: the role does not say which.
                _ => None,
            };
            if let Some(l) = who {
                *counts.entry(Who::Lexicon(l)).or_default() += 1;
            }
        }
        let mut tags: Vec<Tag> = counts
            .into_iter()
            .map(|(who, count)| {
                let name = match who {
                    Who::Lexicon(l) => self.names[l].clone(),
                    Who::Found(p) => self.discovery.display(body, &people[p]),
                };
                Tag::new(name, count)
            })
            .collect();
        tags.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        tags.dedup_by(|a, b| a.name == b.name);
        tags
    }

    /// Whether term `i` of `t` is part of a longer name: it stands right beside a capitalised
    /// word that can only be a word of a name (not a title, an honorific, a particle or a
    /// common word), or after the one-letter prefix of a surname such as "O'" or "D'"
    /// ("O'Driscoll" is not Driscoll). Beside words, never in ALL-CAPS or Title-Case text,
    /// where every word has a capital.
    fn beside_another_name(&self, t: &Text<'_>, i: usize) -> bool {
        let name_word = |k: usize| t.is_capitalised(k) && !t.is_acronym(k) && self.discovery.is_plain_name_id(t.ids[k]);
        let prefixed = i > 0
            && matches!(t.gap(i), "'" | "’")
            && t.surface(i - 1).chars().count() == 1
            && t.surface(i - 1).chars().all(char::is_uppercase);
        prefixed
            || (!t.caps_uninformative
                && ((i > 0 && is_space(t.gap(i)) && name_word(i - 1))
                    || (i + 1 < t.terms.len() && is_space(t.gap(i + 1)) && name_word(i + 1))))
    }

    /// How many lower-case particles (at most two, after `next`) stand right before term `i`,
    /// each followed by a space: the "von der" of "von der Leyen".
    fn particles_before(&self, t: &Text<'_>, i: usize, next: usize) -> usize {
        let mut lead = 0;
        while lead < 2 && i > next + lead {
            let k = i - lead - 1;
            if t.is_capitalised(k) || !is_space(t.gap(k + 1)) || !self.discovery.is_particle_id(t.ids[k]) {
                break;
            }
            lead += 1;
        }
        lead
    }

    /// Whether the name `terms` is a firm's: its first mention in the report (title, then
    /// body) runs straight into a [`FIRM_SUFFIXES`] word or "and Co" ("Eastman Kodak Co
    /// said…"). Only the first mention, since a person's firm often bears their name later
    /// ("inside trader Ivan Boesky … Ivan Boesky and Co"). Names of one word never are.
    fn is_firm(&self, texts: &[Text<'_>; 2], terms: &[Term]) -> bool {
        if terms.len() < 2 {
            return false;
        }
        let is_suffix =
            |t: &Text<'_>, k: usize| k < t.terms.len() && self.firm_suffixes.contains(&t.ids[k]) && t.is_capitalised(k);
        for t in texts {
            let first = t.terms.windows(terms.len()).position(|w| same_terms(w, terms));
            if let Some(i) = first {
                let after = i + terms.len();
                return is_suffix(t, after)
                    || after < t.terms.len() && t.ids[after] == self.and && is_suffix(t, after + 1);
            }
        }
        false
    }

    /// A discovered person's full name or capitalised surname at term `i` of `t`; `people`
    /// were introduced in `body`.
    fn person_at(&self, people: &[Introduced], body: &Text<'_>, t: &Text<'_>, i: usize) -> Option<(Who, usize)> {
        let starts = |seq: &[Term]| t.terms.get(i..i + seq.len()).is_some_and(|here| same_terms(here, seq));
        for (p, person) in people.iter().enumerate() {
            if starts(person.terms(body)) {
                return Some((Who::Found(p), person.terms(body).len()));
            }
        }
        if !(t.caps_uninformative || t.is_capitalised(i)) {
            return None;
        }
        people.iter().position(|p| starts(p.surname(body))).map(|p| (Who::Found(p), people[p].surname(body).len()))
    }
}

/// `word` in lower case with its accents folded, as names are compared ("Babiš" → "babis").
fn folded(word: &str) -> String {
    thread_local! {
        static FOLD: RefCell<TextAnalyzer> = RefCell::new(
            TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build(),
        );
    }
    FOLD.with_borrow_mut(|fold| {
        let mut out = String::with_capacity(word.len());
        fold.token_stream(word).process(&mut |token| out.push_str(&token.text));
        out
    })
}

/// Letters sampled to decide whether a text is ALL-CAPS: its start tells.
const CAPS_SAMPLE_LETTERS: usize = 500;

pub(crate) fn is_all_caps(text: &str) -> bool {
    // Lower-case letters past this many settle it: even if every letter of the sample were
    // read, the upper-case share could no longer pass `ALL_CAPS_RATIO`. Mixed-case text
    // (nearly every report) is decided within its first hundred or so letters.
    let max_lower = (CAPS_SAMPLE_LETTERS as f64 * (1.0 - ALL_CAPS_RATIO)) as usize;
    let bytes = text.as_bytes();
    let (mut upper, mut letters, mut i) = (0usize, 0usize, 0usize);
    // ASCII letters are counted from the bytes, eight at a time while the sample has room
    // for eight more; other characters are decoded.
    while letters < CAPS_SAMPLE_LETTERS && i < bytes.len() {
        if letters + 8 <= CAPS_SAMPLE_LETTERS
            && let Some(&word) = bytes.get(i..).and_then(|b| b.first_chunk::<8>())
            && let Some((up, low)) = ascii_letters(u64::from_le_bytes(word))
        {
            (letters, upper, i) = (letters + up + low, upper + up, i + 8);
            // Past `max_lower` within these eight: the byte-wise count would have stopped
            // inside them with the same answer.
            if letters - upper > max_lower {
                return false;
            }
            continue;
        }
        let b = bytes[i];
        let (is_letter, is_upper) = if b.is_ascii() {
            i += 1;
            (b.is_ascii_alphabetic(), b.is_ascii_uppercase())
        } else {
            let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else { break };
            i += c.len_utf8();
            (c.is_alphabetic(), c.is_uppercase())
        };
        if is_letter {
            letters += 1;
            upper += usize::from(is_upper);
            if letters - upper > max_lower {
                return false;
            }
        }
    }
    letters > 0 && upper as f64 / letters as f64 > ALL_CAPS_RATIO
}

/// The upper- and lower-case letters among the 8 bytes of `word`, or `None` when one of them
/// is not ASCII. Each byte's range test is an addition whose carry lands in the byte's top
/// bit: with every byte below 0x80, no carry crosses into the next byte.
fn ascii_letters(word: u64) -> Option<(usize, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = ONES * 0x80;
    if word & TOPS != 0 {
        return None;
    }
    // 0x80 in each byte of `word` that lies in `lo..=hi`.
    let within = |lo: u8, hi: u8| {
        let at_least_lo = word + ONES * u64::from(0x80 - lo);
        let above_hi = word + ONES * u64::from(0x80 - hi - 1);
        at_least_lo & !above_hi & TOPS
    };
    Some((within(b'A', b'Z').count_ones() as usize, within(b'a', b'z').count_ones() as usize))
}

/// Whether a headline capitalises (nearly) every word, so capitals say nothing about names.
pub(crate) fn is_title_case(text: &str) -> bool {
    let (mut caps, mut words) = (0usize, 0usize);
    for word in text.split_whitespace() {
        let Some(c) = word.chars().find(|c| c.is_alphabetic()) else { continue };
        words += 1;
        caps += usize::from(c.is_uppercase());
    }
    words >= 3 && caps as f64 / words as f64 > TITLE_CASE_RATIO
}

#[cfg(test)]
mod tests {
    //! Discovered people, surname resolution, dates and roles, through the whole matcher.
    use super::*;
    use crate::IndexSchema;
    use crate::analysis::{self, Marks};

    fn leaders(report: &Report) -> Vec<String> {
        let schema = IndexSchema::embedded().unwrap();
        let mut keys = Keys::new(analysis::analyzer());
        let m = LeaderMatcher::new(&schema.leaders, &schema.topics, &mut keys);
        let (mut a, vocab) = keys.finish();
        let title = report.title.as_deref().unwrap_or("");
        let (tt, bt) = (analysis::terms(&mut a, title), analysis::terms(&mut a, &report.body));
        let (title_ids, body_ids) = (vocab.ids(&tt), vocab.ids(&bt));
        let (title_marks, body_marks) = (Marks::of(title, &tt), Marks::of(&report.body, &bt));
        let (title_terms, body_terms) = (title_marks.tagged(&tt, &title_ids), body_marks.tagged(&bt, &body_ids));
        m.find(report, (title, title_terms), (&report.body, body_terms), None)
            .into_iter()
            .map(|t| format!("{}:{}", t.name, t.count))
            .collect()
    }

    #[test]
    fn a_discovered_leader_collects_later_surname_mentions() {
        let r = Report::new("a", "Treasury Secretary James Baker said the dollar was stable. Baker added more.")
            .title("Treasury's Baker Sees Stable Dollar");
        assert_eq!(leaders(&r), ["James Baker:3"]);
    }

    #[test]
    fn a_name_that_is_also_a_firm_is_not_a_person() {
        let r = Report::new(
            "a",
            "Eastman Kodak Co said profits rose. Eastman Kodak met analysts. Kodak said later it would grow.",
        );
        assert!(leaders(&r).is_empty(), "{:?}", leaders(&r));
        let r = Report::new("a", "Analysts at Eli Lilly and Co agreed. Eli Lilly said sales rose. Lilly said more.");
        assert!(leaders(&r).is_empty(), "{:?}", leaders(&r));
        let r = Report::new("a", "Carl Icahn said he owned shares. Icahn said later he would buy more.");
        assert_eq!(leaders(&r), ["Carl Icahn:2"]);
        // A person first, then the firm that bears the name: still a person.
        let r = Report::new("a", "Investors sued Ivan Boesky on Monday. Ivan Boesky and Co denied it. Boesky said so.");
        assert_eq!(leaders(&r), ["Ivan Boesky:3"]);
    }

    #[test]
    fn a_one_word_name_must_be_spelled_as_the_leaders_not_only_stemmed_alike() {
        // "Baby" and "Babis", "Holland" and "Hollande", "Harry" and "Harris" stem alike.
        let r = Report::new("a", "Clint Eastwood's Million Dollar Baby re-entered the charts. Holland won.");
        assert!(leaders(&r).is_empty(), "{:?}", leaders(&r));
        let r = Report::new("a", "Prince Harry visited the troops.").date("2024-03-01");
        assert!(!leaders(&r).iter().any(|l| l.starts_with("Kamala Harris")), "{:?}", leaders(&r));
        // Case and accents aside, the spellings the lexicon gives still name the leader.
        let r = Report::new("a", "Andrej Babiš won. Babis said so, and BABIŠ left; Babiš's party cheered.")
            .date("2025-12-20");
        assert_eq!(leaders(&r), ["Andrej Babiš:4"]);
    }

    #[test]
    fn a_name_with_particles_after_a_role_is_the_lexicon_leader() {
        let r = Report::new("a", "European Commission President Ursula von der Leyen said the package was ready.")
            .date("2025-07-18");
        assert_eq!(leaders(&r), ["Ursula von der Leyen:1"]);
        // An alias that starts with lower-case particles.
        let r = Report::new("a", "The EU's von der Leyen said the package was ready.").date("2025-07-18");
        assert_eq!(leaders(&r), ["Ursula von der Leyen:1"]);
    }

    #[test]
    fn a_surname_beside_another_name_is_someone_elses() {
        // Kamala Harris's surname, said alone, would name her.
        let r = Report::new("a", "Harris said the talks went well.").date("2024-03-01");
        assert_eq!(leaders(&r), ["Kamala Harris:1"]);
        let r = Report::new(
            "a",
            "Maury Harris, an economist at a bank, said prices rose. Later Harris added that rates would follow. \
             A poll by Harris Interactive agreed.",
        )
        .date("2024-03-01");
        assert!(!leaders(&r).iter().any(|l| l.starts_with("Kamala Harris")), "{:?}", leaders(&r));
        let r = Report::new("a", "The novelist Joanne Harris read from her book. Harris smiled.").date("2024-03-01");
        assert!(!leaders(&r).iter().any(|l| l.starts_with("Kamala Harris")), "{:?}", leaders(&r));
        // Named in full, the leader keeps the surname's mentions.
        let r = Report::new("a", "Kamala Harris spoke. A poll by Harris Interactive agreed. Later Harris left.")
            .date("2024-03-01");
        assert_eq!(leaders(&r), ["Kamala Harris:2"]);
    }

    #[test]
    fn a_bare_title_mention_and_a_full_name_are_one_person() {
        let r = Report::new("a", "President Reagan spoke. Later Ronald Reagan, the president, left.");
        assert_eq!(leaders(&r), ["Ronald Reagan:2"]);
    }

    #[test]
    fn a_lexicon_surname_does_not_name_a_leader_decades_before_office() {
        let old = Report::new("a", "Prime Minister Johnson said the talks went well. Johnson left.").date("1963-05-01");
        assert_eq!(leaders(&old), ["Johnson:2"]);
    }

    #[test]
    fn a_role_resolves_to_the_holder_at_the_report_date() {
        let r = Report::new("a", "The Russian President said talks would go on.").date("2024-03-01");
        assert_eq!(leaders(&r), ["Vladimir Putin:1"]);
        let r = Report::new("a", "The Kremlin leader said talks would go on.").date("2024-03-01");
        assert_eq!(leaders(&r), ["Vladimir Putin:1"]);
        let r = Report::new("a", "The U.S. President spoke; the American President spoke again.").date("2023-03-01");
        assert_eq!(leaders(&r), ["Joe Biden:1"]);
    }

    #[test]
    fn a_surname_after_o_apostrophe_is_another_name() {
        let r = Report::new("a", "Brian O'Driscoll scored twice; O’Driscoll was the man of the match.");
        assert!(leaders(&r).iter().all(|l| !l.contains("Driscoll")), "{:?}", leaders(&r));
    }

    #[test]
    fn without_a_date_a_role_is_the_holder_the_report_names() {
        let r = Report::new("a", "Prime Minister Tony Blair flew home. The British prime minister was tired.");
        assert_eq!(leaders(&r), ["Tony Blair:2"]);
        // Naming no holder, the role is the current one's.
        let r = Report::new("a", "The British prime minister was tired.");
        assert_eq!(leaders(&r), ["Keir Starmer:1"]);
        // With a date, the holder of that day, whoever the report names.
        let r = Report::new("a", "Tony Blair spoke. The British prime minister was tired.").date("2025-03-01");
        assert_eq!(leaders(&r), ["Keir Starmer:1", "Tony Blair:1"]);
    }

    #[test]
    fn a_bare_leader_is_the_paramount_office_holder() {
        let r = Report::new("a", "The Iranian leader said talks were over.").date("2025-07-01");
        assert_eq!(leaders(&r), ["Ali Khamenei:1"]);
        let r = Report::new("a", "Iran's leader said talks were over.").date("2025-07-01");
        assert_eq!(leaders(&r), ["Ali Khamenei:1"]);
        let r = Report::new("a", "The Russian leader said talks would go on.").date("2025-07-01");
        assert_eq!(leaders(&r), ["Vladimir Putin:1"]);
        let r = Report::new("a", "The Kremlin leader said talks would go on.").date("2025-07-01");
        assert_eq!(leaders(&r), ["Vladimir Putin:1"]);
        // The President is still named by his office.
        let r = Report::new("a", "The Iranian President said talks were over.").date("2025-07-01");
        assert_ne!(leaders(&r), ["Ali Khamenei:1"]);
        assert_eq!(leaders(&r).len(), 1);
    }

    #[test]
    fn a_role_in_old_news_resolves_to_nobody() {
        let r = Report::new("a", "The Soviet leader and the Russian President met.").date("1987-03-01");
        assert!(leaders(&r).is_empty());
    }

    #[test]
    fn a_role_followed_by_a_name_counts_the_name_once() {
        let r = Report::new("a", "Russian President Vladimir Putin spoke.").date("2024-03-01");
        assert_eq!(leaders(&r), ["Vladimir Putin:1"]);
    }

    #[test]
    fn a_possessive_country_role_resolves() {
        let r = Report::new("a", "Iran's foreign minister said talks were over.").date("2025-07-01");
        assert_eq!(leaders(&r).len(), 1);
    }

    #[test]
    fn discovered_names_work_in_all_caps_text() {
        let r = Report::new("a", "PRESIDENT KENNEDY SAID IT. KENNEDY LEFT FOR BERLIN.").date("1963-06-20");
        assert_eq!(leaders(&r), ["Kennedy:2"]);
    }

    #[test]
    fn all_caps_is_decided_on_the_letters_of_the_sample() {
        assert!(is_all_caps("PRESIDENT KENNEDY SAID IT."));
        assert!(is_all_caps("ÉLYSÉE: MACRON À KYIV, 2024"));
        assert!(!is_all_caps("President Kennedy said it."));
        assert!(!is_all_caps("1987, 2024 -- ..."));
        // 80 % exactly is not above the ratio; one more capital is.
        assert!(!is_all_caps("ABCD EFGH ab"));
        assert!(is_all_caps("ABCD EFGHI ab"));
        // Only the sample counts: a long ALL-CAPS opening decides, whatever follows.
        let text = format!("{}{}", "WORD ".repeat(200), "word ".repeat(400));
        assert!(is_all_caps(&text));
        let text = format!("{}{}", "word ".repeat(30), "WORD ".repeat(400));
        assert!(!is_all_caps(&text));
    }

    /// The count one character at a time that `is_all_caps` speeds up eight ASCII bytes at a
    /// time: both must decide every text alike.
    fn is_all_caps_by_chars(text: &str) -> bool {
        let max_lower = (CAPS_SAMPLE_LETTERS as f64 * (1.0 - ALL_CAPS_RATIO)) as usize;
        let (mut upper, mut letters) = (0usize, 0usize);
        for c in text.chars().filter(|c| c.is_alphabetic()).take(CAPS_SAMPLE_LETTERS) {
            letters += 1;
            upper += usize::from(c.is_uppercase());
            if letters - upper > max_lower {
                return false;
            }
        }
        letters > 0 && upper as f64 / letters as f64 > ALL_CAPS_RATIO
    }

    #[test]
    fn ascii_letters_are_counted_per_byte() {
        let count = |s: &[u8; 8]| ascii_letters(u64::from_le_bytes(*s));
        assert_eq!(count(b"AZaz@[`{"), Some((2, 2)));
        assert_eq!(count(b"Hello, W"), Some((2, 4)));
        assert_eq!(count(b"\x7f\x00 09_~|"), Some((0, 0)));
        assert_eq!(count(&[b'A', 0xC3, 0x89, b'B', b'c', b'd', b'e', b'f']), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        #[test]
        fn all_caps_counts_as_the_characters_do(
            // Mostly capitals, so that many texts are decided near the ratio.
            text in "([A-Z ]{1,12}|[A-Z.,]{1,12}|[a-z]{1,4}|[ .,0-9]{1,3}|[ÉÀéàßΣσ]|\\PC){0,300}"
        ) {
            proptest::prop_assert_eq!(is_all_caps(&text), is_all_caps_by_chars(&text), "{:?}", text);
        }
    }
}
