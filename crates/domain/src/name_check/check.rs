//! The check of a proposed name against the rules and against existing names.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::divisions::Divisions;
use super::parse::{normalize_name, normalized_chars, parse, ParsedName};
use super::similar::{one_edit_apart, reordered, same_pinyin, PinyinSource};
use super::verdict::{Reason, Rule, Verdict};
use super::words::{
    classes_of, name_words, tables, OrgFormClass, OrgFormRow, RestrictedUse, WordKind,
};
use crate::division::DivisionCode;
use crate::entity::{EnterpriseType, EntityKind, EntityStatus};

/// At most this many similarity warnings (same pinyin, reordered, one character apart)
/// are listed; the rest are counted in [`Verdict::similar_omitted`].
pub const MAX_SIMILAR_REASONS: usize = 20;

/// A proposed name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The name as typed.
    pub name: String,
    /// The type of entity to register.
    pub entity_type: EnterpriseType,
    /// GB/T 4754-2017 code of the main business (`5610`, `561`, `56`, or with its
    /// section letter `H5610`); `None` when not yet chosen.
    pub industry_code: Option<String>,
    /// The division where the entity is located (its domicile), county or township
    /// level.
    pub division: DivisionCode,
}

/// Where an existing name stands, for 规定 Art 17.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameStatus {
    /// The name of a registered entity: active, dormant, or licence revoked but not
    /// deregistered (吊销未注销 still counts as registered: name-rules.md S3).
    InUse,
    /// A reserved name within its reservation period (规定 Art 18).
    Reserved,
    /// A former name, changed away from; protected until `protected_until`.
    Changed,
    /// The name of a deregistered entity (注销); protected until `protected_until`.
    Deregistered,
    /// The name of an entity whose registration was revoked (撤销登记); protected until
    /// `protected_until`.
    Cancelled,
    /// The entity moved to another registration authority (迁出).
    MovedOut,
}

impl From<EntityStatus> for NameStatus {
    fn from(status: EntityStatus) -> Self {
        match status {
            EntityStatus::Active | EntityStatus::Dormant | EntityStatus::Revoked => Self::InUse,
            EntityStatus::Deregistered => Self::Deregistered,
            EntityStatus::Cancelled => Self::Cancelled,
            EntityStatus::MovedOut => Self::MovedOut,
        }
    }
}

/// An existing (or formerly used, or reserved) name to compare against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExistingName {
    /// The full name.
    pub name: String,
    /// Its 字号, as [`parse`] gives it (stored with the name).
    pub trade_name: String,
    /// GB/T 4754-2017 code of the entity's main business, if known.
    pub industry_code: Option<String>,
    /// The division of the registration authority or domicile, if known; names outside
    /// the proposal's 设区的市 are not compared (name-rules.md S2). `None`: the caller
    /// has already limited the names to the area.
    pub division: Option<DivisionCode>,
    /// Where the name stands.
    pub status: NameStatus,
    /// For [`NameStatus::Changed`], [`NameStatus::Deregistered`] and
    /// [`NameStatus::Cancelled`]: the last day of the one-year protection (规定 Art 17:
    /// the day of the change, deregistration or revocation plus one year). Ignored for
    /// names in use or reserved.
    pub protected_until: Option<NaiveDate>,
}

/// A well-known trade mark or influential name (data kept by administrators: 驰名商标,
/// 有一定影响的企业名称或者字号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WellKnownName {
    /// The mark or 字号 (中国石化, 茅台).
    pub name: String,
    /// Who holds it and on what basis, shown to the applicant.
    pub note: String,
}

/// What the checker needs besides the names: division names, readings and the list of
/// well-known names.
#[derive(Clone, Copy)]
pub struct Lookups<'a> {
    /// Division names for [`parse`].
    pub divisions: &'a Divisions,
    /// Readings for the same-pinyin rule.
    pub pinyin: &'a dyn PinyinSource,
    /// Well-known marks and names.
    pub well_known: &'a [WellKnownName],
}

