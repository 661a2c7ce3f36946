//! The index: slot arrays, text arenas, posting lists, and the query evaluation.
//!
//! Every version of a document lives in one slot (a dense `u32` id). Slots only ever
//! append: a replacement that changes the text gets a new slot and leaves a tombstone,
//! so posting lists only ever append too and stay sorted. [`Index::compact`] renumbers
//! the live slots in order and filters the lists once tombstones reach an eighth of the
//! documents. Per-slot data is split by use so a query streams only what it needs: a
//! live bitset, a `u32` coarse sort key (the full `u128` key is read only for the few
//! candidates that can still make the page), filter attributes (read only with filters),
//! and the texts (read only to verify a candidate whose grams do not prove the match).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use crate::postings::{
    code_gram, doc_grams, gram, positional, py2_gram, py3_gram, Conjunction, List, Postings,
    Window, ADDR2, NAME1, NAME2, PRE1, PRE2, REP1, REP2, UNSURE,
};
use crate::text::{
    folded, needs_fold, normalize, normalize_query, pinyin_run_matches, InitialsPattern,
};
use crate::{Cursor, Doc, Hit, Match, Page, Query};

const NAME_PURE: u8 = 1;
const ADDR_PURE: u8 = 2;
const REP_PURE: u8 = 4;
const USCC_PURE: u8 = 8;

/// Tombstones below which no automatic compaction happens (tiny in tests, so that the
/// property test compacts).
#[cfg(not(test))]
const COMPACT_MIN_DEAD: usize = 4096;
#[cfg(test)]
const COMPACT_MIN_DEAD: usize = 3;
/// Automatic compaction once tombstones reach 1/COMPACT_RATIO of the documents.
const COMPACT_RATIO: usize = 8;

/// Filter attributes of one slot, as interned ids.
#[derive(Clone, Copy, Default)]
struct Attr {
    division: u32,
    industry: u16,
    entity_type: u16,
    status: u16,
    listing: u16,
}

/// One text field of every slot, concatenated in slot order.
#[derive(Clone, Default)]
struct Arena {
    text: String,
    /// End offset of each slot's string; it starts where the previous one ends.
    ends: Vec<u32>,
}

impl Arena {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        let end = u32::try_from(self.text.len()).expect("a search text field exceeds 4 GiB");
        self.ends.push(end);
    }

    #[inline]
    fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn bytes(&self) -> usize {
        self.text.capacity() + 4 * self.ends.capacity()
    }
}

/// Values of a low-cardinality field, numbered in order of first appearance.
#[derive(Clone, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    values: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    /// As [`Interner::intern`], for fields with at most 65,536 distinct values.
    fn intern16(&mut self, s: &str) -> u16 {
        u16::try_from(self.intern(s)).expect("more than 65,536 distinct values of a search filter")
    }

    fn lookup(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    fn get(&self, id: u32) -> &str {
        &self.values[id as usize]
    }
}

/// A stored document, borrowed from the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocRef<'a> {
    pub uscc: &'a str,
    pub name: &'a str,
    pub legal_rep: &'a str,
    pub address: &'a str,
    pub division_code: &'a str,
    pub entity_type: &'a str,
    pub status: &'a str,
    pub industry_code: &'a str,
    pub listing: &'a str,
}

impl DocRef<'_> {
    /// An owned copy.
    pub fn to_doc(&self) -> Doc {
        Doc {
            uscc: self.uscc.to_owned(),
            name: self.name.to_owned(),
            legal_rep: self.legal_rep.to_owned(),
            address: self.address.to_owned(),
            division_code: self.division_code.to_owned(),
            entity_type: self.entity_type.to_owned(),
            status: self.status.to_owned(),
            industry_code: self.industry_code.to_owned(),
            listing: self.listing.to_owned(),
        }
    }
}

/// Size figures of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Live documents.
    pub docs: usize,
    /// Slots, live and tombstones.
    pub slots: usize,
    /// Slots of replaced or removed documents not yet compacted away.
    pub tombstones: usize,
    /// Distinct grams (posting lists).
    pub grams: usize,
    /// Posting entries over all lists.
    pub postings: usize,
    /// Heap bytes of the index's own buffers (allocator overhead excluded).
    pub approx_bytes: usize,
}

