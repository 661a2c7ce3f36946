//! `/api/v1/entities`: the market entity registry — search, one entity now or as of a day,
//! its versions, registration and the lifecycle actions, bulk import and export. Rules and
//! scoping are storage's and the domain's; these handlers translate HTTP to those calls.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shijian_domain::masking::mask_name;
use shijian_storage::entities::{
    self, Entity, FieldError, ImportSummary, RawItems, SimplifiedDeregistration, Version,
};
use shijian_storage::entity_index::SearchParams;
use utoipa::{IntoParams, ToSchema};

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code,
            format!("{}：{}", column_label(e.column), e.reason),
        )
    }
}

/// The Chinese label of an import/form column.
#[must_use]
pub fn column_label(column: &str) -> &'static str {
    entities::COLUMNS
        .iter()
        .find(|(n, _, _)| *n == column)
        .map_or("", |(_, aliases, _)| aliases[1])
}

/// Search parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Any part of the name, pinyin initials (jmsh), a credit code or its prefix, the
    /// legal representative (staff only) or the address.
    pub q: Option<String>,
    /// A division code or prefix (county six digits, township nine).
    pub division: Option<String>,
    /// `enterprise`, `individual_business` or `cooperative`.
    pub entity_type: Option<String>,
    /// `active`, `dormant`, `revoked`, `deregistered`, `cancelled` or `moved_out`.
    pub status: Option<String>,
    /// GB/T 4754 code prefix.
    pub industry: Option<String>,
    /// `abnormal`, `dishonesty` or `none`.
    pub listing: Option<String>,
    /// Page size (1–200, default 20).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl SearchQuery {
    pub(crate) fn params(&self) -> SearchParams {
        let clean = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        SearchParams {
            q: self.q.clone().unwrap_or_default(),
            division: clean(&self.division),
            entity_type: clean(&self.entity_type),
            status: clean(&self.status),
            industry: clean(&self.industry),
            listing: clean(&self.listing),
            limit: self.limit.unwrap_or(20),
            cursor: clean(&self.cursor),
        }
    }
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityHit {
    pub uscc: String,
    pub name: String,
    pub entity_type: String,
    pub status: String,
    pub division_code: String,
    pub domicile: String,
    /// The legal representative or operator (an individual business's operator is masked
    /// for non-staff clients).
    pub legal_rep: String,
    pub industry_code: String,
    pub listing: String,
    /// How it matched: `exact`, `prefix`, `substring`, `pinyin`, `legal_rep`, `address`, …
    pub matched: String,
}

/// A page of search results with the total count.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntitySearchPage {
    pub items: Vec<EntityHit>,
    pub total: usize,
    pub next_cursor: Option<String>,
}

/// Runs a search for the API and the UI.
pub(crate) async fn run_search(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    q: &SearchQuery,
) -> ApiResult<EntitySearchPage> {
    let actor = auth.actor();
    state.entity_index.catch_up(&state.store).await?;
    let (page, docs) = state
        .entity_index
        .search(&state.store, &actor, ctx, &q.params())
        .await?;
    let staff = actor.role.is_staff();
    let items = page
        .hits
        .iter()
        .zip(docs)
        .map(|(h, d)| EntityHit {
            legal_rep: if staff || d.entity_type != "individual_business" {
                d.legal_rep
            } else {
                mask_name(&d.legal_rep)
            },
            uscc: d.uscc,
            name: d.name,
            entity_type: d.entity_type,
            status: d.status,
            division_code: d.division_code,
            domicile: d.address,
            industry_code: d.industry_code,
            listing: d.listing,
            matched: h.matched.as_str().to_owned(),
        })
        .collect();
    Ok(EntitySearchPage {
        items,
        total: page.total,
        next_cursor: page.next.map(|c| c.encode()),
    })
}

