//! The demo city and the start-up accounts.
//!
//! `shijian demo` and `serve --demo` (on an empty registry) run one generator with a
//! section per module, in this order, each deterministic for (seed, as-of date, N):
//! 1. accounts: every role in the city and in each county and functional zone (below);
//! 2. [`entities`]: the market-entity registry at the plan's baseline (专栏-1), written
//!    through the same storage path as an import, so versions, audit trail, event log and
//!    search index are the real ones;
//! 3. [`reports`]: two years of annual reports, then the real listing job;
//! 4. [`permits`]: the permits the trades need, issued, renewed, expired or ended with
//!    the entity;
//! 5. later sections go after these in
//!    [`generate`]: each recomputes the entities it needs with
//!    [`entities::Generator::life`] or [`entities::Generator::entity`] instead of reading
//!    them back, and keys its own random stream by its section number ([`rng::Rng::keyed`]).
//!
//! Without `--demo`, the first start creates one system administrator.

use anyhow::Context;
use chrono::NaiveDate;
use shijian_domain::password::PasswordPolicy;
use shijian_domain::role::Role;
use shijian_storage::users::{self, NewUser};
use shijian_storage::{Actor, Backend, RequestCtx, Store};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub mod city;
pub mod entities;
mod permits;
mod reports;
pub mod rng;

use entities::{Generator, Plan, DEFAULT_ENTITIES};

/// The password of every demo account (also listed in the README).
pub const DEMO_PASSWORD: &str = "Demo@2026jm";

/// The second-factor (TOTP) secret of the demo accounts whose role requires one (also in
/// the README; any authenticator app, or `oathtool --totp -b SECRET`, gives the code).
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// (username prefix, jurisdiction code, Chinese name) of the jurisdictions that get demo accounts.
pub const DEMO_JURISDICTIONS: [(&str, &str, &str); 9] = [
    ("jingmen", "420800", "荆门市"),
    ("dongbao", "420802", "东宝区"),
    ("duodao", "420804", "掇刀区"),
    ("shayang", "420822", "沙洋县"),
    ("zhongxiang", "420881", "钟祥市"),
    ("jingshan", "420882", "京山市"),
    ("zhanghe", "zhanghe", "漳河新区"),
    ("qujialing", "qujialing", "屈家岭管理区"),
    ("gaoxin", "gaoxin", "荆门高新区"),
];

/// The demo username for a jurisdiction prefix and role, e.g. `zhongxiang.officer`.
#[must_use]
pub fn demo_username(prefix: &str, role: Role) -> String {
    format!("{prefix}.{}", role.as_str())
}

/// Creates the demo accounts if the database has no accounts yet. Returns the usernames
/// created (empty if accounts already existed).
pub async fn ensure_demo_accounts(
    store: &Store,
    totp_roles: &[Role],
) -> anyhow::Result<Vec<String>> {
    if users::any_exist(store).await? {
        return Ok(Vec::new());
    }
    let actor = Actor::system("demo");
    let ctx = RequestCtx::local("demo");
    let policy = PasswordPolicy::default();
    let mut created = Vec::new();
    for (prefix, code, name) in DEMO_JURISDICTIONS {
        for role in Role::ALL {
            let new = NewUser {
                username: demo_username(prefix, role),
                display_name: format!("{name}{}（演示）", role.label()),
                role,
                jurisdiction: code.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
            };
            let u = users::create(store, &actor, &ctx, new, &policy)
                .await
                .with_context(|| format!("creating demo account {prefix}.{role}"))?;
            if totp_roles.contains(&role) {
                shijian_storage::totp::enrol_known_secret(
                    store,
                    &actor,
                    &ctx,
                    u.id,
                    DEMO_TOTP_SECRET,
                )
                .await?;
            }
            created.push(u.username);
        }
    }
    Ok(created)
}

