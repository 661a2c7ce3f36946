//! The rules of the name check, their stable codes and sources, and the verdict.

use std::fmt;

use serde::{Serialize, Serializer};

use super::parse::ParsedName;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The name cannot be registered (a rule of 规定 or 办法, or of the laws they
    /// refer to).
    Reject,
    /// A risk the applicant must acknowledge (规定 Art 16 para 3: the applicant bears
    /// the liability); rules of the 2017规则, the 指引 and UNCONFIRMED rules.
    Warn,
}

impl Severity {
    /// `reject` or `warn`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reject => "reject",
            Self::Warn => "warn",
        }
    }
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No finding.
    Ok,
    /// Only warnings: the applicant may go on after acknowledging each.
    Warn,
    /// At least one rejection.
    Reject,
}

impl Outcome {
    /// `ok`, `warn` or `reject`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Reject => "reject",
        }
    }
}

macro_rules! rules {
    ($($variant:ident => $code:literal, $label:literal, $source:literal;)+) => {
        /// A rule of the name check. Each has a stable snake_case code, a short Chinese
        /// title and its legal source; [`Reason`] carries one per finding.
        ///
        /// Abbreviations in sources: 规定 = 企业名称登记管理规定 (国务院令第734号); 办法 =
        /// 企业名称登记管理规定实施办法 (总局令第82号); 2017规则 = 企业名称禁限用规则 and
        /// 企业名称相同相近比对规则 (工商企注字〔2017〕133号); 指引 = 企业名称申报指引（2025年版）.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $(
                #[doc = $label]
                $variant,
            )+
        }

        impl Rule {
            /// Every rule, in the order findings are reported.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// Stable snake_case code.
            #[must_use]
            pub const fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// Short Chinese title of the rule.
            #[must_use]
            pub const fn label_zh(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// The legal source of the rule (a finding may cite a more precise one).
            #[must_use]
            pub const fn source(self) -> &'static str {
                match self {
                    $(Self::$variant => $source,)+
                }
            }
        }
    };
}

rules! {
    NameEmpty => "name_empty", "名称不能为空", "规定第六条";
    InvalidCharacters => "invalid_characters", "名称应当使用规范汉字", "规定第五条";
    OrgFormMissing => "org_form_missing", "名称应当标明组织形式", "规定第六条、第十条";
    OrgFormMismatch => "org_form_mismatch", "组织形式应当与企业类型和责任形式相符", "规定第十条";
    BranchName => "branch_name", "分支机构名称应当冠以所从属企业的名称", "规定第十三条";
    GroupName => "group_name", "“集团”字样只能由企业集团的控股企业使用", "规定第十四条";
    DivisionMissing => "division_missing", "名称应当含行政区划名称", "规定第六条";
    DivisionNotLocal => "division_not_local", "行政区划名称应当是企业所在地的县级以上行政区划", "规定第七条；办法第九条";
    DistrictWithoutCity => "district_without_city", "市辖区名称应当与市的行政区划名称连用", "规定第七条";
    ZoneWithoutDivision => "zone_without_division", "开发区、垦区名称应当与行政区划名称连用", "规定第七条";
    DivisionNotBracketed => "division_not_bracketed", "行政区划名称置于字号之后的，应当加注括号", "办法第九条";
    TradeNameMissing => "trade_name_missing", "名称应当含字号", "规定第六条、第八条";
    TradeNameTooShort => "trade_name_too_short", "字号应当由两个以上汉字组成", "规定第八条";
    TradeNameIsDivision => "trade_name_is_division", "县级以上行政区划名称不得用作字号", "规定第八条；办法第十条";
    TradeNameIsIndustryTerm => "trade_name_is_industry_term", "行业用语不得用作字号", "规定第八条；办法第十条";
    ProhibitedWord => "prohibited_word", "名称不得含有禁止的内容和文字", "规定第十一条";
    RestrictedPrefix => "restricted_prefix", "冠以“中国”“中华”“中央”“全国”“国家”字词须经国务院批准", "规定第十二条第一款";
    RestrictedWordMidName => "restricted_word_mid_name", "名称中间使用“中国”“中华”“全国”“国家”字词应当是行业限定语", "规定第十二条第二款";
    ChinaMarker => "china_marker", "“（中国）”限外商独资或控股企业使用", "规定第十二条第三款";
    RestrictedWord => "restricted_word", "限制使用的字词", "2017规则（企业名称禁限用规则）";
    TradeNameIdentical => "trade_name_identical", "字号与同行业已登记或保留的企业名称字号相同", "规定第十七条第（一）项";
    TradeNameProtected => "trade_name_protected", "字号与注销、变更或撤销未满一年的企业名称字号相同", "规定第十七条第（二）项、第（三）项";
    TradeNameIdenticalReview => "trade_name_identical_review", "字号相同，需核实行业或保护期", "规定第十七条";
    TradeNameSamePinyin => "trade_name_same_pinyin", "字号读音相同", "2017规则（相同相近比对规则）第四条；指引";
    TradeNameReordered => "trade_name_reordered", "字号用字相同、顺序不同", "2017规则（相同相近比对规则）第三条";
    TradeNameOneCharApart => "trade_name_one_char_apart", "字号仅一字之差", "指引（字形相近，如泰山与秦山）";
    WellKnownName => "well_known_name", "与知名商标或有一定影响的企业名称相同或近似", "反不正当竞争法（2019）第六条第（二）项；商标法第五十八条；办法（有一定影响的在先名称）";
}

