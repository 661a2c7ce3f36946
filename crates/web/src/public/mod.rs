//! The public disclosure portal under `/public`: search by name or credit code, and an
//! entity's public page with its registered items, status, list status with the reason,
//! the public parts of its annual reports and its permits. No sign-in; rate-limited per
//! address (`RateLimits::public_per_address`); served on the staff listener and, with
//! `--public-listen`, on a listener of its own that serves nothing else
//! ([`public_router`]).
//!
//! Invariants: every item shown passes through the disclosure policy
//! (`shijian_domain::disclosure`), which masks an individual business's operator and
//! premises and never shows ID numbers or phone numbers; complainants and
//! whistleblowers are not in any table this module reads.

mod licences;

use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shijian_domain::disclosure;
use shijian_domain::entity::{EnterpriseType, EntityKind, EntityStatus};
use shijian_domain::money::Fen;
use shijian_storage::annual_reports::{self, PublicReport};
use shijian_storage::entity_index::SearchParams;
use shijian_storage::listings::{self, PublicEntry};
use shijian_storage::{Actor, RequestCtx};

/// Every `/public` route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/public", get(index))
        .route("/public/entities/{uscc}", get(entity_page))
        .route("/public/api/entities/{uscc}", get(entity_json))
        .merge(licences::router())
}

/// The router of a public-only listener: the portal, its assets and health checks.
pub fn public_router(state: AppState) -> Router {
    Router::new()
        .merge(router())
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/public") }),
        )
        .route("/assets/{*path}", get(crate::assets::serve))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "未找到") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::per_address,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::headers::security_headers,
        ))
        .with_state(state)
}

/// One registered item as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ShownItem {
    pub label: &'static str,
    pub value: String,
}

/// An entity as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicEntity {
    pub uscc: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    /// The registered items the disclosure policy shows, masked where it says so.
    pub items: Vec<ShownItem>,
    /// `经营异常名录`, `经营异常状态`, `严重违法失信名单` while an entry is open.
    pub list_status: Option<String>,
    pub list_entries: Vec<PublicEntry>,
    pub annual_reports: Vec<PublicReport>,
    pub permits: Vec<PublicPermitRow>,
    /// The signed verification link of the business licence (what its QR code carries).
    pub licence_link: Option<String>,
}

/// A permit as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicPermitRow {
    pub item: String,
    pub number: String,
    pub department: String,
    pub issued_on: String,
    pub valid_until: Option<String>,
    pub status: String,
}

fn ctx() -> RequestCtx {
    RequestCtx::local("public")
}

