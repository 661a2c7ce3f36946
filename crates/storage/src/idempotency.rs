//! `Idempotency-Key` reservations. A POST with a key first reserves `(principal, key)`
//! with a fingerprint of the request; the change's own transaction marks it `applied`
//! (see [`crate::WriteTx::commit`]); the response is stored afterwards and replayed to
//! every retry. The same key with another request is refused.

use crate::{Result, Store};

/// What a reservation attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The key is new and now reserved for this request.
    New,
    /// The same request was answered before: replay this response.
    Replay {
        status: u16,
        content_type: String,
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
    /// The first request committed its change but its response was lost (a crash between
    /// commit and reply). Nothing is applied twice; the client should read the resource.
    AppliedWithoutResponse,
}

/// A reservation still `pending` this long after it was made belongs to a request that
/// died (a crash between reserving and the change's transaction): requests time out well
/// before this (see the web crate's request timeout), so a retry may take it over.
pub const ABANDONED_AFTER: chrono::Duration = chrono::Duration::seconds(120);

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: String,
    state: String,
    created_at: chrono::DateTime<chrono::Utc>,
    status: Option<i64>,
    content_type: Option<String>,
    body: Option<String>,
}

/// Reserves `key` for `principal`'s request with fingerprint `request_hash`.
pub async fn reserve(
    store: &Store,
    principal: &str,
    key: &str,
    request_hash: &str,
) -> Result<Reservation> {
    let now = store.now();
    let inserted = on_writer!(store, c => sqlx::query(
        "INSERT INTO idempotency_key (principal, idem_key, request_hash, state, created_at) \
         VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (principal, idem_key) DO NOTHING")
        .bind(principal).bind(key).bind(request_hash).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(Reservation::New);
    }
    let row = on_writer!(store, c => sqlx::query_as::<_, Row>(
        "SELECT request_hash, state, created_at, status, content_type, body FROM idempotency_key \
         WHERE principal = $1 AND idem_key = $2")
        .bind(principal).bind(key).fetch_one(c).await)?;
    Ok(if row.request_hash != request_hash {
        Reservation::Mismatch
    } else {
        match (row.state.as_str(), row.status) {
            ("done", Some(status)) => Reservation::Replay {
                status: u16::try_from(status).unwrap_or(500),
                content_type: row.content_type.unwrap_or_default(),
                body: row.body.unwrap_or_default(),
            },
            ("applied", _) => Reservation::AppliedWithoutResponse,
            ("pending", _) if now - row.created_at > ABANDONED_AFTER => {
                // Take over the abandoned reservation, unless another retry just did.
                let taken = on_writer!(store, c => sqlx::query(
                    "UPDATE idempotency_key SET created_at = $3 \
                     WHERE principal = $1 AND idem_key = $2 AND state = 'pending' AND created_at = $4")
                    .bind(principal).bind(key).bind(now).bind(row.created_at)
                    .execute(c).await.map(|r| r.rows_affected()))?;
                if taken == 1 {
                    Reservation::New
                } else {
                    Reservation::InProgress
                }
            }
            _ => Reservation::InProgress,
        }
    })
}

/// Stores the response to replay for the reserved key.
pub async fn complete(
    store: &Store,
    principal: &str,
    key: &str,
    status: u16,
    content_type: &str,
    body: &str,
) -> Result<()> {
    on_writer!(store, c => sqlx::query(
        "UPDATE idempotency_key SET state = 'done', status = $3, content_type = $4, body = $5 \
         WHERE principal = $1 AND idem_key = $2")
        .bind(principal).bind(key).bind(i64::from(status)).bind(content_type).bind(body)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Drops a reservation whose request failed before changing anything, so it can be retried.
pub async fn release(store: &Store, principal: &str, key: &str) -> Result<()> {
    on_writer!(store, c => sqlx::query(
        "DELETE FROM idempotency_key WHERE principal = $1 AND idem_key = $2 AND state = 'pending'")
        .bind(principal).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes reservations older than `days` days (a daily job). Returns how many.
pub async fn purge_older_than(tx: &mut crate::WriteTx<'_>, days: i64) -> Result<u64> {
    let cutoff = tx.now() - chrono::Duration::days(days);
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM idempotency_key WHERE created_at < $1")
        .bind(cutoff).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
