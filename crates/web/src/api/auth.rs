//! `/api/v1/auth`: sign-in for API clients (bearer tokens), sign-out, the current user and
//! changing one's own password.

use super::users::UserView;
use super::ApiJson;
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shijian_storage::sessions::{self, SessionKind};
use shijian_storage::users;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`. Shown once; only its hash is stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// The one answer for every failed sign-in, whatever the reason.
pub(crate) fn login_failed() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "login_failed",
        "用户名或密码错误，或账户已被锁定",
    )
}

/// Sign in and receive an API token.
#[utoipa::path(operation_id = "auth_login", post, path = "/api/v1/auth/login", tag = "auth", security(),
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let outcome = sessions::login(
        &state.store,
        &ctx,
        req.username.trim(),
        &req.password,
        SessionKind::Api,
        &state.config.session_policy,
    )
    .await?;
    let s = outcome.map_err(|_| login_failed())?;
    Ok(Json(LoginResponse {
        token: s.token,
        expires_at: s.expires_at,
        user: s.user.into(),
    }))
}

/// Sign out: the token stops working at once.
#[utoipa::path(operation_id = "auth_logout", post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
) -> ApiResult<StatusCode> {
    sessions::logout(&state.store, &auth.0, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(operation_id = "auth_me", get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = UserView), (status = 401, body = Problem)))]
pub async fn me(auth: Auth) -> Json<UserView> {
    Json(auth.0.user.into())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password (the current one is required). Other sessions end.
#[utoipa::path(operation_id = "auth_change_password", post, path = "/api/v1/auth/password", tag = "auth",
    request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    users::change_own_password(
        &state.store,
        &auth.actor(),
        &ctx,
        req.current_password,
        req.new_password,
        &state.config.password_policy,
        Some(auth.0.token_hash.clone()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
