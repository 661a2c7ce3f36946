//! Online backup and restore. This module owns making a consistent copy of a running
//! database and bringing one back into an empty place, checked before it is declared
//! usable.
//!
//! - SQLite: `VACUUM INTO` on a read connection copies one read snapshot while the server
//!   keeps writing (WAL readers do not block the writer). The copy goes to a temporary
//!   file beside the target, is synced and checked with `PRAGMA integrity_check`, and is
//!   then linked to the target name, which never overwrites an existing file.
//! - PostgreSQL: `pg_dump --format=custom` on a snapshot this module exports, so the
//!   report names exactly the audit head the dump contains; `pg_restore` into an empty
//!   database. The password travels to the tools in `PGPASSWORD`, not on the command line.
//!
//! A restore refuses a non-empty data directory or database, migrates the result to the
//! current schema, and recomputes the audit chain.
//!
//! Both are audited: `backup.create` in the source (with the file's SHA-256, so a backup
//! can later be shown unaltered) and `backup.restore` in the restored database.

use crate::audit::VerifyReport;
use crate::{Actor, AuditResult, Change, DatabaseConfig, RequestCtx, Result, Store, StoreError};
use sha2::{Digest, Sha256};
use shijian_domain::clock::Clock;
use shijian_domain::division::CITY_CODE;
use sqlx::Connection;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The SQLite database file inside a data directory.
const DB_FILE: &str = "shijian.db";
/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a `pg_dump --format=custom` archive.
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// What a backup produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the file (hex), also in the `backup.create` audit record.
    pub sha256: String,
    pub elapsed: Duration,
    /// The audit head the backup contains: every record up to this one.
    pub audit_seq: i64,
}

/// What a restore produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// `ok` for SQLite (anything else fails the restore); `not applicable` for PostgreSQL.
    pub integrity: String,
    /// The audit chain of the restored database as the backup held it (before the
    /// `backup.restore` record).
    pub audit: VerifyReport,
    /// SHA-256 of the backup file (hex): compare with its `backup.create` record.
    pub sha256: String,
    pub elapsed: Duration,
}

fn backup_error(message: String) -> StoreError {
    StoreError::invalid("backup", message)
}

/// Backs up the database `store` was opened on (`config` names it) to the new file `to`,
/// on behalf of `actor`.
pub async fn backup(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    config: &DatabaseConfig,
    to: &Path,
) -> Result<BackupReport> {
    let started = Instant::now();
    if to.exists() {
        return Err(backup_error(format!(
            "备份文件 {} 已存在：备份不会覆盖已有文件，请换一个文件名",
            to.display()
        )));
    }
    let name = to
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| backup_error(format!("备份路径 {} 无效", to.display())))?;
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(backup_error(format!("目录 {} 不存在", dir.display())));
    }
    let partial = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let made = match (store.backend(), config) {
        (crate::Backend::Sqlite { read, .. }, _) => backup_sqlite(read, &partial).await,
        (crate::Backend::Postgres(_), DatabaseConfig::Postgres { url }) => {
            backup_postgres(url, &partial).await
        }
        (crate::Backend::Postgres(_), DatabaseConfig::Sqlite { .. }) => {
            Err(backup_error("备份需要 PostgreSQL 连接串".to_owned()))
        }
    };
    let finished = made.and_then(|audit_seq| {
        // A backup holds every record, personal data included: owner-only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| backup_error(format!("无法设置备份文件权限：{e}")))?;
        }
        sync_file(&partial)?;
        // A hard link fails if `to` exists meanwhile: the backup never replaces a file.
        std::fs::hard_link(&partial, to).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => backup_error(format!(
                "备份文件 {} 已存在：备份不会覆盖已有文件，请换一个文件名",
                to.display()
            )),
            _ => backup_error(format!("无法写入备份文件 {}：{e}", to.display())),
        })?;
        Ok(audit_seq)
    });
    remove_quietly(&partial);
    let audit_seq = finished?;
    sync_file(&dir)?;
    let (bytes, sha256) = digest(to).await?;
    let elapsed = started.elapsed();
    store
        .audit_only(
            actor,
            ctx,
            Change {
                action: "backup.create",
                object_type: "database",
                object_id: name.to_owned(),
                jurisdiction_code: CITY_CODE.to_owned(),
                result: AuditResult::Ok,
                after: Some(serde_json::json!({
                    "file": to.display().to_string(),
                    "bytes": bytes,
                    "sha256": sha256,
                    "audit_seq": audit_seq,
                })),
            },
        )
        .await?;
    Ok(BackupReport {
        file: to.to_path_buf(),
        bytes,
        sha256,
        elapsed,
        audit_seq,
    })
}

