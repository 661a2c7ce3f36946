//! Cell-value parsers for the entity importer: dates in the forms found in exports of
//! existing systems, Excel serial numbers, and numbers Excel turned into scientific
//! notation.

use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Serialize, Serializer};

use super::text::{serialize_code_message, to_half_width};

/// The largest Excel serial date accepted: 2958465 = 9999-12-31, the last date Excel
/// can show.
const MAX_EXCEL_SERIAL: u32 = 2_958_465;

/// The serial Excel gives the nonexistent date 1900-02-29 (Excel repeats the Lotus 1-2-3
/// bug of treating 1900 as a leap year).
const EXCEL_PHANTOM_LEAP_DAY: u32 = 60;

/// Why a cell value was rejected. [`ValueError::code`] is a stable machine code for the
/// reject report; `Display` is the Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// The cell is empty (or only whitespace).
    Empty,
    /// Not one of the accepted date forms.
    BadDateFormat {
        /// The text as given.
        text: String,
    },
    /// The numbers have the form of a date but name no calendar day (2021-02-30,
    /// 2021-13-01, and Excel serial 60, the nonexistent 1900-02-29).
    ImpossibleDate {
        /// Year as written.
        year: i32,
        /// Month as written.
        month: u32,
        /// Day as written.
        day: u32,
    },
    /// An Excel serial date outside 1…2958465 (1900-01-01…9999-12-31).
    ExcelSerialOutOfRange {
        /// The serial as written.
        serial: String,
    },
    /// A number Excel displayed in scientific notation (`9.14208E+17`): the digits of the
    /// credit code, ID number or date are lost.
    ExcelScientificNotation {
        /// The text as given.
        text: String,
    },
    /// Not an entity kind (see [`super::EntityKind::parse`]).
    UnknownEntityKind {
        /// The text as given.
        text: String,
    },
    /// Not a detailed enterprise type (see [`super::EnterpriseType::parse`]).
    UnknownEnterpriseType {
        /// The text as given.
        text: String,
    },
    /// Not a registration status (see [`super::EntityStatus::parse`]).
    UnknownStatus {
        /// The text as given.
        text: String,
    },
}

impl ValueError {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::BadDateFormat { .. } => "bad_date_format",
            Self::ImpossibleDate { .. } => "impossible_date",
            Self::ExcelSerialOutOfRange { .. } => "excel_serial_out_of_range",
            Self::ExcelScientificNotation { .. } => "excel_scientific_notation",
            Self::UnknownEntityKind { .. } => "unknown_entity_kind",
            Self::UnknownEnterpriseType { .. } => "unknown_enterprise_type",
            Self::UnknownStatus { .. } => "unknown_status",
        }
    }

    /// The Chinese reason, with what to do about it.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "内容为空".to_owned(),
            Self::BadDateFormat { text } => format!(
                "日期“{text}”格式不正确：可用格式为2020-01-05、2020/1/5、2020.1.5、20200105、\
                 2020年1月5日或Excel日期序列号"
            ),
            Self::ImpossibleDate { year, month, day } => {
                if (*year, *month, *day) == (1900, 2, 29) {
                    "1900年2月29日不存在（Excel日期序列号60是Excel的已知错误），请核对原始日期"
                        .to_owned()
                } else {
                    format!("{year}年{month}月{day}日不是有效的日期，请核对")
                }
            }
            Self::ExcelSerialOutOfRange { serial } => format!(
                "Excel日期序列号“{serial}”超出范围（应为1至2958465，即1900年1月1日至9999年12月31日）"
            ),
            Self::ExcelScientificNotation { text } => format!(
                "“{text}”是被Excel转换成科学计数法的数字，原有数字已丢失：\
                 请在原系统导出后将该列设置单元格格式为文本后重新导出"
            ),
            Self::UnknownEntityKind { text } => format!(
                "无法识别的主体类别“{text}”：应为企业、个体工商户或农民专业合作社"
            ),
            Self::UnknownEnterpriseType { text } => format!(
                "无法识别的企业类型“{text}”：请使用有限责任公司（自然人投资或控股）、\
                 股份有限公司、个人独资企业、有限合伙企业、分公司等登记类型"
            ),
            Self::UnknownStatus { text } => format!(
                "无法识别的登记状态“{text}”：应为存续（在业、开业）、歇业、吊销、注销、撤销或迁出"
            ),
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ValueError {}

