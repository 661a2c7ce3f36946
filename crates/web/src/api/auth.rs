//! `/api/v1/auth`: sign-in for API clients (bearer tokens), sign-out, the current user and
//! changing one's own password.

use super::users::UserView;
use super::ApiJson;
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::limits::{self, ClientAddr};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shijian_storage::sessions::{self, LoginFailure, SessionKind};
use shijian_storage::{totp, users};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The 6-digit code of the authenticator app (or an unused recovery code), required
    /// once a second factor is enrolled.
    pub otp: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`. Shown once; only its hash is stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
    /// `full`; `enrol_totp` (only second-factor enrolment is allowed until it is done) or
    /// `change_password` (the password expired and must be changed first).
    pub stage: String,
}

/// The one answer for every failed sign-in, whatever the reason.
/// The one answer for every failed sign-in, whatever the reason; or the request for the
/// second factor when the password was right and the code is missing.
pub(crate) fn login_failed(f: LoginFailure) -> ApiError {
    match f {
        LoginFailure::OtpRequired => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "otp_required",
            "请输入动态口令（验证器 App 中的 6 位数字）",
        ),
        LoginFailure::BadCredentials | LoginFailure::Locked => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "用户名或密码错误，或账户已被锁定",
        ),
    }
}

/// Sign in and receive an API token.
#[utoipa::path(operation_id = "auth_login", post, path = "/api/v1/auth/login", tag = "auth", security(),
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, Response> {
    limits::check_login(&state, &addr, req.username.trim()).map_err(limits::too_many)?;
    let outcome = sessions::login(
        &state.store,
        &ctx,
        req.username.trim(),
        &req.password,
        req.otp.as_deref(),
        SessionKind::Api,
        &state.config.session_policy,
    )
    .await
    .map_err(|e| ApiError::from(e).into_response())?;
    let s = outcome.map_err(|f| login_failed(f).into_response())?;
    Ok(Json(LoginResponse {
        token: s.token,
        expires_at: s.expires_at,
        user: s.user.into(),
        stage: s.stage.as_str().to_owned(),
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpEnrolRequest {
    /// Re-authentication: the current password.
    pub current_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolResponse {
    /// The secret in base32, to type into an authenticator app.
    pub secret: String,
    /// The `otpauth://` URI the QR code carries.
    pub otpauth_uri: String,
    /// The QR code as SVG.
    pub qr_svg: String,
}

/// The QR code of an `otpauth://` URI as SVG.
pub(crate) fn qr_svg(uri: &str) -> String {
    qrcode::QrCode::new(uri.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

/// Start enrolling a second factor (TOTP): returns the secret and its QR code.
#[utoipa::path(post, operation_id = "auth_totp_enrol", path = "/api/v1/auth/totp/enroll", tag = "auth",
    request_body = TotpEnrolRequest,
    responses((status = 200, body = TotpEnrolResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn totp_enrol(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<TotpEnrolRequest>,
) -> ApiResult<Json<TotpEnrolResponse>> {
    let e = totp::begin_enrolment(&state.store, &auth.actor(), &ctx, req.current_password).await?;
    Ok(Json(TotpEnrolResponse {
        qr_svg: qr_svg(&e.otpauth_uri),
        secret: e.secret,
        otpauth_uri: e.otpauth_uri,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpConfirmRequest {
    /// The code the authenticator shows now.
    pub otp: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpConfirmResponse {
    /// One-time recovery codes, shown only now.
    pub recovery_codes: Vec<String>,
}

/// Confirm the second factor with a first code; returns recovery codes (shown once).
#[utoipa::path(post, operation_id = "auth_totp_confirm", path = "/api/v1/auth/totp/confirm", tag = "auth",
    request_body = TotpConfirmRequest,
    responses((status = 200, body = TotpConfirmResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<TotpConfirmRequest>,
) -> ApiResult<Json<TotpConfirmResponse>> {
    let recovery_codes = totp::confirm_enrolment(
        &state.store,
        &auth.actor(),
        &ctx,
        &req.otp,
        &auth.0.token_hash,
    )
    .await?;
    Ok(Json(TotpConfirmResponse { recovery_codes }))
}
