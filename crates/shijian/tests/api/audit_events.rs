//! The audit trail's chain, the event log under parallel writers, and idempotent POSTs.

use crate::support::{backends, new_user_body, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use shijian_domain::role::Role;
use shijian_storage::audit;
use shijian_storage::idempotency::{self, Reservation};
use std::collections::BTreeSet;

backends!(
    tampering_breaks_the_audit_chain,
    event_reader_misses_nothing_under_parallel_writers,
    idempotency_key_applies_once
);

/// Makes the audit table writable again, as an attacker with database access would.
async fn drop_append_only_guard(app: &TestApp) {
    match app.store.backend_name() {
        "sqlite" => {
            app.raw("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
                .await
        }
        _ => app.raw("ALTER TABLE audit_log DISABLE TRIGGER USER").await,
    }
}

async fn tampering_breaks_the_audit_chain(app: TestApp) {
    for i in 0..3 {
        app.add_user(&format!("u{i}.officer"), Role::Officer, "420822")
            .await;
    }
    let report = audit::verify(&app.store).await.unwrap();
    assert_eq!(report.first_broken, None);
    let n = report.records;
    assert!(n >= 3);
    drop_append_only_guard(&app).await;

    // A removed tail: the chain stops short of the head.
    app.raw(&format!("DELETE FROM audit_log WHERE seq = {n}"))
        .await;
    let b = audit::verify(&app.store)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!((b.seq, b.kind), (n, "truncated"));

    // An altered row.
    app.raw("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        .await;
    let b = audit::verify(&app.store)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!((b.seq, b.kind), (2, "altered"));

    // A removed row.
    app.raw("DELETE FROM audit_log WHERE seq = 1").await;
    let b = audit::verify(&app.store)
        .await
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!((b.seq, b.kind), (1, "missing"));
}

async fn event_reader_misses_nothing_under_parallel_writers(app: TestApp) {
    const WRITERS: usize = 6;
    const EACH: usize = 8;
    let (_, sec) = app
        .user_token("city.security", Role::SecurityAdmin, "420800")
        .await;
    let (_, feed) = app
        .user_token("city.feed", Role::Integration, "420800")
        .await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let reader = {
        let (base, client, feed, done) = (
            app.base.clone(),
            app.client.clone(),
            feed.clone(),
            done.clone(),
        );
        tokio::spawn(async move {
            let mut seen: Vec<i64> = Vec::new();
            let mut after = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page: serde_json::Value = client
                    .get(format!("{base}/api/v1/events?after={after}&limit=5"))
                    .bearer_auth(&feed)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let items = page["items"].as_array().unwrap();
                seen.extend(items.iter().map(|e| e["seq"].as_i64().unwrap()));
                after = page["next_after"].as_i64().unwrap();
                if items.is_empty() && finished {
                    return seen;
                }
            }
        })
    };
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (base, client, sec) = (app.base.clone(), app.client.clone(), sec.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..EACH {
                let county = ["420802", "420804", "420822", "420881", "420882"][(w + i) % 5];
                let resp = client
                    .post(format!("{base}/api/v1/users"))
                    .bearer_auth(&sec)
                    .json(&new_user_body(&format!("w{w}.n{i}"), "officer", county))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::CREATED);
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    // Every event exactly once, in order, with no gaps.
    let expected: Vec<i64> = (1..=i64::try_from(seen.len()).unwrap()).collect();
    assert_eq!(seen, expected);
    let (_, admin) = app
        .user_token("city.sysadmin", Role::SystemAdmin, "420800")
        .await;
    let (_, all) = app.get("/api/v1/events?after=0&limit=1000", &admin).await;
    let created: BTreeSet<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "user.create")
        .map(|e| e["payload"]["username"].as_str().unwrap().to_owned())
        .filter(|u| u.starts_with('w'))
        .collect();
    assert_eq!(created.len(), WRITERS * EACH);
    assert!(i64::try_from(seen.len()).unwrap() >= i64::try_from(WRITERS * EACH).unwrap());
    // Events carry the after-image but never a password hash.
    assert!(!all.to_string().contains("argon2"));
}

async fn idempotency_key_applies_once(app: TestApp) {
    let (_, sec) = app
        .user_token("city.security", Role::SecurityAdmin, "420800")
        .await;
    let send = |key: &'static str, body: serde_json::Value| {
        app.request(Method::POST, "/api/v1/users", Some(&sec))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send("k-1", new_user_body("idem.officer", "officer", "420881"))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_body = first.text().await.unwrap();
    let again = send("k-1", new_user_body("idem.officer", "officer", "420881"))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.text().await.unwrap(), first_body);
    // Another request under the same key is refused.
    let other = send("k-1", new_user_body("idem.other", "officer", "420881"))
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = other.json().await.unwrap();
    assert_eq!(problem["code"], "idempotency_key_reused");

    // One change, one audit record, one event.
    let (_, auditor) = app
        .user_token("city.auditor", Role::AuditAdmin, "420800")
        .await;
    let (_, trail) = app
        .get("/api/v1/audit?action=user.create&limit=500", &auditor)
        .await;
    let id = serde_json::from_str::<serde_json::Value>(&first_body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let records = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["object_id"].as_str() == Some(id.to_string().as_str()))
        .count();
    assert_eq!(records, 1);
    let (_, feed) = app
        .user_token("city.feed", Role::Integration, "420800")
        .await;
    let (_, events) = app.get("/api/v1/events?limit=1000", &feed).await;
    let n = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["payload"]["username"] == "idem.officer")
        .count();
    assert_eq!(n, 1);

    // A change committed whose response was lost is never applied again.
    assert_eq!(
        idempotency::reserve(&app.store, "p", "k-2", "h")
            .await
            .unwrap(),
        Reservation::New
    );
    let actor = shijian_storage::Actor::system("t");
    let ctx = shijian_storage::RequestCtx {
        request_id: "r".into(),
        idempotency: Some(("p".into(), "k-2".into())),
    };
    let mut tx = app.store.begin_write(&actor, &ctx).await.unwrap();
    tx.record(shijian_storage::Change {
        action: "test.change",
        object_type: "test",
        object_id: "1".into(),
        jurisdiction_code: "420800".into(),
        result: shijian_storage::AuditResult::Ok,
        after: Some(json!({"x": 1})),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        idempotency::reserve(&app.store, "p", "k-2", "h")
            .await
            .unwrap(),
        Reservation::AppliedWithoutResponse
    );

    // A reservation left pending by a request that died is taken over by a retry, but
    // only once it is certainly abandoned.
    let reserve = |key: &'static str| idempotency::reserve(&app.store, "p", key, "h");
    assert_eq!(reserve("k-3").await.unwrap(), Reservation::New);
    assert_eq!(reserve("k-3").await.unwrap(), Reservation::InProgress);
    app.clock
        .advance(idempotency::ABANDONED_AFTER + chrono::Duration::seconds(1));
    assert_eq!(reserve("k-3").await.unwrap(), Reservation::New);
    assert_eq!(reserve("k-3").await.unwrap(), Reservation::InProgress);
}
