//! The embedded font and the PDF writer: one CID-keyed TrueType font (Identity-H), subset
//! to the glyphs the document uses, with a ToUnicode map so that text can be extracted.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::layout::{Geometry, Glyph, Ink, Line, Shaper};

/// The font file: WenQuanYi Micro Hei subset to GB 2312 (scripts/make-font-subset.sh).
pub(crate) static FONT_DATA: &[u8] = include_bytes!("../fonts/wqy-microhei-gb2312.ttf");

/// Drawn for characters the font lacks.
pub(crate) const REPLACEMENT: char = '□';

/// The parsed embedded font.
#[derive(Clone)]
pub(crate) struct Font {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    upem: f32,
    replacement: u16,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("bytes", &self.data.len())
            .field("glyphs", &self.face.number_of_glyphs())
            .finish()
    }
}

impl Font {
    pub(crate) fn new(data: &'static [u8]) -> Result<Font, String> {
        let face =
            ttf_parser::Face::parse(data, 0).map_err(|e| format!("字体文件无法解析：{e}"))?;
        let upem = f32::from(face.units_per_em());
        let replacement = face.glyph_index(REPLACEMENT).map_or(0, |g| g.0);
        Ok(Font {
            data,
            face,
            upem,
            replacement,
        })
    }

    fn advance(&self, gid: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0),
        ) / self.upem
    }

    /// Whether the font has a glyph for `ch`.
    #[cfg(test)]
    pub(crate) fn covers(&self, ch: char) -> bool {
        self.face.glyph_index(ch).is_some()
    }
}

impl Shaper for Font {
    fn shape(&self, ch: char) -> Glyph {
        match self.face.glyph_index(ch) {
            Some(g) => Glyph {
                ch,
                gid: g.0,
                advance: self.advance(g.0),
                fallback: false,
            },
            None => Glyph {
                ch,
                gid: self.replacement,
                // The replacement takes a full em, like a CJK character.
                advance: self.advance(self.replacement).max(1.0),
                fallback: true,
            },
        }
    }
}

const FONT_NAME: &str = "WenQuanYiMicroHei";

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Six capital letters naming the subset (PDF 32000 §9.6.4), from the glyphs it holds.
fn subset_tag(glyphs: &[u16]) -> String {
    // FNV-1a: deterministic, no dependency.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in glyphs {
        for b in g.to_be_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect()
}

