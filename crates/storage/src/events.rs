//! Reading the ordered event log (the change feed). Events are appended only by
//! [`crate::WriteTx`]; their `seq` has no gaps and becomes visible in order, so a reader
//! that asks for `seq > last_seen` never misses one.

use crate::actor::authorize;
use crate::jurisdictions::scope_filter;
use crate::{Actor, RequestCtx, Result, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shijian_domain::role::Permission;

/// One event with its after-image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub event_type: String,
    pub object_type: String,
    pub object_id: String,
    pub jurisdiction_code: String,
    pub request_id: String,
    pub audit_seq: i64,
    /// The after-image, as JSON text.
    pub payload: String,
}

/// Events after `after` inside the actor's jurisdiction, oldest first.
pub async fn list(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    after: i64,
    limit: i64,
) -> Result<Vec<Event>> {
    authorize(store, actor, ctx, Permission::ReadEvents, "event.read").await?;
    let sql = format!(
        "SELECT seq, at, event_type, object_type, object_id, jurisdiction_code, request_id, audit_seq, payload \
         FROM event WHERE seq > $2 AND {} ORDER BY seq LIMIT $3",
        scope_filter("jurisdiction_code", 1)
    );
    Ok(on_pool!(store, c => sqlx::query_as::<_, Event>(&sql)
        .bind(&actor.jurisdiction)
        .bind(after.max(0))
        .bind(limit.clamp(1, 1000))
        .fetch_all(c).await)?)
}
