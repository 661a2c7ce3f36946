//! The registry pages (市场主体): search and list, one entity with its registered items
//! (now or as of a day) and its version history, the lifecycle actions as forms, the
//! establish and amend forms, and the bulk import. Every rule is storage's, the domain's or
//! the API helpers' (`crate::api::entities`); these handlers parse forms, call them and
//! render what comes back, with refusals shown in Chinese next to the form.
//!
//! Import reject report: the import page shows the first [`REJECTS_SHOWN`] refused rows;
//! the full report downloads statelessly. The page embeds the refused rows (row, column,
//! code, reason; tab-separated lines, base64url so the form stays compact) in a hidden
//! field of a small form that posts to `/entities/import/rejects`, which echoes them back
//! as the same CSV the CLI's `--rejects` writes. Nothing is kept on the server; the
//! embedded report is bounded by [`REJECTS_PAYLOAD_MAX`] (the CSRF check reads form bodies
//! up to 1 MiB) and the page says so when a very large report was cut short.

use super::{chrome, render, Chrome};
use crate::api::entities::{
    apply_status_change, check_items, column_label, run_import, run_search, SearchQuery,
    StatusChangeRequest,
};
use crate::auth::{Auth, Ctx, PageAuth};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use base64::Engine;
use chrono::NaiveDate;
use serde::Deserialize;
use shijian_domain::entity::{
    parse_date, transition, Action, Bar, EnterpriseType, EntityKind, EntityStatus, ObjectorKind,
    SimplifiedDeregistrationRule,
};
use shijian_domain::money::Fen;
use shijian_domain::role::Permission;
use shijian_storage::entities::{self, Entity, Premises, RawItems, SimplifiedDeregistration};
use shijian_storage::{jurisdictions, reference, RequestCtx};
use std::collections::HashMap;

/// Rows per page of the list.
const PAGE_SIZE: usize = 50;
/// Refused rows shown on the import page.
const REJECTS_SHOWN: usize = 200;
/// The largest reject report embedded in the import page for download (base64 bytes).
const REJECTS_PAYLOAD_MAX: usize = 900_000;

// ---- the page frame ----

fn api_auth(auth: &PageAuth) -> Auth {
    Auth(auth.0.clone())
}

fn can(auth: &PageAuth, p: Permission) -> bool {
    auth.0.user.role.can(p)
}

/// An htmx request for a fragment (not a history restore, which needs the whole page).
fn wants_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

async fn message_page(state: &AppState, auth: &PageAuth, e: ApiError) -> Response {
    let page = super::MessagePage {
        chrome: chrome(state, auth).await,
        heading: "无法完成".into(),
        text: e.detail,
    };
    render(e.status, &page)
}

// ---- labels ----

fn status_label(code: &str) -> String {
    EntityStatus::from_code(code).map_or_else(|| code.to_owned(), |s| s.label_zh().to_owned())
}

fn type_label(kind: &str, detailed: Option<&str>) -> String {
    detailed
        .and_then(EnterpriseType::from_code)
        .map(|t| t.label_zh().to_owned())
        .or_else(|| EntityKind::from_code(kind).map(|k| k.label_zh().to_owned()))
        .unwrap_or_else(|| kind.to_owned())
}

fn listing_label(code: &str) -> &'static str {
    match code {
        "abnormal" => "经营异常名录",
        "dishonesty" => "严重违法失信名单",
        _ => "",
    }
}

fn action_label(action: &str) -> String {
    let code = action.strip_prefix("entity.").unwrap_or(action);
    let a = match code {
        "import" => return "导入".to_owned(),
        "establish" => Action::Establish,
        "amend" => Action::Amend,
        "move_in" => Action::MoveIn,
        "move_out" => Action::MoveOut,
        "dormancy_begin" => Action::BeginDormancy,
        "dormancy_extend" => Action::ExtendDormancy,
        "dormancy_end" => Action::EndDormancy,
        "dormancy_resume" => Action::ResumeAutomatically,
        "simplified_deregistration" => Action::ApplySimplifiedDeregistration,
        "deregister" => Action::Deregister,
        "revoke" => Action::Revoke,
        "cancel" => Action::CancelRegistration,
        other => {
            return Action::from_code(other)
                .map_or_else(|| action.to_owned(), |a| a.label_zh().to_owned())
        }
    };
    a.label_zh().to_owned()
}

fn wan(fen: Option<i64>) -> String {
    fen.map(|f| Fen::new(f).display_wan_yuan())
        .unwrap_or_default()
}

fn beijing_time(t: chrono::DateTime<chrono::Utc>) -> String {
    // Beijing time has had no daylight saving since 1991: a fixed +08:00 is exact here.
    chrono::FixedOffset::east_opt(8 * 3600)
        .map(|tz| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| t.to_rfc3339())
}

/// A date field of a form: empty is "not given"; the accepted forms are the importer's.
fn form_date(label: &str, text: &str) -> Result<Option<NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    parse_date(t)
        .map(Some)
        .map_err(|e| format!("{label}：{}", e.message()))
}

// ---- divisions ----

/// The divisions of the actor's jurisdiction (counties and townships) and a name for
/// every division code.
struct Divisions {
    options: Vec<(String, String)>,
    names: HashMap<String, String>,
}

impl Divisions {
    /// `东宝区龙泉街道` for a township, `东宝区` for a county, else the code.
    fn name(&self, code: &str) -> String {
        self.names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }
}

async fn divisions(state: &AppState, jurisdiction: &str) -> Divisions {
    let (all, _) = reference::divisions(&state.store).await.unwrap_or_default();
    let roots = jurisdictions::divisions(&state.store, jurisdiction)
        .await
        .unwrap_or_default();
    let parent: HashMap<&str, Option<&str>> = all
        .iter()
        .map(|d| (d.code.as_str(), d.parent_code.as_deref()))
        .collect();
    let short: HashMap<&str, &str> = all
        .iter()
        .map(|d| (d.code.as_str(), d.name.as_str()))
        .collect();
    let in_scope = |code: &str| {
        let mut c = Some(code);
        while let Some(x) = c {
            if roots.iter().any(|r| r == x) {
                return true;
            }
            c = parent.get(x).copied().flatten();
        }
        false
    };
    let mut names = HashMap::new();
    let mut options = Vec::new();
    for d in &all {
        let full = match (d.level.as_str(), d.parent_code.as_deref()) {
            ("township", Some(p)) => format!("{}{}", short.get(p).copied().unwrap_or(""), d.name),
            _ => d.name.clone(),
        };
        if matches!(d.level.as_str(), "county" | "township") && in_scope(&d.code) {
            let label = if d.level == "township" {
                format!("　{}（{}）", d.name, d.code)
            } else {
                format!("{}（{}）", d.name, d.code)
            };
            options.push((d.code.clone(), label));
        }
        names.insert(d.code.clone(), full);
    }
    Divisions { options, names }
}

