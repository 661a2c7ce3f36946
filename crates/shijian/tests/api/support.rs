//! The test harness: a real server on a free port over a real database (a fresh SQLite
//! data directory, or a fresh PostgreSQL database), a settable clock, and helpers to sign
//! in. Every API test runs on both backends through `backends!`.

use chrono::{TimeZone, Utc};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use shijian_domain::clock::FixedClock;
use shijian_domain::password::PasswordPolicy;
use shijian_domain::role::Role;
use shijian_storage::users::{self, NewUser};
use shijian_storage::{Actor, DatabaseConfig, RequestCtx, Store};
use shijian_web::{build_router, AppState, WebConfig};
use std::sync::Arc;

pub const PASSWORD: &str = "Test-Pass-2026";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub clock: Arc<FixedClock>,
    pub client: reqwest::Client,
    db: DatabaseConfig,
    keys: shijian_crypto::Keys,
    config: WebConfig,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server the test script started, if any.
pub fn pg_admin_url() -> Option<String> {
    std::env::var("SHIJIAN_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Whether a missing PostgreSQL (or other test tool) fails the test, as under the test
/// script, or skips it.
pub fn strict() -> bool {
    std::env::var("SHIJIAN_TEST_STRICT").is_ok_and(|v| v == "1")
}

/// A fresh, empty database on `backend`, or `None` when PostgreSQL is not available
/// and not required.
pub async fn fresh_database(
    backend: Backend,
) -> Option<(DatabaseConfig, Option<tempfile::TempDir>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            Some((
                DatabaseConfig::Sqlite {
                    dir: dir.path().join("data"),
                },
                Some(dir),
            ))
        }
        Backend::Postgres => {
            let Some(admin) = pg_admin_url() else {
                assert!(
                    !strict(),
                    "SHIJIAN_TEST_PG_URL is not set but PostgreSQL tests are required"
                );
                eprintln!("SKIPPED: PostgreSQL not available (set SHIJIAN_TEST_PG_URL, or run scripts/test.sh)");
                return None;
            };
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let pool = sqlx::PgPool::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let url = match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("bad SHIJIAN_TEST_PG_URL"),
            };
            Some((DatabaseConfig::Postgres { url }, None))
        }
    }
}

/// 2026-06-15 10:00 Beijing time: a fixed start for every test.
pub fn start_instant() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap()
}

impl TestApp {
    /// A server without the second-factor requirement, so tests can sign in any role
    /// with a password; the second factor has tests of its own.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let mut config = WebConfig {
            rate_limits: shijian_web::limits::RateLimits::off(),
            ..WebConfig::default()
        };
        config.session_policy.totp_roles.clear();
        Self::spawn_with(backend, config).await
    }

    pub async fn spawn_with(backend: Backend, config: WebConfig) -> Option<Self> {
        let (db, dir) = fresh_database(backend).await?;
        let clock = Arc::new(FixedClock::new(start_instant()));
        let keys = shijian_crypto::Keys::parse(&shijian_crypto::Keys::generate()).unwrap();
        Some(Self::serve(db, clock, keys, config, dir).await)
    }

    /// A second server process on the same database (its own store, pools and search
    /// index, following the event log), as a second `shijian serve` would be.
    pub async fn second_server(&self) -> Self {
        Self::serve(
            self.db.clone(),
            self.clock.clone(),
            self.keys.clone(),
            self.config.clone(),
            None,
        )
        .await
    }

    async fn serve(
        db: DatabaseConfig,
        clock: Arc<FixedClock>,
        keys: shijian_crypto::Keys,
        config: WebConfig,
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        let store = Store::open(&db, clock.clone())
            .await
            .unwrap()
            .with_keys(&keys);
        let index = shijian_storage::entity_index::EntityIndex::build(&store)
            .await
            .unwrap();
        index.spawn_follower(store.clone(), std::time::Duration::from_millis(250));
        let app = build_router(AppState::new(store.clone(), config.clone(), index));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap()
        });
        Self {
            base: format!("http://{addr}"),
            store,
            clock,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            db,
            keys,
            config,
            _dir: dir,
        }
    }

    /// Creates an account directly in storage (as the CLI operator would).
    pub async fn add_user(&self, username: &str, role: Role, jurisdiction: &str) -> i64 {
        let new = NewUser {
            username: username.into(),
            display_name: format!("测试{username}"),
            role,
            jurisdiction: jurisdiction.into(),
            password: PASSWORD.into(),
        };
        users::create(
            &self.store,
            &Actor::system("test"),
            &RequestCtx::local("test"),
            new,
            &PasswordPolicy::default(),
        )
        .await
        .unwrap()
        .id
    }

    /// Signs in over the API and returns the bearer token.
    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// A browser session cookie for `username` (signed in through the API).
    pub async fn session_cookie(&self, username: &str) -> String {
        format!("shijian_session={}", self.login(username).await)
    }

    /// Creates an account and signs it in.
    pub async fn user_token(
        &self,
        username: &str,
        role: Role,
        jurisdiction: &str,
    ) -> (i64, String) {
        let id = self.add_user(username, role, jurisdiction).await;
        (id, self.login(username).await)
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    /// Sends a JSON request; returns the status and the JSON body (Null if none).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.request(method, path, token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Raw SQL on the test database (for tampering tests).
    pub async fn raw(&self, sql: &str) {
        match self.store.backend() {
            shijian_storage::Backend::Sqlite { write, .. } => {
                sqlx::raw_sql(sql).execute(write).await.unwrap();
            }
            shijian_storage::Backend::Postgres(p) => {
                sqlx::raw_sql(sql).execute(p).await.unwrap();
            }
        }
    }
}