/// The size and SHA-256 (hex) of a file, read off the async workers.
async fn digest(path: &Path) -> Result<(u64, String)> {
    let owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&owned)?;
        let mut hasher = Sha256::new();
        let bytes = std::io::copy(&mut file, &mut hasher)?;
        Ok::<_, std::io::Error>((bytes, hex::encode(hasher.finalize())))
    })
    .await
    .map_err(|e| StoreError::Other(anyhow::anyhow!(e)))?;
    read.map_err(|e| backup_error(format!("无法读取 {}：{e}", path.display())))
}

/// `VACUUM INTO` the file `partial`, then checks the copy. Returns its audit head.
async fn backup_sqlite(read: &sqlx::SqlitePool, partial: &Path) -> Result<i64> {
    let target = partial
        .to_str()
        .ok_or_else(|| backup_error(format!("备份路径 {} 须为 UTF-8", partial.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(read)
        .await?;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(partial)
        .read_only(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    let integrity = sqlite_integrity(&mut conn).await;
    let seq: std::result::Result<i64, sqlx::Error> =
        sqlx::query_scalar("SELECT audit_seq FROM log_head WHERE id = 1")
            .fetch_one(&mut conn)
            .await;
    conn.close().await?;
    let integrity = integrity?;
    if integrity != "ok" {
        return Err(backup_error(format!(
            "备份副本未通过完整性检查：{integrity}"
        )));
    }
    Ok(seq?)
}

/// `pg_dump` of a snapshot exported by a transaction that also reads the audit head, so
/// the reported head is exactly the one in the dump.
async fn backup_postgres(url: &str, partial: &Path) -> Result<i64> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut conn)
        .await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await?;
    let seq: i64 = sqlx::query_scalar("SELECT audit_seq FROM log_head WHERE id = 1")
        .fetch_one(&mut conn)
        .await?;
    let mut file = OsString::from("--file=");
    file.push(partial);
    let dumped = run_pg_tool(
        "pg_dump",
        url,
        &[
            "--format=custom".into(),
            "--no-password".into(),
            format!("--snapshot={snapshot}").into(),
            file,
        ],
    )
    .await;
    // The snapshot has to stay exported until pg_dump has taken it; end it only now.
    let _ = sqlx::query("COMMIT").execute(&mut conn).await;
    let _ = conn.close().await;
    dumped?;
    Ok(seq)
}

/// Restores the backup `from` into the empty data directory or database `config` names,
/// on behalf of `actor`.
pub async fn restore(
    config: &DatabaseConfig,
    actor: &Actor,
    ctx: &RequestCtx,
    from: &Path,
    clock: Arc<dyn Clock>,
) -> Result<RestoreReport> {
    let started = Instant::now();
    let magic = read_magic(from)?;
    let (_, sha256) = digest(from).await?;
    let integrity = match config {
        DatabaseConfig::Sqlite { dir } => {
            if !magic.starts_with(SQLITE_MAGIC) {
                return Err(backup_error(wrong_kind(from, &magic, "SQLite 数据库文件")));
            }
            restore_sqlite_file(dir, from)?;
            let checked = async {
                let store = Store::open(config, clock.clone()).await?;
                let integrity = integrity_of(&store).await;
                store.close().await;
                integrity
            }
            .await;
            match checked {
                Ok(i) if i == "ok" => i,
                failed => {
                    // Leave the directory empty again, so the restore can be retried.
                    for suffix in ["", "-wal", "-shm"] {
                        remove_quietly(&dir.join(format!("{DB_FILE}{suffix}")));
                    }
                    return Err(match failed {
                        Ok(i) => backup_error(format!(
                            "恢复的数据库未通过完整性检查（{i}）；已删除恢复的文件，请换一份备份"
                        )),
                        Err(e) => e,
                    });
                }
            }
        }
        DatabaseConfig::Postgres { url } => {
            if !magic.starts_with(PG_DUMP_MAGIC) {
                return Err(backup_error(wrong_kind(
                    from,
                    &magic,
                    "pg_dump --format=custom 备份",
                )));
            }
            ensure_empty_postgres(url).await?;
            run_pg_tool(
                "pg_restore",
                url,
                &[
                    "--no-owner".into(),
                    "--exit-on-error".into(),
                    "--single-transaction".into(),
                    "--no-password".into(),
                    from.into(),
                ],
            )
            .await?;
            "not applicable".to_owned()
        }
    };
    let store = Store::open(config, clock).await?;
    let recorded = async {
        let audit = crate::audit::verify(&store).await?;
        let change = Change {
            action: "backup.restore",
            object_type: "database",
            object_id: from
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            jurisdiction_code: CITY_CODE.to_owned(),
            result: AuditResult::Ok,
            after: Some(serde_json::json!({
                "file": from.display().to_string(),
                "sha256": sha256,
                "audit_seq": audit.head_seq,
                "chain_intact": audit.first_broken.is_none(),
            })),
        };
        store.audit_only(actor, ctx, change).await?;
        Ok::<_, StoreError>(audit)
    }
    .await;
    store.close().await;
    Ok(RestoreReport {
        integrity,
        audit: recorded?,
        sha256,
        elapsed: started.elapsed(),
    })
}

/// Copies the backup into `dir/shijian.db` (synced, then renamed into place) after
/// checking that `dir` is empty.
fn restore_sqlite_file(dir: &Path, from: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| backup_error(format!("无法读取数据目录 {}：{e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(backup_error(format!(
                "数据目录 {} 不为空：恢复只写入空目录，不会覆盖现有数据",
                dir.display()
            )));
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| backup_error(format!("无法创建数据目录 {}：{e}", dir.display())))?;
    let partial = dir.join(format!("{DB_FILE}.restoring"));
    let copied = std::fs::copy(from, &partial)
        .map_err(|e| backup_error(format!("无法复制备份 {}：{e}", from.display())))
        .and_then(|_| sync_file(&partial))
        .and_then(|()| {
            std::fs::rename(&partial, dir.join(DB_FILE))
                .map_err(|e| backup_error(format!("无法写入数据目录 {}：{e}", dir.display())))
        });
    if copied.is_err() {
        remove_quietly(&partial);
    }
    copied?;
    sync_file(dir)
}

