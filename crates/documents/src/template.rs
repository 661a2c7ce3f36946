//! Templates: the TOML files under `templates/`, their `{placeholder}` fields and the
//! filling in of values.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::date::{parse_iso_date, DateFormat};
use crate::{DocumentError, Fields};

/// A template as written in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    /// The issuing bureau, centred above the title.
    #[serde(default)]
    heading: Option<String>,
    title: String,
    /// The document number line, right-aligned under the title.
    #[serde(default)]
    number: Option<String>,
    /// The addressee (主送), without indent.
    #[serde(default)]
    addressee: Option<String>,
    paragraphs: Vec<String>,
    /// The signing authority, at the bottom right.
    #[serde(default)]
    signature: Option<String>,
    /// The date under the signature.
    #[serde(default)]
    date: Option<String>,
    /// The seal placeholder printed over the signature (not part of the plain text).
    #[serde(default)]
    seal: Option<String>,
    /// Placeholder name → Chinese label.
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

/// One piece of a parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Field {
        name: String,
        format: Option<DateFormat>,
    },
    /// `[[…]]`: printed only when every field inside has a value.
    Optional(Vec<Piece>),
}

/// A text with its placeholders parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text(Vec<Piece>);

/// Field values ready to print, by name (absent: no value).
type Values<'a> = BTreeMap<&'a str, String>;

impl Text {
    fn parse(source: &str) -> Result<Text, String> {
        let mut pieces = Vec::new();
        // The pieces before the open `[[`, while inside one.
        let mut outer: Option<Vec<Piece>> = None;
        let mut literal = String::new();
        let mut chars = source.chars().peekable();
        fn flush(literal: &mut String, pieces: &mut Vec<Piece>) {
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(literal)));
            }
        }
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '[' if chars.peek() == Some(&'[') => {
                    chars.next();
                    if outer.is_some() {
                        return Err("可选段“[[…]]”不能嵌套".to_owned());
                    }
                    flush(&mut literal, &mut pieces);
                    outer = Some(std::mem::take(&mut pieces));
                }
                ']' if chars.peek() == Some(&']') && outer.is_some() => {
                    chars.next();
                    flush(&mut literal, &mut pieces);
                    let group = std::mem::take(&mut pieces);
                    if !group.iter().any(|p| matches!(p, Piece::Field { .. })) {
                        return Err("可选段“[[…]]”中没有字段".to_owned());
                    }
                    pieces = outer.take().unwrap_or_default();
                    pieces.push(Piece::Optional(group));
                }
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => inner.push(c),
                            None => return Err(format!("“{{{inner}”缺少右花括号")),
                        }
                    }
                    let (name, format) = match inner.split_once('|') {
                        Some((name, filter)) => (name.trim(), Some(filter.trim())),
                        None => (inner.trim(), None),
                    };
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    {
                        return Err(format!(
                            "字段名“{name}”无效：只能由小写英文字母、数字和下划线组成"
                        ));
                    }
                    let format = match format {
                        None => None,
                        Some(filter) => Some(DateFormat::from_filter(filter).ok_or_else(|| {
                            format!("字段“{name}”的格式“{filter}”未知（可用 date、cn_date）")
                        })?),
                    };
                    flush(&mut literal, &mut pieces);
                    pieces.push(Piece::Field {
                        name: name.to_owned(),
                        format,
                    });
                }
                '}' => return Err("多余的右花括号“}”（字面的花括号请写成 }}）".to_owned()),
                c => literal.push(c),
            }
        }
        if outer.is_some() {
            return Err("可选段“[[”缺少“]]”".to_owned());
        }
        flush(&mut literal, &mut pieces);
        Ok(Text(pieces))
    }

    /// Every field with its format and whether it is inside an optional group.
    fn fields(&self) -> Vec<(&str, Option<DateFormat>, bool)> {
        fn walk<'a>(
            pieces: &'a [Piece],
            optional: bool,
            out: &mut Vec<(&'a str, Option<DateFormat>, bool)>,
        ) {
            for piece in pieces {
                match piece {
                    Piece::Literal(_) => {}
                    Piece::Field { name, format } => out.push((name, *format, optional)),
                    Piece::Optional(group) => walk(group, true, out),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.0, false, &mut out);
        out
    }

    /// Fills in the values; the caller has checked that required ones are present.
    fn fill(&self, values: &Values<'_>) -> String {
        fn walk(pieces: &[Piece], values: &Values<'_>, out: &mut String) {
            for piece in pieces {
                match piece {
                    // A value that ends a sentence before the template's own full stop
                    // (“…联系。” + “。”) does not double it.
                    Piece::Literal(s) if s.starts_with('。') && out.ends_with('。') => {
                        out.push_str(&s['。'.len_utf8()..]);
                    }
                    Piece::Literal(s) => out.push_str(s),
                    Piece::Field { name, format } => {
                        if let Some(value) = values.get(name.as_str()) {
                            match format.and_then(|f| {
                                parse_iso_date(value).map(|(y, m, d)| f.format(y, m, d))
                            }) {
                                Some(date) => out.push_str(&date),
                                None => out.push_str(value),
                            }
                        }
                    }
                    Piece::Optional(group) => {
                        let complete = group.iter().all(|p| match p {
                            Piece::Field { name, .. } => values.contains_key(name.as_str()),
                            _ => true,
                        });
                        if complete {
                            walk(group, values, out);
                        }
                    }
                }
            }
        }
        let mut out = String::new();
        walk(&self.0, values, &mut out);
        out
    }
}

/// A required field of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    /// The placeholder name (`entity_name`).
    pub name: String,
    /// Its Chinese label (`企业名称`), for forms and error messages.
    pub label: String,
    /// Whether the value must be a date `YYYY-MM-DD`.
    pub is_date: bool,
    /// Whether the document needs it; a field used only inside optional `[[…]]` text
    /// may be left out, and that text is then left out too.
    pub required: bool,
}

