//! The one write path of an entity: its row, its new version, the audit record and the
//! event, in the caller's write transaction. Establishment and amendment live here too;
//! the other lifecycle actions are in `lifecycle`, the bulk path in `import`.

use super::{Entity, EntityItems, Premises, ID_FIELD, PHONE_FIELD};
use crate::actor::authorize;
use crate::jurisdictions::division_scope_filter;
use crate::write::TxInner;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use shijian_crypto::kinds;
use shijian_domain::entity::{transition, Action, EntityStatus};
use shijian_domain::masking::{mask_id_number, mask_mobile};
use shijian_domain::role::Permission;

/// The stored columns of `entity`, in [`Row`]'s order.
pub(super) const COLUMNS: &str = "uscc, name, entity_type, enterprise_type, legal_rep, \
    legal_rep_id_sealed, legal_rep_id_index, phone_sealed, phone_index, division_code, domicile, \
    additional_premises, registered_capital_fen, capital_currency, subscribed_capital_fen, \
    paid_in_capital_fen, contribution_deadline, business_scope, industry_code, established_on, \
    registration_authority, parent_uscc, status, dormant_until, listing, received_at, issued_at, version";

/// Binds a [`Row`]'s columns in `COLUMNS` order.
macro_rules! bind_row {
    ($q:expr, $r:expr) => {
        $q.bind(&$r.uscc)
            .bind(&$r.name)
            .bind(&$r.entity_type)
            .bind(&$r.enterprise_type)
            .bind(&$r.legal_rep)
            .bind(&$r.legal_rep_id_sealed)
            .bind(&$r.legal_rep_id_index)
            .bind(&$r.phone_sealed)
            .bind(&$r.phone_index)
            .bind(&$r.division_code)
            .bind(&$r.domicile)
            .bind(&$r.additional_premises)
            .bind($r.registered_capital_fen)
            .bind(&$r.capital_currency)
            .bind($r.subscribed_capital_fen)
            .bind($r.paid_in_capital_fen)
            .bind(&$r.contribution_deadline)
            .bind(&$r.business_scope)
            .bind(&$r.industry_code)
            .bind(&$r.established_on)
            .bind(&$r.registration_authority)
            .bind(&$r.parent_uscc)
            .bind(&$r.status)
            .bind(&$r.dormant_until)
            .bind(&$r.listing)
            .bind($r.received_at)
            .bind($r.issued_at)
            .bind($r.version)
    };
}

