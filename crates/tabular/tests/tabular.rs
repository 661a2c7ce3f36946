//! End-to-end tests of the public API: files as bytes, read back as rows.

use std::io::{Read, Seek, SeekFrom};

use shijian_tabular::{detect, read, CsvWriter, Format, Table, TabularError, XlsxWriter};

fn rows(table: &Table) -> Vec<(usize, Vec<&str>)> {
    table
        .rows()
        .map(|(n, cells)| (n, cells.iter().map(String::as_str).collect()))
        .collect()
}

fn csv(text: &str) -> Table {
    read(text.as_bytes()).unwrap()
}

// ---------------------------------------------------------------------------------------
// XLSX

#[test]
fn xlsx_written_by_xlsx_writer_reads_back_verbatim() {
    let headers = ["名称", "统一社会信用代码", "成立日期", "备注", "公式"];
    let mut w = XlsxWriter::new("经营主体", &headers).unwrap();
    w.write_row(&[
        "荆门市东宝区示例商店",
        "91420800MA4950XXXX",
        "2020-01-05",
        "",
        "=1+1",
    ])
    .unwrap();
    w.write_row(&[
        "京山市示例公司",
        "914208000000000000",
        "00123",
        "含\n换行",
        "-5",
    ])
    .unwrap();
    let bytes = w.finish().unwrap();

    assert_eq!(detect(&bytes), Format::Xlsx);
    let table = read(&bytes).unwrap();
    assert_eq!(table.format(), Format::Xlsx);
    assert_eq!(table.headers, headers);
    assert_eq!(table.header_row(), 1);
    assert_eq!(
        rows(&table),
        vec![
            (
                2,
                vec![
                    "荆门市东宝区示例商店",
                    "91420800MA4950XXXX",
                    "2020-01-05",
                    "",
                    "=1+1"
                ]
            ),
            (
                3,
                vec![
                    "京山市示例公司",
                    "914208000000000000",
                    "00123",
                    "含\n换行",
                    "-5"
                ]
            ),
        ]
    );
    assert_eq!(table.overflowing_rows().count(), 0);
}

#[test]
fn xlsx_writer_with_no_rows_reads_as_header_only() {
    let bytes = XlsxWriter::new("导出", &["a", "b"])
        .unwrap()
        .finish()
        .unwrap();
    let table = read(&bytes).unwrap();
    assert_eq!(table.headers, ["a", "b"]);
    assert!(table.is_empty());
    assert_eq!(table.len(), 0);
}

#[test]
fn xlsx_writer_refuses_rows_of_the_wrong_width() {
    let mut w = XlsxWriter::new("s", &["a", "b"]).unwrap();
    w.write_row(&["1", "2"]).unwrap();
    let err = w.write_row(&["only one"]).unwrap_err();
    assert_eq!(err.code(), "row_width");
    assert!(matches!(
        err,
        TabularError::RowWidth {
            row: 3,
            expected: 2,
            got: 1
        }
    ));
    assert!(err.to_string().contains("第 3 行"), "{err}");
    // The writer is still usable after a refused row.
    w.write_row(&["3", "4"]).unwrap();
    let table = read(&w.finish().unwrap()).unwrap();
    assert_eq!(table.len(), 2);
}

#[test]
fn xlsx_writer_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<XlsxWriter>();
    assert_send::<Table>();
}

