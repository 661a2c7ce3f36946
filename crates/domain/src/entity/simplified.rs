//! Simplified deregistration (简易注销, 承诺制): 条例 Art.33; 细则 Art.47–49; 公司法
//! Art.240.
//!
//! Enterprises and cooperatives publish the investors' commitment and the application on
//! GSXT for 20 days (细则 Art.49 para.1; 公司法 Art.240: "不少于二十日"). If no department,
//! creditor or other interested party objects during that period, they may apply within
//! 20 days from the end of the period (细则 Art.49 para.2). Individual businesses have no
//! public notice: the application is pushed to the tax and other departments, and with no
//! objection within 10 days the authority deregisters directly (条例 Art.33 para.3). The
//! bars of 细则 Art.48 refuse the procedure at its start and again at application.
//!
//! # Day counting
//!
//! `notice_start` is the day the notice is published (for an individual business: the
//! day the application is pushed to the departments). As in [`crate::calendar`] (民法典
//! Art.201), that day is not counted: a 20-day notice published on 2025-03-01 runs until
//! the end of 2025-03-21 (its 20th day), the application is accepted from 2025-03-22 (its
//! 21st day) through 2025-04-10 (20 days from the end of the notice). Objections count
//! when raised from the publication day through the last day of the period. Days are
//! plain calendar days: a period ending on a public holiday is not extended (民法典
//! Art.203 would extend it; that needs the working calendar, see
//! [`crate::time_limit`]), so around holidays the officer may accept an application the
//! check calls late.
//!
//! An objection ends this attempt: the entity deregisters by the ordinary procedure, or
//! publishes a new notice after the objection is resolved (a new `notice_start`).

use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::kind::EntityKind;
use super::lifecycle::LifecycleError;

/// The day counts of simplified deregistration for one kind of entity, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimplifiedDeregistrationRule {
    /// Whether the commitment is published on GSXT (enterprises, cooperatives) or only
    /// pushed to departments (individual businesses).
    pub public_notice: bool,
    /// Length of the notice (objection) period in days: 20 for enterprises, 10 for
    /// individual businesses.
    pub objection_days: u32,
    /// Days after the end of the period within which the application must be made
    /// (enterprises: 20); `None` when there is no separate application (individual
    /// businesses: the authority deregisters directly).
    pub application_window_days: Option<u32>,
}

impl SimplifiedDeregistrationRule {
    /// Enterprises and cooperatives: 20-day public notice, application within 20 days
    /// after it (细则 Art.49).
    pub const ENTERPRISE: Self = Self {
        public_notice: true,
        objection_days: 20,
        application_window_days: Some(20),
    };

    /// Individual businesses: no public notice, 10 days for objections, then direct
    /// deregistration (条例 Art.33 para.3).
    pub const INDIVIDUAL_BUSINESS: Self = Self {
        public_notice: false,
        objection_days: 10,
        application_window_days: None,
    };

    /// The rule for a kind of entity.
    #[must_use]
    pub const fn for_kind(kind: EntityKind) -> Self {
        match kind {
            EntityKind::IndividualBusiness => Self::INDIVIDUAL_BUSINESS,
            EntityKind::Enterprise | EntityKind::Cooperative => Self::ENTERPRISE,
        }
    }

    /// Last day of the notice (objection) period started on `notice_start`:
    /// `notice_start + objection_days`.
    #[must_use]
    pub fn period_end(&self, notice_start: NaiveDate) -> NaiveDate {
        add_days(notice_start, self.objection_days)
    }

    /// Whether an objection raised on `date` falls in the period.
    #[must_use]
    pub fn in_objection_period(&self, notice_start: NaiveDate, date: NaiveDate) -> bool {
        notice_start <= date && date <= self.period_end(notice_start)
    }

    /// First day the application (or direct deregistration) is accepted: the day after
    /// [`SimplifiedDeregistrationRule::period_end`].
    #[must_use]
    pub fn first_application_day(&self, notice_start: NaiveDate) -> NaiveDate {
        add_days(self.period_end(notice_start), 1)
    }

