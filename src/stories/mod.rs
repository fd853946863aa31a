//! Stories: reports of the same event, told by one outlet or several, grouped at index time.
//!
//! Every report gets a `story` id when it is indexed. The [`Indexer`](crate::Indexer) hands
//! each new report to its story assigner, in the order of the walk (so a run is deterministic),
//! which either joins it to the story of the reports it retells or starts a new story.
//!
//! **Signature.** A report is described by a weighted bag of its terms
//! (its features): each content term (function words and numbers left out) weighs
//! `1 + ln tf`, a title occurrence counting [`StoryOptions::title_weight`] body occurrences;
//! a term written capitalised in most of its occurrences (a name: `Pinochet`, `Istanbul`)
//! weighs [`StoryOptions::name_boost`] times more. Multiplied by the term's inverse document
//! frequency in the index, the [`StoryOptions::sig_terms`] heaviest terms are the report's
//! signature, stored with it (`story_sig`), so later reports compare with it without
//! analysing it again.
//!
//! **Candidates** of a dated report are the reports dated within
//! [`StoryOptions::window_days`] days of it, held in memory by the assigner: those sharing
//! the most idf of the signature's [`StoryOptions::query_terms`] heaviest terms (the lists of
//! the rarest walked first, a bounded number of entries in all), the best
//! [`StoryOptions::max_candidates`]. The committed reports of a window are read back from
//! the index once, when a new report first needs them, so the cost of a decision is bounded
//! by these constants and the number of reports in a window, not by the size of the corpus.
//! An undated report may join any story; its committed candidates come from a query of the
//! index.
//!
//! **Decision.** The similarity of two reports is the cosine of their tf-idf signatures
//! (idf of the index and the reports added since; a held report's weights are computed again
//! when the collection has grown by more than 1/32 since they were). A candidate story scores the summed similarity of
//! its candidate members to the new report over its members in the window (average link,
//! members not among the candidates counting as dissimilar), and the new
//! report joins the best story scoring at least [`StoryOptions::threshold`]; otherwise it
//! starts a story of its own.
//!
//! **Ids.** A story's id is a hash of the id of the report that founded it (16 hex digits),
//! so it is stable: a report keeps its story as later reports join. Re-indexing a changed
//! report decides its story again. Deleting a report leaves its story, and its id, on the
//! other members — even when the deleted report founded it; re-adding the founder finds its
//! old story (and rejoins it under the same id).

mod assign;
mod list;

pub(crate) use assign::Assigner;
pub use list::{NAMES_SHOWN, StoriesRequest, Story};

use crate::hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::analysis::Tagged;

/// How stories are found and decided (see the module docs). The defaults are the ones
/// measured best on the development event clusters; the others exist for that measurement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StoryOptions {
    /// Whether stories are decided at all. Off by default (see [`crate::SyncOptions::stories`]):
    /// each report is then a story of its own and nothing is computed for it.
    #[serde(default)]
    pub enabled: bool,
    /// Candidates are dated at most this many days before or after the report.
    pub window_days: i64,
    /// Least mean cosine to join a story.
    pub threshold: f32,
    /// Least margin of a story's score over the mean similarity of the other candidates.
    pub margin: f32,
    /// Most candidate reports compared, from the index and from the uncommitted reports each.
    pub max_candidates: usize,
    /// Terms of the candidate query.
    pub query_terms: usize,
    /// Terms of a stored signature.
    pub sig_terms: usize,
    /// Weight of a name (a term mostly written capitalised) against another term.
    pub name_boost: f32,
    /// Weight of a title occurrence, in body occurrences.
    pub title_weight: f32,
    /// How candidate members' similarities make a story's score.
    pub link: Link,
    /// Most reports held in memory to decide from (about 3 KB each). Past it, the committed
    /// reports of the weeks longest unused are let go, to be read back from the index when a
    /// window needs them again; reports not yet committed are always held. A bound on memory,
    /// not a speed-up: when the dates of a large collection come in random order, a window
    /// then often reads its weeks back.
    #[serde(default = "default_max_held")]
    pub max_held: usize,
}

fn default_max_held() -> usize {
    100_000
}

/// How a candidate story's score is made from its members' similarities to the new report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    /// The best member's.
    Max,
    /// The mean over the candidate members.
    Average,
}

impl Default for StoryOptions {
    fn default() -> Self {
        StoryOptions {
            enabled: false,
            window_days: 14,
            threshold: 0.15,
            margin: 0.0,
            max_candidates: 32,
            query_terms: 20,
            sig_terms: 200,
            name_boost: 2.0,
            title_weight: 2.0,
            link: Link::Average,
            max_held: default_max_held(),
        }
    }
}

/// The id of the story a report founds.
pub fn story_id(founder: &str) -> String {
    format!("{:016x}", crate::hash::fnv1a(founder.as_bytes()))
}

