//! `/api/v1/reference`: jurisdictions, divisions, industries, the working-day calendar and
//! deadlines, the legal time limits, and code checks (credit codes, ID numbers). Readable
//! by every signed-in user; changes (calendar import, time-limit corrections) need the
//! system administrator and are audited.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Auth, Ctx};
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shijian_domain::calendar::{CalendarError, DateRange, WorkCalendar};
use shijian_domain::id_number::parse_id_number;
use shijian_domain::time_limit::TimeLimit;
use shijian_domain::uscc::{parse_uscc, CodeCheck};
use shijian_storage::jurisdictions;
use shijian_storage::reference::{
    self, Division, HistoricalDivision, Industry, IndustryFilter, TimeLimitEdit,
};
use utoipa::{IntoParams, ToSchema};

/// A jurisdiction (辖区) and its division codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionView {
    pub code: String,
    pub name: String,
    /// `city`, `county`, `zone` or `station`.
    pub kind: String,
    pub parent_code: Option<String>,
    pub division_codes: Vec<String>,
}

/// Every built-in jurisdiction with its division codes.
#[utoipa::path(operation_id = "reference_jurisdictions", get, path = "/api/v1/reference/jurisdictions", tag = "reference",
    responses((status = 200, body = Vec<JurisdictionView>), (status = 401, body = Problem)))]
