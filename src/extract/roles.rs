//! Roles: "the Russian President", "Iran's foreign minister", "the Kremlin leader" → the
//! person who held that office on the article's date.
//!
//! Built from the `roles` of `leaders.toml` (office, country, from, to, phrases) and the place
//! and organisation topics of `topics.toml`, whose names equal the roles' `country` strings:
//! for each office the patterns are `DEMONYM OFFICE` ("Russian President"),
//! `PLACE 's OFFICE` ("Iran's foreign minister"), `OFFICE of PLACE` ("President of Russia"),
//! `ORG OFFICE` for organisations ("NATO Secretary-General"), and the role's own phrases.
//! A few spelling variants of offices ([`OFFICE_VARIANTS`]) are added, and a bare
//! "leader" ([`PARAMOUNT_VARIANT`]: "the Iranian leader") names the country's paramount
//! office only: the one `leaders.toml` marks `paramount = true` (Iran's Supreme Leader), else
//! its President — never whichever office happened to be listed first.
//!
//! Resolution needs a date: the holder whose term covers the report's date. A report without
//! a date gets the holder of that office it names (an old report names the holder of its
//! day), else the current holder (a role without `to`) when there is exactly one; a date no
//! role of the lexicon covers (a 1987 story) resolves to nobody, which is the point — the
//! lexicon starts in 2015 and must not put today's president into old news.

use super::lexicon::{LeaderLexicon, TopicKind, TopicLexicon, TopicSpec};
use super::matcher::{FxHashMap, Keys, PhraseSet};

/// Other ways news writes an office: (office in `leaders.toml`, variant).
pub const OFFICE_VARIANTS: &[(&str, &str)] = &[
    ("Defence Minister", "Defense Minister"),
    ("Defence Minister", "Minister of Defence"),
    ("Defence Minister", "Minister of Defense"),
    ("Foreign Minister", "Minister of Foreign Affairs"),
    ("Foreign Minister", "top diplomat"),
    ("Foreign Minister", "Foreign Secretary"),
    ("Finance Minister", "Minister of Finance"),
    ("Prime Minister", "Premier"),
    ("Prime Minister", "PM"),
    ("President", "head of state"),
    ("Secretary-General", "Secretary General"),
    ("Secretary-General", "chief"),
    ("Director General", "Director-General"),
    ("Director General", "chief"),
    ("Secretary of Defense", "Defense Secretary"),
    ("Secretary of State", "top diplomat"),
];

/// How news names a country's paramount office without saying which ("the Iranian leader",
/// "Iran's leader"): added to the one office [`RoleMatcher`] judges paramount.
pub const PARAMOUNT_VARIANT: &str = "leader";

/// The office that is paramount where the lexicon marks none: the head of state.
pub const DEFAULT_PARAMOUNT: &str = "president";

/// A place or organisation's kind, and its names and demonyms as term ids.
type PlaceKeys = (TopicKind, Vec<Vec<u32>>, Vec<Vec<u32>>);

/// One office in one country or organisation, and who held it when.
struct Office {
    /// (leader index, from, to) — dates as `YYYY-MM-DD`, which compare as strings.
    holders: Vec<(usize, String, Option<String>)>,
}

pub(crate) struct RoleMatcher {
    offices: Vec<Office>,
    patterns: PhraseSet<usize>,
}

