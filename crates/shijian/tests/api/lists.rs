//! Annual reports, the abnormal operations list and its removal, the decision documents
//! as PDFs, and the public portal's disclosure policy (issue #6 acceptance).

use crate::support::{
    backends, browser_login, csrf_token, id_number, uscc as code, TestApp, PASSWORD,
};
use chrono::TimeZone;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use shijian_domain::role::Role;
use shijian_storage::jobs::{self, JobContext};

backends!(
    a_non_filer_is_listed_by_the_job_and_removed_after_filing,
    the_public_page_discloses_only_what_the_policy_allows,
    startup_times_per_county_and_month_known_answer,
    an_enterprise_files_its_own_report_and_nobody_elses,
    an_enterprise_files_on_its_report_page,
    three_years_on_the_list_flags_the_entity,
    reports_migrated_from_history_count_as_filed,
);

async fn establish(app: &TestApp, token: &str, uscc: &str, name: &str, kind: &str) {
    let (s, b) = app
        .post(
            "/api/v1/entities",
            token,
            json!({"uscc": uscc, "items": {
                "name": name, "entity_type": kind, "legal_rep": "张三丰",
                "legal_rep_id": id_number("42080219800101123"), "phone": "13871234567",
                "division_code": "420802", "domicile": "荆门市东宝区泉口路8号", "industry_code": "5211",
                "registered_capital": "50", "established_on": "2025-03-01"
            }}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{name}: {b}");
}

fn report(year: i32) -> Value {
    json!({
        "report_year": year,
        "content": {
            "contact": {"address": "荆门市东宝区泉口路8号", "postcode": "448000", "phone": "13871234567", "email": ""},
            "operating_status": "开业",
            "employees": 12,
            "finance": {"revenue_fen": 123_456_700, "tax_paid_fen": 1_000_000}
        },
        "publish": []
    })
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> String {
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["token"].as_str().unwrap().to_owned()
}

async fn file_report(app: &TestApp, token: &str, uscc: &str, year: i32) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/entities/{uscc}/annual-reports"),
        token,
        report(year),
    )
    .await
}

/// An enterprise account's first sign-in step: `Start#2026jm` becomes `Mine#2026report`.
async fn change_initial_password(app: &TestApp, token: &str) {
    let (s, b) = app
        .post(
            "/api/v1/auth/password",
            token,
            json!({"current_password": "Start#2026jm", "new_password": "Mine#2026report"}),
        )
        .await;
    assert!(s.is_success(), "{b}");
}

async fn run_job(app: &TestApp, day: &str) -> String {
    let as_of = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    jobs::run_now(
        &app.store,
        "annual_report_listing",
        as_of,
        "test",
        &JobContext::default(),
    )
    .await
    .unwrap()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app.request(Method::GET, path, None).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn a_non_filer_is_listed_by_the_job_and_removed_after_filing(app: TestApp) {
    let (_, token) = app.user_token("db.officer", Role::Officer, "420802").await;
    let filer = code("420802", 1);
    let non_filer = code("420802", 2);
    let shop = code("420802", 3);
    establish(
        &app,
        &token,
        &filer,
        "荆门市按时报送商贸有限公司",
        "enterprise",
    )
    .await;
    establish(
        &app,
        &token,
        &non_filer,
        "荆门市逾期未报商贸有限公司",
        "enterprise",
    )
    .await;
    establish(
        &app,
        &token,
        &shop,
        "东宝区未报便利店",
        "individual_business",
    )
    .await;

    // 2026-06-15: the filer reports for 2025 within the window; a report for 2026 is early.
    let (s, b) = file_report(&app, &token, &filer, 2025).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["late"], false);
    assert_eq!(b["content"]["contact"]["phone"], "138****4567", "{b}");
    let (s, b) = file_report(&app, &token, &filer, 2026).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "report_year_not_ended");

    // Before the window closes the job lists nobody for 2025.
    let r = run_job(&app, "2026-06-30").await;
    assert!(r.contains("2024年度"), "{r}");
    let (_, lists) = app
        .get(
            &format!("/api/v1/entities/{non_filer}/list-entries"),
            &token,
        )
        .await;
    assert_eq!(lists["entries"].as_array().unwrap().len(), 0, "{lists}");

    // 2026-07-15: the job lists the enterprise that did not report, marks the shop.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 7, 15, 2, 0, 0).unwrap());
    let token = app.login("db.officer").await;
    let r = run_job(&app, "2026-07-15").await;
    assert!(
        r.contains("列入经营异常名录 1 户") && r.contains("标记经营异常状态 1 户"),
        "{r}"
    );
    let (_, lists) = app
        .get(&format!("/api/v1/entities/{filer}/list-entries"), &token)
        .await;
    assert_eq!(lists["entries"].as_array().unwrap().len(), 0, "{lists}");
    let (_, lists) = app
        .get(&format!("/api/v1/entities/{shop}/list-entries"), &token)
        .await;
    assert_eq!(lists["entries"][0]["list"], "abnormal_mark", "{lists}");
    assert!(lists["entries"][0]["listing_document_id"].is_null());
    let (_, lists) = app
        .get(
            &format!("/api/v1/entities/{non_filer}/list-entries"),
            &token,
        )
        .await;
    let entry = &lists["entries"][0];
    assert_eq!(entry["list"], "abnormal", "{lists}");
    assert_eq!(entry["ground"], "annual_report_not_filed");
    assert_eq!(entry["report_year"], 2025);
    let entry_id = entry["id"].as_str().unwrap().to_owned();
    // Run again (a second server, or a rerun): nobody is listed twice.
    let r = run_job(&app, "2026-07-15").await;
    assert!(r.contains("列入经营异常名录 0 户"), "{r}");

    // The listing is on the public page with its reason, and the entity is barred from
    // simplified deregistration while listed.
    let (s, html) = page(&app, &format!("/public/entities/{non_filer}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已列入经营异常名录"), "{html}");
    assert!(html.contains("未按照规定期限公示2025年度报告"), "{html}");
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{non_filer}/simplified-deregistrations"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");

    // Officers of another county see nothing of it.
    let (_, other) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (s, _) = app
        .get(
            &format!("/api/v1/entities/{non_filer}/list-entries"),
            &other,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Removal needs the cure first: the late report.
    let apply =
        format!("/api/v1/entities/{non_filer}/list-entries/{entry_id}/removal-applications");
    let (s, b) = app.post(&apply, &token, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], "ground_not_cured");
    let (s, b) = file_report(&app, &token, &non_filer, 2025).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["late"], true);
    let (s, application) = app.post(&apply, &token, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{application}");
    assert_eq!(application["cure"], "report_filed");
    let (_, pending) = app.get("/api/v1/removal-applications", &token).await;
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    let decide = format!(
        "/api/v1/removal-applications/{}/decision",
        application["id"].as_str().unwrap()
    );
    let (s, b) = app.post(&decide, &token, json!({"approve": true})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "approved");
    let (s, b) = app.post(&decide, &token, json!({"approve": true})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");

    let (_, lists) = app
        .get(
            &format!("/api/v1/entities/{non_filer}/list-entries"),
            &token,
        )
        .await;
    assert_eq!(lists["entries"][0]["removed_on"], "2026-07-15", "{lists}");
    let (_, html) = page(&app, &format!("/public/entities/{non_filer}")).await;
    assert!(!html.contains("已列入经营异常名录"), "{html}");
    assert!(html.contains("已补报并公示年度报告"), "{html}");

    // Both decisions exist, numbered by the district bureau, and render as PDFs whose
    // text is the decision's.
    let (_, docs) = app
        .get(&format!("/api/v1/entities/{non_filer}/documents"), &token)
        .await;
    let docs = docs.as_array().unwrap().clone();
    assert_eq!(docs.len(), 2, "{docs:?}");
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"abnormal_listing_decision")
            && kinds.contains(&"abnormal_removal_decision")
    );
    for d in &docs {
        let number = d["number"].as_str().unwrap();
        assert!(
            number.starts_with("东市监异") && number.contains("〔2026〕1号"),
            "{number}"
        );
        let resp = app
            .request(
                Method::GET,
                &format!("/api/v1/documents/{}/pdf", d["id"].as_str().unwrap()),
                Some(&token),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        let bytes = resp.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let text = pdf_text(&bytes);
        let title = if d["kind"] == "abnormal_listing_decision" {
            "列入经营异常名录决定书"
        } else {
            "移出经营异常名录决定书"
        };
        for expected in [
            title,
            "荆门市逾期未报商贸有限公司",
            number,
            "荆门市东宝区市场监督管理局",
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
    }
    let (s, _) = app
        .request(
            Method::GET,
            &format!("/api/v1/documents/{}/pdf", docs[0]["id"].as_str().unwrap()),
            Some(&other),
        )
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The text of a PDF by `pdftotext` (poppler-utils), spaces and line breaks removed.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed: scripts/test.sh installs it");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

async fn the_public_page_discloses_only_what_the_policy_allows(app: TestApp) {
    let (_, token) = app.user_token("db.officer", Role::Officer, "420802").await;
    let company = code("420802", 11);
    let shop = code("420802", 12);
    establish(
        &app,
        &token,
        &company,
        "荆门市公开信息有限公司",
        "enterprise",
    )
    .await;
    establish(
        &app,
        &token,
        &shop,
        "东宝区隐私保护小吃店",
        "individual_business",
    )
    .await;

    let (s, html) = page(&app, &format!("/public/entities/{company}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("法定代表人") && html.contains("张三丰"),
        "{html}"
    );
    // The licence verification link on the page is the signed one its QR code carries.
    let start = html
        .find("/public/licences/licence/")
        .expect("licence link");
    let link = &html[start..start + html[start..].find('"').unwrap()];
    let (s, verified) = page(&app, &link.replace("&#38;", "&")).await;
    assert_eq!(s, StatusCode::OK, "{link}: {verified}");
    assert!(verified.contains("有效"), "{verified}");
    let (s, html) = page(&app, &format!("/public/entities/{shop}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("经营者") && html.contains("张**"), "{html}");
    for secret in [
        "张三丰",
        "13871234567",
        "4567",
        "420802198001011",
        "泉口路8号",
    ] {
        assert!(!html.contains(secret), "{secret} disclosed: {html}");
    }
    let (_, json) = page(&app, &format!("/public/api/entities/{shop}")).await;
    for secret in ["张三丰", "13871234567", "420802198001011"] {
        assert!(!json.contains(secret), "{secret} disclosed: {json}");
    }
    // Search by name finds both; an unknown code is a 404 page, not an error.
    let (_, html) = page(
        &app,
        "/public?q=%E4%B8%9C%E5%AE%9D%E5%8C%BA%E9%9A%90%E7%A7%81",
    )
    .await;
    assert!(html.contains(&shop), "{html}");
    let (s, _) = page(&app, &format!("/public/entities/{}", code("420802", 99))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn startup_times_per_county_and_month_known_answer(app: TestApp) {
    let (_, db) = app.user_token("db.officer", Role::Officer, "420802").await;
    let (_, zx) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (_, city) = app.user_token("city.leader", Role::Leader, "420800").await;
    // (division, kind, received, issued) in Beijing time; working days by the real 2026
    // calendar: 1 May–5 May are holidays and Saturday 9 May is a working day.
    let cases = [
        (
            "420802",
            "enterprise",
            "2026-04-30T02:00:00+00:00",
            "2026-05-06T02:00:00+00:00",
        ), // 1
        (
            "420802",
            "enterprise",
            "2026-05-08T02:00:00+00:00",
            "2026-05-11T02:00:00+00:00",
        ), // 2 (Sat 9 May)
        (
            "420802",
            "enterprise",
            "2026-05-11T01:00:00+00:00",
            "2026-05-11T07:00:00+00:00",
        ), // 0
        (
            "420802",
            "enterprise",
            "2026-05-12T02:00:00+00:00",
            "2026-05-15T02:00:00+00:00",
        ), // 3
        (
            "420802",
            "individual_business",
            "2026-05-12T02:00:00+00:00",
            "2026-05-29T02:00:00+00:00",
        ),
        (
            "420881",
            "enterprise",
            "2026-06-01T02:00:00+00:00",
            "2026-06-03T02:00:00+00:00",
        ), // 2
    ];
    for (n, (division, kind, received, issued)) in cases.iter().enumerate() {
        let uscc = code(division, 100 + u32::try_from(n).unwrap());
        let token = if *division == "420802" { &db } else { &zx };
        let (s, b) = app
            .post(
                "/api/v1/entities",
                token,
                json!({"uscc": uscc, "items": {
                    "name": format!("荆门市开办时间测试{n}有限公司"), "entity_type": kind, "legal_rep": "李四",
                    "division_code": division, "domicile": "荆门市某路1号", "industry_code": "5211",
                    "established_on": "2026-05-01"
                }}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        app.raw(&format!(
            "UPDATE entity SET received_at = '{received}', issued_at = '{issued}' WHERE uscc = '{uscc}'"
        ))
        .await;
    }
    let path = "/api/v1/statistics/startup-times?from=2026-05&to=2026-06";
    let (s, b) = app.get(path, &city).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let rows = b["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{b}");
    assert_eq!(rows[0]["jurisdiction_code"], "420802");
    assert_eq!(rows[0]["month"], "2026-05");
    assert_eq!(rows[0]["count"], 4);
    assert_eq!(rows[0]["median_days"], 1.5);
    assert_eq!(rows[0]["p90_days"], 3);
    assert_eq!(rows[1]["jurisdiction_code"], "420881");
    assert_eq!(rows[1]["month"], "2026-06");
    assert_eq!(rows[1]["median_days"], 2.0);
    // A county sees its own figures only; a month outside the period is not counted.
    let (_, b) = app.get(path, &db).await;
    assert_eq!(b["rows"].as_array().unwrap().len(), 1, "{b}");
    let (_, b) = app
        .get(
            "/api/v1/statistics/startup-times?from=2026-06&to=2026-06",
            &db,
        )
        .await;
    assert_eq!(b["rows"].as_array().unwrap().len(), 0, "{b}");
    let (s, b) = app
        .get(
            "/api/v1/statistics/startup-times?from=2026-13&to=2026-06",
            &db,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
}

async fn an_enterprise_files_its_own_report_and_nobody_elses(app: TestApp) {
    let (_, officer) = app.user_token("db.officer", Role::Officer, "420802").await;
    let own = code("420802", 21);
    let other = code("420802", 22);
    establish(
        &app,
        &officer,
        &own,
        "荆门市自主年报科技有限公司",
        "enterprise",
    )
    .await;
    establish(
        &app,
        &officer,
        &other,
        "荆门市别家商贸有限公司",
        "enterprise",
    )
    .await;
    let open = format!("/api/v1/entities/{own}/enterprise-account");
    let (s, b) = app
        .post(&open, &officer, json!({"initial_password": "Start#2026jm"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["role"], "enterprise");
    let (s, b) = app
        .post(&open, &officer, json!({"initial_password": "Start#2026jm"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    // Another county's officer cannot open one.
    let (_, zx) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (s, _) = app
        .post(
            &format!("/api/v1/entities/{other}/enterprise-account"),
            &zx,
            json!({"initial_password": "Start#2026jm"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // First sign-in: the password must be changed before anything else.
    let username = own.to_ascii_lowercase();
    let token = sign_in(&app, &username, "Start#2026jm").await;
    let (s, _) = file_report(&app, &token, &own, 2025).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    change_initial_password(&app, &token).await;
    let token = sign_in(&app, &username, "Mine#2026report").await;
    let (s, b) = file_report(&app, &token, &own, 2025).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["filed_by"], username.as_str());
    let (s, _) = app
        .get(&format!("/api/v1/entities/{own}/annual-reports"), &token)
        .await;
    assert_eq!(s, StatusCode::OK);
    // Another entity's report: refused and audited.
    let (s, _) = file_report(&app, &token, &other, 2025).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .get(&format!("/api/v1/entities/{other}/annual-reports"), &token)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A correction before 30 June is a new revision; after it, refused.
    let (s, b) = file_report(&app, &token, &own, 2025).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["revision"], 2);
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 7, 1, 2, 0, 0).unwrap());
    let token = sign_in(&app, &username, "Mine#2026report").await;
    let (s, b) = file_report(&app, &token, &own, 2025).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "correction_closed");
}

/// The enterprise's own page: signed in through the form, the account lands on its
/// report page, a bad amount is refused in Chinese and files nothing, the corrected form
/// files the report with the chosen section public; an officer has no such page.
async fn an_enterprise_files_on_its_report_page(app: TestApp) {
    let (_, officer) = app.user_token("db.officer", Role::Officer, "420802").await;
    let own = code("420802", 51);
    establish(
        &app,
        &officer,
        &own,
        "荆门市网上年报科技有限公司",
        "enterprise",
    )
    .await;
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{own}/enterprise-account"),
            &officer,
            json!({"initial_password": "Start#2026jm"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let username = own.to_ascii_lowercase();
    let token = sign_in(&app, &username, "Start#2026jm").await;
    change_initial_password(&app, &token).await;

    let cookie = format!(
        "shijian_session={}",
        browser_login(&app, &username, "Mine#2026report").await
    );
    let get = |path: &'static str| {
        app.request(Method::GET, path, None)
            .header(header::COOKIE, &cookie)
            .send()
    };
    let home = get("/").await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()[header::LOCATION], "/annual-report");
    let page = get("/annual-report").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("荆门市网上年报科技有限公司") && html.contains("尚无年度报告"));
    assert!(
        html.contains("name=\"report_year\" value=\"2025\""),
        "last year by default"
    );
    let csrf = csrf_token(&html);
    let post = |revenue: &'static str| {
        app.request(Method::POST, "/annual-report", None)
            .header(header::COOKIE, &cookie)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("report_year", "2025"),
                ("operating_status", "开业"),
                ("address", "荆门市东宝区泉口路8号"),
                ("postcode", "448000"),
                ("phone", "13871234567"),
                ("employees", "12"),
                ("publish_employees", "yes"),
                ("total_assets", "1,000.50"),
                ("revenue", revenue),
            ])
            .send()
    };
    let refused = post("一千元").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("营业总收入应为金额"), "{html}");
    assert!(
        html.contains("value=\"1,000.50\""),
        "the form keeps what was typed"
    );
    let reports = format!("/api/v1/entities/{own}/annual-reports");
    let (_, b) = app.get(&reports, &officer).await;
    assert_eq!(b.as_array().map(Vec::len), Some(0), "{b}");

    let filed = post("20000").await.unwrap();
    assert_eq!(filed.status(), StatusCode::SEE_OTHER);
    let html = get("/annual-report?done=filed")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("年度报告已报送") && html.contains("原始报告"),
        "{html}"
    );
    assert!(!html.contains("13871234567"), "the phone is not shown back");
    let (_, b) = app.get(&reports, &officer).await;
    let r = &b[0];
    assert_eq!(r["report_year"], 2025, "{b}");
    assert_eq!(r["filed_by"], username.as_str());
    assert_eq!(r["content"]["employees"], 12);
    assert_eq!(r["content"]["finance"]["total_assets_fen"], 100_050);
    assert_eq!(r["content"]["finance"]["revenue_fen"], 2_000_000);
    let public = r["public_parts"].as_array().unwrap();
    assert!(public.contains(&json!("employees")), "{r}");
    assert!(
        !public.contains(&json!("finance")),
        "finances not chosen: {r}"
    );

    // Not an enterprise account: no report page.
    let officer_cookie = format!(
        "shijian_session={}",
        browser_login(&app, "db.officer", PASSWORD).await
    );
    let page = app
        .request(Method::GET, "/annual-report", None)
        .header(header::COOKIE, officer_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
}

async fn three_years_on_the_list_flags_the_entity(app: TestApp) {
    let (_, token) = app.user_token("db.officer", Role::Officer, "420802").await;
    let uscc = code("420802", 31);
    establish(&app, &token, &uscc, "荆门市失联商贸有限公司", "enterprise").await;
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{uscc}/list-entries"),
            &token,
            json!({"ground": "unreachable_at_address", "note": "两次实地核查无法联系"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["reason"], "通过登记的住所或者经营场所无法联系");
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{uscc}/list-entries"),
            &token,
            json!({"ground": "unreachable_at_address"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{uscc}/list-entries"),
            &token,
            json!({"ground": "annual_report_not_filed"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // The day before three years: not flagged; on the day: flagged, once.
    let r = run_job(&app, "2029-06-14").await;
    assert!(r.contains("严重违法失信名单 0 户"), "{r}");
    let r = run_job(&app, "2029-06-15").await;
    assert!(r.contains("严重违法失信名单 1 户"), "{r}");
    let r = run_job(&app, "2029-06-16").await;
    assert!(r.contains("严重违法失信名单 0 户"), "{r}");
    let (_, lists) = app
        .get(&format!("/api/v1/entities/{uscc}/list-entries"), &token)
        .await;
    let entry = lists["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ground"] == "unreachable_at_address")
        .unwrap();
    assert_eq!(entry["escalation_flagged_on"], "2029-06-15", "{lists}");
}

async fn reports_migrated_from_history_count_as_filed(app: TestApp) {
    use shijian_storage::annual_reports::{insert_history, HistoricReport, ReportContent};
    let (_, token) = app.user_token("db.officer", Role::Officer, "420802").await;
    let filed = code("420802", 41);
    let missing = code("420802", 42);
    establish(&app, &token, &filed, "荆门市历史年报有限公司", "enterprise").await;
    establish(
        &app,
        &token,
        &missing,
        "荆门市历史未报有限公司",
        "enterprise",
    )
    .await;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut content = ReportContent {
        operating_status: "开业".to_owned(),
        employees: Some(8),
        ..ReportContent::default()
    };
    content.contact.phone = "13871234567".to_owned();
    let reports = vec![HistoricReport {
        uscc: filed.clone(),
        report_year: 2025,
        filed_on: day("2026-05-20"),
        content,
        publish: vec!["employees".to_owned()],
    }];
    let actor = shijian_storage::Actor::system("migration");
    let ctx = shijian_storage::RequestCtx::local("test");
    let mut tx = app.store.begin_write(&actor, &ctx).await.unwrap();
    assert_eq!(insert_history(&mut tx, &reports).await.unwrap(), 1);
    tx.commit().await.unwrap();

    let r = run_job(&app, "2026-07-15").await;
    assert!(r.contains("列入经营异常名录 1 户"), "{r}");
    let (_, lists) = app
        .get(&format!("/api/v1/entities/{filed}/list-entries"), &token)
        .await;
    assert_eq!(lists["entries"].as_array().unwrap().len(), 0, "{lists}");
    let (_, json) = page(&app, &format!("/public/api/entities/{filed}")).await;
    let v: Value = serde_json::from_str(&json).unwrap();
    let report = &v["annual_reports"][0];
    assert_eq!(report["report_year"], 2025, "{v}");
    assert_eq!(report["sections"]["employees"], 8, "{v}");
    assert_eq!(report["sections"]["contact"]["phone"], "138****4567", "{v}");
    assert!(!json.contains("13871234567"));
}
