//! The abnormal operations list (经营异常名录), the abnormal status mark of individual
//! businesses, and the serious dishonesty list: entries, the yearly listing of entities
//! that did not file their annual report, removal applications and decisions.
//!
//! This module owns the `list_entry` and `removal_application` tables and the entity's
//! list-status column `entity.listing` (a projection of its open entries: `dishonesty`
//! outranks `abnormal`; the simplified-deregistration bars read it). Invariants:
//! - an entry is removed, never deleted; the same ground is never open twice for an
//!   entity (and the annual-report ground never twice for the same year);
//! - every listing and removal of an enterprise or cooperative issues its numbered decision
//!   document in the same transaction ([`crate::documents`]);
//! - listing, removal and the three-year flag each record an `entity` event, so the search
//!   projection and every reader see the new list status;
//! - the job ([`list_non_filers_in_batches`], then [`run_annual_report_job`]) is
//!   idempotent: run twice for a date, or for every missed date after downtime, it lists
//!   each non-filer once; it commits every 1,000 entities, so it never holds the writer
//!   for long, and an interrupted run resumes where it stopped.
//!
//! Which list, which ground, which cure and the filing window are
//! `shijian_domain::entity::listing`'s; periods are rows of the time-limit table.

use crate::annual_reports::{authorize_for_entity, has_filed, load_for_entity};
use crate::documents::{self, DocumentInfo, NewDocument};
use crate::entities::{load, Row};
use crate::write::{AuditResult, Change};
use crate::{Actor, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shijian_domain::clock::beijing_date;
use shijian_domain::entity::listing::{self as rules, Ground, List};
use shijian_domain::role::Permission;
use std::collections::BTreeMap;

/// An entry of a list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListEntry {
    pub id: String,
    pub uscc: String,
    /// `abnormal`, `abnormal_mark` or `dishonesty`.
    pub list: String,
    /// The ground's code, e.g. `annual_report_not_filed`.
    pub ground: String,
    /// The report year of the annual-report ground (0 for other grounds).
    pub report_year: i64,
    /// The reason as published.
    pub reason: String,
    pub listed_on: String,
    pub listed_by: String,
    pub authority_code: String,
    pub listing_document_id: Option<String>,
    pub removed_on: Option<String>,
    pub removal_reason: Option<String>,
    pub removal_document_id: Option<String>,
    /// Set when the entry has stood for three years: the entity is to be considered for
    /// the serious dishonesty list.
    pub escalation_flagged_on: Option<String>,
}

const ENTRY_COLUMNS: &str = "id, uscc, list, ground, report_year, reason, listed_on, listed_by, \
    authority_code, listing_document_id, removed_on, removal_reason, removal_document_id, \
    escalation_flagged_on";

/// An application to be removed from a list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemovalApplication {
    pub id: String,
    pub list_entry_id: String,
    pub uscc: String,
    /// How the ground was cured, e.g. `report_filed`.
    pub cure: String,
    pub statement: String,
    pub applied_on: String,
    /// The day the decision is due (the time-limit table's `abnormal_removal_decision`).
    pub due_on: String,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub decided_on: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: String,
}

const APPLICATION_COLUMNS: &str = "id, list_entry_id, uscc, cure, statement, applied_on, due_on, \
    state, decided_on, decided_by, decision_note";

/// An entry as the public portal shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicEntry {
    /// The list's Chinese name.
    pub list: String,
    pub reason: String,
    pub listed_on: String,
    /// The deciding bureau.
    pub authority: String,
    pub removed_on: Option<String>,
    pub removal_reason: Option<String>,
}

/// A ground an officer records.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewListing {
    /// `ordered_publication_not_made`, `false_information` or `unreachable_at_address`.
    pub ground: String,
    /// The facts found (kept in the record, not published).
    #[serde(default)]
    pub note: String,
}

/// A removal decision.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemovalDecision {
    pub approve: bool,
    /// Required when refusing: why, in Chinese.
    #[serde(default)]
    pub note: String,
}