/// Inserts new entities in bulk (an import batch): multi-row inserts of the rows and their
/// first versions, then their audit records and events in input order. Each item is the
/// row, its masked view and the day its version takes effect.
pub(super) async fn insert_many(
    tx: &mut WriteTx<'_>,
    items: Vec<(Row, Entity, NaiveDate)>,
    action: &'static str,
) -> Result<()> {
    use crate::write::{multi_row_insert, rows_per_insert};
    if items.is_empty() {
        return Ok(());
    }
    let now = tx.now();
    let actor = tx.actor().username.clone();
    for chunk in items.chunks(rows_per_insert(30)) {
        let sql = multi_row_insert(
            &format!("INSERT INTO entity ({COLUMNS}, created_at, updated_at) VALUES "),
            30,
            chunk.len(),
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for (r, _, _) in chunk {
                q = bind_row!(q, r).bind(now).bind(now);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    for chunk in items.chunks(rows_per_insert(7)) {
        let snapshots: Vec<String> = chunk
            .iter()
            .map(|(_, e, _)| serde_json::to_string(e))
            .collect::<std::result::Result<_, _>>()
            .map_err(anyhow::Error::from)?;
        let sql = multi_row_insert(
            "INSERT INTO entity_version (uscc, version, effective_on, recorded_at, action, actor, snapshot) VALUES ",
            7,
            chunk.len(),
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for ((r, _, on), snap) in chunk.iter().zip(&snapshots) {
                q = q.bind(&r.uscc).bind(r.version).bind(on.to_string()).bind(now)
                    .bind(action).bind(&actor).bind(snap);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let changes = items
        .iter()
        .map(|(r, _, on)| notice(action, r, *on))
        .collect();
    tx.record_many(changes).await?;
    Ok(())
}

/// The audit record and compact event of an entity change; the full after-image is the
/// version's snapshot.
fn notice(action: &'static str, row: &Row, effective_on: NaiveDate) -> Change {
    Change {
        action,
        object_type: "entity",
        object_id: row.uscc.clone(),
        jurisdiction_code: row.division_code.clone(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({
            "uscc": row.uscc,
            "version": row.version,
            "name": row.name,
            "status": row.status,
            "division_code": row.division_code,
            "effective_on": effective_on,
        })),
    }
}

/// An `entity` row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Row {
    pub uscc: String,
    pub name: String,
    pub entity_type: String,
    pub enterprise_type: Option<String>,
    pub legal_rep: String,
    pub legal_rep_id_sealed: Option<String>,
    pub legal_rep_id_index: Option<String>,
    pub phone_sealed: Option<String>,
    pub phone_index: Option<String>,
    pub division_code: String,
    pub domicile: String,
    pub additional_premises: String,
    pub registered_capital_fen: Option<i64>,
    pub capital_currency: String,
    pub subscribed_capital_fen: Option<i64>,
    pub paid_in_capital_fen: Option<i64>,
    pub contribution_deadline: Option<String>,
    pub business_scope: String,
    pub industry_code: String,
    pub established_on: Option<String>,
    pub registration_authority: String,
    pub parent_uscc: Option<String>,
    pub status: String,
    pub dormant_until: Option<String>,
    pub listing: String,
    pub received_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Row {
    /// A new row from validated items: personal data sealed and blind-indexed.
    pub(super) fn from_items(
        store: &Store,
        uscc: &str,
        items: &EntityItems,
        status: EntityStatus,
    ) -> Result<Self> {
        let seal =
            |v: &Option<String>, field| v.as_deref().map(|s| store.seal(s, field)).transpose();
        let blind =
            |v: &Option<String>, kind| v.as_deref().map(|s| store.blind(kind, s)).transpose();
        Ok(Self {
            uscc: uscc.to_owned(),
            name: items.name.clone(),
            entity_type: items.entity_type.clone(),
            enterprise_type: items.enterprise_type.clone(),
            legal_rep: items.legal_rep.clone(),
            legal_rep_id_sealed: seal(&items.legal_rep_id, ID_FIELD)?,
            legal_rep_id_index: blind(&items.legal_rep_id, kinds::ID_NUMBER)?,
            phone_sealed: seal(&items.phone, PHONE_FIELD)?,
            phone_index: blind(&items.phone, kinds::PHONE)?,
            division_code: items.division_code.clone(),
            domicile: items.domicile.clone(),
            additional_premises: serde_json::to_string(&items.additional_premises)
                .map_err(anyhow::Error::from)?,
            registered_capital_fen: items.registered_capital_fen,
            capital_currency: items.capital_currency.clone(),
            subscribed_capital_fen: items.subscribed_capital_fen,
            paid_in_capital_fen: items.paid_in_capital_fen,
            contribution_deadline: items.contribution_deadline.map(|d| d.to_string()),
            business_scope: items.business_scope.clone(),
            industry_code: items.industry_code.clone(),
            established_on: items.established_on.map(|d| d.to_string()),
            registration_authority: items.registration_authority.clone(),
            parent_uscc: items.parent_uscc.clone(),
            status: status.as_str().to_owned(),
            dormant_until: None,
            listing: String::new(),
            received_at: None,
            issued_at: None,
            version: 1,
        })
    }

    /// An ID number or phone not given keeps the registered one: forms and exports show
    /// them masked, so "not given" cannot mean "erase".
    pub(super) fn keep_personal_data_not_given(&mut self, items: &EntityItems, prev: &Row) {
        if items.legal_rep_id.is_none() {
            self.legal_rep_id_sealed
                .clone_from(&prev.legal_rep_id_sealed);
            self.legal_rep_id_index.clone_from(&prev.legal_rep_id_index);
        }
        if items.phone.is_none() {
            self.phone_sealed.clone_from(&prev.phone_sealed);
            self.phone_index.clone_from(&prev.phone_index);
        }
    }

    /// Whether the registered items (and the status) are the same; sealed values compare
    /// by their blind index, since each sealing is freshly randomised.
    pub(super) fn same_items(&self, o: &Row) -> bool {
        (
            &self.name,
            &self.entity_type,
            &self.enterprise_type,
            &self.legal_rep,
            &self.legal_rep_id_index,
            &self.phone_index,
            &self.division_code,
            &self.domicile,
            &self.additional_premises,
            self.registered_capital_fen,
            &self.capital_currency,
            self.subscribed_capital_fen,
        ) == (
            &o.name,
            &o.entity_type,
            &o.enterprise_type,
            &o.legal_rep,
            &o.legal_rep_id_index,
            &o.phone_index,
            &o.division_code,
            &o.domicile,
            &o.additional_premises,
            o.registered_capital_fen,
            &o.capital_currency,
            o.subscribed_capital_fen,
        ) && (
            self.paid_in_capital_fen,
            &self.contribution_deadline,
            &self.business_scope,
            &self.industry_code,
            &self.established_on,
            &self.registration_authority,
            &self.parent_uscc,
            &self.status,
        ) == (
            o.paid_in_capital_fen,
            &o.contribution_deadline,
            &o.business_scope,
            &o.industry_code,
            &o.established_on,
            &o.registration_authority,
            &o.parent_uscc,
            &o.status,
        )
    }

    /// The masked view, opening the sealed values to mask them.
    pub(super) fn to_entity(&self, store: &Store) -> Result<Entity> {
        let open = |v: &Option<String>, field| {
            v.as_deref()
                .map(|s| store.open_sealed(s, field))
                .transpose()
        };
        let id = open(&self.legal_rep_id_sealed, ID_FIELD)?;
        let phone = open(&self.phone_sealed, PHONE_FIELD)?;
        Ok(self.masked(id.as_deref(), phone.as_deref()))
    }

    /// The masked view from the plaintext the caller holds.
    pub(super) fn masked(&self, id: Option<&str>, phone: Option<&str>) -> Entity {
        Entity {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            entity_type: self.entity_type.clone(),
            enterprise_type: self.enterprise_type.clone(),
            legal_rep: self.legal_rep.clone(),
            legal_rep_id_masked: id.map(mask_id_number),
            phone_masked: phone.map(mask_mobile),
            division_code: self.division_code.clone(),
            domicile: self.domicile.clone(),
            additional_premises: serde_json::from_str::<Vec<Premises>>(&self.additional_premises)
                .unwrap_or_default(),
            registered_capital_fen: self.registered_capital_fen,
            capital_currency: self.capital_currency.clone(),
            subscribed_capital_fen: self.subscribed_capital_fen,
            paid_in_capital_fen: self.paid_in_capital_fen,
            contribution_deadline: self.contribution_deadline.clone(),
            business_scope: self.business_scope.clone(),
            industry_code: self.industry_code.clone(),
            established_on: self.established_on.clone(),
            registration_authority: self.registration_authority.clone(),
            parent_uscc: self.parent_uscc.clone(),
            status: self.status.clone(),
            dormant_until: self.dormant_until.clone(),
            listing: self.listing.clone(),
            received_at: self.received_at,
            issued_at: self.issued_at,
            version: self.version,
        }
    }

    pub(crate) fn kind(&self) -> Result<shijian_domain::entity::EntityKind> {
        shijian_domain::entity::EntityKind::from_code(&self.entity_type).ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!("unknown stored type {}", self.entity_type))
        })
    }

    pub(crate) fn status(&self) -> Result<EntityStatus> {
        EntityStatus::from_code(&self.status).ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!("unknown stored status {}", self.status))
        })
    }
}

