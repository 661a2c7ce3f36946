//! Permits (证照分离): the permit-item catalogue, permits per entity, expiry warnings, and
//! the signed links of licence and permit QR codes with the public status they open.
//!
//! This module owns the `permit*` and `link_key` tables. Invariants:
//! - a permit belongs to an entity, and is read and changed only inside the jurisdiction
//!   of that entity's division (404 outside), like the entity itself;
//! - every change (catalogue edit, issue, renewal, revocation, cancellation, expiry,
//!   warning, link-key rotation) records its audit record and event in the same
//!   transaction;
//! - "expired" is computed from the store clock's Beijing date
//!   (`shijian_domain::permit::effective_status`), so a permit past its last valid day
//!   reads as expired before the daily job has marked it;
//! - the public status behind a signed link is answered only after the signature checks
//!   (constant-time, with a key that is not retired), and carries no personal data.

use crate::actor::authorize;
use crate::jurisdictions::division_scope_filter;
use crate::write::TxInner;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shijian_crypto::links::{next_link_key_id, LinkKey};
use shijian_crypto::KeyId;
use shijian_domain::division::CITY_CODE;
use shijian_domain::permit::{
    self as rules, check_change, check_validity, default_valid_until, due_warnings,
    effective_status, licence_public_status, PermitRuleError, PermitStatus, ReformMode,
};
use shijian_domain::role::Permission;

fn rule_error(e: PermitRuleError) -> StoreError {
    match e {
        PermitRuleError::Terminal(_) => StoreError::conflict(e.code(), e.message()),
        _ => StoreError::invalid(e.code(), e.message()),
    }
}

fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Other(anyhow::anyhow!("bad stored date {s}: {e}")))
}

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(v).map_err(anyhow::Error::from)?)
}

// ---------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------

/// A permit item of the catalogue (涉企经营许可事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermitItem {
    pub code: String,
    pub name: String,
    /// The issuing department.
    pub department: String,
    /// `abolished`, `filing`, `commitment` or `approval`.
    pub reform_mode: String,
    pub reform_mode_label: String,
    /// Years of validity; absent: no expiry.
    pub validity_years: Option<i64>,
    pub legal_basis: String,
    /// What is still to be checked (待核实), or other remarks.
    pub note: String,
    /// Whether new permits of this item are issued.
    pub active: bool,
    pub sort_order: i64,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    code: String,
    name: String,
    department: String,
    reform_mode: String,
    validity_years: Option<i64>,
    legal_basis: String,
    note: String,
    active: bool,
    sort_order: i64,
}

impl PermitItem {
    /// The last valid day of a permit of this item issued on `issued_on`: `given` if set,
    /// else from the item's validity (none if it has none).
    fn valid_until(&self, issued_on: NaiveDate, given: Option<NaiveDate>) -> Option<NaiveDate> {
        given.or_else(|| {
            self.validity_years
                .and_then(|y| u32::try_from(y).ok())
                .and_then(|y| default_valid_until(issued_on, y))
        })
    }

    /// Refuses an item whose approval was abolished (it issues nothing any more).
    fn check_issues(&self) -> Result<()> {
        let mode = ReformMode::from_code(&self.reform_mode).unwrap_or(ReformMode::Approval);
        if mode.issues_permits() {
            Ok(())
        } else {
            Err(rule_error(PermitRuleError::ItemAbolished))
        }
    }
}

impl ItemRow {
    fn into_item(self) -> PermitItem {
        let label = ReformMode::from_code(&self.reform_mode).map_or("", ReformMode::label);
        PermitItem {
            reform_mode_label: label.to_owned(),
            code: self.code,
            name: self.name,
            department: self.department,
            reform_mode: self.reform_mode,
            validity_years: self.validity_years,
            legal_basis: self.legal_basis,
            note: self.note,
            active: self.active,
            sort_order: self.sort_order,
        }
    }
}

const ITEM_COLUMNS: &str =
    "code, name, department, reform_mode, validity_years, legal_basis, note, active, sort_order";

/// The catalogue in display order.
pub async fn items(store: &Store) -> Result<Vec<PermitItem>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM permit_item ORDER BY sort_order, code");
    let rows = on_pool!(store, c => sqlx::query_as::<_, ItemRow>(&sql).fetch_all(c).await)?;
    Ok(rows.into_iter().map(ItemRow::into_item).collect())
}

/// One catalogue item.
pub async fn item(store: &Store, code: &str) -> Result<PermitItem> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM permit_item WHERE code = $1");
    on_pool!(store, c => sqlx::query_as::<_, ItemRow>(&sql).bind(code).fetch_optional(c).await)?
        .map(ItemRow::into_item)
        .ok_or(StoreError::NotFound)
}

/// The fields of a catalogue item as an administrator gives them; `None` keeps the stored
/// value when editing (and is the default when creating).
#[derive(Debug, Clone, Default)]
pub struct ItemEdit {
    pub name: Option<String>,
    pub department: Option<String>,
    pub reform_mode: Option<String>,
    /// `Some(None)` clears the validity (no expiry).
    pub validity_years: Option<Option<i64>>,
    pub legal_basis: Option<String>,
    pub note: Option<String>,
    pub active: Option<bool>,
    pub sort_order: Option<i64>,
}

