//! Batch validation (`shijian::validate`): the CSV report, encodings (UTF-8, GBK, BOM,
//! auto-detection), line ends, normalisation warnings, ID numbers, and the rule that no
//! line is skipped and no byte aborts the run. The ignored `throughput_one_million_lines`
//! measures speed (see BENCHMARKS.md).

use std::io::Read;
use std::time::Instant;

use chrono::NaiveDate;
use shijian::validate::{
    validate_stream, InputEncoding, Kind, Summary, HEADER, LINE_TOO_LONG, MAX_LINE_BYTES,
};
use shijian_domain::id_number::id_check_char;
use shijian_domain::uscc::{org_code_check_char, parse_uscc, uscc_check_char};

const HEADER_LINE: &str = "input,normalized,valid,code,reason,warnings\n";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
}

/// Stand-in for the division table: everything in Hubei (42…) is known.
fn hubei(code: &str) -> bool {
    code.starts_with("42")
}

/// One parsed report row.
#[derive(Debug)]
struct Row {
    input: String,
    normalized: String,
    valid: String,
    code: String,
    reason: String,
    warnings: String,
}

/// Runs the validator over `input` and returns the raw report, the parsed rows and the
/// summary, checking on the way that the report parses back and agrees with the summary.
fn run_with(kind: Kind, input: impl Read, encoding: InputEncoding) -> (String, Vec<Row>, Summary) {
    let mut out = Vec::new();
    let summary = validate_stream(kind, input, encoding, &mut out, today(), &hubei).unwrap();
    let text = String::from_utf8(out).expect("the report is UTF-8");
    assert!(text.starts_with(HEADER_LINE), "{text}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        &csv::StringRecord::from(&HEADER[..])
    );
    let rows: Vec<Row> = reader
        .records()
        .map(|record| {
            let r = record.unwrap();
            assert_eq!(r.len(), 6, "{r:?}");
            Row {
                input: r[0].to_owned(),
                normalized: r[1].to_owned(),
                valid: r[2].to_owned(),
                code: r[3].to_owned(),
                reason: r[4].to_owned(),
                warnings: r[5].to_owned(),
            }
        })
        .collect();
    assert_eq!(summary.lines, rows.len() as u64);
    assert_eq!(summary.valid + summary.invalid, summary.lines);
    assert_eq!(
        summary.valid,
        rows.iter().filter(|r| r.valid == "true").count() as u64
    );
    for row in &rows {
        match row.valid.as_str() {
            "true" => assert!(row.code.is_empty() && row.reason.is_empty(), "{row:?}"),
            "false" => assert!(!row.code.is_empty() && has_chinese(&row.reason), "{row:?}"),
            other => panic!("valid column must be true/false, got {other:?}"),
        }
    }
    (text, rows, summary)
}

