//! The name-check page (企业名称自主申报核查): a form that checks again as the applicant
//! types (htmx posts the form and swaps in the result) and, without JavaScript, on
//! submit. The result shows the verdict, the parts of the name and every reason in
//! Chinese with its rule and source; conflicting names link to their entity. The check is
//! storage's (`EntityIndex::names`), reached through the API helper; nothing is recorded.

use super::{render, Chrome};
use crate::api::name_checks::run_check;
use crate::auth::{Auth, Ctx, PageAuth};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use shijian_domain::entity::EnterpriseType;
use shijian_storage::name_index::{NameCheck, NameCheckRequest, NameSeverity, NameVerdict};
use shijian_storage::{jurisdictions, reference, RequestCtx};

/// This module's pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/name-checks", get(form).post(submit))
}

/// The form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct CheckForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    division_code: String,
    #[serde(default)]
    industry_code: String,
    #[serde(default)]
    enterprise_type: String,
}

struct ConflictView {
    name: String,
    uscc: Option<String>,
    status_label: String,
    protected_until: Option<String>,
}

struct ReasonView {
    reject: bool,
    severity_label: &'static str,
    code: String,
    rule: String,
    source: String,
    message: String,
    unconfirmed: bool,
    conflicts: Vec<ConflictView>,
}

/// The result part of the page (also the htmx fragment).
#[derive(Default)]
struct Outcome {
    checked: bool,
    error: Option<String>,
    verdict: &'static str,
    verdict_label: &'static str,
    verdict_text: &'static str,
    parts: Vec<(&'static str, String)>,
    reasons: Vec<ReasonView>,
    similar_omitted: usize,
    checked_on: String,
}

#[derive(Template)]
#[template(path = "name_check.html")]
struct CheckPage {
    chrome: Chrome,
    f: CheckForm,
    divisions: Vec<(String, String)>,
    industries: Vec<(String, String)>,
    types: Vec<(&'static str, &'static str)>,
    o: Outcome,
}

#[derive(Template)]
#[template(path = "name_check_result.html")]
struct ResultFragment {
    o: Outcome,
}

fn status_label(code: &str) -> String {
    match code {
        "in_use" => "在用（已登记）",
        "reserved" => "已保留",
        "changed" => "已变更的原名称",
        "deregistered" => "已注销",
        "cancelled" => "已撤销登记",
        "moved_out" => "已迁出",
        "well_known" => "知名商标或名称",
        other => other,
    }
    .to_owned()
}

fn view(c: NameCheck) -> Outcome {
    let (verdict, verdict_label, verdict_text) = match c.verdict {
        NameVerdict::Ok => ("ok", "未发现问题", "未发现不符合规定的内容，也没有需要提示的风险。"),
        NameVerdict::Warn => (
            "warn",
            "有风险提示",
            "名称没有违反规定，但有下列风险：继续申报的，申请人须逐项确认知悉，并承诺因名称与他人近似等侵犯他人合法权益的，依法承担法律责任（企业名称登记管理规定第十六条第三款）。",
        ),
        NameVerdict::Reject => (
            "reject",
            "不能申报",
            "名称有下列不符合规定的内容，请修改后再核查。",
        ),
    };
    let p = c.parts;
    let opt = |v: Option<String>| v.unwrap_or_else(|| "（未识别）".to_owned());
    let mut parts = vec![
        (
            "行政区划",
            match (p.division, p.division_bracketed) {
                (Some(d), true) => format!("{d}（加括号置于字号之后）"),
                (d, _) => opt(d),
            },
        ),
        (
            "字号",
            if p.trade_name.is_empty() {
                "（未识别）".to_owned()
            } else {
                p.trade_name
            },
        ),
        (
            "行业或者经营特点",
            if p.industry_wording.is_empty() {
                "（无）".to_owned()
            } else {
                p.industry_wording
            },
        ),
        ("组织形式", opt(p.organisational_form)),
    ];
    if let Some(g) = p.group {
        parts.push(("集团字样", g));
    }
    if let Some(b) = p.branch {
        parts.push(("分支机构用语", b));
    }
    Outcome {
        checked: true,
        error: None,
        verdict,
        verdict_label,
        verdict_text,
        parts,
        reasons: c
            .reasons
            .into_iter()
            .map(|r| ReasonView {
                reject: r.severity == NameSeverity::Reject,
                severity_label: match r.severity {
                    NameSeverity::Reject => "不能申报",
                    NameSeverity::Warn => "风险提示",
                },
                code: r.code,
                rule: r.rule,
                source: r.source,
                message: r.message,
                unconfirmed: r.unconfirmed,
                conflicts: r
                    .conflicts
                    .into_iter()
                    .map(|x| ConflictView {
                        status_label: status_label(&x.status),
                        name: x.name,
                        uscc: x.uscc,
                        protected_until: x.protected_until.map(|d| d.to_string()),
                    })
                    .collect(),
            })
            .collect(),
        similar_omitted: c.similar_omitted,
        checked_on: c.checked_on.to_string(),
    }
}

async fn outcome(state: &AppState, auth: &PageAuth, ctx: &RequestCtx, f: &CheckForm) -> Outcome {
    if f.name.trim().is_empty() {
        return Outcome::default();
    }
    let req = NameCheckRequest {
        name: f.name.clone(),
        division_code: f.division_code.clone(),
        industry_code: Some(f.industry_code.clone()).filter(|s| !s.trim().is_empty()),
        enterprise_type: f.enterprise_type.clone(),
    };
    match run_check(state, &Auth(auth.0.clone()), ctx, &req).await {
        Ok(c) => view(c),
        Err(e) => Outcome {
            checked: true,
            error: Some(e.detail),
            ..Outcome::default()
        },
    }
}

/// The city's divisions (the city, its counties and townships) for the domicile.
async fn division_options(state: &AppState) -> Vec<(String, String)> {
    let (all, _) = reference::divisions(&state.store).await.unwrap_or_default();
    all.into_iter()
        .filter(|d| d.code.starts_with("4208"))
        .map(|d| {
            let label = match d.level.as_str() {
                "township" => format!("　　{}（{}）", d.name, d.code),
                "county" => format!("　{}（{}）", d.name, d.code),
                _ => format!("{}（{}）", d.name, d.code),
            };
            (d.code, label)
        })
        .collect()
}

/// The divisions (大类) of GB/T 4754-2017: "same industry" is decided on them.
async fn industry_options(state: &AppState) -> Vec<(String, String)> {
    let filter = reference::IndustryFilter {
        level: "division".into(),
        ..reference::IndustryFilter::default()
    };
    reference::industries(&state.store, &filter)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let label = format!("{} {}", i.code, i.name);
            (i.code, label)
        })
        .collect()
}

