//! Permit pages: an entity's permits (reached from the entity page) with the QR codes of its
//! business licence and of each permit, the forms to issue, renew, revoke and cancel, the
//! expiry warnings, and the permit-item catalogue. The checks are storage's.

use super::{chrome, render, Chrome};
use crate::api::permits::{
    apply_change, full_url, issue_permit, IssueRequest, PermitChangeRequest,
};
use crate::auth::{Auth, Ctx, PageAuth};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use shijian_domain::role::Permission;
use shijian_storage::permits::{self, Permit, PermitItem, PermitWarning};
use shijian_storage::{entities, RequestCtx};

/// This module's pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/entities/{uscc}/permits", get(entity_permits).post(issue))
        .route("/entities/{uscc}/licence-qr.svg", get(licence_qr))
        .route("/permits/{id}/qr.svg", get(permit_qr))
        .route("/permits/{id}/status", post(change))
        .route("/permit-warnings", get(warnings))
        .route("/permit-items", get(catalogue))
}

fn api_auth(auth: &PageAuth) -> Auth {
    Auth(auth.0.clone())
}

/// A path segment: alphanumerics, `-` and `_` kept, everything else percent-encoded, so a
/// redirect cannot be steered.
fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The QR code of `text` as SVG.
fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(160, 160)
                .build()
        })
        .unwrap_or_default()
}

fn svg_response(svg: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

struct PermitRow {
    p: Permit,
    url: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "permits.html")]
struct PermitsPage {
    chrome: Chrome,
    uscc: String,
    name: String,
    status_label: String,
    licence_url: String,
    licence_qr: String,
    permits: Vec<PermitRow>,
    items: Vec<PermitItem>,
    can_register: bool,
    message: Option<String>,
    error: Option<String>,
    today: String,
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &PageAuth,
    ctx: &RequestCtx,
    uscc: &str,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let actor = auth.actor();
    let entity = match entities::get(&state.store, &actor, ctx, uscc).await {
        Ok(e) => e,
        Err(e) => return message_page(state, auth, e.into()).await,
    };
    let list = match permits::for_entity(&state.store, &actor, ctx, uscc).await {
        Ok(l) => l,
        Err(e) => return message_page(state, auth, e.into()).await,
    };
    let licence_url = match permits::licence_link(&state.store, &actor, ctx, uscc).await {
        Ok(l) => full_url(state, &l),
        Err(e) => return message_page(state, auth, e.into()).await,
    };
    let mut rows = Vec::with_capacity(list.len());
    for p in list {
        let url = match permits::permit_link(&state.store, &actor, ctx, &p.id).await {
            Ok(l) => full_url(state, &l),
            Err(e) => return message_page(state, auth, e.into()).await,
        };
        rows.push(PermitRow {
            qr: qr_svg(&url),
            url,
            p,
        });
    }
    let items = permits::items(&state.store)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.active && i.reform_mode != "abolished")
        .collect();
    let status_label = shijian_domain::permit::licence_public_status(&entity.status).0;
    let p = PermitsPage {
        chrome: chrome(state, auth).await,
        uscc: entity.uscc,
        name: entity.name,
        status_label: status_label.to_owned(),
        licence_qr: qr_svg(&licence_url),
        licence_url,
        permits: rows,
        items,
        can_register: auth.0.user.role.can(Permission::RegisterEntities),
        message,
        error,
        today: state.store.clock().today().to_string(),
    };
    render(StatusCode::OK, &p)
}

async fn message_page(state: &AppState, auth: &PageAuth, e: ApiError) -> Response {
    let p = super::MessagePage {
        chrome: chrome(state, auth).await,
        heading: if e.status == StatusCode::NOT_FOUND {
            "对象不存在".into()
        } else {
            "无法完成".into()
        },
        text: e.detail,
    };
    render(e.status, &p)
}

pub(super) async fn entity_permits(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    let message = q.done.map(|d| match d.as_str() {
        "issue" => "许可证件已登记。".to_owned(),
        "renew" => "许可证件已延续。".to_owned(),
        "revoke" => "许可证件已吊销。".to_owned(),
        "cancel" => "许可证件已注销。".to_owned(),
        _ => "已完成。".to_owned(),
    });
    page(&state, &auth, &ctx, &uscc, message, None).await
}

