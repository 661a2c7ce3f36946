//! Server-rendered pages in Chinese: sign-in, the home page with the module navigation,
//! the user menu, user management, the audit viewer and one's own password. Forms post
//! with the session's CSRF token; the checks themselves live in storage.

mod annual_reports;
mod entities;
mod name_checks;
mod pages;
mod permits;
mod reference;
mod statistics;

use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use shijian_domain::role::{Permission, Role};
use shijian_storage::jurisdictions::Jurisdiction;
use shijian_storage::sessions::SessionUser;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/annual-report",
            get(annual_reports::show).post(annual_reports::file),
        )
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::account))
        .route("/account/password", post(pages::change_password))
        .route("/account/totp", post(pages::totp_start))
        .route("/account/totp/confirm", post(pages::totp_confirm))
        .route("/users", get(pages::users).post(pages::create_user))
        .route("/users/{id}", get(pages::user))
        .route("/users/{id}/{action}", post(pages::user_action))
        .route("/audit", get(pages::audit))
        .route("/reference", get(reference::index))
        .route(
            "/reference/check",
            get(reference::check).post(reference::check_submit),
        )
        .route("/reference/calendar", get(reference::calendar))
        .route(
            "/reference/calendar/import",
            post(reference::calendar_import),
        )
        .route("/reference/time-limits", get(reference::time_limits))
        .route("/entities", get(entities::list))
        .route(
            "/entities/new",
            get(entities::new_form).post(entities::establish),
        )
        .route(
            "/entities/import",
            get(entities::import_form).post(entities::import).layer(
                axum::extract::DefaultBodyLimit::max(crate::api::entities::IMPORT_MAX_BYTES),
            ),
        )
        .route("/entities/import/rejects", post(entities::import_rejects))
        .route("/entities/{uscc}", get(entities::detail))
        .route(
            "/entities/{uscc}/amend",
            get(entities::amend_form).post(entities::amend),
        )
        .route("/entities/{uscc}/status", post(entities::status_change))
        .route(
            "/entities/{uscc}/simplified",
            post(entities::simplified_start),
        )
        .route(
            "/entities/{uscc}/simplified/{id}/objections",
            post(entities::simplified_objection),
        )
        .route(
            "/entities/{uscc}/simplified/{id}/decision",
            post(entities::simplified_decision),
        )
        .route("/entities/{uscc}/bars", post(entities::bar_record))
        .route("/entities/{uscc}/list-entries", post(entities::list_record))
        .route("/statistics/startup-times", get(statistics::startup_times))
        .route(
            "/entities/{uscc}/removal-applications",
            post(entities::removal_apply),
        )
        .route(
            "/entities/{uscc}/removal-decisions",
            post(entities::removal_decide),
        )
        .merge(name_checks::router())
        .merge(permits::router())
}

/// What the page frame shows about the signed-in user.
pub(crate) struct UserChrome {
    pub display_name: String,
    pub role_label: &'static str,
    pub jurisdiction_name: String,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_entities: bool,
}

/// The page frame: user menu, CSRF token for its forms, version.
#[derive(Default)]
pub(crate) struct Chrome {
    pub user: Option<UserChrome>,
    pub csrf: String,
    pub version: &'static str,
}

/// The page frame of the signed-in user.
pub(crate) async fn chrome(state: &AppState, auth: &crate::auth::PageAuth) -> Chrome {
    let all = shijian_storage::jurisdictions::list(&state.store)
        .await
        .unwrap_or_default();
    Chrome::for_session(&auth.0, &all)
}

impl Chrome {
    pub(crate) fn anonymous(csrf: String) -> Self {
        Self {
            user: None,
            csrf,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    pub(crate) fn for_session(s: &SessionUser, all: &[Jurisdiction]) -> Self {
        let u = &s.user;
        Self {
            user: Some(UserChrome {
                display_name: u.display_name.clone(),
                role_label: u.role.label(),
                jurisdiction_name: jurisdiction_name(all, &u.jurisdiction_code),
                can_users: u.role.can(Permission::ReadUsers),
                can_audit: u.role.can(Permission::ReadAudit),
                can_entities: u.role.is_staff() && u.role.can(Permission::ReadEntities),
            }),
            csrf: s.csrf_token.clone(),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

pub(crate) fn jurisdiction_name(all: &[Jurisdiction], code: &str) -> String {
    all.iter()
        .find(|j| j.code == code)
        .map_or_else(|| code.to_owned(), |j| j.name.clone())
}

/// (identifier, label) of every role, for select boxes.
pub(crate) fn role_options() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// Renders a template, or a plain 500 if rendering fails.
pub(crate) fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub chrome: Chrome,
    pub heading: String,
    pub text: String,
}

/// The page for an unknown address.
pub(crate) fn not_found_page() -> String {
    MessagePage {
        chrome: Chrome::anonymous(String::new()),
        heading: "页面不存在".into(),
        text: "您访问的地址不存在，或您没有查看它的权限。".into(),
    }
    .render()
    .unwrap_or_default()
}
