//! Annual reports (年度报告): filing, correction and the public view.
//!
//! This module owns the `annual_report` table. Invariants:
//! - a report is filed by an officer of the entity's jurisdiction or by the entity's own
//!   `enterprise` account (`app_user.entity_uscc`), never by anyone else;
//! - a filing never overwrites: a correction is the next revision, allowed only until the
//!   window closes on 30 June (条例 Art.12), and every revision stays visible;
//! - the contact phone is sealed at rest; the public view masks it and shows only the
//!   sections the law makes public or the filer chose to publish
//!   ([`shijian_domain::entity::listing::public_parts`]).
//!
//! The filing rules themselves (who reports for which year, lateness) are
//! `shijian_domain::entity::listing`'s.

use crate::actor::require;
use crate::entities::{load, Row};
use crate::write::{AuditResult, Change};
use crate::{Actor, RequestCtx, Result, Store, StoreError, WriteTx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use shijian_domain::entity::listing::{self as rules, OPTIONAL_PARTS_ENTERPRISE};
use shijian_domain::entity::EntityKind;
use shijian_domain::masking;
use shijian_domain::role::{Permission, Role};

/// The field name the contact phone is sealed under.
const PHONE_FIELD: &str = "annual_report.phone";

/// Contact details (条例 Art.9 item 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    pub address: String,
    pub postcode: String,
    pub phone: String,
    pub email: String,
}

/// A shareholder's contribution (条例 Art.9 item 4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Contribution {
    pub shareholder: String,
    pub subscribed_fen: i64,
    pub paid_in_fen: i64,
    pub paid_on: Option<NaiveDate>,
    /// 货币, 实物, 知识产权 …
    pub method: String,
}

/// The financial figures (条例 Art.9 item 7; public only if the filer chooses), in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Finance {
    pub total_assets_fen: i64,
    pub total_liabilities_fen: i64,
    pub owners_equity_fen: i64,
    pub revenue_fen: i64,
    pub main_business_revenue_fen: i64,
    pub total_profit_fen: i64,
    pub net_profit_fen: i64,
    pub tax_paid_fen: i64,
    pub guarantees_fen: i64,
}

/// The report's sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ReportContent {
    pub contact: Contact,
    /// 开业, 歇业, 清算 …
    pub operating_status: String,
    /// Entities invested in (name or credit code).
    pub investments: Vec<String>,
    pub contributions: Vec<Contribution>,
    pub equity_transfers: Vec<String>,
    /// Web sites and online shops (name and address).
    pub websites: Vec<String>,
    pub employees: Option<i64>,
    pub finance: Option<Finance>,
}

/// A filing.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub report_year: i32,
    pub content: ReportContent,
    /// Optional sections to publish: `employees`, `finance` for enterprises and
    /// cooperatives; any section for individual businesses.
    #[serde(default)]
    pub publish: Vec<String>,
}

/// A stored report as officers and the filer see it (the phone masked all the same: it
/// is sealed at rest and nobody needs it unmasked on a screen).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnualReport {
    pub id: String,
    pub uscc: String,
    pub report_year: i32,
    pub revision: i32,
    pub filed_on: String,
    pub filed_by: String,
    pub late: bool,
    pub content: ReportContent,
    /// The sections shown on the public portal.
    pub public_parts: Vec<String>,
}

/// A report as the public portal shows it: only public sections, personal data masked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReport {
    pub report_year: i32,
    pub revision: i32,
    pub filed_on: String,
    pub late: bool,
    /// Section name → its content, for the public sections only.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub sections: serde_json::Map<String, serde_json::Value>,
}

#[derive(sqlx::FromRow)]
struct StoredReport {
    id: String,
    uscc: String,
    report_year: i64,
    revision: i64,
    filed_on: String,
    filed_by: String,
    late: bool,
    content: String,
    public_parts: String,
}

