//! Dormancy (歇业): 条例 Art.30; 细则 Art.40–43.
//!
//! An entity in difficulty after a natural disaster, accident, public-health or
//! social-security event may file dormancy **before** it starts (细则 Art.41). The total
//! of all its dormancy may not exceed 3 years (条例 Art.30). An extension is filed within
//! the 30 days before the period ends (细则 Art.41 para.3). When the filed period ends, or
//! the 3 years are used up, the entity is treated as having resumed business
//! automatically (细则 Art.42 para.3).
//!
//! # The 3-year rule, precisely
//!
//! A period is an inclusive date range: the entity is dormant on every day from `start`
//! to `end`, and resumes on `end + 1` ([`DormancyPeriod::auto_resume_on`]).
//!
//! The allowance is the number of days in the 3 calendar years from the first day of the
//! entity's first dormancy: `(first_start + 3 years) − first_start`, i.e. 1095 or 1096
//! days depending on the leap days inside (a year from 29 February ends on 28 February,
//! 民法典 Art.202). The sum of the days of all periods, each counted inclusively, may
//! not exceed it. For one uninterrupted period this is exactly "3 calendar years":
//! dormancy from 2022-03-01 may last until 2025-02-28 and the entity resumes on
//! 2025-03-01. Split periods share the same allowance, so a later period is cut to the
//! days left ([`LifecycleError::DormancyExceedsThreeYears`] names the latest end).
//! Because a plan never ends later than the allowance, "the period ended" and "3 years
//! are used up" fall on the same day: [`DormancyPlan::auto_resume_on`].

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::lifecycle::LifecycleError;

/// One dormancy period, both ends inclusive (歇业期限 `start` 至 `end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DormancyPeriod {
    /// First dormant day.
    pub start: NaiveDate,
    /// Last dormant day.
    pub end: NaiveDate,
}

impl DormancyPeriod {
    /// A period, or [`LifecycleError::InvalidPeriod`] if `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, LifecycleError> {
        let period = Self { start, end };
        period.validate()?;
        Ok(period)
    }

    fn validate(&self) -> Result<(), LifecycleError> {
        if self.end < self.start {
            Err(LifecycleError::InvalidPeriod {
                start: self.start,
                end: self.end,
            })
        } else {
            Ok(())
        }
    }

    /// Number of dormant days, both ends counted (a one-day period has 1).
    #[must_use]
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Whether the entity is dormant on `date` according to this period.
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The day the entity is treated as having resumed business (细则 Art.42 para.3):
    /// the day after `end`. The scheduled job applies [`super::Action::ResumeAutomatically`]
    /// on or after this day.
    #[must_use]
    pub fn auto_resume_on(&self) -> NaiveDate {
        self.end.succ_opt().unwrap_or(self.end)
    }
}

/// The outcome of an accepted dormancy filing or extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DormancyPlan {
    /// The period as filed (for an extension: the current period's start to the new
    /// end).
    pub period: DormancyPeriod,
    /// The day dormancy ends automatically (the day after `period.end`).
    pub auto_resume_on: NaiveDate,
    /// Dormant days in total, this period included.
    pub used_days: i64,
    /// The whole 3-year allowance in days.
    pub allowance_days: i64,
    /// Days left for later dormancy.
    pub remaining_days: i64,
}

/// The numbers of the dormancy rules, as data. [`Default`] is the law in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DormancyRule {
    /// Maximum cumulative dormancy in calendar years (条例 Art.30: 3).
    pub max_years: u32,
    /// An extension is filed at most this many days before the period ends (细则 Art.41
    /// para.3: 30). On the last day of the period it is still allowed.
    pub extension_window_days: u32,
}

impl Default for DormancyRule {
    fn default() -> Self {
        Self {
            max_years: 3,
            extension_window_days: 30,
        }
    }
}

impl DormancyRule {
    /// The allowance in days for an entity whose first dormancy starts on
    /// `first_start`: the days from `first_start` to `first_start + max_years` years.
    #[must_use]
    pub fn allowance_days(&self, first_start: NaiveDate) -> i64 {
        first_start
            .checked_add_months(Months::new(self.max_years.saturating_mul(12)))
            .map_or(i64::MAX, |limit| (limit - first_start).num_days())
    }

