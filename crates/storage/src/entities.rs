//! Market entities, first slice: importing the registered facts from an existing system and
//! reading them back inside the actor's jurisdiction. The legal representative's ID number
//! and the phone number are sealed at rest and found by exact value through their blind
//! index; what leaves this module carries them masked (`shijian_domain::masking`).

use crate::actor::require;
use crate::jurisdictions::division_scope_filter;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use shijian_crypto::kinds;
use shijian_domain::masking::{mask_id_number, mask_mobile};

const ID_FIELD: &str = "entity.legal_rep_id";
const PHONE_FIELD: &str = "entity.phone";

/// The kind of market entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Enterprise,
    IndividualBusiness,
    Cooperative,
}

impl EntityType {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Enterprise => "enterprise",
            EntityType::IndividualBusiness => "individual_business",
            EntityType::Cooperative => "cooperative",
        }
    }

    /// Parses the identifier or the Chinese name (企业 / 个体工商户 / 农民专业合作社).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "enterprise" | "企业" => Some(EntityType::Enterprise),
            "individual_business" | "个体工商户" | "个体" => {
                Some(EntityType::IndividualBusiness)
            }
            "cooperative" | "农民专业合作社" | "合作社" => Some(EntityType::Cooperative),
            _ => None,
        }
    }
}

/// A validated entity to import (the caller has checked the codes with the domain rules).
#[derive(Debug, Clone)]
pub struct NewEntity {
    pub uscc: String,
    pub name: String,
    pub entity_type: EntityType,
    pub legal_rep: String,
    /// Normalised 18-character ID number.
    pub legal_rep_id: Option<String>,
    /// Digits only.
    pub phone: Option<String>,
    pub division_code: String,
    pub established_on: Option<NaiveDate>,
}

/// An entity as it leaves storage: personal data masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    pub uscc: String,
    pub name: String,
    pub entity_type: String,
    pub legal_rep: String,
    pub legal_rep_id_masked: Option<String>,
    pub phone_masked: Option<String>,
    pub division_code: String,
    pub established_on: Option<String>,
    pub status: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    uscc: String,
    name: String,
    entity_type: String,
    legal_rep: String,
    legal_rep_id_sealed: Option<String>,
    phone_sealed: Option<String>,
    division_code: String,
    established_on: Option<String>,
    status: String,
}

const COLUMNS: &str = "uscc, name, entity_type, legal_rep, legal_rep_id_sealed, phone_sealed, division_code, established_on, status";

impl Row {
    fn into_entity(self, store: &Store) -> Result<Entity> {
        let open = |v: &Option<String>, field| {
            v.as_deref()
                .map(|s| store.open_sealed(s, field))
                .transpose()
        };
        Ok(Entity {
            legal_rep_id_masked: open(&self.legal_rep_id_sealed, ID_FIELD)?
                .map(|v| mask_id_number(&v)),
            phone_masked: open(&self.phone_sealed, PHONE_FIELD)?.map(|v| mask_mobile(&v)),
            uscc: self.uscc,
            name: self.name,
            entity_type: self.entity_type,
            legal_rep: self.legal_rep,
            division_code: self.division_code,
            established_on: self.established_on,
            status: self.status,
        })
    }
}

/// What an import did: rows stored, and rows refused with their reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub imported: usize,
    /// (row number in the source file, machine code, Chinese reason)
    pub rejected: Vec<(usize, &'static str, String)>,
}

