//! Name checks through the API (企业名称自主申报): the acceptance examples of issue 6, the
//! year of protection after deregistration and a name change (on the test clock), a
//! change seen through a second server within a second (the projection follows the event
//! log), bad input and permissions, and the page.

use crate::support::{backends, uscc as code, TestApp};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use shijian_domain::role::Role;
use std::time::{Duration, Instant};

backends!(
    acceptance_restricted_identical_and_same_pinyin,
    a_freed_name_is_protected_for_one_year,
    a_change_is_seen_by_another_server_within_a_second,
    bad_input_and_permissions,
    the_page_explains_the_verdict,
);

async fn officer(app: &TestApp, name: &str) -> String {
    app.user_token(name, Role::Officer, "420800").await.1
}

/// A machine token (integration account): it reads entities and events and outlives the
/// year the clock is moved on (sessions and passwords would expire).
async fn machine_token(app: &TestApp, name: &str) -> String {
    let id = app.add_user(name, Role::Integration, "420800").await;
    shijian_storage::sessions::issue_token(
        &app.store,
        &shijian_storage::Actor::system("test"),
        &shijian_storage::RequestCtx::local("test"),
        id,
        730,
    )
    .await
    .unwrap()
    .0
}

fn items(name: &str, industry: &str) -> Value {
    json!({
        "name": name, "entity_type": "企业", "legal_rep": "张三",
        "division_code": "420802", "domicile": "荆门市某路1号", "industry_code": industry,
        "registered_capital": "10", "established_on": "2020-01-05"
    })
}

