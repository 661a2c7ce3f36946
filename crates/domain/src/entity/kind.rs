//! Entity kinds (条例 Art.2) and detailed enterprise types, as written in the 类型 column
//! of registration systems' exports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::{matches_normalized, normalize_label};
use super::value::ValueError;

// ---------------------------------------------------------------------------
// EntityKind
// ---------------------------------------------------------------------------

/// The three kinds of market entity the platform registers (条例 Art.2; glossary:
/// `enterprise` / `individual_business` / `cooperative`). Enterprises include companies,
/// non-company enterprise legal persons, sole proprietorships, partnerships, their
/// branches and branches of foreign companies; cooperatives include 联合社 and branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum EntityKind {
    /// 企业.
    Enterprise,
    /// 个体工商户.
    IndividualBusiness,
    /// 农民专业合作社 (incl. 联合社).
    Cooperative,
}

impl EntityKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [
        Self::Enterprise,
        Self::IndividualBusiness,
        Self::Cooperative,
    ];

    /// Stable identifier: `enterprise`, `individual_business`, `cooperative`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::IndividualBusiness => "individual_business",
            Self::Cooperative => "cooperative",
        }
    }

    /// Chinese name: 企业, 个体工商户, 农民专业合作社.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Enterprise => "企业",
            Self::IndividualBusiness => "个体工商户",
            Self::Cooperative => "农民专业合作社",
        }
    }

    /// The kind for an identifier ([`EntityKind::as_str`]) only.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == code)
    }

    /// Parses the identifier (ASCII case ignored) or a Chinese name: 企业; 个体工商户,
    /// 个体, 个体户; 农民专业合作社, 合作社, 专业合作社, 农民专业合作社联合社. Whitespace and
    /// full-width forms are normalised. Detailed types (有限责任公司…) are not kinds: use
    /// [`classify`] for a 类型 column that may hold either.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let key = normalize_label(text);
        if key.is_empty() {
            return Err(ValueError::Empty);
        }
        let kind = match key.as_str() {
            "enterprise" | "企业" => Self::Enterprise,
            "individual_business" | "个体工商户" | "个体" | "个体户" => {
                Self::IndividualBusiness
            }
            "cooperative" | "农民专业合作社" | "合作社" | "专业合作社" | "农民专业合作社联合社" => {
                Self::Cooperative
            }
            _ => {
                return Err(ValueError::UnknownEntityKind {
                    text: text.trim().to_owned(),
                })
            }
        };
        Ok(kind)
    }
}

impl fmt::Display for EntityKind {
    /// The Chinese name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl FromStr for EntityKind {
    type Err = ValueError;

    /// Same as [`EntityKind::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EntityKind {
    type Error = ValueError;

    /// Strict: the identifier only (used by serde).
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_code(&value).ok_or(ValueError::UnknownEntityKind { text: value })
    }
}

impl From<EntityKind> for &'static str {
    fn from(value: EntityKind) -> Self {
        value.as_str()
    }
}

// ---------------------------------------------------------------------------
// HeadRole
// ---------------------------------------------------------------------------

/// Who heads the entity in its registration (条例 Art.8(三); 细则 Art.33): the title shown
/// next to the person's name on the licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadRole {
    /// 法定代表人: companies, non-company enterprise legal persons, cooperatives.
    LegalRep,
    /// 执行事务合伙人: partnerships.
    ManagingPartner,
    /// 负责人: every branch (分公司, 分支机构).
    PersonInCharge,
    /// 投资人: sole proprietorships (个人独资企业).
    Investor,
    /// 经营者: individual businesses.
    Operator,
}

impl HeadRole {
    /// Stable identifier: `legal_rep`, `managing_partner`, `person_in_charge`,
    /// `investor`, `operator`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LegalRep => "legal_rep",
            Self::ManagingPartner => "managing_partner",
            Self::PersonInCharge => "person_in_charge",
            Self::Investor => "investor",
            Self::Operator => "operator",
        }
    }

    /// Chinese title: 法定代表人, 执行事务合伙人, 负责人, 投资人, 经营者.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::LegalRep => "法定代表人",
            Self::ManagingPartner => "执行事务合伙人",
            Self::PersonInCharge => "负责人",
            Self::Investor => "投资人",
            Self::Operator => "经营者",
        }
    }
}

