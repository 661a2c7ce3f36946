//! Bulk import from an existing registration system: each validated row is upserted by
//! credit code in the caller's batch (one write transaction per call). An import describes
//! existing records, so it sets the given status; a row that changes nothing is counted
//! unchanged and writes nothing, so re-importing a file changes nothing.

use super::write::{check_parent, in_scope, insert_many, load_many, save, Row};
use super::EntityItems;
use crate::actor::authorize;
use crate::{Actor, RequestCtx, Result, Store, StoreError, WriteTx};
use shijian_domain::entity::EntityStatus;
use shijian_domain::role::Permission;
use std::collections::HashMap;

/// One validated row of an import file.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The spreadsheet row number (the header is row 1).
    pub line: usize,
    pub uscc: String,
    pub items: EntityItems,
    pub status: EntityStatus,
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    Updated,
    Unchanged,
    /// Refused: the column at fault, the machine code and the Chinese reason.
    Rejected {
        column: &'static str,
        code: &'static str,
        reason: String,
    },
}

/// The outcome of one batch, row by row in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub rows: Vec<(usize, RowOutcome)>,
}

/// Upserts `rows` in one transaction (rolled back when `dry_run`, so a dry run reports
/// exactly what a real run would do). Needs the import permission; every row's division
/// must lie in the actor's jurisdiction.
pub async fn import(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    rows: &[ImportRow],
    dry_run: bool,
) -> Result<ImportOutcome> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ImportEntities,
        "entity.import",
    )
    .await?;
    let mut out = ImportOutcome::default();
    let mut tx = store.begin_write(actor, ctx).await?;
    let today = shijian_domain::clock::beijing_date(tx.now());
    let mut scope: HashMap<String, bool> = HashMap::new();
    let mut wrote = false;
    let usccs: Vec<&str> = rows.iter().map(|r| r.uscc.as_str()).collect();
    let existing = load_many(&mut tx, &usccs).await?;
    // New entities are inserted together at the end of the batch (multi-row statements).
    let mut new_rows = Vec::new();
    for r in rows {
        let division = &r.items.division_code;
        let ok = match scope.get(division) {
            Some(ok) => *ok,
            None => {
                let ok = in_scope(&mut tx, actor, division).await?;
                scope.insert(division.clone(), ok);
                ok
            }
        };
        if !ok {
            out.rows.push((
                r.line,
                RowOutcome::Rejected {
                    column: "division_code",
                    code: "division_out_of_scope",
                    reason: format!("行政区划 {division} 未知或不在您的辖区内"),
                },
            ));
            continue;
        }
        let parent_pending = r
            .items
            .parent_uscc
            .as_ref()
            .is_some_and(|p| new_rows.iter().any(|(n, _, _): &(Row, _, _)| &n.uscc == p));
        let parent = if parent_pending {
            Ok(())
        } else {
            check_parent(&mut tx, &r.items).await
        };
        if let Err(StoreError::Invalid { code, message }) = parent {
            out.rows.push((
                r.line,
                RowOutcome::Rejected {
                    column: "parent_uscc",
                    code,
                    reason: message,
                },
            ));
            continue;
        }
        let prev = existing.get(&r.uscc);
        let mut row = Row::from_items(store, &r.uscc, &r.items, r.status)?;
        let outcome = match prev {
            None => {
                let masked = row.masked(r.items.legal_rep_id.as_deref(), r.items.phone.as_deref());
                let effective_on = r.items.established_on.unwrap_or(today).min(today);
                new_rows.push((row, masked, effective_on));
                RowOutcome::Inserted
            }
            Some(p) => {
                row.keep_personal_data_not_given(&r.items, p);
                row.dormant_until.clone_from(&p.dormant_until);
                row.listing.clone_from(&p.listing);
                row.received_at = p.received_at;
                row.issued_at = p.issued_at;
                if row.same_items(p) {
                    RowOutcome::Unchanged
                } else {
                    save(&mut tx, &mut row, Some(p), "entity.import", today, None).await?;
                    RowOutcome::Updated
                }
            }
        };
        wrote |= outcome != RowOutcome::Unchanged;
        out.rows.push((r.line, outcome));
    }
    insert_many(&mut tx, new_rows, "entity.import").await?;
    if wrote && !dry_run {
        tx.commit().await?;
    }
    Ok(out)
}

