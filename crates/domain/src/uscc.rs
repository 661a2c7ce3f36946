//! Unified social credit code (统一社会信用代码, GB 32100-2015), and the report types
//! shared by every code validator in this crate.
//!
//! This module owns:
//! - [`Uscc`], a value that can only hold a code passing the GB 32100 format and its
//!   mod-31 check character;
//! - [`parse_uscc`], which checks user input and reports what it did;
//! - the shared report shape [`CodeCheck`] with [`CodeError`] (rejections) and
//!   [`Warning`] (accepted, but worth telling the user), also used by
//!   [`crate::id_number`];
//! - the explicit input normalisation both parsers use (see [`CodeCheck::normalized`]).
//!
//! Validity means "passes the GB 32100 format and the mod-31 check". The check character
//! of the embedded organisation code (GB 11714, positions 9–17) is reported as a
//! [`Warning::OrgCodeCheckFailed`], never as a rejection: synthetic and some pre-standard
//! codes fail it while being accepted by the registration systems.
//!
//! Normalisation is never silent. [`parse_uscc`] removes whitespace, converts full-width
//! characters to half-width and upper-cases ASCII letters, and adds one warning per kind
//! of change. Hyphens and other punctuation are *not* removed: they are rejected as
//! `bad_char`. The strict constructors ([`FromStr`], [`TryFrom<String>`], serde) accept
//! only the canonical form and never normalise.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

/// The 31 characters of the USCC alphabet in value order (I, O, Z, S and V are excluded).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_LEN: usize = 18;
const MODULUS: u32 = 31;

/// Weights for positions 1…17: `W_i = 3^(i-1) mod 31`.
const WEIGHTS: [u32; 17] = {
    let mut weights = [0u32; 17];
    let mut power = 1;
    let mut i = 0;
    while i < 17 {
        weights[i] = power;
        power = power * 3 % MODULUS;
        i += 1;
    }
    weights
};

/// GB 11714 weights for the 8 body characters of the organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

// ---------------------------------------------------------------------------
// Shared report types
// ---------------------------------------------------------------------------

/// Which characters were allowed at a rejected position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharClass {
    /// A character of [`USCC_ALPHABET`].
    UsccChar,
    /// An ASCII digit.
    Digit,
    /// An ASCII digit or `X` (the ID-number check character).
    DigitOrX,
}

impl CharClass {
    /// Chinese description used in error reasons.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::UsccChar => "数字或大写字母（不含I、O、Z、S、V）",
            Self::Digit => "数字",
            Self::DigitOrX => "数字或X",
        }
    }

    fn admits(self, c: char) -> bool {
        match self {
            Self::UsccChar => uscc_value(c).is_some(),
            Self::Digit => c.is_ascii_digit(),
            Self::DigitOrX => c.is_ascii_digit() || c == 'X',
        }
    }
}

/// Why a code was rejected. [`CodeError::code`] is a stable machine code,
/// [`CodeError::reason`] (also `Display`) a Chinese explanation for people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    /// Nothing left after normalisation.
    #[error("输入为空")]
    Empty,
    /// Wrong number of characters (counted after normalisation).
    #[error("长度应为{expected}位，实际为{actual}位")]
    BadLength {
        /// Accepted length(s), in words, e.g. `"18"`.
        expected: &'static str,
        /// Characters found.
        actual: usize,
    },
    /// A character not allowed at its position (1-based).
    #[error("第{position}位字符“{found}”不合法，此处应为{}", .expected.describe())]
    BadChar {
        /// 1-based position in the normalised text.
        position: usize,
        /// The offending character.
        found: char,
        /// What was allowed there.
        expected: CharClass,
    },
    /// The check character does not match the other characters.
    #[error("校验码错误：按前17位计算应为“{expected}”，实际为“{found}”")]
    BadCheckChar {
        /// Check character computed from the first 17 characters.
        expected: char,
        /// Check character given.
        found: char,
    },
    /// The embedded birth date is not a calendar date.
    #[error("出生日期“{text}”不是有效的日期")]
    BadBirthDate {
        /// The eight digits `YYYYMMDD` found.
        text: String,
    },
    /// The embedded birth date lies after the reference date.
    #[error("出生日期{date}晚于当前日期{today}")]
    FutureBirthDate {
        /// Birth date in the number.
        date: NaiveDate,
        /// The reference date passed by the caller.
        today: NaiveDate,
    },
}

