//! Reference pages for staff: check a credit code or ID number and see why it is valid or
//! not, see a year's calendar with its holidays (and compute a deadline), import a year,
//! and read the time-limit table.

use super::{chrome, render, Chrome};
use crate::api::reference::{
    deadline, id_number_view, uscc_view, CodeCheckView, DeadlineParams, TimeLimitView,
};
use crate::auth::{Ctx, PageAuth};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use shijian_domain::calendar::{DayKind, WorkCalendar};
use shijian_domain::role::Permission;
use shijian_storage::reference;

pub(super) async fn index() -> Redirect {
    Redirect::to("/reference/check")
}

#[derive(Template)]
#[template(path = "reference_check.html")]
struct CheckPage {
    chrome: Chrome,
    kind: String,
    value: String,
    result: Option<CodeCheckView>,
}

#[derive(Deserialize)]
pub(super) struct CheckQuery {
    kind: Option<String>,
    value: Option<String>,
}

/// The check page. A credit code may come in the query (it is public registered data, and
/// links to it are useful); an ID number only in a POST body, never in a URL.
pub(super) async fn check(
    State(state): State<AppState>,
    auth: PageAuth,
    Query(q): Query<CheckQuery>,
) -> Response {
    let kind = q.kind.unwrap_or_else(|| "uscc".into());
    let value = if kind == "id_number" {
        String::new()
    } else {
        q.value.unwrap_or_default()
    };
    check_page(&state, &auth, kind, value).await
}

/// The check form's submission (both kinds).
pub(super) async fn check_submit(
    State(state): State<AppState>,
    auth: PageAuth,
    Form(q): Form<CheckQuery>,
) -> Response {
    let kind = q.kind.unwrap_or_else(|| "uscc".into());
    check_page(&state, &auth, kind, q.value.unwrap_or_default()).await
}

async fn check_page(state: &AppState, auth: &PageAuth, kind: String, value: String) -> Response {
    let result = if value.trim().is_empty() {
        None
    } else if kind == "id_number" {
        match id_number_view(state, &value).await {
            Ok(v) => Some(v),
            Err(e) => return (e.status, e.detail).into_response(),
        }
    } else {
        Some(uscc_view(&value))
    };
    let page = CheckPage {
        chrome: chrome(state, auth).await,
        kind,
        value,
        result,
    };
    render(StatusCode::OK, &page)
}

struct Cell {
    label: String,
    class: &'static str,
    title: String,
}

struct Month {
    title: String,
    weeks: Vec<Vec<Cell>>,
}

fn months(cal: &WorkCalendar, year: i32) -> Vec<Month> {
    (1..=12)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let mut weeks = Vec::new();
            let mut week: Vec<Cell> = (0..first.weekday().num_days_from_monday())
                .map(|_| blank())
                .collect();
            let mut d = first;
            while d.month() == m {
                week.push(cell(cal, d));
                if week.len() == 7 {
                    weeks.push(std::mem::take(&mut week));
                }
                d = d.succ_opt()?;
            }
            if !week.is_empty() {
                week.resize_with(7, blank);
                weeks.push(week);
            }
            Some(Month {
                title: format!("{m} 月"),
                weeks,
            })
        })
        .collect()
}

fn blank() -> Cell {
    Cell {
        label: String::new(),
        class: "",
        title: String::new(),
    }
}

fn cell(cal: &WorkCalendar, d: NaiveDate) -> Cell {
    let (class, title) = match cal.special_day(d) {
        Some(s) if s.kind == DayKind::Holiday => ("d-holiday", format!("{}（休）", s.name)),
        Some(s) => ("d-workday", format!("{}（调休上班）", s.name)),
        None if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) => ("d-weekend", String::new()),
        None => ("", String::new()),
    };
    Cell {
        label: d.day().to_string(),
        class,
        title,
    }
}