/// Search entities inside the caller's jurisdiction. Order: exact name, then name prefix,
/// then substring, then pinyin initials, legal representative and address matches; within
/// each, active (存续) first, then shorter names, then credit code.
#[utoipa::path(operation_id = "entities_search", get, path = "/api/v1/entities", tag = "entities", params(SearchQuery),
    responses((status = 200, body = EntitySearchPage), (status = 403, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<EntitySearchPage>> {
    Ok(Json(run_search(&state, &auth, &ctx, &q).await?))
}

/// Register a new entity (设立登记).
#[derive(Debug, Deserialize, ToSchema)]
pub struct EstablishRequest {
    pub uscc: String,
    pub items: RawItems,
    /// When the application was received (企业开办 timing); default now.
    pub received_at: Option<DateTime<Utc>>,
}

/// Checks raw items for a form or a request.
pub(crate) async fn check_items(
    state: &AppState,
    raw: &RawItems,
) -> ApiResult<shijian_storage::entities::EntityItems> {
    let known = entities::known(&state.store).await?;
    let (items, _) = known.check(raw, state.store.clock().today())?;
    Ok(items)
}

/// Register a new entity (设立登记): it becomes active, version 1, licence issued now.
#[utoipa::path(operation_id = "entities_establish", post, path = "/api/v1/entities", tag = "entities", request_body = EstablishRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    responses((status = 201, body = Entity), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn establish(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<EstablishRequest>,
) -> ApiResult<(StatusCode, Json<Entity>)> {
    let uscc = entities::check_uscc(&req.uscc)?;
    let items = check_items(&state, &req.items).await?;
    let e = entities::establish(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        &items,
        req.received_at,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(e)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Answer as registered on this day (YYYY-MM-DD).
    pub as_of: Option<NaiveDate>,
}

/// The 2023 Company Law contribution-deadline check of a company (公司法第47条;
/// existing companies must be within five years by 2027-06-30).
#[derive(Debug, Serialize, ToSchema)]
pub struct CapitalCheck {
    /// `compliant`, `must_adjust`, `overdue`, `exceeds_limit`, `unknown` or `not_applicable`.
    pub code: String,
    pub needs_attention: bool,
    /// The explanation in Chinese.
    pub message: String,
}

/// An entity with the checks computed on the day it is read.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityDetail {
    #[serde(flatten)]
    pub entity: Entity,
    /// Companies only.
    pub capital_check: Option<CapitalCheck>,
}

/// One entity (404 outside the caller's jurisdiction), now or as of a day, with the
/// capital contribution-deadline check for companies.
#[utoipa::path(operation_id = "entities_get", get, path = "/api/v1/entities/{uscc}", tag = "entities",
    params(("uscc" = String, Path), AsOfQuery),
    responses((status = 200, body = EntityDetail), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<EntityDetail>> {
    let actor = auth.actor();
    let (e, day) = match q.as_of {
        Some(d) => (
            entities::as_of(&state.store, &actor, &ctx, &uscc, d).await?,
            d,
        ),
        None => (
            entities::get(&state.store, &actor, &ctx, &uscc).await?,
            state.store.clock().today(),
        ),
    };
    let capital_check = e.capital_flag(day).map(|f| CapitalCheck {
        code: f.code().to_owned(),
        needs_attention: f.needs_attention(),
        message: f.message(),
    });
    Ok(Json(EntityDetail {
        entity: e,
        capital_check,
    }))
}

/// An amendment (变更登记).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AmendRequest {
    /// The complete registered items after the change; an empty ID number or phone keeps
    /// the registered one.
    pub items: RawItems,
    /// The day the change took effect (default today).
    pub effective_on: Option<NaiveDate>,
    /// The version the change was made against (refused with 409 if another came first).
    pub expected_version: Option<i64>,
}

/// Amend an entity's registered items (变更登记); a new version.
#[utoipa::path(operation_id = "entities_amend", put, path = "/api/v1/entities/{uscc}", tag = "entities",
    params(("uscc" = String, Path)), request_body = AmendRequest,
    responses((status = 200, body = Entity), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn amend(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<AmendRequest>,
) -> ApiResult<Json<Entity>> {
    let items = check_items(&state, &req.items).await?;
    let effective_on = req
        .effective_on
        .unwrap_or_else(|| state.store.clock().today());
    Ok(Json(
        entities::amend(
            &state.store,
            &auth.actor(),
            &ctx,
            &uscc,
            &items,
            effective_on,
            req.expected_version,
        )
        .await?,
    ))
}

/// Every version of an entity, newest first (the event timeline).
#[utoipa::path(operation_id = "entities_versions", get, path = "/api/v1/entities/{uscc}/versions", tag = "entities",
    params(("uscc" = String, Path)),
    responses((status = 200, body = Vec<Version>), (status = 404, body = Problem)))]
