//! Rate limits, and the security headers and cookies on every route when served behind TLS.

use crate::support::{backends, TestApp, PASSWORD};
use reqwest::{header, Method, StatusCode};
use serde_json::json;
use shijian_domain::role::Role;
use shijian_web::limits::{Limit, RateLimits};
use shijian_web::WebConfig;

fn limited() -> WebConfig {
    let mut c = WebConfig {
        rate_limits: RateLimits {
            login_per_address: Some(Limit {
                burst: 8,
                per_minute: 8,
            }),
            login_per_account: Some(Limit {
                burst: 3,
                per_minute: 3,
            }),
            requests_per_address: Some(Limit {
                burst: 40,
                per_minute: 40,
            }),
            public_per_address: None,
            trust_forwarded_for: false,
        },
        ..WebConfig::default()
    };
    c.session_policy.totp_roles.clear();
    c
}

fn behind_tls() -> WebConfig {
    let mut c = WebConfig {
        secure_cookies: true,
        rate_limits: RateLimits::off(),
        ..WebConfig::default()
    };
    c.session_policy.totp_roles.clear();
    c
}

backends!(@config super::limited(); rate_limits_answer_429_with_retry_after);
backends!(@config super::behind_tls(); every_route_carries_the_security_headers);

async fn rate_limits_answer_429_with_retry_after(app: TestApp) {
    app.add_user("zx.officer", Role::Officer, "420881").await;
    app.add_user("zx.leader", Role::Leader, "420881").await;
    let login = |user: &'static str| {
        app.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": user, "password": PASSWORD})),
        )
    };
    for _ in 0..3 {
        assert_eq!(login("zx.officer").await.0, StatusCode::OK);
    }
    // The fourth attempt on the same account within the minute is refused, even if right.
    let resp = app
        .request(Method::POST, "/api/v1/auth/login", None)
        .json(&json!({"username": "zx.officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let p: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(p["code"], "rate_limited");
    // Another account from the same address still gets in, until the address limit.
    assert_eq!(login("zx.leader").await.0, StatusCode::OK);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login("zx.leader").await.0);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The per-address limit on every request.
    let mut codes = Vec::new();
    for _ in 0..60 {
        codes.push(
            app.request(Method::GET, "/login", None)
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    assert!(codes.contains(&StatusCode::TOO_MANY_REQUESTS));
    // Probes and assets are never limited.
    assert_eq!(
        app.request(Method::GET, "/healthz", None)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

fn assert_headers(resp: &reqwest::Response, what: &str) {
    let h = resp.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    for d in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(d), "{what}: CSP lacks {d}");
    }
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    let hsts = h
        .get("strict-transport-security")
        .unwrap_or_else(|| panic!("{what}: no HSTS"))
        .to_str()
        .unwrap();
    let age: u64 = hsts
        .trim_start_matches("max-age=")
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(age >= 31_536_000, "{what}: {hsts}");
}

async fn every_route_carries_the_security_headers(app: TestApp) {
    app.add_user("city.sec", Role::SecurityAdmin, "420800")
        .await;
    let doc: serde_json::Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let m: Method = method.to_uppercase().parse().unwrap();
            let url = path
                .replace("{id}", "1")
                .replace("{year}", "2026")
                .replace("{code}", "F5211");
            let resp = app
                .request(m.clone(), &url, None)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_headers(&resp, &format!("{m} {path}"));
        }
    }
    let pages = [
        "/login",
        "/",
        "/users",
        "/users/1",
        "/audit",
        "/account",
        "/reference/check",
        "/reference/calendar",
        "/reference/time-limits",
        "/api/docs",
        "/api/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
        "/assets/app.css",
        "/no-such-page",
    ];
    for p in pages {
        let resp = app.request(Method::GET, p, None).send().await.unwrap();
        assert_headers(&resp, p);
    }
    // Cookies are __Host- prefixed, Secure, HttpOnly and SameSite behind TLS.
    let page = app
        .request(Method::GET, "/login", None)
        .send()
        .await
        .unwrap();
    let pre_cookie = page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        pre_cookie.starts_with("__Host-shijian_login_csrf="),
        "{pre_cookie}"
    );
    let pre = pre_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let resp = app
        .request(Method::POST, "/login", None)
        .header(header::COOKIE, format!("__Host-shijian_login_csrf={pre}"))
        .form(&[
            ("csrf_token", pre.as_str()),
            ("username", "city.sec"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let session = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-shijian_session="))
        .expect("session cookie");
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{session} lacks {attr}");
    }
    assert!(
        !session.contains("Domain="),
        "__Host- cookies carry no Domain"
    );
}
