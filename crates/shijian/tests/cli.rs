//! The binary's commands: each works on an empty data directory; `audit verify` names a
//! record altered behind the application's back; `serve` and the CLI share a database;
//! SIGTERM lets in-flight requests finish.

mod common;

use common::{bin, fresh_pg_database, serve};
use std::io::Write;
use std::process::{Output, Stdio};

fn user_add(data_dir: &std::path::Path, name: &str, jurisdiction: &str, password: &str) -> Output {
    let mut child = bin()
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "user",
            "add",
            name,
            "--role",
            "security_admin",
            "--jurisdiction",
            jurisdiction,
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn run(data_dir: &std::path::Path, args: &[&str]) -> Output {
    bin()
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn commands_work_on_an_empty_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("fresh");
    let o = user_add(&d, "zx.security", "钟祥市", "Good-Pass-2026");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("zx.security"));
    // Bad input: a clear Chinese error and a failure status.
    let o = user_add(&d, "zx.other", "火星", "Good-Pass-2026");
    assert!(!o.status.success());
    assert!(text(&o).contains("未知辖区"), "{}", text(&o));
    let o = user_add(&d, "zx.weak", "420881", "weak");
    assert!(!o.status.success());
    assert!(text(&o).contains("密码至少"), "{}", text(&o));
    for args in [
        &["jobs", "list"][..],
        &["jobs", "run", "session_cleanup", "--as-of", "2026-01-05"],
        &["audit", "verify"],
    ] {
        let o = run(&dir.path().join(format!("empty-{}", args[0])), args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let o = run(&d, &["jobs", "list"]);
    assert!(text(&o).contains("session_cleanup"));
}

#[test]
fn audit_verify_names_a_row_altered_with_python() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, j) in ["420802", "420804", "420822"].iter().enumerate() {
        assert!(user_add(d, &format!("sec{i}"), j, "Good-Pass-2026")
            .status
            .success());
    }
    let o = run(d, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("校验通过"));
    // The database itself refuses the change...
    let refused = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE audit_log SET actor='x' WHERE seq=2\"); c.commit()")
        .arg(d.join("shijian.db"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("append-only"));
    // ...so an attacker drops the trigger first. verify finds the altered record.
    let tamper = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TRIGGER audit_log_no_update'); c.execute(\"UPDATE audit_log SET actor='x' WHERE seq=2\"); c.commit()")
        .arg(d.join("shijian.db"))
        .output()
        .unwrap();
    assert!(
        tamper.status.success(),
        "{}",
        String::from_utf8_lossy(&tamper.stderr)
    );
    let o = run(d, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("第 2 条"), "{}", text(&o));
}

#[test]
fn serve_and_cli_write_to_the_same_database_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    // Sign-in limits would refuse twenty quick logins to one account; this test is about writes.
    let server = serve(
        &d,
        &["--demo"],
        &[("SHIJIAN_LOGIN_PER_ACCOUNT_PER_MINUTE", "0")],
    );
    let base = server.base.clone();
    // The server takes writes (sign-ins) while five CLI processes add users.
    let logins = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let client = reqwest::Client::new();
            for _ in 0..20 {
                let r = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&serde_json::json!({"username": "jingmen.officer", "password": shijian::demo::DEMO_PASSWORD}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        });
    });
    let adders: Vec<_> = (0..5)
        .map(|i| {
            let d = d.clone();
            std::thread::spawn(move || {
                user_add(&d, &format!("cli{i}.sec"), "420881", "Good-Pass-2026")
            })
        })
        .collect();
    for a in adders {
        let o = a.join().unwrap();
        assert!(o.status.success(), "{}", text(&o));
    }
    logins.join().unwrap();
    drop(server);
    let o = run(&d, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn first_start_without_demo_creates_one_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        dir.path(),
        &[],
        &[("SHIJIAN_ADMIN_PASSWORD", "Erste-Pass-2026")],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let r = client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&serde_json::json!({"username": "admin", "password": "Erste-Pass-2026"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["user"]["role"], "system_admin");
    });
}