pub async fn versions(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
) -> ApiResult<Json<Vec<Version>>> {
    Ok(Json(
        entities::history(&state.store, &auth.actor(), &ctx, &uscc).await?,
    ))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusChangeRequest {
    /// `deregister` (注销), `revoke` (吊销), `cancel` (撤销登记), `move_out` (迁出),
    /// `begin_dormancy` (歇业), `extend_dormancy` (延长歇业), `end_dormancy` (恢复营业).
    pub action: String,
    /// The day it takes effect (default today); for `begin_dormancy` the first day.
    pub effective_on: Option<NaiveDate>,
    /// `begin_dormancy`, `extend_dormancy`: the last day of dormancy.
    pub ends_on: Option<NaiveDate>,
    /// `begin_dormancy`: the reason (natural disaster, accident, public-health event …).
    pub reason: Option<String>,
    /// `move_out`: the registration authority the entity moves to.
    pub to_authority: Option<String>,
}

fn required<T>(v: Option<T>, field: &str) -> ApiResult<T> {
    v.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_field",
            format!("缺少字段 {field}"),
        )
    })
}

/// Change an entity's status: deregistration, revocation, cancellation, moving out, or
/// dormancy (begin, extend, end), with the legal conditions checked.
#[utoipa::path(operation_id = "entities_status_change", post, path = "/api/v1/entities/{uscc}/status-changes", tag = "entities",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = StatusChangeRequest,
    responses((status = 200, body = Entity), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn status_change(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<StatusChangeRequest>,
) -> ApiResult<Json<Entity>> {
    Ok(Json(
        apply_status_change(&state, &auth, &ctx, &uscc, req).await?,
    ))
}

/// Carries out a status change for the API and the UI forms.
pub(crate) async fn apply_status_change(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    uscc: &str,
    req: StatusChangeRequest,
) -> ApiResult<Entity> {
    let (s, a) = (&state.store, &auth.actor());
    let on = req.effective_on.unwrap_or_else(|| s.clock().today());
    let e = match req.action.as_str() {
        "deregister" => entities::deregister(s, a, ctx, uscc, on).await?,
        "revoke" => entities::revoke(s, a, ctx, uscc, on).await?,
        "cancel" => entities::cancel_registration(s, a, ctx, uscc, on).await?,
        "move_out" => {
            let to = required(req.to_authority, "to_authority")?;
            entities::move_out(s, a, ctx, uscc, &to, on).await?
        }
        "begin_dormancy" => {
            let ends = required(req.ends_on, "ends_on")?;
            let reason = required(req.reason, "reason")?;
            entities::begin_dormancy(s, a, ctx, uscc, on, ends, &reason).await?
        }
        "extend_dormancy" => {
            let ends = required(req.ends_on, "ends_on")?;
            entities::extend_dormancy(s, a, ctx, uscc, ends).await?
        }
        "end_dormancy" => entities::end_dormancy(s, a, ctx, uscc, on).await?,
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_action",
                format!("未知的状态变更：{other}"),
            ))
        }
    };
    Ok(e)
}

/// 迁入: an entity arriving from another registration authority.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveInRequest {
    pub items: RawItems,
    pub effective_on: Option<NaiveDate>,
}