/// The search index. See the crate documentation for the matching rules and the order.
#[derive(Clone, Default)]
pub struct Index {
    /// Credit code → slot of the live version.
    ids: HashMap<Box<str>, u32>,
    /// Number of tombstones.
    dead: usize,
    /// Live slots, one bit each.
    live: Vec<u64>,
    attrs: Vec<Attr>,
    /// Which text fields need no folding (`*_PURE` bits).
    flags: Vec<u8>,
    /// Bits 124..96 of the sort key: inactive, name length, 12 bits of the code.
    coarse: Vec<u32>,
    /// Sort key without the tier: inactive bit, name length, first 13 bytes of the code.
    keys: Vec<u128>,
    /// Folded credit code: its first 15 bytes, then its length (saturating) in the low byte.
    codes: Vec<u128>,
    /// Number of live slots by folded code length (saturating at 255).
    code_lens: Vec<usize>,
    names: Arena,
    addresses: Arena,
    reps: Arena,
    usccs: Arena,
    postings: Postings,
    divisions: Interner,
    industries: Interner,
    entity_types: Interner,
    statuses: Interner,
    listings: Interner,
    /// Inside [`Index::extend`]: posting lists grow by doubling (else by an eighth, so a
    /// built index does not double its lists on the first changes).
    bulk: bool,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// The key bits of a position: tier (3 bits), inactive (1), name length in characters
/// (16, saturating), the first 13 bytes of the credit code (zero-padded); the low 4 bits
/// are zero. Ties (codes sharing 13 bytes) are broken by comparing the full code.
fn pack_key(tier: u8, inactive: bool, name_len: u16, uscc: &[u8]) -> u128 {
    let mut k = (tier as u128) << 125 | (inactive as u128) << 124 | (name_len as u128) << 108;
    for (i, &b) in uscc.iter().take(13).enumerate() {
        k |= (b as u128) << (100 - 8 * i);
    }
    k
}

const TIER_SHIFT: u32 = 125;
const COARSE_TIER_SHIFT: u32 = TIER_SHIFT - 96;

/// Folded code bytes 0..15 from the top, length (saturating at 255) in the low byte.
fn pack_code(folded: &[u8]) -> u128 {
    let mut k = folded.len().min(255) as u128;
    for (i, &b) in folded.iter().take(15).enumerate() {
        k |= (b as u128) << (120 - 8 * i);
    }
    k
}

fn char_len_u16(s: &str) -> u16 {
    u16::try_from(s.chars().count()).unwrap_or(u16::MAX)
}

/// The filters of a query, turned into interned ids.
struct Filter {
    /// Whether any filter is set (otherwise only liveness is checked).
    any: bool,
    divisions: Option<Vec<bool>>,
    industries: Option<Vec<bool>>,
    entity_type: Option<u16>,
    status: Option<u16>,
    listing: Option<u16>,
}

impl Filter {
    /// Whether slot `id` is live and passes the filters.
    #[inline]
    fn accepts(&self, ix: &Index, id: u32) -> bool {
        if !ix.is_live(id) {
            return false;
        }
        if !self.any {
            return true;
        }
        let a = &ix.attrs[id as usize];
        if let Some(d) = &self.divisions {
            if !d[a.division as usize] {
                return false;
            }
        }
        if let Some(i) = &self.industries {
            if !i[a.industry as usize] {
                return false;
            }
        }
        self.entity_type.is_none_or(|t| t == a.entity_type)
            && self.status.is_none_or(|s| s == a.status)
            && self.listing.is_none_or(|l| l == a.listing)
    }
}

/// Matching slots of one way of matching, ascending by id, with their tiers.
enum Source<'a> {
    /// Every slot of the list, all of one tier.
    List(&'a [u32], u8),
    /// Names containing a text of `n` ≤ 2 characters (`all`); those in `prefix` start
    /// with it: tier 1, or 0 when the name has exactly `n` characters; the others tier 2.
    NameShort {
        all: &'a [u32],
        prefix: &'a [u32],
        n: u16,
    },
    /// Computed slots with their tiers.
    Pairs(Vec<(u32, u8)>),
    /// Computed as needed (intersections with verification); yields live slots passing
    /// the filters only.
    Lazy(Box<dyn Iterator<Item = (u32, u8)> + 'a>),
}

/// A position in a [`Source`].
struct Stream<'a> {
    source: Source<'a>,
    i: usize,
    /// Position in the prefix list of [`Source::NameShort`].
    j: usize,
    /// Head of [`Source::Lazy`].
    peeked: Option<(u32, u8)>,
}

impl<'a> Stream<'a> {
    fn new(source: Source<'a>) -> Self {
        let mut s = Stream {
            source,
            i: 0,
            j: 0,
            peeked: None,
        };
        s.fill();
        s
    }

    #[inline]
    fn fill(&mut self) {
        if let Source::Lazy(it) = &mut self.source {
            self.peeked = it.next();
        }
    }

