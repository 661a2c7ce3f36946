//! Text folding and pinyin initials: the character-level rules every matcher shares.

use std::borrow::Cow;
use std::sync::OnceLock;

use pinyin::ToPinyinMulti;

/// Folds one character the way queries and indexed fields are compared: full-width ASCII
/// (U+FF01..=U+FF5E) becomes half-width, the ideographic space U+3000 becomes a space,
/// and ASCII letters become lower case. One character always maps to one character, so
/// lengths in characters do not change.
#[inline]
pub fn fold_char(c: char) -> char {
    let u = c as u32;
    let c = if (0xFF01..=0xFF5E).contains(&u) {
        char::from_u32(u - 0xFEE0).unwrap_or(c)
    } else if u == 0x3000 {
        ' '
    } else {
        c
    };
    c.to_ascii_lowercase()
}

/// Whether [`fold_char`] changes any character of `s`.
pub fn needs_fold(s: &str) -> bool {
    s.chars().any(|c| fold_char(c) != c)
}

/// `s` with every character folded by [`fold_char`] (borrowed when nothing changes).
pub fn normalize(s: &str) -> Cow<'_, str> {
    if needs_fold(s) {
        Cow::Owned(s.chars().map(fold_char).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// The normalised form of a query text: trimmed (Unicode white space, which includes
/// U+3000), then folded.
pub fn normalize_query(text: &str) -> String {
    normalize(text.trim()).into_owned()
}

/// Folds `s` into `buf` (cleared first) and returns it; `pure` says `s` needs no folding,
/// in which case `s` itself is returned and `buf` is untouched.
#[inline]
pub(crate) fn folded<'a>(s: &'a str, pure: bool, buf: &'a mut String) -> &'a str {
    if pure {
        s
    } else {
        buf.clear();
        buf.extend(s.chars().map(fold_char));
        buf
    }
}

const TABLE_START: u32 = 0x3400;
const TABLE_END: u32 = 0x9FFF;

fn letter_bit(c: char) -> u32 {
    if c.is_ascii_lowercase() {
        1 << (c as u8 - b'a')
    } else {
        0
    }
}

fn compute_mask(c: char) -> u32 {
    if c.is_ascii_alphabetic() {
        return letter_bit(c.to_ascii_lowercase());
    }
    match c.to_pinyin_multi() {
        Some(multi) => multi.into_iter().fold(0, |m, p| {
            m | p.first_letter().chars().next().map_or(0, letter_bit)
        }),
        None => 0,
    }
}

fn table() -> &'static [u32] {
    static TABLE: OnceLock<Box<[u32]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (TABLE_START..=TABLE_END)
            .map(|u| char::from_u32(u).map_or(0, compute_mask))
            .collect()
    })
}

/// The set of initial letters of a character, as a bit mask over `a..=z` (bit 0 = `a`).
///
/// A character with a pinyin reading contributes the first letter of *every* reading
/// (行 → {x, h}, 长 → {c, z}, 重 → {z, c, t}); zh/ch/sh count as z/c/s. An ASCII letter
/// contributes itself (case-insensitively). Everything else (digits, punctuation,
/// brackets, spaces) has the empty set, so it breaks a run of initials.
#[inline]
pub fn initials_mask(c: char) -> u32 {
    let u = c as u32;
    if (TABLE_START..=TABLE_END).contains(&u) {
        table()[(u - TABLE_START) as usize]
    } else {
        compute_mask(c)
    }
}

/// Whether some run of consecutive characters of `name` (already folded) has the
/// initials `letters` (lower-case ASCII letters, at least one).
pub(crate) fn pinyin_run_matches(name: &str, letters: &[u8], masks: &mut Vec<u32>) -> bool {
    masks.clear();
    masks.extend(name.chars().map(initials_mask));
    let n = letters.len();
    if n == 0 || masks.len() < n {
        return false;
    }
    masks.windows(n).any(|w| {
        w.iter()
            .zip(letters)
            .all(|(m, l)| m & (1 << (l - b'a')) != 0)
    })
}

