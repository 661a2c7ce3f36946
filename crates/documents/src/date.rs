//! Dates as Chinese documents write them.

/// How a date placeholder is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateFormat {
    /// `2026年7月15日` (GB/T 9704-2012: Arabic numerals).
    Arabic,
    /// `二〇二六年七月十五日`.
    Chinese,
}

impl DateFormat {
    pub(crate) fn from_filter(filter: &str) -> Option<DateFormat> {
        match filter {
            "date" => Some(DateFormat::Arabic),
            "cn_date" => Some(DateFormat::Chinese),
            _ => None,
        }
    }

    pub(crate) fn format(self, year: i32, month: u32, day: u32) -> String {
        match self {
            DateFormat::Arabic => format_date(year, month, day),
            DateFormat::Chinese => format_date_cn(year, month, day),
        }
    }
}

/// `2026年7月15日`.
pub fn format_date(year: i32, month: u32, day: u32) -> String {
    format!("{year}年{month}月{day}日")
}

/// `二〇二六年七月十五日`: the year digit by digit, month and day as numbers.
pub fn format_date_cn(year: i32, month: u32, day: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let year: String = year
        .to_string()
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| DIGITS[d as usize]))
        .collect();
    let number = |n: u32| -> String {
        let (tens, ones) = (n / 10, n % 10);
        let mut s = String::new();
        match tens {
            0 => {}
            1 => s.push('十'),
            t => {
                s.push(DIGITS[t as usize % 10]);
                s.push('十');
            }
        }
        if ones != 0 || tens == 0 {
            s.push(DIGITS[ones as usize]);
        }
        s
    };
    format!("{year}年{}月{}日", number(month), number(day))
}

/// Parses `YYYY-MM-DD` (month and day may have one digit) into a valid calendar date.
pub(crate) fn parse_iso_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_dates() {
        assert_eq!(format_date_cn(2026, 7, 15), "二〇二六年七月十五日");
        assert_eq!(format_date_cn(2030, 10, 1), "二〇三〇年十月一日");
        assert_eq!(format_date_cn(2026, 12, 20), "二〇二六年十二月二十日");
        assert_eq!(format_date_cn(2026, 1, 31), "二〇二六年一月三十一日");
        assert_eq!(format_date(2026, 7, 5), "2026年7月5日");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso_date("2026-07-15"), Some((2026, 7, 15)));
        assert_eq!(parse_iso_date("2024-2-29"), Some((2024, 2, 29)));
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("1900-02-29"), None);
        assert_eq!(parse_iso_date("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_iso_date("2026-13-01"), None);
        assert_eq!(parse_iso_date("2026-07-15-1"), None);
        assert_eq!(parse_iso_date("2026/07/15"), None);
        assert_eq!(parse_iso_date("+026-07-15"), None);
    }
}
