//! Registration status (登记状态) of a market entity.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::normalize_label;
use super::value::ValueError;

/// Registration status of a market entity. Codes and labels come from [`STATUS_TABLE`].
///
/// Inferred from 条例 and 细则 and from GSXT usage (rules-cn.md §3); the exact national
/// code list is UNCONFIRMED, which is why the labels and accepted spellings are data in
/// one table rather than scattered through the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum EntityStatus {
    /// 存续 (在营、开业、在册): registered and operating.
    Active,
    /// 歇业: dormancy filed under 条例 Art.30; still registered, must still file annual
    /// reports (细则 Art.63).
    Dormant,
    /// 吊销 (未注销): licence revoked; the entity still exists until deregistered.
    Revoked,
    /// 注销: deregistered; the entity has ceased (细则 Art.44). Terminal.
    Deregistered,
    /// 撤销: registration cancelled as fraudulent (条例 Art.40). Terminal.
    Cancelled,
    /// 迁出: moved to another registration authority's jurisdiction.
    MovedOut,
}

/// One row of [`STATUS_TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRow {
    /// The status.
    pub status: EntityStatus,
    /// Stable snake_case code.
    pub code: &'static str,
    /// Chinese label shown in the UI.
    pub label: &'static str,
    /// Other spellings accepted by [`EntityStatus::parse`], in normalised form
    /// (half-width brackets, `,` as the only separator, no spaces).
    pub forms: &'static [&'static str],
}

/// The status code list, as data: codes, labels and the long forms found in exports
/// (GSXT's 存续（在营、开业、在册）, third-party data's 在业, 吊销，未注销 …). One row per
/// [`EntityStatus`], in declaration order.
///
/// The national code list is UNCONFIRMED (rules-cn.md §3): if the official list turns
/// out to differ, this table is the one place to change. `吊销，已注销` is a deregistered
/// entity (deregistered after revocation), not a revoked one.
pub const STATUS_TABLE: [StatusRow; 6] = [
    StatusRow {
        status: EntityStatus::Active,
        code: "active",
        label: "存续",
        forms: &[
            "存续",
            "在业",
            "开业",
            "在营",
            "在营(开业)",
            "在营(开业)企业",
            "存续(在营,开业,在册)",
            "存续(在营,开业)",
            "在册",
            "正常",
        ],
    },
    StatusRow {
        status: EntityStatus::Dormant,
        code: "dormant",
        label: "歇业",
        forms: &["歇业", "已歇业"],
    },
    StatusRow {
        status: EntityStatus::Revoked,
        code: "revoked",
        label: "吊销",
        forms: &[
            "吊销",
            "已吊销",
            "吊销,未注销",
            "吊销未注销",
            "吊销(未注销)",
            "吊销营业执照",
        ],
    },
    StatusRow {
        status: EntityStatus::Deregistered,
        code: "deregistered",
        label: "注销",
        forms: &[
            "注销",
            "已注销",
            "注销企业",
            "吊销,已注销",
            "吊销已注销",
            "吊销(已注销)",
        ],
    },
    StatusRow {
        status: EntityStatus::Cancelled,
        code: "cancelled",
        label: "撤销",
        forms: &["撤销", "已撤销", "撤销登记"],
    },
    StatusRow {
        status: EntityStatus::MovedOut,
        code: "moved_out",
        label: "迁出",
        forms: &["迁出", "已迁出"],
    },
];

impl EntityStatus {
    /// Every status, in declaration order.
    pub const ALL: [Self; 6] = [
        Self::Active,
        Self::Dormant,
        Self::Revoked,
        Self::Deregistered,
        Self::Cancelled,
        Self::MovedOut,
    ];

    const fn row(self) -> &'static StatusRow {
        &STATUS_TABLE[self as usize]
    }

    /// Stable code: `active`, `dormant`, `revoked`, `deregistered`, `cancelled`,
    /// `moved_out`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        self.row().code
    }

    /// Chinese label: 存续, 歇业, 吊销, 注销, 撤销, 迁出.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        self.row().label
    }

    /// 实有 (counted as an existing entity in statistics): active or dormant.
    #[must_use]
    pub const fn is_existing(self) -> bool {
        matches!(self, Self::Active | Self::Dormant)
    }

    /// Whether the entity has ceased for good (注销, 撤销): no action applies any more.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Deregistered | Self::Cancelled)
    }

    /// The status for a code ([`EntityStatus::as_str`]) only.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        STATUS_TABLE
            .iter()
            .find(|row| row.code == code)
            .map(|row| row.status)
    }

    /// Parses a code or any spelling in [`STATUS_TABLE`], after normalisation (spaces
    /// removed, full-width brackets and punctuation converted, `、` `，` `；` unified):
    /// `存续（在营、开业、在册）`, `在营(开业)`, `吊销，未注销`, `吊销,已注销` (→
    /// [`EntityStatus::Deregistered`]), `已迁出` …
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let key = normalize_label(text);
        if key.is_empty() {
            return Err(ValueError::Empty);
        }
        STATUS_TABLE
            .iter()
            .find(|row| row.code == key || row.forms.contains(&key.as_str()))
            .map(|row| row.status)
            .ok_or_else(|| ValueError::UnknownStatus {
                text: text.trim().to_owned(),
            })
    }
}

