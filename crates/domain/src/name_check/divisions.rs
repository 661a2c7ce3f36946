//! The division names (行政区划名称) the parser recognises in a name.
//!
//! The caller supplies them (storage has the division table): at least the province,
//! the city and its counties; names of other county-level divisions make the
//! `trade_name_is_division` rule catch more. A name may use a division's full name
//! (荆门市) or its short form without the level word (荆门), as registration practice
//! does; township-level names (镇, 乡, 街道) are not divisions in the sense of 规定 Art 7
//! and are ignored.

use std::collections::HashMap;

use serde::Serialize;

use crate::division::{DivisionCode, DivisionLevel};

/// Level words stripped to form the short name; longest first.
const LEVEL_SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
];

/// Name endings of township-level units.
const TOWNSHIP_SUFFIXES: &[&str] = &["镇", "乡", "街道", "办事处"];

/// A division as it appears in a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DivisionPart {
    /// The text as written in the name (荆门 or 荆门市).
    pub text: String,
    /// The division's full name (荆门市).
    pub name: String,
    /// Its code, when the caller supplied one.
    pub code: Option<DivisionCode>,
}

impl DivisionPart {
    /// Whether this is a 市辖区 (a county-level 区 other than a 林区).
    #[must_use]
    pub fn is_city_district(&self) -> bool {
        self.code
            .as_ref()
            .is_some_and(|c| c.level() == DivisionLevel::County)
            && self.name.ends_with('区')
            && !self.name.ends_with("林区")
    }

    /// The codes of the city (or, for municipalities, the province) that must precede a
    /// 市辖区.
    pub(super) fn parent_codes(&self) -> Vec<String> {
        self.code
            .as_ref()
            .map(|c| {
                let s = c.as_str();
                vec![format!("{}00", &s[..4]), format!("{}0000", &s[..2])]
            })
            .unwrap_or_default()
    }
}

/// The set of division names the parser recognises, built once by the caller.
#[derive(Debug, Clone, Default)]
pub struct Divisions {
    by_text: HashMap<String, DivisionPart>,
    max_chars: usize,
}

impl Divisions {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A set from `(name, code)` pairs; see [`Divisions::insert`].
    pub fn from_rows<I, S>(rows: I) -> Self
    where
        I: IntoIterator<Item = (S, Option<DivisionCode>)>,
        S: AsRef<str>,
    {
        let mut divisions = Self::new();
        for (name, code) in rows {
            divisions.insert(name.as_ref(), code);
        }
        divisions
    }

    /// Adds a division by its full name and, if known, its code. Township-level units
    /// (a 9-digit code, or a name ending in 镇/乡/街道) are ignored. The short form
    /// without the level word (荆门 for 荆门市) is added too when it keeps at least two
    /// characters and no other division already uses it. A full name always wins over
    /// another division's short form.
    pub fn insert(&mut self, name: &str, code: Option<DivisionCode>) {
        let name = name.trim();
        if name.chars().count() < 2
            || code
                .as_ref()
                .is_some_and(|c| c.level() == DivisionLevel::Township)
            || TOWNSHIP_SUFFIXES.iter().any(|s| name.ends_with(s))
        {
            return;
        }
        let part = |text: &str| DivisionPart {
            text: text.to_owned(),
            name: name.to_owned(),
            code: code.clone(),
        };
        self.by_text.insert(name.to_owned(), part(name));
        self.max_chars = self.max_chars.max(name.chars().count());
        if let Some(short) = LEVEL_SUFFIXES
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .filter(|short| short.chars().count() >= 2)
        {
            self.by_text
                .entry(short.to_owned())
                .or_insert_with(|| part(short));
        }
    }

    /// The division written exactly as `text` (full or short form).
    #[must_use]
    pub fn get(&self, text: &str) -> Option<&DivisionPart> {
        self.by_text.get(text)
    }

    /// Whether `text` is a division's full or short name.
    #[must_use]
    pub fn contains(&self, text: &str) -> bool {
        self.by_text.contains_key(text)
    }

    /// Number of recognised spellings (full and short forms).
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_text.len()
    }

    /// Whether no division is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_text.is_empty()
    }

    /// The longest division at the start of `text`, with its length in bytes.
    pub(super) fn longest_prefix(&self, text: &str) -> Option<(&DivisionPart, usize)> {
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(self.max_chars)
            .collect();
        ends.iter()
            .rev()
            .find_map(|&end| self.by_text.get(&text[..end]).map(|part| (part, end)))
    }

    /// Every division written anywhere in `text`, with its byte offset (for the
    /// unbracketed mid-name check).
    pub(super) fn find_in<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, &'a DivisionPart)> {
        text.char_indices().filter_map(move |(start, _)| {
            self.longest_prefix(&text[start..])
                .map(|(part, _)| (start, part))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Option<DivisionCode> {
        Some(DivisionCode::parse(s).unwrap())
    }

    #[test]
    fn full_and_short_names() {
        let d = Divisions::from_rows([
            ("湖北省", code("420000")),
            ("荆门市", code("420800")),
            ("东宝区", code("420802")),
            ("龙泉街道", code("420802001")),
            ("子陵铺镇", None),
            ("市", None),
        ]);
        assert!(d.contains("荆门市"));
        assert!(d.contains("荆门"));
        assert!(d.contains("湖北"));
        assert!(d.contains("东宝"));
        assert!(!d.contains("龙泉街道"));
        assert!(!d.contains("子陵铺镇"));
        assert!(!d.contains("市"));
        assert_eq!(d.get("荆门").unwrap().name, "荆门市");
        assert!(d.get("东宝区").unwrap().is_city_district());
        assert!(!d.get("荆门市").unwrap().is_city_district());
        let (part, len) = d.longest_prefix("荆门市东宝区好味道").unwrap();
        assert_eq!(part.text, "荆门市");
        assert_eq!(len, "荆门市".len());
        assert!(d.longest_prefix("好味道").is_none());
        let found: Vec<(usize, &str)> = d
            .find_in("好味道荆门餐饮")
            .map(|(at, p)| (at, p.text.as_str()))
            .collect();
        assert_eq!(found, [("好味道".len(), "荆门")]);
    }

    #[test]
    fn a_full_name_wins_over_a_short_form() {
        let mut d = Divisions::new();
        d.insert("吉林省", code("220000"));
        d.insert("吉林市", code("220200"));
        d.insert("吉林", None);
        assert_eq!(d.get("吉林").unwrap().name, "吉林");
        assert_eq!(d.get("吉林市").unwrap().code, code("220200"));
    }
}
