//! Line breaking and pagination of Chinese text, independent of PDF.
//!
//! Text breaks between any two CJK characters, never inside a run of ASCII letters and
//! digits (a credit code or a year stays whole), never before closing punctuation
//! (。，、；：）」》…) and never after opening punctuation (（「《…). Full lines of a
//! justified paragraph are stretched by character spacing so that the right edge is even.

/// A character as the font will draw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    /// The character it stands for (for the text layer and the ToUnicode map).
    pub ch: char,
    /// The glyph id in the (unsubset) font.
    pub gid: u16,
    /// Advance width in em.
    pub advance: f32,
    /// The font lacks `ch`; a replacement glyph is drawn.
    pub fallback: bool,
}

/// Maps characters to glyphs.
pub(crate) trait Shaper {
    fn shape(&self, ch: char) -> Glyph;
}

/// Colour of a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Ink {
    Black,
    /// The seal placeholder.
    Red,
}

/// How lines of a block sit between the margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Align {
    /// Left, the first line indented by `first_indent`; full lines stretched to the width.
    Justify,
    Center,
    /// Right edge `indent` points left of the right margin.
    Right {
        indent: f32,
    },
    /// Centred on `x` points from the left margin (kept inside the margins).
    CenterAt {
        x: f32,
    },
}

/// One paragraph or line of the document.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub text: String,
    /// Font size in points.
    pub size: f32,
    /// Distance between baselines in points.
    pub pitch: f32,
    pub align: Align,
    pub first_indent: f32,
    /// Vertical space before the block (dropped at the top of a page).
    pub space_before: f32,
    pub ink: Ink,
    /// Drawn heavier (titles).
    pub bold: bool,
}

/// Blocks that share a page when possible (`keep_together`) or flow freely.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub blocks: Vec<Block>,
    pub keep_together: bool,
    /// When a kept-together section goes to a new page, this many lines of the section
    /// before it go along (at least one line stays behind).
    pub keep_with_previous: usize,
}

/// A placed line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Start of the text, points from the page's left edge.
    pub x: f32,
    /// Baseline, points from the page's bottom edge.
    pub baseline: f32,
    pub size: f32,
    /// Extra space after each glyph (PDF `Tc`), points.
    pub char_spacing: f32,
    pub glyphs: Vec<Glyph>,
    pub ink: Ink,
    pub bold: bool,
}

/// The page geometry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub page_width: f32,
    pub page_height: f32,
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

impl Geometry {
    pub fn text_width(&self) -> f32 {
        self.page_width - self.left - self.right
    }
}

/// Characters that must not begin a line.
fn no_line_start(c: char) -> bool {
    "。，、；：？！）」』》〕】〉’”…—·～%‰℃.,;:?!)]}".contains(c)
}

/// Characters that must not end a line.
fn no_line_end(c: char) -> bool {
    "（「『《〔【〈‘“([{".contains(c)
}

/// Letters and digits that form unbreakable words together.
fn wordlike(c: char) -> bool {
    c.is_ascii_graphic()
}

/// Whether a line may break between `a` and `b`.
fn may_break(a: char, b: char) -> bool {
    if b == ' ' {
        return false;
    }
    if a == ' ' {
        return true;
    }
    let inside_word = wordlike(a) && wordlike(b);
    !(inside_word || no_line_start(b) || no_line_end(a))
}

/// Breaks one paragraph (no `\n`) into lines no wider than `width`, the first `indent`
/// narrower. Returns the lines and whether each ends at a soft break.
fn break_lines(glyphs: &[Glyph], size: f32, width: f32, indent: f32) -> Vec<(Vec<Glyph>, bool)> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < glyphs.len() {
        // Leading spaces of continued lines are dropped.
        if !first {
            while start < glyphs.len() && glyphs[start].ch == ' ' {
                start += 1;
            }
            if start == glyphs.len() {
                break;
            }
        }
        let avail = if first { width - indent } else { width };
        let mut used = 0.0;
        let mut end = start;
        while end < glyphs.len() {
            let w = glyphs[end].advance * size;
            // Spaces may run past the edge; they are trimmed.
            if used + w > avail + 0.01 && end > start && glyphs[end].ch != ' ' {
                break;
            }
            used += w;
            end += 1;
        }
        if end < glyphs.len() {
            // Find the last allowed break at or before `end`.
            let mut k = end;
            while k > start + 1 && !may_break(glyphs[k - 1].ch, glyphs[k].ch) {
                k -= 1;
            }
            if k > start + 1 || may_break(glyphs[start].ch, glyphs[k].ch) {
                end = k;
            } else {
                // No break point: the word is cut at the edge, and closing punctuation
                // hangs into the margin rather than begin the next line.
                while end < glyphs.len() && no_line_start(glyphs[end].ch) {
                    end += 1;
                }
            }
        }
        let mut line: Vec<Glyph> = glyphs[start..end].to_vec();
        while line.last().is_some_and(|g| g.ch == ' ') {
            line.pop();
        }
        lines.push((line, end < glyphs.len()));
        start = end;
        first = false;
    }
    if lines.is_empty() {
        lines.push((Vec::new(), false));
    }
    lines
}