impl StoredReport {
    fn decode(self, store: &Store) -> Result<AnnualReport> {
        let mut content: ReportContent = serde_json::from_str(&self.content)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("annual_report {}: {e}", self.id)))?;
        if !content.contact.phone.is_empty() {
            let phone = store.open_sealed(&content.contact.phone, PHONE_FIELD)?;
            content.contact.phone = masking::mask_mobile(&phone);
        }
        let public_parts = serde_json::from_str(&self.public_parts)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("annual_report {}: {e}", self.id)))?;
        Ok(AnnualReport {
            id: self.id,
            uscc: self.uscc,
            report_year: i32::try_from(self.report_year).unwrap_or_default(),
            revision: i32::try_from(self.revision).unwrap_or_default(),
            filed_on: self.filed_on,
            filed_by: self.filed_by,
            late: self.late,
            content,
            public_parts,
        })
    }
}

const COLUMNS: &str =
    "id, uscc, report_year, revision, filed_on, filed_by, late, content, public_parts";

/// The entity an `enterprise` account acts for.
pub async fn bound_entity(store: &Store, actor: &Actor) -> Result<Option<String>> {
    let Some(id) = actor.user_id else {
        return Ok(None);
    };
    let v: Option<Option<String>> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT entity_uscc FROM app_user WHERE id = $1").bind(id).fetch_optional(c).await)?;
    Ok(v.flatten())
}

/// Whether `actor` may act for entity `uscc`: an officer (with the permission to
/// register), or the entity's own enterprise account. Refusals are audited. Call it
/// before opening the write transaction (the audit of a refusal is a write of its own),
/// then [`load_for_entity`] inside it.
pub(crate) async fn authorize_for_entity(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    action: &'static str,
) -> Result<()> {
    let allowed = if actor.role == Role::Enterprise {
        bound_entity(store, actor).await?.as_deref() == Some(uscc)
    } else {
        actor.role.can(Permission::RegisterEntities)
    };
    let what = if actor.role == Role::Enterprise {
        "own entity"
    } else {
        "RegisterEntities"
    };
    require(store, actor, ctx, allowed, what, action).await
}

/// Whether `actor` may read what belongs to entity `uscc`: the entity's own enterprise
/// account, or anyone who may read the entity itself (with its jurisdiction's scope; 404
/// outside it). Refusals are audited.
pub(crate) async fn authorize_read_for_entity(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    action: &'static str,
) -> Result<()> {
    if actor.role == Role::Enterprise {
        let bound = bound_entity(store, actor).await?;
        require(
            store,
            actor,
            ctx,
            bound.as_deref() == Some(uscc),
            "own entity",
            action,
        )
        .await
    } else {
        crate::entities::get(store, actor, ctx, uscc)
            .await
            .map(|_| ())
    }
}

/// The entity row for an actor [`authorize_for_entity`] let through, locked: an officer's
/// is scoped to the jurisdiction (404 outside it).
pub(crate) async fn load_for_entity(
    tx: &mut WriteTx<'_>,
    actor: &Actor,
    uscc: &str,
) -> Result<Row> {
    if actor.role == Role::Enterprise {
        load(tx, uscc).await?.ok_or(StoreError::NotFound)
    } else {
        crate::entities::load_scoped(tx, actor, uscc).await
    }
}

fn report_error(e: &rules::ReportError) -> StoreError {
    StoreError::invalid(e.code(), e.to_string())
}

