//! Key rotation's work on the database: the census of sealed values by data key
//! ([`census`], for `shijian keys status` and `keys retire`), re-encryption of every sealed
//! value under the current data key ([`reencrypt`]) and recomputation of every blind index
//! under the current index key ([`reindex`]).
//!
//! The list of sealed columns is data: [`SEALED_COLUMNS`]. **A migration that adds a sealed
//! column (named `*_sealed`, or a `*_secret` credential) appends it there**; a test compares
//! the list with the migrated schema and fails on a column missing from it.
//!
//! Invariants:
//! - Work goes in batches, each one write transaction ([`crate::WriteTx`]) with one audit
//!   record (`keys.reencrypt` / `keys.reindex`) carrying counts only, never a plaintext or
//!   a ciphertext. A batch that changes nothing is rolled back and leaves no record.
//! - Every update is a compare-and-set on the sealed value read in the same transaction, so
//!   a value a server changed meanwhile is never overwritten (the next run looks at it
//!   again).
//! - Both passes are resumable and idempotent: re-encryption selects only values not yet
//!   under the current key, recomputation rewrites only indexes that differ.
//! - Only the local operator (a CLI command) may run them; anyone else is refused and the
//!   refusal audited.

use crate::actor::require;
use crate::{Actor, AuditResult, Backend, Change, RequestCtx, Result, Store, StoreError};
use shijian_crypto::{kinds, KeyId};
use shijian_domain::division::CITY_CODE;
use std::collections::BTreeMap;

/// The type of a primary-key column (how it is read and bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// INTEGER / BIGINT.
    Int,
    /// TEXT.
    Text,
}

/// The blind index kept beside a sealed column: the keyed hash of the sealed plaintext *as
/// stored* (values are normalised before they are sealed and hashed, so the index is
/// recomputed from the decrypted value alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlindIndexColumn {
    /// The index column, in the same table.
    pub column: &'static str,
    /// The `kind` given to `BlindIndex::hash` (`shijian_crypto::kinds`).
    pub kind: &'static str,
}

/// One column holding sealed values (`Store::seal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedColumn {
    pub table: &'static str,
    /// The primary key's columns, in order (re-encryption walks the table in this order).
    pub key: &'static [(&'static str, KeyType)],
    /// The sealed column.
    pub column: &'static str,
    /// The field name the values are sealed for (the associated data).
    pub field: &'static str,
    /// The blind index of the same value, if the table keeps one.
    pub index: Option<BlindIndexColumn>,
    /// Whether values written before sealing existed may be plaintext (they are accepted
    /// when read, and sealed by [`reencrypt`]). Otherwise such a value is reported.
    pub legacy_plaintext: bool,
}

impl SealedColumn {
    /// `table.column`.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }
}

/// Every sealed column of the schema. Append a column here in the change whose migration
/// adds it (the field name is the one its module passes to `Store::seal`).
pub const SEALED_COLUMNS: &[SealedColumn] = &[
    SealedColumn {
        table: "app_user",
        key: &[("id", KeyType::Int)],
        column: "totp_secret",
        field: "app_user.totp_secret",
        index: None,
        legacy_plaintext: true,
    },
    SealedColumn {
        table: "app_user",
        key: &[("id", KeyType::Int)],
        column: "totp_pending_secret",
        field: "app_user.totp_secret",
        index: None,
        legacy_plaintext: true,
    },
    SealedColumn {
        table: "entity",
        key: &[("uscc", KeyType::Text)],
        column: "legal_rep_id_sealed",
        field: "entity.legal_rep_id",
        index: Some(BlindIndexColumn {
            column: "legal_rep_id_index",
            kind: kinds::ID_NUMBER,
        }),
        legacy_plaintext: false,
    },
    SealedColumn {
        table: "entity",
        key: &[("uscc", KeyType::Text)],
        column: "phone_sealed",
        field: "entity.phone",
        index: Some(BlindIndexColumn {
            column: "phone_index",
            kind: kinds::PHONE,
        }),
        legacy_plaintext: false,
    },
];

/// Whether a column name marks sealed data by the schema's naming rule.
#[must_use]
pub fn looks_sealed(column: &str) -> bool {
    column.ends_with("_sealed") || column.ends_with("_secret")
}

