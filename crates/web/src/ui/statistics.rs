//! Indicator pages: business start-up time (企业开办时间) per county-level bureau and month.

use super::{chrome, render, Chrome};
use crate::api::statistics::{month_end, month_start};
use crate::auth::{Ctx, PageAuth};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use shijian_storage::statistics::{self, StartupRow};

#[derive(Template)]
#[template(path = "statistics_startup.html")]
struct StartupPage {
    chrome: Chrome,
    from: String,
    to: String,
    rows: Vec<StartupRow>,
    skipped: usize,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

pub(super) async fn startup_times(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let today = state.store.clock().today();
    let from = q
        .from
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("{}-01", today.year()));
    let to =
        q.to.filter(|s| !s.is_empty())
            .unwrap_or_else(|| today.format("%Y-%m").to_string());
    let mut page = StartupPage {
        chrome: chrome(&state, &auth).await,
        from: from.clone(),
        to: to.clone(),
        rows: Vec::new(),
        skipped: 0,
        error: None,
    };
    match (month_start(&from), month_end(&to)) {
        (Some(f), Some(t)) => {
            match statistics::startup_times(&state.store, &auth.actor(), &ctx, f, t).await {
                Ok((rows, skipped)) => {
                    page.rows = rows;
                    page.skipped = skipped;
                }
                Err(e) => return ApiError::from(e).into_response(),
            }
        }
        _ => page.error = Some("统计期间应为 YYYY-MM 形式的月份".to_owned()),
    }
    render(StatusCode::OK, &page)
}
