//! Renders the real templates and reads the PDFs back with poppler's `pdftotext` and
//! `pdffonts` (Debian package poppler-utils). Without them the PDF checks are skipped,
//! unless `SHIJIAN_TEST_STRICT=1` (scripts/test.sh), where they fail.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use shijian_documents::{DocumentError, Engine, Fields};

const NUMBER: &str = "荆市监异列〔2026〕3号";
const ENTITY: &str = "荆门市掇刀区汉通商贸有限公司";
const USCC: &str = "91420800MA4F2XKQ7Y";

fn sample(engine: &Engine, template: &str) -> Fields {
    let mut fields = Fields::new();
    for field in engine.fields_of(template).unwrap() {
        let value = match field.name.as_str() {
            "bureau_name" => "荆门市市场监督管理局",
            "document_number" if template == "simplified_deregistration_notice" => {
                "荆市监简销〔2026〕5号"
            }
            "document_number" => NUMBER,
            "entity_name" => ENTITY,
            "uscc" => USCC,
            "listing_reason" => "未按照《企业信息公示暂行条例》第八条规定的期限公示2025年度报告",
            "legal_basis" => "《企业经营异常名录管理办法》第四条第（一）项",
            "removal_reason" => "你单位已于2026年6月1日补报并公示2025年度报告",
            "listing_number" => "荆市监异列〔2026〕1号",
            "review_authority" => "荆门市人民政府",
            "court" => "荆门市东宝区人民法院",
            "decision_date" => "2026-07-15",
            "listing_date" => "2026-03-02",
            "application_date" => "2026-06-01",
            "notice_start" => "2026-06-02",
            "notice_end" => "2026-06-21",
            "deregistration_date" => "2026-07-15",
            _ if field.is_date => "2026-06-10",
            other => panic!("no sample value for {template}.{other}"),
        };
        fields.insert(field.name.clone(), value);
    }
    fields
}

fn fields_number(engine: &Engine, template: &str) -> String {
    sample(engine, template)
        .get("document_number")
        .unwrap()
        .to_owned()
}

fn strict() -> bool {
    std::env::var("SHIJIAN_TEST_STRICT").is_ok_and(|v| v == "1")
}

/// Runs a poppler tool on the PDF; `None` when the tool is missing (and not strict).
fn poppler(tool: &str, pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = Command::new(tool);
    if tool == "pdftotext" {
        cmd.args(["-enc", "UTF-8"]).arg(&path).arg("-");
    } else {
        cmd.arg(&path);
    }
    match cmd.output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                out.stderr.is_empty(),
                "{tool} complained: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !strict() => {
            eprintln!("SKIPPED: {tool} not installed (apt-get install poppler-utils)");
            None
        }
        Err(e) => panic!("cannot run {tool} (apt-get install poppler-utils): {e}"),
    }
}

/// pdftotext's text without line breaks, so that wrapped sentences can be found.
fn joined(text: &str) -> String {
    text.replace('\n', "")
}

#[test]
fn every_template_renders_and_pdftotext_reads_its_chinese_text() {
    let engine = Engine::embedded();
    let expectations = [
        (
            "abnormal_listing_decision",
            "列入经营异常名录决定书",
            "我局决定自2026年7月15日起将你单位列入经营异常名录",
        ),
        (
            "abnormal_removal_decision",
            "移出经营异常名录决定书",
            "我局决定自2026年7月15日起将你单位移出经营异常名录",
        ),
        (
            "simplified_deregistration_notice",
            "准予简易注销登记通知书",
            "我局决定准予你单位简易注销登记",
        ),
    ];
    assert_eq!(
        engine.template_names(),
        expectations.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    for (name, title, sentence) in expectations {
        let started = Instant::now();
        let fields = sample(&engine, name);
        let doc = engine.render(name, &fields).unwrap();
        let elapsed = started.elapsed();
        eprintln!(
            "{name}: {} bytes, {} page(s), rendered in {elapsed:?}",
            doc.pdf.len(),
            doc.pages
        );
        assert!(doc.pdf.starts_with(b"%PDF-"));
        assert!(
            doc.pdf.len() < 200 * 1024,
            "{name}: {} bytes",
            doc.pdf.len()
        );
        assert_eq!(doc.pages, 1, "{name}");
        assert!(doc.warnings.is_empty(), "{name}: {:?}", doc.warnings);
        assert_eq!(engine.template(name).unwrap().title(), title);
        for needle in [
            title,
            ENTITY,
            USCC,
            sentence,
            "荆门市市场监督管理局",
            "2026年7月15日",
        ] {
            assert!(doc.text.contains(needle), "{name}: text lacks {needle}");
        }
        if name != "simplified_deregistration_notice" {
            let remedy = "如不服本决定，可以在收到本决定书之日起六十日内向荆门市人民政府申请行政复议，或者在六个月内依法向荆门市东宝区人民法院提起行政诉讼。";
            assert!(doc.text.contains(remedy), "{name}: no remedy notice");
        }
        assert!(!doc.text.contains('{'), "{name}: unfilled placeholder");

        let Some(extracted) = poppler("pdftotext", &doc.pdf) else {
            continue;
        };
        let flat = joined(&extracted);
        let number = fields_number(&engine, name);
        for needle in [
            title,
            ENTITY,
            number.as_str(),
            USCC,
            sentence,
            "2026年7月15日",
        ] {
            assert!(
                flat.contains(needle),
                "{name}: pdftotext lacks {needle}:\n{extracted}"
            );
        }
        // CJK line breaking: no line starts with closing punctuation.
        for line in extracted.lines() {
            if let Some(c) = line.chars().next() {
                assert!(
                    !"。，、；：）」》".contains(c),
                    "{name}: line starts with {c}: {line}"
                );
            }
        }
        assert!(
            !extracted.contains('\u{fffd}'),
            "{name}: replacement characters"
        );

        let fonts = poppler("pdffonts", &doc.pdf).unwrap();
        let font_line = fonts
            .lines()
            .find(|l| l.contains("WenQuanYiMicroHei"))
            .unwrap_or_else(|| panic!("{name}: no font:\n{fonts}"));
        // name+subset tag, CID TrueType, Identity-H, embedded yes, subset yes, unicode yes.
        let cols: Vec<&str> = font_line.split_whitespace().collect();
        assert!(cols[0].len() == 7 + "WenQuanYiMicroHei".len() && cols[0].as_bytes()[6] == b'+');
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "{fonts}"
        );
    }
}