fn check_item(i: &PermitItem) -> Result<()> {
    if !(1..=40).contains(&i.code.len())
        || !i
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::invalid(
            "bad_permit_item_code",
            "事项代码须为 1–40 个小写字母、数字或下划线",
        ));
    }
    if i.name.trim().is_empty() || i.department.trim().is_empty() {
        return Err(StoreError::invalid(
            "missing_field",
            "事项名称和实施部门不能为空",
        ));
    }
    if ReformMode::from_code(&i.reform_mode).is_none() {
        return Err(StoreError::invalid(
            "bad_reform_mode",
            "改革方式须为 abolished（直接取消审批）、filing（审批改为备案）、commitment（实行告知承诺）或 approval（优化审批服务）",
        ));
    }
    if i.validity_years.is_some_and(|y| !(1..=50).contains(&y)) {
        return Err(StoreError::invalid(
            "bad_validity",
            "有效期须为 1–50 年，或不设有效期",
        ));
    }
    Ok(())
}

fn apply_edit(mut i: PermitItem, e: ItemEdit) -> PermitItem {
    if let Some(v) = e.name {
        i.name = v.trim().to_owned();
    }
    if let Some(v) = e.department {
        i.department = v.trim().to_owned();
    }
    if let Some(v) = e.reform_mode {
        i.reform_mode = v;
    }
    if let Some(v) = e.validity_years {
        i.validity_years = v;
    }
    if let Some(v) = e.legal_basis {
        i.legal_basis = v;
    }
    if let Some(v) = e.note {
        i.note = v;
    }
    if let Some(v) = e.active {
        i.active = v;
    }
    if let Some(v) = e.sort_order {
        i.sort_order = v;
    }
    i.reform_mode_label = ReformMode::from_code(&i.reform_mode)
        .map_or("", ReformMode::label)
        .to_owned();
    i
}

/// Adds an item to the catalogue (system administrator; audited).
pub async fn create_item(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    code: &str,
    edit: ItemEdit,
) -> Result<PermitItem> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "permit_item.create",
    )
    .await?;
    let blank = PermitItem {
        code: code.trim().to_owned(),
        name: String::new(),
        department: String::new(),
        reform_mode: String::new(),
        reform_mode_label: String::new(),
        validity_years: None,
        legal_basis: String::new(),
        note: String::new(),
        active: true,
        sort_order: 1000,
    };
    let i = apply_edit(blank, edit);
    check_item(&i)?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    let inserted = on_tx!(tx, c => sqlx::query(
        "INSERT INTO permit_item (code, name, department, reform_mode, validity_years, legal_basis, \
         note, active, sort_order, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(&i.code).bind(&i.name).bind(&i.department).bind(&i.reform_mode)
        .bind(i.validity_years).bind(&i.legal_basis).bind(&i.note).bind(i.active)
        .bind(i.sort_order).bind(now)
        .execute(c).await.map(|r| r.rows_affected()));
    match inserted {
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(StoreError::conflict(
                "permit_item_exists",
                format!("事项代码 {} 已存在", i.code),
            ))
        }
        other => other?,
    };
    record_item(&mut tx, "permit_item.create", &i).await?;
    tx.commit().await?;
    Ok(i)
}

/// Edits a catalogue item (system administrator; audited).
pub async fn edit_item(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    code: &str,
    edit: ItemEdit,
) -> Result<PermitItem> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "permit_item.edit",
    )
    .await?;
    let current = item(store, code).await?;
    let i = apply_edit(current, edit);
    check_item(&i)?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE permit_item SET name = $2, department = $3, reform_mode = $4, validity_years = $5, \
         legal_basis = $6, note = $7, active = $8, sort_order = $9, updated_at = $10 WHERE code = $1")
        .bind(&i.code).bind(&i.name).bind(&i.department).bind(&i.reform_mode)
        .bind(i.validity_years).bind(&i.legal_basis).bind(&i.note).bind(i.active)
        .bind(i.sort_order).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Err(StoreError::NotFound);
    }
    record_item(&mut tx, "permit_item.edit", &i).await?;
    tx.commit().await?;
    Ok(i)
}