fn parse_day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored date {s}: {e}")))
}

/// The due date of time-limit `kind` starting on `start`, from the time-limit table and
/// the working calendar.
async fn due(store: &Store, kind: &str, start: NaiveDate) -> Result<NaiveDate> {
    let rule = crate::reference::rule_for(store, kind, start)
        .await?
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("no time limit {kind} on {start}")))?;
    let calendar = crate::reference::calendar(store).await?;
    rule.due_date(&calendar, start, &[])
        .map_err(|e| StoreError::invalid(e.code(), e.to_string()))
}

/// Recomputes `entity.listing` from the open entries of `uscc`.
async fn refresh_list_status(tx: &mut WriteTx<'_>, uscc: &str) -> Result<String> {
    let open: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT list FROM list_entry WHERE uscc = $1 AND removed_on IS NULL")
        .bind(uscc).fetch_all(c).await)?;
    let status = if open.iter().any(|l| l == List::Dishonesty.as_str()) {
        List::Dishonesty.status_value()
    } else if open.is_empty() {
        ""
    } else {
        List::Abnormal.status_value()
    };
    on_tx!(tx, c => sqlx::query("UPDATE entity SET listing = $2 WHERE uscc = $1")
        .bind(uscc).bind(status).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(status.to_owned())
}

fn entity_change(action: &'static str, row: &Row, after: serde_json::Value) -> Change {
    Change {
        action,
        object_type: "entity",
        object_id: row.uscc.clone(),
        jurisdiction_code: row.division_code.clone(),
        result: AuditResult::Ok,
        after: Some(after),
    }
}

/// The fields every decision about an entity names.
pub(crate) fn entity_fields(row: &Row) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("entity_name".to_owned(), row.name.clone()),
        ("uscc".to_owned(), row.uscc.clone()),
    ])
}

/// Puts `row` on the list its kind and `ground` call for, with its decision document;
/// returns the entry and the change to record (the caller records, so a job can record a
/// whole batch at once).
async fn list_entity(
    tx: &mut WriteTx<'_>,
    row: &Row,
    ground: Ground,
    report_year: Option<i32>,
    listed_on: NaiveDate,
) -> Result<(ListEntry, Change)> {
    let kind = row.kind()?;
    let list = match ground {
        Ground::AbnormalThreeYears => List::Dishonesty,
        _ => List::abnormal_for(kind),
    };
    let open: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM list_entry WHERE uscc = $1 AND list = $2 AND ground = $3 \
         AND report_year = $4 AND removed_on IS NULL")
        .bind(&row.uscc).bind(list.as_str()).bind(ground.as_str())
        .bind(i64::from(report_year.unwrap_or(0))).fetch_one(c).await)?;
    if open > 0 {
        return Err(StoreError::conflict(
            "already_listed",
            format!("该主体已因同一事由列入{}", list.label_zh()),
        ));
    }
    let authority = documents::authority_for(tx, &row.division_code).await?;
    let reason = ground.reason_zh(report_year);
    let id = uuid::Uuid::new_v4().to_string();
    let document = if list == List::AbnormalMark {
        None
    } else {
        let mut fields = entity_fields(row);
        fields.insert("listing_reason".into(), reason.clone());
        fields.insert("legal_basis".into(), ground.legal_basis().to_owned());
        let kind_name = if list == List::Dishonesty {
            // The serious list has its own decision under Order 44; until its template
            // exists the entry is recorded without a document.
            None
        } else {
            Some("abnormal_listing_decision")
        };
        match kind_name {
            Some(k) => Some(
                documents::issue(
                    tx,
                    NewDocument {
                        kind: k,
                        authority: &authority,
                        uscc: Some(&row.uscc),
                        object_type: "list_entry",
                        object_id: &id,
                        issued_on: listed_on,
                        fields,
                    },
                )
                .await?,
            ),
            None => None,
        }
    };
    let listed_by = tx.actor().username.clone();
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO list_entry (id, uscc, list, ground, report_year, reason, listed_on, listed_by, \
         authority_code, listing_document_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(&id).bind(&row.uscc).bind(list.as_str()).bind(ground.as_str())
        .bind(i64::from(report_year.unwrap_or(0))).bind(&reason).bind(listed_on.to_string())
        .bind(&listed_by).bind(&authority.code).bind(document.as_ref().map(|d| d.id.clone())).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let status = refresh_list_status(tx, &row.uscc).await?;
    let change = entity_change(
        "entity.list",
        row,
        serde_json::json!({
            "uscc": row.uscc, "list": list.as_str(), "ground": ground.as_str(),
            "report_year": report_year, "listed_on": listed_on.to_string(), "listing": status,
            "document": document.as_ref().map(|d| d.number.clone()),
        }),
    );
    let entry = ListEntry {
        id,
        uscc: row.uscc.clone(),
        list: list.as_str().to_owned(),
        ground: ground.as_str().to_owned(),
        report_year: i64::from(report_year.unwrap_or(0)),
        reason,
        listed_on: listed_on.to_string(),
        listed_by,
        authority_code: authority.code,
        listing_document_id: document.map(|d| d.id),
        removed_on: None,
        removal_reason: None,
        removal_document_id: None,
        escalation_flagged_on: None,
    };
    Ok((entry, change))
}