    /// Last day the application is accepted, `None` when there is no limit.
    #[must_use]
    pub fn application_deadline(&self, notice_start: NaiveDate) -> Option<NaiveDate> {
        self.application_window_days
            .map(|days| add_days(self.period_end(notice_start), days))
    }
}

impl Default for SimplifiedDeregistrationRule {
    /// [`SimplifiedDeregistrationRule::ENTERPRISE`].
    fn default() -> Self {
        Self::ENTERPRISE
    }
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Who raised an objection (细则 Art.49 para.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectorKind {
    /// 相关部门 (tax, human resources and social security, commerce …).
    Department,
    /// 债权人.
    Creditor,
    /// 其他利害关系人.
    Other,
}

impl ObjectorKind {
    /// Stable code: `department`, `creditor`, `other`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Creditor => "creditor",
            Self::Other => "other",
        }
    }

    /// Chinese name: 相关部门, 债权人, 其他利害关系人.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Department => "相关部门",
            Self::Creditor => "债权人",
            Self::Other => "其他利害关系人",
        }
    }
}

/// An objection to a simplified deregistration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    /// Who objected.
    pub party: ObjectorKind,
    /// The day it was raised.
    pub raised_on: NaiveDate,
    /// What the objection says (e.g. the debt claimed).
    pub text: String,
}

/// One bar to simplified deregistration (细则 Art.48).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bar {
    /// 列入经营异常名录 (Art.48(一)).
    AbnormalListing,
    /// 列入市场监督管理严重违法失信名单 (Art.48(一)).
    DishonestyListing,
    /// 股权（财产份额）被冻结或者出质 (Art.48(二)).
    EquityFrozenOrPledged,
    /// 存在动产抵押 (Art.48(二)).
    ChattelMortgage,
    /// 对其他市场主体存在投资 (Art.48(二)).
    InvestmentsInOtherEntities,
    /// 正在被立案调查或者被采取行政强制措施 (Art.48(三)).
    UnderInvestigationOrCompulsoryMeasures,
    /// 正在诉讼或者仲裁程序中 (Art.48(三)).
    InLitigationOrArbitration,
    /// 被吊销营业执照、责令关闭或者撤销 (Art.48(四)).
    LicenceRevokedOrClosed,
    /// 受到罚款等行政处罚尚未执行完毕 (Art.48(五)).
    UnexecutedFines,
}

impl Bar {
    /// Every bar, in the order of 细则 Art.48.
    pub const ALL: [Self; 9] = [
        Self::AbnormalListing,
        Self::DishonestyListing,
        Self::EquityFrozenOrPledged,
        Self::ChattelMortgage,
        Self::InvestmentsInOtherEntities,
        Self::UnderInvestigationOrCompulsoryMeasures,
        Self::InLitigationOrArbitration,
        Self::LicenceRevokedOrClosed,
        Self::UnexecutedFines,
    ];

    /// Stable code, the same as the field of [`Bars`].
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AbnormalListing => "abnormal_listing",
            Self::DishonestyListing => "dishonesty_listing",
            Self::EquityFrozenOrPledged => "equity_frozen_or_pledged",
            Self::ChattelMortgage => "chattel_mortgage",
            Self::InvestmentsInOtherEntities => "investments_in_other_entities",
            Self::UnderInvestigationOrCompulsoryMeasures => {
                "under_investigation_or_compulsory_measures"
            }
            Self::InLitigationOrArbitration => "in_litigation_or_arbitration",
            Self::LicenceRevokedOrClosed => "licence_revoked_or_closed",
            Self::UnexecutedFines => "unexecuted_fines",
        }
    }

    /// The bar in Chinese, with its item of 细则 Art.48.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::AbnormalListing => "被列入经营异常名录（第一项）",
            Self::DishonestyListing => "被列入市场监督管理严重违法失信名单（第一项）",
            Self::EquityFrozenOrPledged => "股权（财产份额）被冻结或者出质（第二项）",
            Self::ChattelMortgage => "存在动产抵押（第二项）",
            Self::InvestmentsInOtherEntities => "对其他市场主体存在投资（第二项）",
            Self::UnderInvestigationOrCompulsoryMeasures => {
                "正在被立案调查或者被采取行政强制措施（第三项）"
            }
            Self::InLitigationOrArbitration => "正在诉讼或者仲裁程序中（第三项）",
            Self::LicenceRevokedOrClosed => "被吊销营业执照、责令关闭或者撤销（第四项）",
            Self::UnexecutedFines => "受到罚款等行政处罚尚未执行完毕（第五项）",
        }
    }
}

