//! The JSON API under `/api/v1`. Each handler is registered with `utoipa_axum::routes!`,
//! so it appears in the OpenAPI document exactly as it is routed. Conventions (errors,
//! paging, idempotency) are written down in `docs/API.md`.

pub mod audit;
pub mod auth;
pub mod entities;
pub mod events;
pub mod lists;
pub mod name_checks;
pub mod permits;
pub mod reference;
pub mod statistics;
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

/// A JSON body whose parse errors answer as problems. The body must be a JSON object:
/// serde's derived structs would also read an array field by field, which no client
/// means and the schema does not allow.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(ApiError::bad_request("bad_json", "请求体应为 JSON 对象"));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|e| {
            tracing::debug!(error = %e, "request body rejected");
            ApiError::bad_request(
                "bad_json",
                "请求体缺少必填字段，或字段类型不对（见接口文档）",
            )
        })
    }
}

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
        tracing::debug!(rejection = %r.body_text(), "request rejected");
        ApiError::bad_request("bad_json", "请求体不是有效的 JSON 或缺少字段")
    }
}
impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        tracing::debug!(rejection = %r.body_text(), "request rejected");
        ApiError::bad_request("bad_query", "查询参数无效")
    }
}
impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        tracing::debug!(rejection = %r.body_text(), "request rejected");
        ApiError::bad_request("bad_path", "路径参数无效")
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

/// Parses an optional numeric cursor (an empty one is no cursor).
pub fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| ApiError::bad_request("bad_cursor", "cursor 无效"))
        })
        .transpose()
}

/// Adds the answers every operation can give: 400 (malformed request), 401 (not signed in,
/// except sign-in itself), 403 (role or restricted session), 429 (rate limit) and 500, all
/// as problems; and marks every problem response `application/problem+json`.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |text: &str| {
            ResponseBuilder::new()
                .description(text)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        let common = [
            ("400", "请求格式错误（JSON、查询参数、路径参数或请求头）"),
            ("401", "未登录或登录已失效"),
            ("403", "没有权限，或会话仅限绑定动态口令/修改过期密码"),
            ("429", "请求过于频繁（见 Retry-After）"),
            ("500", "服务器内部错误"),
        ];
        for (path, item) in &mut openapi.paths.paths {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                for (status, text) in common {
                    if status == "401" && path == "/api/v1/auth/login" {
                        continue;
                    }
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(text).into());
                }
                // An Idempotency-Key reused for another request is refused with 422.
                let idempotent = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| p.name == "Idempotency-Key");
                if idempotent {
                    responses.entry("422".to_owned()).or_insert_with(|| {
                        problem("请求无效，或 Idempotency-Key 已用于另一个不同的请求").into()
                    });
                }
                // Problems are application/problem+json, not application/json.
                for (status, resp) in responses.iter_mut() {
                    if status.starts_with('2') {
                        continue;
                    }
                    if let utoipa::openapi::RefOr::T(r) = resp {
                        if let Some(c) = r.content.shift_remove("application/json") {
                            r.content.insert("application/problem+json".to_owned(), c);
                        }
                    }
                }
            }
        }
    }
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
        (name = "entities", description = "市场主体登记"),
        (name = "lists", description = "年度报告、经营异常名录与决定文书"),
        (name = "statistics", description = "指标统计"),
        (name = "name_checks", description = "企业名称自主申报核查"),
        (name = "permits", description = "证照分离许可、到期提醒与证照二维码核验"),
    )
)]
struct ApiDoc;

/// The finished OpenAPI document: the routes' own descriptions plus the answers every
/// operation can give (added after the routes are registered).
pub(crate) fn document(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    CommonResponses.modify(&mut doc);
    doc
}

/// Raises the body limit of one route (axum's default is 2 MiB).
fn with_body_limit(
    r: utoipa_axum::router::UtoipaMethodRouter<AppState>,
    max: usize,
) -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = r;
    (
        schemas,
        paths,
        method_router.layer(axum::extract::DefaultBodyLimit::max(max)),
    )
}

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
        .routes(routes!(entities::search, entities::establish))
        .routes(routes!(entities::get, entities::amend))
        .routes(routes!(entities::versions))
        .routes(routes!(entities::status_change))
        .routes(routes!(entities::move_in))
        .routes(routes!(entities::simplified_start))
        .routes(routes!(entities::simplified_get))
        .routes(routes!(entities::simplified_object))
        .routes(routes!(entities::simplified_decide))
        .routes(routes!(entities::bar_record))
        .routes(routes!(entities::bar_lift))
        .merge(lists::routes())
        .merge(statistics::routes())
        .merge(name_checks::routes())
        .merge(permits::routes())
        .routes(routes!(entities::succession))
        .routes(with_body_limit(
            routes!(entities::import),
            entities::IMPORT_MAX_BYTES,
        ))
        .routes(routes!(entities::export))
}
