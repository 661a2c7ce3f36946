//! Reading entities inside the actor's jurisdiction: one entity now or as of a day, its
//! versions, an export in credit-code order, and the rows the search projection indexes.

use super::write::{Row, COLUMNS};
use super::Entity;
use crate::actor::authorize;
use crate::jurisdictions::division_scope_filter;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shijian_crypto::kinds;
use shijian_domain::role::Permission;

/// Rows fetched per round trip when streaming.
const CHUNK: i64 = 2000;

async fn read_permitted(store: &Store, actor: &Actor, ctx: &RequestCtx) -> Result<()> {
    authorize(store, actor, ctx, Permission::ReadEntities, "entity.read").await
}

async fn row(store: &Store, actor: &Actor, uscc: &str) -> Result<Row> {
    let sql = format!(
        "SELECT {COLUMNS} FROM entity WHERE uscc = $2 AND {}",
        division_scope_filter("entity.division_code", 1)
    );
    on_pool!(store, c => sqlx::query_as::<_, Row>(&sql).bind(&actor.jurisdiction).bind(uscc).fetch_optional(c).await)?
        .ok_or(StoreError::NotFound)
}

/// One entity by credit code, inside the actor's jurisdiction (404 outside).
pub async fn get(store: &Store, actor: &Actor, ctx: &RequestCtx, uscc: &str) -> Result<Entity> {
    read_permitted(store, actor, ctx).await?;
    row(store, actor, uscc).await?.to_entity(store)
}

/// One version of an entity's registered items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Version {
    pub version: i64,
    pub effective_on: String,
    pub recorded_at: DateTime<Utc>,
    /// What made it: `entity.establish`, `entity.amend`, `entity.import`, …
    pub action: String,
    pub actor: String,
    pub entity: Entity,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    effective_on: String,
    recorded_at: DateTime<Utc>,
    action: String,
    actor: String,
    snapshot: String,
}

impl VersionRow {
    fn into_version(self) -> Result<Version> {
        Ok(Version {
            entity: serde_json::from_str(&self.snapshot).map_err(anyhow::Error::from)?,
            version: self.version,
            effective_on: self.effective_on,
            recorded_at: self.recorded_at,
            action: self.action,
            actor: self.actor,
        })
    }
}

/// The entity as registered on `date`: the last version effective on or before it. 404
/// before the first version took effect (or outside the jurisdiction).
pub async fn as_of(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    date: NaiveDate,
) -> Result<Entity> {
    read_permitted(store, actor, ctx).await?;
    row(store, actor, uscc).await?;
    let v = on_pool!(store, c => sqlx::query_as::<_, VersionRow>(
        "SELECT version, effective_on, recorded_at, action, actor, snapshot FROM entity_version \
         WHERE uscc = $1 AND effective_on <= $2 ORDER BY effective_on DESC, version DESC LIMIT 1")
        .bind(uscc).bind(date.to_string()).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?;
    Ok(v.into_version()?.entity)
}

/// Every version of an entity, newest first.
pub async fn history(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<Vec<Version>> {
    read_permitted(store, actor, ctx).await?;
    row(store, actor, uscc).await?;
    let rows = on_pool!(store, c => sqlx::query_as::<_, VersionRow>(
        "SELECT version, effective_on, recorded_at, action, actor, snapshot FROM entity_version \
         WHERE uscc = $1 ORDER BY version DESC")
        .bind(uscc).fetch_all(c).await)?;
    rows.into_iter().map(VersionRow::into_version).collect()
}

/// The entities whose legal representative has this (normalised) ID number, inside the
/// actor's jurisdiction: an exact-match lookup through the blind index.
pub async fn find_by_legal_rep_id(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id_number: &str,
) -> Result<Vec<Entity>> {
    read_permitted(store, actor, ctx).await?;
    let index = store.blind(kinds::ID_NUMBER, id_number)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM entity WHERE legal_rep_id_index = $2 AND {} ORDER BY uscc",
        division_scope_filter("entity.division_code", 1)
    );
    let rows = on_pool!(store, c => sqlx::query_as::<_, Row>(&sql).bind(&actor.jurisdiction).bind(&index).fetch_all(c).await)?;
    rows.into_iter().map(|r| r.to_entity(store)).collect()
}

/// Streams the entities inside the actor's jurisdiction in credit-code order to `sink`
/// (all of them, or only those in `only`), in constant memory. Records one audit entry
/// with the count. Returns the count.
pub async fn export(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    only: Option<&[String]>,
    mut sink: impl FnMut(&Entity) -> Result<()>,
) -> Result<u64> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ExportEntities,
        "entity.export",
    )
    .await?;
    let mut count = 0u64;
    let scope = division_scope_filter("entity.division_code", 1);
    match only {
        None => {
            let sql = format!(
                "SELECT {COLUMNS} FROM entity WHERE uscc > $2 AND {scope} ORDER BY uscc LIMIT {CHUNK}"
            );
            let mut after = String::new();
            loop {
                let rows = on_pool!(store, c => sqlx::query_as::<_, Row>(&sql)
                    .bind(&actor.jurisdiction).bind(&after).fetch_all(c).await)?;
                for r in &rows {
                    sink(&r.to_entity(store)?)?;
                    count += 1;
                }
                match rows.last() {
                    Some(last) if rows.len() as i64 == CHUNK => after.clone_from(&last.uscc),
                    _ => break,
                }
            }
        }
        Some(list) => {
            let mut sorted: Vec<&String> = list.iter().collect();
            sorted.sort();
            sorted.dedup();
            // Sorted chunks keep the whole export in credit-code order.
            for chunk in sorted.chunks(200) {
                let params: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT {COLUMNS} FROM entity WHERE uscc IN ({}) AND {scope} ORDER BY uscc",
                    params.join(", ")
                );
                let rows = on_pool!(store, c => {
                    let mut q = sqlx::query_as::<_, Row>(&sql).bind(&actor.jurisdiction);
                    for u in chunk {
                        q = q.bind(*u);
                    }
                    q.fetch_all(c).await
                })?;
                for r in &rows {
                    sink(&r.to_entity(store)?)?;
                    count += 1;
                }
            }
        }
    }
    store
        .audit_only(
            actor,
            ctx,
            Change {
                action: "entity.export",
                object_type: "entity",
                object_id: format!("{count} rows"),
                jurisdiction_code: actor.jurisdiction.clone(),
                result: AuditResult::Ok,
                after: None,
            },
        )
        .await?;
    Ok(count)
}