    #[inline]
    fn head(&self) -> Option<u32> {
        match &self.source {
            Source::List(l, _) => l.get(self.i).copied(),
            Source::NameShort { all, .. } => all.get(self.i).copied(),
            Source::Pairs(v) => v.get(self.i).map(|p| p.0),
            Source::Lazy(_) => self.peeked.map(|p| p.0),
        }
    }

    #[inline]
    fn advance(&mut self) {
        self.i += 1;
        self.fill();
    }

    /// Tier of the head (which must exist).
    #[inline]
    fn tier(&mut self, ix: &Index) -> u8 {
        match &self.source {
            Source::List(_, t) => *t,
            Source::Pairs(v) => v[self.i].1,
            Source::Lazy(_) => self.peeked.map_or(u8::MAX, |p| p.1),
            Source::NameShort { all, prefix, n } => {
                let id = all[self.i];
                while self.j < prefix.len() && prefix[self.j] < id {
                    self.j += 1;
                }
                if prefix.get(self.j) == Some(&id) {
                    if ix.name_len(id) == *n {
                        0
                    } else {
                        1
                    }
                } else {
                    2
                }
            }
        }
    }
}

/// Keeps the best `limit` positions after the cursor, and counts.
struct Selector<'a> {
    index: &'a Index,
    limit: usize,
    /// Full key, coarse key and code of the cursor.
    cursor: Option<(u128, u32, &'a str)>,
    best: Vec<(u128, u32)>,
    threshold: u128,
    threshold_coarse: u32,
    total: usize,
    after: usize,
}

impl<'a> Selector<'a> {
    fn new(index: &'a Index, limit: usize, cursor: Option<&'a Cursor>) -> Self {
        let limit = limit.min(index.len());
        Selector {
            index,
            limit,
            cursor: cursor.map(|c| {
                let key = pack_key(c.tier, c.inactive, c.name_len, c.uscc.as_bytes());
                (key, (key >> 96) as u32, c.uscc.as_str())
            }),
            best: Vec::with_capacity(2 * limit),
            threshold: u128::MAX,
            threshold_coarse: u32::MAX,
            total: 0,
            after: 0,
        }
    }

    /// A live slot passing the filters, with its tier.
    #[inline(always)]
    fn offer(&mut self, id: u32, tier: u8) {
        self.total += 1;
        let ix = self.index;
        let coarse = (tier as u32) << COARSE_TIER_SHIFT | ix.coarse[id as usize];
        if let Some((ck, cc, cu)) = self.cursor {
            if coarse < cc {
                return;
            }
            if coarse == cc {
                let key = ix.keys[id as usize] | (tier as u128) << TIER_SHIFT;
                if key < ck || (key == ck && ix.uscc(id) <= cu) {
                    return;
                }
            }
        }
        self.after += 1;
        if coarse > self.threshold_coarse || self.limit == 0 {
            return;
        }
        let key = ix.keys[id as usize] | (tier as u128) << TIER_SHIFT;
        if key <= self.threshold {
            self.best.push((key, id));
            if self.best.len() >= 2 * self.limit {
                self.prune();
            }
        }
    }

    fn prune(&mut self) {
        let index = self.index;
        let k = self.limit - 1;
        self.best
            .select_nth_unstable_by(k, |a, b| compare(index, *a, *b));
        self.best.truncate(self.limit);
        self.threshold = self.best[k].0;
        self.threshold_coarse = (self.threshold >> 96) as u32;
    }

    fn finish(mut self) -> (usize, usize, Vec<(u128, u32)>) {
        let index = self.index;
        self.best.sort_unstable_by(|a, b| compare(index, *a, *b));
        self.best.truncate(self.limit);
        (self.total, self.after, self.best)
    }
}

#[inline]
fn compare(index: &Index, a: (u128, u32), b: (u128, u32)) -> Ordering {
    a.0.cmp(&b.0)
        .then_with(|| index.uscc(a.1).cmp(index.uscc(b.1)))
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether a document with this credit code is stored.
    pub fn contains(&self, uscc: &str) -> bool {
        self.ids.contains_key(uscc)
    }

    /// The stored document with this credit code (exact, case-sensitive).
    pub fn get(&self, uscc: &str) -> Option<DocRef<'_>> {
        let id = *self.ids.get(uscc)?;
        let a = self.attrs[id as usize];
        Some(DocRef {
            uscc: self.usccs.get(id),
            name: self.names.get(id),
            legal_rep: self.reps.get(id),
            address: self.addresses.get(id),
            division_code: self.divisions.get(a.division),
            entity_type: self.entity_types.get(a.entity_type as u32),
            status: self.statuses.get(a.status as u32),
            industry_code: self.industries.get(a.industry as u32),
            listing: self.listings.get(a.listing as u32),
        })
    }

