//! The page handlers. Each parses its form, calls one storage operation and renders or
//! redirects; refusals come back from storage as errors whose Chinese detail is shown.

use super::{jurisdiction_name, render, role_options, Chrome, MessagePage};
use crate::auth::{constant_eq, cookie, Ctx, PageAuth};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use shijian_domain::role::{Permission, Role};
use shijian_storage::audit::{self, AuditFilter};
use shijian_storage::jurisdictions::{self, Jurisdiction};
use shijian_storage::sessions::{self, SessionKind, SessionStage};
use shijian_storage::totp;
use shijian_storage::users::{self, NewUser, User, UserFilter};
use shijian_storage::StoreError;

const PAGE: i64 = 50;

fn random_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn detail(e: StoreError) -> String {
    ApiError::from(e).detail
}

async fn all_jurisdictions(state: &AppState) -> Vec<Jurisdiction> {
    jurisdictions::list(&state.store).await.unwrap_or_default()
}

fn cookie_header(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

// ---- sign-in ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<String>,
    username: String,
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    error: Option<String>,
    username: String,
) -> Response {
    let csrf = random_hex();
    let mut resp = render(
        status,
        &LoginPage {
            chrome: Chrome::anonymous(csrf.clone()),
            error,
            username,
        },
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(state, state.login_csrf_cookie(), &csrf, None),
    );
    resp
}

pub(super) async fn login_form(
    State(state): State<AppState>,
    axum::Extension(current): axum::Extension<crate::auth::CurrentSession>,
) -> Response {
    if current.0.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(&state, StatusCode::OK, None, String::new())
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    csrf_token: String,
    username: String,
    password: String,
    otp: Option<String>,
}

pub(super) async fn login(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    crate::limits::ClientAddr(addr): crate::limits::ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let username = f.username.trim().to_owned();
    let pre = cookie(&headers, state.login_csrf_cookie()).unwrap_or_default();
    if pre.is_empty() || !constant_eq(pre, &f.csrf_token) {
        return login_page(
            &state,
            StatusCode::FORBIDDEN,
            Some(ApiError::csrf().detail),
            username,
        );
    }
    if let Err(wait) = crate::limits::check_login(&state, &addr, &username) {
        return crate::limits::too_many(wait);
    }
    let policy = &state.config.session_policy;
    match sessions::login(
        &state.store,
        &ctx,
        &username,
        &f.password,
        f.otp.as_deref(),
        SessionKind::Browser,
        policy,
    )
    .await
    {
        Ok(Ok(s)) => {
            let max_age = policy.absolute_lifetime.num_seconds();
            // A restricted session goes straight to what it must do first.
            let next = if s.stage == SessionStage::Full {
                "/"
            } else {
                "/account"
            };
            let mut resp = Redirect::to(next).into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookie_header(&state, state.session_cookie(), &s.token, Some(max_age)),
            );
            h.append(
                header::SET_COOKIE,
                cookie_header(&state, state.login_csrf_cookie(), "", Some(0)),
            );
            resp
        }
        Ok(Err(f)) => login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            Some(crate::api::auth::login_failed(f).detail),
            username,
        ),
        Err(e) => login_page(
            &state,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(detail(e)),
            username,
        ),
    }
}

pub(super) async fn logout(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
) -> Response {
    if let Err(e) = sessions::logout(&state.store, &auth.0, &ctx).await {
        tracing::error!(error = ?e, "logout failed");
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&state, state.session_cookie(), "", Some(0)),
    );
    resp
}

// ---- home ----

struct Module {
    name: &'static str,
    summary: &'static str,
    chapter: &'static str,
    href: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    modules: Vec<Module>,
}

