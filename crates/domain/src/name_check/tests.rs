//! Tests of the whole check: the acceptance examples of issue 6 and each rule.

use chrono::NaiveDate;

use super::similar::tests::FakePinyin;
use super::*;
use crate::division::DivisionCode;
use crate::entity::EnterpriseType as T;

fn code(s: &str) -> Option<DivisionCode> {
    Some(DivisionCode::parse(s).unwrap())
}

fn jingmen() -> Divisions {
    Divisions::from_rows([
        ("湖北省", code("420000")),
        ("荆门市", code("420800")),
        ("东宝区", code("420802")),
        ("掇刀区", code("420804")),
        ("沙洋县", code("420822")),
        ("钟祥市", code("420881")),
        ("京山市", code("420882")),
        ("武汉市", code("420100")),
    ])
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()
}

fn proposal(name: &str, entity_type: T, industry: Option<&str>) -> Proposal {
    Proposal {
        name: name.to_owned(),
        entity_type,
        industry_code: industry.map(str::to_owned),
        division: DivisionCode::parse("420802").unwrap(),
    }
}

fn existing(name: &str, trade: &str, industry: Option<&str>) -> ExistingName {
    ExistingName {
        name: name.to_owned(),
        trade_name: trade.to_owned(),
        industry_code: industry.map(str::to_owned),
        division: code("420802"),
        status: NameStatus::InUse,
        protected_until: None,
    }
}

struct Env {
    divisions: Divisions,
    pinyin: FakePinyin,
    well_known: Vec<WellKnownName>,
}

impl Env {
    fn new() -> Self {
        Self {
            divisions: jingmen(),
            pinyin: FakePinyin::new(),
            well_known: vec![
                WellKnownName {
                    name: "中国石化".to_owned(),
                    note: "中国石油化工集团有限公司的字号及商标".to_owned(),
                },
                WellKnownName {
                    name: "茅台".to_owned(),
                    note: "驰名商标".to_owned(),
                },
            ],
        }
    }

    fn lookups(&self) -> Lookups<'_> {
        Lookups {
            divisions: &self.divisions,
            pinyin: &self.pinyin,
            well_known: &self.well_known,
        }
    }

    fn check(&self, p: &Proposal, existing: &[ExistingName]) -> Verdict {
        check(p, existing, today(), &self.lookups())
    }

    /// Checks a name of a limited liability company in 5610 with no existing names.
    fn name(&self, name: &str) -> Verdict {
        self.check(&proposal(name, T::LlcOther, Some("5610")), &[])
    }
}

fn has(v: &Verdict, code: &str) -> bool {
    v.codes().contains(&code)
}