    /// Checks a new dormancy filing (歇业备案) on `today` for `start ..= requested_end`,
    /// given the entity's earlier periods `previous` (in order, all ended).
    ///
    /// Errors: `invalid_period` (an end before its start), `dormancy_overlap` (periods
    /// not in order, or `start` not after the last earlier end), `dormancy_start_in_past`
    /// (`start` before `today`: dormancy is filed before it starts; filing on the first
    /// day itself is accepted), `dormancy_exceeds_three_years`.
    pub fn plan(
        &self,
        previous: &[DormancyPeriod],
        start: NaiveDate,
        requested_end: NaiveDate,
        today: NaiveDate,
    ) -> Result<DormancyPlan, LifecycleError> {
        validate_history(previous)?;
        let period = DormancyPeriod::new(start, requested_end)?;
        if let Some(last) = previous.last() {
            if start <= last.end {
                return Err(LifecycleError::DormancyOverlap {
                    start,
                    previous_end: last.end,
                });
            }
        }
        if start < today {
            return Err(LifecycleError::DormancyStartInPast { start, today });
        }
        self.within_allowance(previous, period)
    }

    /// Checks an extension (延长歇业期限) filed on `today` of the `current` period to
    /// `requested_end`, given the earlier ended periods `previous` (without `current`).
    ///
    /// Errors: those of [`DormancyRule::plan`] for the history, `dormancy_already_ended`
    /// (`today` after `current.end`: the entity has already resumed),
    /// `extension_window_not_open` (more than `extension_window_days` days before
    /// `current.end`), `extension_not_later` (`requested_end` not after `current.end`),
    /// `dormancy_exceeds_three_years`.
    pub fn plan_extension(
        &self,
        previous: &[DormancyPeriod],
        current: DormancyPeriod,
        requested_end: NaiveDate,
        today: NaiveDate,
    ) -> Result<DormancyPlan, LifecycleError> {
        validate_history(previous)?;
        current.validate()?;
        if let Some(last) = previous.last() {
            if current.start <= last.end {
                return Err(LifecycleError::DormancyOverlap {
                    start: current.start,
                    previous_end: last.end,
                });
            }
        }
        if today > current.end {
            return Err(LifecycleError::DormancyEnded {
                ended_on: current.end,
            });
        }
        let opens_on = current
            .end
            .checked_sub_days(Days::new(u64::from(self.extension_window_days)))
            .unwrap_or(NaiveDate::MIN);
        if today < opens_on {
            return Err(LifecycleError::ExtensionWindowNotOpen {
                current_end: current.end,
                opens_on,
            });
        }
        if requested_end <= current.end {
            return Err(LifecycleError::ExtensionNotLater {
                current_end: current.end,
                requested_end,
            });
        }
        self.within_allowance(
            previous,
            DormancyPeriod {
                start: current.start,
                end: requested_end,
            },
        )
    }

    /// The latest last day a period starting on `start` may have after the earlier
    /// periods `previous`, or `None` when the allowance is used up.
    #[must_use]
    pub fn latest_end(&self, previous: &[DormancyPeriod], start: NaiveDate) -> Option<NaiveDate> {
        let first_start = previous.first().map_or(start, |p| p.start);
        let remaining = self.allowance_days(first_start) - used_days(previous);
        latest_end_for(start, remaining)
    }

    fn within_allowance(
        &self,
        previous: &[DormancyPeriod],
        period: DormancyPeriod,
    ) -> Result<DormancyPlan, LifecycleError> {
        let first_start = previous.first().map_or(period.start, |p| p.start);
        let allowance_days = self.allowance_days(first_start);
        let used_before = used_days(previous);
        let used_days = used_before + period.days();
        if used_days > allowance_days {
            return Err(LifecycleError::DormancyExceedsThreeYears {
                requested_end: period.end,
                latest_end: latest_end_for(period.start, allowance_days - used_before),
                used_days: used_before,
                allowance_days,
            });
        }
        Ok(DormancyPlan {
            period,
            auto_resume_on: period.auto_resume_on(),
            used_days,
            allowance_days,
            remaining_days: allowance_days - used_days,
        })
    }
}

fn used_days(periods: &[DormancyPeriod]) -> i64 {
    periods.iter().map(DormancyPeriod::days).sum()
}

fn latest_end_for(start: NaiveDate, remaining_days: i64) -> Option<NaiveDate> {
    let remaining = u64::try_from(remaining_days)
        .ok()
        .filter(|&days| days > 0)?;
    start.checked_add_days(Days::new(remaining - 1))
}

/// Every earlier period valid, in order and not overlapping.
fn validate_history(previous: &[DormancyPeriod]) -> Result<(), LifecycleError> {
    for period in previous {
        period.validate()?;
    }
    for pair in previous.windows(2) {
        if pair[1].start <= pair[0].end {
            return Err(LifecycleError::DormancyOverlap {
                start: pair[1].start,
                previous_end: pair[0].end,
            });
        }
    }
    Ok(())
}

