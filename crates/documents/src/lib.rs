//! Printable documents: PDF decisions and notices made from templates kept as files.
//!
//! This crate owns
//! - the **templates** (`templates/*.toml`, one per document kind, embedded at build time;
//!   an administrator may override or add templates from a directory with
//!   [`Engine::with_dir`]): the wording of each document with `{field}` placeholders,
//!   optional `[[…]]` text and the Chinese label of every field; an issued document can
//!   keep its template text ([`Engine::source_of`]) and render from it years later
//!   ([`Engine::render_source`]);
//! - the **layout** of an official document on A4 (GB/T 9704-like margins, 22-point
//!   centred title, 16-point body with two-character first-line indent, CJK line
//!   breaking, signature and date at the bottom right, page numbers when longer than one
//!   page);
//! - the **PDF** writer, with the embedded Chinese font (WenQuanYi Micro Hei subset to
//!   GB 2312, `fonts/`) subset again to the glyphs of each document and a ToUnicode map,
//!   so that `pdftotext` and search engines read the Chinese text.
//!
//! It does not own document numbers (the caller allocates `荆市监异列〔2026〕3号` and
//! passes it as a field), storage of the PDFs, nor the business rules that decide what a
//! document says (reasons and legal bases come in as fields). No I/O except
//! [`Engine::with_dir`]; nothing is downloaded.
//!
//! ```
//! use shijian_documents::{Engine, Fields};
//! let engine = Engine::embedded();
//! let fields: Fields = engine
//!     .fields_of("simplified_deregistration_notice")
//!     .unwrap()
//!     .iter()
//!     .map(|f| (f.name.clone(), if f.is_date { "2026-07-15" } else { "示例" }))
//!     .collect();
//! let doc = engine.render("simplified_deregistration_notice", &fields).unwrap();
//! assert!(doc.pdf.starts_with(b"%PDF-"));
//! assert!(doc.text.contains("准予简易注销登记通知书"));
//! ```

mod date;
mod layout;
mod pdf;
mod template;

use std::collections::BTreeMap;
use std::path::Path;

pub use date::{format_date, format_date_cn};
pub use template::{FieldInfo, Template};

use layout::{Align, Block, Geometry, Ink, Section, Shaper};

/// The templates compiled into the binary. Adding a file to `templates/` means adding it
/// here too (a test checks that both agree).
const EMBEDDED: &[(&str, &str)] = &[
    (
        "abnormal_listing_decision",
        include_str!("../templates/abnormal_listing_decision.toml"),
    ),
    (
        "abnormal_removal_decision",
        include_str!("../templates/abnormal_removal_decision.toml"),
    ),
    (
        "simplified_deregistration_notice",
        include_str!("../templates/simplified_deregistration_notice.toml"),
    ),
];

/// Errors of the document engine; each has a stable [`code`](DocumentError::code) and a
/// Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// No template of that name.
    #[error("没有名为“{0}”的文书模板")]
    UnknownTemplate(String),
    /// Required fields are absent or empty.
    #[error("缺少必填字段：{}", describe(.fields, .labels))]
    MissingField {
        /// Placeholder names, in template order.
        fields: Vec<String>,
        /// Their Chinese labels, in the same order.
        labels: Vec<String>,
    },
    /// A field value is unusable (a date that is not a date).
    #[error("字段“{label}”（{field}）的值无效：{reason}")]
    BadField {
        field: String,
        label: String,
        reason: String,
    },
    /// A template file is malformed.
    #[error("文书模板“{name}”有误：{reason}")]
    BadTemplate { name: String, reason: String },
    /// The PDF could not be produced.
    #[error("生成 PDF 文书失败：{0}")]
    RenderFailed(String),
}

fn describe(fields: &[String], labels: &[String]) -> String {
    fields
        .iter()
        .zip(labels)
        .map(|(f, l)| format!("{l}（{f}）"))
        .collect::<Vec<_>>()
        .join("、")
}

