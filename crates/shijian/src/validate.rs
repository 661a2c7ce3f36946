//! Batch validation for data cleaning: check a file of unified social credit codes or
//! resident ID numbers, one value per line, and write one CSV report row per line.
//!
//! This module owns the *plumbing* of batch validation and nothing else:
//! - reading the input as a stream, line by line, in constant memory ([`validate_stream`]);
//! - deciding the character encoding of each line ([`InputEncoding`]);
//! - the CSV report format ([`HEADER`]) and the run totals ([`Summary`]).
//!
//! The rules themselves (normalisation, check characters, birth dates, warnings and their
//! Chinese texts) live in [`shijian_domain::uscc`] and [`shijian_domain::id_number`]; this
//! module only calls [`parse_uscc`] and [`parse_id_number`] and reports what they say.
//! The set of known division codes comes from the caller (the database), as does "today".
//!
//! # Input
//!
//! - One value per line; a line ends at LF, and a CR just before the LF is dropped, so LF
//!   and CRLF files both work (a bare CR inside a line is kept and reported).
//! - No line is skipped, so row *n* of the report is line *n* of the input. An empty line
//!   is reported as invalid with code `empty`. A final line terminator does not start an
//!   extra (empty) row; a last line without a terminator is still a row.
//! - Bytes that are not valid in the chosen encoding never stop the run: they become
//!   U+FFFD and the line is reported like any other (normally as `bad_char`).
//! - A line longer than [`MAX_LINE_BYTES`] is not validated: only its beginning is kept,
//!   and it is reported as invalid with code [`LINE_TOO_LONG`]. This is what keeps memory
//!   bounded even for a file with no line breaks at all.
//!
//! # Output
//!
//! CSV (RFC 4180 quoting, written with the `csv` crate, LF line ends, no BOM), with the
//! header [`HEADER`] and one row per input line:
//!
//! | column | content |
//! | --- | --- |
//! | `input` | the line as decoded, without its line terminator |
//! | `normalized` | for a valid row the canonical value (for a 15-digit ID number the upgraded 18-digit number); for an invalid row the text after normalisation, as validated; empty when nothing was left |
//! | `valid` | `true` or `false` |
//! | `code` | stable snake_case rejection code ([`CodeError::code`] or [`LINE_TOO_LONG`]); empty for valid rows |
//! | `reason` | Chinese explanation of the rejection; empty for valid rows |
//! | `warnings` | every warning as `code:message`, joined by `；` (full-width semicolon); empty when none |
//!
//! # Speed and memory
//!
//! Input is read through a 256 KiB buffer and split on LF; the line buffer, the decoding
//! buffer and the warnings buffer are reused from line to line. Output goes through the
//! 64 KiB buffer of the `csv` writer, so `out` needs no `BufWriter` of its own. Memory use
//! does not depend on the size of the input.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::str::FromStr;

use anyhow::Context as _;
use chrono::NaiveDate;
use encoding_rs::GB18030;
use shijian_domain::id_number::parse_id_number;
use shijian_domain::uscc::{parse_uscc, CodeCheck, CodeError, Warning};

/// The header row of the report, in column order.
pub const HEADER: [&str; 6] = ["input", "normalized", "valid", "code", "reason", "warnings"];

/// Longest line (in bytes, without the line terminator) that is validated. Real values are
/// 15–18 characters plus perhaps some spaces; anything this long is not a code.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Rejection code of a line longer than [`MAX_LINE_BYTES`]. Not a [`CodeError`]: the line
/// was never handed to the validator.
pub const LINE_TOO_LONG: &str = "line_too_long";

/// How many characters of an over-long line are echoed in the `input` column.
const LONG_LINE_ECHO_CHARS: usize = 64;

/// Size of the read buffer.
const READ_CHUNK: usize = 256 * 1024;

/// Size of the CSV writer's output buffer.
const WRITE_BUFFER: usize = 64 * 1024;

/// Separator between warnings in the `warnings` column.
const WARNING_SEPARATOR: &str = "；";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What kind of value each line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Unified social credit code (统一社会信用代码), checked by [`parse_uscc`].
    Uscc,
    /// Resident ID number (居民身份证号码), checked by [`parse_id_number`]; 15-digit
    /// numbers are upgraded to 18 digits with a warning.
    IdNumber,
}

impl Kind {
    /// The canonical name, as accepted by [`FromStr`]: `uscc` or `id-number`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Uscc => "uscc",
            Self::IdNumber => "id-number",
        }
    }

    /// Chinese name, for messages.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Uscc => "统一社会信用代码",
            Self::IdNumber => "居民身份证号码",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = ParseNameError;

    /// Accepts `uscc`, and `id-number`, `id_number` or `id` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "uscc" => Ok(Self::Uscc),
            "id-number" | "id_number" | "id" => Ok(Self::IdNumber),
            _ => Err(ParseNameError {
                what: "校验类型",
                value: s.to_owned(),
                expected: "uscc、id-number",
            }),
        }
    }
}