/// The module navigation of PRODUCT.md; modules not built yet have no link.
fn modules(role: Role) -> Vec<Module> {
    let m = |name, summary, chapter, href| Module {
        name,
        summary,
        chapter,
        href,
    };
    let mut v = vec![
        m(
            "市场主体登记",
            "设立、变更、歇业、注销、名称自主申报、证照分离、电子营业执照",
            "第三章",
            (role.is_staff() && role.can(Permission::ReadEntities)).then_some("/entities"),
        ),
        m(
            "信用监管",
            "年报、经营异常名录、严重违法失信名单、信用风险分类与修复",
            "第四章一",
            None,
        ),
        m(
            "双随机、一公开",
            "抽查事项、检查对象与人员名录、可复核的随机抽取、结果公示",
            "第四章一",
            None,
        ),
        m(
            "投诉举报",
            "12315/12345 投诉举报的受理、调解、办结与回访",
            "第四章四",
            None,
        ),
        m(
            "执法办案",
            "线索、立案、调查、处罚决定与文书",
            "第七章二",
            None,
        ),
        m(
            "食品安全",
            "风险分级、抽检计划与结果、不合格品核查处置、快检",
            "第六章",
            None,
        ),
        m(
            "特种设备",
            "设备登记、定期检验、隐患、事故、96333 电梯应急",
            "第六章",
            None,
        ),
        m(
            "质量与知识产权",
            "标准、计量、品牌、商标、专利、地理标志",
            "第五章",
            None,
        ),
        m(
            "风险预警",
            "汇聚各模块信号的风险预警与突发事件处置",
            "第七章三",
            None,
        ),
        m(
            "规划指标",
            "17 项主要指标按县市区、年度实时计算",
            "专栏-1、第八章",
            None,
        ),
        m(
            "信息公示",
            "面向公众的主体、许可、名录与处罚公示",
            "第七章三",
            None,
        ),
    ];
    if role.can(Permission::ReadUsers) {
        v.push(m(
            "用户管理",
            "账户、角色与辖区（三员分立）",
            "平台",
            Some("/users"),
        ));
    }
    if role.can(Permission::ReadAudit) {
        v.push(m(
            "审计日志",
            "只增不改、哈希链相连的操作记录",
            "平台",
            Some("/audit"),
        ));
    }
    v.push(m(
        "参考数据",
        "代码校验、工作日历与期限推算、法定期限表",
        "平台",
        Some("/reference/check"),
    ));
    v.push(m(
        "接口文档",
        "开放接口（OpenAPI）与变更订阅",
        "平台",
        Some("/api/docs"),
    ));
    v
}

pub(super) async fn home(State(state): State<AppState>, auth: PageAuth) -> Response {
    let all = all_jurisdictions(&state).await;
    let chrome = Chrome::for_session(&auth.0, &all);
    // An entity's own account works on its annual report.
    if auth.0.user.role == Role::Enterprise
        && shijian_storage::annual_reports::bound_entity(&state.store, &auth.actor())
            .await
            .is_ok_and(|b| b.is_some())
    {
        return Redirect::to("/annual-report").into_response();
    }
    if !auth.0.user.role.is_staff() {
        let page = MessagePage {
            chrome,
            heading: "欢迎".into(),
            text: "企业端与系统对接账户的功能尚在建设中；系统对接请使用开放接口（/api/docs）。"
                .into(),
        };
        return render(StatusCode::OK, &page);
    }
    render(
        StatusCode::OK,
        &HomePage {
            chrome,
            modules: modules(auth.0.user.role),
        },
    )
}

// ---- own account ----

#[derive(Template, Default)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    notice: Option<String>,
    error: Option<String>,
    message: Option<String>,
    totp_enabled: bool,
    qr_svg: Option<String>,
    secret: String,
    recovery_codes: Vec<String>,
}

/// The account page, with the notice a restricted session needs.
async fn account_page(state: &AppState, auth: &PageAuth, page: AccountPage) -> Response {
    let all = all_jurisdictions(state).await;
    let notice = match auth.0.stage {
        SessionStage::EnrolTotp => {
            Some("您的角色要求使用动态口令登录：请先完成绑定，然后才能使用其他功能。".to_owned())
        }
        SessionStage::ChangePassword => {
            Some("您的密码已过期：请先修改密码，然后才能使用其他功能。".to_owned())
        }
        SessionStage::Full => None,
    };
    // Re-read: the page may follow a change to the account.
    let totp_enabled = users::me(&state.store, &auth.actor())
        .await
        .map(|u| u.totp_enabled)
        .unwrap_or(false);
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &AccountPage {
            chrome: Chrome::for_session(&auth.0, &all),
            notice,
            totp_enabled,
            ..page
        },
    )
}