// ---------------------------------------------------------------------------
// EnterpriseType
// ---------------------------------------------------------------------------

macro_rules! enterprise_types {
    ($($variant:ident => $code:literal, $label:literal;)+) => {
        /// The detailed registration type (企业类型 / 组成形式), with a stable snake_case
        /// code and the Chinese label used by SAMR systems (full-width brackets).
        ///
        /// The list covers the types the 类型 column of registration exports uses;
        /// [`EnterpriseType::parse`] maps the many long forms (e.g.
        /// `股份有限公司(非上市、自然人投资或控股)`) to the nearest variant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum EnterpriseType {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl EnterpriseType {
            /// Every type, in the order shown in forms.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Stable snake_case code.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// Chinese label, as SAMR systems write it.
            #[must_use]
            pub const fn label_zh(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }
        }
    };
}

enterprise_types! {
    LlcNaturalPersonSole => "llc_natural_person_sole", "有限责任公司（自然人独资）";
    LlcNaturalPersonInvested => "llc_natural_person_invested", "有限责任公司（自然人投资或控股）";
    LlcStateSole => "llc_state_sole", "有限责任公司（国有独资）";
    LlcStateControlled => "llc_state_controlled", "有限责任公司（国有控股）";
    LlcCorporateSole => "llc_corporate_sole", "有限责任公司（非自然人投资或控股的法人独资）";
    LlcCorporateSoleNaturalPersonControlled => "llc_corporate_sole_natural_person_controlled", "有限责任公司（自然人投资或控股的法人独资）";
    LlcForeignInvested => "llc_foreign_invested", "有限责任公司（外商投资）";
    LlcOther => "llc_other", "其他有限责任公司";
    JointStockListed => "joint_stock_listed", "股份有限公司（上市）";
    JointStockUnlisted => "joint_stock_unlisted", "股份有限公司（非上市）";
    JointStockOther => "joint_stock_other", "其他股份有限公司";
    SoleProprietorship => "sole_proprietorship", "个人独资企业";
    GeneralPartnership => "general_partnership", "普通合伙企业";
    SpecialGeneralPartnership => "special_general_partnership", "特殊普通合伙企业";
    LimitedPartnership => "limited_partnership", "有限合伙企业";
    StateOwnedEnterprise => "state_owned_enterprise", "全民所有制企业";
    CollectiveEnterprise => "collective_enterprise", "集体所有制企业";
    StockCooperativeEnterprise => "stock_cooperative_enterprise", "股份合作制企业";
    LlcBranch => "llc_branch", "有限责任公司分公司";
    JointStockBranch => "joint_stock_branch", "股份有限公司分公司";
    SoleProprietorshipBranch => "sole_proprietorship_branch", "个人独资企业分支机构";
    PartnershipBranch => "partnership_branch", "合伙企业分支机构";
    NonCompanyBranch => "non_company_branch", "非公司企业法人分支机构";
    ForeignCompanyBranch => "foreign_company_branch", "外国（地区）公司分支机构";
    IndividualBusiness => "individual_business", "个体工商户";
    Cooperative => "cooperative", "农民专业合作社";
    CooperativeUnion => "cooperative_union", "农民专业合作社联合社";
    CooperativeBranch => "cooperative_branch", "农民专业合作社分支机构";
}

/// Generic words a 类型 column may hold that name the kind but not the detailed type.
/// Normalised form (see `normalize_label`).
const GENERIC_ENTERPRISE_LABELS: &[&str] = &[
    "企业",
    "enterprise",
    "公司",
    "企业法人",
    "内资企业",
    "内资企业法人",
    "内资公司",
    "外资企业",
    "外商投资企业",
    "非公司企业法人",
    "合伙企业",
    "私营企业",
    "私营合伙企业",
    "分支机构",
];