pub async fn jurisdictions(
    State(state): State<AppState>,
    _auth: Auth,
) -> ApiResult<Json<Vec<JurisdictionView>>> {
    let all = jurisdictions::list_with_divisions(&state.store).await?;
    Ok(Json(
        all.into_iter()
            .map(|(j, division_codes)| JurisdictionView {
                code: j.code,
                name: j.name,
                kind: j.kind,
                parent_code: j.parent_code,
                division_codes,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionView {
    pub code: String,
    pub name: String,
    /// `province`, `prefecture`, `county` or `township`.
    pub level: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoricalDivisionView {
    pub code: String,
    pub name: String,
    pub valid_from: Option<i64>,
    /// The last year in use; absent while current.
    pub valid_to: Option<i64>,
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionsView {
    /// Current divisions down to township level (GB/T 2260; NBS 9-digit township codes).
    pub divisions: Vec<DivisionView>,
    /// County-level codes with their years of use, retired ones included.
    pub historical: Vec<HistoricalDivisionView>,
}

/// The divisions of 荆门市 down to township level, with retired codes.
#[utoipa::path(operation_id = "reference_divisions", get, path = "/api/v1/reference/divisions", tag = "reference",
    responses((status = 200, body = DivisionsView), (status = 401, body = Problem)))]
pub async fn divisions(
    State(state): State<AppState>,
    _auth: Auth,
) -> ApiResult<Json<DivisionsView>> {
    let (current, history) = reference::divisions(&state.store).await?;
    let divisions = current
        .into_iter()
        .map(
            |Division {
                 code,
                 name,
                 level,
                 parent_code,
             }| DivisionView {
                code,
                name,
                level,
                parent_code,
            },
        )
        .collect();
    let historical = history
        .into_iter()
        .map(
            |HistoricalDivision {
                 code,
                 name,
                 valid_from,
                 valid_to,
                 parent_code,
             }| HistoricalDivisionView {
                code,
                name,
                valid_from,
                valid_to,
                parent_code,
            },
        )
        .collect();
    Ok(Json(DivisionsView {
        divisions,
        historical,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndustryView {
    pub code: String,
    pub name: String,
    /// `section`, `division`, `group` or `class`.
    pub level: String,
    pub parent_code: Option<String>,
    /// The section letter, so `F5211` can be shown with its section.
    pub section: String,
}

impl From<Industry> for IndustryView {
    fn from(i: Industry) -> Self {
        Self {
            code: i.code,
            name: i.name,
            level: i.level,
            parent_code: i.parent_code,
            section: i.section,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndustryParams {
    /// `section`, `division`, `group` or `class`.
    pub level: Option<String>,
    /// Children of this code.
    pub parent: Option<String>,
    /// Part of the name, or a code prefix.
    pub q: Option<String>,
}

/// The GB/T 4754-2017 industry tree (20 sections, 97 divisions, 473 groups, 1,381 classes).
#[utoipa::path(operation_id = "reference_industries", get, path = "/api/v1/reference/industries", tag = "reference", params(IndustryParams),
    responses((status = 200, body = Vec<IndustryView>), (status = 401, body = Problem)))]
pub async fn industries(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(p): ApiQuery<IndustryParams>,
) -> ApiResult<Json<Vec<IndustryView>>> {
    let f = IndustryFilter {
        level: p.level.unwrap_or_default(),
        parent: p.parent.unwrap_or_default(),
        q: p.q.unwrap_or_default(),
    };
    Ok(Json(
        reference::industries(&state.store, &f)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One industry; accepts section-prefixed codes such as `F5211`.
#[utoipa::path(operation_id = "reference_industry", get, path = "/api/v1/reference/industries/{code}", tag = "reference", params(("code" = String, Path)),
    responses((status = 200, body = IndustryView), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn industry(
    State(state): State<AppState>,
    _auth: Auth,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<IndustryView>> {
    Ok(Json(reference::industry(&state.store, &code).await?.into()))
}

fn calendar_problem(e: &CalendarError) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// The start date (not counted).
    pub from: NaiveDate,
    /// N working days after `from`.
    pub working_days: Option<u32>,
    /// N calendar days after `from` (an end on a rest day moves to the next working day).
    pub days: Option<u32>,
    /// Excluded intervals that do not count, as `START..END` (inclusive), comma-separated.
    pub exclude: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    pub from: NaiveDate,
    pub working_days: Option<u32>,
    pub days: Option<u32>,
    pub deadline: NaiveDate,
}

/// Computes a deadline by the rules of 《民法典》and the working-day calendar.
pub(crate) fn deadline(cal: &WorkCalendar, p: &DeadlineParams) -> Result<NaiveDate, ApiError> {
    let excluded = DateRange::parse_list(p.exclude.as_deref().unwrap_or_default())
        .map_err(|e| calendar_problem(&e))?;
    let r = match (p.working_days, p.days) {
        (Some(n), None) => cal.add_working_days(p.from, n, &excluded),
        (None, Some(n)) => cal.add_calendar_days(p.from, n, &excluded),
        _ => {
            return Err(ApiError::bad_request(
                "bad_period",
                "须且只能给出 working_days 或 days 之一",
            ))
        }
    };
    r.map_err(|e| calendar_problem(&e))
}

/// The deadline N working days or N calendar days after a date.
#[utoipa::path(operation_id = "reference_calendar_deadline", get, path = "/api/v1/reference/calendar/deadline", tag = "reference", params(DeadlineParams),
    responses((status = 200, body = DeadlineView), (status = 422, body = Problem)))]
pub async fn calendar_deadline(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(p): ApiQuery<DeadlineParams>,
) -> ApiResult<Json<DeadlineView>> {
    let cal = reference::calendar(&state.store).await?;
    let d = deadline(&cal, &p)?;
    Ok(Json(DeadlineView {
        from: p.from,
        working_days: p.working_days,
        days: p.days,
        deadline: d,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayView {
    pub date: NaiveDate,
    /// `holiday` (rest day) or `workday` (adjusted weekend working day).
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarYearView {
    pub year: i32,
    pub covered: bool,
    pub covered_years: Vec<i32>,
    pub days: Vec<CalendarDayView>,
}

/// One year's holidays and adjusted working days, and the covered years.
#[utoipa::path(operation_id = "reference_calendar_year", get, path = "/api/v1/reference/calendar/{year}", tag = "reference", params(("year" = i32, Path)),
    responses((status = 200, body = CalendarYearView)))]
pub async fn calendar_year(
    State(state): State<AppState>,
    _auth: Auth,
    ApiPath(year): ApiPath<i32>,
) -> ApiResult<Json<CalendarYearView>> {
    Ok(Json(year_view(
        &reference::calendar(&state.store).await?,
        year,
    )))
}

pub(crate) fn year_view(cal: &WorkCalendar, year: i32) -> CalendarYearView {
    let days = (1..=366)
        .filter_map(|d| NaiveDate::from_yo_opt(year, d))
        .filter_map(|d| cal.special_day(d))
        .map(|d| CalendarDayView {
            date: d.date,
            kind: d.kind.as_str().to_owned(),
            name: d.name.clone(),
        })
        .collect();
    CalendarYearView {
        year,
        covered: cal.covers(year),
        covered_years: cal.covered_years().collect(),
        days,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CalendarImportRequest {
    /// The year this file completes.
    pub year: i32,
    /// The file, in the `date,kind,name` format of `cn_holidays.csv`.
    pub csv: String,
    /// Where it comes from (e.g. the State Council notice).
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarImportView {
    pub year: i32,
    pub rows: usize,
}

/// Add a year to the working-day calendar (system administrator; audited).
#[utoipa::path(operation_id = "reference_calendar_import", post, path = "/api/v1/reference/calendar/years", tag = "reference", request_body = CalendarImportRequest,
    responses((status = 201, body = CalendarImportView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn calendar_import(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiJson(req): ApiJson<CalendarImportRequest>,
) -> ApiResult<(StatusCode, Json<CalendarImportView>)> {
    let rows = reference::import_calendar_year(
        &state.store,
        &auth.actor(),
        &ctx,
        req.year,
        &req.csv,
        &req.source,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarImportView {
            year: req.year,
            rows,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeLimitView {
    pub kind: String,
    pub label: String,
    pub amount: u32,
    /// `working_days`, `calendar_days`, `months`, `years`, `hours` or `minutes`.
    pub unit: String,
    /// e.g. 七个工作日.
    pub period: String,
    pub source: String,
    pub article: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Verified against the official text; unconfirmed rows may be corrected.
    pub confirmed: bool,
    pub note: String,
}

impl From<TimeLimit> for TimeLimitView {
    fn from(t: TimeLimit) -> Self {
        Self {
            kind: t.kind.as_str().to_owned(),
            label: t.kind.label().to_owned(),
            amount: t.amount,
            unit: t.unit.as_str().to_owned(),
            period: t.period_text(),
            source: t.source,
            article: t.article,
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            confirmed: t.confirmed,
            note: t.note,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeLimitParams {
    /// Only the rows in force on this date.
    pub as_of: Option<NaiveDate>,
    pub kind: Option<String>,
}

/// The legal time limits, each with its source and article.
#[utoipa::path(operation_id = "reference_time_limits", get, path = "/api/v1/reference/time-limits", tag = "reference", params(TimeLimitParams),
    responses((status = 200, body = Vec<TimeLimitView>)))]
pub async fn time_limits(
    State(state): State<AppState>,
    _auth: Auth,
    ApiQuery(p): ApiQuery<TimeLimitParams>,
) -> ApiResult<Json<Vec<TimeLimitView>>> {
    let rows = reference::time_limits(&state.store).await?;
    Ok(Json(
        rows.into_iter()
            .filter(|t| p.as_of.is_none_or(|d| t.in_force_on(d)))
            .filter(|t| p.kind.as_deref().is_none_or(|k| t.kind.as_str() == k))
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TimeLimitEditRequest {
    pub amount: Option<u32>,
    pub article: Option<String>,
    pub note: Option<String>,
    /// Mark as verified against the official text.
    #[serde(default)]
    pub confirm: bool,
}

/// Correct an unconfirmed time limit (system administrator; audited).
#[utoipa::path(operation_id = "reference_edit_time_limit", patch, path = "/api/v1/reference/time-limits/{kind}/{valid_from}", tag = "reference",
    params(("kind" = String, Path), ("valid_from" = NaiveDate, Path)), request_body = TimeLimitEditRequest,
    responses((status = 200, body = TimeLimitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn edit_time_limit(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiPath((kind, valid_from)): ApiPath<(String, NaiveDate)>,
    ApiJson(req): ApiJson<TimeLimitEditRequest>,
) -> ApiResult<Json<TimeLimitView>> {
    let edit = TimeLimitEdit {
        amount: req.amount,
        article: req.article,
        note: req.note,
        confirm: req.confirm,
    };
    let t = reference::edit_time_limit(&state.store, &auth.actor(), &ctx, &kind, valid_from, edit)
        .await?;
    Ok(Json(t.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeCheckView {
    pub input: String,
    pub normalized: Option<String>,
    pub valid: bool,
    /// Stable reason when invalid, e.g. `bad_check_char`.
    pub code: Option<String>,
    /// Why, in Chinese.
    pub reason: Option<String>,
    /// Normalisations and secondary checks, as `code: message`.
    pub warnings: Vec<String>,
    /// The parts of a valid code (authority, category, division, organisation code; or
    /// birth date and sex of an ID number).
    pub parts: Vec<(String, String)>,
}

impl CodeCheckView {
    pub(crate) fn from_check<T>(
        c: &CodeCheck<T>,
        parts: impl Fn(&T) -> Vec<(String, String)>,
    ) -> Self {
        Self {
            input: c.input.clone(),
            normalized: c.normalized.clone(),
            valid: c.is_valid(),
            code: c.error().map(|e| e.code().to_owned()),
            reason: c.error().map(shijian_domain::uscc::CodeError::reason),
            warnings: c
                .warnings
                .iter()
                .map(|w| format!("{}: {}", w.code(), w.message()))
                .collect(),
            parts: c.value().map(parts).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckParams {
    pub value: String,
}

pub(crate) fn uscc_view(value: &str) -> CodeCheckView {
    CodeCheckView::from_check(&parse_uscc(value), |u| {
        vec![
            (
                "登记管理部门代码".into(),
                u.registration_authority().to_string(),
            ),
            ("机构类别代码".into(), u.entity_category().to_string()),
            (
                "登记管理机关行政区划码".into(),
                u.division_code().to_owned(),
            ),
            ("主体标识码（组织机构代码）".into(), u.org_code().to_owned()),
            ("校验码".into(), u.check_char().to_string()),
        ]
    })
}

/// Checks a unified social credit code and explains the result.
#[utoipa::path(operation_id = "reference_check_uscc", get, path = "/api/v1/reference/check/uscc", tag = "reference", params(CheckParams),
    responses((status = 200, body = CodeCheckView)))]
pub async fn check_uscc(_auth: Auth, ApiQuery(p): ApiQuery<CheckParams>) -> Json<CodeCheckView> {
    Json(uscc_view(&p.value))
}

pub(crate) async fn id_number_view(state: &AppState, value: &str) -> ApiResult<CodeCheckView> {
    let known = reference::known_divisions(&state.store).await?;
    let today = state.store.clock().today();
    let check = parse_id_number(value, today, &|code: &str| known.accepts(code));
    Ok(CodeCheckView::from_check(&check, |n| {
        vec![
            ("地址码".into(), n.division_code().to_owned()),
            ("出生日期".into(), n.birth_date().to_string()),
            ("性别".into(), n.sex().label().to_owned()),
        ]
    }))
}

/// The ID number to check, in the body: personal data never goes into a URL, where
/// proxies, access logs and browser histories would keep it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdNumberCheck {
    pub value: String,
}

/// Checks a resident ID number and explains the result (the number is not stored or logged).
#[utoipa::path(operation_id = "reference_check_id_number", post, path = "/api/v1/reference/check/id-number", tag = "reference",
    request_body = IdNumberCheck,
    responses((status = 200, body = CodeCheckView)))]
pub async fn check_id_number(
    State(state): State<AppState>,
    _auth: Auth,
    ApiJson(p): ApiJson<IdNumberCheck>,
) -> ApiResult<Json<CodeCheckView>> {
    Ok(Json(id_number_view(&state, &p.value).await?))
}