/// A workbook typed by hand in Excel: numbers, dates, booleans, a blank row.
#[test]
fn xlsx_numbers_and_dates_render_as_excel_shows_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let headers = [
        "信用代码",
        "成立日期",
        "登记日期",
        "注册资本",
        "比例",
        "小数",
        "是否",
        "登记时间",
    ];
    for (col, h) in (0u16..).zip(headers) {
        sheet.write_string(0, col, h).unwrap();
    }
    sheet.write_number(1, 0, 914_208_000_000_000_000.0).unwrap();
    sheet.write_number(1, 1, 20_200_105.0).unwrap();
    sheet
        .write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2020, 1, 5).unwrap(), &date)
        .unwrap();
    sheet.write_number(1, 3, 500.0).unwrap();
    sheet.write_number(1, 4, 12.5).unwrap();
    sheet.write_number(1, 5, 0.1).unwrap();
    sheet.write_boolean(1, 6, true).unwrap();
    sheet
        .write_datetime_with_format(
            1,
            7,
            ExcelDateTime::from_ymd(2021, 12, 31)
                .unwrap()
                .and_hms(8, 30, 15)
                .unwrap(),
            &datetime,
        )
        .unwrap();
    // Row 3 left blank; row 4 has a number as text-less integer and a false.
    sheet.write_number(3, 0, -42.0).unwrap();
    sheet.write_boolean(3, 6, false).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let table = read(&bytes).unwrap();
    assert_eq!(table.headers, headers);
    assert_eq!(
        rows(&table),
        vec![
            (
                2,
                vec![
                    "9.14208E+17",
                    "20200105",
                    "2020-01-05",
                    "500",
                    "12.5",
                    "0.1",
                    "TRUE",
                    "2021-12-31 08:30:15"
                ]
            ),
            (4, vec!["-42", "", "", "", "", "", "FALSE", ""]),
        ]
    );
}

#[test]
fn xlsx_rows_keep_their_sheet_numbers_when_the_header_is_not_first() {
    use rust_xlsxwriter::Workbook;

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    // Rows 1–2 empty, header in row 3 starting at column B, data in rows 4 and 6,
    // and a stray value right of the last header in row 6.
    sheet.write_string(2, 1, "  名称\u{3000}").unwrap();
    sheet.write_string(2, 2, "\u{feff}代码").unwrap();
    sheet.write_string(3, 1, "甲").unwrap();
    sheet.write_string(3, 2, "1").unwrap();
    sheet.write_string(5, 1, "乙").unwrap();
    sheet.write_string(5, 4, "多出来的").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let table = read(&bytes).unwrap();
    assert_eq!(table.header_row(), 3);
    assert_eq!(table.headers, ["名称", "代码"]);
    assert_eq!(
        rows(&table),
        vec![(4, vec!["甲", "1"]), (6, vec!["乙", ""])]
    );
    assert_eq!(table.overflowing_rows().collect::<Vec<_>>(), vec![(6, 4)]);
}

#[test]
fn xlsx_with_an_empty_first_sheet_is_empty() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    workbook.add_worksheet();
    let bytes = workbook.save_to_buffer().unwrap();
    assert_eq!(read(&bytes).unwrap_err().code(), "empty");
}

#[test]
fn a_broken_zip_is_an_xlsx_error() {
    let err = read(b"PK\x03\x04 definitely not a workbook").unwrap_err();
    assert_eq!(err.code(), "xlsx_read");
    assert!(err.to_string().starts_with("无法读取 Excel 文件"), "{err}");
}

// ---------------------------------------------------------------------------------------
// XLS (legacy)

#[test]
fn legacy_xls_reads_like_xlsx() {
    // Made by tests/fixtures/make_legacy_xls.py (xlwt): Excel 97–2003 BIFF8.
    let bytes = include_bytes!("fixtures/legacy.xls");
    assert_eq!(detect(bytes), Format::Xls);
    let table = read(bytes).unwrap();
    assert_eq!(table.format(), Format::Xls);
    assert_eq!(
        table.headers,
        ["名称", "统一社会信用代码", "成立日期", "注册资本"]
    );
    assert_eq!(
        rows(&table),
        vec![
            (
                2,
                vec![
                    "荆门市东宝区示例商店",
                    "91420800MA4950XXXX",
                    "2020-01-05",
                    "500"
                ]
            ),
            (4, vec!["京山市示例公司", "9.14208E+17", "20200105", "12.5"]),
        ]
    );
}

#[test]
fn an_encrypted_workbook_is_reported_as_such() {
    // The OLE2 signature followed by the directory entry name of an encrypted package.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend(vec![0u8; 100]);
    bytes.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
    let err = read(&bytes).unwrap_err();
    assert_eq!(err.code(), "encrypted");
    assert!(err.to_string().contains("密码"), "{err}");
}

// ---------------------------------------------------------------------------------------
// CSV encodings and delimiters

const EXPECTED_HEADERS: [&str; 3] = ["名称", "统一社会信用代码", "地址"];

