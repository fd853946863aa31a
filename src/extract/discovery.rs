//! Discovery: leaders the lexicon does not know, found by how news writing introduces them.
//!
//! News stories introduce an official once with a title or a role and then use the surname:
//! "Treasury Secretary James Baker said … Baker added". Three introductions are recognised,
//! all on the analysed terms plus the bytes between them (punctuation is not a term):
//!
//! 1. **title before the name**: a role head word ("President", "Minister", "Secretary",
//!    "governor", "aide", "spokesman", …, see [`ROLE_HEADS`]) directly followed by a name —
//!    "Finance Minister Barend du Plessis", "Putin's aide Yuri Ushakov",
//!    "Bank of Japan Governor Satoshi Sumita";
//! 2. **"of" titles**: "Secretary of State George Shultz", "Governor of the Bank of England
//!    Robin Leigh-Pemberton": after "ROLE of (the)", a run of capitalised words whose last one
//!    or two words are the name (the words before them name the office);
//! 3. **apposition**: a name of two or more words, a comma, at most [`MAX_APPOSITION_GAP`]
//!    words and a role head — "Michel Camdessus, managing director of the IMF",
//!    "Yuri Ushakov, Putin's aide".
//!
//! A *name word* starts with a capital (in ALL-CAPS or Title-Case text any word can), is not
//! a common English word ([`STOP_WORDS`]), a month or weekday, a role word, or an acronym, and
//! name particles (de, von, al, bin…) may sit inside a name. Precision comes from the role
//! head: a capitalised pair alone ("Middle East") is never a person, and a role phrase with no
//! name after it ("Treasury Secretary said") yields nothing.
//!
//! What this module does not do: decide whether a discovered name is a lexicon leader, or
//! count later mentions — [`super::leaders`] does both.

use super::matcher::{FxHashMap, FxHashSet, Keys, PhraseSet};
use crate::analysis::{self, Tagged, Term};

/// Words that, directly before a name, make it an office holder or official.
pub const ROLE_HEADS: &[&str] = &[
    "president",
    "vice-president",
    "premier",
    "minister",
    "secretary",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "emir",
    "sheikh",
    "sultan",
    "shah",
    "pope",
    "ayatollah",
    "governor",
    "chairman",
    "chairwoman",
    "chair",
    "director",
    "commissioner",
    "representative",
    "ambassador",
    "envoy",
    "aide",
    "adviser",
    "advisor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "senator",
    "sen",
    "congressman",
    "congresswoman",
    "speaker",
    "leader",
    "mayor",
    "negotiator",
    "diplomat",
    "undersecretary",
    "under-secretary",
    "deputy",
    "chief",
    "head",
    "dictator",
    "monarch",
    "treasurer",
    "comptroller",
    "commander",
    "marshal",
    "admiral",
    "attorney-general",
    "president-elect",
    "secretary-general",
    "executive",
    "officer",
    "financier",
    "investor",
    "tycoon",
    "magnate",
    "industrialist",
    "arbitrager",
    "arbitrageur",
];

/// Royal and religious titles, which stay part of the name shown ("King Fahd").
const STYLED_HEADS: &[&str] =
    &["king", "queen", "prince", "princess", "emir", "sheikh", "sultan", "shah", "pope", "ayatollah"];

/// Words after which "General" is part of a title ("Secretary General", "Attorney General").
const GENERAL_AFTER: &[&str] =
    &["secretary", "attorney", "director", "solicitor", "inspector", "postmaster", "surgeon"];

/// Lower-case words that may sit inside a name ("Barend du Plessis", "Ali al-Sabah").
pub(crate) const PARTICLES: &[&str] = &[
    "de", "du", "des", "da", "di", "do", "dos", "van", "von", "der", "den", "ter", "al", "el", "bin", "ibn", "la", "le",
];

