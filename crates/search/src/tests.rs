//! Behaviour tests, and a property test against a brute-force reference of the spec.

use std::collections::{BTreeMap, HashSet};

use pinyin::ToPinyinMulti;
use proptest::prelude::*;

use crate::{Cursor, Doc, Index, Match, Page, Query};

fn doc(uscc: &str, name: &str) -> Doc {
    Doc {
        uscc: uscc.into(),
        name: name.into(),
        legal_rep: "张三".into(),
        address: "湖北省荆门市东宝区龙泉路1号".into(),
        division_code: "420802".into(),
        entity_type: "enterprise".into(),
        status: "active".into(),
        industry_code: "H6210".into(),
        listing: String::new(),
    }
}

fn index(docs: impl IntoIterator<Item = Doc>) -> Index {
    let mut ix = Index::new();
    ix.extend(docs);
    ix
}

/// All hits of a query, following cursors (through their encoded form).
fn all_pages(ix: &Index, q: &Query) -> (usize, Vec<(String, Match)>) {
    let (total, hits, _) = all_pages_and_cursors(ix, q);
    (total, hits)
}

/// As [`all_pages`], also returning the cursor of every page but the last.
fn all_pages_and_cursors(ix: &Index, q: &Query) -> (usize, Vec<(String, Match)>, Vec<Cursor>) {
    let mut q = q.clone();
    let mut cursors = Vec::new();
    let mut out = Vec::new();
    let mut total = None;
    for round in 0.. {
        assert!(round <= ix.len() + 1, "paging does not end");
        let page: Page = ix.search(&q);
        assert!(page.hits.len() <= q.limit);
        if let Some(t) = total {
            assert_eq!(t, page.total, "total changed between pages");
        }
        total = Some(page.total);
        out.extend(page.hits.into_iter().map(|h| (h.uscc, h.matched)));
        match page.next {
            Some(c) => {
                q.after = Some(Cursor::decode(&c.encode()).expect("cursor round trip"));
                cursors.push(c);
            }
            None => break,
        }
    }
    (total.unwrap_or(0), out, cursors)
}