/// Files (or, before the window closes, corrects) the annual report of `uscc`.
pub async fn file(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
    filing: Filing,
) -> Result<AnnualReport> {
    authorize_for_entity(store, actor, ctx, uscc, "annual_report.file").await?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let row = load_for_entity(&mut tx, actor, uscc).await?;
    let today = shijian_domain::clock::beijing_date(tx.now());
    let established = row
        .established_on
        .as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    let year = filing.report_year;
    rules::check_filing(year, today, established).map_err(|e| report_error(&e))?;
    let kind = row.kind()?;
    for p in &filing.publish {
        let allowed = match kind {
            EntityKind::IndividualBusiness => rules::ALL_PARTS.contains(&p.as_str()),
            EntityKind::Enterprise | EntityKind::Cooperative => {
                OPTIONAL_PARTS_ENTERPRISE.contains(&p.as_str())
            }
        };
        if !allowed {
            return Err(StoreError::invalid(
                "unknown_report_part",
                format!("“{p}”不是可选择公示的年报内容"),
            ));
        }
    }
    let last: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT MAX(revision) FROM annual_report WHERE uscc = $1 AND report_year = $2")
        .bind(uscc).bind(i64::from(year)).fetch_one(c).await)?;
    let revision = last.unwrap_or(0) + 1;
    if revision > 1 && rules::is_late(year, today) {
        return Err(StoreError::conflict(
            "correction_closed",
            format!(
                "{year}年度报告的更正期限已于次年6月30日届满（《企业信息公示暂行条例》第十二条）"
            ),
        ));
    }
    let mut content = filing.content;
    if !content.contact.phone.trim().is_empty() {
        content.contact.phone = store.seal(content.contact.phone.trim(), PHONE_FIELD)?;
    }
    let public: Vec<&str> = rules::public_parts(kind, &filing.publish);
    let late = rules::is_late(year, today);
    let id = uuid::Uuid::new_v4().to_string();
    let content_json = serde_json::to_string(&content).map_err(anyhow::Error::from)?;
    let public_json = serde_json::to_string(&public).map_err(anyhow::Error::from)?;
    let now = tx.now();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO annual_report (id, uscc, report_year, revision, filed_on, filed_at, filed_by, \
         content, public_parts, late) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(&id).bind(uscc).bind(i64::from(year)).bind(revision).bind(today.to_string())
        .bind(now).bind(&actor.username).bind(&content_json).bind(&public_json).bind(late)
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.record(Change {
        action: if revision == 1 {
            "annual_report.file"
        } else {
            "annual_report.correct"
        },
        object_type: "annual_report",
        object_id: format!("{uscc}/{year}/{revision}"),
        jurisdiction_code: row.division_code.clone(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({
            "uscc": uscc, "report_year": year, "revision": revision, "late": late,
            "public_parts": public,
        })),
    })
    .await?;
    tx.commit().await?;
    let stored = on_pool!(store, c => sqlx::query_as::<_, StoredReport>(
        &format!("SELECT {COLUMNS} FROM annual_report WHERE id = $1"))
        .bind(&id).fetch_one(c).await)?;
    stored.decode(store)
}

/// Every report of an entity (all revisions, newest first), for an actor who may read it.
pub async fn of_entity(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    uscc: &str,
) -> Result<Vec<AnnualReport>> {
    authorize_read_for_entity(store, actor, ctx, uscc, "annual_report.read").await?;
    let rows = on_pool!(store, c => sqlx::query_as::<_, StoredReport>(&format!(
        "SELECT {COLUMNS} FROM annual_report WHERE uscc = $1 ORDER BY report_year DESC, revision DESC"))
        .bind(uscc).fetch_all(c).await)?;
    rows.into_iter().map(|r| r.decode(store)).collect()
}

/// The public view of an entity's reports: the latest revision of each year and every
/// earlier one (条例 Art.12), only the public sections, personal data masked.
pub async fn public_of_entity(
    store: &Store,
    uscc: &str,
    kind: EntityKind,
) -> Result<Vec<PublicReport>> {
    let rows = on_pool!(store, c => sqlx::query_as::<_, StoredReport>(&format!(
        "SELECT {COLUMNS} FROM annual_report WHERE uscc = $1 ORDER BY report_year DESC, revision DESC"))
        .bind(uscc).fetch_all(c).await)?;
    rows.into_iter()
        .map(|r| {
            let report = r.decode(store)?;
            let mut all = match serde_json::to_value(&report.content) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            };
            if kind == EntityKind::IndividualBusiness {
                // An individual business's address is often the operator's home.
                if let Some(serde_json::Value::Object(contact)) = all.get_mut("contact") {
                    if let Some(serde_json::Value::String(a)) = contact.get_mut("address") {
                        *a = masking::mask_address(a);
                    }
                }
            }
            let sections = all
                .into_iter()
                .filter(|(k, _)| report.public_parts.iter().any(|p| p == k))
                .collect();
            Ok(PublicReport {
                report_year: report.report_year,
                revision: report.revision,
                filed_on: report.filed_on,
                late: report.late,
                sections,
            })
        })
        .collect()
}