// ---- list and search ----

#[derive(Deserialize, Default, Clone)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    division: String,
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    listing: String,
    #[serde(default)]
    cursor: String,
}

impl ListQuery {
    /// The search parameters as a query string (without the cursor).
    fn params(&self) -> Vec<(&'static str, &str)> {
        [
            ("q", self.q.as_str()),
            ("division", self.division.as_str()),
            ("entity_type", self.entity_type.as_str()),
            ("status", self.status.as_str()),
            ("listing", self.listing.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
    }

    fn href(&self, path: &str, extra: &[(&'static str, &str)]) -> String {
        let mut p = self.params();
        p.extend_from_slice(extra);
        let qs = serde_urlencoded::to_string(&p).unwrap_or_default();
        if qs.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{qs}")
        }
    }
}

struct HitView {
    uscc: String,
    name: String,
    type_label: String,
    status_label: String,
    status: String,
    listing_label: &'static str,
    division: String,
    legal_rep: String,
    domicile: String,
}

/// The results part of the list page (also the htmx fragment).
#[derive(Default)]
struct Results {
    hits: Vec<HitView>,
    total: usize,
    next_href: Option<String>,
    export_csv: Option<String>,
    export_xlsx: Option<String>,
    error: Option<String>,
    searched: bool,
}

#[derive(Template)]
#[template(path = "entities.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    divisions: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    listings: Vec<(&'static str, &'static str)>,
    can_register: bool,
    can_import: bool,
    r: Results,
}

#[derive(Template)]
#[template(path = "entity_results.html")]
struct ResultsFragment {
    r: Results,
}

async fn results(
    state: &AppState,
    auth: &PageAuth,
    ctx: &RequestCtx,
    q: &ListQuery,
    divs: &Divisions,
) -> Results {
    let clean = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let sq = SearchQuery {
        q: clean(&q.q),
        division: clean(&q.division),
        entity_type: clean(&q.entity_type),
        status: clean(&q.status),
        industry: None,
        listing: clean(&q.listing),
        limit: Some(PAGE_SIZE),
        cursor: clean(&q.cursor),
    };
    let page = match run_search(state, &api_auth(auth), ctx, &sq).await {
        Ok(p) => p,
        Err(e) => {
            return Results {
                error: Some(e.detail),
                ..Results::default()
            }
        }
    };
    let export = |format: &'static str| {
        can(auth, Permission::ExportEntities)
            .then(|| q.href("/api/v1/entity-exports", &[("format", format)]))
    };
    Results {
        hits: page
            .items
            .into_iter()
            .map(|h| HitView {
                type_label: type_label(&h.entity_type, None),
                status_label: status_label(&h.status),
                listing_label: listing_label(&h.listing),
                division: divs.name(&h.division_code),
                uscc: h.uscc,
                name: h.name,
                status: h.status,
                legal_rep: h.legal_rep,
                domicile: h.domicile,
            })
            .collect(),
        total: page.total,
        next_href: page
            .next_cursor
            .map(|c| q.href("/entities", &[("cursor", c.as_str())])),
        export_csv: export("csv"),
        export_xlsx: export("xlsx"),
        error: None,
        searched: !q.params().is_empty(),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let divs = divisions(&state, &auth.0.user.jurisdiction_code).await;
    let r = results(&state, &auth, &ctx, &q, &divs).await;
    if wants_fragment(&headers) {
        return render(StatusCode::OK, &ResultsFragment { r });
    }
    let page = ListPage {
        chrome: chrome(&state, &auth).await,
        divisions: divs.options,
        kinds: EntityKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        statuses: EntityStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh()))
            .collect(),
        listings: vec![
            ("abnormal", "经营异常名录"),
            ("dishonesty", "严重违法失信名单"),
            ("none", "未列入名录"),
        ],
        can_register: can(&auth, Permission::RegisterEntities),
        can_import: can(&auth, Permission::ImportEntities),
        q,
        r,
    };
    render(StatusCode::OK, &page)
}

// ---- one entity ----

struct Fact {
    label: String,
    value: String,
}

/// The registered items of an entity with their Chinese labels, in the form's order.
fn facts(e: &Entity, divs: &Divisions) -> Vec<Fact> {
    let detailed = e
        .enterprise_type
        .as_deref()
        .and_then(EnterpriseType::from_code);
    let head = detailed.map_or("法定代表人/经营者", EnterpriseType::legal_rep_title_zh);
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let premises = e
        .additional_premises
        .iter()
        .map(|p| format!("{}（{}）", p.address, divs.name(&p.division_code)))
        .collect::<Vec<_>>()
        .join("；");
    let mut v = vec![
        ("统一社会信用代码", e.uscc.clone()),
        ("名称", e.name.clone()),
        (
            "类型",
            type_label(&e.entity_type, e.enterprise_type.as_deref()),
        ),
        (head, e.legal_rep.clone()),
        ("身份证号", opt(&e.legal_rep_id_masked)),
        ("联系电话", opt(&e.phone_masked)),
        ("注册资本", wan(e.registered_capital_fen)),
        ("币种", e.capital_currency.clone()),
        ("认缴出资额", wan(e.subscribed_capital_fen)),
        ("实缴出资额", wan(e.paid_in_capital_fen)),
        ("认缴出资期限", opt(&e.contribution_deadline)),
        ("成立日期", opt(&e.established_on)),
        ("住所", e.domicile.clone()),
        (
            "行政区划",
            format!("{}（{}）", divs.name(&e.division_code), e.division_code),
        ),
        ("其他经营场所", premises),
        ("行业代码", e.industry_code.clone()),
        ("经营范围", e.business_scope.clone()),
        ("登记机关", e.registration_authority.clone()),
        ("隶属企业", opt(&e.parent_uscc)),
        ("登记状态", status_label(&e.status)),
        ("歇业至", opt(&e.dormant_until)),
        ("名录", listing_label(&e.listing).to_owned()),
    ];
    if let Some(t) = e.received_at {
        v.push(("受理时间", beijing_time(t)));
    }
    if let Some(t) = e.issued_at {
        v.push(("发照时间", beijing_time(t)));
    }
    v.into_iter()
        .map(|(label, value)| Fact {
            label: label.to_owned(),
            value,
        })
        .collect()
}

