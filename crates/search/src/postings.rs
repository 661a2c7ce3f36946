//! Posting lists: per gram, the sorted ids of the slots holding it, and for the grams
//! used in intersections the position of the gram's first occurrence.
//!
//! A gram is a tagged pair of characters packed into a `u64`:
//! `tag << 48 | first << 24 | second` (characters are at most 21 bits). Unigrams leave
//! `second` zero; pinyin grams hold letter indexes 0..26.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::text::initials_mask;

/// Every character of the name.
pub(crate) const NAME1: u64 = 1;
/// Every adjacent pair of characters of the name (positional).
pub(crate) const NAME2: u64 = 2;
/// The first character of the name.
pub(crate) const PRE1: u64 = 3;
/// The first two characters of the name.
pub(crate) const PRE2: u64 = 4;
/// Every pair of initial letters of adjacent name characters (all reading combinations).
pub(crate) const PY2: u64 = 5;
/// Every character of the legal representative.
pub(crate) const REP1: u64 = 6;
/// Every adjacent pair of characters of the legal representative (positional).
pub(crate) const REP2: u64 = 7;
/// Every adjacent pair of characters of the address (positional).
pub(crate) const ADDR2: u64 = 8;
/// Every triple of initial letters of three consecutive name characters (positional).
pub(crate) const PY3: u64 = 9;
/// The first 2, 4 and 8 characters of the folded credit code (when all are ASCII
/// letters or digits).
pub(crate) const CODE2: u64 = 10;
pub(crate) const CODE4: u64 = 11;
pub(crate) const CODE8: u64 = 12;

/// The gram of the first `k` (2, 4 or 8) bytes of a folded code, if they are all ASCII
/// lower-case letters or digits (6 bits each). A text that is such a prefix matches
/// exactly the slots holding the gram.
pub(crate) fn code_gram(code: &[u8], k: usize) -> Option<u64> {
    let tag = match k {
        2 => CODE2,
        4 => CODE4,
        8 => CODE8,
        _ => return None,
    };
    let mut v = 0u64;
    for &b in code.get(..k)? {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        };
        v = v << 6 | d as u64;
    }
    Some(tag << 48 | v)
}

/// Position stored for occurrences at 255 or later: unknown.
pub(crate) const FAR: u8 = u8::MAX;

#[inline]
pub(crate) fn gram(tag: u64, a: char, b: char) -> u64 {
    tag << 48 | (a as u64) << 24 | b as u64
}

#[inline]
pub(crate) fn py2_gram(a: u32, b: u32) -> u64 {
    PY2 << 48 | (a as u64) << 24 | b as u64
}

#[inline]
pub(crate) fn py3_gram(a: u32, b: u32, c: u32) -> u64 {
    PY3 << 48 | (a as u64) << 16 | (b as u64) << 8 | c as u64
}

/// Whether lists of this gram carry first-occurrence positions.
#[inline]
pub(crate) fn positional(g: u64) -> bool {
    matches!(g >> 48, NAME2 | REP2 | ADDR2 | PY3)
}

/// A multiply-xorshift hasher for the `u64` gram keys (a collision costs speed only).
#[derive(Default, Clone, Copy)]
pub(crate) struct GramHasher(u64);

impl Hasher for GramHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 ^= self.0 >> 29;
    }
}

/// The slots holding one gram, ascending, and (positional grams only) the position of
/// the gram's first occurrence in each, saturating at [`FAR`].
#[derive(Clone, Default)]
pub(crate) struct List {
    pub ids: Vec<u32>,
    pub pos: Vec<u8>,
}

pub(crate) type Postings = HashMap<u64, List, BuildHasherDefault<GramHasher>>;

/// The grams of one document's folded fields with their first positions, sorted by gram,
/// one entry per gram.
pub(crate) fn doc_grams(name: &str, rep: &str, address: &str, code: &str) -> Vec<(u64, u8)> {
    let mut out = Vec::with_capacity(name.len() * 2 + address.len() / 3 + 16);
    let chars: Vec<char> = name.chars().collect();
    let at = |i: usize| u8::try_from(i).unwrap_or(FAR);
    if let Some(&c0) = chars.first() {
        out.push((gram(PRE1, c0, '\0'), 0));
        if let Some(&c1) = chars.get(1) {
            out.push((gram(PRE2, c0, c1), 0));
        }
    }
    for &c in &chars {
        out.push((gram(NAME1, c, '\0'), 0));
    }
    for (i, w) in chars.windows(2).enumerate() {
        out.push((gram(NAME2, w[0], w[1]), at(i)));
    }
    let masks: Vec<u32> = chars.iter().map(|&c| initials_mask(c)).collect();
    for w in masks.windows(2) {
        for a in bits(w[0]) {
            for b in bits(w[1]) {
                out.push((py2_gram(a, b), 0));
            }
        }
    }
    for (i, w) in masks.windows(3).enumerate() {
        for a in bits(w[0]) {
            for b in bits(w[1]) {
                for c in bits(w[2]) {
                    out.push((py3_gram(a, b, c), at(i)));
                }
            }
        }
    }
    pairs(rep, REP2, Some(REP1), &mut out);
    pairs(address, ADDR2, None, &mut out);
    for k in [2, 4, 8] {
        if let Some(g) = code_gram(code.as_bytes(), k) {
            out.push((g, 0));
        }
    }
    // Sorting by (gram, position) and keeping the first of each gram keeps the first
    // occurrence.
    out.sort_unstable();
    out.dedup_by_key(|e| e.0);
    out
}