#[test]
fn sigterm_lets_a_slow_request_finish() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path(), &["--demo"], &[("SHIJIAN_TEST_HOOKS", "1")]);
    let base = server.base.clone();
    let slow = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let r = reqwest::get(format!("{base}/__test/sleep?ms=2000"))
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        })
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let (status, body) = slow.join().unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, "slept");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn calendar_deadline_fails_past_the_covered_years_until_a_year_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        d,
        &["calendar", "deadline", "2025-09-26", "--working-days", "7"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2025-10-13");
    let o = run(
        d,
        &["calendar", "deadline", "2026-12-28", "--working-days", "5"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("2027"), "{}", text(&o));
    let file = d.join("2027.csv");
    std::fs::write(&file, "date,kind,name\n2027-01-01,holiday,元旦\n").unwrap();
    let o = run(
        d,
        &[
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--year",
            "2027",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        d,
        &["calendar", "deadline", "2026-12-28", "--working-days", "5"],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2027-01-05");
    // Calendar days: an end on a rest day moves to the next working day.
    let o = run(d, &["calendar", "deadline", "2025-09-21", "--days", "10"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2025-10-09");
    // A second import of the same year is refused with a clear reason.
    let o = run(
        d,
        &[
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--year",
            "2027",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("已导入"), "{}", text(&o));
}

#[test]
fn legal_dates_are_beijing_dates_whatever_the_host_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    // 16:30 UTC on 31 March is 00:30 on 1 April in Beijing.
    for tz in ["UTC", "America/Los_Angeles", "Asia/Tokyo"] {
        let o = bin()
            .arg("--data-dir")
            .arg(dir.path().join(tz.replace('/', "_")))
            .args(["jobs", "run", "session_cleanup"])
            .env("TZ", tz)
            .env("SHIJIAN_NOW", "2026-03-31T16:30:00Z")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("2026-04-01"), "{tz}: {}", text(&o));
    }
}

#[test]
fn demo_administrator_needs_the_second_factor_and_each_code_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &["--demo"], &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login = |otp: Option<String>| {
            let mut body = serde_json::json!({"username": "jingmen.system_admin", "password": shijian::demo::DEMO_PASSWORD});
            if let Some(o) = otp {
                body["otp"] = serde_json::json!(o);
            }
            client.post(format!("{}/api/v1/auth/login", server.base)).json(&body).send()
        };
        let r = login(None).await.unwrap();
        assert_eq!(r.status(), 401);
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!(p["code"], "otp_required");
        let secret = shijian_domain::totp::decode_secret(shijian::demo::DEMO_TOTP_SECRET).unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let code = shijian_domain::totp::code(&secret, shijian_domain::totp::step_at(i64::try_from(now).unwrap()));
        let r = login(Some(code.clone())).await.unwrap();
        assert_eq!(r.status(), 200);
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["stage"], "full");
        assert_eq!(login(Some(code)).await.unwrap().status(), 401);
    });
    drop(server);
    // The database files hold the demo secret only as ciphertext; the key file is separate.
    assert!(dir.path().join("keys.conf").exists());
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("shijian.db"))
        {
            let bytes = std::fs::read(&path).unwrap();
            let needle = shijian::demo::DEMO_TOTP_SECRET.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} holds the secret in clear",
                path.display()
            );
        }
    }
}

fn uscc(body: &str) -> String {
    format!(
        "{body}{}",
        shijian_domain::uscc::uscc_check_char(body).unwrap()
    )
}

fn id_number(first17: &str) -> String {
    format!(
        "{first17}{}",
        shijian_domain::id_number::id_check_char(first17)
    )
}

/// Writes an import file with two good rows, a bad credit code and a duplicate.
fn entity_file(dir: &std::path::Path, id: &str, phone: &str) -> (std::path::PathBuf, String) {
    let a = uscc("91420881MA49ABC01");
    let b = uscc("92420802MA49ABC02");
    let text = format!(
        "统一社会信用代码,名称,类型,法定代表人,身份证号,联系电话,行政区划代码,成立日期\n\
         {a},钟祥市荆楚食品有限公司,企业,张三丰,{id},{phone},420881100,2019-05-06\n\
         {b},东宝区小王餐馆,个体工商户,王小二,,,420802001,2021/03/01\n\
         91420881MA49ABC01X,坏代码公司,企业,李四,,,420881,\n\
         {a},重复公司,企业,赵五,,,420881,\n"
    );
    let file = dir.join("entities.csv");
    std::fs::write(&file, text).unwrap();
    (file, a)
}