/// Common English words, months and weekdays: never a name word, so a name in ALL-CAPS or
/// Title-Case text ends at them ("PRESIDENT KENNEDY SAID", "Baker Says").
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "ago",
    "all",
    "almost",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "around",
    "as",
    "asked",
    "at",
    "back",
    "be",
    "because",
    "been",
    "before",
    "behind",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "called",
    "came",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "early",
    "either",
    "else",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "gave",
    "get",
    "gets",
    "give",
    "given",
    "go",
    "goes",
    "going",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "last",
    "late",
    "later",
    "least",
    "less",
    "let",
    "like",
    "made",
    "make",
    "makes",
    "many",
    "may",
    "me",
    "meanwhile",
    "met",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "neither",
    "never",
    "new",
    "next",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "per",
    "put",
    "rather",
    "said",
    "same",
    "say",
    "saying",
    "says",
    "see",
    "seen",
    "sees",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "to",
    "today",
    "told",
    "tomorrow",
    "too",
    "took",
    "toward",
    "towards",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "week",
    "went",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "year",
    "yesterday",
    "yet",
    "you",
    "your",
    "urged",
    "warned",
    "added",
    "announced",
    "declared",
    "insisted",
    "noted",
    "stressed",
    "expects",
    "expected",
    "wants",
    "wanted",
    "plans",
    "planned",
    "backs",
    "urges",
    "warns",
    "hints",
    "tells",
    "meets",
    "visits",
    "visit",
    "visited",
    "arrived",
    "arrives",
    "left",
    "leaves",
    "sent",
    "sends",
    "signed",
    "signs",
    "agreed",
    "agrees",
    "rejected",
    "rejects",
    "denied",
    "denies",
    "confirmed",
    "confirms",
    "predicted",
    "predicts",
    "believes",
    "believed",
    "thinks",
    "thought",
    "hopes",
    "hoped",
    "calls",
    "named",
    "resigned",
    "resigns",
    "appointed",
    "elected",
    "replaced",
    "replaces",
    "succeeded",
    "succeeds",
    "quoted",
    "writes",
    "wrote",
    "spoke",
    "speaks",
    "talks",
    "talked",
    "held",
    "holds",
    "ordered",
    "orders",
    "offered",
    "offers",
    "proposed",
    "proposes",
    "opposed",
    "opposes",
    "supported",
    "supports",
    "praised",
    "criticised",
    "criticized",
    "accused",
    "accuses",
    "defended",
    "defends",
    "ruled",
    "rules",
    "repeated",
    "repeats",
    "reaffirmed",
    "pledged",
    "pledges",
    "vowed",
    "vows",
    "set",
    "sets",
    "seeks",
    "sought",
    "asks",
    "tried",
    "tries",
    "failed",
    "fails",
    "returned",
    "returns",
    "ended",
    "ends",
    "began",
    "begins",
    "took",
    "takes",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "lord",
    "lady",
    "general",
    "gen",
    "col",
    "lt",
    "sgt",
    "maj",
    "capt",
    "foreign",
    "finance",
    "trade",
    "defence",
    "defense",
    "state",
    "treasury",
    "interior",
    "economy",
    "economic",
    "agriculture",
    "energy",
    "oil",
    "budget",
    "prime",
    "vice",
    "acting",
    "former",
    "ex",
    "then",
    "reserve",
    "federal",
    "central",
    "bank",
    "national",
    "council",
    "office",
    "department",
    "ministry",
    "government",
    "party",
    "union",
    "group",
    "committee",
    "board",
    "commission",
    "house",
    "senate",
    "congress",
    "parliament",
    "assembly",
    "court",
    "agency",
    "exchequer",
    "cabinet",
    "administration",
    "minister",
    "ministers",
    "reuters",
    "ap",
    "afp",
    "upi",
    "time",
    "operating",
    "managing",
    "assistant",
    "justice",
    "staff",
    "affairs",
    "relations",
    // Words that end organisations' names ("Nikko Securities Co", "Saudi Press Agency").
    "institute",
    "agreement",
    "authority",
    "press",
    "street",
    "co",
    "corp",
    "inc",
    "ltd",
    "plc",
    "company",
    "services",
    "airlines",
    "association",
    "organisation",
    "organization",
    "fund",
    "bureau",
    "corporation",
    "trust",
    "holdings",
    "industries",
    "international",
    "securities",
    "exchange",
    "market",
    "markets",
    "university",
    "foundation",
    "institution",
    "news",
    "times",
    "post",
    "journal",
    "magazine",
    "productions",
    "world",
    "bulletin",
    "gazette",
    "radio",
    "television",
    "network",
    "systems",
    "airways",
    "motors",
    // Words of firms' names in other languages and trades ("Banque Paribas", "Gruppo
    // Ferruzzi", "Edison Electric", "Federal Deposit Insurance Corp").
    "banque",
    "banco",
    "banca",
    "gruppo",
    "groupe",
    "cie",
    "compagnie",
    "deutsche",
    "automobiles",
    "insurance",
    "electric",
    "semiconductor",
    "gas",
    "financial",
    "tax",
    "mining",
    "chemical",
    "chemicals",
    "petroleum",
    "seaway",
    "caisse",
    "nationale",
    "societe",
    "financiere",
    "francaise",
    "revenue",
    "machines",
    "concerning",
    "regarding",
    "suggested",
    "suggests",
    "admitted",
    "conceded",
    "retorted",
    "replied",
    "answered",
    "reported",
    "received",
    "flew",
    "came",
    "reason",
    "stock",
    "loan",
    "bond",
    "bonds",
    "futures",
    "commodity",
    "credit",
    "savings",
    "rubber",
    "coffee",
    "sugar",
    "grain",
    "wheat",
    "cocoa",
    "democrat",
    "democrats",
    "republican",
    "republicans",
    "labour",
    "labor",
    "conservative",
    "liberal",
    "socialist",
    "communist",
    "rio",
    "sao",
    "san",
    "santa",
    "los",
    "las",
    "port",
    "fort",
    "mount",
    "lake",
    "river",
    "gulf",
    "cape",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
];

/// Words between an apposition's comma and its role head ("X, the French foreign minister,").
pub const MAX_APPOSITION_GAP: usize = 5;

/// Name words a discovered name may have (particles and initials not counted).
const MAX_NAME_WORDS: usize = 4;

/// A person introduced in a text, by where the name stands in it: nothing is copied out of
/// the text, since most people a report introduces turn out to be lexicon leaders or are met
/// again, and their names are never needed as strings ([`Discovery::display`] writes one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Introduced {
    /// The name's terms are `start..end` of the text's.
    pub start: usize,
    pub end: usize,
    /// Where its surname starts (the last word; several terms when hyphenated).
    pub surname_start: usize,
    /// A styled head written right before the name ("Sheikh"), shown with it.
    pub style: Option<usize>,
}