/// Writes the pages as a PDF. Bold lines are drawn with a thin outline.
pub(crate) fn write_pdf(
    pages: &[Vec<Line>],
    font: &Font,
    geometry: &Geometry,
    title: &str,
) -> Result<Vec<u8>, String> {
    // The subset: old glyph ids in order of first use; the new id is the CID.
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut to_unicode: BTreeMap<u16, char> = BTreeMap::new();
    for glyph in pages.iter().flatten().flat_map(|l| &l.glyphs) {
        let cid = remapper.remap(glyph.gid);
        let ch = if glyph.fallback {
            REPLACEMENT
        } else {
            glyph.ch
        };
        if glyph.gid != 0 {
            to_unicode.entry(cid).or_insert(ch);
        }
    }
    let subset =
        subsetter::subset(font.data, 0, &remapper).map_err(|e| format!("字体子集化失败：{e}"))?;
    let old_gids: Vec<u16> = remapper.remapped_gids().collect();
    let base_font = format!("{}+{FONT_NAME}", subset_tag(&old_gids));

    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let tree_id = alloc.bump();
    let type0_id = alloc.bump();
    let cid_id = alloc.bump();
    let descriptor_id = alloc.bump();
    let cmap_id = alloc.bump();
    let file_id = alloc.bump();
    let info_id = alloc.bump();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc.bump(), alloc.bump())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id)
        .pages(tree_id)
        .lang(TextStr("zh-CN"));
    pdf.document_info(info_id)
        .title(TextStr(title))
        .creator(TextStr("shijian 市监"))
        .producer(TextStr("shijian-documents"));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(pages.len()).map_err(|_| "页数过多".to_owned())?);

    // Fonts.
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(type0_id)
        .base_font(Name(base_font.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);
    let widths: Vec<f32> = old_gids
        .iter()
        .map(|&g| (font.advance(g) * 1000.0).round())
        .collect();
    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(Name(base_font.as_bytes()))
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .default_width(1000.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();

    let scale = 1000.0 / font.upem;
    let bbox = font.face.global_bounding_box();
    let ascent = f32::from(font.face.ascender()) * scale;
    let descent = f32::from(font.face.descender()) * scale;
    pdf.font_descriptor(descriptor_id)
        .name(Name(base_font.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(
            font.face
                .capital_height()
                .map_or(ascent, |h| f32::from(h) * scale),
        )
        .stem_v(80.0)
        .font_file2(file_id);

    let mut cmap = UnicodeCmap::new(
        Name(b"Shijian-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (cid, ch) in &to_unicode {
        cmap.pair(*cid, *ch);
    }
    let cmap_data = deflate(cmap.finish().as_slice());
    pdf.cmap(cmap_id, &cmap_data)
        .name(Name(b"Shijian-UCS"))
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        })
        .filter(Filter::FlateDecode);

    let font_data = deflate(&subset);
    pdf.stream(file_id, &font_data)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(subset.len()).map_err(|_| "字体过大".to_owned())?,
        );

    // Pages.
    for (lines, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        let mut content = Content::new();
        for line in lines {
            content.begin_text();
            match line.ink {
                Ink::Black => {
                    content.set_fill_gray(0.0);
                    content.set_stroke_gray(0.0);
                }
                Ink::Red => {
                    content.set_fill_rgb(0.85, 0.1, 0.1);
                    content.set_stroke_rgb(0.85, 0.1, 0.1);
                }
            }
            if line.bold {
                content.set_text_rendering_mode(TextRenderingMode::FillStroke);
                content.set_line_width(line.size * 0.025);
            } else {
                content.set_text_rendering_mode(TextRenderingMode::Fill);
            }
            content.set_font(Name(b"F1"), line.size);
            content.set_char_spacing(line.char_spacing);
            content.set_text_matrix([1.0, 0.0, 0.0, 1.0, line.x, line.baseline]);
            let mut run: Vec<u8> = Vec::new();
            for glyph in &line.glyphs {
                let cid = remapper.get(glyph.gid).unwrap_or(0);
                if glyph.fallback {
                    if !run.is_empty() {
                        content.show(Str(&run));
                        run.clear();
                    }
                    // The real character for extraction; the replacement glyph for the eye.
                    let actual = glyph.ch.to_string();
                    content
                        .begin_marked_content_with_properties(Name(b"Span"))
                        .properties()
                        .actual_text(TextStr(&actual));
                    content.show(Str(&cid.to_be_bytes()));
                    content.end_marked_content();
                } else {
                    run.extend_from_slice(&cid.to_be_bytes());
                }
            }
            if !run.is_empty() {
                content.show(Str(&run));
            }
            content.end_text();
        }
        let content_data = deflate(&content.finish());
        pdf.stream(*content_id, &content_data)
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(
            0.0,
            0.0,
            geometry.page_width,
            geometry.page_height,
        ))
        .parent(tree_id)
        .contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), type0_id);
        page.finish();
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_covers_gb2312_and_punctuation() {
        let font = Font::new(FONT_DATA).unwrap();
        for ch in
            "荆门市市场监督管理局列入经营异常名录决定书〔〕。，、；：（）《》“”—…□0123456789ABCxyz"
                .chars()
        {
            assert!(font.covers(ch), "{ch} missing");
        }
        assert!(!font.covers('𠀀'));
        assert_ne!(font.replacement, 0);
        let g = font.shape('𠀀');
        assert!(g.fallback);
        assert_eq!(g.gid, font.replacement);
        // CJK characters are one em wide in this font.
        assert!((font.shape('荆').advance - 1.0).abs() < 0.01);
    }

    #[test]
    fn subset_tags_are_six_capitals_and_depend_on_the_glyphs() {
        let a = subset_tag(&[0, 5, 9]);
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_ne!(a, subset_tag(&[0, 5, 10]));
    }
}
