//! Jurisdictions (辖区): named sets of division codes, kept as data and loaded by
//! migrations. The coverage rule ("viewer covers covered") is the `jurisdiction_cover` view;
//! [`scope_filter`] is the one SQL fragment scoped queries use.

use crate::{Result, Store, StoreError};
use serde::Serialize;

/// The SQL condition that keeps a row whose `jurisdiction_code` column lies inside the
/// jurisdiction bound at `$1`. Scoped queries splice it in with the column name.
pub(crate) fn scope_filter(column: &str, param: usize) -> String {
    format!("{column} IN (SELECT covered FROM jurisdiction_cover WHERE viewer = ${param})")
}

/// The SQL condition that keeps a row whose division-code `column` (6 or 9 digits) lies
/// inside the jurisdiction bound at `$param`: the objects that carry a location.
pub(crate) fn division_scope_filter(column: &str, param: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM jurisdiction_division jd WHERE jd.jurisdiction_code = ${param} \
         AND {column} LIKE jd.prefix || '%')"
    )
}

/// A jurisdiction with its division codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Jurisdiction {
    pub code: String,
    pub name: String,
    /// `city`, `county`, `zone` or `station`.
    pub kind: String,
    pub parent_code: Option<String>,
}

/// All jurisdictions, in their display order.
pub async fn list(store: &Store) -> Result<Vec<Jurisdiction>> {
    Ok(on_pool!(store, c => sqlx::query_as::<_, Jurisdiction>(
        "SELECT code, name, kind, parent_code FROM jurisdiction ORDER BY sort_order")
        .fetch_all(c).await)?)
}

/// Finds a jurisdiction by its code or its Chinese name.
pub async fn resolve(store: &Store, code_or_name: &str) -> Result<Jurisdiction> {
    let key = code_or_name.trim();
    on_pool!(store, c => sqlx::query_as::<_, Jurisdiction>(
        "SELECT code, name, kind, parent_code FROM jurisdiction WHERE code = $1 OR name = $1")
        .bind(key)
        .fetch_optional(c).await)?
    .ok_or_else(|| StoreError::invalid("unknown_jurisdiction", format!("未知辖区：{key}")))
}

/// Whether `viewer` covers `covered` (every division of `covered` lies inside `viewer`).
pub async fn covers(store: &Store, viewer: &str, covered: &str) -> Result<bool> {
    let n: i64 = on_pool!(store, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM jurisdiction_cover WHERE viewer = $1 AND covered = $2")
        .bind(viewer)
        .bind(covered)
        .fetch_one(c).await)?;
    Ok(n > 0)
}

/// The division codes of a jurisdiction.
pub async fn divisions(store: &Store, code: &str) -> Result<Vec<String>> {
    Ok(on_pool!(store, c => sqlx::query_scalar(
        "SELECT division_code FROM jurisdiction_division WHERE jurisdiction_code = $1 ORDER BY division_code")
        .bind(code)
        .fetch_all(c).await)?)
}

/// Every jurisdiction with its division codes, in display order (one query each).
pub async fn list_with_divisions(store: &Store) -> Result<Vec<(Jurisdiction, Vec<String>)>> {
    let all = list(store).await?;
    let pairs: Vec<(String, String)> = on_pool!(store, c => sqlx::query_as(
        "SELECT jurisdiction_code, division_code FROM jurisdiction_division ORDER BY division_code")
        .fetch_all(c).await)?;
    Ok(all
        .into_iter()
        .map(|j| {
            let divs = pairs
                .iter()
                .filter(|(jc, _)| *jc == j.code)
                .map(|(_, d)| d.clone())
                .collect();
            (j, divs)
        })
        .collect())
}