impl Introduced {
    /// The analysed terms of the whole name, in `t`, the text it was found in.
    pub fn terms<'t>(&self, t: &'t Text<'_>) -> &'t [Term] {
        t.terms.get(self.start..self.end).unwrap_or_default()
    }

    /// The analysed terms of the surname, in `t`.
    pub fn surname<'t>(&self, t: &'t Text<'_>) -> &'t [Term] {
        t.terms.get(self.surname_start..self.end).unwrap_or_default()
    }

    /// Whether the name is its surname alone ("President Reagan").
    pub fn is_surname_only(&self) -> bool {
        self.start == self.surname_start
    }

    /// The ids of the name's terms in the lexicons' [`Vocab`], in `t`.
    pub fn ids<'t>(&self, t: &'t Text<'_>) -> &'t [u32] {
        t.ids.get(self.start..self.end).unwrap_or_default()
    }
}

/// Whether two runs of terms are the same words.
pub(crate) fn same_terms(a: &[Term], b: &[Term]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.text == y.text)
}

/// The role, stop and particle vocabularies, analysed once.
pub(crate) struct Discovery {
    /// Stem of each role head → the head words as written (lower case), since several
    /// ordinary words share a head's stem ("Senate"/"senator", "aid"/"aide", "represents").
    heads: FxHashMap<u32, Vec<&'static str>>,
    particles: FxHashSet<String>,
    styled: FxHashSet<String>,
    /// Place and organisation names and triggers, analysed: never part of a person's name.
    places: PhraseSet<()>,
    /// The [`Class`] bits of each term id (of the shared [`Vocab`]; ids past the end have
    /// none): a term's class is an index, not a lookup.
    classes: Vec<u8>,
    of: u32,
    the: u32,
    and: u32,
    s: u32,
}

/// Term ids tested at once for an "of" ([`Discovery`]'s scan).
const OF_BLOCK: usize = 32;

/// How the text around a term is written.
#[derive(Clone, Copy)]
pub(crate) struct Text<'a> {
    pub text: &'a str,
    pub terms: &'a [Term],
    /// The id of each term in the lexicons' [`Vocab`].
    pub ids: &'a [u32],
    /// Whether each term starts with a capital: asked of most terms by several patterns, so
    /// noted once, by the analyzer ([`crate::analysis::Marks`]).
    pub caps: &'a [bool],
    /// The indices of the capitalised terms, in order.
    pub capitalised_at: &'a [usize],
    /// The indices of the terms with a comma right before them, in order.
    pub after_comma: &'a [usize],
    /// Capitals carry no information (ALL-CAPS or Title-Case text).
    pub caps_uninformative: bool,
}

impl<'a> Text<'a> {
    /// `text` as the tagging analyzer saw it.
    pub fn new(text: &'a str, tagged: Tagged<'a>, caps_uninformative: bool) -> Text<'a> {
        Text {
            text,
            terms: tagged.terms,
            ids: tagged.tags,
            caps: tagged.caps,
            capitalised_at: tagged.capitalised_at,
            after_comma: tagged.after_comma,
            caps_uninformative,
        }
    }
}

impl Text<'_> {
    /// The bytes between term `i - 1` and term `i` (empty for the first term).
    pub fn gap(&self, i: usize) -> &str {
        if i == 0 || i >= self.terms.len() {
            return "";
        }
        self.text.get(self.terms[i - 1].end..self.terms[i].start).unwrap_or("")
    }

    /// The word as written.
    pub fn surface(&self, i: usize) -> &str {
        self.text.get(self.terms[i].start..self.terms[i].end).unwrap_or("")
    }

    /// Whether term `i` starts with a capital letter.
    pub fn is_capitalised(&self, i: usize) -> bool {
        self.caps.get(i).copied().unwrap_or(false)
    }

    /// Whether term `i` is written in capitals only, two letters or more (an acronym).
    pub(crate) fn is_acronym(&self, i: usize) -> bool {
        let s = self.surface(i);
        !is_one_char(s) && !s.is_empty() && s.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
    }
}

/// Whether `s` is exactly one character (an initial), without counting them all.
fn is_one_char(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some() && chars.next().is_none()
}

/// Whether a gap between two name words keeps them in one name: spaces or a line break.
pub(crate) fn is_space(gap: &str) -> bool {
    !gap.is_empty() && gap.chars().all(char::is_whitespace)
}

/// Whether a gap joins two parts of one word ("Leigh-Pemberton", "O'Neill").
fn is_joiner(gap: &str) -> bool {
    matches!(gap, "-" | "'" | "’" | "‑")
}

/// Bits of a word's class in [`Discovery`]'s vocabulary.
struct Class;

impl Class {
    const STOP: u8 = 1;
    const HEAD: u8 = 2;
    const PARTICLE: u8 = 4;
    const GENERAL_AFTER: u8 = 8;
    const GENERAL: u8 = 16;
    /// Set by the scan, not by the vocabulary: the term is a role head in its context.
    const IS_HEAD: u8 = 32;
    /// Set by the scan: the term can be (part of) a name.
    const IS_NAME: u8 = 64;
}

