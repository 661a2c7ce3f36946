//! The word lists of the name check, kept as data files next to this module and
//! embedded at build time:
//!
//! - `name_words.csv` (`word,kind,note,source`): an unchanged copy of the project's
//!   `name_words.csv` (organisational forms, restricted and prohibited words, industry
//!   suffixes; see name-rules.md). When that list changes, copy it here again.
//! - `org_forms.csv` (`form,class,confirmed,source`): which organisational form words
//!   fit which kind of entity (规定 Art 10; 公司法 Art 7; 合伙企业法 Arts 15, 56, 62;
//!   个人独资企业法 Art 11). Every `org_form` word of `name_words.csv` appears here.
//! - `industry_words.csv` (`word,source`): common industry wording used to split the
//!   字号 from the 行业 part. Together with the `industry_suffix` words of
//!   `name_words.csv` it is the vocabulary of [`super::parse`]; it is not exhaustive.
//!
//! The files are parsed once ([`OnceLock`]); a malformed file fails every test of this
//! module, so the `expect` below cannot fire in a build that passed its tests.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;

use crate::calendar::{csv_records, CsvError};

const NAME_WORDS_CSV: &str = include_str!("name_words.csv");
const ORG_FORMS_CSV: &str = include_str!("org_forms.csv");
const INDUSTRY_WORDS_CSV: &str = include_str!("industry_words.csv");

/// The kind of a row of `name_words.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordKind {
    /// `org_form`: an organisational form word.
    OrgForm,
    /// `restricted`: allowed only in some positions or for some entities.
    Restricted,
    /// `prohibited`: must not appear in a name.
    Prohibited,
    /// `industry_suffix`: industry wording.
    IndustrySuffix,
}

impl WordKind {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "org_form" => Self::OrgForm,
            "restricted" => Self::Restricted,
            "prohibited" => Self::Prohibited,
            "industry_suffix" => Self::IndustrySuffix,
            _ => return None,
        })
    }
}

/// How a restricted word is restricted, derived from the article its row cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictedUse {
    /// 中国, 中华, 中央, 全国, 国家: a name beginning with it needs State Council approval
    /// (规定 Art 12 para 1). `mid_name_confirmed`: whether 规定 Art 12 para 2 (in the
    /// middle of a name it must qualify the industry) names the word; for 中央 it does
    /// not, so mid-name use of 中央 only warns.
    StateApproval {
        /// Whether the mid-name rule (Art 12 para 2) covers the word.
        mid_name_confirmed: bool,
    },
    /// （中国）: only a wholly or majority foreign-owned enterprise using its foreign
    /// investor's 字号 (规定 Art 12 para 3).
    ForeignInvestorMarker,
    /// 开发区, 垦区: only together with a division name (规定 Art 7).
    WithDivisionOnly,
    /// Any other restricted word (国际, 国家级, 最高级, 最佳): the rule comes from the 2004
    /// 办法 or the 2017规则, whose force is UNCONFIRMED: warn only.
    Other,
}

/// One row of `name_words.csv`, with what the checker derives from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The word, as written in names (full-width brackets).
    pub word: String,
    /// Its kind.
    pub kind: WordKind,
    /// The note column (English).
    pub note: String,
    /// The source column: law and article, or the page it was reported on.
    pub source: String,
    /// Whether a finding on this word only warns: the row's source is marked
    /// UNCONFIRMED, or is secondary legacy guidance that does not also cite 规定.
    pub unconfirmed: bool,
    /// Prohibited only in the names of individual businesses (2009 legacy rule).
    pub individual_business_only: bool,
    /// For [`WordKind::Restricted`] rows: how the word is restricted.
    pub restricted_use: Option<RestrictedUse>,
}

