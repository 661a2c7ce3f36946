//! Name checks (企业名称自主申报). (Being written.)

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

/// This module's `/api/v1` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