/// A report's terms with their weights before idf (see the module docs): the terms' texts
/// one after another in one string, each term a byte range of it, so that handing a report's
/// features from a worker to the indexer costs two allocations, not one per term. Each term
/// comes with its [`term_key`], computed by the worker, so the assigner, which decides one
/// report at a time, numbers terms without hashing or comparing their texts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    text: String,
    terms: Vec<(u32, u32, f32, u64)>,
}

/// The key the assigner numbers a term by: a 64-bit FNV-1a hash of its text.
///
/// Two different terms with one key would share a number, so their document frequencies and
/// weights would be summed in the assigner's memory; what is stored with a report (its
/// signature) is always its own terms' text. With a million distinct terms, the chance that
/// any two of them collide is about 3 in 100 million (n² / 2⁶⁵).
pub(crate) fn term_key(term: &str) -> u64 {
    crate::hash::fnv1a(term.as_bytes())
}

/// Stems of the function words.
fn stop_stems() -> &'static HashSet<String> {
    static STEMS: OnceLock<HashSet<String>> = OnceLock::new();
    STEMS.get_or_init(|| {
        let mut analyzer = crate::analysis::analyzer();
        crate::search::stopword::all().flat_map(|w| crate::analysis::terms(&mut analyzer, w)).map(|t| t.text).collect()
    })
}

impl Features {
    /// The features of a report analysed for extraction.
    pub(crate) fn of(title: &Tagged<'_>, body: &Tagged<'_>, options: &StoryOptions) -> Features {
        if !options.enabled {
            return Features::default();
        }
        let stops = stop_stems();
        // term → (weighted count, occurrences, capitalised occurrences)
        let mut counts: HashMap<&str, (f32, u32, u32)> = HashMap::default();
        for (tagged, weight) in [(title, options.title_weight), (body, 1.0)] {
            for (i, term) in tagged.terms.iter().enumerate() {
                let text = term.text.as_str();
                if text.len() < 2 || text.bytes().all(|b| b.is_ascii_digit()) || stops.contains(text) {
                    continue;
                }
                let entry = counts.entry(text).or_insert((0.0, 0, 0));
                entry.0 += weight;
                entry.1 += 1;
                entry.2 += u32::from(tagged.caps.get(i).copied().unwrap_or(false));
            }
        }
        let mut out = Features {
            text: String::with_capacity(counts.keys().map(|t| t.len()).sum()),
            terms: Vec::with_capacity(counts.len()),
        };
        // In the map's order: it depends only on the terms (the hash has no random seed), and
        // what the order could decide, ties between weights, is decided by the terms' texts.
        for (term, (tf, n, caps)) in counts {
            let name = if 2 * caps > n { options.name_boost } else { 1.0 };
            let start = out.text.len() as u32;
            out.text.push_str(term);
            out.terms.push((start, out.text.len() as u32, (1.0 + tf.ln()) * name, term_key(term)));
        }
        out
    }

    /// Term `i`'s text.
    pub(crate) fn text(&self, i: usize) -> &str {
        let (start, end, ..) = self.terms[i];
        self.text.get(start as usize..end as usize).unwrap_or_default()
    }

    /// The terms' keys ([`term_key`]) and weights, in the order of [`Features::text`].
    pub(crate) fn keyed(&self) -> impl ExactSizeIterator<Item = (u64, f32)> {
        self.terms.iter().map(|&(.., w, key)| (key, w))
    }
}

/// The stored form of a signature: `term weight term weight …`, weights with two decimals.
pub(crate) fn stored_signature<'a>(terms: impl ExactSizeIterator<Item = (&'a str, f32)>) -> String {
    let mut out = String::with_capacity(terms.len() * 16);
    for (term, weight) in terms {
        if !weight.is_finite() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(term);
        out.push(' ');
        // Hundredths as an integer: formatting floats with `{:.2}` took a tenth of a
        // decision.
        if weight < 0.0 {
            out.push('-');
        }
        let hundredths = (f64::from(weight.abs()) * 100.0).round() as u64;
        let (units, cents) = (hundredths / 100, hundredths % 100);
        push_decimal(&mut out, units);
        out.push('.');
        out.push(char::from(b'0' + (cents / 10) as u8));
        out.push(char::from(b'0' + (cents % 10) as u8));
    }
    out
}

/// Writes the decimal digits of `n`.
fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[at..].iter().for_each(|&d| out.push(char::from(d)));
}

/// A report's signature: its heaviest terms with their weights before idf.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Signature {
    terms: Vec<(String, f32)>,
}

impl Signature {
    /// Reads the stored form; anything unreadable is left out.
    pub(crate) fn from_stored(text: &str) -> Signature {
        let mut words = text.split(' ');
        let mut terms = Vec::new();
        while let (Some(term), Some(weight)) = (words.next(), words.next()) {
            if let Ok(weight) = weight.parse::<f32>()
                && weight.is_finite()
            {
                terms.push((term.to_string(), weight));
            }
        }
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        terms.dedup_by(|a, b| a.0 == b.0);
        Signature { terms }
    }
}
