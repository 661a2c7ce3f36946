//! Rate limits (ASVS 2.4; anti-automation): token buckets per address and per account,
//! answered with `429 Too Many Requests` and `Retry-After`. Limits are kept in the memory of
//! each server process, so with several processes behind a balancer each enforces its own
//! share; the account lockout in storage is the durable, shared defence for sign-in.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A limit: at most `burst` requests at once, refilled at `per_minute` a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub per_minute: u32,
}

/// The configured limits; `None` switches one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts per client address.
    pub login_per_address: Option<Limit>,
    /// Sign-in attempts per account name.
    pub login_per_account: Option<Limit>,
    /// Every request per client address (pages, API, public pages).
    pub requests_per_address: Option<Limit>,
    /// Requests to the public portal (`/public`) per client address, on top of the
    /// general limit: the portal is open to anyone, and bulk consumers get an export
    /// instead (docs/DISCLOSURE.md).
    pub public_per_address: Option<Limit>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_address: Some(Limit {
                burst: 30,
                per_minute: 30,
            }),
            login_per_account: Some(Limit {
                burst: 10,
                per_minute: 10,
            }),
            requests_per_address: Some(Limit {
                burst: 600,
                per_minute: 1200,
            }),
            public_per_address: Some(Limit {
                burst: 30,
                per_minute: 60,
            }),
            trust_forwarded_for: false,
        }
    }
}

impl RateLimits {
    /// No limits (tests of other behaviour).
    #[must_use]
    pub fn off() -> Self {
        Self {
            login_per_address: None,
            login_per_account: None,
            requests_per_address: None,
            public_per_address: None,
            trust_forwarded_for: false,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of one process.
#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<(&'static str, String), Bucket>>,
}

/// Buckets beyond this many are pruned of full ones.
const MAX_BUCKETS: usize = 100_000;

impl Limiter {
    /// Takes one token from bucket `(name, key)`; on refusal returns how long to wait.
    pub fn take(&self, name: &'static str, key: &str, limit: Limit) -> Result<(), Duration> {
        let now = Instant::now();
        let rate = f64::from(limit.per_minute.max(1)) / 60.0;
        let burst = f64::from(limit.burst.max(1));
        let mut map = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > MAX_BUCKETS {
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = map.entry((name, key.to_owned())).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(((1.0 - b.tokens) / rate).ceil()))
        }
    }
}

/// The 429 answer.
pub(crate) fn too_many(wait: Duration) -> Response {
    let mut resp = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("请求过于频繁，请 {} 秒后再试", wait.as_secs().max(1)),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// The client's address: the peer, or, behind a trusted proxy, the last `X-Forwarded-For`
/// entry (the one that proxy added; earlier entries are whatever the client sent).
pub(crate) fn client_address(
    state: &AppState,
    req_headers: &axum::http::HeaderMap,
    peer: Option<SocketAddr>,
) -> String {
    if state.config.rate_limits.trust_forwarded_for {
        if let Some(first) = req_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next_back())
        {
            return first.trim().to_owned();
        }
    }
    peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string())
}

/// Checks the sign-in limits for an attempt from `address` on `account`.
pub(crate) fn check_login(state: &AppState, address: &str, account: &str) -> Result<(), Duration> {
    let l = &state.config.rate_limits;
    if let Some(limit) = l.login_per_address {
        state.limiter.take("login_addr", address, limit)?;
    }
    if let Some(limit) = l.login_per_account {
        state
            .limiter
            .take("login_account", &account.to_lowercase(), limit)?;
    }
    Ok(())
}

/// Middleware: the per-address limit on every request but static assets and probes.
pub(crate) async fn per_address(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let exempt =
        path.starts_with("/assets/") || matches!(path, "/healthz" | "/readyz" | "/metrics");
    if let (Some(limit), false) = (state.config.rate_limits.requests_per_address, exempt) {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let addr = client_address(&state, req.headers(), peer);
        if let Err(wait) = state.limiter.take("requests", &addr, limit) {
            return too_many(wait);
        }
    }
    let public = path == "/public" || path.starts_with("/public/");
    if let (Some(limit), true) = (state.config.rate_limits.public_per_address, public) {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let addr = client_address(&state, req.headers(), peer);
        if let Err(wait) = state.limiter.take("public", &addr, limit) {
            return too_many(wait);
        }
    }
    next.run(req).await
}

/// The client's address, as [`client_address`] determines it.
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr(client_address(state, &parts.headers, peer)))
    }
}