struct VersionView {
    version: i64,
    effective_on: String,
    action: String,
    changes: String,
    actor: String,
    recorded_at: String,
    href: String,
}

/// A status action offered as a form.
struct StatusForm {
    action: &'static str,
    title: &'static str,
    button: &'static str,
    hint: &'static str,
    effective_label: Option<&'static str>,
    ends_on: bool,
    reason: bool,
    to_authority: bool,
    confirm: Option<String>,
    error: Option<String>,
}

struct ObjectionView {
    kind: &'static str,
    objector: String,
    content: String,
    received_on: String,
}

struct ApplicationView {
    id: String,
    state: String,
    state_label: &'static str,
    notice_starts_on: String,
    period_label: &'static str,
    period_end: String,
    first_application_day: String,
    application_deadline: String,
    decided_on: String,
    reason: String,
    objections: Vec<ObjectionView>,
}

fn objector_kinds() -> Vec<(&'static str, &'static str)> {
    [
        ObjectorKind::Department,
        ObjectorKind::Creditor,
        ObjectorKind::Other,
    ]
    .iter()
    .map(|k| (k.as_str(), k.label_zh()))
    .collect()
}

fn application_view(a: SimplifiedDeregistration, kind: Option<EntityKind>) -> ApplicationView {
    let rule = kind.map_or_else(
        SimplifiedDeregistrationRule::default,
        SimplifiedDeregistrationRule::for_kind,
    );
    let start = a.notice_starts_on.parse::<NaiveDate>().ok();
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    ApplicationView {
        state_label: match a.state.as_str() {
            "notice" => "公示中",
            "refused" => "不予注销",
            "deregistered" => "已注销",
            "withdrawn" => "已撤回",
            _ => "",
        },
        period_label: if rule.public_notice {
            "公示期"
        } else {
            "异议期"
        },
        period_end: day(start.map(|s| rule.period_end(s))),
        first_application_day: day(start.map(|s| rule.first_application_day(s))),
        application_deadline: day(start.and_then(|s| rule.application_deadline(s))),
        objections: a
            .objections
            .into_iter()
            .map(|o| ObjectionView {
                kind: [
                    ObjectorKind::Department,
                    ObjectorKind::Creditor,
                    ObjectorKind::Other,
                ]
                .into_iter()
                .find(|k| k.as_str() == o.objector_kind)
                .map_or("", ObjectorKind::label_zh),
                objector: o.objector,
                content: o.content,
                received_on: o.received_on,
            })
            .collect(),
        id: a.id,
        state: a.state,
        notice_starts_on: a.notice_starts_on,
        decided_on: a.decided_on.unwrap_or_default(),
        reason: a.reason,
    }
}

#[derive(Template)]
#[template(path = "entity.html")]
struct DetailPage {
    chrome: Chrome,
    uscc: String,
    name: String,
    status: String,
    status_label: String,
    listing_label: &'static str,
    version: i64,
    as_of: String,
    as_of_error: Option<String>,
    facts: Vec<Fact>,
    capital_flag: Option<(bool, String)>,
    versions: Vec<VersionView>,
    can_register: bool,
    can_amend: bool,
    status_forms: Vec<StatusForm>,
    can_start_simplified: bool,
    application: Option<ApplicationView>,
    objector_kinds: Vec<(&'static str, &'static str)>,
    bars: Vec<(&'static str, &'static str)>,
    can_record_bar: bool,
    /// The bars recorded against the entity (holding ones first).
    recorded_bars: Vec<RecordedBar>,
    /// Abnormal / serious list entries, newest first.
    list_entries: Vec<shijian_storage::listings::ListEntry>,
    /// Removal applications not yet decided.
    pending_removals: Vec<shijian_storage::listings::RemovalApplication>,
    /// (code, reason) of the grounds an officer records.
    grounds: Vec<(&'static str, String)>,
    /// Annual reports, newest first.
    reports: Vec<shijian_storage::annual_reports::AnnualReport>,
    /// Numbered decision documents.
    documents: Vec<shijian_storage::documents::DocumentInfo>,
    today: String,
    message: Option<String>,
    /// (form, message): the form whose submission was refused.
    error: Option<(String, String)>,
    /// A refusal whose form is no longer shown (the status changed meanwhile).
    top_error: Option<String>,
}

struct RecordedBar {
    label: String,
    note: String,
    recorded_at: String,
    lifted: bool,
}

impl DetailPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == form)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize, Default)]
pub(super) struct DetailQuery {
    #[serde(default)]
    as_of: String,
    /// The simplified deregistration to show.
    #[serde(default)]
    sd: String,
    #[serde(default)]
    done: String,
}

fn done_message(done: &str) -> Option<String> {
    let m = match done {
        "established" => "设立登记已完成。",
        "amend" => "变更登记已完成。",
        "begin_dormancy" => "已办理歇业备案。",
        "extend_dormancy" => "已延长歇业期限。",
        "end_dormancy" => "已恢复营业。",
        "move_out" => "已办理迁出登记。",
        "deregister" => "已办理注销登记。",
        "revoke" => "已吊销营业执照。",
        "cancel" => "已撤销登记。",
        "simplified_start" => "简易注销已开始公示（个体工商户：异议期开始）。",
        "objection" => "异议已记录。",
        "decision" => "简易注销登记已完成，该市场主体已注销。",
        "bar" => "限制事项已记录。",
        "list" => "已列入经营异常名录（个体工商户：已标记经营异常状态），决定书已生成。",
        "removal_apply" => "移出申请已受理。",
        "removal_decide" => "移出申请已作出决定。",
        _ => return None,
    };
    Some(m.to_owned())
}

