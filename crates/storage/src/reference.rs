//! Reference data: divisions (current and retired), the GB/T 4754-2017 industry tree, the
//! working-day calendar and the legal time limits. All of it arrives by migration; the
//! calendar is extended by importing a year, and unconfirmed time limits may be corrected
//! by a system administrator. Both changes are audited.

use crate::actor::authorize;
use crate::{Actor, AuditResult, Change, RequestCtx, Result, Store, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use shijian_domain::calendar::{parse_holiday_csv, CalendarDay, DayKind, WorkCalendar};
use shijian_domain::role::Permission;
use shijian_domain::time_limit::{rule_for as pick_rule, TimeLimit};
use std::collections::HashSet;

/// A division (GB/T 2260 county level or NBS township level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
}

/// A county-level code with the years it was in use (retired codes have `valid_to`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HistoricalDivision {
    pub code: String,
    pub name: String,
    pub valid_from: Option<i64>,
    pub valid_to: Option<i64>,
    pub parent_code: Option<String>,
}

/// The current divisions, then the historical county codes.
pub async fn divisions(store: &Store) -> Result<(Vec<Division>, Vec<HistoricalDivision>)> {
    let current = on_pool!(store, c => sqlx::query_as::<_, Division>(
        "SELECT code, name, level, parent_code FROM division ORDER BY code").fetch_all(c).await)?;
    let history = on_pool!(store, c => sqlx::query_as::<_, HistoricalDivision>(
        "SELECT code, name, valid_from, valid_to, parent_code FROM division_history ORDER BY code")
        .fetch_all(c).await)?;
    Ok((current, history))
}

/// The division codes an ID number's address prefix is checked against.
#[derive(Debug, Clone, Default)]
pub struct KnownDivisions(HashSet<String>);

impl KnownDivisions {
    /// Whether `code` (the first six digits of an ID number) is acceptable. Only codes of
    /// this city are listed (current and retired); codes of elsewhere cannot be checked
    /// here and are accepted, so only a wrong Jingmen prefix is warned about.
    #[must_use]
    pub fn accepts(&self, code: &str) -> bool {
        self.0.contains(code) || !code.starts_with("4208")
    }
}

/// Every division code ever valid here (for the address prefix of ID numbers).
pub async fn known_divisions(store: &Store) -> Result<KnownDivisions> {
    let (current, history) = divisions(store).await?;
    let codes = current
        .into_iter()
        .map(|d| d.code)
        .chain(history.into_iter().map(|d| d.code));
    Ok(KnownDivisions(codes.collect()))
}

/// An industry class of GB/T 4754-2017.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Industry {
    pub code: String,
    pub name: String,
    /// `section`, `division`, `group` or `class`.
    pub level: String,
    pub parent_code: Option<String>,
    /// The section letter (A–T).
    pub section: String,
}

/// Filters for [`industries`]; empty strings match everything.
#[derive(Debug, Clone, Default)]
pub struct IndustryFilter {
    pub level: String,
    pub parent: String,
    /// Part of the name, or a code prefix.
    pub q: String,
}

/// Industries matching the filter, in code order (sections first).
pub async fn industries(store: &Store, f: &IndustryFilter) -> Result<Vec<Industry>> {
    Ok(on_pool!(store, c => sqlx::query_as::<_, Industry>(
        "SELECT code, name, level, parent_code, section FROM industry \
         WHERE ($1 = '' OR level = $1) AND ($2 = '' OR parent_code = $2) \
         AND ($3 = '' OR name LIKE '%' || $3 || '%' OR code LIKE $3 || '%') \
         ORDER BY length(code), code")
        .bind(&f.level).bind(&f.parent).bind(&f.q)
        .fetch_all(c).await)?)
}

/// Splits a section-prefixed code (`F5211`) into its section letter and digits.
fn split_section(code: &str) -> (Option<char>, &str) {
    let code = code.trim();
    match code.chars().next() {
        Some(c) if c.is_ascii_alphabetic() && code.len() > 1 => {
            (Some(c.to_ascii_uppercase()), &code[1..])
        }
        _ => (None, code),
    }
}

