//! `/api/v1/reference`: reference data (jurisdictions; divisions, industries and the
//! calendar arrive with the domain-core work).

use crate::auth::Auth;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use shijian_storage::jurisdictions;
use utoipa::ToSchema;

/// A jurisdiction (辖区) and its division codes.
#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionView {
    pub code: String,
    pub name: String,
    /// `city`, `county`, `zone` or `station`.
    pub kind: String,
    pub parent_code: Option<String>,
    pub division_codes: Vec<String>,
}

/// Every built-in jurisdiction with its division codes.
#[utoipa::path(get, path = "/api/v1/reference/jurisdictions", tag = "reference",
    responses((status = 200, body = Vec<JurisdictionView>), (status = 401, body = Problem)))]
pub async fn jurisdictions(
    State(state): State<AppState>,
    _auth: Auth,
) -> ApiResult<Json<Vec<JurisdictionView>>> {
    let all = jurisdictions::list_with_divisions(&state.store).await?;
    Ok(Json(
        all.into_iter()
            .map(|(j, division_codes)| JurisdictionView {
                code: j.code,
                name: j.name,
                kind: j.kind,
                parent_code: j.parent_code,
                division_codes,
            })
            .collect(),
    ))
}