/// The columns of base tables (not views) whose names mark them as sealed, sorted.
pub async fn sealed_columns_in_schema(store: &Store) -> Result<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> = match &store.backend {
        Backend::Sqlite { read, .. } => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(read)
            .await?
        }
        Backend::Postgres(pool) => {
            sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
                 JOIN information_schema.tables t \
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
                   AND c.table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?
        }
    };
    all.retain(|(_, c)| looks_sealed(c));
    all.sort();
    Ok(all)
}

/// How the values of one sealed column are stored now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnCensus {
    pub column: &'static SealedColumn,
    /// Values sealed with this cipher's format (`v1:aes256gcm`), by data key id.
    pub by_key: BTreeMap<String, u64>,
    /// Values stored before sealing existed (accepted only where `legacy_plaintext`).
    pub plaintext: u64,
    /// Values that are neither: another algorithm, or not parseable.
    pub unrecognised: u64,
}

impl ColumnCensus {
    /// Values sealed under `key_id`.
    #[must_use]
    pub fn under(&self, key_id: &str) -> u64 {
        self.by_key.get(key_id).copied().unwrap_or(0)
    }
}

/// The stored-text head `v1:<alg>:<key id>:` of a value, in SQL (`''` for text that is not
/// `v1:`); `pos` is the dialect's "position of needle in haystack" (`instr` or `strpos`).
fn head_sql(col: &str, pos: &str) -> String {
    let after_v1 = format!("substr({col}, 4)");
    let first = format!("{pos}({after_v1}, ':')");
    let second = format!("{pos}(substr({col}, 4 + {first}), ':')");
    format!("CASE WHEN substr({col}, 1, 3) = 'v1:' THEN substr({col}, 1, 3 + {first} + {second}) ELSE '' END")
}

/// `(algorithm, key id)` of a head `v1:<alg>:<key id>:`.
fn parse_head(head: &str) -> Option<(&str, &str)> {
    let (algorithm, key_id) = head
        .strip_prefix("v1:")?
        .strip_suffix(':')?
        .split_once(':')?;
    let tag = |s: &str| {
        (1..=16).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    (tag(algorithm) && KeyId::is_valid(key_id)).then_some((algorithm, key_id))
}

/// Counts the values of every sealed column by the data key that sealed them. Needs no
/// keys: the key id is part of each stored value.
pub async fn census(store: &Store) -> Result<Vec<ColumnCensus>> {
    let pos = match store.backend {
        Backend::Sqlite { .. } => "instr",
        Backend::Postgres(_) => "strpos",
    };
    let mut out = Vec::with_capacity(SEALED_COLUMNS.len());
    for column in SEALED_COLUMNS {
        let sql = format!(
            "SELECT head, COUNT(*) FROM (SELECT {} AS head FROM {} WHERE {} IS NOT NULL) h GROUP BY head",
            head_sql(column.column, pos),
            column.table,
            column.column
        );
        let rows: Vec<(String, i64)> =
            on_pool!(store, c => sqlx::query_as(&sql).fetch_all(c).await)?;
        let mut census = ColumnCensus {
            column,
            by_key: BTreeMap::new(),
            plaintext: 0,
            unrecognised: 0,
        };
        for (head, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match parse_head(&head) {
                Some((algorithm, key_id))
                    if algorithm == shijian_crypto::Aes256GcmCipher::ALGORITHM =>
                {
                    *census.by_key.entry(key_id.to_owned()).or_default() += n;
                }
                None if head.is_empty() => census.plaintext += n,
                _ => census.unrecognised += n,
            }
        }
        out.push(census);
    }
    Ok(out)
}

/// A value of a primary-key column.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyValue {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for KeyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyValue::Int(i) => write!(f, "{i}"),
            KeyValue::Text(s) => f.write_str(s),
        }
    }
}

/// A row read by a pass: its primary key and the text columns asked for.
struct PassRow {
    key: Vec<KeyValue>,
    values: Vec<Option<String>>,
}