async fn record_item(tx: &mut WriteTx<'_>, action: &'static str, i: &PermitItem) -> Result<()> {
    tx.record(Change {
        action,
        object_type: "permit_item",
        object_id: i.code.clone(),
        jurisdiction_code: CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(json(i)?),
    })
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Permits
// ---------------------------------------------------------------------------------------

/// A permit as it leaves storage, with its status on the store clock's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permit {
    pub id: String,
    /// The certificate or filing number (证书编号).
    pub number: String,
    pub item_code: String,
    pub item_name: String,
    /// The issuing department (from the catalogue).
    pub department: String,
    pub uscc: String,
    pub entity_name: String,
    pub issued_on: String,
    /// The last valid day; absent: no expiry.
    pub valid_until: Option<String>,
    /// `valid`, `expired`, `revoked` or `cancelled`, as of today.
    pub status: String,
    pub status_label: String,
    pub scope: String,
    pub remarks: String,
    /// When it was revoked or cancelled, and why.
    pub ended_on: Option<String>,
    pub end_reason: String,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct PermitRow {
    id: String,
    number: String,
    item_code: String,
    item_name: String,
    department: String,
    uscc: String,
    entity_name: String,
    division_code: String,
    issued_on: String,
    valid_until: Option<String>,
    status: String,
    scope: String,
    remarks: String,
    ended_on: Option<String>,
    end_reason: String,
    version: i64,
}

const PERMIT_SELECT: &str = "SELECT p.id, p.number, p.item_code, i.name AS item_name, \
    i.department, p.uscc, e.name AS entity_name, e.division_code, p.issued_on, p.valid_until, \
    p.status, p.scope, p.remarks, p.ended_on, p.end_reason, p.version \
    FROM permit p JOIN permit_item i ON i.code = p.item_code JOIN entity e ON e.uscc = p.uscc";

impl PermitRow {
    fn stored(&self) -> Result<PermitStatus> {
        PermitStatus::from_code(&self.status).ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!(
                "unknown stored permit status {}",
                self.status
            ))
        })
    }

    fn valid_until(&self) -> Result<Option<NaiveDate>> {
        self.valid_until.as_deref().map(parse_date).transpose()
    }

    fn to_permit(&self, today: NaiveDate) -> Result<Permit> {
        let status = effective_status(self.stored()?, self.valid_until()?, today);
        Ok(Permit {
            id: self.id.clone(),
            number: self.number.clone(),
            item_code: self.item_code.clone(),
            item_name: self.item_name.clone(),
            department: self.department.clone(),
            uscc: self.uscc.clone(),
            entity_name: self.entity_name.clone(),
            issued_on: self.issued_on.clone(),
            valid_until: self.valid_until.clone(),
            status: status.as_str().to_owned(),
            status_label: status.label().to_owned(),
            scope: self.scope.clone(),
            remarks: self.remarks.clone(),
            ended_on: self.ended_on.clone(),
            end_reason: self.end_reason.clone(),
            version: self.version,
        })
    }
}

async fn read_permitted(store: &Store, actor: &Actor, ctx: &RequestCtx) -> Result<()> {
    authorize(store, actor, ctx, Permission::ReadEntities, "permit.read").await
}

/// The division of an entity inside the actor's jurisdiction, or 404.
async fn entity_in_scope(store: &Store, actor: &Actor, uscc: &str) -> Result<()> {
    let sql = format!(
        "SELECT COUNT(*) FROM entity WHERE uscc = $2 AND {}",
        division_scope_filter("entity.division_code", 1)
    );
    let n: i64 = on_pool!(store, c => sqlx::query_scalar(&sql)
        .bind(&actor.jurisdiction).bind(uscc).fetch_one(c).await)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The permits of an entity of the actor's jurisdiction, newest first.
pub async fn for_entity(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<Vec<Permit>> {
    read_permitted(store, actor, ctx).await?;
    entity_in_scope(store, actor, uscc).await?;
    let sql = format!(
        "{PERMIT_SELECT} WHERE p.uscc = $2 AND {} ORDER BY p.issued_on DESC, p.number",
        division_scope_filter("e.division_code", 1)
    );
    let rows = on_pool!(store, c => sqlx::query_as::<_, PermitRow>(&sql)
        .bind(&actor.jurisdiction).bind(uscc).fetch_all(c).await)?;
    let today = store.clock().today();
    rows.iter().map(|r| r.to_permit(today)).collect()
}

async fn row_scoped(store: &Store, actor: &Actor, id: &str) -> Result<PermitRow> {
    let sql = format!(
        "{PERMIT_SELECT} WHERE p.id = $2 AND {}",
        division_scope_filter("e.division_code", 1)
    );
    on_pool!(store, c => sqlx::query_as::<_, PermitRow>(&sql)
        .bind(&actor.jurisdiction).bind(id).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)
}

/// One permit, inside the actor's jurisdiction (404 outside).
pub async fn get(store: &Store, actor: &Actor, ctx: &RequestCtx, id: &str) -> Result<Permit> {
    read_permitted(store, actor, ctx).await?;
    row_scoped(store, actor, id)
        .await?
        .to_permit(store.clock().today())
}

/// A permit being issued.
#[derive(Debug, Clone, Default)]
pub struct NewPermit {
    pub item_code: String,
    pub number: String,
    /// Default: today.
    pub issued_on: Option<NaiveDate>,
    /// Default: from the item's validity (none if it has none).
    pub valid_until: Option<NaiveDate>,
    pub scope: String,
    pub remarks: String,
}

async fn load_in_tx(tx: &mut WriteTx<'_>, id: &str) -> Result<Option<PermitRow>> {
    let lock = match tx.inner {
        TxInner::Sqlite(_) => "",
        TxInner::Postgres(_) => " FOR UPDATE OF p",
    };
    let sql = format!("{PERMIT_SELECT} WHERE p.id = $1{lock}");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, PermitRow>(&sql).bind(id).fetch_optional(c).await)?)
}

async fn division_in_scope(tx: &mut WriteTx<'_>, actor: &Actor, division: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM division WHERE code = $2 AND {}",
        division_scope_filter("division.code", 1)))
        .bind(&actor.jurisdiction).bind(division).fetch_one(c).await)?;
    Ok(n > 0)
}

fn notice(action: &'static str, row: &PermitRow, p: &Permit) -> Result<Change> {
    Ok(Change {
        action,
        object_type: "permit",
        object_id: row.id.clone(),
        jurisdiction_code: row.division_code.clone(),
        result: AuditResult::Ok,
        after: Some(json(p)?),
    })
}

fn today_of(tx: &WriteTx<'_>) -> NaiveDate {
    shijian_domain::clock::beijing_date(tx.now())
}