/// The GB/T 4754 division (大类, two digits) of an industry code: `5610`, `H5610`,
/// `561`, `56` → `56`. `None` for anything else.
///
/// "Same industry" for 规定 Art 17 is decided on the 大类: how 同行业 is decided is
/// UNCONFIRMED (name-rules.md S2); the 大类 is the level at which industry wording
/// usually differs (餐饮业 vs 零售业) while synonyms (地产, 房地产, 置业: all 70) fall
/// together.
#[must_use]
pub fn industry_division(code: &str) -> Option<&str> {
    let code = code.trim();
    let digits = code
        .strip_prefix(|c: char| c.is_ascii_uppercase())
        .unwrap_or(code);
    (digits.len() >= 2 && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| &digits[..2])
}

/// Checks `proposal` against the rules and against `existing` on `today`.
///
/// `existing` are the candidates to compare with: pass [`super::NameIndex::candidates`]
/// (or any pre-filtered list); every rule on the name itself runs regardless. Names
/// outside the proposal's 设区的市 are skipped (when their division is known).
///
/// Rules (codes in [`Rule`]) in order: the name's characters; its organisational form
/// against the entity type; branch and group forms; the division; the 字号; prohibited
/// and restricted words; identical 字号 (规定 Art 17); similar 字号; well-known names.
pub fn check<'e, I>(
    proposal: &Proposal,
    existing: I,
    today: NaiveDate,
    lookups: &Lookups<'_>,
) -> Verdict
where
    I: IntoIterator<Item = &'e ExistingName>,
{
    let parsed = parse(&proposal.name, lookups.divisions);
    let mut reasons = Vec::new();
    if parsed.name.is_empty() {
        reasons.push(Reason::reject(Rule::NameEmpty, "请输入拟申报的企业名称"));
        return Verdict::new(reasons, 0, parsed);
    }
    check_characters(&parsed, &mut reasons);
    check_org_form(&parsed, proposal.entity_type, &mut reasons);
    check_division(&parsed, proposal, lookups.divisions, &mut reasons);
    check_trade_name(&parsed, lookups.divisions, &mut reasons);
    check_words(&parsed, proposal.entity_type, &mut reasons);
    let omitted = compare(&parsed, proposal, existing, today, lookups, &mut reasons);
    check_well_known(&parsed, lookups, &mut reasons);
    Verdict::new(reasons, omitted, parsed)
}

// ---------------------------------------------------------------------------
// The name itself
// ---------------------------------------------------------------------------

/// 规范汉字: CJK unified ideographs (basic block and extensions), and the brackets of
/// a bracketed division or form. Compatibility ideographs are variants, not 规范汉字.
fn is_allowed_char(c: char) -> bool {
    matches!(c,
        '（' | '）'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{323AF}')
}

fn check_characters(parsed: &ParsedName, reasons: &mut Vec<Reason>) {
    let mut bad: Vec<char> = Vec::new();
    for c in parsed.name.chars().filter(|&c| !is_allowed_char(c)) {
        if !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        let shown: String = bad.iter().take(10).collect();
        reasons.push(Reason::reject(
            Rule::InvalidCharacters,
            format!(
                "名称应当使用规范汉字，不得含有字母、数字、符号或外文（含有：{shown}）；\
                 外文名称应当与中文名称相一致，另行翻译（办法第七条）"
            ),
        ));
    }
    let opens = parsed.name.matches('（').count();
    let closes = parsed.name.matches('）').count();
    if opens != closes {
        reasons.push(Reason::reject(
            Rule::InvalidCharacters,
            "名称中的括号不成对，请检查",
        ));
    }
}

/// The classes of a (possibly combined) form: the whole form, else its bracketed tail
/// (店（个人独资） → （个人独资）).
fn form_rows(form: &str) -> Vec<&'static OrgFormRow> {
    let rows: Vec<_> = classes_of(form).collect();
    if !rows.is_empty() {
        return rows;
    }
    form.find('（')
        .map(|i| classes_of(&form[i..]).collect())
        .unwrap_or_default()
}

/// What a type of entity must write as its form.
struct FormRequirement {
    /// Acceptable classes.
    classes: &'static [OrgFormClass],
    /// Classes that contradict the liability form: rejected.
    contradicting: &'static [OrgFormClass],
    /// Whether a missing or other form rejects (the requirement is in a law text that
    /// was read) or only warns (UNCONFIRMED).
    confirmed: bool,
    /// The source cited.
    source: &'static str,
}