impl fmt::Display for Rule {
    /// The Chinese title.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl Serialize for Rule {
    /// The code.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// The existing name a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Its full name.
    pub name: String,
    /// Its 字号.
    pub trade_name: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule (serialised as its code).
    pub code: Rule,
    /// Reject or warn.
    pub severity: Severity,
    /// Short Chinese title of the rule.
    pub rule: &'static str,
    /// The legal source of this finding (regulation and article, or the data row).
    pub source: String,
    /// Chinese explanation for the applicant: what is wrong and what to do.
    pub message: String,
    /// The rule, or the data it relies on, is marked UNCONFIRMED in name-rules.md: it
    /// only warns.
    pub unconfirmed: bool,
    /// The existing name concerned, for comparisons.
    pub conflict: Option<Conflict>,
}

impl Reason {
    pub(super) fn new(rule: Rule, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            code: rule,
            severity,
            rule: rule.label_zh(),
            source: rule.source().to_owned(),
            message: message.into(),
            unconfirmed: false,
            conflict: None,
        }
    }

    pub(super) fn reject(rule: Rule, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Reject, message)
    }

    pub(super) fn warn(rule: Rule, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Warn, message)
    }

    /// Marks the reason UNCONFIRMED: it becomes a warning and its message says so.
    pub(super) fn unconfirmed(mut self) -> Self {
        self.unconfirmed = true;
        self.severity = Severity::Warn;
        self.message.push_str("（该规则依据待核实，仅作风险提示）");
        self
    }

    pub(super) fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    pub(super) fn with_conflict(mut self, name: &str, trade_name: &str) -> Self {
        self.conflict = Some(Conflict {
            name: name.to_owned(),
            trade_name: trade_name.to_owned(),
        });
        self
    }

    /// The stable code of the rule.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.code.code()
    }
}

/// The result of a name check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// `reject` if any reason rejects, `warn` if any warns, else `ok`.
    pub verdict: Outcome,
    /// Every finding: rejections first, then warnings, each in [`Rule::ALL`] order.
    pub reasons: Vec<Reason>,
    /// Similarity warnings left out after the first [`super::MAX_SIMILAR_REASONS`].
    pub similar_omitted: usize,
    /// The parsed name.
    pub parsed: ParsedName,
}

impl Verdict {
    pub(super) fn new(
        mut reasons: Vec<Reason>,
        similar_omitted: usize,
        parsed: ParsedName,
    ) -> Self {
        let rank = |rule: Rule| Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0);
        reasons.sort_by_key(|r| (r.severity, rank(r.code)));
        let verdict = if reasons.iter().any(|r| r.severity == Severity::Reject) {
            Outcome::Reject
        } else if reasons.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Warn
        };
        Self {
            verdict,
            reasons,
            similar_omitted,
            parsed,
        }
    }

    /// The codes of all reasons, in order.
    #[must_use]
    pub fn codes(&self) -> Vec<&'static str> {
        self.reasons.iter().map(Reason::code).collect()
    }

    /// The reasons with `rule`.
    pub fn reasons_for(&self, rule: Rule) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(move |r| r.code == rule)
    }

    /// The warnings the applicant must acknowledge before going on.
    pub fn warnings(&self) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(|r| r.severity == Severity::Warn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_codes_are_unique_snake_case_and_have_sources() {
        let mut codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
        for rule in Rule::ALL {
            assert!(rule
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!rule.label_zh().is_ascii(), "{rule:?}");
            assert!(!rule.source().is_empty(), "{rule:?}");
        }
    }

    #[test]
    fn unconfirmed_reasons_only_warn_and_serialise_the_code() {
        let r = Reason::reject(Rule::OrgFormMissing, "缺少组织形式").unconfirmed();
        assert_eq!(r.severity, Severity::Warn);
        assert!(r.unconfirmed);
        assert!(r.message.contains("待核实"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["code"], "org_form_missing");
        assert_eq!(json["severity"], "warn");
        assert_eq!(json["rule"], "名称应当标明组织形式");
    }
}