impl CodeError {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::BadLength { .. } => "bad_length",
            Self::BadChar { .. } => "bad_char",
            Self::BadCheckChar { .. } => "bad_check_char",
            Self::BadBirthDate { .. } => "bad_birth_date",
            Self::FutureBirthDate { .. } => "future_birth_date",
        }
    }

    /// Human-readable reason in Chinese.
    #[must_use]
    pub fn reason(&self) -> String {
        self.to_string()
    }
}

impl Serialize for CodeError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_code_message(serializer, "CodeError", self.code(), &self.reason())
    }
}

/// Something the parser changed or noticed without rejecting the code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Warning {
    /// Spaces (including full-width and other Unicode whitespace) were removed.
    WhitespaceRemoved,
    /// Full-width characters were converted to their half-width forms.
    FullWidthConverted,
    /// Lower-case letters were converted to upper case.
    LowercaseConverted,
    /// The GB 11714 check character inside a USCC (position 17) does not match.
    OrgCodeCheckFailed {
        /// Computed organisation-code check character.
        expected: char,
        /// Character found at position 17.
        found: char,
    },
    /// A 15-digit first-generation ID number was upgraded to 18 digits.
    LegacyIdUpgraded,
    /// The address code of an ID number is not a known (current or retired) division.
    UnknownDivision {
        /// The six-digit address code.
        code: String,
    },
}

impl Warning {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::WhitespaceRemoved => "whitespace_removed",
            Self::FullWidthConverted => "full_width_converted",
            Self::LowercaseConverted => "lowercase_converted",
            Self::OrgCodeCheckFailed { .. } => "org_code_check_failed",
            Self::LegacyIdUpgraded => "legacy_15_digit",
            Self::UnknownDivision { .. } => "unknown_division",
        }
    }

    /// Human-readable message in Chinese.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::WhitespaceRemoved => "已去除空格".to_owned(),
            Self::FullWidthConverted => "已将全角字符转换为半角".to_owned(),
            Self::LowercaseConverted => "已将小写字母转换为大写".to_owned(),
            Self::OrgCodeCheckFailed { expected, found } => format!(
                "主体标识码（组织机构代码）校验位不符：应为“{expected}”，实际为“{found}”，请核对"
            ),
            Self::LegacyIdUpgraded => "15位旧身份证号码已按GB 11643升级为18位".to_owned(),
            Self::UnknownDivision { code } => {
                format!("地址码{code}不在已知的行政区划代码（含已撤销代码）中，请核对")
            }
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_code_message(serializer, "Warning", self.code(), &self.message())
    }
}

fn serialize_code_message<S: Serializer>(
    serializer: S,
    name: &'static str,
    code: &str,
    message: &str,
) -> Result<S::Ok, S::Error> {
    let mut state = serializer.serialize_struct(name, 2)?;
    state.serialize_field("code", code)?;
    state.serialize_field("message", message)?;
    state.end()
}

/// The report of a code parser: what came in, what was checked, the outcome and the
/// warnings. Shared by [`parse_uscc`] and [`crate::id_number::parse_id_number`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCheck<T> {
    /// The input exactly as given.
    pub input: String,
    /// The text after explicit normalisation (whitespace removed, full-width and
    /// lower-case converted): what the validation ran on. `None` when nothing is left.
    pub normalized: Option<String>,
    /// The parsed value, or why it was rejected.
    pub result: Result<T, CodeError>,
    /// Changes made and non-fatal findings, in the order they were made.
    pub warnings: Vec<Warning>,
}