#[test]
fn rendering_is_deterministic() {
    let engine = Engine::embedded();
    let fields = sample(&engine, "abnormal_listing_decision");
    let a = engine.render("abnormal_listing_decision", &fields).unwrap();
    let b = engine.render("abnormal_listing_decision", &fields).unwrap();
    assert_eq!(a.pdf, b.pdf);
    let other = engine
        .render(
            "abnormal_listing_decision",
            &fields.clone().with("entity_name", "荆门市另一家有限公司"),
        )
        .unwrap();
    assert_ne!(a.pdf, other.pdf);
}

#[test]
fn missing_fields_are_named() {
    let engine = Engine::embedded();
    let mut fields = sample(&engine, "abnormal_listing_decision");
    fields.remove("uscc");
    fields.insert("court", "   ");
    let err = engine
        .render("abnormal_listing_decision", &fields)
        .unwrap_err();
    assert_eq!(err.code(), "missing_field");
    assert_eq!(
        err,
        DocumentError::MissingField {
            fields: vec!["uscc".into(), "court".into()],
            labels: vec!["统一社会信用代码".into(), "行政诉讼管辖法院".into()],
        }
    );
    assert!(
        err.to_string().contains("统一社会信用代码（uscc）"),
        "{err}"
    );
}

#[test]
fn optional_text_is_left_out_without_its_field() {
    let engine = Engine::embedded();
    let number = engine
        .fields_of("abnormal_removal_decision")
        .unwrap()
        .iter()
        .find(|f| f.name == "listing_number")
        .unwrap();
    assert!(!number.required);
    assert!(engine
        .fields_of("abnormal_removal_decision")
        .unwrap()
        .iter()
        .filter(|f| f.name != "listing_number")
        .all(|f| f.required));
    let mut fields = sample(&engine, "abnormal_removal_decision");
    let with = engine.render("abnormal_removal_decision", &fields).unwrap();
    assert!(with
        .text
        .contains("我局于2026年3月2日以《列入经营异常名录决定书》（荆市监异列〔2026〕1号）将你单位列入经营异常名录"));
    fields.insert("listing_number", "");
    let without = engine.render("abnormal_removal_decision", &fields).unwrap();
    assert!(
        without
            .text
            .contains("我局于2026年3月2日将你单位列入经营异常名录"),
        "{}",
        without.text
    );
    assert!(!without.text.contains("（）"));
}

#[test]
fn a_document_renders_from_the_template_text_it_was_issued_with() {
    let engine = Engine::embedded();
    let name = "abnormal_listing_decision";
    let fields = sample(&engine, name);
    let kept = engine.source_of(name).unwrap().to_owned();
    assert!(kept.contains("列入经营异常名录决定书"));
    let now = engine.render(name, &fields).unwrap();
    let later = engine.render_source(name, &kept, &fields).unwrap();
    assert_eq!(now.pdf, later.pdf);
    // The kept text wins over the current template.
    let edited = kept.replace("经查，你单位", "经依法调查，你单位");
    let old = engine.render_source(name, &edited, &fields).unwrap();
    assert!(old.text.contains("经依法调查，你单位未按照"));
    assert_eq!(
        engine
            .render_source(name, "title = 1", &fields)
            .unwrap_err()
            .code(),
        "bad_template"
    );
}

#[test]
fn a_bad_date_is_refused() {
    let engine = Engine::embedded();
    let fields = sample(&engine, "abnormal_removal_decision").with("listing_date", "2026年3月2日");
    let err = engine
        .render("abnormal_removal_decision", &fields)
        .unwrap_err();
    assert_eq!(err.code(), "bad_field");
    assert!(err.to_string().contains("列入日期"), "{err}");
}

