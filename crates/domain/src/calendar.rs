//! Working-day calendar and period arithmetic for legal deadlines.
//!
//! This module owns:
//! - [`WorkCalendar`]: the State Council holiday schedule (statutory rest days and
//!   adjusted weekend working days, 调休) for an explicitly declared set of years;
//! - the period rules of codes-and-calendar.md §2.3 ([`WorkCalendar::add_working_days`],
//!   [`WorkCalendar::add_calendar_days`], [`WorkCalendar::add_months`]);
//! - [`parse_holiday_csv`] for `data/cn_holidays.csv`, and the small CSV reader
//!   ([`csv_records`], [`CsvError`]) the data files of this crate share.
//!
//! Working-day predicate: a date is a working day if it has a `workday` row, or it is
//! Monday–Friday without a `holiday` row.
//!
//! Coverage is declared, never inferred: a year counts as covered only when the caller
//! says so (an empty schedule for a covered year means "plain weekends"). Asking about
//! any date in an uncovered year — including every date a period passes through — is a
//! [`CalendarError::YearNotCovered`] naming that year, never a silent fallback to plain
//! weekends. The State Council publishes the next year's schedule in late autumn; add it
//! with [`WorkCalendar::with_year`].
//!
//! Period rules (民法典 Art.201, 203; 行政许可法 Art.82):
//! - the start day is not counted;
//! - working days: the n-th working day strictly after the start; adjusted weekend
//!   working days count;
//! - calendar days and months: the end day, moved to the next working day if it is a
//!   rest day;
//! - excluded intervals ([`DateRange`], inclusive; e.g. suspension for testing,
//!   hearings, recusal) do not count, and an end day may not fall inside one;
//! - a period of length 0 ends on its start day.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

// ---------------------------------------------------------------------------
// CSV reading shared by the data files of this crate
// ---------------------------------------------------------------------------

/// A data-file error located by its 1-based line number (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("第{line}行：{message}")]
pub struct CsvError {
    /// 1-based line number in the file.
    pub line: usize,
    /// Chinese description of the problem.
    pub message: String,
}

impl CsvError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

/// Splits a small, trusted CSV text into records after checking the header.
///
/// Supports a UTF-8 BOM, CRLF line ends, blank lines (skipped) and double-quoted fields
/// with `""` escapes; a quoted field may not span lines. Every record must have as many
/// fields as the header. Returns `(line number, fields)` pairs.
pub fn csv_records(text: &str, header: &[&str]) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
    let (_, first) = lines
        .next()
        .ok_or_else(|| CsvError::new(1, "文件为空，缺少表头"))?;
    let found = split_csv_line(first).map_err(|m| CsvError::new(1, m))?;
    if found != header {
        return Err(CsvError::new(
            1,
            format!("表头应为“{}”，实际为“{}”", header.join(","), first.trim()),
        ));
    }
    lines
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let fields = split_csv_line(line).map_err(|m| CsvError::new(number, m))?;
            if fields.len() == header.len() {
                Ok((number, fields))
            } else {
                Err(CsvError::new(
                    number,
                    format!("应有{}列，实际为{}列", header.len(), fields.len()),
                ))
            }
        })
        .collect()
}

fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_field_start => quoted = true,
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => {
                quoted = false;
                if !matches!(chars.peek(), None | Some(',')) {
                    return Err("引号后应为逗号或行尾".to_owned());
                }
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
                continue;
            }
            (_, c) => field.push(c),
        }
        at_field_start = false;
    }
    if quoted {
        return Err("引号未闭合".to_owned());
    }
    fields.push(field);
    Ok(fields)
}

/// Parses an ISO date `YYYY-MM-DD` (exactly that shape).
pub(crate) fn parse_iso_date(text: &str) -> Result<NaiveDate, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("日期“{text}”无效，应为YYYY-MM-DD格式的有效日期"))
}

// ---------------------------------------------------------------------------
// Calendar data
// ---------------------------------------------------------------------------

/// What a row of the holiday schedule says about its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A rest day of an official holiday break (including weekends inside it).
    Holiday,
    /// A Saturday or Sunday that is an adjusted working day (调休上班).
    Workday,
}