fn run(kind: Kind, input: &[u8], encoding: InputEncoding) -> (String, Vec<Row>, Summary) {
    run_with(kind, input, encoding)
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// A valid 18-digit ID number from its parts.
fn id(address: &str, birth: &str, seq: &str) -> String {
    let first17 = format!("{address}{birth}{seq}");
    format!("{first17}{}", id_check_char(&first17))
}

#[test]
fn acceptance_example_one_valid_one_bad_check_char() {
    let (text, rows, summary) = run(
        Kind::Uscc,
        b"91110000600037341L\n91110000600037341X\n",
        InputEncoding::Auto,
    );
    assert_eq!(
        summary,
        Summary {
            lines: 2,
            valid: 1,
            invalid: 1
        }
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(
        text.lines().nth(1),
        Some("91110000600037341L,91110000600037341L,true,,,")
    );
    let bad = &rows[1];
    assert_eq!(bad.input, "91110000600037341X");
    assert_eq!(bad.normalized, "91110000600037341X");
    assert_eq!(bad.valid, "false");
    assert_eq!(bad.code, "bad_check_char");
    assert!(bad.reason.contains("校验码"), "{}", bad.reason);
    assert!(bad.warnings.is_empty());
}

#[test]
fn gbk_input_is_decoded_in_auto_and_gbk_modes() {
    let source =
        "91110000600037341L\n荆门市东宝区某某有限公司\n９１１１００００６０００３７３４１Ｌ\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(source);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must not be UTF-8"
    );
    for encoding in [InputEncoding::Auto, InputEncoding::Gbk] {
        let (_, rows, summary) = run(Kind::Uscc, &bytes, encoding);
        assert_eq!(summary.lines, 3, "{encoding}");
        assert_eq!(rows[0].valid, "true");
        assert_eq!(rows[1].input, "荆门市东宝区某某有限公司", "{encoding}");
        assert_eq!(rows[1].code, "bad_length");
        assert_eq!(rows[2].input, "９１１１００００６０００３７３４１Ｌ");
        assert_eq!(rows[2].normalized, "91110000600037341L");
        assert_eq!(rows[2].valid, "true");
    }
    // Read as UTF-8 the same bytes are garbage, but every line is still reported.
    let (_, rows, summary) = run(Kind::Uscc, &bytes, InputEncoding::Utf8);
    assert_eq!(summary.lines, 3);
    assert_eq!(rows[0].valid, "true");
    assert!(rows[1].input.contains('\u{FFFD}'));
    assert_eq!(rows[1].valid, "false");
}

#[test]
fn auto_mode_decides_per_line() {
    // One UTF-8 line and one GBK line in the same file.
    let mut bytes = "荆门市\n".as_bytes().to_vec();
    bytes.extend_from_slice(&encoding_rs::GBK.encode("钟祥市\n").0);
    let (_, rows, _) = run(Kind::Uscc, &bytes, InputEncoding::Auto);
    let inputs: Vec<&str> = rows.iter().map(|r| r.input.as_str()).collect();
    assert_eq!(inputs, ["荆门市", "钟祥市"]);
}

#[test]
fn utf8_bom_is_removed() {
    let input = b"\xEF\xBB\xBF91110000600037341L\n91110000600037341X\n";
    for encoding in [InputEncoding::Auto, InputEncoding::Utf8] {
        let (text, rows, summary) = run(Kind::Uscc, input, encoding);
        assert!(!text.contains('\u{FEFF}'));
        assert_eq!(rows[0].input, "91110000600037341L", "{encoding}");
        assert_eq!(rows[0].valid, "true", "{encoding}");
        assert_eq!((summary.valid, summary.invalid), (1, 1));
    }
    // A file of nothing but a BOM has no lines; a BOM and a newline has one empty line.
    assert!(run(Kind::Uscc, b"\xEF\xBB\xBF", InputEncoding::Auto)
        .1
        .is_empty());
    let (_, rows, _) = run(Kind::Uscc, b"\xEF\xBB\xBF\r\n", InputEncoding::Auto);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].code, "empty");
    // Only at the start of the input: a BOM-like sequence later is data.
    let (_, rows, _) = run(
        Kind::Uscc,
        b"91110000600037341L\n\xEF\xBB\xBF91110000600037341L\n",
        InputEncoding::Auto,
    );
    assert_eq!(rows[1].valid, "false");
}

#[test]
fn crlf_and_missing_final_newline() {
    let (_, rows, summary) = run(
        Kind::Uscc,
        b"91110000600037341L\r\n91110000600037341X\r\n\r\n91350100M000100Y43",
        InputEncoding::Auto,
    );
    assert_eq!(summary.lines, 4);
    assert_eq!(rows[0].input, "91110000600037341L");
    assert_eq!(rows[0].valid, "true");
    assert_eq!(rows[1].code, "bad_check_char");
    assert_eq!(rows[2].input, "");
    assert_eq!(rows[2].code, "empty");
    assert_eq!(rows[3].input, "91350100M000100Y43");
    assert_eq!(rows[3].valid, "true");
}

