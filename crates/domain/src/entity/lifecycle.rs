//! The lifecycle of a market entity as a state machine over [`EntityStatus`], and the
//! error type of every lifecycle check in this module.

use std::fmt;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::simplified::{Bar, Objection};
use super::status::EntityStatus;
use super::text::serialize_code_message;

/// A registration action on an entity (glossary: `establish`, `amend`, `deregister`,
/// `simplified_deregistration`, `revocation`, `dormancy`). Each accepted action is one
/// event in the entity's log.
///
/// Succession (个转企, merger, split) is not an action of its own: the entity that ends
/// is deregistered ([`Action::Deregister`], 细则 Art.46 para.3) and the new one
/// established; the link between them is recorded by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "&'static str")]
pub enum Action {
    /// 设立登记: a new entity (条例 Art.19). Only for an unregistered entity.
    Establish,
    /// 变更登记 or 备案 of changed items (条例 Art.24, 29): while active or dormant.
    Amend,
    /// 迁出: the domicile moves to another registration authority (细则 Art.35, 62).
    /// Only while active: a dormant entity first ends its dormancy.
    MoveOut,
    /// 迁入: the entity arrives from another jurisdiction, or moves back after
    /// [`EntityStatus::MovedOut`].
    MoveIn,
    /// 歇业备案 (条例 Art.30; 细则 Art.41): only while active.
    BeginDormancy,
    /// 延长歇业期限 (细则 Art.41 para.3): only while dormant.
    ExtendDormancy,
    /// 终止歇业: the entity resumes business and publishes it (细则 Art.42 para.1).
    EndDormancy,
    /// 视为自动恢复经营: the dormancy period (or the 3-year total) ran out (细则 Art.42
    /// para.3); done by the scheduled job.
    ResumeAutomatically,
    /// 简易注销公示: the commitment and application are published (细则 Art.49); the
    /// status does not change. Refused while a bar of 细则 Art.48 applies
    /// ([`super::check_start`]).
    StartSimplifiedDeregistration,
    /// 简易注销登记: registration of the simplified deregistration after the notice
    /// ([`super::check_application`]).
    ApplySimplifiedDeregistration,
    /// 注销登记 by the ordinary procedure (条例 Art.31–32; 细则 Art.44–46), including after
    /// revocation.
    Deregister,
    /// 强制注销 (公司法 Art.241): a revoked company that has not applied for 3 years.
    CompulsoryDeregister,
    /// 吊销营业执照 (revocation as an administrative penalty).
    Revoke,
    /// 撤销登记: cancellation of a fraudulent registration (条例 Art.40; 细则 Art.50–57).
    CancelRegistration,
}

impl Action {
    /// Every action.
    pub const ALL: [Self; 14] = [
        Self::Establish,
        Self::Amend,
        Self::MoveOut,
        Self::MoveIn,
        Self::BeginDormancy,
        Self::ExtendDormancy,
        Self::EndDormancy,
        Self::ResumeAutomatically,
        Self::StartSimplifiedDeregistration,
        Self::ApplySimplifiedDeregistration,
        Self::Deregister,
        Self::CompulsoryDeregister,
        Self::Revoke,
        Self::CancelRegistration,
    ];

    /// Stable snake_case code (used as the event type).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Establish => "establish",
            Self::Amend => "amend",
            Self::MoveOut => "move_out",
            Self::MoveIn => "move_in",
            Self::BeginDormancy => "begin_dormancy",
            Self::ExtendDormancy => "extend_dormancy",
            Self::EndDormancy => "end_dormancy",
            Self::ResumeAutomatically => "resume_automatically",
            Self::StartSimplifiedDeregistration => "start_simplified_deregistration",
            Self::ApplySimplifiedDeregistration => "apply_simplified_deregistration",
            Self::Deregister => "deregister",
            Self::CompulsoryDeregister => "compulsory_deregister",
            Self::Revoke => "revoke",
            Self::CancelRegistration => "cancel_registration",
        }
    }

    /// Chinese name of the action.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Establish => "设立登记",
            Self::Amend => "变更登记",
            Self::MoveOut => "迁出登记",
            Self::MoveIn => "迁入登记",
            Self::BeginDormancy => "歇业备案",
            Self::ExtendDormancy => "延长歇业期限",
            Self::EndDormancy => "终止歇业",
            Self::ResumeAutomatically => "歇业期满自动恢复经营",
            Self::StartSimplifiedDeregistration => "简易注销公示",
            Self::ApplySimplifiedDeregistration => "简易注销登记",
            Self::Deregister => "注销登记",
            Self::CompulsoryDeregister => "强制注销",
            Self::Revoke => "吊销营业执照",
            Self::CancelRegistration => "撤销登记",
        }
    }

    /// The action for a code ([`Action::as_str`]).
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == code)
    }
}

