//! The one check of an entity's registered items as people and old systems give them
//! (text in, typed items out), shared by the API, the UI forms and the importer. Each
//! refusal names its column, a stable code and a Chinese reason.

use super::{EntityItems, Premises};
use crate::{Result, Store};
use chrono::NaiveDate;
use serde::Deserialize;
use shijian_domain::entity::{
    check_not_excel_mangled, classify, parse_date, EntityKind, EntityStatus,
};
use shijian_domain::id_number::parse_id_number;
use shijian_domain::money::Fen;
use shijian_domain::uscc::parse_uscc;
use std::collections::{HashMap, HashSet};

/// The reference data the check needs, loaded once per import or request.
#[derive(Debug, Clone, Default)]
pub struct Known {
    divisions: HashSet<String>,
    /// Industry code → its section letter.
    industries: HashMap<String, String>,
}

/// Loads the division and industry codes.
pub async fn known(store: &Store) -> Result<Known> {
    let divisions: Vec<String> =
        on_pool!(store, c => sqlx::query_scalar("SELECT code FROM division").fetch_all(c).await)?;
    let industries: Vec<(String, String)> = on_pool!(store, c => sqlx::query_as(
        "SELECT code, section FROM industry").fetch_all(c).await)?;
    Ok(Known {
        divisions: divisions.into_iter().collect(),
        industries: industries.into_iter().collect(),
    })
}

/// A refused field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The glossary name of the column.
    pub column: &'static str,
    pub code: &'static str,
    pub reason: String,
}

fn err(column: &'static str, code: &'static str, reason: impl Into<String>) -> FieldError {
    FieldError {
        column,
        code,
        reason: reason.into(),
    }
}

/// The registered items as text (a form, a JSON body, a spreadsheet row). Amounts are in
/// 万元 as written; dates in any of the accepted forms ([`parse_date`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RawItems {
    pub name: String,
    /// 企业 / 个体工商户 / 农民专业合作社, a detailed enterprise type (有限责任公司（自然人独资）…)
    /// or their codes.
    pub entity_type: String,
    pub legal_rep: String,
    pub legal_rep_id_number: String,
    pub phone: String,
    /// 注册资本（万元）.
    pub registered_capital: String,
    pub capital_currency: String,
    /// 认缴出资额（万元）.
    pub subscribed_capital: String,
    /// 实缴出资额（万元）.
    pub paid_in_capital: String,
    pub contribution_deadline: String,
    pub established_on: String,
    pub domicile: String,
    pub division_code: String,
    pub industry_code: String,
    pub business_scope: String,
    pub registration_authority: String,
    pub parent_uscc: String,
    pub additional_premises: Vec<Premises>,
    /// 登记状态 (存续 / 在业 / 歇业 / 注销 / 吊销 / 撤销 / 迁出 and their long forms).
    pub status: String,
}

/// Checks a credit code (18 characters, check character right); an Excel-mangled number
/// gets its own hint.
pub fn check_uscc(text: &str) -> std::result::Result<String, FieldError> {
    let t = text.trim();
    check_not_excel_mangled(t).map_err(|e| err("uscc", e.code(), e.message()))?;
    parse_uscc(t)
        .into_result()
        .map(|u| u.as_str().to_owned())
        .map_err(|e| err("uscc", e.code(), e.reason()))
}

