//! In-memory search over market entities (市场主体): the index every server process holds,
//! fed by the storage layer as the event log advances.
//!
//! This crate owns the matching rules and the one result order of entity search. It does
//! no I/O and knows nothing about SQL, HTTP or permissions: the caller turns the actor's
//! jurisdiction into [`Query::divisions`], decides whether the legal representative may be
//! searched ([`Query::include_legal_rep`], staff only), clamps [`Query::limit`], and wraps
//! the [`Index`] in a lock (searching takes `&self`, changing takes `&mut self`).
//!
//! # Matching
//!
//! The query text is trimmed and folded: full-width ASCII becomes half-width, U+3000 a
//! space, ASCII letters lower case. Indexed fields are folded the same way before they are
//! compared. There is no tokenisation: the whole folded text `q` is one pattern. A document
//! matches if any of these holds (it is counted once):
//!
//! * **name** — `q` is a substring of the name (any length, so 店 and 餐饮 work; exact
//!   substring semantics: 餐饮 does not match a name where 餐 and 饮 are not adjacent);
//! * **credit code** — `q` has at least 2 characters, all ASCII letters or digits, and the
//!   code starts with `q` (case-insensitively) or equals it;
//! * **pinyin initials** — `q` has at least 2 characters, all ASCII letters, and some run
//!   of consecutive name characters has them as initials: 荆门石化 ⇒ `jmsh`. Every reading
//!   of a polyphonic character counts (行 is `x` or `h`, 长 `c` or `z`, 重 `z`, `c` or `t`);
//!   zh/ch/sh are `z`/`c`/`s`. ASCII letters in a name stand for themselves (KTV ⇒ `ktv`);
//!   any other character without a reading (digits, brackets, punctuation, spaces) breaks
//!   the run. The initials come from the `pinyin` crate's table (with heteronyms).
//! * **legal representative** — only with [`Query::include_legal_rep`]: `q` is a substring
//!   of the legal representative (any length);
//! * **address** — `q` has at least 2 characters and is a substring of the address.
//!
//! An empty text matches every document (filters only). Filters are exact: the division
//! code must be in [`Query::divisions`]; `entity_type` and `status` are compared for
//! equality; the industry code must start with [`Query::industry_prefix`] (case-sensitive);
//! [`Query::listing`] is `"abnormal"`, `"dishonesty"` or `"none"` (= not listed, `""`).
//!
//! # Order (part of the product spec)
//!
//! Each matching document gets the best (lowest) tier it achieves:
//!
//! | tier | match |
//! |------|-------|
//! | 0 | exact name, or exact credit code |
//! | 1 | name prefix, or credit-code prefix |
//! | 2 | name substring (also every document of an empty-text query) |
//! | 3 | pinyin initials |
//! | 4 | legal representative |
//! | 5 | address |
//!
//! Results are ordered by the key `(tier, inactive, name length, credit code)`:
//! tier ascending; within a tier documents with status `active` first; then shorter names
//! first (length in characters); then credit code ascending (byte order of the code as
//! stored). The key is unique because the credit code is.
//!
//! # Paging
//!
//! [`Page::next`] is a [`Cursor`] holding the key of the last hit; a query with
//! [`Query::after`] set returns the documents strictly after that key. Paging through all
//! pages yields the full ordered list exactly once. If documents change between pages, a
//! document whose key did not change keeps its place; one whose key changed may be seen
//! twice or not at all. [`Page::total`] counts every document matching text and filters,
//! not just the page.
//!
//! # Implementation
//!
//! Every version of a document lives in a slot (a dense `u32` id); slots only ever
//! append. A change that keeps name, legal representative and address is made in place;
//! any other replacement, and a removal, leaves a tombstone that readers skip, and
//! [`Index::compact`] (run by itself once tombstones reach an eighth of the documents)
//! renumbers the live slots and filters the lists. So posting lists only ever append and
//! stay sorted: one per gram — name characters, name character pairs, the name's first
//! one and two characters, pairs and triples of pinyin initials, legal-representative
//! characters and pairs, address pairs, the first 2, 4 and 8 characters of the code.
//! Pair and triple lists also store where the gram first occurs in each document.
//!
//! A text of one or two characters reads one list (exact). A longer text intersects the
//! lists of a cheapest set of windows covering it (driven by the shortest list); where
//! the first occurrences line up the match is proved without reading the document,
//! otherwise the stored text is checked. Codes are found through the code-prefix lists.
//! Per-slot data is split by use so a query streams only what it needs: a live bitset,
//! a `u32` coarse sort key (the full `u128` key is read only for candidates that can
//! still make the page), filter attributes (only with filters), and the texts, kept in
//! per-field arenas in slot order. The page is the best `limit` keys after the cursor,
//! kept in a small buffer (no sort of the matches); the total is counted on the way.
//!
//! # Limits
//!
//! Each text field (over all documents) must stay under 4 GiB, each filter field under
//! 65,536 distinct values and the slot count under 2³² − 1; beyond that `upsert` panics.
//! Positions of first occurrences saturate at 255 characters (a longer text is then
//! checked against the stored one). Name lengths in the order saturate at 65,535.

mod index;
mod postings;
pub mod text;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fmt;

pub use index::{DocRef, Index, Stats};

