//! Numbered documents (决定书, 通知书): the number of each, allocated once per issuing
//! bureau, kind and year, and what it was issued with.
//!
//! This module owns the `document`, `document_counter` and `document_template` tables.
//! Invariants:
//! - a number is allocated inside the write transaction of the decision it belongs to, so a
//!   rolled-back decision leaves no gap-free number used, and two decisions never share one;
//! - a document keeps its fields and the exact template text it was issued with: it renders
//!   the same years later, even after the template file changes;
//! - reading a document is scoped like reading its entity.
//!
//! Rendering (PDF) is `shijian_documents`'; the issuing bureau's name, number prefix and
//! review body are data in the `jurisdiction` table.

use crate::jurisdictions::division_scope_filter;
use crate::{Actor, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The kinds of document, their template name and the part of the number that names them.
pub const KINDS: &[(&str, &str)] = &[
    ("abnormal_listing_decision", "异列"),
    ("abnormal_removal_decision", "异移"),
    ("simplified_deregistration_notice", "简注"),
];

/// The court named in the remedy notice of a decision (行政诉讼法 Art.18: the court of the
/// deciding body's seat has jurisdiction; which court hears a county's cases is not this
/// system's to decide, so the notice names it generally).
const COURT: &str = "有管辖权的人民法院";

/// The bureau that issues decisions about an entity.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Authority {
    pub code: String,
    pub bureau_name: String,
    pub document_prefix: String,
    pub review_body: String,
}

/// The county-level bureau (county, district, county-level city or functional zone) whose
/// area holds `division_code`; the city bureau when none does.
pub async fn authority_for(tx: &mut WriteTx<'_>, division_code: &str) -> Result<Authority> {
    let found: Option<Authority> = on_tx!(tx, c => sqlx::query_as::<_, Authority>(
        "SELECT j.code, j.bureau_name, j.document_prefix, j.review_body FROM jurisdiction j \
         JOIN jurisdiction_division jd ON jd.jurisdiction_code = j.code \
         WHERE j.kind IN ('county', 'zone') AND $1 LIKE jd.prefix || '%' \
         ORDER BY length(jd.prefix) DESC, j.code LIMIT 1")
        .bind(division_code).fetch_optional(c).await)?;
    match found {
        Some(a) => Ok(a),
        None => Ok(on_tx!(tx, c => sqlx::query_as::<_, Authority>(
            "SELECT code, bureau_name, document_prefix, review_body FROM jurisdiction WHERE code = $1")
            .bind(shijian_domain::division::CITY_CODE).fetch_one(c).await)?),
    }
}

/// What a new document is about.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// A template name from [`KINDS`].
    pub kind: &'static str,
    pub authority: &'a Authority,
    pub uscc: Option<&'a str>,
    pub object_type: &'static str,
    pub object_id: &'a str,
    pub issued_on: NaiveDate,
    /// The template's fields except `document_number`, `bureau_name`, `review_authority`,
    /// `court` and `decision_date`, which are added.
    pub fields: BTreeMap<String, String>,
}

/// A document as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentInfo {
    pub id: String,
    /// The template name, e.g. `abnormal_listing_decision`.
    pub kind: String,
    /// The document number, e.g. `荆市监异列〔2026〕3号`.
    pub number: String,
    pub uscc: Option<String>,
    pub object_type: String,
    pub object_id: String,
    pub issued_on: String,
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    #[sqlx(flatten)]
    info: DocumentInfo,
    source: String,
    fields: String,
}

/// A document with what it renders from.
#[derive(Debug, Clone)]
pub struct DocumentSource {
    pub info: DocumentInfo,
    pub template_source: String,
    pub fields: BTreeMap<String, String>,
}

fn number_part(kind: &str) -> Result<&'static str> {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| *p)
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown document kind {kind}")))
}