fn usccs(ix: &Index, q: &Query) -> Vec<String> {
    all_pages(ix, q).1.into_iter().map(|(u, _)| u).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn exact_substring_semantics() {
    let ix = index([
        doc("A1", "荆门市好味道餐饮店"),
        doc("A2", "荆门餐厅饮品店"), // 餐 and 饮 not adjacent
        doc("A3", "餐饮"),
        doc("A4", "餐饮管理有限公司"),
        doc("A5", "石化超市"),
        doc("A6", "饮餐"),
    ]);
    assert_eq!(sorted(usccs(&ix, &Query::text("餐饮"))), ["A1", "A3", "A4"]);
    assert_eq!(sorted(usccs(&ix, &Query::text("店"))), ["A1", "A2"]);
    assert_eq!(
        sorted(usccs(&ix, &Query::text("餐"))),
        ["A1", "A2", "A3", "A4", "A6"]
    );
    assert_eq!(usccs(&ix, &Query::text("好味道餐")), ["A1"]);
    assert_eq!(usccs(&ix, &Query::text("道餐饮店")), ["A1"]);
    // Contains every pair of 餐饮品 but never the whole: 餐饮 + 饮品 in different names.
    assert!(usccs(&ix, &Query::text("餐饮品")).is_empty());
    assert!(usccs(&ix, &Query::text("厅饮品店x")).is_empty());
    assert!(usccs(&ix, &Query::text("饮道")).is_empty());
    assert_eq!(ix.search(&Query::text("  餐饮\u{3000}")).total, 3);
}

#[test]
fn tier_order_and_match_kinds() {
    let mut rep = doc("T5", "无关名称甲");
    rep.legal_rep = "餐饮".into();
    let mut addr = doc("T6", "无关名称丙");
    addr.address = "餐饮街8号".into();
    let ix = index([
        addr,
        rep,
        doc("T4", "菜园子饭庄"), // pinyin c-y, no 餐饮
        doc("T3", "好味道餐饮店"),
        doc("T2", "餐饮管理公司"),
        doc("T1", "餐饮"),
    ]);
    let mut q = Query::text("餐饮");
    q.include_legal_rep = true;
    let (total, hits) = all_pages(&ix, &q);
    assert_eq!(total, 5);
    assert_eq!(
        hits,
        [
            ("T1".to_string(), Match::ExactName),
            ("T2".to_string(), Match::NamePrefix),
            ("T3".to_string(), Match::Name),
            ("T5".to_string(), Match::LegalRep),
            ("T6".to_string(), Match::Address),
        ]
    );
    let (_, hits) = all_pages(&ix, &Query::text("cy"));
    assert_eq!(
        hits,
        [
            ("T1".to_string(), Match::Pinyin),
            ("T4".to_string(), Match::Pinyin),
            ("T2".to_string(), Match::Pinyin),
            ("T3".to_string(), Match::Pinyin),
        ]
    );
    assert_eq!(Match::ExactName.as_str(), "exact_name");
    assert_eq!(Match::CodePrefix.to_string(), "code_prefix");
    assert_eq!(Match::LegalRep.tier(), 4);
}

#[test]
fn within_tier_order() {
    let mut inactive = doc("W0", "超市");
    inactive.status = "revoked".into();
    let ix = index([
        doc("W3", "大超市"),
        doc("W2", "小超市"),
        doc("W1", "荆门大型超市"),
        inactive,
        doc("W4", "超市"),
        doc("W5", "超市二"),
    ]);
    // Tier 0: active W4 before inactive W0; tier 1: W5; tier 2: by length, then code.
    assert_eq!(
        usccs(&ix, &Query::text("超市")),
        ["W4", "W0", "W5", "W2", "W3", "W1"]
    );
    // Empty text: everything as tier 2, same within-tier order.
    assert_eq!(
        usccs(&ix, &Query::text("")),
        ["W4", "W2", "W3", "W5", "W1", "W0"]
    );
}

#[test]
fn long_text_tiers() {
    // Three or more characters go through the pair intersection; tiers must still hold:
    // an inactive exact name before an active prefix before a shorter substring.
    let mut exact = doc("L3", "荆门石化");
    exact.status = "revoked".into();
    let ix = index([
        doc("L1", "新荆门石化"),
        doc("L2", "荆门石化加油站"),
        exact,
        doc("L4", "荆门石油化工"),
        doc("L5", "荆门石化荆门石化"),
    ]);
    assert_eq!(
        all_pages(&ix, &Query::text("荆门石化")).1,
        [
            ("L3".to_string(), Match::ExactName),
            ("L2".to_string(), Match::NamePrefix), // 7 characters
            ("L5".to_string(), Match::NamePrefix), // 8 characters
            ("L1".to_string(), Match::Name),
        ]
    );
    let mut q = Query::text("荆门石化");
    q.limit = 1;
    let first = ix.search(&q);
    assert_eq!(first.next.as_ref().map(|c| c.tier), Some(0));
    q.after = first.next;
    assert_eq!(ix.search(&q).next.map(|c| c.tier), Some(1));
}

#[test]
fn credit_code_prefix() {
    let ix = index([
        doc("91420800MA4A1B2C3D", "甲"),
        doc("91420802MA4A1B2C3E", "乙"),
        doc("92420800MA4A1B2C3F", "丙"),
        doc("9142080", "丁"),
    ]);
    assert_eq!(
        usccs(&ix, &Query::text("9142")),
        ["9142080", "91420800MA4A1B2C3D", "91420802MA4A1B2C3E"]
    );
    assert_eq!(
        all_pages(&ix, &Query::text("91420800ma4a1b2c3d")).1,
        [("91420800MA4A1B2C3D".to_string(), Match::ExactCode)]
    );
    assert_eq!(
        all_pages(&ix, &Query::text("９１４２０８０")).1,
        [
            ("9142080".to_string(), Match::ExactCode),
            ("91420800MA4A1B2C3D".to_string(), Match::CodePrefix),
            ("91420802MA4A1B2C3E".to_string(), Match::CodePrefix),
        ]
    );
    assert_eq!(
        usccs(&ix, &Query::text("91420800MA4A1B2C3")),
        ["91420800MA4A1B2C3D"]
    );
    assert!(
        usccs(&ix, &Query::text("9")).is_empty(),
        "one character is not a code"
    );
    assert!(usccs(&ix, &Query::text("420800")).is_empty(), "prefix only");
    assert!(usccs(&ix, &Query::text("91420800MA4A1B2C3DX")).is_empty());
    assert!(ix.get("91420800MA4A1B2C3D").is_some());
    assert!(ix.get("91420800ma4a1b2c3d").is_none(), "get is exact");
}

#[test]
fn pinyin_initials() {
    let ix = index([
        doc("P1", "荆门石化有限公司"),
        doc("P2", "中国银行荆门分行"),
        doc("P3", "长江超市"),
        doc("P4", "重庆小面"),
        doc("P5", "快乐童年"),
        doc("P6", "荆门1石化"),
        doc("P7", "KTV歌厅"),
    ]);
    let find = |s: &str| sorted(usccs(&ix, &Query::text(s)));
    assert_eq!(find("jmsh"), ["P1"]);
    assert_eq!(find("JMSH"), ["P1"]);
    assert_eq!(find("gyh"), ["P2"]); // 国银行 háng
    assert_eq!(find("gyx"), ["P2"]); // 国银行 xíng
    assert_eq!(find("yx"), ["P1", "P2"]); // 有限 and 银行 xíng
    assert_eq!(find("fh"), ["P2"]); // 分行
    assert_eq!(find("cjcs"), ["P3"]); // 长 cháng
    assert_eq!(find("zjcs"), ["P3"]); // 长 zhǎng
    assert_eq!(find("zqxm"), ["P4"]); // 重 zhòng
    assert_eq!(find("cqxm"), ["P4"]); // 重 chóng
    assert_eq!(find("kl"), ["P5"]); // 乐 lè
    assert_eq!(find("ky"), ["P5"]); // 乐 yuè
    assert_eq!(find("ms"), ["P1"]); // the digit in P6 breaks the run
    assert_eq!(find("ktvgt"), ["P7"]);
    assert!(find("j").is_empty(), "one letter is not a pinyin query");
    assert!(find("jmshz").is_empty());
    assert_eq!(
        all_pages(&ix, &Query::text("jmsh")).1,
        [("P1".to_string(), Match::Pinyin)]
    );
}

#[test]
fn legal_rep_only_when_allowed() {
    let mut d = doc("L1", "某某商贸");
    d.legal_rep = "欧阳娜娜".into();
    let ix = index([d]);
    let mut q = Query::text("欧阳");
    assert!(usccs(&ix, &q).is_empty());
    q.include_legal_rep = true;
    assert_eq!(usccs(&ix, &q), ["L1"]);
    q.text = "娜".into(); // one character is enough for the legal representative
    assert_eq!(usccs(&ix, &q), ["L1"]);
    q.text = "欧阳娜娜娜".into();
    assert!(usccs(&ix, &q).is_empty());
}

#[test]
fn address_needs_two_characters() {
    let mut d = doc("D1", "某某商贸");
    d.address = "掇刀区白庙路18号".into();
    let ix = index([d]);
    assert_eq!(usccs(&ix, &Query::text("白庙路")), ["D1"]);
    assert_eq!(usccs(&ix, &Query::text("18")), ["D1"]);
    assert!(usccs(&ix, &Query::text("庙")).is_empty());
    assert!(usccs(&ix, &Query::text("白路")).is_empty());
}

#[test]
fn filters() {
    let mut a = doc("F1", "甲超市");
    a.division_code = "420802001".into();
    a.listing = "abnormal".into();
    let mut b = doc("F2", "乙超市");
    b.entity_type = "individual_business".into();
    b.status = "dormant".into();
    b.industry_code = "F5211".into();
    let mut c = doc("F3", "丙超市");
    c.listing = "dishonesty".into();
    c.industry_code = String::new();
    c.division_code = "420804".into();
    let ix = index([a, b, c]);
    let q = |f: &dyn Fn(&mut Query)| {
        let mut q = Query::text("超市");
        f(&mut q);
        sorted(usccs(&ix, &q))
    };
    let set = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<HashSet<_>>());
    assert_eq!(q(&|q| q.divisions = set(&["420802"])), ["F2"]);
    assert_eq!(
        q(&|q| q.divisions = set(&["420802", "420804"])),
        ["F2", "F3"]
    );
    assert!(q(&|q| q.divisions = set(&[])).is_empty());
    assert!(
        q(&|q| q.divisions = set(&["4208"])).is_empty(),
        "exact codes"
    );
    assert_eq!(
        q(&|q| q.entity_type = Some("individual_business".into())),
        ["F2"]
    );
    assert_eq!(q(&|q| q.status = Some("active".into())), ["F1", "F3"]);
    assert!(q(&|q| q.status = Some("nonsense".into())).is_empty());
    assert_eq!(q(&|q| q.industry_prefix = Some("H62".into())), ["F1"]);
    assert_eq!(
        q(&|q| q.industry_prefix = Some(String::new())),
        ["F1", "F2", "F3"]
    );
    assert!(q(&|q| q.industry_prefix = Some("6210".into())).is_empty());
    assert_eq!(q(&|q| q.listing = Some("none".into())), ["F2"]);
    assert_eq!(q(&|q| q.listing = Some("abnormal".into())), ["F1"]);
    assert_eq!(q(&|q| q.listing = Some("dishonesty".into())), ["F3"]);
    assert_eq!(
        q(&|q| {
            q.text.clear();
            q.status = Some("active".into());
            q.listing = Some("dishonesty".into());
        }),
        ["F3"]
    );
}

