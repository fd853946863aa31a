//! Deterministic generator of diplomatic-news-like corpora, for the benchmarks.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --out DIR --count N [--seed S] [--vocab V] [--days D]
//! ```
//!
//! Writes `N` reports under `DIR`, sharded into subdirectories of at most
//! [`FILES_PER_SHARD`] files (`DIR/s0000/…`), in every input format attache reads:
//! `.txt` with `KEY: value` headers, `.txt` with a WordPress footer, `.md` with YAML (`---`)
//! or TOML (`+++`) front matter, `.json` arrays of records and `.jsonl` feeds. The same
//! `--seed` and `--count` always give byte-identical files (for the same `index_schema/`,
//! whose leader and topic words are embedded at build time) (own SplitMix64 generator, no
//! dependency whose stream could change between versions).
//!
//! Why the text looks the way it does:
//! - **Lengths**: bodies of 300–1500 words, skewed towards the short end (mean ≈ 760), in
//!   paragraphs of 2–6 sentences of 6–30 words, so passages and sentence splitting have
//!   real work.
//! - **Vocabulary**: word frequencies follow a Zipf–Mandelbrot law over `--vocab` word forms
//!   (default 200,000): English function words at the top ranks, a core of real diplomatic
//!   words with their inflections (so the stemmer conflates forms) spread over the first few
//!   thousand ranks, then synthesised pseudo-words (syllable stems × English suffixes).
//!   Numbers, years and percentages add the long tail of unique terms real news has. A few
//!   thousand distinct words would make the term dictionary, the stem cache and the
//!   postings unrealistically small; this keeps finding new words as the corpus grows.
//! - **Entities**: leader names and aliases come from the embedded
//!   `index_schema/leaders.toml` (Zipf over leaders, full name first then surname, plus role
//!   phrases such as "the Russian President") and topic trigger words from `topics.toml`, so
//!   extraction has work on most sentences, as in real diplomatic reporting.
//! - **Metadata**: titles, authors, outlets, URLs and dates, uniform over `--days` days from
//!   2012-01-01 (default 5,110: 2012–2025). Scaling `--days` with `--count` keeps the reports
//!   per day, and so the reports in a story window, the same at every size.
//!
//! Memory is bounded: reports are written as they are generated (JSON and JSONL files are
//! streamed record by record); only the vocabulary (a few MB) is kept.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Most files per shard directory, so no directory grows huge at 1M reports.
const FILES_PER_SHARD: usize = 1000;
/// Records per `.json` array file.
const RECORDS_PER_JSON: usize = 20;
/// Records per `.jsonl` file.
const RECORDS_PER_JSONL: usize = 50;
/// Default number of distinct word forms.
const DEFAULT_VOCAB: usize = 200_000;
/// Zipf–Mandelbrot parameters: p(rank) ∝ 1 / (rank + Q)^S. S ≈ 1 is the classic law for
/// English text; Q flattens the very top ranks as in real corpora.
const ZIPF_S: f64 = 1.0;
const ZIPF_Q: f64 = 2.7;

const LEADERS_TOML: &str = include_str!("../index_schema/leaders.toml");
const TOPICS_TOML: &str = include_str!("../index_schema/topics.toml");

/// The most frequent English words, most frequent first: they take the top Zipf ranks.
const FUNCTION_WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "he",
    "for",
    "it",
    "with",
    "as",
    "his",
    "on",
    "be",
    "at",
    "by",
    "had",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
    "any",
    "my",
    "now",
    "such",
    "like",
    "our",
    "over",
    "man",
    "me",
    "even",
    "most",
    "made",
    "after",
    "also",
    "did",
    "many",
    "before",
    "must",
    "through",
    "back",
    "years",
    "where",
    "much",
    "your",
    "way",
    "well",
    "down",
    "should",
    "because",
    "each",
    "just",
    "those",
    "people",
    "how",
    "too",
    "little",
    "state",
    "good",
    "very",
    "make",
    "world",
    "still",
    "own",
    "see",
    "men",
    "work",
    "long",
    "get",
    "here",
    "between",
    "both",
    "life",
    "being",
    "under",
    "never",
    "day",
    "same",
    "another",
    "know",
    "while",
    "last",
    "might",
    "us",
    "great",
    "old",
    "year",
    "off",
    "come",
    "since",
    "against",
    "go",
    "came",
    "right",
    "used",
    "take",
    "three",
    "week",
    "without",
    "during",
    "told",
    "says",
    "according",
    "officials",
    "however",
];