impl Serialize for ValueError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_code_message(serializer, "ValueError", self.code(), &self.message())
    }
}

/// Whether `text` looks like a number Excel displayed in scientific notation, such as
/// `9.14208E+17` or `9.14208e17`: a credit code, ID number or other long digit string
/// stored as a number, whose digits beyond the 15th (or the 6th, as displayed) are lost.
///
/// Form (after trimming and converting full-width characters): digits, optionally `.`
/// and digits, then `E` or `e`, an optional `+`, and digits. A negative exponent is not
/// matched (no identifier becomes a small fraction). The importer reports such a cell as
/// [`ValueError::ExcelScientificNotation`] (see [`check_not_excel_mangled`]).
#[must_use]
pub fn looks_like_excel_mangled_number(text: &str) -> bool {
    let text: String = text.trim().chars().map(to_half_width).collect();
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int_part) && frac_part.is_none_or(all_digits) && all_digits(exponent)
}

/// `Err(ValueError::ExcelScientificNotation)` when [`looks_like_excel_mangled_number`]
/// says so, otherwise `Ok(())`. Run it on identifier columns (credit code, ID number)
/// before their own parsers, so the reject report gives the real cause.
pub fn check_not_excel_mangled(text: &str) -> Result<(), ValueError> {
    if looks_like_excel_mangled_number(text) {
        Err(ValueError::ExcelScientificNotation {
            text: text.trim().to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Parses a date cell.
///
/// Accepted (leading/trailing whitespace ignored, full-width digits and punctuation
/// converted):
/// - `2020-01-05`, `2020/1/5`, `2020.1.5`: a 4-digit year, 1–2-digit month and day, one
///   kind of separator;
/// - `20200105`: exactly 8 digits;
/// - `2020年1月5日` (the final `日` may be missing);
/// - an Excel serial date in the 1900 date system, `43835` or `43835.0` (only zeros
///   after the point): 1 = 1900-01-01, 59 = 1900-02-28, 60 = Excel's nonexistent
///   1900-02-29 (rejected as `impossible_date`), 61 = 1900-03-01, up to
///   2958465 = 9999-12-31; a digit string of at most 7 digits is a serial, 8 digits are
///   `YYYYMMDD`;
/// - any of the date forms followed by a midnight time (`2020/1/5 0:00`,
///   `2020-01-05 00:00:00`, `2020-01-05T00:00:00`), as exports of date-time columns
///   have; any other time is rejected, because a date column should not carry one.
///
/// Errors: `empty`, `excel_scientific_notation`, `bad_date_format`, `impossible_date`
/// (2021-02-30, month 13, serial 60), `excel_serial_out_of_range` (0, 2958466…).
pub fn parse_date(input: &str) -> Result<NaiveDate, ValueError> {
    let text: String = input.trim().chars().map(to_half_width).collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(ValueError::Empty);
    }
    if looks_like_excel_mangled_number(text) {
        return Err(ValueError::ExcelScientificNotation {
            text: text.to_owned(),
        });
    }
    let bad = || ValueError::BadDateFormat {
        text: input.trim().to_owned(),
    };
    let date_part = strip_midnight(text).ok_or_else(bad)?;

    if let Some(serial) = excel_serial_text(date_part) {
        return excel_serial_to_date(serial);
    }
    let (year, month, day) = split_date(date_part).ok_or_else(bad)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(ValueError::ImpossibleDate { year, month, day })
}

/// The date part of `text` if it has no time part or a midnight one; `None` for any
/// other time.
fn strip_midnight(text: &str) -> Option<&str> {
    let Some(split) = text.find([' ', 'T']) else {
        return Some(text);
    };
    let (date, time) = (&text[..split], text[split + 1..].trim());
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (time, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let midnight_field = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b == b'0');
    let fields_ok = (2..=3).contains(&parts.len()) && parts.iter().all(|p| midnight_field(p));
    let fraction_ok = match fraction {
        None => true,
        Some(f) => parts.len() == 3 && !f.is_empty() && f.bytes().all(|b| b == b'0'),
    };
    (fields_ok && fraction_ok).then_some(date)
}

/// The integer part of an Excel serial written as `digits` or `digits.000`, if `text` is
/// one (at most 7 integer digits, so that 8 digits stay `YYYYMMDD`).
fn excel_serial_text(text: &str) -> Option<&str> {
    let (int_part, fraction) = match text.split_once('.') {
        Some((int_part, fraction)) => (int_part, Some(fraction)),
        None => (text, None),
    };
    let digits = !int_part.is_empty() && int_part.bytes().all(|b| b.is_ascii_digit());
    let zero_fraction = fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b == b'0'));
    (digits && zero_fraction && int_part.len() <= 7).then_some(int_part)
}

fn excel_serial_to_date(serial_text: &str) -> Result<NaiveDate, ValueError> {
    let out_of_range = || ValueError::ExcelSerialOutOfRange {
        serial: serial_text.to_owned(),
    };
    let serial: u32 = serial_text.parse().map_err(|_| out_of_range())?;
    if serial == 0 || serial > MAX_EXCEL_SERIAL {
        return Err(out_of_range());
    }
    if serial == EXCEL_PHANTOM_LEAP_DAY {
        return Err(ValueError::ImpossibleDate {
            year: 1900,
            month: 2,
            day: 29,
        });
    }
    // Serials 1–59 count from 1899-12-31; from 61 on, Excel's extra 1900-02-29 shifts the
    // epoch one day back to 1899-12-30.
    let (epoch, offset) = if serial < EXCEL_PHANTOM_LEAP_DAY {
        (NaiveDate::from_ymd_opt(1899, 12, 31), serial)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30), serial)
    };
    epoch
        .and_then(|epoch| epoch.checked_add_days(Days::new(u64::from(offset))))
        .ok_or_else(out_of_range)
}