impl DayKind {
    /// Stable machine code, as in the CSV.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }
}

impl FromStr for DayKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "holiday" => Ok(Self::Holiday),
            "workday" => Ok(Self::Workday),
            other => Err(format!("类型“{other}”无效，应为holiday或workday")),
        }
    }
}

/// One row of the holiday schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// The date.
    pub date: NaiveDate,
    /// Rest day or adjusted working day.
    pub kind: DayKind,
    /// Chinese holiday name, e.g. 国庆节.
    pub name: String,
}

const HOLIDAY_CSV_HEADER: [&str; 3] = ["date", "kind", "name"];

/// Parses the `cn_holidays.csv` format: header `date,kind,name`, ISO dates, kind
/// `holiday` or `workday`, a non-empty name. Errors carry the line number.
pub fn parse_holiday_csv(text: &str) -> Result<Vec<CalendarDay>, CsvError> {
    csv_records(text, &HOLIDAY_CSV_HEADER)?
        .into_iter()
        .map(|(line, fields)| parse_holiday_row(&fields).map_err(|m| CsvError::new(line, m)))
        .collect()
}

fn parse_holiday_row(fields: &[String]) -> Result<CalendarDay, String> {
    let date = parse_iso_date(fields[0].trim())?;
    let kind = fields[1].trim().parse()?;
    let name = fields[2].trim();
    if name.is_empty() {
        return Err("节假日名称为空".to_owned());
    }
    Ok(CalendarDay {
        date,
        kind,
        name: name.to_owned(),
    })
}

/// Calendar and period errors. [`CalendarError::code`] is a stable machine code; the
/// `Display` text is a Chinese explanation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// A date in a year whose holiday schedule is not loaded.
    #[error("工作日历未覆盖{0}年（尚未导入{0}年的节假日安排），无法判断工作日或计算期限")]
    YearNotCovered(i32),
    /// [`WorkCalendar::with_year`] for a year already loaded.
    #[error("{0}年的节假日安排已导入，不能重复导入")]
    YearAlreadyCovered(i32),
    /// A schedule row outside the year it was given for.
    #[error("日期{date}不属于{year}年，不能作为{year}年的节假日安排导入")]
    RowOutsideYear {
        /// The row's date.
        date: NaiveDate,
        /// The year being loaded.
        year: i32,
    },
    /// A row whose year was not declared as covered.
    #[error("日期{0}所在年份未声明为已覆盖年份")]
    RowYearNotDeclared(NaiveDate),
    /// Two rows for one date.
    #[error("日期{0}在节假日安排中重复出现")]
    DuplicateDate(NaiveDate),
    /// A `workday` row on Monday–Friday, which would mean nothing.
    #[error("调休上班日{0}不是周六或周日")]
    WorkdayNotWeekend(NaiveDate),
    /// A date range that ends before it starts.
    #[error("日期区间无效：开始日期{start}晚于结束日期{end}")]
    InvalidRange {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// Date arithmetic beyond what the calendar type can represent.
    #[error("日期超出可计算范围")]
    DateOverflow,
    /// Text that is not a list of `START..END` ranges.
    #[error("日期区间写法无效：“{0}”（应为 开始日期..结束日期，多个以逗号分隔，如 2026-01-05..2026-01-09）")]
    BadRangeText(String),
}

impl CalendarError {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::YearNotCovered(_) => "year_not_covered",
            Self::YearAlreadyCovered(_) => "year_already_covered",
            Self::RowOutsideYear { .. } => "row_outside_year",
            Self::RowYearNotDeclared(_) => "row_year_not_declared",
            Self::DuplicateDate(_) => "duplicate_date",
            Self::WorkdayNotWeekend(_) => "workday_not_weekend",
            Self::InvalidRange { .. } => "invalid_range",
            Self::DateOverflow => "date_overflow",
            Self::BadRangeText(_) => "bad_exclude",
        }
    }
}

/// An inclusive range of dates that does not count towards a period (e.g. time spent
/// on testing or appraisal, a hearing, a recusal decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDateRange")]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Deserialize)]
struct RawDateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<RawDateRange> for DateRange {
    type Error = CalendarError;

