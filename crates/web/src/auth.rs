//! Authentication and CSRF. The `authenticate` middleware resolves the session once per
//! request (bearer token or session cookie) and, for state changes authenticated by
//! cookie, requires the session's CSRF token (header `X-CSRF-Token` or form field
//! `csrf_token`). Handlers then take [`Auth`] (API: 401 problem) or [`PageAuth`] (UI:
//! redirect to the login page), and [`Ctx`] for the request's id and idempotency key.

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use shijian_storage::sessions::{self, SessionStage, SessionUser};
use shijian_storage::{Actor, AuditResult, Change, RequestCtx};

/// The session resolved for this request, if any.
#[derive(Clone)]
pub(crate) struct CurrentSession(pub Option<SessionUser>);

/// The idempotency reservation this request holds, if any.
#[derive(Clone)]
pub(crate) struct IdempotencyRef(pub String, pub String);

/// Reads one cookie from the request headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The request id for the audit trail: the one set for this request (a UUID, or a
/// well-formed one the client sent: up to 64 letters, digits and dashes), never arbitrary
/// client text.
pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// Form bodies larger than this are refused before the CSRF check reads them.
const MAX_FORM: usize = 1 << 20;

/// Resolves the session and enforces CSRF on cookie-authenticated state changes.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let (token, via_cookie) = match bearer(&parts.headers) {
        Some(t) => (Some(t.to_owned()), false),
        None => (
            cookie(&parts.headers, state.session_cookie()).map(str::to_owned),
            true,
        ),
    };
    let session = match token {
        Some(t) => {
            match sessions::authenticate(&state.store, &t, &state.config.session_policy).await {
                Ok(s) => s,
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
        None => None,
    };
    let mut body = body;
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if let (true, true, Some(s)) = (unsafe_method, via_cookie, &session) {
        let (ok, rebuilt) = csrf_ok(&parts.headers, body, &s.csrf_token).await;
        body = rebuilt;
        if !ok {
            let ctx = RequestCtx {
                request_id: request_id(&parts.headers),
                idempotency: None,
            };
            let change = Change {
                action: "auth.csrf",
                object_type: "request",
                object_id: parts.uri.path().to_owned(),
                jurisdiction_code: s.user.jurisdiction_code.clone(),
                result: AuditResult::Denied,
                after: None,
            };
            if let Err(e) = state.store.audit_only(&s.user.actor(), &ctx, change).await {
                return ApiError::from(e).into_response();
            }
            return ApiError::csrf().into_response();
        }
    }
    if let Some(s) = &session {
        if s.stage != SessionStage::Full && !allowed_while_restricted(parts.uri.path()) {
            return restricted(parts.uri.path(), s.stage);
        }
    }
    parts.extensions.insert(CurrentSession(session));
    next.run(Request::from_parts(parts, body)).await
}

/// What a restricted session (second factor to enrol, password to change) may reach.
fn allowed_while_restricted(path: &str) -> bool {
    const ALLOWED: [&str; 10] = [
        "/api/v1/auth/me",
        "/api/v1/auth/logout",
        "/api/v1/auth/password",
        "/api/v1/auth/totp/enroll",
        "/api/v1/auth/totp/confirm",
        "/account",
        "/account/password",
        "/account/totp",
        "/account/totp/confirm",
        "/logout",
    ];
    ALLOWED.contains(&path)
        || path.starts_with("/assets/")
        || path == "/public"
        || path.starts_with("/public/")
        || matches!(path, "/healthz" | "/readyz" | "/login")
}

fn restricted(path: &str, stage: SessionStage) -> Response {
    if !path.starts_with("/api/") {
        return Redirect::to("/account").into_response();
    }
    match stage {
        SessionStage::ChangePassword => ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "password_expired",
            "密码已过期，请先修改密码（POST /api/v1/auth/password）",
        ),
        _ => ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "totp_enrolment_required",
            "您的角色要求动态口令，请先完成绑定（POST /api/v1/auth/totp/enroll）",
        ),
    }
    .into_response()
}

/// Checks the CSRF token from the header or, for a form, the `csrf_token` field. Returns
/// the body (re-assembled after reading a form).
async fn csrf_ok(headers: &HeaderMap, body: Body, expected: &str) -> (bool, Body) {
    if let Some(h) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return (constant_eq(h, expected), body);
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (false, body);
    }
    let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
        return (false, Body::empty());
    };
    let ok = form_field(&bytes, "csrf_token").is_some_and(|v| constant_eq(&v, expected));
    (ok, Body::from(bytes))
}

/// One field of an urlencoded form.
pub(crate) fn form_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An authenticated API caller; without a session the request fails with 401.
pub struct Auth(pub SessionUser);

impl Auth {
    #[must_use]
    pub fn actor(&self) -> Actor {
        self.0.user.actor()
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentSession>() {
            Some(CurrentSession(Some(s))) => Ok(Auth(s.clone())),
            _ => Err(ApiError::unauthorized()),
        }
    }
}

/// An authenticated staff member on a web page; without a session, a redirect to login.
pub struct PageAuth(pub SessionUser);

impl PageAuth {
    #[must_use]
    pub fn actor(&self) -> Actor {
        self.0.user.actor()
    }
}

impl FromRequestParts<AppState> for PageAuth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentSession>() {
            Some(CurrentSession(Some(s))) => Ok(PageAuth(s.clone())),
            _ => Err(Redirect::to("/login").into_response()),
        }
    }
}

/// The request's context for storage: its id and idempotency reservation.
pub struct Ctx(pub RequestCtx);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let idempotency = parts
            .extensions
            .get::<IdempotencyRef>()
            .map(|r| (r.0.clone(), r.1.clone()));
        Ok(Ctx(RequestCtx {
            request_id: request_id(&parts.headers),
            idempotency,
        }))
    }
}
