//! Masking of personal data (脱敏) for every public output: pages, exports, API
//! responses, logs. This is the ONE place that decides what stays visible; no other
//! module may hand-roll masking.
//!
//! Rules (all work on Unicode characters, never bytes; the mask character is `*`):
//!
//! | Function | Keeps | Example |
//! |---|---|---|
//! | [`mask_name`] | the surname (two characters for the compound surnames in [`COMPOUND_SURNAMES`]); every other character becomes `*`, so the length is kept | 张三丰 → 张**, 欧阳娜娜 → 欧阳** |
//! | [`mask_mobile`] | 11 characters: first 3 and last 4; any other length: last 4 | 13812341234 → 138****1234 |
//! | [`mask_id_number`] | 15 or more characters: first 4 and last 4; shorter: nothing | 420802199001011234 → 4208**********1234 |
//! | [`mask_bank_account`] | last 4 (spaces removed) | 6222 0200 1234 5678 → ************5678 |
//! | [`mask_address`] | the administrative prefix down to the township-level unit, then `****` | 湖北省荆门市东宝区子陵铺镇长坪村3组 → 湖北省荆门市东宝区子陵铺镇**** |
//! | [`mask_text_personal`] | free text, with every 18- or 15-character ID-number-like run and every 11-digit mobile-like run masked as above | 电话13812341234 → 电话138****1234 |
//!
//! Leading and trailing whitespace is trimmed; [`mask_mobile`] and
//! [`mask_bank_account`] also drop inner spaces and hyphens (and [`mask_mobile`] a
//! leading `+86`). Every function is
//! idempotent: masking a masked value changes nothing. Values too short to keep anything
//! safely come out fully masked.

/// Compound surnames that keep two characters in [`mask_name`].
pub const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "夏侯", "轩辕",
    "令狐", "宇文", "澹台", "端木", "司徒", "司空", "西门", "南宫", "百里", "呼延", "独孤", "申屠",
    "闻人", "万俟", "钟离", "赫连", "太史", "濮阳", "淳于", "单于", "公冶", "仲孙", "拓跋", "第五",
];

const MASK: char = '*';
/// What replaces the hidden tail of an address.
pub const ADDRESS_TAIL_MASK: &str = "****";

/// Keeps `head` leading and `tail` trailing characters of `chars` and masks the rest.
/// If nothing would be hidden, everything is masked.
fn keep_ends(chars: &[char], head: usize, tail: usize) -> String {
    if chars.len() <= head + tail {
        return MASK.to_string().repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i < head || i >= chars.len() - tail {
                c
            } else {
                MASK
            }
        })
        .collect()
}

fn chars_without(value: &str, drop: impl Fn(char) -> bool) -> Vec<char> {
    value.chars().filter(|&c| !drop(c)).collect()
}

/// Masks a personal name: 张三丰 → 张**, 张三 → 张*, 欧阳娜娜 → 欧阳**. A one-character
/// value is masked entirely; a two-character value starting with a compound surname is
/// treated as surname + given name (欧阳 → 欧*).
#[must_use]
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    let compound = chars.len() > 2
        && COMPOUND_SURNAMES
            .iter()
            .any(|s| chars.iter().take(2).copied().eq(s.chars()));
    let head = if compound { 2 } else { 1 };
    keep_ends(&chars, head, 0)
}

/// Masks a phone number: 11 characters keep the first 3 and last 4 (138****1234); any
/// other length keeps the last 4. Spaces, hyphens and a leading `+86` are dropped first.
#[must_use]
pub fn mask_mobile(mobile: &str) -> String {
    let trimmed = mobile.trim();
    let national = trimmed.strip_prefix("+86").unwrap_or(trimmed);
    let chars = chars_without(national, |c| c.is_whitespace() || c == '-');
    let head = if chars.len() == 11 { 3 } else { 0 };
    keep_ends(&chars, head, 4)
}

/// Masks a resident ID number (or anything shaped like one): 15 or more characters keep
/// the first 4 and last 4 (4208**********1234); shorter values are masked entirely.
#[must_use]
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() >= 15 {
        keep_ends(&chars, 4, 4)
    } else {
        keep_ends(&chars, 0, 0)
    }
}

/// Masks a bank account number, keeping the last 4 characters; spaces and hyphens are
/// dropped first.
#[must_use]
pub fn mask_bank_account(account: &str) -> String {
    let chars = chars_without(account, |c| c.is_whitespace() || c == '-');
    keep_ends(&chars, 0, 4)
}