    fn try_from(raw: RawDateRange) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl DateRange {
    /// The days `start..=end`; `start` may not be after `end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, CalendarError> {
        if start <= end {
            Ok(Self { start, end })
        } else {
            Err(CalendarError::InvalidRange { start, end })
        }
    }

    /// Parses a comma-separated list of inclusive ranges,
    /// `2026-01-05..2026-01-09,2026-02-01..2026-02-01`. Empty text is an empty list.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, CalendarError> {
        text.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let bad = || CalendarError::BadRangeText(p.to_owned());
                let (a, b) = p.split_once("..").ok_or_else(bad)?;
                let a = a.trim().parse().map_err(|_| bad())?;
                let b = b.trim().parse().map_err(|_| bad())?;
                Self::new(a, b)
            })
            .collect()
    }

    /// A single day.
    #[must_use]
    pub fn day(date: NaiveDate) -> Self {
        Self {
            start: date,
            end: date,
        }
    }

    /// First day.
    #[must_use]
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last day (inclusive).
    #[must_use]
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Whether `date` lies in the range.
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}至{}", self.start, self.end)
    }
}

fn is_excluded(excluded: &[DateRange], date: NaiveDate) -> bool {
    excluded.iter().any(|range| range.contains(date))
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt().ok_or(CalendarError::DateOverflow)
}

/// The holiday schedule for an explicit set of covered years.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    covered: BTreeSet<i32>,
    days: BTreeMap<NaiveDate, CalendarDay>,
}

impl WorkCalendar {
    /// A calendar covering exactly `covered_years`, with the schedule `rows`. Every row
    /// must lie in a declared year; a declared year without rows has plain weekends.
    pub fn new(
        covered_years: impl IntoIterator<Item = i32>,
        rows: impl IntoIterator<Item = CalendarDay>,
    ) -> Result<Self, CalendarError> {
        let mut by_year: BTreeMap<i32, Vec<CalendarDay>> =
            covered_years.into_iter().map(|y| (y, Vec::new())).collect();
        for row in rows {
            by_year
                .get_mut(&row.date.year())
                .ok_or(CalendarError::RowYearNotDeclared(row.date))?
                .push(row);
        }
        by_year
            .into_iter()
            .try_fold(Self::default(), |calendar, (year, rows)| {
                calendar.with_year(year, rows)
            })
    }

    /// Adds the schedule of one more year. Every row must lie in `year`, dates may not
    /// repeat, `workday` rows must be weekends, and the year must not be covered yet.
    pub fn with_year(
        mut self,
        year: i32,
        rows: impl IntoIterator<Item = CalendarDay>,
    ) -> Result<Self, CalendarError> {
        if self.covered.contains(&year) {
            return Err(CalendarError::YearAlreadyCovered(year));
        }
        let mut days = BTreeMap::new();
        for row in rows {
            validate_row(&row, year)?;
            let date = row.date;
            if days.insert(date, row).is_some() {
                return Err(CalendarError::DuplicateDate(date));
            }
        }
        self.covered.insert(year);
        self.days.extend(days);
        Ok(self)
    }

