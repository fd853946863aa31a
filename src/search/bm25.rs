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
    /// The field; for a BM25F score, the first of the fields scored together.
    pub field: Field,
    /// Whether this is the BM25F score of the combined fields.
    pub is_combined: bool,
    pub score: f32,
}

/// BM25 over the weighted units, with corpus statistics from the index.
///
/// Fields named in `combined` (title and body, with BM25F on) are scored as one document:
/// each field's term frequency, normalised by its own length and weighted by its boost, is
/// summed before saturation (Robertson, Zaragoza and Taylor, CIKM 2004), with the idf of
/// the most frequent of those fields standing in for the document frequency over all of
/// them. Otherwise each field is a BM25 score of its own and the scores add up.
pub(crate) struct Scorer<'a> {
    searcher: &'a tantivy::Searcher,
    units: &'a [Weighted],
    k1: f32,
    b: f32,
    /// Fields scored together (BM25F); empty: every field on its own.
    combined: &'a [Field],
    /// Per unit, per field (as in `unit.fields`): weight × boost × idf; for a combined field
    /// its boost alone.
    factors: Vec<Vec<f32>>,
    /// Per unit: weight × idf of its combined fields.
    combined_factors: Vec<f32>,
    avg_len: HashMap<Field, f32>,
    at: std::path::PathBuf,
}

impl<'a> Scorer<'a> {
    /// The fields scored together (BM25F).
    pub fn combined(&self) -> &[Field] {
        self.combined
    }

    pub fn new(
        searcher: &'a tantivy::Searcher,
        units: &'a [Weighted],
        (k1, b): (f32, f32),
        combined: &'a [Field],
        at: std::path::PathBuf,
    ) -> crate::Result<Scorer<'a>> {
        let num_docs: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let mut avg_len = HashMap::new();
        let mut factors = Vec::with_capacity(units.len());
        let mut combined_factors = Vec::with_capacity(units.len());
        for w in units {
            let mut per_field = Vec::with_capacity(w.unit.fields.len());
            let mut combined_idf: Option<f32> = None;
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
                if combined.contains(&field) {
                    combined_idf = Some(combined_idf.map_or(idf, |c| c.min(idf)));
                    per_field.push(boost);
                } else {
                    per_field.push(w.weight * boost * idf);
                }
            }
            factors.push(per_field);
            combined_factors.push(w.weight * combined_idf.unwrap_or(0.0));
        }
        Ok(Scorer { searcher, units, k1, b, combined, factors, combined_factors, avg_len, at })
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
        // Per document: the unit's length-normalised, boosted frequency over combined fields.
        let mut pseudo_tf = vec![0.0f32; docs.len()];
        for (segment_ord, mut local) in by_segment {
            local.sort_unstable();
            let Some(segment) = self.searcher.segment_readers().get(segment_ord as usize) else { continue };
            for (u, w) in self.units.iter().enumerate() {
                for (f, &(field, _)) in w.unit.fields.iter().enumerate() {
                    let factor = self.factors[u][f];
                    let is_combined = self.combined.contains(&field);
                    if factor == 0.0 || (is_combined && self.combined_factors[u] == 0.0) {
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
                        let length_norm = 1.0 - self.b + self.b * len / avg;
                        if is_combined {
                            pseudo_tf[i] += factor * tf / length_norm;
                            continue;
                        }
                        let score = factor * tf * (self.k1 + 1.0) / (tf + self.k1 * length_norm);
                        out[i].0 += score;
                        if parts {
                            out[i].1.push(Part { unit: u, field, is_combined: false, score });
                        }
                    }
                }
                if let Some(&field) = self.combined.first() {
                    for &(_, i) in &local {
                        let tf = std::mem::take(&mut pseudo_tf[i]);
                        if tf == 0.0 {
                            continue;
                        }
                        let score = self.combined_factors[u] * tf * (self.k1 + 1.0) / (tf + self.k1);
                        out[i].0 += score;
                        if parts {
                            out[i].1.push(Part { unit: u, field, is_combined: true, score });
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Term-pair proximity in `field`: for each pair of the user's single words, the number
    /// of times one occurs within [`PROXIMITY_WINDOW`] positions of the other, scored like a
    /// term of its own with BM25 (the pair's weight and idf the mean of its words'). One score
    /// per document of `docs`.
    pub fn proximity(&self, docs: &[DocAddress], field: Field) -> crate::Result<Vec<f32>> {
        let at = &self.at;
        let words: Vec<(usize, &str)> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.is_expansion && w.unit.terms.len() == 1 && w.unit.fields.iter().any(|f| f.0 == field))
            .map(|(u, w)| (u, w.unit.terms[0].as_str()))
            .collect();
        let mut out = vec![0.0f32; docs.len()];
        if words.len() < 2 {
            return Ok(out);
        }
        let num_docs: u64 = self.searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let mut idf = Vec::with_capacity(words.len());
        for (_, term) in &words {
            let df = self.searcher.doc_freq(&Term::from_field_text(field, term)).map_err(|e| index_error(at, e))?;
            idf.push(bm25_idf(df, num_docs));
        }
        let avg = self.avg_len.get(&field).copied().unwrap_or(1.0);
        let mut by_segment: HashMap<u32, Vec<(DocId, usize)>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_segment.entry(d.segment_ord).or_default().push((d.doc_id, i));
        }
        for (segment_ord, mut local) in by_segment {
            local.sort_unstable();
            let Some(segment) = self.searcher.segment_readers().get(segment_ord as usize) else { continue };
            let index = segment.inverted_index(field).map_err(|e| index_error(at, e))?;
            let norms = segment.get_fieldnorms_reader(field).map_err(|e| index_error(at, e))?;
            let mut postings = Vec::with_capacity(words.len());
            for (_, term) in &words {
                postings.push(
                    index
                        .read_postings(&Term::from_field_text(field, term), IndexRecordOption::WithFreqsAndPositions)
                        .map_err(|e| index_error(at, e.into()))?,
                );
            }
            let mut positions: Vec<Vec<u32>> = vec![Vec::new(); words.len()];
            for &(doc, i) in &local {
                for (p, pos) in postings.iter_mut().zip(positions.iter_mut()) {
                    pos.clear();
                    if let Some(p) = p
                        && seek_to(p, doc)
                    {
                        p.positions(pos);
                    }
                }
                let len = norms.fieldnorm(doc) as f32;
                let norm = self.k1 * (1.0 - self.b + self.b * len / avg);
                for a in 0..words.len() {
                    for b in a + 1..words.len() {
                        let tf = near(&positions[a], &positions[b], PROXIMITY_WINDOW) as f32;
                        if tf == 0.0 {
                            continue;
                        }
                        let weight = (self.units[words[a].0].weight + self.units[words[b].0].weight) / 2.0;
                        let pair_idf = (idf[a] + idf[b]) / 2.0;
                        out[i] += weight * pair_idf * tf * (self.k1 + 1.0) / (tf + norm);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Positions apart within which two words count as near each other.
pub(crate) const PROXIMITY_WINDOW: u32 = 8;

/// Occurrences of `a` with an occurrence of `b` within `window` positions (both sorted).
fn near(a: &[u32], b: &[u32], window: u32) -> u32 {
    let mut j = 0;
    let mut count = 0;
    for &p in a {
        while j < b.len() && b[j] + window < p {
            j += 1;
        }
        if j < b.len() && b[j] <= p + window && b[j] != p {
            count += 1;
        }
    }
    count
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