async fn page(state: &AppState, auth: &PageAuth, mut f: CheckForm, o: Outcome) -> Response {
    let all = jurisdictions::list(&state.store).await.unwrap_or_default();
    let divisions = division_options(state).await;
    if f.division_code.is_empty() {
        let own = &auth.0.user.jurisdiction_code;
        f.division_code = divisions
            .iter()
            .find(|(c, _)| c == own)
            .map_or_else(|| "420800".to_owned(), |(c, _)| c.clone());
    }
    if f.enterprise_type.is_empty() {
        f.enterprise_type = EnterpriseType::LlcNaturalPersonInvested.as_str().to_owned();
    }
    let page = CheckPage {
        chrome: Chrome::for_session(&auth.0, &all),
        divisions,
        industries: industry_options(state).await,
        types: EnterpriseType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label_zh()))
            .collect(),
        f,
        o,
    };
    render(StatusCode::OK, &page)
}

/// The empty form.
pub(super) async fn form(State(state): State<AppState>, auth: PageAuth) -> Response {
    page(&state, &auth, CheckForm::default(), Outcome::default()).await
}

/// A check: the result fragment for htmx, else the whole page with the result.
pub(super) async fn submit(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    Form(f): Form<CheckForm>,
) -> Response {
    let o = outcome(&state, &auth, &ctx, &f).await;
    if headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request") {
        return render(StatusCode::OK, &ResultFragment { o });
    }
    page(&state, &auth, f, o).await
}