/// The daily job: after the filing window of the last report year has closed, lists every
/// enterprise and cooperative that must report and has not (individual businesses are
/// marked), once per entity and year; and flags entries that have stood for three years.
/// Entities listed per write transaction by [`list_non_filers_in_batches`].
pub const LISTING_BATCH: i64 = 1000;

/// Lists (or marks) up to `limit` non-filers of the last closed report year whose credit
/// code sorts after `after` inside `tx`, in credit-code order (so a batched run reads the
/// register once, not once per batch); returns (listed, marked), the changes to record,
/// and the last credit code listed.
async fn list_non_filers(
    tx: &mut WriteTx<'_>,
    as_of: NaiveDate,
    after: &str,
    limit: i64,
) -> Result<(usize, usize, Vec<Change>, Option<String>)> {
    let year = rules::last_closed_report_year(as_of);
    let last_day_of_year = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
    // `e.status || ''` keeps the planner off the status index: reading the credit-code
    // index forward from `after` stops after `limit` hits, where the status index would
    // read every operating entity and sort them for each batch.
    let candidates: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT e.uscc FROM entity e WHERE (e.status || '') IN ('active', 'dormant') \
         AND e.established_on IS NOT NULL AND e.established_on <= $1 \
         AND NOT EXISTS (SELECT 1 FROM annual_report r WHERE r.uscc = e.uscc AND r.report_year = $2) \
         AND NOT EXISTS (SELECT 1 FROM list_entry l WHERE l.uscc = e.uscc \
             AND l.ground = 'annual_report_not_filed' AND l.report_year = $2) \
         AND e.uscc > $4 ORDER BY e.uscc LIMIT $3")
        .bind(last_day_of_year.to_string()).bind(i64::from(year)).bind(limit).bind(after)
        .fetch_all(c).await)?;
    let mut changes = Vec::with_capacity(candidates.len());
    let (mut listed, mut marked) = (0usize, 0usize);
    for uscc in &candidates {
        let Some(row) = load(tx, uscc).await? else {
            continue;
        };
        let (entry, change) =
            list_entity(tx, &row, Ground::AnnualReportNotFiled, Some(year), as_of).await?;
        if entry.list == List::AbnormalMark.as_str() {
            marked += 1;
        } else {
            listed += 1;
        }
        changes.push(change);
    }
    Ok((listed, marked, changes, candidates.last().cloned()))
}