/// The status actions, offered when the domain's state machine allows them now.
fn status_forms(status: Option<EntityStatus>, error: Option<&(String, String)>) -> Vec<StatusForm> {
    let f = |action, title, button, hint, effective_label| StatusForm {
        action,
        title,
        button,
        hint,
        effective_label,
        ends_on: false,
        reason: false,
        to_authority: false,
        confirm: None,
        error: None,
    };
    let forms = [
        (
            Action::BeginDormancy,
            StatusForm {
                ends_on: true,
                reason: true,
                ..f(
                    "begin_dormancy",
                    "歇业",
                    "办理歇业备案",
                    "因自然灾害、事故灾难、公共卫生事件、社会安全事件等原因造成经营困难的，可以歇业；累计不超过 3 年。",
                    Some("歇业起始日"),
                )
            },
        ),
        (
            Action::ExtendDormancy,
            StatusForm {
                ends_on: true,
                ..f(
                    "extend_dormancy",
                    "延长歇业",
                    "延长歇业期限",
                    "歇业期限届满前 30 日内办理；累计不超过 3 年。",
                    None,
                )
            },
        ),
        (
            Action::EndDormancy,
            f("end_dormancy", "恢复营业", "恢复营业", "终止歇业，恢复经营。", Some("恢复营业日期")),
        ),
        (
            Action::MoveOut,
            StatusForm {
                to_authority: true,
                ..f(
                    "move_out",
                    "迁出",
                    "办理迁出登记",
                    "住所迁至本辖区以外的登记机关管辖范围。",
                    Some("迁出日期"),
                )
            },
        ),
        (
            Action::Deregister,
            StatusForm {
                confirm: Some("我已核对清算报告等材料，确认办理注销登记".into()),
                ..f("deregister", "注销", "办理注销登记", "注销登记后该市场主体终止，不可恢复。", Some("注销日期"))
            },
        ),
        (
            Action::Revoke,
            StatusForm {
                confirm: Some("我已核对行政处罚决定，确认吊销营业执照".into()),
                ..f("revoke", "吊销", "吊销营业执照", "依行政处罚决定吊销营业执照。", Some("吊销日期"))
            },
        ),
        (
            Action::CancelRegistration,
            StatusForm {
                confirm: Some("我已核实虚假登记情形，确认撤销登记".into()),
                ..f(
                    "cancel",
                    "撤销登记",
                    "撤销登记",
                    "提交虚假材料或者采取其他欺诈手段隐瞒重要事实取得登记的，撤销登记（条例第四十条）。",
                    Some("撤销日期"),
                )
            },
        ),
    ];
    forms
        .into_iter()
        .filter(|(a, _)| status.is_some_and(|s| transition(Some(s), *a).is_ok()))
        .map(|(_, mut form)| {
            form.error = error
                .filter(|(k, _)| k == form.action)
                .map(|(_, m)| m.clone());
            form
        })
        .collect()
}

struct DetailOpts {
    as_of: String,
    sd: String,
    message: Option<String>,
    error: Option<(String, String)>,
}

async fn detail_page(
    state: &AppState,
    auth: &PageAuth,
    ctx: &RequestCtx,
    uscc: &str,
    o: DetailOpts,
) -> Response {
    let actor = auth.actor();
    let current = match entities::get(&state.store, &actor, ctx, uscc).await {
        Ok(e) => e,
        Err(e) => return message_page(state, auth, e.into()).await,
    };
    let history = entities::history(&state.store, &actor, ctx, uscc)
        .await
        .unwrap_or_default();
    let divs = divisions(state, &actor.jurisdiction).await;
    let today = state.store.clock().today();
    let mut as_of_error = None;
    let as_of_day = match form_date("查询日期", &o.as_of) {
        Ok(d) => d,
        Err(e) => {
            as_of_error = Some(e);
            None
        }
    };
    let shown = match as_of_day {
        Some(d) => match entities::as_of(&state.store, &actor, ctx, uscc, d).await {
            Ok(e) => Some(e),
            Err(shijian_storage::StoreError::NotFound) => {
                as_of_error = Some(format!("{d} 时该市场主体尚未登记。"));
                None
            }
            Err(e) => {
                as_of_error = Some(ApiError::from(e).detail);
                None
            }
        },
        None => None,
    };
    let e = shown.as_ref().unwrap_or(&current);
    let capital_flag = e
        .capital_flag(today)
        .map(|flag| (flag.needs_attention(), flag.message()));
    let all_facts: Vec<Vec<Fact>> = history.iter().map(|v| facts(&v.entity, &divs)).collect();
    let versions = history
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // Newest first: the version before this one is the next in the list.
            let changes = match all_facts.get(i + 1) {
                Some(prev) => all_facts[i]
                    .iter()
                    .zip(prev)
                    .filter(|(a, b)| a.value != b.value && a.label == b.label)
                    .map(|(a, _)| a.label.clone())
                    .collect::<Vec<_>>()
                    .join("、"),
                None => String::new(),
            };
            VersionView {
                version: v.version,
                href: format!("/entities/{}?as_of={}", current.uscc, v.effective_on),
                effective_on: v.effective_on.clone(),
                action: action_label(&v.action),
                changes,
                actor: v.actor.clone(),
                recorded_at: beijing_time(v.recorded_at),
            }
        })
        .collect();
    let status = EntityStatus::from_code(&current.status);
    let allowed = |a: Action| status.is_some_and(|s| transition(Some(s), a).is_ok());
    let can_register = can(auth, Permission::RegisterEntities);
    let kind = EntityKind::from_code(&current.entity_type);
    let mut error = o.error;
    let application = if o.sd.trim().is_empty() {
        // The latest application of this entity, if any.
        match entities::simplified_deregistrations_of(&state.store, &actor, ctx, &current.uscc)
            .await
        {
            Ok(list) => list.into_iter().next().map(|a| application_view(a, kind)),
            Err(e) => {
                error.get_or_insert_with(|| ("simplified".into(), ApiError::from(e).detail));
                None
            }
        }
    } else {
        match entities::simplified_deregistration(&state.store, &actor, ctx, o.sd.trim()).await {
            Ok(a) if a.uscc == current.uscc => Some(application_view(a, kind)),
            Ok(_) | Err(shijian_storage::StoreError::NotFound) => {
                error.get_or_insert_with(|| {
                    (
                        "simplified".into(),
                        "没有找到该市场主体的这个简易注销申请。".into(),
                    )
                });
                None
            }
            Err(e) => {
                error.get_or_insert_with(|| ("simplified".into(), ApiError::from(e).detail));
                None
            }
        }
    };
    let status_forms = if can_register {
        status_forms(status, error.as_ref())
    } else {
        Vec::new()
    };
    let can_record_bar = can_register && status.is_some_and(|s| !s.is_terminal());
    let top_error = error.as_ref().and_then(|(form, m)| {
        let shown = status_forms.iter().any(|f| f.action == form.as_str())
            || (form == "simplified" && can_register)
            || (form == "bar" && can_record_bar)
            || (matches!(form.as_str(), "objection" | "decision")
                && application.as_ref().is_some_and(|a| a.state == "notice"));
        (!shown).then(|| m.clone())
    });
    let lists = shijian_storage::listings::of_entity(&state.store, &actor, ctx, &current.uscc)
        .await
        .unwrap_or_default();
    let page = DetailPage {
        chrome: chrome(state, auth).await,
        name: e.name.clone(),
        status: e.status.clone(),
        status_label: status_label(&e.status),
        listing_label: listing_label(&e.listing),
        version: e.version,
        as_of: as_of_day.map(|d| d.to_string()).unwrap_or_default(),
        as_of_error,
        facts: facts(e, &divs),
        capital_flag,
        versions,
        can_register,
        can_amend: can_register && allowed(Action::Amend),
        status_forms,
        can_start_simplified: can_register && allowed(Action::StartSimplifiedDeregistration),
        application,
        objector_kinds: objector_kinds(),
        bars: Bar::ALL
            .iter()
            .filter(|b| !matches!(b, Bar::AbnormalListing | Bar::DishonestyListing))
            .map(|b| (b.as_str(), b.label_zh()))
            .collect(),
        can_record_bar,
        recorded_bars: entities::bars_of(&state.store, &actor, ctx, &current.uscc)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|b| RecordedBar {
                label: Bar::ALL
                    .iter()
                    .find(|x| x.as_str() == b.bar)
                    .map_or(b.bar.clone(), |x| x.label_zh().to_owned()),
                note: b.note,
                recorded_at: b.recorded_at.format("%Y-%m-%d").to_string(),
                lifted: b.lifted_at.is_some(),
            })
            .collect(),
        list_entries: lists.0,
        pending_removals: lists
            .1
            .into_iter()
            .filter(|a| a.state == "pending")
            .collect(),
        grounds: shijian_domain::entity::listing::Ground::RECORDED_BY_OFFICERS
            .iter()
            .map(|g| (g.as_str(), g.reason_zh(None)))
            .collect(),
        reports: shijian_storage::annual_reports::of_entity(
            &state.store,
            &actor,
            ctx,
            &current.uscc,
        )
        .await
        .unwrap_or_default(),
        documents: shijian_storage::documents::of_entity(&state.store, &current.uscc)
            .await
            .unwrap_or_default(),
        today: today.to_string(),
        message: o.message,
        uscc: current.uscc,
        error,
        top_error,
    };
    let code = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(code, &page)
}