fn severity_of(v: &Verdict, code: &str) -> Severity {
    v.reasons
        .iter()
        .find(|r| r.code() == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", v.codes()))
        .severity
}

// ---------------------------------------------------------------------------
// Acceptance (issue 6)
// ---------------------------------------------------------------------------

#[test]
fn acceptance_restricted_word_is_rejected() {
    let env = Env::new();
    let v = env.check(
        &proposal("荆门中国石化有限公司", T::LlcOther, Some("2511")),
        &[],
    );
    assert_eq!(v.verdict, Outcome::Reject, "{:?}", v.codes());
    let reason = v.reasons_for(Rule::RestrictedWordMidName).next().unwrap();
    assert_eq!(reason.severity, Severity::Reject);
    assert!(!reason.unconfirmed);
    assert_eq!(reason.source, "规定第十二条第二款");
    assert!(reason.message.contains("国务院批准"), "{}", reason.message);
    assert!(reason.message.contains("中国"));
    assert_eq!(v.parsed.trade_name, "中国");
    // The well-known name is also pointed out.
    assert!(has(&v, "well_known_name"));
    // A name beginning with the word: the prefix rule.
    let v = env.name("中国好味道餐饮有限公司");
    assert_eq!(v.verdict, Outcome::Reject);
    assert_eq!(severity_of(&v, "restricted_prefix"), Severity::Reject);
    assert_eq!(
        v.reasons_for(Rule::RestrictedPrefix).next().unwrap().source,
        "规定第十二条第一款"
    );
    for name in [
        "中华好味道餐饮有限公司",
        "中央好味道餐饮有限公司",
        "全国好味道餐饮有限公司",
        "国家好味道餐饮有限公司",
    ] {
        assert!(has(&env.name(name), "restricted_prefix"), "{name}");
    }
}

#[test]
fn acceptance_identical_trade_name_same_industry_in_the_city_is_rejected() {
    let env = Env::new();
    let others = [existing(
        "荆门市东宝区好味道餐饮管理有限公司",
        "好味道",
        Some("5610"),
    )];
    // Another division, industry wording and form do not save it; same 大类 56.
    let p = proposal(
        "荆门市好味道快餐店（个人独资）",
        T::SoleProprietorship,
        Some("5620"),
    );
    let v = env.check(&p, &others);
    assert_eq!(v.verdict, Outcome::Reject, "{:?}", v.codes());
    let reason = v.reasons_for(Rule::TradeNameIdentical).next().unwrap();
    assert_eq!(reason.severity, Severity::Reject);
    assert_eq!(reason.source, "规定第十七条第（一）项");
    assert_eq!(
        reason.conflict.as_ref().unwrap().name,
        "荆门市东宝区好味道餐饮管理有限公司"
    );
    assert!(reason.message.contains("第56大类"), "{}", reason.message);
    // The same 字号 in another industry (大类 51) is allowed.
    let p = proposal("荆门市好味道商贸有限公司", T::LlcOther, Some("5121"));
    let v = env.check(&p, &others);
    assert!(!has(&v, "trade_name_identical"), "{:?}", v.codes());
    assert_eq!(v.verdict, Outcome::Ok, "{:?}", v.reasons);
    // The same name in another city is not compared.
    let mut wuhan = others[0].clone();
    wuhan.division = code("420106");
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, Some("5610"));
    assert_eq!(env.check(&p, &[wuhan]).verdict, Outcome::Ok);
}

#[test]
fn acceptance_same_pinyin_is_a_warning() {
    let env = Env::new();
    let others = [existing(
        "荆门市好味道餐饮管理有限公司",
        "好味道",
        Some("5610"),
    )];
    let p = proposal("荆门市郝维稻餐饮有限公司", T::LlcOther, Some("5610"));
    let v = env.check(&p, &others);
    assert_eq!(v.verdict, Outcome::Warn, "{:?}", v.reasons);
    assert_eq!(v.codes(), ["trade_name_same_pinyin"]);
    let reason = &v.reasons[0];
    assert_eq!(reason.severity, Severity::Warn);
    assert!(reason.unconfirmed);
    assert_eq!(reason.conflict.as_ref().unwrap().trade_name, "好味道");
    assert_eq!(v.warnings().count(), 1);
}

// ---------------------------------------------------------------------------
// Identical and similar names
// ---------------------------------------------------------------------------

#[test]
fn protection_for_one_year_after_deregistration_change_or_revocation() {
    let env = Env::new();
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, Some("5610"));
    for status in [
        NameStatus::Deregistered,
        NameStatus::Changed,
        NameStatus::Cancelled,
    ] {
        let mut old = existing("荆门市好味道餐饮管理有限公司", "好味道", Some("5610"));
        old.status = status;
        old.protected_until = Some(today());
        let v = env.check(&p, std::slice::from_ref(&old));
        assert_eq!(
            severity_of(&v, "trade_name_protected"),
            Severity::Reject,
            "{status:?}"
        );
        assert!(v.reasons[0].message.contains("2026-05-20"));
        old.protected_until = today().pred_opt();
        assert_eq!(env.check(&p, &[old.clone()]).verdict, Outcome::Ok);
        old.protected_until = None;
        let v = env.check(&p, &[old]);
        assert_eq!(v.codes(), ["trade_name_identical_review"]);
        assert_eq!(v.verdict, Outcome::Warn);
    }
    // Reserved names and 吊销未注销 block like registered ones.
    let mut reserved = existing("荆门市好味道餐饮有限公司", "好味道", Some("5610"));
    reserved.status = NameStatus::Reserved;
    assert!(has(&env.check(&p, &[reserved]), "trade_name_identical"));
    let mut revoked = existing("荆门市好味道餐饮有限公司", "好味道", Some("5610"));
    revoked.status = crate::entity::EntityStatus::Revoked.into();
    assert!(has(&env.check(&p, &[revoked]), "trade_name_identical"));
    let mut moved = existing("荆门市好味道餐饮有限公司", "好味道", Some("5610"));
    moved.status = crate::entity::EntityStatus::MovedOut.into();
    assert_eq!(env.check(&p, &[moved]).verdict, Outcome::Ok);
}