/// Real words of diplomatic reporting, with inflections the stemmer must conflate.
const DIPLOMATIC_WORDS: &[&str] = &[
    "talks",
    "talk",
    "talked",
    "talking",
    "sanctions",
    "sanction",
    "sanctioned",
    "ceasefire",
    "ceasefires",
    "truce",
    "minister",
    "ministers",
    "ministry",
    "foreign",
    "president",
    "presidential",
    "presidency",
    "prime",
    "summit",
    "summits",
    "negotiations",
    "negotiate",
    "negotiated",
    "negotiating",
    "negotiator",
    "negotiators",
    "agreement",
    "agreements",
    "agreed",
    "agree",
    "treaty",
    "treaties",
    "diplomat",
    "diplomats",
    "diplomatic",
    "diplomacy",
    "embassy",
    "embassies",
    "ambassador",
    "ambassadors",
    "envoy",
    "envoys",
    "delegation",
    "delegations",
    "security",
    "council",
    "resolution",
    "resolutions",
    "vote",
    "voted",
    "votes",
    "military",
    "troops",
    "forces",
    "war",
    "wars",
    "conflict",
    "conflicts",
    "peace",
    "peaceful",
    "offensive",
    "strike",
    "strikes",
    "struck",
    "attack",
    "attacks",
    "attacked",
    "drone",
    "drones",
    "border",
    "borders",
    "territory",
    "territorial",
    "occupied",
    "occupation",
    "withdrawal",
    "withdraw",
    "withdrew",
    "hostages",
    "hostage",
    "prisoners",
    "prisoner",
    "exchange",
    "exchanged",
    "humanitarian",
    "aid",
    "refugees",
    "refugee",
    "civilians",
    "civilian",
    "casualties",
    "killed",
    "wounded",
    "government",
    "governments",
    "governing",
    "parliament",
    "parliamentary",
    "election",
    "elections",
    "elected",
    "opposition",
    "coalition",
    "alliance",
    "alliances",
    "allies",
    "ally",
    "allied",
    "partner",
    "partners",
    "partnership",
    "cooperation",
    "cooperate",
    "bilateral",
    "multilateral",
    "trade",
    "tariffs",
    "tariff",
    "exports",
    "imports",
    "economy",
    "economic",
    "economies",
    "energy",
    "oil",
    "gas",
    "pipeline",
    "pipelines",
    "nuclear",
    "uranium",
    "enrichment",
    "inspectors",
    "inspection",
    "inspections",
    "reactor",
    "programme",
    "program",
    "deal",
    "deals",
    "proposal",
    "proposals",
    "proposed",
    "plan",
    "plans",
    "planned",
    "statement",
    "statements",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "announced",
    "announcement",
    "warned",
    "warning",
    "warnings",
    "demanded",
    "demands",
    "condemned",
    "condemnation",
    "welcomed",
    "rejected",
    "accused",
    "accusations",
    "denied",
    "insisted",
    "stressed",
    "meeting",
    "meetings",
    "met",
    "visit",
    "visited",
    "visiting",
    "capital",
    "region",
    "regional",
    "international",
    "national",
    "sovereignty",
    "independence",
    "crisis",
    "crises",
    "tensions",
    "escalation",
    "de-escalation",
    "stability",
    "guarantees",
    "guarantee",
    "commitment",
    "commitments",
    "pledged",
    "pledge",
    "support",
    "supported",
    "supporting",
    "assistance",
    "package",
    "funding",
    "billion",
    "million",
    "percent",
    "defence",
    "defense",
    "spending",
    "budget",
    "intelligence",
    "officials",
    "official",
    "senior",
    "leaders",
    "leader",
    "leadership",
    "administration",
    "regime",
    "sources",
    "reported",
    "reports",
    "report",
    "according",
    "briefing",
    "press",
    "conference",
    "interview",
    "broadcast",
    "television",
    "agency",
    "news",
    "observers",
    "analysts",
    "experts",
    "crossing",
    "convoy",
    "blockade",
    "shipping",
    "ports",
    "grain",
    "corridor",
    "frontline",
    "counteroffensive",
    "mobilisation",
    "conscription",
    "missiles",
    "missile",
    "artillery",
    "weapons",
    "arms",
    "ammunition",
    "munitions",
    "air",
    "defences",
    "fighter",
    "jets",
    "warships",
    "navy",
    "naval",
    "army",
    "generals",
    "commander",
    "commanders",
    "ministerial",
    "communique",
    "declaration",
    "framework",
    "roadmap",
    "mediation",
    "mediator",
    "mediators",
    "broker",
    "brokered",
    "accord",
    "accords",
    "referendum",
    "annexation",
    "recognition",
    "recognised",
    "legitimacy",
    "protest",
    "protests",
    "protesters",
    "crackdown",
    "rights",
    "human",
    "justice",
    "court",
    "tribunal",
    "charges",
    "indictment",
    "investigation",
    "inquiry",
    "veto",
    "vetoed",
    "session",
    "assembly",
    "general",
    "secretary",
    "deputy",
    "chancellor",
    "premier",
    "monarch",
    "king",
    "crown",
    "prince",
    "envoy's",
    "president's",
    "minister's",
    "government's",
    "country's",
    "Washington",
    "Brussels",
    "Geneva",
    "Vienna",
    "Istanbul",
    "Doha",
    "Riyadh",
    "Cairo",
    "Beijing",
    "London",
    "Paris",
    "Berlin",
    "Warsaw",
    "Ankara",
    "Delhi",
    "Islamabad",
    "Tokyo",
    "Seoul",
    "Pyongyang",
    "Damascus",
    "Baghdad",
    "Gaza",
    "Israel",
    "Israeli",
    "Palestinian",
    "Hamas",
    "Hezbollah",
    "Lebanon",
    "Syria",
    "Syrian",
    "Turkey",
    "Turkish",
    "China",
    "Chinese",
    "India",
    "Indian",
    "Pakistan",
    "Pakistani",
    "Europe",
    "European",
    "Union",
    "Britain",
    "British",
    "France",
    "French",
    "Germany",
    "German",
    "Poland",
    "Polish",
    "Japan",
    "Japanese",
    "Korea",
    "Korean",
    "Taiwan",
    "Qatar",
    "Egypt",
    "Egyptian",
    "Saudi",
    "Arabia",
    "Emirates",
    "Africa",
    "African",
    "Sudan",
    "Venezuela",
    "Brazil",
    "Mexico",
    "Canada",
    "Australia",
    "Baltic",
    "Crimea",
    "Donbas",
    "Kharkiv",
    "Odesa",
    "Zaporizhzhia",
    "Black",
    "Sea",
    "Red",
    "Gulf",
    "Strait",
    "Hormuz",
    "Pacific",
    "Atlantic",
    "Arctic",
    "UN",
    "EU",
    "IAEA",
    "G7",
    "G20",
    "BRICS",
    "OPEC",
    "WHO",
    "IMF",
];