impl<T> CodeCheck<T> {
    /// Whether the input was accepted.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.result.is_ok()
    }

    /// The parsed value, if accepted.
    #[must_use]
    pub fn value(&self) -> Option<&T> {
        self.result.as_ref().ok()
    }

    /// The rejection, if any.
    #[must_use]
    pub fn error(&self) -> Option<&CodeError> {
        self.result.as_ref().err()
    }

    /// Whether a warning with the given machine code was reported.
    #[must_use]
    pub fn has_warning(&self, code: &str) -> bool {
        self.warnings.iter().any(|w| w.code() == code)
    }

    /// Drops the report and keeps the outcome.
    pub fn into_result(self) -> Result<T, CodeError> {
        self.result
    }
}

/// Text after normalisation, with the warnings describing what changed.
pub(crate) struct Normalized {
    pub(crate) text: String,
    pub(crate) warnings: Vec<Warning>,
}

/// The explicit normalisation shared by the code parsers: remove whitespace, convert
/// full-width forms (U+FF01…U+FF5E) to ASCII, upper-case ASCII letters. One warning per
/// kind of change, always in that order.
pub(crate) fn normalize_code_input(input: &str) -> Normalized {
    let mut text = String::with_capacity(input.len());
    let (mut removed_space, mut converted_width, mut converted_case) = (false, false, false);
    for c in input.chars() {
        if c.is_whitespace() {
            removed_space = true;
            continue;
        }
        let c = match to_half_width(c) {
            Some(half) => {
                converted_width = true;
                half
            }
            None => c,
        };
        if c.is_ascii_lowercase() {
            converted_case = true;
        }
        text.push(c.to_ascii_uppercase());
    }
    let warnings = [
        (removed_space, Warning::WhitespaceRemoved),
        (converted_width, Warning::FullWidthConverted),
        (converted_case, Warning::LowercaseConverted),
    ]
    .into_iter()
    .filter_map(|(happened, warning)| happened.then_some(warning))
    .collect();
    Normalized { text, warnings }
}

fn to_half_width(c: char) -> Option<char> {
    let code = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&code) {
        char::from_u32(code - 0xFEE0)
    } else {
        None
    }
}

/// Checks that `text` has exactly `len` characters, each admitted by `class_at(index)`.
/// Returns the characters on success.
pub(crate) fn check_chars(
    text: &str,
    len: usize,
    expected_len: &'static str,
    class_at: impl Fn(usize) -> CharClass,
) -> Result<Vec<char>, CodeError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err(CodeError::Empty);
    }
    if chars.len() != len {
        return Err(CodeError::BadLength {
            expected: expected_len,
            actual: chars.len(),
        });
    }
    for (index, &c) in chars.iter().enumerate() {
        let expected = class_at(index);
        if !expected.admits(c) {
            return Err(CodeError::BadChar {
                position: index + 1,
                found: c,
                expected,
            });
        }
    }
    Ok(chars)
}

// ---------------------------------------------------------------------------
// USCC
// ---------------------------------------------------------------------------

/// A unified social credit code that passed the GB 32100 format and mod-31 checks.
///
/// The field is private: the only ways in are [`parse_uscc`] (user input, normalised and
/// reported) and the strict [`FromStr`] / [`TryFrom<String>`] / serde paths (canonical form
/// only). Serialises as a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    /// The 18-character code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration-authority code (登记管理部门代码), e.g. `9` 工商/市场监管.
    #[must_use]
    pub fn registration_authority(&self) -> char {
        self.char_at(0)
    }

    /// Position 2: entity-category code (机构类别代码), e.g. `1` 企业 under authority `9`.
    #[must_use]
    pub fn entity_category(&self) -> char {
        self.char_at(1)
    }

    /// Positions 3–8: GB/T 2260 division code of the registering authority.
    #[must_use]
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organisation code (主体标识码, GB 11714), its own check
    /// character last.
    #[must_use]
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Position 18: the check character.
    #[must_use]
    pub fn check_char(&self) -> char {
        self.char_at(17)
    }

    /// Whether the embedded organisation code passes its own GB 11714 check.
    #[must_use]
    pub fn org_code_check_ok(&self) -> bool {
        self.org_code_warning().is_none()
    }

    fn org_code_warning(&self) -> Option<Warning> {
        let org = self.org_code();
        let expected = org_code_check_char(&org[..8])?;
        let found = self.char_at(16);
        (expected != found).then_some(Warning::OrgCodeCheckFailed { expected, found })
    }

    fn char_at(&self, index: usize) -> char {
        // The code is ASCII by construction, so byte index == char index.
        char::from(self.0.as_bytes()[index])
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Uscc {
    type Err = CodeError;

    /// Strict: accepts only the canonical 18-character upper-case form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        validate_uscc(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = CodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        validate_uscc(&value)
    }
}

