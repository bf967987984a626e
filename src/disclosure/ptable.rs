//! The perturbation table (p-table) and cell-key lookup.
//!
//! For an original count `n`, a row gives the probability of each adjustment `d` in
//! `-2..=+2` (never below `-n`), in units of 1/10,000 so every property is exact: each row sums
//! to 1, has mean exactly 0, and the stated variance exactly. A cell key read as
//! `u = key / 2^32` picks `d` by inverse-CDF lookup, so the same records (same key) always get
//! the same noise. The table is public and published with every release under its version.

use serde::Serialize;

/// Changing any number below is a new version: releases name the version they used.
pub const PTABLE_VERSION: &str = "chorus-ptable-1";

/// The largest adjustment, D: a published count is within ±D of the true count.
pub const MAX_ADJUSTMENT: u64 = 2;

/// Probabilities are whole multiples of 1/DENOMINATOR.
pub const DENOMINATOR: u32 = 10_000;

/// One row: the counts it applies to and the probability of each adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PRow {
    /// The first original count the row applies to.
    pub from: u64,
    /// The last, or `None` for "and every larger count".
    pub to: Option<u64>,
    /// Probabilities of d = −2, −1, 0, +1, +2, in 1/10,000.
    pub probabilities: [u32; 5],
    /// The variance of d under the row (exact).
    pub variance: f64,
}

/// The p-table: versioned data, serialisable so it can be published with each release.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PTable {
    pub version: &'static str,
    pub max_adjustment: u64,
    pub denominator: u32,
    pub rows: &'static [PRow],
}

/// - n = 0: stays 0.
/// - n = 1: −1 with 0.40, 0 with 0.30, +1 with 0.20, +2 with 0.10 (mean 0, variance 1).
/// - n ≥ 2: −2 and +2 with 0.05 each, −1, 0 and +1 with 0.30 each (mean 0, variance 1).
///
/// The exact count is published only 30% of the time, so a count that moved by one record
/// (one more response, or one person filtered in) is not read off as exactly one more.
pub const PTABLE: PTable = PTable {
    version: PTABLE_VERSION,
    max_adjustment: MAX_ADJUSTMENT,
    denominator: DENOMINATOR,
    rows: &[
        PRow {
            from: 0,
            to: Some(0),
            probabilities: [0, 0, 10_000, 0, 0],
            variance: 0.0,
        },
        PRow {
            from: 1,
            to: Some(1),
            probabilities: [0, 4_000, 3_000, 2_000, 1_000],
            variance: 1.0,
        },
        PRow {
            from: 2,
            to: None,
            probabilities: [500, 3_000, 3_000, 3_000, 500],
            variance: 1.0,
        },
    ],
};

impl PTable {
    /// The row for original count `n`.
    pub fn row(&self, n: u64) -> Option<&PRow> {
        self.rows
            .iter()
            .find(|r| r.from <= n && r.to.is_none_or(|to| n <= to))
    }

    /// The adjustment for a cell of original count `n` and cell key `key`.
    pub fn adjustment(&self, n: u64, key: u32) -> i64 {
        let Some(row) = self.row(n) else {
            return 0;
        };
        // u = key / 2^32 < cumulative / DENOMINATOR, in exact integer arithmetic.
        let scaled = u64::from(key) * u64::from(self.denominator);
        let mut cumulative = 0u64;
        for (d, p) in (-2i64..=2).zip(row.probabilities) {
            cumulative += u64::from(p);
            if scaled < cumulative << 32 {
                return d;
            }
        }
        0
    }

    /// The published value of a cell: `n + d`, never negative.
    pub fn perturb(&self, n: u64, key: u32) -> u64 {
        n.saturating_add_signed(self.adjustment(n, key))
    }
}