/// Syllables pseudo-word stems are made of.
const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr", "dr", "fr",
    "gr", "pr", "tr", "bl", "cl", "fl", "gl", "pl", "sl", "st", "sp", "sk", "sc", "ch", "sh", "th", "wh", "qu", "",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "a", "e", "i", "o", "ea", "ou", "ai", "io", "y"];
const CODAS: &[&str] = &["", "", "", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ck", "ng"];
/// English suffixes: one stem yields several forms, as real words do.
const SUFFIXES: &[&str] = &["", "", "", "s", "s", "ed", "ing", "er", "ers", "ation", "ly", "ist", "ness", "ment", "al"];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Samir", "Aiko", "Daniel", "Maria", "Olena", "Yusuf", "Claire", "Tomasz", "Priya", "Kenji", "Laura",
    "Ahmed", "Sofia", "Lukas", "Fatima", "Miguel", "Ingrid", "Chen", "Amara", "Pavel", "Hannah", "Omar", "Elena",
    "Rafael", "Nadia", "Jonas", "Leila", "Marco", "Sara", "Dmitri", "Grace", "Hugo", "Zeynep", "Arjun", "Mei",
];
const LAST_NAMES: &[&str] = &[
    "Haddad",
    "Morimoto",
    "Kowalski",
    "Demir",
    "Novak",
    "Fischer",
    "Rossi",
    "Petrov",
    "Okafor",
    "Lindqvist",
    "Garcia",
    "Nakamura",
    "Dubois",
    "Khan",
    "Schmidt",
    "Andersen",
    "Moreau",
    "Silva",
    "Kaya",
    "Tanaka",
    "Walsh",
    "Bauer",
    "Costa",
    "Ivanova",
    "Mensah",
    "Larsen",
    "Romano",
    "Sato",
    "Weber",
    "Jansen",
    "Murphy",
    "Ortiz",
];
const OUTLETS: &[&str] = &[
    "Meridian Wire",
    "Levant Courier",
    "Pacific Rim Observer",
    "Continental Review",
    "Baltic Dispatch",
    "Statecraft Daily",
    "Harbour Times",
    "Northgate Herald",
    "Crescent Review",
    "Capital Ledger",
    "Embassy Row",
    "Atlas Bulletin",
    "Danube Post",
    "Steppe Monitor",
    "Gulf Chronicle",
    "Sahel Record",
    "Andes Tribune",
    "Channel Gazette",
    "Alpine Standard",
    "Bosphorus Letter",
];
/// Verbs that introduce a quote.
const SAID: &[&str] = &["said", "told reporters", "said in a statement", "added", "warned", "wrote on social media"];

