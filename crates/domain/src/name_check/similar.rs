//! Comparisons of two 字号 (2017比对规则 Arts 3–4; 指引) and the lookup keys of
//! [`super::NameIndex`].

/// Readings of Chinese characters, supplied by the caller (storage can build one from
/// the `pinyin` crate). Readings are compared as given: supply them in one form, for
/// example toneless lowercase (`hao`), and list every reading of a polyphonic
/// character (行: `xing`, `hang`).
///
/// A character with no reading (empty slice) only matches itself.
pub trait PinyinSource {
    /// Every reading of `c`.
    fn readings(&self, c: char) -> &[&str];
}

/// A source without readings: same-pinyin comparison then finds nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPinyin;

impl PinyinSource for NoPinyin {
    fn readings(&self, _c: char) -> &[&str] {
        &[]
    }
}

/// The most reading combinations taken from one 字号 (the product of its characters'
/// readings). Beyond that, [`super::NameIndex`] keys only the first combinations; the
/// comparison itself ([`same_pinyin`]) is always exact.
pub(super) const MAX_PINYIN_COMBINATIONS: usize = 32;

/// Whether `a` and `b` differ but read alike: same length, and at every position the
/// same character or characters sharing at least one reading.
pub(super) fn same_pinyin(a: &[char], b: &[char], pinyin: &dyn PinyinSource) -> bool {
    a.len() == b.len()
        && a != b
        && a.iter().zip(b).all(|(&x, &y)| {
            x == y || {
                let (rx, ry) = (pinyin.readings(x), pinyin.readings(y));
                rx.iter().any(|r| ry.contains(r))
            }
        })
}

