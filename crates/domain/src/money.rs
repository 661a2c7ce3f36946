//! Money as integer fen (分). There are no floating-point numbers anywhere in this
//! module: amounts are parsed digit by digit and formatted by integer division.
//!
//! This module owns [`Fen`] and the two textual forms people use:
//!
//! - **元** ([`Fen::parse_yuan`], [`Fen::to_yuan_string`], `Display`): at most 2
//!   significant decimals. Input may carry a leading `-`, a currency sign `¥`/`￥`
//!   (before or after the minus), ASCII thousands separators in correct groups of three
//!   and a trailing `元`: `"12.34"`, `"1,234.5"`, `"¥12"`, `"-¥3.50元"`. Output of
//!   `Display` is always two decimals with separators and `元`, no space, as in Chinese
//!   typesetting: `1,234.50元`, `-0.05元`.
//! - **万元** ([`Fen::parse_wan_yuan`], [`Fen::to_wan_yuan_string`],
//!   [`Fen::display_wan_yuan`]): 1 万元 = 1,000,000 fen, so at most 6 significant
//!   decimals; trailing `万元` or `万` allowed. Output trims trailing zeros:
//!   `12.3456万元`, `1万元`.
//!
//! Extra decimals that are zeros (`"12.340"`) are exact and accepted; a non-zero digit
//! below one fen (`"12.345"`) is rejected, never rounded. Inner spaces, full-width
//! digits and other symbols are rejected. Serde represents a [`Fen`] as its integer
//! number of fen.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An amount of money in integer fen (0.01 元). May be negative (refunds, corrections).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

/// Why an amount could not be parsed. [`MoneyError::code`] is a stable machine code;
/// `Display` is a Chinese explanation.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// Nothing to parse.
    #[error("金额为空")]
    Empty,
    /// A character that cannot appear in an amount.
    #[error("金额中含有不允许的字符“{0}”")]
    BadChar(char),
    /// Digits missing before or after the decimal point, or nothing but symbols.
    #[error("金额格式不正确：小数点前后都应有数字")]
    BadFormat,
    /// Thousands separators not in groups of three.
    #[error("千位分隔符位置不正确：应每三位一组")]
    BadGrouping,
    /// More precision than one fen.
    #[error("金额精度超过1分：此处最多{max_decimals}位小数")]
    TooPrecise {
        /// Decimals allowed in the unit parsed.
        max_decimals: u32,
    },
    /// Outside the range of [`Fen`].
    #[error("金额超出可表示的范围")]
    Overflow,
}

impl MoneyError {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::BadChar(_) => "bad_char",
            Self::BadFormat => "bad_format",
            Self::BadGrouping => "bad_grouping",
            Self::TooPrecise { .. } => "too_precise",
            Self::Overflow => "overflow",
        }
    }
}

/// A textual unit: how many decimal digits make one fen, and the accepted unit words.
struct TextUnit {
    decimals: u32,
    suffixes: &'static [&'static str],
}

const YUAN: TextUnit = TextUnit {
    decimals: 2,
    suffixes: &["元"],
};
const WAN_YUAN: TextUnit = TextUnit {
    decimals: 6,
    suffixes: &["万元", "万"],
};

impl Fen {
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// An amount of `fen` fen.
    #[must_use]
    pub const fn new(fen: i64) -> Self {
        Self(fen)
    }

    /// The amount in fen.
    #[must_use]
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// A whole number of 元, or `None` on overflow.
    #[must_use]
    pub fn from_yuan(yuan: i64) -> Option<Self> {
        yuan.checked_mul(100).map(Self)
    }

    /// Parses an amount in 元 (see the module docs for the accepted forms).
    pub fn parse_yuan(text: &str) -> Result<Self, MoneyError> {
        parse_amount(text, &YUAN)
    }

    /// Parses an amount in 万元 (see the module docs for the accepted forms).
    pub fn parse_wan_yuan(text: &str) -> Result<Self, MoneyError> {
        parse_amount(text, &WAN_YUAN)
    }