/// Lists the non-filers of the last closed report year in transactions of `batch`
/// entities (the job uses [`LISTING_BATCH`]), so a city-sized run never holds the writer for long. Safe to
/// interrupt: the candidates exclude entities already listed for the year, so the next run
/// goes on where this one stopped. Returns (listed, marked).
pub async fn list_non_filers_in_batches(
    store: &Store,
    as_of: NaiveDate,
    batch: i64,
) -> Result<(usize, usize)> {
    let actor = Actor::system("job:annual_report_listing");
    let ctx = RequestCtx::local("job");
    let (mut listed, mut marked) = (0, 0);
    let mut after = String::new();
    loop {
        let mut tx = store.begin_write(&actor, &ctx).await?;
        let (l, m, changes, last) = list_non_filers(&mut tx, as_of, &after, batch.max(1)).await?;
        let Some(last) = last else {
            return Ok((listed, marked));
        };
        tx.record_many(changes).await?;
        tx.commit().await?;
        listed += l;
        marked += m;
        after = last;
    }
}

/// The daily job's final step (after [`list_non_filers_in_batches`], whose counts come in
/// `done`): lists whatever is left, flags entries that have stood for three years, and
/// says what the run did.
pub async fn run_annual_report_job(
    tx: &mut WriteTx<'_>,
    as_of: NaiveDate,
    done: (usize, usize),
) -> Result<String> {
    let year = rules::last_closed_report_year(as_of);
    let (_, window_end) = rules::filing_window(year);
    let store = tx.store().clone();
    let deadline = due(&store, "abnormal_listing", window_end).await.ok();
    let (l, m, mut changes, _) = list_non_filers(tx, as_of, "", i64::MAX).await?;
    let (listed, marked) = (done.0 + l, done.1 + m);
    let flagged = flag_three_year_entries(tx, as_of, &mut changes).await?;
    if !changes.is_empty() {
        tx.record_many(changes).await?;
    }
    let timing = match deadline {
        Some(d) if as_of > d => format!("（法定期限 {d}，已逾期补办）"),
        Some(d) => format!("（法定期限 {d}）"),
        None => String::new(),
    };
    Ok(format!(
        "{year}年度未报送年报：列入经营异常名录 {listed} 户，标记经营异常状态 {marked} 户{timing}；\
         列入满三年待列入严重违法失信名单 {flagged} 户"
    ))
}

/// Flags open abnormal-list entries that have stood for the period of
/// `abnormal_to_dishonesty` (three years) on `as_of`.
async fn flag_three_year_entries(
    tx: &mut WriteTx<'_>,
    as_of: NaiveDate,
    changes: &mut Vec<Change>,
) -> Result<usize> {
    let store = tx.store().clone();
    // The period is in years: it ends on the same calendar day, whatever the working
    // calendar says, so the flag needs no calendar of future years.
    let rule = crate::reference::rule_for(&store, "abnormal_to_dishonesty", as_of)
        .await?
        .ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!("no time limit abnormal_to_dishonesty"))
        })?;
    let months = match rule.unit {
        shijian_domain::time_limit::Unit::Years => rule.amount * 12,
        shijian_domain::time_limit::Unit::Months => rule.amount,
        other => {
            return Err(StoreError::Other(anyhow::anyhow!(
                "abnormal_to_dishonesty in {other:?}"
            )))
        }
    };
    let Some(threshold) = as_of.checked_sub_months(chrono::Months::new(months)) else {
        return Ok(0);
    };
    let entries: Vec<(String, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id, uscc, listed_on FROM list_entry WHERE list = 'abnormal' AND removed_on IS NULL \
         AND escalation_flagged_on IS NULL AND listed_on <= $1 ORDER BY listed_on, id")
        .bind(threshold.to_string()).fetch_all(c).await)?;
    let mut n = 0;
    for (id, uscc, listed_on) in entries {
        let Some(row) = load(tx, &uscc).await? else {
            continue;
        };
        on_tx!(tx, c => sqlx::query("UPDATE list_entry SET escalation_flagged_on = $2 WHERE id = $1")
            .bind(&id).bind(as_of.to_string()).execute(c).await.map(|r| r.rows_affected()))?;
        changes.push(entity_change(
            "entity.dishonesty_candidate",
            &row,
            serde_json::json!({ "uscc": uscc, "list_entry": id, "listed_on": listed_on }),
        ));
        n += 1;
    }
    Ok(n)
}

