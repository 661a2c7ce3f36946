//! `/api/v1/events`: the ordered change feed. A reader keeps the last `seq` it saw and asks
//! for `after=SEQ`; sequence numbers have no gaps and commit in order, so nothing is missed.

use super::ApiQuery;
use crate::auth::{Auth, Ctx};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shijian_storage::events;
use utoipa::{IntoParams, ToSchema};

/// One event with its after-image.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub event_type: String,
    pub object_type: String,
    pub object_id: String,
    pub jurisdiction_code: String,
    pub request_id: String,
    pub audit_seq: i64,
    /// The object after the change.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `after` to continue.
    pub next_after: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Return events with `seq` greater than this (default 0).
    pub after: Option<i64>,
    /// 1–1000, default 100.
    pub limit: Option<i64>,
}

/// Events after a position, oldest first (roles `integration` and `system_admin`).
#[utoipa::path(operation_id = "events_list", get, path = "/api/v1/events", tag = "events", params(EventParams),
    responses((status = 200, body = EventPage), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(p): ApiQuery<EventParams>,
) -> ApiResult<Json<EventPage>> {
    let after = p.after.unwrap_or(0);
    let rows = events::list(
        &state.store,
        &auth.actor(),
        &ctx,
        after,
        p.limit.unwrap_or(100),
    )
    .await?;
    let next_after = rows.last().map_or(after, |e| e.seq);
    let items = rows
        .into_iter()
        .map(|e| EventView {
            seq: e.seq,
            at: e.at,
            event_type: e.event_type,
            object_type: e.object_type,
            object_id: e.object_id,
            jurisdiction_code: e.jurisdiction_code,
            request_id: e.request_id,
            audit_seq: e.audit_seq,
            payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(Json(EventPage { items, next_after }))
}
