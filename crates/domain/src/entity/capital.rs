//! The capital contribution deadline of companies: 公司法 (2023) Art.47 and Art.98, and
//! the transition of 国务院关于实施《公司法》注册资本登记管理制度的规定 (国务院令第784号,
//! "注册资本规定") Art.2.
//!
//! - A limited liability company established on or after 2024-07-01: the subscribed
//!   capital is paid in full within 5 years from establishment (Art.47).
//! - A joint stock company established on or after 2024-07-01: the promoters pay for
//!   their shares in full before establishment (Art.98), so no later deadline is allowed.
//! - A limited liability company established before 2024-07-01 whose remaining period
//!   runs more than 5 years from 2027-07-01 must, by 2027-06-30, shorten it to within 5
//!   years; so a deadline of 2032-06-30 or earlier complies (注册资本规定 Art.2).
//! - A joint stock company established before 2024-07-01: the promoters pay in full by
//!   2027-06-30 (注册资本规定 Art.2).
//!
//! Decisions where the texts are silent, all in [`CapitalRule`] so they can be changed:
//! - "5 years from establishment" ends on the same date 5 years later (民法典 Art.201–202:
//!   the day of establishment is not counted; a 29 February start ends on 28 February):
//!   a company established 2024-07-01 may set 2029-07-01. The transition date 2032-06-30
//!   is the one SAMR publishes for "5 years from 2027-07-01" and is kept as a date.
//! - The check looks only at the recorded deadline, not at whether the money was paid:
//!   comparing paid-in with subscribed capital after the deadline is the caller's
//!   business.
//! - Not modelled: stricter laws for particular industries (Art.47 para.2, e.g. banks,
//!   insurers: paid-in capital), and the exemption SAMR may grant under 注册资本规定
//!   Art.2 para.2 (national or major public interest); the caller records such an
//!   exemption and skips the flag.

use std::fmt;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::kind::EnterpriseType;
use super::text::serialize_code_message;

/// The dates and periods of the contribution rules, as data. [`Default`] is the law in
/// force (see the module docs for the sources and the choices made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapitalRule {
    /// The 2023 Company Law applies to companies established on or after this date
    /// (2024-07-01); earlier ones follow the transition.
    pub new_law_effective_on: NaiveDate,
    /// Years within which a new limited company's capital is paid (Art.47: 5).
    pub llc_max_years: u32,
    /// Existing companies must comply by this date (2027-06-30).
    pub legacy_adjust_by: NaiveDate,
    /// Latest contribution deadline of an existing limited company after adjustment
    /// (2032-06-30: 5 years from 2027-07-01).
    pub legacy_llc_latest_deadline: NaiveDate,
    /// Existing joint stock companies are fully paid by this date (2027-06-30).
    pub legacy_joint_stock_paid_by: NaiveDate,
}

impl Default for CapitalRule {
    fn default() -> Self {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        Self {
            new_law_effective_on: date(2024, 7, 1),
            llc_max_years: 5,
            legacy_adjust_by: date(2027, 6, 30),
            legacy_llc_latest_deadline: date(2032, 6, 30),
            legacy_joint_stock_paid_by: date(2027, 6, 30),
        }
    }
}

/// The verdict on a company's contribution deadline. [`CapitalFlag::code`] is stable;
/// [`CapitalFlag::message`] (also `Display`) explains it in Chinese. Serialises as
/// `{code, message}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapitalFlag {
    /// `not_applicable`: not a company (partnerships, sole proprietorships, non-company
    /// legal persons, individual businesses, cooperatives) or a branch.
    NotApplicable,
    /// `unknown`: a company whose contribution deadline is not recorded.
    Unknown,
    /// `compliant`: the deadline is within the limit.
    Compliant {
        /// The latest deadline the rules allow.
        latest_allowed: NaiveDate,
    },
    /// `must_adjust`: an existing company whose deadline is too late, before the
    /// adjustment date.
    MustAdjustBy {
        /// Adjust by this date (2027-06-30).
        adjust_by: NaiveDate,
        /// The latest deadline after adjustment.
        latest_allowed: NaiveDate,
    },
    /// `overdue`: as `must_adjust`, but the adjustment date has passed.
    Overdue {
        /// The adjustment date that passed.
        adjust_by: NaiveDate,
        /// The latest deadline after adjustment.
        latest_allowed: NaiveDate,
    },
    /// `exceeds_limit`: a company established under the 2023 law with a deadline beyond
    /// its limit (5 years for a limited company, establishment for a joint stock one).
    ExceedsLimit {
        /// The latest deadline the law allows.
        latest_allowed: NaiveDate,
    },
}

