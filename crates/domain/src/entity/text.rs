//! Text normalisation shared by the label parsers of this module, and the `{code,
//! message}` serialisation of its errors.

use serde::ser::SerializeStruct;
use serde::Serializer;

/// Normalises a label from a spreadsheet cell so that the spellings found in exports
/// compare equal:
/// - every whitespace character (including U+3000 and non-breaking space) is removed;
/// - full-width ASCII forms (U+FF01…U+FF5E, e.g. `（` `）` `，` `１`) become half-width;
/// - the separators `、` `;` and `；` become `,`; `【】〔〕[]` become `()`;
/// - ASCII letters are lower-cased.
pub(super) fn normalize_label(input: &str) -> String {
    normalized_chars(input).collect()
}

/// The characters of [`normalize_label`], without allocating.
pub(super) fn normalized_chars(input: &str) -> impl Iterator<Item = char> + '_ {
    input
        .chars()
        .filter(|&c| !(c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}'))
        .map(|c| match to_half_width(c) {
            '、' | ';' => ',',
            '【' | '〔' | '[' => '(',
            '】' | '〕' | ']' => ')',
            other => other.to_ascii_lowercase(),
        })
}

/// Whether `label` normalises to the already normalised `key`.
pub(super) fn matches_normalized(label: &str, key: &str) -> bool {
    normalized_chars(label).eq(key.chars())
}

/// Full-width ASCII form (U+FF01…U+FF5E) to its half-width character; others unchanged.
pub(super) fn to_half_width(c: char) -> char {
    let code = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&code) {
        char::from_u32(code - 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

/// Serialises an error as `{"code": …, "message": …}`.
pub(super) fn serialize_code_message<S: Serializer>(
    serializer: S,
    name: &'static str,
    code: &str,
    message: &str,
) -> Result<S::Ok, S::Error> {
    let mut state = serializer.serialize_struct(name, 2)?;
    state.serialize_field("code", code)?;
    state.serialize_field("message", message)?;
    state.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize_label(" 有限责任公司（自然人投资或控股） "),
            "有限责任公司(自然人投资或控股)"
        );
        assert_eq!(
            normalize_label("存续（在营、开业、在册）"),
            "存续(在营,开业,在册)"
        );
        assert_eq!(normalize_label("吊销，未注销"), "吊销,未注销");
        assert_eq!(
            normalize_label("Individual_Business"),
            "individual_business"
        );
        assert_eq!(normalize_label("\u{3000}企 业\u{a0}"), "企业");
        assert_eq!(normalize_label("【上市】"), "(上市)");
        assert_eq!(to_half_width('９'), '9');
        assert_eq!(to_half_width('中'), '中');
        assert!(matches_normalized(
            "外国（地区）公司分支机构",
            "外国(地区)公司分支机构"
        ));
        assert!(!matches_normalized(
            "外国（地区）公司分支机构",
            "外国(地区)公司"
        ));
    }
}