impl fmt::Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// The facts that bar simplified deregistration (细则 Art.48 items 1–5), gathered by the
/// caller from the lists, the equity-pledge and chattel-mortgage registers, cases and
/// penalties. Item 6 ("other situations not meeting 条例 Art.33": unpaid debts, wages,
/// taxes …) is covered by the investors' written commitment, not by data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bars {
    /// On the abnormal operations list.
    pub abnormal_listing: bool,
    /// On the serious violation and dishonesty list.
    pub dishonesty_listing: bool,
    /// Equity (partnership share) frozen or pledged.
    pub equity_frozen_or_pledged: bool,
    /// A chattel mortgage registered.
    pub chattel_mortgage: bool,
    /// Investments in other market entities.
    pub investments_in_other_entities: bool,
    /// A case filed against it, or compulsory administrative measures taken.
    pub under_investigation_or_compulsory_measures: bool,
    /// In litigation or arbitration.
    pub in_litigation_or_arbitration: bool,
    /// Licence revoked, ordered closed, or registration revoked.
    pub licence_revoked_or_closed: bool,
    /// A fine or other penalty not fully executed.
    pub unexecuted_fines: bool,
}

impl Bars {
    /// The bars that apply, in the order of 细则 Art.48.
    #[must_use]
    pub fn active(&self) -> Vec<Bar> {
        Bar::ALL
            .into_iter()
            .filter(|&bar| self.applies(bar))
            .collect()
    }

    /// Whether no bar applies.
    #[must_use]
    pub fn is_clear(&self) -> bool {
        Bar::ALL.into_iter().all(|bar| !self.applies(bar))
    }

    /// Whether `bar` applies.
    #[must_use]
    pub const fn applies(&self, bar: Bar) -> bool {
        match bar {
            Bar::AbnormalListing => self.abnormal_listing,
            Bar::DishonestyListing => self.dishonesty_listing,
            Bar::EquityFrozenOrPledged => self.equity_frozen_or_pledged,
            Bar::ChattelMortgage => self.chattel_mortgage,
            Bar::InvestmentsInOtherEntities => self.investments_in_other_entities,
            Bar::UnderInvestigationOrCompulsoryMeasures => {
                self.under_investigation_or_compulsory_measures
            }
            Bar::InLitigationOrArbitration => self.in_litigation_or_arbitration,
            Bar::LicenceRevokedOrClosed => self.licence_revoked_or_closed,
            Bar::UnexecutedFines => self.unexecuted_fines,
        }
    }
}

/// Refuses to start a simplified deregistration (publish the notice) while any bar of
/// 细则 Art.48 applies; the error ([`LifecycleError::DeregistrationBarred`], code
/// `deregistration_barred`) names every bar that applies.
pub fn check_start(bars: &Bars) -> Result<(), LifecycleError> {
    let active = bars.active();
    if active.is_empty() {
        Ok(())
    } else {
        Err(LifecycleError::DeregistrationBarred { bars: active })
    }
}