#[test]
fn cursor_paging_and_encoding() {
    let docs: Vec<Doc> = (0..57)
        .map(|i| {
            let mut d = doc(&format!("9142{i:03}"), &"超".repeat(1 + i % 5));
            if i % 3 == 0 {
                d.status = "dormant".into();
            }
            d
        })
        .collect();
    let ix = index(docs);
    let mut q = Query::text("超");
    q.limit = 1000;
    let (_, full) = all_pages(&ix, &q);
    assert_eq!(full.len(), 57);
    for limit in [1, 2, 7, 56, 57] {
        q.limit = limit;
        let (total, paged) = all_pages(&ix, &q);
        assert_eq!(total, 57);
        assert_eq!(paged, full, "limit {limit}");
    }
    q.limit = 0;
    let p = ix.search(&q);
    assert_eq!((p.total, p.hits.len(), p.next), (57, 0, None));

    q.limit = 10;
    let c = ix.search(&q).next.unwrap();
    let s = c.encode();
    assert!(s.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(Cursor::decode(&s), Some(c));
    for bad in [
        "", "x", "20000", "90001234", "2000012", "2x001234", "20+f1234", "2000ff0", "20000A",
        "200G00",
    ] {
        assert_eq!(Cursor::decode(bad), None, "{bad}");
    }
}

#[test]
fn paging_survives_unrelated_changes() {
    let ix_docs: Vec<Doc> = (0..30)
        .map(|i| doc(&format!("C{i:02}"), &format!("石化{}", "站".repeat(i % 4))))
        .collect();
    let mut ix = index(ix_docs);
    let mut q = Query::text("石化");
    q.limit = 30;
    let (_, full) = all_pages(&ix, &q);
    q.limit = 4;
    let mut got = Vec::new();
    let mut n = 0;
    loop {
        let page = ix.search(&q);
        got.extend(page.hits.iter().map(|h| (h.uscc.clone(), h.matched)));
        // Between pages: unrelated inserts, removals and edits that keep keys.
        n += 1;
        ix.upsert(doc(&format!("X{n}"), "建材"));
        ix.remove(&format!("X{}", n - 1));
        let mut same = ix.get("C07").unwrap().to_doc();
        same.address = format!("新地址{n}");
        ix.upsert(same);
        match page.next {
            Some(c) => q.after = Some(c),
            None => break,
        }
    }
    assert_eq!(got, full);
}

#[test]
fn upsert_replaces_and_remove_forgets() {
    let mut ix = index([doc("U1", "荆门好味道餐饮店"), doc("U2", "石化超市")]);
    assert_eq!(ix.len(), 2);
    let mut d = doc("U1", "荆门建材商贸有限公司");
    d.status = "revoked".into();
    ix.upsert(d.clone());
    assert_eq!(ix.len(), 2);
    assert!(usccs(&ix, &Query::text("餐饮")).is_empty());
    assert!(usccs(&ix, &Query::text("好味道餐饮")).is_empty());
    assert!(usccs(&ix, &Query::text("hwd")).is_empty());
    assert_eq!(usccs(&ix, &Query::text("建材商贸")), ["U1"]);
    assert_eq!(ix.get("U1").unwrap().to_doc(), d);

    assert!(ix.remove("U1"));
    assert!(!ix.remove("U1"));
    assert_eq!(ix.len(), 1);
    assert!(ix.get("U1").is_none());
    assert!(usccs(&ix, &Query::text("建材")).is_empty());
    assert!(usccs(&ix, &Query::text("U1")).is_empty());
    assert_eq!(usccs(&ix, &Query::text("")), ["U2"]);
    // A new document is found and the removed one still is not.
    ix.upsert(doc("U3", "餐饮"));
    assert_eq!(usccs(&ix, &Query::text("")), ["U3", "U2"]);
    assert_eq!(usccs(&ix, &Query::text("饮")), ["U3"]);
    assert!(!ix.is_empty() && ix.contains("U3") && !ix.contains("U1"));
}

#[test]
fn long_texts_fall_back_to_checking() {
    // First positions saturate at 255 characters: a match further on is still found.
    let mut d = doc("LT1", "某某商贸");
    d.address = format!("{}白庙路18号", "甲乙".repeat(140));
    // More than 64 letters: the pinyin check takes its slow path; repeated windows
    // prove nothing and are checked too.
    let long = doc("LT2", &"行".repeat(80));
    let ix = index([d, long]);
    assert_eq!(usccs(&ix, &Query::text("白庙路18")), ["LT1"]);
    assert_eq!(usccs(&ix, &Query::text("甲乙甲乙白庙")), ["LT1"]);
    assert!(usccs(&ix, &Query::text("乙甲白庙")).is_empty());
    assert_eq!(usccs(&ix, &Query::text("h".repeat(70))), ["LT2"]);
    assert_eq!(usccs(&ix, &Query::text("xh".repeat(40))), ["LT2"]);
    assert!(usccs(&ix, &Query::text("h".repeat(81))).is_empty());
    assert_eq!(usccs(&ix, &Query::text("行".repeat(79))), ["LT2"]);
}

#[test]
fn compaction_keeps_results() {
    let mut ix = index((0..200).map(|i| doc(&format!("K{i:03}"), &format!("石化{}", i % 7))));
    for i in 0..150 {
        if i % 2 == 0 {
            ix.remove(&format!("K{i:03}"));
        } else {
            ix.upsert(doc(&format!("K{i:03}"), &format!("建材{}", i % 5)));
        }
    }
    let before = ix.stats();
    let q = |ix: &Index, t: &str| all_pages(ix, &Query::text(t));
    let (shihua, jiancai) = (q(&ix, "石化"), q(&ix, "建材3"));
    ix.compact();
    let after = ix.stats();
    assert_eq!(after.tombstones, 0);
    assert_eq!(after.docs, 125);
    assert_eq!(after.slots, 125);
    assert!(after.postings < before.postings);
    assert_eq!(q(&ix, "石化"), shihua);
    assert_eq!(q(&ix, "建材3"), jiancai);
    assert_eq!(shihua.0, 50);
    assert_eq!(jiancai.0, 15);
    assert_eq!(ix.get("K001").unwrap().name, "建材1");
}

#[test]
fn index_is_shareable() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Index>();
    assert!(format!("{:?}", Index::new()).contains("docs: 0"));
}

