//! Reading: bytes in, [`Table`] out.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Range, Reader, Xls, XlsError, Xlsx, XlsxError};
use encoding_rs::{Encoding, GB18030};

use crate::{detect, Format, TabularError};

/// A sheet read by [`read`]: the header row and the data rows, all cells trimmed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The header row: the first row with a non-empty cell, trimmed, up to its last
    /// non-empty cell. Names are as written: the caller maps (and de-duplicates) them.
    pub headers: Vec<String>,
    header_row: usize,
    rows: Vec<Row>,
    format: Format,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    number: usize,
    cells: Vec<String>,
    width: usize,
}

impl Table {
    /// Data rows with their spreadsheet row number, the number a person sees at the left of
    /// the row in Excel, so an error can point at it.
    ///
    /// - The header is normally row 1, so the first data row is 2. Blank rows (every cell
    ///   empty after trimming) are skipped but still counted, and so are blank rows above
    ///   the header (see [`header_row`](Self::header_row)).
    /// - CSV: a record that spans several lines of the file (a quoted cell with line breaks)
    ///   is one row, numbered by where it starts; the rows after it are numbered as Excel
    ///   shows them, which is then less than their line number in a text editor.
    /// - Every row has exactly `headers.len()` cells: short rows are padded with `""`, cells
    ///   past the last header are cut off (see [`overflowing_rows`](Self::overflowing_rows)).
    /// - Cells are trimmed of surrounding whitespace (any Unicode white space, so also the
    ///   full-width space U+3000 and the no-break space U+00A0), byte order marks and
    ///   zero-width spaces. Inner whitespace and line breaks are kept.
    pub fn rows(&self) -> impl Iterator<Item = (usize, &[String])> + '_ {
        self.rows.iter().map(|r| (r.number, r.cells.as_slice()))
    }

    /// Number of data rows (blank rows not included).
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no data row (the file has a header only).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The spreadsheet row number of the header row (1 unless blank rows precede it).
    #[must_use]
    pub fn header_row(&self) -> usize {
        self.header_row
    }

    /// The format the table was read from.
    #[must_use]
    pub fn format(&self) -> Format {
        self.format
    }

    /// Rows that had a non-empty cell to the right of the last header, as
    /// `(row number, width)`, where width counts the source row's cells up to its last
    /// non-empty one. [`rows`](Self::rows) cut those cells off; a caller that must not lose
    /// data rejects these rows (in a CSV they usually mean an unquoted delimiter inside a
    /// value). Rows shorter than the header are not listed: trailing empty cells are
    /// normal in both formats.
    pub fn overflowing_rows(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let n = self.headers.len();
        self.rows
            .iter()
            .filter(move |r| r.width > n)
            .map(|r| (r.number, r.width))
    }
}

/// Reads the first worksheet of a workbook or the whole CSV into a [`Table`]; the format
/// is found by [`detect`](crate::detect).
///
/// **CSV.** The encoding is UTF-8 with or without a byte order mark; UTF-16 LE or BE with a
/// byte order mark (Excel's “Unicode text”, which is tab separated); otherwise, if the
/// bytes are not valid UTF-8, GB18030 (a superset of GBK and GB2312). Bytes that are none
/// of these fail with [`TabularError::Encoding`] rather than becoming replacement
/// characters. The delimiter is the most frequent of comma, tab and semicolon outside
/// quotes in the header line (comma when none occurs). Quotes follow RFC 4180 (`""`
/// inside a quoted field is one quote). A web page or XML document, or a binary file,
/// named `.csv`/`.xls` fails with [`TabularError::Unsupported`].
///
/// **XLSX / XLS.** The first worksheet in workbook order. Cells become text by these rules:
/// - text: as is (trimmed); integer: decimal; boolean: `TRUE` / `FALSE`; empty: `""`;
///   an error cell: its error text, e.g. `#N/A`;
/// - a number that is integral and below 10^15 in magnitude: integer text without `.0`
///   (`20200105.0` → `20200105`, `500.0` → `500`);
/// - an integral number of 10^15 or more: what Excel's General format shows, scientific
///   with 6 significant digits (`914208000000000000.0` → `9.14208E+17`): a credit code or
///   ID number that Excel stored as a number has lost its last digits, and the caller
///   should reject it and tell the person to format the column as text;
/// - any other number: the shortest decimal that reads back as the same value (`12.5`,
///   `0.1`), never scientific notation;
/// - a date-formatted number: `YYYY-MM-DD` when it has no time part, else
///   `YYYY-MM-DD HH:MM:SS` (milliseconds dropped); a serial below 1 (a time of day alone):
///   `HH:MM:SS`; a duration format (`[h]:mm:ss`): total hours `H:MM:SS`;
/// - ISO date/time and duration cells (from ODF-style files): their string.
///
/// Number formats other than dates are not applied: a zero-padded code stored as a number
/// (format `000000`) comes back without its leading zeros.
///
/// # Errors
///
/// [`TabularError::Empty`] when there is no content, [`TabularError::NoHeader`] when no row
/// has a non-empty cell, and the decoding or parsing errors named above. A file with a
/// header and no data rows is not an error: the table is empty.
pub fn read(bytes: &[u8]) -> Result<Table, TabularError> {
    match detect(bytes) {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
        Format::Xls => read_xls(bytes),
    }
}

