//! Enterprise name checks (企业名称自主申报 / 核名): the pure rules. The caller passes the
//! existing names to compare with; nothing here does I/O.
//!
//! Sources (`../shared/reference/name-rules.md`): 企业名称登记管理规定 (国务院令第734号,
//! in force 2021-03-01, "规定"); 企业名称登记管理规定实施办法 (总局令第82号, in force
//! 2023-10-01, "办法"); 企业名称禁限用规则 and 企业名称相同相近比对规则 (工商企注字
//! 〔2017〕133号, "2017规则", force UNCONFIRMED); 企业名称申报指引（2025年版） ("指引",
//! non-binding). Rules of 规定 and 办法 (and of the laws they refer to: 公司法 Art 7,
//! 合伙企业法 Arts 15/56/62) reject; rules of the 2017规则 and 指引, and rules marked
//! UNCONFIRMED in name-rules.md, only warn and carry `unconfirmed: true`.
//!
//! This module owns:
//! - [`parse`]: a name into 行政区划 (in front or in brackets) + 字号 + 行业 + 组织形式,
//!   with [`Divisions`] supplied by the caller;
//! - [`check`]: a [`Proposal`] against the rules and against candidate
//!   [`ExistingName`]s, giving a [`Verdict`] (`ok` / `warn` / `reject`) with one
//!   [`Reason`] per finding: a stable code ([`Rule`]), severity, short Chinese rule,
//!   legal source and Chinese message;
//! - [`NameIndex`]: built once from the city's names, returns the candidates for a
//!   字号 in microseconds (identical, one character apart, reordered, same pinyin);
//! - the word lists as data ([`name_words`], [`org_forms`]): `name_words.csv` is an
//!   unchanged copy of the project's list, embedded with `include_str!`.
//!
//! Readings for the same-pinyin rule come through [`PinyinSource`] (storage can back
//! it with the `pinyin` crate; this crate does not depend on it).
//!
//! # Rules
//!
//! | code | severity | source |
//! |---|---|---|
//! | `name_empty` | reject | 规定 Art 6 |
//! | `invalid_characters` | reject | 规定 Art 5 (规范汉字; letters, digits, symbols) |
//! | `org_form_missing`, `org_form_mismatch` | reject for companies and partnerships (规定 Art 10; 公司法 Art 7; 合伙企业法 Arts 15, 56, 62) and for any form contradicting the liability form; warn otherwise (forms of sole proprietorships, individual businesses, cooperatives, non-company enterprises are UNCONFIRMED) |
//! | `branch_name` | reject | 规定 Art 13 (branch word ⇔ branch type) |
//! | `group_name` | warn | 规定 Art 14 (group conditions UNCONFIRMED) |
//! | `division_missing` | warn | 规定 Art 6 (omission allowed for 跨省经营; conditions UNCONFIRMED) |
//! | `division_not_local` | reject | 规定 Art 7; 办法 Art 9 |
//! | `district_without_city` | reject | 规定 Art 7 |
//! | `zone_without_division` | reject | 规定 Art 7 (开发区, 垦区) |
//! | `division_not_bracketed` | warn | 办法 Art 9 (heuristic: a division name inside the core) |
//! | `trade_name_missing`, `trade_name_too_short` | reject | 规定 Arts 6, 8 |
//! | `trade_name_is_division`, `trade_name_is_industry_term` | reject | 规定 Art 8; 办法 Art 10 |
//! | `prohibited_word` | reject; warn for rows from secondary legacy guidance or UNCONFIRMED sources | 规定 Art 11 + the row's source |
//! | `restricted_prefix` | reject | 规定 Art 12 para 1 (State Council approval) |
//! | `restricted_word_mid_name` | reject in the 字号, warn as an industry qualifier; 中央 warns | 规定 Art 12 para 2 |
//! | `china_marker` | reject for clearly domestic types, else warn | 规定 Art 12 para 3 |
//! | `restricted_word` | warn | 2017规则 (国际, 国家级, 最高级, 最佳) |
//! | `trade_name_identical` | reject | 规定 Art 17(1) |
//! | `trade_name_protected` | reject | 规定 Art 17(2)–(3): `protected_until >= today` |
//! | `trade_name_identical_review` | warn | 规定 Art 17: industry or protection date unknown |
//! | `trade_name_same_pinyin`, `trade_name_reordered`, `trade_name_one_char_apart` | warn | 2017规则 Arts 3–4; 指引 |
//! | `well_known_name` | warn | 反不正当竞争法 Art 6(2); 商标法 Art 58 |
//!
//! # Decisions
//!
//! - **Registration area** (name-rules.md S2): the 设区的市; an existing name whose
//!   division is known and lies in another city (first four digits) is not compared.
//! - **Same industry** (S2, UNCONFIRMED): the same GB/T 4754 大类 (first two digits);
//!   see [`industry_division`]. An existing name without industry wording blocks an
//!   identical 字号 in every industry (规定 Art 17). If either industry is unknown, an
//!   identical 字号 warns (`trade_name_identical_review`) instead of rejecting.
//! - **Similar names** are compared only within the same industry (or with names
//!   without industry wording, or when an industry is unknown), and only with names
//!   that still block (in use, reserved, or protected); at most
//!   [`MAX_SIMILAR_REASONS`] are listed. Each existing name gives at most one
//!   similarity warning: same pinyin, else reordered, else one character apart.
//! - **吊销未注销** counts as in use (S3); 迁出 and names whose year of protection has
//!   passed are not compared.
//! - The exceptions of 规定 Art 17 (investment relation, transfer) cannot be known
//!   here: the message tells the applicant to explain them to the authority.

#![deny(missing_docs)]

mod check;
mod divisions;
mod index;
mod parse;
mod similar;
mod verdict;
mod words;

pub use check::{
    check, industry_division, ExistingName, Lookups, NameStatus, Proposal, WellKnownName,
    MAX_SIMILAR_REASONS,
};
pub use divisions::{DivisionPart, Divisions};
pub use index::NameIndex;
pub use parse::{normalize_name, parse, BranchPart, ParsedName};
pub use similar::{NoPinyin, PinyinSource};
pub use verdict::{Conflict, Outcome, Reason, Rule, Severity, Verdict};
pub use words::{
    is_industry_word, name_words, org_forms, OrgFormClass, OrgFormRow, RestrictedUse, Word,
    WordKind,
};

#[cfg(test)]
mod tests;
