//! Scheduled jobs: the registry, a lease in the database so that each run happens once
//! across several server processes, and catch-up after downtime.
//!
//! A job runs for a date (Beijing time). Its run and the record of "done for date D"
//! commit in one transaction with its audit record, so a crash never leaves a date half
//! done or done twice. When a server was down for some days, the next tick runs every
//! missed date in order (at most [`MAX_CATCH_UP_DAYS`]).

use crate::checkpoint;
use crate::sessions::{self, SessionPolicy};
use crate::{
    idempotency, Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError, WriteTx,
};
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// The most missed dates one tick catches up.
pub const MAX_CATCH_UP_DAYS: i64 = 31;

/// How long a lease lasts; a process that dies holding one loses it after this.
const LEASE: Duration = Duration::minutes(10);

/// What jobs need from configuration.
#[derive(Debug, Clone, Default)]
pub struct JobContext {
    pub session_policy: SessionPolicy,
    /// The key and file of the daily signed audit checkpoint; `None` skips that job.
    pub checkpoint: Option<checkpoint::Target>,
}

/// A registered job.
#[derive(Debug, Clone, Copy)]
pub struct JobSpec {
    pub name: &'static str,
    /// What it does, in Chinese, for `jobs list` and the UI.
    pub description: &'static str,
}

/// Every job, run daily.
pub const JOBS: &[JobSpec] = &[
    JobSpec {
        name: "session_cleanup",
        description: "清理已过期的登录会话",
    },
    JobSpec {
        name: "idempotency_cleanup",
        description: "清理超过 7 天的幂等键记录",
    },
    JobSpec {
        name: "dormancy_resumption",
        description: "歇业期满的市场主体自动恢复营业（细则第43条）",
    },
    JobSpec {
        name: "annual_report_listing",
        description: "年报期满未报送的企业列入经营异常名录（个体工商户标记经营异常状态），列入满三年的提示列入严重违法失信名单",
    },
    JobSpec {
        name: "permit_expiry_warning",
        description: "许可证件即将到期提醒",
    },
    JobSpec {
        name: "audit_checkpoint",
        description: "签署审计日志链头，追加到检查点文件（需配置签名密钥）",
    },
];

/// Runs the body of job `name` for `as_of` inside `tx`; returns a one-line result.
async fn run_body(
    name: &str,
    tx: &mut WriteTx<'_>,
    as_of: NaiveDate,
    jc: &JobContext,
    pre: (usize, usize),
) -> Result<String> {
    match name {
        "session_cleanup" => {
            let n = sessions::purge_expired(tx, &jc.session_policy).await?;
            Ok(format!("removed {n} sessions"))
        }
        "idempotency_cleanup" => {
            let n = idempotency::purge_older_than(tx, 7).await?;
            Ok(format!("removed {n} idempotency keys"))
        }
        "dormancy_resumption" => {
            let n = crate::entities::resume_expired_dormancies(tx, as_of).await?;
            Ok(format!("resumed {n} dormant entities"))
        }
        "annual_report_listing" => crate::listings::run_annual_report_job(tx, as_of, pre).await,
        "permit_expiry_warning" => crate::permits::warn_expiring(tx, as_of).await,
        "audit_checkpoint" => match &jc.checkpoint {
            Some(target) => checkpoint::run_job(tx, target).await,
            None => Ok("skipped: no checkpoint key configured".to_owned()),
        },
        other => Err(unknown(other)),
    }
}

fn unknown(name: &str) -> StoreError {
    StoreError::invalid("unknown_job", format!("未知任务：{name}"))
}

/// A job's state for `jobs list`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobStatus {
    pub name: String,
    pub lease_holder: Option<String>,
    pub lease_until: Option<chrono::DateTime<chrono::Utc>>,
    pub last_run_for: Option<String>,
    pub last_run_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_result: Option<String>,
}

/// The registered jobs with their state.
pub async fn list(store: &Store) -> Result<Vec<(JobSpec, Option<JobStatus>)>> {
    let rows = on_pool!(store, c => sqlx::query_as::<_, JobStatus>(
        "SELECT name, lease_holder, lease_until, last_run_for, last_run_at, last_result FROM job_state")
        .fetch_all(c).await)?;
    Ok(JOBS
        .iter()
        .map(|j| (*j, rows.iter().find(|r| r.name == j.name).cloned()))
        .collect())
}