    /// Whether the amount is below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Sum, or `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// Difference, or `None` on overflow.
    #[must_use]
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// Product with an integer factor, or `None` on overflow.
    #[must_use]
    pub fn checked_mul(self, factor: i64) -> Option<Self> {
        self.0.checked_mul(factor).map(Self)
    }

    /// Sum of many amounts, or `None` on overflow.
    #[must_use]
    pub fn checked_sum(amounts: impl IntoIterator<Item = Self>) -> Option<Self> {
        amounts
            .into_iter()
            .try_fold(Self::ZERO, |total, amount| total.checked_add(amount))
    }

    /// The amount in 元 with separators and exactly two decimals, no unit:
    /// `1,234.50`.
    #[must_use]
    pub fn to_yuan_string(self) -> String {
        format_scaled(self.0, YUAN.decimals, false)
    }

    /// The amount in 万元 with separators and trailing zeros trimmed, no unit:
    /// `12.3456`, `1`.
    #[must_use]
    pub fn to_wan_yuan_string(self) -> String {
        format_scaled(self.0, WAN_YUAN.decimals, true)
    }

    /// The amount in 万元 with the unit: `12.3456万元`.
    #[must_use]
    pub fn display_wan_yuan(self) -> String {
        format!("{}万元", self.to_wan_yuan_string())
    }
}

impl fmt::Display for Fen {
    /// `1,234.50元`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.to_yuan_string())
    }
}

impl FromStr for Fen {
    type Err = MoneyError;

    /// Same as [`Fen::parse_yuan`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_yuan(s)
    }
}

fn strip_currency(text: &str) -> &str {
    text.strip_prefix(['¥', '￥']).map_or(text, str::trim_start)
}

/// Splits off the sign and currency sign, in either order.
fn strip_sign_and_currency(text: &str) -> (bool, &str) {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, strip_currency(rest)),
        None => {
            let rest = strip_currency(text);
            match rest.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, rest),
            }
        }
    };
    (negative, rest)
}

fn strip_unit<'a>(text: &'a str, unit: &TextUnit) -> &'a str {
    unit.suffixes
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))
        .map_or(text, str::trim_end)
}

fn parse_amount(text: &str, unit: &TextUnit) -> Result<Fen, MoneyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (negative, rest) = strip_sign_and_currency(text);
    let number = strip_unit(rest, unit);
    let (int_part, frac_part) = match number.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (number, None),
    };
    let int_digits = integer_digits(int_part)?;
    let frac_digits = fraction_digits(frac_part, unit.decimals)?;
    let magnitude = accumulate(int_digits.chars().chain(frac_digits.chars()))?;
    let signed = if negative { -magnitude } else { magnitude };
    i64::try_from(signed)
        .map(Fen)
        .map_err(|_| MoneyError::Overflow)
}

/// Validates the integer part (digits with optional correct thousands separators) and
/// returns its digits.
fn integer_digits(int_part: &str) -> Result<String, MoneyError> {
    if let Some(bad) = int_part.chars().find(|c| !c.is_ascii_digit() && *c != ',') {
        return Err(MoneyError::BadChar(bad));
    }
    if int_part.is_empty() {
        return Err(MoneyError::BadFormat);
    }
    let groups: Vec<&str> = int_part.split(',').collect();
    let grouped_ok = groups.len() == 1
        || ((1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok {
        return Err(MoneyError::BadGrouping);
    }
    Ok(groups.concat())
}

/// Validates the fraction and returns exactly `decimals` digits (zero-padded); extra
/// digits must be zeros.
fn fraction_digits(frac_part: Option<&str>, decimals: u32) -> Result<String, MoneyError> {
    let frac = frac_part.unwrap_or("");
    if let Some(bad) = frac.chars().find(|c| !c.is_ascii_digit()) {
        return Err(MoneyError::BadChar(bad));
    }
    if frac_part.is_some() && frac.is_empty() {
        return Err(MoneyError::BadFormat);
    }
    let width = decimals as usize;
    let (kept, extra) = frac.split_at(frac.len().min(width));
    if extra.chars().any(|c| c != '0') {
        return Err(MoneyError::TooPrecise {
            max_decimals: decimals,
        });
    }
    Ok(format!("{kept:0<width$}"))
}

fn accumulate(mut digits: impl Iterator<Item = char>) -> Result<i128, MoneyError> {
    digits.try_fold(0i128, |value, c| {
        let digit = i128::from(c.to_digit(10).ok_or(MoneyError::BadChar(c))?);
        value
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit))
            .ok_or(MoneyError::Overflow)
    })
}

