//! `shijian import entities FILE`: read an export of an existing registration system (CSV in
//! UTF-8, UTF-8 with BOM, GBK/GB18030 or UTF-16; or XLSX), check every row with the domain
//! rules and upsert the good ones (`shijian_storage::entities::import_table`), write the
//! refused rows to a reject report, and print a summary whose counts add up. Rows are
//! committed in batches; the summary is printed only after they are durable.

use anyhow::Context;
use shijian_storage::entities::{self, ImportSummary};
use shijian_storage::{Actor, RequestCtx, Store};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

/// What the command was asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
}

/// Imports `file`; writes the reject report (`row,column,code,reason`) to `rejects`.
pub async fn import_entities(
    store: &Store,
    actor: &Actor,
    file: &Path,
    opts: ImportOptions,
    rejects: &mut dyn Write,
) -> anyhow::Result<ImportSummary> {
    let bytes = std::fs::read(file).with_context(|| format!("无法读取 {}", file.display()))?;
    let table = shijian_tabular::read(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(bytes);
    let total = table.len();
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut progress = move |done: usize| {
        if tty {
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
            eprint!("\r已处理 {done}/{total} 行（{pct}%），{rate:.0} 行/秒");
        }
    };
    let summary = entities::import_table(
        store,
        actor,
        &RequestCtx::local("import"),
        &table.headers,
        table.rows(),
        opts.dry_run,
        &mut progress,
    )
    .await?;
    if tty {
        eprintln!();
    }
    write_rejects(&summary, rejects)?;
    Ok(summary)
}

/// The reject report: CSV with BOM (Excel opens it), one line per refused row.
pub fn write_rejects(summary: &ImportSummary, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut w = shijian_tabular::CsvWriter::new(out, &["行号", "列", "代码", "原因"])?;
    for r in &summary.rejects {
        let column = entities::COLUMNS
            .iter()
            .find(|(n, _, _)| *n == r.column)
            .map_or(r.column, |(_, aliases, _)| aliases[1]);
        w.write_row(&[&r.row.to_string(), column, r.code, &r.reason])?;
    }
    w.finish()?;
    Ok(())
}

/// The one-line summary, in Chinese.
#[must_use]
pub fn summary_line(s: &ImportSummary, seconds: f64) -> String {
    format!(
        "{}读取 {} 行：新增 {}，更新 {}，未变 {}，拒绝 {}（用时 {:.1} 秒，{:.0} 行/秒）",
        if s.dry_run {
            "试运行（未写入）："
        } else {
            "导入完成："
        },
        s.read,
        s.inserted,
        s.updated,
        s.unchanged,
        s.rejected,
        seconds,
        s.read as f64 / seconds.max(0.001)
    )
}