/// Issues a permit to an entity of the actor's jurisdiction (officer; audited).
pub async fn issue(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    new: NewPermit,
) -> Result<Permit> {
    authorize(
        store,
        actor,
        ctx,
        Permission::RegisterEntities,
        "permit.issue",
    )
    .await?;
    let number = new.number.trim().to_owned();
    if number.is_empty() || number.chars().count() > 64 {
        return Err(StoreError::invalid(
            "bad_permit_number",
            "证书编号不能为空，且不超过 64 个字符",
        ));
    }
    let it = item(store, &new.item_code).await.map_err(|e| match e {
        StoreError::NotFound => StoreError::invalid(
            "unknown_permit_item",
            format!("未知许可事项：{}", new.item_code),
        ),
        other => other,
    })?;
    it.check_issues()?;
    if !it.active {
        return Err(StoreError::invalid(
            "permit_item_inactive",
            "该许可事项已停用，不再发放新证件",
        ));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let entity: Option<(String, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT division_code, status FROM entity WHERE uscc = $1")
        .bind(uscc).fetch_optional(c).await)?;
    let (division, status) = entity.ok_or(StoreError::NotFound)?;
    if !division_in_scope(&mut tx, actor, &division).await? {
        return Err(StoreError::NotFound);
    }
    if !matches!(status.as_str(), "active" | "dormant") {
        return Err(StoreError::conflict(
            "entity_not_operating",
            "该市场主体不在存续状态（已吊销、注销、撤销或迁出），不能发放许可证件",
        ));
    }
    let today = today_of(&tx);
    let issued_on = new.issued_on.unwrap_or(today);
    let valid_until = it.valid_until(issued_on, new.valid_until);
    check_validity(issued_on, valid_until).map_err(rule_error)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = tx.now();
    let inserted = on_tx!(tx, c => sqlx::query(
        "INSERT INTO permit (id, number, item_code, uscc, issued_on, valid_until, status, scope, \
         remarks, ended_on, end_reason, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'valid', $7, $8, NULL, '', 1, $9, $9)")
        .bind(&id).bind(&number).bind(&it.code).bind(uscc)
        .bind(issued_on.to_string()).bind(valid_until.map(|d| d.to_string()))
        .bind(new.scope.trim()).bind(new.remarks.trim()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()));
    match inserted {
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(StoreError::conflict(
                "permit_number_exists",
                format!("{}编号 {number} 已存在", it.name),
            ))
        }
        other => other?,
    };
    let row = load_in_tx(&mut tx, &id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let p = row.to_permit(today)?;
    tx.record(notice("permit.issue", &row, &p)?).await?;
    tx.commit().await?;
    Ok(p)
}

/// How a permit of the past ended.
#[derive(Debug, Clone)]
pub struct HistoricEnd {
    /// 吊销 (true) or 注销 (false).
    pub revoked: bool,
    pub on: NaiveDate,
    pub reason: String,
}

/// A permit issued in the past (its current validity: issued or last renewed on
/// `issued_on`), as an existing system or the demo generator holds it.
#[derive(Debug, Clone)]
pub struct HistoricPermit {
    pub uscc: String,
    pub item_code: String,
    pub number: String,
    pub issued_on: NaiveDate,
    /// Default: from the item's validity (none if it has none).
    pub valid_until: Option<NaiveDate>,
    pub scope: String,
    pub ended: Option<HistoricEnd>,
}

/// Inserts permits of the past in the caller's write transaction, with one audit record
/// and event each (`permit.issue`, its after-image carrying the status), in multi-row
/// statements. The stored status is the one of the transaction's day: revoked or cancelled
/// if ended, else expired after the last valid day, else valid. Refuses the whole batch for
/// an unknown item or entity, an item that issues nothing, a validity or end before the
/// issue day; a number already used for the item is a conflict (`permit_number_exists`).
/// The caller authorizes (the demo generator and migrations run as the system).
pub async fn insert_history(tx: &mut WriteTx<'_>, permits: &[HistoricPermit]) -> Result<usize> {
    use crate::write::{multi_row_insert, rows_per_insert};
    if permits.is_empty() {
        return Ok(0);
    }
    let catalogue: std::collections::HashMap<String, PermitItem> = items(tx.store())
        .await?
        .into_iter()
        .map(|i| (i.code.clone(), i))
        .collect();
    let usccs: Vec<&str> = permits.iter().map(|p| p.uscc.as_str()).collect();
    let entities = crate::entities::load_many(tx, &usccs).await?;
    let today = today_of(tx);
    let now = tx.now();
    let mut prepared = Vec::with_capacity(permits.len());
    let mut changes = Vec::with_capacity(permits.len());
    for p in permits {
        let entity = entities.get(&p.uscc).ok_or(StoreError::NotFound)?;
        let it = catalogue.get(&p.item_code).ok_or_else(|| {
            StoreError::invalid(
                "unknown_permit_item",
                format!("未知许可事项：{}", p.item_code),
            )
        })?;
        it.check_issues()?;
        let valid_until = it.valid_until(p.issued_on, p.valid_until);
        check_validity(p.issued_on, valid_until).map_err(rule_error)?;
        let status = match &p.ended {
            Some(end) if end.on < p.issued_on => {
                return Err(StoreError::invalid(
                    "ended_before_issue",
                    format!("许可证件 {} 的终止日期早于发证日期", p.number),
                ))
            }
            Some(end) if end.revoked => PermitStatus::Revoked,
            Some(_) => PermitStatus::Cancelled,
            None => effective_status(PermitStatus::Valid, valid_until, today),
        };
        let id = uuid::Uuid::new_v4().to_string();
        changes.push(Change {
            action: "permit.issue",
            object_type: "permit",
            object_id: id.clone(),
            jurisdiction_code: entity.division_code.clone(),
            result: AuditResult::Ok,
            after: Some(serde_json::json!({
                "id": id, "number": p.number, "item_code": p.item_code, "uscc": p.uscc,
                "issued_on": p.issued_on.to_string(),
                "valid_until": valid_until.map(|d| d.to_string()),
                "status": status.as_str(),
                "ended_on": p.ended.as_ref().map(|e| e.on.to_string()),
                "end_reason": p.ended.as_ref().map_or("", |e| e.reason.as_str()),
            })),
        });
        prepared.push((id, valid_until, status));
    }
    let width = 14;
    for (chunk, prep) in permits
        .chunks(rows_per_insert(width))
        .zip(prepared.chunks(rows_per_insert(width)))
    {
        let sql = multi_row_insert(
            "INSERT INTO permit (id, number, item_code, uscc, issued_on, valid_until, status, \
             scope, remarks, ended_on, end_reason, version, created_at, updated_at) VALUES ",
            width,
            chunk.len(),
        );
        let inserted = on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for (p, (id, until, status)) in chunk.iter().zip(prep) {
                q = q.bind(id).bind(p.number.trim()).bind(&p.item_code).bind(&p.uscc)
                    .bind(p.issued_on.to_string()).bind(until.map(|d| d.to_string()))
                    .bind(status.as_str()).bind(p.scope.trim()).bind("")
                    .bind(p.ended.as_ref().map(|e| e.on.to_string()))
                    .bind(p.ended.as_ref().map_or("", |e| e.reason.trim()))
                    .bind(1_i64).bind(now).bind(now);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        });
        match inserted {
            Err(e) if crate::error::is_unique_violation(&e) => {
                return Err(StoreError::conflict(
                    "permit_number_exists",
                    "许可证件编号已存在",
                ))
            }
            other => other?,
        };
    }
    tx.record_many(changes).await?;
    Ok(permits.len())
}