fn pairs(s: &str, tag2: u64, tag1: Option<u64>, out: &mut Vec<(u64, u8)>) {
    let mut prev: Option<char> = None;
    for (i, c) in s.chars().enumerate() {
        if let Some(t) = tag1 {
            out.push((gram(t, c, '\0'), 0));
        }
        if let Some(p) = prev {
            out.push((gram(tag2, p, c), u8::try_from(i - 1).unwrap_or(FAR)));
        }
        prev = Some(c);
    }
}

/// Indexes (0 = `a`) of the set bits of a letter mask.
pub(crate) fn bits(mask: u32) -> impl Iterator<Item = u32> {
    (0..26).filter(move |i| mask & (1 << i) != 0)
}

/// One window of a text: the list of its gram and its offset in the text.
pub(crate) struct Window<'a> {
    pub list: &'a List,
    pub offset: usize,
}

/// Start marker of a candidate whose windows' first occurrences do not line up.
pub(crate) const UNSURE: u16 = u16::MAX;

/// A position in one posting list, moving forward only.
struct ListCursor<'a> {
    list: &'a List,
    offset: usize,
    j: usize,
}

impl ListCursor<'_> {
    /// Moves to the first id not below `x`; its index if it is `x`.
    #[inline]
    fn seek(&mut self, x: u32) -> Option<usize> {
        const BLOCK: usize = 16;
        let b = &self.list.ids;
        if self.j < b.len() && b[self.j] < x {
            // Often the next id will do (most candidates are in the list).
            self.j += 1;
            if self.j < b.len() && b[self.j] < x {
                match b.get(self.j..self.j + BLOCK) {
                    Some(block) if block[BLOCK - 1] >= x => {
                        // A short move: count the smaller ids of one block, branch-free.
                        let block: &[u32; BLOCK] = block.try_into().expect("block length");
                        self.j += block.iter().map(|&y| (y < x) as usize).sum::<usize>();
                    }
                    _ => {
                        // Exponential steps, then a binary search in the last one.
                        let mut step = BLOCK;
                        while self.j + step <= b.len() && b[self.j + step - 1] < x {
                            self.j += step;
                            step *= 2;
                        }
                        let end = (self.j + step).min(b.len());
                        self.j += b[self.j..end].partition_point(|&y| y < x);
                    }
                }
            }
        }
        (self.j < b.len() && b[self.j] == x).then_some(self.j)
    }

    fn exhausted(&self) -> bool {
        self.j >= self.list.ids.len()
    }
}

/// Start of the text implied by the first occurrence in entry `j` of a window's list.
#[inline]
fn start_of(list: &List, offset: usize, j: usize) -> u16 {
    match list.pos.get(j) {
        Some(&p) if p != FAR && p as usize >= offset => (p as usize - offset) as u16,
        _ => UNSURE,
    }
}

/// The slots holding every window's gram, ascending, computed lazily, each with the
/// start of the text if first occurrences prove it occurs there (and nowhere earlier),
/// otherwise [`UNSURE`] (the caller verifies those).
///
/// Proof: if windows that together cover every character of the text have their first
/// occurrences at `start + offset`, the text occurs at `start`; and nowhere earlier, or
/// one of those windows would occur earlier too. So a cheapest cover is intersected with
/// positions (a repeated gram can never line up, so then nothing is proved); the other
/// windows are only consulted to drop unproved candidates.
pub(crate) struct Conjunction<'a> {
    driver: &'a List,
    driver_offset: usize,
    i: usize,
    cover: Vec<ListCursor<'a>>,
    rest: Vec<ListCursor<'a>>,
    prove: bool,
}