// ---------------------------------------------------------------------------------------
// Brute-force reference of the spec, written independently of the index.

fn ref_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            u @ 0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap(),
            0x3000 => ' ',
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn ref_initials(c: char) -> HashSet<char> {
    if c.is_ascii_alphabetic() {
        return [c.to_ascii_lowercase()].into();
    }
    match c.to_pinyin_multi() {
        Some(m) => m
            .into_iter()
            .filter_map(|p| p.plain().chars().next())
            .filter(|l| l.is_ascii_lowercase())
            .collect(),
        None => HashSet::new(),
    }
}

fn ref_match(d: &Doc, text: &str, include_rep: bool) -> Option<Match> {
    let q = ref_fold(text.trim());
    if q.is_empty() {
        return Some(Match::All);
    }
    let n = q.chars().count();
    let name = ref_fold(&d.name);
    let code = ref_fold(&d.uscc);
    let is_code = n >= 2 && q.chars().all(|c| c.is_ascii_alphanumeric());
    let is_py = n >= 2 && q.chars().all(|c| c.is_ascii_lowercase());
    let chars: Vec<char> = name.chars().collect();
    let qc: Vec<char> = q.chars().collect();
    let py = is_py
        && chars.len() >= n
        && (0..=chars.len() - n)
            .any(|i| (0..n).all(|k| ref_initials(chars[i + k]).contains(&qc[k])));
    if name == q {
        Some(Match::ExactName)
    } else if is_code && code == q {
        Some(Match::ExactCode)
    } else if name.starts_with(&q) {
        Some(Match::NamePrefix)
    } else if is_code && code.starts_with(&q) {
        Some(Match::CodePrefix)
    } else if name.contains(&q) {
        Some(Match::Name)
    } else if py {
        Some(Match::Pinyin)
    } else if include_rep && ref_fold(&d.legal_rep).contains(&q) {
        Some(Match::LegalRep)
    } else if n >= 2 && ref_fold(&d.address).contains(&q) {
        Some(Match::Address)
    } else {
        None
    }
}