/// Creates the first system administrator `admin` if there are no accounts. The password
/// comes from `SHIJIAN_ADMIN_PASSWORD` or is generated; returns it when generated so the
/// caller prints it once.
pub async fn ensure_first_admin(
    store: &Store,
    policy: &PasswordPolicy,
) -> anyhow::Result<Option<String>> {
    if users::any_exist(store).await? {
        return Ok(None);
    }
    let (password, generated) = match std::env::var("SHIJIAN_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (generate_password(), true),
    };
    let new = NewUser {
        username: "admin".into(),
        display_name: "系统管理员".into(),
        role: Role::SystemAdmin,
        jurisdiction: shijian_domain::division::CITY_CODE.into(),
        password: password.clone(),
    };
    users::create(store, &Actor::system("bootstrap"), &RequestCtx::local("bootstrap"), new, policy)
        .await
        .context("creating the first administrator (check SHIJIAN_ADMIN_PASSWORD against the password policy)")?;
    Ok(generated.then_some(password))
}

/// A random password that satisfies the default policy (four classes, 20 characters).
fn generate_password() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"-_.@#%+=",
    ];
    let mut rng = rand::rngs::OsRng;
    let mut chars: Vec<u8> = SETS.iter().map(|s| s[rng.gen_range(0..s.len())]).collect();
    let all: Vec<u8> = SETS.concat();
    while chars.len() < 20 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..200 {
            let p = generate_password();
            assert!(PasswordPolicy::default().check("admin", &p).is_ok(), "{p}");
        }
    }

    #[test]
    fn demo_password_meets_the_policy() {
        for (prefix, _, _) in DEMO_JURISDICTIONS {
            for role in Role::ALL {
                assert!(PasswordPolicy::default()
                    .check(&demo_username(prefix, role), DEMO_PASSWORD)
                    .is_ok());
            }
        }
    }
}

/// The environment variable that sets the number of entities of `serve --demo` (and the
/// default of `shijian demo --entities`); `0` generates none.
pub const ENTITIES_ENV: &str = "SHIJIAN_DEMO_ENTITIES";

/// The default seed.
pub const DEFAULT_SEED: u64 = 1;

/// The default as-of date: fixed, so two runs give the same city.
#[must_use]
pub fn default_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// The earliest as-of date (the city grows for at least half a year after the base year).
fn earliest_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 7, 1).expect("valid date")
}

/// Options of `shijian demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Random seed: the same seed, date and size give the same city (随机种子).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// The day the city is generated up to (数据截止日期, YYYY-MM-DD; default 2026-06-30).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Number of market entities, including those that have left the market (市场主体数量;
    /// default: the city of the plan's baseline, 397,700, of which 300,000 are existing).
    #[arg(long, env = ENTITIES_ENV, value_name = "N")]
    pub entities: Option<u64>,
}

/// What one run generated and how fast.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    pub entities: u64,
    pub seconds: f64,
    /// Existing entities (and enterprises among them) at the end of 2020 and on the as-of
    /// date, by [`existing_on`].
    pub existing_2020: (i64, i64),
    pub existing_as_of: (i64, i64),
}

/// `shijian demo`: the demo accounts and the demo city, into an empty registry.
pub async fn run_command(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    let totp_roles = crate::config::Config::default().session.totp_roles;
    let created = ensure_demo_accounts(store, &totp_roles).await?;
    if !created.is_empty() {
        println!(
            "已创建 {} 个演示账户（密码均为 {DEMO_PASSWORD}）",
            created.len()
        );
    }
    anyhow::ensure!(
        registry_is_empty(store).await?,
        "数据库中已有市场主体：演示数据只写入空库（换一个 --data-dir 或数据库）"
    );
    let plan = Plan {
        seed: args.seed,
        as_of: args.as_of.unwrap_or_else(default_as_of),
        entities: args.entities.unwrap_or(DEFAULT_ENTITIES),
    };
    let report = generate(store, plan).await?;
    print_report(&plan, &report);
    Ok(())
}