/// Checks an application for simplified deregistration made on `today`, for a notice
/// (objection period) started on `notice_start` under `rule`.
///
/// In order, refuses with:
/// 1. `notice_not_started` if `today` is before `notice_start`;
/// 2. `deregistration_barred` if a bar applies now (bars can arise during the notice);
/// 3. `objection_pending` if an objection was raised within the period (objections
///    outside it do not count);
/// 4. `notice_not_ended` while the period runs (through its last day);
/// 5. `application_window_passed` after the application window (enterprises: 20 days
///    after the period).
pub fn check_application(
    today: NaiveDate,
    rule: &SimplifiedDeregistrationRule,
    notice_start: NaiveDate,
    objections: &[Objection],
    bars: &Bars,
) -> Result<(), LifecycleError> {
    if today < notice_start {
        return Err(LifecycleError::NoticeNotStarted {
            starts_on: notice_start,
        });
    }
    check_start(bars)?;
    let in_period: Vec<Objection> = objections
        .iter()
        .filter(|o| rule.in_objection_period(notice_start, o.raised_on))
        .cloned()
        .collect();
    if !in_period.is_empty() {
        return Err(LifecycleError::ObjectionPending {
            objections: in_period,
        });
    }
    let ends_on = rule.period_end(notice_start);
    if today <= ends_on {
        return Err(LifecycleError::NoticeNotEnded {
            public_notice: rule.public_notice,
            ends_on,
        });
    }
    if let (Some(deadline), Some(window_days)) = (
        rule.application_deadline(notice_start),
        rule.application_window_days,
    ) {
        if today > deadline {
            return Err(LifecycleError::ApplicationWindowPassed {
                window_days,
                window_ended_on: deadline,
            });
        }
    }
    Ok(())
}

/// A simplified deregistration in progress: the rule, the start of its notice and the
/// objections recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimplifiedDeregistration {
    /// The day counts in force for this entity.
    pub rule: SimplifiedDeregistrationRule,
    /// Publication day of the notice (individual business: the day the application was
    /// pushed to the departments).
    pub notice_start: NaiveDate,
    /// Objections recorded, in the period.
    pub objections: Vec<Objection>,
}

impl SimplifiedDeregistration {
    /// Starts the procedure for an entity of `kind` on `notice_start`, refused while a
    /// bar applies ([`check_start`]).
    pub fn start(
        kind: EntityKind,
        notice_start: NaiveDate,
        bars: &Bars,
    ) -> Result<Self, LifecycleError> {
        check_start(bars)?;
        Ok(Self {
            rule: SimplifiedDeregistrationRule::for_kind(kind),
            notice_start,
            objections: Vec::new(),
        })
    }

    /// Last day of the notice (objection) period.
    #[must_use]
    pub fn notice_end(&self) -> NaiveDate {
        self.rule.period_end(self.notice_start)
    }

    /// First day the application is accepted.
    #[must_use]
    pub fn first_application_day(&self) -> NaiveDate {
        self.rule.first_application_day(self.notice_start)
    }

    /// Last day the application is accepted, `None` when there is no limit.
    #[must_use]
    pub fn application_deadline(&self) -> Option<NaiveDate> {
        self.rule.application_deadline(self.notice_start)
    }

    /// Records an objection raised during the period; one raised outside it is refused
    /// with `objection_outside_period` and not recorded.
    pub fn record_objection(&mut self, objection: Objection) -> Result<(), LifecycleError> {
        if !self
            .rule
            .in_objection_period(self.notice_start, objection.raised_on)
        {
            return Err(LifecycleError::ObjectionOutsidePeriod {
                raised_on: objection.raised_on,
                period_start: self.notice_start,
                period_end: self.notice_end(),
            });
        }
        self.objections.push(objection);
        Ok(())
    }