/// Characters removed from both ends of every cell.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}')
}

fn trim(s: &str) -> &str {
    s.trim_matches(is_trimmed)
}

/// Builds a table from raw rows `(row number, cells)` in order.
fn build<I>(format: Format, rows: I) -> Result<Table, TabularError>
where
    I: IntoIterator<Item = (usize, Vec<String>)>,
{
    let mut saw_row = false;
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut out = Vec::new();
    for (number, raw) in rows {
        saw_row = true;
        let mut cells: Vec<String> = raw
            .into_iter()
            .map(|c| match trim(&c) {
                t if t.len() == c.len() => c,
                t => t.to_owned(),
            })
            .collect();
        let Some(last) = cells.iter().rposition(|c| !c.is_empty()) else {
            continue; // blank row: skipped, but its number is already spent
        };
        let width = last + 1;
        match &header {
            None => {
                cells.truncate(width);
                header = Some((number, cells));
            }
            Some((_, headers)) => {
                cells.resize(headers.len(), String::new());
                out.push(Row {
                    number,
                    cells,
                    width,
                });
            }
        }
    }
    match header {
        Some((header_row, headers)) => Ok(Table {
            headers,
            header_row,
            rows: out,
            format,
        }),
        None if saw_row => Err(TabularError::NoHeader),
        None => Err(TabularError::Empty),
    }
}

// ---------------------------------------------------------------------------------------
// CSV

fn read_csv(bytes: &[u8]) -> Result<Table, TabularError> {
    let text = decode(bytes)?;
    if trim(&text).is_empty() {
        return Err(TabularError::Empty);
    }
    reject_non_table(&text)?;
    let delimiter = detect_delimiter(&text);
    build(Format::Csv, parse_csv(&text, delimiter)?)
}

/// Splits delimited text into records, each with the row Excel shows it on.
///
/// RFC 4180 with Excel's leniency: a field that starts with `"` is quoted up to the next
/// lone `"` (`""` inside is one quote, and line breaks and delimiters inside are content);
/// text after a closing quote is appended to the field; a `"` inside an unquoted field is
/// an ordinary character. Records end at CRLF, LF or a lone CR outside quotes; each line
/// is a row, so a blank line is a row with one empty cell and a record with quoted line
/// breaks is one row. (The csv crate is not used here: it skips blank lines without
/// saying how many, and its positions do not give rows.)
///
/// A quote left open at the end of the file is an error: it would silently swallow every
/// row after it into one cell.
fn parse_csv(text: &str, delimiter: u8) -> Result<Vec<(usize, Vec<String>)>, TabularError> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    // Delimiters, quotes and line breaks are ASCII, and no byte of a multi-byte UTF-8
    // character is ASCII, so scanning bytes and cutting between them keeps valid UTF-8.
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field: Vec<u8> = Vec::new();
    let mut state = State::FieldStart;
    let mut row = 1usize; // the row the current line is on
    let mut record_row = 1usize; // the row the current record started on
    let mut line_has_content = false;
    let take = |field: &mut Vec<u8>| {
        String::from_utf8(std::mem::take(field))
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    };

    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match state {
            State::Quoted => {
                if b == b'"' {
                    state = State::QuoteInQuoted;
                } else {
                    field.push(b);
                }
                continue;
            }
            State::QuoteInQuoted if b == b'"' => {
                field.push(b'"');
                state = State::Quoted;
                continue;
            }
            _ => {}
        }
        if b == delimiter {
            record.push(take(&mut field));
            state = State::FieldStart;
            line_has_content = true;
        } else if b == b'\r' || b == b'\n' {
            if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                i += 1;
            }
            record.push(take(&mut field));
            records.push((record_row, std::mem::take(&mut record)));
            state = State::FieldStart;
            row += 1;
            record_row = row;
            line_has_content = false;
        } else if b == b'"' && state == State::FieldStart {
            state = State::Quoted;
            line_has_content = true;
        } else {
            field.push(b);
            state = State::Unquoted;
            line_has_content = true;
        }
    }
    match state {
        State::Quoted => {
            return Err(TabularError::Csv {
                row: record_row,
                message: "引号没有闭合：从这一行开始的带引号单元格直到文件末尾都没有结束引号"
                    .to_owned(),
            })
        }
        _ if line_has_content => {
            record.push(take(&mut field));
            records.push((record_row, record));
        }
        _ => {}
    }
    Ok(records)
}