/// One administrative level in an address: the suffixes that end it and how long its
/// name may be (in characters, without the suffix).
struct Level {
    suffixes: &'static [&'static str],
    max_name: usize,
}

/// Province, prefecture, county, township, in order. Every level is optional.
const LEVELS: [Level; 4] = [
    Level {
        suffixes: &[
            "自治区",
            "特别行政区",
            "省",
            "北京市",
            "天津市",
            "上海市",
            "重庆市",
        ],
        max_name: 8,
    },
    Level {
        suffixes: &["地区", "盟", "州", "市"],
        max_name: 9,
    },
    Level {
        suffixes: &["区", "县", "旗", "市"],
        max_name: 9,
    },
    Level {
        suffixes: &["街道办事处", "街道", "办事处", "镇", "乡"],
        max_name: 6,
    },
];

/// Characters that never occur in a division name but do in street addresses; a
/// candidate name containing one is not a division (e.g. 金虾路阳光小区 is no district).
fn is_street_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_numeric() || "路街巷道号弄村组栋楼室幢单元#－-*".contains(c)
}

/// Municipalities, whose whole name is the province-level suffix (no separate name).
const MUNICIPALITIES: [&str; 4] = ["北京市", "天津市", "上海市", "重庆市"];

/// Finds the nearest suffix of `level` in `rest` with a plausible name before it and
/// returns the number of characters the level spans.
fn match_level(rest: &[char], level: &Level) -> Option<usize> {
    (0..=level.max_name.min(rest.len()))
        .filter(|&name_len| !rest[..name_len].iter().any(|&c| is_street_char(c)))
        .find_map(|name_len| {
            level.suffixes.iter().find_map(|suffix| {
                let suffix_len = suffix.chars().count();
                let fits = rest[name_len..]
                    .iter()
                    .copied()
                    .take(suffix_len)
                    .eq(suffix.chars());
                let named = name_len > 0 || MUNICIPALITIES.contains(suffix);
                (fits && named).then_some(name_len + suffix_len)
            })
        })
}

/// Length (in characters) of the administrative prefix of `chars`: province,
/// prefecture, county and township, each optional, in that order.
fn administrative_prefix_len(chars: &[char]) -> usize {
    LEVELS.iter().fold(0, |pos, level| {
        pos + match_level(&chars[pos..], level).unwrap_or(0)
    })
}

/// Masks an address: keeps the administrative prefix (province, prefecture, county,
/// township — 街道/镇/乡/办事处 — each optional but in that order) and replaces
/// everything after it with [`ADDRESS_TAIL_MASK`]. An address with no recognisable
/// prefix becomes just the mask; an address that is nothing but the prefix is returned
/// unchanged.
///
/// 湖北省荆门市东宝区子陵铺镇长坪村3组 → 湖北省荆门市东宝区子陵铺镇****;
/// 荆门市东宝区象山大道2号 → 荆门市东宝区****.
#[must_use]
pub fn mask_address(address: &str) -> String {
    let trimmed = address.trim();
    let body = trimmed.strip_suffix(ADDRESS_TAIL_MASK).unwrap_or(trimmed);
    let chars: Vec<char> = body.chars().collect();
    let keep = administrative_prefix_len(&chars);
    let mut out: String = chars[..keep].iter().collect();
    if keep < chars.len() || body.len() < trimmed.len() {
        out.push_str(ADDRESS_TAIL_MASK);
    }
    out
}

/// The masked form of a digit run that looks like an ID or mobile number.
fn mask_run(run: &[char]) -> Option<String> {
    match run.len() {
        15 | 18 => Some(mask_id_number(&run.iter().collect::<String>())),
        11 if run[0] == '1' => Some(mask_mobile(&run.iter().collect::<String>())),
        _ => None,
    }
}

/// Masks personal numbers inside free text (complaint narratives, notes): every run of
/// 18 characters (17 digits + digit or `X`/`x`) or 15 digits is masked as an ID number,
/// every run of exactly 11 digits starting with `1` as a mobile number. Runs are
/// maximal: digits directly before or after make it a different number, left alone.
/// Numbers written with separators (138-1234-5678) are not recognised.
#[must_use]
pub fn mask_text_personal(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run_len = digit_run_len(&chars[i..]);
        if run_len == 0 {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = &chars[i..i + run_len];
        match mask_run(run) {
            Some(masked) => out.push_str(&masked),
            None => out.extend(run),
        }
        i += run_len;
    }
    out
}