    /// [`check_application`] for this procedure.
    pub fn check_application(&self, today: NaiveDate, bars: &Bars) -> Result<(), LifecycleError> {
        check_application(today, &self.rule, self.notice_start, &self.objections, bars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn code(result: Result<(), LifecycleError>) -> &'static str {
        result.unwrap_err().code()
    }

    const CLEAR: Bars = Bars {
        abnormal_listing: false,
        dishonesty_listing: false,
        equity_frozen_or_pledged: false,
        chattel_mortgage: false,
        investments_in_other_entities: false,
        under_investigation_or_compulsory_measures: false,
        in_litigation_or_arbitration: false,
        licence_revoked_or_closed: false,
        unexecuted_fines: false,
    };

    #[test]
    fn rules_are_data() {
        assert_eq!(SimplifiedDeregistrationRule::default().objection_days, 20);
        assert_eq!(
            SimplifiedDeregistrationRule::for_kind(EntityKind::Cooperative),
            SimplifiedDeregistrationRule::ENTERPRISE
        );
        let ib = SimplifiedDeregistrationRule::for_kind(EntityKind::IndividualBusiness);
        assert!(!ib.public_notice);
        assert_eq!(ib.objection_days, 10);
        assert_eq!(ib.application_window_days, None);
        assert_eq!(CLEAR, Bars::default());
    }

    #[test]
    fn enterprise_notice_day_20_versus_21() {
        let rule = SimplifiedDeregistrationRule::ENTERPRISE;
        let start = d("2025-03-01");
        assert_eq!(rule.period_end(start), d("2025-03-21"));
        assert_eq!(rule.first_application_day(start), d("2025-03-22"));
        assert_eq!(rule.application_deadline(start), Some(d("2025-04-10")));

        // Day 20 of the notice: still running.
        let err = check_application(d("2025-03-21"), &rule, start, &[], &CLEAR).unwrap_err();
        assert_eq!(
            err,
            LifecycleError::NoticeNotEnded {
                public_notice: true,
                ends_on: d("2025-03-21")
            }
        );
        assert!(err.message().contains("公示期"));
        assert!(err.message().contains("2025-03-22"));
        // Day 21: accepted.
        assert!(check_application(d("2025-03-22"), &rule, start, &[], &CLEAR).is_ok());
        // Last day of the window, and the day after it.
        assert!(check_application(d("2025-04-10"), &rule, start, &[], &CLEAR).is_ok());
        let err = check_application(d("2025-04-11"), &rule, start, &[], &CLEAR).unwrap_err();
        assert_eq!(err.code(), "application_window_passed");
        assert!(err.message().contains("2025-04-10"));
        // Before publication.
        assert_eq!(
            code(check_application(
                d("2025-02-28"),
                &rule,
                start,
                &[],
                &CLEAR
            )),
            "notice_not_started"
        );
        // The publication day itself is day 0 of the notice.
        assert_eq!(
            code(check_application(start, &rule, start, &[], &CLEAR)),
            "notice_not_ended"
        );
    }

    #[test]
    fn objection_during_the_notice_refuses_with_the_reason() {
        let rule = SimplifiedDeregistrationRule::ENTERPRISE;
        let start = d("2025-03-01");
        let objection = Objection {
            party: ObjectorKind::Creditor,
            raised_on: d("2025-03-21"),
            text: "尚欠货款12万元未清偿".to_owned(),
        };
        let err = check_application(
            d("2025-03-25"),
            &rule,
            start,
            std::slice::from_ref(&objection),
            &CLEAR,
        )
        .unwrap_err();
        assert_eq!(err.code(), "objection_pending");
        let message = err.message();
        assert!(message.contains("债权人"), "{message}");
        assert!(message.contains("尚欠货款12万元未清偿"), "{message}");
        assert!(message.contains("普通注销"), "{message}");

        // The objection is reported even while the notice still runs.
        assert_eq!(
            code(check_application(
                d("2025-03-21"),
                &rule,
                start,
                std::slice::from_ref(&objection),
                &CLEAR
            )),
            "objection_pending"
        );

        // An objection after the period does not count.
        let late = Objection {
            raised_on: d("2025-03-22"),
            ..objection
        };
        assert!(check_application(d("2025-03-25"), &rule, start, &[late], &CLEAR).is_ok());
    }

    #[test]
    fn recording_objections() {
        let mut procedure =
            SimplifiedDeregistration::start(EntityKind::Enterprise, d("2025-03-01"), &CLEAR)
                .unwrap();
        assert_eq!(procedure.notice_end(), d("2025-03-21"));
        assert_eq!(procedure.first_application_day(), d("2025-03-22"));
        assert_eq!(procedure.application_deadline(), Some(d("2025-04-10")));
        let objection = |day: &str| Objection {
            party: ObjectorKind::Department,
            raised_on: d(day),
            text: "存在未结清税款".to_owned(),
        };
        assert_eq!(
            procedure
                .record_objection(objection("2025-03-22"))
                .unwrap_err()
                .code(),
            "objection_outside_period"
        );
        assert!(procedure.check_application(d("2025-03-22"), &CLEAR).is_ok());
        procedure.record_objection(objection("2025-03-01")).unwrap();
        let err = procedure
            .check_application(d("2025-03-22"), &CLEAR)
            .unwrap_err();
        assert_eq!(err.code(), "objection_pending");
        assert!(err.message().contains("相关部门"));
    }

    #[test]
    fn abnormal_listing_is_refused_at_start_and_at_application() {
        let bars = Bars {
            abnormal_listing: true,
            ..Bars::default()
        };
        let err = check_start(&bars).unwrap_err();
        assert_eq!(
            err,
            LifecycleError::DeregistrationBarred {
                bars: vec![Bar::AbnormalListing]
            }
        );
        assert!(err.message().contains("经营异常名录"));
        assert_eq!(
            SimplifiedDeregistration::start(EntityKind::Enterprise, d("2025-03-01"), &bars)
                .unwrap_err()
                .code(),
            "deregistration_barred"
        );
        let rule = SimplifiedDeregistrationRule::ENTERPRISE;
        assert_eq!(
            code(check_application(
                d("2025-03-22"),
                &rule,
                d("2025-03-01"),
                &[],
                &bars
            )),
            "deregistration_barred"
        );
        assert!(check_start(&CLEAR).is_ok());
    }

    #[test]
    fn every_bar_is_named() {
        let all = Bars {
            abnormal_listing: true,
            dishonesty_listing: true,
            equity_frozen_or_pledged: true,
            chattel_mortgage: true,
            investments_in_other_entities: true,
            under_investigation_or_compulsory_measures: true,
            in_litigation_or_arbitration: true,
            licence_revoked_or_closed: true,
            unexecuted_fines: true,
        };
        assert_eq!(all.active(), Bar::ALL);
        assert!(!all.is_clear());
        assert!(CLEAR.is_clear());
        let message = check_start(&all).unwrap_err().message();
        for bar in Bar::ALL {
            assert!(message.contains(bar.label_zh()), "{bar:?}");
            assert!(!Bars::default().applies(bar));
            // The field named by the bar's code switches exactly that bar.
            let mut value = serde_json::to_value(Bars::default()).unwrap();
            value[bar.as_str()] = serde_json::Value::Bool(true);
            let single: Bars = serde_json::from_value(value).unwrap();
            assert_eq!(single.active(), vec![bar], "{bar:?}");
            let text = check_start(&single).unwrap_err().message();
            assert!(text.contains(bar.label_zh()), "{bar:?}");
        }
        let two = Bars {
            chattel_mortgage: true,
            unexecuted_fines: true,
            ..Bars::default()
        };
        assert_eq!(two.active(), [Bar::ChattelMortgage, Bar::UnexecutedFines]);
    }

    #[test]
    fn individual_business_ten_day_objection_period() {
        let rule = SimplifiedDeregistrationRule::INDIVIDUAL_BUSINESS;
        let start = d("2025-03-01");
        assert_eq!(rule.period_end(start), d("2025-03-11"));
        let err = check_application(d("2025-03-11"), &rule, start, &[], &CLEAR).unwrap_err();
        assert_eq!(err.code(), "notice_not_ended");
        assert!(err.message().contains("异议期"));
        assert!(check_application(d("2025-03-12"), &rule, start, &[], &CLEAR).is_ok());
        // No application window: still accepted much later.
        assert!(check_application(d("2026-03-01"), &rule, start, &[], &CLEAR).is_ok());
        let objection = Objection {
            party: ObjectorKind::Department,
            raised_on: d("2025-03-11"),
            text: "欠缴税款".to_owned(),
        };
        assert_eq!(
            code(check_application(
                d("2025-03-12"),
                &rule,
                start,
                &[objection],
                &CLEAR
            )),
            "objection_pending"
        );
    }
}