#[test]
fn unknown_templates_are_refused() {
    let engine = Engine::embedded();
    let err = engine
        .render("penalty_decision", &Fields::new())
        .unwrap_err();
    assert_eq!(err.code(), "unknown_template");
    assert!(err.to_string().contains("penalty_decision"));
    assert_eq!(
        engine.fields_of("penalty_decision").unwrap_err().code(),
        "unknown_template"
    );
}

#[test]
fn a_long_body_flows_onto_more_pages() {
    let engine = Engine::embedded();
    let reason: String = (1..=40)
        .map(|i| {
            format!("第{i}项：未按照规定期限公示年度报告，经多次电话及实地核查均无法取得联系。")
        })
        .collect();
    let fields = sample(&engine, "abnormal_listing_decision").with("listing_reason", &reason);
    let doc = engine.render("abnormal_listing_decision", &fields).unwrap();
    assert!(doc.pages >= 2, "{} page(s)", doc.pages);
    let Some(extracted) = poppler("pdftotext", &doc.pdf) else {
        return;
    };
    let pages: Vec<&str> = extracted
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), doc.pages, "{extracted}");
    assert!(pages[0].contains("列入经营异常名录决定书"));
    // “— 1 —”; pdftotext drops the thin spaces.
    assert!(pages[0].replace(' ', "").contains("—1—"), "{}", pages[0]);
    assert!(pages[1].replace(' ', "").contains("—2—"), "{}", pages[1]);
    let last = pages[pages.len() - 1];
    assert!(joined(last).contains("荆门市东宝区人民法院提起行政诉讼"));
    // The signature block stays together, with its date.
    assert!(last.contains("荆门市市场监督管理局") && last.contains("2026年7月15日"));
    let flat = joined(&extracted);
    for i in [1, 17, 40] {
        assert!(
            flat.contains(&format!("第{i}项：未按照规定期限公示年度报告")),
            "item {i}"
        );
    }
}

#[test]
fn characters_outside_the_font_do_not_panic_and_are_reported() {
    let engine = Engine::embedded();
    let fields =
        sample(&engine, "abnormal_listing_decision").with("entity_name", "荆门市𠀀记商贸有限公司");
    let doc = engine.render("abnormal_listing_decision", &fields).unwrap();
    assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
    assert!(doc.warnings[0].contains("U+20000"), "{:?}", doc.warnings);
    assert!(doc.text.contains("荆门市𠀀记商贸有限公司"));
    if let Some(extracted) = poppler("pdftotext", &doc.pdf) {
        // The replacement glyph carries the real character as ActualText.
        assert!(
            joined(&extracted).contains("荆门市𠀀记商贸有限公司"),
            "{extracted}"
        );
    }
}

#[test]
fn templates_can_be_overridden_and_added_from_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("abnormal_listing_decision.toml"),
        "title = \"列入经营异常名录决定书\"\nparagraphs = [\"{entity_name}：本局另有写法。\"]\n[fields]\nentity_name = \"企业名称\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("order_to_correct.toml"),
        "title = \"责令改正通知书\"\nnumber = \"{document_number}\"\nparagraphs = [\"请于{deadline|cn_date}前改正。\"]\n[fields]\ndocument_number = \"文书编号\"\ndeadline = \"改正期限\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a template").unwrap();
    let engine = Engine::with_dir(dir.path()).unwrap();
    assert_eq!(engine.template_names().len(), 4);
    let doc = engine
        .render(
            "abnormal_listing_decision",
            &Fields::new().with("entity_name", ENTITY),
        )
        .unwrap();
    assert!(doc.text.contains("本局另有写法"));
    let doc = engine
        .render(
            "order_to_correct",
            &Fields::new()
                .with("document_number", "荆市监责改〔2026〕8号")
                .with("deadline", "2026-08-01"),
        )
        .unwrap();
    assert!(doc.text.contains("请于二〇二六年八月一日前改正。"));
    if let Some(extracted) = poppler("pdftotext", &doc.pdf) {
        assert!(joined(&extracted).contains("请于二〇二六年八月一日前改正。"));
    }

    std::fs::write(
        dir.path().join("broken.toml"),
        "title = \"坏\"\nparagraphs = [\"{x\"]\n",
    )
    .unwrap();
    let err = Engine::with_dir(dir.path()).unwrap_err();
    assert_eq!(err.code(), "bad_template");
    assert!(err.to_string().contains("broken"), "{err}");
    assert_eq!(
        Engine::with_dir(Path::new("/nonexistent/shijian"))
            .unwrap_err()
            .code(),
        "bad_template"
    );
}

/// Writes the sample documents to `target/documents-samples/` for a look by eye:
/// `cargo test -p shijian-documents --test render -- --ignored write_samples`.
#[test]
#[ignore]
fn write_samples() {
    let engine = Engine::embedded();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/documents-samples");
    std::fs::create_dir_all(&out).unwrap();
    for name in engine.template_names() {
        let doc = engine.render(name, &sample(&engine, name)).unwrap();
        std::fs::write(out.join(format!("{name}.pdf")), &doc.pdf).unwrap();
    }
    eprintln!("written to {}", out.display());
}