    /// Size figures (for monitoring and the benchmark).
    pub fn stats(&self) -> Stats {
        let postings: usize = self.postings.values().map(|l| l.ids.len()).sum();
        let list_bytes: usize = self
            .postings
            .values()
            .map(|l| 4 * l.ids.capacity() + l.pos.capacity() + 64)
            .sum();
        let map_bytes = self.ids.capacity() * 32 + self.ids.len() * 24;
        let slot_bytes = self.keys.capacity() * (16 + 16 + 4 + 12 + 1);
        Stats {
            docs: self.len(),
            slots: self.keys.len(),
            tombstones: self.dead,
            grams: self.postings.len(),
            postings,
            approx_bytes: list_bytes
                + map_bytes
                + slot_bytes
                + self.names.bytes()
                + self.addresses.bytes()
                + self.reps.bytes()
                + self.usccs.bytes(),
        }
    }

    #[inline]
    fn is_live(&self, id: u32) -> bool {
        self.live[(id >> 6) as usize] >> (id & 63) & 1 == 1
    }

    fn set_live(&mut self, id: u32, live: bool) {
        let (w, b) = ((id >> 6) as usize, id & 63);
        if live {
            self.live[w] |= 1 << b;
        } else {
            self.live[w] &= !(1 << b);
        }
    }

    #[inline]
    fn uscc(&self, id: u32) -> &str {
        self.usccs.get(id)
    }

    #[inline]
    fn name_len(&self, id: u32) -> u16 {
        (self.coarse[id as usize] >> 12) as u16
    }

    /// Adds many documents (as [`Index::upsert`] for each, then releases spare capacity).
    pub fn extend(&mut self, docs: impl IntoIterator<Item = Doc>) {
        self.bulk = true;
        for doc in docs {
            self.upsert(doc);
        }
        self.bulk = false;
        self.shrink_to_fit();
    }

    /// Releases spare capacity (posting lists, arenas, slot arrays).
    pub fn shrink_to_fit(&mut self) {
        for list in self.postings.values_mut() {
            list.ids.shrink_to_fit();
            list.pos.shrink_to_fit();
        }
        self.postings.shrink_to_fit();
        for a in [
            &mut self.names,
            &mut self.addresses,
            &mut self.reps,
            &mut self.usccs,
        ] {
            a.text.shrink_to_fit();
            a.ends.shrink_to_fit();
        }
        self.live.shrink_to_fit();
        self.attrs.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.coarse.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.codes.shrink_to_fit();
    }

    /// Inserts a document, or replaces the one with the same credit code.
    ///
    /// A replacement that leaves name, legal representative and address unchanged is made
    /// in place; otherwise the old slot becomes a tombstone and the document gets a new
    /// slot at the end (posting lists only ever append).
    pub fn upsert(&mut self, doc: Doc) {
        if let Some(&id) = self.ids.get(doc.uscc.as_str()) {
            if self.names.get(id) == doc.name
                && self.reps.get(id) == doc.legal_rep
                && self.addresses.get(id) == doc.address
            {
                self.set_attributes(id, &doc);
                return;
            }
            self.kill(id);
        }
        let id = self.append(&doc);
        self.ids.insert(doc.uscc.as_str().into(), id);
        self.set_attributes(id, &doc);
        self.compact_if_needed();
    }

    /// A new live slot at the end with the document's text and grams.
    fn append(&mut self, doc: &Doc) -> u32 {
        let id = u32::try_from(self.keys.len())
            .ok()
            .filter(|&id| id < u32::MAX)
            .expect("too many search slots");
        for (g, pos) in doc_grams(
            &normalize(&doc.name),
            &normalize(&doc.legal_rep),
            &normalize(&doc.address),
            &normalize(&doc.uscc),
        ) {
            let list = self.postings.entry(g).or_default();
            debug_assert!(list.ids.last().is_none_or(|&last| last < id));
            if !self.bulk {
                grow_gently(&mut list.ids);
            }
            list.ids.push(id);
            if positional(g) {
                if !self.bulk {
                    grow_gently(&mut list.pos);
                }
                list.pos.push(pos);
            }
        }
        self.names.push(&doc.name);
        self.addresses.push(&doc.address);
        self.reps.push(&doc.legal_rep);
        self.usccs.push(&doc.uscc);
        self.attrs.push(Attr::default());
        self.flags.push(0);
        self.coarse.push(0);
        self.keys.push(0);
        let code = pack_code(normalize(&doc.uscc).as_bytes());
        self.codes.push(code);
        if self.code_lens.is_empty() {
            self.code_lens = vec![0; 256];
        }
        self.code_lens[(code & 0xFF) as usize] += 1;
        if id.is_multiple_of(64) {
            self.live.push(0);
        }
        self.set_live(id, true);
        id
    }

