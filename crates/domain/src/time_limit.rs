//! Legal time limits (法定时限) as data.
//!
//! This module owns the types of a time-limit row ([`TimeLimitKind`], [`Unit`],
//! [`TimeLimit`]), the parser for `data/time_limits.csv` ([`parse_time_limits_csv`]),
//! the choice of the row in force on a date ([`rule_for`]) and the due-date computation
//! on top of [`crate::calendar::WorkCalendar`] ([`TimeLimit::due_date`]).
//!
//! Rules change over time, so a limit is a set of rows per kind, each valid from
//! `valid_from` to `valid_to` (both inclusive; no `valid_to` = still in force). The row
//! that applies is the one in force on the date that starts the period (e.g. the day a
//! complaint was received): a complaint received on 2026-04-14 follows 总局令第20号, one
//! received on 2026-04-15 follows 总局令第121号. The parser rejects overlapping rows of
//! one kind, so at most one row is in force on any date.
//!
//! `confirmed = false` marks a row whose period or article was not verified against the
//! official text (rules-cn.md marks it UNCONFIRMED, or the article is `待核实`); the
//! value is the best available and the UI should say so. Some rows are periods *before*
//! an event (their note starts with `届满前期限`) or recurring intervals (inspection
//! cycles); [`TimeLimit::due_date`] always counts forward from the given start.
//!
//! Unit semantics follow [`crate::calendar`]: `working_days` count working days after
//! the start; `calendar_days`, `months` and `years` end on a working day; `hours` and
//! `minutes` are not date-based and have no due date here. Note 行政处罚法 Art.85: its
//! "二日、三日、五日、七日" are working days, and the data encodes them so.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{
    csv_records, parse_iso_date, CalendarError, CsvError, DateRange, WorkCalendar,
};

/// Marker used in the data for an article number that still has to be checked.
pub const ARTICLE_TO_CONFIRM: &str = "待核实";

/// A kind name that is not in [`TimeLimitKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("未知的时限类型“{0}”")]
pub struct UnknownKind(pub String);

macro_rules! time_limit_kinds {
    ($($variant:ident => $name:literal, $label:literal;)+) => {
        /// Every legal time limit the platform tracks. `as_str` is the stable
        /// snake_case name used in data files, the database and APIs; `label` is the
        /// Chinese name for people.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum TimeLimitKind {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl TimeLimitKind {
            /// All kinds, in data-file order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Stable snake_case name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }

            /// Chinese name.
            #[must_use]
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }
        }
    };
}

