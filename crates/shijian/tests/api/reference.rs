//! Reference data over the API: divisions, industries, the calendar and deadlines, time
//! limits as data, code checks, and the reference pages.

use crate::support::{backends, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shijian_domain::role::Role;

backends!(
    divisions_and_industries,
    calendar_deadlines_and_import,
    time_limits_as_data,
    code_checks_and_pages
);

async fn divisions_and_industries(app: TestApp) {
    let (_, t) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (s, d) = app.get("/api/v1/reference/divisions", &t).await;
    assert_eq!(s, StatusCode::OK);
    let divisions = d["divisions"].as_array().unwrap();
    assert_eq!(divisions.len(), 91);
    assert!(divisions
        .iter()
        .any(|x| x["code"] == "420882111" && x["name"] == "永漋镇" && x["level"] == "township"));
    let retired = d["historical"].as_array().unwrap();
    assert!(retired
        .iter()
        .any(|x| x["code"] == "420821" && x["valid_to"] == 2018));
    let (_, all) = app.get("/api/v1/reference/industries", &t).await;
    assert_eq!(all.as_array().unwrap().len(), 1971);
    let (_, sections) = app
        .get("/api/v1/reference/industries?level=section", &t)
        .await;
    assert_eq!(sections.as_array().unwrap().len(), 20);
    let (_, children) = app.get("/api/v1/reference/industries?parent=521", &t).await;
    assert!(children
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["level"] == "class"));
    let (s, i) = app.get("/api/v1/reference/industries/F5211", &t).await;
    assert_eq!(s, StatusCode::OK, "{i}");
    assert_eq!(
        (i["code"].as_str(), i["section"].as_str()),
        (Some("5211"), Some("F"))
    );
    assert_eq!(
        app.get("/api/v1/reference/industries/5211", &t).await.0,
        StatusCode::OK
    );
    let (s, p) = app.get("/api/v1/reference/industries/C5211", &t).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "industry_section_mismatch");
    assert_eq!(
        app.get("/api/v1/reference/industries/9999", &t).await.0,
        StatusCode::NOT_FOUND
    );
}

const YEAR_2027: &str =
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n2027-01-03,holiday,元旦\n";

async fn calendar_deadlines_and_import(app: TestApp) {
    let (_, officer) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (_, admin) = app
        .user_token("city.sysadmin", Role::SystemAdmin, "420800")
        .await;
    let (s, d) = app
        .get(
            "/api/v1/reference/calendar/deadline?from=2025-09-26&working_days=7",
            &officer,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["deadline"], "2025-10-13");
    // 2025-10-01 + 10 calendar days ends on a rest day inside the National Day break? It
    // ends on 2025-10-11, an adjusted working day (Saturday), so it stays.
    let (_, d) = app
        .get(
            "/api/v1/reference/calendar/deadline?from=2025-10-01&days=10",
            &officer,
        )
        .await;
    assert_eq!(d["deadline"], "2025-10-11");
    // Excluded time does not count.
    let (_, d) = app
        .get("/api/v1/reference/calendar/deadline?from=2025-09-26&working_days=7&exclude=2025-10-09..2025-10-10", &officer)
        .await;
    assert_eq!(d["deadline"], "2025-10-15");
    let (s, p) = app
        .get(
            "/api/v1/reference/calendar/deadline?from=2026-12-28&working_days=5",
            &officer,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["code"], "year_not_covered");
    assert!(p["detail"].as_str().unwrap().contains("2027"));

    let body = json!({"year": 2027, "csv": YEAR_2027, "source": "测试"});
    assert_eq!(
        app.post("/api/v1/reference/calendar/years", &officer, body.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, p) = app
        .post(
            "/api/v1/reference/calendar/years",
            &admin,
            json!({"year": 2026, "csv": YEAR_2027, "source": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, r) = app
        .post("/api/v1/reference/calendar/years", &admin, body.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["rows"], 3);
    let (s, p) = app
        .post("/api/v1/reference/calendar/years", &admin, body)
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("year_already_covered")
        )
    );
    let (_, d) = app
        .get(
            "/api/v1/reference/calendar/deadline?from=2026-12-28&working_days=5",
            &officer,
        )
        .await;
    assert_eq!(d["deadline"], "2027-01-05");
    let (_, y) = app.get("/api/v1/reference/calendar/2027", &officer).await;
    assert_eq!(
        (y["covered"].as_bool(), y["days"].as_array().unwrap().len()),
        (Some(true), 3)
    );
    let (_, auditor) = app
        .user_token("city.auditor", Role::AuditAdmin, "420800")
        .await;
    let (_, trail) = app
        .get("/api/v1/audit?action=calendar.import", &auditor)
        .await;
    let results: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results.iter().filter(|r| **r == "ok").count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|r| **r == "denied").count(),
        1,
        "{results:?}"
    );
}

