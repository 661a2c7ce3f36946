//! The `Idempotency-Key` middleware for POST requests of authenticated API clients: the
//! same key and request twice give one change (and one audit record, one event) and the
//! same response; the same key with another request is refused. The reservation protocol
//! is `shijian_storage::idempotency`.

use crate::auth::{CurrentSession, IdempotencyRef};
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use shijian_storage::idempotency::{self, Reservation};

const MAX_BODY: usize = 4 << 20;

pub(crate) async fn idempotency(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let session = req
        .extensions()
        .get::<CurrentSession>()
        .and_then(|s| s.0.clone());
    // Sign-in and token responses carry tokens, which must never be stored: they are not replayed.
    let path = req.uri().path();
    // Imports are idempotent by nature (an upsert by credit code; a repeat is "unchanged")
    // and their bodies are too large to keep.
    let applies = req.method() == Method::POST
        && !path.starts_with("/api/v1/auth/")
        && !path.ends_with("/tokens")
        && path != "/api/v1/entity-imports";
    let (Some(key), Some(session), true) = (key, session, applies) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 200 {
        return ApiError::bad_request("bad_idempotency_key", "Idempotency-Key 应为 1–200 个字符")
            .into_response();
    }
    let principal = session.user.id.to_string();
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "请求体过大",
        )
        .into_response();
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b" ");
    h.update(parts.uri.to_string());
    h.update(b"\n");
    h.update(&bytes);
    let fingerprint = hex::encode(h.finalize());
    let store = &state.store;
    match idempotency::reserve(store, &principal, &key, &fingerprint).await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Reservation::Replay {
            status,
            content_type,
            body,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut resp = (status, body).into_response();
            if let Ok(ct) = HeaderValue::from_str(&content_type) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            resp
        }
        Ok(Reservation::Mismatch) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一个不同的请求",
        )
        .into_response(),
        Ok(Reservation::InProgress) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_in_progress",
            "使用该 Idempotency-Key 的请求仍在处理中，请稍后重试",
        )
        .into_response(),
        Ok(Reservation::AppliedWithoutResponse) => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_applied",
            "该请求已经生效，但原响应未能保存；请查询对象的当前状态，不要重复提交",
        )
        .into_response(),
        Ok(Reservation::New) => {
            parts
                .extensions
                .insert(IdempotencyRef(principal.clone(), key.clone()));
            let resp = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let (rparts, rbody) = resp.into_parts();
            let Ok(rbytes) = to_bytes(rbody, MAX_BODY).await else {
                let _ = idempotency::release(store, &principal, &key).await;
                return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "响应过大")
                    .into_response();
            };
            let saved = if rparts.status.is_server_error() {
                // Nothing was committed unless the change's transaction marked it applied;
                // release() only removes a reservation still pending.
                idempotency::release(store, &principal, &key).await
            } else {
                let ct = rparts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/json");
                let body = String::from_utf8_lossy(&rbytes);
                idempotency::complete(store, &principal, &key, rparts.status.as_u16(), ct, &body)
                    .await
            };
            if let Err(e) = saved {
                tracing::error!(error = ?e, "could not store idempotent response");
            }
            Response::from_parts(rparts, Body::from(rbytes))
        }
    }
}