/// Called by `serve --demo` after the accounts: generates the demo city on an empty
/// registry, with the size from [`ENTITIES_ENV`] (default: the full city) and the default
/// seed and date.
pub async fn ensure_demo_data(store: &Store) -> anyhow::Result<()> {
    let n = match std::env::var(ENTITIES_ENV) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<u64>()
            .with_context(|| format!("{ENTITIES_ENV} 应为非负整数：{v}"))?,
        _ => DEFAULT_ENTITIES,
    };
    if n == 0 || !registry_is_empty(store).await? {
        return Ok(());
    }
    println!(
        "首次启动：正在生成演示城市（{n} 个市场主体，可用环境变量 {ENTITIES_ENV} 调整；中断后请删除数据目录重来）"
    );
    let plan = Plan {
        seed: DEFAULT_SEED,
        as_of: default_as_of().min(store.clock().today()),
        entities: n,
    };
    let report = generate(store, plan).await?;
    print_report(&plan, &report);
    Ok(())
}

fn print_report(plan: &Plan, r: &DemoReport) {
    println!(
        "演示城市已生成：{} 个市场主体，用时 {:.1} 秒（{:.0} 个/秒）",
        r.entities,
        r.seconds,
        r.entities as f64 / r.seconds.max(1e-9)
    );
    println!(
        "  2020 年末实有市场主体 {}，其中企业 {}；{} 实有 {}，其中企业 {}（种子 {}）",
        r.existing_2020.0,
        r.existing_2020.1,
        plan.as_of,
        r.existing_as_of.0,
        r.existing_as_of.1,
        plan.seed
    );
}

/// Generates the city section by section into the store.
pub async fn generate(store: &Store, plan: Plan) -> anyhow::Result<DemoReport> {
    anyhow::ensure!(
        plan.as_of >= earliest_as_of(),
        "--as-of 不能早于 {}",
        earliest_as_of()
    );
    anyhow::ensure!(
        plan.as_of <= store.clock().today(),
        "--as-of {} 晚于今天",
        plan.as_of
    );
    anyhow::ensure!(
        plan.entities <= 100_000_000,
        "--entities 最多 100,000,000（统一社会信用代码的组织机构代码部分只有 10^8 个）"
    );
    check_disk_space(store, plan.entities).await?;
    let started = Instant::now();
    // Section 2: market entities.
    write_entities(store, plan).await?;
    // Section 3: annual reports and the abnormal operations list.
    reports::write_reports(store, plan).await?;
    // Section 4: permits.
    if plan.entities > 0 {
        write_per_entity::<permits::Permits>(store, plan).await?;
    }
    // Later sections go here, each after the ones whose records it refers to.
    let seconds = started.elapsed().as_secs_f64();
    let base = NaiveDate::from_ymd_opt(2020, 12, 31).expect("valid date");
    Ok(DemoReport {
        entities: plan.entities,
        seconds,
        existing_2020: existing_on(store, base).await?,
        existing_as_of: existing_on(store, plan.as_of).await?,
    })
}

/// Entities per write transaction (as the import).
const BATCH: u64 = shijian_storage::entities::BATCH as u64;

/// Batches of generated records with the number of entities done, and the generating
/// thread.
type Batches<T> = (
    tokio::sync::mpsc::Receiver<(u64, Vec<T>)>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
);

/// Generates the records `of` each entity on a blocking thread, one batch of entities
/// ahead of the consumer; the channel's bound keeps memory constant.
async fn produce<T, F>(store: &Store, plan: Plan, of: F) -> anyhow::Result<Batches<T>>
where
    T: Send + 'static,
    F: Fn(&Generator, u64) -> anyhow::Result<Vec<T>> + Send + 'static,
{
    let city = city::City::load(store).await?;
    let known = shijian_storage::entities::known(store).await?;
    let generator = Generator::new(plan, city, known);
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let producer = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut start = 0;
        while start < plan.entities {
            let end = (start + BATCH).min(plan.entities);
            let mut batch = Vec::new();
            for i in start..end {
                batch.extend(of(&generator, i)?);
            }
            if tx.blocking_send((end, batch)).is_err() {
                return Ok(());
            }
            start = end;
        }
        Ok(())
    });
    Ok((rx, producer))
}