impl DocumentError {
    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::UnknownTemplate(_) => "unknown_template",
            DocumentError::MissingField { .. } => "missing_field",
            DocumentError::BadField { .. } => "bad_field",
            DocumentError::BadTemplate { .. } => "bad_template",
            DocumentError::RenderFailed(_) => "render_failed",
        }
    }
}

/// Field values by placeholder name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    /// Sets a value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.insert(name.into(), value.into());
        self
    }

    /// Sets a value, builder style.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Fields {
        self.insert(name, value);
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Fields {
        Fields(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl From<BTreeMap<String, String>> for Fields {
    fn from(map: BTreeMap<String, String>) -> Fields {
        Fields(map)
    }
}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// The plain text (one line per title line and paragraph), for search and the audit
    /// trail. The seal placeholder is not part of it.
    pub text: String,
    /// Number of pages.
    pub pages: usize,
    /// Things a person should check, in Chinese (characters the font lacks).
    pub warnings: Vec<String>,
}

/// The document engine: templates and the font. Cheap to clone; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Engine {
    templates: BTreeMap<String, Template>,
    font: pdf::Font,
}

// A4 and the margins of GB/T 9704-2012 (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm).
const MM: f32 = 72.0 / 25.4;
const GEOMETRY: Geometry = Geometry {
    page_width: 210.0 * MM,
    page_height: 297.0 * MM,
    top: 37.0 * MM,
    bottom: 35.0 * MM,
    left: 28.0 * MM,
    right: 26.0 * MM,
};
/// 二号 (22 pt) for the heading and title, 三号 (16 pt) for the body, 四号 (14 pt) page
/// numbers.
const TITLE_SIZE: f32 = 22.0;
const BODY_SIZE: f32 = 16.0;
const PAGE_NUMBER_SIZE: f32 = 14.0;
/// About 23 lines in the 225 mm type area (GB/T 9704 has 22 of 3-point-narrower type).
const BODY_PITCH: f32 = 28.0;
const TITLE_PITCH: f32 = 34.0;

impl Engine {
    /// The engine with the templates and the font compiled into the binary.
    ///
    /// # Panics
    /// If an embedded template or the font is broken: the crate's tests parse them all,
    /// so this cannot happen in a tested build.
    pub fn embedded() -> Engine {
        let templates = EMBEDDED
            .iter()
            .map(|(name, source)| {
                let template = Template::parse(name, source)
                    .unwrap_or_else(|e| panic!("embedded template {name}: {e}"));
                ((*name).to_owned(), template)
            })
            .collect();
        let font = pdf::Font::new(pdf::FONT_DATA).expect("embedded font");
        Engine { templates, font }
    }

