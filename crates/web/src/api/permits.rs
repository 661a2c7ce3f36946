//! Permits (证照分离) and the permit-item catalogue: the catalogue (read by staff, edited by
//! the system administrator), an entity's permits with issue, renewal, revocation and
//! cancellation, the expiry warnings, and the signed links of licence and permit QR codes.
//! Rules and scoping are storage's and the domain's.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shijian_storage::permits::{
    self, ItemEdit, NewPermit, Permit, PermitAction, PermitItem, PermitWarning, SignedLink,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's `/api/v1` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(items, create_item))
        .routes(routes!(edit_item))
        .routes(routes!(entity_permits, issue))
        .routes(routes!(get_permit))
        .routes(routes!(status_change))
        .routes(routes!(permit_link))
        .routes(routes!(licence_link))
        .routes(routes!(warnings))
}

/// A signed link with the full URL to print in a QR code.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// `{public_base_url}/public/licences/{kind}/{id}?k=…&s=…`.
    pub url: String,
    #[serde(flatten)]
    pub link: SignedLink,
}

/// The full URL of a signed link under the configured public base URL.
pub(crate) fn full_url(state: &AppState, link: &SignedLink) -> String {
    format!(
        "{}{}",
        state.config.public_base_url.trim_end_matches('/'),
        link.path
    )
}

/// The permit-item catalogue (涉企经营许可事项), in display order.
#[utoipa::path(operation_id = "permit_items_list", get, path = "/api/v1/permit-items", tag = "permits",
    responses((status = 200, body = Vec<PermitItem>)))]
pub async fn items(State(state): State<AppState>, _auth: Auth) -> ApiResult<Json<Vec<PermitItem>>> {
    Ok(Json(permits::items(&state.store).await?))
}

/// A catalogue item as an administrator gives it. On edit, absent fields keep their value;
/// `validity_years: null` with `clear_validity: true` removes the validity.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemRequest {
    /// Only when creating: lower-case letters, digits, `_`.
    pub code: Option<String>,
    pub name: Option<String>,
    pub department: Option<String>,
    /// `abolished`, `filing`, `commitment` or `approval`.
    pub reform_mode: Option<String>,
    pub validity_years: Option<i64>,
    #[serde(default)]
    pub clear_validity: bool,
    pub legal_basis: Option<String>,
    pub note: Option<String>,
    pub active: Option<bool>,
    pub sort_order: Option<i64>,
}

impl ItemRequest {
    fn edit(self) -> ItemEdit {
        ItemEdit {
            name: self.name,
            department: self.department,
            reform_mode: self.reform_mode,
            validity_years: if self.clear_validity {
                Some(None)
            } else {
                self.validity_years.map(Some)
            },
            legal_basis: self.legal_basis,
            note: self.note,
            active: self.active,
            sort_order: self.sort_order,
        }
    }
}