/// [`PTABLE`]'s perturbation of a cell of count `n` and key `key`.
pub fn perturb(n: u64, key: u32) -> u64 {
    PTABLE.perturb(n, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (splitmix64) standing in for uniformly random keys.
    fn keys(seed: u64, n: usize) -> Vec<u32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = s;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                ((z ^ (z >> 31)) >> 32) as u32
            })
            .collect()
    }

    #[test]
    fn every_row_sums_to_one_with_mean_zero_and_the_stated_variance() {
        for row in PTABLE.rows {
            let ds = -2i64..=2;
            let p: Vec<i64> = row.probabilities.iter().map(|p| i64::from(*p)).collect();
            assert_eq!(p.iter().sum::<i64>(), i64::from(DENOMINATOR), "{row:?}");
            let mean: i64 = ds.clone().zip(&p).map(|(d, p)| d * p).sum();
            assert_eq!(mean, 0, "{row:?}");
            let second: i64 = ds.zip(&p).map(|(d, p)| d * d * p).sum();
            assert_eq!(
                second as f64 / f64::from(DENOMINATOR),
                row.variance,
                "{row:?}"
            );
        }
    }

    #[test]
    fn every_count_has_exactly_one_row_and_never_goes_below_zero() {
        for n in 0..1000u64 {
            let rows = PTABLE
                .rows
                .iter()
                .filter(|r| r.from <= n && r.to.is_none_or(|to| n <= to))
                .count();
            assert_eq!(rows, 1, "count {n}");
            let row = PTABLE.row(n).expect("a row");
            for (d, p) in (-2i64..=2).zip(row.probabilities) {
                assert!(p == 0 || n as i64 + d >= 0, "count {n} adjustment {d}");
            }
        }
    }

    #[test]
    fn zero_stays_zero_whatever_the_key() {
        for k in keys(1, 10_000) {
            assert_eq!(perturb(0, k), 0);
        }
        assert_eq!(perturb(0, u32::MAX), 0);
    }

    #[test]
    fn the_lookup_follows_the_cumulative_probabilities_at_their_edges() {
        // Row n ≥ 2: d = −2 for u < 0.05, −1 for u < 0.35, 0 for u < 0.65, +1 below 0.95.
        let at = |u: f64| (u * 4_294_967_296.0) as u32;
        assert_eq!(PTABLE.adjustment(5, 0), -2);
        assert_eq!(PTABLE.adjustment(5, at(0.0499)), -2);
        assert_eq!(PTABLE.adjustment(5, at(0.0501)), -1);
        assert_eq!(PTABLE.adjustment(5, at(0.5)), 0);
        assert_eq!(PTABLE.adjustment(5, at(0.9)), 1);
        assert_eq!(PTABLE.adjustment(5, u32::MAX), 2);
        assert_eq!(PTABLE.adjustment(1, 0), -1);
        assert_eq!(PTABLE.adjustment(1, u32::MAX), 2);
    }

    #[test]
    fn the_noise_over_random_keys_matches_each_rows_probabilities() {
        const DRAWS: usize = 200_000;
        for (i, n) in [1u64, 2, 3, 10, 1000].into_iter().enumerate() {
            let row = PTABLE.row(n).expect("a row");
            let mut observed = [0u64; 5];
            for k in keys(42 + i as u64, DRAWS) {
                let d = PTABLE.adjustment(n, k);
                observed[(d + 2) as usize] += 1;
            }
            let mut chi2 = 0.0;
            for (o, p) in observed.iter().zip(row.probabilities) {
                let expected = DRAWS as f64 * f64::from(p) / f64::from(DENOMINATOR);
                if expected == 0.0 {
                    assert_eq!(*o, 0, "count {n}: an impossible adjustment happened");
                } else {
                    chi2 += (*o as f64 - expected).powi(2) / expected;
                }
            }
            // 99.9th percentile of chi-square with 4 degrees of freedom.
            assert!(
                chi2 < 18.47,
                "count {n}: chi-square {chi2}, observed {observed:?}"
            );
        }
    }

    #[test]
    fn the_table_serialises_with_its_version() {
        let json = serde_json::to_string(&PTABLE).expect("serialises");
        assert!(json.contains("\"version\":\"chorus-ptable-1\""), "{json}");
        assert!(json.contains("[500,3000,3000,3000,500]"), "{json}");
    }
}