/// Decodes CSV bytes: BOM first (UTF-8, UTF-16 LE/BE), then UTF-8, then GB18030.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TabularError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom_len..])
            .ok_or(TabularError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(TabularError::Encoding)
}

/// Refuses text that is clearly not delimited data: binary files, and web pages or XML
/// (SpreadsheetML 2003) that old systems save under a spreadsheet's name.
fn reject_non_table(text: &str) -> Result<(), TabularError> {
    if text.contains('\0') {
        return Err(TabularError::Unsupported {
            what: "二进制文件"
        });
    }
    let head: String = text
        .trim_start_matches(is_trimmed)
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    const MARKUP: [&str; 8] = [
        "<!doctype",
        "<html",
        "<table",
        "<?xml",
        "<head",
        "<body",
        "<meta",
        "<!--",
    ];
    if MARKUP.iter().any(|m| head.starts_with(m)) {
        return Err(TabularError::Unsupported {
            what: "网页（HTML）或 XML 文件",
        });
    }
    Ok(())
}

/// The most frequent of comma, tab and semicolon outside quotes in the first non-blank
/// line; comma on a tie or when none occurs.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3]; // comma, tab, semicolon
    let mut in_quotes = false;
    let mut seen_content = false;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' | '\r' if !in_quotes => {
                if seen_content {
                    break;
                }
                continue;
            }
            ',' if !in_quotes => counts[0] += 1,
            '\t' if !in_quotes => counts[1] += 1,
            ';' if !in_quotes => counts[2] += 1,
            _ => {}
        }
        if !is_trimmed(c) {
            seen_content = true;
        }
    }
    let delimiters = [b',', b'\t', b';'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    delimiters[best]
}

// ---------------------------------------------------------------------------------------
// XLSX / XLS

fn read_xlsx(bytes: &[u8]) -> Result<Table, TabularError> {
    let mut workbook: Xlsx<Cursor<&[u8]>> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: XlsxError| TabularError::Xlsx(e.to_string()))?;
    let range = match workbook.worksheet_range_at(0) {
        None => return Err(TabularError::Empty),
        Some(range) => range.map_err(|e| TabularError::Xlsx(e.to_string()))?,
    };
    from_range(Format::Xlsx, &range)
}

fn read_xls(bytes: &[u8]) -> Result<Table, TabularError> {
    // An .xlsx with a password to open is an OLE2 container holding these streams.
    if contains_utf16le(bytes, "EncryptionInfo") {
        return Err(TabularError::Encrypted);
    }
    let map = |e: XlsError| match e {
        XlsError::Password => TabularError::Encrypted,
        e => TabularError::Xlsx(e.to_string()),
    };
    let mut workbook: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(map)?;
    let range = match workbook.worksheet_range_at(0) {
        None => return Err(TabularError::Empty),
        Some(range) => range.map_err(map)?,
    };
    from_range(Format::Xls, &range)
}

fn contains_utf16le(haystack: &[u8], needle: &str) -> bool {
    let needle: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_slice())
}

fn from_range(format: Format, range: &Range<Data>) -> Result<Table, TabularError> {
    let Some((first_row, _)) = range.start() else {
        return Err(TabularError::Empty);
    };
    let first_row = first_row as usize;
    build(
        format,
        range
            .rows()
            .enumerate()
            .map(|(i, row)| (first_row + i + 1, row.iter().map(cell_text).collect())),
    )
}

/// A workbook cell as text; see [`read`] for the rules.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(x) => float_text(*x),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Integral numbers below 10^15: integer text. Larger integral numbers: Excel's General
/// display (`9.14208E+17`). Others: shortest round-trip decimal.
fn float_text(x: f64) -> String {
    if !x.is_finite() || x.fract() != 0.0 {
        return format!("{x}");
    }
    if x.abs() < 1e15 {
        // Exact: integral and well inside i64.
        #[allow(clippy::cast_possible_truncation)]
        let i = x as i64;
        return i.to_string();
    }
    let sci = format!("{x:.5e}"); // e.g. "9.14208e17", "-1.00000e15"
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.unsigned_abs())
}