/// Reads an entity for the public: `None` when there is none.
async fn public_entity(state: &AppState, uscc: &str) -> Result<Option<PublicEntity>, Response> {
    let store = &state.store;
    let e = match shijian_storage::entities::get(store, &Actor::public_portal(), &ctx(), uscc).await
    {
        Ok(e) => e,
        Err(shijian_storage::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(crate::error::ApiError::from(e).into_response()),
    };
    let kind = EntityKind::from_code(&e.entity_type).unwrap_or(EntityKind::Enterprise);
    let status = EntityStatus::from_code(&e.status)
        .map(|s| s.label_zh().to_owned())
        .unwrap_or_else(|| e.status.clone());
    let type_label = e
        .enterprise_type
        .as_deref()
        .and_then(EnterpriseType::from_code)
        .map_or_else(|| kind.label_zh().to_owned(), |t| t.label_zh().to_owned());
    let capital = e
        .registered_capital_fen
        .map(|f| format!("{}万元", Fen::new(f).to_wan_yuan_string()))
        .unwrap_or_default();
    let values: [(&str, String); 10] = [
        ("name", e.name.clone()),
        ("uscc", e.uscc.clone()),
        ("enterprise_type", type_label),
        ("legal_rep", e.legal_rep.clone()),
        ("domicile", e.domicile.clone()),
        ("registered_capital", capital),
        (
            "established_on",
            e.established_on.clone().unwrap_or_default(),
        ),
        ("business_scope", e.business_scope.clone()),
        ("registration_authority", e.registration_authority.clone()),
        ("status", status.clone()),
    ];
    let items = disclosure::policy(kind)
        .iter()
        .filter_map(|item| {
            let value = values.iter().find(|(k, _)| *k == item.key)?;
            disclosure::disclose(kind, item.key, &value.1)
                .filter(|v| !v.is_empty())
                .map(|v| ShownItem {
                    label: item.label_zh,
                    value: v,
                })
        })
        .collect();
    let map = |e: shijian_storage::StoreError| crate::error::ApiError::from(e).into_response();
    let list_entries = listings::public_of_entity(store, uscc).await.map_err(map)?;
    let list_status = list_entries
        .iter()
        .filter(|e| e.removed_on.is_none())
        .map(|e| e.list.clone())
        .max_by_key(|l| l == "严重违法失信名单");
    let annual_reports = annual_reports::public_of_entity(store, uscc, kind)
        .await
        .map_err(map)?;
    let actor = Actor::public_portal();
    let permits = shijian_storage::permits::for_entity(store, &actor, &ctx(), uscc)
        .await
        .map_err(map)?
        .into_iter()
        .map(|p| PublicPermitRow {
            item: p.item_name,
            number: p.number,
            department: p.department,
            issued_on: p.issued_on,
            valid_until: p.valid_until,
            status: p.status_label,
        })
        .collect();
    let licence_link = shijian_storage::permits::licence_link(store, &actor, &ctx(), uscc)
        .await
        .ok()
        .map(|l| l.path);
    Ok(Some(PublicEntity {
        uscc: e.uscc,
        name: e.name,
        kind: kind.label_zh().to_owned(),
        status,
        items,
        list_status,
        list_entries,
        annual_reports,
        permits,
        licence_link,
    }))
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// A search hit as the public sees it.
struct PublicHit {
    uscc: String,
    name: String,
    kind: &'static str,
    status: String,
    listed: bool,
}

#[derive(Template)]
#[template(path = "public_index.html")]
struct IndexPage {
    q: String,
    searched: bool,
    total: usize,
    hits: Vec<PublicHit>,
    error: Option<String>,
}

/// The portal's search page.
async fn index(State(state): State<AppState>, Query(q): Query<SearchQuery>) -> Response {
    let text = q.q.trim().chars().take(60).collect::<String>();
    let mut page = IndexPage {
        q: text.clone(),
        searched: !text.is_empty(),
        total: 0,
        hits: Vec::new(),
        error: None,
    };
    if page.searched {
        if text.chars().count() < 2 {
            page.error = Some("请输入至少两个字的名称或统一社会信用代码".to_owned());
        } else {
            let params = SearchParams {
                q: text,
                limit: 20,
                ..SearchParams::default()
            };
            let found = match state.entity_index.catch_up(&state.store).await {
                Ok(_) => {
                    state
                        .entity_index
                        .search(&state.store, &Actor::public_portal(), &ctx(), &params)
                        .await
                }
                Err(e) => Err(e),
            };
            match found {
                Ok((p, docs)) => {
                    page.total = p.total;
                    page.hits = docs
                        .into_iter()
                        .map(|d| PublicHit {
                            kind: EntityKind::from_code(&d.entity_type)
                                .map_or("", EntityKind::label_zh),
                            status: EntityStatus::from_code(&d.status)
                                .map(|s| s.label_zh().to_owned())
                                .unwrap_or(d.status),
                            listed: !d.listing.is_empty(),
                            uscc: d.uscc,
                            name: d.name,
                        })
                        .collect();
                }
                Err(e) => page.error = Some(e.to_string()),
            }
        }
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "public_entity.html")]
struct EntityPage {
    e: PublicEntity,
}

/// An entity's public page.
async fn entity_page(State(state): State<AppState>, Path(uscc): Path<String>) -> Response {
    match public_entity(&state, &uscc).await {
        Ok(Some(e)) => render(&EntityPage { e }),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            Html("<!doctype html><meta charset=utf-8><title>未找到</title><p>未找到该市场主体。<a href=\"/public\">返回查询</a></p>"),
        )
            .into_response(),
        Err(r) => r,
    }
}

/// An entity's public information as JSON (the same content as the page).
async fn entity_json(State(state): State<AppState>, Path(uscc): Path<String>) -> Response {
    match public_entity(&state, &uscc).await {
        Ok(Some(e)) => Json(e).into_response(),
        Ok(None) => crate::error::ApiError::not_found().into_response(),
        Err(r) => r,
    }
}

fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "public template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
