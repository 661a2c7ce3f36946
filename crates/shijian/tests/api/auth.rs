//! Sign-in, lockout, sessions, tokens and CSRF.

use crate::support::{backends, browser_login, csrf_token, TestApp, PASSWORD};
use reqwest::{header, Method, StatusCode};
use serde_json::json;
use shijian_domain::role::Role;

backends!(
    issued_tokens_for_machine_clients,
    six_wrong_passwords_lock_the_account,
    sessions_end_on_idle_logout_and_disable,
    csrf_guards_cookie_sessions,
    own_password_change
);

async fn six_wrong_passwords_lock_the_account(app: TestApp) {
    app.add_user("zx.officer", Role::Officer, "420881").await;
    let (_, auditor) = app
        .user_token("city.auditor", Role::AuditAdmin, "420800")
        .await;
    let attempt = |pw: &'static str| {
        let app = &app;
        async move {
            app.call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "zx.officer", "password": pw})),
            )
            .await
        }
    };
    let mut bodies = Vec::new();
    for _ in 0..5 {
        let (s, b) = attempt("Wrong-Pass-1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        bodies.push(b);
    }
    // The sixth attempt, with the right password, fails the same way.
    let (s, locked) = attempt(PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(locked, bodies[0]);
    assert_eq!(locked["code"], "login_failed");
    // Parallel attempts each count: five at once lock another account too.
    app.add_user("zx.other", Role::Officer, "420881").await;
    let tries: Vec<_> = (0..5)
        .map(|_| {
            let (client, url) = (
                app.client.clone(),
                format!("{}/api/v1/auth/login", app.base),
            );
            tokio::spawn(async move {
                let body = json!({"username": "zx.other", "password": "Wrong-Pass-1"});
                client.post(url).json(&body).send().await.unwrap().status()
            })
        })
        .collect();
    for t in tries {
        assert_eq!(t.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "zx.other", "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "locked after five parallel failures"
    );
    // An unknown user gets the same answer.
    let (s, unknown) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "nobody", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown, bodies[0]);

    let (s, trail) = app
        .get(
            "/api/v1/audit?action=auth.login&actor=zx.officer&limit=100",
            &auditor,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{trail}");
    let results: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(
        results.iter().filter(|r| **r == "failed").count(),
        5,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|r| **r == "locked").count(),
        1,
        "{results:?}"
    );

    // After 15 minutes the lock is gone.
    app.clock
        .advance(chrono::Duration::minutes(15) + chrono::Duration::seconds(1));
    let (s, _) = attempt(PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
}

async fn sessions_end_on_idle_logout_and_disable(app: TestApp) {
    let (id, token) = app
        .user_token("dongbao.officer", Role::Officer, "420802")
        .await;
    let (_, admin) = app
        .user_token("city.sysadmin", Role::SystemAdmin, "420800")
        .await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);
    // Activity keeps the session alive; 30 idle minutes end it.
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(29));
    // The administrator's session, unused for 58 minutes, went idle.
    assert_eq!(
        app.get("/api/v1/auth/me", &admin).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(31));
    let (s, body) = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");

    // Logout ends the token at once.
    let admin = app.login("city.sysadmin").await;
    let token = app.login("dongbao.officer").await;
    assert_eq!(
        app.post("/api/v1/auth/logout", &token, json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &token).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Disabling a user ends their sessions and refuses new ones.
    let token = app.login("dongbao.officer").await;
    let (s, b) = app
        .post(&format!("/api/v1/users/{id}/disable"), &admin, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["disabled"], true);
    assert_eq!(
        app.get("/api/v1/auth/me", &token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "dongbao.officer", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn csrf_guards_cookie_sessions(app: TestApp) {
    let target = app
        .add_user("shayang.officer", Role::Officer, "420822")
        .await;
    app.add_user("city.sysadmin", Role::SystemAdmin, "420800")
        .await;
    let session = browser_login(&app, "city.sysadmin", PASSWORD).await;
    let cookie = format!("shijian_session={session}");
    let home = app
        .request(Method::GET, "/", None)
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(html.contains("工作台"));
    let csrf = csrf_token(&html);

    // A state change without the token is refused and audited.
    let no_token = app
        .request(Method::POST, &format!("/users/{target}/disable"), None)
        .header(header::COOKIE, &cookie)
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let wrong = app
        .request(
            Method::POST,
            &format!("/api/v1/users/{target}/disable"),
            None,
        )
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", "0".repeat(32))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let user = shijian_storage::users::get(
        &app.store,
        &shijian_storage::Actor::system("t"),
        &shijian_storage::RequestCtx::local("t"),
        target,
    )
    .await
    .unwrap();
    assert!(!user.disabled);

    // With the token it goes through.
    let ok = app
        .request(Method::POST, &format!("/users/{target}/disable"), None)
        .header(header::COOKIE, &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let (_, auditor) = app
        .user_token("city.auditor", Role::AuditAdmin, "420800")
        .await;
    let (_, trail) = app.get("/api/v1/audit?action=auth.csrf", &auditor).await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 2, "{trail}");
}

async fn own_password_change(app: TestApp) {
    let (_, token) = app
        .user_token("jingshan.leader", Role::Leader, "420882")
        .await;
    let other = app.login("jingshan.leader").await;
    let (s, b) = app
        .post(
            "/api/v1/auth/password",
            &token,
            json!({"current_password": "nope-Nope-1", "new_password": "New-Pass-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "wrong_password");
    let (s, b) = app
        .post(
            "/api/v1/auth/password",
            &token,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "password_too_short");
    assert!(b["detail"].as_str().unwrap().contains("密码"));
    let (s, _) = app
        .post(
            "/api/v1/auth/password",
            &token,
            json!({"current_password": PASSWORD, "new_password": "New-Pass-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // This session stays; the other one ended.
    assert_eq!(app.get("/api/v1/auth/me", &token).await.0, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/auth/me", &other).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn issued_tokens_for_machine_clients(app: TestApp) {
    let feed = app.add_user("city.feed", Role::Integration, "420800").await;
    let officer = app.add_user("zx.officer", Role::Officer, "420881").await;
    let (_, admin) = app
        .user_token("city.sysadmin", Role::SystemAdmin, "420800")
        .await;
    let (_, officer_token) = (officer, app.login("zx.officer").await);
    let (s, _) = app
        .post(
            &format!("/api/v1/users/{feed}/tokens"),
            &officer_token,
            json!({"days": 30}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = app
        .post(
            &format!("/api/v1/users/{officer}/tokens"),
            &admin,
            json!({"days": 30}),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_integration"))
    );
    let (s, t) = app
        .post(
            &format!("/api/v1/users/{feed}/tokens"),
            &admin,
            json!({"days": 30}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let token = t["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/api/v1/events?limit=5", &token).await.0,
        StatusCode::OK
    );
    // An issued token does not idle out, unlike a person's session.
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.get("/api/v1/events?limit=5", &token).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &admin).await.0,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.login("city.sysadmin").await;
    let (s, r) = app
        .post(
            &format!("/api/v1/users/{feed}/tokens/revoke"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!((s, r["revoked"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(
        app.get("/api/v1/events?limit=5", &token).await.0,
        StatusCode::UNAUTHORIZED
    );
    // It expires at its end in any case.
    let (_, t) = app
        .post(
            &format!("/api/v1/users/{feed}/tokens"),
            &admin,
            json!({"days": 1}),
        )
        .await;
    let token = t["token"].as_str().unwrap().to_owned();
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(
        app.get("/api/v1/events?limit=5", &token).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Tokens never reach the database in clear: not in the idempotency store, not in events.
    let (_, events) = app
        .get(
            "/api/v1/events?limit=1000",
            &app.login("city.sysadmin").await,
        )
        .await;
    assert!(!events.to_string().contains(&token));
}