impl<'a> Conjunction<'a> {
    /// `windows` are the text's windows in order (`offset` = index), each `width`
    /// characters long; `distinct` says their grams are all different. Not empty.
    pub(crate) fn new(windows: Vec<Window<'a>>, width: usize, distinct: bool) -> Self {
        let chosen = if distinct {
            cheapest_cover(&windows, width)
        } else {
            (0..windows.len()).collect()
        };
        let (mut cover, mut rest) = (Vec::new(), Vec::new());
        for (i, w) in windows.into_iter().enumerate() {
            let c = ListCursor {
                list: w.list,
                offset: w.offset,
                j: 0,
            };
            if chosen.contains(&i) {
                cover.push(c);
            } else {
                rest.push(c);
            }
        }
        cover.sort_by_key(|c| c.list.ids.len());
        rest.sort_by_key(|c| c.list.ids.len());
        let driver = cover.remove(0);
        Conjunction {
            driver: driver.list,
            driver_offset: driver.offset,
            i: 0,
            cover,
            rest,
            prove: distinct,
        }
    }
}

impl Iterator for Conjunction<'_> {
    type Item = (u32, u16);

    fn next(&mut self) -> Option<(u32, u16)> {
        'candidates: while let Some(&x) = self.driver.ids.get(self.i) {
            let j = self.i;
            self.i += 1;
            let mut start = if self.prove {
                start_of(self.driver, self.driver_offset, j)
            } else {
                UNSURE
            };
            for c in &mut self.cover {
                match c.seek(x) {
                    Some(j) => {
                        if start != UNSURE && start_of(c.list, c.offset, j) != start {
                            start = UNSURE;
                        }
                    }
                    None if c.exhausted() => {
                        self.i = self.driver.ids.len();
                        return None;
                    }
                    None => continue 'candidates,
                }
            }
            if start == UNSURE {
                for c in &mut self.rest {
                    if c.seek(x).is_none() {
                        continue 'candidates;
                    }
                }
            }
            return Some((x, start));
        }
        None
    }
}