async fn write_entities(store: &Store, plan: Plan) -> anyhow::Result<()> {
    if plan.entities == 0 {
        return Ok(());
    }
    let (mut rx, producer) = produce(store, plan, |g, i| g.entity(i).map(|(_, h)| vec![h])).await?;
    let actor = Actor::system("demo");
    let ctx = RequestCtx::local("demo");
    let mut progress = Progress::new("市场主体", plan.entities);
    while let Some((done, batch)) = rx.recv().await {
        shijian_storage::entities::insert_with_history(store, &actor, &ctx, &batch)
            .await
            .context("写入演示市场主体")?;
        progress.update(done);
    }
    producer.await.context("演示数据生成线程")??;
    progress.finish(plan.entities);
    Ok(())
}

/// A section whose records derive from each generated entity (annual reports, permits).
trait PerEntity: 'static {
    type Record: Send + 'static;
    /// The progress line's label.
    const LABEL: &'static str;
    /// The records of entity `i`.
    fn records(generator: &Generator, i: u64) -> anyhow::Result<Vec<Self::Record>>;
    /// Writes one batch in the caller's write transaction.
    fn write(
        tx: &mut shijian_storage::WriteTx<'_>,
        records: &[Self::Record],
    ) -> impl std::future::Future<Output = shijian_storage::Result<usize>> + Send;
}

/// Runs a [`PerEntity`] section: each batch written and committed in its own transaction.
async fn write_per_entity<S: PerEntity>(store: &Store, plan: Plan) -> anyhow::Result<()> {
    let (mut rx, producer) = produce(store, plan, S::records).await?;
    let actor = Actor::system("demo");
    let ctx = RequestCtx::local("demo");
    let mut progress = Progress::new(S::LABEL, plan.entities);
    while let Some((done, batch)) = rx.recv().await {
        let mut tx = store.begin_write(&actor, &ctx).await?;
        S::write(&mut tx, &batch)
            .await
            .with_context(|| format!("写入演示数据：{}", S::LABEL))?;
        tx.commit().await?;
        progress.update(done);
    }
    producer
        .await
        .with_context(|| format!("演示数据生成线程：{}", S::LABEL))??;
    progress.finish(plan.entities);
    Ok(())
}

/// A progress line on stderr: a bar, the count, the rate and the time left. On a
/// terminal it redraws in place; otherwise it prints a line every 10 %.
pub struct Progress {
    what: &'static str,
    total: u64,
    started: Instant,
    last: Instant,
    last_tenth: u64,
    tty: bool,
}

impl Progress {
    #[must_use]
    pub fn new(what: &'static str, total: u64) -> Self {
        let now = Instant::now();
        Self {
            what,
            total,
            started: now,
            last: now,
            last_tenth: 0,
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn line(&self, done: u64) -> String {
        let frac = if self.total == 0 {
            1.0
        } else {
            done as f64 / self.total as f64
        };
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / secs;
        let left = if rate > 0.0 {
            (self.total - done.min(self.total)) as f64 / rate
        } else {
            0.0
        };
        let filled = (frac * 30.0) as usize;
        format!(
            "{} [{}{}] {}/{} ({:.1}%) {:.0} 个/秒 已用 {} 剩余约 {}",
            self.what,
            "#".repeat(filled),
            "-".repeat(30 - filled.min(30)),
            done,
            self.total,
            frac * 100.0,
            rate,
            clock_time(secs),
            clock_time(left)
        )
    }

    pub fn update(&mut self, done: u64) {
        let tenth = (done * 10).checked_div(self.total).unwrap_or(10);
        let mut err = std::io::stderr().lock();
        if self.tty {
            if self.last.elapsed() >= Duration::from_millis(200) {
                let _ = write!(err, "\r{}\x1b[K", self.line(done));
                self.last = Instant::now();
            }
        } else if tenth > self.last_tenth {
            let _ = writeln!(err, "{}", self.line(done));
            self.last_tenth = tenth;
        }
    }

    pub fn finish(&mut self, done: u64) {
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = writeln!(err, "\r{}\x1b[K", self.line(done));
        } else if self.last_tenth < 10 {
            let _ = writeln!(err, "{}", self.line(done));
        }
    }
}

fn clock_time(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Whether the registry has no entity yet.
pub async fn registry_is_empty(store: &Store) -> anyhow::Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM entity LIMIT 1) AS t";
    let n: i64 = match store.backend() {
        Backend::Sqlite { read, .. } => sqlx::query_scalar(SQL).fetch_one(read).await?,
        Backend::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await?,
    };
    Ok(n == 0)
}