/// Record an entity moving in from another registration authority (迁入).
#[utoipa::path(operation_id = "entities_move_in", post, path = "/api/v1/entities/{uscc}/move-in", tag = "entities",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = MoveInRequest,
    responses((status = 200, body = Entity), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn move_in(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<MoveInRequest>,
) -> ApiResult<Json<Entity>> {
    let uscc = entities::check_uscc(&uscc)?;
    let items = check_items(&state, &req.items).await?;
    let on = req
        .effective_on
        .unwrap_or_else(|| state.store.clock().today());
    Ok(Json(
        entities::move_in(&state.store, &auth.actor(), &ctx, &uscc, &items, on).await?,
    ))
}

/// Start a simplified deregistration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SimplifiedStartRequest {
    /// The first day of the public notice (individual businesses: the application day).
    pub notice_starts_on: Option<NaiveDate>,
}

/// Start a simplified deregistration (简易注销): refused at once while the entity is on the
/// abnormal or dishonesty list or another bar of 细则 Art.48 holds.
#[utoipa::path(operation_id = "entities_simplified_deregistration_start", post, path = "/api/v1/entities/{uscc}/simplified-deregistrations", tag = "entities",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = SimplifiedStartRequest,
    responses((status = 201, body = SimplifiedDeregistration), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn simplified_start(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<SimplifiedStartRequest>,
) -> ApiResult<(StatusCode, Json<SimplifiedDeregistration>)> {
    let on = req
        .notice_starts_on
        .unwrap_or_else(|| state.store.clock().today());
    let d = entities::simplified_deregistration_start(&state.store, &auth.actor(), &ctx, &uscc, on)
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// One simplified deregistration with its objections.
#[utoipa::path(operation_id = "simplified_deregistrations_get", get, path = "/api/v1/simplified-deregistrations/{id}", tag = "entities",
    params(("id" = String, Path)),
    responses((status = 200, body = SimplifiedDeregistration), (status = 404, body = Problem)))]
pub async fn simplified_get(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<SimplifiedDeregistration>> {
    Ok(Json(
        entities::simplified_deregistration(&state.store, &auth.actor(), &ctx, &id).await?,
    ))
}

/// An objection to a simplified deregistration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ObjectionRequest {
    /// `department`, `creditor` or `other`.
    pub objector_kind: String,
    pub objector: String,
    pub content: String,
    pub received_on: Option<NaiveDate>,
}

/// Record an objection received during the notice period.
#[utoipa::path(operation_id = "simplified_deregistrations_object", post, path = "/api/v1/simplified-deregistrations/{id}/objections", tag = "entities",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = ObjectionRequest,
    responses((status = 200, body = SimplifiedDeregistration), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn simplified_object(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ObjectionRequest>,
) -> ApiResult<Json<SimplifiedDeregistration>> {
    let on = req
        .received_on
        .unwrap_or_else(|| state.store.clock().today());
    Ok(Json(
        entities::add_objection(
            &state.store,
            &auth.actor(),
            &ctx,
            &id,
            &req.objector_kind,
            &req.objector,
            &req.content,
            on,
        )
        .await?,
    ))
}

/// The decision on a simplified deregistration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    pub decided_on: Option<NaiveDate>,
}