fn opt(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// An empty or masked value (as an export writes it) means "not given": the registered
/// one is kept.
fn given(s: &str) -> Option<&str> {
    opt(s).filter(|v| !v.contains('*'))
}

fn date(column: &'static str, s: &str) -> std::result::Result<Option<NaiveDate>, FieldError> {
    opt(s)
        .map(|v| parse_date(v).map_err(|e| err(column, e.code(), e.message())))
        .transpose()
}

fn wan(column: &'static str, s: &str) -> std::result::Result<Option<i64>, FieldError> {
    opt(s)
        .map(|v| {
            let fen = Fen::parse_wan_yuan(v)
                .map_err(|e| err(column, e.code(), format!("金额“{v}”无效：{e}")))?;
            if fen.fen() < 0 {
                return Err(err(
                    column,
                    "negative_amount",
                    format!("金额“{v}”不能为负数"),
                ));
            }
            Ok(fen.fen())
        })
        .transpose()
}

impl Known {
    /// Normalises an industry code: GB/T 4754 codes with or without the section letter
    /// (`H6210` or `6210`); it must be in the classification.
    fn industry(&self, s: &str) -> std::result::Result<String, FieldError> {
        let t = s.trim().to_ascii_uppercase();
        let digits = t.trim_start_matches(|c: char| c.is_ascii_uppercase());
        let (code, section) = if digits.is_empty() {
            (t.as_str(), None)
        } else {
            (
                digits,
                Some(&t[..t.len() - digits.len()]).filter(|p| !p.is_empty()),
            )
        };
        match self.industries.get(code) {
            Some(sec) if section.is_none_or(|p| p == sec) => Ok(code.to_owned()),
            _ => Err(err(
                "industry_code",
                "unknown_industry",
                format!("行业代码“{s}”不在国民经济行业分类（GB/T 4754-2017）中"),
            )),
        }
    }

    fn division(&self, column: &'static str, s: &str) -> std::result::Result<String, FieldError> {
        let t = s.trim();
        if self.divisions.contains(t) {
            Ok(t.to_owned())
        } else {
            Err(err(
                column,
                "unknown_division",
                format!("行政区划代码“{t}”不是荆门市的区划代码"),
            ))
        }
    }

    /// Checks every field; returns the items and the status when one was given.
    pub fn check(
        &self,
        raw: &RawItems,
        today: NaiveDate,
    ) -> std::result::Result<(EntityItems, Option<EntityStatus>), FieldError> {
        let name = raw.name.trim();
        if name.is_empty() {
            return Err(err("name", "missing_name", "名称为空"));
        }
        let (kind, detailed) = classify(raw.entity_type.trim()).ok_or_else(|| {
            err(
                "entity_type",
                "bad_entity_type",
                format!(
                    "类型“{}”无效，应为 企业、个体工商户、农民专业合作社 或具体企业类型（如 有限责任公司（自然人独资））",
                    raw.entity_type.trim()
                ),
            )
        })?;
        let legal_rep = raw.legal_rep.trim();
        if legal_rep.is_empty() {
            return Err(err(
                "legal_rep",
                "missing_legal_rep",
                "法定代表人/经营者为空",
            ));
        }
        let legal_rep_id = given(&raw.legal_rep_id_number)
            .map(|v| {
                check_not_excel_mangled(v)
                    .map_err(|e| err("legal_rep_id_number", e.code(), e.message()))?;
                parse_id_number(v, today, &|_: &str| true)
                    .into_result()
                    .map(|n| n.as_str().to_owned())
                    .map_err(|e| err("legal_rep_id_number", e.code(), e.reason()))
            })
            .transpose()?;
        let phone = given(&raw.phone)
            .map(|v| {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                if (7..=12).contains(&digits.len()) {
                    Ok(digits)
                } else {
                    Err(err("phone", "bad_phone", "联系电话应为 7–12 位数字"))
                }
            })
            .transpose()?;
        let division_code = self.division("division_code", &raw.division_code)?;
        let industry_code = match opt(&raw.industry_code) {
            Some(v) => self.industry(v)?,
            None => String::new(),
        };
        let status = opt(&raw.status)
            .map(|v| EntityStatus::parse(v).map_err(|e| err("status", e.code(), e.message())))
            .transpose()?;
        let established_on = date("established_on", &raw.established_on)?;
        if established_on.is_some_and(|d| d > today) {
            return Err(err("established_on", "date_in_future", "成立日期晚于今天"));
        }
        let mut premises = Vec::with_capacity(raw.additional_premises.len());
        for p in &raw.additional_premises {
            premises.push(Premises {
                address: p.address.trim().to_owned(),
                division_code: self.division("additional_premises", &p.division_code)?,
            });
        }
        let parent_uscc = opt(&raw.parent_uscc)
            .map(check_uscc)
            .transpose()
            .map_err(|e| FieldError {
                column: "parent_uscc",
                ..e
            })?;
        let items = EntityItems {
            name: name.to_owned(),
            entity_type: kind.as_str().to_owned(),
            enterprise_type: detailed.map(|t| t.as_str().to_owned()),
            legal_rep: legal_rep.to_owned(),
            legal_rep_id,
            phone,
            division_code,
            domicile: raw.domicile.trim().to_owned(),
            additional_premises: premises,
            registered_capital_fen: wan("registered_capital", &raw.registered_capital)?,
            capital_currency: opt(&raw.capital_currency).unwrap_or("CNY").to_owned(),
            subscribed_capital_fen: wan("subscribed_capital", &raw.subscribed_capital)?,
            paid_in_capital_fen: wan("paid_in_capital", &raw.paid_in_capital)?,
            contribution_deadline: date("contribution_deadline", &raw.contribution_deadline)?,
            business_scope: raw.business_scope.trim().to_owned(),
            industry_code,
            established_on,
            registration_authority: raw.registration_authority.trim().to_owned(),
            parent_uscc,
        };
        if kind == EntityKind::IndividualBusiness && items.parent_uscc.is_some() {
            return Err(err(
                "parent_uscc",
                "parent_not_allowed",
                "个体工商户不设分支机构",
            ));
        }
        Ok((items, status))
    }
}