/// An officer records another ground of the abnormal list (or the abnormal mark of an
/// individual business), with its decision document.
pub async fn record(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    new: NewListing,
) -> Result<ListEntry> {
    crate::actor::authorize(
        store,
        actor,
        ctx,
        Permission::RegisterEntities,
        "entity.list",
    )
    .await?;
    let ground = Ground::from_code(&new.ground)
        .filter(|g| Ground::RECORDED_BY_OFFICERS.contains(g))
        .ok_or_else(|| {
            StoreError::invalid(
                "unknown_ground",
                format!(
                    "列入事由“{}”无效（可选 ordered_publication_not_made、false_information、unreachable_at_address；未报年报由系统自动列入）",
                    new.ground
                ),
            )
        })?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = crate::entities::load_scoped(&mut tx, actor, uscc).await?;
    let status = row.status()?;
    if !matches!(
        status,
        shijian_domain::entity::EntityStatus::Active
            | shijian_domain::entity::EntityStatus::Dormant
    ) {
        return Err(StoreError::conflict(
            "entity_not_operating",
            format!("该主体状态为{}，不能列入经营异常名录", status.label_zh()),
        ));
    }
    let today = beijing_date(tx.now());
    let (entry, mut change) = list_entity(&mut tx, &row, ground, None, today).await?;
    if let Some(after) = change.after.as_mut() {
        after["note"] = serde_json::Value::String(new.note);
    }
    tx.record(change).await?;
    tx.commit().await?;
    Ok(entry)
}

async fn entry_for_update(tx: &mut WriteTx<'_>, id: &str) -> Result<ListEntry> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM list_entry WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, ListEntry>(&sql).bind(id).fetch_optional(c).await)?
        .ok_or(StoreError::NotFound)
}

/// The entity (or an officer for it) applies to be removed from a list entry once its
/// ground is cured. For the annual-report ground the report must have been filed.
pub async fn apply_for_removal(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    entry_id: &str,
    statement: &str,
) -> Result<RemovalApplication> {
    authorize_for_entity(store, actor, ctx, uscc, "entity.removal_apply").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = load_for_entity(&mut tx, actor, uscc).await?;
    let entry = entry_for_update(&mut tx, entry_id).await?;
    if entry.uscc != uscc {
        return Err(StoreError::NotFound);
    }
    if entry.removed_on.is_some() {
        return Err(StoreError::conflict("entry_removed", "该列入记录已移出"));
    }
    let pending: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM removal_application WHERE list_entry_id = $1 AND state = 'pending'")
        .bind(entry_id).fetch_one(c).await)?;
    if pending > 0 {
        return Err(StoreError::conflict(
            "application_pending",
            "已有待决定的移出申请",
        ));
    }
    let ground = Ground::from_code(&entry.ground)
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("stored ground {}", entry.ground)))?;
    if ground == Ground::AnnualReportNotFiled {
        let year = i32::try_from(entry.report_year).unwrap_or_default();
        if !has_filed(&mut tx, uscc, year).await? {
            return Err(StoreError::invalid(
                "ground_not_cured",
                format!("尚未补报{year}年度年度报告，补报后方可申请移出"),
            ));
        }
    } else if statement.trim().is_empty() {
        return Err(StoreError::invalid(
            "statement_required",
            "请说明已履行的义务（如已公示的信息、已更正的内容、恢复联系的方式）",
        ));
    }
    let today = beijing_date(tx.now());
    let due_on = due(store, "abnormal_removal_decision", today).await?;
    let app = RemovalApplication {
        id: uuid::Uuid::new_v4().to_string(),
        list_entry_id: entry_id.to_owned(),
        uscc: uscc.to_owned(),
        cure: ground.cure().as_str().to_owned(),
        statement: statement.trim().to_owned(),
        applied_on: today.to_string(),
        due_on: due_on.to_string(),
        state: "pending".to_owned(),
        decided_on: None,
        decided_by: None,
        decision_note: String::new(),
    };
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO removal_application (id, list_entry_id, uscc, cure, statement, applied_on, due_on, \
         state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)")
        .bind(&app.id).bind(&app.list_entry_id).bind(&app.uscc).bind(&app.cure).bind(&app.statement)
        .bind(&app.applied_on).bind(&app.due_on).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.record(entity_change(
        "entity.removal_apply",
        &row,
        serde_json::json!({ "uscc": uscc, "list_entry": entry_id, "application": app.id, "due_on": app.due_on }),
    ))
    .await?;
    tx.commit().await?;
    Ok(app)
}