/// Add a permit item to the catalogue (system administrator; audited).
#[utoipa::path(operation_id = "permit_items_create", post, path = "/api/v1/permit-items", tag = "permits",
    params(("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = ItemRequest,
    responses((status = 201, body = PermitItem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_item(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(mut req): ApiJson<ItemRequest>,
) -> ApiResult<(StatusCode, Json<PermitItem>)> {
    let code = req.code.take().unwrap_or_default();
    let i = permits::create_item(&state.store, &auth.actor(), &ctx, &code, req.edit()).await?;
    Ok((StatusCode::CREATED, Json(i)))
}

/// Edit a permit item (system administrator; audited).
#[utoipa::path(operation_id = "permit_items_edit", patch, path = "/api/v1/permit-items/{code}", tag = "permits",
    params(("code" = String, Path)), request_body = ItemRequest,
    responses((status = 200, body = PermitItem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_item(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<ItemRequest>,
) -> ApiResult<Json<PermitItem>> {
    Ok(Json(
        permits::edit_item(&state.store, &auth.actor(), &ctx, &code, req.edit()).await?,
    ))
}

/// The permits of an entity (inside the caller's jurisdiction), newest first, each with its
/// status as of today.
#[utoipa::path(operation_id = "entity_permits_list", get, path = "/api/v1/entities/{uscc}/permits", tag = "permits",
    params(("uscc" = String, Path)),
    responses((status = 200, body = Vec<Permit>), (status = 404, body = Problem)))]
pub async fn entity_permits(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
) -> ApiResult<Json<Vec<Permit>>> {
    Ok(Json(
        permits::for_entity(&state.store, &auth.actor(), &ctx, &uscc).await?,
    ))
}

/// A permit being issued.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// The catalogue item's code, e.g. `food_business`.
    pub item_code: String,
    /// The certificate or filing number.
    pub number: String,
    /// Default: today.
    pub issued_on: Option<NaiveDate>,
    /// The last valid day; default: from the item's validity.
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub remarks: String,
}

/// Issue a permit to an entity of the caller's jurisdiction (officer; audited).
#[utoipa::path(operation_id = "entity_permits_issue", post, path = "/api/v1/entities/{uscc}/permits", tag = "permits",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = IssueRequest,
    responses((status = 201, body = Permit), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn issue(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<IssueRequest>,
) -> ApiResult<(StatusCode, Json<Permit>)> {
    let p = issue_permit(&state, &auth, &ctx, &uscc, req).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Issues a permit for the API and the UI form.
pub(crate) async fn issue_permit(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    uscc: &str,
    req: IssueRequest,
) -> ApiResult<Permit> {
    let new = NewPermit {
        item_code: req.item_code,
        number: req.number,
        issued_on: req.issued_on,
        valid_until: req.valid_until,
        scope: req.scope,
        remarks: req.remarks,
    };
    Ok(permits::issue(&state.store, &auth.actor(), ctx, uscc, new).await?)
}

/// One permit (inside the caller's jurisdiction).
#[utoipa::path(operation_id = "permits_get", get, path = "/api/v1/permits/{id}", tag = "permits",
    params(("id" = String, Path)),
    responses((status = 200, body = Permit), (status = 404, body = Problem)))]
pub async fn get_permit(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Permit>> {
    Ok(Json(
        permits::get(&state.store, &auth.actor(), &ctx, &id).await?,
    ))
}

/// A change of a permit: `renew` (延续, with `issued_on`/`valid_until`, defaults: today and
/// the item's validity), `revoke` (吊销) or `cancel` (注销), both with `reason` and
/// `effective_on` (default today).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PermitChangeRequest {
    pub action: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub effective_on: Option<NaiveDate>,
    pub reason: Option<String>,
    /// The version the change is based on (refused with 409 if it changed meanwhile).
    pub version: Option<i64>,
}

/// Carries out a permit change for the API and the UI forms.
pub(crate) async fn apply_change(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    id: &str,
    req: PermitChangeRequest,
) -> ApiResult<Permit> {
    let on = req
        .effective_on
        .unwrap_or_else(|| state.store.clock().today());
    let reason = req.reason.unwrap_or_default();
    let action = match req.action.as_str() {
        "renew" => PermitAction::Renew {
            issued_on: req.issued_on,
            valid_until: req.valid_until,
        },
        "revoke" => PermitAction::Revoke { on, reason },
        "cancel" => PermitAction::Cancel { on, reason },
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_action",
                "action 须为 renew（延续）、revoke（吊销）或 cancel（注销）",
            ))
        }
    };
    Ok(permits::change(&state.store, &auth.actor(), ctx, id, action, req.version).await?)
}

/// Renew, revoke or cancel a permit of the caller's jurisdiction (officer; audited).
#[utoipa::path(operation_id = "permits_status_change", post, path = "/api/v1/permits/{id}/status-changes", tag = "permits",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = PermitChangeRequest,
    responses((status = 200, body = Permit), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn status_change(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PermitChangeRequest>,
) -> ApiResult<Json<Permit>> {
    Ok(Json(apply_change(&state, &auth, &ctx, &id, req).await?))
}

/// The signed link a permit's QR code carries.
#[utoipa::path(operation_id = "permits_link", get, path = "/api/v1/permits/{id}/link", tag = "permits",
    params(("id" = String, Path)),
    responses((status = 200, body = LinkView), (status = 404, body = Problem)))]
pub async fn permit_link(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<LinkView>> {
    let link = permits::permit_link(&state.store, &auth.actor(), &ctx, &id).await?;
    Ok(Json(LinkView {
        url: full_url(&state, &link),
        link,
    }))
}

/// The signed link an entity's business-licence QR code carries.
#[utoipa::path(operation_id = "entities_licence_link", get, path = "/api/v1/entities/{uscc}/licence-link", tag = "permits",
    params(("uscc" = String, Path)),
    responses((status = 200, body = LinkView), (status = 404, body = Problem)))]
pub async fn licence_link(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
) -> ApiResult<Json<LinkView>> {
    let link = permits::licence_link(&state.store, &auth.actor(), &ctx, &uscc).await?;
    Ok(Json(LinkView {
        url: full_url(&state, &link),
        link,
    }))
}

/// Paging of the warning list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    /// At most this many (1–1000, default 200).
    pub limit: Option<i64>,
}

/// The permit expiry warnings of the caller's jurisdiction (recorded by the daily job
/// `permit_expiry_warning` at 90 and 30 days before the last valid day), newest first.
#[utoipa::path(operation_id = "permit_warnings_list", get, path = "/api/v1/permit-warnings", tag = "permits",
    params(WarningQuery),
    responses((status = 200, body = Vec<PermitWarning>)))]
pub async fn warnings(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(q): ApiQuery<WarningQuery>,
) -> ApiResult<Json<Vec<PermitWarning>>> {
    Ok(Json(
        permits::warnings(&state.store, &auth.actor(), &ctx, q.limit.unwrap_or(200)).await?,
    ))
}