/// Issues a document inside `tx`: allocates its number, keeps its template text and fields.
/// Returns the stored document.
pub async fn issue(tx: &mut WriteTx<'_>, new: NewDocument<'_>) -> Result<DocumentInfo> {
    let part = number_part(new.kind)?;
    let source = template_source(new.kind)
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("no template {}", new.kind)))?;
    let digest = hex::encode(Sha256::digest(source.as_bytes()));
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO document_template (digest, name, source, first_used) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (digest) DO NOTHING")
        .bind(&digest).bind(new.kind).bind(source).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    let year = i64::from(new.issued_on.year());
    let code = &new.authority.code;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO document_counter (authority_code, kind, year, last_seq) VALUES ($1, $2, $3, 0) \
         ON CONFLICT (authority_code, kind, year) DO NOTHING")
        .bind(code).bind(new.kind).bind(year).execute(c).await.map(|r| r.rows_affected()))?;
    let seq: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "UPDATE document_counter SET last_seq = last_seq + 1 \
         WHERE authority_code = $1 AND kind = $2 AND year = $3 RETURNING last_seq")
        .bind(code).bind(new.kind).bind(year).fetch_one(c).await)?;
    let number = format!("{}{part}〔{year}〕{seq}号", new.authority.document_prefix);
    let mut fields = new.fields;
    fields.insert("document_number".into(), number.clone());
    fields.insert("bureau_name".into(), new.authority.bureau_name.clone());
    fields.insert("review_authority".into(), new.authority.review_body.clone());
    fields.insert("court".into(), COURT.to_owned());
    fields.insert("decision_date".into(), new.issued_on.to_string());
    let info = DocumentInfo {
        id: uuid::Uuid::new_v4().to_string(),
        kind: new.kind.to_owned(),
        number,
        uscc: new.uscc.map(str::to_owned),
        object_type: new.object_type.to_owned(),
        object_id: new.object_id.to_owned(),
        issued_on: new.issued_on.to_string(),
    };
    let fields_json = serde_json::to_string(&fields).map_err(anyhow::Error::from)?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO document (id, kind, number, authority_code, year, seq, uscc, object_type, \
         object_id, issued_on, template_digest, fields, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
        .bind(&info.id).bind(&info.kind).bind(&info.number).bind(code).bind(year).bind(seq)
        .bind(&info.uscc).bind(&info.object_type).bind(&info.object_id).bind(&info.issued_on)
        .bind(&digest).bind(&fields_json).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(info)
}

const INFO_COLUMNS: &str =
    "d.id, d.kind, d.number, d.uscc, d.object_type, d.object_id, d.issued_on";

/// The documents about an entity, newest first (the caller has checked the entity is in
/// the actor's jurisdiction).
pub async fn of_entity(store: &Store, uscc: &str) -> Result<Vec<DocumentInfo>> {
    let sql = format!(
        "SELECT {INFO_COLUMNS} FROM document d WHERE d.uscc = $1 ORDER BY d.issued_on DESC, d.number DESC"
    );
    Ok(on_pool!(store, c => sqlx::query_as::<_, DocumentInfo>(&sql).bind(uscc).fetch_all(c).await)?)
}

/// A document with its template text and fields, if its entity lies in the actor's
/// jurisdiction (404 otherwise); reading entities is the permission it needs.
pub async fn source(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    id: &str,
) -> Result<DocumentSource> {
    crate::actor::authorize(
        store,
        actor,
        ctx,
        shijian_domain::role::Permission::ReadEntities,
        "document.read",
    )
    .await?;
    let sql = format!(
        "SELECT {INFO_COLUMNS}, t.source, d.fields FROM document d \
         JOIN document_template t ON t.digest = d.template_digest \
         JOIN entity e ON e.uscc = d.uscc \
         WHERE d.id = $2 AND {}",
        division_scope_filter("e.division_code", 1)
    );
    let r: SourceRow = on_pool!(store, c => sqlx::query_as::<_, SourceRow>(&sql)
        .bind(&actor.jurisdiction).bind(id).fetch_optional(c).await)?
    .ok_or(StoreError::NotFound)?;
    let fields = serde_json::from_str(&r.fields)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("document {id} fields: {e}")))?;
    Ok(DocumentSource {
        info: r.info,
        template_source: r.source,
        fields,
    })
}

/// The text of template `kind` as this build embeds it.
fn template_source(kind: &str) -> Option<&'static str> {
    shijian_documents::Engine::shared().source_of(kind).ok()
}