/// Splits `YYYY-M-D` (or `/`, `.`), `YYYYMMDD` and `YYYY年M月D日` into numbers, without
/// checking that they name a calendar day.
fn split_date(text: &str) -> Option<(i32, u32, u32)> {
    if text.contains('年') {
        let (year, rest) = text.split_once('年')?;
        let (month, rest) = rest.split_once('月')?;
        let day = rest.strip_suffix('日').unwrap_or(rest);
        return numbers(year, month, day);
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return numbers(&text[..4], &text[4..6], &text[6..]);
    }
    let separator = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = text.split(separator).collect();
    match parts.as_slice() {
        [year, month, day] => numbers(year, month, day),
        _ => None,
    }
}

fn numbers(year: &str, month: &str, day: &str) -> Option<(i32, u32, u32)> {
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(year, 4..=4) && digits(month, 1..=2) && digits(day, 1..=2)) {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?, day.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn code(input: &str) -> &'static str {
        parse_date(input).unwrap_err().code()
    }

    #[test]
    fn accepted_date_forms() {
        for input in [
            "2020-01-05",
            "2020-1-5",
            "2020/1/5",
            "2020/01/05",
            "2020.1.5",
            "20200105",
            "2020年1月5日",
            "2020年01月05日",
            "2020年1月5",
            " 2020-01-05 ",
            "２０２０－０１－０５",
            "２０２０年１月５日",
            "2020/1/5 0:00",
            "2020-01-05 00:00:00",
            "2020-01-05T00:00:00",
            "2020-01-05 00:00:00.000",
            "43835",
            "43835.0",
            "43835.00",
        ] {
            assert_eq!(parse_date(input), Ok(d(2020, 1, 5)), "{input}");
        }
    }

    #[test]
    fn rejected_date_forms() {
        for (input, expected) in [
            ("", "empty"),
            ("   ", "empty"),
            ("2021-02-30", "impossible_date"),
            ("2021/2/29", "impossible_date"),
            ("20210230", "impossible_date"),
            ("2021-13-01", "impossible_date"),
            ("2021年4月31日", "impossible_date"),
            ("2021-00-10", "impossible_date"),
            ("2021-1", "bad_date_format"),
            ("2021-01/05", "bad_date_format"),
            ("21-1-5", "bad_date_format"),
            ("2021-001-05", "bad_date_format"),
            ("2021-01-05x", "bad_date_format"),
            ("2021-01-05 08:30", "bad_date_format"),
            ("43835.5", "bad_date_format"),
            ("202001051", "bad_date_format"),
            ("一九年", "bad_date_format"),
            ("0", "excel_serial_out_of_range"),
            ("2958466", "excel_serial_out_of_range"),
            ("9999999", "excel_serial_out_of_range"),
            ("4.38E+04", "excel_scientific_notation"),
        ] {
            assert_eq!(code(input), expected, "{input}");
        }
    }

    #[test]
    fn leap_years() {
        assert_eq!(parse_date("2020-02-29"), Ok(d(2020, 2, 29)));
        assert_eq!(parse_date("2000-02-29"), Ok(d(2000, 2, 29)));
        assert_eq!(code("1900-02-29"), "impossible_date");
        assert_eq!(code("2100-02-29"), "impossible_date");
    }

    #[test]
    fn excel_serials_in_the_1900_system() {
        assert_eq!(parse_date("1"), Ok(d(1900, 1, 1)));
        assert_eq!(parse_date("59"), Ok(d(1900, 2, 28)));
        assert_eq!(
            parse_date("60"),
            Err(ValueError::ImpossibleDate {
                year: 1900,
                month: 2,
                day: 29
            })
        );
        assert!(parse_date("60").unwrap_err().message().contains("Excel"));
        assert_eq!(parse_date("61"), Ok(d(1900, 3, 1)));
        assert_eq!(parse_date("36526"), Ok(d(2000, 1, 1)));
        assert_eq!(parse_date("45474"), Ok(d(2024, 7, 1)));
        assert_eq!(parse_date("2958465"), Ok(d(9999, 12, 31)));
        assert_eq!(parse_date("0000061"), Ok(d(1900, 3, 1)));
    }

    #[test]
    fn excel_scientific_notation() {
        for input in [
            "9.14208E+17",
            "9.14208e17",
            "9.14208E17",
            "1E+17",
            "4.20802199001011E+17",
            " 9.14208E+17 ",
            "９.１４２０８Ｅ＋１７",
        ] {
            assert!(looks_like_excel_mangled_number(input), "{input}");
            let err = check_not_excel_mangled(input).unwrap_err();
            assert_eq!(err.code(), "excel_scientific_notation");
            assert!(err.message().contains("设置单元格格式为文本后重新导出"));
        }
        for input in [
            "91420800MA4886HC0Y",
            "914208001234567890",
            "9.14208",
            "E+17",
            "9.E+17",
            "9.14208E-17",
            "9.14208E+",
            "1e",
            "",
            "2020-01-05",
        ] {
            assert!(!looks_like_excel_mangled_number(input), "{input}");
            assert!(check_not_excel_mangled(input).is_ok());
        }
    }

    #[test]
    fn errors_serialise_as_code_and_message() {
        let json = serde_json::to_value(parse_date("2021-02-30").unwrap_err()).unwrap();
        assert_eq!(json["code"], "impossible_date");
        assert_eq!(json["message"], "2021年2月30日不是有效的日期，请核对");
        assert_eq!(
            ValueError::Empty.to_string(),
            ValueError::Empty.message().as_str()
        );
    }
}
