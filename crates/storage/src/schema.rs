//! A backend-neutral description of the migrated schema, so a test can prove the SQLite
//! and PostgreSQL migrations define the same tables and columns.

use crate::{Backend, Result, Store};

/// One column: table, column, type class, whether NOT NULL.
pub type ColumnInfo = (String, String, String, bool);

/// The type class both backends agree on.
fn type_class(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "smallint" => "int",
        "text" | "character varying" | "varchar" => "text",
        "boolean" => "bool",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "date" => "date",
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Every column of every table and view the migrations created, sorted.
pub async fn describe(store: &Store) -> Result<Vec<ColumnInfo>> {
    let rows: Vec<(String, String, String, bool)> = match &store.backend {
        Backend::Sqlite { read, .. } => {
            sqlx::query_as(
                "SELECT m.name, p.name, p.type, p.\"notnull\" != 0 FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p \
                 WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            )
            .fetch_all(read)
            .await?
        }
        Backend::Postgres(pool) => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO' \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await?
        }
    };
    let mut out: Vec<ColumnInfo> = rows
        .into_iter()
        .map(|(t, c, ty, nn)| (t, c, type_class(&ty), nn))
        .collect();
    out.sort();
    Ok(out)
}
