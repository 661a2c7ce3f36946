//! Splitting a name into its four parts (规定 Art 6; 办法 Arts 8–9): 行政区划名称 +
//! 字号 + 行业或者经营特点 + 组织形式, with the division either in front or in brackets
//! after the 字号, and the markers a name may carry (集团, （中国）, a branch suffix).

use serde::Serialize;

use super::divisions::{DivisionPart, Divisions};
use super::words::{name_words, tables, RestrictedUse};

/// The parts of a branch name (规定 Art 13): the parent's full name, an optional
/// qualifier (often a place: 东宝) and the branch word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BranchPart {
    /// The parent enterprise's full name, as written (parsed into the other fields).
    pub parent_name: String,
    /// Text between the parent name and the branch word (may be empty).
    pub qualifier: String,
    /// 分公司, 分厂, 分店, 分支机构.
    pub suffix: String,
}

/// A name split into its parts. For a branch the parts are those of the parent name.
///
/// `trade_name` + `industry_wording` is the name's core; division, group and foreign
/// markers and the organisational form are around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedName {
    /// The name after normalisation (whitespace removed, half-width brackets made
    /// full-width, full-width letters and digits made half-width).
    pub name: String,
    /// The division as written (荆门市, 湖北省荆门市, or the bracketed 荆门 without its
    /// brackets), if any.
    pub division: Option<String>,
    /// The divisions found, outermost first.
    pub division_parts: Vec<DivisionPart>,
    /// Whether the division was written in brackets after the 字号 (办法 Art 9).
    pub division_bracketed: bool,
    /// The 字号 (trade name); empty when none was found.
    pub trade_name: String,
    /// The industry or business wording (行业或者经营特点); empty when none.
    pub industry_wording: String,
    /// 集团 or （集团） before the organisational form (规定 Art 14).
    pub group: Option<String>,
    /// Whether the name carries （中国） (规定 Art 12 para 3).
    pub china_marker: bool,
    /// The organisational form (有限公司, （有限合伙）, 店 …), if recognised.
    pub org_form: Option<String>,
    /// The branch parts, for a name ending in a branch word.
    pub branch: Option<BranchPart>,
}

/// The bracketed marker of 规定 Art 12 para 3.
const CHINA_MARKER: &str = "（中国）";

/// Normalises a typed name: removes whitespace (and zero-width characters), makes
/// half-width brackets full-width (names are written with （）) and other full-width
/// ASCII forms half-width, so that letters and digits are detected in either width.
#[must_use]
pub fn normalize_name(name: &str) -> String {
    normalized_chars(name).collect()
}

/// The characters of [`normalize_name`], without allocating.
pub(super) fn normalized_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|&c| !(c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}'))
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            '（' | '）' => c,
            _ => {
                let code = u32::from(c);
                if (0xFF01..=0xFF5E).contains(&code) {
                    char::from_u32(code - 0xFEE0).unwrap_or(c)
                } else {
                    c
                }
            }
        })
}

