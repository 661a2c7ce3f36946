//! All routes in one place: the API (from `api::router`), the pages, operations endpoints,
//! the OpenAPI document and its human page, assets, and the middleware stack.

use crate::error::ApiError;
use crate::state::AppState;
use crate::{api, assets, auth, headers, idempotency, limits, metrics, public, ui};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The longest any request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a bulk import may run (a 300,000-row file takes minutes). Imports take no
/// Idempotency-Key, so the reservation rule above does not depend on this.
pub const IMPORT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Answers 408 when a request runs longer than its limit: [`REQUEST_TIMEOUT`], or
/// [`IMPORT_TIMEOUT`] for bulk imports.
async fn request_timeout(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    let limit = if path == "/api/v1/entity-imports" || path == "/entities/import" {
        IMPORT_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// The OpenAPI document of every `/api/v1` route.
#[must_use]
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| api::document(api::router().split_for_parts().1))
}

/// Builds the whole application.
pub fn build_router(state: AppState) -> Router {
    let (api_routes, _) = api::router().split_for_parts();
    let mut app = Router::new()
        .merge(api_routes)
        .merge(ui::router())
        .merge(public::router())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(api_docs))
        .route("/assets/{*path}", get(assets::serve));
    if state.config.test_hooks {
        app = app.route("/__test/sleep", get(test_sleep));
    }
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    app.fallback(fallback)
        .layer(from_fn_with_state(state.clone(), idempotency::idempotency))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn_with_state(state.clone(), limits::per_address))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(map_response(strip_server_details))
        .layer(from_fn_with_state(state.metrics.clone(), metrics::track))
        // No request outlives this; an idempotency reservation older than twice as long is
        // known to be abandoned (storage::idempotency::ABANDONED_AFTER).
        .layer(axum::middleware::from_fn(request_timeout))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

async fn strip_server_details(mut resp: Response) -> Response {
    resp.headers_mut().remove(header::SERVER);
    resp
}

async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::route_not_found().into_response()
    } else {
        (StatusCode::NOT_FOUND, Html(ui::not_found_page())).into_response()
    }
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = ?e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(state.store.backend_name()),
    )
        .into_response()
}

async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(openapi())
}

/// The human API page: Swagger UI, served from the binary.
async fn api_docs() -> Html<&'static str> {
    Html(include_str!("../templates/api_docs.html"))
}

#[derive(serde::Deserialize)]
struct SleepParams {
    ms: u64,
}

/// Test hook: a request that takes `ms` milliseconds (graceful-shutdown tests).
async fn test_sleep(Query(p): Query<SleepParams>) -> &'static str {
    tokio::time::sleep(Duration::from_millis(p.ms.min(30_000))).await;
    "slept"
}