/// Decide a simplified deregistration: the entity is deregistered when the notice ended
/// with no objection and no bar holds; otherwise the refusal and its reason are recorded
/// and returned as a 409 problem.
#[utoipa::path(operation_id = "simplified_deregistrations_decide", post, path = "/api/v1/simplified-deregistrations/{id}/decision", tag = "entities",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = DecisionRequest,
    responses((status = 200, body = SimplifiedDeregistration), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn simplified_decide(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<Json<SimplifiedDeregistration>> {
    let on = req
        .decided_on
        .unwrap_or_else(|| state.store.clock().today());
    Ok(Json(
        entities::simplified_deregistration_apply(&state.store, &auth.actor(), &ctx, &id, on)
            .await?,
    ))
}

/// A bar of 细则 Art.48 to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BarRequest {
    /// `equity_frozen_or_pledged`, `chattel_mortgage`, `investments_in_other_entities`,
    /// `under_investigation_or_compulsory_measures`, `in_litigation_or_arbitration`,
    /// `licence_revoked_or_closed` or `unexecuted_fines`.
    pub bar: String,
    #[serde(default)]
    pub note: String,
}

/// The id of a recorded bar.
#[derive(Debug, Serialize, ToSchema)]
pub struct BarRecorded {
    pub id: String,
}

/// Record a bar against an entity (it blocks simplified deregistration until lifted).
#[utoipa::path(operation_id = "entities_bar_record", post, path = "/api/v1/entities/{uscc}/bars", tag = "entities",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = BarRequest,
    responses((status = 201, body = BarRecorded), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn bar_record(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<BarRequest>,
) -> ApiResult<(StatusCode, Json<BarRecorded>)> {
    let id = entities::record_bar(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        &req.bar,
        &req.note,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(BarRecorded { id })))
}

/// Lift a recorded bar.
#[utoipa::path(operation_id = "entity_bars_lift", post, path = "/api/v1/entity-bars/{id}/lift", tag = "entities",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn bar_lift(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    entities::lift_bar(&state.store, &auth.actor(), &ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A succession link from this entity to its successor.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SuccessionRequest {
    pub successor: String,
    /// `individual_to_enterprise` (个转企), `merger` or `split`.
    pub kind: String,
    pub effective_on: Option<NaiveDate>,
}

/// Link this entity to its successor (个转企, merger, split).
#[utoipa::path(operation_id = "entities_succession", post, path = "/api/v1/entities/{uscc}/successions", tag = "entities",
    params(("uscc" = String, Path)),
    request_body = SuccessionRequest,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn succession(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<SuccessionRequest>,
) -> ApiResult<StatusCode> {
    let on = req
        .effective_on
        .unwrap_or_else(|| state.store.clock().today());
    entities::link_succession(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        &req.successor,
        &req.kind,
        on,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The largest import file accepted over HTTP (a 300,000-row export is about 100 MB).
pub const IMPORT_MAX_BYTES: usize = 256 << 20;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check only; store nothing.
    pub dry_run: Option<bool>,
}

/// One refused row of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectView {
    pub row: usize,
    pub column: String,
    pub code: String,
    pub reason: String,
}

/// The summary of an import; `read = inserted + updated + unchanged + rejected`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummaryView {
    pub read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub dry_run: bool,
    pub rejects: Vec<RejectView>,
}

impl From<ImportSummary> for ImportSummaryView {
    fn from(s: ImportSummary) -> Self {
        Self {
            read: s.read,
            inserted: s.inserted,
            updated: s.updated,
            unchanged: s.unchanged,
            rejected: s.rejected,
            dry_run: s.dry_run,
            rejects: s
                .rejects
                .into_iter()
                .map(|r| RejectView {
                    row: r.row,
                    column: r.column.to_owned(),
                    code: r.code.to_owned(),
                    reason: r.reason,
                })
                .collect(),
        }
    }
}

/// Imports a spreadsheet's bytes for the API and the UI.
pub(crate) async fn run_import(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    bytes: &[u8],
    dry_run: bool,
) -> ApiResult<ImportSummary> {
    let table = shijian_tabular::read(bytes)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()))?;
    Ok(entities::import_table(
        &state.store,
        &auth.actor(),
        ctx,
        &table.headers,
        table.rows(),
        dry_run,
        &mut |_| {},
    )
    .await?)
}