#[test]
fn a_name_without_industry_wording_blocks_every_industry() {
    let env = Env::new();
    let others = [existing("荆门市好味道有限公司", "好味道", Some("5121"))];
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, Some("5610"));
    let v = env.check(&p, &others);
    assert!(has(&v, "trade_name_identical"), "{:?}", v.codes());
    assert!(v.reasons[0].message.contains("不含行业表述"));
    let others = [existing("好味道（荆门）有限公司", "好味道", Some("5121"))];
    assert!(has(&env.check(&p, &others), "trade_name_identical"));
}

#[test]
fn unknown_industry_warns_instead_of_rejecting() {
    let env = Env::new();
    let others = [existing("荆门市好味道餐饮管理有限公司", "好味道", None)];
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, Some("5610"));
    let v = env.check(&p, &others);
    assert_eq!(v.codes(), ["trade_name_identical_review"]);
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, None);
    let others = [existing(
        "荆门市好味道餐饮管理有限公司",
        "好味道",
        Some("5610"),
    )];
    let v = env.check(&p, &others);
    assert_eq!(v.codes(), ["trade_name_identical_review"]);
    assert!(v.reasons[0].message.contains("拟申报名称"));
}

#[test]
fn reordered_and_one_character_apart_warn_within_the_industry() {
    let env = Env::new();
    let others = [
        existing("荆门市味道好餐饮有限公司", "味道好", Some("5610")),
        existing("荆门市好味餐饮有限公司", "好味", Some("5630")),
        existing("荆门市好滋味餐饮有限公司", "好滋味", Some("5610")),
        // Same pinyin but another industry with its own wording: not compared.
        existing("荆门市郝维稻商贸有限公司", "郝维稻", Some("5121")),
    ];
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, Some("5610"));
    let v = env.check(&p, &others);
    assert_eq!(v.verdict, Outcome::Warn);
    assert_eq!(
        v.codes(),
        ["trade_name_reordered", "trade_name_one_char_apart"]
    );
    assert_eq!(v.reasons[1].conflict.as_ref().unwrap().trade_name, "好味");
}

#[test]
fn similarity_warnings_are_capped() {
    let env = Env::new();
    let others: Vec<ExistingName> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄"
        .chars()
        .map(|c| {
            let trade = format!("好味{c}");
            existing(&format!("荆门市{trade}餐饮有限公司"), &trade, Some("5610"))
        })
        .collect();
    assert_eq!(others.len(), 25);
    let p = proposal("荆门市好味道餐饮有限公司", T::LlcOther, Some("5610"));
    let v = env.check(&p, &others);
    assert_eq!(v.reasons.len(), MAX_SIMILAR_REASONS);
    assert_eq!(v.similar_omitted, 5);
    // The same existing name passed twice counts once.
    let twice = [others[0].clone(), others[0].clone()];
    assert_eq!(env.check(&p, &twice).reasons.len(), 1);
}

#[test]
fn well_known_names() {
    let env = Env::new();
    let v = env.check(
        &proposal("荆门市茅苔酒业有限公司", T::LlcOther, Some("1512")),
        &[],
    );
    assert_eq!(v.codes(), ["well_known_name"]);
    assert!(v.reasons[0].message.contains("读音相同"));
    let v = env.check(
        &proposal("荆门市茅台酒业有限公司", T::LlcOther, Some("1512")),
        &[],
    );
    assert_eq!(v.codes(), ["well_known_name"]);
    assert!(v.reasons[0].message.contains("含有"));
}

// ---------------------------------------------------------------------------
// The name itself
// ---------------------------------------------------------------------------