/// What is done to an existing permit.
#[derive(Debug, Clone)]
pub enum PermitAction {
    /// 延续: a new validity (the default: the item's validity from the new issue day).
    Renew {
        issued_on: Option<NaiveDate>,
        valid_until: Option<NaiveDate>,
    },
    /// 吊销 (a penalty).
    Revoke { on: NaiveDate, reason: String },
    /// 注销.
    Cancel { on: NaiveDate, reason: String },
}

/// Renews, revokes or cancels a permit of the actor's jurisdiction (officer; audited).
/// With `expected_version`, a permit changed meanwhile is refused (409).
pub async fn change(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: &str,
    action: PermitAction,
    expected_version: Option<i64>,
) -> Result<Permit> {
    let name = match &action {
        PermitAction::Renew { .. } => "permit.renew",
        PermitAction::Revoke { .. } => "permit.revoke",
        PermitAction::Cancel { .. } => "permit.cancel",
    };
    authorize(store, actor, ctx, Permission::RegisterEntities, name).await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = load_in_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    if !division_in_scope(&mut tx, actor, &row.division_code).await? {
        return Err(StoreError::NotFound);
    }
    if expected_version.is_some_and(|v| v != row.version) {
        return Err(StoreError::conflict(
            "version_mismatch",
            "该许可证件已被他人修改，请刷新后重试",
        ));
    }
    check_change(row.stored()?).map_err(rule_error)?;
    let today = today_of(&tx);
    let now = tx.now();
    let changed = match action {
        PermitAction::Renew {
            issued_on,
            valid_until,
        } => {
            let it = item(store, &row.item_code).await?;
            let issued = issued_on.unwrap_or(today);
            let until = it.valid_until(issued, valid_until);
            check_validity(issued, until).map_err(rule_error)?;
            on_tx!(tx, c => sqlx::query(
                "UPDATE permit SET status = 'valid', issued_on = $2, valid_until = $3, \
                 version = version + 1, updated_at = $4 WHERE id = $1 AND version = $5")
                .bind(id).bind(issued.to_string()).bind(until.map(|d| d.to_string()))
                .bind(now).bind(row.version)
                .execute(c).await.map(|r| r.rows_affected()))?
        }
        PermitAction::Revoke { on, reason } | PermitAction::Cancel { on, reason } => {
            if reason.trim().is_empty() {
                return Err(StoreError::invalid(
                    "missing_reason",
                    "请填写吊销或注销的原因（决定书文号等）",
                ));
            }
            let status = if name == "permit.revoke" {
                PermitStatus::Revoked
            } else {
                PermitStatus::Cancelled
            };
            on_tx!(tx, c => sqlx::query(
                "UPDATE permit SET status = $2, ended_on = $3, end_reason = $4, \
                 version = version + 1, updated_at = $5 WHERE id = $1 AND version = $6")
                .bind(id).bind(status.as_str()).bind(on.to_string()).bind(reason.trim())
                .bind(now).bind(row.version)
                .execute(c).await.map(|r| r.rows_affected()))?
        }
    };
    if changed != 1 {
        return Err(StoreError::conflict(
            "version_mismatch",
            "该许可证件已被他人修改，请刷新后重试",
        ));
    }
    let after = load_in_tx(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    let p = after.to_permit(today)?;
    tx.record(notice(name, &after, &p)?).await?;
    tx.commit().await?;
    Ok(p)
}

// ---------------------------------------------------------------------------------------
// Expiry warnings
// ---------------------------------------------------------------------------------------

/// A recorded expiry warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermitWarning {
    pub permit_id: String,
    pub number: String,
    pub item_name: String,
    pub uscc: String,
    pub entity_name: String,
    /// The threshold that triggered it: days before the last valid day.
    pub threshold_days: i64,
    pub valid_until: String,
    pub warned_on: String,
    /// The permit's status today (a renewed permit no longer needs attention).
    pub status: String,
    pub status_label: String,
    /// Whether the warning concerns the permit's current validity (not renewed since).
    pub current: bool,
}

