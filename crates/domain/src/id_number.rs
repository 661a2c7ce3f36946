//! Resident identity numbers (公民身份号码, GB 11643-1999).
//!
//! This module owns [`IdNumber`] (an 18-character number with a correct ISO 7064
//! MOD 11-2 check character and a real birth date) and [`parse_id_number`], which checks
//! user input and reports what it did, using the shared report types of
//! [`crate::uscc`] ([`CodeCheck`], [`CodeError`], [`Warning`]).
//!
//! What [`parse_id_number`] decides:
//! - **Rejections:** wrong length, bad characters, wrong check character, a birth date
//!   that is not a calendar date, a birth date after the caller's `today`.
//! - **Warnings:** the explicit normalisation (whitespace, full-width, lower-case `x`);
//!   a 15-digit first-generation number upgraded to 18 digits (insert `19`, compute the
//!   check character); an address code (first 6 digits) the caller does not know. The
//!   address check is a warning only: people keep the code of the county where the
//!   number was first issued, and retired codes stay valid.
//!
//! The strict constructors ([`FromStr`], [`TryFrom<String>`], serde) accept only the
//! canonical 18-character form and check the structure and the birth date's existence;
//! they cannot check "not in the future" because this crate never reads the clock.
//!
//! `Debug` of an [`IdNumber`] is masked (see [`crate::masking::mask_id_number`]) so
//! that numbers do not leak into logs; `Display` and [`IdNumber::as_str`] give the full
//! number for storage.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::masking::mask_id_number;
use crate::uscc::{
    check_chars, normalize_code_input, CharClass, CodeCheck, CodeError, Normalized, Warning,
};

const ID_LEN: usize = 18;
const LEGACY_LEN: usize = 15;
const ID_LEN_TEXT: &str = "18（或15位旧号码）";

/// Weights for positions 1…17: `W_i = 2^(18-i) mod 11`.
const WEIGHTS: [u32; 17] = {
    let mut weights = [0u32; 17];
    let mut power = 1;
    let mut i = 17;
    while i > 0 {
        power = power * 2 % 11;
        weights[i - 1] = power;
        i -= 1;
    }
    weights
};

/// Check characters indexed by `S mod 11`.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Sex recorded in the sequence code (odd = male, even = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// Stable machine code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }

    /// Chinese label.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// An 18-character resident ID number with a correct check character and a real birth
/// date. Serialises as a plain string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber {
    text: String,
    birth_date: NaiveDate,
}

impl IdNumber {
    /// The full 18-character number.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The address code (first 6 digits): the county where the number was first issued.
    #[must_use]
    pub fn division_code(&self) -> &str {
        &self.text[..6]
    }