fn form_date(label: &str, s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| format!("{label}不是有效日期（YYYY-MM-DD）"))
}

#[derive(Deserialize)]
pub(super) struct IssueForm {
    item_code: String,
    number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    remarks: String,
}

pub(super) async fn issue(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<IssueForm>,
) -> Response {
    let result = async {
        let req = IssueRequest {
            item_code: f.item_code,
            number: f.number,
            issued_on: form_date("发证日期", &f.issued_on)?,
            valid_until: form_date("有效期至", &f.valid_until)?,
            scope: f.scope,
            remarks: f.remarks,
        };
        issue_permit(&state, &api_auth(&auth), &ctx, &uscc, req)
            .await
            .map_err(|e| e.detail)
    }
    .await;
    match result {
        Ok(_) => {
            Redirect::to(&format!("/entities/{}/permits?done=issue", seg(&uscc))).into_response()
        }
        Err(detail) => page(&state, &auth, &ctx, &uscc, None, Some(detail)).await,
    }
}

#[derive(Deserialize)]
pub(super) struct ChangeForm {
    action: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    valid_until: String,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    reason: String,
    version: Option<i64>,
    confirm: Option<String>,
}

pub(super) async fn change(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    let permit = match permits::get(&state.store, &auth.actor(), &ctx, &id).await {
        Ok(p) => p,
        Err(e) => return message_page(&state, &auth, e.into()).await,
    };
    let action = f.action.clone();
    let result = async {
        if matches!(f.action.as_str(), "revoke" | "cancel") && f.confirm.as_deref() != Some("yes") {
            return Err("请先勾选确认，再提交。".to_owned());
        }
        let req = PermitChangeRequest {
            action: f.action,
            issued_on: form_date("发证日期", &f.issued_on)?,
            valid_until: form_date("有效期至", &f.valid_until)?,
            effective_on: form_date("生效日期", &f.effective_on)?,
            reason: Some(f.reason),
            version: f.version,
        };
        apply_change(&state, &api_auth(&auth), &ctx, &id, req)
            .await
            .map_err(|e| e.detail)
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!(
            "/entities/{}/permits?done={}",
            seg(&permit.uscc),
            seg(&action)
        ))
        .into_response(),
        Err(detail) => page(&state, &auth, &ctx, &permit.uscc, None, Some(detail)).await,
    }
}

pub(super) async fn licence_qr(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
) -> Response {
    match permits::licence_link(&state.store, &auth.actor(), &ctx, &uscc).await {
        Ok(l) => svg_response(qr_svg(&full_url(&state, &l))),
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub(super) async fn permit_qr(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(id): Path<String>,
) -> Response {
    match permits::permit_link(&state.store, &auth.actor(), &ctx, &id).await {
        Ok(l) => svg_response(qr_svg(&full_url(&state, &l))),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "permit_warnings.html")]
struct WarningsPage {
    chrome: Chrome,
    warnings: Vec<PermitWarning>,
    thresholds: String,
}

pub(super) async fn warnings(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
) -> Response {
    let list = match permits::warnings(&state.store, &auth.actor(), &ctx, 500).await {
        Ok(l) => l,
        Err(e) => return message_page(&state, &auth, e.into()).await,
    };
    let thresholds = permits::warning_thresholds(&state.store)
        .await
        .unwrap_or_default()
        .iter()
        .map(|d| format!("{d} 天"))
        .collect::<Vec<_>>()
        .join("、");
    let p = WarningsPage {
        chrome: chrome(&state, &auth).await,
        warnings: list,
        thresholds,
    };
    render(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "permit_items.html")]
struct CataloguePage {
    chrome: Chrome,
    items: Vec<PermitItem>,
}

pub(super) async fn catalogue(State(state): State<AppState>, auth: PageAuth) -> Response {
    match permits::items(&state.store).await {
        Ok(items) => {
            let p = CataloguePage {
                chrome: chrome(&state, &auth).await,
                items,
            };
            render(StatusCode::OK, &p)
        }
        Err(e) => message_page(&state, &auth, e.into()).await,
    }
}