/// A text with each term classified once, so the patterns test flags instead of hash sets.
pub(crate) struct Scan<'a> {
    text: Text<'a>,
    /// Per term, its [`Class`] bits and what the scan decided (`IS_HEAD`, `IS_NAME`): one
    /// array rather than one per flag, as each costs a zeroed allocation per text.
    flags: Vec<u8>,
    /// The terms that are role heads, in order: the patterns start only there.
    heads_at: Vec<usize>,
    /// The terms that can be name words, in order.
    names_at: Vec<usize>,
}

impl<'a> std::ops::Deref for Scan<'a> {
    type Target = Text<'a>;

    fn deref(&self) -> &Text<'a> {
        &self.text
    }
}

impl Discovery {
    /// `places`: names and triggers of places and organisations, as term ids.
    pub fn new(keys: &mut Keys<'_>, places: &[Vec<u32>]) -> Discovery {
        // Hyphenated heads analyse to two terms; their last term is the head.
        let mut heads: FxHashMap<u32, Vec<&'static str>> = FxHashMap::default();
        for head in ROLE_HEADS {
            let last = head.rsplit('-').next().unwrap_or(head);
            if let Some(&id) = keys.ids(last).last() {
                heads.entry(id).or_default().push(last);
            }
        }
        let analyzer = &mut keys.analyzer;
        let mut set = |words: &[&str]| -> FxHashSet<String> {
            words.iter().flat_map(|w| analysis::terms(analyzer, w)).map(|t| t.text).collect()
        };
        let general_after = set(GENERAL_AFTER);
        let particles = set(PARTICLES);
        let stop = set(STOP_WORDS);
        let styled = set(STYLED_HEADS);
        let vocab = &mut keys.vocab;
        let mut classes: Vec<u8> = Vec::new();
        let mut add = |id: u32, class: u8| {
            let id = id as usize;
            if classes.len() <= id {
                classes.resize(id + 1, 0);
            }
            classes[id] |= class;
        };
        for (words, class) in
            [(&stop, Class::STOP), (&particles, Class::PARTICLE), (&general_after, Class::GENERAL_AFTER)]
        {
            for w in words {
                add(vocab.intern(w), class);
            }
        }
        for &id in heads.keys() {
            add(id, Class::HEAD);
        }
        add(keys.id("general"), Class::GENERAL);
        let mut place_set = PhraseSet::default();
        for ids in places {
            place_set.insert(ids, ());
        }
        Discovery {
            classes,
            heads,
            particles,
            styled,
            places: place_set,
            of: keys.id("of"),
            the: keys.id("the"),
            and: keys.id("and"),
            s: keys.id("s"),
        }
    }

    /// The [`Class`] bits of term id `id`.
    fn class(&self, id: u32) -> u8 {
        self.classes.get(id as usize).copied().unwrap_or(0)
    }

    /// Whether term id `id` is a name particle (de, von, al, bin…).
    pub fn is_particle_id(&self, id: u32) -> bool {
        self.class(id) & Class::PARTICLE != 0
    }

    /// Whether term id `id` may be a word of a name and is nothing else: not a common word,
    /// a title, an honorific or a particle.
    pub fn is_plain_name_id(&self, id: u32) -> bool {
        self.class(id) == 0
    }

