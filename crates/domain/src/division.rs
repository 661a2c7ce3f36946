//! Administrative division codes (GB/T 2260 county level, NBS 9-digit township level) and the
//! prefix rule by which a jurisdiction covers a supervised object.
//!
//! A jurisdiction (辖区) is a named set of division codes kept as data (see the storage
//! migrations). This module owns the one rule that says whether a division code lies inside
//! another: [`DivisionCode::scope_prefix`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// A division code: 6 digits (province, prefecture or county, GB/T 2260) or 9 digits
/// (township, NBS statistical code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

/// Why a string is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    #[error("行政区划代码应为 6 位或 9 位数字")]
    BadFormat,
}

impl DivisionCode {
    /// Parses a 6- or 9-digit code.
    pub fn parse(s: &str) -> Result<Self, DivisionCodeError> {
        let s = s.trim();
        if (s.len() == 6 || s.len() == 9) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(DivisionCodeError::BadFormat)
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level this code names.
    #[must_use]
    pub fn level(&self) -> DivisionLevel {
        let s = self.0.as_str();
        if s.len() == 9 {
            DivisionLevel::Township
        } else if s.ends_with("0000") {
            DivisionLevel::Province
        } else if s.ends_with("00") {
            DivisionLevel::Prefecture
        } else {
            DivisionLevel::County
        }
    }

    /// The prefix that every code inside this division starts with: `42` for a province,
    /// `4208` for a prefecture, the 6 digits for a county, the 9 digits for a township.
    #[must_use]
    pub fn scope_prefix(&self) -> &str {
        match self.level() {
            DivisionLevel::Province => &self.0[..2],
            DivisionLevel::Prefecture => &self.0[..4],
            DivisionLevel::County | DivisionLevel::Township => &self.0,
        }
    }

    /// Whether `other` lies inside (or is) this division.
    #[must_use]
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(self.scope_prefix())
    }
}

/// The level of a division code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivisionLevel {
    Province,
    Prefecture,
    County,
    Township,
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> Self {
        c.0
    }
}

/// The code of the city-level jurisdiction, 荆门市.
pub const CITY_CODE: &str = "420800";

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> DivisionCode {
        DivisionCode::parse(s).unwrap()
    }

    #[test]
    fn prefixes_follow_levels() {
        assert_eq!(d("420000").scope_prefix(), "42");
        assert_eq!(d("420800").scope_prefix(), "4208");
        assert_eq!(d("420881").scope_prefix(), "420881");
        assert_eq!(d("420881100").scope_prefix(), "420881100");
    }

    #[test]
    fn containment() {
        assert!(d("420800").contains(&d("420881100")));
        assert!(d("420881").contains(&d("420881100")));
        assert!(!d("420881").contains(&d("420802101")));
        assert!(!d("420802102").contains(&d("420802")));
        assert!(d("420802102").contains(&d("420802102")));
    }

    #[test]
    fn rejects_bad_formats() {
        for bad in ["", "42080", "4208000", "42080a", "4208811000"] {
            assert_eq!(
                DivisionCode::parse(bad),
                Err(DivisionCodeError::BadFormat),
                "{bad}"
            );
        }
    }
}