/// Registers an enterprise through the API; returns its credit code.
async fn establish(app: &TestApp, token: &str, n: u32, name: &str, industry: &str) -> String {
    let uscc = code("420802", n);
    let (s, b) = app
        .post(
            "/api/v1/entities",
            token,
            json!({"uscc": uscc, "items": items(name, industry)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{name}: {b}");
    uscc
}

async fn check(app: &TestApp, token: &str, name: &str, industry: Option<&str>) -> Value {
    let (s, b) = app
        .post(
            "/api/v1/name-checks",
            token,
            json!({"name": name, "division_code": "420802", "industry_code": industry,
                   "enterprise_type": "llc_natural_person_invested"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{name}: {b}");
    b
}

fn reasons<'a>(v: &'a Value, code: &str) -> Vec<&'a Value> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"] == code)
        .collect()
}

fn is_chinese(s: &Value) -> bool {
    s.as_str()
        .is_some_and(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
}

/// Checks until `done` holds, for at most `limit`; returns the last answer and the time.
async fn check_until(
    app: &TestApp,
    token: &str,
    name: &str,
    industry: Option<&str>,
    limit: Duration,
    done: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let started = Instant::now();
    loop {
        let v = check(app, token, name, industry).await;
        if done(&v) || started.elapsed() > limit {
            return (v, started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn acceptance_restricted_identical_and_same_pinyin(app: TestApp) {
    let t = officer(&app, "name.officer").await;
    let u = establish(&app, &t, 1, "荆门市金凤凰餐饮管理有限公司", "6210").await;
    establish(&app, &t, 2, "荆门市银河湾房地产开发有限公司", "7010").await;

    // The restricted word: rejected, with rule, source and a Chinese message.
    let v = check(&app, &t, "荆门中国石化有限公司", Some("2511")).await;
    assert_eq!(v["verdict"], "reject", "{v}");
    let r = reasons(&v, "restricted_word_mid_name");
    assert_eq!(r.len(), 1, "{v}");
    assert_eq!(r[0]["severity"], "reject");
    assert_eq!(r[0]["unconfirmed"], false);
    assert!(r[0]["source"].as_str().unwrap().contains("规定第十二条"));
    assert!(r[0]["message"].as_str().unwrap().contains("国务院批准"));
    assert!(is_chinese(&r[0]["rule"]));
    assert_eq!(v["parts"]["division"], "荆门");
    assert_eq!(v["parts"]["trade_name"], "中国");
    assert_eq!(v["parts"]["organisational_form"], "有限公司");
    // … and the well-known name is pointed out as a warning.
    let wk = reasons(&v, "well_known_name");
    assert_eq!(wk[0]["severity"], "warn");
    assert_eq!(wk[0]["conflicts"][0]["status"], "well_known");
    // The prefix: State Council approval.
    let v = check(&app, &t, "中国好运来餐饮有限公司", Some("6210")).await;
    assert_eq!(reasons(&v, "restricted_prefix")[0]["severity"], "reject");

    // An identical 字号 in the same industry (大类 62), whatever the wording: rejected,
    // naming the existing enterprise.
    let (v, _) = check_until(
        &app,
        &t,
        "荆门市金凤凰餐饮有限公司",
        Some("6220"),
        Duration::from_secs(1),
        |v| !reasons(v, "trade_name_identical").is_empty(),
    )
    .await;
    assert_eq!(v["verdict"], "reject", "{v}");
    let r = reasons(&v, "trade_name_identical");
    assert_eq!(r[0]["severity"], "reject");
    assert!(r[0]["source"].as_str().unwrap().contains("规定第十七条"));
    let c = &r[0]["conflicts"][0];
    assert_eq!(c["uscc"], json!(u));
    assert_eq!(c["name"], "荆门市金凤凰餐饮管理有限公司");
    assert_eq!(c["status"], "in_use");
    assert_eq!(v["parts"]["trade_name"], "金凤凰");
    assert_eq!(v["parts"]["industry_wording"], "餐饮");
    // The same 字号 in another industry is not identical for 规定 Art 17.
    let v = check(&app, &t, "荆门市金凤凰房地产开发有限公司", Some("7010")).await;
    assert!(reasons(&v, "trade_name_identical").is_empty(), "{v}");
    // Nor is a 字号 that merely contains the other.
    let v = check(&app, &t, "荆门市大金凤凰餐饮有限公司", Some("6210")).await;
    assert!(reasons(&v, "trade_name_identical").is_empty(), "{v}");

    // The same pinyin (凰 / 黄, huang): a warning to acknowledge, not a rejection.
    let v = check(&app, &t, "荆门市金凤黄餐饮有限公司", Some("6210")).await;
    assert_eq!(v["verdict"], "warn", "{v}");
    let r = reasons(&v, "trade_name_same_pinyin");
    assert_eq!(r.len(), 1, "{v}");
    assert_eq!(r[0]["severity"], "warn");
    assert_eq!(r[0]["conflicts"][0]["uscc"], json!(u));
    assert!(r[0]["message"].as_str().unwrap().contains("读音相同"));
    // A name that matches nothing and breaks no rule is fine.
    let v = check(&app, &t, "荆门市沃动机械制造有限公司", Some("3411")).await;
    assert_eq!(v["verdict"], "ok", "{v}");
    assert!(v["reasons"].as_array().unwrap().is_empty());
}

async fn a_freed_name_is_protected_for_one_year(app: TestApp) {
    let t = officer(&app, "name.keeper").await;
    let gone = establish(&app, &t, 10, "荆门市银河湾餐饮有限公司", "6210").await;
    let renamed = establish(&app, &t, 11, "荆门市旧时光餐饮有限公司", "6210").await;
    // Deregistered today (2026-06-15).
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{gone}/status-changes"),
            &t,
            json!({"action": "deregister"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // Renamed today: the old name is protected from the change.
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/entities/{renamed}"),
            Some(&t),
            Some(json!({"items": items("荆门市新时代餐饮有限公司", "6210")})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let t = machine_token(&app, "name.keeper.machine").await;

    let protected = |v: &Value| !reasons(v, "trade_name_protected").is_empty();
    let (v, _) = check_until(
        &app,
        &t,
        "荆门市银河湾餐饮管理有限公司",
        Some("6210"),
        Duration::from_secs(1),
        protected,
    )
    .await;
    assert_eq!(v["verdict"], "reject", "{v}");
    let c = &reasons(&v, "trade_name_protected")[0]["conflicts"][0];
    assert_eq!(c["uscc"], json!(gone));
    assert_eq!(c["status"], "deregistered");
    assert_eq!(c["protected_until"], "2027-06-15");
    let (v, _) = check_until(
        &app,
        &t,
        "荆门市旧时光餐饮有限公司",
        Some("6210"),
        Duration::from_secs(1),
        protected,
    )
    .await;
    let c = &reasons(&v, "trade_name_protected")[0]["conflicts"][0];
    assert_eq!(c["uscc"], json!(renamed));
    assert_eq!(c["status"], "changed");
    assert_eq!(c["protected_until"], "2027-06-15");
    // The new name is in use.
    let v = check(&app, &t, "荆门市新时代餐饮有限公司", Some("6210")).await;
    assert_eq!(reasons(&v, "trade_name_identical").len(), 1, "{v}");

    // The last day of the year: still protected.
    app.clock.advance(chrono::Duration::days(365));
    for name in ["荆门市银河湾餐饮管理有限公司", "荆门市旧时光餐饮有限公司"]
    {
        let v = check(&app, &t, name, Some("6210")).await;
        assert_eq!(v["checked_on"], "2027-06-15");
        assert_eq!(v["verdict"], "reject", "{name}: {v}");
        assert!(protected(&v), "{name}: {v}");
    }
    // The day after: free again (nothing identical, nothing rejected).
    app.clock.advance(chrono::Duration::days(1));
    for name in ["荆门市银河湾餐饮管理有限公司", "荆门市旧时光餐饮有限公司"]
    {
        let v = check(&app, &t, name, Some("6210")).await;
        assert_ne!(v["verdict"], "reject", "{name}: {v}");
        assert!(!protected(&v), "{name}: {v}");
        assert!(
            reasons(&v, "trade_name_identical").is_empty(),
            "{name}: {v}"
        );
    }
    // The renamed enterprise's current name still blocks.
    let v = check(&app, &t, "荆门市新时代餐饮有限公司", Some("6210")).await;
    assert_eq!(reasons(&v, "trade_name_identical").len(), 1, "{v}");
}

async fn a_change_is_seen_by_another_server_within_a_second(app: TestApp) {
    let t = officer(&app, "name.follow").await;
    let second = app.second_server().await;
    let v = check(&second, &t, "荆门市青山绿餐饮有限公司", Some("6210")).await;
    assert!(reasons(&v, "trade_name_identical").is_empty(), "{v}");
    // Registered through the first server; the second has no request-time catch-up for
    // name checks: its follower of the event log brings the name in.
    let u = establish(&app, &t, 20, "荆门市青山绿餐饮有限公司", "6210").await;
    let (v, took) = check_until(
        &second,
        &t,
        "荆门市青山绿餐饮有限公司",
        Some("6210"),
        Duration::from_secs(1),
        |v| !reasons(v, "trade_name_identical").is_empty(),
    )
    .await;
    assert!(
        !reasons(&v, "trade_name_identical").is_empty(),
        "not seen within {took:?}: {v}"
    );
    assert_eq!(
        reasons(&v, "trade_name_identical")[0]["conflicts"][0]["uscc"],
        json!(u)
    );
    // A rename through the first server frees nothing (the old name is protected) and
    // blocks the new one.
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/entities/{u}"),
            Some(&t),
            Some(json!({"items": items("荆门市白云间餐饮有限公司", "6210")})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (v, took) = check_until(
        &second,
        &t,
        "荆门市白云间餐饮有限公司",
        Some("6210"),
        Duration::from_secs(1),
        |v| !reasons(v, "trade_name_identical").is_empty(),
    )
    .await;
    assert!(
        !reasons(&v, "trade_name_identical").is_empty(),
        "not seen within {took:?}: {v}"
    );
    let v = check(&second, &t, "荆门市青山绿餐饮有限公司", Some("6210")).await;
    assert_eq!(
        reasons(&v, "trade_name_protected")[0]["conflicts"][0]["status"],
        "changed",
        "{v}"
    );
}

async fn bad_input_and_permissions(app: TestApp) {
    let t = officer(&app, "name.input").await;
    let base = json!({"name": "荆门市好味道餐饮有限公司", "division_code": "420802",
                      "industry_code": "6210", "enterprise_type": "llc_other"});
    let with = |field: &str, value: Value| {
        let mut b = base.clone();
        b[field] = value;
        b
    };
    for (body, code) in [
        (with("name", json!("  ")), "name_empty"),
        (with("name", json!("好".repeat(101))), "name_too_long"),
        (with("division_code", json!("110101")), "division_unknown"),
        (with("division_code", json!("4208")), "division_unknown"),
        (with("industry_code", json!("9999")), "industry_unknown"),
        (with("industry_code", json!("A6210")), "industry_unknown"),
        (
            with("enterprise_type", json!("有限公司")),
            "enterprise_type_unknown",
        ),
    ] {
        let (s, p) = app.post("/api/v1/name-checks", &t, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{code}: {p}");
        assert_eq!(p["code"], code);
        assert!(is_chinese(&p["detail"]), "{p}");
    }
    let (s, p) = app
        .post("/api/v1/name-checks", &t, json!({"name": "荆门"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{p}");
    // A section-prefixed code and a township are accepted; the industry may be left out.
    let (s, _) = app
        .post(
            "/api/v1/name-checks",
            &t,
            with("industry_code", json!("H6210")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .post(
            "/api/v1/name-checks",
            &t,
            json!({"name": "荆门市好味道餐饮有限公司", "division_code": "420802001",
                   "enterprise_type": "llc_other"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["verdict"], "ok", "{v}");
    // Not signed in: 401; a role without the permission to read entities: 403.
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/name-checks",
            None,
            Some(base.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, auditor) = app
        .user_token("name.auditor", Role::AuditAdmin, "420800")
        .await;
    let (s, p) = app
        .post("/api/v1/name-checks", &auditor, base.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    // A leader (read-only) may check, and a check records nothing.
    let (_, leader) = app.user_token("name.leader", Role::Leader, "420800").await;
    let machine = machine_token(&app, "name.events").await;
    let (s, before) = app.get("/api/v1/events", &machine).await;
    assert_eq!(s, StatusCode::OK, "{before}");
    let (s, _) = app.post("/api/v1/name-checks", &leader, base.clone()).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post("/api/v1/name-checks", &machine, base.clone())
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, after) = app.get("/api/v1/events", &machine).await;
    assert_eq!(before, after);
    // The operation is documented.
    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let op = &doc["paths"]["/api/v1/name-checks"]["post"];
    assert!(op["requestBody"].is_object(), "{op}");
    for status in ["200", "400", "401", "403"] {
        assert!(op["responses"][status].is_object(), "{status}: {op}");
    }
    let schemas = &doc["components"]["schemas"];
    for s in [
        "NameCheck",
        "NameCheckRequest",
        "NameReason",
        "NameConflict",
        "NameParts",
    ] {
        assert!(schemas[s].is_object(), "{s}");
    }
}

async fn the_page_explains_the_verdict(app: TestApp) {
    let t = officer(&app, "name.page").await;
    let u = establish(&app, &t, 30, "荆门市金凤凰餐饮管理有限公司", "6210").await;
    let cookie = app.session_cookie("name.page").await;
    let page = app
        .request(Method::GET, "/name-checks", None)
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("企业名称自主申报核查"));
    assert!(html.contains("hx-post=\"/name-checks\""));
    let csrf = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let started = Instant::now();
    loop {
        let resp = app
            .request(Method::POST, "/name-checks", None)
            .header(header::COOKIE, &cookie)
            .header("hx-request", "true")
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("name", "荆门市金凤凰餐饮有限公司"),
                ("division_code", "420802"),
                ("industry_code", "62"),
                ("enterprise_type", "llc_other"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let fragment = resp.text().await.unwrap();
        assert!(!fragment.contains("<html"), "a fragment, not a page");
        if fragment.contains(&format!("href=\"/entities/{u}\"")) {
            assert!(fragment.contains("不能申报"), "{fragment}");
            assert!(fragment.contains("规定第十七条"), "{fragment}");
            assert!(fragment.contains("金凤凰"), "{fragment}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1), "{fragment}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Without htmx the whole page comes back with the result; bad input is explained.
    let resp = app
        .request(Method::POST, "/name-checks", None)
        .header(header::COOKIE, &cookie)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "荆门中国石化有限公司"),
            ("division_code", "110101"),
            ("industry_code", ""),
            ("enterprise_type", "llc_other"),
        ])
        .send()
        .await
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<html") && html.contains("不是本市的行政区划"),
        "{html}"
    );
}