pub(super) async fn detail(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Response {
    let opts = DetailOpts {
        message: done_message(&q.done),
        as_of: q.as_of,
        sd: q.sd,
        error: None,
    };
    detail_page(&state, &auth, &ctx, &uscc, opts).await
}

async fn refused(
    state: &AppState,
    auth: &PageAuth,
    ctx: &RequestCtx,
    uscc: &str,
    form: &str,
    sd: &str,
    detail: String,
) -> Response {
    let opts = DetailOpts {
        as_of: String::new(),
        sd: sd.to_owned(),
        message: None,
        error: Some((form.to_owned(), detail)),
    };
    detail_page(state, auth, ctx, uscc, opts).await
}

fn back(uscc: &str, done: &str, sd: Option<&str>) -> Response {
    let mut p = vec![("done", done)];
    if let Some(id) = sd {
        p.push(("sd", id));
    }
    let qs = serde_urlencoded::to_string(&p).unwrap_or_default();
    Redirect::to(&format!("/entities/{}?{qs}", urlencode_path(uscc))).into_response()
}

/// A credit code as a path segment (it is alphanumeric when valid; anything else is
/// percent-encoded so a redirect cannot be steered).
fn urlencode_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Deserialize)]
pub(super) struct StatusFormData {
    action: String,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    to_authority: String,
    confirm: Option<String>,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "ends_on" => "歇业截止日期",
        "reason" => "歇业原因",
        "to_authority" => "迁入地登记机关",
        _ => "必填项",
    }
}

pub(super) async fn status_change(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<StatusFormData>,
) -> Response {
    let action = f.action.clone();
    match change_status(&state, &auth, &ctx, &uscc, f).await {
        Ok(()) => back(&uscc, &action, None),
        Err(detail) => refused(&state, &auth, &ctx, &uscc, &action, "", detail).await,
    }
}

async fn change_status(
    state: &AppState,
    auth: &PageAuth,
    ctx: &RequestCtx,
    uscc: &str,
    f: StatusFormData,
) -> Result<(), String> {
    let destructive = matches!(f.action.as_str(), "deregister" | "revoke" | "cancel");
    if destructive && f.confirm.as_deref() != Some("yes") {
        return Err("请先勾选确认，再提交。".into());
    }
    let label = match f.action.as_str() {
        "begin_dormancy" => "歇业起始日",
        "end_dormancy" => "恢复营业日期",
        "move_out" => "迁出日期",
        "deregister" => "注销日期",
        "revoke" => "吊销日期",
        "cancel" => "撤销日期",
        _ => "生效日期",
    };
    let effective_on = form_date(label, &f.effective_on)?;
    let ends_on = form_date("歇业截止日期", &f.ends_on)?;
    let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let req = StatusChangeRequest {
        effective_on,
        ends_on,
        reason: some(&f.reason),
        to_authority: some(&f.to_authority),
        action: f.action,
    };
    match apply_status_change(state, &api_auth(auth), ctx, uscc, req).await {
        Ok(_) => Ok(()),
        Err(e) if e.code == "missing_field" => {
            let field = e.detail.rsplit(' ').next().unwrap_or_default();
            Err(format!("请填写{}。", field_label(field)))
        }
        Err(e) => Err(e.detail),
    }
}

// ---- simplified deregistration and bars ----

#[derive(Deserialize)]
pub(super) struct SimplifiedStartForm {
    #[serde(default)]
    notice_starts_on: String,
}