async fn try_lease(store: &Store, name: &str, holder: &str) -> Result<bool> {
    let now = store.now();
    on_writer!(store, c => sqlx::query("INSERT INTO job_state (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(name).execute(c).await.map(|r| r.rows_affected()))?;
    let n = on_writer!(store, c => sqlx::query(
        "UPDATE job_state SET lease_holder = $2, lease_until = $3 \
         WHERE name = $1 AND (lease_until IS NULL OR lease_until < $4 OR lease_holder = $2)")
        .bind(name).bind(holder).bind(now + LEASE).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

async fn release_lease(store: &Store, name: &str, holder: &str) -> Result<()> {
    on_writer!(store, c => sqlx::query(
        "UPDATE job_state SET lease_holder = NULL, lease_until = NULL WHERE name = $1 AND lease_holder = $2")
        .bind(name).bind(holder).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

async fn last_run_for(store: &Store, name: &str) -> Result<Option<NaiveDate>> {
    let v: Option<Option<String>> = on_pool!(store, c => sqlx::query_scalar(
        "SELECT last_run_for FROM job_state WHERE name = $1").bind(name).fetch_optional(c).await)?;
    Ok(v.flatten()
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()))
}

/// Runs one job for one date, audited, and marks the date done.
async fn run_once(
    store: &Store,
    spec: &JobSpec,
    as_of: NaiveDate,
    jc: &JobContext,
) -> Result<String> {
    let actor = Actor::system(&format!("job:{}", spec.name));
    let ctx = RequestCtx::local("job");
    // The annual-report listing does its bulk in short transactions of its own first.
    let pre = if spec.name == "annual_report_listing" {
        crate::listings::list_non_filers_in_batches(store, as_of, crate::listings::LISTING_BATCH)
            .await?
    } else {
        (0, 0)
    };
    let mut tx = store.begin_write(&actor, &ctx).await?;
    let result = run_body(spec.name, &mut tx, as_of, jc, pre).await?;
    let now = tx.now();
    let day = as_of.format("%Y-%m-%d").to_string();
    // Dates only move forward: a manual run for an older date does not rewind catch-up.
    on_tx!(tx, c => sqlx::query(
        "UPDATE job_state SET last_run_at = $2, last_result = $3, \
         last_run_for = CASE WHEN last_run_for IS NULL OR last_run_for < $4 THEN $4 ELSE last_run_for END \
         WHERE name = $1")
        .bind(spec.name).bind(now).bind(&result).bind(&day).execute(c).await.map(|r| r.rows_affected()))?;
    tx.record(Change {
        action: "job.run",
        object_type: "job",
        object_id: spec.name.to_owned(),
        jurisdiction_code: shijian_domain::division::CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({ "job": spec.name, "as_of": day, "result": result })),
    })
    .await?;
    tx.commit().await?;
    Ok(result)
}

/// Runs job `name` for `as_of` now (`jobs run`), holding the lease.
pub async fn run_now(
    store: &Store,
    name: &str,
    as_of: NaiveDate,
    holder: &str,
    jc: &JobContext,
) -> Result<String> {
    let spec = JOBS
        .iter()
        .find(|j| j.name == name)
        .ok_or_else(|| unknown(name))?;
    if !try_lease(store, name, holder).await? {
        return Err(StoreError::conflict(
            "job_running",
            format!("任务 {name} 正在另一进程中运行"),
        ));
    }
    let r = run_once(store, spec, as_of, jc).await;
    release_lease(store, name, holder).await?;
    r
}

/// Runs every job that is due up to `today`, catching up missed dates. Called by each
/// server process every minute; the lease makes sure only one runs a job at a time, and
/// the date record that each run is done for a date only once.
pub async fn run_due(
    store: &Store,
    today: NaiveDate,
    holder: &str,
    jc: &JobContext,
) -> Result<Vec<(String, NaiveDate, String)>> {
    let mut done = Vec::new();
    for spec in JOBS {
        if last_run_for(store, spec.name).await? >= Some(today) {
            continue;
        }
        if !try_lease(store, spec.name, holder).await? {
            continue;
        }
        let outcome = async {
            // Re-read under the lease: another process may have finished meanwhile.
            let start = match last_run_for(store, spec.name).await? {
                Some(last) => {
                    (last + Duration::days(1)).max(today - Duration::days(MAX_CATCH_UP_DAYS - 1))
                }
                None => today,
            };
            let mut day = start;
            while day <= today {
                let r = run_once(store, spec, day, jc).await?;
                done.push((spec.name.to_owned(), day, r));
                day += Duration::days(1);
            }
            Ok::<_, StoreError>(())
        }
        .await;
        release_lease(store, spec.name, holder).await?;
        outcome?;
    }
    Ok(done)
}
