//! Platform conventions: the OpenAPI document against the router, problems, security
//! headers, the two migrated schemas, concurrent writes, jobs and Beijing time.

use crate::support::{backends, fresh_database, new_user_body, Backend, TestApp};
use chrono::{NaiveDate, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use shijian_domain::clock::FixedClock;
use shijian_domain::role::Role;
use shijian_storage::jobs::{self, JobContext};
use shijian_storage::{schema, Store};
use std::sync::Arc;

backends!(
    openapi_lists_exactly_the_routes,
    errors_are_problems_and_headers_are_set,
    concurrent_writes_never_fail,
    jobs_run_once_per_day_and_catch_up
);

async fn openapi_lists_exactly_the_routes(app: TestApp) {
    let doc: serde_json::Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["info"]["title"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10);
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            assert!(op["responses"].is_object(), "{method} {path}");
            operations += 1;
            // Every documented operation is routed: the answer is never the router's own 404 or 405.
            let url = path.replace("{id}", "1");
            let resp = app
                .request(m.clone(), &url, None)
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap();
            assert_ne!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{m} {path}");
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            assert_ne!(body["code"], "route_not_found", "{m} {path}");
        }
    }
    assert!(operations >= 12, "{operations}");
    // And nothing under /api/v1 is routed without being documented.
    for (m, p) in [
        (Method::GET, "/api/v1/nope"),
        (Method::DELETE, "/api/v1/users/1"),
        (Method::GET, "/api/v1/users/1/extra"),
    ] {
        let resp = app.request(m.clone(), p, None).send().await.unwrap();
        let documented = paths
            .get(p)
            .and_then(|i| i.get(m.as_str().to_lowercase()))
            .is_some();
        assert!(!documented);
        assert!(
            resp.status() == StatusCode::NOT_FOUND
                || resp.status() == StatusCode::METHOD_NOT_ALLOWED,
            "{m} {p}"
        );
    }
    let docs = app
        .client
        .get(format!("{}/api/docs", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(docs.contains("/assets/vendor/swagger-ui-bundle") && !docs.contains("https://"));
}

async fn errors_are_problems_and_headers_are_set(app: TestApp) {
    let resp = app
        .request(Method::GET, "/api/v1/users", None)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-request-id",
    ] {
        assert!(resp.headers().contains_key(h), "{h}");
    }
    assert!(resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let p: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(p["status"], 401);
    assert_eq!(p["code"], "unauthorized");
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    // Malformed JSON is a problem too, never a stack trace.
    let (_, token) = app
        .user_token("city.sec", Role::SecurityAdmin, "420800")
        .await;
    let resp = app
        .request(Method::POST, "/api/v1/users", Some(&token))
        .header("content-type", "application/json")
        .body("{bad")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let p: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(p["code"], "bad_json");
    // An array is not an object, even if its items would fill the fields in order.
    let target = app.add_user("zx.target", Role::Officer, "420881").await;
    let (s, p) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{target}"),
            Some(&token),
            Some(serde_json::json!(["leader", null])),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_json"))
    );
    let (_, u) = app.get(&format!("/api/v1/users/{target}"), &token).await;
    assert_eq!(u["role"], "officer");
    let (s, p) = app
        .post(
            "/api/v1/users",
            &token,
            new_user_body("x", "officer", "420800"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "bad_username");
    let (s, p) = app
        .post(
            "/api/v1/users",
            &token,
            new_user_body("good.name", "officer", "火星"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "unknown_jurisdiction");
    // Assets are embedded; health and metrics answer.
    for path in [
        "/assets/app.css",
        "/assets/vendor/htmx-2.0.11.min.js",
        "/assets/vendor/echarts-6.1.0.min.js",
        "/healthz",
        "/readyz",
    ] {
        assert_eq!(
            app.request(Method::GET, path, None)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let metrics = app
        .request(Method::GET, "/metrics", None)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("shijian_http_requests_total{class=\"4xx\"}"));
    let login = app
        .request(Method::GET, "/login", None)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login.contains("lang=\"zh-CN\"")
            && login.contains("登录")
            && !login.contains("http://")
            && !login.contains("https://")
    );
}

async fn concurrent_writes_never_fail(app: TestApp) {
    let (_, sec) = app
        .user_token("city.sec", Role::SecurityAdmin, "420800")
        .await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (base, client, sec) = (app.base.clone(), app.client.clone(), sec.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/users"))
                .bearer_auth(&sec)
                .json(&new_user_body(&format!("c.{i}"), "officer", "420881"))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    assert_eq!(
        shijian_storage::audit::verify(&app.store)
            .await
            .unwrap()
            .first_broken,
        None
    );
}

async fn jobs_run_once_per_day_and_catch_up(app: TestApp) {
    let jc = JobContext::default();
    let day = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    // Two processes tick at once: each job runs once for the day.
    let (a, b) = tokio::join!(
        jobs::run_due(&app.store, day(15), "proc-a", &jc),
        jobs::run_due(&app.store, day(15), "proc-b", &jc)
    );
    let runs = a.unwrap().len() + b.unwrap().len();
    assert_eq!(runs, jobs::JOBS.len());
    assert!(jobs::run_due(&app.store, day(15), "proc-a", &jc)
        .await
        .unwrap()
        .is_empty());
    // After three days down, the next tick runs each missed date in order.
    let done = jobs::run_due(&app.store, day(18), "proc-b", &jc)
        .await
        .unwrap();
    let dates: Vec<NaiveDate> = done
        .iter()
        .filter(|(n, _, _)| n == "session_cleanup")
        .map(|(_, d, _)| *d)
        .collect();
    assert_eq!(dates, vec![day(16), day(17), day(18)]);
    // A manual run is audited.
    jobs::run_now(&app.store, "session_cleanup", day(10), "cli", &jc)
        .await
        .unwrap();
    let (_, auditor) = app
        .user_token("city.auditor", Role::AuditAdmin, "420800")
        .await;
    let (_, trail) = app
        .get("/api/v1/audit?action=job.run&limit=100", &auditor)
        .await;
    assert_eq!(
        trail["items"].as_array().unwrap().len(),
        jobs::JOBS.len() * 4 + 1
    );
}

/// Legal dates are Beijing dates whatever the host's zone: at 16:30 UTC on 31 March it is
/// already 1 April in Beijing, and the daily jobs run for 1 April.
#[tokio::test]
async fn jobs_use_beijing_dates_near_midnight() {
    let (db, _dir) = fresh_database(Backend::Sqlite).await.unwrap();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap(),
    ));
    let store = Store::open(&db, clock.clone()).await.unwrap();
    use shijian_domain::clock::Clock;
    let today = clock.today();
    assert_eq!(today, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    let done = jobs::run_due(&store, today, "p", &JobContext::default())
        .await
        .unwrap();
    assert!(done.iter().all(|(_, d, _)| *d == today));
}

/// The SQLite and PostgreSQL migrations define the same tables and columns.
#[tokio::test]
async fn migrated_schemas_match() {
    let Some((pg, _)) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let (lite, _dir) = fresh_database(Backend::Sqlite).await.unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let a = schema::describe(&Store::open(&lite, clock.clone()).await.unwrap())
        .await
        .unwrap();
    let b = schema::describe(&Store::open(&pg, clock).await.unwrap())
        .await
        .unwrap();
    assert!(a.len() > 50, "{}", a.len());
    // Views report nullability differently; compare names and types everywhere, NOT NULL on tables.
    let strip = |v: &[schema::ColumnInfo]| {
        v.iter()
            .map(|(t, c, ty, nn)| {
                (
                    t.clone(),
                    c.clone(),
                    ty.clone(),
                    *nn && t != "jurisdiction_cover",
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
}