pub(super) async fn simplified_start(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<SimplifiedStartForm>,
) -> Response {
    let on = match form_date("公示起始日", &f.notice_starts_on) {
        Ok(d) => d.unwrap_or_else(|| state.store.clock().today()),
        Err(e) => return refused(&state, &auth, &ctx, &uscc, "simplified", "", e).await,
    };
    match entities::simplified_deregistration_start(&state.store, &auth.actor(), &ctx, &uscc, on)
        .await
    {
        Ok(a) => back(&uscc, "simplified_start", Some(&a.id)),
        Err(e) => {
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "simplified", "", detail).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ObjectionForm {
    objector_kind: String,
    #[serde(default)]
    objector: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    received_on: String,
}

pub(super) async fn simplified_objection(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path((uscc, id)): Path<(String, String)>,
    Form(f): Form<ObjectionForm>,
) -> Response {
    let on = match form_date("收到日期", &f.received_on) {
        Ok(d) => d.unwrap_or_else(|| state.store.clock().today()),
        Err(e) => return refused(&state, &auth, &ctx, &uscc, "objection", &id, e).await,
    };
    let r = entities::add_objection(
        &state.store,
        &auth.actor(),
        &ctx,
        &id,
        &f.objector_kind,
        f.objector.trim(),
        f.content.trim(),
        on,
    )
    .await;
    match r {
        Ok(_) => back(&uscc, "objection", Some(&id)),
        Err(e) => {
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "objection", &id, detail).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    decided_on: String,
}

pub(super) async fn simplified_decision(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path((uscc, id)): Path<(String, String)>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let on = match form_date("决定日期", &f.decided_on) {
        Ok(d) => d.unwrap_or_else(|| state.store.clock().today()),
        Err(e) => return refused(&state, &auth, &ctx, &uscc, "decision", &id, e).await,
    };
    match entities::simplified_deregistration_apply(&state.store, &auth.actor(), &ctx, &id, on)
        .await
    {
        Ok(_) => back(&uscc, "decision", Some(&id)),
        Err(e) => {
            // A refusal is recorded with its reason and shown with the application.
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "decision", &id, detail).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct BarForm {
    bar: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn bar_record(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<BarForm>,
) -> Response {
    match entities::record_bar(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        &f.bar,
        f.note.trim(),
    )
    .await
    {
        Ok(_) => back(&uscc, "bar", None),
        Err(e) => {
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "bar", "", detail).await
        }
    }
}

// ---- establish and amend ----

/// The registered items as a form sends them.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ItemsForm {
    uscc: String,
    name: String,
    entity_type: String,
    legal_rep: String,
    legal_rep_id_number: String,
    phone: String,
    registered_capital: String,
    capital_currency: String,
    subscribed_capital: String,
    paid_in_capital: String,
    contribution_deadline: String,
    established_on: String,
    domicile: String,
    division_code: String,
    industry_code: String,
    business_scope: String,
    registration_authority: String,
    parent_uscc: String,
    /// One premises per line: `区划代码 地址`.
    additional_premises: String,
    effective_on: String,
    expected_version: String,
}

impl ItemsForm {
    fn from_entity(e: &Entity) -> Self {
        let amount = |v: Option<i64>| {
            v.map(|f| Fen::new(f).to_wan_yuan_string())
                .unwrap_or_default()
        };
        Self {
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            entity_type: type_label(&e.entity_type, e.enterprise_type.as_deref()),
            legal_rep: e.legal_rep.clone(),
            legal_rep_id_number: String::new(),
            phone: String::new(),
            registered_capital: amount(e.registered_capital_fen),
            capital_currency: e.capital_currency.clone(),
            subscribed_capital: amount(e.subscribed_capital_fen),
            paid_in_capital: amount(e.paid_in_capital_fen),
            contribution_deadline: e.contribution_deadline.clone().unwrap_or_default(),
            established_on: e.established_on.clone().unwrap_or_default(),
            domicile: e.domicile.clone(),
            division_code: e.division_code.clone(),
            industry_code: e.industry_code.clone(),
            business_scope: e.business_scope.clone(),
            registration_authority: e.registration_authority.clone(),
            parent_uscc: e.parent_uscc.clone().unwrap_or_default(),
            additional_premises: e
                .additional_premises
                .iter()
                .map(|p| format!("{} {}", p.division_code, p.address))
                .collect::<Vec<_>>()
                .join("\n"),
            effective_on: String::new(),
            expected_version: e.version.to_string(),
        }
    }

    /// The items for `check_items`; the premises lines are `区划代码 地址`.
    fn raw(&self) -> Result<RawItems, (String, String)> {
        let mut premises = Vec::new();
        for (i, line) in self.additional_premises.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once(char::is_whitespace) {
                Some((code, address)) if !address.trim().is_empty() => premises.push(Premises {
                    division_code: code.to_owned(),
                    address: address.trim().to_owned(),
                }),
                _ => {
                    return Err((
                        "additional_premises".into(),
                        format!("其他经营场所：第 {} 行应为“行政区划代码 地址”", i + 1),
                    ))
                }
            }
        }
        Ok(RawItems {
            name: self.name.clone(),
            entity_type: self.entity_type.clone(),
            legal_rep: self.legal_rep.clone(),
            legal_rep_id_number: self.legal_rep_id_number.clone(),
            phone: self.phone.clone(),
            registered_capital: self.registered_capital.clone(),
            capital_currency: self.capital_currency.clone(),
            subscribed_capital: self.subscribed_capital.clone(),
            paid_in_capital: self.paid_in_capital.clone(),
            contribution_deadline: self.contribution_deadline.clone(),
            established_on: self.established_on.clone(),
            domicile: self.domicile.clone(),
            division_code: self.division_code.clone(),
            industry_code: self.industry_code.clone(),
            business_scope: self.business_scope.clone(),
            registration_authority: self.registration_authority.clone(),
            parent_uscc: self.parent_uscc.clone(),
            additional_premises: premises,
            status: String::new(),
        })
    }

    fn value(&self, name: &str) -> &str {
        match name {
            "uscc" => &self.uscc,
            "name" => &self.name,
            "legal_rep" => &self.legal_rep,
            "legal_rep_id_number" => &self.legal_rep_id_number,
            "phone" => &self.phone,
            "registered_capital" => &self.registered_capital,
            "capital_currency" => &self.capital_currency,
            "subscribed_capital" => &self.subscribed_capital,
            "paid_in_capital" => &self.paid_in_capital,
            "contribution_deadline" => &self.contribution_deadline,
            "established_on" => &self.established_on,
            "domicile" => &self.domicile,
            "industry_code" => &self.industry_code,
            "business_scope" => &self.business_scope,
            "registration_authority" => &self.registration_authority,
            "parent_uscc" => &self.parent_uscc,
            "additional_premises" => &self.additional_premises,
            "effective_on" => &self.effective_on,
            _ => "",
        }
    }
}

/// One input of the establish/amend form.
struct FieldView {
    name: &'static str,
    label: String,
    value: String,
    /// `text`, `date`, `textarea`, `type` (the type select) or `division` (its select).
    kind: &'static str,
    required: bool,
    hint: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "entity_form.html")]
struct FormPage {
    chrome: Chrome,
    amend: bool,
    action: String,
    title: String,
    uscc: String,
    expected_version: String,
    fields: Vec<FieldView>,
    kinds: Vec<&'static str>,
    types: Vec<&'static str>,
    divisions: Vec<(String, String)>,
    entity_type: String,
    division_code: String,
    error: Option<String>,
}

/// Which field a refusal from `check_items` names: its detail starts with the field's
/// Chinese label (`名称：…`).
fn field_of(detail: &str) -> Option<&'static str> {
    if detail.starts_with("其他经营场所") || detail.starts_with('：') {
        return Some("additional_premises");
    }
    entities::COLUMNS
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| !column_label(n).is_empty())
        .find(|n| detail.starts_with(&format!("{}：", column_label(n))))
}

