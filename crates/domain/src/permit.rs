//! Operating permits (证照分离, 国发〔2021〕7号): the four reform modes of a permit item, the
//! status of a permit with the one rule that turns a valid permit into an expired one, the
//! default validity, which expiry warnings are due, and the public status wording of a
//! business licence and of a permit (what the QR code's page says).
//!
//! "Today" is always the caller's (the store clock's Beijing date), never the wall clock.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a permit item is handled under 证照分离 (rules-cn.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReformMode {
    /// 直接取消审批: no permit any more.
    Abolished,
    /// 审批改为备案: a filing replaces the approval.
    Filing,
    /// 实行告知承诺: granted on the applicant's written commitment.
    Commitment,
    /// 优化审批服务: still approved, with streamlined service.
    Approval,
}

impl ReformMode {
    pub const ALL: [ReformMode; 4] = [
        ReformMode::Abolished,
        ReformMode::Filing,
        ReformMode::Commitment,
        ReformMode::Approval,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ReformMode::Abolished => "abolished",
            ReformMode::Filing => "filing",
            ReformMode::Commitment => "commitment",
            ReformMode::Approval => "approval",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ReformMode::Abolished => "直接取消审批",
            ReformMode::Filing => "审批改为备案",
            ReformMode::Commitment => "实行告知承诺",
            ReformMode::Approval => "优化审批服务",
        }
    }

    /// Parses an identifier.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == code)
    }

    /// Whether permits of this item can still be issued (an abolished item issues none).
    #[must_use]
    pub fn issues_permits(self) -> bool {
        self != ReformMode::Abolished
    }
}

/// The stored status of a permit. `Expired` is also *computed*: a `Valid` permit whose
/// validity ended before today is expired whether or not the daily job has marked it yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitStatus {
    /// 有效.
    Valid,
    /// 已过期: the validity ended and it was not renewed.
    Expired,
    /// 已吊销: withdrawn as a penalty.
    Revoked,
    /// 已注销: cancelled (given up, the entity ceased, or withdrawn under 行政许可法 Art.70).
    Cancelled,
}

impl PermitStatus {
    pub const ALL: [PermitStatus; 4] = [
        PermitStatus::Valid,
        PermitStatus::Expired,
        PermitStatus::Revoked,
        PermitStatus::Cancelled,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PermitStatus::Valid => "valid",
            PermitStatus::Expired => "expired",
            PermitStatus::Revoked => "revoked",
            PermitStatus::Cancelled => "cancelled",
        }
    }

    /// The Chinese label, also the large text of the public page.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            PermitStatus::Valid => "有效",
            PermitStatus::Expired => "已过期",
            PermitStatus::Revoked => "已吊销",
            PermitStatus::Cancelled => "已注销",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// Revoked and cancelled permits stay so; a new permit is issued instead.
    #[must_use]
    pub fn is_terminal(self) -> bool {
        matches!(self, PermitStatus::Revoked | PermitStatus::Cancelled)
    }
}

/// The status of a permit on `today`: a valid permit past its last valid day is expired.
/// `valid_until` is the last day of validity (inclusive); `None` means no expiry.
#[must_use]
pub fn effective_status(
    stored: PermitStatus,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> PermitStatus {
    match (stored, valid_until) {
        (PermitStatus::Valid, Some(until)) if until < today => PermitStatus::Expired,
        (s, _) => s,
    }
}

/// The last valid day of a permit issued on `issued_on` for `years` years: the day before
/// the same date `years` later (29 February falls back to 28 February).
#[must_use]
pub fn default_valid_until(issued_on: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = issued_on.year().checked_add(i32::try_from(years).ok()?)?;
    let same_day = NaiveDate::from_ymd_opt(year, issued_on.month(), issued_on.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, issued_on.month(), 28))?;
    same_day.pred_opt()
}

/// Why an action on a permit is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermitRuleError {
    /// Revoked or cancelled: nothing more can happen to it.
    Terminal(PermitStatus),
    /// The last valid day lies before the issue day.
    ValidityBeforeIssue,
    /// The item is abolished (直接取消审批) and issues no permits.
    ItemAbolished,
}

impl PermitRuleError {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            PermitRuleError::Terminal(_) => "permit_terminal",
            PermitRuleError::ValidityBeforeIssue => "validity_before_issue",
            PermitRuleError::ItemAbolished => "permit_item_abolished",
        }
    }

    #[must_use]
    pub fn message(self) -> String {
        match self {
            PermitRuleError::Terminal(s) => {
                format!(
                    "该许可证件{}，不能再变更；如需继续经营请重新申请",
                    s.label()
                )
            }
            PermitRuleError::ValidityBeforeIssue => "有效期截止日不能早于发证日期".to_owned(),
            PermitRuleError::ItemAbolished => {
                "该许可事项已直接取消审批，不再发放许可证件".to_owned()
            }
        }
    }
}