/// What the search projection indexes of one entity (no personal data beyond the legal
/// representative's name, which only staff queries match).
#[derive(Debug, sqlx::FromRow)]
struct DocRow {
    uscc: String,
    name: String,
    legal_rep: String,
    domicile: String,
    division_code: String,
    entity_type: String,
    status: String,
    industry_code: String,
    listing: String,
}

const DOC_COLUMNS: &str =
    "uscc, name, legal_rep, domicile, division_code, entity_type, status, industry_code, listing";

impl From<DocRow> for shijian_search::Doc {
    fn from(r: DocRow) -> Self {
        shijian_search::Doc {
            uscc: r.uscc,
            name: r.name,
            legal_rep: r.legal_rep,
            address: r.domicile,
            division_code: r.division_code,
            entity_type: r.entity_type,
            status: r.status,
            industry_code: r.industry_code,
            listing: r.listing,
        }
    }
}

/// Every entity as a search document, streamed in chunks to `sink` (for building the index
/// at start-up; not scoped: the index filters by jurisdiction at query time).
pub async fn load_search_docs(
    store: &Store,
    mut sink: impl FnMut(shijian_search::Doc),
) -> Result<u64> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM entity WHERE uscc > $1 ORDER BY uscc LIMIT 20000");
    let mut after = String::new();
    let mut n = 0;
    loop {
        let rows = on_pool!(store, c => sqlx::query_as::<_, DocRow>(&sql).bind(&after).fetch_all(c).await)?;
        let full = rows.len() == 20000;
        if let Some(last) = rows.last() {
            after.clone_from(&last.uscc);
        }
        for r in rows {
            n += 1;
            sink(r.into());
        }
        if !full {
            return Ok(n);
        }
    }
}

/// The search document of one entity, or `None` if it no longer exists.
pub async fn search_doc(store: &Store, uscc: &str) -> Result<Option<shijian_search::Doc>> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM entity WHERE uscc = $1");
    Ok(
        on_pool!(store, c => sqlx::query_as::<_, DocRow>(&sql).bind(uscc).fetch_optional(c).await)?
            .map(Into::into),
    )
}

/// The header row of an export: the Chinese names of the import's columns, so an export
/// can be edited in Excel and imported again.
#[must_use]
pub fn export_headers() -> Vec<&'static str> {
    super::COLUMNS
        .iter()
        .map(|(_, aliases, _)| aliases[1])
        .collect()
}

/// One entity as an export row, in [`export_headers`]' order: types and statuses by their
/// Chinese labels, amounts in 万元, dates ISO, the ID number and phone masked (an import
/// treats a masked value as "keep the registered one").
#[must_use]
pub fn export_cells(e: &Entity) -> Vec<String> {
    use shijian_domain::entity::{EnterpriseType, EntityKind, EntityStatus};
    let wan = |v: Option<i64>| {
        v.map(|f| shijian_domain::money::Fen::new(f).to_wan_yuan_string())
            .unwrap_or_default()
    };
    let type_label = e
        .enterprise_type
        .as_deref()
        .and_then(EnterpriseType::from_code)
        .map(|t| t.label_zh().to_owned())
        .or_else(|| EntityKind::from_code(&e.entity_type).map(|k| k.label_zh().to_owned()))
        .unwrap_or_else(|| e.entity_type.clone());
    let status = EntityStatus::from_code(&e.status)
        .map(|s| s.label_zh().to_owned())
        .unwrap_or_else(|| e.status.clone());
    super::COLUMNS
        .iter()
        .map(|(name, _, _)| match *name {
            "uscc" => e.uscc.clone(),
            "name" => e.name.clone(),
            "entity_type" => type_label.clone(),
            "legal_rep" => e.legal_rep.clone(),
            "legal_rep_id_number" => e.legal_rep_id_masked.clone().unwrap_or_default(),
            "phone" => e.phone_masked.clone().unwrap_or_default(),
            "registered_capital" => wan(e.registered_capital_fen),
            "capital_currency" => e.capital_currency.clone(),
            "subscribed_capital" => wan(e.subscribed_capital_fen),
            "paid_in_capital" => wan(e.paid_in_capital_fen),
            "contribution_deadline" => e.contribution_deadline.clone().unwrap_or_default(),
            "established_on" => e.established_on.clone().unwrap_or_default(),
            "domicile" => e.domicile.clone(),
            "division_code" => e.division_code.clone(),
            "industry_code" => e.industry_code.clone(),
            "business_scope" => e.business_scope.clone(),
            "registration_authority" => e.registration_authority.clone(),
            "parent_uscc" => e.parent_uscc.clone().unwrap_or_default(),
            "status" => status.clone(),
            _ => String::new(),
        })
        .collect()
}
