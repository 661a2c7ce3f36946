//! Permits (证照分离) and the permit-item catalogue. (Being written.)

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

/// This module's `/api/v1` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
