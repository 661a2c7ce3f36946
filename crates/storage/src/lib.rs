//! Storage of shijian: one schema on two backends (embedded SQLite, PostgreSQL), the
//! repository operations every handler and command uses, and the write transaction that
//! records each change's audit record and event.
//!
//! Architecture invariants:
//! - Every state change goes through a [`WriteTx`]; it cannot commit without at least one
//!   audit record, and the audit record, the event and the change commit together.
//! - Every read of a scoped object takes the [`Actor`] and filters by the actor's
//!   jurisdiction in SQL; nothing here trusts a jurisdiction named by a request.
//! - SQL is written once and run on either backend through the `on_pool!`/`on_tx!` macros;
//!   only statements whose dialects differ are written twice.

#[macro_use]
mod macros;
pub mod actor;
pub mod annual_reports;
pub mod audit;
pub mod backup;
pub mod checkpoint;
mod db;
pub mod documents;
pub mod entities;
pub mod entity_index;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod jobs;
pub mod jurisdictions;
pub mod listings;
pub mod name_index;
pub mod password;
pub mod permits;
pub mod reference;
pub mod rekey;
pub mod schema;
pub mod sessions;
pub mod statistics;
pub mod totp;
pub mod users;
mod write;

pub use actor::{Actor, RequestCtx};
pub use db::{Backend, DatabaseConfig, Store};
pub use error::StoreError;
pub use write::{AuditResult, Change, WriteTx};

/// A result of a storage operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