    /// Everything of slot `id` but its text, grams and code (which an in-place update
    /// keeps: same code, same text).
    fn set_attributes(&mut self, id: u32, doc: &Doc) {
        let i = id as usize;
        let mut flags = 0;
        for (s, bit) in [
            (&doc.name, NAME_PURE),
            (&doc.address, ADDR_PURE),
            (&doc.legal_rep, REP_PURE),
            (&doc.uscc, USCC_PURE),
        ] {
            if !needs_fold(s) {
                flags |= bit;
            }
        }
        self.flags[i] = flags;
        self.attrs[i] = Attr {
            division: self.divisions.intern(&doc.division_code),
            industry: self.industries.intern16(&doc.industry_code),
            entity_type: self.entity_types.intern16(&doc.entity_type),
            status: self.statuses.intern16(&doc.status),
            listing: self.listings.intern16(&doc.listing),
        };
        let key = pack_key(
            0,
            doc.status != "active",
            char_len_u16(&doc.name),
            doc.uscc.as_bytes(),
        );
        self.keys[i] = key;
        self.coarse[i] = (key >> 96) as u32;
    }

    /// Turns slot `id` into a tombstone (its ids stay in the posting lists until the next
    /// compaction; every reader skips slots that are not live).
    fn kill(&mut self, id: u32) {
        self.set_live(id, false);
        self.code_lens[(self.codes[id as usize] & 0xFF) as usize] -= 1;
        self.dead += 1;
    }

    /// Removes the document with this credit code; false if there was none.
    pub fn remove(&mut self, uscc: &str) -> bool {
        let Some(id) = self.ids.remove(uscc) else {
            return false;
        };
        self.kill(id);
        self.compact_if_needed();
        true
    }

    fn compact_if_needed(&mut self) {
        if self.dead >= COMPACT_MIN_DEAD && self.dead * COMPACT_RATIO >= self.len() {
            self.compact();
        }
    }

    /// Drops the tombstones: renumbers the live slots in order (so posting lists stay
    /// sorted), filters every posting list, and rewrites the slot arrays and arenas.
    /// Runs by itself once tombstones reach an eighth of the documents (at least 4,096).
    pub fn compact(&mut self) {
        if self.dead == 0 {
            return;
        }
        const GONE: u32 = u32::MAX;
        let slots = self.keys.len();
        let live: Vec<bool> = (0..slots as u32).map(|id| self.is_live(id)).collect();
        let mut remap = vec![GONE; slots];
        let mut next = 0u32;
        for (id, &l) in live.iter().enumerate() {
            if l {
                remap[id] = next;
                next += 1;
            }
        }
        self.postings.retain(|_, list| {
            let has_pos = !list.pos.is_empty();
            let mut w = 0;
            for r in 0..list.ids.len() {
                let new = remap[list.ids[r] as usize];
                if new != GONE {
                    list.ids[w] = new;
                    if has_pos {
                        list.pos[w] = list.pos[r];
                    }
                    w += 1;
                }
            }
            list.ids.truncate(w);
            list.ids.shrink_to_fit();
            if has_pos {
                list.pos.truncate(w);
                list.pos.shrink_to_fit();
            }
            w > 0
        });
        for id in self.ids.values_mut() {
            *id = remap[*id as usize];
        }
        retain_live(&mut self.attrs, &live);
        retain_live(&mut self.flags, &live);
        retain_live(&mut self.coarse, &live);
        retain_live(&mut self.keys, &live);
        retain_live(&mut self.codes, &live);
        for arena in [
            &mut self.names,
            &mut self.addresses,
            &mut self.reps,
            &mut self.usccs,
        ] {
            let old = std::mem::take(arena);
            for (id, _) in live.iter().enumerate().filter(|(_, &l)| l) {
                arena.push(old.get(id as u32));
            }
        }
        let n = next as usize;
        self.live = vec![u64::MAX; n / 64];
        if !n.is_multiple_of(64) {
            self.live.push((1u64 << (n % 64)) - 1);
        }
        self.dead = 0;
    }