/// Character encoding of the input.
///
/// Whatever the choice, invalid bytes are replaced by U+FFFD and never stop the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InputEncoding {
    /// Decide line by line: a UTF-8 byte-order mark at the start of the input is removed;
    /// a line that is valid UTF-8 is read as UTF-8, any other line as GB18030 (a superset
    /// of GBK and GB2312).
    ///
    /// Deciding per line keeps memory constant (nothing is buffered to sniff the file) and
    /// copes with files that mix both encodings, as concatenated exports do. Plain ASCII
    /// lines read the same either way. The one ambiguity is a GBK line whose bytes happen
    /// to form valid UTF-8 as well, which is rare for Chinese text but possible for very
    /// short lines; when the encoding is known, name it.
    #[default]
    Auto,
    /// UTF-8; a byte-order mark at the start of the input is removed.
    Utf8,
    /// GBK, decoded as GB18030 (its superset, so GB2312 and GBK files read the same).
    /// Bytes are taken as they are: a UTF-8 byte-order mark is *not* removed.
    Gbk,
}

impl InputEncoding {
    /// The canonical name, as accepted by [`FromStr`]: `auto`, `utf-8` or `gbk`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Utf8 => "utf-8",
            Self::Gbk => "gbk",
        }
    }
}

impl fmt::Display for InputEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for InputEncoding {
    type Err = ParseNameError;

    /// Accepts `auto`, `utf-8` / `utf8`, and `gbk` / `gb18030` / `gb2312` (all read as
    /// GB18030), ASCII case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "gbk" | "gb18030" | "gb2312" => Ok(Self::Gbk),
            _ => Err(ParseNameError {
                what: "输入编码",
                value: s.to_owned(),
                expected: "auto、utf-8、gbk",
            }),
        }
    }
}

/// An unknown name given for a [`Kind`] or an [`InputEncoding`]. The message is in
/// Chinese and lists the accepted names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNameError {
    what: &'static str,
    value: String,
    expected: &'static str,
}

impl fmt::Display for ParseNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "未知的{}“{}”，可选：{}",
            self.what, self.value, self.expected
        )
    }
}

impl std::error::Error for ParseNameError {}

/// Totals of one run. `lines == valid + invalid`, and `lines` is the number of report rows
/// (header excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Summary {
    /// Lines read, one report row each.
    pub lines: u64,
    /// Rows with `valid` = `true`.
    pub valid: u64,
    /// Rows with `valid` = `false`.
    pub invalid: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "共{}行：有效{}行，无效{}行",
            self.lines, self.valid, self.invalid
        )
    }
}

/// Validates `input`, one value per line, and writes the CSV report to `out` (see the
/// module docs for the exact format).
///
/// `today` is the reference date for ID numbers born "in the future"; `known_divisions`
/// says whether a six-digit address code is a known (current or retired) division, an
/// unknown one being only a warning. Both are ignored for [`Kind::Uscc`].
///
/// The report is flushed before returning. Invalid bytes never cause an error.
///
/// # Errors
///
/// Only I/O errors: reading `input` or writing `out` failed. Rows already written stay
/// written.
pub fn validate_stream(
    kind: Kind,
    input: impl Read,
    encoding: InputEncoding,
    out: impl Write,
    today: NaiveDate,
    known_divisions: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Summary> {
    let mut reader = BufReader::with_capacity(READ_CHUNK, input);
    let mut report = Report {
        writer: csv::WriterBuilder::new()
            .buffer_capacity(WRITE_BUFFER)
            .from_writer(out),
        kind,
        encoding,
        today,
        known_divisions,
        decoded: String::new(),
        warnings: String::new(),
        summary: Summary::default(),
    };
    report
        .writer
        .write_record(HEADER)
        .context("写出校验结果失败")?;

    // One byte over the limit so that a CR before the LF does not count against it.
    const LINE_BUFFER_LIMIT: usize = MAX_LINE_BYTES + 1;
    let mut line: Vec<u8> = Vec::with_capacity(256);
    // Whether bytes of the current line were dropped for exceeding the limit.
    let mut truncated = false;
    let mut first_line = true;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("读取输入失败"),
        };
        if chunk.is_empty() {
            // End of input: a last line without terminator is still a row (but a file
            // holding nothing but a byte-order mark is empty).
            let only_bom =
                first_line && encoding != InputEncoding::Gbk && line.as_slice() == UTF8_BOM;
            if !line.is_empty() && !only_bom {
                report.line(&line, truncated, first_line)?;
            }
            break;
        }
        let (content, ends_line, used) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true, i + 1),
            None => (chunk, false, chunk.len()),
        };
        let room = LINE_BUFFER_LIMIT - line.len().min(LINE_BUFFER_LIMIT);
        if content.len() > room {
            truncated = true;
        }
        line.extend_from_slice(&content[..content.len().min(room)]);
        reader.consume(used);
        if ends_line {
            report.line(&line, truncated, first_line)?;
            line.clear();
            truncated = false;
            first_line = false;
        }
    }
    report.writer.flush().context("写出校验结果失败")?;
    Ok(report.summary)
}