async fn time_limits_as_data(app: TestApp) {
    let (_, officer) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (_, admin) = app
        .user_token("city.sysadmin", Role::SystemAdmin, "420800")
        .await;
    let rule = |date: &'static str| {
        let (app, t) = (&app, officer.clone());
        async move {
            let (_, r) = app
                .get(
                    &format!(
                        "/api/v1/reference/time-limits?kind=complaint_acceptance&as_of={date}"
                    ),
                    &t,
                )
                .await;
            let rows = r.as_array().unwrap().clone();
            assert_eq!(rows.len(), 1, "{r}");
            rows[0].clone()
        }
    };
    let before = rule("2026-04-14").await;
    assert!(
        before["source"].as_str().unwrap().contains("第20号"),
        "{before}"
    );
    assert_eq!(
        (before["amount"].as_u64(), before["unit"].as_str()),
        (Some(7), Some("working_days"))
    );
    let after = rule("2026-04-15").await;
    assert!(
        after["source"].as_str().unwrap().contains("第121号"),
        "{after}"
    );
    assert_eq!(after["confirmed"], false);

    // An unconfirmed row may be corrected by the system administrator, audited; a confirmed one may not.
    let edit = json!({"article": "第十五条", "note": "已对照第121号令原文", "confirm": true});
    let path = "/api/v1/reference/time-limits/complaint_acceptance/2026-04-15";
    assert_eq!(
        app.call(Method::PATCH, path, Some(&officer), Some(edit.clone()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, r) = app
        .call(Method::PATCH, path, Some(&admin), Some(edit.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["article"].as_str(), r["confirmed"].as_bool()),
        (Some("第十五条"), Some(true))
    );
    let (s, p) = app
        .call(Method::PATCH, path, Some(&admin), Some(edit))
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::CONFLICT, Some("time_limit_confirmed"))
    );
    let (_, feed) = app.get("/api/v1/events?limit=500", &admin).await;
    assert!(feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["event_type"] == "time_limit.edit"));
    let stored = shijian_storage::reference::rule_for(
        &app.store,
        "complaint_acceptance",
        "2026-05-01".parse().unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.article, "第十五条");
}

async fn code_checks_and_pages(app: TestApp) {
    let (_, t) = app.user_token("zx.officer", Role::Officer, "420881").await;
    let (_, ok) = app
        .get("/api/v1/reference/check/uscc?value=91110000600037341L", &t)
        .await;
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["parts"][2][1], "110000");
    let (_, bad) = app
        .get("/api/v1/reference/check/uscc?value=91110000600037341X", &t)
        .await;
    assert_eq!(
        (bad["valid"].as_bool(), bad["code"].as_str()),
        (Some(false), Some("bad_check_char"))
    );
    let (_, lower) = app
        .get(
            "/api/v1/reference/check/uscc?value=%2091110000600037341l",
            &t,
        )
        .await;
    assert_eq!(lower["valid"], true);
    assert!(!lower["warnings"].as_array().unwrap().is_empty());
    // A synthetic ID number born 1990-03-07 in 钟祥市; the check character is computed.
    let first17 = "42088119900307123";
    let id = format!(
        "{first17}{}",
        shijian_domain::id_number::id_check_char(first17)
    );
    let (_, v) = app
        .post(
            "/api/v1/reference/check/id-number",
            &t,
            json!({"value": id}),
        )
        .await;
    assert_eq!(v["valid"], true, "{v}");
    // Never from a URL: the GET form of old answers 405, and the page ignores a query.
    let (s, _) = app
        .get(&format!("/api/v1/reference/check/id-number?value={id}"), &t)
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["parts"][1][1], "1990-03-07");
    // The number is not in any log: neither the audit trail nor the event log.
    let (_, auditor) = app
        .user_token("city.auditor", Role::AuditAdmin, "420800")
        .await;
    let (_, trail) = app.get("/api/v1/audit?limit=500", &auditor).await;
    assert!(!trail.to_string().contains(first17));

    // The pages render in Chinese for a signed-in officer.
    let cookie = app.session_cookie("zx.officer").await;
    for (path, needle) in [
        (
            "/reference/check?kind=uscc&value=91110000600037341X",
            "无效",
        ),
        (
            "/reference/calendar?year=2025&from=2025-09-26&n=7&unit=working_days",
            "2025-10-13",
        ),
        ("/reference/calendar?year=2026", "国庆节"),
        ("/reference/time-limits?as_of=2026-04-15", "第121号"),
    ] {
        let r = app
            .request(Method::GET, path, None)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(needle), "{path} lacks {needle}");
    }
    // The page checks an ID number only from a POSTed form, never from the URL.
    let page = app
        .request(
            Method::GET,
            &format!("/reference/check?kind=id_number&value={id}"),
            None,
        )
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("1990-03-07"),
        "an ID number in a URL was checked"
    );
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let checked = app
        .request(Method::POST, "/reference/check", None)
        .header("cookie", &cookie)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("kind", "id_number"),
            ("value", id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), StatusCode::OK);
    let html = checked.text().await.unwrap();
    assert!(
        html.contains("1990-03-07") && html.contains("有效"),
        "{html}"
    );
}