    /// Classifies every term of `text` once.
    ///
    /// Only words that can take part in a pattern get a class: in mixed-case text a
    /// lower-case word matters only as a title before a capital, a comma or "of" ("finance
    /// minister Jaime Ongpin", "governor of the Bank of Greece, …"), or as the role of an
    /// apposition a few words after "Name," — most words are none of these. So the work
    /// follows the capitals, the commas and the "of"s, not every term.
    fn scan<'a>(&self, text: &Text<'a>) -> Scan<'a> {
        let n = text.terms.len();
        let mut classes = vec![0u8; n];
        // Terms that got a class or are capitalised: the only ones pass 2 looks at.
        let mut active: Vec<usize> = Vec::with_capacity(text.capitalised_at.len() * 2);
        if text.caps_uninformative {
            for (i, class) in classes.iter_mut().enumerate() {
                *class = self.class(text.ids[i]);
            }
            active.extend(0..n);
        } else {
            let lower = |i: usize, classes: &mut [u8], active: &mut Vec<usize>| {
                if !text.is_capitalised(i) {
                    // A lower-case word is never a name: its stop class does not matter.
                    classes[i] = self.class(text.ids[i]) & !Class::STOP;
                    if classes[i] != 0 {
                        active.push(i);
                    }
                }
            };
            for &i in text.capitalised_at {
                classes[i] = self.class(text.ids[i]);
                active.push(i);
                // A word before a capital, and the word before a particle there ("von" of
                // "von der Leyen").
                if i > 0 {
                    lower(i - 1, &mut classes, &mut active);
                    if i > 1 && classes[i - 1] & Class::PARTICLE != 0 {
                        lower(i - 2, &mut classes, &mut active);
                    }
                }
            }
            for &k in text.after_comma {
                // A word before a comma; after "Name," the few words of an apposition.
                lower(k - 1, &mut classes, &mut active);
                if text.is_capitalised(k - 1) {
                    for j in k..n.min(k + MAX_APPOSITION_GAP + 1) {
                        lower(j, &mut classes, &mut active);
                    }
                }
            }
            // A word before "of". Most stretches of text hold none: a branch-free test per
            // block of ids (which the compiler vectorises) skips them.
            for (b, block) in text.ids.chunks(OF_BLOCK).enumerate() {
                if !block.iter().fold(false, |any, &id| any | (id == self.of)) {
                    continue;
                }
                for (j, &id) in block.iter().enumerate() {
                    let i = b * OF_BLOCK + j;
                    if i > 0 && id == self.of {
                        lower(i - 1, &mut classes, &mut active);
                    }
                }
            }
            active.sort_unstable();
            active.dedup();
        }
        let (mut heads_at, mut names_at) = (Vec::new(), Vec::new());
        for &i in &active {
            if classes[i] == 0 && !(text.caps_uninformative || text.is_capitalised(i)) {
                continue;
            }
            let term = &text.terms[i].text;
            let head = if classes[i] & Class::GENERAL != 0 {
                i > 0 && classes[i - 1] & Class::GENERAL_AFTER != 0
            } else {
                classes[i] & Class::HEAD != 0
                    && self
                        .heads
                        .get(&text.ids[i])
                        .is_some_and(|words| words.iter().any(|w| text.surface(i).eq_ignore_ascii_case(w)))
            };
            // A name word starts with a letter (a capital, in mixed-case text), so it is never
            // a number: no need to read the term's bytes for digits.
            let name = classes[i] & Class::STOP == 0
                && !head
                && !term.is_empty()
                && if text.caps_uninformative {
                    term.chars().next().is_some_and(char::is_alphabetic)
                } else {
                    // A single capital followed by "." is an initial ("James A. Baker"), not an acronym.
                    text.is_capitalised(i) && (!text.is_acronym(i) || is_one_char(text.surface(i)))
                };
            if head {
                classes[i] |= Class::IS_HEAD;
                heads_at.push(i);
            }
            if name {
                classes[i] |= Class::IS_NAME;
                names_at.push(i);
            }
        }
        Scan { text: *text, flags: classes, heads_at, names_at }
    }

    /// Whether term `i` is a role head.
    fn is_head(&self, t: &Scan<'_>, i: usize) -> bool {
        t.flags[i] & Class::IS_HEAD != 0
    }

    /// Whether term `i` can be (part of) a name word.
    fn is_name_word(&self, t: &Scan<'_>, i: usize) -> bool {
        t.flags[i] & Class::IS_NAME != 0
    }

    fn is_particle(&self, t: &Scan<'_>, i: usize) -> bool {
        t.flags[i] & Class::PARTICLE != 0
    }

    /// Reads a name starting at term `i`: name words separated by spaces, hyphens inside a
    /// word, particles and initials inside. Returns the term range (end exclusive), or None.
    fn read_name(&self, t: &Scan<'_>, i: usize, max_words: usize) -> Option<(usize, usize)> {
        if i >= t.terms.len() || !self.is_name_word(t, i) {
            return None;
        }
        let mut end = i + 1;
        let mut words = 1;
        let mut last_word_end = end;
        while end < t.terms.len() {
            let gap = t.gap(end);
            let prev_is_initial = is_one_char(t.surface(end - 1)) && t.is_capitalised(end - 1);
            if is_joiner(gap) {
                // A possessive "'s" ends the name; "-Pemberton" or "'Neill" continues the word.
                if t.ids[end] == self.s && t.surface(end).len() == 1 {
                    break;
                }
                let lower_part = gap == "-" && t.surface(end).chars().all(char::is_alphabetic);
                if self.is_name_word(t, end) || self.is_particle(t, end) || lower_part {
                    end += 1;
                    if self.is_name_word(t, end - 1) || lower_part {
                        last_word_end = end;
                    }
                    continue;
                }
                break;
            }
            let spaced = is_space(gap) || (prev_is_initial && gap.trim() == ".");
            if !spaced {
                break;
            }
            // Particles inside a name are not among its words, even when capitalised
            // ("COUVE DE MURVILLE", "Perez de Cuellar"); up to two in a row ("Ursula von der
            // Leyen", "Maria de la Cruz"), then a name word.
            let mut after = end;
            while after < t.terms.len()
                && after - end < 2
                && self.is_particle(t, after)
                && (after == end || is_space(t.gap(after)))
            {
                after += 1;
            }
            let particle_inside = after > end && after < t.terms.len() && self.is_name_word(t, after);
            if particle_inside {
                end = after;
            } else if self.is_name_word(t, end) {
                if words == max_words {
                    break;
                }
                words += 1;
                end += 1;
                last_word_end = end;
            } else {
                break;
            }
        }
        // A name never ends on a particle or a lone initial.
        let end = last_word_end;
        if is_one_char(t.surface(end - 1)) {
            return None;
        }
        Some((i, end))
    }

    /// The first term of the last word of the name `start..end`.
    fn surname_start(&self, t: &Scan<'_>, start: usize, end: usize) -> usize {
        let mut s = end - 1;
        while s > start && is_joiner(t.gap(s)) {
            s -= 1;
        }
        // A particle before the surname belongs to it ("de Kock" → "Kock" is enough).
        s
    }

    /// Every person introduced in `t`, in order of introduction.
    pub fn find(&self, text: &Text<'_>, title: Option<&Text<'_>>) -> Vec<Introduced> {
        let scan = self.scan(text);
        let t = &scan;
        let mut out: Vec<Introduced> = Vec::new();
        let n = t.terms.len();
        // Heads inside a name just read are skipped.
        let mut next = 0;
        for &i in &t.heads_at {
            if i < next {
                continue;
            }
            let max_words = if t.caps_uninformative { 3 } else { MAX_NAME_WORDS };
            let mut found = None;
            if i + 1 < n && is_space(t.gap(i + 1)) {
                // 1. Title before the name. After a lower-case head ("finance minister") a
                //    single word is too often not a name ("head Bofors"): ask for two.
                let min_words = if t.caps_uninformative || t.is_capitalised(i) { 1 } else { 2 };
                found = self.read_name(t, i + 1, max_words).filter(|&(s, e)| self.num_words(t, s, e) >= min_words);
            }
            if found.is_none() && i + 1 < n && t.gap(i + 1).trim() == "," {
                // 1b. "its governor, Robin Leigh-Pemberton, said": two words at least.
                found = self.read_name(t, i + 1, max_words).filter(|&(s, e)| self.num_words(t, s, e) >= 2);
            }
            if found.is_none() {
                // 3. Apposition: "Name Name, [≤5 words] ROLE".
                found = self.apposition(t, i);
            }
            if found.is_none() && i + 1 < n && t.ids[i + 1] == self.of && is_space(t.gap(i + 1)) {
                // 2. "ROLE of (the) Office Words Name Name".
                found = self.of_title(t, i + 2);
            }
            found = found.filter(|&(s, e)| !self.names_a_place(t, s, e));
            if let Some((start, end)) = found {
                let style = (start == i + 1 && self.styled.contains(&t.terms[i].text)).then_some(i);
                self.push(t, start, end, style, &mut out);
                next = end.max(i + 1);
            }
        }
        self.speakers(t, title, &mut out);
        out
    }

    /// Words of the name `start..end`, hyphenated parts and particles not counted.
    fn num_words(&self, t: &Scan<'_>, start: usize, end: usize) -> usize {
        (start..end).filter(|&k| (k == start || !is_joiner(t.gap(k))) && !self.is_particle(t, k)).count()
    }

    /// Whether some words of `start..end` name a place or an organisation ("Saudi Press").
    fn names_a_place(&self, t: &Scan<'_>, start: usize, end: usize) -> bool {
        // A place of up to three words inside the name, found without copying its terms.
        let within = &t.ids[..end];
        (start..end).any(|k| self.places.longest_at(within, k, |_, len, _| len <= 3).is_some())
    }

    fn of_title(&self, t: &Scan<'_>, mut j: usize) -> Option<(usize, usize)> {
        let n = t.terms.len();
        if j < n && t.ids[j] == self.the {
            j += 1;
        }
        // The run: capitalised words joined by spaces, hyphens or inner "of"/"the".
        let start = j;
        let mut end = j;
        while end < n {
            let gap = t.gap(end);
            // "President of the Brazilian Coffee Institute (IBC) Jorio Dauster"
            if end > start && gap.trim() == "(" && end + 1 < n && t.gap(end + 1).trim() == ")" {
                end += 1;
                continue;
            }
            if end > start && !(is_space(gap) || is_joiner(gap) || gap.trim() == ")") {
                break;
            }
            let cap = t.caps_uninformative || t.is_capitalised(end);
            let id = t.ids[end];
            let inner = (id == self.of || id == self.the || id == self.and) && end > start;
            if !(cap || inner) {
                break;
            }
            end += 1;
        }
        // "the Governor of the Bank of Greece, Dimitris Halikias, said"
        if end < n
            && end > start
            && t.gap(end).trim() == ","
            && let Some(found) = self.read_name(t, end, MAX_NAME_WORDS).filter(|&(s, e)| self.num_words(t, s, e) >= 2)
        {
            return Some(found);
        }
        // Words of the run (a hyphenated word is one word, a parenthesised acronym none).
        let mut words: Vec<usize> = Vec::new();
        for k in start..end {
            let paren = t.gap(k).trim() == "(" || (k + 1 < n && t.gap(k + 1).trim() == ")");
            if !paren && (k == start || !is_joiner(t.gap(k))) {
                words.push(k);
            }
        }
        // Office words, then a first name and a surname: three words at least ("Secretary of
        // State Shultz" is given up; "head of Wall Street's" must not make "Street" a person).
        if words.len() < 3 {
            return None;
        }
        // A first name and a surname, or a single name ("Minister of Mines and Energy Subroto").
        for take in [2, 1] {
            let name_start = words[words.len() - take];
            if (name_start..end).all(|k| self.is_name_word(t, k) || self.is_particle(t, k) || is_joiner(t.gap(k))) {
                return self.read_name(t, name_start, take);
            }
        }
        None
    }

    fn apposition(&self, t: &Scan<'_>, head: usize) -> Option<(usize, usize)> {
        // Walk back from the head to a comma, over at most MAX_APPOSITION_GAP words.
        let mut k = head;
        let mut comma_at = None;
        for _ in 0..=MAX_APPOSITION_GAP {
            let gap = t.gap(k);
            if gap.contains(',') && gap.trim() == "," {
                comma_at = Some(k);
                break;
            }
            if k == 0 || !(is_space(gap) || is_joiner(gap) || gap.trim() == ".") {
                return None;
            }
            // Another title with its own name in between ("…, Foreign Secretary Geoffrey Howe
            // and Governor"): the role is not this comma's.
            if k < head && self.is_head(t, k) && self.is_name_word(t, k + 1) {
                return None;
            }
            k -= 1;
        }
        let comma_at = comma_at?;
        if comma_at == 0 {
            return None;
        }
        // The name ends right before the comma; read it backwards.
        let end = comma_at;
        let mut start = end - 1;
        if !self.is_name_word(t, start) {
            return None;
        }
        let mut words = 1;
        while start > 0 {
            let gap = t.gap(start);
            let prev = start - 1;
            if is_joiner(gap) && (self.is_name_word(t, prev) || self.is_particle(t, prev)) {
                start = prev;
                continue;
            }
            if !(is_space(gap) || gap.trim() == "." && is_one_char(t.surface(prev))) {
                break;
            }
            if self.is_name_word(t, prev) && words < MAX_NAME_WORDS {
                words += 1;
                start = prev;
            } else if self.is_particle(t, prev) && prev > 0 && self.is_name_word(t, prev - 1) {
                start = prev;
            } else {
                break;
            }
        }
        // One word before a comma is too often a place or a sentence opener ("Tokyo, the…").
        if words < 2 || self.is_head(t, start.saturating_sub(1)) && start > 0 {
            return None;
        }
        Some((start, end))
    }

    /// Names of two or three words whose surname also stands alone before a reporting verb
    /// ("Ivan Boesky … Boesky said"): people quoted or reported on, introduced without a title.
    fn speakers(&self, t: &Scan<'_>, title: Option<&Text<'_>>, out: &mut Vec<Introduced>) {
        if t.caps_uninformative {
            return;
        }
        let n = t.terms.len();
        // Where a name word stands alone. A name qualifies by its surname standing alone
        // later on; the few names that get that far are compared with these few words, which
        // costs less than hashing every lone word.
        let mut lone: Vec<usize> = Vec::new();
        // Cheap tests first: most terms are not name words.
        for &k in t.names_at.iter().filter(|&&k| t.terms[k].end - t.terms[k].start > 2) {
            let joined_before = k > 0 && (is_joiner(t.gap(k)) || is_space(t.gap(k)) && self.is_name_word(t, k - 1));
            let joined_after =
                k + 1 < n && (t.gap(k + 1) == "-" || is_space(t.gap(k + 1)) && self.is_name_word(t, k + 1));
            if !joined_before && !joined_after {
                lone.push(k);
            }
        }
        // Title-Case headlines capitalise every word, so their words say nothing here.
        let _ = title;
        let Some(&last_lone) = lone.last() else { return };
        // Whether `surname` stands alone after term `e`.
        let alone_after =
            |surname: &str, e: usize| lone.iter().rev().take_while(|&&k| k > e).any(|&k| t.terms[k].text == surname);
        // A name must end before the last lone surname: nothing after it can qualify.
        let mut next = 0;
        for &i in t.names_at.iter().take_while(|&&i| i < last_lone) {
            if i < next {
                continue;
            }
            // A name of one word never qualifies, and a name goes on past its first word only
            // into a name word, a particle or a hyphenated part: most capitals stop here.
            let may_go_on =
                i + 1 < n && (self.is_name_word(t, i + 1) || self.is_particle(t, i + 1) || t.gap(i + 1) == "-");
            if !may_go_on {
                continue;
            }
            let starts_run = i == 0 || !self.is_name_word(t, i - 1) || !is_space(t.gap(i));
            if starts_run && let Some((s, e)) = self.read_name(t, i, 3) {
                let words = self.num_words(t, s, e);
                // "E. F. Hutton", "J. P. Morgan": initials alone before a surname are firms.
                let has_given_name = !is_one_char(t.surface(s)) && !t.surface(s).is_empty();
                if (2..=3).contains(&words)
                    && alone_after(&t.terms[e - 1].text, e)
                    && has_given_name
                    && !self.names_a_place(t, s, e)
                {
                    self.push(t, s, e, None, out);
                }
                next = e;
            }
        }
    }

    fn push(&self, t: &Scan<'_>, start: usize, end: usize, style: Option<usize>, out: &mut Vec<Introduced>) {
        // A name met again (most are) is kept once, where it was first introduced.
        let name = &t.terms[start..end];
        if out.iter().any(|p| same_terms(p.terms(t), name)) {
            return;
        }
        let surname_start = self.surname_start(t, start, end);
        out.push(Introduced { start, end, surname_start, style });
    }

    /// The name of `p`, introduced in `t`, as written (Title-Cased when the text is
    /// ALL-CAPS), after its styled head if it has one.
    pub fn display(&self, t: &Text<'_>, p: &Introduced) -> String {
        let name = display_name(t, p.start, p.end, &self.particles);
        match p.style {
            Some(h) => format!("{} {name}", display_name(t, h, h + 1, &self.particles)),
            None => name,
        }
    }
}