    /// Searches; see the crate documentation for matching, order and paging.
    pub fn search(&self, q: &Query) -> Page {
        let text = normalize_query(&q.text);
        let mut page = Page {
            total: 0,
            hits: Vec::new(),
            next: None,
        };
        let Some(filter) = self.compile_filter(q) else {
            return page;
        };
        let mut sel = Selector::new(self, q.limit, q.after.as_ref());
        if text.is_empty() {
            for id in 0..self.keys.len() as u32 {
                if filter.accepts(self, id) {
                    sel.offer(id, 2);
                }
            }
        } else {
            let mut streams: Vec<Stream<'_>> = self
                .sources(&text, q.include_legal_rep, &filter)
                .into_iter()
                .map(Stream::new)
                .filter(|s| s.head().is_some())
                .collect();
            if streams.len() == 1 {
                let stream = streams.swap_remove(0);
                let peeked = stream.peeked;
                match stream.source {
                    Source::Lazy(it) => {
                        // Already live and filtered.
                        for (id, tier) in peeked.into_iter().chain(it) {
                            sel.offer(id, tier);
                        }
                    }
                    Source::List(l, tier) => {
                        for &id in l {
                            if filter.accepts(self, id) {
                                sel.offer(id, tier);
                            }
                        }
                    }
                    Source::Pairs(v) => {
                        for (id, tier) in v {
                            if filter.accepts(self, id) {
                                sel.offer(id, tier);
                            }
                        }
                    }
                    source @ Source::NameShort { .. } => {
                        let mut s = Stream::new(source);
                        while let Some(id) = s.head() {
                            if filter.accepts(self, id) {
                                let tier = s.tier(self);
                                sel.offer(id, tier);
                            }
                            s.i += 1;
                        }
                    }
                }
            } else {
                while let Some(id) = streams.iter().filter_map(Stream::head).min() {
                    // Lazy sources yield only accepted slots.
                    let accept = streams
                        .iter()
                        .any(|s| matches!(s.source, Source::Lazy(_)) && s.head() == Some(id))
                        || filter.accepts(self, id);
                    let mut tier = u8::MAX;
                    for s in streams.iter_mut() {
                        if s.head() == Some(id) {
                            if accept {
                                tier = tier.min(s.tier(self));
                            }
                            s.advance();
                        }
                    }
                    if accept {
                        sel.offer(id, tier);
                    }
                }
            }
        }
        let (total, after, best) = sel.finish();
        page.total = total;
        page.hits = best
            .iter()
            .map(|&(_, id)| Hit {
                uscc: self.uscc(id).to_owned(),
                matched: if text.is_empty() {
                    Match::All
                } else {
                    self.classify(id, &text, q.include_legal_rep)
                },
            })
            .collect();
        if after > best.len() {
            if let Some(&(key, id)) = best.last() {
                page.next = Some(Cursor {
                    tier: (key >> TIER_SHIFT) as u8,
                    inactive: (key >> 124) & 1 == 1,
                    name_len: (key >> 108) as u16,
                    uscc: self.uscc(id).to_owned(),
                });
            }
        }
        page
    }

    fn compile_filter(&self, q: &Query) -> Option<Filter> {
        fn exact(interner: &Interner, v: Option<&str>) -> Option<Option<u16>> {
            match v {
                None => Some(None),
                Some(v) => interner.lookup(v).map(|id| Some(id as u16)),
            }
        }
        let divisions = match &q.divisions {
            None => None,
            Some(set) => {
                let mut ok = vec![false; self.divisions.values.len()];
                let mut any = false;
                for d in set {
                    if let Some(id) = self.divisions.lookup(d) {
                        ok[id as usize] = true;
                        any = true;
                    }
                }
                if !any {
                    return None;
                }
                Some(ok)
            }
        };
        let industries = match &q.industry_prefix {
            None => None,
            Some(p) => {
                let ok: Vec<bool> = self
                    .industries
                    .values
                    .iter()
                    .map(|v| v.starts_with(p.as_str()))
                    .collect();
                if !ok.contains(&true) {
                    return None;
                }
                Some(ok)
            }
        };
        let listing = q.listing.as_deref().map(|l| match l {
            "none" => "",
            other => other,
        });
        let entity_type = exact(&self.entity_types, q.entity_type.as_deref())?;
        let status = exact(&self.statuses, q.status.as_deref())?;
        let listing = exact(&self.listings, listing)?;
        Some(Filter {
            any: divisions.is_some()
                || industries.is_some()
                || entity_type.is_some()
                || status.is_some()
                || listing.is_some(),
            divisions,
            industries,
            entity_type,
            status,
            listing,
        })
    }