impl fmt::Display for Action {
    /// The Chinese name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl From<Action> for &'static str {
    fn from(value: Action) -> Self {
        value.as_str()
    }
}

/// The status after `action`, or why the action is not allowed from status `from`
/// (`None` = the entity is not registered in this jurisdiction).
///
/// | from | allowed actions → new status |
/// |---|---|
/// | none | establish, move in → active |
/// | active | amend, start simplified deregistration → active; move out → moved out; begin dormancy → dormant; apply simplified deregistration, deregister → deregistered; revoke → revoked; cancel registration → cancelled |
/// | dormant | amend, extend dormancy, start simplified deregistration → dormant; end dormancy, resume automatically → active; apply simplified deregistration, deregister → deregistered; revoke → revoked; cancel registration → cancelled |
/// | revoked | deregister, compulsory deregister → deregistered; cancel registration → cancelled |
/// | moved out | move in → active |
/// | deregistered, cancelled | nothing (terminal) |
///
/// Only the status is checked here. The conditions of the action itself are checked
/// by [`super::DormancyRule`], [`super::check_start`] and [`super::check_application`];
/// compulsory deregistration applies only to companies (公司法 Art.241), which the caller
/// checks with [`super::EnterpriseType::is_company`].
pub fn transition(
    from: Option<EntityStatus>,
    action: Action,
) -> Result<EntityStatus, LifecycleError> {
    use Action as A;
    use EntityStatus as S;
    let Some(status) = from else {
        return match action {
            A::Establish | A::MoveIn => Ok(S::Active),
            _ => Err(LifecycleError::NotRegistered { action }),
        };
    };
    match (status, action) {
        (S::Deregistered | S::Cancelled, _) => Err(LifecycleError::Terminal { status, action }),
        (S::MovedOut, A::MoveIn) => Ok(S::Active),
        (S::MovedOut, _) => Err(LifecycleError::MovedOut { action }),
        (S::Revoked, A::Deregister | A::CompulsoryDeregister) => Ok(S::Deregistered),
        (S::Revoked, A::CancelRegistration) => Ok(S::Cancelled),
        (S::Revoked, A::Establish | A::MoveIn) => {
            Err(LifecycleError::AlreadyRegistered { status, action })
        }
        (S::Revoked, _) => Err(LifecycleError::Revoked { action }),
        (S::Active | S::Dormant, A::Establish | A::MoveIn) => {
            Err(LifecycleError::AlreadyRegistered { status, action })
        }
        (S::Active | S::Dormant, A::CompulsoryDeregister) => {
            Err(LifecycleError::NotRevoked { status })
        }
        (S::Active, A::Amend | A::StartSimplifiedDeregistration) => Ok(S::Active),
        (S::Dormant, A::Amend | A::StartSimplifiedDeregistration | A::ExtendDormancy) => {
            Ok(S::Dormant)
        }
        (S::Active, A::MoveOut) => Ok(S::MovedOut),
        (S::Active, A::BeginDormancy) => Ok(S::Dormant),
        (S::Dormant, A::EndDormancy | A::ResumeAutomatically) => Ok(S::Active),
        (S::Dormant, A::MoveOut | A::BeginDormancy) => {
            Err(LifecycleError::NotActive { status, action })
        }
        (S::Active, A::ExtendDormancy | A::EndDormancy | A::ResumeAutomatically) => {
            Err(LifecycleError::NotDormant { status, action })
        }
        (S::Active | S::Dormant, A::ApplySimplifiedDeregistration | A::Deregister) => {
            Ok(S::Deregistered)
        }
        (S::Active | S::Dormant, A::Revoke) => Ok(S::Revoked),
        (S::Active | S::Dormant, A::CancelRegistration) => Ok(S::Cancelled),
    }
}