/// The name `start..end` as written, with words joined by one space; ALL-CAPS or
/// lower-case words are Title-Cased, particles kept lower-case inside a name.
fn display_name(t: &Text<'_>, start: usize, end: usize, particles: &FxHashSet<String>) -> String {
    let mut out = String::new();
    for k in start..end {
        if k > start {
            let gap = t.gap(k);
            if is_joiner(gap) {
                out.push_str(gap);
            } else if gap.trim() == "." {
                out.push_str(". ");
            } else {
                out.push(' ');
            }
        }
        let word = t.surface(k);
        let upper = word.chars().all(|c| !c.is_lowercase());
        if k > start && k + 1 < end && particles.contains(&t.terms[k].text) && !is_joiner(t.gap(k + 1)) {
            out.push_str(&word.to_lowercase());
        } else if upper && word.chars().count() > 1 || word.chars().next().is_some_and(char::is_lowercase) {
            let mut chars = word.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(&chars.as_str().to_lowercase());
            }
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Each introduction pattern, ALL-CAPS text, and what must not be a person.
    use super::*;
    use crate::analysis::{Marks, analyzer};

    fn found(text: &str) -> Vec<String> {
        let mut keys = Keys::new(analyzer());
        let saudi = keys.ids("saudi");
        let d = Discovery::new(&mut keys, &[saudi]);
        let (mut a, vocab) = keys.finish();
        let terms = analysis::terms(&mut a, text);
        let ids = vocab.ids(&terms);
        let caps = text.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
        let marks = Marks::of(text, &terms);
        let t = Text::new(text, marks.tagged(&terms, &ids), caps);
        d.find(&t, None).iter().map(|p| d.display(&t, p)).collect()
    }

    #[test]
    fn a_title_before_a_name_introduces_a_leader() {
        assert_eq!(found("Finance Minister Barend du Plessis said on Monday."), ["Barend du Plessis"]);
        assert_eq!(found("U.S. Trade Representative Clayton Yeutter announced it."), ["Clayton Yeutter"]);
        assert_eq!(found("Reserve Bank governor Gerhard de Kock said so."), ["Gerhard de Kock"]);
        assert_eq!(found("President Reagan said it."), ["Reagan"]);
    }

    #[test]
    fn a_possessive_role_introduces_a_leader() {
        assert_eq!(found("Putin's aide Yuri Ushakov told reporters."), ["Yuri Ushakov"]);
        assert_eq!(found("The Kremlin’s envoy Kirill Dmitriev’s trip"), ["Kirill Dmitriev"]);
    }

    #[test]
    fn an_of_title_keeps_the_last_words_as_the_name() {
        assert_eq!(found("Secretary of State George Shultz said."), ["George Shultz"]);
        assert_eq!(
            found("talks with Governor of the Bank of England Robin Leigh-Pemberton yesterday"),
            ["Robin Leigh-Pemberton"]
        );
        assert!(found("the Secretary of State said").is_empty());
    }

    #[test]
    fn an_apposition_introduces_a_leader() {
        assert_eq!(found("said Michel Camdessus, managing director of the IMF."), ["Michel Camdessus"]);
        assert_eq!(found("Hisham Nazer, the Saudi oil minister, said"), ["Hisham Nazer"]);
        assert!(found("In Tokyo, the finance minister said").is_empty());
    }

    #[test]
    fn secretary_general_and_hyphenated_names() {
        assert_eq!(found("UN Secretary-General Javier Perez de Cuellar said"), ["Javier Perez de Cuellar"]);
        assert_eq!(found("Iranian Prime Minister Mir-Hossein Mousavi said"), ["Mir-Hossein Mousavi"]);
    }

    #[test]
    fn two_particles_in_a_row_stay_inside_a_name() {
        assert_eq!(found("European Commission President Ursula von der Leyen said"), ["Ursula von der Leyen"]);
        // Particles never end a name, nor do three in a row continue one.
        assert_eq!(found("President Ursula von der said"), ["Ursula"]);
        assert_eq!(found("President Ursula von der la Leyen said"), ["Ursula"]);
    }

    #[test]
    fn all_caps_text_ends_names_at_common_words() {
        assert_eq!(
            found("THE NASSAU ACCORD BETWEEN PRESIDENT KENNEDY AND PRIME MINISTER MACMILLAN, EUROPEANS"),
            ["Kennedy", "Macmillan"]
        );
        assert_eq!(found("PRESIDENT DE GAULLE SAID"), ["De Gaulle"]);
        assert_eq!(found("FOREIGN MINISTER MAURICE COUVE DE MURVILLE SAID"), ["Maurice Couve de Murville"]);
        assert_eq!(found("PRESIDENT KENNEDY SUGGESTED A TREATY"), ["Kennedy"]);
    }

    #[test]
    fn role_words_without_a_name_are_not_people() {
        assert!(found("The Treasury Secretary said the Middle East was calm.").is_empty());
        assert!(found("the General Motors chairman said").is_empty());
        assert!(found("Prime Minister's Office said on Monday").is_empty());
        assert!(found("The President Monday signed it").is_empty());
    }
}