impl CapitalFlag {
    /// Stable code: `not_applicable`, `unknown`, `compliant`, `must_adjust`, `overdue`,
    /// `exceeds_limit`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotApplicable => "not_applicable",
            Self::Unknown => "unknown",
            Self::Compliant { .. } => "compliant",
            Self::MustAdjustBy { .. } => "must_adjust",
            Self::Overdue { .. } => "overdue",
            Self::ExceedsLimit { .. } => "exceeds_limit",
        }
    }

    /// Whether an officer should act: `unknown`, `must_adjust`, `overdue`,
    /// `exceeds_limit`.
    #[must_use]
    pub const fn needs_attention(&self) -> bool {
        !matches!(self, Self::NotApplicable | Self::Compliant { .. })
    }

    /// The Chinese explanation.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::NotApplicable => {
                "该类型不适用公司认缴出资期限规定（非公司或分支机构）".to_owned()
            }
            Self::Unknown => "未登记认缴出资期限，无法判断是否符合公司法第四十七条的规定；\
                 请补录出资期限"
                .to_owned(),
            Self::Compliant { latest_allowed } => {
                format!("认缴出资期限符合规定（最晚不超过{latest_allowed}）")
            }
            Self::MustAdjustBy {
                adjust_by,
                latest_allowed,
            } => format!(
                "2024年6月30日前设立的公司，认缴出资期限超过过渡期限：应当在{adjust_by}前调整，\
                 使出资在{latest_allowed}前缴足，并记载于公司章程\
                 （国务院关于实施《公司法》注册资本登记管理制度的规定第二条）"
            ),
            Self::Overdue {
                adjust_by,
                latest_allowed,
            } => format!(
                "2024年6月30日前设立的公司，未在{adjust_by}前将出资期限调整至{latest_allowed}以前\
                 （国务院关于实施《公司法》注册资本登记管理制度的规定第二条）；请依法责令其调整"
            ),
            Self::ExceedsLimit { latest_allowed } => format!(
                "认缴出资期限超过法定上限，最晚应为{latest_allowed}：有限责任公司自成立之日起五年内缴足\
                 （公司法第四十七条），股份有限公司发起人在公司成立前全额缴纳股款（公司法第九十八条）"
            ),
        }
    }
}

impl fmt::Display for CapitalFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl Serialize for CapitalFlag {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_code_message(serializer, "CapitalFlag", self.code(), &self.message())
    }
}

impl CapitalRule {
    /// The latest contribution deadline allowed for a company of type `t` established
    /// on `established_on`, `None` when the rules do not apply to the type.
    #[must_use]
    pub fn latest_allowed(
        &self,
        t: EnterpriseType,
        established_on: NaiveDate,
    ) -> Option<NaiveDate> {
        let legacy = established_on < self.new_law_effective_on;
        if t.is_limited_company() {
            Some(if legacy {
                self.legacy_llc_latest_deadline
            } else {
                established_on
                    .checked_add_months(Months::new(self.llc_max_years.saturating_mul(12)))
                    .unwrap_or(NaiveDate::MAX)
            })
        } else if t.is_joint_stock() {
            Some(if legacy {
                self.legacy_joint_stock_paid_by
            } else {
                established_on
            })
        } else {
            None
        }
    }