/// Imports entities (system administrator or the local operator). Each entity is stored
/// with its audit record and event in one transaction per call, so the rows acknowledged
/// are durable together; an entity whose credit code exists already, or whose division is
/// unknown or outside the actor's jurisdiction, is refused with its row number.
pub async fn import(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    rows: &[(usize, NewEntity)],
) -> Result<ImportOutcome> {
    let allowed = actor
        .role
        .can(shijian_domain::role::Permission::ManageConfiguration);
    require(
        store,
        actor,
        ctx,
        allowed,
        "import_entities",
        "entity.import",
    )
    .await?;
    let mut out = ImportOutcome::default();
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    for (line, e) in rows {
        let in_scope: i64 = on_tx!(tx, c => sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM division WHERE code = $2 AND {}", division_scope_filter("division.code", 1)))
            .bind(&actor.jurisdiction).bind(&e.division_code).fetch_one(c).await)?;
        if in_scope == 0 {
            out.rejected.push((
                *line,
                "division_out_of_scope",
                format!("行政区划 {} 未知或不在您的辖区内", e.division_code),
            ));
            continue;
        }
        let seal =
            |v: &Option<String>, field| v.as_deref().map(|s| store.seal(s, field)).transpose();
        let blind =
            |v: &Option<String>, kind| v.as_deref().map(|s| store.blind(kind, s)).transpose();
        let inserted = on_tx!(tx, c => sqlx::query(
            "INSERT INTO entity (uscc, name, entity_type, legal_rep, legal_rep_id_sealed, legal_rep_id_index, \
             phone_sealed, phone_index, division_code, established_on, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11) ON CONFLICT (uscc) DO NOTHING")
            .bind(&e.uscc).bind(&e.name).bind(e.entity_type.as_str()).bind(&e.legal_rep)
            .bind(seal(&e.legal_rep_id, ID_FIELD)?).bind(blind(&e.legal_rep_id, kinds::ID_NUMBER)?)
            .bind(seal(&e.phone, PHONE_FIELD)?).bind(blind(&e.phone, kinds::PHONE)?)
            .bind(&e.division_code).bind(e.established_on.map(|d| d.to_string())).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
        if inserted == 0 {
            out.rejected.push((
                *line,
                "uscc_exists",
                format!("统一社会信用代码 {} 已存在", e.uscc),
            ));
            continue;
        }
        tx.record(Change {
            action: "entity.import",
            object_type: "entity",
            object_id: e.uscc.clone(),
            jurisdiction_code: e.division_code.clone(),
            result: AuditResult::Ok,
            after: Some(serde_json::json!({
                "uscc": e.uscc,
                "name": e.name,
                "entity_type": e.entity_type,
                "legal_rep": e.legal_rep,
                "legal_rep_id_masked": e.legal_rep_id.as_deref().map(mask_id_number),
                "phone_masked": e.phone.as_deref().map(mask_mobile),
                "division_code": e.division_code,
                "established_on": e.established_on,
            })),
        })
        .await?;
        out.imported += 1;
    }
    if out.imported > 0 {
        tx.commit().await?;
    }
    Ok(out)
}

/// One entity by credit code, inside the actor's jurisdiction (404 outside).
pub async fn get(store: &Store, actor: &Actor, uscc: &str) -> Result<Entity> {
    let sql = format!(
        "SELECT {COLUMNS} FROM entity WHERE uscc = $2 AND {}",
        division_scope_filter("entity.division_code", 1)
    );
    on_pool!(store, c => sqlx::query_as::<_, Row>(&sql).bind(&actor.jurisdiction).bind(uscc).fetch_optional(c).await)?
        .ok_or(StoreError::NotFound)?
        .into_entity(store)
}

/// The entities whose legal representative has this (normalised) ID number, inside the
/// actor's jurisdiction: an exact-match lookup through the blind index.
pub async fn find_by_legal_rep_id(
    store: &Store,
    actor: &Actor,
    id_number: &str,
) -> Result<Vec<Entity>> {
    let index = store.blind(kinds::ID_NUMBER, id_number)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM entity WHERE legal_rep_id_index = $2 AND {} ORDER BY uscc",
        division_scope_filter("entity.division_code", 1)
    );
    let rows = on_pool!(store, c => sqlx::query_as::<_, Row>(&sql).bind(&actor.jurisdiction).bind(&index).fetch_all(c).await)?;
    rows.into_iter().map(|r| r.into_entity(store)).collect()
}
