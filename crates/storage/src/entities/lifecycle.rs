//! The lifecycle actions after establishment: moving between registration authorities,
//! dormancy, simplified and ordinary deregistration, revocation, cancellation, bars and
//! succession. Each checks the domain's conditions on the stored facts and records a new
//! version (so `as_of` sees the status of any day), its audit record and its event.

use super::write::{
    check_effective_on, in_scope, lifecycle_error, load, load_scoped, out_of_scope, save, Row,
};
use super::{Entity, EntityItems};
use crate::actor::authorize;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::NaiveDate;
use serde::Serialize;
use shijian_domain::entity::{
    self as rules, Action, Bar, Bars, DormancyPeriod, EntityKind, EntityStatus, ObjectorKind,
};
use shijian_domain::role::Permission;

async fn permitted(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    action: &'static str,
) -> Result<()> {
    authorize(store, actor, ctx, Permission::RegisterEntities, action).await
}

fn today(tx: &WriteTx<'_>) -> NaiveDate {
    shijian_domain::clock::beijing_date(tx.now())
}

/// Moves `prev` to the status `action` leads to, effective on `effective_on`, after
/// `adjust` changed what else the action changes; records the version.
async fn change_status(
    tx: &mut WriteTx<'_>,
    prev: &Row,
    action: Action,
    name: &'static str,
    effective_on: NaiveDate,
    adjust: impl FnOnce(&mut Row),
) -> Result<Entity> {
    let status = rules::transition(Some(prev.status()?), action).map_err(lifecycle_error)?;
    check_effective_on(tx, &prev.uscc, effective_on).await?;
    let mut row = prev.clone();
    row.status = status.as_str().to_owned();
    if status != EntityStatus::Dormant {
        row.dormant_until = None;
    }
    adjust(&mut row);
    save(tx, &mut row, Some(prev), name, effective_on, None).await
}

/// Runs one status action on an entity of the actor's jurisdiction in its own transaction.
async fn simple_action(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    action: Action,
    name: &'static str,
    effective_on: NaiveDate,
) -> Result<Entity> {
    permitted(store, actor, ctx, name).await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let prev = load_scoped(&mut tx, actor, uscc).await?;
    let e = change_status(&mut tx, &prev, action, name, effective_on, |_| {}).await?;
    tx.commit().await?;
    Ok(e)
}