    /// Date of birth (digits 7–14).
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Sex, from the parity of digit 17.
    #[must_use]
    pub fn sex(&self) -> Sex {
        if self.text.as_bytes()[16] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The check character (digit or `X`).
    #[must_use]
    pub fn check_char(&self) -> char {
        char::from(self.text.as_bytes()[17])
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber")
            .field(&mask_id_number(&self.text))
            .finish()
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for IdNumber {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl FromStr for IdNumber {
    type Err = CodeError;

    /// Strict: accepts only the canonical 18-character form (upper-case `X`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        validate_id18(s)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = CodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        validate_id18(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> Self {
        value.text
    }
}

/// Report of [`parse_id_number`].
pub type IdCheck = CodeCheck<IdNumber>;

/// Checks user input as a resident ID number.
///
/// `today` is the reference date for the "born in the future" check (the caller reads
/// its clock). `known_divisions` answers whether a six-digit address code is a known
/// current or retired division code; an unknown code is only a warning.
///
/// `normalized` in the report is the input after character normalisation, before any
/// 15 → 18 upgrade; the upgraded number is the accepted value.
#[must_use]
pub fn parse_id_number(
    input: &str,
    today: NaiveDate,
    known_divisions: &dyn Fn(&str) -> bool,
) -> IdCheck {
    let Normalized { text, mut warnings } = normalize_code_input(input);
    let result = if text.chars().count() == LEGACY_LEN {
        upgrade_legacy(&text).and_then(|upgraded| {
            warnings.push(Warning::LegacyIdUpgraded);
            validate_id18(&upgraded)
        })
    } else {
        validate_id18(&text)
    }
    .and_then(|id| reject_future_birth(id, today));
    if let Ok(id) = &result {
        if !known_divisions(id.division_code()) {
            warnings.push(Warning::UnknownDivision {
                code: id.division_code().to_owned(),
            });
        }
    }
    CodeCheck {
        input: input.to_owned(),
        normalized: (!text.is_empty()).then_some(text),
        result,
        warnings,
    }
}

/// The check character for the first 17 digits, or `None` if `first17` is not exactly
/// 17 ASCII digits.
#[must_use]
pub fn try_id_check_char(first17: &str) -> Option<char> {
    let digits = first17
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<Vec<u32>>>()?;
    (digits.len() == WEIGHTS.len()).then(|| weighted_check(&digits))
}

/// ISO 7064 MOD 11-2 over 17 digit values.
fn weighted_check(digits: &[u32]) -> char {
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Digit values of already-validated ASCII digits.
fn digit_values(chars: &[char]) -> Vec<u32> {
    chars.iter().filter_map(|c| c.to_digit(10)).collect()
}

/// The check character for the first 17 digits of an ID number (for generators and
/// fixtures, whose input is known to be digits).
///
/// # Panics
///
/// If `first17` is not exactly 17 ASCII digits. Use [`try_id_check_char`] for
/// untrusted input.
#[must_use]
pub fn id_check_char(first17: &str) -> char {
    try_id_check_char(first17)
        .unwrap_or_else(|| panic!("id_check_char needs exactly 17 ASCII digits"))
}

fn id_class_at(index: usize) -> CharClass {
    if index == ID_LEN - 1 {
        CharClass::DigitOrX
    } else {
        CharClass::Digit
    }
}

/// Upgrades a 15-digit first-generation number: insert the century `19` before the
/// two-digit year and append the check character.
fn upgrade_legacy(text: &str) -> Result<String, CodeError> {
    check_chars(text, LEGACY_LEN, ID_LEN_TEXT, |_| CharClass::Digit)?;
    let first17 = format!("{}19{}", &text[..6], &text[6..]);
    let chars: Vec<char> = first17.chars().collect();
    Ok(format!(
        "{first17}{}",
        weighted_check(&digit_values(&chars))
    ))
}

fn validate_id18(text: &str) -> Result<IdNumber, CodeError> {
    let chars = check_chars(text, ID_LEN, ID_LEN_TEXT, id_class_at)?;
    let expected = weighted_check(&digit_values(&chars[..17]));
    let found = chars[17];
    if expected != found {
        return Err(CodeError::BadCheckChar { expected, found });
    }
    let birth_date = parse_birth_date(&text[6..14])?;
    Ok(IdNumber {
        text: text.to_owned(),
        birth_date,
    })
}

fn parse_birth_date(digits: &str) -> Result<NaiveDate, CodeError> {
    let bad = || CodeError::BadBirthDate {
        text: digits.to_owned(),
    };
    let year = digits[..4].parse().map_err(|_| bad())?;
    let month = digits[4..6].parse().map_err(|_| bad())?;
    let day = digits[6..8].parse().map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)
}

fn reject_future_birth(id: IdNumber, today: NaiveDate) -> Result<IdNumber, CodeError> {
    if id.birth_date > today {
        Err(CodeError::FutureBirthDate {
            date: id.birth_date,
            today,
        })
    } else {
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    fn any_division(_: &str) -> bool {
        true
    }

    fn parse(input: &str) -> IdCheck {
        parse_id_number(input, today(), &any_division)
    }

    /// Builds a valid number from its parts.
    fn make(address: &str, birth: &str, seq: &str) -> String {
        let first17 = format!("{address}{birth}{seq}");
        format!("{first17}{}", id_check_char(&first17))
    }

    #[test]
    fn weights_match_the_reference_table() {
        assert_eq!(
            WEIGHTS,
            [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        );
    }

    #[test]
    fn known_valid_numbers() {
        for number in [
            "360426199101010071",
            "44011320141005001X",
            // Check digit fine, address code retired or non-existent: still accepted.
            "52030219891209794X",
            "990426199112010074",
        ] {
            let check = parse(number);
            assert!(check.is_valid(), "{number}: {:?}", check.result);
            assert_eq!(check.value().unwrap().as_str(), number);
            assert!(check.warnings.is_empty());
        }
    }

    /// Replaces the check character with a different one.
    fn corrupt_check(number: &str) -> String {
        let wrong = if number.ends_with('0') { '1' } else { '0' };
        format!("{}{wrong}", &number[..17])
    }

    #[test]
    fn rejections() {
        let wrong_check = corrupt_check(&make("420802", "19900101", "123"));
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty"),
            ("  ".into(), "empty"),
            ("42080219900101123".into(), "bad_length"),
            ("4208021990010112345".into(), "bad_length"),
            ("42080219900101A234".into(), "bad_char"),
            ("X20802199001011234".into(), "bad_char"),
            (wrong_check, "bad_check_char"),
            (make("420802", "19900230", "123"), "bad_birth_date"),
            (make("420802", "19901301", "123"), "bad_birth_date"),
            (make("420802", "20230229", "123"), "bad_birth_date"),
            (make("420802", "20260502", "123"), "future_birth_date"),
            ("42080290010112A".into(), "bad_char"),
            ("420802900230123".into(), "bad_birth_date"),
        ];
        for (input, code) in cases {
            let check = parse(&input);
            assert_eq!(
                check.error().map(CodeError::code),
                Some(code),
                "{input}: {:?}",
                check.result
            );
            assert!(!check.error().unwrap().reason().is_empty());
        }
    }

    #[test]
    fn leap_day_and_today_are_accepted() {
        assert!(parse(&make("420802", "20000229", "123")).is_valid());
        assert!(parse(&make("420802", "20260501", "124")).is_valid());
    }

    #[test]
    fn birth_date_and_sex() {
        let id: IdNumber = make("420802", "19900101", "123").parse().unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()
        );
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.division_code(), "420802");
        let id: IdNumber = make("420802", "19900101", "124").parse().unwrap();
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sex().label(), "女");
    }

    #[test]
    fn legacy_numbers_are_upgraded_with_a_warning() {
        for (old, new) in [
            ("350303900203307", "350303199002033075"),
            ("330502880702447", "330502198807024475"),
        ] {
            let check = parse(old);
            let id = check
                .value()
                .unwrap_or_else(|| panic!("{old}: {:?}", check.result));
            assert_eq!(&id.as_str()[..17], &new[..17]);
            assert_eq!(id.check_char(), id_check_char(&new[..17]));
            assert_eq!(check.normalized.as_deref(), Some(old));
            assert!(check.has_warning("legacy_15_digit"));
        }
    }

    #[test]
    fn lower_case_x_and_spacing_are_normalised_with_warnings() {
        let check = parse(" 44011320141005001x ");
        assert!(check.is_valid());
        let codes: Vec<&str> = check.warnings.iter().map(Warning::code).collect();
        assert_eq!(codes, ["whitespace_removed", "lowercase_converted"]);
        let check = parse("４４０１１３２０１４１００５００１Ｘ");
        assert!(check.has_warning("full_width_converted"));
        assert!(check.is_valid());
    }

    #[test]
    fn unknown_address_code_is_a_warning_only() {
        let known = |code: &str| code.starts_with("4208") || code == "422432";
        let current = make("420802", "19900101", "123");
        let retired = make("422432", "19800101", "123");
        let foreign = make("110101", "19800101", "123");
        assert!(parse_id_number(&current, today(), &known)
            .warnings
            .is_empty());
        assert!(parse_id_number(&retired, today(), &known)
            .warnings
            .is_empty());
        let check = parse_id_number(&foreign, today(), &known);
        assert!(check.is_valid());
        assert_eq!(
            check.warnings,
            [Warning::UnknownDivision {
                code: "110101".into()
            }]
        );
        assert!(check.warnings[0].message().contains("110101"));
    }

    #[test]
    fn debug_is_masked_display_is_not() {
        let number = make("420802", "19900101", "123");
        let id: IdNumber = number.parse().unwrap();
        let debug = format!("{id:?}");
        assert!(!debug.contains(&number[4..14]), "{debug}");
        assert_eq!(id.to_string(), number);
    }

    #[test]
    fn serde_round_trip() {
        let number = make("420802", "19900101", "123");
        let id: IdNumber = number.parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{number}\""));
        assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        let wrong = serde_json::to_string(&corrupt_check(&number)).unwrap();
        assert!(serde_json::from_str::<IdNumber>(&wrong).is_err());
    }

    #[test]
    fn check_char_helpers() {
        assert_eq!(id_check_char("36042619910101007"), '1');
        assert_eq!(id_check_char("44011320141005001"), 'X');
        assert_eq!(try_id_check_char("4401132014100500"), None);
        assert_eq!(try_id_check_char("4401132014100500A"), None);
    }

    #[test]
    #[should_panic(expected = "17 ASCII digits")]
    fn id_check_char_panics_on_bad_input() {
        let _ = id_check_char("abc");
    }

    fn birth_dates() -> impl Strategy<Value = NaiveDate> {
        (0i64..45_000).prop_map(|d| {
            NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(d as u64)
        })
    }

    proptest! {
        #[test]
        fn generated_numbers_round_trip(
            address in "[1-6][0-9]{5}",
            birth in birth_dates(),
            seq in "[0-9]{3}",
        ) {
            let number = make(&address, &birth.format("%Y%m%d").to_string(), &seq);
            let check = parse_id_number(&number, NaiveDate::MAX, &any_division);
            let id = check.value().unwrap();
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.as_str(), number.as_str());
        }

        #[test]
        fn single_digit_errors_are_caught(
            address in "[1-6][0-9]{5}",
            birth in birth_dates(),
            seq in "[0-9]{3}",
            position in 0usize..17,
            digit in proptest::char::range('0', '9'),
        ) {
            let number = make(&address, &birth.format("%Y%m%d").to_string(), &seq);
            let mut chars: Vec<char> = number.chars().collect();
            prop_assume!(chars[position] != digit);
            chars[position] = digit;
            let changed: String = chars.into_iter().collect();
            prop_assert!(!parse_id_number(&changed, NaiveDate::MAX, &any_division).is_valid());
        }

        #[test]
        fn parser_never_panics(input in "\\PC{0,25}") {
            let _ = parse(&input);
        }
    }
}