impl From<Uscc> for String {
    fn from(value: Uscc) -> Self {
        value.0
    }
}

/// Report of [`parse_uscc`].
pub type UsccCheck = CodeCheck<Uscc>;

/// Checks user input as a unified social credit code, normalising it explicitly
/// (see the module docs) and reporting every change as a warning.
#[must_use]
pub fn parse_uscc(input: &str) -> UsccCheck {
    let Normalized { text, mut warnings } = normalize_code_input(input);
    let result = validate_uscc(&text);
    if let Ok(code) = &result {
        warnings.extend(code.org_code_warning());
    }
    CodeCheck {
        input: input.to_owned(),
        normalized: (!text.is_empty()).then_some(text),
        result,
        warnings,
    }
}

/// The check character for the first 17 characters of a USCC, or `None` if `first17`
/// is not 17 characters of the USCC alphabet.
#[must_use]
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let values = first17
        .chars()
        .map(uscc_value)
        .collect::<Option<Vec<u32>>>()?;
    (values.len() == WEIGHTS.len()).then(|| weighted_check(&values))
}

/// GB 32100 mod-31 check character over 17 character values.
fn weighted_check(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (MODULUS - sum % MODULUS) % MODULUS;
    char::from(ALPHABET[check as usize])
}

/// The GB 11714 check character for an 8-character organisation-code body
/// (`0-9` = 0–9, `A-Z` = 10–35), or `None` if `body8` is not 8 such characters.
#[must_use]
pub fn org_code_check_char(body8: &str) -> Option<char> {
    let values = body8
        .chars()
        .map(|c| {
            if c.is_ascii_digit() || c.is_ascii_uppercase() {
                c.to_digit(36)
            } else {
                None
            }
        })
        .collect::<Option<Vec<u32>>>()?;
    if values.len() != ORG_WEIGHTS.len() {
        return None;
    }
    let sum: u32 = values.iter().zip(ORG_WEIGHTS).map(|(v, w)| v * w).sum();
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        digit => char::from_digit(digit, 10),
    }
}

fn uscc_value(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == byte)
        .and_then(|p| u32::try_from(p).ok())
}

fn uscc_class_at(index: usize) -> CharClass {
    if (2..8).contains(&index) {
        CharClass::Digit
    } else {
        CharClass::UsccChar
    }
}