#[derive(sqlx::FromRow)]
struct WarningRow {
    permit_id: String,
    number: String,
    item_name: String,
    uscc: String,
    entity_name: String,
    threshold_days: i64,
    valid_until: String,
    warned_on: String,
    status: String,
    permit_valid_until: Option<String>,
}

/// The thresholds of the expiry warning, in days before the last valid day.
pub async fn warning_thresholds(store: &Store) -> Result<Vec<u32>> {
    let days: Vec<i64> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT days FROM permit_warning_threshold ORDER BY days DESC").fetch_all(c).await)?;
    Ok(days
        .into_iter()
        .filter_map(|d| u32::try_from(d).ok())
        .collect())
}

/// The expiry warnings of the actor's jurisdiction, newest first (at most `limit`).
pub async fn warnings(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    limit: i64,
) -> Result<Vec<PermitWarning>> {
    read_permitted(store, actor, ctx).await?;
    let sql = format!(
        "SELECT w.permit_id, p.number, i.name AS item_name, p.uscc, e.name AS entity_name, \
         w.threshold_days, w.valid_until, w.warned_on, p.status, p.valid_until AS permit_valid_until \
         FROM permit_warning w JOIN permit p ON p.id = w.permit_id \
         JOIN permit_item i ON i.code = p.item_code JOIN entity e ON e.uscc = p.uscc \
         WHERE {} ORDER BY w.warned_on DESC, w.valid_until, p.number, w.threshold_days LIMIT $2",
        division_scope_filter("e.division_code", 1)
    );
    let rows = on_pool!(store, c => sqlx::query_as::<_, WarningRow>(&sql)
        .bind(&actor.jurisdiction).bind(limit.clamp(1, 1000)).fetch_all(c).await)?;
    let today = store.clock().today();
    rows.into_iter()
        .map(|r| {
            let stored = PermitStatus::from_code(&r.status).unwrap_or(PermitStatus::Valid);
            let until = r
                .permit_valid_until
                .as_deref()
                .map(parse_date)
                .transpose()?;
            let status = effective_status(stored, until, today);
            Ok(PermitWarning {
                current: r.permit_valid_until.as_deref() == Some(r.valid_until.as_str()),
                permit_id: r.permit_id,
                number: r.number,
                item_name: r.item_name,
                uscc: r.uscc,
                entity_name: r.entity_name,
                threshold_days: r.threshold_days,
                valid_until: r.valid_until,
                warned_on: r.warned_on,
                status: status.as_str().to_owned(),
                status_label: status.label().to_owned(),
            })
        })
        .collect()
}