/// Why a lifecycle action or one of its legal conditions failed. [`LifecycleError::code`]
/// is a stable machine code; `Display` ([`LifecycleError::message`]) tells the officer,
/// in Chinese, what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleError {
    /// `entity_not_registered`: the entity is not registered here.
    NotRegistered {
        /// The action attempted.
        action: Action,
    },
    /// `entity_already_registered`: establish or move in for a registered entity.
    AlreadyRegistered {
        /// Current status.
        status: EntityStatus,
        /// The action attempted.
        action: Action,
    },
    /// `entity_terminal`: the entity is deregistered or cancelled.
    Terminal {
        /// Current status.
        status: EntityStatus,
        /// The action attempted.
        action: Action,
    },
    /// `entity_not_active`: the action needs the active status.
    NotActive {
        /// Current status.
        status: EntityStatus,
        /// The action attempted.
        action: Action,
    },
    /// `entity_not_dormant`: the action needs the dormant status.
    NotDormant {
        /// Current status.
        status: EntityStatus,
        /// The action attempted.
        action: Action,
    },
    /// `entity_revoked`: a revoked entity may only be deregistered or cancelled.
    Revoked {
        /// The action attempted.
        action: Action,
    },
    /// `entity_moved_out`: the entity is now under another authority.
    MovedOut {
        /// The action attempted.
        action: Action,
    },
    /// `entity_not_revoked`: compulsory deregistration needs a revoked entity.
    NotRevoked {
        /// Current status.
        status: EntityStatus,
    },
    /// `invalid_period`: a period ends before it starts.
    InvalidPeriod {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// `dormancy_overlap`: a dormancy period does not start after the previous one.
    DormancyOverlap {
        /// First day of the later period.
        start: NaiveDate,
        /// Last day of the earlier period.
        previous_end: NaiveDate,
    },
    /// `dormancy_start_in_past`: dormancy is filed before it starts (细则 Art.41).
    DormancyStartInPast {
        /// Requested first day.
        start: NaiveDate,
        /// The filing date.
        today: NaiveDate,
    },
    /// `dormancy_exceeds_three_years`: the cumulative total would exceed 3 years.
    DormancyExceedsThreeYears {
        /// Requested last day.
        requested_end: NaiveDate,
        /// The latest last day allowed, `None` if the allowance is used up.
        latest_end: Option<NaiveDate>,
        /// Days of dormancy before the requested period or extension.
        used_days: i64,
        /// The whole allowance in days (the days of the 3 years from the first start).
        allowance_days: i64,
    },
    /// `extension_window_not_open`: an extension is filed more than 30 days before the
    /// period ends (细则 Art.41 para.3).
    ExtensionWindowNotOpen {
        /// Last day of the current period.
        current_end: NaiveDate,
        /// First day an extension may be filed.
        opens_on: NaiveDate,
    },
    /// `dormancy_already_ended`: the period to extend has already ended.
    DormancyEnded {
        /// Last day of the period.
        ended_on: NaiveDate,
    },
    /// `extension_not_later`: the extension does not move the end later.
    ExtensionNotLater {
        /// Last day of the current period.
        current_end: NaiveDate,
        /// Requested last day.
        requested_end: NaiveDate,
    },
    /// `deregistration_barred`: a bar of 细则 Art.48 applies.
    DeregistrationBarred {
        /// Every bar that applies, in the order of 细则 Art.48.
        bars: Vec<Bar>,
    },
    /// `objection_pending`: an objection was raised during the notice (objection)
    /// period.
    ObjectionPending {
        /// The objections raised in the period.
        objections: Vec<Objection>,
    },
    /// `notice_not_started`: the notice (objection) period has not started yet.
    NoticeNotStarted {
        /// Publication date of the notice (or the day the application was pushed to the
        /// departments, for an individual business).
        starts_on: NaiveDate,
    },
    /// `notice_not_ended`: the notice (objection) period is still running.
    NoticeNotEnded {
        /// Whether there is a public notice (enterprises) or only an objection period
        /// (individual businesses); chooses the wording.
        public_notice: bool,
        /// Last day of the period.
        ends_on: NaiveDate,
    },
    /// `application_window_passed`: the application came later than the window after the
    /// notice (细则 Art.49 para.2).
    ApplicationWindowPassed {
        /// Length of the window in days.
        window_days: u32,
        /// Last day of the window.
        window_ended_on: NaiveDate,
    },
    /// `objection_outside_period`: an objection recorded outside the notice period does
    /// not count (细则 Art.49 para.2).
    ObjectionOutsidePeriod {
        /// When it was raised.
        raised_on: NaiveDate,
        /// First day of the period.
        period_start: NaiveDate,
        /// Last day of the period.
        period_end: NaiveDate,
    },
}