/// The class of entity an organisational form word fits (`org_forms.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgFormClass {
    /// 有限责任公司, 有限公司.
    LimitedCompany,
    /// 股份有限公司, 股份公司.
    JointStockCompany,
    /// （普通合伙）.
    GeneralPartnership,
    /// （特殊普通合伙）.
    SpecialGeneralPartnership,
    /// （有限合伙）.
    LimitedPartnership,
    /// （个人独资） and the forms of small businesses.
    SoleProprietorship,
    /// 分公司, 分厂, 分店: a branch after its parent's full name.
    Branch,
    /// 集团, （集团）: placed before the organisational form.
    Group,
    /// 专业合作社, 合作社, 联合社.
    Cooperative,
    /// 厂, 店, 馆, 部, 行, 中心.
    IndividualBusiness,
    /// 公司, 厂 … used by 全民所有制 and 集体所有制 enterprises.
    NonCompanyEnterprise,
}

impl OrgFormClass {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "limited_company" => Self::LimitedCompany,
            "joint_stock_company" => Self::JointStockCompany,
            "general_partnership" => Self::GeneralPartnership,
            "special_general_partnership" => Self::SpecialGeneralPartnership,
            "limited_partnership" => Self::LimitedPartnership,
            "sole_proprietorship" => Self::SoleProprietorship,
            "branch" => Self::Branch,
            "group" => Self::Group,
            "cooperative" => Self::Cooperative,
            "individual_business" => Self::IndividualBusiness,
            "non_company_enterprise" => Self::NonCompanyEnterprise,
            _ => return None,
        })
    }

    /// Whether the form states a limited liability of a company (有限, 股份).
    #[must_use]
    pub const fn is_company(self) -> bool {
        matches!(self, Self::LimitedCompany | Self::JointStockCompany)
    }

    /// Whether the form is a partnership's.
    #[must_use]
    pub const fn is_partnership(self) -> bool {
        matches!(
            self,
            Self::GeneralPartnership | Self::SpecialGeneralPartnership | Self::LimitedPartnership
        )
    }

    /// Chinese description of the class, for messages.
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::LimitedCompany => "有限责任公司",
            Self::JointStockCompany => "股份有限公司",
            Self::GeneralPartnership => "普通合伙企业",
            Self::SpecialGeneralPartnership => "特殊普通合伙企业",
            Self::LimitedPartnership => "有限合伙企业",
            Self::SoleProprietorship => "个人独资企业",
            Self::Branch => "分支机构",
            Self::Group => "企业集团",
            Self::Cooperative => "农民专业合作社",
            Self::IndividualBusiness => "个体工商户",
            Self::NonCompanyEnterprise => "非公司企业",
        }
    }
}

/// One row of `org_forms.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgFormRow {
    /// The form word (full-width brackets).
    pub form: String,
    /// The class of entity it fits.
    pub class: OrgFormClass,
    /// Whether the requirement is confirmed in a law text read; unconfirmed forms only
    /// ever warn.
    pub confirmed: bool,
    /// Law and article.
    pub source: String,
}

/// Everything parsed from the data files.
#[derive(Debug)]
pub(super) struct Tables {
    pub words: Vec<Word>,
    pub org_forms: Vec<OrgFormRow>,
    /// Distinct org form words except group and branch markers, longest first.
    pub suffix_forms: Vec<String>,
    /// Branch suffixes, longest first.
    pub branch_forms: Vec<String>,
    /// Group markers, longest first.
    pub group_forms: Vec<String>,
    pub industry: HashSet<String>,
    pub industry_max_chars: usize,
}

pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        load(NAME_WORDS_CSV, ORG_FORMS_CSV, INDUSTRY_WORDS_CSV)
            .expect("name_check data files are valid (checked by the module's tests)")
    })
}

/// Every row of `name_words.csv`, in file order.
#[must_use]
pub fn name_words() -> &'static [Word] {
    &tables().words
}

/// Every row of `org_forms.csv`, in file order.
#[must_use]
pub fn org_forms() -> &'static [OrgFormRow] {
    &tables().org_forms
}

/// Whether `word` is in the industry vocabulary (`industry_words.csv` and the
/// `industry_suffix` rows of `name_words.csv`).
#[must_use]
pub fn is_industry_word(word: &str) -> bool {
    tables().industry.contains(word)
}

/// The classes an organisational form word fits (empty for an unknown form).
pub(super) fn classes_of(form: &str) -> impl Iterator<Item = &'static OrgFormRow> + '_ {
    tables()
        .org_forms
        .iter()
        .filter(move |row| row.form == form)
}

