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
//!
//! # In memory
//!
//! A token scored looks up 27 features, and the 50,000 features' weights (about 1 MB) do not
//! fit in the processor's nearer caches, so the cost of scoring is the cache misses of those
//! lookups. Each feature's key and weights sit together in one 24-byte slot of a table with
//! open addressing, at most half full, found from the top bits of the key (a hash
//! already): one miss per lookup, found or not. A hash map from key to row, then the row's
//! weights, took two or three (the map's control bytes, its entry, the weights).

use super::NUM_TAGS;
use crate::Error;

const MAGIC: &[u8; 8] = b"ATTNER01";
const HEADER_BYTES: usize = 20;

/// Trained weights, ready to score features.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    /// The features by the top [`Model::bits`] bits of their key, each in the first free
    /// slot from there on (wrapping around); a power of two long, or empty.
    slots: Vec<Slot>,
    /// Bits of a key that give its first slot.
    bits: u32,
    /// Features held.
    len: usize,
    /// Each stored weight times `scale` is the trained one. Decoding compares integer sums
    /// and never needs it; the tests read it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub scale: f32,
}

/// One feature: its key and its weights, tag by tag.
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Slot {
    key: u32,
    used: bool,
    weights: [i16; NUM_TAGS],
}

impl Slot {
    const FREE: Slot = Slot { key: 0, used: false, weights: [0; NUM_TAGS] };
}

const _: () = assert!(std::mem::size_of::<Slot>() == 24, "a slot stays 24 bytes");

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
        // At most half full: a key not held (most keys looked up) is then found missing
        // after two slots on average, mostly in the same cache line.
        let bits = (2 * n).next_power_of_two().trailing_zeros().max(1);
        let mut model = Model { slots: vec![Slot::FREE; 1 << bits], bits, len: 0, scale };
        let mut last = None;
        let weight = |at: usize| i16::from_le_bytes([bytes[at], bytes[at + 1]]);
        for row in 0..n {
            let key = u32_at(HEADER_BYTES + 4 * row)?;
            if last.is_some_and(|l| l >= key) {
                return Err(malformed("feature keys are not ascending"));
            }
            last = Some(key);
            let first = weights_at + 2 * NUM_TAGS * row;
            model.insert(key, std::array::from_fn(|tag| weight(first + 2 * tag)));
        }
        Ok(model)
    }

    /// The first slot of `key` (with slots, `bits` is 1 to 32).
    #[inline]
    fn first_slot(&self, key: u32) -> usize {
        (u64::from(key) >> (32 - self.bits)) as usize
    }

    /// Holds a feature whose key is not held yet.
    fn insert(&mut self, key: u32, weights: [i16; NUM_TAGS]) {
        let mask = self.slots.len() - 1;
        let mut at = self.first_slot(key);
        while self.slots[at].used {
            at = (at + 1) & mask;
        }
        self.slots[at] = Slot { key, used: true, weights };
        self.len += 1;
    }

    /// The weights of `key`, if the model holds it.
    #[inline]
    fn weights(&self, key: u32) -> Option<&[i16; NUM_TAGS]> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut at = self.first_slot(key);
        loop {
            let slot = self.slots.get(at)?;
            if !slot.used {
                return None;
            }
            if slot.key == key {
                return Some(&slot.weights);
            }
            at = (at + 1) & mask;
        }
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
        self.len
    }

    /// Adds the weights of `features` to `scores`, tag by tag.
    #[inline]
    pub fn score(&self, features: &[u32], scores: &mut [i32; NUM_TAGS]) {
        *scores = [0; NUM_TAGS];
        for &key in features {
            if let Some(w) = self.weights(key) {
                for (s, &x) in scores.iter_mut().zip(w) {
                    *s += i32::from(x);
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
    fn keys_that_share_their_first_slot_keep_their_own_weights() -> crate::Result<()> {
        // Small keys all start at slot 0, the largest at the last slot and wrap around.
        let keys: Vec<u32> = (1..=40).chain((0..40).map(|i| u32::MAX - i)).collect();
        let weights = |k: u32| std::array::from_fn(|tag| f64::from(k % 1000) + tag as f64);
        let model = Model::from_bytes(&Model::to_bytes(keys.iter().map(|&k| (k, weights(k))).collect(), 0.0))?;
        assert_eq!(model.num_features(), keys.len());
        for &k in &keys {
            let held = model.weights(k).map(|w| w.map(|x| (f64::from(x) * f64::from(model.scale)).round()));
            assert_eq!(held, Some(weights(k)), "key {k}");
        }
        assert!(model.weights(0).is_none() && model.weights(1 << 31).is_none());
        assert!(Model::default().weights(7).is_none());
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