fn width_of(glyphs: &[Glyph], size: f32) -> f32 {
    glyphs.iter().map(|g| g.advance * size).sum()
}

/// Lays out the sections on as many pages as needed.
pub(crate) fn layout(
    sections: &[Section],
    geometry: &Geometry,
    shaper: &dyn Shaper,
) -> Vec<Vec<Line>> {
    let width = geometry.text_width();
    let top = geometry.page_height - geometry.top;
    // Each placed line with the top of its pitch.
    let mut pages: Vec<Vec<(Line, f32)>> = vec![Vec::new()];
    let mut y = top;
    // Lines of the previous section on the current page.
    let mut previous_lines = 0;

    // Each block becomes lines positioned horizontally; vertical placement follows.
    struct Pending {
        glyphs: Vec<Glyph>,
        x: f32,
        char_spacing: f32,
        size: f32,
        pitch: f32,
        ink: Ink,
        bold: bool,
        space_before: f32,
    }
    for section in sections {
        let mut pending: Vec<Pending> = Vec::new();
        for block in &section.blocks {
            for (i, paragraph) in block.text.split('\n').enumerate() {
                let glyphs: Vec<Glyph> = paragraph.chars().map(|c| shaper.shape(c)).collect();
                let indent = match block.align {
                    Align::Justify => block.first_indent,
                    _ => 0.0,
                };
                let lines = break_lines(&glyphs, block.size, width, indent);
                for (j, (line, soft)) in lines.into_iter().enumerate() {
                    let w = width_of(&line, block.size);
                    let (x, char_spacing) = match block.align {
                        Align::Justify => {
                            let x = if j == 0 { indent } else { 0.0 };
                            let gaps = line.len().saturating_sub(1) as f32;
                            let extra = width - x - w;
                            // Stretch only a little: large gaps would read as spaces.
                            let tc = if soft && gaps > 0.0 && extra > 0.0 {
                                extra / gaps
                            } else {
                                0.0
                            };
                            (x, if tc <= block.size * 0.08 { tc } else { 0.0 })
                        }
                        Align::Center => ((width - w) / 2.0, 0.0),
                        Align::Right { indent } => ((width - indent - w).max(0.0), 0.0),
                        Align::CenterAt { x } => {
                            ((x - w / 2.0).clamp(0.0, (width - w).max(0.0)), 0.0)
                        }
                    };
                    pending.push(Pending {
                        glyphs: line,
                        x: geometry.left + x,
                        char_spacing,
                        size: block.size,
                        pitch: block.pitch,
                        ink: block.ink,
                        bold: block.bold,
                        space_before: if i == 0 && j == 0 {
                            block.space_before
                        } else {
                            0.0
                        },
                    });
                }
            }
        }
        let at_top = |y: f32| (y - top).abs() < 0.01;
        let mut placed_here = 0;
        if section.keep_together && !at_top(y) {
            let height: f32 = pending.iter().map(|p| p.space_before + p.pitch).sum();
            if y - height < geometry.bottom {
                // Carry the last lines of the previous section along, so that this
                // section (a signature) does not stand alone on its page.
                let page = pages.last_mut().expect("one page at least");
                let carry = section
                    .keep_with_previous
                    .min(previous_lines)
                    .min(page.len().saturating_sub(1));
                let carried: Vec<(Line, f32)> = page.split_off(page.len() - carry);
                pages.push(Vec::new());
                if let Some(first_top) = carried.first().map(|(_, t)| *t) {
                    let delta = top - first_top;
                    y += delta;
                    let page = pages.last_mut().expect("just pushed");
                    for (mut line, line_top) in carried {
                        line.baseline += delta;
                        page.push((line, line_top + delta));
                    }
                    placed_here = carry;
                } else {
                    y = top;
                }
            }
        }
        for p in pending {
            if !at_top(y) {
                y -= p.space_before;
            }
            if y - p.pitch < geometry.bottom - 0.01 && !at_top(y) {
                pages.push(Vec::new());
                y = top;
                placed_here = 0;
            }
            // The glyphs sit in the middle of their line's pitch, baseline at ~88 % of
            // the em box.
            let baseline = y - (p.pitch - p.size) / 2.0 - p.size * 0.88;
            let line_top = y;
            y -= p.pitch;
            if p.glyphs.is_empty() {
                continue;
            }
            pages.last_mut().expect("one page at least").push((
                Line {
                    x: p.x,
                    baseline,
                    size: p.size,
                    char_spacing: p.char_spacing,
                    glyphs: p.glyphs,
                    ink: p.ink,
                    bold: p.bold,
                },
                line_top,
            ));
            placed_here += 1;
        }
        previous_lines = placed_here;
    }
    pages
        .into_iter()
        .map(|page| page.into_iter().map(|(line, _)| line).collect())
        .collect()
}