/// The reference's ordered matches with their sort keys (as cursors).
fn ref_search_keys(docs: &BTreeMap<String, Doc>, q: &Query) -> Vec<(Cursor, Match)> {
    let mut out: Vec<_> = docs
        .values()
        .filter(|d| {
            q.divisions
                .as_ref()
                .is_none_or(|s| s.contains(&d.division_code))
                && q.entity_type.as_ref().is_none_or(|t| *t == d.entity_type)
                && q.status.as_ref().is_none_or(|t| *t == d.status)
                && q.industry_prefix
                    .as_ref()
                    .is_none_or(|p| d.industry_code.starts_with(p.as_str()))
                && q.listing.as_ref().is_none_or(|l| {
                    if l == "none" {
                        d.listing.is_empty()
                    } else {
                        *l == d.listing
                    }
                })
        })
        .filter_map(|d| ref_match(d, &q.text, q.include_legal_rep).map(|m| (d, m)))
        .map(|(d, m)| {
            let key = (
                m.tier(),
                d.status != "active",
                d.name.chars().count(),
                d.uscc.clone(),
            );
            (key, m)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
        .map(|((tier, inactive, len, uscc), m)| {
            let name_len = u16::try_from(len).unwrap_or(u16::MAX);
            (
                Cursor {
                    tier,
                    inactive,
                    name_len,
                    uscc,
                },
                m,
            )
        })
        .collect()
}

#[test]
fn reference_agrees_on_examples() {
    let d = doc("91420800MA4A1B2C3D", "荆门（ＫＴＶ）行长重乐");
    assert_eq!(ref_match(&d, "ktv", false), Some(Match::Name));
    assert_eq!(ref_match(&d, "hzzl", false), Some(Match::Pinyin));
    assert_eq!(ref_match(&d, "914208", false), Some(Match::CodePrefix));
    assert_eq!(ref_match(&d, "张三", false), None);
    assert_eq!(ref_match(&d, "张三", true), Some(Match::LegalRep));
}

/// Few characters, so that names often hold every pair of a text but not the text.
const FEW_CHARS: &[char] = &['餐', '饮', '品', '店', '行'];

const NAME_CHARS: &[char] = &[
    '荆', '门', '石', '化', '餐', '饮', '店', '行', '长', '重', '乐', '银', '市', '有', '限', '公',
    '司', 'a', 'K', 'Ｋ', '1', '（', '）', ' ', '\u{3000}',
];

/// Names made of a few words, so that many share prefixes and substrings.
fn words_name() -> BoxedStrategy<String> {
    let words = vec![
        "荆门",
        "荆门市",
        "石化",
        "餐饮",
        "银行",
        "店",
        "有限公司",
        "行长",
        "重乐",
        "Ａ",
        "k1",
        "（",
        "）",
    ];
    proptest::collection::vec(proptest::sample::select(words), 0..5)
        .prop_map(|v| v.concat())
        .boxed()
}

fn text_from(chars: &'static [char], len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    proptest::collection::vec(proptest::sample::select(chars), len)
        .prop_map(|v| v.into_iter().collect())
        .boxed()
}

fn arb_uscc() -> BoxedStrategy<String> {
    prop_oneof![
        text_from(&['9', '1', '4', 'A', 'b'], 1..4),
        text_from(&['0', '8', 'M', 'a'], 0..12).prop_map(|s| format!("9142080{s}")),
    ]
    .boxed()
}

fn arb_doc() -> impl Strategy<Value = Doc> {
    (
        arb_uscc(),
        prop_oneof![
            text_from(NAME_CHARS, 0..8),
            text_from(FEW_CHARS, 0..9),
            words_name(),
            words_name(),
        ],
        text_from(&['张', '三', '行', '长', 'a', 'Ａ'], 0..4),
        text_from(
            &['荆', '门', '路', '1', '号', '餐', '饮', 'a', 'A', 'Ａ'],
            0..8,
        ),
        proptest::sample::select(vec!["420802", "420804", "420802001"]),
        proptest::sample::select(vec!["enterprise", "individual_business", "cooperative"]),
        proptest::sample::select(vec!["active", "active", "dormant", "revoked"]),
        proptest::sample::select(vec!["H6210", "6210", "C2511", ""]),
        proptest::sample::select(vec!["", "", "abnormal", "dishonesty"]),
    )
        .prop_map(|(uscc, name, rep, addr, div, ty, st, ind, li)| Doc {
            uscc,
            name,
            legal_rep: rep,
            address: addr,
            division_code: div.into(),
            entity_type: ty.into(),
            status: st.into(),
            industry_code: ind.into(),
            listing: li.into(),
        })
}

#[derive(Clone, Debug)]
enum Op {
    Upsert(Doc),
    Remove(usize),
    /// Replace the n-th document keeping its text (name, legal rep, address), changing
    /// the rest (in-place update).
    Touch(usize, Doc),
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => arb_doc().prop_map(Op::Upsert),
        1 => any::<usize>().prop_map(Op::Remove),
        1 => (any::<usize>(), arb_doc()).prop_map(|(i, d)| Op::Touch(i, d)),
    ]
}

/// How to make a query text from the current documents.
#[derive(Clone, Debug)]
enum TextSpec {
    /// A slice of a field of the n-th document (0 name, 1 address, 2 rep, 3 code).
    Slice(usize, u8, usize, usize),
    /// Pinyin-like letters.
    Letters(String),
    /// Arbitrary characters.
    Random(String),
}

fn arb_text_spec() -> impl Strategy<Value = TextSpec> {
    prop_oneof![
        3 => (any::<usize>(), 0u8..4, 0usize..8, 1usize..6)
            .prop_map(|(a, b, c, d)| TextSpec::Slice(a, b, c, d)),
        2 => text_from(&['j', 'm', 's', 'h', 'c', 'y', 'x', 'z', 'l', 'K', 'a', 'd'], 1..5)
            .prop_map(TextSpec::Letters),
        // Initials of FEW_CHARS: every triple present, the whole run often not.
        2 => text_from(&['c', 'y', 'p', 'd', 'x', 'h'], 4..6).prop_map(TextSpec::Letters),
        2 => text_from(NAME_CHARS, 0..4).prop_map(TextSpec::Random),
        2 => text_from(FEW_CHARS, 3..6).prop_map(TextSpec::Random),
    ]
}

fn make_text(spec: &TextSpec, docs: &BTreeMap<String, Doc>) -> String {
    match spec {
        TextSpec::Letters(s) | TextSpec::Random(s) => s.clone(),
        TextSpec::Slice(pick, field, start, len) => {
            if docs.is_empty() {
                return String::new();
            }
            let d = docs.values().nth(pick % docs.len()).unwrap();
            let f = match field {
                0 => &d.name,
                1 => &d.address,
                2 => &d.legal_rep,
                // Code prefixes of every length (up to the whole code and beyond).
                _ => return d.uscc.chars().take(start * 3 + len).collect(),
            };
            f.chars().skip(*start % 4).take(*len).collect()
        }
    }
}

fn arb_query() -> impl Strategy<Value = (TextSpec, Query)> {
    (
        arb_text_spec(),
        any::<bool>(),
        proptest::option::weighted(
            0.2,
            proptest::sample::subsequence(vec!["420802", "420804", "420802001", "x"], 0..3),
        ),
        proptest::option::weighted(
            0.15,
            proptest::sample::select(vec!["enterprise", "cooperative"]),
        ),
        proptest::option::weighted(0.2, proptest::sample::select(vec!["active", "revoked"])),
        proptest::option::weighted(0.15, proptest::sample::select(vec!["H", "62", "", "C25"])),
        proptest::option::weighted(
            0.2,
            proptest::sample::select(vec!["none", "abnormal", "dishonesty"]),
        ),
        1usize..6,
    )
        .prop_map(|(spec, rep, div, ty, st, ind, li, limit)| {
            let q = Query {
                text: String::new(),
                include_legal_rep: rep,
                divisions: div.map(|v| v.into_iter().map(String::from).collect()),
                entity_type: ty.map(String::from),
                status: st.map(String::from),
                industry_prefix: ind.map(String::from),
                listing: li.map(String::from),
                limit,
                after: None,
            };
            (spec, q)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random documents, changes and queries: paging through the index yields exactly the
    /// brute-force reference's ordered list (codes and match kinds) and total.
    #[test]
    fn index_matches_reference(
        ops in proptest::collection::vec(arb_op(), 1..60),
        queries in proptest::collection::vec(arb_query(), 1..12),
    ) {
        let mut ix = Index::new();
        let mut model: BTreeMap<String, Doc> = BTreeMap::new();
        for op in ops {
            match op {
                Op::Upsert(d) => {
                    model.insert(d.uscc.clone(), d.clone());
                    ix.upsert(d);
                }
                Op::Remove(i) => {
                    let key = if model.is_empty() || i % 5 == 0 {
                        "absent".to_string()
                    } else {
                        model.keys().nth(i % model.len()).unwrap().clone()
                    };
                    prop_assert_eq!(ix.remove(&key), model.remove(&key).is_some());
                }
                Op::Touch(i, mut d) => {
                    if let Some(old) = model.values().nth(i % model.len().max(1)) {
                        d.uscc = old.uscc.clone();
                        d.name = old.name.clone();
                        d.legal_rep = old.legal_rep.clone();
                        d.address = old.address.clone();
                        model.insert(d.uscc.clone(), d.clone());
                        ix.upsert(d);
                    }
                }
            }
        }
        prop_assert_eq!(ix.len(), model.len());
        for d in model.values() {
            prop_assert_eq!(ix.get(&d.uscc).map(|r| r.to_doc()), Some(d.clone()));
        }
        for (spec, mut q) in queries {
            q.text = make_text(&spec, &model);
            let want_keys = ref_search_keys(&model, &q);
            let want: Vec<(String, Match)> =
                want_keys.iter().map(|(c, m)| (c.uscc.clone(), *m)).collect();
            let (total, got, cursors) = all_pages_and_cursors(&ix, &q);
            prop_assert_eq!(total, want.len(), "total for {:?}", q.text);
            prop_assert_eq!(got, want, "hits for {:?}", q);
            // Every page's cursor is the sort key (tier included) of its last hit.
            for (k, c) in cursors.iter().enumerate() {
                prop_assert_eq!(c, &want_keys[(k + 1) * q.limit - 1].0, "cursor {} of {:?}", k, q);
            }
        }
    }
}