    /// The covered years, ascending.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered.iter().copied()
    }

    /// Whether `year` is covered.
    #[must_use]
    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    /// The schedule row for `date`, if any (to show e.g. the holiday name).
    #[must_use]
    pub fn special_day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&date)
    }

    fn ensure_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.covers(date.year()) {
            Ok(())
        } else {
            Err(CalendarError::YearNotCovered(date.year()))
        }
    }

    /// Whether `date` is a working day; an error if its year is not covered.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.ensure_covered(date)?;
        Ok(match self.days.get(&date) {
            Some(row) => row.kind == DayKind::Workday,
            None => !is_weekend(date),
        })
    }

    /// Whether `date` counts towards a working-day period: a working day not excluded.
    fn counts_as_working(
        &self,
        date: NaiveDate,
        excluded: &[DateRange],
    ) -> Result<bool, CalendarError> {
        Ok(self.is_working_day(date)? && !is_excluded(excluded, date))
    }

    /// The day after `start` on which `n` days satisfying `counts` have passed.
    fn advance(
        &self,
        start: NaiveDate,
        n: u32,
        counts: impl Fn(NaiveDate) -> Result<bool, CalendarError>,
    ) -> Result<NaiveDate, CalendarError> {
        self.ensure_covered(start)?;
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = next_day(day)?;
            self.ensure_covered(day)?;
            if counts(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// The `n`-th working day strictly after `start`, not counting excluded days.
    ///
    /// 2025-09-26 + 7 working days = 2025-10-13 (the 国庆 break is skipped, the adjusted
    /// Sunday 9-28 and Saturday 10-11 count).
    pub fn add_working_days(
        &self,
        start: NaiveDate,
        n: u32,
        excluded: &[DateRange],
    ) -> Result<NaiveDate, CalendarError> {
        self.advance(start, n, |day| self.counts_as_working(day, excluded))
    }

    /// `start` + `n` calendar days (excluded days not counted); an end on a rest day
    /// moves to the next working day.
    ///
    /// 2023-09-20 + 10 days lands on 9-30 (holiday) and ends 2023-10-07 (adjusted
    /// Saturday).
    pub fn add_calendar_days(
        &self,
        start: NaiveDate,
        n: u32,
        excluded: &[DateRange],
    ) -> Result<NaiveDate, CalendarError> {
        let end = self.advance(start, n, |day| Ok(!is_excluded(excluded, day)))?;
        if n == 0 {
            return Ok(end);
        }
        self.roll_to_working_day(end, excluded)
    }

    /// `start` + `months` months (民法典 Art.202: the corresponding day of the last
    /// month, or its last day if there is none), extended by the excluded days inside
    /// the period; an end on a rest day moves to the next working day.
    pub fn add_months(
        &self,
        start: NaiveDate,
        months: u32,
        excluded: &[DateRange],
    ) -> Result<NaiveDate, CalendarError> {
        let nominal = start
            .checked_add_months(Months::new(months))
            .ok_or(CalendarError::DateOverflow)?;
        let days =
            u32::try_from((nominal - start).num_days()).map_err(|_| CalendarError::DateOverflow)?;
        self.add_calendar_days(start, days, excluded)
    }

    /// The first working, non-excluded day on or after `date`.
    pub fn roll_to_working_day(
        &self,
        date: NaiveDate,
        excluded: &[DateRange],
    ) -> Result<NaiveDate, CalendarError> {
        let mut day = date;
        while !self.counts_as_working(day, excluded)? {
            day = next_day(day)?;
        }
        Ok(day)
    }

    /// Number of working, non-excluded days in `(after, until]`; 0 if `until <= after`.
    /// Useful for "working days left" displays.
    pub fn count_working_days(
        &self,
        after: NaiveDate,
        until: NaiveDate,
        excluded: &[DateRange],
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut day = after;
        while day < until {
            day = next_day(day)?;
            if self.counts_as_working(day, excluded)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

fn validate_row(row: &CalendarDay, year: i32) -> Result<(), CalendarError> {
    if row.date.year() != year {
        return Err(CalendarError::RowOutsideYear {
            date: row.date,
            year,
        });
    }
    if row.kind == DayKind::Workday && !is_weekend(row.date) {
        return Err(CalendarError::WorkdayNotWeekend(row.date));
    }
    Ok(())
}

#[cfg(test)]
mod range_list_tests {
    use super::*;

    #[test]
    fn parses_lists_of_ranges() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let r = DateRange::parse_list(" 2026-01-05..2026-01-09 ,2026-02-01..2026-02-01").unwrap();
        assert_eq!(
            r,
            vec![
                DateRange::new(d("2026-01-05"), d("2026-01-09")).unwrap(),
                DateRange::day(d("2026-02-01"))
            ]
        );
        assert!(DateRange::parse_list("").unwrap().is_empty());
        for bad in ["2026-01-05", "2026-01-09..2026-01-05", "x..y"] {
            assert!(DateRange::parse_list(bad).is_err(), "{bad}");
        }
        assert_eq!(
            DateRange::parse_list("a..b").unwrap_err().code(),
            "bad_exclude"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REAL_CSV: &str = include_str!("../../../data/cn_holidays.csv");

    fn d(text: &str) -> NaiveDate {
        parse_iso_date(text).unwrap()
    }

    fn real() -> WorkCalendar {
        WorkCalendar::new(2020..=2026, parse_holiday_csv(REAL_CSV).unwrap()).unwrap()
    }

    fn row(date: &str, kind: DayKind) -> CalendarDay {
        CalendarDay {
            date: d(date),
            kind,
            name: "测试".into(),
        }
    }

    #[test]
    fn real_csv_loads_with_expected_counts() {
        let rows = parse_holiday_csv(REAL_CSV).unwrap();
        assert_eq!(rows.len(), 256);
        let workdays = rows.iter().filter(|r| r.kind == DayKind::Workday).count();
        assert_eq!(workdays, 46);
        let calendar = real();
        assert_eq!(
            calendar.covered_years().collect::<Vec<_>>(),
            (2020..=2026).collect::<Vec<_>>()
        );
        assert_eq!(
            calendar.special_day(d("2026-10-01")).unwrap().name,
            "国庆节"
        );
    }

    #[test]
    fn working_day_predicate() {
        let calendar = real();
        let cases = [
            ("2026-01-04", true),  // Sunday, adjusted working day
            ("2026-02-14", true),  // Saturday, adjusted working day
            ("2026-02-28", true),  // Saturday, adjusted working day
            ("2026-10-10", true),  // Saturday, adjusted working day
            ("2026-10-07", false), // Wednesday, 国庆节
            ("2026-10-08", true),  // Thursday after the break
            ("2026-05-05", false), // Tuesday, 劳动节
            ("2026-05-09", true),  // Saturday, adjusted working day
            ("2026-06-06", false), // plain Saturday
            ("2026-06-08", true),  // plain Monday
            ("2025-01-28", false), // 除夕, statutory since 2025
        ];
        for (date, expected) in cases {
            assert_eq!(calendar.is_working_day(d(date)), Ok(expected), "{date}");
        }
    }

    #[test]
    fn uncovered_years_are_errors_naming_the_year() {
        let calendar = real();
        let err = calendar.is_working_day(d("2019-12-31")).unwrap_err();
        assert_eq!(err, CalendarError::YearNotCovered(2019));
        assert!(err.to_string().contains("2019"));
        assert_eq!(err.code(), "year_not_covered");
        assert_eq!(
            calendar.is_working_day(d("2027-01-04")),
            Err(CalendarError::YearNotCovered(2027))
        );
    }

    #[test]
    fn working_day_periods() {
        let calendar = real();
        let cases = [
            ("2025-09-26", 7, "2025-10-13"),
            ("2025-09-26", 1, "2025-09-28"),
            ("2026-09-30", 1, "2026-10-08"),
            ("2026-10-07", 1, "2026-10-08"),
            ("2026-10-08", 2, "2026-10-10"),
            ("2026-02-13", 1, "2026-02-14"),
            ("2026-06-05", 1, "2026-06-08"),
            ("2026-06-06", 1, "2026-06-08"),
            ("2026-06-08", 0, "2026-06-08"),
            ("2026-06-06", 0, "2026-06-06"),
            ("2020-12-31", 1, "2021-01-04"),
        ];
        for (start, n, end) in cases {
            assert_eq!(
                calendar.add_working_days(d(start), n, &[]),
                Ok(d(end)),
                "{start} + {n}"
            );
        }
    }

    #[test]
    fn periods_into_an_uncovered_year_fail_naming_it() {
        let calendar = real();
        let err = calendar
            .add_working_days(d("2026-12-28"), 5, &[])
            .unwrap_err();
        assert_eq!(err, CalendarError::YearNotCovered(2027));
        assert!(err.to_string().contains("2027"));
        assert_eq!(
            calendar.add_calendar_days(d("2026-12-01"), 60, &[]),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            calendar.add_working_days(d("2019-12-31"), 1, &[]),
            Err(CalendarError::YearNotCovered(2019))
        );
        // The period stays inside 2026: fine.
        assert_eq!(
            calendar.add_working_days(d("2026-12-28"), 3, &[]),
            Ok(d("2026-12-31"))
        );
    }

    #[test]
    fn calendar_day_periods() {
        let calendar = real();
        let cases = [
            ("2023-09-20", 10, "2023-10-07"),
            ("2026-06-01", 4, "2026-06-05"),
            ("2026-06-01", 5, "2026-06-08"),
            ("2026-09-15", 15, "2026-09-30"),
            ("2026-09-15", 16, "2026-10-08"),
            ("2026-01-01", 0, "2026-01-01"),
        ];
        for (start, n, end) in cases {
            assert_eq!(
                calendar.add_calendar_days(d(start), n, &[]),
                Ok(d(end)),
                "{start} + {n}"
            );
        }
    }

    #[test]
    fn month_periods() {
        let calendar = real();
        let cases = [
            // Clamped to Feb 28, an adjusted working Saturday: it stands.
            ("2026-01-31", 1, "2026-02-28"),
            ("2025-08-31", 6, "2026-02-28"),
            ("2026-03-15", 3, "2026-06-15"),
            // Clamped to May 31, a Sunday: moves to Monday.
            ("2026-03-31", 2, "2026-06-01"),
            ("2026-04-30", 1, "2026-06-01"),
        ];
        for (start, months, end) in cases {
            assert_eq!(
                calendar.add_months(d(start), months, &[]),
                Ok(d(end)),
                "{start} + {months} months"
            );
        }
    }

    #[test]
    fn excluded_ranges_do_not_count() {
        let calendar = real();
        let suspension = DateRange::new(d("2025-09-29"), d("2025-09-30")).unwrap();
        assert_eq!(
            calendar.add_working_days(d("2025-09-26"), 7, &[suspension]),
            Ok(d("2025-10-15"))
        );
        // 90 calendar days with a 10-day testing suspension.
        let testing = DateRange::new(d("2026-03-01"), d("2026-03-10")).unwrap();
        let without = calendar
            .add_calendar_days(d("2026-02-01"), 90, &[])
            .unwrap();
        let with = calendar
            .add_calendar_days(d("2026-02-01"), 90, &[testing])
            .unwrap();
        assert_eq!(without, d("2026-05-06"));
        assert_eq!(with, d("2026-05-12"));
        // An end inside an excluded range moves past it.
        let after_end = DateRange::new(d("2026-06-05"), d("2026-06-09")).unwrap();
        assert_eq!(
            calendar.roll_to_working_day(d("2026-06-05"), &[after_end]),
            Ok(d("2026-06-10"))
        );
    }

    #[test]
    fn counting_working_days() {
        let calendar = real();
        assert_eq!(
            calendar.count_working_days(d("2025-09-26"), d("2025-10-13"), &[]),
            Ok(7)
        );
        assert_eq!(
            calendar.count_working_days(d("2025-10-13"), d("2025-09-26"), &[]),
            Ok(0)
        );
    }

    #[test]
    fn invalid_ranges_are_rejected() {
        assert_eq!(
            DateRange::new(d("2026-01-02"), d("2026-01-01"))
                .unwrap_err()
                .code(),
            "invalid_range"
        );
        let json = r#"{"start":"2026-01-02","end":"2026-01-01"}"#;
        assert!(serde_json::from_str::<DateRange>(json).is_err());
        let json = r#"{"start":"2026-01-01","end":"2026-01-02"}"#;
        let range: DateRange = serde_json::from_str(json).unwrap();
        assert!(range.contains(d("2026-01-02")));
    }

    #[test]
    fn extending_with_a_new_year() {
        let rows = vec![
            row("2027-01-01", DayKind::Holiday),
            row("2027-01-02", DayKind::Holiday),
            row("2027-01-03", DayKind::Holiday),
        ];
        let calendar = real().with_year(2027, rows).unwrap();
        assert!(calendar.covers(2027));
        assert_eq!(
            calendar.add_working_days(d("2026-12-28"), 5, &[]),
            Ok(d("2027-01-05"))
        );

        let cases = [
            (
                2027,
                vec![row("2026-12-31", DayKind::Holiday)],
                "row_outside_year",
            ),
            (2026, vec![], "year_already_covered"),
            (
                2027,
                vec![row("2027-01-04", DayKind::Workday)],
                "workday_not_weekend",
            ),
            (
                2027,
                vec![
                    row("2027-01-01", DayKind::Holiday),
                    row("2027-01-01", DayKind::Holiday),
                ],
                "duplicate_date",
            ),
        ];
        for (year, rows, code) in cases {
            assert_eq!(real().with_year(year, rows).unwrap_err().code(), code);
        }
    }

    #[test]
    fn declared_years_without_rows_are_plain_weekends() {
        let calendar = WorkCalendar::new([2030], []).unwrap();
        assert_eq!(calendar.is_working_day(d("2030-01-01")), Ok(true));
        assert_eq!(
            WorkCalendar::new([2030], [row("2031-01-01", DayKind::Holiday)]).unwrap_err(),
            CalendarError::RowYearNotDeclared(d("2031-01-01"))
        );
    }

    #[test]
    fn csv_errors_carry_line_numbers() {
        let cases = [
            ("", 1, "表头"),
            ("date,kind\n", 1, "表头"),
            ("date,kind,name\n2026-01-01,holiday\n", 2, "列"),
            (
                "date,kind,name\n2026-01-01,holiday,元旦\n2026-13-01,holiday,元旦\n",
                3,
                "日期",
            ),
            ("date,kind,name\n\n2026-1-1,holiday,元旦\n", 3, "日期"),
            ("date,kind,name\n2026-01-01,rest,元旦\n", 2, "类型"),
            ("date,kind,name\n2026-01-01,holiday, \n", 2, "名称"),
            ("date,kind,name\n2026-01-01,holiday,\"元旦\n", 2, "引号"),
        ];
        for (text, line, needle) in cases {
            let err = parse_holiday_csv(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err}");
            assert!(err.message.contains(needle), "{text:?}: {err}");
            assert!(err.to_string().starts_with(&format!("第{line}行")));
        }
    }

    #[test]
    fn csv_reader_handles_bom_crlf_and_quotes() {
        let text = "\u{feff}date,kind,name\r\n2026-01-01,holiday,\"元旦, \"\"新年\"\"\"\r\n";
        let rows = parse_holiday_csv(text).unwrap();
        assert_eq!(rows[0].name, "元旦, \"新年\"");
    }

    fn start_dates() -> impl Strategy<Value = NaiveDate> {
        // 2020-01-01 ..= 2026-06-30, leaving room for periods to end inside 2026.
        (0u64..2373).prop_map(|n| d("2020-01-01") + chrono::Days::new(n))
    }

    proptest! {
        #[test]
        fn working_day_deadlines_land_on_working_days_and_grow_with_n(
            start in start_dates(),
            n in 1u32..60,
        ) {
            let calendar = real();
            let end = calendar.add_working_days(start, n, &[]).unwrap();
            let next = calendar.add_working_days(start, n + 1, &[]).unwrap();
            prop_assert!(calendar.is_working_day(end).unwrap());
            prop_assert!(end > start);
            prop_assert!(next > end);
            prop_assert_eq!(calendar.count_working_days(start, end, &[]).unwrap(), n);
        }

        #[test]
        fn excluded_days_are_never_deadlines(
            start in start_dates(),
            n in 1u32..40,
            offset in 0u64..20,
            length in 0u64..15,
        ) {
            let calendar = real();
            let from = start + chrono::Days::new(offset);
            let range = DateRange::new(from, from + chrono::Days::new(length)).unwrap();
            let end = calendar.add_working_days(start, n, &[range]).unwrap();
            let plain = calendar.add_working_days(start, n, &[]).unwrap();
            prop_assert!(calendar.is_working_day(end).unwrap());
            prop_assert!(!range.contains(end));
            prop_assert!(end >= plain);
        }

        #[test]
        fn calendar_day_deadlines_land_on_working_days_and_never_shrink(
            start in start_dates(),
            n in 1u32..120,
        ) {
            let calendar = real();
            let end = calendar.add_calendar_days(start, n, &[]).unwrap();
            let next = calendar.add_calendar_days(start, n + 1, &[]).unwrap();
            prop_assert!(calendar.is_working_day(end).unwrap());
            prop_assert!(end >= start + chrono::Days::new(u64::from(n)));
            prop_assert!(next >= end);
        }
    }
}