time_limit_kinds! {
    ComplaintAcceptance => "complaint_acceptance", "投诉受理决定";
    ComplaintLimitation => "complaint_limitation", "投诉时效";
    ComplaintMediation => "complaint_mediation", "投诉调解期限";
    ComplaintMediationTerminationNotice => "complaint_mediation_termination_notice", "终止调解告知";
    ComplaintLeadVerification => "complaint_lead_verification", "调解中发现线索核查";
    ComplaintLeadVerificationExtension => "complaint_lead_verification_extension", "调解中发现线索核查延长";
    ReportJurisdictionDispute => "report_jurisdiction_dispute", "举报处理权限争议协商";
    ReportFilingNotice => "report_filing_notice", "实名举报告知";
    Hotline12345Handling => "hotline_12345_handling", "12345热线工单办理";
    RegistrationDecision => "registration_decision", "登记审查";
    RegistrationDecisionExtension => "registration_decision_extension", "登记审查延长";
    ChangeRegistration => "change_registration", "变更登记申请";
    FilingChange => "filing_change", "备案事项变更";
    CooperativeMemberFiling => "cooperative_member_filing", "合作社成员变更备案";
    PermitRevokedChange => "permit_revoked_change", "许可失效后变更或注销登记";
    LicenceDisplayUpdate => "licence_display_update", "营业执照信息更新公示";
    DormancyMax => "dormancy_max", "歇业最长期限";
    DormancyExtensionRequest => "dormancy_extension_request", "歇业延期申请";
    DormancyEndDisclosure => "dormancy_end_disclosure", "终止歇业公示";
    LiquidationGroupNotice => "liquidation_group_notice", "清算组公告";
    DeregistrationApplication => "deregistration_application", "注销登记申请";
    SimplifiedDeregistrationNotice => "simplified_deregistration_notice", "简易注销公示期";
    SimplifiedDeregistrationApplication => "simplified_deregistration_application", "简易注销申请";
    IndividualBusinessDeregistrationObjection => "individual_business_deregistration_objection", "个体工商户简易注销异议期";
    CompulsoryDeregistrationWait => "compulsory_deregistration_wait", "强制注销前置期";
    CompulsoryDeregistrationNotice => "compulsory_deregistration_notice", "强制注销公告期";
    SpecialMarkWait => "special_mark_wait", "特别标注前置期";
    FalseRegistrationAcceptance => "false_registration_acceptance", "撤销登记申请受理";
    FalseRegistrationInvestigation => "false_registration_investigation", "撤销登记调查";
    FalseRegistrationInvestigationExtension => "false_registration_investigation_extension", "撤销登记调查延长";
    FalseRegistrationNotice => "false_registration_notice", "撤销登记公示期";
    FalseRegistrationBan => "false_registration_ban", "虚假登记责任人限制期";
    CapitalContribution => "capital_contribution", "认缴出资缴足期限";
    RegulatorDisclosure => "regulator_disclosure", "政府部门信息公示";
    EnterpriseDisclosure => "enterprise_disclosure", "企业即时信息公示";
    DisclosureFalseReportVerification => "disclosure_false_report_verification", "公示信息虚假举报核查";
    DisclosureInquiryReply => "disclosure_inquiry_reply", "公示信息查询答复";
    OrderedDisclosure => "ordered_disclosure", "责令公示期限";
    AbnormalListing => "abnormal_listing", "列入经营异常名录决定";
    AbnormalRemovalDecision => "abnormal_removal_decision", "移出经营异常名录决定";
    AbnormalToDishonesty => "abnormal_to_dishonesty", "经营异常转严重违法失信";
    AbnormalDishonestyWarning => "abnormal_dishonesty_warning", "严重违法失信列入前提示";
    DishonestyListingTerm => "dishonesty_listing_term", "严重违法失信名单期限";
    DishonestyEarlyRemoval => "dishonesty_early_removal", "严重违法失信提前移出";
    PenaltyDisclosure => "penalty_disclosure", "行政处罚信息公示";
    PenaltyDisclosurePush => "penalty_disclosure_push", "跨省处罚信息推送";
    PenaltyDisclosureRemote => "penalty_disclosure_remote", "登记地协助公示";
    PenaltyDisclosureWithdrawal => "penalty_disclosure_withdrawal", "处罚公示信息撤回";
    PenaltyDisplayShort => "penalty_display_short", "处罚信息公示期（较轻）";
    PenaltyDisplayLong => "penalty_display_long", "处罚信息公示期（一般）";
    CreditRepairMinDisplay => "credit_repair_min_display", "信用修复最短公示期";
    CreditRepairMinDisplaySpecial => "credit_repair_min_display_special", "信用修复最短公示期（食品药品特种设备）";
    RandomInspectionDisclosure => "random_inspection_disclosure", "双随机抽查结果公示";
    EquipmentRectificationRecheck => "equipment_rectification_recheck", "特种设备整改复查";
    FoodRetestRequest => "food_retest_request", "食品复检申请";
    RapidTestObjection => "rapid_test_objection", "快检结果异议";
    FoodSamplingRecordRetention => "food_sampling_record_retention", "抽样记录保存期";
    FoodSampleDelivery => "food_sample_delivery", "样品送达承检机构";
    FoodLabReport => "food_lab_report", "检验报告出具";
    FoodBackupSamplePass => "food_backup_sample_pass", "备份样品保存期（合格）";
    FoodBackupSampleFail => "food_backup_sample_fail", "备份样品保存期（不合格）";
    FoodRetestLabSelection => "food_retest_lab_selection", "确定复检机构";
    FoodRetestLabSelectionExtension => "food_retest_lab_selection_extension", "确定复检机构延长";
    FoodLabFailReport => "food_lab_fail_report", "不合格结论报送";
    FoodLabPassReport => "food_lab_pass_report", "合格结论报送";
    FoodFailResultService => "food_fail_result_service", "不合格结论送达";
    FoodRetestConclusion => "food_retest_conclusion", "复检结论";
    FoodSamplingObjection => "food_sampling_objection", "抽样检验异议";
    FoodSamplingObjectionReview => "food_sampling_objection_review", "抽样检验异议审核";
    FoodDisposal => "food_disposal", "不合格食品核查处置";
    EquipmentUseRegistration => "equipment_use_registration", "特种设备使用登记";
    PeriodicInspectionRequest => "periodic_inspection_request", "定期检验申报";
    EquipmentDocumentHandover => "equipment_document_handover", "特种设备技术资料移交";
    EquipmentLicenceDecision => "equipment_licence_decision", "特种设备许可决定";
    ElevatorMaintenanceInterval => "elevator_maintenance_interval", "电梯维护保养周期";
    ElevatorRescueArrival => "elevator_rescue_arrival", "电梯困人救援到达";
    BoilerExternalInspection => "boiler_external_inspection", "锅炉外部检验周期";
    BoilerInternalInspection => "boiler_internal_inspection", "锅炉内部检验周期";
    BoilerHydraulicTest => "boiler_hydraulic_test", "锅炉水压试验周期";
    PressureVesselAnnualCheck => "pressure_vessel_annual_check", "压力容器年度检查";
    PressureVesselFirstInspection => "pressure_vessel_first_inspection", "压力容器首次定期检验";
    PressureVesselInspectionGrade1To2 => "pressure_vessel_inspection_grade_1_2", "压力容器定期检验（1至2级）";
    PressureVesselInspectionGrade3 => "pressure_vessel_inspection_grade_3", "压力容器定期检验（3级）";
    SafetyValveCheck => "safety_valve_check", "安全阀校验周期";
    GasCylinderCorrosive => "gas_cylinder_corrosive", "腐蚀性气体气瓶检验周期";
    GasCylinderGeneral => "gas_cylinder_general", "一般气体气瓶检验周期";
    GasCylinderInert => "gas_cylinder_inert", "惰性气体气瓶检验周期";
    LpgCylinder => "lpg_cylinder", "液化石油气钢瓶检验周期";
    ElevatorPeriodicInspection => "elevator_periodic_inspection", "电梯定期检验周期";
    LeadVerification => "lead_verification", "线索核查";
    LeadVerificationExtension => "lead_verification_extension", "线索核查延长";
    PenaltyLimitation => "penalty_limitation", "行政处罚追责时效";
    PenaltyLimitationExtended => "penalty_limitation_extended", "行政处罚追责时效（延长）";
    CaseDecision => "case_decision", "案件处理决定";
    CaseDecisionExtension => "case_decision_extension", "案件处理决定延长";
    EvidencePreservationDecision => "evidence_preservation_decision", "先行登记保存处理决定";
    SeizurePeriod => "seizure_period", "查封扣押期限";
    SeizureExtension => "seizure_extension", "查封扣押延长";
    LegalReview => "legal_review", "法制审核";
    StatementDefence => "statement_defence", "陈述申辩";
    HearingRequest => "hearing_request", "听证申请";
    HearingNotice => "hearing_notice", "听证通知";
    DecisionService => "decision_service", "处罚决定书送达";
    FinePayment => "fine_payment", "罚款缴纳";
    AdrReportSerious => "adr_report_serious", "药品不良反应报告（新的、严重的）";
    AdrReportDeath => "adr_report_death", "药品不良反应报告（死亡）";
    AdrReportOther => "adr_report_other", "药品不良反应报告（其他）";
    AdrDeathInvestigation => "adr_death_investigation", "药品不良反应死亡病例调查";
    AdrReviewSerious => "adr_review_serious", "药品不良反应严重报告审核";
    AdrReviewOther => "adr_review_other", "药品不良反应其他报告审核";
    DeviceEventDeath => "device_event_death", "医疗器械不良事件报告（死亡）";
    DeviceEventSerious => "device_event_serious", "医疗器械不良事件报告（严重伤害）";
    DeviceGroupEventAlert => "device_group_event_alert", "医疗器械群体不良事件电话报告";
    DeviceGroupEventReport => "device_group_event_report", "医疗器械群体不良事件个例报告";
    DeviceGroupEventInvestigation => "device_group_event_investigation", "医疗器械群体不良事件调查报告";
    DeviceEventAbroad => "device_event_abroad", "医疗器械境外不良事件报告";
    CosmeticReactionGeneral => "cosmetic_reaction_general", "化妆品不良反应报告（一般）";
    CosmeticReactionSerious => "cosmetic_reaction_serious", "化妆品不良反应报告（严重）";
    CosmeticReactionMajor => "cosmetic_reaction_major", "化妆品不良反应报告（较大社会影响）";
    CosmeticSelfInspectionSerious => "cosmetic_self_inspection_serious", "化妆品严重不良反应自查报告";
    CosmeticSelfInspectionMajor => "cosmetic_self_inspection_major", "化妆品较大社会影响不良反应自查报告";
    CosmeticReviewGeneral => "cosmetic_review_general", "化妆品不良反应审核（一般）";
    CosmeticReviewSerious => "cosmetic_review_serious", "化妆品不良反应审核（严重）";
    CosmeticReviewMajor => "cosmetic_review_major", "化妆品不良反应审核（较大社会影响）";
    CosmeticRecordRetention => "cosmetic_record_retention", "化妆品不良反应记录保存期";
    ProductRetestRequest => "product_retest_request", "产品质量抽查复检申请";
    ProductSampleCorrection => "product_sample_correction", "产品抽查不合格整改";
    ProductSampleReinspection => "product_sample_reinspection", "产品抽查不合格复查";
    ProductSampleFollowupCheck => "product_sample_followup_check", "产品抽查公告后复查";
}