impl LifecycleError {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotRegistered { .. } => "entity_not_registered",
            Self::AlreadyRegistered { .. } => "entity_already_registered",
            Self::Terminal { .. } => "entity_terminal",
            Self::NotActive { .. } => "entity_not_active",
            Self::NotDormant { .. } => "entity_not_dormant",
            Self::Revoked { .. } => "entity_revoked",
            Self::MovedOut { .. } => "entity_moved_out",
            Self::NotRevoked { .. } => "entity_not_revoked",
            Self::InvalidPeriod { .. } => "invalid_period",
            Self::DormancyOverlap { .. } => "dormancy_overlap",
            Self::DormancyStartInPast { .. } => "dormancy_start_in_past",
            Self::DormancyExceedsThreeYears { .. } => "dormancy_exceeds_three_years",
            Self::ExtensionWindowNotOpen { .. } => "extension_window_not_open",
            Self::DormancyEnded { .. } => "dormancy_already_ended",
            Self::ExtensionNotLater { .. } => "extension_not_later",
            Self::DeregistrationBarred { .. } => "deregistration_barred",
            Self::ObjectionPending { .. } => "objection_pending",
            Self::NoticeNotStarted { .. } => "notice_not_started",
            Self::NoticeNotEnded { .. } => "notice_not_ended",
            Self::ApplicationWindowPassed { .. } => "application_window_passed",
            Self::ObjectionOutsidePeriod { .. } => "objection_outside_period",
        }
    }

    /// The Chinese message: what is wrong, the legal source, and what to do.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::NotRegistered { action } => format!(
                "该主体尚未在本辖区登记，不能办理{action}。新设主体请办理设立登记，从外地迁入的请办理迁入登记"
            ),
            Self::AlreadyRegistered { status, action } => format!(
                "该主体已在本辖区登记（当前状态：{status}），不能办理{action}；如需修改登记事项，请办理变更登记"
            ),
            Self::Terminal { status, action } => format!(
                "该主体已{status}，主体资格已终止，不能办理{action}；如需继续经营，应当重新申请设立登记"
            ),
            Self::NotActive { status, action } => {
                let hint = match (status, action) {
                    (EntityStatus::Dormant, Action::BeginDormancy) => {
                        "；如需延长歇业期限，请办理延长歇业期限"
                    }
                    (EntityStatus::Dormant, _) => "；请先办理终止歇业",
                    _ => "",
                };
                format!("该主体当前状态为“{status}”，{action}只能在存续状态下办理{hint}")
            }
            Self::NotDormant { status, action } => format!(
                "该主体当前状态为“{status}”，未处于歇业状态，不能办理{action}"
            ),
            Self::Revoked { action } => format!(
                "该主体已被吊销营业执照，只能办理注销登记（普通程序）或撤销登记，不能办理{action}\
                 （被吊销营业执照的不得申请简易注销，细则第四十八条第（四）项）"
            ),
            Self::MovedOut { action } => format!(
                "该主体已迁出本辖区，由迁入地登记机关管辖，不能办理{action}；如迁回本辖区，请办理迁入登记"
            ),
            Self::NotRevoked { status } => format!(
                "强制注销只适用于被吊销营业执照、责令关闭或者被撤销满三年仍未申请注销登记的公司\
                 （公司法第二百四十一条），该主体当前状态为“{status}”"
            ),
            Self::InvalidPeriod { start, end } => {
                format!("期限不正确：结束日期{end}早于开始日期{start}，请核对")
            }
            Self::DormancyOverlap {
                start,
                previous_end,
            } => format!(
                "歇业期限与以前的歇业期间重叠：开始日期{start}不晚于上一次歇业的结束日期{previous_end}，请核对歇业记录"
            ),
            Self::DormancyStartInPast { start, today } => format!(
                "市场主体应当在歇业前办理歇业备案（细则第四十一条）：开始日期{start}早于备案日期{today}，\
                 请将开始日期改为{today}或以后"
            ),
            Self::DormancyExceedsThreeYears {
                requested_end,
                latest_end,
                used_days,
                allowance_days,
            } => match latest_end {
                Some(latest) => format!(
                    "累计歇业期限不得超过3年（条例第三十条）：此前已歇业{used_days}天，3年合计{allowance_days}天，\
                     结束日期最晚为{latest}，申请的{requested_end}超出，请缩短歇业期限"
                ),
                None => format!(
                    "累计歇业已满3年（{allowance_days}天），不能再歇业（条例第三十条）；\
                     主体视为自动恢复经营，决定不再经营的应当办理注销登记（细则第四十二条）"
                ),
            },
            Self::ExtensionWindowNotOpen {
                current_end,
                opens_on,
            } => format!(
                "延长歇业期限应当于期限届满前30日内办理（细则第四十一条）：本次歇业期限至{current_end}，\
                 请于{opens_on}起办理"
            ),
            Self::DormancyEnded { ended_on } => format!(
                "歇业期限已于{ended_on}届满，主体视为自动恢复经营（细则第四十二条），不能再延长；\
                 如需再次歇业，请重新办理歇业备案"
            ),
            Self::ExtensionNotLater {
                current_end,
                requested_end,
            } => format!(
                "延长后的结束日期{requested_end}应当晚于当前歇业期限的结束日期{current_end}"
            ),
            Self::DeregistrationBarred { bars } => {
                let names: Vec<&str> = bars.iter().map(|bar| bar.label_zh()).collect();
                format!(
                    "存在下列情形，不得申请简易注销（细则第四十八条）：{}。\
                     请告知申请人消除上述情形后再申请，或者依法办理普通注销登记",
                    names.join("；")
                )
            }
            Self::ObjectionPending { objections } => {
                let list: Vec<String> = objections
                    .iter()
                    .map(|o| format!("{}于{}提出：{}", o.party.label_zh(), o.raised_on, o.text))
                    .collect();
                format!(
                    "公示期（异议期）内有{}件异议（{}），不予简易注销登记（细则第四十九条）；\
                     请告知申请人依法办理普通注销登记，或者在异议消除后重新办理简易注销公示",
                    objections.len(),
                    list.join("；")
                )
            }
            Self::NoticeNotStarted { starts_on } => {
                format!(
                    "简易注销公示（异议期）自{starts_on}开始，尚未开始，不能办理简易注销登记"
                )
            }
            Self::NoticeNotEnded {
                public_notice,
                ends_on,
            } => {
                let period = if *public_notice { "公示期" } else { "异议期" };
                let first = ends_on.succ_opt().unwrap_or(*ends_on);
                format!(
                    "{period}至{ends_on}届满，尚未结束，不能办理简易注销登记；请于{first}起办理（细则第四十九条）"
                )
            }
            Self::ApplicationWindowPassed {
                window_days,
                window_ended_on,
            } => format!(
                "应当自公示期届满之日起{window_days}日内申请简易注销登记（细则第四十九条），\
                 申请期限已于{window_ended_on}届满；请重新办理简易注销公示，或者依法办理普通注销登记"
            ),
            Self::ObjectionOutsidePeriod {
                raised_on,
                period_start,
                period_end,
            } => format!(
                "异议应当在公示期（{period_start}至{period_end}）内提出，{raised_on}提出的异议不在公示期内，\
                 不影响简易注销；如属债权债务纠纷，请告知异议人依法通过诉讼等途径解决"
            ),
        }
    }
}

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for LifecycleError {}

