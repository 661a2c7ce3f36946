//! Indicator figures computed from the records (issue #6 item 6: business start-up time).

use super::ApiQuery;
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shijian_storage::statistics::{self, StartupRow};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// This module's `/api/v1` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(startup_times))
}

/// The period of a statistic: months `YYYY-MM`, both included.
#[derive(Debug, Deserialize, IntoParams)]
pub struct Period {
    /// First month, e.g. `2026-01`.
    pub from: String,
    /// Last month, e.g. `2026-06`.
    pub to: String,
}

/// Business start-up times per county-level bureau and month.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartupTimes {
    pub rows: Vec<StartupRow>,
    /// Start-ups left out because the working calendar does not cover their dates.
    pub skipped: usize,
}

/// Parses `YYYY-MM` into its first day.
pub(crate) fn month_start(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()
}

/// The last day of the month `YYYY-MM`.
pub(crate) fn month_end(s: &str) -> Option<NaiveDate> {
    let first = month_start(s)?;
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
}

/// Business start-up time (企业开办): working days from application to licence, median
/// and 90th percentile per county-level bureau and month of issue, for enterprises in the
/// caller's jurisdiction.
#[utoipa::path(operation_id = "statistics_startup_times", get, path = "/api/v1/statistics/startup-times", tag = "statistics",
    params(Period),
    responses((status = 200, body = StartupTimes), (status = 422, body = Problem)))]
pub async fn startup_times(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(p): ApiQuery<Period>,
) -> ApiResult<Json<StartupTimes>> {
    let (Some(from), Some(to)) = (month_start(&p.from), month_end(&p.to)) else {
        return Err(ApiError::bad_request(
            "bad_period",
            "统计期间应为 YYYY-MM 形式的月份",
        ));
    };
    let (rows, skipped) =
        statistics::startup_times(&state.store, &auth.actor(), &ctx, from, to).await?;
    Ok(Json(StartupTimes { rows, skipped }))
}
