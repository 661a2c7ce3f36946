//! `shijian keys`: rotation adds a current data key, re-encryption moves every sealed value
//! to it in audited batches (resumable, idempotent, while a server runs), `status` counts
//! the values per key, `retire` removes a key only when nothing uses it, and the data still
//! decrypts (and second-factor sign-in still works) afterwards. SQLite always; PostgreSQL
//! when `SHIJIAN_TEST_PG_URL` is set.

mod common;

use common::{bin, fresh_pg_database, serve};
use shijian_crypto::{FieldCipher, KeySource, Keys};
use shijian_domain::clock::SystemClock;
use shijian_domain::password::PasswordPolicy;
use shijian_domain::role::Role;
use shijian_storage::rekey::{self, SEALED_COLUMNS};
use shijian_storage::users::{self, NewUser};
use shijian_storage::{Actor, Backend, DatabaseConfig, RequestCtx, Store};
use sqlx::Connection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

/// Credit code → (ID number, phone number) of the imported entities.
type Entities = BTreeMap<String, (String, String)>;

const PASSWORD: &str = "Good-Pass-2026";
const SECRETS: [&str; 3] = ["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"];
const OLD_HEAD: &str = "v1:aes256gcm:k1:";
const NEW_HEAD: &str = "v1:aes256gcm:k2:";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Where a test's data lives: a SQLite data directory (keys in DATA_DIR/keys.conf) or a
/// PostgreSQL database with a key file beside the test.
struct Target {
    dir: tempfile::TempDir,
    database: Option<String>,
}