const COMPANY_AND_PARTNERSHIP: &[OrgFormClass] = &[
    OrgFormClass::LimitedCompany,
    OrgFormClass::JointStockCompany,
    OrgFormClass::GeneralPartnership,
    OrgFormClass::SpecialGeneralPartnership,
    OrgFormClass::LimitedPartnership,
];

const LIABILITY_FORMS: &[OrgFormClass] = &[
    OrgFormClass::LimitedCompany,
    OrgFormClass::JointStockCompany,
    OrgFormClass::GeneralPartnership,
    OrgFormClass::SpecialGeneralPartnership,
    OrgFormClass::LimitedPartnership,
    OrgFormClass::Cooperative,
];

fn requirement(entity_type: EnterpriseType) -> FormRequirement {
    use EnterpriseType as T;
    use OrgFormClass as C;
    let req = |classes, contradicting, confirmed, source| FormRequirement {
        classes,
        contradicting,
        confirmed,
        source,
    };
    if entity_type.is_limited_company() || entity_type == T::LlcBranch {
        return req(
            &[C::LimitedCompany],
            &[],
            true,
            "规定第十条；公司法（2023）第七条",
        );
    }
    if entity_type.is_joint_stock() || entity_type == T::JointStockBranch {
        return req(
            &[C::JointStockCompany],
            &[],
            true,
            "规定第十条；公司法（2023）第七条",
        );
    }
    match entity_type {
        T::GeneralPartnership => req(
            &[C::GeneralPartnership],
            &[],
            true,
            "规定第十条；合伙企业法第十五条",
        ),
        T::SpecialGeneralPartnership => req(
            &[C::SpecialGeneralPartnership],
            &[],
            true,
            "规定第十条；合伙企业法第五十六条",
        ),
        T::LimitedPartnership => req(
            &[C::LimitedPartnership],
            &[],
            true,
            "规定第十条；合伙企业法第六十二条",
        ),
        T::PartnershipBranch => req(
            &[
                C::GeneralPartnership,
                C::SpecialGeneralPartnership,
                C::LimitedPartnership,
            ],
            &[],
            true,
            "规定第十条、第十三条；合伙企业法第十五条、第五十六条、第六十二条",
        ),
        T::SoleProprietorship | T::SoleProprietorshipBranch => req(
            &[C::SoleProprietorship],
            LIABILITY_FORMS,
            false,
            "规定第十条；个人独资企业法第十一条",
        ),
        T::IndividualBusiness => req(
            &[C::IndividualBusiness],
            LIABILITY_FORMS,
            false,
            "规定第十条、第二十五条；个体工商户名称登记管理办法（2009）第十条、第十一条",
        ),
        T::Cooperative | T::CooperativeUnion | T::CooperativeBranch => req(
            &[C::Cooperative],
            COMPANY_AND_PARTNERSHIP,
            false,
            "规定第十条、第二十五条",
        ),
        T::StateOwnedEnterprise
        | T::CollectiveEnterprise
        | T::StockCooperativeEnterprise
        | T::NonCompanyBranch => req(
            &[C::NonCompanyEnterprise],
            COMPANY_AND_PARTNERSHIP,
            false,
            "规定第十条",
        ),
        // Foreign companies' branches keep their foreign name and liability form
        // (规定 Art 13; 公司法 Art 246): no requirement on the words here.
        _ => req(
            &[],
            &[],
            false,
            "规定第十三条；公司法（2023）第二百四十六条",
        ),
    }
}

