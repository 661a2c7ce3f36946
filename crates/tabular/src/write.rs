//! Writing: rows in, bytes out.

use std::io::{self, Write};

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use crate::TabularError;

// ---------------------------------------------------------------------------------------
// CSV

/// Writes a CSV that Excel opens correctly: UTF-8 with a byte order mark (without it Excel
/// reads UTF-8 as the local ANSI code page and garbles Chinese), comma separated, CRLF line
/// ends, fields quoted only when needed (a comma, a quote, or a line break inside).
///
/// **Formula injection guard (OWASP “CSV Injection”).** A cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading apostrophe (`=1+1` is written
/// `'=1+1`), so Excel shows it as text instead of evaluating it. The apostrophe is visible
/// in the cell; this also applies to negative numbers (`-5` → `'-5`) and to headers.
///
/// **Long digit strings are not safe in CSV.** A CSV has no cell types: Excel guesses, and
/// turns an 18-digit credit code or ID number into a number, keeping only 15 significant
/// digits (`9.14208E+17`) and silently dropping the rest if the file is saved again. No
/// quoting prevents that. Exports that contain such codes should be XLSX
/// ([`XlsxWriter`]), where every cell is stored as text.
///
/// Every row must have as many cells as the header; a mismatch is an
/// [`io::ErrorKind::InvalidInput`] error wrapping [`TabularError::RowWidth`].
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
    width: usize,
    next_row: usize,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the byte order mark and the header row.
    ///
    /// # Errors
    ///
    /// Errors of the underlying writer.
    pub fn new(mut w: W, headers: &[&str]) -> io::Result<Self> {
        w.write_all("\u{feff}".as_bytes())?;
        let inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(w);
        let mut writer = Self {
            inner,
            width: headers.len(),
            next_row: 1,
        };
        writer.write_row(headers)?;
        Ok(writer)
    }

    /// Writes one data row, guarding each cell against formula injection.
    ///
    /// # Errors
    ///
    /// A row of the wrong width, or an error of the underlying writer.
    pub fn write_row(&mut self, cells: &[&str]) -> io::Result<()> {
        if cells.len() != self.width {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                TabularError::RowWidth {
                    row: self.next_row,
                    expected: self.width,
                    got: cells.len(),
                },
            ));
        }
        self.inner
            .write_record(cells.iter().map(|c| guard_formula(c).into_owned()))
            .map_err(csv_to_io)?;
        self.next_row += 1;
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    ///
    /// # Errors
    ///
    /// Errors of the underlying writer while flushing.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

fn csv_to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        kind => io::Error::other(format!("{kind:?}")),
    }
}

/// Prefixes `'` to a cell that spreadsheet programs would read as a formula.
fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

// ---------------------------------------------------------------------------------------
// XLSX

/// Most rows one worksheet holds.
const MAX_ROWS: usize = 1_048_576;
/// Most columns one worksheet holds.
const MAX_COLUMNS: usize = 16_384;
/// Column widths, in Excel's units (the width of a `0` in the default font).
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;
/// Excel's built-in number format 49, `@`: text.
const TEXT_FORMAT: u8 = 49;

/// Writes a one-sheet XLSX: the header row bold and frozen, every cell stored as text with
/// the text number format `@` (so 18-digit credit codes and ID numbers keep every digit,
/// `=1+1` stays a string, and a value typed into the cell later stays text too), column
/// widths fitted to the longest value (CJK characters count double, capped at 60).
///
/// Rows stream through a temporary file (rust_xlsxwriter's constant-memory mode), so
/// 300,000 rows cost little memory; the finished file is returned as bytes. No formula
/// guard is needed: nothing is written as a formula.
///
/// Every row must have as many cells as the header; at most 1,048,576 rows including the
/// header; at most 32,767 characters in a cell (Excel's limits).
pub struct XlsxWriter {
    workbook: Workbook,
    text: CellFormat,
    widths: Vec<usize>,
    next_row: u32,
}

impl std::fmt::Debug for XlsxWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxWriter")
            .field("columns", &self.widths.len())
            .field("next_row", &self.next_row)
            .finish_non_exhaustive()
    }
}