/// The daily job: records a warning once per permit, threshold and validity when a valid
/// permit's last valid day is within a threshold of `as_of`, and marks the permits whose
/// validity ended before `as_of` expired. Rerunning for the same date changes nothing.
pub async fn warn_expiring(tx: &mut WriteTx<'_>, as_of: NaiveDate) -> Result<String> {
    let days: Vec<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT days FROM permit_warning_threshold ORDER BY days DESC").fetch_all(c).await)?;
    let thresholds: Vec<u32> = days
        .into_iter()
        .filter_map(|d| u32::try_from(d).ok())
        .collect();
    let horizon =
        as_of + chrono::Duration::days(i64::from(thresholds.iter().copied().max().unwrap_or(0)));
    let sql = format!(
        "{PERMIT_SELECT} WHERE p.status = 'valid' AND p.valid_until IS NOT NULL \
         AND p.valid_until <= $1 ORDER BY p.valid_until, p.id"
    );
    let rows = on_tx!(tx, c => sqlx::query_as::<_, PermitRow>(&sql)
        .bind(horizon.to_string()).fetch_all(c).await)?;
    let now = tx.now();
    let day = as_of.to_string();
    let mut changes = Vec::new();
    let (mut warned, mut expired) = (0usize, 0usize);
    for row in &rows {
        let Some(until) = row.valid_until()? else {
            continue;
        };
        if until < as_of {
            let n = on_tx!(tx, c => sqlx::query(
                "UPDATE permit SET status = 'expired', version = version + 1, updated_at = $2 \
                 WHERE id = $1 AND status = 'valid'")
                .bind(&row.id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
            if n == 1 {
                expired += 1;
                let p = PermitRow {
                    status: PermitStatus::Expired.as_str().to_owned(),
                    version: row.version + 1,
                    ..clone_row(row)
                }
                .to_permit(as_of)?;
                changes.push(notice("permit.expire", row, &p)?);
            }
            continue;
        }
        for t in due_warnings(until, as_of, &thresholds) {
            let n = on_tx!(tx, c => sqlx::query(
                "INSERT INTO permit_warning (permit_id, threshold_days, valid_until, warned_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (permit_id, threshold_days, valid_until) DO NOTHING")
                .bind(&row.id).bind(i64::from(t)).bind(until.to_string()).bind(&day).bind(now)
                .execute(c).await.map(|r| r.rows_affected()))?;
            if n == 1 {
                warned += 1;
                changes.push(Change {
                    action: "permit.expiry_warning",
                    object_type: "permit",
                    object_id: row.id.clone(),
                    jurisdiction_code: row.division_code.clone(),
                    result: AuditResult::Ok,
                    after: Some(serde_json::json!({
                        "permit_id": row.id,
                        "number": row.number,
                        "item_code": row.item_code,
                        "uscc": row.uscc,
                        "threshold_days": t,
                        "valid_until": until,
                        "warned_on": day,
                    })),
                });
            }
        }
    }
    if !changes.is_empty() {
        tx.record_many(changes).await?;
    }
    Ok(format!("warned {warned}, expired {expired}"))
}

fn clone_row(r: &PermitRow) -> PermitRow {
    PermitRow {
        id: r.id.clone(),
        number: r.number.clone(),
        item_code: r.item_code.clone(),
        item_name: r.item_name.clone(),
        department: r.department.clone(),
        uscc: r.uscc.clone(),
        entity_name: r.entity_name.clone(),
        division_code: r.division_code.clone(),
        issued_on: r.issued_on.clone(),
        valid_until: r.valid_until.clone(),
        status: r.status.clone(),
        scope: r.scope.clone(),
        remarks: r.remarks.clone(),
        ended_on: r.ended_on.clone(),
        end_reason: r.end_reason.clone(),
        version: r.version,
    }
}

// ---------------------------------------------------------------------------------------
// Signed links and the public status
// ---------------------------------------------------------------------------------------

/// What a signed link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The business licence of an entity (identified by its credit code).
    Licence,
    /// A permit (identified by its id).
    Permit,
}

impl LinkKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Licence => "licence",
            LinkKind::Permit => "permit",
        }
    }

    #[must_use]
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "licence" => Some(LinkKind::Licence),
            "permit" => Some(LinkKind::Permit),
            _ => None,
        }
    }
}

/// A signed link: the path under the public base URL, and its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedLink {
    /// `licence` or `permit`.
    pub kind: String,
    pub id: String,
    pub key_id: String,
    pub signature: String,
    /// `/public/licences/{kind}/{id}?k={key_id}&s={signature}`.
    pub path: String,
}

fn key_id(s: &str) -> Result<KeyId> {
    KeyId::new(s).map_err(|_| StoreError::Other(anyhow::anyhow!("bad stored link key id")))
}

/// The ids of the link keys not retired, newest first.
async fn active_link_key_ids(store: &Store) -> Result<Vec<String>> {
    let ids: Vec<String> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT id FROM link_key WHERE retired_at IS NULL").fetch_all(c).await)?;
    let mut ids: Vec<(u64, String)> = ids
        .into_iter()
        .map(|id| {
            let n = id
                .strip_prefix('l')
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            (n, id)
        })
        .collect();
    ids.sort_by(|a, b| b.cmp(a));
    Ok(ids.into_iter().map(|(_, id)| id).collect())
}

async fn sign(store: &Store, kind: LinkKind, id: &str) -> Result<SignedLink> {
    let index = store.index_key()?;
    let current = active_link_key_ids(store)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            StoreError::invalid(
                "link_key_missing",
                "没有可用的链接签名密钥：请执行 shijian keys rotate --link-key",
            )
        })?;
    let key = LinkKey::derive(index, &key_id(&current)?);
    let signature = key.sign(kind.as_str(), id);
    Ok(SignedLink {
        kind: kind.as_str().to_owned(),
        id: id.to_owned(),
        path: format!(
            "/public/licences/{}/{id}?k={current}&s={signature}",
            kind.as_str()
        ),
        key_id: current,
        signature,
    })
}

/// The signed link of an entity's business licence (inside the actor's jurisdiction).
pub async fn licence_link(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<SignedLink> {
    read_permitted(store, actor, ctx).await?;
    entity_in_scope(store, actor, uscc).await?;
    sign(store, LinkKind::Licence, uscc).await
}

/// The signed link of a permit (inside the actor's jurisdiction).
pub async fn permit_link(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: &str,
) -> Result<SignedLink> {
    read_permitted(store, actor, ctx).await?;
    let row = row_scoped(store, actor, id).await?;
    sign(store, LinkKind::Permit, &row.id).await
}

/// The refusal of a link whose signature does not check; it says nothing about the object.
fn bad_signature() -> StoreError {
    StoreError::invalid("bad_link_signature", "链接签名无效，可能被篡改")
}

/// Whether `signature` by link key `key` signs (`kind`, `id`), with a key not retired.
async fn verify(store: &Store, kind: LinkKind, id: &str, key: &str, signature: &str) -> Result<()> {
    let index = store.index_key()?;
    let Ok(kid) = KeyId::new(key) else {
        return Err(bad_signature());
    };
    if !active_link_key_ids(store).await?.iter().any(|k| k == key) {
        return Err(bad_signature());
    }
    if LinkKey::derive(index, &kid).verify(kind.as_str(), id, signature) {
        Ok(())
    } else {
        Err(bad_signature())
    }
}

/// What the public page of a signed link shows: public registration facts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStatus {
    /// `licence` or `permit`.
    pub kind: String,
    pub entity_name: String,
    pub uscc: String,
    /// The business licence's status in words (有效 / 已吊销 / 已注销 …).
    pub licence_status: String,
    pub licence_in_force: bool,
    /// For a permit: its item, number, department, validity and status.
    pub permit: Option<PublicPermit>,
    /// The large status text of the page: the permit's for a permit, else the licence's.
    pub status_label: String,
    pub in_force: bool,
    /// The day the status was read (Beijing date of the store clock).
    pub checked_on: String,
}