async fn ensure_empty_postgres(url: &str) -> Result<()> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    if n > 0 {
        return Err(backup_error(format!(
            "目标 PostgreSQL 数据库不为空（已有 {n} 个表或其他对象）：恢复只写入空数据库，请先 createdb 一个新库"
        )));
    }
    Ok(())
}

/// The integrity check of an open store (SQLite only; PostgreSQL checks its pages itself).
async fn integrity_of(store: &Store) -> Result<String> {
    match store.backend() {
        crate::Backend::Sqlite { write, .. } => {
            let mut conn = write.acquire().await?;
            sqlite_integrity(&mut conn).await
        }
        crate::Backend::Postgres(_) => Ok("not applicable".to_owned()),
    }
}

/// `PRAGMA integrity_check`, its rows joined: `ok` when the database is sound.
async fn sqlite_integrity(conn: &mut sqlx::SqliteConnection) -> Result<String> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(conn)
        .await?;
    Ok(rows.join("; "))
}

fn read_magic(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut magic = Vec::with_capacity(16);
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut magic))
        .map_err(|e| backup_error(format!("无法读取备份 {}：{e}", path.display())))?;
    Ok(magic)
}

fn wrong_kind(path: &Path, magic: &[u8], expected: &str) -> String {
    let found = if magic.starts_with(SQLITE_MAGIC) {
        "它是 SQLite 备份：恢复到 SQLite 时不要给 --database"
    } else if magic.starts_with(PG_DUMP_MAGIC) {
        "它是 PostgreSQL 备份：请用 --database 指定一个空的 PostgreSQL 数据库"
    } else {
        "无法识别它的格式"
    };
    format!("{} 不是 {expected}：{found}", path.display())
}