/// Whether `division` exists and lies inside the actor's jurisdiction.
pub(crate) async fn in_scope(tx: &mut WriteTx<'_>, actor: &Actor, division: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM division WHERE code = $2 AND {}",
        division_scope_filter("division.code", 1)))
        .bind(&actor.jurisdiction).bind(division).fetch_one(c).await)?;
    Ok(n > 0)
}

/// The refusal for a division outside the jurisdiction (or unknown).
pub(super) fn out_of_scope(division: &str) -> StoreError {
    StoreError::invalid(
        "division_out_of_scope",
        format!("行政区划 {division} 未知或不在您的辖区内"),
    )
}

/// The row of `uscc`, locked for this transaction, or `None`.
pub(crate) async fn load(tx: &mut WriteTx<'_>, uscc: &str) -> Result<Option<Row>> {
    let lock = match tx.inner {
        TxInner::Sqlite(_) => "",
        TxInner::Postgres(_) => " FOR UPDATE",
    };
    let sql = format!("SELECT {COLUMNS} FROM entity WHERE uscc = $1{lock}");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Row>(&sql).bind(uscc).fetch_optional(c).await)?)
}

/// The rows of `usccs` that exist, locked for this transaction (one round trip for a
/// whole import batch).
pub(crate) async fn load_many(
    tx: &mut WriteTx<'_>,
    usccs: &[&str],
) -> Result<std::collections::HashMap<String, Row>> {
    if usccs.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let lock = match tx.inner {
        TxInner::Sqlite(_) => "",
        TxInner::Postgres(_) => " FOR UPDATE",
    };
    let params: Vec<String> = (1..=usccs.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM entity WHERE uscc IN ({}){lock}",
        params.join(", ")
    );
    let rows = on_tx!(tx, c => {
        let mut q = sqlx::query_as::<_, Row>(&sql);
        for u in usccs {
            q = q.bind(*u);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|r| (r.uscc.clone(), r)).collect())
}

/// The row of `uscc` inside the actor's jurisdiction, locked, or 404.
pub(crate) async fn load_scoped(tx: &mut WriteTx<'_>, actor: &Actor, uscc: &str) -> Result<Row> {
    let row = load(tx, uscc).await?.ok_or(StoreError::NotFound)?;
    if in_scope(tx, actor, &row.division_code).await? {
        Ok(row)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Stores `row` (a new entity when `previous` is `None`, else the next version of it, which
/// must still be at `previous.version`), its version snapshot effective on `effective_on`,
/// the audit record and the event.
pub(super) async fn save(
    tx: &mut WriteTx<'_>,
    row: &mut Row,
    previous: Option<&Row>,
    action: &'static str,
    effective_on: NaiveDate,
    masked: Option<Entity>,
) -> Result<Entity> {
    row.version = previous.map_or(1, |p| p.version + 1);
    let now = tx.now();
    let insert = format!(
        "INSERT INTO entity ({COLUMNS}, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
         $25, $26, $27, $28, $29, $29)"
    );
    const UPDATE: &str = "UPDATE entity SET name = $2, entity_type = $3, enterprise_type = $4, \
        legal_rep = $5, legal_rep_id_sealed = $6, legal_rep_id_index = $7, phone_sealed = $8, \
        phone_index = $9, division_code = $10, domicile = $11, additional_premises = $12, \
        registered_capital_fen = $13, capital_currency = $14, subscribed_capital_fen = $15, \
        paid_in_capital_fen = $16, contribution_deadline = $17, business_scope = $18, \
        industry_code = $19, established_on = $20, registration_authority = $21, \
        parent_uscc = $22, status = $23, dormant_until = $24, listing = $25, received_at = $26, \
        issued_at = $27, version = $28, updated_at = $29 WHERE uscc = $1 AND version = $30";
    // Both statements bind the columns in `COLUMNS` order, then the time (and the
    // version the update expects).
    let (sql, expected) = match previous {
        None => (insert.as_str(), None),
        Some(p) => (UPDATE, Some(p.version)),
    };
    let r: &Row = row;
    let changed = on_tx!(tx, c => {
        let q = bind_row!(sqlx::query(sql), r).bind(now);
        match expected {
            Some(v) => q.bind(v),
            None => q,
        }
        .execute(c).await.map(|r| r.rows_affected())
    })?;
    if changed != 1 {
        return Err(StoreError::conflict(
            "version_mismatch",
            "该市场主体已被他人修改，请刷新后重试",
        ));
    }
    let entity = match masked {
        Some(e) => Entity {
            version: row.version,
            ..e
        },
        None => row.to_entity(tx.store())?,
    };
    let snapshot = serde_json::to_string(&entity).map_err(anyhow::Error::from)?;
    let actor = tx.actor().username.clone();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO entity_version (uscc, version, effective_on, recorded_at, action, actor, snapshot) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&row.uscc).bind(row.version).bind(effective_on.to_string()).bind(now)
        .bind(action).bind(&actor).bind(&snapshot)
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.record(notice(action, row, effective_on)).await?;
    Ok(entity)
}

/// Registers a new entity (设立登记): status active, version 1, licence issued now.
pub async fn establish(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    items: &EntityItems,
    received_at: Option<DateTime<Utc>>,
) -> Result<Entity> {
    authorize(
        store,
        actor,
        ctx,
        Permission::RegisterEntities,
        "entity.establish",
    )
    .await?;
    let status = transition(None, Action::Establish).map_err(lifecycle_error)?;
    let mut tx = store.begin_write(actor, ctx).await?;
    if !in_scope(&mut tx, actor, &items.division_code).await? {
        return Err(out_of_scope(&items.division_code));
    }
    if load(&mut tx, uscc).await?.is_some() {
        return Err(StoreError::conflict(
            "uscc_exists",
            format!("统一社会信用代码 {uscc} 已登记"),
        ));
    }
    check_parent(&mut tx, items).await?;
    let mut row = Row::from_items(store, uscc, items, status)?;
    let now = tx.now();
    row.received_at = Some(received_at.unwrap_or(now).min(now));
    row.issued_at = Some(now);
    let effective_on = items
        .established_on
        .unwrap_or_else(|| shijian_domain::clock::beijing_date(now));
    let masked = row.masked(items.legal_rep_id.as_deref(), items.phone.as_deref());
    let entity = save(
        &mut tx,
        &mut row,
        None,
        "entity.establish",
        effective_on,
        Some(masked),
    )
    .await?;
    tx.commit().await?;
    Ok(entity)
}

/// A branch names an existing parent.
pub(super) async fn check_parent(tx: &mut WriteTx<'_>, items: &EntityItems) -> Result<()> {
    if let Some(parent) = &items.parent_uscc {
        if load(tx, parent).await?.is_none() {
            return Err(StoreError::invalid(
                "parent_unknown",
                format!("隶属企业 {parent} 未登记"),
            ));
        }
    }
    Ok(())
}

/// Records an amendment (变更登记) effective on `effective_on`: a new version. `items` are
/// the complete registered items after the change, except that an empty ID number or phone
/// keeps the registered one. The entity
/// must still be at `expected_version` when given; its type and credit code cannot change
/// (个转企 is a succession link), and a new division must stay inside the jurisdiction
/// (leaving it is a move).
pub async fn amend(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    items: &EntityItems,
    effective_on: NaiveDate,
    expected_version: Option<i64>,
) -> Result<Entity> {
    authorize(
        store,
        actor,
        ctx,
        Permission::RegisterEntities,
        "entity.amend",
    )
    .await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let prev = load_scoped(&mut tx, actor, uscc).await?;
    if expected_version.is_some_and(|v| v != prev.version) {
        return Err(StoreError::conflict(
            "version_mismatch",
            format!("该市场主体已更新到第 {} 版，请刷新后重试", prev.version),
        ));
    }
    let status = transition(Some(prev.status()?), Action::Amend).map_err(lifecycle_error)?;
    if items.entity_type != prev.entity_type {
        return Err(StoreError::invalid(
            "entity_type_fixed",
            "主体类型不能通过变更登记修改；个体工商户转为企业请办理“个转企”",
        ));
    }
    if !in_scope(&mut tx, actor, &items.division_code).await? {
        return Err(out_of_scope(&items.division_code));
    }
    check_parent(&mut tx, items).await?;
    check_effective_on(&mut tx, uscc, effective_on).await?;
    let mut row = Row::from_items(store, uscc, items, status)?;
    row.keep_personal_data_not_given(items, &prev);
    row.dormant_until.clone_from(&prev.dormant_until);
    row.listing.clone_from(&prev.listing);
    row.received_at = prev.received_at;
    row.issued_at = prev.issued_at;
    if row.same_items(&prev) {
        return Err(StoreError::invalid(
            "amend_unchanged",
            "变更内容与现登记事项相同，无需变更",
        ));
    }
    let entity = save(
        &mut tx,
        &mut row,
        Some(&prev),
        "entity.amend",
        effective_on,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(entity)
}

/// A change cannot take effect before the latest recorded one, nor in the future.
pub(super) async fn check_effective_on(
    tx: &mut WriteTx<'_>,
    uscc: &str,
    effective_on: NaiveDate,
) -> Result<()> {
    let latest: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT MAX(effective_on) FROM entity_version WHERE uscc = $1")
        .bind(uscc).fetch_one(c).await)?;
    let today = shijian_domain::clock::beijing_date(tx.now());
    if effective_on > today {
        return Err(StoreError::invalid(
            "effective_on_future",
            format!("生效日期 {effective_on} 晚于今天"),
        ));
    }
    if let Some(latest) = latest.filter(|l| l.as_str() > effective_on.to_string().as_str()) {
        return Err(StoreError::invalid(
            "effective_on_out_of_order",
            format!("生效日期 {effective_on} 早于上一次登记事项生效日期 {latest}"),
        ));
    }
    Ok(())
}

/// Maps a refused lifecycle action to a storage error with its stable code.
pub(super) fn lifecycle_error(e: shijian_domain::entity::LifecycleError) -> StoreError {
    StoreError::Conflict {
        code: e.code(),
        message: e.to_string(),
    }
}
