//! The separation-of-duties matrix (三员分立) and the jurisdiction matrix, over the API.

use crate::support::{backends, new_user_body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shijian_domain::role::Role;

backends!(
    separation_of_duties_matrix,
    jurisdiction_matrix,
    zone_user_is_scoped_to_its_townships
);

async fn separation_of_duties_matrix(app: TestApp) {
    let target = app
        .add_user("target.officer", Role::Officer, "420881")
        .await;
    let roles = [
        Role::SystemAdmin,
        Role::AuditAdmin,
        Role::SecurityAdmin,
        Role::Leader,
        Role::Officer,
        Role::Enterprise,
        Role::Integration,
    ];
    // Expected statuses per role for:
    // list users, create officer, create audit admin, read audit, read events, assign role, reset password.
    let expected: [(Role, [u16; 7]); 7] = [
        (Role::SystemAdmin, [200, 201, 403, 403, 200, 403, 200]),
        (Role::AuditAdmin, [403, 403, 403, 200, 403, 403, 403]),
        (Role::SecurityAdmin, [200, 201, 201, 403, 403, 200, 403]),
        (Role::Leader, [403, 403, 403, 403, 403, 403, 403]),
        (Role::Officer, [403, 403, 403, 403, 403, 403, 403]),
        (Role::Enterprise, [403, 403, 403, 403, 403, 403, 403]),
        (Role::Integration, [403, 403, 403, 403, 200, 403, 403]),
    ];
    for (i, (role, row)) in expected.iter().enumerate() {
        assert_eq!(*role, roles[i]);
        let (_, token) = app
            .user_token(&format!("city.{}", role.as_str()), *role, "420800")
            .await;
        let t = token.as_str();
        let got = [
            app.get("/api/v1/users", t).await.0,
            app.post(
                "/api/v1/users",
                t,
                new_user_body(&format!("new.off.{i}"), "officer", "420881"),
            )
            .await
            .0,
            app.post(
                "/api/v1/users",
                t,
                new_user_body(&format!("new.aud.{i}"), "audit_admin", "420881"),
            )
            .await
            .0,
            app.get("/api/v1/audit", t).await.0,
            app.get("/api/v1/events", t).await.0,
            app.call(
                Method::PATCH,
                &format!("/api/v1/users/{target}"),
                Some(t),
                Some(json!({"role": "leader"})),
            )
            .await
            .0,
            app.post(
                &format!("/api/v1/users/{target}/password"),
                t,
                json!({"password": "Reset-Pass-2026"}),
            )
            .await
            .0,
        ];
        let got: Vec<u16> = got.iter().map(StatusCode::as_u16).collect();
        assert_eq!(got, row.to_vec(), "{role}");
    }
    // Nobody resets their own password or second factor through the administrator's door.
    let (self_id, sys) = app
        .user_token("city.sys2", Role::SystemAdmin, "420800")
        .await;
    let (s, p) = app
        .post(
            &format!("/api/v1/users/{self_id}/password"),
            &sys,
            json!({"password": "Other-Pass-2026"}),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cannot_change_self"))
    );
    assert_eq!(app.get("/api/v1/auth/me", &sys).await.0, StatusCode::OK);
    let (self_id, sec) = app
        .user_token("city.sec2", Role::SecurityAdmin, "420800")
        .await;
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{self_id}/totp/reset"),
            &sec,
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The system administrator manages ordinary accounts, not the other administrators'.
    let victim = app
        .add_user("city.sec3", Role::SecurityAdmin, "420800")
        .await;
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{victim}/password"),
            &sys,
            json!({"password": "Taken-Over-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(&format!("/api/v1/users/{victim}/disable"), &sys, json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{victim}/password"),
            &sec,
            json!({"password": "Reset-By-Sec-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // The audit administrator can read but cannot change the trail: the database refuses.
    let update = match app.store.backend() {
        shijian_storage::Backend::Sqlite { write, .. } => {
            sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
                .execute(write)
                .await
                .is_err()
        }
        shijian_storage::Backend::Postgres(p) => {
            sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
                .execute(p)
                .await
                .is_err()
        }
    };
    assert!(update, "UPDATE on audit_log must fail");
    // Every refusal is in the audit trail.
    let (_, auditor) = app
        .user_token("city.auditor2", Role::AuditAdmin, "420800")
        .await;
    let (_, denied) = app
        .get("/api/v1/audit?result=denied&limit=500", &auditor)
        .await;
    assert!(denied["items"].as_array().unwrap().len() >= 30, "{denied}");
}

async fn jurisdiction_matrix(app: TestApp) {
    let dongbao_user = app.add_user("db.officer", Role::Officer, "420802").await;
    let dongbao_station = app.add_user("db.station", Role::Officer, "420802101").await;
    let zx_user = app.add_user("zx.officer", Role::Officer, "420881").await;
    let (_, zx_sec) = app
        .user_token("zx.security", Role::SecurityAdmin, "钟祥市")
        .await;
    let (_, city_sec) = app
        .user_token("city.security", Role::SecurityAdmin, "420800")
        .await;

    // 钟祥市 sees its own users only.
    let (s, list) = app.get("/api/v1/users?limit=500", &zx_sec).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"zx.officer") && names.contains(&"zx.security"),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("db.") || n.starts_with("city.")),
        "{names:?}"
    );
    // 东宝区 users answer 404 to reads and edits from 钟祥市.
    for id in [dongbao_user, dongbao_station] {
        assert_eq!(
            app.get(&format!("/api/v1/users/{id}"), &zx_sec).await.0,
            StatusCode::NOT_FOUND
        );
        let (s, _) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/users/{id}"),
                Some(&zx_sec),
                Some(json!({"role": "leader"})),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // Nor can 钟祥市 place a user in 东宝区.
    let (s, b) = app
        .post(
            "/api/v1/users",
            &zx_sec,
            new_user_body("zx.new", "officer", "东宝区"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "jurisdiction_out_of_scope");
    assert_eq!(
        app.get(&format!("/api/v1/users/{zx_user}"), &zx_sec)
            .await
            .0,
        StatusCode::OK
    );
    // The city sees everyone.
    let (_, list) = app.get("/api/v1/users?limit=500", &city_sec).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);

    // Audit records are scoped too: a 钟祥市 auditor sees none of 东宝区's.
    let (_, zx_aud) = app
        .user_token("zx.auditor", Role::AuditAdmin, "420881")
        .await;
    let (_, trail) = app.get("/api/v1/audit?limit=500", &zx_aud).await;
    for r in trail["items"].as_array().unwrap() {
        assert!(
            r["jurisdiction_code"]
                .as_str()
                .unwrap()
                .starts_with("420881"),
            "{r}"
        );
    }
    assert!(!trail["items"].as_array().unwrap().is_empty());
}

async fn zone_user_is_scoped_to_its_townships(app: TestApp) {
    // 漳河新区 = 漳河镇 (420802102, in 东宝区) + 双喜街道 (420804004, in 掇刀区).
    app.add_user("zh.station1", Role::Officer, "420802102")
        .await;
    app.add_user("zh.station2", Role::Officer, "420804004")
        .await;
    app.add_user("zh.officer", Role::Officer, "zhanghe").await;
    app.add_user("db.other", Role::Officer, "420802101").await;
    app.add_user("db.county", Role::Officer, "420802").await;
    app.add_user("dd.county", Role::Officer, "420804").await;
    let (_, zh_sec) = app
        .user_token("zh.security", Role::SecurityAdmin, "漳河新区")
        .await;
    let (_, list) = app.get("/api/v1/users?limit=500", &zh_sec).await;
    let mut names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["zh.officer", "zh.security", "zh.station1", "zh.station2"]
    );
    // A 漳河新区 user cannot be placed in a township outside the zone.
    let (s, _) = app
        .post(
            "/api/v1/users",
            &zh_sec,
            new_user_body("zh.new", "officer", "420802101"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app
        .post(
            "/api/v1/users",
            &zh_sec,
            new_user_body("zh.new2", "officer", "420804004"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // 东宝区 sees its township 漳河镇's station but not the zone as a whole (it spans 掇刀区).
    let (_, db_sec) = app
        .user_token("db.security", Role::SecurityAdmin, "420802")
        .await;
    let (_, list) = app.get("/api/v1/users?limit=500", &db_sec).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"zh.station1")
            && !names.contains(&"zh.officer")
            && !names.contains(&"zh.station2"),
        "{names:?}"
    );
}
