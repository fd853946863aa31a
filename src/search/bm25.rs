//! BM25 with the index's own statistics, for the re-ranker ([`super::rank`]) and `--explain`.
//!
//! A [`Scorer`] scores a list of candidate articles against weighted query units (words and
//! phrases, each over the fields it searches with their boosts): document frequencies and
//! average field lengths from the whole index, term frequencies from the postings, field
//! lengths from the field norms. A phrase scores on its occurrences (with slop) with the sum
//! of its words' idf, as tantivy does; with every weight 1 the scores are tantivy's.

use std::collections::HashMap;

use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Term};

use super::compile::Unit;
use crate::index::index_error;

/// A unit of the query with its weight.
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    pub unit: Unit,
    pub weight: f32,
    /// Added by feedback, not typed by the user.
    pub is_expansion: bool,
}

/// One (unit, field) score of one article, for `--explain`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part {
    pub unit: usize,
    pub field: Field,
    pub score: f32,
}

/// BM25 over the weighted units, with corpus statistics from the index.
pub(crate) struct Scorer<'a> {
    searcher: &'a tantivy::Searcher,
    units: &'a [Weighted],
    k1: f32,
    b: f32,
    /// Per unit, per field (as in `unit.fields`): weight × boost × idf.
    factors: Vec<Vec<f32>>,
    avg_len: HashMap<Field, f32>,
    at: std::path::PathBuf,
}

impl<'a> Scorer<'a> {
    pub fn new(
        searcher: &'a tantivy::Searcher,
        units: &'a [Weighted],
        (k1, b): (f32, f32),
        at: std::path::PathBuf,
    ) -> crate::Result<Scorer<'a>> {
        let num_docs: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let mut avg_len = HashMap::new();
        let mut factors = Vec::with_capacity(units.len());
        for w in units {
            let mut per_field = Vec::with_capacity(w.unit.fields.len());
            for &(field, boost) in &w.unit.fields {
                if let std::collections::hash_map::Entry::Vacant(e) = avg_len.entry(field) {
                    let mut tokens = 0u64;
                    for segment in searcher.segment_readers() {
                        tokens += segment.inverted_index(field).map_err(|e| index_error(&at, e))?.total_num_tokens();
                    }
                    // tantivy's average: all tokens over all documents, even those without the field.
                    let avg = if num_docs == 0 { 0.0 } else { tokens as f32 / num_docs as f32 };
                    e.insert(if avg > 0.0 { avg } else { 1.0 });
                }
                let mut idf = 0.0;
                for term in &w.unit.terms {
                    let df = searcher.doc_freq(&Term::from_field_text(field, term)).map_err(|e| index_error(&at, e))?;
                    idf += bm25_idf(df, num_docs);
                }
                per_field.push(w.weight * boost * idf);
            }
            factors.push(per_field);
        }
        Ok(Scorer { searcher, units, k1, b, factors, avg_len, at })
    }

    /// Scores `docs`; with `parts`, also returns each article's non-zero (unit, field) scores.
    pub fn score(&self, docs: &[DocAddress], parts: bool) -> crate::Result<Vec<(f32, Vec<Part>)>> {
        let mut out: Vec<(f32, Vec<Part>)> = vec![(0.0, Vec::new()); docs.len()];
        let mut by_segment: HashMap<u32, Vec<(DocId, usize)>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_segment.entry(d.segment_ord).or_default().push((d.doc_id, i));
        }
        let at = &self.at;
        let mut positions: Vec<Vec<u32>> = Vec::new();
        for (segment_ord, mut local) in by_segment {
            local.sort_unstable();
            let Some(segment) = self.searcher.segment_readers().get(segment_ord as usize) else { continue };
            for (u, w) in self.units.iter().enumerate() {
                for (f, &(field, _)) in w.unit.fields.iter().enumerate() {
                    let factor = self.factors[u][f];
                    if factor == 0.0 {
                        continue;
                    }
                    let index = segment.inverted_index(field).map_err(|e| index_error(at, e))?;
                    let option = if w.unit.terms.len() > 1 {
                        IndexRecordOption::WithFreqsAndPositions
                    } else {
                        IndexRecordOption::WithFreqs
                    };
                    let mut postings = Vec::with_capacity(w.unit.terms.len());
                    for term in &w.unit.terms {
                        match index
                            .read_postings(&Term::from_field_text(field, term), option)
                            .map_err(|e| index_error(at, e.into()))?
                        {
                            Some(p) => postings.push(p),
                            None => break,
                        }
                    }
                    if postings.len() < w.unit.terms.len() {
                        continue;
                    }
                    let norms = segment.get_fieldnorms_reader(field).map_err(|e| index_error(at, e))?;
                    let avg = self.avg_len.get(&field).copied().unwrap_or(1.0);
                    for &(doc, i) in &local {
                        if !postings.iter_mut().all(|p| seek_to(p, doc)) {
                            continue;
                        }
                        let tf = if postings.len() == 1 {
                            postings[0].term_freq() as f32
                        } else {
                            positions.resize_with(postings.len(), Vec::new);
                            for (p, pos) in postings.iter_mut().zip(positions.iter_mut()) {
                                p.positions(pos);
                            }
                            phrase_freq(&positions, w.unit.slop) as f32
                        };
                        if tf == 0.0 {
                            continue;
                        }
                        let len = norms.fieldnorm(doc) as f32;
                        let norm = self.k1 * (1.0 - self.b + self.b * len / avg);
                        let score = factor * tf * (self.k1 + 1.0) / (tf + norm);
                        out[i].0 += score;
                        if parts {
                            out[i].1.push(Part { unit: u, field, score });
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Moves `postings` to `doc` if it holds it; never seeks backwards (targets only grow, but a
/// list may already be past one).
fn seek_to(postings: &mut tantivy::postings::SegmentPostings, doc: DocId) -> bool {
    match postings.doc().cmp(&doc) {
        std::cmp::Ordering::Equal => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Less => postings.seek(doc) == doc,
    }
}

/// BM25's idf, as tantivy computes it.
pub(crate) fn bm25_idf(doc_freq: u64, num_docs: u64) -> f32 {
    let df = doc_freq.min(num_docs) as f32;
    (1.0 + (num_docs as f32 - df + 0.5) / (df + 0.5)).ln()
}

/// Occurrences of a phrase given each word's positions: word `i` must follow word `i − 1`
/// within `1 + slop` positions (greedy, so a slop query counts each start at most once).
fn phrase_freq(positions: &[Vec<u32>], slop: u32) -> u32 {
    let Some((first, rest)) = positions.split_first() else { return 0 };
    first
        .iter()
        .filter(|&&start| {
            let mut at = start;
            rest.iter().all(|next| match next.iter().find(|&&p| p > at && p <= at + 1 + slop) {
                Some(&p) => {
                    at = p;
                    true
                }
                None => false,
            })
        })
        .count() as u32
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_freq_counts_adjacent_occurrences_and_honours_slop() {
        let pos = vec![vec![0, 5, 9], vec![1, 7, 10]];
        assert_eq!(phrase_freq(&pos, 0), 2);
        assert_eq!(phrase_freq(&pos, 1), 3);
        assert_eq!(phrase_freq(&[vec![3]], 0), 1);
    }

    #[test]
    fn idf_matches_tantivy_and_falls_with_frequency() {
        assert!((bm25_idf(1, 10) - (1.0f32 + 9.5 / 1.5).ln()).abs() < 1e-6);
        assert!(bm25_idf(1, 100) > bm25_idf(50, 100));
        assert!(bm25_idf(100, 100) > 0.0);
    }
}