/// Whether `a` and `b` are the same characters in another order.
pub(super) fn reordered(a: &[char], b: &[char]) -> bool {
    if a.len() != b.len() || a == b {
        return false;
    }
    let (mut x, mut y) = (a.to_vec(), b.to_vec());
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// Whether `a` and `b` are exactly one edit apart (one character substituted,
/// inserted or deleted; Levenshtein distance 1).
pub(super) fn one_edit_apart(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(x, y)| x != y).count() == 1,
        1 => {
            let first = short
                .iter()
                .zip(long)
                .position(|(x, y)| x != y)
                .unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Lookup keys
// ---------------------------------------------------------------------------

/// Key families of the index.
#[derive(Debug, Clone, Copy)]
pub(super) enum KeyKind {
    /// The 字号 itself and each string with one character deleted.
    Deletion = 1,
    /// The characters sorted.
    Sorted = 2,
    /// One combination of readings.
    Pinyin = 3,
}

/// 64-bit FNV-1a, enough for lookup keys: a collision only adds a candidate, which the
/// comparison then discards.
struct Fnv(u64);

impl Fnv {
    fn new(kind: KeyKind) -> Self {
        let mut h = Self(0xcbf2_9ce4_8422_2325);
        h.byte(kind as u8);
        h
    }

    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn char(&mut self, c: char) {
        for b in u32::from(c).to_le_bytes() {
            self.byte(b);
        }
    }

    /// A character without a reading stands for itself.
    fn bare(&mut self, c: char) {
        self.byte(0xFE);
        self.char(c);
        self.byte(0xFF);
    }

    fn str(&mut self, s: &str) {
        for &b in s.as_bytes() {
            self.byte(b);
        }
        self.byte(0xFF);
    }
}

fn hash_chars(kind: KeyKind, chars: &[char]) -> u64 {
    let mut h = Fnv::new(kind);
    for &c in chars {
        h.char(c);
    }
    h.0
}

/// Every key of a 字号, deduplicated, appended to `out`: the deletion neighbourhood
/// (the 字号 and each one-character deletion: two strings are at most one edit apart
/// exactly when their neighbourhoods share a string), the sorted characters (for three
/// or more characters: shorter reorderings are in the neighbourhood) and the reading
/// combinations.
pub(super) fn keys(chars: &[char], pinyin: &dyn PinyinSource, out: &mut Vec<u64>) {
    let start = out.len();
    if chars.is_empty() {
        return;
    }
    // The prefix before the deleted character is hashed once.
    let mut prefix = Fnv::new(KeyKind::Deletion);
    for skip in 0..chars.len() {
        let mut h = Fnv(prefix.0);
        for &c in &chars[skip + 1..] {
            h.char(c);
        }
        out.push(h.0);
        prefix.char(chars[skip]);
    }
    out.push(prefix.0);
    if chars.len() >= 3 {
        let mut sorted = chars.to_vec();
        sorted.sort_unstable();
        out.push(hash_chars(KeyKind::Sorted, &sorted));
    }
    pinyin_keys(chars, pinyin, out);
    let mine = &mut out[start..];
    mine.sort_unstable();
    let unique = dedup_len(mine);
    out.truncate(start + unique);
}

/// Moves the distinct values of a sorted slice to its front; returns their count.
fn dedup_len(sorted: &mut [u64]) -> usize {
    let mut write = 0;
    for read in 0..sorted.len() {
        if write == 0 || sorted[read] != sorted[write - 1] {
            sorted[write] = sorted[read];
            write += 1;
        }
    }
    write
}

/// Up to [`MAX_PINYIN_COMBINATIONS`] keys, one per combination of readings. A character
/// without a reading is keyed by itself.
fn pinyin_keys(chars: &[char], pinyin: &dyn PinyinSource, out: &mut Vec<u64>) {
    // Fast path: no polyphonic character, one combination, no allocation.
    let mut h = Fnv::new(KeyKind::Pinyin);
    let mut single = true;
    for &c in chars {
        match pinyin.readings(c) {
            [] => h.bare(c),
            [r] => h.str(r),
            _ => {
                single = false;
                break;
            }
        }
    }
    if single {
        out.push(h.0);
        return;
    }
    let readings: Vec<&[&str]> = chars.iter().map(|&c| pinyin.readings(c)).collect();
    let mut choice = vec![0usize; chars.len()];
    for _ in 0..MAX_PINYIN_COMBINATIONS {
        let mut h = Fnv::new(KeyKind::Pinyin);
        for (i, &c) in chars.iter().enumerate() {
            match readings[i].get(choice[i]) {
                Some(r) => h.str(r),
                None => h.bare(c),
            }
        }
        out.push(h.0);
        // Next combination (mixed radix, last position fastest).
        let mut i = chars.len();
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            choice[i] += 1;
            if choice[i] < readings[i].len() {
                break;
            }
            choice[i] = 0;
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A tiny fake reading table for tests (sorted by character).
    pub(crate) struct FakePinyin(Vec<(char, Vec<&'static str>)>);

    impl FakePinyin {
        pub(crate) fn new() -> Self {
            let table: &[(char, &[&'static str])] = &[
                ('好', &["hao"]),
                ('郝', &["hao"]),
                ('味', &["wei"]),
                ('维', &["wei"]),
                ('道', &["dao"]),
                ('稻', &["dao"]),
                ('马', &["ma"]),
                ('栏', &["lan"]),
                ('兰', &["lan"]),
                ('山', &["shan"]),
                ('泰', &["tai"]),
                ('秦', &["qin"]),
                ('行', &["xing", "hang"]),
                ('杭', &["hang"]),
                ('星', &["xing"]),
                ('金', &["jin"]),
                ('龙', &["long"]),
                ('隆', &["long"]),
                ('茅', &["mao"]),
                ('台', &["tai"]),
                ('苔', &["tai"]),
            ];
            let mut rows: Vec<(char, Vec<&'static str>)> =
                table.iter().map(|&(c, r)| (c, r.to_vec())).collect();
            rows.sort_unstable_by_key(|row| row.0);
            Self(rows)
        }
    }

    impl PinyinSource for FakePinyin {
        fn readings(&self, c: char) -> &[&str] {
            self.0
                .binary_search_by_key(&c, |row| row.0)
                .map_or(&[], |i| self.0[i].1.as_slice())
        }
    }

    fn c(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn same_pinyin_uses_every_reading() {
        let py = FakePinyin::new();
        assert!(same_pinyin(&c("好味道"), &c("郝维稻"), &py));
        assert!(same_pinyin(&c("马栏山"), &c("马兰山"), &py));
        // 行 reads xing or hang: alike to both 星 and 杭.
        assert!(same_pinyin(&c("金行"), &c("金星"), &py));
        assert!(same_pinyin(&c("金行"), &c("金杭"), &py));
        assert!(!same_pinyin(&c("金星"), &c("金杭"), &py));
        assert!(!same_pinyin(&c("好味道"), &c("好味道"), &py), "identical");
        assert!(!same_pinyin(&c("泰山"), &c("秦山"), &py));
        assert!(!same_pinyin(&c("好味"), &c("好味道"), &py));
        // No reading: only the character itself matches.
        assert!(!same_pinyin(&c("好甲"), &c("郝乙"), &py));
        assert!(same_pinyin(&c("好甲"), &c("郝甲"), &py));
        assert!(!same_pinyin(&c("好味"), &c("郝味"), &NoPinyin));
    }

    #[test]
    fn edits_and_reorderings() {
        assert!(one_edit_apart(&c("泰山"), &c("秦山")));
        assert!(one_edit_apart(&c("好味道"), &c("好味")));
        assert!(one_edit_apart(&c("好味"), &c("好美味")));
        assert!(one_edit_apart(&c("好味道"), &c("好味道家")));
        assert!(!one_edit_apart(&c("好味道"), &c("好味道")));
        assert!(!one_edit_apart(&c("好味道"), &c("味道好")));
        assert!(!one_edit_apart(&c("好味"), &c("好味道家")));
        assert!(!one_edit_apart(&c("金龙"), &c("银虎")));
        assert!(reordered(&c("好味道"), &c("味道好")));
        assert!(reordered(&c("金龙"), &c("龙金")));
        assert!(!reordered(&c("金龙"), &c("金龙")));
        assert!(!reordered(&c("金龙"), &c("金金")));
    }

    #[test]
    fn neighbours_share_a_key() {
        let py = FakePinyin::new();
        let keyset = |s: &str| {
            let mut out = Vec::new();
            keys(&c(s), &py, &mut out);
            out
        };
        let shares = |a: &str, b: &str| keyset(a).iter().any(|k| keyset(b).contains(k));
        assert!(shares("泰山", "秦山"));
        assert!(shares("好味道", "好味"));
        assert!(shares("好味道", "味道好"));
        assert!(shares("好味道", "郝维稻"));
        assert!(shares("金行", "金杭"));
        assert!(shares("金行", "金星"));
        assert!(!shares("好味道", "金龙山"));
        // Keys of one 字号 are distinct.
        let k = keyset("好好好");
        let mut d = k.clone();
        d.dedup();
        assert_eq!(k, d);
    }

    #[test]
    fn pinyin_combinations_are_capped() {
        struct Many;
        impl PinyinSource for Many {
            fn readings(&self, _c: char) -> &[&str] {
                &["a", "b", "c"]
            }
        }
        let mut out = Vec::new();
        pinyin_keys(&c("一二三四五"), &Many, &mut out);
        assert_eq!(out.len(), MAX_PINYIN_COMBINATIONS);
        out.clear();
        pinyin_keys(&c("一二"), &Many, &mut out);
        assert_eq!(out.len(), 9);
    }
}