/// Days the dates are spread over unless told: 2012 to 2025.
const DEFAULT_DAYS: usize = 14 * 365;

fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("gen_corpus: {message}");
            eprintln!("usage: gen_corpus --out DIR --count N [--seed S] [--vocab V] [--days D]");
            std::process::exit(2);
        }
    };
    let started = std::time::Instant::now();
    let generator = Generator::new(args.seed, args.vocab, args.days);
    let mut writer = CorpusWriter::new(&args.out, args.seed);
    let mut words = 0u64;
    for i in 0..args.count {
        let report = generator.report(i);
        words += report.num_words as u64;
        if let Err(e) = writer.write(&report) {
            eprintln!("gen_corpus: writing under {}: {e}", args.out.display());
            std::process::exit(2);
        }
        if (i + 1) % 100_000 == 0 {
            eprintln!("gen_corpus: {} reports, {:.0} s", i + 1, started.elapsed().as_secs_f64());
        }
    }
    if let Err(e) = writer.finish() {
        eprintln!("gen_corpus: writing under {}: {e}", args.out.display());
        std::process::exit(2);
    }
    eprintln!(
        "gen_corpus: wrote {} reports ({} words, {:.1} MB, {} files) to {} in {:.1} s (seed {}, vocabulary {} forms)",
        args.count,
        words,
        writer.bytes as f64 / 1e6,
        writer.files,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.seed,
        generator.vocab.len(),
    );
}

struct Args {
    out: PathBuf,
    count: usize,
    seed: u64,
    vocab: usize,
    days: usize,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let (mut out, mut count, mut seed, mut vocab, mut days) = (None, None, 42u64, DEFAULT_VOCAB, DEFAULT_DAYS);
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--out" => out = Some(PathBuf::from(value()?)),
                "--count" => count = Some(value()?.parse().map_err(|e| format!("--count: {e}"))?),
                "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
                "--vocab" => vocab = value()?.parse().map_err(|e| format!("--vocab: {e}"))?,
                "--days" => days = value()?.parse().map_err(|e| format!("--days: {e}"))?,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        let vocab = vocab.max(FUNCTION_WORDS.len() + DIPLOMATIC_WORDS.len() + 1000);
        let days = days.max(1);
        Ok(Args { out: out.ok_or("--out is required")?, count: count.ok_or("--count is required")?, seed, vocab, days })
    }
}