impl fmt::Display for TimeLimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimeLimitKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

impl TryFrom<String> for TimeLimitKind {
    type Error = UnknownKind;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TimeLimitKind> for &'static str {
    fn from(kind: TimeLimitKind) -> Self {
        kind.as_str()
    }
}

/// The unit of a time limit's amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 工作日: working days after the start day.
    WorkingDays,
    /// 日: calendar days, the end moved off rest days.
    CalendarDays,
    /// 月: calendar months (民法典 Art.202).
    Months,
    /// 年: calendar years.
    Years,
    /// 小时: not date-based.
    Hours,
    /// 分钟: not date-based.
    Minutes,
}

impl Unit {
    const ALL: [Self; 6] = [
        Self::WorkingDays,
        Self::CalendarDays,
        Self::Months,
        Self::Years,
        Self::Hours,
        Self::Minutes,
    ];

    /// Stable snake_case name, as in the CSV.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WorkingDays => "working_days",
            Self::CalendarDays => "calendar_days",
            Self::Months => "months",
            Self::Years => "years",
            Self::Hours => "hours",
            Self::Minutes => "minutes",
        }
    }

    /// Chinese name of the unit.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::WorkingDays => "工作日",
            Self::CalendarDays => "日",
            Self::Months => "月",
            Self::Years => "年",
            Self::Hours => "小时",
            Self::Minutes => "分钟",
        }
    }

    /// An amount in this unit, in Chinese: `7个工作日`, `30日`, `3个月`.
    #[must_use]
    pub fn format_amount(self, amount: u32) -> String {
        match self {
            Self::WorkingDays => format!("{amount}个工作日"),
            Self::CalendarDays => format!("{amount}日"),
            Self::Months => format!("{amount}个月"),
            Self::Years => format!("{amount}年"),
            Self::Hours => format!("{amount}小时"),
            Self::Minutes => format!("{amount}分钟"),
        }
    }
}

