//! Permit pages: the catalogue and an entity's permits. (Being written.)

use crate::state::AppState;
use axum::Router;

/// This module's pages.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