impl Serialize for LifecycleError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_code_message(serializer, "LifecycleError", self.code(), &self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use EntityStatus as S;

    fn code(from: Option<S>, action: A) -> &'static str {
        transition(from, action).unwrap_err().code()
    }

    #[test]
    fn action_codes_are_unique_and_round_trip() {
        for action in A::ALL {
            assert_eq!(A::from_code(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_string(&action).unwrap(),
                format!("\"{}\"", action.as_str())
            );
        }
        let mut codes: Vec<&str> = A::ALL.iter().map(|a| a.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), A::ALL.len());
    }

    #[test]
    fn unregistered_entity() {
        assert_eq!(transition(None, A::Establish), Ok(S::Active));
        assert_eq!(transition(None, A::MoveIn), Ok(S::Active));
        for action in A::ALL {
            if !matches!(action, A::Establish | A::MoveIn) {
                assert_eq!(code(None, action), "entity_not_registered", "{action:?}");
            }
        }
    }

    #[test]
    fn active_entity() {
        let ok: &[(A, S)] = &[
            (A::Amend, S::Active),
            (A::StartSimplifiedDeregistration, S::Active),
            (A::MoveOut, S::MovedOut),
            (A::BeginDormancy, S::Dormant),
            (A::ApplySimplifiedDeregistration, S::Deregistered),
            (A::Deregister, S::Deregistered),
            (A::Revoke, S::Revoked),
            (A::CancelRegistration, S::Cancelled),
        ];
        for (action, to) in ok {
            assert_eq!(transition(Some(S::Active), *action), Ok(*to), "{action:?}");
        }
        let from = Some(S::Active);
        assert_eq!(code(from, A::Establish), "entity_already_registered");
        assert_eq!(code(from, A::MoveIn), "entity_already_registered");
        assert_eq!(code(from, A::ExtendDormancy), "entity_not_dormant");
        assert_eq!(code(from, A::EndDormancy), "entity_not_dormant");
        assert_eq!(code(from, A::ResumeAutomatically), "entity_not_dormant");
        assert_eq!(code(from, A::CompulsoryDeregister), "entity_not_revoked");
    }

    #[test]
    fn dormant_entity() {
        let ok: &[(A, S)] = &[
            (A::Amend, S::Dormant),
            (A::ExtendDormancy, S::Dormant),
            (A::StartSimplifiedDeregistration, S::Dormant),
            (A::EndDormancy, S::Active),
            (A::ResumeAutomatically, S::Active),
            (A::ApplySimplifiedDeregistration, S::Deregistered),
            (A::Deregister, S::Deregistered),
            (A::Revoke, S::Revoked),
            (A::CancelRegistration, S::Cancelled),
        ];
        for (action, to) in ok {
            assert_eq!(transition(Some(S::Dormant), *action), Ok(*to), "{action:?}");
        }
        let from = Some(S::Dormant);
        assert_eq!(code(from, A::BeginDormancy), "entity_not_active");
        assert_eq!(code(from, A::MoveOut), "entity_not_active");
        assert!(transition(from, A::BeginDormancy)
            .unwrap_err()
            .message()
            .contains("延长歇业期限"));
        assert!(transition(from, A::MoveOut)
            .unwrap_err()
            .message()
            .contains("请先办理终止歇业"));
        assert_eq!(code(from, A::Establish), "entity_already_registered");
        assert_eq!(code(from, A::CompulsoryDeregister), "entity_not_revoked");
    }

    #[test]
    fn revoked_entity_may_only_be_deregistered_or_cancelled() {
        let from = Some(S::Revoked);
        assert_eq!(transition(from, A::Deregister), Ok(S::Deregistered));
        assert_eq!(
            transition(from, A::CompulsoryDeregister),
            Ok(S::Deregistered)
        );
        assert_eq!(transition(from, A::CancelRegistration), Ok(S::Cancelled));
        for action in [
            A::Amend,
            A::MoveOut,
            A::BeginDormancy,
            A::ExtendDormancy,
            A::EndDormancy,
            A::StartSimplifiedDeregistration,
            A::ApplySimplifiedDeregistration,
            A::Revoke,
        ] {
            assert_eq!(code(from, action), "entity_revoked", "{action:?}");
        }
        assert!(transition(from, A::ApplySimplifiedDeregistration)
            .unwrap_err()
            .message()
            .contains("普通程序"));
        assert_eq!(code(from, A::MoveIn), "entity_already_registered");
    }

    #[test]
    fn moved_out_entity_can_only_move_back_in() {
        let from = Some(S::MovedOut);
        assert_eq!(transition(from, A::MoveIn), Ok(S::Active));
        for action in A::ALL {
            if action != A::MoveIn {
                assert_eq!(code(from, action), "entity_moved_out", "{action:?}");
            }
        }
    }

    #[test]
    fn deregistered_and_cancelled_are_terminal() {
        for status in [S::Deregistered, S::Cancelled] {
            for action in A::ALL {
                assert_eq!(code(Some(status), action), "entity_terminal", "{action:?}");
            }
        }
        let message = transition(Some(S::Deregistered), A::Amend)
            .unwrap_err()
            .to_string();
        assert!(message.contains("已注销"), "{message}");
    }

    #[test]
    fn every_pair_gives_a_defined_answer() {
        // `entity_not_active` is only the dormant entity's refusal to move out or to
        // begin a second dormancy, and an amendment never changes the status.
        for from in std::iter::once(None).chain(S::ALL.into_iter().map(Some)) {
            for action in A::ALL {
                match transition(from, action) {
                    Ok(to) => {
                        if action == A::Amend {
                            assert_eq!(Some(to), from);
                        }
                    }
                    Err(LifecycleError::NotActive { status, action }) => {
                        assert_eq!(status, S::Dormant, "{action:?}");
                        assert!(matches!(action, A::BeginDormancy | A::MoveOut));
                    }
                    Err(_) => {}
                }
            }
        }
    }

    #[test]
    fn errors_serialise_as_code_and_message() {
        let err = transition(Some(S::Cancelled), A::Amend).unwrap_err();
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["code"], "entity_terminal");
        assert_eq!(json["message"], err.message());
    }
}