/// [`DormancyRule::plan`] with the rule in force ([`DormancyRule::default`]).
pub fn plan_dormancy(
    previous: &[DormancyPeriod],
    start: NaiveDate,
    requested_end: NaiveDate,
    today: NaiveDate,
) -> Result<DormancyPlan, LifecycleError> {
    DormancyRule::default().plan(previous, start, requested_end, today)
}

/// [`DormancyRule::plan_extension`] with the rule in force ([`DormancyRule::default`]).
pub fn plan_dormancy_extension(
    previous: &[DormancyPeriod],
    current: DormancyPeriod,
    requested_end: NaiveDate,
    today: NaiveDate,
) -> Result<DormancyPlan, LifecycleError> {
    DormancyRule::default().plan_extension(previous, current, requested_end, today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn p(start: &str, end: &str) -> DormancyPeriod {
        DormancyPeriod::new(d(start), d(end)).unwrap()
    }

    fn err_code(result: Result<DormancyPlan, LifecycleError>) -> &'static str {
        result.unwrap_err().code()
    }

    #[test]
    fn allowance_is_three_calendar_years_in_days() {
        let rule = DormancyRule::default();
        assert_eq!(rule.allowance_days(d("2022-03-01")), 1096); // includes 2024-02-29
        assert_eq!(rule.allowance_days(d("2025-01-01")), 1095);
        assert_eq!(rule.allowance_days(d("2024-02-29")), 1095); // to 2027-02-28
        assert_eq!(rule.allowance_days(d("2023-03-01")), 1096);
    }

    #[test]
    fn exactly_three_years_is_allowed_one_more_day_is_not() {
        let today = d("2022-02-20");
        let plan = plan_dormancy(&[], d("2022-03-01"), d("2025-02-28"), today).unwrap();
        assert_eq!(plan.used_days, 1096);
        assert_eq!(plan.remaining_days, 0);
        assert_eq!(plan.auto_resume_on, d("2025-03-01"));

        let err = plan_dormancy(&[], d("2022-03-01"), d("2025-03-01"), today).unwrap_err();
        assert_eq!(
            err,
            LifecycleError::DormancyExceedsThreeYears {
                requested_end: d("2025-03-01"),
                latest_end: Some(d("2025-02-28")),
                used_days: 0,
                allowance_days: 1096,
            }
        );
        assert_eq!(err.code(), "dormancy_exceeds_three_years");
        assert!(err.message().contains("2025-02-28"));

        // Without a leap day: 2025-01-01 … 2027-12-31 is 1095 days.
        let today = d("2025-01-01");
        assert!(plan_dormancy(&[], d("2025-01-01"), d("2027-12-31"), today).is_ok());
        assert_eq!(
            err_code(plan_dormancy(&[], d("2025-01-01"), d("2028-01-01"), today)),
            "dormancy_exceeds_three_years"
        );
    }

    #[test]
    fn split_periods_share_one_allowance() {
        let previous = [p("2022-03-01", "2022-12-31")]; // 306 days
        assert_eq!(previous[0].days(), 306);
        let today = d("2023-05-20");
        // 1096 − 306 = 790 days left: 2023-06-01 + 789 days = 2025-07-29.
        let rule = DormancyRule::default();
        assert_eq!(
            rule.latest_end(&previous, d("2023-06-01")),
            Some(d("2025-07-29"))
        );
        let plan = plan_dormancy(&previous, d("2023-06-01"), d("2025-07-29"), today).unwrap();
        assert_eq!(plan.used_days, 1096);
        assert_eq!(plan.auto_resume_on, d("2025-07-30"));
        let err = plan_dormancy(&previous, d("2023-06-01"), d("2025-07-30"), today).unwrap_err();
        assert!(matches!(
            err,
            LifecycleError::DormancyExceedsThreeYears {
                latest_end: Some(end),
                used_days: 306,
                ..
            } if end == d("2025-07-29")
        ));
    }

    #[test]
    fn allowance_used_up() {
        let previous = [p("2022-03-01", "2025-02-28")];
        let rule = DormancyRule::default();
        assert_eq!(rule.latest_end(&previous, d("2026-01-01")), None);
        let err = plan_dormancy(&previous, d("2026-01-01"), d("2026-01-01"), d("2026-01-01"))
            .unwrap_err();
        assert!(matches!(
            err,
            LifecycleError::DormancyExceedsThreeYears {
                latest_end: None,
                ..
            }
        ));
        assert!(err.message().contains("注销登记"));
    }

    #[test]
    fn filing_checks() {
        let previous = [p("2022-03-01", "2022-12-31")];
        assert_eq!(
            err_code(plan_dormancy(
                &previous,
                d("2022-12-31"),
                d("2023-03-01"),
                d("2022-12-01")
            )),
            "dormancy_overlap"
        );
        assert_eq!(
            err_code(plan_dormancy(
                &[],
                d("2023-03-01"),
                d("2023-02-28"),
                d("2023-01-01")
            )),
            "invalid_period"
        );
        assert_eq!(
            err_code(plan_dormancy(
                &[],
                d("2023-03-01"),
                d("2023-06-30"),
                d("2023-03-02")
            )),
            "dormancy_start_in_past"
        );
        // Filing on the first day itself is accepted; a one-day period has one day.
        let plan = plan_dormancy(&[], d("2023-03-01"), d("2023-03-01"), d("2023-03-01")).unwrap();
        assert_eq!(plan.used_days, 1);
        let unordered = [p("2022-06-01", "2022-07-01"), p("2022-03-01", "2022-04-01")];
        assert_eq!(
            err_code(plan_dormancy(
                &unordered,
                d("2023-01-01"),
                d("2023-02-01"),
                d("2023-01-01")
            )),
            "dormancy_overlap"
        );
        let bad = [DormancyPeriod {
            start: d("2022-06-01"),
            end: d("2022-05-01"),
        }];
        assert_eq!(
            err_code(plan_dormancy(
                &bad,
                d("2023-01-01"),
                d("2023-02-01"),
                d("2023-01-01")
            )),
            "invalid_period"
        );
    }

    #[test]
    fn extension_window_is_the_30_days_before_the_end() {
        let current = p("2023-01-01", "2023-06-30");
        let new_end = d("2023-12-31");
        // 2023-05-31 is 30 days before 2023-06-30: open. 2023-05-30 (31 days): not yet.
        let plan = plan_dormancy_extension(&[], current, new_end, d("2023-05-31")).unwrap();
        assert_eq!(plan.period, p("2023-01-01", "2023-12-31"));
        assert_eq!(plan.auto_resume_on, d("2024-01-01"));
        assert_eq!(
            plan_dormancy_extension(&[], current, new_end, d("2023-05-30")).unwrap_err(),
            LifecycleError::ExtensionWindowNotOpen {
                current_end: d("2023-06-30"),
                opens_on: d("2023-05-31"),
            }
        );
        assert!(plan_dormancy_extension(&[], current, new_end, d("2023-06-30")).is_ok());
        assert_eq!(
            err_code(plan_dormancy_extension(
                &[],
                current,
                new_end,
                d("2023-07-01")
            )),
            "dormancy_already_ended"
        );
        assert_eq!(
            err_code(plan_dormancy_extension(
                &[],
                current,
                d("2023-06-30"),
                d("2023-06-20")
            )),
            "extension_not_later"
        );
    }

    #[test]
    fn extension_is_limited_by_the_total() {
        let current = p("2022-03-01", "2024-12-31");
        let today = d("2024-12-15");
        assert_eq!(
            plan_dormancy_extension(&[], current, d("2025-02-28"), today)
                .unwrap()
                .auto_resume_on,
            d("2025-03-01")
        );
        assert_eq!(
            err_code(plan_dormancy_extension(
                &[],
                current,
                d("2025-03-01"),
                today
            )),
            "dormancy_exceeds_three_years"
        );
        let previous = [p("2021-01-01", "2021-12-31")];
        let current = p("2022-03-01", "2022-12-31");
        assert_eq!(
            err_code(plan_dormancy_extension(
                &previous,
                current,
                d("2024-12-31"),
                d("2022-12-20")
            )),
            "dormancy_exceeds_three_years"
        );
    }

    #[test]
    fn period_helpers() {
        let period = p("2023-01-01", "2023-01-31");
        assert_eq!(period.days(), 31);
        assert!(period.contains(d("2023-01-01")));
        assert!(period.contains(d("2023-01-31")));
        assert!(!period.contains(d("2023-02-01")));
        assert_eq!(period.auto_resume_on(), d("2023-02-01"));
        assert_eq!(
            DormancyPeriod::new(d("2023-02-01"), d("2023-01-31"))
                .unwrap_err()
                .code(),
            "invalid_period"
        );
    }
}
