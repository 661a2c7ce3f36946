//! One clock for the whole program, and the Beijing time zone in which legal dates are computed.
//!
//! Every "now" in shijian comes from a [`Clock`]. Production uses [`SystemClock`]; tests use
//! [`FixedClock`], which they can set and advance. Legal dates (deadlines, "today" for a job)
//! are always taken in Asia/Shanghai, whatever the host's `TZ`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use std::sync::Mutex;

/// A source of the current instant.
pub trait Clock: Send + Sync + 'static {
    /// The current instant, in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in Beijing time (Asia/Shanghai), the date that legal periods use.
    fn today(&self) -> NaiveDate {
        beijing_date(self.now())
    }
}

/// The calendar date of `instant` in Beijing time.
#[must_use]
pub fn beijing_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&Shanghai).date_naive()
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    #[must_use]
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn beijing_date_crosses_midnight_before_utc_does() {
        // 2026-03-31 16:30 UTC is 2026-04-01 00:30 in Beijing.
        let t = Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap();
        assert_eq!(
            beijing_date(t),
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
        );
        let before = Utc.with_ymd_and_hms(2026, 3, 31, 15, 59, 59).unwrap();
        assert_eq!(
            beijing_date(before),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
        );
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let c = FixedClock::new(t);
        assert_eq!(c.now(), t);
        c.advance(chrono::Duration::minutes(31));
        assert_eq!(c.now(), t + chrono::Duration::minutes(31));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    }
}