fn check_org_form(parsed: &ParsedName, entity_type: EnterpriseType, reasons: &mut Vec<Reason>) {
    let is_branch = entity_type.is_branch();
    match (&parsed.branch, is_branch) {
        (Some(branch), false) => reasons.push(Reason::reject(
            Rule::BranchName,
            format!(
                "“{}”是分支机构的名称用语，{}不是分支机构；请删除该字样或者改按分支机构申报",
                branch.suffix,
                entity_type.label_zh()
            ),
        )),
        (None, true) => reasons.push(Reason::reject(
            Rule::BranchName,
            format!(
                "{}的名称应当由所从属企业的名称加“分公司”“分厂”“分店”等字词构成",
                entity_type.label_zh()
            ),
        )),
        _ => {}
    }
    if let Some(group) = &parsed.group {
        reasons.push(
            Reason::warn(
                Rule::GroupName,
                format!(
                    "名称使用了“{group}”：只有企业集团的控股企业可以在组织形式前使用“集团”或者“（集团）”，\
                     集团名称应当与控股企业名称的行政区划名称、字号、行业或者经营特点一致；请确认符合组建企业集团的条件"
                ),
            )
            .unconfirmed(),
        );
    }

    let req = requirement(entity_type);
    if req.classes.is_empty() {
        return;
    }
    let wanted: Vec<&str> = tables()
        .org_forms
        .iter()
        .filter(|row| req.classes.contains(&row.class) && !row.form.starts_with("合伙企业"))
        .map(|row| row.form.as_str())
        .take(6)
        .collect();
    let wanted = wanted.join("”“");
    let Some(form) = &parsed.org_form else {
        let reason = Reason::reject(
            Rule::OrgFormMissing,
            format!(
                "未识别出组织形式：{}的名称应当以“{wanted}”等与其责任形式相符的字词结尾",
                entity_type.label_zh()
            ),
        )
        .with_source(req.source);
        reasons.push(if req.confirmed {
            reason
        } else {
            reason.unconfirmed()
        });
        return;
    };
    let rows = form_rows(form);
    if rows.iter().any(|row| req.classes.contains(&row.class)) {
        return;
    }
    let contradicting = rows
        .iter()
        .find(|row| req.confirmed || req.contradicting.contains(&row.class));
    let message = |class: Option<OrgFormClass>| {
        let what = class
            .filter(|_| rows.len() == 1)
            .map_or(String::new(), |c| format!("（{}的组织形式）", c.label_zh()));
        format!(
            "组织形式“{form}”{what}与申报的类型“{}”不符：应当使用“{wanted}”等字词；\
             组织形式应当与企业的责任形式相适应",
            entity_type.label_zh()
        )
    };
    match contradicting {
        Some(row) => reasons.push(
            Reason::reject(Rule::OrgFormMismatch, message(Some(row.class))).with_source(req.source),
        ),
        None => reasons.push(
            Reason::reject(
                Rule::OrgFormMismatch,
                message(rows.first().map(|row| row.class)),
            )
            .with_source(req.source)
            .unconfirmed(),
        ),
    }
}

fn check_division(
    parsed: &ParsedName,
    proposal: &Proposal,
    divisions: &Divisions,
    reasons: &mut Vec<Reason>,
) {
    let parts = &parsed.division_parts;
    if parts.is_empty() {
        reasons.push(
            Reason::warn(
                Rule::DivisionMissing,
                "名称中未识别出行政区划名称：除跨省经营的企业等依法可以不含行政区划名称的情形外，\
                 名称应当冠以企业所在地县级以上行政区划名称（如“荆门市”），也可以置于字号之后并加注括号",
            )
            .with_source("规定第六条（可以省略的条件见办法，待核实）"),
        );
    }
    if let Some(last) = parts.last() {
        if let Some(code) = &last.code {
            if !code.contains(&proposal.division) {
                reasons.push(Reason::reject(
                    Rule::DivisionNotLocal,
                    format!(
                        "名称中的行政区划“{}”不是企业所在地（{}）的行政区划：应当使用企业所在地县级以上行政区划名称",
                        last.text, proposal.division
                    ),
                ));
            }
        }
    }
    for (i, part) in parts.iter().enumerate() {
        if !part.is_city_district() {
            continue;
        }
        let parents = part.parent_codes();
        let preceded = parts[..i].iter().any(|p| {
            p.code
                .as_ref()
                .is_some_and(|c| parents.iter().any(|pc| pc == c.as_str()))
        });
        if !preceded {
            reasons.push(Reason::reject(
                Rule::DistrictWithoutCity,
                format!(
                    "市辖区名称“{}”应当与所属市的行政区划名称连用（如“荆门市{}”）",
                    part.text, part.name
                ),
            ));
        }
    }
    // A division written inside the core, after its start, without brackets.
    let core = format!("{}{}", parsed.trade_name, parsed.industry_wording);
    let inside = divisions.find_in(&core).find(|(at, _)| *at > 0);
    if let Some((_, found)) = inside {
        reasons.push(Reason::warn(
            Rule::DivisionNotBracketed,
            format!(
                "字号或行业表述中含有行政区划名称“{0}”：行政区划名称置于字号之后的，应当加注括号，\
                 如“好味道（{0}）餐饮有限公司”；如该字词另有含义，可不予理会",
                found.text
            ),
        ));
    }
}