/// Runs a PostgreSQL client tool against `url` (password by environment).
async fn run_pg_tool(name: &str, url: &str, args: &[OsString]) -> Result<()> {
    let tool = pg_tool(name)?;
    let (url, password) = split_password(url);
    let mut command = tokio::process::Command::new(&tool);
    command
        .args(args)
        .arg(format!("--dbname={url}"))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(pw) = password {
        command.env("PGPASSWORD", pw);
    }
    let out = command
        .output()
        .await
        .map_err(|e| backup_error(format!("无法运行 {}：{e}", tool.display())))?;
    if !out.status.success() {
        return Err(backup_error(format!(
            "{name} 失败（{}）：{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Finds a PostgreSQL client tool on `PATH`, else in Debian's
/// `/usr/lib/postgresql/<version>/bin`, newest version first.
fn pg_tool(name: &str) -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(std::result::Result::ok)
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse().ok()?;
                    Some((version, e.path().join("bin")))
                })
                .collect()
        })
        .unwrap_or_default();
    debian.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    on_path
        .into_iter()
        .chain(debian.into_iter().map(|(_, dir)| dir))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            backup_error(format!(
                "找不到 {name}：请安装 PostgreSQL 客户端（Debian：postgresql-client-15）或把它所在目录加入 PATH"
            ))
        })
}

/// Splits the password out of a PostgreSQL URL, so it reaches the tools in the
/// environment rather than on a command line that `ps` shows to every user.
fn split_password(url: &str) -> (String, Option<String>) {
    let unchanged = || (url.to_owned(), None);
    let Some((scheme, rest)) = url.split_once("://") else {
        return unchanged();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return unchanged();
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return unchanged();
    };
    (
        format!("{scheme}://{user}@{host}{tail}"),
        Some(percent_decode(password)),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Syncs a file or directory to stable storage.
fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| backup_error(format!("无法同步 {} 到磁盘：{e}", path.display())))
}

fn remove_quietly(path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(path = %path.display(), error = %e, "could not remove a temporary file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(
            split_password("postgres://app:s%40cret:x@db.local:5432/shijian?sslmode=require"),
            (
                "postgres://app@db.local:5432/shijian?sslmode=require".to_owned(),
                Some("s@cret:x".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1:5432/postgres"),
            (
                "postgres://postgres@127.0.0.1:5432/postgres".to_owned(),
                None
            )
        );
        assert_eq!(
            split_password("postgresql:///shijian?host=/run/postgresql"),
            (
                "postgresql:///shijian?host=/run/postgresql".to_owned(),
                None
            )
        );
        assert_eq!(percent_decode("a%2"), "a%2");
    }

    #[test]
    fn a_backup_of_the_wrong_kind_is_named() {
        let m = wrong_kind(Path::new("x.dump"), b"PGDMP\x01", "SQLite 数据库文件");
        assert!(m.contains("PostgreSQL 备份"), "{m}");
        let m = wrong_kind(Path::new("x.txt"), b"hello", "SQLite 数据库文件");
        assert!(m.contains("无法识别"), "{m}");
    }
}