impl Target {
    fn sqlite() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            database: None,
        }
    }

    fn postgres(url: String) -> Self {
        let t = Self {
            dir: tempfile::tempdir().unwrap(),
            database: Some(url),
        };
        shijian_crypto::create_key_file(&t.keys_file(), &Keys::generate()).unwrap();
        t
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn keys_file(&self) -> PathBuf {
        match self.database {
            None => self.data().join("keys.conf"),
            Some(_) => self.dir.path().join("keys.conf"),
        }
    }

    fn keys(&self) -> Keys {
        Keys::load(&KeySource::File(self.keys_file())).unwrap()
    }

    fn shijian(&self, args: &[&str]) -> Output {
        let mut c = bin();
        c.arg("--data-dir").arg(self.data());
        if let Some(url) = &self.database {
            c.args(["--database", url, "--keys"]).arg(self.keys_file());
        }
        c.args(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its output text.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.shijian(args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        text(&o)
    }

    fn config(&self) -> DatabaseConfig {
        match &self.database {
            None => DatabaseConfig::Sqlite { dir: self.data() },
            Some(url) => DatabaseConfig::Postgres { url: url.clone() },
        }
    }

    async fn store(&self) -> Store {
        Store::open(&self.config(), Arc::new(SystemClock))
            .await
            .unwrap()
            .with_keys(&self.keys())
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

/// Writes an import file of `n` entities with ID and phone numbers; returns the file and
/// the (uscc → (id number, phone)) the test expects back.
fn entity_file(
    dir: &Path,
    name: &str,
    from: usize,
    n: usize,
) -> (PathBuf, BTreeMap<String, (String, String)>) {
    let mut text =
        "统一社会信用代码,名称,类型,法定代表人,身份证号,联系电话,行政区划代码,成立日期\n"
            .to_owned();
    let mut expected = BTreeMap::new();
    for i in from..from + n {
        let code = uscc(&format!("91420881MA49K{i:04}"));
        let id = id_number(&format!("420881198001{:02}{:03}", 1 + i % 28, i % 1000));
        let phone = format!("138{:08}", 10_000_000 + i);
        text.push_str(&format!(
            "{code},钟祥市轮换测试{i}有限公司,企业,张{i},{id},{phone},420881100,2019-05-06\n"
        ));
        expected.insert(code, (id, phone));
    }
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    (file, expected)
}

/// Creates security administrators with second factors: two enrolled through storage, one
/// with a plaintext secret as stored before sealing existed, one with a pending enrolment.
/// Returns (username, secret) of those that can sign in.
async fn users_with_second_factors(store: &Store, keys: &Keys) -> Vec<(String, String)> {
    let actor = Actor::system("test");
    let ctx = RequestCtx::local("test");
    let mut out = Vec::new();
    for (i, secret) in SECRETS.iter().enumerate() {
        let u = users::create(
            store,
            &actor,
            &ctx,
            NewUser {
                username: format!("sec{i}"),
                display_name: format!("安全管理员{i}"),
                role: Role::SecurityAdmin,
                jurisdiction: "420881".into(),
                password: PASSWORD.into(),
            },
            &PasswordPolicy::default(),
        )
        .await
        .unwrap();
        if i == 2 {
            // Enrolled before sealing existed: the secret is stored in clear.
            exec(
                store,
                &format!(
                    "UPDATE app_user SET totp_secret = '{secret}' WHERE id = {}",
                    u.id
                ),
            )
            .await;
        } else {
            shijian_storage::totp::enrol_known_secret(store, &actor, &ctx, u.id, secret)
                .await
                .unwrap();
        }
        out.push((u.username, (*secret).to_owned()));
    }
    let pending = keys
        .cipher()
        .encrypt("KRSXG5CTMVRXEZLU", "app_user.totp_secret")
        .unwrap();
    exec(
        store,
        &format!("UPDATE app_user SET totp_pending_secret = '{pending}' WHERE username = 'sec0'"),
    )
    .await;
    out
}

async fn exec(store: &Store, sql: &str) {
    match store.backend() {
        Backend::Sqlite { write, .. } => {
            sqlx::query(sql).execute(write).await.unwrap();
        }
        Backend::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

async fn strings(store: &Store, sql: &str) -> Vec<(String, Option<String>, Option<String>)> {
    match store.backend() {
        Backend::Sqlite { read, .. } => sqlx::query_as(sql).fetch_all(read).await.unwrap(),
        Backend::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await.unwrap(),
    }
}

/// Every sealed value: (column, row, stored, blind index).
async fn sealed_values(store: &Store) -> Vec<(String, String, String, Option<String>)> {
    let mut out = Vec::new();
    for c in SEALED_COLUMNS {
        let index = c.index.map_or("NULL", |i| i.column);
        let sql = format!(
            "SELECT CAST({} AS TEXT), {}, {index} FROM {} WHERE {} IS NOT NULL",
            c.key[0].0, c.column, c.table, c.column
        );
        for (row, value, idx) in strings(store, &sql).await {
            out.push((c.name(), row, value.unwrap(), idx));
        }
    }
    out
}

/// The credit codes whose legal representative has this ID number, found through the
/// blind index computed with `keys` (as `entities::find_by_legal_rep_id` does).
async fn lookup(store: &Store, keys: &Keys, id_number: &str) -> Vec<String> {
    let hash = keys
        .blind_index()
        .hash(shijian_crypto::kinds::ID_NUMBER, id_number);
    let sql = "SELECT uscc FROM entity WHERE legal_rep_id_index = $1";
    match store.backend() {
        Backend::Sqlite { read, .. } => sqlx::query_scalar(sql)
            .bind(hash)
            .fetch_all(read)
            .await
            .unwrap(),
        Backend::Postgres(p) => sqlx::query_scalar(sql)
            .bind(hash)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

async fn audit_actions(store: &Store, action: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'");
    match store.backend() {
        Backend::Sqlite { read, .. } => sqlx::query_scalar(&sql).fetch_one(read).await.unwrap(),
        Backend::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await.unwrap(),
    }
}

async fn event_payloads(store: &Store) -> Vec<String> {
    let sql = "SELECT payload FROM event WHERE event_type LIKE 'keys.%'";
    match store.backend() {
        Backend::Sqlite { read, .. } => sqlx::query_scalar(sql).fetch_all(read).await.unwrap(),
        Backend::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

/// Every sealed value opens with `keys`, holds what was stored, and its blind index is the
/// one `keys` computes.
fn assert_all_open(
    values: &[(String, String, String, Option<String>)],
    keys: &Keys,
    entities: &BTreeMap<String, (String, String)>,
    secrets: &[(String, String)],
) {
    let cipher = keys.cipher();
    let index = keys.blind_index();
    let mut totp = 0;
    for (column, row, stored, idx) in values {
        assert!(
            stored.starts_with("v1:aes256gcm:"),
            "{column} {row} is not sealed"
        );
        let c = SEALED_COLUMNS.iter().find(|c| c.name() == *column).unwrap();
        let plain = cipher
            .decrypt(stored, c.field)
            .unwrap_or_else(|e| panic!("{column} {row}: {e}"));
        if let Some((id, phone)) = entities.get(row) {
            let want = if column.ends_with("phone_sealed") {
                phone
            } else {
                id
            };
            assert_eq!(&plain, want, "{column} {row}");
            let i = c.index.unwrap();
            assert_eq!(idx.as_deref(), Some(index.hash(i.kind, &plain).as_str()));
        } else {
            assert!(column.starts_with("app_user."), "{column} {row}");
            totp += 1;
            assert!(
                secrets.iter().any(|(_, s)| *s == plain) || plain == "KRSXG5CTMVRXEZLU",
                "{column} {row}"
            );
        }
    }
    assert_eq!(totp, secrets.len() + 1, "TOTP secrets: {values:?}");
}

async fn login(base: &str, username: &str, secret: &str) -> u16 {
    let secret = shijian_domain::totp::decode_secret(secret).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = shijian_domain::totp::code(
        &secret,
        shijian_domain::totp::step_at(i64::try_from(now).unwrap()),
    );
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": PASSWORD, "otp": code}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The whole cycle on one backend: seal, rotate, re-encrypt in batches, status, retire,
/// and everything still opens with the new key alone.
fn rotate_reencrypt_retire(t: &Target) -> (Entities, Vec<(String, String)>) {
    let rt = runtime();
    t.ok(&["migrate"]);
    let (file, entities) = entity_file(t.dir.path(), "a.csv", 0, 7);
    // (The import's own summary is the import's business; `keys status` counts below.)
    t.ok(&["import", "entities", file.to_str().unwrap()]);
    let secrets = rt.block_on(async {
        let store = t.store().await;
        let s = users_with_second_factors(&store, &t.keys()).await;
        store.close().await;
        s
    });

    let out = t.ok(&["keys", "status"]);
    assert!(out.contains("当前密钥：k1"), "{out}");
    assert!(out.contains("entity.phone_sealed"), "{out}");
    assert!(out.contains("k1 17 个"), "{out}");
    assert!(out.contains("旧版明文 1"), "{out}");

    // Rotation writes the new key first and re-encrypts nothing yet.
    let out = t.ok(&["keys", "rotate"]);
    assert!(out.contains("已生成新的数据密钥 k2"), "{out}");
    assert!(out.contains("keys reencrypt"), "{out}");
    let keys = t.keys();
    assert_eq!(keys.data_keys().current_id().as_str(), "k2");
    assert!(keys.data_keys().get("k1").is_some());
    let out = t.ok(&["keys", "status"]);
    assert!(out.contains("当前密钥：k2"), "{out}");
    assert!(out.contains("仍有 18 个值未使用当前密钥 k2"), "{out}");

    // The old key cannot be retired while values use it.
    let o = t.shijian(&["keys", "retire", "k1"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("拒绝退役数据密钥 k1"), "{}", text(&o));
    assert!(t.keys().data_keys().get("k1").is_some());

    // Re-encryption in batches of 3: one audited transaction per batch.
    let out = t.ok(&["keys", "reencrypt", "--batch", "3"]);
    assert!(
        out.contains("完成：全部 18 个加密值均已使用当前密钥 k2"),
        "{out}"
    );
    assert!(out.contains("旧版明文 1"), "{out}");
    let batches = rt.block_on(async {
        let store = t.store().await;
        let n = audit_actions(&store, "keys.reencrypt").await;
        // Counts only: no ciphertext, no plaintext in the records' payloads.
        for p in event_payloads(&store).await {
            assert!(!p.contains("v1:"), "{p}");
            for (id, phone) in entities.values() {
                assert!(!p.contains(id) && !p.contains(phone), "{p}");
            }
            assert!(!SECRETS.iter().any(|s| p.contains(s)), "{p}");
        }
        n
    });
    // 7 + 7 entity values, 3 + 1 secrets: at least 3 + 3 + 1 + 1 batches.
    assert!(batches >= 8, "{batches} batches");
    let out = t.ok(&["keys", "status"]);
    assert!(out.contains("k1 0 个，k2 18 个"), "{out}");
    assert!(out.contains("数据密钥 k1 已无数据使用"), "{out}");

    // Re-running changes nothing and records nothing.
    let out = t.ok(&["keys", "reencrypt"]);
    assert!(out.contains("重加密 0 个"), "{out}");
    rt.block_on(async {
        let store = t.store().await;
        assert_eq!(audit_actions(&store, "keys.reencrypt").await, batches);
    });

    let out = t.ok(&["keys", "retire", "k1"]);
    assert!(out.contains("已从密钥文件"), "{out}");
    let keys = t.keys();
    let ids: Vec<_> = keys
        .data_keys()
        .ids()
        .map(|i| i.as_str().to_owned())
        .collect();
    assert_eq!(ids, ["k2"]);
    let keyfile = std::fs::read_to_string(t.keys_file()).unwrap();
    assert!(!keyfile.contains("data.k1"), "the key file still holds k1");

    rt.block_on(async {
        let store = t.store().await;
        let values = sealed_values(&store).await;
        assert_all_open(&values, &keys, &entities, &secrets);
        // The lookup by blind index finds the entity.
        let (code, (id, _)) = entities.iter().next().unwrap();
        assert_eq!(lookup(&store, &keys, id).await, std::slice::from_ref(code));
        assert_eq!(audit_actions(&store, "keys.rotate").await, 1);
        assert_eq!(audit_actions(&store, "keys.retire").await, 1);
        store.close().await;
    });
    let out = t.ok(&["audit", "verify"]);
    assert!(out.contains("校验通过"), "{out}");
    (entities, secrets)
}

#[test]
fn rotate_reencrypt_retire_on_sqlite_and_sign_in_still_works() {
    let t = Target::sqlite();
    let (_, secrets) = rotate_reencrypt_retire(&t);
    // The raw database holds no value under the retired key (after a checkpoint folds the
    // WAL, which still holds superseded pages, into the file).
    let db = t.data().join("shijian.db");
    runtime().block_on(async {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    });
    let mut under_k2 = false;
    for entry in std::fs::read_dir(t.data()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("shijian.db"))
        {
            let bytes = std::fs::read(&path).unwrap();
            let needle = OLD_HEAD.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} still holds a value under k1",
                path.display()
            );
            under_k2 |= bytes
                .windows(NEW_HEAD.len())
                .any(|w| w == NEW_HEAD.as_bytes());
        }
    }
    assert!(under_k2, "the search would not find a sealed value");
    // A server started with the new key file alone signs every user in with their second
    // factor, including the one whose secret was stored in clear before.
    let server = serve(&t.data(), &[], &[]);
    runtime().block_on(async {
        for (user, secret) in &secrets {
            assert_eq!(login(&server.base, user, secret).await, 200, "{user}");
        }
    });
}

#[test]
fn rotate_reencrypt_retire_on_postgresql() {
    let Some(url) = fresh_pg_database() else {
        return;
    };
    let t = Target::postgres(url.clone());
    rotate_reencrypt_retire(&t);
    runtime().block_on(async {
        let store = t.store().await;
        // The catalogue check on PostgreSQL too.
        let listed: Vec<(String, String)> = SEALED_COLUMNS
            .iter()
            .map(|c| (c.table.to_owned(), c.column.to_owned()))
            .collect();
        for c in rekey::sealed_columns_in_schema(&store).await.unwrap() {
            assert!(listed.contains(&c), "{c:?} is not in rekey::SEALED_COLUMNS");
        }
        let census = rekey::census(&store).await.unwrap();
        assert!(census.iter().all(|c| c.under("k1") == 0));
        store.close().await;
    });
    // A dump of the database holds no value under the retired key.
    let dump = common::pg_dump(&url);
    let needle = OLD_HEAD.as_bytes();
    assert!(!dump.windows(needle.len()).any(|w| w == needle));
    assert!(dump
        .windows(NEW_HEAD.len())
        .any(|w| w == NEW_HEAD.as_bytes()));
}

/// Rotation while `serve` runs: the running server keeps working on the old key until it
/// is restarted; an old server's writes under the old key show up in `status` and the next
/// `reencrypt` picks them up; re-encryption runs while the restarted server signs users in
/// and another process imports entities.
#[test]
fn rotation_while_serving() {
    let t = Target::sqlite();
    let d = t.data();
    let rt = runtime();
    let server = serve(
        &d,
        &["--demo"],
        &[("SHIJIAN_LOGIN_PER_ACCOUNT_PER_MINUTE", "0")],
    );
    let (file, mut entities) = entity_file(t.dir.path(), "a.csv", 0, 20);
    t.ok(&["import", "entities", file.to_str().unwrap()]);
    let old_text = std::fs::read_to_string(t.keys_file()).unwrap();
    let old_keys = Keys::parse(&old_text).unwrap();

    let out = t.ok(&["keys", "rotate"]);
    assert!(out.contains("重启所有 serve 进程"), "{out}");
    // The server started before the rotation still has everything it needs: all values are
    // still under k1.
    let demo = |prefix: &str, role: &str| format!("{prefix}.{role}");
    rt.block_on(async {
        assert_eq!(
            login_demo(&server.base, &demo("jingmen", "system_admin")).await,
            200
        );
    });
    // An old server writes a new value with the key it loaded (k1).
    rt.block_on(async {
        let old = Store::open(&t.config(), Arc::new(SystemClock))
            .await
            .unwrap()
            .with_keys(&old_keys);
        let id: i64 = match old.backend() {
            Backend::Sqlite { read, .. } => {
                sqlx::query_scalar("SELECT id FROM app_user WHERE username = 'gaoxin.leader'")
                    .fetch_one(read)
                    .await
                    .unwrap()
            }
            Backend::Postgres(_) => unreachable!(),
        };
        shijian_storage::totp::enrol_known_secret(
            &old,
            &Actor::system("old-server"),
            &RequestCtx::local("t"),
            id,
            shijian::demo::DEMO_TOTP_SECRET,
        )
        .await
        .unwrap();
        old.close().await;
    });
    let out = t.ok(&["keys", "status"]);
    assert!(out.contains("仍有"), "{out}");

    // Restart: the server now holds k1 and k2.
    drop(server);
    let server = serve(&d, &[], &[("SHIJIAN_LOGIN_PER_ACCOUNT_PER_MINUTE", "0")]);
    let base = server.base.clone();
    let signins = std::thread::spawn(move || {
        runtime().block_on(async {
            let mut n = 0;
            for prefix in ["dongbao", "duodao", "shayang", "zhongxiang", "jingshan"] {
                for role in ["system_admin", "audit_admin", "security_admin", "leader"] {
                    let user = format!("{prefix}.{role}");
                    assert_eq!(login_demo(&base, &user).await, 200, "{user}");
                    n += 1;
                }
            }
            n
        })
    });
    let (file2, more) = entity_file(t.dir.path(), "b.csv", 100, 30);
    let importer = {
        let t_data = d.clone();
        let file2 = file2.clone();
        std::thread::spawn(move || {
            bin()
                .arg("--data-dir")
                .arg(&t_data)
                .args(["import", "entities", file2.to_str().unwrap()])
                .output()
                .unwrap()
        })
    };
    let out = t.ok(&["keys", "reencrypt", "--batch", "5"]);
    assert!(out.contains("正在把加密值重加密到当前密钥 k2"), "{out}");
    assert_eq!(signins.join().unwrap(), 20);
    let o = importer.join().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    entities.extend(more);
    // Whatever the import wrote during the pass went in under k2 (the importer loaded the
    // new key file); a second run is a no-op or finishes the job.
    t.ok(&["keys", "reencrypt"]);
    let out = t.ok(&["keys", "status"]);
    assert!(out.contains("所有加密值均已使用当前密钥 k2"), "{out}");
    assert!(out.contains("k1 0 个"), "{out}");

    // A server that never loaded k2 could not read the moved values: why servers restart
    // between `rotate` and `reencrypt`.
    rt.block_on(async {
        let store = t.store().await;
        let values = sealed_values(&store).await;
        let (_, _, stored, _) = values
            .iter()
            .find(|(c, ..)| c == "entity.phone_sealed")
            .unwrap();
        let err = old_keys
            .cipher()
            .decrypt(stored, "entity.phone")
            .unwrap_err();
        assert_eq!(err.code(), "unknown_key_id");
        let keys = t.keys();
        for (column, row, stored, _) in &values {
            let c = SEALED_COLUMNS.iter().find(|c| c.name() == *column).unwrap();
            let plain = keys.cipher().decrypt(stored, c.field).unwrap();
            if let Some((id, phone)) = entities.get(row) {
                assert!(plain == *id || plain == *phone, "{column} {row}");
            }
        }
        assert_eq!(
            values
                .iter()
                .filter(|(c, ..)| c.starts_with("entity."))
                .count(),
            2 * entities.len()
        );
        store.close().await;
    });

    t.ok(&["keys", "retire", "k1"]);
    drop(server);
    let server = serve(&d, &[], &[]);
    rt.block_on(async {
        // Users that have not used this step's code yet; gaoxin.leader's secret was written
        // by the old server under k1.
        assert_eq!(login_demo(&server.base, "zhanghe.leader").await, 200);
        assert_eq!(login_demo(&server.base, "gaoxin.leader").await, 200);
    });
    drop(server);
    assert!(t.ok(&["audit", "verify"]).contains("校验通过"));
}

async fn login_demo(base: &str, user: &str) -> u16 {
    let secret = shijian_domain::totp::decode_secret(shijian::demo::DEMO_TOTP_SECRET).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = shijian_domain::totp::code(
        &secret,
        shijian_domain::totp::step_at(i64::try_from(now).unwrap()),
    );
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": shijian::demo::DEMO_PASSWORD, "otp": code}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Replacing the blind-index key needs every server stopped; offline, it recomputes every
/// index so lookups find the same rows with the new key. `reindex` repairs indexes written
/// with another key (e.g. from a backup restored after the rotation).
#[test]
fn index_key_rotation_recomputes_every_blind_index() {
    let t = Target::sqlite();
    let rt = runtime();
    let (file, entities) = entity_file(t.dir.path(), "a.csv", 0, 6);
    t.ok(&["import", "entities", file.to_str().unwrap()]);
    let before = t.keys().blind_index().key_check();

    let o = t.shijian(&["keys", "rotate", "--index-key"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--offline"), "{}", text(&o));
    assert_eq!(t.keys().data_keys().current_id().as_str(), "k1");

    let out = t.ok(&["keys", "rotate", "--index-key", "--offline", "--batch", "4"]);
    assert!(out.contains("盲索引密钥已更换"), "{out}");
    assert!(
        out.contains("entity.phone_index：检查 6 个，重算 6 个"),
        "{out}"
    );
    assert!(out.contains("轮换完成"), "{out}");
    let keys = t.keys();
    assert_ne!(keys.blind_index().key_check(), before);
    assert_eq!(keys.data_keys().current_id().as_str(), "k2");

    rt.block_on(async {
        let store = t.store().await;
        for (code, (id, _)) in &entities {
            assert_eq!(
                lookup(&store, &keys, id).await,
                std::slice::from_ref(code),
                "{id}"
            );
        }
        // An index computed with some other key is repaired by `reindex`.
        exec(
            &store,
            "UPDATE entity SET phone_index = 'stale' WHERE uscc = (SELECT MIN(uscc) FROM entity)",
        )
        .await;
        store.close().await;
    });
    let out = t.ok(&["keys", "reindex"]);
    assert!(
        out.contains("entity.phone_index：检查 6 个，重算 1 个"),
        "{out}"
    );
    let out = t.ok(&["keys", "reindex"]);
    assert!(
        out.contains("entity.phone_index：检查 6 个，重算 0 个"),
        "{out}"
    );
    rt.block_on(async {
        let store = t.store().await;
        assert_all_open_entities(&store, &keys, &entities).await;
        store.close().await;
    });
}

async fn assert_all_open_entities(
    store: &Store,
    keys: &Keys,
    entities: &BTreeMap<String, (String, String)>,
) {
    let values = sealed_values(store).await;
    let index = keys.blind_index();
    for (column, row, stored, idx) in values {
        let c = SEALED_COLUMNS.iter().find(|c| c.name() == column).unwrap();
        let plain = keys.cipher().decrypt(&stored, c.field).unwrap();
        let (id, phone) = &entities[&row];
        assert!(plain == *id || plain == *phone);
        assert_eq!(
            idx.as_deref(),
            Some(index.hash(c.index.unwrap().kind, &plain).as_str())
        );
    }
}

/// Refusals: keys from the environment cannot be rewritten, unknown and current keys cannot
/// be retired, a value under a key the file lacks makes `status` fail.
#[test]
fn refusals_are_clear_and_fail() {
    let t = Target::sqlite();
    let (file, _) = entity_file(t.dir.path(), "a.csv", 0, 2);
    t.ok(&["import", "entities", file.to_str().unwrap()]);
    let text_of_keys = std::fs::read_to_string(t.keys_file()).unwrap();

    let o = bin()
        .arg("--data-dir")
        .arg(t.data())
        .env("SHIJIAN_DATA_KEYS", &text_of_keys)
        .args(["keys", "rotate"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o).contains("环境变量 SHIJIAN_DATA_KEYS"),
        "{}",
        text(&o)
    );
    // …but it can report.
    let o = bin()
        .arg("--data-dir")
        .arg(t.data())
        .env("SHIJIAN_DATA_KEYS", &text_of_keys)
        .args(["keys", "status"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("数据密钥来源：环境变量"), "{}", text(&o));

    let o = t.shijian(&["keys", "retire", "k9"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("没有数据密钥“k9”"), "{}", text(&o));
    let o = t.shijian(&["keys", "retire", "k1"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("是当前密钥"), "{}", text(&o));

    // A key file that lost the key some values use: status exits 2, reencrypt names the rows.
    t.ok(&["keys", "rotate", "--offline"]);
    t.ok(&["keys", "retire", "k1"]);
    let rt = runtime();
    rt.block_on(async {
        let store = t.store().await;
        let foreign = Keys::parse(&Keys::generate()).unwrap();
        let stray = foreign.cipher().encrypt("13800000000", "entity.phone").unwrap();
        exec(
            &store,
            &format!("UPDATE entity SET phone_sealed = '{stray}' WHERE uscc = (SELECT MIN(uscc) FROM entity)"),
        )
        .await;
        store.close().await;
    });
    let o = t.shijian(&["keys", "status"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("密钥文件中没有的数据密钥 k1"),
        "{}",
        text(&o)
    );
    let o = t.shijian(&["keys", "reencrypt"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("unknown_key_id"), "{}", text(&o));
    let o = t.shijian(&["keys", "retire", "k2"]);
    assert!(!o.status.success());
}
