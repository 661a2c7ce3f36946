//! Annual reports and the lists they feed (rules-cn.md §4): who must report for which year
//! and by when, the abnormal operations list (经营异常名录) and its grounds, the abnormal
//! status mark of individual businesses, removal once a ground is cured, and the
//! three-year escalation to the serious dishonesty list (严重违法失信名单).
//!
//! Sources: 企业信息公示暂行条例 (国务院令第654号) Art.8–9, 12, 17; 市场主体登记管理条例实施
//! 细则 Art.63, 70; 企业经营异常名录管理办法; 个体工商户年度报告办法; 市场监督管理信用修复
//! 管理办法 (2021). Periods that are UNCONFIRMED (the removal decision period) are rows of
//! the time-limit table, not constants here.

use super::EntityKind;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Which list an entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    /// 经营异常名录: enterprises and farmers' cooperatives.
    Abnormal,
    /// 经营异常状态: individual businesses are marked, not listed.
    AbnormalMark,
    /// 严重违法失信名单.
    Dishonesty,
}

impl List {
    /// Every list.
    pub const ALL: [Self; 3] = [Self::Abnormal, Self::AbnormalMark, Self::Dishonesty];

    /// Stable identifier.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Abnormal => "abnormal",
            Self::AbnormalMark => "abnormal_mark",
            Self::Dishonesty => "dishonesty",
        }
    }

    /// The Chinese name shown to people.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Abnormal => "经营异常名录",
            Self::AbnormalMark => "经营异常状态",
            Self::Dishonesty => "严重违法失信名单",
        }
    }

    /// The list from its identifier.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == code)
    }

    /// The list a ground of the abnormal list puts an entity of `kind` on.
    #[must_use]
    pub const fn abnormal_for(kind: EntityKind) -> Self {
        match kind {
            EntityKind::IndividualBusiness => Self::AbnormalMark,
            EntityKind::Enterprise | EntityKind::Cooperative => Self::Abnormal,
        }
    }

    /// The value of the entity's list-status column while an entry of this list is open
    /// (the dishonesty list outranks the abnormal one).
    #[must_use]
    pub const fn status_value(self) -> &'static str {
        match self {
            Self::Abnormal | Self::AbnormalMark => "abnormal",
            Self::Dishonesty => "dishonesty",
        }
    }
}

/// Why an entity is listed, with what cures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    /// 未按照规定期限公示年度报告.
    AnnualReportNotFiled,
    /// 未在责令的期限内公示有关企业信息.
    OrderedPublicationNotMade,
    /// 公示企业信息隐瞒真实情况、弄虚作假.
    FalseInformation,
    /// 通过登记的住所或者经营场所无法联系.
    UnreachableAtAddress,
    /// 列入经营异常名录届满3年仍未履行相关义务 (the serious list's ground).
    AbnormalThreeYears,
}

impl Ground {
    /// Every ground.
    pub const ALL: [Self; 5] = [
        Self::AnnualReportNotFiled,
        Self::OrderedPublicationNotMade,
        Self::FalseInformation,
        Self::UnreachableAtAddress,
        Self::AbnormalThreeYears,
    ];

    /// The grounds an officer records (the annual-report ground is the job's).
    pub const RECORDED_BY_OFFICERS: [Self; 3] = [
        Self::OrderedPublicationNotMade,
        Self::FalseInformation,
        Self::UnreachableAtAddress,
    ];