/// Splits `name` into its parts, recognising the divisions in `divisions`.
///
/// Steps, each on what the previous left:
/// 1. a branch word at the end (分公司 …): the parent's name ends at the last
///    organisational form before it, the rest is the qualifier;
/// 2. the organisational form: the longest form of `org_forms.csv` the name ends with;
/// 3. a group marker (集团, （集团）) before it;
/// 4. the divisions at the front (湖北省荆门市东宝区, short forms allowed); if none,
///    a division in brackets after the 字号 (好味道（荆门）餐饮有限公司); （中国） is taken
///    out as a marker;
/// 5. the industry wording: known industry words stripped from the end while at least
///    two characters remain for the 字号 (好味道餐饮管理 → 好味道 / 餐饮管理). A
///    中国/中华/全国/国家 directly before the industry wording is taken as its qualifier
///    (规定 Art 12 para 2) when two characters remain.
///
/// If the 字号 would be shorter than two characters and the last front division was
/// written in its short form, that text is given back to the 字号 (京山红 is more likely
/// a 字号 than 京山 + 红); if nothing remains at all, the last front division becomes
/// the 字号 (荆门有限公司 → 字号 荆门, which the checker rejects).
#[must_use]
pub fn parse(name: &str, divisions: &Divisions) -> ParsedName {
    let t = tables();
    let normalized = normalize_name(name);
    let mut rest: &str = &normalized;

    let mut branch = None;
    if let Some(suffix) = t
        .branch_forms
        .iter()
        .find(|f| rest.len() > f.len() && rest.ends_with(f.as_str()))
    {
        let before = &rest[..rest.len() - suffix.len()];
        let parent_end = last_form_end(before).unwrap_or(before.len());
        branch = Some(BranchPart {
            parent_name: before[..parent_end].to_owned(),
            qualifier: before[parent_end..].to_owned(),
            suffix: suffix.clone(),
        });
        rest = &before[..parent_end];
    }

    let strip_form = |rest: &mut &str, bracketed_ok: bool| {
        let form = t.suffix_forms.iter().find(|f| {
            rest.len() > f.len()
                && rest.ends_with(f.as_str())
                && (bracketed_ok || !f.starts_with('（'))
        })?;
        *rest = &rest[..rest.len() - form.len()];
        Some(form.clone())
    };
    let mut org_form = strip_form(&mut rest, true);
    // A bracketed liability marker follows the business's own form word:
    // 好味道餐饮店（个人独资）, 金龙投资中心（有限合伙）.
    if let Some(outer) = org_form.as_mut().filter(|f| f.starts_with('（')) {
        if let Some(inner) = strip_form(&mut rest, false) {
            outer.insert_str(0, &inner);
        }
    }
    let group = t
        .group_forms
        .iter()
        .find(|g| rest.len() > g.len() && rest.ends_with(g.as_str()))
        .cloned();
    if let Some(g) = &group {
        rest = &rest[..rest.len() - g.len()];
    }

    let china_marker = rest.contains(CHINA_MARKER);
    let mut chain: Vec<(DivisionPart, usize)> = Vec::new();
    let mut pos = 0;
    while chain.len() < 4 {
        match divisions.longest_prefix(&rest[pos..]) {
            Some((part, len)) => {
                chain.push((part.clone(), pos));
                pos += len;
            }
            None => break,
        }
    }

    loop {
        let body = rest[pos..].replace(CHINA_MARKER, "");
        let (core, bracketed) = if chain.is_empty() {
            take_bracketed_division(&body, divisions)
        } else {
            (body, None)
        };
        let (trade_name, industry_wording) = split_industry(&core);
        let give_back = chain.last().is_some_and(|(last, _)| {
            core.is_empty() || (trade_name.chars().count() < 2 && last.text != last.name)
        });
        if give_back {
            if let Some((_, start)) = chain.pop() {
                pos = start;
            }
            continue;
        }
        let division_bracketed = bracketed.is_some();
        let division_parts: Vec<DivisionPart> = match bracketed {
            Some(part) => vec![part],
            None => chain.into_iter().map(|(part, _)| part).collect(),
        };
        let division = (!division_parts.is_empty()).then(|| {
            division_parts
                .iter()
                .map(|p| p.text.as_str())
                .collect::<String>()
        });
        return ParsedName {
            name: normalized.clone(),
            division,
            division_parts,
            division_bracketed,
            trade_name,
            industry_wording,
            group,
            china_marker,
            org_form,
            branch,
        };
    }
}

/// The byte end of the last organisational form in `text` (for a branch's parent
/// name). Forms of two or more characters are preferred, so that a qualifier such as
/// 东部 is not mistaken for the form 部.
fn last_form_end(text: &str) -> Option<usize> {
    let forms = &tables().suffix_forms;
    let last_end = |long: bool| {
        forms
            .iter()
            .filter(|f| (f.chars().count() >= 2) == long)
            .filter_map(|f| text.rfind(f.as_str()).map(|i| i + f.len()))
            .max()
    };
    last_end(true).or_else(|| last_end(false))
}

/// Takes the first bracketed division out of `body`.
fn take_bracketed_division(body: &str, divisions: &Divisions) -> (String, Option<DivisionPart>) {
    let mut search = 0;
    while let Some(open) = body[search..].find('（').map(|i| i + search) {
        let inner_start = open + '（'.len_utf8();
        let Some(close) = body[inner_start..].find('）').map(|i| i + inner_start) else {
            break;
        };
        if let Some(part) = divisions.get(&body[inner_start..close]) {
            let mut core = String::with_capacity(body.len());
            core.push_str(&body[..open]);
            core.push_str(&body[close + '）'.len_utf8()..]);
            return (core, Some(part.clone()));
        }
        search = close;
    }
    (body.to_owned(), None)
}

