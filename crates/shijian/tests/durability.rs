//! Durability of the real binary, against the "nothing lost" contract of
//! docs/DURABILITY.md:
//! - `kill -9` at random moments under concurrent writes: every write answered 2xx is
//!   there after the restart, every other one is wholly there or wholly absent (a user row
//!   exists iff its `user.create` audit record and event do), `PRAGMA integrity_check` is
//!   `ok` and `audit verify` passes;
//! - an online backup taken while writes run restores into a working database;
//! - signed checkpoints catch every kind of tampering with the audit trail, including the
//!   two the hash chain alone cannot see (a removed tail, a recomputed chain).
//!
//! `SHIJIAN_CRASH_KILLS=50` runs the full crash test (default 5 kills);
//! `SHIJIAN_CRASH_SEED=N` repeats a run's kill moments.

mod common;

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use shijian_domain::audit::chain_hash;
use shijian_domain::clock::SystemClock;
use shijian_storage::audit::AuditRecord;
use shijian_storage::checkpoint::{self, Target};
use shijian_storage::jobs::{self, JobContext};
use shijian_storage::{Actor, AuditResult, Backend, Change, DatabaseConfig, RequestCtx, Store};
use sqlx::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ADMIN: &str = "crash.admin";
const PASSWORD: &str = "Crash-Test-2026";
/// Concurrent writers during the crash test.
const WRITERS: usize = 4;

/// A data directory and a configuration file beside it (outside it, so the directory
/// stays a plain data directory). Sign-in without a second factor keeps the harness
/// about durability.
struct Fixture {
    tmp: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("shijian.toml");
        std::fs::write(&config, "[session]\ntotp_roles = []\n").unwrap();
        let data = tmp.path().join("data");
        Self { tmp, data, config }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// The binary on `data_dir` with this fixture's configuration.
    fn shijian_on(&self, data_dir: &Path) -> Command {
        let mut c = common::bin();
        c.env("SHIJIAN_CONFIG", &self.config)
            .arg("--data-dir")
            .arg(data_dir);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_on(&self.data, args)
    }

    fn run_on(&self, data_dir: &Path, args: &[&str]) -> Output {
        self.shijian_on(data_dir).args(args).output().unwrap()
    }

    fn add_security_admin(&self) {
        let mut child = self
            .shijian_on(&self.data)
            .args(["user", "add", ADMIN, "--role", "security_admin"])
            .args(["--jurisdiction", "420800", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", text(&o));
    }

    fn serve(&self) -> common::Server {
        let config = self.config.to_str().unwrap();
        common::serve(&self.data, &[], &[("SHIJIAN_CONFIG", config)])
    }

    fn sqlite(&self) -> DatabaseConfig {
        DatabaseConfig::Sqlite {
            dir: self.data.clone(),
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": ADMIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["stage"].as_str().unwrap_or("full"), "full", "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// One attempt to create a user.
#[derive(Debug, Clone)]
enum Attempt {
    /// Answered 201: must survive.
    Acked { id: i64, username: String },
    /// Answered, but not 2xx.
    Refused { status: u16, username: String },
    /// No answer (the server died): may or may not have happened, but not half.
    Unknown { username: String },
}

async fn create_user(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    username: &str,
) -> reqwest::Result<(u16, Value)> {
    let r = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("create-{username}"))
        .json(&json!({
            "username": username,
            "display_name": format!("崩溃测试{username}"),
            "role": "officer",
            "jurisdiction": "420881",
            "password": PASSWORD,
        }))
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await?))
}

/// Creates users `PREFIXn0`, `PREFIXn1`, … until the server stops answering or `stop`.
async fn writer(
    client: reqwest::Client,
    base: String,
    token: String,
    prefix: String,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Attempt>>>,
) {
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let username = format!("{prefix}n{i}");
        let (w, go_on) = match create_user(&client, &base, &token, &username).await {
            Ok((201, body)) => (
                Attempt::Acked {
                    id: body["id"].as_i64().unwrap(),
                    username,
                },
                true,
            ),
            Ok((status, _)) => (Attempt::Refused { status, username }, true),
            Err(_) => (Attempt::Unknown { username }, false),
        };
        log.lock().unwrap().push(w);
        if !go_on {
            return;
        }
    }
}

/// Starts `WRITERS` writers; returns their handles.
fn start_writers(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    round: usize,
    stop: &Arc<AtomicBool>,
    log: &Arc<Mutex<Vec<Attempt>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..WRITERS)
        .map(|w| {
            tokio::spawn(writer(
                client.clone(),
                base.to_owned(),
                token.to_owned(),
                format!("r{round}w{w}"),
                stop.clone(),
                log.clone(),
            ))
        })
        .collect()
}