/// One industry by code; accepts a section-prefixed code such as `F5211` when the letter
/// is the code's real section.
pub async fn industry(store: &Store, code: &str) -> Result<Industry> {
    let (letter, digits) = split_section(code);
    let key = if digits.is_empty() {
        code.trim().to_ascii_uppercase()
    } else {
        digits.to_owned()
    };
    let found = on_pool!(store, c => sqlx::query_as::<_, Industry>(
        "SELECT code, name, level, parent_code, section FROM industry WHERE code = $1")
        .bind(&key).fetch_optional(c).await)?;
    match found {
        Some(i) if letter.is_none_or(|l| i.section.starts_with(l) || i.code.len() == 1) => Ok(i),
        Some(i) => Err(StoreError::invalid(
            "industry_section_mismatch",
            format!(
                "行业代码 {} 属于门类 {}，不是 {}",
                i.code,
                i.section,
                letter.unwrap_or('?')
            ),
        )),
        None => Err(StoreError::NotFound),
    }
}

#[derive(sqlx::FromRow)]
struct DayRow {
    day: String,
    kind: String,
    name: String,
}

/// The working-day calendar with the years it covers.
pub async fn calendar(store: &Store) -> Result<WorkCalendar> {
    let years: Vec<i64> = on_pool!(store, c => sqlx::query_scalar("SELECT year FROM calendar_year ORDER BY year").fetch_all(c).await)?;
    let rows = on_pool!(store, c => sqlx::query_as::<_, DayRow>("SELECT day, kind, name FROM calendar_day ORDER BY day").fetch_all(c).await)?;
    let days = rows
        .into_iter()
        .map(|r| {
            let date = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d")
                .map_err(|e| anyhow::anyhow!("calendar_day {}: {e}", r.day))?;
            let kind = r.kind.parse::<DayKind>().map_err(|e| anyhow::anyhow!(e))?;
            Ok(CalendarDay {
                date,
                kind,
                name: r.name,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let years = years.into_iter().filter_map(|y| i32::try_from(y).ok());
    WorkCalendar::new(years, days)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored calendar is inconsistent: {e}")))
}

/// Adds the holiday schedule of `year` from a file in the `cn_holidays.csv` format
/// (`date,kind,name`). Refuses a year already covered, rows outside the year, and
/// everything else the calendar rule refuses. Returns the number of rows imported.
pub async fn import_calendar_year(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    year: i32,
    csv_text: &str,
    source: &str,
) -> Result<usize> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "calendar.import",
    )
    .await?;
    let rows = parse_holiday_csv(csv_text)
        .map_err(|e| StoreError::invalid("bad_calendar_file", e.to_string()))?;
    // The domain rule decides whether the year fits the calendar we have.
    calendar(store)
        .await?
        .with_year(year, rows.clone())
        .map_err(|e| StoreError::invalid(e.code(), e.to_string()))?;
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    let inserted = on_tx!(tx, c => sqlx::query("INSERT INTO calendar_year (year, source, imported_at, imported_by) VALUES ($1, $2, $3, $4)")
        .bind(i64::from(year)).bind(source).bind(now).bind(&actor.username).execute(c).await.map(|r| r.rows_affected()));
    match inserted {
        Err(e) if crate::error::is_unique_violation(&e) => {
            return Err(StoreError::conflict(
                "year_already_covered",
                format!("{year}年的节假日安排已导入，不能重复导入"),
            ));
        }
        other => other?,
    };
    for r in &rows {
        on_tx!(tx, c => sqlx::query("INSERT INTO calendar_day (day, kind, name, year) VALUES ($1, $2, $3, $4)")
            .bind(r.date.format("%Y-%m-%d").to_string()).bind(r.kind.as_str()).bind(&r.name).bind(i64::from(year))
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    tx.record(Change {
        action: "calendar.import",
        object_type: "calendar_year",
        object_id: year.to_string(),
        jurisdiction_code: shijian_domain::division::CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(serde_json::json!({ "year": year, "source": source, "days": rows })),
    })
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}

#[derive(sqlx::FromRow)]
struct LimitRow {
    kind: String,
    valid_from: String,
    valid_to: Option<String>,
    amount: i64,
    unit: String,
    source: String,
    article: String,
    confirmed: bool,
    note: String,
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Other(anyhow::anyhow!("bad date {s}: {e}")))
}

impl LimitRow {
    fn into_limit(self) -> Result<TimeLimit> {
        let bad = |e: String| StoreError::Other(anyhow::anyhow!(e));
        Ok(TimeLimit {
            kind: self
                .kind
                .parse()
                .map_err(|e: shijian_domain::time_limit::UnknownKind| bad(e.to_string()))?,
            amount: u32::try_from(self.amount).map_err(|e| bad(e.to_string()))?,
            unit: self.unit.parse().map_err(|e| bad(format!("{e:?}")))?,
            source: self.source,
            article: self.article,
            valid_from: date(&self.valid_from)?,
            valid_to: self.valid_to.as_deref().map(date).transpose()?,
            confirmed: self.confirmed,
            note: self.note,
        })
    }
}

/// Every time-limit row, by kind and start.
pub async fn time_limits(store: &Store) -> Result<Vec<TimeLimit>> {
    let rows = on_pool!(store, c => sqlx::query_as::<_, LimitRow>(
        "SELECT kind, valid_from, valid_to, amount, unit, source, article, confirmed, note \
         FROM time_limit ORDER BY kind, valid_from").fetch_all(c).await)?;
    rows.into_iter().map(LimitRow::into_limit).collect()
}

/// The time limit of `kind` in force on `date`.
pub async fn rule_for(store: &Store, kind: &str, on: NaiveDate) -> Result<Option<TimeLimit>> {
    Ok(pick_rule(&time_limits(store).await?, kind, on).cloned())
}

/// A correction to an unconfirmed time limit.
#[derive(Debug, Clone, Default)]
pub struct TimeLimitEdit {
    pub amount: Option<u32>,
    pub article: Option<String>,
    pub note: Option<String>,
    /// Mark the row confirmed against the official text (it is then no longer editable).
    pub confirm: bool,
}

/// Corrects an UNCONFIRMED time-limit row (system administrator, audited). Confirmed rows
/// change only by a new row in a migration, with its own `valid_from`.
pub async fn edit_time_limit(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    kind: &str,
    valid_from: NaiveDate,
    edit: TimeLimitEdit,
) -> Result<TimeLimit> {
    authorize(
        store,
        actor,
        ctx,
        Permission::ManageConfiguration,
        "time_limit.edit",
    )
    .await?;
    let from = valid_from.format("%Y-%m-%d").to_string();
    let current = time_limits(store)
        .await?
        .into_iter()
        .find(|t| t.kind.as_str() == kind && t.valid_from == valid_from)
        .ok_or(StoreError::NotFound)?;
    if current.confirmed {
        return Err(StoreError::conflict(
            "time_limit_confirmed",
            "该期限已按官方文本核实，不能在此修改；法规变化请以新的生效日期新增一行",
        ));
    }
    let mut tx = store.begin_write(actor, ctx).await?;
    let now = tx.now();
    let amount = edit.amount.map_or(i64::from(current.amount), i64::from);
    let article = edit.article.unwrap_or(current.article);
    let note = edit.note.unwrap_or(current.note);
    let changed = on_tx!(tx, c => sqlx::query(
        "UPDATE time_limit SET amount = $3, article = $4, note = $5, confirmed = $6, updated_at = $7 \
         WHERE kind = $1 AND valid_from = $2 AND confirmed = FALSE")
        .bind(kind).bind(&from).bind(amount).bind(&article).bind(&note).bind(edit.confirm).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if changed == 0 {
        // Confirmed by someone else since we read it.
        return Err(StoreError::conflict(
            "time_limit_confirmed",
            "该期限已被核实，不能再修改",
        ));
    }
    let updated = TimeLimit {
        amount: u32::try_from(amount).unwrap_or(current.amount),
        article,
        note,
        confirmed: edit.confirm,
        ..current
    };
    tx.record(Change {
        action: "time_limit.edit",
        object_type: "time_limit",
        object_id: format!("{kind}@{from}"),
        jurisdiction_code: shijian_domain::division::CITY_CODE.to_owned(),
        result: AuditResult::Ok,
        after: Some(serde_json::to_value(&updated).map_err(anyhow::Error::from)?),
    })
    .await?;
    tx.commit().await?;
    Ok(updated)
}