impl FromStr for Unit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|unit| unit.as_str() == s)
            .ok_or_else(|| format!("单位“{s}”无效"))
    }
}

/// One row of the time-limit table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    /// Which limit.
    pub kind: TimeLimitKind,
    /// How many units.
    pub amount: u32,
    /// Unit of `amount`.
    pub unit: Unit,
    /// The law, regulation or order, in Chinese, e.g.
    /// 《市场监督管理投诉举报处理暂行办法》（国家市场监督管理总局令第20号，2022年修改）.
    pub source: String,
    /// Article (条款) in Chinese, e.g. 第十四条; [`ARTICLE_TO_CONFIRM`] if unknown.
    pub article: String,
    /// First day in force.
    pub valid_from: NaiveDate,
    /// Last day in force (inclusive); `None` while still in force.
    pub valid_to: Option<NaiveDate>,
    /// Whether period and article were verified against the official text.
    pub confirmed: bool,
    /// What the period runs from, and other remarks (Chinese).
    pub note: String,
}

/// Why a due date could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DueDateError {
    /// The calendar could not answer (e.g. a year not covered).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// Hours and minutes have no due date.
    #[error("以{}计的时限不能按日期计算到期日", .0.label())]
    NotDateBased(Unit),
}

impl DueDateError {
    /// Stable snake_case machine code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Calendar(inner) => inner.code(),
            Self::NotDateBased(_) => "not_date_based",
        }
    }
}