/// Every acknowledged user is readable through the API.
async fn assert_present(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    acked: &[(i64, String)],
) {
    for (id, username) in acked {
        let r = client
            .get(format!("{base}/api/v1/users/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "acknowledged user {username} (id {id}) lost"
        );
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["username"], username.as_str());
    }
}

/// Every account the security administrator sees, through the paged list (a few
/// requests however many accounts, well inside the rate limits).
async fn listed_users(client: &reqwest::Client, base: &str, token: &str) -> BTreeMap<i64, String> {
    let mut users = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let r = client
            .get(format!("{base}/api/v1/users?limit=500{cursor}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.unwrap();
        for u in page["items"].as_array().unwrap() {
            users.insert(
                u["id"].as_i64().unwrap(),
                u["username"].as_str().unwrap().to_owned(),
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return users,
        }
    }
}

/// What retrying unanswered writes with their `Idempotency-Key` after a restart gave.
#[derive(Debug, Default)]
struct Retries {
    /// The first attempt never committed; the retry did.
    created: Vec<String>,
    /// The first attempt had committed; the retry was told so and changed nothing.
    already_applied: Vec<String>,
    /// The first attempt's reservation outlived the crash uncommitted: refused as still
    /// running until the reservation is purged (see docs/DURABILITY.md).
    stuck_in_progress: Vec<String>,
}

impl Retries {
    /// Retries each unanswered write once: it takes effect now or is reported as applied
    /// already, never twice.
    async fn retry(
        &mut self,
        client: &reqwest::Client,
        base: &str,
        token: &str,
        unanswered: &[String],
        acked: &mut Vec<(i64, String)>,
    ) {
        for username in unanswered {
            let (status, body) = create_user(client, base, token, username).await.unwrap();
            let outcome = match (status, body["code"].as_str()) {
                (201, _) => {
                    acked.push((body["id"].as_i64().unwrap(), username.clone()));
                    &mut self.created
                }
                (409, Some("idempotency_applied")) => &mut self.already_applied,
                (409, Some("idempotency_in_progress")) => &mut self.stuck_in_progress,
                other => panic!("retry of {username}: unexpected {other:?} {body}"),
            };
            outcome.push(username.clone());
        }
    }
}

/// What the database holds after a run, read directly.
struct Contents {
    users: BTreeMap<i64, String>,
    audited: BTreeSet<i64>,
    evented: BTreeSet<i64>,
    integrity: String,
}

async fn contents(db: &DatabaseConfig) -> Contents {
    let store = Store::open(db, Arc::new(SystemClock)).await.unwrap();
    let Backend::Sqlite { read, .. } = store.backend() else {
        panic!("SQLite expected");
    };
    let users: Vec<(i64, String)> = sqlx::query_as("SELECT id, username FROM app_user")
        .fetch_all(read)
        .await
        .unwrap();
    let ids =
        |rows: Vec<String>| -> BTreeSet<i64> { rows.iter().map(|s| s.parse().unwrap()).collect() };
    let audited = ids(sqlx::query_scalar(
        "SELECT object_id FROM audit_log WHERE action = 'user.create' AND result = 'ok'",
    )
    .fetch_all(read)
    .await
    .unwrap());
    let evented = ids(sqlx::query_scalar(
        "SELECT object_id FROM event WHERE event_type = 'user.create'",
    )
    .fetch_all(read)
    .await
    .unwrap());
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(read)
        .await
        .unwrap();
    store.close().await;
    Contents {
        users: users.into_iter().collect(),
        audited,
        evented,
        integrity: integrity.join("; "),
    }
}

/// The invariants after any crash: nothing half-written, the file sound, the chain whole.
fn assert_consistent(f: &Fixture, data_dir: &Path, c: &Contents) {
    let user_ids: BTreeSet<i64> = c.users.keys().copied().collect();
    assert_eq!(
        user_ids, c.audited,
        "a user without its audit record, or the reverse"
    );
    assert_eq!(
        user_ids, c.evented,
        "a user without its event, or the reverse"
    );
    assert_eq!(c.integrity, "ok");
    let o = f.run_on(data_dir, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn acknowledged_writes_survive_kill_9_and_nothing_is_half_written() {
    let kills: usize = std::env::var("SHIJIAN_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("SHIJIAN_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!("crash test: {kills} kills, SHIJIAN_CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let f = Fixture::new();
    f.add_security_admin();
    let rt = runtime();
    let client = client();
    let started = Instant::now();
    let mut acked: Vec<(i64, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut refused: Vec<(u16, String)> = Vec::new();
    let mut retries = Retries::default();
    let mut last_round: Vec<(i64, String)> = Vec::new();
    let mut unanswered: Vec<String> = Vec::new();
    for round in 0..kills {
        let mut server = f.serve();
        let base = server.base.clone();
        let token = rt.block_on(login(&client, &base));
        rt.block_on(assert_present(&client, &base, &token, &last_round));
        rt.block_on(retries.retry(&client, &base, &token, &unanswered, &mut acked));
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let delay = Duration::from_millis(rng.gen_range(150..1500));
        rt.block_on(async {
            let handles = start_writers(&client, &base, &token, round, &stop, &log);
            tokio::time::sleep(delay).await;
            // SIGKILL: no shutdown handler runs, in-flight transactions just stop.
            server.child.kill().unwrap();
            for h in handles {
                h.await.unwrap();
            }
        });
        server.child.wait().unwrap();
        last_round.clear();
        unanswered.clear();
        for w in log.lock().unwrap().drain(..) {
            match w {
                Attempt::Acked { id, username } => last_round.push((id, username)),
                Attempt::Refused { status, username } => refused.push((status, username)),
                Attempt::Unknown { username } => unanswered.push(username),
            }
        }
        acked.extend(last_round.iter().cloned());
        unknown.extend(unanswered.iter().cloned());
    }
    // After the last kill: every acknowledged write, through the API...
    let server = f.serve();
    let token = rt.block_on(login(&client, &server.base));
    rt.block_on(assert_present(&client, &server.base, &token, &last_round));
    rt.block_on(retries.retry(&client, &server.base, &token, &unanswered, &mut acked));
    let listed = rt.block_on(listed_users(&client, &server.base, &token));
    for (id, username) in &acked {
        assert_eq!(listed.get(id), Some(username), "acknowledged write lost");
    }
    drop(server);
    // ...and in the database itself, nothing half-written.
    let c = rt.block_on(contents(&f.sqlite()));
    for (id, username) in &acked {
        assert_eq!(c.users.get(id), Some(username), "acknowledged write lost");
    }
    assert_consistent(&f, &f.data, &c);
    assert!(refused.is_empty(), "writes refused: {refused:?}");
    // The key's state agrees with the data: "applied" iff the user exists.
    let exists = |u: &String| c.users.values().any(|v| v == u);
    assert!(retries.already_applied.iter().all(exists));
    assert!(!retries.stuck_in_progress.iter().any(exists));
    eprintln!(
        "crash test: {kills} kills in {:.1} s; {} writes acknowledged, 0 lost; {} unanswered, \
         retried with the same Idempotency-Key: {} created now, {} had committed before the \
         kill, {} refused as still in progress",
        started.elapsed().as_secs_f64(),
        acked.len(),
        unknown.len(),
        retries.created.len(),
        retries.already_applied.len(),
        retries.stuck_in_progress.len(),
    );
    assert!(
        !acked.is_empty(),
        "no write was acknowledged: the test proved nothing"
    );
}

#[test]
fn an_online_backup_taken_during_writes_restores_into_a_working_database() {
    let f = Fixture::new();
    f.add_security_admin();
    let key = f.path("audit.key");
    assert!(f
        .run(&["audit", "keygen", "--out", key.to_str().unwrap()])
        .status
        .success());
    let rt = runtime();
    let client = client();
    let server = f.serve();
    let token = rt.block_on(login(&client, &server.base));
    let stop = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(Vec::new()));
    let handles =
        rt.block_on(async { start_writers(&client, &server.base, &token, 0, &stop, &log) });
    std::thread::sleep(Duration::from_millis(800));
    // A checkpoint and a backup while the writers run.
    let checkpoints = f.path("checkpoints.jsonl");
    let o = f.run(&[
        "audit",
        "checkpoint",
        "--key",
        key.to_str().unwrap(),
        "--out",
        checkpoints.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let acked_before: Vec<(i64, String)> = log
        .lock()
        .unwrap()
        .iter()
        .filter_map(|w| match w {
            Attempt::Acked { id, username } => Some((*id, username.clone())),
            _ => None,
        })
        .collect();
    let file = f.path("shijian-backup.db");
    let t = Instant::now();
    let o = f.run(&["backup", "--to", file.to_str().unwrap()]);
    let took = t.elapsed();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("备份完成"), "{}", text(&o));
    let sha256 = text(&o)
        .lines()
        .find_map(|l| l.strip_prefix("SHA-256："))
        .and_then(|l| l.split('（').next())
        .unwrap()
        .to_owned();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
    });
    drop(server);
    let size = std::fs::metadata(&file).unwrap().len();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "a backup is readable by its owner only"
        );
    }
    let during: usize = log.lock().unwrap().len();
    eprintln!(
        "backup: {size} bytes in {:.3} s while {WRITERS} writers ran ({during} writes in the test; {} acknowledged before the backup)",
        took.as_secs_f64(),
        acked_before.len()
    );
    // The backup never overwrites.
    let o = f.run(&["backup", "--to", file.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("已存在"), "{}", text(&o));
    // Restore into a new, empty directory.
    let restored = f.path("restored");
    let t = Instant::now();
    let o = f.run_on(&restored, &["restore", "--from", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    eprintln!("restore: {:.3} s", t.elapsed().as_secs_f64());
    assert!(text(&o).contains("完整性检查 ok"), "{}", text(&o));
    assert!(text(&o).contains("哈希链校验通过"), "{}", text(&o));
    // The file restored is the file whose digest the backup recorded.
    assert!(text(&o).contains(&sha256), "{}", text(&o));
    let c = rt.block_on(contents(&DatabaseConfig::Sqlite {
        dir: restored.clone(),
    }));
    for (id, username) in &acked_before {
        assert_eq!(
            c.users.get(id),
            Some(username),
            "acknowledged before the backup, missing from it"
        );
    }
    assert_consistent(&f, &restored, &c);
    // The checkpoint signed before the backup holds on the restored copy.
    let public = public_key_of(&key);
    let o = f.run_on(
        &restored,
        &[
            "audit",
            "verify",
            "--checkpoint",
            checkpoints.to_str().unwrap(),
            "--public-key",
            &public,
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    // A second restore into the same (now non-empty) directory is refused.
    let o = f.run_on(&restored, &["restore", "--from", file.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("不为空"), "{}", text(&o));
    // A file that is not a backup is named as such, and leaves the directory empty.
    let empty = f.path("empty");
    let o = f.run_on(
        &empty,
        &["restore", "--from", checkpoints.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("不是 SQLite 数据库文件"), "{}", text(&o));
    assert!(!empty.exists());
}

/// The public key (hex) of a key file, as `audit keygen` printed it.
fn public_key_of(key: &Path) -> String {
    let k = checkpoint::load_signing_key(key).unwrap();
    checkpoint::public_key_hex(&k.verifying_key())
}

#[test]
fn backup_and_restore_on_postgresql() {
    let Some(admin) = std::env::var("SHIJIAN_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        assert!(
            std::env::var("SHIJIAN_TEST_STRICT").map_or(true, |v| v != "1"),
            "SHIJIAN_TEST_PG_URL is not set but PostgreSQL tests are required"
        );
        eprintln!(
            "SKIPPED: PostgreSQL not available (set SHIJIAN_TEST_PG_URL, or run scripts/test.sh)"
        );
        return;
    };
    let rt = runtime();
    let new_db = |name: &str| {
        let name = format!("{name}_{}", uuid::Uuid::new_v4().simple());
        rt.block_on(async {
            let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .await
                .unwrap();
        });
        match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("bad SHIJIAN_TEST_PG_URL"),
        }
    };
    let source = new_db("dura_src");
    let target = new_db("dura_dst");
    let f = Fixture::new();
    let db = DatabaseConfig::Postgres {
        url: source.clone(),
    };
    // Writes keep running while the dump is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let writes = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            runtime().block_on(async {
                let store = Store::open(&db, Arc::new(SystemClock)).await.unwrap();
                let mut n = 0;
                while n < 20 || !stop.load(Ordering::Relaxed) {
                    note(&store, n).await;
                    n += 1;
                }
                store.close().await;
                n
            })
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let file = f.path("shijian.dump");
    let o = f
        .shijian_on(&f.data)
        .args([
            "--database",
            &source,
            "backup",
            "--to",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    stop.store(true, Ordering::Relaxed);
    let written = writes.join().unwrap();
    let backed_up = text(&o);
    eprintln!(
        "postgres backup during {written} writes: {}",
        backed_up.trim()
    );
    let restore = |url: &str| {
        f.shijian_on(&f.data)
            .args([
                "--database",
                url,
                "restore",
                "--from",
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let o = restore(&target);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("哈希链校验通过"), "{}", text(&o));
    // The dump holds exactly the audit head the backup reported; the restore appended
    // its own record after it.
    let reported: i64 = backed_up
        .split("含审计记录至第 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let restored_head = rt.block_on(async {
        let store = Store::open(
            &DatabaseConfig::Postgres {
                url: target.clone(),
            },
            Arc::new(SystemClock),
        )
        .await
        .unwrap();
        checkpoint::head(&store).await.unwrap().seq
    });
    assert_eq!(restored_head, reported + 1);
    let o = f
        .shijian_on(&f.data)
        .args(["--database", &target, "audit", "verify"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = restore(&target);
    assert!(!o.status.success());
    assert!(text(&o).contains("不为空"), "{}", text(&o));
}

/// Appends one audit record (no event), cheaply.
async fn note(store: &Store, n: usize) {
    store
        .audit_only(
            &Actor::system("fixture"),
            &RequestCtx::local("fixture"),
            Change {
                action: "fixture.note",
                object_type: "note",
                object_id: n.to_string(),
                jurisdiction_code: "420800".to_owned(),
                result: AuditResult::Ok,
                after: None,
            },
        )
        .await
        .unwrap();
}

/// An audit trail of 17 records with checkpoints at records 12 and 15, signed by the
/// audit administrator's key.
struct Trail {
    f: Fixture,
    key: PathBuf,
    public: String,
    checkpoints: PathBuf,
    rt: tokio::runtime::Runtime,
}

impl Trail {
    fn new() -> Self {
        let f = Fixture::new();
        let rt = runtime();
        let key = f.path("audit.key");
        let o = f.run(&["audit", "keygen", "--out", key.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        let public = text(&o)
            .lines()
            .find_map(|l| l.strip_prefix("公钥："))
            .unwrap()
            .trim()
            .to_owned();
        let checkpoints = f.path("checkpoints.jsonl");
        let t = Self {
            f,
            key,
            public,
            checkpoints,
            rt,
        };
        for (upto, sign) in [(12, true), (15, true), (17, false)] {
            t.add_notes_up_to(upto);
            if sign {
                let o = t.checkpoint(&t.key);
                assert!(o.status.success(), "{}", text(&o));
            }
        }
        t
    }

    fn add_notes_up_to(&self, seq: usize) {
        self.rt.block_on(async {
            let store = Store::open(&self.f.sqlite(), Arc::new(SystemClock))
                .await
                .unwrap();
            let head = usize::try_from(checkpoint::head(&store).await.unwrap().seq).unwrap();
            for n in head..seq {
                note(&store, n).await;
            }
            store.close().await;
        });
    }

    fn checkpoint(&self, key: &Path) -> Output {
        self.checkpoint_into(key, &self.checkpoints)
    }

    fn checkpoint_into(&self, key: &Path, out: &Path) -> Output {
        self.f.run(&[
            "audit",
            "checkpoint",
            "--key",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    }

    fn verify_plain(&self) -> Output {
        self.f.run(&["audit", "verify"])
    }

    fn verify(&self) -> Output {
        self.verify_with(&self.checkpoints)
    }

    fn verify_with(&self, checkpoints: &Path) -> Output {
        self.f.run(&[
            "audit",
            "verify",
            "--checkpoint",
            checkpoints.to_str().unwrap(),
            "--public-key",
            &self.public,
        ])
    }

    /// Runs `statements` on the database file directly, as an attacker with file access
    /// would (after dropping the append-only triggers).
    fn tamper(&self, statements: &[&str]) {
        self.rt.block_on(async {
            let mut c = self.connect().await;
            for s in [
                "DROP TRIGGER IF EXISTS audit_log_no_update",
                "DROP TRIGGER IF EXISTS audit_log_no_delete",
            ]
            .iter()
            .chain(statements)
            {
                sqlx::query(s).execute(&mut c).await.unwrap();
            }
            c.close().await.unwrap();
        });
    }

    async fn connect(&self) -> sqlx::SqliteConnection {
        let options =
            sqlx::sqlite::SqliteConnectOptions::new().filename(self.f.data.join("shijian.db"));
        sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap()
    }

    /// Removes the records after `keep` and rolls `log_head` back to match: the chain
    /// alone cannot tell.
    fn remove_tail_after(&self, keep: i64) {
        self.tamper(&[
            &format!("DELETE FROM audit_log WHERE seq > {keep}"),
            &format!(
                "UPDATE log_head SET audit_seq = {keep}, \
                 audit_hash = (SELECT hash FROM audit_log WHERE seq = {keep}) WHERE id = 1"
            ),
        ]);
    }

    /// Edits record `seq`, then recomputes the hash of it and every later record and
    /// fixes `log_head`: the chain verifies again.
    fn edit_and_recompute(&self, seq: i64) {
        self.tamper(&[&format!(
            "UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = {seq}"
        )]);
        self.rt.block_on(async {
            let mut c = self.connect().await;
            let rows: Vec<AuditRecord> = sqlx::query_as(
                "SELECT seq, at, actor, actor_role, actor_jurisdiction, action, object_type, object_id, \
                 jurisdiction_code, result, request_id, change_digest, hash_alg, prev_hash, hash \
                 FROM audit_log WHERE seq >= $1 ORDER BY seq",
            )
            .bind(seq)
            .fetch_all(&mut c)
            .await
            .unwrap();
            let mut prev = rows[0].prev_hash.clone();
            for r in &rows {
                let hash = chain_hash(&prev, &r.fields());
                sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                    .bind(&prev)
                    .bind(&hash)
                    .bind(r.seq)
                    .execute(&mut c)
                    .await
                    .unwrap();
                prev = hash;
            }
            sqlx::query("UPDATE log_head SET audit_hash = $1 WHERE id = 1")
                .bind(&prev)
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        });
    }
}

fn assert_tampered(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", text(o));
    assert!(
        text(o).contains(needle),
        "expected {needle:?} in: {}",
        text(o)
    );
}

#[test]
fn checkpoints_hold_on_an_untouched_trail() {
    let t = Trail::new();
    let o = t.verify();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("2 个检查点，最新覆盖到第 15 条记录"),
        "{}",
        text(&o)
    );
    // Without a pinned key the file's own key is used, and the output says so.
    let o = t.f.run(&[
        "audit",
        "verify",
        "--checkpoint",
        t.checkpoints.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("未用 --public-key"), "{}", text(&o));
    // keygen never overwrites a key.
    let o =
        t.f.run(&["audit", "keygen", "--out", t.key.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("已存在"), "{}", text(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&t.key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn an_altered_record_is_named() {
    let t = Trail::new();
    t.tamper(&["UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = 5"]);
    assert_tampered(&t.verify_plain(), "第 5 条");
    assert_tampered(&t.verify(), "第 5 条");
    // Nobody signs the head of a broken chain.
    let o = t.checkpoint(&t.key);
    assert_tampered(&o, "未签署");
}

#[test]
fn a_removed_record_is_named() {
    let t = Trail::new();
    t.tamper(&["DELETE FROM audit_log WHERE seq = 5"]);
    assert_tampered(&t.verify(), "缺少第 5 条");
}

#[test]
fn a_removed_tail_with_a_rolled_back_head_is_caught_only_by_the_checkpoint() {
    let t = Trail::new();
    t.remove_tail_after(14);
    // The chain alone is consistent again...
    let o = t.verify_plain();
    assert!(o.status.success(), "{}", text(&o));
    // ...but the checkpoint at record 15 is not.
    let o = t.verify();
    assert_tampered(&o, "第 15 条记录");
    assert!(text(&o).contains("尾部记录被删除"), "{}", text(&o));
}

#[test]
fn a_recomputed_chain_is_caught_only_by_the_checkpoint() {
    let t = Trail::new();
    t.edit_and_recompute(5);
    let o = t.verify_plain();
    assert!(o.status.success(), "{}", text(&o));
    // The first checkpoint after the edit names it.
    let o = t.verify();
    assert_tampered(&o, "第 12 条记录的哈希与检查点不符");
    assert!(text(&o).contains("共 2 个检查点不符"), "{}", text(&o));
}

#[test]
fn forged_checkpoints_are_refused() {
    let t = Trail::new();
    t.edit_and_recompute(5);
    // Editing a checkpoint line breaks its signature.
    let text_before = std::fs::read_to_string(&t.checkpoints).unwrap();
    let first = text_before.lines().next().unwrap();
    let mut cp: Value = serde_json::from_str(first).unwrap();
    cp["head_hash"] = json!("0".repeat(64));
    let edited = t.f.path("edited.jsonl");
    std::fs::write(&edited, format!("{cp}\n")).unwrap();
    assert_tampered(&t.verify_with(&edited), "签名无效");
    // Re-signing the forged head with another key fails against the pinned key.
    let other_key = t.f.path("attacker.key");
    assert!(t
        .f
        .run(&["audit", "keygen", "--out", other_key.to_str().unwrap()])
        .status
        .success());
    let forged = t.f.path("forged.jsonl");
    let o = t.checkpoint_into(&other_key, &forged);
    assert!(o.status.success(), "{}", text(&o));
    assert_tampered(&t.verify_with(&forged), "不是指定的受信任公钥");
    // A garbled line is named by its line number.
    std::fs::write(&edited, format!("{first}\nnot json\n")).unwrap();
    let o = t.verify_with(&edited);
    assert_tampered(&o, "第 2 行");
}

#[test]
fn the_daily_job_appends_a_checkpoint_when_a_key_is_configured() {
    let t = Trail::new();
    let out = t.f.path("daily.jsonl");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    t.rt.block_on(async {
        let store = Store::open(&t.f.sqlite(), Arc::new(SystemClock))
            .await
            .unwrap();
        let skipped = jobs::run_now(
            &store,
            "audit_checkpoint",
            day,
            "test",
            &JobContext::default(),
        )
        .await
        .unwrap();
        assert!(skipped.starts_with("skipped"), "{skipped}");
        let jc = JobContext {
            checkpoint: Some(Target {
                key: t.key.clone(),
                out: out.clone(),
            }),
            ..JobContext::default()
        };
        let done = jobs::run_now(&store, "audit_checkpoint", day, "test", &jc)
            .await
            .unwrap();
        assert!(done.starts_with("signed audit head 18"), "{done}");
        store.close().await;
    });
    let o = t.verify_with(&out);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("最新覆盖到第 18 条记录"), "{}", text(&o));
}