/// An officer of the entity's jurisdiction decides a removal application: approval removes
/// the entry (with its removal decision document), refusal keeps it and says why.
pub async fn decide_removal(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    application_id: &str,
    decision: RemovalDecision,
) -> Result<RemovalApplication> {
    crate::actor::authorize(
        store,
        actor,
        ctx,
        Permission::RegisterEntities,
        "entity.removal_decide",
    )
    .await?;
    if !decision.approve && decision.note.trim().is_empty() {
        return Err(StoreError::invalid("note_required", "不予移出时须说明理由"));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let sql = format!("SELECT {APPLICATION_COLUMNS} FROM removal_application WHERE id = $1");
    let app = on_tx!(tx, c => sqlx::query_as::<_, RemovalApplication>(&sql)
        .bind(application_id).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?;
    let row = crate::entities::load_scoped(&mut tx, actor, &app.uscc).await?;
    if app.state != "pending" {
        return Err(StoreError::conflict(
            "application_decided",
            "该移出申请已作出决定",
        ));
    }
    let entry = entry_for_update(&mut tx, &app.list_entry_id).await?;
    let today = beijing_date(tx.now());
    let state = if decision.approve {
        "approved"
    } else {
        "refused"
    };
    on_tx!(tx, c => sqlx::query(
        "UPDATE removal_application SET state = $2, decided_on = $3, decided_by = $4, decision_note = $5 \
         WHERE id = $1")
        .bind(application_id).bind(state).bind(today.to_string()).bind(&actor.username)
        .bind(decision.note.trim()).execute(c).await.map(|r| r.rows_affected()))?;
    let mut document: Option<DocumentInfo> = None;
    if decision.approve {
        let ground = Ground::from_code(&entry.ground)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("stored ground {}", entry.ground)))?;
        let cure = ground.cure().label_zh();
        if entry.list == List::Abnormal.as_str() {
            let authority = documents::authority_for(&mut tx, &row.division_code).await?;
            let listing_number: Option<String> = match &entry.listing_document_id {
                Some(id) => on_tx!(tx, c => sqlx::query_scalar(
                    "SELECT number FROM document WHERE id = $1").bind(id).fetch_optional(c).await)?,
                None => None,
            };
            let mut fields = entity_fields(&row);
            fields.insert("listing_reason".into(), entry.reason.clone());
            fields.insert(
                "listing_date".into(),
                parse_day(&entry.listed_on)?.to_string(),
            );
            fields.insert("listing_number".into(), listing_number.unwrap_or_default());
            fields.insert("removal_reason".into(), format!("你单位{cure}"));
            fields.insert("legal_basis".into(), ground.removal_basis().to_owned());
            document = Some(
                documents::issue(
                    &mut tx,
                    NewDocument {
                        kind: "abnormal_removal_decision",
                        authority: &authority,
                        uscc: Some(&row.uscc),
                        object_type: "list_entry",
                        object_id: &entry.id,
                        issued_on: today,
                        fields,
                    },
                )
                .await?,
            );
        }
        on_tx!(tx, c => sqlx::query(
            "UPDATE list_entry SET removed_on = $2, removal_reason = $3, removal_document_id = $4 WHERE id = $1")
            .bind(&entry.id).bind(today.to_string()).bind(cure)
            .bind(document.as_ref().map(|d| d.id.clone())).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let status = refresh_list_status(&mut tx, &row.uscc).await?;
    tx.record(entity_change(
        if decision.approve {
            "entity.unlist"
        } else {
            "entity.removal_refuse"
        },
        &row,
        serde_json::json!({
            "uscc": row.uscc, "list_entry": entry.id, "application": application_id,
            "listing": status, "document": document.as_ref().map(|d| d.number.clone()),
        }),
    ))
    .await?;
    tx.commit().await?;
    let sql = format!("SELECT {APPLICATION_COLUMNS} FROM removal_application WHERE id = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as::<_, RemovalApplication>(&sql)
        .bind(application_id).fetch_one(c).await)?,
    )
}

/// An entity's list entries (newest first) and removal applications, for an actor who may
/// read the entity.
pub async fn of_entity(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<(Vec<ListEntry>, Vec<RemovalApplication>)> {
    crate::annual_reports::authorize_read_for_entity(store, actor, ctx, uscc, "entity.read")
        .await?;
    let entries = entries_of(store, uscc).await?;
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM removal_application WHERE uscc = $1 ORDER BY applied_on DESC, id"
    );
    let apps = on_pool!(store, c => sqlx::query_as::<_, RemovalApplication>(&sql)
        .bind(uscc).fetch_all(c).await)?;
    Ok((entries, apps))
}

async fn entries_of(store: &Store, uscc: &str) -> Result<Vec<ListEntry>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM list_entry WHERE uscc = $1 ORDER BY listed_on DESC, id"
    );
    Ok(on_pool!(store, c => sqlx::query_as::<_, ListEntry>(&sql).bind(uscc).fetch_all(c).await)?)
}