/// SplitMix64: tiny, fast, and its output never changes, so corpora are reproducible.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi].
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }
}

/// Cumulative Zipf–Mandelbrot distribution over `n` ranks, sampled by binary search.
struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64, q: f64) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for rank in 0..n {
            total += 1.0 / (rank as f64 + q).powf(s);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        Zipf { cdf }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.f64();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

/// A leader as the text mentions them.
struct Leader {
    name: String,
    surname: String,
    aliases: Vec<String>,
    /// Role phrases ("the Russian President", "Kremlin leader").
    roles: Vec<String>,
}

/// A topic's trigger words.
struct Topic {
    triggers: Vec<String>,
}

fn leaders() -> Vec<Leader> {
    let Ok(doc) = LEADERS_TOML.parse::<toml::Table>() else { return Vec::new() };
    let Some(table) = doc.get("leader").and_then(|v| v.as_table()) else { return Vec::new() };
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    table
        .values()
        .filter_map(|leader| {
            let name = leader.get("name")?.as_str()?.to_string();
            let surname = name.rsplit(' ').next().unwrap_or(&name).to_string();
            let mut roles = Vec::new();
            for role in leader.get("roles").and_then(|r| r.as_array()).into_iter().flatten() {
                if let (Some(office), Some(country)) =
                    (role.get("office").and_then(|o| o.as_str()), role.get("country").and_then(|c| c.as_str()))
                {
                    roles.push(format!("the {country} {office}"));
                }
                roles.extend(strings(role.get("phrases")));
            }
            Some(Leader { name, surname, aliases: strings(leader.get("aliases")), roles })
        })
        .collect()
}

fn topics() -> Vec<Topic> {
    let Ok(doc) = TOPICS_TOML.parse::<toml::Table>() else { return Vec::new() };
    let Some(table) = doc.get("topic").and_then(|v| v.as_table()) else { return Vec::new() };
    table
        .values()
        .map(|topic| {
            let mut triggers = Vec::new();
            for key in ["terms", "demonyms", "capitals"] {
                for s in topic.get(key).and_then(|v| v.as_array()).into_iter().flatten() {
                    triggers.extend(s.as_str().map(str::to_string));
                }
            }
            Topic { triggers }
        })
        .filter(|t| !t.triggers.is_empty())
        .collect()
}

/// One generated report, before it is written in some format.
struct GenReport {
    index: usize,
    title: String,
    author: String,
    source: String,
    date: String,
    url: String,
    body: String,
    num_words: usize,
}

struct Generator {
    seed: u64,
    /// Dates are drawn over this many days from 2012-01-01.
    days: usize,
    vocab: Vec<String>,
    zipf: Zipf,
    leaders: Vec<Leader>,
    leader_zipf: Zipf,
    topics: Vec<Topic>,
}

impl Generator {
    fn new(seed: u64, size: usize, days: usize) -> Generator {
        let vocab = vocabulary(seed, size);
        let leaders = leaders();
        let leader_zipf = Zipf::new(leaders.len().max(1), 1.1, 1.0);
        Generator {
            seed,
            days,
            zipf: Zipf::new(vocab.len(), ZIPF_S, ZIPF_Q),
            vocab,
            leaders,
            leader_zipf,
            topics: topics(),
        }
    }

    /// Report number `i`: a function of the seed and `i` only.
    fn report(&self, i: usize) -> GenReport {
        let mut rng = Rng::new(self.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (i as u64).wrapping_mul(0x9E37_79B9));
        // A few leaders and topics per report, as real stories have a cast.
        let cast: Vec<&Leader> =
            (0..rng.range(1, 4)).filter_map(|_| self.leaders.get(self.leader_zipf.sample(&mut rng))).collect();
        let themes: Vec<&Topic> = (0..rng.range(1, 3)).map(|_| rng.pick(&self.topics)).collect();
        let mut introduced = vec![false; cast.len()];

        // 300–1500 words, skewed short: real wire stories are mostly short.
        let target = 300 + (1200.0 * rng.f64().powf(1.6)) as usize;
        let mut body = String::with_capacity(target * 8);
        let mut num_words = 0;
        while num_words < target {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            for s in 0..rng.range(2, 6) {
                if s > 0 {
                    body.push(' ');
                }
                num_words += self.sentence(&mut rng, &mut body, &cast, &mut introduced, &themes);
            }
        }

        let mut title_words = Vec::new();
        if let Some(leader) = cast.first() {
            title_words.push(leader.surname.clone());
        }
        for _ in 0..rng.range(4, 9) {
            title_words.push(self.word(&mut rng).to_string());
        }
        if let Some(topic) = themes.first() {
            title_words.insert(rng.range(1, title_words.len()), rng.pick(&topic.triggers).clone());
        }
        let title = capitalise(&title_words.join(" "));
        let days = rng.range(0, self.days);
        let date = attache::date::iso_from_days(15_340 + days as i64); // 2012-01-01 + days
        let source = rng.pick(OUTLETS).to_string();
        let slug: String = title_words.iter().take(6).map(|w| w.to_lowercase()).collect::<Vec<_>>().join("-");
        let url = format!(
            "https://{}.example/{}/{}-{i}",
            source.to_lowercase().replace(' ', ""),
            date.replace('-', "/"),
            slug.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "")
        );
        let author = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        GenReport { index: i, title, author, source, date, url, body, num_words }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        &self.vocab[self.zipf.sample(rng)]
    }

    /// Appends one sentence to `out`; returns its number of words.
    fn sentence(
        &self,
        rng: &mut Rng,
        out: &mut String,
        cast: &[&Leader],
        introduced: &mut [bool],
        themes: &[&Topic],
    ) -> usize {
        let len = rng.range(6, 30);
        let mut words: Vec<String> = (0..len).map(|_| self.word(rng).to_string()).collect();
        // The long tail of news: figures, years, percentages.
        for w in words.iter_mut() {
            if rng.chance(0.015) {
                *w = match rng.range(0, 3) {
                    0 => rng.range(1990, 2030).to_string(),
                    1 => rng.range(2, 5000).to_string(),
                    2 => format!("{}.{}", rng.range(0, 99), rng.range(0, 9)),
                    _ => format!("{}%", rng.range(1, 99)),
                };
            }
        }
        if !cast.is_empty() && rng.chance(0.35) {
            let k = rng.range(0, cast.len() - 1);
            let leader = cast[k];
            let mention = if !introduced[k] {
                introduced[k] = true;
                leader.name.clone()
            } else if rng.chance(0.15) && !leader.roles.is_empty() {
                rng.pick(&leader.roles).clone()
            } else if rng.chance(0.15) && !leader.aliases.is_empty() {
                rng.pick(&leader.aliases).clone()
            } else {
                leader.surname.clone()
            };
            let at = rng.range(0, words.len());
            words.insert(at, mention);
        }
        if !themes.is_empty() && rng.chance(0.3) {
            let topic = rng.pick(themes);
            let at = rng.range(0, words.len());
            words.insert(at, rng.pick(&topic.triggers).clone());
        }
        let n = words.len();
        let quote = rng.chance(0.12) && !cast.is_empty();
        if quote {
            out.push('"');
        }
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                out.push_str(if rng.chance(0.06) { ", " } else { " " });
            }
            if k == 0 {
                push_capitalised(out, w);
            } else {
                out.push_str(w);
            }
        }
        if quote {
            let speaker = rng.pick(cast);
            out.push_str(&format!(",\" {} {}.", speaker.surname, rng.pick(SAID)));
            n + 2
        } else {
            out.push('.');
            n
        }
    }
}