/// Checks that renewing, revoking or cancelling a permit with stored status `stored` is
/// allowed (not from a terminal status).
pub fn check_change(stored: PermitStatus) -> Result<(), PermitRuleError> {
    if stored.is_terminal() {
        Err(PermitRuleError::Terminal(stored))
    } else {
        Ok(())
    }
}

/// Checks the validity of a permit being issued or renewed.
pub fn check_validity(
    issued_on: NaiveDate,
    valid_until: Option<NaiveDate>,
) -> Result<(), PermitRuleError> {
    match valid_until {
        Some(until) if until < issued_on => Err(PermitRuleError::ValidityBeforeIssue),
        _ => Ok(()),
    }
}

/// The warning thresholds (days before the last valid day) that are due on `today` for a
/// permit valid until `valid_until`: every threshold `t` with `valid_until - t <= today
/// <= valid_until`. The caller records each once, so a missed day catches up.
#[must_use]
pub fn due_warnings(valid_until: NaiveDate, today: NaiveDate, thresholds: &[u32]) -> Vec<u32> {
    if today > valid_until {
        return Vec::new();
    }
    let left = (valid_until - today).num_days();
    let mut due: Vec<u32> = thresholds
        .iter()
        .copied()
        .filter(|t| i64::from(*t) >= left)
        .collect();
    due.sort_unstable();
    due.dedup();
    due
}

/// What the public page says about a business licence, from the entity's registration
/// status code (`shijian_domain::entity::EntityStatus` codes). Returns the large status
/// text and whether the licence is in force.
#[must_use]
pub fn licence_public_status(entity_status: &str) -> (&'static str, bool) {
    match entity_status {
        "active" => ("有效", true),
        "dormant" => ("有效（歇业中）", true),
        "revoked" => ("已吊销", false),
        "deregistered" => ("已注销", false),
        "cancelled" => ("已撤销", false),
        "moved_out" => ("已迁出本辖区", false),
        _ => ("状态未知", false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_valid_permit_expires_the_day_after_its_last_valid_day() {
        let until = Some(d("2026-06-30"));
        assert_eq!(
            effective_status(PermitStatus::Valid, until, d("2026-06-30")),
            PermitStatus::Valid
        );
        assert_eq!(
            effective_status(PermitStatus::Valid, until, d("2026-07-01")),
            PermitStatus::Expired
        );
        assert_eq!(
            effective_status(PermitStatus::Valid, None, d("2099-01-01")),
            PermitStatus::Valid
        );
        assert_eq!(
            effective_status(PermitStatus::Revoked, until, d("2027-01-01")),
            PermitStatus::Revoked
        );
    }

    #[test]
    fn default_validity_is_the_day_before_the_anniversary() {
        assert_eq!(
            default_valid_until(d("2026-06-15"), 5),
            Some(d("2031-06-14"))
        );
        assert_eq!(
            default_valid_until(d("2024-02-29"), 1),
            Some(d("2025-02-27"))
        );
        assert_eq!(
            default_valid_until(d("2026-01-01"), 3),
            Some(d("2028-12-31"))
        );
    }

    #[test]
    fn warnings_are_due_from_their_threshold_on_and_catch_up() {
        let until = d("2026-12-31");
        let t = [90, 30];
        assert!(due_warnings(until, d("2026-10-01"), &t).is_empty());
        assert_eq!(due_warnings(until, d("2026-10-02"), &t), vec![90]);
        assert_eq!(due_warnings(until, d("2026-12-01"), &t), vec![30, 90]);
        assert_eq!(due_warnings(until, d("2026-12-31"), &t), vec![30, 90]);
        assert!(due_warnings(until, d("2027-01-01"), &t).is_empty());
    }

    #[test]
    fn terminal_permits_do_not_change() {
        assert!(check_change(PermitStatus::Valid).is_ok());
        assert!(check_change(PermitStatus::Expired).is_ok());
        assert_eq!(
            check_change(PermitStatus::Revoked).unwrap_err().code(),
            "permit_terminal"
        );
        assert!(check_validity(d("2026-01-02"), Some(d("2026-01-01"))).is_err());
        assert!(check_validity(d("2026-01-02"), None).is_ok());
    }

    #[test]
    fn codes_round_trip_and_licence_words() {
        for m in ReformMode::ALL {
            assert_eq!(ReformMode::from_code(m.as_str()), Some(m));
        }
        for s in PermitStatus::ALL {
            assert_eq!(PermitStatus::from_code(s.as_str()), Some(s));
        }
        assert!(!ReformMode::Abolished.issues_permits());
        assert_eq!(licence_public_status("revoked"), ("已吊销", false));
        assert_eq!(licence_public_status("active").0, "有效");
    }
}
