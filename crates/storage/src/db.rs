//! Connecting to either backend, migrating it, and the macros that run one piece of SQL
//! on whichever backend the store uses.

use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use shijian_domain::clock::Clock;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseConfig {
    /// Embedded SQLite in `dir/shijian.db` (the directory is created if missing).
    Sqlite { dir: PathBuf },
    /// A PostgreSQL URL (`postgres://…`).
    Postgres { url: String },
}

/// The connection pools of one backend.
#[derive(Debug, Clone)]
pub enum Backend {
    /// Reads use `read`; every write transaction uses the single connection of `write`
    /// and begins `IMMEDIATE`, so writers queue instead of failing with "database is locked".
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// The handle to storage shared by the server, the CLI and the jobs.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    clock: Arc<dyn Clock>,
    /// Encrypts fields at rest (credentials now; personal data with the registry). The keys
    /// live outside the database; without them such fields can be neither read nor written.
    cipher: Option<Arc<dyn shijian_crypto::FieldCipher>>,
    /// Keyed hashes for finding a sealed value by exact match.
    index: Option<Arc<shijian_crypto::BlindIndex>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend_name())
            .finish()
    }
}

/// How long a writer waits for another process's write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl Store {
    /// Opens (creating and migrating if needed) the database.
    pub async fn open(config: &DatabaseConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        let backend = match config {
            DatabaseConfig::Sqlite { dir } => open_sqlite(dir).await?,
            DatabaseConfig::Postgres { url } => Backend::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?,
            ),
        };
        let store = Self {
            backend,
            clock,
            cipher: None,
            index: None,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite { write, .. } => {
                sqlx::migrate!("./migrations/sqlite").run(write).await?
            }
            Backend::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Uses `keys` for fields encrypted at rest.
    #[must_use]
    pub fn with_keys(mut self, keys: &shijian_crypto::Keys) -> Self {
        self.cipher = Some(Arc::new(keys.cipher()));
        self.index = Some(Arc::new(keys.blind_index()));
        self
    }

    /// The field cipher, or a clear error when no data keys are configured.
    pub(crate) fn cipher(&self) -> Result<&dyn shijian_crypto::FieldCipher> {
        self.cipher.as_deref().ok_or_else(|| {
            StoreError::invalid(
                "data_keys_missing",
                "未配置数据密钥：请用 --keys 指定密钥文件，或设置 SHIJIAN_DATA_KEYS（见 docs/CONFIGURATION.md）",
            )
        })
    }

    /// The blind index of a normalised `value` of `kind` (see `shijian_crypto::kinds`).
    pub(crate) fn blind(&self, kind: &str, value: &str) -> Result<String> {
        self.cipher()?;
        self.index
            .as_ref()
            .map(|i| i.hash(kind, value))
            .ok_or_else(|| StoreError::invalid("data_keys_missing", "未配置数据密钥"))
    }

    /// The blind index, from which the link-signing keys are derived (`crate::permits`).
    pub(crate) fn index_key(&self) -> Result<&shijian_crypto::BlindIndex> {
        self.index
            .as_deref()
            .ok_or_else(|| StoreError::invalid("data_keys_missing", "未配置数据密钥"))
    }

    /// Encrypts `value` for the field `context`.
    pub(crate) fn seal(&self, value: &str, context: &str) -> Result<String> {
        self.cipher()?
            .encrypt(value, context)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("{}: {e}", e.code())))
    }

    /// Decrypts a value sealed for the field `context`.
    pub(crate) fn open_sealed(&self, stored: &str, context: &str) -> Result<String> {
        self.cipher()?
            .decrypt(stored, context)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("{}: {e}", e.code())))
    }

    /// `"sqlite"` or `"postgres"`.
    #[must_use]
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The pools, for tests and tools that need raw access.
    #[must_use]
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The clock the whole program reads.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, to the microsecond (the precision both backends keep).
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        shijian_domain::audit::audit_time(self.clock.now())
    }

    /// Checks the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, c => sqlx::query("SELECT 1").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(p) => p.close().await,
        }
    }
}

async fn open_sqlite(dir: &std::path::Path) -> Result<Backend> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", dir.display()))?;
    let options = SqliteConnectOptions::new()
        .filename(dir.join("shijian.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(options.clone())
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?;
    // Read the settings back: a filesystem that cannot do WAL must not silently run without it.
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&write)
        .await?;
    let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(&write)
        .await?;
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(&read)
        .await?;
    if !mode.eq_ignore_ascii_case("wal") || sync != 2 || fk != 1 {
        return Err(StoreError::Other(anyhow::anyhow!(
            "SQLite settings not in force: journal_mode={mode} synchronous={sync} foreign_keys={fk}"
        )));
    }
    Ok(Backend::Sqlite { read, write })
}
