//! The storage error type. Callers map it to an HTTP problem or a CLI message; the
//! variants say what the caller can do about it.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist, or lies outside the actor's jurisdiction.
    #[error("对象不存在")]
    NotFound,
    /// The actor's role does not allow this (already recorded in the audit trail).
    #[error("没有执行此操作的权限")]
    Forbidden,
    /// A uniqueness or state conflict; `code` is the stable machine code.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The input broke a rule that storage checks.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// The database failed.
    #[error("数据库错误")]
    Database(#[from] sqlx::Error),
    /// Migrating the schema failed.
    #[error("数据库迁移失败")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl StoreError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }
}

/// Whether a database error is a unique-constraint violation (either backend).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