#[derive(Template)]
#[template(path = "reference_calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    year: i32,
    next_year: i32,
    covered: bool,
    covered_years: Vec<i32>,
    months: Vec<Month>,
    from: String,
    n: String,
    unit: String,
    exclude: String,
    deadline: Option<NaiveDate>,
    can_import: bool,
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct CalendarQuery {
    year: Option<i32>,
    from: Option<NaiveDate>,
    n: Option<u32>,
    unit: Option<String>,
    exclude: Option<String>,
}

async fn calendar_page(
    state: &AppState,
    auth: &PageAuth,
    q: CalendarQuery,
    error: Option<String>,
    message: Option<String>,
) -> Response {
    let cal = match reference::calendar(&state.store).await {
        Ok(c) => c,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let today = state.store.clock().today();
    let year = q.year.unwrap_or_else(|| today.year());
    let unit = q.unit.unwrap_or_else(|| "working_days".into());
    let mut error = error;
    let deadline = match (q.from, q.n) {
        (Some(from), Some(n)) => {
            let (working_days, days) = if unit == "days" {
                (None, Some(n))
            } else {
                (Some(n), None)
            };
            let p = DeadlineParams {
                from,
                working_days,
                days,
                exclude: q.exclude.clone(),
            };
            deadline(&cal, &p).map_err(|e| error = Some(e.detail)).ok()
        }
        _ => None,
    };
    let page = CalendarPage {
        chrome: chrome(state, auth).await,
        year,
        next_year: cal.covered_years().max().map_or(year, |y| y + 1),
        covered: cal.covers(year),
        covered_years: cal.covered_years().collect(),
        months: months(&cal, year),
        from: q.from.unwrap_or(today).to_string(),
        n: q.n.map(|n| n.to_string()).unwrap_or_default(),
        unit,
        exclude: q.exclude.unwrap_or_default(),
        deadline,
        can_import: auth.0.user.role.can(Permission::ManageConfiguration),
        error,
        message,
    };
    render(StatusCode::OK, &page)
}

pub(super) async fn calendar(
    State(state): State<AppState>,
    auth: PageAuth,
    Query(q): Query<CalendarQuery>,
) -> Response {
    calendar_page(&state, &auth, q, None, None).await
}

#[derive(Deserialize)]
pub(super) struct ImportForm {
    year: i32,
    source: String,
    csv: String,
}

pub(super) async fn calendar_import(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<ImportForm>,
) -> Response {
    let r = reference::import_calendar_year(
        &state.store,
        &auth.actor(),
        &ctx,
        f.year,
        &f.csv,
        &f.source,
    )
    .await;
    let q = CalendarQuery {
        year: Some(f.year),
        ..CalendarQuery::default()
    };
    match r {
        Ok(n) => {
            calendar_page(
                &state,
                &auth,
                q,
                None,
                Some(format!("已导入 {} 年节假日安排：{n} 行。", f.year)),
            )
            .await
        }
        Err(e) => calendar_page(&state, &auth, q, Some(ApiError::from(e).detail), None).await,
    }
}

#[derive(Template)]
#[template(path = "reference_time_limits.html")]
struct TimeLimitsPage {
    chrome: Chrome,
    as_of: String,
    limits: Vec<TimeLimitView>,
}

#[derive(Deserialize)]
pub(super) struct LimitsQuery {
    as_of: Option<NaiveDate>,
}

pub(super) async fn time_limits(
    State(state): State<AppState>,
    auth: PageAuth,
    Query(q): Query<LimitsQuery>,
) -> Response {
    let rows = match reference::time_limits(&state.store).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let limits = rows
        .into_iter()
        .filter(|t| q.as_of.is_none_or(|d| t.in_force_on(d)))
        .map(Into::into)
        .collect();
    let page = TimeLimitsPage {
        chrome: chrome(&state, &auth).await,
        as_of: q.as_of.map(|d| d.to_string()).unwrap_or_default(),
        limits,
    };
    render(StatusCode::OK, &page)
}