/// One market entity as the index sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Doc {
    /// 18-character unified social credit code; the unique key.
    pub uscc: String,
    /// Registered name, e.g. 荆门市东宝区好味道餐饮店.
    pub name: String,
    /// Legal representative or operator; searched only with [`Query::include_legal_rep`].
    pub legal_rep: String,
    /// Domicile.
    pub address: String,
    /// Division code, e.g. `420802` or township `420802001`.
    pub division_code: String,
    /// `enterprise` | `individual_business` | `cooperative`.
    pub entity_type: String,
    /// `active` | `dormant` | `revoked` | `deregistered` | `cancelled` | `moved_out`.
    pub status: String,
    /// GB/T 4754 code such as `H6210` or `6210`; may be empty.
    pub industry_code: String,
    /// `""` | `abnormal` | `dishonesty`.
    pub listing: String,
}

/// A search request. `Default` is the empty text, no filters, `limit` 20.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Free text; empty (after trimming) matches everything that passes the filters.
    pub text: String,
    /// Whether the legal representative is searched (staff only).
    pub include_legal_rep: bool,
    /// If set, the division code must be one of these (the caller expands jurisdictions).
    pub divisions: Option<HashSet<String>>,
    /// If set, `entity_type` must equal it.
    pub entity_type: Option<String>,
    /// If set, `status` must equal it.
    pub status: Option<String>,
    /// If set, the industry code must start with it.
    pub industry_prefix: Option<String>,
    /// `"abnormal"`, `"dishonesty"` or `"none"` (not listed).
    pub listing: Option<String>,
    /// Page size; the caller clamps it (1..=200). Zero returns only the total.
    pub limit: usize,
    /// Continue strictly after this position.
    pub after: Option<Cursor>,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            include_legal_rep: false,
            divisions: None,
            entity_type: None,
            status: None,
            industry_prefix: None,
            listing: None,
            limit: 20,
            after: None,
        }
    }
}

impl Query {
    /// A query for `text` with no filters and `limit` 20.
    pub fn text(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }
}

/// One page of results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// Number of documents matching text and filters (all pages).
    pub total: usize,
    /// The hits of this page, in order.
    pub hits: Vec<Hit>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// One result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Credit code of the document.
    pub uscc: String,
    /// How it matched (the best way, which decides its tier).
    pub matched: Match,
}

/// How a document matched; [`Match::as_str`] is its snake_case wire form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Match {
    /// Tier 0: the name equals the text.
    ExactName,
    /// Tier 0: the credit code equals the text.
    ExactCode,
    /// Tier 1: the name starts with the text.
    NamePrefix,
    /// Tier 1: the credit code starts with the text.
    CodePrefix,
    /// Tier 2: the name contains the text.
    Name,
    /// Tier 3: pinyin initials of a run of name characters.
    Pinyin,
    /// Tier 4: the legal representative contains the text.
    LegalRep,
    /// Tier 5: the address contains the text.
    Address,
    /// Empty text: every document passing the filters (ordered as tier 2).
    All,
}

impl Match {
    /// The snake_case name: `exact_name`, `exact_code`, `name_prefix`, `code_prefix`,
    /// `name`, `pinyin`, `legal_rep`, `address`, `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            Match::ExactName => "exact_name",
            Match::ExactCode => "exact_code",
            Match::NamePrefix => "name_prefix",
            Match::CodePrefix => "code_prefix",
            Match::Name => "name",
            Match::Pinyin => "pinyin",
            Match::LegalRep => "legal_rep",
            Match::Address => "address",
            Match::All => "all",
        }
    }

    /// The tier of the order (0 best … 5).
    pub fn tier(self) -> u8 {
        match self {
            Match::ExactName | Match::ExactCode => 0,
            Match::NamePrefix | Match::CodePrefix => 1,
            Match::Name | Match::All => 2,
            Match::Pinyin => 3,
            Match::LegalRep => 4,
            Match::Address => 5,
        }
    }
}

impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A position in the result order: the sort key of the last hit of a page.
///
/// Encoded as an opaque URL-safe string (`[0-9a-f]` only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    tier: u8,
    inactive: bool,
    name_len: u16,
    uscc: String,
}

impl Cursor {
    /// The opaque, URL-safe form.
    pub fn encode(&self) -> String {
        let mut s = format!("{}{}{:04x}", self.tier, self.inactive as u8, self.name_len);
        for b in self.uscc.bytes() {
            s.push_str(&format!("{b:02x}"));
        }
        s
    }

    /// Parses [`Cursor::encode`]'s output; `None` for anything else.
    pub fn decode(s: &str) -> Option<Cursor> {
        let b = s.as_bytes();
        let lower_hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
        if b.len() < 6 || !b.len().is_multiple_of(2) || !b[2..].iter().all(lower_hex) {
            return None;
        }
        let tier = (b[0] as char).to_digit(10)? as u8;
        let inactive = match b[1] {
            b'0' => false,
            b'1' => true,
            _ => return None,
        };
        if tier > 5 {
            return None;
        }
        let name_len = u16::from_str_radix(&s[2..6], 16).ok()?;
        let mut bytes = Vec::with_capacity((b.len() - 6) / 2);
        for i in (6..b.len()).step_by(2) {
            bytes.push(u8::from_str_radix(&s[i..i + 2], 16).ok()?);
        }
        let uscc = String::from_utf8(bytes).ok()?;
        Some(Cursor {
            tier,
            inactive,
            name_len,
            uscc,
        })
    }
}
