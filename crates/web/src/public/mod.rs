//! The public disclosure portal under `/public`: no sign-in, rate-limited, and showing only
//! what the disclosure policy makes public. (Being written.)

mod licences;

use crate::state::AppState;
use axum::Router;

/// Every `/public` route.
pub(crate) fn router() -> Router<AppState> {
    Router::new().merge(licences::router())
}