#[test]
fn empty_lines_are_reported_not_skipped() {
    let (_, rows, summary) = run(
        Kind::Uscc,
        b"\n91110000600037341L\n\n   \n",
        InputEncoding::Auto,
    );
    // The final newline does not add a fifth row.
    assert_eq!(
        summary,
        Summary {
            lines: 4,
            valid: 1,
            invalid: 3
        }
    );
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["empty", "", "empty", "empty"]);
    assert!(rows[0].reason.contains("为空"));
    assert_eq!(rows[0].normalized, "");
    assert!(rows[3].warnings.starts_with("whitespace_removed:"));

    let (text, rows, summary) = run(Kind::Uscc, b"", InputEncoding::Auto);
    assert_eq!(text, HEADER_LINE);
    assert!(rows.is_empty());
    assert_eq!(summary, Summary::default());

    let (_, rows, _) = run(Kind::Uscc, b"\n", InputEncoding::Auto);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].code, "empty");
}

#[test]
fn normalisation_shows_in_normalized_and_warnings() {
    let (_, rows, _) = run(
        Kind::Uscc,
        " ９１１１００００６０００３７３４１ｌ \n91110000600037341l\n911101005JLR20JR60\n"
            .as_bytes(),
        InputEncoding::Auto,
    );
    let row = &rows[0];
    assert_eq!(row.valid, "true");
    assert_eq!(row.input, " ９１１１００００６０００３７３４１ｌ ");
    assert_eq!(row.normalized, "91110000600037341L");
    assert_eq!(
        row.warnings,
        "whitespace_removed:已去除空格；full_width_converted:已将全角字符转换为半角；\
         lowercase_converted:已将小写字母转换为大写"
    );
    assert_eq!(rows[1].normalized, "91110000600037341L");
    assert_eq!(
        rows[1].warnings,
        "lowercase_converted:已将小写字母转换为大写"
    );
    // Valid, with a secondary warning about the embedded organisation code.
    assert_eq!(rows[2].valid, "true");
    assert!(
        rows[2]
            .warnings
            .starts_with("org_code_check_failed:主体标识码"),
        "{}",
        rows[2].warnings
    );
}

#[test]
fn id_numbers_legacy_upgrade_divisions_and_dates() {
    let current = id("420802", "19900101", "123");
    let foreign = id("110101", "19800101", "123");
    let future = id("420802", "20260502", "123");
    let upgraded = format!("35030319900203307{}", id_check_char("35030319900203307"));
    let input = format!(
        "{current}\n350303900203307\n{foreign}\n{future}\n{}x\n42080219900101123\n",
        &id("440113", "20141005", "001")[..17]
    );
    let (_, rows, summary) = run(Kind::IdNumber, input.as_bytes(), InputEncoding::Auto);
    assert_eq!(summary.lines, 6);

    assert_eq!(rows[0].valid, "true");
    assert_eq!(rows[0].normalized, current);
    assert!(rows[0].warnings.is_empty());

    // 15 digits: accepted, the normalized column holds the upgraded 18-digit number.
    let legacy = &rows[1];
    assert_eq!(legacy.input, "350303900203307");
    assert_eq!(legacy.valid, "true");
    assert_eq!(legacy.normalized, upgraded);
    assert_eq!(
        legacy.warnings,
        "legacy_15_digit:15位旧身份证号码已按GB 11643升级为18位；\
         unknown_division:地址码350303不在已知的行政区划代码（含已撤销代码）中，请核对"
    );

    assert_eq!(rows[2].valid, "true");
    assert!(rows[2]
        .warnings
        .starts_with("unknown_division:地址码110101"));

    assert_eq!(rows[3].code, "future_birth_date");
    assert!(rows[3].reason.contains("晚于"));

    assert_eq!(rows[4].valid, "true");
    assert!(rows[4].normalized.ends_with('X'));
    assert!(rows[4].warnings.contains("lowercase_converted"));

    assert_eq!(rows[5].code, "bad_length");
}

#[test]
fn awkward_values_round_trip_through_csv_quoting() {
    let values = [
        "91110000600037341L,\"quoted\"",
        "a\rb",
        "=SUM(A1:A2)",
        "逗号，分号；",
    ];
    let input = values.join("\n");
    let (_, rows, _) = run(Kind::Uscc, input.as_bytes(), InputEncoding::Auto);
    let inputs: Vec<&str> = rows.iter().map(|r| r.input.as_str()).collect();
    assert_eq!(inputs, values);
    assert!(rows.iter().all(|r| r.valid == "false"));
}