fn check_trade_name(parsed: &ParsedName, divisions: &Divisions, reasons: &mut Vec<Reason>) {
    let trade = parsed.trade_name.as_str();
    let count = trade.chars().count();
    if count == 0 {
        reasons.push(Reason::reject(
            Rule::TradeNameMissing,
            "未识别出字号：名称应当由行政区划名称、字号、行业或者经营特点、组织形式依次组成，字号不能省略",
        ));
        return;
    }
    if count < 2 {
        reasons.push(Reason::reject(
            Rule::TradeNameTooShort,
            format!("字号“{trade}”只有一个字：字号应当由两个以上汉字组成"),
        ));
    }
    if let Some(part) = divisions.get(trade) {
        reasons.push(Reason::reject(
            Rule::TradeNameIsDivision,
            format!(
                "字号“{trade}”是县级以上行政区划名称（{}），不得用作字号（具有其他含义的除外，需向登记机关说明）",
                part.name
            ),
        ));
    }
    if tables().industry.contains(trade) {
        reasons.push(Reason::reject(
            Rule::TradeNameIsIndustryTerm,
            format!(
                "字号“{trade}”是行业用语，不具有显著性，不得用作字号（具有其他含义的除外，需向登记机关说明）"
            ),
        ));
    }
}

fn check_words(parsed: &ParsedName, entity_type: EnterpriseType, reasons: &mut Vec<Reason>) {
    let name = parsed.name.as_str();
    let individual = entity_type.kind() == EntityKind::IndividualBusiness;
    for w in name_words() {
        let word = w.word.as_str();
        match w.kind {
            WordKind::Prohibited => {
                if w.individual_business_only && !individual {
                    continue;
                }
                if !name.contains(word) {
                    continue;
                }
                let reason = if w.individual_business_only {
                    Reason::reject(
                        Rule::ProhibitedWord,
                        format!("个体工商户名称不得使用“{word}”字样"),
                    )
                } else {
                    Reason::reject(
                        Rule::ProhibitedWord,
                        format!(
                            "名称含有禁止使用的字词“{word}”：企业名称不得损害国家尊严或者利益、社会公共利益，\
                             不得含有可能对公众造成欺骗或者误解等内容；请修改"
                        ),
                    )
                };
                let reason = reason.with_source(format!("规定第十一条；{}", w.source));
                reasons.push(if w.unconfirmed {
                    reason.unconfirmed()
                } else {
                    reason
                });
            }
            WordKind::Restricted => {
                if let Some(use_) = w.restricted_use {
                    check_restricted(
                        parsed,
                        entity_type,
                        w.word.as_str(),
                        use_,
                        &w.source,
                        reasons,
                    );
                }
            }
            WordKind::OrgForm | WordKind::IndustrySuffix => {}
        }
    }
}