#[test]
fn a_correct_name_is_ok() {
    let env = Env::new();
    for name in [
        "荆门市好味道餐饮管理有限公司",
        "湖北省荆门市东宝区金龙网络科技有限公司",
        "好味道（荆门）餐饮有限公司",
        "荆门市金龙中华料理有限公司",
    ] {
        let v = env.name(name);
        let expected = if name.contains("中华") {
            Outcome::Warn
        } else {
            Outcome::Ok
        };
        assert_eq!(v.verdict, expected, "{name}: {:?}", v.reasons);
    }
    let v = env.name("");
    assert_eq!(v.codes(), ["name_empty"]);
    assert_eq!(v.verdict, Outcome::Reject);
}

#[test]
fn characters_must_be_chinese() {
    let env = Env::new();
    for name in [
        "荆门市ABC科技有限公司",
        "荆门市金龙3科技有限公司",
        "荆门市金龙科技有限公司-",
        "荆门市金龙（科技有限公司",
    ] {
        let v = env.name(name);
        assert_eq!(
            severity_of(&v, "invalid_characters"),
            Severity::Reject,
            "{name}"
        );
    }
    // Full-width letters are caught too.
    assert!(has(
        &env.name("荆门市ＡＢ科技有限公司"),
        "invalid_characters"
    ));
}

#[test]
fn organisational_form_must_fit_the_type() {
    let env = Env::new();
    let v = |name: &str, t: T| env.check(&proposal(name, t, Some("5610")), &[]);
    let ok = [
        ("荆门市金龙科技有限公司", T::LlcNaturalPersonInvested),
        ("荆门市金龙科技有限责任公司", T::LlcStateSole),
        ("荆门市金龙科技股份有限公司", T::JointStockUnlisted),
        ("荆门市金龙投资合伙企业（有限合伙）", T::LimitedPartnership),
        ("荆门市金龙投资中心（有限合伙）", T::LimitedPartnership),
        (
            "荆门市金龙会计师事务所（特殊普通合伙）",
            T::SpecialGeneralPartnership,
        ),
        ("荆门市金龙商贸合伙企业（普通合伙）", T::GeneralPartnership),
        ("钟祥市好味道餐饮店（个人独资）", T::SoleProprietorship),
        ("荆门市东宝区张三水果店", T::IndividualBusiness),
        ("京山市绿野水稻种植专业合作社", T::Cooperative),
        ("荆门市金龙化工厂", T::CollectiveEnterprise),
    ];
    for (name, t) in ok {
        let verdict = v(name, t);
        assert!(
            !verdict
                .codes()
                .iter()
                .any(|c| c.starts_with("org_form") || *c == "branch_name"),
            "{name}: {:?}",
            verdict.reasons
        );
    }
    let rejected = [
        ("荆门市金龙科技股份有限公司", T::LlcOther),
        ("荆门市金龙科技有限公司", T::JointStockOther),
        ("荆门市金龙投资合伙企业（普通合伙）", T::LimitedPartnership),
        ("荆门市金龙投资有限公司", T::GeneralPartnership),
        ("荆门市东宝区张三水果有限公司", T::IndividualBusiness),
        ("荆门市金龙商贸有限公司", T::SoleProprietorship),
        ("京山市绿野种植有限公司", T::Cooperative),
        ("荆门市金龙化工有限公司", T::StateOwnedEnterprise),
    ];
    for (name, t) in rejected {
        assert_eq!(
            severity_of(&v(name, t), "org_form_mismatch"),
            Severity::Reject,
            "{name}"
        );
    }
    // Missing: rejects for a company, warns (UNCONFIRMED) for an individual business.
    assert_eq!(
        severity_of(&v("荆门市金龙科技", T::LlcOther), "org_form_missing"),
        Severity::Reject
    );
    let ib = v("荆门市东宝区张三水果", T::IndividualBusiness);
    assert_eq!(severity_of(&ib, "org_form_missing"), Severity::Warn);
    assert!(ib.reasons[0].unconfirmed);
    // An individual business calling itself 公司: legacy rule, warns.
    let ib = v("荆门市东宝区张三水果公司", T::IndividualBusiness);
    assert_eq!(ib.verdict, Outcome::Warn, "{:?}", ib.reasons);
    assert!(has(&ib, "prohibited_word"));
    // A cooperative without 合作社: UNCONFIRMED, warns.
    let coop = v("京山市绿野种植中心", T::Cooperative);
    assert_eq!(severity_of(&coop, "org_form_mismatch"), Severity::Warn);
}