/// Initials of a query (up to 64 letters) compiled for a single pass over a name
/// (shift-and: bit k of the state = the last k+1 characters match letters 0..=k).
pub(crate) struct InitialsPattern {
    positions: [u64; 26],
    goal: u64,
}

impl InitialsPattern {
    /// `None` unless `letters` are 1..=64 lower-case ASCII letters.
    pub(crate) fn new(letters: &[u8]) -> Option<Self> {
        if letters.is_empty() || letters.len() > 64 {
            return None;
        }
        let mut positions = [0u64; 26];
        for (k, &l) in letters.iter().enumerate() {
            if !l.is_ascii_lowercase() {
                return None;
            }
            positions[(l - b'a') as usize] |= 1 << k;
        }
        Some(InitialsPattern {
            positions,
            goal: 1 << (letters.len() - 1),
        })
    }

    /// Same answer as [`pinyin_run_matches`] for these letters.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let mut state = 0u64;
        for c in name.chars() {
            let mut mask = initials_mask(c);
            let mut allowed = 0u64;
            while mask != 0 {
                allowed |= self.positions[mask.trailing_zeros() as usize];
                mask &= mask - 1;
            }
            state = ((state << 1) | 1) & allowed;
            if state & self.goal != 0 {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(mask: u32) -> String {
        (0..26u8)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| (b'a' + i) as char)
            .collect()
    }

    #[test]
    fn folding() {
        assert_eq!(normalize("ＡＢＣ（有限）"), "abc(有限)");
        assert_eq!(normalize_query("\u{3000} Jm石化  "), "jm石化");
        assert!(matches!(normalize("荆门"), Cow::Borrowed(_)));
    }

    #[test]
    fn polyphonic_initials() {
        assert_eq!(letters(initials_mask('行')), "hx");
        assert_eq!(letters(initials_mask('长')), "cz");
        assert!(letters(initials_mask('重')).contains('z'));
        assert!(letters(initials_mask('重')).contains('c'));
        assert_eq!(letters(initials_mask('乐')), "ly");
        assert_eq!(letters(initials_mask('荆')), "j");
        assert_eq!(letters(initials_mask('石')), "ds"); // shí, dàn
        assert_eq!(letters(initials_mask('K')), "k");
        assert_eq!(initials_mask('9'), 0);
        assert_eq!(initials_mask('('), 0);
        // Outside the dense table (CJK extension B) the crate is asked directly.
        let _ = initials_mask('\u{20000}');
    }

    #[test]
    fn runs() {
        let mut m = Vec::new();
        assert!(pinyin_run_matches("荆门石化有限公司", b"jmsh", &mut m));
        assert!(pinyin_run_matches("中国银行", b"zgyh", &mut m));
        assert!(pinyin_run_matches("中国银行", b"zgyx", &mut m));
        assert!(!pinyin_run_matches("荆门1石化", b"jmsh", &mut m));
        assert!(pinyin_run_matches("ktv歌厅", b"ktvgt", &mut m));
        assert!(!pinyin_run_matches("荆门", b"jms", &mut m));
    }

    #[test]
    fn shift_and_agrees_with_windows() {
        let names = [
            "荆门石化有限公司",
            "中国银行",
            "荆门1石化",
            "ktv歌厅",
            "行行行",
            "",
            "长重乐",
        ];
        let queries: [&[u8]; 9] = [
            b"jmsh", b"zgyh", b"zgyx", b"ms", b"hhh", b"xhx", b"hxhx", b"czl", b"j",
        ];
        let mut m = Vec::new();
        for n in names {
            for q in queries {
                let p = InitialsPattern::new(q).unwrap();
                assert_eq!(p.matches(n), pinyin_run_matches(n, q, &mut m), "{n} {q:?}");
            }
        }
        assert!(InitialsPattern::new(b"").is_none());
        assert!(InitialsPattern::new(b"aB").is_none());
    }
}