fn load(name_words: &str, org_forms: &str, industry_words: &str) -> Result<Tables, CsvError> {
    let words = parse_name_words(name_words)?;
    let org_forms = parse_org_forms(org_forms)?;
    let mut industry: HashSet<String> = csv_records(industry_words, &["word", "source"])?
        .into_iter()
        .map(|(_, fields)| fields[0].trim().to_owned())
        .collect();
    industry.extend(
        words
            .iter()
            .filter(|w| w.kind == WordKind::IndustrySuffix)
            .map(|w| w.word.clone()),
    );
    let industry_max_chars = industry
        .iter()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    let forms_of = |pick: &dyn Fn(OrgFormClass) -> bool| {
        let mut forms: Vec<String> = org_forms
            .iter()
            .filter(|row| pick(row.class))
            .map(|row| row.form.clone())
            .collect();
        forms.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        forms.dedup();
        forms
    };
    let suffix_forms = forms_of(&|c| !matches!(c, OrgFormClass::Branch | OrgFormClass::Group));
    let branch_forms = forms_of(&|c| c == OrgFormClass::Branch);
    let group_forms = forms_of(&|c| c == OrgFormClass::Group);
    Ok(Tables {
        words,
        org_forms,
        suffix_forms,
        branch_forms,
        group_forms,
        industry,
        industry_max_chars,
    })
}

fn parse_name_words(text: &str) -> Result<Vec<Word>, CsvError> {
    csv_records(text, &["word", "kind", "note", "source"])?
        .into_iter()
        .map(|(line, fields)| {
            let word = fields[0].trim().to_owned();
            if word.is_empty() {
                return Err(CsvError::new(line, "word为空"));
            }
            let kind = WordKind::parse(fields[1].trim())
                .ok_or_else(|| CsvError::new(line, format!("未知的kind“{}”", fields[1])))?;
            let note = fields[2].trim().to_owned();
            let source = fields[3].trim().to_owned();
            let cites_regulation = source.contains("国务院令第734号");
            let restricted_use = (kind == WordKind::Restricted).then(|| restricted_use(&source));
            let unconfirmed = match kind {
                WordKind::Restricted => {
                    !cites_regulation || restricted_use == Some(RestrictedUse::Other)
                }
                _ => {
                    source.contains("UNCONFIRMED")
                        || (source.contains("(secondary)") && !cites_regulation)
                }
            };
            Ok(Word {
                individual_business_only: note.starts_with("only in 个体工商户 names"),
                word,
                kind,
                note,
                source,
                unconfirmed,
                restricted_use,
            })
        })
        .collect()
}

/// How a restricted word is restricted, from the article of 规定 its source cites.
fn restricted_use(source: &str) -> RestrictedUse {
    if !source.contains("国务院令第734号") {
        RestrictedUse::Other
    } else if source.contains("Art 12 paras 1-2") {
        RestrictedUse::StateApproval {
            mid_name_confirmed: true,
        }
    } else if source.contains("Art 12 para 1") {
        RestrictedUse::StateApproval {
            mid_name_confirmed: false,
        }
    } else if source.contains("Art 12 para 3") {
        RestrictedUse::ForeignInvestorMarker
    } else if source.contains("Art 7") {
        RestrictedUse::WithDivisionOnly
    } else {
        RestrictedUse::Other
    }
}