/// A parsed, checked template.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    source: String,
    title: String,
    heading: Option<Text>,
    title_text: Text,
    number: Option<Text>,
    addressee: Option<Text>,
    paragraphs: Vec<Text>,
    signature: Option<Text>,
    date: Option<Text>,
    seal: Option<Text>,
    fields: Vec<FieldInfo>,
}

/// A template with its values filled in: the text of each part.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filled {
    pub heading: Option<String>,
    pub title: String,
    pub number: Option<String>,
    pub addressee: Option<String>,
    pub paragraphs: Vec<String>,
    pub signature: Option<String>,
    pub date: Option<String>,
    pub seal: Option<String>,
}

impl Template {
    /// Parses and checks the TOML source of the template `name`.
    pub fn parse(name: &str, source: &str) -> Result<Template, DocumentError> {
        let bad = |reason: String| DocumentError::BadTemplate {
            name: name.to_owned(),
            reason,
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(bad("模板名只能由小写英文字母、数字和下划线组成".to_owned()));
        }
        let file: TemplateFile =
            toml::from_str(source).map_err(|e| bad(format!("TOML 格式错误：{e}")))?;
        if file.title.trim().is_empty() {
            return Err(bad("标题（title）不能为空".to_owned()));
        }
        let parse = |part: &str, s: &str| Text::parse(s).map_err(|e| bad(format!("{part}：{e}")));
        let opt = |part: &str, s: &Option<String>| s.as_deref().map(|s| parse(part, s)).transpose();
        let heading = opt("heading", &file.heading)?;
        let title_text = parse("title", &file.title)?;
        let number = opt("number", &file.number)?;
        let addressee = opt("addressee", &file.addressee)?;
        let paragraphs = file
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| parse(&format!("paragraphs 第{}段", i + 1), p))
            .collect::<Result<Vec<_>, _>>()?;
        let signature = opt("signature", &file.signature)?;
        let date = opt("date", &file.date)?;
        let seal = opt("seal", &file.seal)?;

