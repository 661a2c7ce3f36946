//! The web UI and JSON API of shijian: routing, authentication and CSRF, the problem
//! format of errors, idempotent POSTs, the OpenAPI document, server-rendered pages in
//! Chinese and the embedded assets.
//!
//! Architecture invariants:
//! - Handlers are thin: parse, call one storage operation, render. Permission and
//!   jurisdiction checks live in storage (`shijian_storage`), never in a handler.
//! - Every `/api/v1` route is registered through `utoipa_axum` so the OpenAPI document and
//!   the router cannot drift.
//! - Nothing is loaded from outside the binary: every asset is embedded.

pub mod api;
mod assets;
pub mod auth;
pub mod error;
mod headers;
mod idempotency;
pub mod limits;
pub mod metrics;
pub mod public;
mod router;
pub mod state;
mod ui;

pub use public::public_router;
pub use router::{build_router, openapi};
pub use state::{AppState, WebConfig};
