//! `/api/v1/name-checks`: checks a proposed enterprise name (企业名称自主申报) against the
//! rules of 企业名称登记管理规定 and its 实施办法 and against the names of the city's
//! entities (kept by the name projection, `EntityIndex::names`). A check is a read: it
//! changes nothing and is not recorded.

use super::ApiJson;
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use shijian_storage::name_index::{NameCheck, NameCheckRequest};
use shijian_storage::StoreError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's `/api/v1` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(check))
}

/// Runs a check for the API and the UI: bad input answers 400 with its code.
pub(crate) async fn run_check(
    state: &AppState,
    auth: &Auth,
    ctx: &shijian_storage::RequestCtx,
    req: &NameCheckRequest,
) -> ApiResult<NameCheck> {
    state
        .entity_index
        .names()
        .check(&state.store, &auth.actor(), ctx, req)
        .await
        .map_err(|e| match e {
            StoreError::Invalid { code, message } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message)
            }
            other => other.into(),
        })
}

/// Check a proposed enterprise name (企业名称自主申报 / 核名).
///
/// Splits the name into 行政区划、字号、行业或者经营特点、组织形式 and applies the rules:
/// the characters; the organisational form against the enterprise type; the division;
/// the 字号 (at least two characters, not only a division name or an industry term);
/// prohibited and restricted words (a name beginning with 中国, 中华, 中央, 全国 or 国家
/// needs State Council approval); a 字号 identical to one of a same-industry enterprise
/// registered in the city, or of a name deregistered, cancelled or changed less than a
/// year ago (规定第十七条); similar 字号 (same pinyin, reordered, one character apart) and
/// well-known names.
///
/// `verdict` is `reject` when any reason rejects (rules of the 规定 and the 办法), `warn`
/// when there are only warnings (2017 rules, the 指引 and rules whose source is
/// unconfirmed: the applicant must acknowledge each), else `ok`. Every reason carries its
/// stable `code`, `rule`, legal `source`, a Chinese `message` and the conflicting names
/// with their credit codes. Names stay current with registrations within the follow
/// interval of the event log (250 ms). Requires permission to read entities; the check is
/// not recorded.
#[utoipa::path(operation_id = "name_checks_check", post, path = "/api/v1/name-checks", tag = "name_checks",
    request_body = NameCheckRequest,
    responses(
        (status = 200, description = "核查结果（含不能申报与风险提示的每一项理由）", body = NameCheck),
        (status = 400, description = "名称为空或过长（name_empty、name_too_long），行政区划、行业或企业类型无效（division_unknown、industry_unknown、enterprise_type_unknown），或请求体格式错误", body = Problem),
        (status = 403, description = "没有查询市场主体的权限", body = Problem)))]
pub async fn check(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<NameCheckRequest>,
) -> ApiResult<Json<NameCheck>> {
    Ok(Json(run_check(&state, &auth, &ctx, &req).await?))
}
