//! An in-memory index of existing names that finds the candidates [`super::check`]
//! compares with, fast enough to run as the applicant types.
//!
//! Built once from every name of the city (about 300,000), it maps lookup keys of each
//! 字号 to its entries:
//! - the deletion neighbourhood (the 字号 and each string with one character deleted):
//!   two 字号 are identical or one edit apart exactly when their neighbourhoods share a
//!   string, so identical and one-character-apart names are found by a few exact
//!   lookups instead of a scan;
//! - the sorted characters (reordered 字号 of three or more characters; shorter ones
//!   are in the neighbourhood);
//! - each combination of readings (same pinyin; up to
//!   [`super::similar::MAX_PINYIN_COMBINATIONS`] per 字号).
//!
//! Keys are 64-bit hashes in one flat array grouped by their top bits (a hash table laid
//! out by counting sort: no per-key allocation); a collision only adds a candidate,
//! which [`super::check`] then discards. The index
//! returns candidates regardless of industry, area and status: the check decides.

use chrono::NaiveDate;

use super::check::{check, ExistingName, Lookups, Proposal};
use super::parse::{normalized_chars, parse};
use super::similar::{keys, PinyinSource};
use super::verdict::Verdict;

/// The index; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    entries: Vec<ExistingName>,
    /// Bucket `b` (the top `bits` bits of a key) holds `keys[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    /// Lookup keys, grouped by bucket …
    keys: Vec<u64>,
    /// … and the entry of each.
    ids: Vec<u32>,
    /// Number of bucket bits.
    bits: u32,
}

impl NameIndex {
    /// Builds the index. `pinyin` must be the source later passed to
    /// [`NameIndex::candidates`].
    ///
    /// The keys are laid out by a counting sort on their top bits (about one key per
    /// bucket): two passes, no comparison sort and no per-key allocation.
    ///
    /// # Panics
    /// With more than `u32::MAX` names or keys.
    pub fn build<I>(names: I, pinyin: &dyn PinyinSource) -> Self
    where
        I: IntoIterator<Item = ExistingName>,
    {
        let entries: Vec<ExistingName> = names.into_iter().collect();
        assert!(u32::try_from(entries.len()).is_ok(), "too many names");
        let mut all_keys: Vec<u64> = Vec::with_capacity(entries.len() * 6);
        let mut all_ids: Vec<u32> = Vec::with_capacity(entries.len() * 6);
        let mut chars = Vec::new();
        for (id, entry) in (0u32..).zip(&entries) {
            chars.clear();
            chars.extend(normalized_chars(&entry.trade_name));
            keys(&chars, pinyin, &mut all_keys);
            all_ids.resize(all_keys.len(), id);
        }
        assert!(u32::try_from(all_keys.len()).is_ok(), "too many keys");
        let bits = (usize::BITS - all_keys.len().leading_zeros()).clamp(4, 24);
        let bucket_count = 1usize << bits;
        let bucket = |key: u64| (key >> (64 - bits)) as usize;
        let mut starts = vec![0u32; bucket_count + 1];
        for &key in &all_keys {
            starts[bucket(key) + 1] += 1;
        }
        for b in 0..bucket_count {
            starts[b + 1] += starts[b];
        }
        let mut next = starts.clone();
        let mut keys_out = vec![0u64; all_keys.len()];
        let mut ids_out = vec![0u32; all_keys.len()];
        for (&key, &id) in all_keys.iter().zip(&all_ids) {
            let slot = &mut next[bucket(key)];
            keys_out[*slot as usize] = key;
            ids_out[*slot as usize] = id;
            *slot += 1;
        }
        Self {
            entries,
            starts,
            keys: keys_out,
            ids: ids_out,
            bits,
        }
    }

    /// Number of names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no name.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of lookup keys (for sizing).
    #[must_use]
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Every name, in the order given to [`NameIndex::build`].
    #[must_use]
    pub fn entries(&self) -> &[ExistingName] {
        &self.entries
    }