/// The state of one run: the writer, the options and the reusable buffers.
struct Report<'a, W: Write> {
    writer: csv::Writer<W>,
    kind: Kind,
    encoding: InputEncoding,
    today: NaiveDate,
    known_divisions: &'a dyn Fn(&str) -> bool,
    /// Decoding buffer for lines that are not borrowed as UTF-8.
    decoded: String,
    /// The `warnings` column being built.
    warnings: String,
    summary: Summary,
}

impl<W: Write> Report<'_, W> {
    /// Validates one line (without its LF; `truncated` if bytes were dropped from its
    /// end) and writes its row.
    fn line(&mut self, mut bytes: &[u8], truncated: bool, first_line: bool) -> anyhow::Result<()> {
        if first_line && self.encoding != InputEncoding::Gbk {
            bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        }
        if !truncated {
            bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        }
        let too_long = truncated || bytes.len() > MAX_LINE_BYTES;
        let text = decode(bytes, self.encoding, &mut self.decoded);
        self.summary.lines += 1;

        if too_long {
            self.summary.invalid += 1;
            let mut echo: String = text.chars().take(LONG_LINE_ECHO_CHARS).collect();
            echo.push('…');
            let reason = format!("该行超过{MAX_LINE_BYTES}字节，未作校验");
            return self
                .writer
                .write_record([echo.as_str(), "", "false", LINE_TOO_LONG, &reason, ""])
                .context("写出校验结果失败");
        }

        let outcome = match self.kind {
            Kind::Uscc => Outcome::from_check(parse_uscc(text)),
            Kind::IdNumber => {
                Outcome::from_check(parse_id_number(text, self.today, self.known_divisions))
            }
        };
        self.warnings.clear();
        for (i, warning) in outcome.warnings.iter().enumerate() {
            if i > 0 {
                self.warnings.push_str(WARNING_SEPARATOR);
            }
            self.warnings.push_str(warning.code());
            self.warnings.push(':');
            self.warnings.push_str(&warning.message());
        }
        let (valid, code, reason) = match &outcome.error {
            None => {
                self.summary.valid += 1;
                ("true", "", String::new())
            }
            Some(error) => {
                self.summary.invalid += 1;
                ("false", error.code(), error.reason())
            }
        };
        self.writer
            .write_record([
                text,
                outcome.normalized.as_deref().unwrap_or(""),
                valid,
                code,
                reason.as_str(),
                self.warnings.as_str(),
            ])
            .context("写出校验结果失败")
    }
}

/// What a row needs from a [`CodeCheck`], whatever the value type.
struct Outcome {
    normalized: Option<String>,
    error: Option<CodeError>,
    warnings: Vec<Warning>,
}

impl Outcome {
    /// For a valid check the canonical value replaces the normalised text (they differ
    /// only for an upgraded 15-digit ID number).
    fn from_check<T: Into<String>>(check: CodeCheck<T>) -> Self {
        let CodeCheck {
            normalized,
            result,
            warnings,
            ..
        } = check;
        match result {
            Ok(value) => Self {
                normalized: Some(value.into()),
                error: None,
                warnings,
            },
            Err(error) => Self {
                normalized,
                error: Some(error),
                warnings,
            },
        }
    }
}

/// Decodes one line. Valid UTF-8 (in UTF-8 or auto mode) is borrowed without copying;
/// everything else is decoded into `scratch`. Never fails: bad bytes become U+FFFD.
fn decode<'a>(bytes: &'a [u8], encoding: InputEncoding, scratch: &'a mut String) -> &'a str {
    match encoding {
        InputEncoding::Utf8 => match String::from_utf8_lossy(bytes) {
            Cow::Borrowed(text) => text,
            Cow::Owned(text) => {
                *scratch = text;
                scratch
            }
        },
        InputEncoding::Auto => match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => decode_gb18030(bytes, scratch),
        },
        InputEncoding::Gbk => match std::str::from_utf8(bytes) {
            // ASCII reads the same in GB18030; anything else must go through the decoder.
            Ok(text) if text.is_ascii() => text,
            _ => decode_gb18030(bytes, scratch),
        },
    }
}

fn decode_gb18030<'a>(bytes: &[u8], scratch: &'a mut String) -> &'a str {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    scratch.clear();
    // GB18030 never needs more than 3 output bytes per input byte, plus a little for a
    // trailing incomplete sequence; the exact bound comes from the decoder.
    let needed = decoder
        .max_utf8_buffer_length(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3).saturating_add(16));
    scratch.reserve(needed);
    let (_result, _read, _replaced) = decoder.decode_to_string(bytes, scratch, true);
    scratch
}