fn assert_sample(table: &Table) {
    assert_eq!(table.headers, EXPECTED_HEADERS);
    assert_eq!(
        rows(table),
        vec![
            (
                2,
                vec!["荆门市示例商店", "91420800MA4950XXXX", "东宝区长宁大道"]
            ),
            (3, vec!["钟祥市示例公司", "914208000000000000", ""]),
        ]
    );
}

const SAMPLE: &str = "名称,统一社会信用代码,地址\r\n荆门市示例商店,91420800MA4950XXXX,东宝区长宁大道\r\n钟祥市示例公司,914208000000000000,\r\n";

#[test]
fn csv_utf8_without_bom() {
    let table = csv(SAMPLE);
    assert_eq!(table.format(), Format::Csv);
    assert_sample(&table);
}

#[test]
fn csv_utf8_with_bom() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(SAMPLE.as_bytes());
    assert_sample(&read(&bytes).unwrap());
}

#[test]
fn csv_gbk() {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(SAMPLE);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "must really be GBK");
    assert_sample(&read(&bytes).unwrap());
}

#[test]
fn csv_utf16le_with_bom_tab_separated() {
    // Excel's “Unicode text” export.
    let text = SAMPLE.replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_sample(&read(&bytes).unwrap());
}

#[test]
fn csv_utf16be_with_bom() {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(SAMPLE.encode_utf16().flat_map(u16::to_be_bytes));
    assert_sample(&read(&bytes).unwrap());
}

#[test]
fn csv_semicolon_separated() {
    assert_sample(&csv(&SAMPLE.replace(',', ";")));
}

#[test]
fn csv_bytes_in_no_known_encoding_are_refused() {
    // 0x81 starts a GB18030 multi-byte sequence; 0x20 cannot continue it.
    let err = read(b"a,b\r\n\x81\x20,c\r\n").unwrap_err();
    assert_eq!(err.code(), "unknown_encoding");
}

#[test]
fn web_pages_and_binaries_named_like_spreadsheets_are_refused() {
    for page in [
        "<html><body><table><tr><td>名称</td></tr></table></body></html>",
        "\u{feff}  <!DOCTYPE html>\n<html>",
        "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">",
    ] {
        let err = read(page.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "unsupported_file", "{page}");
        assert!(err.to_string().contains("网页"), "{err}");
    }
    let err = read(b"\x00\x01\x02binary").unwrap_err();
    assert_eq!(err.code(), "unsupported_file");
}

// ---------------------------------------------------------------------------------------
// CSV rows

#[test]
fn csv_blank_lines_are_skipped_but_counted() {
    let table = csv("a,b\n1,2\n\n , \u{3000}\n3,4\n");
    assert_eq!(rows(&table), vec![(2, vec!["1", "2"]), (5, vec!["3", "4"])]);
}

#[test]
fn csv_blank_lines_before_the_header_are_counted() {
    let table = csv("\n\na,b\n1,2\n");
    assert_eq!(table.header_row(), 3);
    assert_eq!(rows(&table), vec![(4, vec!["1", "2"])]);
}

/// A record with quoted line breaks is one row, numbered where it starts; later rows are
/// numbered as Excel shows them (one row per record), not by text line.
#[test]
fn csv_quoted_fields_with_commas_quotes_and_line_breaks() {
    let text = "名称,地址,备注\r\n\"甲,乙\",\"第一行\r\n第二行\r\n第三行\",\"他说\"\"好\"\"\"\r\n\r\n丙,丁,戊\r\n";
    let table = csv(text);
    assert_eq!(
        rows(&table),
        vec![
            (2, vec!["甲,乙", "第一行\r\n第二行\r\n第三行", "他说\"好\""]),
            (4, vec!["丙", "丁", "戊"]),
        ]
    );
}

#[test]
fn csv_cells_are_trimmed_and_rows_fitted_to_the_header() {
    let text =
        "\u{feff}\u{feff} 名称 ,\u{a0}代码\u{3000},,\n\u{3000}甲\u{3000},\u{a0}1 2\u{a0}\n乙,2,x,溢出\n丙,3,,,\n";
    let table = csv(text);
    // Trailing empty header cells are not columns; the BOM is gone from the first header.
    assert_eq!(table.headers, ["名称", "代码"]);
    assert_eq!(
        rows(&table),
        vec![
            (2, vec!["甲", "1 2"]),
            (3, vec!["乙", "2"]),
            (4, vec!["丙", "3"]),
        ]
    );
    // Row 3 lost "x" and "溢出"; row 4 only lost empty cells.
    assert_eq!(table.overflowing_rows().collect::<Vec<_>>(), vec![(3, 4)]);
}

