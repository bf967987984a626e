//! Time, for the few places that need it: session expiry and the day of an audit-log entry.
//! Never used for anything about respondents. Tests can fix it.

use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01 UTC.
    fn now(&self) -> u64;

    /// The UTC day, `YYYY-MM-DD`.
    fn today(&self) -> String {
        day_of(self.now())
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that says what it is told.
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0
    }
}

/// A clock that only knows the day (carried into blocking work from the request's clock).
pub struct FixedDay(pub String);

impl Clock for FixedDay {
    fn now(&self) -> u64 {
        0
    }

    fn today(&self) -> String {
        self.0.clone()
    }
}

/// `day` (`YYYY-MM-DD`) plus `days`, or `None` for a malformed day.
pub fn add_days(day: &str, days: u32) -> Option<String> {
    let mut parts = day.split('-');
    let (y, m, d) = (
        parts.next()?.parse::<i64>().ok()?,
        parts.next()?.parse::<i64>().ok()?,
        parts.next()?.parse::<i64>().ok()?,
    );
    // Days since the epoch (the inverse of `day_of`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let epoch_days = era * 146_097 + doe - 719_468 + i64::from(days);
    u64::try_from(epoch_days).ok().map(|n| day_of(n * 86_400))
}

/// Civil date from days since the epoch (Howard Hinnant's algorithm).
pub fn day_of(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_computed_in_utc() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(951_782_400), "2000-02-29");
        assert_eq!(day_of(1_795_910_399), "2026-11-28");
        assert_eq!(FixedClock(1_795_910_400).today(), "2026-11-29");
    }

    #[test]
    fn adding_days_crosses_months_years_and_leap_days() {
        assert_eq!(add_days("2026-11-29", 0).as_deref(), Some("2026-11-29"));
        assert_eq!(add_days("2026-11-29", 33).as_deref(), Some("2027-01-01"));
        assert_eq!(add_days("2028-02-28", 1).as_deref(), Some("2028-02-29"));
        assert_eq!(add_days("not a day", 1), None);
    }
}