/// The columns of an import file: the glossary name, the header names accepted for it
/// (glossary name first, then the Chinese ones old systems use) and whether it is required.
pub const COLUMNS: &[(&str, &[&str], bool)] = &[
    (
        "uscc",
        &["uscc", "统一社会信用代码", "信用代码", "社会信用代码"],
        true,
    ),
    (
        "name",
        &["name", "名称", "企业名称", "主体名称", "字号名称"],
        true,
    ),
    (
        "entity_type",
        &[
            "entity_type",
            "类型",
            "主体类型",
            "企业类型",
            "市场主体类型",
        ],
        true,
    ),
    (
        "legal_rep",
        &[
            "legal_rep",
            "法定代表人",
            "经营者",
            "法定代表人/经营者",
            "法定代表人（负责人）",
            "负责人",
            "执行事务合伙人",
            "投资人",
        ],
        true,
    ),
    (
        "legal_rep_id_number",
        &[
            "legal_rep_id_number",
            "身份证号",
            "身份证号码",
            "证件号码",
            "法定代表人身份证号",
        ],
        false,
    ),
    ("phone", &["phone", "联系电话", "电话", "手机号码"], false),
    (
        "registered_capital",
        &[
            "registered_capital",
            "注册资本（万元）",
            "注册资本(万元)",
            "注册资本",
            "资金数额（万元）",
            "出资额（万元）",
        ],
        false,
    ),
    (
        "capital_currency",
        &["capital_currency", "币种", "注册资本币种"],
        false,
    ),
    (
        "subscribed_capital",
        &[
            "subscribed_capital",
            "认缴出资额（万元）",
            "认缴出资额(万元)",
            "认缴出资额",
        ],
        false,
    ),
    (
        "paid_in_capital",
        &[
            "paid_in_capital",
            "实缴出资额（万元）",
            "实缴出资额(万元)",
            "实缴出资额",
        ],
        false,
    ),
    (
        "contribution_deadline",
        &["contribution_deadline", "认缴出资期限", "出资期限"],
        false,
    ),
    (
        "established_on",
        &["established_on", "成立日期", "注册日期"],
        false,
    ),
    (
        "domicile",
        &["domicile", "住所", "经营场所", "住所（经营场所）", "地址"],
        false,
    ),
    (
        "division_code",
        &["division_code", "行政区划代码", "住所区划代码", "区划代码"],
        true,
    ),
    (
        "industry_code",
        &["industry_code", "行业代码", "国民经济行业代码"],
        false,
    ),
    ("business_scope", &["business_scope", "经营范围"], false),
    (
        "registration_authority",
        &["registration_authority", "登记机关"],
        false,
    ),
    (
        "parent_uscc",
        &[
            "parent_uscc",
            "隶属企业统一社会信用代码",
            "隶属企业信用代码",
        ],
        false,
    ),
    ("status", &["status", "登记状态", "经营状态", "状态"], false),
];

/// One refused row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The glossary name of the column at fault (empty for the row as a whole).
    pub column: &'static str,
    pub code: &'static str,
    pub reason: String,
}

/// What an import did; `read = inserted + updated + unchanged + rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub rejects: Vec<Reject>,
    pub dry_run: bool,
}

/// Rows per write transaction.
pub const BATCH: usize = 1000;

fn normalise_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .replace(['(', ')'], "")
        .replace(['（', '）'], "")
        .replace(' ', "")
}