fn parse_org_forms(text: &str) -> Result<Vec<OrgFormRow>, CsvError> {
    csv_records(text, &["form", "class", "confirmed", "source"])?
        .into_iter()
        .map(|(line, fields)| {
            let form = fields[0].trim().to_owned();
            if form.is_empty() {
                return Err(CsvError::new(line, "form为空"));
            }
            let class = OrgFormClass::parse(fields[1].trim())
                .ok_or_else(|| CsvError::new(line, format!("未知的class“{}”", fields[1])))?;
            let confirmed = match fields[2].trim() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(CsvError::new(
                        line,
                        format!("confirmed应为true或false，实际为“{other}”"),
                    ))
                }
            };
            Ok(OrgFormRow {
                form,
                class,
                confirmed,
                source: fields[3].trim().to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> &'static Word {
        name_words().iter().find(|row| row.word == w).unwrap()
    }

    #[test]
    fn data_files_parse() {
        let t = tables();
        assert_eq!(t.words.len(), 90);
        assert!(t.org_forms.len() >= 30);
        assert!(t.industry.len() > 200);
        assert!(t.industry_max_chars >= 5);
        // Longest first, so 股份有限公司 is tried before 有限公司.
        let pos = |f: &str| t.suffix_forms.iter().position(|x| x == f).unwrap();
        assert!(pos("股份有限公司") < pos("有限公司"));
        assert!(pos("合伙企业（有限合伙）") < pos("（有限合伙）"));
        assert_eq!(t.branch_forms[0], "分支机构");
        assert!(!t.suffix_forms.contains(&"分公司".to_owned()));
    }

    #[test]
    fn every_org_form_of_the_word_list_has_a_class() {
        for w in name_words().iter().filter(|w| w.kind == WordKind::OrgForm) {
            assert!(
                classes_of(&w.word).next().is_some(),
                "{} has no row in org_forms.csv",
                w.word
            );
        }
        for row in org_forms() {
            assert!(row.form.chars().all(|c| !c.is_ascii()), "{}", row.form);
        }
    }

    #[test]
    fn restricted_rows_are_classified_by_their_article() {
        for w in ["中国", "中华", "全国", "国家"] {
            assert_eq!(
                word(w).restricted_use,
                Some(RestrictedUse::StateApproval {
                    mid_name_confirmed: true
                }),
                "{w}"
            );
            assert!(!word(w).unconfirmed, "{w}");
        }
        assert_eq!(
            word("中央").restricted_use,
            Some(RestrictedUse::StateApproval {
                mid_name_confirmed: false
            })
        );
        assert_eq!(
            word("（中国）").restricted_use,
            Some(RestrictedUse::ForeignInvestorMarker)
        );
        for w in ["开发区", "垦区"] {
            assert_eq!(
                word(w).restricted_use,
                Some(RestrictedUse::WithDivisionOnly)
            );
        }
        for w in ["国际", "国家级", "最高级", "最佳"] {
            assert_eq!(word(w).restricted_use, Some(RestrictedUse::Other), "{w}");
            assert!(word(w).unconfirmed, "{w}");
        }
    }

    #[test]
    fn prohibited_rows_from_weak_sources_only_warn() {
        // 2017 rules' examples and words that also cite 规定 Art 11 reject.
        for w in ["支那", "大和", "解放军", "雷锋"] {
            assert!(!word(w).unconfirmed, "{w}");
        }
        // Secondary legacy guidance and the 2009 individual-business list warn.
        for w in ["帝王", "鬼都", "八一", "企业", "公司"] {
            assert!(word(w).unconfirmed, "{w}");
        }
        assert!(word("公司").individual_business_only);
        assert!(word("农民专业合作社").individual_business_only);
        assert!(!word("支那").individual_business_only);
    }

    #[test]
    fn industry_vocabulary_includes_the_suffix_rows() {
        for w in ["酒业", "房地产", "文化传播", "餐饮", "餐饮管理", "石化"] {
            assert!(is_industry_word(w), "{w}");
        }
        assert!(!is_industry_word("好味道"));
    }

    #[test]
    fn malformed_files_are_reported_with_the_line() {
        let bad_kind = "word,kind,note,source\n中国,forbidden,x,y\n";
        let err = load(bad_kind, ORG_FORMS_CSV, INDUSTRY_WORDS_CSV).unwrap_err();
        assert_eq!(err.line, 2);
        let bad_class = "form,class,confirmed,source\n有限公司,company,true,x\n";
        let err = load(NAME_WORDS_CSV, bad_class, INDUSTRY_WORDS_CSV).unwrap_err();
        assert_eq!(err.line, 2);
        let bad_flag = "form,class,confirmed,source\n有限公司,limited_company,yes,x\n";
        assert!(load(NAME_WORDS_CSV, bad_flag, INDUSTRY_WORDS_CSV).is_err());
    }
}
