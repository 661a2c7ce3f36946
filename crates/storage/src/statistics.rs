//! Figures the plan's indicators ask for, computed from the records. Owns no table.
//!
//! Business start-up time (企业开办): for every enterprise whose licence was issued in the
//! period, the working days from the application received to the licence issued, grouped
//! by the county-level bureau whose area holds it and by the month of issue, with median
//! and 90th percentile (`shijian_domain::startup`).

use crate::jurisdictions::division_scope_filter;
use crate::{Actor, RequestCtx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shijian_domain::clock::beijing_date;
use shijian_domain::role::Permission;
use std::collections::BTreeMap;

/// The start-up figures of one bureau and month.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartupRow {
    /// The county-level jurisdiction's code (`420881`, `zhanghe` …).
    pub jurisdiction_code: String,
    pub jurisdiction_name: String,
    /// `YYYY-MM` of the licence's issue (Beijing time).
    pub month: String,
    pub count: usize,
    /// Median working days.
    pub median_days: f64,
    /// 90th percentile (nearest rank) in working days.
    pub p90_days: u32,
}

/// Start-up figures of enterprises whose licence was issued from `from` to `to`
/// (inclusive, Beijing dates), inside the actor's jurisdiction. Start-ups whose dates fall
/// in a year the working calendar does not cover are left out and counted in the second
/// value.
pub async fn startup_times(
    store: &Store,
    actor: &Actor,
    ctx: &RequestCtx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<StartupRow>, usize)> {
    crate::actor::authorize(
        store,
        actor,
        ctx,
        Permission::ReadEntities,
        "statistics.read",
    )
    .await?;
    if to < from {
        return Err(StoreError::invalid(
            "bad_period",
            "统计期间的结束日期早于开始日期",
        ));
    }
    // Issue instants are compared in UTC; the Beijing day decides the month below.
    let start = from.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(8);
    let end = to.and_hms_opt(0, 0, 0).expect("midnight").and_utc() + chrono::Duration::hours(16);
    let sql = format!(
        "SELECT e.uscc, jd.prefix, e.received_at, e.issued_at, j.code, j.name FROM entity e \
         JOIN jurisdiction_division jd ON e.division_code LIKE jd.prefix || '%' \
         JOIN jurisdiction j ON j.code = jd.jurisdiction_code AND j.kind IN ('county', 'zone') \
         WHERE e.entity_type = 'enterprise' AND e.received_at IS NOT NULL AND e.issued_at IS NOT NULL \
         AND e.issued_at >= $2 AND e.issued_at < $3 AND {}",
        division_scope_filter("e.division_code", 1)
    );
    type R = (String, String, DateTime<Utc>, DateTime<Utc>, String, String);
    let all: Vec<R> = on_pool!(store, c => sqlx::query_as::<_, R>(&sql)
        .bind(&actor.jurisdiction).bind(start).bind(end).fetch_all(c).await)?;
    // A township carved out into a functional zone matches both the zone and its county:
    // the longest prefix decides.
    let mut best: BTreeMap<String, R> = BTreeMap::new();
    for r in all {
        match best.get(&r.0) {
            Some(b) if b.1.len() >= r.1.len() => {}
            _ => {
                best.insert(r.0.clone(), r);
            }
        }
    }
    let rows = best.into_values().map(|(_, _, a, b, c, d)| (a, b, c, d));
    let calendar = crate::reference::calendar(store).await?;
    let mut groups: BTreeMap<(String, String), (String, Vec<u32>)> = BTreeMap::new();
    let mut skipped = 0;
    for (received, issued, code, name) in rows {
        let (r, i) = (beijing_date(received), beijing_date(issued));
        let Ok(days) = calendar.count_working_days(r, i, &[]) else {
            skipped += 1;
            continue;
        };
        groups
            .entry((code, i.format("%Y-%m").to_string()))
            .or_insert_with(|| (name, Vec::new()))
            .1
            .push(days);
    }
    let out = groups
        .into_iter()
        .filter_map(|((code, month), (name, days))| {
            let s = shijian_domain::startup::summarise(&days)?;
            Some(StartupRow {
                jurisdiction_code: code,
                jurisdiction_name: name,
                month,
                count: s.count,
                median_days: s.median,
                p90_days: s.p90,
            })
        })
        .collect();
    Ok((out, skipped))
}