fn validate_uscc(text: &str) -> Result<Uscc, CodeError> {
    let chars = check_chars(text, USCC_LEN, "18", uscc_class_at)?;
    let values: Vec<u32> = chars[..17].iter().filter_map(|&c| uscc_value(c)).collect();
    let expected = weighted_check(&values);
    let found = chars[17];
    if expected == found {
        Ok(Uscc(text.to_owned()))
    } else {
        Err(CodeError::BadCheckChar { expected, found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weights_match_the_reference_table() {
        assert_eq!(
            WEIGHTS,
            [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        );
        assert_eq!(USCC_ALPHABET.len(), 31);
        assert!(!USCC_ALPHABET.contains(['I', 'O', 'Z', 'S', 'V']));
    }

    #[test]
    fn known_valid_codes() {
        for code in [
            "91110000600037341L",
            "91350100M000100Y43",
            "911101005JLR20JR60",
            "9135010557098120XJ",
            // Checksum-valid synthetic code; the region 345678 does not exist, but
            // division existence is not part of USCC validity.
            "123456789012345678",
        ] {
            let check = parse_uscc(code);
            assert!(check.is_valid(), "{code}: {:?}", check.result);
            assert_eq!(check.normalized.as_deref(), Some(code));
            assert_eq!(code.parse::<Uscc>().map(String::from).as_deref(), Ok(code));
        }
    }

    #[test]
    fn known_invalid_codes() {
        let cases: &[(&str, &str)] = &[
            ("91110000600037341X", "bad_check_char"),
            ("A1110000600037341L", "bad_check_char"),
            // Xiamen/Fujian pilot-era codes must be rejected.
            ("91350211M00013FA1N", "bad_check_char"),
            ("91350211M0000XUF46", "bad_check_char"),
            ("91350100M0001TGQXM", "bad_check_char"),
            ("91350203M0001FUE2P", "bad_check_char"),
            ("", "empty"),
            ("   ", "empty"),
            ("9111000060003734", "bad_length"),
            ("91110000600037341LL", "bad_length"),
            ("9111000060003734IL", "bad_char"),
            ("91A10000600037341L", "bad_char"),
            ("911100-0600037341L", "bad_char"),
            ("9111000060003734１Ｌ９", "bad_length"),
        ];
        for (input, code) in cases {
            let check = parse_uscc(input);
            assert_eq!(
                check.error().map(CodeError::code),
                Some(*code),
                "{input}: {:?}",
                check.result
            );
        }
    }

    #[test]
    fn bad_check_char_reports_expected_character() {
        let err = parse_uscc("91110000600037341X").result.unwrap_err();
        assert_eq!(
            err,
            CodeError::BadCheckChar {
                expected: 'L',
                found: 'X'
            }
        );
        assert!(err.reason().contains('L'));
    }

    #[test]
    fn forbidden_letter_is_bad_char_at_its_position() {
        let err = parse_uscc("91350211M0001SFA1N").result.unwrap_err();
        assert_eq!(
            err,
            CodeError::BadChar {
                position: 14,
                found: 'S',
                expected: CharClass::UsccChar
            }
        );
        assert!(err.reason().contains("第14位"));
    }

    #[test]
    fn org_code_mismatch_is_only_a_warning() {
        let check = parse_uscc("911101005JLR20JR60");
        assert!(check.is_valid());
        assert!(check.has_warning("org_code_check_failed"));
        let code = check.value().unwrap();
        assert!(!code.org_code_check_ok());

        let clean = parse_uscc("91350100M000100Y43");
        assert!(clean.warnings.is_empty(), "{:?}", clean.warnings);
        assert!(clean.value().unwrap().org_code_check_ok());
    }

    #[test]
    fn parts_of_the_code() {
        let code: Uscc = "9135010557098120XJ".parse().unwrap();
        assert_eq!(code.registration_authority(), '9');
        assert_eq!(code.entity_category(), '1');
        assert_eq!(code.division_code(), "350105");
        assert_eq!(code.org_code(), "57098120X");
        assert_eq!(code.check_char(), 'J');
        assert!(code.org_code_check_ok());
        assert_eq!(code.to_string(), "9135010557098120XJ");
    }

    #[test]
    fn normalisation_is_reported() {
        let cases: &[(&str, &[&str])] = &[
            (" 91110000600037341L ", &["whitespace_removed"]),
            ("9111 0000 6000 3734 1L", &["whitespace_removed"]),
            ("91110000600037341l", &["lowercase_converted"]),
            (
                "９１１１００００６０００３７３４１Ｌ",
                &["full_width_converted"],
            ),
            (
                "\u{3000}９１１１００００６０００３７３４１ｌ",
                &[
                    "whitespace_removed",
                    "full_width_converted",
                    "lowercase_converted",
                ],
            ),
        ];
        for (input, expected) in cases {
            let check = parse_uscc(input);
            assert!(check.is_valid(), "{input}: {:?}", check.result);
            assert_eq!(check.normalized.as_deref(), Some("91110000600037341L"));
            let codes: Vec<&str> = check.warnings.iter().map(Warning::code).collect();
            assert_eq!(&codes, expected, "{input}");
            assert_eq!(check.input, *input);
        }
    }

    #[test]
    fn strict_constructors_do_not_normalise() {
        assert!("91110000600037341l".parse::<Uscc>().is_err());
        assert!(" 91110000600037341L".parse::<Uscc>().is_err());
        assert!(Uscc::try_from("91110000600037341L".to_owned()).is_ok());
    }

    #[test]
    fn serde_round_trip_and_rejection() {
        let code: Uscc = "91110000600037341L".parse().unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"91110000600037341L\"");
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), code);
        assert!(serde_json::from_str::<Uscc>("\"91110000600037341X\"").is_err());
    }

    #[test]
    fn errors_and_warnings_serialise_as_code_and_message() {
        let json = serde_json::to_value(CodeError::Empty).unwrap();
        assert_eq!(json["code"], "empty");
        assert_eq!(json["message"], "输入为空");
        let json = serde_json::to_value(Warning::LowercaseConverted).unwrap();
        assert_eq!(json["code"], "lowercase_converted");
    }

    #[test]
    fn check_char_helpers() {
        assert_eq!(uscc_check_char("91110000600037341"), Some('L'));
        assert_eq!(uscc_check_char("911101005JLR20JR6"), Some('0'));
        assert_eq!(uscc_check_char("9111000060003734"), None);
        assert_eq!(uscc_check_char("9111000060003734I"), None);
        assert_eq!(org_code_check_char("57098120"), Some('X'));
        assert_eq!(org_code_check_char("M000100Y"), Some('4'));
        assert_eq!(org_code_check_char("5709812"), None);
        assert_eq!(org_code_check_char("5709812a"), None);
    }

    fn uscc_char() -> impl Strategy<Value = char> {
        proptest::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>())
    }

    fn first17() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(uscc_char(), 2),
            proptest::collection::vec(proptest::char::range('0', '9'), 6),
            proptest::collection::vec(uscc_char(), 9),
        )
            .prop_map(|(a, b, c)| a.into_iter().chain(b).chain(c).collect())
    }

    proptest! {
        #[test]
        fn generated_codes_are_valid(body in first17()) {
            let check = uscc_check_char(&body).unwrap();
            let code = format!("{body}{check}");
            prop_assert!(parse_uscc(&code).is_valid());
            prop_assert!(parse_uscc(&code.to_lowercase()).is_valid());
        }

        #[test]
        fn every_single_substitution_is_caught(
            body in first17(),
            position in 0usize..18,
            replacement in uscc_char(),
        ) {
            let code: Vec<char> = format!("{body}{}", uscc_check_char(&body).unwrap()).chars().collect();
            prop_assume!(code[position] != replacement);
            let mut changed = code.clone();
            changed[position] = replacement;
            let changed: String = changed.into_iter().collect();
            prop_assert!(!parse_uscc(&changed).is_valid(), "{}", changed);
        }

        #[test]
        fn every_adjacent_transposition_is_caught(body in first17(), position in 0usize..17) {
            let code: Vec<char> = format!("{body}{}", uscc_check_char(&body).unwrap()).chars().collect();
            prop_assume!(code[position] != code[position + 1]);
            let mut changed = code.clone();
            changed.swap(position, position + 1);
            let changed: String = changed.into_iter().collect();
            prop_assert!(!parse_uscc(&changed).is_valid(), "{}", changed);
        }

        #[test]
        fn parser_never_panics(input in "\\PC{0,30}") {
            let check = parse_uscc(&input);
            prop_assert_eq!(check.input, input);
        }
    }
}