fn read_row<R>(row: &R, key: &[(&str, KeyType)], values: usize) -> Result<PassRow>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut out = PassRow {
        key: Vec::with_capacity(key.len()),
        values: Vec::with_capacity(values),
    };
    for (i, (_, ty)) in key.iter().enumerate() {
        out.key.push(match ty {
            KeyType::Int => KeyValue::Int(row.try_get(i)?),
            KeyType::Text => KeyValue::Text(row.try_get(i)?),
        });
    }
    for i in 0..values {
        out.values.push(row.try_get(key.len() + i)?);
    }
    Ok(out)
}

/// `(k1, k2)`, and `($n, $n+1)` from placeholder `first`.
fn key_tuple(column: &SealedColumn, first: usize) -> (String, String) {
    let names: Vec<&str> = column.key.iter().map(|(n, _)| *n).collect();
    let params: Vec<String> = (0..names.len())
        .map(|i| format!("${}", first + i))
        .collect();
    (
        format!("({})", names.join(", ")),
        format!("({})", params.join(", ")),
    )
}

/// `k1 = $n AND k2 = $n+1`.
fn key_match(column: &SealedColumn, first: usize) -> String {
    column
        .key
        .iter()
        .enumerate()
        .map(|(i, (n, _))| format!("{n} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Reads the next batch of a table walk inside the transaction: rows after `after` (in key
/// order) matching `filter`, with `select` (text columns) after the key columns. `filter`
/// may use `$1`..`$binds.len()`.
async fn next_batch(
    tx: &mut crate::WriteTx<'_>,
    column: &SealedColumn,
    select: &[&str],
    filter: &str,
    binds: &[&str],
    after: Option<&[KeyValue]>,
    limit: usize,
) -> Result<Vec<PassRow>> {
    let (names, params) = key_tuple(column, binds.len() + 1);
    let after_sql = if after.is_some() {
        format!(" AND {names} > {params}")
    } else {
        String::new()
    };
    let order: Vec<&str> = column.key.iter().map(|(n, _)| *n).collect();
    let sql = format!(
        "SELECT {}, {} FROM {} WHERE {filter}{after_sql} ORDER BY {} LIMIT {limit}",
        order.join(", "),
        select.join(", "),
        column.table,
        order.join(", ")
    );
    let rows = on_tx!(tx, c => {
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(*b);
        }
        for v in after.unwrap_or_default() {
            q = match v {
                KeyValue::Int(i) => q.bind(*i),
                KeyValue::Text(s) => q.bind(s.as_str()),
            };
        }
        q.fetch_all(c)
            .await?
            .iter()
            .map(|r| read_row(r, column.key, select.len()))
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(rows)
}

/// `UPDATE table SET set_column = $1 WHERE cas_column = $2 AND <key>`; whether it matched.
async fn compare_and_set(
    tx: &mut crate::WriteTx<'_>,
    column: &SealedColumn,
    set_column: &str,
    value: &str,
    cas_value: &str,
    key: &[KeyValue],
) -> Result<bool> {
    let sql = format!(
        "UPDATE {} SET {set_column} = $1 WHERE {} = $2 AND {}",
        column.table,
        column.column,
        key_match(column, 3)
    );
    let n = on_tx!(tx, c => {
        let mut q = sqlx::query(&sql).bind(value).bind(cas_value);
        for v in key {
            q = match v {
                KeyValue::Int(i) => q.bind(*i),
                KeyValue::Text(s) => q.bind(s.as_str()),
            };
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// A value a pass could not handle: the row (its primary key) and a stable reason code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub row: String,
    pub code: &'static str,
}

/// What one pass did to one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOutcome {
    pub column: &'static SealedColumn,
    /// Values re-encrypted (by the key they were under), or indexes rewritten (key `""`).
    pub done: BTreeMap<String, u64>,
    /// Rows looked at in total.
    pub examined: u64,
    /// Rows a server changed between the read and the update (looked at again next run).
    pub changed_meanwhile: u64,
    pub failed: Vec<Failure>,
}

impl ColumnOutcome {
    fn new(column: &'static SealedColumn) -> Self {
        Self {
            column,
            done: BTreeMap::new(),
            examined: 0,
            changed_meanwhile: 0,
            failed: Vec::new(),
        }
    }

    /// Values changed in total.
    #[must_use]
    pub fn total_done(&self) -> u64 {
        self.done.values().sum()
    }
}

/// One committed batch, for progress reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchReport {
    pub column: String,
    /// Values changed by this batch.
    pub changed: u64,
    /// Values changed in this column so far.
    pub column_total: u64,
}

/// The head `v1:<alg>:<key id>:` new values are sealed under, and the current key id.
fn current_head(store: &Store) -> Result<(String, String)> {
    let probe = store.seal("", "shijian.rekey.probe")?;
    let head = probe.rsplit_once(':').map(|(h, _)| format!("{h}:"));
    let key_id = head
        .as_deref()
        .and_then(parse_head)
        .map(|(_, id)| id.to_owned());
    match (head, key_id) {
        (Some(head), Some(key_id)) => Ok((head, key_id)),
        _ => Err(StoreError::Other(anyhow::anyhow!(
            "the cipher's stored values have no v1 head"
        ))),
    }
}

/// The key id part of a stored value, or `"明文"` for a legacy plaintext.
fn from_label(stored: &str) -> String {
    let head = stored.rsplit_once(':').map(|(h, _)| format!("{h}:"));
    match head.as_deref().and_then(parse_head) {
        Some((_, key_id)) => key_id.to_owned(),
        None if !stored.starts_with("v1:") => "plaintext".to_owned(),
        None => "unrecognised".to_owned(),
    }
}

fn crypto_code(e: &StoreError) -> &'static str {
    // `Store::seal`/`open_sealed` put the crypto error's code first.
    const CODES: [&str; 6] = [
        "unknown_key_id",
        "decryption_failed",
        "malformed_ciphertext",
        "unsupported_ciphertext_format",
        "invalid_plaintext",
        "data_keys_missing",
    ];
    let text = e.to_string();
    CODES
        .into_iter()
        .find(|c| text.starts_with(c))
        .unwrap_or("error")
}

/// Re-encrypts every sealed value not under the current data key (and seals legacy
/// plaintext secrets), `batch` rows per write transaction, each batch audited as
/// `keys.reencrypt` with its counts. Resumable and idempotent; safe while servers run
/// **provided every running server has loaded the current key file** (a server that lacks
/// the new key cannot read the values moved to it).
pub async fn reencrypt(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    batch: usize,
    mut progress: impl FnMut(&BatchReport),
) -> Result<Vec<ColumnOutcome>> {
    require(store, actor, ctx, false, "local_operator", "keys.reencrypt").await?;
    let batch = batch.max(1);
    let (head, current) = current_head(store)?;
    let cipher = store.cipher()?;
    let mut outcomes = Vec::with_capacity(SEALED_COLUMNS.len());
    for column in SEALED_COLUMNS {
        let mut out = ColumnOutcome::new(column);
        let filter = format!(
            "{col} IS NOT NULL AND substr({col}, 1, {len}) <> $1",
            col = column.column,
            len = head.len()
        );
        let mut after: Option<Vec<KeyValue>> = None;
        loop {
            let mut tx = store.begin_write(actor, ctx).await?;
            let rows = next_batch(
                &mut tx,
                column,
                &[column.column],
                &filter,
                &[head.as_str()],
                after.as_deref(),
                batch,
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.key.clone());
            let mut from: BTreeMap<String, u64> = BTreeMap::new();
            let (mut failed, mut changed_meanwhile) = (0u64, 0u64);
            for row in &rows {
                out.examined += 1;
                let Some(stored) = row.values[0].as_deref() else {
                    continue;
                };
                let label = from_label(stored);
                let sealed = if label == "plaintext" {
                    if column.legacy_plaintext {
                        store.seal(stored, column.field)
                    } else {
                        Err(StoreError::invalid("not_sealed", "not sealed"))
                    }
                } else {
                    cipher
                        .reencrypt(stored, column.field)
                        .map_err(|e| StoreError::Other(anyhow::anyhow!("{}: {e}", e.code())))
                };
                let sealed = match sealed {
                    Ok(s) => s,
                    Err(e) => {
                        let code = match &e {
                            StoreError::Invalid { code, .. } => *code,
                            other => crypto_code(other),
                        };
                        out.failed.push(Failure {
                            row: join_key(&row.key),
                            code,
                        });
                        failed += 1;
                        continue;
                    }
                };
                if compare_and_set(&mut tx, column, column.column, &sealed, stored, &row.key)
                    .await?
                {
                    *from.entry(label).or_default() += 1;
                } else {
                    changed_meanwhile += 1;
                }
            }
            out.changed_meanwhile += changed_meanwhile;
            let changed: u64 = from.values().sum();
            if changed == 0 {
                // Nothing to record; dropping the transaction rolls it back.
                continue;
            }
            for (k, n) in &from {
                *out.done.entry(k.clone()).or_default() += n;
            }
            tx.record(Change {
                action: "keys.reencrypt",
                object_type: "sealed_column",
                object_id: column.name(),
                jurisdiction_code: CITY_CODE.to_owned(),
                result: AuditResult::Ok,
                after: Some(serde_json::json!({
                    "column": column.name(),
                    "to_key": current,
                    "reencrypted": changed,
                    "from": from,
                    "failed": failed,
                    "changed_meanwhile": changed_meanwhile,
                })),
            })
            .await?;
            tx.commit().await?;
            progress(&BatchReport {
                column: column.name(),
                changed,
                column_total: out.total_done(),
            });
        }
        outcomes.push(out);
    }
    Ok(outcomes)
}

/// Recomputes every blind index from the decrypted value with the current index key,
/// rewriting those that differ, `batch` rows per write transaction, each batch audited as
/// `keys.reindex`. Run it with **every server stopped** after the index key changed
/// (servers hash lookups with the index key they loaded), and after restoring a backup
/// taken before an index-key rotation. Resumable and idempotent.
pub async fn reindex(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    batch: usize,
    mut progress: impl FnMut(&BatchReport),
) -> Result<Vec<ColumnOutcome>> {
    require(store, actor, ctx, false, "local_operator", "keys.reindex").await?;
    store.cipher()?;
    let batch = batch.max(1);
    let mut outcomes = Vec::new();
    for column in SEALED_COLUMNS {
        let Some(index) = column.index else { continue };
        let mut out = ColumnOutcome::new(column);
        let filter = format!("{} IS NOT NULL", column.column);
        let mut after: Option<Vec<KeyValue>> = None;
        loop {
            let mut tx = store.begin_write(actor, ctx).await?;
            let rows = next_batch(
                &mut tx,
                column,
                &[column.column, index.column],
                &filter,
                &[],
                after.as_deref(),
                batch,
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = Some(last.key.clone());
            let (mut changed, mut failed, mut changed_meanwhile) = (0u64, 0u64, 0u64);
            for row in &rows {
                out.examined += 1;
                let Some(stored) = row.values[0].as_deref() else {
                    continue;
                };
                let plain = match store.open_sealed(stored, column.field) {
                    Ok(p) => p,
                    Err(e) => {
                        out.failed.push(Failure {
                            row: join_key(&row.key),
                            code: crypto_code(&e),
                        });
                        failed += 1;
                        continue;
                    }
                };
                let fresh = store.blind(index.kind, &plain)?;
                if row.values[1].as_deref() == Some(fresh.as_str()) {
                    continue;
                }
                if compare_and_set(&mut tx, column, index.column, &fresh, stored, &row.key).await? {
                    changed += 1;
                } else {
                    changed_meanwhile += 1;
                }
            }
            out.changed_meanwhile += changed_meanwhile;
            if changed == 0 {
                continue;
            }
            *out.done.entry(String::new()).or_default() += changed;
            tx.record(Change {
                action: "keys.reindex",
                object_type: "sealed_column",
                object_id: format!("{}.{}", column.table, index.column),
                jurisdiction_code: CITY_CODE.to_owned(),
                result: AuditResult::Ok,
                after: Some(serde_json::json!({
                    "column": format!("{}.{}", column.table, index.column),
                    "recomputed": changed,
                    "failed": failed,
                    "changed_meanwhile": changed_meanwhile,
                })),
            })
            .await?;
            tx.commit().await?;
            progress(&BatchReport {
                column: format!("{}.{}", column.table, index.column),
                changed,
                column_total: out.total_done(),
            });
        }
        outcomes.push(out);
    }
    Ok(outcomes)
}

fn join_key(key: &[KeyValue]) -> String {
    key.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Records a change of the key file (`keys.rotate`, `keys.rotate_index`, `keys.retire`):
/// key ids and the index key's check value only.
pub async fn record_key_change(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    action: &'static str,
    details: serde_json::Value,
) -> Result<()> {
    require(store, actor, ctx, false, "local_operator", action).await?;
    store
        .audit_only(
            actor,
            ctx,
            Change {
                action,
                object_type: "data_keys",
                object_id: "keys".to_owned(),
                jurisdiction_code: CITY_CODE.to_owned(),
                result: AuditResult::Ok,
                after: Some(details),
            },
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use shijian_domain::clock::SystemClock;
    use std::sync::Arc;

    #[test]
    fn heads_parse_only_when_well_formed() {
        assert_eq!(parse_head("v1:aes256gcm:k1:"), Some(("aes256gcm", "k1")));
        assert_eq!(parse_head("v1:sm4gcm:2026-a:"), Some(("sm4gcm", "2026-a")));
        for bad in [
            "",
            "v1:",
            "v1:aes256gcm:",
            "v1:aes256gcm:k:1:",
            "v2:x:k1",
            "v1:AES:k1:",
        ] {
            assert_eq!(parse_head(bad), None, "{bad}");
        }
        assert_eq!(from_label("v1:aes256gcm:k7:AAAA"), "k7");
        assert_eq!(from_label("JBSWY3DPEHPK3PXP"), "plaintext");
        assert_eq!(from_label("v1:broken"), "unrecognised");
    }

    #[test]
    fn the_list_is_consistent() {
        let mut names: Vec<String> = SEALED_COLUMNS.iter().map(SealedColumn::name).collect();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            SEALED_COLUMNS.len(),
            "a column is listed twice"
        );
        for c in SEALED_COLUMNS {
            assert!(!c.key.is_empty() && !c.field.is_empty(), "{}", c.name());
            assert!(
                looks_sealed(c.column),
                "{} breaks the naming rule",
                c.name()
            );
            assert!(!(c.legacy_plaintext && c.index.is_some()), "{}", c.name());
        }
    }

    /// Every sealed-looking column the migrations create is in [`SEALED_COLUMNS`], and every
    /// listed column exists. (The SQLite and PostgreSQL schemas are compared column for
    /// column elsewhere, so SQLite stands for both; the CLI tests repeat this on PostgreSQL.)
    #[tokio::test]
    async fn every_sealed_column_of_the_schema_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            &crate::DatabaseConfig::Sqlite {
                dir: dir.path().to_owned(),
            },
            Arc::new(SystemClock),
        )
        .await
        .unwrap();
        let in_schema = sealed_columns_in_schema(&store).await.unwrap();
        let listed: Vec<(String, String)> = SEALED_COLUMNS
            .iter()
            .map(|c| (c.table.to_owned(), c.column.to_owned()))
            .collect();
        let missing: Vec<_> = in_schema.iter().filter(|c| !listed.contains(c)).collect();
        assert!(
            missing.is_empty(),
            "sealed columns missing from rekey::SEALED_COLUMNS (key rotation would leave them \
             under the old key): {missing:?}"
        );
        let absent: Vec<_> = listed.iter().filter(|c| !in_schema.contains(c)).collect();
        assert!(
            absent.is_empty(),
            "listed but not in the schema: {absent:?}"
        );
        // Index columns and key columns exist too.
        let all = crate::schema::describe(&store).await.unwrap();
        let has = |t: &str, c: &str| all.iter().any(|(tt, cc, _, _)| tt == t && cc == c);
        for c in SEALED_COLUMNS {
            for (k, _) in c.key {
                assert!(has(c.table, k), "{}: key {k}", c.name());
            }
            if let Some(i) = c.index {
                assert!(has(c.table, i.column), "{}: index {}", c.name(), i.column);
            }
        }
        // The census runs on an empty database.
        let census = census(&store).await.unwrap();
        assert_eq!(census.len(), SEALED_COLUMNS.len());
        assert!(census
            .iter()
            .all(|c| c.by_key.is_empty() && c.plaintext == 0));
    }
}