/// `size` distinct word forms in Zipf rank order (see the module docs).
fn vocabulary(seed: u64, size: usize) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x005E_ED0F_0CAB);
    let mut seen: HashSet<String> = HashSet::with_capacity(size);
    let mut pseudo = Vec::with_capacity(size);
    for w in FUNCTION_WORDS.iter().chain(DIPLOMATIC_WORDS) {
        seen.insert(w.to_string());
    }
    let budget = size - FUNCTION_WORDS.len() - DIPLOMATIC_WORDS.len();
    while pseudo.len() < budget {
        let mut stem = String::new();
        // Mostly one or two syllables: real word forms average about eight letters.
        let syllables = match rng.range(0, 19) {
            0..=9 => 1,
            10..=17 => 2,
            _ => 3,
        };
        for _ in 0..syllables {
            stem.push_str(rng.pick::<&str>(ONSETS));
            stem.push_str(rng.pick::<&str>(VOWELS));
            stem.push_str(rng.pick::<&str>(CODAS));
        }
        if stem.len() < 3 || stem.len() > 12 {
            continue;
        }
        for _ in 0..rng.range(1, 4) {
            let form = format!("{stem}{}", rng.pick(SUFFIXES));
            if pseudo.len() < budget && seen.insert(form.clone()) {
                pseudo.push(form);
            }
        }
    }
    // Shuffle, so a stem's forms do not sit at neighbouring ranks.
    for i in (1..pseudo.len()).rev() {
        pseudo.swap(i, rng.range(0, i));
    }
    let mut vocab: Vec<String> = FUNCTION_WORDS.iter().map(|w| w.to_string()).collect();
    // Diplomatic words spread over the first few thousand ranks after the function words.
    let stride = 8;
    let mut diplomatic = DIPLOMATIC_WORDS.iter();
    for (k, word) in pseudo.into_iter().enumerate() {
        if k % stride == 0
            && let Some(d) = diplomatic.next()
        {
            vocab.push(d.to_string());
        }
        vocab.push(word);
    }
    vocab.extend(diplomatic.map(|d| d.to_string()));
    vocab
}

