//! The second factor (TOTP) required by role, recovery codes, reset by the security
//! administrator, and password expiry, with the production defaults.

use crate::support::{backends, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shijian_domain::role::Role;
use shijian_domain::totp;

backends!(@config shijian_web::WebConfig { rate_limits: shijian_web::limits::RateLimits::off(), ..shijian_web::WebConfig::default() };
    administrators_sign_in_with_a_second_factor, expired_passwords_must_be_changed_first);

fn code_now(app: &TestApp, secret_b32: &str) -> String {
    use shijian_domain::clock::Clock;
    let secret = totp::decode_secret(secret_b32).unwrap();
    totp::code(&secret, totp::step_at(app.clock.now().timestamp()))
}

async fn login_with(
    app: &TestApp,
    user: &str,
    otp: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut body = json!({"username": user, "password": PASSWORD});
    if let Some(o) = otp {
        body["otp"] = json!(o);
    }
    app.call(Method::POST, "/api/v1/auth/login", None, Some(body))
        .await
}

async fn administrators_sign_in_with_a_second_factor(app: TestApp) {
    app.add_user("city.sec", Role::SecurityAdmin, "420800")
        .await;
    // Not enrolled yet: the session may only enrol.
    let (s, b) = login_with(&app, "city.sec", None).await;
    assert_eq!(
        (s, b["stage"].as_str()),
        (StatusCode::OK, Some("enrol_totp")),
        "{b}"
    );
    let t = b["token"].as_str().unwrap().to_owned();
    let (s, p) = app.get("/api/v1/users", &t).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("totp_enrolment_required"))
    );
    assert_eq!(app.get("/api/v1/auth/me", &t).await.0, StatusCode::OK);
    // Enrolment needs the current password again.
    let (s, _) = app
        .post(
            "/api/v1/auth/totp/enroll",
            &t,
            json!({"current_password": "Wrong-Pass-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, e) = app
        .post(
            "/api/v1/auth/totp/enroll",
            &t,
            json!({"current_password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let secret = e["secret"].as_str().unwrap().to_owned();
    assert!(
        e["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || e["qr_svg"].as_str().unwrap().contains("<svg")
    );
    let (s, p) = app
        .post("/api/v1/auth/totp/confirm", &t, json!({"otp": "000000"}))
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_otp"))
    );
    let (s, c) = app
        .post(
            "/api/v1/auth/totp/confirm",
            &t,
            json!({"otp": code_now(&app, &secret)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let recovery: Vec<String> = c["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(app.get("/api/v1/users", &t).await.0, StatusCode::OK);
    // The secret is sealed at rest: the column holds ciphertext, never the secret.
    let stored: String = match app.store.backend() {
        shijian_storage::Backend::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT totp_secret FROM app_user WHERE username = 'city.sec'")
                .fetch_one(read)
                .await
                .unwrap()
        }
        shijian_storage::Backend::Postgres(p) => {
            sqlx::query_scalar("SELECT totp_secret FROM app_user WHERE username = 'city.sec'")
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert!(
        stored.starts_with("v1:aes256gcm:") && !stored.contains(&secret),
        "{stored}"
    );

    // From now on: no code, no entry.
    let (s, p) = login_with(&app, "city.sec", None).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("otp_required"))
    );
    // The code used at enrolment is spent; the next step's code works once.
    let (s, _) = login_with(&app, "city.sec", Some(&code_now(&app, &secret))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(30));
    let code = code_now(&app, &secret);
    let (s, b) = login_with(&app, "city.sec", Some(&code)).await;
    assert_eq!(
        (s, b["stage"].as_str()),
        (StatusCode::OK, Some("full")),
        "{b}"
    );
    let (s, p) = login_with(&app, "city.sec", Some(&code)).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("login_failed"))
    );
    // A code two steps old is refused.
    app.clock.advance(chrono::Duration::seconds(90));
    let stale = totp::code(
        &totp::decode_secret(&secret).unwrap(),
        totp::step_at(shijian_domain::clock::Clock::now(&*app.clock).timestamp()) - 2,
    );
    assert_eq!(
        login_with(&app, "city.sec", Some(&stale)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A recovery code works once.
    assert_eq!(
        login_with(&app, "city.sec", Some(&recovery[3])).await.0,
        StatusCode::OK
    );
    assert_eq!(
        login_with(&app, "city.sec", Some(&recovery[3])).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Officers need no second factor.
    app.add_user("zx.officer", Role::Officer, "420881").await;
    assert_eq!(
        login_with(&app, "zx.officer", None).await.1["stage"],
        "full"
    );

    // The security administrator resets another administrator's second factor.
    let other = app.add_user("city.sys", Role::SystemAdmin, "420800").await;
    shijian_storage::totp::enrol_known_secret(
        &app.store,
        &shijian_storage::Actor::system("test"),
        &shijian_storage::RequestCtx::local("t"),
        other,
        "JBSWY3DPEHPK3PXP",
    )
    .await
    .unwrap();
    app.clock.advance(chrono::Duration::seconds(30));
    let (s, b) = login_with(&app, "city.sys", Some(&code_now(&app, "JBSWY3DPEHPK3PXP"))).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let sys_token = b["token"].as_str().unwrap().to_owned();
    app.clock.advance(chrono::Duration::seconds(30));
    let (_, b) = login_with(&app, "city.sec", Some(&code_now(&app, &secret))).await;
    let sec = b["token"].as_str().unwrap().to_owned();
    let (s, u) = app
        .post(
            &format!("/api/v1/users/{other}/totp/reset"),
            &sec,
            json!({}),
        )
        .await;
    assert_eq!(
        (s, u["totp_enabled"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{u}"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &sys_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_with(&app, "city.sys", None).await.1["stage"],
        "enrol_totp"
    );
}

async fn expired_passwords_must_be_changed_first(app: TestApp) {
    app.add_user("zx.officer", Role::Officer, "420881").await;
    app.clock.advance(chrono::Duration::days(91));
    let (s, b) = login_with(&app, "zx.officer", None).await;
    assert_eq!(
        (s, b["stage"].as_str()),
        (StatusCode::OK, Some("change_password"))
    );
    let t = b["token"].as_str().unwrap().to_owned();
    let (s, p) = app.get("/api/v1/reference/jurisdictions", &t).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_expired"))
    );
    let (s, _) = app
        .post(
            "/api/v1/auth/password",
            &t,
            json!({"current_password": PASSWORD, "new_password": "Fresh-Pass-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/reference/jurisdictions", &t).await.0,
        StatusCode::OK
    );
}