    fn list(&self, g: u64) -> Option<&List> {
        self.postings.get(&g)
    }

    fn ids(&self, g: u64) -> &[u32] {
        self.list(g).map_or(&[], |l| &l.ids)
    }

    /// Slots holding every gram (the windows of a text, in order, each `width`
    /// characters), lazily, with the start of the text where first positions prove it;
    /// `None` if some gram is absent.
    fn conjunction(&self, grams: &[u64], width: usize) -> Option<Conjunction<'_>> {
        let mut windows = Vec::with_capacity(grams.len());
        let mut seen: Vec<u64> = Vec::with_capacity(grams.len());
        for (offset, &g) in grams.iter().enumerate() {
            if seen.contains(&g) {
                continue;
            }
            seen.push(g);
            windows.push(Window {
                list: self.list(g)?,
                offset,
            });
        }
        Some(Conjunction::new(windows, width, seen.len() == grams.len()))
    }

    /// [`Index::conjunction`] of the pair grams (`tag2`) of a text.
    fn pairs(&self, chars: &[char], tag2: u64) -> Option<Conjunction<'_>> {
        let grams: Vec<u64> = chars.windows(2).map(|w| gram(tag2, w[0], w[1])).collect();
        self.conjunction(&grams, 2)
    }

    /// The ways the folded, non-empty text `q` can match, each a sorted source of slots.
    fn sources<'a>(&'a self, q: &'a str, include_rep: bool, filter: &'a Filter) -> Vec<Source<'a>> {
        let chars: Vec<char> = q.chars().collect();
        let n = chars.len();
        let mut out = Vec::new();

        // Name: tiers 0, 1, 2.
        if n <= 2 {
            let (all, prefix) = if n == 1 {
                (gram(NAME1, chars[0], '\0'), gram(PRE1, chars[0], '\0'))
            } else {
                (
                    gram(NAME2, chars[0], chars[1]),
                    gram(PRE2, chars[0], chars[1]),
                )
            };
            out.push(Source::NameShort {
                all: self.ids(all),
                prefix: self.ids(prefix),
                n: n as u16,
            });
        } else if let Some(cands) = self.pairs(&chars, NAME2) {
            let mut buf = String::new();
            out.push(Source::Lazy(Box::new(cands.filter_map(
                move |(id, start)| {
                    if !filter.accepts(self, id) {
                        return None;
                    }
                    let tier = if start != UNSURE {
                        match (start, self.name_len(id) as usize == n) {
                            (0, true) => 0,
                            (0, false) => 1,
                            _ => 2,
                        }
                    } else {
                        let pure = self.flags[id as usize] & NAME_PURE != 0;
                        let name = folded(self.names.get(id), pure, &mut buf);
                        match name.strip_prefix(q) {
                            Some("") => 0,
                            Some(_) => 1,
                            None if name.contains(q) => 2,
                            None => return None,
                        }
                    };
                    Some((id, tier))
                },
            ))));
        }

        // Credit code: tiers 0, 1.
        if n >= 2 && q.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push(self.code_source(q));
        }

        // Pinyin initials: tier 3.
        if n >= 2 && q.bytes().all(|b| b.is_ascii_lowercase()) {
            let l: Vec<u32> = q.bytes().map(|b| (b - b'a') as u32).collect();
            match n {
                2 => out.push(Source::List(self.ids(py2_gram(l[0], l[1])), 3)),
                3 => out.push(Source::List(self.ids(py3_gram(l[0], l[1], l[2])), 3)),
                _ => {
                    let grams: Vec<u64> =
                        l.windows(3).map(|w| py3_gram(w[0], w[1], w[2])).collect();
                    if let Some(cands) = self.conjunction(&grams, 3) {
                        let pattern = InitialsPattern::new(q.as_bytes());
                        let mut masks = Vec::new();
                        let mut buf = String::new();
                        out.push(Source::Lazy(Box::new(cands.filter_map(
                            move |(id, start)| {
                                if !filter.accepts(self, id) {
                                    return None;
                                }
                                if start == UNSURE {
                                    let pure = self.flags[id as usize] & NAME_PURE != 0;
                                    let name = folded(self.names.get(id), pure, &mut buf);
                                    let hit = match &pattern {
                                        Some(p) => p.matches(name),
                                        None => pinyin_run_matches(name, q.as_bytes(), &mut masks),
                                    };
                                    if !hit {
                                        return None;
                                    }
                                }
                                Some((id, 3))
                            },
                        ))));
                    }
                }
            }
        }

        // Legal representative: tier 4.
        if include_rep {
            match n {
                1 => out.push(Source::List(self.ids(gram(REP1, chars[0], '\0')), 4)),
                2 => out.push(Source::List(self.ids(gram(REP2, chars[0], chars[1])), 4)),
                _ => out.extend(self.verified(&chars, q, REP2, 4, filter)),
            }
        }

        // Address: tier 5.
        match n {
            1 => {}
            2 => out.push(Source::List(self.ids(gram(ADDR2, chars[0], chars[1])), 5)),
            _ => out.extend(self.verified(&chars, q, ADDR2, 5, filter)),
        }
        out
    }

    /// Slots whose legal representative (`REP2`) or address (`ADDR2`) contains `q`.
    fn verified<'a>(
        &'a self,
        chars: &[char],
        q: &'a str,
        tag2: u64,
        tier: u8,
        filter: &'a Filter,
    ) -> Option<Source<'a>> {
        let (arena, pure_bit) = if tag2 == REP2 {
            (&self.reps, REP_PURE)
        } else {
            (&self.addresses, ADDR_PURE)
        };
        let cands = self.pairs(chars, tag2)?;
        let mut buf = String::new();
        Some(Source::Lazy(Box::new(cands.filter_map(
            move |(id, start)| {
                if !filter.accepts(self, id) {
                    return None;
                }
                if start == UNSURE {
                    let pure = self.flags[id as usize] & pure_bit != 0;
                    if !folded(arena.get(id), pure, &mut buf).contains(q) {
                        return None;
                    }
                }
                Some((id, tier))
            },
        ))))
    }

    /// Live slots whose folded code starts with (tier 1) or equals (tier 0) the folded
    /// alphanumeric text `q` (at least 2 characters).
    fn code_source(&self, q: &str) -> Source<'_> {
        let mut buf = String::new();
        let qb = q.as_bytes();
        let k = [8, 4, 2].into_iter().find(|&k| qb.len() >= k).unwrap_or(2);
        let Some(list) = code_gram(qb, k).and_then(|g| self.list(g)) else {
            return Source::Pairs(Vec::new());
        };
        let exact_possible = self.code_lens[qb.len().min(255)] > 0;
        if qb.len() == k && !exact_possible {
            // Every slot of the list starts with `q` and none equals it.
            return Source::List(&list.ids, 1);
        }
        let m = qb.len().min(15);
        let want = pack_code(&qb[..m]) & !0xFF;
        let mask = !0u128 << (128 - 8 * m);
        let mut out = Vec::new();
        for &id in &list.ids {
            let code = self.codes[id as usize];
            if code & mask != want || !self.is_live(id) {
                continue;
            }
            if qb.len() <= 15 {
                out.push((
                    id,
                    if (code & 0xFF) as usize == qb.len() {
                        0
                    } else {
                        1
                    },
                ));
            } else {
                let pure = self.flags[id as usize] & USCC_PURE != 0;
                match folded(self.uscc(id), pure, &mut buf).strip_prefix(q) {
                    Some("") => out.push((id, 0)),
                    Some(_) => out.push((id, 1)),
                    None => {}
                }
            }
        }
        Source::Pairs(out)
    }

    /// How the live slot `id` matches the folded, non-empty text `q` (its best way);
    /// only called for hits, so it simply restates the rules.
    fn classify(&self, id: u32, q: &str, include_rep: bool) -> Match {
        let name = normalize(self.names.get(id));
        let code = normalize(self.uscc(id));
        let n = q.chars().count();
        let code_query = n >= 2 && q.bytes().all(|b| b.is_ascii_alphanumeric());
        let pinyin_query = n >= 2 && q.bytes().all(|b| b.is_ascii_lowercase());
        if name == q {
            Match::ExactName
        } else if code_query && code == q {
            Match::ExactCode
        } else if name.starts_with(q) {
            Match::NamePrefix
        } else if code_query && code.starts_with(q) {
            Match::CodePrefix
        } else if name.contains(q) {
            Match::Name
        } else if pinyin_query && pinyin_run_matches(&name, q.as_bytes(), &mut Vec::new()) {
            Match::Pinyin
        } else if include_rep && normalize(self.reps.get(id)).contains(q) {
            Match::LegalRep
        } else {
            debug_assert!(n >= 2 && normalize(self.addresses.get(id)).contains(q));
            Match::Address
        }
    }
}

/// Makes room for one more element, growing a full vector by an eighth only.
fn grow_gently<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.len() / 8 + 4);
    }
}

/// Keeps the elements whose slot is live.
fn retain_live<T>(v: &mut Vec<T>, live: &[bool]) {
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        live[i - 1]
    });
}