/// The documented count of existing market entities (实有市场主体) on a day: entities
/// whose last version effective on or before the day is active or dormant, i.e.
/// established by then and not deregistered, revoked, cancelled or moved out at that
/// date; with the enterprises among them. `$1` is the day (YYYY-MM-DD); `{status}` is the
/// backend's JSON accessor of the version snapshot's `status`.
pub const EXISTING_ON_SQL: &str = "SELECT COUNT(*), \
    COALESCE(SUM(CASE WHEN e.entity_type = 'enterprise' THEN 1 ELSE 0 END), 0) \
    FROM entity e JOIN entity_version v ON v.uscc = e.uscc \
    AND v.version = (SELECT MAX(w.version) FROM entity_version w \
                     WHERE w.uscc = e.uscc AND w.effective_on <= $1) \
    WHERE {status} IN ('active', 'dormant')";

/// The status accessor of [`EXISTING_ON_SQL`] on SQLite and PostgreSQL.
pub const STATUS_SQLITE: &str = "json_extract(v.snapshot, '$.status')";
pub const STATUS_POSTGRES: &str = "(v.snapshot::json ->> 'status')";

/// Existing entities and enterprises on `day` by [`EXISTING_ON_SQL`].
pub async fn existing_on(store: &Store, day: NaiveDate) -> anyhow::Result<(i64, i64)> {
    let day = day.to_string();
    Ok(match store.backend() {
        Backend::Sqlite { read, .. } => {
            let sql = EXISTING_ON_SQL.replace("{status}", STATUS_SQLITE);
            sqlx::query_as(&sql).bind(&day).fetch_one(read).await?
        }
        Backend::Postgres(pool) => {
            let sql = EXISTING_ON_SQL.replace("{status}", STATUS_POSTGRES);
            sqlx::query_as(&sql).bind(&day).fetch_one(pool).await?
        }
    })
}

/// Bytes of SQLite database per generated entity (entity, versions, audit record, event
/// and indexes: 3.2 KB measured at 150,000 entities, with margin).
pub const BYTES_PER_ENTITY: u64 = 3_500;

/// Refuses to start when an embedded database's disk cannot hold `n` more entities
/// (the 10,000,000 run needs about 30 GB). PostgreSQL's disk is not visible from here.
async fn check_disk_space(store: &Store, n: u64) -> anyhow::Result<()> {
    let Backend::Sqlite { read, .. } = store.backend() else {
        if n > 1_000_000 {
            eprintln!(
                "提示：PostgreSQL 的磁盘空间无法从这里检查；{n} 个市场主体约需 {:.1} GB",
                (n * BYTES_PER_ENTITY) as f64 / 1e9
            );
        }
        return Ok(());
    };
    let rows: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
        .fetch_all(read)
        .await?;
    let Some(file) = rows
        .into_iter()
        .find(|r| r.1 == "main")
        .map(|r| r.2)
        .filter(|f| !f.is_empty())
    else {
        return Ok(());
    };
    let dir = std::path::Path::new(&file).parent().map_or_else(
        || std::path::PathBuf::from("."),
        std::path::Path::to_path_buf,
    );
    let need = n.saturating_mul(BYTES_PER_ENTITY);
    match free_bytes(&dir) {
        Some(free) if free < need + need / 5 => anyhow::bail!(
            "磁盘空间不足：{n} 个市场主体约需 {:.1} GB（另留 20% 余量），{} 所在磁盘只剩 {:.1} GB",
            need as f64 / 1e9,
            dir.display(),
            free as f64 / 1e9
        ),
        Some(_) => Ok(()),
        None => {
            if n > 1_000_000 {
                eprintln!("提示：无法检查 {} 的剩余磁盘空间（需要 df）", dir.display());
            }
            Ok(())
        }
    }
}

/// Free bytes on the file system of `dir` (POSIX `df -Pk`).
fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .arg("-Pk")
        .arg(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().nth(1)?;
    let kb: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb * 1024)
}
