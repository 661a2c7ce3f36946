//! Licence verification: the public page a licence's QR code opens. (Being written.)

use crate::state::AppState;
use axum::Router;

/// The verification routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
