//! Spreadsheet files as plain rows of text: bytes in, rows out; rows in, bytes out.
//!
//! This crate owns the file formats of imports and exports, and nothing else:
//!
//! - **Reading** ([`read`]): the CSV and Excel files that county bureaus export from their old
//!   registration systems become a [`Table`]: the header row and the data rows as trimmed
//!   strings, each with the row number a person sees in Excel. CSV in UTF-8 (with or without
//!   a byte order mark), GB18030/GBK, or UTF-16 with a byte order mark (Excel's “Unicode
//!   text”), separated by commas, tabs or semicolons; the first worksheet of an `.xlsx`
//!   (or legacy `.xls`) workbook, with numbers and dates rendered as text by fixed rules
//!   (see [`read`]).
//! - **Writing** ([`CsvWriter`], [`XlsxWriter`]): exports that Excel opens correctly: CSV
//!   with a byte order mark and a formula-injection guard; XLSX with every cell stored as
//!   text, so credit codes and ID numbers keep all their digits, streamed in constant
//!   memory.
//!
//! It knows no business rule: it does not map headers to fields, validate values, touch a
//! database or decide what a long number means. The caller does, with the row numbers this
//! crate reports so that a person can find the offending row.
//!
//! Reading holds the whole file and table in memory: callers bound the upload size.

mod error;
mod read;
mod write;

pub use error::TabularError;
pub use read::{read, Table};
pub use write::{CsvWriter, XlsxWriter};

/// The container a file's bytes are in, as far as [`detect`] can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Delimited text (anything that is not one of the other two).
    Csv,
    /// A ZIP container: an Office Open XML workbook (`.xlsx`).
    Xlsx,
    /// An OLE2 compound document: a legacy Excel 97–2003 workbook (`.xls`), or an `.xlsx`
    /// protected by a password to open (Excel encrypts those into the same container).
    Xls,
}

/// Sniffs the bytes: a ZIP signature (`PK\x03\x04`) is xlsx, an OLE2 compound document
/// signature (`D0 CF 11 E0 A1 B1 1A E1`) is legacy xls, anything else CSV. File names and
/// MIME types are not consulted: old systems often name a CSV or a web page `.xls`.
#[must_use]
pub fn detect(bytes: &[u8]) -> Format {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(ZIP) {
        Format::Xlsx
    } else if bytes.starts_with(OLE2) {
        Format::Xls
    } else {
        Format::Csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_sniffs_signatures() {
        assert_eq!(detect(b"PK\x03\x04rest"), Format::Xlsx);
        assert_eq!(
            detect(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Format::Xls
        );
        assert_eq!(detect(b"PK"), Format::Csv);
        assert_eq!(detect(b"a,b\n1,2\n"), Format::Csv);
        assert_eq!(detect(b""), Format::Csv);
    }
}
