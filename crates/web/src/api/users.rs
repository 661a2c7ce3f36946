//! `/api/v1/users`: accounts, their lifecycle and their role and jurisdiction. Who may do
//! what is decided in storage by the permission matrix; these handlers only translate.

use super::{parse_cursor, ApiJson, ApiPath, ApiQuery, Page, DEFAULT_LIMIT};
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shijian_domain::role::Role;
use shijian_storage::users::{self, NewUser, User, UserFilter};
use utoipa::{IntoParams, ToSchema};

/// A user account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// `system_admin`, `audit_admin`, `security_admin`, `leader`, `officer`, `enterprise` or `integration`.
    pub role: String,
    pub role_label: String,
    pub jurisdiction_code: String,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    /// A second factor is enrolled.
    pub totp_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role.as_str().to_owned(),
            role_label: u.role.label().to_owned(),
            jurisdiction_code: u.jurisdiction_code,
            disabled: u.disabled,
            locked_until: u.locked_until,
            totp_enabled: u.totp_enabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

pub(crate) fn parse_role(s: &str) -> Result<Role, ApiError> {
    s.parse().map_err(|e: shijian_domain::role::UnknownRole| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_role",
            e.to_string(),
        )
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size (1–500, default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Part of the username or name.
    pub q: Option<String>,
}

/// Accounts inside the caller's jurisdiction.
#[utoipa::path(operation_id = "users_list", get, path = "/api/v1/users", tag = "users", params(ListParams),
    responses((status = 200, body = Page<UserView>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<UserView>>> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 500);
    let filter = UserFilter {
        after_id: parse_cursor(p.cursor.as_deref())?,
        limit,
        query: p.q,
    };
    let items = users::list(&state.store, &auth.actor(), &ctx, &filter).await?;
    let items: Vec<UserView> = items.into_iter().map(Into::into).collect();
    Ok(Json(Page::new(items, limit, |u| u.id.to_string())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// A jurisdiction code or its Chinese name.
    pub jurisdiction: String,
    pub password: String,
}

/// Create an account.
#[utoipa::path(operation_id = "users_create", post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    responses((status = 201, body = UserView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        role: parse_role(&req.role)?,
        jurisdiction: req.jurisdiction,
        password: req.password,
    };
    let user = users::create(
        &state.store,
        &auth.actor(),
        &ctx,
        new,
        &state.config.password_policy,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// One account (404 outside the caller's jurisdiction).
#[utoipa::path(operation_id = "users_get", get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        users::get(&state.store, &auth.actor(), &ctx, id)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    pub role: Option<String>,
    /// A jurisdiction code or its Chinese name.
    pub jurisdiction: Option<String>,
}

/// Change an account's role and/or jurisdiction (security administrator).
#[utoipa::path(operation_id = "users_assign", patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    request_body = AssignRequest,
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<Json<UserView>> {
    let role = req.role.as_deref().map(parse_role).transpose()?;
    let user = users::assign(
        &state.store,
        &auth.actor(),
        &ctx,
        id,
        role,
        req.jurisdiction,
    )
    .await?;
    Ok(Json(user.into()))
}

/// Disable an account; its sessions end at once.
#[utoipa::path(operation_id = "users_disable", post, path = "/api/v1/users/{id}/disable", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        users::set_disabled(&state.store, &auth.actor(), &ctx, id, true)
            .await?
            .into(),
    ))
}

/// Enable a disabled account.
#[utoipa::path(operation_id = "users_enable", post, path = "/api/v1/users/{id}/enable", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        users::set_disabled(&state.store, &auth.actor(), &ctx, id, false)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    pub password: String,
}

/// Set a new password for an account (system administrator); its sessions end.
#[utoipa::path(operation_id = "users_reset_password", post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)),
    request_body = ResetPasswordRequest,
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> ApiResult<Json<UserView>> {
    let user = users::reset_password(
        &state.store,
        &auth.actor(),
        &ctx,
        id,
        req.password,
        &state.config.password_policy,
    )
    .await?;
    Ok(Json(user.into()))
}

/// Remove an account's second factor so it enrols again (security administrator); its
/// sessions end.
#[utoipa::path(post, operation_id = "users_totp_reset", path = "/api/v1/users/{id}/totp/reset", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn totp_reset(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        shijian_storage::totp::reset(&state.store, &auth.actor(), &ctx, id)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueTokenRequest {
    /// Validity in days (1–730).
    pub days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// Send as `Authorization: Bearer TOKEN`. Shown once; only its hash is stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Issue an API token to a machine client (an `integration` account; system administrator).
/// Such tokens do not idle out; they end at expiry, on revocation or when the account is disabled.
#[utoipa::path(post, operation_id = "users_issue_token", path = "/api/v1/users/{id}/tokens", tag = "users", params(("id" = i64, Path)),
    request_body = IssueTokenRequest,
    responses((status = 201, body = IssuedToken), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_token(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<IssueTokenRequest>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let (token, expires_at) =
        shijian_storage::sessions::issue_token(&state.store, &auth.actor(), &ctx, id, req.days)
            .await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { token, expires_at })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

/// Revoke every token issued to an account (system administrator).
#[utoipa::path(post, operation_id = "users_revoke_tokens", path = "/api/v1/users/{id}/tokens/revoke", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = RevokedTokens), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RevokedTokens>> {
    let revoked =
        shijian_storage::sessions::revoke_tokens(&state.store, &auth.actor(), &ctx, id).await?;
    Ok(Json(RevokedTokens { revoked }))
}