impl XlsxWriter {
    /// Starts a workbook with one sheet named `sheet_name` and writes the header row.
    ///
    /// The name is made acceptable to Excel rather than refused: the characters
    /// `[ ] : * ? / \` become `_`, leading and trailing apostrophes are dropped, it is cut
    /// to 31 characters, and an empty or reserved name (`History`) becomes `Sheet1`.
    ///
    /// # Errors
    ///
    /// [`TabularError::XlsxWrite`] when the temporary file cannot be created or a header
    /// is refused; [`TabularError::RowWidth`] for more than 16,384 columns.
    pub fn new(sheet_name: &str, headers: &[&str]) -> Result<Self, TabularError> {
        if headers.len() > MAX_COLUMNS {
            return Err(TabularError::RowWidth {
                row: 1,
                expected: MAX_COLUMNS,
                got: headers.len(),
            });
        }
        let mut workbook = Workbook::new();
        let header = CellFormat::new()
            .set_bold()
            .set_num_format_index(TEXT_FORMAT);
        let text = CellFormat::new().set_num_format_index(TEXT_FORMAT);
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(|e| write_error(0, &e))?;
        sheet
            .set_name(sanitize_sheet_name(sheet_name))
            .map_err(|e| write_error(0, &e))?;
        sheet
            .set_freeze_panes(1, 0)
            .map_err(|e| write_error(0, &e))?;
        for (col, name) in (0u16..).zip(headers) {
            sheet
                .write_string_with_format(0, col, *name, &header)
                .map_err(|e| write_error(1, &e))?;
        }
        // Bold text is a little wider.
        let widths = headers.iter().map(|h| display_width(h) + 1).collect();
        Ok(Self {
            workbook,
            text,
            widths,
            next_row: 1,
        })
    }

    /// Writes one data row, every cell as text.
    ///
    /// # Errors
    ///
    /// [`TabularError::RowWidth`], [`TabularError::TooManyRows`], or
    /// [`TabularError::XlsxWrite`] for a cell Excel cannot hold.
    pub fn write_row(&mut self, cells: &[&str]) -> Result<(), TabularError> {
        let number = self.next_row as usize + 1;
        if cells.len() != self.widths.len() {
            return Err(TabularError::RowWidth {
                row: number,
                expected: self.widths.len(),
                got: cells.len(),
            });
        }
        if self.next_row as usize >= MAX_ROWS {
            return Err(TabularError::TooManyRows);
        }
        let row = self.next_row;
        let sheet = self
            .workbook
            .worksheet_from_index(0)
            .map_err(|e| write_error(number, &e))?;
        for ((col, cell), width) in (0u16..).zip(cells).zip(&mut self.widths) {
            if cell.is_empty() {
                // Formatted blank: whatever is typed here later stays text.
                sheet.write_blank(row, col, &self.text)
            } else {
                *width = (*width).max(display_width(cell));
                sheet.write_string_with_format(row, col, *cell, &self.text)
            }
            .map_err(|e| write_error(number, &e))?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// Sets the column widths and returns the finished `.xlsx` file.
    ///
    /// # Errors
    ///
    /// [`TabularError::XlsxWrite`] when assembling the file fails.
    pub fn finish(mut self) -> Result<Vec<u8>, TabularError> {
        let sheet = self
            .workbook
            .worksheet_from_index(0)
            .map_err(|e| write_error(0, &e))?;
        for (col, width) in (0u16..).zip(&self.widths) {
            #[allow(clippy::cast_precision_loss)]
            let width = (*width as f64 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
            sheet
                .set_column_width(col, width)
                .map_err(|e| write_error(0, &e))?;
        }
        self.workbook
            .save_to_buffer()
            .map_err(|e| write_error(0, &e))
    }
}

fn write_error(row: usize, e: &XlsxError) -> TabularError {
    TabularError::XlsxWrite {
        row,
        message: e.to_string(),
    }
}

/// A sheet name Excel accepts (see [`XlsxWriter::new`]).
fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned: String = cleaned.trim_matches('\'').trim().chars().take(31).collect();
    let cleaned = cleaned.trim_end_matches('\'').to_owned();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
        "Sheet1".to_owned()
    } else {
        cleaned
    }
}

/// Width of the longest line of `s` in Excel column units: 2 for East Asian wide and
/// full-width characters, 1 for the rest.
fn display_width(s: &str) -> usize {
    s.lines()
        .map(|line| line.chars().map(char_width).sum())
        .max()
        .unwrap_or(0)
}

fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_guard_prefixes_only_dangerous_starts() {
        for cell in ["=1+1", "+1", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard_formula(cell), format!("'{cell}"));
        }
        for cell in ["", "荆门", "1=1", " =1", "'quoted", "914208000000000000"] {
            assert_eq!(guard_formula(cell), cell);
        }
    }

    #[test]
    fn sheet_names_are_made_acceptable() {
        assert_eq!(sanitize_sheet_name("经营主体"), "经营主体");
        assert_eq!(sanitize_sheet_name("a/b:c?"), "a_b_c_");
        assert_eq!(sanitize_sheet_name("'x'"), "x");
        assert_eq!(sanitize_sheet_name(""), "Sheet1");
        assert_eq!(sanitize_sheet_name("History"), "Sheet1");
        assert_eq!(sanitize_sheet_name(&"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn display_width_counts_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("荆门市"), 6);
        assert_eq!(display_width("ab\n荆门市场监督"), 12);
        assert_eq!(display_width(""), 0);
    }
}