/// Import entities from a spreadsheet (CSV in UTF-8/GBK, or XLSX) sent as the request
/// body: every valid row is upserted by credit code, every invalid one reported with its
/// row number, column and reason.
#[utoipa::path(operation_id = "entities_import", post, path = "/api/v1/entity-imports", tag = "entities",
    params(ImportQuery, ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportSummaryView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportSummaryView>> {
    let s = run_import(&state, &auth, &ctx, &body, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(s.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (default, UTF-8 with BOM) or `xlsx`.
    pub format: Option<String>,
    /// Export only the results of this search (same parameters as the search).
    pub q: Option<String>,
    pub division: Option<String>,
    pub entity_type: Option<String>,
    pub status: Option<String>,
    pub industry: Option<String>,
    pub listing: Option<String>,
}

/// The most rows one export from search results may hold.
const EXPORT_MAX: usize = 1_000_000;

/// Exports entities for the API and the UI: the import's column set, credit-code order,
/// the caller's jurisdiction; only the search's results when a search is given.
pub(crate) async fn run_export(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    q: &ExportQuery,
) -> ApiResult<Response> {
    let actor = auth.actor();
    let searched = [
        &q.q,
        &q.division,
        &q.entity_type,
        &q.status,
        &q.industry,
        &q.listing,
    ]
    .iter()
    .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    let only = if searched {
        let sq = SearchQuery {
            q: q.q.clone(),
            division: q.division.clone(),
            entity_type: q.entity_type.clone(),
            status: q.status.clone(),
            industry: q.industry.clone(),
            listing: q.listing.clone(),
            limit: None,
            cursor: None,
        };
        state.entity_index.catch_up(&state.store).await?;
        Some(
            state
                .entity_index
                .all_matches(&state.store, &actor, ctx, &sq.params(), EXPORT_MAX)
                .await?,
        )
    } else {
        None
    };
    let xlsx = q.format.as_deref() == Some("xlsx");
    let (bytes, mime, ext) = export_bytes(state, &actor, ctx, only.as_deref(), xlsx).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"entities.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn export_bytes(
    state: &AppState,
    actor: &shijian_storage::Actor,
    ctx: &shijian_storage::RequestCtx,
    only: Option<&[String]>,
    xlsx: bool,
) -> ApiResult<(Vec<u8>, &'static str, &'static str)> {
    let mut out = Vec::new();
    write_export(&state.store, actor, ctx, only, xlsx, &mut out).await?;
    Ok(if xlsx {
        (
            out,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (out, "text/csv; charset=utf-8", "csv")
    })
}

/// Writes the export (CSV with BOM, or XLSX) of the entities in the actor's jurisdiction
/// (only those in `only` when given) to `out`; returns the number of rows. The one export
/// writer, used by the API, the UI and `shijian export entities`.
pub async fn write_export(
    store: &shijian_storage::Store,
    actor: &shijian_storage::Actor,
    ctx: &shijian_storage::RequestCtx,
    only: Option<&[String]>,
    xlsx: bool,
    out: &mut (dyn std::io::Write + Send),
) -> Result<u64, shijian_storage::StoreError> {
    use shijian_storage::StoreError;
    let other = |e: String| StoreError::Other(anyhow::anyhow!(e));
    let headers = entities::export_headers();
    let row = |e: &Entity| entities::export_cells(e);
    if xlsx {
        let mut w = shijian_tabular::XlsxWriter::new("市场主体", &headers)
            .map_err(|e| other(e.to_string()))?;
        let n = entities::export(store, actor, ctx, only, |e| {
            let cells = row(e);
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            w.write_row(&refs).map_err(|e| other(e.to_string()))
        })
        .await?;
        let bytes = w.finish().map_err(|e| other(e.to_string()))?;
        out.write_all(&bytes).map_err(|e| other(e.to_string()))?;
        Ok(n)
    } else {
        let mut w =
            shijian_tabular::CsvWriter::new(out, &headers).map_err(|e| other(e.to_string()))?;
        let n = entities::export(store, actor, ctx, only, |e| {
            let cells = row(e);
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            w.write_row(&refs).map_err(|e| other(e.to_string()))
        })
        .await?;
        w.finish().map_err(|e| other(e.to_string()))?;
        Ok(n)
    }
}

/// Export entities as CSV (UTF-8 with BOM, for Excel) or XLSX, in the import's column set,
/// ordered by credit code, inside the caller's jurisdiction.
#[utoipa::path(operation_id = "entities_export", get, path = "/api/v1/entity-exports", tag = "entities",
    params(ExportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    run_export(&state, &auth, &ctx, &q).await
}
