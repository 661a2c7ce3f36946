//! The JSON API under `/api/v1`. Each handler is registered with `utoipa_axum::routes!`,
//! so it appears in the OpenAPI document exactly as it is routed. Conventions (errors,
//! paging, idempotency) are written down in `docs/API.md`.

pub mod audit;
pub mod auth;
pub mod events;
pub mod reference;
pub mod users;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A JSON body whose parse errors answer as problems.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query parameters whose parse errors answer as problems.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters whose parse errors answer as problems.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::bad_request(
            "bad_json",
            format!("请求体不是有效的 JSON 或缺少字段：{}", r.body_text()),
        )
    }
}
impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request("bad_query", format!("查询参数无效：{}", r.body_text()))
    }
}
impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::bad_request("bad_path", format!("路径参数无效：{}", r.body_text()))
    }
}

/// A page of a list, with the cursor of the next page (absent on the last page).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page; a full page has a next cursor taken from its last item.
    pub fn new(items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Self {
        let full = i64::try_from(items.len()).unwrap_or(i64::MAX) >= limit;
        let next_cursor = if full {
            items.last().map(cursor_of)
        } else {
            None
        };
        Self { items, next_cursor }
    }
}

/// The default and maximum page sizes.
pub const DEFAULT_LIMIT: i64 = 50;

/// Parses an optional numeric cursor.
pub fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    cursor
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::bad_request("bad_cursor", "cursor 无效"))
        })
        .transpose()
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "shijian (市监) API",
        description = "荆门市市场监管一张网平台的开放接口。约定见 docs/API.md：错误为 RFC 9457 problem+json，\
            列表使用 limit 与 cursor，POST 支持 Idempotency-Key。"
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "auth", description = "登录与会话"),
        (name = "users", description = "用户与权限"),
        (name = "audit", description = "审计日志"),
        (name = "events", description = "事件日志（变更订阅）"),
        (name = "reference", description = "参考数据"),
    )
)]
struct ApiDoc;

/// Every `/api/v1` route, with its OpenAPI description.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::totp_enrol))
        .routes(routes!(auth::totp_confirm))
        .routes(routes!(users::totp_reset))
        .routes(routes!(users::issue_token))
        .routes(routes!(users::revoke_tokens))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::assign))
        .routes(routes!(users::disable))
        .routes(routes!(users::enable))
        .routes(routes!(users::reset_password))
        .routes(routes!(audit::list))
        .routes(routes!(events::list))
        .routes(routes!(reference::jurisdictions))
        .routes(routes!(reference::divisions))
        .routes(routes!(reference::industries))
        .routes(routes!(reference::industry))
        .routes(routes!(reference::calendar_deadline))
        .routes(routes!(reference::calendar_year))
        .routes(routes!(reference::calendar_import))
        .routes(routes!(reference::time_limits))
        .routes(routes!(reference::edit_time_limit))
        .routes(routes!(reference::check_uscc))
        .routes(routes!(reference::check_id_number))
}