    /// Checks the contribution deadline of a company (see the module docs).
    #[must_use]
    pub fn check(
        &self,
        t: EnterpriseType,
        established_on: NaiveDate,
        contribution_deadline: Option<NaiveDate>,
        today: NaiveDate,
    ) -> CapitalFlag {
        let Some(latest_allowed) = self.latest_allowed(t, established_on) else {
            return CapitalFlag::NotApplicable;
        };
        let legacy = established_on < self.new_law_effective_on;
        let Some(deadline) = contribution_deadline else {
            // A joint stock company under the 2023 law has no subscription period:
            // its shares are paid before establishment, so nothing is missing.
            return if t.is_joint_stock() && !legacy {
                CapitalFlag::Compliant { latest_allowed }
            } else {
                CapitalFlag::Unknown
            };
        };
        if deadline <= latest_allowed {
            CapitalFlag::Compliant { latest_allowed }
        } else if !legacy {
            CapitalFlag::ExceedsLimit { latest_allowed }
        } else if today <= self.legacy_adjust_by {
            CapitalFlag::MustAdjustBy {
                adjust_by: self.legacy_adjust_by,
                latest_allowed,
            }
        } else {
            CapitalFlag::Overdue {
                adjust_by: self.legacy_adjust_by,
                latest_allowed,
            }
        }
    }
}

