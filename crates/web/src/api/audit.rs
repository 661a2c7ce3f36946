//! `/api/v1/audit`: the audit trail for the audit administrator, newest first.

use super::{parse_cursor, ApiQuery, Page, DEFAULT_LIMIT};
use crate::auth::{Auth, Ctx};
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shijian_storage::audit::{self, AuditFilter, AuditRecord};
use utoipa::{IntoParams, ToSchema};

/// One audit record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_role: String,
    pub actor_jurisdiction: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub jurisdiction_code: String,
    /// `ok`, `denied`, `failed` or `locked`.
    pub result: String,
    pub request_id: String,
    pub change_digest: String,
    pub hash: String,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            actor_role: r.actor_role,
            actor_jurisdiction: r.actor_jurisdiction,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            jurisdiction_code: r.jurisdiction_code,
            result: r.result,
            request_id: r.request_id,
            change_digest: r.change_digest,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Exact username of the actor.
    pub actor: Option<String>,
    /// Prefix of the action, e.g. `auth.`.
    pub action: Option<String>,
    /// `ok`, `denied`, `failed` or `locked`.
    pub result: Option<String>,
}

impl AuditParams {
    pub(crate) fn filter(&self) -> Result<AuditFilter, crate::error::ApiError> {
        Ok(AuditFilter {
            before_seq: parse_cursor(self.cursor.as_deref())?,
            limit: self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, 500),
            actor: self.actor.clone().unwrap_or_default(),
            action: self.action.clone().unwrap_or_default(),
            result: self.result.clone().unwrap_or_default(),
        })
    }
}

/// Audit records inside the caller's jurisdiction (audit administrator only).
#[utoipa::path(operation_id = "audit_list", get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Page<AuditView>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Ctx(ctx): Ctx,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> ApiResult<Json<Page<AuditView>>> {
    let f = p.filter()?;
    let items = audit::list(&state.store, &auth.actor(), &ctx, &f).await?;
    let items: Vec<AuditView> = items.into_iter().map(Into::into).collect();
    Ok(Json(Page::new(items, f.limit, |r| r.seq.to_string())))
}