/// The body of a new-user request.
pub fn new_user_body(username: &str, role: &str, jurisdiction: &str) -> Value {
    json!({"username": username, "display_name": format!("用户{username}"), "role": role, "jurisdiction": jurisdiction, "password": PASSWORD})
}

/// Runs the test function `$name(app)` once on SQLite and once on PostgreSQL; with
/// `@config EXPR;` the server runs with that `WebConfig` instead of the test default.
macro_rules! backends {
    (@config $cfg:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = crate::support::TestApp::spawn_with(crate::support::Backend::Sqlite, $cfg).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = crate::support::TestApp::spawn_with(crate::support::Backend::Postgres, $cfg).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = crate::support::TestApp::spawn(crate::support::Backend::Sqlite).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = crate::support::TestApp::spawn(crate::support::Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}
pub(crate) use backends;

/// A valid credit code: registration-authority and type prefix (`91` …), division, and a
/// serial.
pub fn uscc_with(prefix: &str, division: &str, n: u32) -> String {
    let body = format!("{prefix}{division}MA{n:07}");
    let check = shijian_domain::uscc::uscc_check_char(&body).unwrap();
    format!("{body}{check}")
}

/// A valid enterprise credit code (`91`) in `division` with serial `n`.
pub fn uscc(division: &str, n: u32) -> String {
    uscc_with("91", division, n)
}

/// A valid ID number from its first 17 characters.
pub fn id_number(first17: &str) -> String {
    format!(
        "{first17}{}",
        shijian_domain::id_number::id_check_char(first17)
    )
}

/// The value of cookie `name` set by a response.
pub fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .find_map(|v| {
            v.to_str()
                .ok()?
                .split(';')
                .next()?
                .strip_prefix(prefix.as_str())
                .map(str::to_owned)
        })
}

/// The CSRF token a page's forms carry.
pub fn csrf_token(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with a CSRF token")
        .to_owned()
}

/// Signs in through the login form and returns the session cookie value.
pub async fn browser_login(app: &TestApp, username: &str, password: &str) -> String {
    let page = app
        .request(Method::GET, "/login", None)
        .send()
        .await
        .unwrap();
    let pre = set_cookie(&page, "shijian_login_csrf").expect("login page sets its CSRF cookie");
    let resp = app
        .request(Method::POST, "/login", None)
        .header(header::COOKIE, format!("shijian_login_csrf={pre}"))
        .form(&[
            ("csrf_token", pre.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    set_cookie(&resp, "shijian_session").expect("session cookie")
}