/// Markers of foreign (incl. Hong Kong, Macao, Taiwan) investment in a type qualifier.
const FOREIGN_MARKERS: &[&str] = &["外商", "外国", "外资", "台港澳", "港澳台", "中外"];

impl EnterpriseType {
    /// The kind of entity this type belongs to.
    #[must_use]
    pub const fn kind(self) -> EntityKind {
        match self {
            Self::IndividualBusiness => EntityKind::IndividualBusiness,
            Self::Cooperative | Self::CooperativeUnion | Self::CooperativeBranch => {
                EntityKind::Cooperative
            }
            _ => EntityKind::Enterprise,
        }
    }

    /// Whether this is a branch (分公司, 分支机构): it has no capital of its own, is headed
    /// by a 负责人 and should point to its parent.
    #[must_use]
    pub const fn is_branch(self) -> bool {
        matches!(
            self,
            Self::LlcBranch
                | Self::JointStockBranch
                | Self::SoleProprietorshipBranch
                | Self::PartnershipBranch
                | Self::NonCompanyBranch
                | Self::ForeignCompanyBranch
                | Self::CooperativeBranch
        )
    }

    /// Whether this is a limited liability company (有限责任公司), not a branch: subject to
    /// the five-year contribution rule of 公司法 Art.47.
    #[must_use]
    pub const fn is_limited_company(self) -> bool {
        matches!(
            self,
            Self::LlcNaturalPersonSole
                | Self::LlcNaturalPersonInvested
                | Self::LlcStateSole
                | Self::LlcStateControlled
                | Self::LlcCorporateSole
                | Self::LlcCorporateSoleNaturalPersonControlled
                | Self::LlcForeignInvested
                | Self::LlcOther
        )
    }

    /// Whether this is a joint stock company (股份有限公司), not a branch: shares paid in
    /// full before establishment (公司法 Art.98).
    #[must_use]
    pub const fn is_joint_stock(self) -> bool {
        matches!(
            self,
            Self::JointStockListed | Self::JointStockUnlisted | Self::JointStockOther
        )
    }

    /// Whether this is a company (limited or joint stock), not a branch.
    #[must_use]
    pub const fn is_company(self) -> bool {
        self.is_limited_company() || self.is_joint_stock()
    }

    /// Whether this is a partnership (普通 / 特殊普通 / 有限合伙企业), not a branch.
    #[must_use]
    pub const fn is_partnership(self) -> bool {
        matches!(
            self,
            Self::GeneralPartnership | Self::SpecialGeneralPartnership | Self::LimitedPartnership
        )
    }

    /// Whether the type registers an amount of capital of its own (条例 Art.8: 注册资本 or
    /// 出资额; see [`EnterpriseType::capital_label_zh`]). False for branches (they use the
    /// parent's capital; a foreign company's branch has allotted 营运资金, not capital) and
    /// for individual businesses (no capital is registered).
    #[must_use]
    pub const fn has_registered_capital(self) -> bool {
        self.capital_label_zh().is_some()
    }