#[test]
fn invalid_bytes_never_abort() {
    let input = b"\xFF\xFE\x80\n91110000600037341L\n\x81\n\xC3\x28\n";
    for encoding in [InputEncoding::Auto, InputEncoding::Utf8, InputEncoding::Gbk] {
        let (_, rows, summary) = run(Kind::Uscc, input, encoding);
        assert_eq!(summary.lines, 4, "{encoding}");
        assert_eq!(summary.valid, 1, "{encoding}");
        assert_eq!(rows[1].valid, "true");
        assert!(rows[0].input.contains('\u{FFFD}'), "{encoding}: {rows:?}");
    }
}

/// A reader that hands out one byte per call, to put every chunk boundary everywhere.
struct OneByteAtATime<'a>(&'a [u8]);

impl Read for OneByteAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&byte, rest)), Some(slot)) => {
                *slot = byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn chunk_boundaries_do_not_matter() {
    let mut input = b"\xEF\xBB\xBF91110000600037341L\r\n\r\n".to_vec();
    input.extend_from_slice(
        &encoding_rs::GBK
            .encode("荆门市\r\n９１１１００００６０００３７３４１ｌ")
            .0,
    );
    for encoding in [InputEncoding::Auto, InputEncoding::Gbk] {
        let whole = run(Kind::Uscc, &input, encoding).0;
        let trickled = run_with(Kind::Uscc, OneByteAtATime(&input), encoding).0;
        assert_eq!(whole, trickled, "{encoding}");
    }
    let (_, rows, _) = run_with(Kind::Uscc, OneByteAtATime(&input), InputEncoding::Auto);
    let inputs: Vec<&str> = rows.iter().map(|r| r.input.as_str()).collect();
    assert_eq!(
        inputs,
        [
            "91110000600037341L",
            "",
            "荆门市",
            "９１１１００００６０００３７３４１ｌ"
        ]
    );
    assert_eq!(rows[3].valid, "true");
}

#[test]
fn over_long_lines_are_reported_without_being_kept() {
    let mut input = vec![b'9'; MAX_LINE_BYTES * 3];
    input.extend_from_slice(b"\n91110000600037341L\n");
    input.extend(std::iter::repeat_n(b'A', MAX_LINE_BYTES + 1));
    let (_, rows, summary) = run(Kind::Uscc, &input, InputEncoding::Auto);
    assert_eq!(
        summary,
        Summary {
            lines: 3,
            valid: 1,
            invalid: 2
        }
    );
    assert_eq!(rows[0].code, LINE_TOO_LONG);
    assert!(rows[0].input.len() < 100 && rows[0].input.ends_with('…'));
    assert_eq!(rows[1].valid, "true");
    assert_eq!(rows[2].code, LINE_TOO_LONG);
    // The limit excludes the line terminator: a line of exactly the limit is validated,
    // one byte more is not, with or without CR.
    for (len, ending, code) in [
        (MAX_LINE_BYTES, &b"\r\n"[..], "bad_length"),
        (MAX_LINE_BYTES, b"\n", "bad_length"),
        (MAX_LINE_BYTES + 1, b"\r\n", LINE_TOO_LONG),
        (MAX_LINE_BYTES + 1, b"\n", LINE_TOO_LONG),
        (MAX_LINE_BYTES + 1, b"", LINE_TOO_LONG),
    ] {
        let mut input = vec![b'9'; len];
        input.extend_from_slice(ending);
        let (_, rows, _) = run(Kind::Uscc, &input, InputEncoding::Auto);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].code, code, "{len} {ending:?}");
    }
}

#[test]
fn write_errors_are_reported() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "closed",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let result = validate_stream(
        Kind::Uscc,
        &b"91110000600037341L\n"[..],
        InputEncoding::Auto,
        Broken,
        today(),
        &hubei,
    );
    assert!(result.is_err());
}