#[test]
fn branches_and_groups() {
    let env = Env::new();
    let v = |name: &str, t: T| env.check(&proposal(name, t, Some("5610")), &[]);
    let branch = v("荆门市好味道餐饮管理有限公司东宝分公司", T::LlcBranch);
    assert_eq!(branch.verdict, Outcome::Ok, "{:?}", branch.reasons);
    assert_eq!(
        branch.parsed.branch.as_ref().unwrap().parent_name,
        "荆门市好味道餐饮管理有限公司"
    );
    assert!(has(
        &v("荆门市好味道餐饮管理有限公司东宝分公司", T::LlcOther),
        "branch_name"
    ));
    assert!(has(
        &v("荆门市好味道餐饮管理有限公司", T::LlcBranch),
        "branch_name"
    ));
    assert!(has(
        &v("荆门市好味道餐饮股份有限公司东宝分公司", T::LlcBranch),
        "org_form_mismatch"
    ));
    let group = v("荆门金龙（集团）有限公司", T::LlcOther);
    assert_eq!(group.codes(), ["group_name"]);
    assert_eq!(group.verdict, Outcome::Warn);
}

#[test]
fn division_rules() {
    let env = Env::new();
    // Located in 东宝区 (420802).
    let v = |name: &str| env.name(name);
    for name in [
        "荆门市金龙科技有限公司",
        "湖北金龙科技有限公司",
        "荆门市东宝区金龙科技有限公司",
        "金龙（东宝）科技有限公司",
    ] {
        let verdict = v(name);
        assert!(
            !verdict.codes().iter().any(|c| c.starts_with("division")),
            "{name}: {:?}",
            verdict.codes()
        );
    }
    assert_eq!(
        severity_of(&v("京山市金龙科技有限公司"), "division_not_local"),
        Severity::Reject
    );
    assert_eq!(
        severity_of(&v("武汉金龙科技有限公司"), "division_not_local"),
        Severity::Reject
    );
    let district = v("东宝区金龙科技有限公司");
    assert_eq!(
        severity_of(&district, "district_without_city"),
        Severity::Reject
    );
    assert!(district.reasons[0].message.contains("荆门市东宝区"));
    assert_eq!(
        severity_of(&v("金龙科技有限公司"), "division_missing"),
        Severity::Warn
    );
    let inside = v("金龙荆门科技有限公司");
    assert_eq!(
        severity_of(&inside, "division_not_bracketed"),
        Severity::Warn
    );
    assert_eq!(
        severity_of(&v("金龙开发区科技有限公司"), "zone_without_division"),
        Severity::Reject
    );
    assert!(!has(
        &v("荆门市金龙开发区科技有限公司"),
        "zone_without_division"
    ));
}

#[test]
fn trade_name_rules() {
    let env = Env::new();
    let v = |name: &str| env.name(name);
    assert_eq!(
        severity_of(&v("荆门市金有限公司"), "trade_name_too_short"),
        Severity::Reject
    );
    let division = v("荆门市有限公司");
    assert_eq!(
        severity_of(&division, "trade_name_is_division"),
        Severity::Reject
    );
    assert!(has(&v("荆门市钟祥有限公司"), "trade_name_is_division"));
    // A short division form before industry words leaves the industry word as 字号.
    assert!(has(&v("钟祥餐饮有限公司"), "trade_name_is_industry_term"));
    assert_eq!(
        severity_of(&v("荆门市科技有限公司"), "trade_name_is_industry_term"),
        Severity::Reject
    );
    assert!(has(
        &v("荆门市餐饮管理有限公司"),
        "trade_name_is_industry_term"
    ));
    assert!(has(&v("荆门市有限公司"), "trade_name_is_division"));
    assert!(!has(&v("荆门市金龙科技有限公司"), "trade_name_missing"));
}