/// The public view of an entity's list entries: list, reason, dates and the deciding
/// bureau (条例 Art.17; 信用修复: after repair of the serious list no record is shown).
pub async fn public_of_entity(store: &Store, uscc: &str) -> Result<Vec<PublicEntry>> {
    let names: Vec<(String, String)> = on_pool!(store, c => sqlx::query_as(
        "SELECT code, bureau_name FROM jurisdiction").fetch_all(c).await)?;
    Ok(entries_of(store, uscc)
        .await?
        .into_iter()
        .filter(|e| !(e.list == List::Dishonesty.as_str() && e.removed_on.is_some()))
        .map(|e| PublicEntry {
            list: List::from_code(&e.list)
                .map(|l| l.label_zh().to_owned())
                .unwrap_or_default(),
            reason: e.reason,
            listed_on: e.listed_on,
            authority: names
                .iter()
                .find(|(c, _)| *c == e.authority_code)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            removed_on: e.removed_on,
            removal_reason: e.removal_reason,
        })
        .collect())
}

/// Pending removal applications in the actor's jurisdiction, oldest due first.
pub async fn pending_applications(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
) -> Result<Vec<RemovalApplication>> {
    crate::actor::authorize(store, actor, ctx, Permission::ReadEntities, "entity.read").await?;
    let sql = format!(
        "SELECT {} FROM removal_application a JOIN entity e ON e.uscc = a.uscc \
         WHERE a.state = 'pending' AND {} ORDER BY a.due_on, a.id LIMIT 500",
        APPLICATION_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        crate::jurisdictions::division_scope_filter("e.division_code", 1)
    );
    Ok(
        on_pool!(store, c => sqlx::query_as::<_, RemovalApplication>(&sql)
        .bind(&actor.jurisdiction).fetch_all(c).await)?,
    )
}