fn capitalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_capitalised(&mut out, s);
    out
}

fn push_capitalised(out: &mut String, s: &str) {
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

/// The input formats, chosen per report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    TxtHeaders,
    TxtWordpress,
    MdYaml,
    MdToml,
    JsonArray,
    Jsonl,
}

impl Format {
    /// Shares of the formats: mostly loose text files, as scraped archives are.
    fn of(rng: &mut Rng) -> Format {
        match rng.range(0, 99) {
            0..=39 => Format::TxtHeaders,
            40..=54 => Format::TxtWordpress,
            55..=69 => Format::MdYaml,
            70..=74 => Format::MdToml,
            75..=84 => Format::JsonArray,
            _ => Format::Jsonl,
        }
    }
}

/// An open multi-record file.
struct Batch {
    out: BufWriter<File>,
    records: usize,
}

struct CorpusWriter {
    root: PathBuf,
    rng: Rng,
    files: usize,
    bytes: u64,
    json: Option<Batch>,
    jsonl: Option<Batch>,
}

impl CorpusWriter {
    fn new(root: &Path, seed: u64) -> CorpusWriter {
        CorpusWriter {
            root: root.to_path_buf(),
            rng: Rng::new(seed ^ 0xF0F0),
            files: 0,
            bytes: 0,
            json: None,
            jsonl: None,
        }
    }

    /// A new file in the current shard.
    fn create(&mut self, stem: &str, ext: &str) -> std::io::Result<BufWriter<File>> {
        let dir = self.root.join(format!("s{:04}", self.files / FILES_PER_SHARD));
        if self.files.is_multiple_of(FILES_PER_SHARD) {
            std::fs::create_dir_all(&dir)?;
        }
        self.files += 1;
        Ok(BufWriter::with_capacity(64 * 1024, File::create(dir.join(format!("{stem}.{ext}")))?))
    }