    /// The names whose 字号 may be identical or similar to `trade_name`: identical,
    /// one edit apart, reordered, or sharing a reading combination (plus rare hash
    /// collisions), each once, in build order.
    #[must_use]
    pub fn candidates(&self, trade_name: &str, pinyin: &dyn PinyinSource) -> Vec<&ExistingName> {
        let chars: Vec<char> = normalized_chars(trade_name).collect();
        let mut query = Vec::new();
        keys(&chars, pinyin, &mut query);
        let mut found: Vec<u32> = Vec::new();
        if self.keys.is_empty() {
            return Vec::new();
        }
        for key in query {
            let b = (key >> (64 - self.bits)) as usize;
            let range = self.starts[b] as usize..self.starts[b + 1] as usize;
            found.extend(
                self.keys[range.clone()]
                    .iter()
                    .zip(&self.ids[range])
                    .filter(|(&k, _)| k == key)
                    .map(|(_, &id)| id),
            );
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|id| &self.entries[id as usize])
            .collect()
    }

    /// Parses the proposal, looks up its candidates and checks it ([`check`]).
    #[must_use]
    pub fn check(&self, proposal: &Proposal, today: NaiveDate, lookups: &Lookups<'_>) -> Verdict {
        let parsed = parse(&proposal.name, lookups.divisions);
        let candidates = self.candidates(&parsed.trade_name, lookups.pinyin);
        check(proposal, candidates, today, lookups)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::division::DivisionCode;
    use crate::entity::EnterpriseType;
    use crate::name_check::check::NameStatus;
    use crate::name_check::divisions::Divisions;
    use crate::name_check::similar::tests::FakePinyin;

    /// 400 common characters for synthetic 字号.
    const ALPHABET: &str = "安邦宝北博彩昌辰诚城驰川创春达大德鼎东都恩发帆方飞丰风峰福富港高格光广\
        国海汉豪浩和恒红宏鸿华欢辉慧吉佳嘉建江杰金锦京晶景九聚俊凯康科可蓝乐雷力立丽利联良林灵龙隆\
        路伦马满茂美盟米民明铭南宁农鹏平普齐奇启千强桥琴青清晴庆秋泉瑞润森尚胜盛诗石世仕顺硕思泰天\
        通同旺威伟文沃祥翔小新鑫信星兴旭轩雅亚扬阳耀业一亿益毅银英盈永勇优友宇雨玉元源远跃悦云泽展\
        长正志智中众洲卓子宗尊佰柏邦标斌冰伯灿苍策畅超朝晨成承澄崇楚纯聪翠岱丹道登迪典鼎冬栋斗端\
        敦朵尔帆璠芳菲斐芬锋凤甫复富淦罡戈耕功固冠贯广瑰桂国果涵翰航禾和河贺赫鹤恒弘红洪厚虎沪\
        花怀环焕煌徽惠霍基吉纪继加家甲坚剑健舰江姜骄捷今津锦进晋经精景靖炬钜君峻开楷康珂克坤阔\
        澜朗岚磊黎理莉励廉链亮辽霖琳岭领柳六陇禄鲁璐麓伦洛律迈曼梅萌孟淼妙敏名沐穆纳楠能霓年宁\
        诺欧帕攀沛佩朋澎品萍浦朴奇琪骐麒启谦乾黔樵勤擎晴琼秋曲全泉群然冉荣蓉融如睿瑞若赛森珊善";

    /// A deterministic generator (64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    fn synthetic(count: usize) -> Vec<ExistingName> {
        let alphabet: Vec<char> = ALPHABET.chars().filter(|c| !c.is_whitespace()).collect();
        let mut rng = Lcg(20_260_101);
        (0..count)
            .map(|i| {
                let len = 2 + (rng.next() % 3) as usize;
                let trade: String = (0..len)
                    .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                    .collect();
                ExistingName {
                    name: format!("荆门市{trade}商贸有限公司{i}"),
                    trade_name: trade,
                    industry_code: Some(format!("{:02}", 1 + rng.next() % 97)),
                    division: None,
                    status: NameStatus::InUse,
                    protected_until: None,
                }
            })
            .collect()
    }

    fn planted(trade: &str, name: &str) -> ExistingName {
        ExistingName {
            name: name.to_owned(),
            trade_name: trade.to_owned(),
            industry_code: Some("5610".to_owned()),
            division: None,
            status: NameStatus::InUse,
            protected_until: None,
        }
    }