/// The public part of a permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicPermit {
    pub item_name: String,
    pub number: String,
    pub department: String,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub status: String,
    pub status_label: String,
}

/// The current status behind a signed link, after checking its signature (no sign-in:
/// the signature is the authority). An invalid signature or an unknown or retired key is
/// [`StoreError::Invalid`] with code `bad_link_signature`, whatever the object.
pub async fn public_status(
    store: &Store,
    kind: &str,
    id: &str,
    key: &str,
    signature: &str,
) -> Result<PublicStatus> {
    let kind = LinkKind::from_code(kind).ok_or_else(bad_signature)?;
    verify(store, kind, id, key, signature).await?;
    let today = store.clock().today();
    let (uscc, permit) = match kind {
        LinkKind::Licence => (id.to_owned(), None),
        LinkKind::Permit => {
            let sql = format!("{PERMIT_SELECT} WHERE p.id = $1");
            let row = on_pool!(store, c => sqlx::query_as::<_, PermitRow>(&sql)
                .bind(id).fetch_optional(c).await)?
            .ok_or(StoreError::NotFound)?;
            let p = row.to_permit(today)?;
            (
                row.uscc.clone(),
                Some(PublicPermit {
                    item_name: p.item_name,
                    number: p.number,
                    department: p.department,
                    issued_on: p.issued_on,
                    valid_until: p.valid_until,
                    status: p.status,
                    status_label: p.status_label,
                }),
            )
        }
    };
    let entity: Option<(String, String)> = on_pool!(store, c => sqlx::query_as(
        "SELECT name, status FROM entity WHERE uscc = $1").bind(&uscc).fetch_optional(c).await)?;
    let (entity_name, entity_status) = entity.ok_or(StoreError::NotFound)?;
    let (licence_label, licence_ok) = licence_public_status(&entity_status);
    let (status_label, in_force) = match &permit {
        Some(p) => (
            p.status_label.clone(),
            p.status == rules::PermitStatus::Valid.as_str(),
        ),
        None => (licence_label.to_owned(), licence_ok),
    };
    Ok(PublicStatus {
        kind: kind.as_str().to_owned(),
        entity_name,
        uscc,
        licence_status: licence_label.to_owned(),
        licence_in_force: licence_ok,
        permit,
        status_label,
        in_force,
        checked_on: today.to_string(),
    })
}

/// A link-signing key's state (`keys status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LinkKeyState {
    pub id: String,
    /// Absent for `l1`, which came with the database.
    pub created_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// Every link key, oldest first.
pub async fn link_keys(store: &Store) -> Result<Vec<LinkKeyState>> {
    let mut keys = on_pool!(store, c => sqlx::query_as::<_, LinkKeyState>(
        "SELECT id, created_at, retired_at FROM link_key").fetch_all(c).await)?;
    keys.sort_by_key(|k| {
        k.id.strip_prefix('l')
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    });
    Ok(keys)
}

/// Rotation: adds the next link key, which signs new links from now on; older keys keep
/// verifying until retired. Returns the new id. (Configuration; audited.)
pub async fn rotate_link_key(store: &Store, actor: &Actor, ctx: &RequestCtx) -> Result<String> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "link_key.rotate",
    )
    .await?;
    store.index_key()?;
    let existing = link_keys(store).await?;
    let id = next_link_key_id(existing.iter().map(|k| k.id.as_str()));
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    on_tx!(tx, c => sqlx::query("INSERT INTO link_key (id, created_at) VALUES ($1, $2)")
        .bind(id.as_str()).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    tx.record(Change {
        action: "link_key.rotate",
        object_type: "link_key",
        object_id: id.as_str().to_owned(),
        jurisdiction_code: CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({ "id": id.as_str() })),
    })
    .await?;
    tx.commit().await?;
    Ok(id.as_str().to_owned())
}

/// Retirement: links signed with `id` stop verifying (printed codes must be re-issued).
/// Refuses the only key not retired. (Configuration; audited.)
pub async fn retire_link_key(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: &str,
) -> Result<()> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "link_key.retire",
    )
    .await?;
    let active = active_link_key_ids(store).await?;
    if !active.iter().any(|k| k == id) {
        return Err(StoreError::invalid(
            "unknown_link_key",
            format!("没有未退役的链接签名密钥“{id}”"),
        ));
    }
    if active.first().map(String::as_str) == Some(id) {
        return Err(StoreError::conflict(
            "current_link_key",
            "不能退役正在使用的链接签名密钥：请先轮换（keys rotate --link-key）",
        ));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    on_tx!(tx, c => sqlx::query("UPDATE link_key SET retired_at = $2 WHERE id = $1 AND retired_at IS NULL")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    tx.record(Change {
        action: "link_key.retire",
        object_type: "link_key",
        object_id: id.to_owned(),
        jurisdiction_code: CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({ "id": id, "retired_at": now })),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
