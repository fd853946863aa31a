//! The model: a weight per feature and tag, and its binary file.
//!
//! # File format
//!
//! Little-endian throughout:
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | magic `ATTNER01` |
//! | 4 | `u32` number of tags (9: `O`, then `B-`/`I-` of PER, ORG, LOC, MISC) |
//! | 4 | `u32` number of features `n` |
//! | 4 | `f32` scale: a stored weight times the scale is the trained (averaged) weight |
//! | 4 × n | `u32` feature keys ([`super::features`]), strictly ascending |
//! | 2 × n × tags | `i16` weights, feature by feature, tag by tag |
//!
//! Features whose weights all round to zero are left out (pruned), and the weights are
//! quantised to 16 bits; decoding sums them as integers, so the scale does not matter to it.

use super::NUM_TAGS;
use crate::Error;
use crate::hash::FxHashMap;

const MAGIC: &[u8; 8] = b"ATTNER01";
const HEADER_BYTES: usize = 20;

/// Trained weights, ready to score features.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    /// Feature key → row of `weights`.
    rows: FxHashMap<u32, u32>,
    /// `NUM_TAGS` weights a row.
    weights: Vec<i16>,
    /// Each stored weight times `scale` is the trained one. Decoding compares integer sums
    /// and never needs it; the tests read it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub scale: f32,
}

fn malformed(message: impl Into<String>) -> Error {
    Error::Model { message: message.into() }
}

impl Model {
    /// Reads a model file.
    pub fn from_bytes(bytes: &[u8]) -> crate::Result<Model> {
        let u32_at = |at: usize| -> crate::Result<u32> {
            let b = bytes.get(at..at + 4).ok_or_else(|| malformed("truncated"))?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(malformed("not an attache tagger model (bad magic)"));
        }
        let tags = u32_at(8)? as usize;
        if tags != NUM_TAGS {
            return Err(malformed(format!("{tags} tags, this build knows {NUM_TAGS}")));
        }
        let n = u32_at(12)? as usize;
        let scale = f32::from_bits(u32_at(16)?);
        let weights_at = HEADER_BYTES + 4 * n;
        if bytes.len() != weights_at + 2 * n * NUM_TAGS {
            return Err(malformed(format!("{} bytes for {n} features", bytes.len())));
        }
        let mut rows = FxHashMap::default();
        rows.reserve(n);
        let mut last = None;
        for row in 0..n {
            let key = u32_at(HEADER_BYTES + 4 * row)?;
            if last.is_some_and(|l| l >= key) {
                return Err(malformed("feature keys are not ascending"));
            }
            last = Some(key);
            rows.insert(key, row as u32);
        }
        let weights = bytes[weights_at..].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        Ok(Model { rows, weights, scale })
    }

    /// Quantises trained weights (`(key, weights)` in any order) and writes them in the file
    /// format, leaving out features whose weights all round to zero.
    pub fn to_bytes(mut features: Vec<(u32, [f64; NUM_TAGS])>, prune_below: f64) -> Vec<u8> {
        features.retain(|(_, w)| w.iter().any(|x| x.abs() >= prune_below));
        features.sort_by_key(|(k, _)| *k);
        let max = features.iter().flat_map(|(_, w)| w.iter()).fold(0.0f64, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / f64::from(i16::MAX) } else { 1.0 };
        let quantised: Vec<(u32, [i16; NUM_TAGS])> = features
            .iter()
            .map(|(k, w)| (*k, w.map(|x| (x / scale).round().clamp(-32767.0, 32767.0) as i16)))
            .filter(|(_, q)| q.iter().any(|&x| x != 0))
            .collect();
        let mut out = Vec::with_capacity(HEADER_BYTES + quantised.len() * (4 + 2 * NUM_TAGS));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(NUM_TAGS as u32).to_le_bytes());
        out.extend_from_slice(&(quantised.len() as u32).to_le_bytes());
        out.extend_from_slice(&(scale as f32).to_bits().to_le_bytes());
        for (k, _) in &quantised {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for (_, q) in &quantised {
            for x in q {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Number of features kept.
    #[cfg(test)]
    pub fn num_features(&self) -> usize {
        self.rows.len()
    }

    /// Adds the weights of `features` to `scores`, tag by tag.
    #[inline]
    pub fn score(&self, features: &[u32], scores: &mut [i32; NUM_TAGS]) {
        *scores = [0; NUM_TAGS];
        for key in features {
            if let Some(&row) = self.rows.get(key) {
                let at = row as usize * NUM_TAGS;
                if let Some(w) = self.weights.get(at..at + NUM_TAGS) {
                    for (s, &x) in scores.iter_mut().zip(w) {
                        *s += i32::from(x);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_round_trips_through_its_bytes() -> crate::Result<()> {
        let mut a = [0.0; NUM_TAGS];
        a[1] = 2.5;
        a[3] = -1.0;
        let tiny = [0.001; NUM_TAGS];
        let bytes = Model::to_bytes(vec![(7, a), (3, tiny), (5, a.map(|x| -x))], 0.01);
        let model = Model::from_bytes(&bytes)?;
        assert_eq!(model.num_features(), 2, "the tiny feature is pruned");
        let mut scores = [0; NUM_TAGS];
        model.score(&[7, 99], &mut scores);
        assert_eq!(scores[1], 32767);
        assert!((f64::from(scores[3]) * f64::from(model.scale) + 1.0).abs() < 1e-3);
        model.score(&[7, 5], &mut scores);
        assert_eq!(scores, [0; NUM_TAGS]);
        // Same input, same bytes.
        assert_eq!(bytes, Model::to_bytes(vec![(5, a.map(|x| -x)), (7, a)], 0.01));
        Ok(())
    }

    #[test]
    fn damaged_files_are_errors() {
        let bytes = Model::to_bytes(vec![(1, [1.0; NUM_TAGS])], 0.0);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"ATTNER02").is_err());
        assert!(Model::from_bytes(&[]).is_err());
    }
}