    /// Stable identifier.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AnnualReportNotFiled => "annual_report_not_filed",
            Self::OrderedPublicationNotMade => "ordered_publication_not_made",
            Self::FalseInformation => "false_information",
            Self::UnreachableAtAddress => "unreachable_at_address",
            Self::AbnormalThreeYears => "abnormal_three_years",
        }
    }

    /// The ground from its identifier.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == code)
    }

    /// The reason as published (for the annual-report ground, with the year).
    #[must_use]
    pub fn reason_zh(self, report_year: Option<i32>) -> String {
        match self {
            Self::AnnualReportNotFiled => match report_year {
                Some(y) => format!("未按照规定期限公示{y}年度报告"),
                None => "未按照规定期限公示年度报告".to_owned(),
            },
            Self::OrderedPublicationNotMade => {
                "未在市场监督管理部门责令的期限内公示有关企业信息".to_owned()
            }
            Self::FalseInformation => "公示企业信息隐瞒真实情况、弄虚作假".to_owned(),
            Self::UnreachableAtAddress => "通过登记的住所或者经营场所无法联系".to_owned(),
            Self::AbnormalThreeYears => "被列入经营异常名录届满3年仍未履行相关义务".to_owned(),
        }
    }

    /// The rule cited beside 条例 Art.17 in the listing decision (企业经营异常名录管理办法,
    /// 2014, Art.4; the article numbers under Order 101 are UNCONFIRMED).
    #[must_use]
    pub const fn legal_basis(self) -> &'static str {
        match self {
            Self::AnnualReportNotFiled => "《企业经营异常名录管理办法》第四条第（一）项",
            Self::OrderedPublicationNotMade => "《企业经营异常名录管理办法》第四条第（二）项",
            Self::FalseInformation => "《企业经营异常名录管理办法》第四条第（三）项",
            Self::UnreachableAtAddress => "《企业经营异常名录管理办法》第四条第（四）项",
            Self::AbnormalThreeYears => "《市场监督管理严重违法失信名单管理办法》第十三条",
        }
    }

    /// The rule cited in the removal decision (企业经营异常名录管理办法, 2014, Art.11–14;
    /// UNCONFIRMED under Order 101, like [`Self::legal_basis`]).
    #[must_use]
    pub const fn removal_basis(self) -> &'static str {
        match self {
            Self::AnnualReportNotFiled => "《企业经营异常名录管理办法》第十一条",
            Self::OrderedPublicationNotMade => "《企业经营异常名录管理办法》第十二条",
            Self::FalseInformation => "《企业经营异常名录管理办法》第十三条",
            Self::UnreachableAtAddress => "《企业经营异常名录管理办法》第十四条",
            Self::AbnormalThreeYears => "《市场监督管理信用修复管理办法》",
        }
    }

    /// What cures the ground (the removal application must name it).
    #[must_use]
    pub const fn cure(self) -> Cure {
        match self {
            Self::AnnualReportNotFiled => Cure::ReportFiled,
            Self::OrderedPublicationNotMade => Cure::InformationPublished,
            Self::FalseInformation => Cure::InformationCorrected,
            Self::UnreachableAtAddress => Cure::ContactRestored,
            Self::AbnormalThreeYears => Cure::CreditRepaired,
        }
    }
}

/// How a ground was cured (信用修复管理办法: the four cure types, plus credit repair of
/// the serious list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cure {
    /// 补报并公示年度报告.
    ReportFiled,
    /// 公示了责令公示的信息.
    InformationPublished,
    /// 更正了公示信息.
    InformationCorrected,
    /// 办理住所变更登记或者恢复联系.
    ContactRestored,
    /// 信用修复.
    CreditRepaired,
}

impl Cure {
    /// Stable identifier.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReportFiled => "report_filed",
            Self::InformationPublished => "information_published",
            Self::InformationCorrected => "information_corrected",
            Self::ContactRestored => "contact_restored",
            Self::CreditRepaired => "credit_repaired",
        }
    }

    /// The Chinese wording in a removal decision.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::ReportFiled => "已补报并公示年度报告",
            Self::InformationPublished => "已依照规定公示有关企业信息",
            Self::InformationCorrected => "已更正公示信息",
            Self::ContactRestored => "已办理住所（经营场所）变更登记或者恢复联系",
            Self::CreditRepaired => "已完成信用修复",
        }
    }
}

/// The annual report filing window for `report_year`: 1 January to 30 June of the next
/// year (条例 Art.8).
#[must_use]
pub fn filing_window(report_year: i32) -> (NaiveDate, NaiveDate) {
    let next = report_year + 1;
    (
        NaiveDate::from_ymd_opt(next, 1, 1).expect("valid date"),
        NaiveDate::from_ymd_opt(next, 6, 30).expect("valid date"),
    )
}

/// The report year whose filing window closed most recently before `as_of`.
#[must_use]
pub fn last_closed_report_year(as_of: NaiveDate) -> i32 {
    let (_, end) = filing_window(as_of.year() - 1);
    if as_of > end {
        as_of.year() - 1
    } else {
        as_of.year() - 2
    }
}

/// Whether an entity established on `established_on` must report for `report_year`: an
/// entity established in a year reports from the next year on (条例 Art.8, 细则 Art.63).
#[must_use]
pub fn must_report(established_on: NaiveDate, report_year: i32) -> bool {
    established_on.year() <= report_year
}

/// Whether a report for `report_year` filed on `filed_on` is late.
#[must_use]
pub fn is_late(report_year: i32, filed_on: NaiveDate) -> bool {
    filed_on > filing_window(report_year).1
}

/// An error of the annual-report rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The year has not ended yet.
    #[error("{0}年度尚未结束，年度报告自次年1月1日起报送")]
    YearNotEnded(i32),
    /// A year before the commercial registration system's records, or not a year at all.
    #[error("年度 {0} 无效")]
    YearOutOfRange(i32),
    /// The entity did not exist in that year.
    #[error("该主体于{established}成立，{year}年度无需报送年度报告（成立当年的年度报告自下一年度起报送）")]
    NotRequired {
        /// The report year.
        year: i32,
        /// The establishment date.
        established: NaiveDate,
    },
}

impl ReportError {
    /// Stable code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::YearNotEnded(_) => "report_year_not_ended",
            Self::YearOutOfRange(_) => "report_year_out_of_range",
            Self::NotRequired { .. } => "report_not_required",
        }
    }
}