#[test]
fn option_names() {
    for (name, encoding) in [
        ("auto", InputEncoding::Auto),
        ("utf-8", InputEncoding::Utf8),
        ("UTF8", InputEncoding::Utf8),
        ("gbk", InputEncoding::Gbk),
        ("GB18030", InputEncoding::Gbk),
    ] {
        assert_eq!(name.parse::<InputEncoding>(), Ok(encoding));
    }
    assert_eq!(
        InputEncoding::Utf8.to_string().parse::<InputEncoding>(),
        Ok(InputEncoding::Utf8)
    );
    let error = "latin1".parse::<InputEncoding>().unwrap_err().to_string();
    assert!(error.contains("latin1") && error.contains("gbk"), "{error}");
    assert_eq!("uscc".parse::<Kind>(), Ok(Kind::Uscc));
    assert_eq!("id-number".parse::<Kind>(), Ok(Kind::IdNumber));
    assert!("passport".parse::<Kind>().is_err());
    assert_eq!(
        Summary {
            lines: 3,
            valid: 2,
            invalid: 1
        }
        .to_string(),
        "共3行：有效2行，无效1行"
    );
}

/// Generates `n` lines like a real export: mostly valid codes (with a valid embedded
/// organisation code), every 10th with a wrong check character, every 10th lower-case,
/// every 100th empty.
fn generate_uscc_lines(n: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut out = Vec::with_capacity(n * 20);
    for i in 0..n {
        if i % 100 == 99 {
            out.push(b'\n');
            continue;
        }
        let body = format!("{:08}", i * 7 % 100_000_000);
        let org = format!("{body}{}", org_code_check_char(&body).unwrap());
        let first17 = format!("91420802{org}");
        let mut check = uscc_check_char(&first17).unwrap();
        if i % 10 == 3 {
            let pos = ALPHABET
                .iter()
                .position(|&c| char::from(c) == check)
                .unwrap();
            check = char::from(ALPHABET[(pos + 1) % ALPHABET.len()]);
        }
        let mut line = format!("{first17}{check}");
        if i % 10 == 7 {
            line.make_ascii_lowercase();
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

fn max_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `f` three times and returns the median and best wall time in seconds.
fn timed(mut f: impl FnMut()) -> (f64, f64) {
    let mut secs: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    secs.sort_by(f64::total_cmp);
    (secs[1], secs[0])
}

/// `cargo test --release -p shijian --test validate -- --ignored --nocapture`
#[test]
#[ignore = "benchmark; run in release mode"]
fn throughput_one_million_lines() {
    const LINES: usize = 1_000_000;
    const INVALID: u64 = 100_000 + 10_000;
    let input = generate_uscc_lines(LINES);
    println!(
        "input: {LINES} lines, {} bytes; median and best of 3 runs",
        input.len()
    );
    let report = |what: &str, (median, best): (f64, f64)| {
        println!(
            "{what:<42} median {median:.3} s = {:>9.0} lines/s (best {best:.3} s)",
            LINES as f64 / median
        );
    };
    for encoding in [InputEncoding::Auto, InputEncoding::Gbk] {
        let times = timed(|| {
            let summary = validate_stream(
                Kind::Uscc,
                input.as_slice(),
                encoding,
                std::io::sink(),
                today(),
                &hubei,
            )
            .unwrap();
            assert_eq!(summary.lines, LINES as u64);
            assert_eq!(summary.invalid, INVALID);
        });
        report(
            &format!("validate_stream uscc, {encoding}, into sink"),
            times,
        );
    }
    let times = timed(|| {
        let mut out = Vec::new();
        validate_stream(
            Kind::Uscc,
            input.as_slice(),
            InputEncoding::Auto,
            &mut out,
            today(),
            &hubei,
        )
        .unwrap();
        assert_eq!(bytecount_lines(&out), LINES + 1);
    });
    report("validate_stream uscc, auto, into a Vec", times);
    // For comparison: the domain parser alone over the same lines, no I/O, no CSV.
    let times = timed(|| {
        let valid = input
            .split(|&b| b == b'\n')
            .take(LINES)
            .filter(|line| parse_uscc(std::str::from_utf8(line).unwrap()).is_valid())
            .count();
        assert_eq!(valid as u64, LINES as u64 - INVALID);
    });
    report("parse_uscc alone (no decoding, no CSV)", times);
    if let Some(kib) = max_rss_kib() {
        println!("max RSS of the test process (input and report held in memory): {kib} KiB");
    }
}

fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}