/// Length of the digit run at the start of `chars`, including a final `X`/`x` after
/// exactly 17 digits (an ID check character).
fn digit_run_len(chars: &[char]) -> usize {
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let x_follows = matches!(chars.get(digits), Some('X' | 'x'));
    if digits == 17 && x_follows {
        18
    } else {
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        let cases = [
            ("张三丰", "张**"),
            ("张三", "张*"),
            ("张", "*"),
            ("", ""),
            ("  李四  ", "李*"),
            ("欧阳娜娜", "欧阳**"),
            ("欧阳锋", "欧阳*"),
            ("欧阳", "欧*"),
            ("司马懿", "司马*"),
            ("诸葛亮", "诸葛*"),
            ("上官婉儿", "上官**"),
            ("东方不败", "东方**"),
            ("皇甫嵩", "皇甫*"),
            ("尉迟恭", "尉迟*"),
            ("公孙瓒", "公孙*"),
            ("慕容复", "慕容*"),
            ("长孙无忌", "长孙**"),
            ("夏侯惇", "夏侯*"),
            ("轩辕剑", "轩辕*"),
            ("令狐冲", "令狐*"),
            ("宇文泰", "宇文*"),
            ("澹台灭明", "澹台**"),
            ("端木赐", "端木*"),
            ("买买提·艾力", "买*****"),
            ("John Smith", "J*********"),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_name(input), expected, "{input}");
        }
    }

    #[test]
    fn mobiles() {
        let cases = [
            ("13812341234", "138****1234"),
            ("138 1234 1234", "138****1234"),
            ("138-1234-1234", "138****1234"),
            ("138****1234", "138****1234"),
            // Landlines with area code 0724 also have 11 digits.
            ("0724-2345678", "072****5678"),
            ("+86 138 1234 1234", "138****1234"),
            ("027-87654321-8", "********3218"),
            ("1234", "****"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_mobile(input), expected, "{input}");
        }
    }

    #[test]
    fn id_numbers() {
        let cases = [
            ("420802199001011234", "4208**********1234"),
            ("42080219900101123X", "4208**********123X"),
            ("420802900101123", "4208*******1123"),
            ("E12345678", "*********"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_id_number(input), expected, "{input}");
        }
    }

    #[test]
    fn bank_accounts() {
        let cases = [
            ("6222 0200 1234 5678", "************5678"),
            ("6222020012345678901", "***************8901"),
            ("123", "***"),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_bank_account(input), expected, "{input}");
        }
    }

    #[test]
    fn addresses() {
        let cases = [
            (
                "湖北省荆门市东宝区子陵铺镇长坪村3组",
                "湖北省荆门市东宝区子陵铺镇****",
            ),
            (
                "湖北省荆门市钟祥市郢中街道王府大道1号",
                "湖北省荆门市钟祥市郢中街道****",
            ),
            (
                "湖北省荆门市京山市新市街道办事处城中路8号",
                "湖北省荆门市京山市新市街道办事处****",
            ),
            ("荆门市掇刀区白庙街道响岭路6号", "荆门市掇刀区白庙街道****"),
            ("钟祥市胡集镇王家村", "钟祥市胡集镇****"),
            ("东宝区子陵铺镇长坪村", "东宝区子陵铺镇****"),
            ("京山市罗汉寺办事处", "京山市罗汉寺办事处"),
            ("荆门市漳河新区漳河镇杨集村", "荆门市漳河新区漳河镇****"),
            ("沙洋县官垱镇", "沙洋县官垱镇"),
            ("荆门市东宝区象山大道2号", "荆门市东宝区****"),
            // A residential compound is not a district.
            ("荆门市金虾路阳光小区3栋", "荆门市****"),
            // 镇 inside a city name is not a township.
            (
                "江苏省镇江市京口区大市口街道1号",
                "江苏省镇江市京口区大市口街道****",
            ),
            // A township name that looks like a street is masked too (conservative).
            ("江苏省镇江市京口区正东路街道1号", "江苏省镇江市京口区****"),
            ("北京市海淀区中关村大街1号", "北京市海淀区****"),
            (
                "内蒙古自治区呼和浩特市新城区",
                "内蒙古自治区呼和浩特市新城区",
            ),
            ("象山大道2号", "****"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_address(input), expected, "{input}");
        }
    }

    #[test]
    fn free_text() {
        let cases = [
            (
                "投诉人电话13812341234，身份证420802199001011234。",
                "投诉人电话138****1234，身份证4208**********1234。",
            ),
            ("身份证42080219900101123x", "身份证4208**********123x"),
            ("旧证420802900101123", "旧证4208*******1123"),
            // Not personal: wrong lengths or not starting with 1.
            (
                "订单号1234567890123，金额23812341234",
                "订单号1234567890123，金额23812341234",
            ),
            ("138123412345", "138123412345"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_text_personal(input), expected, "{input}");
        }
    }

    fn digits(n: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::char::range('0', '9'), n)
            .prop_map(|v| v.into_iter().collect())
    }

    fn id_like() -> impl Strategy<Value = String> {
        (
            digits(17),
            prop_oneof![proptest::char::range('0', '9'), Just('X')],
        )
            .prop_map(|(d, c)| format!("{d}{c}"))
    }

    fn mobile_like() -> impl Strategy<Value = String> {
        digits(10).prop_map(|d| format!("1{d}"))
    }

    /// Text around the numbers; `min` >= 1 keeps two numbers from merging into one run.
    fn filler(min: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[\\p{{Han}}，。：a-z ]{{{min},8}}"))
            .expect("valid regex")
    }

    proptest! {
        #[test]
        fn id_number_middle_never_survives(id in id_like()) {
            let masked = mask_id_number(&id);
            prop_assert_eq!(masked.chars().count(), 18);
            prop_assert_eq!(&masked[..4], &id[..4]);
            prop_assert_eq!(&masked[14..], &id[14..]);
            prop_assert_eq!(&masked[4..14], "**********");
            prop_assert!(!masked.contains(&id[4..14]));
            prop_assert_eq!(mask_id_number(&masked), masked);
        }

        #[test]
        fn mobile_middle_never_survives(mobile in mobile_like()) {
            let masked = mask_mobile(&mobile);
            prop_assert_eq!(masked.chars().count(), 11);
            prop_assert_eq!(&masked[..3], &mobile[..3]);
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[7..], &mobile[7..]);
            prop_assert_eq!(mask_mobile(&masked), masked);
        }

        #[test]
        fn names_keep_length_and_only_the_surname(name in "[\\p{Han}]{1,6}") {
            let masked = mask_name(&name);
            prop_assert_eq!(masked.chars().count(), name.chars().count());
            let visible = masked.chars().filter(|&c| c != '*').count();
            prop_assert!(visible <= 2);
            prop_assert!(visible < name.chars().count() || name.is_empty());
            prop_assert_eq!(mask_name(&masked), masked);
        }

        #[test]
        fn bank_accounts_show_only_last_four(account in digits(16)) {
            let masked = mask_bank_account(&account);
            prop_assert_eq!(masked.chars().filter(|&c| c != '*').count(), 4);
            prop_assert!(masked.ends_with(&account[12..]));
            prop_assert_eq!(mask_bank_account(&masked), masked);
        }

        #[test]
        fn text_never_contains_the_numbers(
            a in filler(0), id in id_like(), b in filler(1), mobile in mobile_like(), c in filler(0),
        ) {
            let text = format!("{a}{id}{b}{mobile}{c}");
            let masked = mask_text_personal(&text);
            prop_assert!(!masked.contains(&id));
            prop_assert!(!masked.contains(&mobile));
            prop_assert!(!masked.contains(&id[4..14]));
            let masked_id = format!("{}**********{}", &id[..4], &id[14..]);
            let masked_mobile = format!("{}****{}", &mobile[..3], &mobile[7..]);
            prop_assert!(masked.contains(&masked_id), "{}", masked);
            prop_assert!(masked.contains(&masked_mobile), "{}", masked);
            prop_assert_eq!(masked.chars().count(), text.chars().count());
            prop_assert_eq!(mask_text_personal(&masked), masked);
        }

        #[test]
        fn addresses_keep_a_prefix_and_are_idempotent(address in "[\\p{Han}0-9号路]{0,24}") {
            let masked = mask_address(&address);
            let kept = masked.strip_suffix(ADDRESS_TAIL_MASK).unwrap_or(&masked);
            prop_assert!(address.starts_with(kept));
            prop_assert_eq!(mask_address(&masked), masked.clone());
        }

        #[test]
        fn masking_never_panics(input in "\\PC{0,40}") {
            let _ = (
                mask_name(&input),
                mask_mobile(&input),
                mask_id_number(&input),
                mask_bank_account(&input),
                mask_address(&input),
                mask_text_personal(&input),
            );
        }
    }
}