    /// What the registered amount is called: 注册资本 (companies, non-company enterprise
    /// legal persons), 出资额 (partnerships, sole proprietorships), 成员出资总额
    /// (cooperatives and 联合社); `None` when no capital is registered.
    #[must_use]
    pub const fn capital_label_zh(self) -> Option<&'static str> {
        if self.is_branch() {
            return None;
        }
        match self {
            Self::IndividualBusiness => None,
            Self::SoleProprietorship
            | Self::GeneralPartnership
            | Self::SpecialGeneralPartnership
            | Self::LimitedPartnership => Some("出资额"),
            Self::Cooperative | Self::CooperativeUnion => Some("成员出资总额"),
            _ => Some("注册资本"),
        }
    }

    /// Who heads an entity of this type.
    #[must_use]
    pub const fn head_role(self) -> HeadRole {
        if self.is_branch() {
            return HeadRole::PersonInCharge;
        }
        match self {
            Self::GeneralPartnership
            | Self::SpecialGeneralPartnership
            | Self::LimitedPartnership => HeadRole::ManagingPartner,
            Self::SoleProprietorship => HeadRole::Investor,
            Self::IndividualBusiness => HeadRole::Operator,
            _ => HeadRole::LegalRep,
        }
    }

    /// The head's Chinese title: 法定代表人, 执行事务合伙人, 负责人, 投资人 or 经营者.
    #[must_use]
    pub const fn legal_rep_title_zh(self) -> &'static str {
        self.head_role().label_zh()
    }

    /// The type for a code ([`EnterpriseType::as_str`]) only.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == code)
    }

    /// Parses a detailed type: the code, the label, or the long forms of SAMR exports,
    /// with full-width or half-width brackets, with or without spaces, qualifiers
    /// separated by `、` or `,`. Examples and results:
    ///
    /// | input | result |
    /// |---|---|
    /// | `有限责任公司（自然人投资或控股）`, `有限责任公司(自然人投资或控股)` | `LlcNaturalPersonInvested` |
    /// | `有限责任公司(自然人独资)` | `LlcNaturalPersonSole` |
    /// | `有限责任公司（外商投资、非独资）`, `有限责任公司(台港澳法人独资)`, `(中外合资)` | `LlcForeignInvested` |
    /// | `有限责任公司`, `有限公司`, `其他有限责任公司` | `LlcOther` |
    /// | `股份有限公司(上市、国有控股)` | `JointStockListed` |
    /// | `股份有限公司(非上市、自然人投资或控股)`, `(中外合资、未上市)` | `JointStockUnlisted` |
    /// | `股份有限公司`, `股份公司` | `JointStockOther` |
    /// | `合伙企业(有限合伙)`, `有限合伙企业` | `LimitedPartnership` |
    /// | `分公司`, `有限责任公司分公司(自然人投资或控股)` | `LlcBranch` |
    /// | `全民所有制分支机构(非法人)`, `集体分支机构(非法人)` | `NonCompanyBranch` |
    /// | `集体所有制(股份合作)` | `StockCooperativeEnterprise` |
    ///
    /// Generic words that name no detailed type — `企业`, `公司`, `合伙企业`,
    /// `非公司企业法人` — are rejected here; [`classify`] turns them into an
    /// [`EntityKind`] without a type. Matching is by the markers in the text (a qualifier
    /// such as 外商投资 wins over 法人独资), in the order documented in the source.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let key = normalize_label(text);
        if key.is_empty() {
            return Err(ValueError::Empty);
        }
        Self::from_normalized(&key).ok_or_else(|| ValueError::UnknownEnterpriseType {
            text: text.trim().to_owned(),
        })
    }

    fn from_normalized(key: &str) -> Option<Self> {
        if let Some(exact) = Self::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == key || matches_normalized(t.label_zh(), key))
        {
            return Some(exact);
        }
        if GENERIC_ENTERPRISE_LABELS.contains(&key) {
            return None;
        }
        // `base` is the text outside brackets, `quals` the qualifiers inside them:
        // "外国(地区)公司分支机构" → base "外国公司分支机构", quals "地区".
        let (base, quals) = split_brackets(key);
        let all = format!("{base}|{quals}");
        let has = |marker: &str| all.contains(marker);

        // 1. Branches, decided by the base text.
        if base.contains("分公司") || base.contains("分支") {
            return branch_type(&base);
        }
        // 2. Companies.
        if has("股份有限公司") || base == "股份公司" {
            return Some(if has("非上市") || has("未上市") {
                Self::JointStockUnlisted
            } else if has("上市") {
                Self::JointStockListed
            } else {
                Self::JointStockOther
            });
        }
        if base == "国有独资公司" {
            return Some(Self::LlcStateSole);
        }
        if base.contains("有限责任公司") || base == "有限公司" {
            return Some(llc_type(&quals));
        }
        // 3. Partnerships and sole proprietorships.
        if has("特殊普通合伙") {
            return Some(Self::SpecialGeneralPartnership);
        }
        if has("普通合伙") {
            return Some(Self::GeneralPartnership);
        }
        if has("有限合伙") {
            return Some(Self::LimitedPartnership);
        }
        if has("个人独资") || base == "私营独资企业" {
            return Some(Self::SoleProprietorship);
        }
        // 4. Non-company enterprise legal persons.
        if has("股份合作") {
            return Some(Self::StockCooperativeEnterprise);
        }
        if has("全民所有制") || base == "国有企业" {
            return Some(Self::StateOwnedEnterprise);
        }
        if base.starts_with("集体") {
            return Some(Self::CollectiveEnterprise);
        }
        // 5. Individual businesses and cooperatives.
        if matches!(base.as_str(), "个体" | "个体户" | "个体工商户") {
            return Some(Self::IndividualBusiness);
        }
        if base.ends_with("合作社联合社") {
            return Some(Self::CooperativeUnion);
        }
        if base.ends_with("合作社") {
            return Some(Self::Cooperative);
        }
        None
    }
}