async fn form_page(
    state: &AppState,
    auth: &PageAuth,
    form: &ItemsForm,
    amend: Option<&Entity>,
    error: Option<String>,
) -> Response {
    let field_error = error.as_deref().and_then(field_of);
    let keep = "留空表示不变";
    let mut specs: Vec<(&'static str, &'static str, bool, String)> = Vec::new();
    if amend.is_none() {
        specs.push(("uscc", "text", true, "18 位，含校验码".into()));
    }
    specs.extend([
        ("name", "text", true, String::new()),
        ("entity_type", "type", true, String::new()),
        (
            "legal_rep",
            "text",
            true,
            "法定代表人、执行事务合伙人、负责人、投资人或经营者".into(),
        ),
        (
            "legal_rep_id_number",
            "text",
            false,
            amend.map_or_else(String::new, |e| {
                format!(
                    "{keep}（现登记：{}）",
                    e.legal_rep_id_masked.as_deref().unwrap_or("无")
                )
            }),
        ),
        (
            "phone",
            "text",
            false,
            amend.map_or_else(String::new, |e| {
                format!(
                    "{keep}（现登记：{}）",
                    e.phone_masked.as_deref().unwrap_or("无")
                )
            }),
        ),
        (
            "registered_capital",
            "text",
            false,
            "单位：万元，如 100 或 12.5".into(),
        ),
        (
            "capital_currency",
            "text",
            false,
            "默认 CNY（人民币）".into(),
        ),
        ("subscribed_capital", "text", false, "单位：万元".into()),
        ("paid_in_capital", "text", false, "单位：万元".into()),
        (
            "contribution_deadline",
            "date",
            false,
            "有限责任公司：自成立之日起不超过五年".into(),
        ),
        ("established_on", "date", false, String::new()),
        ("domicile", "text", false, String::new()),
        (
            "division_code",
            "division",
            true,
            "住所所在的乡镇（街道）".into(),
        ),
        (
            "industry_code",
            "text",
            false,
            "国民经济行业分类（GB/T 4754-2017），如 6210".into(),
        ),
        ("business_scope", "textarea", false, String::new()),
        ("registration_authority", "text", false, String::new()),
        (
            "parent_uscc",
            "text",
            false,
            "分支机构填写隶属企业的统一社会信用代码".into(),
        ),
        (
            "additional_premises",
            "textarea",
            false,
            "一照多址：每行一处，格式为“行政区划代码 地址”".into(),
        ),
    ]);
    if amend.is_some() {
        specs.push((
            "effective_on",
            "date",
            false,
            "默认今天；不得早于上一次登记事项生效日期".into(),
        ));
    }
    let fields = specs
        .into_iter()
        .map(|(name, kind, required, hint)| FieldView {
            label: match name {
                "additional_premises" => "其他经营场所".to_owned(),
                "effective_on" => "变更生效日期".to_owned(),
                "legal_rep" => "法定代表人/经营者".to_owned(),
                n => column_label(n).to_owned(),
            },
            value: form.value(name).to_owned(),
            error: (field_error == Some(name)).then(|| error.clone().unwrap_or_default()),
            name,
            kind,
            required,
            hint,
        })
        .collect();
    let divs = divisions(state, &auth.0.user.jurisdiction_code).await;
    let mut div_options = divs.options;
    if !form.division_code.is_empty() && !div_options.iter().any(|(c, _)| *c == form.division_code)
    {
        div_options.insert(0, (form.division_code.clone(), form.division_code.clone()));
    }
    let page = FormPage {
        chrome: chrome(state, auth).await,
        amend: amend.is_some(),
        action: amend.map_or_else(
            || "/entities/new".to_owned(),
            |e| format!("/entities/{}/amend", e.uscc),
        ),
        title: amend.map_or_else(
            || "设立登记".to_owned(),
            |e| format!("变更登记 · {}", e.name),
        ),
        uscc: amend.map(|e| e.uscc.clone()).unwrap_or_default(),
        expected_version: form.expected_version.clone(),
        fields,
        kinds: EntityKind::ALL.iter().map(|k| k.label_zh()).collect(),
        types: EnterpriseType::ALL.iter().map(|t| t.label_zh()).collect(),
        divisions: div_options,
        entity_type: form.entity_type.clone(),
        division_code: form.division_code.clone(),
        // A refusal that names a field is shown next to it; others above the form.
        error: if field_error.is_some() { None } else { error },
    };
    let code = if page.error.is_some() || field_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(code, &page)
}

pub(super) async fn new_form(State(state): State<AppState>, auth: PageAuth) -> Response {
    if !can(&auth, Permission::RegisterEntities) {
        return message_page(
            &state,
            &auth,
            ApiError::from(shijian_storage::StoreError::Forbidden),
        )
        .await;
    }
    let form = ItemsForm {
        capital_currency: "CNY".into(),
        ..ItemsForm::default()
    };
    form_page(&state, &auth, &form, None, None).await
}

pub(super) async fn establish(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<ItemsForm>,
) -> Response {
    let raw = match f.raw() {
        Ok(r) => r,
        Err((_, detail)) => return form_page(&state, &auth, &f, None, Some(detail)).await,
    };
    let r = async {
        let uscc = entities::check_uscc(&f.uscc)?;
        let items = check_items(&state, &raw).await?;
        Ok::<_, ApiError>(
            entities::establish(&state.store, &auth.actor(), &ctx, &uscc, &items, None).await?,
        )
    }
    .await;
    match r {
        Ok(e) => back(&e.uscc, "established", None),
        Err(e) => form_page(&state, &auth, &f, None, Some(e.detail)).await,
    }
}

pub(super) async fn amend_form(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
) -> Response {
    match entities::get(&state.store, &auth.actor(), &ctx, &uscc).await {
        Ok(e) => {
            let form = ItemsForm::from_entity(&e);
            form_page(&state, &auth, &form, Some(&e), None).await
        }
        Err(e) => message_page(&state, &auth, e.into()).await,
    }
}