/// Width of `text` at `size` points.
pub(crate) fn measure(text: &str, size: f32, shaper: &dyn Shaper) -> f32 {
    text.chars().map(|c| shaper.shape(c).advance * size).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one em wide, ASCII half an em.
    struct Mono;
    impl Shaper for Mono {
        fn shape(&self, ch: char) -> Glyph {
            Glyph {
                ch,
                gid: 1,
                advance: if ch.is_ascii() { 0.5 } else { 1.0 },
                fallback: false,
            }
        }
    }

    fn lines(text: &str, chars_per_line: f32) -> Vec<String> {
        let glyphs: Vec<Glyph> = text.chars().map(|c| Mono.shape(c)).collect();
        break_lines(&glyphs, 10.0, chars_per_line * 10.0, 0.0)
            .into_iter()
            .map(|(l, _)| l.iter().map(|g| g.ch).collect())
            .collect()
    }

    #[test]
    fn breaks_between_cjk_characters() {
        assert_eq!(lines("一二三四五六七", 3.0), ["一二三", "四五六", "七"]);
    }

    #[test]
    fn closing_punctuation_does_not_start_a_line() {
        // “。” would start the second line: “三” goes down with it.
        assert_eq!(lines("一二三。四五", 3.0), ["一二", "三。四", "五"]);
        assert_eq!(lines("一二（三四", 3.0), ["一二", "（三四"]);
    }

    #[test]
    fn ascii_words_stay_whole() {
        let out = lines("代码91420800MA4XXXXXX1号", 8.0);
        assert_eq!(out, ["代码", "91420800MA4XXXXX", "X1号"]);
        // A word longer than the line is cut at the edge, nothing is lost.
        assert_eq!(out.concat(), "代码91420800MA4XXXXXX1号");
        assert_eq!(lines("in 2026年", 2.0), ["in", "2026", "年"]);
    }

    #[test]
    fn nothing_is_lost_or_duplicated() {
        let text = "经查，你单位未按照《企业信息公示暂行条例》第八条规定的期限公示2025年度报告（含“年报”）。";
        for n in 3..20 {
            let out = lines(text, n as f32);
            assert_eq!(out.concat(), text, "at {n} per line");
            for l in &out[1..] {
                let c = l.chars().next().unwrap();
                assert!(!no_line_start(c), "{l} starts with {c} at {n}");
            }
            for l in &out {
                let w: f32 = l
                    .trim_end_matches(no_line_start)
                    .chars()
                    .map(|c| Mono.shape(c).advance)
                    .sum();
                assert!(w <= n as f32, "{l} too wide at {n}");
            }
        }
    }

    #[test]
    fn sections_flow_onto_new_pages() {
        let geometry = Geometry {
            page_width: 100.0,
            page_height: 100.0,
            top: 10.0,
            bottom: 10.0,
            left: 10.0,
            right: 10.0,
        };
        let block = |text: &str| Block {
            text: text.to_owned(),
            size: 10.0,
            pitch: 20.0,
            align: Align::Justify,
            first_indent: 0.0,
            space_before: 0.0,
            ink: Ink::Black,
            bold: false,
        };
        // 8 characters a line, 4 lines a page: 10 lines of text make three pages.
        let text = "字".repeat(80);
        let pages = layout(
            &[Section {
                blocks: vec![block(&text)],
                keep_together: false,
                keep_with_previous: 0,
            }],
            &geometry,
            &Mono,
        );
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
        assert!(pages[0][0].baseline > pages[0][3].baseline);
        // A kept-together section that does not fit goes to the next page whole.
        let pages = layout(
            &[
                Section {
                    blocks: vec![block(&"字".repeat(16))],
                    keep_together: false,
                    keep_with_previous: 0,
                },
                Section {
                    blocks: vec![block(&"字".repeat(24))],
                    keep_together: true,
                    keep_with_previous: 0,
                },
            ],
            &geometry,
            &Mono,
        );
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 3]);
        // With two lines of the previous section carried along: one of its three lines
        // stays on the first page, two go with the section to the second, from its top.
        let pages = layout(
            &[
                Section {
                    blocks: vec![block(&"甲".repeat(24))],
                    keep_together: false,
                    keep_with_previous: 0,
                },
                Section {
                    blocks: vec![block(&"乙".repeat(16))],
                    keep_together: true,
                    keep_with_previous: 2,
                },
            ],
            &geometry,
            &Mono,
        );
        assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [1, 4]);
        let chars = |l: &Line| l.glyphs.iter().map(|g| g.ch).collect::<String>();
        assert_eq!(chars(&pages[1][0]), "甲".repeat(8));
        assert_eq!(chars(&pages[1][2]), "乙".repeat(8));
        assert!((pages[1][0].baseline - pages[0][0].baseline).abs() < 0.01);
        assert!((pages[1][1].baseline - pages[0][0].baseline + 20.0).abs() < 0.01);
    }
}