    fn write(&mut self, r: &GenReport) -> std::io::Result<()> {
        let stem = format!("{}_{:07}", r.date, r.index);
        match Format::of(&mut self.rng) {
            Format::TxtHeaders => {
                let text = format!(
                    "TITLE: {}\nAUTHOR: {}\nDATE: {}\nSOURCE: {}\nURL: {}\n\n{}\n",
                    r.title, r.author, r.date, r.source, r.url, r.body
                );
                self.single(&stem, "txt", &text)
            }
            Format::TxtWordpress => {
                let text = format!("{}\n\nThe post {} appeared first on {}.\n", r.body, r.title, r.source);
                self.single(&stem, "txt", &text)
            }
            Format::MdYaml => {
                let text = format!(
                    "---\ntitle: {}\nauthor: {}\ndate: {}\nsource: {}\nurl: {}\n---\n\n# {}\n\n{}\n",
                    json_string(&r.title),
                    r.author,
                    r.date,
                    r.source,
                    r.url,
                    r.title,
                    r.body
                );
                self.single(&stem, "md", &text)
            }
            Format::MdToml => {
                let text = format!(
                    "+++\ntitle = {}\nauthor = \"{}\"\ndate = \"{}\"\nsource = \"{}\"\nurl = \"{}\"\n+++\n\n{}\n",
                    json_string(&r.title),
                    r.author,
                    r.date,
                    r.source,
                    r.url,
                    r.body
                );
                self.single(&stem, "md", &text)
            }
            Format::JsonArray => {
                // Alternate key names, as feeds from different tools use.
                let record = if r.index.is_multiple_of(2) {
                    serde_json::json!({ "id": format!("r{}", r.index), "title": r.title, "author": r.author,
                        "source": r.source, "date": r.date, "url": r.url, "body": r.body })
                } else {
                    serde_json::json!({ "id": format!("r{}", r.index), "title": r.title, "byline": r.author,
                        "publisher": r.source, "published": r.date, "url": r.url, "text": r.body })
                };
                let line = record.to_string();
                if self.json.is_none() {
                    let mut out = self.create(&stem, "json")?;
                    out.write_all(b"[\n")?;
                    self.json = Some(Batch { out, records: 0 });
                }
                let batch = self.json.as_mut().into_iter().next().ok_or_else(|| std::io::Error::other("no batch"))?;
                if batch.records > 0 {
                    batch.out.write_all(b",\n")?;
                }
                batch.out.write_all(line.as_bytes())?;
                batch.records += 1;
                self.bytes += line.len() as u64 + 2;
                if batch.records == RECORDS_PER_JSON {
                    close_json(self.json.take())?;
                }
                Ok(())
            }
            Format::Jsonl => {
                let record = serde_json::json!({ "id": format!("r{}", r.index), "title": r.title,
                    "author": r.author, "source": r.source, "date": r.date, "url": r.url, "content": r.body });
                let line = record.to_string();
                if self.jsonl.is_none() {
                    let out = self.create(&stem, "jsonl")?;
                    self.jsonl = Some(Batch { out, records: 0 });
                }
                let batch = self.jsonl.as_mut().into_iter().next().ok_or_else(|| std::io::Error::other("no batch"))?;
                batch.out.write_all(line.as_bytes())?;
                batch.out.write_all(b"\n")?;
                batch.records += 1;
                self.bytes += line.len() as u64 + 1;
                if batch.records == RECORDS_PER_JSONL
                    && let Some(mut b) = self.jsonl.take()
                {
                    b.out.flush()?;
                }
                Ok(())
            }
        }
    }

    fn single(&mut self, stem: &str, ext: &str, text: &str) -> std::io::Result<()> {
        let mut out = self.create(stem, ext)?;
        out.write_all(text.as_bytes())?;
        self.bytes += text.len() as u64;
        out.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        close_json(self.json.take())?;
        if let Some(mut b) = self.jsonl.take() {
            b.out.flush()?;
        }
        Ok(())
    }
}

fn close_json(batch: Option<Batch>) -> std::io::Result<()> {
    if let Some(mut b) = batch {
        b.out.write_all(b"\n]\n")?;
        b.out.flush()?;
    }
    Ok(())
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}