/// Splits a core into 字号 and industry wording (step 5 of [`parse`]).
pub(super) fn split_industry(core: &str) -> (String, String) {
    let t = tables();
    // Byte offsets of every character boundary.
    let bounds: Vec<usize> = core
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(core.len()))
        .collect();
    let total = bounds.len() - 1;
    let mut kept = total; // characters kept for the 字号
    loop {
        let longest = kept.saturating_sub(2).min(t.industry_max_chars);
        let found = (2..=longest)
            .rev()
            .find(|&n| t.industry.contains(&core[bounds[kept - n]..bounds[kept]]));
        match found {
            Some(n) => kept -= n,
            None => break,
        }
    }
    if kept < total {
        let head = &core[..bounds[kept]];
        let qualifier = name_words()
            .iter()
            .filter(|w| matches!(w.restricted_use, Some(RestrictedUse::StateApproval { .. })))
            .find(|w| head.ends_with(w.word.as_str()));
        if let Some(w) = qualifier {
            let n = w.word.chars().count();
            if kept >= n + 2 {
                kept -= n;
            }
        }
    }
    (
        core[..bounds[kept]].to_owned(),
        core[bounds[kept]..].to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::division::DivisionCode;

    pub(crate) fn jingmen() -> Divisions {
        let code = |s: &str| Some(DivisionCode::parse(s).unwrap());
        Divisions::from_rows([
            ("湖北省", code("420000")),
            ("荆门市", code("420800")),
            ("东宝区", code("420802")),
            ("掇刀区", code("420804")),
            ("沙洋县", code("420822")),
            ("钟祥市", code("420881")),
            ("京山市", code("420882")),
            ("北京市", code("110000")),
            ("武汉市", code("420100")),
        ])
    }

    fn p(name: &str) -> ParsedName {
        parse(name, &jingmen())
    }

    fn parts(name: &str) -> (Option<String>, String, String, Option<String>) {
        let parsed = p(name);
        (
            parsed.division,
            parsed.trade_name,
            parsed.industry_wording,
            parsed.org_form,
        )
    }

    fn s(text: &str) -> String {
        text.to_owned()
    }

    #[test]
    fn the_four_parts_in_order() {
        assert_eq!(
            parts("荆门市好味道餐饮管理有限公司"),
            (
                Some(s("荆门市")),
                s("好味道"),
                s("餐饮管理"),
                Some(s("有限公司"))
            )
        );
        assert_eq!(
            parts("湖北省荆门市东宝区金龙网络科技股份有限公司"),
            (
                Some(s("湖北省荆门市东宝区")),
                s("金龙"),
                s("网络科技"),
                Some(s("股份有限公司"))
            )
        );
        assert_eq!(
            parts("荆门金龙科技有限责任公司"),
            (
                Some(s("荆门")),
                s("金龙"),
                s("科技"),
                Some(s("有限责任公司"))
            )
        );
        let parsed = p("湖北省荆门市东宝区金龙科技有限公司");
        assert_eq!(parsed.division_parts.len(), 3);
        assert_eq!(
            parsed.division_parts[2].code.as_ref().unwrap().as_str(),
            "420802"
        );
    }

    #[test]
    fn division_in_brackets_after_the_trade_name() {
        let parsed = p("好味道（荆门）餐饮有限公司");
        assert_eq!(parsed.division.as_deref(), Some("荆门"));
        assert!(parsed.division_bracketed);
        assert_eq!(parsed.trade_name, "好味道");
        assert_eq!(parsed.industry_wording, "餐饮");
        // Half-width brackets are normalised; the division may also follow the
        // industry wording.
        let parsed = p("红光(北京)酒业发展有限公司");
        assert_eq!(parsed.name, "红光（北京）酒业发展有限公司");
        assert_eq!(parsed.division.as_deref(), Some("北京"));
        assert_eq!(parsed.trade_name, "红光");
        assert_eq!(parsed.industry_wording, "酒业发展");
        let parsed = p("好味道餐饮（荆门市）有限公司");
        assert_eq!(parsed.division.as_deref(), Some("荆门市"));
        assert_eq!(parsed.trade_name, "好味道");
    }

    #[test]
    fn organisational_forms_per_entity_type() {
        let cases = [
            (
                "荆门市金龙投资合伙企业（有限合伙）",
                "合伙企业（有限合伙）",
                "金龙",
            ),
            (
                "荆门市金龙会计师事务所(特殊普通合伙)",
                "（特殊普通合伙）",
                "金龙",
            ),
            ("钟祥市好味道餐饮店（个人独资）", "店（个人独资）", "好味道"),
            ("京山市绿野水稻种植专业合作社", "专业合作社", "绿野水稻"),
            ("荆门市东宝区张三水果店", "店", "张三"),
            ("沙洋县老李面馆", "馆", "老李面"),
            ("荆门市好运来经营部", "部", "好运来"),
            ("荆门市金龙家政服务中心", "中心", "金龙"),
        ];
        for (name, form, trade) in cases {
            let parsed = p(name);
            assert_eq!(parsed.org_form.as_deref(), Some(form), "{name}");
            assert_eq!(parsed.trade_name, trade, "{name}");
        }
        assert_eq!(p("荆门市好味道").org_form, None);
    }

    #[test]
    fn group_marker_and_china_marker() {
        let parsed = p("荆门金龙（集团）有限公司");
        assert_eq!(parsed.group.as_deref(), Some("（集团）"));
        assert_eq!(parsed.trade_name, "金龙");
        let parsed = p("荆门金龙科技集团股份有限公司");
        assert_eq!(parsed.group.as_deref(), Some("集团"));
        assert_eq!(parsed.industry_wording, "科技");
        let parsed = p("阿尔法（中国）投资有限公司");
        assert!(parsed.china_marker);
        assert_eq!(parsed.trade_name, "阿尔法");
        assert_eq!(parsed.industry_wording, "投资");
    }

    #[test]
    fn branch_names() {
        let parsed = p("荆门市好味道餐饮管理有限公司东宝分公司");
        let branch = parsed.branch.as_ref().unwrap();
        assert_eq!(branch.parent_name, "荆门市好味道餐饮管理有限公司");
        assert_eq!(branch.qualifier, "东宝");
        assert_eq!(branch.suffix, "分公司");
        assert_eq!(parsed.trade_name, "好味道");
        assert_eq!(parsed.org_form.as_deref(), Some("有限公司"));
        // A qualifier ending in a one-character form word is not taken for the form.
        let parsed = p("荆门市好味道餐饮有限公司城东部分店");
        assert_eq!(parsed.branch.as_ref().unwrap().qualifier, "城东部");
    }

    #[test]
    fn restricted_words_in_the_core() {
        // 荆门中国石化: 中国 is the 字号 (no two characters would remain otherwise).
        assert_eq!(
            parts("荆门中国石化有限公司"),
            (Some(s("荆门")), s("中国"), s("石化"), Some(s("有限公司")))
        );
        // A qualifier of the industry wording, with a 字号 of two characters left.
        let parsed = p("荆门市好味道中华料理有限公司");
        assert_eq!(parsed.trade_name, "好味道");
        assert_eq!(parsed.industry_wording, "中华料理");
        let parsed = p("中国好味道餐饮有限公司");
        assert_eq!(parsed.division, None);
        assert_eq!(parsed.trade_name, "中国好味道");
    }

    #[test]
    fn short_division_forms_give_way_to_the_trade_name() {
        // 京山红: 京山 + 红 would leave a one-character 字号.
        assert_eq!(
            parts("京山红有限公司"),
            (None, s("京山红"), s(""), Some(s("有限公司")))
        );
        // The 字号 keeps two characters before industry words are taken.
        assert_eq!(
            parts("京山红餐饮有限公司"),
            (Some(s("京山")), s("红餐饮"), s(""), Some(s("有限公司")))
        );
        // Nothing but a division: it becomes the 字号 (and is rejected by the checker).
        assert_eq!(
            parts("荆门市有限公司"),
            (None, s("荆门市"), s(""), Some(s("有限公司")))
        );
        // Only industry words: two characters stay as the 字号.
        assert_eq!(
            parts("荆门市餐饮管理有限公司"),
            (Some(s("荆门市")), s("餐饮"), s("管理"), Some(s("有限公司")))
        );
        assert_eq!(
            parts("荆门新发展科技有限公司"),
            (Some(s("荆门")), s("新发展"), s("科技"), Some(s("有限公司")))
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_name(" 荆门 好味道(餐饮) "), "荆门好味道（餐饮）");
        assert_eq!(normalize_name("ＡＢＣ１２３"), "ABC123");
        assert_eq!(p("").trade_name, "");
    }
}
