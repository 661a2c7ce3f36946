//! The market entity registry over HTTP: import with a precise reject report, search in
//! the defined order, jurisdiction scoping of every read, versions and `as_of`, the
//! lifecycle's legal conditions, and a change found through a second server.

use crate::support::{backends, id_number, uscc_with as code, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shijian_domain::role::Role;

backends!(
    import_reports_every_bad_row_and_reimport_changes_nothing,
    search_finds_exactly_the_substring_in_the_defined_order,
    another_jurisdiction_is_invisible_everywhere,
    simplified_deregistration_conditions,
    amendments_keep_versions_and_answer_as_of_a_date,
    dormancy_resumes_automatically_and_terminal_states_stay,
    a_change_is_found_through_a_second_server,
    an_xlsx_export_of_an_old_system_imports,
);

async fn officer(app: &TestApp, name: &str, jurisdiction: &str) -> String {
    app.user_token(name, Role::Officer, jurisdiction).await.1
}

/// Registers an entity through the API; returns its credit code.
async fn establish(
    app: &TestApp,
    token: &str,
    uscc: &str,
    name: &str,
    entity_type: &str,
    division: &str,
) -> String {
    let (s, b) = app
        .post(
            "/api/v1/entities",
            token,
            json!({"uscc": uscc, "items": {
                "name": name, "entity_type": entity_type, "legal_rep": "张三",
                "division_code": division, "domicile": "荆门市某路1号", "industry_code": "6210",
                "registered_capital": "10", "established_on": "2020-01-05"
            }}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{name}: {b}");
    uscc.to_owned()
}

async fn status_change(app: &TestApp, token: &str, uscc: &str, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/entities/{uscc}/status-changes"),
        token,
        body,
    )
    .await
}

async fn import(app: &TestApp, token: &str, bytes: Vec<u8>) -> Value {
    let resp = app
        .request(Method::POST, "/api/v1/entity-imports", Some(token))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn import_reports_every_bad_row_and_reimport_changes_nothing(app: TestApp) {
    let t = officer(&app, "imp.officer", "420800").await;
    let good = code("91", "420802", 1);
    let ib = code("92", "420881", 2);
    let late = code("91", "420822", 3);
    let mut bad_check = code("91", "420802", 4);
    bad_check.pop();
    bad_check.push(if good.ends_with('0') { '1' } else { '0' });
    let id = id_number("42080219800101123");
    let rows = [
        "统一社会信用代码,名称,类型,法定代表人,身份证号,注册资本（万元）,成立日期,住所,行政区划代码,行业代码,经营范围,登记状态".to_owned(),
        format!("{good},荆门市好味道餐饮有限公司,有限责任公司（自然人独资）,张三,{id},100.5,2020-01-05,东宝区长宁大道1号,420802001,6210,餐饮服务,存续"),
        format!("{ib},钟祥市小李百货店,个体工商户,李四,,,2020/1/5,钟祥市郢中街道,420881,F5211,日用百货零售,存续（在营、开业、在册）"),
        format!("{bad_check},校验位错误公司,企业,王五,,,2020-01-05,,420802,,,存续"),
        format!("{good},重复代码公司,企业,赵六,,,2020-01-05,,420802,,,存续"),
        format!("{},,企业,孙七,,,2020-01-05,,420802,,,存续", code("91", "420802", 5)),
        "9.14208E+17,科学计数法公司,企业,周八,,,2020-01-05,,420802,,,存续".to_owned(),
        format!("{},日期错误公司,企业,吴九,,,2021-02-30,,420802,,,存续", code("91", "420802", 6)),
        format!("{},外地区划公司,企业,郑十,,,2020-01-05,,110101,,,存续", code("91", "420802", 7)),
        format!("{},行业错误公司,企业,钱一,,,2020-01-05,,420802,9999,,存续", code("91", "420802", 8)),
        format!("{},负资本公司,企业,陈二,,-5,2020-01-05,,420802,,,存续", code("91", "420802", 9)),
        format!("{late},京山市晚到商贸有限公司,企业,刘三,,50,43835,京山市新市街道,420822,,,吊销，未注销"),
    ];
    let csv = rows.join("\r\n") + "\r\n";
    // The same file as an old system would export it: GBK.
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&csv);
    assert!(!unmappable);
    let r = import(&app, &t, gbk.into_owned()).await;
    let expect_rejects = [
        (4, "uscc", "bad_check_char"),
        (5, "uscc", "duplicate_uscc"),
        (6, "name", "missing_name"),
        (7, "uscc", "excel_scientific_notation"),
        (8, "established_on", "impossible_date"),
        (9, "division_code", "unknown_division"),
        (10, "industry_code", "unknown_industry"),
        (11, "registered_capital", "negative_amount"),
    ];
    let got: Vec<(u64, String, String)> = r["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["row"].as_u64().unwrap(),
                x["column"].as_str().unwrap().to_owned(),
                x["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String)> = expect_rejects
        .iter()
        .map(|(r, c, k)| (*r, (*c).to_owned(), (*k).to_owned()))
        .collect();
    assert_eq!(got, want, "{r}");
    for x in r["rejects"].as_array().unwrap() {
        assert!(!x["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        (
            r["read"].clone(),
            r["inserted"].clone(),
            r["updated"].clone()
        ),
        (json!(11), json!(3), json!(0)),
        "{r}"
    );
    assert_eq!(
        (r["unchanged"].clone(), r["rejected"].clone()),
        (json!(0), json!(8))
    );
    // Values arrive exactly: 100.5 万元 in fen, the Excel serial date, the long status.
    let (_, e) = app.get(&format!("/api/v1/entities/{good}"), &t).await;
    assert_eq!(e["registered_capital_fen"], json!(100_500_000));
    assert_eq!(e["enterprise_type"], json!("llc_natural_person_sole"));
    assert_eq!(e["industry_code"], json!("6210"));
    // A company of 2020 with no recorded contribution deadline: flagged for attention.
    assert_eq!(e["capital_check"]["code"], json!("unknown"), "{e}");
    assert_eq!(e["capital_check"]["needs_attention"], json!(true));
    assert!(e["legal_rep_id_masked"].as_str().unwrap().contains('*'));
    let (_, e) = app.get(&format!("/api/v1/entities/{late}"), &t).await;
    assert_eq!(e["established_on"], json!("2020-01-05"));
    assert_eq!(e["status"], json!("revoked"));
    let (_, e) = app.get(&format!("/api/v1/entities/{ib}"), &t).await;
    assert_eq!(e["entity_type"], json!("individual_business"));
    assert_eq!(e["status"], json!("active"));
    // The same file again: nothing changes, the counts still add up.
    let again = import(&app, &t, csv.clone().into_bytes()).await;
    assert_eq!(
        (
            again["read"].clone(),
            again["inserted"].clone(),
            again["updated"].clone()
        ),
        (json!(11), json!(0), json!(0)),
        "{again}"
    );
    assert_eq!(
        (again["unchanged"].clone(), again["rejected"].clone()),
        (json!(3), json!(8))
    );
    // An export imported again is "unchanged" too (masked ID numbers keep the stored ones).
    let resp = app
        .request(Method::GET, "/api/v1/entity-exports", Some(&t))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let exported = resp.bytes().await.unwrap().to_vec();
    assert!(exported.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8_lossy(&exported).to_string();
    let order: Vec<&str> = text.lines().skip(1).map(|l| &l[..18]).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted, "export is in credit-code order");
    assert_eq!(order.len(), 3);
    assert!(!text.contains(&id), "the export masks ID numbers");
    let back = import(&app, &t, exported).await;
    assert_eq!(back["unchanged"], json!(3), "{back}");
    assert_eq!(back["rejected"], json!(0), "{back}");
    // A dry run reports without storing.
    let dry_row = format!(
        "统一社会信用代码,名称,类型,法定代表人,行政区划代码\n{},试运行公司,企业,甲,420802\n",
        code("91", "420802", 10)
    );
    let resp = app
        .request(
            Method::POST,
            "/api/v1/entity-imports?dry_run=true",
            Some(&t),
        )
        .body(dry_row.into_bytes())
        .send()
        .await
        .unwrap();
    let dry: Value = resp.json().await.unwrap();
    assert_eq!(dry["inserted"], json!(1), "{dry}");
    let (s, _) = app
        .get(
            &format!("/api/v1/entities/{}", code("91", "420802", 10)),
            &t,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn search_finds_exactly_the_substring_in_the_defined_order(app: TestApp) {
    let t = officer(&app, "search.officer", "420800").await;
    let names = [
        ("荆门市东宝区好味道餐饮店", "个体工商户", "420802"),
        ("餐饮之家", "个体工商户", "420802"),
        ("荆门餐饮", "企业", "420802"),
        ("钟祥市老街餐饮有限公司", "企业", "420881"),
        ("荆门市餐厅饮品店", "个体工商户", "420802"),
        ("餐饮", "企业", "420881"),
        ("京山市石化设备有限公司", "企业", "420822"),
    ];
    let mut codes = Vec::new();
    for (i, (name, kind, div)) in names.iter().enumerate() {
        let prefix = if *kind == "个体工商户" {
            "92"
        } else {
            "91"
        };
        let c = code(prefix, div, 100 + u32::try_from(i).unwrap());
        codes.push(establish(&app, &t, &c, name, kind, div).await);
    }
    // The 钟祥 company is revoked: it ranks after the active ones of its tier.
    let (s, b) = status_change(&app, &t, &codes[3], json!({"action": "revoke"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, page) = app.get("/api/v1/entities?q=%E9%A4%90%E9%A5%AE", &t).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let got: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    // Exact, then prefix, then substring (active first, then shorter names); 餐厅饮品 has
    // 餐 and 饮 apart and is not a match.
    assert_eq!(
        got,
        [
            "餐饮",
            "餐饮之家",
            "荆门餐饮",
            "荆门市东宝区好味道餐饮店",
            "钟祥市老街餐饮有限公司"
        ]
    );
    assert_eq!(page["total"], json!(5));
    // Paging with a cursor gives the same list.
    let (_, p1) = app.get("/api/v1/entities?q=餐饮&limit=2", &t).await;
    let cursor = p1["next_cursor"].as_str().unwrap().to_owned();
    let (_, p2) = app
        .get(
            &format!("/api/v1/entities?q=餐饮&limit=2&cursor={cursor}"),
            &t,
        )
        .await;
    assert_eq!(p2["items"][0]["name"], json!("荆门餐饮"));
    assert_eq!(p2["total"], json!(5));
    // Pinyin initials, a credit-code prefix, filters.
    let (_, py) = app.get("/api/v1/entities?q=shsb", &t).await;
    assert_eq!(
        py["items"][0]["name"],
        json!("京山市石化设备有限公司"),
        "{py}"
    );
    let (_, pre) = app
        .get(&format!("/api/v1/entities?q={}", &codes[6][..12]), &t)
        .await;
    assert_eq!(pre["items"][0]["uscc"], json!(codes[6]));
    let (_, f) = app.get("/api/v1/entities?q=餐饮&status=revoked", &t).await;
    assert_eq!(f["total"], json!(1));
    let (_, f) = app.get("/api/v1/entities?q=餐饮&division=420881", &t).await;
    assert_eq!(f["total"], json!(2));
    // Exporting the search's results: exactly its hits, in credit-code order.
    let text = app
        .request(Method::GET, "/api/v1/entity-exports?q=餐饮", Some(&t))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let exported: Vec<&str> = text.lines().skip(1).map(|l| &l[..18]).collect();
    let mut want: Vec<&str> = [0, 1, 2, 3, 5].iter().map(|&i| codes[i].as_str()).collect();
    want.sort_unstable();
    assert_eq!(exported, want);
}

async fn another_jurisdiction_is_invisible_everywhere(app: TestApp) {
    let city = officer(&app, "city.officer", "420800").await;
    let zx = officer(&app, "zx.officer", "420881").await;
    let db = establish(
        &app,
        &city,
        &code("91", "420802", 200),
        "东宝区餐饮管理有限公司",
        "企业",
        "420802",
    )
    .await;
    let z = establish(
        &app,
        &city,
        &code("91", "420881", 201),
        "钟祥市餐饮管理有限公司",
        "企业",
        "420881001",
    )
    .await;
    let (s, _) = app.get(&format!("/api/v1/entities/{db}"), &zx).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(&format!("/api/v1/entities/{db}/versions"), &zx)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = status_change(&app, &zx, &db, json!({"action": "revoke"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("/api/v1/entities/{z}"), &zx).await;
    assert_eq!(s, StatusCode::OK);
    for q in ["", "餐饮", "东宝", &db[..10]] {
        let (_, page) = app.get(&format!("/api/v1/entities?q={q}"), &zx).await;
        for h in page["items"].as_array().unwrap() {
            assert!(
                h["division_code"].as_str().unwrap().starts_with("420881"),
                "{q}: {page}"
            );
        }
        assert!(page["total"].as_u64().unwrap() <= 1, "{q}: {page}");
    }
    let resp = app
        .request(Method::GET, "/api/v1/entity-exports", Some(&zx))
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    assert!(text.contains(&z) && !text.contains(&db), "{text}");
    // The 钟祥 officer cannot register in 东宝 either.
    let (s, b) = app
        .post(
            "/api/v1/entities",
            &zx,
            json!({"uscc": code("91", "420802", 202), "items": {"name": "越权登记", "entity_type": "企业",
                "legal_rep": "甲", "division_code": "420802"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["code"], json!("division_out_of_scope"));
}

async fn simplified_deregistration_conditions(app: TestApp) {
    let t = officer(&app, "dereg.officer", "420800").await;
    let objected = establish(
        &app,
        &t,
        &code("91", "420802", 300),
        "有异议商贸有限公司",
        "企业",
        "420802",
    )
    .await;
    let listed = establish(
        &app,
        &t,
        &code("91", "420802", 301),
        "异常名录商贸有限公司",
        "企业",
        "420802",
    )
    .await;
    let clean = establish(
        &app,
        &t,
        &code("91", "420802", 302),
        "无异议商贸有限公司",
        "企业",
        "420802",
    )
    .await;
    // On the abnormal list: refused at application, with the bar named.
    app.raw(&format!(
        "UPDATE entity SET listing = 'abnormal' WHERE uscc = '{listed}'"
    ))
    .await;
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{listed}/simplified-deregistrations"),
            &t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], json!("deregistration_barred"));
    assert!(
        b["detail"].as_str().unwrap().contains("经营异常名录"),
        "{b}"
    );
    // A notice with an objection from a creditor: refused with the reason.
    let (s, d) = app
        .post(
            &format!("/api/v1/entities/{objected}/simplified-deregistrations"),
            &t,
            json!({"notice_starts_on": "2026-06-15"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_owned();
    let (s, b) = app
        .post(
            &format!("/api/v1/simplified-deregistrations/{id}/objections"),
            &t,
            json!({"objector_kind": "creditor", "objector": "某银行", "content": "尚有贷款未清偿", "received_on": "2026-06-20"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, c) = app
        .post(
            &format!("/api/v1/entities/{clean}/simplified-deregistrations"),
            &t,
            json!({"notice_starts_on": "2026-06-15"}),
        )
        .await;
    let clean_id = c["id"].as_str().unwrap().to_owned();
    // Too early: the notice runs to 2026-07-05.
    let (s, b) = app
        .post(
            &format!("/api/v1/simplified-deregistrations/{clean_id}/decision"),
            &t,
            json!({"decided_on": "2026-07-05"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], json!("notice_not_ended"));
    app.clock.advance(chrono::Duration::days(22)); // 2026-07-07
    let t = app.login("dereg.officer").await;
    let (s, b) = app
        .post(
            &format!("/api/v1/simplified-deregistrations/{id}/decision"),
            &t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], json!("objection_pending"));
    let (_, d) = app
        .get(&format!("/api/v1/simplified-deregistrations/{id}"), &t)
        .await;
    assert_eq!(d["state"], json!("refused"));
    assert!(!d["reason"].as_str().unwrap().is_empty());
    let (_, e) = app.get(&format!("/api/v1/entities/{objected}"), &t).await;
    assert_eq!(e["status"], json!("active"));
    // No objection: deregistered.
    let (s, d) = app
        .post(
            &format!("/api/v1/simplified-deregistrations/{clean_id}/decision"),
            &t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["state"], json!("deregistered"));
    let (_, e) = app.get(&format!("/api/v1/entities/{clean}"), &t).await;
    assert_eq!(e["status"], json!("deregistered"));
    // The enterprise gets its 准予简易注销登记通知书, numbered and printable.
    let (_, docs) = app
        .get(&format!("/api/v1/entities/{clean}/documents"), &t)
        .await;
    assert_eq!(
        docs[0]["kind"],
        json!("simplified_deregistration_notice"),
        "{docs}"
    );
    assert!(
        docs[0]["number"]
            .as_str()
            .unwrap()
            .contains("简注〔2026〕1号"),
        "{docs}"
    );
    let resp = app
        .request(
            Method::GET,
            &format!("/api/v1/documents/{}/pdf", docs[0]["id"].as_str().unwrap()),
            Some(&t),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.unwrap().starts_with(b"%PDF"));
    // A recorded bar (frozen equity) also refuses; lifting it clears the way.
    let (s, bar) = app
        .post(
            &format!("/api/v1/entities/{objected}/bars"),
            &t,
            json!({"bar": "equity_frozen_or_pledged", "note": "法院冻结"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bar}");
    let (s, b) = app
        .post(
            &format!("/api/v1/entities/{objected}/simplified-deregistrations"),
            &t,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(b["detail"].as_str().unwrap().contains("冻结"), "{b}");
}

async fn amendments_keep_versions_and_answer_as_of_a_date(app: TestApp) {
    let t = officer(&app, "amend.officer", "420800").await;
    let u = establish(
        &app,
        &t,
        &code("91", "420802", 400),
        "荆门市旧名称有限公司",
        "有限责任公司（自然人投资或控股）",
        "420802",
    )
    .await;
    let amend = |name: &str, on: &str, v: i64| {
        json!({"items": {"name": name, "entity_type": "有限责任公司（自然人投资或控股）", "legal_rep": "张三",
            "division_code": "420802", "domicile": "荆门市某路1号", "industry_code": "6210",
            "registered_capital": "10", "established_on": "2020-01-05"},
            "effective_on": on, "expected_version": v})
    };
    let (s, e) = app
        .call(
            Method::PUT,
            &format!("/api/v1/entities/{u}"),
            Some(&t),
            Some(amend("荆门市新名称有限公司", "2026-06-01", 1)),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["version"], json!(2));
    // A stale version is refused; an unchanged amendment too.
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/entities/{u}"),
            Some(&t),
            Some(amend("又一个名称有限公司", "2026-06-10", 1)),
        )
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::CONFLICT, json!("version_mismatch"))
    );
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/entities/{u}"),
            Some(&t),
            Some(amend("荆门市新名称有限公司", "2026-06-10", 2)),
        )
        .await;
    assert_eq!(
        (s, b["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("amend_unchanged"))
    );
    let (_, old) = app
        .get(&format!("/api/v1/entities/{u}?as_of=2026-05-31"), &t)
        .await;
    assert_eq!(old["name"], json!("荆门市旧名称有限公司"));
    let (_, new) = app
        .get(&format!("/api/v1/entities/{u}?as_of=2026-06-01"), &t)
        .await;
    assert_eq!(new["name"], json!("荆门市新名称有限公司"));
    let (s, _) = app
        .get(&format!("/api/v1/entities/{u}?as_of=2019-12-31"), &t)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "before establishment");
    let (_, versions) = app.get(&format!("/api/v1/entities/{u}/versions"), &t).await;
    let actions: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["entity.amend", "entity.establish"]);
    // The search index follows the amendment at once.
    let (_, page) = app.get("/api/v1/entities?q=新名称", &t).await;
    assert_eq!(page["total"], json!(1));
    let (_, page) = app.get("/api/v1/entities?q=旧名称", &t).await;
    assert_eq!(page["total"], json!(0));
}

async fn dormancy_resumes_automatically_and_terminal_states_stay(app: TestApp) {
    let t = officer(&app, "dorm.officer", "420800").await;
    let u = establish(
        &app,
        &t,
        &code("91", "420802", 500),
        "歇业测试有限公司",
        "企业",
        "420802",
    )
    .await;
    let (s, e) = status_change(
        &app,
        &t,
        &u,
        json!({"action": "begin_dormancy", "effective_on": "2026-06-15", "ends_on": "2026-06-30", "reason": "公共卫生事件"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(
        (e["status"].clone(), e["dormant_until"].clone()),
        (json!("dormant"), json!("2026-06-30"))
    );
    // More than three years in total is refused.
    let (s, b) = status_change(
        &app,
        &t,
        &u,
        json!({"action": "extend_dormancy", "ends_on": "2030-01-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    // The daily job resumes it after the last day.
    app.clock.advance(chrono::Duration::days(16)); // 2026-07-01
    let t = app.login("dorm.officer").await;
    shijian_storage::jobs::run_now(
        &app.store,
        "dormancy_resumption",
        app.store.clock().today(),
        "test",
        &shijian_storage::jobs::JobContext::default(),
    )
    .await
    .unwrap();
    let (_, e) = app.get(&format!("/api/v1/entities/{u}"), &t).await;
    assert_eq!(e["status"], json!("active"), "{e}");
    let (_, then) = app
        .get(&format!("/api/v1/entities/{u}?as_of=2026-06-20"), &t)
        .await;
    assert_eq!(then["status"], json!("dormant"));
    // Deregistered is terminal.
    let (s, _) = status_change(&app, &t, &u, json!({"action": "deregister"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = status_change(&app, &t, &u, json!({"action": "revoke"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(b["code"], json!("entity_terminal"));
    // A leader reads but may not register.
    let (_, leader) = app.user_token("leader.reg", Role::Leader, "420800").await;
    let (s, _) = app.get(&format!("/api/v1/entities/{u}"), &leader).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = status_change(&app, &leader, &u, json!({"action": "revoke"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn a_change_is_found_through_a_second_server(app: TestApp) {
    let t = officer(&app, "two.officer", "420800").await;
    let second = app.second_server().await;
    let u = establish(
        &app,
        &t,
        &code("91", "420802", 600),
        "第一台服务器登记有限公司",
        "企业",
        "420802",
    )
    .await;
    let (s, e) = app
        .call(
            Method::PUT,
            &format!("/api/v1/entities/{u}"),
            Some(&t),
            Some(json!({"items": {"name": "第二台服务器可见有限公司", "entity_type": "企业", "legal_rep": "张三",
                "division_code": "420802", "domicile": "荆门市某路1号", "industry_code": "6210",
                "registered_capital": "10", "established_on": "2020-01-05"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let started = std::time::Instant::now();
    loop {
        let (_, page) = second.get("/api/v1/entities?q=第二台服务器", &t).await;
        if page["total"] == json!(1) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "not found through the second server within one second: {page}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn an_xlsx_export_of_an_old_system_imports(app: TestApp) {
    let t = officer(&app, "xlsx.officer", "420800").await;
    let good = code("91", "420881", 700);
    let headers = [
        "统一社会信用代码",
        "企业名称",
        "企业类型",
        "法定代表人",
        "注册资本(万元)",
        "成立日期",
        "住所",
        "行政区划代码",
        "登记状态",
    ];
    let mut w = shijian_tabular::XlsxWriter::new("Sheet1", &headers).unwrap();
    w.write_row(&[
        &good,
        "钟祥市表格导入有限公司",
        "有限责任公司(自然人独资)",
        "张三",
        "0.01",
        "2019/7/1",
        "钟祥市郢中街道",
        "420881001",
        "在业",
    ])
    .unwrap();
    w.write_row(&[
        "9.14208E+17",
        "被Excel改坏的代码公司",
        "企业",
        "李四",
        "",
        "2019-07-01",
        "",
        "420881",
        "存续",
    ])
    .unwrap();
    let r = import(&app, &t, w.finish().unwrap()).await;
    assert_eq!(
        (r["inserted"].clone(), r["rejected"].clone()),
        (json!(1), json!(1)),
        "{r}"
    );
    assert_eq!(r["rejects"][0]["row"], json!(3));
    assert_eq!(r["rejects"][0]["code"], json!("excel_scientific_notation"));
    let (_, e) = app.get(&format!("/api/v1/entities/{good}"), &t).await;
    assert_eq!(
        e["registered_capital_fen"],
        json!(10_000),
        "0.01 万元 is 100 元"
    );
    assert_eq!(e["established_on"], json!("2019-07-01"));
    assert_eq!(e["status"], json!("active"));
    // The XLSX export reads back with the same rows.
    let resp = app
        .request(Method::GET, "/api/v1/entity-exports?format=xlsx", Some(&t))
        .send()
        .await
        .unwrap();
    let table = shijian_tabular::read(&resp.bytes().await.unwrap()).unwrap();
    let rows: Vec<_> = table.rows().collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1[0], good);
}
