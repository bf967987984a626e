//! A month, `YYYY-MM`: the answer to a date question and a bound of its range.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A month, `YYYY-MM` (years 1000–9999). Serialized as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: u16,
    month: u8,
}

impl YearMonth {
    pub fn new(year: u16, month: u8) -> Option<YearMonth> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }

    /// Parses exactly `YYYY-MM`.
    pub fn parse(s: &str) -> Option<YearMonth> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        YearMonth::new(year, month)
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// Months since year 0, for arithmetic.
    pub(super) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub(super) fn from_index(i: i64) -> Option<YearMonth> {
        let year = u16::try_from(i.div_euclid(12)).ok()?;
        let month = u8::try_from(i.rem_euclid(12) + 1).ok()?;
        YearMonth::new(year, month)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a month as YYYY-MM"))
    }
}

/// A day, `YYYY-MM-DD` (years 1000–9999): the answer to a date question with
/// `precision = "day"`. Serialized as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day {
    month: YearMonth,
    day: u8,
}

impl Day {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Day> {
        let m = YearMonth::new(year, month)?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1..=days).contains(&day).then_some(Day { month: m, day })
    }

    /// Parses exactly `YYYY-MM-DD`, a day that exists.
    pub fn parse(s: &str) -> Option<Day> {
        let (ym, d) = (s.get(..7)?, s.get(7..)?);
        let d = d.strip_prefix('-')?;
        if d.len() != 2 || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let m = YearMonth::parse(ym)?;
        Day::new(m.year(), m.month(), d.parse().ok()?)
    }

    pub fn year_month(self) -> YearMonth {
        self.month
    }

    pub fn year(self) -> u16 {
        self.month.year()
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01, for arithmetic (the civil-from-days method).
    pub(super) fn index(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.month.year()),
            i64::from(self.month.month()),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub(super) fn from_index(z: i64) -> Option<Day> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Day::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.month, self.day)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Day::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a day as YYYY-MM-DD"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_parses_only_in_the_yyyy_mm_form() {
        assert_eq!(
            YearMonth::parse("2024-03").map(|m| m.to_string()),
            Some("2024-03".into())
        );
        for bad in [
            "2024-13",
            "2024-00",
            "24-03",
            "2024-3",
            "2024/03",
            "+024-03",
            "2024-03-01",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn month_arithmetic_crosses_year_ends() {
        let m = YearMonth::parse("2024-12").expect("valid");
        assert_eq!(
            YearMonth::from_index(m.index() + 1).map(|m| m.to_string()),
            Some("2025-01".into())
        );
    }

    #[test]
    fn a_day_parses_only_when_it_exists() {
        assert_eq!(
            Day::parse("2024-02-29").map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        for bad in [
            "2023-02-29",
            "2024-04-31",
            "2024-1-01",
            "2024-01",
            "2024-01-01x",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn day_arithmetic_crosses_month_and_year_ends() {
        let d = Day::parse("2024-12-31").expect("valid");
        assert_eq!(
            Day::from_index(d.index() + 1).map(|d| d.to_string()),
            Some("2025-01-01".into())
        );
        let leap = Day::parse("2024-02-28").expect("valid");
        assert_eq!(
            Day::from_index(leap.index() + 1).map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
    }
}