impl TimeLimit {
    /// Whether this row is in force on `date`.
    #[must_use]
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|end| date <= end)
    }

    /// The period in Chinese: `7个工作日`.
    #[must_use]
    pub fn period_text(&self) -> String {
        self.unit.format_amount(self.amount)
    }

    /// The legal citation in Chinese: source and article.
    #[must_use]
    pub fn citation(&self) -> String {
        if self.article == ARTICLE_TO_CONFIRM {
            format!("{}（条款待核实）", self.source)
        } else {
            format!("{}{}", self.source, self.article)
        }
    }

    /// The last day of the period that starts on `start` (the start day is not
    /// counted), skipping `excluded` intervals. See [`crate::calendar`] for the rules.
    pub fn due_date(
        &self,
        calendar: &WorkCalendar,
        start: NaiveDate,
        excluded: &[DateRange],
    ) -> Result<NaiveDate, DueDateError> {
        let amount = self.amount;
        let due = match self.unit {
            Unit::WorkingDays => calendar.add_working_days(start, amount, excluded)?,
            Unit::CalendarDays => calendar.add_calendar_days(start, amount, excluded)?,
            Unit::Months => calendar.add_months(start, amount, excluded)?,
            Unit::Years => {
                let months = amount.checked_mul(12).ok_or(CalendarError::DateOverflow)?;
                calendar.add_months(start, months, excluded)?
            }
            unit @ (Unit::Hours | Unit::Minutes) => return Err(DueDateError::NotDateBased(unit)),
        };
        Ok(due)
    }
}

/// The row of `kind` (its snake_case name) in force on `date`, if any.
#[must_use]
pub fn rule_for<'a>(rules: &'a [TimeLimit], kind: &str, date: NaiveDate) -> Option<&'a TimeLimit> {
    rules
        .iter()
        .find(|rule| rule.kind.as_str() == kind && rule.in_force_on(date))
}

const TIME_LIMITS_HEADER: [&str; 9] = [
    "kind",
    "amount",
    "unit",
    "source",
    "article",
    "valid_from",
    "valid_to",
    "confirmed",
    "note",
];