fn check_restricted(
    parsed: &ParsedName,
    entity_type: EnterpriseType,
    word: &str,
    use_: RestrictedUse,
    row_source: &str,
    reasons: &mut Vec<Reason>,
) {
    let name = parsed.name.as_str();
    match use_ {
        RestrictedUse::StateApproval { mid_name_confirmed } => {
            if name.starts_with(word) {
                reasons.push(Reason::reject(
                    Rule::RestrictedPrefix,
                    format!(
                        "名称冠以“{word}”：使用“中国”“中华”“中央”“全国”“国家”等字词冠名的，应当按照有关规定从严审核，\
                         并报国务院批准；本系统不能自主申报此类名称"
                    ),
                ));
                return;
            }
            let in_trade = parsed.trade_name.contains(word);
            let in_industry = parsed.industry_wording.contains(word);
            if !(in_trade || in_industry) {
                return;
            }
            let reason = if in_trade {
                Reason::reject(
                    Rule::RestrictedWordMidName,
                    format!(
                        "字号“{}”含有“{word}”：名称中间使用“中国”“中华”“全国”“国家”等字词的，该字词应当是行业限定语，\
                         不得用作字号；以这些字词冠名的须经国务院批准（规定第十二条第一款）",
                        parsed.trade_name
                    ),
                )
            } else {
                Reason::warn(
                    Rule::RestrictedWordMidName,
                    format!(
                        "行业表述“{}”含有“{word}”：名称中间使用该字词的，应当是限定行业的用语（如“中华料理”），\
                         登记机关将审核其是否确属行业限定语",
                        parsed.industry_wording
                    ),
                )
            };
            reasons.push(if mid_name_confirmed {
                reason
            } else {
                reason
                    .with_source("规定第十二条（第二款未列“中央”，待核实）")
                    .unconfirmed()
            });
        }
        RestrictedUse::ForeignInvestorMarker => {
            if !parsed.china_marker {
                return;
            }
            let message =
                "名称含有“（中国）”：只有外商独资或者控股的外商投资企业，使用外国投资者字号的，\
                           才可以在名称中间使用“（中国）”字词";
            let clearly_domestic = matches!(
                entity_type.kind(),
                EntityKind::IndividualBusiness | EntityKind::Cooperative
            ) || matches!(
                entity_type,
                EnterpriseType::LlcNaturalPersonSole
                    | EnterpriseType::LlcNaturalPersonInvested
                    | EnterpriseType::LlcStateSole
                    | EnterpriseType::LlcStateControlled
                    | EnterpriseType::SoleProprietorship
                    | EnterpriseType::StateOwnedEnterprise
                    | EnterpriseType::CollectiveEnterprise
            );
            reasons.push(if clearly_domestic {
                Reason::reject(
                    Rule::ChinaMarker,
                    format!(
                        "{message}；申报的类型“{}”不是外商投资企业",
                        entity_type.label_zh()
                    ),
                )
            } else {
                Reason::warn(
                    Rule::ChinaMarker,
                    format!("{message}；请确认企业为外商独资或者控股，且字号为外国投资者的字号"),
                )
            });
        }
        RestrictedUse::WithDivisionOnly => {
            if name.contains(word) && parsed.division_parts.is_empty() {
                reasons.push(Reason::reject(
                    Rule::ZoneWithoutDivision,
                    format!("名称含有“{word}”：开发区、垦区等区域名称应当与行政区划名称连用，不得单独使用"),
                ));
            }
        }
        RestrictedUse::Other => {
            if !name.contains(word) {
                return;
            }
            let position = if name.starts_with(word) {
                "冠于名称开头"
            } else {
                "用于名称中"
            };
            reasons.push(
                Reason::warn(
                    Rule::RestrictedWord,
                    format!(
                        "名称含有限制使用的字词“{word}”（{position}）：以往的规则限制其使用（如“国际”只能作行业限定语，\
                         “国家级”“最高级”“最佳”等可能误导公众），登记机关可能要求修改"
                    ),
                )
                .with_source(row_source.to_owned())
                .unconfirmed(),
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Comparison with existing names
// ---------------------------------------------------------------------------

/// Whether an existing name still blocks an identical 字号 on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// In use or reserved.
    InUse,
    /// Within the year after change, deregistration or revocation.
    Protected(NaiveDate),
    /// Protection date unknown.
    Unknown,
    /// Protection over, or moved out.
    Free,
}

fn standing(e: &ExistingName, today: NaiveDate) -> Standing {
    match e.status {
        NameStatus::InUse | NameStatus::Reserved => Standing::InUse,
        NameStatus::Changed | NameStatus::Deregistered | NameStatus::Cancelled => {
            match e.protected_until {
                Some(until) if until >= today => Standing::Protected(until),
                Some(_) => Standing::Free,
                None => Standing::Unknown,
            }
        }
        NameStatus::MovedOut => Standing::Free,
    }
}

/// Whether an existing name has no industry wording after its 字号 (规定 Art 17: such
/// names block an identical 字号 in every industry): after the last occurrence of the
/// 字号 come at most a bracket (a division, or a bracketed form), a group marker and
/// an organisational form.
fn lacks_industry_wording(name: &str, trade_name: &str) -> bool {
    let name: Cow<'_, str> = if normalized_chars(name).eq(name.chars()) {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(normalize_name(name))
    };
    let Some(at) = name.rfind(trade_name) else {
        return false;
    };
    let mut rest = &name[at + trade_name.len()..];
    if rest.starts_with('（') {
        if let Some(close) = rest.find('）') {
            rest = &rest[close + '）'.len_utf8()..];
        }
    }
    let t = tables();
    if let Some(g) = t.group_forms.iter().find(|g| rest.starts_with(g.as_str())) {
        rest = &rest[g.len()..];
    }
    rest.is_empty() || !form_rows(rest).is_empty()
}

fn same_area(proposal: &Proposal, e: &ExistingName) -> bool {
    e.division
        .as_ref()
        .is_none_or(|d| d.as_str().get(..4) == proposal.division.as_str().get(..4))
}

/// How two 字号 relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Identical,
    Similar(Rule, &'static str),
}

fn relation(trade: &[char], other: &[char], pinyin: &dyn PinyinSource) -> Option<Relation> {
    Some(if trade == other {
        Relation::Identical
    } else if same_pinyin(trade, other, pinyin) {
        Relation::Similar(Rule::TradeNameSamePinyin, "读音相同")
    } else if reordered(trade, other) {
        Relation::Similar(Rule::TradeNameReordered, "用字相同、顺序不同")
    } else if one_edit_apart(trade, other) {
        Relation::Similar(Rule::TradeNameOneCharApart, "仅一字之差")
    } else {
        return None;
    })
}

/// Compares with every candidate. Cheap tests first (area, the relation of the two
/// 字号 on a reused buffer), so that a long candidate list of unrelated names costs
/// no allocation; returns the number of similarity warnings left out.
fn compare<'e, I>(
    parsed: &ParsedName,
    proposal: &Proposal,
    existing: I,
    today: NaiveDate,
    lookups: &Lookups<'_>,
    reasons: &mut Vec<Reason>,
) -> usize
where
    I: IntoIterator<Item = &'e ExistingName>,
{
    let trade: Vec<char> = parsed.trade_name.chars().collect();
    if trade.len() < 2 {
        return 0;
    }
    let own_industry = proposal
        .industry_code
        .as_deref()
        .and_then(industry_division);
    let mut similar = 0usize;
    let mut omitted = 0usize;
    let mut seen: HashSet<&str> = HashSet::new();
    let mut other: Vec<char> = Vec::new();
    for e in existing {
        if !same_area(proposal, e) {
            continue;
        }
        other.clear();
        other.extend(normalized_chars(&e.trade_name));
        if other.len() < 2 {
            continue;
        }
        let Some(relation) = relation(&trade, &other, lookups.pinyin) else {
            continue;
        };
        let standing = standing(e, today);
        if standing == Standing::Free || !seen.insert(e.name.as_str()) {
            continue;
        }
        let other_trade: String = other.iter().collect();
        let other_industry = e.industry_code.as_deref().and_then(industry_division);
        let same_industry = match (own_industry, other_industry) {
            (Some(a), Some(b)) => Some(a == b),
            _ => None,
        };
        let no_wording = || lacks_industry_wording(&e.name, &other_trade);
        let conflict = |r: Reason| r.with_conflict(&e.name, &other_trade);
        match relation {
            Relation::Identical => {
                let industry_text = match (same_industry, own_industry) {
                    (Some(true), Some(division)) => {
                        format!("同行业（国民经济行业分类第{division}大类）")
                    }
                    _ => "不含行业表述的".to_owned(),
                };
                let blocks = same_industry == Some(true) || no_wording();
                if let Some(reason) = identical_reason(
                    parsed,
                    e,
                    blocks,
                    standing,
                    same_industry,
                    own_industry.is_none(),
                    &industry_text,
                ) {
                    reasons.push(conflict(reason));
                }
            }
            Relation::Similar(rule, how) => {
                if same_industry == Some(false) && !no_wording() {
                    continue;
                }
                similar += 1;
                if similar > MAX_SIMILAR_REASONS {
                    omitted += 1;
                    continue;
                }
                reasons.push(conflict(
                    Reason::warn(
                        rule,
                        format!(
                            "字号“{}”与本市企业名称“{}”的字号“{other_trade}”{how}，可能构成近似名称：\
                             继续申报的，申请人应当承诺因名称近似侵犯他人合法权益的依法承担法律责任（规定第十六条第三款）",
                            parsed.trade_name, e.name
                        ),
                    )
                    .unconfirmed(),
                ));
            }
        }
    }
    omitted
}

/// The finding on an identical 字号 (规定 Art 17), if any.
fn identical_reason(
    parsed: &ParsedName,
    e: &ExistingName,
    blocks: bool,
    standing: Standing,
    same_industry: Option<bool>,
    own_industry_unknown: bool,
    industry_text: &str,
) -> Option<Reason> {
    let trade = &parsed.trade_name;
    let name = &e.name;
    Some(match (blocks, standing) {
        (true, Standing::InUse) => Reason::reject(
            Rule::TradeNameIdentical,
            format!(
                "字号“{trade}”与本市已登记或保留的{industry_text}企业名称“{name}”的字号相同，不能申报；\
                 行政区划名称、行业表述或组织形式不同也不能避免（有投资关系的除外，需向登记机关说明）"
            ),
        ),
        (true, Standing::Protected(until)) => {
            let event = match e.status {
                NameStatus::Changed => "变更",
                NameStatus::Cancelled => "被撤销",
                _ => "注销",
            };
            Reason::reject(
                Rule::TradeNameProtected,
                format!(
                    "字号“{trade}”与{event}不满一年的{industry_text}企业名称“{name}”的字号相同，保护期至{until}，\
                     之前不能申报（有投资关系或者受让该名称的除外，需向登记机关说明）"
                ),
            )
        }
        (true, Standing::Unknown) => Reason::warn(
            Rule::TradeNameIdenticalReview,
            format!(
                "字号“{trade}”与已注销、变更或撤销的企业名称“{name}”的字号相同，但系统中没有其保护期：\
                 注销、变更或撤销不满一年的，不能申报；请登记机关核实"
            ),
        ),
        (false, _) if same_industry.is_none() => {
            let whose = if own_industry_unknown {
                "拟申报名称的"
            } else {
                "该企业的"
            };
            Reason::warn(
                Rule::TradeNameIdenticalReview,
                format!(
                    "字号“{trade}”与企业名称“{name}”的字号相同，因{whose}行业未确定，无法判断是否同行业：\
                     同行业的不能申报，请先选择主营行业"
                ),
            )
        }
        _ => return None,
    })
}

fn check_well_known(parsed: &ParsedName, lookups: &Lookups<'_>, reasons: &mut Vec<Reason>) {
    let trade: Vec<char> = parsed.trade_name.chars().collect();
    for wk in lookups.well_known {
        let mark = normalize_name(&wk.name);
        let chars: Vec<char> = mark.chars().collect();
        if chars.len() < 2 {
            continue;
        }
        let how = if parsed.name.contains(&mark) {
            "含有"
        } else if trade == chars {
            "相同"
        } else if same_pinyin(&trade, &chars, lookups.pinyin) {
            "读音相同"
        } else if trade.len() >= 3 && (reordered(&trade, &chars) || one_edit_apart(&trade, &chars))
        {
            "近似"
        } else {
            continue;
        };
        reasons.push(
            Reason::warn(
                Rule::WellKnownName,
                format!(
                    "名称与知名商标或者有一定影响的名称“{}”{how}（{}）：未经许可使用他人有一定影响的企业名称、字号或者商标，\
                     足以引人误认的，构成不正当竞争，登记机关可以责令停止使用；请确认已获授权或者修改名称",
                    wk.name, wk.note
                ),
            )
            .with_conflict(&wk.name, &wk.name),
        );
    }
}