/// [`CapitalRule::check`] with the rules in force ([`CapitalRule::default`]).
#[must_use]
pub fn contribution_deadline_check(
    t: EnterpriseType,
    established_on: NaiveDate,
    contribution_deadline: Option<NaiveDate>,
    today: NaiveDate,
) -> CapitalFlag {
    CapitalRule::default().check(t, established_on, contribution_deadline, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnterpriseType as T;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn check(t: T, established: &str, deadline: Option<&str>, today: &str) -> CapitalFlag {
        contribution_deadline_check(t, d(established), deadline.map(d), d(today))
    }

    #[test]
    fn default_rule_dates() {
        let rule = CapitalRule::default();
        assert_eq!(rule.new_law_effective_on, d("2024-07-01"));
        assert_eq!(rule.legacy_adjust_by, d("2027-06-30"));
        assert_eq!(rule.legacy_llc_latest_deadline, d("2032-06-30"));
        assert_eq!(rule.legacy_joint_stock_paid_by, d("2027-06-30"));
        assert_eq!(rule.llc_max_years, 5);
    }

    #[test]
    fn legacy_llc_2032_06_30_versus_2032_07_01() {
        let t = T::LlcNaturalPersonInvested;
        assert_eq!(
            check(t, "2015-03-01", Some("2032-06-30"), "2026-01-01"),
            CapitalFlag::Compliant {
                latest_allowed: d("2032-06-30")
            }
        );
        assert_eq!(
            check(t, "2015-03-01", Some("2032-07-01"), "2026-01-01"),
            CapitalFlag::MustAdjustBy {
                adjust_by: d("2027-06-30"),
                latest_allowed: d("2032-06-30")
            }
        );
        // The last day to adjust, and the day after.
        assert_eq!(
            check(t, "2015-03-01", Some("2064-12-31"), "2027-06-30").code(),
            "must_adjust"
        );
        assert_eq!(
            check(t, "2015-03-01", Some("2064-12-31"), "2027-07-01"),
            CapitalFlag::Overdue {
                adjust_by: d("2027-06-30"),
                latest_allowed: d("2032-06-30")
            }
        );
        assert_eq!(
            check(t, "2015-03-01", Some("2030-01-01"), "2028-01-01").code(),
            "compliant"
        );
        assert_eq!(
            check(t, "2015-03-01", None, "2026-01-01"),
            CapitalFlag::Unknown
        );
    }

    #[test]
    fn establishment_2024_06_30_versus_2024_07_01() {
        let t = T::LlcNaturalPersonSole;
        // Established the day before the new law: the transition applies, 2032-06-30.
        assert_eq!(
            check(t, "2024-06-30", Some("2032-06-30"), "2025-01-01").code(),
            "compliant"
        );
        // Established on the first day of the new law: 5 years, to 2029-07-01.
        assert_eq!(
            check(t, "2024-07-01", Some("2032-06-30"), "2025-01-01"),
            CapitalFlag::ExceedsLimit {
                latest_allowed: d("2029-07-01")
            }
        );
        assert_eq!(
            check(t, "2024-07-01", Some("2029-07-01"), "2025-01-01"),
            CapitalFlag::Compliant {
                latest_allowed: d("2029-07-01")
            }
        );
        assert_eq!(
            check(t, "2024-07-01", Some("2029-07-02"), "2025-01-01").code(),
            "exceeds_limit"
        );
        // A new company's excess is never "must adjust by 2027": it was wrong at once.
        assert_eq!(
            check(t, "2025-01-10", Some("2040-01-01"), "2025-02-01").code(),
            "exceeds_limit"
        );
        assert_eq!(
            check(t, "2025-01-10", None, "2025-02-01"),
            CapitalFlag::Unknown
        );
    }

    #[test]
    fn five_years_from_a_leap_day() {
        let rule = CapitalRule::default();
        assert_eq!(
            rule.latest_allowed(T::LlcOther, d("2028-02-29")),
            Some(d("2033-02-28"))
        );
    }

    #[test]
    fn joint_stock_companies() {
        let t = T::JointStockUnlisted;
        assert_eq!(
            check(t, "2010-05-01", Some("2027-06-30"), "2026-01-01"),
            CapitalFlag::Compliant {
                latest_allowed: d("2027-06-30")
            }
        );
        assert_eq!(
            check(t, "2010-05-01", Some("2027-07-01"), "2026-01-01"),
            CapitalFlag::MustAdjustBy {
                adjust_by: d("2027-06-30"),
                latest_allowed: d("2027-06-30")
            }
        );
        assert_eq!(
            check(t, "2010-05-01", Some("2030-01-01"), "2027-07-01").code(),
            "overdue"
        );
        assert_eq!(check(t, "2010-05-01", None, "2026-01-01").code(), "unknown");
        // Under the 2023 law: paid before establishment.
        assert_eq!(
            check(t, "2024-07-01", None, "2025-01-01"),
            CapitalFlag::Compliant {
                latest_allowed: d("2024-07-01")
            }
        );
        assert_eq!(
            check(t, "2024-07-01", Some("2024-07-01"), "2025-01-01").code(),
            "compliant"
        );
        assert_eq!(
            check(t, "2024-07-01", Some("2024-07-02"), "2025-01-01"),
            CapitalFlag::ExceedsLimit {
                latest_allowed: d("2024-07-01")
            }
        );
    }

    #[test]
    fn not_applicable_types() {
        for t in [
            T::LlcBranch,
            T::JointStockBranch,
            T::LimitedPartnership,
            T::SoleProprietorship,
            T::StateOwnedEnterprise,
            T::IndividualBusiness,
            T::Cooperative,
            T::ForeignCompanyBranch,
        ] {
            let flag = check(t, "2015-03-01", Some("2064-12-31"), "2028-01-01");
            assert_eq!(flag, CapitalFlag::NotApplicable, "{t:?}");
            assert!(!flag.needs_attention());
        }
        for &t in EnterpriseType::ALL {
            let applies = check(t, "2015-03-01", None, "2026-01-01") != CapitalFlag::NotApplicable;
            assert_eq!(applies, t.is_company(), "{t:?}");
        }
    }

    #[test]
    fn flags_have_codes_and_messages() {
        let flag = check(
            T::LlcForeignInvested,
            "2015-03-01",
            Some("2045-01-01"),
            "2026-01-01",
        );
        assert!(flag.needs_attention());
        let message = flag.message();
        assert!(message.contains("2027-06-30"), "{message}");
        assert!(message.contains("2032-06-30"), "{message}");
        let json = serde_json::to_value(flag).unwrap();
        assert_eq!(json["code"], "must_adjust");
        assert_eq!(json["message"], message);
        assert!(CapitalFlag::Unknown.needs_attention());
        assert!(CapitalFlag::Unknown.to_string().contains("补录"));
    }
}