/// 迁出: the entity moves to a registration authority outside this jurisdiction.
pub async fn move_out(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    to_authority: &str,
    effective_on: NaiveDate,
) -> Result<Entity> {
    permitted(store, actor, ctx, "entity.move_out").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let prev = load_scoped(&mut tx, actor, uscc).await?;
    let to = to_authority.to_owned();
    let e = change_status(
        &mut tx,
        &prev,
        Action::MoveOut,
        "entity.move_out",
        effective_on,
        |r| r.registration_authority = to,
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// 迁入: an entity arrives from another registration authority, with its registered items
/// as they now stand here (a returning entity is reactivated; a new one is recorded).
pub async fn move_in(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    items: &EntityItems,
    effective_on: NaiveDate,
) -> Result<Entity> {
    permitted(store, actor, ctx, "entity.move_in").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    if !in_scope(&mut tx, actor, &items.division_code).await? {
        return Err(out_of_scope(&items.division_code));
    }
    let prev = load(&mut tx, uscc).await?;
    let from = match &prev {
        Some(p) => Some(p.status()?),
        None => None,
    };
    let status = rules::transition(from, Action::MoveIn).map_err(lifecycle_error)?;
    let mut row = Row::from_items(store, uscc, items, status)?;
    let masked = row.masked(items.legal_rep_id.as_deref(), items.phone.as_deref());
    if let Some(p) = &prev {
        check_effective_on(&mut tx, uscc, effective_on).await?;
        row.received_at = p.received_at;
        row.issued_at = p.issued_at;
    }
    let e = save(
        &mut tx,
        &mut row,
        prev.as_ref(),
        "entity.move_in",
        effective_on,
        Some(masked),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// The dormancy periods of an entity so far: (starts_on, last day).
async fn dormancy_periods(tx: &mut WriteTx<'_>, uscc: &str) -> Result<Vec<DormancyPeriod>> {
    let rows: Vec<(String, String, Option<String>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT starts_on, ends_on, ended_on FROM entity_dormancy WHERE uscc = $1 ORDER BY starts_on")
        .bind(uscc).fetch_all(c).await)?;
    rows.into_iter()
        .map(|(s, e, ended)| {
            Ok(DormancyPeriod {
                start: parse_day(&s)?,
                end: parse_day(ended.as_deref().unwrap_or(&e))?,
            })
        })
        .collect()
}

fn parse_day(s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|_| StoreError::Other(anyhow::anyhow!("bad stored date {s}")))
}

/// 歇业: files dormancy from `starts_on` to `ends_on` (at most three years in total over
/// the entity's life); the job resumes it automatically after `ends_on`.
pub async fn begin_dormancy(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    reason: &str,
) -> Result<Entity> {
    permitted(store, actor, ctx, "entity.dormancy_begin").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let prev = load_scoped(&mut tx, actor, uscc).await?;
    let past = dormancy_periods(&mut tx, uscc).await?;
    let today = today(&tx);
    let plan = rules::plan_dormancy(&past, starts_on, ends_on, today).map_err(lifecycle_error)?;
    let until = plan.period.end;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO entity_dormancy (uscc, starts_on, ends_on, reason) VALUES ($1, $2, $3, $4)")
        .bind(uscc).bind(starts_on.to_string()).bind(until.to_string()).bind(reason)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let e = change_status(
        &mut tx,
        &prev,
        Action::BeginDormancy,
        "entity.dormancy_begin",
        starts_on,
        |r| r.dormant_until = Some(until.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// Extends the current dormancy to `ends_on`, within the three-year total.
pub async fn extend_dormancy(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    ends_on: NaiveDate,
) -> Result<Entity> {
    permitted(store, actor, ctx, "entity.dormancy_extend").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let prev = load_scoped(&mut tx, actor, uscc).await?;
    let mut past = dormancy_periods(&mut tx, uscc).await?;
    let current = past
        .pop()
        .filter(|_| prev.status == EntityStatus::Dormant.as_str())
        .ok_or_else(|| StoreError::conflict("entity_not_dormant", "该市场主体不在歇业期内"))?;
    let current_start = current.start;
    let today = today(&tx);
    let plan =
        rules::plan_dormancy_extension(&past, current, ends_on, today).map_err(lifecycle_error)?;
    let until = plan.period.end;
    on_tx!(tx, c => sqlx::query("UPDATE entity_dormancy SET ends_on = $3 WHERE uscc = $1 AND starts_on = $2")
        .bind(uscc).bind(current_start.to_string()).bind(until.to_string())
        .execute(c).await.map(|r| r.rows_affected()))?;
    let e = change_status(
        &mut tx,
        &prev,
        Action::ExtendDormancy,
        "entity.dormancy_extend",
        today,
        |r| r.dormant_until = Some(until.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

async fn resume(
    tx: &mut WriteTx<'_>,
    prev: &Row,
    resumed_on: NaiveDate,
    action: Action,
    name: &'static str,
) -> Result<Entity> {
    on_tx!(tx, c => sqlx::query("UPDATE entity_dormancy SET ended_on = $2 WHERE uscc = $1 AND ended_on IS NULL")
        .bind(&prev.uscc).bind((resumed_on - chrono::Duration::days(1)).to_string())
        .execute(c).await.map(|r| r.rows_affected()))?;
    change_status(tx, prev, action, name, resumed_on, |_| {}).await
}

/// Ends dormancy: business resumes on `resumed_on`.
pub async fn end_dormancy(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    resumed_on: NaiveDate,
) -> Result<Entity> {
    permitted(store, actor, ctx, "entity.dormancy_end").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let prev = load_scoped(&mut tx, actor, uscc).await?;
    let e = resume(
        &mut tx,
        &prev,
        resumed_on,
        Action::EndDormancy,
        "entity.dormancy_end",
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// The daily job's body: every entity whose dormancy ended before `as_of` resumes on the
/// day after its last day (细则 Art.43: treated as resumed automatically).
pub async fn resume_expired_dormancies(tx: &mut WriteTx<'_>, as_of: NaiveDate) -> Result<usize> {
    let usccs: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT uscc FROM entity WHERE status = 'dormant' AND dormant_until < $1 ORDER BY uscc")
        .bind(as_of.to_string()).fetch_all(c).await)?;
    for uscc in &usccs {
        let Some(prev) = load(tx, uscc).await? else {
            continue;
        };
        let Some(until) = prev.dormant_until.as_deref().map(parse_day).transpose()? else {
            continue;
        };
        resume(
            tx,
            &prev,
            until + chrono::Duration::days(1),
            Action::ResumeAutomatically,
            "entity.dormancy_resume",
        )
        .await?;
    }
    Ok(usccs.len())
}

/// A simplified deregistration (简易注销) and its objections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimplifiedDeregistration {
    pub id: String,
    pub uscc: String,
    pub notice_starts_on: String,
    /// `notice`, `refused`, `deregistered` or `withdrawn`.
    pub state: String,
    pub decided_on: Option<String>,
    pub reason: String,
    pub objections: Vec<Objection>,
}

/// An objection raised during the notice period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objection {
    pub id: String,
    /// `department`, `creditor` or `other`.
    pub objector_kind: String,
    pub objector: String,
    pub content: String,
    pub received_on: String,
}

/// The bars of 细则 Art.48 that hold for an entity now.
async fn bars(tx: &mut WriteTx<'_>, row: &Row) -> Result<Bars> {
    let recorded: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT bar FROM entity_bar WHERE uscc = $1 AND lifted_at IS NULL")
        .bind(&row.uscc).fetch_all(c).await)?;
    let has = |b: &str| recorded.iter().any(|r| r == b);
    Ok(Bars {
        abnormal_listing: row.listing == "abnormal",
        dishonesty_listing: row.listing == "dishonesty",
        equity_frozen_or_pledged: has("equity_frozen_or_pledged"),
        chattel_mortgage: has("chattel_mortgage"),
        investments_in_other_entities: has("investments_in_other_entities"),
        under_investigation_or_compulsory_measures: has(
            "under_investigation_or_compulsory_measures",
        ),
        in_litigation_or_arbitration: has("in_litigation_or_arbitration"),
        licence_revoked_or_closed: row.status == EntityStatus::Revoked.as_str()
            || has("licence_revoked_or_closed"),
        unexecuted_fines: has("unexecuted_fines"),
    })
}

/// Records an entity action that changes no registered item (no new version): its audit
/// record and event.
async fn record_entity(
    tx: &mut WriteTx<'_>,
    action: &'static str,
    uscc: String,
    division_code: String,
    after: serde_json::Value,
) -> Result<i64> {
    tx.record(Change {
        action,
        object_type: "entity",
        object_id: uscc,
        jurisdiction_code: division_code,
        result: AuditResult::Ok,
        after: Some(after),
    })
    .await
}

fn objector_kind_of(code: &str) -> Option<ObjectorKind> {
    [
        ObjectorKind::Department,
        ObjectorKind::Creditor,
        ObjectorKind::Other,
    ]
    .into_iter()
    .find(|k| k.as_str() == code)
}

fn kind_of(row: &Row) -> Result<EntityKind> {
    row.kind()
}

/// Starts a simplified deregistration: refused at once while the entity is on the abnormal
/// or dishonesty list or any other bar holds; otherwise its public notice (enterprises and
/// cooperatives, 20 days) or its objection period (individual businesses, 10 days) begins.
pub async fn simplified_deregistration_start(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    notice_starts_on: NaiveDate,
) -> Result<SimplifiedDeregistration> {
    permitted(store, actor, ctx, "entity.simplified_deregistration_start").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = load_scoped(&mut tx, actor, uscc).await?;
    rules::transition(Some(row.status()?), Action::StartSimplifiedDeregistration)
        .map_err(lifecycle_error)?;
    let b = bars(&mut tx, &row).await?;
    if let Err(e) = rules::check_start(&b) {
        drop(tx);
        store
            .audit_only(
                actor,
                ctx,
                Change {
                    action: "entity.simplified_deregistration_start",
                    object_type: "entity",
                    object_id: uscc.to_owned(),
                    jurisdiction_code: row.division_code.clone(),
                    result: AuditResult::Failed,
                    after: None,
                },
            )
            .await?;
        return Err(lifecycle_error(e));
    }
    let open: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM simplified_deregistration WHERE uscc = $1 AND state = 'notice'")
        .bind(uscc).fetch_one(c).await)?;
    if open > 0 {
        return Err(StoreError::conflict(
            "notice_running",
            "该市场主体已有正在公示的简易注销申请",
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO simplified_deregistration (id, uscc, notice_starts_on, state, created_at) \
         VALUES ($1, $2, $3, 'notice', $4)")
        .bind(&id).bind(uscc).bind(notice_starts_on.to_string()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    record_entity(
        &mut tx,
        "entity.simplified_deregistration_start",
        uscc.to_owned(),
        row.division_code.clone(),
        serde_json::json!({
            "uscc": uscc, "application": id, "notice_starts_on": notice_starts_on,
            "kind": kind_of(&row)?.as_str(),
        }),
    )
    .await?;
    tx.commit().await?;
    simplified_deregistration(store, actor, ctx, &id).await
}

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: String,
    uscc: String,
    notice_starts_on: String,
    state: String,
    decided_on: Option<String>,
    reason: String,
}

/// One simplified deregistration with its objections (inside the jurisdiction).
pub async fn simplified_deregistration(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: &str,
) -> Result<SimplifiedDeregistration> {
    let a = on_pool!(store, c => sqlx::query_as::<_, ApplicationRow>(
        "SELECT id, uscc, notice_starts_on, state, decided_on, reason FROM simplified_deregistration WHERE id = $1")
        .bind(id).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?;
    super::get(store, actor, ctx, &a.uscc).await?;
    let objections = on_pool!(store, c => sqlx::query_as::<_, Objection>(
        "SELECT id, objector_kind, objector, content, received_on FROM deregistration_objection \
         WHERE application_id = $1 ORDER BY received_on, id")
        .bind(id).fetch_all(c).await)?;
    Ok(SimplifiedDeregistration {
        id: a.id,
        uscc: a.uscc,
        notice_starts_on: a.notice_starts_on,
        state: a.state,
        decided_on: a.decided_on,
        reason: a.reason,
        objections,
    })
}

async fn application_for_update(
    tx: &mut WriteTx<'_>,
    actor: &Actor,
    id: &str,
) -> Result<(ApplicationRow, Row)> {
    let a = on_tx!(tx, c => sqlx::query_as::<_, ApplicationRow>(
        "SELECT id, uscc, notice_starts_on, state, decided_on, reason FROM simplified_deregistration WHERE id = $1")
        .bind(id).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?;
    let row = load_scoped(tx, actor, &a.uscc).await?;
    Ok((a, row))
}

/// Records an objection by a department, a creditor or another party, received during the
/// notice (or objection) period.
pub async fn add_objection(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    application_id: &str,
    objector_kind: &str,
    objector: &str,
    content: &str,
    received_on: NaiveDate,
) -> Result<SimplifiedDeregistration> {
    permitted(store, actor, ctx, "entity.objection_add").await?;
    if objector_kind_of(objector_kind).is_none() {
        return Err(StoreError::invalid(
            "objector_kind_unknown",
            "异议人类别应为 department（部门）、creditor（债权人）或 other（其他利害关系人）",
        ));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let (a, row) = application_for_update(&mut tx, actor, application_id).await?;
    if a.state != "notice" {
        return Err(StoreError::conflict(
            "application_closed",
            "该简易注销申请已办结，不能再提出异议",
        ));
    }
    let rule = rules::SimplifiedDeregistrationRule::for_kind(kind_of(&row)?);
    let notice_start = parse_day(&a.notice_starts_on)?;
    if !rule.in_objection_period(notice_start, received_on) {
        return Err(StoreError::invalid(
            "objection_outside_period",
            format!(
                "异议收到日期 {received_on} 不在公示（异议）期 {notice_start} 至 {} 内",
                rule.period_end(notice_start)
            ),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO deregistration_objection (id, application_id, objector_kind, objector, content, received_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id).bind(application_id).bind(objector_kind).bind(objector).bind(content)
        .bind(received_on.to_string()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    record_entity(
        &mut tx,
        "entity.objection_add",
        row.uscc.clone(),
        row.division_code.clone(),
        serde_json::json!({
            "uscc": row.uscc, "application": application_id, "objection": id,
            "objector_kind": objector_kind, "received_on": received_on,
        }),
    )
    .await?;
    tx.commit().await?;
    simplified_deregistration(store, actor, ctx, application_id).await
}

/// Decides the application on `decided_on`: deregisters the entity when the notice period
/// has ended with no objection, no bar holds and the application is within its window;
/// otherwise records the refusal with its reason and answers with it.
pub async fn simplified_deregistration_apply(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    application_id: &str,
    decided_on: NaiveDate,
) -> Result<SimplifiedDeregistration> {
    permitted(store, actor, ctx, "entity.simplified_deregistration_apply").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let (a, row) = application_for_update(&mut tx, actor, application_id).await?;
    if a.state != "notice" {
        return Err(StoreError::conflict(
            "application_closed",
            "该简易注销申请已办结",
        ));
    }
    let rows: Vec<(String, String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT objector_kind, received_on, content FROM deregistration_objection WHERE application_id = $1")
        .bind(application_id).fetch_all(c).await)?;
    let objections = rows
        .into_iter()
        .map(|(kind, on, text)| {
            Ok(rules::Objection {
                party: objector_kind_of(&kind).unwrap_or(ObjectorKind::Other),
                raised_on: parse_day(&on)?,
                text,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let b = bars(&mut tx, &row).await?;
    let rule = rules::SimplifiedDeregistrationRule::for_kind(kind_of(&row)?);
    let verdict = rules::check_application(
        decided_on,
        &rule,
        parse_day(&a.notice_starts_on)?,
        &objections,
        &b,
    );
    let (state, reason) = match &verdict {
        Ok(()) => ("deregistered", String::new()),
        // Too early: nothing is decided yet, the application stays open.
        Err(e) if e.code() == "notice_not_ended" => return Err(lifecycle_error(e.clone())),
        Err(e) => ("refused", e.to_string()),
    };
    on_tx!(tx, c => sqlx::query(
        "UPDATE simplified_deregistration SET state = $2, decided_on = $3, reason = $4 WHERE id = $1")
        .bind(application_id).bind(state).bind(decided_on.to_string()).bind(&reason)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if verdict.is_ok() {
        change_status(
            &mut tx,
            &row,
            Action::ApplySimplifiedDeregistration,
            "entity.simplified_deregistration",
            decided_on,
            |_| {},
        )
        .await?;
        if rule.public_notice {
            issue_deregistration_notice(&mut tx, &row, &rule, &a, decided_on).await?;
        }
    } else {
        record_entity(
            &mut tx,
            "entity.simplified_deregistration_refuse",
            row.uscc.clone(),
            row.division_code.clone(),
            serde_json::json!({
                "uscc": row.uscc, "application": application_id, "reason": reason,
            }),
        )
        .await?;
    }
    tx.commit().await?;
    match verdict {
        Ok(()) => simplified_deregistration(store, actor, ctx, application_id).await,
        Err(e) => Err(lifecycle_error(e)),
    }
}

/// Issues the 准予简易注销登记通知书 of an enterprise or cooperative whose simplified
/// deregistration was granted on `decided_on`. (Individual businesses have no public
/// notice of a commitment; their notice needs its own template.)
async fn issue_deregistration_notice(
    tx: &mut WriteTx<'_>,
    row: &Row,
    rule: &rules::SimplifiedDeregistrationRule,
    a: &ApplicationRow,
    decided_on: NaiveDate,
) -> Result<()> {
    let authority = crate::documents::authority_for(tx, &row.division_code).await?;
    let start = parse_day(&a.notice_starts_on)?;
    let mut fields = crate::listings::entity_fields(row);
    for (k, v) in [
        ("application_date", decided_on),
        ("notice_start", start),
        ("notice_end", rule.period_end(start)),
        ("deregistration_date", decided_on),
    ] {
        fields.insert(k.to_owned(), v.to_string());
    }
    crate::documents::issue(
        tx,
        crate::documents::NewDocument {
            kind: "simplified_deregistration_notice",
            authority: &authority,
            uscc: Some(&row.uscc),
            object_type: "simplified_deregistration",
            object_id: &a.id,
            issued_on: decided_on,
            fields,
        },
    )
    .await?;
    Ok(())
}

/// Ordinary deregistration (注销登记) after liquidation, effective on `effective_on`.
pub async fn deregister(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    effective_on: NaiveDate,
) -> Result<Entity> {
    simple_action(
        store,
        actor,
        ctx,
        uscc,
        Action::Deregister,
        "entity.deregister",
        effective_on,
    )
    .await
}

/// Revocation of the business licence (吊销营业执照).
pub async fn revoke(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    effective_on: NaiveDate,
) -> Result<Entity> {
    simple_action(
        store,
        actor,
        ctx,
        uscc,
        Action::Revoke,
        "entity.revoke",
        effective_on,
    )
    .await
}

/// Cancellation of a registration obtained by fraud (撤销登记).
pub async fn cancel_registration(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    effective_on: NaiveDate,
) -> Result<Entity> {
    simple_action(
        store,
        actor,
        ctx,
        uscc,
        Action::CancelRegistration,
        "entity.cancel",
        effective_on,
    )
    .await
}

/// Records a bar of 细则 Art.48 against an entity (frozen equity, investigation, …).
pub async fn record_bar(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    bar: &str,
    note: &str,
) -> Result<String> {
    permitted(store, actor, ctx, "entity.bar_record").await?;
    let recordable = Bar::ALL
        .iter()
        .any(|b| b.as_str() == bar && !matches!(b, Bar::AbnormalListing | Bar::DishonestyListing));
    if !recordable {
        return Err(StoreError::invalid(
            "bar_unknown",
            format!("未知的限制事项：{bar}"),
        ));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = load_scoped(&mut tx, actor, uscc).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO entity_bar (id, uscc, bar, note, recorded_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id).bind(uscc).bind(bar).bind(note).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    record_entity(
        &mut tx,
        "entity.bar_record",
        uscc.to_owned(),
        row.division_code,
        serde_json::json!({ "uscc": uscc, "bar": bar, "id": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Lifts a recorded bar.
pub async fn lift_bar(store: &Store, actor: &Actor, ctx: &RequestCtx, id: &str) -> Result<()> {
    permitted(store, actor, ctx, "entity.bar_lift").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let uscc: String = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT uscc FROM entity_bar WHERE id = $1 AND lifted_at IS NULL")
        .bind(id).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?;
    let row = load_scoped(&mut tx, actor, &uscc).await?;
    let now = tx.now();
    on_tx!(tx, c => sqlx::query("UPDATE entity_bar SET lifted_at = $2 WHERE id = $1")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    record_entity(
        &mut tx,
        "entity.bar_lift",
        uscc.clone(),
        row.division_code,
        serde_json::json!({ "uscc": uscc, "id": id }),
    )
    .await?;
    tx.commit().await
}

/// Links a predecessor to its successor (个转企, merger, split) so history follows the
/// entity. Both must be visible to the actor.
pub async fn link_succession(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    predecessor: &str,
    successor: &str,
    kind: &str,
    effective_on: NaiveDate,
) -> Result<()> {
    permitted(store, actor, ctx, "entity.succession_link").await?;
    if !matches!(kind, "individual_to_enterprise" | "merger" | "split") {
        return Err(StoreError::invalid(
            "succession_kind_unknown",
            "承继类型应为 individual_to_enterprise（个转企）、merger（合并）或 split（分立）",
        ));
    }
    if predecessor == successor {
        return Err(StoreError::invalid(
            "succession_self",
            "不能与自身建立承继关系",
        ));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let p = load_scoped(&mut tx, actor, predecessor).await?;
    let s = load_scoped(&mut tx, actor, successor).await?;
    if kind == "individual_to_enterprise"
        && (p.entity_type != "individual_business" || s.entity_type != "enterprise")
    {
        return Err(StoreError::invalid(
            "succession_kind_mismatch",
            "个转企须由个体工商户承继为企业",
        ));
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO entity_link (predecessor, successor, kind, effective_on) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (predecessor, successor) DO NOTHING")
        .bind(predecessor).bind(successor).bind(kind).bind(effective_on.to_string())
        .execute(c).await.map(|r| r.rows_affected()))?;
    record_entity(
        &mut tx,
        "entity.succession_link",
        successor.to_owned(),
        s.division_code,
        serde_json::json!({
            "predecessor": predecessor, "successor": successor, "kind": kind,
            "effective_on": effective_on,
        }),
    )
    .await?;
    tx.commit().await
}

/// The simplified deregistrations of an entity, newest first (inside the jurisdiction).
pub async fn simplified_deregistrations_of(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<Vec<SimplifiedDeregistration>> {
    super::get(store, actor, ctx, uscc).await?;
    let ids: Vec<String> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT id FROM simplified_deregistration WHERE uscc = $1 ORDER BY created_at DESC, id")
        .bind(uscc).fetch_all(c).await)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(simplified_deregistration(store, actor, ctx, &id).await?);
    }
    Ok(out)
}

/// A bar recorded against an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BarRecord {
    pub id: String,
    /// The bar's code (`shijian_domain::entity::Bar`).
    pub bar: String,
    pub note: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub lifted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The bars recorded against an entity, holding ones first (inside the jurisdiction).
pub async fn bars_of(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<Vec<BarRecord>> {
    super::get(store, actor, ctx, uscc).await?;
    Ok(on_pool!(store, c => sqlx::query_as::<_, BarRecord>(
        "SELECT id, bar, note, recorded_at, lifted_at FROM entity_bar WHERE uscc = $1 \
         ORDER BY (lifted_at IS NULL) DESC, recorded_at DESC, id")
        .bind(uscc).fetch_all(c).await)?)
}