impl fmt::Display for EntityStatus {
    /// The Chinese label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl FromStr for EntityStatus {
    type Err = ValueError;

    /// Same as [`EntityStatus::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EntityStatus {
    type Error = ValueError;

    /// Strict: the code only (used by serde).
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_code(&value).ok_or(ValueError::UnknownStatus { text: value })
    }
}

impl From<EntityStatus> for &'static str {
    fn from(value: EntityStatus) -> Self {
        value.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityStatus as S;

    #[test]
    fn table_is_aligned_with_the_enum() {
        for (index, status) in S::ALL.into_iter().enumerate() {
            assert_eq!(STATUS_TABLE[index].status, status);
            assert_eq!(STATUS_TABLE[index].forms[0], status.label_zh());
        }
        assert_eq!(
            S::ALL.map(S::as_str),
            [
                "active",
                "dormant",
                "revoked",
                "deregistered",
                "cancelled",
                "moved_out"
            ]
        );
        assert_eq!(
            S::ALL.map(S::label_zh),
            ["存续", "歇业", "吊销", "注销", "撤销", "迁出"]
        );
    }

    #[test]
    fn forms_are_normalised_and_unambiguous() {
        let mut seen = Vec::new();
        for row in &STATUS_TABLE {
            for form in row.forms {
                assert_eq!(normalize_label(form), *form, "{form}");
                assert!(!seen.contains(form), "duplicate {form}");
                seen.push(*form);
            }
        }
    }

    #[test]
    fn parses_codes_labels_and_long_forms() {
        let cases: &[(&str, S)] = &[
            ("存续", S::Active),
            ("在业", S::Active),
            ("开业", S::Active),
            ("在营", S::Active),
            ("在营（开业）", S::Active),
            ("在营(开业)企业", S::Active),
            ("存续（在营、开业、在册）", S::Active),
            ("存续(在营,开业,在册)", S::Active),
            ("存续 ( 在营、开业、在册 )", S::Active),
            ("正常", S::Active),
            ("active", S::Active),
            ("ACTIVE", S::Active),
            ("歇业", S::Dormant),
            ("吊销", S::Revoked),
            ("吊销，未注销", S::Revoked),
            ("吊销,未注销", S::Revoked),
            ("吊销未注销", S::Revoked),
            ("吊销，已注销", S::Deregistered),
            ("吊销,已注销", S::Deregistered),
            ("注销", S::Deregistered),
            ("已注销", S::Deregistered),
            ("撤销", S::Cancelled),
            ("迁出", S::MovedOut),
            ("已迁出", S::MovedOut),
            ("moved_out", S::MovedOut),
        ];
        for (text, expected) in cases {
            assert_eq!(S::parse(text), Ok(*expected), "{text}");
            assert_eq!(text.parse::<S>(), Ok(*expected), "{text}");
        }
        assert_eq!(S::parse("").unwrap_err().code(), "empty");
        for text in ["停业", "存续中了", "注销？", "吊销、注销"] {
            assert_eq!(
                S::parse(text).unwrap_err().code(),
                "unknown_status",
                "{text}"
            );
        }
    }

    #[test]
    fn existing_and_terminal() {
        let existing: Vec<S> = S::ALL.into_iter().filter(|s| s.is_existing()).collect();
        assert_eq!(existing, [S::Active, S::Dormant]);
        let terminal: Vec<S> = S::ALL.into_iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal, [S::Deregistered, S::Cancelled]);
    }

    #[test]
    fn serde_uses_the_code() {
        assert_eq!(
            serde_json::to_string(&S::MovedOut).unwrap(),
            "\"moved_out\""
        );
        assert_eq!(
            serde_json::from_str::<S>("\"dormant\"").unwrap(),
            S::Dormant
        );
        assert!(serde_json::from_str::<S>("\"歇业\"").is_err());
        assert_eq!(S::Revoked.to_string(), "吊销");
    }
}
