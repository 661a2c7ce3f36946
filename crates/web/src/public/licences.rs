//! Licence verification: the public page a licence's or permit's QR code opens. No sign-in;
//! the link's signature is the authority. A signature that does not check (tampered, or a
//! retired or unknown key) answers 400 and says nothing about the entity; a valid one shows
//! the current status (有效 / 已过期 / 已吊销 / 已注销 …) with public registration facts only.
//! `Accept: application/json`, or `.json` after the identifier, answers JSON.

use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::render;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use shijian_storage::permits::{self, PublicStatus};
use shijian_storage::StoreError;

/// The verification routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/public/licences/{kind}/{id}", get(verify))
}

#[derive(Deserialize)]
struct LinkQuery {
    k: Option<String>,
    s: Option<String>,
}

#[derive(Template)]
#[template(path = "public_licence.html")]
struct LicencePage {
    status: PublicStatus,
}

#[derive(Template)]
#[template(path = "public_licence_invalid.html")]
struct InvalidPage {
    heading: &'static str,
    text: &'static str,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

async fn verify(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    Query(q): Query<LinkQuery>,
    headers: HeaderMap,
) -> Response {
    let (id, json) = match id.strip_suffix(".json") {
        Some(bare) => (bare.to_owned(), true),
        None => (id, wants_json(&headers)),
    };
    let result = permits::public_status(
        &state.store,
        &kind,
        &id,
        q.k.as_deref().unwrap_or_default(),
        q.s.as_deref().unwrap_or_default(),
    )
    .await;
    let mut resp = match result {
        Ok(status) if json => Json(status).into_response(),
        Ok(status) => render(StatusCode::OK, &LicencePage { status }),
        Err(e) => refusal(e, json),
    };
    // The status can change at any time: never serve it from a cache.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

fn refusal(e: StoreError, json: bool) -> Response {
    let (status, heading, text) = match &e {
        StoreError::Invalid { code, .. } if *code == "bad_link_signature" => (
            StatusCode::BAD_REQUEST,
            "链接签名无效，可能被篡改",
            "此二维码链接未能通过核验，无法显示证照信息。请以登记机关或国家企业信用信息公示系统公示的信息为准。",
        ),
        StoreError::NotFound => (
            StatusCode::NOT_FOUND,
            "未找到证照信息",
            "该证照记录不存在。请以登记机关或国家企业信用信息公示系统公示的信息为准。",
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法核验",
            "证照核验服务暂时不可用，请稍后再试。",
        ),
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!(error = ?e, "licence verification failed");
    }
    if json {
        let code = match status {
            StatusCode::BAD_REQUEST => "bad_link_signature",
            StatusCode::NOT_FOUND => "not_found",
            _ => "unavailable",
        };
        return ApiError::new(status, code, heading).into_response();
    }
    render(status, &InvalidPage { heading, text })
}