/// The first year annual reports exist for (the annual report replaced the annual
/// inspection from 2014; earlier years are accepted for migrated records).
pub const FIRST_REPORT_YEAR: i32 = 1980;

/// Checks that a report for `report_year` may be filed on `today` by an entity established
/// on `established_on` (late filing is allowed; it is marked late).
pub fn check_filing(
    report_year: i32,
    today: NaiveDate,
    established_on: Option<NaiveDate>,
) -> Result<(), ReportError> {
    if report_year < FIRST_REPORT_YEAR {
        return Err(ReportError::YearOutOfRange(report_year));
    }
    if report_year >= today.year() {
        return Err(ReportError::YearNotEnded(report_year));
    }
    if today < filing_window(report_year).0 {
        return Err(ReportError::YearNotEnded(report_year));
    }
    match established_on {
        Some(e) if !must_report(e, report_year) => Err(ReportError::NotRequired {
            year: report_year,
            established: e,
        }),
        _ => Ok(()),
    }
}

/// The optional sections of an annual report the filer may keep private (条例 Art.9:
/// items 1–6 are public for enterprises; item 7, the financial figures, is the filer's
/// choice). Individual businesses choose for every section.
pub const OPTIONAL_PARTS_ENTERPRISE: &[&str] = &["employees", "finance"];

/// Every section of the report, in the order shown.
pub const ALL_PARTS: &[&str] = &[
    "contact",
    "operating_status",
    "investments",
    "contributions",
    "equity_transfers",
    "websites",
    "employees",
    "finance",
];

/// The sections that are public for an entity of `kind` that chose `chosen` optional ones.
#[must_use]
pub fn public_parts(kind: EntityKind, chosen: &[String]) -> Vec<&'static str> {
    ALL_PARTS
        .iter()
        .copied()
        .filter(|p| match kind {
            EntityKind::IndividualBusiness => chosen.iter().any(|c| c == p),
            EntityKind::Enterprise | EntityKind::Cooperative => {
                !OPTIONAL_PARTS_ENTERPRISE.contains(p) || chosen.iter().any(|c| c == p)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_window_closes_on_30_june_of_the_next_year() {
        assert_eq!(filing_window(2025), (d("2026-01-01"), d("2026-06-30")));
        assert_eq!(last_closed_report_year(d("2026-06-30")), 2024);
        assert_eq!(last_closed_report_year(d("2026-07-01")), 2025);
        assert_eq!(last_closed_report_year(d("2026-07-15")), 2025);
        assert!(!is_late(2025, d("2026-06-30")));
        assert!(is_late(2025, d("2026-07-01")));
    }

    #[test]
    fn an_entity_reports_from_the_year_after_it_was_established() {
        assert!(!must_report(d("2026-03-01"), 2025));
        assert!(must_report(d("2025-12-31"), 2025));
        assert_eq!(
            check_filing(2025, d("2026-02-01"), Some(d("2026-01-05")))
                .unwrap_err()
                .code(),
            "report_not_required"
        );
        assert_eq!(
            check_filing(2026, d("2026-11-01"), Some(d("2020-01-05")))
                .unwrap_err()
                .code(),
            "report_year_not_ended"
        );
        assert!(check_filing(2025, d("2026-09-01"), Some(d("2020-01-05"))).is_ok());
        // Years far out of range are refused, never a panic.
        for y in [i32::MIN, -1, 0, 1979, 262_142, i32::MAX] {
            assert!(check_filing(y, d("2026-09-01"), None).is_err(), "{y}");
        }
    }

    #[test]
    fn individual_businesses_are_marked_and_enterprises_listed() {
        assert_eq!(
            List::abnormal_for(EntityKind::IndividualBusiness),
            List::AbnormalMark
        );
        assert_eq!(List::abnormal_for(EntityKind::Cooperative), List::Abnormal);
        assert_eq!(List::AbnormalMark.status_value(), "abnormal");
    }

    #[test]
    fn financial_figures_are_public_only_when_chosen() {
        let none: Vec<String> = Vec::new();
        let e = public_parts(EntityKind::Enterprise, &none);
        assert!(e.contains(&"contact") && !e.contains(&"finance"));
        let chosen = vec!["finance".to_owned()];
        assert!(public_parts(EntityKind::Enterprise, &chosen).contains(&"finance"));
        assert_eq!(
            public_parts(EntityKind::IndividualBusiness, &chosen),
            vec!["finance"]
        );
    }

    #[test]
    fn every_ground_has_a_reason_basis_and_cure() {
        for g in Ground::ALL {
            assert_eq!(Ground::from_code(g.as_str()), Some(g));
            assert!(!g.reason_zh(Some(2025)).is_empty());
            assert!(g.legal_basis().contains('《') && g.removal_basis().contains('《'));
            assert!(!g.cure().label_zh().is_empty());
        }
        assert!(Ground::AnnualReportNotFiled
            .reason_zh(Some(2025))
            .contains("2025年度"));
    }
}