#[test]
fn prohibited_and_restricted_words() {
    let env = Env::new();
    let v = |name: &str| env.name(name);
    let banned = v("荆门市支那餐饮有限公司");
    assert_eq!(severity_of(&banned, "prohibited_word"), Severity::Reject);
    let reason = banned.reasons_for(Rule::ProhibitedWord).next().unwrap();
    assert!(
        reason.source.starts_with("规定第十一条；2017"),
        "{}",
        reason.source
    );
    assert!(!reason.unconfirmed);
    // Words known only from secondary legacy guidance warn.
    let legacy = v("荆门市帝王蟹餐饮有限公司");
    assert_eq!(legacy.verdict, Outcome::Warn, "{:?}", legacy.reasons);
    assert!(legacy.reasons[0].unconfirmed);
    // Military words cite 规定 Art 11(3): reject.
    assert_eq!(
        severity_of(&v("荆门市解放军餐饮有限公司"), "prohibited_word"),
        Severity::Reject
    );
    // 国际 and superlatives: warn.
    let intl = v("荆门市金龙国际贸易有限公司");
    assert_eq!(intl.verdict, Outcome::Warn, "{:?}", intl.reasons);
    assert_eq!(severity_of(&intl, "restricted_word"), Severity::Warn);
    assert!(has(&v("荆门市最佳餐饮有限公司"), "restricted_word"));
    // An industry qualifier: warn for review.
    let qualifier = v("荆门市金龙中华料理有限公司");
    assert_eq!(
        severity_of(&qualifier, "restricted_word_mid_name"),
        Severity::Warn
    );
    // 中央 in the middle: Art 12 para 2 does not name it, so it only warns.
    let central = v("荆门市中央厨房餐饮有限公司");
    assert_eq!(
        severity_of(&central, "restricted_word_mid_name"),
        Severity::Warn
    );
    // （中国）: foreign-invested warns, clearly domestic rejects.
    let marker = "阿尔法（中国）投资有限公司";
    let foreign = env.check(&proposal(marker, T::LlcForeignInvested, Some("7212")), &[]);
    assert_eq!(severity_of(&foreign, "china_marker"), Severity::Warn);
    let domestic = env.check(
        &proposal(marker, T::LlcNaturalPersonInvested, Some("7212")),
        &[],
    );
    assert_eq!(severity_of(&domestic, "china_marker"), Severity::Reject);
}

#[test]
fn verdict_serialises_for_the_api() {
    let env = Env::new();
    let v = env.name("荆门中国石化有限公司");
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["verdict"], "reject");
    assert_eq!(json["reasons"][0]["code"], "restricted_word_mid_name");
    assert_eq!(json["reasons"][0]["severity"], "reject");
    assert_eq!(json["parsed"]["trade_name"], "中国");
    assert_eq!(json["parsed"]["division"], "荆门");
    assert_eq!(json["parsed"]["org_form"], "有限公司");
    // Rejections come before warnings.
    let severities: Vec<Severity> = v.reasons.iter().map(|r| r.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted);
}

#[test]
fn index_check_end_to_end() {
    let env = Env::new();
    let names = vec![
        existing("荆门市好味道餐饮管理有限公司", "好味道", Some("5610")),
        existing("荆门市金龙网络科技有限公司", "金龙", Some("6432")),
    ];
    let index = NameIndex::build(names, &env.pinyin);
    let lookups = env.lookups();
    let p = proposal("荆门市郝维稻餐饮有限公司", T::LlcOther, Some("5610"));
    let v = index.check(&p, today(), &lookups);
    assert_eq!(v.codes(), ["trade_name_same_pinyin"]);
    let p = proposal("好味道（荆门）餐饮有限公司", T::LlcOther, Some("5610"));
    assert_eq!(
        index.check(&p, today(), &lookups).codes(),
        ["trade_name_identical"]
    );
    let p = proposal("荆门市银虎网络科技有限公司", T::LlcOther, Some("6432"));
    assert_eq!(index.check(&p, today(), &lookups).verdict, Outcome::Ok);
}

#[test]
fn industry_divisions() {
    assert_eq!(industry_division("5610"), Some("56"));
    assert_eq!(industry_division("H5610"), Some("56"));
    assert_eq!(industry_division("561"), Some("56"));
    assert_eq!(industry_division(" 56 "), Some("56"));
    assert_eq!(industry_division("H"), None);
    assert_eq!(industry_division("5"), None);
    assert_eq!(industry_division("56100"), None);
    assert_eq!(industry_division("餐饮"), None);
}