        let mut template = Template {
            name: name.to_owned(),
            source: source.to_owned(),
            title: file.title.clone(),
            heading,
            title_text,
            number,
            addressee,
            paragraphs,
            signature,
            date,
            seal,
            fields: Vec::new(),
        };
        // The fields in order of first use, each with its label; a date filter on any use
        // makes it a date field, one use outside optional text a required field.
        let mut fields: Vec<FieldInfo> = Vec::new();
        for text in template.texts() {
            for (field, format, optional) in text.fields() {
                if let Some(known) = fields.iter_mut().find(|f| f.name == field) {
                    known.is_date |= format.is_some();
                    known.required |= !optional;
                    continue;
                }
                let label = file
                    .fields
                    .get(field)
                    .ok_or_else(|| bad(format!("字段“{field}”在 [fields] 中没有中文名称")))?;
                fields.push(FieldInfo {
                    name: field.to_owned(),
                    label: label.clone(),
                    is_date: format.is_some(),
                    required: !optional,
                });
            }
        }
        if let Some(unused) = file
            .fields
            .keys()
            .find(|k| !fields.iter().any(|f| &f.name == *k))
        {
            return Err(bad(format!("[fields] 中的“{unused}”在模板中没有用到")));
        }
        template.fields = fields;
        Ok(template)
    }

    fn texts(&self) -> impl Iterator<Item = &Text> {
        self.heading
            .iter()
            .chain(std::iter::once(&self.title_text))
            .chain(self.number.iter())
            .chain(self.addressee.iter())
            .chain(self.paragraphs.iter())
            .chain(self.signature.iter())
            .chain(self.date.iter())
            .chain(self.seal.iter())
    }

    /// The template's name (`abnormal_listing_decision`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The document title as written in the template (`列入经营异常名录决定书`).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The fields the template requires, in order of first use.
    pub fn fields(&self) -> &[FieldInfo] {
        &self.fields
    }

    /// The TOML text the template was parsed from (kept with issued documents so that
    /// they render the same later).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Checks the values and fills them in.
    pub(crate) fn fill(&self, values: &Fields) -> Result<Filled, DocumentError> {
        let mut missing = Vec::new();
        let mut present: Values<'_> = BTreeMap::new();
        for field in &self.fields {
            let value = values.get(&field.name).map(clean_value);
            match value {
                Some(v) if !v.trim().is_empty() => {
                    let v = v.trim().to_owned();
                    if field.is_date && parse_iso_date(&v).is_none() {
                        return Err(DocumentError::BadField {
                            field: field.name.clone(),
                            label: field.label.clone(),
                            reason: format!("“{v}”不是有效日期（应为 2026-07-15 的形式）"),
                        });
                    }
                    present.insert(field.name.as_str(), v);
                }
                _ if field.required => missing.push(field.clone()),
                _ => {}
            }
        }
        if !missing.is_empty() {
            return Err(DocumentError::MissingField {
                fields: missing.iter().map(|f| f.name.clone()).collect(),
                labels: missing.iter().map(|f| f.label.clone()).collect(),
            });
        }
        let fill = |text: &Text| text.fill(&present);
        let opt = |t: &Option<Text>| t.as_ref().map(fill);
        Ok(Filled {
            heading: opt(&self.heading),
            title: fill(&self.title_text),
            number: opt(&self.number),
            addressee: opt(&self.addressee),
            paragraphs: self.paragraphs.iter().map(fill).collect(),
            signature: opt(&self.signature),
            date: opt(&self.date),
            seal: opt(&self.seal),
        })
    }

    #[cfg(test)]
    pub(crate) fn field_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .texts()
            .flat_map(|t| t.fields().into_iter().map(|(name, _, _)| name))
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Line ends become `\n`, tabs spaces, other control characters are dropped.
fn clean_value(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_escapes_parse() {
        let t = Text::parse("{{字面}} {a_1}与{b|cn_date}。").unwrap();
        let names: Vec<&str> = t.fields().into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(names, ["a_1", "b"]);
        let mut values = BTreeMap::new();
        values.insert("a_1", "甲".to_owned());
        values.insert("b", "2026-07-15".to_owned());
        assert_eq!(t.fill(&values), "{字面} 甲与二〇二六年七月十五日。");
    }

    #[test]
    fn optional_text_needs_all_its_fields() {
        let t = Text::parse("我局于{d|date}[[以《决定书》（{n}）]]将你单位列入[[（{x}{y}）]]。")
            .unwrap();
        assert_eq!(
            t.fields(),
            [
                ("d", Some(DateFormat::Arabic), false),
                ("n", None, true),
                ("x", None, true),
                ("y", None, true)
            ]
        );
        let mut values = BTreeMap::new();
        values.insert("d", "2026-03-02".to_owned());
        values.insert("x", "甲".to_owned());
        assert_eq!(t.fill(&values), "我局于2026年3月2日将你单位列入。");
        values.insert("n", "荆市监异列〔2026〕1号".to_owned());
        assert_eq!(
            t.fill(&values),
            "我局于2026年3月2日以《决定书》（荆市监异列〔2026〕1号）将你单位列入。"
        );
        assert!(Text::parse("[[无字段]]").is_err());
        // No doubled full stop when a value ends its sentence.
        values.insert("x", "甲。".to_owned());
        values.insert("y", "乙。".to_owned());
        assert!(t.fill(&values).ends_with("列入（甲。乙。）。"));
        let t = Text::parse("经查，你单位{r}。").unwrap();
        let values = BTreeMap::from([("r", "无法联系。".to_owned())]);
        assert_eq!(t.fill(&values), "经查，你单位无法联系。");
        assert!(Text::parse("[[{a}").is_err());
        assert!(Text::parse("[[[[{a}]]]]").is_err());
        // A lone ]] or single brackets are text.
        assert_eq!(Text::parse("[甲]]").unwrap().fields(), []);
    }

    #[test]
    fn bad_placeholders_are_refused() {
        assert!(Text::parse("{未闭合").is_err());
        assert!(Text::parse("多余}").is_err());
        assert!(Text::parse("{Bad}").is_err());
        assert!(Text::parse("{a|upper}").is_err());
        assert!(Text::parse("{}").is_err());
    }

    #[test]
    fn a_field_without_label_or_a_label_without_field_is_refused() {
        let no_label = "title = \"标题\"\nparagraphs = [\"{x}\"]\n";
        let err = Template::parse("t", no_label).unwrap_err();
        assert_eq!(err.code(), "bad_template");
        assert!(err.to_string().contains("“x”"), "{err}");
        let unused = "title = \"标题\"\nparagraphs = [\"无\"]\n[fields]\ny = \"乙\"\n";
        let err = Template::parse("t", unused).unwrap_err();
        assert!(err.to_string().contains("“y”"), "{err}");
        let unknown_key = "title = \"标题\"\nparagraphs = []\nfooter = \"x\"\n";
        assert_eq!(
            Template::parse("t", unknown_key).unwrap_err().code(),
            "bad_template"
        );
    }

    #[test]
    fn a_bad_date_is_a_bad_field() {
        let src = "title = \"标题\"\nparagraphs = [\"{d|date}\"]\n[fields]\nd = \"日期\"\n";
        let t = Template::parse("t", src).unwrap();
        assert!(t.fields()[0].is_date && t.fields()[0].required);
        let err = t.fill(&Fields::new().with("d", "2026-02-30")).unwrap_err();
        assert_eq!(err.code(), "bad_field");
        assert!(err.to_string().contains("日期"), "{err}");
        let ok = t.fill(&Fields::new().with("d", " 2026-02-28 ")).unwrap();
        assert_eq!(ok.paragraphs, ["2026年2月28日"]);
    }

    #[test]
    fn values_lose_control_characters() {
        assert_eq!(clean_value("a\r\nb\tc\u{7}d"), "a\nb cd");
    }
}