/// The branch type for a base text containing 分公司 or 分支.
fn branch_type(base: &str) -> Option<EnterpriseType> {
    use EnterpriseType as T;
    let has = |marker: &str| base.contains(marker);
    let found = if has("外国") {
        T::ForeignCompanyBranch
    } else if has("合作社") {
        T::CooperativeBranch
    } else if has("个人独资") {
        T::SoleProprietorshipBranch
    } else if has("合伙") {
        T::PartnershipBranch
    } else if has("非公司") || has("全民") || has("集体") || has("股份合作") {
        T::NonCompanyBranch
    } else if has("股份有限") {
        T::JointStockBranch
    } else if has("分公司") {
        // "分公司" alone, "有限责任公司分公司" and other company branches: a limited
        // liability company's branch is by far the most common.
        T::LlcBranch
    } else {
        return None;
    };
    Some(found)
}

/// The limited liability company variant from its bracketed qualifiers.
fn llc_type(quals: &str) -> EnterpriseType {
    use EnterpriseType as T;
    let has = |marker: &str| quals.contains(marker);
    if FOREIGN_MARKERS.iter().any(|m| has(m)) {
        T::LlcForeignInvested
    } else if has("国有独资") {
        T::LlcStateSole
    } else if has("国有控股") {
        T::LlcStateControlled
    } else if has("非自然人投资或控股的法人独资") {
        T::LlcCorporateSole
    } else if has("自然人投资或控股的法人独资") {
        T::LlcCorporateSoleNaturalPersonControlled
    } else if has("法人独资") {
        T::LlcCorporateSole
    } else if has("自然人独资") {
        T::LlcNaturalPersonSole
    } else if has("自然人") && !has("非自然人") {
        T::LlcNaturalPersonInvested
    } else {
        T::LlcOther
    }
}

/// Splits a normalised label into the text outside brackets and the text inside them
/// (qualifiers joined by `,`). Unbalanced brackets are tolerated.
fn split_brackets(key: &str) -> (String, String) {
    let (mut base, mut quals) = (String::new(), String::new());
    let mut depth = 0usize;
    for c in key.chars() {
        match c {
            '(' => {
                if depth == 0 && !quals.is_empty() {
                    quals.push(',');
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => quals.push(c),
            _ => base.push(c),
        }
    }
    (base, quals)
}

impl fmt::Display for EnterpriseType {
    /// The Chinese label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl FromStr for EnterpriseType {
    type Err = ValueError;

    /// Same as [`EnterpriseType::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for EnterpriseType {
    type Error = ValueError;

    /// Strict: the code only (used by serde).
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_code(&value).ok_or(ValueError::UnknownEnterpriseType { text: value })
    }
}

impl From<EnterpriseType> for &'static str {
    fn from(value: EnterpriseType) -> Self {
        value.as_str()
    }
}