fn assert_absent(bytes: &[u8], needle: &str, what: &str) {
    let n = needle.as_bytes();
    assert!(
        !bytes.windows(n.len()).any(|w| w == n),
        "{what} holds {needle} in clear"
    );
}

#[test]
fn imported_personal_data_is_not_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = id_number("42088119800101123");
    let phone = "13812345678";
    let (file, a) = entity_file(d, &id, phone);
    let o = run(d, &["import", "entities", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let report = String::from_utf8_lossy(&o.stdout).to_string();
    // Refused rows come back with their row numbers and reasons.
    assert!(
        report.contains("4,统一社会信用代码,bad_check_char,"),
        "{report}"
    );
    assert!(
        report.contains("5,统一社会信用代码,duplicate_uscc,"),
        "{report}"
    );
    assert!(
        text(&o).contains("读取 4 行：新增 2，更新 0，未变 0，拒绝 2"),
        "{}",
        text(&o)
    );
    // Importing the same file again changes nothing.
    let again = run(d, &["import", "entities", file.to_str().unwrap()]);
    assert!(
        text(&again).contains("读取 4 行：新增 0，更新 0，未变 2，拒绝 2"),
        "{}",
        text(&again)
    );
    // Neither the database nor its WAL holds the ID number or the phone number in clear.
    for entry in std::fs::read_dir(d).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("shijian.db"))
        {
            let bytes = std::fs::read(&path).unwrap();
            assert_absent(&bytes, &id, &path.display().to_string());
            assert_absent(&bytes, phone, &path.display().to_string());
            assert_absent(&bytes, &id[6..14], &path.display().to_string());
        }
    }
    // The stored values are found by exact match and come back masked.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let keys =
            shijian_crypto::Keys::load(&shijian_crypto::KeySource::File(d.join("keys.conf")))
                .unwrap();
        let clock = std::sync::Arc::new(shijian_domain::clock::SystemClock);
        let store = shijian_storage::Store::open(
            &shijian_storage::DatabaseConfig::Sqlite {
                dir: d.to_path_buf(),
            },
            clock,
        )
        .await
        .unwrap()
        .with_keys(&keys);
        let city = shijian_storage::Actor::system("t");
        let ctx = shijian_storage::RequestCtx::local("test");
        let found = shijian_storage::entities::find_by_legal_rep_id(&store, &city, &ctx, &id)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].uscc, a);
        assert_eq!(
            found[0].legal_rep_id_masked.as_deref(),
            Some(format!("4208**********{}", &id[14..]).as_str())
        );
        assert_eq!(found[0].phone_masked.as_deref(), Some("138****5678"));
        // The event log carries only the masked values.
        let events: Vec<String> = match store.backend() {
            shijian_storage::Backend::Sqlite { read, .. } => {
                sqlx::query_scalar("SELECT payload FROM event")
                    .fetch_all(read)
                    .await
                    .unwrap()
            }
            shijian_storage::Backend::Postgres(_) => unreachable!(),
        };
        assert!(events.iter().any(|e| e.contains("钟祥市荆楚食品有限公司")));
        assert!(!events.iter().any(|e| e.contains(&id) || e.contains(phone)));
        // A 东宝区 officer does not see the 钟祥市 entity.
        let dongbao = shijian_storage::Actor {
            user_id: Some(1),
            username: "x".into(),
            role: shijian_domain::role::Role::Officer,
            jurisdiction: "420802".into(),
        };
        assert!(shijian_storage::entities::get(&store, &dongbao, &ctx, &a)
            .await
            .is_err());
        assert!(shijian_storage::entities::get(&store, &city, &ctx, &a)
            .await
            .is_ok());
    });
}

#[test]
fn imported_personal_data_is_not_in_a_postgresql_dump() {
    let Some(url) = fresh_pg_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let keys = d.join("keys.conf");
    shijian_crypto::create_key_file(&keys, &shijian_crypto::Keys::generate()).unwrap();
    let id = id_number("42088119800101123");
    let phone = "13812345678";
    let (file, _) = entity_file(d, &id, phone);
    let o = bin()
        .args([
            "--database",
            &url,
            "--keys",
            keys.to_str().unwrap(),
            "import",
            "entities",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let dump = common::pg_dump(&url);
    assert!(String::from_utf8_lossy(&dump).contains("钟祥市荆楚食品有限公司"));
    assert_absent(&dump, &id, "the dump");
    assert_absent(&dump, phone, "the dump");
}
