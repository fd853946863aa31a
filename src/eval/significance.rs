//! Whether a difference between two rankings over the same queries is more than chance.
//!
//! [`randomisation_test`] is the paired randomisation (permutation) test that Smucker, Allan
//! and Carterette (CIKM 2007) recommend for IR evaluation: under the null hypothesis that
//! the two systems are interchangeable, each query's difference is as likely to have either
//! sign. The test flips signs at random [`RANDOMISATION_SAMPLES`] times and counts how often
//! the mean difference is at least as far from zero as the one observed (two-sided). It makes
//! no assumption about how the per-query differences are distributed, which matters for
//! nDCG and AP: bounded, skewed, and often exactly zero.
//!
//! The random signs come from a fixed-seed generator, so the same two runs always give the
//! same p-value (and the same table).

use serde::{Deserialize, Serialize};

/// Sign-flip samples drawn per test.
pub const RANDOMISATION_SAMPLES: usize = 10_000;
/// Differences with a p-value below this are marked significant.
pub const SIGNIFICANCE_LEVEL: f64 = 0.05;
/// Seed of the sign-flip generator.
const SEED: u64 = 0x5EED_A77A_C4E0_0016;

/// The outcome of a paired test of `candidate − baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Mean of the per-query differences.
    pub mean_difference: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Queries where the candidate scored higher.
    pub num_better: usize,
    /// Queries where it scored lower.
    pub num_worse: usize,
}

impl Paired {
    /// Whether the difference is significant at [`SIGNIFICANCE_LEVEL`].
    pub fn is_significant(&self) -> bool {
        self.p_value < SIGNIFICANCE_LEVEL
    }
}

/// Paired two-sided randomisation test of `candidate[i] − baseline[i]`.
///
/// The p-value is `(k + 1) / (n + 1)`, where `k` of `n` sign-flipped samples have a mean at
/// least as extreme as the observed one: never zero, as an estimate from samples should not
/// be. Differences smaller than 1e-12 count as ties.
///
/// ```
/// use attache::eval::significance::randomisation_test;
/// let same = randomisation_test(&[0.5, 0.2, 0.9], &[0.5, 0.2, 0.9]);
/// assert_eq!((same.mean_difference, same.p_value), (0.0, 1.0));
/// let better = randomisation_test(&[1.0; 20], &[0.0; 20]);
/// assert!(better.p_value < 0.001);
/// ```
pub fn randomisation_test(candidate: &[f64], baseline: &[f64]) -> Paired {
    let diffs: Vec<f64> = candidate.iter().zip(baseline).map(|(c, b)| c - b).collect();
    let num_better = diffs.iter().filter(|&&d| d > 1e-12).count();
    let num_worse = diffs.iter().filter(|&&d| d < -1e-12).count();
    if diffs.is_empty() {
        return Paired { mean_difference: 0.0, p_value: 1.0, num_better, num_worse };
    }
    let n = diffs.len() as f64;
    let observed = diffs.iter().sum::<f64>() / n;
    // A sample is as extreme when its |mean| reaches the observed |mean| (less a rounding
    // margin, so that an all-zero difference gives p = 1).
    let threshold = observed.abs() - 1e-12;
    let mut rng = SplitMix64(SEED);
    let mut extreme = 0usize;
    for _ in 0..RANDOMISATION_SAMPLES {
        let mut sum = 0.0;
        let mut bits = 0u64;
        for (i, d) in diffs.iter().enumerate() {
            if i % 64 == 0 {
                bits = rng.next();
            }
            sum += if bits & 1 == 1 { *d } else { -*d };
            bits >>= 1;
        }
        if (sum / n).abs() >= threshold {
            extreme += 1;
        }
    }
    let p_value = (extreme + 1) as f64 / (RANDOMISATION_SAMPLES + 1) as f64;
    Paired { mean_difference: observed, p_value: p_value.min(1.0), num_better, num_worse }
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast, and good enough for fair coin flips.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-checked: the differences are +0.3, +0.1, −0.1 (sum +0.3). Flipping the last two
    /// signs gives the sums +0.3, +0.5, +0.1, +0.3, and flipping the first too gives their
    /// negatives: |sum| ≥ 0.3 in six of the eight equally likely patterns, so the exact
    /// two-sided p is 0.75; the sampled p must be close.
    #[test]
    fn p_value_matches_the_exact_permutation_distribution() {
        let t = randomisation_test(&[0.8, 0.6, 0.4], &[0.5, 0.5, 0.5]);
        assert!((t.mean_difference - 0.1).abs() < 1e-12);
        assert!((t.p_value - 0.75).abs() < 0.02, "{}", t.p_value);
        assert_eq!((t.num_better, t.num_worse), (2, 1));
        assert!(!t.is_significant());
    }

    /// Ten queries all better by 0.1: only the two all-same-sign patterns of 1024 are as
    /// extreme, so p ≈ 2/1024 ≈ 0.002.
    #[test]
    fn a_consistent_gain_is_significant() {
        let t = randomisation_test(&[0.6; 10], &[0.5; 10]);
        assert!((t.p_value - 2.0 / 1024.0).abs() < 0.002, "{}", t.p_value);
        assert!(t.is_significant());
    }

    #[test]
    fn identical_runs_and_empty_input_are_not_significant() {
        assert_eq!(randomisation_test(&[0.3, 0.7], &[0.3, 0.7]).p_value, 1.0);
        assert_eq!(randomisation_test(&[], &[]).p_value, 1.0);
    }

    #[test]
    fn the_same_input_gives_the_same_p_value() {
        let a = [0.9, 0.1, 0.5, 0.7, 0.3];
        let b = [0.8, 0.3, 0.5, 0.4, 0.2];
        assert_eq!(randomisation_test(&a, &b), randomisation_test(&a, &b));
    }
}