/// Indexes of windows covering every character (the first and the last window
/// included, consecutive ones at most `width` apart), with the least estimated cost.
///
/// The smallest list of a cover drives the intersection: each of its ids is looked up
/// in every other list of the cover. So for each window `d` as the driver, the cost of
/// a cover containing it is estimated as one lookup per id of `d` per window, plus a
/// sixteenth of each list (skipping through it); the cheapest over all drivers wins.
fn cheapest_cover(windows: &[Window<'_>], width: usize) -> Vec<usize> {
    let m = windows.len();
    let len = |i: usize| windows[i].list.ids.len() as u64;
    let mut best: (u64, Vec<usize>) = (u64::MAX, (0..m).collect());
    for d in 0..m {
        let cost = |i: usize| len(d) + len(i) / 16 + 1;
        // Cheapest chain from window 0 to `d`, and from `d` to the last window.
        let mut from_start = vec![(u64::MAX, usize::MAX); m];
        from_start[0] = (cost(0), usize::MAX);
        for i in 1..=d {
            let (c, a) = (i.saturating_sub(width)..i)
                .map(|a| (from_start[a].0, a))
                .min()
                .unwrap_or((u64::MAX, usize::MAX));
            from_start[i] = (c.saturating_add(cost(i)), a);
        }
        let mut to_end = vec![(u64::MAX, usize::MAX); m];
        to_end[m - 1] = (cost(m - 1), usize::MAX);
        for i in (d..m - 1).rev() {
            let (c, b) = (i + 1..=(i + width).min(m - 1))
                .map(|b| (to_end[b].0, b))
                .min()
                .unwrap_or((u64::MAX, usize::MAX));
            to_end[i] = (c.saturating_add(cost(i)), b);
        }
        let total = from_start[d].0.saturating_add(to_end[d].0) - cost(d);
        if total < best.0 {
            let mut chosen = vec![d];
            let mut i = d;
            while from_start[i].1 != usize::MAX {
                i = from_start[i].1;
                chosen.push(i);
            }
            let mut i = d;
            while to_end[i].1 != usize::MAX {
                i = to_end[i].1;
                chosen.push(i);
            }
            best = (total, chosen);
        }
    }
    best.1
}

/// All of a [`Conjunction`] at once (tests).
#[cfg(test)]
fn intersect_windows(windows: Vec<Window<'_>>, width: usize, distinct: bool) -> Vec<(u32, u16)> {
    Conjunction::new(windows, width, distinct).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list(ids: &[u32], pos: &[u8]) -> List {
        List {
            ids: ids.to_vec(),
            pos: pos.to_vec(),
        }
    }

    proptest! {
        #[test]
        fn windows_intersect_as_sets(
            a in proptest::collection::btree_set(0u32..3000, 0..400),
            b in proptest::collection::btree_set(0u32..3000, 0..400),
        ) {
            let a: Vec<u32> = a.into_iter().collect();
            let b: Vec<u32> = b.into_iter().collect();
            let want: Vec<u32> = b.iter().copied().filter(|x| a.contains(x)).collect();
            let (la, lb) = (list(&a, &[]), list(&b, &[]));
            for (x, y) in [(&la, &lb), (&lb, &la)] {
                let got = intersect_windows(
                    vec![Window { list: x, offset: 0 }, Window { list: y, offset: 1 }],
                    2,
                    true,
                );
                prop_assert_eq!(got.iter().map(|c| c.0).collect::<Vec<_>>(), want.clone());
                prop_assert!(got.iter().all(|c| c.1 == UNSURE));
            }
        }
    }

    #[test]
    fn positions_prove_or_leave_unsure() {
        // Text "abc": windows ab (offset 0), bc (offset 1).
        let ab = list(&[1, 2, 3, 4], &[0, 5, 2, FAR]);
        let bc = list(&[1, 2, 3, 4], &[1, 3, 3, FAR]);
        let got = intersect_windows(
            vec![
                Window {
                    list: &ab,
                    offset: 0,
                },
                Window {
                    list: &bc,
                    offset: 1,
                },
            ],
            2,
            true,
        );
        assert_eq!(got, vec![(1, 0), (2, UNSURE), (3, 2), (4, UNSURE)]);
        let got = intersect_windows(
            vec![
                Window {
                    list: &ab,
                    offset: 0,
                },
                Window {
                    list: &bc,
                    offset: 1,
                },
            ],
            2,
            false,
        );
        assert!(got.iter().all(|c| c.1 == UNSURE));
    }

    #[test]
    fn covers() {
        let lists: Vec<List> = [700, 30, 54, 5, 900]
            .iter()
            .map(|&n| list(&(0..n).collect::<Vec<u32>>(), &[]))
            .collect();
        let windows = |lens: &[usize]| -> Vec<Window<'_>> {
            lens.iter()
                .enumerate()
                .map(|(offset, &i)| Window {
                    list: &lists[i],
                    offset,
                })
                .collect()
        };
        let sorted = |mut v: Vec<usize>| {
            v.sort();
            v
        };
        // 荆门 (700) 门石 (30) 石化 (54): the small middle window drives.
        assert_eq!(sorted(cheapest_cover(&windows(&[0, 1, 2]), 2)), [0, 1, 2]);
        // Big middle window: skip it.
        assert_eq!(sorted(cheapest_cover(&windows(&[1, 4, 2]), 2)), [0, 2]);
        assert_eq!(sorted(cheapest_cover(&windows(&[3]), 2)), [0]);
        // Every cover is gap-free and holds the first and the last window.
        for width in 2..4 {
            let c = sorted(cheapest_cover(&windows(&[4, 0, 4, 4, 3, 4, 4]), width));
            assert_eq!((c[0], c[c.len() - 1]), (0, 6));
            assert!(c.windows(2).all(|w| w[1] - w[0] <= width), "{c:?}");
        }
    }

    #[test]
    fn intersect_long_and_short() {
        let long: Vec<u32> = (0..10_000).map(|i| i * 3).collect();
        let short: Vec<u32> = vec![0, 2, 3, 2999, 3000, 29_997, 29_998, 40_000];
        let (l, s) = (list(&long, &[]), list(&short, &[]));
        let got = intersect_windows(
            vec![
                Window {
                    list: &l,
                    offset: 0,
                },
                Window {
                    list: &s,
                    offset: 1,
                },
            ],
            2,
            true,
        );
        let ids: Vec<u32> = got.iter().map(|c| c.0).collect();
        assert_eq!(ids, vec![0, 3, 3000, 29_997]);
    }

    #[test]
    fn code_grams() {
        assert!(code_gram(b"91420800ma", 8).is_some());
        assert_ne!(code_gram(b"9142", 4), code_gram(b"9143", 4));
        assert_ne!(code_gram(b"91", 2), code_gram(b"9100", 4));
        assert!(code_gram(b"914", 4).is_none());
        assert!(code_gram(b"9A", 2).is_none(), "folded codes are lower case");
        assert!(code_gram(b"9-", 2).is_none());
    }

    #[test]
    fn grams_keep_first_positions() {
        let g = doc_grams("餐饮餐饮", "", "", "");
        let pos = |t: u64, a: char, b: char| g.iter().find(|e| e.0 == gram(t, a, b)).map(|e| e.1);
        assert_eq!(pos(NAME2, '餐', '饮'), Some(0));
        assert_eq!(pos(NAME2, '饮', '餐'), Some(1));
        assert_eq!(pos(PRE2, '餐', '饮'), Some(0));
        assert!(g.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