/// Classifies the importer's 类型 column: a detailed type when the label names one
/// (`(kind, Some(type))`), else a bare kind (`企业`, `公司`, `合伙企业`, `非公司企业法人`…
/// give `(Enterprise, None)`); `None` when the label is neither (the importer rejects the
/// row with `unknown_enterprise_type`).
///
/// `个体工商户` gives `(IndividualBusiness, Some(EnterpriseType::IndividualBusiness))` and
/// `农民专业合作社` gives `(Cooperative, Some(EnterpriseType::Cooperative))`: the detailed
/// type is always filled when one fits, and its [`EnterpriseType::kind`] is the kind.
#[must_use]
pub fn classify(label: &str) -> Option<(EntityKind, Option<EnterpriseType>)> {
    let key = normalize_label(label);
    if key.is_empty() {
        return None;
    }
    if let Some(t) = EnterpriseType::from_normalized(&key) {
        return Some((t.kind(), Some(t)));
    }
    if GENERIC_ENTERPRISE_LABELS.contains(&key.as_str()) {
        return Some((EntityKind::Enterprise, None));
    }
    EntityKind::parse(&key).ok().map(|kind| (kind, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnterpriseType as T;

    #[test]
    fn entity_kind_codes_labels_and_parse() {
        for kind in EntityKind::ALL {
            assert_eq!(EntityKind::parse(kind.as_str()), Ok(kind));
            assert_eq!(EntityKind::parse(kind.label_zh()), Ok(kind));
            assert_eq!(EntityKind::from_code(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.label_zh());
        }
        assert_eq!(
            EntityKind::ALL.map(EntityKind::as_str),
            ["enterprise", "individual_business", "cooperative"]
        );
        assert_eq!(
            EntityKind::ALL.map(EntityKind::label_zh),
            ["企业", "个体工商户", "农民专业合作社"]
        );
        for (text, kind) in [
            ("个体", EntityKind::IndividualBusiness),
            (" 个体户 ", EntityKind::IndividualBusiness),
            ("INDIVIDUAL_BUSINESS", EntityKind::IndividualBusiness),
            ("合作社", EntityKind::Cooperative),
            ("农民专业合作社联合社", EntityKind::Cooperative),
            ("企 业", EntityKind::Enterprise),
        ] {
            assert_eq!(EntityKind::parse(text), Ok(kind), "{text}");
        }
        assert_eq!(EntityKind::parse("").unwrap_err().code(), "empty");
        assert_eq!(
            EntityKind::parse("有限责任公司").unwrap_err().code(),
            "unknown_entity_kind"
        );
    }

    #[test]
    fn entity_kind_serde_uses_the_identifier() {
        let json = serde_json::to_string(&EntityKind::IndividualBusiness).unwrap();
        assert_eq!(json, "\"individual_business\"");
        assert_eq!(
            serde_json::from_str::<EntityKind>(&json).unwrap(),
            EntityKind::IndividualBusiness
        );
        assert!(serde_json::from_str::<EntityKind>("\"个体工商户\"").is_err());
    }

    #[test]
    fn enterprise_type_codes_are_unique_and_round_trip() {
        let mut codes: Vec<&str> = T::ALL.iter().map(|t| t.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), T::ALL.len());
        for &t in T::ALL {
            assert_eq!(T::parse(t.as_str()), Ok(t), "{t:?}");
            assert_eq!(T::parse(t.label_zh()), Ok(t), "{t:?}");
            assert_eq!(classify(t.label_zh()), Some((t.kind(), Some(t))), "{t:?}");
            assert!(t
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
        }
    }

    #[test]
    fn long_forms_from_exports() {
        let cases: &[(&str, T)] = &[
            (
                "有限责任公司（自然人投资或控股）",
                T::LlcNaturalPersonInvested,
            ),
            (
                "有限责任公司(自然人投资或控股)",
                T::LlcNaturalPersonInvested,
            ),
            (
                "有限责任公司 ( 自然人投资或控股 )",
                T::LlcNaturalPersonInvested,
            ),
            (
                "私营有限责任公司(自然人控股或私营性质企业控股)",
                T::LlcNaturalPersonInvested,
            ),
            ("有限责任公司(自然人独资)", T::LlcNaturalPersonSole),
            ("有限责任公司（国有独资）", T::LlcStateSole),
            ("国有独资公司", T::LlcStateSole),
            ("有限责任公司(国有控股)", T::LlcStateControlled),
            (
                "有限责任公司(非自然人投资或控股的法人独资)",
                T::LlcCorporateSole,
            ),
            ("有限责任公司（法人独资）", T::LlcCorporateSole),
            (
                "有限责任公司(自然人投资或控股的法人独资)",
                T::LlcCorporateSoleNaturalPersonControlled,
            ),
            ("有限责任公司(外商投资、非独资)", T::LlcForeignInvested),
            ("有限责任公司（外国法人独资）", T::LlcForeignInvested),
            ("有限责任公司(台港澳法人独资)", T::LlcForeignInvested),
            ("有限责任公司(港澳台自然人独资)", T::LlcForeignInvested),
            ("有限责任公司(中外合资)", T::LlcForeignInvested),
            ("有限责任公司(外商投资企业法人独资)", T::LlcForeignInvested),
            ("有限责任公司", T::LlcOther),
            ("有限公司", T::LlcOther),
            ("有限责任公司(非自然人投资或控股)", T::LlcOther),
            ("股份有限公司(上市、自然人投资或控股)", T::JointStockListed),
            ("股份有限公司（上市、国有控股）", T::JointStockListed),
            (
                "股份有限公司(非上市、自然人投资或控股)",
                T::JointStockUnlisted,
            ),
            ("股份有限公司(非上市、国有控股)", T::JointStockUnlisted),
            ("股份有限公司（非上市）", T::JointStockUnlisted),
            ("股份有限公司", T::JointStockOther),
            ("股份有限公司(中外合资、未上市)", T::JointStockUnlisted),
            ("股份公司", T::JointStockOther),
            ("个人独资企业", T::SoleProprietorship),
            ("私营独资企业", T::SoleProprietorship),
            ("普通合伙企业", T::GeneralPartnership),
            ("合伙企业(普通合伙)", T::GeneralPartnership),
            ("特殊普通合伙企业", T::SpecialGeneralPartnership),
            ("有限合伙企业", T::LimitedPartnership),
            ("外商投资合伙企业(有限合伙)", T::LimitedPartnership),
            ("全民所有制", T::StateOwnedEnterprise),
            ("全民所有制企业(非公司企业法人)", T::StateOwnedEnterprise),
            ("国有企业", T::StateOwnedEnterprise),
            ("集体所有制", T::CollectiveEnterprise),
            ("集体企业", T::CollectiveEnterprise),
            ("集体所有制(股份合作)", T::StockCooperativeEnterprise),
            ("股份合作制", T::StockCooperativeEnterprise),
            ("分公司", T::LlcBranch),
            ("有限责任公司分公司(自然人投资或控股)", T::LlcBranch),
            ("有限责任公司分公司（国有独资）", T::LlcBranch),
            ("股份有限公司分公司(上市、国有控股)", T::JointStockBranch),
            ("个人独资企业分支机构", T::SoleProprietorshipBranch),
            ("合伙企业分支机构", T::PartnershipBranch),
            ("普通合伙分支机构", T::PartnershipBranch),
            ("全民所有制分支机构(非法人)", T::NonCompanyBranch),
            ("集体分支机构(非法人)", T::NonCompanyBranch),
            ("非公司企业法人分支机构", T::NonCompanyBranch),
            ("外国(地区)公司分支机构", T::ForeignCompanyBranch),
            ("外国（地区）公司分支机构", T::ForeignCompanyBranch),
            ("农民专业合作社分支机构", T::CooperativeBranch),
            ("个体工商户", T::IndividualBusiness),
            ("个体", T::IndividualBusiness),
            ("农民专业合作社", T::Cooperative),
            ("合作社", T::Cooperative),
            ("农民专业合作社联合社", T::CooperativeUnion),
            ("LLC_BRANCH", T::LlcBranch),
        ];
        for (text, expected) in cases {
            assert_eq!(T::parse(text), Ok(*expected), "{text}");
        }
    }

    #[test]
    fn generic_words_are_not_detailed_types() {
        for text in [
            "企业",
            "公司",
            "合伙企业",
            "非公司企业法人",
            "内资企业法人",
            "分支机构",
        ] {
            assert_eq!(
                T::parse(text).unwrap_err().code(),
                "unknown_enterprise_type",
                "{text}"
            );
            assert_eq!(
                classify(text),
                Some((EntityKind::Enterprise, None)),
                "{text}"
            );
        }
        for text in [
            "",
            "  ",
            "餐饮",
            "有限",
            "外国(地区)企业常驻代表机构",
            "事业单位",
        ] {
            assert!(T::parse(text).is_err(), "{text}");
            assert_eq!(classify(text), None, "{text}");
        }
        assert_eq!(T::parse(" ").unwrap_err().code(), "empty");
    }

    #[test]
    fn classify_for_the_import_column() {
        assert_eq!(
            classify("有限责任公司（自然人投资或控股）"),
            Some((EntityKind::Enterprise, Some(T::LlcNaturalPersonInvested)))
        );
        assert_eq!(
            classify("个体工商户"),
            Some((EntityKind::IndividualBusiness, Some(T::IndividualBusiness)))
        );
        assert_eq!(
            classify("合作社"),
            Some((EntityKind::Cooperative, Some(T::Cooperative)))
        );
        assert_eq!(
            classify("农民专业合作社分支机构"),
            Some((EntityKind::Cooperative, Some(T::CooperativeBranch)))
        );
        assert_eq!(classify("enterprise"), Some((EntityKind::Enterprise, None)));
        assert_eq!(classify("企业"), Some((EntityKind::Enterprise, None)));
    }

    #[test]
    fn attributes_of_types() {
        assert!(T::LlcForeignInvested.is_limited_company());
        assert!(!T::LlcForeignInvested.is_joint_stock());
        assert!(!T::LlcBranch.is_limited_company());
        assert!(T::JointStockUnlisted.is_joint_stock());
        assert!(!T::JointStockBranch.is_joint_stock());
        assert!(T::JointStockListed.is_company());
        assert!(!T::SoleProprietorship.is_company());
        assert!(T::LimitedPartnership.is_partnership());

        let branches: Vec<T> = T::ALL.iter().copied().filter(|t| t.is_branch()).collect();
        assert_eq!(branches.len(), 7);
        for t in branches {
            assert!(!t.has_registered_capital(), "{t:?}");
            assert_eq!(t.legal_rep_title_zh(), "负责人", "{t:?}");
            assert!(!t.is_company());
        }
        for &t in T::ALL {
            assert_eq!(t.has_registered_capital(), t.capital_label_zh().is_some());
            if t.is_company() {
                assert_eq!(t.capital_label_zh(), Some("注册资本"), "{t:?}");
                assert_eq!(t.head_role(), HeadRole::LegalRep, "{t:?}");
                assert_eq!(t.kind(), EntityKind::Enterprise);
            }
        }
        assert_eq!(T::GeneralPartnership.legal_rep_title_zh(), "执行事务合伙人");
        assert_eq!(
            T::SpecialGeneralPartnership.legal_rep_title_zh(),
            "执行事务合伙人"
        );
        assert_eq!(T::LimitedPartnership.capital_label_zh(), Some("出资额"));
        assert_eq!(T::SoleProprietorship.legal_rep_title_zh(), "投资人");
        assert_eq!(T::IndividualBusiness.legal_rep_title_zh(), "经营者");
        assert!(!T::IndividualBusiness.has_registered_capital());
        assert_eq!(T::StateOwnedEnterprise.legal_rep_title_zh(), "法定代表人");
        assert_eq!(T::Cooperative.legal_rep_title_zh(), "法定代表人");
        assert_eq!(T::Cooperative.capital_label_zh(), Some("成员出资总额"));
        assert_eq!(T::CooperativeUnion.kind(), EntityKind::Cooperative);
        assert_eq!(T::ForeignCompanyBranch.kind(), EntityKind::Enterprise);
        assert_eq!(T::IndividualBusiness.kind(), EntityKind::IndividualBusiness);
        assert_eq!(HeadRole::ManagingPartner.as_str(), "managing_partner");
        assert_eq!(HeadRole::Operator.as_str(), "operator");
    }
}
