//! Annual reports, the abnormal operations list and its removal, and decision documents
//! (issue #6 items 3–4). Thin: each handler calls one storage operation.

use super::{ApiJson, ApiPath};
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use shijian_storage::annual_reports::{self, AnnualReport, Filing};
use shijian_storage::documents::{self, DocumentInfo};
use shijian_storage::listings::{self, ListEntry, NewListing, RemovalApplication, RemovalDecision};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's `/api/v1` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_report, reports))
        .routes(routes!(record_listing, entity_lists))
        .routes(routes!(apply_removal))
        .routes(routes!(decide_removal))
        .routes(routes!(pending_removals))
        .routes(routes!(entity_documents))
        .routes(routes!(document_pdf))
        .routes(routes!(open_enterprise_account))
}

/// The initial password of an enterprise account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseAccountRequest {
    /// Handed to the enterprise on paper; it must be changed at first sign-in.
    pub initial_password: String,
}

/// Open the entity's own `enterprise` account (username: its credit code in lower case),
/// with which it files annual reports and applies for removal from the abnormal list.
#[utoipa::path(operation_id = "entities_open_enterprise_account", post, path = "/api/v1/entities/{uscc}/enterprise-account", tag = "lists",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = EnterpriseAccountRequest,
    responses((status = 201, body = super::users::UserView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open_enterprise_account(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<EnterpriseAccountRequest>,
) -> ApiResult<(StatusCode, Json<super::users::UserView>)> {
    let user = shijian_storage::users::open_enterprise_account(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        req.initial_password,
        &state.config.password_policy,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// File (or, until 30 June, correct) the annual report of an entity: its own enterprise
/// account or an officer of its jurisdiction.
#[utoipa::path(operation_id = "annual_reports_file", post, path = "/api/v1/entities/{uscc}/annual-reports", tag = "lists",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = Filing,
    responses((status = 201, body = AnnualReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn file_report(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(filing): ApiJson<Filing>,
) -> ApiResult<(StatusCode, Json<AnnualReport>)> {
    let r = annual_reports::file(&state.store, &auth.actor(), &ctx, &uscc, filing).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Every annual report of an entity, all revisions, newest first.
#[utoipa::path(operation_id = "annual_reports_list", get, path = "/api/v1/entities/{uscc}/annual-reports", tag = "lists",
    params(("uscc" = String, Path)),
    responses((status = 200, body = Vec<AnnualReport>), (status = 404, body = Problem)))]
pub async fn reports(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
) -> ApiResult<Json<Vec<AnnualReport>>> {
    Ok(Json(
        annual_reports::of_entity(&state.store, &auth.actor(), &ctx, &uscc).await?,
    ))
}

/// An entity's list entries and removal applications.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityLists {
    pub entries: Vec<ListEntry>,
    pub removal_applications: Vec<RemovalApplication>,
}

/// An officer lists an entity in the abnormal operations list on a ground other than the
/// annual report (individual businesses are marked abnormal instead). The decision
/// document is issued at once.
#[utoipa::path(operation_id = "lists_record", post, path = "/api/v1/entities/{uscc}/list-entries", tag = "lists",
    params(("uscc" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = NewListing,
    responses((status = 201, body = ListEntry), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_listing(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(req): ApiJson<NewListing>,
) -> ApiResult<(StatusCode, Json<ListEntry>)> {
    let e = listings::record(&state.store, &auth.actor(), &ctx, &uscc, req).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// An entity's list entries (abnormal list, abnormal mark, serious list) and its removal
/// applications.
#[utoipa::path(operation_id = "lists_of_entity", get, path = "/api/v1/entities/{uscc}/list-entries", tag = "lists",
    params(("uscc" = String, Path)),
    responses((status = 200, body = EntityLists), (status = 404, body = Problem)))]
pub async fn entity_lists(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
) -> ApiResult<Json<EntityLists>> {
    let (entries, removal_applications) =
        listings::of_entity(&state.store, &auth.actor(), &ctx, &uscc).await?;
    Ok(Json(EntityLists {
        entries,
        removal_applications,
    }))
}

/// A removal application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovalRequest {
    /// What was done to cure the ground (for the annual-report ground the filed report
    /// is the proof and this may be empty).
    #[serde(default)]
    pub statement: String,
}

/// Apply to be removed from a list entry once its ground is cured.
#[utoipa::path(operation_id = "lists_apply_removal", post, path = "/api/v1/entities/{uscc}/list-entries/{id}/removal-applications", tag = "lists",
    params(("uscc" = String, Path), ("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = RemovalRequest,
    responses((status = 201, body = RemovalApplication), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn apply_removal(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath((uscc, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<RemovalRequest>,
) -> ApiResult<(StatusCode, Json<RemovalApplication>)> {
    let a = listings::apply_for_removal(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        &id,
        &req.statement,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Decide a removal application (approval issues the removal decision document).
#[utoipa::path(operation_id = "lists_decide_removal", post, path = "/api/v1/removal-applications/{id}/decision", tag = "lists",
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "重复提交时只生效一次")),
    request_body = RemovalDecision,
    responses((status = 200, body = RemovalApplication), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_removal(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RemovalDecision>,
) -> ApiResult<Json<RemovalApplication>> {
    Ok(Json(
        listings::decide_removal(&state.store, &auth.actor(), &ctx, &id, req).await?,
    ))
}

/// Pending removal applications in the caller's jurisdiction, the most urgent first.
#[utoipa::path(operation_id = "lists_pending_removals", get, path = "/api/v1/removal-applications", tag = "lists",
    responses((status = 200, body = Vec<RemovalApplication>)))]
pub async fn pending_removals(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
) -> ApiResult<Json<Vec<RemovalApplication>>> {
    Ok(Json(
        listings::pending_applications(&state.store, &auth.actor(), &ctx).await?,
    ))
}

/// The numbered documents issued about an entity.
#[utoipa::path(operation_id = "documents_of_entity", get, path = "/api/v1/entities/{uscc}/documents", tag = "lists",
    params(("uscc" = String, Path)),
    responses((status = 200, body = Vec<DocumentInfo>), (status = 404, body = Problem)))]
pub async fn entity_documents(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(uscc): ApiPath<String>,
) -> ApiResult<Json<Vec<DocumentInfo>>> {
    shijian_storage::entities::get(&state.store, &auth.actor(), &ctx, &uscc).await?;
    Ok(Json(documents::of_entity(&state.store, &uscc).await?))
}

/// A document as PDF, rendered from the template text and fields it was issued with.
#[utoipa::path(operation_id = "documents_pdf", get, path = "/api/v1/documents/{id}/pdf", tag = "lists",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn document_pdf(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let pdf = render_document(&state, &auth, &ctx, &id).await?;
    Ok(pdf.into_response())
}

/// A rendered document as an HTTP response (also used by the pages).
pub(crate) struct Pdf {
    pub number: String,
    pub bytes: Vec<u8>,
}

impl IntoResponse for Pdf {
    fn into_response(self) -> Response {
        let disposition = format!(
            "inline; filename=\"document.pdf\"; filename*=UTF-8''{}.pdf",
            percent_encode(&self.number)
        );
        (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.bytes,
        )
            .into_response()
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Loads a document the caller may read and renders it.
pub(crate) async fn render_document(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    id: &str,
) -> Result<Pdf, ApiError> {
    let src = documents::source(&state.store, &auth.actor(), ctx, id).await?;
    let fields = shijian_documents::Fields::from(src.fields.clone());
    let rendered = shijian_documents::Engine::shared()
        .render_source(&src.info.kind, &src.template_source, &fields)
        .map_err(|e| {
            tracing::error!(document = id, error = %e, "document did not render");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.code(), e.to_string())
        })?;
    Ok(Pdf {
        number: src.info.number,
        bytes: rendered.pdf,
    })
}
