//! A decimal number written in base ten (`12.5`, `-0.25`), kept exactly: the answer to a
//! decimal `number` question and its bounds, step and bands. Never a float, so that `0.1`
//! steps add up and a stored answer reads back as written.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// At most this many digits after the point.
pub const MAX_DECIMALS: u8 = 6;

/// `units × 10^-scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    units: i64,
    scale: u8,
}

impl Decimal {
    /// Parses `-12.50`, `3`, `0.1`: digits with an optional sign and point, at most
    /// [`MAX_DECIMALS`] decimals and 15 digits before the point.
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim();
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 15 || !all_digits(whole) || !all_digits(frac) {
            return None;
        }
        if digits.contains('.') && frac.is_empty() {
            return None;
        }
        let scale = u8::try_from(frac.len())
            .ok()
            .filter(|s| *s <= MAX_DECIMALS)?;
        let units: i64 = format!("{whole}{frac}").parse().ok()?;
        Some(Decimal {
            units: if negative { -units } else { units },
            scale,
        })
    }

    /// `units × 10^-scale` (`from_units(125, 1)` is `12.5`).
    pub fn from_units(units: i64, scale: u8) -> Decimal {
        Decimal { units, scale }
    }

    /// The value in whole units of `10^-scale`, when `scale` is at least this number's own
    /// and the result fits (`12.5` at scale 2 is `1250`).
    pub fn units_at(self, scale: u8) -> Option<i64> {
        if scale < self.scale {
            return None;
        }
        i64::try_from(self.at(scale)).ok()
    }

    /// The largest whole number not above this one.
    pub fn floor(self) -> i64 {
        let div = 10i64.pow(u32::from(self.scale));
        self.units.div_euclid(div)
    }

    /// The smallest whole number not below this one.
    pub fn ceil(self) -> i64 {
        let div = 10i64.pow(u32::from(self.scale));
        -(-self.units).div_euclid(div)
    }

    pub fn from_int(n: i64) -> Decimal {
        Decimal { units: n, scale: 0 }
    }

    /// Digits after the point as written (`2.50` has 2).
    pub fn scale(self) -> u8 {
        self.scale
    }

    /// The value in units of `10^-scale`, for `scale` at least this number's own.
    fn at(self, scale: u8) -> i128 {
        i128::from(self.units) * 10i128.pow(u32::from(scale.saturating_sub(self.scale)))
    }

    /// Whether `self - from` is a whole multiple of `step` (`step` > 0).
    pub fn on_step(self, from: Decimal, step: Decimal) -> bool {
        let scale = self.scale.max(from.scale).max(step.scale);
        let step = step.at(scale);
        step > 0 && (self.at(scale) - from.at(scale)) % step == 0
    }

    /// `self + other`, at the finer of the two scales (saturating).
    pub fn plus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let units = i64::try_from(self.at(scale) + other.at(scale)).unwrap_or(i64::MAX);
        Decimal { units, scale }
    }

    /// `self - other`, at the finer of the two scales (saturating).
    pub fn minus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let units = i64::try_from(self.at(scale) - other.at(scale)).unwrap_or(i64::MIN);
        Decimal { units, scale }
    }

    pub fn is_positive(self) -> bool {
        self.units > 0
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.at(scale).cmp(&other.at(scale))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let div = 10u64.pow(u32::from(self.scale));
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / div,
            abs % div,
            width = usize::from(self.scale)
        )
    }
}

/// Stored as the string it reads as (`"12.5"`), never as a float.
impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Decimal::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a decimal number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).expect("a decimal")
    }

    #[test]
    fn a_decimal_reads_back_as_written() {
        for s in ["12.5", "-0.25", "3", "0.10", "-7"] {
            assert_eq!(d(s).to_string(), s);
        }
    }

    #[test]
    fn malformed_decimals_are_refused() {
        for s in [
            "",
            "1.",
            ".5",
            "1e3",
            "1.2.3",
            "--1",
            "0.1234567",
            "abc",
            "1,5",
        ] {
            assert!(Decimal::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn decimals_compare_by_value_whatever_their_scale() {
        assert_eq!(d("2.50"), d("2.5"));
        assert!(d("2.49") < d("2.5"));
        assert!(d("-1") < d("0.1"));
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_reads_back_as_written_and_compares_like_its_value(
            units in -999_999_999_999i64..999_999_999_999,
            scale in 0u8..=MAX_DECIMALS,
            other in -999_999_999_999i64..999_999_999_999,
        ) {
            let a = Decimal { units, scale };
            let again = Decimal::parse(&a.to_string());
            proptest::prop_assert_eq!(again.map(|d| (d.units, d.scale)), Some((units, scale)));
            let b = Decimal { units: other, scale };
            proptest::prop_assert_eq!(a.cmp(&b), units.cmp(&other));
        }

        #[test]
        fn a_value_plus_a_step_stays_on_the_step(
            from in -1000i64..1000, steps in 0i64..1000, step in 1i64..1000, scale in 0u8..4,
        ) {
            let from = Decimal { units: from, scale };
            let step = Decimal { units: step, scale };
            let mut d = from;
            for _ in 0..(steps % 20) {
                d = d.plus(step);
            }
            proptest::prop_assert!(d.on_step(from, step));
        }
    }

    #[test]
    fn a_step_counts_from_the_minimum() {
        assert!(d("1.5").on_step(d("0"), d("0.5")));
        assert!(!d("1.25").on_step(d("0"), d("0.5")));
        assert!(d("0.3").on_step(d("0.1"), d("0.1")));
    }
}