pub(super) async fn account(State(state): State<AppState>, auth: PageAuth) -> Response {
    account_page(&state, &auth, AccountPage::default()).await
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<PasswordForm>,
) -> Response {
    let r = users::change_own_password(
        &state.store,
        &auth.actor(),
        &ctx,
        f.current_password,
        f.new_password,
        &state.config.password_policy,
        Some(auth.0.token_hash.clone()),
    )
    .await;
    match r {
        // The session may have been restricted only for this: start over from home.
        Ok(()) if auth.0.stage == SessionStage::ChangePassword => Redirect::to("/").into_response(),
        Ok(()) => {
            account_page(
                &state,
                &auth,
                AccountPage {
                    message: Some("密码已修改。".into()),
                    ..AccountPage::default()
                },
            )
            .await
        }
        Err(e) => {
            account_page(
                &state,
                &auth,
                AccountPage {
                    error: Some(detail(e)),
                    ..AccountPage::default()
                },
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub(super) struct TotpStartForm {
    current_password: String,
}

pub(super) async fn totp_start(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<TotpStartForm>,
) -> Response {
    let page =
        match totp::begin_enrolment(&state.store, &auth.actor(), &ctx, f.current_password).await {
            Ok(e) => AccountPage {
                qr_svg: Some(crate::api::auth::qr_svg(&e.otpauth_uri)),
                secret: e.secret,
                ..AccountPage::default()
            },
            Err(e) => AccountPage {
                error: Some(detail(e)),
                ..AccountPage::default()
            },
        };
    account_page(&state, &auth, page).await
}

#[derive(Deserialize)]
pub(super) struct TotpConfirmForm {
    otp: String,
}

pub(super) async fn totp_confirm(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<TotpConfirmForm>,
) -> Response {
    let page = match totp::confirm_enrolment(
        &state.store,
        &auth.actor(),
        &ctx,
        &f.otp,
        &auth.0.token_hash,
    )
    .await
    {
        Ok(codes) => AccountPage {
            message: Some("动态口令已绑定。".into()),
            recovery_codes: codes,
            ..AccountPage::default()
        },
        Err(e) => AccountPage {
            error: Some(detail(e)),
            ..AccountPage::default()
        },
    };
    // The session is now a full one; show the page as such.
    let mut auth = auth;
    if page.error.is_none() {
        auth.0.stage = SessionStage::Full;
    }
    account_page(&state, &auth, page).await
}

// ---- users ----

struct UserRowView {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    role_label: &'static str,
    jurisdiction_code: String,
    jurisdiction_name: String,
    disabled: bool,
    totp_enabled: bool,
    status: &'static str,
    created_at: String,
}

fn user_view(u: User, all: &[Jurisdiction], now: chrono::DateTime<chrono::Utc>) -> UserRowView {
    let status = if u.disabled {
        "已停用"
    } else if u.locked_until.is_some_and(|t| t > now) {
        "已锁定"
    } else {
        "正常"
    };
    UserRowView {
        id: u.id,
        jurisdiction_name: jurisdiction_name(all, &u.jurisdiction_code),
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str(),
        role_label: u.role.label(),
        jurisdiction_code: u.jurisdiction_code,
        disabled: u.disabled,
        totp_enabled: u.totp_enabled,
        status,
        created_at: shijian_domain::clock::beijing_date(u.created_at).to_string(),
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    scope_name: String,
    users: Vec<UserRowView>,
    q: String,
    next_cursor: Option<i64>,
    can_create: bool,
    roles: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(String, String)>,
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct UsersQuery {
    q: Option<String>,
    cursor: Option<i64>,
}

async fn users_page(
    state: &AppState,
    auth: &PageAuth,
    ctx: &shijian_storage::RequestCtx,
    q: UsersQuery,
    error: Option<String>,
    message: Option<String>,
) -> Response {
    let actor = auth.actor();
    let filter = UserFilter {
        after_id: q.cursor,
        limit: PAGE,
        query: q.q.clone(),
    };
    let list = match users::list(&state.store, &actor, ctx, &filter).await {
        Ok(l) => l,
        Err(e) => return error_page(state, auth, e).await,
    };
    let all = all_jurisdictions(state).await;
    let now = state.store.now();
    let next_cursor = (list.len() as i64 >= PAGE)
        .then(|| list.last().map(|u| u.id))
        .flatten();
    let in_scope = scoped_jurisdictions(state, &actor.jurisdiction, &all).await;
    let page = UsersPage {
        chrome: Chrome::for_session(&auth.0, &all),
        scope_name: jurisdiction_name(&all, &actor.jurisdiction),
        users: list.into_iter().map(|u| user_view(u, &all, now)).collect(),
        q: q.q.unwrap_or_default(),
        next_cursor,
        can_create: actor.role.can(Permission::CreateUser)
            || actor.role.can(Permission::AssignRoles),
        roles: role_options(),
        jurisdictions: in_scope,
        error,
        message,
    };
    render(StatusCode::OK, &page)
}

/// The jurisdictions an actor may place users in: those its own covers.
async fn scoped_jurisdictions(
    state: &AppState,
    viewer: &str,
    all: &[Jurisdiction],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for j in all {
        if jurisdictions::covers(&state.store, viewer, &j.code)
            .await
            .unwrap_or(false)
        {
            out.push((j.code.clone(), j.name.clone()));
        }
    }
    out
}

async fn error_page(state: &AppState, auth: &PageAuth, e: StoreError) -> Response {
    let e = ApiError::from(e);
    let all = all_jurisdictions(state).await;
    let page = MessagePage {
        chrome: Chrome::for_session(&auth.0, &all),
        heading: "无法完成".into(),
        text: e.detail,
    };
    render(e.status, &page)
}

pub(super) async fn users(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Query(q): Query<UsersQuery>,
) -> Response {
    users_page(&state, &auth, &ctx, q, None, None).await
}

#[derive(Deserialize)]
pub(super) struct CreateForm {
    username: String,
    display_name: String,
    role: String,
    jurisdiction: String,
    password: String,
}

pub(super) async fn create_user(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Form(f): Form<CreateForm>,
) -> Response {
    let role = match f.role.parse::<Role>() {
        Ok(r) => r,
        Err(e) => {
            return users_page(
                &state,
                &auth,
                &ctx,
                UsersQuery::default(),
                Some(e.to_string()),
                None,
            )
            .await
        }
    };
    let new = NewUser {
        username: f.username,
        display_name: f.display_name,
        role,
        jurisdiction: f.jurisdiction,
        password: f.password,
    };
    match users::create(
        &state.store,
        &auth.actor(),
        &ctx,
        new,
        &state.config.password_policy,
    )
    .await
    {
        Ok(u) => Redirect::to(&format!("/users/{}?done=created", u.id)).into_response(),
        Err(e) => {
            users_page(
                &state,
                &auth,
                &ctx,
                UsersQuery::default(),
                Some(detail(e)),
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserRowView,
    can_lifecycle: bool,
    can_assign: bool,
    roles: Vec<(&'static str, &'static str)>,
    jurisdictions: Vec<(String, String)>,
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct DoneQuery {
    done: Option<String>,
}

fn done_message(done: &str) -> Option<String> {
    let m = match done {
        "created" => "账户已创建。",
        "disable" => "账户已停用，其登录会话已全部结束。",
        "enable" => "账户已启用。",
        "password" => "密码已重置，该账户的登录会话已全部结束。",
        "assign" => "角色与辖区已保存，该账户需重新登录。",
        "totp_reset" => "动态口令已重置，该账户下次登录时须重新绑定。",
        _ => return None,
    };
    Some(m.to_owned())
}

async fn user_page(
    state: &AppState,
    auth: &PageAuth,
    ctx: &shijian_storage::RequestCtx,
    id: i64,
    error: Option<String>,
    message: Option<String>,
) -> Response {
    let actor = auth.actor();
    let u = match users::get(&state.store, &actor, ctx, id).await {
        Ok(u) => u,
        Err(e) => return error_page(state, auth, e).await,
    };
    let all = all_jurisdictions(state).await;
    let page = UserPage {
        chrome: Chrome::for_session(&auth.0, &all),
        user: user_view(u, &all, state.store.now()),
        can_lifecycle: actor.role.can(Permission::ManageAccountLifecycle),
        can_assign: actor.role.can(Permission::AssignRoles),
        roles: role_options(),
        jurisdictions: scoped_jurisdictions(state, &actor.jurisdiction, &all).await,
        error,
        message,
    };
    render(
        if page.error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &page,
    )
}

pub(super) async fn user(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Response {
    let message = q.done.as_deref().and_then(done_message);
    user_page(&state, &auth, &ctx, id, None, message).await
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    password: Option<String>,
    role: Option<String>,
    jurisdiction: Option<String>,
}

pub(super) async fn user_action(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let (store, actor) = (&state.store, auth.actor());
    let result = match action.as_str() {
        "disable" => users::set_disabled(store, &actor, &ctx, id, true).await,
        "enable" => users::set_disabled(store, &actor, &ctx, id, false).await,
        "password" => {
            let pw = f.password.unwrap_or_default();
            users::reset_password(store, &actor, &ctx, id, pw, &state.config.password_policy).await
        }
        "totp_reset" => totp::reset(store, &actor, &ctx, id).await,
        "assign" => match f.role.as_deref().map(str::parse::<Role>).transpose() {
            Ok(role) => users::assign(store, &actor, &ctx, id, role, f.jurisdiction).await,
            Err(e) => Err(StoreError::invalid("unknown_role", e.to_string())),
        },
        _ => {
            return (
                StatusCode::NOT_FOUND,
                axum::response::Html(super::not_found_page()),
            )
                .into_response()
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/users/{id}?done={action}")).into_response(),
        Err(e) => user_page(&state, &auth, &ctx, id, Some(detail(e)), None).await,
    }
}

// ---- audit ----

struct AuditRowView {
    seq: i64,
    at: String,
    actor: String,
    actor_role: String,
    action: String,
    object: String,
    result: String,
    result_label: &'static str,
    request_id: String,
}

fn result_label(r: &str) -> &'static str {
    match r {
        "ok" => "成功",
        "denied" => "拒绝",
        "failed" => "失败",
        "locked" => "已锁定",
        _ => "其他",
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    records: Vec<AuditRowView>,
    actor: String,
    action: String,
    result: String,
    results: Vec<(&'static str, &'static str)>,
    next_cursor: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    result: Option<String>,
    cursor: Option<i64>,
}

pub(super) async fn audit(
    State(state): State<AppState>,
    auth: PageAuth,
    Ctx(ctx): Ctx,
    Query(q): Query<AuditQuery>,
) -> Response {
    let f = AuditFilter {
        before_seq: q.cursor,
        limit: PAGE,
        actor: q.actor.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        result: q.result.unwrap_or_default(),
    };
    let records = match audit::list(&state.store, &auth.actor(), &ctx, &f).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, &auth, e).await,
    };
    let all = all_jurisdictions(&state).await;
    let next_cursor = (records.len() as i64 >= PAGE)
        .then(|| records.last().map(|r| r.seq))
        .flatten();
    let records = records
        .into_iter()
        .map(|r| AuditRowView {
            seq: r.seq,
            at: r
                .at
                .with_timezone(&chrono_tz_shanghai())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: r.actor,
            actor_role: r.actor_role,
            action: r.action,
            object: format!("{}:{}", r.object_type, r.object_id),
            result_label: result_label(&r.result),
            result: r.result,
            request_id: r.request_id,
        })
        .collect();
    let page = AuditPage {
        chrome: Chrome::for_session(&auth.0, &all),
        records,
        actor: f.actor,
        action: f.action,
        result: f.result,
        results: vec![
            ("", "全部"),
            ("ok", "成功"),
            ("denied", "拒绝"),
            ("failed", "失败"),
            ("locked", "已锁定"),
        ],
        next_cursor,
    };
    render(StatusCode::OK, &page)
}

fn chrono_tz_shanghai() -> chrono::FixedOffset {
    // Beijing time has had no daylight saving since 1991: a fixed +08:00 is exact here.
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).unwrap())
}