pub(super) async fn amend(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<ItemsForm>,
) -> Response {
    let current = match entities::get(&state.store, &auth.actor(), &ctx, &uscc).await {
        Ok(e) => e,
        Err(e) => return message_page(&state, &auth, e.into()).await,
    };
    let r = async {
        let raw = f
            .raw()
            .map_err(|(_, d)| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_premises", d))?;
        let effective_on = form_date("变更生效日期", &f.effective_on)
            .map_err(|d| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_date", d))?
            .unwrap_or_else(|| state.store.clock().today());
        let items = check_items(&state, &raw).await?;
        Ok::<_, ApiError>(
            entities::amend(
                &state.store,
                &auth.actor(),
                &ctx,
                &uscc,
                &items,
                effective_on,
                f.expected_version.trim().parse().ok(),
            )
            .await?,
        )
    }
    .await;
    match r {
        Ok(_) => back(&uscc, "amend", None),
        Err(e) => form_page(&state, &auth, &f, Some(&current), Some(e.detail)).await,
    }
}

// ---- import ----

struct RejectRow {
    row: usize,
    column: String,
    reason: String,
}

struct ImportView {
    dry_run: bool,
    read: usize,
    inserted: usize,
    updated: usize,
    unchanged: usize,
    rejected: usize,
    rejects: Vec<RejectRow>,
    /// The embedded reject report (see the module docs) and how many rows it holds.
    report: String,
    report_rows: usize,
}

#[derive(Template)]
#[template(path = "entity_import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    result: Option<ImportView>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "entity_import_result.html")]
struct ImportFragment {
    csrf: String,
    result: Option<ImportView>,
    error: Option<String>,
}

fn reject_column(column: &str) -> String {
    match column_label(column) {
        "" if column.is_empty() => "（整行）".to_owned(),
        "" => column.to_owned(),
        l => l.to_owned(),
    }
}

fn import_view(s: entities::ImportSummary) -> ImportView {
    let mut raw = String::new();
    let mut report_rows = 0;
    for r in &s.rejects {
        let clean = |t: &str| t.replace(['\t', '\r', '\n'], " ");
        let line = format!(
            "{}\t{}\t{}\t{}\n",
            r.row,
            clean(r.column),
            clean(r.code),
            clean(&r.reason)
        );
        if (raw.len() + line.len()).div_ceil(3) * 4 > REJECTS_PAYLOAD_MAX {
            break;
        }
        raw.push_str(&line);
        report_rows += 1;
    }
    ImportView {
        dry_run: s.dry_run,
        read: s.read,
        inserted: s.inserted,
        updated: s.updated,
        unchanged: s.unchanged,
        rejected: s.rejected,
        rejects: s
            .rejects
            .iter()
            .take(REJECTS_SHOWN)
            .map(|r| RejectRow {
                row: r.row,
                column: reject_column(r.column),
                reason: r.reason.clone(),
            })
            .collect(),
        report: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_bytes()),
        report_rows,
    }
}

pub(super) async fn import_form(State(state): State<AppState>, auth: PageAuth) -> Response {
    let page = ImportPage {
        csrf: auth.0.csrf_token.clone(),
        chrome: chrome(&state, &auth).await,
        result: None,
        error: None,
    };
    render(StatusCode::OK, &page)
}

pub(super) async fn import(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let mut file: Option<Vec<u8>> = None;
    let mut dry_run = false;
    let mut error = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name().map(str::to_owned).as_deref() {
                Some("file") => match field.bytes().await {
                    Ok(b) => file = Some(b.to_vec()),
                    Err(_) => {
                        error = Some("文件上传失败：文件过大或传输中断。".to_owned());
                        break;
                    }
                },
                Some("dry_run") => dry_run = true,
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                error = Some("文件上传失败：文件过大或传输中断。".to_owned());
                break;
            }
        }
    }
    let mut result = None;
    if error.is_none() {
        match file.filter(|b| !b.is_empty()) {
            None => error = Some("请选择要导入的文件（CSV 或 Excel）。".to_owned()),
            Some(bytes) => {
                match run_import(&state, &api_auth(&auth), &ctx, &bytes, dry_run).await {
                    Ok(s) => result = Some(import_view(s)),
                    Err(e) => error = Some(e.detail),
                }
            }
        }
    }
    let csrf = auth.0.csrf_token.clone();
    if wants_fragment(&headers) {
        return render(
            StatusCode::OK,
            &ImportFragment {
                csrf,
                result,
                error,
            },
        );
    }
    let page = ImportPage {
        chrome: chrome(&state, &auth).await,
        csrf,
        result,
        error,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub(super) struct RejectsForm {
    report: String,
}

/// Echoes an import page's embedded reject report as CSV (the CLI's `--rejects` format).
pub(super) async fn import_rejects(_auth: PageAuth, Form(f): Form<RejectsForm>) -> Response {
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(f.report.trim()) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "拒绝明细无效，请重新导入后下载。",
        )
            .into_response();
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    let written = (|| -> std::io::Result<()> {
        let mut w = shijian_tabular::CsvWriter::new(&mut out, &["行号", "列", "代码", "原因"])?;
        for line in text.lines().filter(|l| !l.is_empty()) {
            let mut parts = line.splitn(4, '\t');
            let (row, column, code, reason) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            w.write_row(&[row, &reject_column(column), code, reason])?;
        }
        w.finish()?;
        Ok(())
    })();
    if written.is_err() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "生成拒绝明细失败").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rejects.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

// ---- abnormal list ----

#[derive(Deserialize)]
pub(super) struct ListForm {
    ground: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn list_record(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<ListForm>,
) -> Response {
    let new = shijian_storage::listings::NewListing {
        ground: f.ground,
        note: f.note.trim().to_owned(),
    };
    match shijian_storage::listings::record(&state.store, &auth.actor(), &ctx, &uscc, new).await {
        Ok(_) => back(&uscc, "list", None),
        Err(e) => {
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "list", "", detail).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RemovalApplyForm {
    entry: String,
    #[serde(default)]
    statement: String,
}

pub(super) async fn removal_apply(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<RemovalApplyForm>,
) -> Response {
    match shijian_storage::listings::apply_for_removal(
        &state.store,
        &auth.actor(),
        &ctx,
        &uscc,
        &f.entry,
        &f.statement,
    )
    .await
    {
        Ok(_) => back(&uscc, "removal_apply", None),
        Err(e) => {
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "list", "", detail).await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RemovalDecideForm {
    application: String,
    decision: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn removal_decide(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(uscc): Path<String>,
    Form(f): Form<RemovalDecideForm>,
) -> Response {
    let decision = shijian_storage::listings::RemovalDecision {
        approve: f.decision == "approve",
        note: f.note,
    };
    match shijian_storage::listings::decide_removal(
        &state.store,
        &auth.actor(),
        &ctx,
        &f.application,
        decision,
    )
    .await
    {
        Ok(_) => back(&uscc, "removal_decide", None),
        Err(e) => {
            let detail = ApiError::from(e).detail;
            refused(&state, &auth, &ctx, &uscc, "list", "", detail).await
        }
    }
}