/// Maps the header row to [`COLUMNS`]: the index of each known column, or an error naming
/// the missing required ones.
pub fn map_headers(headers: &[String]) -> Result<Vec<Option<usize>>> {
    let normal: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let idx: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(_, aliases, _)| {
            normal
                .iter()
                .position(|h| aliases.iter().any(|a| normalise_header(a) == *h))
        })
        .collect();
    let missing: Vec<String> = COLUMNS
        .iter()
        .zip(&idx)
        .filter(|((_, _, required), i)| *required && i.is_none())
        .map(|((name, aliases, _), _)| format!("{}（{name}）", aliases[1]))
        .collect();
    if missing.is_empty() {
        Ok(idx)
    } else {
        Err(StoreError::invalid(
            "missing_columns",
            format!("缺少必需的列：{}", missing.join("、")),
        ))
    }
}

fn raw_from_row(idx: &[Option<usize>], cells: &[String]) -> (String, super::validate::RawItems) {
    let get = |name: &str| {
        let i = COLUMNS
            .iter()
            .position(|(n, _, _)| *n == name)
            .expect("known column");
        idx[i]
            .and_then(|c| cells.get(c))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let raw = super::validate::RawItems {
        name: get("name"),
        entity_type: get("entity_type"),
        legal_rep: get("legal_rep"),
        legal_rep_id_number: get("legal_rep_id_number"),
        phone: get("phone"),
        registered_capital: get("registered_capital"),
        capital_currency: get("capital_currency"),
        subscribed_capital: get("subscribed_capital"),
        paid_in_capital: get("paid_in_capital"),
        contribution_deadline: get("contribution_deadline"),
        established_on: get("established_on"),
        domicile: get("domicile"),
        division_code: get("division_code"),
        industry_code: get("industry_code"),
        business_scope: get("business_scope"),
        registration_authority: get("registration_authority"),
        parent_uscc: get("parent_uscc"),
        additional_premises: Vec::new(),
        status: get("status"),
    };
    (get("uscc"), raw)
}

/// Imports a table: checks every row whole, upserts the good ones by credit code in
/// batches (each durable before the next starts), and reports every refused row with its
/// spreadsheet row number, column and reason. A credit code seen earlier in the same file
/// is refused as a duplicate. `progress` is told the number of rows read so far.
pub async fn import_table<'a>(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    headers: &[String],
    rows: impl Iterator<Item = (usize, &'a [String])>,
    dry_run: bool,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<ImportSummary> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ImportEntities,
        "entity.import",
    )
    .await?;
    let idx = map_headers(headers)?;
    let known = super::validate::known(store).await?;
    let today = store.clock().today();
    let mut summary = ImportSummary {
        dry_run,
        ..ImportSummary::default()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut batch: Vec<ImportRow> = Vec::with_capacity(BATCH);
    for (line, cells) in rows {
        summary.read += 1;
        let (uscc_text, raw) = raw_from_row(&idx, cells);
        let checked = super::validate::check_uscc(&uscc_text).and_then(|uscc| {
            if let Some(first) = seen.get(&uscc) {
                return Err(super::validate::FieldError {
                    column: "uscc",
                    code: "duplicate_uscc",
                    reason: format!("统一社会信用代码 {uscc} 与第 {first} 行重复"),
                });
            }
            let (items, status) = known.check(&raw, today)?;
            Ok((uscc, items, status))
        });
        match checked {
            Ok((uscc, items, status)) => {
                seen.insert(uscc.clone(), line);
                batch.push(ImportRow {
                    line,
                    uscc,
                    items,
                    status: status.unwrap_or(EntityStatus::Active),
                });
            }
            Err(e) => {
                if e.code != "duplicate_uscc" {
                    if let Ok(u) = super::validate::check_uscc(&uscc_text) {
                        seen.entry(u).or_insert(line);
                    }
                }
                summary.rejects.push(Reject {
                    row: line,
                    column: e.column,
                    code: e.code,
                    reason: e.reason,
                });
            }
        }
        if batch.len() >= BATCH {
            store_batch(store, actor, ctx, &mut batch, dry_run, &mut summary).await?;
            progress(summary.read);
        }
    }
    store_batch(store, actor, ctx, &mut batch, dry_run, &mut summary).await?;
    progress(summary.read);
    summary.rejects.sort_by_key(|r| r.row);
    summary.rejected = summary.rejects.len();
    Ok(summary)
}

async fn store_batch(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    batch: &mut Vec<ImportRow>,
    dry_run: bool,
    summary: &mut ImportSummary,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let out = import(store, actor, ctx, batch, dry_run).await?;
    for (row, o) in out.rows {
        match o {
            RowOutcome::Inserted => summary.inserted += 1,
            RowOutcome::Updated => summary.updated += 1,
            RowOutcome::Unchanged => summary.unchanged += 1,
            RowOutcome::Rejected {
                column,
                code,
                reason,
            } => summary.rejects.push(Reject {
                row,
                column,
                code,
                reason,
            }),
        }
    }
    batch.clear();
    Ok(())
}

/// A new entity with what happened to it after its establishment: each lifecycle action
/// with the day it took effect (synthetic data of `shijian demo`, or a migration from a
/// system that kept the history).
#[derive(Debug, Clone)]
pub struct HistoricEntity {
    pub uscc: String,
    pub items: EntityItems,
    /// In order; each must be allowed by the lifecycle rules from the status before it and
    /// take effect on or after the day before it.
    pub changes: Vec<(shijian_domain::entity::Action, chrono::NaiveDate)>,
    /// The dormancy periods (first day, last day) the `BeginDormancy` changes begin, one
    /// per such change, found by its first day; within the three-year allowance.
    pub dormancies: Vec<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// The audit action of a lifecycle change written by [`insert_with_history`] (the same
/// names as the single-entity operations of `lifecycle`).
fn history_action(action: shijian_domain::entity::Action) -> Result<&'static str> {
    use shijian_domain::entity::Action as A;
    Ok(match action {
        A::Deregister => "entity.deregister",
        A::Revoke => "entity.revoke",
        A::CancelRegistration => "entity.cancel",
        A::CompulsoryDeregister => "entity.compulsory_deregister",
        A::MoveOut => "entity.move_out",
        A::BeginDormancy => "entity.dormancy_begin",
        A::EndDormancy => "entity.dormancy_end",
        A::ResumeAutomatically => "entity.dormancy_resume",
        other => {
            return Err(StoreError::invalid(
                "history_action_unsupported",
                format!("历史记录不支持该登记事项：{other:?}"),
            ))
        }
    })
}

/// The dormancy side of a historic change: a `BeginDormancy` on `on` files the period
/// that starts that day (checked against the three-year allowance with the entity's
/// earlier periods) and returns its last day; an `EndDormancy` or `ResumeAutomatically`
/// closes the open period on the day before; other changes leave no dormancy.
async fn historic_dormancy(
    tx: &mut WriteTx<'_>,
    e: &HistoricEntity,
    action: shijian_domain::entity::Action,
    on: chrono::NaiveDate,
) -> Result<Option<String>> {
    use shijian_domain::entity::{plan_dormancy, Action as A, DormancyPeriod};
    match action {
        A::BeginDormancy => {
            let &(_, last) = e.dormancies.iter().find(|(s, _)| *s == on).ok_or_else(|| {
                StoreError::invalid(
                    "dormancy_period_missing",
                    format!("{} 的歇业（{on} 起）没有歇业期限", e.uscc),
                )
            })?;
            let earlier = e
                .dormancies
                .iter()
                .filter(|(s, _)| *s < on)
                .filter_map(|(s, l)| DormancyPeriod::new(*s, *l).ok())
                .collect::<Vec<_>>();
            plan_dormancy(&earlier, on, last, on).map_err(super::write::lifecycle_error)?;
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO entity_dormancy (uscc, starts_on, ends_on, reason) VALUES ($1, $2, $3, $4)")
                .bind(&e.uscc).bind(on.to_string()).bind(last.to_string()).bind("")
                .execute(c).await.map(|r| r.rows_affected()))?;
            Ok(Some(last.to_string()))
        }
        A::EndDormancy | A::ResumeAutomatically => {
            on_tx!(tx, c => sqlx::query(
                "UPDATE entity_dormancy SET ended_on = $2 WHERE uscc = $1 AND ended_on IS NULL")
                .bind(&e.uscc).bind((on - chrono::Duration::days(1)).to_string())
                .execute(c).await.map(|r| r.rows_affected()))?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Inserts new entities with their histories in one write transaction: version 1 (active,
/// effective on the establishment day) through the bulk path of [`import`], then one
/// version per later change, its status from the lifecycle rules, each with its audit
/// record and event. Needs the import permission; refuses the whole batch for a division
/// outside the actor's jurisdiction, a credit code already registered or a change the
/// lifecycle rules do not allow.
pub async fn insert_with_history(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    entities: &[HistoricEntity],
) -> Result<()> {
    use shijian_domain::entity::transition;
    authorize(
        store,
        actor,
        ctx,
        Permission::ImportEntities,
        "entity.import",
    )
    .await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let today = shijian_domain::clock::beijing_date(tx.now());
    let mut scope: HashMap<String, bool> = HashMap::new();
    let usccs: Vec<&str> = entities.iter().map(|e| e.uscc.as_str()).collect();
    if let Some(u) = load_many(&mut tx, &usccs).await?.keys().min() {
        return Err(StoreError::conflict(
            "uscc_exists",
            format!("统一社会信用代码 {u} 已登记"),
        ));
    }
    let mut firsts = Vec::with_capacity(entities.len());
    let mut later = Vec::new();
    for e in entities {
        let division = &e.items.division_code;
        let ok = match scope.get(division) {
            Some(ok) => *ok,
            None => {
                let ok = in_scope(&mut tx, actor, division).await?;
                scope.insert(division.clone(), ok);
                ok
            }
        };
        if !ok {
            return Err(StoreError::invalid(
                "division_out_of_scope",
                format!("行政区划 {division} 未知或不在您的辖区内"),
            ));
        }
        let established = transition(None, shijian_domain::entity::Action::Establish)
            .map_err(super::write::lifecycle_error)?;
        let row = Row::from_items(store, &e.uscc, &e.items, established)?;
        let masked = row.masked(e.items.legal_rep_id.as_deref(), e.items.phone.as_deref());
        let effective_on = e.items.established_on.unwrap_or(today).min(today);
        if !e.changes.is_empty() {
            later.push((row.clone(), masked.clone(), effective_on, e));
        }
        firsts.push((row, masked, effective_on));
    }
    insert_many(&mut tx, firsts, "entity.import").await?;
    for (mut prev, mut masked, mut since, e) in later {
        for (action, on) in &e.changes {
            if *on < since || *on > today {
                return Err(StoreError::invalid(
                    "effective_on_out_of_order",
                    format!("{} 的登记事项生效日期 {on} 早于上一次或晚于今天", e.uscc),
                ));
            }
            let status =
                transition(Some(prev.status()?), *action).map_err(super::write::lifecycle_error)?;
            let name = history_action(*action)?;
            let dormant_until = historic_dormancy(&mut tx, e, *action, *on).await?;
            let mut row = prev.clone();
            row.status = status.as_str().to_owned();
            row.dormant_until.clone_from(&dormant_until);
            masked.status.clone_from(&row.status);
            masked.dormant_until = dormant_until;
            masked = save(&mut tx, &mut row, Some(&prev), name, *on, Some(masked)).await?;
            prev = row;
            since = *on;
        }
    }
    tx.commit().await?;
    Ok(())
}