/// Whether `uscc` has filed a report for `year` (any revision).
pub(crate) async fn has_filed(tx: &mut WriteTx<'_>, uscc: &str, year: i32) -> Result<bool> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM annual_report WHERE uscc = $1 AND report_year = $2")
        .bind(uscc).bind(i64::from(year)).fetch_one(c).await)?;
    Ok(n > 0)
}

/// The instant recorded for a report filed on `day` in the past: 10:00 Beijing time
/// (the day is what the law counts; the hour is not known).
fn filed_at(
    day: NaiveDate,
    fallback: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    day.and_hms_opt(2, 0, 0).map_or(fallback, |t| t.and_utc())
}

/// A report filed in the past, as an existing system or the demo generator holds it.
#[derive(Debug, Clone)]
pub struct HistoricReport {
    pub uscc: String,
    pub report_year: i32,
    pub filed_on: NaiveDate,
    pub content: ReportContent,
    /// Optional sections the filer made public.
    pub publish: Vec<String>,
}

/// Records reports filed in the past (revision 1, each entity and year once), with their
/// audit records and events, in multi-row inserts. The caller has authorised the batch
/// (a migration or the demo generator runs as the local operator). The entities must
/// exist; their kind decides the public sections.
pub async fn insert_history(tx: &mut WriteTx<'_>, reports: &[HistoricReport]) -> Result<usize> {
    use crate::write::{multi_row_insert, rows_per_insert};
    if reports.is_empty() {
        return Ok(0);
    }
    let usccs: Vec<&str> = reports.iter().map(|r| r.uscc.as_str()).collect();
    let rows = crate::entities::load_many(tx, &usccs).await?;
    let store = tx.store().clone();
    let now = tx.now();
    let by = tx.actor().username.clone();
    let mut prepared = Vec::with_capacity(reports.len());
    let mut changes = Vec::with_capacity(reports.len());
    for r in reports {
        let row = rows.get(&r.uscc).ok_or(StoreError::NotFound)?;
        if r.report_year < rules::FIRST_REPORT_YEAR || r.report_year >= r.filed_on.year() {
            return Err(StoreError::invalid(
                "report_year_out_of_range",
                format!(
                    "{} 的 {} 年度报告不能于 {} 报送",
                    r.uscc, r.report_year, r.filed_on
                ),
            ));
        }
        let mut content = r.content.clone();
        if !content.contact.phone.trim().is_empty() {
            content.contact.phone = store.seal(content.contact.phone.trim(), PHONE_FIELD)?;
        }
        let public = rules::public_parts(row.kind()?, &r.publish);
        let late = rules::is_late(r.report_year, r.filed_on);
        prepared.push((
            uuid::Uuid::new_v4().to_string(),
            serde_json::to_string(&content).map_err(anyhow::Error::from)?,
            serde_json::to_string(&public).map_err(anyhow::Error::from)?,
            late,
        ));
        changes.push(Change {
            action: "annual_report.file",
            object_type: "annual_report",
            object_id: format!("{}/{}/1", r.uscc, r.report_year),
            jurisdiction_code: row.division_code.clone(),
            result: AuditResult::Ok,
            after: Some(serde_json::json!({
                "uscc": r.uscc, "report_year": r.report_year, "revision": 1, "late": late,
                "filed_on": r.filed_on.to_string(), "public_parts": public,
            })),
        });
    }
    let width = 10;
    for (chunk, prep) in reports
        .chunks(rows_per_insert(width))
        .zip(prepared.chunks(rows_per_insert(width)))
    {
        let sql = multi_row_insert(
            "INSERT INTO annual_report (id, uscc, report_year, revision, filed_on, filed_at, \
             filed_by, content, public_parts, late) VALUES ",
            width,
            chunk.len(),
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for (r, (id, content, public, late)) in chunk.iter().zip(prep) {
                q = q.bind(id).bind(&r.uscc).bind(i64::from(r.report_year)).bind(1_i64)
                    .bind(r.filed_on.to_string()).bind(filed_at(r.filed_on, now)).bind(&by).bind(content)
                    .bind(public).bind(*late);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    tx.record_many(changes).await?;
    Ok(reports.len())
}