/// Formats `fen` in a unit of `10^decimals` fen: separators in the integer part,
/// `decimals` fraction digits, optionally trimmed of trailing zeros.
fn format_scaled(fen: i64, decimals: u32, trim: bool) -> String {
    let magnitude = fen.unsigned_abs();
    let divisor = 10u64.pow(decimals);
    let int = group_thousands(&(magnitude / divisor).to_string());
    let width = decimals as usize;
    let frac = format!("{:0width$}", magnitude % divisor);
    let frac = if trim {
        frac.trim_end_matches('0')
    } else {
        &frac
    };
    let sign = if fen < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Inserts `,` between groups of three ASCII digits, counted from the right.
fn group_thousands(digits: &str) -> String {
    let head = match digits.len() % 3 {
        0 => digits.len().min(3),
        remainder => remainder,
    };
    let (first, rest) = digits.split_at(head);
    let mut out = first.to_owned();
    for group in rest.as_bytes().chunks(3) {
        out.push(',');
        out.extend(group.iter().map(|&b| char::from(b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_yuan_table() {
        let ok: &[(&str, i64)] = &[
            ("12.34", 1234),
            ("1,234.5", 123_450),
            ("¥12", 1200),
            ("￥12.00元", 1200),
            ("¥ 12", 1200),
            ("12元", 1200),
            (" 12.3 ", 1230),
            ("-¥3.5", -350),
            ("¥-3.5", -350),
            ("-3.50元", -350),
            ("0.01", 1),
            ("0", 0),
            ("-0", 0),
            ("12.340", 1234),
            ("12.3400000", 1234),
            ("12,345,678.90", 1_234_567_890),
            ("007", 700),
            ("92233720368547758.07", i64::MAX),
            ("-92233720368547758.08", i64::MIN),
        ];
        for (text, fen) in ok {
            assert_eq!(Fen::parse_yuan(text), Ok(Fen(*fen)), "{text}");
        }
    }

    #[test]
    fn parse_yuan_errors() {
        let bad: &[(&str, &str)] = &[
            ("", "empty"),
            ("   ", "empty"),
            ("12.345", "too_precise"),
            ("0.001", "too_precise"),
            ("12.", "bad_format"),
            (".5", "bad_format"),
            ("¥", "bad_format"),
            ("元", "bad_format"),
            ("1,23", "bad_grouping"),
            ("1234,567", "bad_grouping"),
            (",123", "bad_grouping"),
            ("1.2.3", "bad_char"),
            ("abc", "bad_char"),
            ("1 234", "bad_char"),
            ("１２", "bad_char"),
            ("+12", "bad_char"),
            ("--12", "bad_char"),
            ("12万元", "bad_char"),
            ("1e5", "bad_char"),
            ("92233720368547758.08", "overflow"),
            ("99999999999999999999999999999999999999999", "overflow"),
        ];
        for (text, code) in bad {
            let err = Fen::parse_yuan(text).unwrap_err();
            assert_eq!(err.code(), *code, "{text}: {err}");
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn parse_wan_yuan_table() {
        let ok: &[(&str, i64)] = &[
            ("12.3456", 12_345_600),
            ("12.3456万元", 12_345_600),
            ("12.3456万", 12_345_600),
            ("1", 1_000_000),
            ("0.000001", 1),
            ("1,000", 1_000_000_000),
            ("-0.5万元", -500_000),
        ];
        for (text, fen) in ok {
            assert_eq!(Fen::parse_wan_yuan(text), Ok(Fen(*fen)), "{text}");
        }
        assert_eq!(
            Fen::parse_wan_yuan("0.0000001"),
            Err(MoneyError::TooPrecise { max_decimals: 6 })
        );
        // 123456 元 is 12.3456 万元.
        assert_eq!(Fen::parse_wan_yuan("12.3456"), Fen::parse_yuan("123,456"));
    }

    #[test]
    fn formatting() {
        let cases: &[(i64, &str, &str)] = &[
            (123_450, "1,234.50元", "0.12345万元"),
            (0, "0.00元", "0万元"),
            (-5, "-0.05元", "-0.000005万元"),
            (1, "0.01元", "0.000001万元"),
            (12_345_600, "123,456.00元", "12.3456万元"),
            (1_000_000, "10,000.00元", "1万元"),
            (-150_000_000, "-1,500,000.00元", "-150万元"),
            (
                i64::MIN,
                "-92,233,720,368,547,758.08元",
                "-9,223,372,036,854.775808万元",
            ),
        ];
        for (fen, yuan, wan) in cases {
            assert_eq!(Fen(*fen).to_string(), *yuan);
            assert_eq!(Fen(*fen).display_wan_yuan(), *wan);
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen::from_yuan(12), Some(Fen(1200)));
        assert_eq!(Fen::from_yuan(i64::MAX), None);
        assert_eq!(Fen(1).checked_add(Fen(2)), Some(Fen(3)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(1).checked_sub(Fen(2)), Some(Fen(-1)));
        assert_eq!(Fen(3).checked_mul(3), Some(Fen(9)));
        assert_eq!(Fen::checked_sum([Fen(1), Fen(2), Fen(3)]), Some(Fen(6)));
        assert_eq!(Fen::checked_sum([Fen(i64::MAX), Fen(1)]), None);
        assert!(Fen(-1).is_negative());
    }

    #[test]
    fn serde_is_integer_fen() {
        assert_eq!(serde_json::to_string(&Fen(1234)).unwrap(), "1234");
        assert_eq!(serde_json::from_str::<Fen>("-5").unwrap(), Fen(-5));
    }

    proptest! {
        #[test]
        fn yuan_round_trips(fen in any::<i64>()) {
            let amount = Fen(fen);
            prop_assert_eq!(Fen::parse_yuan(&amount.to_yuan_string()), Ok(amount));
            prop_assert_eq!(amount.to_string().parse::<Fen>(), Ok(amount));
        }

        #[test]
        fn wan_yuan_round_trips(fen in any::<i64>()) {
            let amount = Fen(fen);
            prop_assert_eq!(Fen::parse_wan_yuan(&amount.to_wan_yuan_string()), Ok(amount));
            prop_assert_eq!(Fen::parse_wan_yuan(&amount.display_wan_yuan()), Ok(amount));
        }

        #[test]
        fn decimal_text_parses_exactly(int in 0i64..1_000_000_000_000, frac in 0i64..100) {
            let text = format!("{int}.{frac:02}");
            prop_assert_eq!(Fen::parse_yuan(&text), Ok(Fen(int * 100 + frac)));
            let grouped = format!("{}.{frac:02}", group_thousands(&int.to_string()));
            prop_assert_eq!(Fen::parse_yuan(&grouped), Ok(Fen(int * 100 + frac)));
        }

        #[test]
        fn sub_fen_digits_are_rejected(int in 0i64..1_000_000, frac in 1i64..10) {
            let text = format!("{int}.00{frac}");
            prop_assert_eq!(
                Fen::parse_yuan(&text),
                Err(MoneyError::TooPrecise { max_decimals: 2 })
            );
        }

        #[test]
        fn parser_never_panics(text in "\\PC{0,30}") {
            let _ = Fen::parse_yuan(&text);
            let _ = Fen::parse_wan_yuan(&text);
        }
    }
}