/// Parses `data/time_limits.csv` (header
/// `kind,amount,unit,source,article,valid_from,valid_to,confirmed,note`). Errors name
/// the line; rows of one kind whose validity overlaps are rejected.
pub fn parse_time_limits_csv(text: &str) -> Result<Vec<TimeLimit>, CsvError> {
    let rows = csv_records(text, &TIME_LIMITS_HEADER)?
        .into_iter()
        .map(|(line, fields)| {
            parse_time_limit_row(&fields)
                .map(|rule| (line, rule))
                .map_err(|message| CsvError::new(line, message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_no_overlap(&rows)?;
    Ok(rows.into_iter().map(|(_, rule)| rule).collect())
}

fn required(field: &str, name: &str) -> Result<String, String> {
    let value = field.trim();
    if value.is_empty() {
        Err(format!("{name}为空"))
    } else {
        Ok(value.to_owned())
    }
}

fn parse_time_limit_row(fields: &[String]) -> Result<TimeLimit, String> {
    let field = |i: usize| fields[i].trim();
    let kind = field(0).parse().map_err(|e: UnknownKind| e.to_string())?;
    let amount = field(1)
        .parse()
        .map_err(|_| format!("数量“{}”应为非负整数", field(1)))?;
    let unit = field(2).parse()?;
    let source = required(field(3), "法律依据（source）")?;
    let article = required(field(4), "条款（article）")?;
    let valid_from = parse_iso_date(field(5))?;
    let valid_to = match field(6) {
        "" => None,
        text => Some(parse_iso_date(text)?),
    };
    if valid_to.is_some_and(|end| end < valid_from) {
        return Err("失效日期（valid_to）早于生效日期（valid_from）".to_owned());
    }
    let confirmed = match field(7) {
        "true" => true,
        "false" => false,
        other => return Err(format!("confirmed应为true或false，实际为“{other}”")),
    };
    Ok(TimeLimit {
        kind,
        amount,
        unit,
        source,
        article,
        valid_from,
        valid_to,
        confirmed,
        note: field(8).to_owned(),
    })
}

fn check_no_overlap(rows: &[(usize, TimeLimit)]) -> Result<(), CsvError> {
    let mut by_kind: BTreeMap<TimeLimitKind, Vec<&(usize, TimeLimit)>> = BTreeMap::new();
    for row in rows {
        by_kind.entry(row.1.kind).or_default().push(row);
    }
    for versions in by_kind.values_mut() {
        versions.sort_by_key(|(_, rule)| rule.valid_from);
        for pair in versions.windows(2) {
            let (earlier, (line, later)) = (&pair[0].1, pair[1]);
            if earlier.valid_to.is_none_or(|end| end >= later.valid_from) {
                return Err(CsvError::new(
                    *line,
                    format!(
                        "“{}”的有效期与{}起施行的另一行重叠",
                        later.kind, earlier.valid_from
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_holiday_csv;

    const REAL_CSV: &str = include_str!("../../../data/time_limits.csv");
    const HOLIDAYS: &str = include_str!("../../../data/cn_holidays.csv");

    fn d(text: &str) -> NaiveDate {
        parse_iso_date(text).unwrap()
    }

    fn rules() -> Vec<TimeLimit> {
        parse_time_limits_csv(REAL_CSV).unwrap()
    }

    fn calendar() -> WorkCalendar {
        WorkCalendar::new(2020..=2026, parse_holiday_csv(HOLIDAYS).unwrap()).unwrap()
    }

    #[test]
    fn complaint_acceptance_follows_the_order_in_force() {
        let rules = rules();
        let before = rule_for(&rules, "complaint_acceptance", d("2026-04-14")).unwrap();
        assert!(before.source.contains("总局令第20号"), "{}", before.source);
        assert_eq!(before.article, "第十四条");
        assert!(before.confirmed);
        let after = rule_for(&rules, "complaint_acceptance", d("2026-04-15")).unwrap();
        assert!(after.source.contains("总局令第121号"), "{}", after.source);
        assert!(!after.confirmed);
        assert_eq!((before.amount, before.unit), (7, Unit::WorkingDays));
        assert!(rule_for(&rules, "complaint_acceptance", d("2019-12-31")).is_none());
    }

    #[test]
    fn every_kind_has_data_and_names_are_stable_snake_case() {
        let rules = rules();
        for kind in TimeLimitKind::ALL {
            assert!(rules.iter().any(|r| r.kind == *kind), "{kind} has no row");
            let name = kind.as_str();
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}"
            );
            assert_eq!(name.parse::<TimeLimitKind>(), Ok(*kind));
            assert!(!kind.label().is_empty());
        }
        let mut names: Vec<&str> = TimeLimitKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TimeLimitKind::ALL.len());
    }

    #[test]
    fn real_table_is_consistent() {
        let rules = rules();
        assert_eq!(rules.len(), 137);
        for rule in &rules {
            if rule.article.contains(ARTICLE_TO_CONFIRM) {
                assert!(
                    !rule.confirmed,
                    "{} cites no article but is confirmed",
                    rule.kind
                );
            }
            assert!(
                rule.source.starts_with('《') || rule.source.contains("规范"),
                "{}",
                rule.kind
            );
        }
        // The named kinds exist.
        for kind in [
            "complaint_acceptance",
            "complaint_mediation",
            "lead_verification",
            "lead_verification_extension",
            "case_decision",
            "case_decision_extension",
            "simplified_deregistration_notice",
            "food_retest_request",
        ] {
            assert!(rule_for(&rules, kind, d("2026-01-05")).is_some(), "{kind}");
        }
    }

    #[test]
    fn due_dates_use_the_calendar() {
        let rules = rules();
        let calendar = calendar();
        let acceptance = rule_for(&rules, "complaint_acceptance", d("2025-09-26")).unwrap();
        assert_eq!(
            acceptance.due_date(&calendar, d("2025-09-26"), &[]),
            Ok(d("2025-10-13"))
        );
        assert_eq!(acceptance.period_text(), "7个工作日");
        assert!(acceptance.citation().ends_with("第十四条"));

        let decision = rule_for(&rules, "case_decision", d("2026-02-01")).unwrap();
        assert_eq!(
            decision.due_date(&calendar, d("2026-02-01"), &[]),
            Ok(d("2026-05-06"))
        );

        let special = rule_for(&rules, "special_mark_wait", d("2026-01-05")).unwrap();
        assert_eq!(
            special.due_date(&calendar, d("2025-12-31"), &[]),
            Ok(d("2026-06-30"))
        );

        let limitation = rule_for(&rules, "penalty_limitation", d("2025-01-02")).unwrap();
        assert_eq!(
            limitation.due_date(&calendar, d("2025-01-02"), &[]),
            Err(DueDateError::Calendar(CalendarError::YearNotCovered(2027)))
        );

        let rapid = rule_for(&rules, "rapid_test_objection", d("2026-01-05")).unwrap();
        let err = rapid.due_date(&calendar, d("2026-01-05"), &[]).unwrap_err();
        assert_eq!(err.code(), "not_date_based");
        assert!(err.to_string().contains("小时"));
    }

    #[test]
    fn csv_errors_carry_line_numbers() {
        let header = TIME_LIMITS_HEADER.join(",");
        let row = "complaint_acceptance,7,working_days,《某办法》,第一条,2020-01-01,,true,";
        let cases = [
            (format!("{header}\nno_such_kind,7,working_days,《某办法》,第一条,2020-01-01,,true,"), 2, "未知"),
            (format!("{header}\n{row}\ncomplaint_acceptance,-1,working_days,《某办法》,第一条,2020-01-01,,true,"), 3, "数量"),
            (format!("{header}\ncomplaint_acceptance,7,weeks,《某办法》,第一条,2020-01-01,,true,"), 2, "单位"),
            (format!("{header}\ncomplaint_acceptance,7,working_days,,第一条,2020-01-01,,true,"), 2, "source"),
            (format!("{header}\ncomplaint_acceptance,7,working_days,《某办法》,,2020-01-01,,true,"), 2, "article"),
            (format!("{header}\ncomplaint_acceptance,7,working_days,《某办法》,第一条,2020-01-01,2019-01-01,true,"), 2, "早于"),
            (format!("{header}\ncomplaint_acceptance,7,working_days,《某办法》,第一条,2020-01-01,,yes,"), 2, "confirmed"),
            (format!("{header}\n{row}\n{row}"), 3, "重叠"),
            ("kind,amount\n".to_owned(), 1, "表头"),
        ];
        for (text, line, needle) in cases {
            let err = parse_time_limits_csv(&text).unwrap_err();
            assert_eq!(err.line, line, "{err}");
            assert!(err.message.contains(needle), "{err}");
        }
    }

    #[test]
    fn adjacent_versions_do_not_overlap() {
        let header = TIME_LIMITS_HEADER.join(",");
        let text = format!(
            "{header}\n\
             case_decision,90,calendar_days,《甲》,第一条,2020-01-01,2021-07-14,true,\n\
             case_decision,90,calendar_days,《乙》,第二条,2021-07-15,,true,\n"
        );
        let rules = parse_time_limits_csv(&text).unwrap();
        assert_eq!(
            rule_for(&rules, "case_decision", d("2021-07-14"))
                .unwrap()
                .source,
            "《甲》"
        );
        assert_eq!(
            rule_for(&rules, "case_decision", d("2021-07-15"))
                .unwrap()
                .source,
            "《乙》"
        );
    }

    #[test]
    fn kinds_serialise_as_names() {
        let json = serde_json::to_string(&TimeLimitKind::CaseDecision).unwrap();
        assert_eq!(json, "\"case_decision\"");
        assert_eq!(
            serde_json::from_str::<TimeLimitKind>(&json).unwrap(),
            TimeLimitKind::CaseDecision
        );
        assert!(serde_json::from_str::<TimeLimitKind>("\"nope\"").is_err());
        assert_eq!(
            serde_json::to_string(&Unit::WorkingDays).unwrap(),
            "\"working_days\""
        );
    }
}