fn datetime_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if dt.is_duration() {
        #[allow(clippy::cast_possible_truncation)]
        let total = (serial * 86_400.0).round() as i64;
        let sign = if total < 0 { "-" } else { "" };
        let total = total.unsigned_abs();
        return format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        );
    }
    let (year, month, day, hour, minute, second, _milli) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&serial) {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn floats_render_by_the_rules() {
        assert_eq!(float_text(20_200_105.0), "20200105");
        assert_eq!(float_text(500.0), "500");
        assert_eq!(float_text(-0.0), "0");
        assert_eq!(float_text(-42.0), "-42");
        assert_eq!(float_text(999_999_999_999_999.0), "999999999999999");
        assert_eq!(float_text(1e15), "1E+15");
        assert_eq!(float_text(914_208_000_000_000_000.0), "9.14208E+17");
        assert_eq!(float_text(123_456_789_012_345_678.0), "1.23457E+17");
        assert_eq!(float_text(-914_208_000_000_000_000.0), "-9.14208E+17");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(1e-7), "0.0000001");
    }

    #[test]
    fn datetimes_render_by_the_rules() {
        let dt = |v| ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&dt(43_835.0)), "2020-01-05");
        assert_eq!(datetime_text(&dt(43_835.5)), "2020-01-05 12:00:00");
        assert_eq!(datetime_text(&dt(0.75)), "18:00:00");
        let dur = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(datetime_text(&dur), "36:00:00");
    }

    #[test]
    fn delimiter_comes_from_the_header_line_outside_quotes() {
        assert_eq!(detect_delimiter("a,b,c\n1;2;3;4;5\n"), b',');
        assert_eq!(detect_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter("a;b;c\n"), b';');
        assert_eq!(detect_delimiter("\n\n\"x,y,z\";b;c\n"), b';');
        assert_eq!(detect_delimiter("single\n"), b',');
    }

    fn parsed(text: &str) -> Vec<(usize, Vec<String>)> {
        parse_csv(text, b',').unwrap()
    }

    fn rec(row: usize, cells: &[&str]) -> (usize, Vec<String>) {
        (row, cells.iter().map(|c| (*c).to_owned()).collect())
    }

    #[test]
    fn every_line_ending_ends_a_row() {
        assert_eq!(
            parsed("a\r\nb\rc\nd"),
            vec![
                rec(1, &["a"]),
                rec(2, &["b"]),
                rec(3, &["c"]),
                rec(4, &["d"])
            ]
        );
        // Blank lines are rows of one empty cell; no phantom record after the last break.
        assert_eq!(
            parsed("a\n\n\r\nb,\n"),
            vec![
                rec(1, &["a"]),
                rec(2, &[""]),
                rec(3, &[""]),
                rec(4, &["b", ""])
            ]
        );
    }

    #[test]
    fn quotes_follow_rfc_4180_with_excels_leniency() {
        assert_eq!(
            parsed("\"a,b\",\"x\"\"y\",\"\"\n\"line\nbreak\"\nz"),
            vec![
                rec(1, &["a,b", "x\"y", ""]),
                rec(2, &["line\nbreak"]),
                rec(3, &["z"])
            ]
        );
        // A quote inside an unquoted field is a character; text after a closing quote
        // is appended.
        assert_eq!(
            parsed("5\"3,\"ab\"cd, \"e\""),
            vec![rec(1, &["5\"3", "abcd", " \"e\""])]
        );
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_the_row_it_opens() {
        let err = parse_csv("a,b\n1,2\n\"3,4\n5,6\n", b',').unwrap_err();
        assert!(matches!(err, TabularError::Csv { row: 3, .. }), "{err:?}");
        assert_eq!(err.code(), "csv_parse");
        assert!(
            err.to_string().starts_with("CSV 文件第 3 行无法解析"),
            "{err}"
        );
    }

    #[test]
    fn trimming_covers_ideographic_and_no_break_spaces() {
        assert_eq!(trim("\u{3000} 荆门\u{a0}\t"), "荆门");
        assert_eq!(trim("\u{feff}名称\u{200b}"), "名称");
        assert_eq!(trim("a b"), "a b");
    }
}
