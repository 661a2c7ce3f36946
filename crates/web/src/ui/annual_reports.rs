//! The enterprise's own annual-report page (`/annual-report`): an enterprise account
//! (opened by an officer for one entity) sees the reports its entity has filed and files
//! or corrects the report of a year in a form. The rules — the filing window, corrections
//! until 30 June, which sections may be published, the sealed phone — are storage's
//! (`annual_reports::file`); this page only turns the form into a filing.

use super::{chrome, render, Chrome};
use crate::auth::{Ctx, PageAuth};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Datelike;
use serde::Deserialize;
use shijian_domain::money::Fen;
use shijian_storage::annual_reports::{
    self, AnnualReport, Contact, Filing, Finance, ReportContent,
};
use shijian_storage::{Actor, RequestCtx};

/// The form as posted (amounts in 元), kept to refill the form after a refusal.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ReportForm {
    #[serde(default)]
    report_year: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    operating_status: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    websites: String,
    #[serde(default)]
    total_assets: String,
    #[serde(default)]
    total_liabilities: String,
    #[serde(default)]
    revenue: String,
    #[serde(default)]
    total_profit: String,
    #[serde(default)]
    net_profit: String,
    #[serde(default)]
    tax_paid: String,
    #[serde(default)]
    publish_employees: Option<String>,
    #[serde(default)]
    publish_finance: Option<String>,
}

#[derive(Template)]
#[template(path = "annual_report.html")]
struct ReportPage {
    chrome: Chrome,
    uscc: String,
    name: String,
    /// Individual businesses report fewer items and no finances (条例 Art.9 vs 细则).
    individual: bool,
    reports: Vec<AnnualReport>,
    form: ReportForm,
    statuses: [&'static str; 3],
    message: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// The entity an account files for.
struct Bound {
    uscc: String,
    name: String,
    individual: bool,
}

/// The entity the signed-in account files for, or the page that says it has none.
async fn bound(state: &AppState, auth: &PageAuth, ctx: &RequestCtx) -> Result<Bound, Response> {
    let actor = auth.actor();
    match annual_reports::bound_entity(&state.store, &actor).await {
        Ok(Some(uscc)) => Ok(who(state, ctx, uscc).await),
        Ok(None) => Err(message(
            state,
            auth,
            StatusCode::FORBIDDEN,
            "本页面供登记机关为某一市场主体开通的企业账户报送该主体的年度报告，当前账户未关联市场主体。登记机关工作人员请在市场主体详情页查看年度报告。".into(),
        )
        .await),
        Err(e) => {
            let e = ApiError::from(e);
            Err(message(state, auth, e.status, e.detail).await)
        }
    }
}

async fn message(state: &AppState, auth: &PageAuth, status: StatusCode, text: String) -> Response {
    let p = super::MessagePage {
        chrome: chrome(state, auth).await,
        heading: "年度报告".into(),
        text,
    };
    render(status, &p)
}

/// The entity's name and whether it is an individual business, as the public register
/// shows them (the account has no registry permission of its own).
async fn who(state: &AppState, ctx: &RequestCtx, uscc: String) -> Bound {
    let (name, individual) =
        shijian_storage::entities::get(&state.store, &Actor::public_portal(), ctx, &uscc)
            .await
            .map_or_else(
                |_| (uscc.clone(), false),
                |e| (e.name, e.entity_type == "individual_business"),
            );
    Bound {
        uscc,
        name,
        individual,
    }
}

async fn page(
    state: &AppState,
    auth: &PageAuth,
    ctx: &RequestCtx,
    entity: Bound,
    form: ReportForm,
    message_text: Option<String>,
    error: Option<String>,
) -> Response {
    let actor = auth.actor();
    let reports = match annual_reports::of_entity(&state.store, &actor, ctx, &entity.uscc).await {
        Ok(r) => r,
        Err(e) => {
            let e = ApiError::from(e);
            return message(state, auth, e.status, e.detail).await;
        }
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let p = ReportPage {
        chrome: chrome(state, auth).await,
        uscc: entity.uscc,
        name: entity.name,
        individual: entity.individual,
        reports,
        form,
        statuses: ["开业", "歇业", "清算"],
        message: message_text,
        error,
    };
    render(status, &p)
}

/// `GET /annual-report`: the reports filed and the form, for last year by default.
pub(super) async fn show(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Query(q): Query<DoneQuery>,
) -> Response {
    let entity = match bound(&state, &auth, &ctx).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let last_year = state.store.clock().today().year() - 1;
    let form = ReportForm {
        report_year: last_year.to_string(),
        operating_status: "开业".into(),
        ..ReportForm::default()
    };
    let done = (q.done == "filed").then(|| "年度报告已报送，并按您的选择公示。".to_owned());
    page(&state, &auth, &ctx, entity, form, done, None).await
}

fn amount(label: &str, text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    Fen::parse_yuan(t)
        .map(Fen::fen)
        .map_err(|_| format!("{label}应为金额（元，最多两位小数），例如 12345.67"))
}

/// The filing the form describes, or what is wrong with it (in Chinese).
fn filing(f: &ReportForm, individual: bool) -> Result<Filing, String> {
    let report_year = f
        .report_year
        .trim()
        .parse()
        .map_err(|_| "报告年度应为四位年份".to_owned())?;
    let employees = match f.employees.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .ok()
                .filter(|n| (0..=10_000_000).contains(n))
                .ok_or("从业人数应为非负整数")?,
        ),
    };
    let finance = if individual {
        None
    } else {
        let assets = amount("资产总额", &f.total_assets)?;
        let liabilities = amount("负债总额", &f.total_liabilities)?;
        let revenue = amount("营业总收入", &f.revenue)?;
        Some(Finance {
            total_assets_fen: assets,
            total_liabilities_fen: liabilities,
            owners_equity_fen: assets - liabilities,
            revenue_fen: revenue,
            main_business_revenue_fen: revenue,
            total_profit_fen: amount("利润总额", &f.total_profit)?,
            net_profit_fen: amount("净利润", &f.net_profit)?,
            tax_paid_fen: amount("纳税总额", &f.tax_paid)?,
            guarantees_fen: 0,
        })
    };
    let mut publish = Vec::new();
    if f.publish_employees.is_some() {
        publish.push("employees".to_owned());
    }
    if f.publish_finance.is_some() && !individual {
        publish.push("finance".to_owned());
    }
    Ok(Filing {
        report_year,
        content: ReportContent {
            contact: Contact {
                address: f.address.trim().to_owned(),
                postcode: f.postcode.trim().to_owned(),
                phone: f.phone.trim().to_owned(),
                email: f.email.trim().to_owned(),
            },
            operating_status: f.operating_status.trim().to_owned(),
            websites: f
                .websites
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            employees,
            finance,
            ..ReportContent::default()
        },
        publish,
    })
}

/// `POST /annual-report`: files the report (a correction if the year has one already).
pub(super) async fn file(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<ReportForm>,
) -> Response {
    let entity = match bound(&state, &auth, &ctx).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let result = match filing(&f, entity.individual) {
        Ok(filing) => annual_reports::file(&state.store, &auth.actor(), &ctx, &entity.uscc, filing)
            .await
            .map_err(|e| ApiError::from(e).detail),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/annual-report?done=filed").into_response(),
        Err(detail) => page(&state, &auth, &ctx, entity, f, None, Some(detail)).await,
    }
}
