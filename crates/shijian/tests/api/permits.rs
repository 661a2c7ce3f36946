//! Permits and licence verification through the API: the QR link of a revoked licence says
//! so, a tampered link is refused, links survive a key rotation until the old key is
//! retired, an expired permit reads as expired from the store clock, the expiry warning
//! job is idempotent, the catalogue is the administrator's, and permits are jurisdiction
//! scoped.

use crate::support::{backends, uscc as code, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shijian_domain::role::Role;
use shijian_storage::{permits, Actor, RequestCtx};

backends!(
    a_revoked_licence_link_says_revoked_and_a_tampered_one_is_refused,
    links_signed_before_a_rotation_verify_until_the_key_is_retired,
    an_expired_permit_reads_expired_and_the_warning_job_is_idempotent,
    the_catalogue_is_edited_by_the_system_administrator_only,
    permits_are_scoped_and_follow_the_rules,
);

async fn establish(app: &TestApp, token: &str, uscc: &str, name: &str, division: &str) {
    let (s, b) = app
        .post(
            "/api/v1/entities",
            token,
            json!({"uscc": uscc, "items": {
                "name": name, "entity_type": "企业", "legal_rep": "张三",
                "division_code": division, "domicile": "荆门市某路1号", "industry_code": "6210",
                "registered_capital": "10", "established_on": "2020-01-05"
            }}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{name}: {b}");
}

/// Opens a public link without signing in; returns the status and the page text.
async fn open(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app
        .request(reqwest::Method::GET, path, None)
        .send()
        .await
        .unwrap();
    let s = resp.status();
    (s, resp.text().await.unwrap())
}

async fn open_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app
        .request(reqwest::Method::GET, path, None)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let s = resp.status();
    (s, resp.json().await.unwrap_or(Value::Null))
}

/// The text inside the page's status heading.
fn heading(page: &str) -> &str {
    let start = page.find("<h1 id=\"status\">").expect("status heading") + 16;
    let end = start + page[start..].find("</h1>").unwrap();
    &page[start..end]
}

fn tamper(path: &str) -> String {
    let (head, sig) = path.rsplit_once("&s=").unwrap();
    let mut bytes = sig.as_bytes().to_vec();
    bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
    format!("{head}&s={}", String::from_utf8(bytes).unwrap())
}

async fn licence_path(app: &TestApp, token: &str, uscc: &str) -> String {
    let (s, b) = app
        .get(&format!("/api/v1/entities/{uscc}/licence-link"), token)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["url"], b["path"],
        "no public base URL is configured in tests"
    );
    b["path"].as_str().unwrap().to_owned()
}

async fn a_revoked_licence_link_says_revoked_and_a_tampered_one_is_refused(app: TestApp) {
    let (_, t) = app.user_token("lic.officer", Role::Officer, "420800").await;
    let u = code("420802", 1);
    establish(&app, &t, &u, "荆门市验证执照有限公司", "420802001").await;
    let path = licence_path(&app, &t, &u).await;
    assert!(
        path.starts_with(&format!("/public/licences/licence/{u}?k=l1&s=")),
        "{path}"
    );
    let (s, page) = open(&app, &path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(heading(&page), "有效");
    assert!(page.contains("荆门市验证执照有限公司") && page.contains(&u));
    assert!(
        !page.contains("张三"),
        "no legal representative on the public page"
    );

    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{u}/status-changes"),
            &t,
            json!({"action": "revoke"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The same printed link now says revoked.
    let (s, page) = open(&app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(heading(&page), "已吊销");
    let (s, j) = open_json(&app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["status_label"], json!("已吊销"));
    assert_eq!(j["in_force"], json!(false));
    let (s, j) = open_json(&app, &path.replacen(&u, &format!("{u}.json"), 1)).await;
    assert_eq!(
        (s, j["licence_status"].clone()),
        (StatusCode::OK, json!("已吊销"))
    );

    // Tampered signature, another entity under the same signature, a wrong kind, an
    // unknown key, no signature: refused, and nothing about the entity shows.
    let other = code("420802", 2);
    let refused = [
        tamper(&path),
        path.replacen(&u, &other, 1),
        path.replacen("/licence/", "/permit/", 1),
        path.replacen("k=l1", "k=l9", 1),
        format!("/public/licences/licence/{u}"),
    ];
    for bad in &refused {
        let (s, page) = open(&app, bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.contains("链接签名无效，可能被篡改"), "{bad}");
        assert!(
            !page.contains("荆门市验证执照") && !page.contains("已吊销"),
            "{bad}"
        );
        let (s, j) = open_json(&app, bad).await;
        assert_eq!(
            (s, j["code"].clone()),
            (StatusCode::BAD_REQUEST, json!("bad_link_signature"))
        );
    }
}

async fn links_signed_before_a_rotation_verify_until_the_key_is_retired(app: TestApp) {
    let (_, t) = app.user_token("rot.officer", Role::Officer, "420800").await;
    let u = code("420802", 11);
    establish(&app, &t, &u, "荆门市轮换密钥有限公司", "420802001").await;
    let old = licence_path(&app, &t, &u).await;
    assert!(old.contains("k=l1"));
    let (op, ctx) = (Actor::system("test"), RequestCtx::local("test"));
    let id = permits::rotate_link_key(&app.store, &op, &ctx)
        .await
        .unwrap();
    assert_eq!(id, "l2");
    let new = licence_path(&app, &t, &u).await;
    assert!(new.contains("k=l2"), "{new}");
    assert_ne!(old, new);
    for p in [&old, &new] {
        let (s, page) = open(&app, p).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(heading(&page), "有效");
    }
    // The key that signs new links cannot be retired; the old one can, and its links stop.
    let err = permits::retire_link_key(&app.store, &op, &ctx, "l2")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        shijian_storage::StoreError::Conflict {
            code: "current_link_key",
            ..
        }
    ));
    permits::retire_link_key(&app.store, &op, &ctx, "l1")
        .await
        .unwrap();
    let (s, page) = open(&app, &old).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("链接签名无效"));
    let (s, _) = open(&app, &new).await;
    assert_eq!(s, StatusCode::OK);
    // An officer may not rotate (configuration).
    let officer = Actor {
        user_id: Some(1),
        username: "rot.officer".into(),
        role: Role::Officer,
        jurisdiction: "420800".into(),
    };
    let err = permits::rotate_link_key(&app.store, &officer, &ctx)
        .await
        .unwrap_err();
    assert!(matches!(err, shijian_storage::StoreError::Forbidden));
    let states = permits::link_keys(&app.store).await.unwrap();
    let ids: Vec<_> = states
        .iter()
        .map(|k| (k.id.as_str(), k.retired_at.is_some()))
        .collect();
    assert_eq!(ids, [("l1", true), ("l2", false)]);
}

async fn run_job(app: &TestApp) -> String {
    shijian_storage::jobs::run_now(
        &app.store,
        "permit_expiry_warning",
        app.store.clock().today(),
        "test",
        &shijian_storage::jobs::JobContext::default(),
    )
    .await
    .unwrap()
}

async fn an_expired_permit_reads_expired_and_the_warning_job_is_idempotent(app: TestApp) {
    let (_, t) = app.user_token("exp.officer", Role::Officer, "420800").await;
    let u = code("420802", 21);
    establish(&app, &t, &u, "荆门市到期餐饮有限公司", "420802001").await;
    let (s, p) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &t,
            json!({"item_code": "food_business", "number": "JY14208020000001", "valid_until": "2026-12-31", "scope": "热食类食品制售"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(
        (p["status"].clone(), p["issued_on"].clone()),
        (json!("valid"), json!("2026-06-15"))
    );
    let id = p["id"].as_str().unwrap().to_owned();
    // A default validity comes from the catalogue: five years less a day.
    let (s, p2) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &t,
            json!({"item_code": "food_production", "number": "SC10642080200001"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    assert_eq!(p2["valid_until"], json!("2031-06-14"));

    let (s, link) = app.get(&format!("/api/v1/permits/{id}/link"), &t).await;
    assert_eq!(s, StatusCode::OK, "{link}");
    let path = link["path"].as_str().unwrap().to_owned();
    assert!(
        path.starts_with(&format!("/public/licences/permit/{id}?k=")),
        "{path}"
    );
    let (s, page) = open(&app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(heading(&page), "有效");
    assert!(page.contains("JY14208020000001") && page.contains("食品经营许可证"));

    assert_eq!(run_job(&app).await, "warned 0, expired 0");
    // 2026-10-05: within 90 days of 2026-12-31.
    app.clock.advance(chrono::Duration::days(112));
    assert_eq!(run_job(&app).await, "warned 1, expired 0");
    assert_eq!(
        run_job(&app).await,
        "warned 0, expired 0",
        "rerun changes nothing"
    );
    // Passwords expire after 90 days: a colleague signs in now.
    let (_, t) = app
        .user_token("exp.officer.b", Role::Officer, "420800")
        .await;
    let (s, w) = app.get("/api/v1/permit-warnings", &t).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    let got: Vec<_> = w
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["number"].as_str().unwrap(),
                x["threshold_days"].as_i64().unwrap(),
                x["warned_on"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("JY14208020000001", 90, "2026-10-05")]);
    // 2026-12-05: the 30-day warning.
    app.clock.advance(chrono::Duration::days(61));
    assert_eq!(run_job(&app).await, "warned 1, expired 0");
    assert_eq!(run_job(&app).await, "warned 0, expired 0");

    // 2027-01-01: past the last valid day, expired before the job ran.
    app.clock.advance(chrono::Duration::days(27));
    let (_, t) = app
        .user_token("exp.officer.c", Role::Officer, "420800")
        .await;
    let (_, p) = app.get(&format!("/api/v1/permits/{id}"), &t).await;
    assert_eq!(
        (p["status"].clone(), p["status_label"].clone()),
        (json!("expired"), json!("已过期"))
    );
    let (s, page) = open(&app, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(heading(&page), "已过期");
    assert_eq!(run_job(&app).await, "warned 0, expired 1");
    assert_eq!(run_job(&app).await, "warned 0, expired 0");
    // A renewal makes it valid again, with a fresh validity.
    let (s, r) = app
        .post(
            &format!("/api/v1/permits/{id}/status-changes"),
            &t,
            json!({"action": "renew", "valid_until": "2031-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["status"].clone(), r["valid_until"].clone()),
        (json!("valid"), json!("2031-12-31"))
    );
    let (_, page) = open(&app, &path).await;
    assert_eq!(heading(&page), "有效");
    // Revocation shows on the same link.
    let (s, r) = app
        .post(
            &format!("/api/v1/permits/{id}/status-changes"),
            &t,
            json!({"action": "revoke", "reason": "荆市监罚〔2027〕1号"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, page) = open(&app, &path).await;
    assert_eq!(heading(&page), "已吊销");
    let (s, r) = app
        .post(
            &format!("/api/v1/permits/{id}/status-changes"),
            &t,
            json!({"action": "renew"}),
        )
        .await;
    assert_eq!(
        (s, r["code"].clone()),
        (StatusCode::CONFLICT, json!("permit_terminal"))
    );
}

async fn the_catalogue_is_edited_by_the_system_administrator_only(app: TestApp) {
    let (_, admin) = app
        .user_token("cat.admin", Role::SystemAdmin, "420800")
        .await;
    let (_, officer) = app.user_token("cat.officer", Role::Officer, "420800").await;
    let (s, items) = app.get("/api/v1/permit-items", &officer).await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<_> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    for c in [
        "food_business",
        "special_equipment_use_registration",
        "industrial_product_production",
    ] {
        assert!(codes.contains(&c), "{c} in {codes:?}");
    }
    let edit = json!({"validity_years": 3, "note": "已核实"});
    let resp = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/permit-items/food_workshop_registration",
            Some(&officer),
        )
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/permit-items/food_workshop_registration",
            Some(&admin),
        )
        .json(&json!({"reform_mode": "commitment", "note": "已核实"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let item: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            item["reform_mode"].clone(),
            item["reform_mode_label"].clone(),
            item["note"].clone(),
            item["validity_years"].clone()
        ),
        (
            json!("commitment"),
            json!("实行告知承诺"),
            json!("已核实"),
            json!(3)
        )
    );
    let resp = app
        .request(
            reqwest::Method::PATCH,
            "/api/v1/permit-items/food_workshop_registration",
            Some(&admin),
        )
        .json(&json!({"reform_mode": "streamlined"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (s, b) = app
        .post(
            "/api/v1/permit-items",
            &admin,
            json!({"code": "pressure_vessel_filling", "name": "移动式压力容器充装许可", "department": "湖北省市场监督管理局", "reform_mode": "approval", "validity_years": 4, "legal_basis": "《特种设备安全法》第四十九条"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .post("/api/v1/permit-items", &admin, json!({"code": "pressure_vessel_filling", "name": "重复", "department": "x", "reform_mode": "filing"}))
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::CONFLICT, json!("permit_item_exists"))
    );
    // Audited.
    let (_, auditor) = app
        .user_token("cat.auditor", Role::AuditAdmin, "420800")
        .await;
    let (s, a) = app
        .get("/api/v1/audit?action=permit_item.edit", &auditor)
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert!(a.to_string().contains("food_workshop_registration"), "{a}");
    // An abolished item issues nothing.
    let u = code("420802", 31);
    establish(&app, &officer, &u, "荆门市计量器具有限公司", "420802001").await;
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &officer,
            json!({"item_code": "measuring_instrument_manufacture", "number": "X1"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("permit_item_abolished")
        )
    );
}

async fn permits_are_scoped_and_follow_the_rules(app: TestApp) {
    let (_, city) = app.user_token("sc.city", Role::Officer, "420800").await;
    let (_, zx) = app.user_token("sc.zx", Role::Officer, "420881").await;
    let (_, leader) = app.user_token("sc.leader", Role::Leader, "420800").await;
    let u = code("420802", 41);
    establish(&app, &city, &u, "荆门市东宝辖区有限公司", "420802001").await;
    let (s, p) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &city,
            json!({"item_code": "special_equipment_use_registration", "number": "梯11鄂H00001"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(
        p["valid_until"],
        Value::Null,
        "use registration has no expiry"
    );
    let id = p["id"].as_str().unwrap();
    // Another jurisdiction sees nothing of it.
    for path in [
        format!("/api/v1/entities/{u}/permits"),
        format!("/api/v1/entities/{u}/licence-link"),
        format!("/api/v1/permits/{id}"),
        format!("/api/v1/permits/{id}/link"),
    ] {
        let (s, _) = app.get(&path, &zx).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &zx,
            json!({"item_code": "food_business", "number": "JY2"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/api/v1/permits/{id}/status-changes"),
            &zx,
            json!({"action": "cancel", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A leader reads but may not issue.
    let (s, list) = app
        .get(&format!("/api/v1/entities/{u}/permits"), &leader)
        .await;
    assert_eq!((s, list.as_array().unwrap().len()), (StatusCode::OK, 1));
    let (s, _) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &leader,
            json!({"item_code": "food_business", "number": "JY3"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Duplicate numbers of one item, a validity before issue, an unknown item.
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &city,
            json!({"item_code": "special_equipment_use_registration", "number": "梯11鄂H00001"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::CONFLICT, json!("permit_number_exists"))
    );
    let (s, b) = app
        .post(&format!("/api/v1/entities/{u}/permits"), &city, json!({"item_code": "food_business", "number": "JY4", "issued_on": "2026-06-15", "valid_until": "2026-06-01"}))
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("validity_before_issue")
        )
    );
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{u}/permits"),
            &city,
            json!({"item_code": "nope", "number": "JY5"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("unknown_permit_item")
        )
    );
    // Cancellation needs a reason, then shows on the public page.
    let (s, _) = app
        .post(
            &format!("/api/v1/permits/{id}/status-changes"),
            &city,
            json!({"action": "cancel"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app
        .post(
            &format!("/api/v1/permits/{id}/status-changes"),
            &city,
            json!({"action": "cancel", "reason": "设备报废"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, link) = app.get(&format!("/api/v1/permits/{id}/link"), &city).await;
    let (s, page) = open(&app, link["path"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(heading(&page), "已注销");
    // The staff page with the QR codes.
    let cookie = app.session_cookie("sc.city").await;
    let resp = app
        .request(
            reqwest::Method::GET,
            &format!("/entities/{u}/permits"),
            None,
        )
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("梯11鄂H00001") && html.contains("已注销"));
    let resp = app
        .request(
            reqwest::Method::GET,
            &format!("/entities/{u}/licence-qr.svg"),
            None,
        )
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    assert!(resp.text().await.unwrap().contains("<svg"));
}