    fn build_with_planted(count: usize) -> NameIndex {
        let mut names = synthetic(count);
        names.push(planted("好味道", "荆门市好味道餐饮管理有限公司"));
        names.push(planted("郝维稻", "荆门市郝维稻餐饮有限公司"));
        names.push(planted("好味", "荆门市好味餐饮有限公司"));
        names.push(planted("味道好", "荆门市味道好餐饮有限公司"));
        names.push(planted("好滋味", "荆门市好滋味餐饮有限公司"));
        names.push(planted("金龙山", "荆门市金龙山餐饮有限公司"));
        NameIndex::build(names, &FakePinyin::new())
    }

    fn found_trade_names(index: &NameIndex, query: &str) -> Vec<String> {
        let mut found: Vec<String> = index
            .candidates(query, &FakePinyin::new())
            .into_iter()
            .map(|e| e.trade_name.clone())
            .collect();
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn finds_identical_similar_and_reordered() {
        let index = build_with_planted(2_000);
        let found = found_trade_names(&index, "好味道");
        for expected in ["好味道", "郝维稻", "好味", "味道好"] {
            assert!(
                found.contains(&expected.to_owned()),
                "{expected}: {found:?}"
            );
        }
        // 好滋味 shares 好味 with 好味道 (two edits): a candidate the check discards.
        assert!(found.contains(&"好滋味".to_owned()));
        assert!(!found.contains(&"金龙山".to_owned()));
        assert!(index.candidates("", &FakePinyin::new()).is_empty());
    }

    /// 300,000 synthetic names: the build and lookups. In a debug build the test takes
    /// about 1.5 s (the build about 1 s); a lookup takes microseconds. Timings are
    /// printed with `--nocapture` (use `--release` for production-like figures).
    #[test]
    fn three_hundred_thousand_names() {
        let started = Instant::now();
        let index = build_with_planted(300_000);
        let built = started.elapsed();
        assert_eq!(index.len(), 300_006);
        let py = FakePinyin::new();
        let started = Instant::now();
        let rounds = 100u32;
        let mut candidates = Vec::new();
        for _ in 0..rounds {
            candidates = index.candidates("好味道", &py);
        }
        let per_lookup = started.elapsed() / rounds;
        let trades: Vec<&str> = candidates.iter().map(|e| e.trade_name.as_str()).collect();
        for expected in ["好味道", "郝维稻", "好味", "味道好"] {
            assert!(trades.contains(&expected), "{expected}");
        }
        // Every candidate is really identical or similar (no scan-like answer).
        assert!(candidates.len() < 1_000, "{} candidates", candidates.len());
        // A two-character 字号 from the synthetic alphabet: the widest neighbourhood.
        let started = Instant::now();
        let mut wide = 0;
        for _ in 0..rounds {
            wide = index.candidates("金龙", &py).len();
        }
        let per_wide = started.elapsed() / rounds;
        // The whole check through the index (parse, candidates, rules).
        let divisions = Divisions::from_rows([("荆门市", None::<DivisionCode>)]);
        let lookups = Lookups {
            divisions: &divisions,
            pinyin: &py,
            well_known: &[],
        };
        let proposal = Proposal {
            name: "荆门市郝维稻餐饮有限公司".to_owned(),
            entity_type: EnterpriseType::LlcOther,
            industry_code: Some("5610".to_owned()),
            division: DivisionCode::parse("420802").unwrap(),
        };
        let today = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
        let started = Instant::now();
        let mut verdict = index.check(&proposal, today, &lookups);
        for _ in 1..rounds {
            verdict = index.check(&proposal, today, &lookups);
        }
        let per_check = started.elapsed() / rounds;
        assert!(verdict.codes().contains(&"trade_name_same_pinyin"));
        let wide_proposal = Proposal {
            name: "荆门市金龙餐饮有限公司".to_owned(),
            ..proposal.clone()
        };
        let started = Instant::now();
        for _ in 0..rounds {
            verdict = index.check(&wide_proposal, today, &lookups);
        }
        let per_wide_check = started.elapsed() / rounds;
        println!(
            "NameIndex: {} names, {} keys, built in {built:?}; candidates(好味道): {} in {per_lookup:?}; \
             candidates(金龙): {wide} in {per_wide:?}; index.check(郝维稻): {per_check:?}; \
             index.check(金龙): {per_wide_check:?} ({} reasons, {} omitted)",
            index.len(),
            index.key_count(),
            candidates.len(),
            verdict.reasons.len(),
            verdict.similar_omitted
        );
    }
}
