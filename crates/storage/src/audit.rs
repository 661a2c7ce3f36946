//! Reading and verifying the audit trail. Records are written only by [`crate::WriteTx`];
//! the database refuses UPDATE and DELETE on `audit_log`.

use crate::actor::authorize;
use crate::jurisdictions::scope_filter;
use crate::{Actor, RequestCtx, Result, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shijian_domain::audit::{chain_hash, AuditFields, GENESIS_HASH};
use shijian_domain::role::Permission;

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_role: String,
    pub actor_jurisdiction: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub jurisdiction_code: String,
    pub result: String,
    pub request_id: String,
    pub change_digest: String,
    pub hash_alg: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The fields the hash chain covers (`shijian_domain::audit`).
    #[must_use]
    pub fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            actor_role: &self.actor_role,
            actor_jurisdiction: &self.actor_jurisdiction,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            jurisdiction_code: &self.jurisdiction_code,
            result: &self.result,
            request_id: &self.request_id,
            change_digest: &self.change_digest,
        }
    }
}

const COLUMNS: &str =
    "seq, at, actor, actor_role, actor_jurisdiction, action, object_type, object_id, \
    jurisdiction_code, result, request_id, change_digest, hash_alg, prev_hash, hash";

/// Filters for [`list`]; empty strings match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only records with `seq` below this (the cursor: newest first).
    pub before_seq: Option<i64>,
    pub limit: i64,
    pub actor: String,
    /// A prefix of the action, e.g. `auth.` or `user.create`.
    pub action: String,
    pub result: String,
}

/// The audit records inside the actor's jurisdiction, newest first.
pub async fn list(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    f: &AuditFilter,
) -> Result<Vec<AuditRecord>> {
    authorize(store, actor, ctx, Permission::ReadAudit, "audit.read").await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE {} AND seq < $2 \
         AND ($3 = '' OR actor = $3) AND ($4 = '' OR action LIKE $4 || '%') AND ($5 = '' OR result = $5) \
         ORDER BY seq DESC LIMIT $6",
        scope_filter("jurisdiction_code", 1)
    );
    Ok(on_pool!(store, c => sqlx::query_as::<_, AuditRecord>(&sql)
        .bind(&actor.jurisdiction)
        .bind(f.before_seq.unwrap_or(i64::MAX))
        .bind(&f.actor)
        .bind(&f.action)
        .bind(&f.result)
        .bind(f.limit.clamp(1, 500))
        .fetch_all(c).await)?)
}

/// The outcome of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Records read.
    pub records: i64,
    /// The head the log claims (`log_head`).
    pub head_seq: i64,
    /// The first broken record and why, or `None` if the chain holds.
    pub first_broken: Option<Broken>,
}

/// A break in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    pub seq: i64,
    /// `altered`, `missing`, `relinked` or `truncated`.
    pub kind: &'static str,
    pub detail: String,
}

/// Recomputes the whole chain in order (not scoped: a CLI operation of the audit
/// administrator or operator). Detects an altered row (its hash no longer matches), a
/// removed row (a gap in `seq`), a re-linked row, and a removed tail (the chain ends before
/// the head recorded in `log_head`).
pub async fn verify(store: &Store) -> Result<VerifyReport> {
    const PAGE: i64 = 5000;
    let (head_seq, head_hash): (i64, String) = on_pool!(store, c => sqlx::query_as(
        "SELECT audit_seq, audit_hash FROM log_head WHERE id = 1").fetch_one(c).await)?;
    // Only the records up to the head read above: the head row is updated in the same
    // transaction as each record, so these are all committed, and records committed while
    // we read (the server keeps writing) are left for the next verification.
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2"
    );
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    let mut records = 0;
    loop {
        let page = on_pool!(store, c => sqlx::query_as::<_, AuditRecord>(&sql)
            .bind(expected_seq - 1).bind(PAGE).bind(head_seq).fetch_all(c).await)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            records += 1;
            if let Some(b) = check_record(r, expected_seq, &prev_hash) {
                return Ok(VerifyReport {
                    records,
                    head_seq,
                    first_broken: Some(b),
                });
            }
            prev_hash.clone_from(&r.hash);
            expected_seq += 1;
        }
    }
    let last = expected_seq - 1;
    let first_broken = (last != head_seq || prev_hash != head_hash).then(|| Broken {
        seq: last + 1,
        kind: "truncated",
        detail: format!("链在第 {last} 条结束，但日志头记录为第 {head_seq} 条"),
    });
    Ok(VerifyReport {
        records,
        head_seq,
        first_broken,
    })
}

fn check_record(r: &AuditRecord, expected_seq: i64, prev_hash: &str) -> Option<Broken> {
    if r.seq != expected_seq {
        return Some(Broken {
            seq: expected_seq,
            kind: "missing",
            detail: format!("缺少第 {expected_seq} 条记录（下一条为第 {} 条）", r.seq),
        });
    }
    if r.prev_hash != prev_hash {
        return Some(Broken {
            seq: r.seq,
            kind: "relinked",
            detail: format!("第 {} 条记录的前序哈希与上一条不符", r.seq),
        });
    }
    let fields = r.fields();
    (chain_hash(prev_hash, &fields) != r.hash).then(|| Broken {
        seq: r.seq,
        kind: "altered",
        detail: format!("第 {} 条记录的内容与其哈希不符（记录被修改）", r.seq),
    })
}