#[test]
fn empty_and_header_only_files() {
    for empty in [&b""[..], b"\xEF\xBB\xBF", b"\r\n\r\n", b"  \n\t\n"] {
        let err = read(empty).unwrap_err();
        assert_eq!(err.code(), "empty", "{empty:?}");
        assert_eq!(err.to_string(), "文件是空的：没有任何内容");
    }
    let err = read(b",,\r\n,\r\n").unwrap_err();
    assert_eq!(err.code(), "no_header");

    let table = csv("名称,代码\r\n");
    assert_eq!(table.headers, ["名称", "代码"]);
    assert!(table.is_empty());
    assert_eq!(table.rows().count(), 0);

    let table = csv("名称,代码");
    assert_eq!(table.headers, ["名称", "代码"]);
    assert!(table.is_empty());
}

// ---------------------------------------------------------------------------------------
// CSV writer

#[test]
fn csv_writer_output_is_what_excel_expects() {
    let mut w = CsvWriter::new(Vec::new(), &["名称", "公式", "备注"]).unwrap();
    w.write_row(&["荆门,东宝", "=1+1", "说\"好\""]).unwrap();
    w.write_row(&["@SUM(A1)", "-5", "两\n行"]).unwrap();
    w.write_row(&["", "+1", "914208000000000000"]).unwrap();
    let bytes = w.finish().unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert_eq!(
        text,
        "\u{feff}名称,公式,备注\r\n\
         \"荆门,东宝\",'=1+1,\"说\"\"好\"\"\"\r\n\
         '@SUM(A1),'-5,\"两\n行\"\r\n\
         ,'+1,914208000000000000\r\n"
    );

    // And it reads back (the guard apostrophes stay: they are part of the text).
    let table = read(&bytes).unwrap();
    assert_eq!(table.headers, ["名称", "公式", "备注"]);
    assert_eq!(
        rows(&table),
        vec![
            (2, vec!["荆门,东宝", "'=1+1", "说\"好\""]),
            (3, vec!["'@SUM(A1)", "'-5", "两\n行"]),
            (4, vec!["", "'+1", "914208000000000000"]),
        ]
    );
}

#[test]
fn csv_writer_refuses_rows_of_the_wrong_width() {
    let mut w = CsvWriter::new(Vec::new(), &["a", "b"]).unwrap();
    let err = w.write_row(&["1", "2", "3"]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let inner = err
        .get_ref()
        .unwrap()
        .downcast_ref::<TabularError>()
        .unwrap();
    assert_eq!(inner.code(), "row_width");
}

#[test]
fn csv_writer_writes_to_a_file() {
    let mut file = tempfile::tempfile().unwrap();
    let mut w = CsvWriter::new(&mut file, &["名称"]).unwrap();
    w.write_row(&["荆门"]).unwrap();
    w.finish().unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    assert_eq!(bytes, "\u{feff}名称\r\n荆门\r\n".as_bytes());
}

/// 300,000 rows through the XLSX writer and back. Slow unoptimised: run with
/// `cargo test --release -p shijian-tabular -- --ignored`.
#[test]
#[ignore = "large: 300,000 rows"]
fn xlsx_writer_handles_300k_rows() {
    let headers = ["序号", "名称", "统一社会信用代码", "地址", "成立日期"];
    let mut w = XlsxWriter::new("导出", &headers).unwrap();
    for i in 0..300_000u32 {
        let n = i.to_string();
        let name = format!("荆门市示例商店{i}");
        let code = format!("91420800{i:010}");
        w.write_row(&[&n, &name, &code, "东宝区长宁大道 1 号", "2020-01-05"])
            .unwrap();
    }
    let bytes = w.finish().unwrap();
    let table = read(&bytes).unwrap();
    assert_eq!(table.len(), 300_000);
    let (row, cells) = table.rows().last().unwrap();
    assert_eq!(row, 300_001);
    assert_eq!(cells[2], "914208000000299999");
}
