//! `shijian import entities FILE`: read an export of an existing registration system (CSV,
//! UTF-8 with or without BOM, or GBK/GB18030), check every row with the domain rules, store
//! the good rows and report each refused one with its row number and reason. Rows are
//! committed in batches; the summary is printed only after they are durable.

use anyhow::Context;
use chrono::NaiveDate;
use shijian_domain::division::DivisionCode;
use shijian_domain::id_number::parse_id_number;
use shijian_domain::uscc::parse_uscc;
use shijian_storage::entities::{self, EntityType, NewEntity};
use shijian_storage::{Actor, RequestCtx, Store};
use std::io::Write;

/// Rows stored per transaction.
const BATCH: usize = 1000;

/// The columns, each with the header names accepted for it (glossary name first).
const COLUMNS: [(&str, &[&str], bool); 8] = [
    ("uscc", &["uscc", "统一社会信用代码"], true),
    ("name", &["name", "名称", "企业名称"], true),
    (
        "entity_type",
        &["entity_type", "type", "类型", "主体类型"],
        true,
    ),
    (
        "legal_rep",
        &[
            "legal_rep",
            "法定代表人",
            "经营者",
            "法定代表人/经营者",
            "负责人",
        ],
        true,
    ),
    (
        "legal_rep_id_number",
        &[
            "legal_rep_id_number",
            "身份证号",
            "证件号码",
            "法定代表人身份证号",
        ],
        false,
    ),
    ("phone", &["phone", "联系电话", "电话"], false),
    (
        "division_code",
        &["division_code", "行政区划代码", "住所区划代码"],
        true,
    ),
    ("established_on", &["established_on", "成立日期"], false),
];

/// Decodes a whole file: a UTF-8 BOM is removed; valid UTF-8 is read as such, anything
/// else as GB18030 (a superset of GBK).
#[must_use]
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// One refused row.
pub type Rejected = (usize, &'static str, String);

fn parse_row(
    rec: &csv::StringRecord,
    idx: &[Option<usize>; 8],
    today: NaiveDate,
) -> Result<NewEntity, (&'static str, String)> {
    let get = |i: usize| {
        idx[i]
            .and_then(|c| rec.get(c))
            .map(str::trim)
            .unwrap_or_default()
    };
    let opt = |i: usize| Some(get(i)).filter(|s| !s.is_empty());
    let uscc = parse_uscc(get(0))
        .into_result()
        .map_err(|e| (e.code(), e.reason()))?;
    let name = get(1);
    if name.is_empty() {
        return Err(("missing_name", "名称为空".into()));
    }
    let entity_type = EntityType::parse(get(2)).ok_or_else(|| {
        (
            "bad_entity_type",
            format!(
                "类型“{}”无效，应为 企业、个体工商户 或 农民专业合作社",
                get(2)
            ),
        )
    })?;
    let legal_rep = get(3);
    if legal_rep.is_empty() {
        return Err(("missing_legal_rep", "法定代表人/经营者为空".into()));
    }
    let legal_rep_id = opt(4)
        .map(|v| {
            parse_id_number(v, today, &|_: &str| true)
                .into_result()
                .map(|n| n.as_str().to_owned())
        })
        .transpose()
        .map_err(|e| (e.code(), format!("法定代表人身份证号：{}", e.reason())))?;
    let phone = opt(5)
        .map(|v| {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            if (7..=12).contains(&digits.len()) {
                Ok(digits)
            } else {
                Err(("bad_phone", "联系电话应为 7–12 位数字".to_owned()))
            }
        })
        .transpose()?;
    let division_code = DivisionCode::parse(get(6))
        .map_err(|e| ("bad_division_code", e.to_string()))?
        .to_string();
    let established_on = opt(7)
        .map(|v| NaiveDate::parse_from_str(&v.replace('/', "-"), "%Y-%m-%d"))
        .transpose()
        .map_err(|_| ("bad_date", "成立日期应为 YYYY-MM-DD".to_owned()))?;
    Ok(NewEntity {
        uscc: uscc.as_str().to_owned(),
        name: name.to_owned(),
        entity_type,
        legal_rep: legal_rep.to_owned(),
        legal_rep_id,
        phone,
        division_code,
        established_on,
    })
}

/// Imports `text`; writes one CSV line `row,code,reason` per refused row to `report`.
/// Returns (imported, rejected).
pub async fn import_entities(
    store: &Store,
    actor: &Actor,
    text: &str,
    mut report: impl Write,
) -> anyhow::Result<(usize, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().context("无法读取表头")?.clone();
    let mut idx = [None; 8];
    for (i, (name, aliases, required)) in COLUMNS.iter().enumerate() {
        idx[i] = headers.iter().position(|h| aliases.contains(&h.trim()));
        if *required && idx[i].is_none() {
            anyhow::bail!("缺少必需的列：{name}（可用表头：{}）", aliases.join("、"));
        }
    }
    let today = store.clock().today();
    writeln!(report, "row,code,reason")?;
    let (mut imported, mut rejected, mut batch) = (0, 0, Vec::new());
    for (i, rec) in reader.records().enumerate() {
        let row = i + 2; // the header is row 1
        match rec
            .map_err(|e| ("bad_csv", e.to_string()))
            .and_then(|r| parse_row(&r, &idx, today))
        {
            Ok(e) => batch.push((row, e)),
            Err((code, reason)) => {
                rejected += 1;
                writeln!(report, "{row},{code},\"{}\"", reason.replace('"', "'"))?;
            }
        }
        if batch.len() >= BATCH {
            let (i, r) = store_batch(store, actor, &mut batch, &mut report).await?;
            (imported, rejected) = (imported + i, rejected + r);
        }
    }
    if !batch.is_empty() {
        let (i, r) = store_batch(store, actor, &mut batch, &mut report).await?;
        (imported, rejected) = (imported + i, rejected + r);
    }
    Ok((imported, rejected))
}

/// Stores one batch in one transaction and reports the rows storage refused.
async fn store_batch(
    store: &Store,
    actor: &Actor,
    batch: &mut Vec<(usize, NewEntity)>,
    report: &mut impl Write,
) -> anyhow::Result<(usize, usize)> {
    let out = entities::import(store, actor, &RequestCtx::local("import"), batch).await?;
    for (row, code, reason) in &out.rejected {
        writeln!(report, "{row},{code},\"{reason}\"")?;
    }
    batch.clear();
    Ok((out.imported, out.rejected.len()))
}