impl RoleMatcher {
    /// `leader_index` maps a `leaders.toml` key order position to the leader matcher's index
    /// (they are the same order: the BTreeMap's).
    pub fn new<'a>(leaders: &'a LeaderLexicon, topics: &'a TopicLexicon, keys: &mut Keys<'a>) -> RoleMatcher {
        // Every pattern is built from term ids: each name, demonym and office is analysed and
        // numbered once ([`Keys`]), and the thousands of patterns are concatenations of ids.
        let place_topics: FxHashMap<&str, &TopicSpec> =
            topics.topic.values().filter(|t| t.kind != TopicKind::Theme).map(|t| (t.name.as_str(), t)).collect();
        // Analysed when an office of the place is first met: most places have none.
        let mut places: FxHashMap<&str, Option<PlaceKeys>> = FxHashMap::default();
        // Each country's paramount office: the one a role marks, else its President.
        let mut paramount: FxHashMap<&str, String> = FxHashMap::default();
        for role in leaders.leader.values().flat_map(|l| &l.roles) {
            let office = role.office.to_lowercase();
            if role.paramount {
                paramount.insert(role.country.as_str(), office);
            } else if office == DEFAULT_PARAMOUNT {
                paramount.entry(role.country.as_str()).or_insert(office);
            }
        }
        let is_paramount =
            |office: &str, country: &str| paramount.get(country).is_some_and(|p| p.eq_ignore_ascii_case(office));
        let mut offices: Vec<Office> = Vec::new();
        let mut by_key: FxHashMap<(String, String), usize> = FxHashMap::default();
        let mut patterns = PhraseSet::default();
        let mut pattern: Vec<u32> = Vec::new();
        let of = keys.ids("of");
        let s = keys.ids("s");
        for (leader, spec) in leaders.leader.values().enumerate() {
            for role in &spec.roles {
                let mut is_new = false;
                let id = *by_key.entry((role.office.to_lowercase(), role.country.clone())).or_insert_with(|| {
                    is_new = true;
                    offices.push(Office { holders: Vec::new() });
                    offices.len() - 1
                });
                offices[id].holders.push((leader, role.from.clone(), role.to.clone()));
                for phrase in &role.phrases {
                    patterns.insert(&keys.ids(phrase), id);
                }
                // The office's own patterns are the same for every holder: built once.
                if !is_new {
                    continue;
                }
                let place = places.entry(role.country.as_str()).or_insert_with(|| {
                    let t = place_topics.get(role.country.as_str())?;
                    let names: Vec<Vec<u32>> = std::iter::once(&t.name)
                        .chain(&t.terms)
                        .map(|n| keys.ids(n))
                        .filter(|k| !k.is_empty())
                        .collect();
                    let demonyms: Vec<Vec<u32>> = t.demonyms.iter().map(|d| keys.ids(d)).collect();
                    Some((t.kind, names, demonyms))
                });
                let Some((kind, names, demonyms)) = place else { continue };
                let variants = std::iter::once(role.office.as_str())
                    .chain(
                        OFFICE_VARIANTS.iter().filter(|(o, _)| o.eq_ignore_ascii_case(&role.office)).map(|(_, v)| *v),
                    )
                    .chain(is_paramount(&role.office, &role.country).then_some(PARAMOUNT_VARIANT));
                // Thousands of patterns: each is assembled in one reused buffer.
                let mut insert = |parts: &[&[u32]]| {
                    pattern.clear();
                    parts.iter().for_each(|part| pattern.extend_from_slice(part));
                    patterns.insert(&pattern, id);
                };
                for office in variants {
                    let office = keys.ids(office);
                    for d in demonyms.iter() {
                        insert(&[d, &office]);
                    }
                    for n in names.iter() {
                        insert(&[n, &s, &office]);
                        insert(&[&office, &of, n]);
                        if *kind == TopicKind::Org {
                            insert(&[n, &office]);
                        }
                    }
                }
            }
        }
        RoleMatcher { offices, patterns }
    }

    /// The office pattern starting at term `i` of `ids` (a text's term ids), if any: its
    /// length and the office.
    pub fn at(&self, ids: &[u32], i: usize) -> Option<(usize, usize)> {
        self.patterns.longest_at(ids, i, |_, _, _| true).map(|m| (m.len, *m.payload))
    }

    /// Everyone who has held `office`, each once.
    pub fn holders(&self, office: usize) -> impl Iterator<Item = usize> + '_ {
        let holders = self.offices.get(office).map_or(&[][..], |o| &o.holders[..]);
        holders.iter().enumerate().filter(|(k, h)| !holders[..*k].iter().any(|g| g.0 == h.0)).map(|(_, h)| h.0)
    }

    /// Who held `office` on `date` (`YYYY-MM-DD`), or, without a date, its one current holder.
    pub fn holder(&self, office: usize, date: Option<&str>) -> Option<usize> {
        let holders = &self.offices.get(office)?.holders;
        let mut found = holders.iter().filter(|(_, from, to)| match date {
            Some(d) => from.as_str() <= d && to.as_deref().is_none_or(|t| d < t),
            None => to.is_none(),
        });
        let first = found.next()?;
        // Two holders at once (co-princes, a bad lexicon row): name nobody rather than guess.
        found.all(|h| h.0 == first.0).then_some(first.0)
    }
}