    /// The engine with the embedded templates and font, built once per process and shared.
    pub fn shared() -> &'static Engine {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(Engine::embedded)
    }

    /// The embedded templates, overridden or extended by the `*.toml` files of `dir`
    /// (file name without `.toml` = template name). A broken file is a `bad_template`
    /// error naming it; nothing is loaded then.
    pub fn with_dir(dir: &Path) -> Result<Engine, DocumentError> {
        let mut engine = Engine::embedded();
        let entries = std::fs::read_dir(dir).map_err(|e| DocumentError::BadTemplate {
            name: dir.display().to_string(),
            reason: format!("无法读取模板目录：{e}"),
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            let source =
                std::fs::read_to_string(&path).map_err(|e| DocumentError::BadTemplate {
                    name: name.clone(),
                    reason: format!("无法读取 {}：{e}", path.display()),
                })?;
            let template = Template::parse(&name, &source)?;
            engine.templates.insert(name, template);
        }
        Ok(engine)
    }

    /// Names of the templates, sorted.
    pub fn template_names(&self) -> Vec<&str> {
        self.templates.keys().map(String::as_str).collect()
    }

    /// The template `name`.
    pub fn template(&self, name: &str) -> Result<&Template, DocumentError> {
        self.templates
            .get(name)
            .ok_or_else(|| DocumentError::UnknownTemplate(name.to_owned()))
    }

    /// The fields `name` requires, in order of first use.
    pub fn fields_of(&self, name: &str) -> Result<&[FieldInfo], DocumentError> {
        Ok(self.template(name)?.fields())
    }

    /// The TOML text of the template `name`, to keep with an issued document.
    pub fn source_of(&self, name: &str) -> Result<&str, DocumentError> {
        Ok(self.template(name)?.source())
    }

    /// Fills in the template `name` and lays it out as a PDF.
    pub fn render(&self, name: &str, fields: &Fields) -> Result<Rendered, DocumentError> {
        self.render_template(self.template(name)?, fields)
    }

    /// Renders from a template text kept elsewhere (the text a document was issued
    /// with), whatever the current template files say. `name` is used in error messages.
    pub fn render_source(
        &self,
        name: &str,
        source: &str,
        fields: &Fields,
    ) -> Result<Rendered, DocumentError> {
        self.render_template(&Template::parse(name, source)?, fields)
    }

    /// Fills in `template` and lays it out as a PDF.
    pub fn render_template(
        &self,
        template: &Template,
        fields: &Fields,
    ) -> Result<Rendered, DocumentError> {
        let filled = template.fill(fields)?;
        let shaper: &dyn Shaper = &self.font;

        let body = |text: String, indent: bool, space_before: f32| Block {
            text,
            size: BODY_SIZE,
            pitch: BODY_PITCH,
            align: Align::Justify,
            first_indent: if indent { 2.0 * BODY_SIZE } else { 0.0 },
            space_before,
            ink: Ink::Black,
            bold: false,
        };
        let mut sections = Vec::new();
        let mut head = Vec::new();
        if let Some(heading) = &filled.heading {
            head.push(Block {
                text: heading.clone(),
                size: TITLE_SIZE,
                pitch: TITLE_PITCH,
                align: Align::Center,
                first_indent: 0.0,
                space_before: 0.0,
                ink: Ink::Black,
                bold: true,
            });
        }
        head.push(Block {
            text: filled.title.clone(),
            size: TITLE_SIZE,
            pitch: TITLE_PITCH,
            align: Align::Center,
            first_indent: 0.0,
            space_before: 0.0,
            ink: Ink::Black,
            bold: true,
        });
        if let Some(number) = &filled.number {
            head.push(Block {
                text: number.clone(),
                size: BODY_SIZE,
                pitch: BODY_PITCH,
                align: Align::Right { indent: 0.0 },
                first_indent: 0.0,
                space_before: 6.0,
                ink: Ink::Black,
                bold: false,
            });
        }
        sections.push(Section {
            blocks: head,
            keep_together: true,
            keep_with_previous: 0,
        });
        // One empty line between the head and the addressee.
        let mut first_space = BODY_PITCH;
        if let Some(addressee) = &filled.addressee {
            sections.push(Section {
                blocks: vec![body(addressee.clone(), false, first_space)],
                keep_together: false,
                keep_with_previous: 0,
            });
            first_space = 0.0;
        }
        for paragraph in &filled.paragraphs {
            sections.push(Section {
                blocks: vec![body(paragraph.clone(), true, first_space)],
                keep_together: false,
                keep_with_previous: 0,
            });
            first_space = 0.0;
        }
        // Signature block: the date 4 characters from the right margin (GB/T 9704), the
        // authority and the seal placeholder centred over the date.
        let width = GEOMETRY.text_width();
        let date_indent = 4.0 * BODY_SIZE;
        let anchor = match &filled.date {
            Some(date) => width - date_indent - layout::measure(date, BODY_SIZE, shaper) / 2.0,
            None => width - date_indent - 4.0 * BODY_SIZE,
        };
        let mut sign = Vec::new();
        let mut space = BODY_PITCH;
        if let Some(seal) = &filled.seal {
            sign.push(Block {
                text: seal.clone(),
                size: BODY_SIZE,
                pitch: BODY_PITCH,
                align: Align::CenterAt { x: anchor },
                first_indent: 0.0,
                space_before: 0.0,
                ink: Ink::Red,
                bold: false,
            });
            space = 0.0;
        }
        if let Some(signature) = &filled.signature {
            sign.push(Block {
                text: signature.clone(),
                size: BODY_SIZE,
                pitch: BODY_PITCH,
                align: Align::CenterAt { x: anchor },
                first_indent: 0.0,
                space_before: space,
                ink: Ink::Black,
                bold: false,
            });
            space = 0.0;
        }
        if let Some(date) = &filled.date {
            sign.push(Block {
                text: date.clone(),
                size: BODY_SIZE,
                pitch: BODY_PITCH,
                align: Align::Right {
                    indent: date_indent,
                },
                first_indent: 0.0,
                space_before: space,
                ink: Ink::Black,
                bold: false,
            });
        }
        if !sign.is_empty() {
            sections.push(Section {
                blocks: sign,
                keep_together: true,
                // GB/T 9704: no page with the signature alone.
                keep_with_previous: 2,
            });
        }

        let mut pages = layout::layout(&sections, &GEOMETRY, shaper);
        // Page numbers “— 1 —”, 7 mm under the type area, when there is more than one page.
        if pages.len() > 1 {
            let baseline = GEOMETRY.bottom - 7.0 * MM - PAGE_NUMBER_SIZE * 0.88;
            for (i, page) in pages.iter_mut().enumerate() {
                let text = format!("— {} —", i + 1);
                let w = layout::measure(&text, PAGE_NUMBER_SIZE, shaper);
                page.push(layout::Line {
                    x: GEOMETRY.left + (width - w) / 2.0,
                    baseline,
                    size: PAGE_NUMBER_SIZE,
                    char_spacing: 0.0,
                    glyphs: text.chars().map(|c| shaper.shape(c)).collect(),
                    ink: Ink::Black,
                    bold: false,
                });
            }
        }

        let mut warnings: Vec<String> = Vec::new();
        for glyph in pages.iter().flatten().flat_map(|l| &l.glyphs) {
            if glyph.fallback {
                let warning = format!(
                    "字库中没有字符“{}”（U+{:04X}），PDF 中以“{}”代替显示",
                    glyph.ch,
                    u32::from(glyph.ch),
                    pdf::REPLACEMENT
                );
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
        }

        let pdf = pdf::write_pdf(&pages, &self.font, &GEOMETRY, &filled.title)
            .map_err(DocumentError::RenderFailed)?;

        let mut text = Vec::new();
        text.extend(filled.heading.clone());
        text.push(filled.title.clone());
        text.extend(filled.number.clone());
        text.push(String::new());
        text.extend(filled.addressee.clone());
        text.extend(filled.paragraphs.iter().cloned());
        text.push(String::new());
        text.extend(filled.signature.clone());
        text.extend(filled.date.clone());
        Ok(Rendered {
            pdf,
            text: text.join("\n") + "\n",
            pages: pages.len(),
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_matches_the_templates_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| p.file_stem().unwrap().to_str().unwrap().to_owned())
            .collect();
        on_disk.sort();
        assert_eq!(Engine::embedded().template_names(), on_disk);
    }

    #[test]
    fn every_embedded_template_parses_with_labelled_fields() {
        let engine = Engine::embedded();
        for name in engine.template_names() {
            let template = engine.template(name).unwrap();
            let names: Vec<&str> = template.fields().iter().map(|f| f.name.as_str()).collect();
            let mut used = template.field_names();
            used.sort();
            used.dedup();
            let mut listed = names.clone();
            listed.sort();
            assert_eq!(used, listed, "{name}");
            for f in template.fields() {
                assert!(!f.label.is_empty());
                assert!(!f.label.is_ascii(), "{name}.{} label not Chinese", f.name);
            }
        }
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(
            DocumentError::UnknownTemplate("x".into()).code(),
            "unknown_template"
        );
        let e = DocumentError::MissingField {
            fields: vec!["uscc".into(), "entity_name".into()],
            labels: vec!["统一社会信用代码".into(), "企业名称".into()],
        };
        assert_eq!(e.code(), "missing_field");
        assert_eq!(
            e.to_string(),
            "缺少必填字段：统一社会信用代码（uscc）、企业名称（entity_name）"
        );
        assert_eq!(
            DocumentError::RenderFailed("x".into()).code(),
            "render_failed"
        );
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Engine>();
    }
}
